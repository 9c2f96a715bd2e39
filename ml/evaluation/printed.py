"""Printed words: short lines of type in the fonts matplotlib ships (DejaVu Sans, Sans Bold, Serif and
Sans Mono, STIX, Computer Modern roman and sans), at three sizes, read as pictures by text mode.

Nobody's handwriting and no judge's data: a check that a printed label, sign or code is read, its word
spaces included (type sets its letters close and its spaces narrower than a hand does). Scores as the
composed words' (:mod:`ml.evaluation.words`), spaces counted: "KEEPOUT" for "KEEP OUT" is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ml.evaluation.words import ReadingScores
from ml.runtime.line_reader import LineReader

PRINTED_WORDS = (
    "Hello", "world", "EXIT", "Main St", "GlyphPad", "2024", "Zone B7", "quick", "brown", "Fox",
    "jumps", "OVER", "lazy", "dog", "Room 12", "open", "Tuesday", "KEEP OUT", "page 7", "Apple",
    "hydrogen", "Oxford", "Level 3", "mix", "Boston", "pay", "quiz", "Yes", "NO", "code 42",
)  # fmt: skip
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono.ttf",
    "STIXGeneral.ttf",
    "cmr10.ttf",
    "cmss10.ttf",
)
SIZES_PX = (32, 64, 110)  # the type's size: a small label photographed, a line of a page, a sign


def font_folder() -> Path:
    import matplotlib  # a dependency already (training's plots); its fonts are on every machine it is

    return Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"


def printed_line(text: str, font_file: Path, size: int) -> np.ndarray:
    """``text`` in black type on white, a margin of a quarter of the size all round: [0, 1] floats."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_file), size)
    _, _, right, bottom = font.getbbox(text)
    margin = size // 4
    image = Image.new("L", (int(right) + 2 * margin, int(bottom) + 2 * margin), 255)
    ImageDraw.Draw(image).text((margin, margin), text, font=font, fill=0)
    return np.asarray(image, dtype=np.float32) / 255.0


def score_printed(reader: LineReader, progress: bool = False) -> dict[str, Any]:
    """Every word in every font and size read as a picture: character error rate (spaces counted), with and
    without case, word accuracy, the rate per font, and reading time."""
    from tqdm import tqdm

    folder = font_folder()
    lines = [(text, name, size) for name in FONT_FILES for size in SIZES_PX for text in PRINTED_WORDS]
    scores = ReadingScores()
    by_font: dict[str, list[int]] = {}
    for text, name, size in tqdm(lines, desc="printed", unit="word", disable=None if progress else True):
        line = reader.read_image(printed_line(text, folder / name, size))
        stem = Path(name).stem
        font = by_font.setdefault(stem, [0, 0])
        # A font's lines rise and fall together (cmr10 against DejaVuSans), as a writer's words do.
        font[0] += scores.add(line.text, text, line.latency_ms, f"{stem} {size}px", writer=stem)
        font[1] += len(text)
    return {**scores.as_dict(), "cer_by_font": {font: e / max(n, 1) for font, (e, n) in by_font.items()}}
