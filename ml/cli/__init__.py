"""``glyphpad-ml``: the command-line tool for data, training, evaluation, inference and benchmarks.

One small module per command (``ml.cli.<command>``), each with its argparse and a ``run(argv)``
that calls into ``ml.runtime``, ``ml.training`` or ``ml.evaluation``.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import io
import linecache
import logging
import os
import sys

DEBUG_VARIABLE = "GLYPHPAD_DEBUG"

# Command -> (module under ml.cli, one line of help), in the order the usage lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "predict": ("predict", "recognize image files or folders (one JSON line per file with --json)"),
    "read": ("read", "read written lines (images or stroke JSON) as text, with each character's alternatives"),
    "models": ("models", "list the bundled models and what is wrong with any that cannot load"),
    "train": ("train", "train a model on EMNIST and UNIPEN pen drawings (weights, ONNX graph, card, metrics)"),
    "train-strokes": ("train_strokes", "train a stroke model on UNIPEN's pen trajectories"),
    "train-verifier": ("train_verifier", "train text mode's piece verifier (is a piece of a picture one character?)"),
    "evaluate": ("evaluate", "metrics of a model per data source (EMNIST, UNIPEN writers, drawings)"),
    "stroke-ensemble": ("stroke_ensemble", "assemble trained stroke models into one that reads with all of them"),
    "fuse": ("fuse", "fit and score the fusion of a stroke model with an image model (stored in its card)"),
    "letter-pairs": ("letter_pairs", "count which letter follows which in English words (text mode reads with them)"),
    "export": ("export", "write the ONNX graph of existing weights and record it in the card"),
    "calibrate": ("calibrate", "fit a model's temperature: its confidence as validation writers bear it out"),
    "prior": ("prior", "choose a model's class prior on validation writers and store it in its card"),
    "tune": ("tune", "hyperparameter search with Optuna (resumable)"),
    "bench": ("bench", "latency of the bundled models (ONNX Runtime and torch side by side)"),
    "drawn": ("drawn", "accuracy on synthesized drawings (pen widths, sizes, scans) per model"),
    "results": ("results", "print the README's results table from the model cards"),
    "archs": ("archs", "list the registered architectures"),
    "csv-to-png": ("csv_to_png", "write a CSV dataset out as class folders of PNG images"),
}

USAGE = (
    "usage: glyphpad-ml COMMAND [options]\n\ncommands:\n"
    + "\n".join(f"  {name:15s} {help}" for name, (_, help) in COMMANDS.items())
    + "\n\nRun 'glyphpad-ml COMMAND --help' for a command's options; 'glyphpad-ml --version' for the version."
    + f"\nA command that fails says why in one line; set {DEBUG_VARIABLE}=1 to see the traceback instead."
    + "\nExit status: 0 all done; 1 some inputs (files, models) failed, the others done; 2 nothing done"
    + " (bad options, no model or data to use); 130 interrupted (Ctrl+C)."
)


def _raised_by_us(error: BaseException) -> bool:
    """Whether ``error`` was raised on purpose by GlyphPad's own code: the innermost frame is in ``ml``
    and is a ``raise`` statement (a ValueError numpy raises from a line of ours is a bug, not a reason).
    Without the source (a frozen build), the module decides."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return False
    module = str(frame.tb_frame.f_globals.get("__name__", ""))
    if module != "ml" and not module.startswith("ml."):
        return False
    line = linecache.getline(frame.tb_frame.f_code.co_filename, frame.tb_lineno).strip()
    return not line or line.startswith("raise")


def _usable_output() -> None:
    """Standard output and error that cannot fail on what is written to them: a file name the terminal's
    encoding has no character for is escaped (a redirect on Windows, cp1252, stopped a folder's batch at
    its first Chinese name with a traceback), and a stream closed before the start (``>&-``) writes
    nowhere (print() to it is silently nothing, its flush a traceback)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (for the process's life)
        elif isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _leave_at_once(code: int) -> None:
    """End the process now, its output flushed: nothing is left to do at exit, and Python's own exit joins
    the process pools' threads, which can wait for ever on workers stopped mid-job (a trial's calibrate hung
    after "interrupted" once in ten Ctrl+C's; evaluate printed "Exception ignored" tracebacks in five of 20)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    console = argv is None
    if console:  # the console's command: its streams are ours (a caller's own, given argv, are left alone)
        _usable_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if argv and argv[0] in ("-h", "--help", "help"):
        try:
            print(USAGE, flush=True)
        except BrokenPipeError:  # glyphpad-ml --help | head -3
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return 0
    if argv and argv[0] in ("-V", "--version"):
        from ml import __version__  # (the package's version too: pyproject.toml reads it from there)

        print(f"glyphpad-ml {__version__}")
        return 0
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] not in COMMANDS:
        # One line, as any failure (the whole usage was printed under it): the nearest command, if any.
        near = difflib.get_close_matches(argv[0], COMMANDS, n=1)
        guess = f"did you mean '{near[0]}'? " if near else ""
        print(f"glyphpad-ml: unknown command {argv[0]!r} ({guess}'glyphpad-ml --help' lists them)", file=sys.stderr)
        return 2
    module = importlib.import_module(f"ml.cli.{COMMANDS[argv[0]][0]}")
    try:
        code: int = module.run(argv[1:])
        sys.stdout.flush()  # here, not at exit: with buffered output a reader gone is only found out now
    except KeyboardInterrupt as interruption:
        hint = str(interruption)  # how to continue, from a command that can
        print(f"interrupted: {hint}" if hint else "interrupted", file=sys.stderr)
        if console:  # (what an interrupted command keeps, it kept before saying so)
            _leave_at_once(130)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (``| head``): no traceback. Python flushes stdout again at exit:
        # point it at nothing so that flush cannot fail too. Status 1, as Python's own advice has it: the
        # output was cut short.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (OSError, ValueError, RuntimeError) as error:
        # What a user can cause (a missing or unreadable file, a bad value, damaged weights, no GPU) is a
        # file error or raised on purpose by our code: said in a line. The same types raised by numpy or
        # torch are bugs (a shape that does not fit): shown whole.
        ours = isinstance(error, OSError) or _raised_by_us(error)
        if not ours or os.environ.get(DEBUG_VARIABLE, "0") not in ("", "0"):
            raise
        from ml.cli.common import reason_line

        print(f"glyphpad-ml {argv[0]}: error: {reason_line(error)}", file=sys.stderr)
        return 2  # the command stopped: nothing (more) done
    return code


if __name__ == "__main__":
    sys.exit(main())
