"""Loading weights into torch: ``<name>.safetensors`` (tensors only, no pickle) + ``<name>.json`` card.

The card says everything needed to rebuild and trust the model: architecture and config, label
set and class characters in output order, preprocessing version, training data and split, metrics,
training time and device, the command that made it, and the sha256 of the weights file, which is
checked on every load. Torch is needed for CUDA answers and for explanations; answers on the CPU
come from the ONNX graph (:mod:`ml.runtime.recognizer`). Writing weights is training's
(:mod:`ml.training.export`).
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from ml.models import get_model
from ml.runtime.cards import ModelCard, WeightsError, not_numbers_message, verified_card, weights_file


def load_weights(weights_path: str | Path, device: str | torch.device = "cpu") -> tuple[nn.Module, ModelCard]:
    """Rebuild the model from its card and load its tensors, after checking the sha256. Eval mode, float32."""
    weights_path = Path(weights_path)
    card = verified_card(weights_path)
    weights_path = weights_file(weights_path, card)
    try:
        state = load_file(str(weights_path), device="cpu")
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{weights_path.name} is not a valid safetensors file ({error})") from error
    try:
        model = get_model(card.arch, num_classes=len(card.labels), **card.config)
    except (TypeError, ValueError) as error:
        raise WeightsError(f"{card.name}: cannot build {card.arch} with {card.config} ({error})") from error
    reference = model.state_dict()
    state = {k: v.to(reference[k].dtype) if k in reference and v.is_floating_point() else v for k, v in state.items()}
    not_numbers = next((k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()), None)
    if not_numbers is not None:
        raise WeightsError(not_numbers_message(weights_path.name, f"its tensor {not_numbers}"))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise WeightsError(f"{weights_path.name} does not fit {card.arch}: {_first_mismatch(error)}") from error
    return model.to(device).eval(), card


def _first_mismatch(error: RuntimeError) -> str:
    """The first thing torch's load_state_dict found wrong (its first line only says where it looked):
    a missing or unexpected key, or a tensor of another shape."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    details = [line for line in lines[1:] if not line.startswith("Error(s)")]
    return (details[0] if details else lines[0] if lines else "the weights do not match")[:300]
