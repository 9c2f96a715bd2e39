"""Several models on the same input: model, top-1, confidence, agreement with the majority, latency."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Model", "Top-1", "Confidence", "Agrees", "Latency")


class CompareView(QWidget):
    """Emits ``models_chosen`` with the ticked models whenever the choice changes."""

    models_chosen = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Models to compare:"))
        self.model_list = QListWidget()
        self.model_list.setMaximumHeight(130)
        self.model_list.itemChanged.connect(lambda _item: self.models_chosen.emit(self.chosen()))
        layout.addWidget(self.model_list)
        buttons = QHBoxLayout()
        for text, state in (("All", True), ("None", False)):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, state=state: self._tick_all(state))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.summary = QLabel("")
        layout.addWidget(self.summary)

    def set_models(self, names: list[str], unavailable: dict[str, str]) -> None:
        self.model_list.blockSignals(True)
        self.model_list.clear()
        for name in names:
            item = QListWidgetItem(name)
            if name in unavailable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(unavailable[name])
                item.setText(f"{name} (unavailable)")
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.model_list.addItem(item)
        self.model_list.blockSignals(False)
        self.models_chosen.emit(self.chosen())

    def _tick_all(self, state: bool) -> None:
        self.model_list.blockSignals(True)
        for i in range(self.model_list.count()):
            item = self.model_list.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
        self.model_list.blockSignals(False)
        self.models_chosen.emit(self.chosen())

    def chosen(self) -> list[str]:
        return [
            str(self.model_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.model_list.count())
            if self.model_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def show_rows(self, rows: list) -> None:  # list[ComparisonRow]
        answers = Counter(row.label for row in rows if not row.error)
        majority = answers.most_common(1)[0][0] if answers else ""
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            agrees = "" if row.error else ("yes" if row.label == majority else "no")
            values = (
                row.model,
                row.label if not row.error else "—",
                f"{100 * row.confidence:.1f}%" if not row.error else row.error,
                agrees,
                f"{row.latency_ms:.1f} ms" if not row.error else "",
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if agrees == "no":
                    item.setForeground(QColor("#d9822b"))
                self.table.setItem(r, c, item)
        ok = sum(1 for row in rows if not row.error)
        self.summary.setText(f"{answers[majority]} of {ok} models say “{majority}”" if majority else "")

    def show_blank(self, message: str) -> None:
        self.table.setRowCount(0)
        self.summary.setText(message)
