"""``glyphpad --self-test --json`` in a fresh process, as a packager or CI would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_self_test_json_with_the_bundled_models(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    env.pop("GLYPHPAD_WEIGHTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, (report, done.stderr[-2000:])
    assert report["ok"] is True
    assert report["models"] and all(m["ok"] for m in report["models"])
    assert len(report["drawn"]) >= 4 and all(d["expected"] == d["predicted"] for d in report["drawn"])
    for key in ("stroke_to_result_ms_p50", "window_shown_s", "first_result_s"):
        assert isinstance(report[key], float) and report[key] > 0


def test_self_test_fails_when_a_model_is_damaged(tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    for source in (REPO_ROOT / "weights").glob("emnist36_cnn.*"):
        (weights / source.name).write_bytes(source.read_bytes())
    (weights / "emnist36_cnn.safetensors").write_bytes(b"not weights at all")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path),
        "HOME": str(tmp_path),
        "GLYPHPAD_WEIGHTS": str(weights),
    }
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 1 and report["ok"] is False
    assert "damaged" in report["models"][0]["error"]
