"""Tests for solutions/layers.py.

Oracles: the outputs the course notebooks publish (reproduced with the notebooks' own inputs),
centred-difference numeric gradients, scipy's correlate for the convolution, and properties a
correct layer must have (dropout statistics, per-example normalisation, no input mutation).
"""

import copy

import numpy as np
import pytest

from solutions.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from solutions.layers import (
    affine_backward,
    affine_forward,
    avg_pool_backward_naive,
    avg_pool_forward_naive,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    conv_backward_naive,
    conv_forward_naive,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    max_pool_backward_naive,
    max_pool_forward_naive,
    relu_backward,
    relu_forward,
    softmax_loss,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
    svm_loss,
)


def numeric_grads(forward, inputs, dout):
    """Numeric gradients of sum(forward(*inputs) * dout) with respect to every input."""
    grads = []
    for k, value in enumerate(inputs):

        def f(v, k=k):
            args = list(inputs)
            args[k] = v
            return forward(*args)

        grads.append(eval_numerical_gradient_array(f, value.copy(), dout))
    return grads


def assert_gradients_match(analytic, numeric, tols):
    """Compare each analytic gradient with its numeric one; ``tols``: one tolerance or one each.

    The maximum relative error is dominated by entries near zero, where the centred
    difference is noisiest, so tolerances sit about 10x above the error measured on these
    inputs; the bugs these checks exist for give errors of 1e-3 to 1.
    """
    tols = np.broadcast_to(tols, len(numeric))
    for k, (a, n, tol) in enumerate(zip(analytic, numeric, tols, strict=True)):
        assert a.shape == n.shape, f"gradient {k}: shape {a.shape}, expected {n.shape}"
        assert rel_error(a, n) < tol, f"gradient {k}: relative error {rel_error(a, n):.2e}"


# ---------------------------------------------------------------------------------------------
# Published outputs (FullyConnectedNets / BatchNormalization / ConvolutionalNetworks notebooks)
# ---------------------------------------------------------------------------------------------


def test_affine_forward_matches_published_output():
    input_shape, num_inputs, output_dim = (4, 5, 6), 2, 3
    D = int(np.prod(input_shape))
    x = np.linspace(-0.1, 0.5, num=num_inputs * D).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=output_dim * D).reshape(D, output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    correct_out = np.array(
        [[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]]
    )
    out, _ = affine_forward(x, w, b)
    assert out.shape == (2, 3)
    assert rel_error(out, correct_out) < 1e-8


def test_relu_forward_matches_published_output():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    correct_out = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.04545455, 0.13636364],
            [0.22727273, 0.31818182, 0.40909091, 0.5],
        ]
    )
    out, _ = relu_forward(x)
    assert rel_error(out, correct_out) < 1e-7


def _loss_inputs():
    np.random.seed(231)
    num_classes, num_inputs = 10, 50
    x = 0.001 * np.random.randn(num_inputs, num_classes)
    y = np.random.randint(num_classes, size=num_inputs)
    return x, y


@pytest.mark.parametrize(
    "loss_fn, published", [(svm_loss, 8.999602749096233), (softmax_loss, 2.302545844500738)]
)
def test_loss_matches_published_value_and_numeric_gradient(loss_fn, published):
    x, y = _loss_inputs()
    x_before = x.copy()
    loss, dx = loss_fn(x, y)
    assert np.array_equal(x, x_before)
    assert abs(loss - published) < 1e-9
    dx_num = eval_numerical_gradient(lambda x: loss_fn(x, y)[0], x, verbose=False)
    assert dx.shape == x.shape
    assert rel_error(dx, dx_num) < 1e-7


def test_softmax_loss_is_stable_for_huge_scores():
    x = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 1000.0]])
    loss, dx = softmax_loss(x, np.array([0, 1]))
    assert np.isfinite(loss) and np.all(np.isfinite(dx))
    assert loss == pytest.approx(np.log(2) / 2)


def _two_layer_activations(N, rng_seed=231):
    """The notebooks' simulated two-layer activations, a = relu(X W1) W2."""
    np.random.seed(rng_seed)
    D1, D2, D3 = 50, 60, 3
    X = np.random.randn(N, D1)
    W1 = np.random.randn(D1, D2)
    W2 = np.random.randn(D2, D3)
    return np.maximum(0, X.dot(W1)).dot(W2)


def test_batchnorm_train_output_has_beta_means_and_gamma_stds():
    a = _two_layer_activations(200)
    # Same inputs as the notebook: its printed pre-normalisation statistics.
    assert np.allclose(a.mean(axis=0), [-2.3814598, -13.18038246, 1.91780462], atol=1e-8, rtol=0)
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
    out, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=0), beta, atol=1e-10)
    # The notebook prints [0.9999999 1.99999999 2.99999999]: eps=1e-5 inside the sqrt.
    expected_std = gamma * np.sqrt(a.var(axis=0) / (a.var(axis=0) + 1e-5))
    assert np.allclose(out.std(axis=0), expected_std, atol=1e-12, rtol=0)
    # Printed to 8 decimals (the dump lost a digit of the first, 0.99999999 with gamma=1).
    assert np.allclose(out.std(axis=0), [0.99999999, 1.99999999, 2.99999999], atol=1e-8, rtol=0)


def test_batchnorm_test_mode_reproduces_published_statistics():
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    W1 = np.random.randn(D1, D2)
    W2 = np.random.randn(D2, D3)
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(D3), np.zeros(D3)
    for _ in range(50):
        X = np.random.randn(N, D1)
        a = np.maximum(0, X.dot(W1)).dot(W2)
        batchnorm_forward(a, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    X = np.random.randn(N, D1)
    a = np.maximum(0, X.dot(W1)).dot(W2)
    a_norm, _ = batchnorm_forward(a, gamma, beta, bn_param)
    assert np.allclose(
        a_norm.mean(axis=0), [-0.03927354, -0.04349152, -0.10452688], atol=1e-8, rtol=0
    )
    assert np.allclose(a_norm.std(axis=0), [1.01531428, 1.01238373, 0.97819988], atol=1e-8, rtol=0)


def test_conv_forward_naive_matches_published_output():
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    correct_out = np.array(
        [
            [
                [[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                [[0.50813986, 0.54309974], [0.64082444, 0.67101435]],
            ],
            [
                [[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                [[2.36270298, 2.36904306], [2.38090835, 2.38247847]],
            ],
        ]
    )
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    assert out.shape == correct_out.shape
    assert rel_error(out, correct_out) < 1e-7


def _pool_input():
    x_shape = (2, 3, 4, 4)
    return np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)


def test_max_pool_forward_naive_matches_published_output():
    correct_out = np.array(
        [
            [
                [[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]],
            ],
            [
                [[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                [[0.32631579, 0.34105263], [0.38526316, 0.4]],
            ],
        ]
    )
    pool_param = {"pool_width": 2, "pool_height": 2, "stride": 2}
    out, _ = max_pool_forward_naive(_pool_input(), pool_param)
    assert out.shape == correct_out.shape
    assert rel_error(out, correct_out) < 1e-7


def test_avg_pool_forward_naive_matches_published_output():
    correct_out = np.array(
        [
            [
                [[-0.28157895, -0.26684211], [-0.22263158, -0.20789474]],
                [[-0.16368421, -0.14894737], [-0.10473684, -0.09]],
                [[-0.04578947, -0.03105263], [0.01315789, 0.02789474]],
            ],
            [
                [[0.07210526, 0.08684211], [0.13105263, 0.14578947]],
                [[0.19, 0.20473684], [0.24894737, 0.26368421]],
                [[0.30789474, 0.32263158], [0.36684211, 0.38157895]],
            ],
        ]
    )
    pool_param = {"pool_width": 2, "pool_height": 2, "stride": 2}
    out, _ = avg_pool_forward_naive(_pool_input(), pool_param)
    assert out.shape == correct_out.shape
    assert rel_error(out, correct_out) < 1e-6


def test_spatial_batchnorm_train_output_matches_published_statistics():
    np.random.seed(123)
    N, C, H, W = 2, 3, 4, 5
    x = 4 * np.random.randn(N, C, H, W) + 10
    gamma, beta = np.asarray([3.0, 4.0, 5.0]), np.asarray([6.0, 7.0, 8.0])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert out.shape == x.shape
    assert np.allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-10)
    assert np.allclose(
        out.std(axis=(0, 2, 3)), [2.99999925, 3.99999891, 4.99999897], atol=1e-8, rtol=0
    )


def test_spatial_batchnorm_test_mode_reproduces_published_statistics():
    np.random.seed(123)
    N, C, H, W = 10, 4, 11, 12
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(C), np.zeros(C)
    for _ in range(50):
        x = 2.3 * np.random.randn(N, C, H, W) + 13
        spatial_batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    x = 2.3 * np.random.randn(N, C, H, W) + 13
    a_norm, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    means = [0.04794133, 0.04914931, -0.00719426, 0.03869199]
    stds = [1.03832542, 1.01565838, 0.99439152, 1.02422673]
    assert np.allclose(a_norm.mean(axis=(0, 2, 3)), means, atol=1e-8, rtol=0)
    assert np.allclose(a_norm.std(axis=(0, 2, 3)), stds, atol=1e-8, rtol=0)


def test_spatial_groupnorm_normalises_each_example_group_as_published():
    np.random.seed(123)
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    gamma, beta = np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))
    out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {})
    assert out.shape == x.shape
    # One row per (example, group of C // G contiguous channels).
    rows = out.reshape(N * G, -1)
    assert np.allclose(rows.mean(axis=1), 0, atol=1e-10)
    assert np.allclose(
        rows.std(axis=1), [0.99999978, 0.99999974, 0.99999952, 0.99999963], atol=1e-8, rtol=0
    )


def test_layernorm_output_rows_have_beta_mean_and_gamma_std():
    # The notebook's inputs; its printed outputs come from a layernorm normalising the batch.
    a = _two_layer_activations(4)
    assert np.allclose(
        a.mean(axis=1), [-59.06673243, -47.60782686, -43.31137368, -26.40991744], atol=1e-8, rtol=0
    )
    gamma, beta = np.full(3, 3.0), np.full(3, 5.0)
    out, _ = layernorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=1), 5.0, atol=1e-10)
    var = a.var(axis=1)
    assert np.allclose(out.std(axis=1), 3.0 * np.sqrt(var / (var + 1e-5)), atol=1e-10, rtol=0)


# ---------------------------------------------------------------------------------------------
# Numeric gradient checks
# ---------------------------------------------------------------------------------------------


def test_affine_backward_matches_numeric_gradient():
    np.random.seed(231)
    x = np.random.randn(10, 2, 3)
    w = np.random.randn(6, 5)
    b = np.random.randn(5)
    dout = np.random.randn(10, 5)
    _, cache = affine_forward(x, w, b)
    analytic = affine_backward(dout, cache)
    numeric = numeric_grads(lambda *a: affine_forward(*a)[0], (x, w, b), dout)
    assert_gradients_match(analytic, numeric, 1e-9)


def test_relu_backward_matches_numeric_gradient():
    np.random.seed(231)
    x = np.random.randn(10, 10)
    dout = np.random.randn(*x.shape)
    _, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    assert_gradients_match([dx], numeric_grads(lambda x: relu_forward(x)[0], (x,), dout), 1e-9)


def _bn_inputs(N=4, D=5):
    np.random.seed(231)
    x = 5 * np.random.randn(N, D) + 12
    gamma = np.random.randn(D)
    beta = np.random.randn(D)
    dout = np.random.randn(N, D)
    return x, gamma, beta, dout


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_matches_numeric_gradient(backward):
    x, gamma, beta, dout = _bn_inputs()
    bn_param = {"mode": "train"}
    _, cache = batchnorm_forward(x, gamma, beta, bn_param)
    analytic = backward(dout, cache)
    numeric = numeric_grads(
        lambda x, g, b: batchnorm_forward(x, g, b, bn_param)[0], (x, gamma, beta), dout
    )
    # measured: dx 1.7e-09, dgamma 7.4e-13, dbeta 2.9e-12 (as the notebook prints)
    assert_gradients_match(analytic, numeric, (1e-7, 1e-10, 1e-10))


def test_batchnorm_backward_alt_equals_staged_backward():
    np.random.seed(231)
    N, D = 100, 500
    x = 5 * np.random.randn(N, D) + 12
    gamma = np.random.randn(D)
    beta = np.random.randn(D)
    dout = np.random.randn(N, D)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    staged = batchnorm_backward(dout, cache)
    closed_form = batchnorm_backward_alt(dout, cache)
    for a, b in zip(staged, closed_form, strict=True):
        assert rel_error(a, b) < 1e-10


def test_layernorm_backward_matches_numeric_gradient():
    x, gamma, beta, dout = _bn_inputs()
    ln_param = {}
    _, cache = layernorm_forward(x, gamma, beta, ln_param)
    analytic = layernorm_backward(dout, cache)
    numeric = numeric_grads(
        lambda x, g, b: layernorm_forward(x, g, b, ln_param)[0], (x, gamma, beta), dout
    )
    # measured: dx 1.4e-09, dgamma 4.5e-12, dbeta 2.3e-12
    assert_gradients_match(analytic, numeric, (1e-7, 1e-10, 1e-10))


def test_dropout_backward_matches_numeric_gradient_with_fixed_seed():
    np.random.seed(231)
    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
    _, cache = dropout_forward(x, dropout_param)
    dx = dropout_backward(dout, cache)
    numeric = numeric_grads(lambda x: dropout_forward(x, dropout_param)[0], (x,), dout)
    assert_gradients_match([dx], numeric, 1e-9)


CONV_CASES = {
    # name: (x shape, w shape, stride, pad)
    "notebook_stride1_pad1": ((4, 3, 5, 5), (2, 3, 3, 3), 1, 1),
    "stride2_pad1_nonsquare_input": ((2, 3, 7, 5), (3, 3, 3, 3), 2, 1),
    "nonsquare_filter_no_pad": ((2, 2, 6, 5), (2, 2, 3, 2), 1, 0),
    "stride3_pad2": ((1, 2, 8, 5), (2, 2, 3, 3), 3, 2),
}


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv_backward_naive_matches_numeric_gradient(case):
    x_shape, w_shape, stride, pad = CONV_CASES[case]
    rng = np.random.default_rng(123)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_naive(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    analytic = conv_backward_naive(dout, cache)
    numeric = numeric_grads(
        lambda x, w, b: conv_forward_naive(x, w, b, conv_param)[0], (x, w, b), dout
    )
    # measured: dx up to 1.1e-08, dw 4e-10, db 2e-10 (the notebook: "e-8 or less")
    assert_gradients_match(analytic, numeric, (1e-7, 1e-8, 1e-8))


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv_forward_naive_matches_scipy_correlate(case):
    signal = pytest.importorskip("scipy.signal")
    x_shape, w_shape, stride, pad = CONV_CASES[case]
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    out, _ = conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    expected = np.array(
        [
            [signal.correlate(x_pad[n], w[f], mode="valid")[0] + b[f] for f in range(len(w))]
            for n in range(len(x))
        ]
    )[:, :, ::stride, ::stride]
    assert out.shape == expected.shape
    assert rel_error(out, expected) < 1e-10


POOL_CASES = {
    # name: (x shape, pool_height, pool_width, stride)
    "notebook_2x2_stride2": ((3, 2, 8, 8), 2, 2, 2),
    "overlapping_3x3_stride1": ((2, 2, 5, 5), 3, 3, 1),
    "nonsquare_window_and_input": ((2, 3, 7, 5), 3, 1, 2),
}


@pytest.mark.parametrize("case", sorted(POOL_CASES))
@pytest.mark.parametrize(
    "forward, backward",
    [
        (max_pool_forward_naive, max_pool_backward_naive),
        (avg_pool_forward_naive, avg_pool_backward_naive),
    ],
    ids=["max", "avg"],
)
def test_pool_backward_matches_numeric_gradient(forward, backward, case):
    x_shape, ph, pw, stride = POOL_CASES[case]
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    rng = np.random.default_rng(123)
    x = rng.standard_normal(x_shape)
    out, cache = forward(x, pool_param)
    dout = rng.standard_normal(out.shape)
    dx = backward(dout, cache)
    numeric = numeric_grads(lambda x: forward(x, pool_param)[0], (x,), dout)
    # measured: up to 1.2e-10 (overlapping average pool)
    assert_gradients_match([dx], numeric, 1e-9)


def test_spatial_batchnorm_backward_matches_numeric_gradient():
    np.random.seed(123)
    N, C, H, W = 2, 3, 4, 5
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma = np.random.randn(C)
    beta = np.random.randn(C)
    dout = np.random.randn(N, C, H, W)
    bn_param = {"mode": "train"}
    _, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    analytic = spatial_batchnorm_backward(dout, cache)
    numeric = numeric_grads(
        lambda x, g, b: spatial_batchnorm_forward(x, g, b, bn_param)[0], (x, gamma, beta), dout
    )
    # measured: dx 6.9e-09, dgamma 5.0e-12, dbeta 7.3e-12 (the notebook: "1e-12~1e-06")
    assert_gradients_match(analytic, numeric, (1e-7, 1e-10, 1e-10))


@pytest.mark.parametrize("G", [2, 3])
def test_spatial_groupnorm_backward_matches_numeric_gradient(G):
    np.random.seed(123)
    N, C, H, W = 2, 6, 4, 5
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma = np.random.randn(1, C, 1, 1)
    beta = np.random.randn(1, C, 1, 1)
    dout = np.random.randn(N, C, H, W)
    gn_param = {}
    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, gn_param)
    analytic = spatial_groupnorm_backward(dout, cache)
    numeric = numeric_grads(
        lambda x, g, b: spatial_groupnorm_forward(x, g, b, G, gn_param)[0], (x, gamma, beta), dout
    )
    # measured: dx up to 2.5e-07, dgamma 6e-12, dbeta 2e-11 (the notebook prints dx 5.8e-07)
    assert_gradients_match(analytic, numeric, (2e-6, 1e-9, 1e-9))
    assert analytic[1].shape == analytic[2].shape == (1, C, 1, 1)


# ---------------------------------------------------------------------------------------------
# Dropout statistics and contract
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.25, 0.4, 0.7])
def test_dropout_train_keeps_p_of_units_and_preserves_the_mean(p):
    x = np.random.default_rng(231).standard_normal((500, 500)) + 10
    out, _ = dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
    assert abs((out != 0).mean() - p) < 0.01
    # Inverted dropout: kept units are scaled by 1/p, so the mean is unchanged (to ~0.4%).
    assert abs(out.mean() - x.mean()) < 0.02 * x.mean()
    kept = out != 0
    assert np.allclose(out[kept], x[kept] / p)


def test_dropout_test_mode_is_the_identity():
    x = np.random.default_rng(0).standard_normal((20, 30))
    dout = np.random.default_rng(1).standard_normal((20, 30))
    out, cache = dropout_forward(x, {"mode": "test", "p": 0.3})
    assert np.array_equal(out, x)
    assert np.array_equal(dropout_backward(dout, cache), dout)


def test_dropout_backward_uses_the_forward_mask():
    # No seed: a backward pass that drew a fresh mask would not match the forward one.
    x = np.random.default_rng(0).standard_normal((50, 40)) + 10
    dout = np.random.default_rng(1).standard_normal(x.shape)
    p = 0.6
    out, cache = dropout_forward(x, {"mode": "train", "p": p})
    dx = dropout_backward(dout, cache)
    assert np.allclose(dx, np.where(out != 0, dout / p, 0.0))


def test_dropout_same_seed_gives_same_mask_and_different_seeds_differ():
    x = np.ones((30, 30))
    first, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 5})
    again, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 5})
    other, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 6})
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_dropout_does_not_touch_the_global_random_state():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    dropout_forward(np.ones((10, 10)), {"mode": "train", "p": 0.5, "seed": 1})
    dropout_forward(np.ones((10, 10)), {"mode": "train", "p": 0.5})
    assert np.random.rand() == expected


@pytest.mark.parametrize("mode", ["train", "test"])
def test_dropout_keeps_float32(mode):
    x = np.ones((4, 5), dtype=np.float32)
    out, cache = dropout_forward(x, {"mode": mode, "p": 0.5, "seed": 0})
    assert out.dtype == np.float32
    assert dropout_backward(np.ones_like(x), cache).dtype == np.float32


# ---------------------------------------------------------------------------------------------
# Batchnorm running statistics, per-example normalisation, geometry, first maximum
# ---------------------------------------------------------------------------------------------


def test_batchnorm_writes_running_stats_back_into_the_same_dict():
    x = np.random.default_rng(0).standard_normal((8, 3)) * 2 + 5
    gamma, beta = np.ones(3), np.zeros(3)
    bn_param = {"mode": "train"}
    batchnorm_forward(x, gamma, beta, bn_param)
    # From zeros with the default momentum 0.9, and the biased (ddof=0) batch variance.
    assert np.allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0))
    assert np.allclose(bn_param["running_var"], 0.1 * x.var(axis=0))

    bn_param["momentum"] = 0.5
    first_mean, first_var = bn_param["running_mean"], bn_param["running_var"]
    batchnorm_forward(2 * x, gamma, beta, bn_param)
    assert np.allclose(bn_param["running_mean"], 0.5 * first_mean + 0.5 * 2 * x.mean(axis=0))
    assert np.allclose(bn_param["running_var"], 0.5 * first_var + 0.5 * 4 * x.var(axis=0))


def test_batchnorm_test_mode_uses_running_stats_not_the_batch():
    x = np.random.default_rng(0).standard_normal((6, 4))
    running_mean, running_var = np.full(4, 2.0), np.full(4, 9.0)
    bn_param = {"mode": "test", "running_mean": running_mean, "running_var": running_var}
    gamma, beta = np.full(4, 2.0), np.full(4, 1.0)
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    assert np.allclose(out, 2.0 * (x - 2.0) / np.sqrt(9.0 + 1e-5) + 1.0)
    assert np.array_equal(bn_param["running_mean"], running_mean)
    assert np.array_equal(bn_param["running_var"], running_var)


def test_spatial_batchnorm_running_stats_are_per_channel():
    x = np.random.default_rng(0).standard_normal((3, 4, 5, 6)) + np.arange(4)[None, :, None, None]
    bn_param = {"mode": "train"}
    spatial_batchnorm_forward(x, np.ones(4), np.zeros(4), bn_param)
    assert np.allclose(bn_param["running_mean"], 0.1 * x.mean(axis=(0, 2, 3)))
    assert np.allclose(bn_param["running_var"], 0.1 * x.var(axis=(0, 2, 3)))


def _plus_minus_one(shape):
    """Data whose every example and every feature has mean 0 and variance exactly 1."""
    signs = np.indices(shape).sum(axis=0) % 2
    return 2.0 * signs - 1.0


@pytest.mark.parametrize("layer", ["batchnorm", "layernorm", "spatial_batchnorm", "groupnorm"])
def test_normalisation_takes_eps_from_its_param_dict(layer):
    # Unit variance and eps = 3: the normalised data has std 1 / sqrt(1 + 3) = 0.5.
    if layer == "batchnorm":
        out, _ = batchnorm_forward(_plus_minus_one((4, 6)), 1.0, 0.0, {"mode": "train", "eps": 3})
    elif layer == "layernorm":
        out, _ = layernorm_forward(_plus_minus_one((4, 6)), 1.0, 0.0, {"eps": 3})
    elif layer == "spatial_batchnorm":
        x = _plus_minus_one((2, 3, 2, 2))
        out, _ = spatial_batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train", "eps": 3})
    else:
        x = _plus_minus_one((2, 4, 2, 2))
        gamma, beta = np.ones((1, 4, 1, 1)), np.zeros((1, 4, 1, 1))
        out, _ = spatial_groupnorm_forward(x, gamma, beta, 2, {"eps": 3})
    assert np.allclose(np.abs(out), 0.5)


def test_layernorm_normalises_each_example_on_its_own():
    x = np.random.default_rng(0).standard_normal((5, 7)) * np.arange(1, 6)[:, None] + 3
    gamma, beta = np.ones(7), np.zeros(7)
    out, _ = layernorm_forward(x, gamma, beta, {})
    assert np.allclose(out.mean(axis=1), 0, atol=1e-10)
    assert np.allclose(out.std(axis=1), 1, atol=1e-4)
    single, _ = layernorm_forward(x[2:3], gamma, beta, {})
    assert np.allclose(single, out[2:3])


def test_spatial_groupnorm_normalises_each_example_on_its_own():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 4, 5)) * np.arange(1, 4)[:, None, None, None]
    gamma, beta = rng.standard_normal((1, 6, 1, 1)), rng.standard_normal((1, 6, 1, 1))
    out, _ = spatial_groupnorm_forward(x, gamma, beta, 3, {})
    single, _ = spatial_groupnorm_forward(x[1:2], gamma, beta, 3, {})
    assert np.allclose(single, out[1:2])


def test_spatial_groupnorm_rejects_groups_that_do_not_divide_channels():
    x = np.zeros((1, 6, 2, 2))
    with pytest.raises(ValueError, match="divide"):
        spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 4, {})


@pytest.mark.parametrize(
    "x_shape, stride, pad",
    [((1, 1, 4, 5), 2, 0), ((1, 1, 5, 4), 2, 0), ((1, 1, 5, 5), 3, 1), ((1, 1, 2, 2), 1, 0)],
    ids=["height", "width", "padded", "filter_larger_than_input"],
)
def test_conv_forward_rejects_geometry_that_does_not_tile(x_shape, stride, pad):
    x, w, b = np.zeros(x_shape), np.zeros((1, 1, 3, 3)), np.zeros(1)
    with pytest.raises(ValueError, match="stride"):
        conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})


@pytest.mark.parametrize("forward", [max_pool_forward_naive, avg_pool_forward_naive])
def test_pool_forward_rejects_geometry_that_does_not_tile(forward):
    with pytest.raises(ValueError, match="stride"):
        forward(np.zeros((1, 1, 5, 4)), {"pool_height": 2, "pool_width": 2, "stride": 2})


def test_max_pool_backward_routes_gradient_to_the_first_maximum():
    x = np.array([[[[0.0, 3.0, 1.0, 1.0], [3.0, 1.0, 1.0, 1.0]]]])  # ties in both windows
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    _, cache = max_pool_forward_naive(x, pool_param)
    dx = max_pool_backward_naive(np.array([[[[5.0, 7.0]]]]), cache)
    assert np.array_equal(dx, [[[[0.0, 5.0, 7.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])


# ---------------------------------------------------------------------------------------------
# No layer mutates what it is given
# ---------------------------------------------------------------------------------------------


def _mutation_cases():
    rng = np.random.default_rng(0)

    def r(*shape):
        return rng.standard_normal(shape)

    conv_param = {"stride": 1, "pad": 1}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    return {
        "affine": (affine_forward, (r(3, 2, 2), r(4, 5), r(5)), affine_backward),
        "relu": (relu_forward, (r(4, 5),), relu_backward),
        "batchnorm": (
            batchnorm_forward,
            (r(6, 4), r(4), r(4), {"mode": "train"}),
            batchnorm_backward,
        ),
        "batchnorm_alt": (
            batchnorm_forward,
            (r(6, 4), r(4), r(4), {"mode": "train"}),
            batchnorm_backward_alt,
        ),
        "layernorm": (layernorm_forward, (r(6, 4), r(4), r(4), {}), layernorm_backward),
        "dropout": (
            dropout_forward,
            (r(6, 4), {"mode": "train", "p": 0.5, "seed": 0}),
            dropout_backward,
        ),
        "conv": (
            conv_forward_naive,
            (r(2, 3, 4, 4), r(2, 3, 3, 3), r(2), conv_param),
            conv_backward_naive,
        ),
        "max_pool": (max_pool_forward_naive, (r(2, 3, 4, 4), pool_param), max_pool_backward_naive),
        "avg_pool": (avg_pool_forward_naive, (r(2, 3, 4, 4), pool_param), avg_pool_backward_naive),
        "spatial_batchnorm": (
            spatial_batchnorm_forward,
            (r(2, 3, 4, 4), r(3), r(3), {"mode": "train"}),
            spatial_batchnorm_backward,
        ),
        "spatial_groupnorm": (
            spatial_groupnorm_forward,
            (r(2, 6, 3, 3), r(1, 6, 1, 1), r(1, 6, 1, 1), 2, {}),
            spatial_groupnorm_backward,
        ),
    }


def assert_unchanged(before, after, what):
    if isinstance(before, np.ndarray):
        assert np.array_equal(before, after), f"{what} was modified"
    elif isinstance(before, (tuple, list)):
        for k, (b, a) in enumerate(zip(before, after, strict=True)):
            assert_unchanged(b, a, f"{what}[{k}]")


@pytest.mark.parametrize("name", sorted(_mutation_cases()))
def test_layer_does_not_mutate_inputs_dout_or_cache(name):
    forward, args, backward = _mutation_cases()[name]
    args_before = copy.deepcopy(args)
    out, cache = forward(*args)
    assert_unchanged(args_before, args, "forward input")
    cache_before = copy.deepcopy(cache)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dout_before = dout.copy()
    grads = backward(dout, cache)
    assert_unchanged(args_before, args, "input")
    assert_unchanged(dout_before, dout, "dout")
    assert_unchanged(cache_before, cache, "cache")
    # Backward again from the same cache gives the same gradients.
    assert_unchanged(copy.deepcopy(grads), backward(dout, cache), "gradient")
