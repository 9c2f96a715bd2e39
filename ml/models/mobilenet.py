"""MobileNetV2 (Sandler et al., 2018) with strides adapted to 28x28 input."""

from __future__ import annotations

from torch import Tensor, nn

from ml.models.registry import register_model


def _conv_bn(c_in: int, c_out: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
    ]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """Expand 1x1, depthwise 3x3, project 1x1 (linear bottleneck); residual when shapes match."""

    def __init__(self, c_in: int, c_out: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = c_in * expand
        layers: list[nn.Module] = [] if expand == 1 else [_conv_bn(c_in, hidden, 1)]
        layers += [_conv_bn(hidden, hidden, 3, stride, groups=hidden), _conv_bn(hidden, c_out, 1, act=False)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: Tensor) -> Tensor:
        return x + self.block(x) if self.residual else self.block(x)


# (expansion, channels, repeats, stride). ImageNet's version downsamples 32x; at 28x28 we stop at 4x4,
# so the stem keeps stride 1 and two of the stride-2 stages become stride 1.
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 1),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


class MobileNetV2(nn.Module):
    def __init__(
        self,
        num_classes: int,
        width: float = 1.0,
        dropout: float = 0.2,
        last_channels: int = 1280,
        stem_stride: int = 1,
    ) -> None:
        super().__init__()

        def scaled(c: int) -> int:
            return max(8, round(c * width / 8) * 8)

        channels = scaled(32)
        layers: list[nn.Module] = [_conv_bn(1, channels, 3, stem_stride)]
        for expand, c, repeats, stride in MOBILENET_V2_STAGES:
            for i in range(repeats):
                layers.append(InvertedResidual(channels, scaled(c), stride if i == 0 else 1, expand))
                channels = scaled(c)
        last = scaled(last_channels) if width > 1.0 else last_channels
        layers.append(_conv_bn(channels, last, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(last, num_classes)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


@register_model("mobilenetv2", "cnn", "MobileNetV2: inverted residuals, strides adapted to 28x28")
def mobilenetv2(
    num_classes: int, width: float = 1.0, dropout: float = 0.2, last_channels: int = 1280, stem_stride: int = 1
) -> nn.Module:
    # stem_stride=2 runs the expensive early expansions at 14x14: about 4x less compute, for CPU training.
    return MobileNetV2(num_classes, width=width, dropout=dropout, last_channels=last_channels, stem_stride=stem_stride)
