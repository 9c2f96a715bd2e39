"""Image folders: one sub-folder per class (named by :func:`ml.runtime.labels.folder_name_for`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.runtime.handwriting_examples import EXAMPLES_TO_HOLD_ONE_OUT, class_folders
from ml.runtime.image_files import find_image_files
from ml.runtime.labels import LabelSet
from ml.training.data.prepared import LabelledArrays


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    char: str


def read_image_folder(root: str | Path, problems: list[str] | None = None) -> list[LabelledFile]:
    """Every image under ``root/<class>/`` (its sub-folders too); folders whose name is not a class are an
    error. ``problems`` gets "path: why" for each picture that will not be read (a HEIC photo)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    files: list[LabelledFile] = []
    for folder, char in class_folders(root):
        found = find_image_files([folder])
        files.extend(LabelledFile(path, char) for path in found.files)
        if problems is not None:  # (they were passed over without a word)
            problems.extend(f"{path}: {why}" for path, why in found.problems)
    if not files:
        raise ValueError(f"{root}: no images in class sub-folders")
    return files


@dataclass(frozen=True)
class FolderPictures:
    """A folder's pictures of a label set's characters, preprocessed as the app reads a picture."""

    inputs: np.ndarray  # N x 28 x 28 float32, as preprocess gives them
    targets: np.ndarray  # class indices of the label set
    outside: int  # pictures of characters the label set does not hold
    unread: list[str]  # "path: why" for files with no character to read (not pictures, blank)
    nested: dict[str, int]  # pictures in sub-folders of a class folder, read as its class: by sub-folder

    def left_out(self, label_set_name: str) -> list[str]:
        """What was passed over, to say: pictures of other characters, files with nothing to read."""
        said = [f"left out {self.outside} image(s) of characters outside {label_set_name}"] if self.outside else []
        if self.unread:
            more = f" (and {len(self.unread) - 1} more)" if len(self.unread) > 1 else ""
            said.append(f"left out {len(self.unread)} file(s) with no character to score, e.g. {self.unread[0]}{more}")
        if self.nested:  # (a folder of G's put inside C/ was learned as C, unsaid)
            shown = [f"{folder} ({count})" for folder, count in self.nested.items()]
            where = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more sub-folders" if len(shown) > 3 else "")
            said.append(f"read as the character of the class folder they are in: the pictures in {where}")
        return said


def folder_pictures(root: str | Path, label_set: LabelSet, progress: bool = True) -> FolderPictures:
    """Every picture under ``root/<class>/`` that ``label_set`` can use, through the one preprocessing path
    (ValueError when none can be: the reasons are said)."""
    from tqdm import tqdm

    from ml.runtime.preprocess import BlankImageError, preprocess

    inputs, targets, outside = [], [], 0
    unread: list[str] = []
    nested: dict[str, int] = {}
    files = read_image_folder(root, unread)
    for item in tqdm(files, desc="read", unit="img", file=sys.stderr, disable=None if progress else True):
        target = label_set.class_of(item.char)
        if target is None:
            outside += 1
            continue
        inside = item.path.parent.relative_to(root)
        if len(inside.parts) > 1:
            nested[inside.as_posix()] = nested.get(inside.as_posix(), 0) + 1
        try:
            inputs.append(preprocess(item.path).input)
        except (BlankImageError, ValueError) as error:
            unread.append(f"{item.path}: {error}")
            continue
        targets.append(target)
    if not inputs and outside == len(files):  # (they were said to be unreadable)
        raise ValueError(_none_of_its_characters(root, label_set))
    if not inputs:
        raise ValueError(f"no readable pictures of label set {label_set.name} in {root}")
    return FolderPictures(np.stack(inputs), np.array(targets, dtype=np.int64), outside, unread, nested)


HELD_OUT_FROM = EXAMPLES_TO_HOLD_ONE_OUT  # a character with fewer pictures is trained on whole
# Train, validation, test: a share of each character's pictures (a tenth held out for each).
PICTURE_SPLIT = (1 - 2 / HELD_OUT_FROM, 1 / HELD_OUT_FROM, 1 / HELD_OUT_FROM)
# A validation part this small is scored, but does not choose the epoch kept: four pictures made a third
# of the score that chose it (and at 100, a teacher's 85 held-out pictures had no say).
OWN_PICTURES_TO_CHOOSE_BY = 30


def folder_files(root: str | Path) -> list[str]:
    """The picture files under ``root``'s class folders, as "name<TAB>size", sorted: a run resumed on
    another set would train on its test pictures (the split is drawn anew from what is there)."""
    files = read_image_folder(root)
    return sorted(f"{item.path.relative_to(root).as_posix()}\t{item.path.stat().st_size}" for item in files)


def folder_changes(before: list[str], now: list[str]) -> str:
    """What differs between two :func:`folder_files` lists, in a few words ("added C/7.png, …")."""
    gone, new = set(before) - set(now), set(now) - set(before)
    names_gone, names_new = {f.split("\t")[0] for f in gone}, {f.split("\t")[0] for f in new}
    parts = []
    for what, names in (
        ("added", names_new - names_gone),
        ("removed", names_gone - names_new),
        ("changed", names_new & names_gone),
    ):
        if names:
            shown = sorted(names)
            parts.append(f"{what} {', '.join(shown[:3])}" + (f" and {len(shown) - 3} more" if len(shown) > 3 else ""))
    return "; ".join(parts)


def usable_folder_problem(root: str | Path, label_set: LabelSet) -> str | None:
    """Why ``root`` gives no pictures to ``label_set`` (no class folders, no pictures, none of its
    characters), found by listing it: said before a run prepares its other data (minutes)."""
    try:
        files = read_image_folder(root)
    except (FileNotFoundError, ValueError) as error:
        return str(error)
    if all(label_set.class_of(item.char) is None for item in files):
        return _none_of_its_characters(root, label_set)
    return None


def characters_not_held_out(pictures: FolderPictures, label_set: LabelSet) -> dict[str, int]:
    """The characters with too few pictures to hold any out (they are trained on whole), and how many each has."""
    classes, counts = np.unique(pictures.targets, return_counts=True)
    return {label_set.classes[c]: int(n) for c, n in zip(classes, counts, strict=True) if n < HELD_OUT_FROM}


def split_pictures(pictures: FolderPictures, label_set: LabelSet, seed: int) -> dict[str, LabelledArrays]:
    """``pictures`` split 80/10/10 by picture within each character (seeded): the validation and test
    parts get a character's pictures only where it has enough (one of ten, rounded down)."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for target in np.unique(pictures.targets):
        mine = rng.permutation(np.flatnonzero(pictures.targets == target))
        held = int(len(mine) * PICTURE_SPLIT[1])
        parts["val"].append(mine[:held])
        parts["test"].append(mine[held : 2 * held])
        parts["train"].append(mine[2 * held :])
    return {
        name: LabelledArrays(
            images=pictures.inputs[np.sort(np.concatenate(chosen))].astype(np.float16),  # as the pool's
            targets=pictures.targets[np.sort(np.concatenate(chosen))],
            label_set=label_set,
        )
        for name, chosen in parts.items()
    }


def _none_of_its_characters(root: str | Path, label_set: LabelSet) -> str:
    return f"{root}: none of its class folders is a character of {label_set.name}"
