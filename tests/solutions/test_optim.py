"""Update rules against the FullyConnectedNets notebook's published arrays and first-step facts."""

import numpy as np
import pytest

from solutions.gradient_check import rel_error
from solutions.optim import adam, rmsprop, sgd, sgd_momentum

N, D = 4, 5
RULES = [sgd, sgd_momentum, rmsprop, adam]


def notebook_w_dw():
    """The inputs every optimizer cell of the FullyConnectedNets notebook starts from."""
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw


def test_sgd_steps_against_the_gradient():
    w, dw = notebook_w_dw()
    next_w, config = sgd(w, dw, {"learning_rate": 0.5})
    np.testing.assert_allclose(next_w, w - 0.5 * dw)
    assert config["learning_rate"] == 0.5


def test_sgd_momentum_matches_published_next_w_and_velocity():
    w, dw = notebook_w_dw()
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    config = {"learning_rate": 1e-3, "velocity": v}
    next_w, config = sgd_momentum(w, dw, config=config)
    expected_next_w = np.asarray(
        [
            [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
            [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
            [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
            [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
        ]
    )
    expected_velocity = np.asarray(
        [
            [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
            [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
            [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
            [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
        ]
    )
    # The notebook printed 8.9e-09 and 4.3e-09 and asks for "around e-8 or less".
    assert rel_error(next_w, expected_next_w) < 5e-8
    assert rel_error(config["velocity"], expected_velocity) < 5e-8


def test_rmsprop_matches_published_next_w_and_cache():
    w, dw = notebook_w_dw()
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    config = {"learning_rate": 1e-2, "cache": cache}
    next_w, config = rmsprop(w, dw, config=config)
    expected_next_w = np.asarray(
        [
            [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
            [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
            [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
            [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619],
        ]
    )
    expected_cache = np.asarray(
        [
            [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
            [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
            [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
            [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926],
        ]
    )
    # Published: 9.5e-08 and 2.6e-09 ("around e-7 or less"); the arrays are printed to 8 decimals,
    # so entries near zero (0.0232) carry a rounding error of ~1e-7 relative.
    assert rel_error(next_w, expected_next_w) < 3e-7
    assert rel_error(config["cache"], expected_cache) < 5e-8


def test_adam_matches_published_next_w_m_v_and_counts_the_step():
    w, dw = notebook_w_dw()
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    config = {"learning_rate": 1e-2, "m": m, "v": v, "t": 5}
    next_w, config = adam(w, dw, config=config)
    expected_next_w = np.asarray(
        [
            [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
            [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
            [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
            [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459],
        ]
    )
    expected_v = np.asarray(
        [
            [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
            [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
            [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
            [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966],
        ]
    )
    expected_m = np.asarray(
        [
            [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
            [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
            [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
            [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85],
        ]
    )
    # Published: 1.1e-07, 4.2e-09, 4.2e-09 ("around e-7 or less"); see the rmsprop test.
    assert rel_error(next_w, expected_next_w) < 3e-7
    assert rel_error(config["v"], expected_v) < 5e-8
    assert rel_error(config["m"], expected_m) < 5e-8
    assert config["t"] == 6


def test_adam_first_step_moves_each_weight_by_about_the_learning_rate():
    # At t = 1 the bias-corrected m_hat / sqrt(v_hat) is exactly dw / |dw|, so the first step is
    # learning_rate * sign(dw), whatever the gradient's scale. This needs t incremented before
    # the correction (t = 0 divides by 1 - beta**0 = 0) and the correction itself (without it
    # the step would be (1 - beta1) / sqrt(1 - beta2) ~ 3.2 times larger).
    w, dw = notebook_w_dw()
    dw = dw + 0.05  # keep every entry away from zero (|dw| >= 0.02) so epsilon is negligible
    next_w, config = adam(w, dw, {"learning_rate": 1e-3})
    np.testing.assert_allclose(w - next_w, 1e-3 * np.sign(dw), rtol=1e-5)
    assert config["t"] == 1


def test_adam_second_step_uses_t_equal_two():
    # Two steps with the same gradient: m_hat = dw and v_hat = dw**2 again after correction with
    # t = 2, so the second step is also learning_rate * sign(dw).
    w, dw = notebook_w_dw()
    dw = dw + 0.05
    w1, config = adam(w, dw, {"learning_rate": 1e-3})
    w2, config = adam(w1, dw, config)
    np.testing.assert_allclose(w1 - w2, 1e-3 * np.sign(dw), rtol=1e-5)
    assert config["t"] == 2


def test_sgd_momentum_first_step_from_zero_velocity_is_plain_sgd():
    w, dw = notebook_w_dw()
    next_w, config = sgd_momentum(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, w - 0.1 * dw)
    np.testing.assert_allclose(config["velocity"], -0.1 * dw)


def test_sgd_momentum_keeps_momentum_times_old_velocity():
    w, dw = notebook_w_dw()
    v = np.full((N, D), 2.0)
    next_w, config = sgd_momentum(w, np.zeros_like(dw), {"momentum": 0.5, "velocity": v})
    np.testing.assert_allclose(next_w, w + 1.0)
    np.testing.assert_allclose(config["velocity"], 1.0)


def test_rmsprop_first_step_divides_by_root_mean_square():
    # From a zero cache, cache = 0.01 * dw**2, so the step is lr * dw / (0.1 * |dw|) = 0.1 * sign.
    w, dw = notebook_w_dw()
    dw = dw + 0.05
    next_w, config = rmsprop(w, dw, {"learning_rate": 1e-2})
    np.testing.assert_allclose(w - next_w, 0.1 * np.sign(dw), rtol=1e-5)
    np.testing.assert_allclose(config["cache"], 0.01 * dw**2)


@pytest.mark.parametrize(
    "rule, defaults",
    [
        (sgd, {"learning_rate": 1e-2}),
        (sgd_momentum, {"learning_rate": 1e-2, "momentum": 0.9}),
        (rmsprop, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}),
        (adam, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_config_none_is_filled_with_the_documented_defaults(rule, defaults):
    w, dw = notebook_w_dw()
    next_w, config = rule(w, dw, None)
    assert next_w.shape == w.shape
    for key, value in defaults.items():
        assert config[key] == value, key


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rules_do_not_modify_w_or_dw(rule):
    w, dw = notebook_w_dw()
    w0, dw0 = w.copy(), dw.copy()
    rule(w, dw, None)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(dw, dw0)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rules_keep_float32_weights_float32(rule):
    w, dw = (a.astype(np.float32) for a in notebook_w_dw())
    config = None
    for _ in range(2):
        w, config = rule(w, dw, config)
    assert w.dtype == np.float32
    for value in config.values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32 and value.shape == (N, D)


@pytest.mark.parametrize(
    "rule, expected_step",
    [
        # rmsprop: cache = 0.01 * dw**2, sqrt(cache) = 1e-7, step = lr * 1e-6 / (1e-7 + 1e-8)
        (rmsprop, 1e-2 * 1e-6 / 1.1e-7),
        # adam at t = 1: sqrt(v_hat) = |dw| = 1e-6, step = lr * 1e-6 / (1e-6 + 1e-8)
        (adam, 1e-3 / 1.01),
    ],
    ids=["rmsprop", "adam"],
)
def test_epsilon_is_added_to_the_root_not_under_it(rule, expected_step):
    # With tiny gradients the two placements differ by orders of magnitude:
    # sqrt(1e-12 + 1e-8) ~ 1e-4, while sqrt(1e-12) + 1e-8 ~ 1e-6.
    w = np.zeros((N, D))
    dw = np.full((N, D), 1e-6)
    next_w, _ = rule(w, dw, None)
    np.testing.assert_allclose(w - next_w, expected_step, rtol=1e-9)
