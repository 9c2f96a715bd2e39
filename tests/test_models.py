import pytest
import torch

from ml.models import check_model_config, get_arch, get_model, list_models, register_model

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
    with pytest.raises(ValueError) as refused:
        check_model_config("emnist_cnn", {"widthh": 2})
    assert str(refused.value) == "emnist_cnn has no option 'widthh'; emnist_cnn's options: dropout=0.05"


@pytest.mark.parametrize(
    ("arch", "config", "reason"),
    [
        # A practitioner's trial: a width of -1 (and 0) trained a model and recorded it in its card.
        ("vgg16", {"width": -1}, "width must be a number above 0"),
        ("vgg16", {"width": 0}, "width must be a number above 0"),
        # ... half a channel count failed in torch's words ("out_channels must be divisible by groups").
        ("baseline_cnn", {"width": 0.5}, "width must be a whole number of at least 1"),
        ("gru", {"layers": True}, "layers must be a whole number of at least 1"),
        ("emnist_cnn", {"dropout": 5}, "dropout must be a number in [0, 1)"),
        ("vgg16", {"width": "wide"}, "width must be a number above 0"),
        # What only building it finds: said with the options given.
        ("stroke_transformer", {"width": 30, "heads": 4}, 'cannot be built with {"width": 30, "heads": 4}'),
    ],
)
def test_architecture_options_that_do_not_fit_are_refused_with_the_reason(
    arch: str, config: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValueError) as refused:
        check_model_config(arch, config)
    assert reason in str(refused.value)


def test_every_architecture_builds_with_its_options_as_listed() -> None:
    # What archs lists is what the factory takes: each option given its default builds the model.
    for name in list_models():
        options = get_arch(name).options()
        assert "num_classes" not in options
        check_model_config(name, {k: v for k, v in options.items() if v is not None})
    assert get_arch("vgg16").options() == {"width": 0.25, "dropout": 0.4, "fc": 512}
    # A card recorded before options were checked still loads as it was trained (a review).
    assert sum(p.numel() for p in get_model("vgg16", num_classes=10, width=-1).parameters()) > 0


@pytest.mark.parametrize("name", sorted(list_models()))
def test_onnx_graph_agrees_with_torch(name: str) -> None:
    """Every registered architecture exports to ONNX and ONNX Runtime gives torch's probabilities."""
    from ml.training.export import check_onnx, onnx_bytes

    torch.manual_seed(0)
    model = get_model(name, num_classes=36).eval()
    kind = "strokes" if get_arch(name).family == "stroke" else "image"
    assert check_onnx(model, onnx_bytes(model, kind), samples=6, input_kind=kind) < 1e-4
