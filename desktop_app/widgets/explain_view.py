"""Why: Grad-CAM (or saliency for RNNs) over the input, the stroke model's evidence along the pen's path
when the drawing's strokes were read, and every conv layer's activation maps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.widgets.eliding_combo_box import ElidingComboBox
from desktop_app.widgets.fonts import class_name, lookalikes_among, spoken_class_name
from desktop_app.widgets.images import channel_grid, colour_map, grey_pixmap, overlay_pixmap
from desktop_app.widgets.picture_menu import enlarged

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

    from ml.runtime.explain import StrokeSaliency

MAPS_WAIT = "Each layer's activation maps show here once a drawing is explained."
HEATMAP_SCALE = 10  # at most, as the model's view beside it: 280 px in a large window


MAX_CHANNELS_SHOWN = 64


PEN_PATH_PICTURE = 280  # px, the pen's path saved or copied as a picture: as the Grad-CAM's (28 x 10 px)


class StrokeSaliencyView(QWidget):
    """The drawing's normalized pen path, each piece coloured by how much it drove the stroke model's
    score (the heatmap's ramp: yellow = most), pen lifts left out, a dot where each stroke starts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(28, 28)  # shares the row with the Grad-CAM map; the window's minimum stays 800 wide
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setToolTip("Stroke-model saliency: yellow pieces of the pen's path drove the answer most")
        self._saliency: StrokeSaliency | None = None

    def set_saliency(self, saliency: StrokeSaliency | None) -> None:
        self._saliency = saliency
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._draw(painter, self.width(), self.height())
        painter.end()

    def picture(self) -> QImage | None:
        """The path as a picture of its own (PEN_PATH_PICTURE px square), shown or not; None without one."""
        if self._saliency is None:
            return None
        image = QImage(PEN_PATH_PICTURE, PEN_PATH_PICTURE, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self._draw(painter, PEN_PATH_PICTURE, PEN_PATH_PICTURE)
        painter.end()
        return image

    def _draw(self, painter: QPainter, width_px: int, height_px: int) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(width_px, height_px) - 8
        painter.fillRect(0, 0, width_px, height_px, self.palette().color(QPalette.ColorRole.Base))
        saliency = self._saliency
        if saliency is None or side <= 0:
            return
        points, pen_down, weight = saliency.points, saliency.pen_down, saliency.weight
        colours = colour_map(weight)
        centre = QPointF(width_px / 2, height_px / 2)

        def at(k: int) -> QPointF:
            return centre + QPointF(float(points[k, 0]), float(points[k, 1])) * (side / 2)

        width = max(2.0, side / 40)
        for k in range(1, len(points)):
            if pen_down[k]:
                continue  # a pen lift: no ink between strokes
            r, g, b = (int(v) for v in colours[k])
            painter.setPen(QPen(QColor(r, g, b), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(at(k - 1), at(k))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Text))
        for k in range(len(points)):
            if pen_down[k]:
                painter.drawEllipse(at(k), width * 0.9, width * 0.9)


class ColourKey(QWidget):
    """The heatmaps' colour ramp, its ends named: the pictures say where the evidence is, this how much
    (nothing on screen said what the colours meant)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("colour key: dark blue is the least evidence, yellow the most")
        self.setToolTip("The colours of both pictures: dark blue counted least for the answer, yellow most")

    def sizeHint(self) -> QSize:
        return QSize(200, self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.fontMetrics().height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = self.fontMetrics()
        low, high = "least", "most"
        left, right = metrics.horizontalAdvance(low) + 6, self.width() - metrics.horizontalAdvance(high) - 6
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text_rect = self.rect()
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, low)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, high)
        if right > left:
            bar = QRectF(left, self.height() * 0.25, right - left, self.height() * 0.5)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(bar, ramp_image())
        painter.end()


def ramp_image() -> QImage:
    """The heatmaps' colour ramp, least to most, as a 256 x 1 picture."""
    import numpy as np

    ramp = np.ascontiguousarray(colour_map(np.linspace(0.0, 1.0, 256))[None])
    return QImage(ramp.data, 256, 1, 3 * 256, QImage.Format.Format_RGB888).copy()


def captioned(image: QImage, title: str) -> QImage:
    """``image`` with ``title`` and the colour key under it, dark on white whatever the theme: a picture
    for a page that says what it is of and what its colours mean (a student's copied Grad-CAM was a bare
    heatmap, no class and no key)."""
    font = QFont()
    font.setPixelSize(max(14, image.width() // 32))
    metrics = QFontMetrics(font)
    line, margin, width = metrics.height(), 8, image.width()
    out = QImage(width, image.height() + 2 * line + 3 * margin, QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawImage(0, 0, image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    top = image.height() + margin
    painter.drawText(QRect(margin, top, width - 2 * margin, line), Qt.AlignmentFlag.AlignLeft, title)
    key = QRect(margin, top + line + margin, width - 2 * margin, line)
    painter.drawText(key, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "least")
    painter.drawText(key, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "most")
    left = key.left() + metrics.horizontalAdvance("least") + margin
    right = key.right() - metrics.horizontalAdvance("most") - margin
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(QRectF(left, key.top() + line * 0.25, right - left, line * 0.5), ramp_image())
    painter.end()
    return out


class CaptionLabel(QLabel):
    """Wrapped text that keeps the height its lines need at its width: a narrow window's layout gave a
    two-line caption one line's height, and the Grad-CAM map above was drawn over the second."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._height_asked = 0

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self.text() or self.width() <= 0:
            return hint
        return QSize(hint.width(), max(hint.height(), self.heightForWidth(self.width())))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self.heightForWidth(self.width()) if self.text() else 0
        if height != self._height_asked:  # more lines (or fewer) at the new width: the layout asks again
            self._height_asked = height
            self.updateGeometry()


class ResizedLabel(QLabel):
    """A label that says when the layout has given it a new size: its picture is drawn to fit it then (the
    pen-path view shown beside the Grad-CAM map narrowed it after the map was drawn, and the map was cut)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class ExplainView(QWidget):
    """Emits ``class_chosen`` when the user asks why a class other than the top one."""

    class_chosen = Signal(str)  # "" = the predicted class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # In a scroll area: the captions' lines, which come with an answer, raised the view's minimum height,
        # and a small window grew past its screen's room at the first drawing (800 x 500 -> 511; more with
        # larger text). Short of room, the view scrolls instead.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        self._scroll = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its controls are the Tab stops
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        heat_box = QGroupBox("Where the evidence is")
        heat_layout = QVBoxLayout(heat_box)
        class_row = QHBoxLayout()
        class_label = QLabel("&Class:")
        class_row.addWidget(class_label)
        self.class_picker = ElidingComboBox()
        class_label.setBuddy(self.class_picker)  # its name to a screen reader, Alt+C to it
        self.class_picker.setAccessibleName("class to explain")
        self.class_picker.setToolTip(
            "Explain the predicted class or any other class (a character with a look-alike among the model's "
            "classes is named: 0 (zero) beside O)"
        )
        self.class_picker.activated.connect(self._class_activated)
        class_row.addWidget(self.class_picker, 1)
        heat_layout.addLayout(class_row)
        self.heatmap_label = ResizedLabel("No explanation yet.")
        self.heatmap_label.resized.connect(self._fit_heatmap)
        self.heatmap_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heatmap_label.setWordWrap(True)  # messages in place of the map: errors, "loading"
        # Sized by the layout, not by its picture: the map is drawn to fit whatever space it gets.
        self.heatmap_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.heatmap_label.setMinimumSize(28 * 2, 28 * 2)
        pictures = QHBoxLayout()
        pictures.addWidget(self.heatmap_label, 1)
        self.stroke_view = StrokeSaliencyView()
        self.stroke_view.hide()
        # Named apart (both were "Where the evidence is" to a screen reader, their box's title; the map's name
        # is given with the map: a message in its place is read as its text).
        self.stroke_view.setAccessibleName("where along the pen's path the evidence is")
        pictures.addWidget(self.stroke_view, 1)
        heat_layout.addLayout(pictures, 1)
        self.colour_key = ColourKey()
        self.colour_key.hide()  # until there is a map to read it by
        heat_layout.addWidget(self.colour_key)
        self.method_label = CaptionLabel()
        heat_layout.addWidget(self.method_label)
        layout.addWidget(heat_box, 1)

        maps_box = QGroupBox("Activation maps")
        maps_layout = QVBoxLayout(maps_box)
        picker_row = QHBoxLayout()
        layer_label = QLabel("La&yer:")
        picker_row.addWidget(layer_label)
        self.layer_picker = ElidingComboBox()
        layer_label.setBuddy(self.layer_picker)
        self.layer_picker.setAccessibleName("layer")
        self.layer_picker.currentIndexChanged.connect(self._show_layer)
        self.layer_picker.setEnabled(False)  # until a drawing has layers to show
        picker_row.addWidget(self.layer_picker, 1)
        # A layer of more channels than a mosaic shows: which of them (the first 64 of 128 were all there was).
        self.channel_picker = ElidingComboBox()
        self.channel_picker.setAccessibleName("channels shown")
        self.channel_picker.setToolTip("Which of the layer's channels the tiles show, by number")
        self.channel_picker.currentIndexChanged.connect(lambda _i: self._show_layer(self.layer_picker.currentIndex()))
        self.channel_picker.hide()
        picker_row.addWidget(self.channel_picker)
        maps_layout.addLayout(picker_row)
        self.maps_caption = CaptionLabel()
        maps_layout.addWidget(self.maps_caption)
        self.maps_label = QLabel(MAPS_WAIT)
        self.maps_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.maps_label.setWordWrap(True)
        self.maps_label.setMinimumSize(1, 1)
        self._maps_area = QScrollArea()
        self._maps_area.setAccessibleName("activation maps")
        self._maps_area.setWidgetResizable(True)
        self._maps_area.setWidget(self.maps_label)
        self._maps_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a Tab stop that showed nothing; the maps fit
        # ... so the keyboard shows them from the layer's box: the view scrolled down to them when it has the
        # focus (at 200% text the maps lay below the view, and no Tab stop under them scrolled it there).
        self.layer_picker.installEventFilter(self)
        maps_layout.addWidget(self._maps_area, 1)
        layout.addWidget(maps_box, 1)
        self._layers: tuple[tuple[str, np.ndarray], ...] = ()
        self._mosaic: QPixmap | None = None
        self._mosaic_aspect = 1.0  # of the area the mosaic was laid out for
        self._shown_maps: np.ndarray | None = None  # the layer's maps the mosaic shows
        self._heatmap: QPixmap | None = None
        self._explained_by = ""  # the model whose explanation is shown
        self._merged_case: frozenset[str] = frozenset()  # letters the model reads in either case as one class
        self._named: frozenset[str] = frozenset()  # classes named for a look-alike among the model's classes

    def set_classes(self, labels: list[str], merged_case: frozenset[str] = frozenset()) -> None:
        """The classes one can explain, named as the prediction panel names them: a letter the model reads
        in either case as "L / l" (``merged_case``), a look-alike with its name ("0 (zero)")."""
        self._merged_case = merged_case
        # Named only beside a look-alike of the same model (a digits model's 0 and 5 were "0 (zero)" and
        # "5 (five)" with no O or S to tell them from, and a class asked why only some digits were spelled).
        self._named = lookalikes_among(labels)
        self.class_picker.clear()
        self.class_picker.addItem("predicted class", "")
        for label in labels:
            self.class_picker.addItem(class_name(label, merged_case, label in self._named), label)

    def explain_predicted(self) -> None:
        """Back to the predicted class (a new drawing: the class picked for the last one is not this one's)."""
        self.class_picker.setCurrentIndex(0)

    def _class_activated(self, index: int) -> None:
        self.class_chosen.emit(str(self.class_picker.itemData(index) or ""))

    def chosen_class(self) -> str | None:
        return str(self.class_picker.currentData() or "") or None

    def show_explanation(
        self,
        model_input: np.ndarray,
        label: str,
        method: str,
        heatmap: np.ndarray | None,
        layers: tuple[tuple[str, np.ndarray], ...],
        strokes: StrokeSaliency | None = None,
        model: str = "",
    ) -> None:
        self._explained_by = model  # named under an exported heatmap
        self.stroke_view.set_saliency(strokes)
        self.stroke_view.setVisible(strokes is not None)
        if heatmap is not None:
            self._heatmap = overlay_pixmap(model_input, heatmap, HEATMAP_SCALE)
            self._fit_heatmap()
            name = "Grad-CAM" if method == "grad-cam" else "input-gradient saliency"
            named = class_name(label, self._merged_case, label in self._named)  # as the list names it
            # Whose evidence each map is: a student read the picture model's map beside the fused answer's
            # percentage as that answer's (on an l the picture model said 47%, the answer 63%).
            by = f" ({model})" if model else ""
            # (Short: at 800 px each line of it is taken from the maps above.)
            text = (
                f"{name} for “{named}”, left by the picture model, right by the stroke model (along the pen); "
                "the answer weighs both"
                if strokes is not None
                else f"{name} for “{named}” by the picture model{by}"
            )
            spoken = spoken_class_name(label, self._merged_case)  # ("A / a" was heard "A slash a")
            self.heatmap_label.setAccessibleName(f"{name} for {spoken}: where in the picture the evidence is")
            self.heatmap_label.setToolTip(
                f"Warm where the model found what made it answer “{label}”, from its deepest convolution layer "
                "whose maps are 3×3 or larger, scaled to this picture's strongest. Blank paper can count as much "
                "as ink: nothing to the right of a 1's stroke is what tells it from a 7."
                if method == "grad-cam"
                else f"Warm where changing a pixel would change the score of “{label}” most, scaled to this "
                "picture's strongest."
            )
            self.method_label.setText(text)
            self.colour_key.show()
            self.method_label.setToolTip(
                f"Left: the picture model's{by} {name}; right: the stroke model's saliency along the pen's path, a "
                "dot where each stroke starts. The answer above is the two models' together."
                if strokes is not None
                else ""
            )
        self._layers = layers
        previous = self.layer_picker.currentIndex()
        self.layer_picker.blockSignals(True)
        self.layer_picker.clear()
        counts = {"Convolution": 0, "Shortcut": 0}
        for index, (name, maps) in enumerate(layers):
            # Counted from the input, as a lesson names them; a residual block's 1x1 shortcut, which runs
            # beside its convolutions, named apart; the module's name in the code on hover (the list showed
            # "features.0.0 (32×28×28)" alone).
            kind = "Shortcut" if "shortcut" in name.split(".")[-1] else "Convolution"
            counts[kind] += 1
            channels, height, width = maps.shape
            self.layer_picker.addItem(f"{kind} {counts[kind]}: {channels}×{height}×{width}")
            tip = f"{channels} maps of {height}×{width}; {name} in the model's code"
            self.layer_picker.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.layer_picker.blockSignals(False)
        if layers:
            self.layer_picker.setCurrentIndex(previous if 0 <= previous < len(layers) else 0)
            self._show_layer(self.layer_picker.currentIndex())
        else:
            self._shown_maps, self._mosaic = None, None
            self.channel_picker.hide()
            self.maps_caption.setText("")
            self.maps_label.setText("This model has no convolution layers: it reads the image row by row.")
            self.maps_label.setAccessibleName("")
        self.layer_picker.setEnabled(bool(layers))  # an empty box to choose from said nothing

    def _show_layer(self, index: int) -> None:
        if not 0 <= index < len(self._layers):
            return
        name, maps = self._layers[index]
        step = MAX_CHANNELS_SHOWN
        pages = [(first, min(first + step, len(maps))) for first in range(0, len(maps), step)]
        names = [f"{first + 1}–{last}" if last > first + 1 else str(last) for first, last in pages]  # short
        if names != [self.channel_picker.itemText(i) for i in range(self.channel_picker.count())]:
            self.channel_picker.blockSignals(True)
            self.channel_picker.clear()
            self.channel_picker.addItems(names)
            self.channel_picker.blockSignals(False)
        self.channel_picker.setVisible(len(pages) > 1)
        first, last = pages[max(0, self.channel_picker.currentIndex())]
        # Short, so that it fits on a line or two in an 800 px window; the rest on hover.
        if len(pages) == 1:
            shown = f"{len(maps)} channels"
        else:
            shown = f"channel{'s' if last > first + 1 else ''} {names[pages.index((first, last))]} of {len(maps)}"
        self.maps_caption.setText(f"{shown}: bright where a filter responds")
        # The tiles are a picture: a screen reader says what it shows (it was read as an unnamed image).
        self.maps_label.setAccessibleName(f"activation maps of {self.layer_picker.itemText(index)}, {shown}")
        self.maps_caption.setToolTip(
            f"Each tile is one of this layer's channels ({maps.shape[1]}×{maps.shape[2]} each; {name} in the "
            "model's code), in the layer's order, each scaled on its own: bright where that filter responds "
            "to the drawing, its brightest pixel white. A tile white where the drawing is dark is a filter "
            "that responds to the paper."
        )
        self._shown_maps = maps[first:last]
        self._mosaic = None
        self._fit_maps()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.layer_picker and event.type() == QEvent.Type.FocusIn:
            QTimer.singleShot(0, self, self._show_maps_with_their_box)
        return super().eventFilter(watched, event)

    def _show_maps_with_their_box(self) -> None:
        """The view scrolled to show the maps, and the layer's box above them (first, where not both fit)."""
        self._scroll.ensureWidgetVisible(self._maps_area, 0, 0)
        self._scroll.ensureWidgetVisible(self.layer_picker)

    def _fit_maps(self) -> None:
        """The mosaic as large as the area allows without scrolling, in whole-pixel-sharp tiles, laid out
        in as many columns as fill the area best."""
        area = self._maps_area.viewport().size()
        aspect = area.width() / max(1, area.height())
        if self._shown_maps is not None and (self._mosaic is None or abs(aspect - self._mosaic_aspect) > 0.1):
            self._mosaic = grey_pixmap(channel_grid(self._shown_maps, MAX_CHANNELS_SHOWN, aspect))
            self._mosaic_aspect = aspect
        if self._mosaic is None or self._mosaic.isNull():
            return
        target = self._mosaic.size().scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
        # Enlarged: sharp whole pixels. Shrunk (a small window): averaged, or every other pixel row of a
        # tile and the lines between tiles would simply vanish and neighbouring tiles run together.
        shrunk = target.width() * self.devicePixelRatioF() < self._mosaic.width()
        mode = Qt.TransformationMode.SmoothTransformation if shrunk else Qt.TransformationMode.FastTransformation
        self.maps_label.setPixmap(self._on_screen(self._mosaic, target, mode))

    def _fit_heatmap(self) -> None:
        """The heatmap as large as its space allows, at most HEATMAP_SCALE screen pixels per input pixel."""
        area = self.heatmap_label.size()
        side = max(28, min(area.width(), area.height(), 28 * HEATMAP_SCALE))
        if self._heatmap is not None:
            fast = Qt.TransformationMode.FastTransformation
            self.heatmap_label.setPixmap(self._on_screen(self._heatmap, QSize(side, side), fast))

    def _on_screen(self, picture: QPixmap, size: QSize, mode: Qt.TransformationMode) -> QPixmap:
        """``picture`` scaled to ``size`` (window units) in the screen's own pixels: on a screen scaled 125%
        or 200% a pixmap of window units was stretched again by Qt, and every map pixel's edge blurred."""
        ratio = self.devicePixelRatioF()
        scaled = picture.scaled(
            QSize(round(size.width() * ratio), round(size.height() * ratio)), Qt.AspectRatioMode.KeepAspectRatio, mode
        )
        scaled.setDevicePixelRatio(ratio)
        return scaled

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_pictures)  # once the layout has given the labels their new sizes

    def _fit_pictures(self) -> None:
        self._fit_heatmap()
        self._fit_maps()

    def show_blank(self, message: str = "No explanation yet: draw a character or open an image.") -> None:
        """Nothing to explain (a cleared pad): no map, maps or layers of an earlier drawing stay on show."""
        self.show_error(message)
        self._layers = ()
        self.layer_picker.clear()
        self.layer_picker.setEnabled(False)  # (an empty box was a stop of Tab's before anything was drawn)
        self.channel_picker.hide()
        self._shown_maps, self._mosaic = None, None
        self.maps_caption.setText("")
        self.maps_label.setText(MAPS_WAIT)  # (an empty grey panel looked like a view that had failed)
        self.maps_label.setAccessibleName("")  # its text is what a screen reader reads

    def show_error(self, message: str) -> None:
        self.colour_key.hide()
        self._heatmap = None
        self.stroke_view.set_saliency(None)
        self.stroke_view.hide()
        self.heatmap_label.setText(message)
        self.heatmap_label.setAccessibleName("")  # its text is what a screen reader reads
        self.method_label.setText("")

    def heatmap_image(self) -> QImage | None:
        """The Grad-CAM (or saliency) picture shown, enlarged for a page, with what it is of and its colour key
        under it (:func:`captioned`); None without one."""
        if self._heatmap is None:
            return None
        title = self.method_label.text().split(";")[0] + (f" · {self._explained_by}" if self._explained_by else "")
        return captioned(enlarged(self._heatmap.toImage()), title)

    def shows_explanation(self) -> bool:
        """Whether an explanation's pictures are shown (to be cleared when they are another drawing's)."""
        return self._heatmap is not None or bool(self._layers) or self.stroke_view.isVisibleTo(self)

    def pen_path_image(self) -> QImage | None:
        """The stroke model's saliency along the pen's path, as Explain shows it (whichever tab is in view: it
        was greyed in Save Picture while Compare was); None when the answer has none."""
        return self.stroke_view.picture() if self.stroke_view.isVisibleTo(self) else None

    def maps_image(self) -> QImage | None:
        """The activation maps shown, a pixel a map pixel; None without them."""
        return self._mosaic.toImage() if self._mosaic is not None and not self._mosaic.isNull() else None

    def layer_count(self) -> int:
        return self.layer_picker.count()
