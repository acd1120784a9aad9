"""im2col/col2im, compiled and pure-numpy: the documented column layout and its adjoint."""

import importlib

import numpy as np
import pytest

from solutions.im2col import col2im_indices, im2col_indices, output_size

# (x shape, field_height, field_width, padding, stride)
CASES = [
    ((2, 3, 4, 4), 3, 3, 1, 1),
    ((1, 2, 7, 9), 3, 5, 2, 2),
    ((3, 1, 6, 8), 2, 2, 0, 2),
    ((2, 2, 5, 5), 5, 5, 0, 1),
    ((2, 4, 9, 7), 1, 3, 1, 2),
]


@pytest.fixture(params=["cython", "numpy"])
def backend(request):
    """(im2col, col2im) of the compiled extension, then of the numpy fallback."""
    if request.param == "numpy":
        return im2col_indices, col2im_indices
    try:
        compiled = importlib.import_module("solutions.im2col_cython")
    except ImportError as err:
        pytest.fail(
            f"solutions.im2col_cython is not built ({err}); build it with `pip install -e .` "
            "(or `python setup.py build_ext --inplace`); CI builds it"
        )
    return compiled.im2col_cython, compiled.col2im_cython


def _im2col_by_loops(x, fh, fw, pad, stride):
    """The layout the modules document, one element at a time (the oracle)."""
    N, C, H, W = x.shape
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    H_out = (H + 2 * pad - fh) // stride + 1
    W_out = (W + 2 * pad - fw) // stride + 1
    cols = np.empty((C * fh * fw, N * H_out * W_out), dtype=x.dtype)
    for c, i, j, n, y, xx in np.ndindex(C, fh, fw, N, H_out, W_out):
        value = x_padded[n, c, y * stride + i, xx * stride + j]
        cols[(c * fh + i) * fw + j, (n * H_out + y) * W_out + xx] = value
    return cols


@pytest.mark.parametrize("x_shape, fh, fw, pad, stride", CASES)
def test_im2col_puts_each_receptive_field_in_its_documented_column(
    backend, x_shape, fh, fw, pad, stride
):
    im2col, _ = backend
    x = np.random.default_rng(0).standard_normal(x_shape)
    np.testing.assert_array_equal(
        im2col(x, fh, fw, pad, stride), _im2col_by_loops(x, fh, fw, pad, stride)
    )


@pytest.mark.parametrize("x_shape, fh, fw, pad, stride", CASES)
def test_col2im_is_the_adjoint_of_im2col(backend, x_shape, fh, fw, pad, stride):
    # <im2col(x), cols> == <x, col2im(cols)> for all x and cols defines col2im.
    im2col, col2im = backend
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    x_cols = im2col(x, fh, fw, pad, stride)
    cols = rng.standard_normal(x_cols.shape)
    dx = col2im(cols, x_shape, fh, fw, pad, stride)
    assert dx.shape == x_shape
    np.testing.assert_allclose(np.sum(x_cols * cols), np.sum(x * dx), rtol=1e-12)


def test_col2im_sums_overlapping_fields(backend):
    _, col2im = backend
    # A 3x3 input, 2x2 fields at stride 1: the centre pixel is in all four fields.
    counts = col2im(np.ones((4, 4)), (1, 1, 3, 3), 2, 2, 0, 1)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_and_col2im_keep_the_dtype(backend, dtype):
    im2col, col2im = backend
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 5)).astype(dtype)
    cols = im2col(x, 3, 3, 1, 2)
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, _im2col_by_loops(x, 3, 3, 1, 2))
    assert col2im(cols, x.shape, 3, 3, 1, 2).dtype == dtype


@pytest.mark.parametrize(
    "size, field, padding, stride", [(5, 2, 0, 2), (4, 5, 0, 1), (5, 3, 0, 0), (5, 3, -1, 1)]
)
def test_fields_that_do_not_tile_the_input_are_rejected(backend, size, field, padding, stride):
    im2col, _ = backend
    with pytest.raises(ValueError):
        output_size(size, field, padding, stride)
    with pytest.raises(ValueError):
        im2col(np.zeros((1, 1, size, size)), field, field, padding, stride)


def test_col2im_rejects_columns_of_the_wrong_shape(backend):
    _, col2im = backend
    with pytest.raises(ValueError):
        col2im(np.zeros((9, 10)), (1, 1, 4, 4), 3, 3, 0, 1)
