"""Reading mails as clients save them: attachment names however they are encoded, GBK
subjects and bodies, Outlook .msg (Unicode and ANSI), attached mails, and bounds.

The mails are written here: by the standard library (``EmailMessage``) where it can write
what a client writes, by hand where clients break the standards (raw GBK bytes, RFC 2047
words inside quotes and split across lines), and .msg files by ``tests/collect/msgfile.py``.
"""

from __future__ import annotations

import base64
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

import pytest

from tests.collect.msgfile import Message, msg_file
from wjexcel.collect.mail import EML, MAX_ATTACHMENTS, MSG, MailError, read_mail, sniff
from wjexcel.problems import Code

NAME = "七都镇.xlsx"
PAYLOAD = b"PK\x03\x04 not really a workbook"


def raw_mail(part_headers: bytes, subject: bytes = b"=?gb2312?B?" + base64.b64encode("关于报送".encode("gb2312"))
             + b"?=", body: bytes = "请查收。".encode("gbk"), charset: bytes = b"gb2312") -> bytes:
    """A multipart mail with one attachment whose headers are ``part_headers`` (CRLF lines)."""
    return (b"From: =?gbk?B?" + base64.b64encode("王晓明".encode("gbk")) + b"?= <wang@qidu.gov.cn>\r\n"
            b"To: kjj@wujiang.gov.cn\r\nSubject: " + subject + b"\r\n"
            b"Date: Sat, 08 Oct 2022 10:12:00 +0800\r\nMIME-Version: 1.0\r\nX-Mailer: Foxmail 7.2\r\n"
            b'Content-Type: multipart/mixed; boundary="----=_NextPart_1"\r\n\r\n'
            b"------=_NextPart_1\r\nContent-Type: text/plain; charset=" + charset + b"\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
            b"------=_NextPart_1\r\n" + part_headers + b"Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.b64encode(PAYLOAD) + b"\r\n------=_NextPart_1--\r\n")


def _words(charset: str, text: str, pieces: int = 1) -> list[str]:
    data = text.encode(charset)
    cut = len(data) // pieces
    chunks = [data[i * cut:(i + 1) * cut if i < pieces - 1 else None] for i in range(pieces)]
    return [f"=?{charset}?B?{base64.b64encode(c).decode()}?=" for c in chunks]


FOXMAIL_SPLIT = ("Content-Type: application/octet-stream;\r\n\tname=\"{0}\r\n {1}\"\r\n"
                 "Content-Disposition: attachment;\r\n\tfilename=\"{0}\r\n {1}\"\r\n")
CASES = {
    # Foxmail / QQ mail: RFC 2047 words inside quotes, split across lines (against the standard)
    "foxmail_gb2312_split": FOXMAIL_SPLIT.format(*_words("gb2312", NAME, 2)).encode(),
    "qq_utf8_word": ("Content-Type: application/vnd.ms-excel; name=\"{0}\"\r\n"
                     "Content-Disposition: attachment; filename=\"{0}\"\r\n").format(_words("utf-8", NAME)[0]).encode(),
    # Outlook and Thunderbird: RFC 2231
    "outlook_rfc2231": f"Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
                       f" filename*=utf-8''{quote(NAME)}\r\n".encode(),
    "rfc2231_continued_gbk": ("Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
                              " filename*0*=gbk''" + quote("七都".encode("gbk")) + ";\r\n filename*1*="
                              + quote("镇.xlsx".encode("gbk")) + "\r\n").encode(),
    # raw bytes in the header: GBK (old Chinese clients) and unencoded UTF-8
    "raw_gbk": b'Content-Type: application/octet-stream; name="' + NAME.encode("gbk") + b'"\r\n'
               b'Content-Disposition: attachment; filename="' + NAME.encode("gbk") + b'"\r\n',
    "raw_utf8": b'Content-Type: application/octet-stream; name="' + NAME.encode() + b'"\r\n'
                b'Content-Disposition: attachment; filename="' + NAME.encode() + b'"\r\n',
    # only a name on Content-Type, no Content-Disposition (some web mail)
    "name_only_gbk_word": ("Content-Type: application/octet-stream; name=\"{0}\"\r\n"
                           .format(_words("gbk", NAME)[0]).encode()),
}


@pytest.mark.parametrize("headers", CASES.values(), ids=CASES.keys())
def test_attachment_names_however_clients_encode_them(headers):
    mail = read_mail(raw_mail(headers), "收回/关于报送.eml")
    assert [(a.name, a.data) for a in mail.attachments] == [(NAME, PAYLOAD)]
    assert mail.kind == EML and mail.subject == "关于报送"
    assert mail.sender == "王晓明 <wang@qidu.gov.cn>"
    assert mail.sent_at == datetime.fromisoformat("2022-10-08T10:12:00+08:00").astimezone().replace(tzinfo=None)


def test_gbk_subject_sent_raw_and_a_gbk_body_labelled_gb2312():
    # 喆 is in GBK but not in GB2312: clients label GBK text gb2312 all the time
    mail = read_mail(raw_mail(CASES["raw_gbk"], subject="关于报送喆".encode("gbk"), body="请查收喆。".encode("gbk")),
                     "x.eml")
    assert mail.subject == "关于报送喆"
    assert mail.body == "请查收喆。"
    assert mail.title == "邮件“关于报送喆”"


def test_a_mail_written_by_the_standard_library_and_an_attached_mail():
    inner = EmailMessage()
    inner["From"] = "李四 <li@shengze.gov.cn>"
    inner["Subject"] = "盛泽镇2022年四季度报表"
    inner["Date"] = format_datetime(datetime(2022, 10, 9, 15, 0).astimezone())
    inner.set_content("见附件")
    inner.add_attachment(PAYLOAD, maintype="application", subtype="octet-stream", filename="盛泽镇.xlsx")
    outer = EmailMessage()
    outer["From"] = "综合办 <office@shengze.gov.cn>"
    outer["Subject"] = "转发：盛泽镇2022年四季度报表"
    outer["Date"] = format_datetime(datetime(2022, 10, 10, 9, 0).astimezone())
    outer.set_content("转发", charset="gb18030")
    outer.add_attachment(inner)
    mail = read_mail(outer.as_bytes(), "x.eml")
    assert [a.name for a in mail.attachments] == ["盛泽镇2022年四季度报表.eml"]
    attached = mail.attachments[0].mail
    assert attached is not None and attached.sender == "李四 <li@shengze.gov.cn>"
    assert attached.sent_at == datetime(2022, 10, 9, 15, 0)
    assert [(a.name, a.data) for a in attached.attachments] == [("盛泽镇.xlsx", PAYLOAD)]


def test_inline_pictures_and_the_body_are_not_attachments():
    msg = EmailMessage()
    msg["From"] = "a@b.cn"
    msg["Subject"] = "只有正文"
    msg.set_content("正文")
    msg.add_alternative("<p>正文<img src='cid:logo'></p>", subtype="html")
    msg.get_payload()[1].add_related(b"\x89PNG....", maintype="image", subtype="png", cid="<logo>")
    mail = read_mail(msg.as_bytes(), "x.eml")
    assert mail.attachments == () and mail.body == "正文"


def test_outlook_msg_unicode_ansi_and_embedded():
    inner = Message("盛泽镇报表", "李四", "li@shengze.gov.cn", datetime(2022, 10, 9, 15, 0),
                    attachments=[("盛泽镇.xlsx", PAYLOAD * 300)])
    msg = Message("关于报送2022年四季度数据", "王晓明", "wang@qidu.gov.cn", datetime(2022, 10, 9, 10, 30), "请查收附件。",
                  [(NAME, PAYLOAD), ("转发的邮件", inner)])
    data = msg_file(msg)
    assert sniff(data) == MSG
    mail = read_mail(data, "收回/关于报送.msg")
    assert (mail.kind, mail.subject, mail.sender, mail.sent_at, mail.body) == (
        MSG, "关于报送2022年四季度数据", "王晓明 <wang@qidu.gov.cn>", datetime(2022, 10, 9, 10, 30), "请查收附件。")
    assert [a.name for a in mail.attachments] == [NAME, "转发的邮件.msg"]
    assert mail.attachments[0].data == PAYLOAD
    embedded = mail.attachments[1].mail
    assert embedded.subject == "盛泽镇报表" and embedded.sent_at == datetime(2022, 10, 9, 15, 0)
    assert [(a.name, a.data) for a in embedded.attachments] == [("盛泽镇.xlsx", PAYLOAD * 300)]
    ansi = read_mail(msg_file(Message("旧版邮件", "王晓明", "wang@qidu.gov.cn", None, "",
                                      [(NAME, PAYLOAD)], unicode=False)), "y.msg")
    assert (ansi.subject, ansi.sender, ansi.sent_at, [a.name for a in ansi.attachments]) == (
        "旧版邮件", "王晓明 <wang@qidu.gov.cn>", None, [NAME])


@pytest.mark.parametrize("fmt", ["eml", "msg"])
def test_a_mail_bomb_is_refused_quickly_with_a_clear_message(fmt):
    if fmt == "eml":
        msg = EmailMessage()
        msg["From"] = "x@y.cn"
        msg["Subject"] = "很多附件"
        msg.set_content("x")
        for i in range(3000):
            msg.add_attachment(b"a", maintype="application", subtype="octet-stream", filename=f"{i}.txt")
        data = msg.as_bytes()
    else:
        data = msg_file(Message("很多附件", attachments=[(f"{i}.txt", b"a") for i in range(3000)]))
    with pytest.raises(MailError) as caught:
        read_mail(data, "收回/炸弹." + fmt)
    assert caught.value.code == Code.MAIL_UNSAFE
    assert f"附件超过 {MAX_ATTACHMENTS} 个" in str(caught.value) and "收回/炸弹." + fmt in str(caught.value)


def test_deeply_nested_multiparts_are_bounded():
    head = b"From: x@y.cn\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    body = b""
    for i in range(5000):
        body += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
    with pytest.raises(MailError) as caught:
        read_mail(head + body, "deep.eml")
    assert caught.value.code in (Code.MAIL_UNSAFE, Code.MAIL_CORRUPT)


def test_what_is_not_a_mail():
    assert sniff(b"\xef\xbb\xbf\xe5\x8d\x95\xe4\xbd\x8d,\xe6\x95\xb0\r\n1,2\r\n") is None  # a CSV
    assert sniff(b"PK\x03\x04") is None
    assert sniff(b"Subject: only one header line\r\n\r\nbody") is None
    assert sniff(b"From: a@b.cn\r\nSubject: x\r\n\r\nbody") == EML


def test_check_says_a_mail_is_a_mail(tmp_path):
    from wjexcel.collect.check import check_files

    path = tmp_path / "关于报送.msg"
    path.write_bytes(msg_file(Message("关于报送", attachments=[(NAME, PAYLOAD)])))
    [result] = check_files([path], None)
    assert [p.message for p in result.problems] == [
        "这是一封邮件（.eml 或 Outlook 的 .msg），不是填报表。请把邮件中的附件另存后再检查，"
        "或把邮件放进“收回”文件夹，由“收集”逐个检查其中的附件"]


def test_two_attachments_of_one_name_are_told_apart():
    msg = EmailMessage()
    msg["From"] = "a@b.cn"
    msg["Subject"] = "发了两遍"
    msg.set_content("x")
    for _ in range(2):
        msg.add_attachment(PAYLOAD, maintype="application", subtype="octet-stream", filename=NAME)
    assert [a.name for a in read_mail(msg.as_bytes(), "x.eml").attachments] == [NAME, "七都镇（2）.xlsx"]
