"""UNIPEN isolated characters: real pen trajectories by 270 writers (``../shared/data/unipen``).

The archive (format, quirks and licence in its README) holds each character as strokes of (x, y)
points in the tablet's own units, y down. This module reads it, checks its structure (a damaged file
gets a clear error, not an IndexError later), maps its characters onto any label set as EMNIST's are,
and splits it by writer: no writer is ever in two of train/validation/test, since the question is
how a model reads writers it has never seen.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.runtime.cards import ModelCard
from ml.runtime.labels import LabelSet
from ml.training.data.locations import DEFAULT_UNIPEN_FILE, UNIPEN_ENV_VAR, beside_checkout, named_in_full
from ml.training.data.split import SplitIndices

DEFAULT_WRITER_SPLIT_SEED = 20261130
WRITER_FRACTIONS = (0.8, 0.1, 0.1)  # share of writers in train / validation / test
SOURCE = "UNIPEN train_r01_v07, sections 1a-1c (isolated digits, capitals, lower case)"
LICENCE = (
    "research use per the original UNIPEN release (International Unipen Foundation, 1999); CC BY 4.0 per its "
    "Zenodo redistribution (doi:10.5281/zenodo.1195803). Cite Guyon et al., ICPR 1994."
)
_ARRAYS = ("labels", "writers", "char_stroke_start", "stroke_point_start", "points", "points_per_inch")


def default_unipen_file() -> Path:
    """$GLYPHPAD_UNIPEN (the .npz file or its folder), else ../shared/data/unipen/unipen-chars.npz beside
    the checkout."""
    value = os.environ.get(UNIPEN_ENV_VAR)
    return unipen_file(value) if value else beside_checkout(DEFAULT_UNIPEN_FILE)


def unipen_file(path: str | Path) -> Path:
    """The archive named by a setting or option: the file, or the folder it is in (``unipen-chars.npz``
    there: the folder was refused as "no archive" while the file was in it)."""
    path = Path(path)
    return path / DEFAULT_UNIPEN_FILE.name if path.is_dir() else path


@dataclass(frozen=True)
class PenCharacters:
    """Characters as strokes: character i has strokes ``char_stroke_start[i]:char_stroke_start[i + 1]``,
    stroke k has points ``stroke_point_start[k]:stroke_point_start[k + 1]`` of ``points`` (x, y; y down)."""

    labels: np.ndarray  # <U1
    writers: np.ndarray  # <U..., unique across the corpus
    char_stroke_start: np.ndarray
    stroke_point_start: np.ndarray
    points: np.ndarray  # float32, n_points x 2

    def __len__(self) -> int:
        return len(self.labels)

    def strokes(self, i: int) -> list[np.ndarray]:
        cs, ps = self.char_stroke_start, self.stroke_point_start
        return [self.points[ps[k] : ps[k + 1]] for k in range(cs[i], cs[i + 1])]

    def targets_for(self, label_set: LabelSet) -> np.ndarray:
        """Class index per character for ``label_set`` (UNIPEN knows every letter's case); -1 if unusable."""
        lookup = {}
        for char in np.unique(self.labels).tolist():
            index = label_set.class_of(char, False)
            lookup[char] = -1 if index is None else index
        return np.array([lookup[c] for c in self.labels.tolist()], dtype=np.int64)


def no_archive_at(path: Path) -> str:
    """Why there is no archive to read, naming where it was looked for in full (a relative default is
    relative to the working directory, which the user may not have in mind)."""
    where = named_in_full(path)
    try:  # the data's parent folder named: the folder inside it that holds the archive
        inside = next(path.parent.glob(f"*/{path.name}"), None) if path.parent.is_dir() else None
    except OSError:
        inside = None
    if inside is not None:
        return f"no UNIPEN archive at {where}, but {inside.parent.name}/ in its folder holds one: --pen-data {inside}"
    return (
        f"no UNIPEN archive at {where}: put unipen-chars.npz there, or name it (or its folder) with "
        f"--pen-data or {UNIPEN_ENV_VAR}"
    )


def load_unipen(path: str | Path | None = None) -> PenCharacters:
    """Read and check the UNIPEN archive; raises FileNotFoundError or ValueError with the reason."""
    path = unipen_file(path) if path else default_unipen_file()
    if not path.is_file():
        raise FileNotFoundError(no_archive_at(path))
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} cannot be read as a .npz archive (not a zip file)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _ARRAYS if name in archive.files}
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as error:
        raise ValueError(f"{path} cannot be read as a .npz archive: {error}") from None
    missing = [name for name in _ARRAYS if name not in arrays]
    if missing:
        raise ValueError(f"{path} is not a UNIPEN archive: it lacks {', '.join(missing)}")
    n = len(arrays["labels"])
    cs, ps, points = arrays["char_stroke_start"], arrays["stroke_point_start"], arrays["points"]
    problems = []
    if len(arrays["writers"]) != n or len(cs) != n + 1:
        problems.append("labels, writers and char_stroke_start disagree on the number of characters")
    if points.ndim != 2 or points.shape[1:] != (2,):
        problems.append(f"points should be n x 2, not {points.shape}")
    if len(cs) and (cs[0] != 0 or cs[-1] != len(ps) - 1 or np.any(np.diff(cs) < 1)):
        problems.append("char_stroke_start does not index the strokes (every character needs one)")
    if len(ps) and (ps[0] != 0 or ps[-1] != len(points) or np.any(np.diff(ps) < 1)):
        problems.append("stroke_point_start does not index the points (every stroke needs one)")
    if not np.all(np.isfinite(points)):
        problems.append("points hold NaN or infinite values")
    if problems:
        raise ValueError(f"{path} is damaged: " + "; ".join(problems))
    return PenCharacters(
        labels=arrays["labels"].astype("<U1"),
        writers=arrays["writers"].astype(str),
        char_stroke_start=cs.astype(np.int64),
        stroke_point_start=ps.astype(np.int64),
        points=points.astype(np.float32),
    )


def learned_from_pen(card: ModelCard) -> bool:
    """Whether a model trained on UNIPEN's writers (a stroke model, or an image model with pen drawings in
    its mix); one that never saw a pen has no split to keep apart."""
    if card.input_kind == "strokes":
        return True
    config = (card.training or {}).get("config", {})
    return float(config.get("pen_share", 0.0)) > 0 or any(s.get("name") == "UNIPEN" for s in card.data_sources)


def model_writer_seed(card: ModelCard) -> int:
    """The seed of the UNIPEN split by writer a model was trained with: with it, its validation and test
    writers are the ones it never saw (with another, most of them are its training writers). The default
    for a card that names none (EMNIST-only models)."""
    training = card.training or {}
    seed = training.get("config", {}).get("writer_split_seed", training.get("writer_split_seed"))
    return DEFAULT_WRITER_SPLIT_SEED if seed is None else int(seed)


def writer_split(
    writers: np.ndarray,
    fractions: tuple[float, float, float] = WRITER_FRACTIONS,
    seed: int = DEFAULT_WRITER_SPLIT_SEED,
) -> SplitIndices:
    """Character indices of train / validation / test with every writer in exactly one of them.

    Writers are shuffled with ``seed`` and dealt by count of writers (not of characters: a few writers
    wrote thousands), so each part holds the stated share of the people.
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"split fractions must be three non-negative numbers summing to 1, got {fractions}")
    names = np.unique(writers)
    order = np.random.default_rng(seed).permutation(len(names))
    n_val, n_test = round(fractions[1] * len(names)), round(fractions[2] * len(names))
    part = np.zeros(len(names), dtype=np.int64)  # 0 train, 1 val, 2 test
    part[order[:n_test]] = 2
    part[order[n_test : n_test + n_val]] = 1
    of_char = part[np.searchsorted(names, writers)]
    train, val, test = (np.flatnonzero(of_char == k) for k in range(3))
    return SplitIndices(train=train, val=val, test=test)
