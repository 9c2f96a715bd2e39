"""Practice's bar over the pad: the character to write, whether its reading was it, the score, Next and End,
and which characters are asked."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop_app.themes import agree_colour, disagree_colour
from desktop_app.widgets.fonts import character_font, class_name, sized_like, spoken_class_name, wrapped_height
from desktop_app.widgets.prediction_panel import announce

# A reading other than the one asked is said once the pen has rested this long, lifted: said at once, a
# child's d was "✗ read as L" at its first stroke, mid-letter. A right reading is said at once.
MISS_SAID_AFTER_MS = 1500
PROMPT_SCALE = 4.5  # the character asked, times the text's size (at 3 it was half the size of the answer's)
# The ✓ or ✗ beside it, times the text's size: the verdict at the text's size was read by the front row alone
# (a teacher's trial, on a projector). Within the row the character asked makes tall (the verdict set larger
# on its own row grew the bar, and the pad shrank under a drawing being judged, which read it again).
MARK_SCALE = 3.0
# The verdicts the bar says, and the longest reading in them (a W read in either case): the verdict's row is
# kept as tall as the longest needs at the bar's width, so a verdict said wraps within it and the pad never
# moves under a drawing being judged (at 800 px the ✗'s "Try Again, or Next" wrapped to a second line that
# the row cut off).
WELL_DONE, ONLY_JUST, MISSED = (
    "✓ Well done: read as {}",
    "✓ Read as {}, but only just: Try Again, clearer?",
    "✗ read as {}: Try Again, or Next",
)
VERDICTS = (WELL_DONE, ONLY_JUST, MISSED)
WIDEST_READING = class_name("W", frozenset("W"), name_lookalikes=False)  # "W / w", as the verdict names it


class PracticeBar(QFrame):
    next_asked = Signal()
    again_asked = Signal()  # the pad cleared for another try at the same character
    ended = Signal()
    only_edited = Signal(str)  # the characters typed to be asked ("": any the model reads), once typed
    misses_asked = Signal()  # ask only for those read otherwise so far

    def __init__(self, pen_is_down: Callable[[], bool] = lambda: False) -> None:
        """``pen_is_down``: whether a stroke is being written on the pad (a miss waits for it)."""
        super().__init__()
        self._pen_is_down = pen_is_down
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Practice")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        ask_row, said_row, choice_row = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        layout.addLayout(ask_row)
        layout.addLayout(said_row)
        layout.addLayout(choice_row)  # (on the verdict's row, they squeezed it to a word a line)
        self.prompt = QLabel()
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        # The note of either case beside the character, wrapped within its height: below it, the bar grew a
        # line taller for a letter than for a digit, and the pad jumped (its note held a narrow window 290 px
        # wider on one line).
        self.case_note = QLabel()
        self.case_note.setWordWrap(True)
        self.case_note.installEventFilter(self)  # (its width chooses its words: _fit_case_note)
        self._case_notes = ("", "")  # the note in full, and short where a narrow bar has no room for it
        self._asked_char = ""  # shown again at a new font size (zoomed, it kept its size till the next)
        self._asked_either_case = ""  # the model that reads the asked letter's two cases as one, or ""
        self._asked_cases_alike = False  # the asked letter's two cases look the same drawn alone (o, O)
        self._pending_miss = ("", "")  # a reading other than the one asked (shown, heard), said when the pen rests
        self._heard = ""  # the verdict a screen reader was told last, for the character asked
        self._miss_timer = QTimer(self)
        self._miss_timer.setSingleShot(True)
        self._miss_timer.setInterval(MISS_SAID_AFTER_MS)
        self._miss_timer.timeout.connect(self._miss_due)
        self.verdict = QLabel()
        self.mark = VerdictMark()  # ✓ or ✗, large (the verdict's words say it to a screen reader)
        self.score = QLabel()
        # On a row of its own, wrapped: beside the buttons it held a narrow window 360 px wider.
        self.verdict.setWordWrap(True)
        self.verdict.installEventFilter(self)  # (its width sets the height kept for it: _keep_verdict_room)
        self.next_button = QPushButton("&Next")
        self.next_button.setToolTip("Another character to write (Enter); this one is counted as last read")
        # Written again over the first try, a child's X on its O read as Q: the pad cleared for it.
        self.again_button = QPushButton("&Try Again")
        self.again_button.setToolTip("Clear the pad and write the same character again (Undo brings it back)")
        policy = self.again_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # (shown, it made the bar taller and the pad shorter mid-letter)
        self.again_button.setSizePolicy(policy)
        self.again_button.setVisible(False)
        self.again_button.clicked.connect(self.again_asked)
        self.end_button = QPushButton("En&d")  # (Alt+E opens the Edit menu)
        self.end_button.setToolTip("End practice (Alt+D, or View → Practice, Ctrl+Shift+P)")
        # The buttons take no focus from the pad: writing goes on with the keys the pad has.
        for button in (self.again_button, self.next_button, self.end_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            _narrow_as_its_text(button)
        self.next_button.clicked.connect(self.next_asked)
        self.end_button.clicked.connect(self.ended)
        # A teacher drilling b, d, p and q had to press Next until they came.
        self.only = QLineEdit()
        self.only.setPlaceholderText("any")
        self.only.setMaxLength(80)
        self.only.setAccessibleName("Ask only for these characters")
        self.only.setToolTip(
            "Ask only for these characters: type them (bdpq) and press Enter; empty, any the model reads"
        )
        self.only.setClearButtonEnabled(True)
        # (at 10 M's wide, with its clear button, "0123456789" showed as "123456789")
        self.only.setMinimumWidth(self.only.fontMetrics().horizontalAdvance("M") * 9)
        # Once typed (Enter, or leaving the box), not at each key: "bdpq" asked a b at its first key.
        self.only.editingFinished.connect(lambda: self.only_edited.emit(self.only.text()))
        only_label = QLabel("&Only:")
        only_label.setBuddy(self.only)
        self.misses_button = QPushButton("&Work on Misses")
        self.misses_button.setVisible(False)
        _narrow_as_its_text(self.misses_button)
        self.misses_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.misses_button.clicked.connect(self.misses_asked)
        ask_row.addWidget(self.prompt)
        ask_row.addWidget(self.mark)  # (the case note before it, where a narrow window has room for one)
        ask_row.addWidget(self.case_note, 1)
        ask_row.addWidget(self.again_button)
        ask_row.addWidget(self.next_button)
        ask_row.addWidget(self.end_button)
        said_row.setSpacing(16)  # (a wrapped verdict ran into the score at 800 px)
        said_row.addWidget(self.verdict, 1)
        said_row.addWidget(self.score)
        choice_row.addWidget(only_label)
        choice_row.addWidget(self.only)
        choice_row.addWidget(self.misses_button)
        # What the model in use cannot ask of the choice, said beside it as long as it holds (in the status
        # bar alone, a teacher missed that a letters model asked letters of a box that still said 0123456789).
        self.choice_note = QLabel()
        self.choice_note.setWordWrap(True)
        choice_row.addWidget(self.choice_note, 1)

    def note_choice(self, note: str) -> None:
        """What the model in use makes of the characters chosen ("" where it reads them all)."""
        self.choice_note.setText(note)
        self.choice_note.setAccessibleName(note)

    def offer_misses(self, missed: str, only: str) -> None:
        """Work on Misses, offered while some characters were read otherwise that are not all that is asked."""
        offered = bool(missed) and set(missed) != set(only)
        self.misses_button.setVisible(offered)
        self.misses_button.setToolTip(f"Ask only for the characters read otherwise so far: {', '.join(missed)}")
        self.misses_button.setAccessibleDescription(self.misses_button.toolTip())

    def ask(self, char: str, score: str, either_case: str = "", cases_alike: bool = False) -> None:
        """Show the character to write (large, in the answers' font, where l, I and 1 and O and 0 differ) and
        the score so far; ``either_case``: the model in use, where it reads the letter's two cases as one
        (a teacher asked for a small y was told a capital Y was right, and not why); ``cases_alike``: the
        model tells its two cases apart, but they look the same drawn alone (o, O), and either is right."""
        self._asked_char, self._asked_either_case, self._asked_cases_alike = char, either_case, cases_alike
        self._heard = ""  # the verdict a screen reader was told last, for this character
        self._show_asked()
        self.judge(None, None)
        self.score.setText(score)
        # "1 of 1 read right" beside a ✗ for the character being written looked like a score that forgot it (a
        # teacher's trial): said on hover (in the bar's words, "Before this one: ..." cut the verdict short in a
        # narrow window).
        self.score.setToolTip("Counted before this one: the character being written counts once the next is asked")

    def _show_asked(self) -> None:
        char, either_case = self._asked_char, self._asked_either_case
        font = character_font(self.font(), PROMPT_SCALE, bold=True)
        size = f"font-size: {font.pointSizeF():.0f}pt; " if font.pointSizeF() > 0 else ""
        shown = html.escape(char or "–")
        other = char.lower() if char.isupper() else char.upper()
        # Short, the model named on hover: "emnist36_cnn" was a word a teacher did not know, and the longest
        # word of the note set how narrow the bar could be.
        self._case_notes = (f"(or {other}: read as one)", f"(or {other})") if either_case else ("", "")
        why = f"{either_case} reads {char} and {other} as one class: either is right" if either_case else ""
        if self._asked_cases_alike and not either_case:
            self._case_notes = (f"(or {other}: alike alone)", f"(or {other})")
            why = f"{char} and {other} look the same drawn alone, with no line to size them by: either is right"
        self.prompt.setText(f"Write: <span style=\"{size}font-family: '{font.family()}'\"><b>{shown}</b></span>")
        self._fit_case_note()
        self.case_note.setToolTip(why)
        merged = frozenset({char.upper()}) if either_case else frozenset()  # (speech has no case: "small b")
        spoken = f"Write {spoken_class_name(char, merged)}" if char else "Nothing to write"
        self.prompt.setAccessibleName(spoken + (f" ({why})" if why else ""))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # (zoomed in, the character asked kept its size till the next)
            self._show_asked()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.verdict and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self._keep_verdict_room()  # (zoomed, the text needs other room at the same width)
        elif watched is self.case_note and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self._fit_case_note()
        return super().eventFilter(watched, event)

    def _fit_case_note(self) -> None:
        """The note of either case in full where it wraps to two lines at most at its width, else short (its
        reason on hover): at 800 px "(or t: read as one)" stood a word a line beside the character."""
        full, short = self._case_notes
        metrics = self.case_note.fontMetrics()
        fits = wrapped_height(metrics, full, self.case_note.width()) <= 2 * metrics.lineSpacing()
        shown = full if fits else short
        if self.case_note.text() != shown:
            self.case_note.setText(shown)

    def _verdict_room(self, width: int) -> int:
        """The height the longest verdict needs, wrapped at ``width`` in the verdict's bold text."""
        font = QFont(self.verdict.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        return max(wrapped_height(metrics, v.format(WIDEST_READING), width) for v in VERDICTS)

    def _keep_verdict_room(self) -> None:
        """The verdict's row kept as tall as the longest verdict needs at its width (``VERDICTS``): the same
        with a verdict said or none, so that saying one moves nothing below it."""
        room = self._verdict_room(self.verdict.width())
        if self.verdict.minimumHeight() != room:
            self.verdict.setMinimumHeight(room)

    def _miss_due(self) -> None:
        """The pen has rested since a reading other than the one asked: said, unless a stroke is being
        written (the letter goes on: its lift brings a new reading, or the wait starts again)."""
        if self._pen_is_down():
            self._miss_timer.start()
            return
        self._say(*self._pending_miss, False)

    def judge(self, answer: str | None, right: bool | None, spoken: str = "", sure: bool = True) -> None:
        """The reading of what is written (``spoken``: as a screen reader says it, "small b"): right at once,
        or what it was read as once the pen has rested (``MISS_SAID_AFTER_MS``: the letter may be
        unfinished); nothing while the pad is blank."""
        self._miss_timer.stop()
        if answer is not None and right is False:
            self._pending_miss = (answer, spoken or answer)
            self._say(None, "", None)  # (a ✓ for the letter before this stroke no longer holds)
            self._miss_timer.start()
            return
        self._say(answer, spoken or answer or "", right, sure)

    def _say(self, answer: str | None, spoken: str, right: bool | None, sure: bool = True) -> None:
        """``sure``: the model was sure of the reading (else a ✓ is no praise: a teacher's trial saw "Well done"
        for a scribble read right at 36%, a guess by the answer's own panel)."""
        self.again_button.setVisible(right is False or (right is True and not sure))
        if answer is None or right is None:
            self.verdict.setText("")
            self.verdict.setAccessibleName("")
            self.mark.show_mark("", QColor())
            return
        if right and sure:
            self.verdict.setText(WELL_DONE.format(answer))
            heard = f"Well done: read as {spoken}"
        elif right:
            self.verdict.setText(ONLY_JUST.format(answer))
            heard = f"Read as {spoken}, but only just: Try Again, clearer?"
        else:
            self.verdict.setText(MISSED.format(answer))
            heard = f"Not yet: read as {spoken}. Try Again, or Next"
        colour = "" if right and sure else f"color: {disagree_colour(self.palette()).name()}; "
        self.verdict.setStyleSheet(f"{colour}font-weight: bold")
        marked = agree_colour(self.palette()) if right and sure else disagree_colour(self.palette())
        self.mark.show_mark("✓" if right else "✗", marked)
        self.verdict.setAccessibleName(heard)
        if heard != self._heard:  # (shown, and never heard: an accessibility audit's; not again at each stroke)
            self._heard = heard
            announce(self.verdict, heard)


class VerdictMark(QWidget):
    """A ✓ or ✗ as large as ``MARK_SCALE`` times the text where there is room, smaller where the window is
    narrow: never what makes the bar taller or wider (a fixed ✓'s width made a small window's pad column
    70 px wider)."""

    def __init__(self) -> None:
        super().__init__()
        self._mark, self._colour = "", QColor()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

    def text(self) -> str:
        return self._mark

    def colour(self) -> QColor:
        return self._colour

    def show_mark(self, mark: str, colour: QColor) -> None:
        self._mark, self._colour = mark, colour
        # Said as what it means (a keyboard user's trial: a screen reader met a nameless graphic).
        self.setAccessibleName({"✓": "tick: read as asked", "✗": "cross: not read as asked"}.get(mark, ""))
        self.update()

    def mark_font(self) -> QFont:
        """The mark's font, at its size where there is room: as tall as the row lets it be, and as wide."""
        font = sized_like(self.font(), self.font(), MARK_SCALE)
        font.setBold(True)
        metrics = QFontMetrics(font)
        widest = max(metrics.horizontalAdvance(mark) for mark in "✓✗")
        fits = min(1.0, self.width() / max(1, widest), self.height() / max(1, metrics.height()))
        return sized_like(font, font, max(fits, 0.01))

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(sized_like(self.font(), self.font(), MARK_SCALE))
        return QSize(max(metrics.horizontalAdvance(mark) for mark in "✓✗") + metrics.averageCharWidth(), 0)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        font = self.mark_font()
        if not self._mark or QFontInfo(font).pixelSize() < 2:  # (no room: a narrow window's bar)
            return
        painter = QPainter(self)
        painter.setFont(font)
        painter.setPen(self._colour)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._mark)


def _narrow_as_its_text(button: QPushButton) -> None:
    """The button as narrow as its text when the window is (the style's 80 px per button made the bar,
    and so the pad's column, 420 px wide: in an 800 px window the side panel was cut); wider with room."""
    metrics = button.fontMetrics()
    text_px = metrics.horizontalAdvance(button.text().replace("&", ""))
    button.setMinimumWidth(text_px + 2 * metrics.averageCharWidth() + 8)
