"""Files written whole or not at all: the one way GlyphPad writes a file someone keeps (weights, cards,
stroke files, exports, saved text and pictures, the training caches).

The content goes to a temporary file beside the target, which is then renamed over it in one step: a
run killed while writing, or a full disk, leaves the earlier file as it was, never half a new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _process_umask() -> int:
    # Read once, as the module loads: reading it means setting it, which for a moment is every thread's.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _process_umask()


def write_atomically(path: Path, content: str | bytes | Callable[[Path], object], make_folders: bool = False) -> None:
    """Write ``content`` to ``path`` whole or not at all: text (as UTF-8), bytes, or a function that writes
    the file it is given (a library's own save). ``make_folders``: make missing folders first (a training
    run's output); without it a missing folder is an error, as for a place a person chose. The file gets
    the mode any new file of the user gets. Raises OSError."""
    if make_folders:
        path.parent.mkdir(parents=True, exist_ok=True)
    # The target's suffix kept last: numpy adds ".npy" or ".npz" to a name without it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    try:
        if callable(content):
            os.close(fd)
            content(Path(tmp))
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
        # mkstemp makes the file private (0600): weights, cards and exports are meant to be shared.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
