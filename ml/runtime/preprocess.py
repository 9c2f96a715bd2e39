"""The one normalization from any image to the 1x28x28 input every model sees.

Training, evaluation, the CLI and the app all call :func:`preprocess`, so what a user draws is put
in the same form as what the models learned from. The target form was measured on the EMNIST pool
(``glyphpad-ml`` data in ../shared/data/emnist): characters are upright, light ink on black, the
longest side of the ink box spans 24 of 28 pixels, the box is centred, and the median stroke is
about 2.3 px wide (2 x ink area / ink perimeter, ink > 0.5).

Steps, each with the reason it exists:

0. A picture opened from a file (a photo or scan) has its light evened out first, and its page's own
   lines (a notebook's margin and rules) left out (:func:`photo_pixels`): a lamp, a shadow or a rule
   across the page is not ink. Evenly lit pictures without such lines, drawings and EMNIST are left
   exactly as they are, so what the models trained on is untouched.
1. Grey + polarity (:func:`to_ink`): a drawing is dark on light, EMNIST is light on dark. The
   background is the median of the border (of the whole picture for a character cropped tight with its
   strokes along the border, see :func:`_background`); when it is light the image is inverted. Transparent
   pixels become background, so a stroke on a transparent canvas is ink whatever its colour.
2. Background removal and contrast stretch: grey paper and faint pencil become 0 and 1.
3. Blank check: no ink, or too little to be a character, raises :class:`BlankImageError`:
   a blank canvas must be reported, not guessed at.
4. Crop to the ink box and scale its longest side to 24 px, aspect preserved, centred by its
   box (EMNIST centres the box, not the centre of mass). Downscaling averages areas so that a thin
   stroke on a large canvas survives as grey instead of vanishing as bicubic would make it.
5. Stroke-width normalization at 4x resolution: binarize, measure the width, then dilate or erode
   to EMNIST's width. A 1 px pen on a 1000 px canvas and a marker on a thumbnail look alike after it.
6. Area-average to 28x28, then a contrast curve: anti-aliased edges as sharp as EMNIST's (it was
   blurred with sigma 1 at 128 px and resized bicubically). Chosen by measurement: on the same
   52k-image, 2-epoch proxy, this scored 87.4% val accuracy against 87.1% with a blur instead,
   and 87.7% for raw EMNIST without any preprocessing (which user drawings could not match).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image

from ml.runtime.image_io import (
    MAX_FILE_BYTES,
    LoadedImage,
    check_file_size,
    check_pixel_count,
    full_scale,
    load_image,
    pil_to_pixels,
)
from ml.runtime.segmentation import sign_in_ink

PREPROCESS_VERSION = 4
SIZE = 28
BOX = 24  # longest side of the ink box in the output, measured on EMNIST
WORK_SCALE = 4  # stroke normalization runs at 4x the output resolution
TARGET_STROKE_PX = 2.3  # EMNIST's median stroke width (2 x area / perimeter of ink > 0.5)
EDGE_CONTRAST = 1.25
_WORK = SIZE * WORK_SCALE
_WORK_BOX = (BOX - 1) * WORK_SCALE  # anti-aliasing adds about half a pixel of soft edge on each side
_MIN_CONTRAST = 0.12
_MIN_INK_FRACTION = 1e-4
_MIN_INK_PIXELS = 4
# The size-relative floor stops here: a letter 100 px tall written with a 4 px pen on a 12-megapixel
# page is about 1,000 ink pixels, under a ten-thousandth of the page, and is a character all the same.
_MIN_INK_CAP = 100
# The most dilation steps normalize_stroke_width takes (from a width of 0) to reach the target; the
# work image keeps one more pixel of 0 around the character than that, so they never reach its edge.
_MARGIN = round(TARGET_STROKE_PX * WORK_SCALE / 2.0) + 1

# A file's data as bytes, bytearray, memoryview or a file object open for reading bytes.
ImageLike = np.ndarray | Image.Image | str | Path | bytes | bytearray | memoryview | BinaryIO | LoadedImage


class BlankImageError(ValueError):
    """The image holds no character (blank, or too little ink or contrast)."""


@dataclass(frozen=True)
class Preprocessed:
    """The model's input and what was learned on the way there."""

    input: np.ndarray  # 28x28 float32, ink 1 on 0, upright
    notes: tuple[str, ...] = ()
    stroke_width_px: float = 0.0  # measured before normalization, in output pixels


# A character's box smaller than this (pixels, its longer side) holds too little to tell it by: a 5 x 5
# picture of a bar read L at 40%, a checkerboard H at 80%, and nothing said.
TINY_CHARACTER_PX = 8
TINY_CHARACTER_NOTE = "too few to be sure what it is"
# Ink at least this many times as wide as it is tall that is one line across is no letter or digit: a lone
# dash was read as an S at 86%, with nothing said. (A hand's widest characters, m and w, are about 2.5 times
# as wide.) One line across: it fills FLAT_MARK_FILL of its box (level), or its ink lies along a straight
# line, within FLAT_MARK_STRAIGHT of the box's height (root mean square; sloped); a word as flat does
# neither (its letters' stems and bars: the note was said of pictures of words).
FLAT_MARK_RATIO = 5.0
FLAT_MARK_FILL = 0.5
FLAT_MARK_STRAIGHT = 0.15
FLAT_MARK_NOTE = "the ink is a flat line: a dash? Only letters and digits are read"
# Two bars or two dots one above the other and nothing else (segmentation.sign_in_ink): "=" drawn alone was
# read "I" 65% with nothing said (a student's trial).
SIGN_NOTES = {
    "=": "the ink is two flat lines: an equals sign? Only letters and digits are read here; Text Mode reads signs",
    ":": "the ink is two dots: a colon? Only letters and digits are read here; Text Mode reads signs",
    "÷": "the ink is a bar between two dots: a division sign? Only letters and digits are read here; Text Mode reads"
    " signs",
}

# Ink (over 0.5) on more than this share of the square its longer side spans (BOX x BOX) is no letter or
# digit: a square picture of noise came to 0.84 and was read "M 63%" with nothing said; characters reach
# 0.41 at most (20,000 of EMNIST's test characters) and 0.46 (12,000 of UNIPEN's drawn with 3 and 40 px
# pens; scratch runs/notes/ink_fill.py). Noise twice as long as it is wide passes unsaid (0.42).
NOISE_INK_SHARE = 0.6
NOISE_NOTE = "the ink covers most of the picture: noise or a texture? Only letters and digits are read"

# How far past its range's ends a float picture may reach and still be that range: a bicubic resize rings
# about 8% past them (a 0-1 picture resized came out from -0.08 to 1.06 and was taken for 0-255: blank).
FLOAT_OVERSHOOT = 0.25
# The least peak read as 0-255: a darker float picture is more likely a normalized tensor than a picture
# (MNIST's mean and deviation give -0.42 to 2.82) and is refused with a reason, not read as blank.
FLOAT_255_LEAST_PEAK = 16.0


def _float_pixels(array: np.ndarray) -> np.ndarray:
    """Float pixels in [0, 1] from 0-1, -1-1 (a tanh's output) or 0-255, told apart by their range; raises
    ValueError for values that are not finite or in none of these ranges."""
    pixels = array.astype(np.float32)
    if not pixels.size:
        return pixels
    if not np.isfinite(pixels).all():
        raise ValueError("the image holds values that are not finite numbers (NaN or infinity)")
    low, high = float(pixels.min()), float(pixels.max())
    if high <= 1.0 + FLOAT_OVERSHOOT and low >= -FLOAT_OVERSHOOT:
        return np.clip(pixels, 0.0, 1.0)
    if high <= 1.0 + FLOAT_OVERSHOOT and low >= -1.0 - FLOAT_OVERSHOOT:
        return np.clip((pixels + 1.0) / 2.0, 0.0, 1.0)
    if FLOAT_255_LEAST_PEAK <= high <= 255.0 * (1.0 + FLOAT_OVERSHOOT) and low >= -255.0 * FLOAT_OVERSHOOT:
        return np.clip(pixels / 255.0, 0.0, 1.0)
    raise ValueError(
        f"float pixels from {low:.4g} to {high:.4g}: expected 0-1, -1 to 1 or 0-255 "
        "(a tensor normalized by a mean and deviation? undo that first)"
    )


def _integer_pixels(array: np.ndarray) -> np.ndarray:
    """Integer pixels in [0, 1]: a 0/1 mask as bool's, 0-255 as bytes', more by the bit depth they fill
    (:func:`ml.runtime.image_io.full_scale`: 12-bit data in 16 bits was read near black, "blank"). Values
    below 0 are a sharpening's overshoot, cut off, when slight; else the picture spans its own range
    (int8's -128 to 127 lost its lower half: blank)."""
    if not array.size:
        return array.astype(np.float32)
    low, high = int(array.min()), int(array.max())
    if low < 0 and -low > max(high, 1) / NEGATIVE_OVERSHOOT:
        return ((array.astype(np.float64) - low) / max(high - low, 1)).astype(np.float32)
    return np.clip(array.astype(np.float32) / (1 if high <= 1 else full_scale(high)), 0.0, 1.0)


NEGATIVE_OVERSHOOT = 8  # values below 0 down to an eighth of the largest are a sharpening's ringing


def holds_file_data(image: Any) -> bool:
    """Whether ``image`` is a file's data held otherwise than as bytes: a bytearray, a memoryview of bytes
    (one of pixels, a numpy array's, is pixels) or a file object."""
    if isinstance(image, bytearray):
        return True
    if isinstance(image, memoryview):
        return image.ndim == 1 and image.format in ("B", "b", "c")
    return hasattr(image, "read") and not isinstance(image, Image.Image)


def file_data_as_bytes(image: Any) -> Any:
    """A file's data held otherwise (:func:`holds_file_data`) as bytes, read from a file object; anything
    else as it is."""
    if not holds_file_data(image):
        return image
    if isinstance(image, bytearray | memoryview):
        return bytes(image)
    if isinstance(image, io.TextIOBase):  # (reading it would fail to decode the picture's bytes as text)
        raise ValueError("the file is open as text: open it with 'rb' to read a picture")
    data = image.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes):
        raise ValueError("the file is open as text: open it with 'rb' to read a picture")
    check_file_size(len(data))
    return data


def as_pixels(image: ImageLike) -> tuple[np.ndarray, tuple[str, ...]]:
    """Any image the API takes as float pixels in [0, 1] (grey, or grey and alpha), with the notes of
    how a file was read (a file is loaded; ValueError for an unsupported pixel type)."""
    if isinstance(image, LoadedImage):
        return image.pixels, image.notes
    image = file_data_as_bytes(image)
    if isinstance(image, (str, Path, bytes)):
        loaded = load_image(image)
        return loaded.pixels, loaded.notes
    if isinstance(image, Image.Image):
        check_pixel_count(*image.size)
        return pil_to_pixels(image), ()
    if not isinstance(image, np.ndarray | list | tuple | memoryview) and not hasattr(image, "__array__"):
        raise ValueError(
            f"expected a picture (a file path, its bytes, a PIL image or a numpy array), not {type(image).__name__}"
        )
    array = np.asarray(image)
    if array.ndim >= 2:  # as a file's: a 12000 x 12000 array took 2.4 GB to read as a line
        # Its height and width (a channels-first array's last two: the two largest sides).
        height, width = array.shape[:2] if array.ndim == 2 or array.shape[-1] <= 4 else array.shape[-2:]
        check_pixel_count(width, height)
    if array.dtype == np.bool_:
        pixels = array.astype(np.float32)
    elif array.dtype == np.uint8:
        # One pass (the cast happens inside the division); the same float32 values as astype / 255.
        pixels = np.divide(array, np.float32(255.0), dtype=np.float32)
    elif np.issubdtype(array.dtype, np.integer):
        pixels = _integer_pixels(array)
    elif np.issubdtype(array.dtype, np.floating):
        pixels = _float_pixels(array)
    else:
        raise ValueError(f"unsupported pixel type {array.dtype} (pixels are integers, floats 0-1 or 0-255, or bool)")
    if pixels.ndim == 3 and pixels.shape[2] in (3, 4):
        grey = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        pixels = np.stack([grey, pixels[..., 3]], axis=-1) if array.shape[2] == 4 else grey
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    elif pixels.ndim == 3 and pixels.shape[0] == 1 and pixels.shape[2] > 4:  # one channel first: torch's 1 x H x W
        pixels = pixels[0]
    # H x W x 2 is grey and alpha; a channels-first C x H x W (torch's order) or a stack of images is not one
    # image, whatever its last axis holds.
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 2) or min(pixels.shape[:2]) == 0:
        channels_first = array.ndim == 3 and array.shape[0] in (1, 3, 4) and array.shape[2] not in (1, 2, 3, 4)
        hint = ": channels first? .transpose(1, 2, 0) makes it H x W x C" if channels_first else ""
        if array.ndim == 3 and array.shape[2] not in (1, 2, 3, 4) and array.shape[0] != 1:
            hint += "; several images? predict_many reads a list or an N x H x W array"
        raise ValueError(f"expected an H x W or H x W x C image (C: 1 to 4), got shape {array.shape}{hint}")
    return pixels, ()


def _border(values: np.ndarray) -> np.ndarray:
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def _background(pixels: np.ndarray) -> float:
    """The paper's (or screen's) level: the median of the image border, or of the whole picture for a
    character cropped tight with its strokes along the border (:func:`_mixed_border_paper`)."""
    edge = _border(pixels)
    border = float(np.median(edge))
    if float(edge.max()) <= 0.5 or float(edge.min()) > 0.5:  # the border all on one side: the paper
        return border
    step = _whole_level_step(pixels)
    sampled = pixels[::step, ::step]
    return _mixed_border_paper(border, float(np.median(sampled)), sampled <= 0.5)


def _mixed_border_paper(border: float, whole: float, dark: np.ndarray) -> float:
    """The paper of a picture whose border is partly light, partly dark (``border``: its median): the
    border's level, unless the whole picture's median (``whole``) is on the other side and the border's
    side of ``dark`` (the picture's dark pixels, sampled) hangs together as a character's strokes do at
    least as well as the other side: then the strokes run along the border of a character cropped tight,
    and the paper is the other side (a "0", a "z" cropped tight were read as light writing on dark paper, their
    paper as ink: 12 of 1,073 validation drawings cropped tight). Told by Euler numbers (pieces less
    holes, :func:`_pieces_less_holes`): a character's strokes are one piece, or one with a hole or two; the
    paper of a tight crop is in pieces, its corners apart and its holes. A bold character, more than half
    the picture and its paper along the border, has the same medians and keeps the border's paper."""
    if (border > 0.5) == (whole > 0.5):
        return border
    border_side = ~dark if border > 0.5 else dark
    # A tie (a C, an n cropped tight: one piece of ink, the paper one piece through its opening) goes to the
    # picture's greater part: thin strokes are the common kind.
    return border if _pieces_less_holes(border_side) > _pieces_less_holes(~border_side) else whole


def _pieces_less_holes(side: np.ndarray) -> int:
    """The Euler number of ``side`` (its pieces, 8-neighbourhood, less its holes: the other side's pieces,
    4-neighbourhood, that do not reach the edge), counting no speck (``SPECK_SHARE`` of the picture, at
    least ``MIN_PIECE_PIXELS``): a speck of dust on the paper counted as a piece made the paper look like
    strokes (a bold E read A), the stair steps of a 1 px diagonal as holes."""
    from ml.runtime.segmentation import MIN_PIECE_PIXELS, piece_sizes

    least = max(MIN_PIECE_PIXELS, SPECK_SHARE * side.size)
    sizes, _ = piece_sizes(side)
    hole_sizes, reach_the_edge = piece_sizes(~side, diagonal=False)
    return int(np.count_nonzero(sizes >= least)) - int(np.count_nonzero((hole_sizes >= least) & ~reach_the_edge))


SPECK_SHARE = 0.003  # a piece of a picture's ink or paper smaller than this share of it is a speck


def _whole_level(pixels: np.ndarray) -> float:
    """The median of the whole picture (of about ``WHOLE_MEDIAN_PIXELS`` taken evenly: a median of
    millions is slow)."""
    step = _whole_level_step(pixels)
    return float(np.median(pixels[::step, ::step]))


def _whole_level_step(pixels: np.ndarray) -> int:
    """Every how many rows and columns :func:`_whole_level` takes a pixel."""
    return max(1, round((pixels.size / WHOLE_MEDIAN_PIXELS) ** 0.5))


WHOLE_MEDIAN_PIXELS = 65_536
_LIGHT_BYTE = 128  # the first byte value above 0.5 (127/255 is below it): as _background compares values


def _ink_from(pixels: np.ndarray, background: float) -> np.ndarray:
    """Grey pixels -> ink in [0, 1] above a 0 background (inverted when the background is light)."""
    floor = min(background, 1.0 - background)
    # In place, two passes: this can run on the full-size image, the largest array of the whole path.
    ink = np.subtract(1.0 - floor, pixels, dtype=np.float32) if background > 0.5 else pixels - np.float32(floor)
    np.maximum(ink, 0.0, out=ink)
    return ink


def flatten(pixels: np.ndarray) -> np.ndarray:
    """Grey (H x W) or grey + alpha (H x W x 2) pixels -> grey H x W: transparent parts composited over the
    colour that contrasts with what is drawn, so black and white ink on a transparent canvas both survive."""
    if pixels.ndim != 3:
        return pixels
    grey, alpha = pixels[..., 0], pixels[..., 1]
    if float(alpha.min()) >= 0.99:
        return grey
    opaque = alpha > 0.5
    drawn = float(np.median(grey[opaque])) if opaque.any() else 0.0
    backdrop = 1.0 if drawn < 0.5 else 0.0
    flat: np.ndarray = grey * alpha + backdrop * (1.0 - alpha)
    return flat


def paper_level(pixels: np.ndarray) -> float:
    """The paper of a picture (grey, or grey + alpha, in [0, 1]) as preprocessing sees it, once flattened
    (:func:`_background`)."""
    return _background(flatten(pixels))


def to_ink(pixels: np.ndarray) -> np.ndarray:
    """Grey (H x W) or grey + alpha (H x W x 2) pixels -> ink in [0, 1] on a 0 background."""
    pixels = flatten(pixels)
    return _ink_from(pixels, _background(pixels))


def _ink_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(mask[top:bottom].any(axis=0))
    return top, bottom, int(cols[0]), int(cols[-1]) + 1


def _stroke_core(ink: np.ndarray, peak: float | None = None) -> float:
    """The ink level of a stroke's core: the 90th percentile of clearly inked pixels."""
    peak = float(ink.max()) if peak is None else peak
    inked = ink[ink > 0.2 * peak]
    k = int(0.9 * (inked.size - 1))
    return max(float(np.partition(inked, k)[k]), 1e-6)


def _stretch(ink: np.ndarray, core: float | None = None) -> np.ndarray:
    """Scale so the stroke core is 1 (faint pencil and grey anti-aliased lines become full strokes)."""
    return np.minimum(ink * (1.0 / (core or _stroke_core(ink))), 1.0)


def _to_bytes(values: np.ndarray) -> np.ndarray:
    return np.round(values * 255.0).astype(np.uint8)


def _shrink(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging of 8-bit pixels -> floats in [0, 1]: thin strokes stay as grey instead of vanishing.

    On 8-bit pixels, because PIL is several times faster there than on floats and 1/255 steps are far
    finer than anything the 28x28 output can show.
    """
    resized = Image.fromarray(pixels, mode="L").resize((width, height), Image.Resampling.BOX)
    return np.multiply(np.asarray(resized), np.float32(1.0 / 255.0), dtype=np.float32)


@functools.lru_cache(maxsize=128)  # at most 92 x 92 floats each
def _bicubic_weights(in_size: int, out_size: int) -> np.ndarray:
    """The (out_size x in_size, float32) matrix of PIL's bicubic filter (a = -0.5) enlarging one axis.

    Built as Pillow's Resample.c builds its coefficients: each output pixel's centre mapped back,
    the taps within 2 pixels of it that fall inside the image, weights normalized to sum to 1 (in
    double, then stored as float32 for the products).
    Cached: building one costs more than the product (about 50 us against 10 us), there are a few
    thousand (in, out) pairs at most (both sides at most 92), and a session's drawings meet the same
    ones again and again.
    """
    scale = in_size / out_size  # <= 1: enlarging, so the filter keeps its width of 2 pixels each side
    taps = 5
    centres = (np.arange(out_size) + 0.5) * scale
    first = np.maximum((centres - 2.0 + 0.5).astype(np.intp), 0)  # C's (int) cast: towards zero
    positions = first[:, None] + np.arange(taps)
    x = np.abs(positions - centres[:, None] + 0.5)
    near = (1.5 * x - 2.5) * x * x + 1  # Pillow's bicubic_filter, term for term
    far = (((x - 5) * x + 8) * x - 4) * -0.5
    weights = np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))
    last = np.minimum((centres + 2.0 + 0.5).astype(np.intp), in_size)
    weights[positions >= last[:, None]] = 0.0
    weights /= np.where((total := weights.sum(axis=1)) != 0.0, total, 1.0)[:, None]
    matrix = np.zeros((out_size, in_size + taps))
    np.put_along_axis(matrix, positions, weights, axis=1)
    matrix = np.ascontiguousarray(matrix[:, :in_size], dtype=np.float32)
    matrix.flags.writeable = False  # shared by every caller through the cache
    return matrix


@functools.lru_cache(maxsize=128)
def _bicubic_weights_along_rows(in_size: int, out_size: int) -> np.ndarray:
    """:func:`_bicubic_weights` transposed (in_size x out_size), contiguous, for ``values @ matrix``."""
    matrix = np.ascontiguousarray(_bicubic_weights(in_size, out_size).T)
    matrix.flags.writeable = False
    return matrix


def _enlarge(values: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bicubic enlargement of float pixels (sharp edges), clipped to [0, 1].

    What ``Image.resize(..., BICUBIC)`` gives on a mode "F" image (rows first, then columns), as two
    float32 matrix products: the same values within float32 rounding (tested; Pillow sums in double),
    at a third of the cost of products in double.
    """
    height_in, width_in = values.shape
    if width < width_in or height < height_in:
        raise ValueError("_enlarge cannot shrink")
    out = np.asarray(values, dtype=np.float32)
    if width != width_in:
        out = out @ _bicubic_weights_along_rows(width_in, width)
    if height != height_in:
        out = _bicubic_weights(height_in, height) @ out
    if out is values:  # the same size: clipped below in place, so never the caller's array
        out = values.copy()
    np.maximum(out, 0.0, out=out)
    return np.minimum(out, 1.0, out=out)


def _shrinks(shape: tuple[int, ...], width: int, height: int) -> bool:
    """Whether resizing an image of ``shape`` to width x height shrinks it (area averaging) or not (bicubic)."""
    return width < shape[1] or height < shape[0]


def _resize(values: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging when shrinking, bicubic when enlarging."""
    if _shrinks(values.shape, width, height):
        return _shrink(_to_bytes(values), width, height)
    return _enlarge(values, width, height)


def stroke_width(mask: np.ndarray, zero_border: bool = False) -> float:
    """Mean stroke width of a binary mask: 2 x area / perimeter (exact for long straight strokes).

    ``zero_border``: the caller knows no pixel on the edge is set, so the edge's share of the
    perimeter (ink touching the border) is 0 and need not be counted.
    """
    # count_nonzero: summing booleans goes through a cast and costs about 6 times as much.
    area = int(np.count_nonzero(mask))
    perimeter = int(np.count_nonzero(mask[1:] != mask[:-1])) + int(np.count_nonzero(mask[:, 1:] != mask[:, :-1]))
    if not zero_border:
        perimeter += sum(int(np.count_nonzero(edge)) for edge in (mask[0], mask[-1], mask[:, 0], mask[:, -1]))
    return 2.0 * area / max(perimeter, 1)


def _morph(values: np.ndarray, grow: bool, square: bool) -> np.ndarray:
    """One step of grey-level dilation (grow: 3x3 max) or erosion (min), with a cross or a square.

    Grey-level rather than binary, so anti-aliased edges and faint detail survive the step.
    ``values`` must have a border of 0 pixels that the step leaves 0 (:func:`normalize_stroke_width`
    sees to it): only the inside is computed, each pixel from its neighbours, so no padded copy is
    made at each step.
    """
    h, w = values.shape
    combine = np.maximum if grow else np.minimum
    out = values.copy()
    inside = out[1:-1, 1:-1]
    if square:  # separable: along rows, then along columns (max and min are exact in any order)
        rows = combine(combine(values[:, :-2], values[:, 1:-1]), values[:, 2:])
        combine(combine(rows[:-2], rows[1:-1], out=inside), rows[2:], out=inside)
        return out
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        combine(inside, values[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx], out=inside)
    return out


def normalize_stroke_width(
    values: np.ndarray, target: float, width: float | None = None, zero_margin: int = 0
) -> np.ndarray:
    """Dilate or erode grey ink ``values`` until the stroke width (of ink > 0.5) is about ``target`` px.

    Each step changes the width by about 2 px; alternating cross and square steps approximate a disc.
    Erosion stops before it could break a stroke apart. ``width``: the measured width, if known.
    ``zero_margin``: how many pixels along every edge are known to be 0; the image is padded (once)
    only when the steps could reach the edge, and then cropped back, so ink is never cut off there.
    """
    if width is None:
        width = stroke_width(values > 0.5)
    steps = round((target - width) / 2.0)
    if steps < 0:
        steps = -min(-steps, max(0, int((width - 3.0) // 2)))
    pad = abs(steps) + 1 - zero_margin if steps else 0
    if pad > 0:
        values = np.pad(values, pad)
    for i in range(abs(steps)):
        values = _morph(values, grow=steps > 0, square=i % 2 == 1)
    return values[pad:-pad, pad:-pad] if pad > 0 else values


def _block_mean(work: np.ndarray) -> np.ndarray:
    """Mean of each WORK_SCALE x WORK_SCALE block of the work image: the area-average to 28x28.

    Strided slices added in order: the same sums, in the same order, as summing a
    (28, 4, 28, 4) reshape over its 4-long axes, at a third of the cost.
    """
    columns = work[:, 0::WORK_SCALE].copy()
    for offset in range(1, WORK_SCALE):
        columns += work[:, offset::WORK_SCALE]
    rows = columns[0::WORK_SCALE].copy()
    for offset in range(1, WORK_SCALE):
        rows += columns[offset::WORK_SCALE]
    rows *= 1.0 / WORK_SCALE**2
    return rows


def _sharpen(values: np.ndarray) -> np.ndarray:
    """A contrast curve around 0.5: resampling twice softens edges more than EMNIST's own (measured:
    22% of pixels partly inked against EMNIST's 16%); this steepens them back without moving them."""
    out = values - np.float32(0.5)  # in place from here: the same float32 operations as the formula
    out *= np.float32(EDGE_CONTRAST)
    out += np.float32(0.5)
    np.maximum(out, 0.0, out=out)
    return np.minimum(out, 1.0, out=out)


def _check_contrast(peak: float) -> None:
    if peak < _MIN_CONTRAST:
        raise BlankImageError("no ink found: the image is blank or has almost no contrast")


def _check_inked(inked: int, size: int) -> None:
    if inked < max(_MIN_INK_PIXELS, min(_MIN_INK_FRACTION * size, _MIN_INK_CAP)):
        raise BlankImageError("too little ink to be a character")


@dataclass(frozen=True)
class _InkBox:
    """The character's ink box: which pixels in it are clearly ink, and its ink stretched so strokes are 1.

    The stretched ink is held as floats, or (from 8-bit images) as the box's bytes and a table of
    the stretched ink of each byte value, which gives the 8-bit form for shrinking without a float pass.
    """

    mask: np.ndarray
    stretched: np.ndarray | None = None
    codes: np.ndarray | None = None
    stretched_of_code: np.ndarray | None = None

    def values(self) -> np.ndarray:
        if self.stretched is not None:
            return self.stretched
        assert self.codes is not None and self.stretched_of_code is not None
        return np.take(self.stretched_of_code, self.codes)

    def as_bytes(self) -> np.ndarray:
        if self.stretched is not None:
            return _to_bytes(self.stretched)
        assert self.codes is not None and self.stretched_of_code is not None
        return np.take(_to_bytes(self.stretched_of_code), self.codes)


def _find_character(pixels: np.ndarray) -> _InkBox:
    """Steps 1-4 up to the crop: where the ink is, and how dark its strokes are."""
    ink = to_ink(pixels)
    peak = float(ink.max()) if ink.size else 0.0
    _check_contrast(peak)
    core = _stroke_core(ink, peak)
    # The same pixels as _stretch(ink, core) > 0.35 (the same product, so the same rounding), without
    # the clipping pass over the whole image.
    mask = ink * (1.0 / core) > 0.35
    _check_inked(int(np.count_nonzero(mask)), ink.size)
    top, bottom, left, right = _ink_box(mask)
    return _InkBox(mask[top:bottom, left:right], stretched=_stretch(ink[top:bottom, left:right], core))


def _codes_where(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``wanted[codes]`` (a per-value test of 8-bit pixels) as one or two comparisons.

    Ink is monotonic in the pixel value, so every test on it holds for a run of values that starts
    at 0 or ends at 255; a comparison over the image costs a fraction of a table lookup.
    """
    values = np.flatnonzero(wanted)
    if values.size == 0:
        return np.zeros(codes.shape, dtype=bool)
    low, high = int(values[0]), int(values[-1])
    if values.size == high - low + 1 and low == 0:
        return codes <= high
    if values.size == high - low + 1 and high == 255:
        return codes >= low
    return wanted[codes]  # not such a run: cannot happen for a monotonic test, but stay exact


_BYTE_VALUES = np.divide(np.arange(256, dtype=np.uint8), np.float32(255.0), dtype=np.float32)


def _median_of_bytes(codes: np.ndarray) -> float:
    """``np.median`` of the bytes' values (``_BYTE_VALUES[codes]``), bit for bit, at a fifth of its cost.

    Values rise with the byte, so the middle values are those of the middle bytes; two of them are
    averaged in float32, as ``np.median`` does (through ``np.mean``: their float32 sum, halved).
    """
    half = codes.size // 2
    if codes.size % 2:
        return float(_BYTE_VALUES[np.partition(codes, half)[half]])
    low, high = np.partition(codes, [half - 1, half])[half - 1 : half + 1]
    return float((_BYTE_VALUES[low] + _BYTE_VALUES[high]) / np.float32(2.0))


def _find_character_in_bytes(codes: np.ndarray) -> _InkBox:
    """:func:`_find_character` for 8-bit grey pixels (the canvas, most files, EMNIST), bit for bit.

    Every per-pixel step up to the crop is a function of the pixel's byte, so it is computed once for
    each of the 256 values and applied to the image as comparisons; only the ink box is converted.
    """
    edge = _border(codes)
    background = _median_of_bytes(edge)  # _background, from the bytes
    if int(edge.max()) >= _LIGHT_BYTE > int(edge.min()):
        step = _whole_level_step(codes)
        sampled = codes[::step, ::step]
        background = _mixed_border_paper(background, _median_of_bytes(sampled.ravel()), sampled < _LIGHT_BYTE)
    ink_of = _ink_from(_BYTE_VALUES, background)  # the ink of each byte value
    light_background = background > 0.5  # ink falls as the byte rises
    peak = float(ink_of[int(codes.min())] if light_background else ink_of[int(codes.max())])
    _check_contrast(peak)

    # _stroke_core: the 90th percentile of the ink of clearly inked pixels, found among their bytes.
    inked_codes = codes[_codes_where(codes, ink_of > 0.2 * peak)]
    k = int(0.9 * (inked_codes.size - 1))
    k_code = inked_codes.size - 1 - k if light_background else k
    core = max(float(ink_of[np.partition(inked_codes, k_code)[k_code]]), 1e-6)

    mask = _codes_where(codes, ink_of * (1.0 / core) > 0.35)
    _check_inked(int(np.count_nonzero(mask)), codes.size)
    top, bottom, left, right = _ink_box(mask)
    box = (slice(top, bottom), slice(left, right))
    return _InkBox(mask[box], codes=codes[box], stretched_of_code=_stretch(ink_of, core))


def _scaled_character(box: _InkBox) -> tuple[np.ndarray, float]:
    """Step 4: the ink box resized for the work image (its longest side near _WORK_BOX), and the scale."""
    height, width = box.mask.shape
    # Stroke normalization grows or shrinks the outline by half the width change on each side, so
    # scale the stroke's centre line: (ink box - stroke width) * scale + target width = output box.
    native_width = min(stroke_width(box.mask), 0.5 * max(height, width))
    target_width = TARGET_STROKE_PX * WORK_SCALE
    scale = (_WORK_BOX - target_width) / max(max(height, width) - native_width, 1.0)
    scale = min(scale, _WORK_BOX / max(height, width))  # blobs: the box, not the centre line, decides
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    if _shrinks(box.mask.shape, new_w, new_h):  # _resize, taking the box's bytes when it has them
        return _shrink(box.as_bytes(), new_w, new_h), scale
    return _enlarge(box.values(), new_w, new_h), scale


def _finish(work: np.ndarray, scale: float, zero_margin: int) -> tuple[np.ndarray, float]:
    """Steps 5 and 6 on (part of) the work image: its block means, sharpened, and the stroke width
    measured before normalization (work pixels). ``zero_margin``: pixels of 0 around the character."""
    if scale < 1.0:
        # Downscaling turned thin strokes grey; stretch again so they binarize as strokes.
        work = _stretch(work)
    work_width = stroke_width(work > 0.5, zero_border=zero_margin > 0)
    work = normalize_stroke_width(work, TARGET_STROKE_PX * WORK_SCALE, work_width, zero_margin=zero_margin)
    return _sharpen(_block_mean(work)), work_width


def _work_span(start: int, length: int) -> tuple[int, int]:
    """Rows (or columns) of the work image within _MARGIN of a character at start:start+length, in
    whole output pixels."""
    low = max(0, (start - _MARGIN) // WORK_SCALE * WORK_SCALE)
    high = min(_WORK, -(-(start + length + _MARGIN) // WORK_SCALE) * WORK_SCALE)
    return low, high


# The paper's level is measured in blocks this many to the picture's shorter side (and the writing's
# polarity against the paper of its block and the blocks around). 12 and the closing in even_ink, with ink
# measured unclipped (unclipped_ink): 64 pictures of written words under random smooth light (a third to
# full), pencil to marker contrast, read right 59 times, 44 before (6 blocks, the lightest neighbour only,
# ink cut off at the border's paper); 6 blocks with the closing, 51; with the polarity from each pixel
# against its paper (dark_on_light), 63, and 64 with a dark corner left out (text mode). Clean pictures
# (32 of a new user's trial) and the validation words' pictures read as before (scratch scripts).
# Character mode's photos too: a second trial's 374 single characters photographed under lamps, shadows,
# on ruled paper..., 187 -> 251 right with the page's lines left out as well (photo_pixels); its 382
# words 248 -> 256; characters cropped tight read from a file as from their pixels (tested).
LIGHT_BLOCKS = 12


def unclipped_ink(pixels: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] with nothing cut off: 1 - grey on light paper, grey on a dark ground, a desk round a
    sheet painted as its paper first (:func:`without_surface`). Not :func:`to_ink`, which measures ink
    from the paper at the picture's border and cuts off all that is lighter: where a lamp lit the middle
    of the page brighter than its edges, the writing there was lighter than the border's paper and was lost
    before the light could be evened out."""
    return _unclipped(without_surface(flatten(pixels)))


def _unclipped(grey: np.ndarray) -> np.ndarray:
    return np.subtract(1.0, grey, dtype=np.float32) if dark_on_light(grey) else grey.astype(np.float32)


SHEET_SIDE = 240  # a sheet under the writing is looked for in the picture brought down to this (longer side)
SHEET_LEAST_SHARE = 0.08  # a sheet covers at least this share of the picture,
SURFACE_LEAST_SHARE = 0.1  # the surface round it at least this,
SURFACE_BORDER_SHARE = 0.5  # and at least this share of the picture's border
SHEET_CONTRAST = 0.25  # a sheet is at least this much lighter than its surface (grey levels, 0-1),
SURFACE_LEAST_LEVEL = 0.05  # and the surface no darker than this: black is a drawing's or EMNIST's ground
SHEET_WRITING_SHARE = (0.002, 0.4)  # the share of a sheet its dark writing takes: more than the first, under the second
# A sheet's paper is thick: its thickest place's radius is more than the writing's and at least SHEET_ROOM of
# the sheet's shorter side (a bare label's is half of it), or WRITING_ROOM times the writing's. A light
# character's strokes on a dark ground are no sheet: DejaVu Sans Bold's and Serif Bold's O D B a e g 8 0 Q
# R A reach 0.17 of their shorter side at most, and 1.8 times their holes' radius.
SHEET_ROOM = 0.2
SHEET_LEAST_ROOM = 6  # pixels (of the picture brought down): a 28 x 28 character's bold strokes reach 4
# A sheet is a box, turned a little or seen a little aslant: it fills at least this share of the least box
# round it turned up to SHEET_TURN degrees (a disc fills 0.79; the round o, e, a, 0 of a bold light hand less).
SHEET_SQUARENESS = 0.85
OTHER_SHEET_SHARE = 0.01  # a light piece this share of the picture, beside the sheet, is another (a note)
SURFACE_INK = 0.5  # ink on the surface reflects less than this share of the lightest surface near it
SURFACE_WRITING = 0.1  # more ink than this share of the sheet's writing out on the surface: no sheet
SHEET_TURN = 15
WRITING_ROOM = 2.5
# The writing on a sheet is strokes: its largest piece at least this many times as long as it is wide (its
# pixels over its stroke width squared); a character's holes are round (EMNIST's bold e's, 6 at the median).
WRITING_LENGTH = 10.0


def without_surface(grey: np.ndarray) -> np.ndarray:
    """``grey`` (0 black, 1 white) with the darker surface round a light sheet it shows (a label, a sticky
    note, a page photographed on a desk) painted as the sheet's paper; ``grey`` itself when it shows none.
    The writing is then read against its paper alone: a white label on a grey desk left a dark ring round
    its writing once the light was evened out ("HI 7" read "w"), and a note on a dark desk was refused as
    mostly ink.

    The sheet is the largest light piece (lighter than Otsu's level) with what it holds: clear of the
    picture's border for the most part, much lighter than what lies round it, box-shaped, holding some
    dark writing in strokes. A light character on a dark ground (chalk, a bold white e) is none: it is
    rounder than a box, its strokes are thin for its size where a sheet's paper has room round its
    writing, and its holes are round where writing is long strokes. 0 of 3,240 white characters in the
    10 fonts matplotlib ships and 0 of 3,000 EMNIST characters (as they are, on a grey grainy ground, and
    8 times larger) were taken for a sheet; validation writers' words written on labels and notes lying
    on desks read right 29 -> 59 times of 120 (a scratch script: light, turn, blur and JPEG at random)."""
    if not grey.size or float(np.median(_border(grey))) > 1.0 - SHEET_CONTRAST:  # a light border: no surface
        return grey
    small = _brought_down(grey, SHEET_SIDE)
    if float(small.max()) - float(small.min()) < SHEET_CONTRAST:  # one colour, or nearly: no sheet on anything
        return grey
    light = small > _otsu_level(small)
    from ml.runtime.segmentation import ink_components, reaching_the_edge

    pieces = ink_components(light)
    if not pieces:
        return grey
    pieces.sort(key=len, reverse=True)
    paper = np.zeros(small.shape, dtype=bool)
    paper[pieces[0][:, 0], pieces[0][:, 1]] = True
    surface = reaching_the_edge(~paper)
    sheet = ~surface
    writing = sheet & ~light  # (the paper inside an O or a 9 is no writing)
    sheet_pixels = int(np.count_nonzero(sheet))
    if (
        sheet_pixels < SHEET_LEAST_SHARE * small.size
        or np.count_nonzero(surface) < SURFACE_LEAST_SHARE * small.size
        or float(_border(surface).mean()) < SURFACE_BORDER_SHARE
        or not SHEET_WRITING_SHARE[0] * sheet_pixels < np.count_nonzero(writing) < SHEET_WRITING_SHARE[1] * sheet_pixels
    ):
        return grey
    paper_level, surface_level = float(np.median(small[paper])), float(np.median(small[surface]))
    if paper_level - surface_level < SHEET_CONTRAST or surface_level < SURFACE_LEAST_LEVEL:
        return grey
    rows, columns = np.nonzero(sheet)
    if sheet_pixels < SHEET_SQUARENESS * _least_box_area(rows, columns):
        return grey
    shorter_side = min(int(np.ptp(rows)), int(np.ptp(columns))) + 1
    room, writing_room = _thickness(paper), _thickness(writing)
    if (
        room < SHEET_LEAST_ROOM
        or room <= writing_room
        or (room < SHEET_ROOM * shorter_side and room < WRITING_ROOM * writing_room)
    ):
        return grey
    longest = max(ink_components(writing), key=len, default=np.zeros((0, 2)))
    if len(longest) < WRITING_LENGTH * stroke_width(writing, zero_border=True) ** 2:
        return grey
    # Other sheets on the surface keep their paper and writing (a second note beside the first lost its
    # word), less their blurred edge (left, it read as bars round the word).
    others = np.zeros(small.shape, dtype=bool)
    for piece in pieces[1:]:
        if len(piece) < OTHER_SHEET_SHARE * small.size:
            break
        others[piece[:, 0], piece[:, 1]] = True
    held = ~reaching_the_edge(~others) if others.any() else others
    # Ink on the surface (a letter crossing the sheet's edge; a page's writing where a shadow along its
    # sides looked like a desk: "call Bob" read "all Bo") reflects less than SURFACE_INK of the lightest
    # surface near it and is SHEET_CONTRAST darker; a desk's grain, the light across it and a dark desk's
    # noise do not. The lightest near it: not the small picture's pixels along a sheet's edge (they hold
    # some of its paper), nor the surface's own dark parts (a letter's strokes crossing into a shadow are
    # surface too: "call Bob" read "BoD").
    away = ~_around(_around(sheet | held, np.max), np.max) & (small >= SURFACE_INK * surface_level)
    near_light = np.where(surface & away, small, 0.0).astype(np.float32)
    for _ in range(3):  # within 3 pixels of the small picture: past the edge left out
        near_light = _around(near_light, np.max)
    near_light[near_light == 0] = surface_level
    surface_ink = surface & ~held & (small < SURFACE_INK * near_light) & (small < near_light - SHEET_CONTRAST)
    if np.count_nonzero(surface_ink) > SURFACE_WRITING * np.count_nonzero(writing):
        return grey  # writing out there too: a page in shadow, not a sheet on a desk
    # Painted: the surface, grown by a pixel or two of the small picture (the sheet's edge is blurred, and
    # not writing), but not the other sheets, nor the ink on it.
    grown = surface
    for _ in range(2 if max(grey.shape) <= SHEET_SIDE else 1):
        grown = _around(grown, np.max)
        held = ~_around(~held, np.max)
    grown &= ~held
    # Spread over the picture's pixels (nearest: PIL's, fast on a 12-megapixel photo): the level below which
    # a painted place's pixel is ink, 2 where nothing is painted.
    ink_below = np.where(grown, np.minimum(SURFACE_INK * near_light, near_light - SHEET_CONTRAST), 2.0)
    full_size = (grey.shape[1], grey.shape[0])
    ink_below = np.asarray(
        Image.fromarray(ink_below.astype(np.float32), mode="F").resize(full_size, Image.Resampling.NEAREST)
    )
    out = grey.astype(np.float32, copy=True)
    out[grey >= ink_below] = paper_level
    return out


def _least_box_area(rows: np.ndarray, columns: np.ndarray) -> float:
    """The area of the smallest box round these pixels, turned by up to ``SHEET_TURN`` degrees either way."""
    ys, xs = rows - rows.mean(), columns - columns.mean()
    areas = []
    for angle in np.radians(np.linspace(-SHEET_TURN, SHEET_TURN, 2 * SHEET_TURN // 3 + 1)):
        along = xs * np.cos(angle) + ys * np.sin(angle)
        across = ys * np.cos(angle) - xs * np.sin(angle)
        areas.append((np.ptp(along) + 1) * (np.ptp(across) + 1))
    return float(min(areas))


def _otsu_level(values: np.ndarray) -> float:
    """The grey level that parts ``values`` (0-1) into two classes as far apart as can be (Otsu's)."""
    counts, edges = np.histogram(values, bins=64, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(counts)
    above = below[-1] - below
    below_sum = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = below * above * (below_sum / below - (below_sum[-1] - below_sum) / above) ** 2
    return float(edges[1:][int(np.nanargmax(np.where(above > 0, between, np.nan)))]) if (above > 0).any() else 0.5


def _thickness(mask: np.ndarray) -> int:
    """How many 3 x 3 erosions ``mask`` takes to vanish: the radius of the thickest place in it."""
    count = 0
    while mask.any():
        padded = np.pad(mask, 1)
        rows = padded[:, :-2] & padded[:, 1:-1] & padded[:, 2:]
        mask = rows[:-2] & rows[1:-1] & rows[2:]
        count += 1
    return count


def dark_on_light(grey: np.ndarray) -> bool:
    """Whether the writing is darker than its paper. A clean border (white or black paper) says so at once;
    otherwise each pixel is compared with the paper around it (the median of its block and the blocks
    around), and the writing is what stands out strongly, darker or lighter: light that varies across a
    block stands out both ways alike, ink one way. Not the border's level against mid-grey alone: a page
    lit by a lamp in its middle has a border darker than mid-grey all round, and read as chalk on a board."""
    border = _background(grey)
    if border >= 0.9 or border <= 0.1:
        return border > 0.5
    if _whole_level(grey) >= 0.9:  # paper nearly everywhere, ink along the border: a character cropped tight
        return True
    grey = _brought_down(grey)
    height, width = grey.shape
    block = max(4, min(height, width) // LIGHT_BLOCKS)
    rows, columns = height // block, width // block
    if rows < 3 or columns < 3:
        return border > 0.5
    medians = np.median(_blocks(grey[: rows * block, : columns * block], block), axis=2).astype(np.float32)
    paper = _around(medians, np.median)
    spread_out = Image.fromarray(paper.astype(np.float32), mode="F").resize(
        (columns * block, rows * block), Image.Resampling.BILINEAR
    )
    local = np.asarray(spread_out)
    deviation = grey[: rows * block, : columns * block] - local
    spread = float(np.median(np.abs(deviation))) + 1e-3
    darker = float(np.maximum(-deviation - 4 * spread, 0).sum())
    lighter = float(np.maximum(deviation - 4 * spread, 0).sum())
    return darker >= lighter


# A photo's grain (sensor noise, a dim room) against its ink: a word on grey paper, slightly out of focus,
# with noise, had its strokes cut into specks by the half-peak threshold (validation words as pictures, 100,
# blurred 1.5 px, ink and paper greyed to 90 and 200, noise of 18 levels, JPEG 40: CER 51.34%). Where the
# grain (the median distance of each pixel from its 3x3 neighbourhood's weighted mean, as a deviation) is
# over GRAIN_LIMIT of the ink's contrast, the ink is smoothed once: 14.22%; clean pictures measure 0 and
# are left as they are (twice: 15.96%; noise alone, 0.03 of the contrast, read as well either way).
GRAIN_LIMIT = 0.025


def _smoothed(ink: np.ndarray) -> np.ndarray:
    """``ink`` under a 3x3 binomial filter (1 2 1 each way; edges repeated)."""
    padded = np.pad(ink, 1, mode="edge")
    down = (padded[:-2] + 2 * padded[1:-1] + padded[2:]) / 4
    out: np.ndarray = ((down[:, :-2] + 2 * down[:, 1:-1] + down[:, 2:]) / 4).astype(np.float32)
    return out


def without_grain(ink: np.ndarray) -> np.ndarray:
    """Ink (0 paper, 1 ink) smoothed where a photo's grain is strong beside its ink (``GRAIN_LIMIT``), else
    as it is."""
    if not ink.size:
        return ink
    smoothed = _smoothed(ink)
    grain = 1.4826 * float(np.median(np.abs(ink - smoothed)))  # a robust deviation: strokes are few pixels
    return smoothed if grain > GRAIN_LIMIT * float(np.percentile(ink, 99.5)) else ink


def even_ink(ink: np.ndarray) -> np.ndarray:
    """Ink (0 paper, 1 ink) of a photo lit unevenly, evened out: a shadow over part of the page makes its
    paper read as faint ink everywhere, and a single threshold then takes the shadow for writing.

    The paper's ink level is measured in blocks (a low percentile: ink is sparse on paper) and closed: each
    block takes the lightest of its neighbourhood (a block that a stroke fills takes its neighbours' paper),
    then the darkest of that (so a shadow's edge, a vignette's corner, is not lit by the block beside it),
    and spread smoothly over the picture; each pixel's ink is then measured from its paper, relative to the
    range left above it. Lighting multiplies what the paper reflects, so this gives the same ink in the
    shadow as in the light. A picture lit evenly keeps its ink as it was (its paper is 0 everywhere).
    """
    level = light_level(ink)
    return ink if level is None else _evened(ink, level)  # evenly lit: nothing to even out


def _evened(ink: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Each pixel's ink measured from its paper's ``level``, relative to the range left above it."""
    return np.clip((ink - level) / np.maximum(1.0 - level, DIMMEST_PAPER), 0.0, 1.0).astype(np.float32)


def light_level(ink: np.ndarray) -> np.ndarray | None:
    """The paper's ink level at each pixel (see :func:`even_ink`), or None when the picture is evenly lit.
    Measured on the picture brought down to ``LIGHT_SIDE`` (light varies slowly) and spread back over it."""
    full_height, full_width = ink.shape
    ink = _brought_down(ink)
    height, width = ink.shape
    block = max(4, min(height, width) // LIGHT_BLOCKS)
    rows, columns = -(-height // block), -(-width // block)
    padded = np.pad(ink, ((0, rows * block - height), (0, columns * block - width)), mode="edge")
    paper = np.percentile(_blocks(padded, block), 20, axis=2).astype(np.float32)
    paper = _around(_around(paper, np.min), np.max)  # lightest around, then darkest: a closing of the level
    if float(paper.max()) < 0.02:  # evenly lit
        return None
    # "Paper" as dark as ink within two blocks of light paper: strokes filling blocks (a tight crop, blurred
    # too), not light. Paper darkening smoothly (a shadow's far corner) or dim all over (a photo taken in
    # poor light) is evened out as paper (it was refused, and the whole line then read as ink).
    dark = paper > DARKEST_PAPER
    if dark.any() and float((paper - _around(_around(paper, np.min), np.min))[dark].max()) > DARK_PAPER_STEP:
        return None
    # Block centres to pixels, bilinear: PIL maps the grid's cells onto the picture.
    spread = Image.fromarray(paper, mode="F").resize((columns * block, rows * block), Image.Resampling.BILINEAR)
    level: np.ndarray = np.asarray(spread, dtype=np.float32)[:height, :width]
    if (height, width) != (full_height, full_width):
        level = np.asarray(
            Image.fromarray(level, mode="F").resize((full_width, full_height), Image.Resampling.BILINEAR),
            dtype=np.float32,
        )
    return level


DARKEST_PAPER = 0.7  # paper in shadow darker than this (as ink) may be writing that fills its blocks ...
DARK_PAPER_STEP = 0.3  # ... where it is this much darker than a block two away (light falls off smoothly)
# Paper in the deepest shadow reflects this share of the light, at least, as ink is measured on it: below, an
# 8-bit photo's noise is most of what is left, and measured against next to no light it read as ink (a line
# whose shadow went to black read as rows of i's and j's).
DIMMEST_PAPER = 0.1


def _blocks(values: np.ndarray, block: int) -> np.ndarray:
    """An H x W picture (H, W multiples of ``block``) as rows x columns x block^2: each block's values."""
    rows, columns = values.shape[0] // block, values.shape[1] // block
    return values.reshape(rows, block, columns, block).transpose(0, 2, 1, 3).reshape(rows, columns, -1)


def _around(grid: np.ndarray, pick: Callable[..., np.ndarray]) -> np.ndarray:
    """``pick`` (np.min, np.max, np.median) of each cell of ``grid`` and the 8 around it (edges repeated)."""
    rows, columns = grid.shape
    padded = np.pad(grid, 1, mode="edge")
    return np.asarray(pick([padded[dy : dy + rows, dx : dx + columns] for dy in range(3) for dx in range(3)], axis=0))


LIGHT_SIDE = 1600  # the light of a larger picture is measured on it brought down to this many pixels


def _brought_down(values: np.ndarray, side: int = LIGHT_SIDE) -> np.ndarray:
    """A picture of float values averaged down (a box filter) to ``side`` on its longer side, or as it is."""
    height, width = values.shape
    if max(height, width) <= side:
        return values
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(values.astype(np.float32), mode="F").resize(size, Image.Resampling.BOX))


PAGE_LINE = 0.9  # a row or column of ink across this share of the picture is a line of the page ...
WRITING_SPAN = 0.7  # ... when the rest of the ink spans less than this share of the picture that way


def without_page_lines(ink: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """``ink`` without the lines of the page: a notebook's margin, the rules of lined or squared paper.
    Columns inked over ``PAGE_LINE`` of the picture's height are a margin when they are thinner than the
    writing's strokes (``THIN_LINE``) and the ink off every such line spans less than ``WRITING_SPAN`` of
    the height (a margin runs past the writing; a stem or a serif of a letter cropped tight is as thick
    as the pen); rows across its width likewise. The lines may be sloped, as in a photo taken a few
    degrees turned (:func:`_page_lines`). ``ink`` itself when there are none. (A red margin was read as an
    I; a sloped rule under a character as part of it.)"""
    height, width = inked.shape
    across = _page_lines(inked)  # rules
    # Margins (of the picture transposed): level, or at the slope of sloped rules (a page turned turns both:
    # x moves back as y moves on). Never sought sloped alone: a margin is one line, and a character's stem
    # cropped tight, near upright, was taken for a sloped one (an H read as T, an F as I).
    down = _page_lines(inked.T, at_slope=-across.slope if across.pad else None, sloped=False)
    if not across.flags.any() and not down.flags.any():
        return ink
    rest = inked & ~across.pixels(across.flags, height) & ~down.pixels(down.flags, width).T
    rows, columns = np.flatnonzero(rest.any(axis=1)), np.flatnonzero(rest.any(axis=0))
    if not rows.size:  # nothing but lines: the writing (an L, a T, an E cropped tight), or a blank page's
        rules = _run_count(_thin_runs(across.flags, max(3.0, PAGE_RULE_SHARE * height)))
        margins_and_columns = _run_count(_thin_runs(down.flags, max(3.0, PAGE_RULE_SHARE * width)))
        if rules >= PAGE_RULES or margins_and_columns >= PAGE_RULES:
            return np.zeros_like(ink)  # more than a character's strokes: ruled paper, nothing written on it
        return ink
    thin = THIN_LINE * stroke_width(rest)
    out = ink
    if rows[-1] - rows[0] + 1 < WRITING_SPAN * height:
        lines = _thin_runs(down.flags, thin - down.rows_unflagged)
        if lines.any():
            out = out.copy()
            out[down.pixels(lines, width).T] = 0.0
    if columns[-1] - columns[0] + 1 < WRITING_SPAN * width:
        lines = _thin_runs(across.flags, thin - across.rows_unflagged)
        if lines.any():
            out = out.copy() if out is ink else out
            out[across.pixels(lines, height)] = 0.0
    return out


WRITTEN_ON_LINE = 0.25  # a line written on is at most this share of the writing's height thick


def without_lines_written_on(ink: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """``ink`` of a written line without the line it was written on: a form's line, a signature's, a rule
    of the page as dark and thick as the pen (:func:`without_page_lines` takes only rules thinner than
    the writing's strokes, else a character cropped tight loses its bars).

    A row of ink across ``PAGE_LINE`` of the writing's width (level or sloped, found as a page's rules
    are; so a line drawn under the writing alone is one too), at most ``WRITTEN_ON_LINE`` of the
    writing's height thick (3 px at least), is such a line when writing stands on it: strokes that end on
    it from above, each at least as tall as the line is thick, in two or more places apart along it and
    not at its ends, or in one when the line runs on past the writing both ways (a character on a form's
    field). A bar of one character cropped tight has none: an H's stems cross its bar, a T's, a 7's, a
    Z's top bar has nothing above it, an E's bottom bar has its stem alone on it, at its end; a frame's
    sides stand on its bottom at its ends. Where a stroke crosses the line (ink two rows above and below
    it, a column either way), the line's pixels stay: a g's tail goes on through it. (Letters standing
    on a form's line were read as one character: "PGTZI" as "m".) Two characters cropped tight whose
    bars join (ZZ, the serifs of II) stand on their bottom bar as on a line, and lose it."""
    inked_columns = np.flatnonzero(inked.any(axis=0))
    if not inked_columns.size:
        return ink
    first, last = int(inked_columns[0]), int(inked_columns[-1]) + 1
    if (first, last) != (0, inked.shape[1]):
        # Across the writing's width, not the picture's: a line drawn under the writing alone is one too.
        crop = ink[:, first:last]
        within = without_lines_written_on(crop, inked[:, first:last])
        if within is not crop:
            out = ink.copy()
            out[:, first:last] = within
            return out
        return ink
    height = inked.shape[0]
    across = _page_lines(inked)
    if not across.flags.any():
        return ink
    rest = inked & ~across.pixels(across.flags, height)
    rows, columns = np.flatnonzero(rest.any(axis=1)), np.flatnonzero(rest.any(axis=0))
    if not rows.size:
        return ink
    thickest = max(3.0, WRITTEN_ON_LINE * (rows[-1] - rows[0] + 1))
    lines = _thin_runs(across.flags, thickest - across.rows_unflagged)
    # Strokes standing within an eighth of the writing's height of a line's ends are a frame's sides on its
    # bottom (a box round a label, its bottom drawn on past them or rounded); a line running on past the
    # writing by as much both ways holds a character on a form's field.
    reach = (rows[-1] - rows[0] + 1) / 8
    out = ink
    for start, end in _flag_runs(lines):
        one = np.zeros_like(lines)
        one[start:end] = True
        # A level line's rows alone: its anti-aliased edges fall under the mask's half of the peak, and
        # taking a row more each side cut the feet of the letters standing on it (100 validation words on a
        # line: CER 17.5 -> 15.0%). A sloped line's band holds the edges its shear leaves.
        band = across.pixels(one, height) if across.pad else np.broadcast_to(one[:, None], inked.shape)
        in_band = band.any(axis=0)
        top = np.where(in_band, band.argmax(axis=0), 0)
        bottom = np.where(in_band, height - 1 - band[::-1].argmax(axis=0), 0)
        # Looked for a row clear of the line's anti-aliased edge (the band of a sloped line holds its edges).
        clear = 1 if across.pad else 2
        above, below = in_band & _inked_at(inked, top - clear), in_band & _inked_at(inked, bottom + clear)
        # A stroke crossing at a slant leaves the band a column or two from where it met it.
        crossed = _widened(above, 1) & _widened(below, 1)
        # Strokes standing on the line: ink above it and as far again above (not a bar's anti-aliased edge).
        standing = above & _inked_at(inked, top - clear - (bottom - top + 1)) & ~crossed
        drawn = np.flatnonzero((band & inked).any(axis=0))
        places = sum(
            left > drawn[0] + reach and right < drawn[-1] + 1 - reach
            for left, right in _flag_runs(_widened(standing, 1))
        )
        # (An E's bottom bar starts at its stem: it does not run on past it.)
        past_the_writing = drawn[0] <= columns[0] - reach and drawn[-1] >= columns[-1] + reach
        if places < 2 and not (places == 1 and past_the_writing):
            continue
        out = ink.copy() if out is ink else out
        out[band & ~crossed[None, :]] = 0.0
    return out


def _inked_at(inked: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Whether each column of ``inked`` is inked at its row in ``rows`` (False off the picture)."""
    inside = (rows >= 0) & (rows < inked.shape[0])
    return inside & inked[np.clip(rows, 0, inked.shape[0] - 1), np.arange(inked.shape[1])]


@dataclass(frozen=True)
class _PageLines:
    """Lines across a picture, level or sloped: the picture is sheared level, each column moved up by its
    ``shifts`` (and ``pad`` rows added above and below), and ``flags`` marks the sheared rows that are lines."""

    flags: np.ndarray
    shifts: np.ndarray  # per column: pixel (y, x) is on the sheared row y + pad - shifts[x]
    pad: int
    slope: float = 0.0  # rows per column the shifts follow

    @property
    def rows_unflagged(self) -> int:
        """Rows of a line's thickness that its flags miss: a sloped line sheared by whole rows fills its
        edge rows in only some columns, so a pen's stroke sloped shows thinner than level (by one row:
        without it, the bar of an L drawn with a 3 px pen, cropped tight and turned 4 degrees, was left out;
        with two, a rule 3 px thick under writing 8 px thick, turned 2 degrees, was kept)."""
        return 1 if self.pad else 0

    def pixels(self, flags: np.ndarray, height: int) -> np.ndarray:
        """The picture's pixels (``height`` x its width) on the sheared rows that ``flags`` marks, with the
        rows of their edges: one each side, two where the line is sloped (shearing by whole rows
        leaves its edge up to a row further out)."""
        flags = _widened(flags, 2 if self.pad else 1)
        if not self.pad:  # level: the rows themselves
            return np.broadcast_to(flags[:, None], (height, len(self.shifts)))
        out = np.empty((height, len(self.shifts)), dtype=bool)
        for shift, start, end in _shift_groups(self.shifts):
            out[:, start:end] = flags[self.pad - shift : self.pad - shift + height, None]
        return out


def _page_lines(inked: np.ndarray, at_slope: float | None = None, sloped: bool = True) -> _PageLines:
    """The rows of ``inked`` inked over ``PAGE_LINE`` of its width; when there are none, such lines at
    ``at_slope`` (rows per column) when given, else, when ``sloped``, at the slope up to ``MOST_TURNED`` that
    holds the most ink (a photo of a ruled page taken a little turned: its rules, thinner than the
    writing, were read as part of the character above them)."""
    width = inked.shape[1]
    level = _PageLines(np.count_nonzero(inked, axis=1) >= PAGE_LINE * width, np.zeros(width, dtype=np.int64), 0)
    if level.flags.any() or (at_slope is None and not sloped):
        return level
    slope = at_slope if at_slope is not None else _line_slope(inked)
    if slope is None:
        return level
    shifts = np.rint(slope * (np.arange(width) - (width - 1) / 2)).astype(np.int64)
    pad = int(np.abs(shifts).max())
    if not pad:
        return level
    flags = np.count_nonzero(_sheared(inked, shifts, pad), axis=1) >= PAGE_LINE * width
    return _PageLines(flags, shifts, pad, slope) if flags.any() else level


MOST_TURNED = 0.14  # the steepest slope (rows per column, about 8 degrees) a page's line is looked for at
SLOPE_SIDE = 512  # the slope is first found on the picture brought down to this side, then refined
SLOPE_POINTS = 20_000  # at most this many inked pixels (evenly taken) are counted for each slope tried


def _line_slope(inked: np.ndarray) -> float | None:
    """The slope (rows per column) of the straight line, within ``MOST_TURNED`` of level, holding the most
    of ``inked``'s pixels, when it could be a line across (its band holds ``PAGE_LINE`` of the width
    brought down); None otherwise. Found on the picture brought down, then to half a row at its ends."""
    height, width = inked.shape
    factor = -(-max(height, width) // SLOPE_SIDE)
    small = inked
    if factor > 1:
        rows, columns = -(-height // factor), -(-width // factor)
        padded = np.pad(inked, ((0, rows * factor - height), (0, columns * factor - width)))
        small = np.asarray(padded.reshape(rows, factor, columns, factor).any(axis=(1, 3)))
    small_width = small.shape[1]
    if np.count_nonzero(small.any(axis=0)) < PAGE_LINE * small_width:
        return None  # no line crosses it
    steps = int(MOST_TURNED * small_width)  # a row across the picture's width apart, level among them
    slope, held = _fullest_band(small, np.arange(-steps, steps + 1) / small_width)
    if held < PAGE_LINE * small_width:
        return None
    if factor == 1:
        return slope
    step = 1.0 / width
    return _fullest_band(inked, np.arange(slope - 1.0 / small_width, slope + 1.0 / small_width + step / 2, step))[0]


def _fullest_band(inked: np.ndarray, slopes: np.ndarray) -> tuple[float, float]:
    """Of ``slopes``, the one whose band two rows high holds the most inked pixels, and how many (as a
    share of those taken, times the pixels: counted on at most ``SLOPE_POINTS`` of them)."""
    ys, xs = np.nonzero(inked)
    taken = max(1, -(-ys.size // SLOPE_POINTS))
    ys, xs = ys[::taken], xs[::taken]
    centred = xs - (inked.shape[1] - 1) / 2
    best_slope, best_held = 0.0, -1
    for slope in slopes:
        bands = ys - np.rint(slope * centred).astype(np.int64)
        counts = np.bincount(bands - bands.min())
        held = int(counts.max()) if counts.size < 2 else int((counts[:-1] + counts[1:]).max())
        if held > best_held:
            best_slope, best_held = float(slope), held
    return best_slope, float(best_held * taken)


def _sheared(inked: np.ndarray, shifts: np.ndarray, pad: int) -> np.ndarray:
    """``inked`` with each column moved up by its shift, ``pad`` rows added above and below."""
    height, width = inked.shape
    out = np.zeros((height + 2 * pad, width), dtype=bool)
    for shift, start, end in _shift_groups(shifts):
        out[pad - shift : pad - shift + height, start:end] = inked[:, start:end]
    return out


def _shift_groups(shifts: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of neighbouring columns moved alike: (shift, first column, column past the last)."""
    starts = np.concatenate([[0], np.flatnonzero(np.diff(shifts)) + 1])
    ends = np.concatenate([starts[1:], [shifts.size]])
    return [(int(shifts[start]), int(start), int(end)) for start, end in zip(starts, ends, strict=True)]


def _widened(flags: np.ndarray, rows: int) -> np.ndarray:
    """Each line with ``rows`` rows of its own edges on each side: anti-aliasing, a pen's width."""
    out = flags.copy()
    for step in range(1, rows + 1):
        out[step:] |= flags[:-step]
        out[:-step] |= flags[step:]
    return out


THIN_LINE = 0.6  # a page's line is at most this share of the writing's stroke width thick
# Lines across (or down) a picture holding nothing else: this many or more are a page's rules, fewer a
# character cropped tight (an E has three bars; a blank lined page read as E at 86%).
PAGE_RULES = 4
# ... each at most this share of the picture thick (at least 3 px): a page's rules are hair lines, a tight
# crop's strokes are the pen's width (four bars cropped tight, "1111", are 4-7% of the height each).
PAGE_RULE_SHARE = 0.015


def _flag_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The runs of neighbouring True ``flags``: (first, one past the last) of each."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _run_count(flags: np.ndarray) -> int:
    """How many runs of neighbouring True ``flags`` there are (lines, each a pixel or a few thick)."""
    return len(_flag_runs(flags))


def _thin_runs(flags: np.ndarray, thickest: float) -> np.ndarray:
    """``flags`` (columns or rows) kept only in runs of neighbours no more than ``thickest`` long."""
    out = np.zeros_like(flags)
    for start, end in _flag_runs(flags):
        if end - start <= thickest:
            out[start:end] = True
    return out


def photo_pixels(pixels: np.ndarray) -> np.ndarray:
    """A photo's or scan's pixels with the desk round its sheet painted as its paper, its light evened out,
    its grain smoothed (:func:`without_grain`) and without its page's lines (a notebook's margin and rules),
    as dark writing on white; the same pixels when none of these applies (a scan, a clean drawing: they
    read exactly as before)."""
    grey = flatten(pixels)
    on_paper = without_surface(grey)
    ink = _unclipped(on_paper)
    level = light_level(ink)
    if level is not None:
        ink = _evened(ink, level)
    smooth = without_grain(ink)
    peak = float(smooth.max()) if smooth.size else 0.0
    # Lines fainter than the writing count too: a character is found at a third of its strokes' ink.
    cleared = without_page_lines(smooth, smooth > 0.2 * peak) if peak >= _MIN_CONTRAST else smooth
    if cleared is ink and level is None and on_paper is grey:
        return pixels
    return np.subtract(1.0, cleared, dtype=np.float32)


def is_flat_mark(mask: np.ndarray) -> bool:
    """Whether the ink of ``mask`` (True where inked) is a flat mark, a dash: at least FLAT_MARK_RATIO times as
    wide as tall, and one line across (:data:`FLAT_MARK_NOTE`)."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return False
    ink = mask[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    return ink.shape[1] >= FLAT_MARK_RATIO * ink.shape[0] and _one_line_across(ink)


def _one_line_across(mask: np.ndarray) -> bool:
    """Whether a flat box's ink is one line across it, level or sloped (see FLAT_MARK_FILL)."""
    if np.count_nonzero(mask) >= FLAT_MARK_FILL * mask.size:
        return True
    ys, xs = np.nonzero(mask)
    slope, intercept = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)
    off_the_line = ys - (slope * xs + intercept)
    return float(np.sqrt(np.mean(off_the_line**2))) <= FLAT_MARK_STRAIGHT * mask.shape[0]


def is_photo(image: ImageLike) -> bool:
    """Whether :func:`preprocess` reads ``image`` as a photo or scan unless told otherwise: a picture from a
    file, bytes or a :class:`LoadedImage` is one; an array or a PIL image is read as drawn."""
    return isinstance(image, (str, Path, bytes, LoadedImage)) or holds_file_data(image)


def preprocess(image: ImageLike, photo: bool | None = None) -> Preprocessed:
    """Any image (file, bytes, PIL image or array) -> the 28x28 model input. See the module doc.

    ``photo``: even the picture's light and leave its page's lines out first (:func:`photo_pixels`);
    None decides by what ``image`` is (:func:`is_photo`): a photo held as an array says True."""
    photo = is_photo(image) if photo is None else photo
    if not photo and isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 2 and image.size:
        notes: tuple[str, ...] = ()
        check_pixel_count(image.shape[1], image.shape[0])  # (as as_pixels does)
        box = _find_character_in_bytes(image)
    else:
        pixels, notes = as_pixels(image)
        if photo:  # a photo or scan: its light and lines first
            pixels = photo_pixels(pixels)
        try:
            box = _find_character(pixels)
        except BlankImageError as error:
            if not notes:
                raise
            # An animation whose first frame is blank: "no ink found" alone did not say which frame was read.
            raise BlankImageError(f"{error} ({'; '.join(notes)})") from None
    resized, scale = _scaled_character(box)
    height, width = box.mask.shape
    if max(height, width) < TINY_CHARACTER_PX:  # enlarged many times over: the answer is a guess, and said so
        notes = (*notes, f"the character is only {width} x {height} pixels: {TINY_CHARACTER_NOTE}")
    elif is_flat_mark(box.mask):
        notes = (*notes, FLAT_MARK_NOTE)
    elif (sign := sign_in_ink(box.mask)) in SIGN_NOTES:
        notes = (*notes, SIGN_NOTES[sign])

    # The character is centred in a 112 x 112 work image and is all that is not 0 there. Every step
    # from here leaves 0 pixels 0 except dilation, which grows ink by a pixel a step, so the steps run
    # on the part of the work image within _MARGIN of the character: the same values as on the whole
    # image (tested), on less of it; the rest of the output is 0, as a 0 block mean sharpens to 0.
    new_h, new_w = resized.shape
    y0, x0 = (_WORK - new_h) // 2, (_WORK - new_w) // 2
    top, bottom = _work_span(y0, new_h)
    left, right = _work_span(x0, new_w)
    work = np.zeros((bottom - top, right - left), dtype=np.float32)
    work[y0 - top : y0 - top + new_h, x0 - left : x0 - left + new_w] = resized
    margin = min(y0 - top, bottom - y0 - new_h, x0 - left, right - x0 - new_w)  # _MARGIN: y0, x0 >= 10
    blocks, work_width = _finish(work, scale, margin)

    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    s = WORK_SCALE
    out[top // s : bottom // s, left // s : right // s] = blocks
    if np.count_nonzero(blocks > 0.5) > NOISE_INK_SHARE * BOX * BOX:
        notes = (*notes, NOISE_NOTE)
    return Preprocessed(input=out, notes=notes, stroke_width_px=work_width / WORK_SCALE)


def preprocess_many(images: np.ndarray, progress: bool = False) -> np.ndarray:
    """Preprocess a stack of equal-size images (uint8 N x H x W) -> float16 N x 28 x 28.

    Blank images (rare in EMNIST) are kept as they are so indices stay aligned.
    """
    from tqdm import tqdm

    out = np.empty((len(images), SIZE, SIZE), dtype=np.float16)
    for i in tqdm(range(len(images)), desc="preprocess", unit="img", disable=not progress, mininterval=1.0):
        try:
            out[i] = preprocess(images[i]).input
        except BlankImageError:
            out[i] = _resize(images[i].astype(np.float32) / 255.0, SIZE, SIZE)
    return out
