"""Which letter follows which in English words, and a written word's letters read with it.

A person reading handwriting reads "tbe" as "the": how words are spelled settles a letter its shape leaves
open. Text mode does the same with a first-order chain over a to z: how often each letter begins a word
and how often each follows each other letter, counted over distinct English words. The words are GlyphPad's
own prose (its README, guides, and the comments and docstrings of its code; ``glyphpad-ml letter-pairs
--write``), no outside text; a fifth of them, chosen by their spelling, are held out of the counts so that
reading them measures words the chain never saw (the ``words_val_english`` / ``words_test_english``
evaluation sources).

Writing is not always English: codes, names, "XQ7Z". Each word is read both ways, as English (letters by
the chain, digits as they are) and as characters that follow no rule, and the two readings are mixed by how
well each explains what the models saw, at even odds beforehand (Bayes' rule over the two): a word that reads
as English leans on its spelling, a code of letters keeps the models' reading. (Leaning on the chain alone,
at full strength, read validation writers' random letter strings far worse; mixed, they read about as
before, a little worse: the README's table has both.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml.runtime.cards import DEFAULT_WEIGHTS_DIR, weights_dir

LETTERS = "abcdefghijklmnopqrstuvwxyz"
LETTER_PAIRS_FILE = "letter_pairs.json"
ENGLISH_ODDS = 1.0  # a word's odds of being English before its characters are read
MAX_COUNT = 1e12  # far above any word count, far below a float's overflow


class LetterPairsError(ValueError):
    """A letter pairs file that cannot be read, or does not hold what it should."""


def language_dir(directory: Path | None = None) -> Path:
    """Where the letter pairs live: ``language`` in the weights folder."""
    return (directory or weights_dir()) / "language"


def letter_pairs_file(directory: Path | None = None) -> Path:
    """The letter pairs of the weights folder ``directory`` (default: the one in use), else the bundled
    ones: spelling is no model's, and a folder of one's own models reads words as the bundled ones do."""
    own = language_dir(directory) / LETTER_PAIRS_FILE
    return own if own.exists() else language_dir(DEFAULT_WEIGHTS_DIR) / LETTER_PAIRS_FILE


def letter_codes(labels: Sequence[str]) -> np.ndarray:
    """Each label's letter (0-25 for a to z, either case), -1 for a digit or anything else."""
    return np.array([LETTERS.find(label.lower()) if len(label) == 1 else -1 for label in labels])


@dataclass(eq=False)
class LetterPairs:
    """The chain: the chance of each letter first in a word, and after each letter (add-one smoothed: a
    pair never counted is rare, not impossible)."""

    first: np.ndarray  # 26, sums to 1
    following: np.ndarray  # 26 x 26, rows sum to 1
    held_out: tuple[str, ...] = ()
    _chains: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_counts(cls, first: np.ndarray, following: np.ndarray, held_out: tuple[str, ...] = ()) -> LetterPairs:
        """From counts of first letters (26) and of pairs (26 x 26, row the letter before)."""
        first = np.asarray(first, dtype=np.float64) + 1.0
        following = np.asarray(following, dtype=np.float64) + 1.0
        return cls(first / first.sum(), following / following.sum(1, keepdims=True), held_out)

    def chain(self, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Over ``labels``: the chance of each first in a word, and of each after each (row the one before).
        Letters share what the labels give letters (their number over all) as English spells them, a
        letter's cases alike; digits (and anything else) each get their even share, and after one of them
        a letter is as at a word's start. A label set without letters gets even chances throughout."""
        key = tuple(labels)
        if key not in self._chains:
            n = len(labels)
            code = letter_codes(labels)
            letter = code >= 0
            forms = np.bincount(code[letter], minlength=26)  # labels of each letter (both cases in 62 classes)

            def row(chances: np.ndarray) -> np.ndarray:
                out = np.full(n, 1.0 / n)
                if letter.any():
                    present = np.where(forms > 0, chances, 0.0)
                    present = present / present.sum()
                    out[letter] = letter.sum() / n * present[code[letter]] / forms[code[letter]]
                return out

            start = row(self.first)
            after = np.stack([row(self.following[code[k]]) if letter[k] else start for k in range(n)])
            self._chains[key] = (start, after)
        return self._chains[key]


def load_letter_pairs(path: Path | None = None) -> LetterPairs:
    """The letter pairs in use (:func:`letter_pairs_file`), or those at ``path``. LetterPairsError when
    missing or malformed."""
    path = path or letter_pairs_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        first = np.asarray(data["first"], dtype=np.float64)
        following = np.asarray(data["following"], dtype=np.float64)
        held = tuple(str(w) for w in data.get("held_out", []))
        if data.get("letters") != LETTERS:
            raise ValueError(f"letters {data.get('letters')!r}, not a-z")
    except FileNotFoundError as error:
        raise LetterPairsError(f"no letter pairs at {path}") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise LetterPairsError(f"{path.name} is not a letter pairs file: {error}") from error
    if first.shape != (26,) or following.shape != (26, 26):
        raise LetterPairsError(f"{path.name} is not a letter pairs file: counts of the wrong shape")
    # Counts past a float's range overflow their sums as NaN does: every letter would read alike (as 0s).
    counts = np.concatenate([first, following.ravel()])
    if not np.isfinite(counts).all() or (counts < 0).any() or counts.max(initial=0.0) > MAX_COUNT:
        raise LetterPairsError(f"{path.name} is not a letter pairs file: counts that are not numbers from 0 to 1e12")
    return LetterPairs.from_counts(first, following, held)


def _forward(chances: np.ndarray, start: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, float]:
    """Each character's reading from those before it (rows normalized), and the log of how likely the whole
    word's readings are under the chain (up to a factor both chains share)."""
    ahead = np.empty_like(chances)
    step = start * chances[0]
    log_likelihood = 0.0
    for i in range(len(chances)):
        if i:
            step = (ahead[i - 1] @ after) * chances[i]
        total = max(float(step.sum()), 1e-300)
        log_likelihood += math.log(total)
        ahead[i] = step / total
    return ahead, log_likelihood


def english_share(chances: np.ndarray, pairs: LetterPairs, labels: Sequence[str]) -> tuple[float, np.ndarray]:
    """One word's characters (rows: chances over ``labels``): how likely the word is English rather than
    characters at random, from how well each explains the rows, and each character's reading as English
    (the chain's forward and backward passes)."""
    start, after = pairs.chain(labels)
    ahead, english = _forward(chances, start, after)
    # Characters that follow no rule: each any label alike, whatever came before.
    anything = float(np.log(np.maximum(chances.mean(1), 1e-300)).sum())
    behind = np.ones_like(chances)
    for i in range(len(chances) - 2, -1, -1):
        back = after @ (chances[i + 1] * behind[i + 1])
        behind[i] = back / max(float(back.sum()), 1e-300)
    as_english = ahead * behind
    as_english /= np.maximum(as_english.sum(1, keepdims=True), 1e-300)
    log_odds = english - anything + math.log(ENGLISH_ODDS)
    return 1.0 / (1.0 + math.exp(-min(max(log_odds, -50.0), 50.0))), as_english


def read_as_english(
    probabilities: np.ndarray, labels: Sequence[str], space_before: Sequence[bool], pairs: LetterPairs
) -> np.ndarray:
    """Spelling: each word's rows (a space begins one) mixed with their reading as English, by the word's
    chance of being English (:func:`english_share`). A code of letters at random keeps its rows.

    In a word of letters (its rows more letter than digit, by their chances), spelling weighs its digits
    too: a character read as a digit may lean to the letter English spells there (a bar read 1 to l, a ring
    read 0 to o: "hel1o", a trial's printed hello), never the other way; a code, which reads as no English
    word, keeps the models' and the neighbours' say. In a number letters move among letters only, each row's
    digit chance kept ("55" drawn close to "SS" is a number). (Against letters among letters everywhere, as
    before, on validation writers' words, any-case CER: English words 5.67 -> 5.54%, printed words 5.16 ->
    4.92%; words from strokes 5.81% and their pictures 9.26% either way.) A word of one character is left as
    it is: the chain knows how words begin, not which letters stand alone ("I", "a"). A row that says
    nothing (all 0) is left as it is and read as saying nothing."""
    if len(space_before) != len(probabilities):
        raise ValueError(f"{len(space_before)} space marks for {len(probabilities)} characters")
    totals = probabilities.sum(1, keepdims=True)
    rows = np.where(totals > 0, probabilities / np.maximum(totals, 1e-300), 1.0 / len(labels))
    letter = letter_codes(labels) >= 0
    out = rows.copy()
    starts = [i for i in range(len(rows)) if i == 0 or space_before[i]]
    for begin, end in zip(starts, [*starts[1:], len(rows)], strict=True):
        if end - begin < 2:
            continue
        share, as_english = english_share(rows[begin:end], pairs, labels)
        mixed = share * as_english + (1.0 - share) * rows[begin:end]
        said = totals[begin:end, 0] > 0  # (a row that says nothing says nothing of letter or digit either)
        had = rows[begin:end, letter].sum(1, keepdims=True)
        now = mixed[:, letter].sum(1, keepdims=True)
        if said.any() and float(had[said].mean()) > 0.5:
            # A word of letters: a digit may lose its chance to a letter English spells there (its 0 and 1
            # as o and l), never gain it (the chain's digits, even chances after any letter, explained a rare
            # letter pair better than its letters: "IMPORT" read "1MPORT", a review's).
            letters = np.maximum(now, had)
            out[begin:end, letter] = mixed[:, letter] * (letters / np.maximum(now, 1e-300))
            out[begin:end, ~letter] = rows[begin:end, ~letter] * ((1.0 - letters) / np.maximum(1.0 - had, 1e-300))
            continue
        # A number (its characters read as digits more than letters): its letters share what they had, its
        # digits keep theirs ("55" drawn close to "SS" is a number).
        out[begin:end, letter] = mixed[:, letter] * (had / np.maximum(now, 1e-300))
    return np.where(totals > 0, out, probabilities)
