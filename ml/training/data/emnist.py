"""Pool every official EMNIST file found in a directory into one set of labelled characters.

The official releases overlap (ByClass and ByMerge hold the same images with different labels), so
exact-duplicate images are dropped, keeping the most specific label: ByClass knows the case of every
letter, ByMerge and Balanced do not for 15 letters, Letters for none.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.runtime.labels import LabelSet
from ml.training.data.idx import read_idx_images, read_idx_labels
from ml.training.data.locations import DEFAULT_EMNIST_DIR, EMNIST_ENV_VAR, beside_checkout, named_in_full

log = logging.getLogger(__name__)


# Most specific first: duplicates keep the label of the earliest split in this order.
SPLIT_PRIORITY = ("byclass", "mnist", "digits", "bymerge", "balanced", "letters")
_FILE_PATTERN = re.compile(r"emnist-(?P<split>[a-z]+)-(?P<part>train|test)-images-idx3-ubyte(?:\.gz)?$")

DOWNLOAD_HINT = (
    "Put the official EMNIST files (emnist-<split>-<train|test>-images-idx3-ubyte.gz, the matching "
    "labels file and emnist-<split>-mapping.txt, from NIST's 'EMNIST (Extended MNIST)' page, gzip "
    "release) in one folder and pass it with --data or the GLYPHPAD_DATA environment variable."
)


def default_data_dir() -> Path:
    """The EMNIST folder: $GLYPHPAD_DATA, else ../shared/data/emnist beside the checkout."""
    return Path(os.environ.get(EMNIST_ENV_VAR) or beside_checkout(DEFAULT_EMNIST_DIR))


@dataclass(frozen=True)
class EmnistFile:
    split: str
    part: str
    images: Path
    labels: Path
    mapping: Path


@dataclass(frozen=True)
class CharacterPool:
    """Upright 28x28 uint8 images (ink bright on dark) with their characters."""

    images: np.ndarray
    chars: np.ndarray  # dtype <U1
    case_merged: np.ndarray  # bool: the letter's case is unknown
    source: np.ndarray  # dtype <U16, "split-part" each image came from

    def __len__(self) -> int:
        return len(self.chars)

    def targets_for(self, label_set: LabelSet) -> np.ndarray:
        """Class index per sample for ``label_set``; -1 where the sample cannot serve that set."""
        lookup: dict[tuple[str, bool], int] = {}
        targets = np.empty(len(self), dtype=np.int64)
        for i, (char, merged) in enumerate(zip(self.chars.tolist(), self.case_merged.tolist(), strict=True)):
            key = (char, merged)
            if key not in lookup:
                index = label_set.class_of(char, merged)
                lookup[key] = -1 if index is None else index
            targets[i] = lookup[key]
        return targets

    def stratum_keys(self) -> np.ndarray:
        """One key per sample for stratified splitting: the character and whether its case is known."""
        return np.char.add(self.chars, np.where(self.case_merged, "*", ""))


def read_mapping(path: Path) -> dict[int, tuple[str, bool]]:
    """EMNIST mapping file: ``label ascii [ascii]`` per line -> (character, case_merged).

    ByMerge/Balanced list only the uppercase code for merged letters; Letters lists both codes.
    """
    mapping: dict[int, tuple[str, bool]] = {}
    for line in path.read_text().splitlines():
        fields = line.split()
        if not fields:
            continue
        label, codes = int(fields[0]), [int(code) for code in fields[1:]]
        char = chr(codes[0])
        mapping[label] = (char.upper() if len(codes) > 1 else char, len(codes) > 1)
    return mapping


def _merged_letters_of(split: str, mapping: dict[int, tuple[str, bool]]) -> set[str]:
    """Uppercase letters whose lowercase form has no class of its own in this split."""
    chars = {char for char, _ in mapping.values()}
    if split in ("byclass", "digits", "mnist"):
        return set()
    return {c for c in chars if c.isupper() and c.lower() not in chars}


def find_emnist_files(directory: Path) -> list[EmnistFile]:
    found = []
    for images in sorted(directory.iterdir()) if directory.is_dir() else []:
        match = _FILE_PATTERN.match(images.name)
        if not match:
            continue
        split, part = match["split"], match["part"]
        labels = images.with_name(images.name.replace("images-idx3", "labels-idx1"))
        mapping = directory / f"emnist-{split}-mapping.txt"
        if not labels.exists() or not mapping.exists():
            log.warning("skipping %s: missing %s", images.name, labels.name if not labels.exists() else mapping.name)
            continue
        found.append(EmnistFile(split, part, images, labels, mapping))
    order = {name: i for i, name in enumerate(SPLIT_PRIORITY)}
    return sorted(found, key=lambda f: (order.get(f.split, len(order)), f.part))


def load_emnist_file(file: EmnistFile) -> CharacterPool:
    images = read_idx_images(file.images, transposed=True)
    labels = read_idx_labels(file.labels)
    if len(images) != len(labels):
        raise ValueError(f"{file.images.name}: {len(images)} images but {len(labels)} labels")
    mapping = read_mapping(file.mapping)
    merged_letters = _merged_letters_of(file.split, mapping)
    unknown = set(np.unique(labels).tolist()) - set(mapping)
    if unknown:
        raise ValueError(f"{file.labels.name}: labels {sorted(unknown)} are not in {file.mapping.name}")
    table_chars = np.array([mapping.get(i, ("?", False))[0] for i in range(256)])
    table_merged = np.array(
        [mapping.get(i, ("?", False))[1] or mapping.get(i, ("?", False))[0] in merged_letters for i in range(256)]
    )
    return CharacterPool(
        images=images,
        chars=table_chars[labels],
        case_merged=table_merged[labels],
        source=np.full(len(labels), f"{file.split}-{file.part}"),
    )


def concatenate_pools(pools: list[CharacterPool]) -> CharacterPool:
    return CharacterPool(
        images=np.concatenate([p.images for p in pools]),
        chars=np.concatenate([p.chars for p in pools]),
        case_merged=np.concatenate([p.case_merged for p in pools]),
        source=np.concatenate([p.source for p in pools]),
    )


def drop_duplicate_images(pool: CharacterPool) -> CharacterPool:
    """Keep the first occurrence of each exact image (the pool is ordered most specific first)."""
    flat = np.ascontiguousarray(pool.images.reshape(len(pool), -1))
    rows = flat.view(np.dtype((np.void, flat.shape[1]))).ravel()
    _, first = np.unique(rows, return_index=True)
    keep = np.sort(first)
    if len(keep) < len(pool):
        log.info("dropped %d duplicate images", len(pool) - len(keep))
    return CharacterPool(pool.images[keep], pool.chars[keep], pool.case_merged[keep], pool.source[keep])


def no_files_in(directory: Path) -> str:
    """Why there is nothing to read in ``directory``: named in full, and the folder inside it that holds
    the files when one does (the data's parent folder was given and nothing said where to look)."""
    where = named_in_full(directory)
    inside = next((folder for folder in _folders_in(directory) if _holds_emnist_files(folder)), None)
    if inside is not None:
        return f"no EMNIST files in {where}, but {inside.name}/ in it holds them: name that folder (--data {inside})"
    return f"no EMNIST files in {where}. {DOWNLOAD_HINT}"


def _folders_in(directory: Path) -> list[Path]:
    try:
        return sorted(d for d in directory.iterdir() if d.is_dir()) if directory.is_dir() else []
    except OSError:  # a folder one may not list: no hint, rather than a crash while saying what is missing
        return []


def _holds_emnist_files(folder: Path) -> bool:
    try:
        return bool(find_emnist_files(folder))
    except OSError:
        return False


def load_emnist_pool(directory: str | Path | None = None) -> CharacterPool:
    """Every official EMNIST file in ``directory``, pooled, duplicates dropped, labels as characters."""
    directory = Path(directory) if directory is not None else default_data_dir()
    files = find_emnist_files(directory)
    if not files:
        raise FileNotFoundError(no_files_in(directory))
    pools = []
    for file in files:
        log.info("reading %s", file.images.name)
        pools.append(load_emnist_file(file))
    return drop_duplicate_images(concatenate_pools(pools))
