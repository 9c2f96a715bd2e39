"""``glyphpad-ml predict``: recognize the character in each image file or stroke file (files or folders)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ml.cli.common import (
    BLANK_TAG,
    CSV_FIELDS,
    STDIN_HELP,
    STDIN_PATH,
    CommandParser,
    GivenOnce,
    add_json_or_csv,
    csv_row,
    fail,
    fail_whole,
    files_to_read,
    is_stroke_input,
    model_problem,
    model_to_read_with,
    path_or_stdin,
    piped_input,
    piped_nothing,
    problem_line,
    said_failures,
    say_reads_only,
    why_no_fusion,
)
from ml.runtime.percentages import confidence_text

if TYPE_CHECKING:
    from ml.runtime.line_reader import WritingCount
from ml.runtime.cards import DEFAULT_MODEL, WeightsError
from ml.runtime.devices import DEVICE_CHOICES, DeviceError
from ml.runtime.image_files import printable_name
from ml.runtime.labels import TOP_K, merged_case_of

EPILOG = (
    "exit status: 0 when every file was recognized, 1 when some could not be (each gets a reason), 2 when none "
    "could be or on bad usage"
)


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml predict", description="Recognize the character in images and drawings.", epilog=EPILOG
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=path_or_stdin,
        help="image files, stroke files (.json) or folders of them (searched recursively)" + STDIN_HELP,
    )
    parser.add_argument(
        "--model",
        default=None,
        action=GivenOnce,
        help=f"bundled model name or .safetensors path (default: the app's default model, {DEFAULT_MODEL})",
    )
    parser.add_argument("--top-k", type=int, default=TOP_K, help=f"answers per image (default {TOP_K})")
    parser.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="where the model runs (default: auto, a CUDA GPU when there is one)",
    )
    add_json_or_csv(parser, "label_1, prob_1, ...", "characters", "glyphpad-ml predict FOLDER --csv > answers.csv")
    parser.add_argument(
        "--strokes",
        action="store_true",
        help="read every file as strokes, whatever its name (a .json file, or JSON piped in, is read as strokes "
        'without it). A stroke file: {"strokes": [[[x, y], ...], ...]}, y down; optionally "t" and "pressure": '
        'one list of numbers per stroke, one per point; "pad" and "pen" as GlyphPad writes them. A drawing\'s '
        "answer fuses the image model with its stroke model (a stroke model given with --model reads alone)",
    )
    return parser


def run(argv: list[str]) -> int:
    from tqdm import tqdm

    from ml.runtime.image_files import display_path
    from ml.runtime.recognizer import BATCH_SIZE, BATCH_THREADS, load_recognizer

    args = get_args_parser().parse_args(argv)
    if args.top_k < 1:
        return fail("predict", "--top-k must be at least 1")
    what = "a stroke file" if args.strokes else "a picture or a stroke file"
    args.paths, args.piped, problem = piped_input("predict", args.paths, what)
    if problem:
        return fail("predict", problem)
    try:
        name = model_to_read_with("predict", args.model)
        recognizer = load_recognizer(name, device=args.device, threads=BATCH_THREADS)
    except (WeightsError, DeviceError) as error:
        return fail_whole("predict", model_problem(error), args.json)
    say_reads_only(recognizer.card)
    args.merged_case = merged_case_of(recognizer.labels)  # (for the text output: "A/a 97.1%")
    files, problems = files_to_read("predict", args.paths, args.strokes)
    files, nothing_piped = piped_nothing(files, args.piped)
    problems = nothing_piped + problems
    # Pictures and stroke files alike, as the app opens them: a .json file (or JSON piped in) is a drawing.
    kinds = [is_stroke_input(path, args.piped, args.strokes) for path in files]
    reads_strokes = recognizer.card.input_kind == "strokes"
    if reads_strokes and files and not any(kinds):
        stroke_model = f"{recognizer.card.name} reads strokes: give stroke JSON files"
        return fail_whole("predict", stroke_model, args.json)
    fused = None
    if any(kinds) and not reads_strokes:
        try:
            fused = _fusion(recognizer, args.device)
        except DeviceError as error:
            return fail("predict", f"the stroke model of {recognizer.card.name} cannot be used: {error}")
    table = csv.writer(sys.stdout, lineterminator="\n") if args.csv else None
    if table is not None:
        # As many answers as a file gets: --top-k, or all the model's classes where it has fewer.
        args.answers = min(args.top_k, len(recognizer.labels))
        numbered = (f"{name}_{k}" for k in range(1, args.answers + 1) for name in ("label", "prob"))
        table.writerow([*CSV_FIELDS, *numbered])
    for path, reason in problems:
        print_record(problem_record(display_path(path), reason), args, table)
    failed = len(problems)
    with tqdm(total=len(files), desc="predict", unit="file", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(files), BATCH_SIZE):
            # A batch's pictures read together (a folder of pictures and drawings side by side read them one
            # at a time), its lines in the files' order.
            batch = list(zip(files[start : start + BATCH_SIZE], kinds[start : start + BATCH_SIZE], strict=True))
            pictures = [path for path, strokes in batch if not strokes]
            picture_records = iter(_picture_records(pictures, args, recognizer) if pictures else [])
            records = [
                _stroke_record(path, args, recognizer, fused) if strokes else next(picture_records)
                for path, strokes in batch
            ]
            bar.clear()
            for record in records:
                failed += "error" in record
                print_record(record, args, table)
            bar.update(len(batch))
    return said_failures(failed, len(files) + len(problems), args.json)


def _picture_records(batch: list[Path], args: argparse.Namespace, recognizer: Any) -> list[dict[str, Any]]:
    """Each picture's record of output: its answers, or why it has none (``problem_record``'s)."""
    from ml.runtime.image_files import display_path
    from ml.runtime.recognizer import Prediction

    if recognizer.card.input_kind == "strokes":
        reason = f"{recognizer.card.name} reads strokes, not pictures"
        return [problem_record(display_path(path), reason) for path in batch]
    inputs = [args.piped if path is STDIN_PATH else path for path in batch]
    records = []
    for path, picture, result in zip(batch, inputs, recognizer.predict_many(inputs, top_k=args.top_k), strict=True):
        shown = display_path(path)
        if not isinstance(result, Prediction):
            records.append(problem_record(shown, (BLANK_TAG if result.blank else "") + result.reason))
            continue
        record: dict[str, Any] = {"path": shown, "model": recognizer.card.name, "top": result.as_dict()["top"]}
        notes = [*result.notes, *filter(None, [_several_in_picture(picture)])]
        if notes:
            record["notes"] = notes
        records.append(record)
    return records


def _fusion(recognizer: Any, device: str) -> Any:
    """The image model's fusion with its stroke model, or None (said on standard error: the strokes are
    then read as a picture alone, as the JSON's "inputs" says)."""
    from ml.runtime.fusion import fusion_or_reason

    fused, problem = fusion_or_reason(recognizer, device)
    if fused is None:
        print(f"note: {why_no_fusion(recognizer, problem)}: the strokes are read as a picture alone", file=sys.stderr)
    return fused


def _stroke_record(path: Path, args: argparse.Namespace, recognizer: Any, fused: Any) -> dict[str, Any]:
    """A stroke file's record of output: its answers, or why it has none (``problem_record``'s)."""
    from ml.runtime.fusion import read_drawing_strokes
    from ml.runtime.image_files import display_path
    from ml.runtime.recognizer import Prediction
    from ml.runtime.strokes import (
        PICTURE_READ_AS_STROKES,
        BlankStrokesError,
        NotJsonTextError,
        StrokesError,
        read_strokes_file,
        strokes_from_json,
    )

    shown = display_path(path)
    try:
        strokes = strokes_from_json(args.piped) if path is STDIN_PATH else read_strokes_file(path)
        # a file with no character in it is reported as blank, not guessed at
        result = read_drawing_strokes(strokes, recognizer, fused, args.top_k)
    except (StrokesError, OSError, ValueError) as error:
        blank = BLANK_TAG if isinstance(error, BlankStrokesError) else ""
        advice = f": {PICTURE_READ_AS_STROKES}" if args.strokes and isinstance(error, NotJsonTextError) else ""
        return problem_record(shown, blank + (str(error) or type(error).__name__) + advice)
    if not isinstance(result, Prediction):
        return problem_record(shown, (BLANK_TAG if result.blank else "") + result.reason)
    record: dict[str, Any] = {
        "path": shown,
        "model": recognizer.card.name,
        "top": result.as_dict()["top"],
        "inputs": list(result.inputs_used),
    }
    if fused is not None and "strokes" in result.inputs_used:
        record["stroke_model"] = fused.strokes.card.name
    notes = [*result.notes, *filter(None, [_several_characters(strokes)])]  # (a dash's note, as the app says it)
    if notes:
        record["notes"] = notes
    return record


def problem_record(shown: str, reason: str) -> dict[str, Any]:
    """An input that gave no answer: its path and why (``reason`` starts with ``BLANK_TAG`` where it holds
    nothing to read)."""
    return {"path": shown, "error": reason}


def print_record(record: dict[str, Any], args: argparse.Namespace, table: Any) -> None:
    """A file's record on standard output: a CSV row (with ``table``), a JSON line, or "path: A/a 97.1%, ..."
    (a letter read in either case by the model written as both, as the app writes it: "A" alone read as a
    capital the model told apart; a chance under 0.05% as "<0.1%", as the app says it)."""
    notes: list[str] = record.get("notes", [])
    if table is not None:  # (an error's row as wide as the header, as the app's export writes one)
        cells = [value for answer in record.get("top", []) for value in (answer["label"], answer["prob"])]
        table.writerow(csv_row(record, cells, len(CSV_FIELDS) + 2 * args.answers))
        sys.stdout.flush()  # (each row as it is read, as read --csv writes them)
    elif "error" in record:
        print(problem_line(record["path"], record["error"], args.json), flush=True)
    elif args.json:
        print(json.dumps(record), flush=True)
    else:
        top = record["top"]
        named = [f"{a['label']}/{a['label'].lower()}" if a["label"] in args.merged_case else a["label"] for a in top]
        answers = ", ".join(f"{name} {confidence_text(a['prob'])}" for name, a in zip(named, top, strict=True))
        print(printable_name(f"{record['path']}: {answers}" + "".join(f" ({note})" for note in notes)), flush=True)


def _several_in_picture(path: Path | bytes) -> str:
    """A note when a picture holds several characters side by side (a photo of a word gets one guess), or
    lines of them (a picture of two lines got one guess, and nothing said: an ML practitioner's trial)."""
    from ml.runtime.line_reader import writing_in_picture_file

    return _writing_note(writing_in_picture_file(path))


def _several_characters(strokes: Any) -> str:
    """A note when the strokes stand apart as several characters (predict answers with one of them), or lines."""
    from ml.runtime.line_reader import writing_in_strokes

    return _writing_note(writing_in_strokes(strokes.strokes))


def _writing_note(count: WritingCount) -> str:
    """What a picture or strokes given one answer hold."""
    if count.lines:
        return f"this looks like {count.lines} lines of writing: glyphpad-ml read reads them as text"
    return f"this looks like {count.apart} characters: glyphpad-ml read reads them as text" if count.apart > 1 else ""
