"""The piece verifier's network: whether a piece of a written line's ink is one whole character.

Text mode splits a picture's ink into pieces, cuts wide ones and joins close ones; the recognizers then
read every candidate, but they were taught whole characters only and read half of a d as a confident c,
or an r and an n that touch as an m. This small network was taught the difference: its input is a
candidate's 28x28 model input (as the recognizers see it) and its size on the line (log of its width
over the line's usual character width and of its height over the line's height); its output the logit
of "one whole character".
"""

from __future__ import annotations

import torch
from torch import nn

GEOMETRY_FEATURES = 2


class PieceVerifier(nn.Module):
    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.width = width
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Sequential(
            nn.Linear(4 * width + GEOMETRY_FEATURES, 2 * width), nn.ReLU(), nn.Linear(2 * width, 1)
        )

    def forward(self, image: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        """``image`` (N, 1, 28, 28), ``geometry`` (N, 2) -> (N,) logits of one whole character."""
        out: torch.Tensor = self.head(torch.cat([self.features(image), geometry], dim=1)).squeeze(1)
        return out
