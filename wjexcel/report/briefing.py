"""The Chinese texts of the 汇总 workbook: the rules (说明) and the drafted 进展简报.

Everything here is read by leadership or clerks, so it is Chinese; it is built only
from :class:`wjexcel.report.figures.Figures` and never touches a file.
"""

from __future__ import annotations

from wjexcel.report.ranking import FILL_WEIGHT, SPLIT_POINTS, TownScore
from wjexcel.report.figures import DONE, LAGGING, MISSING, ON_TRACK, SEVERE, STATUSES, Figures, IndicatorFigure
from wjexcel.plan.model import INCREMENT, PLAN_TOTAL, RATIO, STOCK, format_number
from wjexcel.values import clean_text, shorten

QUOTE_LIMIT = 80

def ranking_rule(plan) -> str:
    """How the towns' ranking is scored, printed under it."""
    groups = "、".join(f"“{g}”" for g in _groups(plan))
    return (
        f"排名得分 = 指标填报率 × {100 * FILL_WEIGHT:.0f} + 分解目标得分 × {1 - FILL_WEIGHT:.0%}"
        f"（满分100）。指标填报率 = 本期填报了数值的指标数 ÷ 本镇填报表上的指标数；分解目标得分按该区镇"
        + (f"（或所在{groups}组合）" if groups else "")
        + f"分解目标的状态计：已完成、序时推进 {SPLIT_POINTS[DONE]} 分，滞后 "
        f"{SPLIT_POINTS[LAGGING]} 分，严重滞后 {SPLIT_POINTS[SEVERE]} 分，未报送 0 分；没有分解目标的区镇只按"
        "填报率计（× 100）。得分相同名次相同。"
    )


def _groups(plan) -> list[str]:
    """The groups that share a target (the four towns' 飞地 incubator), in plan order."""
    return list(dict.fromkeys(g.group for i in plan.indicators for g in i.group_targets))


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{format_number(round(value, 4))}{unit}"


def rule_lines(figures: Figures) -> list[str]:
    """The figure and status rules as printed in the 说明 block, numbered."""
    plan, period = figures.plan, figures.period
    tol = pct(plan.tolerance, 0)
    share = figures.plan_share
    lines = [
        "全区数值：以计划中该指标的数据来源单位报送的数值为准；来源单位未报送该项时，增量、存量、计划总量类"
        "指标取各区镇报送数之和；比率类指标从不按区镇相加，来源单位未报送即无全区数值。其他部门报送的数值"
        "只在旁列示，不计入合计。",
        f"交叉核对：来源单位有数值且区镇也填报时，区镇合计与来源单位数值之差超过来源数值的 {tol}，标注提示；"
        f"区镇尚未报齐时，已报送区镇的合计超过来源单位数值且超出部分大于来源数值的 {tol}，也标注提示。",
        "每个单位只采用本期最新一份审核通过的报表；数值单元格留空视为该单位未填该项（提示，不退回），"
        "填了非数字内容的报表退回修改。",
        f"序时进度 e：年度为 100%，季度末为 季度数÷4，月末为 月数÷12。本期（{period.label}）e = "
        f"{pct(figures.elapsed)}；计划期（{plan.span_label}）已过 {share.numerator}/{share.denominator}。",
        "期望值 X（T 为本年度目标）：增量类 X = T × e；存量类、比率类 X = B + (T − B) × e，B 为上年目标"
        "（计划首年取计划给出的基期值），没有 B 时 X = T，即直接与目标本身比较；计划总量类 X = 计划期目标 × "
        "计划期已过比例。",
        f"状态：无审核通过的数值 → 未报送；达到目标 T（“超”即“＞”须严格大于，恰好等于不算完成）→ 已完成；"
        f"e < 1 且 数值 ≥ X → 序时推进；数值 ≥ X − {tol} × T → 滞后（容差 {tol}，在计划中设置）；"
        "否则 → 严重滞后。完成率 = 数值 ÷ T。",
        "增量类指标“本期完成值”为本年初至本期末的累计数，“计划累计”再加上此前各年度年末数；计划总量类指标"
        "填自计划首年起的累计数，与计划期目标比较；其“e < 1”按计划期已过比例判断（计划期未结束时达到 X 即为序时推进）。",
        f"分解目标（区镇{plan.span_words}目标" + "".join(f"、“{g}”共同目标" for g in _groups(plan))
        + "）：数值为本期数加此前年度年末数（组合为成员之和），"
        "期望值 = 分解目标 × 计划期已过比例，计划期未结束时达到期望值即为序时推进，其余同上。",
        "表中“完成率”“期望值”“状态”均为公式：在 Excel 中修改本期完成值或目标，结果和颜色随之更新。",
    ]
    no_b = [f.indicator.name for f in figures.indicators
            if f.indicator.kind in (STOCK, RATIO) and f.baseline is None]
    if no_b:
        lines.append("以下存量/比率类指标本期没有基期值 B，按目标值本身比较（X = T）：" + "、".join(no_b) + "。")
    return [f"{i}. {text}" for i, text in enumerate(lines, 1)]


def _quote(text: str) -> str:
    return shorten(" ".join(clean_text(text).split()), QUOTE_LIMIT)


def _achievement(f: IndicatorFigure) -> str:
    a, ind = f.assessment, f.indicator
    text = f"{ind.name}{with_unit(f.value, ind.unit)}"
    if a.completion is None:
        return text
    goal = "计划期目标" if ind.kind == PLAN_TOTAL else "年度目标"
    return f"{text}，完成{goal}的{pct(a.completion)}"


def _lag_sentence(f: IndicatorFigure, figures: Figures) -> str:
    a = f.assessment
    text = f"{f.indicator.name}（{with_unit(f.value, f.indicator.unit)}，完成率{pct(a.completion)}"
    if f.indicator.kind == INCREMENT:
        text += f"，序时进度{pct(figures.elapsed, 0)}"
    text += f"，{a.status}）"
    if f.remarks:
        said = "；".join(f"{r}说明“{_quote(t)}”" for r, t in f.remarks.items())
        text += f"，{said}"
    return text


def briefing_paragraphs(figures: Figures, missing_reporters: list[str] = (),
                        ranking: list[TownScore] = ()) -> list[str]:
    """Drafted 进展简报 paragraphs for leadership, to be edited by the clerk."""
    period = figures.period
    counts = figures.count_by_status()
    parts = "、".join(f"{s}{counts[s]}项" for s in STATUSES if counts[s])
    paras = [f"截至{period.end_label}，全区{len(figures.indicators)}项指标中，{parts}。"
             f"（序时进度{pct(figures.elapsed, 0)}）"]
    good = [f for f in figures.indicators if f.status in (DONE, ON_TRACK) and f.value is not None]
    if good:
        paras.append("其中" + "；".join(_achievement(f) for f in good) + "。")
    behind = [f for f in figures.indicators if f.status in (LAGGING, SEVERE)]
    if behind:
        paras.append("进度滞后的指标：" + "；".join(_lag_sentence(f, figures) for f in behind) + "。")
    missing = [f.indicator.name for f in figures.indicators if f.status == MISSING]
    if missing:
        paras.append("尚无数据的指标：" + "、".join(missing) + "。")
    towns = []
    for f in figures.indicators:
        for s in f.splits:
            if s.assessment.status in (LAGGING, SEVERE):
                towns.append(f"{s.name}（{f.indicator.name}分解目标{format_number(s.assessment.target)}"
                             f"{f.indicator.unit}，累计{with_unit(s.value, f.indicator.unit)}，"
                             f"{s.assessment.status}）")
    if towns:
        paras.append("进度落后的区镇：" + "；".join(towns) + "。")
    flagged = [n for f in figures.indicators for n in f.notes if n.startswith("交叉核对")]
    if flagged:
        paras.append("需核实的数据：" + "；".join(flagged) + "。")
    if missing_reporters:
        paras.append("本期未报送或报表被退回的单位：" + "、".join(missing_reporters) + "，请督促尽快报送。")
    if ranking:
        top = "、".join(f"{t.reporter}（{t.score:g}分）" for t in ranking[:3])
        paras.append(f"区镇排名前列：{top}。排名方法见“区镇进度”表。")
    return paras
