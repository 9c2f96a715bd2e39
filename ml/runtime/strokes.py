"""Strokes as an input of their own: the pen's trajectory, and the one normalization of it that
every stroke model sees.

A drawing on the canvas, a UNIPEN character and a ``{"strokes": ...}`` JSON file all become a
:class:`Strokes` value: strokes of (x, y) points, y down, in any units, with optional time and
pressure per point. :func:`normalize_strokes` turns it into the fixed-size sequence a stroke model
reads, as :func:`ml.runtime.preprocess.preprocess` does for pictures. Steps, each with its reason:

1. Clean-up: points that are not finite are an error (a damaged file), repeated points are dropped (a
   pen resting in place adds no shape), empty strokes are dropped. Nothing left, every point in one
   place, or every stroke a dot beside the drawing (``DOT_SHARE``) raises :class:`BlankStrokesError`:
   dots are not a character.
2. Box: the ink box is centred on 0 and its longer side scaled to 1, aspect preserved: a 1 stays
   narrow and an O round, whatever the tablet's units or the canvas's size.
3. Resampling to even arc length: ``STROKE_POINTS`` points in all, shared among the strokes by their
   length (each stroke at least one): a fast and a slow pen, a tablet sampling 100 times a second and a
   mouse reporting every few pixels give the same sequence.
4. Features per point (``STROKE_FEATURES``): position (x, y scaled to about [-1, 1]), the move from the
   previous point (dx, dy, scaled to about unit size; at a stroke's first point it is the jump across
   the pen lift, scaled like a position), and two flags: the point starts a stroke (the pen came
   down), the point ends one (it lifts).

Time and pressure are accepted and checked but not used: UNIPEN's characters, what the stroke models
learned from, carry no pressure, and their sampling rates differ by tablet, so a model that used them
would learn the tablet, not the writer.
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ml.runtime.pen import MAX_SAVED_PEN_PX

STROKE_NORMALIZATION_VERSION = 1
STROKE_POINTS = 64
STROKE_FEATURES = ("x", "y", "dx", "dy", "pen_down", "pen_up")
POSITION_SCALE = 2.0  # the box's longer side spans [-1, 1]
MOVE_SCALE = (
    STROKE_POINTS / 4.0
)  # a move along a one-stroke character is about 1/64 of its ink: about 1/4 after scaling
MAX_STROKE_FILE_BYTES = 10 * 2**20
# More strokes than any drawing or line of writing holds (a written line: a few hundred): a file with more
# is not one, and opening 200,000 one-point strokes froze the app for seconds. Points are many more: the
# pad keeps one every 1.5 px, and a page's shading saved from it holds tens of thousands.
MAX_STROKES = 2_000
MAX_STROKE_POINTS = 200_000
DOT_EXTENT = 1e-9  # a drawing this small beside its coordinates' size (or 1) is every point in one place
MAX_COORDINATE = 1e9  # larger numbers are no positions on a pad (and 1e308 overflows once squared)
# Ink at most this many times the drawing's longer side: a character's runs 2-5 times, a line of writing
# about as much, a page of dense shading a few hundred. A robustness trial's one stroke of 200,000 points
# ran 27,000 times over itself: the pad filled it in to 2.7 million points (1.7 GB, a minute's work, and a
# 52 MB settings file that slowed every later start).
MAX_INK_TIMES_SIZE = 5_000


class StrokesError(ValueError):
    """Stroke data that cannot be read as a character (malformed JSON, wrong shapes, not finite)."""


class BlankStrokesError(StrokesError):
    """Strokes that hold no character (no points, or every point in one place)."""


class NotJsonTextError(StrokesError):
    """A file read as strokes that is not text at all: a picture, where a command was told ``--strokes``
    (the command line adds that advice; in the app a picture it can read never gets here)."""


PICTURE_READ_AS_STROKES = "a picture? leave out --strokes"


ONE_POINT_FOR_A_STROKE = (
    'stroke {} is one point, [x, y]: "strokes" holds strokes, each a list of points: [[[x, y], [x, y], ...], ...] '
    "(one stroke: [[[x, y], ...]])"
)


def stroke_points(stroke: Any, which: int = 1) -> np.ndarray:
    """One stroke as an n x 2 float64 array of (x, y) points; raises :class:`StrokesError` for anything
    else (points of three values, a flat list of numbers, points of different lengths, values that are
    not finite numbers). ``which``: the stroke's number in the drawing, for the message."""
    try:
        array = np.asarray(stroke, dtype=np.float64)
    except (TypeError, ValueError):
        raise StrokesError(f"stroke {which} is not a list of [x, y] points (numbers)") from None
    if array.size == 0:
        return array.reshape(0, 2)
    if array.shape == (2,):  # the points given without the strokes around them: [[x, y], [x, y], ...]
        raise StrokesError(ONE_POINT_FOR_A_STROKE.format(which))
    if array.ndim != 2 or array.shape[1] != 2:
        raise StrokesError(f"stroke {which} has shape {array.shape}: a stroke is n x 2, one (x, y) row per point")
    if not np.isfinite(array).all():
        raise StrokesError(f"stroke {which} has a point that is not a finite number")
    return array


@dataclass(frozen=True)
class Strokes:
    """A drawing as the pen made it: strokes of (x, y) points, y down, in any units.

    ``times`` and ``pressures``, when given, hold one array per stroke with one value per point. Made
    from points with :meth:`from_points` (checked, and turned y down if they count y upwards) or from
    a stroke file's JSON with :func:`parse_strokes`.
    """

    strokes: tuple[np.ndarray, ...]  # each n x 2 float64, y down
    times: tuple[np.ndarray, ...] | None = None
    pressures: tuple[np.ndarray, ...] | None = None
    # Where the points came from counting y upwards (a "y": "up" file): they are held turned y down, as
    # everywhere else, and boxes found in them are given back in the file's own orientation.
    source_y_up: bool = False
    # The (width, height) of the pad it was written on, in the strokes' units, when known (GlyphPad's own
    # files): the app opens such a drawing where and as large as it was written.
    pad: tuple[float, float] | None = None
    # Each stroke's pen width (at full width share), in the strokes' units, when known (GlyphPad's own
    # files): with the pad, the drawing is rendered as the pad rendered it.
    pen_widths: tuple[float, ...] | None = None
    # The person's corrections to the app's reading of them (text mode's typed, joined and split characters,
    # each on its strokes' positions), as GlyphPad's own files hold them: JSON values, checked by the app that
    # puts them back (Save Drawing lost them: a note reopened read "nnilk" again, its m put right before).
    corrections: tuple[Any, ...] | None = None

    @classmethod
    def from_points(cls, strokes: Sequence[Any], y_up: bool = False) -> Strokes:
        """Strokes from lists or arrays of (x, y) points (``y_up``: y counts upwards, as on a tablet or a
        plot; the points are turned y down). Raises :class:`StrokesError` for points that are not n x 2
        finite numbers."""
        arrays = [stroke_points(stroke, k + 1) for k, stroke in enumerate(strokes)]
        if y_up:
            arrays = [a * np.array([1.0, -1.0]) for a in arrays]
        return cls(tuple(a for a in arrays if len(a)), source_y_up=y_up)

    @property
    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)

    def box(self) -> tuple[float, float, float, float]:
        """The ink box (x0, y0, x1, y1) in the strokes' own units."""
        if not self.strokes:
            raise BlankStrokesError("the drawing has no strokes")
        points = np.concatenate(self.strokes)
        (x0, y0), (x1, y1) = points.min(0), points.max(0)
        return float(x0), float(y0), float(x1), float(y1)


# A tap of the pen away from a character (a cheap tablet's stray touch): a stroke at most STRAY_DOT_SIZE of
# the character's size across (the character: its strokes larger than that share of the whole drawing),
# lying STRAY_DOT_GAP of its size or more from its box, and not beside its top quarter or above, where an i's
# or a j's dot stands (98.8% and 99.7% of UNIPEN's do). 10 of UNIPEN's 86,431 characters hold such a dot,
# none an i or a j; a student's 5 with a tap beside it read 5 at 75% instead of 99%.
STRAY_DOT_SIZE = 0.15
STRAY_DOT_GAP = 0.5


def stray_dots(strokes: Sequence[np.ndarray]) -> list[int]:
    """The positions of the strokes that are taps of the pen away from the character the others draw (see
    STRAY_DOT_SIZE); none where nothing but dots is drawn."""
    drawn = [np.asarray(stroke, dtype=np.float64)[:, :2] for stroke in strokes]
    extents = [float(max(np.ptp(stroke, axis=0))) if len(stroke) else 0.0 for stroke in drawn]
    inked = [stroke for stroke in drawn if len(stroke)]
    if len(inked) < 2:
        return []
    whole = float(max(np.ptp(np.concatenate(inked), axis=0)))
    # The character: its strokes that are more than dots, the taps' own spread left out.
    body = [k for k, extent in enumerate(extents) if len(drawn[k]) and extent > STRAY_DOT_SIZE * whole]
    if not body:
        return []
    points = np.concatenate([drawn[k] for k in body])
    low, high = points.min(0), points.max(0)
    size = float(max(high - low))
    strays = []
    for k, stroke in enumerate(drawn):
        if k in body or not len(stroke) or extents[k] > STRAY_DOT_SIZE * size:
            continue
        centre = stroke.mean(0)
        outside = np.maximum(np.maximum(low - centre, centre - high), 0.0)
        above = centre[1] < low[1] + 0.25 * (high[1] - low[1])  # y down
        if float(np.hypot(*outside)) >= STRAY_DOT_GAP * size and not above:
            strays.append(k)
    return strays


def taps_left_out_note(count: int) -> str:
    """What an answer says of the taps of the pen it did not read."""
    return f"{'a dot' if count == 1 else f'{count} dots'} away from the drawing not read"


def without_strokes(strokes: Strokes, left_out: Sequence[int]) -> Strokes:
    """``strokes`` less those at the positions ``left_out`` (their times, pressures and pen widths with them)."""
    if not left_out:
        return strokes
    kept = [k for k in range(len(strokes.strokes)) if k not in set(left_out)]

    def chosen(values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        return None if values is None else tuple(values[k] for k in kept)

    return replace(
        strokes,
        strokes=tuple(strokes.strokes[k] for k in kept),
        times=chosen(strokes.times),
        pressures=chosen(strokes.pressures),
        pen_widths=chosen(strokes.pen_widths),
        corrections=None,  # (they name strokes by their positions in the file)
    )


def fits_a_stroke_file(strokes: Strokes) -> bool:
    """Whether a stroke file of ``strokes`` is one :func:`parse_strokes` takes (a pad of hatching may hold
    more strokes than a drawing)."""
    return len(strokes.strokes) <= MAX_STROKES and strokes.point_count <= MAX_STROKE_POINTS


def parse_strokes(data: Any) -> Strokes:
    """A ``{"strokes": [[[x, y], ...], ...]}`` object (optional "t" and "pressure": one list per
    stroke, one number per point; "pad": the [width, height] it was written on; "pen": each stroke's pen
    width) as :class:`Strokes`;
    raises :class:`StrokesError` with the reason."""
    if not isinstance(data, dict) or "strokes" not in data:
        raise StrokesError('expected a JSON object with a "strokes" list')
    raw = data["strokes"]
    if not isinstance(raw, list):
        raise StrokesError('"strokes" must be a list of strokes, each a list of [x, y] points')
    # Tablets and plotting tools often count y upwards; "y": "up" says so (read upside down, a 6 is a 9).
    y_axis = data.get("y", "down")
    if y_axis is None:  # JSON's null: not said
        y_axis = "down"
    if not isinstance(y_axis, str) or y_axis not in ("down", "up"):  # 0, [] or "" were read as "down"
        raise StrokesError(f'"y" must be "down" (the default: y grows downwards, as on a screen) or "up": {y_axis!r}')
    if len(raw) > MAX_STROKES:
        raise StrokesError(f"{len(raw):,} strokes: more than a drawing holds ({MAX_STROKES:,} at most)")
    strokes = []
    total = 0
    for k, stroke in enumerate(raw):
        if isinstance(stroke, list) and len(stroke) == 2 and all(_is_number(v) for v in stroke):
            raise StrokesError(ONE_POINT_FOR_A_STROKE.format(k + 1))  # the points without the strokes around them
        if not isinstance(stroke, list) or not all(
            isinstance(p, list) and len(p) >= 2 and all(_is_number(v) for v in p[:2]) for p in stroke
        ):
            raise StrokesError(f"stroke {k + 1} is not a list of [x, y] points (numbers)")
        longer = next((i for i, p in enumerate(stroke) if len(p) != 2), None)
        if longer is not None:  # [x, y, t] or [x, y, p]: an extra value would be silently dropped
            raise StrokesError(
                f"stroke {k + 1}, point {longer + 1} has {len(stroke[longer])} values: a point is [x, y] "
                '(times and pressures go in "t" and "pressure", one list per stroke)'
            )
        array = np.array([p[:2] for p in stroke], dtype=np.float64).reshape(-1, 2)
        if not np.all(np.isfinite(array)):
            raise StrokesError(f"stroke {k + 1} has a point that is not a finite number")
        if len(array) and float(np.abs(array).max()) > MAX_COORDINATE:
            raise StrokesError(f"stroke {k + 1} has a coordinate beyond ±{MAX_COORDINATE:.0e}: not pen units")
        total += len(array)
        if total > MAX_STROKE_POINTS:
            raise StrokesError(f"more than {MAX_STROKE_POINTS:,} points: more than a drawing holds")
        strokes.append(array)
    extras = {}
    for key in ("t", "pressure"):
        if key not in data or data[key] is None:
            continue
        values = data[key]
        if not isinstance(values, list) or len(values) != len(strokes):
            raise StrokesError(f'"{key}" must hold one list per stroke ({len(strokes)})')
        arrays = []
        for k, (per_point, stroke) in enumerate(zip(values, strokes, strict=True)):
            if not isinstance(per_point, list) or len(per_point) != len(stroke) or not all(map(_is_number, per_point)):
                raise StrokesError(f'"{key}" of stroke {k + 1} must hold one number per point ({len(stroke)})')
            array = np.asarray(per_point, dtype=np.float64)
            if not np.all(np.isfinite(array)):
                raise StrokesError(f'"{key}" of stroke {k + 1} has a value that is not a finite number')
            if key == "pressure" and len(array) and not (float(array.min()) >= 0.0 and float(array.max()) <= 1.0):
                raise StrokesError(f'"pressure" of stroke {k + 1} must be between 0 and 1 (as a pen reports it)')
            if key == "t" and np.any(np.diff(array) < 0):
                raise StrokesError(f'"t" of stroke {k + 1} goes back in time')
            arrays.append(array)
        extras[key] = tuple(arrays)
    pad = data.get("pad")
    if pad is not None and not (
        isinstance(pad, list) and len(pad) == 2 and all(_is_number(v) and math.isfinite(v) and v > 0 for v in pad)
    ):
        raise StrokesError(f'"pad" must be the [width, height] the strokes were written on: {pad!r}')
    pens = data.get("pen")
    if pens is not None and not (
        isinstance(pens, list)
        and len(pens) == len(strokes)
        and all(_is_number(v) and math.isfinite(v) and 0 < v <= MAX_SAVED_PEN_PX for v in pens)
    ):
        raise StrokesError(
            f'"pen" must hold one pen width per stroke ({len(strokes)}), each above 0 and at most '
            f"{MAX_SAVED_PEN_PX:.0f} pad pixels"
        )
    _refuse_ink_over_itself(strokes)
    if y_axis == "up":
        strokes = [s * np.array([1.0, -1.0]) for s in strokes]
    kept = [i for i, s in enumerate(strokes) if len(s)]
    return Strokes(
        strokes=tuple(strokes[i] for i in kept),
        times=tuple(extras["t"][i] for i in kept) if "t" in extras else None,
        pressures=tuple(extras["pressure"][i] for i in kept) if "pressure" in extras else None,
        source_y_up=y_axis == "up",
        pad=(float(pad[0]), float(pad[1])) if pad is not None and y_axis == "down" else None,
        pen_widths=tuple(float(pens[i]) for i in kept) if pens is not None else None,
        corrections=_corrections(data.get("corrections"), len(kept) == len(strokes)),
    )


def _corrections(value: Any, every_stroke_kept: bool) -> tuple[Any, ...] | None:
    """A file's "corrections" list as it holds it, at most one a stroke (the app checks each); None where it
    has none, or where strokes without points were left out (the positions they name are another drawing's)."""
    if not isinstance(value, list) or not value or not every_stroke_kept:
        return None
    return tuple(value[:MAX_STROKES])


def _refuse_ink_over_itself(strokes: list[np.ndarray]) -> None:
    """StrokesError where the ink runs more than MAX_INK_TIMES_SIZE times the drawing's longer side."""
    drawn = [s for s in strokes if len(s)]
    if not drawn:
        return
    points = np.concatenate(drawn)
    size = float(max(np.ptp(points[:, 0]), np.ptp(points[:, 1])))
    length = sum(float(np.hypot(*np.diff(s, axis=0).T).sum()) for s in drawn if len(s) > 1)
    if size > 0 and length > MAX_INK_TIMES_SIZE * size:
        raise StrokesError(
            f"its ink runs {length / size:,.0f} times the drawing's size, over itself (writing runs a few "
            f"times, a page of shading a few hundred; at most {MAX_INK_TIMES_SIZE:,})"
        )


def read_strokes_file(path: str | Path) -> Strokes:
    """Read a stroke JSON file; raises :class:`StrokesError` with a one-line reason (a file that cannot be
    opened too, said as a picture's is)."""
    from ml.runtime.image_files import FileTooLargeError, NotAFileError, read_named_file

    try:
        return strokes_from_json(read_named_file(Path(path), MAX_STROKE_FILE_BYTES))
    except NotAFileError as error:
        raise StrokesError(str(error)) from None
    except FileTooLargeError as error:
        raise _stroke_file_too_large(error.size) from None
    except OSError as error:  # as a picture's is said (a robustness trial got "[Errno 13] Permission denied: '…'")
        raise StrokesError(f"cannot open {Path(path).name}: {error.strerror or error}") from error


def _stroke_file_too_large(size: int) -> StrokesError:
    # A pipe is read up to one byte past the limit: its size is not known, only that it is more.
    said = "more than that" if size == MAX_STROKE_FILE_BYTES + 1 else f"{size / 2**20:.1f} MiB"
    return StrokesError(f"a stroke file is at most {MAX_STROKE_FILE_BYTES / 2**20:.0f} MiB; this one is {said}")


def _check_stroke_file_size(size: int) -> None:
    if size > MAX_STROKE_FILE_BYTES:
        raise _stroke_file_too_large(size)
    if size == 0:  # as an empty picture is told, not "not valid JSON (line 1, column 1: Expecting value)"
        raise StrokesError("empty file (0 bytes)")


def strokes_from_json(text: bytes) -> Strokes:
    """A stroke file's contents (JSON, as bytes) as :class:`Strokes`; raises :class:`StrokesError` with a
    one-line reason."""
    _check_stroke_file_size(len(text))
    try:
        data = json.loads(text)
    except UnicodeDecodeError as error:
        # JSON saved in another encoding (Latin-1), a UTF-8 mark before it or not
        if text.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"[") and b"\0" not in text:
            # (The decoder's bytes may lack the mark: the offset is counted in the file's.)
            offset = error.start + len(text) - len(error.object)
            raise StrokesError(
                f"JSON, but not in UTF-8 (byte 0x{text[offset]:02x} at offset {offset}): save it as UTF-8"
            ) from None
        raise NotJsonTextError("not a stroke file (JSON text)") from None
    except json.JSONDecodeError as error:
        raise StrokesError(f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise StrokesError("not valid stroke JSON: lists nested too deeply") from None
    except ValueError:  # Python's limit on an integer's digits (4300): no position is written so
        raise StrokesError("not valid stroke JSON: a number too large to be a position") from None
    try:
        return parse_strokes(data)
    except OverflowError:  # an integer of hundreds of digits
        raise StrokesError("not valid stroke JSON: a number too large to be a position") from None
    except RecursionError:
        raise StrokesError("not valid stroke JSON: lists nested too deeply") from None


def strokes_json(strokes: Strokes, decimals: int = 2) -> dict[str, Any]:
    """The ``{"strokes": ...}`` object :func:`parse_strokes` reads back as the same strokes (positions
    rounded to ``decimals``; "t", "pressure", "pad", "pen" and "corrections" when the drawing has them)."""
    data: dict[str, Any] = {"strokes": [np.round(s, decimals).tolist() for s in strokes.strokes]}
    if strokes.times is not None:
        data["t"] = [np.round(t, 3).tolist() for t in strokes.times]
    if strokes.pressures is not None:
        data["pressure"] = [np.round(np.clip(p, 0.0, 1.0), 3).tolist() for p in strokes.pressures]
    if strokes.pad is not None:
        data["pad"] = [round(strokes.pad[0], decimals), round(strokes.pad[1], decimals)]
    if strokes.pen_widths is not None:
        data["pen"] = [round(width, decimals) for width in strokes.pen_widths]
    if strokes.corrections:
        data["corrections"] = list(strokes.corrections)
    return data


def write_strokes_file(path: str | Path, strokes: Strokes) -> None:
    """Write a stroke JSON file whole or not at all (a full disk or a crash leaves the earlier file, not
    half a new one). Raises OSError."""
    from ml.runtime.atomic_files import write_atomically

    if not strokes.strokes:
        raise BlankStrokesError("the drawing has no strokes")
    text = json.dumps(strokes_json(strokes), separators=(",", ":")) + "\n"
    write_atomically(Path(path), text)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _clean(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    out = []
    for k, stroke in enumerate(strokes):
        s = stroke_points(stroke, k + 1)
        if len(s) == 0:
            continue
        moved = np.empty(len(s), dtype=bool)  # a point where the pen stood still says nothing
        moved[0] = True
        np.any(s[1:] != s[:-1], axis=1, out=moved[1:])
        out.append(s[moved])
    return out


def _share_points(lengths: np.ndarray, total: int) -> np.ndarray:
    """Points per stroke: ``total`` in all, by length, at least one each (the first ``total`` strokes
    only, if there are more strokes than points)."""
    n = len(lengths)
    if n >= total:
        counts = np.zeros(n, dtype=np.int64)
        counts[:total] = 1
        return counts
    spare = total - n
    weights = lengths / lengths.sum() if lengths.sum() > 0 else np.full(n, 1.0 / n)
    extra = np.floor(weights * spare).astype(np.int64)
    remainder = spare - int(extra.sum())
    order = np.argsort(-(weights * spare - extra), kind="stable")[:remainder]
    extra[order] += 1
    return 1 + extra


def _resample_to(stroke: np.ndarray, steps: np.ndarray, count: int) -> np.ndarray:
    """``count`` points evenly along the stroke (``steps``: the lengths of its segments), both ends included
    (its middle if count is 1)."""
    if len(stroke) == 1:
        return np.repeat(stroke, count, axis=0)
    travelled = np.zeros(len(stroke))
    np.cumsum(steps, out=travelled[1:])
    at = np.array([travelled[-1] / 2]) if count == 1 else np.linspace(0.0, travelled[-1], count)
    out = np.empty((count, 2))
    out[:, 0] = np.interp(at, travelled, stroke[:, 0])
    out[:, 1] = np.interp(at, travelled, stroke[:, 1])
    return out


A_DOT = "a single dot, not a character"
ONLY_DOTS = "only dots, not a character"
# A stroke at most this share of the drawing's size is a dot (a tap, a pen's wobble on it): a character has a
# stroke that spans much of it (the dot of an i beside its stem, the bars of an E).
DOT_SHARE = 0.05


def dots_reason(strokes: Strokes | Sequence[np.ndarray]) -> str:
    """Why the drawing is no character when it is a tap of the pen (every point in one place: ``A_DOT``) or
    taps (every stroke a dot: ``ONLY_DOTS``), whatever a model would make of its picture (one dot blown up
    to fill 28x28 read as a confident U, two as an I at 99.97%); "" for anything else."""
    return _dots_reason(_clean(strokes.strokes if isinstance(strokes, Strokes) else strokes))


def _dots_reason(parts: list[np.ndarray]) -> str:
    """:func:`dots_reason` of strokes already cleaned (``_clean``)."""
    if not parts:
        return ""
    everything = np.concatenate(parts)
    extent = float((everything.max(0) - everything.min(0)).max())
    # No extent, or one lost beside the numbers' size (1e-300 units: the pad, in pixels, saw a dot, and the
    # command line read a "7" into the rounding)
    if extent <= DOT_EXTENT * max(1.0, float(np.abs(everything).max())):
        return A_DOT
    if len(parts) > 1 and all(float((p.max(0) - p.min(0)).max()) <= DOT_SHARE * extent for p in parts):
        return ONLY_DOTS
    return ""


def normalize_strokes(strokes: Strokes | Sequence[np.ndarray]) -> np.ndarray:
    """The ``STROKE_POINTS x len(STROKE_FEATURES)`` float32 sequence a stroke model reads."""
    parts = _clean(strokes.strokes if isinstance(strokes, Strokes) else strokes)
    if not parts:
        raise BlankStrokesError("the drawing has no strokes")
    if dots := _dots_reason(parts):
        raise BlankStrokesError(dots)
    everything = np.concatenate(parts)
    lo, hi = everything.min(0), everything.max(0)
    extent = float((hi - lo).max())
    centre = (lo + hi) / 2
    shapes = [(s - centre) / extent for s in parts]
    steps = []  # each stroke's segment lengths, for its length and its resampling
    for shape in shapes:
        moves = shape[1:] - shape[:-1]
        steps.append(np.hypot(moves[:, 0], moves[:, 1]))
    lengths = np.array([float(step.sum()) if len(step) else 0.0 for step in steps])
    counts = _share_points(lengths, STROKE_POINTS)
    out = np.zeros((STROKE_POINTS, len(STROKE_FEATURES)), dtype=np.float32)
    row = 0
    previous = None
    for shape, step, count in zip(shapes, steps, counts, strict=True):
        if count == 0:
            break
        points = _resample_to(shape, step, int(count))
        block = out[row : row + count]
        block[:, 0:2] = points * POSITION_SCALE
        moves = np.empty_like(points)
        moves[0] = points[0] - (points[0] if previous is None else previous[0])
        np.subtract(points[1:], points[:-1], out=moves[1:])
        block[:, 2:4] = moves * MOVE_SCALE
        block[0, 2:4] = moves[0] * POSITION_SCALE  # the jump across a pen lift: a distance on the box's scale
        block[0, 4] = 1.0
        block[-1, 5] = 1.0
        previous = points[-1:]
        row += int(count)
    return out


def find_stroke_files(
    paths: Sequence[Path], other_json: list[Path] | None = None, pictures: list[Path] | None = None
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Stroke JSON files among ``paths`` (folders searched recursively for ``*.json`` that hold strokes),
    and the paths that are neither file nor folder or are folders without one, each with its reason; the
    folders' other .json files are added to ``other_json``, and their pictures to ``pictures``, when given."""
    from ml.runtime.image_files import (
        UNLISTED_FOLDER,
        find_image_files,
        is_drawing_file,
        is_stroke_path,
        not_a_file_reason,
    )

    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for path in paths:
        try:
            folder, there = path.is_dir(), path.exists()
        except OSError as error:  # a folder on its way that cannot be entered, a name too long: a row
            problems.append((path, error.strerror or str(error)))
            continue
        if folder:
            # In number order, other JSON (an exported batch's results) passed over, as the app's batch does.
            found = find_image_files([path], stroke_files=True)
            drawing = {p: is_drawing_file(p) for p in found.files}  # (not a picture named .json)
            inside = [p for p in found.files if drawing[p]]
            files.extend(inside)
            # An empty .json, say, and a folder that cannot be listed (this one or one inside it).
            problems.extend(
                (p, why) for p, why in found.problems if is_stroke_path(p) or why.startswith(UNLISTED_FOLDER)
            )
            if other_json is not None:  # for the command to say how many it passed over
                other_json.extend(found.other_json)
            if pictures is not None:  # (a picture beside its own strokes too: passed over here all the same)
                pictures.extend([*(p for p in found.files if not drawing[p]), *found.twins])
            if not inside and not any(p == path for p, _ in found.problems):  # (not one unread: said so)
                problems.append((path, "no stroke files (.json) in this folder"))
        elif there:  # a file, or a process's pipe (/dev/stdin, a shell's <(...)); not a named pipe
            reason = not_a_file_reason(path)
            if reason:
                problems.append((path, reason))
            else:
                files.append(path)
        else:
            problems.append((path, "no such file or folder"))
    return files, problems
