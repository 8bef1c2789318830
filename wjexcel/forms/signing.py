"""Tamper evidence for forms: an HMAC-SHA256 over a form's identity and its locked cells.

Sheet protection only guides a person (its legacy hash is broken and any program can
remove it). What proves that a returned form is the one we sent, for the reporter it
names, is a keyed signature: the workspace's secret key (``Workspace.signing_key()``,
never written into a form) signs the metadata and the value of every locked cell.

The signed cells are described in the metadata itself (``signed``: per sheet, a range
and the cells inside it that are not signed: inputs and formulas), and that
description is part of the signed message, so it cannot be widened unnoticed.

Values are canonicalised so that a re-save by LibreOffice, WPS or Excel, as .xlsx or
as .xls, signs the same: a number becomes its shortest text (``1400`` and ``1400.0``
agree), text is NFC with ``\\n`` line ends, and an empty cell, ``None`` and ``""`` are
the same. Formula cells are never signed: their cached values change on every
recalculation and programs rewrite formula text.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from json.encoder import encode_basestring

from wjexcel.cellref import a1, parse_a1
from wjexcel.forms.layout import SIGNATURE_ALG_KEY, SIGNATURE_KEY

ALGORITHM = "HMAC-SHA256/1"
_DOMAIN = "wjexcel-form-signature/1"

MAX_SIGNED_CELLS = 100_000
"""More cells than a form signs (a few hundred); a forged range of a whole sheet is refused, not walked."""

CellValue = Callable[[str, int, int], object]
"""``cell_value(sheet, row, col)``: a cell's value; raises KeyError for a missing sheet."""


def canonical(value) -> str:
    """The text a value is signed as, stable across Excel/WPS/LibreOffice re-saves."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return str(number)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return format(number, ".15g")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)




def signed_cells(signed: Mapping) -> Iterator[tuple[str, int, int]]:
    """Every signed cell as ``(sheet, row, col)``, in a fixed order.

    Raises:
        ValueError: ``signed`` is not what :func:`sign` was given (a damaged or forged form).
    """
    if not isinstance(signed, Mapping):
        raise ValueError("signed cells")
    ranges = []
    for sheet in sorted(signed):
        spec = signed[sheet]
        if not isinstance(spec, Mapping) or not isinstance(spec.get("range"), str):
            raise ValueError(f"signed range of {sheet!r}")
        skip = spec.get("skip", ())
        if not isinstance(skip, (list, tuple)) or not all(isinstance(s, str) for s in skip):
            raise ValueError(f"unsigned cells of {sheet!r}")
        first, _, last = spec["range"].partition(":")
        ranges.append((sheet, *parse_a1(first), *parse_a1(last or first), set(skip)))
    if sum(max(0, r2 - r1 + 1) * max(0, c2 - c1 + 1) for _, r1, c1, r2, c2, _ in ranges) > MAX_SIGNED_CELLS:
        raise ValueError("too many signed cells")
    for sheet, r1, c1, r2, c2, skip in ranges:
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                if a1(row, col) not in skip:
                    yield sheet, row, col


def message(meta: Mapping[str, object], cell_value: CellValue) -> bytes:
    """The bytes that are signed: every metadata entry but the signature, then the cells.

    The compact JSON text (not ASCII-escaped) of ``[domain, ["meta", key, value]…, [sheet, row,
    column, value]…]``, values canonical, written piece by piece: each signed cell's ``[sheet,row,column,``
    is worked out once for the forms of one generate (tests/forms/test_signing.py holds it to the
    list's ``json.dumps``)."""
    parts = [_ENCODED_DOMAIN]
    for key in sorted(meta):
        if key in (SIGNATURE_KEY, SIGNATURE_ALG_KEY):
            continue
        parts.append(f'["meta",{_json(key)},{_encode(canonical(meta[key]))}]')
    positions, prefixes = _signed_prefixes(canonical(meta.get("signed")))
    encoded = _ENCODED_TEXTS
    for (sheet, row, col), prefix in zip(positions, prefixes):
        value = cell_value(sheet, row, col)
        text = encoded.get(value) if value.__class__ is str else None
        if text is None:
            if value is None:
                text = '""'
            elif value.__class__ is str and value.isascii() and "\r" not in value:
                text = _encode(value)  # what canonical() gives: ASCII is its own NFC
            else:
                text = _encode(canonical(value))
            if value.__class__ is str and len(value) <= _LONGEST_ENCODED_TEXT and len(encoded) < _MOST_ENCODED_TEXTS:
                encoded[value] = text
        parts.append(f"{prefix}{text}]")
    return f"[{','.join(parts)}]".encode("utf-8")


_ENCODED_TEXTS: dict[str, str] = {}
"""A text cell's value and its canonical text as the message's JSON writes it: the forms of one
generate share most of their signed texts (names, units, targets), each worked out once."""
_MOST_ENCODED_TEXTS = 8192
_LONGEST_ENCODED_TEXT = 256
"""Names, units and targets are short; a long text (a remark, a forged form's) is not kept."""


_encode = encode_basestring
"""How ``json.dumps(…, ensure_ascii=False)`` writes a string."""

_ENCODED_DOMAIN = _encode(_DOMAIN)


def _json(value) -> str:
    """``value`` as it stands in the list's JSON (a metadata key is text, unless a form was forged)."""
    return _encode(value) if value.__class__ is str else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=64)
def _signed_prefixes(signed: str) -> tuple[tuple[tuple[str, int, int], ...], tuple[str, ...]]:
    """:func:`signed_cells` of a form's ``signed`` text, and each cell's ``[sheet,row,column,`` in the
    message, worked out once for the forms of one generate (they share it)."""
    try:
        spec = json.loads(signed or "{}")
    except RecursionError as exc:
        raise ValueError("signed cells nested too deeply") from exc
    positions = tuple(signed_cells(spec))
    return positions, tuple(f"[{_encode(sheet)},{row},{col}," for sheet, row, col in positions)


def sign(key: bytes, meta: Mapping[str, object], cell_value: CellValue) -> str:
    """The hex signature of a form."""
    return hmac.new(key, message(meta, cell_value), hashlib.sha256).hexdigest()


def verify(key: bytes, meta: Mapping[str, object], cell_value: CellValue) -> bool:
    """True when the form's signature matches its metadata and locked cells under ``key``."""
    expected = canonical(meta.get(SIGNATURE_KEY)).strip().lower()
    if not expected or canonical(meta.get(SIGNATURE_ALG_KEY)) != ALGORITHM:
        return False
    try:
        actual = sign(key, meta, cell_value)
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
