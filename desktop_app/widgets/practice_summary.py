"""How a practice went, in a box that stays until closed: the score, the characters to work on, and each
character's record (asked, read right, tries, what it was read as), to copy into a spreadsheet or save as a
CSV file. A teacher's trial: the box said "7 of 9 read right" and no more, and could not be kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.practice import SCORE_COLUMNS, CharacterScore, scores_csv
from desktop_app.widgets.fonts import character_font

SHOWN_ROWS = 8  # the table's height, in rows, before it scrolls


class PracticeSummary(QDialog):
    save_asked = Signal()  # Save…: the window asks where

    def __init__(self, parent: QWidget | None, text: str, scores: Sequence[CharacterScore], day: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice")
        self.scores = list(scores)
        self.day = day  # when the practice ended (ISO), a column of the record
        self.saved: Path | None = None  # the file the record was saved to, once it was
        layout = QVBoxLayout(self)
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # (into a report)
        layout.addWidget(self.message)
        self.table = QTableWidget(len(self.scores), len(SCORE_COLUMNS))
        self.table.setHorizontalHeaderLabels([column.capitalize() for column in SCORE_COLUMNS])
        self.table.setAccessibleName("Each character asked")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab leaves the table, arrows move in it (Tab went from cell to cell round the table: the only ways on
        # were Alt keys or Esc, an accessibility trial's keyboard trap).
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # The character in the answers' font, where l, I and 1 differ.
        characters = character_font(self.font(), 1.2, bold=True)
        for row, score in enumerate(self.scores):
            for column, cell in enumerate(score.row()):
                item = QTableWidgetItem(cell)
                if column == 0:
                    item.setFont(characters)
                elif column < len(SCORE_COLUMNS) - 1:  # (counts: right-aligned, to compare down a column)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # As tall as its rows, up to SHOWN_ROWS, and as wide as its columns: the box fits the table (at the
        # box's own size the last column was cut, behind a scroll bar).
        frame = 2 * self.table.frameWidth()
        rows_px = sum(self.table.rowHeight(row) for row in range(min(len(self.scores), SHOWN_ROWS)))
        self.table.setFixedHeight(header.sizeHint().height() + rows_px + frame)
        scroll_bar = self.table.verticalScrollBar().sizeHint().width() if len(self.scores) > SHOWN_ROWS else 0
        self.table.setMinimumWidth(header.length() + frame + scroll_bar)
        self.table.setVisible(bool(self.scores))
        layout.addWidget(self.table)
        # Whose practice it was, a column of the record copied or saved (and in the saved file's name).
        self.written_by = QLineEdit()
        self.written_by.setPlaceholderText("a name, for the record (optional)")
        self.written_by.setMaxLength(80)
        self.written_by.setVisible(bool(self.scores))
        name_row = QFormLayout()
        name_row.addRow("&Written by:", self.written_by)
        name_row.labelForField(self.written_by).setVisible(bool(self.scores))
        layout.addLayout(name_row)
        self.said = QLabel()  # what Copy or Save did, said in the box (the window's status bar is behind it)
        layout.addWidget(self.said)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy Table")
        self.copy_button.setToolTip("Copy each character's row, to paste into a spreadsheet or a report")
        self.save_button = QPushButton("&Save…")
        self.save_button.setToolTip("Save each character's row as a CSV file, which a spreadsheet opens")
        for button in (self.copy_button, self.save_button):
            button.setEnabled(bool(self.scores))
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_table)
        self.save_button.clicked.connect(self.save_asked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The score and the characters to work on, as the box says them."""
        return self.message.text()

    def record(self, delimiter: str = ",") -> str:
        """Each character's row as CSV text, with the models that read it, the day and the name typed."""
        return scores_csv(self.scores, delimiter, self.day, self.written_by.text().strip())

    def show_saved(self, path: Path | None) -> None:
        """The record saved to ``path`` (None: it was not), said in the box."""
        if path is not None:
            self.saved = path
            self.said.setText(f"Saved to {path}")

    def copy_table(self) -> None:
        """Each character's row on the clipboard, its cells apart by tabs (a spreadsheet pastes a table)."""
        QGuiApplication.clipboard().setText(self.record(delimiter="\t"))
        self.said.setText(f"Copied {len(self.scores)} row{'s' if len(self.scores) != 1 else ''}.")
