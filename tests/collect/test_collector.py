"""Collect on a realistic inbox: every kind of returned file gets the right verdict.

The inbox is built from generated forms, filled like people fill them (openpyxl) and
re-saved by real LibreOffice, plus the junk and hostile files that also arrive.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.collect import crafted
from wjexcel.cli import cli
from wjexcel.collect.collector import collect
from wjexcel.problems import Code
from wjexcel.workspace.ledger import Ledger
from wjexcel.demo.fill import fill_form
from wjexcel.report.status import reminder_text, reporting_status
from wjexcel.periods import Period
from wjexcel.workspace import Workspace
from wjexcel.plan.workbook import workspace_plan

PERIOD = "2022Q4"


@pytest.fixture
def ws(make_workspace):
    """A workspace of this test's own with the 2022Q4 forms generated."""
    return make_workspace(PERIOD)


def form_of(ws, reporter: str) -> Path:
    return next((ws.outbox / PERIOD).glob(f"{PERIOD}_{reporter}_*.xlsx"))


def names(ws):
    return {i.code: i.name for i in workspace_plan(ws).indicators}


SIGNER = {"填报人": "张三", "联系电话": "0512-63001234", "填报日期": date(2022, 10, 8), "审核人": "李四"}


def fill(ws, reporter, dest, values, **kw):
    kw.setdefault("signer", SIGNER)
    return fill_form(form_of(ws, reporter), dest, values, names=names(ws), **kw)


def good_values(ws, reporter):
    plan = workspace_plan(ws)
    return {i.code: (3.4 if i.is_percent else 5) for i in plan.indicators_for(plan.reporter(reporter))}


def inbox_digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def messy_inbox(ws, tmp_path, soffice_convert, xlsx_bomb):
    """Every case of the issue, in one 收回 folder."""
    inbox = ws.inbox
    staging = tmp_path / "staging"
    staging.mkdir()
    # 1. renamed, numbers typed as text
    qidu = good_values(ws, "七都镇")
    qidu.update({"4-1": "1,200", "2-1": "１２", "6-1": "3.6%", "7-1": " 12 "})
    fill(ws, "七都镇", inbox / "七都镇报送（最终版）.xlsx", qidu,
         remarks={"7-2": '=HYPERLINK("http://x.invalid","点击")'})
    # 2. a correction: the first version has a slip, the second is dated later
    taoyuan = good_values(ws, "桃源镇")
    fill(ws, "桃源镇", inbox / "桃源镇.xlsx", dict(taoyuan, **{"4-2": 999}))
    fill(ws, "桃源镇", inbox / "桃源镇（更正）.xlsx", dict(taoyuan, **{"4-2": 99}),
         signer=dict(SIGNER, 填报日期=date(2022, 10, 12)))
    # 3. a bad value
    fill(ws, "震泽镇", inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    # 4. an identical copy
    kaifa = fill(ws, "吴江开发区", inbox / "开发区.xlsx", good_values(ws, "吴江开发区"))
    shutil.copyfile(kaifa, inbox / "开发区(1).xlsx")
    # 5. LibreOffice re-saves: as .xlsx and as old .xls
    fenhu = fill(ws, "汾湖高新区（黎里镇）", staging / "fenhu.xlsx", good_values(ws, "汾湖高新区（黎里镇）"))
    dth = fill(ws, "东太湖度假区（太湖新城）", staging / "dth.xlsx", good_values(ws, "东太湖度假区（太湖新城）"))
    (staging / "lo").mkdir()
    soffice_convert([fenhu], "xlsx", staging / "lo")
    soffice_convert([dth], "xls", staging / "lo")
    shutil.copyfile(staging / "lo" / "fenhu.xlsx", inbox / "汾湖高新区.xlsx")
    shutil.copyfile(staging / "lo" / "dth.xls", inbox / "东太湖.xls")
    # 6. a zip with a Chinese member name and the stamped scan
    shengze = fill(ws, "吴江高新区（盛泽镇）", staging / "shengze.xlsx", good_values(ws, "吴江高新区（盛泽镇）"))
    with zipfile.ZipFile(inbox / "盛泽镇报送.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(shengze, "盛泽/盛泽镇填报表.xlsx")
        zf.writestr("盛泽/盖章扫描件.pdf", b"%PDF-1.4\n%scan\n")
    # 7. tampering: a target (locked cell) edited; a form relabelled as another reporter's
    from openpyxl import load_workbook

    talent = fill(ws, "人才办", staging / "talent.xlsx", good_values(ws, "人才办"))
    wb = load_workbook(talent)
    sheet = wb["指标填报"]
    target_cell = next(c for row in sheet.iter_rows() for c in row
                       if c.protection.locked and isinstance(c.value, (int, float)) and c.value == 130)
    target_cell.value = 13
    wb.save(inbox / "人才办.xlsx")
    tech = fill(ws, "统计局", staging / "stats.xlsx", good_values(ws, "统计局"))
    crafted.forge_reporter(tech, inbox / "税务局.xlsx", "统计局", "税务局")
    # 8. junk, a lock file, a zip bomb
    (inbox / "不是表格.xlsx").write_text("这不是 Excel 文件", encoding="utf-8")
    (inbox / "~$开发区.xlsx").write_bytes(b"\x00" * 165)
    shutil.copyfile(xlsx_bomb, inbox / "炸弹.xlsx")
    return inbox


def by_file(result):
    return {v.file.split("收回/", 1)[-1]: v for v in result.verdicts}


@pytest.mark.soffice
def test_messy_inbox_verdicts_and_nothing_lost(ws, messy_inbox):
    before = inbox_digest(messy_inbox)
    result = collect(ws)
    v = by_file(result)

    assert v["七都镇报送（最终版）.xlsx"].status == "accepted"
    assert v["七都镇报送（最终版）.xlsx"].reporter == "七都镇"
    assert v["桃源镇.xlsx"].status == "superseded"
    assert v["桃源镇（更正）.xlsx"].status == "accepted"
    assert v["震泽镇.xlsx"].status == "rejected"
    assert v["开发区.xlsx"].status == "accepted"
    assert v["开发区(1).xlsx"].status == "duplicate"
    assert v["汾湖高新区.xlsx"].status == "accepted", v["汾湖高新区.xlsx"].problems
    assert v["东太湖.xls"].status == "accepted", v["东太湖.xls"].problems
    assert v["盛泽镇报送.zip/盛泽/盛泽镇填报表.xlsx"].status == "accepted"
    assert v["盛泽镇报送.zip/盛泽/盖章扫描件.pdf"].status == "ignored"
    assert v["人才办.xlsx"].status == "rejected"
    assert v["税务局.xlsx"].status == "rejected"
    assert v["不是表格.xlsx"].status == "rejected"
    assert v["炸弹.xlsx"].status == "rejected"
    assert v["~$开发区.xlsx"].status == "ignored"

    # Every rejection has a Chinese message; value errors name sheet and cell.
    for name in ("震泽镇.xlsx", "人才办.xlsx", "税务局.xlsx", "不是表格.xlsx", "炸弹.xlsx"):
        assert v[name].errors, name
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p.message) for p in v[name].errors)
    bad = v["震泽镇.xlsx"].errors
    assert any(p.sheet == "指标填报" and p.cell and "约12" in p.message for p in bad)
    assert any("签名" in p.message or "改动" in p.message for p in v["人才办.xlsx"].errors)

    # Text-typed numbers are normalised, raw text kept.
    with Ledger.open(ws) as ledger:
        qidu = {x.indicator: x for x in ledger.accepted_values(PERIOD) if x.reporter == "七都镇"}
        assert qidu["4-1"].value == 1200 and qidu["4-1"].raw == "1,200"
        assert qidu["2-1"].value == 12
        assert qidu["6-1"].value == 3.6
        assert qidu["7-2"].remark.startswith("=HYPERLINK")
        taoyuan = {x.indicator: x.value for x in ledger.accepted_values(PERIOD) if x.reporter == "桃源镇"}
        assert taoyuan["4-2"] == 99
        counts = ledger.counts()

    # The 退回 copy marks the bad cell.
    from openpyxl import load_workbook

    copy = ws.returns_dir(PERIOD) / "震泽镇_退回.xlsx"
    assert copy.exists()
    wb = load_workbook(copy)
    assert wb.sheetnames[0] == "退回意见"
    cell = next(p.cell for p in bad if "约12" in p.message)
    assert wb["指标填报"][cell].comment is not None
    assert "约12" in wb["指标填报"][cell].comment.text

    # The inbox is untouched; every byte that arrived is in the archive.
    assert inbox_digest(messy_inbox) == before
    archived = {p.name for p in (ws.state / "archive").rglob("*") if p.is_file()}
    for name, digest in before.items():
        if not name.startswith("~$"):
            assert digest in archived, name

    # A second run changes nothing.
    again = collect(ws)
    assert all(x.unchanged for x in again.verdicts)
    with Ledger.open(ws) as ledger:
        assert ledger.counts() == counts
    assert {k: x.status for k, x in by_file(again).items()} == {k: x.status for k, x in v.items()}

    # status: who reported, who was returned, who is missing.
    st = {s.reporter: s for s in reporting_status(ws, Period.parse(PERIOD))}
    assert st["七都镇"].status == "已报送"
    assert st["桃源镇"].status == "已报送" and st["桃源镇"].versions == 2
    assert st["震泽镇"].status == "已退回"
    assert st["平望镇"].status == "未报送"
    assert st["统计局"].status == "未报送"  # its form was relabelled: it never counted
    text = reminder_text(workspace_plan(ws), Period.parse(PERIOD), list(st.values()))
    assert "平望镇" in text and "震泽镇" in text and "七都镇" not in text


@pytest.mark.soffice
def test_collect_json_contract_and_exit_code(ws, messy_inbox):
    result = CliRunner().invoke(cli, ["collect", "--json", "-w", str(ws.root)])
    assert result.exit_code == 1  # some files were rejected
    data = json.loads(result.stdout)
    assert isinstance(data, list) and data
    codes = vars(Code).values()
    for item in data:
        assert set(item) == {"file", "status", "reporter", "period", "form_id", "errors", "warnings",
                             "reason", "return_copy", "other_period", "correction", "final_period"}
        assert item["status"] in {"accepted", "rejected", "duplicate", "superseded", "ignored"}
        assert item["reason"], f"{item['file']} has a verdict without a reason"
        for p in item["errors"] + item["warnings"]:
            assert set(p) == {"sheet", "cell", "message", "code"}
            assert p["code"] in codes, p
    status = CliRunner().invoke(cli, ["status", "-p", PERIOD, "--json", "-w", str(ws.root)])
    rows = json.loads(status.stdout)
    assert {r["status"] for r in rows} <= {"已报送", "未报送", "已退回"}
    assert {r["reporter"] for r in rows} >= {"七都镇", "统计局"}
    assert all(set(r) == {"reporter", "kind", "status", "versions", "last_received", "deadline", "on_time",
                          "days_late"} for r in rows)


def test_an_older_version_arriving_later_does_not_win(ws):
    vals = good_values(ws, "七都镇")
    fill(ws, "七都镇", ws.inbox / "new.xlsx", dict(vals, **{"4-2": 20}),
         signer=dict(SIGNER, 填报日期=date(2022, 10, 20)))
    collect(ws)
    fill(ws, "七都镇", ws.inbox / "old.xlsx", dict(vals, **{"4-2": 10}),
         signer=dict(SIGNER, 填报日期=date(2022, 10, 1)))
    result = collect(ws)
    v = by_file(result)
    assert v["old.xlsx"].status == "superseded"
    assert v["new.xlsx"].status == "accepted"
    with Ledger.open(ws) as ledger:
        values = {x.indicator: x.value for x in ledger.accepted_values(PERIOD) if x.reporter == "七都镇"}
    assert values["4-2"] == 20


# --- what a reviewer threw at collect ---------------------------------------------------------

def test_links_are_reported_not_followed(ws, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("机密", encoding="utf-8")
    (ws.inbox / "link.xlsx").symlink_to(outside / "secret.txt")
    (ws.inbox / "linkdir").symlink_to(outside, target_is_directory=True)
    v = by_file(collect(ws))
    assert v["link.xlsx"].status == "ignored" and "符号链接" in v["link.xlsx"].note
    assert v["linkdir"].status == "ignored"
    archived = [p.read_bytes() for p in (ws.state / "archive").rglob("*") if p.is_file()]
    assert "机密".encode() not in archived

def test_forms_for_an_earlier_period_are_named_as_late_reports_and_corrections(ws):
    """Q4's forms filled once Q1's are out: accepted into Q4, and said so — never just "接收 2 个"."""
    from wjexcel.forms.outbox import generate_forms

    fill(ws, "平望镇", ws.inbox / "平望镇.xlsx", good_values(ws, "平望镇"))
    first = collect(ws)
    assert first.period == PERIOD and first.period_lines() == []
    assert [v.as_json()["other_period"] for v in first.verdicts] == [None]
    generate_forms(ws, "2023Q1", now=datetime.now() + timedelta(minutes=1))  # the latest forms, whatever the clock
    later = dict(SIGNER, 填报日期=date(2023, 1, 9))
    fill(ws, "七都镇", ws.inbox / "七都镇_补报.xlsx", good_values(ws, "七都镇"), signer=later)
    fill(ws, "平望镇", ws.inbox / "平望镇_更正.xlsx", {**good_values(ws, "平望镇"), "1-1": 7}, signer=later)
    result = collect(ws)
    new = {v.file: v.as_json() for v in result.verdicts if not v.unchanged}
    assert set(new) == {"收回/七都镇_补报.xlsx", "收回/平望镇_更正.xlsx"}
    assert all(v["status"] == "accepted" and v["other_period"] == PERIOD and v["final_period"] is False
               for v in new.values())
    assert new["收回/七都镇_补报.xlsx"]["correction"] is False and new["收回/平望镇_更正.xlsx"]["correction"] is True
    text = result.summary_text()
    assert "共检查 3 个文件（新收到 2 个），已接收 2 个，已被新版本替代 1 个。" in text
    assert "其中 2 个不是本期（2023年第一季度）的报表：" in text
    assert "七都镇 2022年第四季度的补报（已接收）" in text
    assert "平望镇 2022年第四季度的更正（已接收，替代此前的版本）" in text
    assert "已定稿" not in text
    # the period worked on may be named (run names its own): then Q4's forms are this period's
    assert result.period_lines(PERIOD) == [] and len(result.period_lines("2023Q1")) == 1


def test_many_late_forms_are_said_period_by_period_not_one_by_one(ws):
    """Thirteen of last quarter's forms arriving after this quarter's went out: the summary gives a line
    for the period, the reporters of each kind together, not thirteen clauses in one sentence."""
    from wjexcel.forms.outbox import generate_forms

    plan = workspace_plan(ws)
    reporters = [r.name for r in plan.reporters if list((ws.outbox / PERIOD).glob(f"{PERIOD}_{r.name}_*.xlsx"))]
    assert len(reporters) >= 14
    fill(ws, reporters[0], ws.inbox / "first.xlsx", good_values(ws, reporters[0]))
    collect(ws)
    generate_forms(ws, "2023Q1", now=datetime.now() + timedelta(minutes=1))  # the latest forms, whatever the clock
    later = dict(SIGNER, 填报日期=date(2023, 1, 9))
    fill(ws, reporters[0], ws.inbox / "更正.xlsx", {**good_values(ws, reporters[0]), "1-1": 7}, signer=later)
    late = reporters[1:13]
    for name in late:
        fill(ws, name, ws.inbox / f"{name}_补报.xlsx", good_values(ws, name), signer=later)
    result = collect(ws)
    lines = result.period_lines()
    assert lines and lines[0] == "其中 13 个不是本期（2023年第一季度）的报表："
    assert len(lines) == 2, result.summary_text()
    head, _, said = lines[1].partition("：")
    assert head == "  2022年第四季度 13 个" and said.endswith("。") and len(lines) == 2
    assert set(said[:-1].split("；")) == {f"{reporters[0]}的更正（已接收，替代此前的版本）",
                                         "、".join(late[:10]) + "等 12 个单位的补报（已接收）"}
    assert "\n".join(lines) in result.summary_text()
    assert not any(name in result.summary_text() for name in late[10:])  # beyond ten: counted, not named


def test_an_undecodable_file_name_does_not_stop_the_run(ws):
    import os

    fill(ws, "七都镇", ws.inbox / "ok.xlsx", good_values(ws, "七都镇"))
    bad = os.path.join(os.fsencode(ws.inbox), b"bad\xff\xfename.xlsx")
    with open(bad, "wb") as fh:
        fh.write((ws.inbox / "ok.xlsx").read_bytes()[:100])
    result = collect(ws)
    statuses = {Path(x.file).name: x.status for x in result.verdicts}
    assert statuses["ok.xlsx"] == "accepted"
    assert len(result.verdicts) == 2
    assert all(x.file.encode("utf-8") for x in result.verdicts)  # storable and printable
    assert CliRunner().invoke(cli, ["collect", "--json", "-w", str(ws.root)]).exit_code == 0


def test_a_huge_file_is_archived_unopened(ws):
    from wjexcel.collect.preflight import MAX_FILE_BYTES

    big = ws.inbox / "巨大.xlsx"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    v = by_file(collect(ws))["巨大.xlsx"]
    assert v.status == "rejected" and "文件过大" in v.errors[0].message
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    assert (ws.state / "archive" / digest[:2] / digest).stat().st_size == MAX_FILE_BYTES + 1


def test_a_form_from_another_workspace_is_named_as_such(ws, make_workspace, forms_of):
    form = forms_of(make_workspace(PERIOD, name="other", key="other"))["桃源镇"]
    fill_form(Path(form), ws.inbox / "桃源镇.xlsx", good_values(ws, "桃源镇"), names=names(ws), signer=SIGNER)
    v = by_file(collect(ws))["桃源镇.xlsx"]
    assert v.status == "rejected"
    assert "不是本工作区发出的" in v.errors[0].message


def test_an_impossible_date_does_not_decide_the_newest_version(ws):
    vals = good_values(ws, "平望镇")
    fill(ws, "平望镇", ws.inbox / "a.xlsx", dict(vals, **{"4-2": 1}), signer=dict(SIGNER, 填报日期=date(2032, 10, 8)))
    collect(ws)
    fill(ws, "平望镇", ws.inbox / "b更正.xlsx", dict(vals, **{"4-2": 2}),
         signer=dict(SIGNER, 填报日期=date(2022, 10, 25)))
    result = collect(ws)
    v = by_file(result)
    assert v["b更正.xlsx"].status == "accepted"
    assert v["a.xlsx"].status == "superseded" and "b更正.xlsx" in v["a.xlsx"].note
    with Ledger.open(ws) as ledger:
        first = next(s for s in ledger.submissions(PERIOD) if s.file.endswith("a.xlsx"))
        problems = [p.message for p in ledger.problems_of(first.id)]
    assert any("2032-10-08 晚于今天" in m for m in problems)


def test_exit_code_counts_only_what_this_run_rejected(ws):
    (ws.inbox / "junk.xlsx").write_text("不是表格", encoding="utf-8")
    assert CliRunner().invoke(cli, ["collect", "-w", str(ws.root)]).exit_code == 1
    again = CliRunner().invoke(cli, ["collect", "-w", str(ws.root)])
    assert again.exit_code == 0 and "此前已退回的文件：收回/junk.xlsx（" in again.output
    assert "被退回的文件" not in again.output and "退回表已写入" not in again.output  # nothing was returned now


def test_a_second_collect_says_the_return_copy_was_written_before_not_now(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", dict(good_values(ws, "七都镇"), **{"7-1": "约12"}))
    first = collect(ws).summary_text()
    assert "被退回的文件：收回/七都镇.xlsx（" in first and "退回表已写入“汇总/退回”文件夹" in first
    second = collect(ws).summary_text().splitlines()
    assert second[-1].startswith("此前已退回的文件：收回/七都镇.xlsx（") and second[-1].endswith("）。退回表是那时写的，仍在“汇总/退回”文件夹。")
    assert not any("退回表已写入" in line or line.startswith("被退回的文件") for line in second)


def test_status_refuses_a_period_outside_the_plan(ws):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "wjexcel", "status", "-p", "2025", "-w", str(ws.root)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2 and "2025年不在计划年度（2021-2023）内" in proc.stderr


def test_zips_with_gbk_names_nesting_and_mac_junk(ws, tmp_path):
    from tests.collect.test_preflight import _zip_with_gbk_names

    qidu = fill(ws, "七都镇", tmp_path / "qidu.xlsx", good_values(ws, "七都镇"))
    taoyuan = fill(ws, "桃源镇", tmp_path / "taoyuan.xlsx", good_values(ws, "桃源镇"))
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.write(taoyuan, "桃源镇.xlsx")
    _zip_with_gbk_names(ws.inbox / "各镇报表.zip", [
        ("七都/七都镇.xlsx", qidu.read_bytes()),
        ("更多.zip", inner.read_bytes()),
        ("__MACOSX/._七都镇.xlsx", b"junk"),
    ])
    v = by_file(collect(ws))
    assert v["各镇报表.zip/七都/七都镇.xlsx"].status == "accepted"
    assert v["各镇报表.zip/更多.zip/桃源镇.xlsx"].status == "accepted"
    junk = v["各镇报表.zip/__MACOSX/._七都镇.xlsx"]
    assert junk.status == "ignored" and "__MACOSX" in junk.note
    again = by_file(collect(ws))  # a second run opens nothing and reports every member again
    assert {name: x.status for name, x in again.items()} == {name: x.status for name, x in v.items()}
    assert all(x.unchanged for x in again.values())


def test_zips_nested_too_deep_bombs_and_escaping_names_are_rejected(ws, tmp_path, xlsx_bomb):
    current = fill(ws, "七都镇", tmp_path / "form.xlsx", good_values(ws, "七都镇"))
    for level in range(3):
        archive = tmp_path / f"level{level}.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.write(current, current.name)
        current = archive
    shutil.copyfile(current, ws.inbox / "套娃.zip")
    bomb = ws.inbox / "炸弹.zip"
    with zipfile.ZipFile(xlsx_bomb) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        info = src.getinfo("xl/worksheets/sheet1.xml")
        with src.open(info) as inner, out.open("sheet.xml", "w", force_zip64=True) as dest:
            for _ in range(200):
                dest.write(inner.read(1024 * 1024))
    with zipfile.ZipFile(ws.inbox / "越界.zip", "w") as z:
        z.writestr("../evil.xlsx", b"x")
    v = by_file(collect(ws))
    deepest = next(x for name, x in v.items() if name.startswith("套娃.zip/") and name.endswith("level0.zip"))
    assert deepest.status == "rejected" and "嵌套超过 2 层" in deepest.errors[0].message
    assert v["炸弹.zip"].status == "rejected" and "超过上限" in v["炸弹.zip"].errors[0].message
    assert v["越界.zip"].status == "rejected"
    assert not (ws.root / "evil.xlsx").exists() and not (ws.inbox.parent / "evil.xlsx").exists()
    # A second run applies the same rules: the form three levels down is never accepted.
    again = by_file(collect(ws))
    assert not any(x.status == "accepted" for x in again.values())
    nested = [name for name in v if name.startswith("套娃.zip")]
    assert len(nested) == 3 and [again[n].status for n in nested] == [v[n].status for n in nested]


def test_one_rendering_of_the_reporting_status(ws, tmp_path):
    """``wjexcel status`` and the 查看报送情况 button show the same text."""
    from wjexcel.excel.buttons import ACTION_BY_SHEET, run_action

    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    fill(ws, "震泽镇", ws.inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    collect(ws)
    cli_text = CliRunner().invoke(cli, ["status", "-p", PERIOD, "-w", str(ws.root)]).output
    button = run_action(ACTION_BY_SHEET["查看报送情况"], {"period": PERIOD}, ws.root)
    assert "\n".join(button[2:]) == cli_text.rstrip("\n")
    first = cli_text.splitlines()[0]
    assert first.startswith("报送情况（2022年第四季度）：19 家单位中已报送 1 家，已退回待改 1 家（震泽镇），未报送 17 家")
    assert "【催报】" in cli_text and "震泽镇" in cli_text.split("【催报】")[1]


def test_two_returned_files_of_one_name_get_two_return_copies(ws):
    """收回/邮件1/七都镇.xlsx and 收回/邮件2/七都镇.xlsx: neither 退回 copy overwrites the other,
    and the ledger knows which copy belongs to which file."""
    for folder, bad in (("邮件1", "约12"), ("邮件2", "12个左右")):
        fill(ws, "七都镇", ws.inbox / folder / "七都镇.xlsx", dict(good_values(ws, "七都镇"), **{"7-1": bad}))
    v = by_file(collect(ws))
    first, second = v["邮件1/七都镇.xlsx"], v["邮件2/七都镇.xlsx"]
    assert first.status == second.status == "rejected"
    assert first.return_copy == "汇总/退回/2022Q4/七都镇_退回.xlsx"
    assert second.return_copy == "汇总/退回/2022Q4/七都镇_退回_2.xlsx"
    from openpyxl import load_workbook

    for verdict, typed in ((first, "约12"), (second, "12个左右")):
        sheet = load_workbook(ws.root / verdict.return_copy)["退回意见"]
        assert verdict.file in sheet["A2"].value
        assert any(typed in str(c.value) for row in sheet.iter_rows() for c in row)
    with Ledger.open(ws) as ledger:
        assert ledger.return_copy(first.submission_id) == first.return_copy
        assert ledger.return_copy(second.submission_id) == second.return_copy
    again = by_file(collect(ws))  # the same copies are named again, nothing new is written
    assert again["邮件2/七都镇.xlsx"].return_copy == second.return_copy
    assert sorted(p.name for p in (ws.root / "汇总/退回/2022Q4").iterdir()) == ["七都镇_退回.xlsx", "七都镇_退回_2.xlsx"]


@pytest.mark.soffice
def test_an_xls_return_copy_never_holds_collect_for_long(ws, tmp_path, soffice_convert):
    """LibreOffice gets a bounded time to turn an .xls into a marked 退回 copy; past it the copy
    lists the problems unmarked and says why."""
    from openpyxl import load_workbook

    from wjexcel.collect.returns import write_return_copy

    bad = fill(ws, "震泽镇", tmp_path / "zhenze.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    xls = soffice_convert([bad], "xls", tmp_path / "lo")[0]
    shutil.copy(xls, ws.inbox / "震泽镇.xls")
    verdict = by_file(collect(ws))["震泽镇.xls"]
    assert verdict.status == "rejected" and verdict.return_copy
    marked = load_workbook(ws.root / verdict.return_copy)
    assert marked["退回意见"]["A3"].value is None  # converted in time: the cells are marked
    target = tmp_path / "out" / "退回.xlsx"
    write_return_copy(target, verdict, xls.read_bytes(), "xls", convert_seconds=0.01)
    note = load_workbook(target)["退回意见"]["A3"].value
    assert "0 秒内没有完成" in note and "请对照下列意见修改原表" in note


@pytest.mark.soffice
def test_worker_processes_give_the_same_verdicts_and_ledger(ws, messy_inbox, tmp_path):
    """Files read ahead in two worker processes are judged and recorded exactly as one process does."""
    twin = Workspace(shutil.copytree(ws.root, tmp_path / "twin"))
    alone, shared = collect(ws, workers=1), collect(twin, workers=2)

    def summary(result):
        return [(v.file, v.status, v.reporter, v.period, v.form_id, [(p.code, p.sheet, p.cell) for p in v.problems],
                 v.note, v.return_copy) for v in result.verdicts]

    assert summary(shared) == summary(alone)
    assert {v.status for v in alone.verdicts} >= {"accepted", "rejected", "duplicate", "ignored"}
    for one, other in ((ws, twin),):
        with Ledger.open(one) as a, Ledger.open(other) as b:
            assert [(x.reporter, x.indicator, x.value, x.remark) for x in a.accepted_values(PERIOD)] == \
                   [(x.reporter, x.indicator, x.value, x.remark) for x in b.accepted_values(PERIOD)]
    assert summary(collect(twin, workers=2)) == summary(collect(ws, workers=1))  # and again: nothing new


from wjexcel.collect import readahead as _readahead  # noqa: E402

_REAL_READ_JOB = _readahead.read_job


def _job_that_kills_its_worker(context, job):
    """A stand-in for a reader crash (calamine aborting): the worker reading 七都镇 dies."""
    import os

    if "七都镇" in job[0]:
        os._exit(3)
    return _REAL_READ_JOB(context, job)


def test_a_file_that_kills_its_worker_is_read_the_careful_way(ws, monkeypatch):
    for reporter in ("七都镇", "桃源镇", "震泽镇", "平望镇"):
        fill(ws, reporter, ws.inbox / f"{reporter}.xlsx", good_values(ws, reporter))
    monkeypatch.setattr(_readahead, "read_job", _job_that_kills_its_worker)
    from wjexcel.collect import fastread

    fast = fastread.read

    def never_again(data, label, *args):  # the way that crashed is not taken again, in this process
        assert "七都镇" not in label
        return fast(data, label, *args)

    monkeypatch.setattr(fastread, "read", never_again)
    result = collect(ws, workers=2)
    # 七都镇 accepted: its job killed a worker (here it would have killed this process), and read
    # here the fast way it would have failed never_again; only the careful way is left
    assert {v.file.split("/")[-1]: v.status for v in result.verdicts} == {
        f"{r}.xlsx": "accepted" for r in ("七都镇", "桃源镇", "震泽镇", "平望镇")}
    with Ledger.open(ws) as ledger:
        assert {x.reporter for x in ledger.accepted_values(PERIOD)} == {"七都镇", "桃源镇", "震泽镇", "平望镇"}
    assert not list(ws.archive.rglob("*.part"))  # what the broken pool's workers had written ahead is gone
    assert len([p for p in ws.archive.rglob("*") if p.is_file()]) == 4


@pytest.mark.soffice
def test_the_return_copy_and_the_manifest_print_in_chinese_words(ws, tmp_path, soffice_convert):
    """What a town reads on paper: the 退回 copy's title names the period as 2022年第四季度, not
    2022Q4, and the 分发清单 gives the time as 2022年10月8日 10:32, not an ISO timestamp."""
    import re
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", dict(good_values(ws, "七都镇"), **{"7-1": "约12"}))
    verdict = by_file(collect(ws))["七都镇.xlsx"]
    assert verdict.status == "rejected"
    manifest = ws.outbox / PERIOD / f"分发清单_{PERIOD}.xlsx"
    copy_pdf, manifest_pdf = soffice_convert([ws.root / verdict.return_copy, manifest], "pdf", tmp_path / "pdf")
    copy_text, manifest_text = (subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True,
                                               text=True, check=True).stdout for p in (copy_pdf, manifest_pdf))
    assert "退回修改意见：七都镇 2022年第四季度" in copy_text
    assert "2022Q4" not in copy_text.split("\n")[0]
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d", manifest_text), manifest_text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", manifest_text)
