"""Finding the image files (and, where they are read too, the stroke files) in what a person points at
(files and folders), and naming any that will not be read, so nothing is skipped without a word."""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HEIC_NOT_SUPPORTED = "HEIC is not supported: export it as JPEG or PNG"
STROKE_SUFFIX = ".json"  # a drawing's pen strokes (Save Drawing writes them; predict and read read them)
STROKES_SNIFF_BYTES = 4096
STROKES_KEY = '"strokes"'
JSON_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


@dataclass(frozen=True)
class PictureFormat:
    name: str  # as messages and the Open dialog name it
    suffixes: tuple[str, ...]
    mime: str  # the clipboard's type for it


# The picture formats GlyphPad reads, declared once: the folders' files, the Open dialog's filter, the
# clipboard's types and the messages that list them all come from here.
PICTURE_FORMATS = (
    PictureFormat("PNG", (".png",), "image/png"),
    PictureFormat("JPEG", (".jpg", ".jpeg"), "image/jpeg"),
    PictureFormat("BMP", (".bmp",), "image/bmp"),
    PictureFormat("TIFF", (".tif", ".tiff"), "image/tiff"),
    PictureFormat("WebP", (".webp",), "image/webp"),
    PictureFormat("GIF", (".gif",), "image/gif"),
)
IMAGE_SUFFIXES = frozenset(suffix for kind in PICTURE_FORMATS for suffix in kind.suffixes)
IMAGE_PATTERNS = " ".join(f"*{suffix}" for kind in PICTURE_FORMATS for suffix in kind.suffixes)  # "*.png *.jpg …"
_NAMES = [kind.name for kind in PICTURE_FORMATS]
PICTURE_FORMAT_NAMES = f"{', '.join(_NAMES[:-1])} or {_NAMES[-1]}"  # "PNG, JPEG, BMP, TIFF, WebP or GIF"
# Pictures GlyphPad cannot read: found in a folder, they are reported instead of passed over.
UNREADABLE_PICTURES = {
    ".svg": "SVG is a vector format GlyphPad cannot read: export it as PNG",
    ".svgz": "SVG is a vector format GlyphPad cannot read: export it as PNG",
    ".heic": HEIC_NOT_SUPPORTED,
    ".heif": "HEIF is not supported: export it as JPEG or PNG",
    ".avif": "AVIF is not supported: export it as JPEG or PNG",
    ".pdf": "PDF is a document, not an image: export the page as PNG",
}
# The clipboard's types of those, as their files' suffixes.
UNREADABLE_MIME = {"image/svg+xml": ".svg", "image/heic": ".heic", "image/heif": ".heif", "image/avif": ".avif"}


NO_IMAGES = f"no image files in this folder ({PICTURE_FORMAT_NAMES})"
NO_IMAGES_OR_STROKES = f"no image or stroke files in this folder ({', '.join(_NAMES)} or .json strokes)"


@dataclass(frozen=True)
class FoundFiles:
    files: list[Path] = field(default_factory=list)  # to read: the files named, the folders' images (and strokes)
    problems: list[tuple[Path, str]] = field(default_factory=list)  # (path, why it will not be read)
    empty_folders: list[Path] = field(default_factory=list)  # folders given that hold no file to read
    # With stroke files asked for: the .json files in the folders that hold no strokes (other JSON), passed over
    other_json: list[Path] = field(default_factory=list)
    # With stroke files asked for: a folder's pictures saved beside their own drawing's strokes (x.png by
    # x.json, as Keep as Example writes them), passed over: the drawing is read once, from its strokes.
    twins: list[Path] = field(default_factory=list)
    with_strokes: bool = False  # whether stroke files were looked for too

    def every_problem(self) -> list[tuple[Path, str]]:
        """The problems, and each empty folder as one: a command line says so rather than nothing."""
        empty = NO_IMAGES_OR_STROKES if self.with_strokes else NO_IMAGES
        return [*self.problems, *((folder, empty) for folder in self.empty_folders)]


def announces_a_picture(path: Path) -> bool:
    """Whether a file's first bytes announce a picture GlyphPad reads, whatever its name says. Only a
    regular file is looked into: a named pipe would hold the caller until something wrote to it."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with path.open("rb") as handle:
            return format_by_signature(handle.read(16)) is not None
    except OSError:
        return False


PROCESS_PIPE_NAMES = ("/dev/stdin",)
PROCESS_PIPE_FOLDERS = ("/dev/fd/", "/proc/self/fd/")


def _or_false(ask: Callable[[], bool]) -> bool:
    """``ask()``, False when the path cannot be looked at (a folder on its way that cannot be entered, a
    name past the system's length: ``Path.is_dir`` and its kin raise for those), so that it is read (or
    written) as named and its reader (or writer) says why it cannot be."""
    try:
        return ask()
    except OSError:
        return False


def is_folder(path: Path) -> bool:
    return _or_false(path.is_dir)


def is_file(path: Path) -> bool:
    return _or_false(path.is_file)


def path_exists(path: Path) -> bool:
    return _or_false(path.exists)


def is_gone(path: Path) -> bool:
    """Whether nothing is at ``path`` (a file copied, then moved or deleted); one that cannot be looked at (a
    name too long, a folder not to be entered) is not gone: reading it says why."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def not_a_file_reason(path: Path) -> str | None:
    """Why ``path``, named by a person, is no file to read, or None for a regular file, a process's pipe
    (/dev/stdin, a shell's <(...)) or one that cannot be looked at (its reader says why). Reading a named
    pipe waits for a writer for ever, and a device such as /dev/zero never ends: both are refused unopened."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        # A pipe from a process (/dev/stdin, a shell's <(...)) is read: named so (macOS names <(...)
        # /dev/fd/63, an entry that may itself read as a pipe), or resolving to no file on disk (Linux).
        if str(path) in PROCESS_PIPE_NAMES or str(path).startswith(PROCESS_PIPE_FOLDERS):
            return None
        real = os.path.realpath(path)
        named = os.path.lexists(real) and stat.S_ISFIFO(os.lstat(real).st_mode)
        return "a named pipe, not a file" if named else None
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "a device, not a file"


class NotAFileError(ValueError):
    """A path named as a file that is none to read (its message: :func:`not_a_file_reason`)."""


class FileTooLargeError(ValueError):
    """A file of more bytes than its reader takes; ``size``: its size, or the limit + 1 for a pipe read
    that far (a pipe's size is not known before, only that it is more)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_named_file(path: Path, limit: int) -> bytes:
    """The bytes of a file a person named: refused unopened when it is no file to read (NotAFileError) or
    its size says more than ``limit`` (FileTooLargeError), else read up to one byte past ``limit`` (a
    pipe's size reads 0, and one that never ends must not fill the memory) and refused then if more.
    Raises OSError as looking at it or reading it does."""
    reason = not_a_file_reason(path)
    if reason:
        raise NotAFileError(reason)
    size = path.stat().st_size
    if size > limit:
        raise FileTooLargeError(size)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(len(data))
    return data


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def format_by_signature(data: bytes) -> str | None:
    """The format a file's first bytes announce (None when they announce none GlyphPad reads)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((name for magic, name in _SIGNATURES if data.startswith(magic)), None)


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def _in_number_order(path: Path) -> tuple[list[list[tuple[int, str]]], str]:
    """A sort key: folder by folder, numbers in names by value (p2 before p10, as a file manager lists them)
    and case ignored; the path itself last, so names that tie (a.png, A.png; p1, p01) keep one order."""

    def name_key(name: str) -> list[tuple[int, str]]:
        # re.split with a group: the parts at odd positions are the runs of ASCII digits.
        parts = re.split(r"([0-9]+)", name)
        return [(int(part), "") if i % 2 else (-1, part.lower()) for i, part in enumerate(parts)]

    return [name_key(part) for part in path.parts], str(path)


UNLISTED_FOLDER = "folder cannot be read"  # the reason's start for a folder that cannot be listed


def everything_under(folder: Path, unlisted: list[tuple[Path, str]] | None = None) -> Iterator[Path]:
    """Every file, folder and link under ``folder``, at any depth, without following links to folders.
    A walk of its own, not ``Path.rglob``: that recursed once per level, and a folder 1,000 levels deep
    raised RecursionError. A folder that cannot be listed (no permission, a path too long), ``folder``
    itself too, is added to ``unlisted`` with the reason."""
    to_list = [folder]
    while to_list:
        current = to_list.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as error:
            if unlisted is not None:  # (the folder asked for too: it was said to hold no pictures)
                unlisted.append((current, f"{UNLISTED_FOLDER}: {error.strerror or error}"))
            continue
        for entry in listed:
            path = Path(entry.path)
            yield path
            try:
                if entry.is_dir(follow_symlinks=False):
                    to_list.append(path)
            except OSError:
                continue


def is_stroke_path(path: Path) -> bool:
    return path.suffix.lower() == STROKE_SUFFIX


def is_drawing_file(path: Path) -> bool:
    """Whether a file named by a person is read as a drawing's strokes: a .json file, unless its first
    bytes announce a picture (a PNG saved under the wrong name is read as the picture it is; it was read
    as strokes and failed)."""
    return is_stroke_path(path) and not announces_a_picture(path)


def is_stroke_file(path: Path) -> bool:
    return is_stroke_path(path) and holds_strokes(path)


def holds_strokes(path: Path) -> bool:
    """Whether a .json file found in a folder is a drawing's strokes (its start names "strokes", as every
    stroke file GlyphPad writes does) rather than other JSON: an exported batch's results, a sidecar of
    labels. Files named one by one are read whatever they hold, and a malformed one says why."""
    try:
        with path.open("rb") as handle:
            start = handle.read(STROKES_SNIFF_BYTES)
        # JSON may be UTF-16 or UTF-32 too (the reader takes them all): a Windows editor's "Unicode".
        return any(STROKES_KEY.encode(encoding) in start for encoding in JSON_ENCODINGS)
    except OSError:
        return True  # read as a stroke file, its row says why it cannot be


def find_image_files(paths: list[Path], stroke_files: bool = False) -> FoundFiles:
    """Files as given, and under each folder (recursively, in number order) every image file, and with
    ``stroke_files`` every stroke file (.json holding strokes: :func:`holds_strokes`) too, plus the files
    that look like pictures but cannot be read and the links that lead nowhere or in a loop."""
    found = FoundFiles(with_strokes=stroke_files)
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError as error:  # a folder on its way that cannot be entered, a name too long: a row
            found.problems.append((path, error.strerror or str(error)))
            continue
        if not folder:
            reason = not_a_file_reason(path)
            if reason:
                found.problems.append((path, reason))
            else:
                found.files.append(path)  # named by the person: read it, and say why if it fails
            continue
        before = len(found.files), len(found.problems)
        unlisted: list[tuple[Path, str]] = []
        for entry in sorted(everything_under(path, unlisted), key=_in_number_order):
            try:
                _sort_in(entry, found, stroke_files)
            except OSError as error:  # a name past the system's length limit, say
                if entry not in {path for path, _ in unlisted}:  # (a folder: said once, as one not listed)
                    found.problems.append((entry, error.strerror or str(error)))
        found.problems.extend(unlisted)
        if stroke_files:
            _pass_over_twins(found, before[0])
        if (len(found.files), len(found.problems)) == before:  # nothing in it, not even an unreadable picture
            found.empty_folders.append(path)
    return found


def _pass_over_twins(found: FoundFiles, first: int) -> None:
    """Of the files a folder gave (``found.files[first:]``), the pictures whose stroke file of the same name
    stands beside them, moved to ``found.twins``."""
    given = found.files[first:]
    pictures = {path.with_suffix(""): path for path in given if not is_stroke_path(path)}
    # Only a stroke file that reads as a drawing stands for its picture: a damaged one, a picture misnamed
    # .json, a sidecar of other JSON leave the picture to be read.
    twins = [
        pictures[path.with_suffix("")]
        for path in given
        if is_stroke_path(path) and path.with_suffix("") in pictures and _reads_as_a_drawing(path)
    ]
    if twins:
        passed = set(twins)
        found.files[first:] = [path for path in given if path not in passed]
        found.twins.extend(twins)


def _reads_as_a_drawing(path: Path) -> bool:
    from ml.runtime.strokes import StrokesError, read_strokes_file

    try:
        read_strokes_file(path)
    except (OSError, StrokesError):
        return False
    return True


def _sort_in(entry: Path, found: FoundFiles, stroke_files: bool) -> None:
    """Add ``entry``, found in a folder, to the files to read or to the problems (or to neither)."""
    if entry.is_symlink() and not entry.exists():
        try:
            os.stat(entry)
            reason = "symbolic link that leads nowhere"
        except OSError as error:
            reason = "symbolic link loop" if error.errno == errno.ELOOP else "symbolic link that leads nowhere"
        found.problems.append((entry, reason))
    elif entry.is_file() and (is_image_path(entry) or (stroke_files and is_stroke_file(entry))):
        found.files.append(entry)
    elif stroke_files and entry.is_file() and is_stroke_path(entry):
        if announces_a_picture(entry):  # a picture saved under the wrong name: read as what it is
            found.files.append(entry)
        elif entry.stat().st_size == 0:  # as an empty picture is (it was passed over without a word)
            found.problems.append((entry, "empty file (0 bytes)"))
        else:
            found.other_json.append(entry)
    elif entry.is_file() and entry.suffix.lower() in UNREADABLE_PICTURES:
        if announces_a_picture(entry):  # a JPEG a phone named .heic: read as what it is
            found.files.append(entry)
        else:
            found.problems.append((entry, UNREADABLE_PICTURES[entry.suffix.lower()]))
    elif (is_image_path(entry) or (stroke_files and is_stroke_path(entry))) and not entry.is_dir():
        # Named as a picture (or strokes) but no file: a named pipe, a device. Said, never opened (it was
        # passed over without a word).
        not_a_file = not_a_file_reason(entry)
        if not_a_file:
            found.problems.append((entry, not_a_file))


# Characters that change how a line around them is shown: bidirectional overrides and isolates (U+202E
# shows "gnp.exe" as "exe.png") and Unicode's own line and paragraph separators.
_LAYOUT_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def printable_name(text: str) -> str:
    """``text`` (a file's name or path, or a line that holds one) as a terminal line, a title or a menu
    shows it: control characters and the characters that reorder or break a line written as escapes, so
    that a name holding a newline stays on its line, one holding ESC [ 31 m does not colour what follows
    and one holding U+202E does not show its name backwards (JSON and CSV escape them their own way)."""
    return "".join(
        f"\\x{ord(ch):02x}"
        if unicodedata.category(ch) == "Cc"  # (C0, DEL and C1: all below 0x100)
        else f"\\u{ord(ch):04x}"
        if ch in _LAYOUT_CONTROLS
        else ch
        for ch in text
    )


def display_path(path: Path | str) -> str:
    """A path as text that JSON and CSV keep intact: a name that is not valid UTF-8 shows its odd bytes
    as \\xNN instead of lone surrogates that most readers turn into question marks."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")
