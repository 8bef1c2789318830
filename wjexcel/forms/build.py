"""Generate the collection forms (填报表): one workbook per 区镇 and per 责任单位.

The look comes from ``templates/report_template.xlsx`` (see docs/template.md); this
module decides what each sheet holds and writes the hidden, signed metadata sheet that
identifies the form, while ``wjexcel.forms.style`` styles, sizes, validates and protects.

Contract (PRODUCT.md): on ``指标填报`` an indicator's value cell is the first unlocked
cell of the row showing its name, the next unlocked cell is its 情况说明, the
signature block has an unlocked cell right of each label, and nothing else is unlocked.
"""

from __future__ import annotations

import json
import os
from copy import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter

import wjexcel
from wjexcel.forms import layout as L
from wjexcel.forms import sheets
from wjexcel.forms import template as T
from wjexcel.forms import validation as V
from wjexcel.forms import signing
from wjexcel.forms.facts import FormFacts
from wjexcel.atomic import replace_file
from wjexcel.periods import Period
from wjexcel.plan.model import DEPARTMENT, PLAN_TOTAL, STOCK, YEAR_COUNTS, Indicator, Plan, Reporter, format_number



@dataclass
class FormInfo:
    """One generated form."""

    reporter: str
    reporter_kind: str
    period: str
    path: Path
    form_id: str
    generated_at: str
    indicators: list[str]
    detail_lists: list[str]
    plan_id: str
    plan_version: str
    template_version: str





# --- targets ---------------------------------------------------------------------------------
def target_cell(plan: Plan, ind: Indicator, reporter: Reporter, year: int) -> tuple[object, float | None]:
    """What 本年目标 shows for a reporter, and the number 完成率 divides by (None: no rate).

    A reporter's own split target wins ("三年目标10" in a three-year plan); a group target is shown for the
    group; otherwise a 区镇 sees the district-wide target for reference, while a
    department (reporting district-wide figures) gets it as its own.
    """
    own = plan.reporter_target(ind, reporter, year)
    if own is not None:
        value, span = own
        if span == str(year):
            return value, value
        return f"{_span_target(plan, span)}{format_number(value)}", (value if ind.kind == PLAN_TOTAL else None)
    for group in ind.group_targets:
        if group.group in reporter.groups:
            return (f"{group.group}共同{_span_target(plan, group.span)}{format_number(group.value)}"
                    "（填本单位份额）"), None
    target = ind.target_for(year)
    if target is None and ind.kind == PLAN_TOTAL:
        total = ind.final_target()
        if total is None:
            return "—", None
        text = f"{plan.span_words}目标{total.label()}"
        if reporter.kind == DEPARTMENT:
            return text, total.value
        return f"全区{text}（参考）", None
    if target is None:
        return "—", None
    if reporter.kind == DEPARTMENT:
        plain = target.op == ">="
        return (target.value if plain else target.label()), target.value
    return f"全区{target.label()}（参考）", None


def _span_target(plan: Plan, span: str) -> str:
    """``三年目标`` for the whole plan, ``2022-2023目标`` for part of it."""
    return f"{plan.span_words}目标" if span == plan.span_label else f"{span}目标"


def _unit_text(plan: Plan, ind: Indicator) -> str:
    if ind.kind == PLAN_TOTAL:
        first = plan.years[0] if plan.years else ""
        return f"{ind.unit}（自{first}年起累计）"
    if ind.kind == STOCK:
        return f"{ind.unit}（期末数）"
    if ind.kind in YEAR_COUNTS:
        return f"{ind.unit}（本年累计）"
    return ind.unit


# --- one form --------------------------------------------------------------------------------
def build_form(plan: Plan, reporter: Reporter, period: Period | str, key: bytes, path: str | os.PathLike,
               *, generated_at: datetime | str, form_id: str,
               template: str | os.PathLike | None = None) -> FormInfo:
    """Write one reporter's form to ``path`` and return what was written."""
    period = Period.parse(period) if isinstance(period, str) else period
    tpl_path = Path(template) if template else L.template_path()
    generated = generated_at if isinstance(generated_at, str) else generated_at.isoformat(timespec="seconds")
    wb = load_workbook(tpl_path)
    tpl_version = T.template_version(wb, tpl_path)
    styles = T.read_styles(wb)
    indicators = plan.indicators_for(reporter, period)
    details = plan.detail_lists_for(reporter, period)
    values = _placeholder_values(plan, reporter, period, generated)

    _fill_guide(wb[L.GUIDE_SHEET], plan, reporter, period, indicators, values)
    _, check_ref = T.named_cell(wb, "wjx_check")
    layout, skip = _fill_main(wb[L.MAIN_SHEET], plan, reporter, period, indicators, styles, values,
                              check_ref)
    layout["details"] = {}
    detail_template = wb[L.DETAIL_TEMPLATE_SHEET]
    for dl in details:
        layout["details"][dl.code] = sheets.add_detail_sheet(wb, detail_template, dl, styles, values)
    wb.remove(detail_template)
    for name in list(wb.defined_names):
        if name.startswith("wjx_"):
            del wb.defined_names[name]
    wb.active = wb.sheetnames.index(L.MAIN_SHEET)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == L.MAIN_SHEET

    signed = {L.GUIDE_SHEET: {"range": _used_range(wb[L.GUIDE_SHEET]), "skip": []},
              L.MAIN_SHEET: {"range": f"A1:{get_column_letter(L.LAST_COL)}{layout['main']['last_row']}",
                             "skip": sorted(skip)}}
    for info in layout["details"].values():
        signed[info["sheet"]] = {
            "range": f"A1:{get_column_letter(info['first_col'] + len(info['columns']) - 1)}{info['header_row']}",
            "skip": []}
    layout["sheets"] = list(wb.sheetnames)
    meta = {
        L.META_MARKER: L.FORMAT_VERSION,
        "form_id": form_id, "plan_id": plan.plan_id, "plan_version": str(plan.version),
        "plan_name": plan.name, "reporter": reporter.name, "reporter_kind": reporter.kind,
        "period": period.code, "template_version": tpl_version, "generated_at": generated,
        "wjexcel_version": wjexcel.__version__,
        "layout": json.dumps(layout, ensure_ascii=False, sort_keys=True),
        "signed": json.dumps(signed, ensure_ascii=False, sort_keys=True),
        **FormFacts.for_form(plan, reporter, period).to_meta(),
    }
    meta[L.SIGNATURE_ALG_KEY] = signing.ALGORITHM
    meta[L.SIGNATURE_KEY] = signing.sign(key, meta, lambda s, r, c: wb[s].cell(r, c).value)
    _write_meta(wb, meta)
    for prop, value in (("wjexcel_form_id", form_id), ("wjexcel_reporter", reporter.name),
                        ("wjexcel_period", period.code), ("wjexcel_plan_id", plan.plan_id)):
        wb.custom_doc_props.append(StringProperty(name=prop, value=value))
    wb.properties.title = f"{period.label}{plan.title_of_form}（{reporter.name}）"
    wb.properties.creator = "wjexcel"
    wb.properties.subject = plan.name
    save_workbook(wb, Path(path))
    return FormInfo(reporter.name, reporter.kind, period.code, Path(path), form_id, generated,
                    [i.code for i in indicators], [d.name for d in details], plan.plan_id,
                    str(plan.version), tpl_version)


def _placeholder_values(plan: Plan, reporter: Reporter, period: Period, generated: str) -> dict[str, str]:
    try:
        deadline = datetime.fromisoformat(generated) + timedelta(days=plan.deadline_days)
        deadline_text = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    except ValueError:
        deadline_text = "（见通知）"
    return {
        "填报单位": reporter.name, "填报期间": period.label, "截至": period.end_label,
        "计划名称": plan.name, "计划简称": plan.short_name or plan.name, "报送截止": deadline_text,
        "牵头单位": plan.lead_unit or "牵头单位", "联系人": plan.contact or "（见通知）",
        "联系电话": plan.phone or "（见通知）", "序时进度": f"{period.elapsed:.0%}",
        "明细打印行数": str(L.DETAIL_PRINT_ROWS), "表名": plan.title_of_form,
    }


def _fill_guide(ws, plan, reporter, period, indicators, values) -> None:
    """Fill 填报说明: placeholders, one line per indicator at ``{指标口径}``, every line
    wrapping inside the full width of the sheet so nothing is cut when printed."""
    anchor = None
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "{指标口径}":
                anchor = cell
            elif isinstance(cell.value, str):
                cell.value = T.fill_placeholders(cell.value, values)
    T.fill_header_footer(ws, values)
    sheets.print_setup(ws, "")
    if anchor is not None:
        lines = []
        for n, ind in enumerate(indicators, start=1):
            shown, _ = target_cell(plan, ind, reporter, period.year)
            shown = format_number(shown) if isinstance(shown, (int, float)) else shown
            text = f"{n}. {ind.name}（{_unit_text(plan, ind)}，{ind.kind_label}）：本年目标 {shown}"
            if ind.note:
                text += f"；{ind.note}"
            for group in (g for g in ind.group_targets if g.group in reporter.groups):
                text += (f"；{group.group}共同目标：本单位填报的是本单位在共建项目中所占的份额，"
                         f"通过共建项目取得的成果计入本单位" + (f"（{group.note}）" if group.note else ""))
            lines.append(text)
        for offset, text in enumerate(lines or ["（无）"]):
            cell = ws.cell(anchor.row + offset, anchor.column, text)
            if offset:
                cell._style = copy(anchor._style)
    sheets.format_guide(ws)


def _fill_main(ws, plan, reporter, period, indicators, styles, values, check_ref):
    """Write 指标填报; return (layout, cells not signed)."""
    for cell in (ws.cell(L.TITLE_ROW, 1), ws.cell(L.SUBTITLE_ROW, 1)):
        cell.value = T.fill_placeholders(cell.value, values)
    T.fill_header_footer(ws, values)
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= L.FIRST_DATA_ROW:
            ws.unmerge_cells(str(rng))
    ws.delete_rows(L.FIRST_DATA_ROW, ws.max_row)
    for col, header in enumerate(L.HEADERS, start=1):
        styles["wjx_header"].apply(ws.cell(L.HEADER_ROW, col, header))

    skip: set[str] = set()
    rows: dict[str, int] = {}
    value_dvs: dict = {}
    remark_dv = V.text_validation(500, "情况说明", "简要说明完成情况、口径或未填原因（500字以内）。")
    row = L.FIRST_DATA_ROW
    number = sub = 0
    for ind in indicators:
        rows[ind.code] = row
        if ind.parent and ind.parent in rows:
            sub += 1
            label = f"{number}.{sub}"
        else:
            number, sub = number + 1, 0
            label = str(number)
        target, divisor = target_cell(plan, ind, reporter, period.year)
        cells = {
            L.COL_NO: (label, "wjx_cell"), L.COL_TASK: (plan.task(ind.task).name, "wjx_task"),
            L.COL_NAME: (ind.name, "wjx_sub_name" if ind.parent in rows else "wjx_name"),
            L.COL_UNIT: (_unit_text(plan, ind), "wjx_cell"), L.COL_TARGET: (target, "wjx_target"),
            L.COL_VALUE: (None, "wjx_input"), L.COL_REMARK: (None, "wjx_remark"),
        }
        value_ref = f"{get_column_letter(L.COL_VALUE)}{row}"
        if divisor:
            rate = f'=IF(ISNUMBER({value_ref}),{value_ref}/{format_number(divisor)},"")'
        else:
            rate = "—"
        cells[L.COL_RATE] = (rate, "wjx_rate")
        for col, (value, style) in cells.items():
            cell = ws.cell(row, col, value)
            styles[style].apply(cell, locked=col not in (L.COL_VALUE, L.COL_REMARK))
        kind = "pct" if ind.is_percent else ("whole" if ind.unit.strip() in L.COUNT_UNITS else "dec")
        if kind not in value_dvs:
            value_dvs[kind] = V.value_validation(ind)
        value_dvs[kind].add(value_ref)
        remark_dv.add(f"{get_column_letter(L.COL_REMARK)}{row}")
        skip.update({value_ref, f"{get_column_letter(L.COL_REMARK)}{row}"})
        if divisor:
            skip.add(f"{get_column_letter(L.COL_RATE)}{row}")
        row += 1
    last_data = row - 1
    sheets.merge_tasks(ws, indicators, rows)

    sign_cells = {}
    sign_dvs = V.signature_validations()
    row = last_data + 2
    for key, label in L.SIGNATURE_FIELDS:
        styles["wjx_sign_label"].apply(ws.cell(row, L.SIGN_LABEL_COL, label))
        target = ws.cell(row, L.SIGN_LABEL_COL + 1)
        styles["wjx_sign_input"].apply(target, locked=False)
        if key == "filled_on":
            target.number_format = "yyyy-mm-dd"
        sign_dvs[key].add(target.coordinate)
        sign_cells[key] = target.coordinate
        skip.add(target.coordinate)
        row += 1
    note_row = row
    note = ws.cell(note_row, 1, "注：浅黄色单元格为填写区，其余单元格已锁定。请打印后加盖公章，扫描件随电子表一并报送。")
    styles["wjx_note"].apply(note)
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=L.LAST_COL)

    for dv in [*value_dvs.values(), remark_dv, *sign_dvs.values()]:
        ws.add_data_validation(dv)
    check = ws[check_ref]
    check.value = V.check_formula(indicators, rows, last_data, sign_cells)
    styles["wjx_check"].apply(check)
    skip.add(check_ref)
    V.conditional_formats(ws, indicators, rows, last_data)

    sheets.fit_main_rows(ws, check, len(indicators), last_data, note_row)
    ws.freeze_panes = ws.cell(L.FIRST_DATA_ROW, 1).coordinate
    sheets.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}")
    ws.print_area = f"A1:{get_column_letter(L.LAST_COL)}{note_row}"
    sheets.fit_short_sheet(ws, note_row, L.LAST_COL)
    sheets.protect(ws)
    layout = {"main": {"sheet": L.MAIN_SHEET, "name_col": L.COL_NAME, "value_col": L.COL_VALUE,
                       "remark_col": L.COL_REMARK, "rows": rows, "last_row": note_row,
                       "last_col": L.LAST_COL},
              "signature": sign_cells}
    return layout, skip


def _used_range(ws) -> str:
    return f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"


def _write_meta(wb, meta: dict[str, str]) -> None:
    ws = wb.create_sheet(L.META_SHEET)
    for row, (key, value) in enumerate(meta.items(), start=1):
        ws.cell(row, 1).value = key
        cell = ws.cell(row, 2)
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text
    ws.sheet_state = "veryHidden"
    sheets.protect(ws)


def save_workbook(wb, path: Path) -> None:
    """Save through a verified temporary file, so a failed save never destroys a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, wb.save, _verify_xlsx)


def _verify_xlsx(path: Path) -> None:
    load_workbook(path, read_only=True).close()
