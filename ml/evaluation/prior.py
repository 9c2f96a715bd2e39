"""The class prior an answer should follow: ``glyphpad-ml prior``.

Training draws every class equally often, so a model's answers carry a uniform prior over its
classes. People do not write classes, they write characters: in a label set that merges cases, the
class "O" stands for O and o, and "0" for 0 alone, so if every character is written about equally
often, O is twice as likely as 0. The correction adds ``strength * log(characters of the class /
mean)`` to the logits; the strength is chosen on UNIPEN validation writers by the accuracy averaged
over written characters (each character counts the same, however often the data holds it).
"""

from __future__ import annotations

import string

import numpy as np

from ml.evaluation.evaluate import EvaluationSet
from ml.runtime.labels import LabelSet
from ml.runtime.recognizer import Recognizer, softmax

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
CHARACTERS = string.digits + string.ascii_uppercase + string.ascii_lowercase


def character_log_prior(label_set: LabelSet) -> np.ndarray:
    """log(characters mapping to each class / mean): 0 for every class when no class merges cases."""
    counts = np.zeros(label_set.num_classes)
    for char in CHARACTERS:
        index = label_set.class_of(char)
        if index is not None:
            counts[index] += 1
    counts = np.maximum(counts, 1)
    return np.log(counts / counts.mean())


def per_character_accuracy(probabilities: np.ndarray, data: EvaluationSet) -> float:
    """Accuracy averaged over the written characters, each counting the same."""
    hits = probabilities.argmax(1) == data.targets
    return float(np.mean([hits[data.written == char].mean() for char in np.unique(data.written)]))


def choose_strength(
    recognizer: Recognizer, data: EvaluationSet, label_set: LabelSet
) -> tuple[float, dict[float, dict[str, float]]]:
    """The strength with the best per-character accuracy on ``data``, and every strength's figures."""
    logits = recognizer.logits(data.inputs)
    prior = character_log_prior(label_set)
    table = {}
    for strength in STRENGTHS:
        probabilities = softmax(logits + strength * prior)
        table[strength] = {
            "per_character_accuracy": per_character_accuracy(probabilities, data),
            "accuracy": float((probabilities.argmax(1) == data.targets).mean()),
        }
    best = max(STRENGTHS, key=lambda s: table[s]["per_character_accuracy"])
    return best, table
