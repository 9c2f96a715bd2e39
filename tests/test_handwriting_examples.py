"""The folder of a person's handwriting that File -> Keep as Example fills and training reads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from ml.runtime.handwriting_examples import (
    class_folder,
    describe_example_label,
    example_counts,
    example_label_problem,
    example_stem,
    stray_folders,
)
from tests.images import png_bytes


def test_an_example_is_one_letter_or_digit_said_with_its_case() -> None:
    assert example_label_problem("") and example_label_problem("ab") and example_label_problem("%")
    assert example_label_problem("é") and example_label_problem(" ")
    assert all(example_label_problem(c) is None for c in "0aZ")
    assert [describe_example_label(c) for c in "7aA"] == ["the digit 7", "a small a", "a capital A"]


def test_new_examples_never_take_a_name_in_use_and_sort_in_time_order(tmp_path: Path) -> None:
    folder = class_folder(tmp_path, "a")
    assert folder.name == "a_lower"  # apart from A on file systems that do not tell case
    folder.mkdir()
    when = datetime(2026, 12, 6, 9, 5, 3)
    first = example_stem(folder, when)
    (folder / f"{first}.png").write_bytes(b"")
    second = example_stem(folder, when)
    (folder / f"{second}.json").write_text("{}")  # strokes alone hold the name too
    third = example_stem(folder, when)
    assert len({first, second, third}) == 3 and first == "2026-12-06 09-05-03"
    # Names about to be written (a line's two l's kept at once) are taken too; another folder's are not.
    about = [folder / f"{third}.png", tmp_path / "A" / "x.png"]
    assert example_stem(folder, when, about) not in {first, second, third}
    (folder / f"{third}.png").write_bytes(b"")
    later = example_stem(folder, datetime(2026, 12, 6, 10, 0, 0))
    (folder / f"{later}.png").write_bytes(b"")
    # As a folder lists them (by name): in the order they were kept.
    assert sorted(p.name for p in folder.glob("*.png")) == [f"{first}.png", f"{third}.png", f"{later}.png"]
    assert sorted([f"{second}.json", f"{first}.json"]) == [f"{first}.json", f"{second}.json"]


def test_counts_are_the_pictures_training_reads_by_character(tmp_path: Path) -> None:
    assert example_counts(tmp_path / "none yet") == {}
    for where in ("A", "a_lower", "lower_a", "7", "7/more", "notes", ".hidden"):
        (tmp_path / where).mkdir(parents=True, exist_ok=True)
        (tmp_path / where / "x.png").write_bytes(png_bytes(np.zeros((8, 8), dtype=np.uint8)))
    (tmp_path / "A" / "x.json").write_text('{"strokes": []}')  # a picture's strokes: no picture of its own
    assert example_counts(tmp_path) == {"A": 1, "a": 2, "7": 2}
    assert stray_folders(tmp_path) == ["notes"]  # training refuses it; hidden folders it passes over
    assert stray_folders(tmp_path / "none yet") == []
