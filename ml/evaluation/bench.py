"""How fast each bundled model answers a drawing (``glyphpad-ml bench``).

Per model: latency of one drawing through preprocess + forward + top-k (batch 1, p50/p95), the p50
of preprocessing and of the forward pass alone (ONNX Runtime and torch side by side), the latency of
an explanation (Grad-CAM, or saliency for recurrent models), and forward throughput at batch 256.
Prints figures; not part of the tests.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ml.runtime.explain import explain
from ml.runtime.fusion import FusedRecognizer
from ml.runtime.line_reader import LineReader
from ml.runtime.preprocess import preprocess
from ml.runtime.recognizer import Prediction, Recognizer, TorchRecognizer
from ml.runtime.synth import render

DRAWING_PX = 128


def engine_name(recognizer: Recognizer) -> str:
    """What answered, as the bench's rows say it: ONNX Runtime (the app's, on the CPU) or PyTorch."""
    described = recognizer.describe_device()
    return f"PyTorch, {described}" if isinstance(recognizer, TorchRecognizer) else described


def _percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000.0
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def bench_model(
    recognizer: Recognizer, explainer: TorchRecognizer, repeats: int, batch: int, drawing_px: int = DRAWING_PX
) -> dict[str, float | str]:
    """Latency figures of one model: ``recognizer`` answers (ONNX Runtime on the CPU, or torch), and
    ``explainer`` (torch on the same device) gives the torch forward and the explanation's latency."""
    # The app renders a drawing at 128 px per 480 px of its pad (ml.runtime.render's DRAWING_RECOGNITION_SCALE).
    # A 12 px pen on a 256 px canvas, scaled to the drawing: 6 px at the default size.
    drawing = render("A", size=drawing_px, pen_width=6 * drawing_px / DRAWING_PX)
    for _ in range(10):
        recognizer.predict(drawing)
    latencies = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = recognizer.predict(drawing)
        latencies.append(time.perf_counter() - start)
    assert isinstance(result, Prediction)
    p50, p95 = _percentiles(latencies)
    model_input = preprocess(drawing).input[None]
    parts = max(50, repeats // 3)
    preprocess_times = _timed(lambda: preprocess(drawing), parts)
    forward_times = _timed(lambda: recognizer.predict_inputs(model_input), parts)
    torch_times = _timed(lambda: explainer.predict_inputs(model_input), parts)
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
        "engine": engine_name(recognizer),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "preprocess_ms": round(_percentiles(preprocess_times)[0], 3),
        "forward_ms": round(_percentiles(forward_times)[0], 3),
        "torch_forward_ms": round(_percentiles(torch_times)[0], 3),
        "explain_ms": round(_percentiles(cam_times)[0], 3),
        "batch_images_per_s": round(batch * runs / elapsed, 1),
    }


def _timed(work: Callable[[], object], repeats: int, warm_up: int = 10) -> list[float]:
    """Seconds per call of ``work``, after ``warm_up`` calls. Each part of an answer is timed in a loop of
    its own: interleaved, the torch forward between two ONNX ones slowed them, and the parts added up to
    more than the whole answer."""
    for _ in range(warm_up):
        work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def _pointer_strokes(char: str, side: float) -> list[np.ndarray]:
    """``char``'s strokes as a pointer reports them on a ``side`` px canvas: a point every 1.5 px."""
    from ml.runtime.synth import GLYPHS

    out = []
    for stroke in GLYPHS[char]:
        corners = np.asarray(stroke, dtype=np.float64) * side * 0.7 + side * 0.15
        pieces = [
            np.linspace(a, b, max(2, int(np.hypot(*(b - a)) / 1.5)), endpoint=False)
            for a, b in itertools.pairwise(corners)
        ]
        out.append(np.vstack([*pieces, corners[-1:]]) if pieces else corners)
    return out


def bench_strokes(
    stroke_model: Recognizer,
    image: Recognizer | None,
    explainer: TorchRecognizer,
    repeats: int,
    batch: int,
    drawing_px: int = DRAWING_PX,
) -> dict[str, float | str]:
    """Latency figures of a stroke model and, when it has one (``image``), of its fusion with its image
    model, on one drawing (the fused figures NaN without)."""
    from ml.runtime.explain import stroke_saliency
    from ml.runtime.strokes import Strokes, normalize_strokes

    strokes = Strokes(tuple(_pointer_strokes("A", drawing_px)))
    drawing = render("A", size=drawing_px, pen_width=6 * drawing_px / DRAWING_PX)
    alone = _timed(lambda: stroke_model.predict_strokes(strokes), repeats)
    together = [math.nan]
    if image is not None:
        fused = FusedRecognizer(image, stroke_model)
        together = _timed(lambda: fused.predict(drawing, strokes), repeats)
    sequence = normalize_strokes(strokes)[None]
    parts = max(50, repeats // 3)
    normalize_times = _timed(lambda: normalize_strokes(strokes), parts)
    forward_times = _timed(lambda: stroke_model.predict_inputs(sequence), parts)
    torch_times = _timed(lambda: explainer.predict_inputs(sequence), parts)
    saliency_times = []
    for i in range(max(5, repeats // 10) + 2):
        start = time.perf_counter()
        stroke_saliency(explainer, sequence[0])
        if i >= 2:
            saliency_times.append(time.perf_counter() - start)
    inputs = np.repeat(sequence, batch, axis=0)
    stroke_model.predict_inputs(inputs)
    start = time.perf_counter()
    for _ in range(5):
        stroke_model.predict_inputs(inputs)
    elapsed = time.perf_counter() - start
    return {
        "name": stroke_model.card.name,
        "fused_with": image.card.name if image is not None else "",
        "engine": engine_name(stroke_model),
        "p50_ms": round(_percentiles(alone)[0], 3),
        "p95_ms": round(_percentiles(alone)[1], 3),
        "fused_p50_ms": round(_percentiles(together)[0], 3),
        "fused_p95_ms": round(_percentiles(together)[1], 3),
        "normalize_ms": round(_percentiles(normalize_times)[0], 3),
        "forward_ms": round(_percentiles(forward_times)[0], 3),
        "torch_forward_ms": round(_percentiles(torch_times)[0], 3),
        "explain_ms": round(_percentiles(saliency_times)[0], 3),
        "batch_sequences_per_s": round(batch * 5 / elapsed, 1),
    }


BENCH_START = "<!-- bench:start (glyphpad-ml bench --markdown docs/benchmarks.md) -->"
BENCH_END = "<!-- bench:end -->"


def machine() -> str:
    """The CPU model and core count, as this page's readers need them to compare."""
    import os
    import platform

    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            name = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


LINE_TEXT = "H7AX4TE1BF"  # a 10-character line: the yardstick for reading a written line


def _line_strokes(text: str, size: float = 100.0, gap: float = 0.35) -> list[np.ndarray]:
    """``text`` in the synthetic glyphs' strokes, left to right, a pointer sample every 1.5 units."""
    strokes, x = [], 0.0
    for char in text:
        strokes += [s + np.array([x, 0.0]) for s in _pointer_strokes(char, size)]
        x += size * (1 + gap)
    return strokes


def bench_line(reader: LineReader, repeats: int) -> dict[str, float | str]:
    """Reading a 10-character written line (split, recognize with the strokes, context): cold (no
    character seen before) and read again after a pen-up that changed nothing (characters remembered)."""
    strokes = _line_strokes(LINE_TEXT)
    text = reader.read_strokes(strokes).text
    cold, again = [], []
    for _ in range(max(10, repeats // 10)):
        reader.forget()
        start = time.perf_counter()
        reader.read_strokes(strokes)
        middle = time.perf_counter()
        reader.read_strokes(strokes)
        cold.append(middle - start)
        again.append(time.perf_counter() - middle)
    return {
        "text": LINE_TEXT,
        "read": text,
        "cold_p50_ms": round(_percentiles(cold)[0], 3),
        "cold_p95_ms": round(_percentiles(cold)[1], 3),
        "again_p50_ms": round(_percentiles(again)[0], 3),
    }


def markdown_problem(path: Path) -> str | None:
    """Why ``write_markdown`` could not write its section into ``path`` (checked before timing), or None."""
    if path.is_dir():
        return f"{path} is a folder: name a Markdown file"
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return f"{path} cannot be read ({error})"
        if BENCH_START not in text or BENCH_END not in text:
            return f"{path} has no bench section ({BENCH_START} ... {BENCH_END}): name a new file or add them"
    return None


def write_markdown(
    path: Path,
    rows: list[dict[str, float | str]],
    command: str,
    batch: int,
    stroke_rows: list[dict[str, float | str]] | None = None,
    line_row: dict[str, float | str] | None = None,
) -> None:
    """Rewrite the bench section of ``path`` (created with its markers when missing); ``batch``: the batch
    size of the throughput columns."""
    import datetime

    from ml.evaluation.results import replace_between_markers

    lines = [
        f"Measured {datetime.date.today().isoformat()} on {machine()}, with `{command}`.",
        "",
        "| model | engine | p50 ms | p95 ms | preprocess ms | forward ms | torch forward ms | explain ms "
        f"| img/s at batch {batch} |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| `{r['name']}` | {r['engine']} | {r['p50_ms']:.3f} | {r['p95_ms']:.3f} | {r['preprocess_ms']:.3f} | "
            f"{r['forward_ms']:.3f} | {r['torch_forward_ms']:.3f} | {r['explain_ms']:.3f} | "
            f"{r['batch_images_per_s']:.0f} |"
        )
    if stroke_rows:
        lines += [
            "",
            "Stroke models (one drawing's strokes: normalization + forward + top-k) and the fused answer (the image "
            "model's whole path plus the stroke model's, fused):",
            "",
            "| stroke model | fused with | engine | p50 ms | p95 ms | fused p50 ms | fused p95 ms | normalize ms "
            f"| forward ms | torch forward ms | saliency ms | sequences/s at batch {batch} |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in stroke_rows:
            partner = f"`{r['fused_with']}`" if r["fused_with"] else "–"
            lines.append(
                f"| `{r['name']}` | {partner} | {r['engine']} | "
                f"{r['p50_ms']:.3f} | {r['p95_ms']:.3f} | "
                + (f"{r['fused_p50_ms']:.3f} | {r['fused_p95_ms']:.3f} | " if r["fused_with"] else "– | – | ")
                + f"{r['normalize_ms']:.3f} | "
                f"{r['forward_ms']:.3f} | {r['torch_forward_ms']:.3f} | {r['explain_ms']:.3f} | "
                f"{r['batch_sequences_per_s']:.0f} |"
            )
    if line_row:
        lines += [
            "",
            f'Text mode, a written line of 10 characters ("{line_row["text"]}", read as "{line_row["read"]}"): '
            f"split, recognized with its strokes and read in context in {line_row['cold_p50_ms']:.1f} ms p50 "
            f"({line_row['cold_p95_ms']:.1f} ms p95) when every character is new, {line_row['again_p50_ms']:.1f} ms "
            "when read again after a pen-up (characters already seen are remembered).",
        ]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Benchmarks\n\n{BENCH_START}\n{BENCH_END}\n", encoding="utf-8")
    replace_between_markers(path, BENCH_START, BENCH_END, "\n".join(lines))
