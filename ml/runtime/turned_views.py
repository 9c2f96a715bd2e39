"""Reading a picture three ways: as it is, and turned a few degrees each way, the answers averaged.

People slant and turn their writing more than any one picture shows a model. A card whose
``turned_views_degrees`` is set (say 6) answers from the model's log-probabilities averaged over the
28x28 picture as preprocessed and the same picture turned that many degrees either way about its
centre (bilinear, ink outside the square dropped): one forward pass over three times the pictures,
no retraining. Measured with ``emnist36_cnn`` (``glyphpad-ml evaluate``, each figure beside the one
without): UNIPEN's validation writers 87.79 -> 88.46% from the picture alone, EMNIST test 86.96 ->
87.00%, the synthesized drawings 96.09 -> 96.68%, printed words CER 7.83 -> 7.25%. Wider turns read
UNIPEN's validation writers better still (12 degrees: 88.79%, about so up to 22) but EMNIST's validation
split (87.64 -> 87.23%), the drawings (96.45%) and the validation words (CER 8.11 -> 8.46%) worse: 6 it
is. Not every model gains (``emnist36``: 87.84 -> 87.75%), so it is the card's choice.

A turn is a fixed linear map of the picture's 784 pixels, so it is one matrix, built once per angle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

SIDE = 28  # the model input's side (ml.runtime.preprocess)
MAX_TURN_DEGREES = 45.0  # past this a turn reads another character (an N on its side is a Z)


@lru_cache(maxsize=8)
def turn_matrix(degrees: float) -> np.ndarray:
    """The (784, 784) matrix ``T`` with ``T @ picture.ravel()`` the picture turned ``degrees`` about its
    centre (clockwise as seen on the screen, y down), sampled bilinearly; what falls outside reads as no ink."""
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    centre = (SIDE - 1) / 2
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    down, right = rows - centre, cols - centre
    # Each output pixel samples the input where the turn brings it from.
    source_row = cos * down - sin * right + centre
    source_col = sin * down + cos * right + centre
    top, left = np.floor(source_row), np.floor(source_col)
    below, across = source_row - top, source_col - left
    matrix = np.zeros((SIDE * SIDE, SIDE * SIDE), dtype=np.float64)
    out_index = np.arange(SIDE * SIDE)
    for step_down, step_right, weight in (
        (0, 0, (1 - below) * (1 - across)),
        (0, 1, (1 - below) * across),
        (1, 0, below * (1 - across)),
        (1, 1, below * across),
    ):
        row, col = (top + step_down).astype(int).ravel(), (left + step_right).astype(int).ravel()
        inside = (row >= 0) & (row < SIDE) & (col >= 0) & (col < SIDE) & (weight.ravel() > 0)
        np.add.at(matrix, (out_index[inside], row[inside] * SIDE + col[inside]), weight.ravel()[inside])
    turned: np.ndarray = matrix.astype(np.float32)
    turned.setflags(write=False)
    return turned


def turned_pictures(pictures: np.ndarray, degrees: float) -> np.ndarray:
    """``pictures`` (N x 28 x 28, or anything of N x 784 values) followed by them turned ``+degrees`` and
    ``-degrees``: 3N x 28 x 28 float32, as drawn first."""
    flat = np.ascontiguousarray(pictures, dtype=np.float32).reshape(-1, SIDE * SIDE)
    views = [flat, flat @ turn_matrix(degrees).T, flat @ turn_matrix(-degrees).T]
    return np.concatenate(views).reshape(-1, SIDE, SIDE)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    out: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return out


def mean_over_turns(forward: Callable[[np.ndarray], np.ndarray], pictures: np.ndarray, degrees: float) -> np.ndarray:
    """The mean of ``forward``'s log-softmax over the pictures as drawn and turned either way (N x classes):
    logits whose softmax is the views' normalized geometric mean."""
    count = len(np.asarray(pictures).reshape(-1, SIDE * SIDE))
    if not count:  # no pictures: the model's own answer to none (three times none is still none)
        return forward(np.zeros((0, SIDE, SIDE), dtype=np.float32))
    views = log_softmax(forward(turned_pictures(pictures, degrees)).astype(np.float32))
    out: np.ndarray = views.reshape(3, count, -1).mean(axis=0)
    return out
