"""Normalise what people type into a number cell, and clean text for outputs.

Returned forms carry numbers as text in every shape a keyboard allows: ``'１２００'``,
``'1,200'``, ``' 12 '``, ``'3.6%'``, ``'12家'``, ``'约12'``, ``'12万'``, ``'十二'``.
:func:`parse_number` accepts only what has one unambiguous reading and reports the
rest in Chinese; it never guesses. The raw text is always kept for provenance.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

EXCEL_TEXT_LIMIT = 32767
"""Excel's maximum number of characters in one cell."""

# Characters that Python's str.strip() keeps but a clerk cannot see.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\ufe63": "-"})
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
"""What a Chinese keyboard in full-width mode types for ASCII (１２，３４５．６％, the ideographic
space): the one folding a person means. Superscripts, circled or dotted digits and other
scripts' digits are not folded (NFKC would make 10³ 103 and ①12 112): they are refused."""
_NUMBER_CATEGORIES = ("Nd", "No", "Nl")

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_EXPONENT_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_RE = re.compile(
    r"(?:\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?|\d{4}\.\d{1,2}\.\d{1,2})" + _TIME
    + r"|\d{2,4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月(?:\d{1,2}[日号])?"
    r"|\d{1,2}/\d{1,2}|\d{1,2}:\d{2}(?::\d{2})?"
)
_RANGE_RE = re.compile(r"[+-]?\d[\d.,]*\s*(?:-|~|～|〜|至|到|—|–)\s*\d[\d.,]*")
_APPROX_PREFIXES = ("约", "大约", "大概", "近", "将近", "接近", "超过", "不到", "不足", "≈", "~", "～")
_APPROX_SUFFIXES = ("左右", "多", "余", "以上", "以下", "上下", "+")
_MAGNITUDE_SUFFIXES = ("万亿", "亿", "万", "千", "百", "k", "K", "w", "W")
_PLACEHOLDERS = frozenset(
    "无 暂无 没有 空 未知 不详 待定 待统计 /  - -- — —— – 0/0 n/a na none null 缺 略 见备注".split()
)
_CHINESE_NUMERALS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点")


@dataclass(frozen=True)
class ParsedNumber:
    """The result of reading one number cell.

    Attributes:
        value: The number, or ``None`` when blank or not readable.
        raw: What was in the cell, as text (``None`` only for an empty cell).
        error: Chinese reason when the entry is not an acceptable number.
        note: Chinese remark on an accepted normalisation (e.g. a removed unit).
    """

    value: float | int | None
    raw: str | None
    error: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def is_blank(value) -> bool:
    """True for ``None`` and for text holding only spaces or invisible characters."""
    if value is None:
        return True
    if isinstance(value, str):
        return not _INVISIBLE_RE.sub("", value).strip()
    return False


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to ``limit`` characters with ``ellipsis`` appended when it was longer."""
    return text if len(text) <= limit else text[:limit] + ellipsis


def _quote(text: str, limit: int = 20) -> str:
    text = clean_text(text).replace("\n", " ")
    return f"“{shorten(text, limit)}”"


def _number(text: str) -> int | float:
    """An int for a plain integer that a float holds exactly, else a float (inf when too large)."""
    if re.fullmatch(r"[+-]?\d{1,15}", text):
        return int(text)
    return float(text)


def parse_number(raw, *, percent_unit: bool, unit: str | None = None) -> ParsedNumber:
    """Read what was typed into a number cell.

    Accepted: real numbers; text of a plain number after folding full-width typing (digits,
    ``，``, ``．``, ``％``: :func:`fold_typed`, not NFKC),
    trimming (also ``\\xa0``, ideographic and zero-width spaces) and removing correct
    thousands separators (``1,200``); a trailing ``%`` only when ``percent_unit``
    (``3.6%`` -> 3.6, the indicator is already in %); a trailing unit word equal to
    ``unit`` (``12家`` when the unit is 家) because it restates the form's own unit.
    Negative numbers are returned as they are; the checker decides about them.

    Rejected with a Chinese reason: booleans, dates and times, ``约12``, ``12万``, ``10³``,
    ``①12`` and other digits that are not keyboard digits, ``1e3`` (scientific notation),
    ranges (``10-12``), Chinese numerals, placeholders (``无``, ``—``), ambiguous
    separators (``1,20``), any other text. Blank gives ``value=None`` with no error.

    Args:
        raw: The cell value as a reader returned it.
        percent_unit: The indicator's unit is %.
        unit: The indicator's unit word, if any (``家``, ``万元``).
    """
    if raw is None:
        return ParsedNumber(None, None)
    if isinstance(raw, bool):
        return ParsedNumber(None, str(raw), "应填数字，这里填的是逻辑值（TRUE/FALSE）")
    if isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
        return ParsedNumber(None, str(raw), f"应填数字，这里填的是日期或时间（{raw}），请检查单元格格式")
    if isinstance(raw, Decimal):
        raw = float(raw)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return ParsedNumber(None, str(raw), "数字位数太多或数值无效，超出了任何指标的合理范围，请核实后只填数字")
        return ParsedNumber(raw, str(raw))
    if not isinstance(raw, str):
        return ParsedNumber(None, str(raw), f"无法识别的内容 {_quote(str(raw))}，请只填数字")
    return _parse_text(raw, percent_unit, unit)


def fold_typed(text: str) -> str:
    """Full-width ASCII and the ideographic space as a person means them (１２．５％ -> 12.5%); nothing else."""
    return text.translate(_FULL_WIDTH).translate(_MINUS_SIGNS)


def _parse_text(raw: str, percent_unit: bool, unit: str | None) -> ParsedNumber:
    text = fold_typed(raw)
    text = _INVISIBLE_RE.sub("", text).strip()
    if not text:
        return ParsedNumber(None, raw)
    shown = _quote(raw.strip())

    def fail(reason: str) -> ParsedNumber:
        return ParsedNumber(None, raw, reason)

    if text.lower() in _PLACEHOLDERS:
        return fail(f"{shown}不是数字：没有就填 0，不清楚请留空并在备注中说明")
    odd = next((ch for ch in text if not ch.isascii() and ch not in _CHINESE_NUMERALS
                and unicodedata.category(ch) in _NUMBER_CATEGORIES), None)
    if odd is not None:
        return fail(f"{shown}中的“{odd}”不是普通数字（上标、圈码、带点的数字或其他文字的数字），"
                    "无法确定数值，请用键盘上的数字重新填写")
    if _EXPONENT_RE.fullmatch(text.replace(",", "")):
        return fail(f"{shown}是科学计数法的写法，请直接填写完整的数字（如 1000）")
    notes = []
    unit_word = (unit or "").strip()
    if unit_word and unit_word != "%":
        unit_norm = fold_typed(unit_word)
        if text.endswith(unit_norm) and len(text) > len(unit_norm):
            text = text[: -len(unit_norm)].rstrip()
            notes.append(f"已去掉单位“{unit_word}”")
    if text.endswith("%"):
        if not percent_unit:
            return fail(f"{shown}是百分数，但这个指标的单位不是 %，请按指标单位填数字")
        text = text[:-1].rstrip()
        notes.append("已去掉百分号（指标单位就是 %）")
    if text.startswith(_APPROX_PREFIXES) or text.endswith(_APPROX_SUFFIXES):
        return fail(f"{shown}不是确定的数字，请填准确数字")
    if text.startswith("="):
        return fail(f"{shown}是公式文本，不是数字，请直接填数字")
    if _DATE_RE.fullmatch(text):
        return fail(f"{shown}像是日期，这里应填数字")
    if _RANGE_RE.fullmatch(text):
        return fail(f"{shown}是一个范围，请填一个确定的数字")
    for suffix in _MAGNITUDE_SUFFIXES:
        if text.endswith(suffix) and _NUMBER_RE.fullmatch(text[: -len(suffix)].replace(",", "")):
            return fail(f"{shown}带有数量单位“{suffix}”，请按指标单位换算后只填数字")
    if _CHINESE_NUMERALS.issuperset(text):
        return fail(f"{shown}是汉字数字，请用阿拉伯数字填写（如 12）")
    if "," in text:
        if not _THOUSANDS_RE.fullmatch(text):
            return fail(f"{shown}中的逗号位置不对，无法确定数值，请只填数字（如 1200）")
        text = text.replace(",", "")
    if _NUMBER_RE.fullmatch(text):
        value = _number(text)
        if not math.isfinite(value):
            return fail(f"{shown}位数太多，超出了任何指标的合理范围，请核实后只填数字")
        return ParsedNumber(value, raw, None, "；".join(notes) or None)
    if re.search(r"\s", text) and _NUMBER_RE.fullmatch(re.sub(r"\s", "", text)):
        return fail(f"{shown}中间有空格，请只填一个数字")
    match = re.match(r"[+-]?\d+(?:\.\d+)?", text)
    if match and unit_word and unit_word != "%":
        return fail(f"{shown}后面的文字与指标单位“{unit_word}”不一致，请按指标单位只填数字")
    if match:
        return fail(f"{shown}数字后面带有文字，请只填数字")
    return fail(f"{shown}不是数字，请只填数字")


_EXCEL_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_excel_escapes(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes in xlsx text turned back into the characters typed.

    Excel writes a carriage return as ``_x000D_`` and a literal ``_x000D_`` as
    ``_x005F_x000D_``; one left-to-right pass undoes both. openpyxl leaves them as they are.
    A lone UTF-16 surrogate, which no text can hold, becomes U+FFFD.
    """
    if "_x" not in text:
        return text

    def char(match) -> str:
        code = int(match.group(1), 16)
        return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)

    return _EXCEL_ESCAPE_RE.sub(char, text)


FORMULA_STARTS = ("=", "+", "-", "@")
"""What Excel turns into a formula when a clerk edits a text cell starting with it."""


def needs_keep_as_text(value) -> bool:
    """Text a spreadsheet would take for a formula when the cell is edited: it must be written
    with Excel's keep-as-text flag (``quotePrefix``, what a leading apostrophe sets).
    Every writer of text cells asks this one question."""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS)


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(value, max_len: int = EXCEL_TEXT_LIMIT) -> str:
    """Make untrusted text safe to write into an output workbook.

    Removes control characters (keeps ``\\n`` and ``\\t``; ``\\r\\n`` becomes ``\\n``),
    lone surrogates and XML non-characters, and cuts to ``max_len`` characters.
    It does not neutralise a leading ``=``: writers must force text cells.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    return text[:max_len]
