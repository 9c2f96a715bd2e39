"""What the command modules share: how an error is reported, JSON that never holds NaN."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any


def fail(command: str, message: str, code: int = 2) -> int:
    """Print one line on stderr, 'glyphpad-ml COMMAND: error: ...', and return the exit status."""
    print(f"glyphpad-ml {command}: error: {message}", file=sys.stderr)
    return code


def stroke_file_named_as_image(path: Path) -> str | None:
    """The reason to give for a stroke file passed where images are read, pointing at ``--strokes``."""
    return "a stroke file (.json): add --strokes to read it" if path.suffix.lower() == ".json" else None


def json_safe(value: Any) -> Any:
    """NaN and infinities become null: the output stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
