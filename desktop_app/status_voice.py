"""The status bar as the window's voice: what it says in answer to something the person did stays in view a
while, and what it shows is heard by a screen reader as well, once."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QStatusBar

from desktop_app.widgets.prediction_panel import announce

HEARD_AGAIN_AFTER_S = 5.0  # the same status message is not said again within this, unless asked for again


class StatusVoice:
    """Speaks through ``bar``: :meth:`say` answers the person, :meth:`about_input` says why an input was not
    taken; anything else the window shows in the bar is heard too, but for a line's count (its text is said),
    what is being loaded (its being ready is said), and the same words again within seconds (a model said
    ready twice at the start: the first list of models chooses it again)."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self._said_until = 0.0  # time.monotonic() until which the bar's answer to the person stays
        self._heard = ("", 0.0)  # the message a screen reader was told last, and when
        self._unspoken = ""  # a message a screen reader is not told (a line's count: its text is said)
        self._about_input = ""  # the bar's line for the last input not taken
        self._undoable = ""  # the answer in view when it says what Undo takes back ("The word reads “Hat” now")
        bar.messageChanged.connect(self._announce)

    def say(self, message: str, seconds: float = 4.0, undoable: bool = False) -> None:
        """A message that answers something the person did: a line read just after does not replace it
        (Undo's "The line is back on the pad" was gone at once behind "Read 2 characters"). ``undoable``:
        it says what a step of the pad's Undo takes back (:meth:`take_back_answer`)."""
        self._said_until = time.monotonic() + seconds
        self._undoable = message if undoable else ""
        if message == self.bar.currentMessage():  # (no messageChanged: Ctrl+Shift+C twice was heard once)
            self._heard = ("", 0.0)
            self._announce(message)
        self.bar.showMessage(message, int(seconds * 1000))

    def answering(self) -> bool:
        """Whether an answer to the person (:meth:`say`) is still in view, for them to read."""
        return time.monotonic() < self._said_until

    def answer_left_ms(self) -> int:
        """How long the answer in view (:meth:`say`) stays, in milliseconds (0: none)."""
        return max(0, int((self._said_until - time.monotonic()) * 1000))

    def done_answering(self) -> None:
        """The answer in view may be replaced (by a model's being ready, once it loads)."""
        self._said_until = 0.0

    def take_back_answer(self) -> None:
        """Undo (or Redo) is taking back what the answer in view said was done ("The word reads “Hat”
        now"): it goes at once, for what the window shows next. Any other message stays (a word on an
        input not taken, "Copied…", a notice)."""
        if self.answering() and self._undoable and self.bar.currentMessage() == self._undoable:
            self.done_answering()
            self.bar.clearMessage()

    def show_unspoken(self, message: str, milliseconds: int) -> None:
        """Shown, not heard: what is heard another way (a line's text, said once the writing pauses)."""
        self._unspoken = message
        self.bar.showMessage(message, milliseconds)

    def about_input(self, message: str) -> None:
        """A word on an input that was not taken (a paste without a picture, a drop of other files), in view
        until the next input that is taken (:meth:`input_taken`)."""
        self._about_input = message
        self.bar.showMessage(message, 10000)

    def input_taken(self) -> None:
        """An input is on the pad: the word on an earlier one that was not taken goes."""
        if self.bar.currentMessage() == self._about_input:
            self.bar.clearMessage()

    def _announce(self, message: str) -> None:
        now = time.monotonic()
        if not message or message == self._unspoken or message.startswith("Loading "):
            return
        if message == self._heard[0] and now - self._heard[1] < HEARD_AGAIN_AFTER_S:
            return
        self._heard = (message, now)
        announce(self.bar, message)
