"""``glyphpad-ml tune``: random search over learning rate, weight decay, dropout, width, batch size
and optimizer. Each trial trains with early stopping on the training split (optionally capped per
class for speed) and is scored on the validation split; the test split is never looked at.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ml.data.emnist import default_data_dir
from ml.data.prepared import prepare_pool
from ml.devices import DEVICE_CHOICES, resolve_device
from ml.evaluate_core import evaluate_arrays
from ml.labels import LABEL_SETS, get_label_set
from ml.models import get_arch, list_models
from ml.train import OPTIMIZERS, TrainConfig, fit

# Which architecture option "width" and "dropout" map to; archs without one are not searched over it.
WIDTH_CHOICES: dict[str, tuple[str, list[Any]]] = {
    "baseline_cnn": ("width", [16, 24, 32, 48, 64]),
    "regularized_cnn": ("width", [16, 24, 32, 48, 64]),
    "vgg16": ("width", [0.125, 0.25, 0.375, 0.5]),
    "vgg16_gru": ("width", [0.125, 0.25, 0.375]),
    "mobilenetv2": ("width", [0.5, 0.75, 1.0]),
    "wide_resnet": ("widen", [2, 3, 4, 6]),
    "lstm": ("hidden", [64, 96, 128, 192]),
    "gru": ("hidden", [64, 96, 128, 192]),
    "lenet5_gru": ("hidden", [64, 96, 128, 192]),
}


def _accepts(arch: str, option: str) -> bool:
    import inspect

    return option in inspect.signature(get_arch(arch).factory).parameters


def sample_trial(rng: np.random.Generator, base: TrainConfig) -> TrainConfig:
    """One random configuration: log-uniform rates, uniform dropout, a width from the arch's list."""
    model_config = dict(base.model_config)
    if _accepts(base.arch, "dropout"):
        model_config["dropout"] = round(float(rng.uniform(0.0, 0.5)), 3)
    if base.arch in WIDTH_CHOICES:
        option, choices = WIDTH_CHOICES[base.arch]
        model_config[option] = choices[int(rng.integers(len(choices)))]
    optimizer = OPTIMIZERS[int(rng.integers(len(OPTIMIZERS)))]
    # SGD needs a larger step than the adaptive methods to move at the same pace.
    low, high = (1e-2, 2e-1) if optimizer == "sgd" else (3e-4, 5e-3)
    return replace(
        base,
        lr=float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.3g}"),
        weight_decay=float(f"{math.exp(rng.uniform(math.log(1e-6), math.log(1e-2))):.3g}"),
        batch_size=int(rng.choice([64, 128, 256])),
        optimizer=optimizer,
        model_config=model_config,
    )


def get_args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glyphpad-ml tune", description="Random hyperparameter search.")
    p.add_argument("--arch", default="baseline_cnn", choices=list_models())
    p.add_argument("--labels", default="letters26", choices=list(LABEL_SETS))
    p.add_argument("--trials", type=int, default=12)
    p.add_argument("--epochs", type=int, default=4, help="per trial (early stopping may end it sooner)")
    p.add_argument("--patience", type=int, default=1)
    p.add_argument("--max-per-class", type=int, default=1500, help="training samples per class (0 = all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default="")
    p.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    p.add_argument("--out", type=Path, default=Path("runs/tune"))
    p.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument("--dry-run", action="store_true", help="tiny data and two batches per trial (for tests)")
    return p


def main(args: argparse.Namespace) -> list[dict[str, Any]]:
    label_set = get_label_set(args.labels)
    device = resolve_device(args.device)
    prepared = prepare_pool(Path(args.data) if args.data else default_data_dir())
    train = prepared.select(label_set, "train", cap=args.max_per_class or None)
    val = prepared.select(label_set, "val")
    if args.dry_run:
        train = type(train)(train.images[:512], train.targets[:512], label_set)
        val = type(val)(val.images[:256], val.targets[:256], label_set)
    base = TrainConfig(
        arch=args.arch,
        labels=args.labels,
        epochs=args.epochs,
        patience=args.patience,
        augment=args.augment,
        device=args.device,
        dry_run=args.dry_run,
        seed=args.seed,
        scheduler="cosine",
    )
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for trial in range(args.trials):
        config = sample_trial(rng, base)
        print(
            f"trial {trial + 1}/{args.trials}: {config.optimizer} lr {config.lr} wd {config.weight_decay} "
            f"batch {config.batch_size} {config.model_config}",
            file=sys.stderr,
        )
        start = time.perf_counter()
        model, history = fit(config, train, val, device)
        metrics, _ = evaluate_arrays(model, val.images, val.targets, list(label_set.classes), device)
        rows.append(
            {
                "trial": trial + 1,
                "val_accuracy": round(metrics["accuracy"], 5),
                "val_balanced_accuracy": round(metrics["balanced_accuracy"], 5),
                "epochs": len(history),
                "seconds": round(time.perf_counter() - start, 1),
                "optimizer": config.optimizer,
                "lr": config.lr,
                "weight_decay": config.weight_decay,
                "batch_size": config.batch_size,
                **{f"model.{k}": v for k, v in config.model_config.items()},
            }
        )
        _write_results(args.out, rows, base)
    rows.sort(key=lambda r: -r["val_accuracy"])
    print(f"\n{'trial':>5s} {'val acc':>8s} {'bal acc':>8s} {'opt':>8s} {'lr':>8s} {'wd':>9s} {'batch':>5s}  model")
    for r in rows:
        extra = {k.removeprefix("model."): v for k, v in r.items() if k.startswith("model.")}
        print(
            f"{r['trial']:5d} {r['val_accuracy']:8.4f} {r['val_balanced_accuracy']:8.4f} {r['optimizer']:>8s} "
            f"{r['lr']:8.3g} {r['weight_decay']:9.3g} {r['batch_size']:5d}  {extra}"
        )
    print(f"results: {args.out / 'results.csv'}, {args.out / 'results.json'}; best config: {args.out / 'best.json'}")
    return rows


def _write_results(out: Path, rows: list[dict[str, Any]], base: TrainConfig) -> None:
    columns = sorted(
        {k for r in rows for k in r},
        key=lambda k: (k.startswith("model."), list(rows[0]).index(k) if k in rows[0] else 99),
    )
    with (out / "results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    (out / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    best = max(rows, key=lambda r: r["val_accuracy"])
    best_config = {
        **asdict(base),
        "optimizer": best["optimizer"],
        "lr": best["lr"],
        "weight_decay": best["weight_decay"],
        "batch_size": best["batch_size"],
        "model_config": {k.removeprefix("model."): v for k, v in best.items() if k.startswith("model.")},
        "val_accuracy": best["val_accuracy"],
    }
    (out / "best.json").write_text(json.dumps(best_config, indent=1) + "\n")


def cli(argv: list[str]) -> int:
    args = get_args_parser().parse_args(argv)
    if args.trials < 1 or args.epochs < 1:
        print("glyphpad-ml tune: error: --trials and --epochs must be at least 1", file=sys.stderr)
        return 2
    try:
        main(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"glyphpad-ml tune: error: {error}", file=sys.stderr)
        return 2
    return 0
