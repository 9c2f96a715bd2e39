"""Model architectures, pure PyTorch, by name through the registry: image models read a 1x28x28
input, stroke models (family "stroke") a sequence of pen points."""

from ml.models import cnn, mobilenet, recurrent, resnet, strokes  # noqa: F401  (each module registers its models)
from ml.models.registry import (
    ArchInfo,
    check_model_config,
    get_arch,
    get_model,
    list_models,
    model_description,
    register_model,
)

__all__ = [
    "ArchInfo",
    "check_model_config",
    "get_arch",
    "get_model",
    "list_models",
    "model_description",
    "register_model",
]
