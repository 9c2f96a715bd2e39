"""QApplication setup, the error dialog for anything unexpected, and the start of the app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.app_icon import app_icon
from desktop_app.inference_service import InferenceService
from desktop_app.main_window import MainWindow
from desktop_app.settings import APPLICATION, ORGANIZATION, hold_settings, load_preferences
from desktop_app.themes import apply_text_size, apply_theme
from ml.runtime.cards import weights_dir

log = logging.getLogger(__name__)
GIL_SWITCH_INTERVAL_S = 0.0005
RUNTIME_LOAD_LATEST_MS = 3000  # torch loads by then even if nothing was drawn


def wait_until(condition: Any, timeout_s: float) -> bool:
    """Run Qt's events until ``condition()`` holds (True) or ``timeout_s`` has passed (False)."""
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    return True


def process_start_time() -> float:
    """When this process started, on the perf_counter clock (Linux: from /proc; elsewhere: at import)."""
    try:
        with open("/proc/self/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as handle:
            uptime = float(handle.read().split()[0])
        age = uptime - int(fields[19]) / ticks
        return time.perf_counter() - max(age, 0.0)
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


_IMPORTED_AT = time.perf_counter()


def quiet_qt_messages() -> None:
    """Route Qt's messages to logging, minus one the offscreen platform prints for every window."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        level = logging.DEBUG if kind == QtMsgType.QtDebugMsg else logging.WARNING
        qt_log.log(level, "%s", message)

    qInstallMessageHandler(handler)


def install_excepthook(window_getter: Any) -> None:
    """Unexpected errors become a dialog with the details, not a silent crash."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("unexpected error:\n%s", details)
        app = QApplication.instance()
        if app is None or QApplication.platformName() == "offscreen":
            sys.stderr.write(details)
            return
        box = QMessageBox(window_getter())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("GlyphPad: unexpected error")
        box.setText(
            f"Something went wrong: {error}\n\nYour drawing is still there. If this keeps happening, "
            "please report it with the details below."
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


def create_window(args: argparse.Namespace, settings: QSettings | None = None) -> MainWindow:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    settings = settings or QSettings(ORGANIZATION, APPLICATION)
    preferences = load_preferences(settings)
    run_only: dict[str, tuple[object, object]] = {}
    for name in ("model", "device"):  # for this run: what the user saved comes back next time
        given = getattr(args, name, None)
        if given:
            run_only[name] = (given, getattr(preferences, name))
            setattr(preferences, name, given)
    system_palette = app.palette()
    apply_theme(app, preferences.theme, system_palette)
    apply_text_size(app, preferences.text_size)  # before the window is built: its layout fits the text
    service = InferenceService(weights_dir())  # GLYPHPAD_WEIGHTS, else the bundled weights/ (frozen too)
    # The worker loads the model in use (numpy, ONNX Runtime, the graph) while this thread builds the
    # window: the first drawing is answered as soon as it is drawn. Answers need no torch on the CPU.
    if not preferences.device.startswith("cuda"):
        service.set_device(preferences.device)  # loaded where it will answer ("cpu" saved on a CUDA machine)
        service.load_model(preferences.model)
    window = MainWindow(service, settings, preferences, system_palette)
    window.run_only = run_only
    window.hold_writing(hold_settings(settings))
    return window


def open_files(window: MainWindow, paths: list[Path]) -> None:
    """Files named on the command line, as if dropped on the window: one picture or stroke file is opened on
    the pad; several, or a folder, are read as a batch (each with its answer or why it could not be read;
    opened one after the other, each replaced the last and only the last one's error was seen)."""
    from ml.runtime.image_files import is_folder

    if len(paths) == 1 and not is_folder(paths[0]):  # (one that cannot be looked at: opening it says why)
        window.open_file(paths[0])
    else:  # as the Batch tab's choice says: a session that ended in text mode is no choice of what files hold
        window.start_batch(paths, lines=window.batch_view.reads_lines)


def open_files_when_ready(window: MainWindow, paths: list[Path]) -> None:
    """:func:`open_files` once the window knows its models and has settled the one in use (a fallback for a
    model that is not there): a batch started before read every file with the missing model."""
    opened: list[bool] = []

    def open_once(_infos: object) -> None:
        if not opened:
            opened.append(True)
            QTimer.singleShot(0, lambda: open_files(window, paths))  # after the window has taken the list

    window.service.models_listed.connect(open_once)


def keep_every_pen_move(app: QCoreApplication) -> None:
    """Deliver every mouse move, not only the latest of those waiting: while torch loads on its thread
    (seconds on a cold start, holding Python's lock), a stroke drawn meanwhile had its moves merged into
    one straight segment (an A read as =). Set after the application exists: X11's platform sets it then."""
    app.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)


def run(args: argparse.Namespace) -> int:
    started = process_start_time()
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QApplication.setWindowIcon(app_icon())  # the title bar's, the task bar's and every dialog's
    keep_every_pen_move(app)
    quiet_qt_messages()
    # The self-test starts from the defaults, in settings of its own: the model, tab and theme a user left
    # would change what it measures (the Compare tab reads every model after each stroke), and a test must
    # not change what the user left.
    scratch = None
    settings = None
    if args.self_test:
        scratch = tempfile.TemporaryDirectory(prefix="glyphpad-self-test-", ignore_cleanup_errors=True)
        settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    window = create_window(args, settings)
    install_excepthook(lambda: window)
    window.show()
    wait_until(lambda: window.isVisible(), 5)
    QApplication.processEvents()
    shown_s = time.perf_counter() - started
    # The GUI thread and the inference worker share the GIL. With Python's default 5 ms switch interval
    # a worker woken by a finished stroke could wait that long while the GUI thread repaints. Set only
    # now: while the window is built and the worker loads the model, switching every 0.5 ms slowed both.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    runtime_ready_at: list[float] = []
    window.service.runtime_ready.connect(lambda _took: runtime_ready_at.append(time.perf_counter() - started))
    # Torch (explanations, CUDA) loads on a thread of its own once the first answer is on screen:
    # importing it takes seconds of the GIL, and before that it would slow the model's loading and the
    # first drawing. A user who opens Explain first gets it loaded at once (MainWindow asks for it).
    window.result_shown.connect(lambda _result: window.service.load_runtime())
    QTimer.singleShot(RUNTIME_LOAD_LATEST_MS, window.service.load_runtime)
    if scratch is not None:  # the self-test, in settings of its own: gone after it, whatever it found
        with scratch:
            if args.soak:
                from desktop_app.self_test import soak

                return soak(window, args.soak, as_json=args.json)
            from desktop_app.self_test import self_test

            return self_test(
                window, started, shown_s, as_json=args.json, runtime_ready_at=runtime_ready_at, asked_model=args.model
            )
    QTimer.singleShot(0, window.start)
    if args.files:
        open_files_when_ready(window, [Path(file) for file in args.files])
    close_on_termination(window)
    code = app.exec()
    return int(code)


def close_on_termination(window: MainWindow) -> None:
    """SIGTERM (a logout, a system shutdown, ``kill``) and SIGHUP close the window as its close button does:
    the drawing, the text and the settings are kept (the process ended with the pad's last writing lost).
    Python runs a signal handler only between its own instructions, which Qt's loop never gives while idle:
    a timer lets it in every quarter second."""
    import signal

    def close(_signal: int, _frame: object) -> None:
        QTimer.singleShot(0, window.end_without_asking)

    for name in ("SIGTERM", "SIGHUP"):  # (Windows has neither)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)
