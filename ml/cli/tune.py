"""``glyphpad-ml tune``: an Optuna study over a training recipe (see :mod:`ml.training.tune`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ml.cli.common import CommandParser
from ml.runtime.devices import DEVICE_CHOICES, DeviceError
from ml.runtime.labels import LABEL_SETS
from ml.training.data.locations import EMNIST_HELP
from ml.training.train import IMAGE_ARCHS, image_architecture
from ml.training.tune import TRIAL_BUDGET_DEFAULTS, main


def get_args_parser() -> argparse.ArgumentParser:
    p = CommandParser(
        prog="glyphpad-ml tune",
        description="Hyperparameter search (Optuna: TPE sampler, median pruning, a study in SQLite that resumes).",
    )
    p.add_argument(
        "--arch",
        default="baseline_cnn",
        choices=IMAGE_ARCHS,
        type=image_architecture,
        help="image architecture to tune (default %(default)s)",
    )
    p.add_argument("--labels", default="letters26", choices=list(LABEL_SETS), help="label set (default %(default)s)")
    p.add_argument(
        "--trials", type=int, default=12, help="trials to run now, %(default)s by default (a resumed study adds these)"
    )
    # The budget: a resumed study keeps its own where these are left out (its trials compare at one budget).
    budget = TRIAL_BUDGET_DEFAULTS
    p.add_argument(
        "--epochs",
        type=int,
        help=f"epochs per trial (default {budget['epochs']}, or the resumed study's; pruning may end it sooner)",
    )
    p.add_argument(
        "--epoch-samples",
        type=int,
        help=f"samples per epoch of a trial (default {budget['epoch_samples']}, or the resumed study's)",
    )
    p.add_argument(
        "--max-per-class",
        type=int,
        help=f"training samples per class, EMNIST's and the pen drawings' (default {budget['max_per_class']}, or "
        "the resumed study's; 0 = all)",
    )
    p.add_argument("--pen-data", default="", help="UNIPEN archive (default as for train); 'none' = EMNIST only")
    p.add_argument(
        "--no-pen-share",
        dest="search_pen_share",
        action="store_false",
        help="keep the pen share at train's default instead of searching it",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="sampler seed and each trial's training seed (default %(default)s)"
    )
    p.add_argument("--data", default="", help=EMNIST_HELP)
    p.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="training device (default: auto, a CUDA GPU when there is one)",
    )
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0 = OMP_NUM_THREADS when set, else every core)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("runs/tune"),
        help="folder of the studies (study.db) and their best recipes (best-ARCH-LABELS.json); default %(default)s",
    )
    p.add_argument("--no-augment", dest="augment", action="store_false", help="no batch augmentation")
    p.add_argument("--dry-run", action="store_true", help="tiny data and two batches per trial (for tests)")
    return p


def run(argv: list[str]) -> int:
    args = get_args_parser().parse_args(argv)
    if args.trials < 1 or (args.epochs is not None and args.epochs < 1):
        print("glyphpad-ml tune: error: --trials and --epochs must be at least 1", file=sys.stderr)
        return 2
    if args.threads < 0:
        print("glyphpad-ml tune: error: --threads must be 0 (every core) or more", file=sys.stderr)
        return 2
    try:
        main(args)
    except (ValueError, FileNotFoundError, DeviceError) as error:
        print(f"glyphpad-ml tune: error: {error}", file=sys.stderr)
        return 2
    return 0
