"""``glyphpad-ml evaluate``: a model's metrics per data source, or on an image folder."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.cli.common import CommandParser, fail, json_safe, model_to_read_with, say_reads_only
from ml.runtime.cards import DEFAULT_MODEL, WeightsError, card_path_for, read_card, write_card
from ml.runtime.devices import DEVICE_CHOICES, DeviceError
from ml.training.data.locations import EMNIST_HELP, PEN_DATA_HELP
from ml.training.data.unipen import learned_from_pen, model_writer_seed

if TYPE_CHECKING:
    from ml.evaluation.words import ComposedWord
    from ml.runtime.line_reader import LineReader

DEFAULT_SOURCES = ("emnist_test", "unipen_val", "drawn")


def get_args_parser() -> argparse.ArgumentParser:
    from ml.evaluation.evaluate import SOURCES, WORD_COUNT

    parser = CommandParser(prog="glyphpad-ml evaluate", description="Evaluate a model on each data source.")
    parser.add_argument(
        "--model",
        default=None,
        help=f"bundled model name or .safetensors path (default: the app's default model, {DEFAULT_MODEL}; "
        "--update-card wants it given, by name or path: it rewrites that card)",
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        default=None,
        help=f"data source (repeatable; default {', '.join(DEFAULT_SOURCES)}; --update-card adds unipen_test, "
        "and emnist_val beside emnist_test; words_val / words_test read composed words as lines, on their own; "
        "words_*_pictures read pictures of them; words_*_english compose English words (held out of the letter "
        "pairs) instead of random texts; printed_words reads type in matplotlib's fonts)",
    )
    parser.add_argument(
        "--images",
        type=Path,
        default=None,
        help="instead, an image folder, one sub-folder per character named by it ('A', '7'; 'a_lower': a small a)",
    )
    parser.add_argument("--emnist", "--data", type=Path, default=None, help=EMNIST_HELP + "; --data as in train")
    parser.add_argument("--pen-data", type=Path, default=None, help=PEN_DATA_HELP)
    parser.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="where the model runs (default: auto, a CUDA GPU when there is one)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads of the models (default 0: every core; words are read as the app reads them)",
    )
    parser.add_argument(
        "--words",
        type=int,
        default=None,
        help=f"words composed for each words_* source (default {WORD_COUNT}, as the cards' figures; by the same "
        "writers: more narrow the range each rate is said with only so far)",
    )
    parser.add_argument(
        "--word-seed",
        type=int,
        default=None,
        help="which words are composed (default: the cards' words; another seed draws other words by the same writers)",
    )
    parser.add_argument(
        "--against",
        default=None,
        metavar="MODEL",
        help="read the words_* sources' words with this image model too (with its stroke model and companions, as "
        "text mode reads) and say each rate by both, and the difference (this model's less --model's) with the "
        "range resampling the writers gives it: two readers of the same words told apart by less than their ranges",
    )
    parser.add_argument(
        "--no-english",
        action="store_true",
        help="read the words' letters on their own, without the English letter pairs text mode reads words with "
        "(what spelling adds or costs; not with --update-card)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", type=Path, default=None, help="write PNG plots and report.json (first source) here")
    parser.add_argument("--update-card", action="store_true", help="store these metrics in the model card")
    return parser


def _folder_inputs(label_set_name: str, folder: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """The folder's pictures of the label set's characters, preprocessed, and their classes; and how many
    files could not be scored (not pictures, or blank)."""
    from ml.runtime.labels import get_label_set
    from ml.training.data.image_folders import folder_pictures

    pictures = folder_pictures(folder, get_label_set(label_set_name))
    for line in pictures.left_out(label_set_name):
        print(line, file=sys.stderr)
    return pictures.inputs, pictures.targets, len(pictures.unread)


def _folder_drawings(recognizer: Any, folder: Path, device: str) -> tuple[Any, str] | None:
    """The stroke files in ``folder``'s class folders read as the app reads a drawing (its picture and, when a
    stroke model is fused with the model, its strokes): an EvaluationSet whose inputs are the probabilities,
    and what they were read from; None when the folder holds no stroke files of the model's characters."""
    from ml.evaluation.evaluate import EvaluationSet
    from ml.runtime.fusion import fusion_or_reason, read_drawing_strokes
    from ml.runtime.handwriting_examples import class_folders
    from ml.runtime.labels import get_label_set
    from ml.runtime.recognizer import Prediction
    from ml.runtime.strokes import StrokesError, find_stroke_files, read_strokes_file

    label_set = get_label_set(recognizer.card.label_set)
    labels = list(recognizer.card.labels)
    files: list[tuple[Path, int, str]] = []
    for class_folder, char in class_folders(folder):  # (a folder named as no character was refused before)
        if (target := label_set.class_of(char)) is not None:
            files.extend((path, target, char) for path in find_stroke_files([class_folder])[0])
    if not files:
        return None
    fused, _ = fusion_or_reason(recognizer, device)
    rows, targets, written = [], [], []
    for path, target, char in files:
        try:
            result = read_drawing_strokes(read_strokes_file(path), recognizer, fused, len(labels))
        except (StrokesError, OSError, ValueError):
            continue  # (said as a picture's problem is: a stroke file that cannot be read holds no drawing)
        if not isinstance(result, Prediction):
            continue
        row = np.zeros(len(labels), dtype=np.float32)
        for answer in result.as_dict()["top"]:
            row[labels.index(answer["label"])] = answer["prob"]
        rows.append(row)
        targets.append(target)
        written.append(char)
    if not rows:
        return None
    how = f"their pictures and strokes ({fused.strokes.card.name})" if fused is not None else "their pictures alone"
    data = EvaluationSet(np.stack(rows), np.array(targets), np.array(written), np.full(len(rows), ""))
    return data, how


def run(argv: list[str]) -> int:
    from ml.evaluation.evaluate import EvaluationSet, load_source, score, score_probabilities
    from ml.runtime.recognizer import BATCH_THREADS, load_recognizer

    args = get_args_parser().parse_args(argv)
    if args.threads is not None and args.threads < 0:
        return fail("evaluate", "--threads must be 0 (every core) or more")
    if args.report is not None:  # said now, not after the scoring
        from ml.training.export import output_problems

        if problems := output_problems("", args.report, "--report"):
            return fail("evaluate", "; ".join(problems))
    threads = args.threads or BATCH_THREADS
    if args.images is not None and args.update_card:
        # A card records the sources every model is scored on; a folder of one's own is not one of them.
        return fail("evaluate", "--update-card stores the data sources' figures; an --images folder is scored only")
    word_sources = [name for name in (args.source or []) if name.startswith("words_") or name == "printed_words"]
    others = [name for name in (args.source or []) if name not in word_sources]
    if word_sources and (others or args.images is not None):  # they were passed over without a word
        given = ", ".join(others + (["--images"] if args.images is not None else []))
        return fail("evaluate", f"the words sources are scored on their own: run {given} in another evaluate")
    composing = args.words is not None or args.word_seed is not None
    if composing and not any(name.startswith("words_") for name in word_sources):
        return fail("evaluate", "--words and --word-seed compose the words of a words_* source: name one with --source")
    if args.words is not None and args.words < 1:
        return fail("evaluate", "--words must be 1 or more")
    if composing and args.update_card:  # the README's table compares the cards on the same words
        return fail("evaluate", "--update-card stores the cards' own words' figures: leave out --words and --word-seed")
    if args.against is not None and (args.update_card or not word_sources or "printed_words" in word_sources):
        return fail("evaluate", "--against compares readers on composed words: name words_* sources, no --update-card")
    if args.no_english and args.update_card:  # a card's words are read as the app reads them
        return fail("evaluate", "--update-card stores the words as text mode reads them: leave out --no-english")
    if args.no_english and not word_sources:
        return fail("evaluate", "--no-english reads words: name a words_* or printed_words source")
    if args.update_card and not args.model:  # a card is rewritten: the one meant, named
        return fail("evaluate", "--update-card rewrites a model's card: name the model with --model")
    try:
        recognizer = load_recognizer(model_to_read_with("evaluate", args.model), device=args.device, threads=threads)
    except (WeightsError, DeviceError) as error:
        return fail("evaluate", str(error))
    args.threads = threads
    card = recognizer.card
    if card.input_kind == "strokes":
        return _evaluate_stroke_model(recognizer, args)
    if word_sources:
        return _evaluate_words(recognizer, args, word_sources)
    names = ["images"] if args.images is not None else list(args.source or DEFAULT_SOURCES)
    if args.images is None:
        if args.update_card and "unipen_test" not in names:
            names.append("unipen_test")
        # The card's EMNIST validation figure as the model answers now (training scored it before any class
        # prior): kept in step with the test split's.
        if args.update_card and "emnist_test" in names and "emnist_val" not in names:
            names.append("emnist_val")
    if missing := _data_missing(names, args):  # said before the first source is scored, not a minute after
        return fail("evaluate", missing)
    split_seed = card.training.get("config", {}).get("split_seed")
    if not args.json:  # each source's figures as soon as they are known: the drawings take a minute
        print(f"{card.name} ({card.label_set}, {recognizer.describe_device()})", flush=True)
    results: dict[str, Any] = {}
    full: dict[str, Any] = {}
    unread = 0  # files of an --images folder that could not be scored: exit status 1, as predict's
    for number, name in enumerate(names, 1):
        # Said as each source starts (on stderr, whatever the output): drawing a source's characters takes
        # half a minute, silent.
        print(f"evaluating {name} ({number} of {len(names)})…", file=sys.stderr, flush=True)
        try:
            if name == "images":
                inputs, targets, unread = _folder_inputs(card.label_set, args.images)
                data = EvaluationSet(inputs, targets, np.array(card.labels)[targets], np.full(len(targets), ""))
            else:
                data = load_source(
                    name,
                    card.label_set,
                    emnist=args.emnist,
                    pen_data=args.pen_data,
                    split_seed=split_seed,
                    writer_seed=model_writer_seed(card),
                )
        except (FileNotFoundError, ValueError) as error:
            return fail("evaluate", str(error))
        results[name], full[name], probabilities = score(recognizer, data)
        if name == "images" and unread:  # (the exit status 1 says some failed; the JSON, how many)
            results[name]["unread"] = unread
        if args.report is not None and len(full) == 1:
            from ml.evaluation.report import write_report

            history = None
            metrics_json = recognizer.weights_path.with_suffix(".metrics.json")
            if metrics_json.exists():
                history = json.loads(metrics_json.read_text()).get("history")
            write_report(
                args.report,
                full[name],
                probabilities,
                data.targets,
                list(card.labels),
                data.inputs,
                history=history,
                title=f"{card.name} on {name}",
                model_name=card.name,
            )
        if not args.json:
            _print_source(name, results[name], full[name], list(card.labels))
        if name == "images" and (drawings := _folder_drawings(recognizer, args.images, args.device)) is not None:
            # The strokes kept beside the pictures (File -> Keep as Example), read as the app reads a drawing.
            data, how = drawings
            results["images_drawings"], full["images_drawings"] = score_probabilities(
                data.inputs, data, list(card.labels)
            )
            results["images_drawings"]["read_from"] = how
            if not args.json:
                print(f"  {'':14s}the folder's drawings (their stroke files), read from {how}:")
                _print_source("drawings", results["images_drawings"], full["images_drawings"], list(card.labels))
    if args.update_card:
        emnist = full.get("emnist_test")
        metrics = card.metrics
        if emnist is not None:
            metrics = {
                "split": "test",
                **results["emnist_test"],
                "per_class_recall": {c: v["recall"] for c, v in emnist["per_class"].items()},
            }
        path = card_path_for(recognizer.weights_path)
        write_card(replace(card, metrics=metrics, metrics_by_source={**card.metrics_by_source, **results}), path)
        read_card(path)
        print(f"updated {path} ({', '.join(results)})", file=sys.stderr)
    if args.json:
        print(json.dumps(json_safe({"model": card.name, "sources": results})))
    elif partner := _stroke_partner_of(recognizer, names):
        # (An instructor compared these with the Model box's figure, which is the fused answer's.)
        print(
            f"note: the pen drawings above are read from the picture alone; the app reads a drawing with "
            f"{partner} too (its Model box figure): glyphpad-ml evaluate --model {partner} scores the two fused",
            file=sys.stderr,
        )
    return 1 if unread else 0


def _stroke_partner_of(recognizer: Any, names: list[str]) -> str:
    """The stroke model the app fuses with this image model, where pen drawings were scored ("" if none)."""
    from ml.runtime.cards import fusion_partner, is_named_model

    card = recognizer.card
    if not any(name.startswith("unipen_") for name in names) or not is_named_model(card.name, recognizer.weights_path):
        return ""
    partner = fusion_partner(card.name, image_sha256=card.sha256)
    return partner.stem if partner is not None else ""


def _data_missing(names: list[str], args: argparse.Namespace) -> str:
    """Why a source's data cannot be read, found without reading it ("" when all are there)."""
    from ml.training.data.emnist import default_data_dir, find_emnist_files, no_files_in
    from ml.training.data.unipen import default_unipen_file, no_archive_at, unipen_file

    if any(name.startswith("emnist_") for name in names):
        folder = Path(args.emnist) if args.emnist is not None else default_data_dir()
        if not find_emnist_files(folder):
            return no_files_in(folder)
    if any(name.startswith("unipen_") for name in names):
        archive = unipen_file(args.pen_data) if args.pen_data else default_unipen_file()
        if not archive.is_file():
            return no_archive_at(archive)
    return ""


def _print_source(name: str, result: dict[str, Any], full: dict[str, Any], labels: list[str]) -> None:
    from ml.training.metrics import most_confused_pairs, scores_line

    calibration = result.get("calibration_error")  # the README's "confidence off by"
    sure = f"  calibration error {100 * calibration:.2f} points" if isinstance(calibration, float) else ""
    print(f"  {name:14s} {scores_line(result)}{sure}")
    if "per_condition" in result:
        print("  " + " " * 14 + "  ".join(f"{k} {100 * v:.1f}%" for k, v in result["per_condition"].items()))
    for pair, counts in result.get("lookalikes", {}).items():
        shown = pair.replace("->", " read as the digit ")  # "O/o read as the digit 0: 3 of 120"
        print(f"  {'':14s}{shown}: {counts['read_as_digit']} of {counts['written']}")
    for pair, counts in result.get("digits_as_letters", {}).items():
        digit, letters = pair.split("->")  # "the digit 0 read as O/o: 20 of 1035"
        print(f"  {'':14s}the digit {digit} read as {letters}: {counts['read_as_letter']} of {counts['written']}")
    pairs = most_confused_pairs(np.array(full["confusion"]), labels, top=5)
    confused = ", ".join(f"{p['true']}->{p['predicted']} ({p['count']})" for p in pairs)
    print(f"  {'':14s}most confused: {confused or 'nothing (no errors)'}", flush=True)
    if name in ("images", "drawings"):  # a person's own folder: which of their characters are read, how sure
        for line in _by_character(np.array(full["confusion"]), labels, "picture" if name == "images" else "drawing"):
            print(f"  {'':14s}{line}", flush=True)


SMALL_FOLDER = 100  # pictures: under this, a folder's rate moves by a point or more with each picture


def _by_character(confusion: np.ndarray, labels: list[str], thing: str = "picture") -> list[str]:
    """A folder's pictures by character: how many of each were read right, and as what when not ("O 2/3
    (read as 0 1)"); and, for a small folder, how far one picture moves its overall rates."""
    lines, parts = [], []
    for k, label in enumerate(labels):
        written = int(confusion[k].sum())
        if not written:
            continue
        wrong = [(labels[j], int(n)) for j, n in enumerate(confusion[k]) if j != k and n]
        read_as = " (" + ", ".join(f"read as {other} {n}" for other, n in sorted(wrong, key=lambda w: -w[1])) + ")"
        parts.append(f"{label} {int(confusion[k, k])}/{written}" + (read_as if wrong else ""))
    lines.append("by character: " + ", ".join(parts))
    total = int(confusion.sum())
    if total < SMALL_FOLDER:
        lines.append(
            f"only {total} {thing}{'s' if total != 1 else ''}: each moves the overall rates by {100 / total:.1f} "
            "points (a few dozen of each character say more)"
        )
    return lines


def _evaluate_stroke_model(recognizer: Any, args: argparse.Namespace) -> int:
    """A stroke model on UNIPEN writers: alone, and beside its image model and their fusion (from its card)."""
    from ml.cli.fuse import print_scores
    from ml.evaluation.evaluate import score_probabilities, unipen_stroke_set
    from ml.evaluation.fusion_fit import paired_probabilities, score_fusion
    from ml.runtime.fusion import FusionWeights, load_fused_image_model
    from ml.runtime.labels import get_label_set, tells_case_apart
    from ml.runtime.recognizer import load_recognizer

    card = recognizer.card
    parts = [name for name in (args.source or ["unipen_val"]) if name.startswith("unipen_")]
    if args.update_card and "unipen_test" not in parts:
        parts.append("unipen_test")
    if not parts or args.images is not None:
        return fail("evaluate", f"{card.name} reads strokes: evaluate it on --source unipen_val or unipen_test")
    results: dict[str, Any] = {}
    try:
        image = None
        if card.fusion.get("image_model"):
            image = load_fused_image_model(
                card, lambda name: load_recognizer(name, device=args.device, threads=args.threads)
            )
        for part in parts:
            if image is None:
                data = unipen_stroke_set(
                    get_label_set(card.label_set), part.removeprefix("unipen_"), args.pen_data, model_writer_seed(card)
                )
                scores = {"strokes": score_probabilities(recognizer.answers_alone(data.inputs), data, card.labels)[0]}
            else:
                paired = paired_probabilities(image, recognizer, part.removeprefix("unipen_"), args.pen_data)
                weights = FusionWeights.from_card(card.fusion)
                scores = score_fusion(paired, weights, list(image.labels))
            results[part] = scores
    except (WeightsError, FileNotFoundError, ValueError) as error:
        return fail("evaluate", str(error))
    if args.update_card:
        by_source = dict(card.metrics_by_source)
        # (Over classes that tell a from A, which the strokes alone cannot, their own figures stay, as fuse keeps them.)
        cased = image is not None and tells_case_apart(image.card.label_set, card.labels)
        for part, scores in results.items():
            for kind, result in scores.items():
                if not (kind == "strokes" and cased):
                    by_source[part if kind == "strokes" else f"{kind}_{part}"] = result
        path = card_path_for(recognizer.weights_path)
        write_card(
            replace(
                card,
                metrics={"split": "UNIPEN test writers", **by_source.get("unipen_test", {})},
                metrics_by_source=by_source,
            ),
            path,
        )
        print(f"updated {path} ({', '.join(results)})", file=sys.stderr)
    if args.json:
        print(json.dumps(json_safe({"model": card.name, "sources": results})))
        return 0
    fused_with = f", fused with {card.fusion['image_model']}" if card.fusion.get("image_model") else ""
    over = f" over {card.fusion['classes']}'s classes" if card.fusion.get("classes") else ""
    print(f"{card.name} ({card.label_set}, strokes{over}{fused_with})")
    for part, scores in results.items():
        print_scores(f"{part}:", scores)
    if "unipen_test" not in results:  # (the README's and the cards' figures are the test writers')
        print("the test writers' figures, as the README and the cards give them: --source unipen_test")
    return 0


def _evaluate_words(recognizer: Any, args: argparse.Namespace, parts: list[str]) -> int:
    """Words composed from unseen writers, read as lines (split, recognized with the strokes, in context)."""
    from ml.evaluation.evaluate import WORD_COUNT
    from ml.evaluation.printed import score_printed
    from ml.evaluation.words import WORD_SEED, compose_words, english_vocabulary, score_words
    from ml.runtime.labels import reads_letters
    from ml.runtime.letter_pairs import LetterPairsError, load_letter_pairs
    from ml.runtime.line_reader import LineReader
    from ml.training.data.unipen import load_unipen, writer_split

    card = recognizer.card
    composed = [part for part in parts if part.startswith("words_")]
    try:
        pen = load_unipen(args.pen_data) if composed else None
        english = not args.no_english
        reader = LineReader.load(recognizer.weights_path, device=args.device, english=english)
        other = None
        if args.against is not None:
            other = LineReader.load(model_to_read_with("evaluate", args.against), device=args.device, english=english)
    except (WeightsError, DeviceError, FileNotFoundError, ValueError) as error:
        return fail("evaluate", str(error))
    if english and any(r.letter_pairs is None and reads_letters(r.labels) for r in (reader, other) if r is not None):
        # (LineReader.load reads on without them, as the app does; figures stored or compared must not)
        no_pairs = "the English letter pairs could not be loaded (the warning above says why)"
        return fail("evaluate", f"{no_pairs}: --no-english reads without them")
    if other is not None and other.image.card.input_kind != "image":
        return fail("evaluate", f"{other.image.card.name} is a stroke model: give --against an image model")
    say_reads_only(card)  # (a digits model's 84% CER on words of letters was left unexplained)
    results = {}
    if "printed_words" in parts:  # type, not anyone's writing: no writers to keep apart
        results["printed_words"] = score_printed(reader, progress=not args.json)
    if pen is None:
        return _words_said(recognizer, reader, args, results)
    # Words by the writers neither the image model nor its stroke model trained on (nor, compared, the other's).
    readers = [card] + ([reader.fused.strokes.card] if reader.fused else [])
    if other is not None:
        readers += [other.image.card] + ([other.fused.strokes.card] if other.fused else [])
    trained_on_pen = [c for c in readers if learned_from_pen(c)]
    seeds = {model_writer_seed(c) for c in trained_on_pen} or {model_writer_seed(card)}
    if len(seeds) > 1:
        split_apart = "were trained on different splits of UNIPEN's writers"
        who = (
            f"{card.name}, {other.image.card.name} and their stroke models"
            if other
            else f"{card.name} and its stroke model"
        )
        return fail("evaluate", f"{who} {split_apart}: no writers are unseen by all")
    split = writer_split(pen.writers, seed=seeds.pop())
    seed = WORD_SEED if args.word_seed is None else args.word_seed
    vocabulary: list[str] = []
    if any(part.endswith("_english") for part in composed):
        try:
            # The reader's own pairs where it reads with them (loaded once), else the ones it would read with.
            vocabulary = english_vocabulary((reader.letter_pairs or load_letter_pairs()).held_out)
            if not vocabulary:
                raise LetterPairsError("they hold out no words of 3-10 letters to compose")
        except LetterPairsError as error:
            return fail("evaluate", f"the English words are the letter pairs' held-out words: {error}")
    words = {
        part: compose_words(
            pen,
            split.get(_writers_of(part)),
            args.words or WORD_COUNT,
            seed=seed,
            vocabulary=vocabulary if part.endswith("_english") else None,
        )
        for part in composed
    }
    if other is not None:
        return _compare_words(reader, other, args, words, seed)
    for part, its_words in words.items():
        pictures = part.endswith("_pictures")
        results[part] = score_words(reader, its_words, progress=not args.json, pictures=pictures)
        if seed != WORD_SEED:
            results[part]["word_seed"] = seed
        if pictures and reader.picture_partner is not None:  # the README's table says who read the pictures
            results[part]["picture_partner"] = reader.picture_partner.card.name
        if reader.verifier is not None:  # (it weighs cuts and merges of strokes too)
            results[part]["piece_verifier"] = reader.verifier.card.get("onnx_sha256", "")[:12]
    return _words_said(recognizer, reader, args, results)


def _writers_of(part: str) -> str:
    """Whose words a words_* source holds: "val" or "test"."""
    return part.removeprefix("words_").removesuffix("_pictures").removesuffix("_english")


def _compare_words(
    first: LineReader, second: LineReader, args: argparse.Namespace, words: dict[str, list[ComposedWord]], seed: int
) -> int:
    """The same words read by two readers: each rate by both, and the difference with its range."""
    from ml.evaluation.words import PAIRED_RATES, WORD_SEED, paired_differences, read_words

    results: dict[str, dict[str, Any]] = {}
    for part, its_words in words.items():
        pictures = part.endswith("_pictures")
        readings = [read_words(r, its_words, progress=not args.json, pictures=pictures) for r in (first, second)]
        results[part] = {"words": len(its_words), **paired_differences(*readings)}
    if args.json:
        said: dict[str, Any] = {"model": first.image.card.name, "against": second.image.card.name}
        said["readers"] = {"model": _reader_said(first), "against": _reader_said(second)}
        if seed != WORD_SEED:
            said["word_seed"] = seed
        print(json.dumps(json_safe({**said, "sources": results})))
        return 0
    print(f"--model   {_reader_said(first)}")
    print(f"--against {_reader_said(second)}")
    print("the same words read by both; each difference is --against's rate less --model's, in brackets its range")
    print("with the writers resampled (one that leaves out 0 is more than the drawing of the words would likely make)")
    for part, r in results.items():
        print(f"  {part} ({r['words']} words)")
        for rate, title in PAIRED_RATES.items():
            d = r[rate]
            span = f" ({100 * d['interval'][0]:+.2f} to {100 * d['interval'][1]:+.2f})" if d["interval"] else ""
            rates = f"{100 * d['first']:6.2f}% -> {100 * d['second']:6.2f}%"
            print(f"    {title:14s} {rates}  {100 * d['difference']:+.2f} points{span}")
    return 0


def _reader_said(reader: LineReader) -> str:
    """Who reads in a line reader: the image model, its stroke model, case model, picture partner, verifier,
    letter pairs."""
    fused = f" + {reader.fused.strokes.card.name}" if reader.fused is not None else " (no stroke model)"
    case = f", case model {reader.case_model.card.name}" if reader.case_model is not None else ""
    partner = reader.picture_partner
    pictures_by = f", pictures also read by {partner.card.name}" if partner is not None else ""
    verifier = ", the piece verifier" if reader.verifier is not None else ""
    english = ", English letter pairs" if reader.letter_pairs is not None else ", no letter pairs"
    return f"{reader.image.card.name}{fused}{case}{pictures_by}{verifier}{english}"


def _words_said(recognizer: Any, reader: Any, args: argparse.Namespace, results: dict[str, Any]) -> int:
    """The words' scores stored in the card (--update-card) and printed."""
    from ml.evaluation.results import rate_with_range

    card = recognizer.card
    if args.update_card:
        by_source = {
            **card.metrics_by_source,
            **{k: {m: v for m, v in r.items() if m != "examples"} for k, r in results.items()},
        }
        write_card(replace(card, metrics_by_source=by_source), card_path_for(recognizer.weights_path))
        print(f"updated {card_path_for(recognizer.weights_path)} ({', '.join(results)})", file=sys.stderr)
    if args.json:
        print(json.dumps(json_safe({"model": card.name, "sources": results})))
        return 0
    composed = len(results) > ("printed_words" in results)  # composed words' scores among them
    said = ": words of 3-10 characters by writers no model trained on" if composed else ""
    print(f"{_reader_said(reader)}{said}")
    for part, r in results.items():
        cer, any_case, right = (rate_with_range(r, k) for k in ("cer", "cer_case_insensitive", "word_accuracy"))
        if part == "printed_words":
            fonts = ", ".join(f"{font} {100 * cer:.1f}%" for font, cer in r["cer_by_font"].items())
            print(
                f"  {part:19s} {r['words']} words of type in {len(r['cer_by_font'])} font(s), {r['characters']} "
                f"characters, spaces counted: CER {cer}, case-insensitive {any_case}, word accuracy {right}, "
                f"p50 {r['latency_ms_p50']:.1f} ms a word"
            )
            print(f"  {'':19s} by font: {fonts}")
            print(f"  {'':19s} e.g. " + ", ".join(r["examples"][:6]))
            continue
        print(
            f"  {part:19s} {r['words']} words by {r['writers']} writers, {r['characters']} characters: CER {cer} "
            f"(case-insensitive {any_case}), word accuracy {right}, "
            f"one box per character {100 * r['one_box_per_character']:.2f}%, p50 {r['latency_ms_p50']:.1f} ms a word"
        )
        if r["examples"]:
            print(f"  {'':19s} e.g. " + ", ".join(r["examples"][:6]))
    return 0
