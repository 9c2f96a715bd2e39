"""The one stroke renderer: pen strokes to grey pixels, exactly as the app's canvas hands a drawing
to recognition.

The canvas (``desktop_app.widgets.canvas``) calls :func:`render_strokes` for its recognition image,
and the pen-handwriting training data (UNIPEN trajectories, :mod:`ml.training.pen_data`) is rendered
by the same function. A model therefore learns from exactly the pixels a drawing produces, with the
same pen, round caps and joins, smoothing and anti-aliasing.

Geometry (the canvas's, kept in one place here): a stroke of points p0..pn-1 is a dot at p0, then
quadratic curves between successive midpoints with the point between them as control point (a smooth
line without corners), then a straight piece from the last midpoint to the last point. Each piece
has the width of the pen at its control point: ``width * pressure``, rounded to half pixels, at least
1 px. Anti-aliasing: drawn at 4x and averaged down (a box filter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from ml.runtime.pen import DEFAULT_PEN_PX, MAX_POINT_GAP_PX, width_share

if TYPE_CHECKING:
    from ml.runtime.strokes import Strokes

SUPERSAMPLE = 4
_CURVE_STEP_PX = 1.0  # flattening step of the quadratic pieces and vertex spacing, in output pixels


@dataclass(frozen=True)
class PenStroke:
    """One stroke as the canvas records it: (x, y, pressure) points in canvas pixels, y down."""

    points: np.ndarray  # n x 3 float: x, y, pressure in (0, 1.25]
    width: float  # pen width in canvas pixels at pressure 1
    eraser: bool = False

    @staticmethod
    def from_xy(xy: np.ndarray, width: float, pressure: np.ndarray | None = None) -> PenStroke:
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        p = np.ones(len(xy)) if pressure is None else np.asarray(pressure, dtype=np.float64).reshape(-1)
        return PenStroke(points=np.column_stack([xy, p]), width=float(width))


def stroke_path(stroke: PenStroke, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The flattened centre line of a stroke (m x 2, canvas pixels) and each vertex's pen width.

    Vertex k > 0 ends a line segment from vertex k-1 painted with width[k]. Each quadratic piece is
    cut into straight segments of about _CURVE_STEP_PX output pixels (1 to 16 of them).
    """
    # Small arrays, called for every stroke of every character read: written with few numpy calls
    # (each costs about a microsecond whatever its size), and no np.r_ (several).
    pts = np.asarray(stroke.points, dtype=np.float64)
    xy = pts[:, :2]
    widths = np.maximum(1.0, np.round(stroke.width * pts[:, 2] * 2.0) / 2.0)
    if len(xy) == 1:
        return xy.copy(), widths
    mids = (xy[:-1] + xy[1:]) / 2
    starts = np.concatenate([xy[:1], mids[:-1]])  # piece i starts at the previous midpoint (p0 for the first)
    controls, ends = xy[:-1], mids
    to_control, to_end = controls - starts, ends - controls
    length = (np.hypot(to_control[:, 0], to_control[:, 1]) + np.hypot(to_end[:, 0], to_end[:, 1])) * scale
    steps = np.clip(np.ceil(length / _CURVE_STEP_PX), 1, 16).astype(np.int64)
    piece = np.repeat(np.arange(len(steps)), steps)
    first = np.cumsum(steps) - steps
    t = ((np.arange(len(piece)) - first[piece] + 1) / steps[piece])[:, None]
    curve = (1 - t) ** 2 * starts[piece] + 2 * (1 - t) * t * controls[piece] + t**2 * ends[piece]
    path = np.concatenate([xy[:1], curve, xy[-1:]])
    vertex_widths = np.concatenate([widths[:1], widths[:-1][piece], widths[-1:]])
    # A pen samples every 1.5 canvas px, a fraction of an output pixel once scaled: keep a vertex about
    # every _CURVE_STEP_PX output pixels along the path, plus both ends and every change of width.
    moves = np.diff(path, axis=0)
    travelled = np.zeros(len(path))
    np.cumsum(np.hypot(moves[:, 0], moves[:, 1]), out=travelled[1:])
    bucket = np.floor(travelled * scale / _CURVE_STEP_PX)
    keep = np.empty(len(path), dtype=bool)
    keep[0] = True
    np.not_equal(bucket[1:], bucket[:-1], out=keep[1:])
    keep[-1] = True
    width_changes = vertex_widths[1:] != vertex_widths[:-1]
    keep[1:] |= width_changes
    keep[:-1] |= width_changes
    return path[keep], vertex_widths[keep]


def _paint(draw: ImageDraw.ImageDraw, stroke: PenStroke, scale: float, fill: int) -> None:
    path, widths = stroke_path(stroke, scale)
    points = path * (scale * SUPERSAMPLE) + (SUPERSAMPLE - 1) / 2  # pixel centres of the big image
    radii = widths * (scale * SUPERSAMPLE) / 2
    # Round caps and joins: a disc at every vertex. PIL draws a wide polyline as one quadrilateral per
    # segment, which leaves hairline seams between them on curves; the discs fill those and make the
    # joins round (PIL's own joint="curve" computes its joins in Python and took four times as long).
    boxes = np.column_stack([points - radii[:, None], points + radii[:, None]]).tolist()
    for box in boxes:
        draw.ellipse(box, fill=fill)
    if len(points) < 2:
        return
    breaks = (np.flatnonzero(widths[2:] != widths[1:-1]) + 1).tolist()  # vertex where a run of one width ends
    for start, end in zip([0, *breaks], [*breaks, len(points) - 1], strict=True):
        run = points[start : end + 1].ravel().tolist()
        draw.line(run, fill=fill, width=max(1, round(2 * radii[end])))


class StrokeRenderer:
    """Strokes drawn one at a time into the supersampled image: a canvas adds each stroke as it ends, so
    lifting the pen costs one stroke's drawing, not the whole drawing's. :meth:`pixels` equals
    :func:`render_strokes` of all strokes added so far."""

    def __init__(
        self,
        width: int,
        height: int,
        scale: float = 1.0,
        background: np.ndarray | None = None,
        ink: int = 0,
        paper: int = 255,
    ) -> None:
        """``ink`` and ``paper``: grey levels of the strokes and of the eraser (and of the image without a
        ``background``); strokes over a dark picture are drawn in light ink."""
        if width < 1 or height < 1:
            raise ValueError(f"cannot render to {width} x {height} pixels")
        big = (width * SUPERSAMPLE, height * SUPERSAMPLE)
        self.ink, self.paper = ink, paper
        if background is None:
            self._image = Image.new("L", big, paper)
        else:
            if background.shape != (height, width):
                raise ValueError(f"background is {background.shape[1]} x {background.shape[0]}, not {width} x {height}")
            grey = Image.fromarray(np.ascontiguousarray(background, dtype=np.uint8))
            self._image = grey.resize(big, Image.Resampling.NEAREST)
        self._draw = ImageDraw.Draw(self._image)
        self.scale = scale
        # The output as of the last pixels(), and the parts strokes have touched since: only those are
        # averaged down again (a large pad's whole image took 2.6 ms to average down after every stroke).
        self._pixels = (
            np.full((height, width), paper, np.uint8) if background is None else np.array(background, np.uint8)
        )
        self._touched: list[tuple[int, int, int, int]] = []

    def add(self, stroke: PenStroke) -> None:
        if len(stroke.points):
            _paint(self._draw, stroke, self.scale, self.paper if stroke.eraser else self.ink)
            self._touched.append(self._box_of(stroke))

    def _box_of(self, stroke: PenStroke) -> tuple[int, int, int, int]:
        """The output pixels ``stroke`` may have touched (x0, y0, x1, y1; ends excluded), clipped."""
        xy = np.asarray(stroke.points, dtype=np.float64)
        # stroke_path's widest vertex is at most width x pressure + 1/4 (or 1); a pixel more for anti-aliasing.
        reach = (max(1.0, stroke.width * float(xy[:, 2].max())) + 0.5) * self.scale / 2 + 1
        (x0, y0), (x1, y1) = xy[:, :2].min(0) * self.scale - reach, xy[:, :2].max(0) * self.scale + reach
        height, width = self._pixels.shape
        return (
            int(np.clip(np.floor(x0), 0, width)),
            int(np.clip(np.floor(y0), 0, height)),
            int(np.clip(np.ceil(x1) + 1, 0, width)),
            int(np.clip(np.ceil(y1) + 1, 0, height)),
        )

    def pixels(self) -> np.ndarray:
        """Height x width uint8: the strokes in ink (eraser strokes in paper) on paper or on the background."""
        if sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in self._touched) >= self._pixels.size:
            # (a whole drawing added at once, as for training: the whole image averaged down once is cheaper)
            self._pixels = np.array(self._image.reduce(SUPERSAMPLE))
            self._touched.clear()
        for x0, y0, x1, y1 in self._touched:
            if x1 > x0 and y1 > y0:  # an output pixel is the mean of its SUPERSAMPLE x SUPERSAMPLE block
                # Reduced in place, not cropped first: PIL takes a crop of over 128 megapixels for a
                # decompression bomb (a stroke across an 8K screen's pad could not be saved).
                box = (x0 * SUPERSAMPLE, y0 * SUPERSAMPLE, x1 * SUPERSAMPLE, y1 * SUPERSAMPLE)
                self._pixels[y0:y1, x0:x1] = np.asarray(self._image.reduce(SUPERSAMPLE, box=box))
        self._touched.clear()
        return self._pixels.copy()


def render_strokes(
    strokes: Sequence[PenStroke],
    width: int,
    height: int,
    scale: float = 1.0,
    background: np.ndarray | None = None,
    ink: int = 0,
    paper: int = 255,
) -> np.ndarray:
    """Black strokes (eraser strokes white) on white or on ``background``: height x width uint8.

    ``scale`` maps canvas pixels to output pixels (the canvas renders a drawing at
    DRAWING_RECOGNITION_SCALE, an opened picture at most 128 px on its longer side); ``background`` is a
    grey height x width uint8 image drawn under the strokes.
    ``ink`` and ``paper``: other grey levels for the strokes and the eraser (as :class:`StrokeRenderer`).
    """
    renderer = StrokeRenderer(width, height, scale, background, ink, paper)
    for stroke in strokes:
        renderer.add(stroke)
    return renderer.pixels()


def filled_in(points: np.ndarray, gap: float = MAX_POINT_GAP_PX) -> np.ndarray:
    """``points`` (n x k: x, y and any values along them, such as pressure) with points added along each
    segment longer than ``gap`` (in x and y), every column interpolated; dense points come back as they are."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 2:
        return points
    lengths = np.hypot(*np.diff(points[:, :2], axis=0).T)
    steps = np.maximum(1, np.ceil(lengths / gap)).astype(np.int64)
    if int(steps.max()) == 1:
        return points
    # Each segment's start, then its inner points at k / steps of the way; the last point once, at the end.
    starts = np.repeat(np.arange(len(steps)), steps)
    fractions = (np.arange(int(steps.sum())) - np.repeat(np.cumsum(steps) - steps, steps)) / np.repeat(steps, steps)
    inner = points[starts] + (points[starts + 1] - points[starts]) * fractions[:, None]
    return np.concatenate([inner, points[-1:]])


# A drawing from a stroke file is drawn as on the app's canvas: its longer side DRAWING_SHARE of a
# DRAWING_CANVAS_PX canvas, with the app's default pen, rendered at the canvas's recognition size.
DRAWING_CANVAS_PX = 480.0
DRAWING_SHARE = 0.6
DRAWING_PEN_PX = float(DEFAULT_PEN_PX)
DRAWING_SIDE = 128
# Recognition pixels per canvas pixel of a drawing on the app's bare pad, whatever the pad's size: the
# scale the training drawings are rendered at.
DRAWING_RECOGNITION_SCALE = DRAWING_SIDE / DRAWING_CANVAS_PX


def render_drawing(
    strokes: Sequence[np.ndarray], pen_px: float = DRAWING_PEN_PX, side: int = DRAWING_SIDE
) -> np.ndarray:
    """Strokes of (x, y) points in any units (y down) as the canvas would render them: uint8, ``side``
    pixels square: the character's longer side DRAWING_SHARE of a DRAWING_CANVAS_PX pad, at the scale the
    canvas renders any drawing (DRAWING_RECOGNITION_SCALE). Raises StrokesError for points that are not
    n x 2 finite numbers, BlankStrokesError for no points at all."""
    from ml.runtime.strokes import BlankStrokesError, stroke_points

    parts = [part for k, s in enumerate(strokes) if len(part := stroke_points(s, k + 1))]
    if not parts:
        raise BlankStrokesError("the drawing has no strokes")
    everything = np.concatenate(parts)
    lo, hi = everything.min(0), everything.max(0)
    extent = max(float((hi - lo).max()), 1e-6)
    scale = DRAWING_SHARE * DRAWING_CANVAS_PX / extent
    offset = DRAWING_CANVAS_PX / 2 - (lo + hi) / 2 * scale
    pen_strokes = [PenStroke.from_xy(filled_in(part * scale + offset), pen_px) for part in parts]
    return render_strokes(pen_strokes, side, side, scale=side / DRAWING_CANVAS_PX)


# A pad past this many recognition pixels a side is no pad GlyphPad had (a 7,680 px pad is 2,048; a
# hand-edited file): such a drawing is rendered as any other.
MAX_PAD_PICTURE_PX = 2048


def drawing_picture(strokes: Strokes) -> np.ndarray:
    """The picture a drawing is read from. Saved from GlyphPad's pad (the file names the pad and each
    stroke's pen, and the ink is on that pad): as the bare pad rendered it at the size it was written,
    so that ``predict`` and a batch read a saved drawing as the pad read it (drawn small, 5.5% of
    validation drawings got another top answer from the picture :func:`render_drawing` makes). Any
    other: as :func:`render_drawing` draws it. Raises StrokesError, BlankStrokesError as it does."""
    pad, pens = strokes.pad, strokes.pen_widths
    if pad is None or pens is None or len(pens) != len(strokes.strokes) or not strokes.strokes:
        return render_drawing(strokes.strokes)
    x0, y0, x1, y1 = strokes.box()
    width, height = (max(1, round(side * DRAWING_RECOGNITION_SCALE)) for side in pad)
    if min(x0, y0) < 0 or x1 > pad[0] or y1 > pad[1] or max(width, height) > MAX_PAD_PICTURE_PX:
        return render_drawing(strokes.strokes)
    pen_strokes = []
    for k, (points, pen) in enumerate(zip(strokes.strokes, pens, strict=True)):
        pressures = strokes.pressures[k] if strokes.pressures is not None else None
        shares = np.ones(len(points)) if pressures is None else np.array([width_share(float(v)) for v in pressures])
        pen_strokes.append(PenStroke(filled_in(np.column_stack([points, shares])), float(pen)))
    return render_strokes(pen_strokes, width, height, scale=DRAWING_RECOGNITION_SCALE)
