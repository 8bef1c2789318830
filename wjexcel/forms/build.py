"""Generate the collection forms (填报表): one workbook per 区镇 and per 责任单位.

The look comes from ``templates/report_template.xlsx`` (see docs/template.md), read once
per ``generate`` (:mod:`wjexcel.forms.template`); this module decides what each sheet
holds and the hidden, signed metadata sheet that identifies the form; :mod:`wjexcel.forms.sheets`
sizes and lays out, :mod:`wjexcel.forms.validation` validates, and the form is written in
one pass by XlsxWriter (:mod:`wjexcel.forms.xlsxout`).

Contract (docs/规格说明.md §7): on ``指标填报`` an indicator's value cell is the first unlocked
cell of the row showing its name, the next unlocked cell is its 情况说明, the
signature block has an unlocked cell right of each label, and nothing else is unlocked.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import wjexcel
from wjexcel.atomic import verify_zip, write_bytes
from wjexcel.cellref import a1
from wjexcel.forms import layout as L
from wjexcel.forms import sheets
from wjexcel.forms import signing
from wjexcel.forms import validation as V
from wjexcel.forms.facts import FormFacts
from wjexcel.forms.grid import Sheet
from wjexcel.forms.template import Template, fill_sheet, load_template
from wjexcel.forms.xlsxout import Properties, to_xlsx
from wjexcel.periods import Period, chinese_date
from wjexcel.plan.model import (DEPARTMENT, MILESTONE_STATES, MILESTONE_WORDS, PLAN_TOTAL, STOCK, YEAR_COUNTS,
                                Indicator, Reporter, Target, due_label, format_number)
from wjexcel.plan.plan import Plan


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
    if ind.is_milestone:
        return milestone_due_text(ind), None
    if ind.is_down:
        return _cap_cell(plan, ind, reporter, year)
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
        plain = target.op == ">=" and not target.words and target.value is not None
        return (target.value if plain else target.label()), target.value
    return f"全区{target.label()}（参考）", None


CAP_NOTE = "越小越好，控制目标"
"""What a 越小越好 row's 本年目标 says beside its cap."""


def _cap_cell(plan: Plan, ind: Indicator, reporter: Reporter, year: int) -> tuple[str, float | None]:
    """本年目标 of a 越小越好 row: the cap as ``≤32`` with “（越小越好，控制目标）”, and the number the
    已用 share divides by — only for a cap on what the year adds up to (increment, annual) held
    against the reporter's own figure; a level (stock, ratio) that must fall has no such share."""
    target = ind.target_for(year)
    share = ind.kind in YEAR_COUNTS
    own = plan.reporter_target(ind, reporter, year)
    if own is not None and own[1] == str(year):
        op = target.op if target is not None and target.is_cap else "<="
        return f"{Target(own[0], op).label()}（{CAP_NOTE}）", own[0] if share else None
    if target is None:
        return "—", None
    if reporter.kind == DEPARTMENT:
        return f"{target.label()}（{CAP_NOTE}）", target.value if share else None
    return f"全区{target.label()}（参考；{CAP_NOTE}）", None


def milestone_due_text(ind: Indicator) -> str:
    """本年目标 of a 节点任务 row: when it is due and what is due (``2023年6月底前完成``, ``2023年底前建成``)."""
    target = ind.due_target()
    if target is None:
        return "—"
    due = due_label(target.due)
    words = target.words.strip()
    if not words or words[:1].isdigit():  # a date: 2023年6月底, 2023-06
        deliverable = next((w for w in MILESTONE_WORDS if w in words), "完成")
        return f"{due}前{deliverable}"
    return f"{due}前{words}"


def _span_target(plan: Plan, span: str) -> str:
    """``三年目标`` for the whole plan, ``2022-2023目标`` for part of it."""
    return f"{plan.span_words}目标" if span == plan.span_label else f"{span}目标"


def _unit_text(plan: Plan, ind: Indicator) -> str:
    if ind.is_milestone:
        return "节点任务"
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
               template: Template | str | os.PathLike | None = None, deadline: date | None = None) -> FormInfo:
    """Write one reporter's form to ``path`` and return what was written.

    ``template`` is the template read once for many forms (:func:`load_template`), or its path;
    ``deadline`` the 截止日期 printed on it (default: generated + 报送期限（天）).
    """
    period = Period.parse(period) if isinstance(period, str) else period
    tpl = template if isinstance(template, Template) else load_template(template)
    generated = generated_at if isinstance(generated_at, str) else generated_at.isoformat(timespec="seconds")
    indicators = plan.indicators_for(reporter, period)
    details = plan.detail_lists_for(reporter, period)
    values = _placeholder_values(plan, reporter, period, generated, deadline)

    guide = _guide_sheet(tpl, plan, reporter, period, indicators, values)
    main, layout, skip = _main_sheet(tpl, plan, reporter, period, indicators, values)
    choices = sheets.Choices()
    book = [guide, main]
    layout["details"] = {}
    for dl in details:
        sheet, info = sheets.detail_sheet(tpl, dl, values, choices)
        book.append(sheet)
        layout["details"][dl.code] = info
    if choices.sheet.cells:
        book.append(choices.sheet)
    for sheet in book:
        sheet.settle()
    by_name = {sheet.name: sheet for sheet in book}

    last_row, last_col = guide.used
    signed = {L.GUIDE_SHEET: {"range": f"A1:{a1(last_row, last_col)}", "skip": []},
              L.MAIN_SHEET: {"range": f"A1:{a1(layout['main']['last_row'], L.LAST_COL)}",
                             "skip": sorted(skip)}}
    for info in layout["details"].values():
        signed[info["sheet"]] = {
            "range": f"A1:{a1(info['header_row'], info['first_col'] + len(info['columns']) - 1)}", "skip": []}
    layout["sheets"] = [sheet.name for sheet in book]
    meta = {
        L.META_MARKER: L.FORMAT_VERSION,
        "form_id": form_id, "plan_id": plan.plan_id, "plan_version": str(plan.version),
        "plan_name": plan.name, "reporter": reporter.name, "reporter_kind": reporter.kind,
        "period": period.code, "template_version": tpl.version, "generated_at": generated,
        "wjexcel_version": wjexcel.__version__,
        "layout": json.dumps(layout, ensure_ascii=False, sort_keys=True),
        "signed": json.dumps(signed, ensure_ascii=False, sort_keys=True),
        **FormFacts.for_form(plan, reporter, period.year, indicators, details).to_meta(),
    }
    meta[L.SIGNATURE_ALG_KEY] = signing.ALGORITHM
    meta[L.SIGNATURE_KEY] = signing.sign(key, meta, lambda s, r, c: by_name[s].value(r, c))
    book.append(_meta_sheet(meta))
    properties = Properties(
        title=f"{period.label}{plan.title_of_form}（{reporter.name}）", author="wjexcel", subject=plan.name,
        custom={"wjexcel_form_id": form_id, "wjexcel_reporter": reporter.name,
                "wjexcel_period": period.code, "wjexcel_plan_id": plan.plan_id})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, to_xlsx(book, properties, active=L.MAIN_SHEET), lambda tmp: verify_zip(tmp, path.name))
    return FormInfo(reporter.name, reporter.kind, period.code, path, form_id, generated,
                    [i.code for i in indicators], [d.name for d in details], plan.plan_id,
                    str(plan.version), tpl.version)


def _placeholder_values(plan: Plan, reporter: Reporter, period: Period, generated: str,
                        due: date | None = None) -> dict[str, str]:
    try:
        deadline = due or datetime.fromisoformat(generated) + timedelta(days=plan.deadline_days)
        deadline_text = chinese_date(deadline)
    except ValueError:
        deadline_text = "（见通知）"
    return {
        "填报单位": reporter.name, "填报期间": period.label, "截至": period.end_label,
        "计划名称": plan.name, "计划简称": plan.short_name or plan.name, "报送截止": deadline_text,
        "牵头单位": plan.lead_unit or "牵头单位", "联系人": plan.contact or "（见通知）",
        "联系电话": plan.phone or "（见通知）", "序时进度": f"{period.elapsed:.0%}",
        "明细打印行数": str(L.DETAIL_PRINT_ROWS), "表名": plan.title_of_form,
    }


def _guide_sheet(tpl: Template, plan, reporter, period, indicators, values) -> Sheet:
    """填报说明: placeholders filled, one line per indicator at ``{指标口径}``, every line
    wrapping inside the full width of the sheet so nothing is cut when printed."""
    sheet = tpl.sheet(L.GUIDE_SHEET)
    anchor = next((pos for pos, cell in sheet.cells.items() if cell.value == "{指标口径}"), None)
    fill_sheet(sheet, values)
    sheets.print_setup(sheet, None)
    if anchor is not None:
        lines = _special_rows_help(indicators)
        for n, ind in enumerate(indicators, start=1):
            shown, _ = target_cell(plan, ind, reporter, period.year)
            shown = format_number(shown) if isinstance(shown, (int, float)) else shown
            if ind.is_milestone:
                text = f"{n}. {ind.name}（节点任务）：{shown}；选择进展状态，在“情况说明”格写进展情况"
            else:
                text = f"{n}. {ind.name}（{_unit_text(plan, ind)}，{ind.kind_label}）：本年目标 {shown}"
            if ind.negative_allowed:
                text += "；可填负数"
            if ind.note:
                text += f"；{ind.note}"
            for group in (g for g in ind.group_targets if g.group in reporter.groups):
                text += (f"；{group.group}共同目标：本单位填报的是本单位在共建项目中所占的份额，"
                         f"通过共建项目取得的成果计入本单位" + (f"（{group.note}）" if group.note else ""))
            lines.append(text)
        style = sheet.style(*anchor)
        for offset, text in enumerate(lines or ["（无）"]):
            sheet.put(anchor[0] + offset, anchor[1], text, style)
    sheets.format_guide(sheet)
    return sheet


def _special_rows_help(indicators) -> list[str]:
    """How to fill the rows that are not a plain number, each with an example from this form."""
    lines = []
    milestone = next((i for i in indicators if i.is_milestone), None)
    if milestone is not None:
        lines.append(f"节点任务（如“{milestone.name}”）：不填数字，在“截至本期完成”格的下拉列表中选择"
                     f"“{'”“'.join(MILESTONE_STATES)}”之一，在同一行的“情况说明”格写明进展情况"
                     "（已做了哪些工作、下一步安排、预计完成时间）。")
    cap = next((i for i in indicators if i.is_down), None)
    if cap is not None:
        lines.append(f"越小越好的指标（控制目标，如“{cap.name}”）：如实填写实际数，不超过目标即为达标，"
                     "不要因为超过目标而少填；“完成率”一栏对控制上限显示已用的比例（已用100%即用满）。")
    negative = next((i for i in indicators if i.negative_allowed), None)
    if negative is not None:
        lines.append(f"可为负数的指标（如“{negative.name}”）：下降或减少时填负数，如 -1.2。")
    return lines


def _main_sheet(tpl: Template, plan, reporter, period, indicators, values):
    """指标填报; return (sheet, layout, cells not signed)."""
    styles = tpl.styles
    sheet = tpl.sheet(L.MAIN_SHEET)
    fill_sheet(sheet, values)
    sheet.clear_rows(L.FIRST_DATA_ROW)
    for col, header in enumerate(L.HEADERS, start=1):
        sheet.put(L.HEADER_ROW, col, header, styles["wjx_header"])

    skip: set[str] = set()
    rows: dict[str, int] = {}
    value_ranges: dict[str, list] = {}
    value_dvs: dict[str, dict] = {}
    remark_ranges, milestone_remarks = [], []
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
        for col, value, style in (
            (L.COL_NO, label, "wjx_cell"), (L.COL_TASK, plan.task(ind.task).name, "wjx_task"),
            (L.COL_NAME, ind.name, "wjx_sub_name" if ind.parent in rows else "wjx_name"),
            (L.COL_UNIT, _unit_text(plan, ind), "wjx_cell"), (L.COL_TARGET, target, "wjx_target"),
        ):
            sheet.put(row, col, value, styles[style])
        value_style = styles["wjx_input"].but(locked=False)
        sheet.put(row, L.COL_VALUE, None, value_style.but(horizontal="center") if ind.is_milestone else value_style)
        sheet.put(row, L.COL_REMARK, None, styles["wjx_remark"].but(locked=False))
        value_ref = a1(row, L.COL_VALUE)
        if divisor:
            rate = styles["wjx_rate"]
            if ind.is_down:  # a cap: the share of it used so far, never a 完成率
                rate = rate.but(num_format='"已用"0%', wrap=False, shrink=True)  # one line in the narrow column
            sheet.put_formula(row, L.COL_RATE, f'=IF(ISNUMBER({value_ref}),{value_ref}/{format_number(divisor)},"")',
                              rate)
            skip.add(a1(row, L.COL_RATE))
            if ind.is_down:
                V.mark_overrun(sheet, row, L.COL_RATE)
        else:
            sheet.put(row, L.COL_RATE, "—", styles["wjx_rate"])
        kind = V.value_kind(ind)
        value_dvs.setdefault(kind, V.value_validation(ind))
        value_ranges.setdefault(kind, []).append((row, L.COL_VALUE, row, L.COL_VALUE))
        (milestone_remarks if ind.is_milestone else remark_ranges).append((row, L.COL_REMARK, row, L.COL_REMARK))
        skip.update({value_ref, a1(row, L.COL_REMARK)})
        row += 1
    last_data = row - 1
    sheets.merge_tasks(sheet, indicators, rows)

    sign_cells = {}
    sign_dvs = V.signature_validations()
    row = last_data + 2
    for key, label in L.SIGNATURE_FIELDS:
        sheet.put(row, L.SIGN_LABEL_COL, label, styles["wjx_sign_label"])
        style = styles["wjx_sign_input"].but(locked=False)
        if key == "filled_on":
            style = style.but(num_format="yyyy-mm-dd")
        sheet.put(row, L.SIGN_LABEL_COL + 1, None, style)
        sheet.validate([(row, L.SIGN_LABEL_COL + 1, row, L.SIGN_LABEL_COL + 1)], sign_dvs[key])
        sign_cells[key] = a1(row, L.SIGN_LABEL_COL + 1)
        skip.add(sign_cells[key])
        row += 1
    note_row = row
    sheet.put(note_row, 1, "注：浅黄色单元格为填写区，其余单元格已锁定。请打印后加盖公章，扫描件随电子表一并报送。",
              styles["wjx_note"])
    sheet.merge(note_row, 1, note_row, L.LAST_COL)

    for kind, dv in value_dvs.items():
        sheet.validate(value_ranges[kind], dv)
    sheet.validate(remark_ranges, V.text_validation(500, "情况说明", "简要说明完成情况、口径或未填原因（500字以内）。"))
    sheet.validate(milestone_remarks, V.text_validation(500, "进展情况", "写明已做了哪些工作、下一步安排和预计完成时间（500字以内）。"))
    check = tpl.check
    sheet.put_formula(*check, V.check_formula(indicators, rows, last_data, sign_cells), styles["wjx_check"],
                      shows=V.blank_check_text(len(indicators)))
    skip.add(a1(*check))
    V.conditional_formats(sheet, indicators, rows, last_data)

    sheets.fit_main_rows(sheet, check, len(indicators), last_data, note_row)
    sheet.freeze = (L.FIRST_DATA_ROW, 1)
    sheets.print_setup(sheet, L.HEADER_ROW)
    sheet.setup.print_area = (1, 1, note_row, L.LAST_COL)
    sheet.fit_short(note_row, L.LAST_COL)
    sheet.protected = True
    layout = {"main": {"sheet": L.MAIN_SHEET, "name_col": L.COL_NAME, "value_col": L.COL_VALUE,
                       "remark_col": L.COL_REMARK, "rows": rows, "last_row": note_row,
                       "last_col": L.LAST_COL},
              "signature": sign_cells}
    return sheet, layout, skip


def _meta_sheet(meta: dict[str, str]) -> Sheet:
    sheet = Sheet(L.META_SHEET, protected=True, very_hidden=True)
    for row, (key, value) in enumerate(meta.items(), start=1):
        sheet.put(row, 1, key)
        sheet.put(row, 2, "" if value is None else str(value))  # always text, never a formula
    return sheet
