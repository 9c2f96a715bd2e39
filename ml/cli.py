"""``glyphpad-ml``: the command-line tool for data, training, evaluation, inference and benchmarks."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

USAGE = """usage: glyphpad-ml COMMAND [options]

commands:
  train        train a model on the EMNIST pool (writes weights, model card, metrics.json)
  evaluate     metrics of a model on the test split, all of an EMNIST folder, or an image folder
  predict      recognize image files or folders (one JSON line per file with --json)
  models       list the bundled models (--json for machine-readable output)
  archs        list the registered architectures
  bench        latency and throughput of the bundled models
  tune         random hyperparameter search
  csv-to-png   write a CSV dataset out as class folders of PNG images
  results      print the README's results table from the model cards
  drawn        accuracy on synthesized drawings (pen widths, sizes, scans) per model

Run 'glyphpad-ml COMMAND --help' for a command's options."""


def _command(name: str) -> Callable[[list[str]], int]:
    if name == "train":
        from ml.train import cli as train_cli

        return train_cli
    if name in ("evaluate", "predict", "models", "archs", "csv-to-png", "results"):
        from ml import commands

        return getattr(commands, name.replace("-", "_"))
    if name == "bench":
        from ml.bench import cli as bench_cli

        return bench_cli
    if name == "drawn":
        from ml.drawn import cli as drawn_cli

        return drawn_cli
    if name == "tune":
        from ml.tune import cli as tune_cli

        return tune_cli
    raise KeyError(name)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    # Before numpy loads (the commands import it): torch keeps a thread per core, and OpenBLAS would
    # start one more per core for numpy's matrix products, small ones here (preprocessing's bicubic
    # step, the plan's layers) that gain little from a second thread. Both pools on 2 cores slowed
    # the next model of a bench run threefold (emnist36 after emnist36_cnn: p50 8.0 ms against 2.5).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        command = _command(argv[0])
    except KeyError:
        print(f"glyphpad-ml: unknown command {argv[0]!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        return command(argv[1:])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
