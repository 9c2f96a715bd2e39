"""Strokes as an input: reading stroke JSON, the stroke normalization, stroke models, fusion, and
``glyphpad-ml predict --strokes``."""

from __future__ import annotations

import itertools
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml.runtime.strokes import (
    STROKE_FEATURES,
    STROKE_POINTS,
    BlankStrokesError,
    NotJsonTextError,
    Strokes,
    StrokesError,
    find_stroke_files,
    normalize_strokes,
    parse_strokes,
    read_strokes_file,
)

SEVEN = [[[10.0, 10.0], [60.0, 10.0], [30.0, 90.0]]]
PLUS = [[[50.0, 0.0], [50.0, 100.0]], [[0.0, 50.0], [100.0, 50.0]]]


def test_parse_reads_points_time_and_pressure() -> None:
    strokes = parse_strokes({"strokes": PLUS, "t": [[0, 1], [2, 3]], "pressure": [[0.5, 0.6], [0.7, 0.8]]})
    assert len(strokes.strokes) == 2 and strokes.point_count == 4
    assert strokes.times is not None and strokes.times[1].tolist() == [2, 3]
    assert strokes.pressures is not None and strokes.pressures[0].tolist() == [0.5, 0.6]
    assert strokes.box() == (0.0, 0.0, 100.0, 100.0)


def test_a_file_whose_y_counts_upwards_says_so_and_is_read_the_right_way_up() -> None:
    seven_y_up = {"strokes": [[[0, 100], [60, 100], [20, 0]]], "y": "up"}  # the bar on top, as drawn
    flipped = parse_strokes(seven_y_up).strokes[0]
    as_screen = parse_strokes({"strokes": [[[0, 0], [60, 0], [20, 100]]]}).strokes[0]
    assert np.allclose(flipped - flipped.min(0), as_screen - as_screen.min(0))  # the same 7, y down


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([1, 2], 'JSON object with a "strokes" list'),
        ({"strokes": "abc"}, "must be a list of strokes"),
        ({"strokes": [[[1, 2], [3]]]}, "stroke 1 is not a list of [x, y] points"),
        # The points without the strokes around them (a note-taker's file): how to nest them.
        ({"strokes": [[0, 0], [10, 10]]}, 'stroke 1 is one point, [x, y]: "strokes" holds strokes'),
        ({"strokes": [[[1, 2, 3], [1, 2]]]}, "stroke 1, point 1 has 3 values: a point is [x, y]"),
        ({"strokes": [[[1, 2]], [["a", 2]]]}, "stroke 2 is not a list"),
        ({"strokes": [[[1, True]]]}, "stroke 1 is not a list"),
        ({"strokes": [[[1, 2], [1e309, 2]]]}, "not a finite number"),
        ({"strokes": [[[1, 2]], [[1e308, -1e308], [0, 0]]]}, "stroke 2 has a coordinate beyond"),
        ({"strokes": PLUS, "t": [[0, 1]]}, '"t" must hold one list per stroke'),
        ({"strokes": PLUS, "pressure": [[0.5], [0.5, 0.5]]}, '"pressure" of stroke 1 must hold one number per point'),
        ({"strokes": PLUS, "pressure": [[0.5, 0.5], [0.5, 3]]}, '"pressure" of stroke 2 must be between 0 and 1'),
        ({"strokes": PLUS, "pressure": [[-0.1, 0.5], [0.5, 1]]}, '"pressure" of stroke 1 must be between 0 and 1'),
        ({"strokes": PLUS, "t": [[0, 1], [3, 2]]}, '"t" of stroke 2 goes back in time'),
        ({"strokes": PLUS, "y": "upwards"}, '"y" must be "down"'),
        ({"strokes": PLUS, "y": 0}, '"y" must be "down"'),  # 0, [] and "" were read as "down"
        ({"strokes": PLUS, "y": []}, '"y" must be "down"'),
        ({"strokes": [[]] * 3000}, "3,000 strokes: more than a drawing holds (2,000 at most)"),
        ({"strokes": [[[0, k] for k in range(200_001)]]}, "more than 200,000 points"),
    ],
)
def test_malformed_stroke_data_gets_its_reason(data: object, reason: str) -> None:
    with pytest.raises(StrokesError) as error:
        parse_strokes(data)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_a_stroke_file_that_cannot_be_opened_is_said_as_a_picture_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A robustness trial without the right to read: a picture said "cannot open noperm.png: Permission
    denied", a stroke file "[Errno 13] Permission denied: '…'" (root reads every file: the error is made)."""
    import ml.runtime.image_files

    path = tmp_path / "noperm.json"
    path.write_text(json.dumps({"strokes": SEVEN}))

    def refused(_path: Path, _limit: int) -> bytes:
        raise PermissionError(13, "Permission denied", str(_path))

    monkeypatch.setattr(ml.runtime.image_files, "read_named_file", refused)
    with pytest.raises(StrokesError, match=r"^cannot open noperm.json: Permission denied$"):
        read_strokes_file(path)


def test_ink_that_runs_over_itself_thousands_of_times_is_refused() -> None:
    """A robustness trial's one stroke of 200,000 points, back and forth over itself: the pad filled it in to
    2.7 million points (1.7 GB, a minute's work, a 52 MB settings file). A page of shading is still read."""
    from ml.runtime.strokes import MAX_INK_TIMES_SIZE

    back_and_forth = [[float(k % 2), 0.5 * (k % 3)] for k in range(2 * MAX_INK_TIMES_SIZE)]
    with pytest.raises(StrokesError, match="times the drawing's size, over itself"):
        parse_strokes({"strokes": [back_and_forth]})
    # 300 lines of shading across a page, each its width: ink 300 times the page's size.
    shading = [[[0.0, float(row)], [300.0, float(row)]] for row in range(300)]
    assert len(parse_strokes({"strokes": shading}).strokes) == 300


def test_read_strokes_file_reports_broken_files(tmp_path: Path) -> None:
    good = tmp_path / "seven.json"
    good.write_text(json.dumps({"strokes": SEVEN}))
    assert read_strokes_file(good).point_count == 3
    broken = tmp_path / "broken.json"
    broken.write_text('{"strokes": [[[1, 2]')
    with pytest.raises(StrokesError, match="not valid JSON"):
        read_strokes_file(broken)
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(NotJsonTextError, match=r"^not a stroke file \(JSON text\)$"):
        read_strokes_file(binary)
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(StrokesError, match=r"^empty file \(0 bytes\)$"):  # as an empty picture is told
        read_strokes_file(tmp_path / "empty.json")
    os.mkfifo(tmp_path / "pipe.json")  # opened, it waits for a writer for ever
    with pytest.raises(StrokesError, match=r"^a named pipe, not a file$"):
        read_strokes_file(tmp_path / "pipe.json")
    with pytest.raises(StrokesError, match=r"^a device, not a file$"):  # it never ends
        read_strokes_file("/dev/zero")
    read_end, write_end = os.pipe()  # a process's pipe (/dev/stdin, a shell's <(...)): read (its size reads 0)
    os.write(write_end, json.dumps({"strokes": SEVEN}).encode())
    os.close(write_end)
    try:
        pipe = Path(f"/proc/self/fd/{read_end}")
        assert find_stroke_files([pipe]) == ([pipe], [])
        assert read_strokes_file(pipe).point_count == 3
    finally:
        os.close(read_end)


def test_normalization_has_the_documented_shape_and_flags() -> None:
    sequence = normalize_strokes(parse_strokes({"strokes": PLUS}))
    assert sequence.shape == (STROKE_POINTS, len(STROKE_FEATURES)) and sequence.dtype == np.float32
    assert sequence[:, 4].sum() == 2 and sequence[:, 5].sum() == 2  # two pen-downs, two pen-ups
    assert sequence[0, 4] == 1 and sequence[-1, 5] == 1
    # Equal strokes get equal shares of the points, and the box spans [-1, 1] on its longer side.
    assert np.flatnonzero(sequence[:, 4]).tolist() == [0, STROKE_POINTS // 2]
    assert np.isclose(sequence[:, 0].min(), -1) and np.isclose(sequence[:, 1].max(), 1)


def test_normalization_ignores_units_position_and_sampling_density() -> None:
    base = normalize_strokes([np.array(SEVEN[0])])
    moved = normalize_strokes([np.array(SEVEN[0]) * 37.0 + 1000.0])
    dense = np.concatenate(
        [np.linspace(a, b, 40, endpoint=False) for a, b in zip(SEVEN[0][:-1], SEVEN[0][1:], strict=True)]
    )
    dense = np.vstack([dense, SEVEN[0][-1:]])
    resampled = normalize_strokes([dense])
    assert np.allclose(base, moved, atol=1e-5)
    assert np.allclose(base, resampled, atol=1e-4)


def test_blank_and_pathological_strokes() -> None:
    with pytest.raises(BlankStrokesError):
        normalize_strokes(Strokes(()))
    with pytest.raises(BlankStrokesError):
        normalize_strokes([np.array([[5.0, 5.0], [5.0, 5.0]])])
    with pytest.raises(BlankStrokesError):  # a 7 1e-300 units tall: the pad saw a dot, predict read a "7"
        normalize_strokes([np.array([[0.0, 0.0], [6e-301, 0.0], [2e-301, 1e-300]])])
    tiny = normalize_strokes([np.array([[0.0, 0.0], [6e-6, 0.0], [2e-6, 1e-5]])])  # small units are units
    assert np.isfinite(tiny).all()
    # More strokes than points (each 10 tall, not 1: ticks that small beside the drawing are dots, no character).
    many = [np.array([[k, 0.0], [k, 10.0]]) for k in range(100)]
    sequence = normalize_strokes(many)
    assert sequence[:, 4].sum() == STROKE_POINTS and np.isfinite(sequence).all()


def test_points_given_in_code_are_checked_and_turned_y_down_where_they_count_upwards() -> None:
    from ml.runtime.line_reader import LineReader
    from ml.runtime.render import render_drawing
    from ml.runtime.segmentation import split_strokes

    # Not n x 2 finite numbers: one reason each, from every reader of strokes (three values a point were
    # read as a 7 of other points, a flat list as two points, a NaN as an empty line).
    for bad, reason in (
        ([[[0, 0, 1], [5, 5, 1]]], r"stroke 1 has shape \(2, 3\)"),
        ([[0.0, 0.0, 1.0, 1.0]], r"stroke 1 has shape \(4,\)"),
        ([[[0, 0], [1]]], "stroke 1 is not a list of"),
        ([[[0, 0], [5, 5]], [[0, 0], [float("nan"), 1]]], "stroke 2 has a point that is not a finite number"),
    ):
        for read in (Strokes.from_points, normalize_strokes, render_drawing, split_strokes):
            with pytest.raises(StrokesError, match=reason):
                read(bad)  # type: ignore[operator]
        with pytest.raises(StrokesError, match=reason):
            LineReader.load(device="cpu").read_strokes(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top_k must be at least 1, not 0"):
        LineReader.load(device="cpu").read_strokes(SEVEN, top_k=0)  # type: ignore[arg-type]
    # A 7 given with y counting upwards (its bar on top, as drawn) is turned y down: its bar stays on top.
    seven_up = [[[10.0, 90.0], [60.0, 90.0], [30.0, 10.0]]]
    turned = Strokes.from_points(seven_up, y_up=True)
    assert turned.strokes[0][:, 1].tolist() == [-90.0, -90.0, -10.0] and turned.source_y_up
    assert np.array_equal(normalize_strokes(turned), normalize_strokes(Strokes.from_points(SEVEN)))


def test_a_pen_lifted_at_a_corner_splits_a_stroke_there_and_leaves_curves_and_lines_whole() -> None:
    from ml.training.pen_data import _resample
    from ml.training.stroke_data import CORNER_TURN_DEG, StrokeAugment, lifted_at_corners, sharpest_corner

    seven = _resample(np.array([[0.0, 0.0], [1.0, 0.0], [0.4, 1.0]]), 0.01)  # bar, then stem: one stroke
    turn, at = sharpest_corner(seven)
    assert turn > 100 and np.allclose(seven[at], [1.0, 0.0])
    angles = np.linspace(0, 2 * np.pi, 120)
    round_o = np.stack([0.8 * np.cos(angles), np.sin(angles)], axis=1)
    line = _resample(np.array([[0.0, 0.0], [0.0, 1.0]]), 0.01)
    assert sharpest_corner(round_o)[0] < CORNER_TURN_DEG and sharpest_corner(line)[0] < 1
    always = StrokeAugment(lift_probability=1.0, again_probability=0.0)
    bar, stem = lifted_at_corners([seven], np.random.default_rng(0), always)
    assert np.allclose(bar[-1], [1.0, 0.0]) and np.allclose(stem[0], [1.0, 0.0])  # the pen lands where it rose
    assert len(bar) + len(stem) == len(seven) + 1
    assert len(lifted_at_corners([round_o, line], np.random.default_rng(0), always)) == 2  # no corner: as it was
    zed = _resample(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), 0.01)
    twice = StrokeAugment(lift_probability=1.0, again_probability=1.0)
    assert len(lifted_at_corners([zed], np.random.default_rng(0), twice)) == 3  # at both of its corners
    never = StrokeAugment(lift_probability=0.0)
    assert lifted_at_corners([seven], np.random.default_rng(0), never)[0] is seven


def test_an_epochs_sequences_made_by_several_workers_cover_its_characters_once_each() -> None:
    from ml.training.stroke_data import StrokeAugment
    from ml.training.train_strokes import _epoch_job, _joined, epoch_parts

    strokes = [np.array([[0.0, 0.0], [1.0, float(k % 5)], [2.0, 0.5]]) for k in range(10)]

    class Pen:  # the one thing _epoch_job asks of PenCharacters
        def strokes(self, i: int) -> list[np.ndarray]:
            return [strokes[i]]

    drawn = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    job = (Pen(), drawn, 7, StrokeAugment())
    assert epoch_parts(job, 1) == [job]  # one worker: the epoch drawn as before there were more
    parts = epoch_parts(job, 3)
    assert [len(p[1]) for p in parts] == [4, 3, 3] and np.array_equal(np.concatenate([p[1] for p in parts]), drawn)
    assert len({p[2] for p in parts}) == 3  # each part varies its characters with a seed of its own
    inputs, ok = _joined([_epoch_job(p) for p in parts])  # type: ignore[arg-type]
    assert inputs.shape[0] == len(drawn) and ok.all()
    again, _ = _joined([_epoch_job(p) for p in epoch_parts(job, 3)])  # type: ignore[arg-type]
    assert np.array_equal(inputs, again)  # the same epoch whichever worker makes which part


def test_stroke_models_train_their_input_shape() -> None:
    import torch

    from ml.models import get_arch, get_model, list_models

    stroke_archs = [name for name in list_models() if get_arch(name).family == "stroke"]
    assert {"stroke_gru", "stroke_cnn"} <= set(stroke_archs)
    for name in stroke_archs:
        model = get_model(name, num_classes=36)
        x = torch.from_numpy(np.stack([normalize_strokes([np.array(SEVEN[0])])] * 3))
        logits = model(x)
        assert logits.shape == (3, 36)
        logits.sum().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_pen_maps_draw_ink_direction_air_and_order_where_the_pen_went() -> None:
    import torch

    from ml.models.strokes import MAP_CHANNELS, PenMaps

    maps = PenMaps(grid=28)
    channel = {name: k for k, name in enumerate(MAP_CHANNELS)}
    right = torch.from_numpy(normalize_strokes([np.array([[0.0, 50.0], [100.0, 50.0]])]))[None]
    left = torch.from_numpy(normalize_strokes([np.array([[100.0, 50.0], [0.0, 50.0]])]))[None]
    a, b = maps(right)[0], maps(left)[0]
    row = 14  # the dash lies across the middle row
    assert a[channel["ink"], row].mean() > 0.5 and torch.allclose(a[channel["ink"]], b[channel["ink"]], atol=1e-5)
    assert a[channel["right"], row].mean() > 0.5 and a[channel["left"]].max() < 1e-3
    assert b[channel["left"], row].mean() > 0.5 and b[channel["right"]].max() < 1e-3
    assert a[channel["start"], row, :6].sum() > a[channel["start"], row, -6:].sum()  # started at the left
    assert a[channel["time"], row, -8:].mean() > a[channel["time"], row, :8].mean()  # later ink to the right
    assert a[channel["air"]].max() < 1e-3  # one stroke: the pen never moved lifted
    down = maps(torch.from_numpy(normalize_strokes([np.array([[50.0, 0.0], [50.0, 100.0]])]))[None])[0]
    column = 14  # y points down: a stroke drawn downwards lights "down", and ends at the bottom
    assert down[channel["down"], :, column].mean() > 0.5 and down[channel["up"]].max() < 1e-3
    assert down[channel["end"], -6:, column].sum() > 0.3 and down[channel["end"], :6, column].sum() < 1e-3
    assert down[channel["start"], :6, column].sum() > 0.3 and down[channel["start"], -6:, column].sum() < 1e-3
    dot_last = [np.array([[50.0, 40.0], [50.0, 100.0]]), np.array([[50.0, 0.0]])]  # an i's stem, then its dot
    i = maps(torch.from_numpy(normalize_strokes(dot_last))[None])[0]
    assert i[channel["start"], :4, column].sum() > 0.3 and i[channel["end"], :4, column].sum() > 0.3
    assert i[channel["end"], -6:, column].sum() > 0.3  # the stem's end, at the bottom
    plus = maps(torch.from_numpy(normalize_strokes([np.array(s) for s in PLUS]))[None])[0]
    assert plus[channel["air"]].max() > 0.3  # from the bar's bottom to the dash's left end
    assert plus[channel["start"]].sum() > 1.5 * a[channel["start"]].sum()  # two strokes begin

    points = right.clone().requires_grad_(True)
    maps(points)[0, channel["ink"]].sum().backward()
    assert points.grad is not None and points.grad[0, :, :2].abs().sum() > 0  # saliency reaches the points


def test_trained_stroke_model_has_a_card_an_onnx_graph_and_fusion(fused_weights: Path) -> None:
    from ml.runtime.cards import drawings_figure, fusion_partner, read_card
    from ml.runtime.recognizer import load_recognizer

    card = read_card(fused_weights / "strokes" / "strokes_tiny.json")
    assert card.input_kind == "strokes" and card.onnx_sha256
    assert card.fusion["image_model"] == "cnn_tiny"
    assert card.fusion["stroke_weight"] >= 0 and card.fusion["image_weight"] > 0
    assert {"unipen_val", "fused_unipen_val", "fused_unipen_test"} <= set(card.metrics_by_source)
    assert fusion_partner("cnn_tiny", fused_weights) == fused_weights / "strokes" / "strokes_tiny.safetensors"
    assert fusion_partner("gru_tiny", fused_weights) is None
    image_card = read_card(fused_weights / "cnn_tiny.json")
    fused_test = card.metrics_by_source["fused_unipen_test"]["accuracy"]
    assert drawings_figure(image_card, fused_weights) == (fused_test, "strokes_tiny")
    assert drawings_figure(read_card(fused_weights / "gru_tiny.json"), fused_weights) is None
    retrained = replace(image_card, sha256="0" * 64)  # a fusion is fitted to the weights it was fitted with
    assert drawings_figure(retrained, fused_weights) is None
    recognizer = load_recognizer(fused_weights / "strokes" / "strokes_tiny.safetensors", device="cpu")
    answer = recognizer.predict_strokes(parse_strokes({"strokes": SEVEN}))
    assert not hasattr(answer, "reason") and answer.inputs_used == ("strokes",)
    assert np.isclose(answer.probabilities.sum(), 1, atol=1e-5)
    refused = recognizer.predict(np.zeros((28, 28)))
    assert "reads strokes" in refused.reason


def test_a_fine_tune_starts_from_weights_of_its_own_architecture(fused_weights: Path, synthetic_unipen: Path) -> None:
    import shutil
    from dataclasses import replace

    from ml.runtime.cards import read_card, write_card
    from ml.training.train_strokes import StrokeTrainConfig, main

    tiny = fused_weights / "strokes" / "strokes_tiny.safetensors"
    common = {"pen_data": str(synthetic_unipen), "epochs": 1, "batch_size": 32, "device": "cpu"}
    with pytest.raises(ValueError, match="add --arch stroke_cnn"):
        main(StrokeTrainConfig(arch="stroke_gru", start_from=str(tiny), out=str(fused_weights.parent / "x"), **common))
    # Started from a copy with a class prior (as glyphpad-ml prior writes one): the fine-tune keeps it.
    leaning = fused_weights.parent / "leaning_start"
    leaning.mkdir(exist_ok=True)
    for suffix in (".safetensors", ".onnx"):
        shutil.copy(tiny.with_suffix(suffix), leaning / f"strokes_tiny{suffix}")
    started = read_card(tiny.with_suffix(".json"))
    prior = np.linspace(-1.0, 1.0, len(started.labels)).round(5).tolist()
    write_card(replace(started, class_prior_log=prior), leaning / "strokes_tiny.json")
    out = fused_weights.parent / "fine_tuned"
    start = str(leaning / "strokes_tiny.safetensors")
    weights = main(StrokeTrainConfig(arch="stroke_cnn", start_from=start, out=str(out), **common))
    card = read_card(weights.with_suffix(".json"))
    assert card.config == started.config  # its options, unless given
    assert card.training["started_from"].startswith("strokes_tiny (stroke_cnn, 3 epochs")
    assert card.training["epochs_run"] == 1
    assert card.class_prior_log == prior  # kept, as train's


def test_stroke_models_assembled_read_together_and_fuse_like_any_stroke_model(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from ml.cli import main as cli
    from ml.runtime.cards import read_card, write_card
    from ml.runtime.recognizer import load_recognizer
    from ml.training.data.unipen import model_writer_seed
    from ml.training.stroke_ensemble import assemble

    tiny = fused_weights / "strokes" / "strokes_tiny.safetensors"
    with pytest.raises(ValueError, match="at least two"):
        assemble([str(tiny)], "pair", tmp_path, str(synthetic_unipen))
    with pytest.raises(ValueError, match="not a single stroke model"):
        assemble([str(tiny), str(fused_weights / "cnn_tiny.safetensors")], "pair", tmp_path, str(synthetic_unipen))
    pair = assemble([str(tiny), str(tiny)], "pair_tiny", tmp_path, str(synthetic_unipen))
    card = read_card(pair.with_suffix(".json"))
    assert (
        card.arch == "stroke_ensemble"
        and card.onnx_sha256
        and {"unipen_val", "unipen_test"} <= set(card.metrics_by_source)
    )
    assert [m["name"] for m in card.training["members"]] == ["strokes_tiny", "strokes_tiny"]
    # Two copies of one model read as that model does (the mean of equal log-probabilities).
    strokes = parse_strokes({"strokes": SEVEN})
    alone = load_recognizer(tiny, device="cpu").predict_strokes(strokes, top_k=36)
    together = load_recognizer(pair, device="cpu").predict_strokes(strokes, top_k=36)
    assert np.allclose(alone.probabilities, together.probabilities, atol=1e-5)
    # A member with a class prior reads in the ensemble as it reads alone, its prior included: the
    # ensemble's answer is the normalized geometric mean of its members' own answers.
    leaning = tmp_path / "leaning"
    leaning.mkdir()
    for suffix in (".safetensors", ".onnx"):
        shutil.copy(tiny.with_suffix(suffix), leaning / f"strokes_tiny{suffix}")
    prior = np.linspace(-2.0, 2.0, len(card.labels)).round(5).tolist()
    write_card(replace(read_card(tiny.with_suffix(".json")), class_prior_log=prior), leaning / "strokes_tiny.json")
    leaning_weights = leaning / "strokes_tiny.safetensors"
    leaning_alone = load_recognizer(leaning_weights, device="cpu").predict_strokes(strokes, top_k=36)
    assert not np.allclose(leaning_alone.probabilities, alone.probabilities, atol=1e-3)
    mixed = assemble([str(tiny), str(leaning_weights)], "mixed_tiny", tmp_path, str(synthetic_unipen))
    both = load_recognizer(mixed, device="cpu").predict_strokes(strokes, top_k=36)
    mean_log = (np.log(alone.probabilities) + np.log(leaning_alone.probabilities)) / 2
    assert np.allclose(both.probabilities, np.exp(mean_log) / np.exp(mean_log).sum(), atol=1e-4)
    # A quick run (--max-per-class) samples fewer writers of the same split: its card counts other
    # numbers of writers, and it is a member all the same.
    other = read_card(tiny.with_suffix(".json"))
    fewer = [{**source, "split": str(source.get("split", "")) + " (fewer sampled)"} for source in other.data_sources]
    write_card(replace(other, data_sources=fewer), leaning / "strokes_tiny.json")
    assemble([str(tiny), str(leaning_weights)], "fewer", tmp_path, str(synthetic_unipen))
    # Members trained on another split of the writers have seen the ensemble's validation writers.
    seed = model_writer_seed(other)
    moved = {**other.training, "config": {**other.training.get("config", {}), "writer_split_seed": seed + 1}}
    write_card(replace(other, training=moved), leaning / "strokes_tiny.json")
    with pytest.raises(ValueError, match="another split"):
        assemble([str(tiny), str(leaning_weights)], "x", tmp_path, str(synthetic_unipen))
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    assert cli(["fuse", "--strokes-model", str(pair), "--image-model", "cnn_tiny"]) == 0
    assert cli(["stroke-ensemble", "--members", str(tiny), "--name", "x", "--out", str(tmp_path)]) == 2


def test_a_tap_of_the_pen_away_from_the_character_is_left_out_and_an_i_dot_is_not() -> None:
    from ml.runtime.strokes import stray_dots, without_strokes

    five = np.array([[60, 10], [20, 10], [18, 50], [50, 48], [62, 70], [50, 95], [15, 92]], dtype=float)

    def dot(x: float, y: float) -> np.ndarray:
        return np.array([[x, y], [x + 1, y + 1]], dtype=float)

    assert stray_dots([five, dot(150, 60)]) == [1]  # beside it
    assert stray_dots([dot(40, 180), five]) == [0]  # below it, drawn first
    assert stray_dots([five, dot(150, 60), dot(40, 190)]) == [1, 2]
    assert stray_dots([five, dot(70, 60)]) == []  # near it: part of the drawing
    assert stray_dots([five, dot(40, -60)]) == []  # above it, as an i's or a j's dot stands
    stem = np.array([[50, 40], [50, 100]], dtype=float)
    assert stray_dots([stem, dot(52, -80)]) == []  # an i's dot, however high
    assert stray_dots([dot(0, 0), dot(100, 100), dot(200, 0)]) == []  # taps alone: nothing is away from them
    assert stray_dots([five]) == [] and stray_dots([]) == []
    written = Strokes((five, dot(150, 60)), pressures=(np.ones(7), np.ones(2)), pen_widths=(14.0, 20.0))
    kept = without_strokes(written, [1])
    assert len(kept.strokes) == 1 and kept.pressures is not None and len(kept.pressures) == 1
    assert kept.pen_widths == (14.0,) and without_strokes(written, []) is written


def test_a_drawing_read_from_its_strokes_leaves_out_a_tap_as_the_pad_does(fused_weights: Path) -> None:
    from ml.runtime.fusion import FusedRecognizer, read_drawing_strokes
    from ml.runtime.recognizer import Prediction, load_recognizer

    image_model = load_recognizer(fused_weights / "cnn_tiny.safetensors", device="cpu")
    fused = FusedRecognizer.for_image_model(image_model, "cpu", directory=fused_weights)
    seven = [np.asarray(stroke, dtype=float) for stroke in SEVEN]
    alone = read_drawing_strokes(seven, image_model, fused)
    tapped = read_drawing_strokes([*seven, np.array([[300.0, 50.0], [301.0, 50.0]])], image_model, fused)
    assert isinstance(alone, Prediction) and isinstance(tapped, Prediction)
    assert np.allclose(tapped.probabilities, alone.probabilities) and tapped.inputs_used == ("image", "strokes")
    assert tapped.notes == (*alone.notes, "a dot away from the drawing not read")


def test_fused_answer_uses_both_inputs_and_falls_back_to_the_picture(fused_weights: Path) -> None:
    from ml.runtime.cards import WeightsError
    from ml.runtime.fusion import FusedRecognizer, FusionWeights, fuse_probabilities
    from ml.runtime.recognizer import PredictionError, load_recognizer
    from ml.runtime.render import render_drawing

    image_model = load_recognizer(fused_weights / "cnn_tiny.safetensors", device="cpu")
    fused = FusedRecognizer.for_image_model(image_model, "cpu", directory=fused_weights)
    assert fused is not None
    strokes = parse_strokes({"strokes": SEVEN})
    picture = render_drawing(strokes.strokes)
    both = fused.predict(picture, strokes)
    alone = fused.predict(picture, None)
    assert both.inputs_used == ("image", "strokes") and alone.inputs_used == ("image",)
    expected = fuse_probabilities(
        alone.probabilities, fused.strokes.predict_strokes(strokes).probabilities, fused.weights
    )
    assert np.allclose(both.probabilities, expected, atol=1e-6)
    # With no picture, the one the pad renders from the strokes: the answer a drawing gets, strokes given
    # as a Strokes value or as lists of points.
    from ml.runtime.fusion import read_drawing_strokes

    drawn = fused.predict(None, strokes)
    assert drawn.inputs_used == ("image", "strokes") and np.allclose(drawn.probabilities, both.probabilities)
    assert np.allclose(fused.predict(None, SEVEN).probabilities, both.probabilities)  # lists of points too
    assert np.allclose(read_drawing_strokes(SEVEN, image_model, fused).probabilities, both.probabilities)
    nothing = fused.predict(None, None)
    assert isinstance(nothing, PredictionError) and "nothing to read" in nothing.reason
    # A tap of the pen draws a dot that a picture model would read as something: no character.
    dot = parse_strokes({"strokes": [[[5, 5], [5, 5]]]})
    tapped = fused.predict(render_drawing([np.array([[5.0, 5.0], [5.4, 5.2]])]), dot)
    assert isinstance(tapped, PredictionError) and tapped.blank and "dot" in tapped.reason
    # Weights 1 and 0 give the image model's answer; the fusion of a certain answer keeps it.
    p = np.array([0.7, 0.2, 0.1])
    assert np.allclose(fuse_probabilities(p, np.array([0.1, 0.1, 0.8]), FusionWeights(1.0, 0.0)), p)
    # A temperature softens the confidence, not the answer; a card's unusable one is refused.
    softer = fuse_probabilities(p, p, FusionWeights(1.0, 1.0, temperature=2.0))
    assert np.allclose(softer, p) and FusionWeights(1.0, 1.0, temperature=2.0).for_lines().temperature == 1.0
    assert FusionWeights.from_card({"image_weight": 1, "stroke_weight": 1, "temperature": 1.6}).temperature == 1.6
    assert FusionWeights.from_card({"image_weight": 1, "stroke_weight": 1}).temperature == 1.0  # fitted before it
    for unusable in (0, -1.5, None, "1.6", float("nan"), True):  # (evaluate reads a card's weights with no recognizer)
        with pytest.raises(ValueError, match="temperature must be a positive number"):
            FusionWeights.from_card({"image_weight": 1, "stroke_weight": 1, "temperature": unusable})
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(WeightsError, match="no usable fusion weights"):
            FusedRecognizer(image_model, fused.strokes, FusionWeights(1.0, 1.0, temperature=bad))


def test_predict_strokes_cli_writes_json_lines_and_reasons(
    fused_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    (tmp_path / "seven.json").write_text(json.dumps({"strokes": SEVEN}))
    (tmp_path / "plus.json").write_text(json.dumps({"strokes": PLUS, "t": [[0, 5], [9, 12]]}))
    (tmp_path / "broken.json").write_text('{"strokes": [[[1, 2], [3]]]}')
    (tmp_path / "dot.json").write_text('{"strokes": [[[1, 2]]]}')
    # Two taps, one with a pen's wobble (a hostile-input trial: read as an I at 99.97%).
    (tmp_path / "dots.json").write_text('{"strokes": [[[10, 10]], [[10, 60], [11, 61]]]}')
    word = [[[x + dx, y] for x, y in stroke] for dx in (0, 60, 120) for stroke in SEVEN]  # 777
    (tmp_path / "word.json").write_text(json.dumps({"strokes": word}))
    spaced = [[[x + dx, y] for x, y in stroke] for dx in (0, 200) for stroke in SEVEN]  # 7 7
    (tmp_path / "spaced.json").write_text(json.dumps({"strokes": spaced}))
    rows = [[[x, y + dy] for x, y in stroke] for dy in (0, 150) for stroke in SEVEN + PLUS]  # 7+ over 7+
    (tmp_path / "rows.json").write_text(json.dumps({"strokes": rows}))
    (tmp_path / "results.json").write_text(json.dumps([{"path": "a.png", "top": []}]))  # other JSON
    code = cli(["predict", "--strokes", "--json", "--model", "cnn_tiny", str(tmp_path)])
    said = capsys.readouterr()
    lines = [json.loads(line) for line in said.out.splitlines()]
    assert code == 1  # two files could not be read
    # The other JSON is passed over, and said to be (it was left out without a word).
    assert "passed over 1 .json file(s)" in said.err and "results.json" in said.err
    by_name = {Path(line["path"]).name: line for line in lines}
    assert set(by_name) == {
        "seven.json",
        "plus.json",
        "broken.json",
        "dot.json",
        "dots.json",
        "word.json",
        "spaced.json",
        "rows.json",
    }
    assert by_name["seven.json"]["inputs"] == ["image", "strokes"] and "notes" not in by_name["seven.json"]
    assert by_name["seven.json"]["model"] == "cnn_tiny" and by_name["seven.json"]["stroke_model"] == "strokes_tiny"
    (word_note,) = by_name["word.json"]["notes"]
    assert "3 characters" in word_note and "glyphpad-ml read reads" in word_note
    assert "2 characters" in by_name["spaced.json"]["notes"][0]  # two, but a space between them
    assert by_name["rows.json"]["notes"] == ["this looks like 2 lines of writing: glyphpad-ml read reads them as text"]
    assert len(by_name["plus.json"]["top"]) == 5
    assert "stroke 1 is not a list" in by_name["broken.json"]["error"]
    assert by_name["dot.json"]["blank"] is True and not by_name["dot.json"]["error"].startswith("blank")
    assert by_name["dots.json"]["blank"] is True and by_name["dots.json"]["error"] == "only dots, not a character"
    assert cli(["predict", "--strokes", "--model", "strokes_tiny", str(tmp_path / "seven.json")]) == 0
    capsys.readouterr()
    # A picture read as strokes because --strokes said so: leave it out. Without --strokes, a .json file that
    # is not text is no picture either, and no flag is named that was never given.
    picture = tmp_path / "pictures" / "photo.png"
    picture.parent.mkdir()
    Image.new("L", (40, 40), 255).save(picture)
    binary = tmp_path / "pictures" / "binary.json"
    binary.write_bytes(b"\x80\x81\x82 not text")
    for command in ("predict", "read"):
        assert cli([command, "--strokes", "--json", "--model", "cnn_tiny", str(picture)]) != 0
        said = json.loads(capsys.readouterr().out)["error"]
        assert said == "not a stroke file (JSON text): a picture? leave out --strokes", (command, said)
        assert cli([command, "--json", "--model", "cnn_tiny", str(binary)]) != 0
        assert json.loads(capsys.readouterr().out)["error"] == "not a stroke file (JSON text)", command
    # JSON saved in Latin-1 (a hostile-input trial: "not a stroke file (JSON text)", or "a picture?"): it is
    # JSON, in another encoding.
    latin = tmp_path / "pictures" / "latin.json"
    latin.write_bytes('{"writer": "Ren\u00e9", "strokes": [[[0, 0], [0, 9]]]}'.encode("latin-1"))
    for command in ("predict", "read"):
        assert cli([command, "--strokes", "--json", "--model", "cnn_tiny", str(latin)]) != 0
        said = json.loads(capsys.readouterr().out)["error"]
        assert said == "JSON, but not in UTF-8 (byte 0xe9 at offset 15): save it as UTF-8", (command, said)
    latin.write_bytes(b"\xef\xbb\xbf" + latin.read_bytes())  # with UTF-8's mark before it all the same
    assert cli(["predict", "--strokes", "--json", "--model", "cnn_tiny", str(latin)]) != 0
    assert json.loads(capsys.readouterr().out)["error"].startswith("JSON, but not in UTF-8 (byte 0xe9 at offset 18)")
    # An image model with no stroke model fused: the answer is the picture's alone, and said so.
    assert cli(["predict", "--strokes", "--model", "gru_tiny", str(tmp_path / "seven.json")]) == 0
    said = capsys.readouterr().err
    assert "no stroke model is fused with gru_tiny (glyphpad-ml fuse --strokes-model strokes_tiny" in said
    assert "--image-model gru_tiny --write)" in said  # a command that fuses it, with a stroke model of its classes
    # read says it too (it read a stroke file from its pictures and said nothing: an ML practitioner's trial).
    assert cli(["read", "--strokes", "--model", "gru_tiny", str(tmp_path / "seven.json")]) == 0
    said = capsys.readouterr().err
    assert "note: no stroke model is fused with gru_tiny (glyphpad-ml fuse --strokes-model strokes_tiny" in said
    assert said.rstrip().endswith("the strokes are read as pictures alone")
    # A model of classes made of a stroke model's (digits) is sent to fuse it; where no stroke model reads
    # them, to train one first (fuse refuses the others).
    from ml.cli.common import how_to_fuse
    from ml.runtime.cards import read_card

    digits = replace(read_card(fused_weights / "gru_tiny.json"), label_set="digits10")
    fitted = "glyphpad-ml fuse --strokes-model strokes_tiny --image-model gru_tiny --write"
    assert how_to_fuse(digits, fused_weights / "gru_tiny.safetensors") == fitted
    no_strokes = tmp_path / "no_strokes"
    shutil.copytree(fused_weights, no_strokes, ignore=shutil.ignore_patterns("strokes"))
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(no_strokes))
    said = how_to_fuse(digits, no_strokes / "gru_tiny.safetensors")
    assert said.startswith("no stroke model reads digits10: glyphpad-ml train-strokes --labels digits10")
    assert said.endswith("--image-model gru_tiny --write")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    elsewhere = tmp_path / "mine" / "gru_tiny.safetensors"  # given by its path, not the weights folder's
    assert f"--image-model {elsewhere} --write" in how_to_fuse(read_card(fused_weights / "gru_tiny.json"), elsewhere)


def test_predict_and_read_take_pictures_and_stroke_files_together_as_the_app_opens_them(
    fused_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer's trial: predict refused a saved drawing without --strokes, and a folder's drawings were
    passed over without a word; the app opens both."""
    from PIL import Image

    from ml.cli import main as cli
    from ml.runtime.synth import render

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    (tmp_path / "drawings").mkdir()
    (tmp_path / "drawings" / "seven.json").write_text(json.dumps({"strokes": SEVEN}))
    (tmp_path / "drawings" / "results.json").write_text("[]")  # other JSON: passed over, and said
    Image.fromarray(render("A")).save(tmp_path / "a.png")

    def answers(*args: str) -> dict[str, dict]:
        assert cli(["predict", "--json", "--model", "cnn_tiny", *args]) == 0
        said = capsys.readouterr()
        return {Path(line["path"]).name: line for line in map(json.loads, said.out.splitlines())} | {"": said.err}

    both = answers(str(tmp_path))
    assert set(both) == {"a.png", "seven.json", ""} and "passed over 1 .json" in both[""]
    assert both["seven.json"]["inputs"] == ["image", "strokes"] and "inputs" not in both["a.png"]
    assert both["seven.json"] == answers("--strokes", str(tmp_path / "drawings" / "seven.json"))["seven.json"]
    assert both["a.png"]["top"] == answers(str(tmp_path / "a.png"))["a.png"]["top"]
    # A stroke model reads the drawing and says of the picture that it cannot read it (one exit status of 1).
    assert cli(["predict", "--json", "--model", "strokes_tiny", str(tmp_path)]) == 1
    by_name = {Path(line["path"]).name: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert "reads strokes, not pictures" in by_name["a.png"]["error"] and by_name["seven.json"]["top"]
    # read takes both too: the drawing as the pad's text mode reads it.
    assert cli(["read", "--json", "--model", "cnn_tiny", str(tmp_path)]) == 0
    texts = {Path(line["path"]).name: line["text"] for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(texts) == {"a.png", "seven.json"} and all(len(text) == 1 for text in texts.values())
    # --strokes reads the drawings alone, and says it passed the pictures over (they were left out unsaid).
    assert cli(["predict", "--strokes", "--json", "--model", "cnn_tiny", str(tmp_path)]) == 0
    said = capsys.readouterr()
    assert [Path(json.loads(line)["path"]).name for line in said.out.splitlines()] == ["seven.json"]
    assert "passed over 1 picture(s)" in said.err and "a.png" in said.err
    # A picture named .json (a PNG saved under the wrong name) is read as the picture it is.
    (tmp_path / "A.JSON").write_bytes((tmp_path / "a.png").read_bytes())
    assert answers(str(tmp_path / "A.JSON"))["A.JSON"]["top"] == both["a.png"]["top"]
    assert answers(str(tmp_path))["A.JSON"]["top"] == both["a.png"]["top"]  # found in a folder too
    (tmp_path / "drawings" / "empty.json").write_bytes(b"")
    assert cli(["predict", "--strokes", "--json", "--model", "cnn_tiny", str(tmp_path)]) == 1
    said = capsys.readouterr()  # with --strokes: the picture named .json passed over as a picture, the empty file said
    by_name = {Path(line["path"]).name: line for line in map(json.loads, said.out.splitlines())}
    assert set(by_name) == {"seven.json", "empty.json"} and by_name["empty.json"]["error"] == "empty file (0 bytes)"
    assert "passed over 2 picture(s)" in said.err
    (tmp_path / "drawings" / "empty.json").unlink()
    (tmp_path / "A.JSON").unlink()
    # Pictures beside drawings are read in batches all the same, the lines in the files' order.
    from ml.runtime.recognizer import Recognizer

    batches: list[int] = []
    read_many = Recognizer.predict_many
    monkeypatch.setattr(
        Recognizer,
        "predict_many",
        lambda self, inputs, **kw: batches.append(len(inputs)) or read_many(self, inputs, **kw),
    )
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for k in range(4):
        (mixed / f"{k}a.png").write_bytes((tmp_path / "a.png").read_bytes())
        (mixed / f"{k}b.json").write_text(json.dumps({"strokes": SEVEN}))
    assert cli(["predict", "--json", "--model", "cnn_tiny", str(mixed)]) == 0
    order = [Path(json.loads(line)["path"]).name for line in capsys.readouterr().out.splitlines()]
    assert order == [f"{k}{kind}" for k in range(4) for kind in ("a.png", "b.json")]
    assert max(batches) == 4  # the pictures together (each drawing's picture is read with its strokes)
    # As text, a letter the model reads in either case is written as both, as the app writes it.
    assert cli(["predict", "--model", "cnn_tiny", str(tmp_path / "a.png")]) == 0
    shown = capsys.readouterr().out.split(": ", 1)[1]
    letters = [answer.split()[0] for answer in shown.split(", ") if answer[0].isalpha()]
    assert letters and all("/" in letter for letter in letters), shown


def test_fuse_keeps_a_cards_line_weights_only_for_the_image_model_they_were_fitted_with(fused_weights: Path) -> None:
    """fuse --write without --lines dropped the line weights a quarter of an hour of --lines had fitted."""
    from ml.cli.fuse import lines_fitted_before
    from ml.runtime.cards import read_card

    image = read_card(fused_weights / "cnn_tiny.json")
    strokes = read_card(fused_weights / "strokes" / "strokes_tiny.json")
    lines = {"line_image_weight": 0.5, "line_stroke_weight": 0.75, "line_fitted_on": "400 words"}
    for_image = {"image_model": "cnn_tiny", "image_sha256": image.sha256}
    fitted = replace(strokes, fusion={**strokes.fusion, **for_image, **lines})
    assert lines_fitted_before(fitted, image) == (0.5, 0.75)
    assert lines_fitted_before(replace(fitted, fusion={**fitted.fusion, "image_sha256": "retrained"}), image) is None
    assert lines_fitted_before(replace(fitted, fusion={**fitted.fusion, "image_model": "other"}), image) is None
    no_source = {k: v for k, v in fitted.fusion.items() if k != "line_fitted_on"}  # (a hand-edited card)
    assert lines_fitted_before(replace(fitted, fusion=no_source), image) is None
    assert lines_fitted_before(strokes, image) is None  # none fitted


def test_evaluate_reports_image_strokes_and_fused_for_a_stroke_model(
    fused_weights: Path, synthetic_unipen: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    assert cli(["evaluate", "--model", "strokes_tiny", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    scores = report["sources"]["unipen_val"]
    assert set(scores) == {"image", "strokes", "fused"}
    assert all(0 <= scores[k]["accuracy"] <= 1 and scores[k]["n"] > 0 for k in scores)
    assert set(scores["image"]["per_condition"]) == {"thin", "default", "thick"}
    # An image model's pen figures are the picture's alone: said, with the command that scores the app's answer
    # (an instructor compared them with the Model box's, which is the fused answer's).
    assert cli(["evaluate", "--model", "cnn_tiny", "--source", "unipen_val"]) == 0
    said = capsys.readouterr().err
    assert "read from the picture alone" in said and "glyphpad-ml evaluate --model strokes_tiny" in said
    assert cli(["evaluate", "--model", "gru_tiny", "--source", "unipen_val"]) == 0  # no stroke model: no note
    assert "picture alone" not in capsys.readouterr().err


def test_a_stroke_file_keeps_the_corrections_it_was_saved_with() -> None:
    from ml.runtime.strokes import parse_strokes, strokes_json

    kept = [{"strokes": [0, 1], "one_character": True}, {"strokes": [1], "char": "Q"}]
    data = {"strokes": [[[0, 0], [5, 9]], [[9, 0], [9, 9]]], "corrections": kept}
    strokes = parse_strokes(data)
    assert strokes.corrections == tuple(kept) and strokes_json(strokes)["corrections"] == kept
    assert "corrections" not in strokes_json(parse_strokes({"strokes": data["strokes"]}))
    # A stroke without points left out: the positions the corrections name would be another drawing's.
    assert parse_strokes({**data, "strokes": [[], *data["strokes"]]}).corrections is None
    assert parse_strokes({**data, "corrections": "join"}).corrections is None  # not a list: none


def test_hostile_stroke_files_get_a_reason_not_a_traceback(tmp_path: Path) -> None:
    huge_number = tmp_path / "huge.json"
    huge_number.write_text('{"strokes": [[[1' + "0" * 400 + ", 2]]]}")
    deep = tmp_path / "deep.json"
    deep.write_text('{"strokes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    digits = tmp_path / "digits.json"  # beyond Python's 4300 digits: json's own ValueError, not a reason
    digits.write_text('{"strokes": [[[1' + "0" * 5000 + ", 2]]]}")
    nan_time = tmp_path / "t.json"
    nan_time.write_text('{"strokes": [[[1, 2], [3, 4]]], "t": [[0, NaN]]}')
    for path, reason in (
        (huge_number, "a number too large to be a position"),  # it said "(OverflowError)"
        (digits, "a number too large to be a position"),
        (deep, "lists nested too deeply"),
        (nan_time, "not a finite number"),
    ):
        with pytest.raises(StrokesError) as error:
            read_strokes_file(path)
        assert "\n" not in str(error.value) and reason in str(error.value)


def test_a_fusion_fitted_for_other_image_weights_is_not_used(fused_weights: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from ml.runtime.cards import fusion_partner, read_card, write_card

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    image_sha = read_card(folder / "cnn_tiny.json").sha256
    assert fusion_partner("cnn_tiny", folder, image_sha) is not None
    card_path = folder / "strokes" / "strokes_tiny.json"
    card = read_card(card_path)
    write_card(replace(card, fusion={**card.fusion, "image_sha256": "0" * 64}), card_path)
    assert fusion_partner("cnn_tiny", folder, image_sha) is None  # cnn_tiny was retrained since the fit


def test_a_damaged_stroke_model_is_said_when_the_picture_answers_alone(
    fused_weights: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ml.runtime.fusion import FusedRecognizer
    from ml.runtime.recognizer import load_recognizer

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    image = load_recognizer(folder / "cnn_tiny.safetensors", device="cpu")
    with caplog.at_level("WARNING", logger="ml.runtime.fusion"):
        assert FusedRecognizer.for_image_model(image, "cpu", directory=folder) is not None
    assert not caplog.records
    with (folder / "strokes" / "strokes_tiny.safetensors").open("ab") as weights:
        weights.write(b"x")
    with caplog.at_level("WARNING", logger="ml.runtime.fusion"):
        assert FusedRecognizer.for_image_model(image, "cpu", directory=folder) is None
    (record,) = caplog.records
    assert "strokes_tiny cannot be used (strokes_tiny.safetensors is damaged" in record.getMessage()
    assert record.getMessage().endswith("the picture alone answers")
    # A damaged card says nothing of the model it was fitted for: said all the same (it was passed over
    # without a word).
    caplog.clear()
    (folder / "strokes" / "strokes_tiny.json").write_text("{not json")
    with caplog.at_level("WARNING", logger="ml.runtime.fusion"):
        assert FusedRecognizer.for_image_model(image, "cpu", directory=folder) is None
    (record,) = caplog.records
    assert record.getMessage().startswith("stroke model strokes_tiny cannot be used (model card strokes_tiny.json")


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ({"image_weight": "heavy"}, "its image_weight is 'heavy', not a number"),
        ({"line_image_weight": float("nan")}, "a weight that is not a number"),
        ({"temperature": 0}, "the fusion's temperature must be a positive number, not 0"),
    ],
)
def test_commands_reading_strokes_go_on_with_the_picture_when_the_fusion_cannot_be_used(
    fused_weights: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: dict[str, object],
    why: str,
) -> None:
    """As the app does: every command reading strokes stopped at a stroke card's unusable fusion weights."""
    from dataclasses import replace

    from ml.cli import main as cli
    from ml.runtime.cards import read_card, write_card

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    card_path = folder / "strokes" / "strokes_tiny.json"
    card = read_card(card_path)
    write_card(replace(card, fusion={**card.fusion, **damage}), card_path)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    drawing = tmp_path / "seven.json"
    drawing.write_text(json.dumps({"strokes": SEVEN}))
    for command, read_as in (["predict"], "a picture alone"), (["read"], "pictures alone"):
        assert cli([*command, "--model", "cnn_tiny", "--strokes", "--json", str(drawing)]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out)["model"] == "cnn_tiny" and "stroke_model" not in json.loads(out)
        assert (
            "note: cnn_tiny: its stroke model cannot be used (strokes_tiny's card has no usable fusion weights: "
            f"{why}): the strokes are read as {read_as}"
        ) in err
    # ... and the list of models says so too (it listed the stroke model as fused, with its figure).
    assert cli(["models"]) == 0
    assert f"fused with cnn_tiny n/a: its fusion weights cannot be used ({why})" in capsys.readouterr().out


def test_a_damaged_stroke_card_is_named_not_taken_for_no_stroke_model(
    fused_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A teacher set a stroke card's temperature to 0: predict said no stroke model reads emnist36, train one."""
    from ml.cli import main as cli

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    card_path = folder / "strokes" / "strokes_tiny.json"
    card_path.write_text(card_path.read_text().replace('"label_set"', '"temperature": 0, "label_set"', 1))
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    drawing = tmp_path / "seven.json"
    drawing.write_text(json.dumps({"strokes": SEVEN}))
    assert cli(["predict", "--model", "cnn_tiny", "--strokes", "--json", str(drawing)]) == 0
    err = capsys.readouterr().err
    assert "stroke model strokes_tiny cannot be used: model card of strokes_tiny is damaged: temperature" in err
    assert "train-strokes" not in err


def test_bench_times_a_named_stroke_model_with_its_fusion(
    fused_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    assert cli(["bench", "--json", "--repeats", "5", "--batch", "4", "--model", "strokes_tiny"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [row["name"] for row in rows] == ["strokes_tiny"]
    assert rows[0]["fused_with"] == "cnn_tiny" and rows[0]["p50_ms"] > 0 and rows[0]["fused_p50_ms"] > 0
    # A stroke model not fused with an image model (yet) is timed alone, and said so (it was refused).
    from dataclasses import replace

    from ml.runtime.cards import read_card, write_card

    alone = tmp_path / "alone"
    alone.mkdir()
    tiny = fused_weights / "strokes" / "strokes_tiny"
    for suffix in (".safetensors", ".onnx"):
        shutil.copy(tiny.with_suffix(suffix), alone / f"strokes_tiny{suffix}")
    write_card(replace(read_card(tiny.with_suffix(".json")), fusion={}), alone / "strokes_tiny.json")
    assert cli(["bench", "--repeats", "5", "--batch", "4", "--model", str(alone / "strokes_tiny.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "strokes_tiny" in out and "not fused with an image model" in out
    assert cli(["bench", "--json", "--repeats", "5", "--batch", "4", "--model", str(alone / "strokes_tiny.onnx")]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[-1], parse_constant=lambda c: pytest.fail(c))
    assert row["fused_with"] == "" and row["fused_p50_ms"] is None and row["p50_ms"] > 0


def test_a_resumed_stroke_run_keeps_the_command_that_started_it(
    synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import torch

    from ml.cli import main as cli_main

    argv = ["train-strokes", "--arch", "stroke_cnn", "--pen-data", str(synthetic_unipen), "--epochs", "1"]
    argv += ["--batch-size", "32", "--device", "cpu", "--out", str(tmp_path), "--name", "s"]
    monkeypatch.setattr(sys, "argv", ["glyphpad-ml", *argv])
    assert cli_main(argv) == 0
    checkpoint = str(tmp_path / "s.ckpt")
    trained = torch.load(checkpoint, weights_only=True)["seconds"]
    monkeypatch.setattr(sys, "argv", ["glyphpad-ml", "train-strokes", "--resume", checkpoint])
    assert cli_main(["train-strokes", "--resume", checkpoint]) == 0
    training = json.loads((tmp_path / "s.json").read_text())["training"]
    assert training["command"] == "glyphpad-ml " + " ".join(argv)
    assert training["resumed_with"] == f"glyphpad-ml train-strokes --resume {checkpoint}"
    assert training["seconds"] + 0.05 >= trained > 0  # the card's seconds are rounded to tenths


def test_train_strokes_refuses_what_cannot_work_before_reading_any_data(
    synthetic_unipen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main

    argv = ["train-strokes", "--arch", "stroke_cnn", "--pen-data", str(synthetic_unipen), "--epochs", "1"]
    argv += ["--batch-size", "32", "--device", "cpu", "--out", str(tmp_path), "--name", "s"]
    assert cli_main(argv) == 0
    capsys.readouterr()
    # A stroke run's checkpoint given to train: said, and where it resumes, before anything is read.
    with pytest.raises(SystemExit) as usage:  # argparse's way out: a usage error
        cli_main(["train", "--resume", str(tmp_path / "s.ckpt")])
    assert usage.value.code == 2
    said = capsys.readouterr().err.strip()
    assert said.endswith("resume it with glyphpad-ml train-strokes --resume") and "UNIPEN" not in said
    no_data = ["--pen-data", str(tmp_path / "no_such"), "--out", str(tmp_path / "o")]
    for options, reason in (
        (["--model-config", '{"hidden": 96}'], "stroke_cnn has no option 'hidden'"),
        (["--start-from", str(tmp_path / "s.safetensors"), "--arch", "stroke_gru"], "add --arch stroke_cnn"),
        (["--start-from", "no_such_model"], "no model named 'no_such_model'"),
        (["--data-workers", "0"], "--data-workers must be at least 1"),
    ):
        assert cli_main(["train-strokes", *no_data, *options]) == 2, options
        assert reason in capsys.readouterr().err


def test_train_strokes_caps_the_training_characters_per_class_as_train_does(
    synthetic_unipen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli_main

    argv = ["train-strokes", "--arch", "stroke_gru", "--pen-data", str(synthetic_unipen), "--epochs", "1"]
    argv += ["--batch-size", "8", "--device", "cpu", "--out", str(tmp_path), "--name", "few", "--lift-corners", "0.5"]
    argv += ["--max-per-class", "2"]
    assert cli_main(argv) == 0
    card = json.loads((tmp_path / "few.json").read_text())
    classes = len(card["labels"])
    assert 0 < card["training"]["train_samples"] <= 2 * classes
    assert card["training"]["augment"]["lift_probability"] == 0.5  # the card says how its data was varied
    assert "UNIPEN train" in capsys.readouterr().err
    assert cli_main([*argv[:-2], "--max-per-class", "-1"]) == 2


def test_train_strokes_mixes_in_a_folder_of_ones_own_drawings(
    synthetic_unipen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As File -> Keep as Example keeps them: each drawing's strokes beside its picture, a folder per character."""
    from ml.cli import main as cli_main
    from ml.runtime.strokes import Strokes, write_strokes_file
    from ml.runtime.synth import GLYPHS

    mine = tmp_path / "mine"
    for folder, char, count in (("T", "T", 12), ("x_lower", "X", 3), ("notes.d", "X", 0)):
        (mine / folder).mkdir(parents=True)
        for k in range(count):  # a writer's own, each a little different
            strokes = [np.array(s, dtype=float) * (90 + k) + k for s in GLYPHS[char]]
            write_strokes_file(mine / folder / f"{k:02d}.json", Strokes(tuple(strokes)))
    (mine / "T" / "bad.json").write_text('{"strokes": [[[0, 0], [1]]]}')  # malformed: left out, said
    argv = ["train-strokes", "--arch", "stroke_gru", "--pen-data", str(synthetic_unipen), "--epochs", "1"]
    argv += ["--batch-size", "8", "--device", "cpu", "--out", str(tmp_path / "o"), "--name", "own"]
    argv += ["--model-config", '{"hidden": 16}']
    assert cli_main([*argv, "--examples", str(mine)]) == 2  # a folder named as no character: training refuses it
    assert "notes.d: folder name is not a class" in capsys.readouterr().err
    (mine / "notes.d").rmdir()
    assert cli_main([*argv, "--examples", str(mine)]) == 0
    said = capsys.readouterr()
    assert "--examples: 15 drawings of 2 characters, 1 held out to score" in said.err
    assert "bad.json" in said.err and "examples_val" in said.out
    card = json.loads((tmp_path / "o" / "own.json").read_text())
    mixed = {source["name"]: source for source in card["data_sources"]}
    assert mixed["examples"]["samples"] == 15 and mixed["examples"]["share_of_its_characters"] == 0.3
    share = round(0.3 * 2 / len(card["labels"]), 4)  # T and X of the classes
    assert mixed["examples"]["share"] == share and mixed["UNIPEN"]["share"] == round(1 - share, 4)
    assert card["metrics_by_source"]["examples_val"]["n"] == 1
    assert "examples" not in card["training"]["config"]  # one's folder's path is not in a card shared
    assert card["description"].endswith("(hidden=16)")  # the model as built, not its architecture's defaults
    assert mixed["UNIPEN"]["samples"] == 240  # the archive's own (the fixture's 240)
    history = json.loads((tmp_path / "o" / "own.metrics.json").read_text())["history"]
    assert history[0]["examples_drawn"] > 0  # drawn into the epoch, not only read
    # A resumed run on a folder changed since it started is refused (every tenth held out would be counted anew).
    (mine / "T" / "99.json").write_text((mine / "T" / "00.json").read_text())
    assert cli_main(["train-strokes", "--resume", str(tmp_path / "o" / "own.ckpt")]) == 2
    assert "trained on other drawings than --examples" in capsys.readouterr().err
    assert "examples_share" in card["training"]["config"]
    for bad, reason in (
        (["--examples", str(tmp_path / "none")], "no such folder"),
        (["--examples", str(mine), "--examples-share", "1"], "under 1"),
    ):
        assert cli_main([*argv, *bad]) == 2
        assert reason in capsys.readouterr().err


def test_ones_own_drawings_take_the_place_of_their_own_classes_draws_only() -> None:
    """A folder of O's and 0's alone took a third of every epoch for two of 36 classes: now a share of
    those classes' own draws, every class as often as before."""
    from ml.training.data.stroke_folders import with_own_drawings

    rng = np.random.default_rng(0)
    targets = np.concatenate([np.repeat(np.arange(36), 50), [24] * 10 + [0] * 10])  # then the person's O's and 0's
    own = np.arange(36 * 50, len(targets))
    drawn = rng.permutation(36 * 50)
    mixed = with_own_drawings(drawn, targets, own, 0.3, rng)
    assert np.array_equal(np.bincount(targets[mixed], minlength=36), np.bincount(targets[drawn], minlength=36))
    theirs = np.isin(mixed, own)
    assert theirs.sum() == 30 and set(targets[mixed[theirs]]) == {0, 24}
    assert np.array_equal(mixed[~theirs], drawn[~theirs])


def test_fuse_warns_when_the_stroke_model_adds_nothing_on_validation_writers() -> None:
    from ml.cli.fuse import adds_nothing

    def scores(fused: float, image: float) -> dict[str, dict[str, float]]:
        return {"fused": {"accuracy": fused}, "image": {"accuracy": image}, "strokes": {"accuracy": 0.05}}

    assert adds_nothing(scores(0.91, 0.87), "strokes_x", "cnn") is None
    said = adds_nothing(scores(0.87, 0.87), "strokes_x", "cnn")
    assert said is not None and "strokes_x adds nothing to cnn" in said and "87.00%" in said


def test_export_of_every_model_includes_the_stroke_models_in_their_folder(
    fused_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    assert cli(["export", "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    assert (out / "cnn_tiny.onnx").exists() and (out / "strokes" / "strokes_tiny.onnx").exists()
    assert (out / "strokes" / "strokes_tiny.json").exists() and not (out / "strokes_tiny.onnx").exists()
    assert "strokes_tiny.onnx" in capsys.readouterr().out


def test_fuse_says_when_the_image_model_it_names_is_not_the_one_in_the_weights_folder(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    for model in (fused_weights / "cnn_tiny", fused_weights / "strokes" / "strokes_tiny"):
        for suffix in (".safetensors", ".onnx", ".json"):
            shutil.copy(model.with_suffix(suffix), tmp_path / f"{model.name}{suffix}")
    strokes, image = str(tmp_path / "strokes_tiny.safetensors"), str(tmp_path / "cnn_tiny.safetensors")
    assert cli(["fuse", "--strokes-model", strokes, "--image-model", image, "--write"]) == 0
    said = capsys.readouterr().err
    assert "names its image model cnn_tiny" in said and str(fused_weights) in said
    # Fitted with the model the weights folder holds under that name: nothing to say.
    assert cli(["fuse", "--strokes-model", strokes, "--image-model", "cnn_tiny", "--write"]) == 0
    assert "names its image model" not in capsys.readouterr().err


def test_fusing_a_stroke_model_with_another_image_model_writes_a_copy_and_keeps_the_first_fusion(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A teacher's trial: a fine-tuned model could be fused with the bundled stroke model only by rewriting
    its card, and the default model then read every drawing from its picture alone."""
    from ml.cli import main as cli
    from ml.runtime.cards import fusion_partner, read_card

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    for suffix in (".safetensors", ".onnx", ".json"):  # a fine-tune of cnn_tiny, copied in as "mine"
        data = (folder / f"cnn_tiny{suffix}").read_bytes()
        (folder / f"mine{suffix}").write_bytes(data.replace(b'"cnn_tiny"', b'"mine"') if suffix == ".json" else data)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    first = (folder / "strokes" / "strokes_tiny.json").read_text()

    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "mine", "--write"]) == 0
    assert "wrote strokes_tiny_mine:" in capsys.readouterr().out
    assert (folder / "strokes" / "strokes_tiny.json").read_text() == first  # cnn_tiny keeps its fusion
    copy = read_card(folder / "strokes" / "strokes_tiny_mine.json")
    assert copy.name == "strokes_tiny_mine" and copy.fusion["image_model"] == "mine"
    assert fusion_partner("cnn_tiny", folder) == folder / "strokes" / "strokes_tiny.safetensors"
    assert fusion_partner("mine", folder) == folder / "strokes" / "strokes_tiny_mine.safetensors"
    # The copy loads (weights and graph as its card says) and reads a stroke file fused with mine.
    drawing = tmp_path / "seven.json"
    drawing.write_text('{"strokes": [[[10, 10], [60, 10], [30, 80]]]}')
    assert cli(["predict", "--strokes", "--json", "--model", "mine", str(drawing)]) == 0
    assert json.loads(capsys.readouterr().out)["stroke_model"] == "strokes_tiny_mine"
    # Fitted again with the model it names: written in its own card, no copy of a copy.
    assert cli(["fuse", "--strokes-model", "strokes_tiny_mine", "--image-model", "mine", "--write"]) == 0
    assert "wrote the fusion into strokes_tiny_mine's card" in capsys.readouterr().out
    assert not list((folder / "strokes").glob("strokes_tiny_mine_*"))
    # The copy fitted to yet another model: named for the original (names grew with each fine-tune of one),
    # its JSON alone on stdout.
    assert cli(["fuse", "--strokes-model", "strokes_tiny_mine", "--image-model", "gru_tiny", "--write", "--json"]) == 0
    printed = capsys.readouterr()
    assert "image_weight" in json.loads(printed.out) and "wrote strokes_tiny_gru_tiny:" in printed.err
    assert read_card(folder / "strokes" / "strokes_tiny_gru_tiny.json").fusion["copy_of"] == "strokes_tiny"
    # A name another copy holds is not taken over: that model would lose its stroke model without a word.
    (folder / "strokes" / "strokes_tiny_gru_tiny.json").write_text(
        (folder / "strokes" / "strokes_tiny_gru_tiny.json").read_text().replace('"gru_tiny"', '"other"')
    )
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "gru_tiny", "--write"]) == 2
    assert "strokes_tiny_gru_tiny is taken in" in capsys.readouterr().err
    named_as_itself = ["--write", "--name", "strokes_tiny"]  # would unpair it from cnn_tiny
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "gru_tiny", *named_as_itself]) == 2
    assert "strokes_tiny is the stroke model itself, fused with cnn_tiny" in capsys.readouterr().err
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "gru_tiny", "--write", "--name", "s2"]) == 0
    assert read_card(folder / "strokes" / "s2.json").fusion["image_model"] == "gru_tiny"


def test_fuse_says_what_is_wrong_with_the_image_model_it_was_given(
    fused_weights: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A teacher's trial: a typo, a model not yet copied in, a stroke model and a digits model were each
    answered "not an image model of the classes" or with every model's name to read through."""
    from ml.cli import main as cli

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    fuse = ["fuse", "--strokes-model", "strokes_tiny", "--image-model"]
    assert cli([*fuse, "cnn_tiyn"]) == 2
    said = capsys.readouterr().err
    assert "no model named 'cnn_tiyn'" in said and "did you mean cnn_tiny?" in said
    assert said.rstrip().endswith("copy it into the weights folder first, or give its .safetensors file")
    assert cli([*fuse, "strokes_tiny"]) == 2
    assert "strokes_tiny is a stroke model: --image-model takes a model that reads pictures" in capsys.readouterr().err


def test_a_new_model_says_how_its_drawings_can_be_read_with_the_strokes_too(
    fused_weights: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ml.runtime.cards import read_card
    from ml.training.train import fused_drawings_hint

    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    fitted = "glyphpad-ml fuse --strokes-model strokes_tiny --image-model mine --write"
    alone = ". The app reads a drawing with it from the picture alone; to read the pen's strokes too"
    labels = read_card(fused_weights / "strokes" / "strokes_tiny.json").label_set
    hint = fused_drawings_hint("cnn_tiny", "mine", labels)  # cnn_tiny reads drawings fused with strokes_tiny
    assert hint == f"{alone}, as cnn_tiny does, then run: {fitted}"
    # Trained from scratch, or from a model read from the picture alone (an ML practitioner's trial: only a
    # fine-tune of a fused model was told), the stroke model of its classes; none for classes none reads.
    for start_from in ("", "gru_tiny"):
        assert fused_drawings_hint(start_from, "mine", labels) == f"{alone}, then run: {fitted}"
    # Classes made of its own (digits, letters, a and A) are read by it too.
    assert fused_drawings_hint("", "mine", "digits10") == fused_drawings_hint("", "mine", "byclass62")
    assert fused_drawings_hint("", "mine", "digits10") == f"{alone}, then run: {fitted}"
    # A damaged stroke model is not offered (fuse refused it, and the app reads with another).
    damaged = tmp_path / "weights"
    shutil.copytree(fused_weights, damaged)
    (damaged / "strokes" / "strokes_tiny.onnx").write_bytes(b"not a graph")
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(damaged))
    assert fused_drawings_hint("cnn_tiny", "mine", labels) == fused_drawings_hint("", "mine", labels) == ""
    # A stroke model holding a written line's weights for another image model: a new model is told to fit
    # its characters' weights alone (an ML practitioner was sent to a quarter of an hour of --lines).
    from ml.runtime.cards import refit_command

    lined = tmp_path / "lined"
    shutil.copytree(fused_weights, lined)
    card_file = lined / "strokes" / "strokes_tiny.json"
    card = json.loads(card_file.read_text())
    card["fusion"].update(line_image_weight=0.5, line_stroke_weight=1.0, line_fitted_on="validation words")
    card_file.write_text(json.dumps(card))
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(lined))
    assert fused_drawings_hint("", "mine", labels) == f"{alone}, then run: {fitted}"
    assert refit_command("strokes_tiny", card["fusion"]["image_model"]).endswith(" --write --lines")


def test_a_stroke_file_may_say_the_pad_it_was_written_on() -> None:
    from ml.runtime.strokes import Strokes, StrokesError, parse_strokes, strokes_json

    line = np.array([[10.0, 10.0], [40.0, 60.0]])
    written = Strokes((line,), pad=(480.0, 320.0))
    again = parse_strokes(strokes_json(written))
    assert again.pad == (480.0, 320.0) and np.allclose(again.strokes[0], line)
    assert parse_strokes({"strokes": [line.tolist()]}).pad is None  # said by GlyphPad's files only
    for bad in ([480], [480, 0], ["480", 320], [480, float("nan")], {"w": 480}):
        with pytest.raises(StrokesError, match='"pad"'):
            parse_strokes({"strokes": [line.tolist()], "pad": bad})
    # ... and the pens it was written with: then it is rendered as that pad rendered it (at the pad's one
    # recognition scale, each stroke with its pen), anything else as any drawing is.
    from ml.runtime.render import DRAWING_RECOGNITION_SCALE, drawing_picture, render_drawing

    pens = Strokes((line, line + 20), pad=(480.0, 320.0), pen_widths=(30.0, 6.0))
    again = parse_strokes(strokes_json(pens))
    assert again.pen_widths == (30.0, 6.0) and again.pad == pens.pad
    as_on_pad = drawing_picture(again)
    assert as_on_pad.shape == (round(320 * DRAWING_RECOGNITION_SCALE), round(480 * DRAWING_RECOGNITION_SCALE))
    thin = drawing_picture(Strokes(pens.strokes, pad=pens.pad, pen_widths=(6.0, 6.0)))
    assert (as_on_pad < 128).sum() > 1.5 * (thin < 128).sum()  # the wide pen's stroke is drawn wide
    assert np.array_equal(drawing_picture(Strokes(pens.strokes, pad=pens.pad)), render_drawing(pens.strokes))
    off_the_pad = Strokes((line - 30, line), pad=pens.pad, pen_widths=(30.0, 6.0))  # (a hand-edited file)
    assert np.array_equal(drawing_picture(off_the_pad), render_drawing(off_the_pad.strokes))
    for bad in ([30], [30, 0], ["30", 6], [30, float("inf")], 30, [30, 1e8]):  # (1e8 kept the renderer busy)
        with pytest.raises(StrokesError, match='"pen" must hold one pen width'):
            parse_strokes({"strokes": [line.tolist(), line.tolist()], "pen": bad})


def test_a_stroke_files_sparse_points_are_drawn_as_the_line_they_make() -> None:
    # A stroke is drawn as curves through its points' midpoints: three points an A's leg lost its apex
    # (18 of 128 px) in the batch and on the command line, while the pad filled the points in first.
    from ml.runtime.pen import MAX_POINT_GAP_PX
    from ml.runtime.render import filled_in, render_drawing

    sparse = [np.array([[0.0, 100.0], [50.0, 0.0], [100.0, 100.0]]), np.array([[25.0, 55.0], [75.0, 55.0]])]
    fine = [
        np.concatenate([np.linspace(a, b, 200, endpoint=False) for a, b in itertools.pairwise(s)] + [s[-1:]])
        for s in sparse
    ]
    drawn, reference = render_drawing(sparse), render_drawing(fine)
    apex = np.argwhere(drawn < 128)[:, 0].min() - np.argwhere(reference < 128)[:, 0].min()
    assert abs(apex) <= 1  # the apex kept
    assert np.abs(drawn.astype(int) - reference.astype(int)).mean() < 1.0
    # Filled in: every gap at most MAX_POINT_GAP_PX, the points given kept, values along them interpolated.
    points = np.array([[0.0, 0.0, 0.2], [10.0, 0.0, 1.0], [10.0, 1.0, 1.0]])
    dense = filled_in(points)
    assert np.hypot(*np.diff(dense[:, :2], axis=0).T).max() <= MAX_POINT_GAP_PX
    assert all((dense == point).all(axis=1).any() for point in points)
    assert np.allclose(np.interp(dense[:5, 0], points[:2, 0], points[:2, 2]), dense[:5, 2])
    assert np.array_equal(filled_in(dense), dense)  # dense points come back as they are


def test_a_stroke_across_a_very_large_pad_is_drawn() -> None:
    # PIL takes a crop of over 128 megapixels for a decompression bomb: a stroke across an 8K screen's pad
    # (its supersampled region) stopped the save with an "unexpected error".
    import ml.runtime.image_io  # noqa: F401  (as in the app: it sets PIL's limit to ml's)
    from ml.runtime.render import PenStroke, StrokeRenderer

    renderer = StrokeRenderer(3300, 3300, 1.0)
    renderer.add(PenStroke.from_xy(np.array([[100.0, 100.0], [3100.0, 3100.0]]), 14.0))
    pixels = renderer.pixels()
    assert pixels[1600, 1600] < 50 and pixels[100, 3100] == 255


def test_a_line_reads_with_the_strokes_weight_fitted_on_lines_and_no_character_prior() -> None:
    from ml.runtime.fusion import FusionWeights

    fitted = {
        "image_weight": 0.75,
        "stroke_weight": 1.5,
        "prior_log": [0.1, -0.1],
        "line_image_weight": 0.5,
        "line_stroke_weight": 0.75,
    }
    weights = FusionWeights.from_card(fitted)
    assert weights.line_strokes == 0.75 and weights.for_lines() == FusionWeights(0.5, 0.75)
    # A card whose lines fitted the strokes' weight alone: the picture's is the characters'.
    strokes_only = FusionWeights.from_card({k: v for k, v in fitted.items() if k != "line_image_weight"})
    assert strokes_only.for_lines() == FusionWeights(0.75, 0.75)
    # A card fitted before lines were: a line reads with the characters' weights, without their prior.
    older = FusionWeights.from_card({k: v for k, v in fitted.items() if not k.startswith("line_")})
    assert older.line_strokes is None and older.for_lines() == FusionWeights(0.75, 1.5)


def test_fuse_lines_fits_a_stroke_model_trained_just_now_in_one_go(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A stroke model fresh from training has no fusion in its card: reading the words as lines with each
    weight stopped at "its card has no usable fusion weights" (an ensemble of three, fitted with --lines)."""
    import ml.evaluation.evaluate
    from ml.cli import main as cli
    from ml.evaluation.fusion_fit import LINE_IMAGE_WEIGHTS, LINE_STROKE_WEIGHTS
    from ml.runtime.cards import read_card, write_card

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    card = folder / "strokes" / "strokes_tiny.json"
    write_card(replace(read_card(card), fusion={}), card)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    monkeypatch.setattr(ml.evaluation.evaluate, "WORD_COUNT", 6)
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "cnn_tiny", "--lines", "--write"]) == 0
    fusion = read_card(card).fusion
    assert fusion["image_model"] == "cnn_tiny" and fusion["line_stroke_weight"] in LINE_STROKE_WEIGHTS
    assert fusion["line_image_weight"] in LINE_IMAGE_WEIGHTS
    # Each pair of weights said as it is scored (a log, where the bar is off, said nothing for a quarter hour).
    pairs = len(LINE_IMAGE_WEIGHTS) * len(LINE_STROKE_WEIGHTS)
    said = capsys.readouterr().err
    assert said.count(" left)\n") == pairs and f"({pairs} of {pairs}, " in said


def test_fuse_lines_fits_the_strokes_weight_of_a_line_and_the_reader_uses_it(
    fused_weights: Path, synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import ml.evaluation.evaluate
    import ml.runtime.line_reader
    from ml.cli import main as cli
    from ml.evaluation.fusion_fit import LINE_IMAGE_WEIGHTS, LINE_STROKE_WEIGHTS
    from ml.runtime.cards import read_card
    from ml.runtime.fusion import FusionWeights

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    monkeypatch.setattr(ml.evaluation.evaluate, "WORD_COUNT", 6)  # (1600 words in earnest)
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "cnn_tiny", "--lines", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert lines["line_stroke_weight"] in LINE_STROKE_WEIGHTS and lines["line_image_weight"] in LINE_IMAGE_WEIGHTS
    pairs = {f"{a} {b}" for a in LINE_IMAGE_WEIGHTS for b in LINE_STROKE_WEIGHTS}  # each pair of weights tried
    assert set(lines["validation_cer"]) == pairs and "cer" in lines["test_words"]
    best = min(lines["validation_cer"].values())
    assert lines["validation_cer"][f"{lines['line_image_weight']} {lines['line_stroke_weight']}"] == best
    card = folder / "strokes" / "strokes_tiny.json"
    assert "line_stroke_weight" not in read_card(card).fusion  # (without --write: nothing written)
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "cnn_tiny", "--lines", "--write"]) == 0
    fusion = read_card(card).fusion
    assert fusion["line_stroke_weight"] in LINE_STROKE_WEIGHTS and "validation writers" in fusion["line_fitted_on"]
    # Read as a line, the fusion's weights are the line's.
    used: list[FusionWeights] = []
    fuse = ml.runtime.line_reader.fuse_probabilities
    monkeypatch.setattr(ml.runtime.line_reader, "fuse_probabilities", lambda a, b, w: used.append(w) or fuse(a, b, w))
    reader = ml.runtime.line_reader.LineReader.load("cnn_tiny", device="cpu")
    assert reader.fused is not None
    reader.read_strokes([np.array([[0.0, 0.0], [0.0, 60.0]]), np.array([[40.0, 0.0], [70.0, 0.0], [50.0, 60.0]])])
    assert used and all(w == FusionWeights(fusion["line_image_weight"], fusion["line_stroke_weight"]) for w in used)


def test_words_are_composed_one_after_another_whatever_their_count(synthetic_unipen: Path) -> None:
    """The cards' 1600 words begin with the 400 they were before, and a test's first words are the
    evaluation's: each word's draws come after the last's, none depending on how many are asked for."""
    from ml.evaluation.words import compose_words
    from ml.training.data.unipen import load_unipen

    pen = load_unipen(synthetic_unipen)
    everyone = np.arange(len(pen.labels))
    few, more = compose_words(pen, everyone, 5), compose_words(pen, everyone, 12)
    assert len(few) == 5 and len(more) == 12
    for a, b in zip(few, more, strict=False):
        assert (a.text, a.writer, a.character_of_stroke) == (b.text, b.writer, b.character_of_stroke)
        assert all(np.array_equal(s, t) for s, t in zip(a.strokes, b.strokes, strict=True))
    assert [w.text for w in compose_words(pen, everyone, 5, seed=1)] != [w.text for w in few]


def test_a_drawing_of_dots_alone_is_no_character_and_a_dot_beside_a_stroke_is() -> None:
    from ml.runtime.strokes import A_DOT, ONLY_DOTS, dots_reason

    def points(*strokes: list[list[float]]) -> list[np.ndarray]:
        return [np.array(stroke, dtype=float) for stroke in strokes]

    assert dots_reason(points([[5, 5]], [[5, 5], [5, 5]])) == A_DOT
    assert dots_reason(points([[0, 0]], [[0, 40]], [[1, 80], [2, 81]])) == ONLY_DOTS  # a colon, an ellipsis
    assert dots_reason(points([[0, 20], [0, 80]], [[0, 0], [1, 1]])) == ""  # an i: its dot beside its stem
    assert dots_reason(points([[0, 0], [0, 80]])) == ""  # a stroke alone
    assert dots_reason(points([[0, 0], [30, 0]], [[0, 40], [30, 40]])) == ""  # an = of two bars


def test_a_stroke_model_reads_a_letters_models_drawings_over_the_letters_and_leaves_case_to_the_picture(
    fused_weights: Path,
) -> None:
    """The 36-class stroke model fused with a model of some of its classes (letters, digits) spreads its
    answer over those: its softmax over their logits, a ring read as 0 becoming the likeliest letter. With
    a model that tells a from A, each case gets half of the letter's probability: the picture tells case."""
    from ml.runtime.cards import WeightsError
    from ml.runtime.fusion import FusedRecognizer, FusionWeights, fuse_probabilities, strokes_in_classes_of
    from ml.runtime.labels import class_columns, get_label_set
    from ml.runtime.recognizer import ClassMappedRecognizer, Recognizer, load_recognizer

    def as_model_of(model: Recognizer, label_set: str) -> ClassMappedRecognizer:
        labels = list(get_label_set(label_set).classes)
        columns = class_columns(labels, model.labels)
        assert columns is not None
        return ClassMappedRecognizer(model, labels, label_set, columns)

    letters = list(get_label_set("letters26").classes)
    picture_36 = load_recognizer(fused_weights / "cnn_tiny.safetensors", device="cpu")
    strokes_36 = load_recognizer(fused_weights / "strokes" / "strokes_tiny.safetensors", device="cpu")
    image = as_model_of(picture_36, "letters26")  # a letters model, as far as a fusion sees
    fused = FusedRecognizer(image, strokes_36, FusionWeights(0.5, 1.0))
    assert fused.strokes.labels == letters and fused.strokes.card.label_set == "letters26"
    assert strokes_in_classes_of(picture_36, strokes_36) is strokes_36  # its own classes: itself
    strokes = parse_strokes({"strokes": SEVEN})
    every = strokes_36.predict_strokes(strokes, top_k=36, calibrated=False).probabilities
    over_letters = every[[strokes_36.labels.index(label) for label in letters]]
    alone = fused.strokes.predict_strokes(strokes, top_k=26, calibrated=False)
    assert np.allclose(alone.probabilities, over_letters / over_letters.sum(), atol=1e-5)
    picture = np.full((96, 96), 255, dtype=np.uint8)
    picture[20:80, 44:52] = 0
    both = fused.predict(picture, strokes, top_k=3)
    from_picture = image.predict(picture, calibrated=False).probabilities
    expected = fuse_probabilities(from_picture, alone.probabilities, fused.weights)
    assert both.inputs_used == ("image", "strokes") and np.allclose(both.probabilities, expected, atol=1e-5)
    assert all(score.label in letters for score in both.top)
    # A 62-class model: a and A both take the strokes' A, as far against 7 as the strokes put A (not half
    # as far: every two-case letter put behind the digits), the case left to the picture.
    cased = FusedRecognizer(as_model_of(picture_36, "byclass62"), strokes_36, FusionWeights(0.5, 1.0))
    mapped = cased.strokes.predict_strokes(strokes, top_k=62, calibrated=False).probabilities
    index, own = cased.strokes.labels.index, strokes_36.labels.index
    assert np.isclose(mapped.sum(), 1.0, atol=1e-5) and np.isclose(mapped[index("a")], mapped[index("A")])
    assert np.isclose(mapped[index("a")] / mapped[index("7")], every[own("A")] / every[own("7")], rtol=1e-4)
    picture_62 = cased.image.predict(picture, calibrated=False).probabilities
    fused_62 = cased.predict(picture, strokes, top_k=62).probabilities
    for a, b in (("a", "A"), ("e", "7")):  # the picture's odds times the strokes' (weights 0.5 and 1)
        strokes_odds = every[own(b.upper())] / every[own(a.upper())] if b != "A" else 1.0
        expected_odds = np.sqrt(picture_62[index(b)] / picture_62[index(a)]) * strokes_odds
        assert np.isclose(fused_62[index(b)] / fused_62[index(a)], expected_odds, rtol=1e-3)
    # A set that merges a case the strokes split (neither of a and A is its A), or a class not there: refused.
    assert class_columns(letters, get_label_set("byclass62").classes) is None
    assert class_columns(["A", "#"], letters) is None
    merged_on_split = ClassMappedRecognizer(picture_36, letters, "letters26", list(range(10, 36)))
    merged_on_split.card = replace(merged_on_split.card, label_set="letters26")
    split_strokes = as_model_of(strokes_36, "byclass62")
    with pytest.raises(WeightsError, match="cannot be fused"):
        strokes_in_classes_of(merged_on_split, split_strokes)
    # Explained along the pen's path in the stroke model's own class: a 62-class model's a is its A (the
    # app explained nothing for one), a letters model's own answer never a digit.
    from ml.runtime.explain import stroke_saliency

    assert stroke_saliency(cased.strokes, strokes, "a").label == "A"
    # Alone (Compare's strokes row), over a letters model's classes, but in its own beside a 62-class model's.
    from ml.runtime.fusion import strokes_alone

    assert strokes_alone(fused.strokes) is fused.strokes and strokes_alone(cased.strokes) is strokes_36
    assert strokes_alone(strokes_36) is strokes_36
    own = stroke_saliency(fused.strokes, strokes)
    assert own.label == alone.top[0].label and own.label in letters


def test_a_stroke_model_fused_with_a_letters_model_is_a_card_beside_it_sharing_its_weights(
    fused_weights: Path,
    synthetic_emnist: Path,
    synthetic_unipen: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ml.cli import main as cli
    from ml.runtime.cards import WeightsError, bundled_cards, fusion_partner, read_card
    from ml.runtime.fusion import FusedRecognizer
    from ml.runtime.recognizer import load_recognizer
    from tests.conftest import train_tiny

    folder = tmp_path / "weights"
    shutil.copytree(fused_weights, folder)
    train_tiny(synthetic_emnist, folder, "lenet5", "letters26", "letters_tiny", epochs=1)
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    monkeypatch.setenv("GLYPHPAD_UNIPEN", str(synthetic_unipen))
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "letters_tiny"]) == 0
    said = capsys.readouterr().out  # (an ML practitioner could not tell whether it had written anything)
    assert "nothing written: --write stores this fusion in strokes_tiny_letters_tiny's card, beside it" in said
    assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "letters_tiny", "--write"]) == 0
    strokes = folder / "strokes"
    copy = strokes / "strokes_tiny_letters_tiny"
    assert copy.with_suffix(".json").exists()
    assert not copy.with_suffix(".safetensors").exists() and not copy.with_suffix(".onnx").exists()
    card = read_card(copy.with_suffix(".json"))
    assert card.fusion["copy_of"] == "strokes_tiny" and card.fusion["classes"] == "letters26"
    assert card.fusion["image_model"] == "letters_tiny" and "fused_unipen_test" in card.metrics_by_source
    assert read_card(strokes / "strokes_tiny.json").fusion["image_model"] == "cnn_tiny"  # the original stays
    assert fusion_partner("letters_tiny", folder) == copy.with_suffix(".safetensors")
    image = load_recognizer("letters_tiny", device="cpu")
    fused = FusedRecognizer.for_image_model(image, "cpu", directory=folder)
    assert fused is not None and fused.strokes.card.name == copy.name and fused.strokes.labels == image.labels
    answer = fused.predict(None, SEVEN)
    assert answer.inputs_used == ("image", "strokes") and len(answer.probabilities) == 26
    torch_copy = load_recognizer(copy.with_suffix(".safetensors"), device="cpu")  # and torch reads it too
    from ml.runtime.recognizer import TorchRecognizer

    assert len(TorchRecognizer.load_torch(copy.with_suffix(".safetensors")).labels) == len(torch_copy.labels) == 36
    # Exporting it writes no graph of its own (thirteen copies of the stroke model's 5 MB); with --out, its card.
    assert cli(["export", "--model", copy.name]) == 0
    assert not copy.with_suffix(".onnx").exists()
    assert cli(["export", "--model", copy.name, "--out", str(tmp_path / "out")]) == 0
    assert read_card(tmp_path / "out" / "strokes" / f"{copy.name}.json") == card
    from ml.runtime.cards import verified_card, verified_onnx

    exported = tmp_path / "out" / "strokes" / f"{copy.name}.safetensors"  # with the files it shares: it loads
    assert verified_card(exported) == card and verified_onnx(exported, card).name == "strokes_tiny.onnx"
    # Its strokes alone, evaluated on the validation writers, say where the test writers' figures are.
    assert cli(["evaluate", "--model", copy.name]) == 0
    assert "the test writers' figures, as the README and the cards give them: --source unipen_test" in (
        capsys.readouterr().out
    )
    # Fitted to the original's weights as they were before it was retrained: said, with the command.
    from ml.runtime.cards import write_card

    write_card(replace(card, sha256="0" * 64), copy.with_suffix(".json"))
    stale = dict(bundled_cards(strokes))[copy.with_suffix(".safetensors")]
    assert isinstance(stale, WeightsError) and str(stale) == (
        "strokes_tiny_letters_tiny was fitted to strokes_tiny's weights before they were retrained or replaced: fit "
        "it again with 'glyphpad-ml fuse --strokes-model strokes_tiny --image-model letters_tiny --write'"
    )
    write_card(card, copy.with_suffix(".json"))
    # The original's graph damaged, or its weights gone: the copy says whose they are.
    graph = strokes / "strokes_tiny.onnx"
    kept = graph.read_bytes()
    graph.write_bytes(b"not a graph")
    problem = dict(bundled_cards(strokes))[copy.with_suffix(".safetensors")]
    assert "strokes_tiny_letters_tiny shares strokes_tiny's weights, which cannot be used: strokes_tiny.onnx is" in str(
        problem
    )
    graph.write_bytes(kept)
    assert isinstance(dict(bundled_cards(strokes))[copy.with_suffix(".safetensors")], type(card))
    (strokes / "strokes_tiny.safetensors").unlink()
    problem = dict(bundled_cards(strokes))[copy.with_suffix(".safetensors")]
    assert isinstance(problem, WeightsError) and str(problem) == (
        "weights file strokes_tiny_letters_tiny.safetensors is missing (and strokes_tiny.safetensors, whose "
        "weights it is a copy of)"
    )
