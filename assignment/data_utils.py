# Students: this file is given code; you do not need to change it.
"""Datasets served as the notebooks expect them: a dict of train/validation/test arrays.

Every loader returns a dict with exactly six keys::

    X_train: (N_train, C, H, W) float64     y_train: (N_train,) int64
    X_val:   (N_val, C, H, W) float64       y_val:   (N_val,) int64
    X_test:  (N_test, C, H, W) float64      y_test:  (N_test,) int64

Two datasets are available:
- the handwritten digits bundled with scikit-learn (1,797 real 8x8 grey images, C=1), which
  work offline and are the default;
- CIFAR-10 (60,000 32x32 colour images, C=3) from its python-pickle batches in a local folder,
  when you have downloaded it.

``get_data()`` picks one and prints which; ``resolve_dataset()`` tells which it would pick
without loading anything. Class names are in ``DIGITS_CLASSES`` and ``CIFAR10_CLASSES``.
"""

import os
import pickle
import warnings
from pathlib import Path

import numpy as np

DIGITS_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
CIFAR10_CLASSES = (
    "plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_FILES = tuple(f"data_batch_{b}" for b in range(1, 6)) + ("test_batch",)
CIFAR10_ENV_VAR = "SCRATCHNET_CIFAR10"
CIFAR10_DEFAULT_ROOT = Path("datasets") / "cifar-10-batches-py"

_HOW_TO_GET_CIFAR10 = (
    f"download {CIFAR10_URL}, unpack it (tar xzf cifar-10-python.tar.gz) and pass the "
    f"cifar-10-batches-py folder as the root, or set {CIFAR10_ENV_VAR} to it, or put it at "
    f"./{CIFAR10_DEFAULT_ROOT.as_posix()}"
)


class DatasetError(Exception):
    """A dataset could not be loaded; the message names the path and what was expected."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A dataset folder or file is missing."""


class CorruptDatasetError(DatasetError, ValueError):
    """A dataset file exists but does not hold what its format promises."""


def load_digits_data(num_training=None, num_validation=300, num_test=300, seed=0,
                     subtract_mean=True):
    """scikit-learn's handwritten digits as a CIFAR-10-style dict, images (N, 1, 8, 8).

    The 1,797 images are shuffled by a fixed permutation drawn from ``seed``; the first
    ``num_test`` are the test set, the next ``num_validation`` the validation set, and the next
    ``num_training`` (default: all the rest) the training set. With the defaults the split is
    1,197 train / 300 val / 300 test, and it is the same on every call.

    Pixels are scaled from 0..16 to 0.0..1.0 (16 -> 1.0); then, if ``subtract_mean``, the mean
    training image is subtracted from all three splits.

    Returns the six-key dict described in the module docstring (C=1, H=W=8).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.images.astype(np.float64)[:, None, :, :] / 16.0
    y = digits.target.astype(np.int64)
    num_total = X.shape[0]
    if num_training is None:
        num_training = num_total - num_validation - num_test
    if min(num_training, num_validation, num_test) < 0 or (
        num_training + num_validation + num_test > num_total
    ):
        raise ValueError(
            f"the digits split {num_training}/{num_validation}/{num_test} "
            f"(train/val/test) does not fit in {num_total} images"
        )

    order = np.random.default_rng(seed).permutation(num_total)
    test_idx = order[:num_test]
    val_idx = order[num_test:num_test + num_validation]
    train_idx = order[num_test + num_validation:num_test + num_validation + num_training]
    data = {
        "X_train": X[train_idx], "y_train": y[train_idx],
        "X_val": X[val_idx], "y_val": y[val_idx],
        "X_test": X[test_idx], "y_test": y[test_idx],
    }
    if subtract_mean:
        _subtract_train_mean(data)
    return data


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles only plain containers and numpy arrays: a batch file cannot run code."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        with warnings.catch_warnings():
            # numpy 2 renamed numpy.core to numpy._core; CIFAR-10's pickles use the old name.
            warnings.simplefilter("ignore", DeprecationWarning)
            return super().find_class(module, name)


def _load_cifar_batch(path):
    """One CIFAR-10 batch file as (X: (N, 32, 32, 3) uint8, y: (N,) int64)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFoundError(
            f"CIFAR-10 batch file {path} is missing; a CIFAR-10 folder holds "
            f"{', '.join(CIFAR10_FILES)}. To get it: {_HOW_TO_GET_CIFAR10}"
        )
    try:
        with open(path, "rb") as f:
            batch = _ArrayUnpickler(f, encoding="latin1").load()
    except MemoryError:
        raise
    except Exception as exc:  # any other failure to unpickle means the file is not a CIFAR batch
        raise CorruptDatasetError(
            f"{path} is not a readable CIFAR-10 python batch ({type(exc).__name__}: {exc}); "
            f"re-download {CIFAR10_URL}"
        ) from exc

    if isinstance(batch, dict):
        # Python 2 pickles load with str keys under encoding='latin1'; accept bytes keys too.
        batch = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = batch.get("data") if isinstance(batch, dict) else None
    labels = batch.get("labels") if isinstance(batch, dict) else None
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2
            and data.shape[1] == 3 * 32 * 32):
        raise CorruptDatasetError(
            f"{path} is not a CIFAR-10 batch: expected a dict whose 'data' is a uint8 array of "
            f"shape (N, 3072); got {_describe(data if isinstance(batch, dict) else batch)}"
        )
    try:
        y = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise CorruptDatasetError(f"{path}: 'labels' is not a list of integers") from exc
    if y.shape != (data.shape[0],) or y.min(initial=0) < 0 or y.max(initial=0) > 9:
        raise CorruptDatasetError(
            f"{path} is not a CIFAR-10 batch: expected {data.shape[0]} labels in 0..9 in "
            f"'labels'; got {_describe(labels)}"
        )
    # Each row holds the red plane, then green, then blue, each 32x32 in row-major order.
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return X, y


def _describe(obj):
    if isinstance(obj, np.ndarray):
        return f"array of dtype {obj.dtype} and shape {obj.shape}"
    if isinstance(obj, (list, tuple)):
        return f"{type(obj).__name__} of length {len(obj)}"
    return type(obj).__name__


def load_CIFAR10(root):
    """All of CIFAR-10 from the python-pickle batches in ``root`` (the cifar-10-batches-py folder).

    Returns a tuple of:
    - Xtr: (50000, 32, 32, 3) float64 training images, pixel values 0..255
    - ytr: (50000,) int64 training labels, data_batch_1 first
    - Xte: (10000, 32, 32, 3) float64 test images
    - yte: (10000,) int64 test labels

    Raises DatasetNotFoundError if the folder or a file is missing and CorruptDatasetError if a
    file is not a CIFAR-10 batch; both name the path.
    """
    Xtr, ytr, Xte, yte = _load_cifar10_uint8(root)
    return Xtr.astype(np.float64), ytr, Xte.astype(np.float64), yte


def _load_cifar10_uint8(root):
    """load_CIFAR10 without the conversion to float64 (a quarter of the memory)."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetNotFoundError(
            f"CIFAR-10 folder {root} does not exist; expected a folder holding "
            f"{', '.join(CIFAR10_FILES)}. To get it: {_HOW_TO_GET_CIFAR10}"
        )
    missing = [name for name in CIFAR10_FILES if not (root / name).is_file()]
    if missing:
        raise DatasetNotFoundError(
            f"CIFAR-10 folder {root} lacks {', '.join(missing)}; expected "
            f"{', '.join(CIFAR10_FILES)}. To get it: {_HOW_TO_GET_CIFAR10}"
        )
    batches = [_load_cifar_batch(root / name) for name in CIFAR10_FILES[:-1]]
    Xtr = np.concatenate([X for X, _ in batches])
    ytr = np.concatenate([y for _, y in batches])
    Xte, yte = _load_cifar_batch(root / CIFAR10_FILES[-1])
    return Xtr, ytr, Xte, yte


def get_CIFAR10_data(root=None, num_training=49000, num_validation=1000, num_test=1000,
                     subtract_mean=True):
    """CIFAR-10 as the six-key dict, images (N, 3, 32, 32) float64, pixel values 0..255.

    The training set is the first ``num_training`` training images, the validation set the
    ``num_validation`` after them, the test set the first ``num_test`` test images. If
    ``subtract_mean``, the mean training image is subtracted from all three.

    ``root`` is the cifar-10-batches-py folder; None looks for it as ``resolve_dataset`` does
    (the SCRATCHNET_CIFAR10 environment variable, then ./datasets/cifar-10-batches-py).
    """
    if root is None:
        root = _find_cifar_root()
        if root is None:
            raise DatasetNotFoundError(f"CIFAR-10 was not found. To get it: {_HOW_TO_GET_CIFAR10}")
    Xtr, ytr, Xte, yte = _load_cifar10_uint8(root)
    if min(num_training, num_validation, num_test) < 0 or (
        num_training + num_validation > Xtr.shape[0] or num_test > Xte.shape[0]
    ):
        raise ValueError(
            f"the CIFAR-10 split {num_training}/{num_validation}/{num_test} (train/val/test) "
            f"does not fit in {Xtr.shape[0]} training and {Xte.shape[0]} test images"
        )

    def as_nchw(X):
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2), dtype=np.float64)

    data = {
        "X_train": as_nchw(Xtr[:num_training]),
        "y_train": ytr[:num_training],
        "X_val": as_nchw(Xtr[num_training:num_training + num_validation]),
        "y_val": ytr[num_training:num_training + num_validation],
        "X_test": as_nchw(Xte[:num_test]),
        "y_test": yte[:num_test],
    }
    if subtract_mean:
        _subtract_train_mean(data)
    return data


def _subtract_train_mean(data):
    """Subtract the mean training image from every split, in place (the arrays are our own)."""
    mean_image = np.mean(data["X_train"], axis=0)
    for split in ("train", "val", "test"):
        data[f"X_{split}"] -= mean_image


def _find_cifar_root():
    """The CIFAR-10 folder named by SCRATCHNET_CIFAR10 or found at the default place, or None.

    Raises DatasetNotFoundError if the environment variable names something that is not a
    folder: that is a broken setting, not a reason to fall back to digits silently.
    """
    env = os.environ.get(CIFAR10_ENV_VAR)
    if env:
        if not Path(env).is_dir():
            raise DatasetNotFoundError(
                f"{CIFAR10_ENV_VAR}={env} is not a folder; it should name the "
                f"cifar-10-batches-py folder holding {', '.join(CIFAR10_FILES)}"
            )
        return Path(env)
    if CIFAR10_DEFAULT_ROOT.is_dir():
        return CIFAR10_DEFAULT_ROOT
    return None


def resolve_dataset(dataset="auto", cifar_root=None):
    """Which dataset ``get_data`` would load, without loading it.

    Inputs:
    - dataset: "digits", "cifar10" or "auto". "auto" means CIFAR-10 if ``cifar_root`` is given,
      or SCRATCHNET_CIFAR10 names a folder, or ./datasets/cifar-10-batches-py exists; digits
      otherwise.
    - cifar_root: the cifar-10-batches-py folder, or None to look for it

    Returns a tuple (name, root): ("digits", None) or ("cifar10", Path to the folder).
    Raises ValueError for an unknown name, DatasetNotFoundError if "cifar10" is asked for and
    cannot be found.
    """
    if dataset not in ("auto", "digits", "cifar10"):
        raise ValueError(f'unknown dataset "{dataset}"; choose "auto", "digits" or "cifar10"')
    if dataset == "digits":
        return "digits", None
    root = Path(cifar_root) if cifar_root is not None else _find_cifar_root()
    if root is not None:
        return "cifar10", root
    if dataset == "cifar10":
        raise DatasetNotFoundError(f"CIFAR-10 was not found. To get it: {_HOW_TO_GET_CIFAR10}")
    return "digits", None


def get_data(dataset="auto", cifar_root=None, num_training=None, num_validation=None,
             num_test=None, subtract_mean=True):
    """Load the digits or CIFAR-10 (see ``resolve_dataset``) and print one line saying which.

    ``num_training``, ``num_validation`` and ``num_test`` default (None) to the chosen loader's
    own defaults: 1,197/300/300 for digits, 49,000/1,000/1,000 for CIFAR-10.

    Returns the six-key dict of ``load_digits_data`` or ``get_CIFAR10_data``; the dict holds only
    arrays, so call ``resolve_dataset`` to know the dataset's name in code.
    """
    name, root = resolve_dataset(dataset, cifar_root)
    sizes = {
        key: value
        for key, value in (("num_training", num_training), ("num_validation", num_validation),
                           ("num_test", num_test))
        if value is not None
    }
    if name == "cifar10":
        data = get_CIFAR10_data(root, subtract_mean=subtract_mean, **sizes)
        print(f"Loaded CIFAR-10 from {root}: {_split_summary(data)} images of 3x32x32.")
    else:
        data = load_digits_data(subtract_mean=subtract_mean, **sizes)
        summary = _split_summary(data)
        message = f"Loaded scikit-learn's handwritten digits: {summary} images of 1x8x8."
        if dataset == "auto":
            message += f" CIFAR-10 was not found; to use it, {_HOW_TO_GET_CIFAR10}."
        print(message)
    return data


def _split_summary(data):
    sizes = (len(data[f"y_{split}"]) for split in ("train", "val", "test"))
    return "{:,} train / {:,} val / {:,} test".format(*sizes)
