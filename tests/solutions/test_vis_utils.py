"""Image grid layout and scaling; the training-history plot builds a figure from any run."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from solutions.vis_utils import plot_training_history, visualize_grid


@pytest.fixture(autouse=True)
def agg_backend():
    """Draw off-screen, and close what each test opened."""
    previous = plt.get_backend()
    plt.switch_backend("Agg")
    yield
    plt.close("all")
    plt.switch_backend(previous)


@pytest.mark.parametrize(
    "N, H, W, C, padding, expected_shape",
    [
        (5, 8, 8, 1, 1, (26, 26, 1)),  # 3x3 grid of 8x8 with 2 gaps of 1
        (4, 7, 5, 3, 2, (16, 12, 3)),  # 2x2 grid, non-square images
        (1, 4, 4, 3, 1, (4, 4, 3)),
        (10, 3, 3, 2, 0, (12, 12, 2)),  # 4x4 grid, no padding
    ],
)
def test_visualize_grid_shape(N, H, W, C, padding, expected_shape):
    Xs = np.random.default_rng(0).standard_normal((N, H, W, C))
    assert visualize_grid(Xs, padding=padding).shape == expected_shape


def test_visualize_grid_rescales_each_image_to_the_full_range_in_row_order():
    rng = np.random.default_rng(0)
    Xs = rng.standard_normal((5, 4, 4, 3)) * np.arange(1, 6)[:, None, None, None] + 7
    grid = visualize_grid(Xs, ubound=1.0, padding=1)
    # Image i sits at grid row i // 3, column i % 3, each cell 4 pixels plus 1 of padding.
    for i in range(5):
        r, c = divmod(i, 3)
        tile = grid[5 * r : 5 * r + 4, 5 * c : 5 * c + 4]
        img = Xs[i]
        np.testing.assert_allclose(tile, (img - img.min()) / (img.max() - img.min()))
    assert grid.min() == 0.0 and grid.max() == 1.0
    np.testing.assert_array_equal(grid[4, :], 0)  # padding row
    np.testing.assert_array_equal(grid[:, 9], 0)  # padding column
    np.testing.assert_array_equal(grid[10:, 5:], 0)  # the unused cells after image 4


def test_visualize_grid_default_range_is_0_to_255_and_constant_images_are_black():
    Xs = np.stack([np.linspace(-1, 1, 12).reshape(2, 2, 3), np.full((2, 2, 3), 3.0)])
    grid = visualize_grid(Xs)
    assert np.isfinite(grid).all()
    assert grid[:2, :2].max() == 255.0
    np.testing.assert_array_equal(grid[:2, 3:5], 0)


def _run(num_iterations, num_epochs, offset=0.0):
    return {
        "loss_history": list(np.linspace(2.3, 1.0, num_iterations) + offset),
        "train_acc_history": list(np.linspace(0.1, 0.9, num_epochs + 1)),
        "val_acc_history": list(np.linspace(0.1, 0.7, num_epochs + 1)),
    }


def test_plot_training_history_of_a_solver_plots_loss_and_both_accuracies():
    solver = SimpleNamespace(**_run(30, 3))
    fig = plot_training_history(solver)
    assert isinstance(fig, Figure)
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 1 and len(ax_loss.lines[0].get_ydata()) == 30
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), solver.loss_history)
    assert [line.get_label() for line in ax_acc.lines] == ["train", "val"]
    np.testing.assert_allclose(ax_acc.lines[1].get_ydata(), solver.val_acc_history)


def test_plot_training_history_accepts_a_history_dict_and_a_dict_of_runs():
    fig = plot_training_history(_run(10, 2))
    assert len(fig.axes[1].lines) == 2

    fig = plot_training_history({"sgd": _run(20, 2), "adam": SimpleNamespace(**_run(20, 2, -0.5))})
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 2
    assert [line.get_label() for line in ax_acc.lines] == [
        "sgd train",
        "sgd val",
        "adam train",
        "adam val",
    ]
    fig.canvas.draw()  # renders without error on Agg
