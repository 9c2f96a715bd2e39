"""Batch recognition: a table that fills as results arrive, with progress, cancel and export."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    QTemporaryDir,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.files_and_clipboard import COPIED_TEXT_ROLE
from desktop_app.themes import disagree_colour, error_colour
from desktop_app.widgets.fonts import (
    UNSURE_BELOW,
    class_name,
    middle_cut,
    short_class_name,
    whole_percent_text,
    wrapped_height,
)
from desktop_app.widgets.images import file_picture, grey_pixmap
from desktop_app.widgets.prediction_panel import announce
from ml.runtime.atomic_files import write_atomically
from ml.runtime.handwriting_examples import answer_is, describe_example_label, folder_character, model_has_class
from ml.runtime.percentages import confidence_text

COLUMNS = ("File", "Top-1", "Conf.", "Top-k")  # a file that could not be read: why, across the last three
LINE_COLUMNS = ("File", "Text", "Least sure", "Unsure")  # each file read as a line of writing
ERROR_COLUMN = 1
CONFIDENCE_COLUMN = 2  # its confidence (a line's least sure character's)
UNSURE_COLUMN = 3  # a line's characters read with less than UNSURE_BELOW (a character's: its top answers)
ANSWER_COLUMN = 1  # a read file's answer (a character, or a line's text): the person may correct it (F2)
PREVIEW_SIDE = 240  # px: a file's picture, on hover over its name, to check its reading against it
DETAIL_LINES = 2  # the chosen file's details under the table: this many lines, kept while it has rows
SORT_ARROW_ROOM = 30  # px a header needs beside its name for the sort arrow and the margins
NARROWEST_NAME = 56  # px: a file's name and a line's text give way to the last column down to this
CELL_MARGINS = 18  # px a cell takes besides its text (and its icon): the view's margins and focus frame
WIDEST_ANSWERS = ("W / w", "M / m")  # the widest answers the Top-1 column shows (which is wider depends on the font)
TABLE_CHROME = 40  # px of the tab's width the table's columns do not get: margins, frame, scroll bar


# A byte-order mark first, as spreadsheet programs write "CSV UTF-8" themselves: without it Excel reads
# the file in the system's code page, and "Zoë's 3.png" comes out garbled.
CSV_MARK = "\ufeff"


def shortest_names(paths: list[Path]) -> list[str]:
    """Each file as the table names it: its path below the folder all of them are in ("sub/seven.png"),
    so files of one name in two subfolders of a batch look different; the name alone when they share
    one folder (or have none in common)."""
    try:
        common = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else None
    except ValueError:  # relative and absolute paths, or two drives
        common = None
    if common is None:
        return [p.name for p in paths]
    return [str(p.relative_to(common)) for p in paths]


class AnswerRecord(TypedDict):
    """One of a file's answers, as the table keeps it and JSON exports it."""

    label: str
    prob: float


class BatchRecord(TypedDict):
    """A file's row, as the table keeps it and the JSON export writes it (the CSV writes its fields)."""

    path: str
    model: str
    top: list[AnswerRecord]  # a character's answers; empty for a line, or before it is read
    error: str
    notes: list[str]
    text: NotRequired[str]  # a file read as a line: its text, and its characters as `glyphpad-ml read` gives them
    chars: NotRequired[list[dict[str, Any]]]
    corrected: NotRequired[str]  # the answer as the person typed it in the table
    blank: NotRequired[bool]  # (the JSON export's: nothing written in the file)


def folder_characters(paths: list[Path]) -> list[str | None]:
    """Each file's character as its folder names it, when two or more files are laid out as a folder of
    examples is (and as training reads one): under one folder, each in a folder named as a letter or a
    digit ("A", "a_lower", "7"), or in a folder inside one (read as its character); else [] (other
    pictures, or a layout of some other kind)."""
    if len(paths) < 2:
        return []
    try:
        root = Path(os.path.commonpath([str(path.parent.parent) for path in paths]))
        tops = [path.relative_to(root).parts[0] for path in paths]
    except ValueError:  # relative and absolute paths, or two drives
        return []
    chars = [folder_character(top) for top in tops]
    return chars if all(char is not None for char in chars) else []


def keep_line(row: BatchRecord, line: Any) -> None:
    """A line's reading (``ml.runtime.line_reader.ReadLine``) in its row, as the row exports it: the text,
    and its characters as ``glyphpad-ml read --json`` gives them."""
    from ml.runtime.line_reader import character_records

    row["text"] = line.text
    row["chars"] = character_records(line)


def least_sure(row: BatchRecord) -> float:
    """The probability of a line's least sure character (1 when every character is read by its place)."""
    from ml.runtime.line_reader import least_sure as least_sure_of

    return least_sure_of(row["chars"])


def _unsure(row: BatchRecord) -> list[dict[str, Any]]:
    """A line's characters read with less than ``UNSURE_BELOW``."""
    chars: list[dict[str, Any]] = row["chars"]
    return [c for c in chars if c["top"] and not c.get("punctuation") and float(c["top"][0]["prob"]) < UNSURE_BELOW]


def unsure_characters(row: BatchRecord) -> str:
    """A line's unsure characters, each with its runner-up: "O 61% or 0 35%"."""
    return "  ·  ".join(
        " or ".join(f"{t['label']} {whole_percent_text(float(t['prob']))}" for t in c["top"][:2]) for c in _unsure(row)
    )


def model_answer(row: BatchRecord, lines: bool) -> str | None:
    """What the model read in a row's file: its first answer's class, or a line's text; None before it is
    read, or when it could not be."""
    if row["error"]:
        return None
    if lines:
        return str(row["text"]) if "text" in row else None
    top = row["top"]
    return str(top[0]["label"]) if top else None


LINE_MARK = "⏎"  # a new line of a picture of several lines, in the table's one row of text


def one_row(text: str) -> str:
    """A text of several lines (a photo of a note) in a table cell's one row: its new lines marked."""
    return text.replace("\n", f" {LINE_MARK} ")


def corrected(row: BatchRecord) -> str | None:
    """The answer as the person corrected it in the table, or None."""
    text = row.get("corrected")
    return None if text is None else str(text)


def final_answer(row: BatchRecord, lines: bool) -> str:
    """The answer to use: the person's where they corrected it, else the model's (:func:`model_answer`); ""
    for a file not read."""
    typed = corrected(row)
    return typed if typed is not None else model_answer(row, lines) or ""


CSV_FIELDS = ("path", "model", "error", "notes")  # every CSV row's first fields
# Every CSV row's last two: the person's answer where they typed one (label_1 or text stays the model's), and
# the answer to use: theirs, else the model's (a teacher's trial merged the two columns by hand). Last, so
# that a script reading the columns by their place reads what it read before.
CORRECTED_FIELD = "corrected"
ANSWER_FIELD = "answer"


def csv_fields(row: BatchRecord) -> list[object]:
    notes: list[str] = row["notes"]
    return [row["path"], row["model"], row["error"], "; ".join(notes)]


def sort_key(row: BatchRecord, name: str, column: int, lines: bool) -> str | float | None:
    """What a column sorts a row by; None for a file not read (yet), which sorts last either way.

    Ascending, the number columns put first what wants a look: a file that could not be read, then the
    least sure answer (Conf., Least sure), the closest call between the first two answers (Top-k), the
    line with the most unsure characters (Unsure); a file whose answer the person typed, last."""
    if column == 0:
        return name.casefold()
    error = bool(row["error"])
    top = row["top"]
    read = "text" in row if lines else bool(top)
    if not error and not read:
        return None
    if column == 1:
        return corrected(row) or ("" if error else model_answer(row, lines) or "")  # a typed answer as shown
    if corrected(row) is not None:  # the person's answer: no look wanted, after every other read file
        return math.inf
    if error:
        return -math.inf
    if column == 2:
        return least_sure(row) if lines else float(top[0]["prob"])
    if lines:
        return -float(len(_unsure(row)))
    return float(top[0]["prob"]) - (float(top[1]["prob"]) if len(top) > 1 else 0.0)


_AGAIN = " (click again to reverse, a third time for the files' order)"
SORT_TIPS = (
    "Sort by file name" + _AGAIN,
    "Sort by the answer" + _AGAIN,
    "Sort by confidence, least sure first (files that could not be read before them)" + _AGAIN,
    "Sort by the gap between the first two answers, closest calls first" + _AGAIN,
)
LINE_SORT_TIPS = (
    SORT_TIPS[0],
    "Sort by the text read" + _AGAIN,
    "Sort by the least sure character's confidence, least sure first" + _AGAIN,
    "Sort by the number of unsure characters, most first" + _AGAIN,
)


def give_way(widths: list[int], room: int, order: tuple[int, ...]) -> list[int]:
    """``widths`` narrowed column by column in ``order``, each down to NARROWEST_NAME at most, until they
    fit ``room`` (or cannot give more)."""
    narrowed = list(widths)
    over = sum(narrowed) - room
    for column in order:
        given = max(0, min(over, narrowed[column] - NARROWEST_NAME))
        narrowed[column] -= given
        over -= given
    return narrowed


class BatchTableModel(QAbstractTableModel):
    """The batch's rows for a QTableView: a result costs a list update, and Qt asks for the text of the
    rows on screen only (a table widget built four items per result, and its GUI work halved the
    worker's speed on a 3,000-file batch).

    ``rows`` and ``names`` stay in the order the files were given; the table's row r shows
    ``rows[file_at_row[r]]``, so a sort (a header click) moves no result and a result arriving goes to its
    file's row.

    A read file's answer can be corrected (a teacher marking a class's sheets): the row keeps the model's
    answer and, under "corrected", the person's; the table shows the person's, in italics."""

    corrections_changed = Signal()
    correction_refused = Signal(str)  # why a typed answer was not taken

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[BatchRecord] = []
        self.names: list[str] = []
        self.file_at_row: list[int] = []
        self._row_of_file: list[int] = []  # the inverse: the table row showing each file
        self.lines = False  # the files were read as lines of writing
        self.merged_case: frozenset[str] = frozenset()  # letters the batch's model reads in either case
        self.classes: tuple[str, ...] = ()  # the batch model's classes
        # Each file's character as its folder names it, when every file of a batch of characters is in a
        # folder named so (a folder of one's handwriting, kept by File -> Keep as Example): the answers are
        # checked against it. Empty otherwise.
        self.folder_chars: list[str | None] = []
        self.sortable = False  # not while results arrive: rows would move under the person's eye
        self.changed_since_export: set[int] = set()  # files whose answer was corrected since the last export
        # What the model saw of each character read from a picture, beside its answer: a crop that missed
        # the character, or a speck read instead of it, shows at a glance down a long table.
        self.seen: dict[int, QPixmap] = {}
        # Each file's picture as shown on hover over its name (made at the first hover), in a folder of its
        # own that goes with the app: a teacher checking a misread file had to open it on the pad to see it.
        self._previews: QTemporaryDir | None = None  # (made at the first hover: none for a window never asked)
        self._preview_of: dict[int, str] = {}
        self._files: list[Path] = []  # each row's file (its path as shown may not be its name on disk)

    def reset(
        self, rows: list[BatchRecord], names: list[str], lines: bool = False, paths: list[Path] | None = None
    ) -> None:
        """New rows; ``paths``, their files, for the characters their folders name."""
        self.beginResetModel()
        self.rows, self.names, self.lines = rows, names, lines
        self.changed_since_export = set()
        self.seen = {}
        self._preview_of = {}
        self._files = list(paths or [])
        self.file_at_row = list(range(len(rows)))
        self._row_of_file = list(self.file_at_row)
        self.folder_chars = [] if lines else folder_characters(paths or [])
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def file_index(self, table_row: int) -> int:
        """The file (its place in ``rows``) that a row of the table shows."""
        return self.file_at_row[table_row]

    def table_row(self, file_index: int) -> int:
        return self._row_of_file[file_index]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By a column, ascending or descending (unread files last); column -1 is the files' own order."""
        self.layoutAboutToBeChanged.emit()
        before = list(self.file_at_row)
        if column < 0 or column >= len(COLUMNS):
            self.file_at_row = list(range(len(self.rows)))
        else:
            keys = [sort_key(row, name, column, self.lines) for row, name in zip(self.rows, self.names, strict=True)]
            known = sorted(
                (i for i in range(len(self.rows)) if keys[i] is not None),
                key=lambda i: keys[i],  # type: ignore[arg-type, return-value]
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
            self.file_at_row = known + [i for i in range(len(self.rows)) if keys[i] is None]
        self._row_of_file = [0] * len(self.file_at_row)
        for table_row, file_index in enumerate(self.file_at_row):
            self._row_of_file[file_index] = table_row
        # The selection and the current row follow their file.
        moved = self.persistentIndexList()
        self.changePersistentIndexList(
            moved, [self.index(self._row_of_file[before[index.row()]], index.column()) for index in moved]
        )
        self.layoutChanged.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (LINE_COLUMNS if self.lines else COLUMNS)[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if not self.sortable:
                return "The table sorts by a column once the batch is done" if self.rows else None
            return (LINE_SORT_TIPS if self.lines else SORT_TIPS)[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        file_index = self.file_at_row[index.row()]
        row = self.rows[file_index]
        top = row["top"]
        error = str(row["error"])
        column = index.column()
        if role == COPIED_TEXT_ROLE:  # a line's text copied with its lines (shown in one row, marked)
            return (corrected(row) or model_answer(row, True)) if self.lines and column == ANSWER_COLUMN else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self.names[file_index]
            if column == ANSWER_COLUMN and corrected(row) is not None:
                return one_row(corrected(row) or "")
            if error:
                return error if column == ERROR_COLUMN else ""
            if self.lines:
                return self._line_data(row, column)
            if not top:
                return ""
            if column == 1:  # as the answer panel names it ("A / a"); the export keeps the class ("A")
                return class_name(str(top[0]["label"]), self.merged_case, name_lookalikes=False)
            if column == 2:
                return confidence_text(float(top[0]["prob"]))
            named = [(short_class_name(str(t["label"]), self.merged_case), t["prob"]) for t in top]
            return "  ".join(f"{name} {whole_percent_text(float(prob))}" for name, prob in named)
        if column == ANSWER_COLUMN and role == Qt.ItemDataRole.EditRole:  # the editor starts from what is shown
            return one_row(corrected(row) or model_answer(row, self.lines) or "")
        misread = self.folder_says_otherwise(file_index) if column == ANSWER_COLUMN else None
        if misread is not None and corrected(row) is None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return error_colour(QApplication.palette())
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Its folder says {describe_example_label(misread)}" + (
                    "\n" + "; ".join(row["notes"]) if row["notes"] else ""
                )
            if role == Qt.ItemDataRole.AccessibleTextRole:  # what was read, then what it should have been
                shown = class_name(str(model_answer(row, False)), self.merged_case, name_lookalikes=False)
                return f"Read {shown}; its folder says {describe_example_label(misread)}"
        if column == ANSWER_COLUMN and corrected(row) is not None:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.correction_note(row)
        if role == Qt.ItemDataRole.DecorationRole and column == ANSWER_COLUMN and not error:
            return self.seen.get(file_index)
        if column > ANSWER_COLUMN and corrected(row) is not None and not error and role in UNSURE_ROLES:
            # The figures are the model's, for what it read, and the answer is the person's now: greyed (a
            # teacher's trial found a corrected row's Least sure and Unsure still calling for a look).
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "You typed this answer: the figures are the model's, for what it read (sorted after the "
                    "others when the least sure come first)"
                )
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if column == CONFIDENCE_COLUMN and not error and role in UNSURE_ROLES:
            # An answer under UNSURE_BELOW stands out, as text mode underlines one (15.6% looked as 98% does
            # down a class's table, but for its number); sorting by it brings them first.
            sure = (
                (least_sure(row) if "chars" in row else None)
                if self.lines
                else (float(top[0]["prob"]) if top else None)
            )
            if sure is not None and sure < UNSURE_BELOW:
                if role == Qt.ItemDataRole.ToolTipRole:
                    return f"Unsure: under {UNSURE_BELOW:.0%}, worth a look"
                return disagree_colour(QApplication.palette())
        notes: list[str] = row["notes"]
        # (column 0 alone: the decoration is asked of every cell at every paint)
        look = column == 0 and role in LOOK_ROLES and not error and needs_a_look(notes)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                said = str(row["path"]) + ("\n" + "; ".join(notes) if look else "")
                picture = self.preview(file_index)
                if not picture:
                    return said
                return f"<p><img src='{html.escape(picture)}'></p><p style='white-space:pre'>{html.escape(said)}</p>"
            if self.lines and not error and "text" in row and column in (ANSWER_COLUMN, UNSURE_COLUMN):
                # A line's whole text and its unsure characters, which a narrow column cuts short.
                whole = one_row(str(row["text"])) if column == ANSWER_COLUMN else unsure_characters(row)
                return "\n".join(filter(None, (whole, "; ".join(notes)))) or None
            return error or "; ".join(notes) or None
        if role == Qt.ItemDataRole.DecorationRole and look:
            # Several characters in one picture, or a picture of a few pixels: one answer, to be checked (the
            # note was on hover alone, and such a row sorted among the sure ones).
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.AccessibleTextRole and look:
            return f"{self.names[file_index]}, to check: {'; '.join(notes)}"
        if role == Qt.ItemDataRole.ForegroundRole and error and column == ERROR_COLUMN and corrected(row) is None:
            return error_colour(QApplication.palette())
        return None

    def preview(self, file_index: int) -> str:
        """The file of ``file_index``'s picture (a stroke file's drawing) at most PREVIEW_SIDE px, as a PNG in
        the previews' folder, made the first time it is asked for; "" for a file that cannot be shown."""
        if file_index in self._preview_of:
            return self._preview_of[file_index]
        made = ""
        if self._previews is None:
            self._previews = QTemporaryDir()
        if self._previews.isValid() and file_index < len(self._files):
            try:
                pixels = file_picture(self._files[file_index], PREVIEW_SIDE)
                made = str(Path(self._previews.path()) / f"{file_index}.png")
                grey_pixmap(pixels).save(made)
            except (OSError, ValueError):  # (unreadable, or not a picture: its row says why)
                made = ""
        self._preview_of[file_index] = made
        return made

    def folder_says_otherwise(self, file_index: int) -> str | None:
        """The character a read file's folder names when the model read another (None when it read that,
        when the model has no such class, or when the folders name no characters)."""
        if not self.folder_chars:
            return None
        char, answer = self.folder_chars[file_index], model_answer(self.rows[file_index], False)
        if char is None or answer is None or not model_has_class(char, self.classes, self.merged_case):
            return None
        return None if answer_is(answer, char, self.merged_case) else char

    def folder_score(self) -> str:
        """How many read files the model read as their folders name them, to say when the batch ends ("" when
        the folders name no characters)."""
        if not self.folder_chars:
            return ""
        read = [i for i, row in enumerate(self.rows) if model_answer(row, False) is not None]
        judged = [i for i in read if model_has_class(self.folder_chars[i] or "", self.classes, self.merged_case)]
        if not judged:
            return ""
        right = sum(1 for i in judged if self.folder_says_otherwise(i) is None)
        said = f" Read as their folders name them: {right} of {len(judged)} ({right / len(judged):.1%})"
        if len(judged) < len(read):
            left = len(read) - len(judged)
            said += f"; {left} file{'s' if left != 1 else ''} of characters the model has no class for left out"
        return said + "."

    def correction_note(self, row: BatchRecord) -> str:
        """What a corrected answer's cell says on hover: whose answer it is and what the model read."""
        if row["error"]:
            return f"Typed by you: “{corrected(row)}”; not read: {row['error']}"
        read = model_answer(row, self.lines) or ""
        if not self.lines:
            top = row["top"]
            read = f"{short_class_name(read, self.merged_case)} ({confidence_text(float(top[0]['prob']))})"
        else:
            read = f"“{read}”"
        return f"Corrected by you to “{corrected(row)}”; {row['model']} read {read}"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        # A file not read (blank, too dark, broken) takes a typed answer too: a teacher's pupil left a blank
        # or photographed badly still has an answer to export.
        row = self.rows[self.file_at_row[index.row()]]
        if index.column() == ANSWER_COLUMN and (model_answer(row, self.lines) or row["error"]):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """The person's answer for a file (typed in the table), read or not; empty, or the model's own answer,
        gives the model's answer (or why it has none) back."""
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        file_index = self.file_at_row[index.row()]
        row = self.rows[file_index]
        if self.lines:  # a line's spaces as one, its lines' marks as new lines (an empty one dropped)
            text = "\n".join(line for line in (" ".join(part.split()) for part in str(value).split(LINE_MARK)) if line)
        else:  # a character's typed space dropped
            text = " ".join(str(value).split())
        before = corrected(row)
        read = model_answer(row, self.lines) or ""
        # As the table names it ("K / k").
        as_shown = read if self.lines or not read else class_name(read, self.merged_case, name_lookalikes=False)
        if not self.lines and text not in (read, as_shown) and len(text.replace(" ", "")) > 1:
            self.correction_refused.emit(  # a slip: "zz" was kept as one character's answer
                f"“{text}” is more than one character: a file read as one character takes one "
                "(for more, choose “a line of text” and Again)"
            )
            return False
        if not text or text in (read, as_shown):
            row.pop("corrected", None)
        else:
            row["corrected"] = text
        if corrected(row) != before:
            self.changed_since_export.add(file_index)
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
            self.corrections_changed.emit()
        return True

    def file_of(self, path: Path) -> int | None:
        """The place in ``rows`` of the file at ``path``, or None."""
        return next((i for i, row in enumerate(self.rows) if row["path"] == str(path)), None)

    def correction_count(self) -> int:
        return sum(1 for row in self.rows if corrected(row) is not None)

    @staticmethod
    def _line_data(row: BatchRecord, column: int) -> str:
        if "text" not in row:
            return ""
        if column == 1:
            return one_row(str(row["text"]))
        if column == 2:
            return confidence_text(least_sure(row))
        return unsure_characters(row)

    def changed(self, first: int, last: int) -> None:
        """Table rows ``first`` to ``last`` have new results."""
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))


BLANK_PREFIX = "blank: "  # a row's error when its file holds nothing to read (as the command line's BLANK_TAG)
LOOK_ROLES = (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.AccessibleTextRole)
UNSURE_ROLES = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole)


def in_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """``text`` as much of it as ``lines`` lines ``width`` px wide hold, word-wrapped, ended by "…" when cut."""
    tall = lines * metrics.lineSpacing()

    def fits(shown: str) -> bool:
        return wrapped_height(metrics, shown, width) <= tall

    if width <= 0 or fits(text):
        return text
    low, high = 0, len(text)  # the longest start of the text that fits with "…" after it
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(text[:middle].rstrip() + "…") else (low, middle - 1)
    return text[:low].rstrip() + "…"


def other_json_files(count: int) -> str:
    """The folders' .json files that hold no strokes, as a batch says it passed them over."""
    return f"{count} .json file{'s' if count != 1 else ''} holding no strokes"


def needs_a_look(notes: list[str]) -> bool:
    """Whether a row's notes say its one answer may not be the picture's (several characters side by side,
    rows of writing, a character of a few pixels, a dash, noise), rather than how it was read (averaged down, a GIF's
    first frame)."""
    from desktop_app.inference_service import ROWS_NOTE, SEVERAL_CHARACTERS_NOTE
    from ml.runtime.preprocess import FLAT_MARK_NOTE, NOISE_NOTE, TINY_CHARACTER_NOTE

    to_check = (SEVERAL_CHARACTERS_NOTE, ROWS_NOTE, TINY_CHARACTER_NOTE, FLAT_MARK_NOTE, NOISE_NOTE)
    return any(said in note for note in notes for said in to_check)


SHORT_FOLDER = 8  # characters of a folder's name kept whole before a file's name cut short: "a_lower"


def elided_path(text: str, fits: Callable[[str], bool], elide: Callable[[str, int], str], width: int) -> str:
    """A file's name as it fits ``width``: its folders lose their middle first, the name whole after them
    ("froz…h/corrupt.png": a cut in the middle of "frozen_batch/corrupt.png" kept only "froze…t.png"),
    then the name its extension (a folder's files share theirs: a small window's column showed "01…ng",
    "02…ng"), then its middle (phone photos' names differ at their ends)."""
    cut = max(text.rfind("/"), text.rfind(os.sep))  # Windows names its folders with backslashes
    if fits(text) or cut < 0:
        return text if fits(text) else elide(without_extension(text), width)
    folders, tail = text[:cut], text[cut:]
    if not fits("…" + tail):  # the name cut, "…/" before it: it is in a folder, as the names around it say
        # ... but a short folder stays (a kept example's "7" or "a_lower" says which character it is: a
        # column of "…/2026-1…17-39-08" hid what Check Them was checking).
        above = max(folders.rfind("/"), folders.rfind(os.sep))
        last = folders[above + 1 :]
        name = without_extension(tail)
        if len(last) <= SHORT_FOLDER:
            lead = last if above < 0 else "…" + folders[above] + last
            low, high = 0, width  # the most of the name that fits beside the folder kept whole
            while low < high:
                room = (low + high + 1) // 2
                if fits(lead + elide(name, room)):
                    low = room
                else:
                    high = room - 1
            shown = elide(name, low)
            if shown.strip("…/\\"):  # some of the name beside it; else the name alone, "…/" before it
                return lead + shown
        return elide("…" + name, width)
    low, high = 0, len(folders)  # the most of the folders' ends that fit before the name
    while low < high:
        keep = (low + high + 1) // 2
        if fits(middle_cut(folders, keep) + tail):
            low = keep
        else:
            high = keep - 1
    return middle_cut(folders, low) + tail


def without_extension(name: str) -> str:
    """A file's name without its extension (".png", ".jpeg"), or as it is when it has none."""
    stem, dot, extension = name.rpartition(".")
    return stem if dot and stem.strip("/\\") and 0 < len(extension) <= 5 else name


class MiddleElidedDelegate(QStyledItemDelegate):
    """A file's name too long for its cell: its folders lose their middle, then the name its middle
    (never its end: names differ at their ends). Shortened as it is painted, in the cell's text area: a
    column sized to its contents still measures the whole name."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        widget = shown.widget
        style = widget.style() if widget is not None else QApplication.style()
        width = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, shown, widget).width() - 2
        metrics = shown.fontMetrics
        shown.text = elided_path(
            shown.text,
            lambda text: metrics.horizontalAdvance(text) <= width,
            lambda text, room: metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, room),
            max(width, 0),
        )
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, widget)


class BatchView(QWidget):
    choose_files = Signal()
    choose_folder = Signal()
    cancel_requested = Signal()
    export_requested = Signal()
    read_again_requested = Signal()  # the files and folders the batch was asked for, read with the model now
    read_as_lines_requested = Signal()  # ... each read as a line of text
    open_requested = Signal(object)  # a file of the batch (Path), double-clicked: open it on the pad
    running_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._longest_name, self._longest_name_for = 0, (0, "")  # the names' widest, and for which names and font
        self._longest_text = 0  # a line's longest text, in the table's font: measured when the batch ends
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.files_button = QPushButton("Files…")
        self.folder_button = QPushButton("Folder…")
        self.cancel_button = QPushButton("Cancel")
        self.export_button = QPushButton("Export…")
        # The same files read again: with the model now in use, or each as a line instead of a character
        # (it meant choosing them in the file dialog again).
        self.again_button = QPushButton("Again")
        self.again_button.setToolTip("Read the same files again, with the model in use and the choice below")
        self.again_button.setEnabled(False)
        self.again_button.clicked.connect(self.read_again_requested)
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.export_button.clicked.connect(self.export_requested)
        first_row = (self.files_button, self.folder_button, self.cancel_button, self.export_button)
        self._narrow_buttons = (*first_row, self.again_button)
        self._narrow_as_their_words()
        for button in first_row:
            buttons.addWidget(button)  # Again goes beside what each file holds, on the next row
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # Photos of written words, a class's worksheets: each file a line read as text, as text mode reads.
        # A row of its own: beside the buttons it made the side panel, and so the window, wider.
        holds = QHBoxLayout()
        self.read_as = QComboBox()
        self.read_as.addItems(["one character", "a line of text"])
        # An empty table's headers follow the choice (after a restart in lines mode they were a character's).
        self.read_as.currentIndexChanged.connect(self._headers_for_the_choice)
        self.read_as.setToolTip("What each file holds: one character, or a written line (a word, a code) read as text")
        read_as_label = QLabel("Each file holds")
        read_as_label.setBuddy(self.read_as)
        holds.addWidget(read_as_label)
        holds.addWidget(self.read_as)
        holds.addWidget(self.again_button)
        holds.addStretch(1)
        layout.addLayout(holds)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.hide()  # until a batch starts (an empty bar under the choices looked like a text box)
        layout.addWidget(self.progress)
        self.model = BatchTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        # Sorted, the table shows its first rows (it kept its place: the failed and least sure, sorted first,
        # were above the rows in view).
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Fixed widths, not ResizeToContents: that measures every row again on each new result, which
        # made a 3,000-file batch 25 times slower than the command line.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self._sized_by_hand = False
        self._fitting = False
        self._fit_columns(self.width())
        header.sectionResized.connect(self._column_resized)
        # A header click sorts (least sure first, to check those by eye); a third click gives back the
        # files' own order. Only once a batch is done.
        header.setSortIndicatorClearable(True)
        self.model.layoutChanged.connect(self._span_errors)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setWordWrap(False)  # a narrow Top-k column wrapped "7 89%" onto a second, hidden line
        side = max(16, self.table.fontMetrics().height() + 4)  # what the model saw, as tall as the row's text
        self.table.setIconSize(QSize(side, side))
        # A file's name cut in its middle: phone photos' names differ at their ends (IMG_20240512_1430…).
        self.table.setItemDelegateForColumn(0, MiddleElidedDelegate(self.table))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setToolTip(
            "Double-click a file, or press Enter on it, to open it on the pad; F2 corrects its answer"
        )
        self.table.setAccessibleName("batch results")
        self.table.doubleClicked.connect(self._open_row)
        # Enter opens the chosen row too (not `activated`: on desktops set to open on one click, choosing a
        # row to read why it failed replaced the pad).
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            opener = QShortcut(QKeySequence(key), self.table, context=Qt.ShortcutContext.WidgetShortcut)
            opener.activated.connect(lambda: self._open_row(self.table.currentIndex()))
        # A wrong answer corrected where it is read (a teacher marking sheets): F2 or the rows' menu, on the
        # answer's cell whichever cell of the row is current; the export keeps both answers.
        corrector = QShortcut(QKeySequence("F2"), self.table, context=Qt.ShortcutContext.WidgetShortcut)
        corrector.activated.connect(lambda: self.correct_answer(self.table.currentIndex()))
        self.model.corrections_changed.connect(self._corrections_changed)
        self.model.correction_refused.connect(self._say_refused)
        # Sorting from the keyboard too: the rows' menu (the Menu key, Shift+F10, or a right-click).
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_rows_menu)
        # Shift+F10 as well: Qt makes it a menu request only where the platform does (Windows), and many
        # laptops have no Menu key.
        rows_menu_key = QShortcut(QKeySequence("Shift+F10"), self.table, context=Qt.ShortcutContext.WidgetShortcut)
        rows_menu_key.activated.connect(
            lambda: self._show_rows_menu(self.table.visualRect(self.table.currentIndex()).center())
        )
        self._paths: list[Path] = []
        layout.addWidget(self.table, 1)
        # The chosen row's whole reason: in the table it is cut to the columns' width.
        self.detail = QLabel("")
        self._detail_text = ""  # what the label says, in full (it shows as much as DETAIL_LINES hold)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # a file named <b>x</b>.png is shown as named
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        layout.addWidget(self.detail)
        rows_chosen = self.table.selectionModel()
        rows_chosen.currentRowChanged.connect(lambda current, _previous: self._show_detail(current.row()))
        self.status = QLabel("Choose files or a folder to recognize them all.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        # Files read as one character that hold several (photos of words): one click reads them as lines (it
        # took the box's choice, then Again). Under the summary that says so: beside Again it made the side
        # panel, and so a small window, wider.
        self.as_lines_button = QPushButton("Read as Lines")
        self.as_lines_button.setToolTip("Read the same files again, each as a written line (a word, a code)")
        self.as_lines_button.clicked.connect(self._read_as_lines)
        self.as_lines_button.setVisible(False)
        as_lines = QHBoxLayout()
        as_lines.addWidget(self.as_lines_button)
        as_lines.addStretch(1)
        layout.addLayout(as_lines)
        self._finished = ""  # what the last batch's status said when it ended
        self.read_as_lines_by_itself = False  # read again as lines, the files mostly holding several characters
        self._model_now = ""  # the model in use (the rows may be another's)
        self._reads_only = ""  # the kind of character alone the rows' model reads ("digits (0-9)"), if one
        self._other_json = 0  # the folders' .json files holding no strokes, passed over
        self._twins = 0  # the folders' pictures saved beside their drawing's strokes, passed over
        self.set_running(False)

    def _headers_for_the_choice(self) -> None:
        if not self.rows:
            self.model.reset([], [], self.reads_lines)
            self._fit_columns(self.width())

    def rows_menu(self, index: QModelIndex | None = None) -> QMenu:
        """The rows' menu: open ``index``'s file (the current row's by default); once the batch is done,
        sort as each header's first click does, reverse that order, or give back the files' order."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        row = QPersistentModelIndex(self.table.currentIndex() if index is None else index)
        menu.addAction("&Open on the Pad", lambda: self._open_row(row)).setEnabled(row.isValid())
        correct = menu.addAction("&Correct the Answer…", lambda: self.correct_answer(row))
        correct.setShortcut(QKeySequence("F2"))  # (said in the menu; the table's own shortcut does the work)
        correct.setShortcutVisibleInContextMenu(True)
        correct.setEnabled(self._answer_cell(row) is not None)
        give_back = menu.addAction(
            "&Give Back the Model's Answer", lambda: self.model.setData(self.model.index(row.row(), ANSWER_COLUMN), "")
        )
        give_back.setEnabled(row.isValid() and corrected(self.rows[self.model.file_index(row.row())]) is not None)
        menu.addSeparator()
        tips = LINE_SORT_TIPS if self.model.lines else SORT_TIPS
        sortable = self.model.sortable and bool(self.rows)
        for column, tip in [*enumerate(tips), (-1, "Files' order")]:
            action = menu.addAction(tip.removesuffix(_AGAIN))  # "Sort by confidence, least sure first (...)"
            action.triggered.connect(partial(self.table.sortByColumn, column, Qt.SortOrder.AscendingOrder))
            action.setEnabled(sortable)
        header = self.table.horizontalHeader()
        sorted_by = header.sortIndicatorSection() if header.isSortIndicatorShown() else -1
        flipped = (
            Qt.SortOrder.DescendingOrder
            if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            else Qt.SortOrder.AscendingOrder
        )
        reverse = menu.addAction("&Reverse the Order")
        reverse.triggered.connect(partial(self.table.sortByColumn, sorted_by, flipped))
        reverse.setEnabled(sortable and 0 <= sorted_by < len(COLUMNS))
        return menu

    def _answer_cell(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex | None:
        """The answer's cell of ``index``'s row, when it has an answer to correct."""
        if not index.isValid():
            return None
        cell = self.model.index(index.row(), ANSWER_COLUMN)
        return cell if self.model.flags(cell) & Qt.ItemFlag.ItemIsEditable else None

    def holds_line_of(self, path: Path) -> bool:
        """Whether the rows are lines, one of them the file at ``path``, read."""
        file_index = self.model.file_of(path)
        return self.model.lines and file_index is not None and "text" in self.rows[file_index]

    def correct_line_of(self, path: Path, text: str) -> None:
        """The answer of the line read from ``path`` put right to ``text`` (lines as new lines; "": the
        model's answer back), as typed in its row."""
        file_index = self.model.file_of(path)
        if file_index is None or not self.model.lines:
            return
        cell = self.model.index(self.model.table_row(file_index), ANSWER_COLUMN)
        self.model.setData(cell, text.replace("\n", LINE_MARK))

    def correct_answer(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Type the right answer for ``index``'s row, in its answer's cell (one not read yet has none)."""
        cell = self._answer_cell(index)
        if cell is not None:
            self.table.setCurrentIndex(cell)
            self.table.edit(cell)

    def _corrections_changed(self) -> None:
        self._show_detail(self.table.currentIndex().row())
        if self._finished and not self.running:
            self._show_finished()

    @property
    def unexported_corrections(self) -> int:
        """How many answers the person corrected (or gave back to the model) since the last export."""
        return len(self.model.changed_since_export)

    def finish_editing(self) -> None:
        """An answer being typed in the table is kept, as Enter would keep it (a batch dropped on the window
        while one was typed replaced the table, and the typing was lost unasked)."""
        if self.table.state() != QTableView.State.EditingState:
            return
        viewport = self.table.viewport()  # (an editor is its child; it may not have the focus: a drop)
        for editor in [child for child in viewport.findChildren(QWidget) if child.parent() is viewport]:
            self.table.commitData(editor)
            self.table.closeEditor(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def _show_rows_menu(self, position: QPoint) -> None:
        """At ``position`` (in the table's viewport): the menu for the row there (none: nothing to open)."""
        self.rows_menu(self.table.indexAt(position)).popup(self.table.viewport().mapToGlobal(position))

    def _open_row(self, index: QModelIndex | QPersistentModelIndex) -> None:
        if 0 <= index.row() < len(self._paths):
            self.open_requested.emit(self._paths[self.model.file_index(index.row())])

    def _span_errors(self) -> None:
        """A file that could not be read: its reason across the answer's three columns, wherever it sits."""
        self.table.clearSpans()
        for file_index, row in enumerate(self.rows):
            if row["error"]:
                self.table.setSpan(self.model.table_row(file_index), ERROR_COLUMN, 1, len(COLUMNS) - ERROR_COLUMN)

    def _sorted(self) -> None:
        if self.model.sortable:  # (not a header clicked while the batch runs, nor the indicator reset)
            self.table.scrollToTop()

    def _set_sortable(self, sortable: bool) -> None:
        self.model.sortable = False
        # The files in their order: a new batch, and a finished one (a header clicked while it ran moves
        # Qt's indicator, and enabling sorting would sort by it with no click after the batch).
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.sortable = sortable
        self.table.setSortingEnabled(sortable)

    def _say_refused(self, why: str) -> None:
        """Why a typed answer was not taken, under the table where the chosen row's details go."""
        self._set_detail(why)

    def _show_detail(self, table_row: int) -> None:
        """Under the table, in full: the chosen file's name and why it could not be read, its notes, a line's
        text or a character's answers."""
        text = ""
        if 0 <= table_row < len(self.rows):
            file_index = self.model.file_index(table_row)
            entry = self.rows[file_index]
            notes: list[str] = entry["notes"]
            why = str(entry["error"]) or "; ".join(notes)
            if corrected(entry) is not None:  # (a file not read: its note says why)
                besides = "; ".join(notes) if entry["error"] else why
                why = "; ".join(filter(None, (self.model.correction_note(entry), besides)))
            elif not why and "text" in entry:  # a line: its whole text, which the column may cut
                unsure = unsure_characters(entry)
                why = f"“{entry['text']}”" + (f"; unsure: {unsure}" if unsure else "")
            elif not why and entry["top"]:  # a character: its answers, and its whole name (the column cuts both)
                top = entry["top"]
                merged = self.model.merged_case
                answers = [(short_class_name(str(t["label"]), merged), float(t["prob"])) for t in top]
                why = ", ".join(f"{name} {confidence_text(prob)}" for name, prob in answers)
            text = f"{self.model.names[file_index]}: {why}" if why else ""
        self._set_detail(text)

    def _set_detail(self, text: str) -> None:
        """Under the table, ``text`` in two lines, kept for it while the table has rows whether a row is chosen
        or not, and cut short there (in full on hover): shown when one was clicked, and a line taller when its
        answer was corrected, it shrank the table under the pointer, which scrolled the chosen row back into
        view, and a teacher's next click corrected the file below the one meant."""
        self._detail_text = text
        rows = self.model.rowCount() > 0
        self.detail.setMinimumHeight(DETAIL_LINES * self.detail.fontMetrics().lineSpacing() if rows else 0)
        self.detail.setText(in_lines(text, self.detail.fontMetrics(), self.detail.contentsRect().width(), DETAIL_LINES))
        self.detail.setToolTip(text if self.detail.text() != text else "")
        self.detail.setVisible(bool(text) or rows)

    def _fit_columns(self, width: int) -> None:
        """The file names a third of the table at most (160 px), so the top-k keeps room in a narrow window
        (at 800x500 the fixed 160 + 60 + 90 px left it none: "…"); for lines a quarter, and a quarter for
        their text; until the person sizes a column."""
        if self._sized_by_hand:
            return
        self._fitting = True
        # The names as wide as the longest needs, up to 160 px or a share of a wide table (they stayed 160 px
        # in a maximized window, cut to "Björn wo…t 12.png", while Top-k took the room).
        if self._longest_name_for != (len(self.model.names), self.table.font().key()):  # measured once a batch
            metrics = self.table.fontMetrics()
            self._longest_name = max((metrics.horizontalAdvance(n) for n in self.model.names), default=0) + 16
            self._longest_name_for = (len(self.model.names), self.table.font().key())
        longest = self._longest_name + (self.table.iconSize().width() or 16)  # room for a row's warning icon
        if self.model.lines:  # a line's text wants room (a third, where the longest needs it); a confidence, less
            longest_text = self._longest_text + CELL_MARGINS
            text_share = min(max(longest_text, min(220, width // 4)), max(80, width // 3))
            shares = (min(max(160, longest), max(80, width // 4)), text_share, 76)
        else:
            # The answer beside what the model saw ("M / m" was cut to "M /…" beside it).
            # Measured in the table's font: fixed pixels cut "100.0%" and "M / m" at 130% text.
            cells = self.table.fontMetrics()
            widest = max(cells.horizontalAdvance(answer) for answer in WIDEST_ANSWERS)
            answer = widest + CELL_MARGINS + self.table.iconSize().width()
            sure = cells.horizontalAdvance(confidence_text(1.0)) + CELL_MARGINS
            shares = (min(max(160, longest), max(80, width // 3)), answer, sure)
        # Room for each header's name and its sort arrow ("Least sure" lost its e under the arrow), where the
        # table has it: at 800x500 the columns keep their shares (the last one would be pushed out of view).
        metrics = self.table.horizontalHeader().fontMetrics()
        named = [
            metrics.horizontalAdvance(name) + SORT_ARROW_ROOM
            for name in (LINE_COLUMNS if self.model.lines else COLUMNS)
        ]
        roomy = [max(share, need) for share, need in zip(shares, named, strict=False)]
        room = width - TABLE_CHROME - named[-1]  # what the columns before the stretching last one may take
        if sum(roomy) <= room or not self.model.lines:
            # A character's columns: each its header's room where the table has it, else their shares (a
            # third for the name leaves Top-k its header at 800x500).
            widths = roomy if sum(roomy) <= room else list(shares)
        else:
            # Too narrow for lines: their text (short) and then their name give way, down to NARROWEST_NAME
            # each, so that every header keeps its room (at 800x500 "Unsure" showed as "nsur"); where even
            # that does not fit, "Least sure" keeps its share. The chosen row's whole name and text are in
            # the line under the table.
            widths = give_way(roomy, room, (1, 0))
            if sum(widths) > room:
                widths = give_way([*widths[:2], shares[2]], room, (1, 0))
        for column, share in enumerate(widths):
            self.table.setColumnWidth(column, share)
        self._fitting = False

    def _column_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column < len(COLUMNS) - 1:  # the last one stretches with the table
            self._sized_by_hand = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns(event.size().width())  # the table's own size is set after this, by the layout
        QTimer.singleShot(0, self, lambda: self._set_detail(self._detail_text))  # (at the label's new width)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text size: the columns are measured in it
            # Once the table has the new font too (measured at once, a column kept the last size's width).
            QTimer.singleShot(0, self, lambda: self._fit_columns(self.width()))
            self._narrow_as_their_words()  # (measured at 100% once, Again read "Agair" at 200%)

    def _narrow_as_their_words(self) -> None:
        """The buttons as wide as their words, not the style's 80 px: four of those made this tab, and so the
        whole right panel, 360 px wide at least, and left the pad 200 px of an 800 px window."""
        for button in self._narrow_buttons:
            button.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance(button.text()) + 18)

    @property
    def rows(self) -> list[BatchRecord]:
        return self.model.rows

    @property
    def running(self) -> bool:
        return self.cancel_button.isEnabled()

    def set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.running_changed.emit(running)
        self.files_button.setEnabled(not running)
        self.folder_button.setEnabled(not running)
        self.export_button.setEnabled(not running and bool(self.rows))
        self.again_button.setEnabled(not running and bool(self._paths))

    def _read_as_lines(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)  # (the button goes: the keys stay in the tab)
        self.read_as_lines_requested.emit()

    @property
    def reads_lines(self) -> bool:
        """Whether the next batch reads each file as a line of writing (the box's choice)."""
        return self.read_as.currentIndex() == 1

    @reads_lines.setter
    def reads_lines(self, on: bool) -> None:
        self.read_as.setCurrentIndex(1 if on else 0)

    @property
    def rows_are_lines(self) -> bool:
        """Whether the rows shown were read as lines of writing."""
        return self.model.lines

    def start(
        self,
        paths: list[Path],
        model: str,
        lines: bool = False,
        merged_case: frozenset[str] = frozenset(),
        reads_only: str = "",
        other_json: int = 0,
        classes: tuple[str, ...] = (),
        twins: int = 0,
    ) -> None:
        """Rows for ``paths``, to be read by ``model`` (which reads the letters ``merged_case`` in either case,
        and only ``reads_only`` when it is one kind of character: "digits (0-9)"); ``other_json``: the
        folders' .json files holding no strokes, passed over (said when the batch ends); ``classes``, the
        model's, to check its answers against the characters the files' folders name; ``twins``: the
        folders' pictures saved beside their drawing's strokes, passed over (the drawing read once)."""
        self._reads_only = reads_only
        self._other_json = other_json
        self._twins = twins
        from ml.runtime.image_files import display_path

        rows: list[BatchRecord] = [
            {"path": display_path(p), "model": model, "top": [], "error": "", "notes": []} for p in paths
        ]
        self.read_as.blockSignals(True)  # the box shows what these rows are; the saved choice is the person's
        self.reads_lines = lines
        self.read_as.blockSignals(False)
        self.as_lines_button.setVisible(False)
        self._set_sortable(False)
        self.read_as_lines_by_itself = False
        self.model.merged_case = merged_case
        self.model.classes = classes
        self.model.reset(rows, [display_path(name) for name in shortest_names(paths)], lines, paths)
        self._longest_name_for = (0, "")  # other names: measured again
        self._longest_text = 0
        self._fit_columns(self.width())
        self.table.clearSpans()
        self._show_detail(-1)
        self._paths = list(paths)
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.progress.show()
        what = " as lines of text" if lines else ""
        files = "1 file" if len(paths) == 1 else f"{len(paths)} files"
        self.status.setText(f"Recognizing {files}{what} with {model}…")
        self.status.setMinimumHeight(0)  # (a finished batch's room, kept for its count of corrections)
        self._model_now = model
        self.set_running(True)

    def add_row(self, index: int, top: tuple[tuple[str, float], ...], error: str, notes: tuple[str, ...] = ()) -> None:
        self.add_rows([(index, top, error, notes, None, None)])

    def add_rows(self, rows: list[tuple[int, tuple[tuple[str, float], ...], str, tuple[str, ...], Any, Any]]) -> None:
        """Results (a chunk of them): index, top answers, error, notes, for a file read as a line of writing
        its reading (``ml.runtime.line_reader.ReadLine``), and what the model saw of a character (28x28, or
        None); stored, then one repaint of their rows."""
        changed = []
        for index, top, error, notes, line, seen in rows:
            if not 0 <= index < len(self.rows):
                continue
            if seen is not None:
                side = self.table.iconSize().height()
                self.model.seen[index] = grey_pixmap(seen).scaled(
                    side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            row = self.rows[index]
            row["top"] = [{"label": label, "prob": round(prob, 5)} for label, prob in top]
            row["error"] = error
            row["notes"] = list(notes)
            if line is not None:
                keep_line(row, line)
            table_row = self.model.table_row(index)
            if error:  # the reason takes the room of the answer's three columns
                self.table.setSpan(table_row, ERROR_COLUMN, 1, len(COLUMNS) - ERROR_COLUMN)
            changed.append(table_row)
        if changed:
            self.model.changed(min(changed), max(changed))
            if self.table.currentIndex().row() in changed:
                self._show_detail(self.table.currentIndex().row())
            self.progress.setValue(self.progress.value() + len(changed))

    def mostly_written_lines(self) -> bool:
        """Whether the rows, read as one character each, are mostly of files that hold several (photos of
        words, a class's answers): at least half of those read, one at least."""
        from desktop_app.inference_service import ROWS_NOTE, SEVERAL_CHARACTERS_NOTE

        if self.model.lines:
            return False
        read = [row for row in self.rows if not row["error"]]
        several = sum(
            1 for row in read if any(SEVERAL_CHARACTERS_NOTE in note or ROWS_NOTE in note for note in row["notes"])
        )
        return several > 0 and 2 * several >= len(read)

    def finish(self, cancelled: bool) -> None:
        from desktop_app.inference_service import ROWS_NOTE, SEVERAL_CHARACTERS_NOTE

        errors = sum(1 for row in self.rows if row["error"])
        read = sum(1 for row in self.rows if row["top"] or "text" in row)
        notes: list[list[str]] = [row["notes"] for row in self.rows]
        several = sum(1 for kept in notes if any(SEVERAL_CHARACTERS_NOTE in note for note in kept))
        lines = sum(1 for kept in notes if any(ROWS_NOTE in note for note in kept))
        failed = f"; {errors} could not be read" if errors else ""
        if several or lines:  # a photo of a word (or a note) given one guess: what to do is said where one looks
            many = "1 file holds" if several + lines == 1 else f"{several + lines} files hold"
            what = (
                "several characters"
                if not lines
                else "lines of writing"
                if not several
                else "several characters or lines of writing"
            )
            failed += f"; {many} {what}: Read as Lines reads each as text"
        self.as_lines_button.setVisible(bool(several or lines) and not self.model.lines)
        files = ("file" if len(self.rows) == 1 else "files") + (" as lines of text" if self.model.lines else "")
        model = self.batch_model()
        if self._other_json:  # (passed over without a word: a newcomer's package.json and results.json)
            failed += f"; passed over {other_json_files(self._other_json)}"
        if self._twins:  # (each drawing kept as an example was two rows: its picture and its strokes)
            pictures = "1 picture" if self._twins == 1 else f"{self._twins} pictures"
            failed += f"; passed over {pictures} saved beside their drawing's strokes (read from the strokes)"
        if self._reads_only:  # a letter read by a digits model comes out a digit, confidently: said where one looks
            failed += f". {model} reads {self._reads_only} only: anything else gets one of those answers"
        # A line's text, now read, may want more room: measured once a batch (at each resize, a window dragged
        # wider measured every row of a large batch over and over).
        cells = self.table.fontMetrics()
        texts = (corrected(row) or str(row.get("text", "")) for row in self.rows)
        self._longest_text = max((cells.horizontalAdvance(one_row(text)) for text in texts), default=0)
        self._fit_columns(self.width())
        if cancelled:
            self._finished = f"Cancelled: {read} of {len(self.rows)} {files} recognized with {model}{failed}."
        else:
            self._finished = f"Recognized {read} of {len(self.rows)} {files} with {model}{failed}."
        self._finished += self.model.folder_score()
        if self.read_as_lines_by_itself:
            self._finished += (
                " Read as lines of text, most files holding several characters (Each file holds: one character, "
                "then Again, for one character a file)."
            )
        self.set_running(False)
        self._set_sortable(True)
        self._show_finished()

    def say_finished(self) -> None:
        """The batch's summary as shown, to a screen reader (shown under the table, and never heard: an
        accessibility audit's)."""
        announce(self.status, self.status.text())

    def batch_model(self) -> str:
        """The model the rows shown were read with ("" when there are none)."""
        return str(self.rows[0]["model"]) if self.rows else ""

    def model_in_use(self, model: str) -> None:
        """Say so when the rows shown were read with another model than the one now in use (also when the
        model changes while a batch runs: said when it ends)."""
        self._model_now = model
        if self.rows and self._finished and not self.cancel_button.isEnabled():
            self._show_finished()

    def _show_finished(self) -> None:
        stale = bool(self._model_now) and self._model_now != self.batch_model()
        count = self.model.correction_count()
        self.status.setText(
            self._finished
            + (f" {count} corrected by you." if count else "")
            + (f" The model in use is now {self._model_now}: Again reads the files with it." if stale else "")
        )
        # Room kept for the count of corrections from the start: a line more when the first answer was
        # corrected shrank the table under the pointer (a 1024 px window's, 309 -> 295 px).
        with_count = self.status.text() if count else f"{self.status.text()} 99 corrected by you."
        needed = wrapped_height(self.status.fontMetrics(), with_count, self.status.contentsRect().width())
        self.status.setMinimumHeight(max(needed, self.status.minimumHeight()))

    def finished_rows(self) -> list[BatchRecord]:
        """The rows with a result or a reason, in the table's order (as sorted): what the person sees."""
        shown = [self.rows[self.model.file_index(r)] for r in range(len(self.rows))]
        return [row for row in shown if row["top"] or row["error"] or "text" in row]

    def export(self, path: Path, decimal_comma: bool = False) -> int:
        """CSV or JSON by the file's suffix, written atomically; returns the number of rows."""
        count = self._write_rows(path, decimal_comma)
        self.model.changed_since_export = set()
        return count

    def _write_rows(self, path: Path, decimal_comma: bool) -> int:
        """The rows shown, with their corrections, to ``path``.

        ``decimal_comma``: a CSV as a spreadsheet set to a language that writes 0,97 reads one (German,
        French, ...): fields apart by ";", numbers with a decimal comma. With commas and points, Excel there
        put each row whole in one cell, and a confidence was text that could not be summed or sorted."""
        rows = self.finished_rows()
        if path.suffix.lower() == ".json":  # (names as written, "Schüler", not "Sch\u00fcler")
            # A file with nothing to read says so as the command line's JSON does: "blank": true. As there,
            # "error" and "notes" are there when there is one (a script testing for "error" took every
            # row for a failure), "top" when there are answers (a line's are its text and its characters').
            written: list[dict[str, object]] = []
            for row in rows:
                record: dict[str, object] = dict(row)
                if row["error"].startswith(BLANK_PREFIX):
                    record |= {"error": row["error"].removeprefix(BLANK_PREFIX), "blank": True}
                if self.model.lines:
                    del record["top"]
                written.append({k: v for k, v in record.items() if v or k not in ("error", "notes", "top")})
            write_atomically(path, json.dumps(written, indent=1, ensure_ascii=False) + "\n")
            return len(written)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",")

        def number(value: float) -> object:
            return str(value).replace(".", ",") if decimal_comma else value

        if self.model.lines:
            writer.writerow([*CSV_FIELDS, "text", "least_sure", "unsure_characters", CORRECTED_FIELD, ANSWER_FIELD])
            for row in rows:
                read = "text" in row
                writer.writerow(
                    csv_fields(row)
                    + (
                        [row["text"], number(round(least_sure(row), 5)), unsure_characters(row)]
                        if read
                        else ["", "", ""]
                    )
                    + [corrected(row) or "", final_answer(row, self.model.lines)]
                )
            write_atomically(path, CSV_MARK + buffer.getvalue())
            return len(rows)
        depth = max((len(row["top"]) for row in rows), default=1)
        header = list(CSV_FIELDS)
        for k in range(1, depth + 1):
            header += [f"label_{k}", f"prob_{k}"]
        writer.writerow([*header, CORRECTED_FIELD, ANSWER_FIELD])
        for row in rows:
            values = csv_fields(row)
            for entry in row["top"]:
                values += [entry["label"], number(entry["prob"])]
            values += [""] * (len(header) - len(values))  # every row as wide as the header (a failed file's too)
            writer.writerow([*values, corrected(row) or "", final_answer(row, self.model.lines)])
        write_atomically(path, CSV_MARK + buffer.getvalue())
        return len(rows)
