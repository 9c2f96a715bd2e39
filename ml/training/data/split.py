"""Seeded stratified splits, so that every model is tested on the same unseen images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_SPLIT_SEED = 20261121
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class SplitIndices:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def get(self, name: str) -> np.ndarray:
        if name not in ("train", "val", "test"):
            raise ValueError(f"unknown split {name!r}: use train, val or test")
        indices: np.ndarray = getattr(self, name)
        return indices


def stratified_split(
    strata: np.ndarray,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
    seed: int = DEFAULT_SPLIT_SEED,
) -> SplitIndices:
    """Split indices so each stratum keeps the same train/val/test proportions.

    The assignment depends only on the strata and the seed, not on the label set later used, so a
    test image of one model is never a training image of another model trained on the same pool.
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"split fractions must be three non-negative numbers summing to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        rng.shuffle(members)
        n_test = round(fractions[2] * len(members))
        n_val = round(fractions[1] * len(members))
        parts[2].append(members[:n_test])
        parts[1].append(members[n_test : n_test + n_val])
        parts[0].append(members[n_test + n_val :])
    train, val, test = (np.sort(np.concatenate(p)) if p else np.empty(0, dtype=np.int64) for p in parts)
    return SplitIndices(train=train, val=val, test=test)


def cap_per_class(indices: np.ndarray, targets: np.ndarray, cap: int, seed: int = DEFAULT_SPLIT_SEED) -> np.ndarray:
    """At most ``cap`` indices per class (a seeded random subset), order preserved."""
    rng = np.random.default_rng(seed)
    kept = []
    for cls in np.unique(targets[indices]):
        members = indices[targets[indices] == cls]
        kept.append(members if len(members) <= cap else rng.choice(members, cap, replace=False))
    return np.sort(np.concatenate(kept)) if kept else indices[:0]
