"""Recognition results, and recognizing with a plain CNN before torch is loaded.

:class:`BaseRecognizer` turns images into top-k answers through ``ml.preprocess`` and a model's
``predict_inputs``; :class:`ml.inference.Recognizer` runs any model with torch. :class:`PlanRecognizer`
runs a plain CNN from its card and weights with NumPy alone (:mod:`ml.cpu_plan`), so an app can answer
its first drawing while torch, a second or more of imports, is still loading. Nothing here imports torch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.cards import ModelCard, resolve_model_path
from ml.cpu_plan import CpuPlan, load_plan, softmax
from ml.image_io import ImageLoadError
from ml.preprocess import BlankImageError, ImageLike, preprocess


@dataclass(frozen=True)
class ClassScore:
    label: str
    prob: float


@dataclass(frozen=True)
class Prediction:
    top: tuple[ClassScore, ...]
    probabilities: np.ndarray  # one per class, in the card's label order
    model_input: np.ndarray  # the 28x28 image the model saw
    notes: tuple[str, ...] = ()
    latency_ms: float = 0.0

    @property
    def label(self) -> str:
        return self.top[0].label


@dataclass(frozen=True)
class PredictionError:
    """Why one image could not be recognized (corrupt file, blank drawing, ...)."""

    reason: str
    blank: bool = False


class BaseRecognizer:
    """Images -> preprocessing -> ``predict_inputs`` -> top-k; subclasses say how inputs become probabilities."""

    card: ModelCard
    labels: list[str]

    def predict_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """Probabilities (N x classes) for preprocessed N x 28 x 28 inputs."""
        raise NotImplementedError

    def describe_device(self) -> str:
        raise NotImplementedError

    def top_k(self, probabilities: np.ndarray, k: int) -> tuple[ClassScore, ...]:
        """The k most probable classes, most probable first (ties: the card's order)."""
        k = max(1, min(k, len(self.labels)))
        # A few dozen classes: sorting a list beats np.argsort's call overhead (in the bench's loop
        # 23 against 48 us, the most of what a drawing costs after the forward pass).
        values = probabilities.tolist()
        order = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:k]
        return tuple(ClassScore(self.labels[i], values[i]) for i in order)

    def predict(self, image: ImageLike, top_k: int = 5) -> Prediction | PredictionError:
        """Recognize one image (file, bytes, PIL image or array); errors come back as values."""
        return self.predict_many([image], top_k=top_k)[0]

    def predict_many(self, images: Sequence[ImageLike], top_k: int = 5) -> list[Prediction | PredictionError]:
        start = time.perf_counter()
        results: list[Prediction | PredictionError | None] = [None] * len(images)
        prepared = []
        for i, image in enumerate(images):
            try:
                prepared.append((i, preprocess(image)))
            except BlankImageError as error:
                results[i] = PredictionError(str(error), blank=True)
            except (ImageLoadError, ValueError) as error:
                results[i] = PredictionError(str(error))
        if prepared:
            inputs = prepared[0][1].input[None] if len(prepared) == 1 else np.stack([p.input for _, p in prepared])
            probabilities = self.predict_inputs(inputs)
            latency = (time.perf_counter() - start) * 1000.0 / len(images)
            for (i, item), probs in zip(prepared, probabilities, strict=True):
                results[i] = Prediction(self.top_k(probs, top_k), probs, item.input, item.notes, latency)
        return [r for r in results if r is not None]


class PlanRecognizer(BaseRecognizer):
    """A plain CNN on the CPU through its NumPy plan: no torch, no Grad-CAM, the same answers."""

    def __init__(self, plan: CpuPlan, card: ModelCard) -> None:
        self.plan = plan
        self.card = card
        self.labels = list(card.labels)

    @classmethod
    def load(cls, name_or_path: str | Path) -> PlanRecognizer:
        """WeightsError if the model is missing, damaged, or not one a plan can run."""
        plan, card = load_plan(resolve_model_path(name_or_path))
        return cls(plan, card)

    def predict_inputs(self, inputs: np.ndarray) -> np.ndarray:
        return softmax(self.plan(inputs))

    def describe_device(self) -> str:
        return "CPU (NumPy)"
