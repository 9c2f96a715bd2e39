"""Light, dark and system palettes (Fusion style, so they look the same on every platform), and the text
size (View -> Zoom: a classroom's projector, a screen read from afar)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QMenu,
    QMenuBar,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)


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
        QPalette.ColorRole.Highlight: "#2f74c0",  # white text on it 4.8:1 (on #3d8ee0 it was 3.4:1)
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#38383c",
        QPalette.ColorRole.ToolTipText: "#e8e8e8",
        QPalette.ColorRole.PlaceholderText: "#8a8a8f",
        QPalette.ColorRole.Link: "#6fb1ff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    # Greyed where disabled, labels too (the last answer's rows while a new input is read looked current).
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#77777c"))
    return palette


def light_palette(app: QApplication) -> QPalette:
    """Fusion's light palette, its highlight made readable as the system's is (white on Fusion's #308cc6 was
    3.7:1; WCAG asks 4.5:1 of small text), and the pad's hint too (5.3:1, was 4.0:1)."""
    palette = with_readable_highlight(app.style().standardPalette())
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#6b6b6b"))
    return palette


def contrast(a: QColor, b: QColor) -> float:
    """WCAG's contrast ratio of two colours (1 to 21)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def with_readable_highlight(palette: QPalette) -> QPalette:
    """``palette`` with its highlight darkened (or lightened, under dark text) until its text on it reads at
    4.5:1: the system's own was Fusion's #308cc6 under white, 3.7:1."""
    palette = QPalette(palette)
    text = palette.color(QPalette.ColorRole.HighlightedText)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    for _ in range(20):
        if contrast(text, highlight) >= 4.5:
            break
        shade = highlight.darker(110) if text.lightness() >= 128 else highlight.lighter(110)
        highlight = QColor(shade.name())  # 8 bits a channel, as painted
    palette.setColor(QPalette.ColorRole.Highlight, highlight)
    return palette


def focus_colour(palette: QPalette) -> QColor:
    """The highlight, lightened (on a dark window) or darkened until it stands out 3:1 from the window and
    the buttons, as WCAG asks of a focus indicator: the dark theme's highlight was 2.4:1 on a button."""
    colour = palette.color(QPalette.ColorRole.Highlight)
    around = (palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Button))
    for _ in range(20):
        if min(contrast(colour, background) for background in around) >= 3.0:
            break
        shade = colour.lighter(112) if around[0].lightness() < 128 else colour.darker(112)
        colour = QColor(shade.name())
    return colour


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def disagree_colour(palette: QPalette) -> QColor:
    """Text that disagrees (Compare's other answers): orange readable on the theme's base, 4.5:1 or more."""
    return QColor("#d9822b" if is_dark(palette) else "#a65300")


def agree_colour(palette: QPalette) -> QColor:
    """Text that says right (Practice's ✓): green readable on the theme's base, 4.5:1 or more."""
    return QColor("#5cc46f" if is_dark(palette) else "#1e7b34")


def error_colour(palette: QPalette) -> QColor:
    """Text of an error (a batch's file that could not be read): red readable on the theme's base."""
    return QColor("#e06c66" if is_dark(palette) else "#c0392b")


# A tool that is on (Eraser, Text Mode) in the highlight colour: Fusion draws it a shade darker than the
# toolbar, which in the dark theme is no difference at all. The padding keeps it Fusion's size: without it
# the button shrank 5 px when switched on and the tools after it moved.
CHECKED_TOOL_STYLE = (
    "QToolBar QToolButton:checked { background-color: palette(highlight); color: palette(highlighted-text);"
    " border-radius: 3px; padding: 2px 2px 2px 3px; }"
)


class FocusVisibleStyle(QProxyStyle):
    """Fusion, with the keyboard focus drawn where a person can see it: Fusion's own (a pale outline on a tab,
    nothing on a list or a text, a highlight-coloured outline on a chosen row's highlight) had 1.1 to 1.8
    times its background's contrast; WCAG asks 3:1 of a focus indicator. A focused tab, list, table, text
    area, drop-down, slider, spin box or button (these last from the keyboard) gets a 2 px frame in the
    focus colour (the highlight, 3:1 from the window and the buttons), the current item a 2 px frame in the
    text's colour (it shows on a chosen row too)."""

    _FRAMED_CONTROLS = (
        QStyle.ComplexControl.CC_ComboBox,
        QStyle.ComplexControl.CC_Slider,
        QStyle.ComplexControl.CC_SpinBox,
    )

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            _frame(painter, option.rect, option.palette.color(QPalette.ColorRole.Text))
            return
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox and isinstance(widget, QMenu):
            # A menu's on/off item (View -> Text Mode, Edit -> Eraser) unticked: Fusion's box outline is the
            # window's colour darkened, unseen on the dark theme's menus; outlined in the text's colour, half
            # way to the menu's, as a box to tick.
            text, back = option.palette.color(QPalette.ColorRole.Text), option.palette.color(QPalette.ColorRole.Window)
            outline = QColor(
                (text.red() + back.red()) // 2, (text.green() + back.green()) // 2, (text.blue() + back.blue()) // 2
            )
            _frame(painter, option.rect, outline, width=1)

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        shaped_frame = element == QStyle.ControlElement.CE_ShapedFrame
        scroll_area = widget if shaped_frame and isinstance(widget, QAbstractScrollArea) else None
        if not option.state & QStyle.StateFlag.State_HasFocus:
            if scroll_area is not None:
                # The frame's second pixel (there for the focus frame) in the viewport's colour: a ring of
                # the window's colour showed inside every list and table.
                viewport = scroll_area.viewport()
                painter.save()
                painter.setPen(QPen(viewport.palette().color(viewport.backgroundRole()), 1))
                painter.setBrush(QColor(0, 0, 0, 0))
                painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
                painter.restore()
            return
        if element == QStyle.ControlElement.CE_MenuBarItem and isinstance(widget, QMenuBar) and widget.hasFocus():
            # The menu bar driven by the keys (Alt tapped, or a menu closed by Escape): Fusion marks its item
            # only while the menu is open, and a keyboard user's trial saw no sign of where Right had gone.
            chosen = option.state & QStyle.StateFlag.State_Selected and not option.state & QStyle.StateFlag.State_Sunken
            if chosen:
                _frame(painter, option.rect, focus_colour(option.palette))
            return
        button = element == QStyle.ControlElement.CE_PushButtonBevel and _by_keyboard(option)
        if element == QStyle.ControlElement.CE_TabBarTabShape or button or scroll_area is not None:
            _frame(painter, option.rect, focus_colour(option.palette))

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        # Fusion marks a focused drop-down or slider with a highlight-tinted outline: 1.2:1 on the dark
        # theme's buttons, unseen from a projector's back row.
        super().drawComplexControl(control, option, painter, widget)
        focused = option.state & QStyle.StateFlag.State_HasFocus
        if control in self._FRAMED_CONTROLS and focused and _by_keyboard(option):
            _frame(painter, option.rect, focus_colour(option.palette))

    def pixelMetric(
        self, metric: QStyle.PixelMetric, option: QStyleOption | None = None, widget: QWidget | None = None
    ) -> int:
        # A list's, table's or text's frame 2 px wide (Fusion's is 1): its focus frame is 2 px, not a
        # pixel's change of shade (the viewport painted over the inner one: 2.5:1).
        if metric == QStyle.PixelMetric.PM_DefaultFrameWidth and isinstance(widget, QAbstractScrollArea):
            return 2
        return super().pixelMetric(metric, option, widget)


def _by_keyboard(option: QStyleOption) -> bool:
    """Whether the focus came from the keyboard (a button or a drop-down clicked with the mouse is not
    framed: the frame is for finding the focus, which the mouse's user knows)."""
    return bool(option.state & QStyle.StateFlag.State_KeyboardFocusChange)


def _frame(painter: QPainter, rect: QRect, colour: QColor, width: int = 2) -> None:
    """A frame ``width`` px wide inside ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(colour, width))
    painter.setBrush(QColor(0, 0, 0, 0))
    painter.drawRect(rect.adjusted(width // 2, width // 2, -1, -1))
    painter.restore()


OVERFLOW_BUTTON_NAME = "qt_toolbar_ext_button"  # Qt's name for the button a toolbar puts its hidden tools under


def overflow_icon(palette: QPalette, vertical: bool = False) -> QIcon:
    """The toolbar's "more tools" button, » (pointing down on a toolbar docked at a side), in the theme's
    button text: Qt's own is a fixed grey, all but unseen on the dark theme (a student did not find the pen's
    slider moved under it at 800 px)."""
    icon = QIcon()
    for mode, group in (
        (QIcon.Mode.Normal, QPalette.ColorGroup.Active),
        (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled),
    ):
        colour = palette.color(group, QPalette.ColorRole.ButtonText)
        for side in (12, 24, 48):  # crisp at 100%, 200% and on a high-density screen
            picture = QPixmap(side, side)
            picture.fill(Qt.GlobalColor.transparent)
            painter = QPainter(picture)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            pen = QPen(colour, max(1.5, side / 8))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            unit = side / 12
            for left in (2.5, 6.5):  # two chevrons pointing right (or down)
                chevron = [(left, 3.0), (left + 3, 6.0), (left, 9.0)]
                turned = [(y, x) if vertical else (x, y) for x, y in chevron]
                painter.drawPolyline([QPointF(x * unit, y * unit) for x, y in turned])
            painter.end()
            icon.addPixmap(picture, mode)
    return icon


def apply_theme(app: QApplication, theme: str, system_palette: QPalette) -> None:
    # While a style sheet is set, a new palette does not reach the widgets already shown (switching to
    # dark left the pad light and the answer dark on dark): the sheet goes, the palette changes, the sheet
    # comes back and every widget is polished with the new palette.
    app.setStyleSheet("")
    app.setStyle(FocusVisibleStyle("Fusion"))
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(light_palette(app))
    else:
        app.setPalette(with_readable_highlight(system_palette))
    app.setStyleSheet(CHECKED_TOOL_STYLE)


TEXT_SIZES = (80, 90, 100, 115, 130, 150, 175, 200)  # percent of the system's text size
_SYSTEM_FONT = "glyphpad_system_font"  # the application's font before any text size was applied


def apply_text_size(app: QApplication, percent: int) -> None:
    """Every text of the window ``percent`` of the system's size: the application's font, which each
    widget's own fonts (the answer, text mode's characters, the pad's labels) are made from."""
    system = app.property(_SYSTEM_FONT)
    if not isinstance(system, QFont):
        system = QFont(app.font())
        app.setProperty(_SYSTEM_FONT, system)
    font = QFont(system)
    if system.pointSizeF() > 0:
        font.setPointSizeF(system.pointSizeF() * percent / 100)
    else:
        font.setPixelSize(max(1, round(system.pixelSize() * percent / 100)))
    # Under a style sheet the widgets keep the font they were polished with: the sheet goes and comes back
    # (as for a new palette, apply_theme), and every widget takes the new font.
    sheet = app.styleSheet()
    app.setStyleSheet("")
    app.setFont(font)
    app.setStyleSheet(sheet)


def text_scale(app: QApplication) -> float:
    """How many times the system's size the window's text is now (1 before any text size was applied)."""
    system = app.property(_SYSTEM_FONT)
    if not isinstance(system, QFont):
        return 1.0
    now = app.font()
    if system.pointSizeF() > 0 and now.pointSizeF() > 0:
        return now.pointSizeF() / system.pointSizeF()
    return now.pixelSize() / system.pixelSize() if system.pixelSize() > 0 and now.pixelSize() > 0 else 1.0


def next_text_size(percent: int, step: int) -> int:
    """The text size ``step`` steps of TEXT_SIZES from ``percent`` (which may lie between two), kept
    within them."""
    if step > 0:
        return next((size for size in TEXT_SIZES if size > percent), TEXT_SIZES[-1])
    return next((size for size in reversed(TEXT_SIZES) if size < percent), TEXT_SIZES[0])
