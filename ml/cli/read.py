"""``glyphpad-ml read``: read written lines (images, or stroke files) as text."""

from __future__ import annotations

import argparse
import csv
import json
import sys
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
from ml.runtime.cards import CASE_MODEL, DEFAULT_MODEL, PICTURE_PARTNER, WeightsError
from ml.runtime.devices import DEVICE_CHOICES, DeviceError
from ml.runtime.image_files import printable_name

if TYPE_CHECKING:
    from ml.runtime.line_reader import LineReader

EPILOG = (
    "exit status: 0 when every input was read, 1 when some could not be (each gets a reason), 2 when none could "
    "be or on bad usage"
)


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml read", description="Read a written line (a word, a code) as text.", epilog=EPILOG
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=path_or_stdin,
        help="image files, stroke files (.json) or folders of them (with subfolders)" + STDIN_HELP,
    )
    parser.add_argument(
        "--strokes",
        action="store_true",
        help='read every file as stroke JSON ({"strokes": [[[x, y], ...]]}) whatever its name (a .json file, or '
        "JSON piped in, is read as strokes without it)",
    )
    parser.add_argument(
        "--model",
        default=None,
        action=GivenOnce,
        help=f"image model (default: the app's default, {DEFAULT_MODEL}, fused with its stroke model); as in the "
        f"app, a picture's characters are read by it and by {PICTURE_PARTNER} together when both have the same "
        f"classes, and a merged case by {CASE_MODEL} (the JSON names each model used)",
    )
    parser.add_argument(
        "--alone",
        action="store_true",
        help=f"read with the model (and its stroke model) alone: no second opinion from {PICTURE_PARTNER}, case "
        f"from the characters' sizes alone, not from {CASE_MODEL} (to judge a model of one's own; the line's "
        "rules, English spelling among them, still apply: --no-english leaves spelling out)",
    )
    parser.add_argument(
        "--no-english",
        action="store_true",
        help="read each word's letters on their own: without it, a word that reads as English leans on how English "
        "is spelled (which letter follows which) and a code of letters keeps the models' reading",
    )
    parser.add_argument("--top-k", type=int, default=3, help="alternatives per character (default 3)")
    parser.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="where the models run (default: auto, a CUDA GPU when there is one)",
    )
    add_json_or_csv(parser, "text, least_sure", "lines", "glyphpad-ml read FOLDER --csv > marks.csv")
    return parser


def run(argv: list[str]) -> int:
    from ml.runtime.image_files import display_path
    from ml.runtime.line_reader import LineReader, character_records, least_sure, read_error
    from ml.runtime.piece_verifier import VERIFIER_NAME, verifier_files
    from ml.runtime.strokes import PICTURE_READ_AS_STROKES, NotJsonTextError, read_strokes_file, strokes_from_json

    args = get_args_parser().parse_args(argv)
    if args.top_k < 1:
        return fail("read", "--top-k must be at least 1")
    what = "a stroke file" if args.strokes else "a picture or a stroke file"
    paths, piped, problem = piped_input("read", args.paths, what)
    if problem:
        return fail("read", problem)
    try:
        reader = LineReader.load(
            model_to_read_with("read", args.model),
            device=args.device,
            companions=not args.alone,
            english=not args.no_english,
        )
    except (WeightsError, DeviceError) as error:
        return fail_whole("read", model_problem(error), args.json)
    if reader.image.card.input_kind != "image":
        return fail_whole("read", f"{reader.image.card.name} is a stroke model: give an image model", args.json)
    say_reads_only(reader.image.card)
    if args.model and (helpers := companions_said(reader)):
        # A model of one's own read as well as the default did (a second model read its pictures with it).
        print(f"note: {reader.image.card.name} reads {helpers}; --alone reads with it alone", file=sys.stderr)
    files, problems = files_to_read("read", paths, args.strokes)
    files, nothing_piped = piped_nothing(files, piped)
    problems = nothing_piped + problems
    # Pictures and stroke files alike, as the app opens them: a .json file (or JSON piped in) is a drawing.
    kinds = [is_stroke_input(path, piped, args.strokes) for path in files]
    graph, card_file = verifier_files()
    if reader.verifier is None and not graph.exists() and not card_file.exists():  # (a damaged one: its warning)
        # A weights folder made by export --out has none: lines were split otherwise, and nothing said.
        print(f"note: no piece verifier in {graph.parent}: lines are split by the models' odds alone", file=sys.stderr)
    if any(kinds) and reader.fused is None:  # read on, as the app does: said, the answers differ
        # (With none fused, a stroke file was read from its pictures and nothing said, as predict says it.)
        why = why_no_fusion(reader.image, reader.stroke_model_problem)
        print(f"note: {why}: the strokes are read as pictures alone", file=sys.stderr)
    table = csv.writer(sys.stdout, lineterminator="\n") if args.csv else None
    if table is not None:
        table.writerow(CSV_COLUMNS)
    failed = 0
    todo = [*((path, why, False) for path, why in problems), *((f, "", k) for f, k in zip(files, kinds, strict=True))]
    for path, reason, as_strokes in todo:
        record: dict[str, Any] = {"path": display_path(path)}
        strokes = None
        if not reason:
            try:
                from_stdin = path is STDIN_PATH and piped is not None
                if as_strokes:
                    strokes = strokes_from_json(piped) if from_stdin and piped is not None else read_strokes_file(path)
                line = (
                    reader.read_strokes(strokes, args.top_k, rows=True)  # a note's lines, as a picture's
                    if strokes is not None
                    else reader.read_image(piped if from_stdin and piped is not None else path, args.top_k)
                )
                if not line.characters:
                    reason = BLANK_TAG + "no writing found"
            except Exception as error:  # one unreadable input must not stop the others
                reason = read_error(error)
                if args.strokes and isinstance(error, NotJsonTextError):
                    reason += f": {PICTURE_READ_AS_STROKES}"
        if reason:
            failed += 1
            record["error"] = reason
            if table is not None:
                table.writerow(csv_row(record, [], len(CSV_COLUMNS)))  # ("blank: …", as the app's export)
                sys.stdout.flush()
            else:
                print(problem_line(record["path"], reason, args.json), flush=True)
            continue
        record["model"] = reader.image.card.name  # with its stroke, case and second image models, as the app reads
        if strokes is not None and reader.fused is not None:
            record["stroke_model"] = reader.fused.strokes.card.name
        if strokes is None and reader.picture_partner is not None:
            record["second_model"] = reader.picture_partner.card.name
        if reader.case_model is not None:
            record["case_model"] = reader.case_model.card.name
        if reader.letter_pairs is not None:
            record["spelling"] = "english"  # words read with the English letter pairs (not with --no-english)
        if reader.verifier is not None:  # (a folder without one splits lines otherwise: a CLI trial's export)
            record["piece_verifier"] = VERIFIER_NAME
        record["text"] = line.text
        if line.notes:
            record["notes"] = list(line.notes)
        record["chars"] = character_records(line, y_up=strokes is not None and strokes.source_y_up)
        if table is not None:
            sure = round(least_sure(record["chars"]), 5)  # as the app's export: punctuation is no model's answer
            table.writerow(csv_row(record, [line.text, sure], len(CSV_COLUMNS)))
            sys.stdout.flush()
            continue
        print(json.dumps(record) if args.json else shown_reading(record["path"], line.text, line.notes), flush=True)
    return said_failures(failed, len(files) + len(problems), args.json)


# The columns of ``--csv``, named as the app's Batch names them in a CSV of lines (less its own).
CSV_COLUMNS = (*CSV_FIELDS, "text", "least_sure")


def shown_reading(path: str, text: str, notes: tuple[str, ...]) -> str:
    """A reading as ``read`` prints it: "path: text (notes)"; a picture's lines each on a line of their own
    after its path, as grep gives them, and the notes on one more (after the last line they read as its
    words; later lines had no path to tell which file they were of)."""
    lines, path = text.split("\n"), printable_name(path)
    said = printable_name("".join(f" ({note})" for note in notes))  # (a note may name the file)
    if len(lines) == 1:
        return f"{path}: {text}{said}"
    return "\n".join([*(f"{path}: {line}" for line in lines), *([f"{path}:{said}"] if said else [])])


def companions_said(reader: LineReader) -> str:
    """What reads a line beside the image model, in words ("" when nothing does)."""
    said = []
    if reader.picture_partner is not None:
        said.append(f"pictures with {reader.picture_partner.card.name} as a second opinion")
    if reader.case_model is not None:
        said.append(f"case with {reader.case_model.card.name}")
    return " and ".join(said)
