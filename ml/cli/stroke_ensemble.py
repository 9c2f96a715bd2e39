"""``glyphpad-ml stroke-ensemble``: trained stroke models assembled into one that reads with all of them."""

from __future__ import annotations

import argparse
from pathlib import Path

from ml.cli.common import CommandParser, fail
from ml.runtime.cards import WeightsError
from ml.training.data.locations import PEN_DATA_HELP


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml stroke-ensemble",
        description="Assemble trained stroke models into one (the mean of their log-probabilities), score it on "
        "UNIPEN's validation and test writers, and write its weights, ONNX graph and card. Fit its fusion "
        "with glyphpad-ml fuse afterwards.",
    )
    parser.add_argument("--members", nargs="+", required=True, help="stroke model names or weights paths (two or more)")
    parser.add_argument("--name", required=True, help="the ensemble's name, e.g. strokes36_pair")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="folder for its weights, graph and card")
    parser.add_argument("--pen-data", default="", help=PEN_DATA_HELP)
    return parser


def run(argv: list[str]) -> int:
    from ml.training.stroke_ensemble import assemble

    args = get_args_parser().parse_args(argv)
    from ml.training.export import output_problems

    if problems := output_problems(args.name, args.out):
        return fail("stroke-ensemble", "; ".join(problems))
    try:
        assemble(args.members, args.name, args.out, args.pen_data)
    except (WeightsError, ValueError, FileNotFoundError) as error:
        return fail("stroke-ensemble", str(error))
    return 0
