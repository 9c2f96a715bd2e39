"""The command-line contracts the app and the product checks rely on."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml.cli import main as cli_main
from ml.runtime.cards import sha256_of
from ml.runtime.recognizer import Prediction, PredictionError, load_recognizer
from ml.runtime.synth import GLYPHS, render
from tests.conftest import BUNDLED_DEFAULT, REPO_ROOT
from tests.images import animated_gif, cmyk_jpeg, png_bomb, png_bytes


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_load_recognizer_without_a_name_loads_the_apps_default(bundled_weights: Path) -> None:
    """An API user's trial: load_recognizer() wanted a name, where LineReader.load() picks the default."""
    from ml.runtime.recognizer import load_recognizer

    assert load_recognizer(device="cpu").card.name == BUNDLED_DEFAULT
    with pytest.raises(ValueError, match="threads must be 0 \\(every core\\) or more, not -1"):
        load_recognizer(device="cpu", threads=-1)


def test_recognizer_predicts_top_k_and_reports_blank(weights_env: Path) -> None:
    recognizer = load_recognizer("cnn_tiny", device="cpu")
    result = recognizer.predict(render("X"), top_k=3)
    assert isinstance(result, Prediction)
    assert repr(recognizer) == "<OnnxRecognizer cnn_tiny: 36 classes, CPU (ONNX Runtime)>"
    # At hand in a notebook: plain values for JSON, and == and `in` that do not raise over its arrays.
    record = result.as_dict(decimals=3)
    assert json.loads(json.dumps(record)) == record and record["label"] == result.label == record["top"][0]["label"]
    assert [r["prob"] for r in record["top"]] == [round(s.prob, 3) for s in result.top]
    assert result == result and result in [result] and result != recognizer.predict(render("X"), top_k=3)
    assert len(result.top) == 3 and result.top[0].prob >= result.top[1].prob >= result.top[2].prob
    assert abs(float(result.probabilities.sum()) - 1) < 1e-4 and result.model_input.shape == (28, 28)
    blank = recognizer.predict(np.full((200, 200), 255, dtype=np.uint8))
    assert isinstance(blank, PredictionError) and blank.blank
    assert len(recognizer.predict(render("X"), top_k=1000).top) == len(recognizer.labels)
    with pytest.raises(ValueError, match="top_k must be at least 1, not 0"):
        recognizer.predict(render("X"), top_k=0)
    assert "array" not in repr(result) and "ClassScore(label=" in repr(result)  # no 28x28 flooding a notebook


def test_predictions_do_not_depend_on_batching(weights_env: Path) -> None:
    recognizer = load_recognizer("cnn_tiny", device="cpu")
    images = [render(c) for c in "ACEHLT"]
    together = recognizer.predict_many(images)
    alone = [recognizer.predict(image) for image in images]
    for a, b in zip(together, alone, strict=True):
        assert isinstance(a, Prediction) and isinstance(b, Prediction)
        assert np.allclose(a.probabilities, b.probabilities, atol=1e-5)


def test_predict_json_one_line_per_file_and_bad_files_never_stop_it(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    Image.fromarray(render("A")).save(folder / "a.png")
    Image.fromarray(render("T")).save(folder / "sub" / "t.jpg")
    (folder / "corrupt.png").write_bytes(png_bytes(render("A"))[:80])
    (folder / "empty.png").write_bytes(b"")
    (folder / "text.png").write_text("hello")
    (folder / "bomb.png").write_bytes(png_bomb())
    (folder / "anim.gif").write_bytes(animated_gif([render("L"), render("T")]))
    (folder / "cmyk.jpg").write_bytes(cmyk_jpeg(render("H")))
    Image.fromarray(np.full((50, 50), 255, dtype=np.uint8)).save(folder / "blank.png")
    assert cli_main(["predict", "--model", "cnn_tiny", "--top-k", "2", "--json", str(folder)]) == 1  # some failed
    records = {Path(str(r["path"])).name: r for r in _lines(capsys)}
    assert len(records) == 9
    for name in ("a.png", "t.jpg", "anim.gif", "cmyk.jpg"):
        top = records[name]["top"]
        assert isinstance(top, list) and len(top) == 2 and set(top[0]) == {"label", "prob"}
        assert records[name]["model"] == "cnn_tiny"  # which model answered, in every answer
    assert "first of its 2 frames" in str(records["anim.gif"]["notes"])
    for name in ("corrupt.png", "empty.png", "text.png", "bomb.png", "blank.png"):
        error = records[name]["error"]
        assert isinstance(error, str) and "\n" not in error and "Traceback" not in error, name
    assert records["blank.png"]["blank"] is True and records["blank.png"]["error"].startswith("no ink")
    assert not any("blank" in records[name] for name in ("corrupt.png", "empty.png", "text.png", "bomb.png"))
    # In text, a blank page is said in words, a broken file is an error.
    assert cli_main(["predict", "--model", "cnn_tiny", str(folder / "blank.png"), str(folder / "corrupt.png")]) == 2
    said = capsys.readouterr()
    lines = said.out.splitlines()
    assert lines[0].startswith(f"{folder / 'blank.png'}: nothing to read: ")
    assert lines[1].startswith(f"{folder / 'corrupt.png'}: error: ")
    assert said.err.strip().endswith("2 of 2 could not be read")  # after many lines, how many failed


def test_predict_unknown_model_is_a_clear_error(weights_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["predict", "--model", "nope", "x.png"]) == 2
    assert "no model named 'nope'" in capsys.readouterr().err
    # With --json, a script reading stdout learns why no line came (it got nothing at all).
    for command in ("predict", "read"):
        assert cli_main([command, "--json", "--model", "nope", "x.png"]) == 2
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1 and "no model named 'nope'" in json.loads(out[0])["error"], command


def test_a_files_data_in_any_holder_is_read_and_what_is_no_picture_is_said(weights_env: Path, tmp_path: Path) -> None:
    recognizer = load_recognizer("cnn_tiny", device="cpu")
    data = png_bytes(render("X"))
    (tmp_path / "x.png").write_bytes(data)
    expected = recognizer.predict(data)
    assert isinstance(expected, Prediction)
    with (tmp_path / "x.png").open("rb") as file:
        for holder in (bytearray(data), memoryview(data), io.BytesIO(data), file):
            result = recognizer.predict(holder)
            assert isinstance(result, Prediction) and result.top == expected.top, type(holder)
    with (tmp_path / "x.png").open() as text_file:
        said = PredictionError("the file is open as text: open it with 'rb' to read a picture")
        assert recognizer.predict(text_file) == said
    nothing = recognizer.predict(None)  # type: ignore[arg-type]
    assert isinstance(nothing, PredictionError) and nothing.reason.endswith("or a numpy array), not NoneType")
    # predict_many: a string was a list of one-letter file names, an H x W array a list of its rows.
    colour = np.stack([render("X")] * 3, axis=-1)
    with (tmp_path / "x.png").open("rb") as file:  # each read as many: letters, rows, bytes or lines
        for one in (str(tmp_path / "x.png"), render("X"), colour, bytearray(data), file):
            with pytest.raises(TypeError, match=r"predict_many reads a list of pictures \(or an N x H x W array\)"):
                recognizer.predict_many(one)  # type: ignore[arg-type]
    assert len(recognizer.predict_many(np.stack([render("X"), render("L")]))) == 2
    assert [r.top for r in recognizer.predict_many(p for p in [data, data])] == [expected.top] * 2  # type: ignore[union-attr]
    # top_k is checked before any picture is read.
    for wrong in (None, 2.0, True):
        with pytest.raises(TypeError, match=f"a whole number of at least 1, not {wrong}"):
            recognizer.predict_many([data], top_k=wrong)  # type: ignore[arg-type]


def test_a_weights_folder_that_is_not_there_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(tmp_path / "nowhere"))
    assert cli_main(["predict", "x.png"]) == 2
    said = capsys.readouterr().err
    assert f"the weights folder {tmp_path / 'nowhere'} does not exist (GLYPHPAD_WEIGHTS names it)" in said
    # A CLI trial: `models` said "no such folder" without naming the setting that chose it, and an empty
    # folder was listed as [] with exit 0 (a script checking it was told all was well).
    assert cli_main(["models"]) == 2
    assert "does not exist (GLYPHPAD_WEIGHTS names it)" in capsys.readouterr().err
    (tmp_path / "nowhere").mkdir()
    for argv in (["models"], ["models", "--json"]):
        assert cli_main(argv) == 2
        said = capsys.readouterr()
        assert f"there are no models in the weights folder {tmp_path / 'nowhere'} (GLYPHPAD_WEIGHTS" in said.err
        assert said.out == ("[]\n" if "--json" in argv else "")


def test_a_name_too_long_is_one_row_and_the_other_files_are_read(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Path.is_dir raised for it (as for a folder that cannot be entered): the command stopped, unread."""
    Image.fromarray(render("A")).save(tmp_path / "a.png")
    too_long = tmp_path / ("n" * 300 + ".png")
    for command in ("predict", "read"):
        assert cli_main([command, "--model", "cnn_tiny", "--json", str(tmp_path / "a.png"), str(too_long)]) == 1
        records = {Path(str(r["path"])): r for r in _lines(capsys)}
        assert "error" not in records[tmp_path / "a.png"], command
        assert records[too_long]["error"] == "File name too long", command


def test_evaluate_reads_printed_words_and_counts_their_spaces(
    bundled_weights: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ml.evaluation.printed as printed

    monkeypatch.setattr(printed, "PRINTED_WORDS", ("KEEP OUT", "open"))
    monkeypatch.setattr(printed, "FONT_FILES", ("DejaVuSans.ttf",))
    monkeypatch.setattr(printed, "SIZES_PX", (64,))
    assert cli_main(["evaluate", "--source", "printed_words", "--json"]) == 0
    (scores,) = _lines(capsys)
    result = scores["sources"]["printed_words"]  # type: ignore[index]
    assert result["words"] == 2 and result["characters"] == len("KEEP OUT") + len("open")
    assert result["cer"] == 0.0 and result["word_accuracy"] == 1.0, result["examples"]
    assert cli_main(["evaluate", "--source", "printed_words"]) == 0  # in words, on its own (no writers' line)
    said = capsys.readouterr().out
    assert "printed_words       2 words of type" in said and "writers" not in said
    assert "CER 0.00%, case-insensitive" in said  # one font: no range said (nothing to resample)


def test_an_unknown_command_is_one_line_with_the_nearest_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["predcit", "x.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown command 'predcit'" in err and "did you mean 'predict'?" in err
    assert cli_main(["nosuch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean" not in err and "--help' lists them" in err


def test_predict_cuda_without_a_gpu_is_a_clear_error(weights_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ml.runtime.devices import cuda_available

    if cuda_available():
        pytest.skip("this machine has a GPU")
    assert cli_main(["predict", "--model", "cnn_tiny", "--device", "cuda", "x.png"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err


def test_the_library_asked_for_cuda_without_a_gpu_says_how_to_use_the_cpu(
    weights_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml.runtime.devices import DeviceError

    monkeypatch.setattr("ml.runtime.devices.cuda_available", lambda: False)
    with pytest.raises(DeviceError) as raised:
        load_recognizer("cnn_tiny", device="cuda")
    # A library user has no --device to give: the message names the argument's value too.
    assert "no CUDA GPU" in str(raised.value) and "device 'cpu'" in str(raised.value)
    assert load_recognizer("cnn_tiny", device="cpu").predict(np.zeros((28, 28), np.float32)) is not None


def test_models_json_lists_bundled_models_and_damaged_ones(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["models", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    names = {e["name"]: e for e in entries}
    assert set(names) == {"cnn_tiny", "gru_tiny"}
    for entry in entries:
        assert {"name", "path", "arch", "labels", "params", "metrics"} <= set(entry)
        assert len(entry["labels"]) == 36 and entry["params"] > 0
        assert Path(entry["path"]) == weights_env / f"{entry['name']}.safetensors"
    damaged = tmp_path / "w"
    shutil.copytree(weights_env, damaged)
    (damaged / "gru_tiny.json").write_text("{")
    assert cli_main(["models", "--json", "--dir", str(damaged)]) == 1  # one of two unusable: said in the status
    broken = {e["name"]: e for e in json.loads(capsys.readouterr().out)}["gru_tiny"]
    assert broken["available"] is False and "damaged" in broken["error"]


def test_a_damaged_model_to_read_with_says_what_to_do(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A robustness trial: the app read with another model and said so, the command line gave the sha256
    alone."""
    damaged = tmp_path / "w"
    shutil.copytree(weights_env, damaged)
    (damaged / "cnn_tiny.safetensors").write_bytes(b"")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(damaged))
    picture = tmp_path / "blank.png"
    Image.new("L", (28, 28), 255).save(picture)
    for command in ("predict", "read"):
        assert cli_main([command, "--model", "cnn_tiny", str(picture)]) == 2
        said = capsys.readouterr().err
        assert "cnn_tiny.safetensors is damaged" in said and "name another model with --model" in said, said


def test_a_name_that_is_no_model_gets_no_advice_to_reinstall(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A practitioner's trial: a typo, a training checkpoint and a prefix were told "or reinstall GlyphPad",
    and "letters" was answered with one of nine letters models, picked by spelling."""
    mine = tmp_path / "w"
    shutil.copytree(weights_env, mine)
    for name in ("letters_a", "letters_b"):
        for suffix in (".safetensors", ".onnx", ".json"):
            shutil.copy(mine / f"cnn_tiny{suffix}", mine / f"{name}{suffix}")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(mine))
    checkpoint = tmp_path / "run.ckpt"
    checkpoint.write_bytes(b"not weights")
    picture = tmp_path / "p.png"
    Image.new("L", (28, 28), 255).save(picture)
    for model, reason in [
        ("cnn_tiyn", "did you mean cnn_tiny?"),
        ("letters", "did you mean one of letters_a, letters_b?"),
        (str(checkpoint), "run.ckpt is not a model"),
    ]:
        assert cli_main(["predict", "--model", model, str(picture)]) == 2
        said = capsys.readouterr().err
        assert reason in said and "reinstall" not in said, said
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(empty))  # no model at all: the setting that chose the folder is said
    assert cli_main(["predict", str(picture)]) == 2
    said = capsys.readouterr().err
    assert f"there are no models in the weights folder {empty} (GLYPHPAD_WEIGHTS names it)" in said, said
    assert "--model" not in said  # (no other model to name)


def test_models_json_says_what_is_wrong_with_each_broken_model(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    for name in ("truncated", "unknown_arch", "mismatched", "no_card", "no_checksum"):
        for suffix in (".safetensors", ".onnx", ".json"):
            shutil.copy(weights_env / f"cnn_tiny{suffix}", folder / f"{name}{suffix}")
        card = json.loads((folder / f"{name}.json").read_text())
        card["name"] = name
        (folder / f"{name}.json").write_text(json.dumps(card))
    data = (folder / "truncated.safetensors").read_bytes()
    (folder / "truncated.safetensors").write_bytes(data[: len(data) // 2])
    card = json.loads((folder / "unknown_arch.json").read_text())
    card["arch"] = "resnet9000"
    (folder / "unknown_arch.json").write_text(json.dumps(card))
    shutil.copy(weights_env / "gru_tiny.safetensors", folder / "mismatched.safetensors")
    card = json.loads((folder / "mismatched.json").read_text())
    # Its checksum agrees (the card was written for these weights), yet they do not fit the architecture.
    card["sha256"] = sha256_of(folder / "mismatched.safetensors")
    (folder / "mismatched.json").write_text(json.dumps(card))
    (folder / "no_card.json").unlink()
    card = json.loads((folder / "no_checksum.json").read_text())
    card["sha256"] = ""  # nothing to check the weights by: refused, not trusted
    (folder / "no_checksum.json").write_text(json.dumps(card))
    assert cli_main(["models", "--json", "--dir", str(folder)]) == 2  # none usable
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    assert set(entries) == {"truncated", "unknown_arch", "mismatched", "no_card", "no_checksum"}
    assert all(e["available"] is False for e in entries.values())
    assert "sha256" in entries["truncated"]["error"]
    assert "resnet9000" in entries["unknown_arch"]["error"]
    assert "does not fit" in entries["mismatched"]["error"]
    assert "card" in entries["no_card"]["error"]
    assert "records no sha256" in entries["no_checksum"]["error"]


def test_evaluate_json_on_an_emnist_folder(
    weights_env: Path, synthetic_emnist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--model", "cnn_tiny", "--source", "emnist_test", "--emnist", str(synthetic_emnist), "--json"]
    assert cli_main(argv) == 0
    result = json.loads(capsys.readouterr().out)["sources"]["emnist_test"]
    assert result["n"] == 48  # the seeded 10% test split of 12 classes x 40
    for key in ("accuracy", "balanced_accuracy", "top3", "macro_f1"):
        assert 0.0 <= result[key] <= 1.0
    assert result["top3"] >= result["accuracy"]
    # The validation split as the model answers (training scored it before any class prior was chosen).
    argv[argv.index("emnist_test")] = "emnist_val"
    assert cli_main(argv) == 0
    validation = json.loads(capsys.readouterr().out)["sources"]["emnist_val"]
    assert validation["n"] == 48 and validation != result


def test_evaluate_report_writes_the_plots(
    weights_env: Path, synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The training history as `glyphpad-ml train` writes it: a loss and accuracies per validation source.
    history = [
        {"epoch": e, "train_loss": 1.0 / e, "train_accuracy": 0.5 + e / 10, "val_emnist_accuracy": 0.6 + e / 20,
         "val_emnist_balanced_accuracy": 0.6, "val_emnist_loss": 1.2 / e, "val_unipen_accuracy": 0.5 + e / 20,
         "val_unipen_accuracy_ema": 0.55, "val_score": 0.6}
        for e in (1, 2, 3)
    ]  # fmt: skip
    (weights_env / "cnn_tiny.metrics.json").write_text(json.dumps({"history": history}))
    assert (
        cli_main(
            [
                "evaluate",
                "--model",
                "cnn_tiny",
                "--source",
                "emnist_test",
                "--emnist",
                str(synthetic_emnist),
                "--report",
                str(tmp_path / "report"),
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    written = {p.name for p in (tmp_path / "report").iterdir()}
    assert {
        "confusion.png",
        "confusion_normalized.png",
        "roc.png",
        "class_distribution.png",
        "intensity_histogram.png",
        "samples.png",
        "confused_pairs.png",
        "report.json",
        "learning_curves.png",
    } <= written
    assert Image.open(tmp_path / "report" / "confusion.png").size[0] > 300


def test_evaluate_on_an_image_folder(weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for char in "AT":
        (tmp_path / char).mkdir()
        for i, pen in enumerate((4, 12)):
            Image.fromarray(render(char, pen_width=pen)).save(tmp_path / char / f"{i}.png")
    (tmp_path / "a_lower").mkdir()  # lowercase a folds into A in the 36-class set
    Image.fromarray(render("A")).save(tmp_path / "a_lower" / "x.png")
    # A notebook's checkpoints and a Mac archive's leftovers beside the class folders are no class: passed
    # over (they stopped the run as "folder name is not a class").
    for made_by_a_tool in (".ipynb_checkpoints", "__MACOSX"):
        (tmp_path / made_by_a_tool).mkdir()
        Image.fromarray(render("T")).save(tmp_path / made_by_a_tool / "copy.png")
    assert cli_main(["evaluate", "--model", "cnn_tiny", "--images", str(tmp_path), "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)["sources"]["images"]
    assert scored["n"] == 5
    # Read by a person: each character's pictures read right (a small a counted as A), and for so few
    # pictures how far one moves the rates.
    assert cli_main(["evaluate", "--model", "cnn_tiny", "--images", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    by_character = next(line for line in printed.splitlines() if "by character: " in line).split(": ", 1)[1]
    counts = {part.split()[0]: part.split()[1] for part in by_character.split(", ") if part[:1] in "AT"}
    assert set(counts) == {"A", "T"} and counts["A"].endswith("/3") and counts["T"].endswith("/2")
    right = sum(int(c.split("/")[0]) for c in counts.values())
    assert right == round(scored["accuracy"] * 5)
    assert "only 5 pictures: each moves the overall rates by 20.0 points" in printed
    assert "images_drawings" not in scored and "drawings" not in printed  # no stroke files there: no line
    # The strokes kept beside the pictures (Keep as Example) are read too, as the app reads a drawing.
    from ml.runtime.strokes import Strokes, write_strokes_file
    from ml.runtime.synth import GLYPHS

    for char, folder in (("T", "T"), ("T", "A")):  # a T filed as A: read wrong, as its folder says
        strokes = tuple(np.array(stroke, dtype=float) * 100 for stroke in GLYPHS[char])
        write_strokes_file(tmp_path / folder / "drawn.json", Strokes(strokes))
    assert cli_main(["evaluate", "--model", "cnn_tiny", "--images", str(tmp_path), "--json"]) == 0
    drawings = json.loads(capsys.readouterr().out)["sources"]["images_drawings"]
    assert drawings["n"] == 2 and drawings["read_from"] == "their pictures alone" and drawings["accuracy"] <= 0.5
    for folder in ("T", "A"):
        (tmp_path / folder / "drawn.json").unlink()
    # Without --model, in a folder without the default: its first model, said, as predict does.
    assert cli_main(["evaluate", "--images", str(tmp_path), "--json"]) == 0
    said = capsys.readouterr()
    assert json.loads(said.out)["model"] == "cnn_tiny" and "reading with cnn_tiny" in said.err
    assert cli_main(["evaluate", "--update-card"]) == 2  # a card is rewritten only when named
    assert "name the model with --model" in capsys.readouterr().err
    # A file that is no image, and a blank page, hold no character: left out and said, not scored wrong;
    # the exit status says some inputs failed (1), as predict's does (it was 0).
    (tmp_path / "T" / "notes.png").write_text("hello")
    Image.fromarray(np.full((40, 40), 255, dtype=np.uint8)).save(tmp_path / "T" / "blank.png")
    assert cli_main(["evaluate", "--model", "cnn_tiny", "--images", str(tmp_path), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["sources"]["images"]["n"] == 5
    assert json.loads(captured.out)["sources"]["images"]["unread"] == 2
    assert "left out 2 file(s) with no character to score" in captured.err
    # A card records the data sources every model is scored on, not a folder of one's own.
    assert cli_main(["evaluate", "--model", "cnn_tiny", "--images", str(tmp_path), "--update-card"]) == 2
    assert "--update-card" in capsys.readouterr().err


def test_evaluate_without_a_model_scores_the_apps_default(
    bundled_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "the following arguments are required: --model", where predict and read use the default."""
    (tmp_path / "T").mkdir()
    Image.fromarray(render("T")).save(tmp_path / "T" / "t.png")
    assert cli_main(["evaluate", "--images", str(tmp_path), "--json"]) == 0
    said = capsys.readouterr()
    result = json.loads(said.out)
    assert result["model"] == BUNDLED_DEFAULT and result["sources"]["images"]["n"] == 1
    assert "evaluating images (1 of 1)" in said.err  # each source said as it starts (a minute was silent)


def _a_png(folder: Path) -> Path:
    path = folder / "a.png"
    Image.fromarray(render("A")).save(path)
    return path


def test_a_failing_command_says_why_in_one_line(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:

    cases = [
        # A model that is not there, a value that cannot be, a file the results table cannot be written
        # into: nothing could be done, 2 (as argparse's).
        (["results", "--readme", str(tmp_path / "missing.md")], "No such file or directory", 2),
        (["results", "--readme", str(tmp_path)], "Is a directory", 2),
        (["export", "--model", "cnn_tiny", "--out", str(tmp_path / "new")], "", 0),  # a new folder
        (["export", "--model", "cnn_tiny", "--out", str(tmp_path / "file.txt")], "is a file: name a folder", 2),
        (["export", "--model", "no_such_model"], "no model named 'no_such_model'", 2),
        (["bench", "--model", "cnn_tiny", "--repeats", "0"], "--repeats must be at least 1", 2),
        (["bench", "--model", "cnn_tiny", "--markdown", str(tmp_path)], "is a folder", 2),
        (["bench", "--model", "cnn_tiny", "--model", "no_such_model", "--repeats", "1"], "no model named", 2),
        (["models", "--dir", str(tmp_path / "nowhere")], "no such folder", 2),
        (["drawn", "--writers", "1", "--save-grid", str(tmp_path)], "--save-grid writes a PNG", 2),
        (["evaluate", "--model", "cnn_tiny", "--threads", "-1"], "--threads must be 0 (every core) or more", 2),
        # Data missing for a later source: said before the drawings (a minute) are scored.
        (
            ["evaluate", "--model", "cnn_tiny", "--source", "drawn", "--source", "unipen_val", "--pen-data", "no.npz"],
            "no UNIPEN archive at no.npz",
            2,
        ),
        (["tune", "--threads", "-1"], "--threads must be 0 (every core) or more", 2),
        # Other words are composed for a words_* source only, and never into a card (its table compares
        # readers on the same words).
        (
            ["evaluate", "--model", "cnn_tiny", "--source", "printed_words", "--words", "800"],
            "name one with --source",
            2,
        ),
        (["evaluate", "--model", "cnn_tiny", "--source", "words_val", "--words", "0"], "--words must be 1 or more", 2),
        (
            ["evaluate", "--model", "cnn_tiny", "--source", "words_val", "--word-seed", "3", "--update-card"],
            "leave out --words and --word-seed",
            2,
        ),
        # Words are scored on their own: another source beside them was passed over.
        (
            ["evaluate", "--model", "cnn_tiny", "--source", "unipen_test", "--source", "words_val"],
            "the words sources are scored on their own: run unipen_test in another evaluate",
            2,
        ),
    ]
    (tmp_path / "file.txt").write_text("a file, not a folder")
    for argv, reason, code in cases:
        assert cli_main(argv) == code, argv
        if code == 0:
            capsys.readouterr()
            continue
        captured = capsys.readouterr()
        assert captured.out == "" and "Traceback" not in captured.err, argv  # nothing timed or printed first
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"glyphpad-ml {argv[0]}: error: ") and reason in lines[0]

    monkeypatch.setattr("ml.runtime.devices.cuda_available", lambda: False)
    assert cli_main(["bench", "--model", "cnn_tiny", "--device", "cuda", "--repeats", "1"]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("glyphpad-ml bench: error: CUDA was requested but no CUDA GPU is available")
    # With the debug setting the traceback comes through.
    monkeypatch.setenv("GLYPHPAD_DEBUG", "1")
    with pytest.raises(FileNotFoundError):
        cli_main(["results", "--readme", str(tmp_path / "missing.md")])
    monkeypatch.delenv("GLYPHPAD_DEBUG")

    # A ValueError numpy raises on a line of ours is a bug, not a reason to give in a line: shown whole.
    from ml.cli import _raised_by_us
    from ml.runtime.cards import WeightsError, resolve_model_path
    from ml.runtime.fusion import FusionWeights, fuse_probabilities

    with pytest.raises(ValueError, match="broadcast") as bug:
        fuse_probabilities(np.full(3, 1 / 3), np.full(4, 1 / 4), FusionWeights(1.0, 1.0))
    with pytest.raises(WeightsError) as reason:
        resolve_model_path("no_such_model")
    assert not _raised_by_us(bug.value) and _raised_by_us(reason.value)
    monkeypatch.setattr("ml.runtime.image_files.display_path", lambda _path: np.zeros(3) + np.zeros(4))
    with pytest.raises(ValueError, match="broadcast"):
        cli_main(["predict", "--model", "cnn_tiny", str(_a_png(tmp_path))])


def test_results_says_which_models_it_left_out(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "weights"
    shutil.copytree(weights_env, folder)
    with (folder / "cnn_tiny.safetensors").open("ab") as weights:
        weights.write(b"x")
    assert cli_main(["results", "--dir", str(folder)]) == 0
    captured = capsys.readouterr()
    assert "| gru_tiny" in captured.out.replace("`", "") and "cnn_tiny" not in captured.out
    assert captured.err.startswith("left out cnn_tiny: cnn_tiny.safetensors is damaged")
    # A folder that is not there: said, exit 2 (an empty table and exit 0 read as "no models").
    assert cli_main(["results", "--dir", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_model_is_named_by_any_of_its_three_files(
    weights_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml.runtime.cards import WeightsError, resolve_model_path

    weights = resolve_model_path("cnn_tiny")
    for other in (".onnx", ".json", ".safetensors"):
        assert resolve_model_path(weights.with_suffix(other)) == weights
    with pytest.raises(WeightsError, match="is a folder"):
        resolve_model_path(weights.parent)
    with pytest.raises(WeightsError, match="no such model file"):
        resolve_model_path(tmp_path / "gone.safetensors")
    # A bundled model's name is the model even where a folder of that name stands (pictures of digits).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cnn_tiny").mkdir()
    assert resolve_model_path("cnn_tiny") == weights


def test_version_and_image_architectures_only_for_train(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    from ml import __version__

    assert cli_main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"glyphpad-ml {__version__}"
    assert version("glyphpad") == __version__  # the package's version is read from ml, declared once
    with pytest.raises(SystemExit) as refused:
        cli_main(["train", "--arch", "stroke_gru", "--dry-run"])
    assert refused.value.code == 2 and "stroke_gru reads pen strokes: train it with" in capsys.readouterr().err


def test_bench_json_fields(weights_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["bench", "--json", "--repeats", "5", "--batch", "8", "--model", "cnn_tiny"]) == 0
    row = _lines(capsys)[0]
    assert {"name", "p50_ms", "p95_ms", "forward_ms", "torch_forward_ms", "explain_ms", "batch_images_per_s"} <= set(
        row
    )
    assert row["engine"] == "CPU (ONNX Runtime)"
    assert 0 < float(row["p50_ms"]) <= float(row["p95_ms"])  # type: ignore[arg-type]
    # What it was measured with, beside the figures (a practitioner could not tell from the JSON).
    assert (row["repeats"], row["batch"], row["device_asked"]) == (5, 8, "auto") and int(row["threads"]) >= 1  # type: ignore[call-overload]


def test_bench_times_reading_a_written_line(weights_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["bench", "--json", "--repeats", "5", "--model", "cnn_tiny", "--line"]) == 0
    line = next(row for row in _lines(capsys) if "text" in row)
    assert line["text"] == "H7AX4TE1BF" and len(str(line["read"])) == 10  # ten characters found
    assert float(line["again_p50_ms"]) > 0 and 0 < float(line["cold_p50_ms"]) <= float(line["cold_p95_ms"])  # type: ignore[arg-type]


def test_python_dash_m_ml_is_the_same_tool(weights_env: Path) -> None:
    env = {**os.environ, "GLYPHPAD_WEIGHTS": str(weights_env)}
    done = subprocess.run(
        [sys.executable, "-m", "ml", "models", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert {e["name"] for e in json.loads(done.stdout)} == {"cnn_tiny", "gru_tiny"}


def test_results_table_is_generated_into_the_readme(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.evaluation.results import RESULTS_END, RESULTS_START

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{RESULTS_START}\nold table\n{RESULTS_END}\n\nafter\n")
    assert cli_main(["results", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "old table" not in text and "`cnn_tiny`" in text and "`gru_tiny`" in text and text.endswith("after\n")
    assert capsys.readouterr().out.startswith("updated the results table in")
    # Again, with nothing new: said so, and the file not written ("updated" was said of an unchanged file).
    written = readme.stat().st_mtime_ns
    os.utime(readme, ns=(written - 10**9, written - 10**9))
    assert cli_main(["results", "--readme", str(readme)]) == 0
    assert "already up to date" in capsys.readouterr().out and readme.stat().st_mtime_ns == written - 10**9
    readme.write_text("no markers")
    assert cli_main(["results", "--readme", str(readme)]) == 2


def test_predict_without_model_uses_the_default_or_the_first_bundled(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.runtime.cards import default_model_name

    assert default_model_name() == "cnn_tiny"  # emnist36_cnn is not in this folder
    Image.fromarray(render("T")).save(tmp_path / "t.png")
    assert cli_main(["predict", "--json", str(tmp_path / "t.png")]) == 0
    said = capsys.readouterr()
    assert "top" in json.loads(said.out.splitlines()[0])
    assert "no emnist36_cnn in" in said.err and "reading with cnn_tiny" in said.err  # not silently


def test_predict_reports_svgs_and_link_loops_in_folders_and_keeps_odd_names(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(render("A")).save(folder / "a.png")
    (folder / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / "notes.txt").write_text("not a picture, and not pretending")
    os.symlink(folder / "loop2.png", folder / "loop1.png")
    os.symlink(folder / "loop1.png", folder / "loop2.png")
    odd = os.fsdecode(b"caf\xe9.png")  # a Latin-1 name on a UTF-8 system
    Image.fromarray(render("T")).save(folder / odd)
    Image.fromarray(render("L")).save(folder / "IMG_4411.heic", format="JPEG")  # a phone's JPEG named .heic
    (folder / "real.heic").write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", str(folder)]) == 1
    records = {Path(str(r["path"])).name: r for r in _lines(capsys)}
    assert set(records) == {"a.png", "logo.svg", "loop1.png", "loop2.png", "caf\\xe9.png", "IMG_4411.heic", "real.heic"}
    assert "top" in records["IMG_4411.heic"] and "HEIC is not supported" in str(records["real.heic"]["error"])
    assert "SVG" in str(records["logo.svg"]["error"])
    assert "loop" in str(records["loop1.png"]["error"])
    assert "top" in records["caf\\xe9.png"]


def test_a_named_pipe_is_refused_by_the_commands_not_waited_on(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    os.mkfifo(tmp_path / "pipe.json")
    folder = tmp_path / "class"  # in a folder: said, not passed over without a word
    folder.mkdir()
    os.mkfifo(folder / "scan.png")
    Image.fromarray(render("A")).save(folder / "a.png")
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", str(folder)]) == 1
    assert {Path(str(r["path"])).name: r.get("error") for r in _lines(capsys)} == {
        "a.png": None,
        "scan.png": "a named pipe, not a file",
    }
    for command in (["predict"], ["read"]):
        assert cli_main([*command, "--model", "cnn_tiny", "--json", str(tmp_path / "pipe.png")]) == 2
        assert [r["error"] for r in _lines(capsys)] == ["a named pipe, not a file"]
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "--strokes", str(tmp_path / "pipe.json")]) == 2
    assert [r["error"] for r in _lines(capsys)] == ["a named pipe, not a file"]  # (not "no such file")


def test_a_picture_or_stroke_file_piped_in_is_read_as_dash(
    weights_env: Path,
    fused_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def piped(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    picture = png_bytes(render("X"))
    recognizer = load_recognizer("cnn_tiny", device="cpu")
    expected = recognizer.predict(picture)
    assert isinstance(expected, Prediction)
    piped(picture)
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "-"]) == 0
    (record,) = _lines(capsys)
    assert record["path"] == "-" and record["top"] == expected.as_dict()["top"]
    piped(picture)
    assert cli_main(["read", "--model", "cnn_tiny", "--json", "-"]) == 0
    assert _lines(capsys)[0]["path"] == "-"
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    piped(json.dumps({"strokes": [[[0, 0], [10, 0]], [[5, 0], [5, 20]]]}).encode())
    assert cli_main(["predict", "--model", "cnn_tiny", "--strokes", "--json", "-"]) == 0
    assert _lines(capsys)[0]["inputs"] == ["image", "strokes"]
    drawing = json.dumps({"strokes": [[[0, 0], [10, 0]], [[5, 0], [5, 20]]]}).encode()
    piped(drawing)  # strokes without --strokes: read as strokes all the same, as the app opens them
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "-"]) == 0
    (without,) = _lines(capsys)
    piped(drawing)
    assert cli_main(["predict", "--model", "cnn_tiny", "--strokes", "--json", "-"]) == 0
    assert without == _lines(capsys)[0] and without["inputs"] == ["image", "strokes"]
    piped(b"")
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "-"]) == 2
    assert _lines(capsys) == [{"path": "-", "error": "nothing was piped in (0 bytes)"}]  # (named no file)
    # A phone's JPEG whose EXIF block's length begins with the byte of "[" is a picture, not JSON.
    photo = io.BytesIO()
    Image.fromarray(render("X")).save(photo, "JPEG")
    exif = b"Exif\x00\x00" + bytes(23_400)  # an APP1 segment first, as a phone writes it
    jpeg = photo.getvalue()[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + photo.getvalue()[2:]
    assert jpeg[4:5] == b"["
    piped(jpeg)
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "-"]) == 0
    assert "inputs" not in _lines(capsys)[0]  # read as a picture
    drawing_utf16 = b"\xff\xfe" + drawing.decode().encode("utf-16-le")  # a Windows editor's "Unicode"
    piped(drawing_utf16)  # it was taken for a picture: "not an image file"
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "-"]) == 0
    assert _lines(capsys)[0]["top"] == without["top"]
    assert cli_main(["predict", "--model", "cnn_tiny", "-", "-"]) == 2
    assert "- is given twice: standard input is read once" in capsys.readouterr().err
    (tmp_path / "-").write_bytes(picture)  # a file called "-", named so that it is one ("./-" == "-" as paths)
    monkeypatch.chdir(tmp_path)
    assert cli_main(["predict", "--model", "cnn_tiny", "--json", "./-"]) == 0
    assert _lines(capsys)[0]["top"] == expected.as_dict()["top"]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)  # a terminal: it would wait for typing
    assert cli_main(["predict", "--model", "cnn_tiny", "-"]) == 2
    said = capsys.readouterr().err
    assert "- reads a picture or a stroke file piped in (... | glyphpad-ml predict -): nothing is" in said


def test_glyphpad_ml_without_a_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main([]) == 2
    assert "usage: glyphpad-ml COMMAND" in capsys.readouterr().err
    assert cli_main(["--help"]) == 0
    assert "predict" in capsys.readouterr().out
    assert cli_main(["nope"]) == 2


def test_words_table_says_which_models_read_the_pictures(trained_weights: Path, tmp_path: Path) -> None:
    import shutil

    from ml.evaluation.results import words_results_table

    for suffix in (".safetensors", ".json", ".onnx"):
        shutil.copy(trained_weights / f"cnn_tiny{suffix}", tmp_path / f"cnn_tiny{suffix}")
    card = json.loads((tmp_path / "cnn_tiny.json").read_text())
    words = {"words": 4, "characters": 20, "cer": 0.1, "cer_case_insensitive": 0.05, "word_accuracy": 0.5}
    words |= {"one_box_per_character": 0.9, "latency_ms_p50": 12.0}
    card["metrics_by_source"] = {"words_val": words, "words_test_pictures": {**words, "picture_partner": "emnist36"}}
    (tmp_path / "cnn_tiny.json").write_text(json.dumps(card))
    table = words_results_table(tmp_path)
    assert "| `cnn_tiny` + its stroke model | validation writers | 4 | 5.00% | 10.00% |" in table
    assert "| `cnn_tiny` + `emnist36`, pictures of the words | test writers | 4 |" in table
    # With the range the card holds for each rate (resampling its words), said in brackets.
    words |= {"cer_interval": [0.052, 0.161], "cer_case_insensitive_interval": [0.0, 0.1]}
    card["metrics_by_source"] = {"words_val": words | {"word_accuracy_interval": [0.25, 0.75]}}
    (tmp_path / "cnn_tiny.json").write_text(json.dumps(card))
    assert "| validation writers | 4 | 5.00% (0.0-10.0) | 10.00% (5.2-16.1) | 50.00% (25.0-75.0) |" in (
        words_results_table(tmp_path)
    )


@pytest.mark.parametrize("command", [["archs"], ["models"], ["--help"]])
def test_output_into_a_reader_that_stops_early_ends_quietly(command: list[str]) -> None:
    """``glyphpad-ml models | head -1``: the reader leaves, and the command ends without a traceback."""
    for unbuffered in ("", "1"):  # output written line by line, or all at once at the end
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        if unbuffered:
            environment["PYTHONUNBUFFERED"] = unbuffered
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from ml.cli import main; sys.exit(main())", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # gone before the first line: every write finds no reader
        error = process.stderr.read().decode()
        assert process.wait(timeout=120) == 1, error  # cut short, as Python advises
        assert "Traceback" not in error and "BrokenPipe" not in error and "Exception ignored" not in error


def test_export_writes_a_models_graph_and_card_elsewhere_leaving_it_as_it_was(
    weights_env: Path, tmp_path: Path
) -> None:
    from ml.runtime.cards import sha256_of
    from ml.runtime.recognizer import load_recognizer

    before = {p.name: sha256_of(p) for p in weights_env.glob("cnn_tiny.*")}
    assert cli_main(["export", "--model", "cnn_tiny", "--out", str(tmp_path / "out")]) == 0
    assert {p.name: sha256_of(p) for p in weights_env.glob("cnn_tiny.*")} == before
    exported = tmp_path / "out" / "cnn_tiny.safetensors"
    assert {p.suffix for p in exported.parent.iterdir()} == {".safetensors", ".onnx", ".json"}
    assert load_recognizer(exported, device="cpu").card.name == "cnn_tiny"


def test_export_in_place_keeps_an_up_to_date_graph_and_mends_a_damaged_one(
    weights_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from ml.runtime.cards import sha256_of
    from ml.runtime.recognizer import load_recognizer

    weights = tmp_path / "weights"
    shutil.copytree(weights_env, weights)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(weights))
    before = {p.name: sha256_of(p) for p in weights.glob("cnn_tiny.*")}
    assert cli_main(["export", "--model", "cnn_tiny"]) == 0
    assert "up to date" in capsys.readouterr().out  # a checkout stays as it was: no graph written again
    assert {p.name: sha256_of(p) for p in weights.glob("cnn_tiny.*")} == before
    (weights / "cnn_tiny.onnx").write_bytes(b"not the graph it was")
    assert cli_main(["export", "--model", "cnn_tiny"]) == 0
    assert "up to date" not in capsys.readouterr().out
    assert load_recognizer(weights / "cnn_tiny.safetensors", device="cpu").card.name == "cnn_tiny"
    assert cli_main(["export", "--model", "cnn_tiny", "--force"]) == 0
    assert "up to date" not in capsys.readouterr().out
    # Every model, one of them without its card: said, not passed over (a hostile-input trial).
    (weights / "gru_tiny.json").unlink()
    assert cli_main(["export"]) == 1
    said = capsys.readouterr()
    assert "cnn_tiny.onnx: up to date" in said.out and "gru_tiny: " in said.err and "card" in said.err
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(tmp_path / "nowhere"))  # said as `models` says it
    assert cli_main(["export"]) == 2
    assert f"the weights folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err


def test_a_model_named_twice_is_refused_not_silently_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("predict", "read"):
        with pytest.raises(SystemExit) as usage:
            cli_main([command, "--model", "cnn_tiny", "--model", "gru_tiny", "some.png"])
        assert usage.value.code == 2
        assert "--model given twice" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "predict", "evaluate", "tune", "archs"])
def test_a_mistake_in_the_options_is_said_in_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """As the README says of every failure: argparse printed the whole usage first (30 lines for train)."""
    with pytest.raises(SystemExit) as usage:
        cli_main([command, "--no-such-option"])
    said = capsys.readouterr().err
    assert usage.value.code == 2 and said.count("\n") == 1
    assert said.startswith(f"glyphpad-ml {command}: error: ")  # (predict says first that it needs files)
    assert f"'glyphpad-ml {command} --help' lists the options" in said


def test_a_mistyped_option_is_answered_with_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    """A practitioner's trial: "--modle" was "unrecognized arguments", where a command's typo is answered."""
    for argv, hint in (
        (["evaluate", "--modle", "digits"], "did you mean --model?"),
        (["train", "--lables=digits10"], "did you mean --labels?"),
    ):
        with pytest.raises(SystemExit):
            cli_main(argv)
        said = capsys.readouterr().err
        assert said.count("\n") == 1 and hint in said, said
    with pytest.raises(SystemExit):
        cli_main(["evaluate", "--zzz"])
    assert "did you mean" not in capsys.readouterr().err  # nothing near: nothing guessed


def test_the_readmes_examples_read_as_written(
    bundled_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files in resources/examples/ that the README's commands read, read by the bundled default model."""
    from tests.conftest import REPO_ROOT

    examples = REPO_ROOT / "resources" / "examples"
    assert cli_main(["predict", "--json", str(examples / "A.png")]) == 0
    assert _lines(capsys)[0]["top"][0]["label"] == "A"  # type: ignore[index]
    assert cli_main(["predict", "--strokes", "--json", str(examples / "seven.json")]) == 0
    answer = _lines(capsys)[0]
    assert answer["top"][0]["label"] == "7" and answer["inputs"] == ["image", "strokes"]  # type: ignore[index]
    for argv in (
        ["read", "--json", str(examples / "hi42.png")],
        ["read", "--strokes", "--json", str(examples / "hi42.json")],
    ):
        assert cli_main(argv) == 0
        said = capsys.readouterr()
        record = json.loads(said.out)
        assert record["text"] == "Hi 42" and record["piece_verifier"] == "piece_verifier", argv
        assert "piece verifier" not in said.err
    # A folder without the verifier (a CLI trial's `export --out`) split lines otherwise, and said nothing.
    mine = tmp_path / "mine"
    mine.mkdir()
    for suffix in (".safetensors", ".onnx", ".json"):
        shutil.copy(bundled_weights / f"{BUNDLED_DEFAULT}{suffix}", mine / f"{BUNDLED_DEFAULT}{suffix}")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(mine))
    assert cli_main(["read", "--json", str(examples / "hi42.png")]) == 0
    said = capsys.readouterr()
    assert "piece_verifier" not in json.loads(said.out)
    assert f"note: no piece verifier in {mine / 'pieces'}: lines are split by the models' odds alone" in said.err


def test_an_interrupted_command_ends_at_once_whatever_waits_at_exit(tmp_path: Path) -> None:
    """A trial's calibrate hung after "interrupted" once in ten Ctrl+C's: Python's exit joined a process
    pool's thread that waited for ever on its stopped workers. The console's command leaves at once."""
    script = (
        "import sys, threading, time\n"
        "import ml.cli.archs as command\n"
        "def run(argv):\n"
        "    threading._register_atexit(lambda: time.sleep(600))  # as a pool's thread that never ends\n"
        "    print('half done', flush=False)\n"
        "    raise KeyboardInterrupt\n"
        "command.run = run\n"
        "sys.argv = ['glyphpad-ml', 'archs']\n"
        "from ml.cli import main\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 130 and done.stderr == "interrupted\n" and done.stdout == "half done\n"


def test_predicts_text_says_a_chance_under_a_twentieth_percent_as_the_app_does(
    bundled_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clear A's tenth answer is far under 0.05%: printed "0.0%", where the window says "<0.1%"."""
    from tests.conftest import REPO_ROOT

    assert cli_main(["predict", "--top-k", "10", str(REPO_ROOT / "resources" / "examples" / "A.png")]) == 0
    answers = capsys.readouterr().out.strip().split(": ", 1)[1].split(", ")
    assert len(answers) == 10 and answers[0].startswith("A/a 9")
    assert not any(answer.endswith(" 0.0%") for answer in answers) and answers[-1].endswith(" <0.1%")


def test_read_writes_a_csv_table_for_a_spreadsheet(
    bundled_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A teacher's trial: `read --csv` was refused; its lines ("path: text") were no table to paste a class's
    answers into. A row per file, as the app's Batch exports lines, a blank and a broken file's too."""
    import csv
    import io

    from tests.conftest import REPO_ROOT

    note = tmp_path / "note.png"  # two lines: one cell, its line break quoted within it
    word = np.asarray(Image.open(REPO_ROOT / "resources" / "examples" / "hi42.png").convert("L"))
    gap = np.full((word.shape[0] // 2, word.shape[1]), 255, dtype=np.uint8)
    Image.fromarray(np.vstack([word, gap, word])).save(note)
    Image.new("L", (200, 80), 255).save(tmp_path / "blank.png")
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    assert cli_main(["read", "--csv", str(REPO_ROOT / "resources" / "examples" / "hi42.png"), str(tmp_path)]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["path", "model", "error", "notes", "text", "least_sure"]
    by_name = {Path(row["path"]).name: row for row in rows}
    assert by_name["hi42.png"]["text"] == "Hi 42" and 0 < float(by_name["hi42.png"]["least_sure"]) <= 1
    assert by_name["note.png"]["text"] == "Hi 42\nHi 42"
    assert by_name["blank.png"]["error"] == "blank: no writing found" and not by_name["blank.png"]["text"]
    assert by_name["broken.png"]["error"] and not by_name["broken.png"]["model"]
    with pytest.raises(SystemExit):  # one table or the other
        cli_main(["read", "--csv", "--json", str(tmp_path)])


def test_predict_writes_a_csv_table_as_the_apps_batch_exports_characters(
    bundled_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`read` wrote a CSV table and `predict` none: a row per file, a label and its chance for each answer
    asked, every row as wide as the header (a blank and a broken file's too), a drawing's row beside a picture's."""
    import csv
    import io
    import shutil

    from tests.conftest import REPO_ROOT

    examples = REPO_ROOT / "resources" / "examples"
    shutil.copy(examples / "A.png", tmp_path / "A.png")
    shutil.copy(examples / "seven.json", tmp_path / "seven.json")
    Image.new("L", (80, 80), 255).save(tmp_path / "blank.png")
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    assert cli_main(["predict", "--csv", "--top-k", "2", str(tmp_path)]) == 1
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["path", "model", "error", "notes", "label_1", "prob_1", "label_2", "prob_2"]
    assert {len(row) for row in table} == {8}
    by_name = {Path(row[0]).name: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert sorted(by_name) == ["A.png", "blank.png", "broken.png", "seven.json"]
    assert by_name["A.png"]["label_1"] == "A" and 0.5 < float(by_name["A.png"]["prob_1"]) <= 1
    assert float(by_name["A.png"]["prob_2"]) < float(by_name["A.png"]["prob_1"])
    assert by_name["seven.json"]["label_1"] == "7" and by_name["seven.json"]["model"] == "emnist36_cnn"
    assert by_name["blank.png"]["error"].startswith("blank: ") and not by_name["blank.png"]["label_1"]
    assert by_name["broken.png"]["error"] and not by_name["broken.png"]["model"]
    with pytest.raises(SystemExit):  # one table or the other
        cli_main(["predict", "--csv", "--json", str(tmp_path)])
    # No column that can never be filled: --top-k beyond the model's classes gives them all.
    assert cli_main(["predict", "--csv", "--top-k", "99", str(tmp_path / "A.png")]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[-2:] == ["label_36", "prob_36"]  # (emnist36_cnn's 36 classes)


def test_reads_csv_names_no_file_as_a_spreadsheet_formula(
    bundled_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fuzzing trial: read in its own folder, a file named "=HYPERLINK(...).png" was a cell that a
    spreadsheet runs as a formula. Such a relative name is written "./" and itself (the same file)."""
    import csv
    import io

    names = ['=HYPERLINK("http:x","y").png', "@sum.png", "-1+2.png", "plain.png"]
    for name in names:
        (tmp_path / name).write_bytes(b"not a picture")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["read", "--csv", "--", *names]) == 2  # (none of them a picture)
    paths = [row["path"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert sorted(paths) == sorted(["./" + name for name in names[:3]] + ["plain.png"])
    from ml.cli.common import csv_path

    assert csv_path("/data/=x.png") == "/data/=x.png" and csv_path("-") == "-"  # (standard input)


def test_read_names_every_model_that_read_and_alone_reads_with_the_one_given(
    bundled_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: a 1-epoch model of one's own (30% right) read "Cat 42" as the default did,
    seconded by emnist36 and byclass62 without a word: each model used is named, and --alone uses none."""
    from tests.conftest import REPO_ROOT

    picture = str(REPO_ROOT / "resources" / "examples" / "hi42.png")
    assert cli_main(["read", "--json", "--model", "emnist36_cnn", picture]) == 0
    seconded = capsys.readouterr()
    line = json.loads(seconded.out)
    assert (line["model"], line["second_model"], line["case_model"]) == ("emnist36_cnn", "emnist36", "byclass62")
    assert "emnist36 as a second opinion" in seconded.err and "--alone" in seconded.err
    assert cli_main(["read", "--json", "--model", "emnist36_cnn", "--alone", picture]) == 0
    alone = capsys.readouterr()
    line_alone = json.loads(alone.out)
    assert line_alone["model"] == "emnist36_cnn" and "second_model" not in line_alone and "case_model" not in line_alone
    assert alone.err == ""
    # Spelling is no model: --alone keeps it, --no-english leaves it out, and the JSON says which.
    assert line["spelling"] == line_alone["spelling"] == "english"
    assert cli_main(["read", "--json", "--no-english", picture]) == 0
    assert "spelling" not in json.loads(capsys.readouterr().out)
    # The answers are its own: its probabilities, not the average with emnist36's.
    assert line_alone["chars"][0]["top"] != line["chars"][0]["top"]
    # A digits model has no case to tell or words to spell (its line named byclass62 and English spelling).
    assert cli_main(["read", "--json", "--model", "digits", picture]) == 0
    digits = capsys.readouterr()
    line_digits = json.loads(digits.out)
    assert "case_model" not in line_digits and "spelling" not in line_digits and "byclass62" not in digits.err
    assert "digits reads digits (0-9) only" in digits.err


def test_the_results_table_marks_a_dry_run() -> None:
    """A --dry-run model listed as "10 epochs, 6 s" with its meaningless figures, like a trained one."""
    from ml.evaluation.results import _trained

    training = {"epochs_run": 2, "seconds": 6.0, "device": "CPU (2 threads)", "config": {"dry_run": True}}
    assert _trained(training).startswith("dry run: 2 epochs")
    assert not _trained({**training, "config": {"dry_run": False}}).startswith("dry run")


def test_the_results_table_says_how_far_each_models_confidence_is_off() -> None:
    from ml.evaluation.results import _off_by

    assert _off_by({"accuracy": 0.9, "calibration_error": 0.01394}) == "1.4 points"
    assert _off_by({"accuracy": 0.9}) == "–"  # a card evaluated before it was measured
    assert _off_by({"calibration_error": None}) == "–"


def test_the_results_table_counts_a_fine_tunes_earlier_epochs() -> None:
    """A fine-tune's row said "8 epochs" of a model trained for 5 and then 8 more."""
    from ml.evaluation.results import _trained

    training = {"epochs_run": 8, "seconds": 4996, "device": "CPU (2 threads)"}
    start = "emnist36 (wide_resnet, 5 epochs, sha256 ee17a1701c21)"
    assert (
        _trained({**training, "started_from": start})
        == "8 epochs fine-tuning `emnist36` of 5 epochs, 83 min, CPU (2 threads)"
    )
    assert _trained(training) == "8 epochs, 83 min, CPU (2 threads)"


def test_archs_lists_each_architecture_under_the_command_that_trains_it(capsys: pytest.CaptureFixture[str]) -> None:
    """A practitioner's trial: the stroke architectures were listed among the image ones, and train refused them."""
    from ml.training.train import IMAGE_ARCHS
    from ml.training.train_strokes import STROKE_ARCHS

    assert cli_main(["archs"]) == 0
    groups: dict[str, list[str]] = {}
    options: dict[str, str] = {}
    for line in capsys.readouterr().out.splitlines():
        if line.endswith(":"):
            heading = line.removesuffix(":")
        elif line.strip().startswith("--model-config options: "):  # under each trained architecture
            options[groups[heading][-1]] = line.strip().removeprefix("--model-config options: ")
        elif line.strip():
            groups.setdefault(heading, []).append(line.split()[0])
    assert groups["glyphpad-ml train --arch NAME"] == IMAGE_ARCHS
    assert options["vgg16"] == "width=0.25, dropout=0.4, fc=512" and options["lenet5"] == "dropout=0.0"
    assert set(options) == set(IMAGE_ARCHS) | set(STROKE_ARCHS)
    assert groups["glyphpad-ml train-strokes --arch NAME"] == STROKE_ARCHS
    assert groups["glyphpad-ml stroke-ensemble --members ..."] == ["stroke_ensemble"]


def test_read_prints_a_pictures_lines_each_after_its_path(
    bundled_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note's later lines had no path, and its notes ran on after its last line's words (a trial)."""
    from ml.cli.read import shown_reading

    line = np.hstack([render(c, size=100, pen_width=9) for c in "H7"])
    note = np.full((2 * line.shape[0] + 40, line.shape[1]), 255, dtype=np.uint8)
    note[: line.shape[0]] = line
    note[line.shape[0] + 40 :] = np.hstack([render(c, size=100, pen_width=9) for c in "AX"])
    Image.fromarray(note).save(tmp_path / "note.png")
    assert cli_main(["read", str(tmp_path / "note.png")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and all(p.startswith(f"{tmp_path / 'note.png'}: ") for p in printed)
    # A stroke file of a note is read line by line as well (it was refused: "2 lines of writing").
    strokes = [
        [[float(x * 100 + 140 * k), float(y * 100 + top)] for x, y in stroke]
        for top, text in ((0, "H7"), (250, "AX"))
        for k, char in enumerate(text)
        for stroke in GLYPHS[char]
    ]
    (tmp_path / "note.json").write_text(json.dumps({"strokes": strokes}))
    assert cli_main(["read", "--json", str(tmp_path / "note.json")]) == 0
    record = json.loads(capsys.readouterr().out)
    breaks = [c.get("line_break_before", False) for c in record["chars"]]
    assert record["text"].count("\n") == 1 and breaks.count(True) == 1
    assert shown_reading("a.png", "HI\nYO", ("averaged down 3x",)) == "a.png: HI\na.png: YO\na.png: (averaged down 3x)"
    assert shown_reading("a.png", "HI", ("averaged down 3x",)) == "a.png: HI (averaged down 3x)"


def test_file_names_the_output_cannot_show_are_escaped_and_the_batch_goes_on(weights_env: Path, tmp_path: Path) -> None:
    """A hostile-input trial: output redirected in cp1252 (Windows) stopped at a Chinese file name with a
    traceback, the files after it unread; an ESC in a name coloured the terminal, a newline split its line;
    a closed standard output was a traceback."""
    for name in ("字.png", "good.png", "bad\x1b[31mred.png", "two\nlines.png"):
        Image.fromarray(render("T", size=64)).save(tmp_path / name)
    environment = {**os.environ, "GLYPHPAD_WEIGHTS": str(weights_env), "PYTHONIOENCODING": "cp1252"}
    for command in ("predict", "read"):
        done = subprocess.run(
            [sys.executable, "-m", "ml", command, "--model", "cnn_tiny", str(tmp_path)],
            capture_output=True,
            env=environment,
            timeout=120,
        )
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode("cp1252")
        shown = sorted(line.split(b": ")[0].rsplit(b"/", 1)[-1] for line in done.stdout.splitlines())
        assert shown == [b"\\u5b57.png", b"bad\\x1b[31mred.png", b"good.png", b"two\\x0alines.png"]
    # A name in a reason is escaped too ("cannot open NAME: …"), and one that shows a line backwards.
    missing = subprocess.run(
        [sys.executable, "-m", "ml", "predict", "--model", "cnn_tiny", str(tmp_path / "gone\x1b[31m\u202egnp.exe")],
        capture_output=True,
        env={**environment, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert b"\x1b" not in missing.stdout and b"\\x1b[31m\\u202egnp.exe: error: " in missing.stdout
    closed = subprocess.run(
        [sys.executable, "-m", "ml", "predict", "--model", "cnn_tiny", str(tmp_path / "good.png")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
        timeout=120,
        preexec_fn=lambda: os.close(1),  # (as the shell's >&- leaves it)
    )
    assert closed.returncode == 0 and not closed.stderr, closed.stderr.decode("cp1252")


def test_models_lists_a_copy_whose_card_names_another_model_as_unavailable(
    weights_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ML practitioner copied a model's files under another name and kept its card: `models` listed the
    first model twice, and predict answered as it (the app lists such a copy unavailable, and says why)."""
    import shutil

    from ml.cli import main as cli

    folder = tmp_path / "weights"
    shutil.copytree(weights_env, folder)
    for suffix in (".safetensors", ".onnx", ".json"):
        shutil.copy(folder / f"cnn_tiny{suffix}", folder / f"other{suffix}")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    assert cli(["models", "--json"]) == 1  # one of them cannot be used
    entries = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert entries["cnn_tiny"]["available"] and not entries["other"]["available"]
    assert entries["other"]["error"].startswith("its card names it cnn_tiny: a model's card names it as its files")


def test_models_gives_an_image_models_figure_with_its_stroke_model_as_the_app_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A practitioner's trial: the Model box said 92.0% for the default, `models` 89.42% (its picture alone).
    monkeypatch.delenv("GLYPHPAD_WEIGHTS", raising=False)
    weights = REPO_ROOT / "weights"
    partner = json.loads((weights / "strokes" / "strokes36_pair.json").read_text())
    fused = partner["metrics_by_source"]["fused_unipen_test"]["accuracy"]
    alone = json.loads((weights / f"{BUNDLED_DEFAULT}.json").read_text())["metrics_by_source"]["unipen_test"]
    assert cli_main(["models"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("emnist36_cnn "))
    figures = f"pen, unseen writers {100 * alone['accuracy']:.2f}% (picture), {100 * fused:.2f}% with strokes36_pair"
    assert row.endswith(figures)


def test_models_gives_no_figure_with_a_stroke_model_that_cannot_be_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A review: a stroke model listed as unavailable (damaged weights) still lent the image model its figure.
    weights = REPO_ROOT / "weights"
    folder = tmp_path / "weights"
    (folder / "strokes").mkdir(parents=True)
    for suffix in (".safetensors", ".onnx", ".json"):
        shutil.copy(weights / f"{BUNDLED_DEFAULT}{suffix}", folder)
        shutil.copy(weights / "strokes" / f"strokes36_pair{suffix}", folder / "strokes")
    (folder / "strokes" / "strokes36_pair.safetensors").write_bytes(b"not weights")
    assert cli_main(["models", "--dir", str(folder)]) == 1  # one of the two cannot be used
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert rows["strokes36_pair"].split()[1] == "unavailable:"
    alone = json.loads((weights / f"{BUNDLED_DEFAULT}.json").read_text())["metrics_by_source"]["unipen_test"]
    assert rows[BUNDLED_DEFAULT].endswith(f"pen, unseen writers {100 * alone['accuracy']:.2f}%")  # its own alone
