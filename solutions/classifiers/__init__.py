"""Models built from the layers: the two-layer workbook net, fully-connected nets and conv nets."""
