"""Stroke models: classifiers of the pen's trajectory (``STROKE_POINTS`` x features, from
:func:`ml.runtime.strokes.normalize_strokes`), not of a picture.

Four families: a bidirectional GRU that reads the points in the order the pen made them, a 1-D
convolutional network that sees local pieces of the trajectory (a hook, a loop, a corner) and pools
them, and a small transformer in which every point looks at every other (where a stroke ends against
where another begins: the bar of a t, the tail of a q). These end in the mean and the maximum over the
sequence, so that no single point (the last, often a t-cross or an i-dot) decides alone. The fourth,
``stroke_maps``, draws the trajectory into pen maps (ink, the pen's direction, its moves in the air,
when and where strokes start and end) and reads them with a 2-D CNN: it sees shapes as a picture model
does, and the order and direction a picture has lost. A fifth,
``stroke_ensemble``, is several trained stroke models reading together: the families err on different
characters, so their mean reads better than any one (``glyphpad-ml stroke-ensemble``).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ml.models.registry import get_arch, get_model, register_model

STROKE_INPUT_FEATURES = 6  # ml.runtime.strokes.STROKE_FEATURES; the models may not import the runtime
STROKE_INPUT_POINTS = 64  # ml.runtime.strokes.STROKE_POINTS


def _pool(sequence: Tensor) -> Tensor:
    """B x T x C -> B x 2C: mean and maximum over time."""
    return torch.cat([sequence.mean(dim=1), sequence.amax(dim=1)], dim=1)


class StrokeGRU(nn.Module):
    def __init__(self, num_classes: int, hidden: int = 128, layers: int = 2, dropout: float = 0.2) -> None:
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(STROKE_INPUT_FEATURES, 64), nn.GELU())
        self.rnn = nn.GRU(
            64, hidden, num_layers=layers, batch_first=True, bidirectional=True, dropout=dropout if layers > 1 else 0.0
        )
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * hidden, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        outputs, _ = self.rnn(self.embed(x))
        return self.classifier(_pool(outputs))


def _conv(c_in: int, c_out: int, kernel: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel, padding=dilation * (kernel // 2), dilation=dilation, bias=False),
        nn.BatchNorm1d(c_out),
        nn.ReLU(inplace=True),
    )


class StrokeCNN(nn.Module):
    def __init__(self, num_classes: int, width: int = 64, dropout: float = 0.2) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            _conv(STROKE_INPUT_FEATURES, w, 5),
            _conv(w, 2 * w, 5),
            nn.MaxPool1d(2),  # 64 -> 32 points
            _conv(2 * w, 2 * w, 3),
            _conv(2 * w, 3 * w, 3, dilation=2),
            nn.MaxPool1d(2),  # 32 -> 16
            _conv(3 * w, 4 * w, 3),
            _conv(4 * w, 4 * w, 3, dilation=2),
        )
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(8 * w, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        maps = self.features(x.transpose(1, 2))  # B x C x T
        return self.classifier(_pool(maps.transpose(1, 2)))


class _SelfAttention(nn.Module):
    """Multi-head self-attention written out (torch's fused attention has fast paths that the ONNX
    export and the CPU saliency do not follow the same way)."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"width {dim} does not split into {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        weights = torch.softmax(q @ k.transpose(-2, -1) * (d // self.heads) ** -0.5, dim=-1)
        mixed = (self.dropout(weights) @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(mixed)


class _EncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = _SelfAttention(dim, heads, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.feed = nn.Sequential(
            nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim), nn.Dropout(dropout)
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.feed(self.norm2(x))


class StrokeTransformer(nn.Module):
    """Pre-norm transformer encoder over the points. The points are embedded by a short convolution
    (each point with its neighbours: a direction, a curvature) plus a learned position, since the
    resampled sequence always has ``STROKE_INPUT_POINTS`` points."""

    def __init__(
        self, num_classes: int, width: int = 96, layers: int = 4, heads: int = 4, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.embed = nn.Conv1d(STROKE_INPUT_FEATURES, width, 5, padding=2)
        self.position = nn.Parameter(torch.zeros(1, STROKE_INPUT_POINTS, width))
        nn.init.normal_(self.position, std=0.02)
        self.blocks = nn.Sequential(*[_EncoderBlock(width, heads, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(width)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * width, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        points = self.embed(x.transpose(1, 2)).transpose(1, 2) + self.position[:, : x.shape[1]]
        return self.classifier(_pool(self.norm(self.blocks(points))))


MAP_CHANNELS = ("ink", "right", "left", "down", "up", "air", "time", "start", "end")
MAP_EXTENT = 1.15  # the points span [-1, 1] along the box's longer side; a margin for the pen's blur


class PenMaps(nn.Module):
    """Draws the normalized points into ``len(MAP_CHANNELS)`` maps of ``grid`` x ``grid`` cells.

    Only the positions and the pen-down/up flags are read (the moves are rebuilt from the positions).
    Each segment between consecutive points is sampled ``samples`` times (its start included), each
    sample a Gaussian blot of ``blur`` cells: on the ink map where the pen was down, on the air map
    where it moved lifted to the next stroke (a few blots along the jump, not a line); the four
    direction maps hold the pen's direction on paper split into its positive parts (right/left/down/up,
    y pointing down: an O drawn anticlockwise lights other maps than one drawn clockwise); the time
    map, each ink cell's mean place in the sequence (0 first, 1 last); the start and end maps, where
    strokes begin and end. Sums saturate (1 - e^-s), so that strokes crossing or drawn slowly read
    alike. Written with products and matrix products only: it exports to ONNX as it is, and gradients
    reach every point (Explain's saliency along the trajectory).
    """

    centres: Tensor
    steps: Tensor

    def __init__(self, grid: int = 28, samples: int = 4, blur: float = 0.8) -> None:
        super().__init__()
        self.grid = grid
        self.register_buffer("centres", torch.linspace(-MAP_EXTENT, MAP_EXTENT, grid), persistent=False)
        self.register_buffer("steps", torch.arange(samples, dtype=torch.float32) / samples, persistent=False)
        self.spread = 2.0 * (blur * 2.0 * MAP_EXTENT / (grid - 1)) ** 2

    def forward(self, x: Tensor) -> Tensor:
        b, t, _ = x.shape
        points, starts, ends = x[:, :, 0:2], x[:, :, 4], x[:, :, 5]
        head, tail = points[:, :-1], points[:, 1:]
        on_paper = 1.0 - starts[:, 1:]  # the segment into a stroke's first point is a move in the air
        move = tail - head
        length = torch.sqrt((move * move).sum(dim=2, keepdim=True) + 1e-8)
        unit = move / length * on_paper.unsqueeze(2)
        s = self.steps.view(1, 1, -1, 1)
        along = head.unsqueeze(2) + s * move.unsqueeze(2)  # B x (T-1) x S x 2
        first = (self.steps == 0).float().view(1, 1, -1)  # the segment's start: a point of the pen's path
        ink = torch.maximum(first, on_paper.unsqueeze(2).expand(-1, -1, self.steps.numel()))
        air = (1.0 - ink).unsqueeze(3)
        direction = torch.cat([F.relu(unit), F.relu(-unit)], dim=2)[:, :, [0, 2, 1, 3]]  # right, left, down, up
        clock = torch.linspace(0.0, 1.0, t, device=x.device)[:-1].view(1, -1, 1, 1)
        shape = (b, t - 1, self.steps.numel(), 1)
        weights = torch.cat(
            [
                ink.unsqueeze(3),
                (direction.unsqueeze(2) * on_paper.view(b, -1, 1, 1)).expand(b, t - 1, self.steps.numel(), 4),
                air,
                ink.unsqueeze(3) * clock,
                (starts[:, :-1].view(b, -1, 1, 1) * first.unsqueeze(3)).expand(shape),
                (ends[:, :-1].view(b, -1, 1, 1) * first.unsqueeze(3)).expand(shape),
            ],
            dim=3,
        )
        # The last point starts no segment: one more sample, ink and the end of a stroke (and its start
        # too when it is a stroke of its own, a dot put last).
        last_weights = torch.cat(
            [
                torch.ones(b, 1, 1, device=x.device, dtype=x.dtype),
                torch.zeros(b, 1, 5, device=x.device, dtype=x.dtype),
                torch.ones(b, 1, 1, device=x.device, dtype=x.dtype),
                starts[:, -1:].unsqueeze(2),
                torch.ones(b, 1, 1, device=x.device, dtype=x.dtype),
            ],
            dim=2,
        )
        where = torch.cat([along.reshape(b, -1, 2), points[:, -1:]], dim=1)  # B x N x 2
        weights = torch.cat([weights.reshape(b, -1, len(MAP_CHANNELS)), last_weights], dim=1)  # B x N x C
        across = torch.exp(-((where[:, :, 0:1] - self.centres) ** 2) / self.spread)  # B x N x grid
        down = torch.exp(-((where[:, :, 1:2] - self.centres) ** 2) / self.spread)
        rows = (weights.unsqueeze(3) * down.unsqueeze(2)).reshape(b, where.shape[1], -1)  # B x N x (C*grid)
        sums = (rows.transpose(1, 2) @ across).view(b, len(MAP_CHANNELS), self.grid, self.grid)
        saturated = 1.0 - torch.exp(-sums)
        ink_sum = sums[:, 0:1]
        time = sums[:, 6:7] / (ink_sum + 1e-3) * saturated[:, 0:1]  # mean time of the ink in a cell, where ink is
        return torch.cat([saturated[:, :6], time, saturated[:, 7:]], dim=1)


def _conv2d(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class StrokeMapsCNN(nn.Module):
    def __init__(self, num_classes: int, width: int = 32, grid: int = 28, dropout: float = 0.2) -> None:
        super().__init__()
        w = width
        self.maps = PenMaps(grid)
        self.features = nn.Sequential(
            _conv2d(len(MAP_CHANNELS), w),
            _conv2d(w, w),
            nn.MaxPool2d(2),
            _conv2d(w, 2 * w),
            _conv2d(2 * w, 2 * w),
            nn.MaxPool2d(2),
            _conv2d(2 * w, 4 * w),
            _conv2d(4 * w, 4 * w),
        )
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(8 * w, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        cells = self.features(self.maps(x)).flatten(2).transpose(1, 2)  # B x cells x C
        return self.classifier(_pool(cells))


@register_model("stroke_gru", "stroke", "bidirectional GRU (2 layers) reading the pen's points in order")
def stroke_gru(num_classes: int, hidden: int = 128, layers: int = 2, dropout: float = 0.2) -> nn.Module:
    return StrokeGRU(num_classes, hidden=hidden, layers=layers, dropout=dropout)


@register_model("stroke_cnn", "stroke", "1-D CNN (6 layers, dilated) over the pen's points")
def stroke_cnn(num_classes: int, width: int = 64, dropout: float = 0.2) -> nn.Module:
    return StrokeCNN(num_classes, width=width, dropout=dropout)


@register_model("stroke_transformer", "stroke", "transformer encoder (4 layers) over the pen's points")
def stroke_transformer(
    num_classes: int, width: int = 96, layers: int = 4, heads: int = 4, dropout: float = 0.1
) -> nn.Module:
    return StrokeTransformer(num_classes, width=width, layers=layers, heads=heads, dropout=dropout)


@register_model("stroke_maps", "stroke", "2-D CNN over pen maps drawn from the points (ink, direction, order)")
def stroke_maps(num_classes: int, width: int = 32, grid: int = 28, dropout: float = 0.2) -> nn.Module:
    return StrokeMapsCNN(num_classes, width=width, grid=grid, dropout=dropout)


DEFAULT_MEMBERS: list[dict[str, Any]] = [{"arch": "stroke_gru"}, {"arch": "stroke_cnn"}]


class StrokeEnsemble(nn.Module):
    """Stroke models reading the same trajectory; the answer is the mean of their log-probabilities
    (a log-probability vector is a valid set of logits: softmax of it is their normalized geometric mean).
    A member's ``prior_log`` (its card's class prior, :mod:`ml.cli.prior`) is added to its logits first,
    as the member alone answers."""

    def __init__(self, num_classes: int, members: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        members = members if members is not None else DEFAULT_MEMBERS
        if len(members) < 2:
            raise ValueError("an ensemble needs at least two members")
        built = []
        for k, member in enumerate(members):
            if get_arch(member["arch"]).family != "stroke" or member["arch"] == "stroke_ensemble":
                raise ValueError(f"an ensemble's members are single stroke models, not {member['arch']}")
            built.append(get_model(member["arch"], num_classes, **member.get("config", {})))
            prior = list(member.get("prior_log") or [0.0] * num_classes)
            if len(prior) != num_classes:
                raise ValueError(f"member {k}'s prior has {len(prior)} classes, not {num_classes}")
            # Not in the weights file: the card's config declares it, and the ONNX graph holds it.
            self.register_buffer(f"prior_{k}", torch.tensor(prior, dtype=torch.float32), persistent=False)
        self.members = nn.ModuleList(built)

    def forward(self, x: Tensor) -> Tensor:
        answers = [
            torch.log_softmax(member(x) + getattr(self, f"prior_{k}"), dim=1) for k, member in enumerate(self.members)
        ]
        return torch.stack(answers).mean(dim=0)


@register_model("stroke_ensemble", "stroke", "trained stroke models reading together (mean log-probability)")
def stroke_ensemble(num_classes: int, members: list[dict[str, Any]] | None = None) -> nn.Module:
    return StrokeEnsemble(num_classes, members)
