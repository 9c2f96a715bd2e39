"""Model architectures for 1x28x28 input, pure PyTorch, by name through the registry."""

from ml.models import cnn, mobilenet, recurrent, resnet  # noqa: F401  (each module registers its models)
from ml.models.registry import ArchInfo, get_arch, get_model, list_models, register_model

__all__ = ["ArchInfo", "get_arch", "get_model", "list_models", "register_model"]
