"""The channel between the grader and the sandboxed child: JSON plus ``.npy`` bytes.

A message is an 8-byte big-endian length, then a payload: a 4-byte header length, a UTF-8 JSON
header, and the arrays it refers to as consecutive ``.npy`` blobs. Arrays appear in the JSON tree
as ``{"__ndarray__": index}``. Decoding accepts only dicts with string keys, lists, strings,
numbers, booleans, None and numeric arrays loaded with ``allow_pickle=False``; anything else is a
``WireError``.

This module is copied into the sandbox next to ``runner.py``, so it imports nothing from the
grader and only numpy from outside the standard library.
"""

import io
import json
import os
import struct

import numpy as np

ARRAY_TAG = "__ndarray__"
MAX_MESSAGE_BYTES = 128 * 2**20  # the largest legitimate answer (declared model) is ~45 MB
MAX_DEPTH = 32
NUMERIC_KINDS = "biuf"


class WireError(ValueError):
    """A message that is malformed, too large, or holds something other than plain data."""


def _to_plain(value, arrays, depth):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        # Subclasses (and their overridden comparisons) are dropped: only the raw data crosses.
        plain = np.array(value, copy=True, subok=False)
        if plain.dtype.kind not in NUMERIC_KINDS:
            raise WireError(f"array of dtype {plain.dtype} is not numeric")
        arrays.append(plain)
        return {ARRAY_TAG: len(arrays) - 1}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise WireError(f"dict key {type(key).__name__} is not a string")
            out[str(key)] = _to_plain(item, arrays, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_to_plain(item, arrays, depth + 1) for item in value]
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def encode(value) -> bytes:
    """Serialise plain data and numeric arrays into one message payload."""
    arrays = []
    tree = _to_plain(value, arrays, 0)
    blobs = []
    for array in arrays:
        buf = io.BytesIO()
        np.save(buf, array, allow_pickle=False)
        blobs.append(buf.getvalue())
    header = json.dumps({"tree": tree, "sizes": [len(b) for b in blobs]}).encode("utf-8")
    return struct.pack(">I", len(header)) + header + b"".join(blobs)


def _from_plain(node, arrays, depth):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_from_plain(item, arrays, depth + 1) for item in node]
    if isinstance(node, dict):
        if set(node) == {ARRAY_TAG}:
            index = node[ARRAY_TAG]
            if type(index) is not int or not 0 <= index < len(arrays):
                raise WireError("bad array reference")
            return arrays[index]
        return {key: _from_plain(item, arrays, depth + 1) for key, item in node.items()}
    raise WireError(f"unexpected JSON node {type(node).__name__}")


def decode(payload: bytes, max_array_elements: int = 50_000_000):
    """Inverse of ``encode``; rejects anything that is not plain data or numeric arrays."""
    if len(payload) < 4:
        raise WireError("truncated message")
    (header_len,) = struct.unpack(">I", payload[:4])
    if header_len > len(payload) - 4:
        raise WireError("header longer than message")
    try:
        header = json.loads(payload[4 : 4 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict) or not isinstance(header.get("sizes"), list):
        raise WireError("header lacks array sizes")
    arrays = []
    offset = 4 + header_len
    for size in header["sizes"]:
        if type(size) is not int or size < 0 or offset + size > len(payload):
            raise WireError("array size out of range")
        try:
            array = np.load(io.BytesIO(payload[offset : offset + size]), allow_pickle=False)
        except Exception as exc:  # any failure to parse is the sender's fault
            raise WireError(f"array blob is not a valid .npy: {exc}") from None
        if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
            raise WireError("array blob is not a numeric array")
        if array.size > max_array_elements:
            raise WireError(f"array of {array.size} elements exceeds the limit")
        arrays.append(array)
        offset += size
    if offset != len(payload):
        raise WireError("trailing bytes after the last array")
    return _from_plain(header.get("tree"), arrays, 0)


def write_message(fd: int, value) -> None:
    """Encode ``value`` and write it, length-prefixed, to file descriptor ``fd``."""
    payload = encode(value)
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, n: int) -> bytes:
    """Read exactly n bytes (blocking); raises EOFError if the writer went away."""
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int):
    """Blocking read of one message (used by the child; the parent reads with a deadline)."""
    (length,) = struct.unpack(">Q", read_exact(fd, 8))
    if length > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {length} bytes exceeds the limit")
    return decode(read_exact(fd, length))
