"""The main window's actions, menus, toolbar and keyboard shortcuts: built once, connected to the window's
commands (the commands themselves are the window's)."""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QMenuBar,
    QSizePolicy,
    QSlider,
    QToolBar,
    QWidget,
)

from desktop_app.settings import TOP_K_CHOICES
from ml.runtime.pen import PEN_WIDTHS_PX

# Why Copy Picture's or Save Picture's item is greyed: by whether the picture could be shown at all now.
PICTURE_NOT_SHOWN = {
    False: "Shown on the Explain tab (View → Explain, Ctrl+1), for a character drawn or opened",
    True: "Nothing to show: draw a character, or open a picture of one (not in text mode)",
}
CUDA_TEXT = "C&UDA GPU"  # Model -> Device's GPU item (greyed where none was found: said so after it)

# File -> Keep as Example's tip, and its tip as Keep Line as Examples in text mode.
KEEP_EXAMPLE_TIP = "File the drawing under the character it is, in a folder of your handwriting a model can learn from"
KEEP_LINE_TIP = (
    "File each letter and digit of the line, as shown, in a folder of your handwriting a model can learn from"
)

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow


class KeysStayInMenus(QObject):
    """Installed on a menu: a key without Ctrl, Alt or Meta goes to the menu (its letters), never to a
    shortcut of the window behind it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            commands = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            if not event.modifiers() & (commands | Qt.KeyboardModifier.MetaModifier):
                event.accept()  # the menu wants it: no shortcut is looked for
        return False


ENGLISH_WORDS_TEXT = "Read Words as &English"
ENGLISH_WORDS_TIP = (
    "Text mode: a word that reads as English is read with how English is spelled (which letter follows which); "
    "a code of letters keeps what the models read"
)


def tip_with_keys(said: str, action: QAction) -> str:
    """A toolbar button's tooltip: what it does and its key ("Undo (Ctrl+Z)"; it repeated the button's name)."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{said} ({keys})" if keys else said


def make_action(
    window: QWidget, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None, slot: Any, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    plain = text.replace("&", "").replace("…", "")
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip_with_keys(plain, action))
    action.setStatusTip(tip or plain)
    action.triggered.connect(slot)
    return action


def build_menus(window: MainWindow) -> None:
    """The window's actions (``window.open_action``, …), its menus, toolbar and shortcuts."""
    window.open_action = make_action(
        window,
        "&Open…",
        QKeySequence.StandardKey.Open,
        window.open_image_dialog,
        "Open a picture or a stroke file on the pad",
    )
    window.save_action = make_action(
        window,
        "&Save Drawing…",
        QKeySequence.StandardKey.Save,
        window.save_drawing,
        "Save the pad as pen strokes (JSON) or as a PNG picture",
    )
    window.keep_example_action = make_action(
        window,
        "&Keep as Example…",
        "Ctrl+K",
        window.keep_as_example,
        KEEP_EXAMPLE_TIP,
    )
    window.save_text_action = make_action(
        window,
        "Save &Text…",
        "Ctrl+Shift+S",  # (a student's notes had no key to keep them; Ctrl+S saves the drawing, as it did)
        window.save_text,
        "Save the text written so far (text mode's text box) as a .txt file",
    )
    window.paste_action = make_action(window, "&Paste Image", QKeySequence.StandardKey.Paste, window.paste_image)
    window.batch_files_action = make_action(window, "Recognize &Files…", "Ctrl+B", window.choose_batch_files)
    window.batch_folder_action = make_action(window, "Recognize Fol&der…", "Ctrl+Shift+B", window.choose_batch_folder)
    window.export_action = make_action(window, "&Export Batch Results…", "Ctrl+E", window.export_batch)
    window.cancel_batch_action = make_action(
        window, "&Cancel Batch", "Esc", window.cancel_batch, "Stop recognizing the batch (the files read so far stay)"
    )
    window.cancel_batch_action.setEnabled(False)  # while a batch runs
    window.quit_action = make_action(window, "&Quit", QKeySequence.StandardKey.Quit, window.close)
    window.undo_action = make_action(window, "&Undo", QKeySequence.StandardKey.Undo, window.undo)
    window.redo_action = make_action(window, "&Redo", "Ctrl+Shift+Z", window.redo)
    # Ctrl+Y too: Redo's key on Windows and in many editors elsewhere.
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.clear_action = make_action(window, "&Clear", QKeySequence.StandardKey.Delete, window.clear_pad)
    window.eraser_action = make_action(window, "&Eraser", "E", window.toggle_eraser)
    window.eraser_action.setCheckable(True)
    # A key of its own only where the pen is: typed into the Model box or a list, E is a letter.
    window.eraser_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    window.canvas.addAction(window.eraser_action)
    window.undo_action.setEnabled(False)
    window.redo_action.setEnabled(False)
    window.text_mode_action = make_action(
        window,
        "&Text Mode",
        "Ctrl+T",
        window.text_mode_toggled,
        "Write a word or a line: GlyphPad splits it into characters and reads it as text",
    )
    window.text_mode_action.setCheckable(True)
    window.practice_action = make_action(
        window,
        "&Practice",
        "Ctrl+Shift+P",
        window.set_practice,
        "GlyphPad asks for a character, you write it, and it says whether it read it so (Enter: another)",
    )
    window.practice_action.setCheckable(True)
    # A phone photo that stands sideways (its orientation tag stripped by a messaging app) was read as
    # "6 lines of writing", and nothing in the app could turn it.
    window.rotate_left_action = make_action(
        window,
        "Rotate Picture Le&ft",
        "Ctrl+Shift+R",
        lambda: window.rotate_picture(1),
        "Turn the opened picture a quarter left",
    )
    window.rotate_right_action = make_action(
        window,
        "Rotate Picture R&ight",
        "Ctrl+R",
        lambda: window.rotate_picture(-1),
        "Turn the opened picture a quarter right",
    )
    window.copy_text_action = make_action(window, "Cop&y Answer", QKeySequence.StandardKey.Copy, window.copy_text)
    window.copy_answers_action = make_action(
        window,
        "Copy Answers with &Confidences",
        "Ctrl+Shift+C",
        window.copy_answers,
        "Each answer listed and its confidence, a line each, for a spreadsheet or a report",
    )
    window.remove_last_action = make_action(
        window, "Remove &Last Character", "Backspace", window.lines.remove_last_character
    )
    window.add_line_action = make_action(window, "&Add Line to Text", "Ctrl+Return", window.lines.add_line_to_text)
    # The keypad's Enter is another key to Qt: both add the line.
    window.add_line_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    window.continue_line_action = make_action(
        window,
        "Add to the Text's Last Line",
        "Ctrl+Shift+Return",
        window.lines.continue_last_line,
        "Add the line after the text's last line and a space (a sentence longer than the pad)",
    )
    window.continue_line_action.setShortcuts([QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")])
    for text_only in (window.remove_last_action, window.add_line_action, window.continue_line_action):
        text_only.setEnabled(False)  # text mode only
    # Control+M on a Mac too (its Cmd+M minimizes the window).
    choose_keys = "Meta+M" if sys.platform == "darwin" else "Ctrl+M"
    window.choose_model_action = make_action(window, "&Choose Model…", choose_keys, window.open_model_picker)
    # A model trained and copied into the weights folder while the app runs is listed at once (the
    # folder is watched); this reads the folder again on demand, and a model retrained under the same
    # name from its new files.
    window.reload_models_action = make_action(
        window,
        "&Reload Models",
        "F5",  # not the standard Refresh key: on a Mac that is Cmd+R, Rotate Picture Right's
        lambda: window.relist_models(reload=True),
        "Read the weights folder again: models added or retrained there since GlyphPad started",
    )
    # Larger text for a projector or a screen read from afar (QT_SCALE_FACTOR was the only way, before
    # the app started): every text of the window, the answer and text mode's characters with it.
    window.zoom_in_action = make_action(
        window, "Zoom &In", QKeySequence.StandardKey.ZoomIn, lambda: window.zoom(1), "Larger text in the whole window"
    )
    window.zoom_in_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
    window.zoom_out_action = make_action(
        window,
        "Zoom O&ut",
        QKeySequence.StandardKey.ZoomOut,
        lambda: window.zoom(-1),
        "Smaller text in the whole window",
    )
    window.actual_size_action = make_action(
        window, "Actual Si&ze", "Ctrl+0", lambda: window.zoom(0), "The system's text size in the whole window"
    )
    window.about_action = make_action(window, "&About GlyphPad", None, window.show_about)
    window.cards_action = make_action(window, "&Model Cards", "Shift+F1", window.show_model_cards)
    window.shortcuts_action = make_action(window, "&Keyboard Shortcuts", "Ctrl+/", window.show_shortcuts)
    # F1 is help in most programs: here the guide to the views (a teacher pressed F1 and got the model cards).
    window.guide_action = make_action(window, "&Reading the Answers", "F1", window.show_guide)

    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addAction(window.open_action)
    # The files opened or saved last: a class's worksheet photos, a drawing saved to show again.
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    window.fill_recent_menu()  # (a menu with no entries would not open, from the keyboard or the mouse)
    for action in (
        window.save_action,
        window.keep_example_action,
        window.save_text_action,
        window.paste_action,
        None,
        window.batch_files_action,
        window.batch_folder_action,
        window.cancel_batch_action,
        window.export_action,
        None,
        window.quit_action,
    ):
        file_menu.addAction(action) if action else file_menu.addSeparator()
    # The pictures that explain an answer, from the keyboard too (their right-click menus were the only
    # way, on widgets that take no focus).
    window.save_picture_menu = picture_submenu(window, "Save P&icture", "save")
    file_menu.insertMenu(window.paste_action, window.save_picture_menu)
    edit_menu = menu.addMenu("&Edit")
    for action in (
        window.undo_action,
        window.redo_action,
        window.clear_action,
        None,
        window.eraser_action,
        None,
        window.rotate_left_action,
        window.rotate_right_action,
        None,
        window.copy_text_action,
        window.copy_answers_action,
        window.remove_last_action,
        window.add_line_action,
        window.continue_line_action,
    ):
        edit_menu.addAction(action) if action else edit_menu.addSeparator()
    window.copy_picture_menu = picture_submenu(window, "Copy &Picture", "copy")
    edit_menu.insertMenu(window.remove_last_action, window.copy_picture_menu)
    window.model_menu = menu.addMenu("&Model")
    window.model_menu.addAction(window.choose_model_action)
    window.model_menu.addAction(window.reload_models_action)
    # Opened on the model in use (it opened on Device: fourteen presses of Down to the last model).
    # (After the menu bar has made the first item active, as it does for a menu opened by the keyboard.)
    window.model_menu.aboutToShow.connect(lambda: QTimer.singleShot(0, window.highlight_model_in_use))
    window.device_menu = window.model_menu.addMenu("&Device")
    window.device_group = QActionGroup(window)
    for device in ("auto", "cpu", "cuda"):
        action = QAction({"auto": "&Auto (GPU when present)", "cpu": "&CPU", "cuda": CUDA_TEXT}[device], window)
        action.setCheckable(True)
        action.setData(device)
        action.setChecked(device == window.preferences.device)
        action.triggered.connect(lambda _=False, device=device: window.choose("device", device))
        window.device_group.addAction(action)
        window.device_menu.addAction(action)
    window.cuda_action = window.device_group.actions()[2]
    window.cuda_action.setEnabled(False)  # enabled once the worker has seen a GPU
    window.model_menu.addSeparator()
    window.model_actions = QActionGroup(window)
    view_menu = menu.addMenu("&View")
    view_menu.addAction(window.text_mode_action)
    view_menu.addAction(window.practice_action)
    window.english_action = make_action(
        window,
        ENGLISH_WORDS_TEXT,
        None,
        window.set_english_words,
        ENGLISH_WORDS_TIP,
    )
    window.english_action.setCheckable(True)
    window.english_action.setChecked(window.preferences.english_words)
    view_menu.addAction(window.english_action)
    window.view_menu = view_menu
    view_menu.addSeparator()
    # The side tabs from the keyboard (they were reachable by the mouse alone).
    window.tab_actions = []
    # Compare and Batch are worked by the keys (models ticked, files chosen): the focus goes to them. Explain
    # is watched while drawing: the pad keeps the keys (E for the eraser), and Tab reaches its Class box.
    tabs = (
        ("&Explain", window.explain_view, False),
        ("C&ompare", window.compare_view, True),
        ("&Batch", window.batch_view, True),
    )
    for number, (title, widget, focus) in enumerate(tabs, 1):
        plain = title.replace("&", "")
        action = make_action(
            window,
            title,
            f"Ctrl+{number}",
            lambda _=False, w=widget, f=focus: window.show_tab(w, focus=f),
            f"Show {plain}",
        )
        window.tab_actions.append(action)
        if widget is window.batch_view:
            window.batch_tab_action = action
        view_menu.addAction(action)
    view_menu.addSeparator()
    window.theme_group = QActionGroup(window)
    for theme in ("system", "light", "dark"):
        action = QAction(f"&{theme.capitalize()} theme", window)
        action.setCheckable(True)
        action.setChecked(theme == window.preferences.theme)
        action.triggered.connect(lambda _=False, theme=theme: window.set_theme(theme))
        window.theme_group.addAction(action)
        view_menu.addAction(action)
    view_menu.addSeparator()
    # The size said in the title of the menu that changes it (View -> Text Size: 115% -> Zoom In): it was a
    # greyed line of its own, read as disabled and hard to read at the sizes it is there for.
    window.text_size_menu = view_menu.addMenu("")
    window.text_size_menu.addActions([window.zoom_in_action, window.zoom_out_action, window.actual_size_action])
    window.show_text_size()
    view_menu.addSeparator()
    window.top_k_menu = view_menu.addMenu("Top-&k")
    top_k_group = QActionGroup(window)
    for k in TOP_K_CHOICES:
        action = QAction(f"Top &{k}" if k < 10 else "Top 1&0", window)
        action.setCheckable(True)
        action.setChecked(k == window.preferences.top_k)
        action.triggered.connect(lambda _=False, k=k: window.set_top_k(k))
        top_k_group.addAction(action)
        window.top_k_menu.addAction(action)
    # On a French (AZERTY) keyboard the digits are shifted: Ctrl with the number row's own keys (& é " à)
    # does what Ctrl and the digit does elsewhere (there they did nothing). The menus name the digits.
    window.number_row_shortcuts = []
    for key, action in zip(
        (Qt.Key.Key_Ampersand, Qt.Key.Key_Eacute, Qt.Key.Key_QuoteDbl, Qt.Key.Key_Agrave),
        (*window.tab_actions, window.actual_size_action),
        strict=True,
    ):
        shortcut = QShortcut(QKeySequence(QKeyCombination(Qt.KeyboardModifier.ControlModifier, key)), window)
        shortcut.activated.connect(action.trigger)
        window.number_row_shortcuts.append(shortcut)
    help_menu = menu.addMenu("&Help")
    help_menu.addAction(window.guide_action)
    help_menu.addAction(window.cards_action)
    help_menu.addAction(window.shortcuts_action)
    help_menu.addAction(window.about_action)
    # A letter typed in an open menu stays in it: E turned the eraser on behind the menu (the pad kept
    # the focus, and its E is the pad's own key).
    window.keys_stay_in_menus = KeysStayInMenus(window)
    # The menu bar too: a menu hands a key it has no use for to the bar that opened it, and Qt looks for
    # a shortcut again there.
    menus: tuple[QWidget, ...] = (menu, file_menu, window.recent_menu, edit_menu, window.model_menu)
    menus += (window.device_menu, view_menu, window.top_k_menu, help_menu, window.save_picture_menu)
    menus += (window.copy_picture_menu,)
    for each in menus:
        each.installEventFilter(window.keys_stay_in_menus)

    toolbar = QToolBar("Drawing")
    toolbar.setObjectName("drawing_toolbar")
    toolbar.addAction(window.open_action)
    toolbar.addAction(window.undo_action)
    toolbar.addAction(window.redo_action)
    toolbar.addAction(window.clear_action)
    toolbar.addAction(window.eraser_action)
    toolbar.addAction(window.text_mode_action)
    # Practice among the modes, not under View alone: a teacher's trial looked for it and found no button.
    toolbar.addAction(window.practice_action)
    # The Model box before the pen's controls: a toolbar too narrow for all of them (a window of 640 px in text
    # mode) moves its last ones into its overflow menu, and it took the Model box, leaving its label alone
    # there; the pen's width is set now and then, the model answering is said all the time.
    toolbar.addSeparator()
    toolbar.addWidget(_labelled(QLabel(" Model "), window.model_picker))
    toolbar.addSeparator()
    window.pen_slider = QSlider(Qt.Orientation.Horizontal)
    window.pen_slider.setRange(*PEN_WIDTHS_PX)
    window.pen_slider.setValue(window.preferences.pen_width)
    window.pen_slider.setMaximumWidth(140)
    window.pen_slider.setMinimumWidth(70)  # (in a small window it shrank to a 30 px stub)
    window.pen_slider.setAccessibleName("pen width")
    # Toolbar controls do not keep the focus a click gives them: the pad keeps it, and with it the
    # pad's keys (E, the eraser; typed into the Model box, E chose a model).
    window.pen_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    window.pen_slider.setToolTip("Pen width (the recognizer normalizes it, so any width works)")
    # The width as a number beside it: the bare slider said nothing of what it was set to.
    window.pen_width_label = QLabel()
    window.show_pen_width(window.preferences.pen_width)
    toolbar.addWidget(_labelled(QLabel(" Pen "), window.pen_slider, window.pen_width_label))
    window.addToolBar(toolbar)
    # Tab goes as the window reads: the toolbar's controls, the pad, its answer, then the views on the right
    # (the toolbar came last, after every view's controls; the answer was no stop at all).
    QWidget.setTabOrder(window.model_picker, window.pen_slider)
    QWidget.setTabOrder(window.pen_slider, window.canvas)
    QWidget.setTabOrder(window.canvas, window.predictions.headline)


def _labelled(label: QLabel, control: QWidget, *after: QWidget) -> QWidget:
    """A toolbar control with its label (its buddy: a screen reader names the control by it) as one widget,
    which a toolbar too narrow for it moves into its overflow menu whole: a label is never left alone on the
    toolbar. As wide as its parts allow, no wider (a toolbar with room to spare set the label apart)."""
    label.setBuddy(control)
    widget = QWidget()
    row = QHBoxLayout(widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(2)
    row.setSizeConstraint(QLayout.SizeConstraint.SetMinAndMaxSize)
    for part in (label, control, *after):
        if isinstance(part, QLabel):  # text keeps its width; the control takes what room there is
            part.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        row.addWidget(part)
    widget.setSizePolicy(control.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Preferred)
    return widget


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every menu command with a shortcut, in menu order: read from the menus,
    so the list cannot drift from them."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            name = action.text().replace("&", "").replace("…", "")
            submenu = action.menu()
            if isinstance(submenu, QMenu):  # named without what its title says of now ("Text Size: 115%")
                walk(submenu, f"{path} → {name.partition(':')[0]}")
            elif action.shortcuts():
                native = QKeySequence.SequenceFormat.NativeText
                keys = ", ".join(key.toString(native) for key in action.shortcuts())
                if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:  # E: a letter elsewhere
                    keys += " (on the pad)"
                rows.append((path, name, keys))

    for action in menu_bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            walk(menu, action.text().replace("&", ""))
    return rows


def picture_submenu(window: MainWindow, title: str, act: str) -> QMenu:
    """A menu of the pictures that explain the answer, each copied or saved (``act``) as its right-click
    menu does; those not shown yet are disabled."""
    menu = QMenu(title, window)
    entries = (
        ("model-input", "What the Model &Sees"),
        ("grad-cam", "&Grad-CAM"),
        ("pen-path", "The &Pen's Path"),
        ("activation-maps", "&Activation Maps"),
    )
    for name, text in entries:
        action = menu.addAction(text)
        action.setData(name)
        action.triggered.connect(partial(_act_on_picture, window, name, act))

    def enable() -> None:  # (in text mode they are hidden, and of the last character's drawing)
        for action in menu.actions():
            shown = not window.text_mode and window.picture_menus[str(action.data())].shown()
            action.setEnabled(shown)
            # Greyed, on hover it says why (a student found Grad-CAM greyed on the Compare tab, without a word).
            why = "" if shown else PICTURE_NOT_SHOWN[window.text_mode or str(action.data()) == "model-input"]
            action.setToolTip(why or action.text().replace("&", ""))
        menu.setToolTipsVisible(not all(action.isEnabled() for action in menu.actions()))

    menu.aboutToShow.connect(enable)
    return menu


def _act_on_picture(window: MainWindow, name: str, act: str, _checked: bool = False) -> None:
    menu = window.picture_menus[name]
    menu.copy() if act == "copy" else menu.save()
