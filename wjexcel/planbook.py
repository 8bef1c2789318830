"""The plan as a workbook (计划.xlsx): write it for a clerk to edit, read it back, check it.

The clerk owns the plan. They change a target, add a town or start a new plan
(2024-2026) in Excel or WPS, never in code. :func:`export_plan` writes a styled workbook
with dropdowns; :func:`load_plan` reads it back into a :class:`~wjexcel.plan.Plan`;
:func:`check_plan_file` lists every problem at once, each in Chinese with sheet and cell.

Columns are found by their header text, so a clerk may reorder columns; blank rows are
skipped; names are matched ignoring full-/half-width differences and stray spaces.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wjexcel.errors import OutputLockedError, PlanError, WjexcelError
from wjexcel.filetypes import XLSM, XLSX, sniff
from wjexcel.plan import (
    ALL_DISTRICTS,
    CHECK_MODES,
    COLUMN_TYPES,
    DEPARTMENT,
    INCREMENT,
    INDICATOR_KINDS,
    PLAN_TOTAL,
    REPORTER_KINDS,
    STOCK,
    DetailColumn,
    DetailList,
    GroupTarget,
    Indicator,
    Plan,
    Reporter,
    Target,
    Task,
    format_number,
)
from wjexcel.problems import ProblemList
from wjexcel.values import is_blank, parse_number

# --- the layout -------------------------------------------------------------------------

GUIDE = "说明"
SETTINGS = "设置"
TASKS = "任务"
INDICATORS = "指标"
REPORTERS = "填报单位"
SPLITS = "分解目标"
CHAINS = "产业链"
LISTS = "明细表"
LIST_COLUMNS = "明细列"
CHOICES = "下拉选项"  # helper lists for dropdowns (units); never read back

CHAINS_WORD = "产业链"  # in 明细列·选项: "the list on the 产业链 sheet"
YES, NO = "是", "否"
SEPARATOR = "、"
SPLIT_RE = re.compile(r"[、,，;；\n]+")
YEAR_HEADER_RE = re.compile(r"^(\d{4})年?目标$")
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
RESERVED_FORM_SHEETS = {"指标填报", "填报说明"}

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ROWS = 20000
MAX_COLS = 60
MAX_BLANK_RUN = 1000  # stop reading a sheet after this many blank rows in a row
HEADER_SEARCH_ROWS = 10
LIST_ROWS = 2000  # dropdowns and the ranges they draw from cover rows 2..LIST_ROWS

COMMON_UNITS = ["家", "个", "项", "场", "人", "件", "万平方米", "平方米", "%", "亿元", "万元"]


@dataclass(frozen=True)
class Column:
    """One column of a plan sheet: its key in code, its Chinese header and width."""

    key: str
    header: str
    width: float = 12
    required: bool = True


SETTING_ROWS = [
    # (label, Plan attribute, hint shown beside it)
    ("计划名称", "name", "计划全称，印在每张填报表和汇总表的标题上"),
    ("简称", "short_name", "较短的名称，用在页脚和文件名里"),
    ("计划编号", "plan_id", "字母、数字和 - 组成，填报表靠它认出计划；开始新一轮计划时请改一个新编号"),
    ("版本", "version", "修改目标后可把版本加 1，便于区分新旧填报表"),
    ("起始年度", "start", "计划的第一年，如 2021"),
    ("结束年度", "end", "计划的最后一年，如 2023；“指标”表要有从起始到结束每一年的“XXXX年目标”列"),
    ("滞后容差", "tolerance", "低于序时进度、但差距在此之内为“滞后”（黄灯），差得更多为“严重滞后”（红灯）；填百分数，如 10%"),
    ("牵头单位", "lead_unit", "须是“填报单位”表中的部门"),
    ("发文单位", "issuer", ""),
    ("联系人", "contact", "印在填报表上，供各单位咨询"),
    ("联系电话", "phone", ""),
    ("报送期限（天）", "deadline_days", "发出填报表后几天内报回"),
]

TASK_COLUMNS = [
    Column("number", "序号", 8),
    Column("name", "工作任务", 28),
    Column("units", "责任单位", 56),
    Column("districts", "含各区镇", 10),
    Column("lead", "牵头单位", 14, required=False),
]
INDICATOR_COLUMNS = [
    Column("code", "编码", 8),
    Column("task", "任务序号", 9),
    Column("name", "指标名称", 36),
    Column("unit", "单位", 10),
    Column("kind", "类型", 10),
    Column("parent", "上级指标", 10),
    Column("source", "数据来源单位", 16),
    Column("district", "区镇填报", 10),
    Column("baseline", "基期值", 10),
    # one "XXXX年目标" column per plan year goes here
    Column("note", "说明", 44),
]
REPORTER_COLUMNS = [
    Column("name", "名称", 26),
    Column("kind", "类型", 8),
    Column("short", "简称", 14),
    Column("groups", "所属组", 12),
    Column("chains", "重点产业链", 56),
]
SPLIT_COLUMNS = [
    Column("code", "指标编码", 10),
    Column("who", "填报单位或组", 26),
    Column("span", "期间", 12),
    Column("value", "目标值", 10),
    Column("note", "说明", 50),
]
CHAIN_COLUMNS = [Column("name", "名称", 26)]
LIST_COLUMNS_SPEC = [
    Column("code", "编码", 10),
    Column("name", "名单名称", 28),
    Column("indicator", "关联指标", 10),
    Column("check", "核对方式", 10),
    Column("sum_column", "合计列", 18),
    Column("note", "说明", 60),
]
COLUMN_COLUMNS = [
    Column("list", "名单编码", 10),
    Column("name", "列名", 22),
    Column("type", "类型", 16),
    Column("choices", "选项", 40),
    Column("required", "必填", 8),
    Column("width", "列宽", 8),
]
SHEETS = {
    TASKS: TASK_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
    REPORTERS: REPORTER_COLUMNS,
    SPLITS: SPLIT_COLUMNS,
    CHAINS: CHAIN_COLUMNS,
    LISTS: LIST_COLUMNS_SPEC,
    LIST_COLUMNS: COLUMN_COLUMNS,
}

GUIDE_TEXT = [
    "这是行动计划的全部设定。改完保存，再运行“检查计划”（wjexcel plan check 计划.xlsx），有错会逐条指出在哪个表、哪个单元格。",
    "表名和表头文字请不要改；列的先后顺序可以调整；空行会被跳过。",
    "【设置】计划名称、年度、滞后容差、联系人等，每行一项，只改“值”这一列。",
    "【任务】每行一项工作任务。责任单位写部门名称，用“、”隔开；“含各区镇”填“是”表示各区镇也是责任单位。",
    "【指标】每行一个指标。“XXXX年目标”列填当年目标：直接填数字（如 1400，也可写“达1400”“1400以上”）表示达到即完成；"
    "写“超1200”（或“>1200”）表示必须超过 1200（严格大于）。",
    "　　类型：增量＝当年新增，各年相加得三年合计；存量＝某一时点的累计或有效数，年度之间不相加；"
    "比率＝百分比，不在区镇或年度之间相加；计划总量＝整个计划期的总数，只需填最后一年的目标。",
    "　　上级指标：“其中”项填它所属指标的编码，其目标不能大于上级指标。数据来源单位：全区数以哪个部门报送的为准。"
    "区镇填报：“是”表示每个区镇的填报表都有这个指标。",
    "【填报单位】每行一个区镇或部门。新增一个镇：在表末加一行，填名称、类型“区镇”、简称；"
    "如属于某个组（如“四个镇”）填在“所属组”，重点产业链用“、”隔开。",
    "【分解目标】把指标目标分到某个区镇或某个组：期间填整个计划期（如 2021-2023）或某一年（如 2022）。",
    "【产业链】重点产业链名单，每行一条。",
    "【明细表】【明细列】填报表上附带的名单（如新认定高新技术企业名单）：名单名称就是填报表里的工作表名；"
    "核对方式“行数”＝名单行数应等于指标填报数，“合计”＝“合计列”之和应等于指标填报数。"
    "明细列的“选项”用“、”隔开，写“产业链”表示使用“产业链”表的名单。",
    "开始新一轮计划（如 2024-2026）：在“设置”中改计划名称、计划编号、起始年度、结束年度；"
    "把“指标”表的年度列标题改为“2024年目标”“2025年目标”“2026年目标”并填入新目标；“分解目标”的期间改为 2024-2026。",
    "带下拉箭头的单元格请从列表中选；责任单位、重点产业链等可填多个的，可先选一个再手工补充，用“、”隔开。"
    "计量单位的下拉来自“下拉选项”表，可在那里添加新单位。",
]

# --- public API -------------------------------------------------------------------------


def export_plan(plan: Plan, path) -> Path:
    """Write ``plan`` as a styled, editable plan workbook at ``path``.

    The file is written next to its destination first, re-opened to verify it, and only
    then moved into place, so a failure never leaves a half-written 计划.xlsx.

    Raises:
        OutputLockedError: The destination is open in Excel/WPS.
        WjexcelError: The folder cannot be written or the written file is unreadable.
    """
    from wjexcel.atomic import replace_file

    path = Path(path)
    try:
        replace_file(path, lambda tmp: _build_workbook(plan).save(tmp), lambda tmp: _verify_written(tmp, plan))
    except PermissionError as exc:
        raise OutputLockedError(f"“{path.name}”正被 Excel 或 WPS 打开，无法覆盖。请先关闭它再试。") from exc
    except OSError as exc:
        raise WjexcelError(f"无法写入“{path}”：{exc.strerror or exc}") from exc
    return path


def load_plan(path) -> Plan:
    """Read a plan workbook.

    Raises:
        PlanError: The file has errors; ``issues`` lists every located problem.
    """
    plan, problems = _load(Path(path))
    if problems.errors or plan is None:
        first = problems.errors[0].located() if problems.errors else "无法读取"
        raise PlanError(
            f"计划文件“{Path(path).name}”有 {len(problems.errors)} 处错误，请改正后再试"
            f"（wjexcel plan check 可列出全部）。第一处：{first}",
            issues=problems.items,
        )
    return plan


def check_plan_file(path) -> ProblemList:
    """Every problem of a plan workbook, each with sheet and cell (errors and warnings)."""
    return _load(Path(path))[1]


def check_plan(plan: Plan, where: "PlanLocations | None" = None) -> ProblemList:
    """Semantic checks of a plan in memory: references, duplicates, missing targets.

    Args:
        plan: The plan to check.
        where: Where each part came from in a workbook; without it problems name the
            sheet but no cell.
    """
    return _Checker(plan, where or PlanLocations()).run()


def parse_target(raw, unit: str = "") -> tuple[Target | None, str | None]:
    """Read a target cell: ``1400``, ``达1400``, ``1400以上``, ``≥3.6``, ``超1200``, ``>1200``.

    Returns ``(target, None)``, ``(None, None)`` for a blank cell, or ``(None, message)``.
    """
    if is_blank(raw):
        return None, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        parsed = parse_number(raw, percent_unit=_is_percent(unit))
        return (Target(float(parsed.value)), None) if parsed.ok else (None, _not_a_number(raw))
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    op = ">="
    for prefix, prefix_op in ((">=", ">="), ("≥", ">="), ("≧", ">="), ("达到", ">="), ("达", ">="),
                              ("不低于", ">="), ("不少于", ">="), (">", ">"), ("超过", ">"), ("超", ">")):
        if text.startswith(prefix):
            text, op = text[len(prefix):], prefix_op
            break
    for suffix in ("及以上", "以上"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    parsed = parse_number(text, percent_unit=_is_percent(unit), unit=unit or None)
    if not parsed.ok or parsed.value is None:
        return None, _not_a_number(raw)
    return Target(float(parsed.value), op), None


def _not_a_number(raw) -> str:
    return f"目标“{str(raw).strip()}”不是数字，请填阿拉伯数字，如 1200；必须超过的目标写“超1200”"


# --- writing ----------------------------------------------------------------------------


def _build_workbook(plan: Plan):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    writer = _Writer(wb, plan)
    writer.guide()
    writer.settings()
    writer.tasks()
    writer.indicators()
    writer.reporters()
    writer.splits()
    writer.chains()
    writer.lists()
    writer.list_columns()
    writer.choices()
    wb.active = 0
    return wb


def _indicator_columns(years: list[int]) -> list[Column]:
    year_cols = [Column(f"target:{y}", f"{y}年目标", 12) for y in years]
    return INDICATOR_COLUMNS[:-1] + year_cols + INDICATOR_COLUMNS[-1:]


class _Writer:
    """Writes each sheet with the house style: 宋体 bold headers, 仿宋 body, A4 landscape."""

    def __init__(self, wb, plan: Plan):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb, self.plan = wb, plan
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.header_font = Font(name="宋体", size=11, bold=True)
        self.body_font = Font(name="仿宋", size=11)
        self.header_fill = PatternFill("solid", fgColor="DDEBF7")
        self.target_fill = PatternFill("solid", fgColor="FFF2CC")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    # -- helpers --
    def _sheet(self, title: str, columns: list[Column], rows: list[list], freeze: str = "B2"):
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        for c, col in enumerate(columns, 1):
            cell = self._put(ws, 1, c, col.header)
            cell.font, cell.alignment, cell.border = self.header_font, self.center, self.border
            cell.fill = self.target_fill if col.key.startswith("target:") else self.header_fill
            ws.column_dimensions[get_column_letter(c)].width = col.width
        for r, values in enumerate(rows, 2):
            for c, value in enumerate(values, 1):
                cell = self._put(ws, r, c, value)
                cell.font, cell.border = self.body_font, self.border
                cell.alignment = self.left if columns[c - 1].width >= 20 else self.center
            _fit_height(ws, r, [(v, col.width) for v, col in zip(values, columns)])
        _fit_height(ws, 1, [(col.header, col.width) for col in columns])
        ws.freeze_panes = freeze
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
        self._print_setup(ws)
        return ws

    @staticmethod
    def _put(ws, row: int, col: int, value):
        """Write a value; text stays text even when it starts with ``=``."""
        cell = ws.cell(row=row, column=col)
        if value is None or value == "":
            return cell
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        return cell

    def _print_setup(self, ws, title_rows: str = "1:1"):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        if title_rows:
            ws.print_title_rows = title_rows
        ws.oddFooter.left.text = self.plan.short_name or self.plan.name
        ws.oddFooter.right.text = "第 &P 页，共 &N 页"

    def _dropdown(self, ws, column: int, source: str, *, strict: bool = True, prompt: str = ""):
        """A list dropdown on rows 2..LIST_ROWS of ``column``; ``source`` is a range or a list."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        formula = source if "!" in source else f'"{source}"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.showErrorMessage = strict
        dv.errorTitle = "不在可选范围内"
        dv.error = "请从下拉列表中选择。"
        if prompt:
            dv.showInputMessage = True
            dv.prompt = prompt
        letter = get_column_letter(column)
        dv.add(f"{letter}2:{letter}{LIST_ROWS}")
        ws.add_data_validation(dv)

    @staticmethod
    def _range(sheet: str, letter: str = "A") -> str:
        return f"'{sheet}'!${letter}$2:${letter}${LIST_ROWS}"

    @staticmethod
    def _col(columns: list[Column], key: str) -> int:
        return next(i for i, c in enumerate(columns, 1) if c.key == key)

    # -- sheets --
    def guide(self):
        from openpyxl.styles import Font

        ws = self.wb.create_sheet(GUIDE)
        ws.column_dimensions["A"].width = 110
        title = self._put(ws, 1, 1, f"计划文件填写说明 — {self.plan.name}")
        title.font = Font(name="宋体", size=16, bold=True)
        for r, text in enumerate(GUIDE_TEXT, 3):
            cell = self._put(ws, r, 1, text)
            cell.font, cell.alignment = self.body_font, self.left
            _fit_height(ws, r, [(text, 110)])
        self._print_setup(ws, title_rows="")

    def settings(self):
        p = self.plan
        values = {
            "name": p.name, "short_name": p.short_name, "plan_id": p.plan_id, "version": p.version,
            "start": p.years[0] if p.years else None, "end": p.years[-1] if p.years else None,
            "tolerance": p.tolerance, "lead_unit": p.lead_unit, "issuer": p.issuer,
            "contact": p.contact, "phone": p.phone, "deadline_days": p.deadline_days,
        }
        columns = [Column("label", "项目", 16), Column("value", "值", 50), Column("hint", "说明", 70)]
        rows = [[label, values[attr], hint] for label, attr, hint in SETTING_ROWS]
        ws = self._sheet(SETTINGS, columns, rows, freeze="A2")
        for r, (_, attr, _) in enumerate(SETTING_ROWS, 2):
            if attr == "tolerance":
                ws.cell(r, 2).number_format = "0%"
            elif attr in ("plan_id", "version", "phone"):
                ws.cell(r, 2).number_format = "@"
        ws.auto_filter.ref = None

    def tasks(self):
        rows = [[t.number, t.name, SEPARATOR.join(t.responsible_units), _yes_no(t.districts_responsible),
                 t.lead_unit] for t in self.plan.tasks]
        ws = self._sheet(TASKS, TASK_COLUMNS, rows, freeze="C2")
        cols = TASK_COLUMNS
        self._dropdown(ws, self._col(cols, "districts"), f"{YES},{NO}")
        self._dropdown(ws, self._col(cols, "units"), self._range(REPORTERS), strict=False,
                       prompt="填部门名称，多个用“、”隔开")
        self._dropdown(ws, self._col(cols, "lead"), self._range(REPORTERS), prompt="选一个部门")

    def indicators(self):
        columns = _indicator_columns(self.plan.years)
        rows = []
        for ind in self.plan.indicators:
            targets = [_target_cell(ind.targets.get(y)) for y in self.plan.years]
            rows.append([ind.code, ind.task, ind.name, ind.unit, _label(INDICATOR_KINDS, ind.kind),
                         ind.parent or "", ind.source_unit, _yes_no(ind.district_reported),
                         _plain(ind.baseline), *targets, ind.note])
        ws = self._sheet(INDICATORS, columns, rows, freeze="D2")
        col = lambda key: self._col(columns, key)  # noqa: E731
        self._dropdown(ws, col("task"), self._range(TASKS))
        self._dropdown(ws, col("unit"), self._range(CHOICES), strict=False, prompt="可选，也可直接填写")
        self._dropdown(ws, col("kind"), ",".join(INDICATOR_KINDS.values()),
                       prompt="增量：当年新增；存量：累计/有效数；比率：百分比；计划总量：整个计划期的总数")
        self._dropdown(ws, col("parent"), self._range(INDICATORS), prompt="“其中”项填上级指标的编码，否则留空")
        self._dropdown(ws, col("source"), self._range(REPORTERS), prompt="选一个部门：全区数以它报送的为准")
        self._dropdown(ws, col("district"), f"{YES},{NO}")

    def reporters(self):
        rows = [[r.name, _label(REPORTER_KINDS, r.kind), r.short_name, SEPARATOR.join(r.groups),
                 SEPARATOR.join(r.chains)] for r in self.plan.reporters]
        ws = self._sheet(REPORTERS, REPORTER_COLUMNS, rows, freeze="B2")
        self._dropdown(ws, self._col(REPORTER_COLUMNS, "kind"), ",".join(REPORTER_KINDS.values()))
        self._dropdown(ws, self._col(REPORTER_COLUMNS, "chains"), self._range(CHAINS), strict=False,
                       prompt="多条用“、”隔开")

    def splits(self):
        rows = []
        for ind in self.plan.indicators:
            for who, spans in ind.reporter_targets.items():
                rows.extend([ind.code, who, span, _plain(value), ""] for span, value in spans.items())
            rows.extend([ind.code, g.group, g.span, _plain(g.value), g.note] for g in ind.group_targets)
        ws = self._sheet(SPLITS, SPLIT_COLUMNS, rows, freeze="A2")
        self._dropdown(ws, self._col(SPLIT_COLUMNS, "code"), self._range(INDICATORS))
        self._dropdown(ws, self._col(SPLIT_COLUMNS, "who"), self._range(REPORTERS), strict=False,
                       prompt="填报单位名称，或“所属组”的组名（如 四个镇）")

    def chains(self):
        self._sheet(CHAINS, CHAIN_COLUMNS, [[c] for c in self.plan.chains], freeze="A2")

    def lists(self):
        rows = [[d.code, d.name, d.indicator, _label(CHECK_MODES, d.check), d.sum_column, d.note]
                for d in self.plan.detail_lists]
        ws = self._sheet(LISTS, LIST_COLUMNS_SPEC, rows, freeze="B2")
        self._dropdown(ws, self._col(LIST_COLUMNS_SPEC, "indicator"), self._range(INDICATORS))
        self._dropdown(ws, self._col(LIST_COLUMNS_SPEC, "check"), ",".join(CHECK_MODES.values()))

    def list_columns(self):
        rows = []
        for d in self.plan.detail_lists:
            for c in d.columns:
                choices = CHAINS_WORD if c.choices and list(c.choices) == self.plan.chains \
                    else SEPARATOR.join(c.choices)
                rows.append([d.code, c.name, _label(COLUMN_TYPES, c.type), choices,
                             _yes_no(c.required), _plain(c.width)])
        ws = self._sheet(LIST_COLUMNS, COLUMN_COLUMNS, rows, freeze="C2")
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "list"), self._range(LISTS))
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "type"), ",".join(COLUMN_TYPES.values()))
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "required"), f"{YES},{NO}")

    def choices(self):
        units = list(dict.fromkeys(COMMON_UNITS + [i.unit for i in self.plan.indicators if i.unit]))
        self._sheet(CHOICES, [Column("unit", "计量单位", 16)], [[u] for u in units], freeze="A2")


def _verify_written(path: Path, plan: Plan) -> None:
    """Re-open the written file and check every sheet and header is there."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
        try:
            expected = dict(SHEETS)
            expected[INDICATORS] = _indicator_columns(plan.years)
            for name, cols in expected.items():
                header = next(wb[name].iter_rows(min_row=1, max_row=1, values_only=True))
                if [h for h in header[: len(cols)]] != [c.header for c in cols]:
                    raise ValueError(name)
        finally:
            wb.close()
    except Exception as exc:  # any failure means the file is not what we meant to write
        raise WjexcelError(f"写出的计划文件核验失败（{exc}），原文件未改动。") from exc


def _fit_height(ws, row: int, cells: list[tuple[object, float]]) -> None:
    """Set a row tall enough for its wrapped text: viewers do not grow rows by themselves."""
    lines = 1
    for value, width in cells:
        text = _text(value)
        shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        lines = max(lines, -(-shown // max(int(width) - 1, 1)))
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines + 3


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def _plain(value):
    """A whole float as an int so Excel shows 10 not 10.0; None stays None."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _target_cell(target: Target | None):
    if target is None:
        return None
    return f"超{format_number(target.value)}" if target.op == ">" else _plain(target.value)


def _is_percent(unit: str) -> bool:
    return unit.strip() in {"%", "％"}


# --- reading ----------------------------------------------------------------------------


class _PercentCell(float):
    """A number cell shown with a % format: Excel stores 3.6% as 0.036."""


@dataclass
class _Sheet:
    name: str
    rows: list[tuple[int, tuple]]  # (row number, values), blank rows dropped


def _read_book(path: Path, problems: ProblemList) -> dict[str, _Sheet] | None:
    """Every sheet's non-blank rows, read with bounds; None when the file cannot be read."""
    if not path.is_file():
        problems.error(f"找不到计划文件“{path}”")
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.error(f"计划文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，不像是计划文件")
        return None
    kind = sniff(path)
    if kind.kind not in (XLSX, XLSM):
        problems.error(kind.message or f"计划文件必须是 Excel 工作簿（.xlsx），这是{kind.description}；"
                       "请用 Excel 或 WPS 另存为 .xlsx")
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED_BYTES:
                problems.error("计划文件解压后过大，不像是计划文件")
                return None
    except (zipfile.BadZipFile, OSError):
        problems.error("计划文件已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx")
        return None

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        problems.error(f"无法打开计划文件（{type(exc).__name__}），请用 Excel 或 WPS 打开后另存为 .xlsx")
        return None
    try:
        return {_norm(ws.title): _read_sheet(ws, problems) for ws in wb.worksheets}
    finally:
        wb.close()


def _read_sheet(ws, problems: ProblemList) -> _Sheet:
    ws.reset_dimensions()
    rows, blank_run = [], 0
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLS), 1):
        values = tuple(_cell_value(c) for c in cells)
        if all(is_blank(v) for v in values):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if number > MAX_ROWS:
            problems.error(f"“{ws.title}”表超过 {MAX_ROWS} 行，其后的内容未读取", ws.title, f"A{number}")
            break
        rows.append((number, values))
    return _Sheet(ws.title, rows)


def _cell_value(cell):
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return _PercentCell(value)
    return value


def _norm(text) -> str:
    """The matching key of a header or name: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _text(value) -> str:
    """Cell content as stripped text; numbers as 1200 / 3.6."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value).strip()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _split(value) -> list[str]:
    return [p.strip() for p in SPLIT_RE.split(_text(value)) if p.strip()]


class _Row:
    """One data row of a table, addressed by column key."""

    def __init__(self, table: "_Table", number: int, values: tuple):
        self.table, self.number, self.values = table, number, values

    def raw(self, key: str):
        idx = self.table.index.get(key)
        return self.values[idx] if idx is not None and idx < len(self.values) else None

    def text(self, key: str) -> str:
        return _text(self.raw(key))

    def cell(self, key: str) -> str:
        return self.table.cell(key, self.number)


class _Table:
    """A sheet read through its header row: column keys → positions, data rows."""

    def __init__(self, sheet: _Sheet, columns: list[Column], problems: ProblemList):
        self.name, self.index, self.years = sheet.name, {}, {}
        self.header_row, self.ok = 0, True
        wanted = {_norm(c.header): c for c in columns}
        key_header = _norm(columns[0].header)
        for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
            if key_header in {_norm(v) for v in values}:
                self.header_row = number
                for i, v in enumerate(values):
                    h = _norm(v)
                    m = YEAR_HEADER_RE.match(h)
                    key = wanted[h].key if h in wanted else (f"target:{m.group(1)}" if m else None)
                    if key is None:
                        continue
                    if key in self.index or (m and int(m.group(1)) in self.years):
                        problems.error(f"表头“{_text(v)}”出现了两次，请删去一列", sheet.name, f"{_letter(i)}{number}")
                    elif m:
                        self.years[int(m.group(1))] = i
                    else:
                        self.index[key] = i
                break
        if not self.header_row:
            problems.error(f"“{sheet.name}”表找不到表头行（第一列应为“{columns[0].header}”）", sheet.name, "A1")
            self.ok = False
            self._rows = []
            return
        missing = [f"“{c.header}”" for c in columns if c.required and c.key not in self.index]
        if missing:
            problems.error(f"“{sheet.name}”表缺少列：{'、'.join(missing)}", sheet.name, f"A{self.header_row}")
            self.ok = False
        self._rows = [(n, v) for n, v in sheet.rows if n > self.header_row]

    def rows(self):
        for number, values in self._rows:
            yield _Row(self, number, values)

    def letter(self, key: str) -> str:
        idx = self.years.get(int(key[7:])) if key.startswith("target:") else self.index.get(key)
        return _letter(idx) if idx is not None else ""

    def cell(self, key: str, number: int) -> str:
        letter = self.letter(key)
        return f"{letter}{number}" if letter else f"A{number}"


class PlanLocations:
    """Where each part of a loaded plan sits in the workbook, so problems name a cell.

    Rows are keyed by (sheet, key): a list index, or ``(code, name, span)`` for a split.
    """

    def __init__(self):
        self.rows: dict[tuple[str, object], int] = {}
        self.tables: dict[str, _Table] = {}

    def cell(self, sheet: str, key, field: str = "") -> str | None:
        """The cell's address; "" when unknown; None when its column is missing from the
        sheet (that is reported once, as a missing column)."""
        number = self.rows.get((sheet, key))
        table = self.tables.get(sheet)
        if table is not None and field and not table.letter(field):
            return None
        if number is None or table is None:
            return ""
        return table.cell(field, number) if field else f"A{number}"


def _load(path: Path) -> tuple[Plan | None, ProblemList]:
    problems = ProblemList(file=path.name)
    book = _read_book(path, problems)
    if book is None:
        return None, problems
    missing = [name for name in [SETTINGS, *SHEETS] if _norm(name) not in book]
    if missing:
        problems.error(f"缺少工作表：{'、'.join(f'“{m}”' for m in missing)}（表名不要改动）")
        return None, problems
    loader = _Loader(book, problems)
    plan = loader.load()
    if plan is None:
        return None, problems
    bad_cells = {(p.sheet, p.cell) for p in problems.errors}
    for problem in check_plan(plan, loader.where):
        if problem.is_error and (problem.sheet, problem.cell) in bad_cells and problem.cell:
            continue  # one problem per cell: the reading error already says it
        problems.items.append(dataclasses.replace(problem, file=problems.file))
    problems.items.sort(key=_reading_order)
    return plan, problems


SHEET_ORDER = [SETTINGS, TASKS, INDICATORS, REPORTERS, SPLITS, CHAINS, LISTS, LIST_COLUMNS]


def _reading_order(problem) -> tuple:
    """Sheet by sheet, then row by row, left to right: the order a clerk fixes them in."""
    sheet = SHEET_ORDER.index(problem.sheet) if problem.sheet in SHEET_ORDER else -1
    m = re.fullmatch(r"([A-Z]+)(\d+)", problem.cell)
    if not m:
        return sheet, 0, 0, ""
    return sheet, int(m.group(2)), len(m.group(1)), m.group(1)


class _Loader:
    """Turns the sheets into a Plan, reporting cell-level problems as it goes."""

    def __init__(self, book: dict[str, _Sheet], problems: ProblemList):
        self.book, self.problems, self.where = book, problems, PlanLocations()

    def table(self, name: str, columns: list[Column]) -> _Table:
        table = _Table(self.book[_norm(name)], columns, self.problems)
        self.where.tables[name] = table
        return table

    def number(self, row: _Row, key: str, *, whole: bool = False, unit: str = "",
               required: str = "") -> float | None:
        """A number cell; ``required`` is the message for a blank cell (blank is fine without it)."""
        raw = row.raw(key)
        if required and is_blank(raw):
            self.problems.error(required, row.table.name, row.cell(key))
            return None
        if isinstance(raw, _PercentCell) and _is_percent(unit):
            raw = round(raw * 100, 10)
        parsed = parse_number(raw, percent_unit=_is_percent(unit), unit=unit or None)
        if not parsed.ok:
            self.problems.error(parsed.error, row.table.name, row.cell(key))
            return None
        if parsed.value is not None and whole and not float(parsed.value).is_integer():
            self.problems.error(f"“{_text(raw)}”应为整数", row.table.name, row.cell(key))
            return None
        return parsed.value

    def flag(self, row: _Row, key: str, default: bool) -> bool:
        text = _norm(row.text(key)).lower()
        if not text:
            return default
        if text in {"是", "y", "yes", "true", "√", "1"}:
            return True
        if text in {"否", "n", "no", "false", "×", "x", "0"}:
            return False
        self.problems.error(f"“{row.text(key)}”应填“是”或“否”", row.table.name, row.cell(key))
        return default

    def load(self) -> Plan | None:
        settings = self.settings()
        if settings is None:
            return None
        chains = self.chains()
        reporters = self.reporters()
        plan = Plan(tasks=self.tasks(settings["lead_unit"]), indicators=[], reporters=reporters,
                    chains=chains, **settings)
        plan.indicators = self.indicators(plan.years)
        self.splits(plan)
        plan.detail_lists = self.lists(plan)
        return plan

    def settings(self) -> dict | None:
        columns = [Column("label", "项目"), Column("value", "值")]
        table = self.table(SETTINGS, columns)
        if not table.ok:
            return None
        by_label = {}
        for row in table.rows():
            label = _norm(row.text("label"))
            if label in by_label:
                self.problems.error(f"“{row.text('label')}”重复出现", SETTINGS, row.cell("label"))
            by_label[label] = row
        values: dict = {}
        for label, attr, _ in SETTING_ROWS:
            row = by_label.get(_norm(label))
            if row is None:
                self.problems.error(f"缺少“{label}”一行", SETTINGS, "")
                values[attr] = None
                continue
            self.where.rows[(SETTINGS, attr)] = row.number
            if attr in ("start", "end"):
                values[attr] = self.number(row, "value", whole=True, required="年度为空，请填四位年份，如 2024")
            elif attr == "deadline_days":
                values[attr] = self.number(row, "value", whole=True)
            elif attr == "tolerance":
                values[attr] = self.tolerance(row)
            else:
                values[attr] = row.text("value")
        known = {_norm(label) for label, _, _ in SETTING_ROWS}
        for label, row in by_label.items():
            if label not in known:
                self.problems.warning(f"不认识的设置项“{row.text('label')}”，已忽略", SETTINGS, row.cell("label"))
        start, end = values.pop("start"), values.pop("end")
        years = self.years(start, end)
        tolerance = values.pop("tolerance")
        days = values.pop("deadline_days")
        return {**{k: v or "" for k, v in values.items()}, "years": years,
                "tolerance": 0.10 if tolerance is None else tolerance,
                "deadline_days": 10 if days is None else int(days)}

    def years(self, start, end) -> list[int]:
        where = lambda attr: self.where.cell(SETTINGS, attr, "value")  # noqa: E731
        for attr, value in (("start", start), ("end", end)):
            if value is not None and not 2000 <= value <= 2100:
                self.problems.error(f"年度“{format_number(value)}”不合理，请填四位年份，如 2024", SETTINGS, where(attr))
        if start is None or end is None or not (2000 <= start <= 2100 and 2000 <= end <= 2100):
            return []
        if start > end:
            self.problems.error(f"起始年度 {int(start)} 晚于结束年度 {int(end)}", SETTINGS, where("end"))
            return []
        if end - start >= 10:
            self.problems.error(f"计划期 {int(start)}-{int(end)} 超过 10 年，请检查年度", SETTINGS, where("end"))
            return []
        return list(range(int(start), int(end) + 1))

    def tolerance(self, row: _Row) -> float | None:
        raw = row.raw("value")
        cell = row.cell("value")
        if is_blank(raw):
            self.problems.error("滞后容差为空，请填百分数，如 10%", SETTINGS, cell)
            return None
        if isinstance(raw, _PercentCell):
            value = float(raw)
        else:
            text = _norm(_text(raw))
            explicit = text.endswith("%")
            parsed = parse_number(text.rstrip("%"), percent_unit=False)
            if not parsed.ok or parsed.value is None:
                self.problems.error(f"滞后容差“{_text(raw)}”不是数字，请填百分数，如 10%", SETTINGS, cell)
                return None
            value = float(parsed.value)
            if explicit or value > 1:
                value = round(value / 100, 10)
        if not 0 <= value <= 1:
            self.problems.error(f"滞后容差“{_text(raw)}”应在 0 到 100% 之间", SETTINGS, cell)
            return None
        return value

    def chains(self) -> list[str]:
        table = self.table(CHAINS, CHAIN_COLUMNS)
        chains = []
        for row in table.rows():
            self.where.rows[(CHAINS, len(chains))] = row.number
            chains.append(row.text("name"))
        return chains

    def reporters(self) -> list[Reporter]:
        table = self.table(REPORTERS, REPORTER_COLUMNS)
        out = []
        for row in table.rows():
            self.where.rows[(REPORTERS, len(out))] = row.number
            out.append(Reporter(row.text("name"), _code(REPORTER_KINDS, row.text("kind")), row.text("short"),
                                tuple(_split(row.raw("groups"))), tuple(_split(row.raw("chains")))))
        return out

    def tasks(self, lead_unit: str) -> list[Task]:
        table = self.table(TASKS, TASK_COLUMNS)
        out = []
        for row in table.rows():
            number = self.number(row, "number", whole=True)
            units = _split(row.raw("units"))
            districts = self.flag(row, "districts", True)
            if ALL_DISTRICTS in units:  # "…，各区镇" typed into 责任单位
                units.remove(ALL_DISTRICTS)
                districts = True
            self.where.rows[(TASKS, len(out))] = row.number
            out.append(Task(int(number) if number is not None else 0, row.text("name"), tuple(units),
                            districts, row.text("lead") or lead_unit))
        return out

    def indicators(self, years: list[int]) -> list[Indicator]:
        table = self.table(INDICATORS, INDICATOR_COLUMNS)
        if table.ok and years:
            header = f"A{table.header_row}"
            missing = [f"“{y}年目标”" for y in years if y not in table.years]
            extra = [f"“{y}年目标”" for y in table.years if y not in years]
            if missing:
                self.problems.error(f"“指标”表缺少列：{'、'.join(missing)}（计划年度为 {years[0]}-{years[-1]}）",
                                    INDICATORS, header)
            if extra:
                first = next(y for y in table.years if y not in years)
                self.problems.error(f"列{'、'.join(extra)}不在计划年度 {years[0]}-{years[-1]} 内，"
                                    "请改为计划年度或删除该列", INDICATORS, table.cell(f"target:{first}", table.header_row))
        out = []
        for row in table.rows():
            unit = row.text("unit")
            targets = {}
            for year in sorted(y for y in table.years if y in years):
                raw = row.values[table.years[year]] if table.years[year] < len(row.values) else None
                if isinstance(raw, _PercentCell) and _is_percent(unit):
                    raw = round(raw * 100, 10)
                target, error = parse_target(raw, unit)
                if error:
                    self.problems.error(error, INDICATORS, row.cell(f"target:{year}"))
                elif target is not None:
                    targets[year] = target
            task = self.number(row, "task", whole=True)
            self.where.rows[(INDICATORS, len(out))] = row.number
            out.append(Indicator(
                code=row.text("code"), task=int(task) if task is not None else 0, name=row.text("name"),
                unit=unit, kind=_code(INDICATOR_KINDS, row.text("kind")), targets=targets,
                parent=row.text("parent") or None, source_unit=row.text("source"),
                district_reported=self.flag(row, "district", True),
                baseline=self.number(row, "baseline", unit=unit), note=row.text("note"),
            ))
        return out

    def splits(self, plan: Plan) -> None:
        table = self.table(SPLITS, SPLIT_COLUMNS)
        indicators = {_norm(i.code): i for i in plan.indicators}
        reporters = {_norm(r.name): r.name for r in plan.reporters}
        groups = {_norm(g): g for r in plan.reporters for g in r.groups}
        seen = set()
        for row in table.rows():
            ind = indicators.get(_norm(row.text("code")))
            if ind is None:
                self.problems.error(f"指标编码“{row.text('code')}”在“指标”表中不存在", SPLITS, row.cell("code"))
                continue
            span = _span(row.text("span"))
            value = self.number(row, "value", unit=ind.unit)
            if value is None:
                if is_blank(row.raw("value")):
                    self.problems.error("目标值为空", SPLITS, row.cell("value"))
                continue
            who_key = _norm(row.text("who"))
            key = (ind.code, who_key, span)
            if key in seen:
                self.problems.error(f"“{row.text('who')}”在 {span} 的“{ind.code}”分解目标重复出现",
                                    SPLITS, row.cell("who"))
                continue
            seen.add(key)
            if who_key in groups and who_key not in reporters:
                self.where.rows[(SPLITS, (ind.code, groups[who_key], span))] = row.number
                ind.group_targets.append(GroupTarget(groups[who_key], span, float(value), row.text("note")))
            else:
                name = reporters.get(who_key, row.text("who"))
                self.where.rows[(SPLITS, (ind.code, name, span))] = row.number
                ind.reporter_targets.setdefault(name, {})[span] = float(value)

    def lists(self, plan: Plan) -> list[DetailList]:
        table = self.table(LISTS, LIST_COLUMNS_SPEC)
        out = []
        for row in table.rows():
            self.where.rows[(LISTS, len(out))] = row.number
            out.append(DetailList(row.text("code"), row.text("name"), row.text("indicator"),
                                  check=_code(CHECK_MODES, row.text("check")) or "none",
                                  sum_column=row.text("sum_column"), note=row.text("note")))
        by_code = {_norm(d.code): (i, d) for i, d in enumerate(out)}
        table = self.table(LIST_COLUMNS, COLUMN_COLUMNS)
        for row in table.rows():
            found = by_code.get(_norm(row.text("list")))
            if found is None:
                self.problems.error(f"名单编码“{row.text('list')}”在“明细表”中不存在", LIST_COLUMNS, row.cell("list"))
                continue
            index, detail = found
            choices = _split(row.raw("choices"))
            if choices == [CHAINS_WORD]:
                choices = list(plan.chains)
            width = self.number(row, "width")
            self.where.rows[(LIST_COLUMNS, (index, len(detail.columns)))] = row.number
            detail.columns.append(DetailColumn(
                row.text("name"), _code(COLUMN_TYPES, row.text("type")) or "text", tuple(choices),
                self.flag(row, "required", False), _plain(width) if width is not None else 16,
            ))
        return out


def _code(labels: dict[str, str], text: str) -> str:
    """The code for a Chinese label (or the code itself); unknown text is kept for the checker."""
    key = _norm(text)
    for code, label in labels.items():
        if key in (label, code):
            return code
    return text


def _span(text: str) -> str:
    """``2021-2023`` from ``2021年—2023年``, ``2021~2023``, ``２０２２``."""
    text = _norm(text).replace("年", "")
    return re.sub(r"[—–~～〜至到]+|-+", "-", text)


# --- semantic checks --------------------------------------------------------------------


class _Checker:
    """Checks references, duplicates and targets of a plan; locations from PlanLocations."""

    def __init__(self, plan: Plan, where: PlanLocations):
        self.plan, self.where, self.problems = plan, where, ProblemList()
        self.reporter_names = {_norm(r.name) for r in plan.reporters}
        self.departments = {r.name for r in plan.reporters if r.kind == DEPARTMENT}
        self.groups = {g for r in plan.reporters for g in r.groups}

    def error(self, message: str, sheet: str, key=None, field: str = ""):
        cell = self.where.cell(sheet, key, field) if key is not None else ""
        if cell is not None:
            self.problems.error(message, sheet, cell)

    def warning(self, message: str, sheet: str, key=None, field: str = ""):
        cell = self.where.cell(sheet, key, field) if key is not None else ""
        if cell is not None:
            self.problems.warning(message, sheet, cell)

    def run(self) -> ProblemList:
        self.settings()
        self.chains()
        self.reporters()
        self.tasks()
        self.indicators()
        self.splits()
        self.lists()
        return self.problems

    def _duplicates(self, sheet: str, names: list[str], what: str, field: str):
        first: dict[str, int] = {}
        for i, name in enumerate(names):
            if not name:
                continue
            key = _norm(name)
            if key in first:
                row = self.where.rows.get((sheet, first[key]))
                also = f"（与第 {row} 行重复）" if row else ""
                self.error(f"{what}“{name}”重复{also}", sheet, i, field)
            else:
                first[key] = i

    def _department(self, name: str, what: str, sheet: str, key, field: str):
        if name and name not in self.departments:
            if _norm(name) in self.reporter_names:
                self.error(f"{what}“{name}”是区镇，不是部门", sheet, key, field)
            else:
                self.error(f"{what}“{name}”不在“填报单位”表的部门中", sheet, key, field)

    def settings(self):
        p = self.plan
        for attr, label in (("name", "计划名称"), ("plan_id", "计划编号"), ("version", "版本")):
            if not getattr(p, attr):
                self.error(f"{label}不能为空", SETTINGS, attr, "value")
        if p.plan_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", p.plan_id):
            self.error(f"计划编号“{p.plan_id}”只能用字母、数字和 - _ .", SETTINGS, "plan_id", "value")
        if not 0 <= p.tolerance <= 1:
            self.error(f"滞后容差 {p.tolerance} 应在 0 到 100% 之间", SETTINGS, "tolerance", "value")
        if p.deadline_days is not None and p.deadline_days <= 0:
            self.error("报送期限（天）应大于 0", SETTINGS, "deadline_days", "value")
        self._department(p.lead_unit, "牵头单位", SETTINGS, "lead_unit", "value")

    def chains(self):
        self._duplicates(CHAINS, self.plan.chains, "产业链", "name")

    def reporters(self):
        names = [r.name for r in self.plan.reporters]
        self._duplicates(REPORTERS, names, "填报单位", "name")
        chains = set(self.plan.chains)
        for i, r in enumerate(self.plan.reporters):
            if not r.name:
                self.error("名称为空", REPORTERS, i, "name")
            if r.kind not in REPORTER_KINDS:
                self.error(f"类型“{r.kind}”应为“区镇”或“部门”", REPORTERS, i, "kind")
            unknown = [c for c in r.chains if c not in chains]
            if unknown:
                self.error(f"重点产业链{'、'.join(f'“{c}”' for c in unknown)}不在“产业链”表中",
                           REPORTERS, i, "chains")
            for g in r.groups:
                if _norm(g) in self.reporter_names:
                    self.error(f"组名“{g}”与填报单位重名，请换一个组名", REPORTERS, i, "groups")

    def tasks(self):
        self._duplicates(TASKS, [str(t.number) if t.number else "" for t in self.plan.tasks], "任务序号", "number")
        for i, t in enumerate(self.plan.tasks):
            if t.number <= 0:
                self.error("序号应为正整数", TASKS, i, "number")
            if not t.name:
                self.error("工作任务名称为空", TASKS, i, "name")
            for unit in t.responsible_units:
                self._department(unit, "责任单位", TASKS, i, "units")
            self._department(t.lead_unit, "牵头单位", TASKS, i, "lead")

    def indicators(self):
        p = self.plan
        self._duplicates(INDICATORS, [i.code for i in p.indicators], "指标编码", "code")
        tasks = {t.number for t in p.tasks}
        by_code = {ind.code: ind for ind in p.indicators}
        for i, ind in enumerate(p.indicators):
            if not ind.code:
                self.error("编码为空", INDICATORS, i, "code")
            if not ind.name:
                self.error("指标名称为空", INDICATORS, i, "name")
            if not ind.unit:
                self.error("单位为空", INDICATORS, i, "unit")
            if ind.task not in tasks:
                self.error(f"任务序号“{ind.task or ''}”在“任务”表中不存在", INDICATORS, i, "task")
            if ind.kind not in INDICATOR_KINDS:
                self.error(f"类型“{ind.kind}”应为{'、'.join(INDICATOR_KINDS.values())}之一", INDICATORS, i, "kind")
            self._department(ind.source_unit, "数据来源单位", INDICATORS, i, "source")
            if not ind.source_unit and ind.kind != PLAN_TOTAL and not ind.district_reported:
                self.error("区镇不填报的指标必须有数据来源单位", INDICATORS, i, "source")
            self._parent(i, ind, by_code)
            self._targets(i, ind)

    def _parent(self, i: int, ind: Indicator, by_code: dict[str, Indicator]):
        if not ind.parent:
            return
        parent = by_code.get(ind.parent)
        if parent is None:
            self.error(f"上级指标“{ind.parent}”在“指标”表中不存在", INDICATORS, i, "parent")
            return
        seen, node = {ind.code}, parent
        while node is not None:
            if node.code in seen:
                self.error(f"上级指标“{ind.parent}”形成循环", INDICATORS, i, "parent")
                return
            seen.add(node.code)
            node = by_code.get(node.parent) if node.parent else None
        for year, target in sorted(ind.targets.items()):
            top = parent.targets.get(year)
            if top is not None and target.value > top.value:
                self.error(f"{year}年目标 {format_number(target.value)} 大于上级指标“{parent.code}”的"
                           f"目标 {format_number(top.value)}（“其中”项不能大于总数）",
                           INDICATORS, i, f"target:{year}")

    def _targets(self, i: int, ind: Indicator):
        years = self.plan.years
        if not years or ind.kind not in INDICATOR_KINDS:
            return
        needed = years[-1:] if ind.kind == PLAN_TOTAL else years
        for year in needed:
            if year not in ind.targets:
                why = ("计划总量类指标要填最后一年的目标" if ind.kind == PLAN_TOTAL
                       else f"{INDICATOR_KINDS[ind.kind]}类指标每年都要有目标")
                self.error(f"缺少{year}年目标（{why}）", INDICATORS, i, f"target:{year}")
        for year in ind.targets:
            if year not in years:
                self.error(f"{year}年目标不在计划年度 {self.plan.span_label} 内", INDICATORS, i, "code")
        for year, target in ind.targets.items():
            if target.value < 0:
                self.error(f"{year}年目标不能为负数", INDICATORS, i, f"target:{year}")
            elif ind.is_percent and target.value > 100:
                self.warning(f"{year}年目标 {format_number(target.value)}% 超过 100%，请确认", INDICATORS, i,
                             f"target:{year}")

    def splits(self):
        spans = {str(y) for y in self.plan.years} | {self.plan.span_label}
        for ind in self.plan.indicators:
            whole_plan, first_key = 0.0, None
            for name, by_span in ind.reporter_targets.items():
                for span, value in by_span.items():
                    key = (ind.code, name, span)
                    first_key = first_key or key
                    if _norm(name) not in self.reporter_names:
                        self.error(f"“{name}”既不是“填报单位”表中的单位，也不是“所属组”中的组名", SPLITS, key, "who")
                    self._span(span, spans, key)
                    whole_plan += value if span == self.plan.span_label else 0
            for g in ind.group_targets:
                key = (ind.code, g.group, g.span)
                first_key = first_key or key
                if g.group not in self.groups:
                    self.error(f"组“{g.group}”没有成员（“填报单位”表的“所属组”中没有它）", SPLITS, key, "who")
                self._span(g.span, spans, key)
                whole_plan += g.value if g.span == self.plan.span_label else 0
            total = self._plan_total(ind)
            if whole_plan and total is not None and whole_plan > total + 1e-9:
                self.warning(f"指标“{ind.code}”的分解目标合计 {format_number(whole_plan)} 大于计划期目标 "
                             f"{format_number(total)}", SPLITS, first_key, "value")

    def _span(self, span: str, spans: set[str], key):
        if span not in spans:
            self.error(f"期间“{span}”应为整个计划期 {self.plan.span_label} 或其中某一年", SPLITS, key, "span")

    def _plan_total(self, ind: Indicator) -> float | None:
        if ind.kind == INCREMENT and ind.targets:
            return sum(t.value for t in ind.targets.values())
        if ind.kind in (STOCK, PLAN_TOTAL) and ind.targets:
            return ind.plan_target().value
        return None

    def lists(self):
        lists = self.plan.detail_lists
        self._duplicates(LISTS, [d.code for d in lists], "名单编码", "code")
        self._duplicates(LISTS, [d.name for d in lists], "名单名称", "name")
        codes = {i.code for i in self.plan.indicators}
        for i, d in enumerate(lists):
            if not d.name:
                self.error("名单名称为空", LISTS, i, "name")
            elif len(d.name) > 31 or SHEET_NAME_BAD.search(d.name) or d.name in RESERVED_FORM_SHEETS:
                self.error(f"名单名称“{d.name}”不能用作工作表名（最多 31 字，不能含 []:*?/\\，不能与填报表固定表名相同）",
                           LISTS, i, "name")
            if d.indicator not in codes:
                self.error(f"关联指标“{d.indicator}”在“指标”表中不存在", LISTS, i, "indicator")
            if d.check not in CHECK_MODES:
                self.error(f"核对方式“{d.check}”应为{'、'.join(CHECK_MODES.values())}之一", LISTS, i, "check")
            names = [c.name for c in d.columns]
            if not d.columns:
                self.error(f"名单“{d.name}”在“明细列”表中没有列", LISTS, i, "code")
            if d.check == "sum":
                column = next((c for c in d.columns if c.name == d.sum_column), None)
                if column is None:
                    self.error(f"合计列“{d.sum_column}”不是名单“{d.name}”的列", LISTS, i, "sum_column")
                elif column.type not in ("number", "integer"):
                    self.error(f"合计列“{d.sum_column}”的类型应为数值或整数", LISTS, i, "sum_column")
            self._duplicates_in_list(i, names)
            for j, c in enumerate(d.columns):
                key = (i, j)
                if not c.name:
                    self.error("列名为空", LIST_COLUMNS, key, "name")
                if c.type not in COLUMN_TYPES:
                    self.error(f"类型“{c.type}”应为{'、'.join(COLUMN_TYPES.values())}之一", LIST_COLUMNS, key, "type")
                elif c.type == "choice" and not c.choices:
                    self.error("类型为“选项”的列要填选项（用“、”隔开，或写“产业链”）", LIST_COLUMNS, key, "choices")
                if c.width is not None and not 2 <= c.width <= 100:
                    self.error(f"列宽 {format_number(c.width)} 应在 2 到 100 之间", LIST_COLUMNS, key, "width")

    def _duplicates_in_list(self, i: int, names: list[str]):
        seen = set()
        for j, name in enumerate(names):
            if name and name in seen:
                self.error(f"列名“{name}”在同一名单中重复", LIST_COLUMNS, (i, j), "name")
            seen.add(name)
