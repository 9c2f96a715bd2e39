import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ml.runtime.image_io import ImageLoadError, load_image, preview_pixels
from ml.runtime.preprocess import BlankImageError, preprocess
from ml.runtime.synth import render
from tests.conftest import BUNDLED_DEFAULT
from tests.images import animated_gif, cmyk_jpeg, png16, png_bomb, png_bytes


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty file"):
        load_image(tmp_path / "empty.png")


def test_a_vector_picture_named_alone_is_said_as_in_a_folder(tmp_path: Path) -> None:
    """A robustness trial: an SVG in a folder was "a vector format …: export it as PNG", named alone it
    was "not an image file"."""
    svg = tmp_path / "A.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><path d="M0 0L9 9"/></svg>')
    with pytest.raises(ImageLoadError, match=r"^SVG is a vector format GlyphPad cannot read: export it as PNG$"):
        load_image(svg)
    # Its bytes alone, as the app reads an opened file and a paste (a hostile-input trial: "not an image file"
    # in the app, the vector format's words from the command line).
    unnamed = b'<?xml version="1.0"?>\n' + svg.read_bytes()
    with pytest.raises(ImageLoadError, match=r"^SVG is a vector format"):
        load_image(unnamed)
    with pytest.raises(ImageLoadError, match=r"^SVG is a vector format"):
        preview_pixels(unnamed, 64)


def test_a_stroke_file_given_as_a_picture_says_what_reads_it() -> None:
    """A practitioner's trial: recognizer.predict("x.json") answered "not an image file", with no word of
    the stroke file's own reader."""
    from ml.runtime.recognizer import PredictionError, load_recognizer

    answer = load_recognizer("emnist36_cnn").predict(Path(__file__).parents[1] / "resources/examples/hi42.json")
    assert isinstance(answer, PredictionError) and answer.reason.startswith("a JSON file, not a picture")
    assert "read_strokes_file" in answer.reason


def test_a_picture_one_pixel_wide_says_how_far_it_was_averaged_down(tmp_path: Path) -> None:
    """A robustness trial's 1 x 60,000,000 line was "averaged down 1x": its width stays 1, its length is what
    was averaged."""
    line = tmp_path / "line.png"
    Image.new("L", (1, 20_000), 0).save(line)
    assert load_image(line).notes == ("averaged down 5x from 1x20000 pixels",)


def test_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("this is text, not a picture\n")
    with pytest.raises(ImageLoadError, match="not an image"):
        load_image(tmp_path / "notes.png")
    # A stroke file under another name (a note-taker's drawing.txt): what it is, and how to read it.
    (tmp_path / "drawing.txt").write_text('{"strokes": [[[0, 0], [10, 10]]]}')
    with pytest.raises(ImageLoadError, match=r"^a drawing's strokes \(JSON\), not a picture: name the file .json"):
        load_image(tmp_path / "drawing.txt")
    # JSON that names "strokes" but holds none (predict's results saved to a file) is no drawing.
    (tmp_path / "results.txt").write_text('{"path": "7.json", "inputs": ["image", "strokes"], "top": []}')
    with pytest.raises(ImageLoadError, match="not an image file"):
        load_image(tmp_path / "results.txt")


def test_an_iphone_photo_is_named_by_its_format_whatever_its_file_name() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)  # the start of a .heic photo
    with pytest.raises(ImageLoadError, match=r"^HEIC is not supported: export it as JPEG or PNG$"):
        load_image(heic)
    avif = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + bytes(64)  # HEIF's other kind: no HEIC
    with pytest.raises(ImageLoadError) as refused:
        load_image(avif)
    assert "HEIC" not in str(refused.value)


def test_truncated_png(tmp_path: Path) -> None:
    data = png_bytes(render("A"))
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="the file is incomplete"):  # not PIL's "11 bytes not processed"
        load_image(tmp_path / "cut.png")


def test_a_jpeg_cut_short_is_said_to_be_incomplete(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(render("A", size=256)).convert("RGB").save(buffer, "JPEG")
    for cut in (150, len(buffer.getvalue()) // 2):  # PIL: "Truncated File Read", "image file is truncated"
        (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:cut])
        with pytest.raises(ImageLoadError, match="the file is incomplete"):
            load_image(tmp_path / "cut.jpg")


def test_a_webp_cut_short_is_said_in_words_not_the_decoders(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(render("A", size=256)).save(buffer, "WEBP")
    (tmp_path / "cut.webp").write_bytes(buffer.getvalue()[:-100])
    with pytest.raises(ImageLoadError, match=r"^corrupt WebP file: its image data is damaged or cut short$"):
        load_image(tmp_path / "cut.webp")  # it said "(could not create decoder object)"


def test_corrupt_bytes_inside_a_png(tmp_path: Path) -> None:
    data = bytearray(png_bytes(render("A")))
    data[60:200] = bytes(140)
    (tmp_path / "bad.png").write_bytes(bytes(data))
    with pytest.raises(ImageLoadError):
        load_image(tmp_path / "bad.png")


def test_decompression_bomb_is_rejected_before_decoding(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_bomb(30000, 30000))
    with pytest.raises(
        ImageLoadError, match=r"^image is 900 megapixels; the limit is 64 megapixels: scale it down first$"
    ):
        load_image(tmp_path / "bomb.png")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="cannot open"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_a_named_pipe_or_a_device_is_refused_unopened(tmp_path: Path) -> None:
    # Opened, a pipe waits for a writer for ever and /dev/zero never ends (the command line hung).
    os.mkfifo(tmp_path / "pipe.png")
    with pytest.raises(ImageLoadError, match=r"pipe\.png is a named pipe, not a file"):
        load_image(tmp_path / "pipe.png")
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    with pytest.raises(ImageLoadError, match=r"zero\.png is a device, not a file"):
        load_image(tmp_path / "zero.png")


def test_a_processs_pipe_is_read_as_dev_stdin_is(tmp_path: Path) -> None:
    # (cat a.png | predict /dev/stdin, predict <(...)): refused with the named pipes, then read to its end.
    data = png_bytes(render("A"))
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    try:
        assert load_image(f"/proc/self/fd/{read_end}").pixels.shape == (280, 280)
    finally:
        os.close(read_end)


def test_animated_gif_uses_the_first_frame_and_says_so() -> None:
    first, second = render("L"), render("T")
    loaded = load_image(animated_gif([first, second]))
    assert "first of its 2 frames" in loaded.notes[0]
    assert np.allclose(preprocess(loaded).input, preprocess(first).input, atol=0.05)
    # A blank first frame: the reason says which frame was read (it said "no ink found" alone).
    blank = np.full_like(first, 255)
    with pytest.raises(BlankImageError, match=r"no ink found.*\(animated image: used the first of its 2 frames\)"):
        preprocess(animated_gif([blank, second]))


def test_cmyk_jpeg_reads_like_its_grey_version() -> None:
    drawing = render("A")
    from_cmyk = preprocess(cmyk_jpeg(drawing)).input
    assert np.corrcoef(from_cmyk.ravel(), preprocess(drawing).input.ravel())[0, 1] > 0.97


def test_16_bit_png_reads_like_8_bit() -> None:
    drawing = render("X")
    assert np.allclose(preprocess(png16(drawing.astype(np.uint16) * 257)).input, preprocess(drawing).input, atol=0.02)


def test_rgba_strokes_on_a_transparent_canvas_are_ink_whatever_their_colour() -> None:
    alpha = 255 - render("H")
    expected = preprocess(render("H")).input
    for colour in (0, 255):
        rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
        rgba[..., :3] = colour
        rgba[..., 3] = alpha
        got = preprocess(png_bytes(rgba, mode="RGBA")).input
        assert np.allclose(got, expected, atol=0.02), f"ink colour {colour}"


def test_palette_and_exif_rotated_images(tmp_path: Path) -> None:
    drawing = Image.fromarray(render("L"))
    drawing.convert("P").save(tmp_path / "p.png")
    assert np.allclose(preprocess(tmp_path / "p.png").input, preprocess(render("L")).input, atol=0.02)
    rotated = drawing.rotate(90, expand=True)  # stored on its side, EXIF says: rotate back for display
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    rotated.convert("RGB").save(tmp_path / "photo.jpg", exif=exif, quality=95)
    upright = preprocess(tmp_path / "photo.jpg").input
    assert np.corrcoef(upright.ravel(), preprocess(render("L")).input.ravel())[0, 1] > 0.9


def test_a_png_whose_header_chunk_is_damaged_is_called_corrupt_not_a_non_image(tmp_path: Path) -> None:
    data = bytearray(png_bytes(render("A")))
    data[16:29] = bytes(13)  # the IHDR chunk's width, height, depth...: no decoder accepts the file
    with pytest.raises(ImageLoadError, match="corrupt PNG file"):
        load_image(bytes(data))


def test_a_multi_page_tiff_says_pages_not_frames() -> None:
    import io

    from PIL import Image

    pages = [Image.fromarray(render(c)) for c in "AB"]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    loaded = load_image(buffer.getvalue())
    assert loaded.notes == ("multi-page TIFF: used the first of its 2 pages",)


def test_a_display_checks_the_header_and_gets_a_small_grey_preview() -> None:
    from ml.runtime.image_io import check_image_header, preview_pixels

    refused = ((b"", "empty"), (b"not a picture at all", "not an image"), (png_bomb(8200, 8000), "megapixels"))
    for data, reason in refused:
        with pytest.raises(ImageLoadError, match=reason):
            check_image_header(data)
    big = np.zeros((600, 3000, 4), dtype=np.uint8)  # transparent, with one opaque black bar
    big[100:500, 1000:1100] = (0, 0, 0, 255)
    buffer = io.BytesIO()
    Image.fromarray(big, mode="RGBA").save(buffer, format="PNG")
    preview = preview_pixels(buffer.getvalue(), 1000)
    assert preview.dtype == np.uint8 and preview.shape == (200, 1000)
    assert preview[100, 350] < 50 and preview[20, 20] == 255  # the bar dark, the transparent paper white


def test_a_very_large_picture_is_averaged_down_as_it_is_decoded_and_reads_the_same() -> None:
    from ml.runtime.image_io import LOAD_MAX_SIDE

    drawing = render("K", size=200)
    page = np.full((300, LOAD_MAX_SIDE + 904), 255, dtype=np.uint8)  # a long strip: 5000 px wide
    page[50:250, 2400:2600] = drawing
    palette = io.BytesIO()
    Image.fromarray(page).convert("P").save(palette, format="PNG")
    for data in (png_bytes(page), palette.getvalue(), png16(page.astype(np.uint16) * 257)):
        loaded = load_image(data)
        assert loaded.pixels.shape[:2] == (150, -(-page.shape[1] // 2))
        assert any("averaged down 2x" in note for note in loaded.notes)
        assert abs(float(loaded.pixels.max()) - 1.0) < 0.01  # the paper stays white, whatever the format
        seen = preprocess(loaded).input  # the character at half its pixels: its edges move, not its shape
        assert np.abs(seen - preprocess(drawing).input).mean() < 0.06
        assert np.abs(seen - preprocess(render("X", size=200)).input).mean() > 0.1
    # A 16-bit picture of small values reads alike at any size (averaged down, it once read otherwise), by
    # the bit depth its values fill: 0..127 as 8-bit values are (read as 16-bit, it was near black: blank).
    dim = (page.astype(np.uint16) // 2).astype(np.uint16)  # values 0..127 of 65535
    small, large = load_image(png16(dim[:, :4000])).pixels, load_image(png16(dim)).pixels
    assert abs(float(small.max()) - 127 / 255) < 0.01 and abs(float(large.max()) - 127 / 255) < 0.01


@pytest.mark.parametrize(
    "holder",
    [
        lambda a: a.astype(np.uint16) * 16,  # a 12-bit camera's values in 16 bits
        lambda a: Image.fromarray(a).convert("I;16"),  # 8-bit values in a 16-bit PIL image
        lambda a: (a.astype(np.int16) - 128).astype(np.int8),  # signed bytes, -128 to 127
        lambda a: a.astype(np.int16) - 128,
        lambda a: a.astype(np.uint16) * 257,  # full 16-bit range, as before
        lambda a: a.tolist(),  # Python ints
        # As they read before (a review): a picture of its own range, a sharpening's slight overshoot.
        lambda a: a.astype(np.int64) * 2,  # two pictures added: 0-510
        lambda a: a.astype(np.int32) * 4 + 4,  # 4-1024
        lambda a: a.astype(np.int16) - 5,  # -5 to 250
        lambda a: a.astype(np.int16) * 8 - 1000,  # -1000 to 1000
    ],
)
def test_integer_pictures_of_any_depth_or_sign_read_as_their_bytes_do(holder: Any) -> None:
    # An API user's trial: 12-bit data in uint16, an 8-bit picture converted to "I;16", int8 and int16
    # pictures were all "blank: no contrast".
    drawing = render("7", size=120, pen_width=8)
    held = holder(drawing)
    assert np.abs(preprocess(held).input - preprocess(drawing).input).max() < 0.02
    if isinstance(held, Image.Image):
        buffer = io.BytesIO()
        held.save(buffer, format="PNG")
        assert np.abs(preprocess(buffer.getvalue()).input - preprocess(png_bytes(drawing)).input).max() < 0.02


def test_an_array_or_pil_image_beyond_the_pixel_limit_is_refused_as_a_file_is() -> None:
    # An API user's trial: a 12000 x 12000 array took 2.4 GB to read as a line, where such a file is refused.
    from ml.runtime.image_io import MAX_IMAGE_PIXELS
    from ml.runtime.line_reader import LineReader
    from ml.runtime.recognizer import PredictionError, load_recognizer

    side = int(MAX_IMAGE_PIXELS**0.5) + 1  # (np.zeros takes no memory until its pixels are touched)
    for picture in (np.zeros((side, side), dtype=np.uint8), np.zeros((side, side), dtype=np.float32)):
        with pytest.raises(ImageLoadError, match="the limit is 64 megapixels"):
            preprocess(picture)
    answer = load_recognizer(BUNDLED_DEFAULT, device="cpu").predict(np.zeros((side, side), dtype=np.uint8))
    assert isinstance(answer, PredictionError) and "the limit is 64 megapixels" in answer.reason
    with pytest.raises(ImageLoadError, match="the limit is 64 megapixels"):
        LineReader.load(device="cpu").read_image(np.zeros((side, side), dtype=np.uint8))
    with pytest.raises(ImageLoadError, match="the limit is 64 megapixels"):
        preprocess(Image.new("L", (side, side // 2 * 2 + 2)))
    assert preprocess(render("7", size=200)).input.shape == (28, 28)  # (a picture within the limit reads)


def _jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, **options)
    return buffer.getvalue()


def test_a_jpeg_beyond_the_pixel_limit_is_decoded_smaller_a_png_is_refused() -> None:
    from ml.runtime.image_io import check_image_whole, preview_pixels

    width, height = 8201, 8001  # 66 megapixels (beyond the limit whole, as a phone's 108 MP photo), odd sides
    page = Image.new("L", (width, height), 255)
    page.paste(0, (3000, 2000, 3400, 6000))  # one dark bar, left of the middle
    data = _jpeg(page)
    check_image_whole(data)  # a display takes it...
    preview = preview_pixels(data, 500)
    assert max(preview.shape) <= 500 and preview[250, 200] < 60 and preview[20, 20] > 200
    loaded = load_image(data)  # ... and the reader, at a quarter of its side, boxes in its own pixels
    assert loaded.notes == ("averaged down 4x from 8201x8001 pixels",) and loaded.full_size == (width, height)
    assert loaded.pixels.shape == (2001, 2051) and loaded.pixels[1000, 800] < 0.2 and loaded.pixels[10, 10] > 0.9
    # Standing on its side with an orientation tag: turned upright, its own size turned with it.
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise to view
    turned = load_image(_jpeg(page, exif=exif))
    assert turned.full_size == (height, width) and turned.pixels.shape == (2051, 2001)
    assert turned.notes == ("averaged down 4x from 8001x8201 pixels",)
    with pytest.raises(ImageLoadError, match="66 megapixels"):
        load_image(png_bomb(width, height))  # a PNG cannot be decoded smaller: refused


def test_pictures_beyond_the_limit_are_read_alike_whatever_another_thread_does_to_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The limit was kept by making PIL's warning an error inside warnings.catch_warnings, whose filters are
    # the process's: another thread leaving its own catch_warnings put back filters without the error, and a
    # phone's photo read beside it was refused instead of decoded at reduced scale. Here the filters are put
    # back so at the worst moment, as PIL opens the file.
    import warnings

    real_open = Image.open

    def open_as_another_thread_leaves(*args, **kwargs):  # type: ignore[no-untyped-def]
        warnings.resetwarnings()  # the filters as another thread's catch_warnings found them: none
        return real_open(*args, **kwargs)

    page = Image.new("L", (8201, 8001), 255)
    page.paste(0, (3000, 2000, 3400, 6000))
    photo, bomb = _jpeg(page), png_bomb(8201, 8001)
    for race in (False, True):
        with monkeypatch.context() as patch, warnings.catch_warnings(record=True) as said:
            if race:
                patch.setattr(Image, "open", open_as_another_thread_leaves)
            assert load_image(photo).notes == ("averaged down 4x from 8201x8001 pixels",)
            with pytest.raises(ImageLoadError, match="66 megapixels"):
                load_image(bomb)
        if not race:  # PIL's warning is kept quiet: a phone's photo is no attack
            assert not [w for w in said if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_progressive_jpeg_beyond_the_limit_is_refused_from_its_header() -> None:
    import time

    from ml.runtime.image_io import check_image_whole

    small = _jpeg(Image.new("L", (64, 64), 200), progressive=True)
    frame = small.index(b"\xff\xc2")  # the progressive frame header: length (2), precision (1), height, width
    # It says 12000x12000: 144 megapixels, within what a baseline JPEG may have, beyond what a progressive
    # one may (it would keep every coefficient of the whole picture while it decodes).
    lying = small[: frame + 5] + (12000).to_bytes(2, "big") * 2 + small[frame + 9 :]
    started = time.perf_counter()
    for check in (load_image, check_image_whole):
        with pytest.raises(ImageLoadError, match="144 megapixels"):
            check(lying)
    assert time.perf_counter() - started < 1.0  # refused before any decoding (it took 1.3 GB and a second)
