"""``glyphpad-ml bench``: latency per bundled model, ONNX Runtime and torch side by side, then each stroke
model alone and fused with its image model."""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
from pathlib import Path

from ml.cli.common import CommandParser, fail, json_safe
from ml.evaluation.bench import DRAWING_PX
from ml.runtime.devices import DEVICE_CHOICES


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml bench",
        description="Latency and throughput per model.",
        epilog="columns: p50 ms and p95 ms, a drawing to its answer (preprocessing and the model); prep ms, the "
        "preprocessing alone; fwd ms, the model alone (the engine's); torch ms, torch's forward (explanations run "
        "in torch); explain ms, one Grad-CAM; img/s @N, answers a second in batches of --batch (the page --markdown "
        "writes names them in full)",
    )
    parser.add_argument("--model", action="append", default=None, help="model name or path (repeatable; default all)")
    parser.add_argument(
        "--device",
        default="auto",
        choices=DEVICE_CHOICES,
        help="where the models run (default: auto, a CUDA GPU when there is one)",
    )
    parser.add_argument(
        "--engine",
        default="onnx",
        choices=["onnx", "torch"],
        help="what answers on the CPU: ONNX Runtime (the app's) or torch, for comparison",
    )
    parser.add_argument("--repeats", type=int, default=300, help="drawings timed per model (default %(default)s)")
    parser.add_argument(
        "--batch", type=int, default=256, help="batch size of the throughput figure (default %(default)s)"
    )
    parser.add_argument("--drawing-px", type=int, default=DRAWING_PX, help="side of the drawing (the app's: 128)")
    parser.add_argument("--json", action="store_true", help="one JSON object per model")
    parser.add_argument(
        "--line",
        action="store_true",
        help="also time text mode reading a 10-character line with the default reader (always when no --model)",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        help="also write the table, with the machine and the command, into this page's bench section",
    )
    return parser


MIN_DRAWING_PX = 28


def _emit(row: dict[str, float | str], as_json: bool, text: str, settings: dict[str, object]) -> None:
    """One result: its JSON object (with the settings it was measured with), or its line of the table."""
    print(json.dumps(json_safe({**row, **settings}), allow_nan=False) if as_json else text, flush=True)


def run(argv: list[str]) -> int:
    import torch
    from tqdm import tqdm

    from ml.evaluation.bench import bench_model, bench_strokes, markdown_problem
    from ml.runtime.cards import WeightsError, list_bundled, resolve_model_path, stroke_models_dir
    from ml.runtime.devices import DeviceError, resolve_device
    from ml.runtime.fusion import load_fused_image_model
    from ml.runtime.recognizer import Recognizer, TorchRecognizer, load_recognizer

    args = get_args_parser().parse_args(argv)
    for option, value, least in (("--repeats", args.repeats, 1), ("--batch", args.batch, 1)):
        if value < least:
            return fail("bench", f"{option} must be at least {least}")
    if args.drawing_px < MIN_DRAWING_PX:
        return fail("bench", f"--drawing-px must be at least {MIN_DRAWING_PX} (the model sees 28x28)")
    if args.markdown is not None and (problem := markdown_problem(args.markdown)):
        return fail("bench", problem)
    # What each JSON row was measured with: timings differ with them (and from run to run: several runs, on
    # an otherwise idle machine, say more than one).
    settings: dict[str, object] = {
        "repeats": args.repeats,
        "batch": args.batch,
        "drawing_px": args.drawing_px,
        "device_asked": args.device,
        "threads": 1,  # torch's and ONNX Runtime's, as the app's worker answers (set below)
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    names: list[str | Path] = list(args.model) if args.model else list(list_bundled())
    if not names:
        return fail("bench", "no models to benchmark")
    try:  # no GPU when one is asked for, or an unknown name: said before anything is timed (2)
        resolve_device(args.device)
        for name in names:
            resolve_model_path(name)
    except (WeightsError, DeviceError) as error:
        return fail("bench", str(error))
    torch.set_num_threads(1)  # as the app's worker: one drawing at a time on one thread
    if not args.json:
        print(
            f"{'model':26s} {'engine':24s} {'p50 ms':>7s} {'p95 ms':>7s} {'prep ms':>7s} {'fwd ms':>7s} "
            f"{'torch ms':>8s} {'explain ms':>10s} {'img/s @' + str(args.batch):>11s}"
        )
    status = 0
    rows = []
    # Stroke models: every bundled one by default, or those named among --model (benched with their fusion).
    stroke_paths: list[Path] = [] if args.model else list_bundled(stroke_models_dir())
    for name in tqdm(names, desc="bench", unit="model", file=sys.stderr, disable=None):
        try:
            device = resolve_device(args.device)
            path = resolve_model_path(name)
            explainer = TorchRecognizer.load_torch(path, device)
            recognizer = explainer if args.engine == "torch" else load_recognizer(path, device)
        except WeightsError as error:
            fail("bench", str(error), 1)
            status = 1
            continue
        if recognizer.card.input_kind == "strokes":
            stroke_paths.append(path)
            continue
        row = bench_model(recognizer, explainer, args.repeats, args.batch, args.drawing_px)
        rows.append(row)
        _emit(
            row,
            args.json,
            f"{row['name']!s:26s} {row['engine']!s:24s} {row['p50_ms']:7.3f} {row['p95_ms']:7.3f} "
            f"{row['preprocess_ms']:7.3f} {row['forward_ms']:7.3f} {row['torch_forward_ms']:8.3f} "
            f"{row['explain_ms']:10.3f} {row['batch_images_per_s']:11.0f}",
            settings,
        )
    stroke_rows = []
    for path in stroke_paths:
        try:
            device = resolve_device(args.device)
            explainer = TorchRecognizer.load_torch(path, device)
            strokes = explainer if args.engine == "torch" else load_recognizer(path, device)
            image: Recognizer | None = None
            if strokes.card.fusion.get("image_model"):
                load = TorchRecognizer.load_torch if args.engine == "torch" else load_recognizer
                image = load_fused_image_model(strokes.card, functools.partial(load, device=device))
        except WeightsError as error:
            fail("bench", str(error), 1)
            status = 1
            continue
        row = bench_strokes(strokes, image, explainer, args.repeats, args.batch, args.drawing_px)
        stroke_rows.append(row)
        fused = (
            f"fused with {row['fused_with']}: p50 {row['fused_p50_ms']:.3f} ms, p95 {row['fused_p95_ms']:.3f} ms"
            if row["fused_with"]
            else "not fused with an image model (glyphpad-ml fuse)"
        )
        _emit(
            row,
            args.json,
            f"{row['name']!s:26s} {row['engine']!s:24s} {row['p50_ms']:7.3f} {row['p95_ms']:7.3f} "
            f"{row['normalize_ms']:7.3f} {row['forward_ms']:7.3f} {row['torch_forward_ms']:8.3f} "
            f"{row['explain_ms']:10.3f} {row['batch_sequences_per_s']:11.0f}   {fused}",
            settings,
        )
    line_row = None
    if args.line or not args.model:
        from ml.evaluation.bench import bench_line
        from ml.runtime.line_reader import LineReader

        try:
            line_row = bench_line(LineReader.load(device=resolve_device(args.device)), args.repeats)
        except WeightsError as error:
            fail("bench", str(error), 1)
            status = 1
        if line_row is not None:
            _emit(
                line_row,
                args.json,
                f"text line of 10 characters ({line_row['text']} read as {line_row['read']}): "
                f"p50 {line_row['cold_p50_ms']:.1f} ms, p95 {line_row['cold_p95_ms']:.1f} ms; "
                f"read again {line_row['again_p50_ms']:.1f} ms",
                settings,
            )
    if args.markdown is not None and (rows or stroke_rows):
        from ml.evaluation.bench import write_markdown

        write_markdown(args.markdown, rows, "glyphpad-ml bench " + " ".join(argv), args.batch, stroke_rows, line_row)
        print(f"wrote the bench section of {args.markdown}", file=sys.stderr)
    if status and not (rows or stroke_rows or line_row):
        return 2  # nothing could be timed
    return status
