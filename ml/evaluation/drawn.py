"""``glyphpad-ml drawn``: accuracy on drawn characters, the input the app actually gets.

EMNIST's test split is scanned pen-on-paper, centred and downsampled by NIST's pipeline. Users draw
with a mouse or a tablet, thin or thick, small or large, off-centre, or open photos and small
MNIST-style images. This builds a seeded set of such drawings from the stroke glyphs in ``ml.runtime.synth``
(every digit, every capital and the lowercase forms that differ from their capitals, several
variants), each in several "writers'" hands (slant, rotation, width, wobble), and rendered:

- on a 280 px canvas with pen widths 3, 8, 16 and 28 px, at a random size (35-85% of the canvas)
  and position, dark on light: the app's canvas;
- white on black (a dark theme or a negated scan);
- as a 28x28 image of a big, centred character (what MNIST-style files look like);
- as a 2000 px "scan": grey paper with noise and uneven light, a dark-grey pen.

Everything goes through ``ml.runtime.preprocess``, the app's one path, and every bundled model is scored on
the characters its label set can name. A character that the label set merges (``o`` in emnist36) is
scored against the merged class. The set is synthetic: it measures robustness to pen, size and
position, not to writers the glyph outlines do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from ml.runtime.labels import get_label_set
from ml.runtime.preprocess import BlankImageError, preprocess
from ml.runtime.synth import GLYPH_VARIANTS, render, vary_handwriting

CANVAS_PX = 280
PEN_WIDTHS = (3, 8, 16, 28)
CONDITIONS = (*(f"pen {w}px" for w in PEN_WIDTHS), "white on black", "28x28 image", "2000px scan")
DEFAULT_WRITERS = 6
DEFAULT_SEED = 20261122

DRAWN_START = "<!-- drawn:start (glyphpad-ml drawn --readme README.md) -->"
DRAWN_END = "<!-- drawn:end -->"


@dataclass(frozen=True)
class DrawnSet:
    inputs: np.ndarray  # N x 28 x 28 float32, preprocessed
    chars: list[str]
    conditions: list[str]


def _scan(drawing: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dark-on-light drawing as a phone photo or scan of paper: grey ink, off-white paper, noise, a light
    gradient."""
    height, width = drawing.shape
    ink_share = 1.0 - drawing.astype(np.float32) / 255.0
    paper = rng.uniform(200, 240) + np.linspace(-15, 15, width)[None, :] * rng.choice([-1.0, 1.0])
    ink = rng.uniform(30, 90)
    pixels = paper * (1 - ink_share) + ink * ink_share + rng.normal(0, 6, size=(height, width))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def _drawings(
    rng: np.random.Generator, writers: int, chars: str | None, canvas_px: int = CANVAS_PX
) -> list[tuple[str, str, np.ndarray]]:
    """(character, condition, image) for every glyph variant, writer and condition.

    ``canvas_px`` renders the canvas conditions at another size, pens scaled with it (the same
    drawings: the random draws do not depend on it), to see what the app's rendering size costs.
    """
    zoom = canvas_px / CANVAS_PX
    out: list[tuple[str, str, np.ndarray]] = []
    for char, variants in GLYPH_VARIANTS.items():
        if chars is not None and char not in chars:
            continue
        for strokes in variants:
            for _ in range(writers):
                hand = vary_handwriting(strokes, rng)
                for pen in PEN_WIDTHS:
                    box = float(rng.uniform(0.35, 0.85))
                    room = (1.0 - box) / 2 - 0.02
                    offset = (float(rng.uniform(-room, room)), float(rng.uniform(-room, room)))
                    image = render(char, canvas_px, pen * zoom, box, offset, strokes=hand)
                    out.append((char, f"pen {pen}px", image))
                inverted_pen = float(rng.uniform(6, 14)) * zoom
                inverted = render(char, canvas_px, inverted_pen, 0.6, dark_on_light=False, strokes=hand)
                out.append((char, "white on black", inverted))
                big = render(char, 112, float(rng.uniform(8, 14)), 0.8, dark_on_light=False, strokes=hand)
                small = Image.fromarray(big).resize((28, 28), Image.Resampling.BOX)
                out.append((char, "28x28 image", np.asarray(small)))
                scan = render(char, 2000, float(rng.uniform(25, 60)), float(rng.uniform(0.3, 0.7)), strokes=hand)
                out.append((char, "2000px scan", _scan(scan, rng)))
    return out


def make_drawn_set(
    writers: int = DEFAULT_WRITERS,
    seed: int = DEFAULT_SEED,
    progress: bool | None = False,
    chars: str | None = None,
    canvas_px: int = CANVAS_PX,
) -> DrawnSet:
    """The drawings, preprocessed; ``chars`` limits them to some characters (default: every glyph).
    ``progress``: a bar on standard error (None: on a terminal only)."""
    rng = np.random.default_rng(seed)
    inputs: list[np.ndarray] = []
    drawn_chars: list[str] = []
    conditions: list[str] = []
    no_bar = None if progress is None else not progress  # tqdm's disable: None = only off a terminal
    drawings = _drawings(rng, writers, chars, canvas_px)
    for char, condition, image in tqdm(drawings, desc="drawings", unit="img", disable=no_bar, mininterval=1):
        try:
            inputs.append(preprocess(image).input)
        except BlankImageError as error:  # would be a bug in the glyphs or the renderer
            raise RuntimeError(f"drawn {char!r} ({condition}) came out blank: {error}") from error
        drawn_chars.append(char)
        conditions.append(condition)
    return DrawnSet(np.stack(inputs).astype(np.float32), drawn_chars, conditions)


def score(probabilities: np.ndarray, drawn: DrawnSet, label_set_name: str, labels: list[str]) -> dict[str, Any]:
    """Top-1 per condition and overall top-1/top-3 over the drawings whose character the set can name."""
    label_set = get_label_set(label_set_name)
    if list(label_set.classes) != labels:
        raise ValueError(f"model labels do not match label set {label_set_name}")
    classes = [label_set.class_of(c) for c in drawn.chars]
    targets = np.array([-1 if index is None else index for index in classes])
    usable = targets >= 0
    ranked = np.argsort(-probabilities, axis=1)
    top1 = ranked[:, 0] == targets
    top3 = (ranked[:, :3] == targets[:, None]).any(axis=1)
    conditions = np.array(drawn.conditions)
    per_condition = {
        name: float(top1[usable & (conditions == name)].mean())
        for name in CONDITIONS
        if (usable & (conditions == name)).any()
    }
    return {
        "n": int(usable.sum()),
        "accuracy": float(top1[usable].mean()),
        "top3": float(top3[usable].mean()),
        "per_condition": per_condition,
        "misses": _misses(ranked[:, 0], targets, usable, labels, drawn.chars),
    }


def _misses(
    predicted: np.ndarray, targets: np.ndarray, usable: np.ndarray, labels: list[str], chars: list[str]
) -> list[str]:
    """The five most frequent confusions, as 'drawn->predicted (count)'."""
    counts: dict[str, int] = {}
    for p, t, u, c in zip(predicted, targets, usable, chars, strict=True):
        if u and p != t:
            key = f"{c}->{labels[p]}"
            counts[key] = counts.get(key, 0) + 1
    return [f"{k} ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:5]]


def table(rows: list[dict[str, Any]]) -> str:
    header = "| model | labels | " + " | ".join(CONDITIONS) + " | all top-1 | all top-3 | n |"
    lines = [header, "| --- | --- |" + " ---: |" * (len(CONDITIONS) + 3)]
    for row in rows:
        cells = [f"{100 * row['per_condition'][c]:.1f}%" if c in row["per_condition"] else "n/a" for c in CONDITIONS]
        lines.append(
            f"| `{row['model']}` | {row['labels']} | " + " | ".join(cells) + f" | {100 * row['accuracy']:.1f}% | "
            f"{100 * row['top3']:.1f}% | {row['n']} |"
        )
    return "\n".join(lines)


def save_grid(drawn: DrawnSet, path: Path, per_condition: int = 12) -> None:
    """Model inputs, one row per condition, spread over the characters: what the models were shown."""
    rows = []
    for condition in CONDITIONS:
        of_condition = [i for i, c in enumerate(drawn.conditions) if c == condition]
        # Spread over the whole set: its first drawings are all digits.
        picks = [of_condition[k] for k in np.linspace(0, len(of_condition) - 1, per_condition).round().astype(int)]
        rows.append(np.hstack([drawn.inputs[i] for i in picks]))
    grid = (np.vstack(rows) * 255).clip(0, 255).astype(np.uint8)
    Image.fromarray(grid).resize((grid.shape[1] * 3, grid.shape[0] * 3), Image.Resampling.NEAREST).save(path)
