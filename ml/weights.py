"""Weights on disk: ``<name>.safetensors`` (tensors only, no pickle) + ``<name>.json`` model card.

The card says everything needed to rebuild and trust the model: architecture and config, label
set and class characters in output order, preprocessing version, training data and split, metrics,
training time and device, the command that made it, and the sha256 of the weights file, which is
checked on every load.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ml.models import get_arch, get_model

CARD_FORMAT = 1


class WeightsError(RuntimeError):
    """Weights are missing, damaged or do not match their card; the message says which."""


@dataclass(frozen=True)
class ModelCard:
    name: str
    arch: str
    config: dict[str, Any]
    label_set: str
    labels: list[str]
    preprocess_version: int
    params: int
    sha256: str = ""
    weights_dtype: str = "float32"
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    format: int = CARD_FORMAT

    @property
    def family(self) -> str:
        return get_arch(self.arch).family

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        known = {f for f in cls.__dataclass_fields__}
        missing = {"name", "arch", "config", "label_set", "labels", "preprocess_version", "params"} - set(data)
        if missing:
            raise WeightsError(f"model card lacks {', '.join(sorted(missing))}")
        return cls(**{k: v for k, v in data.items() if k in known})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; weights and cards are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def card_path_for(weights_path: Path) -> Path:
    return weights_path.with_suffix(".json")


def save_weights(model: nn.Module, card: ModelCard, directory: str | Path, dtype: torch.dtype = torch.float32) -> Path:
    """Write ``<dir>/<card.name>.safetensors`` and its card (with the weights' sha256); returns the weights path."""
    directory = Path(directory)
    weights_path = directory / f"{card.name}.safetensors"
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().to("cpu")
        state[key] = tensor.to(dtype).contiguous() if tensor.is_floating_point() else tensor.contiguous()
    _atomic_write(weights_path, lambda tmp: save_file(state, str(tmp), metadata={"arch": card.arch}))
    card = replace(card, sha256=sha256_of(weights_path), weights_dtype=str(dtype).removeprefix("torch."))
    write_card(card, card_path_for(weights_path))
    return weights_path


def write_card(card: ModelCard, path: Path) -> None:
    _atomic_write(path, lambda tmp: tmp.write_text(card.to_json(), encoding="utf-8"))


def read_card(path: str | Path) -> ModelCard:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"model card {path.name} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WeightsError(f"model card {path.name} is damaged ({error})") from error
    if not isinstance(data, dict):
        raise WeightsError(f"model card {path.name} is damaged (not a JSON object)")
    return ModelCard.from_dict(data)


def load_weights(weights_path: str | Path, device: str | torch.device = "cpu") -> tuple[nn.Module, ModelCard]:
    """Rebuild the model from its card and load its tensors, after checking the sha256. Eval mode, float32."""
    weights_path = Path(weights_path)
    card = read_card(card_path_for(weights_path))
    if not weights_path.exists():
        raise WeightsError(f"weights file {weights_path.name} is missing")
    actual = sha256_of(weights_path)
    if card.sha256 and actual != card.sha256:
        raise WeightsError(
            f"{weights_path.name} is damaged or was replaced: its sha256 {actual[:12]}... does not match "
            f"the card's {card.sha256[:12]}..."
        )
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
