"""Builders for awkward image files: the inputs users actually throw at the app."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid PNG header declaring a huge greyscale image, with a tiny compressed body (a few hundred bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    body = compressor.compress(row * 64) + compressor.flush()  # truncated body: never decoded anyway
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def animated_gif(frames: list[np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def cmyk_jpeg(grey: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(grey).convert("CMYK").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def png16(array16: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array16.astype(np.uint16)).save(buffer, format="PNG")
    return buffer.getvalue()
