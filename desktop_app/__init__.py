"""GlyphPad's desktop app (PySide6). It talks to ``ml`` only through ``ml.inference`` and ``ml.explain``."""
