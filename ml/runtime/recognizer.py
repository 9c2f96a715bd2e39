"""Recognizing images: one model, loaded once, turning images into top-k answers.

:class:`Recognizer` is the path every answer takes: image -> :func:`ml.runtime.preprocess.preprocess`
-> the model (on the picture, and where its card says so, the picture turned a few degrees either way:
:mod:`ml.runtime.turned_views`) -> probabilities -> top-k. On the CPU the model runs as its ONNX graph in ONNX Runtime
(:class:`OnnxRecognizer`: imports in a fifth of a second, faster than torch at batch 1, every
architecture); on CUDA it runs in torch (:class:`TorchRecognizer`), which is also what explanations
use, since they need gradients. :func:`load_recognizer` picks one. Importing this module loads
neither torch nor onnxruntime; loading a model loads what it needs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ml.runtime.cards import (
    ModelCard,
    WeightsError,
    default_model_name,
    not_numbers_message,
    resolve_model_path,
    verified_card,
    verified_onnx,
)
from ml.runtime.devices import describe, resolve_device
from ml.runtime.image_io import ImageLoadError, LoadedImage
from ml.runtime.labels import TOP_K
from ml.runtime.preprocess import BlankImageError, ImageLike, holds_file_data, preprocess
from ml.runtime.strokes import (
    STROKE_FEATURES,
    STROKE_POINTS,
    BlankStrokesError,
    Strokes,
    StrokesError,
    normalize_strokes,
)
from ml.runtime.turned_views import mean_over_turns

# One input of each kind, as a model reads it (the batch dimension comes first).
INPUT_SHAPES = {"image": (1, 28, 28), "strokes": (STROKE_POINTS, len(STROKE_FEATURES))}


# ONNX Runtime's threads for one session. One drawing at a time is fastest on one thread (a second
# thread's hand-off costs more than it saves on a 28x28 input, and the GUI thread needs a core);
# batches use every core.
INTERACTIVE_THREADS = 1
# Batch prediction (CLI predict, evaluate, the app's batch view) runs this many inputs per call, on
# every core.
BATCH_SIZE = 256
BATCH_THREADS = os.cpu_count() or 1
# Text mode's second models (the case model, the picture partner) answer a line's characters at once,
# beside the GUI: two threads that do not spin while they wait (a spinning thread keeps a core busy after
# each run). The case model on a 9-character line: 6.5 ms on one thread, 3.8-4.9 ms so (3.3-3.7 spinning).
COMPANION_THREADS = min(2, BATCH_THREADS)


@dataclass(frozen=True)
class ClassScore:
    label: str
    prob: float


# eq=False: its arrays make field-by-field equality raise ("truth value of an array is ambiguous") in ==,
# `in` and hash(); two predictions are the same one only when they are.
@dataclass(frozen=True, eq=False)
class Prediction:
    """One answer: the ``top`` classes, most probable first (``label``: the first), and what it came from.

    ``probabilities`` are the answer's, one per class in the card's label order: the softmax of the
    model's logits (over the picture and it turned a little, where the card says so: :meth:`Recognizer.logits`)
    plus the card's class prior (how many written characters each class stands for: in a
    set that merges cases, ``O`` is O or o), divided by the card's temperature (:meth:`Recognizer.temper`;
    not with ``calibrated=False``); a drawing's fused answer, the fusion's (:mod:`ml.runtime.fusion`).
    ``model_input`` is what the model saw (the 28x28 picture in
    [0, 1], ink high; or the normalized stroke sequence), the input the explanations in
    :mod:`ml.runtime.explain` take.
    """

    top: tuple[ClassScore, ...]
    probabilities: np.ndarray = field(repr=False)  # one per class, in the card's label order
    model_input: np.ndarray = field(repr=False)  # the 28x28 image, or the normalized stroke sequence
    notes: tuple[str, ...] = ()
    latency_ms: float = 0.0
    inputs_used: tuple[str, ...] = ("image",)  # "image", "strokes" or both (a fused answer)

    @property
    def label(self) -> str:
        return self.top[0].label

    def as_dict(self, decimals: int = 5) -> dict[str, Any]:
        """The answer as plain values for JSON (what ``glyphpad-ml predict --json`` prints of it): label,
        top (label and probability, rounded to ``decimals``), inputs used and notes."""
        return {
            "label": self.label,
            "top": [{"label": score.label, "prob": round(score.prob, decimals)} for score in self.top],
            "inputs": list(self.inputs_used),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PredictionError:
    """Why one input could not be recognized (a corrupt or missing file, a blank drawing, an array that is
    no image, ...): a value, not an exception, so that a batch goes on past a bad file. ``blank``: the
    input was read but holds no character."""

    reason: str
    blank: bool = False


def _one_picture(images: object) -> bool:
    """Whether ``images``, given where many are read, is one picture: a path, a file's data, a PIL image,
    or an array (numpy's, torch's) of fewer than 3 axes or of an image's H x W x C shape (C: 1 to 4)."""
    if isinstance(images, str | Path | bytes | Image.Image | LoadedImage) or holds_file_data(images):
        return True
    axes = getattr(images, "shape", None)
    if axes is None or getattr(getattr(images, "dtype", None), "kind", "") == "O":  # paths in an array: a list
        return False
    return len(axes) < 3 or (len(axes) == 3 and 1 <= axes[2] <= 4)


def checked_top_k(k: object) -> int:
    """``k`` as how many classes to give, or TypeError (not a whole number) or ValueError (below 1)."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"top_k is how many classes to give, a whole number of at least 1, not {k!r}")
    if k < 1:
        raise ValueError(f"top_k must be at least 1, not {k}")
    return int(k)


class Recognizer:
    """Images -> preprocessing -> ``predict_inputs`` -> top-k; subclasses say how inputs become probabilities."""

    card: ModelCard
    labels: list[str]
    weights_path: Path

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.card.name}: {len(self.labels)} classes, {self.describe_device()}>"

    def refuse_answers_not_numbers(self) -> None:
        """WeightsError where the model's answer to a blank input holds values that are not numbers: such
        weights pass the card's and the hash's checks (a robustness trial's NaN weights were read as
        "0 nan%", and the app's answer failed on them). For the ONNX graph; torch's tensors are looked at
        as they load (``ml.runtime.weights.load_weights``)."""
        probe = np.zeros((1, *INPUT_SHAPES[self.card.input_kind]), dtype=np.float32)
        if not np.isfinite(self.forward(probe)).all():
            raise WeightsError(not_numbers_message(self.weights_path.name, "its answer to a blank input"))

    def warm_up(self) -> None:
        """One drawing through the whole path, so that the first real one pays no first-call costs
        (imports inside preprocessing, its cached resampling weights, the runtime's first run)."""
        if self.card.input_kind == "strokes":
            self.predict_strokes(Strokes((np.array([[0.0, 0.0], [0.0, 1.0]]),)))
            return
        drawing = np.full((128, 128), 255, dtype=np.uint8)
        drawing[30:100, 60:68] = 0
        self.predict(drawing)

    def predict_strokes(
        self, strokes: Strokes, top_k: int = TOP_K, calibrated: bool = True
    ) -> Prediction | PredictionError:
        """Recognize a drawing from its strokes (a stroke model); errors come back as values. ``calibrated``:
        see :meth:`predict_many`."""
        if self.card.input_kind != "strokes":
            return PredictionError(f"{self.card.name} reads pictures, not strokes")
        start = time.perf_counter()
        try:
            sequence = normalize_strokes(strokes)
        except StrokesError as error:
            return PredictionError(str(error), blank=isinstance(error, BlankStrokesError))
        probs = self.predict_inputs(sequence[None])[0]
        if calibrated:
            probs = self.temper(probs)
        latency = (time.perf_counter() - start) * 1000.0
        return Prediction(self.top_k(probs, top_k), probs, sequence, (), latency, ("strokes",))

    def predict_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """Probabilities (N x classes) for preprocessed inputs (N x 28 x 28, or N x points x features), with
        the card's prior, before its temperature: what a fusion and a written line weigh (:meth:`temper`
        makes them the answer alone)."""
        logits = self.logits(inputs)
        if self.card.class_prior_log:
            logits = logits + np.asarray(self.card.class_prior_log, dtype=logits.dtype)
        return softmax(logits)

    def answers_alone(self, inputs: np.ndarray) -> np.ndarray:
        """Probabilities (N x classes) for preprocessed inputs as the model answers alone: ``predict_inputs``
        with the card's temperature (what evaluating a model scores)."""
        return self.temper(self.predict_inputs(inputs))

    def temper(self, probabilities: np.ndarray) -> np.ndarray:
        """``predict_inputs``' probabilities (classes, or N x classes) as the model answers alone: the softmax
        of its logits divided by the card's temperature (no answer changes, only how sure it says it is)."""
        if self.card.temperature == 1.0:
            return probabilities
        return tempered(probabilities, self.card.temperature).astype(probabilities.dtype)

    def answering_alone(self, prediction: Prediction) -> Prediction:
        """A prediction made with ``calibrated=False`` as the model answers alone (:meth:`temper`)."""
        if self.card.temperature == 1.0:
            return prediction
        probabilities = self.temper(prediction.probabilities)
        return replace(prediction, top=self.top_k(probabilities, len(prediction.top)), probabilities=probabilities)

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        """The answer's logits (N x classes) before the card's prior, for preprocessed inputs: the model's
        outputs, or where the card says so, their log-softmax averaged over the picture and the picture
        turned a few degrees either way (:mod:`ml.runtime.turned_views`)."""
        if self.card.turned_views_degrees and self.card.input_kind == "image":
            return mean_over_turns(self.forward, inputs, self.card.turned_views_degrees)
        return self.forward(inputs)

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """The model's raw outputs (N x classes) for preprocessed inputs (N x 28 x 28, or N x points x
        features)."""
        raise NotImplementedError

    def describe_device(self) -> str:
        raise NotImplementedError

    def top_k(self, probabilities: np.ndarray, k: int) -> tuple[ClassScore, ...]:
        """The k most probable classes, most probable first (ties: the card's order); every class when k is
        more than there are. Raises ValueError for k below 1 (TypeError for a k that is no whole number)."""
        k = min(checked_top_k(k), len(self.labels))
        # A few dozen classes: sorting a list beats np.argsort's call overhead (in the bench's loop
        # 23 against 48 us, the most of what a drawing costs after the forward pass).
        values = probabilities.tolist()
        order = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:k]
        return tuple(ClassScore(self.labels[i], values[i]) for i in order)

    def predict(
        self, image: ImageLike, top_k: int = TOP_K, photo: bool | None = None, calibrated: bool = True
    ) -> Prediction | PredictionError:
        """Recognize one image (file, bytes, PIL image or array); errors come back as values. ``photo``: see
        :func:`ml.runtime.preprocess.preprocess` (a photo held as an array: True); ``calibrated``: see
        :meth:`predict_many`."""
        return self.predict_many([image], top_k=top_k, photo=photo, calibrated=calibrated)[0]

    def predict_many(
        self,
        images: Iterable[ImageLike] | np.ndarray,
        top_k: int = TOP_K,
        photo: bool | None = None,
        calibrated: bool = True,
    ) -> list[Prediction | PredictionError]:
        """Recognize many images (a list, any iterable, or an N x H x W array) at once, faster per picture;
        one result per image, in order. ``calibrated``: the answer's confidence with the card's temperature
        (:meth:`temper`); False gives the probabilities a fusion weighs."""
        checked_top_k(top_k)  # before any work: a wrong one failed after every picture was read
        if _one_picture(images):  # a string was read as one-letter file names, a picture as its rows or bytes
            raise TypeError("predict_many reads a list of pictures (or an N x H x W array): predict reads one")
        images = list(images)  # a generator, read once
        if self.card.input_kind != "image":
            return [PredictionError(f"{self.card.name} reads strokes, not pictures")] * len(images)
        start = time.perf_counter()
        results: list[Prediction | PredictionError | None] = [None] * len(images)
        prepared = []
        for i, image in enumerate(images):
            try:
                prepared.append((i, preprocess(image, photo)))
            except BlankImageError as error:
                results[i] = PredictionError(str(error), blank=True)
            except (ImageLoadError, ValueError) as error:
                results[i] = PredictionError(str(error))
        if prepared:
            inputs = prepared[0][1].input[None] if len(prepared) == 1 else np.stack([p.input for _, p in prepared])
            probabilities = self.predict_inputs(inputs)
            if calibrated:
                probabilities = self.temper(probabilities)
            latency = (time.perf_counter() - start) * 1000.0 / len(images)
            for (i, item), probs in zip(prepared, probabilities, strict=True):
                results[i] = Prediction(self.top_k(probs, top_k), probs, item.input, item.notes, latency)
        return [r for r in results if r is not None]


class OnnxRecognizer(Recognizer):
    """A model's ONNX graph on the CPU through ONNX Runtime: no torch needed, every architecture."""

    def __init__(self, session: Any, card: ModelCard, weights_path: Path) -> None:
        self.session = session
        self.card = card
        self.labels = list(card.labels)
        self.weights_path = weights_path
        self._input_name = session.get_inputs()[0].name

    @classmethod
    def load_onnx(
        cls, name_or_path: str | Path, threads: int = INTERACTIVE_THREADS, spin: bool = True
    ) -> OnnxRecognizer:
        """``spin``: the session's threads wait for work busily (faster batches, a core kept busy meanwhile)."""
        weights_path = resolve_model_path(name_or_path)
        card = verified_card(weights_path)
        onnx_file = verified_onnx(weights_path, card)
        session = cpu_session(onnx_file, threads, spin)
        shape = session.get_inputs()[0].shape
        outputs = session.get_outputs()[0].shape
        if tuple(shape[1:]) != INPUT_SHAPES[card.input_kind]:
            takes = " x ".join(map(str, shape[1:]))
            wanted = " x ".join(map(str, INPUT_SHAPES[card.input_kind]))
            raise WeightsError(
                f"{onnx_file.name} does not match its card: the graph reads {takes} inputs, the card {wanted} "
                f"({card.input_kind})"
            )
        if outputs[-1] != len(card.labels):
            raise WeightsError(
                f"{onnx_file.name} does not match its card: the graph gives {outputs[-1]} classes, the card names "
                f"{len(card.labels)}"
            )
        recognizer = cls(session, card, weights_path)
        recognizer.refuse_answers_not_numbers()
        return recognizer

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        batch = np.ascontiguousarray(inputs, dtype=np.float32).reshape(-1, *INPUT_SHAPES[self.card.input_kind])
        chunks = [
            self.session.run(None, {self._input_name: batch[start : start + BATCH_SIZE]})[0]
            for start in range(0, len(batch), BATCH_SIZE)
        ]
        out: np.ndarray = np.concatenate(chunks) if len(chunks) != 1 else chunks[0]
        return out

    def describe_device(self) -> str:
        return "CPU (ONNX Runtime)"


def cpu_session(graph: Path, threads: int = INTERACTIVE_THREADS, spin: bool = True) -> Any:
    """An ONNX Runtime session of ``graph`` on the CPU (WeightsError for a malformed graph). ``spin``: its
    threads wait for work busily (faster batches, a core kept busy meanwhile)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # (0: ONNX Runtime's default, every core)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    try:
        return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # ORT raises its own exception types for a malformed graph
        raise WeightsError(f"{graph.name} is not a valid ONNX graph ({_first_line(error)})") from error


class TorchRecognizer(Recognizer):
    """A model in torch on a device: answers on CUDA, and the gradients that explain any answer."""

    def __init__(self, model: Any, card: ModelCard, device: Any, weights_path: Path) -> None:
        self.model = model
        self.card = card
        self.device = device
        self.labels = list(card.labels)
        self.weights_path = weights_path

    @classmethod
    def load_torch(cls, name_or_path: str | Path, device: str = "cpu") -> TorchRecognizer:
        import torch

        from ml.runtime.devices import to_channels_last
        from ml.runtime.weights import load_weights

        weights_path = resolve_model_path(name_or_path)
        target = torch.device(resolve_device(device))
        model, card = load_weights(weights_path, device=target)
        if target.type == "cpu":
            model = to_channels_last(model)
        # Never trained here: explanations take the gradients they use, and no parameter's.
        model.requires_grad_(False)
        return cls(model, card, target, weights_path)  # (load_weights refused tensors that are not numbers)

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            batch = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))
            batch = batch.reshape(-1, *INPUT_SHAPES[self.card.input_kind]).to(self.device)
            out: np.ndarray = self.model(batch).float().cpu().numpy()
        return out

    def describe_device(self) -> str:
        return describe(self.device)


class ClassMappedRecognizer(Recognizer):
    """A model answering in classes made of its own: each class's logit is the model's for its class there
    (``columns``), the softmax taken over these classes alone. So the 36-class stroke model is fused with a
    letters model (its answer spread over the letters: a ring it would read as 0 is the letter it is
    likeliest to be, O), or with one that tells a from A: both take the letter's logit (the strokes say
    which letter, the picture which case; a share of half each put every letter of two cases log 2 behind
    the digits: a fused byclass62 read 445 of UNIPEN's 1,035 test O and o as 0, now 102). The card is the
    model's own with these classes (``label_set``), its class prior with them."""

    def __init__(self, model: Recognizer, labels: Sequence[str], label_set: str, columns: Sequence[int]) -> None:
        if len(columns) != len(labels) or not all(0 <= c < len(model.labels) for c in columns):
            raise ValueError(f"one of {model.card.name}'s classes for each of the {len(labels)} classes")
        self.model = model
        self.columns = np.asarray(columns, dtype=np.int64)
        prior = model.card.class_prior_log
        self.card = replace(
            model.card,
            label_set=label_set,
            labels=list(labels),
            class_prior_log=[prior[i] for i in self.columns.tolist()] if prior else [],
        )
        self.labels = list(labels)
        self.weights_path = model.weights_path

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        return self.model.forward(inputs)[:, self.columns]

    def describe_device(self) -> str:
        return self.model.describe_device()


def load_recognizer(
    name_or_path: str | Path | None = None, device: str = "auto", threads: int = INTERACTIVE_THREADS, spin: bool = True
) -> Recognizer:
    """A bundled model by name, or a weights file (None: ``DEFAULT_MODEL``, else the weights folder's first,
    as the command line reads with); ONNX Runtime on the CPU, torch on CUDA.

    ``threads`` and ``spin``: ONNX Runtime's threads on the CPU (0: its default, every core; see
    :meth:`OnnxRecognizer.load_onnx`); torch on CUDA does not use them. Raises WeightsError (missing,
    damaged or mismatched files: the message says which) or DeviceError; ValueError for ``threads`` below 0.
    """
    if threads < 0:
        raise ValueError(f"threads must be 0 (every core) or more, not {threads}")
    weights_path = resolve_model_path(name_or_path if name_or_path is not None else default_model_name())
    target = resolve_device(device)
    if target == "cpu":
        return OnnxRecognizer.load_onnx(weights_path, threads=threads, spin=spin)
    return TorchRecognizer.load_torch(weights_path, target)


def tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``probabilities`` (classes, or N x classes) as ``softmax(log p / temperature)``: the softmax of the
    logits divided by it (log p is the logits less a constant per row, which the softmax drops)."""
    return softmax(np.log(np.maximum(probabilities.astype(np.float64), 1e-300)) / temperature)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Over the last axis: one answer's logits, or N x classes."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    out: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return out


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def use_cpu_threads(count: int) -> None:
    """Run this thread's torch CPU work (explanations) on ``count`` threads.

    An app's worker thread wants 1: called from a thread other than the main one, torch's 2-thread
    team cost more than it saved on one drawing, and the GUI thread needs a core.
    """
    import torch

    torch.set_num_threads(max(1, count))


def warm_up_runtime() -> None:
    """Import torch's lazily loaded parts and run one tiny CNN and RNN forward and backward pass.

    The app calls this on a thread of its own once its window is up, so that no torch module is first
    imported, and no first-call cost paid, while an explanation waits.
    """
    import torch

    from ml.models import get_model

    # One intra-op thread: torch's pool of one thread per core keeps spinning after each call, on the
    # cores the GUI thread and the answering worker need (explanations are small; one thread does).
    torch.set_num_threads(1)
    for arch in ("lenet5", "gru"):
        x = torch.zeros(1, 1, 28, 28, requires_grad=True)
        get_model(arch, num_classes=2).eval()(x).sum().backward()
