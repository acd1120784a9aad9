# Students: this file is given code; you do not need to change it.
"""Fast convolution and pooling layers: the naive layers' contracts, computed with im2col and BLAS.

Each function takes the same arguments and returns the same values as its naive counterpart in
``layers.py`` (up to floating-point rounding); only the caches differ, so a fast backward must be
given the cache of the matching fast forward.

A convolution becomes one matrix product: every receptive field of the padded input is copied into
a column of ``x_cols`` (im2col, here one copy of a strided view), so
``out = w.reshape(F, -1) @ x_cols``. The backward pass is two more products and col2im, which sums
each column back onto the pixels it was copied from. Pooling windows that tile the input are
gathered by a reshape; other windows go through im2col and col2im. col2im and that im2col come
from the compiled ``im2col_cython`` extension when it is built, otherwise from the pure-numpy
``im2col.py`` (slower, same results); ``use_backend`` switches between them.
"""

import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .im2col import col2im_indices, im2col_indices, output_size

_BUILD_HINT = (
    "build it with `pip install -e .` (or `python setup.py build_ext --inplace`) from the "
    "project root"
)

_cython_error = None
try:
    from . import im2col_cython as _cython
except ImportError as _err:
    _cython_error = _err
    warnings.warn(
        f"{__package__}.im2col_cython is not built ({_err}); the fast conv/pool layers fall back "
        f"to the slower pure-numpy im2col. To use the compiled version, {_BUILD_HINT}.",
        RuntimeWarning,
        stacklevel=2,
    )
    _BACKENDS = {"numpy": (im2col_indices, col2im_indices)}
else:
    _BACKENDS = {
        "numpy": (im2col_indices, col2im_indices),
        "cython": (_cython.im2col_cython, _cython.col2im_cython),
    }

_backend = "cython" if "cython" in _BACKENDS else "numpy"
_im2col, _col2im = _BACKENDS[_backend]


def use_backend(name):
    """Choose where im2col/col2im come from: "cython" (compiled) or "numpy" (the fallback).

    Returns the name of the backend in use before the call, so it can be restored. Raises
    ImportError, saying how to build it, when "cython" is asked for but the extension is missing.
    """
    global _backend, _im2col, _col2im
    if name not in ("numpy", "cython"):
        raise ValueError(f'backend must be "numpy" or "cython", got {name!r}')
    if name not in _BACKENDS:
        raise ImportError(
            f"{__package__}.im2col_cython is not built; {_BUILD_HINT}"
        ) from _cython_error
    previous = _backend
    _backend = name
    _im2col, _col2im = _BACKENDS[name]
    return previous


def _as_float(*arrays):
    """The arrays as float32 or float64 (their common type; anything else becomes float64)."""
    dtype = np.result_type(*arrays, np.float32)
    if dtype not in (np.float32, np.float64):
        dtype = np.float64
    return tuple(np.asarray(a, dtype=dtype) for a in arrays)


def _im2col_strided(x, field_height, field_width, pad, stride):
    """im2col by a strided view of the padded input and one copy; same layout as im2col.py."""
    N, C, H, W = x.shape
    H_out = output_size(H, field_height, pad, stride)
    W_out = output_size(W, field_width, pad, stride)
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    sn, sc, sh, sw = x_padded.strides
    # View of shape (C, HH, WW, N, H', W'): element [c, i, j, n, y, x] is
    # x_padded[n, c, y*stride + i, x*stride + j]; nothing is copied until ascontiguousarray.
    fields = as_strided(
        x_padded,
        shape=(C, field_height, field_width, N, H_out, W_out),
        strides=(sc, sh, sw, sn, stride * sh, stride * sw),
        writeable=False,
    )
    return np.ascontiguousarray(fields).reshape(C * field_height * field_width, -1)


def conv_forward_fast(x, w, b, conv_param):
    """Fast forward pass for a convolutional layer; the contract of conv_forward_naive.

    Inputs:
    - x: (N, C, H, W) input data
    - w: (F, C, HH, WW) filter weights
    - b: (F,) biases
    - conv_param: dict with the keys
      - stride: step between neighbouring receptive fields, in both directions; required
      - pad: number of zeros added on every side of the input (height and width); required

    Returns a tuple of:
    - out: (N, F, H', W') output, H' = 1 + (H + 2 * pad - HH) // stride, likewise W'
    - cache: (x, w, b, conv_param, x_cols), x_cols being the (C * HH * WW, N * H' * W') columns

    float32 inputs give a float32 output. Raises ValueError when the filters do not tile the
    padded input evenly, or when x and w disagree on C.
    """
    x, w, b = _as_float(x, w, b)
    N, C, H, W = x.shape
    F, Cw, HH, WW = w.shape
    if Cw != C:
        raise ValueError(f"x has {C} channels but the filters w expect {Cw}")
    stride, pad = conv_param["stride"], conv_param["pad"]
    H_out = output_size(H, HH, pad, stride)
    W_out = output_size(W, WW, pad, stride)
    x_cols = _im2col_strided(x, HH, WW, pad, stride)
    res = w.reshape(F, -1) @ x_cols  # (F, N * H' * W'), columns ordered (n, y, x)
    res += b.reshape(F, 1)
    out = np.ascontiguousarray(res.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3))
    cache = (x, w, b, conv_param, x_cols)
    return out, cache


def conv_backward_fast(dout, cache):
    """Fast backward pass for a convolutional layer.

    Inputs:
    - dout: (N, F, H', W') upstream gradient
    - cache: (x, w, b, conv_param, x_cols) from conv_forward_fast

    Returns a tuple of:
    - dx: (N, C, H, W) gradient with respect to x
    - dw: (F, C, HH, WW) gradient with respect to w
    - db: (F,) gradient with respect to b
    """
    x, w, b, conv_param, x_cols = cache
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    dout = np.asarray(dout, dtype=x_cols.dtype)
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N * H' * W'), like the forward
    db = dout_rows.sum(axis=1)
    dw = (dout_rows @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_rows  # (C * HH * WW, N * H' * W')
    dx = _col2im(dx_cols, x.shape, HH, WW, pad, stride)
    return dx, dw, db


def _pool_shape(x, pool_param):
    """(pool_height, pool_width, stride, H', W') for pooling x with pool_param."""
    _, _, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    return PH, PW, stride, output_size(H, PH, 0, stride), output_size(W, PW, 0, stride)


def _pool_windows(x, PH, PW, stride):
    """Every pooling window of x as a column: (PH * PW, N * C * H' * W'), im2col's layout.

    Row k holds pixel (k // PW, k % PW) of each window; columns are ordered (n, c, y, x). When
    the windows tile x (pool_height == pool_width == stride) this is a reshape and one transpose
    copy; otherwise each channel goes through im2col as a one-channel image.
    """
    N, C, H, W = x.shape
    if PH == PW == stride:
        blocks = x.reshape(N, C, H // PH, PH, W // PW, PW).transpose(3, 5, 0, 1, 2, 4)
        return np.ascontiguousarray(blocks).reshape(PH * PW, -1)
    return _im2col(x.reshape(N * C, 1, H, W), PH, PW, 0, stride)


def _pool_unwindows(dwindows, x_shape, PH, PW, stride):
    """The adjoint of _pool_windows: sums each column entry back onto its pixel of x."""
    N, C, H, W = x_shape
    if PH == PW == stride:
        blocks = dwindows.reshape(PH, PW, N, C, H // PH, W // PW).transpose(2, 3, 4, 0, 5, 1)
        return np.ascontiguousarray(blocks).reshape(N, C, H, W)
    return _col2im(dwindows, (N * C, 1, H, W), PH, PW, 0, stride).reshape(N, C, H, W)


def max_pool_forward_fast(x, pool_param):
    """Fast forward pass for a max-pooling layer; the contract of max_pool_forward_naive.

    Windows that tile the input (pool_height == pool_width == stride) are gathered with a
    reshape, any others with im2col.

    Inputs:
    - x: (N, C, H, W) input data
    - pool_param: dict with the keys
      - pool_height: height of each pooling window; required
      - pool_width: width of each pooling window; required
      - stride: step between neighbouring windows; required

    Returns a tuple of:
    - out: (N, C, H', W') output, H' = 1 + (H - pool_height) // stride, likewise W'
    - cache: (x, pool_param, windows), windows being the (pool_height * pool_width,
      N * C * H' * W') pixels of every window

    Raises ValueError when the windows do not tile the input evenly.
    """
    (x,) = _as_float(x)
    N, C, _, _ = x.shape
    PH, PW, stride, H_out, W_out = _pool_shape(x, pool_param)
    windows = _pool_windows(x, PH, PW, stride)
    out = windows.max(axis=0).reshape(N, C, H_out, W_out)
    cache = (x, pool_param, windows)
    return out, cache


def max_pool_backward_fast(dout, cache):
    """Fast backward pass for a max-pooling layer.

    Each window's gradient goes to the first position (in row-major order) holding the window's
    maximum, as np.argmax picks it in max_pool_backward_naive; overlapping windows add up.

    Inputs:
    - dout: (N, C, H', W') upstream gradient
    - cache: (x, pool_param, windows) from max_pool_forward_fast

    Returns:
    - dx: (N, C, H, W) gradient with respect to x, of x's dtype
    """
    x, pool_param, windows = cache
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    dout = np.asarray(dout, dtype=x.dtype).ravel()
    peak = windows.max(axis=0)
    # One row of the window at a time, vectorised over all windows (np.argmax along axis 0
    # would be several times slower): a row takes the gradient where it holds the maximum and
    # no earlier row did. A NaN counts as the maximum, as for np.argmax.
    dwindows = np.empty_like(windows)
    unrouted = np.ones(peak.shape, dtype=bool)
    for k, row in enumerate(windows):
        first = ((row == peak) | np.isnan(row)) & unrouted
        np.multiply(first, dout, out=dwindows[k])
        unrouted ^= first
    return _pool_unwindows(dwindows, x.shape, PH, PW, pool_param["stride"])


def avg_pool_forward_fast(x, pool_param):
    """Fast forward pass for an average-pooling layer; the contract of avg_pool_forward_naive.

    Inputs:
    - x: (N, C, H, W) input data
    - pool_param: dict with the keys
      - pool_height: height of each pooling window; required
      - pool_width: width of each pooling window; required
      - stride: step between neighbouring windows; required

    Returns a tuple of:
    - out: (N, C, H', W') output, H' = 1 + (H - pool_height) // stride, likewise W'
    - cache: (x, pool_param), as for the naive layer

    Raises ValueError when the windows do not tile the input evenly.
    """
    (x,) = _as_float(x)
    N, C, _, _ = x.shape
    PH, PW, stride, H_out, W_out = _pool_shape(x, pool_param)
    out = _pool_windows(x, PH, PW, stride).mean(axis=0).reshape(N, C, H_out, W_out)
    cache = (x, pool_param)
    return out, cache


def avg_pool_backward_fast(dout, cache):
    """Fast backward pass for an average-pooling layer.

    Inputs:
    - dout: (N, C, H', W') upstream gradient
    - cache: (x, pool_param) from avg_pool_forward_fast

    Returns:
    - dx: (N, C, H, W) gradient with respect to x, of x's dtype; each window shares its gradient
      equally among its pool_height * pool_width inputs, and overlapping windows add up
    """
    x, pool_param = cache
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    share = np.asarray(dout, dtype=x.dtype).reshape(1, -1) / (PH * PW)
    dwindows = np.repeat(share, PH * PW, axis=0)
    return _pool_unwindows(dwindows, x.shape, PH, PW, pool_param["stride"])
