# Students: this file is given code; you do not need to change it.
"""Models built from the layers: the two-layer workbook net, fully-connected nets and conv nets."""
