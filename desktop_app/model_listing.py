"""The models as the window lists them: the model picker's lines and tooltips, what a new listing of the
weights folder changed, and the model to fall back on."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from desktop_app.inference_service import ModelInfo, StrokePartner
from ml.runtime.cards import PEN_TEST

SEE_CARDS = "Help → Model Cards says why."


# What each label set reads, in the model picker's words (its name alone said nothing to a new user).
READS = {
    "emnist36": "digits, letters",
    "balanced47": "digits, letters (47)",
    "byclass62": "digits, letters by case",
    "digits10": "digits",
    "letters26": "letters",
}


def folder_identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at ``folder`` (its device and inode), None when there is none."""
    try:
        stat = folder.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if folder.is_dir() else None


def listed(info: ModelInfo) -> tuple[str, str, str, object]:
    """A model as the listing tells it: its name, why it cannot be used, its weights' hash, and the
    stroke model that reads drawings with it (a stroke model added is a change)."""
    return info.name, info.error, info.card.sha256 if info.card is not None else "", info.fused


def models_relisted(before: list[ModelInfo], infos: list[ModelInfo], folder: Path) -> str:
    """What reading the weights folder again found, in a sentence."""
    names = [info.name for info in infos]
    was = {info.name: listed(info) for info in before}
    added = [
        name if info.available else f"{name} (not usable yet: {short_reason(info.error)})"  # a copy not done
        for name, info in zip(names, infos, strict=True)
        if name not in was
    ]
    gone = [name for name in was if name not in names]
    changed = [listed(info)[0] for info in infos if info.name in was and was[info.name] != listed(info)]
    changes = [f"new: {', '.join(added)}"] if added else []
    changes += [f"changed: {', '.join(changed)}"] if changed else []
    changes += [f"gone: {', '.join(gone)}"] if gone else []
    said = f"{len(names)} model{'s' if len(names) != 1 else ''} in {folder}"
    return f"{said} ({'; '.join(changes)})" if changes else f"{said}, as before"


def with_partner(info: ModelInfo, partner: StrokePartner) -> ModelInfo:
    """``info`` once its model is loaded: the stroke model that reads drawings with it, and its figure."""
    figure = partner.used_figure
    fused = (figure, partner.used) if partner.used and figure is not None else None
    return replace(info, fused=fused, stroke_partner=partner)


def short_reason(reason: str) -> str:
    """The gist of why a model cannot be used, short enough for the status bar: the words before the
    details ("letters_cnn.onnx is damaged or was replaced", not its sha256 prefixes)."""
    gist = re.split(r": | \(", reason, maxsplit=1)[0].strip()
    return gist if len(gist) <= 80 else gist[:79] + "…"


def none_loads_said(folder: Path, reasons: dict[str, str]) -> str:
    """Why no model of ``folder`` can be used, each one damaged or not fitting its card: said once, with one
    model's reason and what to do (a robustness trial's app said "Loading models…" for good, and the
    answers' panel ran the fourteen reasons together)."""
    first, reason = next(iter(reasons.items()))
    count = f"the {len(reasons)} models" if len(reasons) > 1 else "the model"
    if os.environ.get("GLYPHPAD_WEIGHTS"):
        what_to_do = "GLYPHPAD_WEIGHTS names this folder: point it at a folder of models that load."
    else:
        what_to_do = "Reinstall GlyphPad, or point GLYPHPAD_WEIGHTS at a folder of models."
    return (
        f"No model can be loaded: {count} in the weights folder {folder} cannot be used ({first}: "
        f"{short_reason(reason)}). {what_to_do}"
    )


def drawn_figure(info: ModelInfo) -> float | None:
    """How often ``info``'s model reads pen drawings by writers it never saw right, as a drawing is answered
    (with its stroke model when it has one), or None where its card does not say."""
    if info.fused:
        return info.fused[0]
    pen = info.card.figure(PEN_TEST) if info.card else None
    return pen if isinstance(pen, float) else None


def best_of_kind(infos: Iterable[ModelInfo]) -> set[str]:
    """The usable model that reads drawings best among those reading the same characters, for each kind
    that two or more read (a teacher's trial: fourteen names such as letters_vgg16_gru, and nothing to say
    which letters model to choose)."""
    by_kind: dict[str, list[tuple[float, str]]] = {}
    for info in infos:
        figure = drawn_figure(info)
        if info.available and figure is not None:
            # As the picker shows it (one decimal of a percent): two shown alike are alike (a student's trial
            # saw 92.0% beside 92.0%, one of them "best").
            by_kind.setdefault(info.label_set, []).append((round(100 * figure, 1), info.name))
    return {name for kind in by_kind.values() if len(kind) > 1 for figure, name in kind if figure == max(kind)[0]}


def model_entry(info: ModelInfo, best: bool = False) -> tuple[str, str]:
    """The model picker's line for a model and its tooltip: what it reads and how often it reads pen
    drawings by writers it never saw right, as a drawing is answered (with its stroke model when it has
    one); the picture alone's figure, for opened images, and EMNIST's scanned forms in the tooltip.
    ``best``: it reads drawings best of the models that read what it reads (:func:`best_of_kind`)."""
    if not info.available:
        return f"{info.name} · unavailable", info.error
    card = info.card
    pen = card.figure(PEN_TEST) if card else None
    drawn = drawn_figure(info)
    reads = READS.get(info.label_set, info.label_set)
    text = f"{info.name} · {reads}" + (f" · {100 * drawn:.1f}%" if drawn is not None else "")
    text += f" · best for {reads}" if best else ""
    figures = []
    if info.fused:
        figures.append(
            f"{100 * info.fused[0]:.1f}% of pen drawings by writers it never saw read right, "
            f"reading the strokes too ({info.fused[1]}; UNIPEN test writers)"
        )
        if isinstance(pen, float):
            figures.append(f"{100 * pen:.1f}% from the picture alone (opened images)")
    elif isinstance(pen, float):
        figures.append(f"{100 * pen:.1f}% of pen drawings by writers it never saw read right (UNIPEN test writers)")
    if info.accuracy is not None:
        figures.append(f"{100 * info.accuracy:.1f}% of EMNIST's held-out scanned characters")
    description = card.description if card else ""
    chosen = [f"Of the models that read {reads}, one that reads drawings best."] if best else []
    return text, "\n".join([*chosen, description, *figures]).strip()


def best_available(infos: list[ModelInfo]) -> str:
    """The model to fall back on: a usable one reading digits and letters (36 classes) if any, the most
    accurate on pen drawings (else on EMNIST) among those; "" when none can be used."""

    def rank(info: ModelInfo) -> tuple[bool, float]:
        card = info.card
        pen = card.figure(PEN_TEST) if card else None
        accuracy = pen if pen is not None else (info.accuracy or 0.0)
        return info.label_set == "emnist36", accuracy

    usable = [info for info in infos if info.available]
    return max(usable, key=rank).name if usable else ""
