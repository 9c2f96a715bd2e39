"""English letter pairs: counting them from prose, and a written word's letters read with them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ml.runtime.letter_pairs import (
    LETTER_PAIRS_FILE,
    LETTERS,
    LetterPairs,
    LetterPairsError,
    english_share,
    language_dir,
    letter_pairs_file,
    load_letter_pairs,
    read_as_english,
)
from ml.training.letter_pairs import (
    WORD,
    count_letter_pairs,
    held_out,
    prose_of_python,
    prose_words,
    write_letter_pairs,
)
from tests.test_pen_data import REAL_UNIPEN

LABELS = [*"0123456789", *LETTERS.upper()]  # emnist36's classes: digits, then letters of merged case


def _pairs(words: list[str]) -> LetterPairs:
    counts = count_letter_pairs(w for w in words if not held_out(w))
    return LetterPairs.from_counts(counts.first, counts.following)


def _rows(chances: list[dict[str, float]], labels: list[str] = LABELS) -> np.ndarray:
    """Each character's answers: the given labels' chances, the rest shared evenly."""
    out = np.zeros((len(chances), len(labels)))
    for i, given in enumerate(chances):
        rest = (1.0 - sum(given.values())) / (len(labels) - len(given))
        out[i] = [given.get(label, rest) for label in labels]
    return out


ENGLISH = ["the", "then", "there", "these", "other", "that", "this", "with", "which", "when", "where", "what"]
ENGLISH += ["while", "those", "three", "through"]


def test_letter_pairs_are_counted_once_per_distinct_word_and_some_are_held_out() -> None:
    counts = count_letter_pairs(["The", "the", "then", "ox"] * 3)
    counted = [w for w in ("the", "then", "ox") if not held_out(w)]
    assert counts.words == len(counted) and set(counts.held_out) == {"the", "then", "ox"} - set(counted)
    assert counts.first.sum() == len(counted)
    assert counts.following.sum() == sum(len(w) - 1 for w in counted)
    if "the" in counted:
        assert counts.following[LETTERS.index("t"), LETTERS.index("h")] >= 1
    # About a fifth are held out, by their spelling: the same words whatever else is counted.
    many = [f"{a}{b}{c}" for a in "abcdefgh" for b in "aeiou" for c in "mnrst"]
    share = np.mean([held_out(w) for w in many])
    assert 0.1 < share < 0.3
    with pytest.raises(ValueError, match="not a word"):
        count_letter_pairs(["fine", "caf\u00e9"])


def test_prose_is_the_comments_and_sentences_of_code_and_the_words_of_markdown(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Reads the written line."""\n'
        'LETTERS = "GJPQY"  # letters hanging below\n'
        "name = 'snake_case_name'\n"
        'x = f("a message for people")\n'
    )
    guide = tmp_path / "guide.md"
    guide.write_text("Write with a PEN, then `read strokes` what you wrote. ONNX works.\n```\nfenced code\n```\n")
    assert prose_of_python(module.read_text())[0] == '"""Reads the written line."""'
    words = prose_words([module, guide])
    assert {"reads", "written", "line", "letters", "hanging", "below", "message", "people"} <= set(words)
    assert {"write", "with", "then", "what", "you", "wrote", "works"} <= set(words)
    # Names, letter sets and code are no words: capitals, snake_case, a string without a space.
    assert not {"gjpqy", "snake", "case", "pen", "onnx", "read", "strokes"} & set(words)
    assert not {"fenced", "code"} & set(words)  # a Markdown code block or span is no prose
    # Nor a docstring's literal, a format string's field or an escape run into the next word.
    coded = prose_of_python('"""Calls ``line metrics`` on {name} caf\\xfcler."""\n')
    assert [w.lower() for piece in coded for w in WORD.findall(piece)] == ["calls", "on", "caf", "ler"]
    # A module that does not tokenize gives what came before its fault.
    assert prose_of_python('# a comment first\nx = """never closed\n') == ["# a comment first"]


def test_the_chain_shares_letters_as_english_does_and_digits_evenly() -> None:
    pairs = _pairs(ENGLISH)
    start, after = pairs.chain(LABELS)
    assert np.allclose(start.sum(), 1.0) and np.allclose(after.sum(1), 1.0)
    digits = [LABELS.index(d) for d in "0123456789"]
    assert np.allclose(start[digits], 1 / 36) and np.allclose(after[:, digits], 1 / 36)
    t, h, q = (LABELS.index(c) for c in "THQ")
    assert after[t, h] > 5 * after[t, q]  # "th" begins most of these words, "tq" none
    assert start[t] > start[q]
    # After a digit a letter is as at a word's start.
    assert np.allclose(after[LABELS.index("7")], start)
    # Both cases of a letter (62 classes) share its chance; no letters, even chances.
    both = [*"0123456789", *LETTERS.upper(), *LETTERS]
    start62, _ = pairs.chain(both)
    assert np.isclose(start62[both.index("T")], start62[both.index("t")])
    assert np.isclose(start62[both.index("T")], start[t] / (26 / 36) * (52 / 62) / 2)
    only_digits, after_digits = pairs.chain(list("0123456789"))
    assert np.allclose(only_digits, 0.1) and np.allclose(after_digits, 0.1)


def test_a_letter_its_shape_leaves_open_is_read_as_english_spells_it() -> None:
    pairs = _pairs(ENGLISH)
    # "t?e": the middle one drawn between an h and a b, the b a little likelier by its shape.
    word = _rows([{"T": 0.9}, {"B": 0.5, "H": 0.4}, {"E": 0.9}])
    out = read_as_english(word, LABELS, [False, False, False], pairs)
    assert LABELS[int(word[1].argmax())] == "B" and LABELS[int(out[1].argmax())] == "H"
    assert np.allclose(out.sum(1), 1.0)
    share, _ = english_share(word, pairs, LABELS)
    assert share > 0.5
    # A code of sure letters no English word spells keeps the models' reading: it reads as no English word.
    code = _rows([{"X": 0.95}, {"Q": 0.95}, {"Z": 0.95}, {"J": 0.95}])
    share, _ = english_share(code, pairs, LABELS)
    assert share < 0.5  # (these few words say little of English: the bundled pairs say far more, below)
    kept = read_as_english(code, LABELS, [False] * 4, pairs)
    assert np.abs(kept - code).max() < 0.05
    # Each word on its own: a space begins another (the "t" of "x t?e" still begins its word).
    line = np.concatenate([_rows([{"X": 0.95}]), word])
    spaced = read_as_english(line, LABELS, [False, True, False, False], pairs)
    assert LABELS[int(spaced[2].argmax())] == "H"
    with pytest.raises(ValueError, match="space marks"):
        read_as_english(word, LABELS, [False], pairs)


def test_spelling_moves_a_words_0_and_1_to_letters_and_leaves_numbers_lone_characters_and_blank_rows() -> None:
    pairs = load_letter_pairs()
    # "page 5", its 5 drawn close to an S: a word of one character is left as it is.
    page = _rows([{"P": 0.9}, {"A": 0.5, "Q": 0.45}, {"G": 0.9}, {"E": 0.9}, {"5": 0.6, "S": 0.35}])
    spaces = [False, False, False, False, True]
    out = read_as_english(page, LABELS, spaces, pairs)
    assert np.allclose(out[4], page[4])
    # A number ("55" drawn close to "SS": its rows more digit than letter) keeps each row's digit chance.
    two = _rows([{"5": 0.6, "S": 0.35}, {"5": 0.6, "S": 0.35}])
    kept = read_as_english(two, LABELS, [False, False], pairs)
    digits = [LABELS.index(d) for d in "0123456789"]
    assert np.allclose(kept[:, digits].sum(1), two[:, digits].sum(1))
    assert LABELS[int(kept[0].argmax())] == "5"
    # A word of letters: its bar and ring read 1 and 0 lean to l and o (a trial's printed "hello" read "hel1o").
    hello = _rows([{"H": 0.96}, {"E": 0.99}, {"L": 0.7, "1": 0.26}, {"1": 0.58, "L": 0.37}, {"O": 0.7, "0": 0.26}])
    assert "".join(LABELS[int(row.argmax())] for row in read_as_english(hello, LABELS, [False] * 5, pairs)) == "HELLO"
    # Spelling never makes a letter of a word of letters a digit (the chain's digits, even chances after any
    # letter, explained "IM" worse than "1M": a review's "IMPORT" read "1MPORT").
    word = _rows([{"I": 0.53, "1": 0.37}, {"M": 0.95}, {"P": 0.95}, {"O": 0.9}, {"R": 0.9}, {"T": 0.9}])
    out = read_as_english(word, LABELS, [False] * 6, pairs)
    assert out[0, LABELS.index("1")] <= word[0, LABELS.index("1")] / word[0].sum() + 1e-12
    assert "".join(LABELS[int(row.argmax())] for row in out) == "IMPORT" and np.allclose(out.sum(1), 1.0)
    # ... and a code of letters and digits that reads as no English word keeps its digits ("B7").
    code = _rows([{"B": 0.9}, {"7": 0.9}, {"X": 0.9}, {"4": 0.9}])
    assert "".join(LABELS[int(row.argmax())] for row in read_as_english(code, LABELS, [False] * 4, pairs)) == "B7X4"
    # A row that says nothing stays so, and does not make its word's other rows say less.
    blank = page[:4].copy()
    blank[2] = 0.0
    read = read_as_english(blank, LABELS, [False] * 4, pairs)
    assert not read[2].any() and np.allclose(read[[0, 1, 3]].sum(1), 1.0)


def test_the_line_reader_reads_words_with_the_letter_pairs_it_has(monkeypatch: pytest.MonkeyPatch) -> None:
    import ml.runtime.line_reader as line_reader
    from tests.test_reading import write

    calls: list[tuple[int, list[bool]]] = []

    def recording(probabilities: np.ndarray, labels: list[str], spaces: list[bool], pairs: LetterPairs) -> np.ndarray:
        calls.append((len(probabilities), list(spaces)))
        return read_as_english(probabilities, labels, spaces, pairs)

    monkeypatch.setattr(line_reader, "read_as_english", recording)
    reader = line_reader.LineReader.load(device="cpu")
    strokes, _ = write("H7 AX")
    assert reader.letter_pairs is not None and reader.read_strokes(strokes).text == "H7 AX"
    assert calls and calls[-1] == (4, [False, False, True, False])
    calls.clear()
    reader.letter_pairs = None
    reader.forget()
    assert reader.read_strokes(strokes).text == "H7 AX" and not calls


def test_letter_pairs_files_are_written_read_back_and_refused_when_damaged(tmp_path: Path) -> None:
    counts = count_letter_pairs(ENGLISH)
    path = tmp_path / "language" / "letter_pairs.json"
    write_letter_pairs(counts, path, "a test")
    pairs = load_letter_pairs(path)
    assert pairs.held_out == counts.held_out
    expected = (counts.following + 1.0) / (counts.following + 1.0).sum(1, keepdims=True)
    assert np.allclose(pairs.following, expected)
    with pytest.raises(LetterPairsError, match="no letter pairs"):
        load_letter_pairs(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    for text in ("{not json", json.dumps({"letters": LETTERS, "first": [1] * 26}), "\xff\xfe"):
        broken.write_text(text, encoding="latin-1")
        with pytest.raises(LetterPairsError, match="not a letter pairs file"):
            load_letter_pairs(broken)
    data = json.loads(path.read_text())
    data["following"] = data["following"][:3]
    broken.write_text(json.dumps(data))
    with pytest.raises(LetterPairsError, match="wrong shape"):
        load_letter_pairs(broken)
    for bad in (float("nan"), 1e308, -1):  # each would read every letter alike (or none)
        data = json.loads(path.read_text())
        data["first"][0] = bad
        broken.write_text(json.dumps(data))
        with pytest.raises(LetterPairsError, match="not numbers"):
            load_letter_pairs(broken)
    # A weights folder of one's own without letter pairs reads words with the bundled ones.
    assert letter_pairs_file(tmp_path / "own models") == letter_pairs_file() and letter_pairs_file().exists()
    (tmp_path / "weights" / "language").mkdir(parents=True)
    write_letter_pairs(counts, language_dir(tmp_path / "weights") / LETTER_PAIRS_FILE, "a test")
    assert letter_pairs_file(tmp_path / "weights") == tmp_path / "weights" / "language" / LETTER_PAIRS_FILE


def test_the_bundled_letter_pairs_are_the_checkouts_prose_and_the_reader_uses_them() -> None:
    from ml.runtime.line_reader import LineReader

    pairs = load_letter_pairs()
    assert len(pairs.held_out) > 100 and all(held_out(w) for w in pairs.held_out)
    t, h, q = (LETTERS.index(c) for c in "thq")
    assert pairs.following[t, h] > 5 * pairs.following[t, q]
    code = _rows([{"X": 0.95}, {"Q": 0.95}, {"Z": 0.95}, {"J": 0.95}])
    word = _rows([{"W": 0.95}, {"O": 0.95}, {"R": 0.95}, {"D": 0.95}])
    assert english_share(code, pairs, LABELS)[0] < 0.05 < 0.75 < english_share(word, pairs, LABELS)[0]
    assert LineReader.load(device="cpu").letter_pairs is not None
    assert LineReader.load(device="cpu", english=False).letter_pairs is None


def test_letter_pairs_command_counts_a_checkouts_prose(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# A tool\n\nWrite the words there, then read them with the other ones.\n")
    result = subprocess.run(
        [sys.executable, "-m", "ml", "letter-pairs", "--checkout", str(tmp_path), "--write"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "distinct" in result.stdout and "commonest pairs" in result.stdout
    pairs = load_letter_pairs(tmp_path / "weights" / "language" / "letter_pairs.json")
    assert pairs.following.shape == (26, 26)
    missing = subprocess.run(
        [sys.executable, "-m", "ml", "letter-pairs", "--checkout", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "not a GlyphPad checkout" in missing.stderr


def test_a_printed_hello_reads_hello_not_hel1o() -> None:
    """A CLI trial: "hello" in DejaVu Sans, a picture, read "hel1o" at every size (its second bar a 1)."""
    from ml.evaluation.printed import font_folder, printed_line
    from ml.runtime.line_reader import LineReader

    reader = LineReader.load(device="cpu")
    for size in (40, 70):
        assert reader.read_image(printed_line("hello", font_folder() / "DejaVuSans.ttf", size)).text == "hello"


@pytest.mark.skipif(not REAL_UNIPEN.exists(), reason=f"UNIPEN data not found at {REAL_UNIPEN}")
def test_validation_writers_english_words_read_better_and_their_codes_no_worse() -> None:
    from ml.evaluation.words import compose_words, edit_distance, english_vocabulary
    from ml.runtime.cards import card_path_for, read_card, resolve_model_path
    from ml.runtime.line_reader import LineReader
    from ml.training.data.unipen import load_unipen, model_writer_seed, writer_split

    reader = LineReader.load(device="cpu")
    card = read_card(card_path_for(resolve_model_path(reader.image.card.name)))
    pen = load_unipen(REAL_UNIPEN)
    writers = writer_split(pen.writers, seed=model_writer_seed(card)).val
    vocabulary = english_vocabulary(reader.letter_pairs.held_out if reader.letter_pairs else ())
    english = compose_words(pen, writers, 40, vocabulary=vocabulary)
    codes = compose_words(pen, writers, 40)
    assert sum(w.text.lower() in vocabulary for w in english) >= 36  # (a writer without a word's letters: a code)

    def errors(words: list, pairs: LetterPairs | None) -> int:
        reader.letter_pairs = pairs
        return sum(edit_distance(reader.read_strokes(w.strokes).text.lower(), w.text.lower()) for w in words)

    pairs = reader.letter_pairs
    assert errors(english, pairs) < errors(english, None)
    assert errors(codes, pairs) <= errors(codes, None) + 2


def test_evaluate_reads_no_words_without_the_letter_pairs_it_was_asked_to_read_with(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ml.runtime.line_reader as line_reader
    from ml.cli import evaluate

    def damaged(path: Path | None = None) -> LetterPairs:
        raise LetterPairsError("letter_pairs.json is not a letter pairs file: a test")

    monkeypatch.setattr(line_reader, "load_letter_pairs", damaged)
    # The reader reads on without them, as the app does (a warning); figures must not be taken so.
    assert line_reader.LineReader.load(device="cpu").letter_pairs is None
    assert evaluate.run(["--source", "printed_words"]) == 2
    assert "letter pairs could not be loaded" in capsys.readouterr().err


def test_english_words_are_composed_from_words_each_writer_wrote_every_letter_of(synthetic_unipen: Path) -> None:
    from ml.evaluation.words import compose_words, english_vocabulary
    from ml.training.data.unipen import load_unipen

    pen = load_unipen(synthetic_unipen)  # writers of capitals (A C E H L T X Z) and digits alone
    vocabulary = english_vocabulary(["each", "late", "tax", "word", "sun", "is", "a"])
    assert vocabulary == ["each", "late", "sun", "tax", "word"]  # 3-10 letters
    words = compose_words(pen, np.arange(len(pen)), 12, seed=3, vocabulary=vocabulary)
    assert {w.text for w in words} <= {"EACH", "LATE", "TAX"}  # in capitals, the only case they wrote
    assert len({w.text for w in words}) > 1
    with pytest.raises(ValueError, match="no writer"):
        compose_words(pen, np.arange(len(pen)), 3, vocabulary=["word", "sun"])
