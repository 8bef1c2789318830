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
import re
import secrets
import shutil
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

import wjexcel
from wjexcel.forms import layout as L
from wjexcel.forms import style as S
from wjexcel.forms import signing
from wjexcel.forms.facts import FormFacts
from wjexcel.atomic import replace_file
from wjexcel.errors import FormsExistError, WjexcelError
from wjexcel.periods import Period
from wjexcel.plan.model import DEPARTMENT, PLAN_TOTAL, STOCK, Indicator, Plan, Reporter, format_number
from wjexcel.plan.workbook import workspace_plan



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
    tpl_version = S.template_version(wb, tpl_path)
    styles = S.read_styles(wb)
    indicators = plan.indicators_for(reporter)
    details = plan.detail_lists_for(reporter)
    values = _placeholder_values(plan, reporter, period, generated)

    _fill_guide(wb[L.GUIDE_SHEET], plan, reporter, period, indicators, values)
    _, check_ref = S.named_cell(wb, "wjx_check")
    layout, skip = _fill_main(wb[L.MAIN_SHEET], plan, reporter, period, indicators, styles, values,
                              check_ref)
    layout["details"] = {}
    detail_template = wb[L.DETAIL_TEMPLATE_SHEET]
    for dl in details:
        layout["details"][dl.code] = S.add_detail_sheet(wb, detail_template, dl, styles, values)
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
        **FormFacts.for_form(plan, reporter, period.year).to_meta(),
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
        "明细打印行数": str(L.DETAIL_PRINT_ROWS),
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
                cell.value = S.fill_placeholders(cell.value, values)
    S.fill_header_footer(ws, values)
    S.print_setup(ws, "")
    if anchor is not None:
        lines = []
        for n, ind in enumerate(indicators, start=1):
            shown, _ = target_cell(plan, ind, reporter, period.year)
            shown = format_number(shown) if isinstance(shown, (int, float)) else shown
            text = f"{n}. {ind.name}（{_unit_text(plan, ind)}，{ind.kind_label}）：本年目标 {shown}"
            if ind.note:
                text += f"；{ind.note}"
            lines.append(text)
        for offset, text in enumerate(lines or ["（无）"]):
            cell = ws.cell(anchor.row + offset, anchor.column, text)
            if offset:
                cell._style = copy(anchor._style)
    S.format_guide(ws)


def _fill_main(ws, plan, reporter, period, indicators, styles, values, check_ref):
    """Write 指标填报; return (layout, cells not signed)."""
    for cell in (ws.cell(L.TITLE_ROW, 1), ws.cell(L.SUBTITLE_ROW, 1)):
        cell.value = S.fill_placeholders(cell.value, values)
    S.fill_header_footer(ws, values)
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= L.FIRST_DATA_ROW:
            ws.unmerge_cells(str(rng))
    ws.delete_rows(L.FIRST_DATA_ROW, ws.max_row)
    for col, header in enumerate(L.HEADERS, start=1):
        styles["wjx_header"].apply(ws.cell(L.HEADER_ROW, col, header))

    skip: set[str] = set()
    rows: dict[str, int] = {}
    value_dvs: dict = {}
    remark_dv = S.text_validation(500, "情况说明", "简要说明完成情况、口径或未填原因（500字以内）。")
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
            value_dvs[kind] = S.value_validation(ind)
        value_dvs[kind].add(value_ref)
        remark_dv.add(f"{get_column_letter(L.COL_REMARK)}{row}")
        skip.update({value_ref, f"{get_column_letter(L.COL_REMARK)}{row}"})
        if divisor:
            skip.add(f"{get_column_letter(L.COL_RATE)}{row}")
        row += 1
    last_data = row - 1
    S.merge_tasks(ws, indicators, rows)

    sign_cells = {}
    sign_dvs = S.signature_validations()
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
    check.value = S.check_formula(indicators, rows, last_data, sign_cells)
    styles["wjx_check"].apply(check)
    skip.add(check_ref)
    S.conditional_formats(ws, indicators, rows, last_data)

    S.fit_main_rows(ws, check, len(indicators), last_data, note_row)
    ws.freeze_panes = ws.cell(L.FIRST_DATA_ROW, 1).coordinate
    S.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}")
    ws.print_area = f"A1:{get_column_letter(L.LAST_COL)}{note_row}"
    S.fit_short_sheet(ws, note_row, L.LAST_COL)
    S.protect(ws)
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
    S.protect(ws)


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
    plan = plan or workspace_plan(ws)
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
    from wjexcel.workspace.ledger import Ledger

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
