# Source of starter_notebooks/BatchNormalization.ipynb. Edit this file, not the notebook, then
# run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # Batch normalization and layer normalization
#
# Deep networks train more easily when the inputs of every layer are well scaled: roughly
# zero mean and unit variance in each feature. Normalising the data fixes this for the first
# layer only; deeper activations drift as the weights change. **Batch normalization**
# (Ioffe and Szegedy, 2015) inserts a layer that normalises each feature with the mean and
# variance of the current minibatch, then applies a learnable scale $\gamma$ and shift
# $\beta$, so the network can undo the normalisation where that helps. At test time there is
# no minibatch to average over, so the layer uses running averages of the statistics it saw
# during training.
#
# **Layer normalization** (Ba, Kiros and Hinton, 2016) normalises each example over its own
# features instead, which makes it independent of the batch.
#
# **What you write**, in `assignment/layers.py`: `batchnorm_forward` (train and test mode),
# `batchnorm_backward`, `batchnorm_backward_alt`, `layernorm_forward`, `layernorm_backward`;
# and in `assignment/classifiers/fc_net.py`, the `normalization` option of
# `FullyConnectedNet`. Self-checks print lines starting with `PASS` or `FAIL`.

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
from assignment.classifiers.fc_net import FullyConnectedNet
from assignment.data_utils import get_data
from assignment.gradient_check import eval_numerical_gradient_array
from assignment.layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)
from assignment.solver import Solver
from assignment.vis_utils import plot_training_history

selfcheck.setup_notebook()

data = get_data("digits")
input_dim = int(np.prod(data["X_train"].shape[1:]))
num_train = 500
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}

# %% [markdown]
# ## Batch normalization: forward, training mode
#
# For `x` of shape $(N, D)$, in training mode the layer computes, for each of the $D$
# features, the minibatch mean $\mu$ and the **biased** variance $\sigma^2$ (divide by $N$),
# normalises, then scales and shifts:
#
# $$\hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
#   \text{out} = \gamma \hat x + \beta, \qquad \gamma, \beta \text{ of shape } (D,).$$
#
# It also updates running averages of the mean and variance, which start at zeros:
# `running_mean = momentum * running_mean + (1 - momentum) * mean` (and the same for the
# variance), and writes them back into the `bn_param` dict it was given. `bn_param` holds
# `mode` (`"train"` or `"test"`, required), `eps` (default `1e-5`) and `momentum` (default
# 0.9). The cache holds what your backward pass will need; you decide what that is.
#
# First a property every correct forward pass has: after normalisation each feature has mean
# $\beta$ and standard deviation $\gamma$ (up to $\epsilon$), whatever the input.

# %%
def print_mean_std(label, x, axis=0):
    print(f"{label}\n  means: {x.mean(axis=axis)}\n  stds:  {x.std(axis=axis)}")


# The activations of a random two-layer network: features far from zero mean, unit variance.
rng = np.random.default_rng(0)
N, D1, D2, D3 = 200, 50, 60, 3
X = rng.standard_normal((N, D1))
W1, W2 = rng.standard_normal((D1, D2)), rng.standard_normal((D2, D3))
a = np.maximum(0, X @ W1) @ W2
print_mean_std("Before batch normalization:", a)

gamma, beta = np.ones(D3), np.zeros(D3)
a_norm, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
print_mean_std("After, with gamma = 1 and beta = 0:", a_norm)
selfcheck.check_close("feature means are 0", a_norm.mean(axis=0), np.zeros(D3), tol=1e-6)
selfcheck.check_close("feature stds are 1", a_norm.std(axis=0), np.ones(D3), tol=1e-6)

gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
a_norm, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
print_mean_std("After, with gamma = [1, 2, 3] and beta = [11, 12, 13]:", a_norm)
selfcheck.check_close("feature means are beta", a_norm.mean(axis=0), beta, tol=1e-6)
selfcheck.check_close("feature stds are gamma", a_norm.std(axis=0), gamma, tol=1e-6)

# %% [markdown]
# Now the exact values, including the running averages, against a public fixture: a small
# input with given running statistics, one step in training mode, then one in test mode.

# %%
fixture = selfcheck.load_fixture("batchnorm_forward")
inputs, expected = fixture["inputs"], fixture["expected"]
bn_param = {"mode": "train", "running_mean": inputs["running_mean"].copy(),
            "running_var": inputs["running_var"].copy()}
out, _ = batchnorm_forward(inputs["x"], inputs["gamma"], inputs["beta"], bn_param)
selfcheck.check_close("training-mode output", out, expected["out_train"], tol=1e-8)
selfcheck.check_close("running_mean after one step", bn_param["running_mean"],
                      expected["running_mean"], tol=1e-8)
selfcheck.check_close("running_var after one step", bn_param["running_var"],
                      expected["running_var"], tol=1e-8)

# %% [markdown]
# ## Batch normalization: forward, test mode
#
# In test mode the layer normalises with the running averages instead of the batch
# statistics, and leaves them unchanged. Write that branch; the first check compares it with
# the fixture. The second warms up the running averages with 50 training-mode passes over
# random batches, then runs one test-mode pass on a new batch: its features should have mean
# close to 0 and standard deviation close to 1 (noisier than in training mode).

# %%
bn_param["mode"] = "test"
out, _ = batchnorm_forward(inputs["x_test"], inputs["gamma"], inputs["beta"], bn_param)
selfcheck.check_close("test-mode output", out, expected["out_test"], tol=1e-8)

rng = np.random.default_rng(1)
bn_param = {"mode": "train"}
gamma, beta = np.ones(D3), np.zeros(D3)
for _ in range(50):
    X = rng.standard_normal((N, D1))
    batchnorm_forward(np.maximum(0, X @ W1) @ W2, gamma, beta, bn_param)
bn_param["mode"] = "test"
X = rng.standard_normal((N, D1))
a_norm, _ = batchnorm_forward(np.maximum(0, X @ W1) @ W2, gamma, beta, bn_param)
print_mean_std("After batch normalization in test mode:", a_norm)
selfcheck.check_that("test-mode means are within 0.2 of 0", np.all(abs(a_norm.mean(axis=0)) < 0.2))
selfcheck.check_that("test-mode stds are within 0.2 of 1",
                     np.all(abs(a_norm.std(axis=0) - 1) < 0.2))

# %% [markdown]
# ## Batch normalization: backward
#
# Draw the forward pass as a graph of simple steps (mean, centring, variance, square root,
# division, scale, shift) and push the gradient back through each step in turn. A value used
# by several later steps (the centred input is one) receives the **sum** of their
# gradients. Return `dx` $(N, D)$, `dgamma` $(D,)$ and `dbeta` $(D,)$. Expect relative errors
# of $10^{-8}$ or less.

# %%
rng = np.random.default_rng(2)
N, D = 4, 5
x = 5 * rng.standard_normal((N, D)) + 12
gamma = rng.standard_normal(D)
beta = rng.standard_normal(D)
dout = rng.standard_normal((N, D))

bn_param = {"mode": "train"}
dx_num = eval_numerical_gradient_array(
    lambda x: batchnorm_forward(x, gamma, beta, bn_param)[0], x, dout)
dgamma_num = eval_numerical_gradient_array(
    lambda g: batchnorm_forward(x, g, beta, bn_param)[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(
    lambda b: batchnorm_forward(x, gamma, b, bn_param)[0], beta.copy(), dout)

_, cache = batchnorm_forward(x, gamma, beta, bn_param)
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
selfcheck.check_close("dx", dx, dx_num, tol=1e-7)
selfcheck.check_close("dgamma", dgamma, dgamma_num, tol=1e-7)
selfcheck.check_close("dbeta", dbeta, dbeta_num, tol=1e-7)

# %% [markdown]
# ## Batch normalization: a simpler backward pass
#
# The staged backward pass works, but the steps simplify a great deal on paper. Write
# $y_i = \hat x_i$ for one feature over the batch ($i = 1..N$), $\mu$ and $v$ for its mean
# and variance, and $\sigma = \sqrt{v + \epsilon}$. Work out $\partial \mu / \partial x_i$
# and $\partial v / \partial x_i$ first, then $\partial y_j / \partial x_i$, and finally
# collect $\partial L / \partial x_i = \sum_j \frac{\partial L}{\partial y_j}
# \frac{\partial y_j}{\partial x_i}$. The result is a single expression in `dout`, $\hat x$,
# $\gamma$ and $\sigma$ that needs only sums over the batch.
#
# Write it in `batchnorm_backward_alt`. It must agree with your first version to rounding
# error and is usually faster.

# %%
rng = np.random.default_rng(3)
N, D = 100, 500
x = 5 * rng.standard_normal((N, D)) + 12
gamma = rng.standard_normal(D)
beta = rng.standard_normal(D)
dout = rng.standard_normal((N, D))
_, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})

t0 = time.perf_counter()
dx1, dgamma1, dbeta1 = batchnorm_backward(dout, cache)
t1 = time.perf_counter()
dx2, dgamma2, dbeta2 = batchnorm_backward_alt(dout, cache)
t2 = time.perf_counter()
selfcheck.check_close("dx of the two versions", dx2, dx1, tol=1e-9)
selfcheck.check_close("dgamma of the two versions", dgamma2, dgamma1, tol=1e-9)
selfcheck.check_close("dbeta of the two versions", dbeta2, dbeta1, tol=1e-9)
print(f"speed-up of the simplified version: {(t1 - t0) / max(t2 - t1, 1e-9):.1f}x")

# %% [markdown]
# ## Fully-connected networks with batch normalization
#
# Now add the `normalization` option to `FullyConnectedNet`. With
# `normalization="batchnorm"`, every hidden layer becomes affine - batchnorm - ReLU; the
# output layer is never normalised. Each normalised layer $l$ has its own `gamma{l}` (ones)
# and `beta{l}` (zeros), shaped like its bias, and its own dict in `self.bn_params`
# (batchnorm keeps its running averages there). `layer_utils.py` has the sandwich
# `affine_norm_relu_forward` / `affine_norm_relu_backward` for this. `gamma` and `beta` are
# not regularised.
#
# The gradient check below runs the network with and without regularisation, on a batch of
# 10: with a batch of only 2, batchnorm maps every feature to -1 and +1 whatever the weights
# before it, and the gradient of those weights is almost zero. Then its loss is compared
# with a fixture.

# %%
rng = np.random.default_rng(6)
N, D, H1, H2, C = 10, 15, 20, 30, 10
X = rng.standard_normal((N, D))
y = rng.integers(C, size=N)
for reg in [0.0, 3.14]:
    print(f"reg = {reg}")
    np.random.seed(0)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg,
                              weight_scale=5e-2, dtype=np.float64, normalization="batchnorm")
    selfcheck.check_model_gradients(model, X, y, tol=1e-5)

fixture = selfcheck.load_fixture("fc_net_loss")
case = fixture["cases"]["batchnorm"]
model = FullyConnectedNet([6, 5], input_dim=3, num_classes=3, reg=0.7, dtype=np.float64,
                          normalization="batchnorm")
model.params = dict(case["params"])
loss, _ = model.loss(fixture["inputs"]["X"], fixture["inputs"]["y"])
selfcheck.check_close("loss with batchnorm (fixture)", loss, case["loss"], tol=1e-8)

# %% [markdown]
# ## Batch normalization in a deep network
#
# Train a six-layer network (five hidden layers of 100) on 500 digits, once with batch
# normalization and once without, with the same initial weights, learning rate and Adam.
# The network with batchnorm should learn much faster.

# %%
def train_net(normalization, weight_scale, batch_size=50, num_epochs=10,
              learning_rate=1e-3, hidden_dims=(100, 100, 100, 100, 100)):
    """A FullyConnectedNet trained with Adam on small_data; returns its Solver."""
    np.random.seed(0)
    model = FullyConnectedNet(list(hidden_dims), input_dim=input_dim,
                              weight_scale=weight_scale, normalization=normalization)
    solver = Solver(model, small_data, update_rule="adam",
                    optim_config={"learning_rate": learning_rate}, num_epochs=num_epochs,
                    batch_size=batch_size, verbose=False, seed=0)
    with np.errstate(all="ignore"):  # a run that explodes just ends badly
        solver.train()
    return solver


deep = {"baseline": train_net(None, 2e-2), "batchnorm": train_net("batchnorm", 2e-2)}
for label, solver in deep.items():
    print(f"{label:>9}: best validation accuracy {solver.best_val_acc:.3f}")
selfcheck.check_that("batchnorm trains the deep network better than the baseline",
                     deep["batchnorm"].best_val_acc > deep["baseline"].best_val_acc)
plot_training_history(deep)
plt.show()

# %% [markdown]
# ## Batch normalization and the initial weight scale
#
# The next experiment trains a deep network (six hidden layers of 50) with and without
# batchnorm for a range of initial weight scales, and plots how well each ends up.

# %%
weight_scales = np.logspace(-3, 0, num=8)
results = {"baseline": [], "batchnorm": []}
for weight_scale in weight_scales:
    for label, normalization in [("baseline", None), ("batchnorm", "batchnorm")]:
        solver = train_net(normalization, weight_scale, num_epochs=5, hidden_dims=[50] * 6)
        results[label].append((max(solver.train_acc_history), solver.best_val_acc,
                               np.mean(solver.loss_history[-10:])))

fig, axes = plt.subplots(3, 1, figsize=(10, 12))
titles = ["Best training accuracy", "Best validation accuracy", "Final training loss"]
for panel, (ax, title) in enumerate(zip(axes, titles, strict=True)):
    for label, rows in results.items():
        ax.semilogx(weight_scales, [row[panel] for row in rows], "-o", label=label)
    ax.set_title(f"{title} vs initial weight scale")
    ax.set_xlabel("weight_scale")
    ax.legend()
axes[2].set_ylim(0, 3.5)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Inline question 1
#
# Describe what this experiment shows. How does the initial weight scale affect the networks
# with and without batch normalization, and why? Answer in the cell below (double-click it
# to edit).

# %% [markdown] scratchnet={"answer": "bn.inline1"}
# **Your answer:**

# %% [markdown]
# ## Batch normalization and batch size
#
# Batchnorm estimates its statistics from the minibatch, so the batch size should matter.
# The experiment below trains the six-layer network with batchnorm at batch sizes 2, 4 and
# 50 (5 epochs each, so smaller batches take more steps), next to a network without
# normalization at batch size 2.

# %%
batch_sizes = [2, 4, 50]
lr = 10 ** -3.5


def batch_size_runs(normalization):
    runs = {"baseline, batch 2": train_net(None, 2e-2, batch_size=2, num_epochs=5,
                                           learning_rate=lr)}
    for batch_size in batch_sizes:
        runs[f"{normalization}, batch {batch_size}"] = train_net(
            normalization, 2e-2, batch_size=batch_size, num_epochs=5, learning_rate=lr)
    for label, solver in runs.items():
        print(f"{label:>20}: final training accuracy {solver.train_acc_history[-1]:.3f}, "
              f"validation accuracy {solver.val_acc_history[-1]:.3f}")
    return runs


bn_runs = batch_size_runs("batchnorm")
plot_training_history(bn_runs)
plt.show()

# %% [markdown]
# ### Inline question 2
#
# What does this experiment suggest about batch normalization and the batch size? Why does
# that relationship arise? Answer in the cell below.

# %% [markdown] scratchnet={"answer": "bn.inline2"}
# **Your answer:**

# %% [markdown]
# ## Layer normalization
#
# Layer normalization removes the dependence on the batch: each **example** is normalised
# over its own $D$ features, with its own mean and biased variance, and then scaled by
# $\gamma$ and shifted by $\beta$ of shape $(D,)$, exactly as before. Training and test time
# behave the same, and no running averages are kept. `ln_param` holds only `eps`.
#
# Write `layernorm_forward` and `layernorm_backward`. The backward pass is batchnorm's with
# the roles of the two axes exchanged for the statistics (but `dgamma` and `dbeta` are still
# summed over the batch). After layer normalization each **row** has mean $\beta$ and
# standard deviation $\gamma$ when $\gamma$ and $\beta$ are the same for every feature.

# %%
rng = np.random.default_rng(4)
N, D1, D2, D3 = 4, 50, 60, 3
X = rng.standard_normal((N, D1))
W1, W2 = rng.standard_normal((D1, D2)), rng.standard_normal((D2, D3))
a = np.maximum(0, X @ W1) @ W2
print_mean_std("Before layer normalization (per example):", a, axis=1)

gamma, beta = np.full(D3, 3.0), np.full(D3, 5.0)
a_norm, _ = layernorm_forward(a, gamma, beta, {})
print_mean_std("After, with gamma = 3 and beta = 5:", a_norm, axis=1)
selfcheck.check_close("example means are 5", a_norm.mean(axis=1), np.full(N, 5.0), tol=1e-6)
selfcheck.check_close("example stds are 3", a_norm.std(axis=1), np.full(N, 3.0), tol=1e-5)

fixture = selfcheck.load_fixture("layernorm_forward")
out, _ = layernorm_forward(fixture["inputs"]["x"], fixture["inputs"]["gamma"],
                           fixture["inputs"]["beta"], {})
selfcheck.check_close("layernorm_forward output (fixture)", out, fixture["expected"]["out"],
                      tol=1e-8)

# %%
rng = np.random.default_rng(5)
N, D = 4, 5
x = 5 * rng.standard_normal((N, D)) + 12
gamma = rng.standard_normal(D)
beta = rng.standard_normal(D)
dout = rng.standard_normal((N, D))

ln_param = {}
dx_num = eval_numerical_gradient_array(
    lambda x: layernorm_forward(x, gamma, beta, ln_param)[0], x, dout)
dgamma_num = eval_numerical_gradient_array(
    lambda g: layernorm_forward(x, g, beta, ln_param)[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(
    lambda b: layernorm_forward(x, gamma, b, ln_param)[0], beta.copy(), dout)

_, cache = layernorm_forward(x, gamma, beta, ln_param)
dx, dgamma, dbeta = layernorm_backward(dout, cache)
selfcheck.check_close("dx", dx, dx_num, tol=1e-7)
selfcheck.check_close("dgamma", dgamma, dgamma_num, tol=1e-7)
selfcheck.check_close("dbeta", dbeta, dbeta_num, tol=1e-7)

# %% [markdown]
# Now `normalization="layernorm"` in `FullyConnectedNet`: the same structure as batchnorm,
# with a layer-norm layer in place of the batchnorm layer.

# %%
rng = np.random.default_rng(6)
N, D, H1, H2, C = 10, 15, 20, 30, 10
X = rng.standard_normal((N, D))
y = rng.integers(C, size=N)
for reg in [0.0, 3.14]:
    print(f"reg = {reg}")
    np.random.seed(0)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg,
                              weight_scale=5e-2, dtype=np.float64, normalization="layernorm")
    selfcheck.check_model_gradients(model, X, y, tol=1e-5)

fixture = selfcheck.load_fixture("fc_net_loss")
case = fixture["cases"]["layernorm"]
model = FullyConnectedNet([6, 5], input_dim=3, num_classes=3, reg=0.7, dtype=np.float64,
                          normalization="layernorm")
model.params = dict(case["params"])
loss, _ = model.loss(fixture["inputs"]["X"], fixture["inputs"]["y"])
selfcheck.check_close("loss with layernorm (fixture)", loss, case["loss"], tol=1e-8)

# %% [markdown]
# ## Layer normalization and batch size
#
# The batch-size experiment again, with layer normalization. Compare with the batchnorm
# results above.

# %%
ln_runs = batch_size_runs("layernorm")
plot_training_history(ln_runs)
plt.show()

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only bn` for this notebook's questions).
#
# When you have finished **all** the notebooks, save each one (File > Save), then run the
# cell below (or `python ../collect_submission.py` in a terminal, from this folder). It
# writes `submission.zip` next to the notebooks and lists what it put in it, with warnings
# worth reading. Upload that zip.

# %%
selfcheck.collect_submission()
