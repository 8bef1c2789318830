"""Mail drafts: one ready-to-send ``.eml`` per reporter, the form attached.

``generate`` writes them to ``分发/<期间>/邮件/<单位>.eml``. ``X-Unsent: 1`` makes Outlook open
the file as an unsent draft (Send is one click); Foxmail and Thunderbird open it too. The
mail is built with the standard library's :mod:`email`: the Chinese subject as RFC 2047
words, the form's Chinese file name as RFC 2231 (``filename*=utf-8''…``), the body UTF-8. To is the reporter's 邮箱 from the plan (blank: the clerk types it in).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email import policy
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path

from wjexcel.atomic import write_bytes
from wjexcel.periods import Period, chinese_date
from wjexcel.plan.model import Reporter
from wjexcel.plan.plan import Plan

DRAFTS_FOLDER = "邮件"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_CRLF = policy.compat32.clone(linesep="\r\n")


def subject(plan: Plan, period: Period, reporter: Reporter, deadline: date) -> str:
    """``关于报送吴江科创2022年第三季度科技创新指标填报表的通知（七都镇，请于2022年10月10日前报送）``."""
    return (f"关于报送{plan.short_name or plan.name}{period.label}{plan.title_of_form}的通知"
            f"（{reporter.name}，请于{chinese_date(deadline)}前报送）")


def body(plan: Plan, period: Period, reporter: Reporter, attachment: str, deadline: date, today: date) -> str:
    """The draft's text: what to fill, by when, how to send it back, whom to ask."""
    lead = plan.lead_unit or "我单位"
    contact = "，".join(x for x in (f"联系人：{plan.contact}" if plan.contact else "",
                                    f"联系电话：{plan.phone}" if plan.phone else "") if x)
    lines = [
        f"{reporter.name}：",
        "",
        f"　　现将《{plan.name}》{period.label}{plan.title_of_form}（附件“{attachment}”）发给你们，"
        f"请按表中“填报说明”填写截至{period.end_label}的数据，于{chinese_date(deadline)}前将填好的 Excel 文件"
        f"（请直接在原表中填写，不要改动表格结构）和盖章扫描件一并发回{lead}。",
        "",
        f"　　{contact}。" if contact else "",
        "",
        f"{lead}",
        chinese_date(today),
    ]
    return "\r\n".join(lines) + "\r\n"


def draft(plan: Plan, period: Period, reporter: Reporter, form: Path, deadline: date, now: datetime) -> bytes:
    """One draft mail (RFC 5322 bytes, CRLF) with ``form`` attached under its own name.

    Built with the library's classic message classes: its modern header folding spends more on
    one Chinese subject and file name than generate spends on the rest of the mail."""
    msg = MIMEMultipart()
    msg["X-Unsent"] = "1"
    to = reporter.addresses
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = Header(subject(plan, period, reporter, deadline), "utf-8")
    msg["Date"] = format_datetime(now.astimezone())
    msg["X-Mailer"] = "wjexcel"
    msg.attach(MIMEText(body(plan, period, reporter, form.name, deadline, now.date()), "plain", "utf-8"))
    attachment = MIMEApplication(form.read_bytes(), XLSX_TYPE[1])
    attachment.add_header("Content-Disposition", "attachment", filename=("utf-8", "", form.name))
    msg.attach(attachment)
    return msg.as_bytes(policy=_CRLF)  # CRLF line ends, as mail files are stored


def draft_name(reporter: Reporter) -> str:
    """``七都镇.eml``: the reporter's name, fit for a Windows file name."""
    return (re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", reporter.name).strip(" .") or "_") + ".eml"


def write_draft(plan: Plan, period: Period, reporter: Reporter, form: Path, folder: Path, deadline: date,
                now: datetime) -> Path:
    """The draft of ``reporter``'s generated ``form`` into ``folder`` (which exists); generate writes
    each right after its form, in the process that wrote the form."""
    return write_bytes(folder / draft_name(reporter), draft(plan, period, reporter, form, deadline, now))
