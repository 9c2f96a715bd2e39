"""Classification metrics in plain numpy, from predicted probabilities and true class indices."""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows are the true class, columns the predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (targets, predicted), 1)
    return matrix


def roc_curve(scores: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """False and true positive rates over all thresholds, and the area under the curve (ties handled)."""
    order = np.argsort(-scores, kind="stable")
    scores, positive = scores[order], positive[order]
    distinct = np.flatnonzero(np.diff(scores)) if len(scores) else np.empty(0, dtype=np.int64)
    ends = np.r_[distinct, len(scores) - 1]
    tps = np.cumsum(positive)[ends]
    fps = (ends + 1) - tps
    n_pos, n_neg = int(positive.sum()), int(len(positive) - positive.sum())
    if n_pos == 0 or n_neg == 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0]), float("nan")
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    return fpr, tpr, float(np.trapezoid(tpr, fpr))


CALIBRATION_BINS = 15  # equal-width bins of confidence, as the expected calibration error is usually reported


def calibration_error(probabilities: np.ndarray, targets: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    """Expected calibration error: how far the answers' confidence is from how often they are right, the
    answers put in ``bins`` equal-width bins of confidence and each bin weighed by its answers (0: an answer
    given 90% sure is right nine times in ten). nan for no answers."""
    if not len(targets):
        return float("nan")
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == targets
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)  # (a confidence of 1 in the last bin)
    error = 0.0
    for b in np.unique(which):
        members = which == b
        error += members.mean() * abs(float(confidence[members].mean()) - float(right[members].mean()))
    return float(error)


def classification_metrics(probabilities: np.ndarray, targets: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """Accuracy, top-3, balanced accuracy, macro precision/recall/F1, per-class report, confusion, AUC,
    expected calibration error."""
    num_classes = len(labels)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(targets, predicted, num_classes)
    support = matrix.sum(axis=1)
    predicted_count = matrix.sum(axis=0)
    true_positive = np.diag(matrix).astype(np.float64)
    present = support > 0
    recall = np.divide(true_positive, support, out=np.zeros(num_classes), where=present)
    precision = np.divide(true_positive, predicted_count, out=np.zeros(num_classes), where=predicted_count > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros(num_classes), where=denominator > 0)
    k = min(3, num_classes)
    top3 = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    aucs = []
    for c in np.flatnonzero(present):
        aucs.append(roc_curve(probabilities[:, c], targets == c)[2])
    per_class = {
        labels[c]: {
            "precision": round(float(precision[c]), 4),
            "recall": round(float(recall[c]), 4),
            "f1": round(float(f1[c]), 4),
            "support": int(support[c]),
        }
        for c in range(num_classes)
    }
    return {
        "n": len(targets),
        "accuracy": float((predicted == targets).mean()) if len(targets) else float("nan"),
        "top3": float((top3 == targets[:, None]).any(axis=1).mean()) if len(targets) else float("nan"),
        "balanced_accuracy": float(recall[present].mean()) if present.any() else float("nan"),
        "macro_precision": float(precision[present].mean()) if present.any() else float("nan"),
        "macro_recall": float(recall[present].mean()) if present.any() else float("nan"),
        "macro_f1": float(f1[present].mean()) if present.any() else float("nan"),
        # nan when no class has both positives and negatives (a folder of one class): no warning then
        "macro_auc_ovr": float(np.nanmean(aucs)) if not np.isnan(aucs).all() else float("nan"),
        "calibration_error": calibration_error(probabilities, targets),
        "per_class": per_class,
        "confusion": matrix.tolist(),
    }


def scores_line(metrics: dict[str, Any]) -> str:
    """A source's scores as every command prints them (train, train-strokes and evaluate said the same
    figures as fractions in one and percentages in the other)."""
    return (
        f"n={metrics['n']:<7d} top-1 {100 * metrics['accuracy']:6.2f}%  "
        f"balanced {100 * metrics['balanced_accuracy']:6.2f}%  top-3 {100 * metrics['top3']:6.2f}%"
    )


def most_confused_pairs(matrix: np.ndarray, labels: list[str], top: int = 10) -> list[dict[str, Any]]:
    """The (true, predicted) pairs with the most errors, largest first."""
    errors = matrix.copy()
    np.fill_diagonal(errors, 0)
    flat = np.argsort(-errors, axis=None)[:top]
    pairs = []
    for index in flat:
        true, pred = divmod(int(index), matrix.shape[1])
        if errors[true, pred] == 0:
            break
        support = int(matrix[true].sum())
        pairs.append(
            {
                "true": labels[true],
                "predicted": labels[pred],
                "count": int(errors[true, pred]),
                "rate": round(float(errors[true, pred] / max(support, 1)), 4),
            }
        )
    return pairs
