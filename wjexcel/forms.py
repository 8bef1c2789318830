"""Generate the collection forms (填报表): one workbook per 区镇 and per 责任单位.

The look comes from ``templates/report_template.xlsx`` (see docs/template.md); this
module fills its rows, adds data validation, the 填报检查 formulas, protection, the
明细 sheets and the hidden, signed metadata sheet that identifies the form.

Contract (PRODUCT.md): on ``指标填报`` an indicator's value cell is the first unlocked
cell of the row showing its name, the next unlocked cell is its 情况说明, the
signature block has an unlocked cell right of each label, and nothing else is unlocked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

import wjexcel
from wjexcel import formlayout as L
from wjexcel import signing
from wjexcel.atomic import replace_file
from wjexcel.errors import FormsExistError, WjexcelError
from wjexcel.periods import Period
from wjexcel.plan import DEPARTMENT, PLAN_TOTAL, STOCK, DetailList, Indicator, Plan, Reporter, format_number

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_BLANK_FILL = PatternFill("solid", fgColor="FCE4D6")
_BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
_BAD_FONT = Font(color="9C0006", bold=True)


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


@dataclass
class GenerateResult:
    """What ``generate_forms`` wrote."""

    period: str
    folder: Path
    forms: list[FormInfo] = field(default_factory=list)
    manifest: Path | None = None
    archive: Path | None = None
    replaced_to: Path | None = None

    def summary_text(self) -> str:
        """A short Chinese summary for the clerk."""
        districts = sum(1 for f in self.forms if f.reporter_kind != DEPARTMENT)
        departments = len(self.forms) - districts
        lines = [
            f"已生成 {self.period} 填报表 {len(self.forms)} 份（区镇 {districts} 份，部门 {departments} 份），"
            f"位于：{self.folder}",
        ]
        if self.manifest:
            lines.append(f"分发清单：{self.manifest.name}")
        if self.archive:
            lines.append(f"打包文件（可直接作为邮件附件）：{self.archive.name}")
        if self.replaced_to:
            lines.append(f"原有文件已移到：{self.replaced_to.name}（已发出的旧表仍可正常收回）")
        return "\n".join(lines)


# --- the template ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Style:
    font: object
    fill: object
    border: object
    alignment: object
    number_format: str

    def apply(self, cell, *, locked: bool = True) -> None:
        cell.font = copy(self.font)
        cell.fill = copy(self.fill)
        cell.border = copy(self.border)
        cell.alignment = copy(self.alignment)
        cell.number_format = self.number_format
        cell.protection = Protection(locked=locked)


def template_version(path: Path | None = None) -> str:
    """The template's declared version plus a digest of its bytes (``1-3f2a9c10``)."""
    path = path or L.template_path()
    wb = load_workbook(path)
    return _template_version(wb, path)


def _template_version(wb, path: Path) -> str:
    declared = "0"
    name = wb.defined_names.get(L.TEMPLATE_VERSION_NAME)
    if name is not None:
        declared = name.attr_text.strip('"') or "0"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{declared}-{digest}"


def _read_styles(wb) -> dict[str, _Style]:
    styles = {}
    for key in L.STYLE_NAMES:
        name = wb.defined_names.get(key)
        if name is None:
            raise WjexcelError(
                f"填报表模板缺少名称“{key}”（{L.STYLE_NAMES[key]}），请按 docs/template.md 修复模板，"
                "或运行 python scripts/make_template.py 重新生成。"
            )
        sheet, ref = next(iter(name.destinations))
        cell = wb[sheet][ref.replace("$", "")]
        styles[key] = _Style(copy(cell.font), copy(cell.fill), copy(cell.border), copy(cell.alignment),
                             cell.number_format)
    return styles


def _fill_placeholders(text, values: dict[str, str]):
    if not isinstance(text, str) or "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _fill_header_footer(ws, values: dict[str, str]) -> None:
    for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
        for part in (hf.left, hf.center, hf.right):
            if part.text:
                part.text = _fill_placeholders(part.text, values)


def _print_setup(ws, title_rows: str) -> None:
    """A4 landscape, fit to width, header rows on every page: the contract, whatever the template says."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _protect(ws) -> None:
    # Sheet protection guides a person to the input cells; it does not secure anything
    # (its hash is broken, any program removes it). The HMAC signature is what detects edits.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# --- validation ------------------------------------------------------------------------------
def _validation(kind: str, **kw) -> DataValidation:
    dv = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **kw)
    return dv


def _value_validation(ind: Indicator) -> DataValidation:
    if ind.is_percent:
        return _validation(
            "decimal", operator="between", formula1="0", formula2="100",
            promptTitle="填写百分数数值", prompt=f"{ind.name}：单位为 %，填 0-100 之间的数值，如 3.68% 填 3.68。",
            errorTitle="数值不对", error="请填写 0 到 100 之间的数字（不带 % 号）。")
    if ind.unit.strip() in L.COUNT_UNITS:
        return _validation(
            "whole", operator="greaterThanOrEqual", formula1="0",
            promptTitle=f"填写整数（{ind.unit}）", prompt=f"{ind.name}：只填整数，不带单位；没有填 0。",
            errorTitle="应为整数", error=f"请填写不小于 0 的整数（单位：{ind.unit}），不要带文字。")
    return _validation(
        "decimal", operator="greaterThanOrEqual", formula1="0",
        promptTitle=f"填写数字（{ind.unit}）", prompt=f"{ind.name}：只填数字，不带单位；没有填 0。",
        errorTitle="应为数字", error=f"请填写不小于 0 的数字（单位：{ind.unit}），不要带文字。")


def _text_validation(limit: int, title: str, prompt: str) -> DataValidation:
    return _validation("textLength", operator="lessThanOrEqual", formula1=str(limit),
                       promptTitle=title, prompt=prompt,
                       errorTitle="内容过长", error=f"最多 {limit} 个字，请精简。")


# --- targets ---------------------------------------------------------------------------------
def target_cell(plan: Plan, ind: Indicator, reporter: Reporter, year: int) -> tuple[object, float | None]:
    """What 本年目标 shows for a reporter, and the number 完成率 divides by (None: no rate).

    A reporter's own split target wins ("三年目标10"); a group target is shown for the
    group; otherwise a 区镇 sees the district-wide target for reference, while a
    department (reporting district-wide figures) gets it as its own.
    """
    own = plan.reporter_target(ind, reporter, year)
    if own is not None:
        value, span = own
        if span == str(year):
            return value, value
        label = "三年目标" if span == plan.span_label else f"{span}目标"
        return f"{label}{format_number(value)}", (value if ind.kind == PLAN_TOTAL else None)
    for group in ind.group_targets:
        if group.group in reporter.groups:
            label = "三年目标" if group.span == plan.span_label else f"{group.span}目标"
            return f"{group.group}共同{label}{format_number(group.value)}", None
    target = ind.target_for(year)
    if target is None and ind.kind == PLAN_TOTAL:
        total = ind.plan_target()
        if total is None:
            return "—", None
        text = f"三年目标{total.label()}"
        if reporter.kind == DEPARTMENT:
            return text, total.value
        return f"全区{text}（参考）", None
    if target is None:
        return "—", None
    if reporter.kind == DEPARTMENT:
        plain = target.op == ">="
        return (target.value if plain else target.label()), target.value
    return f"全区{target.label()}（参考）", None


def _unit_text(plan: Plan, ind: Indicator) -> str:
    if ind.kind == PLAN_TOTAL:
        first = plan.years[0] if plan.years else ""
        return f"{ind.unit}（自{first}年起累计）"
    if ind.kind == STOCK:
        return f"{ind.unit}（期末数）"
    if ind.kind == "increment":
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
    tpl_version = _template_version(wb, tpl_path)
    styles = _read_styles(wb)
    indicators = plan.indicators_for(reporter)
    details = plan.detail_lists_for(reporter)
    values = _placeholder_values(plan, reporter, period, generated)

    _fill_guide(wb[L.GUIDE_SHEET], plan, reporter, period, indicators, values)
    layout, skip = _fill_main(wb[L.MAIN_SHEET], plan, reporter, period, indicators, styles, values)
    layout["details"] = {}
    detail_template = wb[L.DETAIL_TEMPLATE_SHEET]
    for dl in details:
        layout["details"][dl.code] = _add_detail_sheet(wb, detail_template, dl, styles, values)
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
    }
    meta[L.SIGNATURE_ALG_KEY] = signing.ALGORITHM
    meta[L.SIGNATURE_KEY] = signing.sign(key, meta, lambda s, r, c: wb[s].cell(r, c).value)
    _write_meta(wb, meta)
    for prop, value in (("wjexcel_form_id", form_id), ("wjexcel_reporter", reporter.name),
                        ("wjexcel_period", period.code), ("wjexcel_plan_id", plan.plan_id)):
        wb.custom_doc_props.append(StringProperty(name=prop, value=value))
    wb.properties.title = f"{period.label}{L.FORM_TITLE}（{reporter.name}）"
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
    }


def _fill_guide(ws, plan, reporter, period, indicators, values) -> None:
    anchor = None
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "{指标口径}":
                anchor = cell
            else:
                cell.value = _fill_placeholders(cell.value, values)
    _fill_header_footer(ws, values)
    _print_setup(ws, "")
    if anchor is None:
        return
    lines = []
    for n, ind in enumerate(indicators, start=1):
        shown, _ = target_cell(plan, ind, reporter, period.year)
        shown = format_number(shown) if isinstance(shown, (int, float)) else shown
        text = f"{n}. {ind.name}（{_unit_text(plan, ind)}，{ind.kind_label}）：本年目标 {shown}"
        if ind.note:
            text += f"；{ind.note}"
        lines.append(text)
    width = ws.column_dimensions[anchor.column_letter].width or 100
    for offset, text in enumerate(lines or ["（无）"]):
        cell = ws.cell(anchor.row + offset, anchor.column, text)
        if offset:
            cell._style = copy(anchor._style)
        # openpyxl cannot measure text; a CJK character is about two width units.
        ws.row_dimensions[cell.row].height = 18 * max(1, -(-len(text) * 2 // int(width)))


def _fill_main(ws, plan, reporter, period, indicators, styles, values):
    """Write 指标填报; return (layout, cells not signed)."""
    for cell in (ws.cell(L.TITLE_ROW, 1), ws.cell(L.SUBTITLE_ROW, 1)):
        cell.value = _fill_placeholders(cell.value, values)
    _fill_header_footer(ws, values)
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= L.FIRST_DATA_ROW:
            ws.unmerge_cells(str(rng))
    ws.delete_rows(L.FIRST_DATA_ROW, ws.max_row)
    for col, header in enumerate(L.HEADERS, start=1):
        styles["wjx_header"].apply(ws.cell(L.HEADER_ROW, col, header))

    skip: set[str] = set()
    rows: dict[str, int] = {}
    value_dvs: dict[str, DataValidation] = {}
    remark_dv = _text_validation(500, "情况说明", "简要说明完成情况、口径或未填原因（500字以内）。")
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
            value_dvs[kind] = _value_validation(ind)
        value_dvs[kind].add(value_ref)
        remark_dv.add(f"{get_column_letter(L.COL_REMARK)}{row}")
        skip.update({value_ref, f"{get_column_letter(L.COL_REMARK)}{row}"})
        if divisor:
            skip.add(f"{get_column_letter(L.COL_RATE)}{row}")
        row += 1
    last_data = row - 1
    _merge_tasks(ws, indicators, rows)

    sign_cells = {}
    sign_dvs = {
        "unit": _text_validation(60, "填报单位", "填写单位全称，打印后在此处加盖公章。"),
        "filled_by": _text_validation(30, "填报人", "填写填报人姓名。"),
        "phone": _text_validation(30, "联系电话", "填写手机或座机号码。"),
        "filled_on": _validation("date", operator="between", formula1="DATE(2000,1,1)",
                                 formula2="DATE(2100,12,31)", errorStyle="warning",
                                 promptTitle="填报日期", prompt="填写日期，如 2022-10-08。",
                                 errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。"),
        "reviewer": _text_validation(30, "审核人", "填写审核人（分管负责人）姓名。"),
    }
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
    check = _check_formula(plan, indicators, rows, last_data, sign_cells)
    ws.cell(L.CHECK_ROW, 2).value = check
    styles["wjx_check"].apply(ws.cell(L.CHECK_ROW, 2))
    skip.add(f"B{L.CHECK_ROW}")
    _conditional_formats(ws, indicators, rows, last_data)

    ws.freeze_panes = ws.cell(L.FIRST_DATA_ROW, 1).coordinate
    _print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}")
    ws.print_area = f"A1:{get_column_letter(L.LAST_COL)}{note_row}"
    _protect(ws)
    layout = {"main": {"sheet": L.MAIN_SHEET, "name_col": L.COL_NAME, "value_col": L.COL_VALUE,
                       "remark_col": L.COL_REMARK, "rows": rows, "last_row": note_row,
                       "last_col": L.LAST_COL},
              "signature": sign_cells}
    return layout, skip


def _merge_tasks(ws, indicators, rows) -> None:
    """Merge the 工作任务 cells of consecutive rows of one task."""
    runs: list[list[int]] = []
    for ind in indicators:
        if runs and runs[-1][0] == ind.task:
            runs[-1][2] = rows[ind.code]
        else:
            runs.append([ind.task, rows[ind.code], rows[ind.code]])
    for _, first, last in runs:
        if last > first:
            ws.merge_cells(start_row=first, start_column=L.COL_TASK, end_row=last, end_column=L.COL_TASK)


def _bad_terms(indicators, rows) -> list[str]:
    """Excel expressions, one per kind of wrong entry, each counting offending cells."""
    col = get_column_letter(L.COL_VALUE)
    first, last = min(rows.values()), max(rows.values())
    rng = f"{col}{first}:{col}{last}"
    terms = [f"SUMPRODUCT(--ISTEXT({rng}))", f'COUNTIF({rng},"<0")']
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        if ind.is_percent:
            terms.append(f'COUNTIF({ref},">100")')
        if ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            terms.append(f"IF(AND(ISNUMBER({ref}),ISNUMBER({parent})),IF({ref}>{parent},1,0),0)")
    return terms


def _check_formula(plan, indicators, rows, last_data, sign_cells) -> str:
    col = get_column_letter(L.COL_VALUE)
    rng = f"{col}{L.FIRST_DATA_ROW}:{col}{last_data}"
    blank = f"COUNTBLANK({rng})"
    bad = "(" + "+".join(_bad_terms(indicators, rows)) + ")"
    sign_blank = "(" + "+".join(f"COUNTBLANK({ref})" for ref in sign_cells.values()) + ")"
    return (
        f'=IF({blank}+{bad}+{sign_blank}=0,"√ 全部 {len(indicators)} 项指标和签章栏已填写，未发现问题，可以报送。",'
        f'IF({blank}>0,"还有 "&{blank}&" 项未填写；","")'
        f'&IF({bad}>0,"有 "&{bad}&" 项填写有误（标红：不是数字、负数、百分比超过100或其中项大于总数）；","")'
        f'&IF({sign_blank}>0,"签章栏还有 "&{sign_blank}&" 项未填写。",""))'
    )


def _conditional_formats(ws, indicators, rows, last_data) -> None:
    col = get_column_letter(L.COL_VALUE)
    first = f"{col}{L.FIRST_DATA_ROW}"
    rng = f"{first}:{col}{last_data}"
    ws.conditional_formatting.add(rng, FormulaRule(
        formula=[f"OR(ISTEXT({first}),AND(ISNUMBER({first}),{first}<0))"],
        fill=_BAD_FILL, font=_BAD_FONT, stopIfTrue=True))
    for ind in indicators:
        ref = f"{col}{rows[ind.code]}"
        cond = None
        if ind.is_percent:
            cond = f"AND(ISNUMBER({ref}),{ref}>100)"
        elif ind.parent and ind.parent in rows:
            parent = f"{col}{rows[ind.parent]}"
            cond = f"AND(ISNUMBER({ref}),ISNUMBER({parent}),{ref}>{parent})"
        if cond:
            ws.conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=_BAD_FILL, font=_BAD_FONT,
                                                           stopIfTrue=True))
    ws.conditional_formatting.add(rng, FormulaRule(formula=[f'LEN(TRIM({first}))=0'], fill=_BLANK_FILL))


def _add_detail_sheet(wb, template, dl: DetailList, styles, values) -> dict:
    ws = wb.copy_worksheet(template)
    ws.title = dl.name[:31]
    ws.HeaderFooter = copy(template.HeaderFooter)
    mine = dict(values, 明细名称=dl.name,
                明细说明=f"{dl.note}。带 * 的列必须填写；不要插入或删除行列。" if dl.note
                else "带 * 的列必须填写；不要插入或删除行列。")
    for row in ws.iter_rows(max_row=L.DETAIL_NOTE_ROW):
        for cell in row:
            cell.value = _fill_placeholders(cell.value, mine)
    _fill_header_footer(ws, mine)
    first_col = 2
    last_col = first_col + len(dl.columns) - 1
    for row_no in (L.DETAIL_TITLE_ROW, L.DETAIL_NOTE_ROW):
        ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=last_col)
    styles["wjx_detail_header"].apply(ws.cell(L.DETAIL_HEADER_ROW, 1, "序号"))
    last_row = L.DETAIL_FIRST_ROW + L.DETAIL_INPUT_ROWS - 1
    styles["wjx_cell"].apply(ws.cell(L.DETAIL_FIRST_ROW, 1, 1))
    for n in range(1, L.DETAIL_INPUT_ROWS):
        _same_style(ws.cell(L.DETAIL_FIRST_ROW, 1), ws.cell(L.DETAIL_FIRST_ROW + n, 1, n + 1))
    for offset, column in enumerate(dl.columns):
        col = first_col + offset
        letter = get_column_letter(col)
        header = f"{column.name}*" if column.required else column.name
        styles["wjx_detail_header"].apply(ws.cell(L.DETAIL_HEADER_ROW, col, header))
        ws.column_dimensions[letter].width = column.width
        dv = _detail_validation(column)
        dv.add(f"{letter}{L.DETAIL_FIRST_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)
        proto = ws.cell(L.DETAIL_FIRST_ROW, col)
        styles["wjx_detail_input"].apply(proto, locked=False)
        proto.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if column.type == "uscc":
            proto.number_format = "@"
        elif column.type == "date":
            proto.number_format = "yyyy-mm-dd"
        for r in range(L.DETAIL_FIRST_ROW + 1, last_row + 1):
            _same_style(proto, ws.cell(r, col))
    ws.freeze_panes = ws.cell(L.DETAIL_FIRST_ROW, 1).coordinate
    _print_setup(ws, f"{L.DETAIL_HEADER_ROW}:{L.DETAIL_HEADER_ROW}")
    _protect(ws)
    return {"sheet": ws.title, "indicator": dl.indicator, "header_row": L.DETAIL_HEADER_ROW,
            "first_row": L.DETAIL_FIRST_ROW, "last_row": last_row, "first_col": first_col,
            "columns": [c.name for c in dl.columns]}


def _same_style(proto, cell) -> None:
    """Give ``cell`` exactly ``proto``'s style (font, fill, border, alignment, format,
    protection). Copying openpyxl's style index is what assigning each part would end in,
    without re-hashing every style object for each of hundreds of cells."""
    cell._style = copy(proto._style)


def _detail_validation(column) -> DataValidation:
    if column.type == "uscc":
        return _validation("textLength", operator="equal", formula1="18",
                           promptTitle="统一社会信用代码", prompt="18位统一社会信用代码，字母大写，不要加空格。",
                           errorTitle="位数不对", error="统一社会信用代码应为18位，请核对。")
    if column.type == "choice":
        return _validation("list", formula1='"' + ",".join(column.choices) + '"',
                           promptTitle=column.name[:32], prompt="请从下拉列表中选择。",
                           errorTitle="请从列表选择", error="只能选择下拉列表中的选项。")
    if column.type == "number":
        return _validation("decimal", operator="greaterThanOrEqual", formula1="0",
                           promptTitle=column.name[:32], prompt="只填数字，不带单位。",
                           errorTitle="应为数字", error="请填写不小于 0 的数字。")
    if column.type == "integer":
        return _validation("whole", operator="greaterThanOrEqual", formula1="0",
                           promptTitle=column.name[:32], prompt="只填整数。",
                           errorTitle="应为整数", error="请填写不小于 0 的整数。")
    if column.type == "date":
        return _validation("date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                           errorStyle="warning", promptTitle=column.name[:32], prompt="填写日期，如 2022-10-08。",
                           errorTitle="日期格式", error="请按 2022-10-08 的格式填写日期。")
    return _text_validation(200, column.name[:32], f"填写{column.name}。")


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
    _protect(ws)


def save_workbook(wb, path: Path) -> None:
    """Save through a verified temporary file, so a failed save never destroys a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, wb.save, _verify_xlsx)


def _verify_xlsx(path: Path) -> None:
    load_workbook(path, read_only=True).close()


# --- a whole period ------------------------------------------------------------------------------
def form_file_name(period: Period, reporter: Reporter) -> str:
    """``2022Q3_七都镇_科技创新指标填报表.xlsx``."""
    safe = re.sub(r'[\\/:*?"<>|]', "_", reporter.name)
    return f"{period.code}_{safe}_{L.FORM_TITLE}.xlsx"


def new_form_id(period: Period) -> str:
    """A unique, readable form id: ``2022Q3-9F3A1C2B7D``."""
    return f"{period.code}-{secrets.token_hex(5).upper()}"


def generate_forms(ws, period: Period | str, *, force: bool = False, progress=None,
                   plan: Plan | None = None, now: datetime | None = None) -> GenerateResult:
    """Generate every reporter's form for ``period`` into ``分发/<P>/``.

    Also writes ``分发清单_<P>.xlsx`` and a zip of the forms, and records every form in
    the ledger, so forms already sent stay valid after a re-generate.

    Args:
        ws: The workspace (its plan, key and folders).
        period: ``2022``, ``2022Q3``, ``2022-09`` or a Period.
        force: Replace existing forms; old files move to ``旧版_<time>/``, never deleted.
        progress: Optional ``progress(done, total, label)``.
        plan: Use this plan instead of the workspace's 计划.xlsx.
        now: The generation time (default: now).

    Raises:
        FormsExistError: forms exist for the period and ``force`` is false.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    plan = plan or ws.load_plan()
    plan.check_year(period.year)
    now = now or datetime.now()
    generated = now.isoformat(timespec="seconds")
    folder = ws.outbox / period.code
    existing = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if existing and not force:
        raise FormsExistError(
            f"{period.label}的填报表已生成过（{ws.relative(folder)} 中已有 {len(existing)} 个文件），"
            "重新生成将替换这些文件（旧文件会移到“旧版_时间”文件夹，已发出的旧表仍可收回）。请确认后再重新生成。"
        )
    replaced_to = None
    if existing:
        replaced_to = folder / f"{L.OLD_FOLDER_PREFIX}{now.strftime('%Y%m%d_%H%M%S')}"
        replaced_to.mkdir(parents=True, exist_ok=True)
        for old in existing:
            shutil.move(str(old), str(replaced_to / old.name))
    folder.mkdir(parents=True, exist_ok=True)
    key = ws.signing_key()
    reporters = [r for r in plan.reporters if plan.indicators_for(r)]
    result = GenerateResult(period.code, folder, replaced_to=replaced_to)
    for done, reporter in enumerate(reporters):
        if progress:
            progress(done, len(reporters), reporter.name)
        path = folder / form_file_name(period, reporter)
        result.forms.append(build_form(plan, reporter, period, key, path, generated_at=generated,
                                       form_id=new_form_id(period)))
    if progress:
        progress(len(reporters), len(reporters), "")
    result.manifest = _write_manifest(plan, period, result.forms, folder)
    result.archive = _write_zip(period, result.forms, folder)
    from wjexcel.ledger import Ledger

    with Ledger.open(ws) as ledger:
        ledger.record_generated([
            {"form_id": f.form_id, "reporter": f.reporter, "reporter_kind": f.reporter_kind, "period": f.period,
             "file": ws.relative(f.path), "generated_at": f.generated_at, "indicators": f.indicators,
             "plan_id": f.plan_id, "plan_version": f.plan_version, "template_version": f.template_version}
            for f in result.forms
        ])
    return result


def _write_manifest(plan: Plan, period: Period, forms: list[FormInfo], folder: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = L.MANIFEST_PREFIX
    ws.append([f"{period.label}填报表分发清单（{plan.short_name or plan.name}）"])
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    headers = ["序号", "填报单位", "类型", "文件名", "表单编号", "指标数", "填报指标", "明细表", "生成时间"]
    ws.append(headers)
    for n, f in enumerate(forms, start=1):
        kind = "区镇" if f.reporter_kind != DEPARTMENT else "部门"
        names = "、".join(f"{c} {plan.indicator(c).name}" for c in f.indicators)
        row = [n, f.reporter, kind, f.path.name, f.form_id, len(f.indicators), names,
               "、".join(f.detail_lists) or "—", f.generated_at]
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in ws[2]:
        cell.font = Font(name="黑体", bold=True)
    for letter, width in zip("ABCDEFGHI", (6, 24, 8, 46, 20, 8, 60, 30, 20)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    path = folder / f"{L.MANIFEST_PREFIX}_{period.code}.xlsx"
    save_workbook(wb, path)
    return path


def _write_zip(period: Period, forms: list[FormInfo], folder: Path) -> Path:
    """All forms of the period in one zip; Chinese member names carry the UTF-8 flag."""
    path = folder / f"{period.code}_全部{L.FORM_TITLE}.zip"

    def build(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in forms:
                info = zipfile.ZipInfo(f.path.name, date_time=datetime.now().timetuple()[:6])
                info.flag_bits |= 0x800
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, f.path.read_bytes())

    def verify(tmp: Path) -> None:
        with zipfile.ZipFile(tmp) as zf:
            if zf.testzip() is not None:
                raise WjexcelError(f"打包文件 {path.name} 写入后校验失败，请重新生成。")

    replace_file(path, build, verify)
    return path
