"""A model card as a person reads it: what the model is, what it can answer, how well on each kind of
input, what it learned from (with the licences), and how it was trained."""

from __future__ import annotations

import html
import math
import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml.runtime.cards import ModelCard

SOURCE_NAMES = {
    "emnist_test": "EMNIST held out (scanned paper; split by character, not by writer)",
    "unipen_test": "pen drawings, UNIPEN test writers",
    "unipen_val": "pen drawings, UNIPEN validation writers",
    "emnist_val": "EMNIST validation split (another tenth, kept out to choose the training's settings and epoch)",
    "drawn": "synthesized drawings (pens, sizes, scans)",
    # A stroke model's card: its strokes alone (above), the picture alone, and the two fused.
    "image_unipen_val": "the picture alone, UNIPEN validation writers",
    "image_unipen_test": "the picture alone, UNIPEN test writers",
    "fused_unipen_val": "picture and strokes fused, UNIPEN validation writers",
    "fused_unipen_test": "picture and strokes fused, UNIPEN test writers",
    # A model trained on a person's own pictures too (glyphpad-ml train --images).
    "images_val": "your pictures, validation part",
    "images_test": "your pictures, test part",
}
# The table's rows: EMNIST's (its test split, the card's headline, first); then UNIPEN's by writers,
# validation then test, each the strokes, the picture, then the two fused; the synthesized drawings last.
SOURCE_ORDER = (
    "emnist_test",
    "emnist_val",
    "unipen_val",
    "image_unipen_val",
    "fused_unipen_val",
    "unipen_test",
    "image_unipen_test",
    "fused_unipen_test",
    "drawn",
)

STROKE_SOURCE_NAMES = {
    "unipen_test": "the strokes alone, UNIPEN test writers",
    "unipen_val": "the strokes alone, UNIPEN validation writers",
}


def _source_rank(name: str) -> int:
    return SOURCE_ORDER.index(name) if name in SOURCE_ORDER else len(SOURCE_ORDER)


WORD_SOURCE_NAMES = {
    "words_val": "validation writers, from the strokes",
    "words_test": "test writers, from the strokes",
    "words_val_pictures": "validation writers, pictures of the words",
    "words_test_pictures": "test writers, pictures of the words",
    "words_val_english": "validation writers, English words, from the strokes",
    "words_test_english": "test writers, English words, from the strokes",
    "printed_words": "type in seven fonts, 32-110 px (no writer)",
}


def _words_source(name: str) -> bool:
    """Whether a card's source is text read as lines (its figures are error rates, not accuracy)."""
    return name.startswith("words") or name in WORD_SOURCE_NAMES


LOCAL_OPTIONS = ("--out", "--resume")  # paths on the machine that trained the model


def _shown_command(command: str) -> str:
    """The training command as a reader would run it: without the folder it wrote to and the checkpoint it
    resumed from on the machine that trained it, which say nothing to anyone else."""
    try:
        words = shlex.split(command)
    except ValueError:  # not a shell command line: shown as it is
        return command
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in LOCAL_OPTIONS:
            skip = True
        elif not word.startswith(tuple(f"{option}=" for option in LOCAL_OPTIONS)):
            kept.append(word)
    return shlex.join(kept)


def _pct(value: Any) -> str:
    return f"{100 * value:.1f}%" if isinstance(value, float) else "–"


def _points(value: Any) -> str:
    return f"{100 * value:.1f} points" if _finite(value) else "–"


def _finite(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _pct_range(metrics: dict[str, Any], name: str) -> str:
    """A words rate with the range its writers' resampling gives, where the card holds one: 9.5% (7.5-12.1)."""
    interval = metrics.get(f"{name}_interval")
    if isinstance(interval, list) and len(interval) == 2 and all(isinstance(v, float) for v in interval):
        return f"{_pct(metrics.get(name))} <small>({100 * interval[0]:.1f}-{100 * interval[1]:.1f})</small>"
    return _pct(metrics.get(name))


def _options(card: ModelCard) -> str:
    """The architecture's options as words: ", width 96", or an ensemble's members."""
    members = card.config.get("members")
    if isinstance(members, list):
        described = [
            str(m.get("arch", "?")) + "".join(f" {k} {v}" for k, v in dict(m.get("config", {})).items())
            for m in members
        ]
        return f", reading together: {html.escape(' + '.join(described))}"
    return f", {html.escape(', '.join(f'{k} {v}' for k, v in card.config.items()))}" if card.config else ""


def _confidence_html(card: ModelCard) -> str:
    """How far the model's stated confidence is from how often it is right, with its temperature and without,
    where 'glyphpad-ml calibrate' fitted one ("" where not)."""
    errors = card.calibration.get("calibration_error")
    before_after = errors.get("unipen_test") if isinstance(errors, dict) else None
    if not (isinstance(before_after, list) and len(before_after) == 2):
        return ""
    if not all(isinstance(v, float) for v in before_after):  # (a card edited by hand: said nothing of)
        return ""
    before, after = before_after
    return (
        f"<p><b>Confidence:</b> answering alone, how sure it says it is differs from how often it is right by "
        f"{100 * after:.1f} points on average, on writers it never saw ({100 * before:.1f} as trained; its "
        f"temperature {card.temperature:g} was fitted on {html.escape(str(card.calibration.get('fitted_on', '')))})."
        "</p>"
    )


def _fused_confidence(card: ModelCard) -> str:
    """The fused answer's temperature and how far its confidence is from how often it is right on the test
    writers, where the card has them ("" where not): the figure of the confidence the app shows for a drawing."""
    from ml.runtime.cards import FUSED_PEN_TEST

    temperature = card.fusion.get("temperature")
    off = card.figure(FUSED_PEN_TEST, "calibration_error")
    if not isinstance(temperature, int | float) or isinstance(temperature, bool) or off is None:
        return ""
    return (
        f", then a temperature of {temperature:g}: the fused answer's confidence differs from how often it is "
        f"right by {100 * off:.1f} points on average, on writers it never saw"
    )


def card_html(card: ModelCard, fused: tuple[float, str] | None = None) -> str:
    """Rich text for a QTextBrowser; ``fused``: drawings read right with its stroke model (UNIPEN test
    writers) and that model's name, the figure the Model box shows beside its name."""
    e = html.escape
    labels = "".join(card.labels)
    parts = [
        f"<h2>{e(card.name)}</h2>",
        # (A sentence of its own: an architecture's description begins small where it is listed after a name.)
        f"<p>{e(card.description[:1].upper() + card.description[1:])}</p>" if card.description else "",
        f"<p><b>Architecture:</b> {e(card.arch)} ({card.params:,} parameters)" + _options(card) + "</p>",
        f"<p><b>Answers with</b> {len(card.labels)} classes ({e(card.label_set)}): <tt>{e(labels)}</tt></p>",
    ]
    if card.turned_views_degrees and card.input_kind == "image":
        parts.append(
            f"<p><b>Reads</b> each picture three ways, as it is and turned {card.turned_views_degrees:g}° either "
            "way, and answers with what the three agree on.</p>"
        )
    if confidence := _confidence_html(card):
        parts.append(confidence)
    fusion = card.fusion
    if card.input_kind == "strokes" and fusion.get("image_model"):
        # (Two stroke cards alike, a copy fitted to a person's model among them, could not be told apart.)
        copied = f" A copy of {e(str(fusion['copy_of']))}'s weights." if fusion.get("copy_of") else ""
        # (A copy fused with a letters model: its figures below are over the letters.)
        classes = fusion.get("classes")
        over = f" over its classes ({e(str(classes))})" if isinstance(classes, str) and classes else ""
        parts.append(
            f"<p><b>Fitted to</b> {e(str(fusion['image_model']))}, to be fused with it{over}: image weight "
            f"{e(str(fusion.get('image_weight')))}, stroke weight {e(str(fusion.get('stroke_weight')))}"
            f"{_fused_confidence(card)}.{copied}</p>"
        )
    names = STROKE_SOURCE_NAMES if card.input_kind == "strokes" else {}
    ranked = sorted(card.metrics_by_source.items(), key=lambda item: _source_rank(item[0]))
    sources = {k: v for k, v in ranked if not _words_source(k)}  # (printed words sat here as a row of dashes)
    if not sources and card.metrics:
        sources["emnist_test"] = card.metrics
    if sources:
        # How far the confidence is from how often it is right, per source, where measured (a teacher: the
        # drawings' 4.6 points against the pen writers' 1.4 was a lesson, and shown nowhere).
        calibrated = any(isinstance(m, dict) and _finite(m.get("calibration_error")) for m in sources.values())
        rows = "".join(
            f"<tr><td>{e(names.get(name, SOURCE_NAMES.get(name, name)))}</td>"
            f"<td align='right'>{_pct(m.get('accuracy'))}</td>"
            f"<td align='right'>{_pct(m.get('top3'))}</td><td align='right'>{_pct(m.get('balanced_accuracy'))}</td>"
            + (f"<td align='right'>{_points(m.get('calibration_error'))}</td>" if calibrated else "")
            + f"<td align='right'>{m.get('n', '')}</td></tr>"
            for name, m in sources.items()
            if isinstance(m, dict)
        )
        parts.append(
            "<h3>Measured accuracy</h3><table cellspacing='0' cellpadding='3' border='1'>"
            "<tr><th align='left'>on</th><th>top-1</th><th>top-3</th><th>balanced</th>"
            + ("<th>confidence off by</th>" if calibrated else "")
            + f"<th>n</th></tr>{rows}</table>"
            # (the columns' names alone left "balanced" to guess)
            "<p><small>top-1: the first answer right; top-3: the right one among the first three; balanced: "
            "the mean of each class's top-1, every class counting the same however many samples it has; "
            + (
                "confidence off by: how far the answers' confidence was from how often answers that sure were "
                "right, on average, in points; "
                if calibrated
                else ""
            )
            + "n: characters read.</small></p>"
        )
    if fused is not None:
        parts.append(
            f"<p><b>Drawn characters, read from the picture and the pen's strokes</b> (with {e(fused[1])}, "
            f"UNIPEN test writers): {_pct(fused[0])} right, the figure beside its name in the Model box. "
            "The table above is the picture alone.</p>"
        )
    order = list(WORD_SOURCE_NAMES)  # writers' words first, then type (a card keeps them as they were scored)
    words = {
        k: v
        for k, v in sorted(
            card.metrics_by_source.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
        )
        if _words_source(k) and isinstance(v, dict)
    }
    if words:
        rows = "".join(
            f"<tr><td>{e(WORD_SOURCE_NAMES.get(name, name))}</td><td align='right'>{_pct_range(m, 'cer')}</td>"
            f"<td align='right'>{_pct_range(m, 'cer_case_insensitive')}</td>"
            f"<td align='right'>{_pct_range(m, 'word_accuracy')}</td>"
            f"<td align='right'>{_pct(m.get('one_box_per_character'))}</td><td align='right'>{m.get('words', '')}</td>"
            "</tr>"
            for name, m in words.items()
        )
        parts.append(
            "<h3>Reading words (text mode)</h3><table cellspacing='0' cellpadding='3' border='1'>"
            "<tr><th align='left'>words by</th><th>character errors</th><th>any case</th><th>words right</th>"
            f"<th>one box each</th><th>n</th></tr>{rows}</table>"
            + (
                "<p><small>In brackets: where words by another set of writers like these could put the rate (the "
                "middle 95% with the writers resampled).</small></p>"
                if any(isinstance(m.get("cer_interval"), list) for m in words.values())
                else ""
            )
        )
    if card.data_sources:
        items = "".join(
            f"<li><b>{e(str(s.get('name', '')))}</b>: {e(str(s.get('what', '')))}; {e(str(s.get('split', '')))}"
            f"; share of training samples {_pct(float(s.get('share', 0)))}.<br><i>Licence:</i> "
            f"{e(str(s.get('licence', 'unknown')))}</li>"
            for s in card.data_sources
        )
        parts.append(f"<h3>Trained on</h3><ul>{items}</ul>")
    else:
        data = card.training.get("data")
        if data:
            parts.append(f"<h3>Trained on</h3><p>{e(str(data))}</p>")
    training = card.training
    members = training.get("members")
    if isinstance(members, list) and members:  # an ensemble: trained as its members were
        trained = " and ".join(f"{m.get('name')} ({m.get('epochs_run', '?')} epochs)" for m in members)
        parts.append(f"<h3>Training</h3><p>None of its own: it reads with {e(trained)}.</p>")
        if training.get("command"):
            parts.append(f"<p><tt>{e(_shown_command(str(training['command'])))}</tt></p>")
        return "".join(parts)
    epochs = training.get("epochs_run")
    facts = [
        ("1 epoch" if epochs == 1 else f"{epochs} epochs") if epochs is not None else "",
        f"{training['seconds'] / 60:.0f} min" if isinstance(training.get("seconds"), int | float) else "",
        str(training.get("device", "")),
    ]
    parts.append(f"<h3>Training</h3><p>{e(', '.join(f for f in facts if f))}</p>")
    if training.get("started_from"):  # a fine-tune (it was said only inside the command)
        parts.append(f"<p>Started from {e(str(training['started_from']))}, not from scratch.</p>")
    if training.get("command"):
        parts.append(f"<p><tt>{e(_shown_command(str(training['command'])))}</tt></p>")
    return "".join(parts)
