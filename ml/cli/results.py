"""``glyphpad-ml results``: the results table from the model cards (and into the README)."""

from __future__ import annotations

import sys
from pathlib import Path

from ml.cli.common import CommandParser, fail
from ml.evaluation.results import RESULTS_END, RESULTS_START, replace_between_markers, results_table, said_updated


def run(argv: list[str]) -> int:
    parser = CommandParser(prog="glyphpad-ml results", description="Markdown results table from the cards.")
    parser.add_argument("--dir", type=Path, default=None, help="weights folder (default: the bundled weights/)")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite the table between the results markers")
    args = parser.parse_args(argv)
    from ml.runtime.cards import WeightsError, bundled_cards, stroke_models_dir, weights_dir

    folder = args.dir or weights_dir()
    if not folder.is_dir():  # an empty table, exit 0, read as "no models" rather than a wrong folder
        return fail("results", f"{folder} is not a folder" if folder.exists() else f"no such folder: {folder}")
    for weights_path, card in bundled_cards(folder) + bundled_cards(stroke_models_dir(folder)):
        if isinstance(card, WeightsError):  # left out of the table: say so, or it looks complete
            print(f"left out {weights_path.stem}: {card}", file=sys.stderr)
    table = results_table(args.dir)
    if args.readme is None:
        print(table)
        return 0
    try:
        changed = replace_between_markers(args.readme, RESULTS_START, RESULTS_END, table)
    except ValueError as error:
        return fail("results", str(error))
    print(said_updated("the results table", args.readme, changed))
    return 0
