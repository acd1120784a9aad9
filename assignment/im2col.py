# Students: this file is given code; you do not need to change it.
"""im2col turns a convolution into one matrix product by copying each receptive field to a column.

This is the pure-numpy version, used when the compiled ``im2col_cython`` extension is not built.
Both versions share one layout: ``cols`` has one row per (channel, filter row, filter column) and
one column per (image, output row, output column),

    cols[(c * field_height + i) * field_width + j, (n * H_out + y) * W_out + x]
        = x_padded[n, c, y * stride + i, x * stride + j]

so a convolution is ``w.reshape(F, -1) @ cols``, and col2im (the adjoint: it sums every column
entry back onto the input pixel it was copied from) gives the gradient with respect to x.
"""

import numpy as np


def output_size(size, field, padding, stride):
    """Number of positions a field of width ``field`` takes along an axis of ``size`` pixels.

    Returns ``(size + 2 * padding - field) // stride + 1``. Raises ValueError unless the fields
    tile the padded axis exactly (``size + 2 * padding - field`` a non-negative multiple of the
    stride), as the naive layers do, or when stride < 1 or padding < 0.
    """
    span = size + 2 * padding - field
    if stride < 1 or padding < 0 or field < 1 or span < 0 or span % stride != 0:
        raise ValueError(
            f"a field of {field} with stride {stride} and padding {padding} does not tile an "
            f"input of {size}: size + 2*padding - field = {span} must be a non-negative "
            f"multiple of the stride"
        )
    return span // stride + 1


def get_im2col_indices(x_shape, field_height, field_width, padding, stride):
    """Flat indices into the padded input that im2col gathers.

    Inputs:
    - x_shape: (N, C, H, W) of the unpadded input
    - field_height, field_width, padding, stride: as for im2col_indices

    Returns idx: integer array of shape (C * field_height * field_width, N * H_out * W_out), where
    ``cols = x_padded.ravel()[idx]`` for the C-ordered padded input of shape
    (N, C, H + 2 * padding, W + 2 * padding).
    """
    N, C, H, W = x_shape
    H_out = output_size(H, field_height, padding, stride)
    W_out = output_size(W, field_width, padding, stride)
    Hp, Wp = H + 2 * padding, W + 2 * padding
    c, i, j = np.ix_(np.arange(C), np.arange(field_height), np.arange(field_width))
    row_offset = (c * Hp + i) * Wp + j  # (C, field_height, field_width)
    n, y, x = np.ix_(np.arange(N), np.arange(H_out), np.arange(W_out))
    col_offset = n * (C * Hp * Wp) + y * (stride * Wp) + x * stride  # (N, H_out, W_out)
    return row_offset.reshape(-1, 1) + col_offset.reshape(1, -1)


def im2col_indices(x, field_height, field_width, padding, stride):
    """Unfold every receptive field of ``x`` into a column.

    Inputs:
    - x: input, of shape (N, C, H, W)
    - field_height, field_width: size of the receptive field
    - padding: zeros added on each side of H and W
    - stride: step between neighbouring fields

    Returns cols: (C * field_height * field_width, N * H_out * W_out), dtype of x.
    """
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    idx = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    return x_padded.ravel().take(idx)


def col2im_indices(cols, x_shape, field_height, field_width, padding, stride):
    """Fold columns back onto the input, summing where receptive fields overlap.

    Inputs:
    - cols: (C * field_height * field_width, N * H_out * W_out)
    - x_shape: (N, C, H, W) of the input that was unfolded
    - field_height, field_width, padding, stride: as for im2col_indices

    Returns dx: (N, C, H, W), dtype of cols; the padding is cropped away.
    """
    N, C, H, W = x_shape
    p = padding
    idx = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    if cols.shape != idx.shape:
        raise ValueError(
            f"cols of shape {cols.shape} do not match x_shape {tuple(x_shape)} with a "
            f"{field_height}x{field_width} field, padding {padding}, stride {stride}"
        )
    size = N * C * (H + 2 * p) * (W + 2 * p)
    # bincount is numpy's fast scatter-add; it sums in float64 whatever the input dtype.
    summed = np.bincount(idx.ravel(), weights=cols.ravel(), minlength=size)
    dx_padded = summed.reshape(N, C, H + 2 * p, W + 2 * p)
    return dx_padded[:, :, p : p + H, p : p + W].astype(cols.dtype)
