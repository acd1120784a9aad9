# Source of starter_notebooks/TwoLayerNet.ipynb. Edit this file, not the notebook, then run
#     python starter_notebooks/build.py
# Format: "# %%" starts a code cell, "# %% [markdown]" a markdown cell (see build.py).
# ruff: noqa: E402

# %% [markdown]
# # A two-layer network, written in one piece
#
# In this notebook you write a complete neural network classifier by hand: the forward pass,
# the loss, the backward pass and a training loop, all in one class. The later notebooks
# split the same work into reusable layers; doing it once in one piece first shows what those
# layers have to do.
#
# **What you write**, in `assignment/classifiers/neural_net.py`, class `TwoLayerNet`:
#
# - `loss`: the class scores, the softmax loss with L2 regularisation, and the gradients;
# - `train`: drawing a minibatch and taking a stochastic gradient descent step;
# - `predict`: the predicted label of each example.
#
# The constructor and the bookkeeping of `train` are given. You write code only between the
# `START OF YOUR CODE` / `END OF YOUR CODE` lines, under the `TODO` comment that says what
# to do.
#
# **How you know you are right.** After each step a cell runs a self-check that prints one
# line per comparison, starting with `PASS` or `FAIL`, with the relative error and the bound
# it must stay under. Until you write a function, calling it stops the cell with a short
# message that names the function and the file.

# %% [markdown]
# ## Set-up
#
# Run the next two cells first, and again each time you restart the kernel. The first makes
# the folder above this one, which holds the `assignment` package, importable. The second
# reloads your `.py` files whenever you save them (no kernel restart needed) and imports what
# this notebook uses.

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
from assignment.classifiers.neural_net import TwoLayerNet
from assignment.data_utils import get_data, load_digits_data
from assignment.gradient_check import eval_numerical_gradient
from assignment.vis_utils import plot_training_history, visualize_grid

selfcheck.setup_notebook()

# %% [markdown]
# ## A toy problem
#
# Before real data, a network small enough to check by the numbers: 4 inputs, 10 hidden
# units, 3 classes, and 5 examples. The random seeds are fixed because the expected values
# below were computed from exactly these weights and inputs.
#
# The parameters live in the dict `net.params`. This class stores each weight matrix with one
# row per output unit: with input size $D$, hidden size $H$ and $C$ classes,
# `W1` is $(H, D)$, `b1` is $(H,)$, `W2` is $(C, H)$ and `b2` is $(C,)$.

# %%
np.random.seed(0)  # the weights: W1 is drawn first, then W2
net = TwoLayerNet(input_size=4, hidden_size=10, output_size=3, std=0.1)
np.random.seed(1)  # the inputs
X_toy = 10 * np.random.randn(5, 4)
y_toy = np.array([0, 1, 2, 2, 1])

for name, value in net.params.items():
    print(f"{name}: shape {value.shape}")

# %% [markdown]
# ## Forward pass: class scores
#
# For a minibatch `X` of shape $(N, D)$ the network computes
#
# $$h = \max(0,\ X W_1^\top + b_1) \quad (N, H), \qquad
#   s = h W_2^\top + b_2 \quad (N, C).$$
#
# The scores $s$ are the output of the second layer as they are: there is no ReLU after it.
# Write the first part of `TwoLayerNet.loss`, which returns the scores when it is called
# without labels. Keep the hidden activations in a variable: the backward pass needs them.
# No Python loops are needed.

# %%
scores = net.loss(X_toy)
print(scores)

correct_scores = np.array([
    [-1.07260209, 0.05083871, -0.87253915],
    [-2.02778743, -0.10832494, -1.52641362],
    [-0.74225908, 0.15259725, -0.39578548],
    [-0.38172726, 0.10835902, -0.17328274],
    [-0.64417314, -0.18886813, -0.41106892],
])
selfcheck.check_close("scores", scores, correct_scores, tol=1e-7)

# %% [markdown]
# ## The loss
#
# With labels, `loss` returns the average softmax cross-entropy over the minibatch plus an L2
# penalty on the two weight matrices (not the biases):
#
# $$L = \frac{1}{N}\sum_{i=1}^{N} -\log \frac{e^{s_{i, y_i}}}{\sum_j e^{s_{ij}}}
#       \;+\; \frac{\lambda}{2}\left(\lVert W_1\rVert^2 + \lVert W_2\rVert^2\right)$$
#
# where $\lambda$ is `reg`. Subtract each row's largest score before exponentiating: the
# softmax does not change, and `np.exp` can no longer overflow.

# %%
loss, _ = net.loss(X_toy, y_toy, reg=0.05)
print(f"loss: {loss}")
selfcheck.check_close("loss with reg=0.05", loss, 1.071696123862817, tol=1e-10)

# %% [markdown]
# ## Backward pass
#
# Now the gradients: `grads[name]` must have the shape of `net.params[name]`, and include the
# gradient of the regularisation term. A reliable way to test a gradient is to compare it
# with a **numeric gradient**: nudge one parameter entry by $\pm h$, recompute the loss, and
# take the centred difference $(L(w + h) - L(w - h)) / 2h$. `eval_numerical_gradient` does
# this for every entry. The two should agree to a relative error of about $10^{-8}$ or less.

# %%
loss, grads = net.loss(X_toy, y_toy, reg=0.05)
for name in sorted(grads):
    numeric = eval_numerical_gradient(
        lambda _: net.loss(X_toy, y_toy, reg=0.05)[0], net.params[name], verbose=False
    )
    selfcheck.check_close(f"gradient of {name}", grads[name], numeric, tol=1e-7)

# %% [markdown]
# ## Training with stochastic gradient descent
#
# Write the two missing parts of `train`: draw a minibatch of `batch_size` examples (with
# replacement, using the generator `rng` the method creates), and move every parameter a
# step of `learning_rate` against its gradient. Then write `predict`.
#
# On the toy data the network should drive its training loss close to zero and get all five
# labels right.

# %%
np.random.seed(0)
net = TwoLayerNet(input_size=4, hidden_size=10, output_size=3, std=0.1)
stats = net.train(X_toy, y_toy, X_toy, y_toy, learning_rate=0.1, reg=5e-6, num_iters=100,
                  seed=0)
final_loss = stats["loss_history"][-1]
print(f"final training loss: {final_loss:.4f}")
selfcheck.check_that("the training loss ends below 0.05", final_loss < 0.05,
                     "Check the minibatch sampling and the sign of the update.")
selfcheck.check_that("predict gets the 5 toy labels right", np.all(net.predict(X_toy) == y_toy),
                     "predict should return the index of the highest score of each row.")

plt.plot(stats["loss_history"])
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.title("Toy problem")
plt.show()

# %% [markdown]
# ## The digits
#
# Now real images: the handwritten digits that ship with scikit-learn, 1,797 greyscale
# images of 8 x 8 pixels in 10 classes, split into training, validation and test sets. They
# need no download. Pixels are scaled to 0..1 and the mean training image is subtracted.
# This network takes each example as a row, so each image becomes a vector of 64 values.

# %%
data = get_data("digits")
X_train = data["X_train"].reshape(len(data["X_train"]), -1)
X_val = data["X_val"].reshape(len(data["X_val"]), -1)
X_test = data["X_test"].reshape(len(data["X_test"]), -1)
y_train, y_val, y_test = data["y_train"], data["y_val"], data["y_test"]
for name, value in [("X_train", X_train), ("X_val", X_val), ("X_test", X_test)]:
    print(f"{name}: {value.shape}")

# %%
# A few training images of each class, before the mean image was subtracted.
raw = load_digits_data(subtract_mean=False)
fig, axes = plt.subplots(4, 10, figsize=(10, 4))
for digit in range(10):
    examples = raw["X_train"][raw["y_train"] == digit][:4]
    for row, image in enumerate(examples):
        axes[row, digit].imshow(image[0])
        axes[row, digit].axis("off")
    axes[0, digit].set_title(str(digit))
plt.show()

# %% [markdown]
# ## A first attempt
#
# Here is a first run with the constructor's default initial weights (`std=1e-4`), a learning
# rate of 0.1 that is multiplied by 0.95 after every epoch, and 1,000 iterations on
# minibatches of 200. Ten classes means that guessing gets 10% right.

# %%
input_size, hidden_size, num_classes = 64, 50, 10

np.random.seed(0)
first_net = TwoLayerNet(input_size, hidden_size, num_classes)
first_stats = first_net.train(X_train, y_train, X_val, y_val, learning_rate=0.1,
                              learning_rate_decay=0.95, reg=1e-4, num_iters=1000,
                              batch_size=200, seed=0)
first_val = np.mean(first_net.predict(X_val) == y_val)
print(f"validation accuracy: {first_val:.3f}")

# %% [markdown]
# ## What went wrong?
#
# The loss history and the accuracy per epoch tell you whether the network learns at all,
# and the first-layer weights, drawn as 8 x 8 images (one per hidden unit), show what it
# looks for.

# %%
plot_training_history(first_stats)
plt.show()


# %%
def show_weights(net, title):
    """Draw each hidden unit's 64 input weights as an 8 x 8 image."""
    W1 = net.params["W1"].reshape(-1, 8, 8, 1)
    plt.imshow(visualize_grid(W1, padding=1)[:, :, 0])
    plt.title(title)
    plt.axis("off")
    plt.show()


show_weights(first_net, "first attempt")

# %% [markdown]
# The loss stays near $\log 10 \approx 2.30$, the loss of a uniform guess, and the weights
# look like noise: this network has hardly learned anything. Two things are worth trying:
#
# - **larger initial weights** (`std`): with tiny weights the scores, and with them the
#   gradients that reach `W1`, are tiny too;
# - **a learning rate that stays large for longer**: with 1,197 training images and
#   minibatches of 200, an epoch is only 5 iterations, so a decay of 0.95 per epoch shrinks
#   the learning rate to almost nothing long before the 1,000th iteration.
#
# ## Tune the hyperparameters
#
# Find settings that reach **at least 90% validation accuracy** with `hidden_size = 50`. The
# cell below searches a small grid and keeps the best network in `best_net`; extend it (the
# initial `std`, `reg`, `num_iters`, `batch_size`) and see what matters most.

# %%
best_net, best_val = None, 0.0
for learning_rate in [0.1, 0.3, 1.0]:
    for learning_rate_decay in [0.95, 0.99]:
        np.random.seed(0)
        candidate = TwoLayerNet(input_size, hidden_size, num_classes, std=0.1)
        candidate.train(X_train, y_train, X_val, y_val, learning_rate=learning_rate,
                        learning_rate_decay=learning_rate_decay, reg=1e-4, num_iters=1000,
                        batch_size=200, seed=0)
        val = np.mean(candidate.predict(X_val) == y_val)
        print(f"learning_rate {learning_rate:<4}  decay {learning_rate_decay}:  "
              f"validation accuracy {val:.3f}")
        if val > best_val:
            best_net, best_val = candidate, val

selfcheck.check_that(f"the best validation accuracy, {best_val:.3f}, reaches 0.90",
                     best_val >= 0.9, "Widen the search.")

# %%
show_weights(best_net, "best network")

# %% [markdown]
# The weights of a network that learned show strokes and blobs: parts of digits that each
# hidden unit responds to.
#
# ## Test accuracy
#
# The test set plays no part in choosing hyperparameters; look at it once, at the end.

# %%
test_acc = np.mean(best_net.predict(X_test) == y_test)
print(f"test accuracy: {test_acc:.3f}")

# %% [markdown]
# ## Hand in
#
# Before you hand in, check your whole package the way the grader will: the grader's own
# kinds of cases, feedback and hints, on public inputs. In a terminal, from the folder that
# holds `assignment/`, run `python -m assignment.selfcheck` (or `python -m
# assignment.selfcheck --only twolayer` for this notebook's questions).
#
# When you have finished **all** the notebooks, save each one (File > Save), then run the
# cell below (or `python ../collect_submission.py` in a terminal, from this folder). It
# writes `submission.zip` next to the notebooks and lists what it put in it, with warnings
# worth reading. Upload that zip.

# %%
selfcheck.collect_submission()
