"""``glyphpad-ml calibrate``: fit a model's temperature on validation writers (and store it in its card)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from ml.cli.common import CommandParser, fail, json_safe, models_to_fit
from ml.runtime.cards import card_path_for, write_card
from ml.training.data.locations import PEN_DATA_HELP


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml calibrate",
        description=(
            "Fit the temperature that makes a model's confidence alone what UNIPEN's validation writers bear out "
            "(lowest log-loss; no answer changes), and say its calibration error before and after on the "
            "validation and test writers. A fusion and text mode's lines are not changed by it."
        ),
    )
    parser.add_argument("--model", required=True, action="append", help="bundled model name or path (repeatable)")
    parser.add_argument("--pen-data", type=Path, default=None, help=PEN_DATA_HELP)
    parser.add_argument(
        "--write",
        action="store_true",
        help="store the temperature and its figures in the model card (then 'glyphpad-ml evaluate --model NAME "
        "--update-card')",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line per model")
    return parser


def run(argv: list[str]) -> int:
    from ml.evaluation.calibration import calibrate

    args = get_args_parser().parse_args(argv)
    models = models_to_fit("calibrate", args.model)
    if isinstance(models, int):
        return models
    for name, recognizer in zip(args.model, models, strict=True):
        card = recognizer.card
        started = time.perf_counter()
        # On a line of its own: the drawings' rendering, the first time, says its progress under it (" 28 s"
        # was left alone on a line after it, a CLI trial's).
        print(f"reading UNIPEN's validation and test writers with {card.name}…", file=sys.stderr, flush=True)
        try:
            fitted = calibrate(recognizer, args.pen_data)
        except (FileNotFoundError, ValueError) as error:
            return fail("calibrate", str(error))
        print(f"read in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if args.json:
            print(
                json.dumps(
                    json_safe(
                        {
                            "model": card.name,
                            "temperature": fitted.temperature,
                            "card_temperature": card.temperature,  # (before --write)
                            # [as trained (temperature 1), with the fitted temperature], per source
                            "calibration_error": fitted.error,
                            "log_loss": fitted.log_loss,
                            "n": fitted.drawings,
                        }
                    )
                )
            )
        else:
            held = "no temperature" if card.temperature == 1.0 else f"{card.temperature:g}"
            print(
                f"{card.name}: temperature {fitted.temperature:g} (lowest log-loss on {fitted.fitted_on}; "
                f"its card holds {held})"
            )
            for source, (before, after) in fitted.error.items():
                writers = "validation" if source == "unipen_val" else "test"
                loss_before, loss_after = fitted.log_loss[source]
                # (Before: the model as trained, whatever temperature its card holds: it is fitted afresh.)
                print(
                    f"  {writers:10s} writers (n={fitted.drawings[source]}): calibration error as trained "
                    f"{100 * before:.2f} points, at {fitted.temperature:g} {100 * after:.2f}; log-loss "
                    f"{loss_before:.4f} -> {loss_after:.4f}"
                )
            if not args.write:
                print("  (not written: --write stores it in the card)")
        if args.write:
            calibration = {
                "fitted_on": fitted.fitted_on,
                "command": f"glyphpad-ml calibrate --model {name} --write",  # (the model as it was given)
                "calibration_error": {s: [round(b, 5), round(a, 5)] for s, (b, a) in fitted.error.items()},
            }
            write_card(
                replace(card, temperature=fitted.temperature, calibration=calibration),
                card_path_for(recognizer.weights_path),
            )
            said = sys.stderr if args.json else sys.stdout
            then = f"glyphpad-ml evaluate --model {name} --update-card"  # (without --model it is refused)
            print(f"  wrote it into {card.name}'s card: run '{then}' next", file=said)
    return 0
