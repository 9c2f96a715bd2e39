"""The app's pen, declared once: the widths it draws at and what a tablet pen's pressure does to them.

The pad and its settings (desktop_app), the renderer of stroke files (:mod:`ml.runtime.render`) and the
pen drawings the models train on (:mod:`ml.training.pen_data`) read them here. Constants and plain
functions alone: the app imports it at its start, before numpy.
"""

PEN_WIDTHS_PX = (2, 60)  # the pen's width slider, in pad pixels
DEFAULT_PEN_PX = 14
# A pen's reported pressure (0-1) scales its width from LIGHTEST_TOUCH to LIGHTEST_TOUCH + PRESSURE_SPAN of
# the pen's: a light touch still leaves a visible line, full pressure a bold one. A mouse draws at 1.
LIGHTEST_TOUCH = 0.35
PRESSURE_SPAN = 0.9


def width_share(pressure: float) -> float:
    """The share of the pen's width a point is drawn with, from the pen's reported pressure (0-1)."""
    return LIGHTEST_TOUCH + PRESSURE_SPAN * max(0.0, min(1.0, pressure))


def reported_pressure(share: float) -> float:
    """The pen's pressure (0-1) that gives a point's width share: :func:`width_share` undone."""
    return max(0.0, min(1.0, (share - LIGHTEST_TOUCH) / PRESSURE_SPAN))
