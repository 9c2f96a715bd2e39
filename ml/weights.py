"""Weights on disk: ``<name>.safetensors`` (tensors only, no pickle) + ``<name>.json`` model card.

The card says everything needed to rebuild and trust the model: architecture and config, label
set and class characters in output order, preprocessing version, training data and split, metrics,
training time and device, the command that made it, and the sha256 of the weights file, which is
checked on every load.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ml.cards import (
    CARD_FORMAT,
    ModelCard,
    WeightsError,
    _atomic_write,
    card_path_for,
    read_card,
    sha256_of,
    verified_card,
    write_card,
)
from ml.cpu_plan import spec_of
from ml.models import get_model

# Cards live in ml.cards (no torch); these names stay importable from here.
__all__ = [
    "CARD_FORMAT",
    "ModelCard",
    "WeightsError",
    "card_path_for",
    "load_weights",
    "read_card",
    "save_weights",
    "sha256_of",
    "write_card",
]


def save_weights(model: nn.Module, card: ModelCard, directory: str | Path, dtype: torch.dtype = torch.float32) -> Path:
    """Write ``<dir>/<card.name>.safetensors`` and its card (with the weights' sha256); returns the weights path."""
    directory = Path(directory)
    weights_path = directory / f"{card.name}.safetensors"
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().to("cpu")
        state[key] = tensor.to(dtype).contiguous() if tensor.is_floating_point() else tensor.contiguous()
    _atomic_write(weights_path, lambda tmp: save_file(state, str(tmp), metadata={"arch": card.arch}))
    card = replace(
        card,
        sha256=sha256_of(weights_path),
        weights_dtype=str(dtype).removeprefix("torch."),
        cpu_plan=spec_of(model) or [],
    )
    write_card(card, card_path_for(weights_path))
    return weights_path


def load_weights(weights_path: str | Path, device: str | torch.device = "cpu") -> tuple[nn.Module, ModelCard]:
    """Rebuild the model from its card and load its tensors, after checking the sha256. Eval mode, float32."""
    weights_path = Path(weights_path)
    card = verified_card(weights_path)
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
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise WeightsError(f"{weights_path.name} does not fit {card.arch}: {str(error).splitlines()[0]}") from error
    return model.to(device).eval(), card
