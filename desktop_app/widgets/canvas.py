"""The drawing canvas: strokes are data, the widget only paints them and emits signals.

Mouse and pen (tablet) input, with pressure-dependent width for the pen. When a tablet event is
accepted Qt does not synthesize a mouse event for it, and while the pen is down mouse events are
ignored anyway, so a pen stroke is never drawn twice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QEventPoint,
    QFocusEvent,
    QGuiApplication,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPointingDevice,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.themes import error_colour
from desktop_app.widgets.fonts import character_font
from ml.runtime.pen import (
    DEFAULT_PEN_PX,
    LIGHTEST_TOUCH,
    MAX_POINT_GAP_PX,
    MAX_SAVED_PEN_PX,
    PRESSURE_SPAN,
    reported_pressure,
    width_share,
)

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

    from ml.runtime.image_io import LoadedImage
    from ml.runtime.strokes import Strokes

    # What recognition reads of an opened picture: the file's bytes, or a pasted or turned picture's pixels.
    OpenedSource = bytes | LoadedImage

# A stroke ends once the pen or the mouse is this far off the pad (a hand's wobble along the edge is not)
OFF_PAD_MARGIN_PX = 12.0
# A touch point writes once it moves this far (px) from where it was pressed: a hand resting on the screen
# wobbles a few pixels, and draws nothing.
FINGER_MOVES = 8.0
TAP_SECONDS = 0.5  # a touch that does not move and lifts within this is a tap (a dot); a hand rests longer
# A mouse event made of a touch or of the pen's own events is not drawn within this of the pen's last event,
# a hover's too: the pen is on or near the pad (see _from_the_pen).
PEN_MOUSE_ECHO_S = 1.0
MIN_POINT_SPACING = 1.5  # px: closer samples add nothing but work
# A pad whose layer took longer than this to build is shown as it was while the window is resized, and built
# (and read) once the size has not changed for RESIZE_SETTLE_MS (a drag's steps come about every frame, 16 ms).
SLOW_LAYER_SECONDS = 0.05
RESIZE_SETTLE_MS = 150
# An opened picture (and what is drawn over it) goes to recognition at most this big; a drawing on the bare
# pad at ml.runtime.render's DRAWING_RECOGNITION_SCALE, the same size per pad pixel (128 px for a 480 px
# pad) whatever the window's size. 128 px is EMNIST's own source resolution (NIST's
# 128x128 scans) and above the 112 px preprocessing works at. The same 2,226 synthesized drawings
# score as well or better at 128 px as at 256 (`glyphpad-ml drawn --model emnist36 --model
# emnist36_cnn --canvas-px 128`, then 256: 93.35 vs 93.17% and 93.94 vs 93.62%), and preprocessing
# one takes a fifth to a third less (README, "Latency").
RECOGNITION_MAX_SIDE = 128
# Text mode's pad is a wide strip: its picture (read when strokes alone cannot be: after the eraser) is
# rendered with its shorter side, the line's height, this tall. Brought down by its longer side like one
# character's, a 1200x280 pad became 128x30 pixels: letters 15 px tall, and boxes drawn back on the pad
# off by up to a rendered pixel, 9 screen pixels.
LINE_RECOGNITION_HEIGHT = 128
FIT_MARGIN_PX = 14  # a drawing shrunk to fit the pad keeps its ink (and text mode's boxes) this far from the edges
MAX_KEPT_STROKES = 400  # strokes of the pad kept between sessions, at most (a line holds far fewer)
PICTURE_MARGIN_PX = 8  # around a character's ink in its picture (Keep Line as Examples)
UNDO_DEPTH = 200  # changes that can be undone; older states are dropped so a long session stays small
# The eraser is this many times the pen's width: as thin as the pen, taking back a stroke meant tracing it
# exactly, and a stray edge of ink was left behind to be read.
ERASER_WIDTH_TIMES_PEN = 3.0
# Strokes opened from a file are placed as a person writes on the pad: a character's longer side
# OPENED_CHARACTER_SHARE of the pad's shorter side, and no larger than ml.runtime.render draws a stroke
# file (DRAWING_SHARE of a DRAWING_CANVAS_PX pad: a batch and the pad then read the same picture; on a
# larger pad it was drawn larger, and read a little otherwise), a line OPENED_LINE_SHARE of the pad's
# height, narrower than the pad.
OPENED_CHARACTER_SHARE = 0.6
OPENED_LINE_SHARE = 0.45


def cursor_hot_spot(logical: float, ratio: float, platform: str) -> int:
    """A cursor picture's hot spot ``logical`` px from its corner, as the platform takes it: Qt hands X11 (xcb)
    the hot spot as given, in the picture's own pixels, where the others scale it from logical ones (at 200%
    the eraser's ring sat a quarter of its width down and right of where it erased, a HiDPI trial's)."""
    return round(logical * ratio) if platform == "xcb" else round(logical)


@dataclass
class Stroke:
    width: float
    eraser: bool = False
    points: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, pressure (0-1]

    def add(self, x: float, y: float, pressure: float, scale: float = 1.0) -> bool:
        """Add the pen's point (``scale``: the drawing's on the pad, its gaps filled in at the size it was
        written); False where it is too close to the last to add anything."""
        if self.points:
            last_x, last_y, last_p = self.points[-1]
            gap = math.hypot(x - last_x, y - last_y)
            if gap < MIN_POINT_SPACING:
                return False
            # A fast hand leaves gaps: filled in as ml.runtime.render.filled_in fills a file's, so the pad
            # reads what the saved file and the file opened again read (a circle drawn fast differed by up to
            # 0.51 of a pixel of the model's input).
            # (1% under the renderer's gap: a saved file's points, rounded to 0.01 px, need no filling again)
            steps = math.ceil(gap / (0.99 * MAX_POINT_GAP_PX * scale))
            for k in range(1, steps):
                t = k / steps
                self.points.append(
                    (last_x + (x - last_x) * t, last_y + (y - last_y) * t, last_p + (pressure - last_p) * t)
                )
        self.points.append((x, y, pressure))
        return True


# What the app notes about groups of the canvas's strokes (text mode: a character's correction), keyed by
# the strokes' ids. Kept in each undo state with the strokes it names, so Undo and Redo bring a note back
# with its ink, and an id is never read after its stroke is gone.
Notes = dict[tuple[int, ...], Any]


@dataclass
class _Finger:
    """A finger down on a touch screen: where and when it was pressed, whether it has moved
    ``FINGER_MOVES`` since, and whether it rests (it was down while another wrote: it never writes)."""

    at: QPointF
    since: float
    moved: bool = False
    rests: bool = False


def _lines_of_writing(strokes: Sequence[Any]) -> int:
    """How many lines of writing a stroke file's strokes stand in (1 where they are no rows of lines)."""
    import numpy as np

    from ml.runtime.segmentation import MAX_PAGE_PIECES, writing_rows

    boxes = [[*np.min(points, axis=0), *np.max(points, axis=0)] for points in strokes if len(points)]
    if not 2 <= len(boxes) <= MAX_PAGE_PIECES:  # (a page's shading of thousands of strokes: no rows asked)
        return 1
    rows = writing_rows(np.array(boxes, dtype=float), by_middles=True, strokes=True)
    return len(rows) if rows else 1


@dataclass(frozen=True)
class CanvasState:
    """What undo and redo restore."""

    strokes: tuple[Stroke, ...]
    image: QImage | None
    source: OpenedSource | None
    notes: Notes = field(default_factory=dict)


def _as_drawn(points: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """A file's points, sparse or dense, filled in as ml's renderer fills in a stroke file's
    (``ml.runtime.render.filled_in``): painted piece by piece, a stroke of points 25 px apart showed a bump
    at each, and the pad read other pixels than the batch and the command line."""
    import numpy as np

    from ml.runtime.render import filled_in

    return [(x, y, p) for x, y, p in filled_in(np.asarray(points, dtype=np.float64).reshape(-1, 3)).tolist()]


def _kept_share(share: float) -> float:
    """A width share read back from the settings, within what a pen gives (a firm press is over 1)."""
    return min(max(share, LIGHTEST_TOUCH), LIGHTEST_TOUCH + PRESSURE_SPAN)


def _pen_stroke(stroke: Stroke) -> Any:
    """The canvas's stroke as ml's renderer takes it."""
    import numpy as np

    from ml.runtime.render import PenStroke

    return PenStroke(np.asarray(stroke.points, dtype=np.float64), stroke.width, stroke.eraser)


def _pen_width(stroke: Stroke, pressure: float) -> float:
    return max(1.0, round(stroke.width * pressure * 2.0) / 2.0)  # to half pixels: fewer distinct pens


def _piece(stroke: Stroke, index: int) -> tuple[QPainterPath, float]:
    """Piece ``index`` of a stroke of n points, and its pen width.

    0 is the dot where the pen came down; i in 1..n-1 is what point i adds: a quadratic curve between
    midpoints with point i-1 as its control point (a smooth line, no corners); n is the end, to the last
    point. A stroke is always painted piece by piece, as it is drawn: the live stroke goes into the
    canvas's caches as it grows, so lifting the pen leaves nothing to repaint, and a later full repaint
    gives the same pixels.
    """
    points = stroke.points
    x0, y0, p0 = points[0]
    if index == 0:
        path = QPainterPath(QPointF(x0, y0))
        path.lineTo(x0 + 0.01, y0)
        return path, _pen_width(stroke, p0)
    if index == len(points):
        (xa, ya, _), (xb, yb, pb) = points[-2], points[-1]
        path = QPainterPath(QPointF((xa + xb) / 2, (ya + yb) / 2))
        path.lineTo(xb, yb)
        return path, _pen_width(stroke, pb)
    (xa, ya, pa), (xb, yb, _) = points[index - 1], points[index]
    start = QPointF(x0, y0) if index == 1 else QPointF((points[index - 2][0] + xa) / 2, (points[index - 2][1] + ya) / 2)
    path = QPainterPath(start)
    path.quadTo(QPointF(xa, ya), QPointF((xa + xb) / 2, (ya + yb) / 2))
    return path, _pen_width(stroke, pa)


def _picture_rect(image: QImage, width: int, height: int) -> QRectF:
    """Where a picture is shown on a width x height pad: as large as fits, centred (in fractions of a
    pixel: a picture a pixel wide beside 2,000 tall is shown 0.2 px wide, not 0)."""
    scale = min(width / max(1, image.width()), height / max(1, image.height()))
    shown_width, shown_height = image.width() * scale, image.height() * scale
    return QRectF((width - shown_width) / 2, (height - shown_height) / 2, max(shown_width, 1e-6), shown_height)


def piece_count(stroke: Stroke) -> int:
    """Pieces of a finished stroke: the dot, one per further point, and the end when there is more than one point."""
    n = len(stroke.points)
    return n + 1 if n > 1 else n


def paint_pieces(painter: QPainter, stroke: Stroke, pieces: range, ink: QColor, background: QColor) -> QRectF:
    """Paint some pieces of a stroke (eraser strokes in the background colour); returns the area touched."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    colour = background if stroke.eraser else ink
    touched = QRectF()
    current_width = -1.0
    for index in pieces:
        path, width = _piece(stroke, index)
        if width != current_width:
            painter.setPen(
                QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            )
            current_width = width
        painter.drawPath(path)
        margin = width / 2 + 2
        touched = touched.united(path.boundingRect().adjusted(-margin, -margin, margin, margin))
    return touched


def _painted_box(stroke: Stroke) -> tuple[int, int, QSize]:
    """The left, top and size of the pixels a stroke with points paints, its pen's width included."""
    xs = [x for x, _, _ in stroke.points]
    ys = [y for _, y, _ in stroke.points]
    margin = max(_pen_width(stroke, p) for _, _, p in stroke.points) / 2 + 2
    left, top = math.floor(min(xs) - margin), math.floor(min(ys) - margin)
    return left, top, QSize(math.ceil(max(xs) + margin) - left + 1, math.ceil(max(ys) + margin) - top + 1)


def _painted_rect(stroke: Stroke) -> QRect:
    left, top, size = _painted_box(stroke)
    return QRect(left, top, size.width(), size.height())


def erases_ink(eraser: Stroke, strokes: list[Stroke]) -> bool:
    """Whether the eraser stroke takes away ink that ``strokes`` leave on the pad: both painted as the pad
    paints them (its curves, widths and pressure; ink already erased is none), over the eraser's box."""
    if not eraser.points:
        return False
    left, top, size = _painted_box(eraser)
    black, white = QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)
    ink, reach = QImage(size, QImage.Format.Format_Grayscale8), QImage(size, QImage.Format.Format_Grayscale8)
    ink.fill(white)
    reach.fill(black)
    for image, drawn, colours in ((ink, strokes, (black, white)), (reach, [eraser], (black, white))):
        painter = QPainter(image)
        painter.translate(-left, -top)
        paint_strokes(painter, drawn, *colours)  # the eraser paints white: where it reaches
        painter.end()
    return bool(((qimage_to_grey(ink) <= 192) & (qimage_to_grey(reach) >= 64)).any())  # a visible change


def wholly_erased(eraser: Stroke, stroke: Stroke) -> bool:
    """Whether the eraser stroke takes away all of ``stroke``'s ink (painted as the pad paints both, over the
    stroke's box): a stray tap or a slip rubbed out whole."""
    if not eraser.points or not stroke.points:
        return False
    left, top, size = _painted_box(stroke)
    black, white = QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)
    ink = QImage(size, QImage.Format.Format_Grayscale8)
    ink.fill(white)
    painter = QPainter(ink)
    painter.translate(-left, -top)
    paint_strokes(painter, [stroke, eraser], black, white)  # the eraser paints white over the stroke
    painter.end()
    return not bool((qimage_to_grey(ink) <= 192).any())  # no visible ink left


def paint_strokes(painter: QPainter, strokes: list[Stroke], ink: QColor, background: QColor) -> None:
    for stroke in strokes:
        paint_pieces(painter, stroke, range(piece_count(stroke)), ink, background)


def label_tags(boxes: list[QRectF], sizes: list[tuple[float, float]], bottom: float = math.inf) -> list[QRectF]:
    """Where each box's label tag goes (``sizes``: each tag's width and height): above the box at its left;
    where the box reaches the top of the pad, below it (above ``bottom``, the pad's, and clear of the other
    boxes: a tag inside the box's top lay over its ink), else inside its top. Where that covers a tag placed
    before (close or overlapping characters: the labels of a dense line lay over one another, unreadable),
    the first place free of them of: above at the box's right, a tag higher (left, then right), inside its
    top."""
    placed: list[QRectF] = []
    for index, (box, (width, height)) in enumerate(zip(boxes, sizes, strict=True)):
        above = box.top() - height - 1
        below = box.bottom() + 1
        inside = max(box.top(), 0.0) + 1
        lefts = (box.left() + 1, max(box.right() - width - 1, box.left() + 1))
        candidates = []
        if above >= 0:
            candidates += [QRectF(left, above, width, height) for left in lefts]
        elif below + height <= bottom:
            others = [other for k, other in enumerate(boxes) if k != index]
            for left in lefts:
                tag = QRectF(left, below, width, height)
                if not any(tag.intersects(other) for other in others):
                    candidates.append(tag)
        if above - height >= 0:
            candidates += [QRectF(left, above - height, width, height) for left in lefts]
        candidates.append(QRectF(lefts[0], inside, width, height))
        free = (tag for tag in candidates if not any(tag.intersects(other) for other in placed))
        placed.append(next(free, candidates[0]))
    return placed


class DrawingCanvas(QWidget):
    """Emits ``drawing_changed`` when a stroke ends, on undo/redo/clear; never recognizes anything itself."""

    drawing_changed = Signal()
    stroke_begun = Signal()  # the pen (or the mouse) came down on the pad: the writing goes on
    stroke_ended = Signal()  # ... and came up, whatever the stroke did (an eraser over blank paper: nothing)
    notes_changed = Signal()  # a note was added or changed (set_note), the drawing as it was
    resized = Signal()  # the drawing was scaled with the pad: boxes over it are out of place
    left_the_pad = Signal()  # a stroke went past the pad's edge: what was drawn out there is not on it
    can_undo_changed = Signal(bool)
    can_redo_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The pen's hover comes here too: while it is near, a palm's touch on a touch screen draws nothing.
        self.setTabletTracking(True)
        # Said to a screen reader, not in a tooltip: one rested over the answer whenever the pen paused.
        self.setAccessibleName("drawing pad: empty")  # and what is on it, as that changes
        self.drawing_changed.connect(self._name_contents)
        self.setAccessibleDescription("Draw one character. Recognition runs when you lift the pen.")
        self._pen_width = float(DEFAULT_PEN_PX)
        self._eraser = False
        self._strokes: list[Stroke] = []
        self._notes: Notes = {}
        self._undo: list[CanvasState] = []
        self._redo: list[CanvasState] = []
        self._opened_source: OpenedSource | None = None  # see set_image
        self._current: Stroke | None = None
        # Text mode: the strokes the eraser being drawn touches, shown red until it lifts and takes them away
        # whole (they were seen rubbed out where it passed, and then went whole, unannounced).
        self._doomed: list[Stroke] = []
        self._pen_down = False
        self._pen_erases = False  # the pen on the pad is its eraser end (turned over): its stroke erases
        self._eraser_end_near = False  # the pen's eraser end hovers over the pad (the cursor is the eraser's)
        self._pen_seen_at = -1.0  # time.monotonic() of the last tablet event (see _from_the_pen)
        self._outside = False  # the pen or the mouse went off the pad mid-stroke, still down
        # The pieces of one pen movement that went past the pad's edge and came back are one step for Undo
        # (a student's 7 whose bar ran off the pad took two Undos, the bar left read as an S): the step the
        # movement's first piece made, and whether the stroke being drawn is a later piece of it.
        self._movement_step: CanvasState | None = None
        self._piece_of_movement = False
        # Touch (a touch screen, a classroom's board): the points down, each with where it was pressed and
        # whether it has moved; the one that writes (see _touch).
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self._fingers: dict[int, _Finger] = {}
        self._writing_finger: int | None = None
        self._background_image: QImage | None = None
        self._image_paper: tuple[QImage, int] | None = None  # an opened image and its paper's grey (0-255)
        # Strokes are painted into these caches piece by piece as they are drawn, never again on a
        # repaint: a long stroke is a hundred pieces drawn from Python, and the GUI thread shares the GIL
        # with inference. Undo, resize and a theme change rebuild them.
        self._screen_layer: QImage | None = None  # paper, opened image and strokes at device pixels
        # While the window is being resized, a drawing whose layer is slow to build (a page of writing, a
        # shaded file: seconds for 200,000 points) is shown from its last layer and built once the size has
        # settled: it was built anew at every step of the drag, and the window stood still.
        self._screen_layer_seconds = 0.0  # what the last build took
        self._stale_layer: QImage | None = None
        self._settled = QTimer(self, singleShot=True, interval=RESIZE_SETTLE_MS)
        self._settled.timeout.connect(self._drop_stale_layer)
        self._recognition_pixels: np.ndarray | None = None  # render_for_recognition's result until a change
        self._renderer: Any = None  # ml.runtime.render.StrokeRenderer of the finished strokes
        self._current_pieces = 0  # pieces of the stroke being drawn that are in the caches
        self._overlay: list[tuple[QRectF, str]] = []  # text mode: a box and its character per character found
        # Where the overlay's labels go, placed once a new overlay is painted (not at every paint: a page's
        # hundreds of labels took up to 78 ms to place, each stroke drawn over it).
        self._overlay_tags: list[QRectF] | None = None
        self._marked_box: int | None = None  # the box of the character whose menu is open (or focused)
        # The bare pad's strokes' scale against the size they were drawn at (see _fitting_scale), and the pad's
        # size all strokes were last fitted to (None until it is first sized).
        self._drawing_scale = 1.0
        self._fitted_size: tuple[int, int] | None = None
        self.placeholder = "Draw a letter or a digit here\nor drop an image file"
        self._reads_lines = False
        self._focus_visible = False  # the focus came by other means than the pen: a frame shows it

    @property
    def pen_width(self) -> float:
        """The pen's width in pad pixels at full pressure."""
        return self._pen_width

    @pen_width.setter
    def pen_width(self, width: float) -> None:
        self._pen_width = width
        self._update_cursor()

    @property
    def eraser(self) -> bool:
        """Whether new strokes erase (``ERASER_WIDTH_TIMES_PEN`` times the pen's width) instead of drawing."""
        return self._eraser

    @eraser.setter
    def eraser(self, on: bool) -> None:
        self._eraser = on
        self._update_cursor()

    def stroke_width(self, erasing: bool | None = None) -> float:
        """The width a stroke begun now gets: the pen's, or the eraser's (``erasing``; else as the Eraser is set)."""
        erasing = self._eraser if erasing is None else erasing
        return self._pen_width * (ERASER_WIDTH_TIMES_PEN if erasing else 1.0)

    def _update_cursor(self) -> None:
        """A cross to draw; to erase (the Eraser, or the pen's eraser end near the pad), a ring as big as the
        eraser, so one sees what it will take away."""
        if not (self._eraser or self._eraser_end_near):
            self.setCursor(Qt.CursorShape.CrossCursor)
            return
        ratio = self.devicePixelRatioF()
        diameter = max(8, min(round(self.stroke_width(erasing=True)), 200))
        side = diameter + 4
        pixmap = QPixmap(int(side * ratio), int(side * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ring = QRectF(2, 2, diameter, diameter)
        painter.setPen(QPen(QColor(255, 255, 255, 220), 3))  # a light ring under a dark one: seen on any paper
        painter.drawEllipse(ring)
        painter.setPen(QPen(QColor(0, 0, 0, 220), 1))
        painter.drawEllipse(ring)
        painter.end()
        hot = cursor_hot_spot(side / 2, ratio, QGuiApplication.platformName())
        self.setCursor(QCursor(pixmap, hot, hot))

    @property
    def reads_lines(self) -> bool:
        """Whether the pad holds a line of writing (text mode) rather than one character."""
        return self._reads_lines

    @reads_lines.setter
    def reads_lines(self, on: bool) -> None:
        if on != self._reads_lines:
            self._reads_lines = on
            self._invalidate_layers()  # the recognition picture's scale changes

    # ---- state -----------------------------------------------------------------------------------
    @property
    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    @property
    def stroke_in_progress(self) -> bool:
        """Whether a stroke is being drawn (the pen or the mouse button is still down)."""
        return self._current is not None

    def is_blank(self) -> bool:
        return self._background_image is None and not any(not s.eraser and s.points for s in self._strokes)

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    @property
    def notes(self) -> Notes:
        """The notes on the present strokes (a copy)."""
        return dict(self._notes)

    def set_note(self, strokes: tuple[int, ...], note: Any, dropping: Sequence[tuple[int, ...]] = ()) -> None:
        """Note something about the strokes with these ids, and forget the notes on ``dropping`` (one step,
        undoable as a stroke is)."""
        self.set_notes({strokes: note}, dropping)

    def set_notes(self, notes: dict[tuple[int, ...], Any], dropping: Sequence[tuple[int, ...]] = ()) -> None:
        """Note things about several groups of strokes (by their ids) in one step, undoable as a stroke is (a
        word's letters put in capitals at once: one Undo takes them all back); groups not all on the pad are
        left out."""
        alive = {id(s) for s in self._strokes}
        notes = {key: note for key, note in notes.items() if key and set(key) <= alive}
        dropped = [key for key in dropping if key in self._notes and key not in notes]
        if not notes or (all(self._notes.get(key) == note for key, note in notes.items()) and not dropped):
            return  # nothing to note, or nothing new: no step for Undo that changes nothing
        self._remember()
        self._notes = {**{k: v for k, v in self._notes.items() if k not in dropped}, **notes}
        self._emit_history()
        self.notes_changed.emit()

    def _notes_on_strokes(self) -> Notes:
        alive = {id(s) for s in self._strokes}
        return {k: v for k, v in self._notes.items() if set(k) <= alive}

    def _state(self) -> CanvasState:
        return CanvasState(tuple(self._strokes), self._background_image, self._opened_source, self._notes_on_strokes())

    def _restore(self, state: CanvasState) -> None:
        self._strokes = list(state.strokes)
        # (Undo or Clear with the eraser still down: the strokes gone from the pad are not shown red)
        self._doomed = [s for s in self._doomed if any(s is kept for kept in self._strokes)]
        self._notes = dict(state.notes)
        self._background_image = state.image
        self._opened_source = state.source
        self._refit(self.width(), self.height())  # writing undone back onto a pad resized meanwhile
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def _remember(self) -> None:
        """Put the present state on the undo stack before a change (a stroke, Clear, an opened image)."""
        self._undo.append(self._state())
        del self._undo[:-UNDO_DEPTH]  # strokes and images of older states are freed
        self._redo.clear()

    def _emit_history(self) -> None:
        self.can_undo_changed.emit(bool(self._undo))
        self.can_redo_changed.emit(bool(self._redo))
        self._name_contents()

    def _name_contents(self) -> None:
        """The pad's name says what is on it (it was "drawing pad" with a picture opened on it). Not each
        stroke: a screen reader says a focused widget's new name, and the answer is said after each one."""
        drawn = self.drawn_strokes()
        if self._background_image is not None:
            contents = "an opened picture" + (", drawn over" if drawn else "")
        else:
            contents = "a drawing" if drawn else "empty"
        name = f"drawing pad: {contents}"
        if name != self.accessibleName():
            self.setAccessibleName(name)

    def next_undo(self) -> object | None:
        """What Undo would bring back (compared by identity: a step of the pad's history is one object)."""
        return self._undo[-1] if self._undo else None

    def next_redo(self) -> object | None:
        return self._redo[-1] if self._redo else None

    def undo(self) -> None:
        """Take back the last change: a stroke, a Clear or an opened image."""
        if not self._undo:
            return
        self._redo.append(self._state())
        self._restore(self._undo.pop())

    def redo(self) -> None:
        if not self._redo:
            return
        self._undo.append(self._state())
        self._restore(self._redo.pop())

    def clear(self) -> None:
        if self.is_blank() and not self._strokes:
            return
        self._remember()
        self._restore(CanvasState((), None, None))

    def start_afresh(self) -> None:
        """A blank pad with no history: what was on it cannot come back (practice's next character: brought
        back by Undo, the last one's drawing was judged against the new character)."""
        self._undo.clear()
        self._redo.clear()
        self._restore(CanvasState((), None, None))

    def set_image(self, image: QImage, source: OpenedSource) -> None:
        """Show an opened image in place of the drawing (strokes may be drawn over it); undoable.

        ``source`` is what recognition reads while nothing is drawn over the image: the file's bytes
        or the pasted pixels (averaged down past 4096 px, as an opened file is), never the preview, so one
        file always gives one input.
        """
        self._remember()
        self._strokes = []
        self._notes = {}
        self._background_image = image
        self._opened_source = source
        self._invalidate_layers()
        self._emit_history()
        self.update()

    def written_strokes(self) -> list[dict[str, Any]]:
        """The strokes as they were written (the size they were drawn at), to keep between sessions."""
        scale = self._drawing_scale
        return [
            {
                "width": stroke.width / scale,
                "eraser": stroke.eraser,
                "points": [[round(x / scale, 2), round(y / scale, 2), round(p, 3)] for x, y, p in stroke.points],
            }
            for stroke in self._strokes
            if stroke.points
        ]

    def load_written_strokes(self, saved: Any) -> int:
        """Put strokes kept by :meth:`written_strokes` on a pad with nothing on it, fitted to the pad as writing
        is; Undo takes them back one by one, the last first, as if written in this session (after a restart
        it did nothing). Returns how many; anything malformed puts none."""
        if self._strokes or self._background_image is not None or not isinstance(saved, list):
            return 0
        strokes = []
        try:
            for item in saved[:MAX_KEPT_STROKES]:
                kept = [(float(x), float(y), _kept_share(float(p))) for x, y, p in item["points"]]
                # (an eraser kept from a drawing shrunk many times may be wider: as wide as kept widths go)
                width = min(float(item["width"]), MAX_SAVED_PEN_PX)
                # Checked before they are filled in: a NaN's gap to fill warned on the terminal ("invalid value").
                if (
                    not kept
                    or not 0 < width <= MAX_SAVED_PEN_PX
                    or not all(math.isfinite(v) for pt in kept for v in pt)
                ):
                    return 0
                # Filled in as drawn strokes are (sessions kept before the pad did so came back sparse).
                points = _as_drawn(kept)
                strokes.append(Stroke(width, bool(item.get("eraser", False)), points))
        except (TypeError, ValueError, KeyError, OverflowError):  # a 400-digit number stopped the app's start
            return 0
        self._strokes = strokes
        self._drawing_scale = 1.0
        first = max(0, len(strokes) - UNDO_DEPTH)
        self._undo = [CanvasState(tuple(strokes[:k]), None, None, {}) for k in range(first, len(strokes))]
        self._redo.clear()
        self._refit(self.width(), self.height())
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()
        return len(strokes)

    def written_notes(self) -> list[tuple[tuple[int, ...], Any]]:
        """The notes on the strokes, each by its strokes' positions among those :meth:`written_strokes` keeps,
        to keep between sessions."""
        position = {id(stroke): k for k, stroke in enumerate(s for s in self._strokes if s.points)}
        return [
            (tuple(position[i] for i in key), note)
            for key, note in self._notes_on_strokes().items()
            if all(i in position for i in key)
        ]

    def load_written_notes(self, notes: Sequence[tuple[tuple[int, ...], Any]]) -> int:
        """Put notes kept by :meth:`written_notes` back on the strokes :meth:`load_written_strokes` put (not
        undoable: where a session starts); a note on strokes that are not there (positions out of range, twice
        but as a whole repeated, or not whole numbers: a damaged file) is dropped. Returns how many."""
        written = [s for s in self._strokes if s.points]

        def there(positions: tuple[Any, ...]) -> bool:
            if not positions or not all(type(k) is int and 0 <= k < len(written) for k in positions):
                return False
            # (The same strokes named twice over: the second of two letters cut from one stroke, text mode's.)
            distinct = tuple(dict.fromkeys(positions))
            return positions == distinct * (len(positions) // len(distinct))

        loaded = {tuple(id(written[k]) for k in positions): note for positions, note in notes if there(positions)}
        if loaded:
            self._notes = {**self._notes, **loaded}
            # The strokes' Undo steps (load_written_strokes) keep the notes on the strokes they hold: the first
            # Undo after a restart took back every correction with the last stroke (a trial).
            self._undo = [
                replace(state, notes={k: v for k, v in loaded.items() if set(k) <= {id(s) for s in state.strokes}})
                for state in self._undo
            ]
            self.notes_changed.emit()
        return len(loaded)

    def drawn_strokes(self) -> list[Stroke]:
        """The strokes with ink, in the order drawn: ``recognition_strokes`` holds their points."""
        return [s for s in self._strokes if s.points and not s.eraser]

    def erased_drawing(self) -> bool:
        """Whether the eraser has been over the drawing (not over an opened picture): its strokes are then no
        longer what the pad shows, and the picture alone is read."""
        return self._background_image is None and any(s.eraser for s in self._strokes)

    def _strokes_alone(self) -> list[list[tuple[float, float, float]]] | None:
        """The drawn strokes' points when they alone are what the pad shows; None over an opened image,
        after the eraser, or with nothing drawn."""
        if self._background_image is not None or any(s.eraser for s in self._strokes):
            return None
        return [s.points for s in self._strokes if s.points] or None

    def recognition_strokes(self) -> Strokes | None:
        """The drawing as pen strokes (canvas pixels), for the stroke model; None when strokes alone are not
        what is seen (see :meth:`_strokes_alone`)."""
        drawn = self._strokes_alone()
        if drawn is None:
            return None
        import numpy as np

        from ml.runtime.strokes import Strokes

        return Strokes(tuple(np.asarray(points, dtype=np.float64)[:, :2] for points in drawn))

    def saved_strokes(self, only: Sequence[Stroke] | None = None) -> Strokes | None:
        """The drawing as a stroke file holds it: at the size it was written, with the pen's pressure when a
        pen drew it; None when the strokes alone are not what the pad shows (over an opened image, or after
        the eraser). ``only``: those of the pad's strokes alone (a character of text mode's line)."""
        if self._strokes_alone() is None:
            return None
        import numpy as np

        from ml.runtime.strokes import Strokes

        chosen = {id(stroke) for stroke in only} if only is not None else None
        drawn = [s for s in self._strokes if s.points and (chosen is None or id(s) in chosen)]
        if not drawn:
            return None
        points = [np.asarray(stroke.points, dtype=np.float64) for stroke in drawn]
        pen = any(np.any(p[:, 2] != 1.0) for p in points)  # a mouse draws every point at 1
        return Strokes(
            tuple(p[:, :2] / self._drawing_scale for p in points),
            pressures=tuple(np.array([reported_pressure(v) for v in p[:, 2]]) for p in points) if pen else None,
            pad=(self.width() / self._drawing_scale, self.height() / self._drawing_scale),
            # With the pad's size, the file is read as the pad read it (ml.runtime.render.drawing_picture).
            pen_widths=tuple(s.width / self._drawing_scale for s in drawn),
        )

    def picture_of(self, only: Sequence[Stroke]) -> np.ndarray:
        """Some of the pad's strokes alone (a character of text mode's line) as :meth:`picture_for_saving`
        draws the pad, cut to their ink and a margin: black ink on white."""
        import numpy as np

        from ml.runtime.render import render_strokes

        chosen = {id(stroke) for stroke in only}
        drawn = [s for s in self._strokes if s.points and id(s) in chosen]
        if not drawn:
            return np.full((1, 1), 255, dtype=np.uint8)
        points = np.concatenate([np.asarray(s.points, dtype=np.float64)[:, :2] for s in drawn])
        margin = max(s.width for s in drawn) + PICTURE_MARGIN_PX
        left, top = np.floor(points.min(0) - margin)
        right, bottom = np.ceil(points.max(0) + margin)
        moved = [_pen_stroke(replace(s, points=[(x - left, y - top, p) for x, y, p in s.points])) for s in drawn]
        return render_strokes(moved, int(right - left), int(bottom - top), 1.0, None, *self._grey_ink_paper())

    def open_strokes(self, strokes: Strokes) -> None:
        """Replace what the pad holds with strokes from a file (``ml.runtime.strokes.Strokes``, any units;
        undoable): where it was written when the file says the pad it was written on (shrunk to fit a
        smaller pad), else placed as a person writes: centred, a character filling OPENED_CHARACTER_SHARE of
        the pad (at most as large as a batch draws it), a line (text mode) OPENED_LINE_SHARE of its height;
        drawn with the pen in use (as written: the pens the file names, when it does), pressure from the
        file's when it has one."""
        from ml.runtime.render import DRAWING_CANVAS_PX, DRAWING_RECOGNITION_SCALE, DRAWING_SHARE

        x0, y0, x1, y1 = strokes.box()
        width, height = max(self.width(), 1), max(self.height(), 1)
        flat = (y1 - y0) < 0.05 * (x1 - x0)  # a lone dash: no line height to size it by, a character's size
        # Saved from the pad (its file says the pad's size): back where and as large as it was written, to be
        # written on (a line saved in text mode came back 2.5 times larger, the pad "full"), shrunk as a
        # drawing is when this pad is smaller. Any other file is fitted, as a person would write it.
        pad = strokes.pad
        as_written = pad is not None and min(x0, y0) >= 0 and x1 <= pad[0] and y1 <= pad[1]
        if as_written:
            room = 1.0
        elif self._reads_lines and not flat:
            # A note of several lines: each line as large as one alone would be, as the pad holds them (the
            # whole note was sized as one line, its letters blots of the pen's width: a trial).
            lines = _lines_of_writing(strokes.strokes)
            room = min(
                OPENED_LINE_SHARE * lines * height / max(y1 - y0, 1e-9),
                (height - 2 * FIT_MARGIN_PX) / max(y1 - y0, 1e-9),
                (width - 2 * FIT_MARGIN_PX) / max(x1 - x0, 1e-9),
            )
        else:
            size = min(OPENED_CHARACTER_SHARE * min(width, height), DRAWING_SHARE * DRAWING_CANVAS_PX)
            room = size / max(x1 - x0, y1 - y0, 1e-9)
        scale = min(room, 1e6)  # a file of one dot: anywhere is its place
        middle_x, middle_y = (width / 2, height / 2) if as_written else ((x0 + x1) / 2, (y0 + y1) / 2)
        # Centred on a whole recognition pixel, as a batch centres it (half a pixel off, the two read another
        # picture: up to 0.3 of the model's input apart on an 800 px pad).
        whole = DRAWING_RECOGNITION_SCALE  # (a character's: text mode reads a line at its own scale)
        on_grid = not as_written and not self._reads_lines
        centre_x, centre_y = (round(side / 2 * whole) / whole if on_grid else side / 2 for side in (width, height))
        placed = []
        for k, points in enumerate(strokes.strokes):
            shares = (
                [width_share(float(v)) for v in strokes.pressures[k]]
                if strokes.pressures is not None
                else [1.0] * len(points)
            )
            xy = [
                (centre_x + (float(x) - middle_x) * scale, centre_y + (float(y) - middle_y) * scale, share)
                for (x, y), share in zip(points, shares, strict=True)
            ]
            # As written: with the pen each stroke was written with, as the command line reads the file.
            pen = strokes.pen_widths[k] if as_written and strokes.pen_widths is not None else self._pen_width
            placed.append(Stroke(pen, False, _as_drawn(xy)))
        # What Undo keeps goes back to the size it was written at first (as a new stroke's does), or it came
        # back shrunk for good after a smaller pad had scaled it down.
        self._back_to_drawn_size()
        self._remember()
        self._strokes = placed
        self._notes = {}
        self._background_image = None
        self._opened_source = None
        self._drawing_scale = 1.0
        if as_written:  # at the size written, shrunk only as far as this pad needs (as a narrowed window does)
            self._refit(width, height)
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def recognition_input(self) -> object:
        """What recognition should read: the opened image itself, or the drawing (over it) as pixels."""
        if self._opened_source is None:
            return self.render_for_recognition()
        if not any(s.points for s in self._strokes):
            return self._opened_source
        # Writing or an eraser over an opened picture: read as the picture alone is, its light evened out and
        # its page's lines left out (as pixels it was read as a drawing: one eraser touch in a corner of a
        # shadowed photo turned its A into an I).
        import numpy as np

        from ml.runtime.image_io import LoadedImage

        rendered = self.render_for_recognition()
        # The picture and the ink drawn beyond it, not the pad's paper around it: filled with one grey, that
        # paper met a shadowed side of the photo in an edge that the evening of its light took for ink.
        scale = rendered.shape[1] / max(1, self.width())
        box = self.displayed_image_rect()
        assert box is not None  # (an opened source is shown)
        for stroke in self.drawn_strokes():
            half = stroke.width / 2
            xs, ys = [x for x, _, _ in stroke.points], [y for _, y, _ in stroke.points]
            box = box.united(
                QRectF(min(xs) - half, min(ys) - half, max(xs) - min(xs) + 2 * half, max(ys) - min(ys) + 2 * half)
            )
        # Whole pixels inside the box: a row half paper, half photo is an edge too.
        left, top = max(0, int(np.ceil(box.left() * scale))), max(0, int(np.ceil(box.top() * scale)))
        right = min(rendered.shape[1], int(box.right() * scale))
        bottom = min(rendered.shape[0], int(box.bottom() * scale))
        cropped = rendered[top:bottom, left:right] if right > left and bottom > top else rendered
        return LoadedImage(pixels=np.divide(cropped, np.float32(255.0), dtype=np.float32))

    # ---- rendering ---------------------------------------------------------------------------------
    def _ink(self) -> QColor:
        level = self._image_paper_level()
        if level is not None:  # over an opened image: ink that shows on its paper (white on a blackboard)
            return QColor("black") if level >= 128 else QColor("white")
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _paper(self) -> QColor:
        level = self._image_paper_level()
        if level is not None:  # around an opened image, its own paper: the pad reads as one sheet
            return QColor(level, level, level)
        return self.palette().color(QPalette.ColorRole.Base)

    def _image_paper_level(self) -> int | None:
        """The opened image's paper as a grey level, or None without an image, as preprocessing reads a
        picture (``ml.runtime.preprocess.paper_level``). Strokes drawn over the image are drawn, and read, in
        the ink that contrasts with it, on a pad filled with it: on white paper around a grey photo the photo
        itself would read as one big blot of ink, and black strokes on a blackboard as nothing."""
        image = self._background_image
        if image is None:
            return None
        if self._image_paper is None or self._image_paper[0] is not image:
            import numpy as np

            from ml.runtime.preprocess import paper_level

            small = image.scaled(
                min(image.width(), 256), min(image.height(), 256), Qt.AspectRatioMode.KeepAspectRatio
            ).convertToFormat(QImage.Format.Format_ARGB32)
            grey = qimage_to_grey(small.convertToFormat(QImage.Format.Format_RGB32)) / np.float32(255.0)
            stride = small.bytesPerLine() // 4
            argb = np.frombuffer(small.constBits(), dtype=np.uint32, count=stride * small.height())
            alpha = (argb.reshape(small.height(), stride)[:, : small.width()] >> 24) / np.float32(255.0)
            self._image_paper = (image, round(255.0 * paper_level(np.stack([grey, alpha], axis=-1))))
        return self._image_paper[1]

    def _invalidate_layers(self) -> None:
        self._screen_layer = None
        self._stale_layer = None
        self._recognition_pixels = None
        self._renderer = None

    def slow_to_paint(self) -> bool:
        """Whether the pad's last full paint took long enough (a page of writing, a shaded file) for a resize
        to wait until the size settles before painting, and reading, the drawing again."""
        return self._screen_layer_seconds > SLOW_LAYER_SECONDS

    def _drop_stale_layer(self) -> None:
        if self._stale_layer is not None:
            self._stale_layer = None
            self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        new = event.size()
        if new.width() > 0 and new.height() > 0:
            if self._fitted_size is None:
                self._fitted_size = (new.width(), new.height())
            self._refit(new.width(), new.height())
        shown = self._stale_layer if self._stale_layer is not None else self._screen_layer
        shown = shown if self.slow_to_paint() else None
        self._invalidate_layers()
        if shown is not None:
            self._stale_layer = shown
            self._settled.start()
        super().resizeEvent(event)
        if self._overlay or self._strokes or self._background_image is not None:
            self._overlay, self._overlay_tags = [], None
            self.resized.emit()

    def _refit(self, width: int, height: int) -> None:
        """Every stroke (shown, in undo and redo, being drawn) fitted to a width x height pad: over an opened
        picture, where it was drawn on the picture; on the bare pad, at the scale that keeps it on the pad."""
        old = self._fitted_size
        if old is None or width <= 0 or height <= 0:
            return
        if old != (width, height):
            self._follow_pictures(old, (width, height))
        if self._background_image is None:
            scale = self._fitting_scale(width, height)
            if scale != self._drawing_scale:
                self._scale_drawing(scale / self._drawing_scale)
                self._drawing_scale = scale
        self._fitted_size = (width, height)

    def _back_to_drawn_size(self) -> None:
        self._scale_drawing(1.0 / self._drawing_scale)
        self._drawing_scale = 1.0
        self._renderer = None  # its scale was the shrunk drawing's

    def _fitting_scale(self, width: int, height: int) -> float:
        """The bare pad's drawing's scale (1: as drawn) on a pad of width x height.

        Writing keeps the size it was written at, and shrinks only as far as it must for its ink to stay on
        the pad: a smaller window, or the short, wide pad of text mode, never cuts it off, a larger one never
        blows it up beside what is written next (an enlarged line read a K written after it as small), and
        a round trip brings it back as it was.
        """
        drawn = [stroke for stroke in self._strokes if stroke.points]
        if self._current is not None and self._current.points:
            drawn.append(self._current)
        if not drawn:
            return self._drawing_scale
        # The ink's far edges, in the units it was drawn in.
        right = max(max(x for x, _, _ in s.points) + s.width / 2 for s in drawn) / self._drawing_scale
        bottom = max(max(y for _, y, _ in s.points) + s.width / 2 for s in drawn) / self._drawing_scale
        # Ink that is on the pad as written stays as written; ink that is not is shrunk to leave a margin.
        across = 1.0 if right <= width else (width - FIT_MARGIN_PX) / max(right, 1e-6)
        down = 1.0 if bottom <= height else (height - FIT_MARGIN_PX) / max(bottom, 1e-6)
        return min(across, down)

    def _strokes_by_picture(self) -> dict[int, tuple[QImage | None, Stroke]]:
        """Every stroke (shown, in undo and redo states, being drawn) and the picture it was drawn over
        (None: the bare pad). A stroke belongs to one picture: opening one, or Clear, starts without strokes."""
        owned: dict[int, tuple[QImage | None, Stroke]] = {}
        for state in (*self._undo, *self._redo):
            owned.update((id(s), (state.image, s)) for s in state.strokes)
        owned.update((id(s), (self._background_image, s)) for s in self._strokes)
        if self._current is not None:
            owned[id(self._current)] = (self._background_image, self._current)
        return owned

    def _scale_drawing(self, factor: float) -> None:
        """Scale every stroke on the bare pad (shown, in undo and redo states, being drawn) and its pen."""
        for image, stroke in self._strokes_by_picture().values():
            if image is None:
                stroke.points = [(x * factor, y * factor, p) for x, y, p in stroke.points]
                stroke.width *= factor

    def _follow_pictures(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        """Strokes over a picture (shown or in undo and redo states) stay where they were drawn on it as the
        pad goes from ``old`` to ``new``: the picture is fitted and centred, so a pad of another shape (text
        mode's strip) moves it as well as scaling it, and its strokes go with it."""
        for image, stroke in self._strokes_by_picture().values():
            if image is None:
                continue
            before, after = _picture_rect(image, *old), _picture_rect(image, *new)
            factor = after.width() / before.width()
            x0, y0, x1, y1 = before.left(), before.top(), after.left(), after.top()
            stroke.points = [((x - x0) * factor + x1, (y - y0) * factor + y1, p) for x, y, p in stroke.points]
            stroke.width *= factor

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._screen_layer = None  # the theme changed the ink and paper colours
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._overlay_tags = None  # labels of another size
        super().changeEvent(event)

    def _draw_background_image(self, painter: QPainter) -> None:
        """The opened image, fitted to the pad, over what the painter's target holds (the paper: a transparent
        picture shows it). Onto a grey target for recognition, onto the screen's layer for the eye."""
        if self._background_image is None:
            return
        image = self._background_image
        # Scaled to the target's own pixels: on a 2x screen, to twice the pad's size (scaled to the pad's
        # logical size, a picture showed at half its sharpness).
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        scaled = image.scaled(
            self.size() * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        scaled.setDevicePixelRatio(ratio)
        width, height = scaled.width() / ratio, scaled.height() / ratio
        painter.drawImage(QPointF((self.width() - width) / 2, (self.height() - height) / 2), scaled)

    def _build_screen_layer(self) -> QImage:
        ratio = self.devicePixelRatioF()
        layer = QImage(
            max(1, round(self.width() * ratio)),
            max(1, round(self.height() * ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        layer.setDevicePixelRatio(ratio)
        layer.fill(self._paper())
        painter = QPainter(layer)
        self._draw_background_image(painter)
        self._paint_all_strokes(painter, self._ink(), self._paper())
        painter.end()
        return layer

    def _recognition_scale(self) -> float:
        if self._reads_lines:
            return min(1.0, LINE_RECOGNITION_HEIGHT / max(min(self.width(), self.height()), 1))
        if self._background_image is None:
            # A drawing on the bare pad is rendered at one scale (the training drawings'), not at the pad's
            # longer side brought to 128 px: resizing the window read the same drawing anew at another
            # resolution, and its confidences moved (96.2% -> 95.4%, 82.5% -> 76.3% from the picture alone).
            from ml.runtime.render import DRAWING_RECOGNITION_SCALE, MAX_PAD_PICTURE_PX

            # A drawing shrunk to fit a smaller window is read at the size it was written (shrunk, it read
            # differently: up to 0.7 of a pixel of the model's input at half size), as its saved file is.
            largest = MAX_PAD_PICTURE_PX / max(self.width(), self.height(), 1)
            return min(DRAWING_RECOGNITION_SCALE / self._drawing_scale, largest)
        return min(1.0, RECOGNITION_MAX_SIDE / max(self.width(), self.height(), 1))

    def _background_for_recognition(self) -> np.ndarray | None:
        """The opened image, grey, as the recognition image's background (None without one)."""
        return self._grey_background(*self._recognition_size())

    def _grey_background(self, width: int, height: int) -> np.ndarray | None:
        """The opened image, grey, fitted to a width x height picture of the pad (None without one)."""
        if self._background_image is None:
            return None
        layer = QImage(width, height, QImage.Format.Format_Grayscale8)
        layer.fill(self._paper())
        painter = QPainter(layer)
        painter.scale(width / max(1, self.width()), height / max(1, self.height()))
        self._draw_background_image(painter)
        painter.end()
        return qimage_to_grey(layer)

    def _paint_all_strokes(self, painter: QPainter, ink: QColor, background: QColor) -> None:
        paint_strokes(painter, self._strokes, ink, background)
        if self._current is not None:
            paint_pieces(painter, self._current, range(self._current_pieces), ink, background)

    def _paint_new_pieces(self, stroke: Stroke, pieces: range) -> None:
        """Paint the pieces a growing stroke just gained into both caches and repaint only where they are."""
        self._current_pieces = pieces.stop
        self._recognition_pixels = None
        if self._screen_layer is None:
            self._stale_layer = None  # the pen wants its ink seen now
            self.update()  # paintEvent builds it, with the new pieces
            return
        painter = QPainter(self._screen_layer)
        touched = paint_pieces(painter, stroke, pieces, self._ink(), self._paper())
        painter.end()
        self.update(touched.toAlignedRect())

    def _takes_whole_strokes(self) -> bool:
        """Whether the eraser takes away each stroke it touches, whole: text mode, over strokes alone."""
        return self._reads_lines and self._strokes_alone() is not None

    def _mark_doomed(self, eraser: Stroke, first_point: int) -> None:
        """Where the eraser takes whole strokes, mark those its points from ``first_point`` on touch (as
        :meth:`_end` finds them: painted as the pad paints them), to be shown red until it lifts."""
        if not eraser.eraser or not self._takes_whole_strokes():
            return
        # From the point before: the piece joining it to the new ones is painted with them.
        reach = Stroke(eraser.width, True, eraser.points[max(0, first_point - 1) :])
        near = _painted_rect(reach)
        for stroke in self.drawn_strokes():
            if any(stroke is s for s in self._doomed):
                continue
            if _painted_rect(stroke).intersects(near) and erases_ink(reach, [stroke]):
                self._doomed.append(stroke)
                self.update(_painted_rect(stroke))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._screen_layer is None and self._stale_layer is not None:
            # As it was, where it was (the bare pad keeps a drawing's size as the pad grows), on paper.
            painter.fillRect(self.rect(), self._paper())
            painter.drawImage(QPointF(0, 0), self._stale_layer)
        else:
            if self._screen_layer is None:
                started = time.perf_counter()
                self._screen_layer = self._build_screen_layer()
                self._screen_layer_seconds = time.perf_counter() - started
            painter.drawImage(QPointF(0, 0), self._screen_layer)
        if self._doomed:  # whole, the eraser's track through them covered: what lifting it takes away
            paint_strokes(painter, self._doomed, error_colour(self.palette()), self._paper())
        if self._current is None and self.is_blank():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        if self._focus_visible and self.hasFocus():  # reached from the keyboard: say where the keys go
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        if self._overlay:
            highlight = self.palette().color(QPalette.ColorRole.Highlight)
            pen = QPen(highlight, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            # Each label on a tag of the paper's colour, readable over ink and photos alike; above its box,
            # or below it where the box reaches the top of the pad.
            backdrop = self._paper()
            backdrop.setAlpha(215)
            ink = self._ink()
            # In the answers' font, where l, I and 1 differ (the interface's sans-serif I over an i read as l).
            painter.setFont(character_font(self.font()))
            for index, (box, _) in enumerate(self._overlay):
                if index == self._marked_box:  # the character being corrected: which box it is, at a glance
                    painter.fillRect(box, QColor(highlight.red(), highlight.green(), highlight.blue(), 60))
                    painter.setPen(QPen(highlight, 3))
                    painter.drawRect(box)
                    painter.setPen(pen)
                else:
                    painter.drawRect(box)
            if self._overlay_tags is None:
                metrics = painter.fontMetrics()
                sizes = [(metrics.horizontalAdvance(label) + 6.0, metrics.height() + 2.0) for _, label in self._overlay]
                self._overlay_tags = label_tags([box for box, _ in self._overlay], sizes, self.height())
            for tag, (_, label) in zip(self._overlay_tags, self._overlay, strict=True):
                painter.fillRect(tag, backdrop)
                # In the ink's colour on the paper's: readable in either theme (the highlight's blue on the
                # dark pad was 3.5:1).
                painter.setPen(ink)
                painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)
                painter.setPen(pen)
        painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:
        # A frame whenever the focus came by other means than the pen (Tab, a shortcut, the window's start,
        # a dialog closing), so the keys' target is seen (E, Backspace acted on an unmarked pad); the pen
        # touching the pad takes it away: a pad framed all the time it is drawn on is noise.
        self._focus_visible = event.reason() != Qt.FocusReason.MouseFocusReason
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._focus_visible = False
        if event.reason() in (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason):
            self._lift()  # another window or a menu took the pen or the mouse mid-stroke: no lift comes here
        self.update()
        super().focusOutEvent(event)

    # ---- text mode ----------------------------------------------------------------------------------
    def set_overlay(self, boxes: list[tuple[QRectF, str]]) -> None:
        """Boxes (widget coordinates) around the characters found in text mode, each with its reading."""
        self._overlay = list(boxes)
        self._overlay_tags = None
        self.update()

    def mark_box(self, index: int | None) -> None:
        """Mark the overlay's box ``index`` (the character a menu or the keyboard is on; None: none)."""
        if index != self._marked_box:
            self._marked_box = index
            self.update()

    @property
    def marked_box(self) -> int | None:
        return self._marked_box

    @property
    def opened_image(self) -> QImage | None:
        """The opened image as the pad shows it (its preview; None without one)."""
        return self._background_image

    @property
    def opened_source(self) -> OpenedSource | None:
        """The opened image's bytes or pixels (None without one)."""
        return self._opened_source

    def recognition_scale(self) -> float:
        """Pixels of the recognition render per canvas pixel."""
        return self._recognition_scale()

    def displayed_image_rect(self) -> QRectF | None:
        """Where the opened image is shown (widget coordinates), or None without one."""
        if self._background_image is None:
            return None
        size = self._background_image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(
            (self.width() - size.width()) / 2, (self.height() - size.height()) / 2, size.width(), size.height()
        )

    def remove_drawn_strokes(self, indices: set[int]) -> None:
        """Remove strokes by their index among the drawn ones (as in recognition_strokes); undoable."""
        drawn = [s for s in self._strokes if s.points and not s.eraser]
        doomed = {id(drawn[i]) for i in indices if 0 <= i < len(drawn)}
        if not doomed:
            return
        self._remember()
        self._strokes = [s for s in self._strokes if id(s) not in doomed]
        self._notes = self._notes_on_strokes()
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def render_for_recognition(self) -> np.ndarray:
        """The drawing as grey pixels, black ink on white (what ml.runtime.preprocess gets).

        Rendered by ml's one stroke renderer (``ml.runtime.render``), the function that also draws the
        pen-handwriting training data. A drawing on the bare pad is rendered at the training drawings' one
        scale (``DRAWING_RECOGNITION_SCALE``, 128 px for a 480 px pad), so that a window of another size
        reads it the same; over an opened picture the pad's longer side is brought to at most
        RECOGNITION_MAX_SIDE px (text mode: see below). Each finished stroke is added to the
        renderer as it ends; undo, clear, a new image and a resize start it again. What is on screen
        is painted by Qt. In text mode the pad's height, not its longer side, is brought to
        LINE_RECOGNITION_HEIGHT (a line's letters stay legible).
        """
        if self._recognition_pixels is None:
            renderer = self._stroke_renderer()
            if self._current is not None:  # mid-stroke: a one-off rendering that includes it
                from ml.runtime.render import render_strokes

                strokes = [_pen_stroke(s) for s in (*self._strokes, self._current) if s.points]
                width, height = self._recognition_size()
                return render_strokes(
                    strokes, width, height, renderer.scale, self._background_for_recognition(), *self._grey_ink_paper()
                )
            self._recognition_pixels = renderer.pixels()
        return self._recognition_pixels

    def render_without(self, left_out: Sequence[int]) -> np.ndarray:
        """:meth:`render_for_recognition` without the strokes at the positions ``left_out`` among those
        :meth:`recognition_strokes` gives (a tap of the pen away from the character)."""
        from ml.runtime.render import render_strokes

        skipped = set(left_out)
        drawn = [s for s in self._strokes if s.points]
        kept = [_pen_stroke(stroke) for k, stroke in enumerate(drawn) if k not in skipped]
        width, height = self._recognition_size()
        scale = self._stroke_renderer().scale
        return render_strokes(kept, width, height, scale, self._background_for_recognition(), *self._grey_ink_paper())

    def picture_for_saving(self) -> np.ndarray:
        """The pad as a grey picture at its size on screen, as recognition reads it: black ink on white (an
        opened image greyed under it), whatever the theme; what GlyphPad opens again the same."""
        from ml.runtime.render import render_strokes

        width, height = max(1, self.width()), max(1, self.height())
        strokes = [_pen_stroke(s) for s in self._strokes if s.points]
        return render_strokes(
            strokes, width, height, 1.0, self._grey_background(width, height), *self._grey_ink_paper()
        )

    def _recognition_size(self) -> tuple[int, int]:
        scale = self._recognition_scale()
        return max(1, round(self.width() * scale)), max(1, round(self.height() * scale))

    def _grey_ink_paper(self) -> tuple[int, int]:
        """Recognition's ink and paper: black on white, or over an opened image the screen's (greyed)."""
        if self._background_image is None:
            return 0, 255
        return self._ink().lightness(), self._paper().lightness()

    def _stroke_renderer(self) -> Any:
        """The renderer holding every finished stroke (built from them when missing)."""
        if self._renderer is None:
            from ml.runtime.render import StrokeRenderer

            width, height = self._recognition_size()
            # Over a picture the render spans the pad exactly (the picture is fitted to it); a bare pad's
            # drawing keeps its one scale, which the rounded width would change by a pad's pixel.
            scale = width / max(1, self.width()) if self._background_image is not None else self._recognition_scale()
            self._renderer = StrokeRenderer(
                width, height, scale, self._background_for_recognition(), *self._grey_ink_paper()
            )
            for stroke in self._strokes:
                if stroke.points:
                    self._renderer.add(_pen_stroke(stroke))
        return self._renderer

    # ---- input ---------------------------------------------------------------------------------------
    def _begin(
        self, position: QPointF, pressure: float, erase: bool | None = None, back_on_the_pad: bool = False
    ) -> None:
        """A stroke from ``position``; ``erase``: an eraser's (the pen's eraser end), else as the Eraser is set;
        ``back_on_the_pad``: the pen, still down, came back past the edge (one movement for Undo)."""
        if self._current is not None:
            # A stroke still down (a palm on a touch screen, then the pen; the pen while the mouse draws):
            # kept as drawn. Replaced, it left its ink on the screen and out of what was read and undone.
            self._end()
        self._piece_of_movement = back_on_the_pad
        self._outside = False
        hint_shown = self.is_blank()
        if self._background_image is None and self._drawing_scale != 1.0 and not any(s.points for s in self._strokes):
            # New writing on an empty pad is written at its own size; what Undo may bring back, at its own too
            # (it is fitted to the pad when it comes back).
            self._back_to_drawn_size()
        erasing = self._eraser if erase is None else erase
        self._current = Stroke(width=self.stroke_width(erasing), eraser=erasing)
        self._current.add(position.x(), position.y(), pressure)
        self._current_pieces = 0
        self._paint_new_pieces(self._current, range(0, 1))
        self._mark_doomed(self._current, 0)
        if hint_shown:
            self.update()  # the whole canvas, or the hint would stay on screen around the new stroke
        self.stroke_begun.emit()

    def _extend(self, position: QPointF, pressure: float, erase: bool | None = None) -> None:
        # Off the pad the stroke ends, and one begins where the pen comes back: a path drawn over the side
        # panel, unseen, was read by the stroke model (two bars joined by a hidden turn read as S).
        margin = OFF_PAD_MARGIN_PX
        if not QRectF(self.rect()).adjusted(-margin, -margin, margin, margin).contains(position):
            if self._current is not None:
                drawing = not self._current.eraser
                self._end()
                self._outside = True
                if drawing:  # (an eraser past the edge takes nothing away out there: nothing to say)
                    self.left_the_pad.emit()
            return
        if self._outside:
            self._begin(position, pressure, erase, back_on_the_pad=True)
            return
        stroke = self._current
        if stroke is not None and stroke.add(position.x(), position.y(), pressure, self._drawing_scale):
            reached = self._current_pieces
            self._paint_new_pieces(stroke, range(self._current_pieces, len(stroke.points)))
            self._mark_doomed(stroke, reached)

    def _end(self) -> None:
        stroke = self._current
        if stroke is None:
            return
        self._paint_new_pieces(stroke, range(self._current_pieces, piece_count(stroke)))
        self._current = None
        self.stroke_ended.emit()
        doomed, self._doomed = self._doomed, []
        if doomed:
            self.update()
        if stroke.eraser and self._background_image is None and not erases_ink(stroke, self._strokes):
            # Over blank paper it took nothing away: kept, it made the drawing one to read from its picture
            # alone (no strokes, no fusion; Save offered only a PNG), and Undo had a step that did nothing.
            return
        if stroke.eraser and self._strokes_alone() is not None:
            near = _painted_rect(stroke)  # (a busy pad: only the strokes under the eraser are painted to see)
            touched = [
                s
                for s in self.drawn_strokes()
                # (those shown red as it went, and any its whole path touches: one set, a piece's join aside)
                if any(s is d for d in doomed) or (_painted_rect(s).intersects(near) and erases_ink(stroke, [s]))
            ]
            # Text mode rubs out each stroke the eraser touches, whole: a line is read from its strokes (a tip
            # rubbed off left a picture to read, a word of five letters read as one "m", and the person's
            # corrections and joins set aside).
            if touched and (self._reads_lines or all(wholly_erased(stroke, s) for s in touched)):
                # Whole strokes rubbed out and nothing else (a stray tap, a slip): as if never drawn. The
                # strokes left are still all the pad shows, and are read with the picture (a tap rubbed
                # out left a 7 read from its picture alone: 99% -> 86%).
                self._remember()
                gone = {id(s) for s in touched}
                state = self._state()
                kept = tuple(s for s in state.strokes if id(s) not in gone)
                notes = {key: note for key, note in state.notes.items() if not set(key) & gone}
                self._restore(CanvasState(kept, None, state.source, notes))
                return
        if not (self._piece_of_movement and self._undo and self._undo[-1] is self._movement_step):
            self._remember()
            self._movement_step = self._undo[-1]
        self._strokes.append(stroke)
        if self._renderer is not None and stroke.points:
            self._renderer.add(_pen_stroke(stroke))
        self._recognition_pixels = None
        self._emit_history()
        self.drawing_changed.emit()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            # A touch screen's touches draw; a touchpad's (macOS sends its fingers too) move the pointer, and
            # draw nothing until its button is down (the system's own mouse events).
            if event.device().type() == QInputDevice.DeviceType.TouchScreen:
                self._touch(event)
            event.accept()  # (accepted, no mouse event is made of it: Qt's would follow one finger)
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """Touches: the finger that moves writes; one that rests (the other hand, a palm) draws nothing.

        Qt made mouse events of a touch screen's first finger: a hand resting on a classroom's board before a
        child wrote drew a dot, and the child's word nothing at all ("No writing found"); a palm touching
        down mid-stroke split every stroke in two. A finger writes once it moves ``FINGER_MOVES`` px from
        where it was pressed (its stroke begins there), while no other writes; a finger down while another
        wrote rests until it lifts (a palm rolling as the child writes); a short touch that does not move is
        a dot (an i's, ``TAP_SECONDS``); touches while the pen is near draw nothing (a palm under the pen)."""
        if event.type() in (QEvent.Type.TouchCancel, QEvent.Type.TouchBegin):
            # (Begin: every finger was up. One whose lift never came is not down, nor still writing.)
            self._stop_finger()
            self._fingers.clear()
            if event.type() == QEvent.Type.TouchCancel:
                return
            self.setFocus(Qt.FocusReason.MouseFocusReason)  # the keys go to the pad, as after a click (E, Del)
        self._drop_focus_frame()
        if self._pen_near():  # (a finger writing when the pen came near: its stroke ends there)
            self._stop_finger()
            self._fingers.clear()
            return
        for point in event.points():
            finger, at = point.id(), point.position()
            state = point.state()
            if state == QEventPoint.State.Pressed:
                self._fingers[finger] = _Finger(at, time.monotonic(), rests=self._writing_finger is not None)
                continue
            touch = self._fingers.get(finger)
            if touch is None or state == QEventPoint.State.Stationary:
                continue  # (a still point's position is not always sent: as it was)
            touch.moved = touch.moved or math.hypot(at.x() - touch.at.x(), at.y() - touch.at.y()) >= FINGER_MOVES
            if finger == self._writing_finger:
                self._extend(at, 1.0)
            elif touch.moved and not touch.rests and self._writing_finger is None and not self._pen_down:
                self._writing_finger = finger
                for other, resting in self._fingers.items():
                    resting.rests = resting.rests or other != finger
                self._begin(touch.at, 1.0)
                self._extend(at, 1.0)
            if state == QEventPoint.State.Released:
                del self._fingers[finger]
                if finger == self._writing_finger:
                    self._stop_finger()
                elif (
                    not touch.moved
                    and not touch.rests
                    and time.monotonic() - touch.since <= TAP_SECONDS
                    and self._writing_finger is None
                    and not self._pen_down
                ):
                    self._begin(touch.at, 1.0)  # a tap: a dot
                    self._lift()
        if event.type() == QEvent.Type.TouchEnd:  # the last finger is up: so are any it did not name
            self._stop_finger()
            self._fingers.clear()

    def _stop_finger(self) -> None:
        """The writing finger's stroke ends (kept, as drawn); the pen's or the mouse's, if one took over, goes on."""
        if self._writing_finger is not None:
            self._writing_finger = None
            if not self._pen_down:
                self._lift()

    def _drop_focus_frame(self) -> None:
        """The pad is written on: the keyboard's focus frame goes (a stroke repaints only round itself: the
        frame would stay)."""
        if self._focus_visible:
            self._focus_visible = False
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drop_focus_frame()
        if event.button() != Qt.MouseButton.LeftButton or self._from_the_pen(event):
            return
        if self._pen_down:
            if self._pen_near():
                return  # the pen is writing: a press its driver made of it, however it is marked
            self._lift()  # the pen's lift never came (a driver's lost event): its stroke ends here
        if self._writing_finger is not None and self._writing_finger in self._fingers:
            self._fingers[self._writing_finger].rests = True  # the mouse's stroke ends a finger's, for good
        self._writing_finger = None
        self._begin(event.position(), 1.0)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._pen_down and event.buttons() & Qt.MouseButton.LeftButton and not self._from_the_pen(event):
            self._extend(event.position(), 1.0)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._pen_down and event.button() == Qt.MouseButton.LeftButton and not self._from_the_pen(event):
            self._lift()

    def _from_the_pen(self, event: QMouseEvent) -> bool:
        """A mouse event made of another input while the pen is on or near the pad (its events came within
        ``PEN_MOUSE_ECHO_S``): the system's echo of the pen (Windows sends both; drawn again, a second stroke
        along the pen's), or a palm's or a finger's touch made a mouse event by a system (drawn, it was read
        with the writing; a touch screen's own touches come to :meth:`_touch`)."""
        return event.source() != Qt.MouseEventSource.MouseEventNotSynthesized and self._pen_near()

    def _pen_near(self) -> bool:
        """Whether the pen is on or near the pad: its events came within ``PEN_MOUSE_ECHO_S``."""
        return time.monotonic() - self._pen_seen_at < PEN_MOUSE_ECHO_S

    def _lift(self) -> None:
        """The pen or the mouse is up: the stroke down ends (kept, as drawn)."""
        self._pen_down = False
        self._outside = False
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        self._pen_seen_at = time.monotonic()
        if (eraser_end := event.pointerType() == QPointingDevice.PointerType.Eraser) != self._eraser_end_near:
            self._eraser_end_near = eraser_end
            self._update_cursor()
        pressure = width_share(event.pressure())
        kind = event.type()
        tip = event.button() == Qt.MouseButton.LeftButton
        if kind == QTabletEvent.Type.TabletPress and tip:
            self._drop_focus_frame()
            self._pen_down = True
            # The pad takes the keys, as from a mouse's press (E, Backspace act on it; its stroke ends when
            # another window or a menu takes them mid-stroke, see focusOutEvent).
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            # The pen turned over writes with its eraser end, as in every drawing program (it drew ink).
            self._pen_erases = self._eraser or event.pointerType() == QPointingDevice.PointerType.Eraser
            self._begin(event.position(), pressure, self._pen_erases)
        elif kind == QTabletEvent.Type.TabletMove and self._pen_down:
            self._extend(event.position(), pressure, self._pen_erases)
        elif kind == QTabletEvent.Type.TabletRelease and self._pen_down and tip:
            self._lift()
        # The barrel's buttons draw nothing (a click while hovering left a dot that was read), and are taken
        # here, so that no mouse event is made of them.
        event.accept()


def qimage_to_pixels(image: QImage) -> np.ndarray:
    """A pasted or dropped picture as preprocessing takes it: grey, or grey + alpha (H x W x 2) when some
    of it is transparent (composited then as an opened file's are; grey alone made transparent parts black
    paper, and a black letter on a transparent background read as nothing). Clipboards hand over opaque
    pictures in formats with alpha too: those stay grey, the fast path."""
    import numpy as np

    grey = qimage_to_grey(image)
    if not image.hasAlphaChannel():
        return grey
    alpha_image = image.convertToFormat(QImage.Format.Format_Alpha8)
    width, height, stride = alpha_image.width(), alpha_image.height(), alpha_image.bytesPerLine()
    buffer = np.frombuffer(alpha_image.constBits(), dtype=np.uint8, count=stride * height)
    alpha = buffer.reshape(height, stride)[:, :width]
    if int(alpha.min()) == 255:
        return grey
    return np.stack([grey, alpha], axis=-1)


def qimage_to_grey(image: QImage) -> np.ndarray:
    import numpy as np

    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()
