"""How wide text is, in spreadsheet column units (or terminal columns).

Neither openpyxl nor XlsxWriter measures text, and no viewer grows a row by itself, so
every writer of wjexcel estimates widths the same way: a wide character (CJK, full-width
punctuation) counts ``cjk`` units, any other character ``latin`` (half of ``cjk`` unless
given).
"""

from __future__ import annotations

import unicodedata


def text_units(value, cjk: float = 2.0, latin: float | None = None) -> float:
    """Width of ``value`` on one line."""
    half = cjk / 2 if latin is None else latin
    return sum(cjk if unicodedata.east_asian_width(ch) in "WF" else half for ch in str(value))
