"""Recognition: load a model by name or path, preprocess images, predict top-k.

The desktop app and the CLI use only this module and :mod:`ml.explain`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ml.cpu_plan import MAX_PLAN_BATCH, plan_for, softmax
from ml.devices import DeviceError, cuda_available, describe, resolve_device, to_channels_last
from ml.image_io import ImageLoadError
from ml.preprocess import BlankImageError, ImageLike, preprocess
from ml.weights import ModelCard, WeightsError, load_weights, read_card

# The app's whole view of ml is this module and ml.explain; these names are part of that API.
__all__ = [
    "BlankImageError",
    "ClassScore",
    "DeviceError",
    "ModelCard",
    "Prediction",
    "PredictionError",
    "Recognizer",
    "WeightsError",
    "bundled_cards",
    "cuda_available",
    "default_model_name",
    "describe",
    "list_bundled",
    "resolve_device",
    "use_cpu_threads",
    "warm_up_runtime",
]

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"


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


def weights_dir() -> Path:
    return Path(os.environ.get("GLYPHPAD_WEIGHTS") or DEFAULT_WEIGHTS_DIR)


def list_bundled(directory: Path | None = None) -> list[Path]:
    """Weights files that have a card beside them, sorted by name."""
    directory = directory or weights_dir()
    return sorted(p for p in directory.glob("*.safetensors") if p.with_suffix(".json").exists())


def bundled_cards(directory: Path | None = None) -> list[tuple[Path, ModelCard | WeightsError]]:
    """Every bundled model's card, or the reason it cannot be read."""
    directory = directory or weights_dir()
    out: list[tuple[Path, ModelCard | WeightsError]] = []
    for card_path in sorted(directory.glob("*.json")):
        weights_path = card_path.with_suffix(".safetensors")
        try:
            out.append((weights_path, read_card(card_path)))
        except WeightsError as error:
            out.append((weights_path, error))
    return out


DEFAULT_MODEL = "emnist36_cnn"


def default_model_name() -> str:
    """The app's and the CLI's default: ``emnist36_cnn`` when bundled, else the first bundled model."""
    names = [p.stem for p in list_bundled()]
    return DEFAULT_MODEL if DEFAULT_MODEL in names or not names else names[0]


def resolve_model_path(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".safetensors" or candidate.exists():
        return candidate
    bundled = weights_dir() / f"{name_or_path}.safetensors"
    if not bundled.exists() and not bundled.with_suffix(".json").exists():
        names = ", ".join(p.stem for p in list_bundled()) or "none"
        raise WeightsError(f"no model named {name_or_path!r} in {weights_dir()} (available: {names})")
    return bundled


class Recognizer:
    """A loaded model on a device, ready to recognize images."""

    def __init__(self, model: nn.Module, card: ModelCard, device: torch.device) -> None:
        self.model = model
        self.card = card
        self.device = device
        self.labels = list(card.labels)
        # One drawing at a time on the CPU: plain CNNs answer twice as fast without torch's per-op costs.
        self.cpu_plan = plan_for(model) if device.type == "cpu" else None

    @classmethod
    def load(cls, name_or_path: str | Path, device: str = "auto") -> Recognizer:
        target = resolve_device(device)
        model, card = load_weights(resolve_model_path(name_or_path), device=target)
        if target.type == "cpu":
            model = to_channels_last(model)
        return cls(model, card, target)

    def warm_up(self) -> None:
        self.predict_inputs(np.zeros((1, 28, 28), dtype=np.float32))

    def predict_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """Probabilities (N x classes) for preprocessed N x 28 x 28 inputs."""
        if self.cpu_plan is not None and len(inputs) <= MAX_PLAN_BATCH:
            return softmax(self.cpu_plan(inputs))
        return self._predict_with_torch(inputs)

    @torch.inference_mode()
    def _predict_with_torch(self, inputs: np.ndarray) -> np.ndarray:
        batch = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32)).unsqueeze(1).to(self.device)
        logits = self.model(batch)
        probabilities: np.ndarray = torch.softmax(logits.float(), dim=1).cpu().numpy()
        return probabilities

    def top_k(self, probabilities: np.ndarray, k: int) -> tuple[ClassScore, ...]:
        k = max(1, min(k, len(self.labels)))
        order = np.argsort(-probabilities)[:k]
        return tuple(ClassScore(self.labels[i], float(probabilities[i])) for i in order)

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
            probabilities = self.predict_inputs(np.stack([p.input for _, p in prepared]))
            latency = (time.perf_counter() - start) * 1000.0 / len(images)
            for (i, item), probs in zip(prepared, probabilities, strict=True):
                results[i] = Prediction(self.top_k(probs, top_k), probs, item.input, item.notes, latency)
        return [r for r in results if r is not None]


def use_cpu_threads(count: int) -> None:
    """Run this thread's CPU inference on ``count`` threads.

    An app's worker thread wants 1: called from a thread other than the main one, torch's 2-thread
    team cost more than it saved on one drawing (2-core machine, a 256 px drawing through
    ``Recognizer.predict``: 4.7 ms median with 2 threads, 2.0 ms with 1), and the GUI thread needs a core.
    """
    torch.set_num_threads(max(1, count))


def warm_up_runtime() -> None:
    """Import torch's lazily loaded parts and run one tiny CNN and RNN forward pass.

    A GUI calls this on its main thread before inference moves to a worker, so that no module is
    first imported on the worker (PySide6 hooks imports in a way that is not thread-safe).
    """
    from ml.models import get_model

    with torch.inference_mode():
        for arch in ("lenet5", "gru"):
            get_model(arch, num_classes=2).eval()(torch.zeros(1, 1, 28, 28))
