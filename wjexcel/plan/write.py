"""Write the plan workbook (计划.xlsx) for a clerk to edit in Excel or WPS.

Every sheet gets the house style (宋体 bold headers, 仿宋 body, A4 landscape, a footer
with the plan's name), frozen headers, filters and dropdowns that draw from the other
sheets, so a clerk picks a department or an indicator code rather than typing it.
"""

from __future__ import annotations

from pathlib import Path

from wjexcel.values import needs_keep_as_text
from wjexcel.atomic import replace_file
from wjexcel.errors import WjexcelError
from wjexcel.textmeasure import fit_height
from wjexcel.plan.model import (
    CHECK_MODES,
    COLUMN_TYPES,
    DIRECTIONS,
    FREQUENCIES,
    INDICATOR_KINDS,
    REPORTER_KINDS,
    Target,
    format_number,
    plain_number,
)
from wjexcel.plan.plan import Plan
from wjexcel.plan.layout import (
    CHAIN_COLUMNS,
    CHAINS,
    CHAINS_WORD,
    CHOICES,
    COLUMN_COLUMNS,
    GUIDE,
    INDICATORS,
    LIST_COLUMNS,
    LIST_COLUMNS_SPEC,
    LISTS,
    NO,
    REPORTER_COLUMNS,
    REPORTERS,
    SEPARATOR,
    SETTING_ROWS,
    SETTINGS,
    SHEETS,
    SPLIT_COLUMNS,
    SPLITS,
    TASK_COLUMNS,
    TASKS,
    YES,
    Column,
    cell_text,
    indicator_columns,
)

LIST_ROWS = 2000  # dropdowns and the ranges they draw from cover rows 2..LIST_ROWS
YES_NO = f"{YES},{NO}"  # the 是/否 dropdown
COMMON_UNITS = ["家", "个", "项", "场", "人", "件", "万平方米", "平方米", "%", "亿元", "万元"]

GUIDE_TEXT = [
    "这是行动计划的全部设定。改完保存，再运行“检查计划”（wjexcel plan check 计划.xlsx），有错会逐条指出在哪个表、哪个单元格。",
    "表名和表头文字请不要改；列的先后顺序可以调整；空行会被跳过。",
    "【设置】计划名称、年度、滞后容差、联系人等，每行一项，只改“值”这一列。",
    "【任务】每行一项工作任务。责任单位写部门名称，用“、”隔开；“含各区镇”填“是”表示各区镇也是责任单位。",
    "【指标】每行一个指标。类型：增量＝当年新增，各年相加得计划期合计（如新增面积、新引进项目）；"
    "年度数＝每年重新计数的数，年度之间不相加（如当年入库企业数、当年发生的事件数）；"
    "存量＝某一时点的累计或有效数（如有效企业数、森林面积）；比率＝百分比或浓度、强度等水平值，不在区镇或年度之间相加"
    "（如达标率、PM2.5年均浓度）；计划总量＝整个计划期的总数，只需填最后一年的目标；"
    "节点任务＝没有数量、按时间完成的事（如印发实施方案、建成监管平台），填报时选“未启动 / 推进中 / 已完成”并写进展情况。",
    "　　方向：越大越好（留空即是）＝达到或超过目标为完成；越小越好＝控制目标（上限），不超过为完成，如污染物浓度、"
    "能源消费量、事故起数、投诉件数。可为负数：增速、下降率等可能为负的指标填“是”，其余留空（不能为负）。",
    "　　“XXXX年目标”列照计划原文写即可。越大越好：“1400”“达1400”“1400以上”“不低于1400”“≥1400”表示达到即完成；"
    "“超1200”“高于1200”“>1200”表示必须超过（严格大于）。越小越好：“35”“35以下”“≤32”“28以内”“控制在28以内”"
    "“不超过28”“不高于28”表示不超过即完成；“低于30”“<30”表示必须低于；零发生写“0”。"
    "（“以上、以下、以内”含本数，“超过、高于、低于、不足”不含本数。）",
    "　　“85%左右”“约85”“力争90%以上”按其中的数字评价，原文保留；“1～2”按下限（越大越好）或上限（越小越好）评价；"
    "“较上年下降5%”“较上年增长8%”按上年实际数（没有时用上年目标或基期值）算出当年目标。"
    "某年不设目标就留空：存量、比率类按基期值到下一个目标线性分解，没有基期值时该年“本年不考核”。"
    "节点任务只在应完成那一年填“完成”“建成”“印发”等，或填完成时间如“2023年6月底”“2023-06”，其他年份留空。"
    "“基本消除”“显著提升”这类无法计量的写法请改写为数字，或把类型改为“节点任务”。",
    "　　填报频次：月报、季报或年报，留空表示每期都填；年报指标只出现在年度、四季度和12月的填报表上。"
    "行动目标：“是”表示列入汇总表“计划期考核”，“否”不列入；留空时，非“其中”项的指标列入。"
    "　　上级指标：“其中”项填它所属指标的编码，其目标不能大于上级指标。数据来源单位：全区数以哪个部门报送的为准。"
    "区镇填报：“是”表示每个区镇的填报表都有这个指标。基期值：计划开始前一年的实际数。",
    "【填报单位】每行一个区镇或部门。新增一个区镇：在表末加一行，填名称、类型“区镇”、简称；"
    "几个区镇共同承担一项目标时，给它们填同一个“所属组”名称，再在“分解目标”中把目标分给这个组。"
    "邮箱（可不填）：生成填报表时为每个单位写好的邮件草稿就发往这个地址。",
    "【分解目标】把指标目标分到某个区镇或某个组：期间填整个计划期（如 2021-2025）或某一年（如 2022）。"
    "各区镇同一年的分解目标合计不应大于全区目标。",
    "【产业链】需要时填写的名单，每行一条，可作为明细列的下拉选项；不用可留空。",
    "【明细表】【明细列】填报表上附带的名单（如新增企业名单、项目清单）：名单名称就是填报表里的工作表名；"
    "核对方式“行数”＝名单行数应等于指标填报数，“合计”＝“合计列”之和应等于指标填报数。"
    "明细列的“选项”用“、”隔开，写“产业链”表示使用“产业链”表的名单。",
    "开始新一轮计划：在“设置”中改计划名称、计划编号、起始年度、结束年度；"
    "把“指标”表的年度列标题改为新的年度（如“2026年目标”）并填入新目标；“分解目标”的期间改为新的计划期。",
    "带下拉箭头的单元格请从列表中选；责任单位等可填多个的，可先选一个再手工补充，用“、”隔开。"
    "计量单位的下拉来自“下拉选项”表，可在那里添加新单位。",
]


def export_plan(plan: Plan, path) -> Path:
    """Write ``plan`` as a styled, editable plan workbook at ``path``.

    The file is written next to its destination first, re-opened to verify it, and only
    then moved into place, so a failure never leaves a half-written 计划.xlsx.

    Raises:
        OutputLockedError: The destination is open in Excel/WPS.
        WjexcelError: The folder cannot be written or the written file is unreadable.
    """
    path = Path(path)
    try:
        replace_file(path, lambda tmp: _build_workbook(plan).save(tmp), lambda tmp: _verify_written(tmp, plan))
    except OSError as exc:
        raise WjexcelError(f"无法写入“{path}”：{exc.strerror or exc}") from exc
    return path


def _build_workbook(plan: Plan):
    """The plan as a new openpyxl workbook, one styled sheet per part plus 说明 and 下拉选项."""
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
            if needs_keep_as_text(value):
                cell.quotePrefix = True  # stays text when the clerk edits it
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
            "name": p.name, "short_name": p.short_name, "form_title": p.form_title, "plan_id": p.plan_id,
            "version": p.version,
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
        self._dropdown(ws, self._col(cols, "districts"), YES_NO)
        self._dropdown(ws, self._col(cols, "units"), self._range(REPORTERS), strict=False,
                       prompt="填部门名称，多个用“、”隔开")
        self._dropdown(ws, self._col(cols, "lead"), self._range(REPORTERS), prompt="选一个部门")

    def indicators(self):
        columns = indicator_columns(self.plan.years)
        rows = []
        for ind in self.plan.indicators:
            targets = [_target_cell(ind.targets.get(y)) for y in self.plan.years]
            rows.append([ind.code, ind.task, ind.name, ind.unit, _label(INDICATOR_KINDS, ind.kind),
                         ind.parent or "", ind.source_unit, _yes_no(ind.district_reported),
                         plain_number(ind.baseline), *targets, ind.note,
                         _label(FREQUENCIES, ind.frequency) if ind.frequency else "", _yes_no(ind.is_headline),
                         DIRECTIONS[ind.direction] if ind.is_down else "", YES if ind.negative_allowed else ""])
        ws = self._sheet(INDICATORS, columns, rows, freeze="D2")
        col = lambda key: self._col(columns, key)  # noqa: E731
        self._dropdown(ws, col("task"), self._range(TASKS))
        self._dropdown(ws, col("unit"), self._range(CHOICES), strict=False, prompt="可选，也可直接填写")
        self._dropdown(ws, col("kind"), ",".join(INDICATOR_KINDS.values()),
                       prompt="增量：当年新增；年度数：每年重新计数；存量：累计/有效数；比率：百分比或浓度；计划总量：整个计划期的总数；"
                              "节点任务：按时间完成的事")
        self._dropdown(ws, col("direction"), ",".join(DIRECTIONS.values()),
                       prompt="留空为越大越好；控制目标（上限）选越小越好")
        self._dropdown(ws, col("negative"), YES_NO, prompt="增速、下降率等可能为负数的指标填“是”")
        self._dropdown(ws, col("frequency"), ",".join(FREQUENCIES.values()), strict=True,
                       prompt="月报、季报或年报；留空表示每期都填（年报指标只在年度、四季度和12月的表上）")
        self._dropdown(ws, col("headline"), YES_NO, prompt="“是”：列入“计划期考核”的行动目标")
        self._dropdown(ws, col("parent"), self._range(INDICATORS), prompt="“其中”项填上级指标的编码，否则留空")
        self._dropdown(ws, col("source"), self._range(REPORTERS), prompt="选一个部门：全区数以它报送的为准")
        self._dropdown(ws, col("district"), YES_NO)

    def reporters(self):
        rows = [[r.name, _label(REPORTER_KINDS, r.kind), r.short_name, SEPARATOR.join(r.groups),
                 SEPARATOR.join(r.chains), r.email] for r in self.plan.reporters]
        ws = self._sheet(REPORTERS, REPORTER_COLUMNS, rows, freeze="B2")
        self._dropdown(ws, self._col(REPORTER_COLUMNS, "kind"), ",".join(REPORTER_KINDS.values()))
        self._dropdown(ws, self._col(REPORTER_COLUMNS, "chains"), self._range(CHAINS), strict=False,
                       prompt="多条用“、”隔开")

    def splits(self):
        rows = []
        for ind in self.plan.indicators:
            for who, spans in ind.reporter_targets.items():
                rows.extend([ind.code, who, span, plain_number(value), ""] for span, value in spans.items())
            rows.extend([ind.code, g.group, g.span, plain_number(g.value), g.note] for g in ind.group_targets)
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
                             _yes_no(c.required), plain_number(c.width)])
        ws = self._sheet(LIST_COLUMNS, COLUMN_COLUMNS, rows, freeze="C2")
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "list"), self._range(LISTS))
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "type"), ",".join(COLUMN_TYPES.values()))
        self._dropdown(ws, self._col(COLUMN_COLUMNS, "required"), YES_NO)

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
            expected[INDICATORS] = indicator_columns(plan.years)
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
    height = max(fit_height(cell_text(value), width) for value, width in cells)
    if height > fit_height("", 1):
        ws.row_dimensions[row].height = height


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def _target_cell(target: Target | None):
    """A target as the clerk would type it: the words kept from the plan, else the canonical form."""
    if target is None:
        return None
    if target.words:
        return target.words
    if target.op in (">", "<"):
        return f"{'超' if target.op == '>' else '低于'}{format_number(target.value)}"
    return plain_number(target.value)
