"""The README's generated tables: the results table from the model cards, and the marker-bounded
sections commands rewrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

RESULTS_START = "<!-- results:start (glyphpad-ml results --readme README.md) -->"
RESULTS_END = "<!-- results:end -->"


def _epochs(count: object) -> str:
    return "1 epoch" if count == 1 else f"{count} epochs"


def _minutes(seconds: float) -> str:
    """A run's time as the table gives it; under a minute in seconds (a short run read "0 min")."""
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds / 60:.0f} min"


def results_table(directory: Path | None = None) -> str:
    """One row per bundled model: accuracy on scanned EMNIST and on pen drawings by unseen writers."""
    from ml.runtime.cards import EMNIST_TEST, PEN_TEST, WeightsError, bundled_cards

    lines = [
        "| model | arch | labels | params | learned from | EMNIST held out: top-1 | pen, unseen writers: top-1 | top-3 "
        "| balanced | confidence off by | trained |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for _, card in bundled_cards(directory):
        if isinstance(card, WeightsError) or card.input_kind != "image":  # a stroke model put among the pictures'
            continue
        emnist = card.metrics_by_source.get(EMNIST_TEST, card.metrics)
        pen = card.metrics_by_source.get(PEN_TEST, {})

        def pct(metrics: dict[str, Any], key: str) -> str:
            value = metrics.get(key)
            return f"{100 * value:.2f}%" if isinstance(value, float) else "–"

        sources = " + ".join(str(s.get("name", "?")) for s in card.data_sources) or "EMNIST"
        trained = _trained(card.training)
        lines.append(
            f"| `{card.name}` | {card.arch} | {card.label_set} | {card.params:,} | {sources} | "
            f"{pct(emnist, 'accuracy')} | {pct(pen, 'accuracy')} | {pct(pen, 'top3')} | "
            f"{pct(pen, 'balanced_accuracy')} | {_off_by(pen)} | {trained} |"
        )
    strokes = stroke_results_table(directory)
    words = words_results_table(directory)
    return "\n".join(lines) + "".join(f"\n\n{part}" for part in (strokes, words) if part)


def lookalike_counts(metrics: dict[str, Any]) -> list[str]:
    """Figures' look-alike counts as the tables show them: "O/o->0 17/1035", ..., then "0->O/o 223/327", ..."""
    return [f"{k} {v['read_as_digit']}/{v['written']}" for k, v in metrics.get("lookalikes", {}).items()] + [
        f"{k} {v['read_as_letter']}/{v['written']}" for k, v in metrics.get("digits_as_letters", {}).items()
    ]


def _off_by(metrics: dict[str, Any]) -> str:
    """The calibration error, said in points ("–" for figures from before it was measured)."""
    calibration = metrics.get("calibration_error")
    return f"{100 * calibration:.1f} points" if isinstance(calibration, float) else "–"


def _trained(training: dict[str, Any]) -> str:
    """How a model was trained, for a table: its epochs, time and device, and "dry run" for a check of the
    mechanics (its figures mean nothing: it listed like a trained model)."""
    epochs = _epochs(training.get("epochs_run"))
    if start := str(training.get("started_from", "")):
        # A fine-tune's own epochs, and the ones of the weights it started from (written in its record: "emnist36
        # (wide_resnet, 5 epochs, sha256 ...)"): its row said "8 epochs" of a model trained for 13.
        name, _, about = start.partition(" (")
        before = next((part for part in about.split(", ") if part.endswith(("epoch", "epochs"))), "")
        epochs = f"{epochs} fine-tuning `{name}`" + (f" of {before}" if before else "")
    said = f"{epochs}, {_minutes(training.get('seconds', 0))}, {training.get('device', '?')}"
    settings = training.get("config")
    return f"dry run: {said}" if isinstance(settings, dict) and settings.get("dry_run") else said


def rate_with_range(scores: dict[str, Any], name: str) -> str:
    """A words source's rate, with the range resampling its writers gives where there is one
    (ml.evaluation.words.resampled_interval): 9.23% (7.3-11.7)."""
    interval = scores.get(f"{name}_interval")
    said = f"{100 * scores[name]:.2f}%"
    return f"{said} ({100 * interval[0]:.1f}-{100 * interval[1]:.1f})" if interval else said


# The words sources of the table, in its order: random texts from strokes, English words, pictures of the texts.
WORDS_PARTS = (
    "words_val",
    "words_test",
    "words_val_english",
    "words_test_english",
    "words_val_pictures",
    "words_test_pictures",
)


def words_results_table(directory: Path | None = None) -> str:
    """Words read as lines (``glyphpad-ml evaluate --source words_val --update-card``), per model that has them:
    from their strokes (text mode), and as pictures of the written line (``--source words_val_pictures``)."""
    from ml.runtime.cards import WeightsError, bundled_cards

    rows = []
    for _, card in bundled_cards(directory):
        if isinstance(card, WeightsError):
            continue
        for part in WORDS_PARTS:
            r = card.metrics_by_source.get(part)
            if not r:
                continue
            writers = "validation" if part.startswith("words_val") else "test"
            reader = "+ its stroke model" + (" + the piece verifier" if r.get("piece_verifier") else "")
            if part.endswith("_english"):
                reader += ", English words"
            if part.endswith("_pictures"):
                partner = r.get("picture_partner")
                reader = f"+ `{partner}`" if partner else ""
                reader += " + the piece verifier" if r.get("piece_verifier") else ""
                reader += ", pictures of the words"
            cer, any_case, right = (rate_with_range(r, k) for k in ("cer", "cer_case_insensitive", "word_accuracy"))
            rows.append(
                f"| `{card.name}` {reader} | {writers} writers | {r['words']} | {any_case} | {cer} | {right} | "
                f"{100 * r['one_box_per_character']:.2f}% | {r['latency_ms_p50']:.0f} ms |"
            )
    if not rows:
        return ""
    return "\n".join(
        [
            "Words of 3-10 characters composed from unseen writers' characters, read as lines (text mode) from"
            " their strokes, and as pictures of the written line (a photo or scan: ink only): random texts of"
            " letters and digits, and English words (those held out of the letter pairs); a space read"
            " inside a word counts as an error; in brackets, the middle 95% of each rate with its writers resampled"
            " (how far as many words by other writers like them could move it):",
            "",
            "| reader | words by | words | CER, any case | CER | word accuracy | one box per character | p50 a word |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
        ]
    )


def stroke_results_table(directory: Path | None = None) -> str:
    """Stroke models and their fused answers on the UNIPEN test writers (empty when there are none)."""
    from ml.runtime.cards import (
        FUSED_PEN_TEST,
        IMAGE_PEN_TEST,
        PEN_TEST,
        WeightsError,
        bundled_cards,
        fusion_partner,
        stroke_models_dir,
    )
    from ml.runtime.labels import tells_case_apart

    rows = []
    shown_once = set()
    for weights_path, card in bundled_cards(stroke_models_dir(directory)):
        if isinstance(card, WeightsError):
            continue
        by_source = card.metrics_by_source
        trained = _trained(card.training)
        members = [str(m["name"]) for m in card.training.get("members", [])]
        if members:  # an ensemble: trained as its members were
            trained = " + ".join(f"`{m}`" for m in members) + ", as trained"
        partner = card.fusion.get("image_model")
        in_use = partner is not None and fusion_partner(partner, directory) == weights_path
        app_note = ", the app's answer" if in_use else ""
        # A copy fused with another model (a letters model): its picture alone is in the table above, the
        # strokes alone over its classes said once (over classes that tell a from A, which the strokes alone
        # cannot, their figures stay their own), the fusion under the original's name.
        copy_of, classes = card.fusion.get("copy_of"), str(card.fusion.get("classes") or card.label_set)
        strokes_name = copy_of or card.name
        alone_in = card.label_set if tells_case_apart(classes, card.labels) else classes
        over = f", {alone_in}'s classes" if alone_in != card.label_set else ""
        for title, key in (
            (f"`{partner}` (picture alone)", IMAGE_PEN_TEST),
            (f"`{strokes_name}` (strokes alone{over})", PEN_TEST),
            (f"`{partner}` + `{strokes_name}` (fused{app_note})", FUSED_PEN_TEST),
        ):
            metrics = by_source.get(key)
            shown = (partner, classes) if key == IMAGE_PEN_TEST else (strokes_name, alone_in)
            if not metrics or (key != FUSED_PEN_TEST and shown in shown_once):
                continue
            if key == IMAGE_PEN_TEST and copy_of:  # (in the models' table)
                continue
            if key != FUSED_PEN_TEST:
                shown_once.add(shown)
            confusions = ", ".join(lookalike_counts(metrics)) or "–"
            off_by = _off_by(metrics)
            rows.append(
                f"| {title} | {card.arch if key == PEN_TEST else ''} | {alone_in if key == PEN_TEST else classes} | "
                f"{100 * metrics['accuracy']:.2f}% | "
                f"{100 * metrics['top3']:.2f}% | {100 * metrics['balanced_accuracy']:.2f}% | {off_by} | {confusions} | "
                f"{trained if key == PEN_TEST else ''} |"
            )
    if not rows:
        return ""
    return "\n".join(
        [
            "Read from the pen's strokes (UNIPEN test writers; the picture drawn with the thin, default and thick "
            "pens, the strokes as written; confidence off by: the calibration error, how far an answer's "
            "confidence was from how often answers that sure were right, on average):",
            "",
            "| answer | stroke arch | labels | top-1 | top-3 | balanced | confidence off by "
            "| look-alikes read as each other | trained |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
            *rows,
        ]
    )


def replace_between_markers(path: Path, start: str, end: str, body: str) -> bool:
    """Rewrite what stands between two marker lines of a generated README section; whether it changed (a
    file that already says it is left untouched, and the commands say so: "updated" read as news)."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{path} has no markers {start} ... {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    rewritten = f"{head}{start}\n{body}\n{end}{tail}"
    if rewritten == text:
        return False
    path.write_text(rewritten, encoding="utf-8")
    return True


def said_updated(what: str, path: Path, changed: bool) -> str:
    """What a command that rewrote ``what`` in ``path`` says of it."""
    return f"updated {what} in {path}" if changed else f"{what} in {path} is already up to date: nothing changed"
