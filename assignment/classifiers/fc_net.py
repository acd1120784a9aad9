# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""Fully-connected networks assembled from the modular layers, trained with the Solver."""

import numpy as np

from ..layer_utils import (
    affine_norm_relu_backward,
    affine_norm_relu_forward,
    affine_relu_backward,
    affine_relu_forward,
)
from ..layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    softmax_loss,
)


class TwoLayerNet:
    """Two-layer net built from the modular layers: affine - relu - affine - softmax.

    Parameters in ``self.params`` (D inputs, H hidden units, C classes):

    - W1: (D, H), b1: (H,), W2: (H, C), b2: (C,)

    The loss adds the L2 penalty 0.5 * reg * sum(W**2) on the weights (not the biases).
    """

    def __init__(
        self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0
    ):
        """Draw the weights from N(0, weight_scale**2) (W1, then W2); zero biases.

        Inputs:
        - input_dim: the input dimension D
        - hidden_dim: the number of hidden units H
        - num_classes: the number of classes C
        - weight_scale: standard deviation of the initial weights
        - reg: L2 regularisation strength
        """
        self.params = {}
        self.reg = reg

        # TODO: Initialise W1 (D, H) and then W2 (H, C) from a normal distribution with mean 0
        # and standard deviation weight_scale (np.random.randn), and b1, b2 to zeros.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.__init__ in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    def loss(self, X, y=None):
        """Class scores, or the loss and its gradients.

        Inputs:
        - X: input data, of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
        - y: labels, of shape (N,), each in 0 <= y[i] < C; optional

        Returns:
        - if y is None, the scores, of shape (N, C)
        - otherwise a tuple (loss, grads): the softmax loss plus the L2 penalty, and a dict with
          the same keys as self.params holding each parameter's gradient
        """
        scores = None
        # TODO: Compute the class scores (N, C) with affine_relu_forward and affine_forward,
        # keeping their caches.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.loss in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Compute the softmax loss plus 0.5 * reg * (sum(W1**2) + sum(W2**2)), and the
        # gradient of every parameter (including the regularisation term's) into grads.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.loss in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads


class FullyConnectedNet:
    """Fully-connected net with any number of hidden layers, optional normalization and dropout.

    For L layers the architecture is

        {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    Parameters in ``self.params``: W1..WL and b1..bL (layer l maps dims[l-1] to dims[l]), and
    with normalization gamma1..gamma(L-1) and beta1..beta(L-1), shaped like the hidden layer's
    biases. The loss adds the L2 penalty 0.5 * reg * sum(W**2) over the weights only.
    """

    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        """Draw the weights from N(0, weight_scale**2) (W1, W2, ... in order); zero biases.

        Inputs:
        - hidden_dims: list of the hidden layers' sizes
        - input_dim: the input dimension D
        - num_classes: the number of classes C
        - dropout: keep probability of the dropout layers; 1 means no dropout layers
        - normalization: None, "batchnorm" or "layernorm"
        - reg: L2 regularisation strength
        - weight_scale: standard deviation of the initial weights
        - dtype: numpy dtype of the parameters and of all computation (float64 for gradient
          checks)
        - seed: if not None, seed of the dropout layers, which makes them deterministic
        """
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(
                f'normalization must be None, "batchnorm" or "layernorm", got {normalization!r}'
            )
        self.normalization = normalization
        self.use_dropout = dropout != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        # TODO: Initialise W1..WL from a normal distribution with mean 0 and standard deviation
        # weight_scale (np.random.randn, in layer order) and b1..bL to zeros. With normalization,
        # also gamma1..gamma(L-1) to ones and beta1..beta(L-1) to zeros.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FullyConnectedNet.__init__ in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        # Every dropout layer gets the same dict, so setting its mode once covers them all.
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout}
            if seed is not None:
                self.dropout_param["seed"] = seed

        # One dict per normalization layer, because batchnorm keeps its running statistics there.
        self.bn_params = []
        if self.normalization is not None:
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]

        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """Class scores, or the loss and its gradients.

        Runs the normalization and dropout layers in "test" mode when y is None, in "train"
        mode otherwise.

        Inputs:
        - X: input data, of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
        - y: labels, of shape (N,), each in 0 <= y[i] < C; optional

        Returns:
        - if y is None, the scores, of shape (N, C)
        - otherwise a tuple (loss, grads): the softmax loss plus the L2 penalty, and a dict with
          the same keys as self.params holding each parameter's gradient
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            bn_param["mode"] = mode

        scores = None
        # TODO: Compute the class scores (N, C): for each hidden layer l, affine - [norm] - relu
        # (affine_relu_forward or affine_norm_relu_forward with self.bn_params[l - 1]), then
        # dropout_forward with self.dropout_param if dropout is on; finally affine_forward.
        # Keep every cache for the backward pass.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FullyConnectedNet.loss in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0.0, {}
        # TODO: Compute the softmax loss plus 0.5 * reg * sum(W**2) over all weights, then
        # backpropagate through the layers in reverse order, storing every parameter's gradient
        # in grads (add reg * W to each weight's gradient).
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FullyConnectedNet.loss in assignment/classifiers/fc_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads
