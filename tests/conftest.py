"""Shared fixtures: a tiny synthetic EMNIST folder in the official layout, and real samples when present."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # widgets render without a display

import numpy as np
import pytest

from ml.runtime.synth import GLYPHS, render
from ml.training.data.idx import write_idx

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = REPO_ROOT.parent / "shared" / "data" / "emnist"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's preprocessing cache."""
    monkeypatch.setenv("GLYPHPAD_CACHE", str(tmp_path_factory.mktemp("cache")))


def synthetic_glyph(char: str, rng: np.random.Generator) -> np.ndarray:
    """A 28x28 EMNIST-like (light on dark) image of ``char`` with random pen, size and position."""
    drawing = render(
        char,
        size=112,
        pen_width=float(rng.uniform(6, 14)),
        box=float(rng.uniform(0.6, 0.85)),
        offset=(float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05))),
    )
    from PIL import Image

    small = Image.fromarray(255 - drawing).resize((28, 28), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8)


def write_emnist_split(
    directory: Path, split: str, images: np.ndarray, labels: np.ndarray, mapping: dict[int, list[int]]
) -> None:
    """Write one official-looking EMNIST test split (transposed storage, gzipped, mapping file)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_idx(directory / f"emnist-{split}-test-images-idx3-ubyte.gz", images.transpose(0, 2, 1))
    write_idx(directory / f"emnist-{split}-test-labels-idx1-ubyte.gz", labels.astype(np.uint8))
    lines = [" ".join(str(v) for v in [label, *codes]) for label, codes in sorted(mapping.items())]
    (directory / f"emnist-{split}-mapping.txt").write_text("\n".join(lines) + "\n")


SYNTH_CHARS = "0147ACEHLTXZ"


@pytest.fixture(scope="session")
def synthetic_emnist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A byclass-style folder of rendered glyphs: 12 classes x 40 images."""
    rng = np.random.default_rng(0)
    directory = tmp_path_factory.mktemp("emnist")
    chars = [c for c in SYNTH_CHARS if c in GLYPHS]
    images, labels = [], []
    for label, char in enumerate(chars):
        for _ in range(40):
            images.append(synthetic_glyph(char, rng))
            labels.append(label)
    write_emnist_split(
        directory, "byclass", np.stack(images), np.array(labels), {i: [ord(c)] for i, c in enumerate(chars)}
    )
    return directory


def write_unipen_archive(path: Path, chars: str, writers: int, rng: np.random.Generator) -> Path:
    """A small archive in UNIPEN's layout: the synthetic glyphs' strokes in each writer's hand, in
    tablet-like units (a few hundred), y down."""
    from ml.runtime.synth import GLYPHS, vary_handwriting

    labels, writer_ids, char_starts, stroke_starts, points = [], [], [0], [0], []
    for w in range(writers):
        for char in chars:
            for stroke in vary_handwriting(GLYPHS[char], rng):
                xy = np.asarray(stroke, dtype=np.float32) * 300 + np.float32(rng.uniform(-500, 500))
                points.append(xy)
                stroke_starts.append(stroke_starts[-1] + len(xy))
            labels.append(char)
            writer_ids.append(f"lab/writer{w}")
            char_starts.append(len(stroke_starts) - 1)
    np.savez(
        path,
        labels=np.array(labels),
        writers=np.array(writer_ids),
        contributors=np.array(["lab"] * len(labels)),
        char_stroke_start=np.array(char_starts, dtype=np.int64),
        stroke_point_start=np.array(stroke_starts, dtype=np.int64),
        points=np.concatenate(points).astype(np.float32),
        points_per_inch=np.zeros(len(labels), dtype=np.float32),
    )
    return path


@pytest.fixture(scope="session")
def synthetic_unipen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """UNIPEN-like pen trajectories of the synthetic classes by 20 writers."""
    path = tmp_path_factory.mktemp("unipen") / "unipen-chars.npz"
    return write_unipen_archive(path, SYNTH_CHARS, 20, np.random.default_rng(2))


@pytest.fixture(scope="session")
def real_samples() -> tuple[np.ndarray, np.ndarray]:
    """A few hundred real EMNIST ByClass images (upright) and their characters; skips without the data."""
    images_file = REAL_DATA / "emnist-byclass-test-images-idx3-ubyte.gz"
    if not images_file.exists() and not os.environ.get("GLYPHPAD_DATA"):
        pytest.skip(f"real EMNIST data not found at {REAL_DATA} (see ../shared/data/README.md)")
    from ml.training.data.emnist import find_emnist_files, load_emnist_file

    directory = Path(os.environ.get("GLYPHPAD_DATA") or REAL_DATA)
    files = [f for f in find_emnist_files(directory) if f.split == "byclass"]
    if not files:
        pytest.skip(f"no EMNIST ByClass file in {directory}")
    pool = load_emnist_file(files[0])
    rng = np.random.default_rng(1)
    chosen = rng.choice(len(pool), 600, replace=False)
    return pool.images[chosen], pool.chars[chosen]


def train_tiny(data: Path, out: Path, arch: str, labels: str, name: str, epochs: int) -> None:
    """A small model trained for a moment on the synthetic glyphs (``data``), into the weights folder ``out``
    as a bundled model is there: its checkpoints and metrics left out."""
    from ml.training.train import TrainConfig, main

    where = TrainConfig(arch, labels, name, data=str(data), pen_data="none", out=str(out), device="cpu")
    main(replace(where, epochs=epochs, batch_size=32, lr=3e-3))
    for leftover in list(out.glob("*.ckpt")) + list(out.glob("*.metrics.json")):
        leftover.unlink()


@pytest.fixture(scope="session")
def trained_weights(synthetic_emnist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A weights folder with two small models trained for a moment on the synthetic glyphs."""
    out = tmp_path_factory.mktemp("weights")
    cache = tmp_path_factory.mktemp("train-cache")
    previous = os.environ.get("GLYPHPAD_CACHE")
    os.environ["GLYPHPAD_CACHE"] = str(cache)
    try:
        for arch, name in (("emnist_cnn", "cnn_tiny"), ("gru", "gru_tiny")):
            train_tiny(synthetic_emnist, out, arch, "emnist36", name, epochs=3)
    finally:
        if previous is None:
            os.environ.pop("GLYPHPAD_CACHE", None)
        else:
            os.environ["GLYPHPAD_CACHE"] = previous
    return out


@pytest.fixture
def weights_env(trained_weights: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(trained_weights))
    return trained_weights


BUNDLED_DEFAULT = "emnist36_cnn"  # the app's default model, which the app tests draw against


@pytest.fixture
def bundled_weights(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's real weights folder (trained on EMNIST)."""
    folder = REPO_ROOT / "weights"
    assert (folder / f"{BUNDLED_DEFAULT}.safetensors").exists(), f"weights/{BUNDLED_DEFAULT} is missing"
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(folder))
    return folder


@pytest.fixture(scope="session")
def fused_weights(trained_weights: Path, synthetic_unipen: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny image models plus a stroke model trained for a moment on synthetic trajectories and
    fused with cnn_tiny by 'glyphpad-ml fuse'."""
    from ml.cli import main as cli
    from ml.training.train_strokes import StrokeTrainConfig, main

    folder = tmp_path_factory.mktemp("fused") / "weights"
    shutil.copytree(trained_weights, folder)
    main(
        StrokeTrainConfig(
            arch="stroke_cnn",
            name="strokes_tiny",
            pen_data=str(synthetic_unipen),
            out=str(folder / "strokes"),
            epochs=3,
            batch_size=32,
            device="cpu",
        )
    )
    saved = {k: os.environ.get(k) for k in ("GLYPHPAD_WEIGHTS", "GLYPHPAD_UNIPEN")}
    os.environ.update(GLYPHPAD_WEIGHTS=str(folder), GLYPHPAD_UNIPEN=str(synthetic_unipen))
    try:
        assert cli(["fuse", "--strokes-model", "strokes_tiny", "--image-model", "cnn_tiny", "--write"]) == 0
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return folder
