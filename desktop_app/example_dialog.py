"""File -> Keep as Example: the dialog that asks which character a drawing is and where the person's
handwriting is kept (:mod:`ml.runtime.handwriting_examples` names the files and counts them)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ml.runtime.handwriting_examples import (
    EXAMPLES_FOLDER_NAME,
    describe_example_label,
    example_counts,
    example_label_problem,
)
from ml.runtime.image_files import display_path


def default_examples_folder() -> Path:
    """The folder offered the first time: "GlyphPad handwriting" in the person's documents (the home
    folder where there are none)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return (Path(documents) if documents else Path.home()) / EXAMPLES_FOLDER_NAME


def _counted(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' if number != 1 else ''}"


def _command(verb: str) -> str:
    """A command in the dialog's text, kept on one line (it broke after "--")."""
    return f"<tt style='white-space:nowrap'>glyphpad-ml {verb} --images FOLDER</tt>"


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
        self.char_edit.setMaxLength(1)
        self.char_edit.setAccessibleName("Character")
        self.char_edit.selectAll()  # typed over when the answer shown was wrong
        self.said = QLabel()  # "a capital A", or why the character cannot be kept
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.change_button = QPushButton("Change Folder…")
        self.change_button.setAutoDefault(False)  # Enter keeps the example
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        explained = QLabel(
            f"Each character in a folder of its own, as {_command('train')} learns from it and "
            f"{_command('evaluate')} scores the models on it. Type the character as you wrote it: a small a "
            "and a capital A are kept apart."
        )
        explained.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.keep_button = self.buttons.addButton("Keep", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setDefault(True)
        self.buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)

        character_row = QHBoxLayout()
        character_row.addWidget(self.char_edit)
        character_row.addWidget(self.said, 1)
        form = QFormLayout()
        character_label = QLabel("&Character:")
        character_label.setBuddy(self.char_edit)
        form.addRow(character_label, character_row)
        form.addRow("Kept in:", self.folder_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.counts)
        layout.addWidget(explained)
        layout.addWidget(self.buttons)
        self.char_edit.setFixedWidth(self.char_edit.fontMetrics().horizontalAdvance("W") * 3)

        self.char_edit.textChanged.connect(self._show_character)
        self.change_button.clicked.connect(self._choose_folder)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._kept = example_counts(folder)
        self._show_folder()
        self._show_character()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 60)

    @property
    def char(self) -> str:
        return self.char_edit.text()

    def _show_character(self) -> None:
        problem = example_label_problem(self.char)
        self.keep_button.setEnabled(problem is None)
        said = problem.capitalize() if problem else describe_example_label(self.char)
        if problem is None and self._either_case and self.char == self._either_case:
            said += f" (type {self.char.swapcase()} for a {'small' if self.char.isupper() else 'capital'} one)"
        self.said.setText(said)
        self._show_counts()

    def _show_counts(self) -> None:
        total = sum(self._kept.values())
        if not total:
            self.counts.setText("No examples kept in this folder yet.")
            return
        text = f"{_counted(total, 'example')} of {_counted(len(self._kept), 'character')} kept so far"
        if example_label_problem(self.char) is None:
            of_this = self._kept.get(self.char, 0)
            text += f"; {of_this} of {describe_example_label(self.char)}"
        self.counts.setText(text + ".")

    def _show_folder(self) -> None:
        self.folder_label.setText(display_path(self.folder))
        self.folder_label.setToolTip(str(self.folder))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Keep Examples In", str(self.folder))
        if chosen:
            self.folder = Path(chosen)
            self._kept = example_counts(self.folder)
            self._show_folder()
            self._show_counts()
