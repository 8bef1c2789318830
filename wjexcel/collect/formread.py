"""Read a returned form: identity, signature, values, 明细 rows and every located problem.

Shared by ``check`` and ``collect``. The file goes through the safe reader seam
(:mod:`wjexcel.collect.reader`: content sniffing, preflight, bounded reads), so .xlsx,
.xlsm, xlsx under a wrong extension and LibreOffice/WPS .xls all read the same way.
Rows are found through the form's own row map, checked to lie within a form's reach
whatever the signature says; a moved row is found again by the indicator's name, with
a warning. Values are judged by the plan facts signed into the form (what the reporter
saw). Nothing is guessed: every doubtful entry becomes a Chinese problem naming its sheet
and cell, with its :class:`~wjexcel.problems.Code`. What to do with the reading
(accept, return) is decided in :mod:`wjexcel.collect.verdict`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from wjexcel.errors import WjexcelError
from wjexcel.forms import layout as L
from wjexcel.forms import signing
from wjexcel.forms.facts import FormFacts, IndicatorFacts
from wjexcel.periods import Period
from wjexcel.plan.model import COMPLETED, IN_PROGRESS, MILESTONE_STATES, NOT_STARTED
from wjexcel.plan.plan import Plan
from wjexcel.problems import Code, ProblemList
from wjexcel.records import DetailRow, FormIdentity, Signature, SignatureBlock, ValueRecord
from wjexcel.values import EXCEL_TEXT_LIMIT, clean_text, is_blank, parse_number, shorten
from wjexcel.cellref import a1, parse_a1
from wjexcel.collect.detailread import parse_date, read_details
from wjexcel.collect.reader import WorkbookData, read_workbook

RETURN_SHEET = "退回意见"
"""The first sheet of wjexcel's own 退回 copies; readers of returned forms ignore it."""
IMPLAUSIBLE_FACTOR = 10
"""A value this many times its target is pointed out (a unit slip?)."""
ABSURD_FACTOR = 10_000
"""A value this many times its target cannot be right: the form is returned."""
ABSURD_VALUE = 1e12
"""No indicator of a district plan reaches this; larger values are returned."""


@dataclass
class FormReading:
    """Everything read from one returned file."""

    file: str
    kind: str = ""
    identity: FormIdentity | None = None
    signature_status: Signature = Signature.UNSIGNED
    values: list[ValueRecord] = field(default_factory=list)
    details: list[DetailRow] = field(default_factory=list)
    signature_block: SignatureBlock | None = None
    problems: ProblemList = field(default_factory=ProblemList)
    unit_cell: str = ""
    """Where the form's 填报单位 is typed (from its layout), for a message that points at it."""

    @property
    def signature_ok(self) -> bool:
        return self.signature_status is Signature.VALID

    @property
    def has_errors(self) -> bool:
        return bool(self.problems.errors)

    def value(self, code: str) -> ValueRecord | None:
        """The record of one indicator, if the form carries it."""
        return next((v for v in self.values if v.indicator == code), None)


def read_form(path, plan: Plan | None, *, key: bytes | None, display_name: str | None = None,
              data: bytes | None = None, filetype=None, careful: bool = False) -> FormReading:
    """Read and check one returned form.

    Args:
        path: The file (any extension; the content decides the format).
        plan: The workspace's plan, to check the form belongs to it; ``None`` outside a
            workspace (the form's own signed facts are used; a wjexcel 0.1 form, which
            has none, is read against the built-in plan).
        key: The workspace signing key; ``None`` leaves the signature unchecked.
        display_name: How messages name the file (default: its name).
        data: The file's bytes when already read (``path`` then only names it), and
            ``filetype`` what they were sniffed as, when they were.
        careful: Read it the careful way even when it is an ordinary .xlsx.

    Raises:
        FormError: The file cannot be read as a workbook at all (Chinese message, with a code).
    """
    label = display_name or Path(path).name
    book = read_workbook(path, display_name=label, max_rows=L.MAX_FORM_ROW, max_cols=L.MAX_FORM_COL, data=data,
                         filetype=filetype, careful=careful)
    reading = FormReading(label, book.kind, problems=ProblemList(file=label))
    problems = reading.problems
    meta = _read_meta(book)
    if meta is None or L.META_MARKER not in meta:
        problems.error("找不到表单标识（隐藏的 _wjexcel 工作表），不是本工具下发的填报表，"
                       "或是复制粘贴到了新文件中。请在下发的原表上填写后重新报送。", code=Code.NOT_A_FORM)
        return reading
    reading.identity = FormIdentity(*(_meta_text(meta.get(k)) for k in (
        "form_id", "plan_id", "plan_version", "reporter", "reporter_kind", "period",
        "template_version", "generated_at")))
    reading.signature_status = _signature_status(book, meta, key)
    if reading.signature_status is Signature.INVALID:
        problems.error("签名核验未通过：表格在填写区域以外被改动（如目标、指标名称、单位名称），"
                       "或被改成了其他单位的表。请使用下发的原表重新填写。",
                       code=Code.SIGNATURE_INVALID)
    elif reading.signature_status is Signature.UNSIGNED:
        problems.error("表单标识缺少签名，无法确认是下发的原表。请使用下发的原表重新填写。",
                       code=Code.SIGNATURE_MISSING)
    year = _year(reading.identity.period)
    try:
        layout = L.parse_layout(meta.get("layout"))
        facts = FormFacts.from_meta(meta)
    except (ValueError, TypeError, RecursionError):
        problems.error("表单标识已损坏（行位置或指标信息不完整），无法读取。请使用下发的原表重新填写。",
                       code=Code.LAYOUT_DAMAGED)
        return reading
    reading.unit_cell = layout.signature.get("unit", "")
    reporter = None
    if plan is not None:
        _check_identity(reading, meta, plan)
        reporter = next((r for r in plan.reporters if r.name == reading.identity.reporter), None)
    if facts is None:  # a wjexcel 0.1 form: the plan's facts
        if plan is None:
            from wjexcel.plan.builtin import builtin_plan

            plan = builtin_plan()
            reporter = next((r for r in plan.reporters if r.name == reading.identity.reporter), None)
        facts = FormFacts.from_plan(plan, reporter, year)
    _read_main(book, layout, facts, plan, reading)
    read_details(book, layout, facts, reading)
    _check_outside(book, layout, problems)
    return reading


# --- metadata and signature ---------------------------------------------------------------
def _meta_text(value) -> str:
    return signing.canonical(value) if value is not None else ""


def _read_meta(book: WorkbookData) -> dict | None:
    sheet = book.sheet(L.META_SHEET)
    if sheet is None:
        return None
    meta = {}
    for (row, col), cell in sorted(sheet.cells.items()):
        if col == 1 and cell.value is not None:
            value = sheet.cells.get((row, 2))
            meta[signing.canonical(cell.value)] = None if value is None else value.value
    return meta


def _signature_status(book: WorkbookData, meta: dict, key: bytes | None) -> Signature:
    if not meta.get(L.SIGNATURE_KEY):
        return Signature.UNSIGNED
    if key is None:
        return Signature.UNCHECKED

    sheets = {s.name: s for s in book.sheets}

    def cell_value(sheet_name: str, row: int, col: int):
        if row > L.MAX_FORM_ROW or col > L.MAX_FORM_COL:
            raise ValueError("outside a form")  # a forged range: the signature cannot hold
        cell = sheets[sheet_name].cells.get((row, col))  # KeyError: the sheet is gone
        if cell is None:
            return None
        # what was typed: a locked cell turned into a formula showing the same value is not the form sent
        return cell.formula if cell.formula is not None else cell.value

    return Signature.VALID if signing.verify(key, meta, cell_value) else Signature.INVALID


def _check_identity(reading: FormReading, meta: dict, plan: Plan) -> None:
    ident, problems = reading.identity, reading.problems
    if ident.plan_id != plan.plan_id:
        problems.error(f"这张表属于另一个计划（{meta.get('plan_name') or ident.plan_id}），"
                       f"不是“{plan.name}”的填报表。", code=Code.OTHER_PLAN)
    elif ident.plan_version != str(plan.version):
        problems.warning(f"这张表按计划第 {ident.plan_version} 版生成，当前计划是第 {plan.version} 版；"
                         "已按表中的指标读取，请留意目标是否有变化。", code=Code.PLAN_VERSION)
    if not any(r.name == ident.reporter for r in plan.reporters):
        problems.error(f"表中的填报单位“{ident.reporter}”不在计划的填报单位名单中。",
                       code=Code.UNKNOWN_REPORTER)


# --- 指标填报 -----------------------------------------------------------------------------------
def _text(cell) -> str | None:
    if cell is None or is_blank(cell.value):
        return None
    return clean_text(signing.canonical(cell.value)).strip()


def _find_row(sheet, name_col: int, name: str, expected: int) -> int | None:
    cell = sheet.cells.get((expected, name_col))
    if cell is not None and _text(cell) == name:
        return expected
    for (row, col), other in sorted(sheet.cells.items()):
        if col == name_col and _text(other) == name:
            return row
    return None


def _read_main(book, layout: L.FormLayout, facts: FormFacts, plan: Plan | None, reading: FormReading) -> None:
    main, problems = layout.main, reading.problems
    sheet = book.sheet(main.sheet)
    if sheet is None:
        problems.error(f"找不到工作表“{main.sheet}”（可能被改名或删除），无法读取指标。请使用下发的原表。",
                       code=Code.SHEET_MISSING)
        return
    known = {i.code for i in plan.indicators} if plan is not None else None
    for code, expected in main.rows.items():
        ind = facts.indicators.get(code)
        if ind is None or (known is not None and code not in known):
            problems.warning(f"表中的指标 {code} 已不在当前计划中，已忽略该行。", main.sheet,
                             a1(expected, main.name_col), code=Code.INDICATOR_DROPPED)
            continue
        row = _find_row(sheet, main.name_col, ind.name, expected)
        if row is None:
            problems.error(f"找不到指标“{ind.name}”所在的行（指标名称被改动或行被删除）。",
                           main.sheet, a1(expected, main.name_col), code=Code.ROW_MISSING)
            continue
        if row != expected:
            problems.warning(f"指标“{ind.name}”不在原来的第 {expected} 行，而在第 {row} 行"
                             "（可能插入或删除了行），已按指标名称定位。", main.sheet, a1(row, main.name_col),
                             code=Code.ROW_MOVED)
        ref = a1(row, main.value_col)
        read_cell = _state_cell if ind.milestone else _number_cell
        value, raw = read_cell(sheet.cells.get((row, main.value_col)), ind, main.sheet, ref, problems)
        remark_ref = a1(row, main.remark_col)
        remark = _remark(sheet.cells.get((row, main.remark_col)), ind, main.sheet, remark_ref, problems)
        reading.values.append(ValueRecord(code, value, raw, main.sheet, ref, remark or None, remark_ref))
    by_code = {v.indicator: v for v in reading.values}
    for record in reading.values:
        ind = facts.indicators[record.indicator]
        parent = by_code.get(ind.parent) if ind.parent else None
        if parent and record.value is not None and parent.value is not None and record.value > parent.value:
            problems.error(f"“{ind.name}”（{record.value:g}）大于它所属的“{facts.indicators[ind.parent].name}”"
                           f"（{parent.value:g}），其中项不能大于总数。", record.sheet, record.cell,
                           code=Code.VALUE_SUB_OVER_PARENT)
    reading.signature_block = _read_signature_block(sheet, layout.signature, problems)


def _remark(cell, ind: IndicatorFacts, sheet_name, ref, problems) -> str | None:
    """The 情况说明 as the person typed it: a formula's text, never its result.

    ``=A1`` or ``=HYPERLINK(…)`` typed into a remark would otherwise bring in the form's
    title or a link label; the text is written as plain text everywhere downstream.
    """
    if cell is None:
        return None
    typed = cell.formula if cell.formula is not None else cell.value
    text = signing.canonical(typed)
    if cell.formula is not None:
        problems.warning(f"“{ind.name}”的情况说明填的是公式 {shorten(text, 40)}，已按输入的文字采用"
                         "（不取公式结果）；请直接填写文字说明。", sheet_name, ref, code=Code.REMARK_FORMULA)
    if len(text) > EXCEL_TEXT_LIMIT:
        problems.warning(f"“{ind.name}”的情况说明有 {len(text)} 个字，超过 Excel 单元格上限 "
                         f"{EXCEL_TEXT_LIMIT} 字，只保留了前 {EXCEL_TEXT_LIMIT} 字；请精简后附在正文材料中。",
                         sheet_name, ref, code=Code.REMARK_TOO_LONG)
    return clean_text(text) or None


def _percent_format(number_format: str | None) -> bool:
    """The number format shows the value ×100 with %: ``0.0%`` yes, ``0.0"%"`` or ``0.0\\%`` no."""
    if not number_format:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def _number_cell(cell, ind: IndicatorFacts, sheet_name, ref, problems):
    """(value, raw) of a value cell, adding its problems.

    ``ind.target`` is what the reporter's value is held against: a % indicator filled with
    a fraction (0.037) while the target is in points (3.68) is pointed out, and a value far
    beyond any target is returned.
    """
    target = ind.target
    if cell is None:
        problems.warning(f"“{ind.name}”未填写（该单位本期没有这项数据）。", sheet_name, ref, code=Code.VALUE_BLANK)
        return None, None
    if cell.is_error:
        problems.error(f"“{ind.name}”的单元格显示错误值 {cell.value}，请直接填数字。", sheet_name, ref,
                       code=Code.VALUE_ERROR_CELL)
        return None, signing.canonical(cell.value)
    if cell.formula_without_result:
        problems.error(f"“{ind.name}”填的是公式（{shorten(cell.formula, 40)}），但文件里没有计算结果，"
                       "请直接填数字。", sheet_name, ref, code=Code.VALUE_FORMULA_NO_RESULT)
        return None, cell.formula
    parsed = parse_number(cell.value, percent_unit=ind.is_percent, unit=ind.unit)
    if parsed.error:
        problems.error(f"“{ind.name}”：{parsed.error}。", sheet_name, ref, code=Code.VALUE_NOT_NUMBER)
        return None, parsed.raw
    if parsed.value is None:
        problems.warning(f"“{ind.name}”未填写（该单位本期没有这项数据）。", sheet_name, ref, code=Code.VALUE_BLANK)
        return None, parsed.raw
    value, raw = float(parsed.value), parsed.raw
    if cell.formula is not None:
        problems.warning(f"“{ind.name}”填的是公式 {shorten(cell.formula, 40)}，已按计算结果 {value:g} 采用；"
                         "请直接填数字。", sheet_name, ref, code=Code.VALUE_FORMULA)
        raw = f"{raw}（公式 {shorten(cell.formula, 200)}）"
    percent_typed = not cell.is_text and ind.is_percent and _percent_format(cell.number_format)
    if percent_typed:  # 3.7% typed into Excel/LibreOffice is stored as 0.037 shown as a percentage
        value = float(f"{value * 100:.12g}")
        raw = f"{raw}（百分比格式，显示为 {value:g}%，按 {value:g} 采用）"
    if value < 0 and not ind.negative_allowed:
        problems.error(f"“{ind.name}”填了负数 {shorten(raw, 40)}，应填不小于 0 的数字。", sheet_name, ref,
                       code=Code.VALUE_NEGATIVE)
        return None, raw
    if ind.is_percent and value > 100 and not ind.negative_allowed:  # a 增速 may pass 100%
        problems.error(f"“{ind.name}”是百分数，{shorten(raw, 40)} 超过了 100，请填 0-100 之间的数值。",
                       sheet_name, ref, code=Code.VALUE_OVER_100)
        return None, raw
    target = target if target is not None and target > 0 else None  # a negative 增速 target bounds nothing
    if abs(value) >= ABSURD_VALUE or (target and value > ABSURD_FACTOR * target):
        problems.error(f"“{ind.name}”填报 {value:.6g}，远远超出合理范围" + (f"（目标 {target:g}）" if target else "")
                       + "，请核实单位和数值后只填数字。", sheet_name, ref, code=Code.VALUE_OUT_OF_RANGE)
        return None, raw
    if target and value > IMPLAUSIBLE_FACTOR * target:
        problems.warning(f"“{ind.name}”填报 {value:g}，超过目标（{target:g}）的 {IMPLAUSIBLE_FACTOR} 倍，"
                         "请核实单位和数值。", sheet_name, ref, code=Code.VALUE_IMPLAUSIBLE)
    if (ind.is_percent and not percent_typed and "%" not in (parsed.raw or "")
            and 0 < value < 1 and target is not None and target >= 1):
        problems.warning(f"“{ind.name}”填报 {value:g}，目标是 {target:g}（单位 %），是否把 {value * 100:g}% "
                         f"填成了小数 {value:g}？请核对，应填 {value * 100:g}。", sheet_name, ref,
                         code=Code.VALUE_FRACTION)
    return value, raw


STATE_WORDS = {"未启动": NOT_STARTED, "未开始": NOT_STARTED, "推进中": IN_PROGRESS, "进行中": IN_PROGRESS,
               "已完成": COMPLETED, "完成": COMPLETED}
"""What a 节点任务's state cell may hold (spaces and full-width forms ignored): the dropdown's three
states and the words people type for them (未开始, 进行中, 完成); anything else is returned with the
cell named."""


def _state_cell(cell, ind: IndicatorFacts, sheet_name, ref, problems):
    """(index, word) of a 节点任务's state cell: 0 未启动, 1 推进中, 2 已完成, as the ledger keeps it."""
    if cell is None or is_blank(cell.value):
        problems.warning(f"“{ind.name}”未选择进展状态（该单位本期没有报这项）。", sheet_name, ref,
                         code=Code.VALUE_BLANK)
        return None, None
    typed = clean_text(signing.canonical(cell.value))
    word = re.sub(r"\s", "", unicodedata.normalize("NFKC", typed))
    state = STATE_WORDS.get(word)
    if state is None or cell.is_error:
        problems.error(f"“{ind.name}”是节点任务，“{shorten(typed.strip(), 20)}”不是进展状态：请从下拉列表选择"
                       f"{'、'.join(MILESTONE_STATES)}之一，进展情况写在“情况说明”格。", sheet_name, ref,
                       code=Code.VALUE_NOT_STATE)
        return None, typed
    return float(MILESTONE_STATES.index(state)), state


def _year(period: str) -> int | None:
    try:
        return Period.parse(period).year
    except WjexcelError:
        return None  # a damaged period: the verdict says so


def _read_signature_block(sheet, cells: dict, problems) -> SignatureBlock:
    found, missing = {}, []
    labels = dict(L.SIGNATURE_FIELDS)
    for key, ref in cells.items():
        row, col = parse_a1(ref)
        cell = sheet.cells.get((row, col))
        if key == "filled_on":
            raw = None if cell is None or is_blank(cell.value) else cell.value
            found[key] = parse_date(raw) if raw is not None else None
            if raw is not None and found[key] is None:
                problems.warning(f"填报日期“{shorten(clean_text(signing.canonical(raw)), 30)}”无法识别为日期，"
                                 "请写成 2022-10-08。", sheet.name, ref, code=Code.SIGN_BAD_DATE)
        else:
            typed = "" if cell is None or is_blank(cell.value) else signing.canonical(cell.value)
            if len(typed) > EXCEL_TEXT_LIMIT:  # no spreadsheet program writes this: never cut it silently
                label = labels.get(key, key)
                problems.error(f"“{label}”中有 {len(typed)} 个字，超过 Excel 单元格上限 {EXCEL_TEXT_LIMIT} 字"
                               f"（文件可能被其他程序改动过），请只填写{label}。", sheet.name, ref,
                               code=Code.SIGN_TOO_LONG)
                found[key] = ""
            else:
                found[key] = _text(cell) or ""
        if cell is None or is_blank(cell.value):
            missing.append(labels.get(key, key))
    if missing:
        problems.warning(f"签章栏未填写：{'、'.join(missing)}。", sheet.name, cells.get("unit", ""),
                         code=Code.SIGN_BLANK)
    return SignatureBlock(found.get("unit", ""), found.get("filled_by", ""), found.get("phone", ""),
                          found.get("filled_on"), found.get("reviewer", ""))


# --- content outside the form ------------------------------------------------------------------
def _check_outside(book: WorkbookData, layout: L.FormLayout, problems: ProblemList) -> None:
    bounds = {layout.main.sheet: (layout.main.last_row, layout.main.last_col)}
    for info in layout.details.values():
        bounds[info.sheet] = (info.last_row, info.last_col)
    known = set(layout.sheets) | {L.META_SHEET, RETURN_SHEET}
    for sheet in book.sheets:
        if sheet.name not in known:
            if sheet.cells:
                problems.warning(f"表中多了一个工作表“{shorten(sheet.name, 31)}”，其中的内容不会被读取。", sheet.name,
                                 code=Code.EXTRA_SHEET)
            continue
        if sheet.beyond_bounds:
            problems.warning("表格范围以外还有内容（已忽略），请只在原表格内填写。", sheet.name,
                             sheet.beyond_cells[0] if sheet.beyond_cells else "", code=Code.OUTSIDE_CONTENT)
        limit = bounds.get(sheet.name)
        if limit is None:
            continue
        outside = sorted((r, c) for (r, c), cell in sheet.cells.items()
                         if (r > limit[0] or c > limit[1]) and not is_blank(cell.value))
        if outside:
            refs = "、".join(a1(r, c) for r, c in outside[:5]) + ("等" if len(outside) > 5 else "")
            problems.warning(f"表格范围以外填了内容（{refs}），这些内容不会被读取，请填在表格内。",
                             sheet.name, a1(*outside[0]), code=Code.OUTSIDE_CONTENT)
