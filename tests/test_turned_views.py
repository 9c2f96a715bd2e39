"""Answers averaged over a picture and the picture turned a few degrees either way."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from ml.models import get_model
from ml.runtime.cards import ModelCard, WeightsError
from ml.runtime.preprocess import PREPROCESS_VERSION
from ml.runtime.recognizer import OnnxRecognizer
from ml.runtime.turned_views import log_softmax, mean_over_turns, turn_matrix, turned_pictures
from ml.training.export import save_weights


def _dot(row: int, col: int) -> np.ndarray:
    picture = np.zeros((28, 28), dtype=np.float32)
    picture[row, col] = 1.0
    return picture


def test_no_turn_is_the_picture_itself() -> None:
    picture = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    assert np.allclose((turn_matrix(0.0) @ picture.ravel()).reshape(28, 28), picture, atol=1e-6)


def test_a_turn_goes_clockwise_on_the_screen_about_the_centre() -> None:
    """y down: a dot right of the centre turned a quarter ends below it; the centre stays where it is."""
    quarter = (turn_matrix(90.0) @ _dot(13, 24).ravel()).reshape(28, 28)
    row, col = np.unravel_index(quarter.argmax(), quarter.shape)
    assert (row, col) == (24, 14) and quarter.sum() == pytest.approx(1.0, abs=1e-5)
    small = (turn_matrix(6.0) @ _dot(8, 20).ravel()).reshape(28, 28)
    rows, cols = np.nonzero(small > 0.05)
    assert rows.mean() > 8 and cols.mean() > 19  # a point up and right of the centre moves down and to the right


def test_turning_back_restores_the_picture_inside_its_margin() -> None:
    """Bilinear both ways blurs a little; a character's ink (24 px of 28) stays, none of it lost or added."""
    picture = np.zeros((28, 28), dtype=np.float32)
    picture[4:24, 12:16] = 1.0  # a bar, as a preprocessed 1
    there = (turn_matrix(6.0) @ picture.ravel()).reshape(28, 28)
    back = (turn_matrix(-6.0) @ there.ravel()).reshape(28, 28)
    assert back.sum() == pytest.approx(picture.sum(), rel=0.02)
    assert np.abs(back - picture).mean() < 0.05
    assert not np.allclose(there, picture, atol=0.1)


def test_the_three_views_come_in_order_and_their_answers_are_averaged_as_log_probabilities() -> None:
    pictures = np.random.default_rng(1).random((4, 28, 28)).astype(np.float32)
    views = turned_pictures(pictures, 6.0)
    assert views.shape == (12, 28, 28) and np.array_equal(views[:4], pictures)
    assert np.allclose(views[4:8].reshape(4, -1), pictures.reshape(4, -1) @ turn_matrix(6.0).T)
    weights = np.random.default_rng(2).normal(size=(784, 5)).astype(np.float32)
    forward = lambda batch: batch.reshape(len(batch), -1) @ weights  # noqa: E731 (a linear model)
    averaged = mean_over_turns(forward, pictures, 6.0)
    expected = sum(log_softmax(forward(views[k * 4 : (k + 1) * 4])) for k in range(3)) / 3
    assert averaged.shape == (4, 5) and np.allclose(averaged, expected, atol=1e-5)


def _saved(tmp_path: Path, degrees: object) -> Path:
    torch.manual_seed(0)
    card = ModelCard("tilted", "lenet5", {}, "digits10", list("0123456789"), PREPROCESS_VERSION, 0)
    path = save_weights(get_model("lenet5", num_classes=10).eval(), card, tmp_path)
    stored = json.loads(path.with_suffix(".json").read_text())
    stored["turned_views_degrees"] = degrees
    path.with_suffix(".json").write_text(json.dumps(stored))
    return path


def test_a_card_with_turned_views_answers_from_the_three_and_says_so_to_onnx_users(tmp_path: Path) -> None:
    turned = OnnxRecognizer.load_onnx(_saved(tmp_path, 6))
    plain = replace(turned.card, turned_views_degrees=0.0)
    pictures = np.random.default_rng(3).random((3, 28, 28)).astype(np.float32)
    raw = turned.forward(turned_pictures(pictures, 6.0))
    expected = sum(log_softmax(raw[k * 3 : (k + 1) * 3]) for k in range(3)) / 3
    assert np.allclose(turned.logits(pictures), expected, atol=1e-5)
    turned.card = plain
    assert np.allclose(turned.logits(pictures), raw[:3], atol=1e-6)
    said = replace(plain, turned_views_degrees=6.0).onnx_io()["outputs"]["logits"]["meaning"]
    assert "turned 6 degrees either way" in said and "turned" not in plain.onnx_io()["outputs"]["logits"]["meaning"]


@pytest.mark.parametrize("degrees", [-6, 90, float("nan"), "6", True, None])
def test_a_card_whose_turn_is_no_small_angle_is_damaged(tmp_path: Path, degrees: object) -> None:
    with pytest.raises(WeightsError, match="turned_views_degrees must be a number from 0 to 45"):
        OnnxRecognizer.load_onnx(_saved(tmp_path, degrees))


def test_no_pictures_get_no_answers() -> None:
    forward = lambda batch: np.zeros((len(batch), 5), dtype=np.float32)  # noqa: E731
    assert mean_over_turns(forward, np.zeros((0, 28, 28), dtype=np.float32), 6.0).shape == (0, 5)


def test_a_stroke_card_cannot_ask_for_turned_pictures(tmp_path: Path) -> None:
    """A port would turn a picture the model never reads (the card said so in its onnx_io)."""
    card = ModelCard("pen", "stroke_gru", {}, "digits10", list("0123456789"), PREPROCESS_VERSION, 0)
    stored = {**json.loads(card.to_json()), "input_kind": "strokes", "turned_views_degrees": 6.0}
    with pytest.raises(WeightsError, match="it reads strokes, and turned_views_degrees is a picture's"):
        ModelCard.from_dict(stored)
    assert ModelCard.from_dict({**stored, "turned_views_degrees": 0}).input_kind == "strokes"


def test_an_explanation_without_a_class_explains_the_answer_read_from_the_turned_pictures_too() -> None:
    """Its class was the one the picture alone tops: 19 of 600 EMNIST pictures explained another class than
    the default model's answer."""
    from ml.runtime.explain import grad_cam, saliency
    from ml.runtime.preprocess import preprocess
    from ml.runtime.recognizer import TorchRecognizer
    from ml.runtime.synth import render

    explainer = TorchRecognizer.load_torch("emnist36_cnn")
    picture = preprocess(render("0")).input  # a narrow ring: 0 read three ways, O from the picture alone
    alone = explainer.forward(picture[None])[0] + np.asarray(explainer.card.class_prior_log, dtype=np.float32)
    assert explainer.labels[int(alone.argmax())] == "O" and explainer.predict_inputs(picture[None])[0].argmax() == 0
    for method in (grad_cam, saliency):
        assert method(explainer, picture).label == "0", method.__name__
