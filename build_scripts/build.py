"""Build a GlyphPad release from a clean checkout: ``python build_scripts/build.py``.

1. A fresh virtual environment (build/venv) with a CPU-only torch, the app and PyInstaller.
2. PyInstaller with build_scripts/glyphpad.spec: an onedir bundle in dist/GlyphPad/.
3. Checks: no CUDA library inside, sizes printed.
4. The smoke test: the frozen app's ``--self-test --json`` must exit 0 (headless, offscreen).
5. A compressed archive next to the bundle (tar.xz on Linux and macOS, zip on Windows).

Where the CPU-only torch comes from: on Linux here, ``torch==2.13.0`` from the local wheel cache
(see the README); on Windows and macOS, PyTorch's CPU wheels (``--torch-index`` below; macOS wheels
on PyPI are CPU-only already).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUNDLE = DIST / "GlyphPad"
CUDA_MARKERS = ("libcudart", "libcublas", "libcudnn", "libnccl", "cudart64", "cublas64", "libtorch_cuda")


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def project_version() -> str:
    """The version ``ml/__init__.py`` declares (pyproject.toml reads it from there), read without importing
    ``ml`` (which would set its environment variables in the build's process)."""
    source = (ROOT / "ml" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', source, re.MULTILINE)
    if found is None:
        raise SystemExit("build: no __version__ in ml/__init__.py")
    return found.group(1)


def linux_libraries() -> str:
    """The apt-get line for Qt's X11 libraries, as the README gives it (declared there once)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in text.split("```")[1::2]:
        if "apt-get install" in block:
            return block.removeprefix("bash").strip()
    raise SystemExit("README.md has no apt-get line for Qt's libraries")


def write_bundle_readme(bundle: Path) -> None:
    """A short README.txt at the top of the bundle: what it is, how to start and check it, what it needs
    on a bare Linux desktop, where the models' data and licences are (a downloaded archive had none)."""
    windows = sys.platform == "win32"
    program = "GlyphPad.exe" if windows else "./GlyphPad"
    lines = [
        f"GlyphPad {project_version()}: a drawing pad that reads handwritten letters and digits.",
        "",
        f"Start it:        {program}",
        f"Open pictures:   {program} picture.png ...",
    ]
    if not windows:  # the Windows build has no console to print to or return a status through
        lines.append(
            f"Check it works:  {program} --self-test   (exits 0 when every model loads and reads its drawings)"
        )
    lines += [
        "",
        "Help -> Keyboard Shortcuts lists the keys; Help -> Model Cards says what each model learned from (EMNIST",
        "and UNIPEN), how well it reads, and the data's licences. The code is under the MIT licence.",
    ]
    if sys.platform.startswith("linux"):
        lines += [
            "",
            "On a bare Linux desktop Qt needs a few X11 libraries that minimal installs lack; without them GlyphPad",
            'stops with "Could not load the Qt platform plugin xcb". On Debian or Ubuntu:',
            "",
            linux_libraries(),
        ]
    (bundle / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_archive(bundle: Path) -> Path:
    stem = f"GlyphPad-{project_version()}-{platform.system().lower()}-{platform.machine().lower()}"
    if os.name == "nt":
        archive = DIST / f"{stem}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as handle:
            for file in sorted(bundle.rglob("*")):
                handle.write(file, Path("GlyphPad") / file.relative_to(bundle))
        return archive
    archive = DIST / f"{stem}.tar.xz"
    if shutil.which("tar") and shutil.which("xz"):
        # The system xz compresses on every core; Python's lzma uses one (8+ minutes for this bundle).
        with archive.open("wb") as out:
            tar = subprocess.Popen(["tar", "-C", str(bundle.parent), "-cf", "-", bundle.name], stdout=subprocess.PIPE)
            subprocess.run(["xz", "-T0", "-6", "-c"], stdin=tar.stdout, stdout=out, check=True)
            if tar.wait() != 0:
                raise SystemExit("tar failed")
        return archive
    with tarfile.open(archive, "w:xz", preset=6) as handle:
        handle.add(bundle, arcname="GlyphPad")
    return archive


def smoke_test(bundle: Path) -> dict[str, object]:
    executable = bundle / ("GlyphPad.exe" if os.name == "nt" else "GlyphPad")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GLYPHPAD_WEIGHTS": ""}
    env.pop("GLYPHPAD_WEIGHTS")
    home = BUILD / "smoke-home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home))
    # Run from an unrelated folder: the frozen app must find its weights without the source tree.
    done = subprocess.run(
        [str(executable), "--self-test", "--json"], cwd=home, env=env, capture_output=True, text=True, timeout=600
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"smoke test failed (exit code {done.returncode})")
    report: dict[str, object] = json.loads(lines[-1])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", default="torch==2.13.0", help="pip requirement for a CPU-only torch")
    parser.add_argument(
        "--torch-index", default="", help="pip index for torch alone (replaces pip's own), e.g. PyTorch's CPU wheels"
    )
    parser.add_argument("--reuse-venv", action="store_true", help="keep build/venv if it exists")
    parser.add_argument("--skip-smoke-test", action="store_true")
    args = parser.parse_args()
    started = time.time()

    env_dir = BUILD / "venv"
    if env_dir.exists() and not args.reuse_venv:
        shutil.rmtree(env_dir)
    if not env_dir.exists():
        venv.create(env_dir, with_pip=True)
        python = str(venv_python(env_dir))
        torch_command = [python, "-m", "pip", "install", "--quiet", args.torch]
        if args.torch_index:
            torch_command += ["--index-url", args.torch_index]
        run(torch_command)
        run([python, "-m", "pip", "install", "--quiet", f"{ROOT}[build]"])
    python = str(venv_python(env_dir))
    # Always the checkout's current code, also when the venv is reused.
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(ROOT)])

    shutil.rmtree(BUNDLE, ignore_errors=True)
    run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(DIST),
            "--workpath",
            str(BUILD / "pyinstaller"),
            str(ROOT / "build_scripts" / "glyphpad.spec"),
        ]
    )

    if sys.platform.startswith("linux") and shutil.which("strip"):
        # torch ships its libraries with symbol tables (libtorch_cpu.so alone: hundreds of MB); strip
        # only those. numpy's and Pillow's libraries were edited by patchelf and break when stripped.
        for library in sorted((BUNDLE / "_internal" / "torch" / "lib").glob("*.so*")):
            run(["strip", "--strip-unneeded", str(library)])

    cuda = [str(p.relative_to(BUNDLE)) for p in BUNDLE.rglob("*") if any(m in p.name.lower() for m in CUDA_MARKERS)]
    if cuda:
        raise SystemExit(f"CUDA libraries in the bundle (use a CPU-only torch): {cuda[:5]}")

    write_bundle_readme(BUNDLE)
    report = None if args.skip_smoke_test else smoke_test(BUNDLE)
    archive = make_archive(BUNDLE)
    bundle_mb = folder_size(BUNDLE) / 2**20
    archive_mb = archive.stat().st_size / 2**20
    print(f"\nbundle  {BUNDLE}  {bundle_mb:.0f} MB")
    print(f"archive {archive}  {archive_mb:.0f} MB")
    if report is not None:
        print(
            f"self-test: ok={report['ok']}, window shown {report['window_shown_s']} s, first result "
            f"{report['first_result_s']} s, stroke to result p50 {report['stroke_to_result_ms_p50']} ms"
        )
    print(f"built in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
