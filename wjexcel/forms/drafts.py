"""Mail drafts: one ready-to-send ``.eml`` per reporter, the form attached.

``generate`` writes them to ``分发/<期间>/邮件/<单位>.eml``. ``X-Unsent: 1`` makes Outlook open
the file as an unsent draft (Send is one click); Foxmail and Thunderbird open it too. The
mail is built with the standard library's :mod:`email` (policy ``default``): the Chinese
subject as RFC 2047 words, the form's Chinese file name as RFC 2231 (``filename*=utf-8''…``),
the body UTF-8. To is the reporter's 邮箱 from the plan (blank: the clerk types it in).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from wjexcel.atomic import write_bytes
from wjexcel.periods import Period, chinese_date
from wjexcel.plan.model import Reporter
from wjexcel.plan.plan import Plan

DRAFTS_FOLDER = "邮件"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
    """One draft mail (RFC 5322 bytes, CRLF) with ``form`` attached under its own name."""
    msg = EmailMessage()
    msg["X-Unsent"] = "1"
    to = reporter.addresses
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = subject(plan, period, reporter, deadline)
    msg["Date"] = format_datetime(now.astimezone())
    msg["X-Mailer"] = "wjexcel"
    msg.set_content(body(plan, period, reporter, form.name, deadline, now.date()), charset="utf-8", cte="base64")
    msg.add_attachment(form.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=form.name)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line ends, as mail files are stored


def draft_name(reporter: Reporter) -> str:
    """``七都镇.eml``: the reporter's name, fit for a Windows file name."""
    return (re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", reporter.name).strip(" .") or "_") + ".eml"


def write_draft(plan: Plan, period: Period, reporter: Reporter, form: Path, folder: Path, deadline: date,
                now: datetime) -> Path:
    """The draft of ``reporter``'s generated ``form`` into ``folder`` (which exists); generate writes
    each right after its form, in the process that wrote the form."""
    return write_bytes(folder / draft_name(reporter), draft(plan, period, reporter, form, deadline, now))
