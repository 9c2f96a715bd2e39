"""``glyphpad-ml predict``: recognize image files or folders, or stroke files (``--strokes``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ml.cli.common import (
    BLANK_TAG,
    STDIN_HELP,
    STDIN_PATH,
    CommandParser,
    GivenOnce,
    fail,
    fail_whole,
    model_to_read_with,
    path_or_stdin,
    piped_input,
    problem_line,
    said_failures,
    stroke_file_named_as_image,
)
from ml.runtime.cards import DEFAULT_MODEL, WeightsError
from ml.runtime.devices import DEVICE_CHOICES, DeviceError
from ml.runtime.labels import TOP_K

EPILOG = (
    "exit status: 0 when every file was recognized, 1 when some could not be (each gets a reason), 2 when none "
    "could be or on bad usage"
)


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="glyphpad-ml predict", description="Recognize images.", epilog=EPILOG)
    parser.add_argument(
        "paths",
        nargs="+",
        type=path_or_stdin,
        help="image files, stroke JSON files (--strokes) or folders (searched recursively)" + STDIN_HELP,
    )
    parser.add_argument(
        "--model",
        default=None,
        action=GivenOnce,
        help=f"bundled model name or .safetensors path (default: the app's default model, {DEFAULT_MODEL})",
    )
    parser.add_argument("--top-k", type=int, default=TOP_K, help=f"answers per image (default {TOP_K})")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES, help="where the model runs")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--strokes",
        action="store_true",
        help='the paths are stroke JSON files ({"strokes": [[[x, y], ...], ...]}, y down; optionally "t" and '
        '"pressure": one list of numbers per stroke, one per point) or folders of them; the answer fuses '
        "the image model with its stroke model (a stroke model given with --model reads alone)",
    )
    return parser


def run(argv: list[str]) -> int:
    from tqdm import tqdm

    from ml.runtime.image_files import display_path, find_image_files
    from ml.runtime.recognizer import BATCH_SIZE, BATCH_THREADS, Prediction, load_recognizer

    args = get_args_parser().parse_args(argv)
    if args.top_k < 1:
        return fail("predict", "--top-k must be at least 1")
    what = "a stroke file" if args.strokes else "a picture"
    args.paths, args.piped, problem = piped_input("predict", args.paths, what)
    if problem:
        return fail("predict", problem)
    try:
        name = model_to_read_with("predict", args.model)
        recognizer = load_recognizer(name, device=args.device, threads=BATCH_THREADS)
    except (WeightsError, DeviceError) as error:
        return fail_whole("predict", str(error), args.json)
    if args.strokes:
        return _predict_strokes(args, recognizer)
    if recognizer.card.input_kind == "strokes":
        stroke_model = f"{recognizer.card.name} reads strokes: add --strokes and give stroke JSON files"
        return fail_whole("predict", stroke_model, args.json)
    found = find_image_files(args.paths)
    problems = found.every_problem()
    named = [STDIN_PATH] * (args.piped is not None) + found.files
    problems += [(path, why) for path in named if (why := stroke_file_named_as_image(path, args.piped))]
    files = [path for path in named if not stroke_file_named_as_image(path, args.piped)]
    failed = len(problems)
    for path, reason in problems:
        print(problem_line(display_path(path), reason, args.json))
    with tqdm(total=len(files), desc="predict", unit="img", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(files), BATCH_SIZE):
            batch = files[start : start + BATCH_SIZE]
            inputs = [args.piped if path is STDIN_PATH else path for path in batch]
            for path, result in zip(batch, recognizer.predict_many(inputs, top_k=args.top_k), strict=True):
                if isinstance(result, Prediction):
                    record: dict[str, Any] = {
                        "path": display_path(path),
                        "model": recognizer.card.name,
                        "top": result.as_dict()["top"],
                    }
                    picture = args.piped if path is STDIN_PATH else path
                    notes = [*result.notes, *filter(None, [_several_in_picture(picture)])]
                    if notes:
                        record["notes"] = notes
                    line = (
                        json.dumps(record)
                        if args.json
                        else f"{record['path']}: "
                        + ", ".join(f"{s.label} {100 * s.prob:.1f}%" for s in result.top)
                        + "".join(f" ({note})" for note in notes)
                    )
                else:
                    failed += 1
                    shown = display_path(path)
                    line = problem_line(shown, (BLANK_TAG if result.blank else "") + result.reason, args.json)
                bar.clear()
                print(line, flush=True)
            bar.update(len(batch))
    return said_failures(failed, len(files) + len(problems), args.json)


def _predict_strokes(args: argparse.Namespace, recognizer: Any) -> int:
    from ml.runtime.fusion import fusion_or_reason, read_drawing_strokes
    from ml.runtime.image_files import display_path
    from ml.runtime.recognizer import Prediction
    from ml.runtime.strokes import (
        BlankStrokesError,
        StrokesError,
        find_stroke_files,
        read_strokes_file,
        strokes_from_json,
    )

    fused = None
    if recognizer.card.input_kind == "image":
        try:
            fused, problem = fusion_or_reason(recognizer, args.device)
        except DeviceError as error:
            return fail("predict", f"the stroke model of {recognizer.card.name} cannot be used: {error}")
        if fused is None:  # the answer is the picture's alone: said, as the JSON's "inputs" says it
            from ml.runtime.cards import is_named_model, refit_command, stale_fusions

            name = recognizer.card.name
            # (A model given by its path is not the one the stroke models' cards name, whatever its name.)
            named = is_named_model(name, recognizer.weights_path)
            stale = stale_fusions(name, recognizer.card.sha256) if named else []
            why = (
                f"{name}: its stroke model cannot be used ({problem})"
                if problem
                else f"{stale[0]} was fitted to an earlier {name} ({refit_command(stale[0], name)} fits it again)"
                if stale
                else f"no stroke model is fused with {name} (glyphpad-ml fuse)"
            )
            print(f"note: {why}: the strokes are read as a picture alone", file=sys.stderr)
    other: list[Path] = []
    files, problems = find_stroke_files(args.paths, other)
    files = [STDIN_PATH] * (args.piped is not None) + files
    if other:  # passed over, as the app's batch does: said, not silent
        print(
            f"note: passed over {len(other)} .json file(s) in the folders that hold no strokes (other JSON), "
            f"e.g. {display_path(other[0])}",
            file=sys.stderr,
        )
    failed = 0
    for path, reason in [*problems, *((f, None) for f in files)]:
        result: Any
        blank = False
        if reason is None:
            try:
                strokes = strokes_from_json(args.piped) if path is STDIN_PATH else read_strokes_file(path)
                # a file with no character in it is reported as blank, not guessed at
                result = read_drawing_strokes(strokes, recognizer, fused, args.top_k)
            except (StrokesError, OSError, ValueError) as error:
                reason, blank = str(error) or type(error).__name__, isinstance(error, BlankStrokesError)
        shown = display_path(path)
        if reason is None and isinstance(result, Prediction):
            record: dict[str, Any] = {
                "path": shown,
                "model": recognizer.card.name,
                "top": result.as_dict()["top"],
                "inputs": list(result.inputs_used),
            }
            if fused is not None and "strokes" in result.inputs_used:
                record["stroke_model"] = fused.strokes.card.name
            several = _several_characters(strokes)
            if several:
                record["notes"] = [several]
            line = (
                json.dumps(record)
                if args.json
                else f"{shown}: "
                + ", ".join(f"{s.label} {100 * s.prob:.1f}%" for s in result.top)
                + (f" ({several})" if several else "")
            )
        else:
            failed += 1
            if reason is None:
                reason, blank = result.reason, result.blank
            line = problem_line(shown, (BLANK_TAG if blank else "") + reason, args.json)
        print(line, flush=True)
    return said_failures(failed, len(files) + len(problems), args.json)


def _several_in_picture(path: Path | bytes) -> str:
    """A note when a picture holds several characters side by side (a photo of a word gets one guess)."""
    from ml.runtime.line_reader import apart_in_wide_picture

    count = apart_in_wide_picture(path)
    return f"this looks like {count} characters: glyphpad-ml read reads them as text" if count > 1 else ""


def _several_characters(strokes: Any) -> str:
    """A note when the strokes stand apart as several characters (predict answers with one of them)."""
    from ml.runtime.segmentation import RowsOfWritingError, apart_characters

    try:
        count = apart_characters(list(strokes.strokes))
    except RowsOfWritingError:  # rows of writing: several characters too
        return "this looks like several lines of writing: glyphpad-ml read --strokes reads one line as text"
    except ValueError:  # more strokes than a line holds: one character shaded in, not a line
        return ""
    return f"this looks like {count} characters: glyphpad-ml read --strokes reads them as text" if count > 1 else ""
