"""grader/authoring/fixtures.py: the public fixtures are current, and right by an independent
oracle.

The oracle is plain numpy written here from the definitions (no call into solutions/), so a
fixture computed from a broken reference does not pass.
"""

import json

import numpy as np
import pytest

from grader.authoring import fixtures as make_fixtures
from solutions import selfcheck

EPS = 1e-5


def fixture(name):
    return selfcheck.load_fixture(name)


def close(actual, expected):
    """Fixtures store 12 significant digits."""
    return np.allclose(actual, expected, rtol=1e-10, atol=1e-11)


def normalise(x, axis):
    mean = x.mean(axis=axis, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axis, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS)


def softmax_loss(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(y)), y].mean()


def test_committed_fixtures_are_what_the_reference_computes_now():
    rendered = make_fixtures.render_fixtures()
    assert sorted(rendered) == sorted(p.name for p in make_fixtures.FIXTURES.glob("*.json"))
    for name, text in rendered.items():
        assert (make_fixtures.FIXTURES / name).read_text("utf-8") == text, (
            f"{name} is out of date: run grade fixtures"
        )


def test_check_mode_reports_missing_stale_and_extra_files(tmp_path, capsys):
    assert make_fixtures.main(["--check", "--dest", str(tmp_path)]) == 1
    assert make_fixtures.main(["--dest", str(tmp_path)]) == 0
    assert make_fixtures.main(["--check", "--dest", str(tmp_path)]) == 0
    (tmp_path / "stale.json").write_text("{}")
    (tmp_path / "layernorm_forward.json").write_text("{}")
    assert make_fixtures.main(["--check", "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "stale.json" in err and "layernorm_forward.json" in err
    assert make_fixtures.main(["--dest", str(tmp_path)]) == 0
    assert not (tmp_path / "stale.json").exists()


def test_every_fixture_names_its_public_seed_and_is_deterministic():
    first, second = make_fixtures.render_fixtures(), make_fixtures.render_fixtures()
    assert first == second
    seeds = [json.loads(text)["seed"] for text in first.values()]
    assert len(set(seeds)) == len(seeds) == len(make_fixtures.SEEDS)


def test_batchnorm_fixture_matches_the_definition():
    f = fixture("batchnorm_forward")
    i, e = f["inputs"], f["expected"]
    x = i["x"]
    assert close(e["out_train"], i["gamma"] * normalise(x, 0) + i["beta"])
    assert close(e["running_mean"], 0.9 * i["running_mean"] + 0.1 * x.mean(axis=0))
    assert close(e["running_var"], 0.9 * i["running_var"] + 0.1 * x.var(axis=0))
    x_hat = (i["x_test"] - e["running_mean"]) / np.sqrt(e["running_var"] + EPS)
    assert close(e["out_test"], i["gamma"] * x_hat + i["beta"])


def test_layernorm_fixture_matches_the_definition():
    f = fixture("layernorm_forward")
    i = f["inputs"]
    assert close(f["expected"]["out"], i["gamma"] * normalise(i["x"], 1) + i["beta"])


def test_spatial_batchnorm_fixture_matches_the_definition():
    f = fixture("spatial_batchnorm_forward")
    i, e = f["inputs"], f["expected"]
    g, b = i["gamma"][None, :, None, None], i["beta"][None, :, None, None]
    assert close(e["out"], g * normalise(i["x"], (0, 2, 3)) + b)
    assert close(e["running_mean"], 0.1 * i["x"].mean(axis=(0, 2, 3)))
    assert close(e["running_var"], 0.1 * i["x"].var(axis=(0, 2, 3)))


def test_groupnorm_fixture_matches_the_definition():
    f = fixture("spatial_groupnorm_forward")
    i = f["inputs"]
    x, G = i["x"], i["G"]
    N, C, H, W = x.shape
    x_hat = normalise(x.reshape(N, G, C // G, H, W), (2, 3, 4)).reshape(N, C, H, W)
    assert close(f["expected"]["out"], i["gamma"] * x_hat + i["beta"])


def fc_loss(params, X, y, normalization, reg=0.7):
    h = X
    for layer in (1, 2):
        h = h @ params[f"W{layer}"] + params[f"b{layer}"]
        if normalization:
            h = normalise(h, 0 if normalization == "batchnorm" else 1)
            h = params[f"gamma{layer}"] * h + params[f"beta{layer}"]
        h = np.maximum(h, 0)
    scores = h @ params["W3"] + params["b3"]
    penalty = sum(np.sum(params[f"W{layer}"] ** 2) for layer in (1, 2, 3))
    return softmax_loss(scores, y) + 0.5 * reg * penalty


@pytest.mark.parametrize("case", ["none", "batchnorm", "layernorm"])
def test_fc_net_loss_fixture_matches_the_architecture(case):
    f = fixture("fc_net_loss")
    X, y = f["inputs"]["X"], f["inputs"]["y"]
    params = f["cases"][case]["params"]
    normalization = None if case == "none" else case
    assert np.isclose(f["cases"][case]["loss"], fc_loss(params, X, y, normalization), rtol=1e-10)


def conv_same(x, w, b):
    """Stride-1 convolution with (fs - 1) // 2 zero padding, one output value at a time."""
    N, C, H, W = x.shape
    F, _, fs, _ = w.shape
    pad = (fs - 1) // 2
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H, W))
    for n, f, i, j in np.ndindex(N, F, H, W):
        out[n, f, i, j] = np.sum(xp[n, :, i : i + fs, j : j + fs] * w[f]) + b[f]
    return out


def cnn_scores(params, X, num_affine):
    h = np.maximum(conv_same(X, params["W1"], params["b1"]), 0)
    N, F, H, W = h.shape
    h = h.reshape(N, F, H // 2, 2, W // 2, 2).max(axis=(3, 5)).reshape(N, -1)
    for layer in range(2, 2 + num_affine - 1):
        h = np.maximum(h @ params[f"W{layer}"] + params[f"b{layer}"], 0)
    last = 1 + num_affine
    return h @ params[f"W{last}"] + params[f"b{last}"]


@pytest.mark.parametrize("case, num_affine", [("ThreeLayerConvNet", 2), ("FourLayerConvNet", 3)])
def test_cnn_loss_fixture_matches_the_architecture(case, num_affine):
    f = fixture("cnn_loss")
    X, y = f["inputs"]["X"], f["inputs"]["y"]
    params = f["cases"][case]["params"]
    scores = cnn_scores(params, X, num_affine)
    penalty = sum(np.sum(params[f"W{layer}"] ** 2) for layer in range(1, num_affine + 2))
    if "scores" in f["cases"][case]:
        assert close(f["cases"][case]["scores"], scores)
    assert np.isclose(
        f["cases"][case]["loss"], softmax_loss(scores, y) + 0.25 * penalty, rtol=1e-10
    )
