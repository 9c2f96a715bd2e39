"""Training a stroke model on UNIPEN's training writers (``glyphpad-ml train-strokes``).

Every epoch draws each class about equally often (UNIPEN holds twice as many lower case letters as
digits; people drawing on GlyphPad do not), makes a fresh variant of every drawn character on its
strokes (:mod:`ml.training.stroke_data`) in a process of its own while the previous epoch trains, and
scores the validation writers' characters as written. A checkpoint after every epoch; ``--resume``
continues from it. The best epoch on validation writers is kept, exported to safetensors and ONNX, and
carded with the test writers' figures.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ml.models import check_model_config, get_arch, get_model, list_models, model_description
from ml.runtime.cards import ModelCard, replaces_a_model, stroke_models_dir
from ml.runtime.devices import describe, resolve_device, torch_device
from ml.runtime.labels import LABEL_SETS, get_label_set
from ml.runtime.strokes import STROKE_NORMALIZATION_VERSION
from ml.training.checkpoints import (
    card_run_fields,
    check_resumable,
    check_same_files,
    checkpoint_settings,
    load_checkpoint,
    random_state,
    restore_random_state,
    resume_hint,
    run_record,
    save_checkpoint,
)
from ml.training.data.locations import PEN_DATA_HELP
from ml.training.data.stroke_folders import (
    HELD_OUT_EVERY,
    held_out,
    joined,
    read_stroke_folder,
    stroke_folder_files,
    with_own_drawings,
)
from ml.training.data.unipen import (
    DEFAULT_WRITER_SPLIT_SEED,
    PenCharacters,
    load_unipen,
    writer_split,
)
from ml.training.data.unipen import (
    LICENCE as UNIPEN_LICENCE,
)
from ml.training.data.unipen import (
    SOURCE as UNIPEN_SOURCE,
)
from ml.training.export import output_problems, save_weights
from ml.training.fine_tune import fine_tune_config, start_from_weights
from ml.training.metrics import classification_metrics, scores_line
from ml.training.progress_lines import minutes
from ml.training.scoring import summary
from ml.training.stroke_data import StrokeAugment, stroke_inputs
from ml.training.train import log_epoch_progress, option
from ml.training.worker_processes import limit_workers, training_threads, worker_pool

OWN_DRAWINGS_TO_CHOOSE_BY = 30  # held-out drawings of one's own: from this many they help choose the epoch kept

# An ensemble is assembled from trained stroke models (glyphpad-ml stroke-ensemble), not trained here.
STROKE_ARCHS = [name for name in list_models() if get_arch(name).family == "stroke" and name != "stroke_ensemble"]


def stroke_architecture(name: str) -> str:
    """``--arch``'s value, or why it is not one ``train-strokes`` trains."""
    if name in list_models() and get_arch(name).family != "stroke":
        raise argparse.ArgumentTypeError(f"{name} reads pictures: train it with glyphpad-ml train")
    if name == "stroke_ensemble":
        raise argparse.ArgumentTypeError("an ensemble is assembled from trained models: glyphpad-ml stroke-ensemble")
    return name


# What a resumed run cannot change: the model it builds, the characters each epoch draws, the schedule.
RESUME_FIXED = (
    "arch",
    "labels",
    "model_config",
    "epochs",
    "batch_size",
    "lr",
    "weight_decay",
    "seed",
    "writer_split_seed",
    "limit",
    "max_per_class",
    "data_workers",
    "lift_corners",
    "examples",
    "examples_share",
)


@dataclass
class StrokeTrainConfig:
    arch: str = option("stroke_cnn", "a stroke architecture", choices=STROKE_ARCHS, type=stroke_architecture)
    labels: str = option("emnist36", "label set", choices=list(LABEL_SETS))
    name: str = option("", "output name (default strokes<classes>_<arch without 'stroke_'>)")
    pen_data: str = option("", PEN_DATA_HELP)
    out: str = option("runs", "where weights, card, metrics.json and the checkpoint go")
    epochs: int = option(20, "passes over the training writers' characters (a fresh variant of each)")
    batch_size: int = option(128, "batch size")
    lr: float = option(3e-3, "peak learning rate (OneCycle)")
    weight_decay: float = option(1e-4, "AdamW weight decay")
    label_smoothing: float = option(0.1, "softer targets: O/0 and I/1 look alike in the 36-class set")
    clip_grad_norm: float = option(1.0, "max gradient norm, 0 = off")
    model_config: dict[str, Any] = option({}, "JSON architecture options, e.g. '{\"hidden\": 96}' (listed by archs)")  # noqa: RUF009
    lift_corners: float = option(
        0.0,
        "share of characters varied with the pen lifted at a corner (a 7 as its bar, then its stem): such "
        "drawings read far better, UNIPEN's own writers' words a little worse (docs/training.md)",
    )
    seed: int = option(0, "model init, batch order, augmentation")
    writer_split_seed: int = option(DEFAULT_WRITER_SPLIT_SEED, "seed of the UNIPEN split by writer")
    limit: int = option(0, "at most this many characters of each part (training, validation, test; 0 = all)")
    max_per_class: int = option(0, "at most this many training characters of each class (0 = all), as train's")
    device: str = option("auto", "auto, cpu, cuda or cuda:N")
    threads: int = option(0, "CPU threads (0 = OMP_NUM_THREADS when set, else every core)")
    data_workers: int = option(
        1,
        "processes making the next epoch's sequences while one trains: a variant costs about 0.3 ms on a core, "
        "so one keeps up with a CPU's training but not a GPU's (an epoch then waits 20 s for its data)",
    )
    resume: str = option(
        "",
        "checkpoint (.ckpt) to continue from, with the options it was started with (those that shape the model, "
        "data, optimizer or schedule cannot change)",
    )
    start_from: str = option("", "weights (.safetensors, or a bundled model's name) to start from: a fine-tune")
    # A person's own drawings, as File -> Keep as Example keeps them (each picture's strokes beside it).
    examples: str = option(
        "",
        "a folder of your own drawings' stroke files, one sub-folder per character ('A', '7', 'a_lower'), mixed "
        "into every epoch; every tenth of a character's drawings (of ten or more) held out to score "
        "(the source 'examples')",
    )
    examples_share: float = option(
        0.3,
        "of each character you drew, the share of each epoch's draws made from your drawings (0-1; UNIPEN's "
        "writers give way; the classes stay as balanced as without)",
    )


EpochJob = tuple[PenCharacters, np.ndarray, int, StrokeAugment]


def _epoch_job(args: EpochJob) -> tuple[np.ndarray, np.ndarray]:
    pen, indices, seed, augment = args
    return stroke_inputs(pen, indices, np.random.default_rng(seed), augment)


def epoch_parts(job: EpochJob, parts: int) -> list[EpochJob]:
    """``job`` cut into ``parts`` jobs of consecutive characters, each with a seed of its own (one part is
    the job itself: a run with one data worker draws what runs drew before there were more)."""
    if parts <= 1:
        return [job]
    pen, drawn, seed, augment = job
    return [
        (pen, chunk, int(np.random.default_rng([seed, k]).integers(2**31)), augment)
        for k, chunk in enumerate(np.array_split(drawn, parts))
    ]


def _joined(made: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([inputs for inputs, _ in made]), np.concatenate([ok for _, ok in made])


def balanced_draw(targets: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` positions into ``targets``, each class about equally likely."""
    counts = np.bincount(targets)
    weights = 1.0 / counts[targets]
    return rng.choice(len(targets), size=count, replace=True, p=weights / weights.sum())


@torch.inference_mode()
def stroke_probabilities(
    model: nn.Module, inputs: np.ndarray, device: torch.device, batch_size: int = 1024
) -> np.ndarray:
    model.eval()
    out = [
        torch.softmax(model(torch.from_numpy(inputs[i : i + batch_size]).to(device)).float(), 1).cpu()
        for i in range(0, len(inputs), batch_size)
    ]
    return torch.cat(out).numpy()


def top1(model: nn.Module, part: tuple[np.ndarray, np.ndarray], device: torch.device) -> float:
    """The share of ``part``'s sequences (inputs, classes) the model reads right."""
    inputs, classes = part
    return float((stroke_probabilities(model, inputs, device).argmax(1) == classes).mean())


def main(config: StrokeTrainConfig) -> Path:
    if config.resume:
        check_resumable(config.resume, checkpoint_settings(config.resume), asdict(config), RESUME_FIXED)
    if config.arch not in STROKE_ARCHS:
        raise ValueError(f"{config.arch} is not a stroke architecture ({', '.join(STROKE_ARCHS)})")
    if config.epochs < 1 or config.batch_size < 2 or not (math.isfinite(config.lr) and config.lr > 0):
        raise ValueError("--epochs must be at least 1, --batch-size at least 2, --lr positive")
    if config.limit < 0 or config.max_per_class < 0:
        raise ValueError("--limit and --max-per-class must be 0 (all) or positive")
    if config.data_workers < 1:
        raise ValueError("--data-workers must be at least 1")
    if not 0 <= config.examples_share < 1:
        raise ValueError("--examples-share must be at least 0 and under 1")
    if config.examples and not Path(config.examples).is_dir():
        raise ValueError(
            f"--examples {config.examples}: no such folder (one sub-folder per character: 'A', '7', 'a_lower')"
        )
    if problems := output_problems(config.name, config.out):
        raise ValueError("; ".join(problems))
    if config.start_from and not config.resume:
        config = fine_tune_config(config, "strokes")
    started = time.time()
    run = run_record("train-strokes", config.resume, started, config.start_from)
    device = torch_device(resolve_device(config.device))
    if device.type == "cpu":
        torch.set_num_threads(training_threads(config.threads))
    limit_workers(training_threads(config.threads))
    label_set = get_label_set(config.labels)
    name = config.name or f"strokes{label_set.num_classes}_{config.arch.removeprefix('stroke_')}"
    out_dir = Path(config.out)
    # The model first: options it does not take, or weights to start from that do not fit it, are said
    # before the pen data is read (a minute on two cores).
    try:
        check_model_config(config.arch, config.model_config)
    except ValueError as error:
        raise ValueError(f"--model-config: {error}") from None
    torch.manual_seed(config.seed)  # (after the check, which builds a model of its own: the same start as before)
    model = get_model(config.arch, num_classes=label_set.num_classes, **config.model_config).to(device)
    if config.start_from and not config.resume:
        start_from_weights(model, config.start_from)
        print(f"starting from {run.started_from}", file=sys.stderr)
    own_files = stroke_folder_files(config.examples) if config.examples else []
    if config.resume:  # every tenth held out is counted anew from the folder: it must be as it was
        check_same_files(
            config.resume, "examples_files", own_files, f"drawings than --examples {config.examples or '(none)'}"
        )
    if config.examples:  # read first: a folder that cannot be used is said before UNIPEN is read
        examples, unread = read_stroke_folder(config.examples, label_set)
        for problem in unread[:5]:
            print(f"--examples: left out {problem}", file=sys.stderr)
        if len(unread) > 5:
            print(f"--examples: and {len(unread) - 5} more left out", file=sys.stderr)
    pen = load_unipen(config.pen_data or None)
    split = writer_split(pen.writers, seed=config.writer_split_seed)  # (UNIPEN's alone: the same split as ever)
    unipen_count = len(pen)
    own_train = own_val = np.zeros(0, dtype=np.int64)
    if config.examples:  # after UNIPEN's characters: its indices are as ever
        pen = joined(pen, examples)
        own = unipen_count + np.arange(len(examples))
        kept_out = held_out(examples.labels)
        own_train, own_val = own[~kept_out], own[kept_out]
        print(
            f"--examples: {len(own)} drawings of {len(np.unique(examples.labels))} characters, {len(own_val)} held "
            f"out to score; of those characters' draws in each epoch, {config.examples_share:g} made from them",
            file=sys.stderr,
        )
    targets = pen.targets_for(label_set)
    parts = {k: v[targets[v] >= 0] for k, v in (("train", split.train), ("val", split.val), ("test", split.test))}
    if config.limit:
        rng = np.random.default_rng(0)
        parts = {k: np.sort(rng.permutation(v)[: config.limit]) for k, v in parts.items()}
    if config.max_per_class:  # the training writers' characters only: the scores stay on every unseen one
        rng = np.random.default_rng(0)
        shuffled = rng.permutation(parts["train"])
        kept = np.concatenate(
            [shuffled[targets[shuffled] == c][: config.max_per_class] for c in range(label_set.num_classes)]
        )
        parts["train"] = np.sort(kept)
    writers = {k: len(np.unique(pen.writers[v])) for k, v in parts.items()}
    print(
        f"{name}: {config.arch} on {config.labels}; device {describe(device)}; UNIPEN train {len(parts['train'])} "
        f"({writers['train']} writers), val {len(parts['val'])} ({writers['val']}), test {len(parts['test'])} "
        f"({writers['test']})",
        file=sys.stderr,
    )
    fixed = {}
    for part in ("val", "test"):
        inputs, ok = stroke_inputs(pen, parts[part])
        fixed[part] = (inputs[ok], targets[parts[part]][ok])
    if len(own_val):
        inputs, ok = stroke_inputs(pen, own_val)
        if ok.any():  # (none that can be read as a sequence: nothing to score them by)
            fixed["examples"] = (inputs[ok], targets[own_val][ok])
    if "examples" in fixed and config.start_from and not config.resume:  # the figure to beat, said first
        before = top1(model, fixed["examples"], device)
        print(
            f"--examples: the model started from reads {100 * before:.2f}% of the {len(fixed['examples'][1])} held out",
            file=sys.stderr,
        )
    # A few held-out drawings are noise: scored and said, but they choose the epoch kept only from 30 on.
    own_choose = "examples" in fixed and len(fixed["examples"][1]) >= OWN_DRAWINGS_TO_CHOOSE_BY

    augment = StrokeAugment(lift_probability=config.lift_corners)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps = max(1, len(parts["train"]) // config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, epochs=config.epochs, steps_per_epoch=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    checkpoint_path = out_dir / f"{name}.ckpt"
    history: list[dict[str, float]] = []
    first_epoch, best_score, best_state = 0, -1.0, None
    if config.resume:
        checkpoint = load_checkpoint(config.resume, device, config.arch, config.labels)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        history, first_epoch = list(checkpoint["history"]), int(checkpoint["epoch"]) + 1
        best_score, best_state = float(checkpoint["best_score"]), checkpoint["best_state"]
        print(f"resumed from {config.resume} after epoch {first_epoch}", file=sys.stderr)
        if first_epoch >= config.epochs:  # its outputs are written again; its training time stays as it was
            print(f"all {config.epochs} epochs were done: nothing left to train", file=sys.stderr)
            run.nothing_trained = True

    train_targets = targets[parts["train"]]

    def epoch_job(epoch: int) -> EpochJob:
        rng = np.random.default_rng([config.seed, epoch])
        drawn = parts["train"][balanced_draw(train_targets, len(parts["train"]), rng)]
        if len(own_train):  # the person's drawings in place of some of their classes' (varied afresh each epoch)
            drawn = with_own_drawings(drawn, targets, own_train, config.examples_share, rng)
        return pen, drawn, int(rng.integers(2**31)), augment

    on_terminal = sys.stderr.isatty()  # a step counter rewritten in place; a log file gets the epochs' lines
    if config.resume:
        restore_random_state(checkpoint, device)  # (last: nothing above may draw after it)
    data_workers = config.data_workers
    with resume_hint("train-strokes", checkpoint_path, config.resume), worker_pool(data_workers) as pool:
        upcoming: list[Future[tuple[np.ndarray, np.ndarray]]] = []
        for epoch in range(first_epoch, config.epochs):
            job = epoch_job(epoch)
            if upcoming:
                current = _joined([part.result() for part in upcoming])
            else:
                current = _joined(list(pool.map(_epoch_job, epoch_parts(job, data_workers))))
            if epoch + 1 < config.epochs:
                upcoming = [pool.submit(_epoch_job, part) for part in epoch_parts(epoch_job(epoch + 1), data_workers)]
            inputs, ok = current
            x = torch.from_numpy(inputs[ok])
            y = torch.from_numpy(targets[job[1]][ok])
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(config.seed * 1000 + epoch))
            model.train()
            tick, total, seen = time.perf_counter(), 0.0, 0
            for step in range(steps):
                index = order[step * config.batch_size : (step + 1) * config.batch_size]
                if len(index) < 2:
                    break
                logits = model(x[index].to(device))
                loss = loss_fn(logits, y[index].to(device))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if config.clip_grad_norm:
                    nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad_norm)
                optimizer.step()
                scheduler.step()
                total += loss.item() * len(index)
                seen += len(index)
                elapsed = time.perf_counter() - tick
                if on_terminal and (step % 20 == 0 or step == steps - 1):
                    left = minutes(elapsed / (step + 1) * (steps - step - 1))
                    said = f"{step + 1}/{steps} steps, {minutes(elapsed)} in, about {left} left  "
                    print(f"\repoch {epoch + 1}/{config.epochs}: {said}", end="", file=sys.stderr)
                elif not on_terminal:  # a log file (nohup): as train's
                    rate = f"{seen / max(elapsed, 1e-9):.0f} sequences/s"
                    log_epoch_progress(epoch, config.epochs, step, steps, total / max(seen, 1), rate, elapsed)
            seconds = time.perf_counter() - tick
            val_x, val_y = fixed["val"]
            probs = stroke_probabilities(model, val_x, device)
            accuracy = float((probs.argmax(1) == val_y).mean())
            loss_val = float(F.nll_loss(torch.log(torch.from_numpy(probs).clamp_min(1e-9)), torch.from_numpy(val_y)))
            record = {
                "epoch": epoch + 1,
                **({"examples_drawn": int(np.isin(job[1], own_train).sum())} if len(own_train) else {}),
                "train_loss": round(total / max(seen, 1), 5),
                "val_unipen_accuracy": round(accuracy, 5),
                "val_unipen_loss": round(loss_val, 5),
                "sequences_per_s": round(seen / seconds, 1),
            }
            score, own_said = accuracy, ""
            if "examples" in fixed:
                own_accuracy = top1(model, fixed["examples"], device)
                record["val_examples_accuracy"] = round(own_accuracy, 5)
                own_said = f", your held-out drawings {100 * own_accuracy:.2f}%"
                if own_choose:
                    score = (accuracy + own_accuracy) / 2
            history.append(record)
            back = "\r" if on_terminal else ""
            print(
                f"{back}epoch {epoch + 1}: loss {record['train_loss']:.4f}, validation top-1 {100 * accuracy:.2f}%"
                f"{own_said}, {record['sequences_per_s']:.0f} sequences/s",
                file=sys.stderr,
            )
            if score > best_score:
                best_score = score
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            save_checkpoint(
                checkpoint_path,
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "epoch": epoch,
                    "history": history,
                    "config": asdict(config),
                    "best_score": best_score,
                    "best_state": best_state,
                    **random_state(device),
                    **run.checkpoint_fields(),
                    "examples_files": own_files,
                },
            )
    if best_state is not None:
        model.load_state_dict(best_state)

    by_source = {}
    for part in ("test", "val"):
        part_x, part_y = fixed[part]
        metrics = classification_metrics(stroke_probabilities(model, part_x, device), part_y, list(label_set.classes))
        by_source[f"unipen_{part}"] = summary(metrics)
        print(f"{'unipen_' + part:14s} {scores_line(metrics)}")  # results, on stdout (as train's)
    if "examples" in fixed:
        own_x, own_y = fixed["examples"]
        metrics = classification_metrics(stroke_probabilities(model, own_x, device), own_y, list(label_set.classes))
        by_source["examples_val"] = summary(metrics)
        print(f"{'examples_val':14s} {scores_line(metrics)}")
    seconds = time.time() - started
    covered = len(np.unique(targets[own_train])) if len(own_train) else 0
    own_share = round(config.examples_share * covered / label_set.num_classes, 4)
    sources: list[dict[str, Any]] = [
        {
            "name": "UNIPEN",
            "what": f"{UNIPEN_SOURCE}: pen trajectories, a fresh augmented variant of each training "
            "character every epoch, classes drawn equally often",
            "samples": unipen_count,
            "split": f"by writer 80/10/10, seed {config.writer_split_seed} "
            f"({writers['train']}/{writers['val']}/{writers['test']} writers)",
            "licence": UNIPEN_LICENCE,
            "share": round(1.0 - own_share, 4),
        }
    ]
    if len(own_train):
        sources.append(
            {
                "name": "examples",
                "what": f"your drawings' strokes (the folder {Path(config.examples).name}), a fresh variant of "
                "each every epoch",
                "samples": len(own_train) + len(own_val),
                "split": f"every {HELD_OUT_EVERY}th of a character's drawings held out to score ({len(own_val)}), "
                "characters with fewer trained on whole",
                "licence": "your own",
                "share": own_share,  # of the whole epoch: of their characters' draws, examples_share
                "share_of_its_characters": config.examples_share,
            }
        )
    card = stroke_model_card(
        model,
        by_source,
        name=name,
        arch=config.arch,
        config=dict(config.model_config),
        label_set=config.labels,
        labels=list(label_set.classes),
        data_sources=sources,
        training={
            "train_samples": len(parts["train"]),
            "epochs_run": len(history),
            "device": describe(device),
            "host": platform.machine(),
            "torch": torch.__version__,
            **card_run_fields("train-strokes", run, config.resume),
            # (paths left out: a card is shared, and one's folders are one's own)
            "config": {k: v for k, v in asdict(config).items() if k not in ("pen_data", "out", "resume", "examples")},
            "augment": augment.to_dict(),
        },
        description=model_description(config.arch, config.model_config),
    )
    if len(run.started_prior) == label_set.num_classes:  # a fine-tune keeps its class prior, as train's does
        card = replace(card, class_prior_log=list(run.started_prior))
        said = "kept the class prior of the model it started from ('glyphpad-ml prior' chooses its own)"
        print(said, file=sys.stderr)
    weights_path = save_weights(model, card, out_dir)
    metrics_path = out_dir / f"{name}.metrics.json"
    metrics_path.write_text(json.dumps({"name": name, "history": history, "by_source": by_source}, indent=1) + "\n")
    print(f"wrote {weights_path}, its ONNX graph and its card in {seconds:.0f} s")
    print(
        f"to read drawings with it: 'glyphpad-ml fuse --strokes-model {weights_path} --write', then copy "
        f"{name}.safetensors, .onnx and .json into {stroke_models_dir().resolve()} (the app fuses stroke "
        "models found there)" + replaces_a_model(name, "strokes"),
        file=sys.stderr,
    )
    return weights_path


def stroke_model_card(model: nn.Module, by_source: dict[str, Any], **fields: Any) -> ModelCard:
    """The card of a stroke model scored on UNIPEN's writers (``by_source``: ``unipen_test`` and
    ``unipen_val``); ``fields`` give what is the model's own (name, arch, data sources, training)."""
    return ModelCard(
        preprocess_version=STROKE_NORMALIZATION_VERSION,
        params=sum(p.numel() for p in model.parameters()),
        metrics={"split": "UNIPEN test writers", **by_source["unipen_test"]},
        metrics_by_source=by_source,
        input_kind="strokes",
        **fields,
    )
