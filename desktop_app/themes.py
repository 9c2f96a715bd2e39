"""Light, dark and system palettes (Fusion style, so they look the same on every platform)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2e",
        QPalette.ColorRole.WindowText: "#e8e8e8",
        QPalette.ColorRole.Base: "#1e1e20",
        QPalette.ColorRole.AlternateBase: "#2f2f33",
        QPalette.ColorRole.Text: "#e8e8e8",
        QPalette.ColorRole.Button: "#38383c",
        QPalette.ColorRole.ButtonText: "#e8e8e8",
        QPalette.ColorRole.Highlight: "#3d8ee0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#38383c",
        QPalette.ColorRole.ToolTipText: "#e8e8e8",
        QPalette.ColorRole.PlaceholderText: "#8a8a8f",
        QPalette.ColorRole.Link: "#6fb1ff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#77777c"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#77777c"))
    return palette


# A tool that is on (Eraser, Text Mode) in the highlight colour: Fusion draws it a shade darker than the
# toolbar, which in the dark theme is no difference at all. The padding keeps it Fusion's size: without it
# the button shrank 5 px when switched on and the tools after it moved.
CHECKED_TOOL_STYLE = (
    "QToolBar QToolButton:checked { background-color: palette(highlight); color: palette(highlighted-text);"
    " border-radius: 3px; padding: 2px 2px 2px 3px; }"
)


def apply_theme(app: QApplication, theme: str, system_palette: QPalette) -> None:
    # While a style sheet is set, a new palette does not reach the widgets already shown (switching to
    # dark left the pad light and the answer dark on dark): the sheet goes, the palette changes, the sheet
    # comes back and every widget is polished with the new palette.
    app.setStyleSheet("")
    app.setStyle("Fusion")
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(system_palette)
    app.setStyleSheet(CHECKED_TOOL_STYLE)
