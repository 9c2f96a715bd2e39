"""Model cards and the checks on a weights file, without torch.

A card (``<name>.json`` beside ``<name>.safetensors``) says everything needed to rebuild and trust a
model. This module reads, writes and checks them and finds the bundled ones; it imports neither torch
nor Qt, so an app can list its models and answer a first drawing while torch is still loading.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import shlex
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ml.runtime.atomic_files import write_atomically
from ml.runtime.turned_views import MAX_TURN_DEGREES

CODE_ROOT = Path(__file__).resolve().parents[2]  # the checkout, or site-packages for an installed wheel


def bundled_weights_dir(code_root: Path = CODE_ROOT) -> Path:
    """Where the models that come with GlyphPad are: beside the code in a checkout (an editable install,
    the frozen app), else where an install from a wheel puts them (pyproject.toml's data-files:
    share/glyphpad/weights under the install scheme's data folder). A wheel's install had no models at
    all: the folder beside its code in site-packages does not exist."""
    beside = code_root / "weights"
    if beside.is_dir():
        return beside
    import site  # only an installed wheel needs these (the frozen app has its models beside its code)
    import sysconfig

    # Where pip put the wheel's data: the scheme's data folder (/usr/local on Debian's system Python, whose
    # prefix is /usr), the environment's prefix, the user's base (pip install --user).
    prefixes = [sysconfig.get_path("data"), sys.prefix, site.getuserbase()]
    installed = [Path(prefix) / "share" / "glyphpad" / "weights" for prefix in prefixes if prefix]
    return next((path for path in installed if path.is_dir()), beside)


DEFAULT_WEIGHTS_DIR = bundled_weights_dir()

CARD_FORMAT = 1


class WeightsError(RuntimeError):
    """Weights are missing, damaged or do not match their card; the message says which."""


class NoModelsError(WeightsError):
    """The weights folder holds no models, or is not there: its message says where it came from and what to
    do (no other model's name would help)."""


class ModelNameError(WeightsError):
    """No model answers to the name or path given (a typo, a folder, another kind of file): nothing is
    damaged, so reinstalling would not help."""


def not_numbers_message(file_name: str, where: str) -> str:
    """Why weights whose values are not numbers (NaN, infinite) are refused: from training that diverged,
    or a file written so, they pass every check of their card and hash, and every drawing read "0 nan%"."""
    return (
        f"{file_name} is damaged: {where} holds values that are not numbers (NaN or infinite), as from a "
        "training run that diverged; train it again, or reinstall GlyphPad for the bundled models"
    )


# Keys of a card's metrics_by_source that the app and the listings show: UNIPEN's test writers' pen
# drawings (thin, default and thick pens), read from the picture alone and, for a stroke model fitted to an
# image model, fused with it; its validation writers (what picks a fusion among several).
PEN_TEST = "unipen_test"
FUSED_PEN_TEST = "fused_unipen_test"
IMAGE_PEN_TEST = "image_unipen_test"  # a stroke model's card: the image model it is fused with, alone
FUSED_PEN_VAL = "fused_unipen_val"
EMNIST_TEST = "emnist_test"


@dataclass(frozen=True)
class ModelCard:
    name: str
    arch: str
    config: dict[str, Any]
    label_set: str
    labels: list[str]
    preprocess_version: int
    params: int
    sha256: str = ""
    weights_dtype: str = "float32"
    metrics: dict[str, Any] = field(default_factory=dict)  # EMNIST's held-out characters
    # Headline metrics per data source and part: emnist_test, unipen_test (writers no model trained on,
    # thin/default/thick pen), emnist_val, unipen_val, drawn (synthesized drawings).
    metrics_by_source: dict[str, Any] = field(default_factory=dict)
    data_sources: list[dict[str, Any]] = field(default_factory=list)  # what it learned from, with licences
    training: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    format: int = CARD_FORMAT
    # Added to the logits at inference (log of a class prior over the training prior); empty = none.
    # Chosen on validation writers by 'glyphpad-ml prior' so answers follow what people write.
    class_prior_log: list[float] = field(default_factory=list)
    # The ONNX graph beside the weights (<name>.onnx): what answers on the CPU, checked like the weights.
    onnx_sha256: str = ""
    onnx_opset: int = 0
    # What the model reads: "image" (28x28, ml.runtime.preprocess) or "strokes" (ml.runtime.strokes).
    input_kind: str = "image"
    # A stroke model's fusion with an image model, fitted on validation writers: {"image_model": name,
    # "image_weight": a, "stroke_weight": b, ...}; the fused answer is softmax(a log p_image + b log p_strokes).
    fusion: dict[str, Any] = field(default_factory=dict)
    # An image model's answer averaged over its picture and the picture turned this many degrees either way
    # (ml.runtime.turned_views); 0: the picture alone.
    turned_views_degrees: float = 0.0
    # The answer's logits (prior added) are divided by it when the model answers alone: its confidence as the
    # validation writers bear it out, fitted by 'glyphpad-ml calibrate' (1: as trained). A fusion and a written
    # line weigh the model's probabilities before it (their weights were fitted on those).
    temperature: float = 1.0
    # How the temperature was fitted: {"fitted_on": ..., "command": ..., "calibration_error": {source: [before,
    # after]}}; empty when there is none.
    calibration: dict[str, Any] = field(default_factory=dict)

    def figure(self, source: str, metric: str = "accuracy") -> float | None:
        """A metric of the card's evaluation on ``source`` (a key of ``metrics_by_source``, such as
        :data:`PEN_TEST`); None where the card has none, or not a finite number."""
        value = self.metrics_by_source.get(source, {}).get(metric)
        return float(value) if _finite(value) else None

    @property
    def family(self) -> str:
        from ml.models import get_arch  # the registry needs torch; the rest of a card does not

        return get_arch(self.arch).family

    def onnx_io(self) -> dict[str, Any]:
        """What the ONNX graph beside the weights reads and answers, for use without GlyphPad's code:
        written into every card that has a graph (derived from the card, never read back)."""
        if self.input_kind == "strokes":
            from ml.runtime.strokes import (
                MOVE_SCALE,
                POSITION_SCALE,
                STROKE_FEATURES,
                STROKE_NORMALIZATION_VERSION,
                STROKE_POINTS,
            )

            inputs = {
                "strokes": {
                    "shape": ["batch", STROKE_POINTS, len(STROKE_FEATURES)],
                    "dtype": "float32",
                    "features": list(STROKE_FEATURES),
                    "made_by": f"ml.runtime.strokes.normalize_strokes (version {STROKE_NORMALIZATION_VERSION}): "
                    "points (y down) centred on their box and divided by its longer side; "
                    f"points where the pen stood still dropped; {STROKE_POINTS} points shared among the strokes "
                    f"by length, one at least each (past {STROKE_POINTS} strokes, the first {STROKE_POINTS} one "
                    "each), each stroke resampled at even arc length, both ends kept; "
                    f"x, y the point times {POSITION_SCALE:g}; "
                    f"dx, dy the move from the point before times {MOVE_SCALE:g}, but at a stroke's first point "
                    f"the jump from the last stroke's end times {POSITION_SCALE:g} (0 for the first); pen_down 1 at a "
                    "stroke's first point, pen_up 1 at its last, else 0",
                }
            }
        else:
            inputs = {
                "image": {
                    "shape": ["batch", 1, 28, 28],
                    "dtype": "float32",
                    "made_by": f"ml.runtime.preprocess.preprocess (version {self.preprocess_version}): upright, "
                    "ink 1.0 on 0.0, the ink box's longer side 24 px and centred by its box, strokes about 2.3 px wide "
                    "(each step, and how to check a port of it: docs/onnx.md in GlyphPad's repository)",
                }
            }
        return {
            "inputs": inputs,
            "outputs": {
                "logits": {
                    "shape": ["batch", len(self.labels)],
                    "dtype": "float32",
                    "meaning": "one per entry of labels, in that order; the answer's probabilities are "
                    "softmax(logits + class_prior_log), class_prior_log left out when empty"
                    + (
                        f", where logits are the mean of log_softmax(logits) over the picture and the picture "
                        f"turned {self.turned_views_degrees:g} degrees either way about its centre (bilinear; "
                        "docs/onnx.md)"
                        if self.turned_views_degrees
                        else ""
                    )
                    + (
                        f"; the model answering alone divides logits + class_prior_log by its temperature, "
                        f"{self.temperature:g}, before the softmax (a fusion does not)"
                        if self.temperature != 1.0
                        else ""
                    ),
                }
            },
        }

    def to_json(self) -> str:
        data = asdict(self)
        if not self.turned_views_degrees:  # (a card that reads the picture alone stays as it was written)
            del data["turned_views_degrees"]
        if self.temperature == 1.0 and not self.calibration:  # (nor one never calibrated)
            del data["temperature"], data["calibration"]
        if self.onnx_sha256:
            data["onnx_io"] = self.onnx_io()
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        known = {f for f in cls.__dataclass_fields__}
        missing = {"name", "arch", "config", "label_set", "labels", "preprocess_version", "params"} - set(data)
        if missing and isinstance(data.get("what"), str) and "arch" not in data:  # a helper's card (the verifier's)
            raise WeightsError(
                f"{data.get('name', 'this')} is not a model that reads characters: it tells {data['what']}"
            )
        if missing:
            raise WeightsError(f"model card lacks {', '.join(sorted(missing))}")
        labels, prior = data["labels"], data.get("class_prior_log", [])
        name = data["name"]
        if not isinstance(labels, list) or not labels or not all(isinstance(label, str) and label for label in labels):
            raise WeightsError(f"model card of {name} is damaged: its labels are not a list of characters")
        if len(set(labels)) != len(labels):  # answers of two classes under one name ("A 97%, A 0.4%")
            twice = sorted({label for label in labels if labels.count(label) > 1})
            raise WeightsError(f"model card of {name} is damaged: its labels name {', '.join(twice)} twice")
        # Added to every answer's logits: one that does not fit them failed in numpy with a traceback, and a
        # NaN in it (or a number past float32's range, inf once added) made every answer "nan%".
        if prior != [] and not (
            isinstance(prior, list)
            and len(prior) == len(labels)
            and all(_finite(v) and abs(v) <= MAX_LOG_PRIOR for v in prior)
        ):
            raise WeightsError(
                f"model card of {name} is damaged: class_prior_log must be {len(labels)} numbers from "
                f"{-MAX_LOG_PRIOR:g} to {MAX_LOG_PRIOR:g}, one per class (or empty)"
            )
        turn = data.get("turned_views_degrees", 0.0)
        if not (_finite(turn) and 0 <= turn <= MAX_TURN_DEGREES):
            raise WeightsError(
                f"model card of {name} is damaged: turned_views_degrees must be a number from 0 to "
                f"{MAX_TURN_DEGREES:g} (0: the picture alone)"
            )
        if turn and data.get("input_kind", "image") != "image":  # (a port would turn a picture that is not there)
            raise WeightsError(
                f"model card of {name} is damaged: it reads strokes, and turned_views_degrees is a picture's"
            )
        temperature = data.get("temperature", 1.0)
        if not (_finite(temperature) and MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE):
            raise WeightsError(
                f"model card of {name} is damaged: temperature must be a number from {MIN_TEMPERATURE:g} to "
                f"{MAX_TEMPERATURE:g} (1: the model's confidence as trained), not {temperature!r}"
            )
        fields = {k: v for k, v in data.items() if k in known}
        # What a card says about a model (figures, training, fusion) is read as objects everywhere: one edited
        # by hand to null, or a number, stopped the listing of every model. It is left out, the model stays.
        for key in ("config", "metrics", "metrics_by_source", "training", "fusion", "calibration"):
            if not isinstance(fields.get(key, {}), dict):
                fields[key] = {}
        by_source = fields.get("metrics_by_source", {})
        fields["metrics_by_source"] = {k: v for k, v in by_source.items() if isinstance(v, dict)}
        return cls(**fields)


# A temperature outside these makes every answer all but certain, or all but even: none fitted comes near.
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 20.0

# A log-prior beyond this outweighs any logit by far (e**100): none chosen on data comes near (the bundled
# models' are within 0.6), and one past float32's range would be inf, and every answer NaN.
MAX_LOG_PRIOR = 100.0


def _finite(value: object) -> bool:
    try:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an integer of hundreds of digits: no float holds it
        return False


def _verified_copy(weights_path: Path, card: ModelCard, shared: Path) -> ModelCard:
    """The card of a stroke model's copy written as its card alone (:func:`weights_file`), after checking
    the weights it shares as their own model's card checks them, and that its fusion was fitted to those
    weights as they are: a retrained original leaves every copy's fusion fitted to other weights (said,
    with the command that fits it again)."""
    copy, original = weights_path.stem, shared.stem
    try:
        verified_card(shared)
    except WeightsError as error:
        raise WeightsError(f"{copy} shares {original}'s weights, which cannot be used: {error}") from None
    if read_card(card_path_for(shared)).sha256 != card.sha256:
        image = str(card.fusion.get("image_model", "its image model"))
        lines = " --lines" if card.fusion.get("line_fitted_on") else ""
        raise WeightsError(
            f"{copy} was fitted to {original}'s weights before they were retrained or replaced: fit it again "
            f"with 'glyphpad-ml fuse --strokes-model {original} --image-model {image} --write{lines}'"
        )
    return card


# A file's sha256 by its path, size and time of change: the thirteen stroke cards that share strokes36_pair's
# weights had them read and hashed thirteen times over each time the models were listed.
_HASHED: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _HASHED:
        return _HASHED[key]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    _HASHED[key] = digest.hexdigest()
    return _HASHED[key]


def card_path_for(weights_path: Path) -> Path:
    return weights_path.with_suffix(".json")


def onnx_path_for(weights_path: Path) -> Path:
    return weights_path.with_suffix(".onnx")


def weights_file(weights_path: Path, card: ModelCard) -> Path:
    """The file that holds the weights of the model at ``weights_path``: itself, or for a stroke model's
    copy fused with another image model, written as its card alone, the file of the model it is a copy of,
    beside it (the same weights: thirteen copies of the 36-class stroke model, one for each other image
    model, were 137 MB). Only a file that is there is shared (two cards naming each other share nothing)."""
    copy_of = card.fusion.get("copy_of")
    if weights_path.exists() or not isinstance(copy_of, str) or not copy_of or Path(copy_of).name != copy_of:
        return weights_path
    shared = weights_path.with_name(f"{copy_of}{weights_path.suffix}")
    return shared if shared.exists() else weights_path


def verified_onnx(weights_path: Path, card: ModelCard) -> Path:
    """The ONNX graph beside ``weights_path`` (:func:`weights_file`'s), after checking it exists and
    matches the card's sha256."""
    if (shared := weights_file(weights_path, card)) != weights_path:  # a copy: checked by its original's card
        try:
            return verified_onnx(shared, read_card(card_path_for(shared)))
        except WeightsError as error:
            raise WeightsError(
                f"{weights_path.stem} shares {shared.stem}'s weights, which cannot be used: {error}"
            ) from None
    path = onnx_path_for(weights_path)
    # The command that writes it: by name for a bundled model, by path for weights elsewhere (the name
    # would export the bundled model of that name, not these weights).
    bundled = weights_path.parent.resolve() in (weights_dir().resolve(), stroke_models_dir().resolve())
    export = f"glyphpad-ml export --model {card.name if bundled else shlex.quote(str(weights_path))}"
    if not card.onnx_sha256:
        raise WeightsError(f"{card.name} has no ONNX graph in its card: run '{export}'")
    if not path.exists():
        raise WeightsError(f"{path.name} is missing: run '{export}'")
    try:
        actual = sha256_of(path)
    except OSError as error:
        raise WeightsError(f"{path.name} cannot be read ({error.strerror or error})") from error
    if actual != card.onnx_sha256:
        raise WeightsError(
            f"{path.name} is damaged or was replaced: its sha256 {actual[:12]}... does not match the card's "
            f"{card.onnx_sha256[:12]}..."
        )
    return path


def write_card(card: ModelCard, path: Path) -> None:
    write_atomically(path, card.to_json(), make_folders=True)


def read_card(path: str | Path) -> ModelCard:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"model card {path.name} is missing: without it the weights cannot be used") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WeightsError(f"model card {path.name} is damaged ({error})") from error
    if not isinstance(data, dict):
        raise WeightsError(f"model card {path.name} is damaged (not a JSON object)")
    return ModelCard.from_dict(data)


def verified_card(weights_path: Path) -> ModelCard:
    """The card of ``weights_path``, after checking that the weights exist and match its sha256, and
    that the model learned from inputs preprocessed as this code preprocesses them."""
    from ml.runtime.preprocess import PREPROCESS_VERSION
    from ml.runtime.strokes import STROKE_NORMALIZATION_VERSION

    card = read_card(card_path_for(weights_path))
    if card.input_kind not in ("image", "strokes"):
        raise WeightsError(f"{card.name} reads {card.input_kind!r} inputs, which this GlyphPad does not know")
    version = PREPROCESS_VERSION if card.input_kind == "image" else STROKE_NORMALIZATION_VERSION
    if card.preprocess_version != version:
        raise WeightsError(
            f"{card.name} was trained on inputs of preprocessing version {card.preprocess_version}, but this "
            f"GlyphPad preprocesses {card.input_kind} with version {version}: its answers would be wrong. "
            "Retrain it or use the GlyphPad release it came with."
        )
    if (shared := weights_file(weights_path, card)) != weights_path:
        return _verified_copy(weights_path, card, shared)
    if not weights_path.exists():
        copy_of = card.fusion.get("copy_of")
        of = f" (and {copy_of}.safetensors, whose weights it is a copy of)" if isinstance(copy_of, str) else ""
        raise WeightsError(f"weights file {weights_path.name} is missing{of}")
    if not card.sha256:  # a card edited by hand, or not written by GlyphPad: nothing to check the weights by
        raise WeightsError(
            f"model card {card_path_for(weights_path).name} records no sha256 of its weights, so they cannot be "
            "checked: use the card written with them by training, or retrain"
        )
    try:
        actual = sha256_of(weights_path)
    except OSError as error:  # a folder named like weights, a file that cannot be read
        raise WeightsError(f"{weights_path.name} cannot be read ({error.strerror or error})") from error
    if actual != card.sha256:
        raise WeightsError(
            f"{weights_path.name} is damaged or was replaced: its sha256 {actual[:12]}... does not match "
            f"the card's {card.sha256[:12]}..."
        )
    return card


def misnamed(card: ModelCard, weights_path: Path) -> str:
    """Why a model whose card names it otherwise than its files cannot be listed ("" when it can): it is
    asked for by its card's name, so two models answered to one name (a copy of letters_lenet5 as
    other_letters answered as letters_lenet5, listed twice)."""
    if card.name == weights_path.stem:
        return ""
    return (
        f"its card names it {card.name}: a model's card names it as its files are named (give a copy another "
        "name with training's --name, or edit the card's name)"
    )


def weights_dir() -> Path:
    return Path(os.environ.get("GLYPHPAD_WEIGHTS") or DEFAULT_WEIGHTS_DIR)


def folder_missing(folder: Path) -> str:
    """Why ``folder`` is no folder to hold models ("does not exist", "is a file, not a folder"), or ""."""
    if folder.is_dir():
        return ""
    return "is a file, not a folder" if folder.exists() else "does not exist"


def no_models_said(folder: Path) -> str:
    """Why ``folder`` gave no models, said with where it came from (a lab's GLYPHPAD_WEIGHTS pointing at a
    folder that is not there was "No models found in the weights folder", naming neither)."""
    return f"No models: {no_models_reason(folder)}"


def no_models_reason(folder: Path) -> str:
    """:func:`no_models_said` as a clause: "there are no models in the weights folder … (… names it)"."""
    missing = folder_missing(folder)
    why = f"the weights folder {folder} {missing}" if missing else f"there are no models in the weights folder {folder}"
    if os.environ.get("GLYPHPAD_WEIGHTS"):
        return f"{why} (GLYPHPAD_WEIGHTS names it)"
    return f"{why} (GlyphPad's own: reinstall it, or point GLYPHPAD_WEIGHTS at a folder of models)"


def replaces_a_model(name: str, subfolder: str = "") -> str:
    """What copying a model named ``name`` into the weights folder (its ``subfolder``) would replace, said
    as a clause for a training run's closing hint ("" when nothing has that name)."""
    there = weights_dir() / subfolder / f"{name}.safetensors"
    if not there.exists():
        return ""
    return f" (this replaces the model named {name} there: --name gives yours another name)"


def list_bundled(directory: Path | None = None) -> list[Path]:
    """Weights files that have a card beside them, sorted by name."""
    directory = directory or weights_dir()
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.safetensors") if p.with_suffix(".json").exists())


def model_files(directory: Path) -> list[Path]:
    """The weights path of every model in ``directory`` that has a card or weights (sorted by name)."""
    names = {p.stem for p in directory.glob("*.json") if not p.name.endswith(".metrics.json")}
    names |= {p.stem for p in directory.glob("*.safetensors")}
    return [directory / f"{name}.safetensors" for name in sorted(names)]


def bundled_cards(directory: Path | None = None) -> list[tuple[Path, ModelCard | WeightsError]]:
    """Every model in the folder, by card or by weights file, with its card or why it cannot be used.

    A card is checked as loading checks it (weights and ONNX graph present and matching their sha256,
    the preprocessing version this code has), so a listed model that is not an error will load; a
    weights file without a card is listed with that reason instead of left out.
    """
    out: list[tuple[Path, ModelCard | WeightsError]] = []
    for weights_path in model_files(directory or weights_dir()):
        try:
            card = verified_card(weights_path)
            verified_onnx(weights_path, card)
        except WeightsError as error:
            out.append((weights_path, error))
            continue
        out.append((weights_path, card))
    return out


def stroke_models_dir(directory: Path | None = None) -> Path:
    """Where the stroke models live: ``strokes/`` inside the weights folder (apart from the image models,
    which the Model menu, Compare and batch prediction list)."""
    return (directory or weights_dir()) / "strokes"


def _best_fusion(
    image_model: str, cards: list[tuple[Path, ModelCard | WeightsError]], image_sha256: str
) -> tuple[Path, ModelCard] | None:
    candidates = []
    for weights_path, card in cards:
        if (
            isinstance(card, ModelCard)
            and card.input_kind == "strokes"
            and card.fusion.get("image_model") == image_model
            and (not image_sha256 or card.fusion.get("image_sha256", image_sha256) == image_sha256)
        ):
            candidates.append((-(card.figure(FUSED_PEN_VAL) or 0.0), weights_path.name, weights_path, card))
    if not candidates:
        return None
    best = min(candidates, key=lambda candidate: candidate[:2])
    return best[2], best[3]


def fusion_partner(image_model: str, directory: Path | None = None, image_sha256: str = "") -> Path | None:
    """The stroke model fused with ``image_model``: of the valid ones whose card names it (and, given
    ``image_sha256``, was fitted with those very weights: a retrained image model needs its fusion fitted
    again), the one whose fusion reads the validation writers best (ties: by name); None if none."""
    best = _best_fusion(image_model, bundled_cards(stroke_models_dir(directory)), image_sha256)
    return best[0] if best else None


def drawings_figures(image_cards: list[ModelCard], directory: Path | None = None) -> dict[str, tuple[float, str]]:
    """For each image model that has a stroke model fitted to it: how often a drawing is read right when
    it answers with that stroke model (the fused answer on UNIPEN's test writers) and the stroke model's
    name.

    For display only, next to the models' names: the stroke cards are read once and the weights not
    hashed (``fusion_partner`` does, once a model is loaded), so that listing the models stays quick."""
    cards: list[tuple[Path, ModelCard | WeightsError]] = list(_stroke_cards_unverified(directory))
    figures = {}
    for image_card in image_cards:
        best = _best_fusion(image_card.name, cards, image_card.sha256)
        accuracy = best[1].figure(FUSED_PEN_TEST) if best else None
        if best is not None and accuracy is not None:
            figures[image_card.name] = (accuracy, best[1].name)
    return figures


def stroke_model_for(label_set: str, directory: Path | None = None) -> str | None:
    """The stroke model that reads ``label_set``'s classes (its own, or classes made of its own: the
    36-class one reads a letters model's, and a 62-class one's with the picture telling the case) whose
    fusion reads the validation writers best (ties: by name), to fit to a new image model of those classes;
    None when there is none that can be used (a damaged one was suggested, and fuse then refused it)."""
    from ml.runtime.labels import class_columns, get_label_set

    classes = get_label_set(label_set).classes
    candidates = [
        (-(card.figure(FUSED_PEN_VAL) or 0.0), path.stem)
        for path, card in _stroke_cards_unverified(directory)
        if class_columns(classes, card.labels) is not None and card.fusion and not card.fusion.get("copy_of")
    ]
    usable = (name for _, name in sorted(candidates) if not stroke_model_problem(name, directory))
    return next(usable, None)


def refit_command(strokes_name: str, image_model: str, directory: Path | None = None) -> str:
    """The command that fits ``strokes_name``'s fusion to ``image_model`` as its weights are now: with
    ``--lines`` where its card holds a written line's weights fitted for ``image_model`` (fitted to other
    weights, they are not kept, and text mode would read lines with a lone character's: the suggested command
    dropped them). Not for another image model's lines: a model trained just now was told to fit lines too, a
    quarter of an hour with nothing said, because strokes36_pair holds the default's."""
    command = f"glyphpad-ml fuse --strokes-model {strokes_name} --image-model {image_model} --write"
    cards = [card for _, card in _stroke_cards_unverified(directory) if card.name == strokes_name]
    lines = bool(cards) and bool(cards[0].fusion.get("line_fitted_on"))
    return command + (" --lines" if lines and cards[0].fusion.get("image_model") == image_model else "")


def stale_fusions(image_model: str, image_sha256: str, directory: Path | None = None) -> list[str]:
    """The stroke models fitted to an image model of this name but other weights (retrained, or replaced,
    since): fused with none until they are fitted again (:func:`refit_command`). Retrained under its own
    name, a person's model read drawings from the picture alone, and nothing said why."""
    if not image_sha256:  # (a model whose card cannot be read: nothing to compare with)
        return []
    cards = _stroke_cards_unverified(directory)
    return [card.name for _, card in cards if fitted_to_other_weights(card.fusion, image_model, image_sha256)]


def _stroke_cards_unverified(directory: Path | None = None) -> list[tuple[Path, ModelCard]]:
    """The stroke models' readable cards, their weights not hashed (for what is said about them, quickly);
    a damaged card is left out: loading says so."""
    cards = []
    for weights_path in model_files(stroke_models_dir(directory)):
        try:
            cards.append((weights_path, read_card(card_path_for(weights_path))))
        except (WeightsError, KeyError, TypeError, ValueError):
            continue
    return cards


def fitted_to_other_weights(fusion: dict[str, Any], image_model: str, image_sha256: str) -> bool:
    """Whether ``fusion`` (a stroke card's) names ``image_model`` but was fitted to other weights than
    ``image_sha256``."""
    fitted_to = fusion.get("image_sha256")
    return fusion.get("image_model") == image_model and bool(fitted_to) and fitted_to != image_sha256


def is_named_model(name: str, weights_path: Path) -> bool:
    """Whether ``name`` finds the model at ``weights_path`` in the weights folder (a model given by its path
    may share its name with another one there)."""
    try:
        return resolve_model_path(name).resolve() == weights_path.resolve()
    except WeightsError:
        return False


def drawings_figure(image_card: ModelCard, directory: Path | None = None) -> tuple[float, str] | None:
    """``drawings_figures`` for one image model; None when no stroke model is fitted to it."""
    return drawings_figures([image_card], directory).get(image_card.name)


def stroke_model_problem(name: str, directory: Path | None = None) -> str:
    """Why the stroke model ``name`` cannot be used (its weights, graph or card missing or damaged), or
    "" when it can: for telling a person why drawings are read without the stroke model fitted best."""
    weights_path = stroke_models_dir(directory) / f"{name}.safetensors"
    try:
        verified_onnx(weights_path, verified_card(weights_path))
    except WeightsError as error:
        return str(error)
    return ""


DEFAULT_MODEL = "emnist36_cnn"
# Text mode (ml.runtime.line_reader) reads a line with the model in use and, when bundled, these:
CASE_MODEL = "byclass62"  # a model that knows case, for a label set that merges cases
# A picture of a line has no strokes to read, so a second image model of the same classes reads it too
# and the two answers are averaged (their log-probabilities): validation words as pictures, CER 15.70 ->
# 14.82%, words 50.0 -> 53.0%, p50 14.6 -> 19.8 ms a word. From strokes it did not help (10.25 -> 10.55%):
# the stroke model already gives the second opinion.
PICTURE_PARTNER = "emnist36"


def default_model_name() -> str:
    """The app's and the CLI's default: ``emnist36_cnn`` when bundled, else the first bundled model."""
    names = [p.stem for p in list_bundled()]
    return DEFAULT_MODEL if DEFAULT_MODEL in names or not names else names[0]


MODEL_FILE_SUFFIXES = (".safetensors", ".onnx", ".json")  # a model's weights, graph and card, side by side


def resolve_model_path(name_or_path: str | Path) -> Path:
    """The weights file of a bundled model's name, or of a path to any of a model's three files. A
    bundled model's name wins over a folder of that name where the command runs (a folder of digit
    pictures called ``digits``)."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() in MODEL_FILE_SUFFIXES:
        if candidate.suffix.lower() == ".safetensors" and candidate.exists():
            return candidate
        weights = candidate.with_suffix(".safetensors")
        if not weights.exists() and not weights.with_suffix(".json").exists():
            raise ModelNameError(f"no such model file: {candidate}")
        return weights
    bundled = [folder / f"{name_or_path}.safetensors" for folder in (weights_dir(), stroke_models_dir())]
    found = [path for path in bundled if path.exists() or path.with_suffix(".json").exists()]
    if found and len(candidate.parts) == 1:
        return found[0]
    if candidate.is_dir():
        raise ModelNameError(f"{candidate} is a folder: name a model, or its .safetensors file")
    if candidate.exists():  # a picture or other file given where a model was asked for
        raise ModelNameError(f"{candidate} is not a model: give a model's name or its .safetensors file")
    if found:  # a name inside the weights folder, such as strokes/strokes36_gru
        return found[0]
    there = not folder_missing(weights_dir())
    available = [p.stem for p in list_bundled() + list_bundled(stroke_models_dir())] if there else []
    if not available:  # no name could be right (GLYPHPAD_WEIGHTS naming an empty folder, or none): said where from
        raise NoModelsError(f"no model named {name_or_path!r}: {no_models_reason(weights_dir())}")
    starting = [name for name in available if name.startswith(str(name_or_path))]
    if len(starting) > 1:  # "letters" was answered "did you mean letters_gru?", one of nine picked by spelling
        raise ModelNameError(
            f"no model named {name_or_path!r} in {weights_dir()}; did you mean one of {', '.join(starting)}?"
        )
    # A typo ("mine63") was answered with seventeen names to read through.
    close = difflib.get_close_matches(str(name_or_path), available, n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise ModelNameError(
        f"no model named {name_or_path!r} in {weights_dir()}{hint} (available: {', '.join(available)})"
    )
