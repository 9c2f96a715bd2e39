"""The drawing canvas: strokes are data, the widget only paints them and emits signals.

Mouse and pen (tablet) input, with pressure-dependent width for the pen. When a tablet event is
accepted Qt does not synthesize a mouse event for it, and while the pen is down mouse events are
ignored anyway, so a pen stroke is never drawn twice.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

MIN_POINT_SPACING = 1.5  # px: closer samples add nothing but work
RECOGNITION_MAX_SIDE = 256


@dataclass
class Stroke:
    width: float
    eraser: bool = False
    points: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, pressure (0-1]

    def add(self, x: float, y: float, pressure: float) -> bool:
        if self.points:
            last_x, last_y, _ = self.points[-1]
            if (x - last_x) ** 2 + (y - last_y) ** 2 < MIN_POINT_SPACING**2:
                return False
        self.points.append((x, y, pressure))
        return True


def _smoothed(points: list[tuple[float, float, float]]) -> QPainterPath:
    """A path through the points' midpoints with the points as quadratic control points: no corners."""
    path = QPainterPath(QPointF(points[0][0], points[0][1]))
    if len(points) == 1:
        path.lineTo(points[0][0] + 0.01, points[0][1])
        return path
    for (x0, y0, _), (x1, y1, _) in itertools.pairwise(points):
        path.quadTo(QPointF(x0, y0), QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    path.lineTo(points[-1][0], points[-1][1])
    return path


def paint_strokes(painter: QPainter, strokes: list[Stroke], ink: QColor, background: QColor) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for stroke in strokes:
        if not stroke.points:
            continue
        colour = background if stroke.eraser else ink
        pressures = {round(p, 2) for _, _, p in stroke.points}
        if len(pressures) <= 1:  # constant width: one smooth path
            pen = QPen(
                colour,
                stroke.width * stroke.points[0][2],
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
            painter.setPen(pen)
            painter.drawPath(_smoothed(stroke.points))
            continue
        # Pressure varies the width segment by segment. Widths are rounded to half pixels and each run of
        # equal width is one polyline: the same picture from far fewer Python-side draw calls.
        widths = [
            max(1.0, round(stroke.width * (p0 + p1)) / 2)  # mean width, to 0.5 px
            for (_, _, p0), (_, _, p1) in itertools.pairwise(stroke.points)
        ]
        start = 0
        for end in range(1, len(widths) + 1):
            if end < len(widths) and widths[end] == widths[start]:
                continue
            painter.setPen(
                QPen(colour, widths[start], Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            )
            painter.drawPolyline([QPointF(x, y) for x, y, _ in stroke.points[start : end + 1]])
            start = end


class DrawingCanvas(QWidget):
    """Emits ``drawing_changed`` when a stroke ends, on undo/redo/clear; never recognizes anything itself."""

    drawing_changed = Signal()
    can_undo_changed = Signal(bool)
    can_redo_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Draw one character. Recognition runs when you lift the pen.")
        self.pen_width = 14.0
        self.eraser = False
        self._strokes: list[Stroke] = []
        self._redo: list[Stroke] = []
        self._current: Stroke | None = None
        self._pen_down = False
        self._background_image: QImage | None = None
        # Finished strokes are painted once into these caches, not again on every repaint: a pressure
        # stroke is a hundred segments drawn from Python, and the GUI thread shares the GIL with inference.
        self._screen_layer: QImage | None = None  # paper, opened image and strokes at device pixels
        self._recognition_layer: QImage | None = None  # the same in black on white, at most 256 px
        self._screen_pending: list[Stroke] = []  # finished, not yet painted into the screen layer

    # ---- state -----------------------------------------------------------------------------------
    @property
    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    def is_blank(self) -> bool:
        return self._background_image is None and not any(not s.eraser and s.points for s in self._strokes)

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def _emit_history(self) -> None:
        self.can_undo_changed.emit(bool(self._strokes) or self._background_image is not None)
        self.can_redo_changed.emit(bool(self._redo))

    def undo(self) -> None:
        """Take back the last stroke (an opened image is removed with Clear, not undone)."""
        if not self._strokes:
            return
        self._redo.append(self._strokes.pop())
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def redo(self) -> None:
        if not self._redo:
            return
        self._strokes.append(self._redo.pop())
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def clear(self) -> None:
        if not self._strokes and self._background_image is None:
            return
        self._strokes.clear()
        self._redo.clear()
        self._background_image = None
        self._invalidate_layers()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def set_image(self, image: QImage) -> None:
        """Show an opened image in place of the drawing (strokes may be drawn over it)."""
        self._strokes.clear()
        self._redo.clear()
        self._background_image = image
        self._invalidate_layers()
        self._emit_history()
        self.update()

    # ---- rendering ---------------------------------------------------------------------------------
    def _ink(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _paper(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Base)

    def _invalidate_layers(self) -> None:
        self._screen_layer = None
        self._screen_pending.clear()
        self._recognition_layer = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._invalidate_layers()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._screen_layer = None  # the theme changed the ink and paper colours
            self._screen_pending.clear()
        super().changeEvent(event)

    def _draw_background_image(self, painter: QPainter, grey: bool) -> None:
        if self._background_image is None:
            return
        image = self._background_image
        if grey:
            image = image.convertToFormat(QImage.Format.Format_Grayscale8)
        scaled = image.scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        painter.drawImage(QPointF((self.width() - scaled.width()) / 2, (self.height() - scaled.height()) / 2), scaled)

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
        self._draw_background_image(painter, grey=False)
        paint_strokes(painter, self._strokes, self._ink(), self._paper())
        painter.end()
        return layer

    def _recognition_scale(self) -> float:
        return min(1.0, RECOGNITION_MAX_SIDE / max(self.width(), self.height(), 1))

    def _build_recognition_layer(self) -> QImage:
        scale = self._recognition_scale()
        width, height = max(1, round(self.width() * scale)), max(1, round(self.height() * scale))
        layer = QImage(width, height, QImage.Format.Format_Grayscale8)
        layer.fill(QColor("white"))
        painter = QPainter(layer)
        painter.scale(scale, scale)
        self._draw_background_image(painter, grey=True)
        paint_strokes(painter, self._strokes, QColor("black"), QColor("white"))
        painter.end()
        return layer

    def _add_to_layers(self, stroke: Stroke) -> None:
        """Paint a finished stroke into the recognition cache now (recognition waits for it) and into
        the screen cache at the next repaint (after the request is on its way)."""
        if self._screen_layer is not None:
            self._screen_pending.append(stroke)
        if self._recognition_layer is not None:
            painter = QPainter(self._recognition_layer)
            scale = self._recognition_scale()
            painter.scale(scale, scale)
            paint_strokes(painter, [stroke], QColor("black"), QColor("white"))
            painter.end()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._screen_layer is None:
            self._screen_layer = self._build_screen_layer()
        elif self._screen_pending:
            layer_painter = QPainter(self._screen_layer)
            paint_strokes(layer_painter, self._screen_pending, self._ink(), self._paper())
            layer_painter.end()
        self._screen_pending.clear()
        painter = QPainter(self)
        painter.drawImage(QPointF(0, 0), self._screen_layer)
        if self._current is not None:
            paint_strokes(painter, [self._current], self._ink(), self._paper())
        elif self.is_blank():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRectF(self.rect()),
                Qt.AlignmentFlag.AlignCenter,
                "Draw a letter or a digit here\nor drop an image file",
            )
        painter.end()

    def render_for_recognition(self) -> np.ndarray:
        """The drawing as grey pixels, black ink on white (what ml.preprocess gets).

        Rendered with the longer side at most RECOGNITION_MAX_SIDE px: preprocessing normalizes size and
        stroke width anyway, and a smaller image keeps stroke-to-result latency low on large canvases.
        """
        if self._recognition_layer is None:
            self._recognition_layer = self._build_recognition_layer()
        return qimage_to_grey(self._recognition_layer)

    # ---- input ---------------------------------------------------------------------------------------
    def _begin(self, position: QPointF, pressure: float) -> None:
        self._current = Stroke(width=self.pen_width, eraser=self.eraser)
        self._current.add(position.x(), position.y(), pressure)
        self.update()

    def _extend(self, position: QPointF, pressure: float) -> None:
        if self._current is not None and self._current.add(position.x(), position.y(), pressure):
            self.update()

    def _end(self) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        self._strokes.append(stroke)
        self._add_to_layers(stroke)
        self._redo.clear()
        self._emit_history()
        self.update()
        self.drawing_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pen_down or event.button() != Qt.MouseButton.LeftButton:
            return
        self._begin(event.position(), 1.0)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._pen_down and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), 1.0)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._pen_down and event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # A pen's light touch should still leave a visible line, and full pressure a bold one.
        pressure = 0.35 + 0.9 * max(0.0, min(1.0, event.pressure()))
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._pen_down = True
            self._begin(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletMove and self._pen_down:
            self._extend(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletRelease and self._pen_down:
            self._pen_down = False
            self._end()
        event.accept()


def qimage_to_grey(image: QImage) -> np.ndarray:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()
