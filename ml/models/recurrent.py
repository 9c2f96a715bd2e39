"""Recurrent classifiers: the image read row by row, and CNN feature columns read by a GRU."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ml.models.cnn import vgg_features
from ml.models.registry import register_model


class RowRNN(nn.Module):
    """An LSTM or GRU reads the 28 rows (28 pixels each) top to bottom; the last state classifies."""

    def __init__(
        self,
        num_classes: int,
        cell: str,
        hidden: int = 128,
        layers: int = 2,
        dropout: float = 0.2,
        bidirectional: bool = True,
    ) -> None:
        super().__init__()
        rnn_type = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn_type(
            28,
            hidden,
            num_layers=layers,
            batch_first=True,
            dropout=dropout if layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        directions = 2 if bidirectional else 1
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden * directions, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        sequence = x[:, 0]  # B x 28 rows x 28 pixels
        outputs, _ = self.rnn(sequence)
        # Mean over time: every row contributes, not only the blank bottom margin.
        return self.classifier(outputs.mean(dim=1))


class ConvGRU(nn.Module):
    """A CNN trunk, then its feature columns (left to right) as a sequence into a bidirectional GRU."""

    def __init__(
        self, trunk: nn.Module, channels: int, height: int, num_classes: int, hidden: int = 128, dropout: float = 0.2
    ) -> None:
        super().__init__()
        self.features = trunk
        self.gru = nn.GRU(channels * height, hidden, batch_first=True, bidirectional=True)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * hidden, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        maps = self.features(x)  # B x C x H x W
        columns = maps.permute(0, 3, 1, 2).flatten(2)  # B x W x (C*H)
        outputs, _ = self.gru(columns)
        return self.classifier(
            torch.cat([outputs[:, -1, : self.gru.hidden_size], outputs[:, 0, self.gru.hidden_size :]], 1)
        )


@register_model("lstm", "rnn", "LSTM (2 layers, bidirectional) reading the image row by row")
def lstm(num_classes: int, hidden: int = 128, layers: int = 2, dropout: float = 0.2) -> nn.Module:
    return RowRNN(num_classes, "lstm", hidden=hidden, layers=layers, dropout=dropout)


@register_model("gru", "rnn", "GRU (2 layers, bidirectional) reading the image row by row")
def gru(num_classes: int, hidden: int = 128, layers: int = 2, dropout: float = 0.2) -> nn.Module:
    return RowRNN(num_classes, "gru", hidden=hidden, layers=layers, dropout=dropout)


@register_model("lenet5_gru", "hybrid", "LeNet-5 convolutions, 7 feature columns into a bidirectional GRU")
def lenet5_gru(num_classes: int, hidden: int = 128, dropout: float = 0.2) -> nn.Module:
    trunk = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 28 -> 14
        nn.Conv2d(6, 16, 5, padding=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 14 -> 7
    )
    return ConvGRU(trunk, channels=16, height=7, num_classes=num_classes, hidden=hidden, dropout=dropout)


@register_model("vgg16_gru", "hybrid", "VGG-16 convolutions (first three stages), 7 columns into a GRU")
def vgg16_gru(num_classes: int, width: float = 0.25, hidden: int = 128, dropout: float = 0.2) -> nn.Module:
    full, _ = vgg_features(width)
    # Keep the 28 -> 14 -> 7 stages (7 conv layers): deeper stages leave too few columns to read.
    cut = [i for i, layer in enumerate(full) if isinstance(layer, nn.MaxPool2d)][1]
    trunk = nn.Sequential(*list(full.children())[: cut + 1])
    channels = [m for m in trunk if isinstance(m, nn.Conv2d)][-1].out_channels
    return ConvGRU(trunk, channels=channels, height=7, num_classes=num_classes, hidden=hidden, dropout=dropout)
