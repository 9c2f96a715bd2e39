"""Reading a written line as text: split it into characters, recognize each, then let the line decide
what a lone character cannot.

Each character goes through the one recognition path: its picture (rendered from its strokes as the
canvas renders, or cut from the opened image) through the image model, and its strokes, when there are
strokes, through the stroke model, fused (:mod:`ml.runtime.fusion`). Then context, in three rules:

1. **Letters or digits.** Characters of a line tend to stay letters or stay digits: a two-state chain
   with a ``STAY`` chance of keeping the neighbour's kind says, from the rest of the line, how likely
   each character is a letter or a digit (forward and backward passes), and its answers are weighed by
   that. A confident 7 among letters stays a 7; a ring among letters is an O, among digits a 0. A
   space starts a new word, whose kind owes nothing to the last ("HI 42").

   Then **spelling** (:mod:`ml.runtime.letter_pairs`, unless the reader has no letter pairs): a word that
   reads as English has its letters weighed by which letter follows which in English words ("tbe" reads
   "the"); a code of letters, reading as no English word, keeps them. It moves letters among letters
   only: what rule 1 said of letter or digit stands.
2. **Letter case and size.** The 36-class models tell letters apart, not their case. The line's
   baseline and its heights (capitals, digits and b d f h k l t stand tall; a c e m n o r s u v w x z
   small are short; g j p q y small hang below the baseline) say how well each written form fits each
   character: a c as tall as the line's capitals is a C, an x-height loop an e rather than an l, a 9
   hanging below the line a g. Sizes vary, so a fit is never surer than ``FIT_LIMIT``. A 62-class
   model, when bundled, adds its opinion of each letter's case (handwritten small and capital letters
   differ in shape, even c/C or o/O a little), and a dotted i or j is small.
3. **One case per word.** Printed words are written in small letters, Capitalized or in CAPITALS; a word
   whose case changes from letter to letter is rare. Each character's forms are weighed by the case
   that the patterns its neighbours make likely give them: one short c among capitals stays a capital.
   (With a label set that keeps both cases of a letter, its labels take part as they are.) Each
   character keeps its alternatives, both cases included.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ml.runtime import joined_letters
from ml.runtime.cards import CASE_MODEL, PICTURE_PARTNER, WeightsError, default_model_name, list_bundled
from ml.runtime.devices import DeviceError
from ml.runtime.fusion import FusedRecognizer, fuse_probabilities, fusion_or_reason
from ml.runtime.image_io import ImageLoadError, LoadedImage, load_image
from ml.runtime.joined_letters import (
    candidate_pieces,
    cut_points,
    is_run_on,
    likeliest_pieces,
    likeliest_two,
    links,
)
from ml.runtime.labels import TOP_K, reads_letters, tells_case
from ml.runtime.letter_pairs import LetterPairs, LetterPairsError, load_letter_pairs, read_as_english
from ml.runtime.levelling import (
    LEVEL_BELOW_DEGREES,
    LEVELLINGS,
    PICTURE_UPRIGHT_FROM_SLANT,
    UPRIGHT_FROM_SLANT,
    LevelledInk,
    box_moved,
    levelled,
    levelled_strokes,
    line_slant,
    line_slope,
    strokes_slant,
    strokes_slope,
    upright,
    upright_strokes,
)
from ml.runtime.piece_verifier import (
    PieceVerifier,
    load_piece_verifier,
    piece_geometry,
    size_geometry,
    strokes_geometry,
)
from ml.runtime.preprocess import (
    FLAT_MARK_NOTE,
    FLAT_MARK_RATIO,
    BlankImageError,
    ImageLike,
    as_pixels,
    even_ink,
    file_data_as_bytes,
    is_flat_mark,
    preprocess,
    unclipped_ink,
    without_grain,
    without_lines_written_on,
    without_page_lines,
)
from ml.runtime.recognizer import (
    COMPANION_THREADS,
    INTERACTIVE_THREADS,
    ClassScore,
    Recognizer,
    checked_top_k,
    load_recognizer,
)
from ml.runtime.render import render_drawing
from ml.runtime.segmentation import (
    CUT_WIDE,
    FAINT_INK,
    MAX_CHARACTERS,
    MAX_PAGE_PIECES,
    SIDEWAYS,
    CharacterPart,
    NotOneLineError,
    RowsOfWritingError,
    SidewaysWritingError,
    TooMuchWritingError,
    apart_characters,
    clearly_apart,
    close_pairs,
    close_pieces,
    crossing_bars,
    cut_columns,
    ink_components,
    is_hairline,
    is_plus,
    is_straight_stroke,
    joined_parts,
    line_height,
    lone_sign,
    mask_pen_width,
    merge_parts,
    part_cuts,
    piece_boxes,
    piece_ink,
    sign_in_ink,
    split_ink,
    split_strokes,
    starts_on_ink,
    straight_lean,
    straight_piece_ends,
    stroke_cuts,
    stroke_ink,
    strokes_box,
    with_faint_links,
    writing_rows,
)
from ml.runtime.strokes import (
    STROKE_FEATURES,
    STROKE_POINTS,
    BlankStrokesError,
    Strokes,
    StrokesError,
    normalize_strokes,
    stroke_points,
)

log = logging.getLogger(__name__)

# Chance that a character keeps its left neighbour's kind (letter or digit) within a word; otherwise its
# kind is drawn afresh from the prior. Letters and digits mostly come in runs ("A4", "abc123"), but codes
# alternate ("B7K2", "R2D2", "K1A 0B1"). Validation CER from strokes, the 400 validation words / 300
# alternating codes by the same writers (a scratch sweep over the reader's cached answers): 0.8 10.25% /
# 23.02%; 0.85 10.06% / 23.69%; 0.9 10.06% / 24.97%; 0.95 9.94% / 26.25%. Above 0.8 a K1A among the
# bench's glyphs reads KIA: 0.8 does not stake everything on runs.
STAY = 0.8
DESCENDERS = "GJPQY"  # letters whose small form reaches below the baseline: g j p q y
MAY_HANG = 0.25  # a character read at least this likely a g j p q y does not set the line's baseline
ASCENDERS = "BDFHKLT"  # letters whose small form is as tall as a capital: b d f h k l t
TWO_HEIGHTS = 1.3  # a line whose characters come in two heights this far apart has small letters and capitals
# Small letters with neither ascender nor tail whose shape is unlike their capital's: one read small by its
# shape (a case model's chance at least SURE_SMALL) stands at the x-height.
SHORT_UNLIKE_CAPITAL = "aemnr"
SURE_SMALL = 0.9
SHAPE_TELLS_CASE = "abdeghmnqrt"  # small letters unlike their capitals in print
# An opened picture's written part is read in at most this many pixels (brought down to it), and at most
# MAX_READ_SIDE wide or tall: a budget of pixels, not of its longer side, which made a long line's letters
# small (lines of 8 validation words, 80 px tall: CER 26.5% read 800 px wide, 16.9% as they are; a scratch).
MAX_READ_PIXELS = 800 * 800
MAX_READ_SIDE = 3200
MAX_INK_PIXELS = 160_000  # more ink than this (at that size, a quarter of it) is not writing, and slow to split
# Each character of a line is rendered this many pixels square (as if drawn small on a small pad): the
# same answers within noise and faster (600 UNIPEN validation characters: 89.2% at 80 px against 88.3%
# at the pad's 128 px; validation words at 56 px against 80: CER 11.66% / 11.73%, test words 12.52% /
# 12.37%, reading time a tenth lower).
READ_SIDE = 56
HALF_INK = 128  # a rendered drawing's pixel darker than this is ink (dark on white, 0-255)
PREPARED_CACHE = 512  # characters whose picture and strokes (and each model's answer to them) a reader remembers
MERGE_ODDS = 3.0  # two close neighbours become one character when that reads this many times likelier
# The stroke model's odds in that choice count as much as the picture's: with the default image model
# retrained on a GPU (surer of half a character: an x's two arcs read as c and s), at half a say the
# strokes no longer held such pieces together (validation words, CER 9.07% -> 8.88% at 1.0; with the
# model before it 8.84% at both).
STROKES_SAY = 1.0
# ... and how much likelier one character is when the second piece starts on the first's ink: an m whose
# humps are drawn with the pen lifted between them reads as an n and a 7 otherwise (4 costs the validation
# words 0.15 points of characters in one box, 97.75 -> 97.60%: touching neighbours there start on ink too).
START_BONUS = 4.0
# ... and how wide the one character would be against the line's usual character width (the median of its
# parts' bodies): each doubling past ONE_WIDE usual widths halves the odds of one (WIDTH_SAY 1), each
# halving below doubles them. On the validation words' close pairs this keeps 53 true merges of 67, not
# 51, and makes 4 false ones, not 8 (test words: 58 and 7, not 55 and 9; measured with a scratch script
# over the pairs' recorded odds). Never more than WIDTH_CAP either way, below MERGE_ODDS and CUT_ODDS:
# the width tips a reading's odds, it does not decide alone (2 costs the validation words two characters
# in one box against no cap, 98.29 -> 98.21%); with the piece verifier, see STROKE_CUT_ODDS.
ONE_WIDE = 1.3
WIDTH_PARTS = 4  # a line of fewer parts has no usual width: an m drawn in two pieces alone is its own measure
WIDTH_SAY = 1.0
WIDTH_CAP = 2.0
USUAL_WIDTH_FLOOR = 0.3  # line heights: a line of stems (1 l I) is not its own measure of width
LEVEL_FROM_CHARACTERS = 3  # fewer characters say too little of a line's slope to read it levelled
SPLIT_ODDS = 1.0  # a wide piece of a picture's ink is cut where its two sides read likelier than it
# With the piece verifier (ml.runtime.piece_verifier), a piece of a picture's ink this many usual character
# widths wide is offered cuts too (two narrow letters that touch: "lk", "pi"); the verifier's log chances of
# the two sides being whole characters, less the whole's, times VERIFIER_SAY, are added to the
# recognizers' odds, and a cut is kept above VERIFIED_CUT_LOG_ODDS. Chosen on the validation words'
# pictures (say 0.5-2, threshold -3 to 0, width 0.9-1.4 tried): characters in one box 94.82 -> 95.70%, CER
# any case 11.24 -> 10.25%; 0.9-1.0 usual widths read alike at twice the time. With the verifier retrained on
# three times the words (validation accuracy 85.6 -> 89.3%): say 0.5-1.5 and threshold -2 to 0 read the
# validation pictures at 12.08-12.38% CER, these the best (runs/notes/verifier_sweep.py, a scratch).
VERIFIED_CUT_WIDE = 1.2
VERIFIER_SAY = 1.0
VERIFIED_CUT_LOG_ODDS = -1.0
# A note for a line whose letters look joined by the pen (:func:`joined_by_the_pen`).
JOINED_LETTERS_NOTE = "letters joined in one stroke are hard to read: lift the pen between letters"
JOINED_WIDE = 1.4  # line heights: a stroke this wide, in a character read unsure, may be letters joined
# ... read less sure than this: the default model retrained on a GPU is surer of joined letters (validation
# words with every other pair of small letters joined: 40 of 154 noted at 0.8, 45 at 0.9; the model before
# it, 46 at 0.8); as written, 2 of 400 at both
JOINED_UNSURE = 0.9
JOINED_FAR_WIDE = 2.5  # ... and one this wide (and JOINED_TALL of a line height tall: not a dash) whatever read
JOINED_TALL = 0.5
JOINED_USUAL_WIDTH = 0.5  # line heights: a line's usual character width when all of it is letters joined
JOINED_CUT_UNSURE = 0.5  # a letter cut from a stroke read less sure than this: the line is noted (LLLL read VVVL)
DOT_OVER = 0.05  # line heights: a mark whose bottom is at most this far below a stroke's top is a dot over it
CUT_ODDS = 3.0  # strokes the rules joined are read as two characters when that reads this many times likelier
# The piece verifier (ml.runtime.piece_verifier) weighs in on strokes too: its log chances of two neighbours (or a
# cut's two sides) being whole characters, less the one character's, times STROKE_VERIFIER_SAY, are added to the
# recognizers' odds of two, where a merge needs STROKE_MERGE_ODDS and a cut STROKE_CUT_ODDS (then the width prior may
# tip a cut that reads no likelier than the whole: a wide part's bar is below 1). The recognizers read half a K as a
# confident 1 and an "nl" as an n with a tail; the verifier, taught whole characters from pieces, knows better. The
# bars from the decisions of the validation words 400-1600 (their odds recorded by a scratch script,
# runs/notes/decisions.py: of 1071, the recognizers alone made 64 wrong, with the verifier at a quarter of a say,
# merging at about 5 and cutting at about 1, 42; sizes then without a pen's ink); the say read end to end on those
# words, paired with writers resampled (runs/notes/paired_boxes.py): against no verifier, characters in one box 97.86
# -> 98.52% (+0.33 to +1.03), CER 9.97 -> 9.65% (-0.66 to +0.00); say 0.5 98.41%, 9.72%; 1.0 98.35%, 9.69%. Then once
# on the test writers' 1600 words: 97.94 -> 98.45%, CER 9.50 -> 9.27% (-0.49 to -0.01). That verifier had learnt from
# pictures' pieces alone; retrained on the same words' stroke candidates too (ml.training.piece_verifier), read
# against it on the validation words 400-1600: at a quarter of a say CER 9.65 -> 9.43% (-0.46 to +0.03), one box
# 98.52 -> 98.53%; at half a say 9.35% (-0.56 to -0.04), 98.57%; at a whole say 9.34%, 98.47%. Then once on the test
# writers' words (half a say): CER 9.27 -> 9.10% (-0.38 to -0.01), one box 98.45 -> 98.56% (+0.01 to +0.24). The two
# bars, read again with it on the validation words: merging at 3 CER -0.11 (-0.28 to +0.04) but one box -0.09, at 8
# CER +0.16; cutting at 0.5 CER -0.03, one box +0.03, at 2 CER +0.10, one box -0.11: none clearly better, kept.
STROKE_VERIFIER_SAY = 0.5
STROKE_MERGE_ODDS = 5.0
STROKE_CUT_ODDS = 1.0
# How often a printed word is written each way (rule 3): a prior, not fitted to the validation words.
CASE_PATTERNS = {"small": 0.5, "capitalized": 0.2, "capitals": 0.25, "mixed": 0.05}
# A line of one height (no digits): how well its characters fit a short form (x-height letters). Even: size
# says nothing there. 0.4 leaned to the tall forms: lower-case words of one-height letters by validation
# writers (sun, cow, zoo, was, cross..., a scratch script) read exactly 25 of 111 -> 40 at 0.5; the same
# words in capitals 65 of 91 -> 58; printed_words CER 9.49 -> 9.03%; the validation words from strokes
# 8.80 -> 8.84%, as pictures 12.42 -> 12.34%.
ONE_HEIGHT_SHORT = 0.5
# No character's size alone is surer than this of its form: one writer's letters vary in size, and the
# line's two heights are estimated from a few of them. On the validation words 0.15 to 0.4 read alike
# (CER 11.6% to 12.6%); a capital clearly taller than the small letters after it must still outweigh
# the prior for small words (a written "Sun" read as "sun" at 0.3), hence 0.2.
FIT_LIMIT = 0.2
# A case model's vote, or a dot over an i or j, is never surer than this (0.01 to 0.2 tried on the
# validation words, CER 11.6% to 12.8%; with every letter asked, 0.02, 0.05, 0.1, 0.2: CER 8.30, 8.23,
# 8.84, 10.70%).
VOTE_LIMIT = 0.05
# How alike (:func:`likeness`) another character of its word, read as one put right, must be drawn to follow it.
# Validation words from strokes (scratch runs/notes/twins.py), a character misread and another read alike in its
# word: at 0.8, 78 of 98 that are the same letter follow and 2 of 55 that are not; at 0.7, 82 and 3; at 0.9, 74
# and 0.
TWIN_LIKENESS = 0.8
# Between two digits, a character shaped as a plus sign (segmentation.is_plus) is a "+", whatever the models
# read (a t mostly: "3t14"): plus_signs_by_digits. Among letters that shape is a t. Its shape is looked
# at only where the parts beside it are MAY_BE_DIGIT likely digits or more, as the models read them alone.
MAY_BE_DIGIT = 0.05
# And the line read with it a "+" between two digits must be PLUS_ODDS times as likely, by its kinds
# (kinds_log_likelihood), as read with it the models' character, a t: two g's of a word read 9 more than g
# ("gcmzorgtg", a test word as a picture, read "9CMZOR9+9"; a validation word from strokes, "Pltzaqhqvw",
# read "P1+2aqhqvw": odds 1.01 and 1.43). Crosses drawn between two digits of 400 validation words (scratch
# runs/signs/signs.py 400 val +), read as "+" at odds 1, 1.5, 2, 3: 73, 72, 70, 68 of 79 from strokes and
# 72, 70, 67, 64 as pictures.
PLUS_ODDS = 1.5
# A cross first in its word is a "+" before PLUS_LEADS_DIGITS or more digits, all of its word: a phone
# number's ("+44 7700"). Before one digit it stays the models' (a t: "t4" is as likely a code, and UNIPEN's
# writers cross their t's as near the middle as a plus sign's: 516 t's so shaped, their bars crossing at 0.47
# of the stem and 0.49 of the bar, medians; scratch runs/signs/tcross.py).
PLUS_LEADS_DIGITS = 2
# A character read as a 1 between two digits is a "/" (a date's, a fraction's) where it is one straight stroke
# (or piece of ink) leaning right at least DIGITS_SLASH_LEAN degrees from upright as it rises, and at least
# DIGITS_SLASH_BEYOND_SLANT more than the rest of the line leans (a writer's slanted 1 among slanted digits
# stays a 1): a slash of a date written nearer upright than a slash alone must lean (SLASH_LEAN). Slashes
# drawn between two digits of 177 validation words at 20-25, 25-30 and 30-35 degrees: read as "/" 13, 17 and
# 20 times of 23, 23 and 21 from strokes (11, 18 and 19 as pictures; none before); at 15-20 degrees 1 of 29.
# 1,600 validation and 1,600 test words that hold no slash: no "/" more from strokes; as pictures 3 more in
# validation (1s with a hook, 27-28 degrees, among digits leaning 11-13), none in test.
DIGITS_SLASH_LEAN = 20.0
DIGITS_SLASH_BEYOND_SLANT = 12.0
SHORT, TALL, HANGING = 0, 1, 2  # the shapes a written form can have on the line (columns of form_fit)
PATTERNS = tuple(CASE_PATTERNS)


@dataclass(frozen=True)
class ReadCharacter:
    """One character of a line read (:class:`ReadLine`): where it is, what it reads as, what it is made of.
    ``text`` is its answer (the first of ``top``)."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the input's units (y down)
    top: tuple[ClassScore, ...]  # alternatives, most probable first, in their case
    strokes: tuple[int, ...] = ()  # which strokes (or ink pieces) it is made of
    space_before: bool = False
    marks: tuple[int, ...] = ()  # its small marks (an i's dot), among ``strokes``
    # A mark (. : - , ' ! ? / + = ÷) read by its place on the line, not a model's answer (a "/" or "+" read
    # between digits after the models keeps their readings after its own).
    punctuation: bool = False
    line_break_before: bool = False  # it starts a line of a picture of several lines (the text has a new line)
    # What its own answers read first where its neighbours made it the other kind (a letter among digits
    # read as a digit: "S" of "Z5S2" read 5): a reading worth a look, however sure the line made it.
    read_alone: str = ""

    @property
    def text(self) -> str:
        return self.top[0].label if self.top else "?"


@dataclass(frozen=True)
class ReadLine:
    """A written line read as text (:meth:`LineReader.read_image`, :meth:`LineReader.read_strokes`): its
    characters left to right, ``text`` the line (a space where a character has ``space_before``), how
    long it took, a picture's size (its characters' boxes are in its pixels) and notes on how it was opened
    or written."""

    characters: tuple[ReadCharacter, ...]
    latency_ms: float = 0.0
    size: tuple[int, int] | None = None  # a picture's width and height (the boxes' frame); None for strokes
    # How a picture was opened ("averaged down 4x from 12000x9000 pixels"), or how a line was written
    # ("letters joined in one stroke …").
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(
            ("\n" if c.line_break_before else " " if c.space_before else "") + c.text for c in self.characters
        )


def character_records(line: ReadLine, y_up: bool = False) -> list[dict[str, Any]]:
    """A line's characters as JSON gives them (``glyphpad-ml read --json``, the app's batch export): each
    one's box, alternatives, whether a space comes before it or it is punctuation, and what it read first on
    its own where its neighbours made it the other kind (a letter or a digit). ``y_up``: the
    boxes go back to a stroke file's own upward y, [x0, bottom, x1, top]."""

    def box(b: tuple[float, float, float, float]) -> list[float]:
        x0, y0, x1, y1 = (b[0], -b[3], b[2], -b[1]) if y_up else b
        # Six figures: stroke files come in any units. (+ 0.0: a -0.0 turned from 0 is written 0.0.)
        return [float(f"{v:.6g}") + 0.0 for v in (x0, y0, x1, y1)]

    return [
        {
            "box": box(c.box),
            "top": [{"label": s.label, "prob": round(s.prob, 5)} for s in c.top],
            **({"space_before": True} if c.space_before else {}),
            **({"punctuation": True} if c.punctuation else {}),  # read by its place, not by a model
            **({"line_break_before": True} if c.line_break_before else {}),  # a picture of several lines
            **({"read_alone": c.read_alone} if c.read_alone else {}),  # made the other kind by its neighbours
        }
        for c in line.characters
    ]


def least_sure(characters: Sequence[dict[str, Any]]) -> float:
    """The probability of a line's least sure character, from its :func:`character_records` (1 when every
    character is read by its place: punctuation is no model's answer to be unsure of)."""
    return min((float(c["top"][0]["prob"]) for c in characters if c["top"] and not c.get("punctuation")), default=1.0)


def _kind(label: str) -> int:
    return 1 if label.isdigit() else 0


def kind_prior(labels: Sequence[str]) -> np.ndarray:
    """How often a written character is a letter or a digit, as the answers expect it: a card's prior
    counts each written character the same, and 52 of the 62 are letters. (Every bundled label set holds
    letters, digits or both, and nothing else.) A label set of one kind gives that kind everything."""
    kinds = {_kind(label) for label in labels}
    if kinds == {0}:
        return np.array([1.0, 0.0])
    if kinds == {1}:
        return np.array([0.0, 1.0])
    return np.array([52.0, 10.0]) / 62.0


def letters_or_digits(
    probabilities: np.ndarray, labels: Sequence[str], space_before: Sequence[bool] | None = None
) -> np.ndarray:
    """Rule 1: each row reweighed by what the rest of the line says of its kind (letter or digit).

    A two-state chain (letters 0, digits 1) that starts from :func:`kind_prior` and, from one character to
    the next within a word, keeps its kind with chance ``STAY`` or else draws it afresh from the prior;
    after a space (``space_before``) a word starts afresh ("HI 42"). A character's answers already hold
    the prior of its kind (more letters than digits), so what each says of its kind is its chance of that
    kind over the prior (Bayes: the likelihood), else every character of a line of digits would pay the
    letters' odds again. The forward and backward passes give each character's kind from everything the
    line says, and that chance is shared among its labels of the kind as its model shares them: a
    confident 7 among letters stays a 7, a ring among letters is an O and among digits a 0, and a lone
    character is left as it is.
    """
    n = len(probabilities)
    kinds, prior, of_kind, emission = _kind_evidence(probabilities, labels)
    move = _kind_moves(prior, space_before, n)
    before = np.tile(prior, (n, 1))  # the kind of character i from characters 0..i-1
    after = np.ones((n, 2))  # how well characters i+1.. fit each kind of character i
    forward = prior.copy()
    for i in range(n):
        if i:
            forward = forward @ move[i]
            before[i] = forward / forward.sum()
        forward = before[i] * emission[i]
        forward /= forward.sum()
    for i in range(n - 2, -1, -1):
        backward = move[i + 1] @ (emission[i + 1] * after[i + 1])
        after[i] = backward / backward.sum()
    # Each character's kind from everything (its own evidence and the line's), shared among its labels of
    # that kind as its model shares them (the same as its answers weighed by the context over the prior).
    kind_chance = before * emission * after
    kind_chance /= np.maximum(kind_chance.sum(1, keepdims=True), 1e-300)
    out = probabilities * (kind_chance / np.maximum(of_kind, 1e-12))[:, kinds]
    out /= np.maximum(out.sum(1, keepdims=True), 1e-12)
    return out


def _kind_evidence(
    probabilities: np.ndarray, labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each label's kind (letter 0, digit 1), the kinds' prior, each row's chance of each kind, and what
    each row says of its kind: that chance over the prior (rule 1's likelihood, :func:`letters_or_digits`)."""
    kinds = np.array([_kind(label) for label in labels])
    prior = kind_prior(labels)
    known = prior > 0
    of_kind = np.stack([probabilities[:, kinds == k].sum(1) for k in (0, 1)], axis=1)
    emission = np.where(known, np.maximum(of_kind, 1e-9) / np.where(known, prior, 1.0), 0.0)
    emission[of_kind.sum(1) <= 0] = known  # a row that says nothing says nothing of its kind either
    return kinds, prior, of_kind, emission


def _kind_moves(prior: np.ndarray, space_before: Sequence[bool] | None, n: int) -> list[np.ndarray]:
    """Rule 1's chain of kinds: into each of ``n`` characters, the chance of its kind from the one before."""
    spaces = list(space_before) if space_before is not None else [False] * n
    if len(spaces) != n:
        raise ValueError(f"{len(spaces)} space marks for {n} characters")
    # Within a word the kind is kept with chance STAY, else drawn afresh from the prior: the prior is then
    # every position's, not only the first's (a symmetric chain drifted to even odds along the line, so a
    # line and its mirror image read differently). A word after a space starts afresh.
    new_word = np.tile(prior, (2, 1))
    within_word = STAY * np.eye(2) + (1 - STAY) * new_word
    return [new_word if spaces[i] else within_word for i in range(n)]


def kinds_log_likelihood(
    probabilities: np.ndarray,
    labels: Sequence[str],
    space_before: Sequence[bool] | None = None,
    kinds: Mapping[int, int] | None = None,
) -> float:
    """How well rule 1's chain of kinds (:func:`letters_or_digits`) explains a line's answers, as the log of
    their likelihood, with the characters at ``kinds``' indices taken to be of its kind (0 a letter, 1 a
    digit): two readings of a line (a t, or a plus sign between digits) weighed against each other."""
    n = len(probabilities)
    _, prior, _, emission = _kind_evidence(probabilities, labels)
    for i, kind in (kinds or {}).items():
        emission[i, 1 - kind] = 0.0
    move = _kind_moves(prior, space_before, n)
    forward, total = prior.copy(), 0.0
    for i in range(n):
        if i:
            forward = forward @ move[i]
        forward = forward * emission[i]
        likely = float(forward.sum())
        if likely <= 0:
            return -math.inf
        total += math.log(likely)
        forward /= likely
    return total


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(x, -50.0), 50.0)))


@dataclass(frozen=True)
class LineMetrics:
    baseline: float  # where characters without a descender end (y down)
    tall: float  # height above the baseline of the line's tallest characters (capitals, digits, b d f ...)
    small_height: float  # a character at most this high above the baseline is small; 0 = the line has one height
    digits_height: bool = False  # one height, and digits among it: the line stands at capital height


def _two_heights(above: np.ndarray) -> float:
    """The height between the line's two heights (small letters, capitals and digits), or 0 if its
    characters are all about as tall: the best split of the sorted log heights into two groups, kept
    when the groups differ by at least ``TWO_HEIGHTS`` times."""
    logs = np.sort(np.log(np.maximum(above, 1e-6)))
    best, split = np.inf, 0
    for k in range(1, len(logs)):
        low, high = logs[:k], logs[k:]
        spread = float(((low - low.mean()) ** 2).sum() + ((high - high.mean()) ** 2).sum())
        if spread < best:
            best, split = spread, k
    if split == 0 or math.exp(logs[split:].mean() - logs[:split].mean()) < TWO_HEIGHTS:
        return 0.0
    return math.exp((logs[split - 1] + logs[split]) / 2)


def line_metrics(
    boxes: np.ndarray, best: Sequence[str], shape_case: Sequence[int] = (), may_hang: Sequence[bool] = ()
) -> LineMetrics:
    """Where the line stands: its baseline (median bottom of the characters not read as g j p q y, nor
    ``may_hang``: read so by a close second), how tall its characters stand above it, and whether they come
    in two heights (only with two letters). ``shape_case``: per character, 1 a small a e m n r by its shape,
    -1 a letter that is a capital by its shape, 0 neither or unsure (:func:`case_by_shape`)."""
    standing = (
        [i for i, label in enumerate(best) if label not in DESCENDERS and not (i < len(may_hang) and may_hang[i])]
        or [i for i, label in enumerate(best) if label not in DESCENDERS]
        or list(range(len(boxes)))
    )
    baseline = float(np.median(boxes[standing, 3]))
    above = np.maximum(baseline - boxes[:, 1], 1e-6)
    tall = float(max(np.percentile(above, 90), 1e-6))
    # Digits have one height: a line of digits with a letter or none in it (a 0 written small among
    # them, read as an O) is of one height however its digits vary.
    letters = sum(1 for label in best if label.isalpha())
    small_height = _two_heights(above[standing]) if len(standing) >= 2 and letters >= 2 else 0.0
    # Hanging as a small g j p q y does, by a third of its height above the line or more (a capital J or a
    # Q's tail, in some fonts, by less).
    hanging = [i for i, label in enumerate(best) if label in DESCENDERS and boxes[i, 3] - baseline > 0.3 * above[i]]
    if small_height == 0 and hanging and letters >= 2 and not any(b.isdigit() for b in best):
        # One height, and a g j p q y hanging below it: small, its top is the x-height, and the letters
        # standing as tall as it are small too ("open" read "Open": nothing said which height it was).
        x_top = float(np.median(above[hanging]))
        if x_top <= 1.1 * float(np.median(above[standing])):
            small_height = x_top * math.sqrt(TWO_HEIGHTS)
    anchors = [i for i in standing if i < len(shape_case) and shape_case[i] == 1]
    capitals = sum(1 for case in shape_case if case == -1)
    if small_height == 0 and letters >= 2 and len(anchors) > capitals:
        # One height, and a small a e m n r in it by its shape: its top is the x-height, and what stands as
        # high is small too ("was" read "Was", "can" "Can": type's two heights, 1.25 to 1.3 apart with a round
        # letter's overshoot, fell under TWO_HEIGHTS, and nothing said which height the line was). Not where
        # as many are capitals by their shape: a handwritten "MATCHING" with one N called small read "HAtcHInG";
        # nor where a digit stands no taller than the small letters (digits have one height: "10am" written
        # all as high is the digits' height, and its 0 a zero, not a small o).
        x_height = float(np.median(above[anchors])) * math.sqrt(TWO_HEIGHTS)
        digits = [i for i, label in enumerate(best) if label.isdigit()]
        if all(above[i] > x_height for i in digits):
            small_height = x_height
    return LineMetrics(baseline, tall, small_height, small_height == 0 and any(b.isdigit() for b in best))


def case_by_shape(best: Sequence[str], small_chances: Sequence[float | None], own_case: bool = False) -> list[int]:
    """Per character: 1 a small a e m n r by its shape (read so by a model that tells the cases apart, or
    read as a merged A E M N R that a case model, ``small_chances``: its chance of the small letter, None
    where not asked, calls small with at least ``SURE_SMALL``), -1 any letter the case model calls a
    capital as surely (``own_case``, a model that tells the cases apart: a capital it reads whose small
    letter's shape differs, A B D E G H M N Q R T), 0 neither or unsure."""

    def case(label: str, chance: float | None) -> int:
        if label in SHORT_UNLIKE_CAPITAL:
            return 1
        if own_case and label.isupper() and label.lower() in SHAPE_TELLS_CASE:
            return -1
        if chance is None:
            return 0
        if chance <= 1 - SURE_SMALL:  # any letter a capital by its shape (an L with its foot, a T)
            return -1
        return 1 if label.lower() in SHORT_UNLIKE_CAPITAL and chance >= SURE_SMALL else 0

    return [case(label, chance) for label, chance in zip(best, small_chances, strict=True)]


def form_fit(box: np.ndarray, line: LineMetrics) -> np.ndarray:
    """How well a character's size and place on the line fit each form: short (a c e m n o r s u v w x z
    in small), tall (capitals, digits, small b d f h k l t) and hanging (small g j p q y)."""
    below = (box[3] - line.baseline) / line.tall
    hang = min(max(_sigmoid((below - 0.15) / 0.05), FIT_LIMIT), 1 - FIT_LIMIT)
    if line.small_height > 0:
        above = max(line.baseline - box[1], 1e-6)
        short = min(max(_sigmoid(math.log(line.small_height / above) / 0.08), FIT_LIMIT), 1 - FIT_LIMIT)
    else:
        short = FIT_LIMIT if line.digits_height else ONE_HEIGHT_SHORT
    return np.array([short * (1 - hang), (1 - short) * (1 - hang), short * hang])


@dataclass(frozen=True)
class _Forms:
    """Every written form of a label set: a merged letter's two cases, and each other label as it is."""

    labels: tuple[str, ...]  # the form as text: "a" or "A"
    source: np.ndarray  # the label set's index each form comes from
    shape: np.ndarray  # SHORT, TALL or HANGING
    small: np.ndarray  # 1 small letter, 0 capital, -1 no case (digits, labels with case of their own)
    bar: tuple[int, int] | None  # the forms small l and capital I, when the label set merges both cases


@functools.lru_cache(maxsize=8)
def _forms(labels: tuple[str, ...]) -> _Forms:
    text, source, shape, small = [], [], [], []
    for k, label in enumerate(labels):
        if label.isalpha() and label.isupper() and label.lower() not in labels:
            low = HANGING if label in DESCENDERS else TALL if label in ASCENDERS else SHORT
            text += [label.lower(), label]
            source += [k, k]
            shape += [low, TALL]
            small += [1, 0]
        else:  # a digit, or a letter the label set keeps in each case (a 62-class model's)
            form = (HANGING if label in "gjpqy" else TALL if label in "bdfhklt" else SHORT) if label.islower() else TALL
            text.append(label)
            source.append(k)
            shape.append(form)
            small.append((1 if label.islower() else 0) if label.isalpha() else -1)
    source_array, shape_array, small_array = (np.array(values) for values in (source, shape, small))
    for array in (source_array, shape_array, small_array):
        array.flags.writeable = False  # shared by every caller through the cache
    merged = {"I", "L"} <= set(labels) and not {"i", "l"} & set(labels)  # both letters case-merged
    bar = (text.index("l"), text.index("I")) if merged else None
    return _Forms(tuple(text), source_array, shape_array, small_array, bar)


def case_votes(
    labels: Sequence[str], best: Sequence[str], shape_says: Sequence[float | None], dotted: Sequence[bool]
) -> np.ndarray:
    """Per character and form (:func:`read_case`'s ``small_votes``): what the shapes say of the case of
    letters the label set merges. ``shape_says``: for each character, a case model's chance that its best
    letter is small (None: not asked); ``dotted``: it has a dot, so an I or J there is an i or j. A vote
    is never surer than ``VOTE_LIMIT``."""
    forms = _forms(tuple(labels))
    out = np.ones((len(best), len(forms.labels)))
    for i, (letter, says, dot) in enumerate(zip(best, shape_says, dotted, strict=True)):
        for voted, chance in ((letter, says), *((c, 1 - VOTE_LIMIT) for c in "IJ" if dot)):
            if chance is None or voted not in labels:
                continue
            of_letter = forms.source == labels.index(voted)
            if np.count_nonzero(of_letter) != 2:  # not a merged letter: its case is its label's
                continue
            chance = min(max(chance, VOTE_LIMIT), 1 - VOTE_LIMIT)
            out[i, of_letter & (forms.small == 1)] = 2 * chance
            out[i, of_letter & (forms.small == 0)] = 2 * (1 - chance)
    return out


def read_case(
    probabilities: np.ndarray,
    labels: Sequence[str],
    fits: np.ndarray,
    words: Sequence[Sequence[int]],
    small_votes: np.ndarray | None = None,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Rules 2 and 3 together: each character's probability of every written form (labels, n x forms).

    ``probabilities``: the label set's (case-merged) probabilities per character; ``fits``: per character,
    how its size fits the short, tall and hanging forms (:func:`form_fit`); ``small_votes``: per character
    and form, how much its shape favours that case (1 where nothing is known). A word's case pattern
    (small, Capitalized, CAPITALS, or mixed) is inferred from all its characters; each character's forms
    are then weighed by how likely their case is under the patterns its neighbours make likely, and by how
    well their shape fits its size: an x-height loop is an e rather than an l.
    """
    forms = _forms(tuple(labels))
    n = len(probabilities)
    votes = np.ones((n, len(forms.labels))) if small_votes is None else small_votes
    evidence = np.nan_to_num(probabilities[:, forms.source] * fits[:, forms.shape] * votes)  # n x forms
    if forms.bar is not None:
        # A plain bar is a small l and a capital I alike: where the shape says small l (its vote > 1, not
        # the L with a foot), the capital I is as likely, and the word's case chooses ("EXIT", "hill").
        small_l, capital_i = forms.bar
        bar = votes[:, small_l] > 1.0
        evidence[bar, capital_i] = np.maximum(evidence[bar, capital_i], evidence[bar, small_l])
    out = np.zeros_like(evidence)
    prior = np.log(np.array([CASE_PATTERNS[k] for k in PATTERNS]))
    for word in words:
        # The chance of each form's case at each position under each pattern (positions x patterns x forms):
        # small, Capitalized (the first character a capital), CAPITALS, mixed (even odds); 1 for forms
        # without case (digits).
        small_chance = np.array([[1.0, 0.0 if j == 0 else 1.0, 0.0, 0.5] for j in range(len(word))])[:, :, None]
        case = np.where(forms.small == 1, small_chance, np.where(forms.small == 0, 1.0 - small_chance, 1.0))
        per_pattern = case * evidence[word][:, None, :]
        log_fit = np.log(np.maximum(per_pattern.sum(2), 1e-300))  # positions x patterns
        total = log_fit.sum(0)
        for j, i in enumerate(word):
            others = prior + total - log_fit[j]  # the pattern as the rest of the word says
            w = np.exp(others - others.max())
            row = (w[:, None] * per_pattern[j]).sum(0)
            out[i] = row / max(float(row.sum()), 1e-300)
    return forms.labels, out


def _words(parts: Sequence[CharacterPart]) -> list[list[int]]:
    """The characters of each word of the line: a space begins a new one."""
    words: list[list[int]] = []
    for i, part in enumerate(parts):
        if i == 0 or part.space_before:
            words.append([])
        words[-1].append(i)
    return words


def line_companions(
    image: Recognizer, directory: Path | None = None, device: str = "auto", threads: int = COMPANION_THREADS
) -> tuple[Recognizer | None, Recognizer | None]:
    """What reads a line with ``image``, when bundled in ``directory`` and loadable: the case model (for a
    label set that merges cases) and the picture partner (another model of the same classes). Reading
    works without either: case from size alone, pictures by ``image`` alone."""
    bundled = {p.stem: p for p in list_bundled(directory)}

    def companion(name: str, wanted: bool) -> Recognizer | None:
        if not wanted or name not in bundled:
            return None
        try:
            return load_recognizer(bundled[name], device, threads=threads, spin=False)
        except (WeightsError, DeviceError) as error:
            log.warning("%s is not used to read lines: %s", name, error)
            return None

    # (A digits model has no case to tell: byclass62 was loaded, and said, for a model of no letters.)
    case_model = companion(CASE_MODEL, reads_letters(image.labels) and not tells_case(image.labels))
    partner = companion(PICTURE_PARTNER, image.card.name != PICTURE_PARTNER)
    if partner is not None and list(partner.labels) != list(image.labels):
        partner = None  # another label set: it cannot second this model
    return case_model, partner


# A lone letter's case, from the case model where it is this sure of one of the letter's two cases: byclass62
# was so sure of 58% of UNIPEN's validation writers' letters (each letter weighed alike), and right about 97.2%
# of those (its answers on ml.evaluation.evaluate.unipen_set's "val" part); of a c o p s v w x alone it seldom
# is (only their size tells their cases apart, and a lone letter has no line to measure it by).
SURE_CASE_ALONE = 0.9


def case_alone(case_model: Recognizer, model_input: np.ndarray, letter: str) -> str:
    """``letter`` in the case ``case_model`` reads the lone character of ``model_input`` (28 x 28, as the image
    models see it) to be, when it is ``SURE_CASE_ALONE`` sure of that case against the other; else "" (no
    such letter in its classes too)."""
    labels = list(case_model.labels)
    small, capital = letter.lower(), letter.upper()
    if small == capital or small not in labels or capital not in labels:
        return ""
    probabilities = case_model.predict_inputs(np.asarray(model_input, dtype=np.float32)[None])[0]
    low, high = float(probabilities[labels.index(small)]), float(probabilities[labels.index(capital)])
    if low + high <= 0:
        return ""
    share = low / (low + high)
    return small if share >= SURE_CASE_ALONE else capital if share <= 1 - SURE_CASE_ALONE else ""


class LineReader:
    """Reads lines of printed characters with an image model, its stroke model, a case model and, for
    pictures (no strokes), a second image model of the same classes."""

    def __init__(
        self,
        image: Recognizer,
        fused: FusedRecognizer | None = None,
        case_model: Recognizer | None = None,
        picture_partner: Recognizer | None = None,
        verifier: PieceVerifier | None = None,
        letter_pairs: LetterPairs | None = None,
    ) -> None:
        if picture_partner is not None and list(picture_partner.labels) != list(image.labels):
            raise ValueError(f"{picture_partner.card.name} answers in other classes than {image.card.name}")
        self.image = image
        self.fused = fused
        self.case_model = case_model
        self.picture_partner = picture_partner
        self.verifier = verifier
        self.letter_pairs = letter_pairs  # words read as English where they read so (None: each letter alone)
        self.stroke_model_problem = ""  # why the stroke model cannot be used, when it cannot (strokes read as pictures)
        self.labels = list(image.labels)
        self._prepared_cache: OrderedDict[bytes, tuple[np.ndarray | None, np.ndarray | None]] = OrderedDict()
        self._answer_cache: dict[str, OrderedDict[bytes, np.ndarray]] = {}  # by role: image, strokes, case...

    @classmethod
    def load(
        cls,
        name: str | Path | None = None,
        device: str = "auto",
        threads: int = INTERACTIVE_THREADS,
        companion_threads: int = COMPANION_THREADS,
        companions: bool = True,
        english: bool = True,
    ) -> LineReader:
        """The default (or named) image model, its stroke model when fitted (on ``threads``), and the case
        model and the picture partner when bundled (on ``companion_threads``) unless ``companions`` is False
        (the image model read alone: case from size alone); the bundled letter pairs unless ``english`` is
        False (each word's letters read on their own)."""
        image = load_recognizer(name or default_model_name(), device, threads=threads)
        fused, problem = fusion_or_reason(image, device, threads=threads)
        case_model, partner = line_companions(image, None, device, companion_threads) if companions else (None, None)
        pairs = None
        if english and reads_letters(image.labels):  # (no words to spell from digits)
            try:
                pairs = load_letter_pairs()
            except LetterPairsError as error:
                log.warning("words are read without English spelling: %s", error)
        reader = cls(image, fused, case_model, partner, load_piece_verifier(), pairs)
        reader.stroke_model_problem = problem
        return reader

    def read_strokes(
        self,
        strokes: Strokes | Sequence[np.ndarray],
        top_k: int = TOP_K,
        together: Sequence[Sequence[int]] = (),
        apart: Sequence[Sequence[int]] = (),
        known: Sequence[tuple[Sequence[int], str]] = (),
        rows: bool = False,
        level: bool = True,
    ) -> ReadLine:
        """A written line's strokes (:class:`Strokes`, or lists of (x, y) points, y down, in writing order)
        split into characters, each read from its picture and its strokes, then in the line's context.
        ``together``: groups of strokes (their positions in ``strokes``) that are one character each, whatever
        the splitting finds (a person joined them); ``apart``: groups of strokes that are two characters (a
        person split what the reader read as one: two letters that overlap), read as the two sides the
        models find likeliest, cut in writing order or along the line (a character of one stroke, or of one and
        dots over it: letters written without a lift, that stroke cut in two where the sides read likeliest,
        when it has places to cut; one stroke of a character of several is no two); a group naming a stroke that is not
        there is left out; ``known``: characters the person corrected (their strokes, what they are), taken
        as certain where the line's context weighs letters against digits (an o between digits the person
        put right is a 0). Boxes are in the strokes' units; a line with nothing to read has no characters;
        ``notes`` says when its letters look joined in one stroke (:func:`joined_by_the_pen`). Raises
        StrokesError for points that are not n x 2 finite numbers, NotOneLineError (RowsOfWritingError,
        TooMuchWritingError) for writing that is not one line. ``rows``: strokes of several lines one above the
        other (a stroke file of a note) are read as a picture's rows are, line by line, each line's first
        character ``line_break_before``; lines standing sideways still raise. A line that slopes (written
        uphill or downhill) is also read made level, and one that leans stood upright, unless ``level`` is
        False (:mod:`ml.runtime.levelling`); the surest reading is kept, its boxes round its characters as
        written."""
        checked_top_k(top_k)
        start = time.perf_counter()
        raw = strokes.strokes if isinstance(strokes, Strokes) else strokes
        parts_xy = [stroke_points(stroke, k + 1) for k, stroke in enumerate(raw)]
        if level:
            # Read as written and, when the line slopes, levelled both ways (as a picture's line), and when
            # it leans, stood upright; the surest reading kept. A line's heights and baseline, which tell
            # capitals from small letters, are only measured across a level line; leaning letters overlap
            # along it. 400 validation words (400-800), CER: written uphill 10 degrees, letters upright, 13.48
            # -> 10.88%; turned 10 degrees 14.90 -> 8.96%; leaning right and left 0.3 across per unit up 13.33
            # -> 9.92% and 12.87 -> 10.49%; as composed 9.31 -> 9.61% (1200 words: +0.04, -0.33 to +0.39, not
            # beyond chance; short words often seem to slope, and a surer reading is now and then wrong).
            line = self.read_strokes(parts_xy, top_k, together, apart, known, rows, level=False)
            one_line = not any(c.line_break_before for c in line.characters)  # (rows are levelled each alone)
            ways: list[tuple[list[np.ndarray], np.ndarray]] = []
            if one_line and _model_read(line) >= LEVEL_FROM_CHARACTERS:
                degrees = strokes_slope(parts_xy)
                if abs(degrees) >= LEVEL_BELOW_DEGREES:
                    ways += [levelled_strokes(parts_xy, degrees, how) for how in LEVELLINGS]
                slant = strokes_slant(parts_xy)
                if abs(slant) >= UPRIGHT_FROM_SLANT:
                    ways.append(upright_strokes(parts_xy, slant))
            won: tuple[list[np.ndarray], np.ndarray] | None = None
            for way in ways:  # (one line: read as one)
                try:
                    other = self.read_strokes(way[0], top_k, together, apart, known, level=False)
                except NotOneLineError:
                    continue
                if _sureness(other) > _sureness(line):
                    line, won = other, way
            if won is not None:  # each box taken back round its character's strokes as written
                flat, to_input = won
                moved = tuple(replace(c, box=_box_as_written(c, to_input, flat, parts_xy)) for c in line.characters)
                line = replace(line, characters=moved)
            return replace(line, latency_ms=(time.perf_counter() - start) * 1000)

        def present(group: Sequence[int]) -> tuple[int, ...]:
            """The group's strokes, or none when it names one that is not there (a position past the strokes,
            negative, not a whole number): taken as they are, one real stroke among them was cut out of its
            character on its own."""
            valid = [k for k in group if isinstance(k, int | np.integer) and not isinstance(k, bool)]
            if len(valid) < len(group) or not all(0 <= k < len(parts_xy) for k in valid):
                return ()
            return tuple(sorted({int(k) for k in valid}))

        together = [group for group in map(present, together) if group]
        apart = [group for group in map(present, apart) if group]  # (one stroke: letters written without a lift)
        if not (together or apart or known) and (alone := _sign_alone_in_strokes(parts_xy)) is not None:
            return replace(alone, latency_ms=(time.perf_counter() - start) * 1000)
        try:
            every_part = split_strokes(parts_xy)
        except NotOneLineError as error:
            # More strokes than a line holds may be a note's lines (20 lines of short words: 260 strokes), up
            # to as many as a picture's page is read in (MAX_PAGE_PIECES).
            drawn = sum(1 for points in parts_xy if len(points))
            too_many = isinstance(error, TooMuchWritingError) and drawn > MAX_PAGE_PIECES
            if not rows or isinstance(error, SidewaysWritingError) or too_many:
                raise
            in_rows = self._read_stroke_rows(parts_xy, top_k, together, apart, [(present(g), c) for g, c in known])
            if in_rows is None:
                raise
            return replace(in_rows, latency_ms=(time.perf_counter() - start) * 1000)
        # Strokes the person split are a part of their own, cut in two below, wherever the splitting put them
        # (with a stroke written onto them since, or one side of a cut the reader made). A join wins over a
        # split: it takes its strokes (one half of a split letter joined with the letter after it).
        two: set[tuple[int, ...]] = set()
        for group in apart:
            if len(group) == 1:  # one stroke: two letters when it is a character alone, else nothing (below)
                two.add(tuple(group))
                continue
            every_part, whole = joined_parts(every_part, parts_xy, group)
            two.add(whole)
        joined: set[tuple[int, ...]] = set()
        for group in together:
            every_part, whole = joined_parts(every_part, parts_xy, group)
            joined.add(whole)
        parts, punctuation = without_punctuation(every_part)
        if len(parts) > MAX_CHARACTERS:
            raise TooMuchWritingError(
                f"{len(parts)} characters: more than one line of writing ({MAX_CHARACTERS} at most)"
            )
        # Letters joined by the pen (one stroke running on from one into the next) are cut where they read
        # likeliest; the pieces are strokes of their own until the line is read, then named by their stroke.
        drawn_strokes = len(parts_xy)
        parts, parts_xy, origin = self._cut_joined_letters(parts, parts_xy, joined, two)
        # Neighbours that nearly meet may be one character the rules split (the arms of a K drawn short of
        # its stem): each such pair is also read as one, and kept as one when that reads far better, its width
        # for the line's characters counted in (:func:`width_prior`).
        # A character the person joined is neither joined to more nor cut; one they split is not joined to
        # more; the pieces of a stroke cut above were weighed as one already.
        pairs = [
            i
            for i in close_pairs(parts, parts_xy)
            if not {parts[i].strokes, parts[i + 1].strokes} & (joined | two)
            and not _cut_from_one_stroke(parts[i], parts[i + 1], origin, drawn_strokes)
        ]
        # ... and a character of several strokes that may be two (letters that overlap along the line) is
        # also read as its two sides, and kept as two when that reads far better.
        height = line_height(np.array([p.box for p in parts])) if parts else 1.0
        split = {i for i, part in enumerate(parts) if part.strokes in two}
        cuts = [
            cut for cut in stroke_cuts(parts, parts_xy) if parts[cut[0]].strokes not in joined and cut[0] not in split
        ]
        cuts += [
            (i, left, right) for i in sorted(split) for _, left, right in part_cuts(parts[i], parts_xy, height, True)
        ]
        usual_width = usual_character_width(parts)
        candidates, merged_of, cut_rows = stroke_candidates(parts, pairs, cuts)
        pictures: list[np.ndarray | None] = []
        sequences: list[np.ndarray | None] = []
        for part in candidates:
            picture, sequence = self._prepared([parts_xy[k] for k in part.strokes])
            pictures.append(picture)
            sequences.append(sequence)
        readable = [i for i, picture in enumerate(pictures) if picture is not None]
        if not readable:
            return ReadLine((), (time.perf_counter() - start) * 1000)
        probabilities = np.zeros((len(candidates), len(self.labels)), dtype=np.float32)
        from_pictures = np.zeros_like(probabilities)
        readable_pictures = np.stack([picture for picture in pictures if picture is not None])
        # The stroke model (new pieces of a 10-character line: 9 ms, the slowest of the three) reads on a
        # thread of its own while the image model answers here, and the case model about the pieces the
        # picture reads as letters (remembered for when their case is read).
        readable_sequences = [sequences[i] for i in readable]
        stroke_batch = self._stroke_batch(readable_sequences)
        strokes_ahead = self._read_strokes_ahead(stroke_batch)
        from_pictures[readable] = self._answers("image", self.image, readable_pictures)
        if self.case_model is not None and strokes_ahead is not None:
            letters = [k for k, row in enumerate(from_pictures[readable]) if self.labels[int(row.argmax())].isalpha()]
            if letters:
                self._answers("case", self.case_model, readable_pictures[letters])
        fused, from_strokes = self._fused(from_pictures[readable], readable_sequences, stroke_batch, strokes_ahead)
        probabilities[readable] = fused
        strokes_read = np.full(len(candidates), False)
        strokes_read[readable] = ~np.isnan(from_strokes[:, 0])
        stroke_probabilities = np.zeros_like(probabilities)
        stroke_probabilities[readable] = np.nan_to_num(from_strokes)
        weighed = {k for i in pairs for k in (i, i + 1, merged_of[i])}
        weighed |= {k for i, rows_of_cuts in cut_rows.items() for k in (i, *itertools.chain(*rows_of_cuts))}
        body_height = line_height(np.array([p.body_box for p in parts]))  # (something readable: parts there are)
        one_chance = self._strokes_verified(candidates, pictures, parts_xy, sorted(weighed), body_height, usual_width)
        kept: list[CharacterPart] = []
        kept_probs: list[np.ndarray] = []
        kept_pictures: list[np.ndarray] = []
        i = 0
        while i < len(parts):
            m = merged_of.get(i)
            # Whether two pieces are one character: the picture's odds and the strokes' (STROKES_SAY; on the
            # validation words' 243 close pairs, with the image model before the GPU's, the picture alone
            # made 23 wrong choices at its best odds, both 15).
            if (
                m is not None
                and pictures[m] is not None
                and self._reads_as_one(
                    from_pictures,
                    stroke_probabilities if strokes_read[[i, i + 1, m]].all() else None,
                    (i, i + 1),
                    m,
                    (START_BONUS if starts_on_ink(parts, parts_xy, i, height) else 1.0)
                    * width_prior(candidates[m].box, usual_width),
                    one_chance,
                )
            ):
                chosen, i = [m], i + 2
            else:
                chosen = self._cut_or_whole(
                    i,
                    cut_rows.get(i, []),
                    pictures,
                    from_pictures,
                    stroke_probabilities,
                    strokes_read,
                    0.0 if i in split else width_prior(parts[i].box, usual_width),
                    one_chance,
                )
                i += 1
            for row in chosen:
                picture = pictures[row]
                if picture is not None:
                    kept.append(candidates[row])
                    kept_probs.append(probabilities[row])
                    kept_pictures.append(picture)
        # Left to right again: a character kept as two sides may reach past a neighbour (a bar drawn back
        # over earlier letters).
        order = sorted(range(len(kept)), key=lambda k: kept[k].box[0] + kept[k].box[2])
        kept = [kept[k] for k in order]
        kept_probs = [kept_probs[k] for k in order]
        kept_pictures = [kept_pictures[k] for k in order]
        certain = {present(strokes): char for strokes, char in known if present(strokes)}
        if len(parts_xy) > drawn_strokes:  # (the person's corrections name drawn strokes, not pieces)
            certain = _certain_by_pieces(kept, certain, origin)

        def stroke_lean(i: int) -> tuple[float, float] | None:
            if len(kept[i].strokes) != 1:
                return None
            points = parts_xy[kept[i].strokes[0]]
            degrees = straight_lean(points, stroke_ink(points), body_height)
            if degrees is None:
                return None
            # The rest of the line's ink once (a stroke cut into letters is its pieces, not also itself).
            rest = [k for j, part in enumerate(kept) if j != i for k in part.strokes]
            rest += [k for mark in punctuation for k in mark.strokes]
            return degrees, math.degrees(math.atan(strokes_slant([parts_xy[k] for k in rest])))

        def stroke_cross(i: int) -> bool:
            strokes = [parts_xy[k] for k in kept[i].strokes]
            return is_plus(strokes, [stroke_ink(xy) for xy in strokes])

        line = self._finish(
            kept,
            np.stack(kept_probs),
            kept_pictures,
            top_k,
            start,
            punctuation,
            certain,
            lean=stroke_lean,
            crossed=stroke_cross,
        )
        if len(parts_xy) > drawn_strokes:
            line = _named_by_drawn_strokes(line, origin)
        if len(line.characters) == 1 and _flat_as_drawn(parts_xy):
            return flat_mark_said(line)  # (a dash's one long stroke is no letters joined)
        # (Letters cut from a stroke are measured by it: read unsure, they may still be letters misread.)
        return replace(line, notes=(JOINED_LETTERS_NOTE,)) if joined_by_the_pen(line, parts_xy) else line

    def _read_stroke_rows(
        self,
        parts_xy: list[np.ndarray],
        top_k: int,
        together: Sequence[Sequence[int]],
        apart: Sequence[Sequence[int]],
        known: Sequence[tuple[Sequence[int], str]],
    ) -> ReadLine | None:
        """Strokes in rows (:func:`writing_rows`, each stroke a piece), each row read as a line; the person's
        groups and corrections go with the row holding all of their strokes, and the characters name their
        strokes among all. None when the rows are no lines, or a row is not one."""
        drawn = [k for k, points in enumerate(parts_xy) if len(points)]
        boxes = np.array([[*parts_xy[k].min(axis=0), *parts_xy[k].max(axis=0)] for k in drawn])
        found = writing_rows(boxes, by_middles=True, strokes=True)
        if found is None:
            return None
        characters: list[ReadCharacter] = []
        notes: dict[str, None] = {}
        for row in found:
            strokes = sorted(drawn[k] for k in row)
            local = {stroke: n for n, stroke in enumerate(strokes)}
            try:
                line = self.read_strokes(
                    [parts_xy[k] for k in strokes],
                    top_k,
                    [here for group in together if (here := _in_row(group, local))],
                    [here for group in apart if (here := _in_row(group, local))],
                    [(here, char) for group, char in known if (here := _in_row(group, local))],
                )
            except TooMuchWritingError:
                raise
            except NotOneLineError:
                return None
            notes.update(dict.fromkeys(line.notes))
            for n, character in enumerate(line.characters):
                characters.append(
                    replace(
                        character,
                        strokes=tuple(strokes[k] for k in character.strokes),
                        marks=tuple(strokes[k] for k in character.marks),
                        line_break_before=n == 0 and bool(characters),
                        space_before=character.space_before and n > 0,
                    )
                )
        return ReadLine(tuple(characters), notes=tuple(notes))

    def read_image(self, image: ImageLike, top_k: int = TOP_K, level: bool = True, rows: bool = True) -> ReadLine:
        """A photo or scan of a written line (dark on light or light on dark; a file, bytes, a PIL image or
        an array, as :meth:`Recognizer.predict` takes). Boxes and ``size`` are in the picture's own pixels,
        also when a large file was averaged down as it was opened; a picture with no writing gives a line
        of no characters. A line that slopes is also read made level, and writing that leans stood upright
        (:mod:`ml.runtime.levelling`), the reading its models are surest of kept, unless ``level`` is False;
        a picture of several lines is read line by line unless ``rows`` is False (the pad's own drawing
        rendered: one line, as its strokes are). Raises ImageLoadError for a file that cannot be read,
        ValueError for an array that is no image, NotOneLineError for writing that is not one line."""
        checked_top_k(top_k)
        start = time.perf_counter()
        image = file_data_as_bytes(image)  # a file object's or a bytearray's: as its bytes, its own size kept
        if isinstance(image, (str, Path, bytes)):
            image = load_image(image)
        pixels, _ = as_pixels(image)
        size = (int(pixels.shape[1]), int(pixels.shape[0]))
        # A picture averaged down as it was opened: boxes are given in its own pixels all the same.
        full_size = image.full_size if isinstance(image, LoadedImage) and image.full_size else size
        to_full = (full_size[0] / size[0], full_size[1] / size[1])
        size = full_size
        written = written_ink(pixels)
        if written is None:
            return ReadLine((), (time.perf_counter() - start) * 1000, size)
        scale, (crop_x, crop_y) = written.scale, written.corner

        def to_picture(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
            """A box in the cropped, scaled ink -> the same box in the picture's pixels."""
            x0, y0, x1, y1 = (v / scale for v in box)
            return (
                (x0 + crop_x) * to_full[0],
                (y0 + crop_y) * to_full[1],
                (x1 + crop_x) * to_full[0],
                (y1 + crop_y) * to_full[1],
            )

        def from_picture(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
            """A box in the picture's pixels -> the same box in the cropped, scaled ink (undoes to_picture)."""
            x0, y0, x1, y1 = box
            return (
                (x0 / to_full[0] - crop_x) * scale,
                (y0 / to_full[1] - crop_y) * scale,
                (x1 / to_full[0] - crop_x) * scale,
                (y1 / to_full[1] - crop_y) * scale,
            )

        try:
            line = self._read_levelled(written, written.mask, to_picture, from_picture, top_k, start, level)
        except RowsOfWritingError as error:
            if (alone := _sign_alone_in_pieces(written.mask, ink_components(written.mask), to_picture)) is not None:
                notes = image.notes if isinstance(image, LoadedImage) else ()
                return replace(alone, latency_ms=(time.perf_counter() - start) * 1000, size=size, notes=notes)
            # The pad's own drawing rendered is read as its strokes are: one line. Lines standing sideways
            # are not read as rows (each row a letter of every line, turned).
            if not rows or isinstance(error, SidewaysWritingError):
                raise
            in_rows = self._read_rows(written, to_picture, from_picture, top_k, start, level)
            if in_rows is None:  # a word photographed sideways stands as a column of rows too
                # (Lines of writing are read: "GlyphPad reads one line at a time" was not true of a picture.)
                raise SidewaysWritingError(SIDEWAYS) from None
            line = in_rows
        notes = image.notes if isinstance(image, LoadedImage) else ()
        line = replace(line, latency_ms=(time.perf_counter() - start) * 1000, size=size, notes=notes)
        one_character = len(line.characters) == 1 and not line.characters[0].punctuation
        return flat_mark_said(line) if one_character and is_flat_mark(written.mask) else line

    def _read_levelled(
        self,
        written: WrittenInk,
        mask: np.ndarray,
        to_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
        from_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
        top_k: int,
        start: float,
        level: bool,
    ) -> ReadLine:
        """The line of ``written``'s ink at ``mask``, read as it is and, when it slopes (and ``level``), made
        level (see :meth:`read_image`); boxes given by ``to_picture`` (``from_picture`` undoes it). Raises
        NotOneLineError for writing that is not one line."""
        line = self._read_ink(written.ink, mask, written.peak, to_picture, top_k, start)
        # A sloping line (a photo taken a little turned, a line written uphill) is read level as well, turned
        # and sheared, and the surest reading kept. 280 validation words as pictures, read right: turned 7
        # degrees 154 -> 176, turned 12 degrees 140 -> 158, written 7 degrees downhill (letters upright) 160 ->
        # 175; level 173 -> 172; written 12 degrees uphill 161 -> 153 (a turned reading was surer and wrong).
        # Rows of writing are not levelled into a line (a line standing sideways read as one, wrongly).
        # Writing that leans is read stood upright too, the surest reading kept (the image model reads leaning
        # letters worse). 300 validation words (400-700) as pictures, CER: leaning right 0.3 across per unit up
        # 18.85 -> 15.39%, 0.15 16.12 -> 15.03%, left 0.3 17.72 -> 16.84% (these writers lean right: left 0.3
        # leaves many under 0.15); as composed 14.10 -> 14.10% (with the strokes' bar, 0.15; from 0.2, as now:
        # 15.55 / 14.98 / 16.94 / 14.10%, fewer read twice).
        ways: list[LevelledInk] = []
        if level and _model_read(line) >= LEVEL_FROM_CHARACTERS:
            degrees = line_slope(mask)
            if abs(degrees) >= LEVEL_BELOW_DEGREES:
                ways += [levelled(written.ink, mask, degrees, how) for how in LEVELLINGS]
            slant = line_slant(mask)
            if abs(slant) >= PICTURE_UPRIGHT_FROM_SLANT:
                ways.append(upright(written.ink, mask, slant))
        won: LevelledInk | None = None
        for flat in ways:
            try:
                # Read in the level (upright) frame, where the line's heights and baseline are level.
                other = self._read_ink(flat.ink, flat.mask, written.peak, to_picture, top_k, start)
            except NotOneLineError:
                continue
            if _sureness(other) > _sureness(line):
                line, won = other, flat
        if won is None:
            return line
        # Each box taken back round the character's ink in the picture.
        boxes = won.ink_boxes_in_input([from_picture(c.box) for c in line.characters], mask)
        return replace(
            line, characters=tuple(replace(c, box=to_picture(b)) for c, b in zip(line.characters, boxes, strict=True))
        )

    def _read_rows(
        self,
        written: WrittenInk,
        to_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
        from_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
        top_k: int,
        start: float,
        level: bool,
    ) -> ReadLine | None:
        """A picture of several lines of writing (a note, a few lines of a page), each line read as a line
        is, one after the other; its first character ``line_break_before``. None when the rows are no lines
        (a word standing sideways: a column of rows of one character each)."""
        pieces = ink_components(written.mask)
        if not pieces:
            return None
        rows = writing_rows(piece_boxes(pieces), by_middles=True)
        if rows is None:
            return None
        characters: list[ReadCharacter] = []
        for row in rows:
            mask = np.zeros_like(written.mask)
            for k in row:
                mask[pieces[k][:, 0], pieces[k][:, 1]] = True
            try:
                line = self._read_levelled(written, mask, to_picture, from_picture, top_k, start, level)
            except TooMuchWritingError:
                raise  # said as it is, not as rows standing sideways
            except NotOneLineError:
                return None
            if line.characters:
                first = replace(line.characters[0], space_before=False, line_break_before=bool(characters))
                characters += [first, *line.characters[1:]]
        return ReadLine(tuple(characters))

    def _read_ink(
        self,
        ink: np.ndarray,
        mask: np.ndarray,
        peak: float,
        to_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
        top_k: int,
        start: float,
    ) -> ReadLine:
        """The line written in ``ink`` (its ``mask`` the pixels that are ink), boxes given by ``to_picture``.
        Raises NotOneLineError for writing that is not one line."""
        every_part, pieces = split_ink(mask)
        if len(pieces) == 1 and (alone := _sign_alone_in_pieces(mask, pieces, to_picture)) is not None:
            return alone  # a dash alone (two pieces alone are rows to the splitting: read_image's)
        parts, punctuation = without_punctuation(every_part)
        if not parts:
            return ReadLine(())
        height = line_height(np.array([p.body_box for p in parts]))
        usual_width = usual_character_width(parts)
        cut_wide = VERIFIED_CUT_WIDE if self.verifier is not None else CUT_WIDE
        candidates, merged_of = picture_candidates(parts, pieces, height, usual_width, cut_wide)
        pictures = [ink_picture(ink, pixels, peak) for _, _, pixels in candidates]
        readable = [k for k, picture in enumerate(pictures) if picture is not None]
        if not readable:
            return ReadLine(())
        probabilities = np.zeros((len(candidates), len(self.labels)), dtype=np.float32)
        probabilities[readable] = self._read_pictures(np.stack([p for p in pictures if p is not None]))
        one_chance = self._verified(candidates, pictures, readable, height, usual_width)

        kept: list[CharacterPart] = []
        kept_probs: list[np.ndarray] = []
        kept_pictures: list[np.ndarray] = []
        kept_pixels: list[np.ndarray] = []
        row_of: dict[int, int] = {}
        for k, (owner, _, _) in enumerate(candidates):
            row_of.setdefault(owner, k)
        i = 0
        while i < len(parts):
            m = merged_of.get(i)
            if (
                m is not None
                and all(pictures[k] is not None for k in (row_of[i], row_of[i + 1], m))
                and self._reads_as_one(
                    probabilities, None, (row_of[i], row_of[i + 1]), m, width_prior(candidates[m][1].box, usual_width)
                )
            ):
                chosen, i = [m], i + 2
            else:
                rows = [k for k, (owner, _, _) in enumerate(candidates) if owner == i]
                chosen = [rows[0]]
                # The two sides must read this much likelier than the whole.
                best = math.log(SPLIT_ODDS) if one_chance is None else VERIFIED_CUT_LOG_ODDS
                for a, b in zip(rows[1::2], rows[2::2], strict=True):
                    if pictures[a] is not None and pictures[b] is not None:
                        odds = -_log_odds_of_one(probabilities, a, b, rows[0])
                        if one_chance is not None:
                            odds += VERIFIER_SAY * (one_chance[a] + one_chance[b] - one_chance[rows[0]])
                        if odds > best:
                            chosen, best = [a, b], odds
                i += 1
            for k in chosen:
                picture = pictures[k]
                if picture is None:
                    continue
                part = candidates[k][1]
                in_input, body = (to_picture(box) for box in (part.box, part.body_box))
                kept.append(replace(part, box=in_input, body=body, punctuation=""))
                kept_probs.append(probabilities[k])
                kept_pictures.append(picture)
                kept_pixels.append(candidates[k][2])
        if not kept:
            return ReadLine(())

        punctuation = [replace(p, box=to_picture(p.box), body=to_picture(p.body_box)) for p in punctuation]
        pen = functools.cache(lambda: mask_pen_width(mask))  # (measured once, when a part is first looked at)

        def whole_piece(i: int) -> np.ndarray | None:
            pixels = kept_pixels[i]
            if len(kept[i].strokes) != 1 or len(pixels) != len(pieces[kept[i].strokes[0]]):
                return None  # (a side of a piece cut in two is no stroke of its own)
            return pixels

        def piece_lean(i: int) -> tuple[float, float] | None:
            if (pixels := whole_piece(i)) is None:
                return None
            ends = straight_piece_ends(pixels, pen())
            degrees = None if ends is None else straight_lean(ends, piece_ink(pixels, pen()), height)
            if degrees is None:
                return None
            others = mask.copy()
            others[pixels[:, 0], pixels[:, 1]] = False
            return degrees, math.degrees(math.atan(line_slant(others)))

        def piece_cross(i: int) -> bool:
            bars = None if (pixels := whole_piece(i)) is None else crossing_bars(pixels, pen())
            return bars is not None and is_plus(bars, [stroke_ink(bar) for bar in bars])

        return self._finish(
            kept, np.stack(kept_probs), kept_pictures, top_k, start, punctuation, lean=piece_lean, crossed=piece_cross
        )

    def _verified(
        self,
        candidates: Sequence[tuple[int, CharacterPart, np.ndarray]],
        pictures: Sequence[np.ndarray | None],
        readable: Sequence[int],
        height: float,
        usual_width: float | None,
    ) -> np.ndarray | None:
        """The verifier's log chance that each part offered cuts, and each side of them, is one whole
        character (:func:`verified_rows`); None without a verifier or a usual width to measure by. Other
        candidates, and unreadable ones, get 0 (they are never weighed)."""
        if self.verifier is None or usual_width is None:
            return None
        out = np.zeros(len(candidates))
        readable_rows = set(readable)
        asked = [k for k in verified_rows(candidates) if k in readable_rows]
        if asked:
            geometry = [piece_geometry(candidates[k][2], usual_width, height) for k in asked]
            out[asked] = self.verifier.log_one(
                np.stack([p for k in asked if (p := pictures[k]) is not None]), np.stack(geometry)
            )
        return out

    def _strokes_verified(
        self,
        candidates: Sequence[CharacterPart],
        pictures: Sequence[np.ndarray | None],
        strokes: Sequence[np.ndarray],
        asked: Sequence[int],
        height: float,
        usual_width: float | None,
    ) -> np.ndarray | None:
        """The verifier's log chance that each of the rows ``asked`` (readable ones) of a stroke line's
        candidates is one whole character, 0 for the others; None without a verifier. ``height``: the line's
        (of its parts' bodies, as the verifier learnt it), ``usual_width``: its usual character width, if it
        has one (:func:`strokes_geometry`)."""
        if self.verifier is None:
            return None
        out = np.zeros(len(candidates))
        asked = [k for k in asked if pictures[k] is not None]
        if asked:
            geometry = [
                strokes_geometry(strokes_box(strokes, candidates[k].strokes), usual_width, height) for k in asked
            ]
            chances = self.verifier.log_one(
                np.stack([p for k in asked if (p := pictures[k]) is not None]), np.stack(geometry)
            )
            # (A chance that is no number says nothing: the recognizers' odds decide alone there.)
            out[asked] = np.nan_to_num(chances, nan=0.0, posinf=0.0, neginf=-50.0)
        return out

    def _read_pictures(self, pictures: np.ndarray) -> np.ndarray:
        """The image model's probabilities of pictures without strokes, averaged with its picture partner's
        (a geometric mean) when there is one."""
        probabilities = self._answers("image", self.image, pictures)
        if self.picture_partner is None:
            return probabilities
        partner = self._answers("partner", self.picture_partner, pictures)
        log_mean = (np.log(probabilities + 1e-9) + np.log(partner + 1e-9)) / 2
        mean = np.exp(log_mean - log_mean.max(axis=1, keepdims=True))
        out: np.ndarray = (mean / mean.sum(axis=1, keepdims=True)).astype(np.float32)
        return out

    def forget(self) -> None:
        """Forget the characters seen so far (their pictures and stroke sequences, the models' answers)."""
        self._prepared_cache.clear()
        self._answer_cache.clear()

    def _answers(self, role: str, model: Recognizer, inputs: np.ndarray) -> np.ndarray:
        """``model.predict_inputs(inputs)``, running the model only on inputs it has not answered before: a
        line read again after a pen-up asks the models about the characters that changed, not all of them."""
        remembered = self._answer_cache.setdefault(role, OrderedDict())
        keys = [row.tobytes() for row in inputs]
        new = list({key: i for i, key in enumerate(keys) if key not in remembered}.values())  # each new input once
        if new:
            for i, answer in zip(new, model.predict_inputs(inputs[new]), strict=True):
                remembered[keys[i]] = answer
        out = np.stack([remembered[key] for key in keys])
        for key in keys:
            remembered.move_to_end(key)
        while len(remembered) > PREPARED_CACHE:
            remembered.popitem(last=False)
        return out

    def _prepared(self, group: list[np.ndarray]) -> tuple[np.ndarray | None, np.ndarray | None]:
        """A character's picture and stroke sequence (None: unreadable), remembered by its points: a line
        read again after each pen-up renders only the characters that changed."""
        key = b"".join(np.ascontiguousarray(stroke, dtype=np.float64).tobytes() + b"|" for stroke in group)
        if key in self._prepared_cache:
            self._prepared_cache.move_to_end(key)
            return self._prepared_cache[key]
        picture: np.ndarray | None = None
        sequence: np.ndarray | None = None
        try:
            picture = stroke_picture(group)
            sequence = normalize_strokes(group)
        except BlankStrokesError:  # a dot on its own (a full stop): no character the models know
            picture = None
        except (BlankImageError, StrokesError, ValueError):
            pass
        self._prepared_cache[key] = (picture, sequence)
        if len(self._prepared_cache) > PREPARED_CACHE:
            self._prepared_cache.popitem(last=False)
        return picture, sequence

    def _cut_joined_letters(
        self,
        parts: list[CharacterPart],
        parts_xy: list[np.ndarray],
        joined: set[tuple[int, ...]] = frozenset(),  # type: ignore[assignment]
        two: set[tuple[int, ...]] = frozenset(),  # type: ignore[assignment]
    ) -> tuple[list[CharacterPart], list[np.ndarray], list[int]]:
        """Letters joined by the pen (:mod:`ml.runtime.joined_letters`): each part's widest stroke that may
        run on from one letter into the next cut where its pieces read likeliest as characters, scored by
        the recognizers and the piece verifier (without a verifier nothing is cut: the recognizers alone
        read two letters as one confident character). The parts (a part cut is its pieces, left to right,
        its other strokes going with the piece they stand over), the strokes with the pieces added at the
        end, and which stroke each of those is (or was cut from). Parts the person joined (``joined``) are
        not cut; a stroke the person split (a part of ``two`` of one stroke, with dots over it if any) is,
        however wide, cut in two where the two sides read best (a part of ``two`` of several strokes is the
        splitting's, between its strokes)."""
        origin = list(range(len(parts_xy)))
        if self.verifier is None or not parts:
            return parts, parts_xy, origin
        height = line_height(np.array([p.box for p in parts]))
        offered: dict[int, tuple[int, np.ndarray, list[int]]] = {}  # part -> its stroke, path, path's ends and cuts
        must_cut: set[int] = set()
        for i, part in enumerate(parts):
            wide = [k for k in part.strokes if k not in part.marks and is_run_on(parts_xy[k], height)]
            body = [k for k in part.strokes if k not in part.marks]
            if part.strokes in two and len(body) == 1 and _dots_over(part, body[0], parts_xy, height):
                # One stroke (and dots over it: "in" read m): the stroke is cut, in two. Another small stroke
                # beside it (a degree sign by a 5, an o by a C) is split off, between strokes, as before.
                wide = body
                must_cut.add(i)
            elif part.strokes in joined | two or not wide:
                continue
            k = max(wide, key=lambda k: float(np.ptp(parts_xy[k][:, 0])))
            path, points = cut_points(parts_xy[k], height)
            if points:
                offered[i] = (k, path, [0, *points, len(path) - 1])
        if not offered:
            return parts, parts_xy, origin
        # The line's usual width from the parts that are no joined letters (they would widen it).
        widths = [p.body_box[2] - p.body_box[0] for i, p in enumerate(parts) if i not in offered]
        usual = max(float(np.median(widths)) if widths else JOINED_USUAL_WIDTH * height, USUAL_WIDTH_FLOOR * height)
        runs = {i: candidate_pieces(len(ends), two_sides=i in must_cut) for i, (_, _, ends) in offered.items()}
        groups = [[path[ends[a] : ends[b] + 1]] for i, (_, path, ends) in offered.items() for a, b in runs[i]]
        scores = self._one_character_scores(groups, usual, height)
        out: list[CharacterPart] = []
        strokes = list(parts_xy)
        row = 0
        for i, part in enumerate(parts):
            if i not in offered:
                out.append(part)
                continue
            k, path, ends = offered[i]
            scored = dict(zip(runs[i], scores[row : row + len(runs[i])], strict=True))
            row += len(runs[i])
            pick = likeliest_two if i in must_cut else likeliest_pieces  # (the person said it is two)
            kept = pick(scored, len(ends), links(path, ends))
            if kept == [(0, len(ends) - 1)]:
                out.append(part)
                continue
            pieces = []
            for a, b in kept:
                pieces.append(len(strokes))
                strokes.append(path[ends[a] : ends[b] + 1])
                origin.append(k)
            out += _with_their_strokes(part, k, pieces, strokes)
        return out, strokes, origin

    def _one_character_scores(self, groups: list[list[np.ndarray]], usual_width: float, height: float) -> np.ndarray:
        """How likely each group of strokes is one whole character: the log-probability of its likeliest class
        (picture and strokes fused) plus the piece verifier's log chance; -inf where it cannot be read."""
        prepared = [self._prepared(group) for group in groups]
        readable = [i for i, (picture, _) in enumerate(prepared) if picture is not None]
        out = np.full(len(groups), -np.inf)
        if not readable or self.verifier is None:
            return out
        pictures = np.stack([p for i in readable if (p := prepared[i][0]) is not None])
        sequences = [prepared[i][1] for i in readable]
        batch = self._stroke_batch(sequences)
        fused, _ = self._fused(self._answers("image", self.image, pictures), sequences, batch, None)
        geometry = []
        for i in readable:
            x0, y0, x1, y1 = strokes_box(groups[i], range(len(groups[i])))
            geometry.append(size_geometry(x1 - x0, y1 - y0, usual_width, height))
        out[readable] = np.log(np.maximum(fused.max(axis=1), 1e-9)) + joined_letters.VERIFIER_WEIGHT * (
            self.verifier.log_one(pictures, np.stack(geometry))
        )
        return out

    @staticmethod
    def _reads_as_one(
        from_pictures: np.ndarray,
        from_strokes: np.ndarray | None,
        pair: tuple[int, int],
        merged: int,
        prior: float = 1.0,
        one_chance: np.ndarray | None = None,
    ) -> bool:
        """Whether the rows ``pair`` (two neighbours) read ``MERGE_ODDS`` times likelier as the one character
        ``merged`` (``prior``: how much likelier one character was before reading them). With ``one_chance``
        (the piece verifier's log chance of each row being one whole character, strokes only), its say is
        added and the bar is ``STROKE_MERGE_ODDS``."""
        odds = _log_odds_of_one(from_pictures, *pair, merged) + math.log(prior)
        if from_strokes is not None:
            odds += STROKES_SAY * _log_odds_of_one(from_strokes, *pair, merged)
        if one_chance is None:
            return odds > math.log(MERGE_ODDS)
        odds += STROKE_VERIFIER_SAY * (one_chance[merged] - one_chance[pair[0]] - one_chance[pair[1]])
        return odds > math.log(STROKE_MERGE_ODDS)

    @staticmethod
    def _cut_or_whole(
        whole: int,
        cuts: Sequence[tuple[int, int]],
        pictures: Sequence[np.ndarray | None],
        from_pictures: np.ndarray,
        from_strokes: np.ndarray,
        strokes_read: np.ndarray,
        prior: float = 1.0,
        one_chance: np.ndarray | None = None,
    ) -> list[int]:
        """The rows a part is read as: its two sides at the cut that reads likeliest as two characters, if
        that is ``CUT_ODDS`` times likelier than one (the pictures' odds and the strokes', as for
        merging), times ``prior`` (how much likelier one character was before reading, its width; 0: it is
        two, cut where the sides read likeliest), else the part itself. With ``one_chance`` (the piece
        verifier's log chance of each row being one whole character), its say is added and the bar is
        ``STROKE_CUT_ODDS``."""
        bar = CUT_ODDS if one_chance is None else STROKE_CUT_ODDS
        best, best_odds = [whole], math.log(bar) + (math.log(prior) if prior > 0 else -math.inf)
        if pictures[whole] is None:  # nothing to weigh the sides against
            return best
        for left, right in cuts:
            if pictures[left] is None or pictures[right] is None:
                continue
            odds = -_log_odds_of_one(from_pictures, left, right, whole)
            if strokes_read[[whole, left, right]].all():
                odds -= STROKES_SAY * _log_odds_of_one(from_strokes, left, right, whole)
            if one_chance is not None:
                odds += STROKE_VERIFIER_SAY * (one_chance[left] + one_chance[right] - one_chance[whole])
            if odds > best_odds:
                best, best_odds = [left, right], odds
        return best

    def _read_strokes_ahead(self, batch: np.ndarray | None) -> Future[np.ndarray] | None:
        """The stroke model's answers to ``batch`` (:meth:`_stroke_batch`), worked out on the stroke thread;
        None when there is nothing new for it to read (a line read again after a pen-up: its answers are
        remembered, and the hand-off to the thread would cost more than it saves)."""
        if self.fused is None or batch is None:
            return None
        remembered: OrderedDict[bytes, np.ndarray] = self._answer_cache.get("strokes", OrderedDict())
        if all(row.tobytes() in remembered for row in batch):
            return None
        return _strokes_thread().submit(self._answers, "strokes", self.fused.strokes, batch)

    @staticmethod
    def _stroke_batch(sequences: Sequence[np.ndarray | None]) -> np.ndarray | None:
        present = [s for s in sequences if s is not None]
        return np.stack(present).reshape(-1, STROKE_POINTS, len(STROKE_FEATURES)) if present else None

    def _fused(
        self,
        probabilities: np.ndarray,
        sequences: Sequence[np.ndarray | None],
        batch: np.ndarray | None,
        strokes_ahead: Future[np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The pictures' probabilities fused with the strokes' where there are strokes (the stroke model's
        answers to them: from :meth:`_read_strokes_ahead`, or here), and the stroke model's own (NaN rows
        where it did not read)."""
        probabilities = probabilities.copy()
        from_strokes = np.full(probabilities.shape, np.nan, dtype=np.float32)
        with_strokes = [i for i, s in enumerate(sequences) if s is not None]
        if self.fused is not None and batch is not None:
            if strokes_ahead is not None:
                from_strokes[with_strokes] = strokes_ahead.result()
            else:
                from_strokes[with_strokes] = self._answers("strokes", self.fused.strokes, batch)
            # Without the fusion's character prior: fitted on characters alone, it says letters are likelier
            # anywhere, and a line has its own say (its neighbours: 000 after "1," read as OOO with it;
            # validation words 8.88% -> 8.72% without it); the strokes' weight fitted on lines, if it was.
            probabilities[with_strokes] = fuse_probabilities(
                probabilities[with_strokes], from_strokes[with_strokes], self.fused.weights.for_lines()
            )
        return probabilities, from_strokes

    def _finish(
        self,
        parts: list[CharacterPart],
        probabilities: np.ndarray,
        pictures: list[np.ndarray],
        top_k: int,
        start: float,
        punctuation: Sequence[CharacterPart] = (),
        certain: dict[tuple[int, ...], str] | None = None,
        lean: Callable[[int], tuple[float, float] | None] | None = None,
        crossed: Callable[[int], bool] | None = None,
    ) -> ReadLine:
        """Context (letters or digits, case) and the alternatives of each character; then the line's full
        stops and hyphens put in their places (read by their place on the line: no model's classes).
        ``certain``: characters known (by their strokes), as certain as their neighbours' context; ``lean``:
        how far the part at an index leans, and the line without it (degrees right of upright), where it is
        one straight stroke (:func:`slashes_between_digits`); ``crossed``: whether it is shaped as a plus
        sign (:func:`plus_signs_by_digits`)."""
        if not parts:
            return ReadLine((), (time.perf_counter() - start) * 1000)
        signs: list[ReadCharacter] = []
        plus: list[int] = []
        if crossed is not None:  # (its neighbours' kinds as the person's corrections make them)
            corrected = self._with_certain(parts, probabilities, certain or {}, pictures)[0]
            plus = plus_signs_by_digits(parts, corrected, self.labels, crossed, certain or {})
        if plus:
            for i in plus:  # the models' readings after the sign (a merged class in its small form: a t)
                order = np.argsort(-probabilities[i], kind="stable")[: top_k - 1]
                models = [
                    ClassScore(_small_where_merged(self.labels[k], self.labels), float(probabilities[i, k]))
                    for k in order
                ]
                signs.append(_read_by_place("+", parts[i], models))
            kept = [i for i in range(len(parts)) if i not in plus]
            # A space before a sign taken out still parts the words for the context ("AB +10" read "AB +I0":
            # its digits were read with the AB); the text keeps it on the sign.
            carried = _spaces_kept([p.space_before for p in parts], kept)
            parts, probabilities, pictures = [parts[i] for i in kept], probabilities[kept], [pictures[i] for i in kept]
            lean = None if lean is None else _reindexed(lean, kept)
        else:
            carried = [p.space_before for p in parts]
        probabilities, typed = self._with_certain(parts, probabilities, certain or {}, pictures)
        alone = [self.labels[int(row.argmax())] if row.sum() > 0 else "" for row in probabilities]
        in_context = letters_or_digits(probabilities, self.labels, carried)
        # A space there for a comma alone, between what context reads as digits, is taken back, and context
        # asked again without it (the first digit's word was read apart from the rest).
        spaced = _no_comma_space_between_digits(parts, [self.labels[k] for k in in_context.argmax(1)])
        if spaced != parts:
            carried = [
                space and (p.space_before or not was.space_before)
                for space, p, was in zip(carried, spaced, parts, strict=True)
            ]
            parts = spaced
            in_context = letters_or_digits(probabilities, self.labels, carried)
        probabilities = in_context
        if self.letter_pairs is not None:
            probabilities = read_as_english(probabilities, self.labels, carried, self.letter_pairs)
        characters = self._with_case(parts, probabilities, np.stack(pictures), top_k, typed)
        characters = [
            replace(c, read_alone=own) if own and c.top and _kind(own) != _kind(c.text) and i not in typed else c
            for i, (c, own) in enumerate(zip(characters, alone, strict=True))
        ]
        marks = [
            ReadCharacter(p.box, (ClassScore(p.punctuation, 1.0),), p.strokes, p.space_before, punctuation=True)
            for p in punctuation
        ]
        marks += signs
        if lean is not None:
            characters = slashes_between_digits(characters, marks, lean, kept_as_typed=typed.keys())
        in_order = sorted([*characters, *marks], key=_along_the_line)
        return ReadLine(tuple(in_order), (time.perf_counter() - start) * 1000)

    def _with_certain(
        self,
        parts: list[CharacterPart],
        probabilities: np.ndarray,
        certain: dict[tuple[int, ...], str],
        pictures: Sequence[np.ndarray] = (),
    ) -> tuple[np.ndarray, dict[int, str]]:
        """``probabilities`` with each character known by its strokes (``certain``) made its neighbours'
        certain context: its row all of the kind it is (letter or digit), half on what it is where the labels
        have it, half on the models' answers of that kind (its alternatives kept, in their shares).

        A character put right takes its twins along: another character of its word (no space between them)
        that the models read as they read it, and drawn alike (``pictures``: likeness at least
        ``TWIN_LIKENESS``), is made what it was put right as, as it is; with two such put right differently,
        the one drawn most alike (a newcomer put one of "He11o"'s l right and the other stayed a 1).

        Also each such character (by its position) and the letter or digit it was made."""
        if not certain:
            return probabilities, {}
        out = probabilities.copy()
        kinds = np.array([_kind(label) for label in self.labels])
        made = {i: char for i, part in enumerate(parts) if (char := certain.get(tuple(sorted(part.strokes))))}
        read = probabilities.argmax(1)
        twins: dict[int, str] = {}
        if len(pictures) == len(parts):
            for word in _words(parts):
                put_right = [i for i in word if i in made and len(made[i]) == 1 and made[i].isalnum()]
                if not put_right:
                    continue
                for j in (j for j in word if j not in made):
                    alike = [(likeness(pictures[i], pictures[j]), i) for i in put_right if read[i] == read[j]]
                    best, i = max(alike, default=(0.0, -1))
                    if best >= TWIN_LIKENESS:
                        twins[j] = made[i]
        typed = {i: char for i, char in {**made, **twins}.items() if len(char) == 1 and char.isalnum()}
        for i, char in typed.items():
            row = np.where(kinds == _kind(char), out[i], 0.0)
            row = row / row.sum() if row.sum() > 0 else row
            match = [k for k, label in enumerate(self.labels) if label in (char, char.upper(), char.lower())]
            if match:
                as_typed = np.zeros_like(row)
                as_typed[match[0]] = 1.0
                row = (as_typed + row) / 2 if row.sum() > 0 else as_typed
            if row.sum() > 0:
                out[i] = row
        return out, typed

    def _with_case(
        self,
        parts: list[CharacterPart],
        probabilities: np.ndarray,
        pictures: np.ndarray,
        top_k: int,
        typed: dict[int, str] | None = None,
    ) -> list[ReadCharacter]:
        """Each character's forms (case) weighed on the line; a character put right (``typed``: by position),
        or a twin of one, reads first as it was typed, in its case (a twin of an l read as I beside it)."""
        labels = self.labels
        boxes = np.array([p.body_box for p in parts], dtype=np.float64)  # an i's dot says nothing of its size
        best = [labels[int(row.argmax())] for row in probabilities]
        letters = [b if b.isalpha() else "" for b in best]
        votes: list[float | None] | None = None
        # The case model is asked about every letter. It was asked only where print's two cases differ in
        # shape (a b d e f g h l n q r t), the others' case left to size; handwritten c/C, k/K, o/O, s/S ...
        # differ enough for it to tell too (validation words from strokes: CER 9.71 -> 8.23%, any case
        # 7.01 -> 6.63%, words 67.00 -> 69.25%; pictures: CER 12.57 -> 12.04%, words 58.00 -> 58.75%).
        asked = [i for i, letter in enumerate(letters) if letter]
        if self.case_model is not None and asked:
            case_probs = self._answers("case", self.case_model, pictures[asked])
            case_labels = list(self.case_model.labels)
            votes = [None] * len(letters)
            for i, row in zip(asked, case_probs, strict=True):
                letter = letters[i]
                if letter.lower() in case_labels and letter in case_labels:
                    low, high = row[case_labels.index(letter.lower())], row[case_labels.index(letter)]
                    votes[i] = float(low / max(low + high, 1e-9))
        says: Sequence[float | None] = votes or [None] * len(parts)
        # A g read as a 9 by a hair set the baseline of "go" halfway down its tail, and so did not hang. The
        # classes of a small g j p q y: a merged one (G stands for G and g), or the small letter's own.
        hanging = [
            k
            for k, label in enumerate(labels)
            if label.lower() in DESCENDERS.lower() and (label.islower() or label.lower() not in labels)
        ]
        may_hang = (probabilities[:, hanging].sum(1) >= MAY_HANG).tolist() if hanging else []
        line = line_metrics(boxes, best, case_by_shape(best, says, tells_case(labels)), may_hang)
        small_votes = case_votes(labels, best, says, [bool(p.marks) for p in parts])
        fits = np.stack([form_fit(box, line) for box in boxes])
        form_labels, scores = read_case(probabilities, labels, fits, _words(parts), small_votes)
        for i, char in (typed or {}).items():
            if char in form_labels:  # its reading first, with the first's chance: the rest as they were
                k, first = form_labels.index(char), int(scores[i].argmax())
                scores[i, [k, first]] = scores[i, [first, k]]
        out = []
        for i, part in enumerate(parts):
            order = np.argsort(-scores[i], kind="stable")[:top_k]
            top = tuple(ClassScore(form_labels[k], float(scores[i, k])) for k in order)
            out.append(ReadCharacter(part.box, top, part.strokes, part.space_before, part.marks))
        return out


def _along_the_line(character: ReadCharacter) -> float:
    return character.box[0] + character.box[2]


def _sign_alone_in_strokes(strokes: Sequence[np.ndarray]) -> ReadLine | None:
    """A line of one sign, where one to three strokes and nothing else are a "-", "=", ":" or "÷" written
    alone (:func:`ml.runtime.segmentation.lone_sign`: alone, two bars stood in rows of their own, "2 lines of
    writing", or were one character, read "I"; a dash was nothing); None where they are not."""
    drawn = [k for k, points in enumerate(strokes) if len(points)]
    if len(drawn) not in (1, 2, 3):
        return None
    straight = [is_straight_stroke(strokes[k]) for k in drawn]
    inks = [stroke_ink(strokes[k]) for k in drawn]
    sign = lone_sign(np.array([strokes_box(strokes, [k]) for k in drawn]), straight, inks)
    return _one_sign(sign, strokes_box(strokes, drawn), tuple(drawn)) if sign else None


def _sign_alone_in_pieces(
    mask: np.ndarray,
    pieces: Sequence[np.ndarray],
    to_picture: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]],
) -> ReadLine | None:
    """:func:`_sign_alone_in_strokes` for a picture's ink (``mask``: True where ink; its ``pieces``, (row,
    column) pixels each; boxes given by ``to_picture``)."""
    if not (sign := sign_in_ink(mask, pieces)):
        return None
    boxes = piece_boxes(pieces)
    x0, y0 = boxes[:, :2].min(0)
    x1, y1 = boxes[:, 2:].max(0)
    return _one_sign(sign, to_picture((float(x0), float(y0), float(x1), float(y1))), tuple(range(len(pieces))))


def _one_sign(sign: str, box: tuple[float, float, float, float], pieces: tuple[int, ...]) -> ReadLine:
    return ReadLine((ReadCharacter(box, (ClassScore(sign, 1.0),), pieces, punctuation=True),))


def _read_by_place(sign: str, read: CharacterPart | ReadCharacter, models: Sequence[ClassScore]) -> ReadCharacter:
    """A sign read after the models at a character's place (its box, strokes and space kept), their readings
    (``models``, as many as asked for less one) behind it."""
    return ReadCharacter(read.box, (ClassScore(sign, 1.0), *models), read.strokes, read.space_before, punctuation=True)


def _small_where_merged(label: str, labels: Sequence[str]) -> str:
    """A letter class that stands for both cases (the 36 classes' T, for T and t) in its small form."""
    return label.lower() if label.isalpha() and label.lower() not in labels else label


def _reindexed(
    lean: Callable[[int], tuple[float, float] | None], kept: list[int]
) -> Callable[[int], tuple[float, float] | None]:
    """``lean`` asked of the parts ``kept`` by their new indices."""
    return lambda k: lean(kept[k])


def plus_signs_by_digits(
    parts: Sequence[CharacterPart],
    probabilities: np.ndarray,
    labels: Sequence[str],
    crossed: Callable[[int], bool],
    certain: dict[tuple[int, ...], str],
) -> list[int]:
    """The indices of ``parts`` that are plus signs: shaped as one (``crossed``), not put right by the person
    (``certain``, by strokes), between two parts that the line's context, asked without them, reads as
    digits (asked with them, the t they read as made their neighbours letters: "0+9" read "otq"), or first
    in a word whose PLUS_LEADS_DIGITS or more other parts it reads so ("+44 7700" read "t44 7700"), where the
    line so read is PLUS_ODDS times as likely by its kinds as read with a letter (a t) there."""
    # Shapes looked at only beside parts that may be digits (a picture's bars cost 0.1 ms a part).
    kinds = np.array([_kind(label) for label in labels])
    may_be_digit = probabilities[:, kinds == 1].sum(1) >= MAY_BE_DIGIT
    spaces = [part.space_before for part in parts]
    last = len(parts) - 1
    crosses = [
        i
        for i, part in enumerate(parts)
        if (
            (0 < i < last and may_be_digit[i - 1] and may_be_digit[i + 1])
            or ((i == 0 or spaces[i]) and i < last and not spaces[i + 1] and may_be_digit[i + 1])
        )
        and tuple(sorted(part.strokes)) not in certain
        and crossed(i)
    ]
    rest = [i for i in range(len(parts)) if i not in crosses]
    if not crosses or not rest:
        return []
    rest_spaces = _spaces_kept(spaces, rest)
    kept_spaces = dict(zip(rest, rest_spaces, strict=True))
    kinds = letters_or_digits(probabilities[rest], labels, rest_spaces).argmax(1)
    digit = {i: labels[int(k)].isdigit() for i, k in zip(rest, kinds, strict=True)}
    plus = []
    for i in crosses:
        before, after = [j for j in rest if j < i], [j for j in rest if j > i]
        # Its word's other parts, after it: to the next space, a space before a cross taken out too.
        word = list(itertools.takewhile(lambda j: not kept_spaces[j], after[1:]))
        word = [after[0], *word] if after and not spaces[after[0]] else []
        if before and after and digit[before[-1]] and digit[after[0]]:
            digits = [before[-1], after[0]]
        elif (
            (i == 0 or spaces[i])
            and len(word) >= PLUS_LEADS_DIGITS
            and all(digit[j] for j in word)
            and any(labels[int(probabilities[j].argmax())].isdigit() for j in word)  # ("tOO" read "+00")
        ):
            digits = word
        else:
            continue
        # Weighed: the line with it a sign beside digits, and with it a letter (the t it reads as).
        as_sign = kinds_log_likelihood(probabilities[rest], labels, rest_spaces, {rest.index(j): 1 for j in digits})
        as_letter = [j for j in range(len(parts)) if j == i or j not in crosses]
        as_t = kinds_log_likelihood(
            probabilities[as_letter], labels, _spaces_kept(spaces, as_letter), {as_letter.index(i): 0}
        )
        if as_sign - as_t >= math.log(PLUS_ODDS):
            plus.append(i)
    return plus


def _spaces_kept(spaces: Sequence[bool], kept: Sequence[int]) -> list[bool]:
    """Which of the characters ``kept`` (indices, in order) have a space before them, with the others taken
    out of the line: a space before one taken out stands before the next kept ("2 +3" without its + is
    "2 3")."""
    out, after = [], 0
    for j in kept:
        out.append(any(spaces[after : j + 1]))
        after = j + 1
    return out


def slashes_between_digits(
    characters: Sequence[ReadCharacter],
    marks: Sequence[ReadCharacter],
    lean: Callable[[int], tuple[float, float] | None],
    kept_as_typed: Collection[int] = (),
) -> list[ReadCharacter]:
    """``characters`` (the models' answers in context), each read as a 1 between two digits (``marks``, the
    line's punctuation, stand between too) made a "/" where it leans as a slash among digits does
    (``lean``: the character at an index's lean and the line's without it, in degrees right of upright; None
    where it is no straight stroke): "12/05" written with its slash 25 degrees from upright read "12105".
    The models' readings follow the sign's, one click away where it is a 1 after all; a character the
    person put right (``kept_as_typed``, by index) is as they typed it."""
    every = [*characters, *marks]
    order = sorted(range(len(every)), key=lambda k: _along_the_line(every[k]))
    out = list(characters)
    for at in range(1, len(order) - 1):
        i, before, after = order[at], every[order[at - 1]], every[order[at + 1]]
        if i >= len(characters) or i in kept_as_typed:
            continue
        if before.punctuation or after.punctuation or not (before.text.isdigit() and after.text.isdigit()):
            continue
        if characters[i].text != "1" or (measured := lean(i)) is None:
            continue
        degrees, slant = measured
        if degrees >= DIGITS_SLASH_LEAN and degrees - slant >= DIGITS_SLASH_BEYOND_SLANT:
            out[i] = _read_by_place("/", characters[i], characters[i].top[: len(characters[i].top) - 1])
    return out


def _flat_as_drawn(strokes: Sequence[np.ndarray]) -> bool:
    """Whether strokes' ink, rendered as a character is read, is a flat mark (:func:`is_flat_mark`); the
    render only where the points themselves are FLAT_MARK_RATIO times as wide as tall (the pen's width
    only makes ink less flat), as a dash's are and a character's almost never (read at each pen-up)."""
    drawn = [points for points in strokes if len(points)]
    if not drawn:
        return False
    width, height = np.ptp(np.concatenate(drawn), axis=0)
    return bool(width >= FLAT_MARK_RATIO * height) and is_flat_mark(render_drawing(drawn, side=READ_SIDE) < HALF_INK)


def flat_mark_said(line: ReadLine) -> ReadLine:
    """A line of one character whose ink is a flat line across, with the note a character's reading gives it
    (:data:`FLAT_MARK_NOTE`): no label is a dash, and a lone dash was read "s" with nothing said (from strokes,
    "letters joined in one stroke"), where the same dash read as a character said what it is."""
    kept = tuple(note for note in line.notes if note not in (FLAT_MARK_NOTE, JOINED_LETTERS_NOTE))
    return replace(line, notes=(*kept, FLAT_MARK_NOTE))


def likeness(first: np.ndarray, second: np.ndarray) -> float:
    """How alike two characters' pictures are: the correlation of their pixels (1 the same drawing, 0 nothing
    in common); 0 for pictures of different sizes or a blank one."""
    if first.shape != second.shape:
        return 0.0
    a = first.ravel() - first.mean()
    b = second.ravel() - second.mean()
    scale = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / scale if scale > 0 else 0.0


def _in_row(group: Sequence[int], local: dict[int, int]) -> list[int]:
    """A group of strokes by their positions in a row (``local``: a stroke's position among all -> in its
    row), or none when not all of them lie in it."""
    return [local[k] for k in group] if group and all(k in local for k in group) else []


def joined_by_the_pen(line: ReadLine, strokes: Sequence[np.ndarray]) -> bool:
    """Whether a line read from ``strokes`` looks written with letters joined in one stroke that were read as
    one character, or cut into letters one of which is read less sure than ``JOINED_CUT_UNSURE``: a
    character (not cut) whose widest stroke spans
    ``JOINED_FAR_WIDE`` line heights or more and is at least ``JOINED_TALL`` of one tall (not a dash), or, in a
    line of two characters or more, spans ``JOINED_WIDE`` and was read unsure. On the validation words,
    before strokes were cut: 2 of 400 as written; 45 of 154 with every other pair of small letters joined, as
    the tests join them (with the image model before the GPU's, at 0.8 sure: 96 of 234 with half of the pairs
    joined at random; runs of scratch scripts)."""
    characters = [c for c in line.characters if not c.punctuation and c.strokes]
    if not characters:
        return False
    height = line_height(np.array([c.box for c in characters]))
    for character in characters:
        drawn = [strokes[k] for k in character.strokes if 0 <= k < len(strokes) and len(strokes[k])]
        wide, tall = max(((float(np.ptp(s[:, 0])), float(np.ptp(s[:, 1]))) for s in drawn), default=(0.0, 0.0))
        if any(set(c.strokes) & set(character.strokes) for c in characters if c is not character):
            # Cut into letters: noted only when one of them is read far from sure ("nu" read right was noted).
            if bool(character.top) and character.top[0].prob < JOINED_CUT_UNSURE:
                return True
            continue
        if wide >= JOINED_FAR_WIDE * height and tall >= JOINED_TALL * height:
            return True
        unsure = bool(character.top) and character.top[0].prob < JOINED_UNSURE
        if len(characters) > 1 and unsure and wide >= JOINED_WIDE * height:
            return True
    return False


def _box_as_written(
    character: ReadCharacter, to_input: np.ndarray, read: Sequence[np.ndarray], written: Sequence[np.ndarray]
) -> tuple[float, float, float, float]:
    """A character read from strokes levelled or stood upright (``read``, point for point ``written``'s): the
    box round its strokes' points as written that lie in its box as read (a piece of a stroke cut into
    letters: that piece's); the box taken back (:func:`box_moved`, round a turned or sheared one, looser) when
    none do."""
    x0, y0, x1, y1 = character.box
    margin = 1e-6 * max(x1 - x0, y1 - y0, 1e-9)
    inside = []
    for k in character.strokes:
        if 0 <= k < len(read) and len(read[k]):
            points = np.asarray(read[k], dtype=np.float64)
            within = (points[:, 0] >= x0 - margin) & (points[:, 0] <= x1 + margin)
            within &= (points[:, 1] >= y0 - margin) & (points[:, 1] <= y1 + margin)
            inside.append(np.asarray(written[k], dtype=np.float64)[within])
    found = np.concatenate(inside) if inside else np.zeros((0, 2))
    if not len(found):
        return box_moved(character.box, to_input)
    low, high = found.min(0), found.max(0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def _model_read(line: ReadLine) -> int:
    """How many of a line's characters a model read (not punctuation, read by its place)."""
    return sum(not c.punctuation for c in line.characters)


def _sureness(line: ReadLine) -> float:
    """How sure the models are of a line's reading: the mean log-probability of the characters they read
    (a sign read after them, :func:`slashes_between_digits` and :func:`plus_signs_by_digits`, by their
    chance of their own first reading where it is kept: a reading of a line written downhill that made an
    unsure 1 a "/" was not surer for it)."""
    chances = [
        c.top[1].prob if c.punctuation else c.top[0].prob
        for c in line.characters
        if c.top and (not c.punctuation or len(c.top) > 1)
    ]
    return sum(math.log(max(p, 1e-9)) for p in chances) / len(chances) if chances else -math.inf


def _no_comma_space_between_digits(parts: list[CharacterPart], best: list[str]) -> list[CharacterPart]:
    """The parts, a space that is there for a comma alone taken back between digits ("1,000" and "3,14"
    written loosely read "1, 000" and "3, 14"); ``best``: each part's likeliest class in context."""
    return [
        replace(part, space_before=False, comma_space=False)
        if part.comma_space and i > 0 and best[i].isdigit() and best[i - 1].isdigit()
        else part
        for i, part in enumerate(parts)
    ]


@dataclass(frozen=True)
class WrittenInk:
    """The written part of a picture, as the line reader splits it."""

    ink: np.ndarray  # ink in [0, 1], cropped to the writing (and its margin), at most MAX_READ_PIXELS
    peak: float
    mask: np.ndarray  # the pixels that are ink (over half the peak)
    scale: float  # of ``ink`` to the picture's pixels (1: not brought down)
    corner: tuple[int, int]  # the crop's left and top in the picture's pixels


def written_ink(pixels: np.ndarray) -> WrittenInk | None:
    """The written part of a picture's pixels (see :func:`ml.runtime.preprocess.as_pixels`), lighting
    evened out; None when it holds no ink. Raises ValueError when it is mostly ink (not a line)."""
    ink = without_grain(even_ink(unclipped_ink(pixels)))
    peak = float(ink.max()) if ink.size else 0.0
    if peak < 0.12:
        return None
    ink = without_page_lines(ink, ink > 0.5 * peak)
    ink = without_lines_written_on(ink, ink > 0.5 * peak)
    peak = float(ink.max())
    if peak < 0.12:
        return None
    # The written part of the picture only: a word photographed on a whole page keeps its resolution
    # when the picture is brought down to MAX_READ_PIXELS (a 3000 px page: words 37% read right -> 50%).
    inked = ink > 0.5 * peak
    inked_rows, inked_columns = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    margin = max(2, (int(inked_rows[-1] - inked_rows[0]) + 1) // 4)
    crop_y, crop_x = max(0, int(inked_rows[0]) - margin), max(0, int(inked_columns[0]) - margin)
    evened_height, evened_width = ink.shape
    ink = ink[crop_y : int(inked_rows[-1]) + 1 + margin, crop_x : int(inked_columns[-1]) + 1 + margin]
    cropped_height, cropped_width = ink.shape
    scale = min(1.0, MAX_READ_SIDE / max(ink.shape), np.sqrt(MAX_READ_PIXELS / ink.size))
    if scale < 1.0:
        from PIL import Image

        shrunk = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
        ink = np.asarray(Image.fromarray(ink).resize(shrunk, Image.Resampling.BOX), dtype=np.float32)
        peak = float(ink.max())
    mask = ink > 0.5 * peak
    if is_hairline(mask):  # a fine pen's line, broken where it half covers pixels, made whole
        mask = with_faint_links(mask, ink > FAINT_INK * peak)
    height, width = evened_height, evened_width
    mask = without_corner_shading(
        mask,
        left=crop_x == 0,
        top=crop_y == 0,
        right=crop_x + cropped_width >= width,
        bottom=crop_y + cropped_height >= height,
    )
    mask = without_frames(mask)
    if int(mask.sum()) > MAX_INK_PIXELS:  # a dark photo or a full page: not a line, and slow to split
        raise ValueError(
            f"{100 * mask.mean():.0f}% of the written part of the picture is ink: crop it to the written line "
            "(dark writing on light paper)"
        )
    return WrittenInk(ink, peak, mask, scale, (crop_x, crop_y))


def without_corner_shading(mask: np.ndarray, left: bool, top: bool, right: bool, bottom: bool) -> np.ndarray:
    """``mask`` without the pieces of ink in a corner of the picture (touching a side and the side next to
    it; ``left`` ...: whether the mask's sides are the picture's): a vignette's or a shadow's dark corner
    that the evened light left, not writing (it was read as a P beside an R). Only when the rest of the
    ink stands clear of every side: in a picture cropped tight, the first and last letters touch corners
    and the others touch its top and bottom."""
    if not mask.any() or not ((left or right) and (top or bottom)):
        return mask
    height, width = mask.shape
    corners, rest_touches, rest = [], False, 0
    for piece in ink_components(mask):
        rows, columns = piece[:, 0], piece[:, 1]
        sideways = (left and columns.min() == 0) or (right and columns.max() == width - 1)
        upright = (top and rows.min() == 0) or (bottom and rows.max() == height - 1)
        if sideways and upright:
            corners.append(piece)
        else:
            rest += 1
            rest_touches = rest_touches or sideways or upright
    if not corners or not rest or rest_touches:
        return mask
    out = mask.copy()
    for piece in corners:
        out[piece[:, 0], piece[:, 1]] = False
    return out


FRAME_SIDE_SHARE = 0.6  # a frame's ink runs along this share of each side of its box, at least
BAR_SHAPE = 0.2  # a bar is at most this many times as thick as it is long
SIDE_TALLER = 1.3  # a frame's side left alone stands at least this much taller than the writing beside it


def without_frames(mask: np.ndarray) -> np.ndarray:
    """``mask`` without what frames the writing rather than writes it (a box drawn round a label read
    "EXIT" as one a; a rule under the line was cut into letters):

    - a piece along the four sides of its own box (``FRAME_SIDE_SHARE`` of each) that holds two or more
      other pieces: no character does (a % holds its rings inside its stroke's box, but along no side);
    - a bar (``BAR_SHAPE``) clear of the rest, above or below it and as long as it, or beside it, as tall
      and a third taller (``SIDE_TALLER``) than anything there: a rule, or what a page's ruled-line pass
      left of a frame ("Hi 42" in a box read "HiiIz"); a dash stands between characters, and "III" keeps
      its ends."""
    pieces = ink_components(mask)
    if len(pieces) < 3:
        return mask
    boxes = np.array([[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()] for p in pieces])
    heights = boxes[:, 2] - boxes[:, 0] + 1
    widths = boxes[:, 3] - boxes[:, 1] + 1
    framing = []
    for k, piece in enumerate(pieces):
        top, left, bottom, right = boxes[k]
        rest = np.delete(boxes, k, axis=0)
        inside = (rest[:, 0] > top) & (rest[:, 1] > left) & (rest[:, 2] < bottom) & (rest[:, 3] < right)
        if int(inside.sum()) >= 2:
            rows, columns = piece[:, 0], piece[:, 1]
            band = max(2, int(0.1 * min(bottom - top, right - left)))
            along = (
                len(np.unique(columns[rows <= top + band])) / widths[k],
                len(np.unique(columns[rows >= bottom - band])) / widths[k],
                len(np.unique(rows[columns <= left + band])) / heights[k],
                len(np.unique(rows[columns >= right - band])) / heights[k],
            )
            if min(along) >= FRAME_SIDE_SHARE:
                framing.append(piece)
                continue
        across = left <= rest[:, 1].min() and right >= rest[:, 3].max()
        clear_above_or_below = bottom < rest[:, 0].min() or top > rest[:, 2].max()
        tallest_beside = float(np.delete(heights, k).max())
        as_tall = top <= rest[:, 0].min() and bottom >= rest[:, 2].max() and heights[k] >= SIDE_TALLER * tallest_beside
        clear_beside = right < rest[:, 1].min() or left > rest[:, 3].max()
        rule = heights[k] <= BAR_SHAPE * widths[k] and across and clear_above_or_below
        side = widths[k] <= BAR_SHAPE * heights[k] and as_tall and clear_beside
        if rule or side:
            framing.append(piece)
    if not framing:
        return mask
    out = mask.copy()
    for piece in framing:
        out[piece[:, 0], piece[:, 1]] = False
    return out


COUNT_SIDE = 400  # a picture's characters are counted with its longer side brought down to this


@dataclass(frozen=True)
class WritingCount:
    """What a picture holds, counted for a note (a photo of a word or of a note's lines given one guess)."""

    apart: int  # characters clearly side by side in one line (0: no ink, or not one line; 1: one, or may be)
    lines: int  # lines of two characters or more, where it holds two or more such (0 otherwise)


def writing_in_picture(image: ImageLike) -> WritingCount:
    """The characters a picture clearly holds side by side, split as text mode splits a picture
    (:func:`ml.runtime.segmentation.clearly_apart`), or its lines of writing
    (:class:`ml.runtime.segmentation.RowsOfWritingError`'s ``lines``: an 8 whose loops do not touch is rows
    of one part, no lines). Counted on the picture brought down to COUNT_SIDE px: a note's worth."""
    try:
        written = written_ink(_counting_pixels(image))
        return WritingCount(clearly_apart(split_ink(written.mask)[0]) if written is not None else 0, 0)
    except RowsOfWritingError as rows:
        return WritingCount(0, rows.lines)
    except ValueError:  # mostly ink, too many pieces: no count to give
        return WritingCount(0, 0)


def writing_in_strokes(strokes: Sequence[np.ndarray]) -> WritingCount:
    """The characters strokes stand apart as, split as text mode splits them
    (:func:`ml.runtime.segmentation.apart_characters`), or their lines of writing (rows of one part each, a
    colon or an 8 of two loops, are none: as :func:`writing_in_picture` counts a picture's); none for more
    strokes than a line holds (one character shaded in)."""
    try:
        return WritingCount(apart_characters(list(strokes)), 0)
    except RowsOfWritingError as rows:
        return WritingCount(0, rows.lines)
    except ValueError:
        return WritingCount(0, 0)


def apart_in_picture(image: ImageLike) -> int:
    """:attr:`WritingCount.apart` of :func:`writing_in_picture`."""
    return writing_in_picture(image).apart


def _counting_pixels(image: ImageLike) -> np.ndarray:
    """The picture's pixels, brought down to COUNT_SIDE px on their longer side (a count, not a reading)."""
    pixels, _ = as_pixels(image)
    if max(pixels.shape[:2]) > COUNT_SIDE:
        from PIL import Image

        factor = COUNT_SIDE / max(pixels.shape[:2])
        size = (max(1, round(pixels.shape[1] * factor)), max(1, round(pixels.shape[0] * factor)))

        def shrink(channel: np.ndarray) -> np.ndarray:
            image = Image.fromarray(np.ascontiguousarray(channel, dtype=np.float32))
            return np.asarray(image.resize(size, Image.Resampling.BOX))

        channels = [pixels] if pixels.ndim == 2 else [pixels[..., c] for c in range(pixels.shape[2])]
        shrunk = [shrink(channel) for channel in channels]
        pixels = shrunk[0] if pixels.ndim == 2 else np.stack(shrunk, axis=-1)
    return pixels


WIDE_PICTURE = 1.3  # a picture at least this many times wider than tall is a word's shape, however small
# A picture narrower than that and at most this many px long is a character's crop (a data set's 28-64 px):
# its writing is not counted (a count per file took 1.7 ms, and a batch of 600 such read in 2.3 s, not 1.1 s).
CROP_SIDE = 64


def writing_in_picture_file(path: str | Path | bytes) -> WritingCount:
    """:func:`writing_in_picture` of a picture file's preview, as the pad counts an opened picture's, in any
    picture wider than tall or larger than a character's crop (CROP_SIDE); none for a file that cannot be
    read. Its size from the header, its count from a preview COUNT_SIDE px long (a JPEG decoded at 1/8
    scale): a folder of phone photos is not decoded twice. (Characters side by side were counted only in a
    picture 1.3 times wider than tall: a teacher's "Dog" on a photo 1.27 times as wide was read as one M,
    said nothing. Drawn alone, 4 of 6,000 validation writers' characters, rendered square at two pens,
    count as several: an N, H or M of strokes apart.)"""
    from ml.runtime.image_io import ImageLoadError, preview_pixels, shown_size

    try:
        data = path if isinstance(path, bytes) else Path(path).read_bytes()
        width, height = shown_size(data)
        if width < WIDE_PICTURE * height and max(width, height) <= CROP_SIDE:
            return WritingCount(0, 0)
        return writing_in_picture(preview_pixels(data, COUNT_SIDE).astype(np.float32) / 255.0)
    except (ImageLoadError, OSError):
        return WritingCount(0, 0)


def _pixel_part(pixels: np.ndarray, whole: CharacterPart, right_side: bool) -> CharacterPart:
    """One side of a cut piece of ink as a character: its box from its pixels, a space only before the
    left one."""
    top, left = pixels.min(0)
    bottom, right = pixels.max(0) + 1
    box = (float(left), float(top), float(right), float(bottom))
    space = whole.space_before and not right_side
    return CharacterPart(box, whole.strokes, space, (), box, comma_space=whole.comma_space and space)


def ink_picture(ink: np.ndarray, pixels: np.ndarray, peak: float) -> np.ndarray | None:
    """The model input of the ink at ``pixels`` ((row, column) pairs) alone on paper; None if blank."""
    if not len(pixels):
        return None
    (y0, x0), (y1, x1) = pixels.min(0), pixels.max(0) + 1
    crop = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    crop[pixels[:, 0] - y0, pixels[:, 1] - x0] = ink[pixels[:, 0], pixels[:, 1]]
    crop = np.pad(crop, max(2, int(y1 - y0) // 8))
    try:
        return preprocess(1.0 - crop / max(peak, 1e-6)).input
    except (BlankImageError, ValueError):
        return None


def _dots_over(part: CharacterPart, body: int, strokes: Sequence[np.ndarray], height: float) -> bool:
    """Whether every mark of ``part`` (none: true) lies above the top of its stroke ``body`` (an i's dot)."""
    top = float(strokes[body][:, 1].min())
    return all(float(strokes[k][:, 1].max()) <= top + DOT_OVER * height for k in part.marks)


def _cut_from_one_stroke(a: CharacterPart, b: CharacterPart, origin: Sequence[int], drawn: int) -> bool:
    """Whether parts ``a`` and ``b`` each hold a piece of the same drawn stroke (pieces: positions from
    ``drawn`` on, ``origin`` naming the stroke each was cut from)."""
    cut_a = {origin[k] for k in a.strokes if k >= drawn}
    return bool(cut_a & {origin[k] for k in b.strokes if k >= drawn})


def _certain_by_pieces(
    parts: Sequence[CharacterPart], certain: dict[tuple[int, ...], str], origin: Sequence[int]
) -> dict[tuple[int, ...], str]:
    """The person's corrections (by drawn strokes) by the parts' own strokes, pieces of a cut stroke among
    them; a correction that names the drawn strokes of several parts (two letters cut from one stroke) is
    no one's."""
    drawn_of = [tuple(sorted({origin[k] for k in p.strokes})) for p in parts]
    return {
        tuple(sorted(p.strokes)): certain[named]
        for p, named in zip(parts, drawn_of, strict=True)
        if named in certain and drawn_of.count(named) == 1
    }


def _named_by_drawn_strokes(line: ReadLine, origin: Sequence[int]) -> ReadLine:
    """A line read from strokes some of which were cut, its characters naming the strokes that were drawn (two
    letters cut from one stroke both name it)."""

    def drawn(which: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted({origin[k] for k in which}))

    return replace(
        line,
        characters=tuple(
            replace(c, strokes=drawn(c.strokes), marks=drawn(c.marks)) if c.strokes else c for c in line.characters
        ),
    )


def _with_their_strokes(
    part: CharacterPart, cut: int, pieces: Sequence[int], strokes: Sequence[np.ndarray]
) -> list[CharacterPart]:
    """A part whose stroke ``cut`` was cut into ``pieces`` (positions in ``strokes``), as one part a piece, left
    to right: each of its other strokes goes with the piece whose middle is nearest its own along the line (a
    t's bar, an i's dot, with the stem under them); the first keeps the part's space."""
    middles = [(float(strokes[k][:, 0].min()) + float(strokes[k][:, 0].max())) / 2 for k in pieces]
    owned: list[list[int]] = [[k] for k in pieces]
    for k in part.strokes:
        if k != cut and len(strokes[k]):
            middle = (float(strokes[k][:, 0].min()) + float(strokes[k][:, 0].max())) / 2
            owned[int(np.argmin([abs(middle - m) for m in middles]))].append(k)
    made = []
    for group in owned:
        marks = tuple(k for k in group if k in part.marks)
        body = [k for k in group if k not in marks]
        box = strokes_box(strokes, group)
        made.append(CharacterPart(box, tuple(sorted(group)), marks=marks, body=strokes_box(strokes, body)))
    made.sort(key=lambda p: p.box[0] + p.box[2])
    return [replace(made[0], space_before=part.space_before, comma_space=part.comma_space), *made[1:]]


def without_punctuation(parts: Sequence[CharacterPart]) -> tuple[list[CharacterPart], list[CharacterPart]]:
    """A line's parts as the characters the models read, and its punctuation (full stops, commas, ...)."""
    return [p for p in parts if not p.punctuation], [p for p in parts if p.punctuation]


def picture_candidates(
    parts: Sequence[CharacterPart],
    pieces: Sequence[np.ndarray],
    height: float,
    usual_width: float | None,
    cut_wide: float = CUT_WIDE,
) -> tuple[list[tuple[int, CharacterPart, np.ndarray]], dict[int, int]]:
    """Every reading of a picture's ink that text mode weighs, as (owner, part, pixels): each part (the
    owner is its index), then the two sides of each cut of it (:func:`cut_columns`; the same owner: two
    characters that touch make one piece of ink, and only recognition tells them from one wide
    character); last, each pair of close parts read as one (owner -1: a character whose strokes do not
    touch, the arms of a K short of its stem), with ``merged_of`` mapping the left part's index to it.
    Pictures of the validation words, close pairs read as one: CER any case 11.85 -> 11.28%."""
    candidates: list[tuple[int, CharacterPart, np.ndarray]] = []
    for i, part in enumerate(parts):
        pixels = np.vstack([pieces[k] for k in part.strokes])
        candidates.append((i, part, pixels))
        body_pixels = np.vstack([pieces[k] for k in part.strokes if k not in part.marks] or [pixels])
        for cut in cut_columns(body_pixels, height, usual_width, cut_wide):
            left, right = pixels[pixels[:, 1] < cut], pixels[pixels[:, 1] >= cut]
            if len(left) and len(right):
                candidates += [(i, _pixel_part(left, part, False), left), (i, _pixel_part(right, part, True), right)]
    merged_of: dict[int, int] = {}
    for i in close_pieces(parts, pieces):
        merged_of[i] = len(candidates)
        whole = merge_parts(parts[i], parts[i + 1])
        candidates.append((-1, whole, np.vstack([pieces[k] for k in whole.strokes])))
    return candidates, merged_of


def stroke_candidates(
    parts: Sequence[CharacterPart], pairs: Sequence[int], cuts: Sequence[tuple[int, CharacterPart, CharacterPart]]
) -> tuple[list[CharacterPart], dict[int, int], dict[int, list[tuple[int, int]]]]:
    """What a line of strokes is read as: its parts, then each close pair ``pairs`` (i: parts i and i + 1)
    merged, then the two sides of each cut (:func:`ml.runtime.segmentation.stroke_cuts`). Also the row of
    each pair's merge (by i) and the rows of each part's cut sides (by part). The verifier learns from these
    candidates as text mode makes them (:mod:`ml.training.piece_verifier`)."""
    candidates = list(parts) + [merge_parts(parts[i], parts[i + 1]) for i in pairs]
    merged_of = {pair: len(parts) + n for n, pair in enumerate(pairs)}
    cut_rows: dict[int, list[tuple[int, int]]] = {}
    for i, left, right in cuts:
        cut_rows.setdefault(i, []).append((len(candidates), len(candidates) + 1))
        candidates += [left, right]
    return candidates, merged_of, cut_rows


def stroke_picture(group: Sequence[np.ndarray]) -> np.ndarray:
    """A character's model input from its strokes, as text mode renders a candidate; raises as
    :func:`ml.runtime.render.render_drawing` and :func:`ml.runtime.preprocess.preprocess` do."""
    return preprocess(render_drawing(group, side=READ_SIDE)).input


def verified_rows(candidates: Sequence[tuple[int, CharacterPart, np.ndarray]]) -> list[int]:
    """The candidates the piece verifier is asked about: each part offered cuts, and the sides of them."""
    rows_of: dict[int, list[int]] = {}
    for k, (owner, _, _) in enumerate(candidates):
        if owner >= 0:
            rows_of.setdefault(owner, []).append(k)
    return sorted(k for rows in rows_of.values() if len(rows) > 1 for k in rows)


def usual_character_width(parts: Sequence[CharacterPart]) -> float | None:
    """The median width of a line's parts' bodies, at least ``USUAL_WIDTH_FLOOR`` line heights (a line of
    stems, 1 l I, has next to no width); None with fewer than ``WIDTH_PARTS`` parts (the pieces of one
    character drawn apart would be their own measure)."""
    if len(parts) < WIDTH_PARTS:
        return None
    height = line_height(np.array([p.body_box for p in parts]))
    return max(float(np.median([p.body_box[2] - p.body_box[0] for p in parts])), USUAL_WIDTH_FLOOR * height)


def width_prior(box: tuple[float, float, float, float], usual_width: float | None) -> float:
    """How much likelier a piece ``box`` wide is one character than two, from its width against the line's
    usual character width: 1 at ``ONE_WIDE`` usual widths, halved at each doubling beyond (WIDTH_SAY 1)
    and doubled at each halving below, within ``WIDTH_CAP`` either way; 1 when the line has no usual
    width."""
    if usual_width is None or usual_width <= 0:
        return 1.0
    prior = (ONE_WIDE * usual_width / max(box[2] - box[0], 1e-9)) ** WIDTH_SAY
    return float(min(max(prior, 1 / WIDTH_CAP), WIDTH_CAP))


def _log_odds_of_one(probabilities: np.ndarray, a: int, b: int, merged: int) -> float:
    """How much likelier two neighbours read as one character than as two (log): the merged reading's best
    probability against the product of theirs."""
    one = float(probabilities[merged].max())
    two = float(probabilities[a].max()) * float(probabilities[b].max())
    return math.log(max(one, 1e-12)) - math.log(max(two, 1e-12))


@functools.cache
def _strokes_thread() -> ThreadPoolExecutor:
    """The one thread every line reader's stroke model reads on (a thread per reader outlived each reader
    a model change replaced)."""
    return ThreadPoolExecutor(1, thread_name_prefix="line-strokes")


# A forked process has the executor but not its thread: its first read would wait for ever.
os.register_at_fork(after_in_child=_strokes_thread.cache_clear)


def read_error(error: Exception) -> str:
    """A one-line reason for a line that could not be read."""
    if isinstance(error, (ImageLoadError, StrokesError, ValueError, OSError)):
        return str(error) or type(error).__name__
    return f"{type(error).__name__}: {error}"
