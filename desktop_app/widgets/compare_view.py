"""Several models on the same input: model, answer, confidence, agreement with the model in use, latency.

Models have different label sets: a letters-only model cannot say 7, and a 36-class model writes every
letter as a capital. So agreement is judged like with like: an answer agrees when it is the same
character, or the same letter where one of the two models does not tell its cases apart; a model
that has no class for the reference answer is "cannot say", not a dissenting vote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QPalette, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.files_and_clipboard import COPIED_TEXT_ROLE
from desktop_app.themes import disagree_colour
from desktop_app.widgets.fonts import character_font, class_name, described, lookalikes_among, spoken_class_name
from ml.runtime.labels import merged_case_of
from ml.runtime.percentages import confidence_text

if TYPE_CHECKING:
    from desktop_app.inference_service import ComparisonRow

# Short headers (each explained on hover): the other columns' widths are what the model names lose.
COLUMNS = ("Model", "Says", "Conf.", "=●", "ms")
# The agreement column as marks, the words on hover: at 800 px wide "can't say A" and "16.6 ms" left the
# model names a few letters ("bal…d47").
VERDICT_MARKS = {"yes": "✓", "no": "✗", "": ""}
CANNOT_SAY_MARK = "–"


DARK_TICK_EDGE = "#a0a0a8"  # Fusion draws the edge 1.4 times darker: about #72727a on the dark list


DISAGREES = Qt.ItemDataRole.UserRole + 1  # a cell of an answer that disagrees: coloured for the theme
SHORT_ANSWER = Qt.ItemDataRole.UserRole + 2  # an answer named as a look-alike ("1 (one)") as it is shown unnamed
NAMED_ANSWER = Qt.ItemDataRole.UserRole + 3  # ... and named
MODEL_NAME_LEAST = "emnist36_cnn +"  # the models' column keeps room for this much of a name before answers are named


NAME_WRAP_SLACK_PX = 10  # a name is measured this much narrower than its cell (below)


TABLE_LEAST_ROWS = 3  # the comparison's rows kept in sight, the least


class WrappedNameDelegate(QStyledItemDelegate):
    """The Model column's names, measured for their row's height a little narrower than the cell: Qt
    measured "● emnist36_cnn + strokes" as one line at 173 px and painted it in two, the second cut off
    ("● emnist36_cnn + …", the one row that matters most, the model in use)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        narrower = QStyleOptionViewItem(option)
        narrower.rect = option.rect.adjusted(0, 0, -NAME_WRAP_SLACK_PX, 0)
        return super().sizeHint(narrower, index)


def _answer_text(row: ComparisonRow, named: bool) -> str:
    """A row's answer as its cell shows it: "A/a" for a letter read in either case, as the top-k rows write it,
    and a look-alike with its name where ``named`` ("1 (one)")."""
    return class_name(row.label, merged_case_of(row.classes), named).replace(" / ", "/")


class CompareView(QWidget):
    """Emits ``models_chosen`` with the ticked models whenever the choice changes."""

    models_chosen = Signal(list)
    model_activated = Signal(str)  # a row double-clicked (or Enter on it): put its model in use

    def _fit_answer_column(self) -> None:
        """The answers' column as wide as "A/a" in their font, or its header (a fixed 44 px wrapped "A / a"
        onto three lines with the text larger, View -> Zoom), or the answers named as look-alikes ("l (small L)"
        wrapped to "l (… L)")."""
        metrics = QFontMetrics(character_font(self.table.font(), bold=True))
        header = self.table.horizontalHeader().fontMetrics().horizontalAdvance("Says")
        usual = max(metrics.horizontalAdvance("W/w"), header) + 14
        answers = [self.table.item(r, 1) for r in range(self.table.rowCount())]
        named_items = [item for item in answers if item is not None and item.data(NAMED_ANSWER)]
        named = max((metrics.horizontalAdvance(item.data(NAMED_ANSWER)) + 14 for item in named_items), default=0)
        # ... but not at the models' names' cost: in an 800 px window they shrank to "ba…7 + st…es" (the name
        # in full on hover).
        others = sum(self.table.columnWidth(c) for c in range(2, self.table.columnCount()))
        room = self.table.viewport().width() - others - self.table.fontMetrics().horizontalAdvance(MODEL_NAME_LEAST)
        fits = bool(named_items) and named <= room
        self.table.setColumnWidth(1, max(usual, named) if fits else usual)
        # Where they do not fit, unnamed ("l (… L)" was worse than "l"): the name stays on hover.
        for item in named_items:
            item.setText(item.data(NAMED_ANSWER) if fits else item.data(SHORT_ANSWER))

    def _table_least_height(self) -> int:
        line = self.table.fontMetrics().lineSpacing()
        heading = self.table.horizontalHeader().sizeHint().height()
        return heading + TABLE_LEAST_ROWS * (line + 8) + 2 * self.table.frameWidth()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_legend()
        self._fit_answer_column()  # the room answers' names take is the view's width less the models' names'

    def showEvent(self, event: QShowEvent) -> None:  # a text size changed while another tab was shown
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_legend)

    def _fit_legend(self) -> None:
        """The legend gives way to the table's rows where the view is short: in a 640 px window at 200% text
        it took the height and left one row in sight (its words stay in the =● column's tooltip)."""
        least = self._table_least_height()
        layout = self.layout()
        legend = self.legend.heightForWidth(self.table.width()) + (max(layout.spacing(), 0) if layout else 0)
        if not self.legend.isHidden() and self.table.height() < least:
            self.legend.hide()
        elif self.legend.isHidden() and self.table.height() - legend >= least:
            self.legend.show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):  # (not while it is being built)
            self._fit_answer_column()
            QTimer.singleShot(0, self, self._fit_legend)  # (once the rows have their new height)
        if event.type() == QEvent.Type.PaletteChange:  # the disagreeing answers' orange, for the new theme
            for r in range(self.table.rowCount()):
                for c in range(self.table.columnCount()):
                    item = self.table.item(r, c)
                    if item is not None and item.data(DISAGREES):
                        item.setForeground(disagree_colour(self.palette()))

    def edge_tick_boxes(self) -> None:
        """Fusion draws a tick box's edge a shade darker than the window colour, which on a dark list is the
        list's own colour: an unticked box vanished. On a dark theme the list gets a light window colour
        for its boxes' edges (the list itself is painted in the base colour, which stays). Called again once a
        theme is applied (set from a palette change event, the style sheet's polish undid it)."""
        palette = QPalette()  # only the role set here is the list's own; the rest follows the theme
        if QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128:
            palette.setColor(QPalette.ColorRole.Window, QColor(DARK_TICK_EDGE))
        self.model_list.setPalette(palette)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Models to compare:"))
        self.model_list = QListWidget()
        self.model_list.setAccessibleName("models to compare")
        self.model_list.setMaximumHeight(130)
        self.model_list.itemChanged.connect(lambda _item: self.models_chosen.emit(self.chosen()))
        self.edge_tick_boxes()
        layout.addWidget(self.model_list)
        buttons = QHBoxLayout()
        for text, state in (("All", True), ("None", False)):
            button = QPushButton(text)
            button.setToolTip("Tick every model to compare" if state else "Untick every model")
            button.setAccessibleName("compare every model" if state else "compare no model")
            button.clicked.connect(lambda _=False, state=state: self._tick_all(state))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("comparison")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for column, tip in (
            (1, "What the model reads"),
            (2, "Confidence: the model's probability of its answer"),
            (3, "Agrees with the model in use (●): ✓ yes, ✗ no, – cannot say it (not among its classes)"),
            (4, "Milliseconds to answer"),
        ):
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
                header_item.setData(Qt.ItemDataRole.AccessibleTextRole, tip)  # "=●" said as what it means
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # long model names elide, not push
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)  # an error spanning it must not widen it
        self._fit_answer_column()  # an answer is one character ("A/a"); an error spans the columns
        # The names wrap as their column narrows (a smaller window, a larger text): the rows grow with them
        # (fitted once, a row kept its height and showed "● emn…6_" for "● emnist36_cnn + strokes").
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.table.setWordWrap(True)
        self.table.setItemDelegateForColumn(0, WrappedNameDelegate(self.table))
        # Names differ at their ends (emnist36, emnist36_cnn, "+ pen"): a narrow column keeps both ends.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (it went cell by cell: 85 presses); arrows move
        # A double-click or Enter, not itemActivated: where a single click activates (KDE's default), a click
        # to read a row would have changed the model in use.
        self.table.itemDoubleClicked.connect(self._row_activated)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table, context=Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(lambda: self._row_activated(self.table.currentItem()))
        self._rows: list[ComparisonRow] = []  # the rows shown, in the table's order
        layout.addWidget(self.table, 1)
        # The chosen row's answer and what came next, in full: they were in a tooltip only, out of a
        # keyboard user's reach (as Batch's line under its table).
        self.detail = QLabel("")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # a model's error could read as markup
        self.detail.setWordWrap(True)
        self.detail.hide()
        layout.addWidget(self.detail)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))
        # What the marks and the orange mean, said once under the table (they were only said on hover).
        self.legend = QLabel(
            "● the model in use; =●: ✓ agrees with it, ✗ (orange) does not, – cannot say it. "
            "Double-click a row to use its model."
        )
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

    def set_models(self, names: list[str], unavailable: dict[str, str], left_out: Collection[str] = ()) -> None:
        """List ``names`` (those in ``unavailable`` greyed, with the reason), each ticked but ``left_out``."""
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
                item.setCheckState(Qt.CheckState.Unchecked if name in left_out else Qt.CheckState.Checked)
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

    def tickable(self) -> list[str]:
        """The models listed that can be ticked (available), ticked or not."""
        items = [self.model_list.item(i) for i in range(self.model_list.count())]
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in items if item.flags() & Qt.ItemFlag.ItemIsEnabled]

    def chosen(self) -> list[str]:
        return [
            str(self.model_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.model_list.count())
            if self.model_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def show_rows(self, rows: list[ComparisonRow], selected: str = "", shown: ComparisonRow | None = None) -> None:
        """Fill the table; ``selected`` (the model in use) is the reference answer and shown in bold. Not
        among the rows, the answer ``shown`` in the window (a ComparisonRow) is; without one, the most
        common answer."""
        errors = {row.error for row in rows}
        if len(rows) > 1 and len(errors) == 1 and "" not in errors:
            # The drawing's fault, not the models' (a single dot): said once, not in every row (a teacher's
            # trial found each model's row saying "a single dot, not a character", wrapped on two lines).
            self.show_blank(f"Nothing to compare: {errors.pop()}")
            return
        answered = [row for row in rows if not row.error]
        reference = next((row for row in answered if row.model == selected), shown)
        if reference is None:  # the model in use is not among them: the most common answer of the models
            models = [row for row in answered if not row.part]  # (not the parts of a fused answer, again)
            counts = Counter(row.label for row in models)
            reference = next((row for row in models if counts and row.label == counts.most_common(1)[0][0]), None)
        self.table.clearSpans()
        self.table.setRowCount(len(rows))
        self._rows = list(rows)
        in_use_rows = (_model_of(row) for row in rows if row.model == selected)
        model_in_use = next(in_use_rows, "")
        verdicts: list[tuple[ComparisonRow, str]] = []  # the models' own answers (not the parts of a fused one)
        # Answers that look alike in the table's font ("l" and "1" from two models: a teacher's trial could not
        # tell them apart at its size) are named, "l (small L)", "1 (one)"; otherwise the column stays short.
        named = lookalikes_among({row.label for row in rows if not row.error})
        for r, row in enumerate(rows):
            verdict = "" if row.error or reference is None else agreement(row, reference)
            if not row.part:
                verdicts.append((row, verdict))
            values = (
                # A line may break after an underscore (a zero-width space there): a narrow column shows
                # "emnist36_" over "cnn" rather than "e…n", which could be any of four models.
                ("● " if row.model == selected else "") + row.model.replace("_", "_\u200b"),
                # "A/a" as the top-k rows write it: the names' column keeps the room (View -> Zoom).
                row.error if row.error else _answer_text(row, row.label in named),
                "" if row.error else confidence_text(row.confidence),
                VERDICT_MARKS.get(verdict, CANNOT_SAY_MARK),
                "" if row.error else f"{row.latency_ms:.1f}",
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 1 and not row.error and value != (short := _answer_text(row, False)):
                    item.setData(SHORT_ANSWER, short)  # (both forms: the column's width picks one)
                    item.setData(NAMED_ANSWER, value)
                if c == 1 and not row.error:  # the answer in the font where 0 and O, l, I and 1 differ
                    item.setFont(character_font(item.font(), bold=row.model == selected))
                    after = "; then " + ", ".join(
                        f"{described(label)} {confidence_text(confidence)}" for label, confidence in row.runners_up
                    )
                    item.setToolTip(described(row.label) + (after if row.runners_up else ""))
                    # A screen reader's in words with their case ("b; then B 3.3%" sounded like one letter twice).
                    merged = merged_case_of(row.classes)
                    heard = [(row.label, row.confidence), *row.runners_up]
                    item.setData(
                        Qt.ItemDataRole.AccessibleTextRole,
                        "; then ".join(
                            ", ".join(f"{spoken_class_name(label, merged)} {confidence_text(p)}" for label, p in part)
                            for part in (heard[:1], heard[1:])
                            if part
                        ),
                    )
                elif row.model == selected and c != 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if verdict == "no":
                    item.setData(DISAGREES, True)
                    item.setForeground(disagree_colour(self.palette()))
                if row.error:
                    item.setToolTip(row.error)
                elif c == 0:  # the whole name, however narrow the column, and what a double-click does
                    uses = _model_of(row)
                    item.setToolTip(row.model + ("" if uses == model_in_use else f"\nDouble-click to use {uses}"))
                    said = f"{row.model}, the model in use" if row.model == selected else row.model
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, said)  # not the mark, the line-break spaces
                    if row.model == selected:  # copied with its mark: the =● column's answers are against it
                        item.setData(COPIED_TEXT_ROLE, f"● {row.model}")
                elif c == 3:
                    item.setToolTip(verdict)
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, verdict)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                elif c == 4:
                    item.setToolTip(f"{row.latency_ms:.1f} ms to answer")
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            if row.error:  # the reason spans the answer columns and wraps there
                self.table.setSpan(r, 1, 1, len(COLUMNS) - 1)
        self._fit_answer_column()  # (named answers where they fit)
        self.table.resizeRowsToContents()
        self._show_detail(self.table.currentRow())
        QTimer.singleShot(0, self, self._fit_legend)  # (the summary's lines may change the table's height)
        if reference is None:
            self.summary.setText("")
            return
        parts_otherwise = [row for row in rows if row.part and not row.error and row.label != reference.label]
        self.summary.setText(_summary(verdicts, reference.label, reference is shown, parts_otherwise))

    def _show_detail(self, row: int) -> None:
        """Under the table: the chosen row's model, its answer and the runners-up (or why it has none)."""
        answer = self.table.item(row, 1)
        shown = answer is not None and 0 <= row < len(self._rows)
        if answer is not None and shown:
            self.detail.setText(f"{self._rows[row].model}: {answer.toolTip() or answer.text()}")
        if shown != self.detail.isVisibleTo(self):
            self.detail.setVisible(shown)
            QTimer.singleShot(0, self, self._fit_legend)  # the line takes the table's room

    def _row_activated(self, item: QTableWidgetItem | None) -> None:
        if item is not None and 0 <= item.row() < len(self._rows):
            self.model_activated.emit(_model_of(self._rows[item.row()]))

    def show_working(self, message: str) -> None:
        """Say what is being done (a large photo read by many models takes seconds); the rows stay until
        the new ones come."""
        self.summary.setText(message)

    def show_blank(self, message: str) -> None:
        self._rows = []
        self.table.setRowCount(0)
        self.detail.hide()
        self.summary.setText(message)
        QTimer.singleShot(0, self, self._fit_legend)


def _model_of(row: ComparisonRow) -> str:
    """The model a row puts in use (a fused answer's or a part's row: its image model)."""
    return row.uses or row.model


def _summary(
    verdicts: list[tuple[ComparisonRow, str]], label: str, shown: bool, parts_otherwise: Sequence[ComparisonRow] = ()
) -> str:
    """How many models say ``label`` (``shown``: the window's answer) of those that can, which cannot
    (named when few), what the models that can also say the commonest other answer say, and what the parts
    of a fused answer that say otherwise say (not counted as models: a student's "13 of 13 say O" stood
    over the picture alone's 0)."""
    agreeing = sum(verdict == "yes" for _, verdict in verdicts)
    able = sum(verdict in ("yes", "no") for _, verdict in verdicts)
    said = f"“{label}”" + (", the answer shown," if shown else "")
    if able == 1:
        text = f"the one model that can say {said} {'says' if agreeing else 'does not say'} it"
    else:
        text = f"{agreeing} of {able} models that can say {said} say it" if able else f"no model can say {said}"
    cannot = [row.model for row, verdict in verdicts if verdict.startswith("can't")]
    if cannot:  # "(9 cannot)" read as nine failures, and a digits model's "4" for an A was left unexplained
        named = " and ".join(cannot) if len(cannot) <= 2 else f"{len(cannot)} models"
        text += f"; {named} {'has' if len(cannot) == 1 else 'have'} no “{label}”"
    failed = sum(bool(row.error) for row, _ in verdicts)
    if failed:
        text += f"; {failed} could not answer"
    for part in parts_otherwise:
        text += f"; {part.model} says “{part.label}”"
    return text + _between_the_two(verdicts, label)


def _can_say(classes: tuple[str, ...], label: str) -> bool:
    """Whether a model of ``classes`` has a class for ``label`` (a case-merged one for a letter; no classes
    known: assumed so)."""
    return not classes or label in classes or (label.isalpha() and label.upper() in classes)


def _between_the_two(verdicts: list[tuple[ComparisonRow, str]], said: str) -> str:
    """Among the models that can give both the answer and the commonest other answer, what they say: a
    count that includes models that cannot say the other (letters models for an O against a 0) would
    read as a majority for the answer while every model that knows both says the other."""
    others = Counter(row.label for row, verdict in verdicts if verdict == "no")
    if not others:
        return ""
    other = others.most_common(1)[0][0]
    both = [(row, v) for row, v in verdicts if v in ("yes", "no") and _can_say(row.classes, other)]
    if len(both) == sum(v in ("yes", "no") for _, v in verdicts) or len(both) < 2:
        return ""  # every model counted could have said the other (or one alone can): the count says it all
    saying = sum(v == "yes" for _, v in both)
    verb = "says" if saying == 1 else "say"
    return f"; of the {len(both)} that can also say “{other}”, {saying or 'none'} {verb} “{said}”"


def agreement(row: ComparisonRow, reference: ComparisonRow) -> str:
    """'yes', 'no', or 'cannot say X' (the row's model has no class for the reference answer)."""
    label, classes = row.label, row.classes
    wanted, wanted_classes = reference.label, reference.classes
    if label == wanted:
        return "yes"
    case_blind = (
        label.isalpha()
        and label.upper() == wanted.upper()
        and (wanted.lower() not in wanted_classes or label.lower() not in classes)
    )
    if case_blind:
        return "yes"
    if not _can_say(classes, wanted):
        return f"can't say {wanted}"
    return "no"
