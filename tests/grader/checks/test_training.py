"""grader/checks/training.py: learned parameters come back as plain arrays and are checked
before the reference's evaluation uses them."""

import numpy as np

from grader.checks.training import _reference_model, accuracy, load_learned


def _model():
    return _reference_model(
        "solutions",
        "classifiers.neural_net.TwoLayerNet",
        {"input_size": 64, "hidden_size": 10, "output_size": 10, "std": 1e-4},
    )


def test_learned_parameters_are_copied_into_the_reference_model():
    model = _model()
    learned = {k: np.full_like(v, 0.5) for k, v in model.params.items()}
    assert load_learned(model, {"params": learned}) is None
    assert all((v == 0.5).all() for v in model.params.values())


def test_a_bias_stored_as_a_row_is_the_same_parameter():
    model = _model()
    learned = dict(model.params)
    learned["b1"] = model.params["b1"].reshape(1, -1) + 1.0
    assert load_learned(model, {"params": learned}) is None
    assert model.params["b1"].shape == (10,) and (model.params["b1"] == 1.0).all()


def test_missing_misshapen_or_diverged_parameters_are_refused_with_the_reason():
    model = _model()
    assert load_learned(model, {"weights": {}}) == "training returned no parameters"
    wrong = {**model.params, "W1": np.zeros((3, 3))}
    assert "learned parameter W1: expected shape" in load_learned(model, {"params": wrong})
    nan = {**model.params, "W2": np.full_like(model.params["W2"], np.nan)}
    assert "NaN or inf" in load_learned(_model(), {"params": nan})


def test_accuracy_is_the_share_of_right_predictions():
    class Fixed:
        def predict(self, X):
            return (X[:, 0] > 0).astype(int)

    X = np.array([[1.0], [-1.0], [2.0], [-3.0]])
    assert accuracy(Fixed(), X, np.array([1, 0, 0, 0])) == 0.75
