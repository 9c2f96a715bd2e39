"""Fitting and scoring the fusion of an image model with a stroke model (``glyphpad-ml fuse``).

The validation writers' characters are drawn with each evaluation pen for the image model and read as
strokes by the stroke model; each weight pair of a small grid fuses the two (:mod:`ml.runtime.fusion`),
with a small grid of strengths of the character prior (how many written characters each class stands
for: O is O or o, 0 only 0) on top, and the choice with the best accuracy averaged over written
characters wins (ties: the lower
log-loss). Then the temperature of the fused answer's confidence: the one with the lowest log-loss on the
same drawings (it changes no answer). Test writers are only ever scored with the chosen weights.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ml.evaluation.evaluate import EvaluationSet, score_probabilities, unipen_set, unipen_stroke_set
from ml.evaluation.prior import character_log_prior, per_character_accuracy
from ml.runtime.fusion import FusionWeights, fuse_probabilities, strokes_in_classes_of
from ml.runtime.labels import LabelSet, get_label_set
from ml.runtime.recognizer import Recognizer, tempered
from ml.training.data.unipen import learned_from_pen, model_writer_seed
from ml.training.progress_lines import minutes

IMAGE_WEIGHTS = (0.5, 0.75, 1.0)
LINE_STROKE_WEIGHTS = (0.5, 0.75, 1.0, 1.5, 2.0)  # the strokes' weight in a written line (``fuse --lines``)
# ... and the picture's: fitted together, since a line wants its answers softer than a character does (a
# picture's weight of 0.75 fitted on characters read the validation words at CER 8.69% at best, 0.5 at 8.11%).
LINE_IMAGE_WEIGHTS = (0.25, 0.5, 0.75)
STROKE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
PRIOR_STRENGTHS = (0.0, 0.5, 1.0, 1.5)  # times ml.evaluation.prior.character_log_prior, on top of the models' own
TEMPERATURES = tuple(round(0.5 + 0.05 * i, 2) for i in range(71))  # 0.5 to 4.0


@dataclass(frozen=True)
class PairedProbabilities:
    """Both models' probabilities for the same drawings: one row per character and pen."""

    data: EvaluationSet  # the image rows (with their pen and the written character)
    image: np.ndarray  # each model's probabilities before its temperature: what the fusion weighs
    strokes: np.ndarray  # the stroke model's answer for each row's character (uniform if it had none)
    image_temperature: float = 1.0  # each model's own, for its answers alone (the card's; 1: none)
    strokes_temperature: float = 1.0


def paired_probabilities(
    image: Recognizer, strokes: Recognizer, part: str, pen_file: Path | None = None
) -> PairedProbabilities:
    """Both models' answers on one part of UNIPEN's writers, split as the stroke model's training split them,
    the stroke model's over the image model's classes (:func:`ml.runtime.fusion.strokes_in_classes_of`).
    Raises ValueError when the two were trained on different splits (neither's unseen writers are both's),
    WeightsError when the stroke model does not read the image model's classes."""
    seed, image_seed = model_writer_seed(strokes.card), model_writer_seed(image.card)
    if learned_from_pen(image.card) and image_seed != seed:
        raise ValueError(
            f"{image.card.name} and {strokes.card.name} were trained on different splits of UNIPEN's writers "
            f"(seeds {image_seed} and {seed}): the writers one never saw, the other trained on"
        )
    label_set = get_label_set(image.card.label_set)
    drawn = unipen_set(label_set, part, pen_file, seed)
    traced = unipen_stroke_set(label_set, part, pen_file, seed)
    assert drawn.source_index is not None and traced.source_index is not None
    strokes = strokes_in_classes_of(image, strokes)
    by_character = strokes.predict_inputs(traced.inputs)
    row_of = {int(k): r for r, k in enumerate(traced.source_index.tolist())}
    uniform = np.full(len(strokes.labels), 1.0 / len(strokes.labels), dtype=by_character.dtype)
    aligned = np.stack([by_character[row_of[k]] if k in row_of else uniform for k in drawn.source_index.tolist()])
    return PairedProbabilities(
        drawn, image.predict_inputs(drawn.inputs), aligned, image.card.temperature, strokes.card.temperature
    )


def _log_loss(probabilities: np.ndarray, targets: np.ndarray) -> float:
    return float(-np.log(np.maximum(probabilities[np.arange(len(targets)), targets], 1e-9)).mean())


def fit_fusion(paired: PairedProbabilities, label_set: LabelSet) -> tuple[FusionWeights, float, list[dict[str, float]]]:
    """The best weights and prior strength on these (validation) drawings, and every choice's figures."""
    prior = character_log_prior(label_set)
    table = []
    for image_weight in IMAGE_WEIGHTS:
        for stroke_weight in STROKE_WEIGHTS:
            for strength in PRIOR_STRENGTHS:
                weights = FusionWeights(image_weight, stroke_weight, tuple((strength * prior).round(5).tolist()))
                fused = fuse_probabilities(paired.image, paired.strokes, weights)
                table.append(
                    {
                        "image_weight": image_weight,
                        "stroke_weight": stroke_weight,
                        "prior_strength": strength,
                        "per_character_accuracy": per_character_accuracy(fused, paired.data),
                        "accuracy": float((fused.argmax(1) == paired.data.targets).mean()),
                        "log_loss": _log_loss(fused, paired.data.targets),
                    }
                )
    best = max(table, key=lambda row: (round(row["per_character_accuracy"], 4), -row["log_loss"]))
    chosen = tuple((best["prior_strength"] * prior).round(5).tolist()) if best["prior_strength"] else ()
    weights = FusionWeights(best["image_weight"], best["stroke_weight"], chosen)
    return replace(weights, temperature=fit_temperature(paired, weights)), best["prior_strength"], table


def fit_temperature(paired: PairedProbabilities, weights: FusionWeights) -> float:
    """The temperature (of ``TEMPERATURES``) at which ``weights``' fused answers on these (validation) drawings
    have the lowest log-loss: their confidence as these writers bear it out. Ties: the nearest to 1."""
    losses = {}
    for t in TEMPERATURES:
        fused = fuse_probabilities(paired.image, paired.strokes, replace(weights, temperature=t))
        losses[t] = _log_loss(fused, paired.data.targets)
    return min(losses, key=lambda t: (round(losses[t], 6), abs(t - 1.0)))


def one_row_per_character(data: EvaluationSet) -> tuple[np.ndarray, EvaluationSet]:
    """The rows of ``data`` that draw each character first, and those rows as a set of one condition: a
    stroke model reads a character's strokes, whatever pen its pictures were drawn with."""
    assert data.source_index is not None
    _, rows = np.unique(data.source_index, return_index=True)
    rows = np.sort(rows)
    return rows, replace(
        data,
        inputs=data.inputs[rows],
        targets=data.targets[rows],
        written=data.written[rows],
        condition=np.full(len(rows), "", dtype=data.condition.dtype),
        source_index=data.source_index[rows],
    )


def score_fusion(paired: PairedProbabilities, weights: FusionWeights, labels: list[str]) -> dict[str, dict[str, Any]]:
    """Headline figures of the image model alone (per pen), the stroke model alone (once per character),
    each with its temperature, and the fused answer (per pen)."""
    fused = fuse_probabilities(paired.image, paired.strokes, weights)
    rows, characters = one_row_per_character(paired.data)
    return {
        "image": score_probabilities(tempered(paired.image, paired.image_temperature), paired.data, labels)[0],
        "strokes": score_probabilities(tempered(paired.strokes[rows], paired.strokes_temperature), characters, labels)[
            0
        ],
        "fused": score_probabilities(fused, paired.data, labels)[0],
    }


def score_as_lines(
    image: Recognizer,
    strokes: Recognizer,
    weights: FusionWeights,
    words: list[Any],
    companions: tuple[Recognizer | None, Recognizer | None],
    progress: bool = False,
) -> dict[str, Any]:
    """``words`` (:class:`ml.evaluation.words.ComposedWord`) read as lines by ``image`` fused with ``strokes``
    at ``weights`` (in a line: :meth:`FusionWeights.for_lines`), with the line's ``companions`` (its case model
    and picture partner, :func:`ml.runtime.line_reader.line_companions`): :func:`score_words`'s figures."""
    from ml.evaluation.words import score_words
    from ml.runtime.fusion import FusedRecognizer
    from ml.runtime.line_reader import LineReader

    fused = FusedRecognizer(image, strokes, weights)
    return score_words(LineReader(image, fused, *companions), words, progress)


def fit_line_weights(
    image: Recognizer,
    strokes: Recognizer,
    weights: FusionWeights,
    words: list[Any],
    companions: tuple[Recognizer | None, Recognizer | None],
    image_choices: tuple[float, ...] = LINE_IMAGE_WEIGHTS,
    stroke_choices: tuple[float, ...] = LINE_STROKE_WEIGHTS,
    progress: bool = False,
) -> tuple[tuple[float, float], dict[tuple[float, float], float]]:
    """The picture's and the strokes' weights that read ``words`` (validation writers') as lines
    (:func:`score_as_lines`) with the lowest character error rate, and each pair's rate. Ties: the pair
    nearer the characters' own (``weights``)."""
    pairs = [(a, b) for a in image_choices for b in stroke_choices]
    rates: dict[tuple[float, float], float] = {}
    started = time.perf_counter()
    for done, (a, b) in enumerate(pairs, 1):
        fused = replace(weights, line_image=a, line_strokes=b)
        rates[a, b] = float(score_as_lines(image, strokes, fused, words, companions, progress)["cer"])
        if progress:  # a line each (a log, where the bar is off, said nothing for a quarter of an hour)
            elapsed = time.perf_counter() - started
            print(
                f"  picture {a}, strokes {b}: CER {100 * rates[a, b]:.2f}% ({done} of {len(pairs)}, "
                f"{minutes(elapsed)} in, about {minutes(elapsed / done * (len(pairs) - done))} left)",
                file=sys.stderr,
                flush=True,
            )
    best = min(
        rates, key=lambda pair: (round(rates[pair], 6), abs(pair[0] - weights.image) + abs(pair[1] - weights.strokes))
    )
    return best, rates
