"""Trained stroke models assembled into one that reads with all of them (``glyphpad-ml stroke-ensemble``).

The bidirectional GRU and the 1-D CNN misread different characters: the mean of their
log-probabilities reads UNIPEN's validation writers better than either. The ensemble is one model of
its own (``stroke_ensemble``: one weights file, one ONNX graph, one card), so fusion, Explain, Compare
and the benchmarks treat it as any stroke model. Nothing is trained: the members' weights are copied
in, and the card is scored on the validation and test writers as a trained stroke model's is.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path
from typing import Any

import torch

from ml.models import get_arch, get_model
from ml.models.strokes import StrokeEnsemble
from ml.runtime.cards import resolve_model_path
from ml.runtime.weights import load_weights
from ml.training.data.unipen import load_unipen, model_writer_seed, writer_split
from ml.training.export import save_weights
from ml.training.metrics import classification_metrics
from ml.training.scoring import summary
from ml.training.stroke_data import stroke_inputs
from ml.training.train_strokes import stroke_model_card, stroke_probabilities


def assemble(members: list[str], name: str, out: str | Path, pen_data: str = "") -> Path:
    """Write the ensemble of the stroke models ``members`` (names or weights paths) to ``out``; returns
    its weights path. The members must read the same label set in the same normalization."""
    if len(members) < 2:
        raise ValueError("give at least two stroke models to assemble")
    started = time.time()
    loaded = [load_weights(resolve_model_path(member)) for member in members]
    cards = [card for _, card in loaded]
    first = cards[0]
    for card in cards:
        if card.input_kind != "strokes" or card.arch == "stroke_ensemble":
            raise ValueError(f"{card.name} is not a single stroke model")
        if card.labels != first.labels or card.preprocess_version != first.preprocess_version:
            raise ValueError(f"{card.name} reads other classes or another normalization than {first.name}")
        # Scored on the validation and test writers: members trained on another split have seen them.
        # The seed decides the writers of each part; the counts a card names differ with --max-per-class.
        if model_writer_seed(card) != model_writer_seed(first):
            raise ValueError(f"{card.name} was trained on another split of the writers than {first.name}")
    config: dict[str, Any] = {"members": []}
    for c in cards:  # each member as its card declares it, its class prior included
        prior = {"prior_log": list(c.class_prior_log)} if c.class_prior_log else {}
        config["members"].append({"arch": c.arch, "config": dict(c.config), **prior})
    model = get_model("stroke_ensemble", num_classes=len(first.labels), **config)
    assert isinstance(model, StrokeEnsemble)
    for slot, (member, _) in zip(model.members, loaded, strict=True):
        slot.load_state_dict(member.state_dict())
    model.eval()

    pen = load_unipen(pen_data or None)
    split = writer_split(pen.writers, seed=model_writer_seed(first))  # its members' unseen writers
    from ml.runtime.labels import get_label_set

    label_set = get_label_set(first.label_set)
    targets = pen.targets_for(label_set)
    by_source = {}
    for part in ("test", "val"):
        indices = split.get(part)
        indices = indices[targets[indices] >= 0]
        inputs, ok = stroke_inputs(pen, indices)
        probabilities = stroke_probabilities(model, inputs[ok], torch.device("cpu"))
        metrics = classification_metrics(probabilities, targets[indices][ok], list(label_set.classes))
        by_source[f"unipen_{part}"] = summary(metrics)
        print(f"unipen_{part}: accuracy {metrics['accuracy']:.4f}, top-3 {metrics['top3']:.4f}", file=sys.stderr)
    card = stroke_model_card(
        model,
        by_source,
        name=name,
        arch="stroke_ensemble",
        config=config,
        label_set=first.label_set,
        labels=list(first.labels),
        data_sources=first.data_sources,
        training={
            "members": [
                {"name": c.name, "arch": c.arch, "sha256": c.sha256, "epochs_run": c.training.get("epochs_run")}
                for c in cards
            ],
            "writer_split_seed": model_writer_seed(first),
            "seconds": round(time.time() - started, 1),  # assembling and scoring: its members' training is theirs
            "device": "CPU",
            "host": platform.machine(),
            "torch": torch.__version__,
            "command": f"glyphpad-ml stroke-ensemble --name {name} --members {' '.join(members)}",
        },
        description=get_arch("stroke_ensemble").description + ": " + " + ".join(c.name for c in cards),
    )
    weights_path = save_weights(model, card, out)
    print(f"wrote {weights_path}, its ONNX graph and its card in {time.time() - started:.0f} s", file=sys.stderr)
    return weights_path
