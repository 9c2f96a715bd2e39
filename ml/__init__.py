"""GlyphPad's machine-learning core: data, preprocessing, models, training, evaluation, inference.

Nothing here imports Qt; the desktop app uses :mod:`ml.inference` and :mod:`ml.explain`.
"""

__version__ = "0.1.0"
