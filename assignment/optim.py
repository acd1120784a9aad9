# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""First-order update rules: how a parameter moves given its gradient.

Every rule has the same interface:

    next_w, config = update(w, dw, config=None)

Inputs:
- w: an array of the current weights, any shape
- dw: an array of the same shape as w: the gradient of the loss with respect to w
- config: a dict of hyperparameters (learning rate, decay rates, ...) and of the state the rule
  carries from one step to the next (velocity, moving averages, step count). None means "all
  defaults". Missing keys are filled in with their defaults.

Returns a tuple of:
- next_w: the updated weights, same shape as w; w and dw are not modified
- config: the same dict, holding the hyperparameters and the new state, to pass to the next call

Each rule below lists only its config keys. The Solver keeps one config per parameter, so the
state arrays always have the shape of the parameter they belong to.
"""

import numpy as np


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: step against the gradient.

    config keys:
    - learning_rate: step size (default 1e-2)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)

    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """Stochastic gradient descent with momentum: a velocity that accumulates past gradients.

    config keys:
    - learning_rate: step size (default 1e-2)
    - momentum: how much of the velocity survives each step, in [0, 1); 0 is plain SGD
      (default 0.9)
    - velocity: state, shaped like w (default zeros)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config.setdefault("velocity", np.zeros_like(w))

    next_w = None
    # TODO: update the velocity (decay it by momentum, step it against the gradient), move w by
    # the new velocity into next_w, and store the new velocity in config["velocity"].
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('sgd_momentum in assignment/optim.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: divide each step by a moving root-mean-square of that weight's gradients.

    config keys:
    - learning_rate: step size (default 1e-2)
    - decay_rate: how much of the squared-gradient average survives each step, in [0, 1)
      (default 0.99)
    - epsilon: small number added to the root mean square to avoid dividing by zero
      (default 1e-8)
    - cache: state, the moving average of dw**2, shaped like w (default zeros)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    next_w = None
    # TODO: update the moving average of the squared gradient, store it in config["cache"], and
    # put into next_w the step of learning_rate * dw divided by (its square root + epsilon).
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('rmsprop in assignment/optim.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return next_w, config


def adam(w, dw, config=None):
    """Adam: moving averages of the gradient and of its square, both bias-corrected.

    config keys:
    - learning_rate: step size (default 1e-3)
    - beta1: decay rate of the moving average of the gradient (default 0.9)
    - beta2: decay rate of the moving average of the squared gradient (default 0.999)
    - epsilon: small number added to the denominator to avoid dividing by zero (default 1e-8)
    - m: state, moving average of dw, shaped like w (default zeros)
    - v: state, moving average of dw**2, shaped like w (default zeros)
    - t: state, the number of steps taken so far (default 0); the step being taken is t + 1
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    next_w = None
    # TODO: increment t FIRST, update m and v, bias-correct them with 1 - beta**t, put the Adam
    # step into next_w, and store the new m, v and t in config.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('adam in assignment/optim.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return next_w, config
