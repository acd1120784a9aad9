"""Turn the catalog's input specs into arrays, drawn from the grading seed.

A spec is plain JSON; a dict with one ``$``-key is a generator:

- ``{"$randn": [2, 3], "scale": 1.0, "shift": 0.0}``  normal draws
- ``{"$rand": [2, 3], "low": 0.0, "high": 1.0}``      uniform draws
- ``{"$randint": [5], "high": 10}``                    integer labels in [0, high) (int64
  unless ``dtype`` says otherwise: small integers as floats make ties)
- ``{"$like": "out"}``                                  normal draws shaped like a named array

Any generator takes ``"dtype"`` (default float64). Everything else passes through unchanged
(numbers, strings, param dicts such as ``{"stride": 2, "pad": 1}``), recursing into dicts/lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np


def case_rng(seed: int | str, question_id: str, case_index: int) -> np.random.Generator:
    """An independent, reproducible generator per (seed, question, case); a seed with a
    namespace prefix ("public-3") gives streams unrelated to every grading seed's."""
    digest = hashlib.sha256(f"{seed}:{question_id}:{case_index}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _shape(value) -> tuple[int, ...]:
    return tuple(int(v) for v in (value if isinstance(value, list) else [value]))


def build(
    spec,
    rng: np.random.Generator,
    named: Mapping[str, np.ndarray] | None = None,
):
    """Materialise ``spec``; ``named`` resolves ``$like``."""
    if isinstance(spec, list):
        return [build(item, rng, named) for item in spec]
    if not isinstance(spec, dict):
        return spec
    generators = [key for key in spec if key.startswith("$")]
    if not generators:
        return {key: build(value, rng, named) for key, value in spec.items()}
    kind = generators[0]
    dtype = np.dtype(spec.get("dtype", "float64"))
    arg = spec[kind]
    if kind == "$randn":
        out = spec.get("shift", 0.0) + spec.get("scale", 1.0) * rng.standard_normal(_shape(arg))
    elif kind == "$rand":
        out = rng.uniform(spec.get("low", 0.0), spec.get("high", 1.0), _shape(arg))
    elif kind == "$randint":
        return rng.integers(0, spec["high"], _shape(arg)).astype(spec.get("dtype", np.int64))
    elif kind == "$like":
        if named is None or arg not in named:
            raise KeyError(f"$like refers to unknown array {arg!r}")
        out = spec.get("scale", 1.0) * rng.standard_normal(np.shape(named[arg]))
    else:
        raise KeyError(f"unknown input generator {kind}")
    return np.asarray(out).astype(dtype)
