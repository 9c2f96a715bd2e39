"""Batch recognition: a table that fills as results arrive, with progress, cancel and export."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("File", "Top-1", "Confidence", "Top-k / error")


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over: never a half-written export."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        # mkstemp makes the file private (0600); an export gets the mode any new file of the user gets.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class BatchView(QWidget):
    choose_files = Signal()
    choose_folder = Signal()
    cancel_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.files_button = QPushButton("Files…")
        self.folder_button = QPushButton("Folder…")
        self.cancel_button = QPushButton("Cancel")
        self.export_button = QPushButton("Export…")
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.export_button.clicked.connect(self.export_requested)
        for button in (self.files_button, self.folder_button, self.cancel_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        layout.addWidget(self.progress)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 120)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        self.status = QLabel("Choose files or a folder to recognize them all.")
        layout.addWidget(self.status)
        self.rows: list[dict[str, object]] = []
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.files_button.setEnabled(not running)
        self.folder_button.setEnabled(not running)
        self.export_button.setEnabled(not running and bool(self.rows))

    def start(self, paths: list[Path], model: str) -> None:
        from ml.runtime.image_files import display_path

        self.rows = [{"path": display_path(p), "model": model, "top": [], "error": "", "notes": []} for p in paths]
        self.table.setRowCount(len(paths))
        for r, path in enumerate(paths):
            name = QTableWidgetItem(path.name)
            name.setToolTip(str(path))
            self.table.setItem(r, 0, name)
            for c in range(1, len(COLUMNS)):
                self.table.setItem(r, c, QTableWidgetItem(""))
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.status.setText(f"Recognizing {len(paths)} files with {model}…")
        self.set_running(True)

    def add_row(self, index: int, top: tuple[tuple[str, float], ...], error: str, notes: tuple[str, ...] = ()) -> None:
        if not 0 <= index < len(self.rows):
            return
        self.rows[index]["top"] = [{"label": label, "prob": round(prob, 5)} for label, prob in top]
        self.rows[index]["error"] = error
        self.rows[index]["notes"] = list(notes)
        cells = [QTableWidgetItem("") for _ in COLUMNS[1:]]
        if top:
            cells[0].setText(top[0][0])
            cells[1].setText(f"{100 * top[0][1]:.1f}%")
            cells[2].setText("  ".join(f"{label} {100 * prob:.0f}%" for label, prob in top))
            if notes:
                cells[2].setToolTip("; ".join(notes))
        if error:
            cells[2].setText(error)
            cells[2].setToolTip(error)
            cells[2].setForeground(QColor("#d9534f"))
        for column, cell in enumerate(cells, start=1):
            self.table.setItem(index, column, cell)
        self.progress.setValue(self.progress.value() + 1)

    def finish(self, cancelled: bool) -> None:
        errors = sum(1 for row in self.rows if row["error"])
        verb = "Cancelled after" if cancelled else "Recognized"
        self.status.setText(f"{verb} {self.progress.value()} of {len(self.rows)} files ({errors} with errors).")
        self.set_running(False)

    def finished_rows(self) -> list[dict[str, object]]:
        return [row for row in self.rows if row["top"] or row["error"]]

    def export(self, path: Path) -> int:
        """CSV or JSON by the file's suffix, written atomically; returns the number of rows."""
        rows = self.finished_rows()
        if path.suffix.lower() == ".json":
            write_atomically(path, json.dumps(rows, indent=1) + "\n")
            return len(rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        depth = max((len(row["top"]) for row in rows), default=1)  # type: ignore[arg-type]
        header = ["path", "model", "error", "notes"]
        for k in range(1, depth + 1):
            header += [f"label_{k}", f"prob_{k}"]
        writer.writerow(header)
        for row in rows:
            values: list[object] = [row["path"], row["model"], row["error"], "; ".join(row["notes"])]  # type: ignore[arg-type]
            for entry in row["top"]:  # type: ignore[attr-defined]
                values += [entry["label"], entry["prob"]]
            writer.writerow(values)
        write_atomically(path, buffer.getvalue())
        return len(rows)
