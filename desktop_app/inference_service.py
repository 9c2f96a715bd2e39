"""The app's door to ``ml``'s models: a QObject that runs named jobs on one worker thread. (The widgets
read cards, image files and a line's layout from ``ml.runtime`` directly; every model call goes through here.)

Each request is a small frozen job (:class:`Recognize`, :class:`Explain`, :class:`Compare`,
:class:`BatchChunk`, ...) put on a priority queue; one worker thread takes them in order of priority
and arrival and runs the service's handler for that job's type. A job holds only its data, and
nothing keeps it once it has run.

Requests carry ids; a recognition that is no longer the newest when its turn comes is skipped, and a
result that arrives after a newer request was made is dropped, so the window always shows the
answer to the latest drawing. Errors come back as values (signals with a reason), never as
exceptions in the GUI thread.

Answers on the CPU come from ONNX Runtime (every model; it imports in a small part of torch's time). Torch
takes seconds to import, so it loads on a thread of its own (:meth:`load_runtime`) after the first
answer; what needs it (explanations, answers on a CUDA GPU) waits, in order, until it is ready.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject, Signal

from ml.runtime.labels import TOP_K

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

    from ml.runtime.cards import ModelCard
    from ml.runtime.fusion import FusedRecognizer
    from ml.runtime.letter_pairs import LetterPairs
    from ml.runtime.line_reader import LineReader, WritingCount
    from ml.runtime.recognizer import Recognizer

log = logging.getLogger(__name__)

# Drawing requests jump ahead of queued batch chunks, so drawing stays responsive during a batch.
PRIORITY_INTERACTIVE = 10
PRIORITY_EXPLAIN = 5  # after any queued recognition: the answer matters more than the why
PRIORITY_BATCH = 0
# Files per job: a drawing waits at most one chunk during a batch, and Cancel acts between chunks (at 64,
# a class's 40 scans were one chunk: Cancel said "Cancelling…" and all 40 were read). 16 scans of a page's
# size take about a quarter of a second; per file, 16 go as fast as 64 (39 scans: 0.67-0.72 s either way).
BATCH_CHUNK = 16
# Bytes of picture files per job, too: 16 photos of 4000 x 3000 (about 0.4 s each) were one job of 6 s, which
# Cancel and a drawing waited for. A file larger than this is a job of its own.
BATCH_CHUNK_BYTES = 8 * 1024 * 1024
# Said of a file read as one character that holds several side by side (after how many).
SEVERAL_CHARACTERS_NOTE = "characters side by side: Read as Lines reads each as text"
BATCH_LINES_CHUNK = 4  # files read as lines per job: a line takes tens of ms, so four keep a drawing's wait short
# Stroke files per job, read one by one (a few ms each, up to a few hundred for a 10 MB file): as few as lines.
BATCH_STROKES_CHUNK = 4
# Said of a file read as one character that holds lines of writing, one above the other (after how many).
ROWS_NOTE = "lines of writing: Read as Lines reads them as text"


@dataclass(frozen=True)
class StrokePartner:
    """The stroke model that reads drawings with an image model, once that model is loaded."""

    used: str = ""  # its name; "" when the picture alone reads drawings
    used_figure: float | None = None  # drawings read right with it (UNIPEN test writers)
    unusable: str = ""  # the stroke model the cards name instead, when it cannot be used
    reason: str = ""  # ... and why


@dataclass(frozen=True)
class ModelInfo:
    name: str
    card: ModelCard | None = None  # None when the card itself cannot be read
    error: str = ""  # non-empty: the model cannot be used, and why
    # Drawings read right with its stroke model fused in (UNIPEN test writers) and that model's name.
    fused: tuple[float, str] | None = None
    stroke_partner: StrokePartner | None = None  # known once the model is loaded

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
    inputs_used: tuple[str, ...] = ("image",)  # ("image", "strokes") when the stroke model answered too


@dataclass(frozen=True)
class Explanation:
    model: str
    label: str = ""
    method: str = ""
    heatmap: np.ndarray | None = None
    layers: tuple[tuple[str, np.ndarray], ...] = ()  # (layer name, C x H x W activations)
    error: str = ""
    strokes: Any = None  # ml.runtime.explain.StrokeSaliency: the stroke model's evidence along the pen's path


@dataclass(frozen=True)
class ComparisonRow:
    model: str
    label: str = ""
    confidence: float = 0.0
    latency_ms: float = 0.0
    error: str = ""
    classes: tuple[str, ...] = ()  # what this model can answer at all
    uses: str = ""  # the model (image model) whose row this is: the one put in use from it; "" = ``model``
    runners_up: tuple[tuple[str, float], ...] = ()  # its next answers and their confidences
    # The picture alone or the stroke model alone, beside the fused answer they make: shown, not a model's
    # answer of its own (counted, one model's drawing had three votes).
    part: bool = False


@dataclass(frozen=True)
class LineReading:
    """Text mode's answer: the line read (``ml.runtime.line_reader.ReadLine``) or why it could not be."""

    model: str
    line: Any = None
    from_strokes: bool = False  # boxes are in canvas coordinates; else in the picture's (line.size)
    scale: float = 1.0  # a rendered drawing's pixels per canvas pixel
    opened: bool = False  # read from the opened picture itself: boxes in its pixels
    strokes: Any = None  # the strokes it was read from (ml.runtime.strokes.Strokes)
    error: str = ""
    request_id: int = 0
    not_one_line: str = ""  # why the writing is no line: "rows" (one above the other) or "too much"


@dataclass(frozen=True)
class BatchRow:
    index: int
    path: str
    top: tuple[tuple[str, float], ...] = ()
    error: str = ""
    notes: tuple[str, ...] = ()  # e.g. "converted from CMYK", "multi-page TIFF: used the first of its 3 pages"
    line: Any = None  # a file read as a line of writing: ml.runtime.line_reader.ReadLine (``top`` is empty)
    seen: Any = None  # what the model saw of a character read from its picture (28x28 floats, 0-1), if it did


@dataclass(frozen=True)
class ListModels:
    reload: bool = False  # forget the models loaded so far: their files may have been replaced


@dataclass(frozen=True)
class LoadModel:
    name: str


@dataclass(frozen=True)
class SetDevice:
    device: str


@dataclass(frozen=True)
class Recognize:
    request_id: int
    model: str
    image: Any
    top_k: int
    strokes: Any = None  # ml.runtime.strokes.Strokes of a drawing: fused with the stroke model when there is one


@dataclass(frozen=True)
class Explain:
    request_id: int
    drawing_id: int  # the recognition it explains: stale once a newer drawing was sent
    model: str
    model_input: Any
    label: str | None
    strokes: Any = None  # the drawing's strokes: explained with the stroke model too, when it has one


@dataclass(frozen=True)
class Compare:
    request_id: int
    models: tuple[str, ...]
    image: Any
    strokes: Any = None
    in_use: str = ""  # the model in use: its fused answer's parts get rows of their own ("": every model's)


@dataclass(frozen=True)
class ReadText:
    request_id: int
    model: str
    strokes: Any  # ml.runtime.strokes.Strokes of the drawing, or None: read the picture
    image: Any
    scale: float = 1.0  # pixels of ``image`` per canvas pixel, when it is the rendered drawing
    opened: bool = False  # ``image`` is the opened picture
    top_k: int = TOP_K
    together: tuple[tuple[int, ...], ...] = ()  # strokes (positions) the person joined into one character each
    apart: tuple[tuple[int, ...], ...] = ()  # strokes (positions) of a character the person split in two, each
    known: tuple[tuple[tuple[int, ...], str], ...] = ()  # characters the person put right: strokes, character
    english: bool = True  # a word that reads as English is read with how English is spelled


@dataclass(frozen=True)
class BatchChunk:
    batch_id: int
    model: str
    paths: tuple[Path, ...]
    start: int
    top_k: int
    lines: bool = False  # read each file as a line of writing (text mode's reading), not as one character
    english: bool = True  # ... its words read with how English is spelled (ReadText.english)


@dataclass(frozen=True)
class RuntimeLoaded:
    """Torch was loaded (``error`` empty) or could not be: handed to the worker, which says so."""

    seconds: float
    error: str = ""


Job = ListModels | LoadModel | SetDevice | Recognize | Explain | Compare | ReadText | BatchChunk | RuntimeLoaded

# Torch is loaded and warmed up once per process, by one thread at a time: a second window (or a test's)
# waits for the first load instead of running torch's first passes beside it.
_RUNTIME_LOCK = threading.Lock()
_runtime_warm = False


class InferenceService(QObject):
    models_listed = Signal(list)  # list[ModelInfo]
    model_ready = Signal(str, str)  # model name, device description
    model_failed = Signal(str, str)  # model name, reason
    strokes_partner = Signal(str, object)  # model name, StrokePartner: just before model_ready
    recognized = Signal(int, object)  # request id, Recognition
    picture_counted = Signal(int, int)  # request id, characters side by side in its picture (more than 1)
    picture_lines = Signal(int, int)  # request id, lines of writing in its picture (two or more)
    case_read = Signal(int, str)  # request id, its letter in the case the case model is sure of (a case-merged answer)
    explained = Signal(int, object)  # request id, Explanation
    compared = Signal(int, list)  # request id, list[ComparisonRow]
    line_read = Signal(int, object)  # request id, LineReading
    batch_progress = Signal(int, list)  # batch id, list[BatchRow] (one chunk's)
    batch_finished = Signal(int, int, bool)  # batch id, rows done, cancelled
    device_changed = Signal(str, bool)  # description of the device in use, whether CUDA is present
    runtime_ready = Signal(float)  # torch and the models' code are loaded; seconds it took
    runtime_failed = Signal(str)  # torch could not be loaded: answers on the CPU still work, explanations not
    spelling_checked = Signal(str)  # the English letter pairs read: "" (text mode uses them), else why they cannot be

    def __init__(self, weights_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._weights_dir = weights_dir
        self._queue: queue.PriorityQueue[tuple[int, int, Job | None]] = queue.PriorityQueue()
        self._sequence = itertools.count()  # FIFO among jobs of one priority
        self._pending = 0  # jobs queued or running (under self._idle)
        self._idle = threading.Condition()
        self._worker = threading.Thread(target=self._work_loop, name="glyphpad-inference", daemon=True)
        self._worker.start()
        self._latest: dict[str, int] = {"recognize": 0, "explain": 0, "compare": 0, "read": 0}
        self._next_id = 0
        self._lock = threading.Lock()
        self._device = "auto"  # the worker's device as asked for; touched only in the worker thread
        self._resolved: str | None = None  # ... and as resolved ("cpu", "cuda"), once a model needed it
        self._requested_device = "auto"  # the same, as last asked for from the GUI thread
        # What is loaded, touched only in the worker thread: each model, its batch session on the CPU and text
        # mode's line reader of it, each by (name, device) (a batch session's device is always "cpu").
        self._recognizers: dict[tuple[str, str], Recognizer] = {}
        self._batch_recognizers: dict[tuple[str, str], Recognizer] = {}
        self._line_readers: dict[tuple[str, str], LineReader] = {}
        self._batch_cancel: dict[int, threading.Event] = {}
        self._runtime = threading.Event()  # set once torch is imported (load_runtime)
        self._runtime_loading = False
        self._runtime_error = ""  # why torch could not be loaded, once it could not
        self._closed = False  # shut down: a load of torch finishing later says nothing
        self._waiting_for_runtime: list[tuple[Job, int]] = []  # GUI thread only
        # (name, device) -> the image model fused with its stroke model, or None (worker thread)
        self._fusions: dict[tuple[str, str], FusedRecognizer | None] = {}
        self._partners: dict[tuple[str, str], StrokePartner] = {}  # said once a model is loaded (worker thread)
        # What each loaded model's files were when it was loaded (worker thread): a listing finds the
        # models retrained or replaced since, and reads them anew.
        self._loaded_files: dict[str, tuple[tuple[str, int, int], ...]] = {}
        # Likewise the files of text mode's companions (case model, picture partner) each line reader holds.
        self._companion_files: dict[tuple[str, str], tuple[tuple[str, int, int], ...]] = {}
        self._letter_pairs: LetterPairs | Literal[False] | None = None  # loaded once (worker thread); False: cannot
        self.runtime_ready.connect(self._submit_waiting)
        self.runtime_failed.connect(self._submit_waiting)

    # ---- bookkeeping -------------------------------------------------------------------------
    def _new_id(self, kind: str) -> int:
        with self._lock:
            self._next_id += 1
            self._latest[kind] = self._next_id
            return self._next_id

    def cancel(self, kind: str) -> None:
        """Whatever of ``kind`` was asked for last is no longer wanted (the pad was cleared): its answer,
        if the worker still gives one, is not the latest and is dropped."""
        self._new_id(kind)

    def latest_id(self, kind: str) -> int:
        with self._lock:
            return self._latest.get(kind, 0)

    def is_latest(self, kind: str, request_id: int) -> bool:
        with self._lock:
            return self._latest.get(kind) == request_id

    def _submit(self, job: Job, priority: int = PRIORITY_INTERACTIVE, needs_torch: bool = False) -> None:
        """Queue a job; a job that needs torch waits until :meth:`load_runtime` is done.

        Waiting jobs keep their order: until they have been queued, later torch jobs wait behind them.
        """
        if self._closed:  # a window's late answer (a model list arriving at closing) asks for nothing more
            return
        if needs_torch and self._runtime_error:
            self._without_torch(job, priority)
            return
        if needs_torch and (not self._runtime.is_set() or self._waiting_for_runtime):
            self._waiting_for_runtime.append((job, priority))
            return
        self._enqueue(job, priority)

    def _without_torch(self, job: Job, priority: int) -> None:
        """A job that needed torch, which could not be loaded: an explanation is answered with the reason
        (it would wait for good); others (answers on a CUDA GPU) run and fail with their own."""
        if isinstance(job, Explain):
            reason = f"PyTorch could not be loaded ({self._runtime_error}): no explanations"
            self.explained.emit(job.request_id, Explanation(model=job.model, error=reason))
        else:
            self._enqueue(job, priority)

    def _enqueue(self, job: Job | None, priority: int) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put((-priority, next(self._sequence), job))

    def _submit_waiting(self) -> None:
        waiting, self._waiting_for_runtime = self._waiting_for_runtime, []
        for job, priority in waiting:  # torch is there now, or will not be: each goes as it would have gone
            self._submit(job, priority, needs_torch=True)

    def _work_loop(self) -> None:
        handlers: dict[type, Callable[[Any], None]] = {
            ListModels: self._list_models,
            LoadModel: self._load_model,
            SetDevice: self._set_device,
            Recognize: self._recognize,
            Explain: self._explain,
            Compare: self._compare,
            ReadText: self._read_text,
            BatchChunk: self._batch_chunk,
            RuntimeLoaded: self._runtime_loaded,
        }
        threads_set = False
        while True:
            _, _, job = self._queue.get()
            try:
                if job is None:
                    return
                if self._runtime.is_set() and not threads_set:
                    from ml.runtime.recognizer import use_cpu_threads

                    use_cpu_threads(1)  # torch's CPU work on this thread: one thread, the GUI needs a core
                    threads_set = True
                handlers[type(job)](job)
            except Exception as error:  # a job must never take the worker thread down with it
                log.exception("inference job %s failed", type(job).__name__)
                self._say_failed(job, _one_line(error))
            finally:
                del job  # nothing keeps a finished job (or the image it carried)
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _say_failed(self, job: Job | None, reason: str) -> None:
        """The answer to a job that failed unforeseen: the window waited for it for good (a model "Loading…",
        a batch that never ended and kept models from being listed again)."""
        try:
            if isinstance(job, LoadModel):
                self.model_failed.emit(job.name, reason)
            elif isinstance(job, Recognize):
                self.recognized.emit(job.request_id, Recognition(model=job.model, error=reason))
            elif isinstance(job, Explain):
                self.explained.emit(job.request_id, Explanation(model=job.model, error=reason))
            elif isinstance(job, Compare):
                compared = [ComparisonRow(model=name, error=reason, uses=name) for name in job.models]
                self.compared.emit(job.request_id, compared)
            elif isinstance(job, ReadText):
                self.line_read.emit(job.request_id, LineReading(job.model, error=reason, request_id=job.request_id))
            elif isinstance(job, BatchChunk):  # its files said unread, with the reason, and the batch goes on
                end = _chunk_end(job.paths, job.start, job.lines)
                unread = [BatchRow(index, str(job.paths[index]), error=reason) for index in range(job.start, end)]
                self.batch_progress.emit(job.batch_id, unread)
                self._next_chunk(job, end)
        except Exception:  # (the answer itself could not be made: logged, the worker goes on)
            log.exception("the failure of %s could not be said", type(job).__name__)

    @property
    def runtime_loaded(self) -> bool:
        return self._runtime.is_set()

    @property
    def runtime_error(self) -> str:
        """Why torch could not be loaded ("" while it loads, once it has, or before it is asked for)."""
        return self._runtime_error

    def load_runtime(self) -> None:
        """Import torch, ml.runtime.recognizer and ml.runtime.explain on a thread of their own; emits runtime_ready.

        Called once the window is up. The app removes PySide6's import hook first (see
        desktop_app.__main__), which crashed when torch was imported off the main thread.
        """
        if self._runtime_loading or self._runtime.is_set():
            return
        self._runtime_loading = True

        def load() -> None:
            global _runtime_warm
            start = time.perf_counter()
            error = ""
            with _RUNTIME_LOCK:
                collecting = gc.isenabled()
                # No cyclic collection while torch loads: one on this thread could free a window's Qt
                # objects off the GUI thread (loading torch runs several, full ones among them).
                gc.disable()
                try:
                    if not _runtime_warm:
                        import ml.runtime.explain  # noqa: F401
                        from ml.runtime.recognizer import warm_up_runtime

                        warm_up_runtime()
                        _runtime_warm = True
                except Exception as exc:  # a broken torch install: answers on the CPU still work
                    log.exception("torch could not be loaded")
                    error = _one_line(exc)
                finally:
                    # Everything imported so far lives as long as the app: out of the cyclic collector's
                    # reach, a full collection no longer walks torch's and Qt's objects while a drawing
                    # waits. Frozen on failure too: the counts the import ran up would start a collection
                    # here at the next allocation.
                    gc.freeze()
                    if collecting:
                        gc.enable()
            if not self._closed:  # said by the worker, which shutdown() joins (this thread is not joined)
                self._enqueue(RuntimeLoaded(time.perf_counter() - start, error), PRIORITY_INTERACTIVE + 1)

        threading.Thread(target=load, name="glyphpad-runtime", daemon=True).start()

    def _answers_need_torch(self) -> bool:
        """Answers need torch only on a CUDA GPU; on the CPU ONNX Runtime gives them. "auto" where an NVIDIA
        driver is may be a GPU: torch says, so the answers wait for it as loaded (the worker imported it
        itself, with the garbage collector on, which load_runtime keeps off)."""
        from ml.runtime.devices import nvidia_driver_present

        device = self._requested_device
        return device.startswith("cuda") or (device == "auto" and nvidia_driver_present())

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block until every queued job has run (False if ``timeout_ms`` passed first)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout_ms / 1000)

    @property
    def worker_running(self) -> bool:
        return self._worker.is_alive()

    @property
    def idle(self) -> bool:
        with self._idle:
            return self._pending == 0

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel batches, drop queued jobs, let the running one finish and stop the worker."""
        self._closed = True
        for event in list(self._batch_cancel.values()):  # (the worker drops a batch's entry as it ends)
            event.set()
        self._waiting_for_runtime.clear()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            with self._idle:
                self._pending -= 1
        self._enqueue(None, -1_000_000)  # after anything still queued: the worker's last item
        self._worker.join(timeout_ms / 1000)

    # ---- worker-side helpers -------------------------------------------------------------------
    def _runtime_loaded(self, job: RuntimeLoaded) -> None:
        if self._closed:
            return
        if job.error:
            self._runtime_error = job.error
            if self._resolved is not None and not self._resolved.startswith("cuda"):
                self._say_device(self._resolved, cuda=False)  # (said from the driver alone until now)
            self.runtime_failed.emit(job.error)
            return
        self._runtime.set()
        if self._resolved is not None and not self._resolved.startswith("cuda"):
            self._say_device(self._resolved)  # said from the driver alone until now
        log.info("PyTorch ready for explanations in %.2f s", job.seconds)
        self.runtime_ready.emit(job.seconds)

    def _on_device(self) -> str:
        """Where the models run: the device asked for, resolved once ("auto" is "cuda" or "cpu")."""
        if self._resolved is None:
            from ml.runtime.devices import resolve_device

            self._resolved = resolve_device(self._device)
        return self._resolved

    def _recognizer(self, name: str) -> Recognizer:
        """The model that answers: ONNX Runtime on the CPU, torch on CUDA (loaded once per device)."""
        from ml.runtime.recognizer import load_recognizer

        key = (name, self._on_device())
        if key not in self._recognizers:
            files = self._files_of(name)
            recognizer = load_recognizer(self._weights_dir / f"{name}.safetensors", device=self._on_device())
            recognizer.warm_up()
            self._recognizers[key] = recognizer
            self._loaded_files[name] = files
        return self._recognizers[key]

    def _files_of(self, name: str) -> tuple[tuple[str, int, int], ...]:
        """Model ``name``'s files, the stroke models' (which one is fused with it) and text mode's piece
        verifier's, each with its time and size: what a retrained or replaced model changes. (Text mode's
        case model and picture partner are other models: see _companion_files.)"""
        from ml.runtime.cards import MODEL_FILE_SUFFIXES, stroke_models_dir
        from ml.runtime.piece_verifier import pieces_dir

        paths = [(self._weights_dir / name).with_suffix(suffix) for suffix in MODEL_FILE_SUFFIXES]
        for folder in (stroke_models_dir(self._weights_dir), pieces_dir(self._weights_dir)):
            if folder.is_dir():  # model files only: a note or a checkpoint there changes no model
                paths += sorted(path for path in folder.iterdir() if path.suffix in MODEL_FILE_SUFFIXES)
        signature = []
        for path in paths:
            with contextlib.suppress(OSError):
                stat = path.stat()
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    def _line_companions_files(self) -> tuple[tuple[str, int, int], ...]:
        from ml.runtime.cards import CASE_MODEL, PICTURE_PARTNER

        return self._files_of(CASE_MODEL) + self._files_of(PICTURE_PARTNER)

    def _forget(self, names: set[str]) -> None:
        """Drop what was loaded of the models ``names`` (and their fusions): they are read anew when next used."""
        caches: tuple[dict[Any, Any], ...] = (
            self._recognizers,
            self._batch_recognizers,
            self._line_readers,
            self._fusions,
            self._partners,
            self._companion_files,
        )
        for cache in caches:
            for key in [key for key in cache if key[0] in names]:
                del cache[key]
        for name in names:
            self._loaded_files.pop(name, None)

    def _fused(self, name: str) -> FusedRecognizer | None:
        """The image model fused with its stroke model (``weights/strokes``), or None if it has none."""
        from ml.runtime.fusion import FusedRecognizer

        key = (name, self._on_device())
        if key not in self._fusions:
            image = self._recognizer(name)
            try:
                fused = FusedRecognizer.for_image_model(image, self._on_device(), directory=self._weights_dir)
                if fused is not None:  # (one that loads but cannot run is as damaged as one that cannot load)
                    fused.strokes.warm_up()
            except Exception:  # a damaged stroke model: the picture alone still answers
                log.exception("the stroke model of %s could not be loaded", name)
                fused = None
            self._fusions[key] = fused
        return self._fusions[key]

    @property
    def weights_dir(self) -> Path:
        return self._weights_dir

    def fused_stroke_model(self, name: str) -> str | None:
        """The stroke model fused with image model ``name`` in the answers given so far, if any."""
        fused = self._fusions.get((name, self._resolved or ""))
        return str(fused.strokes.card.name) if fused is not None else None

    def _batch_recognizer(self, name: str) -> Recognizer:
        """For batches on the CPU, the model in an ONNX Runtime session with a thread per core (a drawing
        uses one: a hand-off costs more than it saves on one image, not on a chunk of them)."""
        recognizer = self._recognizer(name)
        if self._on_device().startswith("cuda"):
            return recognizer
        from ml.runtime.recognizer import BATCH_THREADS, OnnxRecognizer

        key = (name, "cpu")
        if key not in self._batch_recognizers:
            self._batch_recognizers[key] = OnnxRecognizer.load_onnx(recognizer.weights_path, threads=BATCH_THREADS)
        return self._batch_recognizers[key]

    # ---- requests (called from the GUI thread) -------------------------------------------------
    def list_models(self, reload: bool = False) -> None:
        """List the weights folder's models (again); with ``reload`` the ones loaded so far are read anew
        from their files when next used (a model retrained under the same name)."""
        self._submit(ListModels(reload))

    def load_model(self, name: str) -> None:
        self._submit(LoadModel(name), needs_torch=self._answers_need_torch())

    def set_device(self, device: str) -> None:
        # A choice still waiting for torch (CUDA) is replaced by this one: the CPU, which waits for nothing,
        # was set first and the GPU after it, once torch had loaded, whatever the person chose last.
        self._waiting_for_runtime = [(job, p) for job, p in self._waiting_for_runtime if not isinstance(job, SetDevice)]
        self._requested_device = device
        self._submit(SetDevice(device), needs_torch=self._answers_need_torch())

    def recognize(self, model: str, image: Any, top_k: int = TOP_K, strokes: Any = None) -> int:
        """Queue a recognition of ``image`` (array, path or bytes) and, for a drawing, its ``strokes``;
        returns the request id."""
        request_id = self._new_id("recognize")
        job = Recognize(request_id, model, image, top_k, strokes)
        self._submit(job, needs_torch=self._answers_need_torch())
        return request_id

    def explain(self, model: str, model_input: np.ndarray, label: str | None = None, strokes: Any = None) -> int:
        request_id = self._new_id("explain")
        job = Explain(request_id, self.latest_id("recognize"), model, model_input, label, strokes)
        self._submit(job, PRIORITY_EXPLAIN, needs_torch=True)
        return request_id

    def compare(self, models: list[str], image: Any, strokes: Any = None, in_use: str = "") -> int:
        request_id = self._new_id("compare")
        job = Compare(request_id, tuple(models), image, strokes, in_use)
        self._submit(job, PRIORITY_EXPLAIN, self._answers_need_torch())
        return request_id

    def read_text(
        self,
        model: str,
        strokes: Any,
        image: Any,
        scale: float = 1.0,
        opened: bool = False,
        top_k: int = TOP_K,
        together: tuple[tuple[int, ...], ...] = (),
        apart: tuple[tuple[int, ...], ...] = (),
        known: tuple[tuple[tuple[int, ...], str], ...] = (),
        english: bool = True,
    ) -> int:
        """Queue reading a written line: from its ``strokes`` when given (``together``: groups of them to read
        as one character each; ``apart``: groups to read as two characters each; ``known``: characters the
        person put right, as their strokes and what they are; strokes of several lines are read line by line),
        else from ``image``; ``english``: with the English letter pairs (else each word's letters on
        their own)."""
        request_id = self._new_id("read")
        job = ReadText(request_id, model, strokes, image, scale, opened, top_k, together, apart, known, english)
        self._submit(job, needs_torch=self._answers_need_torch())
        return request_id

    def start_batch(
        self, model: str, paths: list[Path], top_k: int = TOP_K, lines: bool = False, english: bool = True
    ) -> int:
        """Recognize files chunk by chunk; each chunk is a job of its own so drawings can run in between.
        With ``lines``, each file is a picture of a written line, read as text (``english``: as ReadText)."""
        batch_id = self._new_id("batch")
        self._batch_cancel[batch_id] = threading.Event()
        job = BatchChunk(batch_id, model, tuple(paths), 0, top_k, lines, english)
        self._submit(job, PRIORITY_BATCH, self._answers_need_torch())
        return batch_id

    def cancel_batch(self, batch_id: int) -> None:
        event = self._batch_cancel.get(batch_id)
        if event is not None:
            event.set()

    # ---- jobs (run on the worker thread) ---------------------------------------------------------
    def _list_models(self, job: ListModels) -> None:
        from ml.runtime.cards import WeightsError, bundled_cards, drawings_figures, misnamed  # (no torch needed)

        # Models retrained or replaced since they were loaded (a copy over them, a new stroke model) are read
        # anew; with ``reload`` every one is.
        changed = {name for name, files in self._loaded_files.items() if job.reload or self._files_of(name) != files}
        self._forget(changed | ({key[0] for key in self._recognizers} if job.reload else set()))
        if job.reload:
            self._letter_pairs = None  # read again too (a letter pairs file counted anew, or mended)
        companions_now = self._line_companions_files()
        for key in [key for key, files in self._companion_files.items() if job.reload or files != companions_now]:
            self._line_readers.pop(key, None)  # its case model or picture partner retrained, added or removed
            del self._companion_files[key]

        listed = bundled_cards(self._weights_dir)
        # As their cards say; once a model is loaded, strokes_partner says which stroke model reads drawings.
        figures = drawings_figures(
            [card for _, card in listed if not isinstance(card, WeightsError)], self._weights_dir
        )
        infos = []
        for weights_path, card in listed:
            if isinstance(card, WeightsError):
                infos.append(ModelInfo(name=weights_path.stem, error=str(card)))
                continue
            error = "" if weights_path.exists() else f"{weights_path.name} is missing"
            if wrong_name := misnamed(card, weights_path):  # asked for by its card's name: listed twice
                infos.append(ModelInfo(name=weights_path.stem, card=card, error=wrong_name))
                continue
            if card.input_kind != "image":  # one put beside the pictures' models reads no picture
                folder = weights_path.parent.name
                error = f"a stroke model: put it in {folder}/strokes/, where drawings are read with it"
            infos.append(ModelInfo(name=card.name, card=card, error=error, fused=figures.get(card.name)))
        self.models_listed.emit(infos)
        # After the listing (first, or a reload: the View menu's item follows at once), so that what it says
        # of the letter pairs follows the listing's own sentence ("2 models in ..., as before" hid it).
        self._check_letter_pairs()

    def _load_model(self, job: LoadModel) -> None:
        start = time.perf_counter()
        try:
            recognizer = self._recognizer(job.name)
        except Exception as error:  # WeightsError, DeviceError, or anything a runtime raises
            log.info("model %s cannot be used: %s", job.name, _one_line(error))  # the window says so
            self.model_failed.emit(job.name, _one_line(error))
            return
        key = (job.name, self._on_device())
        partner = self._partners.get(key)
        if partner is None:  # loaded before the window asked for it (at launch), or chosen again: said once
            fused = self._fused(job.name)  # its stroke model too, so that the first drawing waits for neither
            partner = self._partners[key] = self._stroke_partner(recognizer.card, fused)
            log.info(
                "model %s ready on %s in %.0f ms%s",
                job.name,
                recognizer.describe_device(),
                (time.perf_counter() - start) * 1000,
                f", drawings read with its stroke model {partner.used}" if partner.used else "",
            )
        self.strokes_partner.emit(job.name, partner)
        self.model_ready.emit(job.name, recognizer.describe_device())

    def _stroke_partner(self, card: ModelCard, fused: Any) -> StrokePartner:
        """Which stroke model reads drawings with ``card``'s model, and, when it is not the one its cards
        name (that one damaged or missing), that one's name and why."""
        from ml.runtime.cards import (
            FUSED_PEN_TEST,
            drawings_figure,
            refit_command,
            stale_fusions,
            stroke_model_problem,
        )

        used = fused.strokes.card if fused is not None else None
        partner = StrokePartner(used.name if used else "", used.figure(FUSED_PEN_TEST) if used else None)
        intended = drawings_figure(card, self._weights_dir)
        if intended is not None and intended[1] != partner.used:
            reason = stroke_model_problem(intended[1], self._weights_dir) or "it cannot be loaded"
            partner = replace(partner, unusable=intended[1], reason=reason)
        elif not partner.used and (stale := stale_fusions(card.name, card.sha256, self._weights_dir)):
            # Fitted to the weights this model had before (retrained under its name): fitted again, it reads.
            refit = refit_command(stale[0], card.name, self._weights_dir)
            reason = f"fitted to an earlier {card.name} ({refit} fits it again)"
            partner = replace(partner, unusable=stale[0], reason=reason)
        return partner

    def _set_device(self, job: SetDevice) -> None:
        from ml.runtime.devices import DeviceError, resolve_device

        try:
            resolved = resolve_device(job.device)
        except DeviceError as error:
            self.model_failed.emit("", error.problem)  # the window says what it does instead
            return
        self._device = job.device
        # The window sets the device at its start: the model loaded before on the same device stays.
        if resolved != self._resolved:
            self._resolved = resolved
            self._recognizers.clear()
            self._batch_recognizers.clear()
            self._line_readers.clear()
            self._fusions.clear()
            self._partners.clear()
        self._say_device(resolved)

    def _say_device(self, resolved: str, cuda: bool | None = None) -> None:
        """device_changed for the device in use, and whether CUDA is there (``cuda``, or found out). That is
        torch's to say: before it has loaded, an NVIDIA driver is taken for a GPU (the worker importing torch
        itself took seconds from the first answer, with the garbage collector on), and it is said again once
        torch is there, or could not be loaded."""
        from ml.runtime.devices import cuda_available, describe, nvidia_driver_present

        shown = "CPU (ONNX Runtime)" if resolved == "cpu" else describe(resolved)
        if cuda is None:
            torch_there = self._runtime.is_set() or resolved.startswith("cuda")
            cuda = cuda_available() if torch_there else nvidia_driver_present()
        self.device_changed.emit(shown, cuda)

    def _recognize(self, job: Recognize) -> None:
        if not self.is_latest("recognize", job.request_id):
            return  # a newer drawing is already queued: this one would only be shown and replaced
        image = job.image
        if job.strokes is None and isinstance(image, (str, Path, bytes)):
            from ml.runtime.image_io import ImageLoadError, load_image

            with contextlib.suppress(ImageLoadError):  # the answer says why
                image = load_image(image)  # decoded once: for the answer and for the count below
        result = self._recognize_now(job.model, image, job.top_k, job.strokes)
        if log.isEnabledFor(logging.INFO):  # --verbose: each answer and its time
            answer = f"{result.top[0][0]} {result.top[0][1]:.1%}" if result.top else f"none ({result.error})"
            log.info("read %s in %.1f ms: %s", "+".join(result.inputs_used) or "input", result.latency_ms, answer)
        self.recognized.emit(job.request_id, result)
        if (
            not result.error
            and result.top
            and result.model_input is not None
            and self.is_latest("recognize", job.request_id)
        ):
            # After the answer, and only for the last drawing (not for each pen-up of one written on): which
            # case a letter read in one class for both is, as Keep as Example offers it (a child's small g was
            # offered as a capital G). Never at the cost of the answer.
            try:
                case = self._case_alone(job.model, result.model_input, result.top[0][0])
            except Exception:
                log.exception("reading the case of a letter failed")
                case = ""
            if case:
                self.case_read.emit(job.request_id, case)
        if job.strokes is None and not result.error and self.is_latest("recognize", job.request_id):
            # A picture (opened, pasted, or a drawing without its strokes) may hold a whole word, which one
            # answer cannot read: its characters are counted once the answer is out (a 12 MP photo's count
            # took a few hundred ms), so the window can point to text mode.
            from ml.runtime.line_reader import writing_in_picture

            try:
                count = writing_in_picture(image)  # (its lines too: a photo of two lines read as one N)
            except Exception:  # a count for a note: never at the cost of the worker
                log.exception("counting the characters of a picture failed")
                return
            if count.apart > 1:
                self.picture_counted.emit(job.request_id, count.apart)
            elif count.lines:
                self.picture_lines.emit(job.request_id, count.lines)

    def _case_alone(self, model: str, model_input: np.ndarray, label: str) -> str:
        """``label``'s letter in the case the case model reads ``model_input`` in, when ``model`` reads both
        cases of it as one class and the case model is sure ("" otherwise, or without a case model)."""
        from ml.runtime.labels import tells_case
        from ml.runtime.line_reader import case_alone

        recognizer = self._recognizer(model)
        if not label.isalpha() or label.lower() == label.upper() or tells_case(recognizer.labels):
            return ""
        case_model = self._line_reader(model).case_model  # (loaded once, as text mode loads it)
        return case_alone(case_model, model_input, label) if case_model is not None else ""

    def _recognize_now(self, model: str, image: Any, top_k: int, strokes: Any = None, how: str = "best") -> Recognition:
        """``how``: "best" (fused when strokes and a stroke model are there), "image" or "strokes" alone."""
        from ml.runtime.fusion import strokes_alone
        from ml.runtime.recognizer import PredictionError
        from ml.runtime.strokes import dots_reason

        try:
            recognizer = self._recognizer(model)
            fused = self._fused(model) if strokes is not None and how != "image" else None
        except Exception as error:
            return Recognition(model=model, error=_one_line(error))
        start = time.perf_counter()
        try:
            if how == "strokes":
                if fused is None:
                    return Recognition(model=model, error="no stroke model for this model")
                result = strokes_alone(fused.strokes).predict_strokes(strokes, top_k=top_k)
            elif fused is not None:
                result = fused.predict(image, strokes, top_k=top_k)
            elif strokes is not None and (dots := dots_reason(strokes)):  # Compare's picture rows too
                result = PredictionError(dots, blank=True)  # taps, as the fused answer says, whatever the model
            else:
                result = recognizer.predict(image, top_k=top_k)
        except Exception as error:  # never let one odd input crash the app
            return Recognition(model=model, error=_one_line(error))
        return _recognition(model, result, (time.perf_counter() - start) * 1000)

    def _explain(self, job: Explain) -> None:
        # Stale when a newer explanation was asked for, or the drawing changed since.
        if not self.is_latest("explain", job.request_id) or self.latest_id("recognize") != job.drawing_id:
            return
        from ml.runtime.explain import activation_maps, explain

        try:
            # Explained in torch (the answering model on CUDA, else its weights loaded on the CPU once, kept
            # while the recognizer is: ml.runtime.explain.in_torch).
            recognizer = self._recognizer(job.model)
            heatmap = explain(recognizer, job.model_input, job.label)
            maps = activation_maps(recognizer, job.model_input)
        except Exception as error:
            self.explained.emit(job.request_id, Explanation(model=job.model, error=_one_line(error)))
            return
        layers = tuple((layer.name, layer.maps) for layer in maps.layers)
        along_strokes = self._explain_strokes(job, heatmap.label) if job.strokes is not None else None
        explanation = Explanation(
            job.model, heatmap.label, heatmap.method, heatmap.heatmap, layers, strokes=along_strokes
        )
        self.explained.emit(job.request_id, explanation)

    def _explain_strokes(self, job: Explain, label: str) -> Any:
        """The stroke model's saliency along the drawing's path for ``label``, or None without one."""
        from ml.runtime.explain import stroke_saliency
        from ml.runtime.strokes import StrokesError, normalize_strokes

        try:
            fused = self._fused(job.model)
            if fused is None:
                return None
            return stroke_saliency(fused.strokes, normalize_strokes(job.strokes), label)
        except StrokesError:
            return None
        except Exception:  # the picture's explanation stands on its own
            log.exception("the strokes of %s could not be explained", job.model)
            return None

    def _compare(self, job: Compare) -> None:
        from ml.runtime.fusion import strokes_alone

        if not self.is_latest("compare", job.request_id):
            return
        rows = []
        for name in job.models:
            runs = [(name, "image")]
            try:
                fused = self._fused(name) if job.strokes is not None else None
            except Exception:  # the model itself cannot load: its row says why (below)
                fused = None
            if fused is not None and job.in_use in ("", name):  # the picture alone, the strokes, the fused answer
                runs = [(picture_row_name(name), "image"), (stroke_row_name(fused.strokes.card.name), "strokes")]
                runs.append((fused_row_name(name), "best"))
            elif fused is not None:  # another model: its answer (every model fuses: 14 models were 42 rows)
                runs = [(fused_row_name(name), "best")]
            for shown, how in runs:
                part = fused is not None and how != "best"
                result = self._recognize_now(name, job.image, COMPARE_TOP_K, job.strokes, how)
                if result.error:
                    rows.append(ComparisonRow(model=shown, error=result.error, uses=name, part=part))
                else:
                    label, confidence = result.top[0]
                    # (the strokes row in the stroke model's classes where it answers in them: "E/e")
                    answered_by = strokes_alone(fused.strokes) if fused is not None and how == "strokes" else None
                    classes = tuple((answered_by or self._recognizer(name)).labels)
                    row = ComparisonRow(shown, label, confidence, result.latency_ms, classes=classes, uses=name)
                    rows.append(replace(row, runners_up=result.top[1:], part=part))
        self.compared.emit(job.request_id, rows)

    def _line_reader(self, name: str, english: bool = True) -> LineReader:
        """The model in use, its stroke model, and when bundled the case model (for case-merged models), the
        second image model that reads pictures of lines with it and the piece verifier that cuts them; with
        the English letter pairs when ``english``, bundled and the model reads letters."""
        from ml.runtime.labels import reads_letters
        from ml.runtime.line_reader import LineReader, line_companions
        from ml.runtime.piece_verifier import load_piece_verifier

        self._check_letter_pairs()
        key = (name, self._on_device())
        if key not in self._line_readers:
            image = self._recognizer(name)
            self._companion_files[key] = self._line_companions_files()
            case_model, partner = line_companions(image, self._weights_dir, self._on_device())
            verifier = load_piece_verifier(self._weights_dir)
            self._line_readers[key] = LineReader(image, self._fused(name), case_model, partner, verifier)
        reader = self._line_readers[key]
        pairs = self._letter_pairs
        reader.letter_pairs = pairs if english and pairs and reads_letters(reader.labels) else None
        return reader

    def _check_letter_pairs(self) -> None:
        """Read the English letter pairs unless read since the last reload, and say whether text mode can
        use them (``spelling_checked``: "" or why not), in order with the listings that reset them."""
        if self._letter_pairs is not None:
            return
        from ml.runtime.letter_pairs import LetterPairsError, letter_pairs_file, load_letter_pairs

        try:
            self._letter_pairs = load_letter_pairs(letter_pairs_file(self._weights_dir))
        except LetterPairsError as error:
            log.warning("words are read without English spelling: %s", error)
            self._letter_pairs = False
            self.spelling_checked.emit(str(error))
        else:
            self.spelling_checked.emit("")

    def _read_text(self, job: ReadText) -> None:
        if not self.is_latest("read", job.request_id):
            return
        from ml.runtime.line_reader import read_error

        try:
            reader = self._line_reader(job.model, job.english)
            if job.strokes is not None:
                # Lines written one under another (a list, a note) are read line by line, as a picture's
                # are (a second line begun below the first made the pad read neither: a note-taker's trial).
                line = reader.read_strokes(job.strokes, job.top_k, job.together, job.apart, job.known, rows=True)
            else:
                # The pad's drawing rendered (after the eraser) is read as one line, as its strokes are
                # (levelled when it slopes, stood upright when it leans).
                line = reader.read_image(job.image, job.top_k, rows=job.opened)
            reading = LineReading(
                job.model, line, job.strokes is not None, job.scale, job.opened, job.strokes, request_id=job.request_id
            )
        except Exception as error:  # a line that cannot be read says why; the app goes on
            from ml.runtime.segmentation import RowsOfWritingError, TooMuchWritingError

            kind = "rows" if isinstance(error, RowsOfWritingError) else ""
            kind = "too much" if isinstance(error, TooMuchWritingError) else kind
            reading = LineReading(job.model, error=read_error(error), request_id=job.request_id, not_one_line=kind)
        else:
            if log.isEnabledFor(logging.INFO):  # --verbose: each line read and its time, as each character's answer
                source = "its strokes" if job.strokes is not None else "a picture"  # (the pad's, after the eraser)
                log.info("read a line from %s in %.1f ms: %r", source, line.latency_ms, line.text)
        self.line_read.emit(job.request_id, reading)

    def _batch_chunk(self, job: BatchChunk) -> None:
        cancel = self._batch_cancel.get(job.batch_id)
        if cancel is None or cancel.is_set():
            self._batch_cancel.pop(job.batch_id, None)
            log.info("batch %d cancelled after %d of %d files", job.batch_id, job.start, len(job.paths))
            self.batch_finished.emit(job.batch_id, job.start, True)
            return
        end = _chunk_end(job.paths, job.start, job.lines)
        chunk = list(job.paths[job.start : end])
        if job.lines:
            rows = [self._batch_line(job, index) for index in range(job.start, end)]
        else:
            rows = self._batch_characters(job, chunk)
        self.batch_progress.emit(job.batch_id, rows)  # one signal a chunk: the GUI thread fills them at once
        self._next_chunk(job, end)

    def _next_chunk(self, job: BatchChunk, end: int) -> None:
        """The batch after its chunk ending at ``end``: the next chunk queued, or the batch finished."""
        if end >= len(job.paths):
            self._batch_cancel.pop(job.batch_id, None)
            log.info("batch %d done: %d files with %s", job.batch_id, end, job.model)
            self.batch_finished.emit(job.batch_id, end, False)
        else:
            self._enqueue(replace(job, start=end), PRIORITY_BATCH)

    def _batch_line(self, job: BatchChunk, index: int) -> BatchRow:
        """One file of a batch read as a line of writing, or why it could not be."""
        from ml.runtime.image_files import is_drawing_file
        from ml.runtime.line_reader import read_error
        from ml.runtime.strokes import read_strokes_file

        path = job.paths[index]
        try:
            reader = self._line_reader(job.model, job.english)
            if is_drawing_file(path):
                line = reader.read_strokes(read_strokes_file(path), job.top_k, rows=True)
            else:
                line = reader.read_image(path, job.top_k)
        except Exception as error:  # one unreadable file must not stop the others
            return BatchRow(index, str(path), error=read_error(error))
        if not line.characters:
            return BatchRow(index, str(path), error="blank: no writing found")
        return BatchRow(index, str(path), notes=line.notes, line=line)

    def _batch_characters(self, job: BatchChunk, chunk: list[Path]) -> list[BatchRow]:
        """A chunk of a batch's files, each read as one character: the pictures together, each stroke file
        as a drawing (its picture fused with its strokes, as the pad reads it)."""
        from ml.runtime.image_files import is_drawing_file
        from ml.runtime.line_reader import writing_in_picture_file
        from ml.runtime.recognizer import Prediction

        results: list[Any] = [None] * len(chunk)
        reasons = [""] * len(chunk)
        said: list[tuple[str, ...]] = [()] * len(chunk)  # several characters in a file given one guess
        pictures = [offset for offset, path in enumerate(chunk) if not is_drawing_file(path)]
        try:
            if pictures:
                answers = self._batch_recognizer(job.model).predict_many([chunk[o] for o in pictures], job.top_k)
                for offset, answer in zip(pictures, answers, strict=True):
                    results[offset] = answer
        except Exception as error:
            for offset in pictures:
                reasons[offset] = _one_line(error)
        for offset, path in enumerate(chunk):
            if is_drawing_file(path):
                results[offset], reasons[offset], said[offset] = self._stroke_file_answer(job.model, path, job.top_k)
            elif isinstance(results[offset], Prediction):
                try:  # (side by side, or lines: a photo of a word, or of a note; not in a character's crop)
                    said[offset] = _count_note(writing_in_picture_file(path))
                except Exception:  # a count for a note: never at the cost of the batch
                    log.exception("counting the characters of %s failed", path)
        rows = []
        for offset, result in enumerate(results):
            index = job.start + offset
            if isinstance(result, Prediction):
                top = tuple((s.label, s.prob) for s in result.top)
                seen = result.model_input if "image" in result.inputs_used else None  # (not a stroke model's)
                row = BatchRow(index, str(job.paths[index]), top, notes=result.notes + said[offset], seen=seen)
            elif result is None:
                row = BatchRow(index, str(job.paths[index]), error=reasons[offset])
            else:
                row = BatchRow(index, str(job.paths[index]), error=("blank: " if result.blank else "") + result.reason)
            rows.append(row)
        return rows

    def _stroke_file_answer(self, model: str, path: Path, top_k: int) -> tuple[Any, str, tuple[str, ...]]:
        """A stroke file read as one drawing: the answer (or None and why not), and a note when its strokes
        hold several characters side by side, or rows of them."""
        from ml.runtime.fusion import read_drawing_strokes
        from ml.runtime.line_reader import writing_in_strokes
        from ml.runtime.strokes import BlankStrokesError, read_strokes_file

        try:
            strokes = read_strokes_file(path)
            answer = read_drawing_strokes(strokes, self._recognizer(model), self._fused(model), top_k)
        except BlankStrokesError as error:
            return None, f"blank: {error}", ()
        except Exception as error:  # a malformed file is one row's reason, not the batch's end
            return None, _one_line(error), ()
        try:
            return answer, "", _count_note(writing_in_strokes(strokes.strokes))
        except Exception:  # a count for a note: never at the cost of the row
            log.exception("counting the characters of %s failed", path)
            return answer, "", ()


def _chunk_end(paths: tuple[Path, ...], start: int, lines: bool) -> int:
    """Where the batch job from ``start`` ends: pictures read together, lines and stroke files a few at a
    time, so a drawing on the pad waits tens of milliseconds at most."""
    from ml.runtime.image_files import is_drawing_file

    if lines:
        return min(start + BATCH_LINES_CHUNK, len(paths))
    end, strokes, size = start, 0, 0
    while end < len(paths) and end - start < BATCH_CHUNK and strokes < BATCH_STROKES_CHUNK:
        size += _file_size(paths[end])
        if size > BATCH_CHUNK_BYTES and end > start:  # the job so far; this file starts the next
            break
        strokes += is_drawing_file(paths[end])
        end += 1
    return end


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was listed: its row says so when it is read
        return 0


def _count_note(count: WritingCount) -> tuple[str, ...]:
    """A file read as one character that holds lines of writing, or several characters side by side."""
    if count.lines:
        return (f"holds {count.lines} {ROWS_NOTE}",)
    return (f"holds {count.apart} {SEVERAL_CHARACTERS_NOTE}",) if count.apart > 1 else ()


def _recognition(model: str, result: Any, latency_ms: float) -> Recognition:
    from ml.runtime.recognizer import Prediction

    if isinstance(result, Prediction):
        top = tuple((s.label, s.prob) for s in result.top)
        model_input = result.model_input if "image" in result.inputs_used else None
        return Recognition(model, top, model_input, latency_ms, notes=result.notes, inputs_used=result.inputs_used)
    return Recognition(model=model, error=result.reason, blank=result.blank, latency_ms=latency_ms)


def fused_row_name(model: str) -> str:
    """Compare's row for ``model``'s answer fused with its stroke model's (what the window shows)."""
    return f"{model} + strokes"


COMPARE_TOP_K = 3  # each row's answer and, on hover, the next two (only the first was known)


def picture_row_name(model: str) -> str:
    """Compare's row for ``model``'s answer from the picture alone, beside its fused one (named as the model
    alone, it read as the model in use, disagreeing with itself)."""
    return f"{model} (picture)"


def stroke_row_name(stroke_model: str) -> str:
    """Compare's row for the stroke model's answer alone."""
    return f"{stroke_model} (strokes)"


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
