"""Image folders: one sub-folder per class (named by :func:`ml.runtime.labels.folder_name_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ml.runtime.image_files import find_image_files
from ml.runtime.labels import char_from_folder_name


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    char: str


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
        files.extend(LabelledFile(path, char) for path in find_image_files([folder]).files)
    if not files:
        raise ValueError(f"{root}: no images in class sub-folders")
    return files
