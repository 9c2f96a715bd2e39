"""A drop-down whose current entry, where the box is narrower than it, is cut short with an ellipsis: Qt's
own clips it mid-character ("Convolution 1: 32×" at 200% text, nothing saying more was there)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter

# The box needs room for this many characters and "…" at least, not for its longest entry (it asks for that
# with room to spare): the first show's entries set its least width once, but a style polished afresh (a
# theme chosen at 200% text) measured the longest again and widened Explain past its tab (a horizontal
# scroll bar, the right edge cut off).
LEAST_CHARACTERS = 3


class ElidingComboBox(QComboBox):
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = QSize(self.fontMetrics().horizontalAdvance("x" * LEAST_CHARACTERS + "…"), hint.height())
        least = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, field, self)  # (arrow, frame)
        return QSize(min(hint.width(), least.width()), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        # As QComboBox paints itself, with the text cut to the field it has.
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self) -> str:
        """The current entry as the box shows it at its present width ("…" where it is cut)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideRight, field.width())
