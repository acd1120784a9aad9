"""Tests for solutions/image_filters.py: what each hand-set filter does to simple images."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_sample_images

from solutions.image_filters import image_filters, sample_images
from solutions.layers import conv_forward_naive

RED, GREEN, BLUE = 0, 1, 2

SOBEL_VERTICAL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def correlate_valid(image, kernel):
    """Cross-correlation of a (C, H, W) image with a (C, 3, 3) kernel, 'valid' positions only."""
    windows = np.lib.stride_tricks.sliding_window_view(image, (3, 3), axis=(1, 2))
    return np.einsum("chwij,cij->hw", windows, kernel)


def step_image(vertical_edge, size=8, low=10.0, high=200.0):
    """A (3, size, size) image, `low` on one side of a step edge and `high` on the other."""
    image = np.full((3, size, size), low)
    if vertical_edge:
        image[:, :, size // 2 :] = high
    else:
        image[:, size // 2 :, :] = high
    return image


def other_channels(channel):
    return [c for c in (RED, GREEN, BLUE) if c != channel]


def test_filters_and_biases_have_the_conv_layer_shapes_and_published_biases():
    w, b = image_filters()
    assert w.shape == (4, 3, 3, 3)
    assert b.shape == (4,)
    assert np.array_equal(b, [0, 128, 128, 0])


def test_given_grayscale_and_horizontal_edge_filters():
    w, _ = image_filters()
    assert np.allclose(w[0, :, 1, 1], [0.3, 0.6, 0.1])
    assert np.count_nonzero(w[0]) == 3
    assert np.array_equal(w[1, BLUE], [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    assert not np.any(w[1, [RED, GREEN]])


def test_vertical_edge_filter_uses_only_the_green_channel():
    w, _ = image_filters()
    assert np.any(w[2, GREEN])
    assert not np.any(w[2, other_channels(GREEN)])


def test_vertical_edge_filter_is_a_sobel_kernel():
    w, _ = image_filters()
    assert np.array_equal(w[2, GREEN], SOBEL_VERTICAL) or np.array_equal(
        w[2, GREEN], -SOBEL_VERTICAL
    )


def test_vertical_edge_filter_responds_to_vertical_edges_only():
    w, _ = image_filters()
    kernel = w[2]
    on_vertical = correlate_valid(step_image(vertical_edge=True), kernel)
    # Only the windows that straddle the edge respond, and they all respond alike.
    straddling = np.abs(on_vertical) > 1e-9
    assert straddling.any()
    assert not straddling.all()
    assert np.allclose(on_vertical[straddling], on_vertical[straddling][0])
    assert np.allclose(correlate_valid(np.full((3, 8, 8), 77.0), kernel), 0)
    assert np.allclose(correlate_valid(step_image(vertical_edge=False), kernel), 0)


def test_smoothing_filter_uses_only_the_red_channel():
    w, _ = image_filters()
    assert np.any(w[3, RED])
    assert not np.any(w[3, other_channels(RED)])


def test_smoothing_filter_is_a_normalised_symmetric_bell():
    kernel = image_filters()[0][3, RED]
    assert np.all(kernel >= 0)
    assert kernel.sum() == pytest.approx(1.0)
    assert np.allclose(kernel, kernel.T)
    assert np.allclose(kernel, kernel[::-1, ::-1])
    assert np.allclose(kernel, kernel[::-1, :])
    # A Gaussian peaks at the centre and falls off with distance: centre > edge > corner.
    assert kernel[1, 1] > kernel[0, 1] > kernel[0, 0] > 0


def test_smoothing_filter_keeps_a_constant_image_and_blurs_an_edge():
    kernel = image_filters()[0][3]
    assert np.allclose(correlate_valid(np.full((3, 6, 6), 42.0), kernel), 42.0)
    row = correlate_valid(step_image(vertical_edge=True, size=8, low=0.0, high=1.0), kernel)[0]
    assert np.all(np.diff(row) >= 0)
    assert 0 < row[2] < 1 and 0 < row[3] < 1  # the hard step becomes a ramp


@pytest.mark.parametrize("size", [200, 33])
def test_sample_images_are_two_real_square_photos(size):
    x = sample_images(size)
    assert x.shape == (2, 3, size, size)
    assert np.issubdtype(x.dtype, np.floating)
    assert np.all(np.isfinite(x))
    assert x.min() >= 0 and x.max() <= 255
    # Real photos: varied content, and two different pictures.
    assert x[0].std() > 10 and x[1].std() > 10
    assert not np.allclose(x[0], x[1])


def test_sample_images_are_centre_crops_of_china_then_flower_in_rgb():
    # Independent oracle: 7x7 block means of the 427x427 centre crops give 61x61 images.
    bundle = load_sample_images()
    names = [Path(f).name for f in bundle.filenames]
    by_name = dict(zip(names, bundle.images, strict=True))
    x = sample_images(61)
    for n, name in enumerate(["china.jpg", "flower.jpg"]):
        img = by_name[name].astype(np.float64)
        H, W, _ = img.shape
        assert (H, W) == (427, 640)
        left = (W - H) // 2
        crop = img[:, left : left + H]
        blocks = crop.reshape(61, 7, 61, 7, 3).mean(axis=(1, 3)).transpose(2, 0, 1)
        # measured 2.6 and 1.7 grey levels; transposed, BGR, swapped or squashed: 19 or more
        assert np.abs(x[n] - blocks).mean() < 8, name


def test_filters_run_through_conv_forward_naive_on_the_photos():
    x = sample_images(24)
    w, b = image_filters()
    out, _ = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    assert out.shape == (2, 4, 24, 24)
    inner = out[:, :, 1:-1, 1:-1]  # away from the zero padding
    gray = 0.3 * x[:, RED] + 0.6 * x[:, GREEN] + 0.1 * x[:, BLUE]
    assert np.allclose(out[:, 0], gray)
    assert np.all((inner[:, 3] >= 0) & (inner[:, 3] <= 255))
