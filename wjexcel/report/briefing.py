"""The Chinese texts of the 汇总 workbook: the rules (说明) and the drafted 进展简报.

Everything here is read by leadership or clerks, so it is Chinese; it is built only
from :class:`wjexcel.report.figures.Figures` and never touches a file.
"""

from __future__ import annotations

from wjexcel.report.ranking import SPLIT_WEIGHT, TownScore
from wjexcel.report.figures import (DONE, LAGGING, MISSING, NOT_ASSESSED, NOT_DUE, ON_TRACK, SEVERE, Figures,
                                    IndicatorFigure, number_text)
from wjexcel.plan.model import MILESTONE, PLAN_TOTAL, RATIO, STOCK, YEAR_COUNTS, format_number
from wjexcel.values import clean_text, shorten

QUOTE_LIMIT = 80

def ranking_rule(plan) -> str:
    """How the towns' ranking is scored, printed under it."""
    groups = "、".join(f"“{g}”" for g in _groups(plan))
    return (
        f"按成效排名：综合得分 = 分解目标得分 × {SPLIT_WEIGHT:.0%} + 贡献得分 × {1 - SPLIT_WEIGHT:.0%}（满分100）。"
        "分解目标得分：该区镇" + (f"（或所在{groups}组合）" if groups else "")
        + "每项分解目标按“累计完成 ÷ 本期应完成（期望值）”计分，达到或超过期望值为100分，取平均；"
        "贡献得分：各区镇数值相加的指标（不含比率类和“其中”项）中，该区镇占各区镇合计的比重取平均，"
        "比重最高的区镇为100分，其余按比例计；没有分解目标的区镇只按贡献得分计。得分相同名次相同；"
        "排名变化与上一期（同一粒度）按同样方法的排名相比，“+2”表示上升两位。是否按时、完整填报单独列示，不计入得分。"
    )


def _groups(plan) -> list[str]:
    """The groups that share a target (the four towns' 飞地 incubator), in plan order."""
    return list(dict.fromkeys(g.group for i in plan.indicators for g in i.group_targets))


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def status_tally(figures: Figures) -> str:
    """The status counts in one sentence, as 概览, 进展简报 and the summary after 汇总 all say it:
    ``本期评价的 15 项指标中，达到序时进度 9 项、占比 60.0%（已完成 2 项、序时推进 7 项），滞后 3 项，
    严重滞后 1 项，未报送 2 项；另有 1 项按填报频次本期不报。``"""
    counts = figures.count_by_status()
    judged = len(figures.judged)
    on_schedule = counts[DONE] + counts[ON_TRACK]
    not_due = sum(1 for f in figures.indicators if f.status == NOT_DUE)
    not_assessed = sum(1 for f in figures.indicators if f.status == NOT_ASSESSED)
    share = on_schedule / judged if judged else 0.0
    aside = [f"{not_due} 项按填报频次本期不报"] if not_due else []
    aside += [f"{not_assessed} 项本年不考核（本年未设目标）"] if not_assessed else []
    return (f"本期评价的 {judged} 项指标中，达到序时进度 {on_schedule} 项、占比 {pct(share)}"
            f"（已完成 {counts[DONE]} 项、序时推进 {counts[ON_TRACK]} 项），滞后 {counts[LAGGING]} 项，"
            f"严重滞后 {counts[SEVERE]} 项，未报送 {counts[MISSING]} 项"
            + (f"；另有 {'，'.join(aside)}" if aside else "") + "。")


def completeness(figures: Figures) -> str:
    """How complete the period is, said before any status: who has reported, and which figures
    wait for the rest of the towns (暂缺)."""
    plan, period = figures.plan, figures.period
    expected = [r for r in plan.reporters if plan.indicators_for(r, period)]
    seen = set(figures.reporters_seen)
    towns = [r for r in expected if r.kind == "district"]
    text = (f"本期应报 {len(expected)} 个单位，已收到 {sum(1 for r in expected if r.name in seen)} 个"
            f"（区镇 {sum(1 for r in towns if r.name in seen)}/{len(towns)}）")
    waiting = figures.partial
    if waiting:
        text += (f"；{len(waiting)} 项指标的全区数要等区镇报齐后才能得出，暂按未报送计："
                 + "、".join(f"{f.indicator.name}（{partial_phrase(f)}）" for f in waiting))
    return text + "。"


def partial_phrase(f: IndicatorFigure) -> str:
    """``已报 5/8 个区镇，合计 12家``."""
    p = f.partial
    total = f"，合计 {number_text(p.value, f.indicator.unit)}" if p.value is not None else ""
    return f"已报 {p.reported}/{p.expected} 个区镇{total}"


def cap_limit(f: IndicatorFigure) -> str:
    """``控制目标26万吨以内`` / ``控制目标低于30件`` / ``控制目标为0起（零发生）``."""
    a, unit = f.assessment, f.indicator.unit
    if a.target is None:
        return "本年未设控制目标"
    shown = number_text(a.target, unit)
    if a.op == "<":
        return f"控制目标低于{shown}"
    if abs(a.target) < 1e-12 and f.indicator.kind in YEAR_COUNTS:
        return f"控制目标为{shown}（零发生）"
    return f"控制目标{shown}以内"


def cap_phrase(f: IndicatorFigure) -> str:
    """A 越小越好 figure in words: 控制目标, 已用, 超出 — never 完成年度目标的x%."""
    a, ind = f.assessment, f.indicator
    unit = ind.unit
    limit = cap_limit(f)
    if a.target is None or f.value is None:
        return limit
    over = f.value - a.target
    if ind.kind in YEAR_COUNTS:
        if over > 1e-9:
            return f"{limit}，已超出{number_text(over, unit)}"
        if a.op == "<" and over >= -1e-9:
            return f"{limit}，已达到上限，未控制在目标以下"
        used = f"，已用{pct(a.progress)}" if a.progress is not None else ""
        return f"{limit}{used}（序时进度{pct(f.elapsed, 0)}）"
    if a.status == DONE:
        return f"{limit}，已达到控制目标"
    if over <= 1e-9:  # at the limit of a strict 低于
        return f"{limit}，已达到上限，未控制在目标以下"
    return f"{limit}，高于控制目标{number_text(over, unit)}"


def milestone_phrase(f: IndicatorFigure) -> str:
    """A 节点任务 in words: its state(s) and due date; 逾期未完成 once past it. Where several
    reporters are to report, each is named, and those who have not."""
    m = f.milestone
    if m is None:
        return "未设完成时间"
    if len(m.expected) > 1:
        states = "、".join(f"{r}{s}" for r, s in m.states.items())
        if m.missing:
            states += ("；" if states else "") + f"{'、'.join(m.missing)}未报送"
    else:
        states = next(iter(m.states.values()), "未报送")
    if m.overdue:
        return f"应于{m.due_label}前完成，逾期未完成（{states}）"
    return f"{states}，应于{m.due_label}前完成"


def rule_lines(figures: Figures) -> list[str]:
    """The figure and status rules as printed in the 说明 block, numbered, with the baselines used."""
    plan, period = figures.plan, figures.period
    tol = pct(plan.tolerance, 0)
    share = figures.plan_share
    not_due = [f.indicator.name for f in figures.indicators if not f.due]
    lines = [
        "全区数值：以计划中该指标的数据来源单位报送的数值为准；来源单位未报送该项时，增量、年度数、存量、计划总量类"
        "指标取各区镇报送数之和；比率类指标从不按区镇相加，来源单位未报送即无全区数值。其他部门报送的数值"
        "只在旁列示，不计入合计。",
        f"交叉核对：来源单位有数值且区镇也填报时，区镇合计与来源单位数值之差超过来源数值的 {tol}，标注提示；"
        f"区镇尚未报齐时，已报送区镇的合计超过来源单位数值且超出部分大于来源数值的 {tol}，也标注提示。",
        "每个单位只采用本期最新一份审核通过的报表；数值单元格留空视为该单位未填该项（提示，不退回），"
        "填了非数字内容的报表退回修改。",
        f"序时进度 e：年度为 100%，季度末为 季度数÷4，月末为 月数÷12。本期（{period.label}）e = "
        f"{pct(figures.elapsed)}；计划期（{plan.span_label}）已过 s = {share.numerator}/{share.denominator}。"
        "按填报频次，年报指标只在年度、四季度和12月评价，季报指标只在季度、年度和3、6、9、12月评价，其余期间为"
        "“本期不报”，不计入任何统计" + (f"（本期：{'、'.join(not_due)}）" if not_due else "") + "。",
        "基期值 B（存量、比率类）：上年年末的实际数（上年年度表，没有时取四季度或12月的表，按本表同样的口径汇总）；"
        "没有时取上年目标；计划首年取计划给出的基期值；都没有时不设 B。" + _baselines_used(figures),
        "期望值 X（T 为本年度目标）：增量、年度数类 X = T × e；存量、比率类 X = B + (T − B) × e，没有 B 时 X = T；"
        "计划总量类 X = 计划期目标 × s。",
        "进度：增量、年度数、计划总量类 = 数值 ÷ T；存量类为净增完成率 =（数值 − B）÷（T − B），即本年应增部分"
        "完成了多少（没有 B 或 T ≤ B 时为 数值 ÷ T）；比率类 = 数值 ÷ X。完成率 = 数值 ÷ T。",
        f"状态：无审核通过的数值 → 未报送；达到目标 T（“超”即“＞”须严格大于，恰好等于不算完成）→ 已完成；"
        f"e < 1（计划总量类看 s < 1）且 数值 ≥ X → 序时推进；数值 ≥ X − {tol} × D → 滞后；否则 → 严重滞后。"
        f"D 是“百分之百”的量：增量、年度数、计划总量类为 T，存量类为 T − B（没有 B 或 T ≤ B 时为 T），比率类为 X。"
        f"容差 {tol} 在计划中设置。",
        "环比与同比：上期为同一粒度的上一期（如 2022年一季度的上期为 2021年四季度），本期新增 = 本期完成值 − 上期值"
        "（增量、年度数类跨年重新计数，年初一期的本期新增即本期完成值）；上年同期为一年前的同一期间，同比增速 = "
        "（本期 − 上年同期）÷ 上年同期。连续滞后期数为截至本期连续处于滞后或严重滞后的期数，连续两期以上列入升级督办。",
        "增量类指标“本期完成值”为本年初至本期末的累计数，“计划累计”再加上此前各年度年末数；年度数类每年重新计数，"
        "不跨年相加；计划总量类指标填自计划首年起的累计数，与计划期目标比较。",
        f"分解目标（区镇{plan.span_words}目标" + "".join(f"、“{g}”共同目标" for g in _groups(plan))
        + "）：数值为本期数加此前年度年末数（组合为成员之和），"
        "期望值 = 分解目标 × s，计划期未结束时达到期望值即为序时推进，其余同上。",
        "表中“完成率”“进度”“期望值”“状态”均为公式：在 Excel 中修改本期完成值、目标或基期值，结果和颜色随之更新。",
        *_more_rules(figures, tol),
    ]
    return [f"{i}. {text}" for i, text in enumerate(lines, 1)]


def _more_rules(figures: Figures, tol: str) -> list[str]:
    """The rules for what this period's plan has: incomplete towns' sums always; 越小越好, targets in
    words, blank years and 节点任务 where the plan has them."""
    inds = [f.indicator for f in figures.indicators]
    lines = ["区镇合计须等该指标所有区镇的报表都已审核通过（某区镇表中该项留空视为该区镇为0）才作为全区数；"
             "未报齐时全区数“暂缺”，状态为未报送，不列入督办，表中注明已报区镇数和已报合计。"]
    if any(i.is_down for i in inds):
        lines.append(
            "越小越好（控制目标）的指标：增量、年度数类是全年的上限，X = T × e、D = T，本年累计一旦超过 T 即为"
            f"严重滞后（全年额度已用完），年末不超过 T 为已完成，年中不超过 X 为序时推进，不超过 X + {tol} × D 为滞后；"
            "零发生（T = 0）的指标出现 1 起即为严重滞后。存量、比率类要从 B 降到 T：X = B +（T − B）× e（没有 B 时"
            "X = T），D 为 B − T（B − T 不为正或没有 B 时为 T；比率类为 X），不超过 T 为已完成，不超过 X 为序时推进，"
            f"不超过 X + {tol} × D 为滞后，否则严重滞后。"
            "这类指标不计完成率；“进度”为已用额度（数值 ÷ T）或已完成的降幅（（B − 数值）÷（B − T））。"
            "“以内、以下”含本数，“低于、不足”不含本数。")
    if any(t.words or t.is_relative for i in inds for t in i.targets.values() if not t.due):
        lines.append("目标照计划原文写的：“左右、约、力争”按其中的数字评价；“1～2”按下限（越小越好按上限）；"
                     "“较上年下降5%”按上年实际数（没有时按上年目标或基期值）算出当年目标；具体算法见各行“核对提示”。")
    if any(i.kind not in (PLAN_TOTAL, MILESTONE) and len(i.targets) < len(figures.plan.years) for i in inds):
        lines.append("某年未设目标的：存量、比率类按基期值到下一个目标“按规划目标线性分解”；没有基期值的存量、比率类，"
                     "以及增量、年度数类，该年为“本年不考核”，不计入任何统计。")
    if any(i.is_milestone for i in inds):
        lines.append("节点任务按责任单位（区镇填报的按各区镇）报送的状态评价：报“已完成”为已完成；过了完成时限"
                     "（所填年月的月底）仍未完成为严重滞后（逾期未完成），无论是否报送；未报送为未报送；完成时限所在年度"
                     "仍“未启动”为滞后；其余为序时推进。多个区镇报送的，全部已完成才算已完成，否则取其中最差的。")
    return lines


def _baselines_used(figures: Figures) -> str:
    """Which B each stock and ratio indicator was judged by this period."""
    used = [f"{f.indicator.name} {f.baseline.label()}" for f in figures.indicators
            if f.due and f.indicator.kind in (STOCK, RATIO) and f.baseline is not None]
    without = [f.indicator.name for f in figures.indicators
               if f.due and f.indicator.kind in (STOCK, RATIO) and f.baseline is None]
    text = ("本期采用：" + "；".join(used) + "。") if used else ""
    if without:
        text += "以下指标没有 B，直接与目标比较（X = T）：" + "、".join(without) + "。"
    return text


def _quote(text: str) -> str:
    return shorten(" ".join(clean_text(text).split()), QUOTE_LIMIT)


def _achievement(f: IndicatorFigure) -> str:
    a, ind = f.assessment, f.indicator
    if f.milestone is not None:
        return f"{ind.name}：{milestone_phrase(f)}"
    text = f"{ind.name}{number_text(f.value, ind.unit)}"
    if ind.is_down:
        return f"{text}，{cap_phrase(f)}"
    if a.completion is None:
        return text
    goal = "计划期目标" if ind.kind == PLAN_TOTAL else "年度目标"
    return f"{text}，完成{goal}的{pct(a.completion)}"


def _lag_sentence(f: IndicatorFigure, figures: Figures) -> str:
    a = f.assessment
    if f.milestone is not None:
        text = f"{f.indicator.name}（{milestone_phrase(f)}，{f.status.value}）"
        return text + _remarks_said(f)
    text = f"{f.indicator.name}（{number_text(f.value, f.indicator.unit)}，"
    if f.indicator.is_down:
        text += cap_phrase(f)
    elif f.indicator.kind == STOCK and a.progress is not None and a.baseline is not None and f.value < a.baseline.value:
        text += f"比上年末减少{number_text(a.baseline.value - f.value, f.indicator.unit)}"
    elif f.indicator.kind == STOCK and a.progress is not None and a.baseline is not None:
        text += f"本年净增完成{pct(a.progress)}"
    else:
        text += f"完成率{pct(a.completion)}"
    if not f.indicator.is_down:
        text += f"，序时进度{pct(figures.elapsed, 0)}"
    text += f"，{a.status.value}"
    if f.lagging_periods >= 2:
        text += f"，已连续{f.lagging_periods}期滞后"
    text += "）"
    return text + _remarks_said(f)


def _remarks_said(f: IndicatorFigure) -> str:
    if not f.remarks:
        return ""
    return "，" + "；".join(f"{r}说明“{_quote(t)}”" for r, t in f.remarks.items())


def briefing_paragraphs(figures: Figures, missing_reporters: list[str] = (),
                        ranking: list[TownScore] = ()) -> list[str]:
    """Drafted 进展简报 paragraphs for leadership, to be edited by the clerk."""
    paras = [f"截至{figures.period.end_label}（序时进度 {pct(figures.elapsed, 0)}），{completeness(figures)}",
             f"全区{status_tally(figures)}"]
    good = [f for f in figures.judged if f.status in (DONE, ON_TRACK) and (f.value is not None or f.milestone)]
    if good:
        paras.append("其中" + "；".join(_achievement(f) for f in good) + "。")
    behind = [f for f in figures.judged if f.status in (LAGGING, SEVERE)]
    if behind:
        paras.append("进度滞后的指标：" + "；".join(_lag_sentence(f, figures) for f in behind) + "。")
    missing = [f.indicator.name for f in figures.judged if f.status == MISSING]
    if missing:
        paras.append("尚无数据的指标：" + "、".join(missing) + "。")
    towns = []
    for f in figures.judged:
        for s in f.splits:
            if s.assessment.status in (LAGGING, SEVERE):
                goal = "控制目标" if f.indicator.is_down else "分解目标"
                towns.append(f"{s.name}（{f.indicator.name}{goal}{format_number(s.assessment.target)}"
                             f"{f.indicator.unit}，累计{number_text(s.value, f.indicator.unit)}，"
                             f"{s.assessment.status.value}）")
    if towns:
        paras.append("进度落后的区镇：" + "；".join(towns) + "。")
    flagged = [n for f in figures.indicators for n in f.notes if n.startswith("交叉核对")]
    if flagged:
        paras.append("需核实的数据：" + "；".join(flagged) + "。")
    if missing_reporters:
        paras.append("本期未报送或报表被退回的单位：" + "、".join(missing_reporters) + "，请督促尽快报送。")
    if ranking:
        top = "、".join(f"{t.reporter}（{t.score:g}分）" for t in ranking[:3])
        paras.append(f"区镇按成效排名前列：{top}。排名方法见“区镇进度”表。")
    return paras
