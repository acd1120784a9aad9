# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""Layers of a neural network, each a forward and a backward function with no hidden state.

Every layer is a pair of plain functions:

- ``*_forward(inputs..., params)`` returns ``(out, cache)``: the output, and whatever the
  backward pass needs;
- ``*_backward(dout, cache)`` takes the upstream gradient ``dout`` (shaped like ``out``) and
  returns the gradient of the loss with respect to each input, in the order of the forward
  pass's arguments.

Neither function modifies its array arguments. The only side effect is documented: batchnorm
writes its running statistics back into the ``bn_param`` dict it was given. The two loss
functions return ``(loss, dx)`` instead.
"""

import numpy as np


def affine_forward(x, w, b):
    """Forward pass for an affine (fully-connected) layer.

    Each example x[i] has shape (d_1, ..., d_k) and is flattened into a row of length
    D = d_1 * ... * d_k before the product.

    Inputs:
    - x: (N, d_1, ..., d_k) input data
    - w: (D, M) weights
    - b: (M,) biases

    Returns a tuple of:
    - out: (N, M) the output x_rows @ w + b
    - cache: (x, w, b)
    """
    # TODO: Implement the affine forward pass: flatten each example of x into a row of
    # length D and store x_rows @ w + b in out.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('affine_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass for an affine layer.

    Inputs:
    - dout: (N, M) upstream gradient
    - cache: (x, w, b) from affine_forward

    Returns a tuple of:
    - dx: (N, d_1, ..., d_k) gradient with respect to x
    - dw: (D, M) gradient with respect to w
    - db: (M,) gradient with respect to b
    """
    x, w, b = cache
    # TODO: Implement the affine backward pass. dx must have the shape of x, not (N, D).
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('affine_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dw, db


def relu_forward(x):
    """Forward pass for a layer of rectified linear units, max(0, x) elementwise.

    Inputs:
    - x: inputs, of any shape

    Returns a tuple of:
    - out: output, of the same shape as x
    - cache: x
    """
    # TODO: Implement the ReLU forward pass.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('relu_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass for a layer of rectified linear units.

    Inputs:
    - dout: upstream gradient, of any shape
    - cache: x, the input of relu_forward, of the same shape as dout

    Returns:
    - dx: gradient with respect to x; dout where x > 0, zero elsewhere
    """
    x = cache
    # TODO: Implement the ReLU backward pass without modifying dout or x in place.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('relu_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the examples.

    Inputs:
    - x: (N, C) class scores; x[i, j] is the score of class j for example i
    - y: (N,) labels, 0 <= y[i] < C

    Returns a tuple of:
    - loss: the mean over i of sum over j != y[i] of max(0, x[i, j] - x[i, y[i]] + 1)
    - dx: (N, C) gradient of the loss with respect to x
    """
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    loss = margins.sum() / N
    dx = (margins > 0).astype(x.dtype)
    # The correct class's score appears, negated, in every positive margin of its row.
    dx[rows, y] = -dx.sum(axis=1)
    dx /= N
    return loss, dx


def softmax_loss(x, y):
    """Softmax cross-entropy loss, averaged over the examples.

    Inputs:
    - x: (N, C) class scores; x[i, j] is the score of class j for example i
    - y: (N,) labels, 0 <= y[i] < C

    Returns a tuple of:
    - loss: the mean over i of -log softmax(x[i])[y[i]]
    - dx: (N, C) gradient of the loss with respect to x
    """
    N = x.shape[0]
    rows = np.arange(N)
    # Shifting each row by its maximum leaves the softmax unchanged and keeps exp from overflowing.
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].mean()
    dx = np.exp(log_probs)
    dx[rows, y] -= 1
    dx /= N
    return loss, dx


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass for batch normalization.

    In train mode each feature is normalised with the mean and (biased) variance of the
    minibatch, and exponentially decaying running averages of both are kept:

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var

    In test mode the running averages are used instead of the batch statistics. Either way
    the normalised data is scaled by gamma and shifted by beta.

    Inputs:
    - x: (N, D) data
    - gamma: (D,) scale
    - beta: (D,) shift
    - bn_param: dict with the keys
      - mode: 'train' or 'test'; required
      - eps: constant added to the variance for numeric stability; default 1e-5
      - momentum: decay of the running averages; default 0.9
      - running_mean: (D,) running mean of the features; default zeros of x's dtype
      - running_var: (D,) running variance of the features; default zeros of x's dtype
      The updated running_mean and running_var are written back into this same dict.

    Returns a tuple of:
    - out: (N, D) normalised, scaled and shifted data
    - cache: in train mode, what batchnorm_backward needs: (x_hat, x_centered, std, gamma);
      None in test mode
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    cache = None
    if mode == "train":
        # TODO: Normalise x with the minibatch mean and biased variance, scale and shift it
        # into out, update running_mean and running_var, and store in cache what the
        # backward pass needs.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('batchnorm_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # TODO: Normalise x with the running mean and variance, then scale and shift it.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('batchnorm_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward pass for batch normalization, staged through its computation graph.

    Inputs:
    - dout: (N, D) upstream gradient
    - cache: from batchnorm_forward in train mode

    Returns a tuple of:
    - dx: (N, D) gradient with respect to x
    - dgamma: (D,) gradient with respect to gamma
    - dbeta: (D,) gradient with respect to beta
    """
    # TODO: Backpropagate through each intermediate node of the forward pass in turn,
    # summing the gradients of a node that feeds several others.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('batchnorm_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass for batch normalization, from the gradient simplified on paper.

    Same contract as batchnorm_backward; the result agrees with it to rounding error.
    """
    # TODO: Compute dx from dout, x_hat, gamma and std in one closed-form expression,
    # without the intermediate gradients of the mean and variance.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('batchnorm_backward_alt in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass for layer normalization.

    Each example is normalised over its own D features (not over the batch), then scaled by
    gamma and shifted by beta. Train and test time behave the same and no running statistics
    are kept.

    Inputs:
    - x: (N, D) data
    - gamma: (D,) scale
    - beta: (D,) shift
    - ln_param: dict with the key
      - eps: constant added to the variance for numeric stability; default 1e-5

    Returns a tuple of:
    - out: (N, D) normalised, scaled and shifted data
    - cache: what layernorm_backward needs: (x_hat, std, gamma), std of shape (N, 1)
    """
    eps = ln_param.get("eps", 1e-5)
    # TODO: Normalise each row of x with its own mean and biased variance, scale and shift
    # it into out, and store in cache what the backward pass needs.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('layernorm_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass for layer normalization.

    Inputs:
    - dout: (N, D) upstream gradient
    - cache: from layernorm_forward

    Returns a tuple of:
    - dx: (N, D) gradient with respect to x
    - dgamma: (D,) gradient with respect to gamma
    - dbeta: (D,) gradient with respect to beta
    """
    # TODO: Implement the layer normalization backward pass. It is batchnorm's backward
    # with the roles of the batch and feature axes exchanged for the normalisation.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('layernorm_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Forward pass for inverted dropout.

    At train time each unit is kept with probability p and the kept units are scaled by 1/p,
    so the expected output equals the input; at test time the layer is the identity.

    Inputs:
    - x: input data, of any shape
    - dropout_param: dict with the keys
      - p: probability of KEEPING each unit, 0 < p <= 1; required
      - mode: 'train' or 'test'; required
      - seed: seed of the random generator that draws the mask; default None (fresh
        entropy). The same seed gives the same mask, which gradient checks rely on.

    Returns a tuple of:
    - out: output, of the same shape and dtype as x
    - cache: (dropout_param, mask); mask is the array x was multiplied by at train time
      (zeros and 1/p), None at test time
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if not 0 < p <= 1:
        raise ValueError(f"dropout_param['p'] is the keep probability, in (0, 1]; got {p}")

    mask = None
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        # TODO: Draw with rng a mask that keeps each unit with probability p and scales the
        # kept units by 1/p, store it in mask (with x's dtype), and apply it to x.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('dropout_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # TODO: Implement the test-time forward pass of dropout.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('dropout_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    else:
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")

    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass for inverted dropout.

    Inputs:
    - dout: upstream gradient, of any shape
    - cache: (dropout_param, mask) from dropout_forward

    Returns:
    - dx: gradient with respect to x, of the same shape as dout
    """
    dropout_param, mask = cache
    mode = dropout_param["mode"]
    if mode == "train":
        # TODO: Implement the train-time backward pass of dropout with the forward mask.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('dropout_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # TODO: Implement the test-time backward pass of dropout.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('dropout_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    else:
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    return dx


def _output_size(size, field, stride, pad, what):
    """Number of positions of a window of width ``field`` sliding over ``size + 2*pad``."""
    span = size + 2 * pad - field
    if stride < 1 or span < 0 or span % stride != 0:
        raise ValueError(
            f"{what}: a window of {field} with stride {stride} and padding {pad} does not tile "
            f"an input of {size}; (size + 2*pad - window) = {span} must be a non-negative "
            f"multiple of the stride"
        )
    return 1 + span // stride


def conv_forward_naive(x, w, b, conv_param):
    """Naive forward pass for a convolutional layer (cross-correlation, as in CNNs).

    The input has N examples of C channels, height H and width W. Each of the F filters spans
    all C channels and has height HH and width WW.

    Inputs:
    - x: (N, C, H, W) input data
    - w: (F, C, HH, WW) filter weights
    - b: (F,) biases
    - conv_param: dict with the keys
      - stride: step between neighbouring receptive fields, in both directions; required
      - pad: number of zeros added on every side of the input (height and width); required

    Returns a tuple of:
    - out: (N, F, H', W') output, where
        H' = 1 + (H + 2 * pad - HH) // stride
        W' = 1 + (W + 2 * pad - WW) // stride
    - cache: (x, w, b, conv_param)

    Raises ValueError when the filters do not tile the padded input evenly.
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    H_out = _output_size(H, HH, stride, pad, "conv height")
    W_out = _output_size(W, WW, stride, pad, "conv width")
    # TODO: Implement the convolutional forward pass into out, of shape (N, F, H_out, W_out).
    # Pad x with np.pad; loop over output positions and compute all examples and all filters
    # at once for each position.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('conv_forward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """Naive backward pass for a convolutional layer.

    Inputs:
    - dout: (N, F, H', W') upstream gradient
    - cache: (x, w, b, conv_param) from conv_forward_naive

    Returns a tuple of:
    - dx: (N, C, H, W) gradient with respect to x
    - dw: (F, C, HH, WW) gradient with respect to w
    - db: (F,) gradient with respect to b
    """
    x, w, b, conv_param = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    # TODO: Implement the convolutional backward pass. Each output position sends gradient
    # to the receptive field it was computed from; overlapping fields add up.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('conv_backward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """Naive forward pass for a max-pooling layer.

    Inputs:
    - x: (N, C, H, W) input data
    - pool_param: dict with the keys
      - pool_height: height of each pooling window; required
      - pool_width: width of each pooling window; required
      - stride: step between neighbouring windows; required

    Returns a tuple of:
    - out: (N, C, H', W') output, where
        H' = 1 + (H - pool_height) // stride
        W' = 1 + (W - pool_width) // stride
    - cache: (x, pool_param)

    Raises ValueError when the windows do not tile the input evenly.
    """
    N, C, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    H_out = _output_size(H, PH, stride, 0, "max pool height")
    W_out = _output_size(W, PW, stride, 0, "max pool width")
    # TODO: Implement the max-pooling forward pass into out, of shape (N, C, H_out, W_out),
    # looping over output positions only.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('max_pool_forward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """Naive backward pass for a max-pooling layer.

    Each window's gradient goes to the first position (in row-major order, as np.argmax
    picks it) that holds the window's maximum.

    Inputs:
    - dout: (N, C, H', W') upstream gradient
    - cache: (x, pool_param) from max_pool_forward_naive

    Returns:
    - dx: (N, C, H, W) gradient with respect to x
    """
    x, pool_param = cache
    N, C, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    # TODO: Implement the max-pooling backward pass: route each window's gradient to the
    # first maximum of that window (use np.argmax). Overlapping windows add up.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('max_pool_backward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx


def avg_pool_forward_naive(x, pool_param):
    """Naive forward pass for an average-pooling layer.

    Inputs:
    - x: (N, C, H, W) input data
    - pool_param: dict with the keys
      - pool_height: height of each pooling window; required
      - pool_width: width of each pooling window; required
      - stride: step between neighbouring windows; required

    Returns a tuple of:
    - out: (N, C, H', W') output, where
        H' = 1 + (H - pool_height) // stride
        W' = 1 + (W - pool_width) // stride
    - cache: (x, pool_param)

    Raises ValueError when the windows do not tile the input evenly.
    """
    N, C, H, W = x.shape
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    H_out = _output_size(H, PH, stride, 0, "average pool height")
    W_out = _output_size(W, PW, stride, 0, "average pool width")
    # TODO: Implement the average-pooling forward pass into out, of shape
    # (N, C, H_out, W_out), looping over output positions only.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('avg_pool_forward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, pool_param)
    return out, cache


def avg_pool_backward_naive(dout, cache):
    """Naive backward pass for an average-pooling layer.

    Inputs:
    - dout: (N, C, H', W') upstream gradient
    - cache: (x, pool_param) from avg_pool_forward_naive

    Returns:
    - dx: (N, C, H, W) gradient with respect to x
    """
    x, pool_param = cache
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    # TODO: Implement the average-pooling backward pass: each window shares its gradient
    # equally among its pool_height * pool_width inputs. Overlapping windows add up.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('avg_pool_backward_naive in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass for spatial batch normalization.

    Each channel is normalised with statistics over the batch and both spatial dimensions,
    i.e. batchnorm applied to the (N*H*W, C) matrix of all pixels.

    Inputs:
    - x: (N, C, H, W) input data
    - gamma: (C,) scale
    - beta: (C,) shift
    - bn_param: dict as for batchnorm_forward (mode required; eps, momentum, running_mean and
      running_var of shape (C,)); the running statistics are written back into it

    Returns a tuple of:
    - out: (N, C, H, W) output
    - cache: what spatial_batchnorm_backward needs (batchnorm_forward's cache)
    """
    # TODO: Implement spatial batch normalization by reshaping x to (N*H*W, C), calling
    # batchnorm_forward, and reshaping its output back to (N, C, H, W).
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('spatial_batchnorm_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass for spatial batch normalization.

    Inputs:
    - dout: (N, C, H, W) upstream gradient
    - cache: from spatial_batchnorm_forward

    Returns a tuple of:
    - dx: (N, C, H, W) gradient with respect to x
    - dgamma: (C,) gradient with respect to gamma
    - dbeta: (C,) gradient with respect to beta
    """
    # TODO: Implement the spatial batch normalization backward pass with batchnorm_backward
    # and the same reshaping as the forward pass.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('spatial_batchnorm_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass for spatial group normalization.

    The C channels are split into G groups of C // G contiguous channels; each example's
    group is normalised with its own mean and (biased) variance over its channels and pixels
    (never across the batch), then each channel is scaled by gamma and shifted by beta.

    Inputs:
    - x: (N, C, H, W) input data
    - gamma: (1, C, 1, 1) scale
    - beta: (1, C, 1, 1) shift
    - G: number of groups, a divisor of C
    - gn_param: dict with the key
      - eps: constant added to the variance for numeric stability; default 1e-5

    Returns a tuple of:
    - out: (N, C, H, W) output
    - cache: what spatial_groupnorm_backward needs: (x_hat, std, gamma, G), x_hat of shape
      (N, C, H, W) and std of shape (N, G, 1)

    Raises ValueError when G does not divide C.
    """
    N, C, H, W = x.shape
    if G < 1 or C % G != 0:
        raise ValueError(f"group norm: G={G} groups must divide the C={C} channels")
    eps = gn_param.get("eps", 1e-5)
    # TODO: Implement group normalization: view x as (N, G, rest), normalise each row with
    # its own statistics, then reshape back and apply the per-channel gamma and beta.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('spatial_groupnorm_forward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass for spatial group normalization.

    Inputs:
    - dout: (N, C, H, W) upstream gradient
    - cache: from spatial_groupnorm_forward

    Returns a tuple of:
    - dx: (N, C, H, W) gradient with respect to x
    - dgamma: (1, C, 1, 1) gradient with respect to gamma
    - dbeta: (1, C, 1, 1) gradient with respect to beta
    """
    # TODO: Implement the group normalization backward pass: layernorm's backward applied to
    # each (example, group) row, with gamma and beta gradients summed per channel.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('spatial_groupnorm_backward in assignment/layers.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta
