"""What the command modules share: how an error is reported, JSON that never holds NaN."""

from __future__ import annotations

import argparse
import codecs
import difflib
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn


class CommandParser(argparse.ArgumentParser):
    """A command's options. A mistake in them is said in one line, with where the options are listed:
    argparse printed the whole usage first (30 lines for train, the error under them)."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, f"{self.prog}: error: {message}{self._did_you_mean(message)} ('{self.prog} --help' lists the options)\n"
        )

    def _did_you_mean(self, message: str) -> str:
        """The option a mistyped one is closest to ("--modle" was "unrecognized arguments", nothing more)."""
        if not message.startswith("unrecognized arguments: "):
            return ""
        known = list(self._option_string_actions)
        typed = [word.split("=")[0] for word in message.split()[2:] if word.startswith("--")]
        close = [found[0] for word in typed if (found := difflib.get_close_matches(word, known, n=1, cutoff=0.7))]
        return f"; did you mean {', '.join(close)}?" if close else ""


def fail(command: str, message: str, code: int = 2) -> int:
    """Print one line on stderr, 'glyphpad-ml COMMAND: error: ...', and return the exit status."""
    print(f"glyphpad-ml {command}: error: {message}", file=sys.stderr)
    return code


def fail_whole(command: str, message: str, as_json: bool) -> int:
    """A failure of the whole command (no model to read with): with --json, also one ``{"error": ...}``
    line on stdout, so a script reading the JSON lines learns why there are none."""
    if as_json:
        print(json.dumps({"error": message}))
    return fail(command, message)


def model_problem(error: Exception) -> str:
    """Why the model cannot be read with, and, for its weights, what to do (a damaged default model's
    command said only its sha256, where the app read with another model and said so)."""
    from ml.runtime.cards import ModelNameError, NoModelsError, WeightsError

    if isinstance(error, ModelNameError | NoModelsError):  # it says what there is, and what would help
        return str(error)
    if isinstance(error, WeightsError):
        return f"{error}; name another model with --model (glyphpad-ml models lists them), or reinstall GlyphPad"
    return str(error)


def model_to_read_with(command: str, asked: str | None) -> str:
    """The model asked for, else the default; when the weights folder lacks the default, the model used
    instead is said on stderr (a folder of one's own models was read with its first, silently)."""
    from ml.runtime.cards import DEFAULT_MODEL, default_model_name, weights_dir

    if asked:
        return asked
    name = default_model_name()
    if name != DEFAULT_MODEL:
        print(f"glyphpad-ml {command}: no {DEFAULT_MODEL} in {weights_dir()}: reading with {name}", file=sys.stderr)
    return name


STDIN_PATH = Path("-")  # a path of "-" reads what is piped in (standard input), as other tools do


def models_to_fit(command: str, names: list[str]) -> list[Any] | int:
    """Each model named (``--model``, repeatable), loaded on the CPU for reading many drawings at once, or
    ``fail``'s status for the first that cannot be, before any is read (prior and calibrate had a loop each)."""
    from ml.runtime.cards import WeightsError
    from ml.runtime.recognizer import BATCH_THREADS, load_recognizer

    models = []
    for name in names:
        try:
            models.append(load_recognizer(name, device="cpu", threads=BATCH_THREADS))
        except WeightsError as error:
            return fail(command, str(error))
    return models


def path_or_stdin(text: str) -> Path:
    """A command's path argument: exactly "-" is STDIN_PATH itself (compared with ``is``), so that "./-"
    still names a file called "-" (equal as paths, they are not the same object)."""
    return STDIN_PATH if text == "-" else Path(text)


STDIN_HELP = "; - reads one piped in (read first)"


def piped_input(command: str, paths: list[Path], what: str) -> tuple[list[Path], bytes | None, str]:
    """``paths`` without "-", standard input's bytes when "-" was among them (None when not), and a reason
    the command cannot go on ("" when it can): nothing is piped in (a terminal would wait for typing), or
    "-" is given twice. ``what``: what is piped in ("a picture"), for the message."""
    named = [path for path in paths if path is not STDIN_PATH]
    if len(named) == len(paths):
        return paths, None, ""
    if len(paths) - len(named) > 1:
        return named, None, "- is given twice: standard input is read once"
    stdin = getattr(sys.stdin, "buffer", None)  # None: no standard input (a windowed program), or text only
    if stdin is None or sys.stdin.isatty():
        return named, None, f"- reads {what} piped in (... | glyphpad-ml {command} -): nothing is"
    from ml.runtime.image_io import MAX_FILE_BYTES

    return named, stdin.read(MAX_FILE_BYTES + 1), ""


def is_stroke_input(path: Path, piped: bytes | None = None, strokes_only: bool = False) -> bool:
    """Whether an input is read as a drawing's strokes: every input with ``--strokes`` (``strokes_only``),
    else a .json file (but a picture named so), or JSON piped in as "-" (``piped``: what was), as the app
    opens them."""
    if strokes_only:
        return True
    if path is STDIN_PATH:
        return piped is not None and _looks_like_json(piped)
    from ml.runtime.image_files import is_drawing_file

    return is_drawing_file(path)


def _looks_like_json(data: bytes) -> bool:
    """Whether bytes begin as JSON does (an object or a list), in the encoding their first bytes say
    (UTF-8, or UTF-16/32 as a Windows editor's "Unicode" writes: it was taken for a picture). A picture's
    own signature says it is none (a phone's JPEG, its EXIF block 23 KB long, was taken for JSON)."""
    from ml.runtime.image_files import format_by_signature

    if format_by_signature(data[:16]) is not None:
        return False
    head = data[:64]
    encoding = _json_encoding(head)
    try:  # (an incremental decoder leaves a character cut at the 64th byte, and fails on bytes that are no text)
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "[")


def _json_encoding(head: bytes) -> str:
    """JSON's encoding from its first bytes: a byte-order mark, or where the zero bytes of ASCII fall."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) >= 4 and head[1:4] == b"\x00\x00\x00":
        return "utf-32-le"
    if head[:3] == b"\x00\x00\x00":
        return "utf-32-be"
    if head[1:2] == b"\x00":
        return "utf-16-le"
    if head[:1] == b"\x00":
        return "utf-16-be"
    return "utf-8-sig"


def piped_nothing(paths: list[Path], piped: bytes | None) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The inputs to read with "-" first when something was piped in; when nothing was, "-" as a problem
    that says so ("empty file (0 bytes)" named no file)."""
    if piped is None:
        return paths, []
    if not piped:
        return paths, [(STDIN_PATH, "nothing was piped in (0 bytes)")]
    return [STDIN_PATH, *paths], []


def say_reads_only(card: Any) -> None:
    """A note on standard error when the model reads digits only or letters only: "A42b" read as "AG zb",
    or an A as a confident 9, is no mystery when this is said."""
    from ml.runtime.labels import READS_ONLY

    scope = READS_ONLY.get(card.label_set)
    if scope:
        print(
            f"note: {card.name} reads {scope} only; for letters and digits, choose a model of 36 classes or more",
            file=sys.stderr,
        )


def files_to_read(command: str, paths: list[Path], strokes_only: bool) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to read among ``paths`` (folders searched recursively): pictures and stroke files, or
    with ``strokes_only`` stroke files alone; and the paths that will not be read, each with its reason.
    A folder's other JSON (an exported batch's results) is passed over, as the app's batch does, and with
    ``strokes_only`` its pictures: both said on standard error."""
    from ml.runtime.image_files import display_path, find_image_files
    from ml.runtime.strokes import find_stroke_files

    other: list[Path] = []
    pictures: list[Path] = []
    if strokes_only:
        files, problems = find_stroke_files(paths, other, pictures)
    else:
        found = find_image_files(paths, stroke_files=True)
        files, problems, other = found.files, found.every_problem(), found.other_json
        if found.twins:  # (the same drawing was read twice: its picture and its strokes)
            print(
                f"note: {command} passed over {len(found.twins)} picture(s) saved beside their drawing's strokes "
                f"(read from the strokes), e.g. {display_path(found.twins[0])}",
                file=sys.stderr,
            )
    if other:
        print(
            f"note: {command} passed over {len(other)} .json file(s) in the folders that hold no strokes "
            f"(other JSON), e.g. {display_path(other[0])}",
            file=sys.stderr,
        )
    if pictures:  # (a folder's pictures were left out without a word)
        print(
            f"note: {command} --strokes passed over {len(pictures)} picture(s) in the folders, e.g. "
            f"{display_path(pictures[0])}: without --strokes they are read too",
            file=sys.stderr,
        )
    return files, problems


def json_safe(value: Any) -> Any:
    """NaN and infinities become null: the output stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class GivenOnce(argparse.Action):
    """An option a command takes once: given twice, it is refused (the last one silently won)."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        if getattr(namespace, self.dest, None) not in (None, self.default):
            parser.error(f"{option} given twice: this command reads with one (bench, drawn and export take several)")
        setattr(namespace, self.dest, values)


def reason_line(error: BaseException) -> str:
    """One line saying what went wrong: a file error names the file, other errors their first line."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.strerror or type(error).__name__}: {error.filename}"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


BLANK_TAG = "blank: "  # starts the reason of an input with nothing to read in it (JSON: "blank": true)


def problem_line(shown: str, reason: str, as_json: bool) -> str:
    """One input that gave no answer: ``{"path", "error"}`` in JSON (with ``"blank": true`` where the
    input holds nothing to read: its reason starts with ``BLANK_TAG``), in text "PATH: error: WHY", or
    "PATH: nothing to read: WHY" (a blank page is no error of the file)."""
    if as_json:
        if reason.startswith(BLANK_TAG):
            return json.dumps({"path": shown, "error": reason.removeprefix(BLANK_TAG), "blank": True})
        return json.dumps({"path": shown, "error": reason})
    from ml.runtime.image_files import printable_name

    # (The whole line: a reason names the file again, "cannot open NAME: …".)
    if reason.startswith(BLANK_TAG):
        return printable_name(f"{shown}: nothing to read: {reason.removeprefix(BLANK_TAG)}")
    return printable_name(f"{shown}: error: {reason}")


def said_failures(failed: int, inputs: int, as_json: bool) -> int:
    """The exit status of a command reading many inputs (1 when some failed, 2 when all did: nothing could
    be done); after their lines, how many could not be read."""
    if failed and not as_json:
        print(f"{failed} of {inputs} could not be read", file=sys.stderr)
    return some_or_all_failed(failed, inputs)


def some_or_all_failed(failed: int, attempted: int) -> int:
    """The exit status the README names: 0 when nothing failed, 1 when some did and the others were done,
    2 when nothing could be done."""
    if not failed:
        return 0
    return 2 if failed >= attempted else 1


def why_no_fusion(recognizer: Any, problem: str) -> str:
    """Why an image model reads strokes as a picture alone (``problem``: why its stroke model cannot be used,
    "" where it has none usable for another reason), with the command that mends it."""
    from ml.runtime.cards import is_named_model, refit_command, stale_fusions

    name = recognizer.card.name
    if problem:
        return f"{name}: its stroke model cannot be used ({problem})"
    # (A model given by its path is not the one the stroke models' cards name, whatever its name.)
    named = is_named_model(name, recognizer.weights_path)
    stale = stale_fusions(name, recognizer.card.sha256) if named else []
    if stale:
        return f"{stale[0]} was fitted to an earlier {name} ({refit_command(stale[0], name)} fits it again)"
    return f"no stroke model is fused with {name} ({how_to_fuse(recognizer.card, recognizer.weights_path)})"


def how_to_fuse(card: Any, weights_path: Path) -> str:
    """What gives ``card``'s image model (at ``weights_path``) a stroke model: fuse the one that reads its
    classes best on validation writers, or train one first (fuse refused the bundled stroke models for a
    digits model, which the note had sent a person to)."""
    from ml.runtime.cards import bundled_cards, is_named_model, stroke_model_for, stroke_models_dir

    try:  # (the stroke model of its classes, or one whose classes its own are made of: letters; a and A)
        reader = stroke_model_for(card.label_set)
    except ValueError:  # a label set this code does not know
        reader = None
    # (A model given by its path may not be in the weights folder, where fuse looks for a name.)
    image = card.name if is_named_model(card.name, weights_path) else str(weights_path)
    if reader is not None:
        return f"glyphpad-ml fuse --strokes-model {reader} --image-model {image} --write"
    damaged = [
        (path.stem, problem) for path, problem in bundled_cards(stroke_models_dir()) if isinstance(problem, Exception)
    ]
    if damaged:  # (a stroke card with a temperature of 0 was "no stroke model reads emnist36: train one")
        name, problem = damaged[0]  # (its classes unknown: its card cannot be read)
        return f"no usable stroke model reads {card.label_set}; stroke model {name} cannot be used: {problem}"
    return (
        f"no stroke model reads {card.label_set}: glyphpad-ml train-strokes --labels {card.label_set}, "
        f"then glyphpad-ml fuse --strokes-model NAME --image-model {image} --write"
    )


def add_json_or_csv(parser: argparse.ArgumentParser, own_columns: str, exported_as: str, example: str) -> None:
    """``--json`` or ``--csv`` (one or the other), the CSV's columns the first of the app's Batch export of
    ``exported_as`` ("characters", "lines"): ``CSV_FIELDS``, then ``own_columns`` (a teacher's trial took "as
    the app's Batch exports" for all of its columns, and looked for its corrected and answer columns)."""
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per line of output")
    output.add_argument(
        "--csv",
        action="store_true",
        help=f"a CSV table, a row per file ({', '.join(CSV_FIELDS)}, {own_columns}; the app's Batch export of "
        f"{exported_as} starts with the same columns): for a spreadsheet ({example})",
    )


# A ``--csv`` row's first fields, as the app's Batch names them in its CSV export (then each command's own).
CSV_FIELDS = ("path", "model", "error", "notes")
# What starts a formula in a spreadsheet (and its old DDE calls): a file named "=HYPERLINK(...).png" read from
# its own folder made a cell that a spreadsheet runs (a fuzzing trial; --help offers the CSV to one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_row(record: dict[str, Any], own_cells: Sequence[object], width: int) -> list[object]:
    """A file's ``--csv`` row: ``CSV_FIELDS`` from its record (path, model, error, notes), then the command's
    own cells, as wide as the header (``width`` columns: a file that could not be read has no cells)."""
    notes: list[str] = record.get("notes", [])
    fields = [csv_path(record["path"]), record.get("model", ""), record.get("error", ""), "; ".join(notes)]
    return [*fields, *own_cells, *[""] * (width - len(fields) - len(own_cells))]


def csv_path(path: str) -> str:
    """``path`` as a CSV cell: a relative one that would start a formula as "./" and itself, the same file
    for a script and plain text for a spreadsheet (an absolute one starts with "/" or a drive)."""
    return f"./{path}" if path.startswith(FORMULA_STARTS) and path != "-" else path  # ("-": standard input)
