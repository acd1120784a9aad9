# Generated from solutions/classifiers/__init__.py by `python -m grader.generate`.
# Do not edit it by hand: edit solutions/classifiers/__init__.py and run the command again.
# Students: this file is given code; you do not need to change it.
"""Models built from the layers: the two-layer workbook net, fully-connected nets and conv nets."""
