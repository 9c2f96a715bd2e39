"""``glyphpad-ml predict``: recognize image files or folders."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ml.cli.common import fail
from ml.runtime.cards import WeightsError, default_model_name
from ml.runtime.devices import DEVICE_CHOICES, DeviceError

EPILOG = "exit status: 0 when every file was recognized, 1 when any could not be (each gets a reason), 2 on bad usage"


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glyphpad-ml predict", description="Recognize images.", epilog=EPILOG)
    parser.add_argument("paths", nargs="+", type=Path, help="image files or folders (searched recursively)")
    parser.add_argument(
        "--model", default=None, help="bundled model name or .safetensors path (default: the app's default model)"
    )
    parser.add_argument("--top-k", type=int, default=5, help="answers per image")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES, help="where the model runs")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def run(argv: list[str]) -> int:
    from tqdm import tqdm

    from ml.runtime.image_files import display_path, find_image_files
    from ml.runtime.recognizer import BATCH_SIZE, BATCH_THREADS, Prediction, load_recognizer

    args = get_args_parser().parse_args(argv)
    if args.top_k < 1:
        return fail("predict", "--top-k must be at least 1")
    try:
        recognizer = load_recognizer(args.model or default_model_name(), device=args.device, threads=BATCH_THREADS)
    except (WeightsError, DeviceError) as error:
        return fail("predict", str(error))
    found = find_image_files(args.paths)
    files = found.images
    failed = len(found.problems)
    for path, reason in found.problems:
        print(json.dumps({"path": display_path(path), "error": reason}) if args.json else f"{path}: error: {reason}")
    with tqdm(total=len(files), desc="predict", unit="img", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(files), BATCH_SIZE):
            batch = files[start : start + BATCH_SIZE]
            for path, result in zip(batch, recognizer.predict_many(batch, top_k=args.top_k), strict=True):
                if isinstance(result, Prediction):
                    record: dict[str, Any] = {
                        "path": display_path(path),
                        "top": [{"label": s.label, "prob": round(s.prob, 5)} for s in result.top],
                    }
                    if result.notes:
                        record["notes"] = list(result.notes)
                    line = (
                        json.dumps(record)
                        if args.json
                        else f"{path}: " + ", ".join(f"{s.label} {100 * s.prob:.1f}%" for s in result.top)
                    )
                else:
                    failed += 1
                    reason = ("blank: " if result.blank else "") + result.reason
                    shown = display_path(path)
                    line = json.dumps({"path": shown, "error": reason}) if args.json else f"{shown}: error: {reason}"
                bar.clear()
                print(line, flush=True)
            bar.update(len(batch))
    return 1 if failed else 0
