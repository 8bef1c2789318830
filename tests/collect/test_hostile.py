"""What a hostile inbox showed (issue 11): each defect and each wrong message, on a crafted file.

Every file is made in the test from a generated form or a plain workbook (see
``tests/collect/crafted.py``). The command line runs in a child process where it matters
that stdout and stderr are the real file descriptors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.collect import crafted
from tests.collect.test_collector import PERIOD, by_file, fill, good_values, ws  # noqa: F401
from wjexcel.collect.check import check_files
from wjexcel.collect.collector import collect
from wjexcel.collect.preflight import preflight
from wjexcel.problems import Code
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger

EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z]*(Error|Exception|Warning)\b")


def cli(*args, timeout: float = 300, env=None) -> subprocess.CompletedProcess:
    """``wjexcel ARGS`` as a clerk runs it: a new process, real stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "wjexcel", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, env={**os.environ, **(env or {})})


def folder_bytes(folder: Path) -> int:
    """What received files cost the state folder (the ledger's rolling backups, a bounded copy, aside)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and "backups" not in p.parts)


def value_cell(ws, code: str) -> str:
    """Where the value of indicator ``code`` is typed on 七都镇's form (as a person finds it)."""
    from openpyxl import load_workbook

    from tests.collect.test_collector import form_of, names
    from wjexcel.demo.fill import FORM_SHEET, find_inputs

    name = names(ws)[code]
    return find_inputs(load_workbook(form_of(ws, "七都镇"))[FORM_SHEET], [name])[name].value


# --- defect 1: a library's print -------------------------------------------------------------

def test_nothing_but_json_reaches_stdout_whatever_a_library_prints(ws, tmp_path):
    crafted.prints_when_opened(ws.inbox / "样式损坏.xlsx", tmp_path)
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"))
    run = cli("collect", "--json", "-w", ws.root)
    data = json.loads(run.stdout)  # openpyxl's "0 is out of range" would come first
    verdicts = {Path(v["file"]).name: v for v in data}
    assert verdicts["样式损坏.xlsx"]["status"] == "rejected" and verdicts["七都镇.xlsx"]["status"] == "accepted"
    assert "out of range" not in run.stderr
    assert "0 is out of range" in (ws.state / "logs" / "debug.log").read_text(encoding="utf-8")
    checked = cli("check", "--json", ws.inbox / "样式损坏.xlsx", "-w", ws.root)
    assert [r["status"] for r in json.loads(checked.stdout)] == ["error"]


# --- defect 3: unexpected exceptions ---------------------------------------------------------

SENTINEL = 1357  # a plausible 4-1 value, replaced in the XML by an absurd one


@pytest.fixture
def broken_metadata(ws, tmp_path):
    """Forms whose hidden metadata or XML a person (or a program) broke in ways no form has."""
    base = fill(ws, "七都镇", tmp_path / "base.xlsx", dict(good_values(ws, "七都镇"), **{"4-1": SENTINEL}))
    inbox = ws.inbox
    crafted.with_meta(base, inbox / "签名范围缺失.xlsx", "signed", delete=True)
    crafted.with_meta(base, inbox / "签名范围嵌套.xlsx", "signed", "[" * 100_000 + "]" * 100_000)
    crafted.with_meta(base, inbox / "签名范围错乱.xlsx", "signed", '{"指标填报": {"range": 5}}')
    crafted.with_meta(base, inbox / "签名单元格错乱.xlsx", "signed", '{"指标填报": {"range": "甲1:乙2"}}')
    # a signed range of the whole sheet, 17 billion cells: refused at once, never walked
    crafted.with_meta(base, inbox / "签名范围巨大.xlsx", "signed", '{"指标填报": {"range": "A1:XFD1048576"}}')
    crafted.with_meta(base, inbox / "期间越界.xlsx", "period", "../../../逃逸")
    crafted.with_raw_number(base, inbox / "四百位数字.xlsx", SENTINEL, "9" * 400)
    return base


def test_each_broken_file_is_its_own_located_verdict(ws, tmp_path, broken_metadata):
    v = by_file(collect(ws))
    for name in ("签名范围缺失.xlsx", "签名范围嵌套.xlsx", "签名范围错乱.xlsx", "签名单元格错乱.xlsx", "签名范围巨大.xlsx",
                 "期间越界.xlsx"):
        assert v[name].status == "rejected", name
        assert v[name].errors[0].code == Code.SIGNATURE_INVALID, (name, v[name].errors)  # the real reason
    huge = v["四百位数字.xlsx"]
    assert huge.status == "rejected" and Code.FILE_INTERNAL not in {p.code for p in huge.problems}
    located = [p for p in huge.errors if p.cell == value_cell(ws, "4-1")]
    assert located and located[0].sheet == "指标填报" and located[0].code.startswith("value.")
    # A forged period names no folder: no 退回 copy is written anywhere outside the workspace.
    assert v["期间越界.xlsx"].return_copy is None
    assert not (tmp_path / "逃逸").exists() and not (ws.root / "逃逸").exists()
    assert all(Code.FILE_INTERNAL not in {p.code for p in x.problems} for x in v.values())


def test_check_goes_on_after_a_broken_file(ws, tmp_path, broken_metadata):
    good = fill(ws, "桃源镇", tmp_path / "桃源镇.xlsx", good_values(ws, "桃源镇"))
    files = sorted(ws.inbox.iterdir()) + [good]
    results = check_files(files, ws.root)
    assert [r.file for r in results] == [f.name for f in files]
    assert not any(p.code == Code.FILE_INTERNAL for r in results for p in r.problems)
    assert not results[-1].has_errors
    run = cli("check", "--json", *files, "-w", ws.root)
    assert len(json.loads(run.stdout)) == len(files) and "Traceback" not in run.stderr


def test_the_debug_log_is_written_and_the_screen_stays_clean(ws):
    """汇总 is a file, so no 退回 copy can be written: that is logged, never shown."""
    shutil.rmtree(ws.reports)
    ws.reports.write_text("不是文件夹", encoding="utf-8")
    fill(ws, "震泽镇", ws.inbox / "震泽镇.xlsx", dict(good_values(ws, "震泽镇"), **{"7-1": "约12"}))
    run = cli("collect", "-w", ws.root)
    assert run.returncode == 1 and "震泽镇.xlsx" in run.stdout
    assert "WARNING" not in run.stderr and "Traceback" not in run.stderr
    log = (ws.state / "logs" / "debug.log").read_text(encoding="utf-8").splitlines()
    assert any(" WARNING wjexcel." in line and "收回/震泽镇.xlsx" in line for line in log)
    fill(ws, "平望镇", ws.inbox / "平望镇.xlsx", dict(good_values(ws, "平望镇"), **{"7-1": "约12"}))
    loud = cli("--debug", "collect", "-w", ws.root)
    assert any(line.startswith("WARNING wjexcel.") and "收回/平望镇.xlsx" in line for line in loud.stderr.splitlines())


# --- defect 4: a pipe in 收回 ---------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_is_reported_and_never_opened(ws):
    fill(ws, "七都镇", ws.inbox / "a七都镇.xlsx", good_values(ws, "七都镇"))
    os.mkfifo(ws.inbox / "管道.xlsx")
    fill(ws, "桃源镇", ws.inbox / "z桃源镇.xlsx", good_values(ws, "桃源镇"))
    run = cli("collect", "--json", "-w", ws.root, timeout=120)  # opening the pipe would block forever
    v = {Path(x["file"]).name: x for x in json.loads(run.stdout)}
    assert v["管道.xlsx"]["status"] == "ignored" and "管道" in v["管道.xlsx"]["reason"]
    assert v["a七都镇.xlsx"]["status"] == v["z桃源镇.xlsx"]["status"] == "accepted"
    checked = cli("check", "--json", ws.inbox / "管道.xlsx", ws.inbox / "a七都镇.xlsx", "-w", ws.root, timeout=120)
    pipe, form = json.loads(checked.stdout)
    assert pipe["status"] == "error" and "管道" in pipe["errors"][0]["message"] and form["status"] == "ok"


# --- defect 5: a GBK file name in a UTF-8 folder ------------------------------------------------

def test_a_gbk_file_name_keeps_its_folder_name(ws, tmp_path):
    folder = ws.inbox / "邮件附件"
    folder.mkdir()
    form = fill(ws, "七都镇", tmp_path / "七都镇.xlsx", good_values(ws, "七都镇"))
    crafted.gbk_named(folder, "七都镇.xlsx", form.read_bytes())
    result = collect(ws)
    assert [v.file for v in result.verdicts] == ["收回/邮件附件/七都镇.xlsx"]
    assert result.verdicts[0].status == "accepted"
    with Ledger.open(ws) as ledger:
        assert [s.file for s in ledger.submissions()] == ["收回/邮件附件/七都镇.xlsx"]
    assert all(v.unchanged for v in collect(ws).verdicts)


# --- defect 6: archives not called .zip ---------------------------------------------------------

def test_an_archive_without_a_zip_name_lists_its_members_on_every_run(ws, tmp_path):
    qidu = fill(ws, "七都镇", tmp_path / "q.xlsx", good_values(ws, "七都镇"))
    taoyuan = fill(ws, "桃源镇", tmp_path / "t.xlsx", good_values(ws, "桃源镇"))
    crafted.zip_of(ws.inbox / "附件", {"七都镇.xlsx": qidu.read_bytes()})
    crafted.zip_of(ws.inbox / "报表.numbers", {"桃源镇.xlsx": taoyuan.read_bytes()})
    first, second = by_file(collect(ws)), by_file(collect(ws))
    for name in ("附件/七都镇.xlsx", "报表.numbers/桃源镇.xlsx"):
        assert first[name].status == second[name].status == "accepted"
    assert set(first) == set(second) and all(v.unchanged for v in second.values())


# --- defect 7: nested zips and the disk -----------------------------------------------------------

def test_nested_attachments_are_kept_as_received_and_inflated_once(ws, tmp_path):
    attachment, inflated = crafted.nested_attachment(ws.inbox / "邮件附件.zip", tmp_path)
    size = attachment.stat().st_size
    assert inflated > 30 * size  # the case: six zips whose members shrink about 40 times
    before = folder_bytes(ws.state)
    labels: list[str] = []
    first = collect(ws, progress=lambda done, total, label: labels.append(label))
    grown = folder_bytes(ws.state) - before
    assert grown < size + 512 * 1024, f"the state folder grew by {grown} bytes for a {size}-byte attachment"
    members = [v for v in first.verdicts if v.file.endswith(".xlsx")]
    assert len(members) == 12 and all(v.status == "rejected" and v.note for v in members)  # workbooks, not forms
    assert any(label.endswith("第6批.zip/附表6-2.xlsx") for label in labels)  # progress names each member
    again_labels: list[str] = []
    second = collect(ws, progress=lambda done, total, label: again_labels.append(label))
    assert folder_bytes(ws.state) - before == grown
    assert all(v.unchanged for v in second.verdicts) and len(second.verdicts) == len(first.verdicts)
    assert again_labels == ["收回/邮件附件.zip", ""]  # nothing inside was read again


def test_one_run_inflates_at_most_its_budget_and_the_next_run_goes_on(ws, tmp_path):
    _, inflated = crafted.nested_attachment(ws.inbox / "附件.zip", tmp_path, inner_zips=3, per_zip=2)
    # A budget for one inner zip and a little more (not two): a third exactly would leave whether
    # the last member of a batch fits to the few bytes a workbook's timestamps vary by.
    budget = inflated * 5 // 12
    runs = [collect(ws, inflate_budget=budget) for _ in range(4)]
    first = runs[0]
    waiting = [v for v in first.verdicts if v.deferred]
    assert waiting and all(v.status is Verdict.DEFERRED and "留待下次" in v.note for v in waiting)
    assert all(v.as_json()["status"] == "ignored" for v in waiting)  # collect --json as docs/规格说明.md §5.5
    assert all(f"已达 {budget / (1 << 20):.3g} MB 的上限" in v.note for v in waiting)  # the budget it had
    assert all([p.code for p in v.warnings] == [Code.FILE_DEFERRED] for v in waiting)
    assert "留待下次检查的文件" in first.summary_text()
    assert not runs[-1].deferred
    with Ledger.open(ws) as ledger:
        files = [s.file for s in ledger.submissions()]
    judged = [f for f in files if f.endswith(".xlsx")]
    assert len(judged) == len(set(judged)) == 6  # every workbook judged, once


def test_a_run_out_of_time_leaves_the_rest_for_the_next_run(ws, tmp_path):
    forms = {r: fill(ws, r, tmp_path / f"{r}.xlsx", good_values(ws, r)) for r in ("七都镇", "桃源镇", "震泽镇", "平望镇")}
    crafted.zip_of(ws.inbox / "两镇.zip", {f"{r}.xlsx": forms[r].read_bytes() for r in ("七都镇", "桃源镇")})
    for n, r in enumerate(("震泽镇", "平望镇")):
        shutil.copy(forms[r], ws.inbox / f"{r}.xlsx")
        os.utime(ws.inbox / f"{r}.xlsx", (2_000_000_000 + n, 2_000_000_000 + n))  # after the zip
    first = collect(ws, time_budget=0)  # out of time at once: only the first file is judged
    v = by_file(first)
    assert v["两镇.zip/七都镇.xlsx"].status == "accepted"
    assert [name for name, x in v.items() if x.deferred] == ["两镇.zip/桃源镇.xlsx", "震泽镇.xlsx", "平望镇.xlsx"]
    assert "留待下次检查的文件" in first.summary_text() and "震泽镇.xlsx" in first.summary_text()
    with Ledger.open(ws) as ledger:
        assert not any(s.file.endswith(("桃源镇.xlsx", "震泽镇.xlsx", "平望镇.xlsx")) for s in ledger.submissions())
    second = by_file(collect(ws, time_budget=0))
    assert second["两镇.zip/七都镇.xlsx"].unchanged and second["两镇.zip/桃源镇.xlsx"].status == "accepted"
    assert second["震泽镇.xlsx"].deferred
    final = by_file(collect(ws))
    assert all(x.status == "accepted" for name, x in final.items() if name.endswith(".xlsx"))
    assert not any(x.deferred for x in by_file(collect(ws)).values())
    with Ledger.open(ws) as ledger:
        files = [s.file for s in ledger.submissions()]
    assert len(files) == len(set(files)) == 5


def test_a_nested_archive_cut_short_is_taken_up_where_it_stopped(ws, tmp_path):
    forms = [fill(ws, r, tmp_path / f"{r}.xlsx", good_values(ws, r)) for r in ("七都镇", "桃源镇", "震泽镇")]
    inner = crafted.zip_of(tmp_path / "内层.zip", {f"{n}.xlsx": f.read_bytes() for n, f in enumerate(forms)})
    crafted.zip_of(ws.inbox / "外层.zip", {"内层.zip": inner.read_bytes()})
    budget = inner.stat().st_size + forms[0].stat().st_size + 100
    first = by_file(collect(ws, inflate_budget=budget))  # the inner zip and its first form fit in the budget
    assert first["外层.zip/内层.zip/0.xlsx"].status == "accepted"
    assert first["外层.zip/内层.zip/1.xlsx"].deferred and first["外层.zip/内层.zip/2.xlsx"].deferred
    late = fill(ws, "平望镇", ws.inbox / "平望镇.xlsx", good_values(ws, "平望镇"))
    os.utime(late, (1_000_000_000, 1_000_000_000))  # read before the archive
    second = by_file(collect(ws, time_budget=0, inflate_budget=budget))  # out of time once 平望镇 is judged
    assert second["平望镇.xlsx"].status == "accepted"
    assert second["外层.zip/内层.zip"].deferred and "留待下次" in second["外层.zip/内层.zip"].note
    assert second["外层.zip/内层.zip/0.xlsx"].unchanged
    third = by_file(collect(ws))
    assert [third[f"外层.zip/内层.zip/{n}.xlsx"].status for n in range(3)] == ["accepted"] * 3
    assert not any(v.deferred for v in third.values())
    assert all(v.unchanged for v in by_file(collect(ws)).values())
    with Ledger.open(ws) as ledger:
        files = [s.file for s in ledger.submissions()]
    assert len(files) == len(set(files)) == 6  # two archives, four forms: each once


# --- messages --------------------------------------------------------------------------------------

def test_unusual_but_genuine_files_are_read_or_named_for_what_they_are(ws, tmp_path):
    taoyuan = fill(ws, "桃源镇", tmp_path / "t.xlsx", good_values(ws, "桃源镇"))
    zhenze = fill(ws, "震泽镇", tmp_path / "z.xlsx", good_values(ws, "震泽镇"))
    crafted.with_backslash_names(taoyuan, ws.inbox / "桃源镇.xlsx")
    crafted.with_moved_workbook_part(zhenze, ws.inbox / "震泽镇.xlsx")
    crafted.xlsb(ws.inbox / "七都镇.xlsb")
    crafted.spreadsheetml_2003(ws.inbox / "平望镇.xml")
    crafted.encrypted_ods(ws.inbox / "黎里镇.ods")
    result = collect(ws)
    v = by_file(result)
    assert v["桃源镇.xlsx"].status == v["震泽镇.xlsx"].status == "accepted"
    assert len(result.verdicts) == 5  # the .xlsb is one file, not its parts
    assert v["七都镇.xlsb"].status == "rejected" and ".xlsb 格式不支持" in v["七都镇.xlsb"].errors[0].message
    assert "Excel 2003 XML 表格" in v["平望镇.xml"].errors[0].message
    ods = v["黎里镇.ods"].errors[0]
    assert ods.code == Code.FILE_ENCRYPTED and "已加密" in ods.message
    assert not any("压缩包" in p.message or "网页" in p.message for x in result.verdicts for p in x.problems)


def test_a_size_floor_for_the_ratio_rule(tmp_path):
    path = crafted.well_compressed_parts(tmp_path / "长表.xlsx", tmp_path)
    with zipfile.ZipFile(path) as z:
        ratios = {i.filename: i.file_size / i.compress_size for i in z.infolist() if i.file_size > 1 << 20}
    assert ratios and all(r > 100 for r in ratios.values())  # beyond 100:1, as genuine files have
    assert preflight(path).filetype.kind == "xlsx"


def test_excel_escapes_in_remarks_are_decoded(ws):
    fill(ws, "七都镇", ws.inbox / "七都镇.xlsx", good_values(ws, "七都镇"),
         remarks={"7-2": "第一行_x000D__x000A_第二行，_x005F_x000D_照原样"})
    assert by_file(collect(ws))["七都镇.xlsx"].status == "accepted"
    with Ledger.open(ws) as ledger:
        remark = next(x.remark for x in ledger.accepted_values(PERIOD) if x.indicator == "7-2")
    assert remark == "第一行\n第二行，_x000D_照原样"


def test_real_forms_named_like_owner_files_are_read_and_owner_files_kept(ws):
    fill(ws, "桃源镇", ws.inbox / "~$桃源镇.xlsx", good_values(ws, "桃源镇"))
    fill(ws, "震泽镇", ws.inbox / ".震泽镇.xlsx", good_values(ws, "震泽镇"))
    owner = crafted.owner_file(ws.inbox / "~$七都镇.xlsx")
    v = by_file(collect(ws))
    assert v["~$桃源镇.xlsx"].status == v[".震泽镇.xlsx"].status == "accepted"
    assert v["~$七都镇.xlsx"].status == "ignored" and "临时锁定文件" in v["~$七都镇.xlsx"].note
    import hashlib

    digest = hashlib.sha256(owner.read_bytes()).hexdigest()
    assert (ws.state / "archive" / digest[:2] / digest).is_file()


def test_damaged_and_locked_members_are_their_own_verdicts(ws, tmp_path):
    qidu = fill(ws, "七都镇", tmp_path / "q.xlsx", good_values(ws, "七都镇"))
    taoyuan = fill(ws, "桃源镇", tmp_path / "t.xlsx", good_values(ws, "桃源镇"))
    crafted.damaged_member_zip(ws.inbox / "传输损坏.zip", qidu)
    crafted.encrypted_member_zip(ws.inbox / "加了密码.zip", taoyuan)
    first = by_file(collect(ws))
    damaged, locked = first["传输损坏.zip/七都镇.xlsx"], first["加了密码.zip/加密/桃源镇.xlsx"]
    assert damaged.status == "rejected" and "已损坏" in damaged.errors[0].message
    assert locked.status == "rejected" and locked.errors[0].code == Code.FILE_ENCRYPTED
    assert first["传输损坏.zip/说明.txt"].status == "ignored"  # the members after it were still judged
    second = by_file(collect(ws))
    assert {k: x.status for k, x in second.items()} == {k: x.status for k, x in first.items()}


# --- done when ---------------------------------------------------------------------------------------

@pytest.fixture
def hostile_inbox(ws, tmp_path, broken_metadata, xlsx_bomb):
    """Every crafted file of this module in one 收回 folder, with two good forms among them."""
    inbox, scratch = ws.inbox, tmp_path / "scratch"
    scratch.mkdir()
    forms = {r: fill(ws, r, scratch / f"{r}.xlsx", good_values(ws, r)) for r in
             ("桃源镇", "震泽镇", "平望镇", "吴江高新区（盛泽镇）", "统计局", "人才办")}
    fill(ws, "吴江开发区", inbox / "开发区.xlsx", good_values(ws, "吴江开发区"))
    shutil.copy(inbox / "开发区.xlsx", inbox / "开发区(1).xlsx")
    crafted.prints_when_opened(inbox / "样式损坏.xlsx", scratch)
    crafted.with_backslash_names(forms["桃源镇"], inbox / "桃源镇.xlsx")
    crafted.with_moved_workbook_part(forms["震泽镇"], inbox / "震泽镇.xlsx")
    crafted.xlsb(inbox / "七都镇.xlsb")
    crafted.spreadsheetml_2003(inbox / "平望镇.xml")
    crafted.encrypted_ods(inbox / "黎里镇.ods")
    crafted.well_compressed_parts(inbox / "长表.xlsx", scratch)
    crafted.owner_file(inbox / "~$七都镇.xlsx")
    fill(ws, "统计局", inbox / "~$统计局.xlsx", good_values(ws, "统计局"))
    crafted.zip_of(inbox / "附件", {"平望镇.xlsx": forms["平望镇"].read_bytes()})
    crafted.nested_attachment(inbox / "邮件附件.zip", scratch, inner_zips=3, per_zip=2)
    crafted.nested_too_deep(inbox / "套娃.zip", forms["吴江高新区（盛泽镇）"], scratch)
    crafted.damaged_member_zip(inbox / "传输损坏.zip", forms["人才办"])
    crafted.encrypted_member_zip(inbox / "加了密码.zip", forms["人才办"])
    (inbox / "邮件").mkdir()
    crafted.gbk_named(inbox / "邮件", "盛泽镇.xlsx", forms["吴江高新区（盛泽镇）"].read_bytes())
    shutil.copy(xlsx_bomb, inbox / "炸弹.xlsx")
    (inbox / "密码.xlsx").symlink_to("/etc/passwd")
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "管道.xlsx")
    return inbox


def _digest(inbox: Path) -> dict:
    """Every entry of 收回 (links and pipes included, never opened) and every regular file's hash."""
    import hashlib
    import stat

    out = {}
    for p in sorted(inbox.rglob("*")):
        info = p.lstat()
        regular = stat.S_ISREG(info.st_mode)
        out[str(p.relative_to(inbox))] = (info.st_mode, hashlib.sha256(p.read_bytes()).hexdigest() if regular else "")
    return out


def test_collect_twice_on_every_crafted_file_keeps_every_promise(ws, hostile_inbox):
    before = _digest(hostile_inbox)
    state_before = folder_bytes(ws.state)
    first = cli("collect", "--json", "-w", ws.root, timeout=600)
    second = cli("collect", "--json", "-w", ws.root, timeout=600)
    for run in (first, second):
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr and "Error" not in run.stderr, run.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)  # nothing but JSON on stdout
    for item in one + two:
        assert item["status"] in {"accepted", "rejected", "duplicate", "superseded", "ignored"}
        assert item["reason"], f"{item['file']}: a verdict without a reason"
        for p in item["errors"] + item["warnings"]:
            assert not EXCEPTION_NAME.search(p["message"]), p
            assert any("\u4e00" <= ch <= "\u9fff" for ch in p["message"]), p
        assert not EXCEPTION_NAME.search(item["reason"]), item
        assert not any(p["code"] in (Code.FILE_INTERNAL, Code.FILE_DEFERRED) for p in item["errors"] + item["warnings"])
    seen = {item["file"] for item in one}
    expected = {"收回/密码.xlsx", "收回/七都镇.xlsb", "收回/邮件附件.zip/第3批.zip/附表3-2.xlsx", "收回/邮件/盛泽镇.xlsx"}
    if hasattr(os, "mkfifo"):
        expected.add("收回/管道.xlsx")
    assert expected <= seen
    status = {item["file"]: item["status"] for item in one}
    for accepted in ("收回/开发区.xlsx", "收回/桃源镇.xlsx", "收回/震泽镇.xlsx", "收回/附件/平望镇.xlsx",
                     "收回/~$统计局.xlsx", "收回/邮件/盛泽镇.xlsx"):
        assert status[accepted] == "accepted", accepted
    assert not any(f.startswith("收回/套娃.zip") and s == "accepted" for f, s in status.items())
    # The second run: the same verdicts, nothing new recorded, nothing inflated, 收回 unchanged.
    assert [(i["file"], i["status"]) for i in two] == [(i["file"], i["status"]) for i in one]
    assert _digest(hostile_inbox) == before
    log = ws.state / "logs" / "debug.log"
    grown = folder_bytes(ws.state) - state_before - (log.stat().st_size if log.exists() else 0)
    received = sum(p.stat().st_size for p in hostile_inbox.rglob("*") if p.is_file() and not p.is_symlink())
    assert grown < received + 2 * 1024 * 1024, "the state folder holds more than what was received"
    with Ledger.open(ws) as ledger:
        counts = ledger.counts()
    third = cli("collect", "--json", "-w", ws.root, timeout=600)
    assert json.loads(third.stdout) == two
    with Ledger.open(ws) as ledger:
        assert ledger.counts() == counts
    # check on every regular file: one result each, the run goes on.
    files = [p for p in sorted(hostile_inbox.rglob("*")) if p.is_file() and not p.is_symlink()]
    checked = cli("check", "--json", *files, "-w", ws.root, timeout=600)
    results = json.loads(checked.stdout)
    assert len(results) == len(files) and "Traceback" not in checked.stderr
