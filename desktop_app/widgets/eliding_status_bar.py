"""A status bar whose message, when it is wider than the room left of the permanent widgets, ends in "…"."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QStyle, QStyleOption, QWidget
from shiboken6 import isValid

# Qt's own QStatusBar leaves this much room before the message and after it (where nothing stands right of it).
_LEFT_MARGIN = 6
_RIGHT_MARGIN = 12
_GAP = 2  # between the message and the first permanent widget


class ElidingStatusBar(QStatusBar):
    """Qt's bar cuts a message that does not fit in the middle of a letter, under the device's label ("…adds
    the line to the text (Ctrl+Shift+Enter: device: CPU" at 150% text in a 1200-pixel window), so that the
    cut reads as the sentence. This one paints the message ending in "…" where it is cut; the whole of it is
    the bar's tooltip (set by the window) and what a screen reader hears."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []

    def addPermanentWidget(self, widget: QWidget, stretch: int | None = 0) -> None:
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch or 0)

    def insertPermanentWidget(self, index: int, widget: QWidget, stretch: int | None = 0) -> int:
        self._permanent.append(widget)
        return super().insertPermanentWidget(index, widget, stretch or 0)

    def removeWidget(self, widget: QWidget) -> None:
        self._permanent = [w for w in self._permanent if w is not widget]
        super().removeWidget(widget)

    def _permanent_in_view(self) -> list[QWidget]:
        """The permanent widgets still the bar's and shown: one deleted since, or given to another parent
        (Qt's own bar forgets them then), is passed over."""
        return [w for w in self._permanent if isValid(w) and w.parentWidget() is self and w.isVisible()]

    def message_rect(self) -> QRect:
        """Where the message is painted: from the left margin to the first permanent widget in view (the
        other way round right to left), as Qt's own bar lays it out."""
        right_to_left = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        left, right = _LEFT_MARGIN, self.width() - _RIGHT_MARGIN
        for grip in self.findChildren(QSizeGrip):
            if grip.isVisible():
                if right_to_left:
                    left = max(left, grip.x() + grip.width())
                else:
                    right = min(right, grip.x())
        for widget in self._permanent_in_view():
            if right_to_left:
                left = max(left, widget.x() + widget.width() + _GAP)
            else:
                right = min(right, widget.x() - _GAP)
        return QRect(left, 0, max(0, right - left), self.height())

    def message_as_shown(self) -> str:
        """The message as it is painted: whole where it fits, else cut at the right and ended with "…"."""
        return self.fontMetrics().elidedText(
            self.currentMessage(), Qt.TextElideMode.ElideRight, self.message_rect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            super().paintEvent(event)
            return
        # As QStatusBar paints a bar with a message (its panel, the frames of the permanent widgets), with the
        # message elided rather than cut.
        painter = QPainter(self)
        try:  # (ended whatever happens: a painter left active takes the process down)
            option = QStyleOption()
            option.initFrom(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
            for widget in self._permanent_in_view():
                frame = QStyleOption()
                frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                frame.state = QStyle.StateFlag.State_None
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, widget)
            painter.setPen(self.palette().windowText().color())
            painter.drawText(
                self.message_rect(),
                Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                self.message_as_shown(),
            )
        finally:
            painter.end()
