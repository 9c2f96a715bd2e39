"""The EMNIST pool, preprocessed once (cached on disk), selected for a label set and split."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.runtime.atomic_files import write_atomically
from ml.runtime.labels import LabelSet
from ml.runtime.preprocess import PREPROCESS_VERSION, preprocess_many
from ml.training.data.emnist import CharacterPool, load_emnist_pool
from ml.training.data.split import DEFAULT_SPLIT_SEED, SplitIndices, cap_per_class, stratified_split

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledArrays:
    """Preprocessed model inputs (N x 28 x 28 float16) with class indices of ``label_set``."""

    images: np.ndarray
    targets: np.ndarray
    label_set: LabelSet

    def __len__(self) -> int:
        return len(self.targets)


@dataclass(frozen=True)
class PreparedPool:
    pool: CharacterPool
    inputs: np.ndarray  # preprocessed, aligned with pool
    split: SplitIndices

    def select(self, label_set: LabelSet, split: str, cap: int | None = None) -> LabelledArrays:
        """Samples of ``split`` that ``label_set`` can use ('all' for the whole pool)."""
        targets = self.pool.targets_for(label_set)
        indices = np.arange(len(targets)) if split == "all" else self.split.get(split)
        indices = indices[targets[indices] >= 0]
        if cap is not None:
            indices = cap_per_class(indices, targets, cap)
        return LabelledArrays(images=self.inputs[indices], targets=targets[indices], label_set=label_set)


def cache_dir() -> Path:
    return Path(os.environ.get("GLYPHPAD_CACHE") or Path.home() / ".cache" / "glyphpad")


def keep_in_cache(path: Path, save: Callable[[Path], object]) -> bool:
    """``save`` (writing the file it is given) into the cache folder, whole or not at all. Whether it was
    kept: a folder that cannot be written (read-only, full) is said and the run goes on with what it made
    (it stopped with a traceback after the minutes of work that made it)."""
    try:
        write_atomically(path, save, make_folders=True)
    except OSError as error:
        log.warning(
            "could not keep %s in the cache folder %s (%s): the next run makes it again (GLYPHPAD_CACHE names "
            "another folder)",
            path.name,
            path.parent,
            error.strerror or error,
        )
        return False
    return True


def _fingerprint(images: np.ndarray) -> str:
    """What the preprocessed pool depends on: the preprocessing's version and the pictures themselves. Not
    the files' dates: a fresh copy of the same data rebuilt the cache, and each rebuild left another
    300 MB file behind."""
    digest = hashlib.sha256(f"preprocess-v{PREPROCESS_VERSION}".encode())
    digest.update(np.ascontiguousarray(images).data)
    return digest.hexdigest()[:16]


def preprocess_parallel(images: np.ndarray, workers: int | None = None, progress: bool = True) -> np.ndarray:
    """:func:`preprocess_many` over worker processes (the work is per image and CPU-bound)."""
    from ml.training.worker_processes import worker_count, worker_pool

    workers = workers or worker_count()
    if workers == 1 or len(images) < 2000:
        return preprocess_many(images, progress=progress)
    chunks = np.array_split(images, workers * 8)
    from tqdm import tqdm

    with worker_pool(workers) as executor:
        results = list(
            tqdm(executor.map(preprocess_many, chunks), total=len(chunks), desc="preprocess", disable=not progress)
        )
    return np.concatenate(results)


def prepare_pool(
    data_dir: str | Path,
    seed: int = DEFAULT_SPLIT_SEED,
    use_cache: bool = True,
    progress: bool = True,
) -> PreparedPool:
    """Load, deduplicate, preprocess (cached by the pictures and the preprocessing's version) and split the
    EMNIST pool."""
    data_dir = Path(data_dir)
    pool = load_emnist_pool(data_dir)
    cache_file = cache_dir() / f"emnist-pool-{_fingerprint(pool.images)}.npy"
    inputs = None
    if use_cache and cache_file.exists():
        cached = np.load(cache_file)
        if len(cached) == len(pool):
            inputs = cached
            log.info("preprocessed pool from cache %s", cache_file)
    if inputs is None:
        inputs = preprocess_parallel(pool.images, progress=progress)
        if use_cache and keep_in_cache(cache_file, lambda tmp: np.save(tmp, inputs)):
            # Another preprocessing version's pool, or other data's: each was 300 MB more. (Alternating
            # between two EMNIST folders rebuilds each in turn.) Another process's file being written stays.
            for stale in cache_file.parent.glob("emnist-pool-*.npy"):
                if stale != cache_file and re.fullmatch(r"emnist-pool-[0-9a-f]{16}\.npy", stale.name):
                    stale.unlink(missing_ok=True)
    return PreparedPool(pool=pool, inputs=inputs, split=stratified_split(pool.stratum_keys(), seed=seed))
