"""Worker processes for CPU-bound data work (preprocessing, rendering pen drawings, drawing epochs)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import InvalidStateError, ProcessPoolExecutor

_limit: int | None = None  # a command's --threads, when given


def training_threads(asked: int, ranks: int = 1) -> int:
    """The CPU threads a training run's process uses: its ``--threads``, else ``OMP_NUM_THREADS`` when set
    (a shared machine's limit, or torchrun's for each rank: train used every core under it where
    train-strokes kept to it), else every core, shared among ``ranks`` (torchrun's processes on one
    machine)."""
    if asked:
        return asked
    with contextlib.suppress(ValueError):
        limit = int(os.environ.get("OMP_NUM_THREADS", ""))
        if limit > 0:
            return limit  # each process's own (torchrun sets it for each rank)
    return max(1, (os.cpu_count() or 1) // ranks)


def limit_workers(threads: int) -> None:
    """Keep worker processes to a command's ``--threads`` (0: no limit, one per core)."""
    global _limit
    _limit = threads or None


def worker_count() -> int:
    """One process per core, or as many as the command's --threads."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, _limit)) if _limit else cores


def _leave_interrupt_to_the_parent() -> None:
    # Ctrl+C reaches every process of the terminal's group: a worker that took it printed its own
    # KeyboardInterrupt traceback; the command stops the workers itself and says "interrupted" once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers leave Ctrl+C to the command; interrupted (or failing), the command
    stops them at once instead of waiting for the jobs they hold."""
    executor = ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupt_to_the_parent)
    try:
        yield executor
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            _quiet_the_pools_cancelled_jobs()
        # Nothing more goes to the workers: the queue's writer, blocked on a pipe they no longer read, held the
        # command at exit after "interrupted" (2 in 6 Ctrl+C's of evaluate; Python 3.11's pool thread also
        # fails on the jobs executor.map cancelled, before it would unblock the writer).
        call_queue = getattr(executor, "_call_queue", None)
        if call_queue is not None:
            call_queue.cancel_join_thread()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in multiprocessing.active_children():  # this command's only children are its workers
            process.terminate()
        raise
    executor.shutdown(wait=True)


def _quiet_the_pools_cancelled_jobs() -> None:
    """After Ctrl+C, on the way out: a process pool's manager thread may still hand a worker's result to a
    job cancelled then, and Python 3.11 prints its InvalidStateError's traceback (one Ctrl+C in three of a
    training run's rendering). That one is not said; every other thread exception goes to the hook there
    was (the command is ending: the hook stays)."""
    said_before = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        pools = type(args.thread).__name__ == "_ExecutorManagerThread"
        if pools and args.exc_type is not None and issubclass(args.exc_type, InvalidStateError):
            return
        said_before(args)

    threading.excepthook = hook
