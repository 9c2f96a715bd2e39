"""File -> Keep as Example: the dialog that asks which character a drawing is and where the person's
handwriting is kept (:mod:`ml.runtime.handwriting_examples` names the files and counts them)."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QFocusEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.widgets.fonts import spoken_character
from ml.runtime.atomic_files import write_atomically
from ml.runtime.handwriting_examples import (
    EXAMPLES_FOLDER_NAME,
    EXAMPLES_TO_HOLD_ONE_OUT,
    describe_example_label,
    example_counts,
    example_label_problem,
    stray_folders,
)
from ml.runtime.image_files import display_path, printable_name

FEW_LISTED = 12  # characters with too few examples named in the counts, at most (then "and 5 more")


@dataclass
class KeptExample:
    """A drawing kept as an example, or a written line's characters each kept as one: their files' bytes
    (Undo takes them out of the folder, Redo writes them again) and the steps of the pad's history that
    stand for keeping them (compared by identity)."""

    chars: str  # the character kept, or the line's characters kept, in order
    root: Path
    files: dict[Path, bytes]
    drawing: object  # the pad's state that Undo brings back: the drawing kept
    taken_back: bool = False
    blank: object = None  # the pad's state that Redo brings back once it was taken back: the pad cleared

    def kept_said(self, done: str) -> str:
        """ "Kept as a small a in …/GlyphPad handwriting/a_lower: 3 of a small a kept, 41 in all"; a line's
        "Kept 5 characters (H e l l o) in …/GlyphPad handwriting: 41 in all"."""
        if len(self.chars) > 1:
            kept = example_counts(self.root)
            return (
                f"Kept {len(self.chars)} characters ({' '.join(self.chars)}){' again' if 'again' in done else ''} "
                f"in …/{printable_name(self.root.name)}: {sum(kept.values())} in all"
            )
        folder = next(iter(self.files)).parent
        where = f"…/{printable_name(self.root.name)}/{printable_name(folder.name)}"
        return f"{done} {describe_example_label(self.chars)} in {where}: {self._counts()}"

    def taken_back_said(self) -> str:
        if len(self.chars) > 1:
            kept = example_counts(self.root)
            return f"The line is back on the pad and its characters out of the folder: {sum(kept.values())} in all"
        return f"The drawing is back on the pad and out of the folder: {self._counts()}"

    def _counts(self) -> str:
        kept = example_counts(self.root)
        said = describe_example_label(self.chars)
        return f"{kept.get(self.chars, 0)} of {said} kept, {sum(kept.values())} in all"

    def take_out(self) -> str:
        """Delete the example's files: all of them or none ("" when done, else why not). A file changed since
        it was kept (edited, replaced) is the person's now: nothing is deleted."""
        for path, content in self.files.items():
            try:
                if path.exists() and path.read_bytes() != content:
                    return f"{path.name} was changed since it was kept, so the example stays in the folder"
            except OSError as error:
                return f"{path.name} cannot be read ({error.strerror or error}): the example stays in the folder"
        gone: list[Path] = []
        try:
            for path in self.files:
                path.unlink(missing_ok=True)
                gone.append(path)
        except OSError as error:
            for path in gone:  # not half an example: the picture back beside its strokes
                with contextlib.suppress(OSError):
                    write_atomically(path, self.files[path])
            return f"the example stays in the folder ({error.strerror or error})"
        return ""

    def put_back(self) -> str:
        """Write the example's files again: all of them or none ("" when done, else why not); a file of their
        name that is there now is left as it is."""
        if taken := [path for path in self.files if path.exists() and path.read_bytes() != self.files[path]]:
            return f"another {taken[0].name} is in the folder now, so the example is not kept again"
        if (error := self.write()) is not None:
            return f"the example could not be written again ({error.strerror or error})"
        return ""

    def write(self) -> OSError | None:
        """Write the files, their folders made: all of them or none (a picture without the strokes it came
        with, or half a line, is none); the error when not."""
        written: list[Path] = []
        try:
            for path, content in self.files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(path, content)
                written.append(path)
        except OSError as error:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            return error
        return None


KEPT_EXAMPLES_REMEMBERED = 200  # examples Undo can still take out of the folder (the pad's Undo reaches as far)


def offered_character(answer: str, last_kept: str, case_read: str = "") -> str:
    """The character the dialog offers: the answer shown; but where the model reads a letter's two cases as
    one ("O/o"), the case the case model is sure the drawing is in (``case_read``: "g" for a small g, or ""),
    else when the character kept last is that letter its case (ten small o's in a row are kept without
    typing o ten times)."""
    if not (len(answer) == 3 and answer[1] == "/"):
        return answer
    for letter in (case_read, last_kept):
        if letter and letter.upper() == answer[0].upper():
            return f"{letter}/{letter.swapcase()}"
    return answer


def default_examples_folder() -> Path:
    """The folder offered the first time: "GlyphPad handwriting" in the person's documents (the home
    folder where there are none)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return (Path(documents) if documents else Path.home()) / EXAMPLES_FOLDER_NAME


def _counted(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' if number != 1 else ''}"


def _command(verb: str) -> str:
    """A command in the dialog's text, on a line of its own (within a sentence it broke after "--")."""
    return f"<tt>glyphpad-ml&nbsp;{verb.replace(' ', '&nbsp;')}&nbsp;--images&nbsp;FOLDER</tt>"


class FolderLink(QLabel):
    """A label holding one link, reached by Tab or Shift+Tab with its link chosen: Enter opens it (a label of
    links takes the focus first and its link at the next Tab, where Enter kept the example instead), and the
    next Tab or Shift+Tab goes on (a label's own went round its one link: Shift+Tab never left it)."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            QLabel.focusNextPrevChild(self, event.reason() == Qt.FocusReason.TabFocusReason)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class ExampleDialog(QDialog):
    """Which character the drawing is (the answer shown, to put right when it is wrong) and the folder it
    is kept in; what is kept there already, so a person collecting ten of each sees how far they are."""

    def __init__(self, suggested: str, folder: Path, parent: QWidget | None = None) -> None:
        """``suggested``: the answer shown ("7"; "A/a" from a model that reads a and A as one class)."""
        super().__init__(parent)
        self.setWindowTitle("Keep as Example")
        self.folder = folder
        # A model that does not tell case gave no case: the capital is offered, and the other said.
        self._either_case = suggested[:1] if len(suggested) == 3 and suggested[1] == "/" else ""
        self.char_edit = QLineEdit(suggested[:1])
        self.char_edit.setAccessibleName("Character")
        self.char_edit.selectAll()  # typed over when the answer shown was wrong
        self._before_edit = self.char
        self.said = QLabel()  # "a capital A", or why the character cannot be kept
        self.said.setWordWrap(True)
        # The folder, its middle cut to the dialog's width (a long path pushed the dialog past the screen);
        # a link that opens it, the whole path on hover.
        self.folder_label = FolderLink()
        self.folder_label.setTextFormat(Qt.TextFormat.RichText)
        # A Tab stop, Enter opens it (the keyboard passed it by: a keyboard user's trial).
        self.folder_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.folder_label.linkActivated.connect(self._open_folder)
        # As wide as the row leaves it, the path cut to that (a path cut to a fixed width ran under Change
        # Folder… beside it: "/home/…/GlyphPad handw").
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.folder_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 12)
        self.change_button = QPushButton("Change Folder…")
        self.change_button.setAutoDefault(False)  # Enter keeps the example
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        explained = QLabel(
            "Each character in a folder of its own, as the tools read it:"
            f"<br>&nbsp;&nbsp;{_command('evaluate')}&nbsp; scores the models,"
            f"<br>&nbsp;&nbsp;{_command('train ...')}&nbsp; learns your writing."
            "<br>Type the character as you wrote it: a small a and a capital A are kept apart."
        )
        explained.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.keep_button = self.buttons.addButton("Keep", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setDefault(True)
        # A model that reads a letter's two cases as one: the other case is a click away too, not only a key
        # (a parent kept a child's small g as the capital offered, with one click on Keep).
        self.other_case_button = QPushButton()
        self.other_case_button.setAutoDefault(False)
        self.buttons.addButton(self.other_case_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.other_case_button.clicked.connect(self._keep_other_case)
        # The folder read in the Batch tab, each answer checked against its folder's character: which of one's
        # characters the model misreads, before (or instead of) training on them.
        self.check_button = QPushButton("Check Them")
        self.check_button.setAutoDefault(False)
        self.check_button.setToolTip("Read the kept examples in the Batch tab, each checked against its folder")
        self.buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.check_requested = False

        character_row = QHBoxLayout()
        character_row.addWidget(self.char_edit)
        character_row.addWidget(self.said, 1)
        form = QFormLayout()
        character_label = QLabel("&Character:")
        character_label.setBuddy(self.char_edit)
        form.addRow(character_label, character_row)
        # Change Folder… beside the folder it changes (in the buttons' row, "Keep G" and "Keep g" pushed it
        # and Check Them out of a narrow dialog's view).
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.change_button)
        form.addRow("Kept in:", folder_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.counts)
        layout.addWidget(explained)
        layout.addWidget(self.buttons)
        self.char_edit.setFixedWidth(self.char_edit.fontMetrics().horizontalAdvance("W") * 3)

        self.char_edit.textEdited.connect(self._typed)
        self.char_edit.textChanged.connect(self._show_character)
        self.change_button.clicked.connect(self._choose_folder)
        self.check_button.clicked.connect(self._check)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._kept, self._strays = example_counts(folder), stray_folders(folder)
        self._show_folder()
        self._show_character()
        # One width, and as tall as its text at that width (wrapped labels left a gap above the counts).
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("x") * 64)
        self.adjustSize()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Wrapped labels are measured at their final width only once shown: as tall as their text then (a gap
        # of a line or two stood above the counts).
        QTimer.singleShot(0, self._fit_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_folder()  # (laid out anew: the label's room is known now)

    def _fit_height(self) -> None:
        """As tall as the text at the dialog's width (the layout spread spare height over the labels)."""
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.resize(self.width(), max(layout.heightForWidth(self.width()), layout.minimumSize().height()))

    @property
    def char(self) -> str:
        return self.char_edit.text()

    def _typed(self, text: str) -> None:
        """A key typed beside the character there replaces it (it was refused, or "ab" kept as a): the
        field holds one character. A paste of several is left to be said as too many."""
        before, self._before_edit = self._before_edit, text
        if len(text) == 2 and len(before) == 1 and before in (text[0], text[1]):
            typed = text[1] if text[0] == before else text[0]
            self.char_edit.setText(typed)
            self._before_edit = typed

    def _show_character(self) -> None:
        problem = example_label_problem(self.char)
        self.keep_button.setEnabled(problem is None)
        said = problem[0].upper() + problem[1:] if problem else describe_example_label(self.char)
        either = problem is None and bool(self._either_case) and self.char.upper() == self._either_case.upper()
        if either and self.char == self._either_case:
            said += f" (type {self.char.swapcase()} for a {'small' if self.char.isupper() else 'capital'} one)"
        self.said.setText(said)
        # "Keep G" beside "Keep g" while the letter is one the model reads in either case; else "Keep".
        self.keep_button.setText(f"Keep {self.char}" if either else "Keep")
        self.other_case_button.setText(f"Keep {self.char.swapcase()}" if either else "")
        self.other_case_button.setVisible(either)
        # Heard with their case ("Keep A" and "Keep a" sounded alike to a screen reader's user).
        self.keep_button.setAccessibleName(f"Keep {spoken_character(self.char)}" if either else "")
        self.other_case_button.setAccessibleName(f"Keep {spoken_character(self.char.swapcase())}" if either else "")
        if either:
            self.other_case_button.setToolTip(f"Keep it as {describe_example_label(self.char.swapcase())}")
        self._show_counts()

    def _keep_other_case(self) -> None:
        self.char_edit.setText(self.char.swapcase())
        self.accept()

    def _check(self) -> None:
        self.check_requested = True
        self.reject()  # (nothing kept: the drawing stays on the pad)

    def _show_counts(self) -> None:
        total = sum(self._kept.values())
        self.check_button.setEnabled(total > 0)
        if not total:
            text = "No examples kept in this folder yet."
        else:
            text = f"{_counted(total, 'example')} of {_counted(len(self._kept), 'character')} kept so far"
            if example_label_problem(self.char) is None:
                of_this = self._kept.get(self.char, 0)
                text += f"; {of_this} of {describe_example_label(self.char)}"
            text += "."
            # Training scores a model on every tenth of a character's examples: who collects ten of each sees
            # which still have too few.
            few = [(char, n) for char, n in self._kept.items() if n < EXAMPLES_TO_HOLD_ONE_OUT]
            if few:
                listed = ", ".join(f"{char}: {n}" for char, n in few[:FEW_LISTED])
                more = f" and {len(few) - FEW_LISTED} more" if len(few) > FEW_LISTED else ""
                text += f" Fewer than {EXAMPLES_TO_HOLD_ONE_OUT}, too few to check a model on: {listed}{more}."
        if self._strays:  # training stops at them: said before the person gets there
            named = ", ".join(f"“{printable_name(name)}”" for name in self._strays[:3])
            more = f" and {len(self._strays) - 3} more" if len(self._strays) > 3 else ""
            text += (
                f" The folder also holds {named}{more}, named as no character: training refuses the folder "
                f"until you move {'them' if len(self._strays) > 1 else 'it'} out."
            )
        self.counts.setText(text)
        if self.isVisible():  # (a longer text after Change Folder…: a line more)
            QTimer.singleShot(0, self._fit_height)

    def _show_folder(self) -> None:
        """The folder's path in the room its label has, cut in its middle when it needs to be."""
        shown = display_path(self.folder)
        width = max(self.folder_label.contentsRect().width(), self.folder_label.minimumWidth())
        cut = self.folder_label.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideMiddle, width)
        self.folder_label.setText(f"<a href='open'>{html.escape(cut)}</a>")
        self.folder_label.setToolTip(f"{shown} (click to open it)")
        self.folder_label.setAccessibleName(f"Kept in {shown}")
        self.folder_label.setAccessibleDescription("Enter opens the folder")

    def _open_folder(self) -> None:
        """The folder in the system's file manager (made first, when nothing was kept in it yet)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.counts.setText(f"{self.folder} cannot be made: {error.strerror or error}")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Keep Examples In", str(self.folder))
        if chosen:
            self.folder = Path(chosen)
            self._kept, self._strays = example_counts(self.folder), stray_folders(self.folder)
            self._show_folder()
            self._show_counts()
