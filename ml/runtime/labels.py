"""Label sets: which characters a model tells apart, in output order.

Labels travel through the project as characters, never as dataset-specific indices. A sample whose
case is unknown (EMNIST *bymerge* merges c/C, o/O, ... into one class stored as the uppercase letter)
carries ``case_merged=True`` and may only serve a label set that merges that letter's case too.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

# How many classes an answer lists unless asked for another number: the app's list, predict, the API.
TOP_K = 5

DIGITS = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
# EMNIST Balanced/ByMerge keep these lowercase letters apart from their capitals: the other 15 look
# the same in both cases when written, so NIST merged them (Cohen et al., 2017, "EMNIST").
BALANCED_LOWER_KEPT = "abdefghnqrt"


# Label sets of one kind of character only: what they read, for a note where both kinds are written.
READS_ONLY = {"digits10": "digits (0-9)", "letters26": "letters (A-Z, either case)"}


def reads_letters(labels: Sequence[str]) -> bool:
    """Whether a model of these classes reads letters: a digits model has no case or spelling to weigh."""
    return any(label.isalpha() for label in labels)


def tells_case(labels: Sequence[str]) -> bool:
    """Whether a model of these classes reads small letters as classes of their own (byclass62), so that it
    needs no case model: its own capitals and small letters say the case."""
    return any(label.islower() for label in labels)


@dataclass(frozen=True)
class LabelSet:
    """An ordered set of classes and the rule that maps a sample's character onto one of them."""

    name: str
    classes: tuple[str, ...]
    # Letters whose upper and lower case share one class in this set.
    merged_case: frozenset[str]

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def class_of(self, char: str, case_merged: bool = False) -> int | None:
        """Class index for a sample labelled ``char``, or None when the set cannot use it.

        ``case_merged`` marks a label whose case is unknown; such a sample is usable only when this set
        merges the letter's case as well.
        """
        if len(char) != 1:
            return None
        key = char
        if char.isalpha():
            merges = char.upper() in self.merged_case
            if case_merged and not merges:
                return None
            if merges:
                key = char.upper()
        try:
            return self.classes.index(key)
        except ValueError:
            return None


def _make(name: str, classes: str, merged: str) -> LabelSet:
    return LabelSet(name=name, classes=tuple(classes), merged_case=frozenset(merged))


_BALANCED_MERGED = "".join(c for c in UPPER if c.lower() not in BALANCED_LOWER_KEPT)
# The letters whose small form is the capital drawn smaller (c, o, s, ...): drawn alone, with no line to size
# them by, the two cases are one shape. Not all of EMNIST's merged letters: an i or j has its dot, an l no
# foot, an m and a y their own shapes.
CASES_ALIKE_ALONE = frozenset("CKOPSUVWXZ")

LABEL_SETS: dict[str, LabelSet] = {
    "digits10": _make("digits10", DIGITS, ""),
    "letters26": _make("letters26", UPPER, UPPER),
    "emnist36": _make("emnist36", DIGITS + UPPER, UPPER),
    "balanced47": _make("balanced47", DIGITS + UPPER + BALANCED_LOWER_KEPT, _BALANCED_MERGED),
    "byclass62": _make("byclass62", DIGITS + UPPER + LOWER, ""),
}


def get_label_set(name: str) -> LabelSet:
    try:
        return LABEL_SETS[name]
    except KeyError:
        raise ValueError(f"unknown label set {name!r}; choose one of {', '.join(LABEL_SETS)}") from None


def folder_name_for(char: str) -> str:
    """A folder name for a class that survives case-insensitive file systems (Windows, macOS)."""
    return f"{char}_lower" if char.islower() else char


def char_from_folder_name(name: str) -> str | None:
    """Inverse of :func:`folder_name_for`; also accepts ``upper_A``/``lower_a`` and ``A_upper``."""
    if len(name) == 1:
        return name
    for prefix_or_suffix, to_case in (("lower", str.lower), ("upper", str.upper)):
        for candidate in (name.removeprefix(prefix_or_suffix + "_"), name.removesuffix("_" + prefix_or_suffix)):
            if len(candidate) == 1 and candidate.isalpha():
                return to_case(candidate)
    return None


def merged_case_of(classes: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The letters a model with these classes reads in either case as one class (their capitals)."""
    return frozenset(c for c in classes if c.isalpha() and c.isupper() and c.lower() not in classes)


def class_columns(labels: Sequence[str], other_labels: Sequence[str]) -> list[int] | None:
    """Where each of ``labels`` is among ``other_labels``: the same class, or for a letter whose case the
    other classes merge and these split (a and A), that letter's one class. None where one is not there,
    or where these merge a case the others split (neither of its two classes is this one's). Which cases a
    set merges is read from its classes (:func:`merged_case_of`)."""
    merged, other_merged = merged_case_of(list(labels)), merged_case_of(list(other_labels))
    columns = []
    for label in labels:
        letter, target = label.upper(), label
        if label.isalpha() and (letter in merged) != (letter in other_merged):
            if letter in merged:
                return None
            target = letter
        if target not in other_labels:
            return None
        columns.append(list(other_labels).index(target))
    return columns


def tells_case_apart(label_set: str, other_labels: Sequence[str]) -> bool:
    """Whether ``label_set`` splits a case that the other classes (a stroke model's) merge: that model's
    answer over it leaves the case to the picture, and read alone it cannot say a from A."""
    try:
        labels = get_label_set(label_set).classes
    except ValueError:
        return False
    columns = class_columns(labels, other_labels)
    return columns is not None and splits_a_class(columns)


def splits_a_class(columns: Sequence[int]) -> bool:
    """Whether classes mapped by ``columns`` (:func:`class_columns`) split one of the other classes in two
    (a and A, both the other set's A)."""
    return len(set(columns)) < len(columns)
