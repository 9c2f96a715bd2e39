"""``glyphpad-ml letter-pairs``: count which letter follows which in GlyphPad's own English prose (the letter
pairs text mode reads words with) and, with --write, store them in the weights folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ml.cli.common import CommandParser, fail

CHECKOUT = Path(__file__).resolve().parents[2]


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml letter-pairs",
        description="Count how often each letter begins a word and follows each letter, over the distinct words "
        "of GlyphPad's README, guides and code comments (a fifth of the words held out to measure with), "
        "and print the commonest pairs.",
    )
    parser.add_argument(
        "--checkout", type=Path, default=CHECKOUT, help="the GlyphPad checkout whose prose is counted (this one)"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="store the counts in the checkout's weights/language/letter_pairs.json (the bundled letter pairs)",
    )
    return parser


def run(argv: list[str]) -> int:
    from ml.runtime.letter_pairs import LETTER_PAIRS_FILE, LETTERS, language_dir
    from ml.training.letter_pairs import checkout_prose, count_letter_pairs, prose_words, write_letter_pairs

    args = get_args_parser().parse_args(argv)
    files = checkout_prose(args.checkout)
    if not any(f.name == "README.md" for f in files):
        return fail("letter-pairs", f"{args.checkout} is not a GlyphPad checkout (no README.md): give --checkout")
    words = prose_words(files)
    counts = count_letter_pairs(words)
    print(
        f"{len(words)} words in {len(files)} files, {counts.words + len(counts.held_out)} distinct: "
        f"{counts.words} counted, {len(counts.held_out)} held out"
    )
    following = counts.following
    top = sorted(((int(following[a, b]), LETTERS[a] + LETTERS[b]) for a in range(26) for b in range(26)), reverse=True)
    print("commonest pairs: " + ", ".join(f"{pair} {n}" for n, pair in top[:12]))
    print(f"never seen: {int((following == 0).sum())} of 676 pairs")
    if args.write:
        path = language_dir(args.checkout / "weights") / LETTER_PAIRS_FILE
        write_letter_pairs(counts, path, f"glyphpad-ml letter-pairs --write: {len(files)} files of the checkout")
        print(f"wrote {path}")
    return 0
