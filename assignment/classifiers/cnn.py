# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""Small convolutional networks assembled from the fast and sandwich layers."""

import numpy as np

from ..layer_utils import (
    affine_relu_backward,
    affine_relu_forward,
    conv_relu_pool_backward,
    conv_relu_pool_forward,
)
from ..layers import affine_backward, affine_forward, softmax_loss


class ThreeLayerConvNet:
    """Convolutional net: conv - relu - 2x2 max pool - affine - relu - affine - softmax.

    Works on minibatches of shape (N, C, H, W). The convolution keeps the spatial size (stride 1,
    pad (filter_size - 1) // 2, for an odd filter_size); the pool halves it. Parameters in
    ``self.params`` (F filters of size fs, M hidden units, K classes):

    - W1: (F, C, fs, fs), b1: (F,)
    - W2: (F * (H // 2) * (W // 2), M), b2: (M,)
    - W3: (M, K), b3: (K,)

    The loss adds the L2 penalty 0.5 * reg * sum(W**2) on the weights (not the biases).
    """

    def __init__(
        self,
        input_dim=(3, 32, 32),
        num_filters=32,
        filter_size=7,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        dtype=np.float32,
    ):
        """Draw the weights from N(0, weight_scale**2) (W1, W2, W3 in order); zero biases.

        Inputs:
        - input_dim: (C, H, W), the shape of one input image
        - num_filters: the number of filters F of the convolution
        - filter_size: height and width fs of the filters (odd, so that the size is kept)
        - hidden_dim: the number of hidden units M of the affine layer
        - num_classes: the number of classes K
        - weight_scale: standard deviation of the initial weights
        - reg: L2 regularisation strength
        - dtype: numpy dtype of the parameters and of all computation
        """
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        # TODO: Initialise W1 (conv filters), W2 (hidden affine) and W3 (output affine), in that
        # order, from a normal distribution with mean 0 and standard deviation weight_scale
        # (np.random.randn), and b1, b2, b3 to zeros. See the class docstring for the shapes.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('ThreeLayerConvNet.__init__ in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """Class scores, or the loss and its gradients.

        Inputs:
        - X: input images, of shape (N, C, H, W)
        - y: labels, of shape (N,), each in 0 <= y[i] < K; optional

        Returns:
        - if y is None, the scores, of shape (N, K)
        - otherwise a tuple (loss, grads): the softmax loss plus the L2 penalty, and a dict with
          the same keys as self.params holding each parameter's gradient
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        scores = None
        # TODO: Compute the class scores (N, K) with conv_relu_pool_forward, affine_relu_forward
        # and affine_forward (using conv_param and pool_param), keeping their caches.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('ThreeLayerConvNet.loss in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Compute the softmax loss plus 0.5 * reg * (sum of W1**2, W2**2 and W3**2), and
        # backpropagate to fill grads with every parameter's gradient (add reg * W for weights).
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('ThreeLayerConvNet.loss in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads


class FourLayerConvNet:
    """Convolutional net with two hidden affine layers:

        conv - relu - 2x2 max pool - affine - relu - affine - relu - affine - softmax

    The convolution keeps the spatial size (stride 1, pad (filter_size - 1) // 2, for an odd
    filter_size); the pool halves it. Both hidden affine layers have M units. Parameters in
    ``self.params`` (F filters of size fs, K classes):

    - W1: (F, C, fs, fs), b1: (F,)
    - W2: (F * (H // 2) * (W // 2), M), b2: (M,)
    - W3: (M, M), b3: (M,)
    - W4: (M, K), b4: (K,)

    The loss adds the L2 penalty 0.5 * reg * sum(W**2) on the weights (not the biases).
    """

    def __init__(
        self,
        input_dim=(3, 32, 32),
        num_filters=32,
        filter_size=7,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        dtype=np.float32,
    ):
        """Draw the weights from N(0, weight_scale**2) (W1 to W4 in order); zero biases.

        Inputs:
        - input_dim: (C, H, W), the shape of one input image
        - num_filters: the number of filters F of the convolution
        - filter_size: height and width fs of the filters (odd, so that the size is kept)
        - hidden_dim: the number of units M of each of the two hidden affine layers
        - num_classes: the number of classes K
        - weight_scale: standard deviation of the initial weights
        - reg: L2 regularisation strength
        - dtype: numpy dtype of the parameters and of all computation
        """
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        # TODO: Initialise W1 (conv filters), W2 and W3 (hidden affines) and W4 (output affine),
        # in that order, from a normal distribution with mean 0 and standard deviation
        # weight_scale (np.random.randn), and b1..b4 to zeros. See the class docstring for shapes.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FourLayerConvNet.__init__ in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """Class scores, or the loss and its gradients.

        Inputs:
        - X: input images, of shape (N, C, H, W)
        - y: labels, of shape (N,), each in 0 <= y[i] < K; optional

        Returns:
        - if y is None, the scores, of shape (N, K)
        - otherwise a tuple (loss, grads): the softmax loss plus the L2 penalty, and a dict with
          the same keys as self.params holding each parameter's gradient
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        W4, b4 = self.params["W4"], self.params["b4"]

        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        scores = None
        # TODO: Compute the class scores (N, K) with conv_relu_pool_forward, two
        # affine_relu_forward and affine_forward (using conv_param and pool_param), keeping
        # their caches.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FourLayerConvNet.loss in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Compute the softmax loss plus 0.5 * reg * (sum of W1**2 to W4**2), and
        # backpropagate to fill grads with every parameter's gradient (add reg * W for weights).
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('FourLayerConvNet.loss in assignment/classifiers/cnn.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads
