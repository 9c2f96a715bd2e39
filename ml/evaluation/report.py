"""Evaluation plots (PNG) and a JSON report, written by ``glyphpad-ml evaluate --report DIR``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ml.training.metrics import most_confused_pairs, roc_curve


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, never need a display
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def plot_confusion(matrix: np.ndarray, labels: list[str], path: Path, normalized: bool, title: str) -> Path:
    plt = _pyplot()
    values = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalized else matrix
    size = max(5.0, 0.22 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    from matplotlib.colors import Normalize, SymLogNorm

    # Counts on a log scale whose colour bar reads in counts (it read ln(1 + count): 1.39 for 3).
    norm = Normalize(0, 1) if normalized else SymLogNorm(linthresh=1, vmin=0, vmax=max(float(values.max()), 1.0))
    image = ax.imshow(values, cmap="viridis", interpolation="nearest", norm=norm)
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title}: confusion matrix ({'row-normalized' if normalized else 'counts, log colour scale'})")
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("share of the true class's samples" if normalized else "samples")
    return _save(fig, path)


def plot_roc(probabilities: np.ndarray, targets: np.ndarray, labels: list[str], path: Path, title: str) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.5))
    aucs = []
    for c, label in enumerate(labels):
        if not (targets == c).any():
            continue
        fpr, tpr, auc = roc_curve(probabilities[:, c], targets == c)
        aucs.append((auc, label))
        ax.plot(fpr, tpr, lw=0.7, alpha=0.6)
    worst = sorted(aucs)[:3]
    # Chance (a true positive rate equal to the false one) as a curve of many points: two points made a
    # straight line on the symlog axis, where chance is not one.
    chance = np.linspace(0, 1, 400)
    ax.plot(chance, chance, "k--", lw=0.8, label="chance")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlabel("false positive rate (symlog)")
    ax.set_ylabel("true positive rate")
    mean_auc = float(np.nanmean([a for a, _ in aucs])) if aucs else math.nan
    # Five decimals: at three, a good model's lowest classes all read "1.000".
    ax.set_title(
        f"{title}: one-vs-rest ROC, macro AUC {mean_auc:.5f}\nlowest AUC: "
        + ", ".join(f"{label} {auc:.5f}" for auc, label in worst),
        fontsize=9,
    )
    return _save(fig, path)


def plot_learning_curves(history: list[dict[str, float]], path: Path, title: str) -> Path:
    """Losses left, accuracies right: every ``train_*`` and ``val_*`` figure the history holds (one per
    validation source, "val_unipen_accuracy", and the EMA weights' "..._ema" beside them)."""
    plt = _pyplot()
    epochs = [h["epoch"] for h in history]
    # Every epoch's keys, in their first order: a figure may start later (a source added on resuming).
    keys = [key for key in dict.fromkeys(k for h in history for k in h) if key.startswith(("train_", "val_"))]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for axis, kind in ((left, "loss"), (right, "accuracy")):
        for key in keys:
            if kind in key:
                label = key.replace("_", " ") + (" (augmented)" if key == "train_accuracy" else "")
                axis.plot(epochs, [h.get(key, math.nan) for h in history], "o-", label=label)
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        if axis.lines:
            axis.legend(fontsize=8)
    fig.suptitle(f"{title}: learning curves (its training, on its own validation data)")
    return _save(fig, path)


def plot_class_distribution(targets: np.ndarray, labels: list[str], path: Path, title: str) -> Path:
    plt = _pyplot()
    counts = np.bincount(targets, minlength=len(labels))
    fig, ax = plt.subplots(figsize=(max(6, 0.2 * len(labels) + 2), 3.5))
    ax.bar(range(len(labels)), counts)
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylabel("samples")
    ax.set_title(f"{title}: class distribution of the evaluated data (n={len(targets)})")
    return _save(fig, path)


def plot_intensity_histogram(inputs: np.ndarray, path: Path, title: str, raw: np.ndarray | None = None) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = np.linspace(0, 1, 52)
    ax.hist(np.asarray(inputs, dtype=np.float32).ravel(), bins=bins, alpha=0.6, log=True, label="model input")
    if raw is not None:
        ax.hist(raw.astype(np.float32).ravel() / 255.0, bins=bins, alpha=0.5, log=True, label="raw EMNIST")
    ax.set_xlabel("pixel intensity (ink = 1)")
    ax.legend()
    ax.set_title(f"{title}: pixel intensities")
    return _save(fig, path)


def plot_samples(
    inputs: np.ndarray,
    targets: np.ndarray,
    predicted: np.ndarray,
    labels: list[str],
    path: Path,
    title: str,
    count: int = 48,
) -> Path:
    plt = _pyplot()
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(inputs), min(count, len(inputs)), replace=False)
    columns = 12
    rows = math.ceil(len(chosen) / columns)
    # A row's height for each row, and room for the title (a few samples' rows were squeezed into each other).
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.15 + 0.5), squeeze=False)
    for ax, index in zip(np.ravel(axes), chosen, strict=False):
        ax.imshow(np.asarray(inputs[index], dtype=np.float32), cmap="gray", vmin=0, vmax=1)
        right = predicted[index] == targets[index]
        ax.set_title(
            f"{labels[targets[index]]}→{labels[predicted[index]]}", fontsize=8, color="black" if right else "red"
        )
    for ax in np.ravel(axes):
        ax.axis("off")
    fig.suptitle(f"{title}: samples (true→predicted, errors in red)")
    return _save(fig, path)


def plot_confused_pairs(
    pairs: list[dict[str, Any]],
    inputs: np.ndarray,
    targets: np.ndarray,
    predicted: np.ndarray,
    labels: list[str],
    path: Path,
    title: str,
    examples: int = 6,
) -> Path:
    plt = _pyplot()
    rows = max(1, len(pairs))
    fig, axes = plt.subplots(rows, examples + 1, figsize=((examples + 1) * 0.95, rows * 1.0), squeeze=False)
    for row, pair in enumerate(pairs):
        t, p = labels.index(pair["true"]), labels.index(pair["predicted"])
        members = np.flatnonzero((targets == t) & (predicted == p))[:examples]
        axes[row, 0].text(
            0.0,
            0.5,
            f"{pair['true']} → {pair['predicted']}\n{pair['count']} ({100 * pair['rate']:.1f}%)",
            fontsize=8,
            va="center",
        )
        for col in range(examples):
            if col < len(members):
                axes[row, col + 1].imshow(
                    np.asarray(inputs[members[col]], dtype=np.float32), cmap="gray", vmin=0, vmax=1
                )
    for ax in np.ravel(axes):
        ax.axis("off")
    fig.suptitle(f"{title}: most confused pairs (true → predicted), with examples", fontsize=9)
    return _save(fig, path)


def write_report(
    out_dir: str | Path,
    metrics: dict[str, Any],
    probabilities: np.ndarray,
    targets: np.ndarray,
    labels: list[str],
    inputs: np.ndarray,
    history: list[dict[str, float]] | None = None,
    raw_samples: np.ndarray | None = None,
    title: str = "model",
    model_name: str = "model",
) -> list[Path]:
    """Every plot and ``report.json``; returns the written paths. ``title`` names the model and the data
    scored ("m on emnist_test"); the learning curves, the model alone (they are its training's)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    matrix = np.array(metrics["confusion"])
    predicted = probabilities.argmax(axis=1)
    pairs = most_confused_pairs(matrix, labels, top=10)
    written = [
        plot_confusion(matrix, labels, out / "confusion.png", normalized=False, title=title),
        plot_confusion(matrix, labels, out / "confusion_normalized.png", normalized=True, title=title),
        plot_roc(probabilities, targets, labels, out / "roc.png", title),
        plot_class_distribution(targets, labels, out / "class_distribution.png", title),
        plot_intensity_histogram(
            inputs, out / "intensity_histogram.png", title, raw=raw_samples[:5000] if raw_samples is not None else None
        ),
        plot_samples(inputs, targets, predicted, labels, out / "samples.png", title),
        plot_confused_pairs(pairs, inputs, targets, predicted, labels, out / "confused_pairs.png", title),
    ]
    if history:
        written.append(plot_learning_curves(history, out / "learning_curves.png", model_name))
    report = {**metrics, "most_confused": pairs, "labels": labels}
    (out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    written.append(out / "report.json")
    return written
