"""``glyphpad-ml bench``: how fast each bundled model answers a drawing.

Per model: latency of one drawing through preprocess + forward + top-k (batch 1, p50/p95), the
p50 of preprocessing and of the forward pass alone, Grad-CAM latency, and forward throughput at
batch 256. Prints figures; not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ml.devices import DEVICE_CHOICES, describe
from ml.explain import explain
from ml.inference import Prediction, Recognizer, list_bundled
from ml.preprocess import preprocess
from ml.synth import render
from ml.weights import WeightsError

DRAWING_PX = 128


def _percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000.0
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def bench_model(
    recognizer: Recognizer, repeats: int, batch: int, drawing_px: int = DRAWING_PX
) -> dict[str, float | str]:
    # The app sends its drawing with the longer side at 128 px (desktop_app's RECOGNITION_MAX_SIDE).
    # A 12 px pen on a 256 px canvas, scaled to the drawing: 6 px at the default size.
    drawing = render("A", size=drawing_px, pen_width=6 * drawing_px / DRAWING_PX)
    for _ in range(10):
        recognizer.predict(drawing)
    latencies = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = recognizer.predict(drawing, top_k=5)
        latencies.append(time.perf_counter() - start)
    assert isinstance(result, Prediction)
    p50, p95 = _percentiles(latencies)
    preprocess_times, forward_times = [], []
    model_input = preprocess(drawing).input[None]
    for _ in range(max(50, repeats // 3)):
        start = time.perf_counter()
        preprocess(drawing)
        middle = time.perf_counter()
        recognizer.predict_inputs(model_input)
        preprocess_times.append(middle - start)
        forward_times.append(time.perf_counter() - middle)
    cam_times = []
    for i in range(max(5, repeats // 10) + 2):
        start = time.perf_counter()
        explain(recognizer, result.model_input)
        if i >= 2:
            cam_times.append(time.perf_counter() - start)
    inputs = np.repeat(result.model_input[None], batch, axis=0)
    recognizer.predict_inputs(inputs)
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        recognizer.predict_inputs(inputs)
    elapsed = time.perf_counter() - start
    return {
        "name": recognizer.card.name,
        "device": describe(recognizer.device),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "preprocess_ms": round(_percentiles(preprocess_times)[0], 3),
        "forward_ms": round(_percentiles(forward_times)[0], 3),
        "gradcam_ms": round(_percentiles(cam_times)[0], 3),
        "batch_images_per_s": round(batch * runs / elapsed, 1),
    }


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="glyphpad-ml bench", description="Latency and throughput per model.")
    parser.add_argument("--model", action="append", default=None, help="model name or path (repeatable; default all)")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--drawing-px", type=int, default=DRAWING_PX, help="side of the drawing (the app's: 128)")
    parser.add_argument(
        "--no-cpu-plan", action="store_true", help="run plain CNNs through torch too, not their NumPy plan"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per model")
    args = parser.parse_args(argv)
    names: list[str | Path] = list(args.model) if args.model else list(list_bundled())
    if not names:
        print("glyphpad-ml bench: no models to benchmark", file=sys.stderr)
        return 2
    if not args.json:
        print(
            f"{'model':28s} {'p50 ms':>8s} {'p95 ms':>8s} {'prep ms':>8s} {'fwd ms':>8s} {'Grad-CAM ms':>12s} "
            f"{'img/s @' + str(args.batch):>12s}"
        )
    status = 0
    for name in tqdm(names, desc="bench", unit="model", file=sys.stderr, disable=None):
        try:
            recognizer = Recognizer.load(name, device=args.device)
        except WeightsError as error:
            print(f"glyphpad-ml bench: {error}", file=sys.stderr)
            status = 1
            continue
        if args.no_cpu_plan:
            recognizer.cpu_plan = None
        with torch.no_grad():
            row = bench_model(recognizer, args.repeats, args.batch, args.drawing_px)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(
                f"{row['name']!s:28s} {row['p50_ms']:8.3f} {row['p95_ms']:8.3f} {row['preprocess_ms']:8.3f} "
                f"{row['forward_ms']:8.3f} {row['gradcam_ms']:12.3f} "
                f"{row['batch_images_per_s']:12.0f}",
                flush=True,
            )
    return status
