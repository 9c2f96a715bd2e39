"""``glyphpad-ml csv-to-png``: a CSV dataset (Kaggle A-Z, MNIST, EMNIST CSV) as class folders of PNGs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ml.cli.common import CommandParser, fail, reason_line


def run(argv: list[str]) -> int:
    from ml.training.data.csv_files import LAYOUTS, read_csv, write_class_folders

    parser = CommandParser(
        prog="glyphpad-ml csv-to-png",
        description="A CSV dataset (each row: a label, then 784 pixel values 0-255 of a 28x28 image, row by row; "
        "an optional header line) written out as class folders of PNGs (dark ink on white), which "
        "'glyphpad-ml evaluate --images' and 'predict' read.",
    )
    parser.add_argument("csv", type=Path, help="the CSV file (Kaggle A-Z, MNIST, EMNIST CSV)")
    parser.add_argument("out", type=Path, help="a new or empty folder: one sub-folder per character")
    parser.add_argument(
        "--layout",
        default="auto",
        choices=LAYOUTS,
        help="what the labels mean: digits (0-9), letters (0-25 = A-Z, or 1-26), emnist (per --mapping); "
        "auto (default): emnist with --mapping, else digits when every label is below 10, else letters",
    )
    parser.add_argument("--mapping", type=Path, default=None, help="EMNIST mapping file (emnist layout)")
    parser.add_argument(
        "--transposed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="images stored transposed (default: only for the emnist layout)",
    )
    args = parser.parse_args(argv)
    if args.out.is_dir() and any(args.out.iterdir()):
        # Files are named by their row: a second CSV's would overwrite the first's, or mix with them.
        return fail("csv-to-png", f"{args.out} already holds files: name a new or empty folder")
    try:
        dataset = read_csv(args.csv, layout=args.layout, mapping=args.mapping, transposed=args.transposed)
    except (OSError, ValueError) as error:
        return fail("csv-to-png", reason_line(error))
    if args.layout == "auto" and args.mapping is None:  # with a mapping, the mapping says what labels are
        why = (
            "every label is below 10; --layout letters reads 0-9 as A-J"
            if dataset.layout == "digits"
            else ("a label is 10 or more; --layout digits or emnist reads them otherwise")
        )
        print(f"labels read as {dataset.layout} (guessed: {why})", file=sys.stderr)
    count = write_class_folders(dataset, args.out)
    print(f"wrote {count} images in {len(set(dataset.chars.tolist()))} class folders under {args.out}")
    return 0
