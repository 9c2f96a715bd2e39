"""GlyphPad's machine-learning core: data, preprocessing, models, training, evaluation, inference.

Nothing here imports Qt; the desktop app uses :mod:`ml.runtime` alone (recognizers, fusion, explanations,
line reading, image files, model cards).
"""

import os

__version__ = "0.1.0"

# NumPy's matrix products here are small (preprocessing's resampling, under 100 x 100): OpenBLAS's
# second thread costs more in hand-off and spinning than it saves, and takes the core that the app's
# GUI thread and the answering worker need. With one core busy, a drawing's preprocessing took p95
# 4.7-7.9 ms on OpenBLAS's default two threads and 0.6 ms on one (p50 alike); beside torch's thread per
# core, both pools on 2 cores slowed a bench run's next model threefold. Training's products run
# in torch, whose threads this does not touch. Only effective before NumPy is first imported, so every
# entry point imports this package first; a value set by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# ONNX Runtime 1.29 and later record telemetry on Linux and macOS too (a device id and a queue of events
# under ~/.cache/Microsoft, sent to Microsoft): a drawing pad has no business reporting on its users.
# Only effective before onnxruntime is first imported (so here); a value set by the user wins.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
