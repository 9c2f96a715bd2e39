"""Letters joined by the pen: where a stroke that runs on from one letter into the next is cut.

A writer who prints quickly lifts the pen less: "un" in one stroke, a t's stem running on into the h. The
splitting (:mod:`ml.runtime.segmentation`) groups whole strokes, so such letters were one character, read
as whatever one character they looked most like ("nu" as an m). Here a stroke at least ``RUN_ON_WIDE``
line heights wide is offered cuts at its turning points (where the pen turns back up or down, or turns
sharply: where a letter ends and the link to the next begins, or the link reaches it), each with at least
``MIN_SIDE`` line heights of ink before and after it, at most ``MAX_CUT_POINTS`` of them. The line reader
reads every run of up to ``MAX_PIECES_PER_LETTER`` pieces between two of them as one character and scores
it (its likeliest class's log-probability and the piece verifier's log chance that it is one whole
character: the recognizers alone read two letters as one confident m, having seen nothing but whole
characters); :func:`likeliest_pieces` finds the runs that score best together, each cut costing
``CUT_COST``; a straight piece between two letters (the link the pen drew from one to the next) may be
left out of both. Pure geometry and a dynamic programme here; the reading is the line reader's.

Measured on the validation writers' 400 words with three in ten neighbouring letters written without a
lift (``runs/notes/joined_letters.py``, a scratch script: the last stroke of a letter runs on straight into
the first of the next): CER 46.51 -> 38.74%, words read exactly 15.00 -> 19.25%; as written (apart) the
same 8.11%. The cuts are where it falls short: with the true ends of each link among the cut points the
same scoring reads them at 22.9%, cut there without scoring 13.2%. Read again when the verifier learnt
written strokes too: CER 38.48 -> 37.83%, words 19.75 -> 19.00% (the verifier before it, then this one).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# A stroke this many line heights wide may be letters joined. Narrower, a letter's own stroke (an m, a w) is
# too often cut: at 0.7 and 1.0 the words written apart read at CER 8.76 and 8.19% (8.11% at 1.4), for
# joined ones 35.16 and 36.50% (38.74% at 1.4), and a line takes up to twice as long.
RUN_ON_WIDE = 1.4
# ... or RUN_ON_ASPECT times as wide as it is tall (so at least 0.75 line heights wide): small
# letters among tall ones (a line of capitals or l's is taller). Validation words written apart: 8.11% at
# 2.5 as without it, 8.19% at 2.2, 8.27% at 2.0 (an m or w cut); joined: 38.63%, 38.10%. A trial's "nu"
# written before "ll" is cut at 2.2, not at 2.5 (read "mll").
RUN_ON_ASPECT = 2.5
RUN_ON_TALL = 0.3  # ... and this many tall: flatter, it is a dash or an underline
MAX_PATH_POINTS = 4000  # steps of a stroke at most (64 letters of 3 line heights of ink each)
STEP = 0.05  # line heights between the points of the evenly resampled stroke the cuts are placed on
MIN_SIDE = 0.25  # line heights of ink at least before and after a cut (no letter is a shorter flick)
MIN_APART = 0.15  # line heights of ink at least between two cut points
SHARP_TURN_DEGREES = 100.0  # the pen's way turning this much within TURN_LOOK is a cusp (45: more cut points,
# the true ends of 81% of links among them against 70%, and no better read: 39.81%)
TURN_LOOK = 0.1  # line heights of ink on each side over which the pen's way is measured
MAX_CUT_POINTS = 14  # the most cut points a stroke is offered (its reads grow with them)
MAX_PIECES_PER_LETTER = 4  # the most pieces between cut points one character is made of
CUT_COST = 0.0  # log-probability each cut costs (1.0: 38.70%; the verifier's say weighs two against one)
LINK_STRAIGHT = 1.1  # a piece between cut points whose ink is at most this many times its ends' distance: a link
VERIFIER_WEIGHT = 1.0  # the piece verifier's log chance counts this many times beside the recognizers' (2: 38.78%)


def is_run_on(stroke: np.ndarray, height: float) -> bool:
    """Whether ``stroke`` ((x, y) points) is wide enough on a line ``height`` tall to hold joined letters,
    and tall enough (``RUN_ON_TALL``: a dash or an underline holds none)."""
    if len(stroke) <= 2 or height <= 0:
        return False
    wide, tall = float(np.ptp(stroke[:, 0])), float(np.ptp(stroke[:, 1]))
    if tall < RUN_ON_TALL * height:
        return False
    return wide >= RUN_ON_WIDE * height or wide >= RUN_ON_ASPECT * tall


def evenly_spaced(stroke: np.ndarray, step: float) -> np.ndarray:
    """The stroke's path resampled every ``step`` units of its length (its ends kept)."""
    lengths = np.hypot(*np.diff(stroke, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    if along[-1] <= 0 or step <= 0:
        return np.asarray(stroke, dtype=np.float64)
    at = np.append(np.arange(0.0, along[-1], step), along[-1])
    return np.stack([np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])], axis=1)


def cut_points(stroke: np.ndarray, height: float) -> tuple[np.ndarray, list[int]]:
    """The stroke resampled every ``STEP`` line heights, and the positions among its points where a cut
    may go: its turning points in y and its sharp turns, about ``MIN_SIDE`` (to a step) from its ends and
    ``MIN_APART`` from each other, at most ``MAX_CUT_POINTS`` (the sharpest turns kept first); none for a
    stroke longer than ``MAX_PATH_POINTS`` steps."""
    stroke = np.asarray(stroke, dtype=np.float64)
    length = float(np.hypot(*np.diff(stroke, axis=0).T).sum())
    if not height > 0 or length / (STEP * height) > MAX_PATH_POINTS:  # (a scribble, or no line to measure by)
        return stroke, []
    path = evenly_spaced(stroke, STEP * height)
    count = len(path)
    margin = int(np.ceil(MIN_SIDE / STEP))
    if count <= 2 * margin:
        return path, []
    y = np.convolve(np.pad(path[:, 1], 1, mode="edge"), np.ones(3) / 3, mode="valid")  # one step's wobble out
    look = max(1, round(TURN_LOOK / STEP))
    found: dict[int, float] = {}
    for i in range(margin, count - margin):
        turning_in_y = (y[i] >= y[i - 1] and y[i] > y[i + 1]) or (y[i] <= y[i - 1] and y[i] < y[i + 1])
        before, after = path[i] - path[i - look], path[i + look] - path[i]
        norms = float(np.hypot(*before) * np.hypot(*after))
        turn = float(np.degrees(np.arccos(np.clip(before @ after / norms, -1.0, 1.0)))) if norms > 0 else 0.0
        if turning_in_y or turn >= SHARP_TURN_DEGREES:
            found[i] = turn
    apart = max(1, round(MIN_APART / STEP))
    chosen: list[int] = []
    for i in sorted(found, key=lambda k: (-found[k], k)):  # the sharpest first, then along the stroke
        if all(abs(i - j) >= apart for j in chosen):
            chosen.append(i)
        if len(chosen) == MAX_CUT_POINTS:
            break
    return path, sorted(chosen)


def candidate_pieces(points: int, two_sides: bool = False) -> list[tuple[int, int]]:
    """The runs of pieces read as one character, as (first, last) positions among ``points`` ends and cut
    points (the stroke's start, its cut points, its end): every run of up to ``MAX_PIECES_PER_LETTER``
    pieces, and the whole stroke; with ``two_sides``, also each side of every single cut, however long (for
    :func:`likeliest_two`)."""
    last = points - 1
    runs = {(a, b) for a in range(points) for b in range(a + 1, min(points, a + MAX_PIECES_PER_LETTER + 1))}
    runs.add((0, last))
    if two_sides:
        runs |= {(0, c) for c in range(1, last)} | {(c, last) for c in range(1, last)}
    return sorted(runs)


def links(path: np.ndarray, ends: list[int]) -> set[tuple[int, int]]:
    """The pieces between neighbouring cut points (positions among ``ends``, the stroke's start and end
    left out) straight enough to be the pen's way from one letter to the next: their ink no longer than
    ``LINK_STRAIGHT`` times the distance between their ends."""
    out = set()
    for a in range(1, len(ends) - 2):
        piece = path[ends[a] : ends[a + 1] + 1]
        chord = float(np.hypot(*(piece[-1] - piece[0])))
        if chord > 0 and float(np.hypot(*np.diff(piece, axis=0).T).sum()) <= LINK_STRAIGHT * chord:
            out.add((a, a + 1))
    return out


def likeliest_pieces(
    scores: Mapping[tuple[int, int], float],
    points: int,
    link_pieces: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    cut_cost: float = CUT_COST,
) -> list[tuple[int, int]]:
    """The runs of pieces (as (first, last) positions among the ``points`` of :func:`candidate_pieces`) that
    read best as characters together: the most of the sum of ``scores`` of the runs, less ``cut_cost`` a
    cut; a piece of ``link_pieces`` may be left out of both letters beside it (the pen's way from one to the
    next: a straight stroke's end on an L reads V). [(0, points - 1)] when the whole stroke reads best."""
    if points < 2:
        return [(0, max(points - 1, 0))]
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {0: (0.0, [])}
    for end in range(1, points):
        options = [
            (best[start][0] + scores[(start, end)] - (cut_cost if start else 0.0), [*best[start][1], (start, end)])
            for start in range(end)
            if start in best and (start, end) in scores and np.isfinite(scores[(start, end)])
        ]
        if (end - 1, end) in link_pieces and end - 1 in best:
            options.append(best[end - 1])
        if options:
            best[end] = max(options, key=lambda option: option[0])
    return best[points - 1][1] if points - 1 in best and best[points - 1][1] else [(0, points - 1)]


def likeliest_two(
    scores: Mapping[tuple[int, int], float],
    points: int,
    link_pieces: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
) -> list[tuple[int, int]]:
    """The two sides of one cut (a link between them left out where there is one) that read best together,
    for a stroke a person says is two characters; [(0, points - 1)] when no two sides can be read."""
    last = points - 1
    sides = [[(0, c), (c, last)] for c in range(1, last)] + [[(0, a), (b, last)] for a, b in link_pieces]
    best = max(sides, key=lambda two: sum(scores[run] for run in two), default=None)
    return best if best is not None and np.isfinite(sum(scores[run] for run in best)) else [(0, last)]
