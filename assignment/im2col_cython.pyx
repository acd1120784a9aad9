# Students: this file is given code; you do not need to change it.
# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled im2col and col2im, the loops behind the fast convolution and pooling layers.

Same contract and column layout as the pure-numpy fallback in ``im2col.py``: ``cols`` has one row
per (channel, filter row, filter column) and one column per (image, output row, output column),

    cols[(c * field_height + i) * field_width + j, (n * H_out + y) * W_out + x]
        = x_padded[n, c, y * stride + i, x * stride + j]

Both functions take float32 or float64 arrays and return the same dtype.
"""

import numpy as np

from cython cimport floating


cdef inline Py_ssize_t _output_size(Py_ssize_t size, Py_ssize_t field, Py_ssize_t padding,
                                    Py_ssize_t stride) except -1:
    # The same rule as output_size in im2col.py: the fields must tile the padded axis exactly.
    cdef Py_ssize_t span = size + 2 * padding - field
    if stride < 1 or padding < 0 or field < 1 or span < 0 or span % stride != 0:
        raise ValueError(
            f"a field of {field} with stride {stride} and padding {padding} does not tile an "
            f"input of {size}: size + 2*padding - field = {span} must be a non-negative "
            f"multiple of the stride")
    return span // stride + 1


def im2col_cython(const floating[:, :, :, :] x, Py_ssize_t field_height,
                  Py_ssize_t field_width, Py_ssize_t padding, Py_ssize_t stride):
    """Unfold every receptive field of ``x`` into a column.

    Inputs:
    - x: input, of shape (N, C, H, W), float32 or float64
    - field_height, field_width: size of the receptive field
    - padding: zeros added on each side of H and W
    - stride: step between neighbouring fields; the fields must tile the padded input exactly

    Returns cols: (C * field_height * field_width, N * H_out * W_out), dtype of x.
    """
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t H_out = _output_size(H, field_height, padding, stride)
    cdef Py_ssize_t W_out = _output_size(W, field_width, padding, stride)
    dtype = np.float32 if floating is float else np.float64
    p = padding
    # np.pad keeps a Fortran-ordered input Fortran-ordered; the loops below want C order.
    cdef const floating[:, :, :, ::1] x_padded = np.ascontiguousarray(
        np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))))
    cols_arr = np.empty((C * field_height * field_width, N * H_out * W_out), dtype=dtype)
    cdef floating[:, ::1] cols = cols_arr
    cdef Py_ssize_t n, c, i, j, y, xx, row
    cdef const floating *src
    cdef floating *dst
    with nogil:
        # Rows of cols outermost, so cols is written in order.
        for c in range(C):
            for i in range(field_height):
                for j in range(field_width):
                    row = (c * field_height + i) * field_width + j
                    for n in range(N):
                        for y in range(H_out):
                            src = &x_padded[n, c, y * stride + i, j]
                            dst = &cols[row, (n * H_out + y) * W_out]
                            if stride == 1:
                                for xx in range(W_out):
                                    dst[xx] = src[xx]
                            else:
                                for xx in range(W_out):
                                    dst[xx] = src[xx * stride]
    return cols_arr


def col2im_cython(const floating[:, ::1] cols, x_shape, Py_ssize_t field_height,
                  Py_ssize_t field_width, Py_ssize_t padding, Py_ssize_t stride):
    """Fold columns back onto the input, summing where receptive fields overlap.

    The adjoint of im2col_cython: the gradient with respect to x of sum(im2col(x) * cols).

    Inputs:
    - cols: (C * field_height * field_width, N * H_out * W_out), C-contiguous, float32/float64
    - x_shape: (N, C, H, W) of the input that was unfolded
    - field_height, field_width, padding, stride: as for im2col_cython

    Returns dx: (N, C, H, W), dtype of cols; a view that crops the padding away.
    """
    cdef Py_ssize_t N = x_shape[0], C = x_shape[1], H = x_shape[2], W = x_shape[3]
    cdef Py_ssize_t H_out = _output_size(H, field_height, padding, stride)
    cdef Py_ssize_t W_out = _output_size(W, field_width, padding, stride)
    if cols.shape[0] != C * field_height * field_width or cols.shape[1] != N * H_out * W_out:
        raise ValueError(
            f"cols of shape {(cols.shape[0], cols.shape[1])} do not match x_shape {tuple(x_shape)} "
            f"with a {field_height}x{field_width} field, padding {padding}, stride {stride}")
    dtype = np.float32 if floating is float else np.float64
    p = padding
    dx_padded_arr = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dtype)
    cdef floating[:, :, :, ::1] dx_padded = dx_padded_arr
    cdef Py_ssize_t n, c, i, j, y, xx, row
    cdef const floating *src
    cdef floating *dst
    with nogil:
        # n and c outermost, so one (H, W) plane of dx stays in cache while it is summed into.
        for n in range(N):
            for c in range(C):
                for i in range(field_height):
                    for j in range(field_width):
                        row = (c * field_height + i) * field_width + j
                        for y in range(H_out):
                            src = &cols[row, (n * H_out + y) * W_out]
                            dst = &dx_padded[n, c, y * stride + i, j]
                            if stride == 1:
                                for xx in range(W_out):
                                    dst[xx] += src[xx]
                            else:
                                for xx in range(W_out):
                                    dst[xx * stride] += src[xx]
    return dx_padded_arr[:, :, p:p + H, p:p + W]
