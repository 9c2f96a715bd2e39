"""What the window opens, saves, exports, pastes and copies: the file dialogs' kinds, the paths written, a
dropped file's path, a pasted picture, a table's rows as a spreadsheet reads them."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QLocale, QMimeData, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTableView

from desktop_app.widgets.canvas import qimage_to_pixels
from ml.runtime.atomic_files import write_atomically
from ml.runtime.image_files import IMAGE_PATTERNS, PICTURE_FORMATS, path_exists
from ml.runtime.percentages import LEAST_SHOWN

IMAGE_FILTER = f"Images ({IMAGE_PATTERNS});;All files (*)"
# The pad opens pictures and stroke files (the JSON `glyphpad-ml predict` reads; Save Drawing writes it).
OPEN_FILTER = f"Pictures and pen strokes ({IMAGE_PATTERNS} *.json);;Pen strokes (*.json);;" + IMAGE_FILTER
STROKES_KIND = "Pen strokes (*.json)"
PICTURE_KIND = "PNG picture (*.png)"


NUMBER_CELL = re.compile(r"[<>]?\d+\.\d+%?")  # "97.1%", "<0.1%", "2.4" (ms)


# A cell's whole text where the one shown differs for the eye (a note's lines marked with ⏎ in one row): copied
# as it is, so a spreadsheet gets the lines.
COPIED_TEXT_ROLE = Qt.ItemDataRole.UserRole + 100


def chosen_table_cells(table: QTableView, decimal_comma: bool = False) -> list[list[str]]:
    """The rows chosen in ``table`` as their cells' texts, the header first (no rows chosen: []): what the
    cells show less what is there for the eye (the zero-width spaces a narrow column may wrap a name at, the
    dot that marks the model in use), a cell's ``COPIED_TEXT_ROLE`` text where it has one, a tab or a line
    break in a file's name as a space, and with ``decimal_comma`` numbers as a spreadsheet that writes 0,97
    reads them ("97,1%": "97.1%" was text there)."""
    chosen = (
        sorted({index.row() for index in table.selectionModel().selectedIndexes()}) if table.selectionModel() else []
    )
    model = table.model()
    if not chosen or model is None:
        return []
    columns = range(model.columnCount())
    rows = [[str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]]
    for row in chosen:
        cells = []
        for column in columns:
            index = model.index(row, column)
            whole = index.data(COPIED_TEXT_ROLE)
            if whole is not None:
                cells.append(str(whole))
                continue
            cell = str(index.data() or "").replace("\u200b", "").removeprefix("● ")
            cell = " ".join(cell.split()) if "\t" in cell or "\n" in cell else cell
            cells.append(cell.replace(".", ",") if decimal_comma and NUMBER_CELL.fullmatch(cell) else cell)
        rows.append(cells)
    return rows


def tab_separated(rows: list[list[str]]) -> str:
    """``rows`` as a spreadsheet copies them: cells apart by tabs, rows by new lines, a cell that holds a tab,
    a new line or starts with a quote in quotes (its quotes doubled), as Excel, LibreOffice and Google Sheets
    write and read them on the clipboard."""

    def cell_text(cell: str) -> str:
        if "\t" in cell or "\n" in cell or cell.startswith('"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "\n".join("\t".join(cell_text(cell) for cell in row) for row in rows)


def html_table(rows: list[list[str]]) -> str:
    """``rows`` as an HTML table, the first its header: what a spreadsheet pastes from when it is there, a
    cell's lines kept in the cell (Excel makes a <br> a new row unless told the same cell)."""
    line_break = '<br style="mso-data-placement:same-cell">'

    def cell_html(tag: str, cell: str) -> str:
        return f"<{tag}>" + line_break.join(html.escape(line) for line in cell.split("\n")) + f"</{tag}>"

    tags = ["th"] + ["td"] * (len(rows) - 1)  # the header's cells, then the rows'
    body = ("<tr>" + "".join(cell_html(tag, c) for c in row) + "</tr>" for tag, row in zip(tags, rows, strict=True))
    return '<meta charset="utf-8"><table>' + "".join(body) + "</table>"  # (a pasted é read as Ã© without it)


def table_rows_mime(table: QTableView, decimal_comma: bool = False) -> QMimeData | None:
    """The rows chosen in ``table`` for the clipboard, the header first, as tab-separated text and as an HTML
    table (see ``chosen_table_cells``); None when no row is chosen."""
    rows = chosen_table_cells(table, decimal_comma)
    if not rows:
        return None
    data = QMimeData()
    data.setText(tab_separated(rows))
    data.setHtml(html_table(rows))
    return data


# A pasted picture's file formats GlyphPad reads, best first: JPEG is read smaller when huge.
PASTED_FORMATS = tuple(kind.mime for kind in sorted(PICTURE_FORMATS, key=lambda kind: kind.name != "JPEG"))


CSV_KIND = "CSV (*.csv)"
REGIONAL_CSV_KIND = "CSV for a spreadsheet that writes 0,97: fields apart by ; (*.csv)"
JSON_KIND = "JSON (*.json)"


def pasted_percent(confidence: float, comma: bool = False) -> str:
    """A confidence as a spreadsheet reads it (``comma``: with a decimal comma): one decimal, as the answers
    panel shows it, and below 0.1%, where the panel says "<0.1%", its first two figures ("0.0%" pasted
    contradicted the panel, a student's trial); above 99.9%, where the panel says ">99.9%", two decimals."""
    if confidence < LEAST_SHOWN:
        number = f"{100 * confidence:.2g}"
    else:
        number = f"{100 * confidence:.2f}" if confidence >= 1.0 - LEAST_SHOWN else f"{100 * confidence:.1f}"
    return (number.replace(".", ",") if comma else number) + "%"


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
