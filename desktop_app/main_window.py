"""The main window: composes the widgets, owns actions, menus and shortcuts, and wires every signal.

Widgets emit data; the window turns it into requests to the InferenceService and shows the answers.
"""

from __future__ import annotations

import contextlib
import copy
import html
import itertools
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QLocale,
    QMimeData,
    QObject,
    QSettings,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextCursor,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QLabel,
    QLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSlider,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.files_and_clipboard import (
    JSON_KIND,
    OPEN_FILTER,
    PASTED_FORMATS,
    PICTURE_KIND,
    REGIONAL_CSV_KIND,
    STROKES_KIND,
    dropped_path,
    export_kinds,
    export_path,
    grey_png_bytes,
    pasted_percent,
    pasted_picture,
    save_grey_png,
    saved_drawing_path,
    table_rows_mime,
    writes_decimal_comma,
)
from desktop_app.inference_service import (
    BatchRow,
    ComparisonRow,
    Explanation,
    InferenceService,
    ModelInfo,
    Recognition,
    StrokePartner,
    fused_row_name,
)
from desktop_app.model_listing import (
    SEE_CARDS,
    best_available,
    best_of_kind,
    folder_identity,
    listed,
    model_entry,
    models_relisted,
    none_loads_said,
    short_reason,
    with_partner,
)
from desktop_app.practice import (
    CharacterScore,
    Practice,
    answer_judged,
    cases_alike_apart,
    named_briefly,
    readable_characters,
    reads_as_asked,
    score_text,
    scores_csv,
)
from desktop_app.screen_fit import fitted_size, grown_to_screen, screen_signature
from desktop_app.settings import (
    COLLECTED_TEXT_KEY,
    COLUMN_SHARES_KEY,
    COLUMNS_STATE,
    GEOMETRY_STATE,
    LEAST_TEXT_BOX_SHARE,
    LOCK_RENEWED_EVERY_MS,
    MOST_TEXT_BOX_SHARE,
    PAD_FILE_KEY,
    PAD_KEY,
    PAD_NOTES_KEY,
    RECENT_FILES_KEY,
    SCREEN_KEY,
    TAB_KEY,
    TEXT_BOX_SHARE_KEY,
    TEXT_MODE_KEY,
    Preferences,
    SettingsHold,
    column_shares,
    keep_private,
    save_preferences,
    save_window_state,
    settings_text,
    string_list,
    text_box_share,
    window_state,
)
from desktop_app.status_voice import StatusVoice
from desktop_app.text_mode import TextModeLines
from desktop_app.themes import OVERFLOW_BUTTON_NAME, apply_text_size, apply_theme, next_text_size, overflow_icon
from desktop_app.widgets.batch_view import BatchView, other_json_files
from desktop_app.widgets.canvas import RESIZE_SETTLE_MS, DrawingCanvas
from desktop_app.widgets.compare_view import CompareView
from desktop_app.widgets.eliding_status_bar import ElidingStatusBar
from desktop_app.widgets.explain_view import ExplainView
from desktop_app.widgets.fonts import class_name, middle_cut, spoken_class_name
from desktop_app.widgets.images import PREVIEW_MAX_SIDE, grey_pixmap, preview_image
from desktop_app.widgets.model_picker import ModelPicker
from desktop_app.widgets.picture_menu import PictureMenu
from desktop_app.widgets.practice_bar import PracticeBar
from desktop_app.widgets.practice_summary import PracticeSummary
from desktop_app.widgets.prediction_panel import ERASED, NOT_SURE_BELOW, PredictionPanel
from desktop_app.widgets.text_panel import MARKS_READ, TextPanel
from desktop_app.window_menus import (
    CUDA_TEXT,
    ENGLISH_WORDS_TEXT,
    ENGLISH_WORDS_TIP,
    KEEP_EXAMPLE_TIP,
    KEEP_LINE_TIP,
    KeysStayInMenus,
    build_menus,
    tip_with_keys,
)
from desktop_app.window_menus import shortcut_rows as menu_shortcut_rows
from ml.runtime.atomic_files import write_atomically
from ml.runtime.image_files import PICTURE_FORMAT_NAMES, UNREADABLE_MIME, is_folder, path_exists, printable_name
from ml.runtime.labels import READS_ONLY, get_label_set, reads_letters
from ml.runtime.pen import PEN_WIDTHS_PX

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

    from desktop_app.example_dialog import KeptExample

log = logging.getLogger(__name__)

# An answer this late (a large picture) greys the last one and says the new input is being read: a drawing
# is answered in a few ms and never gets there.
PENDING_AFTER_MS = 150
RECENT_FILES = 8  # File → Open Recent's entries
# What the pad is, for a screen reader (character mode, text mode): drawing needs a pen or a mouse, so the
# keyboard's way in is said with it.
PAD_DESCRIPTIONS = {
    False: "Draw one character; it is read when you lift the pen. Without a pen or mouse: open (Ctrl+O) or "
    "paste (Ctrl+V) a picture of one, or open a stroke file.",
    True: "Write characters left to right; they are read after each pen lift. Without a pen or mouse: open "
    "(Ctrl+O) or paste (Ctrl+V) a picture of the writing.",
}
COMPARE_WAITS = "Draw a character, or open a picture: every ticked model reads it here."
SIDE_TABS_LEAST_WIDTH = 180  # narrower, the side tabs scroll sideways
OFFER_TEXT_MODE_FROM = 2  # characters counted in the input: Read as Text is offered under its one answer
SEVERAL_LINES_NOTE = "Several lines? Text mode reads one line at a time"  # a drawing or picture in rows
RELIST_AFTER_MS = 1000  # a change in the weights folder lists the models again after this quiet (a copy settles)
NOTED_MESSAGE_MS = 8000  # a message the person needs to read, not just glance at
NO_CUDA_SAID = "No CUDA GPU found: an NVIDIA GPU and PyTorch's CUDA build are needed (answers run on the CPU)"
PREFERENCES_LOOKED_AT_MS = 3000  # the preferences are written this long after a change at most (and at closing)
PAD_SAVE_AFTER_MS = 2000  # the pad and the text box are kept this long after their last change (and at closing)
# A stroke past the pad's edge ends there: what was drawn out there is neither on the pad nor read (an E
# whose foot went past the edge read F at 100%, with nothing said).
OFF_THE_PAD = "The pen went past the pad's edge: what was drawn out there is not on the pad, nor read"


def shares_a_stroke(strokes: Sequence[Any], others: Sequence[Any]) -> bool:
    """Whether any of ``strokes`` is one of ``others`` (the same stroke, not an equal one: an id alone was
    reused by a new stroke)."""
    return any(stroke is other for stroke in strokes for other in others)


class MainWindow(QMainWindow):
    result_shown = Signal(object)  # Recognition, once it is on screen (self-test and tests listen)

    # Built by desktop_app.window_menus.build_menus: the commands of the menus, toolbar and shortcuts.
    open_action: QAction
    save_action: QAction
    save_text_action: QAction
    keep_example_action: QAction
    paste_action: QAction
    quit_action: QAction
    undo_action: QAction
    redo_action: QAction
    clear_action: QAction
    eraser_action: QAction
    rotate_left_action: QAction
    rotate_right_action: QAction
    copy_answers_action: QAction
    copy_text_action: QAction
    text_mode_action: QAction
    practice_action: QAction
    batch_tab_action: QAction  # View -> Batch
    english_action: QAction
    view_menu: QMenu
    remove_last_action: QAction
    add_line_action: QAction
    continue_line_action: QAction
    batch_files_action: QAction
    batch_folder_action: QAction
    cancel_batch_action: QAction
    export_action: QAction
    choose_model_action: QAction
    reload_models_action: QAction
    cuda_action: QAction
    text_size_menu: QMenu
    zoom_in_action: QAction
    zoom_out_action: QAction
    actual_size_action: QAction
    cards_action: QAction
    guide_action: QAction
    shortcuts_action: QAction
    about_action: QAction
    tab_actions: list[QAction]
    number_row_shortcuts: list[QShortcut]
    model_actions: QActionGroup
    device_group: QActionGroup
    theme_group: QActionGroup
    model_menu: QMenu
    device_menu: QMenu
    recent_menu: QMenu
    top_k_menu: QMenu
    copy_picture_menu: QMenu
    save_picture_menu: QMenu
    pen_slider: QSlider
    pen_width_label: QLabel
    keys_stay_in_menus: KeysStayInMenus

    def __init__(
        self, service: InferenceService, settings: QSettings, preferences: Preferences, system_palette: Any = None
    ) -> None:
        super().__init__()
        self.setStatusBar(ElidingStatusBar(self))  # a long message ends in "…" where a small window cuts it
        self.service = service
        self.settings = settings
        self.preferences = preferences
        # Preferences given on the command line (--model, --device) hold for this run only: field -> (the
        # value given, the value saved before). A field still at the value given is saved as it was.
        self.run_only: dict[str, tuple[object, object]] = {}
        self._stroke_partners: dict[str, StrokePartner] = {}  # image model -> the stroke model reading with it
        self._system_palette = system_palette or QApplication.palette()
        self.models: dict[str, ModelInfo] = {}
        self._letter_pairs_problem = ""  # why the letter pairs cannot be read (service.spelling_checked), if so
        self._current_input: Any = None  # what the last recognition was asked about
        self._current_strokes: Any = None  # its pen strokes (ml.runtime.strokes.Strokes), when it was drawn
        self._taps_left_out = 0  # taps of the pen away from the drawing, not read with it (stray_dots)
        self._practice: Practice | None = None  # View -> Practice: the character asked for, and the score
        self._drawn_before_practice: tuple[Any, ...] = ()  # the strokes on the pad when it began: never judged
        self._practice_judged: tuple[Any, ...] = ()  # the strokes of the drawing judged last for the character asked
        # Its bar over the pad, made when practice first starts (one in the layout from the start, hidden,
        # moved the keyboard's first focus from the pad to the side tabs' bar).
        self.practice_bar: PracticeBar | None = None
        self.practice_summary: PracticeSummary | None = None  # how practice went, until dismissed (made when it ends)
        self._current_model_input: np.ndarray | None = None
        self._current_label: str | None = None  # the answer shown for it
        self._request_started: dict[int, float] = {}
        self._size_by_text = QSize()  # the window's size as a change of text size left it (not the person)
        self._size_at_text: dict[int, QSize] = {}  # ... and at each text size since the person last sized it
        # The columns' shares of the width as the person left them, which a resize goes back to (None until
        # they are laid out), and as they were at each text size zoomed through (zooming back restores them).
        self._column_shares: tuple[float, float, float] | None = None
        # The preferences as last written (hold_writing, then every few seconds and at closing: _keep_preferences).
        self._preferences_kept = replace(preferences)
        self._preferences_check = QTimer(self, interval=PREFERENCES_LOOKED_AT_MS)
        self._preferences_check.timeout.connect(self._keep_preferences)
        # The text box's share of the window's height as the person dragged it (None: the panel's own choice).
        self._text_box_share: float | None = None
        self._shares_at_text: dict[int, tuple[float, float, float]] = {}
        self._case_of_answer: tuple[int, str] = (0, "")  # request id, its letter in the case it was written
        self.input_error_box: QMessageBox | None = None  # says why a file cannot be opened (made when needed)
        self._batch_id = 0
        self._batch_asked_for: list[Path] = []  # the files and folders the last batch was asked for
        self._batch_characters_chosen = False  # "one character" picked in the Batch tab by the person
        # A batch's picture opened on the pad from its row (read as a line), and its opened file's pictures
        # (``_opened_file``'s list: as opened, and turned).
        self._batch_picture_on_pad: tuple[Path, list[object]] | None = None
        self._fallback_notice = ""  # why the model in use is not the one asked for, until it is ready
        self._compare_models: list[str] = []
        # The last file opened: its name, and what the pad may show of it (its bytes, and the same turned).
        # The file the pad shows, for the title: its pictures (the opened one and its turns) or its strokes.
        self._opened_file: tuple[list[object], str] | None = None
        self._kept_examples: list[KeptExample] = []  # drawings kept as examples, the last last (Undo takes them back)
        self._relisting = ""  # the model list was asked for again ("watch", "reload"): say what changed
        self._listed: list[ModelInfo] = []  # the last listing, as the worker sent it
        self._listing_came = False  # whether any listing came yet (one may list no model at all)
        self._closed = False
        self._relist_after_batch = False  # the folder changed while a batch ran: listed once it is done
        self._fallen_back_from = ""  # the model that could not be used when another was taken instead
        self._last_ready = ""  # the model that last loaded well: the one to read on with if another fails to load
        self._restored_note = ""  # what the window brought back from the last session, said when ready
        self._not_kept_said = False  # the settings file could not be written, and that was said
        self._in_file = ("", "")  # the text box and the pad as the settings file holds them (read, or written)
        self._hold = SettingsHold(None, "")  # whether this window keeps the writing (create_window says)
        self._asking_at_close = True  # False when a logout or shutdown closes it: no one to answer
        self.setWindowTitle("GlyphPad")
        self.setAcceptDrops(True)
        self._build_widgets()
        build_menus(self)
        # Practice's Next from the keyboard, while practising, where the pad's column has the focus (Return is
        # no key of the pad's otherwise; elsewhere Enter keeps its work: Compare's row, a dialog's button).
        self._next_keys = [
            QShortcut(QKeySequence(key), self.pad_column) for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ]
        for key in self._next_keys:
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(self._enter_while_practising)
            key.setEnabled(False)
        self._colour_toolbar_overflow()
        for toolbar in self.findChildren(QToolBar):  # docked at a side and back, Qt puts its own grey one back
            toolbar.orientationChanged.connect(lambda _: QTimer.singleShot(0, self, self._colour_toolbar_overflow))
        self._wire()
        try:
            self._restore_state()
        except Exception:  # settings damaged in a way not foreseen: the window starts as new, never not at all
            log.exception("the saved window state could not be restored")
        # Kept as it changes (added lines, typing, Undo taking a line out), once the typing pauses: a crash
        # loses at most the last seconds. Not at every key: the whole text was copied and the settings file
        # written again on each (76 ms a key with a year's 50,000 lines).
        self._text_save_timer = QTimer(self, singleShot=True, interval=PAD_SAVE_AFTER_MS)
        self._text_save_timer.timeout.connect(self._save_text)
        self.text_panel.text_box.textChanged.connect(self._text_save_timer.start)
        self.statusBar().showMessage("Loading models…")

    # ---- construction ----------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.canvas = DrawingCanvas()
        self.canvas.setAccessibleDescription(PAD_DESCRIPTIONS[False])
        self.canvas.pen_width = float(self.preferences.pen_width)
        self.predictions = PredictionPanel(top_k=self.preferences.top_k)
        self.predictions.read_as_text.clicked.connect(lambda: self.set_text_mode(True))
        self.explain_view = ExplainView()
        self.compare_view = CompareView()
        self.batch_view = BatchView()
        self.batch_view.reads_lines = self.preferences.batch_lines
        self.tabs = QTabWidget()
        self.tabs.addTab(self.explain_view, "Explain")
        self.tabs.addTab(self.compare_view, "Compare")
        self.tabs.addTab(self.batch_view, "Batch")
        # Short of room (a 1024 px window at 200% text), the tabs' names are shortened ("Comp…") rather than
        # the last tab scrolled out of sight behind an arrow (a teacher's trial found no Batch tab).
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.tabBar().setUsesScrollButtons(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.text_panel = TextPanel()
        self.text_panel.tab_from = self.canvas
        self.text_panel.hide()
        # Text mode's panel under the pad, its top edge dragged to give the text box more room or the pad
        # more (the box was a sixth of the window, however much was written in it). A window resized grows
        # and shrinks the pad; the box keeps the height the person gave it (a share of the window's).
        self.pad_and_text = QSplitter(Qt.Orientation.Vertical)
        self.pad_and_text.addWidget(self.canvas)
        self.pad_and_text.addWidget(self.text_panel)
        self.pad_and_text.setChildrenCollapsible(False)
        self.pad_and_text.setStretchFactor(0, 1)
        self.pad_and_text.setStretchFactor(1, 0)
        self.text_divider = self.pad_and_text.handle(1)
        self.text_divider.setToolTip(
            "Drag to give the text box more room, or the pad; double-click for the text box's own height"
        )
        self.text_divider.installEventFilter(self)
        self.pad_and_text.splitterMoved.connect(self._remember_text_box_share)
        self.text_panel.installEventFilter(self)  # (its line grown, a note shown: the panel fitted again)
        left_layout.addWidget(self.pad_and_text, 1)
        self.pad_column = left  # the pad, and text mode's panel under it
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.predictions)
        # The side tabs scroll in a narrow window rather than hold the window wider than its screen: their
        # least width (Batch's buttons, 291 px) made character mode's at least 728 px, and a 640 px window
        # grew to that when text mode ended.
        self.side_tabs = QScrollArea()
        self.side_tabs.setWidget(self.tabs)
        self.side_tabs.setWidgetResizable(True)
        self.side_tabs.setFrameShape(QFrame.Shape.NoFrame)
        self.side_tabs.setMinimumWidth(SIDE_TABS_LEAST_WIDTH)
        self.side_tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no tab stop of its own: Tab goes to the tabs
        self.side_tabs.setAccessibleName("Side tabs")
        self.splitter.addWidget(self.side_tabs)
        # No stretch factors: with them Qt's splitter kept the answers' column at its minimum (230 px) in a
        # maximized window; without, the three grow and shrink in proportion, the column up to its maximum.
        self.setCentralWidget(self.splitter)
        self.splitter.splitterMoved.connect(self._remember_column_shares)

        self.model_picker = ModelPicker()
        self.model_picker.setAccessibleName("model")
        self.model_picker.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.model_picker.setToolTip(
            "The model that recognizes the drawing: what it reads, and how often it reads pen drawings by "
            "writers it never saw right"
        )
        self.device_label = QLabel("device: starting…")
        # Shown where the writing is not kept for next time (its reason on hover).
        self.not_kept_label = QLabel("not kept")
        self.not_kept_label.hide()
        self.statusBar().addPermanentWidget(self.not_kept_label)
        self.statusBar().addPermanentWidget(self.device_label)
        # A long message is cut at the device's label in a small window ("…lists the models there are. (your
        # c…"): the whole of it on hover.
        self.statusBar().messageChanged.connect(lambda message: self.statusBar().setToolTip(message))
        # Heard as well as seen (a screen reader heard only the answers: "Copied…", "ready on CPU", "Text
        # size 200%" were silent); a line's count and time in text mode are not: its text is said instead.
        self.voice = StatusVoice(self.statusBar())
        self.lines = TextModeLines(
            self.canvas,
            self.text_panel,
            self.service,
            self.preferences,
            self.voice,
            self._keep_writing_now,
            self._opened_strokes_on_pad,
            self,
        )

    @property
    def text_mode(self) -> bool:
        return self.lines.active

    def _wire(self) -> None:
        service = self.service
        service.models_listed.connect(self._on_models_listed)
        service.strokes_partner.connect(self._on_strokes_partner)
        service.model_ready.connect(self._on_model_ready)
        service.model_failed.connect(self._on_model_failed)
        service.recognized.connect(self._on_recognized)
        service.picture_counted.connect(self._on_picture_counted)
        service.picture_lines.connect(self._on_picture_lines)
        service.case_read.connect(self._on_case_read)
        service.explained.connect(self._on_explained)
        service.compared.connect(self._on_compared)
        self.compare_view.model_activated.connect(self._use_compared_model)
        # Each picture that explains an answer can be copied or saved (a report, a lesson's slides).
        self.picture_menus = {
            name: PictureMenu(widget, name, picture, self._dialog_folder)
            for name, widget, picture in (
                ("model-input", self.predictions.model_input, self.predictions.model_input.image),
                ("grad-cam", self.explain_view.heatmap_label, self.explain_view.heatmap_image),
                ("pen-path", self.explain_view.stroke_view, self.explain_view.pen_path_image),
                ("activation-maps", self.explain_view.maps_label, self.explain_view.maps_image),
            )
        }
        for menu in self.picture_menus.values():
            menu.copied.connect(lambda: self.voice.say("Copied the picture", 3))
            menu.saved.connect(self._picture_saved)
        # A drawing slow to paint is read again once the size has settled, not at every step of a drag (each
        # rendered it anew); any other at once, as the pad shows it.
        self._resize_settled = QTimer(self, singleShot=True, interval=RESIZE_SETTLE_MS)
        self._resize_settled.timeout.connect(self._on_canvas_resized)
        self.canvas.resized.connect(
            lambda: self._resize_settled.start() if self.canvas.slow_to_paint() else self._on_canvas_resized()
        )
        self.text_panel.copy_requested.connect(self.copy_text)
        service.batch_progress.connect(self._on_batch_progress)
        service.batch_finished.connect(self._on_batch_finished)
        service.device_changed.connect(self._on_device_changed)
        service.runtime_ready.connect(self._on_runtime_ready)
        service.runtime_failed.connect(self._on_runtime_failed)
        service.spelling_checked.connect(self._on_spelling_checked)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)  # (a method: dropped with the window)
        self.tabs.currentChanged.connect(lambda _index: self._show_in_side_tabs(QApplication.focusWidget()))
        self.canvas.drawing_changed.connect(self.recognize_canvas)
        self.canvas.stroke_begun.connect(self.predictions.hold_hearing)  # (heard once the writing rests)
        self.canvas.stroke_ended.connect(self.predictions.hear_when_rested)
        # Said as an answer to what the pen did: the line read just after (text mode) does not replace it.
        self.canvas.left_the_pad.connect(self._say_off_the_pad)
        # What is written is kept as it is written (a crash, a power cut), not only at closing.
        self._pad_save_timer = QTimer(self)
        self._pad_save_timer.setSingleShot(True)
        self._pad_save_timer.setInterval(PAD_SAVE_AFTER_MS)
        self._pad_save_timer.timeout.connect(self._save_pad)
        self.canvas.drawing_changed.connect(self._pad_save_timer.start)
        self.canvas.notes_changed.connect(self._pad_save_timer.start)  # a line's corrections are kept with it
        self.canvas.can_undo_changed.connect(self._show_undo_redo)
        self.canvas.can_redo_changed.connect(self._show_undo_redo)
        self.text_panel.text_box.undoAvailable.connect(self._show_undo_redo)
        self.text_panel.text_box.redoAvailable.connect(self._show_undo_redo)
        self.pen_slider.valueChanged.connect(self._set_pen_width)
        self.model_picker.activated.connect(lambda index: self.choose("model", str(self.model_picker.itemData(index))))
        self.explain_view.class_chosen.connect(lambda _label: self._request_explanation())
        self.compare_view.models_chosen.connect(self._on_compare_models_chosen)
        self.batch_view.choose_files.connect(self.choose_batch_files)
        self.batch_view.choose_folder.connect(self.choose_batch_folder)
        self.batch_view.cancel_requested.connect(self.cancel_batch)
        self.batch_view.running_changed.connect(self._batch_running)
        self.batch_view.export_requested.connect(self.export_batch)
        self.batch_view.read_again_requested.connect(
            lambda: self.start_batch(self._batch_asked_for, self.batch_view.reads_lines)
        )
        self.batch_view.read_as_lines_requested.connect(self._read_batch_as_lines)
        self.lines.line_shown.connect(self._line_to_batch)
        self.batch_view.open_requested.connect(self._open_batch_file)
        self.batch_view.read_as.currentIndexChanged.connect(
            lambda: setattr(self.preferences, "batch_lines", self.batch_view.reads_lines)
        )
        # Characters picked in the box by the person: a batch of words is then read as they asked.
        self.batch_view.read_as.activated.connect(
            lambda _index: setattr(self, "_batch_characters_chosen", not self.batch_view.reads_lines)
        )
        self.tabs.currentChanged.connect(lambda _index: self._refresh_side_views())
        self.tabs.currentChanged.connect(lambda _index: self._focus_left_in_hidden_tab())

    def _restore_state(self) -> None:
        geometry = window_state(self.settings, GEOMETRY_STATE)
        placed = geometry is not None and self.restoreGeometry(geometry)
        # Saved on another screen (a projector's, then a laptop's at 125%), the window came back at two
        # thirds of this one, its pad squeezed between columns of the old widths, and stayed so: where it
        # lands is not the screen it was saved on, it opens as on a first start there. (The screen it lands
        # on, not the one it reports before it is shown: a window saved on a second monitor reopens there.
        # A file saved before the screen was kept restores as it was.)
        saved_screen = self.settings.value(SCREEN_KEY)
        landed = QGuiApplication.screenAt(self.geometry().center()) if placed else None
        same_screen = placed and (
            not isinstance(saved_screen, str) or not saved_screen or saved_screen == screen_signature(self, landed)
        )
        if not same_screen:
            self.resize(
                fitted_size(self, grown_to_screen(self, FIRST_WINDOW_SIZE, FIRST_WINDOW_SCREEN_SHARE, landed), landed)
            )
            if landed is not None:  # centred there (its old corner could leave the new size hanging off it)
                frame = self.frameGeometry()
                frame.moveCenter(landed.availableGeometry().center())
                self.move(frame.topLeft())
        splitter = window_state(self.settings, COLUMNS_STATE)
        shares = None
        if splitter is not None and same_screen:
            self.splitter.restoreState(splitter)
            shares = column_shares(self.settings.value(COLUMN_SHARES_KEY))
        else:  # the pad half the window, the answers a sixth (or their minimum), the side tabs a third
            sixth = self.width() // 6
            self.splitter.setSizes([3 * sixth, sixth, 2 * sixth])
        # (None until the columns are first laid out: the sizes asked for above are not what they come to.)
        self._column_shares = shares
        self._text_box_share = text_box_share(self.settings.value(TEXT_BOX_SHARE_KEY, ""))
        tab = str(self.settings.value(TAB_KEY, 0))
        # A number past the tabs (or past a C int: it stopped the app at its start) opens the first.
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() and int(tab) < self.tabs.count() else 0)
        if str(self.settings.value(TEXT_MODE_KEY, "false")).lower() == "true":  # left in text mode
            self.set_text_mode(True)
        # What was written on the pad when the window closed is back on it (quitting lost a line not added);
        # said once the model is ready (said now, "Loading models…" took its place at once).
        pad = settings_text(self.settings.value(PAD_KEY, ""))
        damaged = False
        try:
            kept_strokes = json.loads(pad) if pad else []
        except (ValueError, RecursionError):  # damaged settings: the pad starts blank
            kept_strokes, damaged = [], True
        restored = self.canvas.load_written_strokes(kept_strokes)
        if restored:  # a stroke file's name back in the title while its strokes are on the pad
            self._opened_file = self._kept_opened_file(restored)
            self._show_title()
        corrections = 0
        if restored:  # with the corrections made to its line (a damaged list: those that read back)
            with contextlib.suppress(ValueError, RecursionError):
                notes = json.loads(settings_text(self.settings.value(PAD_NOTES_KEY, "[]")))
                corrections = self.lines.restore_notes(notes)
        if not restored and (damaged or kept_strokes):  # said (it was gone without a word)
            self._restored_note = "the drawing kept from last time could not be read back (a damaged settings file)"
        elif restored:
            self._restored_note = (
                "the line you were writing is back on the pad" if self.text_mode else "your drawing is back on the pad"
            )
            if restored < len(kept_strokes):  # beyond what is kept: said, not cut without a word
                self._restored_note += f" (its first {restored} strokes of {len(kept_strokes)})"
            elif corrections and self.text_mode:
                self._restored_note += ", with your corrections"
        # The text written in text mode is the person's: kept from one session to the next (closing the
        # window lost it, without a word).
        kept = settings_text(self.settings.value(COLLECTED_TEXT_KEY, ""))
        self._in_file = (kept, pad)
        if kept:
            self.text_panel.text_box.setPlainText(kept)
            # Where the next line goes, in view (it opened scrolled to the top, the newest lines out of sight).
            self.text_panel.text_box.moveCursor(QTextCursor.MoveOperation.End)
            self.text_panel.text_box.ensureCursorVisible()

    def save_state(self) -> None:
        save_window_state(self.settings, GEOMETRY_STATE, self.saveGeometry())
        self.settings.setValue(SCREEN_KEY, screen_signature(self))
        save_window_state(self.settings, COLUMNS_STATE, self.splitter.saveState())
        if shares := self._column_shares or column_shares(self.splitter.sizes()):
            self.settings.setValue(COLUMN_SHARES_KEY, json.dumps([round(share, 5) for share in shares]))
        self.settings.setValue(TAB_KEY, self.tabs.currentIndex())
        self.settings.setValue(TEXT_MODE_KEY, self.text_mode)
        # What is written on the pad, in either mode (a line written in text mode is still on the pad when a
        # batch dropped on the window, or Ctrl+1, ended text mode): back on the pad next time. Not by a
        # second copy: the first one's would be wiped.
        self._save_pad(sync=False)
        self._save_text(sync=False)
        self._preferences_kept = self._preferences_to_keep()
        save_preferences(self.settings, self._preferences_kept)
        self._write_settings()
        if not self._hold.not_kept:  # (made by this first write where it was not made at the start)
            keep_private(Path(self.settings.fileName()))

    def _preferences_to_keep(self) -> Preferences:
        """The preferences as the settings keep them: those given for this run only (``run_only``) as saved."""
        kept = replace(self.preferences)
        for name, (given, saved) in self.run_only.items():
            if getattr(kept, name) == given:
                setattr(kept, name, saved)
        return kept

    def _keep_preferences(self) -> None:
        """The preferences written when they changed since they were last (a model, Practice's characters, the
        theme): a crash lost a day's (a teacher's trial), written only at closing."""
        kept = self._preferences_to_keep()
        if kept != self._preferences_kept:
            save_preferences(self.settings, kept, since=self._preferences_kept)
            self.settings.sync()
            self._preferences_kept = kept

    def _save_text(self, sync: bool = True) -> None:
        """Keep text mode's text box in the settings (not by a second copy: the first one's would be wiped)."""
        self._text_save_timer.stop()
        if not self._hold.another_copy:
            self.settings.setValue(COLLECTED_TEXT_KEY, self.text_panel.text_box.toPlainText())
            if sync:
                self._write_settings()

    def _keep_writing_now(self) -> None:
        self._save_text(sync=False)
        self._save_pad()

    def _write_settings(self) -> None:
        """Write the settings file now; when that reached the file, remember what it holds of the writing
        (quitting asks about what differs: Qt's own copy of the file holds what it could not write too)."""
        self.settings.sync()
        if not self._hold.another_copy and not self._not_kept_because():
            self._in_file = (self.text_panel.text_box.toPlainText(), self._pad_as_kept())

    def _pad_as_kept(self) -> str:
        """What the settings keep of the pad: its strokes as JSON ("" for none, or a drawing over an opened
        picture, which is not kept)."""
        written = self.canvas.written_strokes() if self.canvas.opened_source is None else []
        return json.dumps(written, separators=(",", ":")) if written else ""

    def _save_pad(self, sync: bool = True) -> None:
        if self._hold.another_copy:
            return
        if sync and self.canvas.stroke_in_progress:  # not in the middle of a stroke: once it is lifted
            self._pad_save_timer.start()
            return
        pad = self._pad_as_kept()
        notes = self.lines.notes_as_kept() if pad else []
        if pad:
            self.settings.setValue(PAD_KEY, pad)
        else:
            self.settings.remove(PAD_KEY)
        opened = self._opened_file
        from_file = self._strokes_opened_on_pad(opened[0]) if pad and opened is not None else 0
        if opened is not None and from_file:  # (a picture opened is not kept: nor its name)
            self.settings.setValue(PAD_FILE_KEY, json.dumps({"name": opened[1], "strokes": from_file}))
        else:
            self.settings.remove(PAD_FILE_KEY)
        if notes:
            self.settings.setValue(PAD_NOTES_KEY, json.dumps(notes, separators=(",", ":")))
        else:
            self.settings.remove(PAD_NOTES_KEY)
        if sync:
            self._write_settings()
            self._say_when_not_kept()

    def hold_writing(self, hold: SettingsHold) -> None:
        """Whether this window keeps the writing for next time (``desktop_app.settings.hold_settings``); if
        not, said now, and kept in sight in the status bar."""
        self._hold = hold
        # Looked at every few seconds rather than written at each of the many places a preference changes.
        self._preferences_kept = self._preferences_to_keep()
        self._preferences_check.start()
        self._lock_renewal = QTimer(self, interval=LOCK_RENEWED_EVERY_MS)
        self._lock_renewal.timeout.connect(hold.keep_fresh)
        self._lock_renewal.start()
        self._say_when_not_kept()

    def _not_kept_because(self) -> str:
        if self._hold.not_kept:
            return self._hold.not_kept
        # Read-only (the file or its folder: Qt writes a new file beside it and renames it), asked of the
        # system: Qt's status keeps the first error it met, and a damaged file's FormatError (read at the
        # start; the writes after it reach the file) hid a later AccessError. A full disk is Qt's to say.
        path = Path(self.settings.fileName())
        try:
            read_only = not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))
        except OSError:
            read_only = False
        if read_only or self.settings.status() == QSettings.Status.AccessError:
            return f"GlyphPad's settings file {path} cannot be written ({'read-only' if read_only else 'a full disk?'})"
        return ""

    def _say_when_not_kept(self) -> None:
        """Say, once, that what is written cannot be kept for next time: another copy keeps its own, or the
        settings file cannot be written (a full disk, a read-only folder), and the pad and the text were lost
        without a word at the restart. A mark stays in the status bar (the message was cut, and went)."""
        why = self._not_kept_because()
        if not why or self._not_kept_said:
            return
        self._not_kept_said = True
        self.not_kept_label.setToolTip(f"Your drawing and text box are not kept for next time: {why}.")
        self.not_kept_label.setAccessibleName(self.not_kept_label.toolTip())
        self.not_kept_label.show()
        self.voice.say(
            f"Your writing is not kept for next time: {why}. Save it (Ctrl+S, File → Save Text).",
            30,
        )

    def _writing_may_go(self) -> bool:
        """Quitting where the writing is not kept: the person is asked, and may save the text box and the
        drawing first (a student's homework was lost at the restart without a word). Not about writing the
        settings file holds already (a second copy opens with the first one's)."""
        why = self._not_kept_because()
        if not why:
            return True
        # Lost: what differs from what the file holds: another copy's writing (read again: this copy writes
        # none of it), or what this one read or last wrote there (asked about unchanged writing, the person
        # was told it would be gone). Not a second QSettings on the file: Qt gives it the same copy, with
        # what could not be written in it, and the writing went without a question.
        if self._hold.another_copy:
            self.settings.sync()
            in_file = (
                settings_text(self.settings.value(COLLECTED_TEXT_KEY, "")),
                settings_text(self.settings.value(PAD_KEY, "")),
            )
        else:
            in_file = self._in_file
        text = self.text_panel.text_box.toPlainText()
        text_lost = bool(text.strip()) and text != in_file[0]
        pad = self._pad_as_kept()
        drawing_lost = bool(self.canvas.drawn_strokes()) and (not pad or pad != in_file[1])
        if not (text_lost or drawing_lost):
            return True
        what = " and ".join(
            part for part, lost in (("the text box's text", text_lost), ("the drawing", drawing_lost)) if lost
        )
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            self,
            "Quit",
            f"{what[0].upper()}{what[1:]} will not be here next time: {why}. Save to a file first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return (not text_lost or self.save_text()) and (not drawing_lost or self.save_drawing())
        return answer == buttons.Discard

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.text_panel.fit_to_window(self.height())
        self._fit_text_panel()
        self._columns_as_the_person_left_them()
        self._keep_side_tabs_whole()

    def _fit_text_panel(self) -> None:
        """Text mode's panel as tall as its line and a text box of the person's share of the window's height
        (a drag), else of the panel's own choice; the pad the rest, and at least its least height."""
        panel = self.text_panel
        if self._text_box_share is not None:
            panel.wanted_box = max(round(self._text_box_share * self.height()), panel.text_box.minimumHeight())
        else:
            panel.wanted_box = None
        panel.updateGeometry()
        total = sum(self.pad_and_text.sizes())
        if not self.text_mode or total <= 0 or not self.isVisible():  # (laid out when shown: by its size hint)
            return
        height = min(panel.height_with_box(panel.wanted_box or panel.box_height), total - self.canvas.minimumHeight())
        if height != self.pad_and_text.sizes()[1]:
            self.pad_and_text.setSizes([total - height, height])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.LayoutRequest and watched is self.text_panel:
            QTimer.singleShot(0, self, self._fit_text_panel)  # (once its layout has its new size)
        elif kind == QEvent.Type.MouseButtonDblClick and watched is self.text_divider:
            self._text_box_share = None  # the text box's own height back
            self.settings.remove(TEXT_BOX_SHARE_KEY)
            self._fit_text_panel()
            return True
        return super().eventFilter(watched, event)

    def _remember_text_box_share(self) -> None:
        """The divider over text mode's panel dragged: the text box's height is the person's from now on."""
        share = self.text_panel.text_box.height() / max(self.height(), 1)
        self._text_box_share = min(max(share, LEAST_TEXT_BOX_SHARE), MOST_TEXT_BOX_SHARE)
        self.settings.setValue(TEXT_BOX_SHARE_KEY, round(self._text_box_share, 4))
        if self._text_box_share != share:  # dragged past what is kept: held there now, not at the next fit
            self._fit_text_panel()

    def _remember_column_shares(self) -> None:
        """A divider dragged: the columns' shares of the width are the person's choice from now on."""
        if not self.text_mode and (shares := column_shares(self.splitter.sizes())):
            self._column_shares = shares
            self._shares_at_text = {}  # the person's choice, whatever the text size

    def _columns_as_the_person_left_them(self) -> None:
        """Each column its share of the width, before the side tabs take what they need to stay whole: they
        took it from the pad when the window narrowed, and the splitter grew them, not the pad, when it
        widened again (a student's pad stayed 403 px of 566, and came back so at the next start)."""
        if self.text_mode or not self.side_tabs.isVisible() or self._column_shares is None:
            return
        total = sum(self.splitter.sizes())
        if total > 0:
            pad, answers, _ = (round(share * total) for share in self._column_shares)
            self.splitter.setSizes([pad, answers, total - pad - answers])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The first resize comes before the side tabs are visible (and so were left scrolled at 200%
        # with the pad's room unused): once the columns are laid out.
        QTimer.singleShot(0, self, self._columns_settled)

    def _columns_settled(self) -> None:
        """The side tabs whole, and the columns as laid out first (or for a new text size, which widens the
        answers' column with its text) the shares a window widened again goes back to."""
        if self._column_shares is not None:  # (shares kept for a text size zoomed back to)
            self._columns_as_the_person_left_them()
        self._keep_side_tabs_whole()
        if self._column_shares is None and not self.text_mode:
            self._column_shares = column_shares(self.splitter.sizes())

    def _keep_side_tabs_whole(self) -> None:
        """The side tabs scroll only once the pad is down to its least width: the splitter shrinks its
        columns in proportion, which scrolled Batch's buttons in a 900 px window where the pad had room."""
        if not self.side_tabs.isVisible():
            return
        sizes = self.splitter.sizes()
        wanted = self.tabs.minimumSizeHint().width() - sizes[2]
        spare = sizes[0] - self.pad_column.minimumSizeHint().width()
        if wanted > 0 and spare > 0:
            moved = min(wanted, spare)
            self.splitter.setSizes([sizes[0] - moved, sizes[1], sizes[2] + moved])

    def end_without_asking(self) -> None:
        """Close as a logout or shutdown asks (SIGTERM, SIGHUP): what can be kept is kept, and no question
        is put (a dialog there held the logout up, with no one to answer it)."""
        self._asking_at_close = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._asking_at_close and not (
            self._corrections_may_go("Quit")
            and self._picture_line_may_go()
            and self._writing_may_go()
            and self._practice_record_may_go()
        ):
            event.ignore()
            return
        self.save_state()
        self._preferences_check.stop()
        if self._hold.lock is not None:  # the next copy keeps the writing
            self._lock_renewal.stop()
            self._hold.lock.unlock()
        self._closed = True
        if hasattr(self, "_weights_watcher"):  # a folder change in the last second would list into a closed service
            self._relist_timer.stop()
            self._weights_watcher.blockSignals(True)
        self.service.shutdown()
        super().closeEvent(event)

    # ---- models and devices ------------------------------------------------------------------------
    def start(self) -> None:
        """Ask the worker for the model list and the preferred model; called once the window is shown."""
        # The text kept from last time, its end in view now that the box has its size (scrolled there before
        # the window was laid out, its last line showed cut in half).
        box = self.text_panel.text_box.verticalScrollBar()
        box.setValue(box.maximum())
        self.service.set_device(self.preferences.device)
        self.service.list_models()
        self._watch_weights_folder()

    def _watch_weights_folder(self) -> None:
        """Models copied into the weights folder (or its strokes/) while the app runs are listed: a file
        added, removed or renamed there lists the models again, once the copying has settled."""
        from PySide6.QtCore import QFileSystemWatcher

        self._relist_timer = QTimer(self)
        self._relist_timer.setSingleShot(True)
        self._relist_timer.setInterval(RELIST_AFTER_MS)
        self._relist_timer.timeout.connect(lambda: self.relist_models(reload=False))
        self._weights_watcher = QFileSystemWatcher(self)
        self._weights_watcher.directoryChanged.connect(self._weights_folder_changed)
        self._weights_identity: tuple[int, int] | None = None
        self._rewatch_weights_folder()

    def _weights_folder_changed(self, path: str) -> None:
        """A change in a watched folder: in the weights folder, its strokes/ or pieces/, list the models once it has
        settled; above it, only when the weights folder itself came, went or was replaced (a sync, ``mv``:
        a folder's watch follows the folder moved away, not its name)."""
        if Path(path) in self._watched_above and self._weights_identity == folder_identity(self.service.weights_dir):
            if self._weights_identity is None:  # still none: a folder on the way to it may have been made
                self._rewatch_weights_folder()
            return
        self._relist_timer.start()

    def _rewatch_weights_folder(self) -> None:
        """Watch the weights folder, its strokes/ and pieces/ (text mode's piece verifier) as they are now,
        and the folder above them (the nearest that exists when the weights folder does not yet)."""
        from ml.runtime.cards import stroke_models_dir
        from ml.runtime.piece_verifier import pieces_dir

        watcher = self._weights_watcher
        if watcher.directories():
            watcher.removePaths(watcher.directories())
        folder = self.service.weights_dir.absolute()
        # (None above a folder at a drive's root: its own changes are the models')
        above = next((parent for parent in folder.parents if parent.is_dir()), None)
        self._watched_above = {above} if above is not None else set()
        self._weights_identity = folder_identity(folder)
        inside = [path for path in (folder, stroke_models_dir(folder), pieces_dir(folder)) if path.is_dir()]
        watcher.addPaths([str(path) for path in (*inside, *self._watched_above)])

    def relist_models(self, reload: bool = False) -> None:
        """Read the weights folder again and say what changed; ``reload`` (Model → Reload Models): every
        model is read anew from its files, and the listing is said even when nothing changed."""
        if self.batch_view.running:  # a batch would answer partly with one model, partly another
            if reload:
                self.voice.say("Models are reloaded once the batch is done, or cancelled")
            else:
                self._relist_after_batch = True
            return
        if hasattr(self, "_weights_watcher"):
            self._rewatch_weights_folder()
        self._relisting = "reload" if reload else "watch"
        self.service.list_models(reload=reload)

    def _on_models_listed(self, infos: list[ModelInfo]) -> None:
        if self._closed:  # a listing on its way when the window closed
            return
        asked, self._relisting = self._relisting, ""
        if asked and self._listed:  # (asked for before the first listing came: that one says nothing)
            if asked == "watch" and [listed(info) for info in self._listed] == [listed(info) for info in infos]:
                return  # a file beside the models came or went: nothing to redo, nothing to say
            self._stroke_partners.clear()  # said again as each model is loaded anew
            self.voice.say(models_relisted(self._listed, infos, self.service.weights_dir), 8.0)
        self._listed = infos  # as the cards tell them (before any model's load said its stroke model)
        self._listing_came = True
        infos = [
            with_partner(info, self._stroke_partners[info.name]) if info.name in self._stroke_partners else info
            for info in infos
        ]
        self.models = {info.name: info for info in infos}
        self.model_picker.clear()
        for action in self.model_actions.actions():
            self.model_menu.removeAction(action)
            self.model_actions.removeAction(action)
        best = best_of_kind(infos)
        for info in infos:
            text, tip = model_entry(info, info.name in best)
            self.model_picker.addItem(text, info.name)
            index = self.model_picker.count() - 1
            self.model_picker.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            if not info.available:
                item = self.model_picker.model().item(index)  # type: ignore[attr-defined]
                item.setEnabled(False)
            action = QAction(text, self)
            action.setCheckable(True)
            action.setEnabled(info.available)
            action.triggered.connect(lambda _=False, name=info.name: self.choose("model", name))
            self.model_actions.addAction(action)
            self.model_menu.addAction(action)
        unavailable = {info.name: info.error for info in infos if not info.available}
        self.compare_view.set_models([info.name for info in infos], unavailable, self._compare_left_out())
        self._show_model_scope()
        self._show_merged_case()
        if not infos:
            from ml.runtime.cards import folder_missing, no_models_said

            self.statusBar().showMessage(no_models_said(self.service.weights_dir))
            # (A folder not there was "empty" here while the status bar said it does not exist: a trial.)
            missing = folder_missing(self.service.weights_dir)
            self.predictions.show_blank(
                f"No models are installed: the weights folder {missing}."
                if missing
                else "No models are installed: the weights folder is empty."
            )
            return
        for name, error in unavailable.items():
            log.warning("model %s unavailable: %s", name, error)
        preferred = self.preferences.model
        wanted = self._fallen_back_from
        if wanted and wanted in self.models and self.models[wanted].available:
            # The model fallen back from is there again (a copy over it settled, a damaged file mended): back
            # to it (a moment's absence switched the session to another model for good).
            self._fallen_back_from = ""
            if "model" in self.run_only:
                self.run_only["model"] = (wanted, self.run_only["model"][1])
            self._fallback_notice = ""  # (the listing's sentence replaced it in the status bar)
            preferred = wanted
        elif preferred not in self.models or not self.models[preferred].available:
            fallback = best_available(infos)
            reason = self.models[preferred].error if preferred in self.models else self._not_a_model_here(preferred)
            if fallback:
                why = short_reason(reason)
                # A model the cards tell of: they say why; a name there is no model of: the Model menu lists them.
                see = SEE_CARDS if preferred in self.models else "The Model menu lists the models there are."
                self._fallback_notice = f"{preferred} cannot be used ({why}): using {fallback}. {see}"
                self.statusBar().showMessage(self._fallback_notice, 0)
                self._fell_back("model", fallback)
                self._fallen_back_from = self._fallen_back_from or preferred  # the first wanted, through falls
            preferred = fallback
        if preferred:
            self.set_model(preferred)
        else:
            said = none_loads_said(self.service.weights_dir, unavailable)
            self.statusBar().showMessage(said, 0)  # ("Loading models…" stayed there)
            self.predictions.show_blank(said)

    def _not_a_model_here(self, name: str) -> str:
        """Why ``name`` is not among the models to choose: a stroke model answers with its image model."""
        from ml.runtime.cards import stroke_models_dir

        folder = stroke_models_dir(self.service.weights_dir)
        if any((folder / f"{name}{suffix}").exists() for suffix in (".safetensors", ".json")):  # (a copy: a card)
            return "it reads pen strokes, fused with an image model's answer: choose the image model"
        return "it is not installed"

    def set_model(self, name: str) -> None:
        info = self.models.get(name)
        if info is None or not info.available:
            said = f"{name} is unavailable ({short_reason(info.error)}). {SEE_CARDS}" if info else f"No model {name}."
            self.statusBar().showMessage(said, 8000)
            return
        again = name == self.preferences.model  # the model list came again: the same model, asked again
        self.preferences.model = name
        index = self.model_picker.findData(name)
        if index >= 0:
            self.model_picker.setCurrentIndex(index)
            self.model_actions.actions()[index].setChecked(True)
        self.batch_view.model_in_use(name)
        self._show_model_scope()
        self._show_merged_case()
        if not (again and self.voice.answering()):  # a message the person is reading stays
            self.voice.done_answering()  # and "ready" replaces this one when it comes
            self.statusBar().showMessage(f"Loading {name}…")
        self.service.load_model(name)
        practice = self._practice
        if practice is not None:
            practice.characters = readable_characters(self._label_set_in_use(name))
        if practice is not None and practice.asked not in practice.pool():
            self.ask_next_character()  # (a digits model asked for a g: asked for what it reads)
        else:
            self._show_practice_prompt()
        self.recognize_canvas()

    def _on_strokes_partner(self, name: str, partner: StrokePartner) -> None:
        """The stroke model that reads drawings with ``name`` is known: the picker's figure follows it."""
        self._stroke_partners[name] = partner  # the model list may come after the model's first load
        info = self.models.get(name)
        if info is None:
            return
        self.models[name] = with_partner(info, partner)
        self._write_model_entries()  # its figure, and so which model reads its kind best, may have changed

    def _write_model_entries(self) -> None:
        """Each usable model's line and tooltip in the picker and the Model menu, the best of each kind said
        among those usable; one found damaged as it loaded keeps its greyed line."""
        actions = self.model_actions.actions()
        entries = [(index, self.models.get(self.model_picker.itemData(index))) for index in range(len(actions))]
        usable = [(index, info) for index, info in entries if info is not None and actions[index].isEnabled()]
        best = best_of_kind(info for _, info in usable)
        for index, info in usable:
            text, tip = model_entry(info, info.name in best)
            self.model_picker.setItemText(index, text)
            self.model_picker.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            actions[index].setText(text)

    def _on_model_ready(self, name: str, device: str) -> None:
        self.device_label.setText(f"device: {device}")
        self._last_ready = name
        if name == self.preferences.model:
            notice, self._fallback_notice = self._fallback_notice, ""
            info = self.models.get(name)
            partner = info.stroke_partner if info is not None else None
            if not notice and partner is not None and partner.unusable:
                instead = f"{partner.used} reads the strokes" if partner.used else "drawings are read from the picture"
                notice = (
                    f"{name} ready; its stroke model {partner.unusable} cannot be used "
                    f"({short_reason(partner.reason)}): {instead}. {SEE_CARDS}"
                )
            restored, self._restored_note = self._restored_note, ""
            if notice:
                self.statusBar().showMessage(notice + (f" ({restored})" if restored else ""), 0)
            elif restored and not self.voice.answering():  # (not over "Your writing is not kept…")
                self.voice.say(f"{name} ready on {device}; {restored}", 8.0)
            elif not self.voice.answering():  # a message the person is reading stays
                self.statusBar().showMessage(f"{name} ready on {device}", 4000)

    def _on_model_failed(self, name: str, reason: str) -> None:
        if name:
            self.models[name] = ModelInfo(name=name, error=reason)
            self._show_unavailable(name, reason)
            before = self.models.get(self._last_ready)
            usable = before is not None and before.available and self._last_ready != name
            back = self._last_ready if usable else best_available(list(self.models.values()))
            if name == self.preferences.model and back:
                # Found damaged as it loaded (its card listed it well): the model that last loaded well reads
                # on (or, at the start, the best one there), and the pad stays usable (every answer was this
                # one's error, the picker still showing it: a fuzzing trial). As at the start: the choice stays
                # saved, and is taken again once it is mended.
                self._fallback_notice = f"{name} cannot be used ({short_reason(reason)}): using {back}. {SEE_CARDS}"
                self._fell_back("model", back)
                self._fallen_back_from = self._fallen_back_from or name
                self.set_model(back)
                self.statusBar().showMessage(self._fallback_notice, 0)  # (over "Loading…"; said again when ready)
                return
            self.statusBar().showMessage(f"{name} cannot be used ({short_reason(reason)}). {SEE_CARDS}", 10000)
            if name == self.preferences.model:
                self.predictions.show_blank(f"{name} cannot be used: {reason}\nChoose another model.")
        else:  # the device asked for is not there: answers come from the CPU
            message = f"{reason[:1].upper()}{reason[1:]}. GlyphPad uses the CPU instead."
            self.statusBar().showMessage(message, 10000)
            # Automatic, not the CPU: a home folder shared with a machine that has the GPU keeps using it
            # there (a saved "cpu" kept it on the CPU, without a word).
            self._fell_back("device", "auto")
            self.set_device("auto")
            # open(), not exec(): a modal loop stopped everything behind it (the self-test waited forever
            # for a click, and Ctrl+C could not end it).
            box = QMessageBox(QMessageBox.Icon.Warning, "GlyphPad", message, QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _show_unavailable(self, name: str, reason: str) -> None:
        """``name`` greyed in the picker and the Model menu, its reason on hover, as a listing shows a model
        that cannot be used (one found damaged as it loaded stayed offered, as if it could be)."""
        index = self.model_picker.findData(name)
        if index < 0:
            return
        text, tip = model_entry(ModelInfo(name=name, error=reason))
        item = self.model_picker.model().item(index)  # type: ignore[attr-defined]
        item.setEnabled(False)
        self.model_picker.setItemText(index, text)
        self.model_picker.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        actions = self.model_actions.actions()
        if index < len(actions):
            actions[index].setEnabled(False)
            actions[index].setText(text)
        unavailable = {info.name: info.error for info in self.models.values() if not info.available}
        self.compare_view.set_models(list(self.models), unavailable, self._compare_left_out())
        self._write_model_entries()  # (it may have been the best of its kind: another is now)

    def _fell_back(self, name: str, value: str) -> None:
        """A preference is about to be replaced by ``value`` for want of it: a fallback, not the user's
        choice. What was saved before stays saved: a model given for this run, or saved and now damaged
        (it comes back once repaired), a device given for this run. A saved GPU that is gone is not kept:
        it would be looked for, and warned about, at every start."""
        if name in self.run_only:
            self.run_only[name] = (value, self.run_only[name][1])
        elif name == "model":
            self.run_only[name] = (value, self.preferences.model)

    def choose(self, name: str, value: str) -> None:
        """The user picked a model or a device (picker, menu): their choice, saved as it is."""
        self.run_only.pop(name, None)
        if name == "model":
            self._fallen_back_from = ""  # the person's choice now
            self.set_model(value)
        else:
            self.set_device(value)

    def set_device(self, device: str) -> None:
        self.preferences.device = device
        for action in self.device_group.actions():
            action.setChecked(action.data() == device)
        self.service.set_device(device)
        if self.preferences.model in self.models:
            self.service.load_model(self.preferences.model)
            self.recognize_canvas()

    def _on_runtime_ready(self, _seconds: float) -> None:
        # Answers never waited for torch (ONNX Runtime gives them); the explanation did.
        self._refresh_side_views()

    def _on_runtime_failed(self, reason: str) -> None:
        self.statusBar().showMessage(
            f"PyTorch could not be loaded ({reason}): recognition works, explanations and CUDA do not", 0
        )

    def _on_focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        # Followed once the change is over, with the focus as it is then: a file dialog closed with Enter
        # hands its focus on while it is being taken apart, and the window's children looked through then
        # (the dialog among them) crashed the app (a teacher's trial: 3 of 3 Enters in Recognize Folder).
        QTimer.singleShot(0, self, self._follow_focus)

    def _follow_focus(self) -> None:
        focused = QApplication.focusWidget()
        self._show_in_side_tabs(focused)
        self._close_toolbar_overflow(focused)
        self._show_undo_redo()

    def _editing_text_box(self) -> bool:
        """Whether Undo and Redo are the text box's: it has the keyboard's focus, as in any editor (a
        note-taker's trial: Ctrl+A, Del in the box took all its text, and the toolbar's Undo took strokes
        off the pad instead while the text, saved empty, was lost)."""
        return self.text_mode and self.text_panel.text_box.hasFocus()

    def _show_undo_redo(self) -> None:
        """Undo and Redo enabled for what they act on: the text box while it has the focus, else the pad."""
        box = self.text_panel.text_box.document()
        editing = self._editing_text_box()
        self.undo_action.setEnabled(box.isUndoAvailable() if editing else self.canvas.next_undo() is not None)
        self.redo_action.setEnabled(box.isRedoAvailable() if editing else self.canvas.next_redo() is not None)
        for action, name in ((self.undo_action, "Undo"), (self.redo_action, "Redo")):
            said = f"{name} in the text box" if editing else name
            action.setToolTip(tip_with_keys(said, action))
            action.setStatusTip(said)

    def _close_toolbar_overflow(self, focused: QWidget | None) -> None:
        """The toolbar's » row, opened from the keyboard, closes when the focus leaves the toolbar (Qt closes it
        when the mouse leaves: opened with Space, it stayed over the pad's top, a reviewer's find)."""
        for button in self.findChildren(QToolButton, OVERFLOW_BUTTON_NAME):
            toolbar = button.parentWidget()
            if button.isChecked() and focused is not None and toolbar is not None and not toolbar.isAncestorOf(focused):
                button.click()  # (Qt's toolbar opens and closes its row on the button's click, not its check)

    def _show_in_side_tabs(self, focused: QWidget | None) -> None:
        """What the keyboard's focus is on in the side tabs, scrolled into view where they scroll sideways
        (a narrow window): the current tab of the tab bar, or the widget."""
        if focused is None or not self.side_tabs.isVisible() or not self.tabs.isAncestorOf(focused):
            return
        bar = self.tabs.tabBar()
        if focused is bar:
            tab = bar.tabRect(bar.currentIndex())
            centre = bar.mapTo(self.tabs, tab.center())
            self.side_tabs.ensureVisible(centre.x(), centre.y(), tab.width() // 2 + 8, tab.height() // 2)
        else:
            self.side_tabs.ensureWidgetVisible(focused)

    def _on_spelling_checked(self, reason: str) -> None:
        """The letter pairs read (``reason`` empty) or not: View -> Read Words as English is greyed, saying
        why (:meth:`_show_english_item`), and where text mode would use them now, the status bar says so."""
        self._letter_pairs_problem = reason
        self._show_english_item()
        if reason and self.text_mode and self.preferences.english_words:
            # Said as an answer: the line being read, whose count follows at once, does not hide it.
            self.voice.say(f"Words are read without English spelling: {reason}", 10)

    def _on_device_changed(self, description: str, cuda_present: bool) -> None:
        self.device_label.setText(f"device: {description}")
        self.cuda_action.setEnabled(cuda_present)
        # Greyed, it says why (a student found it greyed without a word), in its text and on hover.
        self.cuda_action.setText(CUDA_TEXT if cuda_present else f"{CUDA_TEXT} (none found)")
        said = "" if cuda_present else NO_CUDA_SAID
        self.cuda_action.setStatusTip(said)
        self.cuda_action.setToolTip(said or CUDA_TEXT.replace("&", ""))
        self.device_menu.setToolTipsVisible(not cuda_present)

    def set_theme(self, theme: str) -> None:
        self.preferences.theme = theme
        apply_theme(QApplication.instance(), theme, self._system_palette)  # type: ignore[arg-type]
        self._restyled()
        self.canvas.update()
        self._colour_toolbar_overflow()

    def _restyled(self) -> None:
        """After the style sheet was polished afresh (a theme, a text size): what the polish undoes set again,
        and the columns laid out for the widgets' new sizes (a theme at 200% text widened Explain past its
        column)."""
        # The polish took the dark theme's edge off Compare's tick boxes: an unticked model could not be seen
        # (an accessibility trial at 200% text).
        self.compare_view.edge_tick_boxes()
        QTimer.singleShot(0, self, self._columns_settled)

    def _colour_toolbar_overflow(self) -> None:
        """The toolbar's » button (where tools go that the window is too narrow for) in the theme's colours,
        named, and reached with Tab (Qt's had no name and took no focus: the pen's width in it was out of the
        keyboard's reach, an accessibility audit's)."""
        for button in self.findChildren(QToolButton, OVERFLOW_BUTTON_NAME):
            toolbar = button.parentWidget()
            vertical = isinstance(toolbar, QToolBar) and toolbar.orientation() == Qt.Orientation.Vertical
            button.setIcon(overflow_icon(QApplication.palette(), vertical))
            button.setAccessibleName("More tools")
            button.setToolTip("More tools: those the window is too narrow to show")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def zoom(self, step: int) -> None:
        """Text one size larger (``step`` 1), smaller (-1), or the system's (0)."""
        before = self.preferences.text_size
        size = 100 if step == 0 else next_text_size(before, step)
        self.preferences.text_size = size
        if size != before and not self.text_mode:
            # Laid out afresh for the text's size, or as they were at it (zoomed in and back, the answers'
            # column kept the width the larger text had asked for: 229 -> 340 px, the pad 458 -> 361 px).
            if self._column_shares is not None:
                self._shares_at_text[before] = self._column_shares
            self._column_shares = self._shares_at_text.get(size)
        apply_text_size(QApplication.instance(), size)  # type: ignore[arg-type]
        # Every layout measures its widgets again: a hidden tab's kept the least sizes of the last text size
        # (Batch's buttons' words at 100%), so the side tabs were given too little room and, shown, Batch's
        # Again read "Agair" at 200% (a keyboard user's trial); a theme chosen after it measured them anew.
        for layout in self.findChildren(QLayout):
            layout.invalidate()
        if size != before and not (self.isMaximized() or self.isFullScreen()):
            self._size_with_text(before, size)
        self._restyled()  # (larger text widens the side tabs' pages)
        self.show_text_size()
        self.show_pen_width(self.preferences.pen_width)
        keys = self.actual_size_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        # At either end a key more did nothing, and said the same as before (a parent pressed on for more).
        end = "" if step == 0 or size != before else ", the largest" if step > 0 else ", the smallest"
        self.statusBar().showMessage(
            f"Text size {size}%{end}" + (f" ({keys}: the system's size)" if size != 100 else "")
        )

    def _size_with_text(self, before: int, after: int) -> None:
        """Larger text wants a larger window: it grows with the text, within the screen (at 200% a window left
        at its first size cut Compare's model names to "ba…47" and laid the answer's note over it); smaller
        text takes back what larger text gave, while the window is as it left it (not as the person sized it):
        the size it had at that text size (shrunk by the whole ratio, growth held to the screen came back
        smaller than it was: 1180x640 came back 988x555)."""
        untouched = self.size() == self._size_by_text
        if not untouched:
            self._size_at_text = {}
        self._size_at_text.setdefault(before, self.size())
        if after > before:
            grown = fitted_size(self, self.size() * (after / before))
            self.resize(max(grown.width(), self.width()), max(grown.height(), self.height()))
        elif untouched:
            self.resize(self._size_at_text.get(after, self.size() * (after / before)))
        else:
            return
        self._size_by_text = self.size()
        screen = self.screen()
        if screen is not None:  # ... and moved back onto the screen where it grew past its edge
            free, frame = screen.availableGeometry(), self.frameGeometry()
            left = max(free.left(), min(frame.left(), free.right() - frame.width()))
            top = max(free.top(), min(frame.top(), free.bottom() - frame.height()))
            if (left, top) != (frame.left(), frame.top()):
                self.move(left, top)

    def show_text_size(self) -> None:
        """The size in the View menu (the status bar's word of it gives way to the next reading's)."""
        self.text_size_menu.setTitle(f"Text Si&ze: {self.preferences.text_size}%")

    def set_english_words(self, on: bool) -> None:
        """View -> Read Words as English: text mode's words read with how English is spelled, or each letter
        on its own (the line on the pad read again)."""
        self.preferences.english_words = on
        if self.text_mode:
            self.recognize_canvas()

    def set_top_k(self, k: int) -> None:
        self.preferences.top_k = k
        self.predictions.set_top_k(k)
        self.recognize_canvas()

    def _set_pen_width(self, width: int) -> None:
        self.preferences.pen_width = width
        self.canvas.pen_width = float(width)
        self.show_pen_width(width)

    def show_pen_width(self, width: int) -> None:
        # As wide as the widest width (the toolbar does not jump as the slider moves), in today's text size.
        widest = f" {PEN_WIDTHS_PX[1]} px "
        self.pen_width_label.setMinimumWidth(self.pen_width_label.fontMetrics().horizontalAdvance(widest))
        self.pen_width_label.setText(f" {width} px")
        self.pen_width_label.setToolTip(f"Pen width: {width} px on the pad at the pen's full pressure")

    def highlight_model_in_use(self) -> None:
        checked = self.model_actions.checkedAction()
        if checked is not None:
            self.model_menu.setActiveAction(checked)

    def open_model_picker(self) -> None:
        """The Model box with its list open, from the keyboard: arrows or a name's first letters, Enter. The
        focus stays where it was (on the pad: its E and arrows are the pad's again once the list closes)."""
        self.model_picker.showPopup()

    def toggle_eraser(self) -> None:
        on = self.eraser_action.isChecked()
        self.canvas.eraser = on
        # Said, not only shown by the button's colour (a screen reader, a toolbar hidden away).
        self.voice.say("Eraser on: drag over ink to erase it (E on the pad turns it off)" if on else "Eraser off", 3.0)

    # ---- recognition -------------------------------------------------------------------------------
    def _show_title(self) -> None:
        """The window's title names the file the pad shows, and nothing once the pad no longer shows it: a
        picture while it is the pad's (writing over it or not), a stroke file while its strokes are all on the
        pad (more may be written after them; Clear, or Undo back before it, takes its name away)."""
        shown = self._opened_file is not None and self._pad_shows(self._opened_file[0])
        # (A newline in a file's name was a line of its own in the title bar.)
        named = f"GlyphPad — {printable_name(self._opened_file[1])}" if shown and self._opened_file else "GlyphPad"
        self.setWindowTitle(named)

    def _pad_shows(self, opened: list[object]) -> bool:
        source = self.canvas.opened_source
        if source is not None:
            return any(source is kept for kept in opened)
        return self._strokes_opened_on_pad(opened) > 0

    def _opened_strokes_on_pad(self) -> int:
        """How many of the pad's first strokes are the opened stroke file's, still as opened (0: none)."""
        return self._strokes_opened_on_pad(self._opened_file[0]) if self._opened_file else 0

    def _strokes_opened_on_pad(self, opened: list[object]) -> int:
        """How many of the pad's first strokes are those of an opened stroke file (``opened``: the file's
        strokes, as opened and as turned), still the very ones; 0 when they are not all there."""
        on_pad = self.canvas.strokes
        for kept in opened:
            if (
                isinstance(kept, tuple)
                and 0 < len(kept) <= len(on_pad)
                and all(ours is theirs for ours, theirs in zip(kept, on_pad, strict=False))
            ):
                return len(kept)
        return 0

    def _kept_opened_file(self, restored: int) -> tuple[list[object], str] | None:
        """The stroke file whose strokes began the pad when the last session ended (its name and how many
        they were, kept by :meth:`_save_pad`), as the pad's first ``restored`` strokes now; None if none or
        the entry does not fit them (damaged, or more strokes than came back)."""
        try:
            kept = json.loads(settings_text(self.settings.value(PAD_FILE_KEY, "")) or "null")
        except (ValueError, RecursionError):
            return None
        if not isinstance(kept, dict):
            return None
        name, count = kept.get("name"), kept.get("strokes")
        if not isinstance(name, str) or not name.strip() or not isinstance(count, int) or isinstance(count, bool):
            return None
        return ([tuple(self.canvas.strokes[:count])], name) if 0 < count <= restored else None

    def recognize_canvas(self) -> None:
        self._show_title()
        if self.text_mode:
            self.lines.read_canvas()
            return
        if self.canvas.is_blank():
            if self.practice_bar is not None:
                self.practice_bar.judge(None, None)  # (what was read last still counts)
            self._current_input = None
            self._current_strokes = None
            self._current_model_input = None
            self._current_label = None
            for kind in ("recognize", "compare", "explain"):  # answers still on their way are the old drawing's
                self.service.cancel(kind)
            self._request_started.clear()
            self.explain_view.explain_predicted()
            self.explain_view.show_blank()
            self.predictions.show_blank("Draw a character to start.", "nothing drawn yet")
            self.compare_view.show_blank(COMPARE_WAITS)
            return
        image, strokes = self.canvas.recognition_input(), self.canvas.recognition_strokes()
        self._taps_left_out = 0
        if strokes is not None and not self.canvas.stroke_in_progress:
            from ml.runtime.strokes import stray_dots, without_strokes  # (numpy: loaded with the first drawing)

            if taps := stray_dots(strokes.strokes):  # a cheap tablet's stray touch beside a 5 made it 75% sure
                image, strokes = self.canvas.render_without(taps), without_strokes(strokes, taps)
                self._taps_left_out = len(taps)
        self._submit(image, strokes)

    def _submit(self, image: Any, strokes: Any = None) -> None:
        self._show_title()  # a pasted or dropped picture is no opened file
        if self.text_mode:  # an opened, pasted or dropped picture is read as a line too
            self.lines.read_canvas()
            return
        # Before the model list has arrived the model in use is already loading (create_window): ask it.
        listed_without_it = bool(self.models) and self.preferences.model not in self.models
        if not self.preferences.model or listed_without_it:
            return
        self._current_input = image
        self._current_strokes = strokes
        request_id = self.service.recognize(self.preferences.model, image, self.preferences.top_k, strokes)
        self._request_started[request_id] = time.perf_counter()
        QTimer.singleShot(PENDING_AFTER_MS, self, lambda: self._show_pending(request_id))
        self._refresh_side_views(recognition_pending=True)

    def _show_pending(self, request_id: int) -> None:
        if request_id in self._request_started and self.service.is_latest("recognize", request_id):
            self.predictions.show_pending()

    def _on_recognized(self, request_id: int, result: Recognition) -> None:
        started = self._request_started.pop(request_id, None)
        # Requests the worker skipped as stale never answer: forget every one older than this.
        self._request_started = {k: v for k, v in self._request_started.items() if k > request_id}
        if not self.service.is_latest("recognize", request_id) or result.model != self.preferences.model:
            return  # a newer drawing has been sent since: its answer is on the way
        if result.error:
            self._current_model_input = None
            self._current_label = None  # Compare judges by the answer shown: there is none
            self.predictions.show_blank(("Nothing to recognize: " if result.blank else "") + result.error)
            # The explanation shown was the previous drawing's: nothing here explains it.
            self.service.cancel("explain")
            self.explain_view.show_blank("Nothing to explain: the drawing or image was not recognized.")
        else:
            self._current_model_input = result.model_input
            self._current_label = result.top[0][0] if result.top else None
            # A drawing that its model reads with a stroke model, erased: the answer says why the strokes were not read.
            partner = self._stroke_partners.get(result.model)
            erased = bool(partner and partner.used) and not self.text_mode and self.canvas.erased_drawing()
            self.predictions.show_result(
                result.top,
                result.model_input,
                result.latency_ms,
                result.notes,
                result.inputs_used,
                picture_alone_since=ERASED if erased else "",
            )
        # Painted now, not at the event loop's next turn: by then the explanation requested below is running
        # on the worker and holding the GIL for milliseconds, while the answer it follows waits unseen.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # painted where the layout puts it now
        self.predictions.repaint()
        end_to_end = (time.perf_counter() - started) * 1000 if started is not None else result.latency_ms
        self.result_shown.emit(replace(result, latency_ms=end_to_end, request_id=request_id))
        if not result.error:  # after the answer is on screen: these notes are no part of its wait
            self._note_several_characters()
            self._judge_practice(result.model, result.top)
            if self._taps_left_out:
                from ml.runtime.strokes import taps_left_out_note

                self.predictions.add_note(taps_left_out_note(self._taps_left_out))
            scope = READS_ONLY.get(self.models[result.model].label_set if result.model in self.models else "")
            if scope:  # a confident 4 for a drawn A, from the digits model, is no mystery when this is said
                self.predictions.add_note(f"{result.model} reads {scope} only")
            # Last: the explanation's work on the worker (torch) would otherwise slow the window's own.
            self._request_explanation()

    def _on_case_read(self, request_id: int, letter: str) -> None:
        """The letter of the answer shown, in the case the case model is sure it was written in (the model in
        use reads both cases as one): Keep as Example offers that case."""
        if self.service.is_latest("recognize", request_id):
            self._case_of_answer = (request_id, letter)

    def _on_picture_counted(self, request_id: int, count: int) -> None:
        """A picture read here holds several characters (the worker counted them after its answer)."""
        if self.service.is_latest("recognize", request_id) and not self.text_mode and self._current_strokes is None:
            self._note_count(count)

    def _on_picture_lines(self, request_id: int, lines: int) -> None:
        """A picture read here holds lines of writing (counted by the worker after its answer), as a drawing in
        rows is said to (:meth:`_note_several_characters`)."""
        if self.service.is_latest("recognize", request_id) and not self.text_mode and self._current_strokes is None:
            self.predictions.add_note(SEVERAL_LINES_NOTE)

    def _note_several_characters(self) -> None:
        """A drawing that splits into several characters gets one answer here: say that text mode reads
        them (a line written in text mode and shown here read as one M, 94.6%). Pictures: counted by the
        worker (:meth:`_on_picture_counted`; a photo of HELLO read as M)."""
        from ml.runtime.line_reader import writing_in_strokes

        if self._current_strokes is None:
            return
        count = writing_in_strokes(self._current_strokes.strokes)
        if count.lines:
            self.predictions.add_note(SEVERAL_LINES_NOTE)
        else:
            self._note_count(count.apart)

    def _note_count(self, count: int) -> None:
        if count > 1:
            self.predictions.add_note(f"{count} characters? Text mode (Ctrl+T) reads a line")
        if count >= OFFER_TEXT_MODE_FROM:
            self.predictions.offer_text_mode()

    def _refresh_side_views(self, recognition_pending: bool = False) -> None:
        if self.tabs.currentWidget() is self.compare_view:
            if not self._listing_came:  # "Tick the models" stood there for 8 s while they were listed at start
                self.compare_view.show_blank("Listing the models…")
            elif not self._compare_models:
                self.compare_view.show_blank("Tick the models to compare (All ticks every one).")
            elif self._current_input is None:
                self.compare_view.show_blank(COMPARE_WAITS)  # models ticked again over a blank pad
            else:
                self.service.compare(
                    self._compare_models, self._current_input, self._current_strokes, self.preferences.model
                )
                count = len(self._compare_models)
                self.compare_view.show_working(f"Reading it with {count} model{'s' if count != 1 else ''}…")
        if not recognition_pending and self.tabs.currentWidget() is self.explain_view:
            self._request_explanation()

    def _request_explanation(self) -> None:
        if self._current_model_input is None:
            return
        if self.tabs.currentWidget() is not self.explain_view:
            # Explained once Explain is in view: what it holds is an earlier drawing's, not to be copied or
            # saved as this one's (Copy Picture gave the last drawing's pen path while Compare was in view).
            if self.explain_view.shows_explanation():  # (once, not at every answer while another tab is in view)
                self.explain_view.show_blank("Explained when this tab is shown")
            return
        if not self.service.runtime_loaded and not self.service.runtime_error:  # it waits for torch: said
            self.explain_view.show_error("Loading PyTorch for Grad-CAM and the activation maps…")
            self.service.load_runtime()
        # "predicted class" means the answer the window shows: the fused one when the strokes were read.
        label = self.explain_view.chosen_class() or self._current_label
        self.service.explain(self.preferences.model, self._current_model_input, label, self._current_strokes)

    def _on_explained(self, request_id: int, explanation: Explanation) -> None:
        if not self.service.is_latest("explain", request_id) or self._current_model_input is None:
            return
        if explanation.error:
            self.explain_view.show_error(explanation.error)
            return
        self.explain_view.show_explanation(
            self._current_model_input,
            explanation.label,
            explanation.method,
            explanation.heatmap,
            explanation.layers,
            explanation.strokes,
            explanation.model,
        )

    # ---- text mode -----------------------------------------------------------------------------------
    def text_mode_toggled(self) -> None:
        self.set_text_mode(self.text_mode_action.isChecked())

    # ---- practice -------------------------------------------------------------------------------------
    def set_practice(self, on: bool) -> None:
        """View -> Practice: the window asks for a character, the person writes it, the answer says whether it
        was read so, and Enter (Next) asks for another, the score kept; in character mode only."""
        if on and self.text_mode:
            self.set_text_mode(False)
        self.practice_action.setChecked(on)
        if on and self.practice_bar is None:
            self.practice_bar = PracticeBar(pen_is_down=lambda: self.canvas.stroke_in_progress)
            self.practice_bar.next_asked.connect(self.ask_next_character)
            self.practice_bar.again_asked.connect(self._practice_again)
            self.practice_bar.ended.connect(lambda: self.set_practice(False))
            self.practice_bar.only_edited.connect(self._practice_only_edited)
            self.practice_bar.misses_asked.connect(self._practice_misses)
            layout = self.pad_column.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(0, self.practice_bar)
        if self.practice_bar is not None:
            self.practice_bar.setVisible(on)
            if not on:  # (a miss waiting to be said was said in the hidden bar after End)
                self.practice_bar.judge(None, None)
        for key in self._next_keys:
            key.setEnabled(on)
        if on and self._practice is None:
            self._practice = Practice(
                readable_characters(self._label_set_in_use()), only=self.preferences.practice_only
            )
            if self.practice_bar is not None:
                self.practice_bar.only.setText(self.preferences.practice_only)
            # A drawing there is cleared, not lost (it was wiped for good), and never judged: brought back by
            # Undo, a 7 drawn before was "read right" when a 7 was asked.
            self._drawn_before_practice = tuple(self.canvas.strokes)  # (kept: an id alone was reused by a new one)
            undo = " (Undo brings back your drawing)" if self._drawn_before_practice else ""
            self.clear_pad()
            self.ask_next_character(afresh=False)
            chosen = self._practice.chosen()[0]
            only = f"only {', '.join(chosen)}; " if chosen else ""
            self.voice.say(f"Practice: write {self._practice.asked} ({only}Enter: another){undo}", 8)
            if self.practice_bar is not None:  # Tab goes from the toolbar to the bar's buttons and box, then the pad
                bar = self.practice_bar
                chain = (self.pen_slider, bar.again_button, bar.next_button, bar.end_button, bar.only)
                for first, then in itertools.pairwise((*chain, bar.misses_button, self.canvas)):
                    QWidget.setTabOrder(first, then)
        elif not on and self._practice is not None:
            self._practice.finish()  # the last one counts too
            summary = self._practice.summary()  # (with what was read otherwise: what to work on next)
            score, work_on = self._practice.score(), ", ".join(self._practice.missed)
            scores = self._practice.scores()
            self._practice = None
            self.voice.say("Practice ended" + (f": {summary}" if summary else ""), 15)
            if summary:  # (said in the status bar alone, it was gone in 15 s, and the teacher had not seen it)
                self._show_practice_summary(score, work_on, scores)

    def _show_practice_summary(self, score: str, work_on: str, scores: list[CharacterScore]) -> None:
        """How the practice went (the score, the characters read otherwise, each character's record), in a box
        that stays until dismissed, the window usable beside it (show(): with open() the window could not be
        closed while it was up, and closing the box first dropped the record unasked, a review's find)."""
        text = "Practice ended" + (f": {score}." if score else ".") + (f"\nTo work on: {work_on}." if work_on else "")
        if self.practice_summary is not None:
            self.practice_summary.close()
        box = PracticeSummary(self, text, scores, QDate.currentDate().toString(Qt.DateFormat.ISODate))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._practice_summary_closed(box))
        box.save_asked.connect(
            lambda: box.show_saved(self.save_practice_record(box.scores, box, box.written_by.text().strip()))
        )
        self.practice_summary = box
        box.show()

    def save_practice_record(self, scores: list[CharacterScore], parent: QWidget, written_by: str = "") -> Path | None:
        """The practice's record, a row a character (``written_by``: whose practice, a column of it and a word
        of the file's name), as a CSV file the person names (fields apart by ";" where the system writes 0,97:
        a spreadsheet there put each row in one cell); where it was written."""
        day = QDate.currentDate().toString(Qt.DateFormat.ISODate)
        whose = "".join(c for c in written_by if c.isalnum() or c in " -_").strip()
        start = self._dialog_folder() / f"glyphpad-practice-{whose + '-' if whose else ''}{day}.csv"
        kinds = [kind for kind in export_kinds(QLocale.system()) if kind != JSON_KIND]
        chosen, kind = QFileDialog.getSaveFileName(
            parent, "Save Practice Record", str(start), ";;".join(kinds), kinds[0]
        )
        if not chosen:
            return None
        path = Path(chosen) if Path(chosen).suffix.lower() == ".csv" else Path(chosen + ".csv")
        if not self._may_write(path, Path(chosen), "Save Practice Record"):
            return None
        try:
            delimiter = ";" if kind == REGIONAL_CSV_KIND else ","
            write_atomically(path, scores_csv(scores, delimiter, day, written_by))
        except OSError as error:
            QMessageBox.critical(parent, "Save Practice Record", f"Could not write {path}:\n{error.strerror or error}")
            return None
        self.preferences.last_folder = str(path.parent)
        self.voice.say(f"Saved the practice record to {path}")
        return path

    def _practice_record_may_go(self) -> bool:
        """Whether a practice's record not saved may be dropped by quitting (the practice going on, counted as
        if ended now, or its summary still open): the person is asked, and may save it first. A teacher's
        record of a class's drill was gone with the window."""
        box = self.practice_summary
        if self._practice is not None:
            ended = copy.deepcopy(self._practice)
            ended.finish()
            scores, score = ended.scores(), ended.score()
        elif box is not None and box.saved is None:
            scores = box.scores
            score = score_text(sum(each.right for each in scores), sum(each.asked for each in scores))
        else:
            return True
        if not scores:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            self,
            "Quit",
            f"The practice's record ({score}: {named_briefly(''.join(each.char for each in scores))}) is not saved; "
            "it is dropped if you quit. Save it to a file first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:  # (with the name typed in the summary, where it is open)
            whose = box.written_by.text().strip() if box is not None and self._practice is None else ""
            return self.save_practice_record(scores, self, whose) is not None
        return answer == buttons.Discard

    def _practice_summary_closed(self, box: PracticeSummary) -> None:
        if self.practice_summary is box:  # (not a newer one, shown since)
            self.practice_summary = None

    def ask_next_character(self, afresh: bool = True) -> None:
        """Next: the character asked counted as last read, another asked for, the pad cleared for it (with
        no history: ``afresh``)."""
        if self._practice is None:
            return
        self._practice.characters = readable_characters(self._label_set_in_use())
        self._practice.ask_next()
        self._show_practice_prompt()
        if afresh:
            self.canvas.start_afresh()
            self._drawn_before_practice = ()  # (no Undo brings them back now)
        self.voice.say(f"Write {self._practice_asked_spoken()}" if self._practice.asked else "Nothing to write", 5)

    def _show_practice_prompt(self) -> None:
        """The character asked, the score, and whether the model in use reads the letter in either case (said
        anew when the model changes: a 62-class model went on saying balanced47 read o and O as one)."""
        if self._practice is None or self.practice_bar is None:
            return
        asked, label_set = self._practice.asked, self._label_set_in_use()
        merged = asked.isalpha() and asked.upper() in get_label_set(label_set).merged_case
        self.practice_bar.ask(
            asked, self._practice.score(), self.preferences.model if merged else "", cases_alike_apart(asked, label_set)
        )
        self.practice_bar.offer_misses(self._practice.misses_to_ask(), self._practice.pool())
        self.practice_bar.note_choice(self._practice_choice_note())

    def _practice_choice_note(self) -> str:
        """What the model in use cannot ask of the characters chosen ("" where it reads them all): named as
        long as it fits a line (a digits model listed 26 letters of "0-9a-z", and the pad jumped down)."""
        if self._practice is None:
            return ""
        chosen, unread = self._practice.chosen()
        model = self.preferences.model
        if not unread:
            return ""
        if not chosen:
            return f"{model} reads none of these: it asks for any character it reads"
        return f"{model} does not read {named_briefly(unread)}"

    def _practice_only_edited(self, typed: str, keep: bool = True) -> None:
        """The characters Practice asks for, as typed in its bar (``keep``: for the next practice too): the one
        asked, where it is not among them, changed at once and not counted (a drawing for it cleared, Undo
        bringing it back unjudged), and what the model in use cannot read said."""
        practice = self._practice
        if practice is None or typed == practice.only:  # (the box left as it was)
            return
        if keep:
            self.preferences.practice_only = typed
        practice.only = typed
        chosen, unread = practice.chosen()
        if practice.asked not in practice.pool():
            # (with those from before practice: Undo may bring either back, judged by neither)
            self._drawn_before_practice = (*self._drawn_before_practice, *self.canvas.strokes)
            self.clear_pad()
            practice.skip()
        self._show_practice_prompt()
        asking = f"only for {', '.join(chosen)}" if chosen else "for any character it reads"
        cannot = f"{self.preferences.model} does not read {named_briefly(unread)}; " if unread else ""
        self.voice.say(f"{cannot}Practice asks {asking}: write {self._practice_asked_spoken()}", 8)

    def _practice_asked_spoken(self) -> str:
        """The character Practice asks for as said (speech has no case: "write b" and "write B" sounded the
        same to a screen reader's user; "small b")."""
        asked = self._practice.asked if self._practice is not None else ""
        return spoken_class_name(asked, get_label_set(self._label_set_in_use()).merged_case)

    def _practice_misses(self) -> None:
        """Work on Misses: Practice asks only for the characters read otherwise so far (this practice: what
        was typed in the box stays the one kept for the next)."""
        if self._practice is None or self.practice_bar is None:
            return
        missed = self._practice.misses_to_ask()
        self.practice_bar.only.setText(missed)
        self._practice_only_edited(missed, keep=False)
        self.canvas.setFocus()  # (the button, hidden now, handed the focus on)

    def _practice_again(self) -> None:
        """Try Again: the pad cleared (Undo brings it back) for the same character, the verdict cleared."""
        if self._practice is None:
            return
        had_focus = self.practice_bar is not None and self.practice_bar.again_button.hasFocus()
        self.clear_pad()
        self._practice.try_again()  # (judged again when written again)
        if self.practice_bar is not None:
            self.practice_bar.judge(None, None)
            self.practice_bar.offer_misses(self._practice.misses_to_ask(), self._practice.pool())
        if had_focus:  # (hidden, it handed the focus to Next, and the next Space skipped the character)
            self.canvas.setFocus()
        self.voice.say(f"Write {self._practice.asked} again", 5)

    def _enter_while_practising(self) -> None:
        """Enter in the pad's column: Next, or the bar's button that has the focus (Enter on Try Again or
        End asked for another character and counted a miss)."""
        bar = self.practice_bar
        focused = QApplication.focusWidget()
        if bar is not None and focused in (bar.again_button, bar.end_button, bar.misses_button):
            focused.click()
            return
        if bar is not None and focused is bar.only:  # the characters typed, asked from now; back to writing
            self.canvas.setFocus()  # (the box, left, says what was typed)
            return
        self.ask_next_character()

    def _judge_practice(self, model: str, top: Sequence[tuple[str, float]]) -> None:
        practice = self._practice
        answer = answer_judged(practice.pool(), top) if practice is not None else ""
        if practice is None or not practice.asked or not answer:
            return
        label_set = self._label_set_in_use(model)
        # What the pad shows must be what was written for it: an opened or pasted picture filled the score,
        # and so did a drawing from before practice brought back by Undo.
        strokes = tuple(self.canvas.strokes)
        written = self.canvas.opened_source is None and not shares_a_stroke(strokes, self._drawn_before_practice)
        if not written or practice.asked not in readable_characters(label_set):
            if self.practice_bar is not None:
                self.practice_bar.judge(None, None)
            return
        merged = get_label_set(label_set).merged_case
        shown = class_name(answer, merged, name_lookalikes=False)
        # A try written afresh shares no stroke with the drawing judged before (Undo after Try Again brought
        # that drawing back: no new try).
        new_try = not shares_a_stroke(strokes, self._practice_judged)
        self._practice_judged = strokes
        practice.judge(reads_as_asked(practice.asked, answer, label_set), shown, new_try, model)
        if self.practice_bar is not None:
            sure = dict(top).get(answer, 0.0) >= NOT_SURE_BELOW  # (as the answer's panel calls a guess)
            self.practice_bar.judge(shown, practice.read_right, spoken_class_name(answer, merged), sure)

    def _label_set_in_use(self, model: str = "") -> str:
        """The label set of ``model`` (or the model in use), the 36 classes' while the list has not come."""
        info = self.models.get(model or self.preferences.model)
        return info.label_set if info is not None and info.available and info.label_set else "emnist36"

    def set_text_mode(self, on: bool) -> None:
        """Text mode: the pad takes the window's width and reads a line of characters as text."""
        if on and self._practice is not None:
            self.set_practice(False)
        self.lines.active = on
        self.text_mode_action.setChecked(on)
        for text_only in (self.remove_last_action, self.add_line_action, self.continue_line_action):
            text_only.setEnabled(on)
        self.copy_text_action.setText("Cop&y Text" if on else "Cop&y Answer")  # (C is Clear's)
        self.keep_example_action.setText("&Keep Line as Examples…" if on else "&Keep as Example…")
        self.keep_example_action.setStatusTip(KEEP_LINE_TIP if on else KEEP_EXAMPLE_TIP)
        self.copy_answers_action.setEnabled(not on)  # the answers' panel is hidden: its rows are of the last drawing
        self.predictions.setVisible(not on)
        self.side_tabs.setVisible(not on)
        if not on:  # once the columns are laid out again
            QTimer.singleShot(0, self, self._keep_side_tabs_whole)
        self.text_panel.setVisible(on)
        self._fit_text_panel()
        self.canvas.reads_lines = on
        self._show_pad_placeholder()
        self.canvas.setAccessibleDescription(PAD_DESCRIPTIONS[on])
        self.lines.clear_line()
        self._show_model_scope()
        self.recognize_canvas()

    def _label_set(self) -> Any:
        """The model in use's label set (``ml.runtime.labels.LabelSet``), or None: none listed, or a card with
        a label set this version does not know."""
        from ml.runtime.labels import get_label_set

        info = self.models.get(self.preferences.model)
        try:
            return get_label_set(info.label_set) if info and info.label_set else None
        except (KeyError, ValueError):
            return None

    def _classes(self) -> tuple[str, ...]:
        """The classes of the model in use (none known: see :meth:`_label_set`)."""
        label_set = self._label_set()
        return label_set.classes if label_set is not None else ()

    def _merged_case(self) -> frozenset[str]:
        """The letters the model in use reads in either case as one class (their capitals)."""
        label_set = self._label_set()
        return label_set.merged_case if label_set is not None else frozenset()

    def _show_merged_case(self) -> None:
        merged = self._merged_case()
        info = self.models.get(self.preferences.model)
        self.predictions.set_merged_case(merged)
        self.explain_view.set_classes(list(info.card.labels) if info and info.card else [], merged)

    def _show_english_item(self) -> None:
        """View -> Read Words as English, greyed where it cannot be used, saying why in its text and tooltip
        (the preference is kept for when it can): letter pairs that cannot be read, or a model in use that
        reads no letters (a digits model: the item was active and did nothing)."""
        info = self.models.get(self.preferences.model)
        no_letters = info is not None and info.card is not None and not reads_letters(info.card.labels)
        if self._letter_pairs_problem:
            why = "letter pairs unreadable"
            said = f"Cannot be used: {self._letter_pairs_problem} (Model → Reload Models reads them again)"
        elif no_letters:
            why = "the model reads no letters"
            said = f"{self.preferences.model} reads no letters: there is no spelling to weigh"
        else:
            why = said = ""
        self.english_action.setEnabled(not why)
        self.english_action.setText(f"{ENGLISH_WORDS_TEXT} ({why})" if why else ENGLISH_WORDS_TEXT)
        self.english_action.setStatusTip(said or ENGLISH_WORDS_TIP)
        self.english_action.setToolTip(said or ENGLISH_WORDS_TEXT.replace("&", ""))
        # A greyed item of a Fusion menu is never highlighted (its status tip never shows): the reason shows
        # as the menu's tooltip while it is greyed (the menu's other items' tooltips would repeat their keys).
        self.view_menu.setToolTipsVisible(bool(why))

    def _show_model_scope(self) -> None:
        """Text mode says when the model in use reads only digits or only letters: a line of both comes out
        all one kind (a letters model read "HI 42" as "HI Qz", with nothing to say why)."""
        info = self.models.get(self.preferences.model)
        scope = READS_ONLY.get(info.label_set if info else "")
        self._show_english_item()
        self._show_pad_placeholder()
        self.text_panel.set_scope(
            f"{self.preferences.model} reads {scope} only. For both, choose a model of 36 classes or more."
            if scope
            else ""
        )

    def _show_pad_placeholder(self) -> None:
        """What the blank pad asks for: a letter, a digit, or either, as the model in use reads (with a
        letters model it asked a teacher's class for "a letter or a digit")."""
        info = self.models.get(self.preferences.model)
        label_set = info.label_set if info else ""
        what = {"digits10": "a digit", "letters26": "a letter"}.get(label_set, "a letter or a digit")
        self.canvas.placeholder = (
            "Write a word or a code here, left to right, in print\nor drop a photo of one"
            if self.text_mode
            else f"Draw {what} here\nor drop an image file"
        )
        self.canvas.update()

    def _on_canvas_resized(self) -> None:
        if self.text_mode:  # the drawing was scaled with the pad: its boxes with it
            self.lines.read_canvas()
        elif self.canvas.drawn_strokes():
            # The drawing is rendered for recognition at the pad's shape: read it again as it is now. (Leaving
            # text mode answered from the wide pad's rendering, and the next request, for the same drawing,
            # differently.) An opened picture alone reads the same at any size.
            self.recognize_canvas()

    def clear_pad(self) -> None:
        """Clear, said (a screen reader heard nothing; Undo brings it back)."""
        if self.canvas.is_blank() and not self.canvas.strokes:
            return
        self.canvas.clear()
        self.voice.say("Cleared the pad (Undo brings it back)", 3, undoable=True)

    def copy_answers(self) -> None:
        """Ctrl+Shift+C: the answers listed and their confidences, tab-separated lines (Ctrl+C copies the
        answer alone, to type it somewhere)."""
        rows = self.predictions.shown_rows()
        if self.text_mode or not rows:
            self.voice.say("Nothing to copy: draw a character, or open a picture of one", 3)
            return
        if not self.predictions.is_current():  # greyed: the last input's, this one still being read
            self.voice.say("The answer is still being worked out: copy it once it is shown", 3)
            return
        comma = writes_decimal_comma(QLocale.system())
        lines = [f"{label}\t{pasted_percent(confidence, comma)}" for label, confidence in rows]
        QApplication.clipboard().setText("\n".join(lines) + "\n")
        self.voice.say(f"Copied {len(rows)} answer{'s' if len(rows) != 1 else ''} with their confidences", 3)

    def copy_text(self) -> None:
        """Ctrl+C: in text mode the line's text (TextModeLines.copy_text). Else the rows chosen in a table
        that has the focus (Batch, Compare: as tab-separated lines, for a spreadsheet), or the answer."""
        if self.text_mode:
            self.lines.copy_text()
            return
        focused = QApplication.focusWidget()
        if isinstance(focused, QTableView):  # a table's rows, not the answer beside it
            rows = table_rows_mime(focused, decimal_comma=writes_decimal_comma(QLocale.system()))
            if rows is None:
                self.voice.say("Choose the rows to copy (Ctrl+A: all of them)", 3)
                return
            QApplication.clipboard().setMimeData(rows)
            count = len({index.row() for index in focused.selectionModel().selectedIndexes()})
            self.voice.say(f"Copied {count} row{'s' if count != 1 else ''}", 3)
            return
        answer = self.predictions.answer()
        if answer:
            QApplication.clipboard().setText(answer)
            self.voice.say(f"Copied “{answer}”", 3)
        else:
            self.voice.say("Nothing to copy: draw a character, or open a picture of one", 3)

    def _compare_left_out(self) -> set[str]:
        return set(string_list(self.preferences.compare_left_out))  # damaged: every model ticked

    def _on_compare_models_chosen(self, names: list[str]) -> None:
        # The models unticked are kept (a new model comes ticked): a class comparing three models ticked
        # them again after every start, and after every model copied in.
        tickable = set(self.compare_view.tickable())
        kept = self._compare_left_out() - tickable  # unticked ones not listed now, or not available now
        self.preferences.compare_left_out = json.dumps(sorted(kept | (tickable - set(names))))
        self._compare_models = names
        self._refresh_side_views()

    def _picture_saved(self, path: Path) -> None:
        self.preferences.last_folder = str(path.parent)
        self.voice.say(f"Saved {path}")

    def _use_compared_model(self, name: str) -> None:
        """A row of Compare double-clicked: its model in use, as the Model menu would put it (the person's
        choice, kept); the model in use already (its picture's or its strokes' row too) is said so (a student's
        double-click on the picture's row did nothing, without a word)."""
        if name != self.preferences.model:
            self.choose("model", name)
        else:
            self.voice.say(f"{name} is the model in use already", 4)

    def _on_compared(self, request_id: int, rows: list[ComparisonRow]) -> None:
        if self.service.is_latest("compare", request_id):
            # The reference is the answer the window shows: fused with the pen strokes when there were any.
            fused_name = fused_row_name(self.preferences.model)
            in_use = fused_name if any(row.model == fused_name for row in rows) else self.preferences.model
            # The model in use unticked: its answer, as the panel shows it, is still what the rows are judged by
            # (the first of a tie among the ticked ones was, and a digits model's 5 "agreed" with an S).
            info = self.models.get(self.preferences.model)
            shown = None
            if self._current_label is not None and info is not None and info.card is not None:
                shown = ComparisonRow(self.preferences.model, self._current_label, classes=tuple(info.card.labels))
            self.compare_view.show_rows(rows, in_use, shown)

    # ---- images: open, paste, drop --------------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        """The files opened or saved last, the latest first (kept in the settings as a JSON list: an INI
        file reads a comma-separated value back as a list)."""
        return [Path(name) for name in string_list(self.settings.value(RECENT_FILES_KEY, "[]")) if name][:RECENT_FILES]

    def _keep_recent_files(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT_FILES_KEY, json.dumps([str(p) for p in paths[:RECENT_FILES]]))

    def _remember_file(self, path: Path) -> None:
        latest = Path(os.path.normpath(path.absolute()))  # as named (a link is listed by its own name)
        self._keep_recent_files([latest, *(p for p in self.recent_files() if p != latest)])

    def _forget_recent_files(self) -> None:
        self._keep_recent_files([])

    def fill_recent_menu(self) -> None:
        from ml.runtime.image_files import display_path

        self.recent_menu.clear()
        files = self.recent_files()
        for number, path in enumerate(files, start=1):
            # Numbered for the keyboard (Alt+F, R, 1); the folder beside the name tells two drawing.json apart.
            # A name's & is no keyboard mnemonic; odd bytes shown as \xNN; a long path cut in its middle.
            shown = f"{display_path(path.name)}    {display_path(path.parent)}"
            shown = middle_cut(printable_name(shown), 89).replace("&", "&&")
            action = self.recent_menu.addAction(f"&{number} {shown}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, path=path: self._open_recent(path))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("&Clear Menu", self._forget_recent_files).setEnabled(bool(files))

    def _open_recent(self, path: Path) -> None:
        try:
            gone = not path.exists()
        except OSError:  # its folder cannot be entered now: opening it says so (it is kept on the menu)
            gone = False
        if gone:  # moved or deleted since: said, and taken off the menu
            self._keep_recent_files([p for p in self.recent_files() if p != path])
            self._show_input_error(path.name, f"it is no longer there ({path.parent})")
            return
        self.open_file(path)

    def open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", str(self._dialog_folder()), OPEN_FILTER)
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> None:
        """A picture, or a stroke file (.json), on the pad."""
        from ml.runtime.image_files import is_drawing_file

        if is_drawing_file(path):
            self.open_strokes(path)
        else:
            self.open_image(path)

    def open_strokes(self, path: Path) -> None:
        """Put a stroke file's strokes on the pad (undoable), read as a drawing is: picture and strokes. A
        malformed file is refused with its reason and the pad keeps what it holds."""
        from ml.runtime.strokes import StrokesError, read_strokes_file

        self.preferences.last_folder = str(path.parent)
        # A file of a page's shading (up to 200,000 points) takes seconds to read and paint: the pointer says
        # the window is busy meanwhile (it stood still without a sign).
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            strokes = read_strokes_file(path)
            if strokes.strokes:
                self.canvas.open_strokes(strokes)
                if strokes.corrections:  # (those that do not fit these strokes are left out)
                    self.lines.restore_notes(list(strokes.corrections))
                self.canvas.repaint()
        except OSError as error:
            self._show_input_error(path.name, error.strerror or str(error))
            return
        except StrokesError as error:
            self._show_input_error(path.name, str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        if not strokes.strokes:
            self._show_input_error(path.name, "it holds no strokes")
            return
        self._opened_file = ([tuple(self.canvas.strokes)], path.name)
        self._show_title()  # (the pad's change was read before its strokes were known as the file's)
        self._new_input_taken()
        self._remember_file(path)

    def save_text(self) -> bool:
        """File → Save Text: the text box's text, and the line on the pad not yet added, as UTF-8 text.
        Whether it was written."""
        written = self.text_panel.text_box.toPlainText()
        line = self.lines.line_text() if self.text_mode else ""
        text = "\n".join(part for part in (written, line) if part)
        if not text.strip():
            self.voice.say("Nothing to save yet: text mode's text box is empty (Ctrl+T, write, Ctrl+Enter)")
            return False

        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save Text", str(self._dialog_folder() / "glyphpad-text.txt"), "Text (*.txt)"
        )
        if not chosen:
            return False
        path = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(".txt")
        if not self._may_write(path, Path(chosen), "Save Text"):
            return False
        try:
            # Whole or not at all: written over in place, a full disk left the old file cut to 4 KB of the new.
            write_atomically(path, text + "\n")
        except OSError as error:
            QMessageBox.critical(self, "Save Text", f"Could not write {path}:\n{error.strerror or error}")
            return False
        self.preferences.last_folder = str(path.parent)
        lines = text.count("\n") + 1
        self.voice.say(f"Saved {lines} line{'s' if lines != 1 else ''} of text to {path}")
        return True

    def _may_write(self, path: Path, chosen: Path, title: str) -> bool:
        """Whether ``path``, the name ``chosen`` in a save dialog with its kind's suffix added, may be written:
        the dialog asked about the name typed, not this one, so the app asks before replacing a file, and
        says a folder of that name is no file to write (a trial typed "notes" beside a folder "notes.txt":
        asked to replace it, then "Is a directory")."""
        if path == chosen or not path_exists(path):
            return True
        if is_folder(path):
            QMessageBox.warning(self, title, f"{path.name} is a folder: choose another name.")
            return False
        answer = QMessageBox.question(self, title, f"{path.name} already exists. Replace it?")
        return answer == QMessageBox.StandardButton.Yes

    def _dialog_folder(self) -> Path:
        """Where a file dialog opens: the folder used last, else the person's pictures folder (where photos
        of handwriting are; a newcomer's first Open started in the home folder), else the home folder (not
        the folder the app happened to be started from)."""
        last = Path(self.preferences.last_folder) if self.preferences.last_folder else None
        if last is not None and is_folder(last):  # (one that cannot be entered now is passed over)
            return last
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return Path(pictures) if pictures and is_folder(Path(pictures)) else Path.home()

    def save_drawing(self) -> bool:
        """Save the pad: as pen strokes (the JSON the command line reads, at the size written) or as a PNG
        picture (black ink on white at the pad's size). Over an opened picture, or after the eraser, the
        strokes alone are not what the pad shows: a picture only. Whether it was written."""
        if self.canvas.stroke_in_progress:  # it would be left out of the file
            self.voice.say("Lift the pen to save the drawing.")
            return False
        if self.canvas.is_blank():
            self.voice.say("Nothing to save: the pad is empty.")
            return False
        strokes = self.canvas.saved_strokes()
        from ml.runtime.strokes import fits_a_stroke_file

        if strokes is not None and not fits_a_stroke_file(strokes):  # saved, it could not be opened again
            strokes = None
        kinds = [STROKES_KIND, PICTURE_KIND] if strokes is not None else [PICTURE_KIND]
        stem = "note" if self.text_mode else "drawing"  # (a line of notes offered as "drawing.json": a trial)
        name = f"{stem}.json" if strokes is not None else f"{stem}.png"
        shown = self._opened_file[1] if self._opened_file and self._pad_shows(self._opened_file[0]) else ""
        if shown.lower().endswith(".png") or (shown.lower().endswith(".json") and strokes is not None):
            name = shown  # the drawing opened or saved last, saved again under its name
            kinds.sort(key=lambda kind: not kind.endswith(f"*{Path(shown).suffix.lower()})"))
        start = self._dialog_folder() / name
        chosen, kind = QFileDialog.getSaveFileName(self, "Save Drawing", str(start), ";;".join(kinds))
        if not chosen:
            return False
        path = saved_drawing_path(chosen, kind if strokes is not None else PICTURE_KIND)
        if not self._may_write(path, Path(chosen), "Save Drawing"):
            return False
        try:
            if path.suffix.lower() == ".json":
                if strokes is None:
                    raise ValueError("the pad shows an opened picture or erased ink: save it as a PNG picture")
                from ml.runtime.strokes import write_strokes_file

                # With the corrections made to text mode's reading of them, put back when it is opened.
                corrections = tuple(self.lines.notes_as_kept())
                write_strokes_file(path, replace(strokes, corrections=corrections or None))
            else:
                save_grey_png(self.canvas.picture_for_saving(), path)
        except OSError as error:
            QMessageBox.critical(self, "Save Drawing", f"Could not write {path}:\n{error.strerror or error}")
            return False
        except ValueError as error:
            QMessageBox.warning(self, "Save Drawing", f"{path.name} was not saved: {error}.")
            return False
        self.preferences.last_folder = str(path.parent)
        self._remember_file(path)
        if self.canvas.opened_source is None:  # the title names it, and the next save offers its name
            self._opened_file = ([tuple(self.canvas.strokes)], path.name)
            self._show_title()
        self.voice.say(f"Saved {path}")
        return True

    def keep_as_example(self) -> bool:
        """File the pad's drawing under the character the person says it is, in the folder of their
        handwriting (a picture, and its strokes when it was drawn), for ``glyphpad-ml train --images``; the
        pad is cleared for the next one (Undo brings it back and takes it out of the folder). Whether it was
        kept."""
        if self.text_mode:  # a line: each of its characters kept as an example of its own
            return self._keep_line_as_examples()
        if self.canvas.stroke_in_progress:
            self.voice.say("Lift the pen to keep the drawing.")
            return False
        if self.canvas.is_blank():
            self.voice.say("Nothing to keep: draw a character first.")
            return False
        from desktop_app.example_dialog import ExampleDialog, default_examples_folder, offered_character

        rows = self.predictions.shown_rows() if self.predictions.is_current() else []
        folder = Path(self.preferences.examples_folder) if self.preferences.examples_folder else None
        last = next((kept.chars[-1] for kept in reversed(self._kept_examples) if not kept.taken_back), "")
        answered, case = self._case_of_answer
        case = case if answered == self.service.latest_id("recognize") else ""
        dialog = ExampleDialog(
            offered_character(rows[0][0] if rows else "", last, case), folder or default_examples_folder(), self
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            if dialog.check_requested:  # read in the Batch tab, checked against the folders' characters
                self.start_batch([dialog.folder])
            return False
        drawing = (dialog.char, self.canvas.picture_for_saving(), self.canvas.saved_strokes())
        return self._keep_examples("Keep as Example", dialog.folder, [drawing], "Kept as")

    def _say_off_the_pad(self) -> None:
        """Once while it is in view: a hand wobbling along the edge had a screen reader say it at every exit."""
        if not (self.voice.answering() and self.statusBar().currentMessage() == OFF_THE_PAD):
            self.voice.say(OFF_THE_PAD, 6)

    def _keep_line_as_examples(self) -> bool:
        """Text mode's Keep as Example: each letter and digit of the line on the pad (as shown: read, or put
        right) filed as an example of its own, the pad cleared (Undo brings the line back and takes them out
        of the folder). Whether they were kept."""
        from desktop_app.example_dialog import default_examples_folder

        if self.canvas.stroke_in_progress:
            self.voice.say("Lift the pen to keep the line.")
            return False
        if self.lines.pending:
            self.voice.say("The line is still being read: keep it once it is shown", 4)
            return False
        if self.lines.line is not None and not self.lines.line.from_strokes:
            self.voice.say("A picture's line has no strokes of its own to keep: write the line on the pad", 5)
            return False
        characters, left = self.lines.characters_to_keep()
        if not characters:
            self.voice.say(f"Nothing to keep: {', '.join(left)}" if left else "Nothing to keep: write a line first", 5)
            return False
        root = Path(self.preferences.examples_folder) if self.preferences.examples_folder else default_examples_folder()
        shown = " ".join(char for char, _ in characters)
        what = f"each of the line's {len(characters)} characters" if len(characters) > 1 else "the line's character"
        asked = QMessageBox.question(
            self,
            "Keep Line as Examples",
            f"Keep {what} ({shown}) as an example of your handwriting, in {root}?"
            + (f"\n\nLeft out: {', '.join(left)}." if left else "")
            + "\n\nEach is kept as shown: put a wrong one right first (click it). Keep as Example in character "
            "mode (Ctrl+T) chooses another folder.",
        )
        if asked != QMessageBox.StandardButton.Yes:
            return False
        drawings = [
            (char, self.canvas.picture_of(strokes), self.canvas.saved_strokes(only=strokes))
            for char, strokes in characters
        ]
        return self._keep_examples("Keep Line as Examples", root, drawings, "Kept")

    def _keep_examples(self, title: str, root: Path, drawings: list[tuple[str, Any, Any]], done: str) -> bool:
        """File each drawing (its character, picture, and strokes or None) in ``root``'s folder of its
        character: all of them or none; then the pad is cleared (Undo brings it back and takes them out of
        the folder, Redo writes them again). Whether they were kept."""
        from desktop_app.example_dialog import KEPT_EXAMPLES_REMEMBERED, KeptExample
        from ml.runtime.handwriting_examples import (
            class_folder,
            describe_example_label,
            example_stem,
            folder_of_other_case,
        )
        from ml.runtime.labels import char_from_folder_name
        from ml.runtime.strokes import fits_a_stroke_file, strokes_json

        for char in dict.fromkeys(char for char, _, _ in drawings):
            if (other := folder_of_other_case(root, char)) is not None:  # Windows, macOS: one folder for a and A
                said = char_from_folder_name(other.name)
                learned = describe_example_label(said) if said else "no character"
                QMessageBox.warning(
                    self,
                    title,
                    f"On this system “{other.name}” and “{class_folder(root, char).name}” in {root} are one folder "
                    f"(it does not tell case in names): {describe_example_label(char)} kept there would be learned "
                    f"as {learned}. Rename “{other.name}” (a small letter's folder is named like a_lower), then "
                    "keep it again.",
                )
                return False
        files: dict[Path, bytes] = {}
        now = datetime.now()
        for char, picture, strokes in drawings:
            where = class_folder(root, char)
            stem = example_stem(where, now, files)
            files[where / f"{stem}.png"] = grey_png_bytes(picture)
            if strokes is not None and fits_a_stroke_file(strokes):  # (not over an opened picture, nor erased)
                text = json.dumps(strokes_json(strokes), separators=(",", ":")) + "\n"  # as Save Drawing writes it
                files[where / f"{stem}.json"] = text.encode("utf-8")
        kept = KeptExample("".join(char for char, _, _ in drawings), root, files, drawing=None)
        if (error := kept.write()) is not None:
            QMessageBox.critical(self, title, f"Could not write in {root}:\n{error.strerror or error}")
            return False
        self.preferences.examples_folder = str(root)
        self.canvas.clear()
        kept.drawing = self.canvas.next_undo()
        self._kept_examples = [*self._kept_examples, kept][-KEPT_EXAMPLES_REMEMBERED:]
        them = "them" if len(kept.chars) > 1 else "it"
        self.voice.say(f"{kept.kept_said(done)}; Undo takes {them} back", 8, undoable=True)
        return True

    def undo(self) -> None:
        """Undo on the pad (and in text mode's text); a drawing kept as an example that comes back comes
        back out of the folder too (kept in, it would be kept twice once put right and kept again). While
        the text box has the focus, its own Undo (the menu's and the toolbar's, as its Ctrl+Z)."""
        if self._editing_text_box():
            self.text_panel.text_box.undo()
            return
        step = self.canvas.next_undo()
        kept = next((k for k in self._kept_examples if not k.taken_back and k.drawing is step), None)
        self.lines.undo()
        if kept is None:
            return
        if why := kept.take_out():
            self.voice.say(f"The {'line' if len(kept.chars) > 1 else 'drawing'} is back on the pad, but {why}", 8)
            return
        kept.taken_back, kept.blank = True, self.canvas.next_redo()
        self.voice.say(kept.taken_back_said(), 6)

    def redo(self) -> None:
        """Redo on the pad; a kept example that Undo took out of the folder is put back in it. While the
        text box has the focus, its own Redo (Ctrl+Y too, which the box itself does not take)."""
        if self._editing_text_box():
            self.text_panel.text_box.redo()
            return
        step = self.canvas.next_redo()
        kept = next((k for k in self._kept_examples if k.taken_back and k.blank is step), None)
        self.lines.redo()
        if kept is None:
            return
        if why := kept.put_back():
            self.voice.say(f"The pad is clear again, but {why}", 8)
            return
        kept.taken_back, kept.drawing = False, self.canvas.next_undo()  # (Redo made a new step of it)
        self.voice.say(kept.kept_said("Kept again as"), 6)

    def open_image(self, path: Path) -> None:
        """Show and recognize an image file; the file goes through ml.runtime.preprocess exactly as a drawing does."""
        from ml.runtime.image_files import FileTooLargeError, NotAFileError, read_named_file
        from ml.runtime.image_io import MAX_FILE_BYTES, too_large_reason

        self.preferences.last_folder = str(path.parent)
        try:  # (a named pipe is refused unopened: it would hold the window until something wrote to it)
            data = read_named_file(path, MAX_FILE_BYTES)
        except OSError as error:
            self._show_input_error(path.name, error.strerror or str(error))
            return
        except NotAFileError as error:
            self._show_input_error(path.name, str(error))
            return
        except FileTooLargeError as error:
            self._show_input_error(path.name, too_large_reason(error.size))
            return
        if self._open_picture_data(data, path.name, opened_file=True):
            self._remember_file(path)

    def _open_picture_data(self, data: bytes, name: str, opened_file: bool) -> bool:
        """A picture file's bytes on the pad and read (``name``: what an error calls it; ``opened_file``:
        the window's title names it). Refused with the reason, the pad keeping what it holds, when it is
        not a picture, has too many pixels to decode, or is cut short (undecodable files once replaced
        the drawing with an empty picture)."""
        from ml.runtime.image_io import ImageLoadError, check_image_whole, preview_pixels

        try:
            check_image_whole(data)
            preview = preview_image(data)
            if preview.isNull():  # Qt cannot decode it (or it is beyond Qt's limit); GlyphPad's loader may
                preview = grey_pixmap(preview_pixels(data, PREVIEW_MAX_SIDE) / 255.0).toImage()
        except ImageLoadError as error:
            self._show_input_error(name, str(error))
            return False
        if opened_file:  # (a pasted picture leaves the name of a file opened before, for Undo to bring back)
            self._opened_file = ([data], name)
        self.canvas.set_image(preview, source=data)
        self._new_input_taken()
        self._submit(data)
        return True

    def rotate_picture(self, quarter_turns: int) -> None:
        """Turn the opened (pasted, dropped) picture ``quarter_turns`` quarters counter-clockwise (negative:
        clockwise) and read it again; undoable. Writing drawn over it would not turn with it: refused."""
        import numpy as np

        from ml.runtime.image_io import ImageLoadError, LoadedImage, load_image

        source, shown = self.canvas.opened_source, self.canvas.opened_image
        if source is None or shown is None:
            self.voice.say("Rotate turns an opened picture: open, paste or drop one first")
            return
        if self.canvas.strokes:  # ink or eraser strokes: they would not turn with it
            self.voice.say("Rotate turns the picture alone: undo what is on it first")
            return
        # An opened file's bytes are decoded here once, the first turn (half a second for a 48 MP photo):
        # the pointer says the window is busy meanwhile.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:  # an opened file's bytes, or a pasted picture's pixels
            loaded = source if isinstance(source, LoadedImage) else load_image(source)
        except ImageLoadError as error:  # it was read before; said, never a crash
            self.voice.say(f"The picture cannot be turned: {error}")
            return
        finally:
            QApplication.restoreOverrideCursor()
        # A view of the same pixels: each turn on the undo stack costs no copy of a large photo.
        turned = np.rot90(loaded.pixels, quarter_turns, axes=(0, 1))
        full = loaded.full_size[::-1] if loaded.full_size is not None and quarter_turns % 2 else loaded.full_size
        rotated = LoadedImage(turned, loaded.notes, full)
        # The pad's preview turned with it: a pasted picture keeps its colours (the pixels read are grey).
        self.canvas.set_image(shown.transformed(QTransform().rotate(-90 * quarter_turns)), source=rotated)
        if self._opened_file is not None and any(source is kept for kept in self._opened_file[0]):
            self._opened_file[0].append(rotated)  # still the file opened: its name stays in the title
        self._new_input_taken()
        self._submit(rotated)

    def _new_input_taken(self) -> None:
        """An opened, pasted or dropped input is on the pad: an earlier input's message goes, and Explain
        shows the evidence for its answer (a class picked for the last drawing is not this one's: a K
        opened after picking 0 was explained as a 0)."""
        self.explain_view.explain_predicted()
        self._restored_note = ""  # the pad shows this input now, not what the last session left on it
        self.voice.input_taken()  # an earlier input's word goes, not this one's

    def _show_input_error(self, name: str, reason: str) -> None:
        """A file that cannot be opened: said in a message of its own, and the pad, its answer and the
        views around it stay as they were (the answer once gave way to the error while the pad kept the
        drawing, so the two disagreed). One message box, reused: a second bad file replaces its text."""
        name, reason = printable_name(name), printable_name(reason)  # (a newline in a name broke the line)
        self.voice.about_input(f"{name}: {reason}")
        if self.input_error_box is None:
            self.input_error_box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open the file", "", parent=self)
        self.input_error_box.setText(f"{name} cannot be opened: {reason}.")
        self.input_error_box.open()  # not exec(): the window, and a running batch, go on

    def paste_image(self) -> None:
        clipboard = QApplication.clipboard()
        mime = clipboard.mimeData()
        if self._accept_mime(mime):
            return
        image = clipboard.image()
        if image.isNull():
            # A picture Qt will not decode (a phone photo beyond Qt's 256 MB for one image): its file's
            # bytes, as the picture's file would be opened (a JPEG up to 200 megapixels is read smaller).
            self._paste_encoded(mime)
            return
        picture, pixels = pasted_picture(image)
        self.canvas.set_image(picture, source=pixels)
        self._new_input_taken()
        self._submit(pixels)

    def _paste_encoded(self, mime: QMimeData | None) -> None:
        """The clipboard's picture from its file bytes, in the first of the formats GlyphPad reads that it
        offers, JPEG first (the one read smaller when huge; apps list PNG first); a format GlyphPad cannot
        read (SVG, HEIC), or none, is said in the status bar."""
        from ml.runtime.image_files import UNREADABLE_PICTURES

        offered = set(mime.formats()) if mime is not None else set()
        for kind in PASTED_FORMATS:
            data = bytes(mime.data(kind).data()) if mime is not None and kind in offered else b""
            if data:  # (refused with the reason, the size limit's too, as a file's would be)
                self._open_picture_data(data, "The pasted picture", opened_file=False)
                return
        unreadable = next((suffix for kind, suffix in UNREADABLE_MIME.items() if kind in offered), None)
        if unreadable is not None:
            self.voice.about_input(
                f"The clipboard holds a picture GlyphPad cannot read: {UNREADABLE_PICTURES[unreadable]}."
            )
        else:
            self.voice.about_input("The clipboard holds no image.")

    def _accept_mime(self, mime: QMimeData | None) -> bool:
        if mime is None or not mime.hasUrls():
            return False
        paths = [dropped_path(url) for url in mime.urls() if url.isLocalFile()]
        from ml.runtime.image_files import is_drawing_file, is_file, is_gone, is_image_path, is_stroke_path

        # Files copied, then moved or deleted: said as a file that cannot be opened is, not read as a batch
        # (a batch of one error row took the place of the Batch tab's rows, without a word: a fuzzing trial).
        gone = [p for p in paths if is_gone(p)]
        if gone:
            paths = [p for p in paths if p not in gone]
            if not paths and mime.hasImage():  # (a screenshot tool's picture, offered with its deleted file)
                return False
            more = f" and {len(gone) - 1} other files" if len(gone) > 1 else ""
            self._show_input_error(f"{gone[0].name}{more}", "no longer there (moved or deleted)")
            if not paths:
                return True
        if len(paths) == 1 and is_file(paths[0]) and is_drawing_file(paths[0]):
            self.open_strokes(paths[0])
            return True
        readable = [p for p in paths if is_folder(p) or is_image_path(p) or is_stroke_path(p)]
        one = readable[0] if len(readable) == 1 else None
        if one is not None and is_file(one) and (is_image_path(one) or not is_drawing_file(one)):
            self.open_image(one)  # (a picture named .json too: read as the picture it is)
            return True
        if readable:
            self.start_batch(readable)
            return True
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if self._accept_mime(mime):
            event.acceptProposedAction()
        elif mime.hasImage() and not QImage(mime.imageData()).isNull():
            picture, pixels = pasted_picture(QImage(mime.imageData()))
            self.canvas.set_image(picture, source=pixels)
            self._new_input_taken()
            self._submit(pixels)
            event.acceptProposedAction()
        elif mime.hasUrls():  # files, none of them a picture: say so rather than do nothing
            names = [Path(url.toLocalFile()).name or url.toString() for url in mime.urls()]
            shown = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
            self.voice.about_input(
                f"Not a picture: {shown}. GlyphPad opens {PICTURE_FORMAT_NAMES} pictures, stroke files (.json) "
                "and folders."
            )

    # ---- batch -----------------------------------------------------------------------------------------
    def choose_batch_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Recognize Files", str(self._dialog_folder()), OPEN_FILTER)
        if paths:
            self.start_batch([Path(p) for p in paths])

    def choose_batch_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Recognize Folder", str(self._dialog_folder()))
        if folder:
            self.start_batch([Path(folder)])

    def _read_batch_as_lines(self) -> None:
        """The batch's files again, each as a line of text; the tab's choice from then on, once it starts (a
        batch that did not start, its corrections kept, left the choice saved over rows of characters)."""
        self.start_batch(self._batch_asked_for, lines=True)
        if self.batch_view.rows_are_lines:
            self.preferences.batch_lines = True

    def start_batch(self, paths: list[Path], lines: bool | None = None) -> None:
        """Read the picture and stroke files (and folders') one by one in the Batch tab: each as one
        character, or with ``lines`` as a written line read as text; by default lines in text mode, else
        as the tab says. A stroke file is read as the pad reads a drawing (its picture and its strokes)."""
        from ml.runtime.image_files import find_image_files

        found = find_image_files(paths, stroke_files=True)
        if not found.files and not found.problems:
            other = len(found.other_json)  # (said, or "nothing there" was untrue)
            held = f" ({other_json_files(other)})" if other else ""
            self.statusBar().showMessage(f"No pictures or stroke files there{held}.", 5000)
            return
        if not self._corrections_may_go("Read the files"):
            return
        self._batch_asked_for = list(paths)  # what Again reads again (found anew: each problem its own reason)
        self.preferences.last_folder = str(paths[0] if is_folder(paths[0]) else paths[0].parent)
        # A new batch (files dropped while one runs) replaces the running one: its results would land in
        # the new table's rows, and it could no longer be cancelled.
        self.cancel_batch()
        self._batch_id = 0
        if lines is None:  # files dropped or chosen in text mode are written lines, like what the pad holds
            lines = self.text_mode or self.batch_view.reads_lines
        self.show_tab(self.batch_view)  # in text mode the tabs are hidden: the batch would run unseen
        every_file = found.files + [path for path, _ in found.problems]
        info = self.models.get(self.preferences.model)
        reads_only = READS_ONLY.get(info.label_set if info else "", "")
        other_json = len(found.other_json)
        self.batch_view.start(
            every_file,
            self.preferences.model,
            lines,
            self._merged_case(),
            reads_only,
            other_json,
            self._classes(),
            len(found.twins),
        )
        for offset, (_, reason) in enumerate(found.problems):  # unreadable entries are rows too, with why
            self.batch_view.add_row(len(found.files) + offset, (), reason)
        if not found.files:
            self.batch_view.finish(False)
            return
        self._batch_id = self.service.start_batch(
            self.preferences.model, found.files, self.preferences.top_k, lines, self.preferences.english_words
        )

    def _batch_line_on_pad(self) -> Path | None:
        """The batch's file whose picture the pad shows, read as a line in text mode (its row's answer is the
        line as put right on the pad), or None."""
        if self._batch_picture_on_pad is None or not self.text_mode:
            return None
        path, pictures = self._batch_picture_on_pad
        opened = self._opened_file[0] if self._opened_file is not None else None
        if opened is not pictures or not self._pad_shows(pictures) or self.canvas.drawn_strokes():
            return None
        return path if self.batch_view.holds_line_of(path) else None

    def _line_to_batch(self) -> None:
        """The line of a batch's picture opened from its row, put right on the pad: the row's answer as well
        (a character's correction given back: the model's answer again)."""
        path = self._batch_line_on_pad()
        if path is None or self.lines.pending or self.lines.line is None:
            return
        # Only once the person has put a character right (the picture as read leaves the row alone: its own
        # correction, typed in the table, stays); put back as read, the row gets the model's answer again.
        if self.lines.picture_corrections():
            self.batch_view.correct_line_of(path, self.lines.line_text())

    def _picture_line_may_go(self) -> bool:
        """Quitting with a picture's line put right and not added to the text: the person is asked, and may
        add it first (in text mode; the picture is not kept for next time, nor its corrections)."""
        count = self.lines.picture_corrections_unadded()
        if not count or self._batch_line_on_pad() is not None:  # (its row holds them: asked of, if not exported)
            return True
        name = self._opened_file[1] if self._opened_file is not None else "the picture"
        characters = "1 character" if count == 1 else f"{count} characters"
        buttons = QMessageBox.StandardButton
        told = f"You put right {characters} of the line read from {name}, and the line is not in the text: "
        if not self.text_mode:  # no line is shown to add: Text Mode (Ctrl+T) brings it back
            answer = QMessageBox.warning(
                self,
                "Quit",
                f"{told}your corrections are not kept for next time (Text Mode, Ctrl+T, shows them to add). "
                "Quit all the same?",
                buttons.Discard | buttons.Cancel,
                buttons.Cancel,
            )
            return answer == buttons.Discard
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Quit",
            f"{told}your corrections are not kept for next time. Add the line to the text first?",
            buttons.Discard | buttons.Cancel,
            self,
        )
        add = box.addButton("&Add to Text", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(add)
        box.exec()
        if box.clickedButton() is add:
            self.lines.add_line_to_text()
            return not self.lines.picture_corrections_unadded()  # (still being read: not added, and said)
        return box.clickedButton() is box.button(buttons.Discard)

    def _corrections_may_go(self, doing: str) -> bool:
        """Whether answers corrected in the Batch table and not exported may be dropped (by a new batch, or
        quitting): the person is asked, and may export them first. Hours of marking were lost unasked."""
        self.batch_view.finish_editing()
        count = self.batch_view.unexported_corrections
        if not count:
            return True
        answers = "1 answer" if count == 1 else f"{count} answers"
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            self,
            doing,
            f"You corrected {answers} in the Batch table since the last export; they are dropped if you "
            f"{doing.lower()}. Save them to a file first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.export_batch()
        return answer == buttons.Discard

    def _open_batch_file(self, path: Path) -> None:
        """A file of the batch, double-clicked, on the pad: in text mode when the batch read it as a line."""
        from ml.runtime.image_files import is_drawing_file

        had, before = not self.canvas.is_blank(), self._opened_file
        if self.batch_view.rows_are_lines != self.text_mode:
            self.set_text_mode(self.batch_view.rows_are_lines)
        self._batch_picture_on_pad = None
        if is_drawing_file(path):
            self.open_strokes(path)
        else:
            self.open_image(path)
            # Its line put right on the pad (a character's menu, typing over it) is the row's answer too: a
            # teacher's trial corrected a letter there and found the row as the model read it.
            if self._opened_file is not None and self._pad_shows(self._opened_file[0]) and self.text_mode:
                self._batch_picture_on_pad = (path, self._opened_file[0])
        opened = self._opened_file
        if opened is not None and opened is not before and self._pad_shows(opened[0]):  # (not refused: said why)
            # Said how to go back: opened in text mode, the Batch tab was out of view, and what the pad held
            # was gone without a word (a teacher's trial).
            back = self.batch_tab_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            undo = "; Undo brings back what the pad held" if had else ""
            self.voice.say(f"{path.name} from the batch on the pad: {back} goes back to its rows{undo}", 8)

    def _focus_left_in_hidden_tab(self) -> None:
        """The focus was in the side tab just hidden (a batch row), and Qt handed it to the new tab's first
        control (Explain's class box, where an E meant for the eraser picked the class E): to the pad.
        A tab chosen from the tab bar by the keyboard keeps the focus on the tab bar."""
        focused = QApplication.focusWidget()
        page = self.tabs.currentWidget()
        if focused is not None and page is not None and page.isAncestorOf(focused):
            self.canvas.setFocus()

    def show_tab(self, widget: QWidget, focus: bool = False) -> None:
        """Bring a side tab forward (in text mode the side panel is hidden: leave text mode first); with
        ``focus`` (View -> Compare, Batch) the keyboard's focus goes to the tab's first control: a keyboard
        user's trial pressed Ctrl+2 and was left on the Model box, three Tabs from Compare's list."""
        if self.text_mode:
            self.set_text_mode(False)
            self.canvas.setFocus()  # the text box that had it is hidden: Qt gave it to the tab bar
            # Said: the line and the text box went out of view, and the pad's line read as one character (a
            # teacher's trial took it for lost).
            self.statusBar().showMessage(
                f"Left Text Mode to show {self.tabs.tabText(self.tabs.indexOf(widget)).replace('&', '')}: "
                "Ctrl+T brings back the line and the text",
                NOTED_MESSAGE_MS,
            )
        self.tabs.setCurrentWidget(widget)
        self._open_shut_columns()
        if focus:
            first = first_tab_stop(widget)
            (first or self.tabs.tabBar()).setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _open_shut_columns(self) -> None:
        """The answers' and the side tabs' columns back where a splitter's handle was dragged to shut them: a
        teacher's trial dragged them away, and View's Explain, Compare and Batch then did nothing to be seen
        (a handle four pixels wide at the window's edge was the only way back)."""
        sizes = self.splitter.sizes()
        if len(sizes) != 3 or all(sizes[1:]):
            return
        total = sum(sizes)
        answers = sizes[1] or self.predictions.minimumSizeHint().width()
        tabs = sizes[2] or max(self.tabs.minimumSizeHint().width(), total // 3)
        pad = max(total - answers - tabs, self.pad_column.minimumSizeHint().width())
        self.splitter.setSizes([pad, answers, tabs])

    def cancel_batch(self) -> None:
        if self.batch_view.running:
            self.service.cancel_batch(self._batch_id)
            self.statusBar().showMessage("Cancelling the batch…", 3000)

    def _batch_running(self, running: bool) -> None:
        """While a batch runs, the menu's batch commands are as unavailable as the tab's buttons."""
        for action in (
            self.batch_files_action,
            self.batch_folder_action,
            self.export_action,
            self.reload_models_action,
        ):
            action.setEnabled(not running)
        self.cancel_batch_action.setEnabled(running)

    def _on_batch_progress(self, batch_id: int, rows: list[BatchRow]) -> None:
        if batch_id == self._batch_id:
            self.batch_view.add_rows([(row.index, row.top, row.error, row.notes, row.line, row.seen) for row in rows])

    def _on_batch_finished(self, batch_id: int, done: int, cancelled: bool) -> None:
        if batch_id == self._batch_id:
            self.batch_view.finish(cancelled)
            # A folder of photographed words read as one character each (the tab's first choice, a new user's
            # first batch) gave a letter a file: read again as lines, unless the person chose characters, or
            # has put answers right in the table meanwhile (Read as Lines is offered: reading again asks).
            may_read_again = not self._batch_characters_chosen and not self.batch_view.unexported_corrections
            if not cancelled and may_read_again and self.batch_view.mostly_written_lines():
                self._read_batch_as_lines()
                self.batch_view.read_as_lines_by_itself = self.batch_view.rows_are_lines  # said when it ends
            else:  # (heard once it is over: not "Read as Lines reads each" as they are being read so)
                self.batch_view.say_finished()
            if self._relist_after_batch:  # the weights folder changed while it ran
                self._relist_after_batch = False
                self.relist_models(reload=False)

    def export_batch(self) -> bool:
        """Write the batch's rows to a file the person chooses; whether they were written."""
        if not self.batch_view.finished_rows():
            self.statusBar().showMessage("No batch results to export yet.", 5000)
            return False
        # Beside the folder read, named after it: "class 3b results.csv" (it opened where a row was last opened
        # on the pad; then in the pupils' folder, among their pictures, where a JSON export is passed over as
        # holding no strokes when the folder is read again: a teacher's trial).
        asked = self._batch_asked_for[0] if self._batch_asked_for else None
        folder = (asked if is_folder(asked) else asked.parent) if asked is not None else self._dialog_folder()
        if is_folder(folder) and folder.name and is_folder(folder.parent) and os.access(folder.parent, os.W_OK):
            start = str(folder.parent / f"{folder.name} results.csv")
        else:
            start = str((folder if is_folder(folder) else self._dialog_folder()) / "glyphpad-results.csv")
        kinds = export_kinds(QLocale.system())
        # Where numbers are written 0,97 a spreadsheet opens the file it reads there (the first kind offered).
        chosen, kind = QFileDialog.getSaveFileName(self, "Export Results", start, ";;".join(kinds), kinds[0])
        if not chosen:
            return False
        path = export_path(chosen, kind)
        if not self._may_write(path, Path(chosen), "Export Results"):
            return False
        try:
            count = self.batch_view.export(path, decimal_comma=kind == REGIONAL_CSV_KIND)
        except OSError as error:
            QMessageBox.critical(self, "Export failed", f"Could not write {path}:\n{error.strerror or error}")
            return False
        self.statusBar().showMessage(f"Exported {count} results to {path}", 6000)
        return True

    # ---- help --------------------------------------------------------------------------------------------
    def show_about(self) -> None:
        from ml import __version__

        QMessageBox.about(
            self,
            "About GlyphPad",
            f"<h3>GlyphPad {__version__}</h3><p>Draw a letter or a digit; GlyphPad recognizes it and "
            "shows why.</p><p>It reads the letters A–Z and a–z, the digits 0–9 and, in text mode, the marks "
            f"{html.escape(MARKS_READ)}: an accented letter is read without its accent or as a "
            "look-alike (é as e, ä as a or d), ß as B (type the right one in the character's menu).</p>"
            "<p>Models trained on EMNIST (NIST Special Database 19) and UNIPEN pen handwriting. "
            "See Help → Model Cards for each model's data, accuracy and training.</p>",
        )

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, command, keys) for every menu command with a shortcut, in menu order."""
        return menu_shortcut_rows(self.menuBar())

    def show_guide(self) -> None:
        self.guide_dialog().exec()

    def guide_dialog(self) -> QDialog:
        from desktop_app.help_dialogs import guide_dialog

        return guide_dialog(self)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog().exec()

    def shortcuts_dialog(self) -> QDialog:
        from desktop_app.help_dialogs import shortcuts_dialog

        return shortcuts_dialog(self, self.shortcut_rows())

    def show_model_cards(self) -> None:
        self.model_cards_dialog().exec()

    def model_cards_dialog(self) -> QDialog:
        from desktop_app.help_dialogs import model_cards_dialog

        return model_cards_dialog(self, self.models, self.preferences.model)


FIRST_WINDOW_SIZE = QSize(1180, 640)
FIRST_WINDOW_SCREEN_SHARE = 0.7  # a first window takes this share of a large screen (1180x640 was small on 1920x1080)


def first_tab_stop(page: QWidget) -> QWidget | None:
    """The first control in ``page`` that Tab would stop at (shown, enabled, taking focus by Tab)."""
    widget = page.nextInFocusChain()
    while widget is not page and widget is not None:
        takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if page.isAncestorOf(widget) and takes_tab and widget.isVisibleTo(page) and widget.isEnabled():
            return widget
        widget = widget.nextInFocusChain()
    return None
