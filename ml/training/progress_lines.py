"""Progress said in a log file, where no bar is drawn: a line at each tenth of a long step, with the time."""

from __future__ import annotations

import sys


def minutes(seconds: float) -> str:
    """A duration as a log line says it: "4:05" (minutes and seconds), "1:02:09" past an hour."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def say_at_each_tenth(done_before: int, done: int, total: int, line: str) -> None:
    """``line`` on stderr when ``done`` (of ``total``) passed a tenth that ``done_before`` had not, short of
    the end (which the step says itself)."""
    if done < total and 10 * done // total > 10 * done_before // total:
        print(line, file=sys.stderr, flush=True)
