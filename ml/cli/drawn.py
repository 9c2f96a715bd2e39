"""``glyphpad-ml drawn``: accuracy on synthesized drawings, per model and condition."""

from __future__ import annotations

import json
from pathlib import Path

from ml.cli.common import CommandParser, fail, some_or_all_failed
from ml.evaluation.drawn import (
    CANVAS_PX,
    DEFAULT_SEED,
    DEFAULT_WRITERS,
    DRAWN_END,
    DRAWN_START,
    make_drawn_set,
    save_grid,
    score,
    table,
)
from ml.runtime.devices import DEVICE_CHOICES

DESCRIPTION = "Accuracy on synthesized drawings (pen widths, sizes, white on black, 28x28 files, scans)."


def run(argv: list[str]) -> int:
    from ml.runtime.cards import WeightsError, bundled_cards
    from ml.runtime.recognizer import BATCH_THREADS, load_recognizer

    parser = CommandParser(prog="glyphpad-ml drawn", description=DESCRIPTION)
    parser.add_argument("--model", action="append", default=None, help="model name or path (repeatable; default all)")
    parser.add_argument(
        "--writers", type=int, default=DEFAULT_WRITERS, help=f"hands per glyph variant (default {DEFAULT_WRITERS})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the drawings (default {DEFAULT_SEED})")
    parser.add_argument(
        "--canvas-px",
        type=int,
        default=CANVAS_PX,
        help=f"render the canvas drawings at this size (default {CANVAS_PX}; pens scale along)",
    )
    parser.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="where the models run (default: auto, a CUDA GPU when there is one)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per model")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite the table between the drawn markers")
    parser.add_argument("--save-grid", type=Path, default=None, help="write a PNG of sample drawings")
    args = parser.parse_args(argv)
    if args.writers < 1:
        return fail("drawn", "--writers must be at least 1")
    if args.save_grid is not None and args.save_grid.suffix.lower() != ".png":
        return fail("drawn", f"--save-grid writes a PNG picture: name a .png file, not {args.save_grid}")

    names = args.model or [path.stem for path, card in bundled_cards() if not isinstance(card, WeightsError)]
    if not names:
        return fail("drawn", "no usable models in weights/", 1)
    if args.canvas_px < 28:
        return fail("drawn", "--canvas-px must be at least 28")
    drawn = make_drawn_set(args.writers, args.seed, progress=True, canvas_px=args.canvas_px)
    if args.save_grid is not None:
        save_grid(drawn, args.save_grid)
    rows = []
    failed = 0
    for name in names:
        try:
            recognizer = load_recognizer(name, device=args.device, threads=BATCH_THREADS)
        except (WeightsError, ValueError) as error:
            fail("drawn", f"{name}: {error}", 1)
            failed += 1
            continue
        if recognizer.card.input_kind != "image":  # the drawings are pictures; the others' table still comes
            advice = f"evaluate it with 'glyphpad-ml evaluate --model {name}'"
            fail("drawn", f"{name} reads strokes, not pictures: {advice}", 1)
            failed += 1
            continue
        probabilities = recognizer.answers_alone(drawn.inputs)
        result = score(probabilities, drawn, recognizer.card.label_set, recognizer.labels)
        row = {"model": recognizer.card.name, "labels": recognizer.card.label_set, **result}
        rows.append(row)
        if args.json:
            print(json.dumps(row))
    if not rows:  # no table, and none written over the README's
        return some_or_all_failed(failed, len(names))
    if not args.json:
        print(table(rows))
        for row in rows:
            print(f"{row['model']}: most missed {', '.join(row['misses']) or 'none'}")
    if args.readme is not None:
        from ml.evaluation.results import replace_between_markers, said_updated

        try:
            changed = replace_between_markers(args.readme, DRAWN_START, DRAWN_END, table(rows))
        except ValueError as error:
            return fail("drawn", str(error))
        print(said_updated("the drawn-character table", args.readme, changed))
    return some_or_all_failed(failed, len(names))
