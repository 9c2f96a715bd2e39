"""How answers are shown: a font where look-alike characters look different, their names, their chances."""

from __future__ import annotations

import functools
from collections.abc import Collection

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

# Fixed-width families in which l, I and 1, and O and 0, differ, tried in turn where the system's fixed
# font is not fixed-width after all: under a Japanese locale it resolved to a proportional fallback (Droid
# Sans Fallback), whose l and I are the same stroke.
FIXED_FAMILIES = (
    "DejaVu Sans Mono",
    "Noto Sans Mono",
    "Liberation Mono",
    "Cascadia Mono",
    "Consolas",
    "Menlo",
    "SF Mono",
    "Courier New",
)


@functools.cache
def _fixed_font() -> QFont:
    """Chosen once (fonts are looked up per table cell); copied by each caller."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if QFontInfo(font).fixedPitch():
        return font
    families = set(QFontDatabase.families())
    for family in FIXED_FAMILIES:
        if family in families:
            chosen = QFont(family)
            if QFontInfo(chosen).fixedPitch():
                return chosen
    font.setStyleHint(QFont.StyleHint.TypeWriter)  # the best left: whatever fixed font fontconfig has
    return font


def character_font(like: QFont, scale: float = 1.0, bold: bool = False) -> QFont:
    """A fixed-width font at ``like``'s size times ``scale``, the system's where it is one: in it l, I and 1,
    and O and 0, differ (in the interface's sans-serif font the answer "L / l" read as "L / I")."""
    font = QFont(_fixed_font())
    if like.pointSizeF() > 0:
        font.setPointSizeF(like.pointSizeF() * scale)
    else:  # a font sized in pixels has no point size
        font.setPixelSize(max(1, round(like.pixelSize() * scale)))
    font.setBold(bold)
    return font


# Characters that look alike in many fonts (DejaVu Sans Mono's 0 is an O a little narrower), named where a
# reading is offered or described, so a choice between them is never a guess at a glyph.
LOOKALIKE_NAMES = {
    "0": "zero",
    "O": "capital O",
    "o": "small o",
    "1": "one",
    "I": "capital I",
    "l": "small L",
    "i": "small i",
    "5": "five",
    "S": "capital S",
    "s": "small s",
    "2": "two",
    "Z": "capital Z",
    "z": "small z",
}


LOOKALIKE_GROUPS = ("0Oo", "1Iil", "5Ss", "2Zz")


def lookalikes_among(classes: Collection[str]) -> frozenset[str]:
    """The classes that have a look-alike among ``classes`` (a 36-class model's 0 beside its O; none of a
    digits model's): the ones a list of them names ("0 (zero)")."""
    return frozenset(
        char
        for char in classes
        for group in LOOKALIKE_GROUPS
        if char in group and any(other in classes for other in group if other != char)
    )


def middle_cut(text: str, keep: int) -> str:
    """``text`` with only ``keep`` of its characters, its start and end, an ellipsis between."""
    if keep >= len(text):
        return text
    head = (keep + 1) // 2
    return text[:head] + "…" + text[len(text) - (keep - head) :]


UNSURE_BELOW = 0.8  # a line's character read with less than this is marked unsure (its alternatives matter)


def confidence_text(prob: float) -> str:
    """A chance as every view shows it: one decimal, and "<0.1%" rather than a column of "0.0%"."""
    return f"{100 * prob:.1f}%" if prob >= 0.0005 else "<0.1%"


def whole_percent_text(prob: float) -> str:
    """A chance in whole percents, for a list of several in one cell: "<1%" rather than "0%" (which reads as
    never)."""
    return f"{max(100 * prob, 1.0):.0f}%" if prob >= 0.005 else "<1%"


def described(char: str) -> str:
    """``char`` with its name when it has a look-alike ("0 (zero)"), else as it is."""
    name = LOOKALIKE_NAMES.get(char)
    return f"{char} ({name})" if name else char


def class_name(label: str, merged_case: frozenset[str], name_lookalikes: bool = True) -> str:
    """A class as the answer names it: a letter the model reads in either case as one class "L / l"
    (``merged_case``: those letters' capitals), a look-alike with its name ("0 (zero)") unless
    ``name_lookalikes`` is off (a table cell that names it on hover), else itself."""
    if label.isalpha() and label.upper() in merged_case:
        return f"{label.upper()} / {label.lower()}"
    return described(label) if name_lookalikes else label


def spoken_class_name(label: str, merged_case: frozenset[str]) -> str:
    """A class as a screen reader should say it: speech has no case, so a letter says its case ("capital
    A", "small l", "L, capital or small" for one the model reads in either case)."""
    if not label.isalpha():
        return label
    if label.upper() in merged_case:
        return f"{label.upper()}, capital or small"
    return f"capital {label}" if label.isupper() else f"small {label}"


def short_class_name(label: str, merged_case: frozenset[str]) -> str:
    """A class in a list of answers (top-k rows, a batch's Top-k): "L/l" for a letter read in either case."""
    return f"{label.upper()}/{label.lower()}" if label.isalpha() and label.upper() in merged_case else label
