import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from ml.runtime.recognizer import Prediction, load_recognizer
from ml.runtime.synth import render
from ml.training.train import TrainConfig, main, validate
from tests.conftest import SYNTH_CHARS, write_emnist_split


def _config(data: Path, out: Path, **changes: object) -> TrainConfig:
    base = dict(
        pen_data="none",
        arch="lenet5",
        labels="emnist36",
        data=str(data),
        out=str(out),
        epochs=2,
        batch_size=32,
        dry_run=True,
        device="cpu",
    )
    return TrainConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_dry_run_writes_weights_card_and_metrics(
    synthetic_emnist: Path, synthetic_unipen: Path, tmp_path: Path
) -> None:
    path = main(_config(synthetic_emnist, tmp_path, pen_data=str(synthetic_unipen), bench_steps=2))
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["arch"] == "lenet5" and len(card["labels"]) == 36
    assert {"accuracy", "balanced_accuracy", "top3", "macro_f1", "n"} <= set(card["metrics"])
    assert card["training"]["images_per_s_emnist_only"] > 0 and card["training"]["images_per_s_mixed"] > 0
    assert set(card["metrics_by_source"]) == {"emnist_test", "unipen_test", "emnist_val", "unipen_val"}
    assert [s["name"] for s in card["data_sources"]] == ["EMNIST", "UNIPEN"]
    assert "CC BY 4.0" in card["data_sources"][1]["licence"]
    emnist = card["data_sources"][0]
    assert 0 < emnist["train_samples"] < emnist["samples"]  # what was trained on, beside the whole pool
    assert card["training"]["device"].startswith("CPU")
    assert card["training"]["config"]["pen_share"] == 0.5 and card["training"]["config"]["amp"] is False  # CPU
    metrics = json.loads(path.with_suffix(".metrics.json").read_text())
    assert len(metrics["history"]) == 2
    assert {"val_emnist_loss", "val_unipen_accuracy", "val_score"} <= set(metrics["history"][0])
    recognizer = load_recognizer(path, device="cpu")
    assert isinstance(recognizer.predict(render("A")), Prediction)


def _checkpoints_of_every_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each checkpoint a run writes is also kept as NAME.eEPOCH.ckpt: the file a run stopped after that
    epoch would have left."""
    import shutil

    import ml.training.train as training

    save = training.save_checkpoint

    def keep_each(path: Path, state: dict) -> None:  # type: ignore[type-arg]
        save(path, state)
        shutil.copy(path, path.with_suffix(f".e{state['epoch']}.ckpt"))

    monkeypatch.setattr(training, "save_checkpoint", keep_each)


def test_resume_continues_from_the_checkpoint_as_if_never_stopped(
    synthetic_emnist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _checkpoints_of_every_epoch(monkeypatch)
    # A model with dropout: its masks come from torch's global generator, which the checkpoint keeps (a
    # practitioner's resumed emnist_cnn differed from the run never stopped).
    whole = main(_config(synthetic_emnist, tmp_path / "whole", epochs=2, name="r", arch="emnist_cnn"))
    stopped = str(tmp_path / "whole" / "r.e0.ckpt")
    torch.manual_seed(1234)  # whatever drew from the generator before the resume
    path = main(_config(synthetic_emnist, tmp_path / "resumed", epochs=2, name="r", arch="emnist_cnn", resume=stopped))
    history = json.loads(path.with_suffix(".metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    # The same weights and the same weight average as the run that was never stopped.
    assert (
        json.loads(path.with_suffix(".json").read_text())["sha256"]
        == json.loads(whole.with_suffix(".json").read_text())["sha256"]
    )
    uninterrupted = json.loads(whole.with_suffix(".metrics.json").read_text())["history"]
    assert history[1]["val_score_ema"] == uninterrupted[1]["val_score_ema"]
    assert history[1]["train_loss"] == uninterrupted[1]["train_loss"]  # (the weights kept may be epoch 1's)
    # The library refuses what would break the run, not only the command line.
    with pytest.raises(ValueError, match="was started with --epochs 2, not --epochs 3"):
        main(_config(synthetic_emnist, tmp_path, epochs=3, name="r", arch="emnist_cnn", resume=stopped))
    with pytest.raises(ValueError, match="--optimizer adamw, not --optimizer sgd"):
        main(
            _config(synthetic_emnist, tmp_path, epochs=2, optimizer="sgd", name="r", arch="emnist_cnn", resume=stopped)
        )
    # A schedule that is not laid out over the epochs can be given more of them.
    main(_config(synthetic_emnist, tmp_path / "step", epochs=1, scheduler="step", name="s"))
    path = main(
        _config(
            synthetic_emnist,
            tmp_path / "step",
            epochs=2,
            scheduler="step",
            name="s",
            resume=str(tmp_path / "step" / "s.ckpt"),
        )
    )
    assert len(json.loads(path.with_suffix(".metrics.json").read_text())["history"]) == 2


def test_a_resumed_run_goes_on_as_it_was_started_and_refuses_another_schedule(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ml.cli import main as cli_main

    first = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist)]
    first += [
        "--pen-data",
        "none",
        "--epochs",
        "2",
        "--dry-run",
        "--device",
        "cpu",
        "--out",
        str(tmp_path),
        "--name",
        "r",
    ]
    monkeypatch.setattr(sys, "argv", ["glyphpad-ml", *first])  # what the card records as the command
    assert cli_main(first) == 0
    checkpoint = str(tmp_path / "r.ckpt")
    # Nothing but the checkpoint: the architecture, labels and data are the run's own.
    monkeypatch.setattr(sys, "argv", ["glyphpad-ml", "train", "--resume", checkpoint])
    from ml.training import train as training

    def slow_evaluation(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # the resume's own time, which must not count as training
        return real_evaluation(*args, **kwargs)

    real_evaluation = training.evaluate_sources
    monkeypatch.setattr(training, "evaluate_sources", slow_evaluation)
    assert cli_main(["train", "--resume", checkpoint]) == 0
    monkeypatch.setattr(training, "evaluate_sources", real_evaluation)
    card = json.loads((tmp_path / "r.json").read_text())
    # The card still says how the run was started, and the time of all of it (not the resume's alone).
    assert card["training"]["command"].startswith("glyphpad-ml train --arch lenet5 --labels digits10")
    assert card["training"]["resumed_with"] == f"glyphpad-ml train --resume {checkpoint}"
    trained = torch.load(checkpoint, weights_only=True)["seconds"]  # the first part's time, up to its last epoch
    # Every epoch was done: the resume trained nothing, and adds no time (it grew by the resume's own).
    assert card["training"]["seconds"] == round(trained, 1) and trained > 0
    # A checkpoint of an earlier version, without the record: the command that started it is not known,
    # not taken for the resume's.
    older = torch.load(checkpoint, weights_only=True)
    del older["command"], older["seconds"]
    torch.save(older, checkpoint)
    assert cli_main(["train", "--resume", checkpoint]) == 0
    training = json.loads((tmp_path / "r.json").read_text())["training"]
    assert training["command"] == "" and training["resumed_with"].endswith(f"--resume {checkpoint}")
    assert (card["arch"], card["label_set"]) == ("lenet5", "digits10")
    assert card["training"]["config"]["dry_run"] and card["training"]["config"]["epochs"] == 2
    assert card["training"]["config"]["pen_share"] == 0.0  # no pen data: the share did nothing
    capsys.readouterr()
    # More epochs than its one-cycle schedule was laid out for: refused in one line, before any data is read.
    assert cli_main(["train", "--resume", checkpoint, "--epochs", "3", "--data", "/nonexistent"]) == 2
    error = capsys.readouterr().err.strip()
    assert "was started with --epochs 2, not --epochs 3" in error and "\n" not in error


def test_train_takes_its_options_from_a_settings_file(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main

    settings = tmp_path / "best.json"
    settings.write_text(json.dumps({"arch": "lenet5", "labels": "digits10", "lr": 0.002, "val_score": 0.5}))
    argv = ["train", "--settings", str(settings), "--data", str(synthetic_emnist), "--pen-data", "none"]
    argv += ["--epochs", "1", "--dry-run", "--device", "cpu", "--out", str(tmp_path), "--name", "s", "--lr", "0.003"]
    assert cli_main(argv) == 0
    card = json.loads((tmp_path / "s.json").read_text())
    assert (card["arch"], card["label_set"], card["training"]["config"]["lr"]) == ("lenet5", "digits10", 0.003)
    # The budget is said before the data is built: a recipe's leaves train's own (a practitioner's tuned
    # recipe became a full run, ten minutes of pen drawings first, without a word).
    said = capsys.readouterr().err
    budget = "budget: 1 epoch, each as many samples as EMNIST's training split; every training sample; no pen drawings"
    assert budget in said and said.index("budget:") < said.index("preprocess")
    # An option that train does not have, or one without a value, is refused, not passed over.
    for wrong in ({"learning_rate": 0.1}, {"lr": None}):
        settings.write_text(json.dumps(wrong))
        with pytest.raises(SystemExit) as refused:
            cli_main(argv)
        assert refused.value.code == 2
    # A picture given as the settings file is named, not a codec's complaint; a stroke architecture is
    # pointed to the command that trains it.
    settings.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(SystemExit) as refused:
        cli_main(argv)
    assert refused.value.code == 2 and "best.json is not a settings file" in capsys.readouterr().err
    settings.write_text("{}")  # it trained with the defaults, as if no file were given
    with pytest.raises(SystemExit) as refused:
        cli_main(argv)
    assert refused.value.code == 2 and "best.json holds no options" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["train", "--arch", "stroke_gru"])
    assert "stroke_gru reads pen strokes: train it with glyphpad-ml train-strokes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["train-strokes", "--arch", "lenet5"])
    assert "lenet5 reads pictures: train it with glyphpad-ml train" in capsys.readouterr().err


def test_a_file_that_is_no_checkpoint_is_refused_in_one_line(synthetic_emnist: Path, tmp_path: Path) -> None:
    import torch

    from ml.training.checkpoints import load_checkpoint

    main(_config(synthetic_emnist, tmp_path, epochs=1, name="r"))
    checkpoint = tmp_path / "r.ckpt"
    cpu = torch.device("cpu")
    assert load_checkpoint(checkpoint, cpu, "lenet5", "emnist36")["epoch"] == 0
    truncated = tmp_path / "cut.ckpt"
    truncated.write_bytes(checkpoint.read_bytes()[:200])
    text = tmp_path / "notes.ckpt"
    text.write_text("hello")
    for path in (truncated, text):
        with pytest.raises(ValueError, match="is not a training checkpoint") as refused:
            load_checkpoint(path, cpu, "lenet5", "emnist36")
        assert "\n" not in str(refused.value) and "weights_only" not in str(refused.value)
    with pytest.raises(ValueError, match="was trained as lenet5 on emnist36, not gru on emnist36"):
        load_checkpoint(checkpoint, cpu, "gru", "emnist36")
    with pytest.raises(ValueError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "gone.ckpt", cpu, "lenet5", "emnist36")
    with pytest.raises(ValueError, match="Is a directory"):  # the system's reason, not "damaged"
        load_checkpoint(tmp_path, cpu, "lenet5", "emnist36")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"model_config": {"nope": 1}}, "model-config"),
        ({"arch": "nope"}, "unknown architecture"),
        ({"pen_share": 2.0}, "pen-share"),
        ({"epoch_samples": -5}, "epoch-samples"),
        ({"max_per_class": -1}, "max-per-class"),
        ({"threads": -1}, "threads"),
        ({"patience": -1}, "patience"),
    ],
)
def test_invalid_options_fail_before_reading_data(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate(_config(Path("/nonexistent"), Path("/nonexistent"), **change))


def test_training_learns_from_real_digits(real_samples: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    """A short real training run: a few hundred real digits, two epochs, far better than chance."""
    import ml.training.data.emnist as emnist

    del real_samples  # only for the skip: read more digits than the fixture holds
    from tests.conftest import REAL_DATA

    files = [f for f in emnist.find_emnist_files(REAL_DATA) if f.split == "byclass"]
    pool = emnist.load_emnist_file(files[0])
    rng = np.random.default_rng(0)
    chosen = np.concatenate([rng.choice(np.flatnonzero(pool.chars == d), 250, replace=False) for d in "0123456789"])
    write_emnist_split(
        tmp_path / "digits",
        "byclass",
        pool.images[chosen],
        pool.chars[chosen].astype(int),
        {d: [48 + d] for d in range(10)},
    )
    config = _config(
        tmp_path / "digits",
        tmp_path / "out",
        arch="emnist_cnn",
        labels="digits10",
        dry_run=False,
        epochs=3,
        batch_size=64,
        lr=3e-3,
    )
    path = main(config)
    accuracy = json.loads(path.with_suffix(".json").read_text())["metrics"]["accuracy"]
    assert accuracy > 0.85, accuracy


def test_synthetic_classes_fixture_is_what_training_sees(synthetic_emnist: Path) -> None:
    from ml.training.data.emnist import load_emnist_pool

    pool = load_emnist_pool(synthetic_emnist)
    assert sorted(set(pool.chars.tolist())) == sorted(SYNTH_CHARS)


def test_two_processes_under_torchrun_end_with_identical_weights(synthetic_emnist: Path, tmp_path: Path) -> None:
    """torchrun --nproc_per_node=2 on the CPU (gloo): DDP keeps both ranks' weights equal; rank 0 writes."""
    import os
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "ml",
        "train",
        "--arch",
        "lenet5",
        "--labels",
        "emnist36",
        "--data",
        str(synthetic_emnist),
        "--pen-data",
        "none",
        "--out",
        str(tmp_path),
        "--name",
        "ddp",
        "--epochs",
        "2",
        "--epoch-samples",
        "255",  # odd: rank 0 draws one more (it took a step more, and the other waited for it for good)
        "--batch-size",
        "32",
        "--device",
        "cpu",
        "--ema",
        "0",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLYPHPAD_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    metrics = json.loads((tmp_path / "ddp.metrics.json").read_text())
    assert metrics["world_size"] == 2
    first, second = metrics["rank_weight_checksums"]
    assert first == second
    assert [h["epoch"] for h in metrics["history"]] == [1, 2]
    assert (tmp_path / "ddp.onnx").exists() and (tmp_path / "ddp.safetensors").exists()
    card = json.loads((tmp_path / "ddp.json").read_text())
    assert card["training"]["device"].endswith("× 2 processes (torchrun)")  # it read as one process's run


def test_a_finished_torchrun_rank_ends_at_once_with_what_it_printed() -> None:
    """A rank of several ends its process in end_rank (no gloo teardown to abort in), its buffered output
    said first; one process goes on."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from ml.training.distributed import World, end_rank\n"
        "print('one process goes on;', end=' ')\n"
        "end_rank(World())\n"
        "print('written', end='')\n"
        "sys.stderr.write('and said')\n"
        "end_rank(World(rank=1, size=2))\n"
        "raise SystemExit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "one process goes on; written"
    assert done.stderr == "and said"
    # Output that cannot be said (a stream closed, a reader gone) does not keep it from ending.
    closed = "import sys\nfrom ml.training.distributed import World, end_rank\nsys.stdout.close()\n"
    closed += "end_rank(World(rank=1, size=2))\nraise SystemExit(3)\n"
    assert subprocess.run([sys.executable, "-c", closed], capture_output=True, timeout=60).returncode == 0


def test_under_torchrun_each_process_takes_its_share_of_the_batch() -> None:
    """Each of two processes took a whole --batch-size: twice the batch at the same learning rate and half
    the steps (85% where one process reached 93%)."""
    from ml.training.distributed import World
    from ml.training.train import TrainConfig, rank_batch_size

    config = TrainConfig(arch="lenet5", labels="digits10", batch_size=64)
    assert [rank_batch_size(config, World(size=n)) for n in (1, 2, 4, 64)] == [64, 32, 16, 2]


def test_tune_runs_an_optuna_study_that_resumes(
    synthetic_emnist: Path,
    synthetic_unipen: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ml.cli import main as cli_main
    from ml.training import tune

    argv = [
        "tune",
        "--arch",
        "lenet5",
        "--labels",
        "emnist36",
        "--data",
        str(synthetic_emnist),
        "--pen-data",
        str(synthetic_unipen),
        "--trials",
        "2",
        "--epochs",
        "2",
        "--epoch-samples",
        "128",
        "--device",
        "cpu",
        "--out",
        str(tmp_path / "study"),
        "--dry-run",
    ]
    assert cli_main(argv) == 0
    said = capsys.readouterr().err  # each trial's outcome, in Optuna's log lines' stead
    assert "trial 0: score " in said and re.search(r"trial 1: (score \S+ \(best: trial [01], |pruned after)", said)
    assert cli_main(argv) == 0  # the same study, two more trials
    import optuna

    study = optuna.load_study(study_name="lenet5-emnist36", storage=f"sqlite:///{tmp_path / 'study' / 'study.db'}")
    assert len(study.trials) == 4
    # The resumed study proposes new trials, not the first run's again.
    assert len({json.dumps(t.params, sort_keys=True) for t in study.trials}) == 4
    best = json.loads((tmp_path / "study" / "best-lenet5-emnist36.json").read_text())
    assert 0.2 <= best["pen_share"] <= 0.8 and best["arch"] == "lenet5"
    # Ctrl+C in the second trial of another study in the same folder: the command says it was interrupted
    # (130), the first trial's recipe is kept in a file of its own study's, and the first study's stays.
    fits: list[int] = []

    def fit_then_ctrl_c(*args, **kwargs):  # type: ignore[no-untyped-def]
        fits.append(1)
        if len(fits) == 2:
            raise KeyboardInterrupt
        return real_fit(*args, **kwargs)

    real_fit = tune.fit
    monkeypatch.setattr(tune, "fit", fit_then_ctrl_c)
    digits = [*argv]
    digits[digits.index("emnist36")] = "digits10"
    assert cli_main([*digits[: digits.index("--trials") + 1], "3", *digits[digits.index("--trials") + 2 :]]) == 130
    assert json.loads((tmp_path / "study" / "best-lenet5-digits10.json").read_text())["trial"] == 0
    assert len(fits) == 2  # the study stopped in its second trial, which failed: not finished, not scored
    interrupted = optuna.load_study(
        study_name="lenet5-digits10", storage=f"sqlite:///{tmp_path / 'study' / 'study.db'}"
    )
    assert [t.state.name for t in interrupted.trials] == ["COMPLETE", "FAIL"]
    assert json.loads((tmp_path / "study" / "best-lenet5-emnist36.json").read_text()) == best
    monkeypatch.setattr(tune, "fit", real_fit)
    # Resumed, the interrupted trial runs again first, with its settings (it was lost for good, and it was
    # the best recipe of the practitioner's study).
    one_more = [*digits[: digits.index("--trials") + 1], "1", *digits[digits.index("--trials") + 2 :]]
    assert cli_main(one_more) == 0
    resumed = optuna.load_study(study_name="lenet5-digits10", storage=f"sqlite:///{tmp_path / 'study' / 'study.db'}")
    assert [t.state.name for t in resumed.trials] == ["COMPLETE", "FAIL", "COMPLETE"]
    assert resumed.trials[2].params == resumed.trials[1].params
    assert cli_main(one_more) == 0  # once: the next resume draws a new trial
    again = optuna.load_study(study_name="lenet5-digits10", storage=f"sqlite:///{tmp_path / 'study' / 'study.db'}")
    assert len(again.trials) == 4 and again.trials[3].params != again.trials[1].params
    # Resumed without its budget options: the study's own, said (it was refused as "another budget").
    capsys.readouterr()
    budget = ("--epochs", "2", "--epoch-samples", "128")
    short = [a for a in one_more if a not in budget]
    assert cli_main(short) == 0
    said = capsys.readouterr().err
    assert "with its budget: --epochs 2, --epoch-samples 128, --max-per-class 1500" in said
    storage = f"sqlite:///{tmp_path / 'study' / 'study.db'}"
    assert len(optuna.load_study(study_name="lenet5-digits10", storage=storage).trials) == 5
    assert cli_main([*short, "--epochs", "3"]) == 2  # a budget given that differs is still refused
    assert "ran its trials with another budget (epochs 2 -> 3)" in capsys.readouterr().err
    # Another budget would make its scores incomparable with the study's: refused.
    changed = [*argv]
    changed[changed.index("--epoch-samples") + 1] = "256"
    assert cli_main(changed) == 2
    assert (
        len(
            optuna.load_study(
                study_name="lenet5-emnist36", storage=f"sqlite:///{tmp_path / 'study' / 'study.db'}"
            ).trials
        )
        == 4
    )


def test_ctrl_c_in_training_says_how_to_resume_from_the_checkpoint(
    synthetic_emnist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main
    from ml.training import train

    def fit_stopped_after_an_epoch(*args, checkpoint_path: Path, **kwargs):  # type: ignore[no-untyped-def]
        checkpoint_path.write_bytes(b"an epoch's checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "fit", fit_stopped_after_an_epoch)
    argv = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist), "--pen-data", "none"]
    argv += ["--dry-run", "--epochs", "2", "--out", str(tmp_path), "--name", "tiny"]
    assert cli_main(argv) == 130
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        said
        == f"interrupted: 'glyphpad-ml train --resume {tmp_path / 'tiny.ckpt'}' continues after the last finished epoch"
    )

    def fit_stopped_in_its_first_epoch(*args, checkpoint_path: Path, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    # A run of the same name stopped before its first checkpoint: the earlier run's is not offered.
    monkeypatch.setattr(train, "fit", fit_stopped_in_its_first_epoch)
    assert cli_main(argv) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "interrupted: before its first epoch ended: nothing was kept to resume"


def test_training_into_a_log_file_says_how_far_each_epoch_is(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main

    argv = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist), "--pen-data", "none"]
    argv += ["--epochs", "1", "--epoch-samples", "640", "--batch-size", "32", "--out", str(tmp_path), "--name", "log"]
    assert cli_main(argv) == 0
    said = capsys.readouterr().err  # not a terminal: no bar, a line at each tenth of the epoch
    assert "epoch 1/1: 10% (2/20 batches), loss " in said and "epoch 1/1: 90% (18/20 batches)" in said
    # How long it has run and about how long it has left (a practitioner's trial: no ETA in a log).
    assert re.search(r"90% \(18/20 batches\), loss [0-9.]+, [0-9]+ img/s, 0:\d\d in, about 0:\d\d left", said)
    # A model that reads fewer than half of EMNIST's test characters is said to want more training.
    accuracy = json.loads((tmp_path / "log.json").read_text())["metrics_by_source"]["emnist_test"]["accuracy"]
    assert ("train it longer" in said) == (accuracy < 0.5), accuracy
    assert cli_main([*argv, "--lr", "1e-9", "--name", "untrained"]) == 0  # (a step that moves nothing)
    assert "note: it reads " in capsys.readouterr().err


def test_durations_read_as_minutes_and_seconds() -> None:
    from ml.training.progress_lines import minutes

    assert [minutes(s) for s in (0.4, 65, 3599.6, 3729)] == ["0:00", "1:05", "1:00:00", "1:02:09"]


def test_an_interrupted_worker_pool_stops_its_workers_at_once() -> None:
    import multiprocessing
    import time

    from ml.training.worker_processes import worker_pool

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), worker_pool(1) as pool:
        pool.submit(time.sleep, 30)  # a worker busy for long
        time.sleep(0.5)
        raise KeyboardInterrupt
    assert time.perf_counter() - started < 10  # not the job's 30 s
    for _ in range(50):  # the worker was terminated, not left sleeping
        if not multiprocessing.active_children():
            break
        time.sleep(0.1)
    assert not multiprocessing.active_children()


def test_max_per_class_caps_the_pen_drawings_too(synthetic_unipen: Path) -> None:
    from ml.runtime.labels import get_label_set
    from ml.training.train import TrainConfig, load_pen_splits

    label_set = get_label_set("emnist36")
    every = load_pen_splits(TrainConfig(pen_data=str(synthetic_unipen), pen_variants=1), label_set)
    capped = load_pen_splits(TrainConfig(pen_data=str(synthetic_unipen), pen_variants=1, max_per_class=2), label_set)
    assert every is not None and capped is not None
    assert np.bincount(every.train_targets).max() > 2  # a quick run renders a few drawings, not all of them
    assert np.bincount(capped.train_targets).max() == 2
    assert set(capped.train_targets) == set(every.train_targets)  # every class still there
    assert len(capped.val.targets) == len(every.val.targets)  # validation untouched


def test_a_quick_run_validates_each_epoch_on_as_many_per_class_as_it_trains_on() -> None:
    from ml.runtime.labels import get_label_set
    from ml.training.data.prepared import LabelledArrays
    from ml.training.train import epoch_validation

    label_set = get_label_set("digits10")
    targets = np.repeat(np.arange(10), [50, 3, 50, 50, 50, 50, 50, 50, 50, 50])
    images = np.arange(len(targets), dtype=np.float32)[:, None, None] * np.ones((1, 2, 2), np.float32)
    sets = {"emnist": LabelledArrays(images, targets, label_set), "unipen": LabelledArrays(images, targets, label_set)}

    capped = epoch_validation(sets, 5, seed=0)
    for data in capped.values():
        counts = np.bincount(data.targets, minlength=10)
        assert counts[1] == 3 and (np.delete(counts, 1) == 5).all()  # every class, none over the cap
        # each picture stays with its own label
        assert (data.targets == targets[data.images[:, 0, 0].astype(int)]).all()
    again = epoch_validation(sets, 5, seed=0)  # a resume scores the same characters
    assert (again["emnist"].images == capped["emnist"].images).all()
    assert epoch_validation(sets, 0, seed=0) is sets  # a full run validates on every character
    own = {"images": sets["emnist"]}  # a person's own pictures: never capped (a review)
    assert epoch_validation(own, 5, seed=0)["images"] is sets["emnist"]


def test_the_weight_average_follows_a_short_run_and_settles_at_its_decay() -> None:
    import torch

    from ml.training.train import ema_with_warm_up

    model = torch.nn.Linear(3, 2)
    average = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=ema_with_warm_up(0.999), use_buffers=True)
    average.update_parameters(model)  # the first step copies the model as it starts (random)
    start = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.fill_(1.0)
    for _ in range(50):  # a quick run's steps, the model settled: the average is the model, not its start
        average.update_parameters(model)
    assert torch.allclose(average.module.weight, torch.ones_like(start), atol=1e-3)
    with torch.no_grad():  # long after, each step moves it by 1 - decay
        model.weight.fill_(2.0)
    average.n_averaged.fill_(1_000_000)
    before = average.module.weight.detach().clone()
    average.update_parameters(model)
    assert torch.allclose(average.module.weight - before, torch.full_like(before, 0.001 * 1.0), atol=2e-4)


def test_a_checkpoint_another_command_resumes_is_told_where_to_go(tmp_path: Path) -> None:
    from ml.cli.train import _resumed_elsewhere
    from ml.runtime.cards import WeightsError, resolve_model_path

    assert _resumed_elsewhere("stroke_gru").endswith("resume it with glyphpad-ml train-strokes --resume")
    assert _resumed_elsewhere("lenet5").endswith("resume it with glyphpad-ml train --resume")
    assert "stroke-ensemble assembles: nothing to resume" in _resumed_elsewhere("stroke_ensemble")
    assert "does not have" in _resumed_elsewhere("resnet9000")
    # A file that is no model, named where a model is asked for, with or without a suffix: refused.
    for name in ("photo.png", "photo"):
        (tmp_path / name).write_bytes(b"not a model")
        with pytest.raises(WeightsError, match="is not a model"):
            resolve_model_path(tmp_path / name)


def test_training_says_which_weights_it_kept_and_prints_its_results_on_stdout(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: `train > run.log` logged nothing (every figure went to stderr), and neither
    the output nor the card said which epoch's weights, or their average, were kept."""
    from ml.cli import main as cli_main

    argv = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist), "--pen-data", "none"]
    argv += ["--epochs", "2", "--epoch-samples", "320", "--batch-size", "32", "--out", str(tmp_path), "--name", "kept"]
    assert cli_main(argv) == 0
    out = capsys.readouterr().out
    card = json.loads((tmp_path / "kept.json").read_text())
    kept = card["training"]["kept"]
    history = json.loads((tmp_path / "kept.metrics.json").read_text())["history"]
    marked = [h for h in history if h.get("kept")]  # marked by the loop as it kept them
    assert marked and kept["epoch"] == marked[-1]["epoch"]
    assert kept["weights"] == ("running average (--ema)" if marked[-1]["kept_average"] else "as trained")
    assert f"kept the weights of epoch {kept['epoch']} ({kept['weights']})" in out
    assert re.search(r"emnist_test +n=\d+ +top-1 +[\d.]+%  balanced", out) and "wrote " in out
    assert cli_main(argv) == 0  # the same again: the model there is replaced, and that is said
    assert "note: replacing the model kept in" in capsys.readouterr().out
    for decay in ("1.5", "-0.5"):  # ran, and kept weights that had blown up; quietly "off"
        assert cli_main([*argv, "--ema", decay]) == 2
        assert "--ema must be in [0, 1)" in capsys.readouterr().err


def test_a_run_resumes_only_with_as_many_processes_as_it_was_trained_by(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Resumed by 3 processes, a run of 1 failed in its last epoch (its one-cycle schedule had another
    number of steps): refused at once."""
    import torch

    from ml.cli import main as cli_main

    argv = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist), "--pen-data", "none"]
    argv += ["--dry-run", "--epochs", "2", "--out", str(tmp_path), "--name", "w"]
    assert cli_main(argv) == 0
    checkpoint = tmp_path / "w.ckpt"
    saved = torch.load(checkpoint, weights_only=True)
    assert saved["world_size"] == 1
    saved["world_size"] = 3  # as if torchrun had trained it with three
    saved["epoch"] = 0
    torch.save(saved, checkpoint)
    capsys.readouterr()
    assert cli_main(["train", "--resume", str(checkpoint)]) == 2
    assert "was trained by 3 process(es): resume it with as many, not 1" in capsys.readouterr().err


def test_a_model_learns_a_persons_own_pictures_mixed_in_and_can_start_from_trained_weights(
    synthetic_emnist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: train and tune read EMNIST and UNIPEN alone, so one's own handwriting (class
    folders, which evaluate --images reads) could not be learned, and no image model could be fine-tuned."""
    from PIL import Image

    from ml.cli import main as cli_main
    from ml.runtime.labels import get_label_set
    from ml.training.data.image_folders import folder_pictures, split_pictures

    mine = tmp_path / "my writing"
    for char in "3478":
        (mine / char).mkdir(parents=True)
        for i in range(10):
            Image.fromarray(render(char, pen_width=4 + i)).save(mine / char / f"{i}.png")
    (mine / "A").mkdir()  # a letter, outside the digits: left out and said
    Image.fromarray(render("A")).save(mine / "A" / "a.png")
    (mine / "8" / "notes.png").write_text("not a picture")
    digits = get_label_set("digits10")
    parts = split_pictures(folder_pictures(mine, digits, progress=False), digits, seed=1)
    assert [len(parts[name]) for name in ("train", "val", "test")] == [32, 4, 4]  # one of ten of each, twice
    assert parts["train"].images.dtype == np.float16 and set(parts["val"].targets.tolist()) == {3, 4, 7, 8}
    started = main(_config(synthetic_emnist, tmp_path / "base", labels="digits10", name="base"))
    base_card = json.loads(started.with_suffix(".json").read_text())
    base_card["class_prior_log"] = [round(0.1 * i, 5) for i in range(10)]  # as glyphpad-ml prior writes one
    base_card["turned_views_degrees"] = 6.0  # as the default model reads its pictures
    started.with_suffix(".json").write_text(json.dumps(base_card))
    capsys.readouterr()
    argv = ["train", "--arch", "lenet5", "--labels", "digits10", "--data", str(synthetic_emnist), "--pen-data"]
    argv += ["none", "--epochs", "1", "--dry-run", "--device", "cpu", "--out", str(tmp_path / "mine")]
    argv += ["--images", str(mine), "--images-share", "0.5", "--start-from", str(started), "--name", "mine"]
    assert cli_main(argv) == 0
    captured = capsys.readouterr()
    said = captured.err
    assert "left out 1 image(s) of characters outside digits10" in said and "notes.png" in said
    assert "your pictures train 32, val 4, test 4; their share 0.5" in said and "starting from base (lenet5" in said
    assert "validation part (4) is scored, but too small to choose the epoch kept by" in said
    # The same held-out pictures read by the model it started from, beside the new one's figure; the class
    # prior chosen for that model is kept (a teacher's fine-tune read the class's O as 0, three in four).
    from ml.runtime.weights import load_weights
    from ml.training.data.split import DEFAULT_SPLIT_SEED
    from ml.training.scoring import evaluate_arrays

    held_out = split_pictures(folder_pictures(mine, digits, progress=False), digits, DEFAULT_SPLIT_SEED)["test"]
    base_model, _ = load_weights(started)
    classes = list(digits.classes)
    _, probabilities = evaluate_arrays(
        base_model, held_out.images, held_out.targets, classes, torch.device("cpu"), (), 6.0
    )
    right_before = int((probabilities.argmax(1) == held_out.targets).sum())
    where = "your pictures' test part (4, none trained on, nor used to choose the epoch): "
    assert re.search(re.escape(where) + f"base {right_before}, this model [0-4] right; ", captured.out)
    assert re.search(
        r"; as the app reads them, with the class prior kept: base [0-4], this model [0-4]\n", captured.out
    )
    # Which characters changed, as the app reads them: they add up to the counts' difference.
    as_app = re.search(r"with the class prior kept: base (\d), this model (\d)\n", captured.out)
    assert as_app is not None

    def listed(what: str) -> int:
        line = re.search(rf"  {what} \(of those pictures\): (.*)\n", captured.out)
        return sum(int(n or 1) for n in re.findall(r"\w(?: x(\d+))?(?:, |$)", line.group(1))) if line else 0

    assert listed("now read right") - listed("now read wrong") == int(as_app.group(2)) - int(as_app.group(1))
    assert "kept the class prior of the model it started from" in said
    assert "every training sample; no pen drawings, your pictures' share 0.5" in said
    card = json.loads((tmp_path / "mine" / "mine.json").read_text())
    assert [(s["name"], s["share"]) for s in card["data_sources"]] == [("EMNIST", 0.5), ("your pictures", 0.5)]
    assert card["data_sources"][1]["samples"] == 40
    assert card["metrics_by_source"]["images_test"]["n"] == 4 and card["metrics_by_source"]["images_val"]["n"] == 4
    assert card["training"]["started_from"].startswith("base (lenet5, 2 epochs, sha256 ")
    assert card["class_prior_log"] == base_card["class_prior_log"]
    # ... and reads its pictures as that model did, turned too (a fine-tune of the default model read one view).
    assert card["turned_views_degrees"] == 6.0 and "kept reading each picture also turned 6 degrees" in said
    # Its figures are of its answers as the app gives them, with that prior (scored without it, a teacher's
    # fine-tune read unseen writers 3.5 points worse than its own fusion card said).
    from ml.runtime.recognizer import load_recognizer

    app_reads = load_recognizer(tmp_path / "mine" / "mine.safetensors", device="cpu")
    logits = app_reads.logits(held_out.images) + np.asarray(card["class_prior_log"])
    app_right = float((logits.argmax(1) == held_out.targets).mean())
    assert card["metrics_by_source"]["images_test"]["accuracy"] == pytest.approx(app_right)
    assert "images" not in card["training"]["config"] and card["training"]["config"]["images_share"] == 0.5
    # Resumed after the weights it started from were moved: its card still says what they were (they were
    # read again at the end, and the run failed after its last epoch).
    for path in (tmp_path / "base").glob("base.*"):
        path.rename(tmp_path / path.name)
    assert cli_main([*argv, "--resume", str(tmp_path / "mine" / "mine.ckpt")]) == 0
    assert "no figures of the model it started from on your pictures" in capsys.readouterr().out
    resumed_card = json.loads((tmp_path / "mine" / "mine.json").read_text())
    assert resumed_card["training"]["started_from"] == card["training"]["started_from"]
    assert resumed_card["class_prior_log"] == base_card["class_prior_log"]  # (carried in the checkpoint too)
    assert resumed_card["turned_views_degrees"] == 6.0
    for path in tmp_path.glob("base.*"):
        path.rename(tmp_path / "base" / path.name)
    # Resumed with another share of the pictures: said as changed (it was said to add up past 1 with the
    # pen share, an option the person never typed).
    with_pen = [*argv[: argv.index("--pen-data") + 1], "pens.npz", *argv[argv.index("--pen-data") + 2 :]]
    assert cli_main([*with_pen, "--resume", str(tmp_path / "mine" / "mine.ckpt"), "--images-share", "0.6"]) == 2
    assert "was started with --images-share 0.5, not --images-share 0.6" in capsys.readouterr().err
    # Resumed from other weights than it started from: refused before any work (it trained, then failed).
    other = [*argv[: argv.index("--start-from") + 1], str(tmp_path / "elsewhere.safetensors"), "--name", "mine"]
    assert cli_main([*other, "--resume", str(tmp_path / "mine" / "mine.ckpt")]) == 2
    assert "was started with --start-from" in capsys.readouterr().err
    # A resume on other pictures is refused (the split is drawn anew: trained-on pictures would be scored).
    Image.fromarray(render("3", pen_width=20)).save(mine / "3" / "new.png")
    assert cli_main([*argv, "--resume", str(tmp_path / "mine" / "mine.ckpt")]) == 2
    assert "was trained on other pictures than --images" in (refused := capsys.readouterr().err)
    assert "(added 3/new.png)" in refused  # which, so it can be put back
    # A character with fewer than ten pictures is trained on whole, and said.
    few = tmp_path / "few"
    for char, count in (("3", 12), ("4", 3)):
        (few / char).mkdir(parents=True)
        for i in range(count):
            Image.fromarray(render(char, pen_width=4 + i)).save(few / char / f"{i}.png")
    assert cli_main([*argv[: argv.index("--images") + 1], str(few), "--name", "few"]) == 0
    assert "trained on whole, none held out to score (fewer than 10 pictures): 4 (3)" in capsys.readouterr().err
    # What cannot be done is said before any data is read.
    refusals = [
        (["--images", str(tmp_path / "nowhere")], "no such folder"),
        (["--images", str(tmp_path / "empty")], "no images in class sub-folders"),
        (["--images", str(few), "--labels", "letters26"], "none of its class folders is a character of letters26"),
        (["--images", str(mine), "--pen-data", "x.npz", "--pen-share", "0.8"], "add up past 1"),
        (["--start-from", str(started), "--arch", "emnist_cnn"], "is lenet5 on digits10: add --arch lenet5"),
    ]
    (tmp_path / "empty").mkdir()
    base = ["train", "--labels", "digits10", "--data", str(synthetic_emnist), "--out", str(tmp_path / "x")]
    for extra, reason in refusals:
        assert cli_main([*base, *extra]) == 2, extra
        assert reason in capsys.readouterr().err


def test_a_folder_of_ones_own_pictures_says_what_it_passes_over_and_reads_as_what(tmp_path: Path) -> None:
    """A teacher's trial: a HEIC photo was passed over unsaid; nine G's in C/extra/ were learned as C unsaid;
    a letters model given a folder of digits said they were unreadable."""
    from PIL import Image

    from ml.runtime.labels import get_label_set
    from ml.training.data.image_folders import folder_pictures

    for char in "AC":
        (tmp_path / char).mkdir()
        Image.fromarray(render(char)).save(tmp_path / char / "1.png")
    (tmp_path / "C" / "extra").mkdir()
    Image.fromarray(render("G")).save(tmp_path / "C" / "extra" / "g.png")
    (tmp_path / "A" / "IMG_0001.HEIC").write_bytes(b"not a picture GlyphPad reads" * 10)
    pictures = folder_pictures(tmp_path, get_label_set("letters26"), progress=False)
    said = "\n".join(pictures.left_out("letters26"))
    assert "IMG_0001.HEIC: HEIC is not supported" in said
    assert "read as the character of the class folder they are in: the pictures in C/extra (1)" in said
    with pytest.raises(ValueError, match="none of its class folders is a character of digits10"):
        folder_pictures(tmp_path, get_label_set("digits10"), progress=False)


def test_an_interruption_says_what_there_is_to_resume(tmp_path: Path) -> None:
    """Ctrl+C before a run's first epoch ended said "interrupted" alone; a resumed run stopped so said so too."""
    import os

    from ml.training.train import resume_hint

    def said(checkpoint: Path, resumed_from: str = "", writes: bool = False) -> str:
        try:
            with resume_hint("train", checkpoint, resumed_from):
                if writes:
                    os.utime(checkpoint, ns=(0, 10**9))  # this run's epoch written
                raise KeyboardInterrupt
        except KeyboardInterrupt as interruption:
            return str(interruption)
        raise AssertionError("not interrupted")

    checkpoint = tmp_path / "r.ckpt"
    assert said(checkpoint) == "before its first epoch ended: nothing was kept to resume"
    checkpoint.write_bytes(b"an earlier run's")
    assert said(checkpoint, "/runs/r.ckpt") == "'glyphpad-ml train --resume /runs/r.ckpt' continues as this run did"
    after_an_epoch = said(checkpoint, "/runs/r.ckpt", writes=True)
    assert after_an_epoch.endswith(f"{checkpoint}' continues after the last finished epoch")


def test_pen_drawings_rendered_into_a_log_file_say_so_in_a_line(
    synthetic_unipen: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A teacher's trial: the rendering bar's updates ran into one long line of a log file (minutes of them)."""
    from ml.training.data.unipen import load_unipen
    from ml.training.pen_data import training_bank

    pen = load_unipen(synthetic_unipen)
    bank = training_bank(pen, np.arange(4), 2, seed=0, use_cache=False)
    said = capsys.readouterr().err  # (not a terminal)
    assert len(bank.inputs) == 8 and said == "pen drawings x2: rendering 8, kept in the cache for later runs…\n"


def test_training_threads_follow_the_option_then_omp_num_threads_then_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A practitioner's trial: under OMP_NUM_THREADS=1 train used both cores where train-strokes kept to one."""
    import os

    from ml.training.worker_processes import training_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = os.cpu_count() or 1
    assert training_threads(0) == cores and training_threads(0, ranks=cores) == 1 and training_threads(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert training_threads(0) == 1 and training_threads(2) == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # torchrun's for each rank: not shared again (a review)
    assert training_threads(0, ranks=2) == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "four")  # not a number: as if unset
    assert training_threads(0) == cores
