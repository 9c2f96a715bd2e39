"""ruff, mypy and the import contracts (``ml`` never imports Qt) run with the tests, so CI enforces them."""

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [("ruff", "check", "."), ("ruff", "format", "--check", ".")])
def test_ruff(command: tuple[str, ...]) -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    done = _run(*command)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy() -> None:
    done = _run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_contracts() -> None:
    if shutil.which("lint-imports") is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = _run("lint-imports")
    assert done.returncode == 0, done.stdout + done.stderr
