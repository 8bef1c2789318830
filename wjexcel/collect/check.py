"""``wjexcel check``: read returned forms and report every problem, recording nothing.

Inside a workspace the plan and the signing key come from it and the signature is
verified; elsewhere (a town checking its own form) the plan facts signed into the form
are used and the report says the signature was not checked. The decision is the one
``collect`` makes (:mod:`wjexcel.collect.verdict`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from wjexcel.collect.inbox import not_readable
from wjexcel.collect.verdict import Claims, judge_filetype, judge_reading, judge_unreadable
from wjexcel.errors import FormError, WorkspaceError, os_reason
from wjexcel.filetypes import sniff
from wjexcel.problems import ERROR, Code, Problem
from wjexcel.records import Signature

log = logging.getLogger(__name__)

NOT_A_FORM_CHECKED = "不是 Excel 填报表（如盖章扫描件、说明文档），没有可检查的内容；报送时请同时发送填好的 Excel 填报表"
"""``check`` records nothing, so it never says a file was archived (``collect`` does)."""


@dataclass
class CheckResult:
    """The outcome of checking one file."""

    file: str
    reporter: str | None = None
    period: str | None = None
    form_id: str | None = None
    signature: Signature | None = None
    problems: list[Problem] = field(default_factory=list)
    blank: int = 0  # indicator value cells left empty

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "status": "error" if self.has_errors else "ok",
            "reporter": self.reporter,
            "period": self.period,
            "form_id": self.form_id,
            "signature": self.signature.value if self.signature else "",
            "blank": self.blank,
            "errors": [p.as_json() for p in self.problems if p.severity == ERROR],
            "warnings": [p.as_json() for p in self.problems if p.severity != ERROR],
        }

    def text(self) -> str:
        head = f"{self.file}：{self.reporter or '未知单位'} {self.period or ''}".rstrip()
        lines = [head]
        if self.signature:
            lines.append(f"  {self.signature.label}")
        errors = [p for p in self.problems if p.severity == ERROR]
        warnings = [p for p in self.problems if p.severity != ERROR]
        for p in errors:
            lines.append(f"  错误：{p.located(with_file=False)}")
        for p in warnings:
            lines.append(f"  提示：{p.located(with_file=False)}")
        if errors:
            lines.append(f"  共 {len(errors)} 处错误，请修改后再报送。")
        elif self.blank:
            lines.append(f"  没有错误，但还有 {self.blank} 项未填写：确实没有数据的可以报送，否则请补填后再报送。")
        elif warnings:
            lines.append(f"  没有错误（{len(warnings)} 条提示，请看一眼），可以报送。")
        else:
            lines.append("  检查通过，可以报送。")
        return "\n".join(lines)




def check_files(files, workspace=None) -> list[CheckResult]:
    """Check each file as ``collect`` would judge it, recording nothing; never raises for a bad file.

    Inside a workspace the plan, the signing key and the forms sent come from it; outside
    (a town checking its own form) the plan facts signed into the form are used and the
    signature is not checked.
    """
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.workspace import Workspace

    try:
        ws = Workspace.open(workspace)
    except WorkspaceError:
        if workspace:
            raise
        ws = None
    plan, key = (workspace_plan(ws), ws.signing_key()) if ws is not None else (None, None)
    results = []
    for f in files:
        name = Path(f).name
        results.append(_check_one(Path(f), name, plan, key, ws))
    return results


MAIL_NOTE = ("这是一封邮件（.eml 或 Outlook 的 .msg），不是填报表。请把邮件中的附件另存后再检查，"
             "或把邮件放进“收回”文件夹，由“收集”逐个检查其中的附件")


def _is_mail(path: Path) -> bool:
    from wjexcel.collect.mail import sniff as sniff_mail
    from wjexcel.collect.preflight import MAX_FILE_BYTES

    return path.stat().st_size <= MAX_FILE_BYTES and sniff_mail(path.read_bytes()) is not None


def _check_one(path: Path, name: str, plan, key, ws) -> CheckResult:
    """One file's result; whatever goes wrong stays this file's result."""
    from wjexcel.collect.formread import read_form

    skip = not_readable(path, follow=True)
    if skip:  # a pipe named on the command line would block the whole check
        return CheckResult(name, problems=[Problem(skip, file=name, code=Code.FILE_UNREADABLE)])
    try:
        kind = sniff(path)
        if not kind.readable and _is_mail(path):
            return CheckResult(name, problems=[Problem(MAIL_NOTE, file=name, code=Code.FILE_NOT_SPREADSHEET)])
        if not kind.readable:
            judgement = judge_filetype(kind, name)
            return CheckResult(name, problems=judgement.problems or [Problem(NOT_A_FORM_CHECKED, file=name,
                                                                             code=Code.FILE_NOT_SPREADSHEET)])
        try:
            reading = read_form(path, plan, key=key, display_name=name)
        except FormError as exc:
            return CheckResult(name, problems=judge_unreadable(exc, name).problems)
        ident = reading.identity
        judgement = judge_reading(reading, sent=_sent(ws, ident.form_id) if ident and ws else None,
                                  reporters=[r.name for r in plan.reporters] if plan is not None else (),
                                  claims=Claims(file_name=name))
    except OSError as exc:
        return CheckResult(name, problems=[Problem(f"无法读取该文件：{os_reason(exc)}", file=name,
                                                   code=Code.FILE_UNREADABLE)])
    except Exception:  # never let one bad file take the others down
        log.exception("check failed on %s", name)
        return CheckResult(name, problems=[Problem("检查这个文件时程序出错，未能判断（其余文件照常检查）。请用 Excel 或 "
                                                   "WPS 另存为 .xlsx 后重试，并把该文件和调试日志 debug.log 发给维护人员",
                                                   file=name, code=Code.FILE_INTERNAL)])
    blank = sum(1 for v in reading.values if v.value is None and not (v.raw or "").strip())
    return CheckResult(name, ident.reporter if ident else None, ident.period if ident else None,
                       ident.form_id if ident else None, reading.signature_status, judgement.problems, blank)


def _sent(ws, form_id: str) -> bool:
    from wjexcel.workspace.ledger import Ledger

    with Ledger.open(ws) as ledger:
        return ledger.generated_form(form_id) is not None
