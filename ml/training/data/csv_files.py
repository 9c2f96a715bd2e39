"""Characters stored as CSV rows: a label then 784 pixel values, with or without a header.

Layouts seen in the wild, all handled by :func:`read_csv`:
- Kaggle "A-Z Handwritten": no header, labels 0-25 for A-Z, upright images.
- Kaggle/MNIST ``train.csv``: header ``label,pixel0,...``, labels 0-9, upright images.
- EMNIST CSV: no header, labels index the split's mapping file, images transposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.training.data.emnist import read_mapping

LAYOUTS = ("auto", "digits", "letters", "emnist")


@dataclass(frozen=True)
class CsvDataset:
    images: np.ndarray  # N x 28 x 28 uint8, upright, as stored (polarity untouched)
    chars: np.ndarray  # <U1
    case_merged: np.ndarray
    layout: str = ""  # the layout read (what "auto" chose)


def _has_header(first_line: str) -> bool:
    first_field = first_line.split(",")[0].strip()
    return not first_field.lstrip("-").isdigit()


def read_csv(
    path: str | Path,
    layout: str = "auto",
    mapping: str | Path | None = None,
    transposed: bool | None = None,
) -> CsvDataset:
    """Read a label + 784-pixel CSV.

    ``layout``: ``digits`` (labels 0-9), ``letters`` (0-25 = A-Z, or 1-26 as in EMNIST Letters),
    ``emnist`` (labels per ``mapping``, images transposed), or ``auto``: ``emnist`` when a mapping is
    given, else ``digits`` when all labels are below 10, else ``letters``.
    """
    path = Path(path)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown CSV layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    with path.open() as handle:
        first = handle.readline()
    if not first.strip():
        raise ValueError(f"{path.name}: empty CSV file")
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.int64, skiprows=1 if _has_header(first) else 0, ndmin=2)
    except ValueError as error:  # numpy's "could not convert string ... to int64 at row 0, column 1"
        raise ValueError(f"{path.name}: not a CSV of a label and 784 pixel values per row ({error})") from None
    if table.shape[1] != 785:
        raise ValueError(f"{path.name}: expected a label and 784 pixels per row, got {table.shape[1]} columns")
    if len(table) == 0:
        raise ValueError(f"{path.name}: no data rows")
    labels, pixels = table[:, 0], table[:, 1:]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"{path.name}: pixel values must be 0-255")
    if layout == "auto":
        layout = "emnist" if mapping is not None else ("digits" if labels.max() < 10 else "letters")
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    if transposed if transposed is not None else layout == "emnist":
        images = np.ascontiguousarray(images.transpose(0, 2, 1))
    if layout == "digits":
        if labels.min() < 0 or labels.max() > 9:
            raise ValueError(f"{path.name}: digit labels must be 0-9")
        chars = np.array([str(int(label)) for label in labels])
        merged = np.zeros(len(labels), dtype=bool)
    elif layout == "letters":
        offset = 1 if labels.min() >= 1 and labels.max() == 26 else 0
        if labels.min() - offset < 0 or labels.max() - offset > 25:
            raise ValueError(f"{path.name}: letter labels must be 0-25 (or 1-26)")
        chars = np.array([chr(ord("A") + int(label) - offset) for label in labels])
        merged = np.ones(len(labels), dtype=bool)  # these sets give one class per letter, case unknown
    else:
        if mapping is None:
            raise ValueError("the emnist CSV layout needs the split's mapping file (--mapping)")
        table_map = read_mapping(Path(mapping))
        missing = set(labels.tolist()) - set(table_map)
        if missing:
            raise ValueError(f"{path.name}: labels {sorted(missing)[:5]} are not in the mapping file")
        chars = np.array([table_map[int(label)][0] for label in labels])
        merged = np.array([table_map[int(label)][1] for label in labels], dtype=bool)
    return CsvDataset(images=images, chars=chars, case_merged=merged, layout=layout)


def write_class_folders(dataset: CsvDataset, out_dir: str | Path, progress: bool = True) -> int:
    """Write each image as ``out_dir/<class folder>/<index>.png`` (dark ink on white, as people draw)."""
    from PIL import Image
    from tqdm import tqdm

    from ml.runtime.labels import folder_name_for

    out = Path(out_dir)
    for i in tqdm(range(len(dataset.chars)), desc="csv-to-png", unit="img", disable=not progress):
        folder = out / folder_name_for(str(dataset.chars[i]))
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(255 - dataset.images[i]).save(folder / f"{i:06d}.png")
    return len(dataset.chars)
