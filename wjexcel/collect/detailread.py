"""Read a returned form's 明细 sheets, and dates typed any usual way (:mod:`wjexcel.collect.formread` reads the rest)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from wjexcel import uscc
from wjexcel.forms import layout as L
from wjexcel.forms import signing
from wjexcel.forms.facts import FormFacts
from wjexcel.problems import Code
from wjexcel.records import DetailRow
from wjexcel.values import clean_text, fold_typed, is_blank, parse_number, shorten
from wjexcel.cellref import a1

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?\s*$", re.ASCII)


def parse_date(value) -> date | None:
    """A date typed any usual way: a date cell, an Excel serial number, 2022.3.5, 2022年3月5日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 30000 < value < 80000:  # 1982..2119 as an Excel serial date
            return date(1899, 12, 30) + timedelta(days=int(value))
        return None
    if isinstance(value, str):
        match = _DATE_TEXT.match(fold_typed(value).strip())
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


# --- 明细 -------------------------------------------------------------------------------------
def read_details(book, layout: L.FormLayout, facts: FormFacts, reading) -> None:
    problems = reading.problems
    for code, info in layout.details.items():
        dl = facts.lists.get(code)
        sheet = book.sheet(info.sheet)
        if sheet is None:
            problems.error(f"找不到明细表“{info.sheet}”（可能被改名或删除）。请使用下发的原表。",
                           code=Code.DETAIL_SHEET_MISSING)
            continue
        if dl is None:
            problems.warning(f"明细表“{info.sheet}”已不在当前计划中，未读取。", info.sheet,
                             code=Code.DETAIL_LIST_DROPPED)
            continue
        columns = {c.name: c for c in dl.columns}
        rows: list[DetailRow] = []
        seen_codes: dict[str, str] = {}
        filled = sorted({r for (r, c) in sheet.cells
                         if info.first_row <= r <= info.last_row and info.first_col <= c <= info.last_col})
        for row in filled:
            cells = [sheet.cells.get((row, info.first_col + offset)) for offset in range(len(info.columns))]
            raw = {name: None if cell is None or is_blank(cell.value) else signing.canonical(cell.value)
                   for name, cell in zip(info.columns, cells)}
            if all(v is None for v in raw.values()):
                continue
            entry = {}
            for offset, (name, cell) in enumerate(zip(info.columns, cells)):
                ref = a1(row, info.first_col + offset)
                entry[name] = _detail_value(columns.get(name), name, cell, sheet.name, ref, problems, seen_codes)
            rows.append(DetailRow(code, sheet.name, row, entry, raw))
        reading.details.extend(rows)
        _check_detail_total(dl, rows, reading, sheet.name)


def _detail_value(column, name, cell, sheet_name, ref, problems, seen_codes):
    if cell is None or is_blank(cell.value):
        if column is not None and column.required:
            problems.error(f"“{name}”是必填项，这一行没有填写。", sheet_name, ref, code=Code.DETAIL_REQUIRED)
        return None
    kind = column.type if column is not None else "text"
    if kind == "uscc":
        result = uscc.validate(cell.value)
        if not result.ok:
            problems.error(f"{result.error}。", sheet_name, ref, code=Code.DETAIL_USCC)
            return result.code
        if result.code in seen_codes:
            problems.error(f"统一社会信用代码 {result.code} 与 {seen_codes[result.code]} 重复，同一家单位只填一行。",
                           sheet_name, ref, code=Code.DETAIL_USCC_DUPLICATE)
        else:
            seen_codes[result.code] = ref
        return result.code
    if kind in ("number", "integer"):
        parsed = parse_number(cell.value, percent_unit=False)
        if parsed.error:
            problems.error(f"“{name}”：{parsed.error}。", sheet_name, ref, code=Code.DETAIL_NOT_NUMBER)
            return None
        if parsed.value is not None and parsed.value < 0:
            problems.error(f"“{name}”不能是负数。", sheet_name, ref, code=Code.DETAIL_NEGATIVE)
            return None
        if kind == "integer" and parsed.value is not None and float(parsed.value) != int(parsed.value):
            problems.error(f"“{name}”应为整数。", sheet_name, ref, code=Code.DETAIL_NOT_INTEGER)
        return None if parsed.value is None else float(parsed.value)
    if kind == "date":
        parsed_date = parse_date(cell.value)
        if parsed_date is None:
            problems.warning(f"“{name}”无法识别为日期，请写成 2022-10-08。", sheet_name, ref, code=Code.DETAIL_BAD_DATE)
            return clean_text(signing.canonical(cell.value))
        return parsed_date.isoformat()
    text = clean_text(signing.canonical(cell.value)).strip()
    if kind == "choice" and column.choices and text not in column.choices:
        problems.warning(f"“{name}”填的“{shorten(text, 30)}”不在可选项（{shorten('、'.join(column.choices), 60)}）中。",
                         sheet_name, ref, code=Code.DETAIL_BAD_CHOICE)
    return text


def _check_detail_total(dl, rows, reading, sheet_name: str) -> None:
    record = reading.value(dl.indicator)
    if dl.check == "none" or record is None or record.value is None:
        return
    if dl.check == "count":
        total, what = len(rows), f"明细共 {len(rows)} 行"
    else:
        total = sum(r.values.get(dl.sum_column) or 0 for r in rows)
        what = f"明细“{dl.sum_column}”合计 {total:g}"
    if abs(total - record.value) > 1e-6:
        reading.problems.warning(f"{what}，与“指标填报”{record.cell} 填报的 {record.value:g} 不一致，请核对。",
                                 sheet_name, code=Code.DETAIL_TOTAL)
