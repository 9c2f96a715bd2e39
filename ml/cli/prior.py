"""``glyphpad-ml prior``: choose a model's class prior on validation writers (and store it in its card)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from ml.cli.common import CommandParser, fail, models_to_fit
from ml.runtime.cards import card_path_for, write_card


def get_args_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="glyphpad-ml prior",
        description="Choose the class-prior strength on UNIPEN validation writers (per-character accuracy).",
    )
    parser.add_argument("--model", required=True, action="append", help="bundled model name or path (repeatable)")
    parser.add_argument("--write", action="store_true", help="store the chosen prior in the model card")
    return parser


def run(argv: list[str]) -> int:
    from ml.evaluation.evaluate import model_unipen_set
    from ml.evaluation.prior import character_log_prior, choose_strength
    from ml.runtime.labels import get_label_set

    args = get_args_parser().parse_args(argv)
    models = models_to_fit("prior", args.model)
    if isinstance(models, int):
        return models
    for name, recognizer in zip(args.model, models, strict=True):  # (each as it was given: a name or a path)
        card = recognizer.card
        label_set = get_label_set(card.label_set)
        try:
            data = model_unipen_set(card, "val")  # the writers it never saw
        except (FileNotFoundError, ValueError) as error:
            return fail("prior", str(error))
        best, table = choose_strength(recognizer, data, label_set)
        print(f"{card.name} ({card.label_set}), UNIPEN validation writers, n={len(data.targets)}:")
        for strength, figures in table.items():
            mark = "  <- chosen" if strength == best else ""
            print(
                f"  strength {strength:4.2f}: per-character accuracy {100 * figures['per_character_accuracy']:.2f}%, "
                f"accuracy {100 * figures['accuracy']:.2f}%{mark}"
            )
        if args.write:
            prior = (best * character_log_prior(label_set)).round(5).tolist() if best else []
            write_card(replace(card, class_prior_log=prior), card_path_for(recognizer.weights_path))
            then = f"glyphpad-ml evaluate --model {name} --update-card"  # (without --model it is refused)
            print(f"  wrote the prior into {card.name}'s card: run '{then}' next")
    return 0
