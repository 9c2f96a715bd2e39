"""The piece verifier: its examples, its training, its graph and card, and how text mode weighs it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml.runtime.cards import WeightsError
from ml.runtime.line_reader import VERIFIED_CUT_WIDE
from ml.runtime.piece_verifier import VERIFIER_NAME, PieceVerifier, load_piece_verifier
from ml.runtime.render import PenStroke, render_strokes
from tests.test_reading import write

PEN = 4.0


def _picture(text: str, gap: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    """``text`` in the synthetic glyphs as a picture (a line 80 px tall) and each character's box. "+"
    parts groups that stand apart; within a group characters stand ``gap`` apart (-0.45: an I's serifs
    touch the H before it, so "HI+H" is two pieces of ink)."""
    strokes: list[np.ndarray] = []
    owner: list[int] = []
    x = 0.0
    for group in text.split("+"):
        written, of = write(group, gap=gap, size=80.0)
        strokes += [s + np.array([x, 0.0]) for s in written]
        owner += [o + (max(owner) + 1 if owner else 0) for o in of]
        x = max(float(s[:, 0].max()) for s in strokes) + 0.35 * 80.0
    placed = [s + 30.0 for s in strokes]
    picture = render_strokes(
        [PenStroke.from_xy(s, PEN) for s in placed], width=int(80 * 1.4 * len(text) + 60), height=140
    )
    points = [np.vstack([placed[k] for k, o in enumerate(owner) if o == i]) for i in range(max(owner) + 1)]
    return picture, np.array([[*p.min(0), *p.max(0)] for p in points])


def test_every_piece_of_a_written_line_is_an_example_and_only_whole_characters_count_as_one() -> None:
    from ml.training.piece_verifier import PART, SIDE, piece_examples

    picture, boxes = _picture("H+E+M+W+HI", gap=-0.45)  # four characters apart, and an H touching an I
    examples = piece_examples(picture, boxes, PEN)
    pieces, sides = examples.kind == PART, examples.kind == SIDE
    assert examples.one[pieces].tolist() == [True, True, True, True, False]  # the H touching the I is not one
    # Only the piece wide enough is offered cuts: one of them between the H and the I.
    assert examples.one[sides].any() and not examples.one[sides].all()
    assert examples.pictures.shape[1:] == (28, 28) and examples.geometry.shape == (len(examples.one), 2)


def test_a_written_lines_candidates_are_examples_whole_only_when_their_strokes_are_one_characters() -> None:
    from ml.training.piece_verifier import JOINED, PART, SIDE, stroke_piece_examples

    # An A written over the right stem of an H, a dotted i, and a K whose arms stop short of its stem: the
    # rules make the parts "HA" (offered the cut between the letters' strokes), the i with its dot, the K's
    # stem and its arms (a close pair, also read as one).
    strokes, owner = write("HA", gap=-0.45)
    x = max(float(s[:, 0].max()) for s in strokes) + 60.0
    strokes += [np.array([[x, 40.0], [x, 70.0], [x, 100.0]]), np.array([[x, 20.0], [x + 2, 21.0], [x + 1, 23.0]])]
    x += 60.0
    strokes += [np.array([[x, 0.0], [x, 50.0], [x, 100.0]]), np.array([[x + 50, 0.0], [x + 12, 50.0], [x + 50, 100.0]])]
    owner += [2, 2, 3, 3]
    examples = stroke_piece_examples(strokes, owner)
    # "HA" is no one character, the i with its dot is, neither half of the K is; the K read as one is.
    assert examples.one[examples.kind == PART].tolist() == [False, True, False, False]
    assert examples.one[examples.kind == JOINED].tolist() == [True]
    assert examples.one[examples.kind == SIDE].tolist() == [True, True]  # the cut's sides: the H and the A
    assert examples.pictures.shape[1:] == (28, 28) and np.isfinite(examples.geometry).all()
    # Were each stroke a character of its own, the K's two strokes would be whole, nothing of several strokes.
    apart = stroke_piece_examples(strokes, list(range(len(strokes))))
    assert apart.one.tolist() == [False, False, True, True, False, False, False]


def test_the_verifier_learns_saves_and_loads_as_an_onnx_graph_checked_by_its_card(tmp_path: Path) -> None:
    import torch

    from ml.training.piece_verifier import PieceExamples, piece_examples, save_piece_verifier, train_piece_verifier

    texts = ("H+E+M+W+HI", "T+O+X+I+NE", "L+A+K+E+AL", "M+E+T+A+HI+L")
    examples = PieceExamples.join([piece_examples(*_picture(t, gap=-0.45), PEN) for t in texts])
    model, history = train_piece_verifier(examples, examples, epochs=8, batch_size=8, progress=False)
    majority = max(examples.one.mean(), 1 - examples.one.mean())
    assert len(history) == 8 and history[-1]["loss"] < history[0]["loss"] and history[-1]["accuracy"] > majority
    save_piece_verifier(model, tmp_path / "pieces", {"metrics": history[-1]})
    verifier = PieceVerifier.load(tmp_path)
    assert verifier is not None
    with torch.inference_mode():
        expected = torch.nn.functional.logsigmoid(
            model(
                torch.from_numpy(examples.pictures[:4].astype(np.float32)).unsqueeze(1),
                torch.from_numpy(examples.geometry[:4]),
            )
        ).numpy()
    assert np.allclose(verifier.log_one(examples.pictures[:4], examples.geometry[:4]), expected, atol=1e-4)
    # A damaged graph is refused by its card, and text mode reads on without it.
    graph = tmp_path / "pieces" / f"{VERIFIER_NAME}.onnx"
    graph.write_bytes(graph.read_bytes()[:-10])
    with pytest.raises(WeightsError, match="sha256"):
        PieceVerifier.load(tmp_path)
    assert load_piece_verifier(tmp_path) is None
    assert load_piece_verifier(tmp_path / "elsewhere") is None  # none bundled: none used


class _Says:
    """A verifier whose answer is fixed: every piece wide enough to cut one character (or not), everything
    narrower the opposite."""

    def __init__(self, pieces_are_whole: bool) -> None:
        self.pieces_are_whole = pieces_are_whole
        self.asked = 0

    def log_one(self, pictures: np.ndarray, geometry: np.ndarray) -> np.ndarray:
        self.asked += len(pictures)
        # Only pieces offered cuts are this wide for their line; their sides are narrower.
        wide = geometry[:, 0] >= np.log(VERIFIED_CUT_WIDE)
        whole = wide if self.pieces_are_whole else ~wide
        return np.where(whole, np.log(0.99), np.log(0.01))


def test_text_mode_cuts_a_picture_where_the_verifier_finds_two_whole_characters() -> None:
    from ml.runtime.line_reader import LineReader

    reader = LineReader.load(device="cpu")
    picture, _ = _picture("H+I+H+I+HI+HI", gap=-0.45)  # the last Hs touch their Is: six pieces of ink
    trusting = LineReader(reader.image, reader.fused, reader.case_model, reader.picture_partner, _Says(False))  # type: ignore[arg-type]
    doubting = LineReader(reader.image, reader.fused, reader.case_model, reader.picture_partner, _Says(True))  # type: ignore[arg-type]
    assert len(trusting.read_image(picture).characters) == 8
    assert len(doubting.read_image(picture).characters) == 6
    assert trusting.verifier is not None and trusting.verifier.asked > 0  # type: ignore[attr-defined]


def test_train_verifier_command_writes_a_verifier_text_mode_can_load(
    synthetic_unipen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main

    out = tmp_path / "weights" / "pieces"
    argv = ["train-verifier", "--pen-data", str(synthetic_unipen), "--words", "30", "--val-words", "10"]
    assert cli_main([*argv, "--epochs", "1", "--out", str(out)]) == 0
    said = capsys.readouterr().err  # as a log gets it: lines, no bars redrawn
    assert "training words: 3 of 30 drawn" in said and "epoch 1: val" in said and "step/s" not in said
    card = json.loads((out / f"{VERIFIER_NAME}.json").read_text())
    assert card["data_sources"][0]["name"] == "UNIPEN" and "accuracy" in card["metrics"]
    # Scored on each way text mode asks it: pictures' pieces and written strokes' candidates.
    assert 0 < card["metrics"]["pictures"]["accuracy"] <= 1 and 0 < card["metrics"]["strokes"]["accuracy"] <= 1
    assert "written strokes" in card["data_sources"][0]["what"]
    assert PieceVerifier.load(tmp_path / "weights") is not None


def test_models_lists_the_piece_verifier_and_says_when_it_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from ml.cli import main as cli_main
    from ml.runtime.piece_verifier import pieces_dir

    shutil.copytree(pieces_dir(), tmp_path / "pieces")
    assert cli_main(["models", "--json", "--dir", str(tmp_path)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["name"] == VERIFIER_NAME and entry["available"] and entry["params"] > 0
    assert cli_main(["models", "--dir", str(tmp_path)]) == 0  # its figures on each way text mode asks it
    pictures, strokes = (f"{100 * entry['metrics'][k]['accuracy']:.2f}%" for k in ("pictures", "strokes"))
    said = capsys.readouterr().out
    assert f"{pictures} of pictures' pieces and {strokes} of written strokes' candidates judged right" in said
    (tmp_path / "pieces" / f"{VERIFIER_NAME}.json").write_text("{")
    assert cli_main(["models", "--dir", str(tmp_path)]) == 2  # the only model listed cannot be used
    assert f"{VERIFIER_NAME}" in (out := capsys.readouterr().out) and "unavailable" in out and "damaged" in out


def test_reading_characters_with_the_piece_verifier_says_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "model card lacks arch, label_set, labels", as if its card were damaged."""
    from ml.cli import main as cli_main
    from ml.runtime.piece_verifier import pieces_dir

    picture = tmp_path / "a.png"
    Image.fromarray(np.full((28, 28), 255, dtype=np.uint8)).save(picture)
    model = str(pieces_dir() / f"{VERIFIER_NAME}.safetensors")
    assert cli_main(["predict", "--model", model, str(picture)]) == 2
    error = capsys.readouterr().err
    assert "is not a model that reads characters" in error and "whole character" in error and "lacks" not in error
