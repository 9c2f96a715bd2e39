"""GlyphPad's machine-learning core: data, preprocessing, models, training, evaluation, inference.

Nothing here imports Qt; the desktop app uses :mod:`ml.runtime.recognizer` and :mod:`ml.runtime.explain`.
"""

__version__ = "0.1.0"
