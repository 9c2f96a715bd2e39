"""Counting the letter pairs text mode reads words with (:mod:`ml.runtime.letter_pairs`), from GlyphPad's own
English prose: the README, the guides under ``docs``, and the comments and prose strings of ``ml`` and
``desktop_app`` (no outside text)."""

from __future__ import annotations

import io
import itertools
import json
import re
import tokenize
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.runtime.letter_pairs import LETTERS

HELD_OUT_EVERY = 5  # a word whose spelling's CRC-32 is a multiple of this is held out of the counts
# A word: letters alone, all small or capitalized (CER, ONNX and GJPQY are names and letter sets, not words;
# snake_case and words run into digits are code), at least two letters.
WORD = re.compile(r"(?<![A-Za-z0-9_])(?:[a-z]{2,}|[A-Z][a-z]+)(?![A-Za-z0-9_])")


def held_out(word: str) -> bool:
    """Whether ``word`` (lower case) is one of the words kept out of the counts to measure with."""
    return zlib.crc32(word.encode()) % HELD_OUT_EVERY == 0


# Code inside prose: a Markdown code block or span, a docstring's ``literal``, a format string's {field},
# and an escape (\xfc, \n) whose letters would run into the word after it.
CODE_IN_PROSE = re.compile(r"```.*?```|``.*?``|`[^`\n]*`|\{[^{}\n]*\}|\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)


def without_code(text: str) -> str:
    """``text`` with its code (:data:`CODE_IN_PROSE`) taken out: what is left is sentences."""
    return CODE_IN_PROSE.sub(" ", text)


def prose_of_python(source: str) -> list[str]:
    """A Python module's comments and the strings of it that hold a space (docstrings, messages; a string
    without one is a name or a set of letters), without their code. A module that does not tokenize gives
    what came before."""
    out: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and " " in token.string):
                out.append(without_code(token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def prose_words(files: Iterable[Path]) -> list[str]:
    """The words (lower-cased) of ``files``: Markdown whole, Python's comments and prose strings."""
    words: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        pieces = prose_of_python(text) if path.suffix == ".py" else [without_code(text)]
        for piece in pieces:
            words += [w.lower() for w in WORD.findall(piece)]
    return words


def checkout_prose(root: Path) -> list[Path]:
    """The files of a checkout at ``root`` whose prose is counted."""
    files = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    for package in ("ml", "desktop_app"):
        files += sorted((root / package).rglob("*.py"))
    return [f for f in files if f.is_file()]


@dataclass(frozen=True)
class LetterCounts:
    """How often each letter begins a word (``first``) and follows each letter (``following``: row the letter
    before), over distinct words; ``held_out``: the words left out of them."""

    first: np.ndarray  # 26
    following: np.ndarray  # 26 x 26
    words: int
    held_out: tuple[str, ...]


def count_letter_pairs(words: Iterable[str]) -> LetterCounts:
    """Letter pairs over the distinct words of ``words`` (lower-cased; anything but a to z refused), each
    counted once however often it is used (a guide's favourite words say no more of English than others),
    the :func:`held_out` ones left out."""
    distinct = sorted({w.lower() for w in words})
    strange = [w for w in distinct if not w or any(c not in LETTERS for c in w)]
    if strange:
        raise ValueError(f"not a word of the letters a-z: {strange[0]!r}")
    first = np.zeros(26, dtype=np.int64)
    following = np.zeros((26, 26), dtype=np.int64)
    counted = [w for w in distinct if not held_out(w)]
    for word in counted:
        codes = [LETTERS.index(c) for c in word]
        first[codes[0]] += 1
        for a, b in itertools.pairwise(codes):
            following[a, b] += 1
    return LetterCounts(first, following, len(counted), tuple(w for w in distinct if held_out(w)))


def write_letter_pairs(counts: LetterCounts, path: Path, source: str) -> None:
    """``counts`` as the letter pairs file at ``path`` (JSON), with what they were counted from."""
    head = {
        "what": "how often each letter begins a word and follows each letter, over distinct English words",
        "source": source,
        "letters": LETTERS,
        "words": counts.words,
        "first": counts.first.tolist(),
    }
    lines = [f"{json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    rows = ",\n".join(json.dumps(row) for row in counts.following.tolist())  # a row a line: readable in a diff
    lines += [f'"following": [\n{rows}\n],', f'"held_out": {json.dumps(list(counts.held_out))}']
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{\n" + "\n".join(lines) + "\n}\n", encoding="utf-8")
