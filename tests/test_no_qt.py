import subprocess
import sys


def test_importing_ml_does_not_import_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, ml; "
        "names = [m.name for m in pkgutil.walk_packages(ml.__path__, 'ml.') if m.name != 'ml.__main__']; "
        "[importlib.import_module(name) for name in names]; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'desktop_app'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
