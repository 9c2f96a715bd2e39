"""GlyphPad's icon, drawn rather than shipped: a pad with a letter written on it in one pen stroke.

Drawn at each size a desktop asks for (title bar, task bar, switcher), so it stays sharp at 16 px and at
256 px without an image file to keep in step with the app.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
PAD_COLOUR = "#2f6fb5"
INK_COLOUR = "#ffffff"


def icon_pixmap(size: int) -> QPixmap:
    """The icon at ``size`` x ``size`` pixels: a rounded blue pad, a white "g" written in one stroke."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.06
    pad = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(PAD_COLOUR))
    painter.drawRoundedRect(pad, size * 0.18, size * 0.18)
    # A "g" as a hand writes it: the bowl counter-clockwise from its top right, then down and hooked back.
    unit = size / 100.0
    stroke = QPainterPath(QPointF(62 * unit, 36 * unit))
    stroke.cubicTo(QPointF(52 * unit, 24 * unit), QPointF(28 * unit, 28 * unit), QPointF(30 * unit, 46 * unit))
    stroke.cubicTo(QPointF(32 * unit, 62 * unit), QPointF(56 * unit, 64 * unit), QPointF(62 * unit, 44 * unit))
    stroke.lineTo(QPointF(62 * unit, 28 * unit))
    stroke.lineTo(QPointF(62 * unit, 66 * unit))
    stroke.cubicTo(QPointF(62 * unit, 84 * unit), QPointF(38 * unit, 86 * unit), QPointF(32 * unit, 74 * unit))
    pen = QPen(QColor(INK_COLOUR), max(1.5, 9 * unit))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(stroke)
    painter.end()
    return pixmap


def app_icon() -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(icon_pixmap(size))
    return icon
