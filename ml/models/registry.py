"""A tiny model registry: architectures by name, a duplicate name is an error."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

ModelFactory = Callable[..., nn.Module]
F = TypeVar("F", bound=ModelFactory)


@dataclass(frozen=True)
class ArchInfo:
    name: str
    factory: ModelFactory
    family: str  # "cnn", "rnn", "hybrid" (images) or "stroke" (pen trajectories): decides input and explanation
    description: str

    def options(self) -> dict[str, Any]:
        """The options ``--model-config`` takes (the factory's keywords) and their defaults."""
        parameters = inspect.signature(self.factory).parameters.items()
        return {name: p.default for name, p in parameters if name != "num_classes" and p.default is not p.empty}

    def option_problems(self, config: dict[str, Any]) -> list[str]:
        """Why ``config`` does not fit: an option it lacks, a value of another kind than its default's, a size
        that is not positive, a dropout outside [0, 1). (A width of -1 trained a model and recorded it; a
        width of 0.5 where a count of channels was meant failed in torch's words.)"""
        options = self.options()
        problems = []
        for key, value in config.items():
            if key not in options:
                problems.append(f"{self.name} has no option {key!r}")
                continue
            default = options[key]
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    problems.append(f"{key} must be true or false")
            elif isinstance(default, int):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    problems.append(f"{key} must be a whole number of at least 1 (default {default})")
            elif isinstance(default, float):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                if key == "dropout" and not (number and 0 <= value < 1):
                    problems.append(f"dropout must be a number in [0, 1) (default {default})")
                elif key != "dropout" and not (number and value > 0):
                    problems.append(f"{key} must be a number above 0 (default {default})")
        if problems:
            problems.append(f"{self.name}'s options: {describe_options(options)}")
        return problems


def model_description(arch: str, options: dict[str, Any]) -> str:
    """A trained model's description for its card: its architecture's, and the options it was built with
    ("WRN-depth-widen: 10 and 4 unless set (widen=2)": the card said what a default model is)."""
    return get_arch(arch).description + (f" ({describe_options(options)})" if options else "")


def describe_options(options: dict[str, Any]) -> str:
    """``options`` as ``glyphpad-ml archs`` lists them: "dropout=0.05, width=32"."""
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in options.items()) or "none"


_REGISTRY: dict[str, ArchInfo] = {}


def register_model(name: str, family: str, description: str) -> Callable[[F], F]:
    if family not in ("cnn", "rnn", "hybrid", "stroke"):
        raise ValueError(f"family must be cnn, rnn, hybrid or stroke, not {family!r}")

    def decorator(factory: F) -> F:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is already registered")
        _REGISTRY[name] = ArchInfo(name=name, factory=factory, family=family, description=description)
        return factory

    return decorator


def get_arch(name: str) -> ArchInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; choose one of {', '.join(sorted(_REGISTRY))}") from None


def get_model(name: str, num_classes: int, **config: Any) -> nn.Module:
    """Build architecture ``name`` for ``num_classes`` outputs (a model a card records is built as it was
    trained; options are checked before training, :func:`check_model_config`)."""
    return get_arch(name).factory(num_classes=num_classes, **config)


def check_model_config(name: str, config: dict[str, Any]) -> None:
    """Raises ValueError when a training run's ``--model-config`` does not fit architecture ``name``: an
    option it lacks, a value that does not fit (:meth:`ArchInfo.option_problems`), or one it cannot be
    built with (a transformer's width that its heads do not divide)."""
    arch = get_arch(name)
    problems = arch.option_problems(config)
    if problems:
        raise ValueError("; ".join(problems))
    try:
        with torch.random.fork_rng():  # (building draws initial weights: the caller's seed stays as it was)
            arch.factory(num_classes=2, **config)
    except (ValueError, RuntimeError, AssertionError, TypeError) as error:  # the options given, not a bug
        raise ValueError(f"{name} cannot be built with {json.dumps(config)}: {error}") from None


def list_models() -> list[str]:
    return sorted(_REGISTRY)
