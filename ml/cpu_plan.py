"""A forward pass for one drawing on the CPU, for plain conv nets, at a fraction of torch's per-call cost.

At batch 1 a small CNN is mostly overhead in torch: its 3x3 convolutions take the generic unfold +
GEMM kernel (oneDNN is not used at this size), each op costs a dispatch, and the 2-thread team has
to wake up between drawings. The same arithmetic as a few NumPy array operations and one matrix
product per layer takes two thirds of the time (``emnist36_cnn`` on the 2-core VM, alternating
blocks in one process, each forward pass after preprocessing a drawing as the app and ``glyphpad-ml
bench`` do: 0.42 vs 0.65 ms p50).

A plan is built from a model's layers in order (``features`` then ``classifier``) when every layer is
one it knows; anything else (residual blocks, recurrent layers) keeps the torch forward. Every plan is
checked against the torch forward on random input when it is built and refused if they differ, so a
plan cannot silently answer differently from the model it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.lib.stride_tricks import as_strided
from torch import nn

# From two images up torch's batched kernels catch up (2-core VM, batch 2: regularized_cnn 1.62 ms
# planned vs 1.36 torch; emnist36_cnn wins to batch 4, torch from 8); one drawing is the case that matters.
MAX_PLAN_BATCH = 1
_CHECK_TOLERANCE = 1e-4

Step = Callable[[np.ndarray], np.ndarray]


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).contiguous().numpy().copy()


def _bn_scale_shift(bn: nn.BatchNorm1d | nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
    assert bn.running_mean is not None and bn.running_var is not None
    scale = 1.0 / torch.sqrt(bn.running_var.detach().double() + bn.eps)
    if bn.weight is not None:
        scale = scale * bn.weight.detach().double()
    shift = -bn.running_mean.detach().double() * scale
    if bn.bias is not None:
        shift = shift + bn.bias.detach().double()
    return scale.float().numpy(), shift.float().numpy()


@dataclass(frozen=True)
class _MaxPool:
    kernel: int
    stride: int
    ceil_mode: bool

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n, h, w, c = x.shape
        k, s = self.kernel, self.stride
        if self.ceil_mode:
            out_h, out_w = -(-(h - k) // s) + 1, -(-(w - k) // s) + 1
            # A window may not start in the padding (torch's rule); it may run past the edge.
            out_h -= (out_h - 1) * s >= h
            out_w -= (out_w - 1) * s >= w
            need_h, need_w = (out_h - 1) * s + k, (out_w - 1) * s + k
            if need_h > h or need_w > w:
                padded = np.full((n, max(h, need_h), max(w, need_w), c), -np.inf, dtype=np.float32)
                padded[:, :h, :w] = x
                x = padded
        else:
            out_h, out_w = (h - k) // s + 1, (w - k) // s + 1
        out: np.ndarray | None = None
        for dy in range(k):
            for dx in range(k):
                window = x[:, dy : dy + (out_h - 1) * s + 1 : s, dx : dx + (out_w - 1) * s + 1 : s]
                out = window.copy() if out is None else np.maximum(out, window, out=out)
        assert out is not None
        return out


@dataclass
class _Affine:
    """A conv or linear layer as a matrix product, then a per-output bias, then optionally ReLU.

    A max pool right after a convolution is taken before the bias and the ReLU: both are the same
    increasing function for every value of a channel, so the maximum is the same, and they then
    run on a quarter of the values.
    """

    weight: np.ndarray = field(repr=False)  # (inputs, outputs)
    bias: np.ndarray = field(repr=False)  # (outputs,)
    relu: bool = False
    pool: _MaxPool | None = None

    def fold(self, scale: np.ndarray, shift: np.ndarray) -> None:
        """Absorb a following batch norm (eval statistics): y * scale + shift."""
        self.weight = self.weight * scale
        self.bias = self.bias * scale + shift

    def product(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = self.product(x)
        if self.pool is not None:
            out = self.pool(out)
        out += self.bias
        return np.maximum(out, 0.0, out=out) if self.relu else out


@dataclass
class _Conv(_Affine):
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)

    def product(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W, C) -> (N, H', W', outputs), channels last so that each patch is one contiguous row."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        if ph or pw:
            n, h, w, c = x.shape
            padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=np.float32)
            padded[:, ph : ph + h, pw : pw + w] = x
            x = padded
        n, h, w, c = x.shape
        out_h, out_w = (h - kh) // sh + 1, (w - kw) // sw + 1
        if c == 1:
            # One channel (the first layer): a strided view would copy one float at a time; copying
            # each kernel tap's shifted image whole, then multiplying by the transposed view, is 3x faster.
            taps = np.empty((kh * kw, n, out_h, out_w), dtype=np.float32)
            for i in range(kh * kw):
                dy, dx = divmod(i, kw)
                taps[i] = x[:, dy : dy + (out_h - 1) * sh + 1 : sh, dx : dx + (out_w - 1) * sw + 1 : sw, 0]
            out = taps.reshape(kh * kw, -1).T @ self.weight
        else:
            s = x.strides
            patches = as_strided(x, (n, out_h, out_w, kh, kw, c), (s[0], s[1] * sh, s[2] * sw, s[1], s[2], s[3]))
            out = patches.reshape(n * out_h * out_w, kh * kw * c) @ self.weight
        return out.reshape(n, out_h, out_w, -1)


@dataclass
class _Linear(_Affine):
    def product(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weight


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0, out=x)


def _flatten(x: np.ndarray) -> np.ndarray:
    """Channels-last back to torch's (C, H, W) order before the first linear layer."""
    return x.transpose(0, 3, 1, 2).reshape(len(x), -1) if x.ndim == 4 else x


def _global_max(x: np.ndarray) -> np.ndarray:
    return x.max(axis=(1, 2), keepdims=True)


def _pair(value: int | tuple[int, ...]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[-1]))


def _layers(module: nn.Module) -> list[nn.Module]:
    """The layers of nested sequences, in the order they run."""
    if isinstance(module, nn.Sequential):
        return [layer for child in module for layer in _layers(child)]
    return [module]


def _steps_for(layers: list[nn.Module]) -> list[Step] | None:
    """The layers as plan steps, or None if one of them is not a plain layer this module knows."""
    steps: list[Step] = []
    for layer in layers:
        previous = steps[-1] if steps else None
        if isinstance(layer, nn.Conv2d):
            if layer.groups != 1 or _pair(layer.dilation) != (1, 1) or layer.padding_mode != "zeros":
                return None
            if isinstance(layer.padding, str):
                return None
            weight = _numpy(layer.weight)  # (out, in, kh, kw) -> rows ordered (kh, kw, in) like a patch
            out_channels = weight.shape[0]
            matrix = weight.transpose(2, 3, 1, 0).reshape(-1, out_channels)
            bias = _numpy(layer.bias) if layer.bias is not None else np.zeros(out_channels, np.float32)
            kernel, stride, padding = _pair(layer.kernel_size), _pair(layer.stride), _pair(layer.padding)
            steps.append(_Conv(matrix, bias, kernel=kernel, stride=stride, padding=padding))
        elif isinstance(layer, nn.Linear):
            bias = _numpy(layer.bias) if layer.bias is not None else np.zeros(layer.out_features, np.float32)
            steps.append(_Linear(_numpy(layer.weight).T.copy(), bias))
        elif isinstance(layer, (nn.BatchNorm2d, nn.BatchNorm1d)):
            # Folds into the layer before only while nothing non-linear follows that layer's product.
            if not layer.track_running_stats or not isinstance(previous, _Affine):
                return None
            if previous.relu or previous.pool is not None:
                return None
            previous.fold(*_bn_scale_shift(layer))
        elif isinstance(layer, nn.ReLU):
            if isinstance(previous, _Affine):
                previous.relu = True
            else:
                steps.append(_relu)
        elif isinstance(layer, nn.MaxPool2d):
            k, s = _pair(layer.kernel_size), _pair(layer.stride or layer.kernel_size)
            if k[0] != k[1] or s[0] != s[1] or _pair(layer.padding) != (0, 0) or _pair(layer.dilation) != (1, 1):
                return None
            pool = _MaxPool(k[0], s[0], bool(layer.ceil_mode))
            if isinstance(previous, _Conv) and previous.pool is None:
                previous.pool = pool
            else:
                steps.append(pool)
        elif isinstance(layer, nn.AdaptiveMaxPool2d):
            if _pair(layer.output_size) != (1, 1):  # type: ignore[arg-type]
                return None
            steps.append(_global_max)
        elif isinstance(layer, nn.Flatten):
            steps.append(_flatten)
        elif isinstance(layer, nn.Dropout):
            continue  # identity at inference
        else:
            return None
    return steps


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32 (what torch.softmax gives, to about 1e-7)."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


class CpuPlan:
    """A model's forward pass as NumPy steps: 1 x 28 x 28 float inputs -> logits."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 1, 28, 28) float32 -> (N, classes) logits."""
        x = np.ascontiguousarray(inputs, dtype=np.float32).reshape(len(inputs), 28, 28, 1)
        for step in self.steps:
            x = step(x)
        return x


def plan_for(model: nn.Module) -> CpuPlan | None:
    """A CPU plan that computes what ``model`` computes, or None when it has a layer a plan cannot run.

    Only models made of ``features`` and ``classifier`` sequences run through in that order (the
    plain CNNs of :mod:`ml.models.cnn`) qualify; the plan is checked against the model before use.
    """
    from ml.models.cnn import PlainCNN

    if not isinstance(model, PlainCNN) or model.training:
        return None
    steps = _steps_for(_layers(model.features) + _layers(model.classifier))
    if steps is None:
        return None
    plan = CpuPlan(steps)
    probe = np.random.default_rng(0).random((2, 28, 28), dtype=np.float32)
    with torch.inference_mode():
        expected = model(torch.from_numpy(probe).unsqueeze(1).to(next(model.parameters()).device)).float().cpu().numpy()
    got = plan(probe)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=_CHECK_TOLERANCE, atol=_CHECK_TOLERANCE):
        return None
    return plan
