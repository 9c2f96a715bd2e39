"""Why a model said what it said: activation maps of every conv layer, Grad-CAM, input saliency.

Every function takes any recognizer (:func:`ml.runtime.recognizer.load_recognizer`'s ONNX one too:
gradients are taken through the same weights in torch, loaded on the CPU on first use and kept while
the recognizer lives) and the 28x28 input a :class:`~ml.runtime.recognizer.Prediction` holds as
``model_input`` (a stroke sequence from :func:`ml.runtime.strokes.normalize_strokes` for
:func:`stroke_saliency`). Explanations run one at a time: hooks are put on the shared model for one
call (and removed in ``finally``, so a failed explanation never leaves one behind): calls from
several threads wait for each other rather than read each other's layers, and the hooks take only
the explaining thread's pass (a torch recognizer may answer on another thread meanwhile).
"""

from __future__ import annotations

import copy
import functools
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ml.runtime.recognizer import ClassMappedRecognizer, Prediction, Recognizer, TorchRecognizer
from ml.runtime.recurrent_gradients import with_fast_input_gradients

if TYPE_CHECKING:
    from ml.runtime.strokes import Strokes

P = ParamSpec("P")
T = TypeVar("T")
_ONE_AT_A_TIME = threading.RLock()
# The torch twin of each recognizer that answers in ONNX Runtime (a value that held its key would keep it alive).
_IN_TORCH: weakref.WeakKeyDictionary[Recognizer, TorchRecognizer] = weakref.WeakKeyDictionary()


def in_torch(recognizer: Recognizer) -> TorchRecognizer:
    """``recognizer`` itself when it runs in torch, else its weights loaded in torch on the CPU (once for
    each recognizer). Raises WeightsError as loading does."""
    if isinstance(recognizer, TorchRecognizer):
        return recognizer
    with _ONE_AT_A_TIME:
        if recognizer not in _IN_TORCH:
            _IN_TORCH[recognizer] = TorchRecognizer.load_torch(recognizer.weights_path, "cpu")
        return _IN_TORCH[recognizer]


def _explaining(function: Callable[Concatenate[TorchRecognizer, P], T]) -> Callable[Concatenate[Recognizer, P], T]:
    """One explanation at a time, of the recognizer's model in torch."""

    @functools.wraps(function)
    def one_at_a_time(recognizer: Recognizer, *args: P.args, **kwargs: P.kwargs) -> T:
        with _ONE_AT_A_TIME:
            return function(in_torch(recognizer), *args, **kwargs)

    return one_at_a_time


@dataclass(frozen=True)
class LayerActivation:
    name: str  # the module's path in the model, e.g. "features.0.0"
    maps: np.ndarray  # C x H x W, float32


@dataclass(frozen=True)
class ActivationMaps:
    layers: tuple[LayerActivation, ...]


@dataclass(frozen=True)
class Heatmap:
    """Where the evidence for ``label`` lies, 28x28 in [0, 1], aligned with the model input."""

    label: str
    heatmap: np.ndarray
    method: str  # "grad-cam" or "saliency"


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    return [(name, module) for name, module in model.named_modules() if isinstance(module, nn.Conv2d)]


MODEL_INPUT_HINT = "a Prediction, or its model_input: recognizer.predict(picture) makes one"


def _label_of(recognizer: TorchRecognizer, model_input: object, label: str | None) -> str | None:
    """The class to explain: ``label``, else a Prediction's own answer (a fused answer can differ from what
    the picture's model alone would say), else None (the model's own answer)."""
    if label is None and isinstance(model_input, Prediction) and model_input.label in recognizer.labels:
        return model_input.label
    if label is None and recognizer.card.turned_views_degrees and recognizer.card.input_kind == "image":
        # The model answers from the picture and it turned (ml.runtime.turned_views): that answer's class, not
        # the one the picture alone would top (they differed on 19 of 600 EMNIST pictures).
        picture = _input_tensor(recognizer, model_input).detach().cpu().numpy()  # type: ignore[arg-type]
        return recognizer.labels[int(recognizer.predict_inputs(picture)[0].argmax())]
    return label


def _input_tensor(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction) -> Tensor:
    """The model's 28x28 input as a batch of one, checked: a picture given in its place (a file, or pixels
    not preprocessed) was explained as it stood, for another class than its answer."""
    if recognizer.card.input_kind == "strokes":
        raise ValueError(f"{recognizer.card.name} reads strokes: stroke_saliency explains it")
    if isinstance(model_input, Prediction):
        model_input = model_input.model_input
    if isinstance(model_input, Tensor):
        model_input = model_input.detach().cpu().numpy()
    if isinstance(model_input, list | tuple):
        model_input = np.asarray(model_input)
    if not isinstance(model_input, np.ndarray):
        raise ValueError(
            f"an explanation reads the model's 28x28 input ({MODEL_INPUT_HINT}), not {type(model_input).__name__}"
        )
    if not np.issubdtype(model_input.dtype, np.floating):  # a picture's pixels (0-255): not preprocessed
        raise ValueError(
            f"an explanation reads the model's 28x28 input, floats in [0, 1] ({MODEL_INPUT_HINT}), not "
            f"{model_input.dtype} pixels"
        )
    array = np.ascontiguousarray(model_input, dtype=np.float32)
    if array.size != 28 * 28:
        raise ValueError(f"an explanation reads the model's 28x28 input ({MODEL_INPUT_HINT}), not shape {array.shape}")
    array = array.reshape(28, 28)
    edge = np.concatenate([array[0], array[-1], array[:, 0], array[:, -1]])
    if not np.isfinite(array).all() or array.min() < 0.0 or array.max() > 1.0 or np.median(edge) > 0.5:
        raise ValueError(f"this is not what preprocessing makes (ink high in [0, 1] on a 0 border): {MODEL_INPUT_HINT}")
    tensor = torch.from_numpy(array).view(1, 1, 28, 28)
    return tensor.to(recognizer.device)


@_explaining
def activation_maps(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction) -> ActivationMaps:
    """Outputs of every Conv2d layer for one 28x28 input (empty for pure RNNs)."""
    captured: list[LayerActivation] = []
    handles = []
    asking = threading.get_ident()
    try:
        for name, layer in conv_layers(recognizer.model):

            def hook(_module: nn.Module, _inputs: object, output: Tensor, name: str = name) -> None:
                if threading.get_ident() == asking:  # not another thread's answer from the same model
                    captured.append(LayerActivation(name, output[0].detach().float().cpu().numpy()))

            handles.append(layer.register_forward_hook(hook))
        with torch.inference_mode():
            recognizer.model(_input_tensor(recognizer, model_input))
    finally:
        for handle in handles:
            handle.remove()
    return ActivationMaps(tuple(captured))


def _normalize(values: Tensor) -> np.ndarray:
    values = values - values.min()
    peak = float(values.max())
    result: np.ndarray = (values / peak if peak > 0 else values).cpu().numpy().astype(np.float32)
    return result


def _class_index(recognizer: TorchRecognizer, logits: Tensor, label: str | None) -> int:
    if label is None:  # the answer the app shows: with the card's class prior, as the recognizer adds it
        scores = logits.detach().float().cpu().numpy()[0]
        if recognizer.card.class_prior_log:
            scores = scores + np.asarray(recognizer.card.class_prior_log, dtype=np.float32)
        return int(scores.argmax())
    if not isinstance(label, str):  # an index, say: which class it means depends on the card
        raise ValueError(f"label is a class's name, one of {recognizer.card.name}'s labels, not {label!r}")
    if label not in recognizer.labels:
        merged = label.upper() in recognizer.labels and label != label.upper()
        why = f": it reads {label} as {label.upper()}, one class for both cases" if merged else ""
        raise ValueError(f"{label!r} is not one of {recognizer.card.name}'s classes{why}")
    return recognizer.labels.index(label)


# Each model as gradients are taken through it (see _built_for_gradients); built once per model.
# None: the model itself (a value that held its key would keep it alive).
_GRADIENT_MODELS: weakref.WeakKeyDictionary[nn.Module, nn.Module | None] = weakref.WeakKeyDictionary()


def _gradient_model(recognizer: TorchRecognizer, example: Tensor) -> nn.Module:
    model = recognizer.model
    if model not in _GRADIENT_MODELS:
        built = _built_for_gradients(recognizer, example)
        _GRADIENT_MODELS[model] = built if built is not model else None
    built_model = _GRADIENT_MODELS[model]
    return model if built_model is None else built_model


def _built_for_gradients(recognizer: TorchRecognizer, example: Tensor) -> nn.Module:
    """The model as explanations on the CPU take gradients through it: the same function in fewer, faster
    steps. Batch norms are folded into the layers before them (a third of MobileNetV2's layers),
    all but the one after the Grad-CAM layer, whose own output the map is made of; GRU and LSTM layers
    are stood in for by :mod:`ml.runtime.recurrent_gradients`. Each step is kept only if the result
    answers ``example`` as the model does."""
    model = recognizer.model
    if recognizer.device.type != "cpu":
        return model
    keep = set()
    if example.dim() == 4 and conv_layers(model):
        keep.add(_grad_cam_layer(recognizer, example.detach().numpy().reshape(28, 28)))
    try:
        folded = _batch_norms_folded(model, keep)
        if folded is not model:
            with torch.no_grad():
                if not torch.allclose(folded(example), model(example), rtol=1e-4, atol=1e-5):
                    folded = model
    except Exception:  # a norm that does not act on the layer's outputs (a Linear on a sequence): keep it
        folded = model
    return with_fast_input_gradients(folded, example)


_FOLDABLE = (nn.Conv1d, nn.Conv2d, nn.Linear)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


def _batch_norms_folded(model: nn.Module, keep: set[str]) -> nn.Module:
    """A copy of an evaluating ``model`` in which each convolution or linear layer directly followed by a
    batch norm (in an nn.Sequential) takes the norm into its weights and bias, and the norm becomes an
    identity; layers named in ``keep`` keep theirs. ``model`` itself when there is no such pair."""
    pairs = []
    for name, sequence in model.named_modules():
        if not isinstance(sequence, nn.Sequential):
            continue
        children = list(sequence.named_children())
        for (layer_name, layer), (norm_name, norm) in itertools.pairwise(children):
            path = f"{name}.{layer_name}" if name else layer_name
            if (
                isinstance(layer, _FOLDABLE)
                and isinstance(norm, _NORMS)
                and norm.running_mean is not None
                and norm.running_var is not None
                and not norm.training
                and path not in keep
            ):
                pairs.append((name, layer_name, norm_name))
    if not pairs:
        return model
    folded = copy.deepcopy(model)
    for name, layer_name, norm_name in pairs:
        sequence = folded.get_submodule(name) if name else folded
        layer, norm = sequence.get_submodule(layer_name), sequence.get_submodule(norm_name)
        assert isinstance(layer, _FOLDABLE) and isinstance(norm, _NORMS)
        assert norm.running_mean is not None and norm.running_var is not None
        with torch.no_grad():
            scale = torch.rsqrt(norm.running_var + norm.eps)
            shift = -norm.running_mean * scale
            if norm.affine:
                scale, shift = scale * norm.weight, shift * norm.weight + norm.bias
            bias = layer.bias if layer.bias is not None else torch.zeros_like(scale)
            layer.weight = nn.Parameter(
                layer.weight * scale.view(-1, *[1] * (layer.weight.dim() - 1)), requires_grad=False
            )
            layer.bias = nn.Parameter(bias * scale + shift, requires_grad=False)
        setattr(sequence, norm_name, nn.Identity())
    return folded


@contextmanager
def _recurrent_layers_differentiable(recognizer: TorchRecognizer) -> Iterator[None]:
    """cuDNN's RNN backward runs only in training mode: on CUDA the model's GRU and LSTM layers are put
    in it for the explanation, with their dropout between layers off, so the answer explained is the
    evaluated one; every other layer stays as it is. Nothing changes on the CPU."""
    layers = [m for m in recognizer.model.modules() if isinstance(m, nn.RNNBase)]
    if recognizer.device.type != "cuda" or not layers:
        yield
        return
    kept = [(layer.training, layer.dropout) for layer in layers]
    try:
        for layer in layers:
            layer.train()
            layer.dropout = 0.0
        yield
    finally:
        for layer, (training, dropout) in zip(layers, kept, strict=True):
            layer.train(training)
            layer.dropout = dropout


# The Grad-CAM layer of each model: layer sizes depend on the architecture alone, so it is found once.
_GRAD_CAM_LAYERS: weakref.WeakKeyDictionary[nn.Module, str] = weakref.WeakKeyDictionary()


def _grad_cam_layer(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction) -> str:
    """The deepest conv layer whose output keeps at least 3x3 cells (or the last, if none does)."""
    model = recognizer.model
    if model not in _GRAD_CAM_LAYERS:
        sizes = {layer.name: layer.maps.shape[-2:] for layer in activation_maps(recognizer, model_input).layers}
        names = [name for name, _ in conv_layers(model)]  # the model's order (a shortcut runs out of it)
        _GRAD_CAM_LAYERS[model] = next((n for n in reversed(names) if min(sizes[n]) >= 3), names[-1])
    return _GRAD_CAM_LAYERS[model]


@_explaining
def grad_cam(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction, label: str | None = None) -> Heatmap:
    """Grad-CAM (Selvaraju et al., 2017) at the last conv layer with a spatial size of at least 3x3.

    The very last layer of some models is 2x2 or 1x1, too coarse to say where; the deepest layer that
    still keeps a few cells per side is the usual choice for small inputs.
    """
    label = _label_of(recognizer, model_input, label)
    if not conv_layers(recognizer.model):
        return saliency(recognizer, model_input, label)
    x = _input_tensor(recognizer, model_input)
    model = _gradient_model(recognizer, x)
    layer = model.get_submodule(_grad_cam_layer(recognizer, model_input))
    captured: list[Tensor] = []

    asking = threading.get_ident()

    def from_here(_module: nn.Module, _inputs: object, output: Tensor) -> Tensor | None:
        if threading.get_ident() != asking:  # another thread's answer from the same model: left as it is
            return None
        # Autograd records from the chosen layer's output on: the layers before it run as in inference
        # (the recognizer's parameters ask for no gradient), and the backward pass walks the head alone
        # (a full backward pass with every parameter's gradient cost MobileNetV2 22 ms; this, 8).
        # A copy, not the leaf itself: an in-place ReLU after the conv may rectify it, and the map is then
        # of the rectified features, as when the whole network was recorded.
        activation = output.detach().requires_grad_(True).clone()
        captured.append(activation)
        return activation

    handle = layer.register_forward_hook(from_here)
    try:
        with torch.enable_grad(), _recurrent_layers_differentiable(recognizer):
            logits = model(x)
            index = _class_index(recognizer, logits, label)
            target = captured[0]
            (gradient,) = torch.autograd.grad(logits[0, index], target)
            weights = gradient[0].mean(dim=(1, 2), keepdim=True)
            cam = F.relu((weights * target[0]).sum(dim=0, keepdim=True)).detach()
        cam = F.interpolate(cam[None], size=(28, 28), mode="bilinear", align_corners=False)[0, 0]
    finally:
        handle.remove()
    return Heatmap(recognizer.labels[index], _normalize(cam), "grad-cam")


def _input_gradient(recognizer: TorchRecognizer, x: Tensor, label: str | None) -> tuple[Tensor, int]:
    """d score / d input for one input (batch of 1), and the class whose score it is. Only the input's
    gradient is computed on the way, through the model's faster form for gradients."""
    with torch.enable_grad(), _recurrent_layers_differentiable(recognizer):
        x = x.detach().clone().requires_grad_(True)
        logits = _gradient_model(recognizer, x.detach())(x)
        index = _class_index(recognizer, logits, label)
        (gradient,) = torch.autograd.grad(logits[0, index], x)
    return gradient.detach(), index


@_explaining
def saliency(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction, label: str | None = None) -> Heatmap:
    """Input-gradient saliency (Simonyan et al., 2014): |d score / d pixel|, lightly smoothed."""
    label = _label_of(recognizer, model_input, label)
    gradient, index = _input_gradient(recognizer, _input_tensor(recognizer, model_input), label)
    smooth = F.avg_pool2d(gradient[0, 0].abs()[None, None], 3, 1, 1)[0, 0]
    return Heatmap(recognizer.labels[index], _normalize(smooth), "saliency")


@_explaining
def explain(recognizer: TorchRecognizer, model_input: np.ndarray | Prediction, label: str | None = None) -> Heatmap:
    """Grad-CAM for CNN and hybrid models, saliency for pure RNNs."""
    if recognizer.card.family == "rnn":
        return saliency(recognizer, model_input, label)
    return grad_cam(recognizer, model_input, label)


@dataclass(frozen=True)
class StrokeSaliency:
    """Which points of the pen's trajectory drove a stroke model's score for ``label``.

    ``points`` are the normalized sequence's positions (x, y in [-1, 1], y down), ``pen_down`` marks the
    first point of each stroke, ``weight`` is each point's saliency in [0, 1].
    """

    label: str
    points: np.ndarray  # STROKE_POINTS x 2
    pen_down: np.ndarray  # STROKE_POINTS bool
    weight: np.ndarray  # STROKE_POINTS


def _point_lists(value: object) -> bool:
    """Whether ``value`` is strokes as lists of (x, y) points (not a sequence's rows of features)."""
    if not isinstance(value, list | tuple) or not value:
        return False
    first = value[0]
    return isinstance(first, list | tuple | np.ndarray) and len(first) > 0 and np.ndim(first[0]) == 1


def stroke_saliency(
    recognizer: Recognizer,
    sequence: np.ndarray | Strokes | Prediction | Sequence[Sequence[Sequence[float]]],
    label: str | None = None,
) -> StrokeSaliency:
    """:func:`_stroke_saliency` of the stroke model itself where ``recognizer`` answers in classes made of
    its own (:class:`ClassMappedRecognizer`, fused with a letters or a 62-class model): the class explained is
    its class there (a 62-class model's e is the stroke model's E, either case; with no ``label``, the mapped
    answer's, not the stroke model's own: a letters model's drawing was explained as the 0 it never says)."""
    if isinstance(recognizer, ClassMappedRecognizer):
        if label is None and isinstance(sequence, Prediction):
            label = sequence.label
        elif label is None:
            from ml.runtime.strokes import Strokes, normalize_strokes

            if _point_lists(sequence):
                sequence = Strokes.from_points(sequence)  # type: ignore[arg-type]
            if isinstance(sequence, Strokes):
                sequence = normalize_strokes(sequence)
            answer = recognizer.predict_inputs(np.asarray(sequence, dtype=np.float32)[None])[0]
            label = recognizer.labels[int(answer.argmax())]
        if label in recognizer.labels:
            label = recognizer.model.labels[int(recognizer.columns[recognizer.labels.index(label)])]
        recognizer = recognizer.model
    return _stroke_saliency(recognizer, sequence, label)


@_explaining
def _stroke_saliency(
    recognizer: TorchRecognizer,
    sequence: np.ndarray | Strokes | Prediction | Sequence[Sequence[Sequence[float]]],
    label: str | None = None,
) -> StrokeSaliency:
    """Input-gradient saliency over a normalized stroke sequence: |d score / d features| per point,
    smoothed over its neighbours along the pen's path (a point alone is never the evidence). Takes the
    sequence, :class:`Strokes`, lists of (x, y) points (one per stroke, y down, as everything else that
    reads strokes takes them) or a stroke model's :class:`Prediction`."""
    from ml.runtime.strokes import STROKE_FEATURES, STROKE_POINTS, Strokes, normalize_strokes

    if _point_lists(sequence):
        sequence = Strokes.from_points(sequence)  # type: ignore[arg-type]

    if recognizer.card.input_kind != "strokes":
        raise ValueError(f"{recognizer.card.name} reads pictures: explain (or saliency) explains it")
    label = _label_of(recognizer, sequence, label)
    if isinstance(sequence, Prediction):
        if sequence.inputs_used != ("strokes",):  # a fused answer holds the picture the image model saw
            raise ValueError("this Prediction's model_input is a picture: give the Strokes it was read from")
        sequence = sequence.model_input
    elif isinstance(sequence, Strokes):
        sequence = normalize_strokes(sequence)
    array = np.ascontiguousarray(sequence, dtype=np.float32)
    if array.shape != (STROKE_POINTS, len(STROKE_FEATURES)):
        raise ValueError(
            f"a stroke explanation reads the {STROKE_POINTS} x {len(STROKE_FEATURES)} sequence normalize_strokes "
            f"makes, not an array of shape {array.shape}"
        )
    x = torch.from_numpy(array)[None].to(recognizer.device)
    gradient, index = _input_gradient(recognizer, x, label)
    per_point = gradient[0].abs().sum(dim=1)
    smooth = F.avg_pool1d(per_point[None, None], 5, 1, 2, count_include_pad=False)[0, 0]
    return StrokeSaliency(recognizer.labels[index], array[:, :2].copy(), array[:, 4] > 0.5, _normalize(smooth))
