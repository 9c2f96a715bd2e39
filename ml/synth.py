"""Characters drawn from stroke outlines, the way a mouse or pen draws them on a canvas.

Used by the benchmark, the tests and the drawn-character evaluation: each glyph is a list of
strokes, each stroke a list of (x, y) points in a unit box (y down). Rendering varies pen width,
size, position and polarity, so the result looks like what a user gives the app, not like EMNIST.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, n: int = 24) -> Stroke:
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in np.linspace(start_deg, end_deg, n)
    ]


GLYPHS: dict[str, list[Stroke]] = {
    "0": [_arc(0.5, 0.5, 0.3, 0.45, -90, 270)],
    "1": [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]],
    "2": [[*_arc(0.5, 0.3, 0.3, 0.25, 200, 360), (0.75, 0.45), (0.2, 0.95), (0.85, 0.95)]],
    "3": [_arc(0.5, 0.28, 0.28, 0.23, 200, 450) + _arc(0.5, 0.72, 0.3, 0.23, 270, 520)],
    "4": [[(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.65, 0.35), (0.65, 0.95)]],
    "5": [[(0.8, 0.05), (0.3, 0.05), (0.25, 0.45), *_arc(0.5, 0.67, 0.3, 0.28, 230, 500)]],
    "7": [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)]],
    "8": [_arc(0.5, 0.27, 0.23, 0.22, 90, 450), _arc(0.5, 0.72, 0.3, 0.23, -90, 270)],
    "A": [[(0.1, 0.95), (0.5, 0.05), (0.9, 0.95)], [(0.27, 0.6), (0.73, 0.6)]],
    "C": [_arc(0.55, 0.5, 0.38, 0.45, 45, 315)],
    "E": [[(0.8, 0.05), (0.2, 0.05), (0.2, 0.95), (0.8, 0.95)], [(0.2, 0.5), (0.7, 0.5)]],
    "H": [[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.8, 0.95)], [(0.2, 0.5), (0.8, 0.5)]],
    "L": [[(0.25, 0.05), (0.25, 0.95), (0.8, 0.95)]],
    "T": [[(0.1, 0.05), (0.9, 0.05)], [(0.5, 0.05), (0.5, 0.95)]],
    "V": [[(0.1, 0.05), (0.5, 0.95), (0.9, 0.05)]],
    "X": [[(0.15, 0.05), (0.85, 0.95)], [(0.85, 0.05), (0.15, 0.95)]],
    "Z": [[(0.15, 0.05), (0.85, 0.05), (0.15, 0.95), (0.85, 0.95)]],
}


def render(
    char: str,
    size: int = 280,
    pen_width: float = 12.0,
    box: float = 0.7,
    offset: tuple[float, float] = (0.0, 0.0),
    dark_on_light: bool = True,
) -> np.ndarray:
    """Draw ``char`` on a ``size`` x ``size`` canvas; ``box`` is its height as a share of the canvas,
    ``offset`` moves it by a share of the canvas. Returns uint8 pixels."""
    strokes = GLYPHS[char]
    background, ink = (255, 0) if dark_on_light else (0, 255)
    image = Image.new("L", (size, size), background)
    draw = ImageDraw.Draw(image)
    extent = box * size
    x0 = (size - extent) / 2 + offset[0] * size
    y0 = (size - extent) / 2 + offset[1] * size
    radius = pen_width / 2
    for stroke in strokes:
        points = [(x0 + x * extent, y0 + y * extent) for x, y in stroke]
        draw.line(points, fill=ink, width=max(1, round(pen_width)), joint="curve")
        for px, py in (points[0], points[-1]):  # round caps, as a real pen leaves
            draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=ink)
    return np.asarray(image)
