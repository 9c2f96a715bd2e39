"""``glyphpad-ml export``: write the ONNX graph of existing weights and record it in their card."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from ml.cli.common import CommandParser, fail, some_or_all_failed


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml export",
        description="Export models to ONNX (<name>.onnx beside the weights; the card gets its sha256 and opset).",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=None,
        help="bundled model name or .safetensors path (repeatable; default every bundled image and stroke model)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write each model's weights, graph and card to this folder (default: beside its weights, in place)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write a model's graph again even where the one beside its weights is up to date",
    )
    return parser


def _within_weights(path: Path, weights: Path) -> Path:
    """Where a model goes in an --out folder: as it lies in the weights folder (a stroke model in
    strokes/), or by its name."""
    try:
        return path.resolve().relative_to(weights.resolve())
    except ValueError:
        return Path(path.name)


def _shared_weights(path: Path) -> Path | None:
    """The weights file a model's card shares (a stroke model's copy written as its card alone), or None."""
    from ml.runtime.cards import card_path_for, read_card, weights_file

    if path.exists() or not card_path_for(path).exists():
        return None
    shared = weights_file(path, read_card(card_path_for(path)))
    return shared if shared != path else None


def run(argv: list[str]) -> int:
    from ml.runtime.cards import (
        WeightsError,
        card_path_for,
        folder_missing,
        model_files,
        no_models_said,
        resolve_model_path,
        stroke_models_dir,
        weights_dir,
        write_card,
    )
    from ml.runtime.weights import load_weights
    from ml.training.export import ExportError, graph_up_to_date, output_problems, write_onnx

    args = get_args_parser().parse_args(argv)
    if args.model:
        try:  # a model that is not there: said before any is exported (nothing done: 2)
            paths: list[Path] = [resolve_model_path(m) for m in args.model]
        except WeightsError as error:
            return fail("export", str(error))
    else:
        if folder_missing(weights_dir()):
            return fail("export", no_models_said(weights_dir()))
        # Every model the folder holds, one without its card or weights too: said as it fails, as `models` lists
        # it (such a model was passed over without a word).
        paths = model_files(weights_dir()) + model_files(stroke_models_dir())
    if not paths:
        return fail("export", "no models to export")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        return fail("export", f"--out {args.out} is a file: name a folder")
    failed = 0
    out_checked = args.out is None
    for path in paths:
        try:
            shared = _shared_weights(path)
            if shared is not None:  # a stroke model's copy, its card alone: its original's graph is its own
                where = ""
                if args.out is not None:  # with the files it shares, beside it (its card alone could not load)
                    target = args.out / _within_weights(path, weights_dir())
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(card_path_for(path), card_path_for(target))
                    for source in (shared, shared.with_suffix(".onnx"), card_path_for(shared)):
                        if not target.with_name(source.name).exists():
                            shutil.copyfile(source, target.with_name(source.name))
                    where = f"; its card and {shared.stem}'s files copied to {target.parent}"
                print(f"{path.stem}: shares {shared.stem}'s weights and graph (a card alone){where}")
                continue
            model, card = load_weights(path)
            target = path if args.out is None else args.out / _within_weights(path, weights_dir())
            if target.resolve() == path.resolve() and not args.force and graph_up_to_date(model, card, path):
                print(
                    f"{path.with_suffix('.onnx')}: up to date (opset {card.onnx_opset}, sha256 "
                    f"{card.onnx_sha256[:12]}...); --force writes it again"
                )
                continue
            if not out_checked:  # before the first file written: said once, not model by model
                if problems := output_problems("", args.out):
                    return fail("export", "; ".join(problems))
                out_checked = True
            if target.resolve() != path.resolve():  # the weights travel with their graph and card
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            card = write_onnx(model, card, target)
            write_card(card, card_path_for(target))
        except (WeightsError, ExportError, OSError) as error:
            fail("export", f"{path.stem}: {error}", 1)
            failed += 1
            continue
        print(f"{target.with_suffix('.onnx')}: opset {card.onnx_opset}, sha256 {card.onnx_sha256[:12]}...")
    return some_or_all_failed(failed, len(paths))
