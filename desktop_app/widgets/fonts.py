"""How answers are shown: a font where look-alike characters look different, their names, their chances."""

from __future__ import annotations

import functools
from collections.abc import Collection

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter

# Fixed-width families tried in turn where the system's fixed font will not do: under a Japanese locale it
# resolved to a proportional fallback (Droid Sans Fallback), whose l and I are the same stroke; and in
# DejaVu Sans Mono, Linux's usual one, the dot in the 0 fades below 20 px, leaving a narrow O and a 0 alike
# (a teacher's trial read the answer O as a zero).
FIXED_FAMILIES = (
    "Noto Sans Mono",
    "Cascadia Mono",
    "Consolas",
    "Menlo",
    "SF Mono",
    "Ubuntu Mono",
    "DejaVu Sans Mono",
    "Liberation Mono",
    "Courier New",
)

# The pixel sizes of the answers' rows, buttons and big answer at which a 0 must stand out from an O.
ZERO_CHECK_SIZES_PX = (12, 16, 24)
# How much more of the middle of a 0 than of an O is ink, at least, at each of those sizes: a slashed 0 has
# 0.3 or more; DejaVu Sans Mono's dotted 0 has 0.02 at 16 px.
ZERO_MARK_MIN_INK = 0.15


def _middle_ink(font: QFont, char: str, pixel_size: int) -> float:
    """The share of ink (0-1) in the middle of ``char``'s drawn box: a 0's slash or dot, an O's hole."""
    sized = QFont(font)
    sized.setPixelSize(pixel_size)
    box = QFontMetrics(sized).tightBoundingRect(char)
    if box.width() < 5 or box.height() < 5:
        return 0.0
    image = QImage(box.width(), box.height(), QImage.Format.Format_Grayscale8)
    image.fill(255)
    painter = QPainter(image)
    painter.setFont(sized)
    painter.setPen(QColor("black"))
    painter.drawText(-box.x(), -box.y(), char)
    painter.end()
    width, height = box.width(), box.height()
    xs = range(int(width * 0.3), int(width * 0.7) + 1)
    ys = range(int(height * 0.3), int(height * 0.7) + 1)
    ink = [255 - image.pixelColor(x, y).red() for y in ys for x in xs if x < width and y < height]
    return sum(ink) / (255 * len(ink)) if ink else 0.0


def is_fixed_width(font: QFont) -> bool:
    """Whether narrow and wide characters take the same width in ``font`` (Qt calls Noto Sans Mono
    proportional, from a flag in the file, though its letters are all one width)."""
    metrics = QFontMetrics(font)
    return len({metrics.horizontalAdvance(char) for char in "iIl1MWO0"}) == 1


def zero_stands_out(font: QFont) -> bool:
    """Whether ``font``'s 0 is marked (slashed or dotted) plainly enough to tell from its O at the sizes
    answers are shown at."""
    return all(
        _middle_ink(font, "0", size) - _middle_ink(font, "O", size) >= ZERO_MARK_MIN_INK for size in ZERO_CHECK_SIZES_PX
    )


@functools.cache
def _fixed_font() -> QFont:
    """Chosen once (fonts are looked up per table cell); copied by each caller. The system's fixed font
    where its 0 stands out, else the first family here whose does, else the first fixed-width one."""
    system = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    families = set(QFontDatabase.families())
    candidates = [system] + [QFont(family) for family in FIXED_FAMILIES if family in families]
    fixed = [font for font in candidates if is_fixed_width(font)]
    for font in fixed:
        if zero_stands_out(font):
            return font
    if fixed:
        return fixed[0]
    system.setStyleHint(QFont.StyleHint.TypeWriter)  # the best left: whatever fixed font fontconfig has
    return system


def character_font(like: QFont, scale: float = 1.0, bold: bool = False) -> QFont:
    """A fixed-width font at ``like``'s size times ``scale``: in it l, I and 1, and O and 0, differ (in the
    interface's sans-serif font the answer "L / l" read as "L / I")."""
    font = sized_like(_fixed_font(), like, scale)
    font.setBold(bold)
    return font


def sized_like(font: QFont, like: QFont, scale: float = 1.0) -> QFont:
    """A copy of ``font`` at ``like``'s size times ``scale``, in points or, for a font sized in pixels (which
    has no point size), in pixels."""
    sized = QFont(font)
    if like.pointSizeF() > 0:
        sized.setPointSizeF(like.pointSizeF() * scale)
    else:
        sized.setPixelSize(max(1, round(like.pixelSize() * scale)))
    return sized


# Characters that look alike in many fonts (where no marked 0 is found, a 0 is an O a little narrower), named where a
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


def wrapped_height(metrics: QFontMetrics, text: str, width: int) -> int:
    """How tall ``text`` is, word-wrapped at ``width`` px in ``metrics``' font."""
    return metrics.boundingRect(QRect(0, 0, max(width, 1), 10**6), Qt.TextFlag.TextWordWrap, text).height()


def whole_percent_text(prob: float) -> str:
    """A chance in whole percents, for a list of several in one cell: "<1%" rather than "0%" (which reads as
    never), ">99%" rather than "100%" (as sure as no model is)."""
    if prob < 0.005:
        return "<1%"
    return ">99%" if prob >= 0.995 else f"{max(100 * prob, 1.0):.0f}%"  # (NaN: "nan%", not certain)


def described(char: str) -> str:
    """``char`` with its name when it has a look-alike ("0 (zero)"), else as it is."""
    name = LOOKALIKE_NAMES.get(char)
    return f"{char} ({name})" if name else char


def spoken_character(char: str) -> str:
    """A character of written text as a screen reader should say it: a letter with its case (speech has none:
    "b" and "B" sounded alike, an accessibility audit's), a digit with a look-alike by its name."""
    return spoken_class_name(char, frozenset()) if char.lower() != char.upper() else described(char)


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
