"""Practice: GlyphPad asks for a character, the person writes it, and the answer says whether it was read so.

A student learning to write clearly, or a class trying which of their letters a model reads, asked for
it (it could only be done by choosing a character in one's head). The characters asked are those the model
in use reads, both cases of a letter it reads as one class: written "g" is read right as the class "G/g".
A character counts once, when the next one is asked for: as its last reading went (a writer may try again
until it reads right, or move on). A teacher drilling b, d, p and q, or a student going over what was read
otherwise, asks for those alone (``only``).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ml.runtime.labels import CASES_ALIKE_ALONE, DIGITS, LOWER, UPPER, get_label_set

CHARACTERS = DIGITS + UPPER + LOWER


def readable_characters(label_set: str) -> str:
    """The characters a model of ``label_set`` can answer with (a letter of a merged class in both cases); none
    for a label set GlyphPad does not know."""
    try:
        labels = get_label_set(label_set)
    except (KeyError, ValueError):
        return ""
    return "".join(char for char in CHARACTERS if labels.class_of(char) is not None)


def reads_as_asked(asked: str, answer: str, label_set: str) -> bool:
    """Whether ``answer`` (a label of ``label_set``: "G" stands for G and g where the set merges them) is the
    class ``asked`` is read as, or its other case where the two look alike (:func:`cases_alike_apart`)."""
    try:
        labels = get_label_set(label_set)
    except (KeyError, ValueError):
        return False
    index = labels.class_of(asked)
    if index is not None and labels.classes[index] == answer:
        return True
    return cases_alike_apart(asked, label_set) and answer == asked.swapcase()


def cases_alike_apart(char: str, label_set: str) -> bool:
    """Whether ``char`` is a letter whose two cases are one shape drawn alone (o, O; ``CASES_ALIKE_ALONE``)
    that a model of ``label_set`` reads as two classes: drawn alone, with nothing to size it by, either is
    right (a teacher's trial: a good small o marked wrong, read as O by the 62 classes)."""
    try:
        labels = get_label_set(label_set)
    except (KeyError, ValueError):
        return False
    upper, lower = labels.class_of(char.upper()), labels.class_of(char.lower())
    return char.upper() in CASES_ALIKE_ALONE and None not in (upper, lower) and upper != lower


def answer_judged(asked_from: str, top: Sequence[tuple[str, float]]) -> str:
    """The answer a try is judged by: where the characters asked from are all letters (or all digits), the
    likeliest of ``top``'s of that kind, else the likeliest. A child in a drill of b, d, p and q writes a
    letter: a q read "9" first and "q" second was marked wrong (a teacher's trial: 6 of 8 good q's), as text
    mode reads a character among letters by its neighbours."""
    if not top:
        return ""
    kinds = [kind for kind in (str.isalpha, str.isdigit) if asked_from and all(kind(c) for c in asked_from)]
    if not kinds:
        return top[0][0]
    return next((label for label, _ in top if kinds[0](label)), top[0][0])


RANGES = (DIGITS, UPPER, LOWER)


def with_ranges(typed: str) -> str:
    """``typed`` with each range written out: "0-9" is 0123456789, "a-e" abcde, "e-a" too, "A-z" the letters
    in both cases (a teacher typed 0-9 and was asked for 0 and 9 alone, "-" said unread); a dash that joins
    no range stays one."""
    out, i = "", 0
    while i < len(typed):
        first, dash, last = typed[i], typed[i + 1 : i + 2], typed[i + 2 : i + 3]
        run = _range(first, last) if dash == "-" and last else ""
        out += run or first
        i += 3 if run else 1
    return out


def _range(first: str, last: str) -> str:
    """The characters from ``first`` to ``last`` (either way round) of one kind, or both cases of the letters
    between two letters of different cases; "" for none."""
    for kind in RANGES:
        if first in kind and last in kind:
            start, end = sorted((kind.index(first), kind.index(last)))
            return kind[start : end + 1]
    if first.upper() in UPPER and last.upper() in UPPER:  # (A-z: different cases, the same letters)
        return _range(first.upper(), last.upper()) + _range(first.lower(), last.lower())
    return ""


def named_briefly(characters: str, most: int = 6) -> str:
    """ "b, d, #", or the first few and how many more (26 letters named made the line three lines tall)."""
    if len(characters) <= most:
        return ", ".join(characters)
    return f"{', '.join(characters[: most - 1])} and {len(characters) - most + 1} more"


def chosen_characters(typed: str, readable: str) -> tuple[str, str]:
    """The characters of ``typed`` among ``readable``, each once in the order typed, and the others typed (an é,
    a # or a digit for a letters model); spaces and commas between them are neither, and "a-z" or "0-9" stands
    for the range (:func:`with_ranges`)."""
    chosen, unread = "", ""
    for char in with_ranges(typed):
        if char in " ,;" or char in chosen or char in unread:
            continue
        if char in readable:
            chosen += char
        else:
            unread += char
    return chosen, unread


@dataclass(frozen=True)
class CharacterScore:
    """How one character asked went, over a practice: a teacher keeping a record of a class asked for more
    than "7 of 9 read right" (which characters, what they were read as)."""

    char: str
    asked: int  # times counted
    right: int  # of them, read right at the last try
    tries: int  # tries written for it in all (Try Again makes one more)
    read_otherwise: tuple[str, ...]  # what its tries read otherwise ended as, each once, in order
    read_by: tuple[str, ...] = ()  # the models that read it (the model may change during a practice)

    def row(self) -> list[str]:
        return [self.char, str(self.asked), str(self.right), str(self.tries), ", ".join(self.read_otherwise)]


SCORE_COLUMNS = ("character", "asked", "read right", "tries", "read otherwise as")
# A record's columns: the table's, then who wrote, which model read and when (a teacher's record of a class
# had none of them: files of several pupils, put together in a spreadsheet, did not say whose each row was).
RECORD_COLUMNS = (*SCORE_COLUMNS, "read by", "date", "written by")


@dataclass(frozen=True)
class CountedCharacter:
    """A character asked, counted when the next was asked (or practice ended): as its last reading went."""

    asked: str
    right: bool
    tries: int
    misread_as: tuple[str, ...]  # what its tries read otherwise ended as, as shown ("T / t"), in order
    read_by: str = ""  # the model whose reading counted


def score_text(right: int, counted: int) -> str:
    """ "3 of 4 read right"."""
    return f"{right} of {counted} read right"


def scores_csv(scores: Sequence[CharacterScore], delimiter: str = ",", day: str = "", written_by: str = "") -> str:
    """The scores as a CSV file's text, under a header row (``delimiter`` ";" for a spreadsheet set to a
    language that writes 0,97: with commas, it put each row in one cell; a tab: what a spreadsheet pastes
    as a table), each row with the models that read it, ``day`` and ``written_by`` (RECORD_COLUMNS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    rows = [[*score.row(), ", ".join(score.read_by), day, spreadsheet_safe(written_by)] for score in scores]
    writer.writerows([list(RECORD_COLUMNS), *rows])
    return buffer.getvalue()


def spreadsheet_safe(text: str) -> str:
    """``text`` typed by the person as a spreadsheet shows it, not as a formula (as ``read --csv`` keeps a
    file name): one starting with what starts a formula, after a quote mark."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@dataclass
class Practice:
    """The character asked for, the verdict on its last reading, and the score so far."""

    characters: str  # those the model in use reads
    rng: random.Random = field(default_factory=random.Random)
    only: str = ""  # the characters chosen to be asked, as typed ("": any it reads)
    asked: str = ""
    read_right: bool | None = None  # the last reading of what is asked: None before any
    right: int = 0
    counted: int = 0
    missed: list[str] = field(default_factory=list)  # the characters read otherwise at a try, in the order asked
    read_as: str = ""  # the last reading of what is asked, as shown ("T / t")
    tries: int = 0  # tries written at the character asked
    misread_as: list[str] = field(default_factory=list)  # what its tries before this one read otherwise ended as
    counted_characters: list[CountedCharacter] = field(default_factory=list)  # in the order asked
    read_by: str = ""  # the model whose reading of what is asked is the last

    def judge(self, right: bool, read_as: str, new_try: bool, model: str = "") -> None:
        """The character asked was read as ``read_as`` (shown as the window shows it) by ``model``, ``right``
        or not; ``new_try``: written afresh on a pad cleared since the last reading (Try Again, Clear), not a
        stroke added to it, nor a drawing brought back by Undo. A try read otherwise that another replaces is
        kept."""
        if new_try and self.read_right is False and self.read_as:
            self.misread_as.append(self.read_as)
        self.tries += int(new_try or not self.tries)
        self.read_right, self.read_as, self.read_by = right, read_as, model

    def finish(self) -> str:
        """Counts the character asked (where it was written at all): the score."""
        if self.asked and self.read_right is not None:
            self.counted += 1
            self.right += int(self.read_right)
            last = [self.read_as] if not self.read_right and self.read_as else []
            misread = tuple([*self.misread_as, *last])
            self.counted_characters.append(
                CountedCharacter(self.asked, self.read_right, max(1, self.tries), misread, self.read_by)
            )
        self._note_miss()
        self.read_right, self.read_as, self.tries, self.misread_as = None, "", 0, []
        return self.score()

    def try_again(self) -> None:
        """The character asked, to be written again: a try read otherwise is remembered (to work on). Its
        verdict stands until the next reading replaces it (cleared, a miss then skipped went uncounted)."""
        self._note_miss()

    def _note_miss(self) -> None:
        if self.asked and self.read_right is False and self.asked not in self.missed:
            self.missed.append(self.asked)

    def summary(self) -> str:
        """The score and the characters read otherwise at some try: "7 of 9 read right; to work on: b, d"."""
        work_on = f"to work on: {', '.join(self.missed)}" if self.missed else ""
        return "; ".join(part for part in (self.score(), work_on) if part)

    def scores(self) -> list[CharacterScore]:
        """Each character counted, in the order first asked: how often asked, read right, tried, and read as."""
        scores = []
        for char in dict.fromkeys(each.asked for each in self.counted_characters):
            went = [each for each in self.counted_characters if each.asked == char]
            otherwise = tuple(dict.fromkeys(read_as for each in went for read_as in each.misread_as))
            right, tries = sum(each.right for each in went), sum(each.tries for each in went)
            read_by = tuple(dict.fromkeys(each.read_by for each in went if each.read_by))
            scores.append(CharacterScore(char, len(went), right, tries, otherwise, read_by))
        return scores

    def chosen(self) -> tuple[str, str]:
        """The characters chosen that the model in use reads, and those it does not (:func:`chosen_characters`):
        worked out from what was typed for each model (a model read none of a choice, the next read it all)."""
        return chosen_characters(self.only, self.characters)

    def pool(self) -> str:
        """The characters asked from: those chosen that the model in use reads, or (none) all it reads."""
        return self.chosen()[0] or self.characters

    def misses_to_ask(self) -> str:
        """The characters read otherwise so far that the model in use reads (a miss under a letters model is no
        character to ask of a digits model: Work on Misses stayed offered once pressed)."""
        return "".join(char for char in self.missed if char in self.characters)

    def skip(self) -> str:
        """Another character asked, the one asked not counted (no longer among those chosen)."""
        self.read_right = None
        return self.ask_next()

    def ask_next(self) -> str:
        """Counts the character asked and asks for another (never the same twice running, where there is
        another)."""
        self.finish()
        pool = self.pool()
        others = [char for char in pool if char != self.asked] or list(pool)
        self.asked = self.rng.choice(others) if others else ""
        return self.asked

    def score(self) -> str:
        """ "3 of 4 read right", or "" before any."""
        return score_text(self.right, self.counted) if self.counted else ""
