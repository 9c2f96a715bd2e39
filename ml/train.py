"""Train any registered architecture on the EMNIST pool: ``glyphpad-ml train``.

The whole preprocessed training set lives on the training device as one tensor, and batches are
augmented there (see :mod:`ml.data.augment`): no DataLoader workers, which on a 2-core machine
would compete with the training step for the same cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from ml.data.augment import AugmentConfig, augment_batch
from ml.data.emnist import default_data_dir
from ml.data.prepared import LabelledArrays, prepare_pool
from ml.data.split import DEFAULT_SPLIT_SEED
from ml.devices import describe, resolve_device, to_channels_last
from ml.evaluate_core import evaluate_arrays, summary
from ml.labels import LABEL_SETS, get_label_set
from ml.models import get_arch, get_model, list_models
from ml.preprocess import PREPROCESS_VERSION
from ml.weights import ModelCard, save_weights

log = logging.getLogger(__name__)

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULERS = ("onecycle", "cosine", "step", "plateau", "none")
BALANCE = ("none", "loss")


@dataclass
class TrainConfig:
    arch: str = "emnist_cnn"  # a registered architecture (glyphpad-ml archs)
    labels: str = "emnist36"  # label set: digits10, letters26, emnist36, balanced47, byclass62
    name: str = ""  # output name; default <labels>_<arch>
    data: str = ""  # folder with the official EMNIST files; default $GLYPHPAD_DATA or ../shared/data/emnist
    out: str = "runs"  # where weights, card, metrics.json and the checkpoint go
    epochs: int = 10
    # 64: twice the updates of 128 per epoch, +0.5% val accuracy on a 3-epoch proxy, for 22% fewer
    # images/s on a 2-core CPU (1,373 vs 1,756 measured); short runs are update-bound.
    batch_size: int = 64
    lr: float = 4e-3  # peak learning rate (OneCycle) or initial one; 5e-3 beat 3e-3 by 0.6% at batch 128
    optimizer: str = "adamw"
    weight_decay: float = 5e-4
    scheduler: str = "onecycle"
    step_size: int = 5  # StepLR: epochs between decays
    gamma: float = 0.3  # StepLR decay factor
    label_smoothing: float = 0.05  # softer targets: the 36/47-class sets hold genuinely ambiguous pairs (O/0, I/1)
    clip_grad_norm: float = 0.0  # max gradient norm (0 = off); keeps RNNs stable at CNN learning rates
    balance: str = "none"  # "loss": class-weighted loss against the pool's digit-heavy prior
    patience: int = 0  # early stopping: epochs without a better val accuracy; 0 = off
    ema: float = 0.999  # decay of an exponential moving average of the weights (0 = off); kept if better on val
    augment: bool = True
    augment_config: dict[str, Any] = field(default_factory=lambda: AugmentConfig().to_dict())
    model_config: dict[str, Any] = field(default_factory=dict)  # architecture options, e.g. {"width": 0.5}
    seed: int = 0  # model init, batch order, augmentation
    split_seed: int = DEFAULT_SPLIT_SEED
    max_per_class: int = 0  # cap training samples per class (0 = all)
    device: str = "auto"
    amp: bool = True  # bf16 autocast on CUDA
    save_dtype: str = "float32"  # float16 halves the weights file
    dry_run: bool = False  # a few batches and a small evaluation, for tests
    resume: str = ""  # checkpoint to continue from
    bench_augment_steps: int = 40  # measure images/s with and without augmentation before training


def get_args_parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    p = argparse.ArgumentParser(prog="glyphpad-ml train", description="Train a model on the EMNIST pool.")
    p.add_argument("--arch", default=defaults.arch, choices=list_models())
    p.add_argument("--labels", default=defaults.labels, choices=list(LABEL_SETS))
    p.add_argument("--name", default="", help="output name (default <labels>_<arch>)")
    p.add_argument("--data", default="", help="EMNIST folder (default $GLYPHPAD_DATA or ../shared/data/emnist)")
    p.add_argument("--out", default=defaults.out, help="output folder (default runs/)")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size)
    p.add_argument("--lr", type=float, default=defaults.lr)
    p.add_argument("--optimizer", default=defaults.optimizer, choices=OPTIMIZERS)
    p.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    p.add_argument("--scheduler", default=defaults.scheduler, choices=SCHEDULERS)
    p.add_argument("--step-size", type=int, default=defaults.step_size)
    p.add_argument("--gamma", type=float, default=defaults.gamma)
    p.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing)
    p.add_argument("--clip-grad-norm", type=float, default=defaults.clip_grad_norm, help="0 = off")
    p.add_argument("--balance", default=defaults.balance, choices=BALANCE)
    p.add_argument("--patience", type=int, default=defaults.patience, help="early stopping patience (0 = off)")
    p.add_argument("--ema", type=float, default=defaults.ema, help="weight EMA decay, 0 = off")
    p.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument("--augment-config", default="{}", help="JSON overrides of AugmentConfig, e.g. '{\"shear\": 0.1}'")
    p.add_argument("--model-config", default="{}", help="JSON architecture options, e.g. '{\"width\": 0.5}'")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--split-seed", type=int, default=defaults.split_seed)
    p.add_argument("--max-per-class", type=int, default=0)
    p.add_argument("--device", default=defaults.device)
    p.add_argument("--no-amp", dest="amp", action="store_false")
    p.add_argument("--save-dtype", default=defaults.save_dtype, choices=["float32", "float16", "bfloat16"])
    p.add_argument("--dry-run", action="store_true", help="a few batches only (for tests)")
    p.add_argument("--resume", default="", help="checkpoint (.ckpt) to continue from")
    p.add_argument("--bench-augment-steps", type=int, default=defaults.bench_augment_steps)
    return p


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    try:
        model_config = json.loads(args.model_config)
    except json.JSONDecodeError as error:
        raise SystemExit(f"--model-config is not valid JSON: {error}") from None
    if not isinstance(model_config, dict):
        raise SystemExit("--model-config must be a JSON object")
    values = {k: v for k, v in vars(args).items() if k in TrainConfig.__dataclass_fields__}
    values["model_config"] = model_config
    try:
        overrides = json.loads(args.augment_config)
        values["augment_config"] = AugmentConfig(**{**AugmentConfig().to_dict(), **overrides}).to_dict()
    except (json.JSONDecodeError, TypeError) as error:
        raise SystemExit(f"--augment-config is not a valid JSON object of AugmentConfig fields: {error}") from None
    return TrainConfig(**values)


def validate(config: TrainConfig) -> None:
    """Invalid options fail loudly, before any data is read."""
    get_arch(config.arch)
    get_label_set(config.labels)
    problems = []
    if config.epochs < 1:
        problems.append("--epochs must be at least 1")
    if config.batch_size < 2:
        problems.append("--batch-size must be at least 2 (batch norm needs two samples)")
    if not math.isfinite(config.lr) or config.lr <= 0:
        problems.append("--lr must be a positive number")
    if config.optimizer not in OPTIMIZERS:
        problems.append(f"--optimizer must be one of {OPTIMIZERS}")
    if config.scheduler not in SCHEDULERS:
        problems.append(f"--scheduler must be one of {SCHEDULERS}")
    if not 0 <= config.label_smoothing < 1:
        problems.append("--label-smoothing must be in [0, 1)")
    if not math.isfinite(config.clip_grad_norm) or config.clip_grad_norm < 0:
        problems.append("--clip-grad-norm must be 0 (off) or positive")
    if problems:
        raise ValueError("; ".join(problems))
    try:
        get_model(config.arch, num_classes=10, **config.model_config)
    except TypeError as error:
        raise ValueError(f"--model-config does not fit {config.arch}: {error}") from None


def make_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for parameter in model.parameters():
        # Weight decay on biases and norm scales only shrinks them toward zero for no benefit.
        (decay if parameter.ndim > 1 else no_decay).append(parameter)
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if config.optimizer == "adam":
        return torch.optim.Adam(groups, lr=config.lr)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=config.lr)
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=0.9, nesterov=True)
    return torch.optim.RMSprop(groups, lr=config.lr, momentum=0.9)


def make_scheduler(config: TrainConfig, optimizer: torch.optim.Optimizer, steps_per_epoch: int) -> Any:
    total = max(config.epochs * steps_per_epoch, 10)  # OneCycle divides by its warm-up length: never 0
    if config.scheduler == "onecycle":
        # A 15% warm-up: in a 3-epoch run every step at full rate counts.
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=total, pct_start=0.15)
    if config.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    if config.scheduler == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=config.step_size, gamma=config.gamma)
    if config.scheduler == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.3, patience=1)
    return None


def _batch(images: torch.Tensor, index: torch.Tensor, device: torch.device) -> torch.Tensor:
    batch = images[index].to(device, non_blocking=True).float().unsqueeze(1)
    return batch


def train_one_epoch(
    model: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    loss_fn: nn.Module,
    config: TrainConfig,
    device: torch.device,
    generator: torch.Generator,
    epoch: int,
    max_steps: int | None = None,
    ema_model: torch.optim.swa_utils.AveragedModel | None = None,
) -> dict[str, float]:
    model.train()
    order = torch.randperm(len(targets), generator=generator)
    steps = len(order) // config.batch_size or 1
    if max_steps is not None:
        steps = min(steps, max_steps)
    augment = AugmentConfig(**config.augment_config) if config.augment else None
    aug_generator = torch.Generator(device=device).manual_seed(config.seed * 1000 + epoch)
    total_loss, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    bar = tqdm(
        range(steps),
        desc=f"epoch {epoch + 1}/{config.epochs}",
        unit="batch",
        leave=True,
        dynamic_ncols=True,
        mininterval=1.0,
        disable=None,
    )
    for step in bar:
        index = order[step * config.batch_size : (step + 1) * config.batch_size]
        x = _batch(images, index, device)
        y = targets[index].to(device, non_blocking=True)
        if augment is not None:
            x = augment_batch(x, augment, aug_generator)
        if device.type == "cpu":
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(
            device_type=device.type, dtype=torch.bfloat16, enabled=config.amp and device.type == "cuda"
        ):
            logits = model(x)
            loss = loss_fn(logits.float(), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.clip_grad_norm > 0:
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad_norm)
        optimizer.step()
        if ema_model is not None:
            ema_model.update_parameters(model)
        if scheduler is not None and config.scheduler in ("onecycle", "cosine"):
            scheduler.step()
        total_loss += float(loss.detach()) * len(y)
        correct += int((logits.argmax(1) == y).sum())
        seen += len(y)
        if step % 20 == 0 or step == steps - 1:
            rate = seen / max(time.perf_counter() - start, 1e-9)
            bar.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{correct / seen:.3f}", img_s=f"{rate:.0f}")
    elapsed = time.perf_counter() - start
    return {
        "train_loss": total_loss / seen,
        "train_accuracy": correct / seen,
        "images_per_s": seen / elapsed,
        "seconds": elapsed,
        "lr": optimizer.param_groups[0]["lr"],
    }


def measure_throughput(
    config: TrainConfig, images: torch.Tensor, targets: torch.Tensor, device: torch.device, num_classes: int, steps: int
) -> dict[str, float]:
    """Training images/s with and without augmentation, same model and batches, measured back to back."""
    rates: dict[bool, list[float]] = {False: [], True: []}
    subset = torch.arange(min(len(targets), (steps + 3) * config.batch_size))
    # Three alternating rounds of each and the median, so a passing load spike decides nothing.
    for augment in (False, True) * 3:
        torch.manual_seed(config.seed)
        model = get_model(config.arch, num_classes=num_classes, **config.model_config).to(device)
        if device.type == "cpu":
            model = to_channels_last(model)
        optimizer = make_optimizer(config, model)
        probe = TrainConfig(**{**asdict(config), "augment": augment, "epochs": 1, "ema": 0.0})
        generator = torch.Generator().manual_seed(config.seed)
        for max_steps in (3, steps):  # a short warm-up (allocator, oneDNN kernels), then the timed run
            stats = train_one_epoch(
                model,
                images[subset],
                targets[subset],
                optimizer,
                None,
                nn.CrossEntropyLoss(),
                probe,
                device,
                generator,
                0,
                max_steps=max_steps,
            )
        rates[augment].append(stats["images_per_s"])
    off, on = float(np.median(rates[False])), float(np.median(rates[True]))
    return {
        "images_per_s_without_augmentation": round(off, 1),
        "images_per_s_with_augmentation": round(on, 1),
        "augmentation_throughput_ratio": round(on / off, 3),
    }


def _to_tensors(data: LabelledArrays, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    images = torch.from_numpy(np.ascontiguousarray(data.images))
    targets = torch.from_numpy(data.targets)
    if device.type == "cuda":  # the whole set fits on the GPU: no per-batch host transfers
        images, targets = images.to(device), targets.to(device)
    return images, targets


def fit(
    config: TrainConfig,
    train: LabelledArrays,
    val: LabelledArrays,
    device: torch.device,
    checkpoint_path: Path | None = None,
) -> tuple[nn.Module, list[dict[str, float]]]:
    """The training loop: epochs, validation, early stopping, checkpoints. Returns the best model."""
    label_set = train.label_set
    counts = train.class_counts()
    train_images, train_targets = _to_tensors(train, device)
    torch.manual_seed(config.seed)
    model = get_model(config.arch, num_classes=label_set.num_classes, **config.model_config).to(device)
    if device.type == "cpu":
        model = to_channels_last(model)
    optimizer = make_optimizer(config, model)
    steps_per_epoch = 2 if config.dry_run else max(1, len(train) // config.batch_size)
    scheduler = make_scheduler(config, optimizer, steps_per_epoch)
    weight = None
    if config.balance == "loss":
        weight = torch.tensor(
            len(counts) * (counts.sum() / np.maximum(counts, 1)) / (counts.sum() / np.maximum(counts, 1)).sum(),
            dtype=torch.float32,
            device=device,
        )
    loss_fn = nn.CrossEntropyLoss(weight=weight, label_smoothing=config.label_smoothing)

    history: list[dict[str, float]] = []
    first_epoch = 0
    if config.resume:
        checkpoint = torch.load(config.resume, map_location=device, weights_only=True)
        if checkpoint["config"]["arch"] != config.arch or checkpoint["config"]["labels"] != config.labels:
            raise ValueError(
                f"{config.resume} was trained as {checkpoint['config']['arch']} on "
                f"{checkpoint['config']['labels']}, not {config.arch} on {config.labels}"
            )
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if scheduler is not None and checkpoint.get("scheduler"):
            scheduler.load_state_dict(checkpoint["scheduler"])
        history = list(checkpoint["history"])
        first_epoch = int(checkpoint["epoch"]) + 1
        print(f"resumed from {config.resume} after epoch {first_epoch}", file=sys.stderr)

    generator = torch.Generator().manual_seed(config.seed)
    for _ in range(first_epoch):
        torch.randperm(len(train_targets), generator=generator)  # same batch order as an uninterrupted run
    ema_model = None
    if config.ema > 0:
        ema_model = torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(config.ema), use_buffers=True
        )
        if config.resume and checkpoint.get("ema"):
            ema_model.module.load_state_dict(checkpoint["ema"])
    best_accuracy, best_state, stale = -1.0, None, 0
    for epoch in range(first_epoch, config.epochs):
        stats = train_one_epoch(
            model,
            train_images,
            train_targets,
            optimizer,
            scheduler,
            loss_fn,
            config,
            device,
            generator,
            epoch,
            max_steps=2 if config.dry_run else None,
            ema_model=ema_model,
        )
        val_metrics, val_probs = evaluate_arrays(model, val.images, val.targets, list(label_set.classes), device)
        candidates = [(val_metrics["accuracy"], model)]
        if ema_model is not None:
            ema_metrics, _ = evaluate_arrays(ema_model.module, val.images, val.targets, list(label_set.classes), device)
            candidates.append((ema_metrics["accuracy"], ema_model.module))
        val_loss = float(
            F.nll_loss(torch.log(torch.from_numpy(val_probs).clamp_min(1e-9)), torch.from_numpy(val.targets))
        )
        record = {
            "epoch": epoch + 1,
            **{k: round(v, 5) for k, v in stats.items()},
            "val_loss": round(val_loss, 5),
            "val_accuracy": round(val_metrics["accuracy"], 5),
            "val_balanced_accuracy": round(val_metrics["balanced_accuracy"], 5),
        }
        if ema_model is not None:
            record["val_accuracy_ema"] = round(candidates[1][0], 5)
        history.append(record)
        print(
            f"epoch {epoch + 1}: loss {stats['train_loss']:.4f}, val accuracy {val_metrics['accuracy']:.4f} "
            f"(balanced {val_metrics['balanced_accuracy']:.4f})"
            + (f", weight EMA {candidates[1][0]:.4f}" if ema_model is not None else "")
            + f", {stats['images_per_s']:.0f} img/s",
            file=sys.stderr,
        )
        if scheduler is not None and config.scheduler == "step":
            scheduler.step()
        elif scheduler is not None and config.scheduler == "plateau":
            scheduler.step(val_metrics["accuracy"])
        epoch_best, epoch_model = max(candidates, key=lambda c: c[0])
        if epoch_best > best_accuracy:
            best_accuracy, stale = epoch_best, 0
            best_state = {k: v.detach().clone() for k, v in epoch_model.state_dict().items()}
        else:
            stale += 1
        if checkpoint_path is not None:
            checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "epoch": epoch,
                    "ema": ema_model.module.state_dict() if ema_model is not None else None,
                    "history": history,
                    "config": asdict(config),
                },
                checkpoint_path,
            )
        if config.patience and stale >= config.patience:
            print(f"early stop: no better val accuracy for {stale} epochs", file=sys.stderr)
            break
    if best_state is not None:
        model.load_state_dict(best_state)

    return model, history


def main(config: TrainConfig) -> Path:
    """Train, evaluate on the test split, write weights + card + metrics.json; returns the weights path."""
    validate(config)
    started = time.time()
    device = resolve_device(config.device)
    if device.type == "cpu":
        torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    label_set = get_label_set(config.labels)
    name = config.name or f"{config.labels}_{config.arch}"
    out_dir = Path(config.out)
    data_dir = Path(config.data) if config.data else default_data_dir()
    print(f"device: {describe(device)}; data: {data_dir}", file=sys.stderr)

    prepared = prepare_pool(data_dir, seed=config.split_seed, progress=True)
    train = prepared.select(label_set, "train", cap=config.max_per_class or None)
    val = prepared.select(label_set, "val")
    test = prepared.select(label_set, "test")
    if config.dry_run:
        rng = np.random.default_rng(0)

        def shrink(d: LabelledArrays, n: int) -> LabelledArrays:
            keep = np.sort(rng.choice(len(d), min(n, len(d)), replace=False))
            return LabelledArrays(d.images[keep], d.targets[keep], d.label_set)

        train, val, test = shrink(train, 8 * config.batch_size), shrink(val, 256), shrink(test, 256)
    if len(train) == 0 or len(test) == 0:
        raise ValueError(f"no samples for label set {config.labels} in {data_dir}")
    counts = train.class_counts()
    print(
        f"{name}: {config.arch} on {config.labels}: train {len(train)}, val {len(val)}, test {len(test)} "
        f"(train per class {counts.min()}-{counts.max()})",
        file=sys.stderr,
    )

    train_images, train_targets = _to_tensors(train, device)
    throughput: dict[str, float] = {}
    if config.augment and config.bench_augment_steps > 0 and not config.resume:
        throughput = measure_throughput(
            config,
            train_images,
            train_targets,
            device,
            label_set.num_classes,
            steps=3 if config.dry_run else config.bench_augment_steps,
        )
        print(
            f"throughput: {throughput['images_per_s_with_augmentation']:.0f} img/s with augmentation, "
            f"{throughput['images_per_s_without_augmentation']:.0f} without "
            f"({100 * throughput['augmentation_throughput_ratio']:.1f}%)",
            file=sys.stderr,
        )

    model, history = fit(config, train, val, device, checkpoint_path=Path(config.out) / f"{name}.ckpt")

    test_metrics, _ = evaluate_arrays(model, test.images, test.targets, list(label_set.classes), device)
    print(
        f"test: accuracy {test_metrics['accuracy']:.4f}, balanced {test_metrics['balanced_accuracy']:.4f}, "
        f"top-3 {test_metrics['top3']:.4f}, macro F1 {test_metrics['macro_f1']:.4f} (n={test_metrics['n']})",
        file=sys.stderr,
    )
    train_seconds = time.time() - started
    card = ModelCard(
        name=name,
        arch=config.arch,
        config=dict(config.model_config),
        label_set=config.labels,
        labels=list(label_set.classes),
        preprocess_version=PREPROCESS_VERSION,
        params=sum(p.numel() for p in model.parameters()),
        metrics={
            "split": "test",
            **summary(test_metrics),
            "per_class_recall": {c: v["recall"] for c, v in test_metrics["per_class"].items()},
        },
        training={
            "data": "EMNIST pool: every official EMNIST file in the data folder, exact duplicates dropped "
            f"({len(prepared.pool)} images)",
            "split": f"stratified 80/10/10 by character, seed {config.split_seed}",
            "train_samples": len(train),
            "epochs_run": len(history),
            "seconds": round(train_seconds, 1),
            "device": describe(device),
            "host": platform.machine(),
            "torch": torch.__version__,
            "command": "glyphpad-ml train " + " ".join(shlex.quote(a) for a in sys.argv[2:])
            if len(sys.argv) > 1 and sys.argv[1] == "train"
            else "",
            "config": {k: v for k, v in asdict(config).items() if k not in ("data", "out", "resume")},
            "class_prior": [round(float(c) / float(counts.sum()), 6) for c in counts],
            **throughput,
        },
        description=get_arch(config.arch).description,
    )
    dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[config.save_dtype]
    weights_path = save_weights(model, card, out_dir, dtype=dtype)
    metrics_path = out_dir / f"{name}.metrics.json"
    metrics_path.write_text(
        json.dumps({"name": name, "history": history, "test": test_metrics, **throughput}, indent=1) + "\n"
    )
    print(
        f"wrote {weights_path}, {weights_path.with_suffix('.json')} and {metrics_path} in {train_seconds:.0f} s",
        file=sys.stderr,
    )
    return weights_path


def cli(argv: list[str]) -> int:
    args = get_args_parser().parse_args(argv)
    try:
        main(config_from_args(args))
    except (ValueError, FileNotFoundError) as error:
        print(f"glyphpad-ml train: error: {error}", file=sys.stderr)
        return 2
    return 0
