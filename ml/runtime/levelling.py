"""A written line that slopes, in a picture or as strokes, made level before it is split into characters.

A photo taken a little turned turns the whole line, its letters leaning with it; a line written uphill on
level paper slopes while its letters stand upright. The ink alone does not say which, so the line reader
(:meth:`ml.runtime.line_reader.LineReader.read_image`) reads a sloping line three ways: as it is, turned
level, and sheared level (each column of ink moved up or down: letters kept upright), and keeps the
reading its models are surest of.

The slope is the one at which the ink's rows are sharpest: projected along the line, a level line's ink
piles up in few rows (its x-height band), and the sum of the squared row counts is largest.

A written line's strokes (the pad, a stroke file) are made level too (:func:`strokes_slope`,
:func:`levelled_strokes`), before they are split: the line's heights and baseline, which tell a capital from
a small letter, are only measured across a level line. Writing that leans (italic print) is also made
upright (:func:`strokes_slant`, :func:`upright_strokes`): leaning letters overlap along the line, and the
splitting cuts them apart by their extent along it. A picture's leaning ink is stood upright the same way
(:func:`line_slant`, :func:`upright`): its image model reads leaning letters worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

SLOPE_LIMIT_DEGREES = 25.0  # steeper than this is not a sloping line but a turned picture
COARSE_STEP_DEGREES = 2.0
FINE_STEP_DEGREES = 0.25
LEVEL_BELOW_DEGREES = 3.0  # a line sloping less is read as it is
SLOPE_SAMPLE = 8_000  # ink pixels enough to find a line's slope (more only take longer)
# Strokes are traced at even steps onto rows of this share of a stroke's usual height (a picture's rows are
# its pixels: a line 80 px tall, letters some 20-40 px).
STROKE_ROWS_PER_HEIGHT = 24.0
STROKE_ROWS_AT_MOST = 4_000  # rows a line of strokes is traced on (a line 160 usual heights long)
STROKE_TRACE_POINTS = 4 * SLOPE_SAMPLE
UPRIGHT_FROM_SLANT = 0.15  # writing leaning less (0.15 across per unit down: 8.5 degrees) is read as it is
# A picture's writing is stood upright from further (0.2: 11 degrees): 300 validation words as pictures read
# about as well as from 0.15 (CER as composed 14.10%, leaning right 0.15 15.03 -> 14.98%, 0.3 15.39 ->
# 15.55%, left 0.3 16.84 -> 16.94%) and fewer are read twice (as composed p50 47.0 -> 42.1 ms, p90 95.0 ->
# 83.6 ms; never stood upright: 33.1 / 56.8 ms).
PICTURE_UPRIGHT_FROM_SLANT = 0.2
# A pen move this much across per unit down, or less, is a down-stroke that says how the writing leans (35
# degrees): the diagonals of a Z, N or V, nearer 45, would lean it as far as they go.
STEEP = 0.7
CHAIN_ROWS = 4  # a picture's steep stroke is this many rows of ink or more (fewer lean as pixels fall)
WIDE_RUN = 2.5  # a run of ink this many times the usual run's width is no stroke's cross-section

Box = tuple[float, float, float, float]
Levelling = Literal["turned", "sheared"]
LEVELLINGS: tuple[Levelling, ...] = ("turned", "sheared")


def _row_sharpness(xs: np.ndarray, ys: np.ndarray, degrees: float) -> float:
    rows = np.round(ys - xs * math.tan(math.radians(degrees))).astype(np.int64)
    counts = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.dot(counts, counts))


def line_slope(mask: np.ndarray) -> float:
    """The slope of the line of ink in ``mask`` (True where ink), in degrees: positive when it goes down to
    the right (y down), 0 for too little ink to tell."""
    ys, xs = np.nonzero(mask)
    return _sharpest_slope(xs.astype(np.float64), ys.astype(np.float64))


def strokes_slope(strokes: Sequence[np.ndarray]) -> float:
    """The slope of a line of strokes ((x, y) points, y down), in degrees as :func:`line_slope`'s: their ink
    traced at even steps, a row ``1 / STROKE_ROWS_PER_HEIGHT`` of a stroke's usual (median) height (at least
    ``1 / STROKE_ROWS_AT_MOST`` of the line's extent, and at most ``STROKE_TRACE_POINTS`` steps in all: a
    stroke vastly longer than the rest, or dashes with no height, would otherwise take gigabytes); 0 for
    strokes with no height."""
    drawn = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes if len(stroke)]
    heights = [float(np.ptp(stroke[:, 1])) for stroke in drawn]
    if not any(h > 0 for h in heights):
        return 0.0
    every = np.concatenate(drawn)
    extent = float(np.ptp(every, axis=0).max())
    usual = max(float(np.median([h for h in heights if h > 0])), extent * STROKE_ROWS_PER_HEIGHT / STROKE_ROWS_AT_MOST)
    scaled = [stroke * (STROKE_ROWS_PER_HEIGHT / usual) for stroke in drawn]
    lengths = [np.r_[0.0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))] for points in scaled]
    step = max(1.0, sum(float(along[-1]) for along in lengths) / STROKE_TRACE_POINTS)
    traced = []
    for points, along in zip(scaled, lengths, strict=True):
        steps = np.arange(0.0, along[-1] + 1e-9, step) if len(points) > 1 else np.zeros(1)
        traced.append(np.c_[np.interp(steps, along, points[:, 0]), np.interp(steps, along, points[:, 1])])
    xs, ys = np.concatenate(traced).T
    return _sharpest_slope(xs, ys)


def _sharpest_slope(xs: np.ndarray, ys: np.ndarray) -> float:
    """The slope (degrees, y down) at which the rows of points (``xs``, ``ys``: in rows) are sharpest."""
    if len(xs) < 2:
        return 0.0
    step = max(1, len(xs) // SLOPE_SAMPLE)
    xs = xs[::step] - xs.mean()
    ys = ys[::step]
    coarse = np.arange(-SLOPE_LIMIT_DEGREES, SLOPE_LIMIT_DEGREES + 1e-9, COARSE_STEP_DEGREES)
    best = float(max(coarse, key=lambda d: _row_sharpness(xs, ys, float(d))))
    low = max(best - COARSE_STEP_DEGREES, -SLOPE_LIMIT_DEGREES)
    high = min(best + COARSE_STEP_DEGREES, SLOPE_LIMIT_DEGREES)
    fine = np.arange(low, high + 1e-9, FINE_STEP_DEGREES)
    return float(max(fine, key=lambda d: _row_sharpness(xs, ys, float(d))))


@dataclass(frozen=True)
class LevelledInk:
    """Ink made level, and the way back: ``to_input`` takes a point (x, y, 1) of the levelled ink to the
    same point of the ink it came from; ``row_shifts`` (ink stood upright by whole pixels: each row's move
    across) says exactly where each pixel went."""

    ink: np.ndarray
    mask: np.ndarray
    to_input: np.ndarray  # 2 x 3
    row_shifts: np.ndarray | None = None

    def box_in_input(self, box: Box) -> Box:
        """A box of the levelled ink -> the box round the same place in the ink it came from."""
        return box_moved(box, self.to_input)

    def ink_boxes_in_input(self, boxes: Sequence[Box], mask: np.ndarray) -> list[Box]:
        """Boxes of the levelled ink -> each the box round the pixels of ``mask`` (the ink it came from)
        whose middles land in it, as a character's box is round its own ink; :meth:`box_in_input` where none
        do. (The box round the same place leaning or turned back also takes in its neighbours' ink.)"""
        rows, columns = np.nonzero(mask)
        if self.row_shifts is not None:  # (exact: a pixel's middle stays a pixel's middle)
            x, y = columns + self.row_shifts[rows] + 0.5, rows + 0.5
        else:
            to_level = np.linalg.inv(np.vstack([self.to_input, [0.0, 0.0, 1.0]]))[:2]
            x, y = to_level @ np.vstack([columns + 0.5, rows + 0.5, np.ones(len(rows))])
        order = np.argsort(x, kind="stable")
        x, y, rows, columns = x[order], y[order], rows[order], columns[order]
        found: list[Box] = []
        for box in boxes:
            x0, y0, x1, y1 = box
            lo, hi = np.searchsorted(x, x0, side="left"), np.searchsorted(x, x1, side="left")
            inside = (y[lo:hi] >= y0) & (y[lo:hi] < y1)
            if not inside.any():
                found.append(self.box_in_input(box))
                continue
            r, c = rows[lo:hi][inside], columns[lo:hi][inside]
            found.append((float(c.min()), float(r.min()), float(c.max() + 1), float(r.max() + 1)))
        return found


def box_moved(box: Box, affine: np.ndarray) -> Box:
    """The box round ``box``'s corners moved by ``affine`` (2 x 3, taking (x, y, 1) to (x, y))."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ affine.T
    low, high = corners.min(0), corners.max(0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _transformed(values: np.ndarray, size: tuple[int, int], to_input: np.ndarray) -> np.ndarray:
    from PIL import Image

    coefficients = tuple(float(v) for v in to_input.ravel())
    picture = Image.fromarray(values.astype(np.float32), mode="F")
    moved = picture.transform(size, Image.Transform.AFFINE, coefficients, resample=Image.Resampling.BILINEAR)
    return np.asarray(moved, dtype=np.float32)


def levelled(ink: np.ndarray, mask: np.ndarray, degrees: float, how: Levelling) -> LevelledInk:
    """``ink`` (float) and its ``mask`` of a line sloping ``degrees`` (:func:`line_slope`), made level:
    turned about its centre, or sheared (each column moved up or down by its distance from the middle
    times the slope), on a canvas large enough to hold it all."""
    height, width = ink.shape
    slope = math.tan(math.radians(degrees))
    if how == "turned":
        cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        out_width = math.ceil(abs(width * cos) + abs(height * sin))
        out_height = math.ceil(abs(width * sin) + abs(height * cos))
        # input = R (output - output centre) + input centre; R turns the level line onto the sloping one
        turn = np.array([[cos, -sin], [sin, cos]])
        shift = np.array([width / 2, height / 2]) - turn @ np.array([out_width / 2, out_height / 2])
        to_input = np.hstack([turn, shift[:, None]])
    else:
        reach = math.ceil(abs(slope) * width / 2)
        out_width, out_height = width, height + 2 * reach
        to_input = np.array([[1.0, 0.0, 0.0], [slope, 1.0, -reach - slope * width / 2]])
    size = (out_width, out_height)
    return LevelledInk(
        _transformed(ink, size, to_input),
        _transformed(mask, size, to_input) > 0.5,
        to_input,
    )


def levelled_strokes(
    strokes: Sequence[np.ndarray], degrees: float, how: Levelling
) -> tuple[list[np.ndarray], np.ndarray]:
    """Strokes of a line sloping ``degrees`` (:func:`strokes_slope`) made level, turned about their centre or
    sheared (each point moved up or down by its distance from the middle times the slope), and the way
    back: ``to_input`` (2 x 3) takes a point (x, y, 1) of the levelled strokes to the same point as written."""
    drawn = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    every = np.concatenate([stroke for stroke in drawn if len(stroke)] or [np.zeros((1, 2))])
    centre = (every.min(0) + every.max(0)) / 2
    radians = math.radians(degrees)
    if how == "turned":  # input = R (levelled - centre) + centre; R turns the level line onto the sloping one
        back = np.array([[math.cos(radians), -math.sin(radians)], [math.sin(radians), math.cos(radians)]])
    else:
        back = np.array([[1.0, 0.0], [math.tan(radians), 1.0]])
    to_input = np.hstack([back, (centre - back @ centre)[:, None]])
    forth = np.linalg.inv(back)
    level = [((stroke - centre) @ forth.T + centre).astype(np.float32) if len(stroke) else stroke for stroke in drawn]
    return level, to_input


def strokes_slant(strokes: Sequence[np.ndarray]) -> float:
    """How far the writing leans: across per unit down of its steep pen moves (at most ``STEEP`` across
    per unit down or up), their median weighted by length; positive leaning right (a down-stroke drifting
    right as it rises), 0 with fewer than three steep moves."""
    moves = [np.diff(np.asarray(stroke, dtype=np.float64).reshape(-1, 2), axis=0) for stroke in strokes]
    every = np.concatenate([m for m in moves if len(m)] or [np.zeros((0, 2))])
    steep = every[np.abs(every[:, 1]) * STEEP > np.abs(every[:, 0])]
    if len(steep) < 3:
        return 0.0
    lean = -steep[:, 0] / steep[:, 1]  # y down: a right-leaning down-stroke moves left as it goes down
    order = np.argsort(lean)
    weight = np.cumsum(np.hypot(steep[order, 0], steep[order, 1]))
    return float(lean[order][np.searchsorted(weight, weight[-1] / 2)])


def upright_strokes(strokes: Sequence[np.ndarray], slant: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Strokes leaning ``slant`` (:func:`strokes_slant`) stood upright: each point moved across by its
    distance below the line's middle times the slant (right for a right lean, points above it left); and the
    way back, as :func:`levelled_strokes`'s."""
    drawn = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    every = np.concatenate([stroke for stroke in drawn if len(stroke)] or [np.zeros((1, 2))])
    middle = (every[:, 1].min() + every[:, 1].max()) / 2
    to_input = np.array([[1.0, -slant, slant * middle], [0.0, 1.0, 0.0]])
    upright = [
        np.c_[stroke[:, 0] + slant * (stroke[:, 1] - middle), stroke[:, 1]].astype(np.float32) for stroke in drawn
    ]
    return upright, to_input


def line_slant(mask: np.ndarray) -> float:
    """How far the ink in ``mask`` (True where ink) leans, as :func:`strokes_slant`'s (positive leaning
    right), 0 with fewer than three steep pieces of ink to tell: the pen's steep strokes traced as runs of
    ink, row after row, that each touch one run in the next row, and it only them (a stroke's cross-section
    followed down), each such chain of ``CHAIN_ROWS`` rows or more leaning as the line through its runs'
    middles; their median weighted by rows. Runs wider than ``WIDE_RUN`` times the usual run (a bar, a
    stroke's bend) break a chain."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or mask.shape[0] < 2:
        return 0.0
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    run_rows, starts = np.nonzero(steps == 1)
    ends = np.nonzero(steps == -1)[1]  # (row by row, left to right: each run's end, past it, after its start)
    if len(starts) < 3:
        return 0.0
    # Runs as places on one long line, row after row (a row's runs and the next row's never meet on it): the
    # runs of the row above that touch a run (edge to edge, or corner to corner) are a range of indices.
    width = mask.shape[1] + 2
    start_at, end_at = run_rows * width + starts, run_rows * width + ends
    above_from = np.searchsorted(end_at, start_at - width, side="left")
    above_to = np.searchsorted(start_at, end_at - width, side="right")
    below_from = np.searchsorted(end_at, start_at + width, side="left")
    below_to = np.searchsorted(start_at, end_at + width, side="right")
    widths = ends - starts
    narrow = widths <= WIDE_RUN * float(np.median(widths))
    runs = np.arange(len(starts))
    # A run links to the one run above it that touches it when that run touches only it below.
    above = np.where(above_to - above_from == 1, above_from, -1)
    linked = (above >= 0) & narrow & narrow[np.maximum(above, 0)]
    linked &= (below_to - below_from)[np.maximum(above, 0)] == 1
    first = np.where(linked, above, runs)
    while True:  # each run to its chain's first run (pointer jumping: rounds as the chains' lengths' log)
        further = first[first]
        if np.array_equal(further, first):
            break
        first = further
    chain_of = np.unique(first, return_inverse=True)[1]
    ys, xs = run_rows.astype(np.float64), (starts + ends - 1) / 2
    rows_in = np.bincount(chain_of).astype(np.float64)
    sum_y, sum_x = np.bincount(chain_of, ys), np.bincount(chain_of, xs)
    spread_y = np.bincount(chain_of, ys * ys) - sum_y * sum_y / rows_in
    together = np.bincount(chain_of, xs * ys) - sum_x * sum_y / rows_in
    long = (rows_in >= CHAIN_ROWS) & (spread_y > 0)
    across = together[long] / spread_y[long]  # per row down, the least-squares line through the middles
    steep = np.abs(across) <= STEEP
    leans = -across[steep]  # (y down: a right-leaning stroke goes left as it goes down)
    weights = rows_in[long][steep]
    if len(leans) < 3:
        return 0.0
    order = np.argsort(leans)
    weight = np.cumsum(weights[order])
    return float(leans[order][np.searchsorted(weight, weight[-1] / 2)])


def upright(ink: np.ndarray, mask: np.ndarray, slant: float) -> LevelledInk:
    """``ink`` (float) and its ``mask`` leaning ``slant`` (:func:`line_slant`) stood upright: each row moved
    across by its distance below the ink's middle times the slant (as :func:`upright_strokes` moves points),
    by whole pixels (resampled, a fine pen's line would break), on a canvas wide enough to hold it all. Where
    a row moves one pixel further than the row above, its ink is widened a pixel back towards it: a fine line
    leaning the other way would part there."""
    height, width = ink.shape
    rows = np.flatnonzero(mask.any(axis=1))
    middle = (rows[0] + rows[-1]) / 2 if len(rows) else height / 2
    reach = math.ceil(abs(slant) * max(middle, height - middle)) + 1
    shifts = np.round(slant * (np.arange(height) - middle)).astype(np.int64) + reach
    stood_ink = np.zeros((height, width + 2 * reach), dtype=ink.dtype)
    stood_mask = np.zeros((height, width + 2 * reach), dtype=bool)
    for row, shift in enumerate(shifts):
        stood_ink[row, shift : shift + width] = ink[row]
        stood_mask[row, shift : shift + width] = mask[row]
        step = shift - shifts[row - 1] if row else 0
        if step > 0:  # moved further right: widened a pixel left
            stood_ink[row, shift - 1 : shift - 1 + width] = np.maximum(
                stood_ink[row, shift - 1 : shift - 1 + width], ink[row]
            )
            stood_mask[row, shift - 1 : shift - 1 + width] |= mask[row]
        elif step < 0:
            stood_ink[row, shift + 1 : shift + 1 + width] = np.maximum(
                stood_ink[row, shift + 1 : shift + 1 + width], ink[row]
            )
            stood_mask[row, shift + 1 : shift + 1 + width] |= mask[row]
    # input x = upright x - reach - slant * (y - middle) (to a pixel: whole pixels, and a row's middle)
    to_input = np.array([[1.0, -slant, slant * middle - reach], [0.0, 1.0, 0.0]])
    return LevelledInk(stood_ink, stood_mask, to_input, shifts)
