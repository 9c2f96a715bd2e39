"""The app's only door to ``ml``: a QObject that runs inference on one worker thread.

Requests carry ids; a recognition that is no longer the newest when its turn comes is skipped, and a
result that arrives after a newer request was made is dropped, so the window always shows the
answer to the latest drawing. Errors come back as values (signals with a reason), never as
exceptions in the GUI thread.

Torch takes seconds to import, so it loads on a thread of its own (:meth:`load_runtime`) while the
app is already answering: a model whose card carries a NumPy plan (the default one does) recognizes
drawings through :mod:`ml.runtime.recognizer` without torch. Work that needs torch (other models, Grad-CAM,
compare, batch, device changes) waits, in order, until the runtime is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

    from ml.runtime.cards import ModelCard

log = logging.getLogger(__name__)

# Drawing requests jump ahead of queued batch chunks, so drawing stays responsive during a batch.
PRIORITY_INTERACTIVE = 10
PRIORITY_EXPLAIN = 5  # after any queued recognition: the answer matters more than the why
PRIORITY_BATCH = 0
BATCH_CHUNK = 16


@dataclass(frozen=True)
class ModelInfo:
    name: str
    card: ModelCard | None = None  # None when the card itself cannot be read
    error: str = ""  # non-empty: the model cannot be used, and why

    @property
    def label_set(self) -> str:
        return self.card.label_set if self.card else ""

    @property
    def accuracy(self) -> float | None:
        value = self.card.metrics.get("accuracy") if self.card else None
        return value if isinstance(value, float) else None

    @property
    def available(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Recognition:
    """One answer for the canvas or an opened image."""

    model: str
    top: tuple[tuple[str, float], ...] = ()
    model_input: np.ndarray | None = None
    latency_ms: float = 0.0
    error: str = ""
    blank: bool = False
    notes: tuple[str, ...] = ()
    request_id: int = 0


@dataclass(frozen=True)
class Explanation:
    model: str
    label: str = ""
    method: str = ""
    heatmap: np.ndarray | None = None
    layers: tuple[tuple[str, np.ndarray], ...] = ()  # (layer name, C x H x W activations)
    error: str = ""


@dataclass(frozen=True)
class ComparisonRow:
    model: str
    label: str = ""
    confidence: float = 0.0
    latency_ms: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class BatchRow:
    index: int
    path: str
    top: tuple[tuple[str, float], ...] = ()
    error: str = ""


_worker_state = threading.local()


class _Task(QRunnable):
    def __init__(self, work: Callable[[], None], runtime: threading.Event) -> None:
        super().__init__()
        self._work = work
        self._runtime = runtime
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            # The pool may replace an idle thread, hence per thread; only once torch is loaded.
            if self._runtime.is_set() and not getattr(_worker_state, "threads_set", False):
                from ml.runtime.recognizer import use_cpu_threads

                use_cpu_threads(1)
                _worker_state.threads_set = True
            self._work()
        except Exception:  # a task must never take the worker thread down with it
            log.exception("inference task failed")


class InferenceService(QObject):
    models_listed = Signal(list)  # list[ModelInfo]
    model_ready = Signal(str, str)  # model name, device description
    model_failed = Signal(str, str)  # model name, reason
    recognized = Signal(int, object)  # request id, Recognition
    explained = Signal(int, object)  # request id, Explanation
    compared = Signal(int, list)  # request id, list[ComparisonRow]
    batch_progress = Signal(int, object)  # batch id, BatchRow
    batch_finished = Signal(int, int, bool)  # batch id, rows done, cancelled
    device_changed = Signal(str, bool)  # description of the device in use, whether CUDA is present
    runtime_ready = Signal(float)  # torch and the models' code are loaded; seconds it took
    runtime_failed = Signal(str)  # torch could not be loaded: answers on the CPU still work, explanations not

    def __init__(self, weights_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._weights_dir = weights_dir
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._latest: dict[str, int] = {"recognize": 0, "explain": 0, "compare": 0}
        self._next_id = 0
        self._lock = threading.Lock()
        self._device = "auto"  # the worker's device; touched only in the worker thread
        self._requested_device = "auto"  # the same, as last asked for from the GUI thread
        self._recognizers: dict[tuple[str, str], Any] = {}  # touched only in the worker thread
        self._batch_cancel: dict[int, threading.Event] = {}
        self._runtime = threading.Event()  # set once torch is imported (load_runtime)
        self._runtime_loading = False
        self._waiting_for_runtime: list[tuple[Callable[[], None], int]] = []  # GUI thread only
        self._explainers: dict[tuple[str, str], Any] = {}  # torch models for explanations (worker thread)
        self.runtime_ready.connect(self._submit_waiting)

    # ---- bookkeeping -------------------------------------------------------------------------
    def _new_id(self, kind: str) -> int:
        with self._lock:
            self._next_id += 1
            self._latest[kind] = self._next_id
            return self._next_id

    def latest_id(self, kind: str) -> int:
        with self._lock:
            return self._latest.get(kind, 0)

    def is_latest(self, kind: str, request_id: int) -> bool:
        with self._lock:
            return self._latest.get(kind) == request_id

    def _submit(self, work: Callable[[], None], priority: int = PRIORITY_INTERACTIVE, needs_torch: bool = True) -> None:
        """Queue work for the worker; work that needs torch waits until :meth:`load_runtime` is done.

        Waiting work keeps its order: until it has been queued, later torch work waits behind it.
        """
        if needs_torch and (not self._runtime.is_set() or self._waiting_for_runtime):
            self._waiting_for_runtime.append((work, priority))
            return
        self._pool.start(_Task(work, self._runtime), priority)

    def _submit_waiting(self) -> None:
        waiting, self._waiting_for_runtime = self._waiting_for_runtime, []
        for work, priority in waiting:
            self._pool.start(_Task(work, self._runtime), priority)

    @property
    def runtime_loaded(self) -> bool:
        return self._runtime.is_set()

    def load_runtime(self) -> None:
        """Import torch, ml.runtime.recognizer and ml.runtime.explain on a thread of their own; emits runtime_ready.

        Called once the window is up. The app removes PySide6's import hook first (see
        desktop_app.__main__), which crashed when torch was imported off the main thread.
        """
        if self._runtime_loading or self._runtime.is_set():
            return
        self._runtime_loading = True

        def load() -> None:
            start = time.perf_counter()
            try:
                import ml.runtime.explain  # noqa: F401
                from ml.runtime.recognizer import warm_up_runtime

                warm_up_runtime()
            except Exception as error:  # a broken torch install: planned models still work
                log.exception("torch could not be loaded")
                self.runtime_failed.emit(_one_line(error))
                return
            self._runtime.set()
            self.runtime_ready.emit(time.perf_counter() - start)

        threading.Thread(target=load, name="glyphpad-runtime", daemon=True).start()

    def _answers_need_torch(self) -> bool:
        """Answers need torch only on a CUDA GPU; on the CPU ONNX Runtime gives them."""
        return self._requested_device.startswith("cuda")

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        for event in self._batch_cancel.values():
            event.set()
        self._pool.clear()
        self._pool.waitForDone(10000)

    # ---- worker-side helpers -------------------------------------------------------------------
    def _recognizer(self, name: str) -> Any:
        """The model that answers: ONNX Runtime on the CPU, torch on CUDA (loaded once per device)."""
        from ml.runtime.recognizer import load_recognizer

        key = (name, self._device)
        if key not in self._recognizers:
            recognizer = load_recognizer(self._weights_dir / f"{name}.safetensors", device=self._device)
            recognizer.warm_up()
            self._recognizers[key] = recognizer
        return self._recognizers[key]

    def _explainer(self, name: str) -> Any:
        """The model in torch, for gradients: the answering one on CUDA, else a CPU copy loaded on demand."""
        from ml.runtime.recognizer import TorchRecognizer

        recognizer = self._recognizer(name)
        if isinstance(recognizer, TorchRecognizer):
            return recognizer
        key = (name, "cpu")
        if key not in self._explainers:
            self._explainers[key] = TorchRecognizer.load_torch(recognizer.weights_path, "cpu")
        return self._explainers[key]

    # ---- requests (called from the GUI thread) -------------------------------------------------
    def list_models(self) -> None:
        def work() -> None:
            from ml.runtime.cards import WeightsError, bundled_cards  # cards only: no torch needed

            infos = []
            for weights_path, card in bundled_cards(self._weights_dir):
                if isinstance(card, WeightsError):
                    infos.append(ModelInfo(name=weights_path.stem, error=str(card)))
                    continue
                error = "" if weights_path.exists() else f"{weights_path.name} is missing"
                infos.append(ModelInfo(name=card.name, card=card, error=error))
            self.models_listed.emit(infos)

        self._submit(work, needs_torch=False)

    def load_model(self, name: str) -> None:
        def work() -> None:
            try:
                recognizer = self._recognizer(name)
            except Exception as error:  # WeightsError, DeviceError, or anything torch raises
                self.model_failed.emit(name, _one_line(error))
                return
            self.model_ready.emit(name, recognizer.describe_device())

        self._submit(work, needs_torch=self._answers_need_torch())

    def set_device(self, device: str) -> None:
        self._requested_device = device

        def work() -> None:
            from ml.runtime.devices import DeviceError, cuda_available, describe, resolve_device

            try:
                resolved = resolve_device(device)
            except DeviceError as error:
                self.model_failed.emit("", _one_line(error))
                return
            self._device = device
            self._recognizers.clear()
            shown = "CPU (ONNX Runtime)" if resolved == "cpu" else describe(resolved)
            self.device_changed.emit(shown, cuda_available())

        self._submit(work, needs_torch=device.startswith("cuda"))

    def recognize(self, model: str, image: Any, top_k: int = 5) -> int:
        """Queue a recognition of ``image`` (array, path or bytes); returns the request id."""
        request_id = self._new_id("recognize")

        def work() -> None:
            if not self.is_latest("recognize", request_id):
                return  # a newer drawing is already queued: this one would only be shown and replaced
            self.recognized.emit(request_id, self._recognize_now(model, image, top_k))

        self._submit(work, needs_torch=self._answers_need_torch())
        return request_id

    def _recognize_now(self, model: str, image: Any, top_k: int) -> Recognition:
        from ml.runtime.recognizer import Prediction

        try:
            recognizer = self._recognizer(model)
        except Exception as error:
            return Recognition(model=model, error=_one_line(error))
        start = time.perf_counter()
        try:
            result = recognizer.predict(image, top_k=top_k)
        except Exception as error:  # never let one odd input crash the app
            return Recognition(model=model, error=_one_line(error))
        latency = (time.perf_counter() - start) * 1000
        if isinstance(result, Prediction):
            top = tuple((s.label, s.prob) for s in result.top)
            return Recognition(model, top, result.model_input, latency, notes=result.notes)
        return Recognition(model=model, error=result.reason, blank=result.blank, latency_ms=latency)

    def explain(self, model: str, model_input: np.ndarray, label: str | None = None) -> int:
        request_id = self._new_id("explain")
        drawing_id = self.latest_id("recognize")

        def work() -> None:
            # Stale when a newer explanation was asked for, or the drawing changed since.
            if not self.is_latest("explain", request_id) or self.latest_id("recognize") != drawing_id:
                return
            from ml.runtime.explain import activation_maps, explain

            try:
                recognizer = self._explainer(model)
                heatmap = explain(recognizer, model_input, label)
                maps = activation_maps(recognizer, model_input)
            except Exception as error:
                self.explained.emit(request_id, Explanation(model=model, error=_one_line(error)))
                return
            layers = tuple((layer.name, layer.maps) for layer in maps.layers)
            self.explained.emit(request_id, Explanation(model, heatmap.label, heatmap.method, heatmap.heatmap, layers))

        self._submit(work, PRIORITY_EXPLAIN)
        return request_id

    def compare(self, models: list[str], image: Any) -> int:
        request_id = self._new_id("compare")

        def work() -> None:
            if not self.is_latest("compare", request_id):
                return
            rows = []
            for name in models:
                result = self._recognize_now(name, image, top_k=1)
                if result.error:
                    rows.append(ComparisonRow(model=name, error=result.error))
                else:
                    label, confidence = result.top[0]
                    rows.append(ComparisonRow(name, label, confidence, result.latency_ms))
            self.compared.emit(request_id, rows)

        self._submit(work, PRIORITY_EXPLAIN, needs_torch=self._answers_need_torch())
        return request_id

    def start_batch(self, model: str, paths: list[Path], top_k: int = 5) -> int:
        """Recognize files chunk by chunk; each chunk is its own task so drawings can run in between."""
        batch_id = self._new_id("batch")
        cancel = threading.Event()
        self._batch_cancel[batch_id] = cancel

        def chunk(start: int) -> None:
            if cancel.is_set():
                self.batch_finished.emit(batch_id, start, True)
                return
            from ml.runtime.recognizer import Prediction

            end = min(start + BATCH_CHUNK, len(paths))
            try:
                results = self._recognizer(model).predict_many(paths[start:end], top_k=top_k)
            except Exception as error:
                results = [None] * (end - start)
                reason = _one_line(error)
            for offset, result in enumerate(results):
                index = start + offset
                if isinstance(result, Prediction):
                    row = BatchRow(index, str(paths[index]), tuple((s.label, s.prob) for s in result.top))
                elif result is None:
                    row = BatchRow(index, str(paths[index]), error=reason)
                else:
                    row = BatchRow(index, str(paths[index]), error=("blank: " if result.blank else "") + result.reason)
                self.batch_progress.emit(batch_id, row)
            if end >= len(paths):
                self._batch_cancel.pop(batch_id, None)
                self.batch_finished.emit(batch_id, end, False)
            else:
                self._submit(lambda: chunk(end), PRIORITY_BATCH, needs_torch=self._answers_need_torch())

        self._submit(lambda: chunk(0), PRIORITY_BATCH, needs_torch=self._answers_need_torch())
        return batch_id

    def cancel_batch(self, batch_id: int) -> None:
        event = self._batch_cancel.get(batch_id)
        if event is not None:
            event.set()


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
