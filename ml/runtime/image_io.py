"""Reading image files safely: every failure becomes an ``ImageLoadError`` with a one-line reason.

Handles what people actually open: 16-bit scans, RGBA drawings on a transparent background, palette
images, CMYK JPEGs, camera photos with an EXIF rotation, animated GIF/WebP (first frame), and rejects
decompression bombs before any pixel is decoded (a baseline JPEG up to 200 megapixels is decoded at reduced
scale instead).
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ml.runtime.image_files import (
    HEIC_NOT_SUPPORTED,
    JSON_ENCODINGS,
    STROKES_KEY,
    STROKES_SNIFF_BYTES,
    UNREADABLE_PICTURES,
    FileTooLargeError,
    NotAFileError,
    format_by_signature,
    is_folder,
    read_named_file,
)

STROKES_UNDER_ANOTHER_NAME = "a drawing's strokes (JSON), not a picture: name the file .json to read it as strokes"
STROKE_FILE_AS_PICTURE = (
    "a JSON file, not a picture: a stroke file is read by ml.runtime.strokes.read_strokes_file and "
    "ml.runtime.fusion.read_drawing_strokes (docs/python-api.md)"
)

# A 600 dpi A4 scan is 35 megapixels; anything far beyond that is a mistake or an attack, and
# decoding it would take gigabytes of memory.
MAX_IMAGE_PIXELS = 64_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
# PIL warns above this and refuses above twice this; the warning is raised as an error below.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


class ImageLoadError(ValueError):
    """An image could not be read; the message is one line a user can act on."""


@dataclass(frozen=True)
class LoadedImage:
    """Pixels as float32 in [0, 1]: H x W (grey) or H x W x 2 (grey + alpha)."""

    pixels: np.ndarray
    notes: tuple[str, ...] = ()
    # The picture's own size (width, height) when its pixels were averaged down (``LOAD_MAX_SIDE``):
    # boxes found in ``pixels`` are given back in the picture's pixels.
    full_size: tuple[int, int] | None = None


def check_file_size(size: int) -> None:
    """Raise ImageLoadError for a file (or pasted data) of more than MAX_FILE_BYTES: refused unread."""
    if size > MAX_FILE_BYTES:
        raise ImageLoadError(too_large_reason(size))


def too_large_reason(size: int) -> str:
    """Why a picture file of ``size`` bytes, more than MAX_FILE_BYTES, is refused."""
    # A pipe is read up to one byte past the limit: its size is not known, only that it is more.
    said = "more than that" if size == MAX_FILE_BYTES + 1 else f"{size / 2**20:.0f} MB"
    return f"the limit is {MAX_FILE_BYTES / 2**20:.0f} MB; this file is {said}"


def check_pixel_count(width: int, height: int) -> None:
    """Raises ImageLoadError for a picture of more than ``MAX_IMAGE_PIXELS`` (a file's, or an array's)."""
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageLoadError(
            f"image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels: scale it down first"
        )


def full_scale(peak: int) -> int:
    """The white of integer pixels whose largest is ``peak``: 255 for bytes' values; past that, the smallest
    bit depth that holds it when the values reach its upper half (a 16-bit container often holds 10, 12 or
    14 bits: a 12-bit camera's picture read as 16-bit was near black, "blank"; an 8-bit one converted to
    16-bit too), else ``peak`` itself (a picture of its own range: 0-1000, two pictures added)."""
    if peak <= 255:
        return 255
    depth = next(2**bits - 1 for bits in (10, 12, 14, 16, 24, 32, 48, 64) if peak < 2**bits)
    return depth if peak > depth // 2 else peak


def pil_to_pixels(image: Image.Image) -> np.ndarray:
    """Grey (+ alpha) float32 pixels in [0, 1] from any PIL mode, 16-bit and CMYK included."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)
        # 16-bit PNGs decode as I;16 or as I: read by the bit depth their values fill.
        low = float(values.min(initial=0))
        if low < 0:  # (mode I is signed: as the signed integers of an array)
            return np.clip((values - low) / max(float(values.max(initial=0)) - low, 1.0), 0.0, 1.0).astype(np.float32)
        return np.clip(values / full_scale(int(values.max(initial=0))), 0.0, 1.0).astype(np.float32)
    if mode == "F":
        values = np.asarray(image, dtype=np.float32)
        peak = float(values.max(initial=0))
        return np.clip(values / (255.0 if peak > 1.0 else 1.0), 0.0, 1.0)
    if mode == "La":  # premultiplied grey + alpha: PIL converts it to LA alone
        image, mode = image.convert("LA"), "LA"
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        return np.asarray(image.convert("LA"), dtype=np.float32) / 255.0
    if mode == "RGBa":
        return np.asarray(image.convert("RGBA").convert("LA"), dtype=np.float32) / 255.0
    # CMYK, YCbCr, LAB, HSV, P, 1, RGB: PIL's conversions know each of them (CMYK JPEGs from
    # Photoshop store inverted values, which PIL's JPEG decoder already undoes).
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


# The brands an HEIF file's "ftyp" box names (an iPhone's .heic photos among them).
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


def _is_heic(data: bytes) -> bool:
    """Whether ``data`` starts with an HEIF file's "ftyp" box of HEIC's brands (an AVIF, HEIF's other
    kind, shares the generic brands and names "avif" among its own)."""
    if data[4:8] != b"ftyp" or data[8:12] not in HEIF_BRANDS:
        return False
    box = data[8 : int.from_bytes(data[:4], "big")]
    brands = {box[i : i + 4] for i in range(0, len(box), 4)}
    return not brands & {b"avif", b"avis"}


def _holds_a_drawing(data: bytes) -> bool:
    """Whether ``data`` is a stroke file's JSON (not only JSON that names "strokes": predict's saved results)."""
    if not any(STROKES_KEY.encode(encoding) in data[:STROKES_SNIFF_BYTES] for encoding in JSON_ENCODINGS):
        return False
    from ml.runtime.strokes import StrokesError, strokes_from_json

    try:
        strokes_from_json(data)
    except StrokesError:
        return False
    return True


@contextlib.contextmanager
def _decoding(data: bytes, name: str = "") -> Iterator[None]:
    """Any failure of PIL while opening or decoding ``data`` (a file ``name``, where known) as
    ImageLoadError, with a one-line reason."""
    try:
        yield
    except ImageLoadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # PIL refuses before our own size check can run; its message holds the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(error))
        megapixels = f"{int(found[1]) / 1e6:.0f} megapixels" if found else "too many pixels"
        # (Said as check_pixel_count says a smaller one: two wordings for one limit puzzled a trial.)
        raise ImageLoadError(
            f"image is {megapixels}; the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels: scale it down first"
        ) from error
    except UnidentifiedImageError as error:
        kind = format_by_signature(data)
        if kind is not None:  # a known format's header, but no decoder accepted the rest
            raise ImageLoadError(
                f"corrupt {kind} file: its header is {kind}'s but the image data is damaged"
            ) from error
        if _is_heic(data):  # an iPhone's photo, by its first bytes
            raise ImageLoadError(HEIC_NOT_SUPPORTED) from error
        # By its name, as a folder's such files are said (an SVG named alone got the words below), or an SVG's
        # by its text where no name is known (the app's opened file, which it reads as bytes).
        suffix = ".svg" if b"<svg" in data[:4096].lower() else Path(name).suffix.lower()
        if unreadable := UNREADABLE_PICTURES.get(suffix):
            raise ImageLoadError(unreadable) from error
        if Path(name).suffix.lower() == ".json":  # given to a picture's reader (the app and CLI tell them apart)
            raise ImageLoadError(STROKE_FILE_AS_PICTURE) from error
        if _holds_a_drawing(data):  # a stroke file under another name (drawing.txt): it was "not an image file"
            raise ImageLoadError(STROKES_UNDER_ANOTHER_NAME) from error
        raise ImageLoadError("not an image file, or a format GlyphPad cannot read") from error
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        # PIL's "image file is truncated (11 bytes not processed)" or "Truncated File Read": jargon, and wrong.
        if "truncated" in reason.lower():
            raise ImageLoadError("the file is incomplete, cut short in a download or a copy") from error
        kind = format_by_signature(data)
        if kind is not None:  # a decoder's own words ("could not create decoder object") say nothing to a person
            raise ImageLoadError(f"corrupt {kind} file: its image data is damaged or cut short") from error
        raise ImageLoadError(f"corrupt or truncated image ({reason})") from error


# A baseline JPEG decodes at 1/2, 1/4 or 1/8 scale as it streams, holding only the smaller picture: one
# beyond MAX_IMAGE_PIXELS is read that way, up to a phone camera's 200 megapixels. A progressive JPEG keeps
# every coefficient of the whole picture while it decodes (a 541-byte file saying 20000x20000 took 1.3 GB):
# refused beyond the limit, as every other format is.
MAX_JPEG_PIXELS = 200_000_000
_QUIET_OPEN = threading.Lock()


def _open_image(data: bytes, side: int | None = None) -> tuple[Image.Image, tuple[int, int] | None]:
    """PIL's image of ``data`` (inside :func:`_decoding`), and its own size where it will decode smaller.

    A baseline JPEG of more than MAX_IMAGE_PIXELS (a phone's 108 or 200 megapixel photo) is set to decode
    at the smallest of JPEG's own scales (1/2, 1/4, 1/8) that brings it within the limit, or a smaller one
    that still gives ``side`` pixels on its shorter side (a preview). Anything else that large is refused.
    """
    # The size is checked here, not by making PIL's warning above its limit an error: warnings' filters are
    # the process's, and a thread leaving its catch_warnings took them from a thread still decoding (a batch
    # beside the pad's preview let a 100 MP photo past the reduced-scale path, to be refused as too large).
    # The warning is only kept quiet (a phone's photo is no attack), one header at a time.
    try:
        with _QUIET_OPEN, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # beyond twice PIL's limit
        if not data.startswith(b"\xff\xd8"):
            raise
    else:
        if image.size[0] * image.size[1] <= MAX_IMAGE_PIXELS or not data.startswith(b"\xff\xd8"):
            return image, None  # (too large a picture of another kind is refused by its reader: _check_size)
    from PIL import JpegImagePlugin

    image = JpegImagePlugin.JpegImageFile(io.BytesIO(data))  # opened without Image.open's refusal of its size
    width, height = image.size
    too_large = ImageLoadError(
        f"image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); the limit is "
        f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels ({MAX_JPEG_PIXELS / 1e6:.0f} for a baseline JPEG): scale it "
        "down first"
    )
    if width * height > MAX_JPEG_PIXELS or image.info.get("progressive") or image.info.get("progression"):
        raise too_large

    def pixels_at(scale: int) -> int:
        return -(-width // scale) * -(-height // scale)  # JPEG rounds a scaled side up

    scale = next((s for s in (2, 4, 8) if pixels_at(s) <= MAX_IMAGE_PIXELS), None)
    if scale is None:
        raise too_large
    if side is not None:  # as a draft to (side, side) would choose, but never less than the limit's scale
        scale = max(scale, next((s for s in (8, 4, 2) if min(width, height) // s >= side), 1))
    image.draft(image.mode, (width // scale, height // scale))  # draft picks the scale these sizes ask for
    return image, (width, height)


def check_image_header(data: bytes) -> None:
    """Raise ImageLoadError unless ``data`` starts like a picture GlyphPad reads, of at most
    MAX_IMAGE_PIXELS as it will be decoded: read from the header alone, so a display can refuse a file
    before showing it."""
    shown_size(data)


ORIENTATION_TAG = 0x0112  # EXIF: 5 to 8 turn the picture a quarter, so its sides swap
TURNING_ORIENTATIONS = (5, 6, 7, 8)


def _turned_a_quarter(image: Image.Image) -> bool:
    return image.getexif().get(ORIENTATION_TAG, 1) in TURNING_ORIENTATIONS


def shown_size(data: bytes) -> tuple[int, int]:
    """The picture's (width, height) as it is shown, its orientation tag followed, from the header alone;
    ImageLoadError as :func:`check_image_header`."""
    if not data:
        raise ImageLoadError("empty file (0 bytes)")
    check_file_size(len(data))
    with _decoding(data):
        image, own_size = _open_image(data)
        check_pixel_count(*image.size)
        width, height = own_size or image.size
        return (height, width) if _turned_a_quarter(image) else (width, height)


JPEG_CHECK_SIDE = 64  # a JPEG is decoded this small to find it whole: the decoder still reads every byte


def check_image_whole(data: bytes) -> None:
    """``check_image_header``, and for a JPEG a decode at reduced scale, fast at any size (for a GIF, of its
    first frame), so that a file cut short is refused before it is shown (a display decodes what is there
    and paints the rest grey)."""
    check_image_header(data)
    if data[:4] == b"GIF8":  # Qt shows a GIF cut short as far as it goes: its first frame decoded to be sure
        with _decoding(data):
            Image.open(io.BytesIO(data)).load()
        return
    if data[:2] != b"\xff\xd8":  # other formats cut short fail to decode for the display too
        return
    if data.rstrip(b"\x00").endswith(b"\xff\xd9"):  # ends with its end-of-image marker: not cut short
        return
    with _decoding(data):
        opened, full = _open_image(data, JPEG_CHECK_SIDE)
        if full is None:  # (a JPEG too large to decode whole is drafted already: a second draft does nothing)
            opened.draft("L", (JPEG_CHECK_SIDE, JPEG_CHECK_SIDE))
        opened.load()


def preview_pixels(data: bytes, max_side: int) -> np.ndarray:
    """The picture as 8-bit grey at most ``max_side`` px on its longer side, for display (transparent
    parts white), decoded at reduced size where the format allows; ImageLoadError if it cannot be."""
    check_image_header(data)
    with _decoding(data):
        opened, full = _open_image(data, max_side)
        if full is None:  # (a JPEG too large to decode whole is drafted already: a second draft does nothing)
            opened.draft("L", (max_side, max_side))  # JPEG decodes at 1/2, 1/4 or 1/8 scale
        image: Image.Image = ImageOps.exif_transpose(opened) or opened
        image.thumbnail((max_side, max_side))
        if "A" in image.getbands() or "transparency" in image.info:
            backdrop = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(backdrop, image.convert("RGBA"))
        return np.asarray(image.convert("L"))


# A picture larger than this on its longer side is averaged down by a whole factor as soon as it is
# decoded: a character needs far fewer pixels, and the float pixels of an 8000 x 8000 page took 1 GB and
# 4.7 s to read. 4096 keeps a word photographed on a page sharp for text mode, which reads its written
# part at up to 800 px.
LOAD_MAX_SIDE = 4096


def _reduced(image: Image.Image, notes: list[str], own_size: tuple[int, int] | None = None) -> Image.Image:
    """``image`` averaged down to LOAD_MAX_SIDE, said in ``notes`` from ``own_size`` where it was decoded
    smaller already (a JPEG too large to decode whole)."""
    factor = -(-max(image.size) // LOAD_MAX_SIDE)
    width, height = own_size or image.size
    if factor <= 1:
        if own_size is not None:
            notes.append(f"averaged down {round(max(width, height) / max(image.size))}x from {width}x{height} pixels")
        return image
    if image.mode.startswith("I;16") or image.mode == "I":
        # As [0, 1] floats, read by their bit depth before averaging: averaged first, a picture's few brightest
        # values lost and it was read at another depth (a review: its paper 0.78 large, 0.20 small).
        image = Image.fromarray(pil_to_pixels(image), mode="F")
    elif image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):  # P, 1, CMYK...: as pil_to_pixels reads them
        transparent = image.mode in ("PA", "RGBa") or "transparency" in image.info
        image = image.convert("LA" if image.mode == "La" else "RGBA" if transparent else "L")
    reduced = image.reduce(factor)
    # By the longer side: a picture 1 pixel wide stays 1 wide (a 1x60,000,000 line was "averaged down 1x").
    notes.append(f"averaged down {round(max(width, height) / max(reduced.size))}x from {width}x{height} pixels")
    return reduced


def load_image(source: str | Path | bytes) -> LoadedImage:
    """Open an image file (or its bytes) and return its pixels, or raise ImageLoadError."""
    notes: list[str] = []
    name = "image data"
    if isinstance(source, bytes):
        check_file_size(len(source))
        data = source
    else:
        path = Path(source)
        name = path.name
        if is_folder(path):
            raise ImageLoadError(f"{name} is a folder, not an image")
        try:
            data = read_named_file(path, MAX_FILE_BYTES)
        except NotAFileError as error:
            raise ImageLoadError(f"{name} is {error}") from None
        except FileTooLargeError as error:
            check_file_size(error.size)
        except OSError as error:
            raise ImageLoadError(f"cannot open {name}: {error.strerror or error}") from error
    if not data:
        raise ImageLoadError("empty file (0 bytes)")
    with _decoding(data, name):
        image, own_size = _open_image(data)
        check_pixel_count(*image.size)
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            image.seek(0)
            if image.format == "TIFF":
                notes.append(f"multi-page TIFF: used the first of its {frames} pages")
            else:
                notes.append(f"animated image: used the first of its {frames} frames")
        if image.mode == "CMYK":
            notes.append("converted from CMYK")
        image.load()
        turned = _turned_a_quarter(image)
        oriented: Image.Image = ImageOps.exif_transpose(image) or image
        full_size = oriented.size
        if own_size is not None:  # decoded smaller: boxes go back to the photo's own pixels, turned as it was
            full_size = own_size[::-1] if turned else own_size
        oriented = _reduced(oriented, notes, full_size if own_size is not None else None)
        pixels = pil_to_pixels(oriented)
    if pixels.size == 0:
        raise ImageLoadError("image has no pixels")
    return LoadedImage(pixels=pixels, notes=tuple(notes), full_size=full_size if full_size != oriented.size else None)
