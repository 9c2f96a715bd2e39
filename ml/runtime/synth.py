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


def _circle(cx: float, cy: float, rx: float, ry: float, start_deg: float = 0.0) -> Stroke:
    return _arc(cx, cy, rx, ry, start_deg, start_deg + 360, n=32)


# Angles in degrees with y pointing down: 0 is right, 90 is down, 270 is up.
# The first variant of each character is the plain print form (the app's self-test draws it);
# the others are forms that many people write instead.
GLYPH_VARIANTS: dict[str, list[list[Stroke]]] = {
    "0": [[_arc(0.5, 0.5, 0.3, 0.45, -90, 270)]],
    "1": [
        [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]],
        [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)], [(0.3, 0.95), (0.8, 0.95)]],
    ],
    "2": [[[*_arc(0.5, 0.3, 0.3, 0.25, 200, 360), (0.75, 0.45), (0.2, 0.95), (0.85, 0.95)]]],
    "3": [[_arc(0.5, 0.28, 0.28, 0.23, 200, 450) + _arc(0.5, 0.72, 0.3, 0.23, 270, 520)]],
    "4": [
        [[(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.65, 0.35), (0.65, 0.95)]],
        [[(0.3, 0.05), (0.2, 0.55), (0.85, 0.55)], [(0.7, 0.05), (0.7, 0.95)]],
    ],
    "5": [[[(0.8, 0.05), (0.3, 0.05), (0.25, 0.45), *_arc(0.5, 0.67, 0.3, 0.28, 230, 500)]]],
    "6": [[[(0.7, 0.05), (0.4, 0.25), (0.25, 0.6), *_circle(0.5, 0.72, 0.26, 0.23, 180)]]],
    "7": [
        [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)]],
        [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)], [(0.35, 0.5), (0.8, 0.5)]],
    ],
    "8": [[_arc(0.5, 0.27, 0.23, 0.22, 90, 450), _arc(0.5, 0.72, 0.3, 0.23, -90, 270)]],
    "9": [[[*_arc(0.5, 0.3, 0.27, 0.25, 0, -360), (0.74, 0.95)]]],
    "A": [[[(0.1, 0.95), (0.5, 0.05), (0.9, 0.95)], [(0.27, 0.6), (0.73, 0.6)]]],
    "B": [
        [
            [(0.2, 0.05), (0.2, 0.95)],
            [(0.2, 0.05), (0.5, 0.05), *_arc(0.5, 0.265, 0.24, 0.215, -90, 90), (0.2, 0.48)],
            [(0.2, 0.48), (0.55, 0.48), *_arc(0.55, 0.715, 0.27, 0.235, -90, 90), (0.2, 0.95)],
        ]
    ],
    "C": [[_arc(0.55, 0.5, 0.38, 0.45, 45, 315)]],
    "D": [[[(0.2, 0.05), (0.2, 0.95)], [(0.2, 0.05), (0.42, 0.05), *_arc(0.42, 0.5, 0.4, 0.45, -90, 90), (0.2, 0.95)]]],
    "E": [[[(0.8, 0.05), (0.2, 0.05), (0.2, 0.95), (0.8, 0.95)], [(0.2, 0.5), (0.7, 0.5)]]],
    "F": [[[(0.8, 0.05), (0.2, 0.05), (0.2, 0.95)], [(0.2, 0.48), (0.65, 0.48)]]],
    "G": [[[*_arc(0.55, 0.5, 0.38, 0.45, 300, 30), (0.88, 0.55), (0.6, 0.55)]]],
    "H": [[[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.8, 0.95)], [(0.2, 0.5), (0.8, 0.5)]]],
    "I": [
        [[(0.3, 0.05), (0.7, 0.05)], [(0.5, 0.05), (0.5, 0.95)], [(0.3, 0.95), (0.7, 0.95)]],
        [[(0.5, 0.05), (0.5, 0.95)]],
    ],
    "J": [
        [[(0.7, 0.05), (0.7, 0.7), *_arc(0.45, 0.7, 0.25, 0.25, 0, 180)]],
        [[(0.35, 0.05), (0.9, 0.05)], [(0.7, 0.05), (0.7, 0.7), *_arc(0.45, 0.7, 0.25, 0.25, 0, 180)]],
    ],
    "K": [[[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.2, 0.55)], [(0.35, 0.45), (0.85, 0.95)]]],
    "L": [[[(0.25, 0.05), (0.25, 0.95), (0.8, 0.95)]]],
    "M": [[[(0.1, 0.95), (0.15, 0.05), (0.5, 0.65), (0.85, 0.05), (0.9, 0.95)]]],
    "N": [[[(0.2, 0.95), (0.2, 0.05), (0.8, 0.95), (0.8, 0.05)]]],
    "O": [[_circle(0.5, 0.5, 0.42, 0.45, -90)]],
    "P": [[[(0.2, 0.95), (0.2, 0.05), (0.5, 0.05), *_arc(0.5, 0.275, 0.3, 0.225, -90, 90), (0.2, 0.5)]]],
    "Q": [[_circle(0.5, 0.47, 0.4, 0.42, -90), [(0.6, 0.7), (0.9, 0.97)]]],
    "R": [
        [
            [(0.2, 0.95), (0.2, 0.05), (0.5, 0.05), *_arc(0.5, 0.275, 0.3, 0.225, -90, 90), (0.2, 0.5)],
            [(0.45, 0.5), (0.85, 0.95)],
        ]
    ],
    "S": [[_arc(0.5, 0.28, 0.28, 0.23, 330, 90) + _arc(0.5, 0.72, 0.3, 0.23, -90, 150)]],
    "T": [[[(0.1, 0.05), (0.9, 0.05)], [(0.5, 0.05), (0.5, 0.95)]]],
    "U": [[[(0.2, 0.05), (0.2, 0.65), *_arc(0.5, 0.65, 0.3, 0.3, 180, 0), (0.8, 0.05)]]],
    "V": [[[(0.1, 0.05), (0.5, 0.95), (0.9, 0.05)]]],
    "W": [[[(0.05, 0.05), (0.27, 0.95), (0.5, 0.35), (0.73, 0.95), (0.95, 0.05)]]],
    "X": [[[(0.15, 0.05), (0.85, 0.95)], [(0.85, 0.05), (0.15, 0.95)]]],
    "Y": [[[(0.15, 0.05), (0.5, 0.5)], [(0.85, 0.05), (0.5, 0.5), (0.5, 0.95)]]],
    "Z": [[[(0.15, 0.05), (0.85, 0.05), (0.15, 0.95), (0.85, 0.95)]]],
    # Lowercase forms that differ from their capitals (the balanced set keeps these as classes of their own).
    "a": [[_circle(0.45, 0.7, 0.27, 0.25), [(0.72, 0.45), (0.72, 0.95)]]],
    "b": [[[(0.25, 0.05), (0.25, 0.95)], _circle(0.5, 0.72, 0.25, 0.23, 180)]],
    "d": [[[(0.75, 0.05), (0.75, 0.95)], _circle(0.5, 0.72, 0.25, 0.23)]],
    "e": [[[(0.2, 0.7), (0.8, 0.7), *_arc(0.5, 0.7, 0.3, 0.25, 0, -315)]]],
    "f": [[[*_arc(0.65, 0.2, 0.2, 0.15, -20, -180), (0.45, 0.95)], [(0.25, 0.45), (0.7, 0.45)]]],
    "g": [[_circle(0.45, 0.33, 0.25, 0.22), [(0.7, 0.13), (0.7, 0.75), *_arc(0.45, 0.75, 0.25, 0.2, 0, 150)]]],
    "h": [[[(0.25, 0.05), (0.25, 0.95)], [(0.25, 0.65), *_arc(0.5, 0.65, 0.25, 0.2, 180, 360), (0.75, 0.95)]]],
    "n": [[[(0.25, 0.4), (0.25, 0.95)], [(0.25, 0.62), *_arc(0.5, 0.62, 0.25, 0.2, 180, 360), (0.75, 0.95)]]],
    "q": [[_circle(0.45, 0.33, 0.25, 0.22), [(0.7, 0.13), (0.7, 0.95), (0.85, 0.85)]]],
    "r": [[[(0.3, 0.4), (0.3, 0.95)], [(0.3, 0.62), *_arc(0.55, 0.62, 0.25, 0.2, 180, 300)]]],
    "t": [[[(0.45, 0.05), (0.45, 0.85), *_arc(0.6, 0.85, 0.15, 0.1, 180, 90)], [(0.2, 0.35), (0.75, 0.35)]]],
    "y": [[[(0.2, 0.3), (0.5, 0.7)], [(0.8, 0.3), (0.35, 0.95)]]],
}

GLYPHS: dict[str, list[Stroke]] = {char: variants[0] for char, variants in GLYPH_VARIANTS.items()}


def _resample(stroke: Stroke, spacing: float = 0.02) -> np.ndarray:
    """Points every ``spacing`` along the stroke, so a wobble bends it smoothly."""
    points = np.asarray(stroke, dtype=np.float64)
    if len(points) < 2:
        return points
    lengths = np.r_[0.0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
    if lengths[-1] == 0:
        return points[:1]
    at = np.linspace(0.0, lengths[-1], max(2, int(lengths[-1] / spacing) + 1))
    return np.column_stack([np.interp(at, lengths, points[:, 0]), np.interp(at, lengths, points[:, 1])])


def vary_handwriting(strokes: list[Stroke], rng: np.random.Generator) -> list[Stroke]:
    """One writer's version of a glyph: slant, rotation, width, smooth wobble and strokes that do not
    quite meet. Ranges are those of ordinary handwriting, not of EMNIST's augmentation."""
    angle = math.radians(rng.uniform(-10, 10))
    slant = rng.uniform(-0.1, 0.3)  # most writers lean right
    aspect = rng.uniform(0.75, 1.15)
    cos, sin = math.cos(angle), math.sin(angle)
    varied: list[Stroke] = []
    for stroke in strokes:
        points = _resample(stroke) - 0.5
        t = np.linspace(0.0, 1.0, len(points))
        for axis in (0, 1):
            amplitude, cycles, phase = rng.uniform(0, 0.025), rng.uniform(0.5, 2.0), rng.uniform(0, 2 * math.pi)
            points[:, axis] += amplitude * np.sin(2 * math.pi * cycles * t + phase)
        points += rng.normal(0, 0.015, size=2)
        x = points[:, 0] * aspect + slant * -points[:, 1]
        y = points[:, 1]
        varied.append(
            [(float(cos * a - sin * b + 0.5), float(sin * a + cos * b + 0.5)) for a, b in zip(x, y, strict=True)]
        )
    return varied


def render(
    char: str,
    size: int = 280,
    pen_width: float = 12.0,
    box: float = 0.7,
    offset: tuple[float, float] = (0.0, 0.0),
    dark_on_light: bool = True,
    strokes: list[Stroke] | None = None,
) -> np.ndarray:
    """Draw ``char`` (or ``strokes``) on a ``size`` x ``size`` canvas; ``box`` is its height as a share
    of the canvas, ``offset`` moves it by a share of the canvas. Returns uint8 pixels."""
    if strokes is None:
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
