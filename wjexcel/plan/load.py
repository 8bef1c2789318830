"""Turn the sheets of a plan workbook into a :class:`~wjexcel.plan.plan.Plan`, cell by cell.

Each cell is read the forgiving way a clerk expects (``达1400``, ``2021年—2023年``,
``是``/``√``, full-width digits); what cannot be read is reported with its sheet and
cell, and the rest of the plan is still read so that every problem shows at once.
"""

from __future__ import annotations

import re

from wjexcel.plan.model import (
    ALL_DISTRICTS,
    CHECK_MODES,
    COLUMN_TYPES,
    DIRECTIONS,
    MILESTONE,
    UP,
    FREQUENCIES,
    INDICATOR_KINDS,
    REPORTER_KINDS,
    DetailColumn,
    DetailList,
    GroupTarget,
    Indicator,
    Reporter,
    Task,
    format_number,
    is_percent_unit,
    plain_number,
)
from wjexcel.plan.plan import Plan
from wjexcel.plan.layout import (
    CHAIN_COLUMNS,
    CHAINS,
    CHAINS_WORD,
    COLUMN_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATORS,
    LIST_COLUMNS,
    LIST_COLUMNS_SPEC,
    LISTS,
    REPORTER_COLUMNS,
    REPORTERS,
    OPTIONAL_SETTINGS,
    SETTING_ROWS,
    SETTINGS,
    SPLIT_COLUMNS,
    SPLITS,
    TASK_COLUMNS,
    TASKS,
    Column,
    cell_text,
    norm,
)
from wjexcel.plan.read import PercentCell, PlanLocations, Row, Sheet, Table, percent_points
from wjexcel.plan.targets import parse_target
from wjexcel.problems import Code, ProblemList
from wjexcel.values import is_blank, parse_number

SPLIT_RE = re.compile(r"[、,，;；\n]+")  # between the names of a multi-name cell


def load_book(book: dict[str, Sheet], problems: ProblemList) -> tuple[Plan | None, PlanLocations]:
    """Turn the sheets of a plan workbook into a Plan, adding cell-level problems to ``problems``.

    Returns the plan (None when 设置 has no header row) and where each part came from.
    """
    loader = _Loader(book, problems)
    return loader.load(), loader.where


class _Loader:
    """Turns the sheets into a Plan, reporting cell-level problems as it goes."""

    def __init__(self, book: dict[str, Sheet], problems: ProblemList):
        self.book, self.problems, self.where = book, problems, PlanLocations()

    def table(self, name: str, columns: list[Column]) -> Table:
        table = Table(self.book[norm(name)], columns, self.problems)
        self.where.tables[name] = table
        return table

    def number(self, row: Row, key: str, *, whole: bool = False, unit: str = "",
               required: str = "") -> float | None:
        """A number cell; ``required`` is the message for a blank cell (blank is fine without it)."""
        raw = row.raw(key)
        if required and is_blank(raw):
            self.problems.error(required, row.table.name, row.cell(key), code=Code.PLAN_CELL)
            return None
        parsed = parse_number(percent_points(raw, unit), percent_unit=is_percent_unit(unit), unit=unit or None)
        if not parsed.ok:
            self.problems.error(parsed.error, row.table.name, row.cell(key), code=Code.PLAN_CELL)
            return None
        if parsed.value is not None and whole and not float(parsed.value).is_integer():
            self.problems.error(f"“{cell_text(raw)}”应为整数", row.table.name, row.cell(key), code=Code.PLAN_CELL)
            return None
        return parsed.value

    def flag(self, row: Row, key: str, default: bool) -> bool:
        text = norm(row.text(key)).lower()
        if not text:
            return default
        if text in {"是", "y", "yes", "true", "√", "1"}:
            return True
        if text in {"否", "n", "no", "false", "×", "x", "0"}:
            return False
        self.problems.error(f"“{row.text(key)}”应填“是”或“否”", row.table.name, row.cell(key), code=Code.PLAN_CELL)
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
            label = norm(row.text("label"))
            if label in by_label:
                self.problems.error(f"“{row.text('label')}”重复出现", SETTINGS, row.cell("label"), code=Code.PLAN_DUPLICATE)
            by_label[label] = row
        values: dict = {}
        for label, attr, _ in SETTING_ROWS:
            row = by_label.get(norm(label))
            if row is None:
                if attr not in OPTIONAL_SETTINGS:
                    self.problems.error(f"缺少“{label}”一行", SETTINGS, "", code=Code.PLAN_STRUCTURE)
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
        known = {norm(label) for label, _, _ in SETTING_ROWS}
        for label, row in by_label.items():
            if label not in known:
                self.problems.warning(f"不认识的设置项“{row.text('label')}”，已忽略", SETTINGS, row.cell("label"), code=Code.PLAN_UNKNOWN_SETTING)
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
                self.problems.error(f"年度“{format_number(value)}”不合理，请填四位年份，如 2024", SETTINGS, where(attr), code=Code.PLAN_CELL)
        if start is None or end is None or not (2000 <= start <= 2100 and 2000 <= end <= 2100):
            return []
        if start > end:
            self.problems.error(f"起始年度 {int(start)} 晚于结束年度 {int(end)}", SETTINGS, where("end"), code=Code.PLAN_CELL)
            return []
        if end - start >= 10:
            self.problems.error(f"计划期 {int(start)}-{int(end)} 超过 10 年，请检查年度", SETTINGS, where("end"), code=Code.PLAN_CELL)
            return []
        return list(range(int(start), int(end) + 1))

    def tolerance(self, row: Row) -> float | None:
        raw = row.raw("value")
        cell = row.cell("value")
        if is_blank(raw):
            self.problems.error("滞后容差为空，请填百分数，如 10%", SETTINGS, cell, code=Code.PLAN_CELL)
            return None
        if isinstance(raw, PercentCell):
            value = float(raw)
        else:
            text = norm(cell_text(raw))
            explicit = text.endswith("%")
            parsed = parse_number(text.rstrip("%"), percent_unit=False)
            if not parsed.ok or parsed.value is None:
                self.problems.error(f"滞后容差“{cell_text(raw)}”不是数字，请填百分数，如 10%", SETTINGS, cell, code=Code.PLAN_CELL)
                return None
            value = float(parsed.value)
            if explicit or value > 1:
                value = round(value / 100, 10)
        if not 0 <= value <= 1:
            self.problems.error(f"滞后容差“{cell_text(raw)}”应在 0 到 100% 之间", SETTINGS, cell, code=Code.PLAN_CELL)
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
                                tuple(_split(row.raw("groups"))), tuple(_split(row.raw("chains"))),
                                row.text("email")))
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
                                    INDICATORS, header, code=Code.PLAN_STRUCTURE)
            if extra:
                first = next(y for y in table.years if y not in years)
                self.problems.error(f"列{'、'.join(extra)}不在计划年度 {years[0]}-{years[-1]} 内，"
                                    "请改为计划年度或删除该列", INDICATORS, table.cell(f"target:{first}", table.header_row), code=Code.PLAN_STRUCTURE)
        out = []
        for row in table.rows():
            unit = row.text("unit")
            kind = _code(INDICATOR_KINDS, row.text("kind"))
            direction = _code(DIRECTIONS, row.text("direction")) or UP
            targets = {}
            for year in sorted(y for y in table.years if y in years):
                raw = row.values[table.years[year]] if table.years[year] < len(row.values) else None
                target, error = parse_target(percent_points(raw, unit), unit, direction,
                                             milestone=kind == MILESTONE, year=year)
                if error:
                    self.problems.error(error, INDICATORS, row.cell(f"target:{year}"), code=Code.PLAN_TARGET)
                elif target is not None:
                    targets[year] = target
            task = self.number(row, "task", whole=True)
            self.where.rows[(INDICATORS, len(out))] = row.number
            out.append(Indicator(
                code=row.text("code"), task=int(task) if task is not None else 0, name=row.text("name"),
                unit=unit, kind=kind, targets=targets, direction=direction,
                negative_allowed=bool(self.flag(row, "negative", False)),
                parent=row.text("parent") or None, source_unit=row.text("source"),
                district_reported=self.flag(row, "district", True),
                baseline=self.number(row, "baseline", unit=unit), note=row.text("note"),
                frequency=_code(FREQUENCIES, row.text("frequency")) or None,
                headline=self.flag(row, "headline", None),
            ))
        return out

    def splits(self, plan: Plan) -> None:
        table = self.table(SPLITS, SPLIT_COLUMNS)
        indicators = {norm(i.code): i for i in plan.indicators}
        reporters = {norm(r.name): r.name for r in plan.reporters}
        groups = {norm(g): g for r in plan.reporters for g in r.groups}
        seen = set()
        for row in table.rows():
            ind = indicators.get(norm(row.text("code")))
            if ind is None:
                self.problems.error(f"指标编码“{row.text('code')}”在“指标”表中不存在", SPLITS, row.cell("code"), code=Code.PLAN_REFERENCE)
                continue
            span = _span(row.text("span"))
            value = self.number(row, "value", unit=ind.unit)
            if value is None:
                if is_blank(row.raw("value")):
                    self.problems.error("目标值为空", SPLITS, row.cell("value"), code=Code.PLAN_CELL)
                continue
            who_key = norm(row.text("who"))
            key = (ind.code, who_key, span)
            if key in seen:
                self.problems.error(f"“{row.text('who')}”在 {span} 的“{ind.code}”分解目标重复出现",
                                    SPLITS, row.cell("who"), code=Code.PLAN_DUPLICATE)
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
        by_code = {norm(d.code): (i, d) for i, d in enumerate(out)}
        table = self.table(LIST_COLUMNS, COLUMN_COLUMNS)
        for row in table.rows():
            found = by_code.get(norm(row.text("list")))
            if found is None:
                self.problems.error(f"名单编码“{row.text('list')}”在“明细表”中不存在", LIST_COLUMNS, row.cell("list"), code=Code.PLAN_REFERENCE)
                continue
            index, detail = found
            choices = _split(row.raw("choices"))
            if choices == [CHAINS_WORD]:
                choices = list(plan.chains)
            width = self.number(row, "width")
            self.where.rows[(LIST_COLUMNS, (index, len(detail.columns)))] = row.number
            detail.columns.append(DetailColumn(
                row.text("name"), _code(COLUMN_TYPES, row.text("type")) or "text", tuple(choices),
                self.flag(row, "required", False), plain_number(width) if width is not None else 16,
            ))
        return out


def _split(value) -> list[str]:
    """The names in a multi-name cell: ``发改委、商务局，科技局``."""
    return [p.strip() for p in SPLIT_RE.split(cell_text(value)) if p.strip()]


def _code(labels: dict[str, str], text: str) -> str:
    """The code for a Chinese label (or the code itself); unknown text is kept for the checker."""
    key = norm(text)
    for code, label in labels.items():
        if key in (label, code):
            return code
    return text


def _span(text: str) -> str:
    """``2021-2023`` from ``2021年—2023年``, ``2021~2023``, ``２０２２``."""
    text = norm(text).replace("年", "")
    return re.sub(r"[—–~～〜至到]+|-+", "-", text)
