"""Reader for the IDX format that NIST ships MNIST and EMNIST in.

Header: two zero bytes, a type code (0x08 = uint8), the number of dimensions, then one big-endian
uint32 per dimension. Images are magic 2051 (count, rows, cols), labels 2049 (count).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np


class IdxFormatError(ValueError):
    """The file is not a valid uint8 IDX file."""


def _read_bytes(path: Path) -> bytes:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError) as error:  # gzip raises BadGzipFile(OSError) or EOFError when truncated
        raise IdxFormatError(f"{path.name}: cannot read ({error})") from error


def read_idx(path: str | Path) -> np.ndarray:
    """Read a uint8 IDX file (gzipped or not) into an array of its declared shape."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IdxFormatError(f"{path.name}: not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise IdxFormatError(f"{path.name}: only uint8 IDX files are supported (type code {data[2]:#x})")
    ndim = data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IdxFormatError(f"{path.name}: truncated header")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) if shape else 0
    if len(data) - header_size < expected:
        raise IdxFormatError(f"{path.name}: truncated: {len(data) - header_size} data bytes, expected {expected}")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header_size).reshape(shape)


def read_idx_images(path: str | Path, transposed: bool = True) -> np.ndarray:
    """Images as N x rows x cols uint8, upright.

    EMNIST stores each image transposed (column-major), so ``transposed=True`` (the default) turns
    them upright; plain MNIST files are already upright.
    """
    images = read_idx(path)
    if images.ndim != 3:
        raise IdxFormatError(f"{Path(path).name}: expected a 3-d image array, got shape {images.shape}")
    return np.ascontiguousarray(images.transpose(0, 2, 1)) if transposed else images


def read_idx_labels(path: str | Path) -> np.ndarray:
    labels = read_idx(path)
    if labels.ndim != 1:
        raise IdxFormatError(f"{Path(path).name}: expected a 1-d label array, got shape {labels.shape}")
    return labels


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as IDX (gzipped when the name ends in .gz). Used by tests and tools."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.tobytes()
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as handle:
            handle.write(payload)
    else:
        path.write_bytes(payload)
