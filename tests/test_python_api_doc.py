"""The guides' examples run as written: docs/python-api.md's answer without torch or Qt until an explanation,
docs/onnx.md's (the graphs run without GlyphPad) answer as GlyphPad does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.test_pen_data import REAL_UNIPEN

ROOT = Path(__file__).resolve().parents[1]

RUN_BLOCKS = """
import json, sys
blocks, alone = json.load(sys.stdin)
namespace = {}
for number, block in enumerate(blocks, 1):
    if "ml.runtime.explain" in block:  # answers so far came from ONNX Runtime alone
        heavy = [name for name in ("torch", "PySide6") if name in sys.modules]
        assert not heavy, f"imported before any explanation: {heavy}"
    exec(compile(block, f"block {number}", "exec"), {} if alone else namespace)
"""


def run_guide(name: str, alone: bool = False) -> list[str]:
    """The lines a guide's Python blocks print, run one after the other in one process; ``alone``: each
    with names of its own only, as a reader who copies one block runs it."""
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 3
    done = subprocess.run(
        [sys.executable, "-c", RUN_BLOCKS],
        input=json.dumps([blocks, alone]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_the_python_api_guide_runs_as_written() -> None:
    lines = run_guide("python-api.md")
    assert lines[0].startswith("A ")  # the example picture's letter, then its alternatives
    assert "7 ('image', 'strokes')" in lines and lines.count("Hi 42") == 2


def test_each_of_the_python_api_guides_examples_runs_alone() -> None:
    # Run alone, the strokes' example lacked load_recognizer and the explanations' the answer before it.
    lines = run_guide("python-api.md", alone=True)
    assert "7 ('image', 'strokes')" in lines and any(line.startswith("A grad") for line in lines)


def test_the_onnx_guide_answers_as_glyphpad_does() -> None:
    lines = run_guide("onnx.md")
    # Its asserts compare each step, and the port of the picture's, with ml.runtime's.
    assert lines == ["A", "7", "the port makes GlyphPad's input", "as GlyphPad answers"]


@pytest.mark.skipif(not REAL_UNIPEN.exists(), reason=f"UNIPEN data not found at {REAL_UNIPEN}")
def test_the_onnx_guides_port_makes_the_input_of_real_writers_drawings() -> None:
    """The guide's port of the picture step, on real writers' characters drawn with thin, default and thick
    pens: the pixels preprocess gives, to float32's rounding."""
    from ml.runtime.preprocess import preprocess
    from ml.runtime.render import render_drawing
    from ml.training.data.unipen import load_unipen

    text = (ROOT / "docs" / "onnx.md").read_text(encoding="utf-8")
    port = next(b for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL) if "def port_preprocess" in b)
    namespace: dict[str, Any] = {}
    exec(compile(port, "the guide's port", "exec"), namespace)
    pen = load_unipen(REAL_UNIPEN)
    for index in np.random.default_rng(0).choice(len(pen), 40, replace=False).tolist():
        for pen_px in (3.0, 14.0, 40.0):
            drawn = render_drawing(pen.strokes(index), pen_px=pen_px)
            reference = preprocess(drawn, photo=False).input
            assert np.abs(namespace["port_preprocess"](drawn / 255.0) - reference).max() < 1e-5, (index, pen_px)


def test_the_api_is_marked_typed_for_a_type_checker() -> None:
    import tomllib

    # A practitioner's mypy skipped ml as untyped ("missing library stubs or py.typed marker") though every
    # function of its API is annotated: the PEP 561 marker is in the package and installed with it.
    assert (ROOT / "ml" / "py.typed").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["ml"]
