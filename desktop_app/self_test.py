"""The headless self-test (``glyphpad --self-test``): the real window, drawn on with a simulated pen.

It loads every bundled model, draws characters stroke by stroke through the real canvas with tablet
events (pressure varying along each stroke), waits for each answer as a user would, and reports what
was recognized, how long the window, the first answer and each answer took, and whether torch had
loaded. Exit status 0 only when every model loaded and every drawing was read right.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from typing import Any

from PySide6.QtCore import QEventLoop, QPointF, Qt, QTimer
from PySide6.QtGui import QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication

from desktop_app.app import wait_until
from desktop_app.inference_service import ModelInfo, Recognition
from desktop_app.main_window import MainWindow
from desktop_app.model_listing import best_available

SELF_TEST_CHARACTERS = "ATX7H4"
# Drawn the moment the window is up: one stroke, so "first result" measures how soon the app can answer,
# not how long a three-stroke letter takes to write.
FIRST_CHARACTER = "7"
HUMAN_PAUSE_S = 0.15  # between strokes: a quick writer still takes longer to move the pen


def nameable(chars: str, label_set: str) -> str:
    """The characters a model of ``label_set`` can name (all of them when the set is unknown)."""
    from ml.runtime.labels import get_label_set

    try:
        labels = get_label_set(label_set)
    except (KeyError, ValueError):
        return chars
    return "".join(c for c in chars if labels.class_of(c) is not None)


class ShownAnswers:
    """Every answer the window puts on screen, with the moment it did (perf_counter).

    The moment is taken when the window says so (``result_shown``, emitted once the answer has been
    painted), not when a waiting loop gets back control: by then the worker may have spent milliseconds
    on the explanation that follows each answer, which a user looking at the answer does not wait for.
    """

    def __init__(self, window: MainWindow) -> None:
        self.results: list[Recognition] = []
        self.times: dict[int, float] = {}
        window.result_shown.connect(self._add)

    def _add(self, result: Recognition) -> None:
        self.times.setdefault(result.request_id, time.perf_counter())
        self.results.append(result)

    def clear(self) -> None:
        self.results.clear()
        self.times.clear()

    def answer_to(self, request_id: int) -> Recognition | None:
        """The answer to ``request_id`` or to a newer request (the one a user sees), if shown."""
        return next((r for r in self.results if r.request_id >= request_id), None)


def _wait_for_result(window: MainWindow, shown: ShownAnswers, request_id: int, timeout_s: float) -> None:
    """Sleep in a real event loop until the answer to ``request_id`` (or a newer one) is on screen.

    A polling loop would keep the GUI thread busy in Python and slow the worker down (the GIL).
    """
    if shown.answer_to(request_id) is not None:
        return
    loop = QEventLoop()

    def check(result: Recognition) -> None:
        if result.request_id >= request_id:
            loop.quit()

    window.result_shown.connect(check)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    window.result_shown.disconnect(check)


_STYLUS: dict[bool, QPointingDevice] = {}


def stylus(eraser_end: bool = False) -> QPointingDevice:
    """A simulated tablet pen: its tip, or its eraser end (the pen turned over). Made once each: Qt keeps
    a list of the devices it has seen."""
    if eraser_end not in _STYLUS:
        _STYLUS[eraser_end] = QPointingDevice(
            "GlyphPad simulated pen" + ("'s eraser end" if eraser_end else ""),
            4243 if eraser_end else 4242,
            QPointingDevice.DeviceType.Stylus,
            QPointingDevice.PointerType.Eraser if eraser_end else QPointingDevice.PointerType.Pen,
            QPointingDevice.Capability.Position | QPointingDevice.Capability.Pressure,
            1,
            2,
        )
    return _STYLUS[eraser_end]


def send_pen(widget: Any, kind: QTabletEvent.Type, point: QPointF, pressure: float) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    event = QTabletEvent(
        kind,
        stylus(),
        point,
        widget.mapToGlobal(point),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        buttons,
    )
    QApplication.sendEvent(widget, event)


def _pause(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def draw_stroke(canvas: Any, stroke: list[tuple[float, float]]) -> float:
    """One pen stroke (unit-box points, y down) on the real canvas with tablet events, pressure swelling
    and easing like a real pen's; returns when the pen-up was sent (perf_counter)."""
    size = min(canvas.width(), canvas.height()) * 0.7
    left, top = (canvas.width() - size) / 2, (canvas.height() - size) / 2
    points = [QPointF(left + x * size, top + y * size) for x, y in stroke]
    dense = [points[0]]
    for a, b in itertools.pairwise(points):
        steps = max(1, int(((b.x() - a.x()) ** 2 + (b.y() - a.y()) ** 2) ** 0.5 / 4))
        dense += [a + (b - a) * (i / steps) for i in range(1, steps + 1)]
    send_pen(canvas, QTabletEvent.Type.TabletPress, dense[0], 0.4)
    for i, point in enumerate(dense[1:]):
        send_pen(canvas, QTabletEvent.Type.TabletMove, point, 0.55 + 0.35 * math.sin(math.pi * i / len(dense)))
    released = time.perf_counter()
    send_pen(canvas, QTabletEvent.Type.TabletRelease, dense[-1], 0.0)
    return released


def draw_with_pen(canvas: Any, char: str, pause_s: float = 0.0) -> float:
    """Draw ``char`` stroke by stroke on the real canvas with simulated tablet events (varying pressure).

    ``pause_s``: time between strokes, with the event loop running, as when a person lifts the pen.
    Returns when the last pen-up was sent (perf_counter): the moment a user's wait begins.
    """
    from ml.runtime.synth import GLYPHS

    released = time.perf_counter()
    for index, stroke in enumerate(GLYPHS[char]):
        if index and pause_s:
            _pause(pause_s)
        released = draw_stroke(canvas, stroke)
    return released


def resident_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


SOAK_WARM_UP = 500  # strokes before the memory baseline: caches, allocator pools and the model settle


def soak(window: MainWindow, strokes: int, as_json: bool) -> int:
    """Draw ``strokes`` pen strokes through the real canvas, one answer awaited after each, a character
    at a time (Clear between characters); report memory and latency, and any missing, stale or failed
    answer. Exit status 0 when none was missing, stale or failed."""
    from ml.runtime.synth import GLYPHS

    listed: list[list[ModelInfo]] = []
    ready: list[str] = []
    window.service.models_listed.connect(listed.append)
    window.service.model_ready.connect(lambda name, _device: ready.append(name))
    window.start()
    # A long session's steady state: the model loaded, and torch too (it loads in the background).
    wait_until(lambda: bool(ready) and window.service.runtime_loaded, 120)
    shown = ShownAnswers(window)
    report: dict[str, Any] = {"strokes": strokes, "model": window.preferences.model, "rss_mb_start": resident_mb()}
    latencies: list[float] = []
    missing = stale = failed = 0
    glyphs = itertools.cycle(SELF_TEST_CHARACTERS)
    drawn = 0
    while drawn < strokes:
        window.canvas.clear()
        for stroke in GLYPHS[next(glyphs)]:
            if drawn == strokes:
                break
            # As the self-test does: the worker has finished what the last stroke asked (its answer and the
            # explanation a person would look at) before the next stroke, as between a person's strokes.
            wait_until(lambda: window.service.wait_idle(1), 10)
            shown.clear()
            released = draw_stroke(window.canvas, stroke)
            request = window.service.latest_id("recognize")
            _wait_for_result(window, shown, request, 10)
            answer = next((r for r in shown.results if r.request_id == request), None)
            stale += sum(1 for r in shown.results if r.request_id != request)
            if answer is None:
                missing += 1
            elif answer.error:
                failed += 1
            else:
                latencies.append((shown.times[request] - released) * 1000)
            drawn += 1
            if drawn == min(SOAK_WARM_UP, strokes):
                report["rss_mb_after_warm_up"] = resident_mb()
    report["rss_mb_end"] = resident_mb()
    report["rss_growth_after_warm_up_mb"] = round(report["rss_mb_end"] - report["rss_mb_after_warm_up"], 1)
    for key in ("rss_mb_start", "rss_mb_after_warm_up", "rss_mb_end"):
        report[key] = round(report[key], 1)
    ordered = sorted(latencies)

    def percentile(share: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2) if ordered else None

    report.update(p50_ms=percentile(0.5), p95_ms=percentile(0.95), max_ms=round(ordered[-1], 2) if ordered else None)
    report.update(missing=missing, stale=stale, failed=failed, ok=missing == stale == failed == 0)
    window.service.shutdown()
    if as_json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:28s} {value}")
    return 0 if report["ok"] else 1


def self_test(
    window: MainWindow,
    started: float,
    shown_s: float,
    as_json: bool,
    runtime_ready_at: list[float] | None = None,
    asked_model: str | None = None,
) -> int:
    """Draw on the window as a user would and time the answers; test every model of the weights folder.
    The model tested first is ``asked_model`` (--model), else the default, else (a folder of one's own
    models) the one the window falls back on."""
    report: dict[str, Any] = {"ok": False, "models": [], "drawn": []}
    report["window_shown_s"] = round(shown_s, 3)

    listed: list[list[ModelInfo]] = []
    outcome: dict[str, str] = {}
    window.service.models_listed.connect(listed.append)
    window.service.model_ready.connect(lambda name, _device: outcome.setdefault(name, ""))
    window.service.model_failed.connect(lambda name, reason: outcome.setdefault(name, reason or "failed"))
    window.start()
    default = window.preferences.model
    shown = ShownAnswers(window)

    def draw_and_read(char: str, settle: bool = True) -> float:
        """Draw ``char`` with the pen; the ms from the last pen-up to its answer on screen (nan: none).
        ``settle``: first wait until the worker has nothing left to do (off for the very first drawing)."""
        window.canvas.clear()
        if settle:
            wait_until(lambda: window.service.wait_idle(1), 10)
        shown.clear()
        released = draw_with_pen(window.canvas, char, pause_s=HUMAN_PAUSE_S)
        # Each stroke sends a request; the answer that counts is the one to the last stroke.
        # (The model list may arrive meanwhile and ask again for the same drawing: a newer answer counts.)
        last_request = window.service.latest_id("recognize")
        _wait_for_result(window, shown, last_request, 30)
        result = shown.answer_to(last_request)
        predicted = result.top[0][0] if result and result.top else (result.error if result else "no result")
        read_from = list(result.inputs_used) if result and result.top else []
        report["drawn"].append({"expected": char, "predicted": predicted, "read_from": read_from})
        return (shown.times[result.request_id] - released) * 1000 if result else float("nan")

    latencies: list[float] = []
    loading_latencies: list[float] = []  # while torch loads on its thread, competing for the GIL
    first_result_s = None
    # As a user meets it: the window is up, so draw; the model in use answers as soon as it is ready.
    wait_until(lambda: window.isVisible(), 10)
    first = draw_and_read(FIRST_CHARACTER, settle=False)
    if not math.isnan(first):
        first_result_s = max(shown.times.values()) - started
    wait_until(lambda: bool(listed), 120)
    infos = listed[0] if listed else []
    if infos and not any(info.name == default for info in infos):
        fallback = best_available(infos)
        if asked_model or not fallback:
            # A model asked for by name (--model) that is not bundled: the window falls back to another, but
            # what was asked to be tested cannot be.
            report["error"] = f"no bundled model named {default!r}"
        else:  # a folder of one's own models, without the default: tested as the window uses it
            report["note"] = f"no {default} in the weights folder: tested {fallback}, the model the window uses"
            default = fallback
    if any(info.name == default and info.available for info in infos):
        window.service.load_model(default)
        wait_until(lambda: default in outcome, 120)
    # Only what the model can name is drawn and judged (a digits model asked to read an A fails by design);
    # the first drawing, made before the model was known, still times the first answer.
    chars = nameable(SELF_TEST_CHARACTERS, next((i.label_set for i in infos if i.name == default), ""))
    report["drawn"] = [d for d in report["drawn"] if d["expected"] in chars]
    if outcome.get(default) == "":
        # As a user would: draw as soon as the window answers, while torch may still be loading...
        for char in chars:
            loading_latencies.append(draw_and_read(char))
            if first_result_s is None and not math.isnan(loading_latencies[-1]):
                first_result_s = max(shown.times.values()) - started
            if window.service.runtime_loaded:
                break
        # ...then every character again once it has: the latency of the rest of the session.
        wait_until(lambda: window.service.runtime_loaded, 120)
        latencies = [draw_and_read(char) for char in chars]

    if "error" not in report:  # the model asked for is not there: testing the others would only hide that
        for info in infos:
            if not info.available:
                outcome.setdefault(info.name, info.error)
            elif info.name not in outcome:
                window.service.load_model(info.name)
        wait_until(lambda: all(info.name in outcome for info in infos), 300)
        report["models"] = [
            {"name": i.name, "ok": outcome.get(i.name) == "", "error": outcome.get(i.name, "timed out")} for i in infos
        ]
    import statistics

    def p50(values: list[float]) -> float | None:
        measured = [v for v in values if v == v]
        return round(statistics.median(measured), 2) if measured else None

    report["stroke_to_result_ms_p50"] = p50(latencies)
    report["stroke_to_result_ms_p50_while_torch_loads"] = p50(loading_latencies)
    report["first_result_s"] = round(first_result_s, 3) if first_result_s is not None else None
    # When torch had finished loading (answers come before it, from ONNX Runtime).
    report["runtime_ready_s"] = round(runtime_ready_at[0], 3) if runtime_ready_at else None
    report["model"] = window.preferences.model
    # Whether the answers fused the drawing's strokes with the picture (a stroke model is bundled for it).
    report["fused"] = any(d.get("read_from") == ["image", "strokes"] for d in report["drawn"])
    report["stroke_model"] = window.service.fused_stroke_model(window.preferences.model) if report["fused"] else None
    # The stroke models too (a damaged one passed: the drawings were read with another, said only in a
    # warning per drawing, and an admin checking a copied install was told all was well).
    from ml.runtime.cards import WeightsError, bundled_cards, stroke_models_dir

    report["stroke_models"] = [  # (each checked as loading checks it: card, weights and graph)
        {
            "name": path.stem,
            "ok": not isinstance(card, WeightsError),
            "error": str(card) if isinstance(card, WeightsError) else "",
        }
        for path, card in bundled_cards(stroke_models_dir(window.service.weights_dir))
    ]
    models_ok = bool(report["models"]) and all(m["ok"] for m in report["models"] + report["stroke_models"])
    drawn_ok = bool(report["drawn"]) and all(d["expected"] == d["predicted"] for d in report["drawn"])
    report["ok"] = models_ok and drawn_ok and "error" not in report
    window.service.shutdown()
    if as_json:
        print(json.dumps(report))
    else:
        if "error" in report:
            print(f"error: {report['error']}")
        for model in report["models"]:
            print(f"model {model['name']}: {'ok' if model['ok'] else 'FAILED: ' + model['error']}")
        for model in report["stroke_models"]:
            print(f"stroke model {model['name']}: {'ok' if model['ok'] else 'FAILED: ' + model['error']}")
        for drawn in report["drawn"]:
            print(f"drew {drawn['expected']}: recognized {drawn['predicted']}")

        def figure(key: str) -> str:
            return "n/a" if report[key] is None else str(report[key])

        print(
            f"window shown {figure('window_shown_s')} s; first result {figure('first_result_s')} s; "
            f"torch loaded {figure('runtime_ready_s')} s; stroke to result p50 {figure('stroke_to_result_ms_p50')} "
            f"ms ({figure('stroke_to_result_ms_p50_while_torch_loads')} ms while torch loads)"
        )
        print("self-test passed" if report["ok"] else "self-test FAILED")
    return 0 if report["ok"] else 1
