# Source of starter_notebooks/Dropout.ipynb. Edit this file, not the notebook, then run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # Dropout
#
# Dropout (Hinton et al., 2012; Srivastava et al., 2014) regularises a network by switching
# off a random subset of its units at every training step, so that no unit can rely on any
# particular other unit being present. At test time every unit is used.
#
# In this assignment the dropout parameter `p` is the probability of **keeping** a unit. We
# use **inverted dropout**: at training time the kept units are multiplied by $1/p$, so the
# expected value of every output equals its input and the test-time layer is simply the
# identity.
#
# **What you write**, in `assignment/layers.py`: `dropout_forward` and `dropout_backward`;
# in `assignment/classifiers/fc_net.py`, the `dropout` option of `FullyConnectedNet`.
# Self-checks print lines starting with `PASS` or `FAIL`.

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

import matplotlib.pyplot as plt
import numpy as np

from assignment import selfcheck
from assignment.classifiers.fc_net import FullyConnectedNet
from assignment.data_utils import get_data
from assignment.gradient_check import eval_numerical_gradient_array
from assignment.layers import dropout_backward, dropout_forward
from assignment.solver import Solver
from assignment.vis_utils import plot_training_history

selfcheck.setup_notebook()

data = get_data("digits")
input_dim = int(np.prod(data["X_train"].shape[1:]))

# %% [markdown]
# ## Dropout: forward
#
# `dropout_forward(x, dropout_param)` takes an input of any shape and a dict with
#
# - `p`: the probability of keeping each unit, $0 < p \le 1$;
# - `mode`: `"train"` or `"test"`;
# - `seed` (optional): the seed of the random generator that draws the mask. With a seed,
#   every call draws the same mask, which is what a gradient check needs.
#
# At training time, draw a **mask** with the generator `rng` the function creates: each
# entry is $1/p$ with probability $p$ and $0$ otherwise; the output is `x * mask`. Keep the
# mask in the cache for the backward pass. At test time the output is `x` itself.
#
# The check uses a large input with mean 10: at training time about a fraction $p$ of the
# outputs should survive, each scaled to $x / p$, and the mean should stay close to 10.

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((500, 500)) + 10

for p in [0.25, 0.4, 0.7]:
    out, _ = dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
    kept = out != 0
    print(f"p = {p}: mean of input {x.mean():.4f}, of training output {out.mean():.4f}, "
          f"of test output {out_test.mean():.4f}; fraction kept {kept.mean():.4f}")
    selfcheck.check_that(f"p = {p}: the fraction of units kept is within 0.01 of p",
                         abs(kept.mean() - p) < 0.01, "p is the probability of KEEPING a unit.")
    selfcheck.check_that(f"p = {p}: kept units are scaled by 1/p",
                         np.allclose(out[kept], x[kept] / p))
    selfcheck.check_close(f"p = {p}: the training-time mean equals the input mean", out.mean(),
                          x.mean(), tol=1e-2)
    selfcheck.check_that(f"p = {p}: test mode returns the input unchanged",
                         np.array_equal(out_test, x))

# %% [markdown]
# ## Dropout: backward
#
# The gradient flows only through the units that were kept, scaled like them: at training
# time `dx` is `dout` times the forward pass's mask; at test time it is `dout`. The numeric
# check works because the fixed `seed` makes every forward pass draw the same mask.

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal((10, 10)) + 10
dout = rng.standard_normal(x.shape)

dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
out, cache = dropout_forward(x, dropout_param)
dx = dropout_backward(dout, cache)
dx_num = eval_numerical_gradient_array(
    lambda xx: dropout_forward(xx, dropout_param)[0], x, dout)
selfcheck.check_close("dx in training mode", dx, dx_num, tol=1e-8)

test_param = {"mode": "test", "p": 0.2}
_, cache = dropout_forward(x, test_param)
selfcheck.check_close("dx in test mode", dropout_backward(dout, cache), dout, tol=1e-12)

# %% [markdown]
# ### Inline question 1
#
# Suppose the layer did **not** divide the kept values by $p$ at training time (and test
# mode stayed the identity). What would go wrong, and why? Answer in the cell below
# (double-click it to edit).

# %% [markdown] scratchnet={"answer": "dropout.inline1"}
# **Your answer:**

# %% [markdown]
# ## Fully-connected networks with dropout
#
# Add the `dropout` option to `FullyConnectedNet`: when it is not 1, a dropout layer follows
# every ReLU (not the output layer). All dropout layers share the dict `self.dropout_param`,
# whose mode the network sets from whether it got labels, and which carries the `seed` given
# to the constructor. The gradient check below uses a fixed seed for that reason. Expect
# errors of about $10^{-6}$ or less.

# %%
rng = np.random.default_rng(2)
N, D, H1, H2, C = 2, 15, 20, 30, 10
X = rng.standard_normal((N, D))
y = rng.integers(C, size=N)

for dropout in [1, 0.75, 0.5]:
    print(f"dropout = {dropout}")
    np.random.seed(0)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2,
                              dtype=np.float64, dropout=dropout, seed=123)
    selfcheck.check_model_gradients(model, X, y, tol=1e-5)

# Without labels the network runs in test mode: dropout must then change nothing.
model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, dropout=0.5, dtype=np.float64)
plain = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, dtype=np.float64)
plain.params = model.params
selfcheck.check_close("test-mode scores equal those of the same network without dropout",
                      model.loss(X), plain.loss(X), tol=1e-12)

# %% [markdown]
# ## Dropout as a regulariser
#
# A network with far more parameters than training examples memorises them: training
# accuracy reaches 100% while validation accuracy lags behind. The experiment trains the
# same two-hidden-layer network (500 units each) on only 100 digits with keep probabilities
# 1 (no dropout), 0.5 and 0.25, and compares training and validation accuracy per epoch.
# On this small, clean dataset the differences are modest: look at the gap between the
# solid (training) and dashed (validation) curves as well as at their height.

# %%
num_train = 100
small_data = {
    "X_train": data["X_train"][:num_train],
    "y_train": data["y_train"][:num_train],
    "X_val": data["X_val"],
    "y_val": data["y_val"],
}
solvers = {}
for dropout in [1, 0.5, 0.25]:
    np.random.seed(0)
    model = FullyConnectedNet([500, 500], input_dim=input_dim, weight_scale=0.1,
                              dropout=dropout)
    solver = Solver(model, small_data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    num_epochs=50, batch_size=50, verbose=False, seed=0)
    solver.train()
    solvers[f"keep {dropout}"] = solver
    print(f"keep probability {dropout}: last 5 epochs, training accuracy "
          f"{np.mean(solver.train_acc_history[-5:]):.3f}, validation accuracy "
          f"{np.mean(solver.val_acc_history[-5:]):.3f}")

plot_training_history(solvers)
plt.show()

# %% [markdown]
# ### Inline question 2
#
# Compare the training and validation accuracies with and without dropout. What do your
# results suggest about dropout as a regulariser, and what would you expect on a larger,
# harder dataset? Answer in the cell below.

# %% [markdown] scratchnet={"answer": "dropout.inline2"}
# **Your answer:**

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only dropout` for this notebook's questions).
#
# When you have finished **all** the notebooks, save each one (File > Save), then run the
# cell below (or `python ../collect_submission.py` in a terminal, from this folder). It
# writes `submission.zip` next to the notebooks and lists what it put in it, with warnings
# worth reading. Upload that zip.

# %%
selfcheck.collect_submission()
