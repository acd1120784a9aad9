"""Build the compiled im2col behind the fast convolution layers: python setup.py build_ext --inplace

Without a C compiler the fast layers still work: they fall back to a slower pure-numpy im2col.
"""

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    name="scratchnet-assignment",
    ext_modules=cythonize(
        [
            Extension(
                "assignment.im2col_cython",
                ["assignment/im2col_cython.pyx"],
                include_dirs=[np.get_include()],
            )
        ],
        language_level=3,
        quiet=True,
    ),
)
