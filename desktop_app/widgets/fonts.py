"""The font answers are shown in: one where look-alike characters look different."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase


def character_font(like: QFont, scale: float = 1.0, bold: bool = False) -> QFont:
    """The system's fixed-width font at ``like``'s size times ``scale``: in it l, I and 1, and O and 0,
    differ (in the interface's sans-serif font the answer "L / l" read as "L / I")."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if like.pointSizeF() > 0:
        font.setPointSizeF(like.pointSizeF() * scale)
    else:  # a font sized in pixels has no point size
        font.setPixelSize(max(1, round(like.pixelSize() * scale)))
    font.setBold(bold)
    return font
