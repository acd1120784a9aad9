# Source of starter_notebooks/PyTorch.ipynb. Edit this file, not the notebook, then run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # PyTorch
#
# You have written affine, convolution and pooling layers by hand, forward and backward. A deep
# learning framework gives you those layers ready-made, computes every backward pass for you
# (automatic differentiation) and runs the same code on a CPU or a GPU. This notebook does the
# work of the previous ones again, in PyTorch, three ways: with bare tensors, with `nn.Module`
# and with `nn.Sequential`; then you design a model of your own.
#
# **What you write:** `assignment/pytorch_models.py`: `flatten`, `three_layer_convnet`,
# `random_weight`, `zero_weight`, `three_layer_convnet_init`, `sgd_step`, `ThreeLayerConvNet`,
# `sequential_model`, `sequential_optimizer` and `challenge`, plus one written answer at the end.
#
# **Set-up:** PyTorch is an optional extra of this assignment: `pip install -e ".[torch]"`
# (it installs `torch==2.13.0`, CPU only; a GPU is used when one is there, nothing here needs
# one). Self-checks print lines starting with `PASS` or `FAIL`.
#
# **Data:** the digits data set that comes with scikit-learn (8x8 grey images, 10 classes), as
# float32 tensors shaped `(N, C, H, W)`. With CIFAR-10 in a local folder, `get_data("cifar10")`
# loads it instead; the cells below take the channels and image size from the data, but expect
# lower accuracies than the bars below (stated for digits) and much longer training.

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
import torch
import torch.nn.functional as F

from assignment import selfcheck
from assignment.data_utils import get_data
from assignment.pytorch_models import (
    LAYERS,
    ThreeLayerConvNet,
    accuracy,
    build_challenge_model,
    build_optimizer,
    challenge,
    flatten,
    random_weight,
    sequential_model,
    sequential_optimizer,
    three_layer_convnet,
    three_layer_convnet_init,
    to_tensors,
    train_barebones,
    train_module,
    two_layer_fc,
)

selfcheck.setup_notebook()
torch.set_num_threads(1)  # small models: one thread is as fast, and results repeat exactly

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("PyTorch", torch.__version__, "on", device)

data = get_data("digits")
tensors = to_tensors(data)
for key, value in tensors.items():
    print(f"{key}: {tuple(value.shape)} {value.dtype}")
IN_CHANNEL = tensors["X_train"].shape[1]
IMAGE_SIZE = tuple(tensors["X_train"].shape[2:])

# %% [markdown]
# # Part I: tensors, autograd and the device
#
# A `torch.Tensor` is an n-dimensional array like a numpy array, with two additions: it lives on
# a *device* (`cpu` or `cuda`), and it can record the operations made with it so that
# `backward()` computes gradients. Converting is cheap: `torch.from_numpy(a)` shares memory with
# `a`, and `t.numpy()` goes back (for a tensor on the CPU that records nothing).

# %%
a = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(a)
print("sum of each row:", a.sum(dim=1))
print("back to numpy:", type(a.numpy()), "and onto the device:", a.to(device).device)

# %% [markdown]
# **Autograd.** A tensor created with `requires_grad=True` is a leaf of the graph; every result
# computed from it remembers how. `loss.backward()` walks that graph backwards and adds
# d loss / d leaf into each leaf's `.grad`: the same chain rule your `*_backward` functions
# apply by hand, layer by layer, with the upstream gradient `dout`.

# %%
w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
x_small = torch.tensor([0.5, 0.5, 2.0])
loss = (w * x_small).relu().sum()
loss.backward()
print("gradient of the loss with respect to w:", w.grad)
selfcheck.check_close("autograd of relu(w * x)", w.grad.numpy(), np.array([0.5, 0.0, 2.0]))

# %% [markdown]
# **Your backward passes against autograd.** If you wrote `affine_backward` and
# `conv_backward_naive` in the earlier notebooks, autograd should agree with them: the cell
# below feeds the same numbers through both. (It skips what you have not written yet.)

# %%
from assignment import layers

rng = np.random.default_rng(231)
x_np, w_np, b_np = rng.standard_normal((4, 6)), rng.standard_normal((6, 3)), rng.standard_normal(3)
dout_np = rng.standard_normal((4, 3))
try:
    _, cache = layers.affine_forward(x_np, w_np, b_np)
    dx, dw, db = layers.affine_backward(dout_np, cache)
    xt, wt, bt = (torch.tensor(v, requires_grad=True) for v in (x_np, w_np, b_np))
    (torch.tensor(dout_np) * (xt @ wt + bt)).sum().backward()
    selfcheck.check_close("your affine_backward dw vs autograd", dw, wt.grad.numpy())
    selfcheck.check_close("your affine_backward dx vs autograd", dx, xt.grad.numpy())
except NotImplementedError as exc:
    print("skipped:", str(exc).split(":")[0])

x_np, w_np = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
b_np = rng.standard_normal(4)
conv_param = {"stride": 1, "pad": 1}
dout_np = rng.standard_normal((2, 4, 6, 6))
try:
    _, cache = layers.conv_forward_naive(x_np, w_np, b_np, conv_param)
    dx, dw, db = layers.conv_backward_naive(dout_np, cache)
    xt, wt, bt = (torch.tensor(v, requires_grad=True) for v in (x_np, w_np, b_np))
    (torch.tensor(dout_np) * F.conv2d(xt, wt, bt, padding=1)).sum().backward()
    selfcheck.check_close("your conv_backward_naive dw vs autograd", dw, wt.grad.numpy(), 1e-6)
except NotImplementedError as exc:
    print("skipped:", str(exc).split(":")[0])

# %% [markdown]
# # Part II: barebones PyTorch
#
# First, networks written as plain functions of tensors, with the layers of
# `torch.nn.functional`, and parameters you create and update yourself. Write `flatten` in
# `assignment/pytorch_models.py`; the given `two_layer_fc` uses it.

# %%
x_check = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).reshape(2, 3, 2, 2)
selfcheck.check_close("flatten", flatten(x_check).numpy(),
                      np.arange(24, dtype=np.float32).reshape(2, 12))

hidden = 42
scores = two_layer_fc(tensors["X_train"][:64],
                         [torch.zeros(int(np.prod(IMAGE_SIZE)) * IN_CHANNEL, hidden),
                          torch.zeros(hidden, 10)])
selfcheck.check_that("two_layer_fc gives (64, 10) scores", tuple(scores.shape) == (64, 10))

# %% [markdown]
# Now write `three_layer_convnet(x, params)`: conv 5x5 (padding 2) - ReLU - conv 3x3 (padding 1)
# - ReLU - fully connected, with `F.conv2d`, `F.relu` and your `flatten`. Padding keeps the
# image size, so the fully-connected layer sees `channel_2 * H * W` numbers per example.

# %%
channel_1, channel_2 = 16, 8
x_check = torch.zeros(64, IN_CHANNEL, *IMAGE_SIZE)
params_check = [
    torch.zeros(channel_1, IN_CHANNEL, 5, 5), torch.zeros(channel_1),
    torch.zeros(channel_2, channel_1, 3, 3), torch.zeros(channel_2),
    torch.zeros(channel_2 * IMAGE_SIZE[0] * IMAGE_SIZE[1], 10), torch.ones(10),
]
scores = three_layer_convnet(x_check, params_check)
selfcheck.check_that("three_layer_convnet gives (64, 10) scores", tuple(scores.shape) == (64, 10))
selfcheck.check_close("three_layer_convnet with zero weights returns the fc bias",
                      scores.numpy(), np.ones((64, 10), dtype=np.float32))

# %% [markdown]
# **Initialisation.** Write `random_weight` (Kaiming normal: standard deviation
# `sqrt(2 / fan_in)`), `zero_weight`, and `three_layer_convnet_init`, which builds the six
# parameters with them. The histogram shows what Kaiming scaling does: the wider the input of a
# layer, the smaller its weights.

# %%
torch.manual_seed(0)
wide, narrow = random_weight((1024, 10)), random_weight((16, 10))
selfcheck.check_that("random_weight sets requires_grad", wide.requires_grad)
selfcheck.check_close("random_weight std for fan_in 1024", float(wide.std()),
                      float(np.sqrt(2 / 1024)), 0.1)
plt.hist(narrow.detach().numpy().ravel(), bins=20, alpha=0.6, label="fan_in 16")
plt.hist(wide.detach().numpy().ravel(), bins=40, alpha=0.6, label="fan_in 1024")
plt.legend()
plt.title("Kaiming-normal weights")
plt.show()

# %% [markdown]
# **Training by hand.** Write `sgd_step(params, learning_rate)`: each parameter moves against
# its gradient, in place, inside `torch.no_grad()` (the update itself must not become part of
# the graph), and its gradient is reset to zero, since `backward()` *adds* into `.grad`.
#
# **Accuracy bar (digits): 0.85 on the validation set** after 5 epochs at learning rate 0.1 (the
# grader trains your code again with its own seed).

# %%
torch.manual_seed(0)
params = three_layer_convnet_init(IN_CHANNEL, channel_1, channel_2, 10, image_size=IMAGE_SIZE)
start = time.time()
losses_barebones = train_barebones(three_layer_convnet, params, tensors, learning_rate=0.1,
                                      num_epochs=5, batch_size=64, seed=0)
val_acc = accuracy(lambda x: three_layer_convnet(x, params), tensors["X_val"],
                      tensors["y_val"])
print(f"trained in {time.time() - start:.1f} s; validation accuracy {val_acc:.3f}")
selfcheck.check_that("Part II reaches the bar 0.85", val_acc >= 0.85)

# %% [markdown]
# # Part III: the Module API
#
# Keeping a list of tensors by hand does not scale. An `nn.Module` owns its layers and their
# parameters (`model.parameters()`), and a `torch.optim` optimizer updates them all. Write
# `ThreeLayerConvNet(in_channel, channel_1, channel_2, num_classes)`: the same network, with
# `nn.Conv2d` and `nn.Linear` layers initialised Kaiming-normal (`nn.init.kaiming_normal_`)
# with zero biases. Note that `nn.Linear` stores its weight as `(out_features, in_features)`.
#
# **Accuracy bar (digits): 0.85 on the validation set** after 5 epochs of `torch.optim.SGD` at
# learning rate 0.1.

# %%
torch.manual_seed(0)
model = ThreeLayerConvNet(IN_CHANNEL, channel_1, channel_2, 10, image_size=IMAGE_SIZE)
print(model)
print("parameter shapes:", [tuple(p.shape) for p in model.parameters()])
selfcheck.check_that("ThreeLayerConvNet gives (64, 10) scores",
                     tuple(model(tensors["X_train"][:64]).shape) == (64, 10))

optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
losses_module = train_module(model, optimizer, tensors, num_epochs=5, batch_size=64, seed=0)
val_acc = accuracy(model, tensors["X_val"], tensors["y_val"])
print(f"validation accuracy {val_acc:.3f}")
selfcheck.check_that("Part III reaches the bar 0.85", val_acc >= 0.85)

plt.plot(losses_barebones, label="Part II (barebones)")
plt.plot(losses_module, label="Part III (Module)")
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.legend()
plt.show()

# %% [markdown]
# # Part IV: the Sequential API
#
# When a network is a plain stack of layers, `nn.Sequential` writes it in one expression. Write
# `sequential_model` (the same ConvNet: `nn.Conv2d`, `nn.ReLU`, `nn.Conv2d`, `nn.ReLU`,
# `nn.Flatten`, `nn.Linear`) and `sequential_optimizer`: SGD with Nesterov momentum 0.9.

# %%
torch.manual_seed(0)
model = sequential_model(IN_CHANNEL, channel_1, channel_2, 10, image_size=IMAGE_SIZE)
print(model)
optimizer = sequential_optimizer(model.parameters(), learning_rate=0.02)
train_module(model, optimizer, tensors, num_epochs=5, batch_size=64, seed=0)
val_acc = accuracy(model, tensors["X_val"], tensors["y_val"])
print(f"validation accuracy {val_acc:.3f}")
selfcheck.check_that("Part IV learns (above 0.8)", val_acc >= 0.8)

# %% [markdown]
# # Part V: your own model
#
# Now design the best model you can, within a budget: **at most 10 epochs, 500,000 parameters,
# and 2 minutes of training on one CPU thread.** Declare it in `challenge()` as data (the layers
# you may use are listed in `LAYERS`; the optimizers in `OPTIMIZERS`), so that the grader
# can build it with `build_challenge_model` and train it again in its sandbox with its own seed.
# Ideas: more filters, pooling, batch normalisation, dropout, Adam, weight decay.
#
# **Accuracy bar (digits): 0.95 on the validation set** of the grader's run. Look at the test
# set only once, at the very end.

# %%
print("\n".join(f"{name}: {text}" for name, text in LAYERS.items()))
declared = challenge()
torch.manual_seed(0)
model = build_challenge_model(declared["layers"], IN_CHANNEL, IMAGE_SIZE)
optimizer = build_optimizer(declared["optimizer"], model.parameters())
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
start = time.time()
train_module(model, optimizer, tensors, num_epochs=declared["num_epochs"],
                batch_size=declared["batch_size"], seed=0)
val_acc = accuracy(model, tensors["X_val"], tensors["y_val"])
print(f"trained in {time.time() - start:.1f} s; validation accuracy {val_acc:.3f}")
selfcheck.check_that("Part V reaches the bar 0.95", val_acc >= 0.95)

# %%
test_acc = accuracy(model, tensors["X_test"], tensors["y_test"])
print(f"test accuracy {test_acc:.3f}")

# %% [markdown]
# **Describe what you did.** Which architecture and optimizer did you choose, what else did you
# try, and what did you learn from it?

# %% [markdown] scratchnet={"answer": "pytorch.inline1"}
# **Your answer:**

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only pytorch` for this notebook's questions).
#
# Save the notebook, then run the cell below: it writes `submission.zip` with your code and
# notebooks.

# %%
selfcheck.collect_submission()
