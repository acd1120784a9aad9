"""The Solver drives a tiny softmax-regression model defined here, independent of the layers."""

import pickle

import numpy as np
import pytest

from solutions.gradient_check import eval_numerical_gradient, rel_error
from solutions.optim import sgd
from solutions.solver import Solver

NUM_CLASSES, DIM = 3, 5


@pytest.fixture(autouse=True)
def run_in_tmp_path(tmp_path, monkeypatch):
    """Whatever a Solver writes (checkpoints) lands in a temporary folder."""
    monkeypatch.chdir(tmp_path)


class SoftmaxRegression:
    """scores = X @ W + b with a softmax loss; the smallest model with the Solver's interface."""

    def __init__(self, weight_scale=1e-3, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W": weight_scale * rng.standard_normal((DIM, NUM_CLASSES)),
            "b": np.zeros(NUM_CLASSES),
        }
        self.rows_scored = 0

    def loss(self, X, y=None):
        W, b = self.params["W"], self.params["b"]
        scores = X @ W + b
        if y is None:
            self.rows_scored += X.shape[0]
            return scores
        N = X.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(N), y].mean()
        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}


def make_blobs(num_train=300, num_val=90, seed=0):
    """Three overlapping Gaussian blobs in 5-D: learnable, but not perfectly separable."""
    rng = np.random.default_rng(seed)
    centers = 1.5 * rng.standard_normal((NUM_CLASSES, DIM))

    def draw(n):
        y = rng.integers(NUM_CLASSES, size=n)
        return centers[y] + rng.standard_normal((n, DIM)), y

    X_train, y_train = draw(num_train)
    X_val, y_val = draw(num_val)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}


def make_solver(model=None, data=None, **kwargs):
    kwargs.setdefault("optim_config", {"learning_rate": 0.1})
    kwargs.setdefault("batch_size", 50)
    kwargs.setdefault("num_epochs", 4)
    kwargs.setdefault("verbose", False)
    kwargs.setdefault("seed", 0)
    return Solver(model or SoftmaxRegression(), data or make_blobs(), **kwargs)


def test_the_test_model_has_correct_gradients():
    data = make_blobs(num_train=20)
    model = SoftmaxRegression(weight_scale=0.5)
    X, y = data["X_train"], data["y_train"]
    _, grads = model.loss(X, y)
    for name in ("W", "b"):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], False)
        assert rel_error(num, grads[name]) < 1e-6


def test_training_reduces_the_loss_and_learns_the_blobs():
    solver = make_solver(num_epochs=5)
    solver.train()
    assert solver.loss_history[0] == pytest.approx(np.log(NUM_CLASSES), abs=0.02)
    assert np.mean(solver.loss_history[-5:]) < 0.6 * solver.loss_history[0]
    assert solver.best_val_acc > 0.8


def test_histories_have_one_loss_per_iteration_and_one_accuracy_per_epoch_plus_start():
    # 310 examples in batches of 50 make 6 iterations per epoch (the remainder is not an epoch).
    solver = make_solver(data=make_blobs(num_train=310), batch_size=50, num_epochs=4)
    solver.train()
    assert len(solver.loss_history) == 4 * 6
    assert len(solver.train_acc_history) == 4 + 1
    assert len(solver.val_acc_history) == 4 + 1
    assert solver.epoch == 4


def test_best_params_by_validation_accuracy_are_swapped_in_at_the_end():
    # An update rule that trains for two epochs, then scrambles the weights: the last epochs are
    # worse than the best one, so the final params must come from best_params, not the last step.
    calls = []
    noise = np.random.default_rng(1)

    def train_then_scramble(w, dw, config):
        calls.append(w.shape)
        if len(calls) <= 2 * 2 * 6:  # 2 epochs x 2 params x 6 iterations
            return sgd(w, dw, config)
        return w + 10.0 * noise.standard_normal(w.shape), config

    model = SoftmaxRegression()
    solver = make_solver(model=model, update_rule=train_then_scramble, num_epochs=5)
    solver.train()
    assert solver.val_acc_history[-1] < solver.best_val_acc  # the scramble did hurt
    assert solver.best_val_acc == max(solver.val_acc_history)
    for name, best in solver.best_params.items():
        np.testing.assert_array_equal(model.params[name], best)
        assert model.params[name] is not best
    assert solver.check_accuracy(solver.X_val, solver.y_val) == solver.best_val_acc


def test_callable_update_rule_is_called_once_per_parameter_per_iteration():
    seen = []

    def recording_sgd(w, dw, config):
        seen.append((w.shape, id(config)))
        return sgd(w, dw, config)

    solver = make_solver(update_rule=recording_sgd, num_epochs=2)
    solver.train()
    assert len(seen) == 2 * 6 * 2
    assert {shape for shape, _ in seen} == {(DIM, NUM_CLASSES), (NUM_CLASSES,)}
    assert len({config_id for _, config_id in seen}) == 2


def test_each_parameter_gets_its_own_copy_of_optim_config():
    user_config = {"learning_rate": 1e-2}
    model = SoftmaxRegression()
    solver = make_solver(model=model, update_rule="adam", optim_config=user_config, num_epochs=2)
    solver.train()
    assert user_config == {"learning_rate": 1e-2}
    assert solver.optim_configs["W"]["m"].shape == (DIM, NUM_CLASSES)
    assert solver.optim_configs["b"]["m"].shape == (NUM_CLASSES,)
    assert solver.optim_configs["W"]["t"] == solver.optim_configs["b"]["t"] == 2 * 6


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_update_rules_are_looked_up_by_name(rule):
    solver = make_solver(update_rule=rule, optim_config={"learning_rate": 1e-2}, num_epochs=1)
    solver.train()
    assert solver.loss_history[-1] < solver.loss_history[0]


def test_lr_decay_multiplies_the_learning_rate_once_per_epoch():
    solver = make_solver(optim_config={"learning_rate": 0.1}, lr_decay=0.5, num_epochs=3)
    solver.train()
    for config in solver.optim_configs.values():
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5**3)


def test_unknown_keyword_arguments_raise_naming_them():
    with pytest.raises(ValueError, match="learning_rate.*nmu_epochs"):
        Solver(SoftmaxRegression(), make_blobs(), learning_rate=1e-3, nmu_epochs=3)


@pytest.mark.parametrize("name", ["adamw", "np"])
def test_unknown_update_rule_name_raises(name):
    with pytest.raises(ValueError, match="update_rule"):
        Solver(SoftmaxRegression(), make_blobs(), update_rule=name)


def test_missing_data_keys_raise():
    data = make_blobs()
    del data["y_val"]
    with pytest.raises(ValueError, match="y_val"):
        Solver(SoftmaxRegression(), data)


def test_same_seed_gives_the_same_run_and_another_seed_a_different_one():
    def run(seed):
        model = SoftmaxRegression()
        solver = make_solver(model=model, seed=seed, num_train_samples=100)
        solver.train()
        return solver, model

    a, model_a = run(seed=3)
    b, model_b = run(seed=3)
    c, _ = run(seed=4)
    assert a.loss_history == b.loss_history
    assert a.train_acc_history == b.train_acc_history
    np.testing.assert_array_equal(model_a.params["W"], model_b.params["W"])
    assert a.loss_history != c.loss_history


def test_solver_does_not_touch_the_global_random_state():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    make_solver(num_train_samples=100).train()
    assert np.random.rand() == expected


def test_check_accuracy_scores_every_example_including_a_last_partial_batch():
    data = make_blobs(num_val=95)
    model = SoftmaxRegression(weight_scale=1.0)
    solver = make_solver(model=model, data=data)
    expected = np.mean(np.argmax(data["X_val"] @ model.params["W"], axis=1) == data["y_val"])
    acc = solver.check_accuracy(data["X_val"], data["y_val"], batch_size=10)
    assert acc == pytest.approx(expected)
    assert model.rows_scored == 95


def test_check_accuracy_with_num_samples_scores_only_that_many():
    model = SoftmaxRegression()
    solver = make_solver(model=model)
    acc = solver.check_accuracy(solver.X_train, solver.y_train, num_samples=40)
    assert model.rows_scored == 40
    assert 0.0 <= acc <= 1.0


def test_verbose_prints_the_familiar_iteration_and_epoch_lines(capsys):
    make_solver(verbose=True, print_every=10, num_epochs=4).train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 24) loss: " in out
    assert "(Iteration 11 / 24) loss: " in out
    assert "(Iteration 21 / 24) loss: " in out
    assert "(Iteration 2 / 24)" not in out
    assert "(Epoch 0 / 4) train acc: " in out
    assert "(Epoch 4 / 4) train acc: " in out and "; val_acc: " in out


def test_not_verbose_is_silent_even_with_progress(capsys):
    make_solver(verbose=False, progress=True).train()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_is_shown_when_asked_and_keeps_the_prints(capsys):
    make_solver(verbose=True, progress=True, num_epochs=2).train()
    captured = capsys.readouterr()
    assert "12/12" in captured.err
    assert "(Epoch 2 / 2) train acc: " in captured.out


def test_checkpoints_are_pickled_only_when_a_name_is_given(tmp_path):
    make_solver(num_epochs=2).train()
    assert list(tmp_path.iterdir()) == []

    make_solver(num_epochs=2, checkpoint_name=str(tmp_path / "ck")).train()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ck_epoch_0.pkl", "ck_epoch_1.pkl", "ck_epoch_2.pkl"]
    with open(tmp_path / "ck_epoch_2.pkl", "rb") as f:
        checkpoint = pickle.load(f)
    assert checkpoint["epoch"] == 2
    assert len(checkpoint["loss_history"]) == 2 * 6
    assert len(checkpoint["val_acc_history"]) == 3
