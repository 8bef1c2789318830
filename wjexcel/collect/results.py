"""What one collect run says: the verdict on each file it saw (:class:`FileVerdict`) and the run's
summary for the clerk (:class:`CollectResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wjexcel.problems import ERROR, WARNING, Problem
from wjexcel.records import STORED_VERDICTS, Verdict


@dataclass
class FileVerdict:
    """The verdict on one file seen by collect, and why."""

    file: str
    status: Verdict
    reporter: str | None = None
    period: str | None = None
    form_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    note: str = ""
    submission_id: int | None = None
    return_copy: str | None = None
    other_period: str | None = None  # its period, when not the one being worked on (other_periods)
    correction: bool = False  # it replaces an earlier version of the reporter for its period
    final_period: bool = False  # its period is 定稿
    unchanged: bool = False  # seen in an earlier run: nothing recorded now
    container: bool = False  # a zip archive whose members follow as their own verdicts
    attributed: bool = True  # genuinely the reporter's it names (see verdict.Judgement.attributed)

    @property
    def deferred(self) -> bool:
        """Not judged in this run: left, unrecorded, for the next."""
        return self.status is Verdict.DEFERRED

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def as_json(self) -> dict:
        """One ``collect --json`` object (docs/规格说明.md §5.5), plus ``reason`` and ``return_copy``."""
        return {
            "file": self.file,
            "status": self.status.json_value,
            "reporter": self.reporter,
            "period": self.period,
            "form_id": self.form_id,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
            "reason": self.note,
            "return_copy": self.return_copy,
            "other_period": self.other_period,
            "correction": self.correction,
            "final_period": self.final_period,
        }


@dataclass
class CollectResult:
    """Every verdict of one collect run."""

    verdicts: list[FileVerdict]
    period: str | None = None  # the period being worked on: the one forms were last generated for
    stopped: str = ""
    """Why the run stopped before the end (the clerk's disk or folder refused a write), in
    Chinese; the files not recorded are among the verdicts as left for the next run."""

    def count(self, status: Verdict, *, new_only: bool = False) -> int:
        """Files (not archives) with this verdict; a file left for the next run has its own."""
        return sum(1 for v in self.verdicts if v.status == status and not v.container
                   and not (new_only and v.unchanged))

    @property
    def rejected(self) -> list[FileVerdict]:
        return [v for v in self.verdicts if v.status == Verdict.REJECTED]

    @property
    def new_rejected(self) -> list[FileVerdict]:
        """Files this run rejected (files rejected by an earlier run are not counted again)."""
        return [v for v in self.rejected if not v.unchanged]

    def period_lines(self, current: str | None = None) -> list[str]:
        """New files for a period other than ``current`` (default: :attr:`period`) or for a 定稿
        period, named as what they are."""
        from wjexcel.collect.other_periods import period_lines

        return period_lines(self.verdicts, current or self.period)

    @property
    def new(self) -> list[FileVerdict]:
        """Files recorded by this run (archives themselves not counted)."""
        return [v for v in self.verdicts if not v.unchanged and not v.container and not v.deferred]

    @property
    def deferred(self) -> list[FileVerdict]:
        """Files this run had no time (or inflate budget) left for: the next run checks them."""
        return [v for v in self.verdicts if v.deferred]

    def summary_text(self) -> str:
        if self.stopped:
            return f"本次收集没有完成：{self.stopped}" + (
                f"\n已入账 {len(self.new)} 个文件；其余 {len(self.deferred)} 个文件留待下次，清理后再运行一次“收集”即可继续。"
                if self.verdicts else "")
        if not self.verdicts:
            return "没有找到任何文件。请把收到的填报表（或压缩包、文件夹）放进“收回”文件夹后再运行。"
        files = [v for v in self.verdicts if not v.container and not v.deferred]
        mails = sum(1 for v in self.verdicts if v.container and v.note.startswith("邮件"))
        zips = sum(1 for v in self.verdicts if v.container) - mails
        new = sum(1 for v in files if not v.unchanged)
        opened = "、".join(x for x in (f"压缩包 {zips} 个" if zips else "", f"邮件 {mails} 封" if mails else "") if x)
        parts = [f"共检查 {len(files)} 个文件（新收到 {new} 个" + (f"，另有{opened}已逐个打开检查" if opened else "")
                 + "）"]
        for status in STORED_VERDICTS:
            n = self.count(status)
            if n:
                parts.append(f"{status.label} {n} 个")
        lines = ["，".join(parts) + "。", *self.period_lines()]
        if self.deferred:
            names = "、".join(v.file for v in self.deferred[:10]) + (f" 等 {len(self.deferred)} 个" if
                                                                      len(self.deferred) > 10 else "")
            lines.append(f"留待下次检查的文件：{names}（{self.deferred[0].note}）。再运行一次“收集”即可继续。")
        returned = self.returned_text()
        if returned:
            lines.append(returned)
        return "\n".join(lines)

    def returned_text(self, new_only: bool = False) -> str:
        """Which files were returned, why (the first error of each), and where the 退回 copies are:
        this run's returns first, then (unless ``new_only``) those an earlier run returned that are
        still in 收回, said as such (their copies were written then, not now)."""
        lines = []
        new = self.new_rejected
        if new:
            lines.append("被退回的文件：" + _returned(new))
            if any(v.return_copy for v in new):
                lines.append("退回表已写入“汇总/退回”文件夹（出错的单元格已标红并加批注），可直接发回填报单位修改。")
        earlier = [] if new_only else [v for v in self.rejected if v.unchanged]
        if earlier:
            lines.append("此前已退回的文件：" + _returned(earlier)
                         + ("。退回表是那时写的，仍在“汇总/退回”文件夹。" if any(v.return_copy for v in earlier) else "。"))
        return "\n".join(lines)


def _returned(verdicts: list[FileVerdict]) -> str:
    """``收回/七都镇.xlsx（“约12”不是确定的数字）；…`` — ten at most, then how many in all."""
    text = "；".join(f"{v.file}（{v.errors[0].message if v.errors else v.note}）" for v in verdicts[:10])
    return text + (f" 等 {len(verdicts)} 个" if len(verdicts) > 10 else "")
