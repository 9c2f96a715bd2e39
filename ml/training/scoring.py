"""Running a model over preprocessed inputs: shared by training, ``glyphpad-ml evaluate`` and tuning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ml.training.metrics import classification_metrics


@torch.inference_mode()
def predict_probabilities(
    model: nn.Module,
    inputs: np.ndarray | torch.Tensor,
    device: torch.device,
    batch_size: int = 1024,
    prior_log: Sequence[float] = (),
    turned_views_degrees: float = 0.0,
) -> np.ndarray:
    """Softmax outputs for N x 28 x 28 inputs, in batches; with ``prior_log`` (one per class, as a card's
    class_prior_log) added to the logits first, and from the pictures turned either way too where
    ``turned_views_degrees`` is set (ml.runtime.turned_views), as the app reads with that card."""
    from ml.runtime.turned_views import mean_over_turns

    def forward(pictures: torch.Tensor) -> torch.Tensor:
        batch = pictures.to(device, non_blocking=True).float().unsqueeze(1)
        if device.type == "cpu":
            batch = batch.contiguous(memory_format=torch.channels_last)
        out: torch.Tensor = model(batch).float().cpu()
        return out

    model.eval()
    outputs = []
    tensor = torch.as_tensor(inputs)
    shift = torch.tensor(list(prior_log), dtype=torch.float32) if len(prior_log) else None
    for start in range(0, len(tensor), batch_size):
        batch = tensor[start : start + batch_size]
        if turned_views_degrees:  # the app's own averaging of the views (ml.runtime.turned_views)
            views = batch.cpu().numpy()
            averaged = mean_over_turns(lambda v: forward(torch.from_numpy(v)).numpy(), views, turned_views_degrees)
            logits = torch.from_numpy(averaged)
        else:
            logits = forward(batch)
        outputs.append(torch.softmax(logits if shift is None else logits + shift, dim=1))
    return torch.cat(outputs).numpy() if outputs else np.zeros((0, 0), dtype=np.float32)


def evaluate_arrays(
    model: nn.Module,
    inputs: np.ndarray | torch.Tensor,
    targets: np.ndarray,
    labels: list[str],
    device: torch.device,
    prior_log: Sequence[float] = (),
    turned_views_degrees: float = 0.0,
) -> tuple[dict[str, Any], np.ndarray]:
    probabilities = predict_probabilities(
        model, inputs, device, prior_log=prior_log, turned_views_degrees=turned_views_degrees
    )
    return classification_metrics(probabilities, np.asarray(targets), labels), probabilities


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The headline figures (what model cards and the README show)."""
    keys = (
        "n",
        "accuracy",
        "top3",
        "balanced_accuracy",
        "macro_f1",
        "macro_precision",
        "macro_recall",
        "macro_auc_ovr",
        "calibration_error",
    )
    return {k: (round(metrics[k], 5) if isinstance(metrics[k], float) else metrics[k]) for k in keys if k in metrics}
