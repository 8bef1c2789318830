"""A1 cell references, one way for every stage: ``(3, 5)`` <-> ``"E3"``, rows and columns 1-based.

Worked out here rather than with openpyxl's helpers: reading a returned form on the fast path
never imports openpyxl (about a sixth of a second of every collect), and these are the only
pieces of it that path needs. ``tests/test_cellref.py`` holds them to openpyxl's answers.
"""

from __future__ import annotations

import functools
import re

MAX_COLUMN = 18278
"""Column ZZZ, the last a three-letter reference can name."""
_A1 = re.compile(r"([A-Z]{1,3})(\d+)")
_LETTERS = re.compile(r"[A-Z]{1,3}")


@functools.lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    """``5`` -> ``"E"``, ``28`` -> ``"AB"``.

    Raises:
        ValueError: ``col`` is not between 1 and :data:`MAX_COLUMN`.
    """
    if not isinstance(col, int) or not 1 <= col <= MAX_COLUMN:
        raise ValueError(f"not a column number: {col!r}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@functools.lru_cache(maxsize=1024)
def column_number(letters: str) -> int:
    """``"AB"`` -> ``28`` (lower case allowed).

    Raises:
        ValueError: ``letters`` are not one to three letters A-Z.
    """
    upper = letters.upper() if isinstance(letters, str) else ""
    if not _LETTERS.fullmatch(upper):
        raise ValueError(f"not a column: {letters!r}")
    number = 0
    for letter in upper:
        number = number * 26 + ord(letter) - 64
    return number


def a1(row: int, col: int) -> str:
    """``(3, 5)`` -> ``"E3"``."""
    return f"{column_letters(col)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    """``"E3"`` -> ``(3, 5)``; ``$`` signs and lower case are allowed.

    Raises:
        ValueError: ``ref`` is not an A1 reference.
    """
    match = _A1.fullmatch(ref.replace("$", "").upper()) if isinstance(ref, str) else None
    if match is None or int(match.group(2)) == 0:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)), column_number(match.group(1))
