"""Help's dialogs: Reading the Answers, Keyboard Shortcuts and Model Cards (every model's card, the
stroke models' after them, with a list to go to one)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.inference_service import ModelInfo
from desktop_app.screen_fit import fitted_size
from desktop_app.themes import text_scale
from desktop_app.widgets.explain_view import MAX_CHANNELS_SHOWN
from desktop_app.widgets.fonts import UNSURE_BELOW
from desktop_app.widgets.model_card import card_html
from desktop_app.widgets.text_panel import MARKS_READ
from ml.runtime.cards import ModelCard

GUIDE_HTML = f"""
<p><a href="#answers">The answers</a> · <a href="#practice">Practice</a> · <a href="#text-mode">Text Mode</a> ·
<a href="#batch">Batch</a> · <a href="#compare">Compare</a> · <a href="#model-sees">What the model sees</a> ·
<a href="#explain">Explain</a> · <a href="#activation-maps">Activation maps</a> · <a href="#trust">How far to trust
it</a></p>
<h3><a name="answers"></a>The answers</h3>
<p>The model's most likely classes, each with the probability it gives it. A model of 36 classes reads a
letter in either case as one class (“A / a”); O against 0, and l against 1, are close calls for any reader,
and the bars say how close; an answer in orange, “a guess” under the bars, is one the model gives under
50%. A drawing is read
from its picture and its pen strokes together (“picture + strokes” under the bars) when the model has a
stroke model; a picture opened from a file, from its pixels (a tap of the pen well away from a drawing is
left out, and the answer says so). How sure an answer says it is, from one model alone or from the two
fused, was fitted on writers no model learned from: there it came within 3.1 points or less, on average, of
how often answers that sure were right; 1.2 for the default's answer to a drawing (each model's card says
its own figure, a stroke model's card the fused answer's).</p>
<h3><a name="practice"></a>Practice</h3>
<p>Practice (on the toolbar, or View → Practice, Ctrl+Shift+P) asks for a character over the pad: write it, and
the bar says whether it was read
so (✓, at once; "only just" where the model was not sure of it) or what it was read as (✗, once the pen has rested
a moment: a letter of several strokes is not judged halfway). Try Again clears the pad for another go; Enter (Next)
asks for another: each counts as its last reading went, and the score is kept until you end it (End, Alt+D, or
Ctrl+Shift+P again), when a box says how it went, which characters to work on, and how each character asked went
(Copy Table pastes it into a spreadsheet; Save… writes it as a CSV file, with the model that read each character,
the date and the name typed under Written by). Type characters in the Only box
(bdpq, or a range: 0-9, a-z) and press Enter to be asked for those alone (letters alone, or digits alone: a try is
read among them, so a q in a drill of b, d, p and q is not read as a 9); Work on Misses asks only for those read
otherwise so far.</p>
<h3><a name="text-mode"></a>Text Mode: words and lines</h3>
<p>Text Mode (Ctrl+T) reads a word or a line written left to right, and lines written one under another.
Each character found gets a box on the pad and a button under it; an <u>underlined</u> one was read with
less than {UNSURE_BELOW:.0%} certainty: click it (or Tab to it and press Space) for the other readings, or type the
right character. Besides letters and digits it reads {html.escape(MARKS_READ)} by their shape and place on the line
(a date, "12/05"; a sum, "2+3=5"; a phone number, "+44 7700"). Backspace takes away the last character's
strokes; the eraser takes away each stroke it touches (shown red until it lifts). Ctrl+Enter adds the line to
the text box below and clears the pad for the next; Undo brings it back. While you type in the text box, Undo
and Redo are the box's. Drag the divider above the line to give the text box more room.</p>
<h3><a name="batch"></a>Batch: a folder at once</h3>
<p>Folder… (Ctrl+Shift+B) reads every picture and stroke file in a folder and its subfolders, Files…
(Ctrl+B, or several files dropped on the window) the files chosen: one row a file. <b>Each file holds</b>
says how: one character (its answer, confidence and runners-up) or a line of text (a word, a number, a note:
its text, its least sure character, and the characters under 80%). A folder of mostly words read as
characters is read again as lines by itself, unless you picked one character. Sort by the confidence to see
the least sure first; a file that could not be read says why in its row. F2 (or Correct the Answer… in the
rows' menu) types the right answer, for a file not read too; Enter opens the file on the pad. Export… writes
CSV (for a spreadsheet; the <i>corrected</i> column holds what you typed) or JSON, and Ctrl+C copies the
chosen rows, file and answer, to paste into a spreadsheet.</p>
<h3><a name="compare"></a>Compare</h3>
<p>The same drawing read by every ticked model. ● marks the model in use; =● says whether a model agrees (✓),
does not (✗, in orange) or cannot give that answer at all (–: a letters-only model has no 7). A model with
a stroke model has three rows: “(picture)” reading the picture alone, “(strokes)” its stroke model alone, and
“+ strokes” the two together, as the window reads a drawing. Double-click a row (or press Enter on it) to
use its model.</p>
<h3><a name="model-sees"></a>What the model sees (28×28)</h3>
<p>Your drawing as the model gets it: cut to its ink, its longer side brought to 24 pixels and centred, its
strokes to one width. What is not in this square, the model never saw.</p>
<h3><a name="explain"></a>Explain: where the evidence is</h3>
<p><b>Grad-CAM</b> colours the 28×28 input by how much each part counted for the picture model's answer, or
for the class you pick: yellow most, dark blue least (the key under it); where the strokes are read too, the
answer shown weighs the picture model's with the stroke model's (the pen path, below). Evidence can lie on
blank paper: the space to the right of a 1 is what tells it from a 7. Models with no convolution layer
(letters_gru, letters_lstm) show input-gradient <b>saliency</b> instead: where changing a pixel would change
the score most. Right of it, for a drawing, the <b>pen path</b>: the stroke model's evidence along your
strokes, a dot where each stroke starts.</p>
<h3><a name="activation-maps"></a>Activation maps</h3>
<p>What each filter of a convolution layer responds to in this drawing: a tile per channel, bright where it
responds, each tile scaled on its own. The first layer's filters respond to edges and stroke directions;
deeper layers are smaller and respond to parts of characters. A layer of more than {MAX_CHANNELS_SHOWN}
channels shows {MAX_CHANNELS_SHOWN} at a time: choose which beside the layer.</p>
<h3><a name="trust"></a>How far to trust it</h3>
<p>Help → Model Cards gives each model's accuracy on pen drawings by writers it never saw and on scanned
forms, and what it learned from.</p>
<p>Right-click a picture to copy or save it (from the keyboard: Edit → Copy Picture, File → Save Picture);
Ctrl+Shift+C copies the answers with their confidences.</p>
"""

# What the pen, the mouse and Tab do, after the menus' shortcuts.
POINTER_ROWS = (
    ("Draw (pen pressure widens the stroke)", "Pen, or the left mouse button"),
    ("Read a picture", "Drop it on the window, or paste it"),
    ("Without a pen or mouse", "Open (Ctrl+O) or paste (Ctrl+V) a picture, or open a stroke file"),
    ("Text mode: other readings of a character, a space before it", "Click it, or Tab to it and Space"),
    ("Text mode: type the right character", "Type it after a click on it (or Tab), or its menu's Type another…"),
    ("Text mode: a stray mark", "Its menu's Leave out of the text"),
    ("Text mode: a whole word read wrong (joined-up letters)", "Any of its characters' menus: Retype the word…"),
    ("Text mode: one letter boxed as two", "Either half's menu: Join with the next (previous) character"),
    ("Text mode: two letters boxed as one (or written in one stroke)", "Its menu: Split in two"),
    ("Practice (View → Practice): another character to write", "Enter, or Next"),
)
# The keys of the Batch and Compare tables (their own, not the menus'), when a table has the focus.
TABLE_ROWS = (
    ("Batch: open the row's file on the pad", "Enter, or double-click"),
    ("Batch: correct the row's answer", "F2"),
    ("Batch: the rows' menu (open, correct, sort)", "Shift+F10, the Menu key, or right-click"),
    ("Compare: use the row's model", "Enter, or double-click"),
    ("Copy the rows chosen, for a spreadsheet", "Ctrl+C (Ctrl+A chooses them all)"),
)


def text_dialog(parent: QWidget, title: str, size: QSize, text_html: str) -> QDialog:
    """A dialog of rich text to read, and Close: Help's guide and keyboard shortcuts."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    app = QApplication.instance()
    scale = text_scale(app) if isinstance(app, QApplication) else 1.0
    dialog.resize(fitted_size(parent, size * scale))  # as much text a page at a larger text size (200%: twice)
    layout = QVBoxLayout(dialog)
    browser = QTextBrowser()
    browser.setAccessibleName(title.lower())
    browser.setHtml(text_html)
    layout.addWidget(browser)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return dialog


def guide_dialog(parent: QWidget) -> QDialog:
    """Help → Reading the Answers: what each view shows and how to read it (a student found the pictures
    but nothing that said what their colours, tiles and marks meant). What a person does first (the answers,
    Practice, Text Mode, Batch) before how the model reads, with links to each (a teacher's trial found it
    opening on the 28×28 input and Practice sixth)."""
    return text_dialog(parent, "Reading the Answers", QSize(620, 640), GUIDE_HTML)


def shortcuts_dialog(parent: QWidget, menu_rows: Iterable[tuple[str, str, str]]) -> QDialog:
    """Help → Keyboard Shortcuts: every menu command's keys (``menu_rows``: menu, command, keys), then what
    the pen and the mouse do, and the tables' own keys."""

    def row(command: str, keys: str) -> str:
        return f"<tr><td>{html.escape(command)}</td><td><b>{html.escape(keys)}</b></td></tr>"

    def heading(title: str) -> str:
        return f"<tr><td colspan=2><br><b>{html.escape(title)}</b></td></tr>"

    parts, menu_before = [], None
    for menu, command, keys in menu_rows:
        if menu != menu_before:
            parts.append(heading(menu))
            menu_before = menu
        parts.append(row(command, keys))
    parts.append(heading("With the pen, the mouse and Tab"))
    parts += [row(what, how) for what, how in POINTER_ROWS]
    parts.append(heading("In the Batch and Compare tables"))
    parts += [row(what, how) for what, how in TABLE_ROWS]
    table = f"<table cellpadding=3>{''.join(parts)}</table>"
    return text_dialog(parent, "Keyboard Shortcuts", QSize(560, 640), table)


def model_cards_dialog(parent: QWidget, models: dict[str, ModelInfo], in_use: str) -> QDialog:
    """Every model's card, the model in use (``in_use``) first, with a list of them to go to one."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Model Cards")
    # The list of cards and a card at least as wide as before; larger in a large window (on a big screen
    # it stayed 900x560, with a wide gap between the list and the card).
    wanted = QSize(max(900, int(parent.width() * 0.8)), max(560, int(parent.height() * 0.85)))
    dialog.resize(fitted_size(parent, wanted))
    layout = QVBoxLayout(dialog)
    browser = QTextBrowser()
    browser.setAccessibleName("model card")
    parts = []
    # The model in use first: the card a person opening this most likely wants.
    for info in sorted(models.values(), key=lambda info: info.name != in_use):
        if info.card is None or info.error:
            parts.append(f"<h2>{html.escape(info.name)}</h2><p><b>Unavailable:</b> {html.escape(info.error)}</p>")
        if info.card is not None:
            parts.append(card_html(info.card, info.fused))
        parts.append("<hr>")
    in_use_info = models.get(in_use)
    image_sha256 = in_use_info.card.sha256 if in_use_info is not None and in_use_info.card is not None else ""
    parts += stroke_model_cards(in_use, image_sha256)
    # A list of the cards beside them, to go to one: fifteen cards are a long page to scroll through.
    titles: list[str] = []
    sections: list[int] = []  # a section's heading (h1) among the cards' (h2)

    def anchored(match: re.Match[str]) -> str:
        level, title = match.group(1), match.group(2)
        if level == "1":
            sections.append(len(titles))
        titles.append(html.unescape(re.sub("<[^>]+>", "", title)))
        return f'<h{level}><a name="card-{len(titles) - 1}"></a>{title}</h{level}>'

    browser.setHtml(re.sub(r"<h([12])>(.*?)</h\1>", anchored, "".join(parts)) or "<p>No models.</p>")
    contents = QListWidget()
    contents.addItems(titles)
    for row in sections:  # a section ("Stroke models") is no model: set apart in bold
        font = contents.item(row).font()
        font.setBold(True)
        contents.item(row).setFont(font)
    contents.setAccessibleName("model cards")
    contents.setMaximumWidth(max(140, contents.sizeHintForColumn(0) + 24))
    contents.setCurrentRow(0)  # the model in use, at the top of the page
    contents.currentRowChanged.connect(lambda row: browser.scrollToAnchor(f"card-{row}"))
    split = QSplitter()
    split.addWidget(contents)
    split.addWidget(browser)
    split.setStretchFactor(1, 1)
    # The list's pane as wide as the list: the splitter's even share left a gap of 90-135 px beside it.
    split.setSizes([contents.maximumWidth(), dialog.width()])
    layout.addWidget(split)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return dialog


def _fitted_for(weights_path: Path) -> object:
    """The image model a stroke card names as fused with, read as it stands (a copy whose shared weights
    are damaged is listed, unavailable, only while its model is in use, as it is when it can be used)."""
    from ml.runtime.cards import WeightsError, card_path_for, read_card

    try:
        return read_card(card_path_for(weights_path)).fusion.get("image_model")
    except WeightsError:
        return None


def stroke_model_cards(in_use: str, image_sha256: str) -> list[str]:
    """The stroke models' cards, after the picture models': a drawing's answer is the model in use
    (``in_use``, its weights' ``image_sha256``) fused with one of them, and the cards said nothing of it."""
    from ml.runtime.cards import bundled_cards, fusion_partner, refit_command, stale_fusions, stroke_models_dir

    try:
        cards = bundled_cards(stroke_models_dir())
        # Fitted for these very weights, as the app's own choice is: a retrained model is fused with none.
        partner = fusion_partner(in_use, image_sha256=image_sha256)
    except OSError:
        return []
    if not cards:
        return []
    stale = set(stale_fusions(in_use, image_sha256))  # fitted to the weights the model in use had before
    parts = [
        "<h1>Stroke models</h1><p>A drawing is read twice: from its picture by the model in use, and from "
        "the pen's strokes (their order, direction and lifts) by a stroke model; the answer fuses the two. "
        "An opened picture has no strokes and is read from its pixels alone. Each other model is fused with "
        "a copy of one (a card of its own that shares its weights), listed here while that model is in use.</p>"
    ]
    for path, card in cards:
        if not path.exists() and _fitted_for(path) != in_use:
            continue  # a copy fused with another model, its card alone (sixteen of them made a list of 29 cards)
        if not isinstance(card, ModelCard):
            parts.append(f"<h2>{html.escape(path.stem)}</h2><p><b>Unavailable:</b> {html.escape(str(card))}</p>")
            continue
        try:
            text = card_html(card)
        except (TypeError, AttributeError, ValueError) as error:  # a card edited into the wrong shapes
            parts.append(f"<h2>{html.escape(path.stem)}</h2><p><b>Unreadable card:</b> {html.escape(str(error))}</p>")
            continue
        if path == partner:  # under its name
            note = f"<p><b>Fused with {html.escape(in_use)}, the model in use.</b></p>"
            text = text.replace("</h2>", "</h2>" + note, 1)
        elif card.name in stale:
            note = (
                f"<p><b>Fitted to an earlier {html.escape(in_use)}</b>, not to the model in use: "
                f"<tt>{html.escape(refit_command(card.name, in_use))}</tt> fits it again.</p>"
            )
            text = text.replace("</h2>", "</h2>" + note, 1)
        parts += [text, "<hr>"]
    return parts
