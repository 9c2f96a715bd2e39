"""Splitting a written line into characters: from its strokes, or from the ink of a picture.

A person writes printed characters left to right, as on a form. From strokes (the canvas, a stroke
file), in the order they were written:

- a stroke joins the character being written when it overlaps it along the line (the bar of a T, the
  second stroke of a 4 or an E), measured against the narrower of the two so that a neighbour that
  merely comes close stays apart, or when it starts or ends on its ink (the arms of a K), or its ink
  holds the end of one of the character's strokes;
- a stroke that joins the character being written and also meets the one before merges the two (the
  bar of an H written after both stems), and so does a bar written first that a stroke meets at one end
  and the character before at the other (an H drawn bar first, then one stem and the other);
- a stroke that starts where the last one ended, on the way it was going, goes on with it (the pen
  lifted for an instant: an o in two halves side by side);
- a later stroke that overlaps an earlier character that much joins it instead (a t crossed after the
  word was finished);
- a small mark (the dot of an i or j; not a small part whose ink runs ``LETTER_INK`` line heights: a letter
  written small) joins the character under it, or the nearest one, and so does a
  flat stroke that joins nothing by overlap (no label is a dash: a 5's flag drawn beside its body); one
  that stands in a gap, over no character, joins the character written just before it (or just after)
  when that one is within reach: a flag drawn off to the right is its 5's, not the next digit's; marks
  that join no character stand as characters of their own (letters written far smaller than the line's),
  and join one another only by overlapping along the line, as strokes do; a speck among them (a stray
  touch of the pen, dust on a photo) is not read at all;
- marks no model reads are read by their place on the line instead (:func:`punctuation_mark`, :func:`colons`,
  :func:`dot_below`): a speck sitting on the baseline in a gap is a full stop ("4.2", not "42"; so is a speck
  of dust there on a photo), two specks one above the other there a colon ("3:45"), a flat dash across the
  middle of the line in a gap a hyphen ("A-4") unless another mark stands over it, two such dashes one above
  the other an equals sign (:func:`equals_signs`: "3=5"), such a dash between two dots a division sign
  (:func:`division_signs`: "6÷2"), a tick hanging from the baseline a comma ("Hi, 4"), a tick high in a gap an
  apostrophe ("it's"), a character with a dot under it a "!" (a stem) or a "?" (a hook), and one straight
  stroke (or a picture's straight piece of ink) leaning far to the right as it rises a "/" (:func:`is_slash`:
  "12/05"); once the models have read the line, between two digits a 1 leaning less is a "/" too, and two
  straight strokes (or a picture's piece of ink of two straight bars, :func:`crossing_bars`) crossing near
  their middles, one flat and one upright, a "+" (:func:`is_plus`: "2+3"; among letters that shape is a t, as
  517 of UNIPEN's 524 characters so shaped are; :mod:`ml.runtime.line_reader`'s ``slashes_between_digits`` and
  ``plus_signs_by_digits``); the reader gives them as they are;
- everything else starts a character.

The rules join some neighbours that are two characters (a letter that starts on the last one's ink, or
is written far smaller than the line): :func:`stroke_cuts` offers the places where a character's strokes,
in writing order, fall into two sides that overlap little along the line, and the reader keeps a cut
where the two sides read far likelier than the whole, as it merges neighbours (:func:`close_pairs`: their
ink close, or their boxes overlapping along the line).

From a picture (a photo or scan of a word), each connected piece of ink is a part, and parts that
overlap along the line as above form one character (the dot of an i again, the two bars of an =). A
piece wider than ``WIDE_INK`` line heights (or ``CUT_WIDE`` usual character widths) may be two characters
that touch: :func:`cut_columns` gives the places to cut it, and the reader keeps a cut where both sides
read likelier than the whole; neighbours whose ink nearly meets (:func:`close_pieces`) are read as one
too, and kept as one where that reads far likelier, as for strokes.

One line only: parts that stand in rows one above the other raise RowsOfWritingError, more than a line
holds TooMuchWritingError (two lines read as one would be nonsense). Characters are returned left to
right; a gap wider than ``SPACE_GAP`` of the writing's full height (its tallest character, at most
``SPACE_HEIGHT_CAP`` line heights; ``TIGHT_SPACE_GAP`` line heights where every other letter, ``TIGHT_GAPS``
of them at least, all but touches its neighbour: type) and ``SPACE_OVER_USUAL`` times the line's usual gap
marks a space. The usual gap is the median of the line's other gaps between letters ``APART``; with one
such gap, or only closer ones, that gap or ``APART`` (at most a line height over ``SPACE_OVER_USUAL``);
with no other gap (two characters), a line height over ``SPACE_OVER_USUAL``. Among short words, whose
spaces raise that median, a gap is also a space where the line's gaps fall into two sizes clearly apart
(``WORD_GAP_RATIO``) and it is of the wide ones, or where it is ``SURE_SPACE_GAP`` line heights wide and
``SPACE_OVER_USUAL`` times the line's narrow gaps (the median of the narrower half of the others). After a
comma, a gap of ``COMMA_SPACE_GAP`` line heights wider than the line's narrow gaps is a space.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

JOIN_OVERLAP = 0.45  # share of the narrower width two parts must overlap along the line to be one character
MIN_WIDTH = 0.15  # a vertical stroke counts this many line heights wide (a 1 has no width to overlap)
TOUCH_OVERLAP = 0.2  # a stroke bridging two characters must overlap the earlier one this much too
TOUCH_REACH = 0.05
TOUCH_NEAR_OVERLAP = 0.2  # ... and a stroke that meets the one being written must overlap it this much
GO_ON_REACH = 0.15  # a stroke starting this many line heights from where the last one ended may go on with it,
GO_ON_LOOK = 0.08  # ... its way and the last one's measured over this many line heights of each
GO_ON_ALIGNED = 0.7  # ... turning less than 45 degrees, the gap between them along that way
GO_ON_TOUCH = 0.02  # ... or too short to have a way
GO_ON_WIDEST = 0.8  # ... and the two no wider than this many line heights
BRIDGE_REACH = 0.15  # a bar's end meets a stroke within this share of the bar's length
SMALL_MARK = 0.3  # a part this many line heights tall and wide at most is a mark (an i's dot)
# ... unless (strokes) its ink runs this many line heights: a letter written small beside tall ones (an r,
# s or n a fifth of the line's ascenders), not a dot, tick or flag. Of the validation words' strokes that
# small, 582 were parts of larger characters, none with ink 0.75 line heights long, and 47 whole small
# letters, 9 of them this long (0.6: 21 of 47, and 4 parts).
LETTER_INK = 0.8
# A mark this many line heights tall and wide at most that joins no character is not read at all. The
# smallest whole letter among 1,200 composed words' marks alone was 0.14; pieces of characters left
# alone by the data's stray pen touches 0.09 and 0.10.
SPECK = 0.1
# A part this many line heights tall at most is no character on its own (no label is a dash): a bar or
# flag drawn apart (a 5's flag to the right of its body) that joins no character by overlap joins the
# nearest one, as a mark does.
FLAT = 0.2
# A full stop: a speck whose centre is within this many line heights of the baseline. A hyphen: a flat
# mark at least HYPHEN_LONG times as wide as it is tall and HYPHEN_WIDE line heights wide, its centre
# HYPHEN_LOW to HYPHEN_HIGH line heights above the baseline (a 5's flag drawn apart is at the top).
STOP_BAND = 0.2
DESCENT = 0.2  # bottoms this many line heights apart are two sets: the characters on the line, and those below
# A colon: two dots this many line heights across at most, one over the other, the lower a full stop's,
# the upper COLON_LOW to COLON_HIGH line heights above the baseline.
COLON_DOT = 0.15
COLON_LOW, COLON_HIGH = 0.25, 0.85
HYPHEN_LONG = 2.5
HYPHEN_WIDE = 0.2
HYPHEN_LOW, HYPHEN_HIGH = 0.2, 0.7
BOLD_HYPHEN_LONG = 2.0  # ... or, for a thick pen's dash, its ink this many times as wide as tall
# A comma and an apostrophe are ticks: a mark at least TICK_LONG line heights tall and TICK_UPRIGHT times
# as tall as it is wide (a flag or bar drawn apart lies flat, a speck is shorter). A comma hangs from the
# baseline, its top at most COMMA_TOP line heights above it and its foot COMMA_BELOW below; an
# apostrophe stands with its foot at least APOSTROPHE_HIGH line heights above the baseline.
TICK_LONG = 0.12
# A slash: one straight stroke (its ink at most SLASH_STRAIGHT times the distance between its ends) rising
# at least SLASH_TALL line heights, leaning right at least SLASH_LEAN degrees from upright as it rises. Of
# UNIPEN's single straight strokes written alone, 9 of 1,398 1s, 6 of 1,174 Is and 1 of 2,542 ls lean more
# than 35 degrees (24, 14 and 11 more than 30): a slash leaning less is read as a 1.
SLASH_STRAIGHT = 1.15
SLASH_TALL = 0.6
SLASH_LEAN = 35.0
# In a picture, a piece is straight where no pixel strays from its axis more than PIECE_STRAIGHT_PEN pen
# widths and PIECE_STRAIGHT_BOW of its length. Of 198 straight strokes drawn as slashes into composed test
# words, 90% strayed at most 0.72 pen widths; the pieces of the words' letters taken for slashes without it
# (29 in 10,363 characters: y's, r's, a k's arms) strayed 0.6-7.9.
PIECE_STRAIGHT_PEN = 0.75
PIECE_STRAIGHT_BOW = 0.03
# An equals sign: two flat marks (each a hyphen's shape) overlapping along the line, their middles
# EQUALS_APART_LOW to EQUALS_APART_HIGH line heights apart, one at most EQUALS_WIDER times the other's width,
# the pair's middle where a hyphen's is, in a gap.
EQUALS_APART_LOW, EQUALS_APART_HIGH = 0.08, 0.6
EQUALS_WIDER = 2.0
# Written alone (nothing else on the pad), a flat straight bar is a "-" (a lone dash read as nothing, or as
# a letter with a note), and two marks one above the other stand in rows of their own, which read as two
# lines of writing ("=" written first in text mode was "2 lines of writing"): an "=" where both
# are straight bars, each HYPHEN_LONG times as long as thick, one at most EQUALS_WIDER times the other's
# length, their middles apart by at most the longer's length; a ":" where each is a dot, at most LONE_DOT of
# the distance between their middles across, and as long in ink (lone_sign). Two stacked characters are
# still two lines: a picture's "2" over a "3" read ":" while a dot was measured only by its box, less a pen
# taken from the boxes themselves.
LONE_DOT = 0.25
# A division sign: a bar where a hyphen stands (a hyphen's shape and place), a dot over it and a dot under
# it, each a colon's dot (COLON_DOT), its middle at most DIVISION_CENTRED of the bar's length from the bar's
# middle along the line (a colon written before a dash, ":-", is no division) and at most DIVISION_APART line
# heights from it across, the upper one no i's or j's dot, in a gap ("6÷2" read "6-:2": its dots a colon,
# its bar a hyphen).
DIVISION_APART = 0.6
DIVISION_CENTRED = 0.25
# A plus sign's shape: two straight strokes, one within PLUS_TILT degrees of flat and one of upright,
# crossing between PLUS_MIDDLE and 1 - PLUS_MIDDLE of each, one at most PLUS_LONGER times the other's length.
PLUS_TILT = 25.0
PLUS_MIDDLE = 0.25
PLUS_LONGER = 2.0
PLUS_TILT_REACH = 0.2  # of a picture's cross's width: rows this far from its flat bar's are the upright bar's
TICK_TALLEST = 0.45  # a tick alone as tall as a third of the line is not a mark (SMALL_MARK), but a comma still
TICK_UPRIGHT = 1.2
TICK_PATH = 1.5  # ... and its ink at most this many times as long as its box is across (no loop, no hook)
COMMA_TOP = 0.35
COMMA_BELOW = 0.08
APOSTROPHE_HIGH = 0.5
# ... and at least APOSTROPHE_LONG tall: an i's or j's dot drawn as a tick and drifted into the gap is
# shorter (0.15-0.18 line heights, the 4 false apostrophes among 2,000 words of the training writers with
# TICK_LONG alone; a printed apostrophe is about a quarter of the line).
APOSTROPHE_LONG = 0.2
# ... and not over a neighbour this many line heights wide at most (an i, a j), within DOT_DRIFT of it
# along the line: that is the neighbour's dot drawn as a tick.
DOTTED_WIDTH = 0.3
DOT_DRIFT = 0.3
# An exclamation or question mark: a character whose one dot sits on the baseline under its body, the
# body clear of the dot by DOT_GAP and of the baseline by BODY_ABOVE line heights (no letter or digit has
# a dot below it), and at least BODY_TALL line heights tall; a stem's width is a "!", a hook's a "?".
DOT_GAP = 0.03
BODY_ABOVE = 0.12
BODY_TALL = 0.5
BODY_TALLEST = 1.4  # ... and no taller than this with its dot (a k with a stray touch of the pen under it)
STEM_WIDTH = 0.15  # a character this many line heights wide at most is a stem (a 1, an l, half an H)
HYPHEN_TOUCH = 0.15  # share of a hyphen's width that may reach over a neighbour (written close to it)
# A full stop and a hyphen stand clear of the characters beside them by this many line heights at least:
# an H's bar or a 5's flag drawn apart nearly meets its own strokes, a writer's stray dot its character.
# Among 2,000 words composed from the training writers (no punctuation in them), the rules leave 2 false
# hyphens and 4 false full stops, in 5 words (13 and 6 with no clearance asked, nothing else asked).
STOP_CLEAR = 0.03
HYPHEN_CLEAR = 0.08
LINE_PART = 0.45  # a part at least this many line heights tall counts towards a row of writing
ROW_MARGIN = 0.05  # rows one above the other: each row's extent widened by this many line heights
LINE_GAP = 0.25  # parts this many line heights apart vertically, with nothing between, are two lines
SPACE_GAP = 0.5  # a gap this many line heights wide is a space ...
# ... or this many where every other letter all but touches its neighbour (closer than APART): type, whose
# spaces are narrower ("KEEP OUT", "code 42" printed read as one word). `glyphpad-ml evaluate --source
# printed_words` CER 10.32 -> 9.49% (STIX 16.3 -> 10.5%); the validation words from strokes 8.15% either way,
# as pictures 11.96 -> 12.04% (2 of 400 words). SPACE_GAP 0.4 for every line instead: more false spaces.
TIGHT_SPACE_GAP = 0.35
COMMA_SPACE_GAP = 0.3  # ... or after a comma, this many (and wider than the line's narrow gaps, not twice)
# ... if it is also this many times the line's median gap. 2.0, not 2.5: on the validation words with one
# gap of 0.6-1.0 capital heights put in, the space is found in 206 of 349 words, not 125; the words as
# written get 12 false spaces, not 6 (measured with a scratch script; a new user's "HI 42" read "H142").
# 1.85 since SPACE_GAP is measured against the writing's full height (SPACE_HEIGHT_CAP), which asks more of a
# space in a word of small letters; 1.8 read a gap of 55 among letters 30 apart as a space.
SPACE_OVER_USUAL = 1.85
# A line's gaps fall into letters' and words' where the wide ones are this many times the narrow. On the
# validation words cut into short words (1-3 characters, gaps of 0.6-1.0 capital heights; scratch script):
# 372 of 855 spaces found, not 235, 10 false (none before); the words as written keep their 12 false
# spaces, and one space put in a word is found in 292 of 349, not 295 (2.5: 522 found, 31 false spaces in
# the words as written; 3.5: 295 found).
WORD_GAP_RATIO = 3.0
# A gap this many line heights wide is a space where it is SPACE_OVER_USUAL times the line's narrow gaps, its
# usual gap raised by the other spaces of short words ("CH 7 P 45", letters 0.75 line heights apart, words
# 1.95: read "CH7P45"). Validation words cut into words of 1-3 characters (runs/spaces.py, a scratch): 955
# -> 964 of 1049 spaces found, false spaces unchanged (3; 18 in the words as written); 1.2: 973, one more
# false space in the words as written, 1.0: 988, three more.
SURE_SPACE_GAP = 1.5
APART = 0.15  # letters this many line heights apart stand apart: closer ones say nothing of the usual gap
# SPACE_GAP is measured against the writing's full height: its tallest character (a capital, a digit, a b d f h k
# l t, a g j p q y), at most SPACE_HEIGHT_CAP line heights (a flourish is not the writing's size). The line height
# is the median of its taller half: in a word of small letters mostly the x-height, while a hand spaces its letters
# by its full size ("zemguhmmx" read "ze mg uhmmx"). With SPACE_OVER_USUAL 1.85 (was 2.0) and TIGHT_GAPS, from
# split_strokes alone (scratch script, the 1600 validation words; in brackets the training writers' 1600): false
# spaces in the words as written 116 -> 45 (121 -> 45); one gap of 0.6-1.0 capital heights put in, found in 1195 ->
# 1178 of 1600 (1204 -> 1203 of 1597); cut into words of 1-3 characters, 1733 -> 1797 of 4191 spaces found (1619 ->
# 1746 of 4062). Read end to end (glyphpad-ml evaluate --model emnist36_cnn --source words_val ...): the validation
# writers' words' CER 8.92 -> 8.30%, the test writers' 8.68 -> 7.83%; printed_words lost one space ("code 42" in
# DejaVu Serif at 110 px: its space 0.524 line heights, its d 1.05 tall).
SPACE_HEIGHT_CAP = 1.5
# Type's narrower spaces (TIGHT_SPACE_GAP) where at least this many other gaps all but touch: one tight gap of
# a three-letter handwritten word ("z rx", "7 1207") is no sign of type.
TIGHT_GAPS = 2
MAX_CHARACTERS = 64  # more parts than this is not one line of writing
# ... nor more strokes than this (four a character): refused before splitting, which weighs strokes in
# pairs (10,000 dots took 18 s to be refused as 700 characters).
MAX_LINE_STROKES = 4 * MAX_CHARACTERS
# A picture of more pieces of ink than one line holds may be a page of lines, each read as a line: up to
# this many pieces (a page of some 16 lines; past it a picture of texture, or more than a photo of notes holds).
MAX_PAGE_PIECES = 16 * MAX_CHARACTERS
STROKES_FILL = 0.55  # a page's pieces of writing fill less of their boxes than this, the median of them


class NotOneLineError(ValueError):
    """Writing that is not one line: rows one above the other (:class:`RowsOfWritingError`) or more than
    one line holds (:class:`TooMuchWritingError`)."""


class RowsOfWritingError(NotOneLineError):
    """Writing in rows, one above the other; ``lines``: how many rows of two characters or more it found (0
    where the rows are of one part each: an 8 whose loops do not touch may be one, a note of lines is not)."""

    def __init__(self, message: str, lines: int = 0) -> None:
        super().__init__(message)
        self.lines = lines


SIDEWAYS = "rows of writing that do not read as lines (a line standing sideways? turn the picture a quarter)"


class SidewaysWritingError(RowsOfWritingError):
    """Lines of writing standing sideways: each a column of letters one above the other."""


class TooMuchWritingError(NotOneLineError):
    """More strokes, pieces of ink or characters than one line of writing holds."""


@dataclass(frozen=True)
class CharacterPart:
    """One character found in a line: its box (x0, y0, x1, y1; y down, the input's units), the strokes it
    is made of (stroke input) and whether a space stands before it."""

    box: tuple[float, float, float, float]
    strokes: tuple[int, ...] = ()
    space_before: bool = False
    marks: tuple[int, ...] = ()  # its small marks (the dot of an i or j), among ``strokes``
    body: tuple[float, float, float, float] | None = None  # the box without its marks
    punctuation: str = ""  # . : - , ' ! ? / + = ÷ for a mark read by its place on the line (no model reads it)
    comma_space: bool = False  # its space is there for the comma before it alone (none between digits)

    @property
    def body_box(self) -> tuple[float, float, float, float]:
        return self.body or self.box


def line_height(boxes: np.ndarray) -> float:
    """The height of the line's taller characters (boxes: x0, y0, x1, y1 rows): the median of the taller
    half of the parts."""
    heights = np.sort(boxes[:, 3] - boxes[:, 1])[::-1]
    tall = heights[: max(1, (len(heights) + 1) // 2)]
    return float(max(np.median(tall), 1e-6))


def line_baseline(bottoms: np.ndarray, height: float) -> float:
    """Where the line's characters stand: the median bottom of the characters near the most others (within
    half DESCENT line heights); where those fall into two sets more than DESCENT apart, as many standing
    on the line as hanging below it (g, j, p, q, y), the higher set's. With the median of every bottom,
    "Hey, guy" put the baseline half a descender low, and its comma, above it, was read as an l. (A line
    that slopes, or whose bottoms wander, has no two such sets: the median of them all, as before.)"""
    near = np.abs(bottoms[:, None] - bottoms[None, :]) <= DESCENT * height / 2
    counts = near.sum(1)
    most = np.sort(bottoms[counts == counts.max()])
    steps = np.diff(most)
    if steps.size and steps.max() > DESCENT * height:
        higher = most[: int(np.argmax(steps)) + 1]
        return float(np.median(bottoms[np.abs(bottoms[:, None] - higher[None, :]).min(1) <= DESCENT * height / 2]))
    return float(np.median(bottoms[near[counts == counts.max()].any(0)]))


def _overlap_share(a: np.ndarray, b: np.ndarray, min_width: float) -> float:
    """Overlap along the line of boxes a and b, as a share of the narrower one's width."""
    a0, a1 = a[0], max(a[2], a[0] + min_width)
    b0, b1 = b[0], max(b[2], b[0] + min_width)
    if a[2] - a[0] < min_width:  # centre a thin part on itself
        middle = (a[0] + a[2]) / 2
        a0, a1 = middle - min_width / 2, middle + min_width / 2
    if b[2] - b[0] < min_width:
        middle = (b[0] + b[2]) / 2
        b0, b1 = middle - min_width / 2, middle + min_width / 2
    overlap = min(a1, b1) - max(a0, b0)
    return float(max(0.0, overlap) / max(min(a1 - a0, b1 - b0), 1e-9))


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _dense(stroke: np.ndarray, step: float) -> np.ndarray:
    """The stroke's points with extra points every ``step`` along each segment (a pen samples sparsely)."""
    if len(stroke) < 2:
        return stroke
    segments = np.diff(stroke, axis=0)
    counts = np.minimum(np.ceil(np.hypot(*segments.T) / max(step, 1e-9)).astype(np.int64), 64)
    counts = np.maximum(counts, 1)
    which = np.repeat(np.arange(len(segments)), counts)
    first = np.cumsum(counts) - counts
    t = (np.arange(len(which)) - first[which]) / counts[which]
    return np.vstack([stroke[:-1][which] + segments[which] * t[:, None], stroke[-1:]])


def _nearest(points: np.ndarray, ink: np.ndarray) -> float:
    return float(np.sqrt(((points[:, None, :] - ink[None, :, :]) ** 2).sum(-1).min()))


def _touches(stroke: np.ndarray, others: Sequence[np.ndarray], reach: float) -> bool:
    """Whether ``stroke`` comes within ``reach`` of the ink of ``others``: where the strokes of one
    character meet (the arm of a K, the bar of an H)."""
    mine = _dense(stroke, reach)
    theirs = np.vstack([_dense(o, reach) for o in others])
    lo, hi = mine.min(0) - reach, mine.max(0) + reach
    theirs = theirs[np.all((theirs >= lo) & (theirs <= hi), axis=1)]  # only ink near the stroke's box
    if not len(theirs):
        return False
    return _nearest(mine[:: len(mine) // 300 + 1], theirs[:: len(theirs) // 300 + 1]) <= reach


def _goes_on(points: Sequence[np.ndarray] | None, group: Sequence[int], k: int, height: float) -> bool:
    """Whether stroke ``k`` goes on with the last stroke of ``group``: it starts within ``GO_ON_REACH`` line
    heights of where that one ended, on along the way it was going (the pen lifted for an instant, one
    stroke in two: an o broken at its foot read "Hellco", its halves side by side along the line). Where one
    character ends and the next starts the pen turns."""
    if points is None or not group or k in group:
        return False
    before, after = points[group[-1]], points[k]
    if len(before) < 2 or len(after) < 2:
        return False
    gap = after[0] - before[-1]
    length = float(np.hypot(*gap))
    if length > GO_ON_REACH * height:
        return False
    inked = np.vstack([points[j] for j in (*group, k)])
    if float(np.ptp(inked[:, 0])) > GO_ON_WIDEST * height:  # two characters' width ("hh" read as an m)
        return False
    going = _heading(before[::-1], GO_ON_LOOK * height) * -1.0
    coming = _heading(after, GO_ON_LOOK * height)
    across = length <= GO_ON_TOUCH * height or float(going @ gap) >= GO_ON_ALIGNED * length
    return float(going @ coming) >= GO_ON_ALIGNED and across


def _bridging_bar(
    points: Sequence[np.ndarray] | None,
    boxes: np.ndarray,
    marks: Sequence[int],
    flat: np.ndarray,
    group: Sequence[int],
    k: int,
    height: float,
) -> int | None:
    """A flat mark written before the strokes of ``group`` that stroke ``k`` meets at one of its ends and
    ``group`` at the other (within ``BRIDGE_REACH`` of its length, and no farther than a hyphen stands
    clear of its neighbours), or None: an H's bar written first. A dash written between two characters
    comes after the first of them."""
    if points is None:
        return None
    for m in marks:
        bar = points[m]
        if m > min(group) or not flat[m] or len(bar) < 2:
            continue
        reach = min(BRIDGE_REACH * float(np.ptp(bar[:, 0])), HYPHEN_CLEAR * height)
        grown = boxes[m] + np.array([-reach, -reach, reach, reach])
        if not _boxes_meet(grown, boxes[k]) or not any(_boxes_meet(grown, boxes[j]) for j in group):
            continue  # (a line of many strokes: most bars are far from this stroke and the character before)
        ends = (bar[0], bar[-1])
        stroke = _dense(points[k], reach)
        written = [_dense(points[j], reach) for j in group if _boxes_meet(grown, boxes[j])]
        near_k = [_nearest(end[None], stroke) <= reach for end in ends]
        near_group = [min(_nearest(end[None], ink) for ink in written) <= reach for end in ends]
        if (near_k[0] and near_group[1]) or (near_k[1] and near_group[0]):
            return m
    return None


def _boxes_meet(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether boxes (x0, y0, x1, y1) overlap or touch."""
    return bool(a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])


def _heading(stroke: np.ndarray, look: float) -> np.ndarray:
    """The unit direction from a stroke's first point to its first point ``look`` away (or its last)."""
    away = np.hypot(*(stroke - stroke[0]).T)
    far = int(np.argmax(away >= look)) if (away >= look).any() else len(stroke) - 1
    step = stroke[far] - stroke[0]
    return step / max(float(np.hypot(*step)), 1e-9)


def _rows(boxes: np.ndarray, height: float, by_middles: bool = False) -> list[list[int]]:
    """Indexes of ``boxes`` (x0, y0, x1, y1) in rows one above the other, top to bottom: a box whose top is
    ``LINE_GAP`` line heights below the bottom of all above it starts a row; ``by_middles``: a box whose
    middle is ``ROW_MIDDLE_GAP`` line heights below the middles of all above it (a picture's lines,
    whose descenders may reach the next line's tall letters: no band free of ink parts them)."""
    if by_middles and len(boxes):
        return _rows_by_middles(boxes, height)
    rows: list[list[int]] = []
    bottom = None
    for index in np.argsort(boxes[:, 1], kind="stable").tolist():
        top, low = float(boxes[index, 1]), float(boxes[index, 3])
        if bottom is None or top > bottom + LINE_GAP * height:
            rows.append([])
        rows[-1].append(index)
        bottom = low if bottom is None else max(bottom, low)
    return rows


def _rows_by_middles(boxes: np.ndarray, height: float) -> list[list[int]]:
    """:func:`_rows` ``by_middles``: rows parted where the pieces' middles, in order down the page, leap
    ``ROW_MIDDLE_GAP`` line heights and ``ROW_GAP_OVER_INSIDE`` times any leap inside either row; then rows
    that are no lines of their own go back into the line beside them (see the comments below)."""
    middles = (boxes[:, 1] + boxes[:, 3]) / 2
    band_of = {k: b for b, band in enumerate(_rows(boxes, height)) for k in band}  # bands free of ink part

    def parted(members: list[int]) -> list[list[int]]:
        order = sorted(members, key=lambda k: (middles[k], k))
        rows = [[order[0]]]
        for before, index in itertools.pairwise(order):
            if middles[index] - middles[before] > ROW_MIDDLE_GAP * height:
                rows.append([])
            rows[-1].append(index)
        # Lines part at leaps far wider than any between the middles of one line's pieces; specks of
        # texture part at leaps a little wider than the rest, by chance.
        kept = [rows[0]]
        for row in rows[1:]:
            leap = float(middles[row[0]] - middles[kept[-1][-1]])
            inside = max(
                float(np.diff(middles[row]).max(initial=0.0)), float(np.diff(middles[kept[-1]]).max(initial=0.0))
            )
            if leap >= ROW_GAP_OVER_INSIDE * inside:
                kept.append(row)
            else:
                kept[-1] = kept[-1] + row
        return kept

    # A piece taller than a character may be ink of two lines run together (a descender on the next line's
    # tall letter): its middle, between the lines, would join them. Such a piece, where its band holds
    # pieces of two rows, goes in the nearest row; a long g alone on a line of its own stays its own.
    tall = boxes[:, 3] - boxes[:, 1] > TWO_LINES_TALL * height
    usual = [k for k in range(len(boxes)) if not tall[k]] or list(range(len(boxes)))
    row_of = {k: r for r, row in enumerate(parted(usual)) for k in row}
    bridges = {
        k
        for k in range(len(boxes))
        if k not in row_of and len({row_of[j] for j in row_of if band_of[j] == band_of[k]}) >= 2
    }
    rows = parted([k for k in range(len(boxes)) if k not in bridges])

    def one_line(above: list[int], below: list[int]) -> bool:
        """Whether two rows are one line, however far apart their middles."""
        if not {band_of[k] for k in above}.isdisjoint(band_of[k] for k in below):  # no band free of ink parts them
            # The ends of a sloping line (its descenders lower still) stand beside each other: rows that
            # overlap along the line for less than half the narrower one's width ("alzjj" turned 8 degrees
            # read "alz" over "JJ"). Lines stand one under another, each clear of the next (an i's stem over
            # a j's descender: "jiji" read "i i" over "JJ"; a j's hook written below the line as a stroke of
            # its own: "jiuooanj" was two lines on the pad).
            span_above = np.array([boxes[above, 0].min(), 0.0, boxes[above, 2].max(), 0.0])
            span_below = np.array([boxes[below, 0].min(), 0.0, boxes[below, 2].max(), 0.0])
            if _overlap_share(span_above, span_below, 0.0) < 0.5:
                return True
            if np.median(boxes[below, 1]) - np.median(boxes[above, 3]) < HANGING * height:
                return True
        # No more small marks than the row below has pieces, each just over one of at least twice its box,
        # are no line (the dots of "mini" written as flicks, over its i's joined to their neighbours).
        small = (boxes[:, 2] - boxes[:, 0] <= MARK_SIZE * height) & (boxes[:, 3] - boxes[:, 1] <= MARK_SIZE * height)
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        return len(above) <= len(below) and all(
            small[a]
            and any(
                boxes[a, 0] <= boxes[b, 2]
                and boxes[b, 0] <= boxes[a, 2]
                and boxes[b, 1] - boxes[a, 3] <= height
                and area[a] <= MARK_SHARE * area[b]
                for b in below
            )
            for a in above
        )

    joined = [rows[0]]
    for row in rows[1:]:
        if one_line(joined[-1], row) and not (len(joined[-1]) == 1 and len(row) == 1):
            joined[-1] = joined[-1] + row
        else:
            joined.append(row)
    # A row of one piece is a line of one character only where a band free of ink parts it from the lines;
    # else it hangs from a line beside it (a j's descender). Rows of one piece each are a word standing
    # sideways, for the caller to say.
    in_lines = {k for row in joined if len(row) > 1 for k in row}
    alone = [row for row in joined if len(row) == 1 and any(band_of[row[0]] == band_of[k] for k in in_lines)]
    rows = [row for row in joined if not any(row is a for a in alone)] or joined
    for index in [row[0] for row in alone if rows is not joined] + sorted(bridges):
        spans = np.array([[middles[row].min(), middles[row].max()] for row in rows])
        away = np.maximum(spans[:, 0] - middles[index], 0) + np.maximum(middles[index] - spans[:, 1], 0)
        rows[int(np.argmin(away))].append(index)
    return [sorted(row, key=lambda k: middles[k]) for row in rows]


# A picture's character-high pieces whose middles are this many line heights apart, none between, stand
# in two lines (a line's middles lie within half a line height: small letters, capitals, descenders).
# Notes of validation writers' words (runs/notes/lines_sweep.py, a scratch): two lines 2.5 capital
# heights apart were read as one line, nonsense, 18 of 31 times, where a descender reached the next line.
ROW_MIDDLE_GAP = 0.7
ROW_GAP_OVER_INSIDE = 2.0  # ... and this many times wider than any gap between the middles within each
TWO_LINES_TALL = 1.8  # line heights: a piece taller than any character (an f with its loops, 1.6) is two lines'
HANGING = 0.4  # line heights: a row whose tops are closer than this under a row's bottoms hangs from it
MARK_SIZE = 0.85  # line heights: a piece no wider nor taller than this may be a mark (an i's dot as a flick)
MARK_SHARE = 0.5  # ... and its box no more than this share of the piece's under it
RULE_LENGTH = 3.0  # a bar between lines this many line heights long, and thinner than RULE_THICKNESS, is a rule
RULE_THICKNESS = 0.2


def _stacked(boxes: np.ndarray) -> bool:
    """Whether two of a row's boxes stand one above the other (over half the narrower's width, apart
    vertically): letters of a word standing sideways, not side by side as a line's (a handwritten letter's
    pieces overlap both ways)."""
    return any(
        _overlap_share(a, b, 0.0) > 0.5 and min(a[3], b[3]) <= max(a[1], b[1])  # along the line, not beside
        for a, b in itertools.combinations(boxes, 2)
    )


def writing_rows(boxes: np.ndarray, by_middles: bool = False, strokes: bool = False) -> list[list[int]] | None:
    """Pieces of ink (their boxes: x0, y0, x1, y1) as lines of writing one above the other, top to bottom:
    the rows of character-high pieces that :class:`RowsOfWritingError` counts, each smaller piece (a dot,
    a bar, a comma) in the row nearest it, a rule left out. None for writing standing sideways (rows of
    one character each, three rows or more of two at most, or characters one above the other in a row).
    ``by_middles``: rows as :func:`_rows` finds them by the pieces' middles. ``strokes``: the pieces are
    a pen's strokes, whose characters' strokes may stand one above the other in a row (an 8 as two loops,
    a Y's arms over its stem: such notes were refused); a note of strokes turned a quarter is then not told
    from an upright one (read as lines of nonsense: a pen writes upright, a photo is turned)."""
    height = line_height(boxes)
    tall = np.flatnonzero(boxes[:, 3] - boxes[:, 1] > LINE_PART * height)
    rows = [[int(tall[k]) for k in row] for row in _rows(boxes[tall], height, by_middles)]
    most = max((len(row) for row in rows), default=0)
    # A word standing sideways is a column of rows of one character; a note of two lines standing
    # sideways, rows of two. A line of one character under a longer one is a note all the same.
    if len(rows) < 2 or most == 1 or (len(rows) >= 3 and most <= 2):
        return None
    if not strokes and any(_stacked(boxes[row]) for row in rows):
        return None
    bands = np.array([[boxes[row, 1].min(), boxes[row, 3].max()] for row in rows])
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    for index in sorted(set(range(len(boxes))) - set(tall.tolist())):
        if widths[index] > RULE_LENGTH * height and heights[index] < RULE_THICKNESS * height:
            continue  # a rule between lines (a notebook's, or drawn): no writing

        middle = (boxes[index, 1] + boxes[index, 3]) / 2
        away = np.maximum(bands[:, 0] - middle, 0) + np.maximum(middle - bands[:, 1], 0)
        rows[int(np.argmin(away))].append(index)
    return [sorted(row) for row in rows]


def _check_one_line(boxes: np.ndarray, by_middles: bool = False) -> None:
    """Raise ValueError when the parts stand in rows one above the other: characters of one line all
    share some height on the page (their x-height band), lines do not. Only parts of a character's
    height count: not an i's dot, however round, nor a bar drawn above its character."""
    height = line_height(boxes)
    kept = boxes[boxes[:, 3] - boxes[:, 1] > LINE_PART * height]  # characters, not dots or bars however wide
    in_rows = _rows(kept, height, by_middles)
    counts = [len(row) for row in in_rows]  # parts in each row, top to bottom
    spans = [[float(kept[row, 0].min()), float(kept[row, 2].max())] for row in in_rows]  # each row's left, right
    # A row of one part may be a character of the line set apart (a j hanging below it); two rows of two
    # characters or more are two lines.
    rows = sum(1 for count in counts if count >= 2)
    if rows > 1:
        raise RowsOfWritingError(f"this is {rows} lines of writing: GlyphPad reads one line at a time", rows)
    # A row standing over another for most of the narrower one's width is a line too, however few its
    # characters (an H written over an E read as one character); a character set apart stands beside.
    # Spans widened a little: a row of one stem (a T or a 1: its bar too thin to count) has no width.
    margin = ROW_MARGIN * height
    for (a0, a1), (b0, b1) in itertools.combinations(spans, 2):
        a0, a1, b0, b1 = a0 - margin, a1 + margin, b0 - margin, b1 + margin
        if min(a1, b1) - max(a0, b0) > 0.5 * min(a1 - a0, b1 - b0):
            raise RowsOfWritingError(f"this is {len(counts)} lines of writing: GlyphPad reads one line at a time")


def _group(
    boxes: np.ndarray,
    points: Sequence[np.ndarray] | None = None,
    pen: float = 0.0,
    lengths: np.ndarray | None = None,
    ends: Callable[[int], np.ndarray | None] | None = None,
) -> tuple[list[list[int]], list[str]]:
    """Parts (in writing order) grouped into characters, by the rules of the module's docstring, and each
    group's punctuation ("" for a character).

    With ``points`` (strokes), a stroke that touches the character being written and overlaps it a
    little along the line joins it too: the bars of an F, the arms of a k. ``pen``: the width of a
    picture's strokes (0 for strokes, which have none). ``lengths``: each part's length of ink (along a
    stroke; a piece of a picture's pixels over the pen's width), which tells a comma's tick from a small
    letter's loop (the lengths of the strokes' paths when not given). ``ends``: a picture's part's two ends
    where it is straight (:func:`straight_piece_ends`; None where it bends), which tell a slash as a stroke's
    do: asked only of a part standing alone as a character.
    """
    if lengths is None and points is not None:
        lengths = np.array([stroke_ink(p) for p in points])
    height = line_height(boxes)
    min_width = MIN_WIDTH * height
    sizes = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    small = sizes <= SMALL_MARK * height
    if points is not None and lengths is not None:
        small &= lengths < LETTER_INK * height  # (a letter written small: its ink runs on, a dot's does not)
    flat = (boxes[:, 3] - boxes[:, 1] <= FLAT * height) & ~small
    groups: list[list[int]] = []
    group_boxes: list[np.ndarray] = []
    marks = []
    for k in range(len(boxes)):
        if small[k] and not small.all():
            marks.append(k)
            continue
        box = boxes[k]
        target = None

        def joins(g: int, touching_only: bool = False, box: np.ndarray = box, k: int = k) -> bool:
            share = _overlap_share(box, group_boxes[g], min_width)
            if share >= JOIN_OVERLAP and not touching_only:
                return True
            if not touching_only and _goes_on(points, groups[g], k, height):
                return True
            if points is None or share < (TOUCH_OVERLAP if touching_only else TOUCH_NEAR_OVERLAP):
                return False
            return _touches(points[k], [points[j] for j in groups[g]], TOUCH_REACH * height)

        if groups and joins(len(groups) - 1):
            target = len(groups) - 1
            # A stroke that also touches the character before bridges the two: the bar of an H, the stem
            # of a Y joining its arms. Both were one character all along.
            if len(groups) > 1 and joins(len(groups) - 2, touching_only=True):
                last, last_box = groups.pop(), group_boxes.pop()
                groups[-1] += last
                group_boxes[-1] = _union(group_boxes[-1], last_box)
                target = len(groups) - 1
        else:
            shares = [_overlap_share(box, g, min_width) for g in group_boxes[:-1]]
            if shares and max(shares) >= JOIN_OVERLAP:
                target = int(np.argmax(shares))
        bridge = None
        if target is None and not flat[k] and groups:
            bridge = _bridging_bar(points, boxes, marks, flat, groups[-1], k, height)
        if bridge is not None:
            # A bar written first that this stroke and the character before both meet: an H drawn bar first,
            # then one stem and the other (a left hand's order read "lt").
            marks.remove(bridge)
            groups[-1] += [bridge, k]
            group_boxes[-1] = _union(_union(group_boxes[-1], boxes[bridge]), box)
        elif target is None and flat[k] and not flat.all():
            marks.append(k)  # no character on its own: joins the nearest, below
        elif target is None:
            groups.append([k])
            group_boxes.append(box.copy())
        else:
            groups[target].append(k)
            group_boxes[target] = _union(group_boxes[target], box)
    characters = len(groups)  # groups from here on are marks that joined no character: marks alone
    # Punctuation is placed against the characters (a line height of strokes counts a bar or a leg apart).
    baseline = line_baseline(np.array([b[3] for b in group_boxes]), height) if group_boxes else 0.0
    character_height = line_height(np.array(group_boxes)) if group_boxes else height
    punctuation: dict[int, str] = {}  # group -> its mark
    bodies = [box.copy() for box in group_boxes[:characters]]  # the characters before any mark joins them
    beside = group_boxes[:characters]
    on_line = MarksOnALine(boxes, marks, beside, baseline, character_height, pen)
    signs: list[tuple[tuple[int, ...], str]] = [(triple, "÷") for triple in division_signs(on_line)]
    taken = {k for triple, _ in signs for k in triple}  # (a division sign's dots are no colon)
    free = replace(on_line, marks=[k for k in marks if k not in taken])
    signs += [*((pair, ":") for pair in colons(free)), *((pair, "=") for pair in equals_signs(free))]
    for members, sign in signs:
        if any(k not in marks for k in members):
            continue  # (its marks taken by a colon already)
        punctuation[len(groups)] = sign
        groups.append(list(members))
        group_boxes.append(functools.reduce(_union, [boxes[k] for k in members]))
        marks = [k for k in marks if k not in members]
    for k in marks:
        # Marks stacked along the line (the bars of an =, the dots of a colon) are no full stop or hyphen.
        # (An i's dot over a full stop is the i's: "Hi." kept no full stop.)
        stacked = any(
            j != k
            and _overlap_share(boxes[k], boxes[j], MIN_WIDTH * character_height) >= JOIN_OVERLAP
            and not _over_a_characters_top(boxes[j], bodies, character_height)
            for j in marks
        )
        ink = None if lengths is None else float(lengths[k])
        mark = (
            ""
            if stacked
            else punctuation_mark(boxes[k], group_boxes[:characters], baseline, character_height, pen, ink)
        )
        if (
            mark == "'"
            and points is not None
            and _dot_of_the_stem_before(k, boxes[k], groups, group_boxes, character_height)
        ):
            mark = ""
        if mark:
            punctuation[len(groups)] = mark
            groups.append([k])
            group_boxes.append(boxes[k].copy())
            continue
        centre = (boxes[k, 0] + boxes[k, 2]) / 2
        distances = [
            0.0
            if g[0] - 0.25 * height <= centre <= g[2] + 0.25 * height
            else min(abs(centre - g[0]), abs(centre - g[2]))
            for g in group_boxes
        ]
        # Marks alone are letters written far smaller than the line's (a writer's tiny s beside tall
        # capitals): a mark joins one of them only by overlapping it along the line (the two strokes of a
        # small x), not for being near (a small "sen" is three letters, not one).
        for g in range(characters, len(groups)):
            if g in punctuation or _overlap_share(boxes[k], group_boxes[g], min_width) < JOIN_OVERLAP:
                distances[g] = np.inf
        written_with = _written_with(k, groups, distances, height) if points is not None else None
        if written_with is not None:
            groups[written_with].append(k)
            group_boxes[written_with] = _union(group_boxes[written_with], boxes[k])
        elif distances and min(distances) <= 0.5 * height:
            nearest = min(
                (i for i, d in enumerate(distances) if d == min(distances)),
                key=lambda i: abs(centre - (group_boxes[i][0] + group_boxes[i][2]) / 2),
            )
            groups[nearest].append(k)
            group_boxes[nearest] = _union(group_boxes[nearest], boxes[k])
        else:
            groups.append([k])
            group_boxes.append(boxes[k].copy())
    # A character of one small part that is a comma (one written a third of the line tall was no mark
    # against the line's strokes, and read as a 1), one with a dot under it, a slash.
    for g in range(characters):
        one = groups[g][0]
        if len(groups[g]) == 1 and max(_union_size(boxes[[one]])) - pen <= TICK_TALLEST * character_height:
            others = [group_boxes[j] for j in range(characters) if j != g]
            ink = None if lengths is None else float(lengths[one])
            mark = punctuation_mark(boxes[one], others, baseline, character_height, pen, ink)
            # (An apostrophe this tall close to a character was an F's middle bar drawn as a tick. A bold
            # dash of type is as tall as a line's flat marks are: a character, and its place says "-".)
            if mark in (",", "-") or (
                mark == "'"
                and _apart(boxes[one], others, APART * character_height)
                and not (
                    points is not None
                    and _dot_of_the_stem_before(one, boxes[one], groups, group_boxes, character_height)
                )
            ):
                punctuation[g] = mark
        elif mark := dot_below(boxes, groups[g], baseline, character_height, pen):
            punctuation[g] = mark
        if len(groups[g]) == 1 and g not in punctuation and lengths is not None:
            path: np.ndarray | None
            if points is not None:
                path = points[one]
            elif ends is not None:
                path = ends(one)
            else:
                path = None
            if path is not None and is_slash(path, float(lengths[one]), character_height):
                punctuation[g] = "/"
    # A speck alone that is no full stop (a stray touch of the pen, dust on a photo, off the baseline) is
    # no character any model knows: read, it came out as an I or a d at the end of a word. A picture's
    # pen adds its width to every mark: the speck is measured without it.
    specks = {
        g
        for g in range(characters, len(groups))
        if characters and g not in punctuation and max(_union_size(boxes[groups[g]])) - pen <= SPECK * height
    }
    kept = [i for i in range(len(groups)) if i not in specks]
    return [sorted(groups[i]) for i in kept], [punctuation.get(i, "") for i in kept]


@dataclass(frozen=True)
class MarksOnALine:
    """Marks that joined no character and the line they stand on: what the signs read by their place
    (:func:`colons`, :func:`equals_signs`, :func:`division_signs`) look at."""

    boxes: np.ndarray  # every stroke's (or piece's) box: x0, y0, x1, y1
    marks: Sequence[int]  # the marks, by their index in ``boxes``
    characters: Sequence[np.ndarray]  # the characters' boxes
    baseline: float
    height: float  # the characters' line height
    pen: float = 0.0  # a picture's pen width (its boxes are that much wider and taller than the lines drawn)

    def unpacked(self) -> tuple[np.ndarray, Sequence[int], Sequence[np.ndarray], float, float, float]:
        return self.boxes, self.marks, self.characters, self.baseline, self.height, self.pen


def colons(line: MarksOnALine) -> list[tuple[int, int]]:
    """Pairs of ``marks`` that are a colon ("3:45"): two specks one above the other in a gap after a
    character, the lower on the baseline, the upper COLON_LOW to COLON_HIGH line heights above it and not
    over a character's top (an i's dot with a full stop under it: "Hi."). (A colon's dots, joined as two
    marks stacked along the line, were taken for a neighbour's and the colon was lost.)"""
    boxes, marks, characters, baseline, height, pen = line.unpacked()
    if not len(characters):
        return []

    def dot(k: int) -> bool:  # small, and no stroke standing up (a tiny i's stem): a dot drawn round or as a tick
        width, tall = boxes[k, 2] - boxes[k, 0] - pen, boxes[k, 3] - boxes[k, 1] - pen
        return max(width, tall) <= COLON_DOT * height and tall <= 2 * width + SPECK * height / 2

    found: list[tuple[int, int]] = []
    for upper, lower in _stacked_pairs([k for k in marks if dot(k)], boxes, height, found):
        above_upper = baseline - (boxes[upper, 1] + boxes[upper, 3]) / 2
        above_lower = baseline - (boxes[lower, 1] + boxes[lower, 3]) / 2
        if abs(above_lower) > STOP_BAND * height or not COLON_LOW * height <= above_upper <= COLON_HIGH * height:
            continue
        x0, x1 = min(boxes[upper, 0], boxes[lower, 0]), max(boxes[upper, 2], boxes[lower, 2])
        if any(c[0] <= (x0 + x1) / 2 <= c[2] for c in characters):
            continue  # over a character: an i's dot and a speck of its stem, a j's
        if _over_a_characters_top(boxes[upper], characters, height):
            continue  # the upper one an i's or j's dot, and the lower a full stop
        left, right = _gaps_beside(x0, x1, characters)
        if math.isfinite(left) and min(left, right) >= STOP_CLEAR * height:  # it follows something, clear of it
            found.append((upper, lower))
    return found


def _stacked_pairs(
    candidates: Sequence[int], boxes: np.ndarray, height: float, found: Sequence[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Pairs of ``candidates`` one above the other (overlapping along the line JOIN_OVERLAP of the narrower),
    the upper first, neither in a pair ``found`` so far (the caller's list, as it grows)."""
    for a, b in itertools.combinations(candidates, 2):
        if any(k in pair for pair in found for k in (a, b)):
            continue
        upper, lower = sorted((a, b), key=lambda k: boxes[k, 1] + boxes[k, 3])
        if _overlap_share(boxes[upper], boxes[lower], MIN_WIDTH * height) >= JOIN_OVERLAP:
            yield upper, lower


def _hyphen_shaped(box: np.ndarray, height: float, pen: float) -> bool:
    """Whether a mark's box (less the ``pen``) is a hyphen's shape: flat (FLAT), HYPHEN_WIDE line heights
    wide and HYPHEN_LONG times as wide as tall (an equals sign's bars, a division sign's)."""
    width, tall = box[2] - box[0] - pen, max(box[3] - box[1] - pen, 0.0)
    return bool(tall <= FLAT * height and width >= HYPHEN_WIDE * height and width >= HYPHEN_LONG * max(tall, 1e-9))


def _in_a_gap(x0: float, x1: float, characters: Sequence[np.ndarray], height: float) -> bool:
    """Whether a sign from ``x0`` to ``x1`` along the line stands in a gap: over no character (HYPHEN_TOUCH of
    its width at most), clear of those beside it (STOP_CLEAR), with one on a side at least."""
    if any(min(x1, c[2]) - max(x0, c[0]) > HYPHEN_TOUCH * (x1 - x0) for c in characters):
        return False
    left, right = _gaps_beside(x0, x1, characters)
    return min(left, right) >= STOP_CLEAR * height and (math.isfinite(left) or math.isfinite(right))


def _gaps_beside(x0: float, x1: float, characters: Sequence[np.ndarray]) -> tuple[float, float]:
    """How far a mark from ``x0`` to ``x1`` along the line stands from the nearest character on its left and on
    its right (inf where there is none)."""
    middle = (x0 + x1) / 2
    left = min((x0 - c[2] for c in characters if c[2] <= middle), default=math.inf)
    right = min((c[0] - x1 for c in characters if c[0] >= middle), default=math.inf)
    return float(left), float(right)


def lone_sign(boxes: np.ndarray, straight: Sequence[bool], inks: Sequence[float], pen: float = 0.0) -> str:
    """The sign that one to three pieces of writing and nothing else are (their boxes, x0 y0 x1 y1, y down;
    whether each is straight; each one's length of ink; ``pen``: a picture's pen width, by which its pieces'
    boxes are longer and thicker than the lines drawn): "-" for a bar, "=" for two bars one above the other,
    ":" for two dots, "÷" for a bar between two dots, "" for anything else (module constants: LONE_DOT ...)."""
    if len(boxes) == 1:
        return "-" if _lone_bar(np.asarray(boxes[0], dtype=np.float64), straight[0], pen) else ""
    if len(boxes) == 3:
        return "÷" if _lone_division(np.asarray(boxes, dtype=np.float64), straight, inks, pen) else ""
    if len(boxes) != 2:
        return ""
    order = sorted(range(2), key=lambda k: float(boxes[k][1] + boxes[k][3]))
    upper, lower = (np.asarray(boxes[k], dtype=np.float64) for k in order)
    apart = (lower[1] + lower[3]) / 2 - (upper[1] + upper[3]) / 2
    # (A dot's box may have no width: two taps a unit apart across stand one above the other all the same.)
    if upper[3] > lower[1] or _overlap_share(upper, lower, max(pen, LONE_DOT * apart)) < JOIN_OVERLAP:
        return ""  # not one above the other
    long = np.maximum(np.array([upper[2] - upper[0], lower[2] - lower[0]]) - pen, 0.0)
    thick = np.maximum(np.array([upper[3] - upper[1], lower[3] - lower[1]]) - pen, 0.0)
    bars = all(straight) and bool(np.all(long >= HYPHEN_LONG * np.maximum(thick, 1e-9)) and long.min() > 0)
    if bars and long.max() <= EQUALS_WIDER * long.min() and apart <= long.max():
        return "="
    if max(float(np.maximum(long, thick).max()), *inks) <= LONE_DOT * apart:
        return ":"
    return ""


def _lone_bar(box: np.ndarray, straight: bool, pen: float) -> bool:
    """Whether a piece written alone (its box, less the ``pen``) is a dash's bar: straight, HYPHEN_LONG times
    as long as it is thick."""
    length, across = (max(float(box[k + 2] - box[k]) - pen, 0.0) for k in (0, 1))
    return straight and length > 0 and length >= HYPHEN_LONG * across


def _lone_division(boxes: np.ndarray, straight: Sequence[bool], inks: Sequence[float], pen: float) -> bool:
    """Whether three pieces alone (:func:`lone_sign`'s) are a division sign: the middle one a straight bar, a
    dot over it and a dot under it, each at most COLON_DOT of the bar's length across and in ink (a stacked
    fraction's 1s are longer), its middle DIVISION_CENTRED of it from the bar's along it, and no farther from
    the bar than it is long."""
    order = np.argsort((boxes[:, 1] + boxes[:, 3]) / 2, kind="stable")
    top, bar, bottom = (int(k) for k in order)
    if not _lone_bar(boxes[bar], straight[bar], pen):
        return False
    length = float(boxes[bar, 2] - boxes[bar, 0]) - pen
    centre, middle_y = (boxes[bar, :2] + boxes[bar, 2:]) / 2
    for dot in (top, bottom):
        size = max(float(boxes[dot, 2] - boxes[dot, 0]), float(boxes[dot, 3] - boxes[dot, 1])) - pen
        middle = (boxes[dot, :2] + boxes[dot, 2:]) / 2
        if max(size, inks[dot]) > COLON_DOT * length or abs(middle[0] - centre) > DIVISION_CENTRED * length:
            return False
        if abs(middle[1] - middle_y) > length:
            return False
    return bool(boxes[top, 3] <= boxes[bar, 1] + pen and boxes[bottom, 1] >= boxes[bar, 3] - pen)


def sign_in_ink(mask: np.ndarray, pieces: Sequence[np.ndarray] | None = None) -> str:
    """:func:`lone_sign` for a picture's ink (``mask``: True where ink; its ``pieces`` as :func:`ink_components`
    finds them, when known): "-", "=", ":", "÷" or ""."""
    if pieces is None:
        # Two pieces one above the other leave rows of no ink between them: without such rows (most
        # characters) there is no sign of two to look for.
        inked_rows = np.flatnonzero(mask.any(axis=1))
        gap = len(inked_rows) and inked_rows[-1] - inked_rows[0] + 1 > len(inked_rows)
        if not gap and not is_flat_shape(mask):
            return ""
        pieces = ink_components(mask)
    if len(pieces) not in (1, 2, 3):
        return ""
    # The pen by its runs of ink across rows and down columns, the shorter: by rows alone (as a line's pen
    # is measured) a flat bar's length was taken for it.
    pen = min(mask_pen_width(mask), mask_pen_width(mask.T))
    straight = [straight_piece_ends(piece, pen) is not None for piece in pieces]
    inks = [len(piece) / max(pen, 1.0) for piece in pieces]  # a piece's length of ink: its pixels over the pen
    return lone_sign(piece_boxes(pieces), straight, inks, pen)


def is_flat_shape(mask: np.ndarray) -> bool:
    """Whether the ink of ``mask`` spans HYPHEN_LONG times as wide as it is tall (a dash may be)."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return bool(len(rows)) and bool(np.ptp(columns) + 1 >= HYPHEN_LONG * (np.ptp(rows) + 1))


def equals_signs(line: MarksOnALine) -> list[tuple[int, int]]:
    """Pairs of ``marks`` that are an equals sign ("2+3=5"): two flat marks one above the other in a gap, as
    the module's constants say (EQUALS_APART_LOW ...). (Its bars, marks stacked along the line, were no
    hyphen, and joined a neighbour: "3=5" read "35".)"""
    boxes, marks, characters, baseline, height, pen = line.unpacked()
    if not len(characters):
        return []

    found: list[tuple[int, int]] = []
    bars = [k for k in marks if _hyphen_shaped(boxes[k], height, pen)]
    for upper, lower in _stacked_pairs(bars, boxes, height, found):
        widths = boxes[[upper, lower], 2] - boxes[[upper, lower], 0]
        if widths.max() > EQUALS_WIDER * widths.min():
            continue
        middles = (boxes[[upper, lower], 1] + boxes[[upper, lower], 3]) / 2
        if not EQUALS_APART_LOW * height <= middles[1] - middles[0] <= EQUALS_APART_HIGH * height:
            continue
        if not HYPHEN_LOW * height <= baseline - middles.mean() <= HYPHEN_HIGH * height:
            continue
        if any(
            _overlap_share(boxes[k], boxes[upper], MIN_WIDTH * height) >= JOIN_OVERLAP
            for k in marks
            if k not in (upper, lower)
        ):
            continue  # a third mark stacked with them (an E's bars without its stem)
        x0, x1 = min(boxes[upper, 0], boxes[lower, 0]), max(boxes[upper, 2], boxes[lower, 2])
        if _in_a_gap(x0, x1, characters, height):  # (not over a character: a Z's bars drawn apart)
            found.append((upper, lower))
    return found


def division_signs(line: MarksOnALine) -> list[tuple[int, int, int]]:
    """Triples of ``marks`` (the upper dot, the bar, the lower dot) that are a division sign ("6÷2"), as the
    module's constants say (DIVISION_APART ...)."""
    boxes, marks, characters, baseline, height, pen = line.unpacked()
    if not len(characters):
        return []
    width, tall = boxes[:, 2] - boxes[:, 0] - pen, np.maximum(boxes[:, 3] - boxes[:, 1] - pen, 0.0)
    middle_x, middle_y = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    bars = [k for k in marks if _hyphen_shaped(boxes[k], height, pen)]
    dots = [k for k in marks if max(width[k], tall[k]) <= COLON_DOT * height]
    found: list[tuple[int, int, int]] = []
    for bar in bars:
        if not HYPHEN_LOW * height <= baseline - middle_y[bar] <= HYPHEN_HIGH * height:
            continue
        reach = DIVISION_CENTRED * (boxes[bar, 2] - boxes[bar, 0])
        over = [k for k in dots if abs(middle_x[k] - middle_x[bar]) <= reach and not any(k in t for t in found)]
        near = [k for k in over if abs(middle_y[k] - middle_y[bar]) <= DIVISION_APART * height]
        upper = [k for k in near if boxes[k, 3] <= boxes[bar, 1] + pen]
        lower = [k for k in near if boxes[k, 1] >= boxes[bar, 3] - pen]
        if not (upper and lower):
            continue
        up = min(upper, key=lambda k: middle_y[bar] - middle_y[k])
        down = min(lower, key=lambda k: middle_y[k] - middle_y[bar])
        if _over_a_characters_top(boxes[up], characters, height):
            continue  # the upper one an i's or j's dot
        if _in_a_gap(boxes[bar, 0], boxes[bar, 2], characters, height):
            found.append((up, bar, down))
    return found


def is_plus(strokes: Sequence[np.ndarray], inks: Sequence[float]) -> bool:
    """Whether two strokes (x, y points, y down; ``inks`` the lengths of their paths) are shaped as a plus
    sign: straight, one flat and one upright, crossing near both their middles (the module's constants,
    PLUS_TILT ...). Its place is the caller's to weigh: of UNIPEN's characters of two straight strokes
    crossing near their middles, one flat and one upright, 517 of 524 are t's."""
    if len(strokes) != 2 or any(len(points) < 2 for points in strokes):
        return False
    chords = [points[-1].astype(np.float64) - points[0] for points in strokes]
    lengths = [math.hypot(*chord) for chord in chords]
    if min(lengths) <= 0 or any(ink > SLASH_STRAIGHT * length for ink, length in zip(inks, lengths, strict=True)):
        return False
    if max(lengths) > PLUS_LONGER * min(lengths):
        return False
    flatness = [math.degrees(math.atan2(abs(chord[1]), abs(chord[0]))) for chord in chords]
    if not (min(flatness) <= PLUS_TILT and max(flatness) >= 90.0 - PLUS_TILT):
        return False
    # Where the two chords cross, as a share of each (solved from start_a + t chord_a = start_b + u chord_b).
    (ax, ay), (bx, by) = chords
    across = ax * by - ay * bx
    if abs(across) < 1e-9:
        return False
    dx, dy = (strokes[1][0] - strokes[0][0]).astype(np.float64)
    t, u = (dx * by - dy * bx) / across, (dx * ay - dy * ax) / across
    return PLUS_MIDDLE <= t <= 1 - PLUS_MIDDLE and PLUS_MIDDLE <= u <= 1 - PLUS_MIDDLE


def _dot_of_the_stem_before(
    mark: int, mark_box: np.ndarray, groups: list[list[int]], group_boxes: list[np.ndarray], height: float
) -> bool:
    """Whether stroke ``mark`` is the dot of the character written just before it: a narrow one (an i, a
    j) whose top is below the mark, however far the dot drifted along the line."""
    for members, box in zip(groups, group_boxes, strict=True):
        if mark - 1 in members:
            return bool(box[2] - box[0] <= DOTTED_WIDTH * height and box[1] >= mark_box[3])
    return False


def _over_a_characters_top(box: np.ndarray, characters: Sequence[np.ndarray], height: float) -> bool:
    """Whether a mark stands over a character's top, within reach of it along the line: an i's or j's dot
    (a stem has no width: its dot drifts off it by up to half MIN_WIDTH line heights)."""
    reach = MIN_WIDTH * height / 2
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(c[0] - reach <= x <= c[2] + reach and y < c[1] for c in characters)


def punctuation_mark(
    box: np.ndarray,
    characters: Sequence[np.ndarray],
    baseline: float,
    height: float,
    pen: float = 0.0,
    ink_length: float | None = None,
) -> str:
    """ "." for a speck on the baseline, "-" for a dash across the line's middle, standing in a gap (over
    no character's box along the line) beside characters; "" for anything else. ``pen``: a picture's
    pen width, which every mark has on top of its size."""
    if not len(characters):
        return ""
    x0, y0, x1, y1 = (float(v) for v in box)
    centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
    if any(c[0] <= centre_x <= c[2] for c in characters):
        return ""  # over a character: a part of it (an i's dot, a bar drawn apart)
    width, tall = max(x1 - x0 - pen, 0.0), max(y1 - y0 - pen, 0.0)
    above = baseline - centre_y
    # The characters beside it, and how far it stands from them (pen width included).
    on_left = max((c for c in characters if c[2] <= centre_x), key=lambda c: c[2], default=None)
    on_right = min((c for c in characters if c[0] >= centre_x), key=lambda c: c[0], default=None)
    left = x0 - on_left[2] if on_left is not None else math.inf
    right = on_right[0] - x1 if on_right is not None else math.inf
    if max(width, tall) <= SPECK * height and abs(above) <= STOP_BAND * height:
        # A full stop ends something: a dot before the first character is a stray touch of the pen.
        return "." if math.isfinite(left) and min(left, right) >= STOP_CLEAR * height else ""
    clear = math.isfinite(left) and min(left, right) >= STOP_CLEAR * height  # after something, clear of it
    # A tick's ink runs about as far as its box is across (a small y, g or o, however small, goes round).
    straight = ink_length is None or ink_length <= TICK_PATH * max(math.hypot(width, tall), pen)
    if clear and straight and tall >= TICK_LONG * height and tall >= TICK_UPRIGHT * width:
        if (
            y0 <= baseline + STOP_BAND * height
            and baseline - y0 <= COMMA_TOP * height
            and y1 - pen / 2 >= baseline + COMMA_BELOW * height
        ):
            return ","
        # Not an i's or j's dot drawn as a tick and drifted into the gap: over a narrow neighbour's top.
        dotted = any(
            c[2] - c[0] - pen <= DOTTED_WIDTH * height
            and y1 <= c[1] + pen
            and min(abs(x0 - c[2]), abs(c[0] - x1)) <= DOT_DRIFT * height
            for c in (on_left, on_right)
            if c is not None
        )
        if (
            baseline - y1 + pen / 2 >= APOSTROPHE_HIGH * height
            and tall >= APOSTROPHE_LONG * height
            and not dotted
            and not _over_a_characters_top(box, characters, height)
        ):
            return "'"
    # A bar across a character's stem (a T's or t's written first, its stem a line with no width) is over
    # that character: a hyphen stands clear of every character along the line, or all but touches one.
    if any(
        min(x1, c[2]) - max(x0, c[0]) > HYPHEN_TOUCH * (x1 - x0) or x0 <= (c[0] + c[2]) / 2 <= x1 for c in characters
    ):
        return ""
    # Between two stems it is an H's bar drawn short of both (a hyphen between two 1s is rare).
    if (
        on_left is not None
        and on_right is not None
        and all(c[2] - c[0] <= STEM_WIDTH * height for c in (on_left, on_right))
    ):
        return ""
    # A bold dash of type is short for its pen (DejaVu Sans Bold's: 25 x 11 px with a 15 px pen at a line
    # 58 px tall, its middle line 10 px long): its ink is long enough, and twice as long as it is tall.
    # Type sets it close to its neighbours (3 px from a bold A at a line 44 px tall): a full stop's clearance.
    bold_dash = pen > 0 and x1 - x0 >= HYPHEN_WIDE * height and x1 - x0 >= BOLD_HYPHEN_LONG * (y1 - y0)
    if (
        tall <= FLAT * height
        and min(left, right) >= (STOP_CLEAR if bold_dash else HYPHEN_CLEAR) * height
        and (width >= HYPHEN_WIDE * height or bold_dash)
        and width >= HYPHEN_LONG * max(tall, 1e-9)
        and HYPHEN_LOW * height <= above <= HYPHEN_HIGH * height
    ):
        return "-"
    return ""


def _apart(box: np.ndarray, characters: Sequence[np.ndarray], gap: float) -> bool:
    """Whether ``box`` stands at least ``gap`` clear of every character along the line."""
    return all(box[0] - c[2] >= gap or c[0] - box[2] >= gap for c in characters)


def is_slash(points: np.ndarray, ink: float, height: float) -> bool:
    """Whether a stroke (x, y points, y down; ``ink`` the length of its path) is a slash on a line ``height``
    tall: straight, rising at least SLASH_TALL line heights, leaning right as it rises at least SLASH_LEAN
    degrees from upright."""
    lean = straight_lean(points, ink, height)
    return lean is not None and lean >= SLASH_LEAN


def is_straight_stroke(points: np.ndarray) -> bool:
    """Whether a stroke (x, y points) is straight: its ink at most SLASH_STRAIGHT times the distance between
    its ends."""
    if len(points) < 2:
        return False
    chord = math.hypot(*(np.asarray(points[-1], dtype=np.float64) - points[0]))
    return chord > 0 and stroke_ink(points) <= SLASH_STRAIGHT * chord


def straight_lean(points: np.ndarray, ink: float, height: float) -> float | None:
    """How far a straight stroke (x, y points, y down; ``ink`` the length of its path) rising at least
    SLASH_TALL of a line ``height`` tall leans right as it rises, in degrees from upright (negative leaning
    left); None for a stroke that bends or is short."""
    if len(points) < 2 or height <= 0:
        return None
    ends = points[[0, -1]].astype(np.float64)
    low, high = (ends[0], ends[1]) if ends[0, 1] >= ends[1, 1] else (ends[1], ends[0])
    across, rise = float(high[0] - low[0]), float(low[1] - high[1])
    if rise < SLASH_TALL * height or ink > SLASH_STRAIGHT * math.hypot(across, rise):
        return None
    return math.degrees(math.atan2(across, rise))


def dot_below(boxes: np.ndarray, members: Sequence[int], baseline: float, height: float, pen: float = 0.0) -> str:
    """ "!" or "?" for a character (the parts ``members`` of ``boxes``) that is a body with one dot on the
    baseline under it, clear of it: "!" when the body is a stem, "?" when it is wider (a hook); "" for
    anything else."""
    if len(members) < 2:
        return ""
    sizes = np.maximum(boxes[members, 2] - boxes[members, 0], boxes[members, 3] - boxes[members, 1]) - pen
    centres_y = (boxes[members, 1] + boxes[members, 3]) / 2
    dots = [
        k
        for k, size, y in zip(members, sizes, centres_y, strict=True)
        if size <= COLON_DOT * height and abs(baseline - y) <= STOP_BAND * height
    ]
    if len(dots) != 1:
        return ""
    dot = boxes[dots[0]]
    rest = boxes[[k for k in members if k != dots[0]]]
    body = np.array([rest[:, 0].min(), rest[:, 1].min(), rest[:, 2].max(), rest[:, 3].max()])
    reach = MIN_WIDTH * height / 2  # a stem has no width: its dot drifts off it
    if not (
        dot[1] - body[3] >= DOT_GAP * height
        and baseline - body[3] >= BODY_ABOVE * height
        and body[3] - body[1] - pen >= BODY_TALL * height
        and dot[3] - body[1] - pen <= BODY_TALLEST * height
        and body[0] - reach <= (dot[0] + dot[2]) / 2 <= body[2] + reach
    ):
        return ""
    return "!" if body[2] - body[0] - pen <= STEM_WIDTH * height else "?"


def _union_size(boxes: np.ndarray) -> tuple[float, float]:
    """The width and height of the box around ``boxes`` (x0, y0, x1, y1 rows)."""
    return float(boxes[:, 2].max() - boxes[:, 0].min()), float(boxes[:, 3].max() - boxes[:, 1].min())


def _written_with(mark: int, groups: list[list[int]], distances: list[float], height: float) -> int | None:
    """The character a mark standing in a gap between characters (over none of them: its centre more than
    a quarter of a line height from each character's box) was written with: the one holding the stroke
    written just before it, or else just after, when that is within reach. A 5's flag drawn off to its
    right halfway to the next digit belongs to the 5 written just before it, however near the next one; a
    mark over a character (an i's dot, however late it was written) is left to :func:`_group`'s nearest
    rule. None when the mark is over a character or no neighbour in writing order is within reach."""
    if not distances or min(distances) == 0.0:
        return None
    for neighbour in (mark - 1, mark + 1):
        for g, members in enumerate(groups):
            if neighbour in members and distances[g] <= 0.5 * height:
                return g
    return None


def _parts_left_to_right(boxes: np.ndarray, groups: list[list[int]], punctuation: Sequence[str]) -> list[CharacterPart]:
    merged = [np.array([boxes[g, 0].min(), boxes[g, 1].min(), boxes[g, 2].max(), boxes[g, 3].max()]) for g in groups]
    used = sorted(k for g in groups for k in g)
    sizes = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    mark_size = SMALL_MARK * line_height(boxes[used]) if used else 0.0
    marks = [[k for k in g if sizes[k] <= mark_size and len(g) > 1] for g in groups]
    bodies = []
    for g, small in zip(groups, marks, strict=True):
        rest = [k for k in g if k not in small] or g
        bodies.append(tuple(float(v) for v in (*boxes[rest, :2].min(0), *boxes[rest, 2:].max(0))))
    order = sorted(range(len(groups)), key=lambda i: (merged[i][0] + merged[i][2]) / 2)
    # Full stops and hyphens say nothing of the line's height or of its usual gap: the line's gaps are
    # measured between characters, over any mark between them less the mark's own width (a stop cut one
    # gap into two tight ones, the usual gap shrank to them, and "4.25" had a space before its 5; a
    # hyphen's whole width made the usual gap wide, and "4.2 A-4" had no space). Whether a space stands
    # before a part is still judged by its own gap, from the part before it ("A-4": the 4 follows the
    # hyphen).
    is_mark = [bool(mark) for mark in punctuation]
    characters = [b for b, m in zip(merged, is_mark, strict=True) if not m] or merged
    character_boxes = np.array(characters)
    height = line_height(character_boxes) if characters else 1.0
    gaps: list[float | None] = []  # each part's, from the part before it
    between_characters: list[float | None] = []  # each character's, from the character before it
    right: float | None = None  # of the parts so far
    right_of_characters: float | None = None  # of the characters so far
    marks_between = 0.0  # the widths of the marks since the last character
    for i in order:
        gaps.append(None if right is None else float(merged[i][0]) - right)
        edge = float(merged[i][2])
        if is_mark[i]:
            between_characters.append(None)
            marks_between += edge - float(merged[i][0])
        else:
            if right_of_characters is None:
                between_characters.append(None)
            else:
                between_characters.append(float(merged[i][0]) - right_of_characters - marks_between)
            right_of_characters = edge if right_of_characters is None else max(right_of_characters, edge)
            marks_between = 0.0
        right = edge if right is None else max(right, edge)
    word_gap = _word_gaps(between_characters, APART * height)
    tallest = float((character_boxes[:, 3] - character_boxes[:, 1]).max()) if characters else height
    space_height = min(max(tallest, height), SPACE_HEIGHT_CAP * height)
    out = []
    for k, (i, gap) in enumerate(zip(order, gaps, strict=True)):
        # A space is wider than the line's usual gap between letters, and wide for the line's height. The
        # usual gap is the median of the other gaps between letters that stand apart: with the gap itself
        # among them, the one space of a short line ("HI 42": 60, 130, 40) was judged against itself, and
        # two letters that nearly touch would halve it. With one such gap, or only letters that nearly
        # touch ("Hi 42" written tight: 10, 55, 10), the usual gap is that one, or APART at least, but no
        # more than with no other gap at all (two characters), when only a gap as wide as the line is tall
        # is a space: "A B C" (120, 120) judges each space against the other, which is a space too.
        measured = [None if j == k else g for j, g in enumerate(between_characters)]  # other characters' gaps
        others = [g for g in measured if g is not None and g > APART * height]
        close = any(g is not None and g <= APART * height for g in measured)
        typeset = sum(g is not None and g <= APART * height for g in measured) >= TIGHT_GAPS
        if len(others) >= 2:
            usual = float(np.median(others))
            letters_gap = float(np.median(sorted(others)[: len(others) // 2]))
        elif others or close:
            usual = min(max([*others, APART * height]), height / SPACE_OVER_USUAL)
        else:
            usual = height / SPACE_OVER_USUAL
        if len(others) < 2:
            letters_gap = usual
        # ... or, among short words (several spaces, which raised that median: "hi 1 7 yo" read "hi17 yo"),
        # one of the wide gaps where the line's gaps fall into two clearly apart sizes.
        space = (
            gap is not None
            and gap > (TIGHT_SPACE_GAP * height if typeset and not others else SPACE_GAP * space_height)
            and (
                gap > SPACE_OVER_USUAL * usual
                or (word_gap is not None and gap >= word_gap)
                or (gap > SURE_SPACE_GAP * height and gap > SPACE_OVER_USUAL * letters_gap)
            )
        )
        # After a comma a narrower gap is a space, one wider than the line's narrow gaps: prose has one
        # there, and the comma stands in it ("hello, World" read "hello,world" in a newcomer's trial, its gap
        # 0.48 line heights; "hi, you" read "hi,you", its gap under twice the usual; "Ch 7, p 45" read
        # "Ch 7,p 45", the usual gap raised by the spaces of its short words). Marked as the comma's: between
        # digits ("1,000" or "3,14" written loosely) the reader takes it back once it knows them digits.
        after_comma = k > 0 and punctuation[order[k - 1]] == ","
        comma_space = not space and after_comma and gap is not None and gap > max(COMMA_SPACE_GAP * height, letters_gap)
        box = tuple(float(v) for v in merged[i])
        out.append(
            CharacterPart(
                box,  # type: ignore[arg-type]
                tuple(groups[i]),
                space or comma_space,
                tuple(marks[i]),
                bodies[i],  # type: ignore[arg-type]
                punctuation[i],
                comma_space=comma_space,
            )
        )
    return out


def _word_gaps(gaps: Sequence[float | None], apart: float) -> float | None:
    """The least gap between words where a line's gaps between characters that stand ``apart`` fall into
    two sizes at least WORD_GAP_RATIO apart (the two sizes: the split of the sorted gaps with the least
    spread within each side); None where they do not (a word's letters, however unevenly spaced; letters
    that nearly touch say nothing of a word's gaps)."""
    values = np.sort([g for g in gaps if g is not None and g > apart])
    if len(values) < 3:
        return None
    spreads = [values[:cut].var() * cut + values[cut:].var() * (len(values) - cut) for cut in range(1, len(values))]
    cut = int(np.argmin(spreads)) + 1
    narrow, wide = values[:cut], values[cut:]
    if wide.mean() < WORD_GAP_RATIO * max(float(narrow.mean()), 1e-9):
        return None
    return float(wide.min())


def split_strokes(strokes: Sequence[np.ndarray]) -> list[CharacterPart]:
    """A written line's strokes (in writing order, (x, y) points, y down) split into characters. Raises
    StrokesError for points that are not n x 2 finite numbers, NotOneLineError for writing in rows."""
    from ml.runtime.strokes import stroke_points

    parts = [stroke_points(s, k + 1) for k, s in enumerate(strokes)]
    if not parts or not any(len(p) for p in parts):
        return []
    drawn = sum(1 for p in parts if len(p))
    if drawn > MAX_LINE_STROKES:
        raise TooMuchWritingError(
            f"{drawn} strokes: more than one line of writing ({MAX_LINE_STROKES} strokes at most)"
        )
    boxes = np.array([[*p.min(0), *p.max(0)] if len(p) else [np.nan] * 4 for p in parts])
    present = np.flatnonzero(np.isfinite(boxes).all(1))
    _check_one_line(boxes[present], by_middles=True)
    groups, punctuation = _group(boxes[present], [parts[k] for k in present])
    return _parts_left_to_right(boxes, [[int(present[k]) for k in g] for g in groups], punctuation)


def apart_characters(strokes: Sequence[np.ndarray]) -> int:
    """How many characters a drawing's strokes clearly hold (:func:`clearly_apart`). Raises ValueError for
    writing in rows, as :func:`split_strokes` does."""
    return clearly_apart(split_strokes(strokes))


def clearly_apart(parts: Sequence[CharacterPart]) -> int:
    """How many characters the parts a line was split into clearly are: 1 when they may be one character
    (two parts with no space between them may be one whose strokes stand apart, a Y whose arms miss its
    stem: the line reader weighs such pairs with the models, this count does not)."""
    if len(parts) < 3 and not any(part.space_before for part in parts):
        return min(len(parts), 1)
    return len(parts)


def _row_runs(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The horizontal runs of ink: row, first column and one past the last column of each, in raster order."""
    edges = np.diff(np.pad(ink, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # the same rows, in the same order: each run starts before it ends
    return rows, starts, ends


def _touching_runs(
    rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int, diagonal: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) of runs on consecutive rows that touch, diagonals included (8-neighbourhood; without
    ``diagonal``, side by side only: the 4-neighbourhood).

    Run b on the row below a touches it when b starts no later than one column after a's last pixel and
    ends no earlier than one column before a's first (without diagonals: overlaps a's columns). Runs of a
    row are disjoint and ordered, so the runs touching a are consecutive: found for every run at once by
    binary search on (row, column) keys.
    """
    stride = width + 2
    reach = 0 if diagonal else 1
    below_first = np.searchsorted(rows * stride + ends, (rows + 1) * stride + starts + reach, side="left")
    below_last = np.searchsorted(rows * stride + starts, (rows + 1) * stride + ends - reach, side="right")
    counts = np.maximum(below_last - below_first, 0)
    above = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(len(above)) - np.repeat(np.cumsum(counts) - counts, counts)
    return above, np.repeat(below_first, counts) + offsets


MIN_PIECE_PIXELS = 3  # a piece of ink smaller than this is a speck of noise


def ink_components(ink: np.ndarray, min_pixels: int = MIN_PIECE_PIXELS) -> list[np.ndarray]:
    """Connected pieces of ``ink`` (a boolean H x W mask; 8-neighbourhood) as arrays of (row, column)
    pixels, in the raster order of their first pixel; pieces smaller than ``min_pixels`` (specks, noise)
    are left out.

    Labelled by runs, not pixels: each row's runs of ink, joined with the touching runs of the next row
    (union-find), so a photo's thousands of ink pixels cost a few hundred joins.
    """
    ink = np.asarray(ink, dtype=bool)
    if ink.ndim != 2:
        raise ValueError(f"ink must be an H x W mask, not of shape {ink.shape}")
    return _pieces_of_runs(_row_runs(ink), ink.shape[1], min_pixels)


HAIRLINE_PX = 2.0  # ink whose usual run across a stroke is narrower than this many pixels: a fine pen, small
# Where a fine pen's line crosses pixels it half covers, it falls below the half-peak threshold and breaks:
# a word photographed small came apart into specks, was taken for rows of writing and refused ("a line
# standing sideways?"). Its fainter ink is kept where it joins the dark (validation words as pictures,
# 150, a 1.2-pixel pen on 80-pixel lines: CER 16.95 -> 12.42%; a 1-pixel pen on 40-pixel lines: 16.63 ->
# 13.47%; 0.2 and 0.3 of the peak alike, 0.1 worse on the smaller; 2- and 4-pixel pens untouched).
FAINT_INK = 0.25  # of the ink's peak, against the half of it that makes the mask
HAIRLINE_PIECE_PIXELS = 6  # pieces smaller than this (a photo's grain) do not count in the pen's width: with
# specks of noise a 3-6 px pen's median run was 1 and its neighbouring letters were joined by faint ink


def mask_pen_width(mask: np.ndarray) -> float:
    """The width of the pen that wrote ``mask`` (True where ink), as :func:`split_ink` measures it."""
    return pen_width(_row_runs(np.asarray(mask, dtype=bool)))


def stroke_ink(points: np.ndarray) -> float:
    """A stroke's length of ink: the length of its path through its (x, y) points."""
    return float(np.hypot(*np.diff(points, axis=0).T).sum()) if len(points) > 1 else 0.0


def piece_ink(piece: np.ndarray, pen: float) -> float:
    """A piece of ink's length (its pixels, (row, column) pairs, written with a pen ``pen`` wide): its pixels
    over the pen's width, less the round ends' share."""
    return max(len(piece) / max(pen, 1.0) - pen, 0.0)


def pen_width(runs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> float:
    """The width of the pen that wrote a mask (its runs, :func:`_row_runs`): the median run across a stroke."""
    _, starts, ends = runs
    return float(np.median(ends - starts)) if len(starts) else 0.0


def is_hairline(mask: np.ndarray) -> bool:
    """Whether ``mask``'s ink was written with a pen under HAIRLINE_PX wide, specks left out."""
    (rows, starts, ends), piece_of_run, _ = _pieces_by_runs(np.asarray(mask, dtype=bool), diagonal=True)
    kept = np.bincount(piece_of_run, weights=ends - starts)[piece_of_run] >= HAIRLINE_PIECE_PIXELS
    return bool(kept.any()) and pen_width((rows[kept], starts[kept], ends[kept])) < HAIRLINE_PX


def with_faint_links(strong: np.ndarray, faint: np.ndarray) -> np.ndarray:
    """``strong`` ink with the ``faint`` ink that touches it (8-neighbourhood, through faint ink only):
    a fine pen's line whole again, where its half-covered pixels broke it; faint ink alone (a shadow, the
    paper's grain) stays out."""
    strong = np.asarray(strong, dtype=bool)
    both = strong | np.asarray(faint, dtype=bool)
    (rows, starts, ends), piece_of_run, _ = _pieces_by_runs(both, diagonal=True)
    strong_so_far = np.pad(np.cumsum(strong, axis=1, dtype=np.int64), ((0, 0), (1, 0)))
    strong_in_run = strong_so_far[rows, ends] - strong_so_far[rows, starts]
    holds_strong = np.bincount(piece_of_run, weights=strong_in_run) > 0
    return _mask_of_runs(both.shape, (rows, starts, ends), holds_strong[piece_of_run])


def _mask_of_runs(
    shape: tuple[int, ...], runs: tuple[np.ndarray, np.ndarray, np.ndarray], kept: np.ndarray
) -> np.ndarray:
    """A mask of ``shape`` holding the ``kept`` runs (:func:`_row_runs`) of another."""
    rows, starts, ends = (part[kept] for part in runs)
    change = np.zeros((shape[0], shape[1] + 1), dtype=np.int32)
    np.add.at(change, (rows, starts), 1)
    np.add.at(change, (rows, ends), -1)
    out: np.ndarray = np.cumsum(change, axis=1)[:, :-1] > 0
    return out


def piece_sizes(mask: np.ndarray, diagonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The sizes (pixels) of ``mask``'s connected pieces (8-neighbourhood, or 4 without ``diagonal``) and
    whether each touches the mask's edge."""
    runs, piece_of_run, touching = _pieces_by_runs(mask, diagonal)
    _, starts, ends = runs
    return np.bincount(piece_of_run, weights=ends - starts).astype(np.int64), touching


def reaching_the_edge(mask: np.ndarray, diagonal: bool = False) -> np.ndarray:
    """The pixels of ``mask`` whose piece (4-neighbourhood, or 8 with ``diagonal``) touches its edge."""
    runs, piece_of_run, touching = _pieces_by_runs(mask, diagonal)
    return _mask_of_runs(mask.shape, runs, touching[piece_of_run])


def _pieces_by_runs(
    mask: np.ndarray, diagonal: bool
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """``mask``'s runs (:func:`_row_runs`), each run's piece (0, 1, ...), and whether each piece touches the
    mask's edge."""
    runs = _row_runs(mask)
    rows, starts, ends = runs
    if not len(rows):
        return runs, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    _, piece_of_run = np.unique(_run_roots(rows, starts, ends, mask.shape[1], diagonal), return_inverse=True)
    on_edge = (rows == 0) | (rows == mask.shape[0] - 1) | (starts == 0) | (ends == mask.shape[1])
    return runs, piece_of_run, np.bincount(piece_of_run, weights=on_edge) > 0


def _run_roots(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int, diagonal: bool) -> np.ndarray:
    """Each run's piece, as the index of the piece's first run in raster order (union-find over the runs
    that touch)."""
    parent = list(range(len(rows)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]  # path halving
            k = parent[k]
        return k

    for a, b in zip(*_touching_runs(rows, starts, ends, width, diagonal), strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is a piece's first run in raster order
    return np.array([root(k) for k in range(len(rows))])


def _pieces_of_runs(runs: tuple[np.ndarray, np.ndarray, np.ndarray], width: int, min_pixels: int) -> list[np.ndarray]:
    """:func:`ink_components` from a mask's runs (:func:`_row_runs`; ``width``: the mask's)."""
    rows, starts, ends = runs
    if not len(rows):
        return []
    piece_of_run = _run_roots(rows, starts, ends, width, diagonal=True)
    lengths = ends - starts
    pixel_run = np.repeat(np.arange(len(rows)), lengths)
    columns = np.arange(len(pixel_run)) - np.repeat(np.cumsum(lengths) - lengths, lengths) + starts[pixel_run]
    pixels = np.stack([rows[pixel_run], columns], axis=1)
    order = np.argsort(piece_of_run[pixel_run], kind="stable")
    bounds = np.flatnonzero(np.diff(piece_of_run[pixel_run][order])) + 1
    return [piece for piece in np.split(pixels[order], bounds) if len(piece) >= min_pixels]


def piece_boxes(pieces: Sequence[np.ndarray]) -> np.ndarray:
    """The boxes (x0, y0, x1, y1; x1, y1 one past the last pixel) of pieces of ink ((row, column) pixels)."""
    return np.array([[p[:, 1].min(), p[:, 0].min(), p[:, 1].max() + 1, p[:, 0].max() + 1] for p in pieces], float)


def split_ink(ink: np.ndarray) -> tuple[list[CharacterPart], list[np.ndarray]]:
    """A picture's ink (boolean H x W, True = ink) split into characters (boxes in pixels; ``strokes``
    index the ink pieces), and the pieces: (row, column) pixels each."""
    ink = np.asarray(ink, dtype=bool)
    if ink.ndim != 2:
        raise ValueError(f"ink must be an H x W mask, not of shape {ink.shape}")
    runs = _row_runs(ink)  # the pieces, and the pen's width: the median run across a stroke
    pieces = _pieces_of_runs(runs, ink.shape[1], MIN_PIECE_PIXELS)
    if not pieces:
        return [], []
    boxes = piece_boxes(pieces)
    if len(pieces) > 4 * MAX_CHARACTERS:
        # A page's lines are each read as a line (RowsOfWritingError says so); specks in rows (a page of
        # dots, a halftone) are no lines: their pieces are filled blobs, not a pen's strokes.
        filled = np.median([len(p) / max((np.ptp(p[:, 0]) + 1) * (np.ptp(p[:, 1]) + 1), 1) for p in pieces])
        if len(pieces) <= MAX_PAGE_PIECES and filled < STROKES_FILL:
            _check_one_line(boxes, by_middles=True)
        raise TooMuchWritingError(f"{len(pieces)} separate pieces of ink: this does not look like one line of writing")
    _check_one_line(boxes, by_middles=True)
    # Parts ordered left to right.
    order = np.argsort(boxes[:, 0], kind="stable")
    pen = pen_width(runs)
    lengths = np.array([piece_ink(pieces[k], pen) for k in order])
    groups, punctuation = _group(
        boxes[order],
        pen=pen,
        lengths=lengths,
        ends=lambda k: straight_piece_ends(pieces[order[k]], pen),
    )
    # Lines standing sideways are columns, two or more, most of what the splitting found: one column is a
    # letter whose ink broke (a faint y in three pieces, one above another), not a note turned.
    height = line_height(boxes)
    columns = sum(_a_column(boxes[order[g]], height) for g in groups)
    if columns >= 2 and 2 * columns >= len(groups):
        raise SidewaysWritingError(SIDEWAYS)
    return _parts_left_to_right(boxes, [[int(order[k]) for k in g] for g in groups], punctuation), pieces


def straight_piece_ends(piece: np.ndarray, pen: float) -> np.ndarray | None:
    """A straight piece of ink's (row, column pixels) two ends, as (x, y) points: its pixels furthest apart
    along its axis; None for a piece that bends, its pixels straying from the axis more than
    PIECE_STRAIGHT_PEN pen widths and PIECE_STRAIGHT_BOW of its length (a y's arm, an r's shoulder)."""
    xy = piece[:, ::-1].astype(np.float64)
    if len(xy) < 2:
        return None
    centred = xy - xy.mean(0)
    across_axis, along_axis = np.linalg.eigh(centred.T @ centred)[1].T  # (its axes, the longer last)
    along, across = centred @ along_axis, centred @ across_axis
    if np.abs(across).max() > PIECE_STRAIGHT_PEN * pen + PIECE_STRAIGHT_BOW * np.ptp(along):
        return None
    return xy[[int(np.argmin(along)), int(np.argmax(along))]]


def crossing_bars(piece: np.ndarray, pen: float) -> list[np.ndarray] | None:
    """A piece of ink's (row, column pixels) two straight bars, as their ends ((x, y) points, the upright
    bar first), where it is two that cross, one nearer flat and one nearer upright (a plus sign, a cross:
    :func:`is_plus` tells); None where it is not. The upright bar is what reaches above and below the band
    of rows round the row with the most ink (the flat bar's), the flat bar what lies off the upright's
    line; every pixel lies on one or the other."""
    rows, columns = piece[:, 0], piece[:, 1]
    if len(piece) < 4 or np.ptp(rows) < 2 * pen or np.ptp(columns) < 2 * pen:
        return None
    first = int(rows.min())
    bar_row = first + int(np.argmax(np.bincount(rows - first)))
    reach = pen + PLUS_TILT_REACH * np.ptp(columns)  # (a bar tilted a little spans rows)
    upright = straight_piece_ends(piece[np.abs(rows - bar_row) > reach], pen)
    if upright is None:
        return None
    # The flat bar: what lies off the upright bar's line.
    axis = (upright[1] - upright[0]) / max(float(np.hypot(*(upright[1] - upright[0]))), 1e-9)
    xy = piece[:, ::-1].astype(np.float64)
    off = np.abs((xy[:, 0] - upright[0, 0]) * axis[1] - (xy[:, 1] - upright[0, 1]) * axis[0])
    flat = straight_piece_ends(piece[off > pen], pen)
    if flat is None:
        return None
    # Every pixel on one bar or the other, and the upright bar's ends where its ink ends.
    along = (xy - upright[0]) @ axis
    on_upright = off <= PIECE_STRAIGHT_PEN * pen + PIECE_STRAIGHT_BOW * float(np.ptp(along))
    flat_axis = (flat[1] - flat[0]) / max(float(np.hypot(*(flat[1] - flat[0]))), 1e-9)
    off_flat = np.abs((xy[:, 0] - flat[0, 0]) * flat_axis[1] - (xy[:, 1] - flat[0, 1]) * flat_axis[0])
    on_flat = off_flat <= PIECE_STRAIGHT_PEN * pen + PIECE_STRAIGHT_BOW * float(np.hypot(*(flat[1] - flat[0])))
    if not (on_upright | on_flat).all():
        return None
    upright = upright[0] + np.outer([along[on_upright].min(), along[on_upright].max()], axis)
    return [upright, flat]


def _a_column(boxes: np.ndarray, height: float) -> bool:
    """Whether a character's pieces (boxes) hold three of a character's height or more, each below the one
    before, apart: letters of a line standing sideways (a note turned a quarter read as one short line of
    nonsense, a column taken for each character; an i's dot and stem, an 8's loops are two at most)."""
    tall = boxes[boxes[:, 3] - boxes[:, 1] > LINE_PART * height]
    tall = tall[np.argsort(tall[:, 1] + tall[:, 3], kind="stable")]
    chain = 1
    for above, below in itertools.pairwise(tall):
        shorter = min(above[3] - above[1], below[3] - below[1])
        chain = chain + 1 if above[3] - below[1] < COLUMN_OVERLAP * shorter else 1
        if chain >= 3:
            return True
    return False


COLUMN_OVERLAP = 0.25  # of the shorter one's height: two pieces overlapping less, one above the other, are apart


CLOSE = 0.15  # neighbours whose ink comes this many line heights near each other may be one character
# ... and so may two neighbours drawn as strokes whose boxes overlap along the line by this many line heights (less than
# JOIN_OVERLAP of the narrower: a 5's flag drawn apart above its body, an m's second hump or a y's arm
# started off the first). On the validation words' stroke pairs whose ink is farther than CLOSE, 9 of 66
# such overlapping neighbours are one character, and recognition keeps the others apart (a scratch script
# over the pairs' recorded odds); read end to end, words_val CER 8.30 -> 8.23%, one box 98.67 -> 98.71%.
OVERLAP_CLOSE = 0.05


def close_pairs(parts: Sequence[CharacterPart], strokes: Sequence[np.ndarray]) -> list[int]:
    """Positions i where parts i and i + 1 (left to right) come within ``CLOSE`` line heights of each other,
    or whose boxes overlap along the line by ``OVERLAP_CLOSE`` line heights, however far apart their ink:
    candidates for one character split in two, for recognition to settle."""
    if len(parts) < 2:
        return []
    height = line_height(np.array([p.box for p in parts]))
    close = _close_neighbours(
        parts, CLOSE * height, lambda part, reach: np.vstack([_dense(strokes[k], reach / 2) for k in part.strokes])
    )
    overlapping = [
        i
        for i, (a, b) in enumerate(itertools.pairwise(parts))
        if not b.space_before and a.box[2] - b.box[0] >= OVERLAP_CLOSE * height
    ]
    return sorted(set(close) | set(overlapping))


def close_pieces(parts: Sequence[CharacterPart], pieces: Sequence[np.ndarray]) -> list[int]:
    """Positions i where parts i and i + 1 of a picture (left to right; ``pieces``: the (row, column)
    pixels of each piece of ink) come within ``CLOSE`` line heights of each other: a character whose
    strokes do not touch (the arms of a K short of its stem), for recognition to settle."""
    if len(parts) < 2:
        return []
    height = line_height(np.array([p.body_box for p in parts]))
    return _close_neighbours(
        parts, CLOSE * height, lambda part, _: np.vstack([pieces[k] for k in part.strokes])[:, ::-1].astype(np.float64)
    )


def _close_neighbours(
    parts: Sequence[CharacterPart], reach: float, ink_of: Callable[[CharacterPart, float], np.ndarray]
) -> list[int]:
    """Positions i where the ink of parts i and i + 1 (``ink_of``: a part's (x, y) points) comes within
    ``reach`` of each other, no space between them."""
    out = []
    for i, (a, b) in enumerate(itertools.pairwise(parts)):
        if b.space_before or b.box[0] - a.box[2] > reach:
            continue
        ink_a, ink_b = ink_of(a, reach), ink_of(b, reach)
        # Only the facing sides matter: each side's ink within reach of the other's box.
        ink_a = ink_a[ink_a[:, 0] >= b.box[0] - reach]
        ink_b = ink_b[ink_b[:, 0] <= a.box[2] + reach]
        if (
            len(ink_a)
            and len(ink_b)
            and _nearest(ink_a[:: len(ink_a) // 200 + 1], ink_b[:: len(ink_b) // 200 + 1]) <= reach
        ):
            out.append(i)
    return out


def starts_on_ink(parts: Sequence[CharacterPart], strokes: Sequence[np.ndarray], i: int, height: float) -> bool:
    """Whether part ``i + 1``'s first stroke begins on the ink of part ``i`` (the pen put down where it
    had just written: the second hump of an m drawn in pieces), which makes the two likelier one.
    ``height``: the line's (:func:`line_height` of its parts' boxes)."""
    reach = TOUCH_REACH * height
    first = strokes[min(parts[i + 1].strokes)]
    if not len(first):
        return False
    ink = np.vstack([_dense(strokes[k], reach) for k in parts[i].strokes])
    return bool(np.sqrt(((ink - first[0]) ** 2).sum(1)).min() <= reach)


# Strokes that the rules joined may be two characters: a writer whose letters overlap along the line,
# or whose next letter starts on the last one's ink. The two sides of a cut in writing order may be two
# characters when they overlap less than this share of the narrower one's width along the line (on the
# validation words' 950 such cuts, the 15 that part two characters all overlap less than 0.7; 0.5 keeps 13
# and leaves 99 others, a tenth, for recognition to reject).
CUT_OVERLAP = 0.5
CUTS_PER_PART = 2  # each read twice: a heavily overlapped line must not cost a read for every stroke


def stroke_cuts(
    parts: Sequence[CharacterPart], strokes: Sequence[np.ndarray]
) -> list[tuple[int, CharacterPart, CharacterPart]]:
    """Places where a character of several strokes may be two, for recognition to settle: (its index, the
    left side, the right side), each side the strokes before or after a cut in writing order. Only cuts
    whose two sides overlap less than ``CUT_OVERLAP`` along the line, at most ``CUTS_PER_PART`` of them
    (those that overlap least) a character. A side may be marks alone: a letter written far smaller than
    the line's is taken for a mark by the rules."""
    if not parts:
        return []
    height = line_height(np.array([p.box for p in parts]))
    out = []
    for i, part in enumerate(parts):
        offered = [cut for cut in part_cuts(part, strokes, height) if cut[0] < CUT_OVERLAP]
        out += [(i, left, right) for _, left, right in offered[:CUTS_PER_PART]]
    return out


def part_cuts(
    part: CharacterPart, strokes: Sequence[np.ndarray], height: float, left_to_right: bool = False
) -> list[tuple[float, CharacterPart, CharacterPart]]:
    """Every way a character of several strokes is two (for :func:`stroke_cuts`, and for a character the
    person says is two): (how much the sides overlap along the line, the left side, the right side), the
    least overlap first. Each side is the strokes before or after a cut in writing order; with
    ``left_to_right`` also in the order of the strokes' middles along the line (two letters whose dot and bar
    came last, "it": in writing order no cut parts them)."""
    min_width = MIN_WIDTH * height
    orders = [sorted(part.strokes)]
    if left_to_right:
        middles = {k: sum(strokes_box(strokes, [k])[::2]) if len(strokes[k]) else 0.0 for k in part.strokes}
        orders.append(sorted(part.strokes, key=lambda k: (middles[k], k)))
    # By one side (the other is the rest): the same cut found in both orders is offered once.
    offered: dict[tuple[int, ...], tuple[float, CharacterPart, CharacterPart]] = {}
    for order in orders:
        for cut in range(1, len(order)):
            sides = tuple(sorted(order[:cut])), tuple(sorted(order[cut:]))
            if any(not any(len(strokes[k]) for k in side) for side in sides) or min(sides) in offered:
                continue
            boxes = [strokes_box(strokes, side) for side in sides]
            share = _overlap_share(np.array(boxes[0]), np.array(boxes[1]), min_width)
            made = []
            for side, box in zip(sides, boxes, strict=True):
                # Marks stay marks beside a body; a side of marks alone is a character.
                marks = tuple(k for k in side if k in part.marks and not set(side) <= set(part.marks))
                body = [k for k in side if k not in marks and len(strokes[k])]
                made.append(CharacterPart(box, side, marks=marks, body=strokes_box(strokes, body) if body else box))
            left, right = sorted(made, key=lambda made_part: made_part.box[0] + made_part.box[2])
            offered[min(sides)] = (share, replace(left, space_before=part.space_before), right)
    return sorted(offered.values(), key=lambda cut: cut[0])


def joined_parts(
    parts: Sequence[CharacterPart], strokes: Sequence[np.ndarray], group: Sequence[int]
) -> tuple[list[CharacterPart], tuple[int, ...]]:
    """``parts`` with the strokes of ``group`` (positions in ``strokes``) made one character of their own, as a
    person joined them, and its strokes; the parts that held them keep their other strokes (two letters
    that overlap, one of them joined to the letter before: the other stays). The parts left to right
    again; as they were when ``group`` names no stroke of theirs."""
    wanted = set(group)
    holding = [k for k, part in enumerate(parts) if wanted & set(part.strokes)]
    if not holding:
        return list(parts), ()
    held = {k for h in holding for k in parts[h].strokes}
    marked = {k for h in holding for k in parts[h].marks}

    def part_of(which: list[int], space_before: bool) -> CharacterPart:
        marks = tuple(k for k in which if k in marked) if not set(which) <= marked else ()
        body = [k for k in which if k not in marks and len(strokes[k])] or which
        return CharacterPart(strokes_box(strokes, which), tuple(which), space_before, marks, strokes_box(strokes, body))

    first = parts[holding[0]]
    out = [part for k, part in enumerate(parts) if k not in holding]
    whole = part_of(sorted(wanted & held), first.space_before)
    out.append(whole)
    for h in holding:
        rest = [k for k in parts[h].strokes if k not in wanted]
        if any(len(strokes[k]) for k in rest):
            out.append(part_of(rest, parts[h].space_before and h != holding[0]))
    return sorted(out, key=lambda part: part.box[0] + part.box[2]), whole.strokes


def strokes_box(strokes: Sequence[np.ndarray], which: Iterable[int]) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) round the points of the strokes ``which`` (positions in ``strokes``)."""
    points = np.vstack([np.asarray(strokes[k], dtype=np.float64).reshape(-1, 2) for k in which if len(strokes[k])])
    x0, y0 = points.min(0)
    x1, y1 = points.max(0)
    return float(x0), float(y0), float(x1), float(y1)


def merge_parts(a: CharacterPart, b: CharacterPart) -> CharacterPart:
    box = (min(a.box[0], b.box[0]), min(a.box[1], b.box[1]), max(a.box[2], b.box[2]), max(a.box[3], b.box[3]))
    body = (
        min(a.body_box[0], b.body_box[0]),
        min(a.body_box[1], b.body_box[1]),
        max(a.body_box[2], b.body_box[2]),
        max(a.body_box[3], b.body_box[3]),
    )
    strokes = tuple(sorted(a.strokes + b.strokes))
    return CharacterPart(box, strokes, a.space_before, a.marks + b.marks, body, comma_space=a.comma_space)


WIDE_INK = 1.2  # a piece of ink this many line heights wide may be two characters that touch
CUTS = 3  # places such a piece is cut to read its two sides


# ... or wider than this many of the line's usual character widths (the median of its parts'): two small
# letters that touch are narrower than a line height. Pictures of the validation words: 94.10 -> 94.59%
# of characters in one box, CER any case 12.00 -> 11.85%; test words 94.55 -> 95.14%, CER unchanged
# (1.3: 94.78% but test CER 11.16 -> 11.44%; weighing the width in the cut's odds as strokes do made it
# worse at every weight: recognition of a touching pair's cut sides is too weak to lean on).
CUT_WIDE = 1.6


def cut_columns(
    pixels: np.ndarray, height: float, usual_width: float | None = None, cut_wide: float = CUT_WIDE
) -> list[int]:
    """Where a wide piece of ink (``pixels``: (row, column) pairs) may hold two touching characters: the
    columns with the least ink in its middle half, a tenth of its width apart at least; none when the
    piece is narrower than ``WIDE_INK`` line heights (an m or a W, not two letters) and, when the line's
    usual character width is known, than ``cut_wide`` of those. Recognition decides whether a cut is kept."""
    columns = pixels[:, 1]
    left = int(columns.min())
    width = int(columns.max()) + 1 - left
    wide = WIDE_INK * height if usual_width is None else min(WIDE_INK * height, cut_wide * usual_width)
    if width < wide:
        return []
    counts = np.bincount(columns - left, minlength=width)
    low, high = max(1, int(0.25 * width)), int(0.75 * width)  # both sides keep ink
    cuts: list[int] = []
    for column in (np.argsort(counts[low:high], kind="stable") + low).tolist():
        if all(abs(column - c) > 0.1 * width for c in cuts):
            cuts.append(column)
        if len(cuts) == CUTS:
            break
    return [left + c for c in cuts]
