# Students: this file is given code; you do not need to change it.
"""The Solver trains a classification model with minibatch gradient descent.

It knows nothing about the model's architecture: it samples minibatches, asks the model for the
loss and gradients, moves each parameter with an update rule from ``optim.py``, checks accuracy
on training and validation data after every epoch, and keeps the parameters of the best
validation accuracy, which it puts back into the model when training ends.

The model must have:
- ``model.params``: a dict mapping parameter names to numpy arrays
- ``model.loss(X, y)``: returns ``(loss, grads)``, the scalar loss on the minibatch and a dict
  with the same keys as ``model.params`` holding the gradient of each parameter
- ``model.loss(X)``: returns the class scores, shape (N, C), without computing gradients

Example::

    data = {"X_train": ..., "y_train": ..., "X_val": ..., "y_val": ...}
    model = MyAwesomeModel(hidden_size=100, reg=10)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, print_every=100, seed=0)
    solver.train()
    solver.best_val_acc, solver.loss_history, solver.val_acc_history
"""

import copy
import inspect
import pickle

import numpy as np

from . import optim

_REQUIRED_DATA = ("X_train", "y_train", "X_val", "y_val")


def _lookup_update_rule(name):
    """The update function called ``name`` in ``optim.py``; ValueError for anything else."""
    rule = getattr(optim, name, None)
    if not (inspect.isfunction(rule) and rule.__module__ == optim.__name__):
        known = sorted(
            n for n, f in vars(optim).items()
            if inspect.isfunction(f) and f.__module__ == optim.__name__ and not n.startswith("_")
        )
        raise ValueError(f'Invalid update_rule "{name}"; choose one of {known} or pass a function')
    return rule


class Solver:
    """Minibatch training of a model, with per-epoch accuracy checks and best-model tracking.

    Inputs:
    - model: an object with ``params`` and ``loss`` as described in the module docstring
    - data: a dict with ``X_train: (N_train, ...)``, ``y_train: (N_train,)``,
      ``X_val: (N_val, ...)``, ``y_val: (N_val,)`` (other keys, like X_test, are ignored)

    Optional keyword arguments:
    - update_rule: the name of a rule in ``optim.py`` ("sgd", "sgd_momentum", "rmsprop",
      "adam") or a function with the same contract (default "sgd")
    - optim_config: dict of hyperparameters for the update rule; each parameter gets its own
      deep copy, so the rule's state (velocity, m, v, ...) is per parameter (default {})
    - lr_decay: the learning rate of every parameter is multiplied by this after each epoch
      (default 1.0)
    - batch_size: size of the minibatches (default 100)
    - num_epochs: number of passes over the training data (default 10)
    - num_train_samples: number of training samples used to estimate training accuracy; None
      uses the whole training set (default 1000)
    - num_val_samples: number of validation samples used to check validation accuracy; None
      uses the whole validation set (default None)
    - checkpoint_name: if given, the model and histories are pickled to
      ``{checkpoint_name}_epoch_{epoch}.pkl`` after every epoch; nothing is written otherwise
      (default None)
    - print_every: print the training loss every this many iterations (default 10)
    - verbose: print progress; False makes training silent (default True)
    - progress: show a tqdm progress bar over iterations, when verbose (default False)
    - seed: seed of the Solver's own ``np.random.Generator``, which draws the minibatches and
      the accuracy subsamples; the same seed gives the same run (default None)

    Unknown keyword arguments raise ValueError.

    Attributes filled in by ``train()``:
    - loss_history: the loss of every iteration
    - train_acc_history, val_acc_history: the accuracies at the start and after every epoch
    - best_val_acc, best_params: the best validation accuracy and a copy of the params then
    - optim_configs: the per-parameter update-rule configs (hyperparameters and state)
    """

    def __init__(self, model, data, **kwargs):
        missing = [key for key in _REQUIRED_DATA if key not in data]
        if missing:
            raise ValueError(f"data is missing {missing}; it needs {list(_REQUIRED_DATA)}")
        self.model = model
        self.X_train = data["X_train"]
        self.y_train = data["y_train"]
        self.X_val = data["X_val"]
        self.y_val = data["y_val"]

        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", None) or {}
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        self.progress = kwargs.pop("progress", False)
        self.seed = kwargs.pop("seed", None)
        if kwargs:
            raise ValueError(f"Unrecognized arguments: {', '.join(sorted(kwargs))}")

        if callable(self.update_rule):
            self._update = self.update_rule
        else:
            self._update = _lookup_update_rule(self.update_rule)
        self._reset()

    def _reset(self):
        """Set up the bookkeeping; called by __init__, not meant to be called by hand."""
        self._rng = np.random.default_rng(self.seed)
        self._bar = None
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {p: copy.deepcopy(self.optim_config) for p in self.model.params}

    def _step(self):
        """One gradient update on a random minibatch; records its loss."""
        num_train = self.X_train.shape[0]
        batch_mask = self._rng.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]

        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(float(loss))

        for p, w in self.model.params.items():
            next_w, next_config = self._update(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "model": self.model,
            "update_rule": self.update_rule,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        filename = f"{self.checkpoint_name}_epoch_{self.epoch}.pkl"
        if self.verbose:
            self._print(f'Saving checkpoint to "{filename}"')
        with open(filename, "wb") as f:
            pickle.dump(checkpoint, f)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of examples the model classifies correctly.

        Inputs:
        - X: data, shape (N, d_1, ..., d_k)
        - y: labels, shape (N,), each in 0 <= y[i] < C
        - num_samples: if given and smaller than N, check a random subset of this many examples
          (drawn with the Solver's generator)
        - batch_size: the model is run on batches of this size to bound memory

        Returns the accuracy, a float in [0, 1].
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = self._rng.choice(N, num_samples)
            N = num_samples
            X = X[mask]
            y = y[mask]

        y_pred = []
        for start in range(0, N, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        y_pred = np.concatenate(y_pred)
        return float(np.mean(y_pred == y))

    def train(self):
        """Run the optimization, then put the best parameters (by validation accuracy) back."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        bar = None
        if self.verbose and self.progress:
            from tqdm import tqdm  # the text bar: tqdm.auto needs ipywidgets in notebooks

            bar = tqdm(total=num_iterations, unit="it")
        self._bar = bar
        try:
            for t in range(num_iterations):
                self._step()
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{self.loss_history[-1]:.4f}", refresh=False)

                if self.verbose and t % self.print_every == 0:
                    self._print(
                        f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}"
                    )

                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for config in self.optim_configs.values():
                        if "learning_rate" in config:
                            config["learning_rate"] *= self.lr_decay

                # Check accuracy on the first iteration, the last, and at the end of each epoch.
                if t == 0 or t == num_iterations - 1 or epoch_end:
                    self._record_accuracies()
        finally:
            if bar is not None:
                bar.close()
            self._bar = None

        # Swap the best parameters in, keeping the model's own dict (copies, so that training
        # again cannot change best_params).
        for p, w in self.best_params.items():
            self.model.params[p] = w.copy()

    def _record_accuracies(self):
        train_acc = self.check_accuracy(
            self.X_train, self.y_train, num_samples=self.num_train_samples
        )
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._save_checkpoint()

        if self.verbose:
            self._print(
                f"(Epoch {self.epoch} / {self.num_epochs}) "
                f"train acc: {train_acc:f}; val_acc: {val_acc:f}"
            )

        # The first check always counts, so best_params is never empty after training.
        if not self.best_params or val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}

    def _print(self, message):
        if self._bar is not None:
            self._bar.write(message)
        else:
            print(message)
