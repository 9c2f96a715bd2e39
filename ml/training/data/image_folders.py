"""Image folders: one sub-folder per class (named by :func:`ml.runtime.labels.folder_name_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ml.runtime.labels import char_from_folder_name

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"})


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    char: str


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def find_images(paths: list[Path]) -> list[Path]:
    """Files as given, plus every image file under the given folders (recursive, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_image_path(p)))
        else:
            found.append(path)
    return found


def read_image_folder(root: str | Path) -> list[LabelledFile]:
    """Every image under ``root/<class>/``; folders whose name is not a class are an error."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    files: list[LabelledFile] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        char = char_from_folder_name(folder.name)
        if char is None:
            raise ValueError(f"{folder}: folder name is not a class (use one character, or e.g. 'a_lower')")
        files.extend(LabelledFile(path, char) for path in find_images([folder]))
    if not files:
        raise ValueError(f"{root}: no images in class sub-folders")
    return files
