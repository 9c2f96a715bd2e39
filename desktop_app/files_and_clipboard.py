"""What the window opens, saves, exports, pastes and copies: the file dialogs' kinds, the paths written, a
dropped file's path, a pasted picture, a table's rows as a spreadsheet reads them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QLocale, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTableView

from desktop_app.widgets.canvas import qimage_to_pixels
from ml.runtime.atomic_files import write_atomically
from ml.runtime.image_files import IMAGE_PATTERNS, PICTURE_FORMATS, path_exists

IMAGE_FILTER = f"Images ({IMAGE_PATTERNS});;All files (*)"
# The pad opens pictures and stroke files (the JSON `glyphpad-ml predict` reads; Save Drawing writes it).
OPEN_FILTER = f"Pictures and pen strokes ({IMAGE_PATTERNS} *.json);;Pen strokes (*.json);;" + IMAGE_FILTER
STROKES_KIND = "Pen strokes (*.json)"
PICTURE_KIND = "PNG picture (*.png)"


NUMBER_CELL = re.compile(r"[<>]?\d+\.\d+%?")  # "97.1%", "<0.1%", "2.4" (ms)


def table_rows_text(table: QTableView, decimal_comma: bool = False) -> str:
    """The rows chosen in ``table`` as tab-separated lines of what its cells show (the header first), for a
    spreadsheet: a tab or a line break inside a cell (a file's name) as a space, and with ``decimal_comma``
    numbers as a spreadsheet that writes 0,97 reads them ("97,1%": "97.1%" was text there)."""
    chosen = (
        sorted({index.row() for index in table.selectionModel().selectedIndexes()}) if table.selectionModel() else []
    )
    model = table.model()
    if not chosen or model is None:
        return ""
    columns = range(model.columnCount())
    header = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
    lines = ["\t".join(header)]
    for row in chosen:
        # As the cells read, less what is there for the eye: the zero-width spaces a narrow column may wrap
        # a name at, the dot that marks the model in use.
        cells = [str(model.index(row, c).data() or "").replace("\u200b", "").removeprefix("● ") for c in columns]
        cells = [" ".join(cell.split()) if "\t" in cell or "\n" in cell else cell for cell in cells]
        if decimal_comma:
            cells = [cell.replace(".", ",") if NUMBER_CELL.fullmatch(cell) else cell for cell in cells]
        lines.append("\t".join(cells))
    return "\n".join(lines)


# A pasted picture's file formats GlyphPad reads, best first: JPEG is read smaller when huge.
PASTED_FORMATS = tuple(kind.mime for kind in sorted(PICTURE_FORMATS, key=lambda kind: kind.name != "JPEG"))


CSV_KIND = "CSV (*.csv)"
REGIONAL_CSV_KIND = "CSV for a spreadsheet that writes 0,97: fields apart by ; (*.csv)"
JSON_KIND = "JSON (*.json)"


def writes_decimal_comma(locale: QLocale) -> bool:
    """Whether numbers are written 0,97 where ``locale`` is (its spreadsheets read them so)."""
    return locale.decimalPoint() == ","


def export_kinds(locale: QLocale) -> list[str]:
    """The kinds Export offers, the one to choose first first: where the system writes a decimal comma, the
    CSV a spreadsheet there opens as a table."""
    if writes_decimal_comma(locale):
        return [REGIONAL_CSV_KIND, CSV_KIND, JSON_KIND]
    return [CSV_KIND, REGIONAL_CSV_KIND, JSON_KIND]


def dropped_path(url: QUrl) -> Path:
    """The file a dropped URL names. A name that is not UTF-8 (a zip made on an old Windows PC: "Sch\\xfcler")
    comes percent-encoded byte for byte; Qt decodes it as UTF-8, into a name no file has ("not found"): its
    bytes are taken as the file system's then."""
    path = Path(url.toLocalFile())
    if path_exists(path):  # (one that cannot be looked at, a name too long: opening it says why)
        return path
    raw = QByteArray.fromPercentEncoding(url.path(QUrl.ComponentFormattingOption.FullyEncoded).encode("ascii"))
    as_bytes = Path(os.fsdecode(bytes(raw.data())))
    return as_bytes if path_exists(as_bytes) else path


def export_path(chosen: str, kind: str) -> Path:
    """The file an export writes: the name typed, with the chosen kind's suffix when it has neither (a
    name typed without one was written as "results", which nothing opens as a table)."""
    path = Path(chosen)
    if path.suffix.lower() in (".csv", ".json"):
        return path
    return path.with_name(path.name + (".json" if "json" in kind.lower() else ".csv"))


def saved_drawing_path(chosen: str, kind: str) -> Path:
    """The file Save Drawing writes: the name typed when it ends in .json or .png, else with the chosen
    kind's suffix."""
    path = Path(chosen)
    if path.suffix.lower() in (".json", ".png"):
        return path
    return path.with_name(path.name + (".json" if kind == STROKES_KIND else ".png"))


def save_grey_png(pixels: Any, path: Path) -> None:
    """A grey uint8 picture as a PNG, written whole or not at all (beside it first, then moved over it).
    Raises OSError. Encoded in memory and written by Python, which says when the disk is full (Qt's writer
    said it had written a PNG it left empty: "Saved", a 0-byte file)."""
    write_atomically(path, grey_png_bytes(pixels))


def grey_png_bytes(pixels: Any) -> bytes:
    """A grey uint8 picture, encoded as a PNG file's bytes."""
    import io

    import numpy as np
    from PIL import Image

    encoded = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(encoded, format="PNG")
    return encoded.getvalue()


def pasted_picture(image: QImage) -> tuple[QImage, Any]:
    """A pasted or dropped picture as the pad shows it and as recognition reads it: as a picture taken of
    something (a photo, a screenshot of one), whose light and page lines are evened out and left out as an
    opened file's are. Drawings on the pad are not: they are read as drawn.

    One longer than ``LOAD_MAX_SIDE`` is averaged down first, as an opened file is (a 9000 x 9000 picture
    pasted whole took 2.6 GB as floats, a 16000 x 16000 one 8 GB); its boxes are still given in its own
    pixels."""
    import numpy as np

    from ml.runtime.image_io import LOAD_MAX_SIDE, LoadedImage

    own_size = (image.width(), image.height())
    factor = -(-max(own_size) // LOAD_MAX_SIDE)
    if factor > 1:  # Qt's smooth scaling averages the pixels each one replaces when it shrinks a picture
        image = image.scaled(
            -(-own_size[0] // factor),
            -(-own_size[1] // factor),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    pixels = np.divide(qimage_to_pixels(image), np.float32(255.0), dtype=np.float32)
    if factor <= 1:
        return image, LoadedImage(pixels=pixels)
    note = f"averaged down {factor}x from {own_size[0]}x{own_size[1]} pixels"
    return image, LoadedImage(pixels=pixels, notes=(note,), full_size=own_size)
