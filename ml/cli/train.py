"""``glyphpad-ml train``: the options are TrainConfig's fields, with their help (declared once there).

Runs unchanged under ``torchrun --nproc_per_node=N`` (one process per GPU, or per CPU group) and
across machines with ``--nnodes`` and a rendezvous endpoint: see :mod:`ml.training.distributed`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from ml.cli.common import CommandParser, reason_line
from ml.runtime.devices import DeviceError
from ml.training.augment import AugmentConfig
from ml.training.train import TrainConfig, checkpoint_settings, main


def get_args_parser() -> argparse.ArgumentParser:
    """The command line, built from TrainConfig's fields and their help."""
    p = parser_for(TrainConfig, "glyphpad-ml train", "Train a model on the EMNIST pool and UNIPEN pen drawings.")
    p.add_argument(
        "--settings",
        default="",
        help="a JSON file of these options (a tune's best-ARCH-LABELS.json); options given on the command line, and a "
        "resumed checkpoint's, override it",
    )
    return p


# Keys of a tune's best-ARCH-LABELS.json that are its figures, not options.
SETTINGS_NOTES = ("val_score", "trial", "trial_settings")


def parse_with_saved_settings(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed; the options it does not give come from ``--resume``'s checkpoint (a resumed run
    goes on as it was started; that wins over a settings file) or from a ``--settings`` file, then from the
    defaults. A settings file's unknown or empty option is refused; a checkpoint's options that this
    version no longer has are passed over."""
    args = parser.parse_args(argv)
    known = set(vars(args)) - {"resume", "settings"}
    saved: dict[str, Any] = {}
    try:
        if getattr(args, "settings", ""):
            try:  # utf-8-sig: a file saved by Notepad or PowerShell starts with a byte-order mark
                loaded = json.loads(Path(args.settings).read_text(encoding="utf-8-sig"))
            except UnicodeDecodeError:
                raise ValueError(f"{args.settings} is not a settings file (JSON options, as tune writes)") from None
            except json.JSONDecodeError as error:
                where = f"line {error.lineno}, column {error.colno}: {error.msg}"
                raise ValueError(f"{args.settings} is not valid JSON ({where})") from None
            if not isinstance(loaded, dict):
                raise ValueError(f"{args.settings} is not a JSON object of options")
            if not set(loaded) - set(SETTINGS_NOTES):  # {} trained with the defaults, as if no file were given
                raise ValueError(f"{args.settings} holds no options (tune writes them: arch, lr, ...)")
            unknown = sorted(set(loaded) - known - set(SETTINGS_NOTES))
            empty = sorted(k for k, v in loaded.items() if v is None and k in known)
            if unknown or empty:
                raise ValueError(
                    f"{args.settings}: "
                    + "; ".join(
                        ([f"no such options: {', '.join(unknown)}"] if unknown else [])
                        + ([f"no value for {', '.join(empty)}"] if empty else [])
                    )
                )
            arch = next((a for a in parser._actions if a.dest == "arch"), None)
            if arch is not None and callable(arch.type) and isinstance(loaded.get("arch"), str):
                try:  # said of the file, not of an --arch the person never typed
                    arch.type(loaded["arch"])
                except argparse.ArgumentTypeError as error:
                    raise ValueError(f"{args.settings}: {error}") from None
            saved |= {k: v for k, v in loaded.items() if k in known}
        if args.resume:
            started = {k: v for k, v in checkpoint_settings(args.resume).items() if k in known and v is not None}
            arch = next((a for a in parser._actions if a.dest == "arch"), None)
            if arch is not None and arch.choices and started.get("arch") not in arch.choices:
                # Said before any data is read: an image run and a stroke run cannot resume each other's.
                trained = started.get("arch")
                if not isinstance(trained, str):
                    raise ValueError(f"{args.resume} names no architecture: not a checkpoint GlyphPad wrote")
                raise ValueError(f"{args.resume} is a checkpoint of {_resumed_elsewhere(trained)}")
            saved |= started
    except (OSError, json.JSONDecodeError, ValueError) as error:
        print(f"{parser.prog}: error: {reason_line(error)}", file=sys.stderr)
        raise SystemExit(2) from None
    if isinstance(saved.get("augment_config"), dict):  # a field an older version had is passed over
        saved["augment_config"] = {k: v for k, v in saved["augment_config"].items() if k in AugmentConfig().to_dict()}
    parser.set_defaults(**{name: json.dumps(v) if isinstance(v, dict) else v for name, v in saved.items()})
    return parser.parse_args(argv)


def _resumed_elsewhere(arch: str) -> str:
    """What a checkpoint of ``arch`` is, that this command cannot resume, and what resumes it."""
    from ml.models import get_arch, list_models

    if arch not in list_models():
        return f"{arch}, an architecture this version of GlyphPad does not have"
    if arch == "stroke_ensemble":  # assembled from trained models, never trained
        return f"{arch}, which glyphpad-ml stroke-ensemble assembles: nothing to resume"
    command = "train-strokes" if get_arch(arch).family == "stroke" else "train"
    return f"{arch}: resume it with glyphpad-ml {command} --resume"


class DefaultsShown(argparse.HelpFormatter):
    """Help that ends each option with its default, unless it has none or its help says it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" in text or action.default in ("", "{}", None, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def parser_for(config_class: type, prog: str, description: str) -> argparse.ArgumentParser:
    """A command line with one option per field of a config dataclass, with the help declared there."""
    p = CommandParser(prog=prog, description=description, formatter_class=DefaultsShown)
    for spec in fields(config_class):
        flag = "--" + spec.name.replace("_", "-")
        options = dict(spec.metadata)
        value = spec.default if spec.default_factory is MISSING else spec.default_factory()
        if isinstance(value, bool):  # --augment and --no-augment: a saved setting can be turned either way
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=value, **options)
        elif isinstance(value, dict):
            p.add_argument(flag, default="{}", **options)
        else:
            options.setdefault("type", type(value))
            p.add_argument(flag, default=value, **options)
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
        main(config)
    except (ValueError, FileNotFoundError, DeviceError) as error:
        print(f"glyphpad-ml train: error: {error}", file=sys.stderr)
        return 2
    return 0
