"""Guards against a broken Qt binding: PySide6 6.12.0 under Python 3.11 released a reference to None on
every void method call and to True on every signal emit, so the app crashed after a few thousand calls
("none_dealloc: deallocating None"). pyproject.toml excludes it; this test catches any build like it."""

import gc
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(int, object)


def test_qt_calls_and_signals_keep_singleton_refcounts(qapp) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    emitter = _Emitter()
    received: list[object] = []
    emitter.fired.connect(lambda _i, value: received.append(value))
    gc.collect()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(2000):
        label.setText("x")
        emitter.fired.emit(1, "y")
    received.clear()
    gc.collect()
    assert sys.getrefcount(None) - none_before > -100, "this PySide6 build leaks references to None"
    assert sys.getrefcount(True) - true_before > -100, "this PySide6 build leaks references to True"
