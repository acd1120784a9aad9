# Generated from solutions/fast_layers.py by `python -m grader.generate`.
# Do not edit it by hand: edit solutions/fast_layers.py and run the command again.
# Students: this file is given code; you do not need to change it.
"""Fast convolution and pooling layers: the naive layers' contracts, computed with im2col and BLAS.

Each function takes the same arguments and returns the same values as its naive counterpart in
``layers.py`` (up to floating-point rounding); only the caches differ, so a fast backward must be
given the cache of the matching fast forward.

A convolution becomes one matrix product: every receptive field of the padded input is copied into
a column of ``x_cols`` (im2col), so ``out = w.reshape(F, -1) @ x_cols``. The backward pass is two
more products and col2im, which sums each column back onto the pixels it was copied from. im2col
and col2im come from the compiled ``im2col_cython`` extension when it is built, otherwise from
the pure-numpy ``im2col.py`` (slower, same results); ``use_backend`` switches between them.
"""

import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .im2col import col2im_indices, im2col_indices, output_size

_BUILD_HINT = (
    "build it with `pip install -e .` (or `python setup.py build_ext --inplace`) from the "
    "project root"
)

try:
    from . import im2col_cython as _cython
except ImportError as _err:
    _cython = None
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
            f"{__package__}.im2col_cython is not built; {_BUILD_HINT}") from _cython_error
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
    db = dout.sum(axis=(0, 2, 3))
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N * H' * W'), like the forward
    dw = (dout_rows @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_rows  # (C * HH * WW, N * H' * W')
    dx = _col2im(dx_cols, x.shape, HH, WW, pad, stride)
    return dx, dw, db


def _pool_shape(x, pool_param):
    """(pool_height, pool_width, stride, H', W', tiles) for pooling x; tiles means the windows
    are exactly the blocks of a grid covering x, so a reshape can replace im2col."""
    _, _, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    H_out = output_size(H, PH, 0, stride)
    W_out = output_size(W, PW, 0, stride)
    tiles = PH == PW == stride
    return PH, PW, stride, H_out, W_out, tiles


def _windows_last(x, PH, PW, H_out, W_out):
    """For tiling windows: x as (N, C, H', W', PH * PW), each window's pixels in row-major order."""
    N, C, _, _ = x.shape
    blocks = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5)
    return blocks.reshape(N, C, H_out, W_out, PH * PW)


def _windows_first(windows, PH, PW):
    """Inverse of _windows_last: (N, C, H', W', PH * PW) back to (N, C, H, W)."""
    N, C, H_out, W_out, _ = windows.shape
    blocks = windows.reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5)
    return blocks.reshape(N, C, H_out * PH, W_out * PW)


def max_pool_forward_fast(x, pool_param):
    """Fast forward pass for a max-pooling layer; the contract of max_pool_forward_naive.

    Windows that tile the input (pool_height == pool_width == stride) are pooled with a reshape;
    any other windows with im2col.

    Inputs:
    - x: (N, C, H, W) input data
    - pool_param: dict with the keys
      - pool_height: height of each pooling window; required
      - pool_width: width of each pooling window; required
      - stride: step between neighbouring windows; required

    Returns a tuple of:
    - out: (N, C, H', W') output, H' = 1 + (H - pool_height) // stride, likewise W'
    - cache: (x, pool_param, first_max), first_max being the (N, C, H', W') index, in row-major
      order within its window, of each window's first maximum

    Raises ValueError when the windows do not tile the input evenly.
    """
    (x,) = _as_float(x)
    N, C, H, W = x.shape
    PH, PW, stride, H_out, W_out, tiles = _pool_shape(x, pool_param)
    if tiles:
        windows = _windows_last(x, PH, PW, H_out, W_out)
        first_max = windows.argmax(axis=4)
        out = np.take_along_axis(windows, first_max[..., None], axis=4)[..., 0]
    else:
        # Each channel as a one-channel image, so a column is one window: (PH * PW, N*C*H'*W').
        x_cols = _im2col(x.reshape(N * C, 1, H, W), PH, PW, 0, stride)
        first_max = x_cols.argmax(axis=0)
        out = x_cols[first_max, np.arange(x_cols.shape[1])]
        out = out.reshape(N, C, H_out, W_out)
        first_max = first_max.reshape(N, C, H_out, W_out)
    cache = (x, pool_param, first_max)
    return out, cache


def max_pool_backward_fast(dout, cache):
    """Fast backward pass for a max-pooling layer.

    Each window's gradient goes to the first position (in row-major order) holding the window's
    maximum, as in max_pool_backward_naive; overlapping windows add up.

    Inputs:
    - dout: (N, C, H', W') upstream gradient
    - cache: (x, pool_param, first_max) from max_pool_forward_fast

    Returns:
    - dx: (N, C, H, W) gradient with respect to x, of x's dtype
    """
    x, pool_param, first_max = cache
    N, C, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    dout = np.asarray(dout, dtype=x.dtype)
    if PH == PW == stride:
        dwindows = np.zeros(dout.shape + (PH * PW,), dtype=dout.dtype)
        np.put_along_axis(dwindows, first_max[..., None], dout[..., None], axis=4)
        return _windows_first(dwindows, PH, PW)
    dx_cols = np.zeros((PH * PW, dout.size), dtype=dout.dtype)
    dx_cols[first_max.ravel(), np.arange(dout.size)] = dout.ravel()
    dx = _col2im(dx_cols, (N * C, 1, H, W), PH, PW, 0, stride)
    return dx.reshape(N, C, H, W)


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
    N, C, H, W = x.shape
    PH, PW, stride, H_out, W_out, tiles = _pool_shape(x, pool_param)
    if tiles:
        out = x.reshape(N, C, H_out, PH, W_out, PW).mean(axis=(3, 5))
    else:
        x_cols = _im2col(x.reshape(N * C, 1, H, W), PH, PW, 0, stride)
        out = x_cols.mean(axis=0).reshape(N, C, H_out, W_out)
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
    N, C, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    dout = np.asarray(dout, dtype=x.dtype)
    share = dout / (PH * PW)
    _, _, H_out, W_out = dout.shape
    if PH == PW == stride:
        blocks = np.empty((N, C, H_out, PH, W_out, PW), dtype=x.dtype)
        blocks[...] = share[:, :, :, None, :, None]
        return blocks.reshape(N, C, H, W)
    dx_cols = np.repeat(share.reshape(1, -1), PH * PW, axis=0)
    dx = _col2im(dx_cols, (N * C, 1, H, W), PH, PW, 0, stride)
    return dx.reshape(N, C, H, W)
