"""``glyphpad-ml fuse``: fit the fusion of a stroke model with an image model on validation writers,
score it on test writers, and store it in the stroke model's card."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ml.cli.common import CommandParser, fail, json_safe
from ml.evaluation.results import lookalike_counts
from ml.runtime.atomic_files import write_atomically
from ml.runtime.cards import (
    ModelCard,
    WeightsError,
    card_path_for,
    is_named_model,
    onnx_path_for,
    weights_dir,
    weights_file,
    write_card,
)
from ml.training.data.locations import PEN_DATA_HELP
from ml.training.metrics import scores_line


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml fuse",
        description="Fit image + stroke fusion weights on UNIPEN validation writers and score them on test writers.",
    )
    parser.add_argument("--strokes-model", required=True, help="stroke model name (weights/strokes) or path")
    parser.add_argument(
        "--image-model", default="", help="image model (default: the one in the stroke card, else the default)"
    )
    parser.add_argument("--pen-data", type=Path, default=None, help=PEN_DATA_HELP)
    parser.add_argument(
        "--write",
        action="store_true",
        help=(
            "store the weights and figures in the stroke model's card (in a copy named STROKES_IMAGE beside "
            "it when it is fused with another image model)"
        ),
    )
    parser.add_argument("--name", default="", help="the name of the copy --write makes (default: STROKES_IMAGE)")
    parser.add_argument(
        "--lines",
        action="store_true",
        help="also fit the strokes' weight in a written line (text mode) on words composed from the validation "
        "writers' characters, and score it on the test writers' (a quarter of an hour more on two cores)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def print_scores(title: str, scores: dict[str, dict[str, Any]]) -> None:
    print(title)
    for kind, result in scores.items():
        per_pen = "  ".join(f"{k} {100 * v:.2f}%" for k, v in result.get("per_condition", {}).items())
        looks = ", ".join(lookalike_counts(result))
        sure = f"calibration error {100 * result['calibration_error']:.2f}  " if "calibration_error" in result else ""
        print(f"  {kind:8s} {scores_line(result)}  {sure}{per_pen}  {looks}")


def adds_nothing(scores: dict[str, dict[str, Any]], strokes_name: str, image_name: str) -> str | None:
    """What to say when the fused answer reads the validation writers no better than the picture alone
    (a stroke model trained too briefly): with --write and in weights/strokes/, the app could answer with
    it (it fuses the stroke model fitted best for the image model)."""
    fused, image = scores["fused"]["accuracy"], scores["image"]["accuracy"]
    if fused > image:
        return None
    return (
        f"{strokes_name} adds nothing to {image_name} on validation writers (fused {100 * fused:.2f}%, picture "
        f"alone {100 * image:.2f}%); written with --write into weights/strokes/, the app would answer with it "
        f"if no stroke model there is fitted better for {image_name}"
    )


def run(argv: list[str]) -> int:
    from ml.evaluation.fusion_fit import fit_fusion, paired_probabilities, score_fusion
    from ml.runtime.cards import default_model_name
    from ml.runtime.fusion import strokes_in_classes_of
    from ml.runtime.labels import get_label_set, tells_case_apart
    from ml.runtime.recognizer import BATCH_THREADS, load_recognizer

    args = get_args_parser().parse_args(argv)
    try:
        strokes = load_recognizer(args.strokes_model, device="cpu", threads=BATCH_THREADS)
        if strokes.card.input_kind != "strokes":
            return fail("fuse", f"{strokes.card.name} is an image model; --strokes-model needs a stroke model")
        image_name = args.image_model or strokes.card.fusion.get("image_model") or default_model_name()
    except WeightsError as error:
        return fail("fuse", str(error))
    try:
        image = load_recognizer(image_name, device="cpu", threads=BATCH_THREADS)
    except WeightsError as error:
        missing = str(error).startswith("no model named")
        # (A teacher ran fuse before copying the model they had just trained into the weights folder.)
        hint = "; a model trained just now: copy it into the weights folder first, or give its .safetensors file"
        return fail("fuse", f"{error}{hint if missing else ''}")
    if image.card.input_kind != "image":
        return fail("fuse", f"{image.card.name} is a stroke model: --image-model takes a model that reads pictures")
    try:
        # (The 36-class stroke model reads a letters model's drawings over the letters, a 62-class one's
        # leaving the case to the picture.)
        reading = strokes_in_classes_of(image, strokes)
    except WeightsError:
        return fail(
            "fuse",
            f"{image.card.name} reads {image.card.label_set} ({len(image.labels)} classes), {strokes.card.name} "
            f"{strokes.card.label_set} ({len(strokes.labels)}): a stroke model is fused with an image model of "
            "its own classes, or of classes made of them",
        )
    cased = tells_case_apart(image.card.label_set, strokes.labels)  # a and A: the picture's
    target = fused_copy_path(strokes.card, image.card.name, strokes.weights_path, args.name)
    if args.write and (taken := copy_name_taken(target, strokes.card, image.card.name)):
        return fail("fuse", taken)
    try:
        # A minute or more on two cores, each part said as it starts (it looked hung).
        paired = {}
        for part, writers in (("val", "validation"), ("test", "test")):
            started = time.perf_counter()
            # (On a line of its own: the drawings' rendering, the first time, says its progress under it.)
            print(
                f"reading UNIPEN {writers} writers' drawings with {image.card.name} and {strokes.card.name}…",
                file=sys.stderr,
                flush=True,
            )
            paired[part] = paired_probabilities(image, reading, part, args.pen_data)
            print(f"read in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        val, test = paired["val"], paired["test"]
    except (FileNotFoundError, ValueError) as error:
        return fail("fuse", str(error))
    weights, strength, table = fit_fusion(val, get_label_set(image.card.label_set))
    labels = list(image.labels)
    scores = {"unipen_val": score_fusion(val, weights, labels), "unipen_test": score_fusion(test, weights, labels)}
    if not args.json:
        print(
            f"{strokes.card.name} + {image.card.name}: image weight {weights.image}, stroke weight {weights.strokes}, "
            f"character prior x{strength} (best of {len(table)} choices on validation writers, per-character "
            f"accuracy); the confidence's temperature {weights.temperature} (their lowest log-loss)"
        )
        print_scores(f"UNIPEN validation writers (n={len(val.data.targets)} drawings):", scores["unipen_val"])
        print_scores(f"UNIPEN test writers (n={len(test.data.targets)} drawings):", scores["unipen_test"])
        if cased:
            print(
                f"  (the strokes alone cannot tell a from A: their top-1 over {image.card.label_set}'s classes counts "
                "every other case wrong; the fused answer takes the case from the picture)"
            )
    if warning := adds_nothing(scores["unipen_val"], strokes.card.name, image.card.name):
        print(f"warning: {warning}", file=sys.stderr)
    lines: dict[str, Any] = {}
    if args.lines:
        try:
            weights, lines = fit_lines(image, reading, weights, args.pen_data, quiet=args.json)
        except (FileNotFoundError, ValueError) as error:
            return fail("fuse", str(error))
    elif (kept := lines_fitted_before(strokes.card, image.card)) is not None:
        # (Fitted again without --lines, the card lost the weights a quarter of an hour had fitted.)
        weights = replace(weights, line_image=kept[0], line_strokes=kept[1])
        before = strokes.card.fusion
        lines = {"fitted_on": before["line_fitted_on"], "command": before.get("line_command", before.get("command"))}
    if args.json:
        figures = {
            "image_weight": weights.image,
            "stroke_weight": weights.strokes,
            "prior_strength": strength,
            "temperature": weights.temperature,
        }
        print(json.dumps(json_safe({**figures, **scores, **({"lines": lines} if args.lines else {})})))
    if not args.write and not args.json:
        where = "its card" if target == strokes.weights_path else f"{target.stem}'s card, beside it"
        print(f"nothing written: --write stores this fusion in {where}")
    if args.write:
        fusion = {
            "image_model": image.card.name,
            "image_sha256": image.card.sha256,
            "image_weight": weights.image,
            "stroke_weight": weights.strokes,
            "prior_strength": strength,
            "prior_log": list(weights.prior_log),
            "temperature": weights.temperature,
            "fitted_on": "UNIPEN validation writers, drawn with the thin, default and thick evaluation pens",
            "command": "glyphpad-ml fuse " + " ".join(argv),
        }
        if reading is not strokes:  # its figures alone, as in the fusion, over the image model's classes
            fusion["classes"] = image.card.label_set
        if weights.line_strokes is not None and weights.line_image is not None:
            fusion["line_image_weight"] = weights.line_image
            fusion["line_stroke_weight"] = weights.line_strokes
            fusion["line_fitted_on"] = lines["fitted_on"]
            fusion["line_command"] = lines.get("command") or fusion["command"]
        by_source = dict(strokes.card.metrics_by_source)
        if cased and strokes.card.fusion.get("classes"):  # (a copy's own figures were over another model's classes)
            for part in scores:
                by_source.pop(part, None)
        # (Over classes that tell a from A, which the strokes alone cannot, their own figures stay.)
        for part, result in scores.items():
            if not cased:
                by_source[part] = result["strokes"]
            by_source[f"fused_{part}"] = result["fused"]
            by_source[f"image_{part}"] = result["image"]
        name, said = target.stem, sys.stderr if args.json else sys.stdout  # (--json: stdout holds the JSON)
        copy_of = original_of(strokes.card)
        if target != strokes.weights_path:  # a copy beside it: its card alone, the weights are the original's
            shared = weights_file(strokes.weights_path, strokes.card)
            if shared != target.with_name(f"{copy_of}{shared.suffix}"):  # (a file named otherwise: copied)
                for source in (shared, onnx_path_for(shared)):
                    write_atomically(target.with_suffix(source.suffix), source.read_bytes())
            else:
                for stale in (target, onnx_path_for(target)):  # (a copy written before with its own files)
                    stale.unlink(missing_ok=True)
        if copy_of != name:  # a new copy, or a copy fitted again
            fusion["copy_of"] = copy_of
        card = replace(strokes.card, name=name, fusion=fusion, metrics_by_source=by_source)
        write_card(card, card_path_for(target))
        if name == strokes.card.name:
            print(f"wrote the fusion into {name}'s card", file=said)
        else:
            print(
                f"wrote {name}: {copy_of}'s weights (shared: its card alone) with the fusion fitted to "
                f"{image.card.name}, beside "
                f"{strokes.card.name} in {target.parent} ({strokes.card.name} stays fused with "
                f"{strokes.card.fusion['image_model']})",
                file=said,
            )
        if not is_named_model(image.card.name, image.weights_path):
            print(
                f"note: the fusion names its image model {image.card.name}, and the app, evaluate and bench look "
                f"for it by that name in the weights folder ({weights_dir()}): copy its .safetensors, .onnx and "
                ".json there, or point GLYPHPAD_WEIGHTS at a folder that holds it (and this stroke model in strokes/)",
                file=sys.stderr,
            )
    return 0


def lines_fitted_before(strokes: ModelCard, image: ModelCard) -> tuple[float, float] | None:
    """The picture's and the strokes' weights in a line that ``strokes``' card holds, fitted with the same
    ``image`` model (the same weights), or None."""
    fusion = strokes.fusion
    same = fusion.get("image_model") == image.name and fusion.get("image_sha256") == image.sha256
    fitted = all(fusion.get(key) is not None for key in ("line_image_weight", "line_stroke_weight", "line_fitted_on"))
    if not same or not fitted:
        return None
    return float(fusion["line_image_weight"]), float(fusion["line_stroke_weight"])


def fit_lines(
    image: Any, strokes: Any, weights: Any, pen_data: str | None, quiet: bool = False
) -> tuple[Any, dict[str, Any]]:
    """The picture's and the strokes' weights in a written line, fitted on the validation writers' words and
    scored on the test writers' (:func:`ml.evaluation.fusion_fit.fit_line_weights`): the weights with them,
    and the figures."""
    from ml.evaluation.evaluate import WORD_COUNT
    from ml.evaluation.fusion_fit import fit_line_weights, score_as_lines
    from ml.evaluation.words import compose_words
    from ml.runtime.line_reader import line_companions
    from ml.training.data.unipen import load_unipen, model_writer_seed, writer_split

    said = sys.stderr if quiet else sys.stdout
    pen = load_unipen(pen_data)
    split = writer_split(pen.writers, seed=model_writer_seed(strokes.card))
    val, test = (compose_words(pen, split.get(part), WORD_COUNT) for part in ("val", "test"))
    print(
        f"reading {len(val)} validation words as lines with each pair of the picture's and the strokes' weights…",
        file=sys.stderr,
        flush=True,
    )
    companions = line_companions(image, None, "cpu")
    (image_weight, stroke_weight), rates = fit_line_weights(
        image, strokes, weights, val, companions, progress=not quiet
    )
    weights = replace(weights, line_image=image_weight, line_strokes=stroke_weight)
    test_scores = score_as_lines(image, strokes, weights, test, companions, progress=not quiet)
    tried = {f"{a} {b}": rate for (a, b), rate in rates.items()}  # the picture's weight, then the strokes'
    said_tried = ", ".join(f"{pair}: {100 * rate:.2f}%" for pair, rate in tried.items())
    print(
        f"lines: picture's weight {image_weight}, strokes' {stroke_weight} (validation words' CER by the two "
        f"weights: {said_tried})",
        file=said,
    )
    cer, any_case, right = (100 * test_scores[k] for k in ("cer", "cer_case_insensitive", "word_accuracy"))
    print(f"  test words: CER {cer:.2f}% (any case {any_case:.2f}%), word accuracy {right:.2f}%", file=said)
    fitted_on = f"{len(val)} words of 3-10 characters composed from the UNIPEN validation writers' characters"
    figures = {
        "line_image_weight": image_weight,
        "line_stroke_weight": stroke_weight,
        "validation_cer": tried,
        "test_words": {k: v for k, v in test_scores.items() if k != "examples"},
        "fitted_on": fitted_on,
    }
    return weights, figures


def fused_copy_path(strokes: ModelCard, image_name: str, weights_path: Path, name: str = "") -> Path:
    """Where ``--write`` stores a fusion of the stroke model ``strokes`` (at ``weights_path``) with
    ``image_name``: in its own card when it is fused with no model or with that one (fitted again), else in a
    copy named ``name`` or for both, beside it, a copy of a copy named for the original (names grew with
    every fine-tune of a fine-tune). A person's fine-tuned model was fused by rewriting the bundled stroke
    model's card, and the default model then read drawings from the picture alone."""
    fitted_for = strokes.fusion.get("image_model")
    if not fitted_for or fitted_for == image_name:
        return weights_path
    return weights_path.with_name(f"{name or f'{original_of(strokes)}_{image_name}'}{weights_path.suffix}")


def original_of(strokes: ModelCard) -> str:
    """The stroke model whose weights these are: the one a fused copy was made of, else itself."""
    return str(strokes.fusion.get("copy_of") or strokes.name)


def copy_name_taken(target: Path, strokes: ModelCard, image_name: str) -> str:
    """Why the copy cannot be written at ``target`` ("" when it can): another stroke model, or another fusion,
    is there (a copy of strokes + tiny_mine and one of strokes_tiny + mine were both strokes_tiny_mine, and
    the second replaced the first without a word). The same copy fitted again may be replaced."""
    from ml.runtime.cards import read_card

    fitted_for = strokes.fusion.get("image_model")
    if target.stem == strokes.name:  # fitted in its own card, unless --name gave its own name to a copy
        mine = not fitted_for or fitted_for == image_name
        return "" if mine else f"{target.stem} is the stroke model itself, fused with {fitted_for}: name the copy anew"
    if not (target.exists() or card_path_for(target).exists()):
        return ""
    try:
        there = read_card(card_path_for(target))
    except WeightsError:
        there = None
    if there is not None and (there.fusion.get("image_model"), there.fusion.get("copy_of")) == (
        image_name,
        original_of(strokes),
    ):
        return ""
    held = f"fitted to {there.fusion.get('image_model')}" if there is not None else "another model"
    return f"{target.stem} is taken in {target.parent} ({held}): name this copy with --name"
