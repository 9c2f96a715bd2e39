"""``glyphpad-ml models``: the bundled models, and for each one that cannot load, why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ml.cli.common import CommandParser, fail, json_safe, some_or_all_failed
from ml.runtime.cards import FUSED_PEN_TEST, PEN_TEST, ModelCard
from ml.runtime.labels import tells_case_apart


def run(argv: list[str]) -> int:
    from ml.runtime.cards import (
        WeightsError,
        bundled_cards,
        drawings_figures,
        fitted_to_other_weights,
        misnamed,
        no_models_said,
        refit_command,
        stroke_models_dir,
        weights_dir,
    )

    parser = CommandParser(prog="glyphpad-ml models", description="List the bundled models.")
    parser.add_argument("--json", action="store_true", help="a JSON list, one object per model")
    parser.add_argument("--dir", type=Path, default=None, help="weights folder (default: the bundled weights/)")
    args = parser.parse_args(argv)
    entries: list[dict[str, Any]] = []
    image_cards: list[ModelCard] = []
    folder = args.dir or weights_dir()
    if not folder.is_dir():
        if args.dir is None:  # GLYPHPAD_WEIGHTS's, or GlyphPad's own: said where it came from
            return fail("models", no_models_said(folder))
        return fail("models", f"{folder} is not a folder" if folder.exists() else f"no such folder: {folder}")
    for weights_path, card in bundled_cards(folder) + bundled_cards(stroke_models_dir(folder)):
        if not isinstance(card, WeightsError):
            card = _fits_its_architecture(weights_path, card)
        if not isinstance(card, WeightsError) and (wrong_name := misnamed(card, weights_path)):
            card = WeightsError(wrong_name)  # (as the app lists it: unavailable, and why)
        if isinstance(card, WeightsError):
            entries.append(
                {"name": weights_path.stem, "path": str(weights_path), "available": False, "error": str(card)}
            )
            continue
        if card.input_kind == "image":
            image_cards.append(card)
        entries.append(
            {
                "name": card.name,
                "path": str(weights_path),  # two files whose cards give one name are told apart
                "arch": card.arch,
                "label_set": card.label_set,
                "labels": card.labels,
                "params": card.params,
                "metrics": card.metrics,
                "description": card.description,
                "metrics_by_source": card.metrics_by_source,
                "input": card.input_kind,
                "sha256": card.sha256,
                **(
                    {
                        "fused_with": card.fusion["image_model"],
                        "fusion": card.fusion,
                        **_fusion_problem(card.fusion, _fused_classes(card)),
                    }
                    if card.fusion.get("image_model")
                    else {}
                ),
                "available": True,
            }
        )
    entries += _piece_verifier(folder)
    # Every model listed; 1 when any cannot be used (a script checking a weights folder learns it), 2 when
    # none can, as for any command's inputs.
    unusable = sum(1 for entry in entries if not entry["available"])
    status = some_or_all_failed(unusable, len(entries))
    if args.json:
        print(json.dumps(json_safe(entries)))
    if not entries:  # none usable: 2, and said (a script checking the folder read [] and 0 as "fine")
        return fail("models", no_models_said(folder) if args.dir is None else f"there are no models in {folder}")
    if args.json:
        return status
    shas = {entry["name"]: entry["sha256"] for entry in entries if entry["available"] and entry["input"] == "image"}
    # A drawing is read with the image model's stroke model where it has one: the figure the app's Model box
    # shows beside the picture's own (a practitioner's trial found 92.0% there and 89.42% here).
    with_strokes = drawings_figures(image_cards, folder)
    usable_strokes = {
        entry["name"]
        for entry in entries
        if entry["available"] and entry["input"] == "strokes" and "fusion_problem" not in entry
    }
    # A column as wide as the longest name (a fused copy's "strokes36_pair_emnist36_lenet5" pushed its row out).
    width = max([28, *(len(entry["name"]) + 1 for entry in entries)])
    for entry in entries:
        if not entry["available"]:
            print(f"{entry['name']:{width}s} unavailable: {entry['error']}")
            continue
        if entry["input"] == "pieces":
            print(f"{entry['name']:{width}s} {entry['description']}: {_verifier_scores(entry['metrics'])}")
            continue
        pen = entry["metrics_by_source"].get(PEN_TEST, {}).get("accuracy")
        pen_shown = f"{100 * pen:.2f}%" if isinstance(pen, float) else "n/a"
        head = f"{entry['name']:{width}s} {entry['arch']:16s} {entry['label_set']:11s} {entry['params']:>10,d} params  "
        if entry["input"] == "strokes":
            fused = entry["metrics_by_source"].get(FUSED_PEN_TEST, {}).get("accuracy")
            fused_shown = f"{100 * fused:.2f}%" if isinstance(fused, float) else "n/a"
            partner = entry.get("fused_with", "no image model")
            if "fusion_problem" in entry:  # (listed as fused while the app and predict passed it over)
                fused_shown = f"n/a: its fusion weights cannot be used ({entry['fusion_problem']})"
            elif partner in shas and fitted_to_other_weights(entry["fusion"], partner, shas[partner]):
                folder_set = f"GLYPHPAD_WEIGHTS={folder} " if args.dir else ""  # the command finds models by name
                refit = folder_set + refit_command(entry["name"], partner, folder)
                fused_shown += f" (fitted to an earlier {partner}: {refit})"
            classes = entry.get("fusion", {}).get("classes")  # a copy fused with a model of other classes
            cased = bool(classes) and tells_case_apart(classes, entry["labels"])
            # (Over a and A the strokes alone say no case: their figure is in their own classes.)
            over = f" ({entry['label_set']}, either case)" if cased else f" over {classes}" if classes else ""
            print(f"{head}strokes{over}: unseen writers {pen_shown}, fused with {partner} {fused_shown}")
            continue
        accuracy = entry["metrics"].get("accuracy")
        shown = f"{100 * accuracy:.2f}%" if isinstance(accuracy, float) else "n/a"
        fused_figure = with_strokes.get(entry["name"])
        if fused_figure and fused_figure[1] not in usable_strokes:  # (listed below as unavailable, or unfused)
            fused_figure = None
        strokes_shown = f" (picture), {100 * fused_figure[0]:.2f}% with {fused_figure[1]}" if fused_figure else ""
        print(f"{head}EMNIST held out {shown}  pen, unseen writers {pen_shown}{strokes_shown}")
    return status


def _fused_classes(card: ModelCard) -> int:
    """How many classes a stroke model's fusion answers in: the image model's (``fusion.classes``, a copy
    fused with a letters model), else its own."""
    from ml.runtime.labels import get_label_set

    try:
        return len(get_label_set(str(card.fusion["classes"])).classes)
    except (KeyError, ValueError):
        return len(card.labels)


def _fusion_problem(fusion: dict[str, Any], classes: int) -> dict[str, str]:
    """{"fusion_problem": why} where a stroke card's fusion weights cannot be used, as loading it finds."""
    from ml.runtime.fusion import FusionWeights

    try:
        FusionWeights.from_card(fusion).check(classes)
    except (KeyError, TypeError, ValueError) as error:
        return {"fusion_problem": str(error) if isinstance(error, ValueError) else f"it lacks {error}"}
    return {}


def _verifier_scores(metrics: dict[str, Any]) -> str:
    """How often the verifier judged right: of pictures' pieces and of written strokes' candidates when its
    card scores each (a verifier that learnt from both), else of all its validation candidates."""

    def percent(scores: Any) -> str:
        accuracy = scores.get("accuracy") if isinstance(scores, dict) else None
        return f"{100 * accuracy:.2f}%" if isinstance(accuracy, float) else "n/a"

    split = metrics.get("split")  # (validation writers': not unseen ones)
    on = f" ({split})" if split else ""
    if isinstance(metrics.get("strokes"), dict):
        pictures, strokes = percent(metrics.get("pictures")), percent(metrics["strokes"])
        return f"{pictures} of pictures' pieces and {strokes} of written strokes' candidates judged right{on}"
    return f"{percent(metrics)} of pieces judged right{on}"


def _piece_verifier(folder: Path) -> list[dict[str, Any]]:
    """Text mode's piece verifier, when the folder holds one."""
    from ml.runtime.cards import WeightsError
    from ml.runtime.piece_verifier import VERIFIER_NAME, PieceVerifier, verifier_files

    path = str(verifier_files(folder)[0])
    try:
        verifier = PieceVerifier.load(folder)
    except WeightsError as error:
        return [{"name": VERIFIER_NAME, "path": path, "available": False, "error": str(error)}]
    if verifier is None:
        return []
    card = verifier.card
    return [
        {
            "name": VERIFIER_NAME,
            "path": path,
            "input": "pieces",
            "description": "text mode: is a piece of a written line one character",
            "params": card.get("params", 0),
            "metrics": card.get("metrics", {}),
            "available": True,
        }
    ]


def _fits_its_architecture(weights_path: Path, card: Any) -> Any:
    """The card, or a WeightsError when its architecture is unknown or the weights do not fit it
    (explanations and CUDA build the model in torch from the card)."""
    from ml.runtime.cards import WeightsError
    from ml.runtime.weights import load_weights

    try:
        load_weights(weights_path)
    except WeightsError as error:
        return error
    except ValueError as error:  # an architecture the registry does not know
        return WeightsError(f"{card.name}: {error}")
    return card
