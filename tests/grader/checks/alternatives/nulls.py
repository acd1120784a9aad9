"""Null answers: every student region rewritten to return zeros, ones or an argument unchanged.

Each region's null body assigns the values the code after the region reads (the region's
outputs) and does nothing else: no state is written, no parameter moves. ``NULL_BODIES`` is
keyed by (file, function, rank of the region in the function) and covers every region of the
reference (``test_alternatives`` checks that against ``parse_regions``).

Two kinds of null submissions are built from it:

- whole: every region of the submission null at once (``whole_null_submission``); every
  question must score 0;
- per question: the regions a question asks for null, the rest of the reference left correct
  (``question_null_submission``); that question must score 0.

Variants: ``zeros`` (arrays of zeros of the right shape, zero loss and gradients, no training
step), ``ones`` (the same with ones), ``identity`` (an argument returned unchanged where
one fits: a forward pass returning x, a backward pass returning dout, an update rule returning
w, a minibatch that is the whole training set; zeros where nothing fits) and ``mixed`` (zeros
everywhere except the test-mode branches, which return their argument: the identity that
test mode must be, with nothing done at train time).
"""

from __future__ import annotations

from pathlib import Path

from . import CNN, FC_NET, FILTERS, LAYERS, OPTIM, WORKBOOK, Region, apply_edits

TORCH = "pytorch_models.py"

VARIANTS = ("zeros", "ones", "identity", "mixed")
_BASE_VARIANTS = ("zeros", "ones", "identity")


def _arrays(**outputs):
    """Null bodies for a region whose outputs are arrays: name=(shape, identity or None)."""
    bodies = {}
    for variant in _BASE_VARIANTS:
        lines = []
        for name, (shape, identity) in outputs.items():
            if variant == "identity" and identity is not None:
                lines.append(f"{name} = {identity}")
            else:
                fill = "np.ones" if variant == "ones" else "np.zeros"
                lines.append(f"{name} = {fill}({shape})")
        bodies[variant] = "\n".join(lines)
    return bodies


def _same(code):
    return {variant: code for variant in _BASE_VARIANTS}


def _per_variant(zeros, ones, identity):
    return {"zeros": zeros, "ones": ones, "identity": identity}


def _grads_like_params(fill_identity="self.params[name]"):
    """Loss 0 (or 1) and gradients of zeros (ones, or the parameters themselves)."""
    return _per_variant(
        "loss = 0.0\ngrads = {name: np.zeros_like(p) for name, p in self.params.items()}",
        "loss = 1.0\ngrads = {name: np.ones_like(p) for name, p in self.params.items()}",
        f"loss = 0.0\ngrads = {{name: {fill_identity} for name in self.params}}",
    )


def _init_params(shapes_code):
    """``shapes_code`` yields (name, shape) pairs into ``shapes``; params filled per variant."""
    return {
        variant: f"{shapes_code}\nfor name, shape in shapes:\n"
        f"    self.params[name] = np.{'ones' if variant == 'ones' else 'zeros'}(shape)"
        for variant in _BASE_VARIANTS
    }


FC_SHAPES = """dims = [input_dim, *hidden_dims, num_classes]
shapes = []
for layer in range(1, len(dims)):
    shapes += [(f"W{layer}", (dims[layer - 1], dims[layer])), (f"b{layer}", (dims[layer],))]
    if normalization is not None and layer < len(dims) - 1:
        shapes += [(f"gamma{layer}", (dims[layer],)), (f"beta{layer}", (dims[layer],))]"""
CNN_SHAPES = """C, H, W = input_dim
dims = [(num_filters, C, filter_size, filter_size), (num_filters * (H // 2) * (W // 2), hidden_dim)]
dims += EXTRA
shapes = []
for k, shape in enumerate(dims, start=1):
    shapes += [(f"W{k}", shape), (f"b{k}", (shape[0] if k == 1 else shape[1],))]"""

NULL_BODIES = {
    # --- layers.py ------------------------------------------------------------------------------
    (LAYERS, "affine_forward", 0): _arrays(out=("(x.shape[0], w.shape[1])", "x")),
    (LAYERS, "affine_backward", 0): _arrays(
        dx=("x.shape", "dout"), dw=("w.shape", "w"), db=("b.shape", "b")
    ),
    (LAYERS, "relu_forward", 0): _arrays(out=("x.shape", "x")),
    (LAYERS, "relu_backward", 0): _arrays(dx=("dout.shape", "dout")),
    (LAYERS, "batchnorm_forward", 0): {
        v: body + "\ncache = None" for v, body in _arrays(out=("x.shape", "x")).items()
    },
    (LAYERS, "batchnorm_forward", 1): _arrays(out=("x.shape", "x")),
    (LAYERS, "batchnorm_backward", 0): _arrays(
        dx=("dout.shape", "dout"), dgamma=("dout.shape[1]", None), dbeta=("dout.shape[1]", None)
    ),
    (LAYERS, "batchnorm_backward_alt", 0): _arrays(
        dx=("dout.shape", "dout"), dgamma=("dout.shape[1]", None), dbeta=("dout.shape[1]", None)
    ),
    (LAYERS, "layernorm_forward", 0): {
        v: body + "\ncache = None" for v, body in _arrays(out=("x.shape", "x")).items()
    },
    (LAYERS, "layernorm_backward", 0): _arrays(
        dx=("dout.shape", "dout"), dgamma=("dout.shape[1]", None), dbeta=("dout.shape[1]", None)
    ),
    (LAYERS, "dropout_forward", 0): _arrays(
        out=("x.shape", "x"), mask=("x.shape", "np.ones_like(x)")
    ),
    (LAYERS, "dropout_forward", 1): _arrays(out=("x.shape", "x")),
    (LAYERS, "dropout_backward", 0): _arrays(dx=("dout.shape", "dout")),
    (LAYERS, "dropout_backward", 1): _arrays(dx=("dout.shape", "dout")),
    (LAYERS, "conv_forward_naive", 0): _arrays(out=("(N, F, H_out, W_out)", "x")),
    (LAYERS, "conv_backward_naive", 0): _arrays(
        dx=("x.shape", "x"), dw=("w.shape", "w"), db=("b.shape", "b")
    ),
    (LAYERS, "max_pool_forward_naive", 0): _arrays(out=("(N, C, H_out, W_out)", "x")),
    (LAYERS, "max_pool_backward_naive", 0): _arrays(dx=("x.shape", "x")),
    (LAYERS, "avg_pool_forward_naive", 0): _arrays(out=("(N, C, H_out, W_out)", "x")),
    (LAYERS, "avg_pool_backward_naive", 0): _arrays(dx=("x.shape", "x")),
    (LAYERS, "spatial_batchnorm_forward", 0): {
        v: body + "\ncache = None" for v, body in _arrays(out=("x.shape", "x")).items()
    },
    (LAYERS, "spatial_batchnorm_backward", 0): _arrays(
        dx=("dout.shape", "dout"), dgamma=("dout.shape[1]", None), dbeta=("dout.shape[1]", None)
    ),
    (LAYERS, "spatial_groupnorm_forward", 0): {
        v: body + "\ncache = None" for v, body in _arrays(out=("x.shape", "x")).items()
    },
    (LAYERS, "spatial_groupnorm_backward", 0): _arrays(
        dx=("dout.shape", "dout"),
        dgamma=("(1, dout.shape[1], 1, 1)", None),
        dbeta=("(1, dout.shape[1], 1, 1)", None),
    ),
    # --- optim.py: config untouched -------------------------------------------------------------
    (OPTIM, "sgd_momentum", 0): _arrays(next_w=("w.shape", "w")),
    (OPTIM, "rmsprop", 0): _arrays(next_w=("w.shape", "w")),
    (OPTIM, "adam", 0): _arrays(next_w=("w.shape", "w")),
    # --- image_filters.py: filters 2 and 3 left empty, or all ones ------------------------------
    (FILTERS, "image_filters", 0): _per_variant("pass", "w[2, 1] = 1\nw[3, 0] = 1", "pass"),
    # --- classifiers/neural_net.py --------------------------------------------------------------
    (WORKBOOK, "TwoLayerNet.loss", 0): _arrays(scores=("(N, W2.shape[0])", None)),
    (WORKBOOK, "TwoLayerNet.loss", 1): _per_variant("loss = 0.0", "loss = 1.0", "loss = 0.0"),
    (WORKBOOK, "TwoLayerNet.loss", 2): _per_variant(
        "for name, p in self.params.items():\n    grads[name] = np.zeros_like(p)",
        "for name, p in self.params.items():\n    grads[name] = np.ones_like(p)",
        "for name, p in self.params.items():\n    grads[name] = p",
    ),
    (WORKBOOK, "TwoLayerNet.train", 0): _per_variant(
        "X_batch = np.zeros((batch_size, X.shape[1]))\ny_batch = np.zeros(batch_size, dtype=int)",
        "X_batch = np.ones((batch_size, X.shape[1]))\ny_batch = np.ones(batch_size, dtype=int)",
        "X_batch = X\ny_batch = y",
    ),
    (WORKBOOK, "TwoLayerNet.train", 1): _same("pass"),
    (WORKBOOK, "TwoLayerNet.predict", 0): _per_variant(
        "y_pred = np.zeros(X.shape[0], dtype=int)",
        "y_pred = np.ones(X.shape[0], dtype=int)",
        "y_pred = np.zeros(X.shape[0], dtype=int)",
    ),
    # --- classifiers/fc_net.py ------------------------------------------------------------------
    (FC_NET, "TwoLayerNet.__init__", 0): _init_params(
        'shapes = [("W1", (input_dim, hidden_dim)), ("b1", (hidden_dim,)),\n'
        '          ("W2", (hidden_dim, num_classes)), ("b2", (num_classes,))]'
    ),
    (FC_NET, "TwoLayerNet.loss", 0): _arrays(
        scores=('(X.shape[0], self.params["b2"].shape[0])', None)
    ),
    (FC_NET, "TwoLayerNet.loss", 1): _grads_like_params(),
    (FC_NET, "FullyConnectedNet.__init__", 0): _init_params(FC_SHAPES),
    (FC_NET, "FullyConnectedNet.loss", 0): _arrays(
        scores=('(X.shape[0], self.params[f"b{self.num_layers}"].shape[0])', None)
    ),
    (FC_NET, "FullyConnectedNet.loss", 1): _grads_like_params(),
    # --- classifiers/cnn.py ---------------------------------------------------------------------
    (CNN, "ThreeLayerConvNet.__init__", 0): _init_params(
        CNN_SHAPES.replace("EXTRA", "[(hidden_dim, num_classes)]")
    ),
    (CNN, "ThreeLayerConvNet.loss", 0): _arrays(scores=("(X.shape[0], b3.shape[0])", None)),
    (CNN, "ThreeLayerConvNet.loss", 1): _grads_like_params(),
    (CNN, "FourLayerConvNet.__init__", 0): _init_params(
        CNN_SHAPES.replace("EXTRA", "[(hidden_dim, hidden_dim), (hidden_dim, num_classes)]")
    ),
    (CNN, "FourLayerConvNet.loss", 0): _arrays(scores=("(X.shape[0], b4.shape[0])", None)),
    (CNN, "FourLayerConvNet.loss", 1): _grads_like_params(),
    # --- pytorch_models.py (issue 13) -----------------------------------------------------------
    (TORCH, "flatten", 0): _per_variant(
        "return torch.zeros(x.shape[0], 1)", "return torch.ones(x.shape[0], 1)", "return x"
    ),
    (TORCH, "three_layer_convnet", 0): _per_variant(
        "scores = torch.zeros(x.shape[0], fc_b.shape[0])",
        "scores = torch.ones(x.shape[0], fc_b.shape[0])",
        "scores = x",
    ),
    (TORCH, "random_weight", 0): _per_variant(
        "return torch.zeros(shape, requires_grad=True)",
        "return torch.ones(shape, requires_grad=True)",
        "return shape",
    ),
    (TORCH, "zero_weight", 0): _per_variant(
        "return torch.zeros(shape)", "return torch.ones(shape, requires_grad=True)", "return shape"
    ),
    (TORCH, "three_layer_convnet_init", 0): _per_variant(
        "return []", "return [torch.ones(1)]", "return [in_channel]"
    ),
    (TORCH, "sgd_step", 0): _same("pass"),
    (TORCH, "ThreeLayerConvNet.__init__", 0): _same("pass"),
    (TORCH, "ThreeLayerConvNet.forward", 0): _per_variant(
        "scores = torch.zeros(x.shape[0], 10)", "scores = torch.ones(x.shape[0], 10)", "scores = x"
    ),
    (TORCH, "sequential_model", 0): _per_variant(
        "return nn.Sequential()", "return nn.Sequential(nn.Flatten())", "return nn.Identity()"
    ),
    (TORCH, "sequential_optimizer", 0): _per_variant(
        "return torch.optim.SGD(params, lr=0.0)",
        "return torch.optim.SGD(params, lr=1.0)",
        "return torch.optim.SGD(params, lr=learning_rate)",
    ),
    (TORCH, "challenge", 0): _per_variant(
        "return {}",
        'return {"layers": [["linear", 10]], "optimizer": {"name": "sgd", "lr": 0.0}, '
        '"num_epochs": 1, "batch_size": 64}',
        'return {"layers": [], "optimizer": {"name": "sgd"}, "num_epochs": 1, "batch_size": 64}',
    ),
}

# The test-mode branches: identity there and zeros elsewhere is the "mixed" variant.
TEST_MODE_REGIONS = {
    (LAYERS, "batchnorm_forward", 1),
    (LAYERS, "dropout_forward", 1),
    (LAYERS, "dropout_backward", 1),
}
for _key, _bodies in NULL_BODIES.items():
    _bodies["mixed"] = _bodies["identity" if _key in TEST_MODE_REGIONS else "zeros"]

_FC = [
    (FC_NET, "FullyConnectedNet.__init__", 0),
    (FC_NET, "FullyConnectedNet.loss", 0),
    (FC_NET, "FullyConnectedNet.loss", 1),
]
_CONV3 = [
    (CNN, "ThreeLayerConvNet.__init__", 0),
    (CNN, "ThreeLayerConvNet.loss", 0),
    (CNN, "ThreeLayerConvNet.loss", 1),
]


def _function(relpath, function):
    return [key for key in NULL_BODIES if key[:2] == (relpath, function)]


# The regions each graded question asks for: nulling them must cost the whole question.
QUESTION_REGIONS = {
    "twolayer.scores": [(WORKBOOK, "TwoLayerNet.loss", 0)],
    "twolayer.loss": _function(WORKBOOK, "TwoLayerNet.loss"),
    "twolayer.predict": _function(WORKBOOK, "TwoLayerNet.predict"),
    "twolayer.train": _function(WORKBOOK, "TwoLayerNet.train"),
    "fc.affine_forward": _function(LAYERS, "affine_forward"),
    "fc.affine_backward": _function(LAYERS, "affine_backward"),
    "fc.relu_forward": _function(LAYERS, "relu_forward"),
    "fc.relu_backward": _function(LAYERS, "relu_backward"),
    "fc.two_layer_net": _function(FC_NET, "TwoLayerNet.__init__")
    + _function(FC_NET, "TwoLayerNet.loss"),
    "fc.fc_net": _FC,
    "fc.sgd_momentum": _function(OPTIM, "sgd_momentum"),
    "fc.rmsprop": _function(OPTIM, "rmsprop"),
    "fc.adam": _function(OPTIM, "adam"),
    "fc.overfit": _FC,
    "fc.good_model": _FC,
    "bn.forward": _function(LAYERS, "batchnorm_forward"),
    "bn.backward": _function(LAYERS, "batchnorm_backward"),
    "bn.backward_alt": _function(LAYERS, "batchnorm_backward_alt"),
    "bn.layernorm_forward": _function(LAYERS, "layernorm_forward"),
    "bn.layernorm_backward": _function(LAYERS, "layernorm_backward"),
    "bn.fc_net_norm": _FC,
    "dropout.forward": _function(LAYERS, "dropout_forward"),
    "dropout.backward": _function(LAYERS, "dropout_backward"),
    "dropout.fc_net": _FC,
    "conv.forward": _function(LAYERS, "conv_forward_naive"),
    "conv.backward": _function(LAYERS, "conv_backward_naive"),
    "conv.max_pool_forward": _function(LAYERS, "max_pool_forward_naive"),
    "conv.max_pool_backward": _function(LAYERS, "max_pool_backward_naive"),
    "conv.avg_pool_forward": _function(LAYERS, "avg_pool_forward_naive"),
    "conv.avg_pool_backward": _function(LAYERS, "avg_pool_backward_naive"),
    "conv.three_layer": _CONV3,
    "conv.four_layer": _function(CNN, "FourLayerConvNet.__init__")
    + _function(CNN, "FourLayerConvNet.loss"),
    "conv.overfit": _CONV3,
    "conv.spatial_bn_forward": _function(LAYERS, "spatial_batchnorm_forward"),
    "conv.spatial_bn_backward": _function(LAYERS, "spatial_batchnorm_backward"),
    "conv.groupnorm_forward": _function(LAYERS, "spatial_groupnorm_forward"),
    "conv.groupnorm_backward": _function(LAYERS, "spatial_groupnorm_backward"),
    "conv.image_filters": _function(FILTERS, "image_filters"),
    "pytorch.three_layer_convnet": _function(TORCH, "flatten")
    + _function(TORCH, "three_layer_convnet"),
    "pytorch.init": _function(TORCH, "random_weight")
    + _function(TORCH, "zero_weight")
    + _function(TORCH, "three_layer_convnet_init"),
    "pytorch.module": _function(TORCH, "ThreeLayerConvNet.__init__")
    + _function(TORCH, "ThreeLayerConvNet.forward"),
    "pytorch.sequential": _function(TORCH, "sequential_model")
    + _function(TORCH, "sequential_optimizer"),
    "pytorch.train_barebones": _function(TORCH, "three_layer_convnet_init")
    + _function(TORCH, "sgd_step"),
    "pytorch.train_module": _function(TORCH, "ThreeLayerConvNet.__init__")
    + _function(TORCH, "ThreeLayerConvNet.forward"),
    "pytorch.challenge": _function(TORCH, "challenge"),
}


# Null answers the grader is known to give points to: (whole submission null or only the
# question's regions, variant, question) -> why. Before 4b6ebb4 (issue 10, class 5) these were
# dropout.forward and dropout.backward with the identity (a test-mode case passed alone) and
# dropout.backward with an all-zero forward and backward (judged only against each other).
KNOWN_POINTS: dict[tuple[str, str, str], str] = {}


def edits(keys, variant: str) -> list[Region]:
    return [
        Region(relpath, function, NULL_BODIES[(relpath, function, index)][variant], index)
        for relpath, function, index in keys
    ]


def whole_null_submission(reference: Path, dest: Path, variant: str) -> Path:
    """Every student region of the reference submission replaced by its null body."""
    return apply_edits(reference, dest, edits(list(NULL_BODIES), variant))


def question_null_submission(reference: Path, dest: Path, question: str, variant: str) -> Path:
    """The regions ``question`` asks for null, the rest of the reference kept."""
    return apply_edits(reference, dest, edits(QUESTION_REGIONS[question], variant))
