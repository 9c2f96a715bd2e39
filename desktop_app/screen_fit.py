"""Window and dialog sizes that fit the screen they open on (a 1024x600 netbook, a screen scaled 200%,
a 4K monitor), and the screen a saved size belongs to."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget

SCREEN_SHARE = 0.94  # a window or dialog opens at most this share of the screen's free area wide and high


def screen_signature(widget: QWidget, screen: QScreen | None = None) -> str:
    """The free area and scale of ``screen``, or the screen ``widget`` is on ("1366x728@1.25"): where a
    saved window size holds."""
    screen = screen or widget.screen() or QApplication.primaryScreen()
    if screen is None:
        return ""
    free = screen.availableGeometry()
    return f"{free.width()}x{free.height()}@{screen.devicePixelRatio():g}"


def fitted_size(widget: QWidget, wanted: QSize, screen: QScreen | None = None) -> QSize:
    """``wanted``, made small enough to fit ``screen``, or the screen ``widget`` is on (a 1024x600 netbook,
    a screen scaled 200%): a window that opens larger than the screen hides its edges and its buttons."""
    screen = screen or widget.screen() or QApplication.primaryScreen()
    if screen is None:
        return wanted
    free = screen.availableGeometry()
    return QSize(
        min(wanted.width(), int(free.width() * SCREEN_SHARE)), min(wanted.height(), int(free.height() * SCREEN_SHARE))
    )


def grown_to_screen(widget: QWidget, least: QSize, share: float, screen: QScreen | None = None) -> QSize:
    """``least``, or ``share`` of the free area of ``screen`` (or the one ``widget`` is on) where larger."""
    screen = screen or widget.screen() or QApplication.primaryScreen()
    if screen is None:
        return least
    free = screen.availableGeometry()
    return QSize(max(least.width(), int(free.width() * share)), max(least.height(), int(free.height() * share)))
