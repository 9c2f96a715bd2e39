"""Train any registered architecture on the EMNIST pool: ``glyphpad-ml train``.

The whole preprocessed training set lives on the training device as one tensor, and batches are
augmented there (see :mod:`ml.training.augment`): no DataLoader workers, which on a 2-core machine
would compete with the training step for the same cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from ml.models import check_model_config, get_arch, get_model, list_models, model_description
from ml.runtime.cards import ModelCard, replaces_a_model, weights_dir
from ml.runtime.devices import describe, to_channels_last, torch_device
from ml.runtime.labels import LABEL_SETS, LabelSet, get_label_set
from ml.runtime.preprocess import PREPROCESS_VERSION
from ml.training.augment import AugmentConfig, augment_batch
from ml.training.checkpoints import (
    RunRecord,
    card_run_fields,
    check_resumable,
    check_same_pictures,
    checkpoint_settings,
    load_checkpoint,
    random_state,
    restore_random_state,
    resume_hint,
    run_record,
    save_checkpoint,
)
from ml.training.data.emnist import default_data_dir
from ml.training.data.image_folders import (
    HELD_OUT_FROM,
    OWN_PICTURES_TO_CHOOSE_BY,
    characters_not_held_out,
    folder_pictures,
    split_pictures,
    usable_folder_problem,
)
from ml.training.data.locations import EMNIST_HELP, PEN_DATA_HELP
from ml.training.data.prepared import LabelledArrays, prepare_pool
from ml.training.data.split import DEFAULT_SPLIT_SEED, cap_per_class
from ml.training.data.unipen import DEFAULT_WRITER_SPLIT_SEED, load_unipen, writer_split
from ml.training.data.unipen import LICENCE as UNIPEN_LICENCE
from ml.training.data.unipen import SOURCE as UNIPEN_SOURCE
from ml.training.distributed import (
    SINGLE_PROCESS,
    World,
    end_rank,
    join_world,
    leave_world,
    wait_for_every_rank,
    weight_checksums,
    wrap,
)
from ml.training.export import output_problems, save_weights
from ml.training.fine_tune import fine_tune_config, start_from_weights, starting_card
from ml.training.metrics import scores_line
from ml.training.mixing import mix_weights, source_weights
from ml.training.pen_data import evaluation_bank, training_bank
from ml.training.progress_lines import minutes, say_at_each_tenth
from ml.training.scoring import evaluate_arrays, summary
from ml.training.worker_processes import limit_workers, training_threads

log = logging.getLogger(__name__)

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULERS = ("onecycle", "cosine", "step", "plateau", "none")
BALANCE = ("sample", "loss", "none")


def option(default: Any, help: str, **argparse_options: Any) -> Any:
    """A TrainConfig field with its command-line help (the one place an option is declared)."""
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"help": help, **argparse_options})
    return field(default=default, metadata={"help": help, **argparse_options})


# Stroke architectures read pen trajectories and train with glyphpad-ml train-strokes.
IMAGE_ARCHS = [name for name in list_models() if get_arch(name).family != "stroke"]


def image_architecture(name: str) -> str:
    """``--arch``'s value, or why it is not one ``train`` trains (``glyphpad-ml archs`` lists both kinds)."""
    if name in list_models() and get_arch(name).family == "stroke":
        raise argparse.ArgumentTypeError(f"{name} reads pen strokes: train it with glyphpad-ml train-strokes")
    return name


@dataclass
class TrainConfig:
    arch: str = option(
        "emnist_cnn", "an image architecture (glyphpad-ml archs)", choices=IMAGE_ARCHS, type=image_architecture
    )
    labels: str = option("emnist36", "label set", choices=list(LABEL_SETS))
    name: str = option("", "output name (default <labels>_<arch>)")
    data: str = option("", EMNIST_HELP)
    pen_data: str = option("", f"{PEN_DATA_HELP}; 'none' = EMNIST only")
    out: str = option("runs", "where weights, card, metrics.json and the checkpoint go")
    epochs: int = option(10, "passes of --epoch-samples samples each")
    epoch_samples: int = option(0, "samples drawn per epoch (0 = the size of the EMNIST training split)")
    # Share of each epoch drawn from pen drawings (UNIPEN rendered as the canvas renders): the users draw
    # with a pen, EMNIST is scanned paper; both teach the shapes.
    pen_share: float = option(0.5, "share of each epoch's samples that are pen drawings (0-1)")
    # A person's own writing: pictures in class folders (as evaluate --images reads them), mixed in.
    images: str = option(
        "",
        "a folder of your own pictures, one sub-folder per character ('A', '7', 'a_lower'), mixed into the "
        "training; 80/10/10 of each character's pictures to train, validate and test (the source 'images')",
    )
    images_share: float = option(0.3, "share of each epoch's samples drawn from --images (0-1; EMNIST gives way)")
    start_from: str = option(
        "", "weights (.safetensors, or a bundled model's name) to start from: a fine-tune (same --arch and --labels)"
    )
    pen_variants: int = option(
        4,
        "augmented drawings rendered per UNIPEN training character; rendered once and cached (the first run "
        "with a setting renders them all: minutes on 2 cores; --max-per-class renders fewer, --pen-data none "
        "renders none)",
    )
    # 64: twice the updates of 128 per epoch, +0.5% val accuracy on a 3-epoch proxy, for 22% fewer
    # images/s on a 2-core CPU (1,373 vs 1,756 measured); short runs are update-bound.
    batch_size: int = option(64, "batch size")
    lr: float = option(4e-3, "peak learning rate (OneCycle) or the initial one")
    optimizer: str = option("adamw", "optimizer", choices=list(OPTIMIZERS))
    weight_decay: float = option(5e-4, "weight decay (not on biases and norm scales)")
    scheduler: str = option("onecycle", "learning-rate schedule", choices=list(SCHEDULERS))
    step_size: int = option(5, "StepLR: epochs between decays")
    gamma: float = option(0.3, "StepLR decay factor")
    label_smoothing: float = option(0.05, "softer targets: the 36/47-class sets hold ambiguous pairs (O/0, I/1)")
    clip_grad_norm: float = option(0.0, "max gradient norm, 0 = off (keeps RNNs stable at CNN rates)")
    # "sample": every class drawn about equally often from each source, so the answer follows the shapes
    # and not EMNIST's five-to-one digit prior; "loss": class-weighted loss instead; "none": the data's counts.
    balance: str = option("sample", "class balancing", choices=list(BALANCE))
    patience: int = option(0, "early stopping: epochs without a better validation score (0 = off)")
    ema: float = option(0.999, "decay of an exponential moving average of the weights, 0 = off")
    augment: bool = option(True, "batch augmentation of the images")
    augment_config: dict[str, Any] = option(AugmentConfig().to_dict(), "JSON overrides of AugmentConfig")  # noqa: RUF009
    model_config: dict[str, Any] = option({}, "JSON architecture options, e.g. '{\"dropout\": 0.1}' (listed by archs)")  # noqa: RUF009
    seed: int = option(0, "model init, batch order, augmentation")
    split_seed: int = option(DEFAULT_SPLIT_SEED, "seed of the EMNIST 80/10/10 split")
    writer_split_seed: int = option(DEFAULT_WRITER_SPLIT_SEED, "seed of the UNIPEN split by writer")
    max_per_class: int = option(
        0,
        "cap training samples per class, EMNIST's and the pen drawings' (0 = all); the validation that picks "
        "the epoch kept is capped alike, the scores written to the card are not",
    )
    device: str = option("auto", "auto, cpu, cuda or cuda:N")
    threads: int = option(0, "CPU threads (0 = OMP_NUM_THREADS when set, else every core; shared by torchrun's ranks)")
    amp: bool = option(True, "bf16 autocast on CUDA")
    save_dtype: str = option("float32", "dtype of the saved weights", choices=["float32", "float16", "bfloat16"])
    dry_run: bool = option(False, "a few batches and a small evaluation (for tests)")
    resume: str = option(
        "",
        "checkpoint (.ckpt) to continue from, with the options it was started with (those that shape the model, "
        "data, optimizer or schedule cannot change)",
    )
    bench_steps: int = option(0, "before training, measure images/s of EMNIST-only and mixed batches (0 = off)")


# What a resumed run cannot change: the model it builds, the data each epoch draws, its optimizer and the
# schedule (the number of epochs only where the schedule is laid out over all of them).
RESUME_FIXED = (
    "arch",
    "labels",
    "model_config",
    "epoch_samples",
    "batch_size",
    "optimizer",
    "lr",
    "weight_decay",
    "scheduler",
    "step_size",
    "gamma",
    "pen_share",
    "images_share",
    "start_from",
    "pen_variants",
    "max_per_class",
    "balance",
    "seed",
    "split_seed",
    "writer_split_seed",
)
SCHEDULES_OVER_EPOCHS = ("onecycle", "cosine")


HALF_RIGHT = 0.5  # a model reading fewer of EMNIST's test characters right is said to want more training
EMA_SETTLED_STEPS = 1_000_000  # a resumed average from a checkpoint that did not count its steps


Tensors = tuple[torch.Tensor, ...] | list[torch.Tensor]


def ema_with_warm_up(decay: float) -> Callable[[Tensors, Tensors, torch.Tensor | int], None]:
    """The weights' exponential moving average, its decay growing to ``decay`` as (1 + n) / (10 + n) over
    the first n steps: at a fixed 0.999 a quick run's 140 steps left the average mostly the random start
    (10% accuracy, printed beside the model's 95%); a long run reaches the decay within its first epoch.
    The decay is worked out on the steps' own device: reading the count back each step would make a GPU
    wait for the step before it."""

    @torch.no_grad()
    def update(averaged: Tensors, current: Tensors, steps: torch.Tensor | int) -> None:
        n = torch.as_tensor(steps, dtype=torch.float32, device=averaged[0].device)
        kept = torch.clamp((1.0 + n) / (10.0 + n), max=decay)
        if torch.is_floating_point(averaged[0]):
            kept = kept.to(averaged[0].dtype)
            torch._foreach_mul_(averaged, kept)
            torch._foreach_add_(averaged, torch._foreach_mul(current, 1.0 - kept))
        else:  # integer buffers (a batch norm's count)
            for a, c in zip(averaged, current, strict=True):
                a.copy_(a * kept + c * (1.0 - kept))

    return update


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
    if config.patience < 0:  # (-1 was taken silently, as 0: off)
        problems.append("--patience must be 0 (off) or more epochs")
    if config.threads < 0:
        problems.append("--threads must be 0 (every core) or more")
    if not 0 <= config.pen_share <= 1:
        problems.append("--pen-share must be in [0, 1]")
    if not 0 <= config.images_share <= 1:
        problems.append("--images-share must be in [0, 1]")
    elif config.images and config.pen_data != "none" and config.pen_share + config.images_share > 1:
        problems.append(f"--pen-share {config.pen_share:g} and --images-share {config.images_share:g} add up past 1")
    if config.images and not Path(config.images).is_dir():
        problems.append(f"--images {config.images}: no such folder (one sub-folder per character: 'A', '7', 'a_lower')")
    elif config.images and (problem := usable_folder_problem(config.images, get_label_set(config.labels))):
        problems.append(f"--images: {problem}")
    if config.epoch_samples < 0 or config.max_per_class < 0:
        problems.append("--epoch-samples and --max-per-class must be 0 (all) or positive")
    if config.pen_variants < 1:
        problems.append("--pen-variants must be at least 1")
    if not 0 <= config.ema < 1:  # 1.5 ran and kept weights that blew up; -0.5 was quietly "off"
        problems.append("--ema must be in [0, 1): the averaged weights' decay per step (0: off)")
    problems += output_problems(config.name, config.out)
    if problems:
        raise ValueError("; ".join(problems))
    try:
        check_model_config(config.arch, config.model_config)
    except ValueError as error:
        raise ValueError(f"--model-config: {error}") from None


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
    order: torch.Tensor,
    epoch: int,
    max_steps: int | None = None,
    ema_model: torch.optim.swa_utils.AveragedModel | None = None,
    world: World = SINGLE_PROCESS,
) -> dict[str, float]:
    """One pass over ``order`` (indices into images/targets, drawn by :func:`draw_epoch`); under
    torchrun each rank takes every world.size-th index, so the ranks share the epoch."""
    model.train()
    batch = rank_batch_size(config, world)
    steps = epoch_steps(len(order), config, world)
    order = order[world.rank :: world.size]
    if max_steps is not None:
        steps = min(steps, max_steps)
    augment = AugmentConfig(**config.augment_config) if config.augment else None
    aug_generator = torch.Generator(device=device).manual_seed(config.seed * 1000 + epoch + 7919 * world.rank)
    total_loss, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    bar = tqdm(
        range(steps),
        desc=f"epoch {epoch + 1}/{config.epochs}",
        unit="batch",
        leave=True,
        dynamic_ncols=True,
        mininterval=1.0,
        disable=None if world.is_main else True,
    )
    for step in bar:
        index = order[step * batch : (step + 1) * batch]
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
        if bar.disable and world.is_main:  # no terminal (a log file under nohup)
            elapsed = time.perf_counter() - start
            log_epoch_progress(
                epoch, config.epochs, step, steps, total_loss / seen, f"{seen / max(elapsed, 1e-9):.0f} img/s", elapsed
            )
    elapsed = time.perf_counter() - start
    return {
        "train_loss": total_loss / seen,
        "train_accuracy": correct / seen,
        "images_per_s": seen / elapsed,
        "seconds": elapsed,
        "lr": optimizer.param_groups[0]["lr"],
    }


def budget_line(config: TrainConfig) -> str:
    """What a run will train, said before its data is built: a recipe file (--settings) leaves the budget to
    train's own options, and a tuned recipe's small one became a full run without a word."""
    samples = (
        f"{config.epoch_samples:,} samples" if config.epoch_samples else "as many samples as EMNIST's training split"
    )
    per_class = (
        f"at most {config.max_per_class:,} per class (each epoch checked on at most as many per class of each "
        "validation part, the final model on the whole parts)"
        if config.max_per_class
        else "every training sample"
    )
    pen = "no pen drawings" if config.pen_data == "none" else f"pen share {config.pen_share:g}"
    pen += f", your pictures' share {config.images_share:g}" if config.images else ""
    epochs = "1 epoch" if config.epochs == 1 else f"{config.epochs} epochs"
    return f"budget: {epochs}, each {samples}; {per_class}; {pen} (--epochs, --epoch-samples, --max-per-class)"


def log_epoch_progress(epoch: int, epochs: int, step: int, steps: int, loss: float, rate: str, seconds: float) -> None:
    """For a log file, where no bar is drawn: a line at every tenth of the epoch (after ``step``, counted
    from 0, ``seconds`` into it), not minutes of silence. ``rate``: the speed, with its unit."""
    left = seconds / (step + 1) * (steps - step - 1)
    say_at_each_tenth(
        step,
        step + 1,
        steps,
        f"epoch {epoch + 1}/{epochs}: {100 * (step + 1) // steps}% ({step + 1}/{steps} batches), "
        f"loss {loss:.3f}, {rate}, {minutes(seconds)} in, about {minutes(left)} left of the epoch",
    )


def draw_epoch(weights: torch.Tensor, samples: int, generator: torch.Generator) -> torch.Tensor:
    """One epoch's sample indices, drawn with replacement by weight (the source mix and class balance)."""
    return torch.multinomial(weights, samples, replacement=True, generator=generator)


def measure_throughput(
    config: TrainConfig,
    data: TrainingSet,
    device: torch.device,
    steps: int,
) -> dict[str, float]:
    """Training images/s on EMNIST-only batches and on mixed batches, same model, measured back to back.

    Pen drawings are rendered before training (:mod:`ml.training.pen_data`), so a mixed batch costs
    what an EMNIST batch costs; this measures that it does.
    """
    images, targets = _to_tensors(data.images, data.targets, device)
    emnist_only = torch.from_numpy((data.source == 0) * data.weights)
    mixed = torch.from_numpy(data.weights)
    rates: dict[str, list[float]] = {"emnist": [], "mix": []}
    # Three alternating rounds of each and the median, so a passing load spike decides nothing.
    for kind, weights in (("emnist", emnist_only), ("mix", mixed)) * 3:
        torch.manual_seed(config.seed)
        model = get_model(config.arch, num_classes=data.label_set.num_classes, **config.model_config).to(device)
        if device.type == "cpu":
            model = to_channels_last(model)
        optimizer = make_optimizer(config, model)
        probe = TrainConfig(**{**asdict(config), "epochs": 1, "ema": 0.0})
        generator = torch.Generator().manual_seed(config.seed)
        for max_steps in (3, steps):  # a short warm-up (allocator, oneDNN kernels), then the timed run
            order = draw_epoch(weights, max_steps * config.batch_size, generator)
            stats = train_one_epoch(
                model,
                images,
                targets,
                optimizer,
                None,
                nn.CrossEntropyLoss(),
                probe,
                device,
                order,
                0,
                max_steps=max_steps,
            )
        rates[kind].append(stats["images_per_s"])
    return {
        "images_per_s_emnist_only": round(float(np.median(rates["emnist"])), 1),
        "images_per_s_mixed": round(float(np.median(rates["mix"])), 1),
    }


def _to_tensors(images: np.ndarray, targets: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    image_tensor = torch.from_numpy(np.ascontiguousarray(images))
    target_tensor = torch.from_numpy(targets)
    if device.type == "cuda":  # the whole set moves to the GPU once: no per-batch host transfers
        image_tensor, target_tensor = image_tensor.to(device), target_tensor.to(device)
    return image_tensor, target_tensor


@dataclass(frozen=True)
class TrainingSet:
    """Every training sample of every source, and how often each is drawn (:mod:`ml.training.mixing`)."""

    images: np.ndarray  # N x 28 x 28 float16, preprocessed
    targets: np.ndarray
    weights: np.ndarray  # sampling weight, sums to 1
    source: np.ndarray  # 0 EMNIST, 1 pen drawing
    label_set: LabelSet

    def __len__(self) -> int:
        return len(self.targets)


def rank_batch_size(config: TrainConfig, world: World) -> int:
    """Each process's share of --batch-size under torchrun: the processes' gradients are averaged, so the
    steps, the batch and the learning rate are one process's (each took a whole batch: twice the batch at
    the same learning rate, half the steps, 85% where one process reached 93%)."""
    return max(2, config.batch_size // world.size)


def epoch_steps(samples: int, config: TrainConfig, world: World) -> int:
    """The steps of an epoch of ``samples``, the same on every process (from the whole epoch's length: a
    process with one sample more took a step more, and the others' gradient averaging waited for it for
    good); the schedule is laid out over them."""
    return max(1, samples // world.size // rank_batch_size(config, world))


def kept_weights(history: Sequence[dict[str, float]]) -> dict[str, Any]:
    """Which weights a run kept (fit keeps the best validation score of every epoch's weights and their
    running average, and marks the epoch in the history): the epoch, which of the two, and the score."""
    kept = [record for record in history if record.get("kept")]  # marked by fit as it kept them
    if not kept:
        return {}
    last = kept[-1]
    average = bool(last.get("kept_average"))
    return {
        "epoch": int(last["epoch"]),
        "weights": "running average (--ema)" if average else "as trained",
        "validation_score": last["val_score_ema" if average else "val_score"],
    }


def _selection_score(accuracies: dict[str, float]) -> float:
    """Validation score that picks the epoch and the weight average: the mean over the sources, so that
    pen drawings and scanned characters count alike."""
    return float(np.mean(list(accuracies.values())))


def settings_in_effect(config: TrainConfig, with_pen: bool, device: torch.device) -> dict[str, Any]:
    """A card's record of the settings as they acted: no pen share without pen data, no autocast off CUDA,
    no CPU threads on it (options that did nothing must not read as part of the recipe), and no paths of
    this machine."""
    paths = ("data", "pen_data", "out", "resume", "images", "start_from")  # (the card says what was started from)
    settings = {k: v for k, v in asdict(config).items() if k not in paths}
    if not with_pen:
        settings["pen_share"] = 0.0
    if not config.images:
        settings["images_share"] = 0.0
    if device.type != "cuda":
        settings["amp"] = False
    else:
        settings["threads"] = 0  # CPU threads are set only for a run on the CPU
    return settings


def fit(
    config: TrainConfig,
    train: TrainingSet,
    val_sets: dict[str, LabelledArrays],
    device: torch.device,
    checkpoint_path: Path | None = None,
    after_epoch: Callable[[int, float], None] | None = None,
    world: World = SINGLE_PROCESS,
    run: RunRecord | None = None,
) -> tuple[nn.Module, list[dict[str, float]]]:
    """The training loop: epochs, validation, early stopping, checkpoints. Returns the best model.

    ``after_epoch(epoch, best validation score so far)`` runs after every epoch; it may raise to stop
    (the tuner prunes trials that fall behind this way).
    """
    run = run or RunRecord()
    if world.distributed and (config.batch_size % world.size or config.batch_size // world.size < 2):
        raise ValueError(
            f"--batch-size {config.batch_size} is shared by {world.size} processes: give a multiple of "
            f"{world.size} of at least {2 * world.size}"
        )
    label_set = train.label_set
    train_images, train_targets = _to_tensors(train.images, train.targets, device)
    sample_weights = torch.from_numpy(train.weights)
    epoch_samples = config.epoch_samples or int((train.source == 0).sum()) or len(train)
    torch.manual_seed(config.seed)
    model = get_model(config.arch, num_classes=label_set.num_classes, **config.model_config).to(device)
    if config.start_from and not config.resume:  # a fine-tune (a resume takes the checkpoint's weights)
        start_from_weights(model, config.start_from)
    if device.type == "cpu":
        model = to_channels_last(model)
    optimizer = make_optimizer(config, model)
    steps_per_epoch = 2 if config.dry_run else epoch_steps(epoch_samples, config, world)
    scheduler = make_scheduler(config, optimizer, steps_per_epoch)
    weight = None
    if config.balance == "loss":
        counts = np.bincount(train.targets, minlength=label_set.num_classes).astype(np.float64)
        inverse = counts.sum() / np.maximum(counts, 1)
        weight = torch.tensor(len(counts) * inverse / inverse.sum(), dtype=torch.float32, device=device)
    loss_fn = nn.CrossEntropyLoss(weight=weight, label_smoothing=config.label_smoothing)

    history: list[dict[str, float]] = []
    first_epoch = 0
    checkpoint: dict[str, Any] = {}
    if config.resume:
        checkpoint = load_checkpoint(config.resume, device, config.arch, config.labels)
        started_with = int(checkpoint.get("world_size", 1))
        if started_with != world.size:  # its steps per epoch, and the schedule laid out over them, differ
            raise ValueError(
                f"{config.resume} was trained by {started_with} process(es): resume it with as many, not {world.size}"
            )
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if scheduler is not None and checkpoint.get("scheduler"):
            scheduler.load_state_dict(checkpoint["scheduler"])
        history = list(checkpoint["history"])
        first_epoch = int(checkpoint["epoch"]) + 1
        if world.is_main:
            print(f"resumed from {config.resume} after epoch {first_epoch}", file=sys.stderr)
            if first_epoch >= config.epochs:  # a run stopped after its last epoch: its outputs are written again
                print(f"all {config.epochs} epochs were done: nothing left to train", file=sys.stderr)
        if first_epoch >= config.epochs and run is not None:
            run.nothing_trained = True  # its training time is the checkpoint's (it grew by each such resume)
    trained = wrap(model, world, device)  # what the steps run: DDP averages gradients across ranks

    generator = torch.Generator().manual_seed(config.seed)
    for _ in range(first_epoch):
        draw_epoch(sample_weights, epoch_samples, generator)  # same batches as an uninterrupted run
    ema_model = None
    if config.ema > 0:
        ema_model = torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=ema_with_warm_up(config.ema), use_buffers=True
        )
        if checkpoint.get("ema"):
            ema_model.module.load_state_dict(checkpoint["ema"])
            # An average under way: the next step blends into it at the decay it had reached, not restarts it.
            ema_model.n_averaged.fill_(int(checkpoint.get("ema_steps", EMA_SETTLED_STEPS)))
    best_score = float(checkpoint.get("best_score", -1.0))
    best_state = checkpoint.get("best_state")
    stale = int(checkpoint.get("stale", 0))
    restore_random_state(checkpoint, device)  # (last: nothing above may draw after it)
    for epoch in range(first_epoch, config.epochs):
        order = draw_epoch(sample_weights, epoch_samples, generator)
        stats = train_one_epoch(
            trained,
            train_images,
            train_targets,
            optimizer,
            scheduler,
            loss_fn,
            config,
            device,
            order,
            epoch,
            max_steps=2 if config.dry_run else None,
            ema_model=ema_model,
            world=world,
        )
        candidates = {"model": model} | ({"ema": ema_model.module} if ema_model is not None else {})
        record: dict[str, float] = {"epoch": epoch + 1, **{k: round(v, 5) for k, v in stats.items()}}
        scores = {}
        for kind, candidate in candidates.items():
            accuracies = {}
            for source, val in val_sets.items():
                metrics, probs = evaluate_arrays(candidate, val.images, val.targets, list(label_set.classes), device)
                if source != "images" or len(val) >= OWN_PICTURES_TO_CHOOSE_BY:  # (a few: noise, said)
                    accuracies[source] = metrics["accuracy"]
                suffix = "" if kind == "model" else "_ema"
                record[f"val_{source}_accuracy{suffix}"] = round(metrics["accuracy"], 5)
                if kind == "model":
                    record[f"val_{source}_balanced_accuracy"] = round(metrics["balanced_accuracy"], 5)
                    record[f"val_{source}_loss"] = round(
                        float(
                            F.nll_loss(
                                torch.log(torch.from_numpy(probs).clamp_min(1e-9)), torch.from_numpy(val.targets)
                            )
                        ),
                        5,
                    )
            scores[kind] = _selection_score(accuracies)
        record["val_score"] = round(scores["model"], 5)
        if "ema" in scores:
            record["val_score_ema"] = round(scores["ema"], 5)
        history.append(record)
        if world.is_main:
            print(
                f"epoch {epoch + 1}: training loss {stats['train_loss']:.4f}; validation top-1 "
                + ", ".join(
                    f"{k.removeprefix('val_').replace('_accuracy', '')} {100 * v:.2f}%"
                    for k, v in record.items()
                    if k.startswith("val_") and "accuracy" in k and "balanced" not in k
                )
                + (" (_ema: the weights' running average)" if config.ema > 0 else "")
                + f"; {stats['images_per_s'] * world.size:.0f} img/s",
                file=sys.stderr,
            )
        if scheduler is not None and config.scheduler == "step":
            scheduler.step()
        elif scheduler is not None and config.scheduler == "plateau":
            scheduler.step(scores["model"])
        best_kind = max(scores, key=lambda k: scores[k])
        if scores[best_kind] > best_score:
            best_score, stale = scores[best_kind], 0
            best_state = {k: v.detach().clone() for k, v in candidates[best_kind].state_dict().items()}
            record["kept"] = 1.0  # these weights are the run's best so far: kept_weights reads which
            record["kept_average"] = float(best_kind == "ema")
        else:
            stale += 1
        if checkpoint_path is not None and world.is_main:
            save_checkpoint(
                checkpoint_path,
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "epoch": epoch,
                    "ema": ema_model.module.state_dict() if ema_model is not None else None,
                    "ema_steps": int(ema_model.n_averaged) if ema_model is not None else 0,
                    "history": history,
                    "config": asdict(config),
                    "best_score": best_score,
                    "best_state": best_state,
                    "stale": stale,
                    "world_size": world.size,
                    **random_state(device),
                    **run.checkpoint_fields(),
                },
            )
        if after_epoch is not None:
            after_epoch(epoch, best_score)
        if config.patience and stale >= config.patience:
            if world.is_main:
                print(f"early stop: no better validation score for {stale} epochs", file=sys.stderr)
            break
    if best_state is not None:
        model.load_state_dict(best_state)

    return model, history


def epoch_validation(val_sets: dict[str, LabelledArrays], cap: int, seed: int) -> dict[str, LabelledArrays]:
    """The validation scored after every epoch: at most ``cap`` characters of each class per source (0 = all).

    A quick run (``--max-per-class 100``) trained for seconds and then scored some 90,000 validation
    characters, twice with the weights' average, every epoch. The subset is seeded, so a resume scores the
    same characters; the card's validation scores are of every character. A person's own pictures are not
    capped (nor are they in training): a few dozen, capped, no longer had their say in the epoch kept."""
    if not cap:
        return val_sets
    capped = {}
    for source, data in val_sets.items():
        if source == "images":
            capped[source] = data
            continue
        keep = cap_per_class(np.arange(len(data)), data.targets, cap, seed=seed)
        capped[source] = LabelledArrays(data.images[keep], data.targets[keep], data.label_set)
    return capped


def _shrink(data: LabelledArrays, n: int, rng: np.random.Generator) -> LabelledArrays:
    keep = np.sort(rng.choice(len(data), min(n, len(data)), replace=False))
    return LabelledArrays(data.images[keep], data.targets[keep], data.label_set)


@dataclass(frozen=True)
class PenSplits:
    train_images: np.ndarray
    train_targets: np.ndarray
    train_writers: np.ndarray
    val: LabelledArrays
    test: LabelledArrays
    characters: int
    writers: dict[str, int]


def load_pen_splits(config: TrainConfig, label_set: LabelSet) -> PenSplits | None:
    """UNIPEN rendered for training (augmented variants) and evaluation (thin, default and thick pen)."""
    if config.pen_data == "none":
        return None
    try:
        pen = load_unipen(config.pen_data or None)
    except FileNotFoundError as error:  # the one way on without the pen data, said where it is missed
        raise FileNotFoundError(f"{error}; or --pen-data none trains on EMNIST alone") from None
    split = writer_split(pen.writers, seed=config.writer_split_seed)
    targets = pen.targets_for(label_set)
    parts = {part: split.get(part) for part in ("train", "val", "test")}
    if config.dry_run:  # a handful of characters per part: the mechanics, not the accuracy
        rng = np.random.default_rng(0)
        parts = {k: np.sort(rng.choice(v, min(len(v), 96), replace=False)) for k, v in parts.items()}
    if config.max_per_class:  # a quick run renders few drawings too (all of them took minutes at first)
        usable_train = parts["train"][targets[parts["train"]] >= 0]
        parts["train"] = cap_per_class(usable_train, targets, config.max_per_class, seed=config.seed)
    started = time.perf_counter()
    # Banks hold every character of a part (one cache for all label sets); a label set takes its own.
    bank = training_bank(pen, parts["train"], config.pen_variants, seed=config.seed)
    val_bank, test_bank = evaluation_bank(pen, parts["val"]), evaluation_bank(pen, parts["test"])
    print(f"pen drawings ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    def usable(source_index: np.ndarray) -> np.ndarray:
        return targets[source_index] >= 0

    keep, keep_val, keep_test = usable(bank.source_index), usable(val_bank.source_index), usable(test_bank.source_index)
    used = {k: v[targets[v] >= 0] for k, v in parts.items()}
    return PenSplits(
        train_images=bank.inputs[keep],
        train_targets=targets[bank.source_index[keep]],
        train_writers=pen.writers[bank.source_index[keep]],
        val=LabelledArrays(val_bank.inputs[keep_val], targets[val_bank.source_index[keep_val]], label_set),
        test=LabelledArrays(test_bank.inputs[keep_test], targets[test_bank.source_index[keep_test]], label_set),
        characters=len(pen),
        writers={part: len(np.unique(pen.writers[idx])) for part, idx in used.items()},
    )


def fused_drawings_hint(start_from: str, name: str, label_set: str) -> str:
    """How a new model reads drawings in the app, said after where to copy it: from the picture alone,
    until a stroke model is fitted to it too (for a fine-tune, the one fused with the model it started
    from when it can be used; else the stroke model of its classes fused best). "" for classes no stroke
    model reads (a model trained from scratch was told nothing, even where one does)."""
    from ml.runtime.cards import WeightsError, drawings_figure, refit_command, stroke_model_for, stroke_model_problem

    partner = None
    if start_from:
        try:
            fitted = drawings_figure(starting_card(start_from))
        except (WeightsError, OSError):
            fitted = None
        if fitted is not None and not stroke_model_problem(fitted[1]):  # (damaged, the app reads with another)
            partner = fitted[1]
    strokes = partner or stroke_model_for(label_set)
    if strokes is None:
        return ""
    as_before = f", as {start_from} does" if partner else ""
    return (
        f". The app reads a drawing with it from the picture alone; to read the pen's strokes too{as_before}, "
        f"then run: {refit_command(strokes, name)}"
    )


def said_before_and_after(
    run: RunRecord,
    start_from: str,
    model: nn.Module,
    held_out: LabelledArrays,
    prior: list[float],
    device: torch.device,
) -> None:
    """A fine-tune on a person's pictures: how the model it started from and the new one read the same
    held-out test pictures (only the new one's figure was said; evaluate --images scores the pictures
    trained on too), without and, when the card keeps one, with the class prior, as the app reads."""
    from ml.runtime.cards import WeightsError, resolve_model_path
    from ml.runtime.weights import load_weights

    try:
        before, card = load_weights(resolve_model_path(start_from), device=device)
    except WeightsError as error:  # (moved since the run started: a resume)
        print(f"no figures of the model it started from on your pictures: {error}")
        return
    if card.sha256[:12] not in run.started_from:  # (replaced since the run started)
        print(f"no figures of the model it started from on your pictures: {start_from} is not that model now")
        return
    classes = list(held_out.label_set.classes)
    # Each as the app reads with its card: from the pictures turned either way too, where the card says so.
    readers = {card.name: (before, card.turned_views_degrees), "this model": (model, run.started_turn)}
    log_probabilities = {
        name: np.log(
            np.maximum(evaluate_arrays(reader, held_out.images, held_out.targets, classes, device, (), turn)[1], 1e-12)
        )
        for name, (reader, turn) in readers.items()
    }

    def right(shift: np.ndarray) -> str:
        counts = [int(((logs + shift).argmax(1) == held_out.targets).sum()) for logs in log_probabilities.values()]
        return f"{card.name} {counts[0]}, this model {counts[1]}"

    said = f"{right(np.zeros(len(classes)))} right"
    if prior:
        said += f"; as the app reads them, with the class prior kept: {right(np.asarray(prior))}"
    print(f"your pictures' test part ({len(held_out)}, none trained on, nor used to choose the epoch): {said}")
    # Which characters it learned (or lost): the counts alone did not tell a teacher their O is now an O.
    shift = np.asarray(prior) if prior else np.zeros(len(classes))
    before_right, now_right = ((logs + shift).argmax(1) == held_out.targets for logs in log_probabilities.values())
    for what, which in (("now read right", now_right & ~before_right), ("now read wrong", before_right & ~now_right)):
        if which.any():
            counts = Counter(classes[t] for t in held_out.targets[which].tolist())
            listed = ", ".join(f"{char} x{n}" if n > 1 else char for char, n in sorted(counts.items()))
            print(f"  {what} (of those pictures): {listed}")


def kept_prior(config: TrainConfig, run: RunRecord, label_set: LabelSet) -> list[float]:
    """The class prior a fine-tune keeps from the model it started from: only where this run, as that
    model's, drew every class about equally often (what glyphpad-ml prior chose it for)."""
    fits = config.balance == "sample" and len(run.started_prior) == label_set.num_classes
    return list(run.started_prior) if fits else []


def train_share(config: TrainConfig, with_pen: bool, with_own: bool) -> float:
    """EMNIST's share of each epoch: what the pen drawings and a person's own pictures leave."""
    return max(0.0, 1.0 - (config.pen_share if with_pen else 0.0) - (config.images_share if with_own else 0.0))


def build_training_set(
    config: TrainConfig,
    emnist: LabelledArrays,
    pen: PenSplits | None,
    label_set: LabelSet,
    own: LabelledArrays | None = None,
) -> TrainingSet:
    """Every source's training samples and how often each is drawn: EMNIST (source 0), the pen drawings
    (1) and a person's own pictures (2, ``--images``) by their shares, classes balanced in each."""
    class_power = 1.0 if config.balance == "sample" else 0.0
    n = label_set.num_classes
    with_own = own is not None and len(own) > 0
    own_share = config.images_share if with_own else 0.0
    parts = [(source_weights(emnist.targets, n, class_power), train_share(config, pen is not None, with_own))]
    images, targets, sources = [emnist.images], [emnist.targets], [np.zeros(len(emnist), dtype=np.int8)]
    if pen is not None:
        parts.append((source_weights(pen.train_targets, n, class_power, pen.train_writers), config.pen_share))
        images.append(pen.train_images)
        targets.append(pen.train_targets)
        sources.append(np.ones(len(pen.train_targets), dtype=np.int8))
    if own is not None and with_own:
        parts.append((source_weights(own.targets, n, class_power), own_share))
        images.append(own.images)
        targets.append(own.targets)
        sources.append(np.full(len(own), 2, dtype=np.int8))
    return TrainingSet(
        images=np.concatenate(images),
        targets=np.concatenate(targets),
        weights=mix_weights(parts),
        source=np.concatenate(sources),
        label_set=label_set,
    )


def evaluate_sources(
    model: nn.Module,
    sets: dict[str, LabelledArrays],
    device: torch.device,
    prior_log: Sequence[float] = (),
    turned_views_degrees: float = 0.0,
) -> dict[str, dict[str, Any]]:
    """Headline metrics of ``model`` on each named set (with ``prior_log`` added to its logits, and from the
    pictures turned either way too where ``turned_views_degrees`` is set)."""
    out = {}
    for name, data in sets.items():
        classes = list(data.label_set.classes)
        metrics, _ = evaluate_arrays(model, data.images, data.targets, classes, device, prior_log, turned_views_degrees)
        out[name] = summary(metrics)
    return out


def main(config: TrainConfig) -> Path:
    """Train, evaluate on each source's test part, write weights + card + metrics.json; returns the weights path.
    Under torchrun (several ranks) it does not return: each rank's process ends once every rank is done
    (:func:`ml.training.distributed.end_rank`)."""
    if config.resume:  # first: an option changed is said as changed (not as out of range with the others)
        fixed = RESUME_FIXED + (("epochs",) if config.scheduler in SCHEDULES_OVER_EPOCHS else ())
        check_resumable(config.resume, checkpoint_settings(config.resume), asdict(config), fixed)
    validate(config)
    if config.resume:
        check_same_pictures(config.resume, config.images)
    elif config.start_from:  # its weights' options, or why they cannot be started from, before any data
        config = fine_tune_config(config, "image")
    world, device_choice = join_world(config.device)
    try:
        written = _train(config, world, device_choice)
        wait_for_every_rank(world)
    except BaseException:
        leave_world()
        raise
    end_rank(world)  # a torchrun rank's process ends here, once every rank is done
    return written


def _train(config: TrainConfig, world: World, device_choice: str) -> Path:
    started = time.time()
    device = torch_device(device_choice)
    if device.type == "cpu":
        # Under torchrun on one machine the ranks share its cores.
        torch.set_num_threads(training_threads(config.threads, world.size))
    limit_workers(training_threads(config.threads))
    log_main = print if world.is_main else (lambda *args, **kwargs: None)
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    label_set = get_label_set(config.labels)
    name = config.name or f"{config.labels}_{config.arch}"
    out_dir = Path(config.out)
    data_dir = Path(config.data) if config.data else default_data_dir()
    log_main(
        f"device: {describe(device)}; data: {data_dir}" + (f"; rank 0 of {world.size}" if world.distributed else ""),
        file=sys.stderr,
    )
    log_main(budget_line(config), file=sys.stderr)

    if world.distributed and not world.is_main:
        torch.distributed.barrier()  # rank 0 fills the preprocessing and pen-drawing caches first
    prepared = prepare_pool(data_dir, seed=config.split_seed, progress=world.is_main)
    emnist_train = prepared.select(label_set, "train", cap=config.max_per_class or None)
    emnist_val = prepared.select(label_set, "val")
    emnist_test = prepared.select(label_set, "test")
    if config.dry_run:
        rng = np.random.default_rng(0)
        emnist_train = _shrink(emnist_train, 8 * config.batch_size, rng)
        emnist_val, emnist_test = _shrink(emnist_val, 256, rng), _shrink(emnist_test, 256, rng)
    if len(emnist_train) == 0 or len(emnist_test) == 0:
        raise ValueError(f"no samples for label set {config.labels} in {data_dir}")
    pen = load_pen_splits(config, label_set)
    own_pictures, own = None, {}
    if config.images:
        own_pictures = folder_pictures(config.images, label_set, progress=world.is_main)
        for line in own_pictures.left_out(config.labels):
            log_main(line, file=sys.stderr)
        own = split_pictures(own_pictures, label_set, config.split_seed)
        if whole := characters_not_held_out(own_pictures, label_set):
            listed = ", ".join(f"{char} ({count})" for char, count in whole.items())
            log_main(
                f"trained on whole, none held out to score (fewer than {HELD_OUT_FROM} pictures): {listed}",
                file=sys.stderr,
            )
        if 0 < len(own["val"]) < OWN_PICTURES_TO_CHOOSE_BY:
            log_main(
                f"your pictures' validation part ({len(own['val'])}) is scored, but too small to choose the "
                f"epoch kept by (under {OWN_PICTURES_TO_CHOOSE_BY})",
                file=sys.stderr,
            )
    if world.distributed and world.is_main:
        torch.distributed.barrier()
    train = build_training_set(config, emnist_train, pen, label_set, own.get("train"))
    val_sets = {"emnist": emnist_val} | ({"unipen": pen.val} if pen is not None else {})
    test_sets = {"emnist_test": emnist_test} | ({"unipen_test": pen.test} if pen is not None else {})
    # A person's own pictures are a source of their own, scored where a character had enough to hold out.
    val_sets |= {"images": own["val"]} if own and len(own["val"]) else {}
    test_sets |= {"images_test": own["test"]} if own and len(own["test"]) else {}
    log_main(
        f"{name}: {config.arch} on {config.labels}: EMNIST train {len(emnist_train)}, val {len(emnist_val)}, "
        f"test {len(emnist_test)}"
        + (
            f"; pen drawings train {len(pen.train_targets)} ({pen.writers['train']} writers), val "
            f"{len(pen.val)} ({pen.writers['val']} writers, 3 pens), test {len(pen.test)}; pen share "
            f"{config.pen_share:.3g}"
            if pen is not None
            else "; no pen data"
        )
        + (
            f"; your pictures train {len(own['train'])}, val {len(own['val'])}, test {len(own['test'])}; "
            f"their share {config.images_share:.3g}"
            if own
            else ""
        ),
        file=sys.stderr,
    )

    throughput: dict[str, float] = {}
    # Measured by one process (the card is rank 0's): under torchrun every process measured at once, each
    # slowing the others' figures.
    if config.bench_steps > 0 and not config.resume and world.is_main:
        throughput = measure_throughput(config, train, device, steps=config.bench_steps)
        log_main(
            f"throughput: {throughput['images_per_s_emnist_only']:.0f} img/s EMNIST only, "
            f"{throughput['images_per_s_mixed']:.0f} img/s mixed",
            file=sys.stderr,
        )

    checkpoint_path = Path(config.out) / f"{name}.ckpt"
    with resume_hint("train", checkpoint_path, config.resume):
        run = run_record("train", config.resume, started, config.start_from, config.images)
        if run.started_from:
            log_main(f"starting from {run.started_from}", file=sys.stderr)
        epoch_val_sets = epoch_validation(val_sets, config.max_per_class, config.seed)
        model, history = fit(
            config, train, epoch_val_sets, device, checkpoint_path=checkpoint_path, world=world, run=run
        )
    checksums = weight_checksums(model, world)
    if not world.is_main:
        return out_dir / f"{name}.safetensors"

    # A fine-tune's answers lean as the model's it started from (its class prior, kept): scored so, as the
    # app reads them (scored without, a fine-tune looked 3.5 points worse than its start on unseen writers).
    prior = kept_prior(config, run, label_set)
    classes = list(label_set.classes)
    turn = run.started_turn  # ... and reads the pictures as it did (turned too, where it did)
    test_metrics, _ = evaluate_arrays(model, emnist_test.images, emnist_test.targets, classes, device, prior, turn)
    others = {k: v for k, v in test_sets.items() if k != "emnist_test"} | {f"{k}_val": v for k, v in val_sets.items()}
    by_source = {"emnist_test": summary(test_metrics)} | evaluate_sources(model, others, device, prior, turn)
    if config.start_from and "images_test" in test_sets:
        said_before_and_after(run, config.start_from, model, own["test"], prior, device)
    kept = kept_weights(history)
    if kept:
        print(
            f"kept the weights of epoch {kept['epoch']} ({kept['weights']}): the best validation score, "
            f"{100 * kept['validation_score']:.2f}% (the mean accuracy over the validation sources"
            + (f", at most {config.max_per_class} per class of each" if config.max_per_class else "")
            + (", without the class prior" if prior else "")
            + ")"
        )
    for source, metrics in by_source.items():
        print(f"{source:14s} {scores_line(metrics)}")
    train_seconds = time.time() - started
    sources = [
        {
            "name": "EMNIST",
            "what": "every official EMNIST file in the data folder (scanned paper forms), exact duplicates dropped",
            "samples": len(prepared.pool),
            "train_samples": len(emnist_train),  # what this run trained on (--max-per-class takes fewer)
            "split": f"stratified 80/10/10 by character, seed {config.split_seed}",
            "licence": "NIST Special Database 19 terms; EMNIST: Cohen et al., 2017",
            "share": round(train_share(config, pen is not None, own_pictures is not None), 3),
        }
    ]
    if pen is not None:
        sources.append(
            {
                "name": "UNIPEN",
                "what": f"{UNIPEN_SOURCE}: pen trajectories rendered as the app's canvas renders them, "
                f"{config.pen_variants} augmented drawings per training character",
                "samples": pen.characters,
                "split": f"by writer 80/10/10, seed {config.writer_split_seed} "
                f"({pen.writers['train']}/{pen.writers['val']}/{pen.writers['test']} writers)",
                "licence": UNIPEN_LICENCE,
                "share": config.pen_share,
            }
        )
    if own_pictures is not None:
        sources.append(
            {
                "name": "your pictures",
                "what": f"pictures in class folders ({Path(config.images).name}), read as the app reads a picture",
                "samples": len(own_pictures.targets),
                "split": f"80/10/10 of each character's pictures (of those with {HELD_OUT_FROM} or more; the "
                f"others trained on whole), seed {config.split_seed}",
                "licence": "the pictures' own",
                "share": config.images_share,
            }
        )
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
        metrics_by_source=by_source,
        data_sources=sources,
        training={
            "train_samples": len(train),
            "epochs_run": len(history),
            **({"kept": kept} if kept else {}),
            "epoch_samples": config.epoch_samples or len(emnist_train),
            "device": describe(device) + (f" × {world.size} processes (torchrun)" if world.distributed else ""),
            "host": platform.machine(),
            "torch": torch.__version__,
            **card_run_fields("train", run, config.resume),
            "config": settings_in_effect(config, pen is not None, device),
            **throughput,
        },
        description=model_description(config.arch, config.model_config),
    )
    if prior:
        # The class prior chosen for the weights it started from (a fine-tune without it read the class's O as
        # 0 three times in four): kept, and said, with how to choose its own.
        card = replace(card, class_prior_log=prior)
        print(
            "kept the class prior of the model it started from (its answers lean as that model's did; the "
            "figures above are with it, as the app reads): 'glyphpad-ml prior' chooses its own",
            file=sys.stderr,
        )
    elif run.started_prior:
        print(
            f"the class prior of the model it started from is not kept: it was chosen for classes drawn equally "
            f"often, and this run drew them by --balance {config.balance}: 'glyphpad-ml prior' chooses its own",
            file=sys.stderr,
        )
    if run.started_turn:
        # The model it started from answered from its picture and the picture turned: so does this one (a
        # fine-tune of the default model read one view, about 0.7 points lower on unseen writers).
        card = replace(card, turned_views_degrees=run.started_turn)
        print(
            f"kept reading each picture also turned {run.started_turn:g} degrees either way, as the model it started "
            "from did (the figures above are so read, as the app reads)",
            file=sys.stderr,
        )
    dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[config.save_dtype]
    if (out_dir / f"{name}.safetensors").exists() and not config.resume:  # (it was replaced without a word)
        print(f"note: replacing the model {name} in {out_dir} with this run's (--name gives it another name)")
    weights_path = save_weights(model, card, out_dir, dtype=dtype)
    metrics_path = out_dir / f"{name}.metrics.json"
    metrics_path.write_text(
        json.dumps(
            {
                "name": name,
                "history": history,
                "test": test_metrics,
                "by_source": by_source,
                **throughput,
                "world_size": world.size,
                "rank_weight_checksums": checksums,
            },
            indent=1,
        )
        + "\n"
    )
    print(
        f"wrote {weights_path}, {weights_path.with_suffix('.onnx')}, {weights_path.with_suffix('.json')} and "
        f"{metrics_path} (this run took {train_seconds:.0f} s)"
    )
    if (accuracy := by_source["emnist_test"]["accuracy"]) < HALF_RIGHT and not config.dry_run:
        # (a 7% model was offered to the app as any other)
        print(
            f"note: it reads {100 * accuracy:.1f}% of EMNIST's held-out characters: train it longer (--epochs, "
            "--epoch-samples) before relying on its answers",
            file=sys.stderr,
        )
    print(
        f"to use it in the app: copy {name}.safetensors, .onnx and .json into {weights_dir().resolve()}"
        f"{' (GLYPHPAD_WEIGHTS)' if os.environ.get('GLYPHPAD_WEIGHTS') else ''}"
        + (
            f"{replaces_a_model(name)}; an open GlyphPad reads it after Model → Reload Models (F5)"
            if replaces_a_model(name)
            else "; an open GlyphPad lists it at once"
        )
        + fused_drawings_hint(config.start_from, name, config.labels),
        file=sys.stderr,
    )
    return weights_path
