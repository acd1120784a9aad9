"""Write the public fixtures of the notebooks' self-checks into solutions/fixtures/.

    grade fixtures            # (re)write the fixtures from the reference
    grade fixtures --check    # exit 1 if a fixture is missing or out of date

A fixture is one small JSON file: the inputs of one self-check, drawn from a fixed PUBLIC seed,
and what the reference solutions compute on them. ``selfcheck.load_fixture`` reads it; the
generator copies it into assignment/fixtures/. The grader never uses these inputs: it draws its
own from the grading seed. Fixtures exist only where the courses publish no expected arrays
(normalization layers, whole-model losses); everything else is checked against the published
arrays or a numeric gradient, in the notebooks themselves.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from solutions import layers
from solutions.classifiers.cnn import FourLayerConvNet, ThreeLayerConvNet
from solutions.classifiers.fc_net import FullyConnectedNet

COMMAND = "grade fixtures"
FIXTURES = Path(__file__).resolve().parents[2] / "solutions" / "fixtures"
# Public seeds, one per fixture; the grader derives its inputs from the grading seed instead.
SEEDS = {
    "batchnorm_forward": 7001,
    "layernorm_forward": 7002,
    "spatial_batchnorm_forward": 7003,
    "spatial_groupnorm_forward": 7004,
    "fc_net_loss": 7005,
    "cnn_loss": 7006,
}


def _round(number):
    """``number`` to 12 significant digits: far below every self-check's tolerance, and enough
    above rounding noise that the files do not change with the BLAS they are computed with."""
    return float(f"{number:.12g}")


def _encode(value):
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.integer):
            return {"dtype": "int64", "shape": list(value.shape), "data": value.ravel().tolist()}
        data = [_round(v) for v in value.ravel().tolist()]
        return {"dtype": "float64", "shape": list(value.shape), "data": data}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (float, np.floating)):
        return _round(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def batchnorm_forward(rng):
    """Train mode from given running statistics, then test mode with the updated ones."""
    N, D = 6, 4
    x = 4 * rng.standard_normal((N, D)) + 3
    gamma, beta = rng.uniform(0.5, 2.0, D), rng.standard_normal(D)
    running_mean, running_var = rng.standard_normal(D), rng.uniform(0.5, 2.0, D)
    x_test = 4 * rng.standard_normal((N, D)) + 3
    bn_param = {
        "mode": "train",
        "running_mean": running_mean.copy(),
        "running_var": running_var.copy(),
    }
    out_train, _ = layers.batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    out_test, _ = layers.batchnorm_forward(x_test, gamma, beta, bn_param)
    return {
        "inputs": {
            "x": x,
            "gamma": gamma,
            "beta": beta,
            "running_mean": running_mean,
            "running_var": running_var,
            "x_test": x_test,
        },
        "expected": {
            "out_train": out_train,
            "running_mean": bn_param["running_mean"],
            "running_var": bn_param["running_var"],
            "out_test": out_test,
        },
    }


def layernorm_forward(rng):
    N, D = 4, 6
    x = 3 * rng.standard_normal((N, D)) + rng.standard_normal((N, 1)) * 5
    gamma, beta = rng.uniform(0.5, 2.0, D), rng.standard_normal(D)
    out, _ = layers.layernorm_forward(x, gamma, beta, {})
    return {"inputs": {"x": x, "gamma": gamma, "beta": beta}, "expected": {"out": out}}


def spatial_batchnorm_forward(rng):
    N, C, H, W = 2, 3, 4, 5
    x = 4 * rng.standard_normal((N, C, H, W)) + 10
    gamma, beta = rng.uniform(0.5, 2.0, C), rng.standard_normal(C)
    bn_param = {"mode": "train"}
    out, _ = layers.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    return {
        "inputs": {"x": x, "gamma": gamma, "beta": beta},
        "expected": {
            "out": out,
            "running_mean": bn_param["running_mean"],
            "running_var": bn_param["running_var"],
        },
    }


def spatial_groupnorm_forward(rng):
    N, C, H, W, G = 2, 6, 3, 4, 3
    x = 4 * rng.standard_normal((N, C, H, W)) + rng.standard_normal((N, C, 1, 1)) * 3
    gamma = rng.uniform(0.5, 2.0, (1, C, 1, 1))
    beta = rng.standard_normal((1, C, 1, 1))
    out, _ = layers.spatial_groupnorm_forward(x, gamma, beta, G, {})
    return {"inputs": {"x": x, "gamma": gamma, "beta": beta, "G": G}, "expected": {"out": out}}


def _random_params(model, rng):
    """Params of the model's shapes drawn from rng (gamma around 1), so init does not matter."""
    params = {}
    for name, value in sorted(model.params.items()):
        if name.startswith("gamma"):
            params[name] = rng.uniform(0.5, 1.5, value.shape)
        else:
            params[name] = 0.3 * rng.standard_normal(value.shape)
    return params


def fc_net_loss(rng):
    """Training-mode loss of FullyConnectedNet([6, 5]) with each normalization, reg=0.7."""
    N, D, C = 4, 3, 3
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, N)
    cases = {}
    for normalization in (None, "batchnorm", "layernorm"):
        model = FullyConnectedNet(
            [6, 5],
            input_dim=D,
            num_classes=C,
            reg=0.7,
            normalization=normalization,
            dtype=np.float64,
        )
        model.params = _random_params(model, rng)
        loss, _ = model.loss(X, y)
        cases[str(normalization).lower()] = {"params": model.params, "loss": float(loss)}
    return {"inputs": {"X": X, "y": y}, "cases": cases}


def cnn_loss(rng):
    """Loss and scores of tiny Three/FourLayerConvNets on (1, 6, 6) images, reg=0.5."""
    N, C = 3, 4
    X, y = rng.standard_normal((N, 1, 6, 6)), rng.integers(0, C, N)
    cases = {}
    for cls in (ThreeLayerConvNet, FourLayerConvNet):
        model = cls(
            input_dim=(1, 6, 6),
            num_filters=2,
            filter_size=3,
            hidden_dim=5,
            num_classes=C,
            reg=0.5,
            dtype=np.float64,
        )
        model.params = _random_params(model, rng)
        loss, _ = model.loss(X, y)
        cases[cls.__name__] = {"params": model.params, "loss": float(loss), "scores": model.loss(X)}
    return {"inputs": {"X": X, "y": y}, "cases": cases}


BUILDERS = {
    "batchnorm_forward": batchnorm_forward,
    "layernorm_forward": layernorm_forward,
    "spatial_batchnorm_forward": spatial_batchnorm_forward,
    "spatial_groupnorm_forward": spatial_groupnorm_forward,
    "fc_net_loss": fc_net_loss,
    "cnn_loss": cnn_loss,
}


def render_fixtures():
    """{file name: JSON text} of every fixture, computed from the reference."""
    rendered = {}
    for name, build in sorted(BUILDERS.items()):
        content = {
            "about": f"public self-check fixture; regenerate with `{COMMAND}`",
            "seed": SEEDS[name],
            **build(np.random.default_rng(SEEDS[name])),
        }
        text = json.dumps(_encode(content), indent=1, sort_keys=True)
        rendered[f"{name}.json"] = _FLAT_LIST.sub(_one_line, text) + "\n"
    return rendered


# A JSON list that holds no list or object: its items go on one line.
_FLAT_LIST = re.compile(r"\[([^\[\]{}]*)\]")


def _one_line(match):
    return "[" + ", ".join(item.strip() for item in match.group(1).split(",") if item.strip()) + "]"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a fixture is missing or out of date",
    )
    parser.add_argument("--dest", type=Path, default=FIXTURES)
    args = parser.parse_args(argv)
    rendered = render_fixtures()
    stale = sorted(
        name
        for name, text in rendered.items()
        if not (args.dest / name).is_file() or (args.dest / name).read_text("utf-8") != text
    )
    extra = sorted(p.name for p in args.dest.glob("*.json") if p.name not in rendered)
    if args.check:
        for name in stale + extra:
            print(f"{args.dest / name}: out of date", file=sys.stderr)
        if stale or extra:
            print(f"run `{COMMAND}`", file=sys.stderr)
            return 1
        print(f"{len(rendered)} fixtures up to date")
        return 0
    args.dest.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (args.dest / name).write_text(rendered[name], "utf-8")
    for name in extra:
        (args.dest / name).unlink()
    print(f"wrote {len(stale)}, removed {len(extra)}, {len(rendered)} fixtures in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
