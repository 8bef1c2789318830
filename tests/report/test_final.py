"""定稿 and 更正说明 on real forms: a quarter is 定稿, corrections arrive during the next quarter.

The story (plan: the built-in one; 1-1 科创载体 has 区科技局 as source unit, a split target per
development zone and one for the group 四个镇, which 七都镇 belongs to):

- 2022Q2 forms are generated, filled and collected: 区科技局 1-1 = 5, 吴江开发区 1-1 = 2, the four towns of
  四个镇 1-1 = 0.2 (七都镇) + 0.1 × 3, 人才办 3-1 = 55. ``consolidate --final`` records that report.
- During Q3, Q3's forms are generated; 七都镇 refills its Q2 form (1-1 = 0.6, dated later): collected
  with ``collect --json``; then 区科技局 refills its Q2 form (1-1 = 6): collected by ``run -p 2022Q3``.
- ``consolidate -p 2022Q2`` writes a new file with 更正说明: district 1-1 5 → 6 (区科技局), split 四个镇
  0.5 → 0.9 (七都镇), the reporters' own figures 七都镇 0.2 → 0.6 and 区科技局 5 → 6. The 定稿 file's
  bytes never change.
- A second ``--final`` records version 2; a third, with nothing changed, is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from wjexcel.cli import cli
from wjexcel.demo.fill import fill_form
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace.ledger import Ledger
from wjexcel.workspace.schema import MIGRATIONS, SCHEMA_VERSION

KAIFA, QIDU, KEJI, RENCAI = "吴江开发区", "七都镇", "区科技局", "人才办"
FOUR_TOWNS = {QIDU: 0.2, "桃源镇": 0.1, "震泽镇": 0.1, "平望镇": 0.1}  # the group 四个镇, every member reporting
TYPED = {
    "2022Q2": {KEJI: {"1-1": 5}, KAIFA: {"1-1": 2}, RENCAI: {"3-1": 55},
               **{town: {"1-1": v} for town, v in FOUR_TOWNS.items()}},
    "2022Q3": {KEJI: {"1-1": 8}, KAIFA: {"1-1": 4}, RENCAI: {"3-1": 90},
               **{town: {"1-1": v + 0.1} for town, v in FOUR_TOWNS.items()}},
}
SIGNED = {"2022Q2": date(2022, 7, 8), "2022Q3": date(2022, 10, 8)}
CORRECTED = {QIDU: 0.6, KEJI: 6}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_main(*args):
    """The console script itself (its one-line errors and exit codes): (exit code, stdout + stderr)."""
    proc = subprocess.run([sys.executable, "-m", "wjexcel", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8")
    return proc.returncode, proc.stdout + proc.stderr


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def generate_and_fill(ws, period, names):
    from wjexcel.forms.outbox import generate_forms

    subset = workspace_plan(ws)
    subset.reporters = [r for r in subset.reporters if r.name in TYPED[period]]
    forms = {}
    for form in generate_forms(ws, period, plan=subset).forms:
        fill_form(Path(form.path), ws.inbox / period / Path(form.path).name, TYPED[period][form.reporter],
                  names=names, signer=_signer(form.reporter, SIGNED[period]))
        forms[form.reporter] = Path(form.path)
    return forms


def _signer(reporter, day):
    return {"填报人": "王芳", "联系电话": "0512-63001234", "填报日期": day, "审核人": "李强", "填报单位（盖章）": reporter}


def refill(ws, form: Path, reporter, value, names):
    """The reporter opens last quarter's form again, types the corrected figure, dates it today."""
    dest = ws.inbox / "更正" / f"{reporter}_二季度更正.xlsx"
    dest.parent.mkdir(exist_ok=True)
    fill_form(form, dest, {"1-1": value}, names=names, signer=_signer(reporter, date(2022, 10, 9)))
    return dest


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    from wjexcel.workspace import Workspace

    root = tmp_path_factory.mktemp("final") / "工作区"
    assert invoke("init", root).exit_code == 0  # with its control workbook
    ws = Workspace.open(root)
    names = {i.code: i.name for i in workspace_plan(ws).indicators}
    q2 = generate_and_fill(ws, "2022Q2", names)
    collected = invoke("collect", "--json", "-w", ws.root)
    assert collected.exit_code == 0, collected.output
    first = invoke("consolidate", "-p", "2022Q2", "--final", "--json", "-w", ws.root)
    assert first.exit_code == 0, first.output
    final_doc = json.loads(first.stdout)
    final_file = Path(final_doc["output"])
    final_sha = sha(final_file)

    generate_and_fill(ws, "2022Q3", names)
    refill(ws, q2[QIDU], QIDU, CORRECTED[QIDU], names)
    collect_doc = invoke("collect", "--json", "-w", ws.root)
    assert collect_doc.exit_code == 0, collect_doc.output
    refill(ws, q2[KEJI], KEJI, CORRECTED[KEJI], names)
    run = invoke("run", "-p", "2022Q3", "-w", ws.root)
    assert run.exit_code == 0, run.output
    again = invoke("consolidate", "-p", "2022Q2", "--json", "-w", ws.root)
    assert again.exit_code == 0, again.output
    return {"ws": ws, "final": final_doc, "final_file": final_file, "final_sha": final_sha,
            "collect": json.loads(collect_doc.stdout), "run": run.output, "after": json.loads(again.stdout)}


def test_the_final_report_is_recorded_and_marked(story):
    ws, doc, path = story["ws"], story["final"], story["final_file"]
    assert path.name == "吴江区科技创新三年行动计划_2022Q2_汇总_" + path.name.split("_汇总_")[1]
    assert path.name.endswith("_定稿.xlsx") and path.parent == ws.reports
    assert doc["final"]["file"] == str(path) and doc["final"]["version"] == 1
    assert doc["changes_since_final"] == []
    with Ledger.open(ws) as ledger:
        record = ledger.final("2022Q2")
        figures = {(c, s, n): v for c, s, n, v in ledger.final_figures(record.id)}
        used = ledger.final_submissions(record.id)
        archived = ws.root / record.archive_path
    assert record.sha256 == story["final_sha"] and sha(archived) == record.sha256  # the bytes sent, kept
    assert doc["final"]["at"] == record.made_at.isoformat(timespec="seconds")
    by = {i["code"]: i for i in doc["indicators"]}
    assert figures[("1-1", "indicator", None)] == by["1-1"]["value"] == 5
    assert figures[("1-1", "reporter", QIDU)] == 0.2 and figures[("3-1", "reporter", RENCAI)] == 55
    assert figures[("1-1", "split", "四个镇")] == pytest.approx(sum(FOUR_TOWNS.values()))
    assert figures[("1-1", "split", KAIFA)] == 2
    assert sorted(s.reporter for s in used) == sorted(TYPED["2022Q2"])
    with Ledger.open(ws) as ledger:
        accepted = {s.reporter: s.sha256 for s in ledger.submissions("2022Q2") if s.id in {u.id for u in used}}
    assert {s.reporter: s.sha256 for s in used} == accepted
    # marked on 概览 (red, first lines) and as read-only recommended
    book = openpyxl.load_workbook(path)
    mark = book["概览"]["A3"].value
    assert mark.startswith("【定稿】本表为2022年第二季度的定稿（第1版，") and "今后不再改动" in mark
    assert "更正说明" not in book.sheetnames
    with zipfile.ZipFile(path) as z:
        assert 'readOnlyRecommended="1"' in z.read("xl/workbook.xml").decode()
    # the control workbook was refreshed: it knows 2022Q2 is 定稿
    console = openpyxl.load_workbook(ws.root / "控制台.xlsm")["一键汇总"]["C8"].value
    assert f'"2022Q2","已定稿（第1版，{record.made_at:%Y-%m-%d %H:%M}）"' in console


def test_a_form_for_an_old_period_is_named_in_the_collect_json(story):
    mine = [v for v in story["collect"] if v["file"].endswith(f"{QIDU}_二季度更正.xlsx")]
    assert len(mine) == 1
    v = mine[0]
    assert v["status"] == "accepted" and v["period"] == "2022Q2" and v["reporter"] == QIDU
    assert v["other_period"] == "2022Q2" and v["correction"] is True and v["final_period"] is True
    q3 = [v for v in story["collect"] if v["period"] == "2022Q3"]
    assert len(q3) == len(TYPED["2022Q3"]) and all(v["other_period"] is None and not v["final_period"] for v in q3)


def test_run_names_the_correction_of_a_final_period(story):
    out = story["run"]
    assert "收到文件：本次新收到 1 个，接收 1 个，退回 0 个。" in out
    assert ("其中 1 个不是本期（2022年第三季度）的报表：区科技局 2022年第二季度的更正（已接收，替代此前的版本）。"
            in out)
    assert "2022年第二季度已定稿：区科技局的这份报表已收下存档，定稿的汇总表不会改动；" in out
    assert "下次汇总2022年第二季度时，新汇总表的“更正说明”会列出变化的数字。" in out


EXPECTED = [  # (code, reporter, from, to, scope, who sent the change)
    ("1-1", None, 5, CORRECTED[KEJI], "indicator", [KEJI]),
    ("1-1", "四个镇", sum(FOUR_TOWNS.values()), sum(FOUR_TOWNS.values()) - FOUR_TOWNS[QIDU] + CORRECTED[QIDU], "split",
     [QIDU]),
    ("1-1", QIDU, 0.2, CORRECTED[QIDU], "reporter", [QIDU]),
    ("1-1", KEJI, 5, CORRECTED[KEJI], "reporter", [KEJI]),
]


def test_the_final_file_is_never_touched_and_the_new_one_explains_the_changes(story):
    doc, final = story["after"], story["final"]
    assert sha(story["final_file"]) == story["final_sha"]
    assert doc["output"] != final["output"] and Path(doc["output"]).exists()
    assert doc["final"] == final["final"]
    got = [(c["code"], c["reporter"], c["from"], c["to"], c["scope"], [s["reporter"] for s in c["submissions"]])
           for c in doc["changes_since_final"]]
    assert [(c, r, s, who) for c, r, _, _, s, who in got] == [(c, r, s, who) for c, r, _, _, s, who in EXPECTED]
    assert [(a, b) for _, _, a, b, _, _ in got] == \
        [(pytest.approx(a), pytest.approx(b)) for _, _, a, b, _, _ in EXPECTED]
    for change in doc["changes_since_final"]:
        assert set(change) >= {"code", "reporter", "from", "to"}
        for s in change["submissions"]:
            assert s["file"].endswith(f"{s['reporter']}_二季度更正.xlsx") and s["received_at"]


def _rows(path) -> list[list]:
    """更正说明's data rows as openpyxl and python-calamine read them (they must agree)."""
    sheet = openpyxl.load_workbook(path, data_only=True)["更正说明"]
    by_openpyxl = [[c for c in row] for row in sheet.iter_rows(min_row=4, max_row=3 + len(EXPECTED), values_only=True)]
    by_calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("更正说明").to_python()[3:3 + len(EXPECTED)]
    assert [r[:7] for r in by_openpyxl] == [r[:7] for r in by_calamine]
    return by_openpyxl


def test_the_correction_sheet_reads_back_from_to_and_who(story):
    path = Path(story["after"]["output"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["概览", "更正说明"]
    assert book["概览"]["A3"].value.startswith("【定稿后更正】2022年第二季度已于")
    assert "本表与定稿相比有 4 项数字变化" in book["概览"]["A3"].value
    assert book["更正说明"]["A1"].value.startswith("更正说明（2022年第二季度，对照")
    labels = {None: "全区", "四个镇": "分解目标：四个镇", QIDU: f"{QIDU}报数", KEJI: f"{KEJI}报数"}
    for row, (code, who, before, after, _, senders) in zip(_rows(path), EXPECTED):
        n, name, label, was, now, delta, cause = row[:7]
        assert name == "新建、改建政府主导运营的科创载体面积" and label == labels[who]
        assert (was, now) == (pytest.approx(before), pytest.approx(after)) and delta == pytest.approx(after - before)
        for sender in senders:
            assert f"{sender}：“收回/更正/{sender}_二季度更正.xlsx”" in cause and "替代定稿时的“收回/2022Q2/" in cause
    notes = [c.value for c in book["更正说明"]["A"] if isinstance(c.value, str) and c.value.startswith("对照的定稿")]
    assert notes and story["final_file"].name in notes[0] and "原样保留" in notes[0]


def test_a_second_final_is_a_new_version_and_a_third_is_refused(story, tmp_path):
    ws = story["ws"]
    second = invoke("consolidate", "-p", "2022Q2", "--final", "--json", "-w", ws.root)
    assert second.exit_code == 0, second.output
    doc = json.loads(second.stdout)
    v2 = Path(doc["output"])
    assert v2.name.endswith("_定稿第2版.xlsx") and doc["final"]["version"] == 2 and doc["final"]["file"] == str(v2)
    assert doc["changes_since_final"] == []
    assert doc["corrected_final"]["version"] == 1 and len(doc["corrected_final"]["changes"]) == len(EXPECTED)
    book = openpyxl.load_workbook(v2)
    assert book["概览"]["A3"].value.startswith("【定稿】本表为2022年第二季度的定稿（第2版，")
    assert "更正说明" in book.sheetnames
    v2_sha = sha(v2)
    code, out = run_main("consolidate", "-p", "2022Q2", "--final", "-w", ws.root)
    assert code == 1 and "Traceback" not in out
    assert re.search(r"错误：2022年第二季度已于\S+ \S+定稿（第2版，“汇总/\S+_定稿第2版.xlsx”），此后数字没有变化，不再重复定稿", out)
    assert sha(v2) == v2_sha and sha(story["final_file"]) == story["final_sha"]
    # no consolidate may write over a 定稿 file, even when told to
    code, out = run_main("consolidate", "-p", "2022Q2", "-o", story["final_file"], "-w", ws.root)
    assert code == 1 and "定稿文件不能覆盖" in out and "Traceback" not in out
    assert sha(story["final_file"]) == story["final_sha"]
    # and a report after version 2 compares with version 2: nothing changed
    later = invoke("consolidate", "-p", "2022Q2", "--json", "-o", tmp_path / "之后.xlsx", "-w", ws.root)
    doc = json.loads(later.stdout)
    assert doc["final"]["version"] == 2 and doc["changes_since_final"] == []


def test_the_migration_list_is_consecutive():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.soffice
def test_libreoffice_prints_the_correction_sheet_whole(story, soffice_convert, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    path = Path(story["after"]["output"])
    [pdf] = soffice_convert([path], "pdf", tmp_path)
    # 概览 is one page; 更正说明 is the second sheet and fits on the next page
    page = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s", "", page)
    assert "更正说明（2022年第二季度" in flat and "###" not in page
    overview = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    mark = openpyxl.load_workbook(path)["概览"]["A3"].value
    assert re.sub(r"\s", "", mark) in re.sub(r"\s", "", overview) and "###" not in overview
    for row in _rows(path):
        for cell in row[1:7]:
            assert re.sub(r"\s", "", str(cell if not isinstance(cell, float) else f"{cell:g}")) in flat, cell


def test_a_final_file_changed_by_hand_is_said_so_and_its_sent_bytes_are_kept(tmp_path, make_workspace):
    from tests.report.test_consolidate import NOW, record
    from wjexcel.report.consolidate import consolidate

    ws = make_workspace(name="工作区")
    with Ledger.open(ws) as ledger, ledger.transaction():
        record(ledger, KEJI, "department", "2022Q2", [("1-1", 5, None)])
    first = consolidate(ws, "2022Q2", now=NOW, final=True)
    sent = first.output.read_bytes()
    with open(first.output, "ab") as f:  # someone "just fixes a typo" in the 定稿 and saves it
        f.write(b"\0")
    later = consolidate(ws, "2022Q2", tmp_path / "之后.xlsx", now=NOW)
    with Ledger.open(ws) as ledger:
        kept = ws.root / ledger.final("2022Q2").archive_path
    assert kept.read_bytes() == sent
    text = later.summary_text()
    assert "定稿文件未改动" not in text and f"注意：定稿文件“{ws.relative(first.output)}”已被改动或移走" in text
    notes = [c.value for c in openpyxl.load_workbook(later.output)["更正说明"]["A"] if isinstance(c.value, str)]
    assert any("该文件已被改动或移走；报送时的原件保存在" in n for n in notes)
    assert later.to_json()["final"]["file"] == str(first.output) and later.to_json()["changes_since_final"] == []


def test_a_default_name_taken_by_a_final_gets_another(make_workspace):
    """A 定稿 written under the name the next default report would take: that report goes beside it."""
    from tests.report.test_consolidate import NOW, record
    from wjexcel.report.consolidate import consolidate, default_output

    ws = make_workspace(name="工作区")
    with Ledger.open(ws) as ledger, ledger.transaction():
        record(ledger, KEJI, "department", "2022Q2", [("1-1", 5, None)])
    plain = default_output(ws, workspace_plan(ws), Period.parse("2022Q2"), NOW)
    first = consolidate(ws, "2022Q2", plain, now=NOW, final=True)
    sent = sha(first.output)
    later = consolidate(ws, "2022Q2", now=NOW)
    assert first.output == plain and later.output == plain.with_name(f"{plain.stem}_2{plain.suffix}")
    assert sha(first.output) == sent and "更正说明" in openpyxl.load_workbook(later.output).sheetnames


def test_a_final_never_writes_over_a_file_already_there(tmp_path):
    """After a ledger restored from a backup older than a 定稿, the ledger forgets the 定稿, but the
    file that was sent is still on disk: a new 定稿 takes another name and leaves it as it was."""
    from wjexcel.periods import Period
    from wjexcel.report.final import FinalView, output_path

    target = tmp_path / "计划_2022Q2_汇总_20220712.xlsx"
    sent = target.with_name("计划_2022Q2_汇总_20220712_定稿.xlsx")
    sent.write_bytes(b"the workbook that was sent")
    view = FinalView(Period.parse("2022Q2"), making=1)  # nothing recorded: the ledger was restored
    chosen = output_path(view, target, explicit=False)
    assert chosen != sent and chosen.name == "计划_2022Q2_汇总_20220712_定稿_2.xlsx"
    assert output_path(FinalView(Period.parse("2022Q2")), target, explicit=False) == target  # no 定稿: as named
