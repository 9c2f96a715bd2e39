"""One answer from the picture and the pen: an image model and a stroke model, fused.

When a drawing's strokes are known (the canvas, a stroke file), two models read it: the image model
the picture, the stroke model the trajectory. They err on different things (the image model reads an
O drawn as one loop as a 0; the pen's path often tells them apart), so their answers are combined as a
weighted sum of log-probabilities::

    p_fused = softmax((image_weight * log p_image + stroke_weight * log p_strokes + prior) / temperature)

where the prior says how many written characters each class stands for (in the 36-class set O is O or
o, 0 only 0), with the weights and the prior's strength fitted on validation writers (``glyphpad-ml
fuse``) and stored in the stroke model's card (``fusion``), which also names the image model they were
fitted with. The weights are chosen for the answer; the temperature, fitted after them, for its
confidence, without changing any answer: above 1 it softens an answer surer than it is right, below 1
sharpens one less sure (the app's pair: weights 0.75 + 1.5 made its answers surer than they were right,
by 4.6 points on average on validation writers; its temperature, 1.6, brings that to 1.2). An opened
picture has no strokes: the image model answers alone, and says so (``Prediction.inputs_used``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ml.runtime.cards import (
    ModelCard,
    WeightsError,
    bundled_cards,
    drawings_figure,
    fusion_partner,
    stroke_model_problem,
    stroke_models_dir,
)
from ml.runtime.labels import TOP_K, class_columns, splits_a_class
from ml.runtime.preprocess import ImageLike
from ml.runtime.recognizer import (
    INTERACTIVE_THREADS,
    ClassMappedRecognizer,
    Prediction,
    PredictionError,
    Recognizer,
    load_recognizer,
)
from ml.runtime.render import drawing_picture
from ml.runtime.strokes import (
    BlankStrokesError,
    Strokes,
    StrokesError,
    normalize_strokes,
    stray_dots,
    taps_left_out_note,
    without_strokes,
)

log = logging.getLogger(__name__)

_FLOOR = 1e-7  # log of a probability is taken at least at this: one model's certain "no" is not a veto


@dataclass(frozen=True)
class FusionWeights:
    image: float
    strokes: float
    prior_log: tuple[float, ...] = ()  # added per class: how many written characters each class stands for
    line_strokes: float | None = None  # the strokes' weight in a written line, fitted on words (None: as here)
    line_image: float | None = None  # the picture's weight in a written line, fitted with it (None: as here)
    temperature: float = 1.0  # a lone character's fused log-probabilities divided by it (its confidence)

    @staticmethod
    def from_card(fusion: dict[str, Any]) -> FusionWeights:
        line, line_image = fusion.get("line_stroke_weight"), fusion.get("line_image_weight")
        return FusionWeights(
            _card_number(fusion, "image_weight"),
            _card_number(fusion, "stroke_weight"),
            tuple(float(v) for v in fusion.get("prior_log", ())),
            None if line is None else float(line),
            None if line_image is None else float(line_image),
            _temperature(fusion.get("temperature", 1.0)),  # (a card fitted before there was one: as read then)
        )

    def check(self, classes: int) -> None:
        """ValueError, saying why, where these weights cannot fuse answers of ``classes`` classes."""
        if self.prior_log and len(self.prior_log) != classes:
            raise ValueError("one prior per class")
        line = tuple(w for w in (self.line_strokes, self.line_image) if w is not None)
        if not np.isfinite([self.image, self.strokes, *self.prior_log, *line]).all():
            raise ValueError("a weight that is not a number")
        if not (np.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError("a temperature that is not a positive number")

    def for_lines(self) -> FusionWeights:
        """What a written line is read with: the weights fitted on lines where there are (a line's context
        and its splitting want softer answers than a character alone), and no character prior (a line's
        neighbours weigh letters against digits), nor temperature (the line's weights are fitted by how
        well the line reads, softness and all)."""
        return FusionWeights(
            self.image if self.line_image is None else self.line_image,
            self.strokes if self.line_strokes is None else self.line_strokes,
        )


def _card_number(fusion: dict[str, Any], key: str) -> float:
    """A fusion's weight as a number, or ValueError naming it (float() said "could not convert string")."""
    value = fusion[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"its {key} is {value!r}, not a number")
    return float(value)


def _temperature(value: object) -> float:
    """A card's temperature, or ValueError: a zero, negative or missing one gave infinite log-probabilities."""
    temperature = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"the fusion's temperature must be a positive number, not {value!r}")
    return temperature


def fuse_probabilities(image_probs: np.ndarray, stroke_probs: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """The fused probabilities (same shape as the inputs: classes, or N x classes)."""
    logits = weights.image * np.log(np.maximum(image_probs, _FLOOR)) + weights.strokes * np.log(
        np.maximum(stroke_probs, _FLOOR)
    )
    if weights.prior_log:
        logits = logits + np.asarray(weights.prior_log)
    logits = logits / weights.temperature
    logits = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    out: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return out


class FusedRecognizer:
    """An image model and the stroke model fused with it; answers from whatever the drawing offers."""

    def __init__(self, image: Recognizer, strokes: Recognizer, weights: FusionWeights | None = None) -> None:
        """Fused with the weights in the stroke model's card, or with ``weights`` (a fusion being fitted: a
        stroke model trained just now has none in its card yet)."""
        strokes = strokes_in_classes_of(image, strokes)
        try:
            self.weights = FusionWeights.from_card(strokes.card.fusion) if weights is None else weights
            self.weights.check(len(image.labels))
        except (KeyError, TypeError, ValueError) as error:
            whose = f"{strokes.card.name}'s card has" if weights is None else "the fusion was given"
            # What is wrong, where it can be said (a fusion's temperature of 0 was "no usable weights").
            why = f": {error}" if isinstance(error, ValueError) and str(error) else ""
            raise WeightsError(f"{whose} no usable fusion weights{why}") from None
        self.image = image
        self.strokes = strokes
        self.labels = image.labels

    @classmethod
    def for_image_model(
        cls, image: Recognizer, device: str = "auto", threads: int = INTERACTIVE_THREADS, directory: Path | None = None
    ) -> FusedRecognizer | None:
        """The fusion of ``image`` with its stroke model, if one was fitted for it; else None."""
        partner = fusion_partner(image.card.name, directory, image.card.sha256)
        _say_if_another_partner(image, partner, directory)
        if partner is None:
            return None
        return cls(image, load_recognizer(partner, device, threads=threads))

    def predict(
        self, image: ImageLike | None, strokes: Strokes | Sequence[Any] | None, top_k: int = TOP_K
    ) -> Prediction | PredictionError:
        """The fused answer when strokes are given and readable, else the image model's alone; strokes that
        are a single dot (a tap of the pen) make the answer blank, however the picture would read. With no
        ``image``, the picture is the one the pad renders from the strokes (:func:`read_drawing_strokes`).
        ``strokes``: :class:`Strokes`, or lists of (x, y) points, y down."""
        start = time.perf_counter()
        if strokes is not None and not isinstance(strokes, Strokes):
            try:
                strokes = Strokes.from_points(strokes)
            except StrokesError as error:
                return PredictionError(str(error))
        if image is None:
            if strokes is None:
                return PredictionError("nothing to read: no picture and no strokes")
            try:
                image = drawing_picture(strokes)
            except StrokesError as error:
                return PredictionError(str(error), blank=isinstance(error, BlankStrokesError))
        # Fused from each model's probabilities before its own temperature (what the weights were fitted on);
        # a model answering alone answers with it.
        from_image = self.image.predict(image, top_k=top_k, calibrated=False)
        if strokes is None:
            return self._alone(self.image, from_image)
        from_strokes = self.strokes.predict_strokes(strokes, top_k=top_k, calibrated=False)
        if isinstance(from_strokes, PredictionError):
            # A tap of the pen (every point in one place) is no character, however its picture reads.
            return from_strokes if from_strokes.blank else self._alone(self.image, from_image)
        if isinstance(from_image, PredictionError):
            alone = self.strokes.answering_alone(from_strokes)
            return replace(alone, latency_ms=(time.perf_counter() - start) * 1000.0)
        probs = fuse_probabilities(from_image.probabilities, from_strokes.probabilities, self.weights)
        return Prediction(
            top=self.image.top_k(probs, top_k),
            probabilities=probs,
            model_input=from_image.model_input,
            notes=from_image.notes,
            latency_ms=(time.perf_counter() - start) * 1000.0,
            inputs_used=("image", "strokes"),
        )

    @staticmethod
    def _alone(model: Recognizer, answer: Prediction | PredictionError) -> Prediction | PredictionError:
        return answer if isinstance(answer, PredictionError) else model.answering_alone(answer)


def strokes_in_classes_of(image: Recognizer, strokes: Recognizer) -> Recognizer:
    """``strokes`` answering in ``image``'s classes: itself where they are its own, else mapped onto them
    (:class:`ClassMappedRecognizer`, by :func:`class_columns`: the 36-class stroke model fused with a
    letters, a digits, a 47- or a 62-class model). WeightsError where it does not read them all."""
    if list(image.labels) == list(strokes.labels):
        return strokes
    columns = class_columns(image.labels, strokes.labels)
    if columns is None:
        raise WeightsError(
            f"{strokes.card.name} answers in other classes than {image.card.name} ({strokes.card.label_set}, "
            f"{image.card.label_set}): they cannot be fused"
        )
    return ClassMappedRecognizer(strokes, image.labels, image.card.label_set, columns)


def strokes_alone(strokes: Recognizer) -> Recognizer:
    """The stroke model as its answer is shown on its own (Compare's strokes row): in the image model's
    classes where those are some of its own (a letters model's: a ring the letter it likeliest is), in its
    own where the image model splits one of its classes in two (a 62-class model's a and A take the one
    letter's logit, and each a half of its probability: the row read "E 45%", then "e 45%")."""
    if isinstance(strokes, ClassMappedRecognizer) and splits_a_class(strokes.columns.tolist()):
        return strokes.model
    return strokes


def fusion_or_reason(
    image: Recognizer, device: str = "auto", threads: int = INTERACTIVE_THREADS
) -> tuple[FusedRecognizer | None, str]:
    """:meth:`FusedRecognizer.for_image_model`, and "" or why its stroke model cannot be used: then the
    picture alone answers, as in the app (a damaged stroke model stopped every command reading strokes)."""
    try:
        return FusedRecognizer.for_image_model(image, device, threads=threads), ""
    except WeightsError as error:
        return None, str(error)


def _say_if_another_partner(image: Recognizer, partner: Path | None, directory: Path | None) -> None:
    """A warning when the stroke model fitted best for ``image`` cannot be used (damaged, missing) and
    another, or the picture alone, answers instead: the answers differ, and nothing else would say so."""
    intended = drawings_figure(image.card, directory)  # from the cards alone: no weights hashed again
    if partner is None:  # a stroke model whose card cannot be read does not say for which model it was fitted
        for weights_path, card in bundled_cards(stroke_models_dir(directory)):
            if isinstance(card, WeightsError) and (intended is None or weights_path.stem != intended[1]):
                _warn_once(f"stroke model {weights_path.stem} cannot be used ({card}): it is passed over")
    if intended is None or (partner is not None and partner.stem == intended[1]):
        return
    reason = stroke_model_problem(intended[1], directory) or "it cannot be loaded"
    instead = f"{partner.stem} reads the strokes instead" if partner is not None else "the picture alone answers"
    _warn_once(f"stroke model {intended[1]} cannot be used ({reason}): {instead}")


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """A warning said once a process (the self-test loading 14 models said the same one 13 times)."""
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def read_drawing_strokes(
    strokes: Strokes | Sequence[Any], recognizer: Recognizer, fused: FusedRecognizer | None, top_k: int = TOP_K
) -> Prediction | PredictionError:
    """A drawing's strokes (:class:`Strokes`, or lists of (x, y) points, y down) read as the pad reads a
    drawing: by ``recognizer`` alone when it reads strokes, else from the picture the canvas would render,
    fused with the stroke model when there is one. Raises StrokesError (BlankStrokesError: no character
    in them) before any model is asked."""
    if not isinstance(strokes, Strokes):
        strokes = Strokes.from_points(strokes)
    normalize_strokes(strokes)
    taps = stray_dots(strokes.strokes)  # as the pad leaves them out
    strokes = without_strokes(strokes, taps)
    if recognizer.card.input_kind == "strokes":
        answer = recognizer.predict_strokes(strokes, top_k=top_k)
    elif fused is not None:
        answer = fused.predict(drawing_picture(strokes), strokes, top_k=top_k)
    else:
        answer = recognizer.predict(drawing_picture(strokes), top_k=top_k)
    if taps and isinstance(answer, Prediction):
        return replace(answer, notes=(*answer.notes, taps_left_out_note(len(taps))))
    return answer


RecognizerT = TypeVar("RecognizerT", bound=Recognizer)


def load_fused_image_model(card: ModelCard, load: Callable[[str], RecognizerT]) -> RecognizerT:
    """The image model a stroke model's card is fused with, loaded by ``load``; when it cannot be, the
    error names the stroke model too (a fusion fitted with a model given by path names one the weights
    folder may lack)."""
    name = str(card.fusion["image_model"])
    try:
        return load(name)
    except WeightsError as error:
        raise WeightsError(f"{card.name} is fused with {name}: {error}") from error
