"""A period's forms in 分发/<期间>/: one per reporter, a 分发清单 and a zip ready to attach.

Forms generated before stay valid: a re-generate moves the old files into 旧版_<时间>/
(never deletes them), and every form sent is recorded in the ledger."""

from __future__ import annotations

import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from wjexcel import parallel
from wjexcel.atomic import is_locked, replace_file, verify_zip
from wjexcel.errors import FormsExistError, OutputLockedError, WjexcelError
from wjexcel.forms import layout as L
from wjexcel.forms.build import FormInfo, build_form
from wjexcel.forms.drafts import DRAFTS_FOLDER, write_draft
from wjexcel.forms.template import load_template
from wjexcel.periods import Period, chinese_time
from wjexcel.plan.deadline import default_deadline
from wjexcel.plan.model import DEPARTMENT, Reporter
from wjexcel.plan.plan import Plan
from wjexcel.plan.workbook import workspace_plan
from wjexcel.workspace.lock import holding_lock

@dataclass
class GenerateResult:
    """What ``generate_forms`` wrote."""

    period: str
    folder: Path
    forms: list[FormInfo] = field(default_factory=list)
    manifest: Path | None = None
    archive: Path | None = None
    replaced_to: Path | None = None
    deadline: date | None = None
    drafts: list[Path] = field(default_factory=list)

    def summary_text(self) -> str:
        """A short Chinese summary for the clerk."""
        districts = sum(1 for f in self.forms if f.reporter_kind != DEPARTMENT)
        departments = len(self.forms) - districts
        lines = [
            f"已生成 {self.period} 填报表 {len(self.forms)} 份（区镇 {districts} 份，部门 {departments} 份），"
            f"位于：{self.folder}",
        ]
        if self.manifest:
            lines.append(f"分发清单：{self.manifest.name}")
        if self.archive:
            lines.append(f"打包文件（可直接作为邮件附件）：{self.archive.name}")
        if self.deadline:
            lines.append(f"报送截止日期：{self.deadline:%Y-%m-%d}")
        if self.drafts:
            lines.append(f"邮件草稿 {len(self.drafts)} 封（附好填报表，双击用 Outlook 打开即可发送）："
                         f"{self.drafts[0].parent.name}/")
        if self.replaced_to:
            lines.append(f"原有文件已移到：{self.replaced_to.name}（已发出的旧表仍可正常收回）")
        return "\n".join(lines)


# --- a whole period ------------------------------------------------------------------------------
def form_file_name(plan: Plan, period: Period, reporter: Reporter) -> str:
    """``2022Q3_七都镇_科技创新指标填报表.xlsx``."""
    return f"{period.code}_{_safe(reporter.name)}_{_safe(plan.title_of_form)}.xlsx"


def _safe(name: str) -> str:
    """A name fit for a Windows file name."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .") or "_"


def _owner_file(name: str) -> bool:
    """Excel's ``~$…`` or LibreOffice's ``.~lock.…#``: there while a form is open, not a form."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def new_form_id(period: Period) -> str:
    """A unique, readable form id: ``2022Q3-9F3A1C2B7D``."""
    return f"{period.code}-{secrets.token_hex(5).upper()}"


@holding_lock("生成填报表")
def generate_forms(ws, period: Period | str, *, force: bool = False, progress=None,
                   plan: Plan | None = None, now: datetime | None = None,
                   workers: int | None = None, deadline: date | None = None) -> GenerateResult:
    """Generate every reporter's form for ``period`` into ``分发/<P>/``.

    Also writes ``分发清单_<P>.xlsx`` and a zip of the forms, and records every form in
    the ledger, so forms already sent stay valid after a re-generate.

    Args:
        ws: The workspace (its plan, key and folders).
        period: ``2022``, ``2022Q3``, ``2022-09`` or a Period.
        force: Replace existing forms; old files move to ``旧版_<time>/``, never deleted.
        progress: Optional ``progress(done, total, label)``.
        plan: Use this plan instead of the workspace's 计划.xlsx.
        now: The generation time (default: now).
        workers: Processes writing forms (default: :func:`wjexcel.parallel.workers_for`).
        deadline: The period's 截止日期 (default: the day of ``now`` + the plan's 报送期限（天））;
            printed on the forms and in the mail drafts, recorded in the ledger.

    Raises:
        FormsExistError: forms exist for the period and ``force`` is false.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    plan = plan or workspace_plan(ws)
    plan.check_year(period.year)
    now = now or datetime.now()
    generated = now.isoformat(timespec="seconds")
    folder = ws.outbox / period.code
    existing = sorted(p for p in folder.iterdir() if p.is_file() and not _owner_file(p.name)) if folder.is_dir() else []
    if existing and not force:
        raise FormsExistError(
            f"{period.label}的填报表已生成过（{ws.relative(folder)} 中已有 {len(existing)} 个文件），"
            "重新生成将替换这些文件（旧文件会移到“旧版_时间”文件夹，已发出的旧表仍可收回）。请确认后再重新生成。"
        )
    open_now = [p.name for p in existing if is_locked(p)]
    if open_now:
        raise OutputLockedError(f"{'、'.join(open_now[:3])}{'等' if len(open_now) > 3 else ''}正在 Excel 或 WPS 中打开，"
                                "无法替换。请先关闭，再重新生成（原有文件都没有改动）。")
    replaced_to = None
    if existing:
        replaced_to = folder / f"{L.OLD_FOLDER_PREFIX}{now.strftime('%Y%m%d_%H%M%S')}"
        replaced_to.mkdir(parents=True, exist_ok=True)
        for old in existing:
            shutil.move(str(old), str(replaced_to / old.name))
        if (folder / DRAFTS_FOLDER).is_dir():  # the old drafts carry the old forms
            shutil.move(str(folder / DRAFTS_FOLDER), str(replaced_to / DRAFTS_FOLDER))
    folder.mkdir(parents=True, exist_ok=True)
    key = ws.signing_key()
    reporters = [r for r in plan.reporters if plan.indicators_for(r, period)]
    deadline = deadline or default_deadline(plan, now.date())
    result = GenerateResult(period.code, folder, replaced_to=replaced_to, deadline=deadline)
    jobs = [(reporter.name, folder / form_file_name(plan, period, reporter), new_form_id(period))
            for reporter in reporters]
    from wjexcel.workspace.ledger import Ledger

    with Ledger.open(ws) as ledger:  # every id is known before its form exists: a crash leaves no stranger
        ledger.record_generated([
            {"form_id": form_id, "reporter": name, "period": period.code, "file": ws.relative(path),
             "generated_at": generated, "plan_version": str(plan.version),
             "indicators": [i.code for i in plan.indicators_for(plan.reporter(name), period)]}
            for name, path, form_id in jobs])
    if progress:
        progress(0, len(jobs), jobs[0][0] if jobs else "")

    def advance(done: int) -> None:
        if progress:
            progress(done, len(jobs), jobs[done][0] if done < len(jobs) else "")

    drafts = folder / DRAFTS_FOLDER
    drafts.mkdir(parents=True, exist_ok=True)
    built = parallel.results(_build_one, jobs, _form_context,
                             (plan, period, key, generated, load_template(), deadline, drafts, now),
                             workers=workers, progress=advance)
    result.forms = [form for form, _ in built]
    result.drafts = [draft for _, draft in built]
    result.manifest = _write_manifest(plan, period, result.forms, folder)
    result.archive = _write_zip(plan, period, result.forms, folder)
    with Ledger.open(ws) as ledger:
        ledger.record_deadline(period.code, deadline)
        ledger.record_generated([
            {"form_id": f.form_id, "reporter": f.reporter, "reporter_kind": f.reporter_kind, "period": f.period,
             "file": ws.relative(f.path), "generated_at": f.generated_at, "indicators": f.indicators,
             "plan_id": f.plan_id, "plan_version": f.plan_version, "template_version": f.template_version}
            for f in result.forms
        ])
    return result


def _form_context(plan: Plan, period: Period, key: bytes, generated: str, template, deadline, drafts: Path,
                  now: datetime) -> tuple:
    return plan, period, key, generated, template, deadline, drafts, now


def _build_one(context: tuple, job: tuple) -> tuple[FormInfo, Path]:
    """One form and its mail draft, in this process or a worker."""
    plan, period, key, generated, template, deadline, drafts, now = context
    name, path, form_id = job
    reporter = plan.reporter(name)
    form = build_form(plan, reporter, period, key, path, generated_at=generated, form_id=form_id,
                      template=template, deadline=deadline)
    return form, write_draft(plan, period, reporter, form.path, drafts, deadline, now)


def _write_manifest(plan: Plan, period: Period, forms: list[FormInfo], folder: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = L.MANIFEST_PREFIX
    ws.append([f"{period.label}填报表分发清单（{plan.short_name or plan.name}）"])
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    headers = ["序号", "填报单位", "类型", "文件名", "表单编号", "指标数", "填报指标", "明细表", "生成时间"]
    ws.append(headers)
    for n, f in enumerate(forms, start=1):
        kind = "区镇" if f.reporter_kind != DEPARTMENT else "部门"
        names = "、".join(f"{c} {plan.indicator(c).name}" for c in f.indicators)
        row = [n, f.reporter, kind, f.path.name, f.form_id, len(f.indicators), names,
               "、".join(f.detail_lists) or "—", chinese_time(datetime.fromisoformat(f.generated_at))]
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in ws[2]:
        cell.font = Font(name="黑体", bold=True)
    for letter, width in zip("ABCDEFGHI", (6, 24, 8, 46, 20, 8, 60, 30, 24)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    path = folder / f"{L.MANIFEST_PREFIX}_{period.code}.xlsx"
    replace_file(path, wb.save, lambda tmp: verify_zip(tmp, path.name))
    return path


def _write_zip(plan: Plan, period: Period, forms: list[FormInfo], folder: Path) -> Path:
    """All forms of the period in one zip; Chinese member names carry the UTF-8 flag."""
    path = folder / f"{period.code}_全部{_safe(plan.title_of_form)}.zip"

    def build(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w") as zf:
            for f in forms:
                info = zipfile.ZipInfo(f.path.name, date_time=datetime.now().timetuple()[:6])
                info.flag_bits |= 0x800
                info.compress_type = zipfile.ZIP_STORED  # a workbook is compressed already
                zf.writestr(info, f.path.read_bytes())

    replace_file(path, build, lambda tmp: verify_zip(tmp, path.name))
    return path


def open_drafts(ws, period: Period | str) -> str:
    """Open the period's mail drafts folder (Windows Explorer) and say where it is and what is in it.

    Raises:
        WjexcelError: no drafts were written for the period (its forms were not generated).
    """
    import os
    import sys

    period = Period.parse(period) if isinstance(period, str) else period
    folder = ws.outbox / period.code / DRAFTS_FOLDER
    mails = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    if not mails:
        raise WjexcelError(f"{period.label}还没有邮件草稿（{ws.relative(folder)}）：请先“生成填报表”。")
    text = f"{period.label}的邮件草稿 {len(mails)} 封在：{folder}\n双击一封即在 Outlook 中打开（已附好填报表），核对收件人后点“发送”。"
    if sys.platform == "win32":
        try:
            os.startfile(folder)  # noqa: S606 - the clerk's own folder
        except OSError:
            text += "\n（未能自动打开文件夹，请按上面的位置打开。）"
    return text
