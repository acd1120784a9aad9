# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""A two-layer fully-connected network written in one piece: forward, loss, backward and SGD."""

import numpy as np


class TwoLayerNet:
    """Two-layer net with a ReLU hidden layer, a softmax loss and L2 regularisation.

    Architecture: input - fully connected - ReLU - fully connected - softmax. With input dimension
    D, hidden size H and C classes, the parameters live in ``self.params``:

    - W1: first layer weights, of shape (H, D)
    - b1: first layer biases, of shape (H,)
    - W2: second layer weights, of shape (C, H)
    - b2: second layer biases, of shape (C,)

    The scores of the second layer are the class scores (no ReLU after it).
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        """Draw the weights from N(0, std**2) (W1, then W2, from the global np.random); zero biases.

        Inputs:
        - input_size: the input dimension D
        - hidden_size: the number of hidden units H
        - output_size: the number of classes C
        - std: standard deviation of the initial weights
        """
        self.params = {}
        self.params["W1"] = std * np.random.randn(hidden_size, input_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = std * np.random.randn(output_size, hidden_size)
        self.params["b2"] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        """Class scores, or the loss and its gradients.

        Inputs:
        - X: input data, of shape (N, D)
        - y: labels, of shape (N,), each in 0 <= y[i] < C; optional
        - reg: L2 regularisation strength; the loss adds 0.5 * reg * (sum(W1**2) + sum(W2**2))

        Returns:
        - if y is None, the scores, of shape (N, C)
        - otherwise a tuple (loss, grads): the data loss plus the regularisation loss, and a dict
          with the same keys as self.params holding the gradient of the loss for each parameter
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]

        scores = None
        # TODO: Compute the class scores (N, C) of the forward pass: affine, ReLU, affine.
        # Keep the hidden activations for the backward pass. No loops.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.loss in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss = None
        # TODO: Compute the softmax loss averaged over the batch plus the L2 regularisation
        # 0.5 * reg * (sum(W1**2) + sum(W2**2)). Shift the scores by their row maximum first so
        # that np.exp cannot overflow. Keep the class probabilities for the backward pass.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.loss in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        grads = {}
        # TODO: Backpropagate to get the gradient of the loss for W1, b1, W2 and b2, and store
        # them in grads under the same keys, each shaped like its parameter. Include the gradient
        # of the regularisation term.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.loss in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads

    def train(
        self,
        X,
        y,
        X_val,
        y_val,
        learning_rate=1e-3,
        learning_rate_decay=0.95,
        reg=1e-5,
        num_iters=100,
        batch_size=200,
        verbose=False,
        seed=None,
    ):
        """Train with minibatch stochastic gradient descent.

        Inputs:
        - X: training data, of shape (N, D)
        - y: training labels, of shape (N,), each in 0 <= y[i] < C
        - X_val: validation data, of shape (N_val, D)
        - y_val: validation labels, of shape (N_val,)
        - learning_rate: step size of the SGD update
        - learning_rate_decay: factor applied to the learning rate after each epoch
        - reg: L2 regularisation strength
        - num_iters: number of SGD steps
        - batch_size: number of examples per minibatch, drawn with replacement
        - verbose: print the loss every 100 iterations
        - seed: seed of the generator that draws the minibatches (None: unpredictable)

        Returns a dict with:
        - 'loss_history': the minibatch loss of every iteration
        - 'train_acc_history': the minibatch accuracy at the end of every epoch
        - 'val_acc_history': the validation accuracy at the end of every epoch
        """
        rng = np.random.default_rng(seed)
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)

        loss_history = []
        train_acc_history = []
        val_acc_history = []

        for it in range(num_iters):
            X_batch = None
            y_batch = None
            # TODO: Draw a minibatch of batch_size examples with replacement, using rng
            # (e.g. rng.choice), into X_batch (batch_size, D) and y_batch (batch_size,).
            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
            raise NotImplementedError('TwoLayerNet.train in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)

            # TODO: Update every parameter in self.params with a vanilla SGD step, using the
            # gradients in grads and the learning rate.
            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
            raise NotImplementedError('TwoLayerNet.train in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss}")

            if (it + 1) % iterations_per_epoch == 0:
                train_acc_history.append(np.mean(self.predict(X_batch) == y_batch))
                val_acc_history.append(np.mean(self.predict(X_val) == y_val))
                learning_rate *= learning_rate_decay

        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X):
        """Predicted labels for the rows of X.

        Inputs:
        - X: data, of shape (N, D)

        Returns y_pred, of shape (N,): the index of the highest class score of each row.
        """
        y_pred = None
        # TODO: Predict the label of each row as the class with the highest score.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        raise NotImplementedError('TwoLayerNet.predict in assignment/classifiers/neural_net.py is not implemented yet: replace this line with your code (see the TODO above)')
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        return y_pred
