"""Choosing where models run: CUDA when present (and asked for), otherwise the CPU."""

from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


class DeviceError(RuntimeError):
    """The requested device is not available; the message says what to use instead."""


def cuda_available() -> bool:
    try:
        return bool(torch.cuda.is_available())
    except Exception:  # a broken driver install raises instead of answering False
        return False


def resolve_device(choice: str = "auto") -> torch.device:
    if choice not in DEVICE_CHOICES and not choice.startswith("cuda:"):
        raise DeviceError(f"unknown device {choice!r}; use auto, cpu or cuda")
    if choice == "auto":
        return torch.device("cuda" if cuda_available() else "cpu")
    if choice.startswith("cuda") and not cuda_available():
        raise DeviceError("CUDA was requested but no CUDA GPU is available (this torch build or machine has none); "
                          "use --device cpu")  # fmt: skip
    return torch.device(choice)


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return f"CPU ({torch.get_num_threads()} threads)"
