# Students: this file is given code; you do not need to change it.
"""Sandwich layers: common runs of layers fused into one forward and one backward function.

Each forward returns ``(out, cache)`` where ``cache`` is the tuple of its parts' caches; each
backward unpacks that tuple and runs the parts' backward passes in reverse order. Convolution and
pooling use the fast layers.
"""

from .fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from .layers import (
    affine_backward,
    affine_forward,
    batchnorm_backward,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)

_NORM_LAYERS = {
    "batchnorm": (batchnorm_forward, batchnorm_backward),
    "layernorm": (layernorm_forward, layernorm_backward),
}


def affine_relu_forward(x, w, b):
    """Affine transform followed by a ReLU.

    Inputs:
    - x: input, of shape (N, d_1, ..., d_k); each example is flattened to D = d_1 * ... * d_k
    - w: weights, of shape (D, M)
    - b: biases, of shape (M,)

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, M)
    - cache: (fc_cache, relu_cache)
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass for the affine-relu sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, M)
    - cache: (fc_cache, relu_cache) from affine_relu_forward

    Returns a tuple of (dx, dw, db), shaped like x, w and b.
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)


def affine_norm_relu_forward(x, w, b, gamma, beta, norm_param, normalization="batchnorm"):
    """Affine transform, then batch or layer normalization, then a ReLU.

    Inputs:
    - x: input, of shape (N, d_1, ..., d_k); each example is flattened to D = d_1 * ... * d_k
    - w: weights, of shape (D, M)
    - b: biases, of shape (M,)
    - gamma, beta: scale and shift of the normalization, of shape (M,)
    - norm_param: the bn_param (batchnorm) or ln_param (layernorm) dict passed to the
      normalization layer; batchnorm writes its running statistics back into it
    - normalization: "batchnorm" or "layernorm"

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, M)
    - cache: (fc_cache, norm_cache, relu_cache, normalization)
    """
    if normalization not in _NORM_LAYERS:
        raise ValueError(f'normalization must be "batchnorm" or "layernorm", got {normalization!r}')
    norm_forward, _ = _NORM_LAYERS[normalization]
    a, fc_cache = affine_forward(x, w, b)
    an, norm_cache = norm_forward(a, gamma, beta, norm_param)
    out, relu_cache = relu_forward(an)
    return out, (fc_cache, norm_cache, relu_cache, normalization)


def affine_norm_relu_backward(dout, cache):
    """Backward pass for the affine-norm-relu sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, M)
    - cache: (fc_cache, norm_cache, relu_cache, normalization) from affine_norm_relu_forward

    Returns a tuple of (dx, dw, db, dgamma, dbeta), shaped like x, w, b, gamma and beta.
    """
    fc_cache, norm_cache, relu_cache, normalization = cache
    _, norm_backward = _NORM_LAYERS[normalization]
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = norm_backward(dan, norm_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def conv_relu_forward(x, w, b, conv_param):
    """Convolution followed by a ReLU.

    Inputs:
    - x: input, of shape (N, C, H, W)
    - w: filters, of shape (F, C, HH, WW)
    - b: biases, of shape (F,)
    - conv_param: dict with 'stride' and 'pad', as for conv_forward_fast

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, F, H', W')
    - cache: (conv_cache, relu_cache)
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward pass for the conv-relu sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W')
    - cache: (conv_cache, relu_cache) from conv_relu_forward

    Returns a tuple of (dx, dw, db), shaped like x, w and b.
    """
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """Convolution, ReLU, then max pooling.

    Inputs:
    - x: input, of shape (N, C, H, W)
    - w: filters, of shape (F, C, HH, WW)
    - b: biases, of shape (F,)
    - conv_param: dict with 'stride' and 'pad', as for conv_forward_fast
    - pool_param: dict with 'pool_height', 'pool_width' and 'stride', as for
      max_pool_forward_fast

    Returns a tuple of:
    - out: output of the pooling layer, of shape (N, F, H'', W'')
    - cache: (conv_cache, relu_cache, pool_cache)
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """Backward pass for the conv-relu-pool sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H'', W'')
    - cache: (conv_cache, relu_cache, pool_cache) from conv_relu_pool_forward

    Returns a tuple of (dx, dw, db), shaped like x, w and b.
    """
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """Convolution, spatial batch normalization, then a ReLU.

    Inputs:
    - x: input, of shape (N, C, H, W)
    - w: filters, of shape (F, C, HH, WW)
    - b: biases, of shape (F,)
    - gamma, beta: scale and shift of the spatial batchnorm, of shape (F,)
    - conv_param: dict with 'stride' and 'pad', as for conv_forward_fast
    - bn_param: dict passed to spatial_batchnorm_forward (its 'mode' and running statistics)

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, F, H', W')
    - cache: (conv_cache, bn_cache, relu_cache)
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """Backward pass for the conv-bn-relu sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W')
    - cache: (conv_cache, bn_cache, relu_cache) from conv_bn_relu_forward

    Returns a tuple of (dx, dw, db, dgamma, dbeta), shaped like x, w, b, gamma and beta.
    """
    conv_cache, bn_cache, relu_cache = cache
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = spatial_batchnorm_backward(dan, bn_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db, dgamma, dbeta
