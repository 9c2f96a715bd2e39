"""``glyphpad-ml archs``: the registered architectures."""

from __future__ import annotations

from ml.cli.common import CommandParser


def run(argv: list[str]) -> int:
    from ml.models import get_arch, list_models

    CommandParser(prog="glyphpad-ml archs", description="List the architectures.").parse_args(argv)
    names = list_models()
    width = max(map(len, names), default=0)
    for name in names:
        info = get_arch(name)
        print(f"{name:{width}s}  {info.family:7s} {info.description}")
    return 0
