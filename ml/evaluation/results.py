"""The README's generated tables: the results table from the model cards, and the marker-bounded
sections commands rewrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

RESULTS_START = "<!-- results:start (glyphpad-ml results --readme README.md) -->"
RESULTS_END = "<!-- results:end -->"


def results_table(directory: Path | None = None) -> str:
    from ml.runtime.cards import WeightsError, bundled_cards

    lines = [
        "| model | arch | labels | params | test accuracy | balanced accuracy | top-3 | macro F1 | trained on |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for _, card in bundled_cards(directory):
        if isinstance(card, WeightsError):
            continue
        m = card.metrics

        def pct(key: str, m: dict[str, Any] = m) -> str:
            return f"{100 * m[key]:.2f}%" if isinstance(m.get(key), float) else "n/a"

        trained = f"{card.training.get('device', '?')}, {card.training.get('seconds', 0) / 60:.1f} min"
        lines.append(
            f"| `{card.name}` | {card.arch} | {card.label_set} | {card.params:,} | {pct('accuracy')} | "
            f"{pct('balanced_accuracy')} | {pct('top3')} | {pct('macro_f1')} | {trained} |"
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
