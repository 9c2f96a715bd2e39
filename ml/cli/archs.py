"""``glyphpad-ml archs``: the registered architectures, by the command that trains them, with their options."""

from __future__ import annotations

from ml.cli.common import CommandParser


def trained_by(name: str, family: str) -> str:
    """The command that makes a model of architecture ``name``."""
    if name == "stroke_ensemble":  # assembled from trained stroke models, not trained
        return "glyphpad-ml stroke-ensemble --members ..."
    return "glyphpad-ml train-strokes --arch NAME" if family == "stroke" else "glyphpad-ml train --arch NAME"


def run(argv: list[str]) -> int:
    from ml.models import get_arch, list_models
    from ml.models.registry import describe_options

    CommandParser(prog="glyphpad-ml archs", description="List the architectures.").parse_args(argv)
    names = list_models()
    width = max(map(len, names), default=0)
    # Grouped by the command that trains them: the stroke architectures were listed among the image ones,
    # and train refused them.
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(trained_by(name, get_arch(name).family), []).append(name)
    for number, (command, members) in enumerate(groups.items()):
        print(("\n" if number else "") + f"{command}:")
        for name in members:
            info = get_arch(name)
            print(f"  {name:{width}s}  {info.family:7s} {info.description}")
            if name != "stroke_ensemble":  # (its members are trained models, given by stroke-ensemble)
                print(f"  {'':{width}s}  {'':7s} --model-config options: {describe_options(info.options())}")
    return 0
