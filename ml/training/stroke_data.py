"""Pen trajectories as training sequences for the stroke models.

Each UNIPEN character is varied on its strokes the way :mod:`ml.training.pen_data` varies it for
pictures (rotation, slant, aspect, stroke ends, wobble, later strokes shifted: :func:`vary_shapes`),
plus what only a sequence sees: a stroke drawn the other way round, strokes in another order, the pen
lifted at a corner (a 7 drawn as its bar and then its stem: the picture is the same, the sequence is
not), and the pointer's sampling density. Then :func:`ml.runtime.strokes.normalize_strokes`, the path every drawing
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
    # Per character: the pen lifted at its sharpest corner (and, as often as ``again_probability``, at the
    # next one too): train-strokes --lift-corners. The bundled stroke models read a 7 drawn bar-then-stem
    # as T; trained with it at 0.2 they read it right, but UNIPEN's own writers' words a little worse.
    lift_probability: float = 0.0
    again_probability: float = 0.35
    spacing: tuple[float, float] = (0.004, 0.06)  # pointer samples apart, share of the character's size

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


CORNER_TURN_DEG = 60.0  # a turn at least this sharp is a corner a writer may lift the pen at
CORNER_REACH = 0.1  # the direction into and out of a point: over this share of the stroke's length


def sharpest_corner(stroke: np.ndarray) -> tuple[float, int]:
    """The sharpest turn along ``stroke`` (degrees) and the index of its point, each side of it at least
    ``CORNER_REACH`` of the stroke long; (0.0, -1) for a stroke too short to have one. Directions are
    taken over that reach, so a tablet's jitter or a round letter's curve is no corner."""
    if len(stroke) < 3:
        return 0.0, -1
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    total = float(along[-1])
    reach = CORNER_REACH * total
    inside = np.flatnonzero((along >= reach) & (along <= total - reach))
    if total <= 0 or len(inside) == 0:
        return 0.0, -1
    at = stroke[inside]
    before = at - np.stack([np.interp(along[inside] - reach, along, stroke[:, c]) for c in (0, 1)], axis=1)
    after = np.stack([np.interp(along[inside] + reach, along, stroke[:, c]) for c in (0, 1)], axis=1) - at
    cosine = (before * after).sum(1) / np.maximum(np.hypot(*before.T) * np.hypot(*after.T), 1e-12)
    turns = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    best = int(turns.argmax())
    return float(turns[best]), int(inside[best])


def lifted_at_corners(shapes: list[np.ndarray], rng: np.random.Generator, augment: StrokeAugment) -> list[np.ndarray]:
    """The character with the pen lifted at its sharpest corner (both pieces share the corner's point),
    sometimes at the next one too; as it was when it has no corner or the dice say no."""
    if rng.random() >= augment.lift_probability:
        return shapes
    while True:
        corners = [sharpest_corner(s) for s in shapes]
        stroke = int(np.argmax([turn for turn, _ in corners]))
        turn, point = corners[stroke]
        if turn < CORNER_TURN_DEG:
            return shapes
        piece = shapes[stroke]
        shapes = [*shapes[:stroke], piece[: point + 1], piece[point:], *shapes[stroke + 1 :]]
        if rng.random() >= augment.again_probability:
            return shapes


def augmented_strokes(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, augment: StrokeAugment
) -> list[np.ndarray]:
    """Another way the same writer could have drawn the character (units of its size, y down)."""
    shapes = vary_shapes(lifted_at_corners(unit_shapes(strokes), rng, augment), rng, augment.pen)
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
