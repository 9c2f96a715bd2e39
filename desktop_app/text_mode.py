"""Text mode's line: the pad read as one line of characters, the person's corrections to it, and the lines
added from it to the text box, which Undo on the pad takes back out with their ink.

The window shows and hides text mode's widgets; what the line is, how it reads and what becomes of it is
here. Owned by the window as ``window.lines``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desktop_app.inference_service import InferenceService, LineReading
from desktop_app.settings import Preferences
from desktop_app.status_voice import StatusVoice
from desktop_app.widgets.batch_view import one_row
from desktop_app.widgets.canvas import MAX_KEPT_STROKES, DrawingCanvas
from desktop_app.widgets.prediction_panel import announce
from desktop_app.widgets.text_panel import LEFT_OUT_MARK, WORD_CASES, TextPanel, cased_characters, word_spans
from ml.runtime.joined_letters import cut_points
from ml.runtime.strokes import stroke_points

LINE_SAID_AFTER_MS = 1200  # a screen reader is told the line once the writing pauses this long
ADDED_LINES_KEPT = 100  # lines added to the text that Undo can still take back
TEXT_ALTERNATIVES = 5  # readings offered in a character's menu, at least
BOX_MARGIN_PX = 3  # a character's box stands this far off its ink
FULL_PAD = 0.9  # writing past this share of the pad's width is told how to start a new line
NOTED_NEWS_MS = 8000  # a line read with a note (the pad nearly full, letters joined by the pen) is shown so long
KEPT_CHARACTER_LENGTH = 100  # a typed correction kept between sessions, at most (a longer one is not kept)
KEPT_NOTES = MAX_KEPT_STROKES  # corrections kept between sessions, at most (one a stroke kept)


@dataclass(frozen=True)
class Correction:
    """What the person changed of a character of the line: the character (picked or typed) and whether a
    space stands before it (None keeps what was read), and whether they joined its strokes into one
    character (the splitting had made two of it) or split them into two (the reader had read two letters
    that overlap as one)."""

    char: str | None = None
    space_before: bool | None = None
    one_character: bool = False
    two_characters: bool = False

    def as_kept(self) -> dict[str, Any]:
        """As the settings keep it between sessions (JSON)."""
        return {
            "char": self.char,
            "space_before": self.space_before,
            "one_character": self.one_character,
            "two_characters": self.two_characters,
        }

    @classmethod
    def from_kept(cls, kept: Any) -> Correction | None:
        """A correction kept by :meth:`as_kept`; None for anything else (a damaged settings file)."""
        if not isinstance(kept, dict):
            return None
        char, space = kept.get("char"), kept.get("space_before")
        one, two = kept.get("one_character", False), kept.get("two_characters", False)
        # As the app makes them: a typed correction has no spaces (the dialog takes them out), one character
        # is not also two.
        if (
            not (char is None or (isinstance(char, str) and not any(c.isspace() for c in char)))
            or not (space is None or isinstance(space, bool))
            or not isinstance(one, bool)
            or not isinstance(two, bool)
            or (one and two)
        ):
            return None
        # Longer than a correction is: that typed reading is not kept, the rest of the note is.
        return cls(char if char is None or len(char) <= KEPT_CHARACTER_LENGTH else None, space, one, two)


@dataclass(frozen=True)
class PersonGroups:
    """What the person said of the line's strokes, by their positions among the pad's drawn strokes: the
    groups they joined into one character, those they split in two, and the characters they put right
    (their strokes and what they are), for the reader to take as certain."""

    joined: tuple[tuple[int, ...], ...] = ()
    split: tuple[tuple[int, ...], ...] = ()
    known: tuple[tuple[tuple[int, ...], str], ...] = ()


@dataclass
class AddedLine:
    """A line added to the text, to take back when Undo brings its ink back (and to add again on Redo)."""

    text: str
    strokes: tuple[Any, ...]  # the canvas's stroke objects when it was added (its own, and a line begun below)
    picture: object = None  # or the opened picture it was read from (the canvas's opened source)
    taken_back: bool = False
    joined_by: str = "\n"  # what stands before it in the text: a new line, or a space (the last line continued)

    def is_on(self, strokes: list[Any], picture: object) -> bool:
        """Whether the pad shows exactly the strokes it showed when this line was added, or its picture with
        nothing drawn over it (the same objects, not look-alikes)."""
        if not self.strokes:
            return self.picture is not None and picture is self.picture and not strokes
        return len(strokes) == len(self.strokes) and all(a is b for a, b in zip(strokes, self.strokes, strict=True))


class TextModeLines(QObject):
    """The line on the pad in text mode (``line``: the last reading that gave one), read again as the pad
    changes, corrected by the person, added to the text box (Ctrl+Enter) and taken back out by Undo."""

    line_shown = Signal()  # the line on the pad shown, as read or as put right since

    def __init__(
        self,
        canvas: DrawingCanvas,
        text_panel: TextPanel,
        service: InferenceService,
        preferences: Preferences,
        voice: StatusVoice,
        keep: Callable[[], None],
        opened_strokes: Callable[[], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.text_panel = text_panel
        self.service = service
        self.preferences = preferences
        self.voice = voice
        # Keeps the text box and the pad at once: a line added is not kept once the typing pauses, as the
        # rest is (a crash then lost the line, or kept it twice, in the text and still on the pad).
        self._keep = keep
        # How many of the pad's first strokes are an opened stroke file's, still as opened (the window knows
        # the file): writing too much for a line is then the file's, not the person's to undo.
        self._opened_strokes = opened_strokes
        self.active = False  # whether the window is in text mode
        self.line: LineReading | None = None  # the last line read
        # An opened picture's characters put right, by their boxes in it (read again the same, they are the
        # same characters: after Undo brings the picture back, another model, text mode left and back), and
        # the picture they belong to (a new picture on the pad starts none).
        self._picture_corrections: dict[tuple[float, ...], Correction] = {}
        self._corrected_picture: object | None = None
        self.problem = ""  # why the last reading of the pad gave no line ("" if it did, or none yet)
        self.line_strokes: list[Any] = []  # the canvas strokes the shown line was read from
        self.read_strokes: dict[int, list[Any]] = {}  # the canvas strokes of each read request on its way
        # The lines added to the text, oldest first: Undo that brings one's ink back takes it out again,
        # corrections kept.
        self._added_lines: list[AddedLine] = []
        self._news = ""  # the status bar's last word on a line read (gone when text mode is left)
        # The line's other characters as shown when some were put right (by their strokes): those the line read
        # again then shows otherwise (a twin drawn alike that followed, a neighbour read in the new context) are
        # said (a student's "O0" became "OO" with the 0 never touched, and nothing said).
        self._shown_before_correction: dict[tuple[int, ...], str] | None = None
        # A line is said once the writing pauses, and only when it changed: after every pen-up it was said
        # whole again ("Read H", "Read HE", … and again on each resize).
        self._said = ""
        self._pad_full = False  # the line reaches the pad's right side: said with it
        self._said_full = False  # ... and said so to a screen reader
        self._say_timer = QTimer(self, singleShot=True, interval=LINE_SAID_AFTER_MS)
        self._say_timer.timeout.connect(self._say)
        # A stroke being written holds what is to be said (a line read meanwhile too) until it ends.
        self.canvas.stroke_begun.connect(self._say_timer.stop)
        self.canvas.stroke_ended.connect(
            lambda: self._say_timer.start() if self.active and self.line is not None else None
        )
        self._notes_timer = QTimer(self, singleShot=True)  # a line's notes, shown once an answer has been read
        self._notes_timer.timeout.connect(lambda: self._show_line() if self.active and self.line is not None else None)
        self.pending = False  # a reading of the pad as it is now is on its way
        # The characters joined, split and put right by the person, asked for in the last reading.
        self._groups_read = PersonGroups()
        service.line_read.connect(self.on_line_read)
        canvas.notes_changed.connect(self.on_notes_changed)
        text_panel.character_chosen.connect(self.correct_character)
        text_panel.character_pointed.connect(lambda index: canvas.mark_box(index if index >= 0 else None))
        text_panel.space_chosen.connect(self.set_space_before)
        text_panel.join_chosen.connect(lambda index, with_next: self.join_with_next(index if with_next else index - 1))
        text_panel.split_chosen.connect(self.split_again)
        text_panel.split_in_two_chosen.connect(self.split_in_two)
        text_panel.word_case_chosen.connect(self.set_word_case)
        text_panel.word_typed.connect(self.retype_word)
        text_panel.add_line_requested.connect(self.add_line_to_text)

    def clear_line(self) -> None:
        """No line shown (text mode turned on or off: the pad is read again for the mode it is in now)."""
        self.line = None
        self.canvas.set_overlay([])
        self.text_panel.set_line([], [])
        self.clear_news()

    def read_canvas(self) -> None:
        """Ask for the pad to be read as a line (at each change of the pad; the answer: on_line_read)."""
        if self.canvas.is_blank() or not self.preferences.model:
            # A reading still on its way is of what was there: shown, it left a line on a blank pad that
            # Ctrl+Enter added again and again.
            self.service.cancel("read")
            self.pending = False
            self.clear_line()  # and "Read 1 character" under a blank pad
            return
        strokes = self.canvas.recognition_strokes()
        image = None if strokes is not None else self.canvas.recognition_input()
        opened = image is not None and image is self.canvas.opened_source
        drawn = self.canvas.drawn_strokes() if strokes is not None else []
        # A drawing that cannot be read from its strokes (erased, or over a picture) is read from its render.
        scale = 1.0 if strokes is not None or opened else self.canvas.recognition_scale()
        # A character's menu offers its alternatives whatever the top-k shown in character mode (Top 1 left
        # nothing to pick from but "Type another…").
        alternatives = max(self.preferences.top_k, TEXT_ALTERNATIVES)
        self._groups_read = self._person_groups() if strokes is not None else PersonGroups()
        request_id = self.service.read_text(
            self.preferences.model,
            strokes,
            image,
            scale,
            opened,
            alternatives,
            self._groups_read.joined,
            self._groups_read.split,
            self._groups_read.known,
            english=self.preferences.english_words,
        )
        self.pending = True  # the line shown is the pad's as it was: not one to add until this comes
        self.read_strokes[request_id] = drawn

    def picture_corrections(self) -> int:
        """How many characters of the line read from the picture on the pad the person has put right (held
        also out of text mode: they come back with it)."""
        source = self.canvas.opened_source
        if source is None or source is not self._corrected_picture or self.canvas.drawn_strokes():
            return 0
        return len(self._picture_corrections)

    def picture_corrections_unadded(self) -> int:
        """How many characters of the line read from an opened picture the person has put right, the line
        not added to the text: they are kept nowhere else (a pad's strokes keep theirs), and quitting lost
        them without a word."""
        if not self.picture_corrections():
            return 0
        added = self._added_line_on_pad()  # added, and Undo brought the picture back: the text holds them
        if added is not None and not added.taken_back:
            return 0
        return len(self._picture_corrections)

    def clear_news(self) -> None:
        """Text mode's last word on a line read ("Read 5 characters"), if the status bar still shows it."""
        if self.voice.bar.currentMessage() == self._news:
            self.voice.bar.clearMessage()

    def on_line_read(self, request_id: int, reading: LineReading) -> None:
        # This request's strokes, and none of those before it: they are answered (or skipped) by now. (Kept
        # until a line read, they grew by one each pen-up while lines could not be read.)
        strokes = self.read_strokes.pop(request_id, [])
        self.read_strokes = {k: v for k, v in self.read_strokes.items() if k > request_id}
        if not self.service.is_latest("read", request_id) or not self.active:
            return
        self.pending = False
        self.problem = reading.error
        if reading.error:
            self.line = None
            self.canvas.set_overlay([])
            self.text_panel.set_line([], [], f"Not read: {reading.error}")
            # What to do about it goes to the status bar, which said how the last line read: the panel keeps
            # one line's height, and a long message there ran out of a small window's view. Not as an answer
            # to the person (_say): the line read once they have done it replaces it.
            picture = self.canvas.opened_source is not None and not self.canvas.drawn_strokes()
            if reading.not_one_line == "rows" and picture:
                advice = "A line standing sideways? Turn the picture (Ctrl+R), or crop it to the lines of writing"
            elif reading.not_one_line and picture:  # a page of writing, or a picture of texture
                advice = "Crop the picture to a line or a few lines of writing"
            elif reading.not_one_line == "rows":
                # Rows that read as no lines (characters one above the other, each a row of its own): only Undo
                # gets back to a line. (Lines that read are read, each in turn, as a picture's are.)
                advice = "Characters one above another do not read as a line: Undo them and write left to right"
            elif reading.not_one_line and self._opened_strokes() >= len(self.canvas.drawn_strokes()):
                # (A trial opened a file of 2,000 strokes and was told to undo strokes it never drew.)
                advice = (
                    "The opened drawing is more than one line holds: leave Text Mode (Ctrl+T) to read it as one drawing"
                )
            elif reading.not_one_line:
                advice = "Undo the last strokes or clear the pad: this is more than one line holds"
            else:
                advice = "Not read"
            self._news = advice
            self.voice.bar.showMessage(advice, 10000)
            return
        self.line = reading
        if not reading.from_strokes:  # (a drawing read from its render starts none at each read)
            source = self.canvas.opened_source if reading.opened else None
            if source is None or source is not self._corrected_picture:
                self._picture_corrections.clear()
                self._corrected_picture = source
        self.line_strokes = strokes
        self._show_line()
        self._say_followers()

    def _say_followers(self) -> None:
        """After a correction, the characters it changed besides (see ``_shown_before_correction``), said."""
        before, self._shown_before_correction = self._shown_before_correction, None
        if before is None or self.line is None or not self.line.from_strokes:
            return
        changed = [
            f"{before[key]} → {now}"
            for i in range(len(self.line.line.characters))
            if (key := self._character_key(i)) in before and (now := self._shown_character(i)) != before[key]
        ]
        if changed:
            self.voice.say(
                f"Also changed with it: {', '.join(changed)} (Undo takes the correction back)", 8, undoable=True
            )

    def on_notes_changed(self) -> None:
        if not self.active:
            return
        # Characters joined or split: the line splits otherwise now. Also while a reading is on its way (the
        # strokes kept from last time are read before their corrections are put back on them).
        # A character put right is also read again in its line (a neighbour may read otherwise beside it),
        # and shown put right at once.
        reading_strokes = self.pending or (self.line is not None and self.line.from_strokes)
        if reading_strokes and self._person_groups() != self._groups_read:
            self.read_canvas()
        else:  # (no reading to come of it: what changes later is no follower of this)
            self._shown_before_correction = None
        if self.line is not None:
            self._show_line()

    def _person_groups(self) -> PersonGroups:
        """The strokes the person joined into one character each, those they split into two each, and those
        of each character they put right (a letter or digit picked or typed), as positions among the pad's
        drawn strokes."""
        position = {id(stroke): k for k, stroke in enumerate(self.canvas.drawn_strokes())}
        # The notes on strokes all on the pad, by those strokes' positions.
        placed = [
            (tuple(position[i] for i in key), note)
            for key, note in self.canvas.notes.items()
            if isinstance(note, Correction) and all(i in position for i in key)
        ]
        return PersonGroups(
            tuple(at for at, note in placed if note.one_character),
            tuple(at for at, note in placed if note.two_characters),
            tuple((at, note.char) for at, note in placed if note.char and len(note.char) == 1 and note.char.isalnum()),
        )

    def notes_as_kept(self) -> list[dict[str, Any]]:
        """The person's corrections to the pad's line (typed, joined, split), to keep between sessions: each
        with its strokes' positions among the pad's kept strokes (``DrawingCanvas.written_strokes``)."""
        return [
            {"strokes": list(positions), **note.as_kept()}
            for positions, note in self.canvas.written_notes()
            if isinstance(note, Correction) and note != Correction()  # (a join split again: nothing to keep)
        ]

    def restore_notes(self, kept: Any) -> int:
        """Put corrections kept by :meth:`notes_as_kept` back on the pad's strokes, once they are back on it;
        what is malformed is left out. Returns how many."""
        if not isinstance(kept, list):
            return 0
        notes = []
        for item in kept[:KEPT_NOTES]:
            correction = Correction.from_kept(item)
            positions = item.get("strokes") if isinstance(item, dict) else None
            if correction is not None and correction != Correction() and isinstance(positions, list):
                notes.append((tuple(positions), correction))  # (the canvas checks the positions)
        return self.canvas.load_written_notes(notes)

    def _joins_by_key(self) -> list[tuple[int, ...]]:
        """The keys (stroke ids) of the joins the person made."""
        return [k for k, n in self.canvas.notes.items() if isinstance(n, Correction) and n.one_character]

    def _splits_by_key(self) -> list[tuple[int, ...]]:
        """The keys (stroke ids) of the characters the person split in two."""
        return [k for k, n in self.canvas.notes.items() if isinstance(n, Correction) and n.two_characters]

    def _join_key(self, index: int) -> tuple[int, ...] | None:
        """The key of the join note that made the line's character ``index`` (None: not joined by the person)."""
        ids = set(self._character_key(index))
        return max((k for k in self._joins_by_key() if set(k) <= ids), key=len, default=None)

    def _character_key(self, index: int) -> tuple[int, ...]:
        """What a correction is remembered by: the canvas's own strokes of the character (they keep their
        identity when the pad is resized, and new ink is new strokes; the canvas keeps the correction as a
        note on them, undone and redone with them); empty for a picture's characters, which are remembered
        by their boxes (:meth:`_box_key`)."""
        assert self.line is not None
        characters = self.line.line.characters
        character = characters[index]
        if not self.line.from_strokes:
            return ()
        key = tuple(id(self.line_strokes[k]) for k in character.strokes if k < len(self.line_strokes))
        # Letters the reader cut from one stroke (written without lifting the pen) are made of the same strokes:
        # the second names them twice, the third three times, so that each keeps a correction of its own.
        twins = [k for k, c in enumerate(characters) if c.strokes == character.strokes]
        return key * (twins.index(index) + 1)

    def _correction(self, index: int) -> Correction:
        key = self._character_key(index)
        note = self.canvas.notes.get(key) if key else self._picture_corrections.get(self._box_key(index))
        return note if isinstance(note, Correction) else Correction()

    def _box_key(self, index: int) -> tuple[float, ...]:
        """What a picture's character put right is remembered by: its box in the picture's pixels."""
        assert self.line is not None
        return tuple(round(float(v), 1) for v in self.line.line.characters[index].box)

    def _split_space(self, index: int) -> bool | None:
        """The space the person set before a character they split in two, for its left half (the two halves
        have notes of their own: the split's was not looked at, and the space was gone)."""
        assert self.line is not None
        key = set(self._character_key(index))
        for split in self._splits_by_key():
            if key and key < set(split):
                halves = [
                    i
                    for i in range(len(self.line.line.characters))
                    if self._character_key(i) and set(self._character_key(i)) <= set(split)
                ]
                note = self.canvas.notes.get(split)
                if halves and halves[0] == index and isinstance(note, Correction):
                    return note.space_before
        return None

    def _shown_character(self, index: int) -> str:
        """The character as read, or as the person corrected it."""
        assert self.line is not None
        char = self._correction(index).char
        return char if char is not None else self.line.line.characters[index].text

    def _shown_space(self, index: int) -> bool:
        """Whether a space stands before the character: as read, or as the person set it (on it, or on the
        character it was the left half of, before the person split that)."""
        assert self.line is not None
        space = self._correction(index).space_before
        if space is None:
            space = self._split_space(index)
        return (space if space is not None else bool(self.line.line.characters[index].space_before)) and index > 0

    def line_text(self) -> str:
        """The line as shown: what was read, with the person's corrections (a character left out of the text
        hands the space before it to the next one)."""
        if self.line is None:
            return ""
        out: list[str] = []
        space, line_break = False, False
        for i, character in enumerate(self.line.line.characters):
            space = space or self._shown_space(i)
            line_break = line_break or character.line_break_before
            char = self._shown_character(i)
            if char:
                out.append(("\n" if line_break and out else " " if space and out else "") + char)
                space, line_break = False, False
        return "".join(out)

    def _show_line(self) -> None:
        assert self.line is not None
        reading = self.line
        characters, alternatives, boxes = [], [], []
        frame = self.canvas.displayed_image_rect() if reading.opened else None
        # Boxes of strokes go round the ink, not the pen's centre line: half the widest pen, and a margin.
        pad = max((stroke.width for stroke in self.canvas.strokes), default=0.0) / 2 + BOX_MARGIN_PX
        for i, character in enumerate(reading.line.characters):
            shown = self._shown_character(i)
            characters.append((shown, self._shown_space(i)))
            alternatives.append([(s.label, s.prob) for s in character.top])
            x0, y0, x1, y1 = character.box
            if reading.from_strokes:
                box = QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(-pad, -pad, pad, pad)
            elif frame is not None and reading.line.size:  # the opened picture itself, shown fitted in the pad
                fx, fy = frame.width() / reading.line.size[0], frame.height() / reading.line.size[1]
                box = QRectF(frame.x() + x0 * fx, frame.y() + y0 * fy, (x1 - x0) * fx, (y1 - y0) * fy)
            else:  # the drawing rendered for reading: back to canvas pixels
                s = 1.0 / max(reading.scale, 1e-9)
                margin = BOX_MARGIN_PX  # round the ink, as a box of strokes is
                box = QRectF(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s).adjusted(-margin, -margin, margin, margin)
            boxes.append((box, shown or LEFT_OUT_MARK))
        picked = [self._correction(i).char is not None for i in range(len(characters))]
        joins_next = [self._joins_next(i) for i in range(len(characters) - 1)]
        joined = [reading.from_strokes and self._join_key(i) is not None for i in range(len(characters))]
        # Two letters that overlap, or written in one stroke, read as one: they can be split in two.
        keys = [set(self._character_key(i)) for i in range(len(characters))]
        splits = [set(key) for key in self._splits_by_key()]
        splittable = [self._splittable(i) and not joined[i] for i in range(len(characters))]
        shared = [sum(key == other for other in keys) > 1 for key in keys]  # letters cut from one stroke
        parted = [
            bool(key) and any(key < split or (key == split and shared[i]) for split in splits)
            for i, key in enumerate(keys)
        ]
        breaks = [c.line_break_before for c in reading.line.characters]
        # An opened picture with no writing in it: said where its line would be (the status bar's word of it
        # went in 3 s, and the panel went on saying "Write a word…": a robustness trial).
        nothing = "No writing found in the picture" if reading.opened and not characters else ""
        self.text_panel.set_line(
            characters,
            alternatives,
            nothing,
            picked=picked,
            joins_next=joins_next,
            read_alone=[c.read_alone for c in reading.line.characters],
            joined=joined,
            breaks=breaks,
            splittable=splittable,
            parted=parted,
            from_start=reading.opened or any(breaks),  # a picture's line, a note's (its first line first)
            by_place=[c.punctuation for c in reading.line.characters],
        )
        self.canvas.set_overlay(boxes)
        self.line_shown.emit()
        # Writing that reaches the pad's right side is a line that will not fit much more.
        self._pad_full = (
            bool(characters)
            and reading.from_strokes
            and (max(box.right() for box, _ in boxes) > self.canvas.width() * FULL_PAD)
        )
        if characters and not self.canvas.stroke_in_progress:  # said as shown, with the corrections made
            self._say_timer.start()  # (a screen reader heard nothing of a line)
        else:
            self._said = ""
        if self.voice.answering():  # a message the person asked for is still being read
            if reading.line.notes:  # ... then the line's note ("lift the pen…" was never shown after "Added…")
                self._notes_timer.start(self.voice.answer_left_ms())
            return
        self._notes_timer.stop()
        if characters:
            count = f"{len(characters)} character{'s' if len(characters) != 1 else ''}"
            if any(breaks):  # a picture of several lines
                count += f" in {sum(breaks) + 1} lines"
            full = self._pad_full
            notes = "".join(f" ({note})" for note in reading.line.notes)  # a huge photo averaged down
            self._news = f"Read {count} in {reading.line.latency_ms:.0f} ms{notes}" + (
                ". Pad nearly full: Ctrl+Enter adds the line to the text (Ctrl+Shift+Enter: to its last line)"
                if full
                else ""
            )
            self.voice.show_unspoken(self._news, NOTED_NEWS_MS if full or notes else 3000)
        else:
            self._news = "No writing found"
            self.voice.bar.showMessage(self._news, 3000)

    def _say(self) -> None:
        text = self.line_text() if self.active else ""
        # ... said again when the pad becomes nearly full, the text unchanged (a stroke reaching its edge).
        if text and (text != self._said or self._pad_full > self._said_full):
            # With the line's notes, which the status bar shows unspoken ("letters joined in one stroke…").
            notes = "".join(f" ({note})" for note in self.line.line.notes) if self.line is not None else ""
            # ... and the pad's being nearly full (shown, never heard: an accessibility audit's).
            full = ". Pad nearly full: Ctrl+Enter adds the line to the text" if self._pad_full else ""
            announce(self.text_panel, f"Read {text}{notes}{full}")
        self._said, self._said_full = text, self._pad_full and bool(text)

    def correct_character(self, index: int, char: str) -> None:
        self._correct(index, char=char)

    def set_word_case(self, index: int, case: str) -> None:
        """Put the letters of the word holding the line's character ``index`` in small letters, capitals or
        capitalized (a key of WORD_CASES): each letter whose case changes put right, in one Undo step."""
        if self.line is None or not 0 <= index < len(self.line.line.characters):
            return
        from_strokes = self.line.from_strokes
        span = self._word_of(index)
        shown = [self._shown_character(i) for i in span]
        cased = cased_characters(shown, case)
        wanted = "".join(cased)
        changed = {i: new for i, old, new in zip(span, shown, cased, strict=True) if new != old}
        if not changed:
            self.voice.say(f"The word is in {WORD_CASES.get(case, case)} already")
            return
        self._put_right({i: replace(self._correction(i), char=char) for i, char in changed.items()})
        undo = " (Undo takes it back)" if from_strokes else ""  # (a picture's corrections are no pad step)
        self.voice.say(f"The word reads “{wanted}” now{undo}", undoable=from_strokes)

    def _word_of(self, index: int) -> list[int]:
        """The positions of the word (as shown: the person's spaces too) that holds the line's character
        ``index``."""
        assert self.line is not None
        characters = self.line.line.characters
        starts = [self._shown_space(i) or c.line_break_before for i, c in enumerate(characters)]
        return list(next(span for span in word_spans(starts) if index in span))

    def retype_word(self, index: int, typed: str) -> None:
        """The word holding the line's character ``index`` read as ``typed``: in its first box, the others left
        out, in one Undo step (a joined-up "call mum" read "odinnunn" took a trial nine corrections). Several
        words typed (written with too small a gap): one in each of its first boxes, a space before each but
        the first (the last box takes what is left over)."""
        if self.line is None or not 0 <= index < len(self.line.line.characters):
            return
        span = self._word_of(index)
        words = typed.split()
        words = [*words[: len(span) - 1], "".join(words[len(span) - 1 :])] if len(words) > len(span) else words
        if " ".join(words) == "".join(self._shown_character(i) for i in span):
            self.voice.say(f"The word reads “{typed}” already")
            return
        corrected = {i: replace(self._correction(i), char="") for i in span}
        for k, word in enumerate(words):
            at = span[k]
            corrected[at] = replace(self._correction(at), char=word, **({"space_before": True} if k else {}))
        self._put_right(corrected)
        from_strokes = self.line.from_strokes
        undo = " (Undo takes it back)" if from_strokes else ""
        said = f"The word reads “{typed}” now{undo}" if typed else f"The word is left out of the text{undo}"
        self.voice.say(said, undoable=from_strokes)

    def set_space_before(self, index: int, space: bool) -> None:
        """Put a space before the line's character ``index`` (a word gap the splitting did not take for one),
        or take one away."""
        self._correct(index, space_before=space)

    def _correct(self, index: int, **change: Any) -> None:
        if self.line is None or not 0 <= index < len(self.line.line.characters):
            return
        self._put_right({index: replace(self._correction(index), **change)})

    def _put_right(self, corrected: dict[int, Correction]) -> None:
        """Keep the corrections of the line's characters (by position): on the pad's strokes in one Undo step
        (shown on notes_changed), a picture's characters by their boxes while the picture is on the pad."""
        on_strokes: dict[tuple[int, ...], Correction] = {}
        for index, note in corrected.items():
            key = self._character_key(index)
            if key:
                on_strokes[key] = note
            else:
                self._picture_corrections[self._box_key(index)] = note
        if on_strokes:
            assert self.line is not None
            self._shown_before_correction = {
                key: self._shown_character(i)
                for i in range(len(self.line.line.characters))
                if (key := self._character_key(i)) and key not in on_strokes
            }
            self.canvas.set_notes(on_strokes)
        if len(on_strokes) < len(corrected):
            self._show_line()

    def _joins_next(self, index: int) -> bool:
        """Whether the line's character ``index`` and the next can be read as one: written with strokes of
        their own (a stroke they share with a third letter would take it along)."""
        if self.line is None or not self.line.from_strokes or not 0 <= index < len(self.line.line.characters) - 1:
            return False
        characters = self.line.line.characters
        pair = {*characters[index].strokes, *characters[index + 1].strokes}
        return not any(pair & set(c.strokes) for k, c in enumerate(characters) if k not in (index, index + 1))

    def join_with_next(self, index: int) -> None:
        """Read the line's character ``index`` and the next as one character (the splitting made two of one:
        an H's stems apart, a k's arms); Undo splits them again."""
        if self.line is None or not self.line.from_strokes or not 0 <= index < len(self.line.line.characters) - 1:
            return
        characters = self.line.line.characters
        if not self._joins_next(index):  # (its menu does not offer it then; said if asked all the same)
            self.voice.say(
                "These two were written in one stroke with another letter and cannot be joined alone: type the "
                "right letters in one of them (Type another…) and leave the others out"
            )
            return
        strokes = sorted({*characters[index].strokes, *characters[index + 1].strokes})
        key = tuple(id(self.line_strokes[k]) for k in strokes if k < len(self.line_strokes))
        split = self.canvas.notes.get(key)
        if isinstance(split, Correction) and split.two_characters:
            # The two halves of a character the person split: read as at first again (a join there was
            # "joined", its menu offering Split again, which only gave back the reading split in two).
            self.canvas.set_note(key, replace(split, two_characters=False))
            self.voice.say("Joined again: read as one character, as at first", undoable=True)
            return
        # A join inside it (a letter joined from three pieces) is part of this one: Split again then splits
        # it whole, in one step (it took one click per join, the first with nothing to show for it).
        inner = [k for k in self._joins_by_key() if set(k) < set(key)]
        note = Correction(space_before=self._correction(index).space_before, one_character=True)
        self.canvas.set_note(key, note, dropping=inner)
        self.voice.say("Joined into one character. To part them: Undo, or Split again in its menu", undoable=True)

    def split_in_two(self, index: int) -> None:
        """Read the line's character ``index`` as two characters (the reader read two letters that overlap as
        one: "lc" as k), its strokes cut where the two read likeliest (one stroke: cut in two where its sides
        read likeliest); Undo, or joining the two, puts them together again."""
        if self.line is None or not self.line.from_strokes or not 0 <= index < len(self.line.line.characters):
            return
        key = self._character_key(index)
        if not self._splittable(index):
            return
        # A join or split inside it is this one's now (one Undo step, as a join round a join is).
        inner = [k for k in self._joins_by_key() + self._splits_by_key() if set(k) < set(key)]
        note = Correction(space_before=self._correction(index).space_before, two_characters=True)
        if self.canvas.notes.get(key) == note and not inner:
            return  # split already (said when it was)
        self.canvas.set_note(key, note, dropping=inner)
        self.voice.say("Split in two. To put them together again: Undo, or Join in either half's menu", undoable=True)

    def _splittable(self, index: int) -> bool:
        """Whether the line's character ``index`` (read from strokes) can be split in two: it has two strokes
        or more, or one stroke with places to cut (letters written without a lift that the reader left whole:
        "nu" read m, "ll" read h), that it shares with no other character."""
        if self.line is None or not self.line.from_strokes:
            return False
        characters = self.line.line.characters
        strokes = set(characters[index].strokes)
        # (A letter cut from a stroke another letter shares: splitting its strokes would take that letter's.)
        if not strokes or any(strokes & set(c.strokes) for k, c in enumerate(characters) if k != index):
            return False
        if len(strokes) > 1:
            return True
        # One stroke: only where it has places to cut (an L, a straight l or a dot has none: Split did nothing).
        (k,) = strokes
        drawn = self.line.strokes.strokes if self.line.strokes is not None else ()
        heights = [c.box[3] - c.box[1] for c in characters if c.strokes and not c.punctuation]
        if characters[index].punctuation or not heights or k >= len(drawn):
            return False
        return bool(cut_points(stroke_points(drawn[k]), float(np.median(heights)))[1])

    def split_again(self, index: int) -> None:
        """Let the splitting decide again where a character the person joined splits."""
        if self.line is None or not 0 <= index < len(self.line.line.characters):
            return
        key = self._join_key(index)
        note = self.canvas.notes.get(key) if key else None
        if key and isinstance(note, Correction):
            self.canvas.set_note(key, replace(note, one_character=False))
            self.voice.say("Split again: read as the writing splits", undoable=True)

    def characters_to_keep(self) -> tuple[list[tuple[str, list[Any]]], list[str]]:
        """The line's characters that can each be kept as an example of one's handwriting (File -> Keep Line
        as Examples): each as shown (read, or put right) with its strokes on the pad; and the others as
        shown: marks read by their place, and letters written in one stroke with another (no drawing of
        their own)."""
        if self.line is None or not self.line.from_strokes:
            return [], []
        from ml.runtime.handwriting_examples import example_label_problem

        characters = self.line.line.characters
        kept: list[tuple[str, list[Any]]] = []
        left: list[str] = []
        for index, character in enumerate(characters):
            shown = self._shown_character(index)
            shares = any(set(character.strokes) & set(other.strokes) for other in characters if other is not character)
            if not shown:  # left out of the text by the person
                continue
            if character.punctuation:
                left.append(f"{shown} (a mark)")
            elif len(shown) > 1:
                left.append(f"{shown} (more than one character)")
            elif example_label_problem(shown):
                left.append(f"{shown} (no letter or digit)")
            elif shares:
                left.append(f"{shown} (written in one stroke with another)")
            else:
                kept.append((shown, [self.line_strokes[k] for k in character.strokes if k < len(self.line_strokes)]))
        return kept, left

    def copy_text(self) -> None:
        """Ctrl+C in text mode: the line's text (or the text box's selection); with no line on the pad, the
        whole text box (after Ctrl+Enter the line is there, and Ctrl+C copied nothing, silently)."""
        box = self.text_panel.text_box
        if box.hasFocus() and box.textCursor().hasSelection():
            box.copy()
            return
        text = "" if box.hasFocus() else self.line_text()  # in the text box, Ctrl+C is about the box
        if text:
            QApplication.clipboard().setText(text)
            self.voice.say(f"Copied “{one_row(text)}”", 3)  # (a note of several lines: its breaks marked)
        elif box.toPlainText().strip():
            QApplication.clipboard().setText(box.toPlainText())
            lines = len(box.toPlainText().strip().splitlines())
            self.voice.say(f"Copied the text box ({lines} line{'s' if lines != 1 else ''})", 3)
        else:
            self.voice.say("Nothing to copy: write a line on the pad, or add lines to the text box", 3)

    def remove_last_character(self) -> None:
        """Backspace: take the line's last character (the rightmost, as a keyboard's Backspace would, not the
        one written last: an l squeezed into "helo" is not the end of "hello") off the pad (undoable)."""
        box = self.text_panel.text_box
        if box.hasFocus():
            box.textCursor().deletePreviousChar()
            return
        if self.line is None or not self.line.line.characters:
            if self.problem and self.canvas.drawn_strokes():  # (it did nothing, without a word: a trial)
                self.voice.say(
                    "Backspace takes a character of a line read; this writing is not read: Undo takes its last stroke"
                )
            return
        # Of a note's last line (the rightmost of any line was taken: a review).
        characters = self.line.line.characters
        last_line = characters[max(k for k, c in enumerate(characters) if k == 0 or c.line_break_before) :]
        if self.line.from_strokes:
            last = max(last_line, key=lambda c: c.box[0] + c.box[2])  # its middle rightmost
            # The line read without it is the answer now (an earlier answer, "Split in two: …", stayed over it).
            self.voice.done_answering()
            self.canvas.remove_drawn_strokes(set(last.strokes))
            # Letters cut from one stroke go with it (the pad takes away whole strokes).
            with_it = sum(1 for c in last_line if c is not last and c.strokes and set(c.strokes) <= set(last.strokes))
            if with_it:
                self.voice.say(
                    f"Took away the last letter and {with_it} more written in the same stroke (Undo puts them back)",
                    undoable=True,
                )
            return
        if self.line.opened:
            self.voice.say("Backspace takes away written strokes; this line is a picture (Clear removes it).")
            return
        # Read from its picture (writing over an opened picture, or rubbed out in character mode): the strokes
        # whose middle is in the rightmost box.
        rightmost = max(last_line, key=lambda c: c.box[2])
        s = 1.0 / max(self.line.scale, 1e-9)
        x0, y0, x1, y1 = (v * s for v in rightmost.box)
        pad = max((stroke.width for stroke in self.canvas.strokes), default=0.0) / 2 + BOX_MARGIN_PX
        doomed = set()
        for k, stroke in enumerate(self.canvas.drawn_strokes()):
            xs = [point[0] for point in stroke.points]
            ys = [point[1] for point in stroke.points]
            middle = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
            if x0 - pad <= middle[0] <= x1 + pad and y0 - pad <= middle[1] <= y1 + pad:
                doomed.add(k)
        if doomed:
            self.canvas.remove_drawn_strokes(doomed)
        else:
            self.voice.say("The last character has no strokes of its own to take away: use Undo or the eraser.")

    def _put_in_text(self, text: str, same_line: bool) -> str:
        """Add a line to the text box, remembered with what the pad shows now: Undo, bringing that back, takes
        the line out of the text (a photo's line stayed in it, and was written twice when added again).
        Returns where it went, as said to the person."""
        joined_by = self.text_panel.append_line(text, same_line)
        self._added_lines = [
            *self._added_lines[-(ADDED_LINES_KEPT - 1) :],
            AddedLine(text, tuple(self.canvas.strokes), self.canvas.opened_source, joined_by=joined_by),
        ]
        return "the text's last line" if joined_by == " " else "the text"

    def continue_last_line(self) -> None:
        """Ctrl+Shift+Enter: add the line to the end of the text's last line, after a space (a sentence
        written over several pad-fulls), not as a line of its own."""
        self.add_line_to_text(same_line=True)

    def add_line_to_text(self, same_line: bool = False) -> None:
        if self.pending:  # the line shown is of the pad before its last change (a stroke, an Undo)
            self.voice.say("The line is still being read: add it in a moment")
            return
        text = "" if self.canvas.is_blank() else self.line_text()
        if not text:  # Ctrl+Enter with nothing that reads: said, not ignored
            if self.canvas.is_blank():
                self.voice.say("Nothing to add yet: write a line first")
            elif self.problem and self.canvas.opened_source is not None and not self.canvas.drawn_strokes():
                # A picture has no strokes to undo (a trial's photo was told to Undo the last strokes).
                self.voice.say(f"Nothing to add: the picture was not read ({self.problem})")
            elif self.problem:
                self.voice.say("Nothing to add: the writing does not read as one line (Undo the last strokes)")
            else:
                self.voice.say("The line is still being read: add it in a moment")
            return
        where = self._put_in_text(text, same_line)
        self.canvas.clear()
        self._keep()
        self.canvas.setFocus()  # Ctrl+Z is the pad's Undo, not the text box's (the focused character is gone)
        self.voice.say(f"Added “{one_row(text)}” to {where} (Undo takes it back)", undoable=True)

    def _added_line_on_pad(self) -> AddedLine | None:
        """The line added to the text whose strokes the pad shows now, if any."""
        on_pad = self.canvas.strokes, self.canvas.opened_source
        return next((a for a in reversed(self._added_lines) if a.is_on(*on_pad)), None)

    def undo(self) -> None:
        """Undo on the pad; when that brings back a line added to the text (the last one, or an earlier one
        once Undo has gone back past the lines after it), the text forgets it (if it still ends with it), so
        adding it again writes it once. (Its corrections come back with its ink, as notes on the strokes.)"""
        self.voice.take_back_answer()  # what it said was done is undone (the new reading is said instead)
        self.canvas.undo()
        added = self._added_line_on_pad()
        if added is not None and not added.taken_back:
            box = self.text_panel.text_box
            text = box.toPlainText()
            if text == added.text or text.endswith(added.joined_by + added.text):
                box.setPlainText(text[: len(text) - len(added.text)].removesuffix(added.joined_by))
                added.taken_back = True  # (Redo puts it back)
                self.voice.say("The line is back on the pad and out of the text")
            elif added.text in text:  # written after in the text box: what the person wrote there is theirs
                self.voice.say("The line is back on the pad; the text, changed since it was added, still holds it")
            else:  # (the box's own Undo or an edit took it out: "still holds it" was said of a box without it)
                self.voice.say("The line is back on the pad (the text, changed since it was added, no longer holds it)")

    def redo(self) -> None:
        """Redo on the pad; when that clears again a line Undo took back, it goes back into the text."""
        added = self._added_line_on_pad()
        again = added is not None and added.taken_back
        self.voice.take_back_answer()  # (Undo's "The line is back on the pad" no longer holds)
        self.canvas.redo()
        if added is not None and again and not added.is_on(self.canvas.strokes, self.canvas.opened_source):
            # What joins it now (the text may have changed since: a space to go on from, or nothing).
            added.joined_by = self.text_panel.append_line(added.text, same_line=added.joined_by == " ")
            added.taken_back = False
            self.voice.say("The line is in the text again")  # Undo's "back on the pad" was still showing
