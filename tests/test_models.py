import pytest
import torch

from ml.models import get_arch, get_model, list_models, register_model

EXPECTED = {
    "emnist_cnn",
    "lenet5",
    "vgg16",
    "baseline_cnn",
    "regularized_cnn",
    "mobilenetv2",
    "lstm",
    "gru",
    "lenet5_gru",
    "vgg16_gru",
    "wide_resnet",
}


def test_every_required_architecture_is_registered() -> None:
    assert set(list_models()) >= EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forward_and_backward_on_28x28(name: str) -> None:
    torch.manual_seed(0)
    model = get_model(name, num_classes=36)
    x = torch.rand(3, 1, 28, 28)
    logits = model(x)
    assert logits.shape == (3, 36)
    logits.sum().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    model.eval()
    with torch.no_grad():  # eval mode is deterministic
        assert torch.equal(model(x), model(x))


def test_seed_emnist_cnn_matches_its_description() -> None:
    model = get_model("emnist_cnn", num_classes=36)
    assert sum(p.numel() for p in model.parameters()) == 425_380
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 64, 128]


def test_vgg16_has_13_convolutions_and_3_linear_layers() -> None:
    model = get_model("vgg16", num_classes=26, width=0.125)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == 13
    assert sum(isinstance(m, torch.nn.Linear) for m in model.modules()) == 3


def test_families_decide_the_explanation() -> None:
    assert get_arch("lstm").family == "rnn"
    assert get_arch("lenet5_gru").family == "hybrid"
    assert get_arch("wide_resnet").family == "cnn"


def test_duplicate_registration_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_model("emnist_cnn", "cnn", "again")(lambda num_classes: torch.nn.Linear(1, num_classes))


def test_unknown_arch_and_config_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        get_model("resnet9000", num_classes=10)
    with pytest.raises(TypeError):
        get_model("emnist_cnn", num_classes=10, widthh=2)


@pytest.mark.parametrize("name", sorted(list_models()))
def test_onnx_graph_agrees_with_torch(name: str) -> None:
    """Every registered architecture exports to ONNX and ONNX Runtime gives torch's probabilities."""
    from ml.training.export import check_onnx, onnx_bytes

    torch.manual_seed(0)
    model = get_model(name, num_classes=36).eval()
    kind = "strokes" if get_arch(name).family == "stroke" else "image"
    assert check_onnx(model, onnx_bytes(model, kind), samples=6, input_kind=kind) < 1e-4
