"""A folder of a person's own drawings as strokes: one sub-folder per character, a stroke file (JSON) per
drawing, as File -> Keep as Example writes them beside their pictures (:mod:`ml.runtime.handwriting_examples`);
read into :class:`~ml.training.data.unipen.PenCharacters` so that ``train-strokes --examples`` mixes them in
with UNIPEN's writers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.runtime.handwriting_examples import EXAMPLES_TO_HOLD_ONE_OUT, class_folders
from ml.runtime.labels import LabelSet
from ml.runtime.strokes import StrokesError, find_stroke_files, read_strokes_file
from ml.training.data.unipen import PenCharacters

EXAMPLES_WRITER = "examples"  # the writer of every drawing of the folder (one person)
HELD_OUT_EVERY = EXAMPLES_TO_HOLD_ONE_OUT  # of a character's drawings, every tenth is held out to score


def read_stroke_folder(root: str | Path, label_set: LabelSet) -> tuple[PenCharacters, list[str]]:
    """Every drawing's strokes under ``root/<class>/`` that ``label_set`` can use, in name order, and
    "path: why" for each stroke file that could not be read or holds a character the set has not.
    Raises ValueError when a folder is named as no character or no drawing can be used (the reasons
    said), FileNotFoundError when ``root`` is no folder."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    labels: list[str] = []
    strokes: list[list[np.ndarray]] = []
    problems: list[str] = []
    for folder, char in class_folders(root):
        if label_set.class_of(char) is None:
            problems.append(f"{folder}: {char!r} is none of {label_set.name}'s classes")
            continue
        files, unread = find_stroke_files([folder])
        problems.extend(f"{path}: {why}" for path, why in unread)
        for path in files:
            try:
                drawing = read_strokes_file(path)
            except (OSError, StrokesError) as error:
                problems.append(f"{path}: {error}")
                continue
            if not any(len(stroke) > 1 for stroke in drawing.strokes):
                problems.append(f"{path}: no stroke of two points or more")
                continue
            labels.append(char)
            strokes.append([np.asarray(s, dtype=np.float32) for s in drawing.strokes])
    if not labels:
        said = f" ({problems[0]}{' and more' if len(problems) > 1 else ''})" if problems else ""
        raise ValueError(f"{root}: no stroke files of {label_set.name}'s characters in class sub-folders{said}")
    return pen_characters(labels, strokes, EXAMPLES_WRITER), problems


def stroke_folder_files(root: str | Path) -> list[str]:
    """The stroke files under ``root``'s class folders, as "name<TAB>size", sorted: a run resumed on another
    set would score drawings it trained on as held out (every tenth is counted anew)."""
    root = Path(root)
    found = [path for folder, _ in class_folders(root) for path in find_stroke_files([folder])[0]]
    return sorted(f"{path.relative_to(root).as_posix()}\t{path.stat().st_size}" for path in found)


def with_own_drawings(
    drawn: np.ndarray, targets: np.ndarray, own: np.ndarray, share: float, rng: np.random.Generator
) -> np.ndarray:
    """An epoch's draw (``drawn``: character indices, each class about as often) with ``share`` of each class
    the person drew replaced by their drawings of it (``own``: their indices): the classes stay as balanced
    as before (a folder of O's and 0's alone once took a third of every epoch for two classes)."""
    out = drawn.copy()
    own_targets = targets[own]
    for label in np.unique(own_targets):
        places = np.flatnonzero(targets[out] == label)
        count = round(share * len(places))
        if count:
            out[rng.choice(places, count, replace=False)] = rng.choice(own[own_targets == label], count)
    return out


def pen_characters(labels: list[str], drawings: list[list[np.ndarray]], writer: str) -> PenCharacters:
    """Drawings (each a list of n x 2 strokes, y down) of one writer, laid out as UNIPEN's are."""
    stroke_counts = [len(d) for d in drawings]
    all_strokes = [s for d in drawings for s in d]
    return PenCharacters(
        labels=np.array(labels, dtype="<U1"),
        writers=np.full(len(labels), writer),
        char_stroke_start=np.concatenate([[0], np.cumsum(stroke_counts)]).astype(np.int64),
        stroke_point_start=np.concatenate([[0], np.cumsum([len(s) for s in all_strokes])]).astype(np.int64),
        points=np.concatenate(all_strokes).astype(np.float32) if all_strokes else np.zeros((0, 2), np.float32),
    )


def joined(first: PenCharacters, second: PenCharacters) -> PenCharacters:
    """``second``'s characters after ``first``'s (character i of ``second`` is ``len(first) + i``)."""
    points_before = len(first.points)
    strokes_before = first.char_stroke_start[-1]
    return PenCharacters(
        labels=np.concatenate([first.labels, second.labels]),
        writers=np.concatenate([first.writers.astype(object), second.writers.astype(object)]).astype(str),
        char_stroke_start=np.concatenate([first.char_stroke_start, second.char_stroke_start[1:] + strokes_before]),
        stroke_point_start=np.concatenate([first.stroke_point_start, second.stroke_point_start[1:] + points_before]),
        points=np.concatenate([first.points, second.points]),
    )


def held_out(labels: np.ndarray) -> np.ndarray:
    """Which drawings are held out to score: of each character with ten or more, every tenth (in name order,
    that is the order kept); a character with fewer is trained on whole."""
    out = np.zeros(len(labels), dtype=bool)
    for char in np.unique(labels):
        where = np.flatnonzero(labels == char)
        if len(where) >= HELD_OUT_EVERY:
            out[where[HELD_OUT_EVERY - 1 :: HELD_OUT_EVERY]] = True
    return out
