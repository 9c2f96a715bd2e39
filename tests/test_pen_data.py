"""UNIPEN reading, the writer split, the stroke renderer, pen drawings and the sampling mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.runtime.labels import get_label_set
from ml.runtime.preprocess import preprocess
from ml.runtime.render import PenStroke, render_strokes, stroke_path
from ml.training.data.unipen import load_unipen, writer_split
from ml.training.mixing import mix_weights, source_weights
from ml.training.pen_data import EVAL_PENS, draw_pen_character, evaluation_bank, training_bank

REAL_UNIPEN = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "unipen" / "unipen-chars.npz"


def test_reader_gives_each_character_its_strokes(synthetic_unipen: Path) -> None:
    pen = load_unipen(synthetic_unipen)
    assert len(pen) == 20 * 12
    strokes = pen.strokes(0)
    assert strokes and all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
    digits = pen.targets_for(get_label_set("digits10"))
    assert set(digits[pen.labels == "A"].tolist()) == {-1} and set(digits[pen.labels == "7"].tolist()) == {7}


def test_the_archives_folder_names_the_archive(tmp_path: Path, synthetic_unipen: Path) -> None:
    folder = tmp_path / "unipen"
    folder.mkdir()
    (folder / "unipen-chars.npz").write_bytes(synthetic_unipen.read_bytes())
    assert len(load_unipen(folder)) == len(load_unipen(synthetic_unipen))  # was "no UNIPEN archive at" it
    with pytest.raises(FileNotFoundError, match=f"unipen/ in its folder holds one: --pen-data {folder}"):
        load_unipen(tmp_path)  # the data's parent folder


def test_damaged_archives_get_a_reason(tmp_path: Path, synthetic_unipen: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no UNIPEN archive"):
        load_unipen(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="cannot be read"):
        load_unipen(tmp_path / "junk.npz")
    with np.load(synthetic_unipen) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["stroke_point_start"] = arrays["stroke_point_start"][:-3]
    np.savez(tmp_path / "cut.npz", **arrays)
    with pytest.raises(ValueError, match="damaged"):
        load_unipen(tmp_path / "cut.npz")
    del arrays["writers"]
    np.savez(tmp_path / "nowriters.npz", **arrays)
    with pytest.raises(ValueError, match="lacks writers"):
        load_unipen(tmp_path / "nowriters.npz")


def test_writer_split_never_shares_a_writer_and_is_seeded(synthetic_unipen: Path) -> None:
    pen = load_unipen(synthetic_unipen)
    split = writer_split(pen.writers, seed=5)
    parts = [set(pen.writers[split.get(p)]) for p in ("train", "val", "test")]
    assert parts[0].isdisjoint(parts[1]) and parts[0].isdisjoint(parts[2]) and parts[1].isdisjoint(parts[2])
    assert (len(parts[0]), len(parts[1]), len(parts[2])) == (16, 2, 2)
    assert sorted(np.concatenate([split.train, split.val, split.test]).tolist()) == list(range(len(pen)))
    again = writer_split(pen.writers, seed=5)
    assert np.array_equal(again.val, split.val)
    assert not np.array_equal(writer_split(pen.writers, seed=6).val, split.val)


@pytest.mark.skipif(
    not REAL_UNIPEN.exists(), reason=f"UNIPEN not found at {REAL_UNIPEN} (see ../shared/data/README.md)"
)
def test_real_unipen_reads_and_splits_by_writer() -> None:
    pen = load_unipen(REAL_UNIPEN)
    assert len(pen) == 86_431 and len(np.unique(pen.writers)) == 270
    split = writer_split(pen.writers)
    assert set(pen.writers[split.train]).isdisjoint(pen.writers[split.val])
    image = draw_pen_character(pen.strokes(int(split.val[0])), None)
    assert image.dtype == np.uint8 and (image < 128).sum() > 20  # ink on the canvas


def test_renderer_draws_round_pens_where_the_points_are() -> None:
    stroke = PenStroke.from_xy(np.array([[20.0, 50.0], [80.0, 50.0]]), width=10)
    image = render_strokes([stroke], 100, 100)
    row = image[50]
    assert row[50] == 0 and row[19] == 0 and row[81] == 0  # line and round caps (radius 5 beyond the ends)
    assert row[10] == 255 and row[90] == 255
    assert image[44, 50] == 255 and image[46, 50] < 64  # 10 px wide: 45..55
    # A one-point stroke is a dot; scale shrinks geometry and pen alike.
    dot = render_strokes([PenStroke.from_xy(np.array([[50.0, 50.0]]), width=20)], 50, 50, scale=0.5)
    assert dot[25, 25] == 0 and dot[25, 31] == 255 and dot[25, 29] < 128


def test_pressure_and_eraser() -> None:
    xy = np.array([[10.0, 50.0], [50.0, 50.0], [90.0, 50.0]])
    varied = render_strokes([PenStroke.from_xy(xy, width=12, pressure=np.array([0.35, 1.25, 1.25]))], 100, 100)
    assert (varied[:, 15] < 128).sum() < (varied[:, 85] < 128).sum()  # thinner where the pen pressed lightly
    eraser = PenStroke(points=np.array([[50.0, 0.0, 1.0], [50.0, 100.0, 1.0]]), width=10, eraser=True)
    erased = render_strokes([PenStroke.from_xy(xy, width=12), eraser], 100, 100)
    assert erased[50, 50] == 255 and erased[50, 30] == 0


def test_a_renderer_asked_between_strokes_gives_the_whole_render_each_time() -> None:
    """pixels() averages down only what strokes touched since it was last asked: the same pixels as the
    whole image averaged down, whatever the strokes (off the edges, pressed hard, erasing, over a picture)."""
    from ml.runtime.render import SUPERSAMPLE, StrokeRenderer

    rng = np.random.default_rng(5)
    for trial in range(60):
        width, height, scale = int(rng.integers(5, 200)), int(rng.integers(5, 200)), float(rng.uniform(0.1, 1.5))
        background = None if trial % 3 else rng.integers(0, 256, (height, width)).astype(np.uint8)
        renderer = StrokeRenderer(width, height, scale, background)
        strokes = []
        for _ in range(int(rng.integers(1, 5))):
            n = int(rng.integers(1, 20))
            xy = rng.uniform(-40, max(width, height) / scale + 40, (n, 2))
            stroke = PenStroke(np.column_stack([xy, rng.uniform(0.05, 1.25, n)]), float(rng.uniform(0.5, 40)))
            stroke = PenStroke(stroke.points, stroke.width, eraser=bool(rng.random() < 0.2))
            renderer.add(stroke)
            strokes.append(stroke)
            asked = renderer.pixels()  # after each stroke: as the whole supersampled image averaged down
            assert np.array_equal(asked, np.asarray(renderer._image.reduce(SUPERSAMPLE)))
        assert np.array_equal(renderer.pixels(), render_strokes(strokes, width, height, scale, background))


def test_renderer_refuses_a_background_of_another_size() -> None:
    with pytest.raises(ValueError, match="background"):
        render_strokes([], 10, 10, background=np.zeros((5, 5), dtype=np.uint8))


def test_path_is_smooth_and_vertices_are_about_a_pixel_apart() -> None:
    t = np.linspace(0, np.pi, 200)
    path, widths = stroke_path(PenStroke.from_xy(np.c_[50 + 40 * np.cos(t), 50 + 40 * np.sin(t)], 6), scale=1.0)
    steps = np.hypot(*np.diff(path, axis=0).T)
    assert steps.max() < 2.0 and len(path) < 200
    assert np.allclose(widths, 6)


def test_pen_drawings_vary_with_the_seed_and_eval_drawings_do_not(synthetic_unipen: Path) -> None:
    pen = load_unipen(synthetic_unipen)
    strokes = pen.strokes(3)
    from ml.training.pen_data import PenAugment

    a = draw_pen_character(strokes, np.random.default_rng(1), PenAugment())
    b = draw_pen_character(strokes, np.random.default_rng(2), PenAugment())
    assert not np.array_equal(a, b)
    assert np.array_equal(draw_pen_character(strokes, None, pen_px=14), draw_pen_character(strokes, None, pen_px=14))
    thin, thick = (draw_pen_character(strokes, None, pen_px=w) for w in (EVAL_PENS["thin"], EVAL_PENS["thick"]))
    assert (thin < 128).sum() < (thick < 128).sum()


def test_banks_are_cached_and_aligned(synthetic_unipen: Path) -> None:
    pen = load_unipen(synthetic_unipen)
    indices = np.arange(0, len(pen), 10)
    bank = training_bank(pen, indices, variants=2, progress=False)
    assert bank.inputs.shape == (2 * len(indices), 28, 28)
    assert np.array_equal(bank.source_index, np.repeat(indices, 2))
    assert float(bank.inputs.astype(np.float32).max()) > 0.9
    again = training_bank(pen, indices, variants=2, progress=False)  # from the cache
    assert np.array_equal(again.inputs, bank.inputs)
    evaluation = evaluation_bank(pen, indices, progress=False)
    assert len(evaluation.inputs) == len(EVAL_PENS) * len(indices)
    assert list(dict.fromkeys(evaluation.condition.tolist())) == list(EVAL_PENS)


def test_a_cache_folder_that_cannot_be_written_is_said_and_the_run_goes_on(
    synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """It stopped with a traceback after the minutes of rendering that made what it could not keep."""
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path / "a file" / "cache"))
    pen = load_unipen(synthetic_unipen)
    indices = np.arange(0, len(pen), 10)
    with caplog.at_level("WARNING"):
        bank = training_bank(pen, indices, variants=1, progress=False)
    assert bank.inputs.shape == (len(indices), 28, 28)
    (record,) = [r for r in caplog.records if "could not keep" in r.getMessage()]
    assert "the next run makes it again (GLYPHPAD_CACHE names another folder)" in record.getMessage()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]  # nothing left half-written


def test_an_interrupted_rendering_is_kept_and_the_next_goes_on_from_it(
    synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: Ctrl+C minutes into rendering a training set lost all of it."""
    from ml.training import pen_data

    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path))
    monkeypatch.setattr(pen_data, "RENDER_CHUNK", 8)
    monkeypatch.setattr(pen_data, "worker_count", lambda: 1)
    pen = load_unipen(synthetic_unipen)
    indices = np.arange(0, len(pen), 7)[:40]
    whole = training_bank(pen, indices, variants=1, progress=False, use_cache=False).inputs
    rendering = pen_data._render_chunk
    calls = []

    def stopped_at_the_third(job: tuple) -> np.ndarray:  # type: ignore[type-arg]
        calls.append(len(job[0]))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return rendering(job)

    monkeypatch.setattr(pen_data, "_render_chunk", stopped_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        training_bank(pen, indices, variants=1)
    assert "keeping the 16 rendered; the next run goes on from there" in capsys.readouterr().err
    (partial,) = tmp_path.glob("*.partial.npy")
    calls.clear()
    monkeypatch.setattr(pen_data, "_render_chunk", lambda job: calls.append(len(job[0])) or rendering(job))
    again = training_bank(pen, indices, variants=1).inputs
    assert np.array_equal(again, whole) and sum(calls) == len(indices) - 16  # the rest only
    assert not partial.exists() and len(list(tmp_path.glob("pen-train-*.npz"))) == 1
    # A damaged kept part is not used.
    for cached in tmp_path.glob("pen-train-*.npz"):
        cached.unlink()
    np.save(partial, np.zeros((5, 28), dtype=np.float16))
    calls.clear()
    assert np.array_equal(training_bank(pen, indices, variants=1).inputs, whole)
    assert sum(calls) == len(indices)


def test_each_evaluation_drawing_is_drawn_with_its_own_pen(
    synthetic_unipen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: a worker draws a chunk with its first drawing's pen, and chunks ran across the pens (with
    700 characters, 460 of the 2,100 drawings had the pen before theirs)."""
    from ml.training import pen_data

    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path))
    monkeypatch.setattr(pen_data, "RENDER_CHUNK", 8)
    monkeypatch.setattr(pen_data, "worker_count", lambda: 1)
    pen = load_unipen(synthetic_unipen)
    indices = np.arange(0, len(pen), 7)[:13]  # not a whole number of chunks
    bank = evaluation_bank(pen, indices, progress=False, use_cache=False)
    for k, (index, condition) in enumerate(zip(bank.source_index, bank.condition, strict=True)):
        drawn = draw_pen_character(pen.strokes(int(index)), None, pen_px=EVAL_PENS[str(condition)])
        assert np.array_equal(bank.inputs[k], preprocess(drawn).input.astype(np.float16)), (k, condition)


def test_sampling_balances_classes_and_damps_prolific_writers() -> None:
    targets = np.array([0] * 90 + [1] * 10)
    weights = source_weights(targets, 2, class_power=1.0)
    assert weights[:90].sum() == pytest.approx(0.5) and weights[90:].sum() == pytest.approx(0.5)
    as_counted = source_weights(targets, 2, class_power=0.0)
    assert as_counted[:90].sum() == pytest.approx(0.9)
    writers = np.array(["big"] * 81 + ["small"] * 9 + ["x"] * 10)
    damped = source_weights(targets, 2, class_power=1.0, groups=writers)
    assert damped[:81].sum() == pytest.approx(0.5 * 9 / 12)  # 81 * 1/9 against 9 * 1/3
    mixed = mix_weights([(weights, 0.3), (source_weights(np.array([0, 1]), 2, 1.0), 0.7)])
    assert mixed[:100].sum() == pytest.approx(0.3) and mixed.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        mix_weights([(np.zeros(0), 1.0)])
