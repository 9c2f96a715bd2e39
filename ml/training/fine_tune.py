"""Fine-tuning (``--start-from``): a run that starts from another run's weights of its own architecture."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from torch import nn


class _RunConfig(Protocol):
    arch: str
    labels: str
    model_config: dict[str, Any]
    start_from: str


Config = TypeVar("Config", bound=_RunConfig)


def fine_tune_config(config: Config, input_kind: str) -> Config:
    """The configuration of a fine-tune: the architecture options of the weights it starts from unless
    given; refused, before any data is read, when they are another kind's, architecture's or label set's."""
    card = starting_card(config.start_from)
    if card.input_kind != input_kind:
        kind = {"image": "an image", "strokes": "a stroke"}
        raise ValueError(
            f"{config.start_from} is {kind.get(card.input_kind, card.input_kind)} model ({card.arch}): start "
            f"from {kind.get(input_kind, input_kind)} model's weights"
        )
    if card.arch != config.arch or card.label_set != config.labels:
        raise ValueError(
            f"{config.start_from} is {card.arch} on {card.label_set}: add --arch {card.arch} --labels "
            f"{card.label_set} to fine-tune it"
        )
    if not config.model_config:
        config = replace(config, model_config=dict(card.config))  # type: ignore[type-var]
    if dict(card.config) != dict(config.model_config):
        raise ValueError(
            f"{config.start_from} was trained with --model-config '{json.dumps(card.config)}', not "
            f"'{json.dumps(config.model_config)}' (leave it out to take its own)"
        )
    return config


def start_from_weights(model: nn.Module, start_from: str) -> None:
    """Load another run's weights of the same architecture into ``model``."""
    from ml.runtime.cards import resolve_model_path
    from ml.runtime.weights import load_weights

    trained, _ = load_weights(resolve_model_path(start_from))
    model.load_state_dict(trained.state_dict())


def starting_card(start_from: str) -> Any:
    """The card of the weights a fine-tune starts from (ml.runtime.cards.ModelCard)."""
    from ml.runtime.cards import card_path_for, read_card, resolve_model_path

    return read_card(card_path_for(resolve_model_path(start_from)))


def describe_start(card: Any) -> str:
    """The weights a fine-tune starts from, by their card, for its own: "emnist36_cnn (emnist_cnn, 8 epochs,
    sha256 …)"."""
    epochs = card.training.get("epochs_run", "?")
    return f"{card.name} ({card.arch}, {epochs} epochs, sha256 {card.sha256[:12]})"
