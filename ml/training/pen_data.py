"""Pen handwriting as training images: UNIPEN trajectories drawn on a simulated canvas.

Each character is augmented on its strokes (before rendering, so every transformation keeps the pen
round and the stroke width true), placed on a canvas of a size the app has, drawn with a pen width the
app allows, and rendered by :func:`ml.runtime.render.render_strokes`, the function the canvas itself
uses, then normalized by :func:`ml.runtime.preprocess.preprocess`. The resulting 28x28 inputs are made once,
several variants per character, and cached on disk: rendering costs about 1.5 ms a character, too slow
to do inside a CPU training step, while a bank of variants costs a few minutes once.

The stroke augmentation covers what differs between writers and between a tablet and the app:
rotation, slant, aspect, size on the canvas, where strokes meet (small gaps and overshoots), where a
later stroke lands (per-stroke jitter), wobble, and how densely the pointer is sampled. Coarse tablets
(Apple's, about 17 units a character: a staircase when drawn large) are smoothed first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ml.runtime.pen import LIGHTEST_TOUCH, PEN_WIDTHS_PX, PRESSURE_SPAN
from ml.runtime.preprocess import BlankImageError, preprocess
from ml.runtime.render import DRAWING_CANVAS_PX, DRAWING_PEN_PX, DRAWING_SIDE, PenStroke, render_strokes
from ml.training.data.unipen import PenCharacters
from ml.training.progress_lines import minutes, say_at_each_tenth
from ml.training.worker_processes import worker_count, worker_pool

PEN_DATA_VERSION = 1  # bump when drawing or augmentation changes: it keys the cache
# The judged conditions: a character drawn on a 480 px canvas with a thin, the default and a thick pen
# (ml.runtime.pen: the app's pen widths).
EVAL_CANVAS_PX = DRAWING_CANVAS_PX
EVAL_PENS = {"thin": 4.0, "default": 14.0, "thick": 36.0}


@dataclass(frozen=True)
class PenAugment:
    rotation_deg: float = 10.0  # tilt of the hand or the tablet
    slant: tuple[float, float] = (-0.25, 0.3)  # added shear x += s * (-y); writers lean right more than left
    aspect: float = 0.2  # log-uniform width change of up to this share
    stroke_jitter: float = 0.03  # shift of each later stroke, share of the character's size (a t-cross, an i-dot)
    end_change: float = 0.06  # gaps and overshoots: each stroke end cut or extended by up to this share of its length
    wobble: float = 0.012  # amplitude of a smooth displacement along each stroke, share of size
    spacing_px: tuple[float, float] = (1.5, 6.0)  # pointer samples this far apart on the canvas
    canvas_px: tuple[float, float] = (300.0, 900.0)  # side of the canvas the character is drawn on
    height_share: tuple[float, float] = (0.3, 0.9)  # the character's longer side, share of the canvas side
    pen_px: tuple[float, float] = (float(PEN_WIDTHS_PX[0]), float(PEN_WIDTHS_PX[1]))  # the app's pen range
    typical_pen_px: tuple[float, float] = (4.0, 30.0)  # most draws are in this range (log-uniform)
    pressure_probability: float = 0.25  # share drawn with a tablet pen (pressure varies along the stroke)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class PenBank:
    """Preprocessed pen drawings: ``inputs[k]`` is a variant of character ``source_index[k]``."""

    inputs: np.ndarray  # N x 28 x 28 float16
    source_index: np.ndarray  # index into the PenCharacters
    condition: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="<U8"))  # eval sets: the pen


def _resample(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` along the stroke (its two ends kept)."""
    if len(stroke) < 2:
        return stroke
    steps = np.hypot(*np.diff(stroke, axis=0).T)
    lengths = np.r_[0.0, np.cumsum(steps)]
    if lengths[-1] <= spacing:
        return stroke[[0, -1]] if lengths[-1] > 0 else stroke[:1]
    at = np.r_[np.arange(0.0, lengths[-1], spacing), lengths[-1]]
    return np.column_stack([np.interp(at, lengths, stroke[:, 0]), np.interp(at, lengths, stroke[:, 1])])


def _smooth(stroke: np.ndarray, passes: int) -> np.ndarray:
    """[1, 2, 1] / 4 smoothing along the stroke, ends fixed: rounds off a coarse tablet's staircase."""
    out = stroke.copy()
    for _ in range(passes):
        if len(out) < 3:
            break
        out[1:-1] = (out[:-2] + 2 * out[1:-1] + out[2:]) / 4
    return out


def _change_ends(stroke: np.ndarray, amount: tuple[float, float], length: float) -> np.ndarray:
    """Cut (negative) or extend along the end's direction (positive) each end by a share of the length."""
    out = stroke
    for end, share in ((0, amount[0]), (1, amount[1])):
        if len(out) < 2 or length <= 0:
            break
        piece = out if end == 1 else out[::-1]
        if share < 0:
            keep = _resample(piece, max(length / 64, 1e-6))
            cut = max(2, round(len(keep) * (1 + share)))
            piece = keep[:cut]
        else:
            direction = piece[-1] - piece[max(0, len(piece) - 4)]
            norm = float(np.hypot(*direction))
            if norm > 0:
                piece = np.vstack([piece, piece[-1] + direction / norm * share * length])
        out = piece if end == 1 else piece[::-1]
    return out


def unit_shapes(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Strokes (any units, y down) centred on their box, its longer side 1; a coarse tablet's staircase
    (a few dozen units a character) smoothed."""
    parts = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not parts:
        raise ValueError("a character needs at least one point")
    everything = np.concatenate(parts)
    lo, hi = everything.min(0), everything.max(0)
    extent = float(max((hi - lo).max(), 1e-6))
    centre = (lo + hi) / 2
    shapes = [(p - centre) / extent for p in parts]
    if extent < 40:
        shapes = [_smooth(_resample(s, 0.5 / extent), 4) for s in shapes]
    return shapes


def vary_shapes(shapes: Sequence[np.ndarray], rng: np.random.Generator, a: PenAugment) -> list[np.ndarray]:
    """One writer's character another way (shapes in units of its size, from :func:`unit_shapes`):
    rotated, slanted, wider or narrower, its stroke ends cut or extended, wobbling, later strokes shifted."""
    angle = math.radians(rng.uniform(-a.rotation_deg, a.rotation_deg))
    slant = rng.uniform(*a.slant)
    aspect = math.exp(rng.uniform(-a.aspect, a.aspect))
    cos, sin = math.cos(angle), math.sin(angle)
    matrix = np.array([[cos, -sin], [sin, cos]]) @ np.array([[aspect, -slant], [0.0, 1.0]])
    varied = []
    for k, shape in enumerate(shapes):
        s = _resample(shape, 0.01) if len(shape) > 1 else shape
        length = float(np.hypot(*np.diff(s, axis=0).T).sum()) if len(s) > 1 else 0.0
        s = _change_ends(s, (rng.uniform(-1, 1) * a.end_change, rng.uniform(-1, 1) * a.end_change), length)
        if len(s) > 1:
            t = np.linspace(0.0, 1.0, len(s))[:, None]
            phase = rng.uniform(0, 2 * math.pi, size=2)
            cycles = rng.uniform(0.5, 2.0, size=2)
            s = s + rng.uniform(0, a.wobble, size=2) * np.sin(2 * math.pi * cycles * t + phase)
        if k > 0:
            s = s + rng.normal(0, a.stroke_jitter, size=2)
        varied.append(s @ matrix.T)
    return varied


def draw_pen_character(
    strokes: Sequence[np.ndarray],
    rng: np.random.Generator | None,
    augment: PenAugment | None = None,
    pen_px: float | None = None,
    canvas_px: float = EVAL_CANVAS_PX,
    height_share: float = 0.6,
) -> np.ndarray:
    """A character's strokes (any units, y down) as the app's canvas hands it to recognition.

    Without ``augment`` the character is drawn as written, centred, its longer side ``height_share``
    of a ``canvas_px`` canvas, with a ``pen_px`` pen (the app's default when None). With it, every
    choice is drawn at random from ``rng``.
    """
    # Work in units of the character's size: x and y in about [-0.5, 0.5].
    shapes = unit_shapes(strokes)
    pressure_profile = None
    if augment is not None and rng is not None:
        a = augment
        shapes = vary_shapes(shapes, rng, a)
        canvas_px = rng.uniform(*a.canvas_px)
        height_share = rng.uniform(*a.height_share)
        if pen_px is None:
            low, high = a.typical_pen_px if rng.random() < 0.85 else a.pen_px
            pen_px = math.exp(rng.uniform(math.log(low), math.log(high)))
        spacing = rng.uniform(*a.spacing_px)
        if rng.random() < a.pressure_probability:
            # The width shares a pen gives, at the start, middle and end of each stroke.
            pressure_profile = rng.uniform(LIGHTEST_TOUCH, LIGHTEST_TOUCH + PRESSURE_SPAN, size=3)
    else:
        spacing = 2.0
    pen_px = DRAWING_PEN_PX if pen_px is None else pen_px

    placed = np.concatenate(shapes)
    lo, hi = placed.min(0), placed.max(0)
    size = float(max((hi - lo).max(), 1e-6))
    scale_to_canvas = height_share * canvas_px / size
    offset = canvas_px / 2 - (lo + hi) / 2 * scale_to_canvas
    pen_strokes = []
    for shape in shapes:
        xy = _resample(shape * scale_to_canvas + offset, spacing)  # what the pointer reports
        pressure = None
        if pressure_profile is not None:
            t = np.linspace(0.0, 1.0, len(xy))
            pressure = np.interp(t, [0.0, 0.5, 1.0], pressure_profile)
        pen_strokes.append(PenStroke.from_xy(xy, pen_px, pressure))
    return render_strokes(pen_strokes, DRAWING_SIDE, DRAWING_SIDE, scale=DRAWING_SIDE / canvas_px)


def _render_chunk(job: tuple[list[list[np.ndarray]], list[int], PenAugment | None, float | None]) -> np.ndarray:
    characters, seeds, augment, pen_px = job
    out = np.zeros((len(characters), 28, 28), dtype=np.float16)
    for k, (strokes, seed) in enumerate(zip(characters, seeds, strict=True)):
        rng = np.random.default_rng(seed)
        with contextlib.suppress(BlankImageError):  # a degenerate trajectory stays blank, as on the canvas
            out[k] = preprocess(draw_pen_character(strokes, rng, augment, pen_px)).input
    return out


def _cache_file(kind: str, params: dict[str, object]) -> Path:
    from ml.training.data.prepared import cache_dir

    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return cache_dir() / f"pen-{kind}-v{PEN_DATA_VERSION}-{digest}.npz"


RENDER_CHUNK = 512  # drawings a worker renders at a time


def _render_all(
    pen: PenCharacters,
    jobs: Sequence[tuple[int, int, PenAugment | None, float | None]],
    progress: bool,
    description: str,
    keep: Path | None = None,
) -> np.ndarray:
    """Render (character, seed, augment, pen) jobs in worker processes (one per core, or --threads), in order.
    Interrupted (Ctrl+C), the drawings rendered so far are kept beside ``keep`` (the cache file the whole
    will be), and the next rendering of the same jobs goes on from there: a full training set is minutes
    of work."""
    from tqdm import tqdm

    partial = None if keep is None else _partial_path(keep)
    results = [_rendered_before(partial, len(jobs))]
    first = len(results[0])
    batches = [
        ([pen.strokes(i) for i, _, _, _ in part], [s for _, s, _, _ in part], part[0][2], part[0][3])
        for part in _chunks_of_one_kind(jobs[first:])
    ]
    workers = worker_count()
    logged = progress and not sys.stderr.isatty()  # a log file: a line now and then, not a bar's updates in one line
    if logged:
        going_on = f", going on from {first:,}" if first else ""
        said_first = f"{description}: rendering {len(jobs):,}{going_on}, kept in the cache for later runs…"
        print(said_first, file=sys.stderr, flush=True)
    bar = tqdm(total=len(jobs), initial=first, desc=description, disable=not progress or logged, unit=" drawings")
    said = _ProgressLines(description, len(jobs), first) if logged else None
    try:
        with contextlib.ExitStack() as stack:
            rendered: Iterator[np.ndarray]
            if workers == 1 or len(batches) < 4:
                rendered = map(_render_chunk, batches)
            else:
                rendered = stack.enter_context(worker_pool(workers)).map(_render_chunk, batches)
            for chunk in rendered:
                results.append(chunk)
                bar.update(len(chunk))
                if said is not None:
                    said.update(len(chunk))
    except KeyboardInterrupt:
        bar.close()
        if partial is not None and len(results) > 1:
            done = np.concatenate(results)
            kept = f"{description}: keeping the {len(done):,} rendered; the next run goes on from there"
            print(kept, file=sys.stderr, flush=True)
            _save_partial(partial, done)
        raise
    bar.close()
    return np.concatenate(results)


def _chunks_of_one_kind(
    jobs: Sequence[tuple[int, int, PenAugment | None, float | None]],
) -> list[Sequence[tuple[int, int, PenAugment | None, float | None]]]:
    """``jobs`` in chunks of at most RENDER_CHUNK that share their augment and pen (a worker renders a chunk
    with its first job's: chunks across the evaluation's pens drew up to a fifth of its drawings with the
    pen before, a review found)."""
    chunks: list[Sequence[tuple[int, int, PenAugment | None, float | None]]] = []
    start = 0
    for end in range(1, len(jobs) + 1):
        if end == len(jobs) or end - start == RENDER_CHUNK or jobs[end][2:] != jobs[start][2:]:
            chunks.append(jobs[start:end])
            start = end
    return chunks


def _rendered_before(partial: Path | None, total: int) -> np.ndarray:
    """The drawings an interrupted rendering of ``total`` kept in ``partial`` (none when there is no such
    file, or it is not drawings, or more than ``total``: damaged). Each drawing depends on its own job
    alone, so the rendering goes on from any count."""
    empty = np.zeros((0, 28, 28), dtype=np.float16)
    if partial is None or not partial.is_file():
        return empty
    try:
        done = np.load(partial, allow_pickle=False)
    except (OSError, ValueError):
        return empty
    if done.ndim != 3 or done.shape[1:] != (28, 28) or done.dtype != np.float16 or len(done) > total:
        return empty
    return np.asarray(done)


def _partial_path(cache: Path) -> Path:
    """Where an interrupted rendering of what ``cache`` will hold keeps the drawings rendered so far."""
    return cache.with_name(cache.stem + ".partial.npy")


def _save_partial(path: Path, done: np.ndarray) -> None:
    from ml.training.data.prepared import keep_in_cache

    keep_in_cache(path, lambda tmp: np.save(tmp, done, allow_pickle=False))


class _ProgressLines:
    """A line at each tenth of a long rendering written to a log (how many, and about how long is left)."""

    def __init__(self, description: str, total: int, first: int) -> None:
        self.description, self.total, self.first, self.done = description, total, first, first
        self.start = time.monotonic()

    def update(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        rate = (self.done - self.first) / max(time.monotonic() - self.start, 1e-6)
        left = (self.total - self.done) / max(rate, 1e-6)
        said = f"{self.description}: {self.done:,} of {self.total:,} rendered ({100 * self.done // self.total}%)"
        say_at_each_tenth(before, self.done, self.total, f"{said}, about {minutes(left)} left")


def training_bank(
    pen: PenCharacters,
    indices: np.ndarray,
    variants: int,
    augment: PenAugment | None = None,
    seed: int = 0,
    progress: bool = True,
    use_cache: bool = True,
) -> PenBank:
    """``variants`` augmented drawings of every character in ``indices`` (cached on disk)."""
    augment = augment or PenAugment()
    params = {
        "indices": hashlib.sha256(indices.tobytes()).hexdigest(),
        "n": len(pen),
        "variants": variants,
        "augment": augment.to_dict(),
        "seed": seed,
    }
    cache = _cache_file("train", params)
    source = np.repeat(indices, variants)
    if use_cache and cache.exists():
        with np.load(cache) as stored:
            if len(stored["inputs"]) == len(source):
                return PenBank(inputs=stored["inputs"], source_index=source)
    # Seeds depend on the character and the variant only: the same drawing whatever else is rendered.
    jobs = [(int(i), seed * 1_000_003 + int(i) * 97 + v, augment, None) for i in indices for v in range(variants)]
    # Sorting by variant would group identical augment configs; they are one config, so keep the order.
    inputs = _render_all(pen, jobs, progress, f"pen drawings x{variants}", keep=cache if use_cache else None)
    if use_cache:
        _save(cache, inputs)
    return PenBank(inputs=inputs, source_index=source)


def evaluation_bank(pen: PenCharacters, indices: np.ndarray, progress: bool = True, use_cache: bool = True) -> PenBank:
    """Every character of ``indices`` as written, centred, with each of the judged pens (EVAL_PENS)."""
    params = {
        "indices": hashlib.sha256(indices.tobytes()).hexdigest(),
        "n": len(pen),
        "pens": EVAL_PENS,
        "canvas": EVAL_CANVAS_PX,
        "each_with_its_pen": True,  # (drawings rendered before were partly drawn with the pen before theirs)
    }
    cache = _cache_file("eval", params)
    source = np.tile(indices, len(EVAL_PENS))
    condition = np.repeat(np.array(list(EVAL_PENS), dtype="<U8"), len(indices))
    if use_cache and cache.exists():
        with np.load(cache) as stored:
            if len(stored["inputs"]) == len(source):
                return PenBank(inputs=stored["inputs"], source_index=source, condition=condition)
    jobs = [(int(i), 0, None, width) for width in EVAL_PENS.values() for i in indices]
    inputs = _render_all(pen, jobs, progress, "pen drawings (thin, default, thick)", keep=cache if use_cache else None)
    if use_cache:
        _save(cache, inputs)
    return PenBank(inputs=inputs, source_index=source, condition=condition)


def _save(path: Path, inputs: np.ndarray) -> None:
    """Keep a rendering whole in the cache, then drop the part an interrupted one kept (only then: a Ctrl+C
    while the whole is written loses neither)."""
    from ml.training.data.prepared import keep_in_cache

    if keep_in_cache(path, lambda tmp: np.savez(tmp, inputs=inputs)):
        with contextlib.suppress(OSError):
            _partial_path(path).unlink(missing_ok=True)
