"""A tiny model registry: architectures by name, a duplicate name is an error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from torch import nn

ModelFactory = Callable[..., nn.Module]
F = TypeVar("F", bound=ModelFactory)


@dataclass(frozen=True)
class ArchInfo:
    name: str
    factory: ModelFactory
    family: str  # "cnn", "rnn", "hybrid" (images) or "stroke" (pen trajectories): decides input and explanation
    description: str


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
    """Build architecture ``name`` for ``num_classes`` outputs; unknown config keys are an error."""
    return get_arch(name).factory(num_classes=num_classes, **config)


def list_models() -> list[str]:
    return sorted(_REGISTRY)
