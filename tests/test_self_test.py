"""``glyphpad --self-test --json`` in a fresh process, as a packager or CI would run it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ml.runtime.cards import DEFAULT_MODEL, drawings_figure, read_card
from tests.conftest import REPO_ROOT


def _self_test(home: Path, weights: Path | None = None, *extra: str) -> tuple[int, dict[str, object], str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(home), "HOME": str(home)}
    env.pop("GLYPHPAD_WEIGHTS", None)
    if weights is not None:
        env["GLYPHPAD_WEIGHTS"] = str(weights)
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test", "--json", *extra],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1]), done.stderr[-2000:]


def test_self_test_json_with_the_bundled_models(tmp_path: Path) -> None:
    # A user who left the digits model and the Compare tab: the self-test measures the defaults all the
    # same, and leaves the user's settings as they were.
    user_settings = tmp_path / "GlyphPad" / "GlyphPad.conf"
    user_settings.parent.mkdir()
    user_settings.write_text("[preferences]\nmodel=digits\n\n[window]\ntab=1\n")
    code, report, stderr = _self_test(tmp_path)
    assert code == 0, (report, stderr)
    assert report["ok"] is True and report["model"] == DEFAULT_MODEL
    partner = drawings_figure(read_card(REPO_ROOT / "weights" / f"{DEFAULT_MODEL}.json"))
    assert partner is not None and report["fused"] is True and report["stroke_model"] == partner[1]
    assert user_settings.read_text() == "[preferences]\nmodel=digits\n\n[window]\ntab=1\n"
    models = report["models"]
    assert isinstance(models, list) and models and all(m["ok"] for m in models)
    drawn = report["drawn"]
    assert isinstance(drawn, list) and len(drawn) >= 4 and all(d["expected"] == d["predicted"] for d in drawn)
    keys = ("stroke_to_result_ms_p50", "stroke_to_result_ms_p50_while_torch_loads", "window_shown_s", "first_result_s")
    for key in (*keys, "runtime_ready_s"):
        value = report[key]
        assert isinstance(value, float) and value > 0


def test_self_test_fails_when_a_model_is_damaged_but_the_others_still_work(tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    for name in ("emnist36", "emnist36_cnn"):
        for source in (REPO_ROOT / "weights").glob(f"{name}.*"):
            (weights / source.name).write_bytes(source.read_bytes())
    (weights / "emnist36.safetensors").write_bytes(b"not weights at all")  # not the default model
    # The default's stroke model damaged too: it passed, read with the picture alone (an admin's trial).
    (weights / "strokes").mkdir()
    for source in (REPO_ROOT / "weights" / "strokes").glob("strokes36_pair.*"):
        (weights / "strokes" / source.name).write_bytes(source.read_bytes())
    (weights / "strokes" / "strokes36_pair.onnx").write_bytes(b"")
    code, report, stderr = _self_test(tmp_path, weights)
    assert code == 1 and report["ok"] is False
    states = {m["name"]: m for m in report["models"]}  # type: ignore[union-attr]
    assert states["emnist36_cnn"]["ok"] and not states["emnist36"]["ok"]
    assert "damaged" in states["emnist36"]["error"]
    strokes = report["stroke_models"]
    assert isinstance(strokes, list) and [m["name"] for m in strokes] == ["strokes36_pair"] and not strokes[0]["ok"]
    assert "strokes36_pair.onnx" in strokes[0]["error"] and report["fused"] is False
    assert stderr.count("stroke model strokes36_pair cannot be used") == 1  # once, not at every model loaded
    drawn = report["drawn"]
    assert isinstance(drawn, list) and drawn and all(d["expected"] == d["predicted"] for d in drawn)


def test_the_soak_reports_memory_latency_and_every_answer(tmp_path: Path) -> None:
    code, report, stderr = _self_test(tmp_path, None, "--soak", "24")
    assert code == 0, (report, stderr)
    assert report["strokes"] == 24 and report["ok"] is True
    assert report["missing"] == report["stale"] == report["failed"] == 0
    assert 0 < float(report["p50_ms"]) <= float(report["p95_ms"]) <= float(report["max_ms"])  # type: ignore[arg-type]
    assert float(report["rss_mb_end"]) > 50  # type: ignore[arg-type]


def test_self_test_of_a_model_that_is_not_bundled_fails_with_the_reason(tmp_path: Path) -> None:
    code, report, _ = _self_test(tmp_path, None, "--model", "no_such_model")
    assert code == 1 and report["ok"] is False
    assert report["error"] == "no bundled model named 'no_such_model'"
    assert report["models"] == []  # the others are not tested after it: their "ok" lines hid the failure


def test_self_test_of_a_folder_of_ones_own_models_tests_the_one_the_window_uses(tmp_path: Path) -> None:
    # A practitioner's trial: a folder holding only a model of one's own failed with "no bundled model named
    # 'emnist36_cnn'" and tested nothing, though the app starts with it.
    weights = tmp_path / "weights"
    weights.mkdir()
    for source in (REPO_ROOT / "weights").glob("emnist36.*"):
        (weights / source.name).write_bytes(source.read_bytes())
    code, report, stderr = _self_test(tmp_path, weights)
    assert code == 0, (report, stderr)
    assert report["model"] == "emnist36" and "error" not in report
    assert report["note"] == f"no {DEFAULT_MODEL} in the weights folder: tested emnist36, the model the window uses"
    assert [m["name"] for m in report["models"]] == ["emnist36"]  # type: ignore[union-attr]
    assert report["drawn"] and report["stroke_to_result_ms_p50"]


def test_self_test_of_a_digits_model_draws_only_digits(tmp_path: Path) -> None:
    # It drew letters too, and failed a model that reads only digits for reading an A as 4.
    code, report, stderr = _self_test(tmp_path, None, "--model", "digits")
    assert code == 0, (report, stderr)
    drawn = report["drawn"]
    assert isinstance(drawn, list) and drawn and all(d["expected"].isdigit() for d in drawn)
    assert all(d["expected"] == d["predicted"] for d in drawn)


def test_the_app_says_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.__main__ import main
    from ml import __version__

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out.strip() == f"GlyphPad {__version__}"


@pytest.mark.parametrize("given", [["--json"], ["--soak", "10"], ["--soak=0"]])
def test_self_test_options_alone_are_refused_not_ignored(given: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(given)
    assert stopped.value.code == 2 and "go with --self-test" in capsys.readouterr().err


@pytest.mark.parametrize("given", [["--soak", "-5"], ["--soak=0"], ["--soa=-5"], ["--so", "0"]])
def test_a_soak_of_no_strokes_is_refused(given: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A hostile-input trial: --soak -5 failed with a KeyError's traceback; --soak 0 ran the plain self-test."""
    from desktop_app.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["--self-test", *given])
    assert stopped.value.code == 2 and "--soak: the strokes to draw, 1 or more" in capsys.readouterr().err


def test_a_models_file_given_to_the_app_is_taken_by_its_name_or_refused_with_what_to_do(
    bundled_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A practitioner's trial: --model PATH (which glyphpad-ml takes) opened the default model, said in the
    status bar alone; the log named "….safetensors.safetensors"."""
    from desktop_app.__main__ import main, model_to_use

    assert model_to_use("digits") == ("digits", None)
    assert model_to_use("digits.onnx") == ("digits", None)
    assert model_to_use(str(bundled_weights / "digits.json")) == ("digits", None)
    assert model_to_use("strokes/strokes36_gru") == ("strokes/strokes36_gru", None)
    strokes = bundled_weights / "strokes" / "strokes36_gru.safetensors"
    assert model_to_use(str(strokes)) == ("strokes/strokes36_gru", None)
    mine = tmp_path / "runs" / "mine.safetensors"  # a run's model, there
    mine.parent.mkdir()
    shutil.copy(bundled_weights / "digits.safetensors", mine)
    assert model_to_use(str(mine))[1] is not None
    assert main(["--model", str(mine)]) == 2  # before any window
    said = capsys.readouterr().err
    assert f"the app reads the models in its weights folder, {bundled_weights}" in said
    assert "Copy mine.safetensors, .onnx and .json there" in said and f"GLYPHPAD_WEIGHTS={mine.parent}" in said


def test_without_a_display_the_app_says_so_instead_of_qts_advice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.__main__ import main, no_display_to_show_on

    assert no_display_to_show_on({}, "linux") and not no_display_to_show_on({"DISPLAY": ":0"}, "linux")
    assert not no_display_to_show_on({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not no_display_to_show_on({"XDG_SESSION_TYPE": "wayland"}, "linux")  # Qt finds the default socket
    assert not no_display_to_show_on({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not no_display_to_show_on({}, "win32") and not no_display_to_show_on({}, "darwin")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 2  # before Qt loads: no window, no abort
    assert "no display to show the window on" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X displays: Linux")
def test_a_display_that_cannot_be_reached_is_said_instead_of_qts_abort(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lab's trial: DISPLAY set to a display not running (or another user's): Qt aborted (rc 134) with
    advice to install libxcb-cursor0."""
    import ctypes

    from desktop_app.__main__ import main, x_display_unreachable

    try:
        ctypes.CDLL("libxcb.so.1")
    except OSError:
        pytest.skip("X's client library (libxcb) is not installed: Qt itself says what to install then")
    nowhere = {"DISPLAY": ":4711"}
    assert "cannot reach the display :4711" in x_display_unreachable(nowhere, "linux")
    assert not x_display_unreachable({**nowhere, "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not x_display_unreachable({**nowhere, "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not x_display_unreachable(nowhere, "darwin")
    for name in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":4711")
    assert main([]) == 2  # before Qt loads: no abort
    assert "cannot reach the display :4711" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="attaches the real console there; pretends to, here")
def test_a_windowed_launcher_on_windows_writes_to_the_terminal_it_was_started_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ctypes
    from types import SimpleNamespace

    from desktop_app.__main__ import attach_to_parent_console

    attached: list[int] = []
    consoles = {"parent": 1}

    def attach_console(process: int) -> int:
        attached.append(process)
        return consoles["parent"]

    monkeypatch.setattr(
        ctypes, "windll", SimpleNamespace(kernel32=SimpleNamespace(AttachConsole=attach_console)), raising=False
    )
    monkeypatch.chdir(tmp_path)  # where "CONOUT$" (the console, on Windows) is a plain file here
    monkeypatch.setattr("sys.stdout", sys.stdout)
    monkeypatch.setattr("sys.stderr", sys.stderr)
    assert not attach_to_parent_console("linux") and not attach_to_parent_console("win32")  # a console already
    monkeypatch.setattr("sys.stdout", None)  # pythonw: no console
    consoles["parent"] = 0  # started from Explorer: no terminal to write to
    assert not attach_to_parent_console("win32") and sys.stdout is None
    consoles["parent"] = 1
    assert attach_to_parent_console("win32") and attached == [-1, -1]  # ATTACH_PARENT_PROCESS
    print("ok: true", flush=True)
    assert (tmp_path / "CONOUT$").read_text(encoding="utf-8") == "ok: true\n"
