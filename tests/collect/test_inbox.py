"""The walk of 收回 and what collect makes of each thing found there, one behaviour per test.

:func:`wjexcel.collect.inbox.walk` is tested on real folders (names, times, links, pipes);
the rest (sub-folders, zip archives, owner and lock files, ``__MACOSX``, mails, what is new
and what was seen before) through :func:`wjexcel.collect.collector.collect` on small inboxes
of real files: forms generated and filled with openpyxl, zips written with :mod:`zipfile`,
a mail written with :mod:`email`. The expected verdicts are worked out by hand from the files.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from wjexcel.collect.collector import collect
from wjexcel.collect.inbox import LINK_NOTE, SPECIAL_NOTE, walk
from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace.ledger import Ledger

PERIOD = "2022Q4"
SIGNER = {"填报人": "张三", "联系电话": "0512-63001234", "填报日期": date(2022, 10, 8), "审核人": "李四"}


@pytest.fixture
def ws(make_workspace):
    return make_workspace(PERIOD)


@pytest.fixture
def form(ws, forms_of, tmp_path):
    """``form(reporter) -> Path``: the reporter's 2022Q4 form filled right (outside 收回)."""
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}

    def filled(reporter: str):
        values = {i.code: 5 for i in plan.indicators_for(plan.reporter(reporter))}
        return fill_form(forms_of(ws)[reporter], tmp_path / "filled" / f"{reporter}.xlsx", values, names=names,
                         signer=SIGNER)

    (tmp_path / "filled").mkdir()
    return filled


def aged(path, seconds: int):
    """Give ``path`` the modification time 2022-10-09 08:00 + ``seconds``."""
    when = datetime(2022, 10, 9, 8, 0).timestamp() + seconds
    os.utime(path, (when, when))
    return path


def statuses(result) -> dict[str, str]:
    return {v["file"]: v["status"] for v in (x.as_json() for x in result.verdicts)}


def reasons(result) -> dict[str, str]:
    return {v["file"]: v["reason"] for v in (x.as_json() for x in result.verdicts)}


def recorded(ws) -> int:
    with Ledger.open(ws) as ledger:
        return len(ledger.submissions())


# --- walk: which files, in which order ------------------------------------------------------------

def test_walk_names_files_relative_to_the_workspace_and_enters_sub_folders_in_name_order(ws):
    for rel in ("b/x.xlsx", "a/y.xlsx", "a/c/z.xlsx", "top.xlsx"):
        (ws.inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws.inbox / rel).write_bytes(b"x")
    found = [e.display for e in walk(ws, [ws.inbox])]
    assert found == ["收回/top.xlsx", "收回/a/y.xlsx", "收回/a/c/z.xlsx", "收回/b/x.xlsx"]


def test_walk_lists_a_folders_files_oldest_first_and_same_times_by_name(ws):
    for name, age in (("新.xlsx", 30), ("旧.xlsx", 10), ("乙.xlsx", 20), ("甲.xlsx", 20)):
        (ws.inbox / name).write_bytes(name.encode())
        aged(ws.inbox / name, age)
    # 乙 (U+4E59) sorts before 甲 (U+7532): the tie at 20 s goes by the names
    assert [e.path.name for e in walk(ws, [ws.inbox])] == ["旧.xlsx", "乙.xlsx", "甲.xlsx", "新.xlsx"]


def test_walk_reports_links_inside_a_folder_and_never_follows_them(ws, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xlsx").write_bytes(b"x")
    (ws.inbox / "link.xlsx").symlink_to(outside / "secret.xlsx")
    (ws.inbox / "linkdir").symlink_to(outside, target_is_directory=True)
    found = {e.display: e.skip for e in walk(ws, [ws.inbox])}
    assert found == {"收回/link.xlsx": LINK_NOTE, "收回/linkdir": LINK_NOTE}


def test_walk_reads_a_link_the_clerk_names_as_given(ws, tmp_path):
    target = tmp_path / "七都镇.xlsx"
    target.write_bytes(b"x")
    (ws.inbox / "named.xlsx").symlink_to(target)
    (entry,) = walk(ws, [ws.inbox / "named.xlsx"])
    assert (entry.display, entry.skip) == ("收回/named.xlsx", "")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_walk_never_opens_a_pipe(ws):
    os.mkfifo(ws.inbox / "管道.xlsx")
    (entry,) = walk(ws, [ws.inbox])
    assert (entry.display, entry.skip) == ("收回/管道.xlsx", SPECIAL_NOTE)


def test_walk_of_the_workspace_itself_never_enters_its_state_folder(ws):
    (ws.inbox / "a.xlsx").write_bytes(b"x")
    found = [e.display for e in walk(ws, [ws.root])]
    assert "收回/a.xlsx" in found
    assert not [f for f in found if f.startswith(".wjexcel")]
    assert any(f.startswith("分发/") for f in found)  # the walk did go through the rest of the workspace


def test_walk_of_a_path_that_is_not_there_says_it_cannot_be_read(ws):
    (entry,) = walk(ws, [ws.inbox / "没有.xlsx"])
    assert entry.display == "收回/没有.xlsx" and entry.skip.startswith("无法读取该文件：")


# --- what collect makes of each thing found -------------------------------------------------------

def test_a_form_in_a_sub_folder_is_accepted_under_its_folder_name(ws, form):
    (ws.inbox / "十月" / "七都镇").mkdir(parents=True)
    shutil.copyfile(form("七都镇"), ws.inbox / "十月" / "七都镇" / "报表.xlsx")
    assert statuses(collect(ws)) == {"收回/十月/七都镇/报表.xlsx": "accepted"}


def test_a_zip_is_kept_and_each_member_judged_as_its_own_file(ws, form):
    with zipfile.ZipFile(ws.inbox / "两镇.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(form("七都镇"), "七都镇.xlsx")
        zf.write(form("桃源镇"), "附件/桃源镇.xlsx")
        zf.writestr("说明.txt", "请查收")
    result = collect(ws)
    assert statuses(result) == {"收回/两镇.zip": "ignored", "收回/两镇.zip/七都镇.xlsx": "accepted",
                                "收回/两镇.zip/附件/桃源镇.xlsx": "accepted", "收回/两镇.zip/说明.txt": "ignored"}
    assert "压缩包" in reasons(result)["收回/两镇.zip"]
    assert [v.file for v in result.verdicts][0] == "收回/两镇.zip"  # the archive first, then its members in order


def test_a_zip_inside_a_zip_is_opened_too(ws, form):
    inner = ws.root / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(form("七都镇"), "七都镇.xlsx")
    with zipfile.ZipFile(ws.inbox / "外.zip", "w") as zf:
        zf.write(inner, "内.zip")
    inner.unlink()
    assert statuses(collect(ws)) == {"收回/外.zip": "ignored", "收回/外.zip/内.zip": "ignored",
                                     "收回/外.zip/内.zip/七都镇.xlsx": "accepted"}


def test_macosx_members_of_a_zip_are_set_aside_unread(ws, form):
    with zipfile.ZipFile(ws.inbox / "mac.zip", "w") as zf:
        zf.write(form("七都镇"), "七都镇.xlsx")
        zf.writestr("__MACOSX/._七都镇.xlsx", b"\x00\x05\x16\x07" + b"\x00" * 60)  # AppleDouble resource fork
    result = collect(ws)
    assert statuses(result) == {"收回/mac.zip": "ignored", "收回/mac.zip/七都镇.xlsx": "accepted",
                                "收回/mac.zip/__MACOSX/._七都镇.xlsx": "ignored"}
    assert "__MACOSX" in reasons(result)["收回/mac.zip/__MACOSX/._七都镇.xlsx"]


def test_excels_owner_file_is_kept_but_not_read_as_a_form(ws, form):
    shutil.copyfile(form("七都镇"), ws.inbox / "七都镇.xlsx")
    owner = b"\x05" + "张三".encode("utf-16-le") + b"\x20" * 50 + b"\x00" * 106  # 162 bytes, as Excel writes it
    (ws.inbox / "~$七都镇.xlsx").write_bytes(owner)
    result = collect(ws)
    assert statuses(result) == {"收回/七都镇.xlsx": "accepted", "收回/~$七都镇.xlsx": "ignored"}
    assert "临时锁定文件" in reasons(result)["收回/~$七都镇.xlsx"]


def test_libreoffices_lock_file_is_kept_but_not_read_as_a_form(ws):
    (ws.inbox / ".~lock.七都镇.xlsx#").write_text("张三,zhangsan,PC-01,09.10.2022 08:00,file:///home/zs/.config;",
                                                  encoding="utf-8")
    result = collect(ws)
    assert statuses(result) == {"收回/.~lock.七都镇.xlsx#": "ignored"}
    assert "临时锁定文件" in reasons(result)["收回/.~lock.七都镇.xlsx#"]


def test_a_real_form_saved_under_an_owner_file_name_is_read(ws, form):
    shutil.copyfile(form("七都镇"), ws.inbox / "~$七都镇.xlsx")
    assert statuses(collect(ws)) == {"收回/~$七都镇.xlsx": "accepted"}


def test_a_mail_is_kept_and_its_attachment_judged_with_the_mails_sender(ws, form):
    mail = EmailMessage()
    mail["From"] = "七都镇经发局 <kj@qidu.gov.cn>"
    mail["To"] = "kjj@wujiang.gov.cn"
    mail["Subject"] = "报送2022年四季度科技创新指标"
    mail["Date"] = format_datetime(datetime(2022, 10, 9, 9, 30).astimezone())
    mail.set_content("请查收附件。")
    mail.add_attachment(form("七都镇").read_bytes(), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="七都镇.xlsx")
    (ws.inbox / "报送.eml").write_bytes(mail.as_bytes())
    result = collect(ws)
    assert statuses(result) == {"收回/报送.eml": "ignored", "收回/报送.eml/七都镇.xlsx": "accepted"}
    with Ledger.open(ws) as ledger:
        attachment = next(s for s in ledger.submissions() if s.file == "收回/报送.eml/七都镇.xlsx")
    assert "kj@qidu.gov.cn" in attachment.sender
    assert attachment.sent_at.replace(tzinfo=None) == datetime(2022, 10, 9, 9, 30)


# --- what is new, what was seen before ------------------------------------------------------------

def test_a_second_run_records_nothing_new_and_gives_the_same_verdicts(ws, form):
    shutil.copyfile(form("七都镇"), ws.inbox / "七都镇.xlsx")
    with zipfile.ZipFile(ws.inbox / "桃源镇.zip", "w") as zf:
        zf.write(form("桃源镇"), "桃源镇.xlsx")
    first = collect(ws)
    count = recorded(ws)
    second = collect(ws)
    assert statuses(second) == statuses(first) == {
        "收回/七都镇.xlsx": "accepted", "收回/桃源镇.zip": "ignored", "收回/桃源镇.zip/桃源镇.xlsx": "accepted"}
    assert recorded(ws) == count == 3
    assert all(v.unchanged for v in second.verdicts) and not any(v.unchanged for v in first.verdicts)


def test_the_same_bytes_under_a_second_name_are_a_duplicate_of_the_older_file(ws, form):
    filled = form("七都镇")
    shutil.copyfile(filled, ws.inbox / "七都镇(1).xlsx")
    shutil.copyfile(filled, ws.inbox / "七都镇.xlsx")
    aged(ws.inbox / "七都镇(1).xlsx", 60)  # the copy that came later
    aged(ws.inbox / "七都镇.xlsx", 0)
    result = collect(ws)
    assert statuses(result) == {"收回/七都镇.xlsx": "accepted", "收回/七都镇(1).xlsx": "duplicate"}
    assert "收回/七都镇.xlsx" in reasons(result)["收回/七都镇(1).xlsx"]


def test_a_file_changed_under_the_same_name_is_judged_again(ws, form, forms_of):
    target = ws.inbox / "七都镇.xlsx"
    shutil.copyfile(form("七都镇"), target)
    assert statuses(collect(ws)) == {"收回/七都镇.xlsx": "accepted"}
    plan = workspace_plan(ws)
    names = {i.code: i.name for i in plan.indicators}
    values = {i.code: 5 for i in plan.indicators_for(plan.reporter("七都镇"))} | {"1-1": "约12"}
    fill_form(forms_of(ws)["七都镇"], target, values, names=names, signer=SIGNER)  # typed again, wrongly
    again = collect(ws)
    assert statuses(again) == {"收回/七都镇.xlsx": "rejected"}
    assert recorded(ws) == 2 and not again.verdicts[0].unchanged


def test_a_file_added_later_is_the_only_new_one(ws, form):
    shutil.copyfile(form("七都镇"), ws.inbox / "七都镇.xlsx")
    collect(ws)
    shutil.copyfile(form("桃源镇"), ws.inbox / "桃源镇.xlsx")
    result = collect(ws)
    assert {v.file: v.unchanged for v in result.verdicts} == {"收回/七都镇.xlsx": True, "收回/桃源镇.xlsx": False}
    assert statuses(result) == {"收回/七都镇.xlsx": "accepted", "收回/桃源镇.xlsx": "accepted"}


# --- defects found while writing these tests, fixed -----------------------------------------------

def test_walk_never_enters_the_state_folder_even_when_it_is_named(ws):
    assert [e.display for e in walk(ws, [ws.state])] == []
