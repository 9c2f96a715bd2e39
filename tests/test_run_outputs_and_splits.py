"""Where a run's files go, and which writers a model is scored on: both checked before any work."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from ml.runtime.cards import ModelCard
from ml.training.data.unipen import DEFAULT_WRITER_SPLIT_SEED, model_writer_seed
from ml.training.export import output_problems


def _card(training: dict[str, object]) -> ModelCard:
    return ModelCard("m", "lenet5", {}, "digits10", list("0123456789"), 4, 1, training=training)


def test_a_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    for name in ("../../escape", "a/b", "..", "a\\b", " padded"):
        assert any("plain name" in p for p in output_problems(name, tmp_path)), name
    assert output_problems("my model", tmp_path) == []
    assert output_problems("", tmp_path / "new" / "folder") == []  # made when the files are written


def test_an_out_folder_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    a_file = tmp_path / "runs"
    a_file.write_text("not a folder")
    assert output_problems("x", a_file) == [f"--out {a_file}: {a_file} is a file, not a folder"]
    assert output_problems("x", a_file / "inside", "--report") == [
        f"--report {a_file / 'inside'}: {a_file} is a file, not a folder"
    ]


def test_an_out_folder_on_a_disk_that_takes_no_file_is_refused_before_any_work(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A practitioner's trial: --out /proc/nope trained a whole epoch, then failed with a bare errno (the
    permission bits say yes to root, and nothing of a read-only disk)."""
    import errno
    import tempfile

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    assert output_problems("x", tmp_path / "new") == []
    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert output_problems("x", tmp_path / "new") == [
        f"--out {tmp_path / 'new'}: {tmp_path} cannot be written in (Read-only file system)"
    ]
    assert not (tmp_path / "new").exists()  # nothing made by the check


def test_train_refuses_them_at_once(tmp_path: Path) -> None:
    from ml.training.train import TrainConfig, validate

    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        validate(TrainConfig(arch="lenet5", labels="digits10", out=str(tmp_path / "file")))
    with pytest.raises(ValueError, match="plain name"):
        validate(TrainConfig(arch="lenet5", labels="digits10", name="../x", out=str(tmp_path)))


def test_a_model_is_scored_on_the_writers_its_own_split_kept_out() -> None:
    # A model trained with --writer-split-seed 7 was scored on the default split's test writers, most of
    # whom it had trained on.
    assert model_writer_seed(_card({"config": {"writer_split_seed": 7}})) == 7
    assert model_writer_seed(_card({"writer_split_seed": 0})) == 0  # an ensemble's, from its members
    assert model_writer_seed(_card({})) == DEFAULT_WRITER_SPLIT_SEED


def test_models_of_different_writer_splits_are_not_fused() -> None:
    from ml.evaluation.fusion_fit import paired_probabilities

    image = SimpleNamespace(card=_card({"config": {"writer_split_seed": 7, "pen_share": 0.5}}))
    strokes = SimpleNamespace(card=_card({"config": {"writer_split_seed": 8}}))
    with pytest.raises(ValueError, match="different splits of UNIPEN's writers"):
        paired_probabilities(image, strokes, "val")  # type: ignore[arg-type]


def test_an_image_model_that_never_saw_a_pen_fuses_with_any_split(monkeypatch: pytest.MonkeyPatch) -> None:
    from ml.evaluation import fusion_fit

    def reached(*_args: object) -> None:
        raise RuntimeError("past the check")

    monkeypatch.setattr(fusion_fit, "unipen_set", reached)
    scans_only = SimpleNamespace(card=_card({"config": {"pen_share": 0.0, "writer_split_seed": 20261130}}))
    strokes = SimpleNamespace(card=_card({"config": {"writer_split_seed": 8}}))
    with pytest.raises(RuntimeError, match="past the check"):
        fusion_fit.paired_probabilities(scans_only, strokes, "val")  # type: ignore[arg-type]


def test_evaluate_scores_a_model_on_its_own_splits_writers(
    weights_env: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import shutil

    from ml.cli import main as cli_main
    from ml.evaluation import evaluate

    for suffix in (".safetensors", ".onnx", ".json"):
        shutil.copy(weights_env / f"cnn_tiny{suffix}", tmp_path / f"cnn_tiny{suffix}")
    card = json.loads((tmp_path / "cnn_tiny.json").read_text())
    card.setdefault("training", {}).setdefault("config", {})["writer_split_seed"] = 7
    (tmp_path / "cnn_tiny.json").write_text(json.dumps(card))
    asked: list[dict[str, object]] = []

    def load_source(name: str, label_set: str, **options: object) -> None:
        asked.append({"name": name, **options})
        raise FileNotFoundError("stopped here")

    monkeypatch.setattr(evaluate, "load_source", load_source)
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))  # (an archive there: the real one may not be)
    assert cli_main(["evaluate", "--model", str(tmp_path / "cnn_tiny.safetensors"), "--source", "unipen_test"]) == 2
    assert [(a["name"], a["writer_seed"]) for a in asked] == [("unipen_test", 7)]


def test_stroke_ensemble_refuses_a_name_that_is_a_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ml.cli import main as cli_main

    assert cli_main(["stroke-ensemble", "--name", "../x", "--members", "a", "b", "--out", str(tmp_path)]) == 2
    assert "plain name" in capsys.readouterr().err
    assert list(tmp_path.parent.glob("x.*")) == []


def test_a_runs_closing_hint_says_when_copying_it_would_replace_a_model_of_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml.runtime.cards import replaces_a_model

    (tmp_path / "strokes").mkdir()
    (tmp_path / "emnist36_cnn.safetensors").write_bytes(b"")
    (tmp_path / "strokes" / "strokes36_cnn.safetensors").write_bytes(b"")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(tmp_path))
    assert "replaces the model named emnist36_cnn" in replaces_a_model("emnist36_cnn")
    assert "--name" in replaces_a_model("strokes36_cnn", "strokes")
    assert replaces_a_model("strokes36_cnn") == "" and replaces_a_model("mine_cnn") == ""


def test_export_to_a_folder_that_takes_no_file_is_refused_once_before_any_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: export --out a read-only folder failed model by model with a bare errno (train
    and tune said it first)."""
    import errno
    import tempfile

    from ml.cli import main as cli_main

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert cli_main(["export", "--model", "cnn_tiny", "--out", str(tmp_path / "ro")]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and f"{tmp_path} cannot be written in (Read-only file system)" in said, said
    # Nothing to write, nothing refused: the weights' own folder, its graphs up to date.
    assert cli_main(["export", "--model", "cnn_tiny", "--out", str(weights_env)]) == 0
    assert "up to date" in capsys.readouterr().out
