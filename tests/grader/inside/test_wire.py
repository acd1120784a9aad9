"""Does the channel carry only plain data, and refuse everything else?"""

import numpy as np
import pytest

from grader.inside import wire


def test_round_trip_keeps_structure_dtypes_and_values():
    value = {
        "a": [np.arange(6, dtype=np.float32).reshape(2, 3), 1, 2.5, "s", None, True],
        "b": (np.int64(3), np.float64(0.5)),
    }
    back = wire.decode(wire.encode(value))
    assert back["a"][0].dtype == np.float32
    np.testing.assert_array_equal(back["a"][0], value["a"][0])
    assert back["a"][1:] == [1, 2.5, "s", None, True]
    assert back["b"] == [3, 0.5]


def test_ndarray_subclass_arrives_as_a_plain_array():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    sneaky = np.zeros(3).view(Liar)
    back = wire.decode(wire.encode(sneaky))
    assert type(back) is np.ndarray


@pytest.mark.parametrize(
    "bad", [np.array([object()]), object(), {1: "int key"}, np.array(["text"])]
)
def test_non_plain_values_are_refused_when_sending(bad):
    with pytest.raises(wire.WireError):
        wire.encode(bad)


def test_pickled_object_array_is_refused_when_receiving():
    import io
    import json
    import struct

    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    header = json.dumps({"tree": {"__ndarray__": 0}, "sizes": [len(buf.getvalue())]}).encode()
    payload = struct.pack(">I", len(header)) + header + buf.getvalue()
    with pytest.raises(wire.WireError):
        wire.decode(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x00\x00\xffxx",
        b"\x00\x00\x00\x02[]",
        b'\x00\x00\x00\x1a{"tree": 1, "sizes": [99]}',
    ],
)
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload)


def test_dangling_array_reference_is_refused():
    import json
    import struct

    header = json.dumps({"tree": {"__ndarray__": 3}, "sizes": []}).encode()
    with pytest.raises(wire.WireError):
        wire.decode(struct.pack(">I", len(header)) + header)
