"""A forward pass for one drawing on the CPU, for plain conv nets, at a fraction of torch's per-call cost.

At batch 1 a small CNN is mostly overhead in torch: its 3x3 convolutions take the generic unfold +
GEMM kernel (oneDNN is not used at this size), each op costs a dispatch, and the 2-thread team has
to wake up between drawings. The same arithmetic as a few NumPy array operations per layer (one
gather of the patches, in the order the following pool reads them, and one matrix product) takes
about half the time (``emnist36_cnn`` on the 2-core VM, forward + softmax p50 after preprocessing a
drawing, ``glyphpad-ml bench --model emnist36_cnn`` with and without ``--no-cpu-plan``, three runs
each: 0.36-0.42 ms against 0.64-0.82 ms through torch).

A plan is built from a model's layers in order (``features`` then ``classifier``) when every layer is
one it knows; anything else (residual blocks, recurrent layers) keeps the torch forward. A model's
layers are written to its card as a spec (:func:`spec_of`) only after the plan built from them gave
what the torch forward gives on random input, so a plan cannot silently answer differently from its
model; :func:`load_plan` then runs it from the card and the weights file without importing torch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.cards import ModelCard, WeightsError, verified_card

if TYPE_CHECKING:  # torch is imported only where a torch model is described; running a plan needs NumPy alone
    from torch import nn

# From two images up torch's batched kernels catch up (2-core VM, batch 2: regularized_cnn 1.62 ms
# planned vs 1.36 torch; emnist36_cnn wins to batch 4, torch from 8); one drawing is the case that matters.
MAX_PLAN_BATCH = 1
_CHECK_TOLERANCE = 1e-4

Step = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _MaxPool:
    kernel: int
    stride: int
    ceil_mode: bool

    def output_size(self, size: int) -> int:
        """torch's rule: with ceil_mode a window may run past the edge but not start in the padding."""
        k, s = self.kernel, self.stride
        if not self.ceil_mode:
            return (size - k) // s + 1
        out = -(-(size - k) // s) + 1
        return out - ((out - 1) * s >= size)

    def window(self, start: int, size: int) -> list[int]:
        """The positions one window covers along an axis of ``size``, for a window at ``start`` (a
        window running past the edge repeats its first position there: a maximum is unchanged by it)."""
        return [start + d if start + d < size else start for d in range(self.kernel)]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """A pool that does not follow a convolution (a convolution takes its pool itself)."""
        h, w = x.shape[1:3]
        rows = [self.window(y * self.stride, h) for y in range(self.output_size(h))]
        cols = [self.window(x_ * self.stride, w) for x_ in range(self.output_size(w))]
        out: np.ndarray | None = None
        for dy in range(self.kernel):
            for dx in range(self.kernel):
                window = x[:, [r[dy] for r in rows]][:, :, [col[dx] for col in cols]]
                out = window if out is None else np.maximum(out, window, out=out)
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
        """The matrix product, with the pool (when there is one) already taken."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = self.product(x)
        out += self.bias
        return np.maximum(out, 0.0, out=out) if self.relu else out


@dataclass(frozen=True)
class _Gather:
    """Where a convolution's (and its pool's) input rows come from, for one input size.

    ``rows`` indexes the input's pixels (H x W, channels last) plus one zero pixel at the end, which
    stands for the padding: for each pool window offset, each pooled output position, each kernel
    tap. One gather builds every patch in the order the pool wants, so the pool becomes a maximum
    over a few contiguous blocks, and conv outputs no pool window reads are never computed.
    """

    rows: np.ndarray
    window: int  # conv outputs per pool window (1 without a pool)
    out_h: int
    out_w: int


@dataclass
class _Conv(_Affine):
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    _gathers: dict[tuple[int, int], _Gather] = field(default_factory=dict, repr=False)

    def _gather(self, h: int, w: int) -> _Gather:
        """Built on the first input of a size (load_plan runs one), after the plan has attached the pool."""
        cached = self._gathers.get((h, w))
        if cached is not None:
            return cached
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        conv_h, conv_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        if self.pool is None:  # one "window" of every conv output
            ys, xs = np.arange(conv_h)[None, :, None], np.arange(conv_w)[None, :, None]
            out_h, out_w = conv_h, conv_w
        else:  # (window offset, pooled position) -> conv output row or column
            pool = self.pool
            out_h, out_w = pool.output_size(conv_h), pool.output_size(conv_w)
            ys = np.array([pool.window(y * pool.stride, conv_h) for y in range(out_h)]).T[:, :, None]
            xs = np.array([pool.window(x * pool.stride, conv_w) for x in range(out_w)]).T[:, :, None]
        # Every (offset row, offset column) pair, every pooled (row, column), every tap (row, column).
        taps_y, taps_x = np.divmod(np.arange(kh * kw), kw)
        iy = (ys * sh - ph + taps_y)[:, None, :, None, :]  # offset y, -, out y, -, tap
        ix = (xs * sw - pw + taps_x)[None, :, None, :, :]  # -, offset x, -, out x, tap
        inside = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
        rows = np.where(inside, iy * w + ix, h * w).reshape(-1)  # h * w: the zero pixel
        window = len(ys) * len(xs)
        gather = _Gather(rows.astype(np.intp), window, out_h, out_w)
        self._gathers[(h, w)] = gather
        return gather

    def product(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W, C) -> (N, H', W', outputs), pooled when a pool follows; channels last, so that
        each input pixel is one contiguous row for the gather to copy."""
        n, h, w, c = x.shape
        gather = self._gather(h, w)
        pixels = np.concatenate((x.reshape(n, h * w, c), np.zeros((n, 1, c), dtype=np.float32)), axis=1)
        patches = np.take(pixels, gather.rows, axis=1)
        out = patches.reshape(n * len(gather.rows) // (self.kernel[0] * self.kernel[1]), -1) @ self.weight
        out = out.reshape(n, gather.window, gather.out_h * gather.out_w, -1)
        out = out[:, 0] if gather.window == 1 else out.max(axis=1)
        return out.reshape(n, gather.out_h, gather.out_w, -1)


@dataclass
class _Linear(_Affine):
    def product(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weight


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)  # not in place: x may be the caller's input


def _flatten(x: np.ndarray) -> np.ndarray:
    """Channels-last back to torch's (C, H, W) order before the first linear layer."""
    return x.transpose(0, 3, 1, 2).reshape(len(x), -1) if x.ndim == 4 else x


def _global_max(x: np.ndarray) -> np.ndarray:
    return x.max(axis=(1, 2), keepdims=True)


LayerSpec = dict[str, Any]


def _pair(value: Any) -> tuple[int, int]:
    """An int or a pair (torch's layer attributes, a spec's lists) as a pair of ints."""
    return (int(value), int(value)) if isinstance(value, int) else (int(value[0]), int(value[-1]))


def _steps_from(spec: list[LayerSpec], tensors: Mapping[str, np.ndarray]) -> list[Step]:
    """Plan steps for a layer spec (see :func:`spec_of`); ValueError if it asks for what a plan cannot do."""

    def array(name: str) -> np.ndarray:
        if name not in tensors:
            raise ValueError(f"the weights have no tensor {name!r}")
        return np.asarray(tensors[name], dtype=np.float32)

    steps: list[Step] = []
    for layer in spec:
        previous = steps[-1] if steps else None
        op = layer["op"]
        if op == "conv":
            weight = array(layer["weight"])  # (out, in, kh, kw) -> rows ordered (kh, kw, in) like a patch
            out_channels = weight.shape[0]
            matrix = np.ascontiguousarray(weight.transpose(2, 3, 1, 0).reshape(-1, out_channels))
            bias = array(layer["bias"]) if layer["bias"] else np.zeros(out_channels, np.float32)
            kernel, stride, padding = (_pair(layer[key]) for key in ("kernel", "stride", "padding"))
            steps.append(_Conv(matrix, bias.copy(), kernel=kernel, stride=stride, padding=padding))
        elif op == "linear":
            weight = array(layer["weight"])
            bias = array(layer["bias"]) if layer["bias"] else np.zeros(weight.shape[0], np.float32)
            steps.append(_Linear(np.ascontiguousarray(weight.T), bias.copy()))
        elif op == "batch_norm":
            # Folds into the layer before only while nothing non-linear follows that layer's product.
            if not isinstance(previous, _Affine) or previous.relu or previous.pool is not None:
                raise ValueError("a batch norm that does not directly follow a conv or linear layer")
            prefix = layer["prefix"]
            variance = array(f"{prefix}.running_var").astype(np.float64)
            scale = 1.0 / np.sqrt(variance + float(layer["eps"]))
            if layer["affine"]:
                scale = scale * array(f"{prefix}.weight")
            shift = -array(f"{prefix}.running_mean") * scale
            if layer["affine"]:
                shift = shift + array(f"{prefix}.bias")
            previous.fold(scale.astype(np.float32), shift.astype(np.float32))
        elif op == "relu":
            if isinstance(previous, _Affine):
                previous.relu = True
            else:
                steps.append(_relu)
        elif op == "max_pool":
            pool = _MaxPool(int(layer["kernel"]), int(layer["stride"]), bool(layer["ceil_mode"]))
            if isinstance(previous, _Conv) and previous.pool is None:
                previous.pool = pool
            else:
                steps.append(pool)
        elif op == "global_max_pool":
            steps.append(_global_max)
        elif op == "flatten":
            steps.append(_flatten)
        else:
            raise ValueError(f"unknown layer {op!r}")
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


def plan_from_spec(spec: list[LayerSpec], tensors: Mapping[str, np.ndarray]) -> CpuPlan:
    """The plan a card's ``cpu_plan`` spec describes, with the model's tensors (by state-dict name)."""
    if not spec:
        raise ValueError("no layers to run")
    return CpuPlan(_steps_from(spec, tensors))


def _layers(module: nn.Module) -> list[nn.Module]:
    """The layers of nested sequences, in the order they run."""
    from torch import nn

    if isinstance(module, nn.Sequential):
        return [layer for child in module for layer in _layers(child)]
    return [module]


def _describe(model: nn.Module) -> list[LayerSpec] | None:
    """The model's layers as a spec, or None if one of them is not a plain layer a plan can run."""
    from torch import nn

    from ml.models.cnn import PlainCNN

    if not isinstance(model, PlainCNN):
        return None
    names = {id(module): name for name, module in model.named_modules()}
    spec: list[LayerSpec] = []
    for layer in _layers(model.features) + _layers(model.classifier):
        name = names[id(layer)]
        if isinstance(layer, nn.Conv2d):
            plain = layer.groups == 1 and _pair(layer.dilation) == (1, 1) and layer.padding_mode == "zeros"
            if not plain or isinstance(layer.padding, str):
                return None
            bias = f"{name}.bias" if layer.bias is not None else None
            kernel, stride, padding = (list(_pair(v)) for v in (layer.kernel_size, layer.stride, layer.padding))
            spec.append(
                {
                    "op": "conv",
                    "weight": f"{name}.weight",
                    "bias": bias,
                    "kernel": kernel,
                    "stride": stride,
                    "padding": padding,
                }
            )
        elif isinstance(layer, nn.Linear):
            bias = f"{name}.bias" if layer.bias is not None else None
            spec.append({"op": "linear", "weight": f"{name}.weight", "bias": bias})
        elif isinstance(layer, (nn.BatchNorm2d, nn.BatchNorm1d)):
            if not layer.track_running_stats:
                return None
            spec.append({"op": "batch_norm", "prefix": name, "eps": float(layer.eps), "affine": bool(layer.affine)})
        elif isinstance(layer, nn.ReLU):
            spec.append({"op": "relu"})
        elif isinstance(layer, nn.MaxPool2d):
            pool_kernel, pool_stride = _pair(layer.kernel_size), _pair(layer.stride or layer.kernel_size)
            square = pool_kernel[0] == pool_kernel[1] and pool_stride[0] == pool_stride[1]
            if not square or _pair(layer.padding) != (0, 0) or _pair(layer.dilation) != (1, 1):
                return None
            ceil_mode = bool(layer.ceil_mode)
            spec.append({"op": "max_pool", "kernel": pool_kernel[0], "stride": pool_stride[0], "ceil_mode": ceil_mode})
        elif isinstance(layer, nn.AdaptiveMaxPool2d):
            if layer.output_size not in (1, (1, 1)):
                return None
            spec.append({"op": "global_max_pool"})
        elif isinstance(layer, nn.Flatten):
            spec.append({"op": "flatten"})
        elif isinstance(layer, nn.Dropout):
            continue  # identity at inference
        else:
            return None
    return spec


def _checked_plan(model: nn.Module) -> tuple[list[LayerSpec], CpuPlan] | None:
    import torch

    spec = _describe(model)
    if spec is None:
        return None
    tensors = {name: value.detach().float().cpu().numpy() for name, value in model.state_dict().items()}
    try:
        plan = plan_from_spec(spec, tensors)
    except ValueError:
        return None
    probe = np.random.default_rng(0).random((2, 28, 28), dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            device = next(model.parameters()).device
            expected = model(torch.from_numpy(probe).unsqueeze(1).to(device)).float().cpu().numpy()
    finally:
        model.train(was_training)
    got = plan(probe)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=_CHECK_TOLERANCE, atol=_CHECK_TOLERANCE):
        return None
    return spec, plan


def spec_of(model: nn.Module) -> list[LayerSpec] | None:
    """The spec a model card stores so that the model can run without torch, or None if it cannot.

    Only models made of ``features`` and ``classifier`` sequences run through in that order (the
    plain CNNs of :mod:`ml.models.cnn`) qualify, and only when the plan computes what the model does.
    """
    checked = _checked_plan(model)
    return checked[0] if checked else None


def plan_for(model: nn.Module) -> CpuPlan | None:
    """A CPU plan that computes what ``model`` (in eval mode) computes, or None."""
    if model.training:
        return None
    checked = _checked_plan(model)
    return checked[1] if checked else None


def load_plan(weights_path: Path) -> tuple[CpuPlan, ModelCard]:
    """A bundled plain CNN as a plan, from its card and weights file, without importing torch.

    The weights are checked against the card's sha256 as :func:`ml.weights.load_weights` does.
    WeightsError when the file is damaged or the card has no plan.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    card = verified_card(weights_path)
    if not card.cpu_plan:
        raise WeightsError(f"{card.name} ({card.arch}) cannot run without torch")
    try:
        tensors = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{weights_path.name} is not a valid safetensors file ({error})") from error
    try:
        plan = plan_from_spec(card.cpu_plan, tensors)
        outputs = plan(np.zeros((1, 28, 28), dtype=np.float32)).shape  # shapes that do not fit fail here
    except (ValueError, KeyError, TypeError) as error:
        raise WeightsError(f"{card.name}: its card's plan does not fit its weights ({error})") from error
    if outputs != (1, len(card.labels)):
        raise WeightsError(f"{card.name}: its plan gives {outputs[-1]} outputs for {len(card.labels)} labels")
    return plan, card
