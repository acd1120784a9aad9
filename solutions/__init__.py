"""scratchnet reference package: layers, optimizers, Solver and classifiers in numpy.

Every part a student writes sits between START/END OF YOUR CODE markers; the student skeleton in
``assignment/`` is generated from this tree by ``grade generate``.
"""
