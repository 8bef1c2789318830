"""督办清单: every indicator and split target that is behind, and a ready-to-send 督办 text per unit.

A clerk sends follow-up letters (督办函) from this sheet: the table says what is behind, by
how much, for how many periods in a row and who answers for it; below it, each responsible
unit gets its own text naming only its items. Units lagging two periods running are marked
for escalation (升级督办).
"""

from __future__ import annotations

from wjexcel.plan.model import ALL_DISTRICTS
from wjexcel.report.breakdown import expected_format, is_count
from wjexcel.report.briefing import milestone_phrase
from wjexcel.report.cells import Styles, column_widths, number_format, status_formats, table, wrapped_rows
from wjexcel.report.data import ReportData
from wjexcel.report.figures import Figures, SupervisionItem, number_text
from wjexcel.values import shorten

SHEET = "督办清单"
REMARK_EXCERPT = 120
HEADS = ["序号", "指标", "分解对象", "状态", "期望值", "实际值", "差距", "连续滞后期数", "升级督办", "责任单位",
         "牵头单位", "情况说明"]


def unit_items(items: list[SupervisionItem], plan=None, *, with_lead: bool = False) -> dict[str, list[SupervisionItem]]:
    """Each responsible unit and the items it answers for, units in order of first mention; items
    without a unit are gathered under ``""`` (their text is addressed to no one in particular).

    With the ``plan``, a letter goes to each town by name, never to the collective 各区镇, and
    (unless ``with_lead``, as for the written report's 下步打算) never to the lead unit the letter
    is sent by (an item it alone answers for goes under ``""``)."""
    out: dict[str, list[SupervisionItem]] = {}
    for item in items:
        units = list(item.units)
        if plan is not None:
            towns = [d.name for d in plan.districts]
            units = [u for unit in units for u in (towns if unit == ALL_DISTRICTS else [unit])]
            units = [u for u in dict.fromkeys(units) if with_lead or u != (item.lead_unit or plan.lead_unit)]
        for unit in units or ("",):
            out.setdefault(unit, []).append(item)
    return out


def item_facts(item: SupervisionItem) -> str:
    """What is behind, in the words that fit: 应完成/实际/差 for a goal; 控制目标/实际/超出 for a cap;
    the state and due date of a 节点任务."""
    f = item.figure
    if f.milestone is not None and item.split is None:
        return milestone_phrase(f)
    unit_word = f.indicator.unit
    digits = 1 if is_count(unit_word) else 2
    expected, value, gap = (number_text(v, unit_word, digits)
                            for v in (item.assessment.expected, item.value, item.gap))
    if f.indicator.is_percent and item.gap is not None:  # a difference of percentages is in points
        gap = f"{number_text(item.gap, '', digits)}个百分点"
    if f.indicator.is_down:
        target = number_text(item.assessment.target, unit_word, digits)
        return f"控制目标 {target}（序时应不超过 {expected}），实际 {value}，超出 {gap}"
    return f"应完成 {expected}，实际 {value}，差 {gap}"


def notice_text(figures: Figures, unit: str, items: list[SupervisionItem]) -> str:
    """The 督办 text for one unit: its items behind, how far, and what to do."""
    plan, period = figures.plan, figures.period
    title = plan.short_name or plan.name
    lines = []
    for n, item in enumerate(items, 1):
        who = f"（{item.reporter}分解目标）" if item.reporter else ""
        run = f"，已连续 {item.lagging_periods} 期滞后" if item.lagging_periods >= 2 else ""
        lines.append(f"{n}. {item.name}{who}：{item_facts(item)}，{item.status.value}{run}")
    escalate = any(item.escalate for item in items)
    head = f"【{'升级督办' if escalate else '督办'}】{unit}：" if unit else "【督办】"
    return (f"{head}截至{period.end_label}，{title}中你单位负责的以下指标进度滞后于序时进度：" + "；".join(lines)
            + f"。请分析原因，于收到后五个工作日内将整改措施和完成时限报{items[0].lead_unit or plan.lead_unit}。"
            + ("其中连续两期以上滞后的，请单位主要负责同志牵头研究。" if escalate else ""))


def write_supervision(book, st: Styles, data: ReportData) -> None:
    """The table of items behind, then one 督办 text per responsible unit."""
    figures = data.figures
    items = figures.supervision()
    rows = []
    for n, item in enumerate(items, 1):
        remarks = "；".join(f"{r}：{shorten(t, REMARK_EXCERPT)}" for r, t in item.remarks().items())
        rows.append([n, item.name, item.reporter or "全区", item.status, item.assessment.expected, item.value,
                     item.gap, item.lagging_periods, "是" if item.escalate else "", "、".join(item.units),
                     item.lead_unit, remarks])
    actual = [number_format([item.value], item.figure.indicator.is_percent) for item in items]
    expected = [expected_format(item.figure, [item.assessment.expected]) for item in items]
    gaps = [expected_format(item.figure, [item.gap]) for item in items]
    title = f"督办清单（{figures.period.label}）"
    widths = column_widths(HEADS, rows, [5, (16, 30), (8, 16), 9, 10, 10, 10, 8, 8, 24, (8, 16), 36])  # 应急管理局 on a line
    sheet, first, last = table(book, st, SHEET, title, HEADS, rows, widths, data,
                               formats={4: expected, 5: actual, 6: gaps, 7: "0"}, wrap=(1, 2, 9, 11))
    status_formats(book, sheet, f"D{first + 1}:D{last + 1}")
    sheet.conditional_format(first, 8, last, 8, {"type": "cell", "criteria": "==", "value": '"是"',
                                                  "format": book.add_format({"bg_color": "#FFC7CE", "bold": True})})
    row = last + 2
    if not items:
        sheet.write_string(first, 0, "本期没有滞后或严重滞后的指标，无需督办。", st())
        return
    sheet.write_string(row, 0, "督办通知（可直接复制发送）", st(bold=True, font_size=12))
    texts = [notice_text(figures, unit, mine) for unit, mine in unit_items(items, figures.plan).items()]
    wrapped_rows(sheet, st, row + 1, texts, len(HEADS), sum(widths))
