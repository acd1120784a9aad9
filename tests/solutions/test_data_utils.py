"""Dataset loaders: the bundled digits, and CIFAR-10 from batches written in the real format."""

import os
import pickle
import struct

import numpy as np
import pytest
from sklearn.datasets import load_digits

from solutions.data_utils import (
    CIFAR10_ENV_VAR,
    CIFAR10_URL,
    CorruptDatasetError,
    DatasetError,
    DatasetNotFoundError,
    get_CIFAR10_data,
    get_data,
    load_CIFAR10,
    load_digits_data,
    resolve_dataset,
)

KEYS = {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test"}
SPLITS = ("train", "val", "test")


# --- Python 2 pickles, as the CIFAR-10 python batches are ----------------------------------
# The real batches were written by Python 2's cPickle: dict keys and strings are Python 2 `str`
# (opcode SHORT_BINSTRING/BINSTRING), and `data` is a numpy array pickled by numpy 1.x, whose
# raw bytes are also a Python 2 str and whose reconstructor is numpy.core.multiarray. Python 3
# cannot write that, so the few opcodes needed are spelled out here.


def _py2_str(b):
    if len(b) < 256:
        return b"U" + bytes([len(b)]) + b
    return b"T" + struct.pack("<i", len(b)) + b


def _py2_int(i):
    if 0 <= i < 256:
        return b"K" + bytes([i])
    if 0 <= i < 65536:
        return b"M" + struct.pack("<H", i)
    return b"J" + struct.pack("<i", i)


def _py2_obj(obj):
    if isinstance(obj, bytes):
        return _py2_str(obj)
    if isinstance(obj, int):
        return _py2_int(obj)
    if isinstance(obj, list):
        return b"](" + b"".join(_py2_obj(x) for x in obj) + b"e"
    if isinstance(obj, dict):
        return b"}(" + b"".join(_py2_obj(k) + _py2_obj(v) for k, v in obj.items()) + b"u"
    if isinstance(obj, np.ndarray) and obj.dtype == np.uint8:
        shape = b"(" + b"".join(_py2_int(s) for s in obj.shape) + b"t"
        minus_one = b"J" + struct.pack("<i", -1)
        dtype = (
            b"cnumpy\ndtype\n"
            + _py2_str(b"u1")
            + _py2_int(0)
            + _py2_int(1)
            + b"\x87R"
            + b"("
            + _py2_int(3)
            + _py2_str(b"|")
            + b"NNN"
            + minus_one
            + minus_one
            + _py2_int(0)
            + b"tb"
        )
        return (
            b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
            + _py2_int(0)
            + b"\x85"
            + _py2_str(b"b")
            + b"\x87R"
            + b"("
            + _py2_int(1)
            + shape
            + dtype
            + b"\x89"
            + _py2_str(obj.tobytes())
            + b"tb"
        )
    raise TypeError(type(obj))


def py2_pickle(obj):
    """Protocol-2 pickle bytes as Python 2's cPickle would write ``obj`` (bytes = py2 str)."""
    return b"\x80\x02" + _py2_obj(obj) + b"."


def test_py2_pickle_helper_loads_like_a_python2_file():
    data = np.arange(6, dtype=np.uint8).reshape(2, 3)
    raw = py2_pickle({b"data": data, b"labels": [1, 2]})
    as_latin1 = pickle.loads(raw, encoding="latin1")
    as_bytes = pickle.loads(raw, encoding="bytes")
    assert set(as_latin1) == {"data", "labels"} and set(as_bytes) == {b"data", b"labels"}
    np.testing.assert_array_equal(as_latin1["data"], data)


def cifar_rows(images):
    """(N, 32, 32, 3) images as CIFAR-10 rows: 1024 red values, then green, then blue, each
    32x32 plane in row-major order (the layout documented on the CIFAR-10 page)."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), 3072)


def write_batch(path, images, labels, batch_label=b"training batch"):
    batch = {
        b"batch_label": batch_label,
        b"labels": [int(v) for v in labels],
        b"data": cifar_rows(images),
        b"filenames": [b"img_%05d.png" % i for i in range(len(images))],
    }
    path.write_bytes(py2_pickle(batch))


def write_cifar_folder(root, per_batch=20, seed=0):
    """A tiny CIFAR-10 folder: five training batches and a test batch of ``per_batch`` images."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    train_images = rng.integers(0, 256, size=(5 * per_batch, 32, 32, 3), dtype=np.uint8)
    train_labels = rng.integers(0, 10, size=5 * per_batch)
    for b in range(5):
        part = slice(b * per_batch, (b + 1) * per_batch)
        write_batch(
            root / f"data_batch_{b + 1}",
            train_images[part],
            train_labels[part],
            b"training batch %d of 5" % (b + 1),
        )
    test_images = rng.integers(0, 256, size=(per_batch, 32, 32, 3), dtype=np.uint8)
    test_labels = rng.integers(0, 10, size=per_batch)
    write_batch(root / "test_batch", test_images, test_labels, b"testing batch 1 of 1")
    return train_images, train_labels, test_images, test_labels


@pytest.fixture
def cifar_root(tmp_path):
    root = tmp_path / "cifar-10-batches-py"
    arrays = write_cifar_folder(root)
    return root, arrays


@pytest.fixture
def no_cifar(tmp_path, monkeypatch):
    """A working directory without ./datasets and no SCRATCHNET_CIFAR10."""
    monkeypatch.delenv(CIFAR10_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- digits ----------------------------------------------------------------------------------


def test_digits_dict_has_the_six_keys_shapes_and_dtypes():
    data = load_digits_data()
    assert set(data) == KEYS
    for split, n in zip(SPLITS, (1197, 300, 300), strict=True):
        assert data[f"X_{split}"].shape == (n, 1, 8, 8)
        assert data[f"X_{split}"].dtype == np.float64
        assert data[f"y_{split}"].shape == (n,)
        assert data[f"y_{split}"].dtype == np.int64


def test_digits_splits_partition_the_dataset_with_labels_attached():
    data = load_digits_data(subtract_mean=False)
    digits = load_digits()
    ours = np.concatenate(
        [np.column_stack([data[f"X_{s}"].reshape(-1, 64) * 16, data[f"y_{s}"]]) for s in SPLITS]
    )
    theirs = np.column_stack([digits.data, digits.target])
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.unique(ours, axis=0), np.unique(theirs, axis=0))
    assert len(np.unique(ours, axis=0)) == len(theirs)  # no image in two splits


def test_digits_split_is_the_same_on_every_call_and_depends_on_the_seed():
    a, b = load_digits_data(), load_digits_data()
    for key in KEYS:
        np.testing.assert_array_equal(a[key], b[key])
    c = load_digits_data(seed=1)
    assert not np.array_equal(a["y_train"], c["y_train"])


def test_digits_test_set_does_not_move_when_the_validation_size_changes():
    a = load_digits_data(subtract_mean=False)
    b = load_digits_data(num_validation=100, subtract_mean=False)
    np.testing.assert_array_equal(a["X_test"], b["X_test"])
    assert len(b["y_train"]) == 1797 - 100 - 300


def test_digits_pixels_are_scaled_so_that_16_is_one():
    data = load_digits_data(subtract_mean=False)
    X = np.concatenate([data[f"X_{s}"] for s in SPLITS])
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.unique(X * 16), np.arange(17))


def test_digits_mean_training_image_is_subtracted_from_every_split():
    raw = load_digits_data(subtract_mean=False)
    centred = load_digits_data()
    mean_image = raw["X_train"].mean(axis=0)
    for split in SPLITS:
        np.testing.assert_allclose(centred[f"X_{split}"], raw[f"X_{split}"] - mean_image)
    np.testing.assert_allclose(centred["X_train"].mean(axis=0), 0, atol=1e-12)


def test_digits_split_larger_than_the_dataset_raises():
    with pytest.raises(ValueError, match="1797"):
        load_digits_data(num_training=1500)


# --- CIFAR-10 --------------------------------------------------------------------------------


def test_load_CIFAR10_reads_real_format_batches_in_order(cifar_root):
    root, (train_images, train_labels, test_images, test_labels) = cifar_root
    Xtr, ytr, Xte, yte = load_CIFAR10(root)
    assert Xtr.shape == (100, 32, 32, 3) and Xte.shape == (20, 32, 32, 3)
    assert Xtr.dtype == np.float64 and ytr.dtype == np.int64
    np.testing.assert_array_equal(Xtr, train_images)
    np.testing.assert_array_equal(ytr, train_labels)
    np.testing.assert_array_equal(Xte, test_images)
    np.testing.assert_array_equal(yte, test_labels)


def test_load_CIFAR10_also_reads_batches_re_saved_by_python3(tmp_path):
    root = tmp_path / "cifar"
    train_images, train_labels, _, _ = write_cifar_folder(root, per_batch=4)
    batch = {b"data": cifar_rows(train_images[:4]), b"labels": list(train_labels[:4])}
    (root / "data_batch_1").write_bytes(pickle.dumps(batch))
    Xtr, ytr, _, _ = load_CIFAR10(root)
    np.testing.assert_array_equal(Xtr, train_images)
    np.testing.assert_array_equal(ytr, train_labels)


def test_get_CIFAR10_data_splits_transposes_and_subtracts_the_mean(cifar_root):
    root, (train_images, train_labels, test_images, test_labels) = cifar_root
    data = get_CIFAR10_data(root, num_training=70, num_validation=20, num_test=10)
    assert set(data) == KEYS
    nchw = train_images.transpose(0, 3, 1, 2).astype(np.float64)
    mean_image = nchw[:70].mean(axis=0)
    expected = {
        "X_train": nchw[:70] - mean_image,
        "y_train": train_labels[:70],
        "X_val": nchw[70:90] - mean_image,
        "y_val": train_labels[70:90],
        "X_test": test_images[:10].transpose(0, 3, 1, 2) - mean_image,
        "y_test": test_labels[:10],
    }
    for key, value in expected.items():
        assert data[key].shape == value.shape, key
        np.testing.assert_allclose(data[key], value, err_msg=key)
    assert data["X_train"].dtype == np.float64 and data["X_train"].flags.c_contiguous

    raw = get_CIFAR10_data(
        root, num_training=70, num_validation=20, num_test=10, subtract_mean=False
    )
    np.testing.assert_array_equal(raw["X_val"], nchw[70:90])


def test_get_CIFAR10_data_split_larger_than_the_data_raises(cifar_root):
    root, _ = cifar_root
    with pytest.raises(ValueError, match="does not fit"):
        get_CIFAR10_data(root)  # the default 49,000 + 1,000 from a 100-image folder


def test_missing_cifar_folder_raises_naming_the_path_files_and_download(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetNotFoundError) as info:
        load_CIFAR10(missing)
    message = str(info.value)
    assert str(missing) in message and CIFAR10_URL in message
    assert "data_batch_1" in message and "data_batch_5" in message and "test_batch" in message
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, DatasetError)


def test_missing_batch_files_are_all_named_before_anything_is_loaded(cifar_root):
    root, _ = cifar_root
    (root / "data_batch_3").unlink()
    (root / "test_batch").unlink()
    with pytest.raises(DatasetNotFoundError, match="lacks data_batch_3, test_batch"):
        load_CIFAR10(root)


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a pickle at all",
        "truncated",
        "wrong_row_length",
        "labels_too_short",
        "not_a_dict",
    ],
    ids=["garbage", "truncated", "wrong_row_length", "labels_too_short", "not_a_dict"],
)
def test_corrupt_batch_raises_naming_the_path(cifar_root, content):
    root, _ = cifar_root
    path = root / "data_batch_2"
    good = path.read_bytes()
    images = np.zeros((20, 32, 32, 3), np.uint8)
    if content == "truncated":
        raw = good[: len(good) // 2]
    elif content == "wrong_row_length":
        raw = py2_pickle({b"data": np.zeros((20, 1024), np.uint8), b"labels": [0] * 20})
    elif content == "labels_too_short":
        raw = py2_pickle({b"data": cifar_rows(images), b"labels": [0] * 19})
    elif content == "not_a_dict":
        raw = py2_pickle([1, 2, 3])
    else:
        raw = content
    path.write_bytes(raw)
    with pytest.raises(CorruptDatasetError) as info:
        load_CIFAR10(root)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DatasetError)


class _OpensAFile:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_a_batch_that_would_run_code_is_refused_without_running_it(cifar_root, tmp_path):
    root, _ = cifar_root
    marker = tmp_path / "pwned"
    (root / "test_batch").write_bytes(pickle.dumps({"data": _OpensAFile(str(marker))}))
    with pytest.raises(CorruptDatasetError, match="refusing"):
        load_CIFAR10(root)
    assert not marker.exists()


# --- choosing a dataset ----------------------------------------------------------------------


def test_get_data_auto_falls_back_to_digits_and_says_how_to_get_cifar(no_cifar, capsys):
    data = get_data()
    assert set(data) == KEYS and data["X_train"].shape == (1197, 1, 8, 8)
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "digits" in out and "CIFAR-10 was not found" in out
    assert CIFAR10_URL in out and CIFAR10_ENV_VAR in out
    assert resolve_dataset() == ("digits", None)


def test_get_data_digits_when_asked_does_not_mention_a_fallback(no_cifar, capsys):
    get_data("digits")
    out = capsys.readouterr().out
    assert "digits" in out and "not found" not in out


def test_get_data_auto_uses_cifar_from_the_environment_variable(
    cifar_root, no_cifar, monkeypatch, capsys
):
    root, (_, train_labels, _, _) = cifar_root
    monkeypatch.setenv(CIFAR10_ENV_VAR, str(root))
    data = get_data(num_training=80, num_validation=20, num_test=20)
    assert data["X_train"].shape == (80, 3, 32, 32)
    np.testing.assert_array_equal(data["y_val"], train_labels[80:100])
    out = capsys.readouterr().out
    assert "CIFAR-10" in out and str(root) in out and "digits" not in out
    assert resolve_dataset() == ("cifar10", root)


def test_get_data_auto_uses_cifar_from_the_default_folder(no_cifar, capsys):
    write_cifar_folder(no_cifar / "datasets" / "cifar-10-batches-py", per_batch=4)
    data = get_data(num_training=16, num_validation=4, num_test=4)
    assert data["X_test"].shape == (4, 3, 32, 32)
    assert "CIFAR-10" in capsys.readouterr().out


def test_get_data_auto_uses_an_explicit_root(cifar_root, no_cifar):
    root, _ = cifar_root
    data = get_data(cifar_root=root, num_training=50, num_validation=10, num_test=5)
    assert data["X_val"].shape == (10, 3, 32, 32)


def test_get_data_cifar10_without_cifar_raises_saying_how_to_get_it(no_cifar):
    with pytest.raises(DatasetNotFoundError, match="cifar-10-python.tar.gz"):
        get_data("cifar10")


def test_environment_variable_naming_a_missing_folder_raises(no_cifar, monkeypatch):
    monkeypatch.setenv(CIFAR10_ENV_VAR, os.fspath(no_cifar / "typo"))
    with pytest.raises(DatasetNotFoundError, match=CIFAR10_ENV_VAR):
        get_data()


def test_unknown_dataset_name_raises():
    with pytest.raises(ValueError, match="mnist"):
        get_data("mnist")
