"""GlyphPad's desktop app (PySide6).

It uses ``ml`` only through ``ml.runtime`` (an import contract in pyproject.toml).
"""

import ml.runtime  # noqa: F401  (first, before NumPy loads: ml sets NumPy's BLAS threads)
