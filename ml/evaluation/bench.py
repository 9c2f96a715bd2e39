"""How fast each bundled model answers a drawing (``glyphpad-ml bench``).

Per model: latency of one drawing through preprocess + forward + top-k (batch 1, p50/p95), the p50
of preprocessing and of the forward pass alone (ONNX Runtime and torch side by side), the latency of
an explanation (Grad-CAM, or saliency for recurrent models), and forward throughput at batch 256.
Prints figures; not part of the tests.
"""

from __future__ import annotations

import time

import numpy as np

from ml.runtime.explain import explain
from ml.runtime.preprocess import preprocess
from ml.runtime.recognizer import Prediction, Recognizer, TorchRecognizer
from ml.runtime.synth import render

DRAWING_PX = 128


def _percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000.0
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def bench_model(
    recognizer: Recognizer, explainer: TorchRecognizer, repeats: int, batch: int, drawing_px: int = DRAWING_PX
) -> dict[str, float | str]:
    """Latency figures of one model: ``recognizer`` answers (ONNX Runtime on the CPU, or torch), and
    ``explainer`` (torch on the same device) gives the torch forward and the explanation's latency."""
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
    preprocess_times, forward_times, torch_times = [], [], []
    model_input = preprocess(drawing).input[None]
    for _ in range(10):
        explainer.predict_inputs(model_input)
    for _ in range(max(50, repeats // 3)):
        start = time.perf_counter()
        preprocess(drawing)
        middle = time.perf_counter()
        recognizer.predict_inputs(model_input)
        end = time.perf_counter()
        explainer.predict_inputs(model_input)
        preprocess_times.append(middle - start)
        forward_times.append(end - middle)
        torch_times.append(time.perf_counter() - end)
    cam_times = []
    for i in range(max(5, repeats // 10) + 2):
        start = time.perf_counter()
        explain(explainer, result.model_input)
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
        "engine": recognizer.describe_device(),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "preprocess_ms": round(_percentiles(preprocess_times)[0], 3),
        "forward_ms": round(_percentiles(forward_times)[0], 3),
        "torch_forward_ms": round(_percentiles(torch_times)[0], 3),
        "explain_ms": round(_percentiles(cam_times)[0], 3),
        "batch_images_per_s": round(batch * runs / elapsed, 1),
    }
