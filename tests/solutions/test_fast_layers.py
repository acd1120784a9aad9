"""The fast conv/pool layers give the naive layers' results, with either im2col backend."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from solutions import fast_layers, layers
from solutions.fast_layers import (
    avg_pool_backward_fast,
    avg_pool_forward_fast,
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from solutions.gradient_check import eval_numerical_gradient_array, rel_error

ROOT = Path(__file__).resolve().parents[2]

# (x shape, w shape, stride, pad): the notebooks' shapes, strides 1 and 2, pads 0/1/2,
# non-square inputs and filters, N=1, and a filter as large as the padded input.
CONV_CASES = [
    ((2, 3, 4, 4), (3, 3, 4, 4), 2, 1),
    ((4, 3, 5, 5), (2, 3, 3, 3), 1, 1),
    ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1),
    ((1, 2, 7, 9), (3, 2, 3, 5), 2, 2),
    ((2, 3, 6, 8), (4, 3, 2, 2), 2, 0),
    ((3, 4, 9, 7), (5, 4, 1, 3), 2, 1),
    ((2, 1, 5, 5), (2, 1, 5, 5), 1, 0),
]

# (x shape, pool_height, pool_width, stride): tiling windows (the reshape path) and windows
# that do not tile (im2col path): overlapping, non-square, gaps between windows, N=1.
POOL_CASES = [
    ((3, 2, 8, 8), 2, 2, 2),
    ((100, 3, 32, 32), 2, 2, 2),
    ((2, 3, 9, 6), 3, 3, 3),
    ((1, 2, 7, 7), 3, 3, 2),
    ((2, 3, 9, 7), 3, 1, 2),
    ((2, 2, 8, 10), 2, 4, 3),
    ((2, 2, 6, 6), 2, 2, 1),
]

POOLS = {
    "max": (
        layers.max_pool_forward_naive,
        layers.max_pool_backward_naive,
        max_pool_forward_fast,
        max_pool_backward_fast,
    ),
    "avg": (
        layers.avg_pool_forward_naive,
        layers.avg_pool_backward_naive,
        avg_pool_forward_fast,
        avg_pool_backward_fast,
    ),
}


@pytest.fixture(params=["cython", "numpy"])
def backend(request):
    """Run the test with the compiled im2col, then with the numpy fallback."""
    try:
        previous = fast_layers.use_backend(request.param)
    except ImportError as err:
        pytest.fail(f"the compiled backend is missing, so it cannot be tested: {err}")
    yield request.param
    fast_layers.use_backend(previous)


def _pool_param(ph, pw, stride):
    return {"pool_height": ph, "pool_width": pw, "stride": stride}


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
def test_conv_fast_matches_naive_forward_and_backward(backend, x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(231)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out_naive, cache_naive = layers.conv_forward_naive(x, w, b, conv_param)
    inputs = [a.copy() for a in (x, w, b)]
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    assert out_fast.shape == out_naive.shape
    assert rel_error(out_fast, out_naive) < 1e-9

    dout = rng.standard_normal(out_naive.shape)
    dout_before = dout.copy()
    grads_naive = layers.conv_backward_naive(dout, cache_naive)
    grads_fast = conv_backward_fast(dout, cache_fast)
    for name, g_fast, g_naive in zip(("dx", "dw", "db"), grads_fast, grads_naive, strict=True):
        assert g_fast.shape == g_naive.shape, name
        assert rel_error(g_fast, g_naive) < 1e-9, name
    for before, after in zip(inputs + [dout_before], (x, w, b, dout), strict=True):
        np.testing.assert_array_equal(after, before)  # inputs are not mutated


def test_conv_fast_reproduces_the_notebooks_published_output(backend):
    # ConvolutionalNetworks notebook: linspace inputs and the printed correct_out.
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    out, _ = conv_forward_fast(x, w, b, {"stride": 2, "pad": 1})
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
    assert rel_error(out, correct_out) < 1e-7


def test_conv_fast_backward_matches_numeric_gradient(backend):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 6))
    w = rng.standard_normal((2, 3, 3, 2))
    b = rng.standard_normal(2)
    conv_param = {"stride": 2, "pad": 1}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_fast(dout, cache)
    dx_num = eval_numerical_gradient_array(
        lambda x_: conv_forward_fast(x_, w, b, conv_param)[0], x, dout
    )
    dw_num = eval_numerical_gradient_array(
        lambda w_: conv_forward_fast(x, w_, b, conv_param)[0], w, dout
    )
    db_num = eval_numerical_gradient_array(
        lambda b_: conv_forward_fast(x, w, b_, conv_param)[0], b, dout
    )
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


def test_conv_fast_accepts_fortran_ordered_input(backend):
    rng = np.random.default_rng(1)
    x = np.asfortranarray(rng.standard_normal((2, 3, 6, 6)))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    conv_param = {"stride": 1, "pad": 1}
    out_naive, cache_naive = layers.conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    assert rel_error(out_fast, out_naive) < 1e-9
    dout = rng.standard_normal(out_naive.shape)
    dx_naive = layers.conv_backward_naive(dout, cache_naive)[0]
    assert rel_error(conv_backward_fast(dout, cache_fast)[0], dx_naive) < 1e-9


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("x_shape, ph, pw, stride", POOL_CASES)
def test_pool_fast_matches_naive_forward_and_backward(backend, kind, x_shape, ph, pw, stride):
    forward_naive, backward_naive, forward_fast, backward_fast = POOLS[kind]
    rng = np.random.default_rng(123)
    x = rng.standard_normal(x_shape)
    pool_param = _pool_param(ph, pw, stride)
    out_naive, cache_naive = forward_naive(x, pool_param)
    x_before = x.copy()
    out_fast, cache_fast = forward_fast(x, pool_param)
    assert out_fast.shape == out_naive.shape
    assert rel_error(out_fast, out_naive) < 1e-12

    dout = rng.standard_normal(out_naive.shape)
    dout_before = dout.copy()
    dx_naive = backward_naive(dout, cache_naive)
    dx_fast = backward_fast(dout, cache_fast)
    assert dx_fast.shape == x.shape
    assert rel_error(dx_fast, dx_naive) < 1e-12
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)


@pytest.mark.parametrize(
    "kind, correct_out",
    [
        (
            "max",
            [
                [-0.26315789, -0.24842105, -0.20421053, -0.18947368],
                [-0.14526316, -0.13052632, -0.08631579, -0.07157895],
                [-0.02736842, -0.01263158, 0.03157895, 0.04631579],
                [0.09052632, 0.10526316, 0.14947368, 0.16421053],
                [0.20842105, 0.22315789, 0.26736842, 0.28210526],
                [0.32631579, 0.34105263, 0.38526316, 0.4],
            ],
        ),
        (
            "avg",
            [
                [-0.28157895, -0.26684211, -0.22263158, -0.20789474],
                [-0.16368421, -0.14894737, -0.10473684, -0.09],
                [-0.04578947, -0.03105263, 0.01315789, 0.02789474],
                [0.07210526, 0.08684211, 0.13105263, 0.14578947],
                [0.19, 0.20473684, 0.24894737, 0.26368421],
                [0.30789474, 0.32263158, 0.36684211, 0.38157895],
            ],
        ),
    ],
)
def test_pool_fast_reproduces_the_notebooks_published_output(backend, kind, correct_out):
    x = np.linspace(-0.3, 0.4, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    out, _ = POOLS[kind][2](x, _pool_param(2, 2, 2))
    assert rel_error(out, np.reshape(correct_out, (2, 3, 2, 2))) < 1e-6


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ph, pw, stride", [(2, 2, 2), (3, 2, 1)])
def test_pool_fast_backward_matches_numeric_gradient(backend, kind, ph, pw, stride):
    forward_fast, backward_fast = POOLS[kind][2:]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2, 6, 4))
    pool_param = _pool_param(ph, pw, stride)
    out, cache = forward_fast(x, pool_param)
    dout = rng.standard_normal(out.shape)
    dx = backward_fast(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda x_: forward_fast(x_, pool_param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-8


@pytest.mark.parametrize("ph, pw, stride", [(2, 2, 2), (2, 2, 1), (3, 3, 3), (3, 2, 1)])
def test_max_pool_fast_routes_ties_to_the_first_maximum(backend, ph, pw, stride):
    # Small integers make most windows hold several equal maxima.
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, size=(2, 3, 6, 6)).astype(np.float64)
    pool_param = _pool_param(ph, pw, stride)
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = rng.standard_normal(out.shape)
    dx = max_pool_backward_fast(dout, cache)

    expected = np.zeros_like(x)  # independent oracle: one window at a time, np.argmax
    N, C, H_out, W_out = out.shape
    for n, c, i, j in np.ndindex(N, C, H_out, W_out):
        window = x[n, c, i * stride : i * stride + ph, j * stride : j * stride + pw]
        di, dj = np.unravel_index(np.argmax(window), window.shape)
        expected[n, c, i * stride + di, j * stride + dj] += dout[n, c, i, j]
    # Overlapping windows sum in another order, hence a rounding-level tolerance.
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-15)
    _, cache_naive = layers.max_pool_forward_naive(x, pool_param)
    dx_naive = layers.max_pool_backward_naive(dout, cache_naive)
    np.testing.assert_allclose(dx, dx_naive, rtol=1e-12, atol=1e-15)


def test_max_pool_fast_tie_in_one_window_goes_to_its_first_position(backend):
    x = np.array([[[[1.0, 5.0], [5.0, 5.0]]]])
    out, cache = max_pool_forward_fast(x, _pool_param(2, 2, 2))
    dx = max_pool_backward_fast(np.array([[[[3.0]]]]), cache)
    assert out[0, 0, 0, 0] == 5.0
    np.testing.assert_array_equal(dx, [[[[0.0, 3.0], [0.0, 0.0]]]])


@pytest.mark.parametrize("stride", [2, 1])
def test_max_pool_fast_treats_nan_as_the_maximum_like_argmax(backend, stride):
    x = np.array([[[[1.0, np.nan, 2.0], [np.nan, 7.0, 0.0], [0.0, 0.0, 0.0]]]])
    x = x[:, :, : 2 + (stride == 1), : 2 + (stride == 1)]
    pool_param = _pool_param(2, 2, stride)
    out_naive, cache_naive = layers.max_pool_forward_naive(x, pool_param)
    out, cache = max_pool_forward_fast(x, pool_param)
    np.testing.assert_array_equal(out, out_naive)
    dout = np.arange(1.0, out.size + 1).reshape(out.shape)
    dx = max_pool_backward_fast(dout, cache)
    np.testing.assert_array_equal(dx, layers.max_pool_backward_naive(dout, cache_naive))


def test_float32_inputs_give_float32_results_close_to_float64(backend):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 8, 6))
    w = rng.standard_normal((4, 2, 3, 3))
    b = rng.standard_normal(4)
    conv_param = {"stride": 1, "pad": 1}

    def close(a32, a64):
        assert a32.dtype == np.float32
        np.testing.assert_allclose(a32, a64, rtol=1e-4, atol=1e-5 * np.abs(a64).max())

    out64, cache64 = conv_forward_fast(x, w, b, conv_param)
    f32 = [a.astype(np.float32) for a in (x, w, b)]
    out32, cache32 = conv_forward_fast(*f32, conv_param)
    close(out32, out64)
    dout = rng.standard_normal(out64.shape)
    grads32 = conv_backward_fast(dout.astype(np.float32), cache32)
    for g32, g64 in zip(grads32, conv_backward_fast(dout, cache64), strict=True):
        close(g32, g64)

    for kind in ("max", "avg"):
        forward_fast, backward_fast = POOLS[kind][2:]
        for pool_param in (_pool_param(2, 2, 2), _pool_param(3, 2, 1)):
            pooled64, cache64 = forward_fast(x, pool_param)
            pooled32, cache32 = forward_fast(x.astype(np.float32), pool_param)
            close(pooled32, pooled64)
            dout = rng.standard_normal(pooled64.shape)
            close(backward_fast(dout.astype(np.float32), cache32), backward_fast(dout, cache64))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: conv_forward_fast(
                np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 2, 2)), np.zeros(1), {"stride": 2, "pad": 0}
            ),
            "does not tile",
        ),
        (
            lambda: conv_forward_fast(
                np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)), np.zeros(1), {"stride": 1, "pad": 1}
            ),
            "channels",
        ),
        (lambda: max_pool_forward_fast(np.zeros((1, 1, 5, 5)), _pool_param(2, 2, 2)), "tile"),
        (lambda: avg_pool_forward_fast(np.zeros((1, 1, 4, 4)), _pool_param(5, 5, 1)), "tile"),
    ],
    ids=["conv-stride-does-not-tile", "conv-channels-differ", "max-pool-odd", "avg-pool-too-big"],
)
def test_fast_layers_reject_shapes_the_naive_layers_reject(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_use_backend_rejects_unknown_names():
    with pytest.raises(ValueError, match="numpy"):
        fast_layers.use_backend("fortran")


def test_missing_extension_falls_back_to_numpy_with_one_warning():
    # A fresh interpreter in which the compiled module cannot be imported.
    script = textwrap.dedent(
        """
        import sys, warnings
        import numpy as np
        sys.modules["solutions.im2col_cython"] = None  # makes its import fail
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from solutions import fast_layers
            x = np.random.default_rng(0).standard_normal((2, 3, 7, 7))
            w = np.ones((2, 3, 3, 3))
            conv_param = {"stride": 2, "pad": 1}
            pool_param = {"pool_height": 3, "pool_width": 3, "stride": 2}
            for _ in range(3):
                out, cache = fast_layers.conv_forward_fast(x, w, np.zeros(2), conv_param)
                fast_layers.conv_backward_fast(np.ones_like(out), cache)
                out, cache = fast_layers.max_pool_forward_fast(x, pool_param)
                fast_layers.max_pool_backward_fast(np.ones_like(out), cache)
            fast_layers.use_backend("numpy")
        for warning in caught:
            print("WARNING", warning.category.__name__, warning.message)
        try:
            fast_layers.use_backend("cython")
        except ImportError as err:
            print("IMPORTERROR", err)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, result.stdout
    assert "RuntimeWarning" in warnings[0]
    assert "im2col_cython" in warnings[0] and "pip install -e ." in warnings[0]
    errors = [line for line in result.stdout.splitlines() if line.startswith("IMPORTERROR")]
    assert len(errors) == 1 and "pip install -e ." in errors[0], result.stdout
