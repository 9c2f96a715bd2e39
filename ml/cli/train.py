"""``glyphpad-ml train``: the options are TrainConfig's fields, with their help (declared once there).

Runs unchanged under ``torchrun --nproc_per_node=N`` (one process per GPU, or per CPU group) and
across machines with ``--nnodes`` and a rendezvous endpoint: see :mod:`ml.training.distributed`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import MISSING, asdict, fields
from pathlib import Path
from typing import Any

from ml.runtime.devices import DeviceError
from ml.training.augment import AugmentConfig
from ml.training.train import RESUME_FIXED, TrainConfig, check_resumable, checkpoint_settings, main


def get_args_parser() -> argparse.ArgumentParser:
    """The command line, built from TrainConfig's fields and their help."""
    p = parser_for(TrainConfig, "glyphpad-ml train", "Train a model on the EMNIST pool and UNIPEN pen drawings.")
    p.add_argument(
        "--settings",
        default="",
        help="a JSON file of these options (a tune's best.json); options given on the command line override it",
    )
    return p


def parse_with_saved_settings(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed; the options it does not give come from ``--resume``'s checkpoint (a resumed run
    goes on as it was started) or from a ``--settings`` file, then from the defaults."""
    args = parser.parse_args(argv)
    saved: dict[str, Any] = {}
    try:
        if getattr(args, "settings", ""):
            loaded = json.loads(Path(args.settings).read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError(f"{args.settings} is not a JSON object of options")
            saved |= loaded
        if args.resume:
            saved |= checkpoint_settings(args.resume)
    except (OSError, json.JSONDecodeError, ValueError) as error:
        parser.error(str(error))
    known = {action.dest for action in parser._actions}
    parser.set_defaults(
        **{
            name: json.dumps(value) if isinstance(value, dict) else value
            for name, value in saved.items()
            if name in known and name not in ("resume", "settings")
        }
    )
    return parser.parse_args(argv)


def parser_for(config_class: type, prog: str, description: str) -> argparse.ArgumentParser:
    """A command line with one option per field of a config dataclass, with the help declared there."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    for spec in fields(config_class):
        flag = "--" + spec.name.replace("_", "-")
        options = dict(spec.metadata)
        value = spec.default if spec.default_factory is MISSING else spec.default_factory()
        if isinstance(value, bool):
            if value:
                p.add_argument(f"--no-{spec.name.replace('_', '-')}", dest=spec.name, action="store_false", **options)
            else:
                p.add_argument(flag, action="store_true", **options)
        elif isinstance(value, dict):
            p.add_argument(flag, default="{}", **options)
        else:
            p.add_argument(flag, type=type(value), default=value, **options)
    return p


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    values = {k: v for k, v in vars(args).items() if k in TrainConfig.__dataclass_fields__}
    try:
        model_config = json.loads(args.model_config)
    except json.JSONDecodeError as error:
        raise ValueError(f"--model-config is not valid JSON: {error}") from None
    if not isinstance(model_config, dict):
        raise ValueError("--model-config must be a JSON object")
    values["model_config"] = model_config
    try:
        overrides = json.loads(args.augment_config)
        values["augment_config"] = AugmentConfig(**{**AugmentConfig().to_dict(), **overrides}).to_dict()
    except (json.JSONDecodeError, TypeError) as error:
        raise ValueError(f"--augment-config is not a valid JSON object of AugmentConfig fields: {error}") from None
    return TrainConfig(**values)


def run(argv: list[str]) -> int:
    args = parse_with_saved_settings(get_args_parser(), argv)
    try:
        config = config_from_args(args)
        if config.resume:
            check_resumable(config.resume, checkpoint_settings(config.resume), asdict(config), RESUME_FIXED)
        main(config)
    except (ValueError, FileNotFoundError, DeviceError) as error:
        print(f"glyphpad-ml train: error: {error}", file=sys.stderr)
        return 2
    return 0
