"""The words of the 进展情况报告 (the written report a bureau sends up): outline, headings and sentences.

Built only from what consolidate computed (:class:`~wjexcel.report.data.ReportData`); the
layout in 公文 format is :mod:`wjexcel.report.document`. Every figure goes through the same
helpers as the workbook and the JSON (:func:`~wjexcel.report.figures.number_text`,
:func:`~wjexcel.report.briefing.pct`), so the text and the JSON agree.

Nothing is invented: where a sentence needs the clerk's own words (下步打算), it says so in a
【请补充……】 marker, which the layout shades grey.

:func:`indicator_sentence` is one function per indicator figure, dispatching on the kind; a
越小越好 (``down``) branch or a 节点任务 kind is one more entry in :data:`SENTENCES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wjexcel.report.status import Reporting
from wjexcel.periods import chinese_date
from wjexcel.plan.model import ANNUAL, INCREMENT, PLAN_TOTAL, RATIO, STOCK, format_number
from wjexcel.report.briefing import cap_phrase, milestone_phrase, partial_phrase, pct
from wjexcel.report.data import ReportData
from wjexcel.report.figures import (ACTUAL, BEHIND, DONE, LAGGING, MISSING, NOT_ASSESSED, NOT_DUE, ON_TRACK, SEVERE,
                                    STATUSES, TARGET,
                                    Figures, IndicatorFigure, SupervisionItem, number_text)
from wjexcel.report.supervision import item_facts, unit_items
from wjexcel.values import clean_text, shorten

TODO = "【请补充"
"""Every marker for the clerk starts with this (the layout shades each 【请补充……】 grey)."""
REMARK_LIMIT = 200
TITLE, TO, BODY, H1, H2, NOTE, SIGNATURE, DATE = "title", "to", "body", "h1", "h2", "note", "signature", "date"

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """一, 二, …, 十, 十一, …, 九十九 (heading numbers)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


@dataclass
class Outline:
    """The report as paragraphs ``(kind, text)`` in order, and the 附件 table."""

    title: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    attachment_title: str = ""
    table_heads: list[str] = field(default_factory=list)
    table_rows: list[list[str] | str] = field(default_factory=list)  # a str is a task row spanning the table

    def add(self, kind: str, text: str) -> None:
        self.paragraphs.append((kind, text))


# --- figures in words --------------------------------------------------------------------------------
def points(progress: float | None, due: float) -> str:
    """``超序时进度1.5个百分点`` / ``低于序时进度8.2个百分点`` / ``与序时进度持平``: progress against 序时进度
    ("" without a progress)."""
    if progress is None:
        return ""
    diff = (progress - due) * 100
    shown = f"{abs(diff):.1f}"
    if float(shown) == 0:
        return "与序时进度持平"
    return f"{'超' if diff > 0 else '低于'}序时进度{shown}个百分点"


def _change(value: float, unit: str, up: str = "增加", down: str = "减少") -> str:
    if round(value, 4) == 0:
        return "持平"
    return f"{up if value > 0 else down}{number_text(abs(value), unit)}"


def _period_word(f: IndicatorFigure) -> str:
    """本季度 / 本月: the period an increment's 本期新增 covers ("" for a year)."""
    return {"quarter": "本季度", "month": "本月"}.get(f.period.kind, "")


def _end_word(f: IndicatorFigure) -> str:
    """上季度末 / 上月末: where a stock's 环比 starts ("" for a year, whose previous end is B)."""
    return {"quarter": "上季度末", "month": "上月末"}.get(f.period.kind, "")


def _yoy(f: IndicatorFigure) -> str:
    """同比增长12.3% (or the change itself where last year's figure was 0); "" without last year's figure."""
    if f.yoy_growth is not None:
        g = f.yoy_growth
        return "与上年同期持平" if f"{abs(g) * 100:.1f}" == "0.0" else f"同比{'增长' if g > 0 else '下降'}{pct(abs(g))}"
    if f.yoy_change is not None:
        return f"比上年同期{_change(f.yoy_change, f.indicator.unit)}"
    return ""


def _target(f: IndicatorFigure) -> str:
    return number_text(f.assessment.target, f.indicator.unit)


def _count_sentence(f: IndicatorFigure, figures: Figures) -> list[str]:
    """增量 and 年度数: completion of the year's target, ± 百分点, 同比, 本期新增."""
    a = f.assessment
    parts = [f"年度目标{_target(f)}" if a.completion is None else f"完成年度目标（{_target(f)}）的{pct(a.completion)}",
             points(a.progress, f.elapsed)]
    if a.status == DONE and f.elapsed < 1:
        parts.append("提前完成年度目标")
    parts.append(_yoy(f))
    word = _period_word(f)
    if word and f.change is not None:
        parts.append(f"{word}新增{number_text(f.change, f.indicator.unit)}")
    return parts


def _stock_sentence(f: IndicatorFigure, figures: Figures) -> list[str]:
    """存量: the net increase on ``B`` against the year's net increase (净增完成率), 同比, 环比."""
    a, unit = f.assessment, f.indicator.unit
    b = a.baseline
    if b is None or a.target is None or a.target <= b.value:
        parts = [f"完成年度目标（{_target(f)}）的{pct(a.completion)}", points(a.progress, f.elapsed)]
    else:
        since = {ACTUAL: "较上年末", TARGET: "较上年目标"}.get(b.source, "较基期")
        net = f.value - b.value
        parts = [f"年度目标{_target(f)}", f"{since}{_change(net, unit, '净增')}"]
        if net > 0:
            parts += [f"完成年度净增目标（{number_text(a.target - b.value, unit)}）的{pct(a.progress)}",
                      points(a.progress, f.elapsed)]
        else:
            parts.append(f"年度应净增{number_text(a.target - b.value, unit)}，尚未实现净增")
    if a.status == DONE and f.elapsed < 1:
        parts.append("提前完成年度目标")
    parts.append(_yoy(f))
    word = _end_word(f)
    if word and f.change is not None:
        parts.append(f"比{word}{_change(f.change, unit)}")
    return parts


def _ratio_sentence(f: IndicatorFigure, figures: Figures) -> list[str]:
    """比率: the level against the level due by now (``X``), in 百分点 for a percentage."""
    a, unit = f.assessment, f.indicator.unit
    parts = [f"年度目标{_target(f)}"]
    if a.expected is not None:
        gap = f.value - a.expected
        size = f"{format_number(round(abs(gap), 2))}{'个百分点' if f.indicator.is_percent else unit}"
        parts.append(f"按序时进度应达到{number_text(a.expected, unit, 2)}，"
                     + ("与序时要求持平" if round(gap, 2) == 0 else f"{'高于' if gap > 0 else '低于'}序时要求{size}"))
    if f.same_period_last_year and f.same_period_last_year.value is not None:
        change = f.value - f.same_period_last_year.value
        parts.append("与上年同期持平" if round(change, 4) == 0 else
                     f"比上年同期{'提高' if change > 0 else '降低'}{format_number(round(abs(change), 4))}"
                     f"{'个百分点' if f.indicator.is_percent else unit}")
    return parts


def _plan_total_sentence(f: IndicatorFigure, figures: Figures) -> list[str]:
    """计划总量: completion of the plan-period target against the share of the plan elapsed."""
    a = f.assessment
    share = float(figures.plan_share)
    return [f"完成计划期目标（{_target(f)}）的{pct(a.completion)}", f"计划期已过{pct(share)}",
            points(a.progress, share).replace("序时进度", "计划期序时进度")]


SENTENCES = {INCREMENT: _count_sentence, ANNUAL: _count_sentence, STOCK: _stock_sentence, RATIO: _ratio_sentence,
             PLAN_TOTAL: _plan_total_sentence}
"""One sentence builder per kind (returns the clauses after the figure)."""


def indicator_sentence(f: IndicatorFigure, figures: Figures) -> str:
    """The sentence of 主要指标完成情况 for one indicator: value and unit first, then what the kind says."""
    ind = f.indicator
    name = ind.name
    if f.milestone is not None:
        return f"{name}：{milestone_phrase(f)}。"
    if f.partial is not None:
        return f"{name}：全区数暂缺（{partial_phrase(f)}），待各区镇报齐后汇总。"
    if ind.is_down and f.value is not None and f.assessment.target is not None:
        clauses = [cap_phrase(f), _yoy(f)]
        return "，".join([f"{name}{number_text(f.value, ind.unit)}", *(c for c in clauses if c)]) + "。"
    if f.value is None:
        who = f"{ind.source_unit}等单位" if ind.source_unit else "有关单位"
        return f"{name}：本期尚无数据（{who}未报送）。"
    head = f"{name}{number_text(f.value, ind.unit)}"
    if f.assessment.target is None:
        return f"{head}，{f.period.year}年未设目标，不作评价。"
    builder = SENTENCES.get(ind.kind)
    if builder is None:  # a kind without its own wording yet: the status only
        return f"{head}，{f.status}。"
    clauses = [c for c in builder(f, figures) if c]
    return "，".join([head, *clauses]) + "。"


# --- the sections --------------------------------------------------------------------------------------
def _names(items) -> str:
    return "、".join(items)


def _quote(text: str) -> str:
    """A reporter's remark as quoted text: one line, cleaned, cut at REMARK_LIMIT."""
    return "“" + shorten(" ".join(clean_text(text).split()), REMARK_LIMIT, "……") + "”"


def tally(figures: Figures) -> dict[str, int]:
    """The status counts of the report (the statuses the JSON gives; 本期不报 and 本年不考核 are left out)."""
    return figures.count_by_status()


def left_out(figures: Figures) -> list[IndicatorFigure]:
    """Indicators outside every count this period: 本期不报 (frequency), 本年不考核 (no target this year)."""
    return [f for f in figures.indicators if f.status not in STATUSES]


def overall(data: ReportData) -> list[str]:
    """一、总体情况: how complete the period is, the status counts and shares, what is left out, 督办."""
    figures = data.figures
    paras = []
    reporting = data.reporting
    if reporting:
        done = [s.reporter for s in reporting if s.status is Reporting.REPORTED]
        returned = [s.reporter for s in reporting if s.status is Reporting.RETURNED]
        missing = [s.reporter for s in reporting if s.status is Reporting.NOT_REPORTED]
        text = (f"本期应报送单位{len(reporting)}家，已报送{len(done)}家，报送率{pct(len(done) / len(reporting))}")
        if returned:
            text += f"；{_names(returned)}报表已退回修改"
        if missing:
            text += f"；{_names(missing)}未报送"
        text += "。" if not (returned or missing) else "，相关数据未计入本报告。"
        paras.append(text)
    waiting = figures.partial
    if waiting:
        paras.append(f"{len(waiting)}项指标的全区数须待各区镇报齐后汇总，本报告暂按尚无数据计："
                     + "、".join(f"{f.indicator.name}（{partial_phrase(f)}）" for f in waiting) + "。")
    counts = tally(figures)
    total = sum(counts.values())
    on = counts[DONE] + counts[ON_TRACK]
    behind = counts[LAGGING] + counts[SEVERE]
    text = (f"本期评价的{total}项指标中，达到序时进度{on}项、占比{pct(on / total if total else 0.0)}"
            f"（已完成{counts[DONE]}项、序时推进{counts[ON_TRACK]}项）；未达到序时进度{behind}项"
            + (f"（滞后{counts[LAGGING]}项、严重滞后{counts[SEVERE]}项）" if behind else ""))
    if counts[MISSING]:
        text += f"；尚无数据{counts[MISSING]}项"
    paras.append(text + "。")
    out = left_out(figures)
    if out:
        groups: dict[str, list[str]] = {}
        for f in out:
            groups.setdefault(f.status, []).append(f.indicator.name)
        words = {NOT_DUE: "按填报频次本期不报", NOT_ASSESSED: "本年未设目标、不作考核"}
        said = "，".join(f"{_names(names)}{len(names)}项{words.get(status, status)}" for status, names in groups.items())
        paras.append(f"另有{said}，不计入上述统计。")
    items = figures.supervision()
    if items:
        escalate = sum(1 for item in items if item.escalate)
        paras.append(f"进度滞后的指标和区镇分解目标共{len(items)}项，已列入督办清单"
                     + (f"，其中连续两期以上滞后、需升级督办{escalate}项" if escalate else "") + "。")
    return paras


def _bare(name: str) -> str:
    """An indicator's name without its “其中：” (a sub-item named in a list of its own)."""
    return name.removeprefix("其中：").removeprefix("其中")


def _item_name(item: SupervisionItem, unit: str = "") -> str:
    """The item as named in a sentence; a unit's own split target is just 分解目标 in its own paragraph."""
    if item.reporter and item.reporter == unit:
        return f"{_bare(item.name)}分解目标"
    return _bare(item.name) + (f"（{item.reporter}分解目标）" if item.reporter else "")


def problem_text(n: int, item: SupervisionItem) -> str:
    """三、存在问题: one item behind, how far, and what its reporters said (quoted, as text)."""
    run = f"，已连续{item.lagging_periods}期滞后" if item.lagging_periods >= 2 else ""
    facts = item_facts(item).replace(" ", "")
    text = f"{n}.{_item_name(item)}进度{item.status.value}：{facts}{run}。"
    remarks = item.remarks()
    if remarks:
        text += "；".join(f"{r}说明：{_quote(t)}" for r, t in remarks.items()) + "。"
    else:
        text += "填报单位未说明原因。"
    return text


def problems(figures: Figures) -> list[str]:
    items = figures.supervision()
    paras = []
    if items:
        paras.append(f"截至{figures.period.end_label}，以下{len(items)}项指标（含区镇分解目标）进度滞后于序时进度：")
        paras += [problem_text(n, item) for n, item in enumerate(items, 1)]
    else:
        paras.append(f"截至{figures.period.end_label}，本期评价的指标均未滞后于序时进度。")
    missing = [f.indicator.name for f in figures.indicators if f.status == MISSING]
    if missing:
        paras.append(f"此外，{_names(missing)}本期尚无数据，需督促有关单位报送。")
    flagged = [n for f in figures.indicators for n in f.notes if n.startswith("交叉核对")]
    if flagged:
        paras.append("需核实的数据：" + "；".join(flagged) + "。")
    return paras


def next_steps(figures: Figures) -> list[str]:
    """四、下步打算: one paragraph per responsible unit behind, for the clerk to complete (nothing invented)."""
    items = [item for item in figures.supervision() if item.status in BEHIND]
    paras = []
    for n, (unit, mine) in enumerate(unit_items(items, figures.plan, with_lead=True).items(), 1):
        names = list(dict.fromkeys(_item_name(item, unit) for item in mine))
        running = list(dict.fromkeys(_item_name(item, unit) for item in mine if item.escalate))
        if running and len(names) == 1:
            escalate = "，已连续两期以上滞后"
        elif running:
            escalate = f"（其中{len(running)}项已连续两期以上滞后）"
        else:
            escalate = ""
        paras.append(f"{n}.{unit or '有关单位'}：{_names(names)}进度滞后{escalate}。"
                     "【请补充：该单位的具体措施、完成时限和责任人】")
    paras.append("【请补充：牵头单位下一步统筹推进、督查督办的安排】")
    return paras


TABLE_HEADS = ["序号", "指标", "单位", "本年目标", "本期完成值", "完成率", "进度", "序时进度", "状态", "责任单位"]


def table(figures: Figures) -> list[list[str] | str]:
    """附件: 任务分解表 rows (a task's name as a row of its own), figures as in the JSON."""
    plan = figures.plan
    rows: list[list[str] | str] = []
    task = None
    for n, f in enumerate(figures.indicators, 1):
        if f.indicator.task != task:
            task = f.indicator.task
            rows.append(f"{chinese_numeral(task)}、{plan.task(task).name}")
        a = f.assessment
        due = float(figures.plan_share) if f.indicator.kind == PLAN_TOTAL else f.elapsed
        judged = f.status in STATUSES and a.target is not None
        target = number_text(a.target) if a.target is not None else "—"
        if f.milestone is not None:
            target, value = f.milestone.due_label + "前", "、".join(dict.fromkeys(f.milestone.states.values())) or "—"
        elif f.partial is not None:
            value = "暂缺"
        else:
            value = number_text(f.value)
        if f.indicator.is_down and a.target is not None:
            target = "≤" + target if a.op == "<=" else "＜" + target
        rows.append([str(n), f.indicator.name, f.indicator.unit, target, value,
                     pct(a.completion) if judged and a.completion is not None else "—",
                     pct(a.progress) if judged and f.milestone is None else "—", pct(due), f.status.value,
                     "、".join(plan.responsible_units(f.indicator))])
    return rows


def outline(data: ReportData) -> Outline:
    """The whole report in order: title, 主送机关, the four sections, 附件说明, 署名, 成文日期, the table."""
    figures = data.figures
    plan, period = figures.plan, figures.period
    title = f"关于《{plan.name}》{period.label}推进情况的报告"
    doc = Outline(title)
    doc.add(TO, f"{plan.issuer}：" if plan.issuer else "【请补充：主送机关】：")
    doc.add(BODY, f"按照《{plan.name}》要求，现将{period.label}（截至{period.end_label}，序时进度{pct(figures.elapsed, 0)}）"
                  "推进情况报告如下：")
    doc.add(H1, "一、总体情况")
    for text in overall(data):
        doc.add(BODY, text)
    doc.add(H1, "二、主要指标完成情况")
    by_task: dict[int, list[IndicatorFigure]] = {}
    for f in figures.indicators:
        if f.status in STATUSES:
            by_task.setdefault(f.indicator.task, []).append(f)
    for n, task in enumerate((t for t in plan.tasks if t.number in by_task), 1):
        doc.add(H2, f"（{chinese_numeral(n)}）{task.name}")
        for f in by_task[task.number]:
            doc.add(BODY, indicator_sentence(f, figures))
    doc.add(H1, "三、存在问题")
    for text in problems(figures):
        doc.add(BODY, text)
    doc.add(H1, "四、下步打算")
    for text in next_steps(figures):
        doc.add(BODY, text)
    doc.attachment_title = f"{plan.short_name or plan.name}任务分解表完成情况（{period.label}）"
    doc.add(BODY, "")
    doc.add(NOTE, f"附件：{doc.attachment_title}")
    doc.add(BODY, "")
    doc.add(SIGNATURE, plan.lead_unit or plan.issuer or "【请补充：发文单位】")
    doc.add(DATE, chinese_date(data.generated_at))
    doc.table_heads = TABLE_HEADS
    doc.table_rows = table(figures)
    return doc
