"""Cell values of an ordinary .xlsx decoded from the parts :mod:`wjexcel.collect.fastread` has
already inflated, exactly as python-calamine gives them.

Each rule follows what calamine does with the same bytes, so a form reads the same on the fast
path as it did when calamine decoded it: numbers by the strict decimal syntax (a date or a time
where the cell's style has a date format, by calamine's test of the format); shared and inline
strings as the text of their ``<t>`` runs without the phonetic ones, trimmed unless
``xml:space="preserve"``, with ``_x00HH_`` escapes decoded; ``str`` results with their entities
and ``_x00HH_`` escapes decoded, not trimmed; booleans as "not ``0``"; the seven classic errors; ISO dates (``t="d"``)
in their plain forms. Anything else raises :class:`NotFast` and the file is read the careful way.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import xml.etree.ElementTree as _PlainET  # only ever given text between two tags of our own

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET


class NotFast(Exception):
    """This file is read the careful way (the reason, for the debug log)."""


# --- text ------------------------------------------------------------------------------------------
_EXCEL_ESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2}|\+[0-9A-Fa-f])_")
_PREFIXED_ELEMENT = re.compile(rb"<[^\s<>/!?=\"']*:")
_PHONETIC = re.compile(rb"<rPh(?:\s[^>]*)?(?:/>|>.*?</rPh\s*>)", re.S)
_RUN_TEXT = re.compile(rb"""<t((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(?:/>|>([^<]*)</t\s*>)""")
_T_START = re.compile(rb"<t[\s/>]")
_PRESERVE = re.compile(rb"""\sxml:space\s*=\s*(?:"preserve"|'preserve')""")
_SI = re.compile(rb"<si\s*(?:/>|>(.*?)</si\s*>)", re.S)
_SI_START = re.compile(rb"<si[\s/>]")


def xml_text(raw: bytes) -> str:
    """Character data as an XML parser gives it: UTF-8, line ends normalised, entities decoded."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotFast("not UTF-8 text") from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:  # entities and character references, decoded by expat (no markup can be in ``raw``)
        try:
            text = _PlainET.fromstring(f"<t>{text}</t>").text or ""
        except _PlainET.ParseError as exc:
            raise NotFast("an entity") from exc
    return text


def _excel_escapes(text: str) -> str:
    """``_x000D_`` -> CR, as calamine decodes them (two hex digits after ``_x00`` only)."""
    if "_x00" not in text:
        return text
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def rich_text(body: bytes) -> str:
    """The text of a shared string's ``<si>`` or a cell's ``<is>`` (their inside); a short one is
    remembered, as the forms of one plan hold the same texts."""
    return _short_text(body) if len(body) <= 4096 else _text_of(body)


@functools.lru_cache(maxsize=16384)
def _short_text(body: bytes) -> str:
    return _text_of(body)


def _text_of(body: bytes) -> str:
    if body[:3] == b"<t>" and body[-4:] == b"</t>" and b"<" not in body[3:-4]:  # nearly always
        return _excel_escapes(xml_text(body[3:-4]).strip(" \t\r\n"))
    if _PREFIXED_ELEMENT.search(body):
        raise NotFast("a prefixed string")
    if b"rPh" in body:
        body = _PHONETIC.sub(b"", body)
    runs = _RUN_TEXT.findall(body)
    if len(runs) != len(_T_START.findall(body)):
        raise NotFast("a string's text")  # CDATA, markup inside <t>
    out = []
    for attrs, raw in runs:
        text = xml_text(raw)
        out.append(_excel_escapes(text if _PRESERVE.search(attrs) else text.strip(" \t\r\n")))
    return "".join(out)


def shared_strings(body: bytes | None) -> list[str] | None:
    """The shared-string table (``None`` when the workbook has none)."""
    if body is None:
        return None
    if not re.search(rb"<sst[\s>/]", body):
        raise NotFast("shared strings")
    if _PREFIXED_ELEMENT.search(body):
        raise NotFast("prefixed shared strings")
    found = _SI.findall(body)
    if len(found) != len(_SI_START.findall(body)):
        raise NotFast("shared strings")
    return [rich_text(si) for si in found]


# --- numbers, dates ----------------------------------------------------------------------------------
_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
OTHER, DATETIME, TIMEDELTA = 0, 1, 2
_EPOCH = _dt.datetime(1899, 12, 30)
_LOWEST, _HIGHEST = -600_000.0, 2_958_465.0  # serials decoded here (years ~257 to 9999)


def number(raw: bytes) -> float:
    if not _NUMBER.fullmatch(raw):
        raise NotFast("a number")
    return float(raw)


def _date_kind(code: str) -> int:
    """calamine's test of a custom number format: a date, a duration or neither."""
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif is_quote:
            if s == '"':
                is_quote = False
        elif s == '"':
            is_quote = True
        elif s == ";":
            return OTHER
        elif s == "[":
            brackets = min(brackets + 1, 255)
        elif s == "]" and brackets == 1 and hms:
            return TIMEDELTA
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif s in "pm/PM" and ap and brackets == 0:
            return DATETIME
        elif s in "dmhysDMHYS" and not ap and brackets == 0:
            return DATETIME
        elif hms and s.lower() == prev.lower() and s.isascii():
            pass
        else:
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return OTHER


_BUILTIN_DATES = {"14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"}


@functools.lru_cache(maxsize=16)
def date_kinds(styles: bytes | None) -> tuple[int, ...]:
    """Per cell style (``cellXfs``), whether calamine takes its numbers as dates or durations."""
    if not styles:
        return ()
    try:
        root = DefusedET.fromstring(styles)
    except (DefusedET.ParseError, DefusedXmlException, ValueError) as exc:
        raise NotFast("unreadable styles") from exc
    ns = root.tag.rpartition("}")[0] + "}" if root.tag.startswith("{") else ""
    custom = {}
    for group in root.iter(f"{ns}numFmts"):
        for node in group.iter(f"{ns}numFmt"):
            if node.get("numFmtId") is not None and node.get("formatCode") is not None:
                custom[node.get("numFmtId")] = node.get("formatCode")
    kinds = []
    for group in root.iter(f"{ns}cellXfs"):
        for xf in group.iter(f"{ns}xf"):
            raw = xf.get("numFmtId")
            if raw is None:
                kinds.append(OTHER)
            elif raw in custom:
                kinds.append(_date_kind(custom[raw]))
            else:
                kinds.append(TIMEDELTA if raw == "46" else DATETIME if raw in _BUILTIN_DATES else OTHER)
    return tuple(kinds)


def _round(x: float) -> int:
    """Rust's ``f64::round``: halves away from zero."""
    if x < 0:
        return -_round(-x)
    whole = math.floor(x)
    return int(whole) + (1 if x - whole >= 0.5 else 0)


def as_date(value: float, kind: int, is_1904: bool):
    """What python-calamine gives for a number in a date or duration format."""
    if not _LOWEST < value < _HIGHEST:
        raise NotFast("a date out of range")
    if kind == TIMEDELTA:
        return _dt.timedelta(milliseconds=_round(value * 86_400_000.0))
    serial = value + 1462.0 if is_1904 else value
    if serial < 60.0:
        serial += 1.0
    moment = _EPOCH + _dt.timedelta(milliseconds=_round(serial * 86_400_000.0))
    if value < 1.0:
        return moment.time()
    if value == math.floor(value):
        return moment.date()
    return moment


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?")


def iso_date(raw: bytes):
    """A ``t="d"`` value in its plain forms (date, date and time, time); NotFast otherwise."""
    text = raw.decode("ascii", "replace")
    day, _, clock = text.partition("T")
    try:
        if not clock and _ISO_DATE.fullmatch(day):
            return _dt.date.fromisoformat(day)
        if clock and _ISO_DATE.fullmatch(day) and _ISO_TIME.fullmatch(clock) and clock[6:8] != "60":
            return _dt.datetime.fromisoformat(f"{day}T{clock.ljust(15, '0') if '.' in clock else clock}")
        if ":" in text and _ISO_TIME.fullmatch(text) and text[6:8] != "60":
            return _dt.time.fromisoformat(text.ljust(15, "0") if "." in text else text)
    except ValueError as exc:
        raise NotFast("a date") from exc
    raise NotFast("a date")


# --- a cell --------------------------------------------------------------------------------------
_ERRORS = {b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"}
_BODY = re.compile(rb"\s*(?:<f(?:\s[^>]*)?(?:/>|>[^<]*</f\s*>)\s*)?"
                   rb"(?:(<v(?:\s[^>]*)?(?:/>|>([^<]*)</v\s*>))|(<is\s*(?:/>|>(.*)</is\s*>)))?\s*", re.S)
"""A cell's body as calamine takes it: a formula first, then one value (the last element wins)."""


class Workbook:
    """What decoding a workbook's values needs: its strings, date styles and epoch."""

    __slots__ = ("strings", "kinds", "is_1904")

    def __init__(self, strings, kinds, is_1904):
        self.strings, self.kinds, self.is_1904 = strings, kinds, is_1904

    def numeric(self, raw: bytes, style: bytes):
        value = float(raw) if raw.isdigit() else number(raw)
        if style and self.kinds:
            index = int(style) if style.isdigit() else 0
            kind = self.kinds[index] if index < len(self.kinds) else OTHER
            if kind:
                return as_date(value, kind, self.is_1904)
        return value

    def value(self, kind: bytes, style: bytes, inner: bytes):
        """The value calamine gives for a cell of type ``kind`` with body ``inner`` (``""``: empty)."""
        match = _BODY.fullmatch(inner)
        if match is None:
            raise NotFast("a cell's body")
        if match.group(3) is not None:
            return rich_text(match.group(4) or b"")
        if match.group(1) is None or kind in (b"inlineStr", b"is"):
            return ""
        raw = match.group(2) or b""
        if kind in (b"", b"n"):
            return self.numeric(raw, style) if raw else ""
        if kind == b"s":
            if not raw:
                return ""
            if not raw.isdigit() or self.strings is None or int(raw) >= len(self.strings):
                raise NotFast("a shared string index")
            return self.strings[int(raw)]
        if kind == b"str":
            return _excel_escapes(xml_text(raw))
        if kind == b"b":
            if b"&" in raw:
                raise NotFast("a boolean")
            return raw != b"0" if raw else ""
        if kind == b"e":
            if raw and raw not in _ERRORS:
                raise NotFast("an error value")
            return ""
        if kind == b"d":
            return iso_date(raw) if raw else ""
        raise NotFast("a cell type")
