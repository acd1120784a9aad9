"""Tests for solutions/layer_utils.py: the sandwich layers.

Forward outputs are compared with the parts run one after another (the naive conv and pool for
the conv sandwiches), backward passes with centred differences of the sandwich's own forward.
"""

import numpy as np
import pytest

from solutions import layer_utils as lu
from solutions.gradient_check import eval_numerical_gradient_array, rel_error
from solutions.layers import (
    batchnorm_forward,
    conv_forward_naive,
    layernorm_forward,
    max_pool_forward_naive,
    spatial_batchnorm_forward,
)

CONV_PARAM = {"stride": 1, "pad": 1}
POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}


def numeric_gradients(forward, args, dout):
    """Numeric gradient of sum(forward(*args)[0] * dout) for each array in args."""
    grads = []
    for i, arg in enumerate(args):

        def f(value, i=i):
            return forward(*args[:i], value, *args[i + 1 :])[0]

        grads.append(eval_numerical_gradient_array(f, arg, dout))
    return grads


def assert_backward_matches_numeric(forward, backward, arrays, params, tol):
    """Run forward(*arrays, *params), backward on a random dout, and compare each gradient."""
    rng = np.random.default_rng(7)
    out, cache = forward(*arrays, *params)
    dout = rng.standard_normal(out.shape)
    analytic = backward(dout, cache)
    assert len(analytic) == len(arrays)
    numeric = numeric_gradients(lambda *a: forward(*a, *params), list(arrays), dout)
    for index, (grad, grad_num, array) in enumerate(zip(analytic, numeric, arrays, strict=True)):
        assert grad.shape == array.shape, index
        # A gradient that is exactly zero (a bias feeding batchnorm) is compared absolutely.
        close = np.max(np.abs(grad_num - grad)) < 1e-8
        assert close or rel_error(grad_num, grad) < tol, index


@pytest.fixture
def rng():
    return np.random.default_rng(231)


# ---------------------------------------------------------------------------- affine sandwiches


def test_affine_relu_forward_is_relu_of_the_affine_map(rng):
    x = rng.standard_normal((4, 3, 2))
    w = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    out, _ = lu.affine_relu_forward(x, w, b)
    assert np.allclose(out, np.maximum(0, x.reshape(4, 6) @ w + b))


def test_affine_relu_backward_matches_numeric_gradients(rng):
    x = rng.standard_normal((4, 3, 2))
    w = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    assert_backward_matches_numeric(
        lu.affine_relu_forward, lu.affine_relu_backward, [x, w, b], [], tol=1e-8
    )


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_affine_norm_relu_forward_composes_its_parts(rng, normalization):
    x = rng.standard_normal((6, 4))
    w = rng.standard_normal((4, 5))
    b = rng.standard_normal(5)
    gamma = rng.standard_normal(5)
    beta = rng.standard_normal(5)
    norm_forward = batchnorm_forward if normalization == "batchnorm" else layernorm_forward
    expected, _ = norm_forward(x @ w + b, gamma, beta, {"mode": "train"})
    out, _ = lu.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, normalization)
    assert np.allclose(out, np.maximum(0, expected))


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_affine_norm_relu_backward_matches_numeric_gradients(rng, normalization):
    x = rng.standard_normal((6, 4))
    w = rng.standard_normal((4, 5))
    b = rng.standard_normal(5)
    gamma = 1 + 0.1 * rng.standard_normal(5)
    beta = 0.1 * rng.standard_normal(5)

    def forward(x, w, b, gamma, beta):
        return lu.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, normalization)

    assert_backward_matches_numeric(
        forward, lu.affine_norm_relu_backward, [x, w, b, gamma, beta], [], tol=1e-6
    )


def test_affine_batchnorm_relu_writes_running_stats_into_its_bn_param(rng):
    x = rng.standard_normal((6, 4))
    bn_param = {"mode": "train"}
    lu.affine_norm_relu_forward(
        x,
        rng.standard_normal((4, 5)),
        np.zeros(5),
        np.ones(5),
        np.zeros(5),
        bn_param,
        "batchnorm",
    )
    assert bn_param["running_mean"].shape == (5,)
    assert not np.allclose(bn_param["running_mean"], 0)


def test_affine_norm_relu_rejects_an_unknown_normalization(rng):
    with pytest.raises(ValueError):
        lu.affine_norm_relu_forward(
            rng.standard_normal((2, 3)),
            np.ones((3, 4)),
            np.zeros(4),
            np.ones(4),
            np.zeros(4),
            {"mode": "train"},
            "groupnorm",
        )


# ------------------------------------------------------------------------------ conv sandwiches


def conv_inputs(rng, N=2, C=3, H=6, W=6, F=4, size=3):
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, size, size))
    b = rng.standard_normal(F)
    return x, w, b


def test_conv_relu_forward_is_relu_of_the_naive_conv(rng):
    x, w, b = conv_inputs(rng)
    out, _ = lu.conv_relu_forward(x, w, b, CONV_PARAM)
    expected, _ = conv_forward_naive(x, w, b, CONV_PARAM)
    assert np.allclose(out, np.maximum(0, expected))


def test_conv_relu_backward_matches_numeric_gradients(rng):
    x, w, b = conv_inputs(rng)
    assert_backward_matches_numeric(
        lu.conv_relu_forward, lu.conv_relu_backward, [x, w, b], [CONV_PARAM], tol=1e-7
    )


def test_conv_relu_pool_forward_is_the_naive_layers_in_sequence(rng):
    x, w, b = conv_inputs(rng)
    out, _ = lu.conv_relu_pool_forward(x, w, b, CONV_PARAM, POOL_PARAM)
    conv, _ = conv_forward_naive(x, w, b, CONV_PARAM)
    expected, _ = max_pool_forward_naive(np.maximum(0, conv), POOL_PARAM)
    assert out.shape == (2, 4, 3, 3)
    assert np.allclose(out, expected)


def test_conv_relu_pool_backward_matches_numeric_gradients(rng):
    x, w, b = conv_inputs(rng)
    assert_backward_matches_numeric(
        lu.conv_relu_pool_forward,
        lu.conv_relu_pool_backward,
        [x, w, b],
        [CONV_PARAM, POOL_PARAM],
        tol=1e-7,
    )


def test_conv_bn_relu_forward_composes_its_parts(rng):
    x, w, b = conv_inputs(rng)
    gamma = rng.standard_normal(4)
    beta = rng.standard_normal(4)
    conv, _ = conv_forward_naive(x, w, b, CONV_PARAM)
    expected, _ = spatial_batchnorm_forward(conv, gamma, beta, {"mode": "train"})
    out, _ = lu.conv_bn_relu_forward(x, w, b, gamma, beta, CONV_PARAM, {"mode": "train"})
    assert np.allclose(out, np.maximum(0, expected))


def test_conv_bn_relu_backward_matches_numeric_gradients(rng):
    x, w, b = conv_inputs(rng)
    gamma = 1 + 0.1 * rng.standard_normal(4)
    beta = 0.1 * rng.standard_normal(4)

    def forward(x, w, b, gamma, beta):
        return lu.conv_bn_relu_forward(x, w, b, gamma, beta, CONV_PARAM, {"mode": "train"})

    _, cache = forward(x, w, b, gamma, beta)
    dout = np.random.default_rng(7).standard_normal((2, 4, 6, 6))
    dx, dw, db, dgamma, dbeta = lu.conv_bn_relu_backward(dout, cache)
    dx_num, dw_num, db_num, dgamma_num, dbeta_num = numeric_gradients(
        forward, [x, w, b, gamma, beta], dout
    )
    assert rel_error(dx_num, dx) < 1e-6
    assert rel_error(dw_num, dw) < 1e-6
    assert rel_error(dgamma_num, dgamma) < 1e-6
    assert rel_error(dbeta_num, dbeta) < 1e-6
    # The conv bias feeds batchnorm, which removes any per-channel shift: its gradient is zero.
    assert np.allclose(db, 0, atol=1e-10) and np.allclose(db_num, 0, atol=1e-8)
