"""``glyphpad-ml train-strokes``: a stroke model on UNIPEN's training writers (options: StrokeTrainConfig's fields)."""

from __future__ import annotations

import json
import sys

from ml.cli.train import parse_with_saved_settings, parser_for
from ml.runtime.cards import WeightsError
from ml.runtime.devices import DeviceError
from ml.training.train_strokes import StrokeTrainConfig, main


def run(argv: list[str]) -> int:
    args = parse_with_saved_settings(
        parser_for(
            StrokeTrainConfig, "glyphpad-ml train-strokes", "Train a stroke model on UNIPEN's pen trajectories."
        ),
        argv,
    )
    values = {k: v for k, v in vars(args).items() if k in StrokeTrainConfig.__dataclass_fields__}
    try:
        values["model_config"] = json.loads(args.model_config)
    except json.JSONDecodeError as error:
        print(f"glyphpad-ml train-strokes: error: --model-config is not valid JSON: {error}", file=sys.stderr)
        return 2
    try:
        config = StrokeTrainConfig(**values)
        main(config)
    except (ValueError, FileNotFoundError, TypeError, DeviceError, WeightsError) as error:
        print(f"glyphpad-ml train-strokes: error: {error}", file=sys.stderr)
        return 2
    return 0
