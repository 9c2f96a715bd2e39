"""The README's generated tables: the results table from the model cards, and the marker-bounded
sections commands rewrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

RESULTS_START = "<!-- results:start (glyphpad-ml results --readme README.md) -->"
RESULTS_END = "<!-- results:end -->"


def results_table(directory: Path | None = None) -> str:
    """One row per bundled model: accuracy on scanned EMNIST and on pen drawings by unseen writers."""
    from ml.runtime.cards import WeightsError, bundled_cards

    lines = [
        "| model | arch | labels | params | learned from | EMNIST test top-1 | pen, unseen writers: top-1 | top-3 "
        "| balanced | trained |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for _, card in bundled_cards(directory):
        if isinstance(card, WeightsError):
            continue
        emnist = card.metrics_by_source.get("emnist_test", card.metrics)
        pen = card.metrics_by_source.get("unipen_test", {})

        def pct(metrics: dict[str, Any], key: str) -> str:
            value = metrics.get(key)
            return f"{100 * value:.2f}%" if isinstance(value, float) else "–"

        sources = " + ".join(str(s.get("name", "?")) for s in card.data_sources) or "EMNIST"
        epochs = card.training.get("epochs_run")
        trained = f"{epochs} epochs, {card.training.get('seconds', 0) / 60:.0f} min, {card.training.get('device', '?')}"
        lines.append(
            f"| `{card.name}` | {card.arch} | {card.label_set} | {card.params:,} | {sources} | "
            f"{pct(emnist, 'accuracy')} | {pct(pen, 'accuracy')} | {pct(pen, 'top3')} | "
            f"{pct(pen, 'balanced_accuracy')} | {trained} |"
        )
    return "\n".join(lines)


def replace_between_markers(path: Path, start: str, end: str, body: str) -> None:
    """Rewrite what stands between two marker lines of a generated README section."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{path} has no markers {start} ... {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{body}\n{end}{tail}", encoding="utf-8")
