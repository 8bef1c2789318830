"""Who has reported for a period, and the 催报 (reminder) text for those who have not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wjexcel.workspace.ledger import ACCEPTED, DUPLICATE, IGNORED, REJECTED, Ledger
from wjexcel.periods import Period
from wjexcel.plan.workbook import workspace_plan

REPORTED = "已报送"
RETURNED = "已退回"
MISSING = "未报送"
REPORTING_STATUSES = (REPORTED, RETURNED, MISSING)


@dataclass(frozen=True)
class ReporterStatus:
    """One reporter's state for a period."""

    reporter: str
    kind: str
    status: str
    versions: int
    last_received: datetime | None
    note: str = ""

    def as_json(self) -> dict:
        return {
            "reporter": self.reporter,
            "kind": self.kind,
            "status": self.status,
            "versions": self.versions,
            "last_received": self.last_received.isoformat(timespec="seconds") if self.last_received else None,
        }


def reporting_status(ws, period: str | Period, plan=None) -> list[ReporterStatus]:
    """Every reporter of the plan, in plan order: 已报送 / 未报送 / 已退回.

    已退回 means the reporter's latest file was returned for correction; if an earlier
    version was accepted it still counts, and the note says so.
    """
    period = Period.parse(str(period))
    plan = plan or workspace_plan(ws)
    plan.check_year(period.year)
    with Ledger.open(ws) as ledger:
        subs = [s for s in ledger.submissions(period.code) if s.verdict not in (DUPLICATE, IGNORED)]
    out = []
    for reporter in plan.reporters:
        mine = [s for s in subs if s.reporter == reporter.name]
        last = max(mine, key=lambda s: s.received_at) if mine else None
        has_accepted = any(s.verdict == ACCEPTED for s in mine)
        note = ""
        if last is not None and last.verdict == REJECTED:
            status = RETURNED
            if has_accepted:
                note = "最新一份被退回，之前接收的版本仍计入汇总"
        elif has_accepted:
            status = REPORTED
        else:
            status = MISSING
        out.append(ReporterStatus(reporter.name, reporter.kind, status, len(mine),
                                  last.received_at if last else None, note))
    return out


def reminder_text(ws, period: str | Period, plan=None, statuses=None) -> str:
    """A ready-to-send 催报 message (email or 微信) naming who is missing or returned."""
    period = Period.parse(str(period))
    plan = plan or workspace_plan(ws)
    statuses = statuses if statuses is not None else reporting_status(ws, period, plan)
    missing = [s.reporter for s in statuses if s.status == MISSING]
    returned = [s.reporter for s in statuses if s.status == RETURNED]
    title = plan.short_name or plan.name
    if not missing and not returned:
        return f"{title}{period.label}填报：全部{len(statuses)}家单位均已报送，无需催报。"
    lines = [f"【催报】{title}{period.label}数据填报"]
    if missing:
        lines.append(f"以下单位尚未报送（{len(missing)}家）：{'、'.join(missing)}。")
    if returned:
        lines.append(f"以下单位的填报表已退回修改（{len(returned)}家）：{'、'.join(returned)}，"
                     "请按退回表中标红单元格的批注修改后重新报送。")
    contact = "，".join(x for x in (plan.contact, plan.phone) if x)
    lines.append("请尽快在原填报表中填写（不要改动表格结构、不要重命名工作表），"
                 f"加盖公章后将 Excel 文件和盖章扫描件一并发回{plan.lead_unit or ''}。"
                 + (f"联系人：{contact}。" if contact else ""))
    return "\n".join(lines)
