"""Build the im2col Cython extension for both trees (solutions/ and the generated assignment/).

Everything else about the distribution lives in pyproject.toml. A missing compiler is not fatal:
the fast layers fall back to a pure-numpy im2col and say so once.
"""

from pathlib import Path

import numpy as np
from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # pragma: no cover - Cython is a build requirement
    cythonize = None


def _extensions():
    if cythonize is None:
        return []
    exts = [
        Extension(
            f"{pkg}.im2col_cython", [f"{pkg}/im2col_cython.pyx"], include_dirs=[np.get_include()]
        )
        for pkg in ("solutions", "assignment")
        if Path(pkg, "im2col_cython.pyx").exists()
    ]
    return cythonize(exts, language_level=3, quiet=True)


setup(ext_modules=_extensions())
