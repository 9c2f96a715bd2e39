"""``glyphpad`` / ``python -m desktop_app``: start GlyphPad, open files, or run the headless self-test."""

from __future__ import annotations

import argparse
import builtins
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ml import __version__  # (first: it sets the thread counts numpy reads when it loads)
from ml.runtime.devices import DEVICE_CHOICES


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glyphpad", description="Draw a letter or digit and see it recognized.")
    parser.add_argument(
        "files",
        nargs="*",
        help="an image or a stroke file (JSON) to open, or several images or folders to read as a batch",
    )
    parser.add_argument(
        "--model",
        default=None,
        help="model to use for this run: a model's name in the weights folder (GLYPHPAD_WEIGHTS to use another)",
    )
    parser.add_argument("--device", default=None, choices=DEVICE_CHOICES, help="where models run, for this run only")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run headless: load every model, draw a few characters with a simulated pen, exit 0 if all is well",
    )
    parser.add_argument(
        "--soak",
        type=int,
        default=None,  # (not 0: told apart from --soak 0, which ran the plain self-test)
        metavar="N",
        help="with --self-test: draw N strokes one answer at a time and report memory, latency and any missing, "
        "stale or failed answer",
    )
    parser.add_argument("--json", action="store_true", help="with --self-test: print one JSON object")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="log what the app does (model loading, timings) to the terminal"
    )
    parser.add_argument("--version", "-V", action="version", version=f"GlyphPad {__version__}")
    return parser


def no_display_to_show_on(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """On Linux (and the BSDs), whether no window can be shown: no X or Wayland display, and no Qt
    platform chosen (offscreen, for the headless self-test and the tests)."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) or environ.get("QT_QPA_PLATFORM"):
        return False
    # Qt reaches Wayland through a socket handed over, or the session's default one, without WAYLAND_DISPLAY.
    wayland = any(environ.get(name) for name in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET"))
    wayland = wayland or environ.get("XDG_SESSION_TYPE") == "wayland"
    return not environ.get("DISPLAY") and not wayland


def x_display_unreachable(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    """Why the X display that DISPLAY names cannot be reached ("" when it can, or when Qt would not use X,
    or when X's client library is not there: Qt says what to install then). Qt aborted at an unreachable
    display with advice to install libxcb-cursor0 (a lab: a student's `su` from another user's desktop)."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) or not environ.get("DISPLAY"):
        return ""
    if environ.get("QT_QPA_PLATFORM", "xcb") != "xcb" or environ.get("WAYLAND_DISPLAY"):
        return ""
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return ""
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    display = environ["DISPLAY"]
    connection = xcb.xcb_connect(display.encode(), None)
    failed = xcb.xcb_connection_has_error(connection)
    xcb.xcb_disconnect(connection)
    if not failed:
        return ""
    return (
        f"cannot reach the display {display} (it is not running, or this account may not use it: started "
        "with su or sudo from another person's desktop?): start it from the desktop it is to show on; "
        "glyphpad-ml reads and trains without one"
    )


def model_to_use(model: str) -> tuple[str, str | None]:
    """The model ``--model`` names, by its name in the weights folder, or why the app cannot use it: the
    app lists the models of its weights folder by name, and a model's file elsewhere was passed over (the
    default model used, said in the status bar alone, the log naming "….safetensors.safetensors")."""
    from ml.runtime.cards import MODEL_FILE_SUFFIXES, weights_dir

    path = Path(model)
    if path.suffix.lower() in MODEL_FILE_SUFFIXES:
        path = path.with_suffix("")  # a model's file: the model ("digits.onnx" is digits)
    elif len(path.parts) < 2:
        return model, None  # a name
    folder = weights_dir().resolve()
    if not path.is_absolute() and (folder / path).with_suffix(".safetensors").exists():
        return path.as_posix(), None  # a name inside the weights folder, such as strokes/strokes36_gru
    if path.resolve().parent in (folder, folder / "strokes"):
        return path.resolve().relative_to(folder).as_posix(), None  # a file of the weights folder, by path
    return model, (
        f"--model takes a model's name: the app reads the models in its weights folder, {weights_dir()}. Copy "
        f"{path.name}.safetensors, .onnx and .json there (a running app lists them at once), or start it with "
        f"GLYPHPAD_WEIGHTS={path.parent} to use that folder's models instead"
    )


def attach_to_parent_console(platform: str = sys.platform) -> bool:
    """On Windows the bundle (PyInstaller, windowed) has no console, so --help, --self-test --json and
    errors went nowhere: started from a terminal, its output goes to that terminal (after the prompt: cmd
    does not wait for a windowed program; `start /wait` does). Returns whether it was attached. pip's
    ``glyphpad`` is a console program and has its terminal already."""
    if platform != "win32" or sys.stdout is not None:
        return False
    import ctypes

    attach_parent_process = -1
    if not ctypes.windll.kernel32.AttachConsole(attach_parent_process):  # type: ignore[attr-defined]
        return False  # started from the Start menu or Explorer: nothing to write to
    sys.stdout = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115 (open for the process)
    sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    return True


def main(argv: list[str] | None = None) -> int:
    attach_to_parent_console()
    parser = get_args_parser()
    args = parser.parse_args(argv)
    if (args.json or args.soak is not None) and not args.self_test:  # else the window opened as if not given
        parser.error("--soak and --json go with --self-test")
    if args.soak is not None and args.soak < 1:  # (0 ran the plain self-test, -5 failed with a KeyError)
        parser.error(f"--soak: the strokes to draw, 1 or more (not {args.soak})")
    if args.model:
        args.model, why = model_to_use(args.model)
        if why:
            print(f"glyphpad: {why}", file=sys.stderr)
            return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.self_test and "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if no_display_to_show_on():
        # Qt would abort with its advice to install libxcb-cursor0: wrong here (over SSH, say).
        print(
            "glyphpad: no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start it "
            "on the desktop, or over SSH with 'ssh -X'; glyphpad-ml reads and trains without one",
            file=sys.stderr,
        )
        return 2
    if unreachable := x_display_unreachable():
        print(f"glyphpad: {unreachable}", file=sys.stderr)
        return 2
    if sys.platform == "win32":
        # On Windows torch's DLLs must load before Qt's, or torch fails to import later. Elsewhere torch
        # loads on a thread of its own once the window is up (InferenceService.load_runtime).
        import torch  # noqa: F401
    plain_import = builtins.__import__
    from desktop_app.app import run  # imports PySide6, which wraps __import__

    # PySide6 wraps __import__ to support `from __feature__ import ...`, which GlyphPad never uses,
    # and that wrapper crashed the interpreter (a refcount error in feature_imported) when torch was
    # imported off the main thread. Torch loads on a thread of its own while the app already answers
    # (InferenceService.load_runtime), so the wrapper goes.
    builtins.__import__ = plain_import
    code = run(args)
    # Settings are synced and the worker stopped when the window closed. Tearing down the interpreter
    # with torch and Qt loaded then took 0.7 s more (1.6 s before the worker stopped on close), with
    # the window already gone: end the process now instead.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # a windowed build (no console) has neither
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
