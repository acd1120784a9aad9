# Students: this file is given code; you do not need to change it.
"""scratchnet reference package: layers, optimizers, Solver and classifiers in numpy.

Every part a student writes sits between START/END OF YOUR CODE markers; the student skeleton in
``assignment/`` is generated from this tree by ``grade generate``.
"""
