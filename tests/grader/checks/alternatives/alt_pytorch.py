"""Correct alternatives for ``pytorch_models.py`` (issue 13), written from its docstrings.

PyTorch has many equivalent spellings: ``F.conv2d`` or ``nn.Conv2d``, ``view``/``flatten``/
``reshape``, ``torch.nn.init`` or manual scaling, ``mm``/``F.linear``/``addmm``, layers named
anything and registered in any order. Every one keeps full marks.
"""

from __future__ import annotations

from . import Alternative, Region

TORCH = "pytorch_models.py"
PART_II = ("pytorch.train_barebones",)
PART_III = ("pytorch.train_module",)

ALTERNATIVES: list[Alternative] = []


def alt(slug, questions, *regions):
    edits = tuple(Region(TORCH, function, code, index) for function, code, index in regions)
    ALTERNATIVES.append(Alternative(slug, tuple(questions), edits))


# --- flatten and three_layer_convnet -----------------------------------------------------------
alt(
    "view-linear-and-torch-relu",
    ["pytorch.three_layer_convnet", *PART_II],
    ("flatten", "return x.view(x.size(0), -1)", 0),
    (
        "three_layer_convnet",
        """
        a1 = torch.relu(F.conv2d(x, conv_w1, bias=conv_b1, stride=1, padding=2))
        a2 = torch.relu(F.conv2d(a1, conv_w2, bias=conv_b2, stride=1, padding=1))
        scores = F.linear(flatten(a2), fc_w.t(), fc_b)
    """,
        0,
    ),
)
alt(
    "torch-flatten-explicit-pad-addmm",
    ["pytorch.three_layer_convnet", *PART_II],
    ("flatten", "return torch.flatten(x, start_dim=1)", 0),
    (
        "three_layer_convnet",
        """
        padded = F.pad(x, (2, 2, 2, 2))
        a1 = F.conv2d(padded, conv_w1, conv_b1).clamp(min=0)
        a2 = F.conv2d(F.pad(a1, (1, 1, 1, 1)), conv_w2, conv_b2).clamp(min=0)
        scores = torch.addmm(fc_b, a2.reshape(len(a2), -1), fc_w)
    """,
        0,
    ),
)

# --- random_weight, zero_weight, three_layer_convnet_init -------------------------------------
alt(
    "init-normal-with-std",
    ["pytorch.init", *PART_II],
    (
        "random_weight",
        """
        if len(shape) == 2:
            fan_in = shape[0]
        else:
            fan_in = int(np.prod(shape[1:]))
        w = torch.empty(*shape)
        nn.init.normal_(w, mean=0.0, std=(2.0 / fan_in) ** 0.5)
        w.requires_grad = True
        return w
    """,
        0,
    ),
    ("zero_weight", "return torch.zeros(*shape).requires_grad_()", 0),
)
alt(
    "init-torch-normal-and-a-loop",
    ["pytorch.init", *PART_II],
    (
        "random_weight",
        """
        fan_in = 1
        for d in (shape[:1] if len(shape) == 2 else shape[1:]):
            fan_in *= d
        return torch.normal(0.0, math.sqrt(2 / fan_in), size=tuple(shape)).requires_grad_(True)
    """,
        0,
    ),
    ("zero_weight", "return torch.zeros(tuple(shape), requires_grad=True)", 0),
    (
        "three_layer_convnet_init",
        """
        fc_b = zero_weight((num_classes,))
        conv_w2 = random_weight((channel_2, channel_1, 3, 3))
        conv_w1 = random_weight((channel_1, in_channel, 5, 5))
        fc_w = random_weight((channel_2 * height * width, num_classes))
        conv_b1, conv_b2 = zero_weight((channel_1,)), zero_weight((channel_2,))
        return [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]
    """,
        0,
    ),
)

# --- sgd_step ----------------------------------------------------------------------------------
alt(
    "sgd-via-data-and-grad-none",
    ["pytorch.train_barebones"],
    (
        "sgd_step",
        """
        for p in params:
            p.data -= learning_rate * p.grad.data
            p.grad = None
    """,
        0,
    ),
)
alt(
    "sgd-sub-underscore",
    ["pytorch.train_barebones"],
    (
        "sgd_step",
        """
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=learning_rate)
        for p in params:
            p.grad.zero_()
    """,
        0,
    ),
)

# --- ThreeLayerConvNet -----------------------------------------------------------------------
alt(
    "module-fc-first-other-names-init-relu",
    ["pytorch.module", *PART_III],
    (
        "ThreeLayerConvNet.__init__",
        """
        self.classifier = nn.Linear(channel_2 * height * width, num_classes)
        self.c1 = nn.Conv2d(in_channel, channel_1, (5, 5), stride=1, padding=(2, 2), bias=True)
        self.c2 = nn.Conv2d(channel_1, channel_2, 3, padding=1)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.constant_(m.bias, 0.0)
    """,
        0,
    ),
    (
        "ThreeLayerConvNet.forward",
        """
        out = torch.relu(self.c1(x))
        out = torch.relu(self.c2(out))
        scores = self.classifier(out.view(out.shape[0], -1))
    """,
        0,
    ),
)
alt(
    "module-sequential-inside-manual-init",
    ["pytorch.module", *PART_III],
    (
        "ThreeLayerConvNet.__init__",
        """
        self.features = nn.Sequential(
            nn.Conv2d(in_channel, channel_1, 5, padding=2), nn.ReLU(inplace=True),
            nn.Conv2d(channel_1, channel_2, 3, padding=1), nn.ReLU(inplace=True))
        self.head = nn.Linear(channel_2 * height * width, num_classes)
        with torch.no_grad():
            for layer in [self.features[0], self.features[2], self.head]:
                fan_in = layer.weight[0].numel()
                layer.weight.normal_(0, math.sqrt(2.0 / fan_in))
                layer.bias.zero_()
    """,
        0,
    ),
    (
        "ThreeLayerConvNet.forward",
        """
        scores = self.head(torch.flatten(self.features(x), 1))
    """,
        0,
    ),
)

# --- sequential_model, sequential_optimizer ----------------------------------------------------
alt(
    "sequential-ordered-dict-own-flatten",
    ["pytorch.sequential"],
    (
        "sequential_model",
        """
        from collections import OrderedDict

        class Flatten(nn.Module):
            def forward(self, x):
                return x.view(x.shape[0], -1)

        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(in_channel, channel_1, kernel_size=(5, 5), padding=(2, 2))),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(channel_1, channel_2, kernel_size=(3, 3), padding=(1, 1))),
            ("relu2", nn.ReLU()),
            ("flatten", Flatten()),
            ("fc", nn.Linear(channel_2 * height * width, num_classes)),
        ]))
    """,
        0,
    ),
    (
        "sequential_optimizer",
        """
        return torch.optim.SGD(params, learning_rate, momentum=0.9, dampening=0,
                               weight_decay=0, nesterov=True)
    """,
        0,
    ),
)
alt(
    "sequential-inplace-relu-flatten-1",
    ["pytorch.sequential"],
    (
        "sequential_model",
        """
        layers = [nn.Conv2d(in_channel, channel_1, 5, 1, 2), nn.ReLU(inplace=True)]
        layers += [nn.Conv2d(channel_1, channel_2, 3, 1, 1), nn.ReLU(inplace=True)]
        layers += [nn.Flatten(1), nn.Linear(channel_2 * height * width, num_classes)]
        return nn.Sequential(*layers)
    """,
        0,
    ),
    (
        "sequential_optimizer",
        """
        optimizer = torch.optim.SGD(list(params), lr=learning_rate, nesterov=True, momentum=0.9)
        return optimizer
    """,
        0,
    ),
)

# --- challenge -----------------------------------------------------------------------------------
alt(
    "challenge-sgd-nesterov-maxpool",
    ["pytorch.challenge"],
    (
        "challenge",
        """
        return {
            "layers": [["conv", 32, 3], ["relu"], ["maxpool", 2], ["conv", 64, 3], ["relu"],
                       ["linear", 10]],
            "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
            "num_epochs": 8,
            "batch_size": 32,
        }
    """,
        0,
    ),
)
alt(
    "challenge-adamw-gelu-avgpool",
    ["pytorch.challenge"],
    (
        "challenge",
        """
        layers = [["conv", 24, 5], ["gelu"], ["avgpool", 2], ["linear", 128], ["batchnorm"],
                  ["gelu"], ["linear", 10]]
        return {"layers": layers, "optimizer": {"name": "adamw", "lr": 2e-3},
                "num_epochs": 10, "batch_size": 50}
    """,
        0,
    ),
)
