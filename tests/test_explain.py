from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from ml.runtime.explain import activation_maps, conv_layers, explain, grad_cam, saliency
from ml.runtime.recognizer import ClassScore, Prediction, TorchRecognizer
from ml.runtime.synth import render


def _hooks(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._backward_hooks) for m in model.modules())


def _input(recognizer: TorchRecognizer, char: str = "H") -> np.ndarray:
    result = recognizer.predict(render(char))
    assert isinstance(result, Prediction)
    return result.model_input


def test_activation_maps_of_every_conv_layer(weights_env: Path) -> None:
    recognizer = TorchRecognizer.load_torch("cnn_tiny")
    maps = activation_maps(recognizer, _input(recognizer))
    assert [layer.name for layer in maps.layers] == [name for name, _ in conv_layers(recognizer.model)]
    assert [layer.maps.shape for layer in maps.layers] == [(32, 28, 28), (64, 14, 14), (128, 7, 7)]
    assert _hooks(recognizer.model) == 0


def test_grad_cam_is_a_normalized_28x28_map_on_the_ink(weights_env: Path) -> None:
    recognizer = TorchRecognizer.load_torch("cnn_tiny")
    model_input = _input(recognizer, "L")
    heatmap = grad_cam(recognizer, model_input)
    assert heatmap.method == "grad-cam" and heatmap.heatmap.shape == (28, 28)
    assert heatmap.heatmap.min() >= 0 and heatmap.heatmap.max() == pytest.approx(1.0)
    assert _hooks(recognizer.model) == 0
    for_t = grad_cam(recognizer, model_input, label="T")
    assert for_t.label == "T"
    with pytest.raises(ValueError, match="not one of cnn_tiny's classes"):
        grad_cam(recognizer, model_input, label="?")
    assert _hooks(recognizer.model) == 0  # removed even when the explanation failed


def test_any_recognizer_is_explained_one_call_at_a_time_and_a_wrong_input_says_what_is_wanted(
    weights_env: Path,
) -> None:
    import sys
    import threading

    from ml.runtime.recognizer import load_recognizer

    onnx = load_recognizer("cnn_tiny", device="cpu")
    assert not isinstance(onnx, TorchRecognizer)
    torch_twin = TorchRecognizer.load_torch("cnn_tiny")
    inputs = {char: _input(torch_twin, char) for char in "HL"}
    # The ONNX recognizer's answer explained through the same weights in torch.
    for model_input in inputs.values():
        assert np.allclose(grad_cam(onnx, model_input).heatmap, grad_cam(torch_twin, model_input).heatmap, atol=1e-5)
    assert activation_maps(onnx, inputs["H"]).layers[0].maps.shape == (32, 28, 28)
    # Threads sharing one model get each their own answer (hooks on a shared model read each other's layers).
    serial = {char: (grad_cam(onnx, x).heatmap, activation_maps(onnx, x).layers[1].maps) for char, x in inputs.items()}
    wrong: list[str] = []

    def explain_often(char: str) -> None:
        for _ in range(6):
            try:
                cam, second = grad_cam(onnx, inputs[char]).heatmap, activation_maps(onnx, inputs[char]).layers[1].maps
            except RuntimeError as error:  # a gradient through a graph another thread's call changed
                wrong.append(f"{char}: {error}")
                continue
            if cam.shape != serial[char][0].shape or second.shape != serial[char][1].shape:
                wrong.append(f"{char}: another input's maps")
            elif not (np.allclose(cam, serial[char][0], atol=1e-5) and np.allclose(second, serial[char][1], atol=1e-5)):
                wrong.append(f"{char}: other values")

    threads = [threading.Thread(target=explain_often, args=(char,)) for char in "HLHL"]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often, as on a busy machine
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert wrong == []
    # A torch recognizer answering on another thread meanwhile: its passes are not taken for the explanation's.
    answering = True

    def answer_often() -> None:
        while answering:
            torch_twin.logits(np.stack([inputs["H"]] * 16))

    thread = threading.Thread(target=answer_often)
    thread.start()
    try:
        layers = [len(activation_maps(torch_twin, inputs["L"]).layers) for _ in range(20)]
        cams = [grad_cam(torch_twin, inputs["L"]).heatmap for _ in range(5)]
    finally:
        answering = False
        thread.join()
    assert layers == [3] * 20 and all(np.allclose(cam, serial["L"][0], atol=1e-5) for cam in cams)
    with pytest.raises(ValueError, match=r"28x28 input .* not shape \(200, 200\)"):
        grad_cam(onnx, np.zeros((200, 200), dtype=np.float32))


def test_what_is_not_a_models_input_is_refused_with_what_to_give(bundled_weights: Path) -> None:
    from ml.runtime.explain import stroke_saliency
    from ml.runtime.recognizer import load_recognizer
    from ml.runtime.strokes import Strokes, normalize_strokes

    recognizer = load_recognizer("emnist36_cnn", device="cpu")
    result = recognizer.predict(render("A"))
    assert isinstance(result, Prediction)
    # A Prediction is its model input, explained for its own answer (a fused one can differ from the picture's).
    assert np.array_equal(explain(recognizer, result).heatmap, explain(recognizer, result.model_input).heatmap)
    fused_said_h = replace(result, top=(ClassScore("H", 0.6), *result.top))
    assert explain(recognizer, fused_said_h).label == "H" and explain(recognizer, fused_said_h, label="A").label == "A"
    as_tensor = torch.from_numpy(result.model_input)[None, None]  # as torch holds it
    assert np.array_equal(explain(recognizer, as_tensor).heatmap, explain(recognizer, result).heatmap)  # type: ignore[arg-type]
    # A picture in its place was explained as it stood, for another class than its answer (W for an A).
    pixels = np.asarray(Image.fromarray(render("A")).resize((28, 28)))
    for picture in (pixels, pixels / 255.0, "A.png"):
        with pytest.raises(ValueError, match=r"a Prediction, or its model_input: recognizer.predict\(picture\)"):
            explain(recognizer, picture)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\), not uint8 pixels$"):
        explain(recognizer, pixels)
    with pytest.raises(ValueError, match="label is a class's name, one of emnist36_cnn's labels, not 10"):
        explain(recognizer, result, label=10)  # type: ignore[arg-type]
    # A stroke model is explained along its strokes, and only there (torch's shapes error before).
    strokes_model = load_recognizer("strokes/strokes36_gru", device="cpu")
    with pytest.raises(ValueError, match="strokes36_gru reads strokes: stroke_saliency explains it"):
        explain(strokes_model, result)
    with pytest.raises(ValueError, match="emnist36_cnn reads pictures: explain"):
        stroke_saliency(recognizer, result)
    with pytest.raises(ValueError, match="this Prediction's model_input is a picture: give the Strokes"):
        stroke_saliency(strokes_model, replace(result, inputs_used=("image", "strokes")))  # a fused answer
    seven = Strokes((np.array([[0.0, 0.0], [20, 0], [8, 30]]),))
    along = stroke_saliency(strokes_model, seven)  # the strokes themselves, normalized as a Prediction's are
    assert np.array_equal(along.weight, stroke_saliency(strokes_model, normalize_strokes(seven)).weight)
    # ... or lists of points, as everything else that reads strokes takes them (they were refused: an API trial).
    as_lists = stroke_saliency(strokes_model, [[(0.0, 0.0), (20.0, 0.0), (8.0, 30.0)]])
    assert np.array_equal(as_lists.weight, along.weight) and as_lists.label == along.label


def test_rnn_models_get_saliency(weights_env: Path) -> None:
    recognizer = TorchRecognizer.load_torch("gru_tiny")
    model_input = _input(recognizer)
    heatmap = explain(recognizer, model_input)
    assert heatmap.method == "saliency" and heatmap.heatmap.shape == (28, 28)
    # The gradient is largest where the model looks: on and around the character, not the empty corners.
    on_ink = heatmap.heatmap[model_input > 0.5].mean()
    corners = np.concatenate([heatmap.heatmap[:3, :3].ravel(), heatmap.heatmap[-3:, -3:].ravel()]).mean()
    assert on_ink > corners
    assert activation_maps(recognizer, model_input).layers == ()
    assert not recognizer.model.training
    saliency(recognizer, model_input)
    assert _hooks(recognizer.model) == 0


def _grad_cam_recording_everything(recognizer: TorchRecognizer, model_input: np.ndarray, layer_name: str) -> np.ndarray:
    """Grad-CAM the plain way, as a reference: the whole network recorded, every parameter's gradient."""
    import torch
    import torch.nn.functional as F

    model = recognizer.model
    model.requires_grad_(True)
    kept: list[torch.Tensor] = []
    handle = model.get_submodule(layer_name).register_forward_hook(lambda _m, _i, out: kept.append(out))
    try:
        logits = model(torch.from_numpy(model_input.astype(np.float32)).view(1, 1, 28, 28))
        (gradient,) = torch.autograd.grad(logits[0, int(logits.argmax())], kept[0])
    finally:
        handle.remove()
        model.requires_grad_(False)
    cam = F.relu((gradient[0].mean(dim=(1, 2), keepdim=True) * kept[0][0]).sum(0, keepdim=True)).detach()
    cam = F.interpolate(cam[None], size=(28, 28), mode="bilinear", align_corners=False)[0, 0]
    cam = cam - cam.min()
    return (cam / cam.max()).numpy()


def test_grad_cam_records_from_its_layer_on_and_gives_the_full_recordings_map(weights_env: Path) -> None:
    from ml.runtime.explain import _grad_cam_layer

    # The seed's CNN: each conv is followed by an in-place ReLU, which must still rectify the map's features.
    recognizer = TorchRecognizer.load_torch("cnn_tiny")
    assert not any(p.requires_grad for p in recognizer.model.parameters())  # explanations ask for no parameter's
    model_input = _input(recognizer, "A")
    layer = _grad_cam_layer(recognizer, model_input)
    reference = _grad_cam_recording_everything(recognizer, model_input, layer)
    assert np.allclose(grad_cam(recognizer, model_input).heatmap, reference, atol=1e-5)
    assert all(p.grad is None for p in recognizer.model.parameters())


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("batch", [1, 3])
def test_fast_recurrent_layers_give_torchs_outputs_and_input_gradients(
    cell: str, bidirectional: bool, batch: int
) -> None:
    import torch

    from ml.runtime.recurrent_gradients import FastInputGradientRNN

    torch.manual_seed(0)
    kind = nn.GRU if cell == "gru" else nn.LSTM
    rnn = kind(7, 5, num_layers=2, batch_first=True, bidirectional=bidirectional).eval().requires_grad_(False)
    fast = FastInputGradientRNN(rnn)
    x = torch.randn(batch, 6, 7, requires_grad=True)
    # A different weight on every output, so that every step, direction and sample has a gradient of its own.
    mix = torch.randn(batch, 6, 10 if bidirectional else 5)
    expected, _ = rnn(x)
    got, _ = fast(x)
    assert torch.allclose(got, expected, atol=1e-6)
    (expected_gradient,) = torch.autograd.grad((expected * mix * 1.5).sum(), x)
    # The output changed in place (an in-place ReLU after the layer) must leave what the backward pass reads.
    (got_gradient,) = torch.autograd.grad((got.mul_(1.5) * mix).sum(), x)
    assert torch.allclose(got_gradient, expected_gradient, atol=1e-6)


def test_on_cuda_recurrent_layers_explain_in_training_mode_without_dropout() -> None:
    """cuDNN's RNN backward needs training mode; the explained answer must still be the evaluated one.
    (No GPU here: the recognizer says CUDA, and the model's modes are checked.)"""
    from types import SimpleNamespace

    import torch

    from ml.models.recurrent import RowRNN
    from ml.runtime.explain import _recurrent_layers_differentiable

    torch.manual_seed(0)
    model = RowRNN(26, "gru", hidden=8, dropout=0.5).eval()
    x = torch.rand(1, 1, 28, 28)
    with torch.no_grad():
        evaluated = model(x)
    recognizer = SimpleNamespace(model=model, device=torch.device("cuda"))
    with _recurrent_layers_differentiable(recognizer):  # type: ignore[arg-type]
        assert model.rnn.training and model.rnn.dropout == 0.0
        assert not model.classifier.training  # only the recurrent layers change
        with torch.no_grad():
            assert torch.allclose(model(x), evaluated)  # no dropout between the layers
    assert not model.rnn.training and model.rnn.dropout == 0.5
    on_cpu = SimpleNamespace(model=model, device=torch.device("cpu"))
    with _recurrent_layers_differentiable(on_cpu):  # type: ignore[arg-type]
        assert not model.rnn.training


def test_a_model_the_fast_layers_cannot_stand_in_for_keeps_its_own() -> None:
    import torch

    from ml.runtime.recurrent_gradients import with_fast_input_gradients

    class ReadsTheFinalState(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.GRU(4, 3, batch_first=True)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            _, last = self.rnn(x)
            return last[-1]

    model = ReadsTheFinalState().eval().requires_grad_(False)
    assert with_fast_input_gradients(model, torch.randn(1, 5, 4)) is model
    trainable = nn.Sequential(nn.GRU(4, 3, batch_first=True)).eval()  # parameters asking for gradients
    assert with_fast_input_gradients(trainable, torch.randn(1, 5, 4)) is trainable


# Bundled models whose explanations go through a faster form (ml.runtime.explain._built_for_gradients).
RECURRENT_BUNDLED = [
    "letters_gru",
    "letters_lstm",
    "letters_lenet5_gru",
    "letters_vgg16_gru",
    "strokes36_gru",
    "strokes36_pair",
]
BATCH_NORMS_FOLDED = [
    "letters_cnn_regularized",
    "letters_mobilenetv2",
    "letters_vgg16",
    "letters_vgg16_gru",
    "strokes36_cnn",
    "strokes36_pair",
]


@pytest.mark.parametrize("name", sorted(set(RECURRENT_BUNDLED + BATCH_NORMS_FOLDED)))
def test_explanations_of_bundled_models_are_the_same_through_their_faster_form(
    name: str, bundled_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ml.runtime.explain as explain_module
    from ml.runtime.explain import stroke_saliency
    from ml.runtime.recurrent_gradients import FastInputGradientRNN
    from ml.runtime.strokes import Strokes, normalize_strokes

    recognizer = TorchRecognizer.load_torch(name)

    def explanation() -> np.ndarray:
        if recognizer.card.input_kind == "strokes":
            strokes = Strokes((np.array([[0.0, 0.0], [10, 30], [20, 0]]), np.array([[5.0, 15], [15, 15]])))
            return stroke_saliency(recognizer, normalize_strokes(strokes)).weight
        return explain(recognizer, _input(recognizer, "A")).heatmap

    fast = explanation()
    used = explain_module._GRADIENT_MODELS[recognizer.model]  # what the call above took its gradient through
    assert used is not None
    norms = [m for m in recognizer.model.modules() if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d)]
    norms_left = [m for m in used.modules() if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d)]
    if name in BATCH_NORMS_FOLDED:
        # All folded but the one after the Grad-CAM layer (an image model's), whose output the map is of.
        assert len(norms_left) == (1 if recognizer.card.input_kind == "image" else 0) < len(norms)
    if name in RECURRENT_BUNDLED:
        assert any(isinstance(module, FastInputGradientRNN) for module in used.modules())
    monkeypatch.setattr(explain_module, "_GRADIENT_MODELS", explain_module.weakref.WeakKeyDictionary())
    monkeypatch.setattr(explain_module, "_built_for_gradients", lambda recognizer, _example: recognizer.model)
    assert np.allclose(fast, explanation(), atol=1e-4)


def test_a_batch_norm_that_cannot_be_folded_leaves_the_model_as_it_is() -> None:
    from types import SimpleNamespace

    import torch

    from ml.runtime.explain import _built_for_gradients

    # A Linear over a sequence's last axis, then a norm over its second: folding them would be wrong (or fail).
    model = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(10)).eval().requires_grad_(False)
    example = torch.rand(1, 10, 6)
    assert _built_for_gradients(SimpleNamespace(model=model, device=torch.device("cpu")), example) is model  # type: ignore[arg-type]
