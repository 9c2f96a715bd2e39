"""The drawn-character evaluation: every glyph in every condition, scored per label set."""

import json
from pathlib import Path

import numpy as np
import pytest

from ml.cli import main as cli_main
from ml.evaluation.drawn import CONDITIONS, DRAWN_END, DRAWN_START, make_drawn_set, score
from ml.runtime.labels import get_label_set
from ml.runtime.synth import GLYPH_VARIANTS, render, vary_handwriting


@pytest.fixture(scope="module")
def drawn_one_writer():  # type: ignore[no-untyped-def]
    return make_drawn_set(writers=1, seed=3)


def test_every_glyph_variant_appears_in_every_condition(drawn_one_writer) -> None:  # type: ignore[no-untyped-def]
    variants = sum(len(v) for v in GLYPH_VARIANTS.values())
    assert len(drawn_one_writer.chars) == variants * len(CONDITIONS)
    for condition in CONDITIONS:
        assert drawn_one_writer.conditions.count(condition) == variants
    inputs = drawn_one_writer.inputs
    assert inputs.shape[1:] == (28, 28) and inputs.min() >= 0 and inputs.max() <= 1
    # preprocessing centred each drawing's ink box, whatever its size and position on the canvas
    for image in inputs:
        rows, cols = np.nonzero(image > 0.3)
        assert abs((rows.min() + rows.max()) / 2 - 13.5) <= 1.5
        assert abs((cols.min() + cols.max()) / 2 - 13.5) <= 1.5


def test_the_set_is_seeded() -> None:
    first, second = make_drawn_set(writers=1, seed=5, chars="A1"), make_drawn_set(writers=1, seed=5, chars="A1")
    assert first.chars == ["1"] * 2 * len(CONDITIONS) + ["A"] * len(CONDITIONS)  # "1" has two variants
    assert np.array_equal(first.inputs, second.inputs)
    assert not np.array_equal(first.inputs, make_drawn_set(writers=1, seed=6, chars="A1").inputs)


def test_handwriting_variation_moves_the_strokes_but_keeps_the_glyph() -> None:
    strokes = GLYPH_VARIANTS["H"][0]
    varied = vary_handwriting(strokes, np.random.default_rng(0))
    assert len(varied) == len(strokes)
    plain, hand = render("H"), render("H", strokes=varied)
    assert not np.array_equal(plain, hand)
    overlap = ((plain < 128) & (hand < 128)).sum() / (plain < 128).sum()
    assert overlap > 0.2


def _certain(chars: list[str], labels: list[str], truth: dict[str, str]) -> np.ndarray:
    """Probabilities that put 1 on ``truth[char]`` for the characters in ``truth``, 0 elsewhere."""
    probabilities = np.zeros((len(chars), len(labels)), dtype=np.float32)
    for i, char in enumerate(chars):
        if char in truth:
            probabilities[i, labels.index(truth[char])] = 1.0
    return probabilities


def test_score_uses_only_the_characters_a_label_set_names(drawn_one_writer) -> None:  # type: ignore[no-untyped-def]
    labels = list(get_label_set("digits10").classes)
    perfect = _certain(drawn_one_writer.chars, labels, {c: c for c in drawn_one_writer.chars if c.isdigit()})
    result = score(perfect, drawn_one_writer, "digits10", labels)
    assert result["n"] == sum(c.isdigit() for c in drawn_one_writer.chars)
    assert result["accuracy"] == 1.0 and result["misses"] == []
    assert set(result["per_condition"]) == set(CONDITIONS)
    wrong = np.roll(perfect, 1, axis=1)
    assert score(wrong, drawn_one_writer, "digits10", labels)["accuracy"] == 0.0
    with pytest.raises(ValueError):
        score(perfect, drawn_one_writer, "digits10", labels[::-1])


def test_lowercase_drawings_count_for_the_merged_capital(drawn_one_writer) -> None:  # type: ignore[no-untyped-def]
    labels = list(get_label_set("letters26").classes)
    truth = {c: c.upper() for c in drawn_one_writer.chars if c.isalpha()}
    probabilities = _certain(drawn_one_writer.chars, labels, truth)
    result = score(probabilities, drawn_one_writer, "letters26", labels)
    assert result["accuracy"] == 1.0
    assert result["n"] == sum(c.isalpha() for c in drawn_one_writer.chars)


def test_drawn_command_writes_the_readme_table(
    weights_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{DRAWN_START}\nold\n{DRAWN_END}\nafter\n")
    assert cli_main(["drawn", "--writers", "1", "--json", "--readme", str(readme)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert {row["model"] for row in rows} == {"cnn_tiny", "gru_tiny"}
    assert all(0.0 <= row["accuracy"] <= row["top3"] <= 1.0 for row in rows)
    text = readme.read_text()
    assert "old" not in text and "`cnn_tiny`" in text and text.endswith("after\n")
    assert cli_main(["drawn", "--writers", "0"]) == 2
    readme.write_text("no markers")
    assert cli_main(["drawn", "--writers", "1", "--model", "cnn_tiny", "--readme", str(readme)]) == 2
    # A model that is not there: its reason, and no table (a script reading stdout got half of one).
    readme.write_text(text)
    capsys.readouterr()
    assert cli_main(["drawn", "--writers", "1", "--model", "no_such", "--readme", str(readme)]) == 2
    assert capsys.readouterr().out == "" and readme.read_text() == text


def test_a_smaller_canvas_draws_the_same_characters_at_its_size() -> None:
    full = make_drawn_set(writers=1, seed=5, chars="A")
    small = make_drawn_set(writers=1, seed=5, chars="A", canvas_px=128)
    assert small.chars == full.chars and small.conditions == full.conditions
    canvas = [i for i, c in enumerate(full.conditions) if c.startswith("pen") or c == "white on black"]
    fixed = [i for i in range(len(full.chars)) if i not in canvas]
    # the same drawings, rendered smaller: close after preprocessing, not equal; other conditions unchanged
    assert np.array_equal(small.inputs[fixed], full.inputs[fixed])
    assert not np.array_equal(small.inputs[canvas], full.inputs[canvas])
    assert np.abs(small.inputs[canvas] - full.inputs[canvas]).mean() < 0.05


def test_drawn_names_a_stroke_model_it_cannot_score_and_still_scores_the_others(
    fused_weights: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GLYPHPAD_WEIGHTS", str(fused_weights))
    status = cli_main(["drawn", "--writers", "1", "--json", "--model", "strokes_tiny", "--model", "cnn_tiny"])
    captured = capsys.readouterr()
    assert status == 1
    assert [json.loads(line)["model"] for line in captured.out.splitlines() if line.startswith("{")] == ["cnn_tiny"]
    assert "strokes_tiny reads strokes, not pictures" in captured.err and "Traceback" not in captured.err
