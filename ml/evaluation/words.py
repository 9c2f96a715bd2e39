"""Words written by writers no model trained on, and how well GlyphPad reads them.

The word set is composed from UNIPEN writers of the validation (or test) part of the writer split:
each word is one writer's own characters, at the writer's own sizes (their capitals, x-height letters
and digits as tall as they wrote them), set on a common baseline (g, j, p, q, y hanging below it by
their own descent), left to right with gaps drawn from what printed writing shows (a tenth to a half of
the writer's capital height, now and then touching), with a little baseline and size jitter. Texts
are 3 to 10 characters: lower-case, capitalized and upper-case letter strings, letters with digits,
and digit strings, drawn at random (no dictionary: reading must not lean on one). English words, the
ones held out of text mode's letter pairs (:mod:`ml.runtime.letter_pairs`), are composed the same way for
the ``words_*_english`` sources: they say what spelling adds where the random texts say what it costs.

Scores: character error rate (edit distance over the true length), with and without case, word
accuracy, and the share of characters split into exactly one box (the strokes of each true character
all in one box that holds nothing else). A space read inside a word is an error, as a wrong letter is:
it is one more thing the person puts right (a classroom trial found "ca t"; spaces were left out of the
score until then, and the validation words' CER read 8.15% where counting them gave 8.80%).

The same words can be read as pictures (a photo or scan of the written line: the strokes drawn with a
pen ``PICTURE_PEN_PX`` wide, the line ``PICTURE_LINE_PX`` tall), which the reader splits by their ink
alone and reads without the strokes; a character is then in one box when its centre is in exactly one
box, that box holds no other character's centre, and no other box is centred on its ink.
"""

from __future__ import annotations

import string
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ml.runtime.line_reader import LineReader
from ml.runtime.segmentation import NotOneLineError
from ml.training.data.unipen import PenCharacters

X_HEIGHT_LETTERS = "acemnorsuvwxz"
DESCENDING = "gjpqy"
WORD_SEED = 20261201
PICTURE_LINE_PX = 80  # a written line photographed at about this height
PICTURE_PEN_PX = 4.0


@dataclass(frozen=True)
class ComposedWord:
    text: str
    strokes: tuple[np.ndarray, ...]  # (x, y) points, y down, in the writer's tablet units
    character_of_stroke: tuple[int, ...]  # which character of ``text`` each stroke belongs to
    writer: str


def _random_text(rng: np.random.Generator, available: set[str]) -> str:
    length = int(rng.integers(3, 11))
    lower = [c for c in string.ascii_lowercase if c in available]
    upper = [c for c in string.ascii_uppercase if c in available]
    digits = [c for c in string.digits if c in available]
    kind = rng.choice(["lower", "capitalized", "upper", "mixed", "digits"], p=[0.3, 0.2, 0.15, 0.25, 0.1])
    if kind == "digits" and len(digits) >= 3:
        return "".join(rng.choice(digits, length))
    if kind == "mixed" and digits and (upper or lower):
        letters = upper if (rng.random() < 0.5 and upper) or not lower else lower
        split = int(rng.integers(1, length))
        first, second = (letters, digits) if rng.random() < 0.6 else (digits, letters)
        return "".join(rng.choice(first, split)) + "".join(rng.choice(second, length - split))
    if kind == "upper" and len(upper) >= 3:
        return "".join(rng.choice(upper, length))
    if lower:
        text = "".join(rng.choice(lower, length))
        if kind == "capitalized" and upper:
            text = str(rng.choice(upper)) + text[1:]
        return text
    return "".join(rng.choice(sorted(available), length))


ENGLISH_CASES = {"lower": 0.6, "capitalized": 0.25, "upper": 0.15}


def _english_text(rng: np.random.Generator, writable: dict[str, list[str]]) -> str:
    """One of the words a writer can write (``writable``: :func:`_writable`): its case drawn by
    ``ENGLISH_CASES`` among those the writer has words in, then a word (a writer of capitals alone writes
    CAPITALS; drawing (word, case) pairs blindly and falling back to a random text fed a twelfth of the test
    writers' words random texts)."""
    cases = [case for case, words in writable.items() if words]
    weights = np.array([ENGLISH_CASES[case] for case in cases])
    case = str(rng.choice(cases, p=weights / weights.sum()))
    return _in_case(str(rng.choice(writable[case])), case)


def _writable(available: set[str], vocabulary: Sequence[str]) -> dict[str, list[str]]:
    """By case (``ENGLISH_CASES``), the words of ``vocabulary`` whose letters in that case are all in
    ``available``."""
    return {case: [w for w in vocabulary if set(_in_case(w, case)) <= available] for case in ENGLISH_CASES}


def _in_case(word: str, case: str) -> str:
    return word if case == "lower" else word.capitalize() if case == "capitalized" else word.upper()


def english_vocabulary(words: Sequence[str]) -> list[str]:
    """The words of 3 to 10 letters among ``words`` (the letter pairs' held-out words), as composed words are."""
    return sorted({w for w in words if 3 <= len(w) <= 10 and w.isalpha()})


def _height(strokes: list[np.ndarray]) -> float:
    points = np.concatenate(strokes)
    return float(points[:, 1].max() - points[:, 1].min())


def compose_words(
    pen: PenCharacters,
    indices: np.ndarray,
    count: int,
    seed: int = WORD_SEED,
    vocabulary: Sequence[str] | None = None,
) -> list[ComposedWord]:
    """``count`` words from the writers of the characters at ``indices`` (round robin over writers): random
    texts, or words of ``vocabulary`` (:func:`english_vocabulary`) where given."""
    rng = np.random.default_rng(seed)
    by_writer: dict[str, dict[str, list[int]]] = {}
    for i in indices.tolist():
        by_writer.setdefault(str(pen.writers[i]), {}).setdefault(str(pen.labels[i]), []).append(i)
    writers = sorted(w for w, chars in by_writer.items() if len(chars) >= 10)
    writable: dict[str, dict[str, list[str]]] = {}
    if vocabulary:  # English words by those who wrote the letters of some (not a writer of digits alone)
        writable = {w: _writable(set(by_writer[w]), vocabulary) for w in writers}
        writers = [w for w in writers if any(writable[w].values())]
        if not writers:
            raise ValueError("no writer there wrote the letters of any word of the vocabulary")
    words = []
    for n in range(count):
        writer = writers[n % len(writers)]
        chars = by_writer[writer]
        text = _english_text(rng, writable[writer]) if vocabulary else _random_text(rng, set(chars))
        heights = {c: float(np.median([_height(pen.strokes(i)) for i in chars[c][:5]])) for c in set(text)}
        capitals = [
            float(np.median([_height(pen.strokes(i)) for i in chars[c][:3]]))
            for c in chars
            if c.isupper() or c.isdigit()
        ]
        cap = float(np.median(capitals)) if capitals else max(heights.values())
        smalls = [
            float(np.median([_height(pen.strokes(i)) for i in chars[c][:3]])) for c in chars if c in X_HEIGHT_LETTERS
        ]
        x_height = float(np.median(smalls)) if smalls else 0.6 * cap
        x = 0.0
        strokes: list[np.ndarray] = []
        owner: list[int] = []
        for position, char in enumerate(text):
            sample = pen.strokes(int(rng.choice(chars[char])))
            points = np.concatenate(sample)
            lo, hi = points.min(0), points.max(0)
            size = rng.uniform(0.93, 1.07)
            baseline = rng.normal(0.0, 0.03 * cap)
            # The top of a descending letter sits at x-height above the baseline; others stand on it.
            top = baseline - x_height if char in DESCENDING else baseline - (hi[1] - lo[1]) * size
            for stroke in sample:
                placed = (stroke - lo) * size + np.array([x, top])
                strokes.append(placed)
                owner.append(position)
            gap = rng.uniform(0.1, 0.5) * cap if rng.random() > 0.05 else rng.uniform(-0.05, 0.0) * cap
            x += (hi[0] - lo[0]) * size + gap
        words.append(ComposedWord(text, tuple(strokes), tuple(owner), writer))
    return words


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def word_picture(
    word: ComposedWord, line_px: float = PICTURE_LINE_PX, pen_px: float = PICTURE_PEN_PX
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The word as a picture of its written line (uint8, dark ink on white; the line ``line_px`` tall,
    written with a pen ``pen_px`` wide) and its strokes in the picture's pixels."""
    from ml.runtime.render import PenStroke, render_strokes

    points = np.concatenate(word.strokes)
    low, high = points.min(0), points.max(0)
    scale = line_px / max(float(high[1] - low[1]), 1e-6)
    margin = line_px / 4
    strokes = [(s - low) * scale + margin for s in word.strokes]
    width, height = (int(v) for v in np.ceil((high - low) * scale + 2 * margin))
    return render_strokes([PenStroke.from_xy(s, pen_px) for s in strokes], width, height), strokes


def character_boxes(strokes: list[np.ndarray], owner: np.ndarray, count: int) -> np.ndarray:
    """Each character's ink box (x0, y0, x1, y1; ``owner``: the character of each stroke)."""
    points = [np.concatenate([strokes[k] for k in np.flatnonzero(owner == i)]) for i in range(count)]
    return np.array([[*p.min(0), *p.max(0)] for p in points])


def _inside(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """points x boxes: whether each point lies in each box."""
    x, y = points[:, :1], points[:, 1:2]
    return (boxes[None, :, 0] <= x) & (x <= boxes[None, :, 2]) & (boxes[None, :, 1] <= y) & (y <= boxes[None, :, 3])


def _one_box_by_centres(read_boxes: list[tuple[float, ...]], character_boxes: np.ndarray) -> int:
    """Characters found as exactly one box: their centre in exactly one read box, which holds no other
    character's centre, and no other read box centred on their ink (a character cut in two)."""
    if not read_boxes:
        return 0
    read = np.array(read_boxes, dtype=np.float64)
    centres = (character_boxes[:, :2] + character_boxes[:, 2:]) / 2
    holds = _inside(centres, read)  # characters x read boxes
    centred = _inside((read[:, :2] + read[:, 2:]) / 2, character_boxes).T  # characters x read boxes
    alone = holds[:, holds.argmax(1)].sum(0) == 1  # the box holding each character's centre holds no other
    return int(np.count_nonzero((holds.sum(1) == 1) & alone & (centred.sum(1) <= 1)))


EXAMPLES_KEPT = 12  # wrong reads kept to show, the first ones
# A rate over a few hundred words by a few dozen writers moves by points with which words and writers were
# drawn (the same reader, the 400 validation words from strokes: CER 8.11%; 1600 other words by the same
# writers: 10.41%): each rate is said with the range that resampling its writers gives (a writer's words rise
# and fall together: resampling words alone says too narrow a range; more words by the same 27 writers
# narrow it only so far).
RESAMPLES = 1000
RESAMPLE_SEED = 0
INTERVAL = 0.95


def resampled_interval(
    counts: np.ndarray, totals: np.ndarray, groups: np.ndarray | None = None
) -> tuple[float, float] | None:
    """The middle ``INTERVAL`` of sum(counts) / sum(totals) over the lines resampled with replacement, a
    group's lines (one writer's) together where ``groups`` names them, ``RESAMPLES`` times, seeded (the
    same lines give the same range): how far the rate could move with other lines like these. None with
    fewer than two groups (lines): one says nothing of how others would read.

    It is one rate's range. Two settings read on the same words differ by chance far less than that (the
    same hard words and writers count against both): their difference is not judged by it, but by the range
    of the per-line differences (:func:`paired_differences`)."""
    if groups is not None and len(groups):
        _, group_of = np.unique(groups, return_inverse=True)
        counts, totals = np.bincount(group_of, weights=counts), np.bincount(group_of, weights=totals)
    if len(counts) < 2:
        return None
    rng = np.random.default_rng(RESAMPLE_SEED)
    drawn = rng.integers(0, len(counts), size=(RESAMPLES, len(counts)))
    rates = counts[drawn].sum(1) / np.maximum(totals[drawn].sum(1), 1)
    tail = 100 * (1 - INTERVAL) / 2
    low, high = np.percentile(rates, [tail, 100 - tail])
    return float(low), float(high)


@dataclass
class ReadingScores:
    """Lines read against what was written, as they come: character error rate (edit distance over the
    true length), with and without case, lines read exactly, reading time, and the first wrong reads."""

    errors: list[int] = field(default_factory=list)
    errors_any_case: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    right: list[bool] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def add(self, read: str, written: str, latency_ms: float, where: str = "", writer: str = "") -> int:
        """One line read; returns its edit distance. ``where`` is said beside a wrong read (a font);
        ``writer``, whose line it is (lines of no one's: each its own)."""
        error = edit_distance(read, written)
        self.errors.append(error)
        self.errors_any_case.append(edit_distance(read.lower(), written.lower()))
        self.lengths.append(len(written))
        self.right.append(read == written)
        self.writers.append(writer or f"line {len(self.writers)}")
        self.latencies.append(latency_ms)
        if read != written and len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(f"{written} -> {read}" + (f" ({where})" if where else ""))
        return error

    @property
    def characters(self) -> int:
        return sum(self.lengths)

    def rate_counts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each rate's counts and totals, line by line: the rate is sum(counts) / sum(totals)."""
        lengths = np.array(self.lengths, dtype=np.float64)
        return {
            "cer": (np.array(self.errors, dtype=np.float64), lengths),
            "cer_case_insensitive": (np.array(self.errors_any_case, dtype=np.float64), lengths),
            "word_accuracy": (np.array(self.right, dtype=np.float64), np.ones(len(self.right))),
        }

    def as_dict(self) -> dict[str, Any]:
        """The rates, each with its ``*_interval`` (:func:`resampled_interval`, by writer; None with one)."""
        counts, writers = self.rate_counts(), np.array(self.writers)
        return {
            "words": len(self.right),
            "characters": self.characters,
            **{name: count.sum() / max(total.sum(), 1) for name, (count, total) in counts.items()},
            **{f"{name}_interval": resampled_interval(*counted, writers) for name, counted in counts.items()},
            "latency_ms_p50": float(np.percentile(self.latencies, 50)) if self.latencies else 0.0,
            "examples": self.examples,
        }


@dataclass(frozen=True)
class WordReadings:
    """Composed words as a reader read them: the lines' scores, and how many of each word's characters came
    out as exactly one box."""

    scores: ReadingScores
    one_box: list[int]

    def rate_counts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """:meth:`ReadingScores.rate_counts`, with the characters in one box against all."""
        counts = self.scores.rate_counts()
        lengths = counts["cer"][1]
        return {**counts, "one_box_per_character": (np.array(self.one_box, dtype=np.float64), lengths)}

    def as_dict(self) -> dict[str, Any]:
        """:meth:`ReadingScores.as_dict`, with the writers and the share of characters in one box."""
        return {
            **self.scores.as_dict(),
            "writers": len(set(self.scores.writers)),
            "one_box_per_character": sum(self.one_box) / max(self.scores.characters, 1),
        }


def score_words(
    reader: LineReader, words: list[ComposedWord], progress: bool = False, pictures: bool = False
) -> dict[str, Any]:
    """Character error rates, word accuracy, splitting, and reading time over ``words``, read from their
    strokes or (``pictures``) from pictures of them."""
    return read_words(reader, words, progress, pictures).as_dict()


# The rates two readers of the same words are compared on (:func:`paired_differences`), with their titles.
PAIRED_RATES = {
    "cer": "CER",
    "cer_case_insensitive": "CER, any case",
    "word_accuracy": "words right",
    "one_box_per_character": "one box each",
}


def paired_differences(first: WordReadings, second: WordReadings) -> dict[str, dict[str, Any]]:
    """Each of ``PAIRED_RATES`` as ``first`` and ``second`` read the same words, their difference (second
    less first), and the middle ``INTERVAL`` of that difference over the words' writers resampled (the same
    writers drawn for both: :func:`resampled_interval` of the per-word differences). A difference whose
    range leaves out 0 is more than the drawing of the words would make. ValueError for readings of
    different words."""
    a, b = first.scores, second.scores
    if a.lengths != b.lengths or a.writers != b.writers or len(first.one_box) != len(second.one_box):
        raise ValueError("the two readings are not of the same words")
    counts, counts_after, writers = first.rate_counts(), second.rate_counts(), np.array(a.writers)
    out = {}
    for rate in PAIRED_RATES:
        (before, totals), (after, _) = counts[rate], counts_after[rate]
        total = max(float(totals.sum()), 1.0)
        out[rate] = {
            "first": float(before.sum() / total),
            "second": float(after.sum() / total),
            "difference": float((after - before).sum() / total),
            "interval": resampled_interval(after - before, totals, writers),
        }
    return out


def read_words(
    reader: LineReader, words: list[ComposedWord], progress: bool = False, pictures: bool = False
) -> WordReadings:
    """``words`` read from their strokes or (``pictures``) from pictures of them, each scored."""
    from tqdm import tqdm

    scores = ReadingScores()
    one_box: list[int] = []
    # A bar on a terminal only (a log got hundreds of its redrawn lines).
    for word in tqdm(words, desc="words", unit="word", disable=None if progress else True, mininterval=1):
        owner = np.array(word.character_of_stroke)
        picture, placed = word_picture(word) if pictures else (None, [])
        started = time.perf_counter()
        try:
            line = reader.read_image(picture) if picture is not None else reader.read_strokes(word.strokes)
        except NotOneLineError:  # a word the reader takes for more than one line: read as nothing
            scores.add("", word.text, 1000 * (time.perf_counter() - started), writer=word.writer)
            one_box.append(0)
            continue
        if pictures:
            boxes = character_boxes(placed, owner, len(word.text))
            one_box.append(_one_box_by_centres([c.box for c in line.characters], boxes))
        else:
            groups = {tuple(sorted(c.strokes)) for c in line.characters}
            one_box.append(
                sum(tuple(np.flatnonzero(owner == position).tolist()) in groups for position in range(len(word.text)))
            )
        scores.add(line.text, word.text, line.latency_ms, writer=word.writer)
    return WordReadings(scores, one_box)
