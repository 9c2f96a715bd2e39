"""A model's temperature: how sure its answers alone say they are, as validation writers bear it out.

Every GlyphPad model is trained with label smoothing (0.1), which teaches it to hold back: the stroke
models answered a UNIPEN test writer's character 8.7-12.0 points less sure, on average, than they were
right. A temperature ``T`` divides the answer's logits (``softmax(logits / T)``): below 1 it makes the
answers surer, above 1 less sure, and it changes no answer. ``glyphpad-ml calibrate`` chooses the ``T``
with the lowest log-loss on the validation writers (pictures drawn with the three evaluation pens for
an image model; strokes as written for a stroke model) and says the calibration error before and after
on the validation and the test writers. A fusion and a written line weigh each model's probabilities
before its temperature (their weights were fitted on those), so a temperature changes only what a model
answering alone says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.evaluation.evaluate import model_unipen_set
from ml.runtime.recognizer import Recognizer, tempered
from ml.training.metrics import calibration_error

# 0.3 to 4.0: what is fitted (a card may hold any from MIN_TEMPERATURE to MAX_TEMPERATURE, set by hand).
TEMPERATURES = tuple(round(0.3 + 0.05 * i, 2) for i in range(75))
PARTS = {"unipen_val": "val", "unipen_test": "test"}


@dataclass(frozen=True)
class Calibration:
    temperature: float
    fitted_on: str
    # Calibration error (expected, 15 bins) and log-loss of the answers, before and after, per source.
    error: dict[str, tuple[float, float]]
    log_loss: dict[str, tuple[float, float]]
    drawings: dict[str, int]


def log_loss(probabilities: np.ndarray, targets: np.ndarray) -> float:
    return float(-np.log(np.maximum(probabilities[np.arange(len(targets)), targets], 1e-12)).mean())


def lowest_log_loss_temperature(probabilities: np.ndarray, targets: np.ndarray) -> float:
    """The temperature of :data:`TEMPERATURES` whose tempered ``probabilities`` have the lowest log-loss on
    ``targets`` (ties: the nearest to 1). ValueError for no answers."""
    if not len(targets):
        raise ValueError("no answers to fit a temperature on")
    losses = {t: round(log_loss(tempered(probabilities, t), targets), 6) for t in TEMPERATURES}
    return min(losses, key=lambda t: (losses[t], abs(t - 1.0)))


def calibrate(recognizer: Recognizer, pen_file: Path | None = None) -> Calibration:
    """The temperature fitted on the validation writers, and its figures there and on the test writers.
    Raises FileNotFoundError without the pen data, ValueError where it holds none of the model's classes."""
    answers = {}
    for source, part in PARTS.items():
        data = model_unipen_set(recognizer.card, part, pen_file)
        # Before the card's temperature: a model calibrated before is fitted afresh.
        answers[source] = (recognizer.predict_inputs(data.inputs), data.targets)
    probabilities, targets = answers["unipen_val"]
    temperature = lowest_log_loss_temperature(probabilities, targets)
    error, loss = {}, {}
    for source, (probabilities, targets) in answers.items():
        after = tempered(probabilities, temperature)
        error[source] = (calibration_error(probabilities, targets), calibration_error(after, targets))
        loss[source] = (log_loss(probabilities, targets), log_loss(after, targets))
    pens = "drawn with the thin, default and thick evaluation pens" if recognizer.card.input_kind == "image" else ""
    fitted_on = "UNIPEN validation writers" + (f", {pens}" if pens else ", their strokes as written")
    return Calibration(temperature, fitted_on, error, loss, {s: len(t) for s, (_, t) in answers.items()})
