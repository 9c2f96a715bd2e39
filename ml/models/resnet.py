"""A compact wide ResNet (Zagoruyko & Komodakis, 2016) sized for 28x28: the strongest model here."""

from __future__ import annotations

from torch import Tensor, nn

from ml.models.registry import register_model


class PreActBlock(nn.Module):
    """BN-ReLU-conv twice, with an identity (or 1x1 projection) shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int, dropout: float) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.relu = nn.ReLU(inplace=False)
        self.shortcut = None if stride == 1 and c_in == c_out else nn.Conv2d(c_in, c_out, 1, stride, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        pre = self.relu(self.bn1(x))
        shortcut = x if self.shortcut is None else self.shortcut(pre)
        out = self.conv1(pre)
        out = self.conv2(self.drop(self.relu(self.bn2(out))))
        return out + shortcut


class WideResNet(nn.Module):
    """WRN-d-k: three groups (16k, 32k, 64k channels) at 28, 14 and 7 px; d = 6n + 4."""

    def __init__(self, num_classes: int, depth: int = 10, widen: int = 4, dropout: float = 0.1) -> None:
        super().__init__()
        if (depth - 4) % 6:
            raise ValueError(f"wide ResNet depth must be 6n + 4, got {depth}")
        blocks = (depth - 4) // 6
        widths = (16 * widen, 32 * widen, 64 * widen)
        layers: list[nn.Module] = [nn.Conv2d(1, 16, 3, 1, 1, bias=False)]
        channels = 16
        for group, width in enumerate(widths):
            for i in range(blocks):
                layers.append(PreActBlock(channels, width, 2 if group > 0 and i == 0 else 1, dropout))
                channels = width
        layers += [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


@register_model("wide_resnet", "cnn", "Wide ResNet (pre-activation), WRN-depth-widen: 10 and 4 unless set")
def wide_resnet(num_classes: int, depth: int = 10, widen: int = 4, dropout: float = 0.1) -> nn.Module:
    return WideResNet(num_classes, depth=depth, widen=widen, dropout=dropout)
