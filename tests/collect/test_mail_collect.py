"""Mails dropped in 收回 as mail clients save them: the same verdicts as their attachments,
the sender and sent time in the ledger and in 报送情况, 截止日期 and 逾期 everywhere.

Forms are generated, filled like a person fills them, attached to mails written here
(Foxmail-style .eml with GB2312 names split across lines, an Outlook .msg, a mail with a zip,
a forwarded mail carrying the original as message/rfc822, a mail without attachment), then
collected and consolidated; the outputs are read back with openpyxl and printed by LibreOffice.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.collect.msgfile import Message, msg_file
from wjexcel.cli import cli
from wjexcel.collect.collector import collect
from wjexcel.collect.formread import RETURN_SHEET
from wjexcel.demo.fill import fill_form
from wjexcel.plan.workbook import workspace_plan
from wjexcel.problems import Code
from wjexcel.workspace import Workspace
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger

PERIOD = "2022Q4"
DEADLINE = date(2022, 10, 10)
SIGNER = {"填报人": "张三", "联系电话": "0512-63001234", "填报日期": date(2022, 10, 8), "审核人": "李四"}
QIDU, ZHENZE, PINGWANG, SHENGZE, TAOYUAN = "七都镇", "震泽镇", "平望镇", "吴江高新区（盛泽镇）", "桃源镇"


@pytest.fixture
def ws(make_workspace):
    return make_workspace(PERIOD, deadline=DEADLINE)


def filled(ws, reporter: str, dest: Path, bad: bool = False) -> bytes:
    plan = workspace_plan(ws)
    values = {i.code: (3.4 if i.is_percent else 5) for i in plan.indicators_for(plan.reporter(reporter))}
    if bad:
        values[next(iter(values))] = "约12"
    form = next((ws.outbox / PERIOD).glob(f"{PERIOD}_{reporter}_*.xlsx"))
    fill_form(form, dest, values, names={i.code: i.name for i in plan.indicators}, signer=SIGNER)
    return dest.read_bytes()


def local(*args) -> datetime:
    return datetime(*args)


def foxmail_eml(subject: str, sender: tuple[str, str], sent: datetime, name: str, data: bytes) -> bytes:
    """A mail as Foxmail writes it: GB2312 words, the file name quoted and split across two lines."""
    def words(text: str, pieces: int) -> list[str]:
        raw = text.encode("gb2312")
        cut = len(raw) // pieces
        return [f"=?gb2312?B?{base64.b64encode(raw[i * cut:(i + 1) * cut if i < pieces - 1 else None]).decode()}?="
                for i in range(pieces)]
    first, second = words(name, 2)
    body = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (f"From: {words(sender[0], 1)[0]} <{sender[1]}>\r\nTo: kjj@wujiang.gov.cn\r\n"
            f"Subject: {' '.join(words(subject, 2))}\r\nDate: {format_datetime(sent.astimezone())}\r\n"
            "MIME-Version: 1.0\r\nX-Mailer: Foxmail 7.2.25.228[cn]\r\n"
            'Content-Type: multipart/mixed;\r\n\tboundary="----=_001_NextPart572182624333_=----"\r\n\r\n'
            "------=_001_NextPart572182624333_=----\r\nContent-Type: text/plain; charset=\"gb2312\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + base64.encodebytes(
        "请查收附件。".encode("gb2312")).replace(b"\n", b"\r\n") + (
        "\r\n------=_001_NextPart572182624333_=----\r\n"
        f"Content-Type: application/octet-stream;\r\n\tname=\"{first}\r\n {second}\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment;\r\n\tfilename=\"{first}\r\n {second}\"\r\n\r\n").encode() + body + (
        b"\r\n------=_001_NextPart572182624333_=------\r\n")


def std_mail(subject: str, sender: str, sent: datetime, attachments=(), body: str = "请查收。") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "kjj@wujiang.gov.cn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent.astimezone())
    msg.set_content(body)
    for name, data in attachments:
        if isinstance(data, EmailMessage):
            msg.add_attachment(data)
        else:
            msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2022, 10, 12, 9, 0, 0))
            info.flag_bits |= 0x800
            zf.writestr(info, data)
    return buf.getvalue()


@pytest.fixture
def attachments(ws, tmp_path):
    """The files the reporters sent: what a mail carries and what a clerk would save by hand."""
    out = tmp_path / "forms"
    out.mkdir()
    return {
        QIDU: filled(ws, QIDU, out / "七都镇.xlsx"),
        ZHENZE: filled(ws, ZHENZE, out / "震泽镇.xlsx", bad=True),
        PINGWANG: zipped({"平望镇2022年四季度报表.xlsx": filled(ws, PINGWANG, out / "平望镇.xlsx")}),
        SHENGZE: filled(ws, SHENGZE, out / "盛泽镇.xlsx"),
    }


def drop_mails(ws, files: dict[str, bytes]) -> dict[str, bytes]:
    """The mails, as Foxmail, Outlook and web mail save them, into 收回."""
    inner = std_mail("盛泽镇2022年四季度科技创新指标", "盛泽镇科技办 <kj@shengze.gov.cn>", local(2022, 10, 10, 16, 0),
                     [("盛泽镇.xlsx", files[SHENGZE])])
    mails = {
        "关于报送七都镇2022年四季度数据.eml": foxmail_eml("关于报送七都镇2022年四季度数据", ("王晓明", "wang@qidu.gov.cn"),
                                                 local(2022, 10, 9, 10, 0), "七都镇.xlsx", files[QIDU]),
        "震泽镇报表.msg": msg_file(Message("震泽镇2022年四季度报表", "陈芳", "chen@zhenze.gov.cn", local(2022, 10, 9, 11, 0),
                                      "请查收。", [("震泽镇.xlsx", files[ZHENZE])])),
        "平望镇.eml": std_mail("平望镇报表", "平望镇 <pw@pingwang.gov.cn>", local(2022, 10, 12, 10, 0),
                            [("平望镇报表.zip", files[PINGWANG])]).as_bytes(),
        "转发：盛泽镇报表.eml": std_mail("转发：盛泽镇2022年四季度科技创新指标", "综合办 <office@shengze.gov.cn>",
                                 local(2022, 10, 11, 9, 0), [("", inner)]).as_bytes(),
        "忘了附件.eml": std_mail("桃源镇报表", "桃源镇 <ty@taoyuan.gov.cn>", local(2022, 10, 9, 9, 0),
                             body="报表见附件（忘了附上）").as_bytes(),
    }
    for name, data in mails.items():
        (ws.inbox / name).write_bytes(data)
    return mails


def by_reporter(verdicts) -> dict[str, str]:
    return {v.reporter: v.status for v in verdicts if v.reporter and not v.container}


def test_mails_get_the_verdicts_of_their_attachments_and_a_second_run_adds_nothing(ws, tmp_path, attachments):
    plain = Workspace(shutil.copytree(ws.root, tmp_path / "plain"))
    for reporter, data in attachments.items():
        name = "平望镇报表.zip" if reporter == PINGWANG else f"{reporter}.xlsx"
        (plain.inbox / name).write_bytes(data)
    expected = by_reporter(collect(plain).verdicts)
    assert expected == {QIDU: Verdict.ACCEPTED, ZHENZE: Verdict.REJECTED, PINGWANG: Verdict.ACCEPTED,
                        SHENGZE: Verdict.ACCEPTED}

    mails = drop_mails(ws, attachments)
    result = collect(ws)
    assert by_reporter(result.verdicts) == expected
    files = {v.file: v for v in result.verdicts}
    qidu = files["收回/关于报送七都镇2022年四季度数据.eml/七都镇.xlsx"]
    assert qidu.status == Verdict.ACCEPTED and qidu.reporter == QIDU
    head = files["收回/关于报送七都镇2022年四季度数据.eml"]
    assert head.container and head.status == Verdict.IGNORED
    assert head.note.startswith("邮件“关于报送七都镇2022年四季度数据”（发件人 王晓明 <wang@qidu.gov.cn>，2022-10-09 10:00 发出）")
    assert files["收回/平望镇.eml/平望镇报表.zip/平望镇2022年四季度报表.xlsx"].status == Verdict.ACCEPTED
    shengze = files["收回/转发：盛泽镇报表.eml/盛泽镇2022年四季度科技创新指标.eml/盛泽镇.xlsx"]
    assert shengze.status == Verdict.ACCEPTED
    empty = files["收回/忘了附件.eml"]
    assert empty.status == Verdict.IGNORED and not empty.container
    assert "中没有附件" in empty.note and "报表见附件（忘了附上）" in empty.note
    rejected = files["收回/震泽镇报表.msg/震泽镇.xlsx"]
    assert rejected.status == Verdict.REJECTED and rejected.errors and "约12" in rejected.errors[0].message
    assert "邮件 5 封" in result.summary_text()

    with Ledger.open(ws) as ledger:
        for name, data in mails.items():  # each mail archived byte for byte
            sha = hashlib.sha256(data).hexdigest()
            assert ledger.archive.path(sha).read_bytes() == data
        subs = {s.file: s for s in ledger.submissions()}
        assert subs["收回/关于报送七都镇2022年四季度数据.eml/七都镇.xlsx"].sender == "王晓明 <wang@qidu.gov.cn>"
        assert subs["收回/关于报送七都镇2022年四季度数据.eml/七都镇.xlsx"].sent_at == local(2022, 10, 9, 10, 0)
        # the forwarded form carries the original mail's sender and time, not the forward's
        forwarded = subs["收回/转发：盛泽镇报表.eml/盛泽镇2022年四季度科技创新指标.eml/盛泽镇.xlsx"]
        assert (forwarded.sender, forwarded.sent_at) == ("盛泽镇科技办 <kj@shengze.gov.cn>", local(2022, 10, 10, 16, 0))
        before = ledger.counts()

    copy = ws.root / rejected.return_copy
    due = date.today() + timedelta(days=workspace_plan(ws).deadline_days)
    note = openpyxl.load_workbook(copy)[RETURN_SHEET]["A2"].value
    assert f"于{due.year}年{due.month}月{due.day}日前重新发送" in note

    again = collect(ws)
    assert all(v.unchanged for v in again.verdicts)
    assert by_reporter(again.verdicts) == expected
    with Ledger.open(ws) as ledger:
        assert ledger.counts() == before


def test_status_and_the_report_show_senders_deadlines_and_lateness(ws, attachments, tmp_path, soffice_convert):
    drop_mails(ws, attachments)
    collect(ws)
    out = CliRunner().invoke(cli, ["status", "-p", PERIOD, "-w", str(ws.root), "--json"])
    assert out.exit_code == 0, out.output
    status = {s["reporter"]: s for s in json.loads(out.output)}
    assert {k: status[QIDU][k] for k in ("status", "deadline", "on_time", "days_late")} == {
        "status": "已报送", "deadline": "2022-10-10", "on_time": True, "days_late": 0}
    assert (status[PINGWANG]["on_time"], status[PINGWANG]["days_late"]) == (False, 2)
    assert (status[SHENGZE]["on_time"], status[SHENGZE]["days_late"]) == (True, 0)
    returned_due = date.today() + timedelta(days=workspace_plan(ws).deadline_days)
    assert status[ZHENZE]["status"] == "已退回" and status[ZHENZE]["on_time"] is None
    assert status[ZHENZE]["deadline"] == returned_due.isoformat()
    overdue = (date.today() - DEADLINE).days
    assert (status[TAOYUAN]["status"], status[TAOYUAN]["on_time"], status[TAOYUAN]["days_late"]) == (
        "未报送", None, overdue)

    text = CliRunner().invoke(cli, ["status", "-p", PERIOD, "-w", str(ws.root)]).output
    assert "报送截止日期：2022-10-10" in text
    assert "（报送截止日期为2022年10月10日，已逾期）" in text
    assert f"震泽镇请于{returned_due.year}年{returned_due.month}月{returned_due.day}日前" in text

    report = tmp_path / "汇总.xlsx"
    out = CliRunner().invoke(cli, ["consolidate", "-p", PERIOD, "-w", str(ws.root), "-o", str(report)])
    assert out.exit_code == 0, out.output
    book = openpyxl.load_workbook(report)
    sheet = book["报送情况"]
    heads = [c.value for c in sheet[3]]
    rows = {r[0]: dict(zip(heads, r)) for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows[QIDU]["发件人"] == "王晓明 <wang@qidu.gov.cn>"
    assert rows[QIDU]["邮件发送时间"] == "2022-10-09 10:00"
    assert (rows[QIDU]["截止日期"], rows[QIDU]["是否按时"]) == ("2022-10-10", "按时")
    assert rows[PINGWANG]["是否按时"] == "逾期2天"
    assert rows[TAOYUAN]["是否按时"] == f"已逾期{overdue}天"
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    line = next(t for t in texts if t.startswith("报送时效："))
    # decided: 七都镇, 盛泽镇 on time; 平望镇 late; every other reporter overdue without a form
    decided = len([s for s in status.values() if s["on_time"] is not None or s["days_late"]])
    assert f"按时报送 2 家、逾期 {decided - 2} 家" in line and f"按时报送率 {2 / decided:.1%}" in line
    overview = " ".join(str(c.value) for row in book["概览"].iter_rows() for c in row if c.value)
    assert f"按时报送率 {2 / decided:.1%}" in overview
    towns = book["区镇进度"]
    cells = {(c.row, c.column): c.value for row in towns.iter_rows() for c in row if c.value is not None}
    head = next(pos for pos, v in cells.items() if v == "报送时效")
    ranked = {cells.get((r, 1)): cells.get((r, head[1])) for r in range(head[0] + 1, towns.max_row + 1)}
    assert ranked[QIDU] == "按时" and ranked[PINGWANG] == "逾期2天"
    score_col = next(c for (r, c), v in cells.items() if r == head[0] and v == "综合得分")
    assert score_col < head[1] - 1  # beside the score, never inside it

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    [pdf] = soffice_convert([report], "pdf", tmp_path / "pdf")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in printed.split("\f") if "是否按时" in p or "报送时效" in p]  # 报送情况, 区镇进度
    assert pages and not any("###" in p for p in pages)
    flat = re.sub(r"\s", "", printed)
    for expected in ("王晓明<wang@qidu.gov.cn>", "逾期2天", re.sub(r"\s", "", line), "报送时效"):
        assert expected in flat, expected

    with Ledger.open(ws) as ledger:  # the 退回 copy prints its new date whole
        [copy] = [ws.root / p for p in ledger.return_copies(PERIOD).values()]
    [pdf] = soffice_convert([copy], "pdf", tmp_path / "pdf_return")
    printed = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    note = openpyxl.load_workbook(copy)[RETURN_SHEET]["A2"].value
    assert f"{returned_due.year}年{returned_due.month}月{returned_due.day}日前重新发送" in note
    assert re.sub(r"\s", "", note) in re.sub(r"\s", "", printed)


def test_a_thirty_megabyte_mail(ws, attachments):
    photo = b"\xff\xd8\xff\xe0" + os.urandom(30 * 1024 * 1024)
    mail = std_mail("七都镇报表及现场照片", "王晓明 <wang@qidu.gov.cn>", local(2022, 10, 9, 10, 0),
                    [("现场照片.jpg", photo), ("七都镇.xlsx", attachments[QIDU])]).as_bytes()
    assert len(mail) > 40 * 1024 * 1024
    (ws.inbox / "大邮件.eml").write_bytes(mail)
    result = collect(ws)
    files = {v.file: v for v in result.verdicts}
    assert files["收回/大邮件.eml/七都镇.xlsx"].status == Verdict.ACCEPTED
    photo_verdict = files["收回/大邮件.eml/现场照片.jpg"]  # judged like a photo dropped in 收回
    assert photo_verdict.status == Verdict.IGNORED and "不是 Excel 填报表" in photo_verdict.note
    with Ledger.open(ws) as ledger:
        assert ledger.archive.path(hashlib.sha256(mail).hexdigest()).stat().st_size == len(mail)


def test_a_mail_bomb_is_refused_as_a_whole(ws):
    bomb = std_mail("附件", "x@y.cn", local(2022, 10, 9, 10, 0),
                    [(f"{i}.xlsx", b"PK\x03\x04") for i in range(3000)]).as_bytes()
    (ws.inbox / "炸弹.eml").write_bytes(bomb)
    out = CliRunner().invoke(cli, ["collect", "-w", str(ws.root), "--json"])
    assert out.exit_code == 1
    [verdict] = json.loads(out.output)
    assert verdict["status"] == "rejected" and verdict["file"] == "收回/炸弹.eml"
    assert verdict["errors"][0]["code"] == Code.MAIL_UNSAFE
    assert "附件超过 100 个" in verdict["errors"][0]["message"]
    with Ledger.open(ws) as ledger:
        assert [s.file for s in ledger.submissions()] == ["收回/炸弹.eml"]


def test_a_mail_cut_short_by_the_time_budget_is_finished_by_the_next_run(ws, attachments):
    two = std_mail("两个镇的报表", "区镇联络员 <ll@wujiang.gov.cn>", local(2022, 10, 9, 10, 0),
                   [("七都镇.xlsx", attachments[QIDU]), ("盛泽镇.xlsx", attachments[SHENGZE])]).as_bytes()
    (ws.inbox / "两个镇.eml").write_bytes(two)
    first = {v.file: v for v in collect(ws, time_budget=0).verdicts}
    assert first["收回/两个镇.eml/七都镇.xlsx"].status == Verdict.ACCEPTED
    assert first["收回/两个镇.eml/盛泽镇.xlsx"].deferred
    second = {v.file: v for v in collect(ws).verdicts}
    assert second["收回/两个镇.eml/七都镇.xlsx"].unchanged
    assert second["收回/两个镇.eml/盛泽镇.xlsx"].status == Verdict.ACCEPTED and not second["收回/两个镇.eml/盛泽镇.xlsx"].unchanged
    with Ledger.open(ws) as ledger:
        subs = {s.file: s for s in ledger.submissions()}
        assert subs["收回/两个镇.eml/盛泽镇.xlsx"].sender == "区镇联络员 <ll@wujiang.gov.cn>"
        assert not subs["收回/两个镇.eml"].members_pending
        before = ledger.counts()
    assert all(v.unchanged for v in collect(ws).verdicts)
    with Ledger.open(ws) as ledger:
        assert ledger.counts() == before


def test_the_same_form_attached_twice_is_a_duplicate(ws, attachments):
    twice = std_mail("七都镇报表", "王晓明 <wang@qidu.gov.cn>", local(2022, 10, 9, 10, 0),
                     [("七都镇.xlsx", attachments[QIDU]), ("七都镇.xlsx", attachments[QIDU])]).as_bytes()
    (ws.inbox / "两遍.eml").write_bytes(twice)
    files = {v.file: v.status for v in collect(ws).verdicts}
    assert files == {"收回/两遍.eml": Verdict.IGNORED, "收回/两遍.eml/七都镇.xlsx": Verdict.ACCEPTED,
                     "收回/两遍.eml/七都镇（2）.xlsx": "duplicate"}


def test_a_town_mailing_another_towns_form_changes_neither_town(ws, tmp_path):
    """平望镇 fills in 七都镇's form, names the file plainly and mails it: the sender names the town."""
    plan = workspace_plan(ws)
    form = next((ws.outbox / PERIOD).glob(f"{PERIOD}_{QIDU}_*.xlsx"))
    values = {i.code: 6 for i in plan.indicators_for(plan.reporter(QIDU)) if not i.is_percent}
    data = fill_form(form, tmp_path / "填报表.xlsx", values, names={i.code: i.name for i in plan.indicators},
                     signer=SIGNER).read_bytes()
    mail = std_mail("报表", "平望镇 <pw@pingwang.gov.cn>", local(2022, 10, 9, 10, 0), [("填报表.xlsx", data)])
    (ws.inbox / "平望镇来信.eml").write_bytes(mail.as_bytes())
    forwarded = std_mail("转发：报表", "区科技局 <kjj@wujiang.gov.cn>", local(2022, 10, 9, 11, 0),
                         [("七都镇.xlsx", filled(ws, QIDU, tmp_path / "七都镇.xlsx"))])
    files = {v.file: v for v in collect(ws).verdicts}
    wrong = files["收回/平望镇来信.eml/填报表.xlsx"]
    assert wrong.status == Verdict.REJECTED and wrong.reporter is None
    assert [p.code for p in wrong.errors] == [Code.WRONG_REPORTER] and "发件人" in wrong.errors[0].message
    with Ledger.open(ws) as ledger:
        assert not [s for s in ledger.submissions(PERIOD) if s.reporter in (QIDU, PINGWANG)]
    # A forward by the clerk's own unit names no town: its attachment counts as the form says.
    (ws.inbox / "转发.eml").write_bytes(forwarded.as_bytes())
    files = {v.file: v for v in collect(ws).verdicts}
    assert files["收回/转发.eml/七都镇.xlsx"].status == Verdict.ACCEPTED
