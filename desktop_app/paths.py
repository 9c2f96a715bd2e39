"""Where resources and weights live: in a source checkout, or inside the frozen (PyInstaller) app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder that holds ``weights/`` and ``resources/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def weights_dir() -> Path:
    # The same rule as ml.runtime.cards.weights_dir; in the frozen app both resolve to the bundle's weights/.
    return Path(os.environ.get("GLYPHPAD_WEIGHTS") or app_root() / "weights")


def resources_dir() -> Path:
    return app_root() / "resources"
