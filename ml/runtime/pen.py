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
# A stroke's points are at most this far apart on the pad (px) before they are drawn: a stroke is drawn as
# curves through the midpoints of its points, which cut the corners of sparse ones (a stroke file of a few
# points a stroke lost 18 of 128 px of an A's apex). The pad fills in a fast hand's gaps as it draws, and a
# file's as it opens it; ml.runtime.render as it renders one.
MAX_POINT_GAP_PX = 3.0
# A pen wider than this (pad pixels) is no pen the pad had, even on a drawing shrunk many times to fit: a
# kept pad or a stroke file naming one is refused (a file's pen of 1e8 px kept the renderer busy for good).
MAX_SAVED_PEN_PX = 1000.0


def width_share(pressure: float) -> float:
    """The share of the pen's width a point is drawn with, from the pen's reported pressure (0-1)."""
    return LIGHTEST_TOUCH + PRESSURE_SPAN * max(0.0, min(1.0, pressure))


def reported_pressure(share: float) -> float:
    """The pen's pressure (0-1) that gives a point's width share: :func:`width_share` undone."""
    return max(0.0, min(1.0, (share - LIGHTEST_TOUCH) / PRESSURE_SPAN))
