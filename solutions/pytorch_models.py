"""PyTorch: the same kind of networks you wrote by hand, written with a framework.

PyTorch is an optional extra of this assignment: ``pip install -e ".[torch]"``. Every tensor
here is ``float32`` with images shaped ``(N, C, H, W)``, as in the numpy code. Your code goes
between the START/END markers; the grader calls these functions and classes as their
docstrings describe.

Part II (barebones): ``flatten``, ``three_layer_convnet``, ``random_weight``, ``zero_weight``,
``three_layer_convnet_init`` and ``sgd_step``.
Part III (Module API): ``ThreeLayerConvNet``.
Part IV (Sequential API): ``sequential_model`` and ``sequential_optimizer``.
Part V (open-ended): ``challenge``, a declaration that the given ``build_challenge_model`` and
``build_optimizer`` turn into a model and an optimizer, so that the grader can train it again.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the name every PyTorch tutorial uses
from torch import nn

DTYPE = torch.float32


def flatten(x):
    """Flatten each example of a batch into one row.

    Input:
    - x: a tensor of shape (N, C, H, W)

    Returns a tensor of shape (N, C * H * W), each row holding one example's values in the
    order of ``x[i].reshape(-1)`` (channel, then row, then column).
    """
    # TODO: Reshape x to (N, -1) without changing the order of the values.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return x.reshape(x.shape[0], -1)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def two_layer_fc(x, params):
    """Given: a two-layer fully-connected ReLU network, barebones style.

    - x: (N, C, H, W) or (N, D); params: [w1 (D, H), w2 (H, num_classes)]. Returns (N, classes).
    """
    w1, w2 = params
    hidden = F.relu(flatten(x).mm(w1))
    return hidden.mm(w2)


def three_layer_convnet(x, params):
    """Scores of a three-layer ConvNet, written with ``torch.nn.functional`` (no nn.Module).

    Architecture: conv (5x5 filters, zero padding 2, stride 1, with bias) - ReLU -
    conv (3x3 filters, zero padding 1, stride 1, with bias) - ReLU - fully connected (with bias).

    Inputs:
    - x: a tensor of images, shape (N, C, H, W)
    - params: a list [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]:
      - conv_w1: (channel_1, C, 5, 5); conv_b1: (channel_1,)
      - conv_w2: (channel_2, channel_1, 3, 3); conv_b2: (channel_2,)
      - fc_w: (channel_2 * H * W, num_classes); fc_b: (num_classes,)
        (the fully-connected layer computes ``flatten(h).mm(fc_w) + fc_b``)

    Returns the scores, a tensor of shape (N, num_classes). No softmax.
    """
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    # TODO: Compute the scores with F.conv2d, F.relu and flatten (see the docstring).
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    hidden = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    hidden = F.relu(F.conv2d(hidden, conv_w2, conv_b2, padding=1))
    scores = flatten(hidden).mm(fc_w) + fc_b
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return scores


def random_weight(shape):
    """A new weight tensor drawn with Kaiming-normal initialisation, ready to learn.

    The values are normal with mean 0 and standard deviation ``sqrt(2 / fan_in)``, where
    ``fan_in`` is ``shape[0]`` for a 2-D shape ``(D_in, D_out)`` (a weight used as
    ``x.mm(w)``) and the product of ``shape[1:]`` otherwise (a conv weight
    ``(F, C, HH, WW)`` has fan_in ``C * HH * WW``). Draw from ``torch``'s global generator
    (``torch.manual_seed`` makes it reproducible).

    Returns a float32 tensor of that shape with ``requires_grad`` set.
    """
    # TODO: Draw the Kaiming-normal weight; remember requires_grad.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    fan_in = shape[0] if len(shape) == 2 else math.prod(shape[1:])
    weight = torch.randn(shape, dtype=DTYPE) * math.sqrt(2.0 / fan_in)
    weight.requires_grad_()
    return weight
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def zero_weight(shape):
    """A float32 tensor of zeros of that shape, with ``requires_grad`` set (a bias)."""
    # TODO: Return the zero tensor that can learn.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return torch.zeros(shape, dtype=DTYPE, requires_grad=True)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def three_layer_convnet_init(in_channel, channel_1, channel_2, num_classes, image_size=(8, 8)):
    """The parameters of ``three_layer_convnet``, initialised to learn.

    Returns the list [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] with the shapes that
    ``three_layer_convnet`` documents (H, W = image_size): weights from ``random_weight``,
    biases from ``zero_weight``.
    """
    height, width = image_size
    # TODO: Build the six tensors with random_weight and zero_weight.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return [
        random_weight((channel_1, in_channel, 5, 5)),
        zero_weight((channel_1,)),
        random_weight((channel_2, channel_1, 3, 3)),
        zero_weight((channel_2,)),
        random_weight((channel_2 * height * width, num_classes)),
        zero_weight((num_classes,)),
    ]
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def sgd_step(params, learning_rate):
    """One hand-written step of plain gradient descent, after ``loss.backward()``.

    Moves every tensor of ``params`` in place against its gradient
    (``w <- w - learning_rate * w.grad``) without recording the update in the autograd graph,
    then sets each gradient back to zero so that the next backward pass starts afresh.
    Returns nothing.
    """
    # TODO: Update every tensor in place under torch.no_grad(), then zero its gradient.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    with torch.no_grad():
        for weight in params:
            weight -= learning_rate * weight.grad
            weight.grad.zero_()
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


class ThreeLayerConvNet(nn.Module):
    """The three-layer ConvNet of ``three_layer_convnet``, as an ``nn.Module``.

    conv (channel_1 5x5 filters, padding 2) - ReLU - conv (channel_2 3x3 filters, padding 1) -
    ReLU - fully connected to num_classes scores; every layer has a bias. Images are
    (N, in_channel, H, W) with (H, W) = image_size.

    Initialisation: every weight Kaiming-normal (``nn.init.kaiming_normal_``: standard deviation
    ``sqrt(2 / fan_in)``, fan_in = in_features of a linear layer, in_channels * kh * kw of a
    conv), every bias zero.
    """

    def __init__(self, in_channel, channel_1, channel_2, num_classes, image_size=(8, 8)):
        super().__init__()
        height, width = image_size
        # TODO: Create the three layers (nn.Conv2d, nn.Conv2d, nn.Linear) and initialise them.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)
        self.fc = nn.Linear(channel_2 * height * width, num_classes)
        for layer in (self.conv1, self.conv2, self.fc):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    def forward(self, x):
        """Scores (N, num_classes) of a batch of images (N, in_channel, H, W)."""
        # TODO: Apply conv - ReLU - conv - ReLU - flatten - fully connected.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        hidden = F.relu(self.conv1(x))
        hidden = F.relu(self.conv2(hidden))
        scores = self.fc(flatten(hidden))
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        return scores


def sequential_model(in_channel, channel_1, channel_2, num_classes, image_size=(8, 8)):
    """The same three-layer ConvNet as one ``nn.Sequential``.

    Layers in order: ``nn.Conv2d`` (channel_1 5x5 filters, padding 2) - ``nn.ReLU`` -
    ``nn.Conv2d`` (channel_2 3x3 filters, padding 1) - ``nn.ReLU`` - a flatten layer -
    ``nn.Linear`` to num_classes. PyTorch's default initialisation is fine here.
    Returns the ``nn.Sequential``.
    """
    height, width = image_size
    # TODO: Return the nn.Sequential of the six layers above.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    model = nn.Sequential(
        nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(channel_2 * height * width, num_classes),
    )
    return model
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def sequential_optimizer(params, learning_rate):
    """The optimizer of Part IV: SGD with Nesterov momentum 0.9 at ``learning_rate``.

    - params: what ``model.parameters()`` returns
    Returns a ``torch.optim.Optimizer``.
    """
    # TODO: Return torch.optim.SGD with Nesterov momentum 0.9.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return torch.optim.SGD(params, lr=learning_rate, momentum=0.9, nesterov=True)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


# --- Part V: the open-ended model, declared as data ---------------------------------------

LAYERS = {
    "conv": "['conv', out_channels, kernel_size]: Conv2d, stride 1, padding kernel_size // 2",
    "linear": "['linear', out_features]: Linear (a flatten is inserted before the first one)",
    "relu": "['relu']", "leaky_relu": "['leaky_relu']", "gelu": "['gelu']", "tanh": "['tanh']",
    "maxpool": "['maxpool', size]: MaxPool2d(size)", "avgpool": "['avgpool', size]",
    "batchnorm": "['batchnorm']: BatchNorm2d after a conv, BatchNorm1d after a linear",
    "dropout": "['dropout', p]: p is the probability to DROP (PyTorch's convention)",
}
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
OPTIMIZER_KEYS = ("name", "lr", "momentum", "nesterov", "weight_decay")


def build_challenge_model(layers, in_channel=1, image_size=(8, 8)):
    """Given: the ``nn.Sequential`` that a list of layer declarations describes (see LAYERS).

    Raises ValueError on an unknown layer, a malformed declaration or a size that does not fit.
    """
    modules = []
    channels, (height, width) = in_channel, image_size
    features = None  # set once flattened
    for number, spec in enumerate(layers, start=1):
        if not isinstance(spec, (list, tuple)) or not spec or spec[0] not in LAYERS:
            raise ValueError(f"layer {number}: {spec!r} is not one of {sorted(LAYERS)}")
        kind, args = spec[0], list(spec[1:])
        expected = {"conv": 2, "linear": 1, "maxpool": 1, "avgpool": 1, "dropout": 1}.get(kind, 0)
        if len(args) != expected:
            raise ValueError(f"layer {number}: {kind} takes {expected} argument(s): {LAYERS[kind]}")
        if kind == "dropout":
            if not isinstance(args[0], (int, float)) or not 0 <= args[0] < 1:
                raise ValueError(f"layer {number}: dropout p must be in [0, 1)")
        elif any(not isinstance(a, int) or isinstance(a, bool) or a < 1 for a in args):
            raise ValueError(f"layer {number}: {kind} takes positive integers")
        if kind in ("conv", "maxpool", "avgpool") and features is not None:
            raise ValueError(f"layer {number}: {kind} after a linear layer")
        if kind == "conv":
            out, size = args
            modules.append(nn.Conv2d(channels, out, size, padding=size // 2))
            channels = out
            height, width = height + 2 * (size // 2) - size + 1, width + 2 * (size // 2) - size + 1
        elif kind in ("maxpool", "avgpool"):
            pool = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
            modules.append(pool(args[0]))
            height, width = height // args[0], width // args[0]
        elif kind == "linear":
            if features is None:
                modules.append(nn.Flatten())
                features = channels * height * width
            modules.append(nn.Linear(features, args[0]))
            features = args[0]
        elif kind == "batchnorm":
            modules.append(nn.BatchNorm1d(features) if features else nn.BatchNorm2d(channels))
        elif kind == "dropout":
            modules.append(nn.Dropout(float(args[0])))
        else:
            modules.append({"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU,
                            "tanh": nn.Tanh}[kind]())
        if height < 1 or width < 1:
            raise ValueError(f"layer {number}: the feature map shrank to nothing")
    if features is None:
        raise ValueError("the model must end with a linear layer giving the class scores")
    return nn.Sequential(*modules)


def build_optimizer(declared, params):
    """Given: the ``torch.optim`` optimizer a declaration such as
    ``{"name": "adam", "lr": 1e-3, "weight_decay": 1e-4}`` describes (keys: OPTIMIZER_KEYS)."""
    unknown = set(declared) - set(OPTIMIZER_KEYS)
    if unknown or declared.get("name") not in OPTIMIZERS:
        raise ValueError(f"optimizer: name one of {OPTIMIZERS}, keys among {OPTIMIZER_KEYS}")
    options = {"lr": float(declared.get("lr", 1e-3)),
               "weight_decay": float(declared.get("weight_decay", 0.0))}
    name = declared["name"]
    if name in ("sgd", "rmsprop"):
        options["momentum"] = float(declared.get("momentum", 0.0))
    if name == "sgd":
        options["nesterov"] = bool(declared.get("nesterov", False))
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop}[name]
    return cls(params, **options)


def challenge():
    """Part V: your model and how to train it, as data the grader can read and train again.

    Returns a dict:
    - "layers": a list of layer declarations (see LAYERS), ending with ["linear", 10];
    - "optimizer": a dict for ``build_optimizer``;
    - "num_epochs": passes over the training set (the notebook states the budget);
    - "batch_size": examples per step.
    """
    # TODO: Declare your model and optimizer within the notebook's budget.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return {
        "layers": [["conv", 16, 3], ["batchnorm"], ["relu"], ["conv", 32, 3], ["batchnorm"],
                   ["relu"], ["maxpool", 2], ["linear", 64], ["relu"], ["dropout", 0.1],
                   ["linear", 10]],
        "optimizer": {"name": "adam", "lr": 3e-3, "weight_decay": 1e-4},
        "num_epochs": 6,
        "batch_size": 64,
    }
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


# --- given: data and training loops ------------------------------------------------------


def to_tensors(data):
    """Given: the numpy data dict as float32 image tensors and int64 label tensors."""
    return {
        key: torch.as_tensor(np.asarray(value), dtype=DTYPE if key.startswith("X") else torch.long)
        for key, value in data.items()
    }


def minibatches(num_examples, batch_size, seed):
    """Given: the index arrays of one shuffled epoch, drawn from ``seed``."""
    order = np.random.default_rng(seed).permutation(num_examples)
    return [torch.as_tensor(order[i : i + batch_size]) for i in range(0, num_examples, batch_size)]


def accuracy(model_fn, X, y, batch_size=500):
    """Given: the fraction of ``X`` that ``model_fn`` (a Module or ``lambda x: ...``) classifies
    right, computed without gradients (a Module is put in eval mode, then back)."""
    was_training = getattr(model_fn, "training", None)
    if was_training is not None:
        model_fn.eval()
    with torch.no_grad():
        right = sum(int((model_fn(X[i : i + batch_size]).argmax(dim=1) == y[i : i + batch_size])
                        .sum()) for i in range(0, len(X), batch_size))
    if was_training:
        model_fn.train()
    return right / len(X)


def train_barebones(model_fn, params, data, learning_rate, num_epochs=1, batch_size=64, seed=0,
                    print_every=0):
    """Given: train ``model_fn(x, params)`` with softmax loss and ``sgd_step``.

    - data: a dict of tensors (``to_tensors``); returns the list of minibatch losses.
    """
    losses = []
    for epoch in range(num_epochs):
        for step, batch in enumerate(minibatches(len(data["X_train"]), batch_size, seed + epoch)):
            scores = model_fn(data["X_train"][batch], params)
            loss = F.cross_entropy(scores, data["y_train"][batch])
            loss.backward()
            sgd_step(params, learning_rate)
            losses.append(loss.item())
            if print_every and step % print_every == 0:
                print(f"epoch {epoch} step {step}: loss {loss.item():.4f}")
    return losses


def train_module(model, optimizer, data, num_epochs=1, batch_size=64, seed=0, print_every=0):
    """Given: train an ``nn.Module`` with ``optimizer`` and softmax loss; returns the losses."""
    losses = []
    model.train()
    for epoch in range(num_epochs):
        for step, batch in enumerate(minibatches(len(data["X_train"]), batch_size, seed + epoch)):
            loss = F.cross_entropy(model(data["X_train"][batch]), data["y_train"][batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if print_every and step % print_every == 0:
                print(f"epoch {epoch} step {step}: loss {loss.item():.4f}")
    return losses
