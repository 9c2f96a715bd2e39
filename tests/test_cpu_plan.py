"""The NumPy forward pass for plain CNNs must answer what the torch model answers, or not be used."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ml.cpu_plan import MAX_PLAN_BATCH, plan_for, softmax
from ml.inference import Recognizer
from ml.models import get_model
from ml.models.cnn import EmnistCNN, PlainCNN
from ml.weights import ModelCard, WeightsError
from tests.conftest import REPO_ROOT

PLAIN = ["emnist_cnn", "lenet5", "vgg16", "baseline_cnn", "regularized_cnn"]
NOT_PLAIN = ["wide_resnet", "mobilenetv2", "gru", "lstm", "lenet5_gru", "vgg16_gru"]


def _trained_looking(model: nn.Module) -> nn.Module:
    """Random batch-norm statistics and affine terms (some scales negative): folding must handle them."""
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            size = module.num_features
            module.running_mean.copy_(torch.randn(size, generator=generator))  # type: ignore[union-attr]
            module.running_var.copy_(torch.rand(size, generator=generator) + 0.2)  # type: ignore[union-attr]
            with torch.no_grad():
                module.weight.copy_(torch.randn(size, generator=generator))
                module.bias.copy_(torch.randn(size, generator=generator))
    return model.eval()


def _torch_logits(model: nn.Module, inputs: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return model(torch.from_numpy(inputs).unsqueeze(1)).numpy()


@pytest.mark.parametrize("arch", PLAIN)
@pytest.mark.parametrize("batch", [1, 3])
def test_plan_matches_the_torch_forward(arch: str, batch: int) -> None:
    torch.manual_seed(0)
    model = _trained_looking(get_model(arch, num_classes=36))
    plan = plan_for(model)
    assert plan is not None
    inputs = np.random.default_rng(batch).random((batch, 28, 28), dtype=np.float32)
    expected = _torch_logits(model, inputs)
    got = plan(inputs)
    assert got.shape == (batch, 36)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert np.array_equal(got.argmax(axis=1), expected.argmax(axis=1))


@pytest.mark.parametrize("arch", NOT_PLAIN)
def test_models_a_plan_cannot_run_keep_torch(arch: str) -> None:
    assert plan_for(get_model(arch, num_classes=10).eval()) is None


def test_no_plan_for_a_model_in_training_mode() -> None:
    assert plan_for(get_model("emnist_cnn", num_classes=10).train()) is None


def test_a_model_that_computes_something_else_is_refused() -> None:
    class Doubled(EmnistCNN):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return 2.0 * super().forward(x)

    assert plan_for(Doubled(10).eval()) is None


class _Layers(PlainCNN):
    def __init__(self, features: list[nn.Module], classifier: list[nn.Module]) -> None:
        super().__init__()
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(*classifier)


def _overhanging_pool(ceil_mode: bool) -> PlainCNN:
    """Overlapping pool windows, the last running past the edge in ceil mode, read by a strided
    convolution with a rectangular kernel and padding and no pool of its own."""
    return _Layers(
        [
            nn.Conv2d(1, 6, 5),  # 28 -> 24
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2, ceil_mode=ceil_mode),  # 24 -> 12, its last window past the edge (or 11)
            nn.Conv2d(6, 8, (3, 5), stride=2, padding=(1, 2)),  # -> 6 x 6
            nn.ReLU(),
        ],
        [nn.Flatten(), nn.Linear(8 * 6 * 6, 5)],
    )


def _pool_on_its_own(ceil_mode: bool) -> PlainCNN:
    """A pool that follows a pool, whose window stride is larger than the window: in ceil mode its
    last window would start past the edge, and torch drops it."""
    return _Layers(
        [nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.MaxPool2d(2, stride=3, ceil_mode=ceil_mode)],  # 12 -> 4
        [nn.Flatten(), nn.Linear(6 * 4 * 4, 5)],
    )


@pytest.mark.parametrize("build", [_overhanging_pool, _pool_on_its_own])
@pytest.mark.parametrize("ceil_mode", [True, False])
def test_pools_and_strides_the_bundled_models_lack_match_torch(
    build: Callable[[bool], PlainCNN], ceil_mode: bool
) -> None:
    torch.manual_seed(3)
    model = build(ceil_mode).eval()
    plan = plan_for(model)
    assert plan is not None
    # Centred and wide: windows where every value is negative, so a window reading past the edge shows.
    inputs = (np.random.default_rng(4).random((2, 28, 28), dtype=np.float32) - 0.5) * 8.0
    np.testing.assert_allclose(plan(inputs), _torch_logits(model, inputs), rtol=1e-5, atol=1e-5)


def test_batch_norm_after_a_relu_is_refused() -> None:
    class NormAfterRelu(PlainCNN):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2))
            self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(4 * 13 * 13, 5))

    assert plan_for(_trained_looking(NormAfterRelu())) is None


def test_softmax_matches_torch() -> None:
    logits = np.random.default_rng(0).normal(scale=8.0, size=(4, 36)).astype(np.float32)
    expected = torch.softmax(torch.from_numpy(logits), dim=1).numpy()
    np.testing.assert_allclose(softmax(logits.copy()), expected, rtol=1e-5, atol=1e-7)


def test_recognizer_answers_the_same_with_and_without_the_plan() -> None:
    torch.manual_seed(0)
    model = _trained_looking(get_model("regularized_cnn", num_classes=36))
    labels = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    card = ModelCard("test", "regularized_cnn", {}, "emnist36", labels, preprocess_version=4, params=0)
    recognizer = Recognizer(model, card, torch.device("cpu"))
    assert recognizer.cpu_plan is not None
    inputs = np.random.default_rng(2).random((MAX_PLAN_BATCH + 4, 28, 28), dtype=np.float32)
    batched = recognizer.predict_inputs(inputs)  # too many for the plan: torch
    one_by_one = np.concatenate([recognizer.predict_inputs(inputs[i : i + 1]) for i in range(len(inputs))])
    np.testing.assert_allclose(one_by_one, batched, rtol=1e-4, atol=1e-6)


def test_training_writes_the_plan_into_the_card_and_it_answers_like_torch(trained_weights: Path) -> None:
    from ml.cards import read_card
    from ml.recognition import PlanRecognizer

    assert read_card(trained_weights / "cnn_tiny.json").cpu_plan
    assert read_card(trained_weights / "gru_tiny.json").cpu_plan == []
    planned = PlanRecognizer.load(trained_weights / "cnn_tiny.safetensors")
    with_torch = Recognizer.load(trained_weights / "cnn_tiny.safetensors", device="cpu")
    inputs = np.random.default_rng(3).random((1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(planned.predict_inputs(inputs), with_torch._predict_with_torch(inputs), atol=1e-5)
    with pytest.raises(WeightsError, match="cannot run without torch"):
        PlanRecognizer.load(trained_weights / "gru_tiny.safetensors")


def test_a_damaged_weights_file_is_refused_without_torch_too(trained_weights: Path, tmp_path: Path) -> None:
    from ml.recognition import PlanRecognizer

    for source in trained_weights.glob("cnn_tiny.*"):
        shutil.copy(source, tmp_path / source.name)
    data = bytearray((tmp_path / "cnn_tiny.safetensors").read_bytes())
    data[-3] ^= 0xFF
    (tmp_path / "cnn_tiny.safetensors").write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="damaged"):
        PlanRecognizer.load(tmp_path / "cnn_tiny.safetensors")


@pytest.mark.parametrize("name", ["emnist36_cnn", "letters_cnn", "letters_cnn_regularized", "letters_lenet5"])
def test_bundled_plain_cnns_answer_without_torch_as_they_do_with_it(name: str) -> None:
    from ml.recognition import PlanRecognizer

    path = REPO_ROOT / "weights" / f"{name}.safetensors"
    planned, with_torch = PlanRecognizer.load(path), Recognizer.load(path, device="cpu")
    inputs = np.random.default_rng(4).random((2, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(planned.predict_inputs(inputs), with_torch._predict_with_torch(inputs), atol=1e-5)


def test_the_default_model_answers_a_drawing_without_importing_torch() -> None:
    code = (
        "import sys\n"
        "from ml.recognition import PlanRecognizer\n"
        "from ml.synth import render\n"
        "result = PlanRecognizer.load('emnist36_cnn').predict(render('A', size=128, pen_width=6))\n"
        "print(result.label, 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["A", "False"]


def test_a_card_whose_plan_does_not_fit_its_weights_is_refused(trained_weights: Path, tmp_path: Path) -> None:
    import json

    from ml.recognition import PlanRecognizer

    for source in trained_weights.glob("cnn_tiny.*"):
        shutil.copy(source, tmp_path / source.name)
    card = json.loads((tmp_path / "cnn_tiny.json").read_text())
    card["cpu_plan"] = [layer for layer in card["cpu_plan"] if layer["op"] != "flatten"]  # 4-D into a linear layer
    (tmp_path / "cnn_tiny.json").write_text(json.dumps(card))
    with pytest.raises(WeightsError, match="does not fit"):
        PlanRecognizer.load(tmp_path / "cnn_tiny.safetensors")


def test_top_k_lists_the_most_probable_first_and_ties_in_the_cards_order() -> None:
    from ml.recognition import BaseRecognizer

    recognizer = BaseRecognizer()
    recognizer.labels = list("ABCDE")
    probabilities = np.array([0.1, 0.3, 0.05, 0.3, 0.25], dtype=np.float32)
    top = recognizer.top_k(probabilities, 3)
    assert [score.label for score in top] == ["B", "D", "E"]
    assert [score.prob for score in top] == [float(probabilities[i]) for i in (1, 3, 4)]
    assert len(recognizer.top_k(probabilities, 99)) == 5 and len(recognizer.top_k(probabilities, 0)) == 1
