"""Tests for solutions/classifiers/cnn.py: ThreeLayerConvNet and FourLayerConvNet.

Gradients are checked against centred differences of each model's own loss on tiny inputs;
training runs use the embedded digits data (8x8 grey images).
"""

import numpy as np
import pytest

from solutions.classifiers.cnn import FourLayerConvNet, ThreeLayerConvNet
from solutions.gradient_check import eval_numerical_gradient, rel_error
from solutions.layers import conv_forward_naive, max_pool_forward_naive

MODELS = [ThreeLayerConvNet, FourLayerConvNet]


def expected_shapes(model_class, C, H, W, F, size, M, K):
    shapes = {
        "W1": (F, C, size, size),
        "b1": (F,),
        "W2": (F * (H // 2) * (W // 2), M),
        "b2": (M,),
    }
    if model_class is ThreeLayerConvNet:
        shapes.update({"W3": (M, K), "b3": (K,)})
    else:
        shapes.update({"W3": (M, M), "b3": (M,), "W4": (M, K), "b4": (K,)})
    return shapes


@pytest.mark.parametrize("model_class", MODELS)
def test_init_shapes_scales_and_dtype(model_class):
    np.random.seed(0)
    std = 1e-2
    model = model_class(
        input_dim=(3, 8, 10),
        num_filters=6,
        filter_size=5,
        hidden_dim=40,
        num_classes=7,
        weight_scale=std,
    )
    shapes = {name: value.shape for name, value in model.params.items()}
    assert shapes == expected_shapes(model_class, 3, 8, 10, 6, 5, 40, 7)
    for name, value in model.params.items():
        assert value.dtype == np.float32, name
        if name.startswith("W"):
            assert abs(value.std() - std) < std / 5, name
        else:
            assert np.all(value == 0), name


@pytest.mark.parametrize("model_class", MODELS)
def test_scores_have_one_row_per_example_and_one_column_per_class(model_class):
    np.random.seed(0)
    model = model_class(
        input_dim=(2, 8, 8), num_filters=4, filter_size=3, hidden_dim=10, num_classes=5
    )
    X = np.random.default_rng(0).standard_normal((3, 2, 8, 8))
    scores = model.loss(X)
    assert scores.shape == (3, 5)
    assert scores.dtype == np.float32


@pytest.mark.parametrize("model_class", MODELS)
def test_scores_follow_the_architecture(model_class):
    # conv - relu - pool - (affine - relu) x 1 or 2 - affine, rebuilt from the naive layers.
    np.random.seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 2, 6, 6))
    model = model_class(
        input_dim=(2, 6, 6),
        num_filters=4,
        filter_size=5,
        hidden_dim=9,
        weight_scale=1e-1,
        dtype=np.float64,
    )
    for name, value in model.params.items():
        if name.startswith("b"):
            model.params[name] = rng.standard_normal(value.shape)
    p = model.params
    conv, _ = conv_forward_naive(X, p["W1"], p["b1"], {"stride": 1, "pad": 2})
    out, _ = max_pool_forward_naive(
        np.maximum(0, conv), {"pool_height": 2, "pool_width": 2, "stride": 2}
    )
    out = out.reshape(3, -1)
    num_layers = len(p) // 2
    for layer in range(2, num_layers):
        out = np.maximum(0, out @ p[f"W{layer}"] + p[f"b{layer}"])
    expected = out @ p[f"W{num_layers}"] + p[f"b{num_layers}"]
    assert np.allclose(model.loss(X), expected)


@pytest.mark.parametrize("model_class", MODELS)
def test_initial_loss_is_about_log_num_classes_and_regularization_raises_it(model_class):
    np.random.seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3, 16, 16))
    y = rng.integers(10, size=50)
    model = model_class(input_dim=(3, 16, 16))
    loss, _ = model.loss(X, y)
    assert loss == pytest.approx(np.log(10), abs=0.01)
    model.reg = 0.5
    squared = sum(
        np.sum(value.astype(np.float64) ** 2)
        for name, value in model.params.items()
        if name.startswith("W")
    )
    loss_with_reg, _ = model.loss(X, y)
    assert loss_with_reg - loss == pytest.approx(0.5 * 0.5 * squared, rel=1e-4)


@pytest.mark.parametrize("reg", [0.0, 0.5])
@pytest.mark.parametrize("model_class", MODELS)
def test_gradients_match_numeric_gradients(model_class, reg):
    np.random.seed(231)
    rng = np.random.default_rng(231)
    input_dim = (2, 6, 6)
    X = rng.standard_normal((2, *input_dim))
    y = rng.integers(10, size=2)
    model = model_class(
        input_dim=input_dim,
        num_filters=3,
        filter_size=3,
        hidden_dim=7,
        weight_scale=1e-1,
        reg=reg,
        dtype=np.float64,
    )
    _, grads = model.loss(X, y)
    assert sorted(grads) == sorted(model.params)
    for name, param in model.params.items():
        assert grads[name].shape == param.shape, name
        grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param, verbose=False)
        # Small gradient entries carry large relative noise (the notebooks accept up to 1e-2
        # for conv nets); a gradient of exactly zero can only be compared absolutely.
        close = np.max(np.abs(grad_num - grads[name])) < 1e-9
        assert close or rel_error(grad_num, grads[name]) < 1e-5, name


@pytest.mark.parametrize("model_class", MODELS)
def test_overfits_fifty_digits(model_class):
    # Both nets reach 1.0 training accuracy for all of seeds 0-9 with these settings.
    from solutions.data_utils import load_digits_data
    from solutions.solver import Solver

    data = load_digits_data()
    small_data = {
        "X_train": data["X_train"][:50],
        "y_train": data["y_train"][:50],
        "X_val": data["X_val"][:100],
        "y_val": data["y_val"][:100],
    }
    np.random.seed(0)
    model = model_class(
        input_dim=(1, 8, 8), num_filters=8, filter_size=3, hidden_dim=50, weight_scale=0.2
    )
    solver = Solver(
        model,
        small_data,
        num_epochs=30,
        batch_size=25,
        update_rule="adam",
        lr_decay=0.95,
        optim_config={"learning_rate": 1e-2},
        verbose=False,
        seed=0,
    )
    solver.train()
    assert solver.train_acc_history[-1] == 1.0
