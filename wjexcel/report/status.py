"""Who has reported for a period, shown one way for the CLI and the buttons, and the 催报 (reminder) text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from datetime import date, datetime

from wjexcel.report import timeliness as T
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan
from wjexcel.textmeasure import text_units


class Reporting(StrEnum):
    """A reporter's standing for a period; its value is the word ``status --json`` prints and the
    report shows (docs/规格说明.md §5.6)."""

    REPORTED = "已报送"
    RETURNED = "已退回"
    """Its latest file was returned for correction (an earlier accepted version still counts)."""
    NOT_REPORTED = "未报送"


@dataclass(frozen=True)
class ReporterStatus:
    """One reporter's state for a period."""

    reporter: str
    kind: str
    status: Reporting
    versions: int
    last_received: datetime | None
    note: str = ""
    timeliness: T.Timeliness = T.Timeliness(None, None, None)
    sender: str = ""  # the mail the latest file came in, if it came by mail
    sent_at: datetime | None = None

    def as_json(self) -> dict:
        t = self.timeliness
        return {
            "reporter": self.reporter,
            "kind": self.kind,
            "status": self.status.value,
            "versions": self.versions,
            "last_received": self.last_received.isoformat(timespec="seconds") if self.last_received else None,
            "deadline": t.deadline.isoformat() if t.deadline else None,
            "on_time": t.on_time,
            "days_late": t.days_late,
        }


def reporting_status(ws, period: Period, plan=None, today: date | None = None,
                     ledger: Ledger | None = None) -> list[ReporterStatus]:
    """Every reporter with a form for the period, in plan order: 已报送 / 未报送 / 已退回,
    with their 截止日期 and whether they were on time (:mod:`wjexcel.report.timeliness`).

    已退回 means the reporter's latest file was returned for correction; if an earlier
    version was accepted it still counts, and the note says so. ``ledger``: the workspace's
    ledger when the caller holds it open already.
    """
    plan = plan or workspace_plan(ws)
    plan.check_year(period.year)
    today = today or date.today()
    with Ledger.using(ws, ledger) as ledger:
        every = ledger.submissions(period.code)
        deadline = T.period_deadline(ledger, plan, period.code)
    subs = [s for s in every if s.verdict not in (Verdict.DUPLICATE, Verdict.IGNORED)]
    out = []
    for reporter in (r for r in plan.reporters if plan.indicators_for(r, period)):
        timely = T.judge(plan, deadline, [s for s in every if s.reporter == reporter.name], today)
        mine = [s for s in subs if s.reporter == reporter.name]
        last = max(mine, key=lambda s: s.received_at) if mine else None
        has_accepted = any(s.verdict == Verdict.ACCEPTED for s in mine)
        note = ""
        if last is not None and last.verdict == Verdict.REJECTED:
            status = Reporting.RETURNED
            if has_accepted:
                note = "最新一份被退回，之前接收的版本仍计入汇总"
        elif has_accepted:
            status = Reporting.REPORTED
        else:
            status = Reporting.NOT_REPORTED
        out.append(ReporterStatus(reporter.name, reporter.kind, status, len(mine),
                                  last.received_at if last else None, note, timely,
                                  last.sender if last else "", last.sent_at if last else None))
    return out


def status_summary(statuses: list[ReporterStatus]) -> str:
    """One line: ``19 家单位中已报送 16 家，已退回待改 1 家（震泽镇），未报送 2 家（平望镇、统计局）。``"""
    names = {st: [s.reporter for s in statuses if s.status == st] for st in Reporting}
    text = f"{len(statuses)} 家单位中已报送 {len(names[Reporting.REPORTED])} 家"
    if names[Reporting.RETURNED]:
        text += f"，已退回待改 {len(names[Reporting.RETURNED])} 家（{'、'.join(names[Reporting.RETURNED])}）"
    missing = names[Reporting.NOT_REPORTED]
    text += f"，未报送 {len(missing)} 家（{'、'.join(missing)}）" if missing else "，全部报送"
    timely = T.on_time_text([s.timeliness for s in statuses])
    return text + (f"；{timely}" if timely else "") + "。"


def status_listing(statuses: list[ReporterStatus]) -> list[str]:
    """One line per reporter: status, name, versions, last received, note."""
    width = max((int(text_units(s.reporter)) for s in statuses), default=0)
    lines = []
    for s in statuses:
        when = _when(s.last_received)
        pad = " " * (width - int(text_units(s.reporter)))
        extra = f"（{s.note}）" if s.note else ""
        timely = f"  {s.timeliness.label}" if s.timeliness.label else ""
        lines.append(f"{s.status}  {s.reporter}{pad}  版本数 {s.versions}  {when}{timely}{extra}".rstrip())
    return lines


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def period_note(ws, period: Period, statuses: list[ReporterStatus], ledger: Ledger | None = None) -> str:
    """What to say first when nothing has come in for ``period`` ("" once anything was received):
    that its forms were never generated, or that none has been received."""
    if any(s.versions for s in statuses):
        return ""
    with Ledger.using(ws, ledger) as ledger:
        forms = ledger.generated_forms(period.code)
        unknown = _returned_for_nobody(ledger, period, forms, {s.reporter for s in statuses})
    if not forms:
        return f"{period.label}尚未生成填报表，也没有收到任何报送。"
    if unknown:
        return (f"{period.label}尚未收到任何单位的报送（已生成填报表 {len(forms)} 份）；另有 {unknown} 个收到的文件"
                "认不出是哪家单位的，已退回，原因见收集结果。")
    return f"{period.label}尚未收到任何报送（已生成填报表 {len(forms)} 份）。"


def _returned_for_nobody(ledger: Ledger, period: Period, forms: list[dict], reporters: set[str]) -> int:
    """Files returned since the period's forms went out that name no reporter of the plan (not a form,
    unreadable, a unit the plan does not have): received, so "nothing received" would not be true."""
    if not forms:
        return 0
    since = min(str(f["generated_at"]).replace(" ", "T")[:19] for f in forms)  # ISO, to the second
    return sum(1 for s in ledger.submissions() if s.verdict is Verdict.REJECTED and s.reporter not in reporters
               and s.period in (period.code, None) and s.received_at.isoformat()[:19] >= since)


def status_text(plan, period: Period, statuses: list[ReporterStatus], deadline: str = "", note: str = "") -> str:
    """What ``wjexcel status`` and the 查看报送情况 button show: the summary, each reporter, the 催报 text,
    after ``note`` (see :func:`period_note`).

    ``deadline`` (the console's 截止日期 cell) is shown when given; otherwise the period's recorded one."""
    head = [f"注意：{note}"] if note else []
    head.append(f"报送情况（{period.label}）：{status_summary(statuses)}")
    recorded = _period_due(statuses)
    if deadline or recorded:
        head.append(f"报送截止日期：{deadline or recorded.isoformat()}")
    return "\n".join([*head, "", *status_listing(statuses), "", "催报文字（可复制到邮件或微信）：",
                      reminder_text(plan, period, statuses)])


def _period_due(statuses: list[ReporterStatus]) -> date | None:
    """The period's own 截止日期: the earliest reporter's (a 退回 only moves a reporter's date later, and a
    reporter with nothing sent has the period's date)."""
    return min((s.timeliness.deadline for s in statuses if s.timeliness.deadline), default=None)


def reminder_text(plan, period: Period, statuses: list[ReporterStatus]) -> str:
    """A ready-to-send 催报 message (email or 微信) naming who is missing or returned, and by when."""
    missing = [s.reporter for s in statuses if s.status == Reporting.NOT_REPORTED]
    returned = [s.reporter for s in statuses if s.status == Reporting.RETURNED]
    title = plan.short_name or plan.name
    if not missing and not returned:
        return f"{title}{period.label}填报：全部{len(statuses)}家单位均已报送，无需催报。"
    lines = [f"【催报】{title}{period.label}数据填报"]
    due = _period_due(statuses)
    if missing:
        late = any(s.timeliness.days_late for s in statuses if s.status == Reporting.NOT_REPORTED)
        due_text = f"（报送截止日期为{T.date_label(due)}{'，已逾期' if late else ''}）" if due else ""
        lines.append(f"以下单位尚未报送（{len(missing)}家）：{'、'.join(missing)}{due_text}。")
    if returned:
        dated = [s for s in statuses if s.status == Reporting.RETURNED]
        dates = "；".join(f"{s.reporter}请于{T.date_label(s.timeliness.deadline)}前" for s in dated
                         if s.timeliness.deadline)
        lines.append(f"以下单位的填报表已退回修改（{len(returned)}家）：{'、'.join(returned)}，"
                     "请按退回表中标红单元格的批注修改后重新报送" + (f"（{dates}）" if dates else "") + "。")
    contact = "，".join(x for x in (plan.contact, plan.phone) if x)
    lines.append("请尽快在原填报表中填写（不要改动表格结构、不要重命名工作表），"
                 f"加盖公章后将 Excel 文件和盖章扫描件一并发回{plan.lead_unit or ''}。"
                 + (f"联系人：{contact}。" if contact else ""))
    return "\n".join(lines)
