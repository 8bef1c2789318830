"""Collect: take back whatever came in, judge every file, lose nothing.

Files are identified by the signed metadata inside them, never by their names. Every
file that arrives is archived by SHA-256 before anything else happens, then recorded in
the ledger in one transaction with its verdict, problems and values. Originals in 收回/
are only ever read. Running collect again over the same inbox changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from wjexcel import filetypes
from wjexcel.errors import FormError, WjexcelError
from wjexcel.forms.layout import META_SHEET
from wjexcel.collect.ledger import ACCEPTED, DUPLICATE, IGNORED, REJECTED, SUPERSEDED, VERDICT_LABELS, Ledger
from wjexcel.collect.preflight import MAX_FILE_BYTES, MAX_NESTING_DEPTH
from wjexcel.problems import ERROR, WARNING, Problem

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ett", ".csv", ".ods", ".xlsb", ".xltx"}


@dataclass
class FileVerdict:
    """The verdict on one file seen by collect."""

    file: str
    status: str
    reporter: str | None = None
    period: str | None = None
    form_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    note: str = ""
    submission_id: int | None = None
    return_copy: str | None = None
    unchanged: bool = False  # seen in an earlier run: nothing recorded now
    container: bool = False  # a zip archive whose members follow as their own verdicts
    untrusted_date: bool = False  # its 填报日期 cannot be right and is not used

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "reporter": self.reporter,
            "period": self.period,
            "form_id": self.form_id,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
        }


@dataclass
class CollectResult:
    """Every verdict of one collect run."""

    verdicts: list[FileVerdict]

    def count(self, status: str, *, new_only: bool = False) -> int:
        """Files (not archives) with this verdict."""
        return sum(1 for v in self.verdicts
                   if v.status == status and not v.container and not (new_only and v.unchanged))

    @property
    def rejected(self) -> list[FileVerdict]:
        return [v for v in self.verdicts if v.status == REJECTED]

    @property
    def new_rejected(self) -> list[FileVerdict]:
        """Files this run rejected (files rejected by an earlier run are not counted again)."""
        return [v for v in self.rejected if not v.unchanged]

    @property
    def new(self) -> list[FileVerdict]:
        """Files recorded by this run (archives themselves not counted)."""
        return [v for v in self.verdicts if not v.unchanged and not v.container]

    def summary_text(self) -> str:
        if not self.verdicts:
            return "没有找到任何文件。请把收到的填报表（或压缩包、文件夹）放进“收回”文件夹后再运行。"
        files = [v for v in self.verdicts if not v.container]
        zips = len(self.verdicts) - len(files)
        new = sum(1 for v in files if not v.unchanged)
        parts = [f"共检查 {len(files)} 个文件（新收到 {new} 个" + (f"，另有压缩包 {zips} 个已逐个解开检查" if zips else "")
                 + "）"]
        for status in (ACCEPTED, REJECTED, SUPERSEDED, DUPLICATE, IGNORED):
            n = self.count(status)
            if n:
                parts.append(f"{VERDICT_LABELS[status]} {n} 个")
        returned = self.returned_text()
        return "，".join(parts) + "。" + (f"\n{returned}" if returned else "")

    def returned_text(self) -> str:
        """Which files were returned, why (the first error of each), and where the 退回 copies are."""
        if not self.rejected:
            return ""
        text = "被退回的文件：" + "；".join(
            f"{v.file}（{v.errors[0].message if v.errors else v.note}）" for v in self.rejected[:10])
        if len(self.rejected) > 10:
            text += f" 等 {len(self.rejected)} 个"
        return text + "\n退回表已写入“汇总/退回”文件夹（出错的单元格已标红并加批注），可直接发回填报单位修改。"


@dataclass(frozen=True)
class _Incoming:
    """One file to judge: its bytes, where it was found, and its modification time."""

    display: str
    data: bytes
    mtime: datetime | None


def collect(ws, paths=None, *, plan=None, progress=None) -> CollectResult:
    """Collect every file under ``paths`` (default: the workspace's 收回/ folder)."""
    plan = plan or ws.load_plan()
    key = ws.signing_key()
    roots = [Path(p) for p in paths] if paths else [ws.inbox]
    for root in roots:
        if not root.exists():
            raise WjexcelError(f"找不到“{root}”：请检查路径。")
    entries = list(_walk(ws, roots))
    verdicts: list[FileVerdict] = []
    with Ledger.open(ws) as ledger:
        for i, entry in enumerate(entries):
            if progress:
                progress(i, len(entries), entry[0])
            try:
                verdicts.extend(_judge_entry(ws, ledger, plan, key, entry))
            except Exception as exc:  # one file must never stop the run (its transaction rolled back)
                log.exception("collect failed on %s", entry[0])
                msg = (f"处理该文件时出现意外错误（{type(exc).__name__}），未入账，其余文件照常处理；"
                       "请把该文件另存或改名后重试，并告知维护人员")
                verdicts.append(FileVerdict(entry[0], REJECTED, problems=[Problem(msg, file=entry[0])], note=msg))
        if progress:
            progress(len(entries), len(entries), "")
        _refresh_statuses(ledger, verdicts)
    return CollectResult(verdicts)


# --- walking ----------------------------------------------------------------------------
def _skip_name(name: str) -> str | None:
    """Why a file name is skipped without being recorded, or None."""
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return "Excel/WPS/LibreOffice 打开文件时留下的临时锁定文件，已跳过"
    if name.startswith(".") or name.lower() in {"thumbs.db", "desktop.ini"}:
        return "隐藏文件或系统文件，已跳过"
    return None


LINK_NOTE = "快捷方式（符号链接），未读取：请把文件本身放进“收回”文件夹"


def _walk(ws, roots):
    """Yield (display path, path, skip reason) for every file under roots.

    Links found inside a folder are reported and never followed (they may point anywhere
    on the disk); a path the clerk names explicitly is read as given.
    """
    state = ws.state.resolve()
    for root in roots:
        root = Path(os.path.abspath(root))
        if root.is_file():
            yield ws.relative(root), root, _skip_name(root.name)
            continue
        for folder, dirs, files in os.walk(root):
            folder_p = Path(folder)
            links = [d for d in dirs if (folder_p / d).is_symlink()]
            dirs[:] = sorted(d for d in dirs if d not in links and not d.startswith(".")
                             and (folder_p / d).resolve() != state)
            for name in sorted(links):
                yield ws.relative(folder_p / name), folder_p / name, LINK_NOTE
            # Oldest first, so the first copy of a file mailed twice is the one that counts.
            for path in sorted((folder_p / n for n in files), key=_arrival_key):
                skip = LINK_NOTE if path.is_symlink() else _skip_name(path.name)
                yield ws.relative(path), path, skip


def _arrival_key(path: Path):
    try:
        return (path.stat().st_mtime_ns, path.name)
    except OSError:
        return (0, path.name)


def _judge_entry(ws, ledger, plan, key, entry) -> list[FileVerdict]:
    display, path, skip = entry
    if skip:
        return [FileVerdict(display, IGNORED, note=skip, unchanged=True)]
    try:
        info = path.stat()
        mtime = datetime.fromtimestamp(info.st_mtime)
        if info.st_size > MAX_FILE_BYTES:
            return [_too_big(ledger, display, path, info.st_size, mtime)]
        data = path.read_bytes()
    except OSError as exc:
        return [FileVerdict(display, IGNORED, note=f"无法读取该文件：{exc.strerror or exc}", unchanged=True)]
    return _judge(ws, ledger, plan, key, _Incoming(display, data, mtime), depth=0)


def _too_big(ledger, display, path, size, mtime) -> FileVerdict:
    """A file over the size limit: kept in the archive (streamed), never opened."""
    with ledger.transaction():
        sha = ledger.archive_file(path)
        seen = ledger.find(display, sha)
        if seen is not None:
            return _from_ledger(ledger, seen, display)[0]
        message = (f"文件过大（{size / (1 << 20):.0f} MB，上限 {MAX_FILE_BYTES >> 20} MB），不是正常的填报表，"
                   "未打开，已存档。请让填报单位重新发送原表")
        problem = Problem(message, file=display)
        sid = ledger.add_submission(sha256=sha, file=display, original_name=_name(display), file_mtime=mtime,
                                    verdict=REJECTED, problems=[problem])
    return FileVerdict(display, REJECTED, problems=[problem], note=message, submission_id=sid)


# --- judging ----------------------------------------------------------------------------
def _judge(ws, ledger, plan, key, incoming: _Incoming, depth: int) -> list[FileVerdict]:
    sha = hashlib.sha256(incoming.data).hexdigest()
    seen = ledger.find(incoming.display, sha)
    if seen is not None:
        head = _from_ledger(ledger, seen, incoming.display)
        if not _is_zip(incoming):
            return head
        head[0].container = seen.verdict == IGNORED
        return head + _judge_archive_again(ws, ledger, plan, key, incoming, depth)
    with tempfile.TemporaryDirectory(prefix="wjx_") as tmp:
        tmp_path = Path(tmp) / ("in" + _suffix(incoming.display))
        tmp_path.write_bytes(incoming.data)
        kind = filetypes.sniff(tmp_path)
        if kind.kind == filetypes.ZIP and not incoming.display.lower().endswith((".xlsx", ".xlsm")):
            return _judge_zip(ws, ledger, plan, key, incoming, sha, tmp_path, depth)
        with ledger.transaction():
            ledger.archive_bytes(sha, incoming.data)
            first = ledger.first_with_hash(sha)
            if first is not None:
                verdict = FileVerdict(incoming.display, DUPLICATE, first.reporter, first.period, first.form_id,
                                      note=f"与已收到的“{first.file}”内容完全相同，不重复计入")
                verdict.submission_id = ledger.add_submission(
                    sha256=sha, file=incoming.display, original_name=_name(incoming.display),
                    file_mtime=incoming.mtime, verdict=DUPLICATE, reporter=first.reporter,
                    reporter_kind=first.reporter_kind, period=first.period, form_id=first.form_id,
                    duplicate_of=first.id)
                return [verdict]
            verdict, reading = _read(ws, ledger, plan, key, incoming, tmp_path, kind)
            verdict.submission_id = _record(ledger, sha, incoming, verdict, reading)
            if verdict.status == ACCEPTED:
                ledger.resolve_versions(verdict.reporter, verdict.period)
        if verdict.status == REJECTED and verdict.reporter and verdict.period:
            verdict.return_copy = _return_copy(ws, ledger, verdict, tmp_path, kind.kind)
        return [verdict]


def _read(ws, ledger, plan, key, incoming, tmp_path, kind):
    """Read and check one would-be form; return (verdict, reading or None)."""
    display = incoming.display
    suffix = _suffix(display)
    if not kind.readable:
        if suffix in SPREADSHEET_SUFFIXES or kind.kind in (filetypes.ENCRYPTED, filetypes.XLSB):
            return FileVerdict(display, REJECTED, problems=[Problem(kind.message, file=display)],
                               note=kind.message), None
        return FileVerdict(display, IGNORED, note="不是 Excel 填报表（如盖章扫描件、说明文档），已存档备查"), None
    from wjexcel.collect.formread import read_form

    try:
        reading = read_form(tmp_path, plan, key=key, display_name=display)
    except FormError as exc:
        return FileVerdict(display, REJECTED, problems=[Problem(str(exc), file=display)], note=str(exc)), None
    except Exception as exc:  # never let one bad file take the run down
        log.exception("unexpected failure reading %s", display)
        msg = f"读取该文件时出现意外错误（{type(exc).__name__}），已存档；请让填报单位用 Excel 或 WPS 另存后重发"
        return FileVerdict(display, REJECTED, problems=[Problem(msg, file=display)], note=msg), None
    problems = list(reading.problems)
    ident = reading.identity
    if ident is None:
        if not any(p.severity == ERROR for p in problems):
            problems.append(Problem("不是本工具生成的填报表（找不到表单标识），请使用下发的填报表填写",
                                    file=display))
        return FileVerdict(display, REJECTED, problems=problems), reading
    verdict = FileVerdict(display, ACCEPTED, ident.reporter, ident.period, ident.form_id, problems=problems)
    known = ledger.generated_form(ident.form_id) is not None
    if not known and reading.signature_ok:
        verdict.problems.append(Problem("该表不在本工作区的分发记录中（可能由其他电脑上的工作区生成），"
                                        "签名有效，已接收", severity=WARNING, file=display))
    elif not known and reading.signature_status == "invalid":
        verdict.problems = [p for p in verdict.problems if not p.message.startswith("签名核验未通过")]
        verdict.problems.insert(0, Problem(
            "这张表不是本工作区发出的（表单编号不在分发记录中，签名也与本工作区不符），可能是其他科室或"
            "其他电脑生成的表。请让该单位使用本次下发的填报表重新填写", META_SHEET, file=display))
    if reading.signature_block and reading.signature_block.filled_on:
        _check_filled_on(verdict, reading)
    if any(p.severity == ERROR for p in verdict.problems):
        verdict.status = REJECTED
    return verdict, reading


def _check_filled_on(verdict, reading) -> None:
    """A 填报日期 after today or before the period began is a slip: say so, and do not let it
    decide which version is newest."""
    from wjexcel.periods import Period

    filled = reading.signature_block.filled_on
    try:
        period = Period.parse(verdict.period)
    except WjexcelError:
        return
    if filled > date.today():
        why = "晚于今天"
    elif filled < period.start_date:
        why = f"早于本期开始（{period.start_date:%Y-%m-%d}）"
    else:
        return
    verdict.untrusted_date = True
    verdict.problems.append(Problem(
        f"填报日期 {filled:%Y-%m-%d} {why}，可能填错了；判断哪一份是最新版本时不采用这个日期",
        "指标填报", severity=WARNING, file=verdict.file))


def _record(ledger, sha, incoming, verdict, reading) -> int:
    block = reading.signature_block if reading is not None else None
    return ledger.add_submission(
        sha256=sha, file=incoming.display, original_name=_name(incoming.display),
        file_mtime=incoming.mtime, verdict=verdict.status, reporter=verdict.reporter,
        reporter_kind=reading.identity.reporter_kind if reading is not None and reading.identity else None,
        period=verdict.period, form_id=verdict.form_id,
        filled_on=block.filled_on if block and not verdict.untrusted_date else None, filled_by=block.filled_by if block else "",
        phone=block.phone if block else "",
        signature=reading.signature_status if reading is not None else "",
        problems=verdict.problems or ([Problem(verdict.note, severity=WARNING)] if verdict.note else []),
        values=reading.values if reading is not None else [],
        details=reading.details if reading is not None else [],
    )


def _from_ledger(ledger, seen, display) -> list[FileVerdict]:
    problems = [Problem(r["message"], r["sheet"] or "", r["cell"] or "", r["severity"], display)
                for r in ledger.problems_of(seen.id)]
    return [FileVerdict(display, seen.verdict, seen.reporter, seen.period, seen.form_id, problems,
                        note="此前已收录，本次无变化", submission_id=seen.id, unchanged=True)]


def _refresh_statuses(ledger, verdicts) -> None:
    """A later file may have superseded an earlier one of this run: report final verdicts."""
    for v in verdicts:
        if v.submission_id is not None and v.status in (ACCEPTED, SUPERSEDED):
            row = ledger.conn.execute("SELECT verdict FROM submissions WHERE id=?", (v.submission_id,)).fetchone()
            if row is not None:
                v.status = row[0]
                if v.status == SUPERSEDED:
                    winner = ledger.conn.execute(
                        "SELECT file FROM submissions WHERE reporter=? AND period=? AND verdict=?",
                        (v.reporter, v.period, ACCEPTED)).fetchone()
                    v.note = (f"同一单位同一期间以“{winner[0]}”为准（填报日期更新，或无日期时收到更晚），"
                              "本份已被替代，仍保留存档") if winner else v.note


# --- zip archives -------------------------------------------------------------------------
def _is_zip(incoming: _Incoming) -> bool:
    return incoming.data[:4] == b"PK\x03\x04" and incoming.display.lower().endswith(".zip")


def _archive_problem(path: Path, label: str) -> str | None:
    """Why a zip archive must not be opened (bomb, too many members, bad names), or None."""
    from wjexcel.collect.preflight import check_zip

    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, label)
    except FormError as exc:
        return str(exc)
    except (zipfile.BadZipFile, OSError, EOFError):
        return f"“{label}”：压缩包已损坏，无法解压，请重新打包后发送"
    return None


def _judge_zip(ws, ledger, plan, key, incoming, sha, tmp_path, depth) -> list[FileVerdict]:
    problem = _archive_problem(tmp_path, incoming.display) if depth < MAX_NESTING_DEPTH else (
        f"“{incoming.display}”：压缩包嵌套超过 {MAX_NESTING_DEPTH} 层，请解压后直接发送表格")
    status = REJECTED if problem else IGNORED
    note = problem or "压缩包（已存档），其中的文件逐个检查如下"
    with ledger.transaction():
        ledger.archive_bytes(sha, incoming.data)
        sid = ledger.add_submission(sha256=sha, file=incoming.display, original_name=_name(incoming.display),
                                    file_mtime=incoming.mtime, verdict=status,
                                    problems=[Problem(note, severity=ERROR if problem else WARNING)])
    head = FileVerdict(incoming.display, status, problems=[Problem(problem, file=incoming.display)] if problem else [],
                       note=note, submission_id=sid, container=not problem)
    if problem:
        return [head]
    return [head] + _judge_members(ws, ledger, plan, key, incoming, tmp_path, depth)


def _judge_archive_again(ws, ledger, plan, key, incoming, depth) -> list[FileVerdict]:
    """A zip seen before: its members are reported (unchanged) too."""
    with tempfile.TemporaryDirectory(prefix="wjx_") as tmp:
        tmp_path = Path(tmp) / "in.zip"
        tmp_path.write_bytes(incoming.data)
        if _archive_problem(tmp_path, incoming.display):
            return []
        return _judge_members(ws, ledger, plan, key, incoming, tmp_path, depth)


def _judge_members(ws, ledger, plan, key, incoming, zip_path, depth) -> list[FileVerdict]:
    out: list[FileVerdict] = []
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            inner = _member_name(info)
            parts = PurePosixPath(inner).parts
            display = f"{incoming.display}/{inner}"
            if any(p.startswith("__MACOSX") for p in parts):
                continue
            skip = _skip_name(parts[-1])
            if skip:
                out.append(FileVerdict(display, IGNORED, note=skip, unchanged=True))
                continue
            data = zf.read(info)
            mtime = datetime(*info.date_time) if info.date_time[0] >= 1980 else None
            out.extend(_judge(ws, ledger, plan, key, _Incoming(display, data, mtime), depth + 1))
    return out


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; Windows zips without the UTF-8 flag carry GBK names."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/").lstrip("/")


def _suffix(display: str) -> str:
    return PurePosixPath(display).suffix.lower()


def _name(display: str) -> str:
    return PurePosixPath(display).name


def _return_copy(ws, ledger, verdict, tmp_path, kind) -> str | None:
    from wjexcel.collect.returns import write_return_copy

    try:
        path = write_return_copy(ws, verdict, tmp_path, kind)
    except (OSError, WjexcelError) as exc:
        log.warning("return copy failed for %s: %s", verdict.file, exc)
        return None
    return ws.relative(path) if path else None
