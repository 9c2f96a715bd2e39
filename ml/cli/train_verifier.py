"""``glyphpad-ml train-verifier``: the piece verifier (:mod:`ml.runtime.piece_verifier`) from words written by
UNIPEN's training writers, drawn as pictures and read as strokes (validation writers for its figures; test
writers unread)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ml.cli.common import CommandParser, fail
from ml.training.data.locations import PEN_DATA_HELP
from ml.training.progress_lines import minutes, say_at_each_tenth

if TYPE_CHECKING:
    from ml.evaluation.words import ComposedWord
    from ml.training.piece_verifier import PieceExamples

# Pictures of written lines of many sizes: a line 50 to 110 pixels tall, pens 2.5 to 7 pixels wide.
LINE_PX = (50.0, 110.0)
PEN_PX = (2.5, 7.0)


def get_args_parser() -> argparse.ArgumentParser:
    p = CommandParser(
        prog="glyphpad-ml train-verifier",
        description="Train the piece verifier text mode uses to cut and join the characters of a written line.",
    )
    p.add_argument("--words", type=int, default=24000, help="words composed from the training writers (default 24000)")
    p.add_argument("--val-words", type=int, default=400, help="words of the validation writers (default 400)")
    p.add_argument("--epochs", type=int, default=10, help="passes over the training candidates (default 10)")
    p.add_argument("--seed", type=int, default=0, help="words, pens and training (default 0)")
    p.add_argument(
        "--strokes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also learn from the words' strokes, the candidates text mode makes of written lines (default: on)",
    )
    p.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0 = its default)")
    p.add_argument("--pen-data", default="", help=PEN_DATA_HELP)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("runs/pieces"),
        help="where it is written (default runs/pieces); text mode uses the one in the weights folder's pieces/",
    )
    return p


def _examples(words: list[ComposedWord], seed: int, what: str, strokes: bool) -> tuple[PieceExamples, PieceExamples]:
    """The candidates of each word drawn as a picture, and (``strokes``) of its strokes as written."""
    from tqdm import tqdm

    from ml.evaluation.words import character_boxes, word_picture
    from ml.training.piece_verifier import PieceExamples, piece_examples, stroke_piece_examples

    rng = np.random.default_rng(seed)
    found, from_strokes = [], []
    started, to_a_log = time.monotonic(), not sys.stderr.isatty()  # (in a log, no bar: eight minutes of silence)
    for done, word in enumerate(tqdm(words, desc=what, unit="word", file=sys.stderr, disable=None), 1):
        line_px, pen_px = rng.uniform(*LINE_PX), rng.uniform(*PEN_PX)
        picture, placed = word_picture(word, line_px, pen_px)
        boxes = character_boxes(placed, np.array(word.character_of_stroke), len(word.text))
        found.append(piece_examples(picture, boxes, pen_px))
        if strokes:
            from_strokes.append(stroke_piece_examples(word.strokes, word.character_of_stroke))
        if to_a_log:
            left = (time.monotonic() - started) / done * (len(words) - done)
            say_at_each_tenth(
                done - 1, done, len(words), f"{what}: {done:,} of {len(words):,} drawn, about {minutes(left)} left"
            )
    return PieceExamples.join(found), PieceExamples.join(from_strokes)


def run(argv: list[str]) -> int:
    args = get_args_parser().parse_args(argv)
    if args.words < 1 or args.val_words < 1 or args.epochs < 1 or args.threads < 0:
        return fail("train-verifier", "--words, --val-words and --epochs must be at least 1, --threads 0 or more")
    import torch

    from ml.evaluation.words import compose_words
    from ml.training.data.unipen import DEFAULT_WRITER_SPLIT_SEED, LICENCE, load_unipen, writer_split
    from ml.training.piece_verifier import PieceExamples, save_piece_verifier, train_piece_verifier, verifier_scores

    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.time()
    try:
        pen = load_unipen(args.pen_data or None)
    except (FileNotFoundError, ValueError) as error:
        return fail("train-verifier", str(error))
    split = writer_split(pen.writers, seed=DEFAULT_WRITER_SPLIT_SEED)
    train_words = compose_words(pen, split.train, args.words, seed=args.seed + 1)
    train_pictures, train_strokes = _examples(train_words, args.seed + 2, "training words", args.strokes)
    train = PieceExamples.join([train_pictures, train_strokes])
    val_words = compose_words(pen, split.val, args.val_words, seed=args.seed + 3)
    val_pictures, val_strokes = _examples(val_words, args.seed + 4, "validation words", args.strokes)
    val = PieceExamples.join([val_pictures, val_strokes])
    if not len(train.one) or not len(val.one):
        return fail("train-verifier", "the words gave no pieces to learn from")
    model, history = train_piece_verifier(train, val, epochs=args.epochs, seed=args.seed)
    # Each way text mode asks it, on its own: pictures' pieces, and (when learnt) written strokes' candidates.
    by_input = {"pictures": verifier_scores(model, val_pictures)}
    if len(val_strokes.one):
        by_input["strokes"] = verifier_scores(model, val_strokes)
    card = {
        "data_sources": [
            {
                "name": "UNIPEN",
                "what": f"{args.words} words composed from the training writers' characters (validation: "
                f"{args.val_words} from the validation writers), drawn as pictures with lines {LINE_PX[0]:g}-"
                f"{LINE_PX[1]:g} px tall and pens {PEN_PX[0]:g}-{PEN_PX[1]:g} px wide"
                + (", and read as written strokes" if args.strokes else ""),
                "split": f"by writer 80/10/10, seed {DEFAULT_WRITER_SPLIT_SEED}",
                "licence": LICENCE,
            }
        ],
        "metrics": {
            "split": "UNIPEN validation writers' words",
            **{k: v for k, v in history[-1].items() if k != "epoch"},
            **by_input,
        },
        "training": {
            "examples": len(train.one),
            "epochs": args.epochs,
            "seconds": round(time.time() - started, 1),
            "torch": torch.__version__,
            # The recipe, without this machine's paths.
            "command": f"glyphpad-ml train-verifier --words {args.words} --val-words {args.val_words} "
            f"--epochs {args.epochs} --seed {args.seed}" + ("" if args.strokes else " --no-strokes"),
            "history": history,
        },
    }
    graph = save_piece_verifier(model, args.out, card)
    print(f"wrote {graph} and its card in {time.time() - started:.0f} s", file=sys.stderr)
    return 0
