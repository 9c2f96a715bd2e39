"""Plain convolutional classifiers for 1x28x28 input."""

from __future__ import annotations

from torch import Tensor, nn

from ml.models.registry import register_model


class PlainCNN(nn.Module):
    """A CNN that is two sequences of plain layers: ``classifier(features(x))`` (explanations hook
    the convolutions in ``features``)."""

    features: nn.Sequential
    classifier: nn.Sequential

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


class EmnistCNN(PlainCNN):
    """The seed project's EMNIST CNN: three conv+pool blocks (32/64/128), FC 256 and 128 with dropout."""

    # Light dropout by default: short CPU runs underfit (3 epochs: train accuracy below val accuracy).
    def __init__(self, num_classes: int, dropout: float = 0.05) -> None:
        super().__init__()

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(1, 32), block(32, 64), block(64, 128))  # 28 -> 14 -> 7 -> 3
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(128 * 3 * 3, 256),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(256, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(128, num_classes),
        )


class LeNet5(PlainCNN):
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling; 28x28 input padded as in the original 32x32."""

    def __init__(self, num_classes: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(6, 16, 5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 14 -> 10 -> 5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(120, 84),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(84, num_classes),
        )


VGG16_LAYOUT: tuple[int | str, ...] = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
)


def vgg_features(width: float, batch_norm: bool = True) -> tuple[nn.Sequential, int]:
    """VGG-16's 13 convolutions; four pools (not five) since 28x28 halves only four times."""
    layers: list[nn.Module] = []
    channels = 1
    for item in VGG16_LAYOUT:
        if item == "M":
            layers.append(nn.MaxPool2d(2, ceil_mode=True))  # 28 -> 14 -> 7 -> 4 -> 2
            continue
        out = max(8, int(int(item) * width))
        layers += [nn.Conv2d(channels, out, 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(out)] if batch_norm else []
        layers += [nn.ReLU(inplace=True)]
        channels = out
    return nn.Sequential(*layers), channels


class VGG16(PlainCNN):
    """VGG-16 (Simonyan & Zisserman, 2015): 13 conv + 3 FC, channel width scaled by ``width``."""

    def __init__(self, num_classes: int, width: float = 0.25, dropout: float = 0.4, fc: int = 512) -> None:
        super().__init__()
        self.features, channels = vgg_features(width)
        self.classifier = nn.Sequential(
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),
            nn.Linear(channels, fc),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(fc, fc),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(fc, num_classes),
        )


class BaselineCNN(PlainCNN):
    """Two conv layers, one pool, one hidden FC layer: no batch norm, no dropout."""

    def __init__(self, num_classes: int, width: int = 32, hidden: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, 2 * width, 3),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 28 -> 26 -> 24 -> 12
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * width * 12 * 12, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, num_classes)
        )


class RegularizedCNN(PlainCNN):
    """Two conv-BN-ReLU blocks of two convolutions each, dropout after pooling and in the head."""

    def __init__(self, num_classes: int, width: int = 32, hidden: int = 256, dropout: float = 0.3) -> None:
        super().__init__()

        def conv(c_in: int, c_out: int) -> list[nn.Module]:
            return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(
            *conv(1, width),
            *conv(width, width),
            nn.MaxPool2d(2),
            nn.Dropout(dropout / 2),
            *conv(width, 2 * width),
            *conv(2 * width, 2 * width),
            nn.MaxPool2d(2),
            nn.Dropout(dropout / 2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(2 * width * 7 * 7, hidden, bias=False),
            nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )


@register_model("emnist_cnn", "cnn", "A compact CNN: 3 conv+pool blocks 32/64/128, FC 256/128, dropout")
def emnist_cnn(num_classes: int, dropout: float = 0.05) -> nn.Module:
    return EmnistCNN(num_classes, dropout=dropout)


@register_model("lenet5", "cnn", "LeNet-5: conv 6@5x5, conv 16@5x5, FC 120/84")
def lenet5(num_classes: int, dropout: float = 0.0) -> nn.Module:
    return LeNet5(num_classes, dropout=dropout)


@register_model("vgg16", "cnn", "VGG-16: 13 conv (batch norm) + 3 FC, width-scaled")
def vgg16(num_classes: int, width: float = 0.25, dropout: float = 0.4, fc: int = 512) -> nn.Module:
    return VGG16(num_classes, width=width, dropout=dropout, fc=fc)


@register_model("baseline_cnn", "cnn", "Baseline CNN: 2 conv, 1 pool, FC; no regularization")
def baseline_cnn(num_classes: int, width: int = 32, hidden: int = 128) -> nn.Module:
    return BaselineCNN(num_classes, width=width, hidden=hidden)


@register_model("regularized_cnn", "cnn", "Regularized CNN: 4 conv with batch norm, dropout, weight decay")
def regularized_cnn(num_classes: int, width: int = 32, hidden: int = 256, dropout: float = 0.3) -> nn.Module:
    return RegularizedCNN(num_classes, width=width, hidden=hidden, dropout=dropout)
