"""Another plan typed into 计划.xlsx in the words it is written in, then a whole cycle checked by hand.

The plan: a five-year environment and safety plan (2021-2025) of three towns and three bureaus,
its targets typed as such plans word them (``≤36``, ``32以下``, ``85%左右``, ``控制在26以内``, ``0``,
``较上年下降5%``, ``2022年底``, a 可为负数 rate, blank years). The 2021 year-end forms give the
baselines; the 2022Q2 forms are judged (e = 0.5, tolerance 10%). Worked out by hand:

- A1 PM2.5 (ratio, 越小越好, 基期值 38, 2021 ≤36, 2025 32以下): 2022 has no target, so the straight
  line from 38 (2020) to 32 (2025) gives 38 − 6 × 2/5 = 35.6. B = 2021's 36.4; X = 36.4 + (35.6 − 36.4)
  × 0.5 = 36.0; D = X; 37.0 > 36.0 but ≤ 36.0 + 3.6 → 滞后, gap = value − X = 1.0. (2021 itself: T = 36,
  B = 38, X = 36, 36.4 ≤ 39.6 → 滞后.)
- A2 优良天数比率 (ratio, “85%左右”): judged as ≥ 85, no B: 86.1 → 已完成.
- B1 能源消费增量 (increment cap, 控制在26以内): 27 by June > 26 → 严重滞后 at once; gap 27 − 13 = 14.
- B2 单位GDP能耗下降率 (ratio, 可为负数, ≥3.4): −1.2 is accepted; B = 2021's 3.5, X = 3.5 − 0.1 × 0.5 = 3.45,
  X − 0.345 > −1.2 → 严重滞后, gap 4.65.
- B3 碳达峰实施方案 (节点任务, due 2022年底): 推进中 in June → 序时推进.
- C1 较大及以上安全事故 (annual cap, 0起): towns 1 + 0 + 0 = 1 → 严重滞后; the towns' own caps of 0:
  甲镇 严重滞后, 乙镇 and 丙镇 序时推进.
- C2 信访投诉件数 (annual cap, 较上年下降5%): 2021 closing 80 + 70 + 50 = 200, so T = 190; X = 95,
  D = 190; 40 + 30 + 30 = 100 ≤ 95 + 19 → 滞后.
- C4 安全生产标准化企业 (increment, 30): 10 + 3 + 2 = 15 = X → 序时推进.
Ranking (split weight 60%): shares only from C4 (a 越小越好 count never adds): 甲 10/15, 乙 3/15, 丙 2/15 →
100, 30, 20; splits (C1 caps): 甲 0, 乙 100, 丙 100. Scores 甲 40, 乙 72, 丙 68: 乙镇 first, and the town
with the only incident last although it has the most firms.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from wjexcel.cli import cli
from wjexcel.demo.fill import fill_form
from wjexcel.plan.model import DEPARTMENT, DISTRICT, Indicator, Reporter, Target, Task
from wjexcel.plan.plan import Plan
from wjexcel.plan.workbook import export_plan, workspace_plan

TOWNS = ("甲镇", "乙镇", "丙镇")
ENV, DRC, SAFE = "生态环境局", "发改委", "应急管理局"
YEARS = [2021, 2022, 2023, 2024, 2025]
# (code, year) -> the words typed into the target cell; the 方向 and 可为负数 cells as typed
WORDS = {("A1", 2021): "≤36", ("A1", 2025): "32以下", ("A2", 2022): "85%左右",
         **{("B1", y): "控制在26以内" for y in YEARS}, ("B2", 2022): "≥3.4", ("B3", 2022): "2022年底",
         **{("C1", y): "0起" for y in YEARS}, ("C2", 2022): "较上年下降5%", ("C4", 2022): "30以上"}
DOWN = {"A1", "B1", "C1", "C2"}
NEGATIVE = {"B2"}
TYPED = {
    "2021": {ENV: {"A1": 36.4, "A2": 84}, DRC: {"B1": 25, "B2": 3.5, "B3": "推进中"},
             SAFE: {"C1": 0}, "甲镇": {"C1": 0, "C2": 80, "C4": 20}, "乙镇": {"C1": 0, "C2": 70, "C4": 5},
             "丙镇": {"C1": 0, "C2": 50, "C4": 5}},
    "2022Q2": {ENV: {"A1": "37.0", "A2": "86.1%"}, DRC: {"B1": 27, "B2": "-1.2", "B3": "推进中"},
               "甲镇": {"C1": 1, "C2": 40, "C4": 10},
               "乙镇": {"C1": 0, "C2": 30, "C4": "３"}, "丙镇": {"C1": "0", "C2": 30, "C4": 2}},
}
REMARKS = {("2022Q2", DRC, "B1"): "=上半年新上项目集中投产，能耗增量超出全年控制目标",
           ("2022Q2", "甲镇", "C1"): "5月发生一起较大火灾事故，已启动调查"}


def env_plan() -> Plan:
    """The plan as it is built in code; the test then retypes its targets in words in 计划.xlsx."""
    def n(value):
        return {y: Target(value) for y in YEARS}
    return Plan(
        name="某区生态环境与安全生产“十四五”规划", plan_id="env-2021-2025", version="1", years=list(YEARS),
        short_name="生态安全规划", lead_unit=ENV, issuer="某区生态环境局", contact="张明", phone="0512-60000000",
        tasks=[Task(1, "大气污染防治", (ENV,), False, ENV), Task(2, "能源节约与双碳", (DRC,), False, DRC),
               Task(3, "安全生产与信访", (SAFE,), True, SAFE)],
        reporters=[*(Reporter(t, DISTRICT) for t in TOWNS), Reporter(ENV, DEPARTMENT), Reporter(DRC, DEPARTMENT),
                   Reporter(SAFE, DEPARTMENT)],
        indicators=[
            Indicator("A1", 1, "PM2.5年均浓度", "微克/立方米", "ratio", {2021: Target(36), 2025: Target(32)},
                      source_unit=ENV, district_reported=False, baseline=38),
            Indicator("A2", 1, "空气质量优良天数比率", "%", "ratio", {2022: Target(85)}, source_unit=ENV,
                      district_reported=False),
            Indicator("B1", 2, "能源消费增量", "万吨标准煤", "increment", n(26), source_unit=DRC,
                      district_reported=False),
            Indicator("B2", 2, "单位GDP能耗下降率", "%", "ratio", {2022: Target(3.4)}, source_unit=DRC,
                      district_reported=False),
            Indicator("B3", 2, "印发碳达峰实施方案", "项", "plan_total", {2025: Target(1)}, source_unit=DRC,
                      district_reported=False),
            Indicator("C1", 3, "较大及以上安全事故", "起", "annual", n(0), source_unit=SAFE,
                      reporter_targets={t: {"2022": 0} for t in TOWNS}),
            Indicator("C2", 3, "信访投诉件数", "件", "annual", {2022: Target(1)}, source_unit=SAFE),
            Indicator("C4", 3, "新增安全生产标准化企业", "家", "increment", {2022: Target(30)}, source_unit=SAFE),
        ])


def type_plan(path: Path) -> None:
    """Retype 指标 as a clerk copies the plan: targets in words, 方向 and 可为负数, B3 as a 节点任务."""
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for row in range(2, ws.max_row + 1):
        code = ws.cell(row, col["编码"]).value
        if not code:
            continue
        for year in YEARS:
            ws.cell(row, col[f"{year}年目标"]).value = WORDS.get((code, year))
        ws.cell(row, col["方向"]).value = "越小越好" if code in DOWN else None
        ws.cell(row, col["可为负数"]).value = "是" if code in NEGATIVE else None
        if code == "B3":
            ws.cell(row, col["类型"]).value = "节点任务"
    wb.save(path)


def _env_plan_typed(ws) -> None:
    """The workspace's 计划.xlsx: the environment plan, its words typed by the clerk."""
    export_plan(env_plan(), ws.plan_file)
    type_plan(ws.plan_file)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, workspace_templates):
    ws = workspace_templates.copy(tmp_path_factory.mktemp("env") / "工作区", *TYPED, edit=_env_plan_typed)
    checked = CliRunner().invoke(cli, ["plan", "check", str(ws.plan_file)])
    assert checked.exit_code == 0, checked.output
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    for period, typed in TYPED.items():
        for reporter, form in workspace_templates.forms(ws, period).items():
            values = typed.get(reporter)
            if not values:
                continue
            remarks = {c: t for (p, who, c), t in REMARKS.items() if p == period and who == reporter}
            fill_form(form, ws.inbox / period / form.name, values, names=names,
                      remarks=remarks, signer={"填报人": "李华", "联系电话": "0512-60000001",
                                               "填报日期": date(2022, 7, 6), "填报单位（盖章）": reporter})
    collected = CliRunner().invoke(cli, ["collect", "--json", "-w", str(ws.root)])
    verdicts = json.loads(collected.stdout)
    out = ws.reports / "2022Q2.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", "-p", "2022Q2", "--json", "-o", str(out), "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return ws, plan, verdicts, json.loads(result.stdout), out


def test_the_plan_reads_as_it_was_worded(cycle):
    ws, plan, _, _, _ = cycle
    shown = json.loads(CliRunner().invoke(cli, ["plan", "show", "--json", "-w", str(ws.root)]).stdout)
    by = {i["code"]: i for i in shown["indicators"]}
    assert by["A1"]["direction"] == "down" and by["A1"]["targets"]["2025"] == {"value": 32, "op": "<="}
    assert by["A2"]["targets"]["2022"] == {"value": 85, "op": ">=", "label": "85%左右"}
    assert by["C2"]["targets"]["2022"]["relative"] == {"to": "previous_year", "change": -0.05}
    assert by["B2"]["negative_allowed"] is True and by["C4"]["negative_allowed"] is False
    assert by["B3"]["kind"] == "milestone" and by["B3"]["targets"]["2022"]["due"] == "2022-12"
    assert by["C1"]["targets"]["2022"] == {"value": 0, "op": "<="}


def test_every_form_is_accepted_including_a_negative_rate(cycle):
    _, _, verdicts, _, _ = cycle
    assert {v["status"] for v in verdicts} == {"accepted"}, [v for v in verdicts if v["status"] != "accepted"]


EXPECTED = {"A1": "滞后", "A2": "已完成", "B1": "严重滞后", "B2": "严重滞后", "B3": "序时推进", "C1": "严重滞后",
            "C2": "滞后", "C4": "序时推进"}


def test_every_status_worked_out_by_hand(cycle):
    _, _, _, doc, out = cycle
    by = {i["code"]: i for i in doc["indicators"]}
    assert {c: by[c]["status"] for c in EXPECTED} == EXPECTED
    assert by["A1"]["target"] == pytest.approx(35.6) and by["A1"]["expected"] == pytest.approx(36.0)
    assert by["A1"]["baseline"] == 36.4 and by["A1"]["completion"] is None
    assert by["B1"]["value"] == 27 and by["B1"]["completion"] is None
    assert by["B1"]["progress"] == pytest.approx(27 / 26)
    assert by["B2"]["value"] == -1.2
    assert by["C2"]["target"] == pytest.approx(190) and by["C2"]["value"] == 100
    assert by["B3"]["value"] is None and by["B3"]["milestone"] == {"due": "2022-12", "states": {DRC: "推进中"}}
    # the workbook, read without recalculation, says the same
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("任务分解表").to_python()
    header = next(r for r in rows if "状态" in r)
    names = {i["name"]: i["code"] for i in doc["indicators"]}
    shown = {names[r[header.index("指标")]]: r[header.index("状态")] for r in rows if r[header.index("指标")] in names}
    assert {c: shown[c] for c in EXPECTED} == EXPECTED
    source = {names[r[header.index("指标")]]: r[header.index("数据来源")] for r in rows if r[header.index("指标")] in names}
    assert source["B3"].replace("\n", "") == f"{DRC}（来源单位）"  # its state came from the source unit: not 未报


def test_the_supervision_list_names_the_real_problems(cycle):
    _, _, _, doc, _ = cycle
    items = {(s["code"], s["reporter"]): s for s in doc["supervision"]}
    assert set(items) == {("A1", None), ("B1", None), ("B2", None), ("C1", None), ("C2", None), ("C1", "甲镇")}
    assert items[("A1", None)]["gap"] == pytest.approx(1.0)   # value − X for 越小越好
    assert items[("B1", None)]["gap"] == pytest.approx(14)
    assert items[("C2", None)]["gap"] == pytest.approx(5)
    assert items[("B2", None)]["gap"] == pytest.approx(4.65)  # B = 2021's 3.5: X = 3.45


def test_the_ranking_never_rewards_a_bad_count(cycle):
    ws, plan, _, _, out = cycle
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("区镇进度").to_python()
    start = next(i for i, r in enumerate(rows) if r and r[0] == "区镇" and "排名" in r)
    ranked = {r[0]: (r[1], r[3]) for r in rows[start + 1:start + 4]}
    assert ranked == {"乙镇": (1, pytest.approx(72)), "丙镇": (2, pytest.approx(68)), "甲镇": (3, pytest.approx(40))}


def test_the_texts_speak_of_caps_not_completion(cycle):
    _, _, _, doc, out = cycle
    book = CalamineWorkbook.from_path(str(out))
    brief = "".join(str(c) for r in book.get_sheet_by_name("进展简报").to_python() for c in r)
    assert "能源消费增量（27万吨标准煤，控制目标26万吨标准煤以内，已超出1万吨标准煤，严重滞后）" in brief, brief
    assert "较大及以上安全事故（1起，控制目标为0起（零发生），已超出1起，严重滞后）" in brief
    assert "信访投诉件数（100件，控制目标190件以内，已用52.6%（序时进度50%），滞后）" in brief
    assert "能源消费增量27万吨标准煤，完成" not in brief and "完成年度目标的103" not in brief  # never for a cap
    assert "印发碳达峰实施方案：推进中，应于2022年底前完成" in brief
    notices = "".join(str(c) for r in book.get_sheet_by_name("督办清单").to_python() for c in r)
    assert "控制目标 26万吨标准煤" in notices and "超出 14万吨标准煤" in notices
    notes = "".join(str(c) for r in book.get_sheet_by_name("任务分解表").to_python() for c in r)
    assert "按规划目标线性分解为 35.6微克/立方米" in notes
    assert "“较上年下降5%”：按200（上年实际，2021年度）算得 190件" in notes
    assert "“85%左右”按不低于85%评价" in notes
    # a remark that starts with = stays text
    assert "=上半年新上项目集中投产" in notes or "=上半年新上项目集中投产" in notices


def test_nothing_of_wujiang_in_this_plans_files(cycle):
    ws, _, _, _, out = cycle
    book = CalamineWorkbook.from_path(str(out))
    every = "".join(str(c) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python() for c in r)
    for word in ("吴江", "科技", "四个镇", "产业链", "研发投入"):
        assert word not in every, word


@pytest.mark.soffice
def test_the_milestone_the_caps_and_the_lead_units_print_whole(cycle, soffice_convert, tmp_path):
    """On paper: the 节点任务's state in words (four lines in its narrow column, in a row whose other
    cells need three) and every cap's 期望值 print whole — nothing cut at the cell's edge, no ###."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler) is not installed")
    *_, out = cycle
    [pdf] = soffice_convert([out], "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    book = openpyxl.load_workbook(out)
    sheet = book["任务分解表"]
    heads = {c.value: c.column for c in sheet[4] if c.value}
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, heads["指标"]).value == "印发碳达峰实施方案")
    state = sheet.cell(row, heads["本期完成值"]).value
    assert state == "推进中（2022年底前完成）"
    # the row is as tall as the state's lines need in its column (LibreOffice clips the rest, and a
    # clipped line still reads back from the PDF's text: the height is what keeps it on paper)
    from wjexcel.textmeasure import fit_height

    width = next(d.width for d in sheet.column_dimensions.values()
                 if d.min <= heads["本期完成值"] <= d.max)
    needed = fit_height(state, width)
    assert needed > fit_height("发改委", width)  # the state, not the row's other cells, sets the height
    assert sheet.row_dimensions[row].height >= needed - 0.75  # heights are kept in steps of 0.75 pt
    assert re.sub(r"\s", "", state) in re.sub(r"\s", "", text)
    assert "###" not in text
    # 督办清单's 牵头单位 holds 应急管理局 on one line (its column does not wrap: a fifth character was cut)
    letters = book["督办清单"]
    col = next(c.column for c in letters[3] if c.value == "牵头单位")
    leads = {letters.cell(r, col).value for r in range(4, letters.max_row + 1)} - {None}
    assert "应急管理局" in leads
    width = next(d.width for d in letters.column_dimensions.values() if d.min <= col <= d.max)
    assert all(fit_height(lead, width) == fit_height("", width) for lead in leads), (leads, width)
    # a plan without 明细 lists: its 明细汇总 says so, under a subtitle that fits (no 重复提示 clause)
    assert book["明细汇总"]["A4"].value == "本计划没有明细名单，本表为空。"
    assert "信用代码" not in book["明细汇总"]["A2"].value and "本计划没有明细名单，本表为空。" in text
    # and each unit on one line where its column does not wrap: 微克/立方米, 万吨标准煤
    for name, head_row in (("趋势", 3), ("计划期考核", 3)):
        units_sheet = book[name]
        col = next(c.column for c in units_sheet[head_row] if c.value == "单位")
        units = {units_sheet.cell(r, col).value for r in range(head_row + 1, units_sheet.max_row + 1)} - {None}
        assert {"微克/立方米", "万吨标准煤"} <= units, (name, units)
        width = next(d.width for d in units_sheet.column_dimensions.values() if d.min <= col <= d.max)
        assert all(fit_height(u, width) == fit_height("", width) for u in units), (name, units, width)
