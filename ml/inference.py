"""Recognition with torch: load any model by name or path, on CUDA or the CPU, predict top-k.

The desktop app and the CLI use this module and :mod:`ml.explain`, and :mod:`ml.recognition` (no
torch) for the answers an app gives while torch is still loading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from ml.cards import (
    DEFAULT_MODEL,
    ModelCard,
    WeightsError,
    bundled_cards,
    default_model_name,
    list_bundled,
    resolve_model_path,
    weights_dir,
)
from ml.cpu_plan import MAX_PLAN_BATCH, plan_for, softmax
from ml.devices import DeviceError, cuda_available, describe, resolve_device, to_channels_last
from ml.preprocess import BlankImageError
from ml.recognition import BaseRecognizer, ClassScore, Prediction, PredictionError
from ml.weights import load_weights

# The app's whole view of ml is this module and ml.explain; these names are part of that API.
__all__ = [
    "DEFAULT_MODEL",
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
    "resolve_model_path",
    "use_cpu_threads",
    "warm_up_runtime",
    "weights_dir",
]


class Recognizer(BaseRecognizer):
    """A loaded model on a device, ready to recognize images."""

    def __init__(self, model: nn.Module, card: ModelCard, device: torch.device) -> None:
        self.model = model
        self.card = card
        self.device = device
        self.labels = list(card.labels)
        # One drawing at a time on the CPU: plain CNNs answer faster without torch's per-op costs (ml.cpu_plan).
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

    def describe_device(self) -> str:
        return describe(self.device)


def use_cpu_threads(count: int) -> None:
    """Run this thread's CPU inference on ``count`` threads.

    An app's worker thread wants 1: called from a thread other than the main one, torch's 2-thread
    team cost more than it saved on one drawing (2-core machine, a 256 px drawing through
    ``Recognizer.predict``: 4.7 ms median with 2 threads, 2.0 ms with 1), and the GUI thread needs a core.
    """
    torch.set_num_threads(max(1, count))


def warm_up_runtime() -> None:
    """Import torch's lazily loaded parts and run one tiny CNN and RNN forward pass.

    The app calls this on a thread of its own once its window is up (InferenceService.load_runtime),
    so that no torch module is first imported, and no first-call cost paid, while a drawing waits.
    """
    from ml.models import get_model

    with torch.inference_mode():
        for arch in ("lenet5", "gru"):
            get_model(arch, num_classes=2).eval()(torch.zeros(1, 1, 28, 28))
