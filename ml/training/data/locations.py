"""Where the training data is found: a setting (an environment variable), else the default beside the
checkout (``../shared/data`` from the project's root, whatever the working directory; from the working
directory when the package runs from elsewhere, an installed wheel). Declared once here, with the words
every command's help uses for it; nothing heavy imported, so a command's options are built without
loading the readers."""

from __future__ import annotations

import os
from pathlib import Path

EMNIST_ENV_VAR = "GLYPHPAD_DATA"
DEFAULT_EMNIST_DIR = Path("../shared/data/emnist")
UNIPEN_ENV_VAR = "GLYPHPAD_UNIPEN"
DEFAULT_UNIPEN_FILE = Path("../shared/data/unipen/unipen-chars.npz")

EMNIST_HELP = f"EMNIST folder (default ${EMNIST_ENV_VAR}, else {DEFAULT_EMNIST_DIR} beside the checkout)"
PEN_DATA_HELP = (
    f"UNIPEN archive, or its folder (default ${UNIPEN_ENV_VAR}, else {DEFAULT_UNIPEN_FILE} beside the checkout)"
)


def beside_checkout(default: Path) -> Path:
    """``default`` (relative, ``../shared/data/...``) from the checkout this package runs from, when it
    is there; else as it is, from the working directory."""
    checkout = Path(__file__).resolve().parents[3]  # ml/training/data/locations.py -> the project's root
    found = checkout / default
    return found if found.exists() else default


def named_in_full(path: Path) -> str:
    """``path`` as a message names a place data was looked for: a relative one with where it is from the
    working directory, which the user may not have in mind."""
    return str(path) if path.is_absolute() else f"{path} ({os.path.abspath(path)})"
