"""Why: Grad-CAM (or saliency for RNNs) over the input, and every conv layer's activation maps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.widgets.images import channel_grid, grey_pixmap, overlay_pixmap

if TYPE_CHECKING:  # numpy loads after the window is up, with the first drawing
    import numpy as np

HEATMAP_SCALE = 7


class ExplainView(QWidget):
    """Emits ``class_chosen`` when the user asks why a class other than the top one."""

    class_chosen = Signal(str)  # "" = the predicted class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        heat_box = QGroupBox("Where the evidence is")
        heat_layout = QFormLayout(heat_box)
        self.class_picker = QComboBox()
        self.class_picker.setToolTip("Explain the predicted class or any other class")
        self.class_picker.activated.connect(self._class_activated)
        heat_layout.addRow("Class:", self.class_picker)
        self.heatmap_label = QLabel("No explanation yet.")
        self.heatmap_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heatmap_label.setWordWrap(True)  # messages in place of the map: errors, "loading"
        self.heatmap_label.setMinimumSize(28 * HEATMAP_SCALE, 28 * HEATMAP_SCALE)
        heat_layout.addRow(self.heatmap_label)
        self.method_label = QLabel("")
        heat_layout.addRow(self.method_label)
        layout.addWidget(heat_box)

        maps_box = QGroupBox("Activation maps")
        maps_layout = QVBoxLayout(maps_box)
        picker_row = QHBoxLayout()
        picker_row.addWidget(QLabel("Layer:"))
        self.layer_picker = QComboBox()
        self.layer_picker.currentIndexChanged.connect(self._show_layer)
        picker_row.addWidget(self.layer_picker, 1)
        maps_layout.addLayout(picker_row)
        self.maps_label = QLabel("")
        self.maps_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.maps_label)
        maps_layout.addWidget(scroll, 1)
        layout.addWidget(maps_box, 1)
        self._layers: tuple[tuple[str, np.ndarray], ...] = ()

    def set_classes(self, labels: list[str]) -> None:
        self.class_picker.clear()
        self.class_picker.addItem("predicted class", "")
        for label in labels:
            self.class_picker.addItem(label, label)

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
    ) -> None:
        if heatmap is not None:
            self.heatmap_label.setPixmap(overlay_pixmap(model_input, heatmap, HEATMAP_SCALE))
            name = "Grad-CAM" if method == "grad-cam" else "input-gradient saliency"
            self.method_label.setText(f"{name} for “{label}”")
        self._layers = layers
        previous = self.layer_picker.currentIndex()
        self.layer_picker.blockSignals(True)
        self.layer_picker.clear()
        for name, maps in layers:
            self.layer_picker.addItem(f"{name}  ({maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]})")
        self.layer_picker.blockSignals(False)
        if layers:
            self.layer_picker.setCurrentIndex(previous if 0 <= previous < len(layers) else 0)
            self._show_layer(self.layer_picker.currentIndex())
        else:
            self.maps_label.setText("This model has no convolution layers (it reads the image row by row).")

    def _show_layer(self, index: int) -> None:
        if not 0 <= index < len(self._layers):
            return
        mosaic = channel_grid(self._layers[index][1])
        scale = max(1, int(360 / max(mosaic.shape)))
        self.maps_label.setPixmap(grey_pixmap(mosaic, scale))

    def show_error(self, message: str) -> None:
        self.heatmap_label.setText(message)
        self.method_label.setText("")

    def layer_count(self) -> int:
        return self.layer_picker.count()
