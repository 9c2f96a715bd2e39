"""The toolbar's Model box: as wide as its longest entry where the toolbar has room, narrower, its text cut
short with an ellipsis, where it has not.

Qt's toolbar moves a widget that does not fit at its size hint into the overflow menu: in a window under
about 1000 px (or at a larger text size) the whole box went there, and with it the one place the window
said which model was answering. The box asks for a compact width and grows, as an expanding widget, into
the room the toolbar has left, up to its longest entry."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QComboBox, QSizePolicy, QStyle, QStyleOptionComboBox, QWidget

from desktop_app.widgets.eliding_combo_box import ElidingComboBox

# What the box shows at its least: the default model's name whole ("emnist36_cnn…" and the rest cut).
COMPACT_TEXT = "emnist36_cnn…"


class ModelPicker(ElidingComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # The toolbar grows the box no wider than its longest entry, whichever entries and font it has.
        model = self.model()
        model.rowsInserted.connect(self._fit_to_entries)
        model.rowsRemoved.connect(self._fit_to_entries)
        model.dataChanged.connect(self._fit_to_entries)
        model.modelReset.connect(self._fit_to_entries)
        self._fit_to_entries()

    def full_width(self) -> int:
        """The width that shows the longest entry whole."""
        return super().sizeHint().width()

    def _compact_width(self) -> int:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        text = QSize(self.fontMetrics().horizontalAdvance(COMPACT_TEXT), self.fontMetrics().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self).width()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), self._compact_width()), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _fit_to_entries(self) -> None:
        self.setMaximumWidth(max(self.full_width(), self.sizeHint().width()))
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # a zoom, a theme
            self._fit_to_entries()
