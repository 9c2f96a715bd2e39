"""``glyphpad-ml csv-to-png``: a CSV dataset (Kaggle A-Z, MNIST, EMNIST CSV) as class folders of PNGs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ml.cli.common import fail


def run(argv: list[str]) -> int:
    from ml.training.data.csv_files import LAYOUTS, read_csv, write_class_folders

    parser = argparse.ArgumentParser(prog="glyphpad-ml csv-to-png", description="CSV dataset -> class folders of PNGs.")
    parser.add_argument("csv", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", default="auto", choices=LAYOUTS)
    parser.add_argument("--mapping", type=Path, default=None, help="EMNIST mapping file (emnist layout)")
    parser.add_argument(
        "--transposed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="images stored transposed (default: only for the emnist layout)",
    )
    args = parser.parse_args(argv)
    try:
        dataset = read_csv(args.csv, layout=args.layout, mapping=args.mapping, transposed=args.transposed)
    except (OSError, ValueError) as error:
        return fail("csv-to-png", str(error))
    count = write_class_folders(dataset, args.out)
    print(f"wrote {count} images in {len(set(dataset.chars.tolist()))} class folders under {args.out}")
    return 0
