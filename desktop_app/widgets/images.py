"""Numpy arrays as Qt images for display (the 28x28 input, heatmaps, activation grids)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QImage, QPixmap

# numpy is imported in each function: this module is imported before the window shows, numpy after.
if TYPE_CHECKING:
    import numpy as np

# A perceptual dark-blue -> yellow ramp (viridis-like endpoints), so heatmaps read in both themes.
_RAMP_RGB = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))


def grey_pixmap(values: np.ndarray, scale: int = 1, invert: bool = False) -> QPixmap:
    """A float [0, 1] H x W array as a grey pixmap, each pixel a ``scale`` x ``scale`` block (no smoothing)."""
    import numpy as np

    pixels = np.clip(values, 0, 1)
    if invert:
        pixels = 1 - pixels
    grey = np.ascontiguousarray((pixels * 255).astype(np.uint8))
    if scale > 1:
        grey = np.ascontiguousarray(np.kron(grey, np.ones((scale, scale), dtype=np.uint8)))
    height, width = grey.shape
    image = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())


def colour_map(values: np.ndarray) -> np.ndarray:
    """[0, 1] -> RGB uint8 through the ramp."""
    import numpy as np

    ramp = np.array(_RAMP_RGB, dtype=np.float32)
    position = np.clip(values, 0, 1) * (len(ramp) - 1)
    low = np.floor(position).astype(int).clip(0, len(ramp) - 2)
    fraction = (position - low)[..., None]
    rgb = ramp[low] * (1 - fraction) + ramp[low + 1] * fraction
    return rgb.astype(np.uint8)


def overlay_pixmap(model_input: np.ndarray, heatmap: np.ndarray, scale: int, alpha: float = 0.55) -> QPixmap:
    """The heatmap in colour over the input in grey."""
    import numpy as np

    grey = np.repeat(np.clip(model_input, 0, 1)[..., None] * 255, 3, axis=2)
    blended = (1 - alpha) * grey + alpha * colour_map(heatmap).astype(np.float32)
    rgb = np.ascontiguousarray(np.kron(blended.astype(np.uint8), np.ones((scale, scale, 1), dtype=np.uint8)))
    height, width, _ = rgb.shape
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


TILE_GAP_GREY = 0.35  # the line between tiles: a black tile next to a black one is still two tiles


FULL_ROWS_LEEWAY = 1.25  # columns up to this much off the best count, for rows without a gap at the end


def channel_grid(maps: np.ndarray, max_channels: int = 64, aspect: float = 1.0) -> np.ndarray:
    """C x H x W activations -> one [0, 1] mosaic, each channel normalized on its own, the tiles in the
    columns that best fill an area ``aspect`` times as wide as it is tall, a grey line between them."""
    import numpy as np

    maps = maps[:max_channels]
    count, height, width = maps.shape
    best = float(np.sqrt(count * max(aspect, 1e-3) * height / width))
    columns = max(1, min(count, round(best)))
    # Rows filled to the end where a column count close to the best does it: a last row of 4 tiles in 7
    # columns ended in a grey block.
    dividing = [c for c in range(1, count + 1) if count % c == 0 and abs(np.log(c / best)) <= np.log(FULL_ROWS_LEEWAY)]
    if dividing and count % columns:
        columns = min(dividing, key=lambda c: abs(np.log(c / best)))
    rows = int(np.ceil(count / columns))
    gap = 1
    mosaic = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), TILE_GAP_GREY, dtype=np.float32)
    for i, channel in enumerate(maps):
        low, high = float(channel.min()), float(channel.max())
        normalized = (channel - low) / (high - low) if high > low else np.zeros_like(channel)
        r, c = divmod(i, columns)
        mosaic[r * (height + gap) : r * (height + gap) + height, c * (width + gap) : c * (width + gap) + width] = (
            normalized
        )
    return mosaic


PREVIEW_MAX_SIDE = 2048  # an opened image is shown at most this big; recognition reads the file itself


def preview_image(data: bytes) -> QImage:
    """The opened file for display, decoded straight to at most PREVIEW_MAX_SIDE px on its longer side.

    Decoding an 8000 x 8000 RGBA file at full size would need 256 MB, Qt's allocation limit, and come
    out null; decoded scaled, it is a 16 MB preview. A null image: Qt cannot decode this file.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
    from PySide6.QtGui import QImageReader

    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # EXIF orientation, as ml.runtime.image_io applies it
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > PREVIEW_MAX_SIDE:
        reader.setScaledSize(size.scaled(QSize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    # The reader goes before its buffer: Qt's TIFF handler closes its file through the buffer when the
    # reader is destroyed, and a buffer closed first made every TIFF crash the app.
    reader.setDevice(None)  # type: ignore[arg-type]  # Qt takes no device: the reader lets go
    buffer.close()
    return image


PREVIEW_MOST_PIXELS = 16_000_000  # a picture file larger than this (but a JPEG) is not shown on a hover


def file_picture(path: Path, side: int) -> np.ndarray:
    """A picture file, or a stroke file's drawing, as grey [0, 1] at most ``side`` px on its longer side (a
    JPEG decoded at reduced scale). Raises OSError or ValueError (ImageLoadError, StrokesError) for a file
    that cannot be shown."""
    import numpy as np
    from PIL import Image

    from ml.runtime.image_files import is_drawing_file
    from ml.runtime.image_io import preview_pixels, shown_size

    if not is_drawing_file(path):
        data = path.read_bytes()
        width, height = shown_size(data)
        if width * height > PREVIEW_MOST_PIXELS and not data.startswith(b"\xff\xd8"):
            # (a JPEG is decoded at an eighth of its size; a 60 MP PNG whole, seconds on a hover)
            raise ValueError("too large to show at once")
        return preview_pixels(data, side).astype(np.float32) / 255.0
    from ml.runtime.render import drawing_picture
    from ml.runtime.strokes import read_strokes_file

    drawing = Image.fromarray(drawing_picture(read_strokes_file(path)))
    drawing.thumbnail((side, side))
    return np.asarray(drawing, dtype=np.float32) / 255.0
