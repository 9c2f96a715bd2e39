"""Teaching the piece verifier (:mod:`ml.runtime.piece_verifier`) what one whole character is.

Examples come from pictures of written lines whose characters are known (``glyphpad-ml train-verifier``
composes them from UNIPEN's training writers, with pens and line heights of many sizes). Each picture is
split as text mode splits it, and every candidate text mode reads becomes an example (the reader's own
:func:`ml.runtime.line_reader.picture_candidates`): each part, both sides of each cut of a part at least
``VERIFIED_CUT_WIDE`` usual widths wide, and each pair of close parts read as one. Text mode asks the
verifier only about parts offered cuts and their sides; the other candidates teach it what whole
characters and their pieces look like (trained on those alone, it read the validation words' pictures
worse: one box per character 95.70 -> 94.67%). A candidate is one whole character when its extent along
the line matches one character's (overlap over union at least ``SAME_EXTENT``); a side of a cut only when
the part it was cut from holds two characters or more (the centres of their extents).

The same words, read as written strokes, teach it the candidates text mode makes in a line of strokes
(:func:`stroke_piece_examples`): each part, each close pair read as one and both sides of each cut of a
part of several strokes, rendered and measured as text mode renders and measures them. As with pictures,
text mode asks about fewer (close pairs, and parts offered cuts, with their sides); the other parts teach
whole characters. Not among them: the pieces of a stroke the pen ran from one letter into the next (cut
by the recognizers' reading, which the examples do not run) and groups a person joined or split. A
candidate is one whole character when its strokes are one character's, less any the rules set aside as
punctuation (a dot standing apart from every letter).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from ml.models.piece_verifier import PieceVerifier
from ml.runtime.atomic_files import write_atomically
from ml.runtime.cards import sha256_of
from ml.runtime.line_reader import (
    VERIFIED_CUT_WIDE,
    ink_picture,
    picture_candidates,
    stroke_candidates,
    stroke_picture,
    usual_character_width,
    without_punctuation,
    written_ink,
)
from ml.runtime.piece_verifier import STAND_IN_WIDTH, VERIFIER_NAME, piece_geometry, strokes_geometry
from ml.runtime.preprocess import PREPROCESS_VERSION, as_pixels
from ml.runtime.segmentation import (
    NotOneLineError,
    close_pairs,
    line_height,
    split_ink,
    split_strokes,
    stroke_cuts,
    strokes_box,
)
from ml.runtime.strokes import stroke_points
from ml.training.export import ONNX_OPSET, ExportError, graph_bytes

SAME_EXTENT = 0.75
PART, SIDE, JOINED = 0, 1, 2  # the kinds of candidate: a part, a side of a cut, two close parts read as one


@dataclass(frozen=True)
class PieceExamples:
    pictures: np.ndarray  # (N, 28, 28) float16 model inputs
    geometry: np.ndarray  # (N, 2) float32, piece_geometry
    one: np.ndarray  # (N,) bool: one whole character
    kind: np.ndarray  # (N,) int8: PART, SIDE or JOINED

    @staticmethod
    def join(examples: list[PieceExamples]) -> PieceExamples:
        if not examples:
            return PieceExamples(
                np.zeros((0, 28, 28), np.float16), np.zeros((0, 2), np.float32), np.zeros(0, bool), np.zeros(0, np.int8)
            )
        return PieceExamples(
            *(np.concatenate([getattr(e, f) for e in examples]) for f in ("pictures", "geometry", "one", "kind"))
        )


def _extent_match(a0: float, a1: float, b0: float, b1: float) -> float:
    overlap = max(0.0, min(a1, b1) - max(a0, b0))
    return overlap / max(max(a1, b1) - min(a0, b0), 1e-9)


def piece_examples(picture: np.ndarray, character_boxes: np.ndarray, pen_px: float = 0.0) -> PieceExamples:
    """Every candidate text mode reads in ``picture`` (a written line; the reader's own
    :func:`ml.runtime.line_reader.picture_candidates`), each marked one whole character or not by
    ``character_boxes`` (x0, y0, x1, y1 of each written character's strokes, in the picture's pixels;
    ``pen_px``: how far the ink reaches past them)."""
    written = written_ink(as_pixels(picture)[0])
    if written is None:
        return PieceExamples.join([])
    try:
        every_part, pieces = split_ink(written.mask)
    except ValueError:  # not one line
        return PieceExamples.join([])
    parts, _ = without_punctuation(every_part)  # a full stop or hyphen is no model's to read
    if len(parts) < 2:
        return PieceExamples.join([])
    height = line_height(np.array([p.body_box for p in parts]))
    # A line of few parts has no usual width and text mode does not ask the verifier about it; its parts
    # still show whole characters and their pieces, measured against a stand-in width.
    usual = usual_character_width(parts) or STAND_IN_WIDTH * height
    candidates, merged_of = picture_candidates(parts, pieces, height, usual, VERIFIED_CUT_WIDE)
    joined = set(merged_of.values())
    crop_x, scale = written.corner[0], written.scale
    truth = [(b[0] - pen_px / 2, b[2] + pen_px / 2) for b in character_boxes]
    centres = [(a + b) / 2 for a, b in truth]

    def extent(pixels: np.ndarray) -> tuple[float, float]:
        return pixels[:, 1].min() / scale + crop_x, (pixels[:, 1].max() + 1) / scale + crop_x

    pictures, geometry, one, kind = [], [], [], []
    holds = 0  # how many characters the part being cut holds
    for k, (owner, _, pixels) in enumerate(candidates):
        what = JOINED if k in joined else PART if k == 0 or candidates[k - 1][0] != owner else SIDE
        left, right = extent(pixels)
        if what == PART:
            holds = sum(left <= c <= right for c in centres)
        model_input = ink_picture(written.ink, pixels, written.peak)
        if model_input is None:
            continue
        # A side of a part that holds one character or none is never a whole one, however wide.
        matches = max(_extent_match(left, right, a, b) for a, b in truth) >= SAME_EXTENT
        pictures.append(model_input.reshape(28, 28))
        geometry.append(piece_geometry(pixels, usual, height))
        one.append(matches and (what != SIDE or holds >= 2))
        kind.append(what)
    if not pictures:
        return PieceExamples.join([])
    return PieceExamples(
        np.stack(pictures).astype(np.float16), np.stack(geometry), np.array(one, bool), np.array(kind, np.int8)
    )


def stroke_piece_examples(strokes: Sequence[np.ndarray], character_of_stroke: Sequence[int]) -> PieceExamples:
    """The candidates text mode makes of a written line's ``strokes`` ((x, y) points, y down, in writing
    order): its parts, each close pair read as one and both sides of each cut of a part of several strokes
    (:func:`ml.runtime.line_reader.stroke_candidates`), rendered and measured as text mode renders and
    measures them. A candidate is one whole character when its strokes are exactly one character's
    (``character_of_stroke``: which character each stroke belongs to), the dot of an i or j included and
    strokes set aside as punctuation left out."""
    parts_xy = [stroke_points(stroke, k + 1) for k, stroke in enumerate(strokes)]
    try:
        every_part = split_strokes(parts_xy)
    except NotOneLineError:
        return PieceExamples.join([])
    parts, _ = without_punctuation(every_part)  # (a full stop is no model's to read, nor the verifier's)
    if not parts:
        return PieceExamples.join([])
    body_height = line_height(np.array([p.body_box for p in parts]))
    usual_width = usual_character_width(parts)
    candidates, merged_of, cut_rows = stroke_candidates(
        parts, close_pairs(parts, parts_xy), stroke_cuts(parts, parts_xy)
    )
    joined, sides = set(merged_of.values()), {k for rows in cut_rows.values() for pair in rows for k in pair}
    read = {k for part in parts for k in part.strokes}  # the strokes that are not punctuation
    owner = np.asarray(character_of_stroke)
    characters = {frozenset(k for k in np.flatnonzero(owner == c) if k in read) for c in set(owner.tolist())}
    pictures, geometry, one, kind = [], [], [], []
    for k, candidate in enumerate(candidates):
        try:
            picture = stroke_picture([parts_xy[j] for j in candidate.strokes])
        except ValueError:  # a dot alone, or nothing to render (BlankStrokesError, BlankImageError)
            continue
        pictures.append(picture.reshape(28, 28))
        geometry.append(strokes_geometry(strokes_box(parts_xy, candidate.strokes), usual_width, body_height))
        one.append(frozenset(candidate.strokes) in characters)
        kind.append(JOINED if k in joined else SIDE if k in sides else PART)
    if not pictures:
        return PieceExamples.join([])
    return PieceExamples(
        np.stack(pictures).astype(np.float16), np.stack(geometry), np.array(one, bool), np.array(kind, np.int8)
    )


def _tensors(examples: PieceExamples) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return (
        torch.from_numpy(examples.pictures.astype(np.float32)).unsqueeze(1),
        torch.from_numpy(examples.geometry.astype(np.float32)),
        torch.from_numpy(examples.one.astype(np.float32)),
    )


def verifier_scores(model: nn.Module, examples: PieceExamples) -> dict[str, float]:
    """Log-loss and accuracy at even odds, over all candidates and by kind."""
    images, geometry, one = _tensors(examples)
    with torch.inference_mode():
        logits = torch.cat([model(images[i : i + 1024], geometry[i : i + 1024]) for i in range(0, len(one), 1024)])
    loss = float(nn.functional.binary_cross_entropy_with_logits(logits, one))
    right = ((logits > 0).float() == one).numpy()
    out = {"loss": round(loss, 5), "accuracy": round(float(right.mean()), 5)}
    for name, k in (("pieces", PART), ("sides", SIDE), ("joined", JOINED)):
        chosen = examples.kind == k
        if chosen.any():
            out[f"accuracy_{name}"] = round(float(right[chosen].mean()), 5)
    return out


def train_piece_verifier(
    train: PieceExamples,
    val: PieceExamples,
    epochs: int = 5,
    batch_size: int = 256,
    lr: float = 3e-3,
    seed: int = 0,
    progress: bool = True,
) -> tuple[PieceVerifier, list[dict[str, float]]]:
    """The verifier trained on ``train`` (one-cycle schedule, binary cross-entropy), the validation
    figures after each epoch."""
    from tqdm import tqdm

    torch.manual_seed(seed)
    model = PieceVerifier()
    images, geometry, one = _tensors(train)
    steps = max(1, len(one) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=epochs * steps)
    loss_fn = nn.BCEWithLogitsLoss()
    history = []
    for epoch in range(epochs):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(one), generator=torch.Generator().manual_seed(seed + epoch))
        # A bar on a terminal only (tqdm's disable=None): in a log it was thousands of redrawn bars.
        quiet = None if progress else True
        for step in tqdm(range(steps), desc=f"epoch {epoch + 1}/{epochs}", unit="step", file=sys.stderr, disable=quiet):
            batch = order[step * batch_size : (step + 1) * batch_size]
            loss = loss_fn(model(images[batch], geometry[batch]), one[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        model.eval()
        figures = {
            "epoch": epoch + 1,
            **verifier_scores(model, val),
            "seconds": round(time.perf_counter() - started, 1),
        }
        history.append(figures)
        print(
            f"epoch {epoch + 1}: val {json.dumps({k: v for k, v in figures.items() if k != 'epoch'})}", file=sys.stderr
        )
    return model, history


def save_piece_verifier(model: PieceVerifier, directory: Path, card: dict[str, Any]) -> Path:
    """Write the verifier's safetensors, its ONNX graph (checked against torch) and its card to
    ``directory``; returns the graph's path."""
    import onnxruntime as ort

    directory.mkdir(parents=True, exist_ok=True)
    model = model.float().cpu().eval()
    weights = directory / f"{VERIFIER_NAME}.safetensors"
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    write_atomically(weights, lambda tmp: save_file(state, str(tmp)), make_folders=True)
    graph = directory / f"{VERIFIER_NAME}.onnx"
    graph_file = graph_bytes(model, {"image": torch.rand(3, 1, 28, 28), "geometry": torch.randn(3, 2)}, "logit")
    write_atomically(graph, graph_file, make_folders=True)
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    check = (torch.rand(5, 1, 28, 28), torch.randn(5, 2))
    with torch.inference_mode():
        expected = model(*check).numpy()
    got = session.run(None, {"image": check[0].numpy(), "geometry": check[1].numpy()})[0]
    if not np.allclose(expected, got, atol=1e-4):
        raise ExportError(f"the verifier's ONNX graph differs from torch by {float(np.abs(expected - got).max()):.2e}")
    card = {
        "name": VERIFIER_NAME,
        "what": "whether a candidate piece of a written line (a picture's ink, or strokes) is one whole character",
        "config": {"width": model.width},
        "inputs": {
            "image": "(N, 1, 28, 28): the candidate's model input, as ml.runtime.preprocess makes it",
            "geometry": "(N, 2): log width / the line's usual character width, log height / the line's height",
        },
        "output": "logit of one whole character",
        "preprocess_version": PREPROCESS_VERSION,
        "params": sum(p.numel() for p in model.parameters()),
        "sha256": sha256_of(weights),
        "onnx_sha256": sha256_of(graph),
        "onnx_opset": ONNX_OPSET,
        **card,
    }
    path = directory / f"{VERIFIER_NAME}.json"
    write_atomically(path, json.dumps(card, indent=1) + "\n", make_folders=True)
    return graph
