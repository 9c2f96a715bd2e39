import gzip
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ml.cli import main as cli_main
from ml.runtime.image_files import find_image_files
from ml.runtime.labels import get_label_set
from ml.runtime.synth import render
from ml.training.data.csv_files import read_csv
from ml.training.data.emnist import load_emnist_pool, read_mapping
from ml.training.data.idx import IdxFormatError, read_idx, read_idx_images, write_idx
from ml.training.data.image_folders import read_image_folder
from ml.training.data.split import cap_per_class, stratified_split
from tests.conftest import write_emnist_split


def test_idx_round_trip_plain_and_gzipped(tmp_path: Path) -> None:
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        write_idx(tmp_path / name, array)
        assert np.array_equal(read_idx(tmp_path / name), array)


def test_emnist_images_are_turned_upright(tmp_path: Path) -> None:
    upright = np.zeros((1, 28, 28), dtype=np.uint8)
    upright[0, 2, :] = 255  # a horizontal bar near the top
    write_idx(tmp_path / "x-idx3-ubyte", upright.transpose(0, 2, 1))
    assert np.array_equal(read_idx_images(tmp_path / "x-idx3-ubyte"), upright)


@pytest.mark.parametrize("payload", [b"", b"\x00\x00\x08\x03\x00\x00", b"\x01\x02\x03\x04rest", b"\x00\x00\x0d\x01"])
def test_idx_rejects_damaged_files(tmp_path: Path, payload: bytes) -> None:
    (tmp_path / "bad").write_bytes(payload)
    with pytest.raises(IdxFormatError):
        read_idx(tmp_path / "bad")


def test_idx_rejects_truncated_data(tmp_path: Path) -> None:
    write_idx(tmp_path / "t", np.zeros((10, 28, 28), dtype=np.uint8))
    data = (tmp_path / "t").read_bytes()
    (tmp_path / "t").write_bytes(data[:-100])
    with pytest.raises(IdxFormatError, match="truncated"):
        read_idx(tmp_path / "t")
    (tmp_path / "t.gz").write_bytes(gzip.compress(data)[:-20])
    with pytest.raises(IdxFormatError):
        read_idx(tmp_path / "t.gz")


def test_pool_drops_duplicates_and_keeps_the_more_specific_label(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (4, 28, 28), dtype=np.uint8)
    # ByClass: c (lowercase) and 7; ByMerge holds the same c image labelled C (merged) plus a new image.
    write_emnist_split(tmp_path, "byclass", images[:2], np.array([1, 0]), {0: [55], 1: [99]})
    write_emnist_split(tmp_path, "bymerge", np.stack([images[0], images[2]]), np.array([1, 1]), {0: [55], 1: [67]})
    pool = load_emnist_pool(tmp_path)
    assert len(pool) == 3
    assert sorted(pool.chars.tolist()) == ["7", "C", "c"]
    merged = dict(zip(pool.chars.tolist(), pool.case_merged.tolist(), strict=True))
    assert merged == {"c": False, "7": False, "C": True}
    targets = pool.targets_for(get_label_set("byclass62"))
    assert (targets >= 0).sum() == 2  # the merged C cannot serve the 62-class set
    assert (pool.targets_for(get_label_set("emnist36")) >= 0).all()


def test_letters_mapping_marks_case_unknown(tmp_path: Path) -> None:
    (tmp_path / "m.txt").write_text("1 65 97\n2 66 98\n")
    assert read_mapping(tmp_path / "m.txt") == {1: ("A", True), 2: ("B", True)}


def test_missing_data_folder_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="GLYPHPAD_DATA"):
        load_emnist_pool(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)  # a relative folder is named in full: relative to what was not said
    with pytest.raises(FileNotFoundError, match=f"no EMNIST files in nowhere \\({tmp_path / 'nowhere'}\\)"):
        load_emnist_pool(Path("nowhere"))


def test_the_data_folders_parent_points_at_the_folder_inside(tmp_path: Path) -> None:
    mapping = {i: [48 + i] for i in range(4)}
    write_emnist_split(tmp_path / "emnist", "digits", np.zeros((4, 28, 28), np.uint8), np.arange(4), mapping)
    with pytest.raises(FileNotFoundError, match=f"emnist/ in it holds them: .*--data {tmp_path / 'emnist'}"):
        load_emnist_pool(tmp_path)


def _csv(path: Path, labels: list[int], header: bool, transposed_bar: bool = False) -> np.ndarray:
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    images[:, 3, :] = 200  # a bar on row 3
    stored = images.transpose(0, 2, 1) if transposed_bar else images
    rows = [",".join(str(v) for v in [label, *img.ravel()]) for label, img in zip(labels, stored, strict=True)]
    head = ["label," + ",".join(f"pixel{i}" for i in range(784))] if header else []
    path.write_text("\n".join(head + rows) + "\n")
    return images


def test_csv_mnist_layout_with_header(tmp_path: Path) -> None:
    images = _csv(tmp_path / "train.csv", [3, 1, 4], header=True)
    data = read_csv(tmp_path / "train.csv")
    assert data.chars.tolist() == ["3", "1", "4"]
    assert np.array_equal(data.images, images)


def test_csv_letters_layout_without_header(tmp_path: Path) -> None:
    _csv(tmp_path / "az.csv", [0, 25, 12], header=False)
    assert read_csv(tmp_path / "az.csv").chars.tolist() == ["A", "Z", "M"]
    _csv(tmp_path / "emnist-letters.csv", [1, 26], header=False)
    assert read_csv(tmp_path / "emnist-letters.csv", layout="letters").chars.tolist() == ["A", "Z"]


def test_csv_emnist_layout_uses_mapping_and_transposes(tmp_path: Path) -> None:
    images = _csv(tmp_path / "e.csv", [0, 1], header=False, transposed_bar=True)
    (tmp_path / "map.txt").write_text("0 48\n1 97\n")
    data = read_csv(tmp_path / "e.csv", mapping=tmp_path / "map.txt")
    assert data.chars.tolist() == ["0", "a"]
    assert np.array_equal(data.images, images)


def test_csv_with_wrong_width_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("1,2,3\n")
    with pytest.raises(ValueError, match="784"):
        read_csv(tmp_path / "bad.csv")


def test_csv_to_png_writes_class_folders_that_read_back(tmp_path: Path) -> None:
    _csv(tmp_path / "az.csv", [0, 0, 1], header=False)
    assert cli_main(["csv-to-png", str(tmp_path / "az.csv"), str(tmp_path / "out"), "--layout", "letters"]) == 0
    files = read_image_folder(tmp_path / "out")
    assert sorted(f.char for f in files) == ["A", "A", "B"]
    assert len(find_image_files([tmp_path / "out"]).files) == 3
    # A second CSV into the same folder would overwrite or mix with the first's images: refused.
    assert cli_main(["csv-to-png", str(tmp_path / "az.csv"), str(tmp_path / "out"), "--layout", "letters"]) == 2
    assert len(find_image_files([tmp_path / "out"]).files) == 3


def test_csv_to_png_says_what_it_guessed_the_labels_were(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _csv(tmp_path / "small.csv", [0, 1, 3], header=False)  # labels under 10: digits, or the letters A-D
    assert cli_main(["csv-to-png", str(tmp_path / "small.csv"), str(tmp_path / "out")]) == 0
    assert "labels read as digits (guessed: every label is below 10; --layout letters" in capsys.readouterr().err
    assert sorted(f.char for f in read_image_folder(tmp_path / "out")) == ["0", "1", "3"]


def test_a_folder_without_images_or_stroke_files_is_named_not_passed_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.runtime.strokes import find_stroke_files

    (tmp_path / "empty").mkdir()
    (tmp_path / "pictures").mkdir()
    Image.new("L", (8, 8), 255).save(tmp_path / "pictures" / "a.png")
    found = find_image_files([tmp_path / "empty", tmp_path / "pictures"])
    assert found.empty_folders == [tmp_path / "empty"] and len(found.files) == 1
    assert [path for path, _ in found.every_problem()] == [tmp_path / "empty"]
    files, problems = find_stroke_files([tmp_path / "pictures"])  # PNGs, but no stroke file
    assert files == [] and problems[0][0] == tmp_path / "pictures" and "no stroke files" in problems[0][1]
    # Nothing could be done (2); with a character's picture beside it, that was read and the folder not (1).
    assert cli_main(["predict", "--json", "--model", "letters_lenet5", str(tmp_path / "empty")]) == 2
    assert "no image or stroke files" in capsys.readouterr().out
    (tmp_path / "one").mkdir()
    Image.fromarray(render("A")).save(tmp_path / "one" / "a.png")
    both = [str(tmp_path / "empty"), str(tmp_path / "one")]
    assert cli_main(["predict", "--json", "--model", "letters_lenet5", *both]) == 1
    capsys.readouterr()
    (tmp_path / "phone").mkdir()
    (tmp_path / "phone" / "a.heic").write_bytes(b"")  # named once, as a picture that cannot be read
    assert [path.name for path, _ in find_image_files([tmp_path / "phone"]).every_problem()] == ["a.heic"]
    # Other JSON is no stroke file: where stroke files are looked for too, the folder is said to hold neither.
    (tmp_path / "empty" / "line.json").write_text("{}")
    assert "no image files" in find_image_files([tmp_path / "empty"]).every_problem()[0][1]
    found = find_image_files([tmp_path / "empty"], stroke_files=True)
    assert found.other_json == [tmp_path / "empty" / "line.json"]
    assert "no image or stroke files" in found.every_problem()[0][1]


def test_a_picture_saved_beside_its_drawings_strokes_is_read_once_from_them(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from ml.cli import main as cli_main
    from ml.runtime.image_files import find_image_files
    from ml.runtime.strokes import Strokes, write_strokes_file

    kept = tmp_path / "A"  # as File -> Keep as Example writes a drawing: a picture and its strokes
    kept.mkdir()
    Image.fromarray(render("A")).save(kept / "1.png")
    write_strokes_file(kept / "1.json", Strokes([np.array([[0.0, 10.0], [5.0, 0.0], [10.0, 10.0]])]))
    Image.fromarray(render("B")).save(kept / "2.png")  # a picture alone
    write_strokes_file(kept / "3.json", Strokes([np.array([[0.0, 0.0], [0.0, 10.0]])]))  # strokes alone
    found = find_image_files([tmp_path], stroke_files=True)
    assert [p.name for p in found.files] == ["1.json", "2.png", "3.json"] and found.twins == [kept / "1.png"]
    assert len(find_image_files([tmp_path]).files) == 2  # pictures alone asked for: every picture
    named = find_image_files([kept / "1.png", kept / "1.json"], stroke_files=True)
    assert len(named.files) == 2 and named.twins == []  # named one by one: each read, as asked
    assert cli_main(["predict", "--json", "--model", "letters_lenet5", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3 and "passed over 1 picture(s) saved beside their drawing's strokes" in err
    # Only strokes that read as a drawing stand for their picture: a damaged stroke file, a picture saved
    # as .json, a sidecar of other JSON leave the picture beside them to be read (suffixes in any case).
    other = tmp_path / "more"
    other.mkdir()
    for stem, text in (("4", '{"strokes": [[[0, 0], [1]]]}'), ("5", '{"meta": {"strokes": 3}}')):
        Image.fromarray(render("B")).save(other / f"{stem}.png")
        (other / f"{stem}.json").write_text(text)
    Image.fromarray(render("B")).save(other / "6.PNG")
    Image.fromarray(render("B")).save(other / "6.json", format="PNG")
    Image.fromarray(render("B")).save(other / "7.PNG")
    write_strokes_file(other / "7.Json", Strokes([np.array([[0.0, 0.0], [4.0, 9.0]])]))
    found = find_image_files([other], stroke_files=True)
    assert found.twins == [other / "7.PNG"]
    assert {"4.png", "5.png", "6.PNG"} <= {p.name for p in found.files}


def test_stratified_split_is_seeded_disjoint_and_proportional() -> None:
    strata = np.repeat(np.array(["a", "b", "c"]), [1000, 200, 50])
    first, again = stratified_split(strata, seed=7), stratified_split(strata, seed=7)
    assert all(np.array_equal(getattr(first, n), getattr(again, n)) for n in ("train", "val", "test"))
    other = stratified_split(strata, seed=8)
    assert not np.array_equal(first.test, other.test)
    union = np.concatenate([first.train, first.val, first.test])
    assert len(union) == len(strata) == len(np.unique(union))
    for stratum, count in (("a", 1000), ("b", 200), ("c", 50)):
        in_test = (strata[first.test] == stratum).sum()
        assert abs(in_test - 0.1 * count) <= 1


def test_cap_per_class() -> None:
    targets = np.repeat([0, 1], [100, 5])
    kept = cap_per_class(np.arange(105), targets, cap=10)
    assert np.bincount(targets[kept]).tolist() == [10, 5]


def test_the_default_data_is_found_beside_the_checkout_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml.training.data.emnist import default_data_dir
    from ml.training.data.locations import beside_checkout
    from ml.training.data.unipen import default_unipen_file

    monkeypatch.delenv("GLYPHPAD_DATA", raising=False)
    monkeypatch.delenv("GLYPHPAD_UNIPEN", raising=False)
    repo = Path(__file__).resolve().parent.parent
    if not (repo.parent / "shared" / "data").exists():
        pytest.skip("no ../shared/data beside the checkout")
    monkeypatch.chdir(tmp_path)
    assert default_data_dir() == repo / "../shared/data/emnist"
    assert default_unipen_file() == repo / "../shared/data/unipen/unipen-chars.npz"
    assert beside_checkout(Path("../nowhere/x")) == Path("../nowhere/x")  # not there: from where it runs


def test_the_preprocessed_pool_is_cached_by_its_pictures_and_only_the_latest_is_kept(
    synthetic_emnist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    from ml.training.data.prepared import prepare_pool

    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path / "cache"))
    first = prepare_pool(synthetic_emnist, progress=False)
    cached = list((tmp_path / "cache").glob("emnist-pool-*.npy"))
    assert len(cached) == 1
    copy = tmp_path / "copy"
    shutil.copytree(synthetic_emnist, copy)
    for path in copy.iterdir():  # the same data with other dates (a fresh download): the cache serves
        os.utime(path, (1_000_000, 1_000_000))
    monkeypatch.setattr("ml.training.data.prepared.preprocess_parallel", lambda *a, **k: pytest.fail("rebuilt"))
    assert np.array_equal(prepare_pool(copy, progress=False).inputs, first.inputs)
    monkeypatch.undo()
    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("ml.training.data.prepared.PREPROCESS_VERSION", -1)  # preprocessing changed: rebuilt
    prepare_pool(synthetic_emnist, progress=False)
    assert [p.name for p in (tmp_path / "cache").glob("emnist-pool-*.npy")] != [cached[0].name]
    assert len(list((tmp_path / "cache").glob("emnist-pool-*.npy"))) == 1  # and the old copy gone


def test_a_folder_deeper_than_pythons_recursion_limit_is_searched(tmp_path: Path) -> None:
    """Path.rglob recursed once per level: a folder 1,000 levels deep raised RecursionError (a traceback
    from the command line, an uncaught error in the app)."""
    import sys

    levels = [tmp_path]
    for _ in range(sys.getrecursionlimit() + 100):  # one level at a time: mkdir(parents=True) recurses too
        levels.append(levels[-1] / "d")
        levels[-1].mkdir()
    try:
        Image.new("L", (8, 8), 255).save(levels[-1] / "a.png")
        found = find_image_files([tmp_path])
        assert found.files == [levels[-1] / "a.png"] and not found.problems
    finally:  # taken down here, one level at a time: pytest's own clean-up (shutil.rmtree) recurses
        (levels[-1] / "a.png").unlink(missing_ok=True)
        for level in reversed(levels[1:]):
            level.rmdir()


def test_a_stroke_file_saved_as_utf16_is_found_in_a_folder(tmp_path: Path) -> None:
    """The reader takes UTF-16 JSON (a Windows editor's "Unicode"); a folder's search passed it over."""
    from ml.runtime.strokes import read_strokes_file

    text = json.dumps({"strokes": [[[0, 0], [10, 10]]]})
    (tmp_path / "utf16.json").write_bytes(text.encode("utf-16"))
    (tmp_path / "results.json").write_text(json.dumps([{"path": "a.png"}]), encoding="utf-16")  # not strokes
    found = find_image_files([tmp_path], stroke_files=True)
    assert found.files == [tmp_path / "utf16.json"]
    assert len(read_strokes_file(found.files[0]).strokes) == 1


def test_a_folder_whose_path_is_too_long_to_list_is_a_problem_row(tmp_path: Path) -> None:
    """Past the system's path length a folder cannot be listed: it was passed over without a word."""
    import os
    import subprocess

    name = "n" * 250
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(20):  # 20 x 251 characters: past Linux's 4,096 (made relative to each folder)
            os.mkdir(name, dir_fd=folder)
            inner = os.open(name, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
    finally:
        os.close(folder)
    try:
        found = find_image_files([tmp_path])
        assert len(found.problems) == 1 and found.problems[0][1].startswith("folder cannot be read: File name too long")
    finally:
        subprocess.run(["rm", "-rf", str(tmp_path / name)], check=True)  # pytest's clean-up cannot reach it


def test_a_path_that_cannot_be_looked_at_is_a_row_and_the_others_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name past the system's length, a folder the person cannot enter: Path.is_dir raised, and the whole
    command (or the app, with its "unexpected error" box) stopped with the other files unread."""
    from ml.runtime.image_files import is_file, is_folder
    from ml.runtime.strokes import find_stroke_files

    picture = tmp_path / "A.png"
    Image.new("L", (28, 28), 255).save(picture)
    too_long = tmp_path / ("n" * 300 + ".png")
    found = find_image_files([picture, too_long])
    assert found.files == [picture] and found.problems == [(too_long, "File name too long")]
    assert not is_folder(too_long) and not is_file(too_long)  # (read as a file: its reader says why)
    files, problems = find_stroke_files([too_long.with_suffix(".json")])
    assert files == [] and problems[0][1] == "File name too long"
    # A folder asked for that cannot be listed says why, not that it holds no pictures.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = find_image_files([locked])
    assert found.problems == [(locked, "folder cannot be read: Permission denied")] and not found.empty_folders
    assert find_stroke_files([locked]) == ([], [(locked, "folder cannot be read: Permission denied")])  # --strokes
