"""Text mode's panel: the line being written as characters one can click to correct, and the text
written so far, to copy or keep adding to."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QKeySequence, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.widgets.fonts import UNSURE_BELOW, character_font, described, spoken_character
from ml.runtime.percentages import confidence_text

LINE_FONT_SCALE = 1.8  # the line's characters, times the window's font, in a window less than 700 px tall
TEXT_FONT_SCALE = 1.2  # the text box's
# Taller windows grow both (a class reading them off a projector): a quarter more for every 140 px of
# window height beyond 560, in quarter steps, up to twice (1.75 in a maximized 1920x1080 window).
WINDOW_PX_PER_GROWTH = 560
MAX_GROWTH = 2.0
# Marks the row's spaces (True) and new lines ("\n"), not characters (one may be typed as anything, even "␣").
SPACE_PROPERTY = "space"
CHARACTER_PROPERTY = "character"  # a character button's text as read or typed (its label escapes an &)
UNSURE_PROPERTY = "unsure"  # a character button read with less than UNSURE_BELOW: underlined
LINE_HINT = "Write a word or a code, left to right, in print."
# The marks text mode reads by their place on the line (ml.runtime.segmentation), offered in a character's menu.
PUNCTUATION_NAMES = {
    ".": "full stop",
    ",": "comma",
    "'": "apostrophe",
    "!": "exclamation mark",
    "?": "question mark",
    ":": "colon",
    "-": "hyphen",
    # A note's dates and sums ("due 12/09", "x = 2y + 3"): read as 1, i and t, each took Type another….
    "/": "slash",
    "+": "plus sign",
    "=": "equals sign",
    "÷": "division sign",
}
MARKS_READ = " ".join(PUNCTUATION_NAMES)  # as Help and About list them (the README's lists are tested against it)
# A word's case set at once from any of its letters' menus (one letter put right left the others as read:
# "HEllo"); the models read O and o alike, so the case is often the part read wrong.
WORD_CASES = {"small": "small letters", "capitals": "capitals", "capitalized": "capitalized"}


def cased_characters(characters: Sequence[str], case: str) -> list[str]:
    """A word's characters (each as shown: one, or none when left out of the text) with their letters in
    ``case`` (a key of WORD_CASES; "capitalized": the first letter a capital, the others small); digits and
    marks as they are."""
    first = next((k for k, c in enumerate(characters) if c.isalpha()), -1)
    if case == "capitals":
        return [c.upper() for c in characters]
    # (a character typed as two letters, "rn" for a misread m: only the first of them a capital)
    return [
        c[:1].upper() + c[1:].lower() if case == "capitalized" and k == first else c.lower()
        for k, c in enumerate(characters)
    ]


def cased_word(word: str, case: str) -> str:
    """``word`` with its letters in ``case`` (:func:`cased_characters`)."""
    return "".join(cased_characters(list(word), case))


def word_spans(starts: Sequence[bool]) -> list[range]:
    """The words of a line as ranges of positions: a word starts where ``starts`` says (a space or a new line
    before the character) and at the first."""
    spans: list[range] = []
    first = 0
    for k in range(1, len(starts) + 1):
        if k == len(starts) or starts[k]:
            spans.append(range(first, k))
            first = k
    return spans


PROMPT_CHARACTERS = 60  # a correction's prompt wraps at about this many characters (at most 640 px)
LEFT_OUT_MARK = "×"  # a character left out of the text, on its button and over its box on the pad


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class TextBox(QPlainTextEdit):
    """The text written so far. Ctrl+C with nothing selected is left to the window's Copy Text (the whole
    box when the pad has no line): the box took it and copied nothing, without a word."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
            and not self.textCursor().hasSelection()
        ):
            event.ignore()
            return False
        return super().event(event)


class TextPanel(QWidget):
    """Shows the line read from the canvas; emits what the person asks for, does no reading itself."""

    character_chosen = Signal(int, str)  # position in the line, the character picked or typed
    character_pointed = Signal(int)  # the character whose menu is open or that has the focus (-1: none)
    space_chosen = Signal(int, bool)  # position in the line, whether a space stands before it
    join_chosen = Signal(int, bool)  # position in the line, and whether with the next (or the previous) character
    split_chosen = Signal(int)  # position in the line: a character joined by the person, split as the line splits
    split_in_two_chosen = Signal(int)  # position in the line: a character to read as two (letters that overlap)
    word_case_chosen = Signal(int, str)  # position in the line, its word's case: a key of WORD_CASES
    word_typed = Signal(int, str)  # position in the line, what its word is retyped as
    add_line_requested = Signal()
    copy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The widget Tab comes from into this panel (the pad the line is written on): its first character
        # is one Tab away from the writing, not behind the toolbar's controls.
        self.tab_from: QWidget | None = None
        # Whether the character with the focus got it from the keyboard (Tab, a shortcut) rather than a click:
        # a row rebuilt after a reading picked with the mouse gives the keys back to the pad (its E, Backspace).
        self._focused_by_keys = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 6)  # off the window's edge, as the pad's frame is
        # What the model in use cannot read, when there is something (a letters-only model reads 42 as Qz).
        self.scope = QLabel("")
        self.scope.setWordWrap(True)
        self.scope.hide()
        layout.addWidget(self.scope)
        line_box = QGroupBox("This line (click a character, or Tab to it and press Space, to correct it)")
        line_layout = QHBoxLayout(line_box)
        # A long line scrolls sideways (its end, the newest character, in view) instead of widening the window.
        row = QWidget()
        self._characters = QHBoxLayout(row)
        self._characters.setContentsMargins(0, 0, 0, 0)
        self._characters.setSpacing(2)
        self._characters.addStretch(1)
        self.hint = QLabel(LINE_HINT)
        self._characters.insertWidget(0, self.hint)
        self._scroll = QScrollArea()
        self._scroll.setWidget(row)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its characters, not to it
        self._scroll.viewport().setAutoFillBackground(False)  # the group box's own background shows through
        row.setAutoFillBackground(False)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # When the row grows (a character added), its end, the newest character, comes into view.
        end_bar = self._scroll.horizontalScrollBar()
        # The newest character in view; a message (no characters), or a picture's line, from its start.
        self._from_start = False
        end_bar.rangeChanged.connect(
            lambda _low, high: end_bar.setValue(high if self._buttons and not self._from_start else 0)
        )
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        line_layout.addWidget(self._scroll, 1)
        self.add_button = QPushButton("Add to text")
        self.add_button.setToolTip(
            "Append this line to the text below and clear the pad (Ctrl+Enter; Ctrl+Shift+Enter adds it to the "
            "text's last line, after a space)"
        )
        self.add_button.clicked.connect(self.add_line_requested)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy this line's text (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_requested)
        line_layout.addWidget(self.copy_button)
        line_layout.addWidget(self.add_button)
        layout.addWidget(line_box)
        self.text_box = TextBox()
        self.text_box.setPlaceholderText("Lines you add collect here; edit and copy them as you like.")
        self._base_font = self.text_box.font()
        self._growth = 1.0  # the line's and the text's size, times their least (fit_to_window)
        self._probe_height = (0.0, 0)  # (growth, the height of a character's button at it)
        self.text_box.setFont(character_font(self._base_font, TEXT_FONT_SCALE))  # l, I and 1 told apart
        # As tall as the panel leaves it: the window gives the panel a height (a drag, or box_height's).
        self.text_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.box_height = 110  # the text box's own height, until the window says how tall it is (fit_to_window)
        self.wanted_box: int | None = None  # the text box's height the window gives it (a drag's), else its own
        self.text_box.setTabChangesFocus(True)  # Tab moves on (it typed tabs, and focus never left the box)
        # Named by its placeholder and its tooltip: a titled frame around it took 30 px from the pad at 800x500.
        self.text_box.setToolTip("The text written so far: lines are added here (Ctrl+Enter) and kept between sessions")
        self.text_box.setAccessibleName("text written so far")
        layout.addWidget(self.text_box)
        self._buttons: list[QWidget] = []  # the line's characters (buttons) and the spaces between words
        # With the pad empty, Copy copies the whole text, as Ctrl+C does (a student found it greyed out there).
        self.text_box.textChanged.connect(self._show_what_copy_copies)
        self.set_line([], [])

    def set_scope(self, note: str) -> None:
        """A note on what the model in use reads (empty: none)."""
        self.scope.setText(note)
        self.scope.setVisible(bool(note))

    def set_line(
        self,
        characters: list[tuple[str, bool]],
        alternatives: list[list[tuple[str, float]]],
        problem: str = "",
        picked: Sequence[bool] = (),
        joins_next: Sequence[bool] = (),
        joined: Sequence[bool] = (),
        breaks: Sequence[bool] = (),
        splittable: Sequence[bool] = (),
        parted: Sequence[bool] = (),
        from_start: bool = False,
        by_place: Sequence[bool] = (),
        read_alone: Sequence[str] = (),
    ) -> None:
        """``characters``: (character, space before it); ``alternatives``: (character, probability) each;
        ``problem``: why there is no line to show (the writing could not be read), in place of the hint;
        ``picked``: whether the person chose each character (then it is not unsure, whatever was read);
        ``joins_next``: whether each can be joined with the next into one character; ``joined``: whether the
        person joined it so; ``breaks``: whether each starts a new line (a picture of several lines);
        ``splittable``: whether each can be split into two characters; ``parted``: whether the person split
        it from a character read as one; ``from_start``: the row shown from its first character (a picture's
        lines, read whole: written on the pad, the newest character at its end is in view); ``by_place``:
        whether each is a mark read by its place on the line (no model's answer, no confidence);
        ``read_alone``: what each read first on its own where its neighbours made it the other kind (a letter
        or a digit), else ""."""
        self._from_start = from_start
        # The character that had the keyboard's focus gets it back: a reading picked from its menu by keys
        # rebuilt the row, and the focus went on to Copy.
        focused = next((k for k, b in enumerate(self._character_buttons()) if b is self.window().focusWidget()), None)
        for button in self._buttons:
            self._characters.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._buttons = []
        starts = [space or (k < len(breaks) and breaks[k]) for k, (_, space) in enumerate(characters)]
        word_of = {k: span for span in word_spans(starts) for k in span}
        for position, ((char, space), options) in enumerate(zip(characters, alternatives, strict=True)):
            if position < len(breaks) and breaks[position]:
                # A new line of a picture of several lines: one row of buttons still, the break marked.
                new_line = QLabel("⏎")
                new_line.setFont(self._line_font())
                new_line.setProperty(SPACE_PROPERTY, "\n")
                new_line.setToolTip("A new line: the picture's next line of writing starts here")
                new_line.setAccessibleName("new line")
                self._characters.insertWidget(self._characters.count() - 1, new_line)
                self._buttons.append(new_line)
            elif space:
                # A space between words, as large as the characters (a small grey button was easy to miss).
                gap = QLabel("␣")
                gap.setFont(self._line_font())
                gap.setProperty(SPACE_PROPERTY, True)
                gap.setToolTip("A space: a character's menu adds or removes the one before it")
                gap.setAccessibleName("space")
                self._characters.insertWidget(self._characters.count() - 1, gap)
                self._buttons.append(gap)
            # Read with little certainty (and not picked by the person): underlined, as a word a spelling
            # checker doubts, so the characters worth a look stand out (a 61% 7 looked as sure as a 100% A).
            chosen = position < len(picked) and picked[position]
            unsure = not chosen and bool(options) and char == options[0][0] and options[0][1] < UNSURE_BELOW
            # Made the other kind by its neighbours (an S among digits read 5, a trial's "Z5S2"): said where it
            # is pointed at. Not underlined: such readings were right 124 times in 135 (validation words).
            own = read_alone[position] if position < len(read_alone) and options and not chosen else ""
            own = own if own and char == options[0][0] else ""  # (its reading as read, not one picked)
            own = next((option for option, _ in options if option.upper() == own.upper()), own) if own else ""
            kind = "digit" if char.isdigit() else "letter"
            own_said = f"; {described(own)} on its own, made a {kind} by its neighbours" if own else ""
            # The space and the new line are no Tab stops: a screen reader hears them with the character
            # after them ("Hi n" sounded as "Hin").
            starts_line = position < len(breaks) and bool(breaks[position])
            gap_before = ", on a new line" if starts_line else ", after a space" if space else ""
            button = _character_button(char, self._line_font(unsure))
            button.setProperty(UNSURE_PROPERTY, unsure)
            button.installEventFilter(self)  # focused by Tab: scrolled into view (see eventFilter)
            if char and unsure:
                button.setAccessibleName(f"character {position + 1}: {spoken_character(char)}, unsure")
                button.setToolTip(
                    f"{described(char)}, read with {confidence_text(options[0][1])}{own_said}: unsure. Click (or "
                    "Space) for other readings, or type the right one"
                )
            elif char:
                button.setAccessibleName(f"character {position + 1}: {spoken_character(char)}")
                # How sure, as the menu says it (a student found the percentages only by opening each menu).
                by_model = not chosen and bool(options) and char == options[0][0]
                by_its_place = position < len(by_place) and by_place[position]
                sure = f", read with {confidence_text(options[0][1])}" if by_model and not by_its_place else ""
                button.setToolTip(
                    f"{described(char)}{sure}{own_said}: click (or Space) for other readings, or type the right one"
                )
            else:  # its ink stays on the pad (a stray mark, half of a letter split in two)
                button.setText(LEFT_OUT_MARK)
                button.setAccessibleName(f"character {position + 1}: left out of the text")
                button.setToolTip("Left out of the text: click (or Space) to give it a reading again")
            menu = button.menu()
            assert isinstance(menu, CharacterMenu)
            menu.typed.connect(lambda typed, p=position: self.character_chosen.emit(p, typed))
            menu.aboutToShow.connect(lambda p=position: self.character_pointed.emit(p))
            menu.aboutToHide.connect(lambda: self.character_pointed.emit(-1))
            for rank, (option, prob) in enumerate(options):
                # A mark read by its place had "100.0%", a confidence no model gave (a student's trial); the
                # models' readings after it (a "/" between digits read as a 1) have theirs.
                placed = rank == 0 and position < len(by_place) and by_place[position]
                how = "read by its shape and place" if placed else confidence_text(prob)
                if option == own:  # (one of the readings: in its case)
                    how += "    (first on its own)"
                action = menu.addAction(f"{described(option)}    {how}")
                # The reading shown now is ticked; the others have no box (an empty one was too faint to
                # see in the dark theme, and they are choices, not switches).
                action.setCheckable(option == char)
                action.setChecked(option == char)
                action.triggered.connect(lambda _=False, p=position, c=option: self.character_chosen.emit(p, c))
            menu.addSeparator()
            typed = menu.addAction("&Type another…")
            typed.triggered.connect(lambda _=False, p=position: self._type_character(p))
            # A mark read as a letter (a comma as an i, a hyphen as an s), or a letter as a mark: one click,
            # not a dialog (the readings are the models', and no model reads marks).
            marks = menu.addMenu("&Punctuation")
            for mark, name in PUNCTUATION_NAMES.items():
                action = marks.addAction(f"{mark}    {name}")
                action.setCheckable(mark == char)  # the mark read now ticked, as a reading is
                action.setChecked(mark == char)
                action.triggered.connect(lambda _=False, p=position, c=mark: self.character_chosen.emit(p, c))
            word = "".join(characters[k][0] for k in word_of[position])
            if char.isalpha() and sum(c.isalpha() for c in word) > 1:
                cases = menu.addMenu("Case of the &word")
                for case, name in WORD_CASES.items():
                    action = cases.addAction(f"{cased_word(word, case).replace('&', '&&')}    {name}")  # (& typed)
                    action.setCheckable(cased_word(word, case) == word)
                    action.setChecked(cased_word(word, case) == word)
                    action.triggered.connect(lambda _=False, p=position, c=case: self.word_case_chosen.emit(p, c))
            if len(word_of[position]) > 1:  # a joined-up word cut wrong ("call mum" read "odinnunn"): one step
                retyped = menu.addAction("&Retype the word…")
                retyped.triggered.connect(lambda _=False, p=position, w=word: self._type_word(p, w))
            if char:  # a stray mark, or a letter split in two boxes ("m" read as "n" and "7"): the text goes on
                left_out = menu.addAction("&Leave out of the text")
                left_out.triggered.connect(lambda _=False, p=position: self.character_chosen.emit(p, ""))
            if position and not (position < len(breaks) and breaks[position]):  # a word gap missed, or one seen
                spaced = menu.addAction("Remove the space &before" if space else "Space &before")
                spaced.triggered.connect(lambda _=False, p=position, on=not space: self.space_chosen.emit(p, on))
            # One character split in two boxes (an H's stems apart), or two the person joined by mistake; from
            # either half (a trial's person opened the right half's menu, found no join and took its reading).
            # Not across a new line (a note's lines are read each on its own: such a join changed nothing).
            # Not offered where it cannot be done: letters of one stroke with a third (a trial's joined-up
            # "call mum": its "Join" only said it could not).
            with_previous = (
                0 < position <= len(joins_next)
                and joins_next[position - 1]
                and not (position < len(breaks) and breaks[position])
            )
            with_next = (
                position < min(len(characters) - 1, len(joins_next))
                and joins_next[position]
                and not (position + 1 < len(breaks) and breaks[position + 1])
            )
            if with_previous or with_next:
                menu.addSeparator()
                if with_previous:
                    before = menu.addAction("&Join with the previous character")
                    before.triggered.connect(lambda _=False, p=position: self.join_chosen.emit(p, False))
                if with_next:
                    after = menu.addAction("Join with the &next character")
                    after.triggered.connect(lambda _=False, p=position: self.join_chosen.emit(p, True))
            if position < len(joined) and joined[position]:
                split = menu.addAction("&Split again")
                split.triggered.connect(lambda _=False, p=position: self.split_chosen.emit(p))
                button.setAccessibleName(f"{button.accessibleName()}, joined")
                button.setToolTip(f"{button.toolTip()}. Joined from two: Split again in its menu parts them")
            # Two letters that overlap, read as one ("lc" as k): the reader cuts them where they read best.
            if position < len(splittable) and splittable[position]:
                if not (with_previous or with_next):
                    menu.addSeparator()
                two = menu.addAction("&Split in two")
                two.triggered.connect(lambda _=False, p=position: self.split_in_two_chosen.emit(p))
            if position < len(parted) and parted[position]:
                button.setAccessibleName(f"{button.accessibleName()}, split from one")
                button.setToolTip(
                    f"{button.toolTip()}. Split from one character: its menu's Join puts the two together again"
                )
            button.setAccessibleName(button.accessibleName() + gap_before)  # last: "joined" is the character's
            self._characters.insertWidget(self._characters.count() - 1, button)
            self._buttons.append(button)
        # Tab goes through the characters, then Copy, Add to text and the text box (the buttons, made after
        # the box, came after it, and Tab never reached them); Space on a character opens its menu.
        shown = self._character_buttons()
        chain = [*([self.tab_from] if self.tab_from else []), *shown, self.copy_button, self.add_button, self.text_box]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        if focused is not None and shown and not self._focused_by_keys and self.tab_from is not None:
            # Clicked, then a reading picked or typed: the keys go back to the pad, as before the click (the
            # character kept them, and the pad's E for the eraser put an "e" in its place).
            self.tab_from.setFocus(Qt.FocusReason.OtherFocusReason)
        elif focused is not None and shown:
            again = shown[min(focused, len(shown) - 1)]
            again.show()  # the layout shows it only later, and a hidden widget takes no focus
            # As a keyboard's focus (the menu picked by keys, Ctrl+Z): its ring shows (it had none after Undo).
            again.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.hint.setText(problem or LINE_HINT)
        self.hint.setVisible(not characters)
        self.add_button.setEnabled(bool(characters))
        self._show_what_copy_copies()
        self._fit_row_height()
        if not characters or from_start:
            self._scroll.horizontalScrollBar().setValue(0)

    def _show_what_copy_copies(self) -> None:
        """Copy copies the line; with no line, the text below (when it holds some): said on the button."""
        line, text = bool(self._character_buttons()), bool(self.text_box.toPlainText().strip())
        self.copy_button.setEnabled(line or text)
        self.copy_button.setToolTip(
            "Copy this line's text (Ctrl+C)" if line or not text else "Copy all the text below (Ctrl+C)"
        )

    def _line_font(self, unsure: bool = False) -> QFont:
        font = character_font(self._base_font, LINE_FONT_SCALE * self._growth)
        font.setUnderline(unsure)
        return font

    def _fit_row_height(self) -> None:
        """As tall with characters as without: a row that grew with its first character shrank the pad, and
        the writing on it, after the first pen-up."""
        if self._probe_height[0] != self._growth:  # a character's button, before there is one (once a size)
            probe = _character_button("Wg", self._line_font())
            self._probe_height = (self._growth, probe.sizeHint().height())
            probe.deleteLater()
        tallest = max([b.sizeHint().height() for b in self._buttons] + [self.hint.sizeHint().height()])
        tallest = max(tallest, self._probe_height[1])
        self._scroll.setFixedHeight(tallest + self._scroll.horizontalScrollBar().sizeHint().height() + 4)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A character reached by Tab in a row wider than the panel is scrolled into view: Tab into a long
        # line focused its first, scrolled-off character and opened its menu out of sight.
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget) and watched in self._buttons:
            reason = event.reason() if isinstance(event, QFocusEvent) else Qt.FocusReason.OtherFocusReason
            if reason not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
                self._focused_by_keys = reason != Qt.FocusReason.MouseFocusReason  # (its menu closing: as it was)
            self._scroll.ensureWidgetVisible(watched, 8, 0)
            self.character_pointed.emit(self._character_buttons().index(watched))
        elif (
            isinstance(event, QFocusEvent)
            and event.type() == QEvent.Type.FocusOut
            and event.reason() != Qt.FocusReason.PopupFocusReason  # its menu opening: still pointed at
            and watched in self._buttons
        ):
            self.character_pointed.emit(-1)
        elif (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and watched in self._buttons
            and (typed := typed_reading(event))
        ):
            # A character typed on the focused character is its reading, as its tooltip says (typing there did
            # nothing: only the menu's Type another… did it). Space still opens its menu.
            self.character_chosen.emit(self._character_buttons().index(watched), typed)
            return True
        return super().eventFilter(watched, event)

    def _character_buttons(self) -> list[QWidget]:
        return [b for b in self._buttons if not b.property(SPACE_PROPERTY)]

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text size (View -> Zoom): the line and text grow
            self._base_font = QFont(self.font())
            self._restore_fonts()
        elif event.type() == QEvent.Type.StyleChange:
            # A style sheet applied again (a theme, a text size) gives each widget back the font it was
            # first polished with: the line's characters and the text fell to the window's size.
            QTimer.singleShot(0, self, self._restore_fonts)  # (not after the panel is gone)

    def _restore_fonts(self) -> None:
        for widget in self._buttons:
            widget.setFont(self._line_font(bool(widget.property(UNSURE_PROPERTY))))
        self.text_box.setFont(character_font(self._base_font, TEXT_FONT_SCALE * self._growth))
        # Its hint is painted in the viewport's font, which kept the one it was first polished with (10.8 pt
        # at 200%): the window's text size, as the hint on the line above.
        self.text_box.viewport().setFont(self._base_font)
        self._probe_height = (0.0, 0)
        self._fit_row_height()

    def fit_to_window(self, window_height: int) -> None:
        """The line's characters and the text grow with a tall window; the text box's own height is a sixth
        of the window's, between 3 and 10 lines (at 800 x 500 a fixed 110 px left the pad 215 px to write
        on), and it is never below 3 lines, however the person drags it."""
        growth = min(MAX_GROWTH, max(1.0, math.floor(window_height / WINDOW_PX_PER_GROWTH * 4) / 4))
        if growth != self._growth:
            self._growth = growth
            self._restore_fonts()
        lines = self.text_box.fontMetrics().lineSpacing()
        frame = 2 * self.text_box.frameWidth() + 8
        self.text_box.setMinimumHeight(3 * lines + frame)
        self.box_height = max(3 * lines + frame, min(10 * lines + frame, window_height // 6))

    def sizeHint(self) -> QSize:
        # What the divider over the panel starts from when the window is first laid out: had the box its
        # own size hint, the panel took half the window's height, and a line restored at the start was
        # shrunk to that pad (and grown back when the panel was fitted).
        return QSize(super().sizeHint().width(), self.height_with_box(self.wanted_box or self.box_height))

    def height_with_box(self, box: int) -> int:
        """The panel's height with its line as it is and a text box ``box`` px tall."""
        layout = self.layout()
        assert layout is not None
        # At the panel's width: the note on what the model reads wraps, and is as tall as its lines there.
        width = self.width()
        whole = layout.heightForWidth(width) if width > 0 and layout.hasHeightForWidth() else layout.sizeHint().height()
        # (the layout counts the box at its size hint or its least height, whichever is taller: 3 lines of
        # large text are taller than the hint, and the panel was made as much too tall)
        counted = max(self.text_box.sizeHint().height(), self.text_box.minimumHeight())
        return whole - counted + box

    def _typed(self, title: str, prompt: str, shown: str) -> str | None:
        """What the person types in a dialog (``shown`` in it at first, selected: typing replaces it, and a
        second character can be added to it); None when cancelled."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(prompt)
        # The prompt wraps: on one line the dialog was wider than a laptop's screen at 125% (its buttons off
        # it), and twice the window's width at 100%.
        for label in dialog.findChildren(QLabel):
            label.setWordWrap(True)
            label.setMinimumWidth(min(label.fontMetrics().averageCharWidth() * PROMPT_CHARACTERS, 640))
        dialog.setTextValue(shown)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        typed = dialog.textValue()
        dialog.deleteLater()  # (each correction left one behind, a child of the panel)
        return typed if ok else None

    def _type_character(self, position: int) -> None:
        shown = self._character_buttons()[position].property(CHARACTER_PROPERTY)
        typed = self._typed(
            "Correct a character",
            # (A student's trial found the one long sentence hard to parse.)
            f"Type what is written in this box (the line's {_ordinal(position + 1)} character, read as “{shown}”).\n"
            "Two letters in one box: type both. Nothing: it is left out of the text.",
            shown,
        )
        # A box may hold two characters the splitting took for one ("rn" read as m): what is typed is kept
        # whole (it kept only its first character, without a word), spaces left out (a space belongs before
        # a box: its menu's Space before).
        text = "".join((typed or "").split())
        if typed is not None and (text or shown):  # nothing typed: left out of the text, as Leave out does
            self.character_chosen.emit(position, text)

    def _type_word(self, position: int, shown: str) -> None:
        typed = self._typed(
            "Retype a word",
            f"Type the word written here (read as “{shown}”).\n"
            "It goes in its first box and the others are left out (two words: in its first two).",
            shown,
        )
        if typed is not None:
            self.word_typed.emit(position, " ".join(typed.split()))

    def shown_text(self) -> str:
        """The line as its row shows it (a space's mark as a space, a new line's as a new line)."""
        gap = {True: " ", "\n": "\n"}
        return "".join(
            gap[b.property(SPACE_PROPERTY)] if b.property(SPACE_PROPERTY) else b.property(CHARACTER_PROPERTY)
            for b in self._buttons
        )

    def append_line(self, text: str, same_line: bool = False) -> str:
        """Add ``text`` to the text: as a line of its own, or (``same_line``) after the last line and a space
        (a new line when there is none to go on). Returns what was put before it: "\n", " " or ""."""
        if not text:
            return ""
        box = self.text_box.toPlainText()
        joined_by = "" if not box else " " if same_line and not box.endswith("\n") else "\n"
        # One step of the box's own undo, apart from what is typed after it: appended plainly, the box merged
        # the line with the typing, and a student's Ctrl+Z on " size" took the line added before with it.
        # (A document merges typing into the step before only while it is "modified": nothing else reads it.)
        document = self.text_box.document()
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        cursor.insertText(joined_by + text)
        cursor.endEditBlock()
        document.setModified(False)
        # In view, wherever the box was scrolled (after a restart it shows its first lines).
        bar = self.text_box.verticalScrollBar()
        bar.setValue(bar.maximum())
        return joined_by


def typed_reading(event: QKeyEvent) -> str:
    """The character a key press types as a character's reading, or "" for a key that types none (Space
    opens a menu; Ctrl or Alt alone make shortcuts, and Alt picks a menu's underlined item)."""
    typed = event.text()
    # Shift, the keypad and AltGr (Ctrl+Alt on Windows, a group switch elsewhere: @ € { } on many layouts)
    # type characters.
    modifier = Qt.KeyboardModifier
    typing = modifier.ShiftModifier | modifier.KeypadModifier | modifier.GroupSwitchModifier
    held = event.modifiers() & ~typing
    plain = held == modifier.NoModifier or held == (modifier.ControlModifier | modifier.AltModifier)
    return typed if plain and len(typed) == 1 and typed.isprintable() and not typed.isspace() else ""


class CharacterMenu(QMenu):
    """A character's menu of other readings, in which a character typed is its reading: a teacher's trial
    clicked a character, typed the right one as its tooltip says, and nothing changed (the open menu took
    the keys). Its items' underlined letters are picked with Alt."""

    typed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if typed := typed_reading(event):
            self.close()
            self.typed.emit(typed)
            return
        if event.key() == Qt.Key.Key_Alt:  # held for an underlined letter: Fusion closed the menu on it
            event.accept()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Opened with Space, no item was marked until Down (a keyboard user's trial): the reading shown is,
        # ticked, so Enter confirms it (as a click on it does) and the arrows move from it. None is marked
        # where no reading of the list is shown (a typed character, a mark, one left out): Enter there would
        # have put the model's first reading in its place.
        if self.activeAction() is None:
            shown = next((action for action in self.actions() if action.isChecked() and action.isEnabled()), None)
            if shown is not None:
                self.setActiveAction(shown)


def _character_button(text: str, font: QFont) -> QToolButton:
    """A character of the line as a button: large, with a menu of its other readings. A click focuses it,
    so that typing after its menu closes puts the right character in its place (the pad had the keys)."""
    button = QToolButton()
    button.setText(text.replace("&", "&&"))  # a typed & is a character, not a shortcut's marker
    button.setProperty(CHARACTER_PROPERTY, text)
    button.setFont(font)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setMenu(CharacterMenu(button))
    return button
