"""Worker processes for CPU-bound data work (preprocessing, rendering pen drawings, drawing epochs)."""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor


def worker_count() -> int:
    """As many processes as the threads torch was given (a command's --threads), else one per core."""
    cores = os.cpu_count() or 1
    torch = sys.modules.get("torch")
    return max(1, min(cores, torch.get_num_threads())) if torch is not None else cores


def _leave_interrupt_to_the_parent() -> None:
    # Ctrl+C reaches every process of the terminal's group: a worker that took it printed its own
    # KeyboardInterrupt traceback; the command stops the workers itself and says "interrupted" once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers leave Ctrl+C to the command."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupt_to_the_parent)
