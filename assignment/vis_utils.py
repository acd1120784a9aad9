# Students: this file is given code; you do not need to change it.
"""Pictures for the notebooks: a grid of images (filters, inputs) and a model's training curves."""

import math

import numpy as np


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile images into one square grid image, each rescaled to fill [0, ubound].

    Inputs:
    - Xs: images, shape (N, H, W, C)
    - ubound: each image is scaled linearly so its minimum is 0 and its maximum ubound; an image
      with a single value becomes all zeros
    - padding: number of blank (zero) pixels between neighbouring images

    Returns the grid, shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C) with
    G = ceil(sqrt(N)); images fill it row by row and unused cells stay zero.
    """
    N, H, W, C = Xs.shape
    grid_size = math.ceil(math.sqrt(N))
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))
    for i in range(N):
        row, col = divmod(i, grid_size)
        y0 = row * (H + padding)
        x0 = col * (W + padding)
        img = Xs[i]
        low, high = np.min(img), np.max(img)
        if high > low:
            grid[y0:y0 + H, x0:x0 + W] = ubound * (img - low) / (high - low)
    return grid


def _histories(run):
    """(loss, train accuracy, validation accuracy) of a Solver or a dict of histories."""
    if isinstance(run, dict):
        return run["loss_history"], run["train_acc_history"], run["val_acc_history"]
    return run.loss_history, run.train_acc_history, run.val_acc_history


def plot_training_history(solver_or_histories):
    """Plot the training loss per iteration and the train/validation accuracy per epoch.

    Inputs:
    - solver_or_histories: one run, or a dict {label: run} of runs to compare. A run is a Solver
      (or anything with ``loss_history``, ``train_acc_history`` and ``val_acc_history``) or a
      dict with those three keys, like the one ``neural_net.TwoLayerNet.train`` returns.

    Returns the matplotlib Figure (two panels: loss on top, accuracies below; training accuracy
    solid, validation dashed). It is drawn with pyplot, so a notebook shows it without
    ``plt.show()``.
    """
    import matplotlib.pyplot as plt

    single = not isinstance(solver_or_histories, dict) or "loss_history" in solver_or_histories
    runs = {"": solver_or_histories} if single else solver_or_histories

    fig, (ax_loss, ax_acc) = plt.subplots(2, 1, figsize=(10, 8))
    for label, run in runs.items():
        loss, train_acc, val_acc = _histories(run)
        prefix = f"{label} " if label else ""
        ax_loss.plot(loss, "o", markersize=3, label=label or None)
        line, = ax_acc.plot(train_acc, "-o", label=f"{prefix}train")
        ax_acc.plot(val_acc, "--o", color=line.get_color(), label=f"{prefix}val")

    ax_loss.set_title("Training loss")
    ax_loss.set_xlabel("Iteration")
    ax_loss.set_ylabel("Loss")
    if not single:
        ax_loss.legend()
    ax_acc.set_title("Accuracy")
    ax_acc.set_xlabel("Epoch")
    ax_acc.set_ylabel("Accuracy")
    ax_acc.legend()
    fig.tight_layout()
    return fig
