"""Copy Picture and Save Picture… on the pictures that explain an answer (the model's input, Grad-CAM, the pen
path, the activation maps): for a report, a lesson's slides or a question to a teacher."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from ml.runtime.atomic_files import write_atomically
from ml.runtime.image_files import path_exists

EXPORT_LEAST_SIDE = 560  # px: a picture of 28 x 28 pixels is enlarged to at least this, in whole pixels


def enlarged(image: QImage) -> QImage:
    """``image`` enlarged by the whole factor that brings its longer side to EXPORT_LEAST_SIDE or more, each
    pixel a sharp square (a 28 x 28 picture pasted into a document was a smudge)."""
    factor = max(1, -(-EXPORT_LEAST_SIDE // max(image.width(), image.height(), 1)))
    if factor == 1:
        return image
    return image.scaled(image.width() * factor, image.height() * factor, mode=Qt.TransformationMode.FastTransformation)


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG in memory (written to disk by Python, which says when the disk is full)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs say bytes; PySide6 takes a str)
    buffer.close()
    return bytes(data.data())


class PictureMenu(QObject):
    """A context menu on ``widget`` to copy or save what ``picture()`` gives (None: nothing shown yet, the
    entries disabled). ``folder()``: where Save opens. Emits ``saved`` with the file written."""

    saved = Signal(Path)
    copied = Signal()

    def __init__(
        self, widget: QWidget, name: str, picture: Callable[[], QImage | None], folder: Callable[[], Path]
    ) -> None:
        super().__init__(widget)
        self._widget, self._name, self._picture, self._folder = widget, name, picture, folder
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        widget.customContextMenuRequested.connect(self._open)

    def shown(self) -> bool:
        """Whether there is a picture to copy or save."""
        return self._picture() is not None

    def menu(self) -> QMenu:
        menu = QMenu(self._widget)
        shown = self.shown()
        for text, act in (("&Copy Picture", self.copy), ("&Save Picture…", self.save)):
            action = menu.addAction(text, act)
            action.setEnabled(shown)
        return menu

    def _open(self, position: QPoint) -> None:
        self.menu().popup(self._widget.mapToGlobal(position))

    def copy(self) -> None:
        image = self._picture()
        if image is not None:
            QApplication.clipboard().setImage(enlarged(image))
            self.copied.emit()

    def save(self) -> None:
        image = self._picture()
        if image is None:
            return
        chosen, _ = QFileDialog.getSaveFileName(
            self._widget, "Save Picture", str(self._folder() / f"glyphpad-{self._name}.png"), "PNG picture (*.png)"
        )
        if not chosen:
            return
        path = Path(chosen) if Path(chosen).suffix.lower() == ".png" else Path(chosen + ".png")
        if path != Path(chosen) and path_exists(path):  # the dialog asked about the name typed, not this one
            answer = QMessageBox.question(self._widget, "Save Picture", f"{path.name} already exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            write_atomically(path, png_bytes(enlarged(image)))
        except OSError as error:
            QMessageBox.critical(self._widget, "Save Picture", f"Could not write {path}:\n{error.strerror or error}")
            return
        self.saved.emit(path)
