"""Pen trajectories as training sequences for the stroke models.

Each UNIPEN character is varied on its strokes the way :mod:`ml.training.pen_data` varies it for
pictures (rotation, slant, aspect, stroke ends, wobble, later strokes shifted: :func:`vary_shapes`),
plus what only a sequence sees: a stroke drawn the other way round, strokes in another order, and the
pointer's sampling density. Then :func:`ml.runtime.strokes.normalize_strokes`, the path every drawing
takes. A fresh variant of every character each epoch: one costs about a tenth of a millisecond, so a
whole epoch is made in seconds and no cache is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ml.runtime.strokes import STROKE_FEATURES, STROKE_POINTS, StrokesError, normalize_strokes
from ml.training.data.unipen import PenCharacters
from ml.training.pen_data import PenAugment, _resample, unit_shapes, vary_shapes


@dataclass(frozen=True)
class StrokeAugment:
    pen: PenAugment = field(default_factory=PenAugment)
    reverse_probability: float = 0.15  # per stroke: writers draw an O, a C's arc, a bar either way
    reorder_probability: float = 0.15  # per character of several strokes: another stroke order
    spacing: tuple[float, float] = (0.004, 0.06)  # pointer samples apart, share of the character's size

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def augmented_strokes(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, augment: StrokeAugment
) -> list[np.ndarray]:
    """Another way the same writer could have drawn the character (units of its size, y down)."""
    shapes = vary_shapes(unit_shapes(strokes), rng, augment.pen)
    shapes = [s[::-1] if rng.random() < augment.reverse_probability else s for s in shapes]
    if len(shapes) > 1 and rng.random() < augment.reorder_probability:
        shapes = [shapes[i] for i in rng.permutation(len(shapes))]
    spacing = rng.uniform(*augment.spacing)
    return [_resample(s, spacing) for s in shapes]


def stroke_inputs(
    pen: PenCharacters,
    indices: np.ndarray,
    rng: np.random.Generator | None = None,
    augment: StrokeAugment | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Normalized sequences (N x STROKE_POINTS x features) of the characters at ``indices``, varied when
    ``augment`` is given, and a mask of those that could be normalized (a lone dot cannot)."""
    out = np.zeros((len(indices), STROKE_POINTS, len(STROKE_FEATURES)), dtype=np.float32)
    ok = np.ones(len(indices), dtype=bool)
    for k, i in enumerate(indices.tolist()):
        strokes = pen.strokes(i)
        try:
            if augment is not None and rng is not None:
                strokes = augmented_strokes(strokes, rng, augment)
            out[k] = normalize_strokes(strokes)
        except (StrokesError, ValueError):
            ok[k] = False
    return out, ok
