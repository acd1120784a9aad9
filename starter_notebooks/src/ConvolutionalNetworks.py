# Source of starter_notebooks/ConvolutionalNetworks.ipynb. Edit this file, not the notebook,
# then run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # Convolutional networks
#
# Fully-connected layers treat an image as a flat list of numbers and must learn separately
# what every pixel position means. A **convolutional** layer slides a small set of filters
# over the image instead, so the same pattern detector is used everywhere; **pooling** then
# shrinks the result while keeping the strongest responses. In this notebook you write these
# layers, look at what hand-made filters do to real photos, and assemble small convolutional
# networks.
#
# **What you write:**
#
# - `assignment/layers.py`: `conv_forward_naive`, `conv_backward_naive`,
#   `max_pool_forward_naive`, `max_pool_backward_naive`, `avg_pool_forward_naive`,
#   `avg_pool_backward_naive`, `spatial_batchnorm_forward`, `spatial_batchnorm_backward`,
#   `spatial_groupnorm_forward`, `spatial_groupnorm_backward`;
# - `assignment/image_filters.py`: two of the four filters of the image-processing aside;
# - `assignment/classifiers/cnn.py`: `ThreeLayerConvNet` and `FourLayerConvNet`.
#
# **Given:** fast versions of convolution and pooling (`fast_layers.py`, built on a compiled
# im2col) and sandwich layers that use them. Self-checks print lines starting with `PASS`
# or `FAIL`.

# %% [markdown]
# ## Set-up
#
# Run these two cells first, and again after restarting the kernel.

# %%
import sys
from pathlib import Path

ROOT = Path.cwd().resolve().parent
if not (ROOT / "assignment" / "__init__.py").is_file():
    raise FileNotFoundError(
        f"no assignment/ package in {ROOT}: open this notebook from the starter_notebooks/ "
        "folder of the assignment"
    )
sys.path.insert(0, str(ROOT))

# %%
# %load_ext autoreload
# %autoreload 2

import time

import matplotlib.pyplot as plt
import numpy as np

from assignment import selfcheck
from assignment.classifiers.cnn import FourLayerConvNet, ThreeLayerConvNet
from assignment.data_utils import get_data
from assignment.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from assignment.gradient_check import eval_numerical_gradient_array
from assignment.image_filters import image_filters, sample_images
from assignment.layer_utils import conv_relu_pool_backward, conv_relu_pool_forward
from assignment.layers import (
    avg_pool_backward_naive,
    avg_pool_forward_naive,
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)
from assignment.solver import Solver
from assignment.vis_utils import plot_training_history, visualize_grid

selfcheck.setup_notebook()

data = get_data("digits")
for name, value in data.items():
    print(f"{name}: {value.shape}")

# %% [markdown]
# ## Convolution: naive forward pass
#
# The input `x` holds $N$ images of $C$ channels, height $H$ and width $W$: shape
# $(N, C, H, W)$. There are $F$ filters `w` of shape $(F, C, HH, WW)$: each spans all $C$
# channels. `conv_param` gives the `stride` (the step between neighbouring positions of a
# filter) and `pad` (the number of zeros added on each side of the height and width). Each
# output value is the sum, over one filter's window of the padded input, of input times
# weight, plus that filter's bias `b[f]`. The output has shape $(N, F, H', W')$ with
#
# $$H' = 1 + \frac{H + 2\,\text{pad} - HH}{\text{stride}}, \qquad
#   W' = 1 + \frac{W + 2\,\text{pad} - WW}{\text{stride}}.$$
#
# The cache is `(x, w, b, conv_param)`. Loops over the output positions are fine here (pad
# with `np.pad`); computing all images and filters at once for each position keeps it quick.

# %%
x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
b = np.linspace(-0.1, 0.2, num=3)
out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})

correct_out = np.array([
    [[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
     [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
     [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
    [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
     [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
     [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]],
])
selfcheck.check_close("conv_forward_naive output", out, correct_out, tol=1e-6)

# %% [markdown]
# ## Aside: image processing with convolutions
#
# A convolution with hand-set weights is a classic image filter. `image_filters()` in
# `assignment/image_filters.py` builds four 3 x 3 filters over RGB images (channels in the
# order red, green, blue):
#
# 0. grayscale conversion (given): a weighted sum of the three channels at the centre pixel;
# 1. horizontal edges in the blue channel (given): a Sobel kernel, with a bias of 128 so that
#    the output is centred in the displayable range;
# 2. **vertical edges in the green channel**: yours to write, the counterpart of filter 1;
# 3. **Gaussian smoothing of the red channel**: yours to write, a normalised 3 x 3 kernel
#    that averages each pixel with its neighbours, the nearest ones weighing most.
#
# Leave the other channels of your two filters at zero. The cell applies all four to two
# photos that ship with scikit-learn, using your `conv_forward_naive`.

# %%
photos = sample_images(size=200)
w, b = image_filters()
t0 = time.perf_counter()
out, _ = conv_forward_naive(photos, w, b, {"stride": 1, "pad": 1})
print(f"conv_forward_naive on {photos.shape}: {time.perf_counter() - t0:.2f} s")


def show(img, normalize=True):
    """Draw an image of shape (H, W, 3) or (H, W), stretched to 0..255 when normalize."""
    if normalize:
        img = 255.0 * (img - img.min()) / max(img.max() - img.min(), 1e-12)
    plt.imshow(img.astype("uint8"))
    plt.axis("off")


titles = ["original", "grayscale", "horizontal edges (blue)", "vertical edges (green)",
          "Gaussian smoothing (red)"]
plt.figure(figsize=(15, 6))
for n in range(2):
    plt.subplot(2, 5, 5 * n + 1)
    show(photos[n].transpose(1, 2, 0), normalize=False)
    plt.title(titles[0])
    for f in range(4):
        plt.subplot(2, 5, 5 * n + f + 2)
        show(out[n, f])
        plt.title(titles[f + 1])
plt.show()

# %% [markdown]
# The checks test properties your two filters must have, on small synthetic images: the
# vertical-edge filter responds to a vertical edge but not to a horizontal one or to a flat
# image; the smoothing kernel is non-negative, sums to 1, is symmetric and peaks at its
# centre.

# %%
def filter_response(kernel_index, image):
    """The response of one filter of image_filters() to a (3, H, W) image, without bias."""
    out, _ = conv_forward_naive(image[None], w[kernel_index:kernel_index + 1], np.zeros(1),
                                {"stride": 1, "pad": 0})
    return out[0, 0]


step = np.zeros((3, 6, 6))
vertical_edge = step.copy()
vertical_edge[:, :, 3:] = 1.0  # dark left half, bright right half
horizontal_edge = step.copy()
horizontal_edge[:, 3:, :] = 1.0  # dark top half, bright bottom half
flat = np.full((3, 6, 6), 0.7)

others = [0, 2]
selfcheck.check_that("filter 2 reads only the green channel",
                     np.all(w[2, others] == 0) and np.any(w[2, 1] != 0))
selfcheck.check_that("filter 2 responds to a vertical edge",
                     np.abs(filter_response(2, vertical_edge)).max() > 1)
selfcheck.check_that("filter 2 ignores a horizontal edge and a flat image",
                     np.allclose(filter_response(2, horizontal_edge), 0)
                     and np.allclose(filter_response(2, flat), 0))

gauss = w[3, 0]
selfcheck.check_that("filter 3 reads only the red channel",
                     np.all(w[3, 1:] == 0) and np.any(gauss != 0))
selfcheck.check_that("filter 3 is non-negative and sums to 1",
                     np.all(gauss >= 0) and np.isclose(gauss.sum(), 1.0))
selfcheck.check_that("filter 3 is symmetric and largest at its centre, smallest at corners",
                     np.allclose(gauss, gauss.T) and np.allclose(gauss, gauss[::-1])
                     and gauss[1, 1] > gauss[0, 1] > gauss[0, 0])
selfcheck.check_close("filter 3 leaves a flat image unchanged", filter_response(3, flat),
                      np.full((4, 4), 0.7), tol=1e-12)

# %% [markdown]
# ## Convolution: naive backward pass
#
# `conv_backward_naive(dout, cache)` returns `dx` $(N, C, H, W)$, `dw` $(F, C, HH, WW)$ and
# `db` $(F,)$. Each output position received contributions from one window of the padded
# input; send its gradient back to that window (for `dx`) and to the weights (for `dw`).
# Windows overlap, so contributions add up. Expect errors of about $10^{-8}$ or less.

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((4, 3, 5, 5))
w_check = rng.standard_normal((2, 3, 3, 3))
b_check = rng.standard_normal(2)
dout = rng.standard_normal((4, 2, 5, 5))
conv_param = {"stride": 1, "pad": 1}

dx_num = eval_numerical_gradient_array(
    lambda x: conv_forward_naive(x, w_check, b_check, conv_param)[0], x, dout)
dw_num = eval_numerical_gradient_array(
    lambda w: conv_forward_naive(x, w, b_check, conv_param)[0], w_check, dout)
db_num = eval_numerical_gradient_array(
    lambda b: conv_forward_naive(x, w_check, b, conv_param)[0], b_check, dout)

_, cache = conv_forward_naive(x, w_check, b_check, conv_param)
dx, dw, db = conv_backward_naive(dout, cache)
selfcheck.check_close("dx", dx, dx_num, tol=1e-7)
selfcheck.check_close("dw", dw, dw_num, tol=1e-7)
selfcheck.check_close("db", db, db_num, tol=1e-7)

# %% [markdown]
# ## Max pooling
#
# Max pooling slides a window of `pool_height` x `pool_width` over each channel with step
# `stride` (no padding) and keeps the window's maximum. For `x` of shape $(N, C, H, W)$ the
# output is $(N, C, H', W')$ with $H' = 1 + (H - \text{pool\_height}) / \text{stride}$ and
# the same for the width; the cache is `(x, pool_param)`.
#
# Going backward, each window's gradient goes to the position that held its maximum (and
# nowhere else). If a window holds its maximum twice, send it to the first one in row-major
# order, which is what `np.argmax` picks.

# %%
x_shape = (2, 3, 4, 4)
x = np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)
pool_param = {"pool_width": 2, "pool_height": 2, "stride": 2}
out, _ = max_pool_forward_naive(x, pool_param)

correct_out = np.array([
    [[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
     [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
     [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
    [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
     [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
     [[0.32631579, 0.34105263], [0.38526316, 0.4]]],
])
selfcheck.check_close("max_pool_forward_naive output", out, correct_out, tol=1e-6)

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((3, 2, 8, 8))
dout = rng.standard_normal((3, 2, 4, 4))
pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

dx_num = eval_numerical_gradient_array(lambda x: max_pool_forward_naive(x, pool_param)[0], x,
                                       dout)
_, cache = max_pool_forward_naive(x, pool_param)
dx = max_pool_backward_naive(dout, cache)
selfcheck.check_close("max pool dx", dx, dx_num, tol=1e-8)

tie = np.ones((1, 1, 2, 2))
_, cache = max_pool_forward_naive(tie, pool_param)
selfcheck.check_close("a tied window sends its gradient to its first maximum",
                      max_pool_backward_naive(np.ones((1, 1, 1, 1)), cache),
                      np.array([[[[1.0, 0.0], [0.0, 0.0]]]]), tol=1e-12)

# %% [markdown]
# ## Average pooling
#
# Average pooling is the same with the window's mean instead of its maximum. Going backward,
# each window shares its gradient equally among its `pool_height * pool_width` inputs.

# %%
x = np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)
out, _ = avg_pool_forward_naive(x, pool_param)
correct_out = np.array([
    [[[-0.28157895, -0.26684211], [-0.22263158, -0.20789474]],
     [[-0.16368421, -0.14894737], [-0.10473684, -0.09]],
     [[-0.04578947, -0.03105263], [0.01315789, 0.02789474]]],
    [[[0.07210526, 0.08684211], [0.13105263, 0.14578947]],
     [[0.19, 0.20473684], [0.24894737, 0.26368421]],
     [[0.30789474, 0.32263158], [0.36684211, 0.38157895]]],
])
selfcheck.check_close("avg_pool_forward_naive output", out, correct_out, tol=1e-6)

rng = np.random.default_rng(2)
x = rng.standard_normal((3, 2, 8, 8))
dout = rng.standard_normal((3, 2, 4, 4))
dx_num = eval_numerical_gradient_array(lambda x: avg_pool_forward_naive(x, pool_param)[0], x,
                                       dout)
_, cache = avg_pool_forward_naive(x, pool_param)
dx = avg_pool_backward_naive(dout, cache)
selfcheck.check_close("average pool dx", dx, dx_num, tol=1e-8)

# %% [markdown]
# ### Inline question 1
#
# Average pooling over 2 x 2 windows with stride 2 is itself a convolution. Describe that
# convolution for an input with $K$ channels: how many filters, their shape and weights,
# the biases, the stride and the padding. Answer in the cell below (double-click it to
# edit).

# %% [markdown] scratchnet={"answer": "conv.inline1"}
# **Your answer:**

# %% [markdown]
# ## Fast layers
#
# The naive layers are written for clarity. `fast_layers.py` gives versions with the same
# arguments and results: the convolution copies every receptive field into a column of a
# matrix (im2col) and does one matrix product; its backward pass sums the columns back
# (col2im). The compiled im2col is built by `setup.py`; without a compiler a slower numpy
# version is used. The cell times both on the same input and checks that they agree. How
# large the speed-up is depends on how many loops your naive version runs in Python: one
# that loops over images and filters too is far slower than one that loops over output
# positions only.

# %%
rng = np.random.default_rng(3)
x = rng.standard_normal((50, 3, 31, 31))
w_big = rng.standard_normal((25, 3, 3, 3))
b_big = rng.standard_normal(25)
dout = rng.standard_normal((50, 25, 16, 16))
conv_param = {"stride": 2, "pad": 1}

t0 = time.perf_counter()
out_naive, cache_naive = conv_forward_naive(x, w_big, b_big, conv_param)
t1 = time.perf_counter()
out_fast, cache_fast = conv_forward_fast(x, w_big, b_big, conv_param)
t2 = time.perf_counter()
print(f"conv forward: naive {t1 - t0:.4f} s, fast {t2 - t1:.4f} s, "
      f"speed-up {(t1 - t0) / max(t2 - t1, 1e-9):.0f}x")
selfcheck.check_close("fast and naive conv outputs agree", out_fast, out_naive, tol=1e-8)

t0 = time.perf_counter()
grads_naive = conv_backward_naive(dout, cache_naive)
t1 = time.perf_counter()
grads_fast = conv_backward_fast(dout, cache_fast)
t2 = time.perf_counter()
print(f"conv backward: naive {t1 - t0:.4f} s, fast {t2 - t1:.4f} s, "
      f"speed-up {(t1 - t0) / max(t2 - t1, 1e-9):.0f}x")
for name, naive, fast in zip(["dx", "dw", "db"], grads_naive, grads_fast, strict=True):
    selfcheck.check_close(f"fast and naive conv {name} agree", fast, naive, tol=1e-8)

# %%
x = rng.standard_normal((50, 3, 32, 32))
dout = rng.standard_normal((50, 3, 16, 16))
pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

t0 = time.perf_counter()
out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
t1 = time.perf_counter()
out_fast, cache_fast = max_pool_forward_fast(x, pool_param)
t2 = time.perf_counter()
print(f"max pool forward: naive {t1 - t0:.4f} s, fast {t2 - t1:.4f} s")
selfcheck.check_close("fast and naive max pool outputs agree", out_fast, out_naive, tol=1e-12)

dx_naive = max_pool_backward_naive(dout, cache_naive)
dx_fast = max_pool_backward_fast(dout, cache_fast)
selfcheck.check_close("fast and naive max pool dx agree", dx_fast, dx_naive, tol=1e-12)

# %% [markdown]
# ## Sandwich layers
#
# `layer_utils.py` fuses convolution - ReLU - max pooling into `conv_relu_pool_forward` and
# its backward pass, using the fast layers and your ReLU. A numeric check:

# %%
rng = np.random.default_rng(4)
x = rng.standard_normal((2, 3, 8, 8))
w_small = rng.standard_normal((3, 3, 3, 3))
b_small = rng.standard_normal(3)
dout = rng.standard_normal((2, 3, 4, 4))
conv_param = {"stride": 1, "pad": 1}


def sandwich(x, w, b):
    return conv_relu_pool_forward(x, w, b, conv_param, pool_param)[0]


_, cache = conv_relu_pool_forward(x, w_small, b_small, conv_param, pool_param)
dx, dw, db = conv_relu_pool_backward(dout, cache)
dx_num = eval_numerical_gradient_array(lambda x: sandwich(x, w_small, b_small), x, dout)
dw_num = eval_numerical_gradient_array(lambda w: sandwich(x, w, b_small), w_small, dout)
db_num = eval_numerical_gradient_array(lambda b: sandwich(x, w_small, b), b_small, dout)
selfcheck.check_close("conv_relu_pool dx", dx, dx_num, tol=1e-7)
selfcheck.check_close("conv_relu_pool dw", dw, dw_num, tol=1e-7)
selfcheck.check_close("conv_relu_pool db", db, db_num, tol=1e-7)

# %% [markdown]
# ## A three-layer convolutional network
#
# Complete `ThreeLayerConvNet` in `assignment/classifiers/cnn.py`:
#
# conv - ReLU - 2 x 2 max pool - affine - ReLU - affine - softmax
#
# The convolution has stride 1 and padding `(filter_size - 1) // 2`, which keeps the height
# and width; the pooling halves them. The class docstring lists the shapes of `W1`..`W3`
# and `b1`..`b3`. Use the sandwich layers; the loss adds the L2 penalty on the three weight
# matrices.
#
# ### Sanity check of the loss
#
# With small random weights the scores are almost equal, so the loss should be close to
# $\log 10 \approx 2.303$; regularisation should raise it.

# %%
rng = np.random.default_rng(5)
X = rng.standard_normal((50, 1, 8, 8))
y = rng.integers(10, size=50)
np.random.seed(0)
model = ThreeLayerConvNet(input_dim=(1, 8, 8))
loss, _ = model.loss(X, y)
print(f"initial loss without regularisation: {loss:.6f}")
selfcheck.check_close("initial loss is about log(10)", loss, np.log(10), tol=1e-3)
model.reg = 0.5
loss_reg, _ = model.loss(X, y)
print(f"initial loss with reg = 0.5: {loss_reg:.6f}")
selfcheck.check_that("regularisation raises the loss", loss_reg > loss)

# %% [markdown]
# ### Gradient check
#
# A numeric gradient check needs a tiny network. Convolutional networks are full of ReLU
# and max-pool "kinks", where the numeric gradient can jump; moderate weights keep the
# activations away from them. Then the loss is compared with a fixture.

# %%
rng = np.random.default_rng(6)
X = rng.standard_normal((2, 1, 8, 8))
y = rng.integers(10, size=2)
np.random.seed(0)
model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=3, filter_size=3, hidden_dim=7,
                          weight_scale=0.3, dtype=np.float64)
selfcheck.check_model_gradients(model, X, y, tol=1e-5)

fixture = selfcheck.load_fixture("cnn_loss")
case = fixture["cases"]["ThreeLayerConvNet"]
model = ThreeLayerConvNet(input_dim=(1, 6, 6), num_filters=2, filter_size=3, hidden_dim=5,
                          num_classes=4, reg=0.5, dtype=np.float64)
model.params = dict(case["params"])
selfcheck.check_close("scores (fixture)", model.loss(fixture["inputs"]["X"]), case["scores"],
                      tol=1e-8)
loss, _ = model.loss(fixture["inputs"]["X"], fixture["inputs"]["y"])
selfcheck.check_close("loss (fixture)", loss, case["loss"], tol=1e-8)

# %% [markdown]
# ### Overfitting a small training set
#
# Trained on only 100 digits, the network should reach (nearly) 100% training accuracy,
# with a much lower validation accuracy: it memorises.

# %%
num_train = 100
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
np.random.seed(0)
model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100,
                          weight_scale=0.05, dtype=np.float64)
solver = Solver(model, small_data, update_rule="adam", optim_config={"learning_rate": 5e-3},
                num_epochs=20, batch_size=25, print_every=20, seed=0)
solver.train()
selfcheck.check_that("training accuracy reaches 95%", max(solver.train_acc_history) >= 0.95)
plot_training_history(solver)
plt.show()

# %% [markdown]
# ### Training on all the digits
#
# Now the whole training set, for 5 epochs. Expect a validation accuracy of about 90%.

# %%
np.random.seed(0)
model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100,
                          weight_scale=0.05, reg=1e-3)
solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 2e-3},
                num_epochs=5, batch_size=50, print_every=50, seed=0)
solver.train()
selfcheck.check_that(f"validation accuracy {solver.best_val_acc:.3f} reaches 0.85",
                     solver.best_val_acc >= 0.85)

# %% [markdown]
# ### What the first layer learned
#
# Each of the 16 filters of the first layer is a 3 x 3 pattern over the single grey
# channel; drawn as images they show the small strokes and gradients it looks for.

# %%
grid = visualize_grid(model.params["W1"].transpose(0, 2, 3, 1), padding=1)
plt.imshow(grid[:, :, 0])
plt.axis("off")
plt.gcf().set_size_inches(4, 4)
plt.show()

# %% [markdown]
# ## A four-layer convolutional network
#
# `FourLayerConvNet` adds a second hidden affine - ReLU layer of the same size:
#
# conv - ReLU - 2 x 2 max pool - affine - ReLU - affine - ReLU - affine - softmax
#
# with parameters `W1`..`W4` and `b1`..`b4` (the class docstring has their shapes).

# %%
rng = np.random.default_rng(7)
X = rng.standard_normal((2, 1, 8, 8))
y = rng.integers(10, size=2)
np.random.seed(0)
model = FourLayerConvNet(input_dim=(1, 8, 8), num_filters=3, filter_size=3, hidden_dim=7,
                         weight_scale=0.3, dtype=np.float64)
selfcheck.check_model_gradients(model, X, y, tol=1e-5)

case = fixture["cases"]["FourLayerConvNet"]
model = FourLayerConvNet(input_dim=(1, 6, 6), num_filters=2, filter_size=3, hidden_dim=5,
                         num_classes=4, reg=0.5, dtype=np.float64)
model.params = dict(case["params"])
loss, _ = model.loss(fixture["inputs"]["X"], fixture["inputs"]["y"])
selfcheck.check_close("loss (fixture)", loss, case["loss"], tol=1e-8)

# %%
np.random.seed(0)
model = FourLayerConvNet(input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100,
                         weight_scale=0.05, reg=1e-3)
solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 2e-3},
                num_epochs=5, batch_size=50, verbose=False, seed=0)
solver.train()
print(f"best validation accuracy: {solver.best_val_acc:.3f}")
selfcheck.check_that("the four-layer network learns (validation accuracy above 0.8)",
                     solver.best_val_acc > 0.8)

# %% [markdown]
# ## Spatial batch normalization
#
# Batch normalization works for convolutional layers too, with one change. A feature map of
# shape $(N, C, H, W)$ comes from $C$ filters, each applied at every position, so the
# statistics of channel $c$ should be the same across images **and** positions. Spatial
# batchnorm therefore computes one mean and one variance per channel, over the $N \cdot H
# \cdot W$ values of that channel, and has `gamma` and `beta` of shape $(C,)$. Reuse your
# `batchnorm_forward` and `batchnorm_backward` by reshaping: move the channel axis last and
# flatten everything else.
#
# After normalisation each channel has mean $\beta_c$ and standard deviation $\gamma_c$.

# %%
def channel_stats(x):
    return x.mean(axis=(0, 2, 3)), x.std(axis=(0, 2, 3))


rng = np.random.default_rng(8)
N, C, H, W = 10, 3, 4, 5
x = 4 * rng.standard_normal((N, C, H, W)) + 10
gamma, beta = np.array([3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0])
out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
means, stds = channel_stats(out)
print(f"channel means {means}, stds {stds}")
selfcheck.check_close("channel means are beta", means, beta, tol=1e-6)
selfcheck.check_close("channel stds are gamma", stds, gamma, tol=1e-6)

fixture = selfcheck.load_fixture("spatial_batchnorm_forward")
inputs, expected = fixture["inputs"], fixture["expected"]
bn_param = {"mode": "train"}
out, _ = spatial_batchnorm_forward(inputs["x"], inputs["gamma"], inputs["beta"], bn_param)
selfcheck.check_close("output (fixture)", out, expected["out"], tol=1e-8)
selfcheck.check_close("running_mean (fixture)", bn_param["running_mean"],
                      expected["running_mean"], tol=1e-8)
selfcheck.check_close("running_var (fixture)", bn_param["running_var"],
                      expected["running_var"], tol=1e-8)

# %% [markdown]
# In test mode the running averages are used, as before: after many training-mode passes,
# a test-mode pass over new data should give channels with mean near 0 and standard
# deviation near 1.

# %%
bn_param = {"mode": "train"}
gamma, beta = np.ones(C), np.zeros(C)
for _ in range(50):
    x = 2.3 * rng.standard_normal((N, C, H, W)) + 13
    spatial_batchnorm_forward(x, gamma, beta, bn_param)
bn_param["mode"] = "test"
x = 2.3 * rng.standard_normal((N, C, H, W)) + 13
out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
means, stds = channel_stats(out)
print(f"test mode: channel means {means}, stds {stds}")
selfcheck.check_that("test-mode channel means are within 0.2 of 0", np.all(abs(means) < 0.2))
selfcheck.check_that("test-mode channel stds are within 0.2 of 1", np.all(abs(stds - 1) < 0.2))

# %%
rng = np.random.default_rng(9)
N, C, H, W = 2, 3, 4, 5
x = 5 * rng.standard_normal((N, C, H, W)) + 12
gamma = rng.standard_normal(C)
beta = rng.standard_normal(C)
dout = rng.standard_normal((N, C, H, W))

bn_param = {"mode": "train"}
dx_num = eval_numerical_gradient_array(
    lambda x: spatial_batchnorm_forward(x, gamma, beta, bn_param)[0], x, dout)
dgamma_num = eval_numerical_gradient_array(
    lambda g: spatial_batchnorm_forward(x, g, beta, bn_param)[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(
    lambda b: spatial_batchnorm_forward(x, gamma, b, bn_param)[0], beta.copy(), dout)

_, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
selfcheck.check_close("spatial batchnorm dx", dx, dx_num, tol=1e-6)
selfcheck.check_close("spatial batchnorm dgamma", dgamma, dgamma_num, tol=1e-6)
selfcheck.check_close("spatial batchnorm dbeta", dbeta, dbeta_num, tol=1e-6)

# %% [markdown]
# ## Spatial group normalization
#
# Layer normalization avoids batchnorm's dependence on the batch, but for convolutional
# features it normalises channels together that behave very differently (a channel that
# fires only near edges, say, and one that fires everywhere). **Group normalization** (Wu
# and He, 2018) takes a middle road: the $C$ channels of each example are split into $G$
# groups of $C / G$ **contiguous** channels, and each (example, group) is normalised with
# its own mean and biased variance over its channels and positions. Nothing is shared
# across the batch. Then each channel is scaled and shifted: `gamma` and `beta` have shape
# $(1, C, 1, 1)$, and so do their gradients. `gn_param` holds only `eps`.
#
# After group normalization with `gamma` = 1 and `beta` = 0, every (example, group) has mean
# 0 and standard deviation 1.

# %%
rng = np.random.default_rng(10)
N, C, H, W, G = 2, 6, 4, 5, 2
x = 4 * rng.standard_normal((N, C, H, W)) + 10
gamma, beta = np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))
out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {})
groups = out.reshape(N * G, -1)
print(f"(example, group) means {groups.mean(axis=1)}, stds {groups.std(axis=1)}")
selfcheck.check_close("group means are 0", groups.mean(axis=1), np.zeros(N * G), tol=1e-6)
selfcheck.check_close("group stds are 1", groups.std(axis=1), np.ones(N * G), tol=1e-6)

fixture = selfcheck.load_fixture("spatial_groupnorm_forward")
inputs = fixture["inputs"]
out, _ = spatial_groupnorm_forward(inputs["x"], inputs["gamma"], inputs["beta"], inputs["G"],
                                   {})
selfcheck.check_close("output (fixture)", out, fixture["expected"]["out"], tol=1e-8)

# %%
rng = np.random.default_rng(11)
N, C, H, W, G = 2, 6, 4, 5, 2
x = 5 * rng.standard_normal((N, C, H, W)) + 12
gamma = rng.standard_normal((1, C, 1, 1))
beta = rng.standard_normal((1, C, 1, 1))
dout = rng.standard_normal((N, C, H, W))

gn_param = {}
dx_num = eval_numerical_gradient_array(
    lambda x: spatial_groupnorm_forward(x, gamma, beta, G, gn_param)[0], x, dout)
dgamma_num = eval_numerical_gradient_array(
    lambda g: spatial_groupnorm_forward(x, g, beta, G, gn_param)[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(
    lambda b: spatial_groupnorm_forward(x, gamma, b, G, gn_param)[0], beta.copy(), dout)

_, cache = spatial_groupnorm_forward(x, gamma, beta, G, gn_param)
dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
selfcheck.check_close("group norm dx", dx, dx_num, tol=1e-6)
selfcheck.check_close("group norm dgamma", dgamma, dgamma_num, tol=1e-6)
selfcheck.check_close("group norm dbeta", dbeta, dbeta_num, tol=1e-6)

# %% [markdown]
# ### Inline question 2
#
# Spatial batch normalization and group normalization both normalise convolutional feature
# maps. Which of them depends on the batch size, and how? Give one situation in which you
# would choose group normalization, and say what $G = 1$ and $G = C$ correspond to. Answer
# in the cell below.

# %% [markdown] scratchnet={"answer": "conv.inline2"}
# **Your answer:**

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only conv` for this notebook's questions).
#
# When you have finished **all** the notebooks, save each one (File > Save), then run the
# cell below (or `python ../collect_submission.py` in a terminal, from this folder). It
# writes `submission.zip` next to the notebooks and lists what it put in it, with warnings
# worth reading. Upload that zip.

# %%
selfcheck.collect_submission()
