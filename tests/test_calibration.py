"""A model's temperature: fitted by 'glyphpad-ml calibrate', used by the model answering alone, not by a fusion."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ml.evaluation.calibration import lowest_log_loss_temperature, tempered
from ml.runtime.strokes import parse_strokes
from ml.training.metrics import calibration_error

SEVEN = [[[10, 10], [60, 10], [30, 80]], [[20, 45], [45, 45]]]


def test_the_temperature_fitted_is_the_one_that_makes_confidence_honest() -> None:
    """A model trained with label smoothing says 70% where it is right 95% of the time: the fitted
    temperature gives the confidence its drawings bear out, and changes no answer."""
    rng = np.random.default_rng(0)
    n, classes = 4000, 5
    logits = rng.normal(0, 2.5, (n, classes))
    truth = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    targets = np.array([rng.choice(classes, p=row) for row in truth])
    for true_temperature in (0.5, 2.0):  # the model's logits are the truth's times 1/T: T undoes it
        said = tempered(truth, true_temperature)
        fitted = lowest_log_loss_temperature(said, targets)
        assert fitted == pytest.approx(1 / true_temperature, rel=0.15)
        honest = tempered(said, fitted)
        assert (honest.argmax(1) == said.argmax(1)).all()
        assert calibration_error(honest, targets) < calibration_error(said, targets) / 3
    # An honest model keeps a temperature of about 1.
    assert lowest_log_loss_temperature(truth, targets) == pytest.approx(1.0, abs=0.1)
    with pytest.raises(ValueError, match="no answers"):
        lowest_log_loss_temperature(np.zeros((0, classes)), np.zeros(0, dtype=np.int64))


def test_calibrate_writes_the_temperature_that_answers_alone_use_and_fusions_do_not(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from ml.cli import main as cli
    from ml.runtime.fusion import FusedRecognizer, fuse_probabilities
    from ml.runtime.recognizer import load_recognizer
    from ml.runtime.render import render_drawing

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    strokes = parse_strokes({"strokes": SEVEN})
    picture = render_drawing(strokes.strokes)
    image_before = load_recognizer("cnn_tiny", device="cpu")
    fused_before = FusedRecognizer.for_image_model(image_before, "cpu")
    assert fused_before is not None
    both_before = fused_before.predict(picture, strokes)
    line = tmp_path / "line.json"  # two characters side by side, read as text mode reads them
    line.write_text(json.dumps({"strokes": [*SEVEN, *[[[x + 120, y] for x, y in stroke] for stroke in SEVEN]]}))
    capsys.readouterr()
    assert cli(["read", "--strokes", "--json", str(line)]) == 0
    line_before = capsys.readouterr().out

    assert cli(["calibrate", "--model", "strokes_tiny", "--model", "cnn_tiny", "--write"]) == 0
    said = capsys.readouterr().out
    assert "strokes_tiny: temperature" in said and "cnn_tiny: temperature" in said
    assert "validation writers" in said and "test       writers" in said
    # "Before" is the model as trained, said so (a teacher read it as the card's confidence today).
    assert "its card holds no temperature" in said and "calibration error as trained" in said
    assert "not written" not in said
    # The next step said as it runs (without --model, evaluate refuses --update-card).
    assert "run 'glyphpad-ml evaluate --model cnn_tiny --update-card' next" in said

    for name, card_file in (("strokes_tiny", folder / "strokes" / "strokes_tiny.json"), ("cnn_tiny", None)):
        card = json.loads((card_file or folder / f"{name}.json").read_text())
        assert card["calibration"]["command"] == f"glyphpad-ml calibrate --model {name} --write"
        assert set(card["calibration"]["calibration_error"]) == {"unipen_val", "unipen_test"}
        assert 0.3 <= card["temperature"] <= 4.0
    # Tiny models three epochs old are far from honest: give them temperatures that differ from 1 for sure.
    for card_file, temperature in ((folder / "strokes" / "strokes_tiny.json", 0.5), (folder / "cnn_tiny.json", 2.0)):
        card = json.loads(card_file.read_text())
        card["temperature"] = temperature
        card_file.write_text(json.dumps(card))

    assert cli(["calibrate", "--model", "cnn_tiny"]) == 0  # fitted afresh: said, and the card left as it is
    said = capsys.readouterr().out
    assert "its card holds 2" in said and "(not written: --write stores it in the card)" in said
    assert json.loads((folder / "cnn_tiny.json").read_text())["temperature"] == 2.0
    image = load_recognizer("cnn_tiny", device="cpu")
    fused = FusedRecognizer.for_image_model(image, "cpu")
    assert fused is not None and fused.strokes.card.temperature == 0.5 and image.card.temperature == 2.0
    # Alone, each model answers with its temperature: the same answer, said more or less sure.
    raw = image.predict(picture, calibrated=False)
    alone = image.predict(picture)
    assert alone.label == raw.label
    assert np.allclose(alone.probabilities, tempered(raw.probabilities[None], 2.0)[0], atol=1e-5)
    assert alone.top[0].prob < raw.top[0].prob  # above 1: less sure
    stroke_raw = fused.strokes.predict_strokes(strokes, calibrated=False)
    stroke_alone = fused.strokes.predict_strokes(strokes)
    assert stroke_alone.top[0].prob > stroke_raw.top[0].prob  # below 1: surer
    # The fusion weighs the probabilities it was fitted on: its answer is the one before calibrating.
    both = fused.predict(picture, strokes)
    assert np.allclose(both.probabilities, both_before.probabilities, atol=1e-6)
    expected = fuse_probabilities(raw.probabilities, stroke_raw.probabilities, fused.weights)
    assert np.allclose(both.probabilities, expected, atol=1e-6)
    # An opened picture (no strokes) is the image model answering alone.
    assert np.allclose(fused.predict(picture, None).probabilities, alone.probabilities, atol=1e-6)
    # A written line weighs the probabilities its weights were fitted on: read as before, to the digit.
    capsys.readouterr()
    assert cli(["read", "--strokes", "--json", str(line)]) == 0
    line_after = capsys.readouterr().out
    assert json.loads(line_after)["chars"] and line_after == line_before


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), "0.8", True, 1e9])
def test_a_card_whose_temperature_is_no_usable_number_is_damaged(
    fused_weights: Path, tmp_path: Path, temperature: object
) -> None:
    from ml.runtime.cards import WeightsError
    from ml.runtime.recognizer import load_recognizer

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    card_file = folder / "cnn_tiny.json"
    card = json.loads(card_file.read_text())
    card["temperature"] = temperature
    card_file.write_text(json.dumps(card))
    with pytest.raises(WeightsError, match=r"cnn_tiny is damaged: temperature must be a number from 0\.05 to 20 "):
        load_recognizer(folder / "cnn_tiny.safetensors", device="cpu")
    card["temperature"] = 0.8
    card_file.write_text(json.dumps(card))
    assert load_recognizer(folder / "cnn_tiny.safetensors", device="cpu").card.temperature == 0.8
