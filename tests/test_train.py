import json
from pathlib import Path

import numpy as np
import pytest

from ml.inference import Prediction, Recognizer
from ml.synth import render
from ml.train import TrainConfig, main, validate
from tests.conftest import SYNTH_CHARS, write_emnist_split


def _config(data: Path, out: Path, **changes: object) -> TrainConfig:
    base = dict(
        arch="lenet5",
        labels="emnist36",
        data=str(data),
        out=str(out),
        epochs=2,
        batch_size=32,
        dry_run=True,
        bench_augment_steps=2,
        device="cpu",
    )
    return TrainConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_dry_run_writes_weights_card_and_metrics(synthetic_emnist: Path, tmp_path: Path) -> None:
    path = main(_config(synthetic_emnist, tmp_path))
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["arch"] == "lenet5" and len(card["labels"]) == 36
    assert {"accuracy", "balanced_accuracy", "top3", "macro_f1", "n"} <= set(card["metrics"])
    assert card["training"]["images_per_s_with_augmentation"] > 0
    assert card["training"]["device"].startswith("CPU")
    metrics = json.loads(path.with_suffix(".metrics.json").read_text())
    assert len(metrics["history"]) == 2 and "val_loss" in metrics["history"][0]
    recognizer = Recognizer.load(path, device="cpu")
    assert isinstance(recognizer.predict(render("A")), Prediction)


def test_resume_continues_from_the_checkpoint(synthetic_emnist: Path, tmp_path: Path) -> None:
    main(_config(synthetic_emnist, tmp_path, epochs=1, name="r"))
    path = main(_config(synthetic_emnist, tmp_path, epochs=2, name="r", resume=str(tmp_path / "r.ckpt")))
    history = json.loads(path.with_suffix(".metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1, 2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"model_config": {"nope": 1}}, "model-config"),
        ({"arch": "nope"}, "unknown architecture"),
    ],
)
def test_invalid_options_fail_before_reading_data(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate(_config(Path("/nonexistent"), Path("/nonexistent"), **change))


def test_training_learns_from_real_digits(real_samples: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    """A short real training run: a few hundred real digits, two epochs, far better than chance."""
    import ml.data.emnist as emnist

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
        bench_augment_steps=0,
        lr=3e-3,
    )
    path = main(config)
    accuracy = json.loads(path.with_suffix(".json").read_text())["metrics"]["accuracy"]
    assert accuracy > 0.85, accuracy


def test_synthetic_classes_fixture_is_what_training_sees(synthetic_emnist: Path) -> None:
    from ml.data.emnist import load_emnist_pool

    pool = load_emnist_pool(synthetic_emnist)
    assert sorted(set(pool.chars.tolist())) == sorted(SYNTH_CHARS)
