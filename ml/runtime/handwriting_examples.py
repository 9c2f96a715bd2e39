"""A folder of a person's own handwriting: one sub-folder per character, a picture of each example kept
(and its strokes beside it, when it was drawn), laid out as ``glyphpad-ml train --images`` and
``glyphpad-ml evaluate --images`` read it (:mod:`ml.training.data.image_folders`).

The app's File -> Keep as Example files a drawing here under the character the person says it is; this
module names the files and counts what is kept, and knows nothing of Qt.
"""

from __future__ import annotations

import string
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from ml.runtime.image_files import find_image_files
from ml.runtime.labels import char_from_folder_name, folder_name_for

# The folder offered the first time, in the person's documents.
EXAMPLES_FOLDER_NAME = "GlyphPad handwriting"
# Training holds every tenth of a character's examples out to score the model on: a character needs ten to
# have one held out (fewer are trained on whole).
EXAMPLES_TO_HOLD_ONE_OUT = 10
EXAMPLE_CHARACTERS = string.digits + string.ascii_uppercase + string.ascii_lowercase  # every class of byclass62


def example_label_problem(text: str) -> str | None:
    """Why ``text`` cannot name an example's character, or None: one letter or digit (the classes models
    learn; a punctuation mark or a space is none of theirs)."""
    if not text:
        return "type the character the drawing is"
    if len(text) != 1:
        return f"one character, not {len(text)}"
    if text not in EXAMPLE_CHARACTERS:
        return "a letter (A-Z, a-z) or a digit (0-9): the models learn no other characters"
    return None


def describe_example_label(char: str) -> str:
    """How an example's character is said, its case with it: a model that reads small letters apart
    (byclass62) learns a small a from a_lower and a capital A from A."""
    if char.isdigit():
        return f"the digit {char}"
    return f"a small {char}" if char.islower() else f"a capital {char}"


def class_folder(root: Path, char: str) -> Path:
    """Where examples of ``char`` are kept: ``a_lower`` for a small a, so that a and A stay apart on file
    systems that do not tell case (Windows, macOS)."""
    return root / folder_name_for(char)


def folder_of_other_case(root: Path, char: str) -> Path | None:
    """The folder under ``root`` that ``char``'s folder would be on a file system that does not tell case
    in names (Windows, macOS: an "a" made by hand where a capital A's "A" goes), or None."""
    target = class_folder(root, char)
    try:
        if not target.is_dir() or any(p.name == target.name for p in root.iterdir()):
            return None
        return next((p for p in root.iterdir() if p.name.casefold() == target.name.casefold()), None)
    except OSError:
        return None


def example_stem(folder: Path, when: datetime, taken: Collection[Path] = ()) -> str:
    """A file name (without suffix) for a new example in ``folder``, from when it was kept: in time order
    as the folder lists it, and never one in use there or among ``taken`` (files about to be written: a
    line's two l's); several within a second get _2, _3, ...: "_" sorts after the "." of the first, where
    "-" came before it."""
    stem = when.strftime("%Y-%m-%d %H-%M-%S")
    held = {path.stem for path in taken if path.parent == folder}
    candidate, number = stem, 1
    while candidate in held or any(folder.glob(f"{candidate}.*")):  # a picture or strokes of that name
        number += 1
        candidate = f"{stem}_{number}"
    return candidate


def is_system_folder(name: str) -> bool:
    """A folder a tool made beside the class folders, hidden or a Mac's archive leftovers (".ipynb_checkpoints",
    "__MACOSX"): passed over unsaid, where a folder named otherwise stops training as no class."""
    return name.startswith(".") or name == "__MACOSX"


def class_folders(root: Path) -> list[tuple[Path, str]]:
    """``root``'s folders of characters in name order, each with the character it names ('a_lower': a),
    hidden folders and tools' leftovers passed over; ValueError for a folder named as no character (training
    stops at it: its pictures would be learned as nothing)."""
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not is_system_folder(p.name)):
        char = char_from_folder_name(folder.name)
        if char is None:
            raise ValueError(f"{folder}: folder name is not a class (use one character, or e.g. 'a_lower')")
        found.append((folder, char))
    return found


def stray_folders(root: Path) -> list[str]:
    """The folders under ``root`` named as no character (an "old" folder put there): training refuses the
    folder while they are in it. Empty when ``root`` is no folder."""
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_dir())
    except OSError:
        return []
    return [name for name in names if not is_system_folder(name) and char_from_folder_name(name) is None]


def example_counts(root: Path) -> dict[str, int]:
    """How many pictures each character's folder under ``root`` holds, as training counts them (the
    pictures in its sub-folders too; folders named as no character are left out here, where training
    refuses them). Empty when ``root`` is no folder."""
    counts: dict[str, int] = {}
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return counts
    for folder in folders:
        char = char_from_folder_name(folder.name)
        if char is None or char not in EXAMPLE_CHARACTERS:
            continue
        found = len(find_image_files([folder]).files)
        if found:
            counts[char] = counts.get(char, 0) + found  # "a_lower" and "lower_a" are both a small a
    return counts


def folder_character(name: str) -> str | None:
    """The character a folder of examples is named for ("A" -> "A", "a_lower" -> "a"), or None when it is
    named as no letter or digit."""
    char = char_from_folder_name(name)
    return char if char is not None and char in EXAMPLE_CHARACTERS else None


def model_has_class(char: str, classes: tuple[str, ...], merged_case: frozenset[str]) -> bool:
    """Whether a model of ``classes`` can answer ``char`` (a small a is its A when it reads a and A as one)."""
    return char in classes or (char.upper() in merged_case and char.upper() in classes)


def answer_is(answer: str, char: str, merged_case: frozenset[str]) -> bool:
    """Whether a model's answer (a class label) is ``char``: a model that reads a letter's two cases as one
    class answers its capital for either."""
    return answer == char or (char.upper() in merged_case and answer == char.upper())
