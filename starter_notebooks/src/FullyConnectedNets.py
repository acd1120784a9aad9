# Source of starter_notebooks/FullyConnectedNets.ipynb. Edit this file, not the notebook, then
# run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # Fully-connected networks from modular layers
#
# The two-layer network of the previous notebook did everything in one method: adding a layer
# or changing the optimizer meant rewriting it. Here the work is split into **layers** that
# can be stacked freely. Each layer is a pair of plain functions:
#
# ```python
# def some_layer_forward(x, params):
#     ...                      # compute the output
#     cache = (x, params)      # keep whatever the backward pass will need
#     return out, cache
#
# def some_layer_backward(dout, cache):
#     x, params = cache        # dout is dLoss/dout, shaped like out
#     ...                      # chain rule
#     return dx, dparams       # one gradient per input, shaped like that input
# ```
#
# A network calls the forward functions in order, keeping the caches, then the backward
# functions in reverse order. Training is handed to a separate `Solver`, and the update rule
# to a function in `optim.py`, so each can be swapped without touching the rest.
#
# **What you write:**
#
# - `assignment/layers.py`: `affine_forward`, `affine_backward`, `relu_forward`,
#   `relu_backward`;
# - `assignment/classifiers/fc_net.py`: `TwoLayerNet` and `FullyConnectedNet` (ignore their
#   normalization and dropout options for now: the next two notebooks add them);
# - `assignment/optim.py`: `sgd_momentum`, `rmsprop`, `adam`;
# - the hyperparameters of a good model, at the end, which the grader trains again.
#
# **Given:** the loss layers `svm_loss` and `softmax_loss`, plain `sgd`, the `Solver`, the
# "sandwich" layers of `layer_utils.py` and the gradient-checking helpers.
#
# Every self-check prints lines starting with `PASS` or `FAIL`.

# %% [markdown]
# ## Set-up
#
# Run these two cells first, and again after restarting the kernel (see the TwoLayerNet
# notebook for what they do).

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

import matplotlib.pyplot as plt
import numpy as np

from assignment import selfcheck
from assignment.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from assignment.data_utils import get_data
from assignment.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from assignment.layer_utils import affine_relu_backward, affine_relu_forward
from assignment.layers import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
    svm_loss,
)
from assignment.optim import adam, rmsprop, sgd_momentum
from assignment.solver import Solver
from assignment.vis_utils import plot_training_history

selfcheck.setup_notebook()

# %% [markdown]
# The data: scikit-learn's handwritten digits (8 x 8 greyscale images, 10 classes), already
# split and with the mean training image subtracted. Images keep their shape
# $(N, C, H, W) = (N, 1, 8, 8)$; the affine layer flattens them itself.

# %%
data = get_data("digits")
for name, value in data.items():
    print(f"{name}: {value.shape}")
input_dim = int(np.prod(data["X_train"].shape[1:]))  # 64 pixels per image
num_classes = 10

# %% [markdown]
# ## Affine layer: forward
#
# An affine (fully-connected) layer multiplies each example by a weight matrix and adds a
# bias. An example may arrive with any shape $(d_1, \dots, d_k)$, for instance an image; the
# layer flattens it into a row of $D = d_1 \cdots d_k$ values first. So for `x` of shape
# $(N, d_1, \dots, d_k)$, `w` of shape $(D, M)$ and `b` of shape $(M,)$, the output has shape
# $(N, M)$. The cache is `(x, w, b)`.
#
# Write `affine_forward`; the expected output below was published with the course.

# %%
num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
input_size = num_inputs * np.prod(input_shape)
weight_size = output_dim * np.prod(input_shape)

x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
b = np.linspace(-0.3, 0.1, num=output_dim)
out, _ = affine_forward(x, w, b)

correct_out = np.array([[1.49834967, 1.70660132, 1.91485297],
                        [3.25553199, 3.5141327, 3.77273342]])
selfcheck.check_close("affine_forward output", out, correct_out, tol=1e-6)

# %% [markdown]
# ## Affine layer: backward
#
# Given `dout`, the gradient of the loss with respect to the layer's output $(N, M)$,
# `affine_backward` returns `dx`, `dw` and `db`, each shaped like its input (so `dx` has the
# original shape of `x`, not $(N, D)$).
#
# The check is numeric: `eval_numerical_gradient_array(f, x, dout)` nudges each entry of `x`
# and measures how $\sum(f(x) \cdot \text{dout})$ changes, which is exactly the gradient the
# backward pass must return. Expect relative errors around $10^{-10}$.

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((10, 2, 3))
w = rng.standard_normal((6, 5))
b = rng.standard_normal(5)
dout = rng.standard_normal((10, 5))

dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)

_, cache = affine_forward(x, w, b)
dx, dw, db = affine_backward(dout, cache)
selfcheck.check_close("dx", dx, dx_num, tol=1e-8)
selfcheck.check_close("dw", dw, dw_num, tol=1e-8)
selfcheck.check_close("db", db, db_num, tol=1e-8)

# %% [markdown]
# ## ReLU: forward and backward
#
# The rectified linear unit keeps positive values and zeroes the rest, elementwise:
# $\max(0, x)$. Its cache is its input `x`. Going backward, the gradient passes where `x` was
# positive and is zero elsewhere. Do not modify `dout` or the cache in place: another layer
# may still hold them.

# %%
x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
out, _ = relu_forward(x)
correct_out = np.array([[0.0, 0.0, 0.0, 0.0],
                        [0.0, 0.0, 0.04545455, 0.13636364],
                        [0.22727273, 0.31818182, 0.40909091, 0.5]])
selfcheck.check_close("relu_forward output", out, correct_out, tol=1e-6)

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((10, 10))
dout = rng.standard_normal(x.shape)
dx_num = eval_numerical_gradient_array(lambda x: relu_forward(x)[0], x, dout)

x_before, dout_before = x.copy(), dout.copy()
_, cache = relu_forward(x)
dx = relu_backward(dout, cache)
selfcheck.check_close("relu_backward dx", dx, dx_num, tol=1e-8)
selfcheck.check_that("relu_backward leaves dout and its cache unchanged",
                     np.array_equal(x, x_before) and np.array_equal(dout, dout_before),
                     "Compute dx as a new array instead of editing dout or x in place.")

# %% [markdown]
# ## "Sandwich" layers
#
# Some runs of layers recur so often that `layer_utils.py` fuses them: `affine_relu_forward`
# calls your affine and ReLU forward passes and returns both caches as one tuple, and
# `affine_relu_backward` unpacks it and runs the two backward passes in reverse order. Read
# them; the check below exercises your layers through them.

# %%
rng = np.random.default_rng(2)
x = rng.standard_normal((2, 3, 4))
w = rng.standard_normal((12, 10))
b = rng.standard_normal(10)
dout = rng.standard_normal((2, 10))

out, cache = affine_relu_forward(x, w, b)
dx, dw, db = affine_relu_backward(dout, cache)
dx_num = eval_numerical_gradient_array(lambda x: affine_relu_forward(x, w, b)[0], x, dout)
dw_num = eval_numerical_gradient_array(lambda w: affine_relu_forward(x, w, b)[0], w, dout)
db_num = eval_numerical_gradient_array(lambda b: affine_relu_forward(x, w, b)[0], b, dout)
selfcheck.check_close("affine_relu dx", dx, dx_num, tol=1e-8)
selfcheck.check_close("affine_relu dw", dw, dw_num, tol=1e-8)
selfcheck.check_close("affine_relu db", db, db_num, tol=1e-8)

# %% [markdown]
# ## Loss layers
#
# The losses are given: `svm_loss` and `softmax_loss` take scores $(N, C)$ and labels $(N,)$
# and return the loss and its gradient with respect to the scores. With scores near zero and
# 10 classes, the SVM loss is about 9 (a margin of 1 for each of 9 wrong classes) and the
# softmax loss about $\log 10 \approx 2.3$.

# %%
rng = np.random.default_rng(3)
x = 0.001 * rng.standard_normal((50, num_classes))
y = rng.integers(num_classes, size=50)

loss, dx = svm_loss(x, y)
dx_num = eval_numerical_gradient(lambda x: svm_loss(x, y)[0], x, verbose=False)
selfcheck.check_close("svm_loss is about 9", loss, 9.0, tol=1e-3)
selfcheck.check_close("svm_loss dx", dx, dx_num, tol=1e-7)

loss, dx = softmax_loss(x, y)
dx_num = eval_numerical_gradient(lambda x: softmax_loss(x, y)[0], x, verbose=False)
selfcheck.check_close("softmax_loss is about log(10)", loss, np.log(10), tol=1e-3)
selfcheck.check_close("softmax_loss dx", dx, dx_num, tol=1e-7)

# %% [markdown]
# ## A two-layer network from layers
#
# Now rebuild the two-layer network from these pieces: complete `TwoLayerNet` in
# `classifiers/fc_net.py` (architecture affine - ReLU - affine - softmax). Note the layout
# of its parameters, which follows the affine layer: `W1` is $(D, H)$, `b1` $(H,)$, `W2`
# $(H, C)$ and `b2` $(C,)$. The constructor draws `W1` and then `W2` from a normal
# distribution with standard deviation `weight_scale`; the biases start at zero. The loss
# adds $\frac{\lambda}{2}(\lVert W_1\rVert^2 + \lVert W_2\rVert^2)$ with $\lambda$ = `reg`.
#
# The cell checks the initialisation, then sets the parameters to fixed values and compares
# the scores and losses with the published ones, and finally checks the gradients numerically
# (`selfcheck.check_model_gradients` nudges every parameter entry in turn, as before).

# %%
N, D, H, C = 3, 5, 50, 7
std = 1e-3
np.random.seed(0)
model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=std)

for name in ["W1", "W2"]:
    selfcheck.check_that(f"{name} has shape and standard deviation right",
                         abs(model.params[name].std() - std) < std / 10
                         and model.params[name].shape == ((D, H) if name == "W1" else (H, C)),
                         "Draw it with np.random.randn and scale it by weight_scale.")
for name in ["b1", "b2"]:
    selfcheck.check_that(f"{name} starts at zero", np.all(model.params[name] == 0))

model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
scores = model.loss(X)
correct_scores = np.array([
    [11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
    [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
    [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319],
])
selfcheck.check_close("scores", scores, correct_scores, tol=1e-7)

y = np.array([0, 5, 1])
loss, _ = model.loss(X, y)
selfcheck.check_close("loss without regularisation", loss, 3.4702243556, tol=1e-9)
model.reg = 1.0
loss, _ = model.loss(X, y)
selfcheck.check_close("loss with reg=1.0", loss, 26.5948426952, tol=1e-9)

# %%
rng = np.random.default_rng(4)
X = rng.standard_normal((N, D))
y = rng.integers(C, size=N)
for reg in [0.0, 0.7]:
    print(f"reg = {reg}")
    np.random.seed(1)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-2, reg=reg)
    selfcheck.check_model_gradients(model, X, y, tol=1e-5)

# %% [markdown]
# ## The Solver
#
# Open `assignment/solver.py` and read how it is used: you give it a model and the data, plus
# the update rule and its settings; `train()` samples minibatches, calls `model.loss`,
# updates every parameter, checks the training and validation accuracy after each epoch and
# keeps the parameters that scored best on validation. Its histories (`loss_history`,
# `train_acc_history`, `val_acc_history`) are what the plots show.
#
# The cell below trains your `TwoLayerNet` on the digits. It should reach at least 90%
# validation accuracy in a fraction of a second.

# %%
np.random.seed(0)
model = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes,
                    weight_scale=0.1, reg=1e-3)
solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 0.5},
                lr_decay=0.95, num_epochs=10, batch_size=100, print_every=50, seed=0)
solver.train()
selfcheck.check_that(f"validation accuracy {solver.best_val_acc:.3f} reaches 0.90",
                     solver.best_val_acc >= 0.9)

# %%
plot_training_history(solver)
plt.show()

# %% [markdown]
# ## A network of any depth
#
# `FullyConnectedNet` generalises this to any number of hidden layers:
#
# $$\{\text{affine} - \text{ReLU}\} \times (L - 1) - \text{affine} - \text{softmax}$$
#
# for a list `hidden_dims` of $L - 1$ sizes. Its parameters are `W1`..`WL` and `b1`..`bL`,
# where layer $l$ maps the size of layer $l-1$ to the size of layer $l$; initialise them as
# `TwoLayerNet` does, layer by layer. The regularisation covers every weight matrix. Use the
# sandwich layers in the forward pass and store every cache; the backward pass visits the
# layers in reverse.
#
# The `dtype` argument sets the precision of all parameters and computation; gradient checks
# need `np.float64`. As a first sanity check, with small weights the initial loss should be
# close to $\log 10 \approx 2.3$, and larger with regularisation. The gradient check passes
# below $10^{-5}$; a correct network is usually well below $10^{-6}$.

# %%
rng = np.random.default_rng(5)
N, D, H1, H2, C = 2, 15, 20, 30, 10
X = rng.standard_normal((N, D))
y = rng.integers(C, size=N)
for reg in [0.0, 3.14]:
    print(f"reg = {reg}")
    np.random.seed(2)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg,
                              weight_scale=5e-2, dtype=np.float64)
    selfcheck.check_model_gradients(model, X, y, tol=1e-5)

# %% [markdown]
# One more check of the loss itself, with parameters and inputs from a public fixture (the
# gradient check above cannot see a loss that is wrong in a way its gradient agrees with):

# %%
fixture = selfcheck.load_fixture("fc_net_loss")
case = fixture["cases"]["none"]
model = FullyConnectedNet([6, 5], input_dim=3, num_classes=3, reg=0.7, dtype=np.float64)
model.params = dict(case["params"])
loss, _ = model.loss(fixture["inputs"]["X"], fixture["inputs"]["y"])
selfcheck.check_close("FullyConnectedNet loss (fixture)", loss, case["loss"], tol=1e-8)

# %% [markdown]
# ## Overfitting a small training set
#
# A network that can learn should be able to memorise a tiny training set. The cell below
# trains a three-layer network (two hidden layers of 100) on 50 digits with plain SGD; it
# should reach 100% training accuracy within 20 epochs. If yours does not, the problem is
# in your network, not in the settings.

# %%
num_train = 50
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
np.random.seed(0)
model = FullyConnectedNet([100, 100], input_dim=input_dim, weight_scale=0.1,
                          dtype=np.float64)
solver = Solver(model, small_data, update_rule="sgd", optim_config={"learning_rate": 0.3},
                num_epochs=20, batch_size=25, print_every=10, seed=0)
solver.train()
selfcheck.check_that("training accuracy reaches 100%", max(solver.train_acc_history) == 1.0)

plt.plot(solver.loss_history, "o")
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.title("Overfitting 50 digits")
plt.show()

# %% [markdown]
# ## Depth and the initial weight scale
#
# How much does that success depend on the initial weight scale, and does depth change the
# answer? The experiment below repeats the overfitting run for a three-layer and a five-layer
# network over a range of `weight_scale` values and plots the best training accuracy each
# reached. (A run whose activations explode overflows; it simply ends with low accuracy.)

# %%
weight_scales = [0.01, 0.03, 0.1, 0.2, 0.3]
overfit_acc = {}
for hidden_dims in ([100, 100], [100, 100, 100, 100]):
    label = f"{len(hidden_dims) + 1} layers"
    overfit_acc[label] = []
    for weight_scale in weight_scales:
        np.random.seed(0)
        model = FullyConnectedNet(hidden_dims, input_dim=input_dim, weight_scale=weight_scale,
                                  dtype=np.float64)
        solver = Solver(model, small_data, update_rule="sgd",
                        optim_config={"learning_rate": 0.3}, num_epochs=20, batch_size=25,
                        verbose=False, seed=0)
        with np.errstate(all="ignore"):
            solver.train()
        overfit_acc[label].append(max(solver.train_acc_history))
    print(label, overfit_acc[label])

for label, accs in overfit_acc.items():
    plt.semilogx(weight_scales, accs, "-o", label=label)
plt.xlabel("weight_scale")
plt.ylabel("best training accuracy")
plt.title("Overfitting 50 digits with SGD, learning rate 0.3")
plt.legend()
plt.show()

# %% [markdown]
# ### Inline question 1
#
# Which network is more sensitive to the initial weight scale, the three-layer or the
# five-layer one? Explain why, thinking about what happens to the size of the activations
# and of the gradients as they pass through each layer. Write your answer in the cell below
# (double-click it to edit).

# %% [markdown] scratchnet={"answer": "fc.inline1"}
# **Your answer:**

# %% [markdown]
# ## Update rules
#
# So far every step was plain stochastic gradient descent. Better update rules make deep
# networks much easier to train. Each rule in `optim.py` has the same interface,
# `next_w, config = rule(w, dw, config)`: `config` holds the hyperparameters and any state
# the rule carries from one step to the next, and the Solver keeps one `config` per
# parameter. Read the module's docstring, then write the three rules below.
#
# ### SGD with momentum
#
# Momentum keeps a velocity $v$ (initially zero) that accumulates past gradients and moves the
# weights along it:
#
# $$v \leftarrow \mu v - \eta\, dw, \qquad w \leftarrow w + v$$
#
# with $\mu$ = `momentum` (default 0.9) and $\eta$ = `learning_rate`. Store the new velocity
# in `config["velocity"]`.

# %%
N, D = 4, 5
w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)

config = {"learning_rate": 1e-3, "velocity": v}
next_w, config = sgd_momentum(w, dw, config=config)

expected_next_w = np.array([
    [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
    [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
    [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
    [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
])
expected_velocity = np.array([
    [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
    [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
    [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
    [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
])
selfcheck.check_close("sgd_momentum next_w", next_w, expected_next_w, tol=1e-6)
selfcheck.check_close("sgd_momentum velocity", config["velocity"], expected_velocity, tol=1e-6)

# %% [markdown]
# Now compare plain SGD with SGD+momentum on a six-layer network (five hidden layers of 100)
# trained on 500 digits. Momentum should lower the loss markedly faster.

# %%
num_train = 500
medium_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}


def train_with(update_rule, learning_rate):
    """A six-layer network trained for 10 epochs on medium_data with the given rule."""
    np.random.seed(0)
    model = FullyConnectedNet([100] * 5, input_dim=input_dim, weight_scale=0.15)
    solver = Solver(model, medium_data, update_rule=update_rule,
                    optim_config={"learning_rate": learning_rate}, num_epochs=10,
                    batch_size=100, verbose=False, seed=0)
    solver.train()
    return solver


solvers = {"sgd": train_with("sgd", 1e-2), "sgd_momentum": train_with("sgd_momentum", 1e-2)}
final_loss = {rule: np.mean(s.loss_history[-10:]) for rule, s in solvers.items()}
for rule, value in final_loss.items():
    print(f"{rule}: final training loss {value:.3f}")
selfcheck.check_that("momentum ends with a lower training loss than plain SGD",
                     final_loss["sgd_momentum"] < final_loss["sgd"])
plot_training_history(solvers)
plt.show()

# %% [markdown]
# ### RMSProp and Adam
#
# These rules give every weight its own step size, from a running average of its squared
# gradients (all operations elementwise):
#
# - **RMSProp** keeps `cache` $c \leftarrow \rho c + (1 - \rho)\, dw^2$ (with $\rho$ =
#   `decay_rate`) and steps $w \leftarrow w - \eta\, dw / (\sqrt{c} + \epsilon)$.
# - **Adam** keeps a running average of the gradient, `m`, and of its square, `v`:
#   $m \leftarrow \beta_1 m + (1 - \beta_1) dw$, $v \leftarrow \beta_2 v + (1 - \beta_2) dw^2$.
#   Both start at zero, so early on they are biased towards zero; with the step count `t`
#   **incremented first**, the corrected averages are $\hat m = m / (1 - \beta_1^t)$ and
#   $\hat v = v / (1 - \beta_2^t)$, and the step is
#   $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$.
#
# Write `rmsprop` and `adam` (the complete Adam, with the bias correction); store the new
# state in `config`.

# %%
cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
config = {"learning_rate": 1e-2, "cache": cache}
next_w, config = rmsprop(w, dw, config=config)

expected_next_w = np.array([
    [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
    [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
    [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
    [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619],
])
expected_cache = np.array([
    [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
    [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
    [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
    [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926],
])
selfcheck.check_close("rmsprop next_w", next_w, expected_next_w, tol=1e-6)
selfcheck.check_close("rmsprop cache", config["cache"], expected_cache, tol=1e-6)

# %%
m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
config = {"learning_rate": 1e-2, "m": m, "v": v, "t": 5}
next_w, config = adam(w, dw, config=config)

expected_next_w = np.array([
    [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
    [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
    [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
    [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459],
])
expected_v = np.array([
    [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
    [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
    [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
    [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966],
])
expected_m = np.array([
    [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
    [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
    [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
    [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85],
])
selfcheck.check_close("adam next_w", next_w, expected_next_w, tol=1e-6)
selfcheck.check_close("adam v", config["v"], expected_v, tol=1e-6)
selfcheck.check_close("adam m", config["m"], expected_m, tol=1e-6)
selfcheck.check_that("adam stores the step count t = 6", config["t"] == 6,
                     "Increment t before the bias correction and store it in config.")

# %% [markdown]
# The same six-layer network with all four rules:

# %%
solvers["rmsprop"] = train_with("rmsprop", 1e-4)
solvers["adam"] = train_with("adam", 1e-3)
for rule, s in solvers.items():
    print(f"{rule:>12}: final training loss {np.mean(s.loss_history[-10:]):.3f}, "
          f"best validation accuracy {s.best_val_acc:.3f}")
plot_training_history(solvers)
plt.show()

# %% [markdown]
# ### Inline question 2
#
# AdaGrad is another per-parameter rule. It keeps the running **sum** of squared gradients,
# `cache += dw**2`, and steps `w -= learning_rate * dw / (np.sqrt(cache) + eps)`. Someone
# training with AdaGrad finds that the updates become very small and the network stops
# learning. Why does this happen? Does Adam have the same problem? Answer in the cell below.

# %% [markdown] scratchnet={"answer": "fc.inline2"}
# **Your answer:**

# %% [markdown]
# ## Train a good model
#
# Last, choose the hyperparameters of the best `FullyConnectedNet` you can train on the
# digits. **The grader trains a fresh model with exactly these settings, using your
# `FullyConnectedNet`, `Solver` and update rules, and needs at least 90% validation
# accuracy.** It uses a different random seed, so aim for some margin above 0.90 here.
#
# The dict must have this form (the values below are a starting point that works with a
# correct implementation; improve on them, and try normalization and dropout once you have
# done the next two notebooks):
#
# - `model`: `hidden_dims` (a list of 1 to 6 sizes), and optionally `normalization`
#   (`None`, `"batchnorm"` or `"layernorm"`), `dropout` (keep probability, 1 for none),
#   `reg` and `weight_scale`;
# - `solver`: `update_rule`, `learning_rate`, `lr_decay`, `num_epochs` (at most 60) and
#   `batch_size`.

# %%
hyperparams = {
    "model": {"hidden_dims": [100], "normalization": None, "dropout": 1, "reg": 1e-3,
              "weight_scale": 0.1},
    "solver": {"update_rule": "sgd_momentum", "learning_rate": 0.05, "lr_decay": 0.95,
               "num_epochs": 10, "batch_size": 100},
}

# %% [markdown]
# The cell below trains exactly what the grader will train (apart from the seed), shows the
# result, and saves your choice to `hyperparams.json` next to this notebook, where the
# collect step picks it up.

# %%
settings = dict(hyperparams["solver"])
optim_config = {"learning_rate": settings.pop("learning_rate")}
np.random.seed(0)
best_model = FullyConnectedNet(input_dim=input_dim, num_classes=num_classes, dtype=np.float64,
                               **hyperparams["model"])
best_solver = Solver(best_model, data, optim_config=optim_config, print_every=1000, seed=0,
                     **settings)
best_solver.train()

selfcheck.check_that(f"validation accuracy {best_solver.best_val_acc:.3f} reaches 0.90",
                     best_solver.best_val_acc >= 0.9)
selfcheck.save_hyperparams(hyperparams)
plot_training_history(best_solver)
plt.show()

# %% [markdown]
# ## Test accuracy
#
# The Solver put the parameters with the best validation accuracy back into `best_model`.
# Check it once on the test set:

# %%
test_pred = np.argmax(best_model.loss(data["X_test"]), axis=1)
print(f"test accuracy: {np.mean(test_pred == data['y_test']):.3f}")

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only fc` for this notebook's questions).
#
# When you have finished **all** the notebooks, save each one (File > Save), then run the
# cell below (or `python ../collect_submission.py` in a terminal, from this folder). It
# writes `submission.zip` next to the notebooks and lists what it put in it, with warnings
# worth reading. Upload that zip.

# %%
selfcheck.collect_submission()
