"""Top-k answers with confidence bars, the 28x28 input the model saw, and the latency."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.themes import disagree_colour, focus_colour
from desktop_app.widgets.fonts import (
    character_font,
    class_name,
    short_class_name,
    sized_like,
    spoken_class_name,
)
from ml.runtime.labels import TOP_K
from ml.runtime.percentages import confidence_text

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

INPUT_SCALE = 4  # 112 px: every pixel visible, and room for an 800x500 window
# Down to 56 px where the answers need the room: top 10 at 800x500 made the window grow to 569 px.
MIN_INPUT_SCALE = 2
MAX_INPUT_SCALE = 10  # grown with the column in a large window: 280 px at most
MAX_PANEL_WIDTH = 28 * MAX_INPUT_SCALE + 60  # the largest input view, its frame and the panel's margins
HEADLINE_SCALE = 2.0  # the answer's character, times the window's font
# Grown into the column's spare room in a large window (a class reading it off a projector: about 100 px
# tall in a maximized 1920x1080 window), in steps of a quarter: one pixel of a drag does not change it.
MAX_HEADLINE_SCALE = 8.0
# Kept for the answer before the model's view grows: with a larger text size (View -> Zoom In) the column
# widens, and its view grew 6x -> 10x into the height while the answer fell from 61 to 32 pt.
KEPT_HEADLINE_SCALE = 5.0
# The model's view's title, shortened where the column is too narrow for it (cut at "(28×" at 200%).
SEEN_TITLES = ("What the model sees (28×28)", "What the model sees", "Model's view")
HEADLINE_WIDEST = "W / w"  # the widest answer a headline shows: the size does not jump from answer to answer


# An answer is said to a screen reader once the writing has rested this long: a three-stroke A was heard as
# "Read N, 45.4%, a guess" after its first stroke, then as A (an accessibility trial). A stroke being
# written holds it (hold_hearing, then hear_when_rested): an answer that comes meanwhile waits for it too.
ANSWER_SAID_AFTER_MS = 700
NOT_SURE_BELOW = 0.5  # an answer the model gives less than this is said to be a guess, under it
NO_ANSWER = ""  # the headline with no answer to show
NO_ANSWER_SAID = "No answer yet"  # in the headline's place when the keyboard reaches it with none


class ShortenedTitleBox(QGroupBox):
    """A group box whose title is the longest of ``titles`` its width holds; its accessible name the first.
    Laid out as a plain group box of the first title is (its minimum width that one's)."""

    def __init__(self, titles: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(titles[0], parent)
        self._titles = titles
        self._needed: dict[tuple[str, str], int] = {}  # (font, title) -> the width a group box of it needs
        self.setAccessibleName(titles[0])

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._width_needed(self._titles[0])), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_title()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_title()
            self.updateGeometry()

    def _width_needed(self, title: str) -> int:
        """The least width of a group box titled ``title`` in this font, as Qt's style measures it."""
        key = (self.font().key(), title)
        if key not in self._needed:
            probe = QGroupBox(title)
            probe.setFont(self.font())
            self._needed[key] = probe.minimumSizeHint().width()
        return self._needed[key]

    def _fit_title(self) -> None:
        title = next((t for t in self._titles if self._width_needed(t) <= self.width()), self._titles[-1])
        if title != self.title():
            self.setTitle(title)


class AnswerHeadline(QLabel):
    """The answer in large type, a stop of Tab's: a screen reader's user reaches the answer (its name says it
    and its confidence) as the pad's neighbour, and hears it again there; framed in the focus colour when
    reached by the keyboard, as the buttons and drop-downs are."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._by_keyboard = False

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._by_keyboard = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        room = self.contentsRect()
        # Given less height than its type (200% text in a short window): drawn smaller to fit, not cut by the
        # note below it, which the layout had laid over its lower part.
        squeezed = bool(self.text()) and self.fontMetrics().height() > room.height() > 0
        if not squeezed:
            super().paintEvent(event)
        painter = QPainter(self)
        if squeezed:
            painter.setFont(sized_like(self.font(), self.font(), room.height() / self.fontMetrics().height()))
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(room, int(self.alignment()), self.text())
        if self.hasFocus() and self._by_keyboard:
            if not self.text():  # reached with no answer yet: a framed empty box looked like a field to type in
                said = QFont(QApplication.font())  # the window's text, not the answer's large type
                said.setBold(False)
                painter.setFont(said)
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                painter.drawText(room, int(Qt.AlignmentFlag.AlignCenter), NO_ANSWER_SAID)
            painter.setPen(QPen(focus_colour(self.palette()), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()


class ConfidenceBar(QWidget):
    """A confidence from 0 to 1000 as a filled bar with its text.

    Not a QProgressBar: its setValue repaints synchronously, and five of them cost 4 ms of the GUI
    thread on every answer (measured), a third of the stroke-to-result budget. This one only schedules
    a repaint.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self._text = ""
        # As tall as its text wants, down to its text alone when the window is short (ten answers at 800x500).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

    def sizeHint(self) -> QSize:
        return QSize(160, self.fontMetrics().height() + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, self.fontMetrics().height() + 1)

    def value(self) -> int:
        return self._value

    def text(self) -> str:
        return self._text

    def set_confidence(self, value: int, text: str) -> None:
        value = max(0, min(1000, value))
        if (value, text) != (self._value, self._text):
            self._value, self._text = value, text
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame, 3, 3)
        if self._value > 0:
            filled = QRectF(frame.left(), frame.top(), frame.width() * self._value / 1000, frame.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(filled, 3, 3)
        if self._text:  # as a progress bar's: in the highlight's own text colour where the bar is filled
            split = frame.left() + frame.width() * self._value / 1000
            for colour, part in (
                (
                    QPalette.ColorRole.HighlightedText,
                    QRectF(frame.left(), frame.top(), split - frame.left(), frame.height()),
                ),
                (QPalette.ColorRole.Text, QRectF(split, frame.top(), frame.right() - split, frame.height())),
            ):
                painter.save()
                painter.setClipRect(part)
                painter.setPen(palette.color(colour))
                painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, self._text)
                painter.restore()
        painter.end()


class ModelInputView(QWidget):
    """The 28x28 model input, each pixel a square block: INPUT_SCALE times by default, as large as the
    column allows in a large window (up to MAX_INPUT_SCALE), smaller (down to MIN_INPUT_SCALE) when the
    answers below need the height, whole pixels always (no blur)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._note = ""  # said over the empty square
        self._largest = MAX_INPUT_SCALE  # set by the panel: what the space below the view allows
        self.setAccessibleName("what the model sees: nothing")
        side = 28 * MIN_INPUT_SCALE + 4
        self.setMinimumSize(side, side)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # square: as tall as the column is wide
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        side = 28 * INPUT_SCALE + 4
        return QSize(side, side)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._scale_for(width) * 28 + 4

    def _scale_for(self, side: int) -> int:
        """The whole-pixel scale a square of ``side`` px holds, within MIN_INPUT_SCALE and the limit."""
        return max(MIN_INPUT_SCALE, min(self._largest, (side - 4) // 28))

    def limit_scale(self, largest: int) -> None:
        """At most ``largest`` times (never below MIN_INPUT_SCALE): the answer and its notes keep their room."""
        largest = max(MIN_INPUT_SCALE, min(MAX_INPUT_SCALE, largest))
        if largest != self._largest:
            self._largest = largest
            self.updateGeometry()

    def set_input(self, values: np.ndarray) -> None:
        import numpy as np

        grey = np.ascontiguousarray((np.clip(values, 0, 1) * 255).astype(np.uint8))
        height, width = grey.shape
        self._image = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        # What a screen reader hears of the picture (a keyboard user's trial: its name said nothing of it).
        self.setAccessibleName(f"what the model sees: the writing brought to {width} by {height} pixels")
        self.update()

    def image(self) -> QImage | None:
        return self._image

    def clear(self, note: str = "") -> None:
        """No input to show; ``note`` over the empty square says why (a bare black square looked like a
        fault)."""
        self._image = None
        self._note = note
        self.setAccessibleName(f"what the model sees: nothing{f' ({note})' if note else ''}")
        self.update()

    def scale(self) -> int:
        return self._scale_for(min(self.width(), self.height()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = 28 * self.scale()
        area = QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        painter.fillRect(area.adjusted(-2, -2, 2, 2), QColor("gray"))
        painter.fillRect(area.adjusted(-1, -1, 1, 1), QColor("black"))
        if self._image is not None:
            if not self.isEnabled():  # an answer greyed while the next one is worked out
                painter.setOpacity(0.4)
            painter.drawImage(area, self._image)  # no smooth transform: each pixel a sharp block
        elif self._note:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._note)
        painter.end()


INPUT_NAMES = {"image": "picture", "strokes": "strokes"}
# Why a drawing was read as its picture alone, said under the bars (a trial's student asked where the strokes went).
ERASED: Literal["erased"] = "erased"


class PredictionPanel(QWidget):
    def __init__(self, top_k: int = TOP_K, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)  # tight enough for an 800x500 window
        self._layout = layout
        seen_box = ShortenedTitleBox(SEEN_TITLES)
        seen_layout = QVBoxLayout(seen_box)
        self.model_input = ModelInputView()
        self.model_input.setToolTip("The drawing after preprocessing: cropped, centred, stroke width normalized")
        seen_layout.addWidget(self.model_input)
        layout.addWidget(seen_box)  # as tall as wide: it grows with the column in a large window
        self._seen_box = seen_box
        self._seen_layout = seen_layout

        answers = QGroupBox("Prediction")
        self._grid = QGridLayout(answers)
        self._grid.setVerticalSpacing(3)
        # No answer: the headline empty, the message under it saying why (a lone "—" drawn large looked like
        # a glitch to a newcomer).
        self.headline = AnswerHeadline(NO_ANSWER)
        self._answer = ""
        self._guess = False  # the answer shown is one the model gives under NOT_SURE_BELOW
        self._stale = False  # the answer shown is the last input's: a new one is being read
        # What a screen reader is told, once the event loop turns: the answer and its notes in one message (one
        # each, four came a stroke), a note the last answer had not said again ("reads digits only" each time).
        self._to_hear = ""  # "Read …", for the answer just shown
        self._notes_to_hear: list[str] = []
        self._heard_notes: set[str] = set()  # the notes said of the answer shown
        self._heard_before: set[str] = set()  # ... and of the one before it
        self._hearing = QTimer(self, singleShot=True, interval=ANSWER_SAID_AFTER_MS)
        self._held = False  # a stroke is being written: nothing is said until it ends
        self._hearing.timeout.connect(self._say_to_screen_reader)
        self._base_font = self.headline.font()
        self._headline_scale = HEADLINE_SCALE
        self.headline.setFont(character_font(self._base_font, HEADLINE_SCALE, bold=True))
        self._least_headline_height = QFontMetrics(self.headline.font()).height()
        self._sizes: dict[float, tuple[int, int]] = {}  # scale -> (height, widest answer's width)
        # A grown answer must not hold the column (and the window) at its size: shrunk, it is fitted again. Its
        # least: half a line of the window's text, the answer drawn smaller than its font where the column is
        # that short (at 200% text in a 644 px window its font's height held it, and the note below was laid
        # over it; a line's height still left it a pixel short in a 600 px one).
        self.headline.setMinimumSize(1, self._smallest_headline_height())
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setAccessibleName("answer: none yet")
        self._grid.addWidget(self.headline, 0, 0, 1, 2)
        self._labels: list[QLabel] = []
        self._bars: list[ConfidenceBar] = []
        self.message = QLabel("Draw a character to start.")
        self.message.setWordWrap(True)
        self._grid.addWidget(self.message, 1, 0, 1, 2)
        # Offered where the input holds several characters: one answer for a line of them is a guess (a photo
        # of a sentence showed a large "M / m", and the way to text mode was a note under it).
        self.read_as_text = QPushButton("Read as Text (Ctrl+T)")
        self.read_as_text.setToolTip("Text mode reads a line of characters as text")
        self.read_as_text.setVisible(False)
        self._grid.addWidget(self.read_as_text, 2, 0, 1, 2)
        layout.addWidget(answers)
        self._answers_box = answers
        self.latency = QLabel("")
        self.latency.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.latency.setWordWrap(True)  # never widens the panel (the window stays 800 px wide at least)
        layout.addWidget(self.latency)
        layout.addStretch(1)
        # Wider with the window, up to what the largest view of the input and the answer use.
        self.setMaximumWidth(MAX_PANEL_WIDTH)
        self._merged_case: frozenset[str] = frozenset()  # letters the model in use reads in either case
        self.set_top_k(top_k)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _colour_headline(self) -> None:
        """The answer in the theme's text colour, or its unsure colour for a guess; halfway to the
        window's colour while a new input is read (the last answer: greyed, not disabled, so the keyboard's
        focus stays on it)."""
        palette = QPalette(self.palette())
        if self._guess:
            palette.setColor(QPalette.ColorRole.WindowText, disagree_colour(palette))
        if self._stale:
            text, window = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
            halfway = QColor(
                (text.red() + window.red()) // 2,
                (text.green() + window.green()) // 2,
                (text.blue() + window.blue()) // 2,
            )
            palette.setColor(QPalette.ColorRole.WindowText, halfway)
        self.headline.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_guess"):  # another theme: its colours
            self._colour_headline()
        if event.type() == QEvent.Type.FontChange:  # the text size (View -> Zoom): the answer grows with it
            self._base_font = QFont(self.font())
            self._least_headline_height = QFontMetrics(character_font(self._base_font, HEADLINE_SCALE, True)).height()
            self.headline.setMinimumSize(1, self._smallest_headline_height())
            self._sizes.clear()
            self._restore_fonts()
            self._fit()
        if event.type() == QEvent.Type.StyleChange:
            # A theme's style sheet gives every widget back the font it was first polished with: the answer
            # fell to its least size and stayed there (its scale, as kept here, had not changed).
            QTimer.singleShot(0, self, self._restore_fonts)  # (not after the panel is gone)

    def _restore_fonts(self) -> None:
        self.headline.setFont(character_font(self._base_font, self._headline_scale, bold=True))
        for label in self._labels:
            label.setFont(_row_font(self._base_font))
            label.setMinimumWidth(_row_label_width(label.font()))

    def _smallest_headline_height(self) -> int:
        """The least height the answer is given: half a line of the window's text."""
        return QFontMetrics(character_font(self._base_font, 1.0, bold=True)).height() // 2

    def headline_scale(self) -> float:
        return self._headline_scale

    def _fit(self) -> None:
        """The answer keeps room for a size that grows with the text size, the model's view is served next,
        then the answer grows into the height left."""
        below = self._height_below_view()  # measured once: a layout's height for its width is not free
        chrome = self._seen_box_chrome()
        room = self._headline_room()
        kept = next(
            (
                height - self._least_headline_height
                for scale, (height, widest) in self._headline_sizes().items()
                if scale <= KEPT_HEADLINE_SCALE and widest <= room
            ),
            0,
        )
        self._fit_input_view(below, chrome, kept)
        self._fit_headline(below, chrome)

    def _seen_box_chrome(self) -> int:
        """The height the model's view's box takes besides the view: its title and margins. From the margins
        (a group box keeps its title's room in its own), not its size hint less the view's: after a zoom that
        hint was stale, 56 px short, and at 200% in an 800x600 window the view kept a size that pushed the
        answer's rows over the answer."""
        box, inner = self._seen_box.contentsMargins(), self._seen_layout.contentsMargins()
        return box.top() + box.bottom() + inner.top() + inner.bottom()

    def _headline_room(self) -> int:
        """The width the answer's line may take."""
        grid = self._grid.contentsMargins()
        return self._answers_box.contentsRect().width() - grid.left() - grid.right()

    def _headline_growth(self) -> int:
        """How much taller the answer is now than at its least scale."""
        return self._headline_sizes()[self._headline_scale][0] - self._least_headline_height

    def _headline_sizes(self) -> dict[float, tuple[int, int]]:
        """Each scale the answer may take, largest first: its line's height and the widest answer's width
        (measured once, not on every answer)."""
        if not self._sizes:
            scale = MAX_HEADLINE_SCALE
            while scale >= HEADLINE_SCALE:
                metrics = QFontMetrics(character_font(self._base_font, scale, bold=True))
                self._sizes[scale] = (metrics.height(), metrics.horizontalAdvance(HEADLINE_WIDEST))
                scale -= 0.25
        return self._sizes

    def _height_below_view(self) -> int:
        """What the answers (the answer at its least scale), their notes and the latency take."""
        below = _height_needed(self._answers_box) - self._headline_growth() + _height_needed(self.latency)
        return below + 3 * self._layout.spacing()

    def _fit_headline(self, below: int, chrome: int) -> None:
        """The answer's character grows into the column's spare height, within its width."""
        margins = self._layout.contentsMargins()
        seen = chrome + self.model_input.heightForWidth(self.model_input.width())
        spare = self.height() - margins.top() - margins.bottom() - seen - below
        width = self._headline_room()
        fits = (
            scale
            for scale, (height, widest) in self._headline_sizes().items()
            if height - self._least_headline_height <= spare and widest <= width
        )
        scale = next(fits, HEADLINE_SCALE)
        if scale != self._headline_scale:
            self._headline_scale = scale
            self.headline.setFont(character_font(self._base_font, scale, bold=True))

    def _fit_input_view(self, below: int, chrome: int, kept: int) -> None:
        """The model's view grows into the height the answer, its notes and the latency leave (at 800x500,
        none: a 5x view squeezed the answer and cut its notes off), and the room ``kept`` for the answer
        to grow (which never takes the view below INPUT_SCALE: every pixel visible)."""
        margins = self._layout.contentsMargins()  # (left out, the view took 3x where 2x fitted: the answer squeezed)
        room = self.height() - margins.top() - margins.bottom() - chrome - below - 4
        self.model_input.limit_scale(max((room - kept) // 28, min(INPUT_SCALE, room // 28)))

    def set_merged_case(self, letters: frozenset[str]) -> None:
        """Letters the model in use reads in either case as one class: its answer shows both ("L / l"), so
        a plain bar read as the class of L and l is not taken for a capital L."""
        self._merged_case = letters

    def answer(self) -> str:
        """The answer shown, as the model's class (the headline may show both cases of it)."""
        return self._answer

    def set_top_k(self, k: int) -> None:
        for widget in self._labels + self._bars:
            self._grid.removeWidget(widget)
            widget.hide()  # deleteLater waits for the event loop; until then the old row would still paint
            widget.setParent(None)
            widget.deleteLater()
        self._labels, self._bars = [], []
        self._grid.setVerticalSpacing(3 if k <= 6 else 1)  # ten rows fit an 800x500 window with less air
        for row in range(k):
            label = QLabel("")
            label.setFont(_row_font(self._base_font))
            label.setMinimumWidth(_row_label_width(label.font()))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bar = ConfidenceBar()
            bar.setAccessibleName(f"answer {row + 1}: none")  # named with its class and chance once filled
            self._grid.addWidget(label, row + 3, 0)
            self._grid.addWidget(bar, row + 3, 1)
            self._labels.append(label)
            self._bars.append(bar)
        self.show_blank("Draw a character to start.")

    def shown_rows(self) -> list[tuple[str, float]]:
        """What the user sees: (label, confidence) per filled row."""
        return [
            (label.text(), bar.value() / 1000)
            for label, bar in zip(self._labels, self._bars, strict=True)
            if label.text()
        ]

    def show_result(
        self,
        top: tuple[tuple[str, float], ...],
        model_input: np.ndarray | None,
        latency_ms: float,
        notes: tuple[str, ...] = (),
        inputs_used: tuple[str, ...] = ("image",),
        picture_alone_since: Literal["", "erased"] = "",
    ) -> None:
        """``picture_alone_since``: why a drawing that is read with its strokes was read as a picture alone
        ("erased"), said on the line under the bars."""
        if model_input is not None:
            self.model_input.set_input(model_input)
        self._set_current(True)
        self._answer = top[0][0] if top else ""
        either_case = self._answer.isalpha() and self._answer.upper() in self._merged_case
        self.headline.setText(class_name(self._answer, self._merged_case, name_lookalikes=False) or NO_ANSWER)
        self.headline.setToolTip(
            f"This model reads {self._answer.upper()} and {self._answer.lower()} as one class" if either_case else ""
        )
        for i, (label, bar) in enumerate(zip(self._labels, self._bars, strict=True)):
            label.setVisible(True)
            bar.setVisible(True)
            if i < len(top):
                label.setText(short_class_name(top[i][0], self._merged_case))
                bar.set_confidence(round(top[i][1] * 1000), confidence_text(top[i][1]))
                bar.setAccessibleName(
                    f"{spoken_class_name(top[i][0], self._merged_case)}: {confidence_text(top[i][1])}"
                )
            else:
                label.setText("")
                bar.set_confidence(0, "")
                bar.setAccessibleName(f"answer {i + 1}: none")
        # A scribble, a blob, a mirrored 7: its answer stood as a sure one's, the bar alone saying 48% (a
        # parent's trial). In the unsure colour, said on hover, to a screen reader and on the reading's line (a
        # line of text of its own under it took the answer's room).
        self._guess = bool(top) and top[0][1] < NOT_SURE_BELOW
        self._colour_headline()
        if self._guess:
            self.headline.setToolTip(f"Only {confidence_text(top[0][1])} sure: a guess")
        self.message.setText("; ".join(notes))
        self.message.setVisible(bool(notes))
        self.read_as_text.setVisible(False)  # offered again once this input is counted (offer_text_mode)
        self._fit()
        spoken = (
            f"{spoken_class_name(self._answer, self._merged_case)}, {confidence_text(top[0][1])}" if top else "none"
        )
        spoken += ", a guess" if self._guess else ""
        self.headline.setAccessibleName(f"answer: {spoken}")
        self.headline.setAccessibleDescription("; ".join(notes))
        # Its notes heard with it (a photo of HELLO was heard as "Read W", its "5 characters?" shown alone).
        self._heard_before, self._heard_notes = self._heard_notes, set()
        self._to_hear, self._notes_to_hear = (f"Read {spoken}" if top else "No answer"), list(notes)
        self._say_once_rested()
        read_from = " + ".join(INPUT_NAMES.get(kind, kind) for kind in inputs_used)
        if picture_alone_since and inputs_used == ("image",):
            read_from = f"picture\u00a0alone\u00a0({picture_alone_since})"  # (kept on one line, as "a guess")
        # Said in words on the line under the bars too: the colour alone told a colour-blind parent nothing.
        # (Its words kept together: "a" ended a line at 800 px.)
        self.latency.setText(f"{read_from} · {latency_ms:.1f} ms" + (" · a\u00a0guess" if self._guess else ""))
        if len(inputs_used) > 1:
            tip = "The image model and the stroke model answered together (fused)"
        elif inputs_used == ("strokes",):
            tip = "Only the pen strokes were read: the picture could not be"
        elif picture_alone_since == ERASED:
            tip = (
                "Only the picture was read: the eraser cut the strokes, and the stroke model reads whole ones "
                "(Undo the erasing, or Clear and draw again, for both)"
            )
        else:
            tip = "Only the picture was read: an opened image, a model without a stroke model, or an erased drawing"
        self.latency.setToolTip(tip)

    def add_note(self, note: str) -> None:
        """A note on the answer shown, after the notes it came with."""
        shown = self.message.text()
        self.message.setText(f"{shown}; {note}" if shown and self.message.isVisibleTo(self) else note)
        self.message.setVisible(True)
        self.headline.setAccessibleDescription(self.message.text())
        self._notes_to_hear.append(note)  # (counted after the answer: "5 characters? Text mode…")
        self._say_once_rested()
        self._fit()

    def hold_hearing(self) -> None:
        """A stroke is being written: nothing is said until it ends (:meth:`hear_when_rested`)."""
        self._held = True
        self._hearing.stop()

    def hear_when_rested(self) -> None:
        """The stroke ended: what waits to be said is said once the writing rests (the next answer, which
        comes after it, replaces it)."""
        self._held = False
        self._say_once_rested()

    def _say_once_rested(self) -> None:
        if not self._held and (self._to_hear or self._notes_to_hear):
            self._hearing.start()

    def _say_to_screen_reader(self) -> None:
        """The answer just shown and its notes, in one message; a note said of the answer before not again."""
        heard = self._heard_before | self._heard_notes
        notes = [note for note in dict.fromkeys(self._notes_to_hear) if note not in heard]
        self._heard_notes.update(self._notes_to_hear)
        message = ". ".join(filter(None, [self._to_hear, *notes]))
        self._to_hear, self._notes_to_hear = "", []
        if message:
            announce(self.headline, message)

    def offer_text_mode(self) -> None:
        """The input holds several characters: the button to read them as text shows under the answer."""
        self.read_as_text.setVisible(True)
        self._fit()

    def show_pending(self) -> None:
        """The input changed and its answer is still being worked out (a large picture): what is shown is
        greyed as the last answer, not this input's."""
        self._set_current(False)
        self.latency.setText("Reading…")
        self.latency.setToolTip("The answer shown is the last one; the new input is still being read")

    def is_current(self) -> bool:
        """Whether the answer shown is the input's (not the last one's, greyed while a new input is read)."""
        return not self._stale

    def _set_current(self, current: bool) -> None:
        # (The answer greyed, not disabled: disabled, it gave the keyboard's focus to the tabs, and the new
        # answer was not heard where the person was.)
        for widget in (self.model_input, *self._labels, *self._bars):
            widget.setEnabled(current)
        if self._stale == current:
            self._stale = not current
            self._colour_headline()
            # Said too (disabled, it was heard as "unavailable"; greyed, it was heard as the answer).
            name, stale = self.headline.accessibleName(), STALE_ANSWER_NAME
            self.headline.setAccessibleName(name.removesuffix(stale) if current else name + stale)

    def show_blank(self, message: str, input_note: str = "") -> None:
        """No answer: ``message`` in its place, ``input_note`` over the empty model input."""
        self._set_current(True)
        self._answer = ""
        self._guess = False
        self._colour_headline()
        self.headline.setText(NO_ANSWER)
        self.headline.setToolTip("")
        self.headline.setAccessibleName(f"answer: none. {message}")
        # The answer gone before it was said (cleared, undone) is not said (heard after, it named a character
        # no longer there).
        self._hearing.stop()
        self._to_hear, self._notes_to_hear = "", []
        self.model_input.clear(input_note)
        for row, (label, bar) in enumerate(zip(self._labels, self._bars, strict=True)):
            bar.setAccessibleName(f"answer {row + 1}: none")
            # No empty bars: with ten of them at 800x500 the message between was cut to a line and a half.
            label.setText("")
            label.setVisible(False)
            bar.set_confidence(0, "")
            bar.setVisible(False)
        self.message.setText(message)
        self.message.setVisible(True)
        self.read_as_text.setVisible(False)
        self.latency.setText("")
        self._fit()


STALE_ANSWER_NAME = " (the last input's: the new one is being read)"


def announce(widget: QWidget, message: str) -> None:
    """Have a screen reader say ``message`` when it can, without moving the focus (an answer comes while
    the person is drawing, or after a file was opened from the keyboard)."""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    if not QAccessible.isActive():  # no assistive technology listening: nothing to build
        return
    event = QAccessibleAnnouncementEvent(widget, message)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)


def _height_needed(widget: QWidget) -> int:
    """How tall ``widget`` must be at its width (wrapped text included)."""
    if widget.hasHeightForWidth() and widget.width() > 0:
        return max(widget.heightForWidth(widget.width()), widget.minimumSizeHint().height())
    return widget.sizeHint().height()


def _row_font(base: QFont) -> QFont:
    """A top-k row's class: a little larger than the window's text, bold, in the font where look-alikes differ,
    its lines no taller than the window's text at that size would be: Noto Sans Mono's are a sixth taller
    (room for accents no class has), and ten rows held an 800x500 window 514 px tall."""
    font = character_font(base, 1.1, bold=True)
    like = sized_like(base, base, 1.1)
    like.setBold(True)
    wanted, have = QFontMetricsF(like).height(), QFontMetricsF(font).height()  # (unrounded: grows with a zoom)
    return sized_like(font, font, wanted / have) if have > wanted else font


def _row_label_width(font: QFont) -> int:
    """Room for a class of both cases ("W/w") in a row's font: a fixed 28 px showed "/w" at 200% text."""
    return max(28, QFontMetrics(font).horizontalAdvance("W/w") + 2)
