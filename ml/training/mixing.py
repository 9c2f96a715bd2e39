"""How often each training sample is drawn: the mix of sources and the balance of classes.

The EMNIST pool holds five times more of each digit than of most letters, and it is scanned paper;
UNIPEN holds pen trajectories, its lower case in English letter frequencies, and a few writers who
wrote thousands of characters. Drawing samples by weight instead of shuffling the concatenation lets
one epoch be ``pen_share`` pen drawings, every class about equally frequent within each source
(``class_power`` 1; 0 keeps the data's counts), and no writer dominate (weight 1/sqrt(characters of
that writer) within a class).
"""

from __future__ import annotations

import numpy as np


def source_weights(
    targets: np.ndarray, num_classes: int, class_power: float, groups: np.ndarray | None = None
) -> np.ndarray:
    """Sampling weights of one source's samples, summing to 1.

    A class's mass is proportional to count ** (1 - class_power); within a class, a sample of a group
    (a writer) with n samples weighs 1 / sqrt(n) before the class's mass is shared out.
    """
    if len(targets) == 0:
        return np.zeros(0)
    damping = np.ones(len(targets))
    if groups is not None:
        _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
        damping = 1.0 / np.sqrt(counts[inverse])
    counts = np.bincount(targets, minlength=num_classes).astype(np.float64)
    mass = np.where(counts > 0, counts ** (1.0 - class_power), 0.0)
    mass /= mass.sum()
    within = np.bincount(targets, weights=damping, minlength=num_classes)
    weights = damping * mass[targets] / within[targets]
    return weights / weights.sum()


def mix_weights(parts: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Concatenate per-source weights (each summing to 1) scaled by each source's share."""
    present = [(w, share) for w, share in parts if len(w) and share > 0]
    total = sum(share for _, share in present)
    if total <= 0:
        raise ValueError("no source has samples and a positive share")
    return np.concatenate([w * (share / total) if share > 0 else np.zeros_like(w) for w, share in parts])
