"""Files written whole or not at all (ml.runtime.atomic_files)."""

import os
from pathlib import Path

import numpy as np
import pytest

from ml.runtime.atomic_files import write_atomically


def test_text_bytes_and_a_librarys_own_save_are_written_whole(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a.txt", "é\n")
    write_atomically(tmp_path / "b.bin", b"\x00\xff")
    inputs = np.arange(6, dtype=np.float16).reshape(2, 3)
    write_atomically(tmp_path / "c.npz", lambda tmp: np.savez(tmp, inputs=inputs))  # numpy adds no suffix
    assert (tmp_path / "a.txt").read_bytes() == "é\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    with np.load(tmp_path / "c.npz") as stored:
        assert np.array_equal(stored["inputs"], inputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.npz"]  # nothing left beside
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "c.npz").stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_a_failed_write_leaves_the_earlier_file_and_no_other(tmp_path: Path) -> None:
    target = tmp_path / "kept.json"
    target.write_text("earlier")

    def fails_halfway(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, fails_halfway)
    assert target.read_text() == "earlier" and [p.name for p in tmp_path.iterdir()] == ["kept.json"]


def test_missing_folders_are_made_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):  # a place a person chose: its folder is not made behind their back
        write_atomically(tmp_path / "gone" / "text.txt", "x")
    write_atomically(tmp_path / "run" / "out" / "card.json", "{}", make_folders=True)
    assert (tmp_path / "run" / "out" / "card.json").read_text() == "{}"
