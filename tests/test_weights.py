import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from ml.models import get_model
from ml.runtime.cards import ModelCard, WeightsError, read_card
from ml.runtime.preprocess import PREPROCESS_VERSION
from ml.runtime.recognizer import OnnxRecognizer
from ml.runtime.weights import load_weights
from ml.training.export import save_weights


def _card(name: str = "tiny") -> ModelCard:
    return ModelCard(
        name=name,
        arch="lenet5",
        config={},
        label_set="digits10",
        labels=list("0123456789"),
        preprocess_version=PREPROCESS_VERSION,
        params=0,
    )


def _saved(tmp_path: Path, dtype: torch.dtype = torch.float32) -> tuple[torch.nn.Module, Path]:
    torch.manual_seed(0)
    model = get_model("lenet5", num_classes=10).eval()
    return model, save_weights(model, _card(), tmp_path, dtype=dtype)


def test_round_trip_gives_the_same_outputs(tmp_path: Path) -> None:
    model, path = _saved(tmp_path)
    loaded, card = load_weights(path)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(model(x), loaded(x))
    assert card.sha256 and len(card.sha256) == 64
    assert path.suffix == ".safetensors" and path.with_suffix(".json").exists()
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".onnx", ".safetensors"]
    assert card.onnx_sha256 and card.onnx_opset >= 17


def test_half_precision_storage_loads_as_float32(tmp_path: Path) -> None:
    model, path = _saved(tmp_path, dtype=torch.float16)
    loaded, card = load_weights(path)
    assert card.weights_dtype == "float16"
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = torch.rand(4, 1, 28, 28)
    assert torch.allclose(model(x), loaded(x), atol=1e-2)


def test_a_changed_byte_is_refused(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="sha256"):
        load_weights(path)


def test_weights_whose_values_are_not_numbers_are_refused(tmp_path: Path) -> None:
    """A robustness trial: weights of NaN with a card and hashes that fit them (a training run that diverged)
    were read as "0 nan%" by the command line, and the app's answer failed on them."""
    torch.manual_seed(0)
    model = get_model("lenet5", num_classes=10).eval()
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))
    path = save_weights(model, _card(), tmp_path)
    with pytest.raises(WeightsError, match="not numbers"):
        load_weights(path)
    with pytest.raises(WeightsError, match="not numbers"):
        OnnxRecognizer.load_onnx(path, threads=1)


def test_missing_weights_and_damaged_card(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    path.with_suffix(".json").write_text("{not json")
    with pytest.raises(WeightsError, match="damaged"):
        load_weights(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(WeightsError, match="missing"):
        load_weights(path)


@pytest.mark.parametrize(
    "prior", [[0.1, 0.2, 0.3], "0.1", [float("nan")] * 10, [True] * 10, [1e308] * 10, [10**400] * 10]
)
def test_a_card_whose_class_prior_does_not_fit_its_classes_is_damaged(tmp_path: Path, prior: object) -> None:
    """A prior of the wrong length failed in numpy at the first answer; a NaN in it, or a number inf in float32,
    made every answer "nan%"."""
    _, path = _saved(tmp_path)
    card_file = path.with_suffix(".json")
    card = json.loads(card_file.read_text())
    card["class_prior_log"] = prior
    card_file.write_text(json.dumps(card))  # NaN written as JSON's NaN, as Python reads it back
    with pytest.raises(WeightsError, match="class_prior_log must be 10 numbers from -100 to 100, one per class"):
        OnnxRecognizer.load_onnx(path)
    card["class_prior_log"] = [0.0] * 10  # one per class: fine
    card_file.write_text(json.dumps(card))
    assert OnnxRecognizer.load_onnx(path).card.class_prior_log == [0.0] * 10


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda labels: ["A"] * len(labels), "its labels name A twice"),
        (lambda labels: ["", *labels[1:]], "its labels are not a list"),
    ],
)
def test_a_card_whose_labels_are_not_one_name_per_class_is_damaged(
    tmp_path: Path, change: Callable[[list[str]], list[str]], reason: str
) -> None:
    """Labels named twice gave answers such as "A 97%, A 0.4%"; an empty one an answer with no name."""
    _, path = _saved(tmp_path)
    card_file = path.with_suffix(".json")
    card = json.loads(card_file.read_text())
    card["labels"] = change(card["labels"])
    card_file.write_text(json.dumps(card))
    with pytest.raises(WeightsError, match=f"model card of .* is damaged: {reason}"):
        OnnxRecognizer.load_onnx(path)


def test_a_card_of_fewer_labels_than_its_graph_gives_says_so_plainly(tmp_path: Path) -> None:
    """A fuzzing trial: it read "x.onnx takes ['batch', 1, 28, 28] and gives ['batch', 10], not what x's card
    says": Python's lists, and no word of which of the two differed."""
    _, path = _saved(tmp_path)
    card_file = path.with_suffix(".json")
    card = json.loads(card_file.read_text())
    card["labels"], card["class_prior_log"] = card["labels"][:7], []
    card_file.write_text(json.dumps(card))
    with pytest.raises(WeightsError) as refused:
        OnnxRecognizer.load_onnx(path)
    said = f"{path.stem}.onnx does not match its card: the graph gives 10 classes, the card names 7"
    assert str(refused.value) == said


def test_weights_that_do_not_fit_the_arch(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    card = json.loads(path.with_suffix(".json").read_text())
    card["arch"] = "emnist_cnn"
    path.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(WeightsError, match=r"does not fit emnist_cnn: (size mismatch|Missing key|Unexpected key)"):
        load_weights(path)


def test_weights_are_not_pickles(tmp_path: Path) -> None:
    # Saved as safetensors (a header and raw tensors, nothing to execute): read as such, tensor for tensor;
    # a torch pickle (a zip, not a pickle's first byte) under the same name is refused, never unpickled.
    from safetensors import safe_open

    model, path = _saved(tmp_path)
    with safe_open(str(path), framework="pt") as saved:
        state = model.state_dict()
        assert set(saved.keys()) == set(state)
        assert all(torch.equal(saved.get_tensor(key), state[key]) for key in state)
    assert read_card(path.with_suffix(".json")).labels == list("0123456789")
    torch.save(model.state_dict(), path)
    with pytest.raises(WeightsError):
        load_weights(path)


def test_the_onnx_graph_answers_as_torch_does(tmp_path: Path) -> None:
    model, path = _saved(tmp_path)
    recognizer = OnnxRecognizer.load_onnx(path)
    x = torch.rand(5, 1, 28, 28)
    expected = torch.softmax(model(x), dim=1).detach().numpy()
    assert abs(recognizer.predict_inputs(x.numpy()[:, 0]) - expected).max() < 1e-5
    assert recognizer.describe_device() == "CPU (ONNX Runtime)"


def test_a_changed_or_missing_onnx_graph_is_refused(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    onnx_file = path.with_suffix(".onnx")
    data = bytearray(onnx_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx_file.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="damaged or was replaced"):
        OnnxRecognizer.load_onnx(path)
    onnx_file.unlink()
    with pytest.raises(WeightsError, match="missing"):
        OnnxRecognizer.load_onnx(path)


def test_a_card_of_another_preprocessing_version_is_refused(tmp_path: Path) -> None:
    _, path = _saved(tmp_path)
    card = json.loads(path.with_suffix(".json").read_text())
    card["preprocess_version"] = PREPROCESS_VERSION - 1
    path.with_suffix(".json").write_text(json.dumps(card))
    for load in (load_weights, OnnxRecognizer.load_onnx):
        with pytest.raises(WeightsError, match="preprocessing version"):
            load(path)


def test_bundled_cards_are_as_the_card_writer_writes_them(bundled_weights: Path) -> None:
    """So that re-exporting or re-scoring a model changes its card only where a figure changes (the
    README's `glyphpad-ml export` once added two fields to two tracked cards)."""
    cards = sorted(bundled_weights.glob("*.json")) + sorted((bundled_weights / "strokes").glob("*.json"))
    assert len(cards) >= 14
    for path in cards:
        assert read_card(path).to_json() == path.read_text(encoding="utf-8"), path.name


def test_a_card_says_how_to_use_its_onnx_graph_alone(bundled_weights: Path) -> None:
    """The card's onnx_io names the graph's inputs and outputs with their shapes, and its recipe
    (softmax of the logits plus class_prior_log, the logits over the turned views where the card has them)
    gives the app's own answer."""
    import numpy as np
    import onnxruntime

    from ml.runtime.recognizer import load_recognizer
    from ml.runtime.strokes import normalize_strokes
    from ml.runtime.synth import GLYPHS, render

    cases = {
        "emnist36_cnn": bundled_weights / "emnist36_cnn",
        "strokes36_pair": bundled_weights / "strokes" / "strokes36_pair",
    }
    for name, stem in cases.items():
        card = read_card(stem.with_suffix(".json"))
        described = json.loads(stem.with_suffix(".json").read_text())["onnx_io"]
        session = onnxruntime.InferenceSession(str(stem.with_suffix(".onnx")), providers=["CPUExecutionProvider"])
        for given, kind in ((session.get_inputs(), "inputs"), (session.get_outputs(), "outputs")):
            assert {node.name: node.shape for node in given} == {k: v["shape"] for k, v in described[kind].items()}
        if card.input_kind == "strokes":
            x = normalize_strokes([np.array(s, dtype=np.float32) * 100 for s in GLYPHS["K"]])[None]
        else:
            from ml.runtime.preprocess import preprocess

            x = preprocess(render("K")).input[None, None]
        if card.turned_views_degrees:  # the picture and it turned either way, their log-softmax averaged
            from ml.runtime.turned_views import log_softmax, turned_pictures

            (views,) = session.run(
                None, {session.get_inputs()[0].name: turned_pictures(x, card.turned_views_degrees)[:, None]}
            )
            logits = log_softmax(views).mean(axis=0, keepdims=True)
        else:
            (logits,) = session.run(None, {session.get_inputs()[0].name: x})
        shifted = logits + np.asarray(card.class_prior_log or 0.0, dtype=np.float32)
        standalone = np.exp(shifted - shifted.max()) / np.exp(shifted - shifted.max()).sum()
        app = load_recognizer(stem.with_suffix(".safetensors"), "cpu").predict_inputs(x[0] if x.ndim == 4 else x)
        assert np.abs(standalone - app).max() < 1e-5, name


def test_a_stroke_cards_input_recipe_is_enough_to_make_the_input_without_glyphpad() -> None:
    """The card's words, followed by hand, make the same sequence as normalize_strokes."""
    import numpy as np

    from ml.runtime.strokes import MOVE_SCALE, POSITION_SCALE, STROKE_POINTS, normalize_strokes

    strokes = [np.array([[0.0, 0.0], [30.0, 100.0], [60.0, 0.0]]), np.array([[12.0, 60.0], [48.0, 60.0]])]  # an A
    everything = np.concatenate(strokes)
    lo, hi = everything.min(0), everything.max(0)
    shapes = [(s - (lo + hi) / 2) / (hi - lo).max() for s in strokes]
    lengths = np.array([np.hypot(*np.diff(s, axis=0).T).sum() for s in shapes])
    share = 1 + np.floor(lengths / lengths.sum() * (STROKE_POINTS - len(shapes))).astype(int)
    share[
        np.argsort(-(lengths / lengths.sum() * (STROKE_POINTS - len(shapes)) % 1))[: STROKE_POINTS - share.sum()]
    ] += 1
    rows, previous = [], None
    for shape, count in zip(shapes, share, strict=True):
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(shape, axis=0).T))])
        at = np.linspace(0.0, along[-1], count)
        points = np.stack([np.interp(at, along, shape[:, 0]), np.interp(at, along, shape[:, 1])], axis=1)
        moves = np.diff(points, axis=0, prepend=points[:1]) * MOVE_SCALE
        moves[0] = (points[0] - (points[0] if previous is None else previous)) * POSITION_SCALE
        flags = np.zeros((count, 2))
        flags[0, 0], flags[-1, 1] = 1.0, 1.0
        rows.append(np.hstack([points * POSITION_SCALE, moves, flags]))
        previous = points[-1]
    assert np.allclose(np.vstack(rows), normalize_strokes(strokes), atol=1e-5)


def test_answering_with_onnx_runtime_leaves_no_telemetry_behind(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    # ONNX Runtime's telemetry keeps a device id and a queue of events under the home's ~/.cache/Microsoft.
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"} | {"HOME": str(tmp_path)}
    script = (
        "import numpy as np\n"
        "from ml.runtime.recognizer import load_recognizer\n"
        "r = load_recognizer('digits', 'cpu')\n"
        "print(r.predict(np.full((64, 64), 255, np.uint8)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".cache" / "Microsoft").exists()


def test_a_cards_figure_is_a_finite_number_or_none() -> None:
    """The app, the listings and the README's tables read a card's figures through ModelCard.figure: a hand-
    edited or damaged card's value ("n/a", true, NaN, a 400-digit integer) is no figure, never a crash."""
    from dataclasses import replace

    from ml.runtime.cards import FUSED_PEN_TEST, PEN_TEST

    by_source = {
        PEN_TEST: {"accuracy": 0.9, "top3": 1, "balanced_accuracy": "n/a", "macro_f1": True, "n": 10**400},
        FUSED_PEN_TEST: {"accuracy": float("nan")},
    }
    card = replace(_card(), metrics_by_source=by_source)
    assert card.figure(PEN_TEST) == 0.9 and card.figure(PEN_TEST, "top3") == 1.0
    for metric in ("balanced_accuracy", "macro_f1", "n", "missing"):
        assert card.figure(PEN_TEST, metric) is None, metric
    assert card.figure(FUSED_PEN_TEST) is None and card.figure("emnist_test") is None


def test_a_wheel_carries_the_bundled_models_where_an_install_finds_them(tmp_path: Path) -> None:
    """pip install . (or a wheel) gave an app with no models: they were beside the code in a checkout only."""
    import shutil
    import subprocess
    import sys
    import zipfile

    from ml.runtime.cards import DEFAULT_WEIGHTS_DIR, list_bundled

    # Built from a copy: setuptools leaves its build folder in the tree it builds.
    root = Path(__file__).resolve().parents[1]
    source = tmp_path / "source"
    for part in ("ml", "desktop_app", "weights"):
        shutil.copytree(root / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(root / part, source / part)
    wheel_command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    built = subprocess.run([*wheel_command, "-w", str(tmp_path), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("glyphpad-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(name.split("/data/")[0] for name in names if ".data/data/" in name) + "/data/share/glyphpad/weights"
    bundled = [
        DEFAULT_WEIGHTS_DIR / "pieces" / "piece_verifier.safetensors",
        *list_bundled(DEFAULT_WEIGHTS_DIR),
        *list_bundled(DEFAULT_WEIGHTS_DIR / "strokes"),
    ]
    for weights in bundled:
        folder = "" if weights.parent == DEFAULT_WEIGHTS_DIR else f"/{weights.parent.name}"
        for suffix in (".safetensors", ".onnx", ".json"):
            assert f"{data}{folder}/{weights.stem}{suffix}" in names, (weights.stem, suffix)


def test_an_installed_wheels_models_are_found_where_pip_put_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No checkout beside the code (site-packages): the models are looked for under the install scheme's
    data folder (Debian's system pip puts them under /usr/local while Python's prefix is /usr)."""
    import sysconfig

    from ml.runtime.cards import bundled_weights_dir

    site_packages, data = tmp_path / "site-packages", tmp_path / "local"
    site_packages.mkdir()
    installed = data / "share" / "glyphpad" / "weights"
    installed.mkdir(parents=True)
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(data) if name == "data" else "")
    assert bundled_weights_dir(site_packages) == installed
    (site_packages / "weights").mkdir()  # a checkout's own come first (an editable install, the frozen app)
    assert bundled_weights_dir(site_packages) == site_packages / "weights"
