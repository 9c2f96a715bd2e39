"""GlyphPad's desktop app (PySide6).

It uses ``ml`` only through ``ml.runtime`` (an import contract in pyproject.toml).
"""
