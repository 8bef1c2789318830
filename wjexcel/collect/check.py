"""``wjexcel check``: read returned forms and report every problem, recording nothing.

Inside a workspace the plan and the signing key come from it and the signature is
verified; elsewhere (a town checking its own form) the built-in plan is used and the
report says the signature was not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wjexcel.errors import FormError, WorkspaceError
from wjexcel.problems import ERROR, Problem

SIGNATURE_LABELS = {
    "valid": "签名核验通过",
    "invalid": "签名核验未通过：表格在可填写区域以外被改动，或被改成了其他单位的表",
    "unchecked": "未核验签名（不在工作区中运行，没有密钥）",
    "missing": "没有签名（不是本工具生成的填报表）",
}


@dataclass
class CheckResult:
    """The outcome of checking one file."""

    file: str
    reporter: str | None = None
    period: str | None = None
    form_id: str | None = None
    signature: str = ""
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
            "signature": self.signature,
            "blank": self.blank,
            "errors": [p.as_json() for p in self.problems if p.severity == ERROR],
            "warnings": [p.as_json() for p in self.problems if p.severity != ERROR],
        }

    def text(self) -> str:
        head = f"{self.file}：{self.reporter or '未知单位'} {self.period or ''}".rstrip()
        lines = [head]
        if self.signature:
            lines.append(f"  {SIGNATURE_LABELS.get(self.signature, self.signature)}")
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
    """Check each file; never raises for a bad file (its problems say what is wrong)."""
    from wjexcel.collect.formread import read_form
    from wjexcel.workspace import Workspace

    try:
        ws = Workspace.open(workspace)
        plan, key = ws.load_plan(), ws.signing_key()
    except WorkspaceError:
        if workspace:
            raise
        from wjexcel.plan.builtin import builtin_plan

        plan, key = builtin_plan(), None
    results = []
    for f in files:
        name = Path(f).name
        try:
            reading = read_form(Path(f), plan, key=key, display_name=name)
        except FormError as exc:
            results.append(CheckResult(name, problems=[Problem(str(exc), file=name)]))
            continue
        ident = reading.identity
        problems = list(reading.problems)
        if ident is None and not any(p.severity == ERROR for p in problems):
            problems.append(Problem("不是本工具生成的填报表（找不到表单标识）", file=name))
        blank = sum(1 for v in reading.values if v.value is None and not (v.raw or "").strip())
        results.append(CheckResult(name, ident.reporter if ident else None, ident.period if ident else None,
                                   ident.form_id if ident else None, reading.signature_status, problems, blank))
    return results
