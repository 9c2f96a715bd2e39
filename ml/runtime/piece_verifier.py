"""Whether a candidate piece of a picture's ink is one whole character: the piece verifier.

Text mode reads a picture by splitting its ink into pieces and offering cuts of wide ones (two letters
that touch). The recognizers were taught whole characters only: they read half of a d as a confident c,
so their odds alone cut single characters and keep touching pairs whole. The verifier
(:mod:`ml.models.piece_verifier`, trained by ``glyphpad-ml train-verifier`` on words written by UNIPEN's
training writers, drawn as pictures and read as strokes) says how likely each candidate is one whole
character, from its model input and its size on the line; :class:`ml.runtime.line_reader.LineReader`
weighs that beside the recognizers' odds. Written strokes are weighed by it too, where the reader may
merge two neighbours or cut a character of several strokes in two (the candidate's picture rendered from
its strokes, its size measured on their line). It is an ONNX graph with a card, in ``weights/pieces``,
its sha256 checked on load. Without it text mode reads by the recognizers' odds alone.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ml.runtime.cards import WeightsError, sha256_of, weights_dir

VERIFIER_NAME = "piece_verifier"
STAND_IN_WIDTH = 0.6  # line heights: the usual character width of a line too short to have one
# Line heights of ink a pen adds round a candidate's strokes, when it is measured from its strokes (the
# verifier learnt sizes of pixels: its training pictures' pens, 2.5-7 px, on lines 50-110 px tall, add
# about this much). Its stroke candidates were measured so too (ml.training.piece_verifier): a change here
# is a change to what it learnt, for a retrained verifier to follow.
STROKES_PEN = 0.06
log = logging.getLogger(__name__)


def pieces_dir(directory: Path | None = None) -> Path:
    """Where the verifier lives: ``pieces`` in the weights folder."""
    return (directory or weights_dir()) / "pieces"


def verifier_files(directory: Path | None = None) -> tuple[Path, Path]:
    """The verifier's ONNX graph and its card in a weights folder (``directory``; the weights folder's)."""
    folder = pieces_dir(directory)
    return folder / f"{VERIFIER_NAME}.onnx", folder / f"{VERIFIER_NAME}.json"


def piece_geometry(pixels: np.ndarray, usual_width: float, line_height: float) -> np.ndarray:
    """The size on the line of the ink at ``pixels`` ((row, column) pairs) as the verifier reads it
    (:func:`size_geometry`)."""
    (top, left), (bottom, right) = pixels.min(0), pixels.max(0) + 1
    return size_geometry(right - left, bottom - top, usual_width, line_height)


def strokes_geometry(
    box: tuple[float, float, float, float], usual_width: float | None, line_height: float
) -> np.ndarray:
    """The size on the line of a candidate written as strokes (``box``: their points' x0, y0, x1, y1) as
    the verifier reads it: a pen's ink (``STROKES_PEN``) round the points, against the line's usual character
    width (``STAND_IN_WIDTH`` line heights when the line has none)."""
    pen = STROKES_PEN * line_height
    usual = usual_width if usual_width is not None else STAND_IN_WIDTH * line_height
    return size_geometry(box[2] - box[0] + pen, box[3] - box[1] + pen, usual, line_height)


def size_geometry(width: float, height: float, usual_width: float, line_height: float) -> np.ndarray:
    """A candidate's size on the line as the verifier reads it: log of its width over the line's usual
    character width and of its height over the line's height."""
    ratios = np.array([width / max(usual_width, 1e-9), height / max(line_height, 1e-9)])
    return np.log(np.maximum(ratios, 1e-3)).astype(np.float32)


class PieceVerifier:
    """The verifier's graph on ONNX Runtime."""

    def __init__(self, session: Any, card: dict[str, Any]) -> None:
        self.session = session
        self.card = card

    @classmethod
    def load(cls, directory: Path | None = None, threads: int = 1) -> PieceVerifier | None:
        """The bundled verifier (``directory``: a weights folder), None when there is none; WeightsError
        when it is there but damaged or made for other inputs."""
        from ml.runtime.preprocess import PREPROCESS_VERSION
        from ml.runtime.recognizer import cpu_session

        graph, card_file = verifier_files(directory)
        if not graph.exists() and not card_file.exists():
            return None
        try:
            card = json.loads(card_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise WeightsError(f"{card_file.name} is missing or damaged ({error})") from error
        if not isinstance(card, dict) or card.get("preprocess_version") != PREPROCESS_VERSION:
            raise WeightsError(
                f"{card_file.name} was made for other model inputs: retrain it (glyphpad-ml train-verifier)"
            )
        if not graph.exists() or sha256_of(graph) != card.get("onnx_sha256"):
            raise WeightsError(f"{graph.name} is missing, damaged or replaced: its sha256 does not match its card")
        session = cpu_session(graph, threads, spin=False)
        inputs = {i.name: tuple(i.shape[1:]) for i in session.get_inputs()}
        if inputs != {"image": (1, 28, 28), "geometry": (2,)}:
            raise WeightsError(f"{graph.name} takes {inputs}, not a character's picture and its size on the line")
        return cls(session, card)

    def log_one(self, pictures: np.ndarray, geometry: np.ndarray) -> np.ndarray:
        """log P(one whole character) of each candidate: ``pictures`` (N, 28, 28) model inputs, ``geometry``
        (N, 2) from :func:`piece_geometry`."""
        if not len(pictures):
            return np.zeros(0, dtype=np.float32)
        images = np.ascontiguousarray(pictures, dtype=np.float32).reshape(-1, 1, 28, 28)
        logits = self.session.run(None, {"image": images, "geometry": np.ascontiguousarray(geometry, np.float32)})[0]
        return -np.logaddexp(0.0, -logits.astype(np.float64))  # log sigmoid, without overflow


def load_piece_verifier(directory: Path | None = None) -> PieceVerifier | None:
    """The verifier when bundled and sound; None otherwise (a damaged one is logged, not fatal: text mode
    then reads by the recognizers' odds alone)."""
    try:
        return PieceVerifier.load(directory)
    except WeightsError as error:
        log.warning("the piece verifier is not used: %s", error)
        return None
