"""The plan as a readable Chinese text table for the terminal (``wjexcel plan show``)."""

from __future__ import annotations


from wjexcel.plan.model import FREQUENCIES, format_number
from wjexcel.plan.plan import Plan
from wjexcel.textmeasure import text_units


def _width(text: str) -> int:
    """Terminal display width: CJK characters take two columns."""
    return int(text_units(text))


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda cells: "  ".join(_pad(str(c), w) for c, w in zip(cells, widths)).rstrip()
    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def plan_table(plan: Plan) -> str:
    """Tasks with their indicators and yearly targets, then the reporters."""
    out = [plan.name, f"计划编号 {plan.plan_id}，版本 {plan.version}，年度 {plan.span_label}，"
                      f"滞后容差 {format_number(plan.tolerance * 100)}%", ""]
    headers = ["编码", "指标", "单位", "类型", "频次"] + [f"{y}年" for y in plan.years] + ["数据来源"]
    for task in plan.tasks:
        out.append(f"任务{task.number}  {task.name}（责任单位：{task.responsible_label()}）")
        rows = []
        for ind in (i for i in plan.indicators if i.task == task.number):
            name = ("  " + ind.name) if ind.parent else ind.name
            targets = [ind.targets[y].label() if y in ind.targets else "" for y in plan.years]
            frequency = FREQUENCIES.get(ind.frequency, "每期")
            kind = ind.kind_label + ("·越小越好" if ind.is_down else "")
            rows.append([ind.code, name, ind.unit, kind, frequency, *targets, ind.source_unit])
            for reporter, spans in ind.reporter_targets.items():
                for span, value in spans.items():
                    rows.append(["", f"    └ {reporter}（{span}）", ind.unit, "分解", "", format_number(value),
                                 *([""] * (len(plan.years) - 1)), ""])
            for g in ind.group_targets:
                members = "、".join(r.display_name for r in plan.group_members(g.group))
                rows.append(["", f"    └ {g.group}共建（{members}，{g.span}）", ind.unit, "分解", "",
                             format_number(g.value), *([""] * (len(plan.years) - 1)), ""])
        out.extend("  " + line for line in _table(headers, rows))
        out.append("")
    out.append(f"填报单位（{len(plan.reporters)}家）：")
    out.append("  区镇：" + "、".join(r.name for r in plan.districts))
    out.append("  部门：" + "、".join(r.name for r in plan.departments))
    if plan.chains:
        out.append("重点产业链：" + "、".join(plan.chains))
    return "\n".join(out)
