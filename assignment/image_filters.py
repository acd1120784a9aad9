# Students: write your code only between the START/END OF YOUR CODE markers.
# Keep the given function signatures, the markers and the code outside them as they
# are: the grader calls your functions as their docstrings describe.
"""Image processing with hand-set convolution filters: the aside of the conv notebook.

A convolution with fixed weights is a classic image filter. ``image_filters`` builds four of
them for ``conv_forward_naive`` (stride 1, pad 1) and ``sample_images`` supplies two real
photos to apply them to.
"""

from pathlib import Path

import numpy as np


def image_filters():
    """Weights and biases of four 3x3 filters over RGB images.

    - filter 0 converts to grayscale: 0.3 R + 0.6 G + 0.1 B at the centre tap;
    - filter 1 detects horizontal edges in the blue channel;
    - filter 2 detects vertical edges in the green channel;
    - filter 3 smooths the red channel with a Gaussian (binomial) kernel that sums to 1.

    The edge filters get a bias of 128 so that their output is centred in 0..255.

    Returns a tuple of:
    - w: (4, 3, 3, 3) filter weights, (F, C, HH, WW) with channels in R, G, B order
    - b: (4,) biases
    """
    w = np.zeros((4, 3, 3, 3))

    w[0, 0] = [[0, 0, 0], [0, 0.3, 0], [0, 0, 0]]
    w[0, 1] = [[0, 0, 0], [0, 0.6, 0], [0, 0, 0]]
    w[0, 2] = [[0, 0, 0], [0, 0.1, 0], [0, 0, 0]]

    w[1, 2] = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]

    # TODO: Set filter 2 to a Sobel kernel that detects vertical edges in the green channel
    # (index 1) and filter 3 to a normalised 3x3 Gaussian smoothing kernel in the red
    # channel (index 0). Leave the other channels of both filters at zero.
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError('image_filters in assignment/image_filters.py is not implemented yet: replace this line with your code (see the TODO above)')
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    b = np.array([0.0, 128.0, 128.0, 0.0])
    return w, b


def sample_images(size=200):
    """Two real photos (scikit-learn's bundled china.jpg and flower.jpg) as a batch.

    Each photo is centre-cropped to a square and resized to size x size.

    Inputs:
    - size: side of the square images, in pixels

    Returns:
    - x: (2, 3, size, size) float64 pixel values in 0..255, channels in R, G, B order
    """
    # Imported here: scikit-learn takes a second to import, and grading never needs the photos.
    from PIL import Image
    from sklearn.datasets import load_sample_images

    bundle = load_sample_images()
    photos = zip(bundle.filenames, bundle.images, strict=True)
    by_name = {Path(filename).name: img for filename, img in photos}
    x = np.empty((2, 3, size, size))
    for n, name in enumerate(["china.jpg", "flower.jpg"]):
        img = by_name[name]
        H, W, _ = img.shape
        side = min(H, W)
        top, left = (H - side) // 2, (W - side) // 2
        square = Image.fromarray(img[top : top + side, left : left + side])
        resized = square.resize((size, size), Image.Resampling.BILINEAR)
        x[n] = np.asarray(resized, dtype=np.float64).transpose(2, 0, 1)
    return x
