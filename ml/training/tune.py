"""``glyphpad-ml tune``: a hyperparameter search with Optuna.

A TPE sampler proposes learning rate, weight decay, batch size, optimizer, the architecture's width
and dropout, and the share of pen drawings in each epoch; trials that fall behind the median of
earlier trials at the same epoch are pruned; the study lives in an SQLite file, so a later run with
the same ``--out`` resumes it (the trials already run count). Each trial trains on the training parts
(EMNIST capped per class for speed, UNIPEN training writers) and is scored on the validation parts
(EMNIST validation split and UNIPEN validation writers, the mean of both); test parts are never read.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch

from ml.models import get_arch
from ml.runtime.devices import torch_device
from ml.runtime.labels import get_label_set
from ml.training.data.emnist import default_data_dir
from ml.training.data.prepared import prepare_pool
from ml.training.train import OPTIMIZERS, TrainConfig, build_training_set, fit, load_pen_splits
from ml.training.worker_processes import limit_workers, training_threads

# What a study searches, with what it searches for: the recipe its best-ARCH-LABELS.json gives glyphpad-ml train.
RECIPE = ("arch", "labels", "lr", "weight_decay", "batch_size", "optimizer", "model_config", "pen_share")

# The architecture option that sets its size; archs without one are not searched over it.
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


@contextlib.contextmanager
def _optuna_quiet() -> Iterator[None]:
    """Optuna's info lines off, then as they were: each trial's outcome is said by the study's callback
    (Optuna's own "[I 2026-...]" lines were mixed in)."""
    import optuna

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def suggest_config(trial: Any, base: TrainConfig, search_pen_share: bool) -> TrainConfig:
    """One configuration proposed by the study's sampler."""
    model_config = dict(base.model_config)
    if "dropout" in get_arch(base.arch).options():
        model_config["dropout"] = trial.suggest_float("dropout", 0.0, 0.5)
    if base.arch in WIDTH_CHOICES:
        option, choices = WIDTH_CHOICES[base.arch]
        model_config[option] = trial.suggest_categorical(option, choices)
    optimizer = trial.suggest_categorical("optimizer", list(OPTIMIZERS))
    # SGD needs a larger step than the adaptive methods to move at the same pace.
    low, high = (1e-2, 2e-1) if optimizer == "sgd" else (3e-4, 1e-2)
    return replace(
        base,
        lr=trial.suggest_float(f"lr_{'sgd' if optimizer == 'sgd' else 'adaptive'}", low, high, log=True),
        weight_decay=trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        batch_size=trial.suggest_categorical("batch_size", [64, 128, 256]),
        optimizer=optimizer,
        model_config=model_config,
        pen_share=trial.suggest_float("pen_share", 0.2, 0.8) if search_pen_share else base.pen_share,
    )


def best_recipe_name(arch: str, labels: str) -> str:
    """The file of a study's best recipe: one per study, so two studies in one folder keep theirs."""
    return f"best-{arch}-{labels}.json"


# A trial's budget when a new study is not given one; a study resumed without them keeps its own.
TRIAL_BUDGET_DEFAULTS = {"epochs": 4, "epoch_samples": 40_000, "max_per_class": 1500}


def main(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run ``args.trials`` trials of the study in ``args.out`` (made, or resumed). A budget option left as
    None is the resumed study's (its trials compare only at one budget), else its default."""
    import optuna

    label_set = get_label_set(args.labels)
    device = torch_device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(training_threads(args.threads))
    limit_workers(training_threads(args.threads))
    args.out.mkdir(parents=True, exist_ok=True)
    with _optuna_quiet():
        study = optuna.create_study(
            study_name=f"{args.arch}-{args.labels}",
            storage=f"sqlite:///{(args.out / 'study.db').resolve()}",
            load_if_exists=True,
            direction="maximize",
            pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
        )
    earlier = study.user_attrs.get("budget") or {}
    kept = []  # (a resume had to repeat every budget option, or was refused: "another budget")
    for name, default in TRIAL_BUDGET_DEFAULTS.items():
        if getattr(args, name, None) is None:
            kept += [name] if name in earlier else []
            setattr(args, name, earlier.get(name, default))
    if kept:
        said = ", ".join(f"--{name.replace('_', '-')} {getattr(args, name)}" for name in kept)
        print(f"resuming the study in {args.out} with its budget: {said}", file=sys.stderr)
    base = TrainConfig(
        arch=args.arch,
        labels=args.labels,
        epochs=args.epochs,
        epoch_samples=args.epoch_samples,
        augment=args.augment,
        device=args.device,
        dry_run=args.dry_run,
        seed=args.seed,
        scheduler="cosine",
        pen_data=args.pen_data,
        ema=0.0,
        max_per_class=args.max_per_class,
        threads=args.threads,
    )
    # Trials are compared by their scores: a resumed study must give each the same budget.
    budget = {
        "epochs": args.epochs,
        "epoch_samples": args.epoch_samples,
        "max_per_class": args.max_per_class,
        "max_per_class_caps_pen": True,  # since it caps the pen drawings too: earlier studies' trials had them all
        "pen_data": "none" if args.pen_data == "none" else "UNIPEN",
        "augment": args.augment,
        "search_pen_share": args.search_pen_share,
        "dry_run": args.dry_run,
    }
    ran = [t for t in study.trials if t.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)]
    if ran and earlier and earlier != budget:
        changed = ", ".join(f"{k} {earlier.get(k)} -> {v}" for k, v in budget.items() if earlier.get(k) != v)
        raise ValueError(
            f"the study in {args.out} ran its trials with another budget ({changed}): its scores would not "
            "compare; use another --out or the same options"
        )
    study.set_user_attr("budget", budget)
    # A trial stopped by Ctrl+C is run again first, with its settings (it was lost, and it may be the best).
    retried = set(study.user_attrs.get("retried", []))
    for earlier_trial in study.trials:
        if earlier_trial.user_attrs.get("interrupted") and earlier_trial.number not in retried:
            study.enqueue_trial(earlier_trial.params)
            retried.add(earlier_trial.number)
            print(
                f"trial {earlier_trial.number} was interrupted: it runs again first (one of the --trials)",
                file=sys.stderr,
            )
    study.set_user_attr("retried", sorted(retried))
    # Seeded afresh past the trials already run: the same seed would propose those trials again.
    study.sampler = optuna.samplers.TPESampler(seed=args.seed + len(study.trials))
    prepared = prepare_pool(Path(args.data) if args.data else default_data_dir())
    emnist_train = prepared.select(label_set, "train", cap=args.max_per_class or None)
    emnist_val = prepared.select(label_set, "val")
    if args.dry_run:
        emnist_train = type(emnist_train)(emnist_train.images[:512], emnist_train.targets[:512], label_set)
        emnist_val = type(emnist_val)(emnist_val.images[:256], emnist_val.targets[:256], label_set)
    pen = load_pen_splits(base, label_set)
    val_sets = {"emnist": emnist_val} | ({"unipen": pen.val} if pen is not None else {})

    interrupted = False

    def objective(trial: optuna.Trial) -> float:
        nonlocal interrupted

        def report(epoch: int, best: float) -> None:
            trial.report(best, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        try:  # (a Ctrl+C while its data is built counts as one in training)
            config = suggest_config(trial, base, search_pen_share=pen is not None and args.search_pen_share)
            print(f"trial {trial.number}: {json.dumps(trial.params)}", file=sys.stderr)
            train = build_training_set(config, emnist_train, pen, label_set)
            _, history = fit(config, train, val_sets, device, after_epoch=report)
        except KeyboardInterrupt:
            # Ctrl+C: this trial is not finished (Optuna records it as failed, which it would say as a score
            # of nan: quieted), the study stops after it, the trials finished so far keep their recipe
            # file, and the same command resumes the study, this trial first.
            interrupted = True
            trial.set_user_attr("interrupted", True)
            trial.study.stop()
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            print(f"trial {trial.number} interrupted: resuming the study runs it again", file=sys.stderr)
            return float("nan")
        trial.set_user_attr("history", history)
        return max(max(h["val_score"], h.get("val_score_ema", 0.0)) for h in history)

    best_path = args.out / best_recipe_name(args.arch, args.labels)

    def after_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        """After every trial: its outcome said (in place of Optuna's own log lines), and the best recipe of
        the trials finished written, so that a study stopped any way keeps it."""
        if trial.state == optuna.trial.TrialState.PRUNED:
            steps = len(trial.intermediate_values)
            print(f"trial {trial.number}: pruned after {steps} epoch(s), behind the others", file=sys.stderr)
        finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        if not finished:
            return
        best = max(finished, key=lambda t: float(t.value or 0.0))
        if trial.state == optuna.trial.TrialState.COMPLETE:
            print(
                f"trial {trial.number}: score {float(trial.value or 0.0):.4f} (best: trial {best.number}, "
                f"{float(best.value or 0.0):.4f})",
                file=sys.stderr,
            )
        config = suggest_config(optuna.trial.FixedTrial(best.params), base, "pen_share" in best.params)
        # The recipe found, for glyphpad-ml train --settings (the trials' short budget, cosine schedule and no
        # weight averaging are left to train's own options), and the trial's whole settings beside it.
        recipe = {name: getattr(config, name) for name in RECIPE}
        notes = {"val_score": best.value, "trial": best.number, "trial_settings": asdict(config)}
        best_path.write_text(json.dumps({**recipe, **notes}, indent=1) + "\n")

    with _optuna_quiet():
        study.optimize(objective, n_trials=args.trials, callbacks=[after_trial])
    rows = [{"trial": t.number, "state": t.state.name, "val_score": t.value, **t.params} for t in study.trials]
    finished = [r for r in rows if r["val_score"] is not None and r["state"] == "COMPLETE"]
    finished.sort(key=lambda r: -r["val_score"])
    # "score": the validation score a trial reached (the mean of its data sources' accuracies).
    if finished:  # (an interrupted first trial printed the table's header alone)
        print(f"{'trial':>5s} {'score':>7s}  parameters")
    for r in finished:
        params = {k: v for k, v in r.items() if k not in ("trial", "state", "val_score")}
        print(f"{r['trial']:5d} {r['val_score']:7.4f}  {params}")
    pruned = sum(r["state"] == "PRUNED" for r in rows)
    # Interrupted in this part (an earlier part's were run again at its start).
    stopped = sum(t.user_attrs.get("interrupted", False) and t.number not in retried for t in study.trials)
    said = f", {stopped} interrupted (run again when resumed)" if stopped else ""
    print(f"{len(finished)} complete, {pruned} pruned{said}; study: {args.out / 'study.db'}")
    if finished:
        print(f"best recipe: {best_path} (glyphpad-ml train --settings {best_path})")
    if interrupted:
        raise KeyboardInterrupt  # the command says "interrupted" and exits 130, as train does
    return rows
