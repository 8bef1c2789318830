"""Collect: take back whatever came in, judge every file, lose nothing.

Files are identified by the signed metadata inside them, never by their names, and what a
file is (a form, an archive, a scan) by its bytes, never by its extension. Every file that
arrives in 收回/ is archived by SHA-256 before it is recorded in the ledger, in one
transaction with its verdict, the reason for it, its problems and values. What is archived
is what was received: a member of an archive gets its own copy only when it is a form;
everything else stays inside the archive that brought it. Originals in 收回/ are only ever
read. Running collect again over the same inbox opens nothing and changes nothing: an
archive seen before reports its members from the ledger.

One run is bounded: it spends at most :data:`~wjexcel.collect.limits.RUN_SECONDS` (each file is bounded on its
own by the reader) and inflates at most :data:`~wjexcel.collect.limits.INFLATE_BYTES`
out of archives. What it cannot start within those bounds is left, untouched and
unrecorded, for the next run, and the clerk is told which files and why; an archive whose
walk was cut short is opened again by the next run for the members still waiting.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from wjexcel import filetypes, parallel
from wjexcel.collect import mail as M
from wjexcel.collect import verdict as V
from wjexcel.collect.containers import Containers, Incoming, from_ledger, left_for_next_run
from wjexcel.collect.inbox import Entry, walk
from wjexcel.collect.limits import INFLATE_BYTES, RUN_SECONDS, Limits
from wjexcel.collect.preflight import MAX_FILE_BYTES
from wjexcel.collect.readahead import WORKER_DIED, ReadAhead, reader_context
from wjexcel.collect.results import CollectResult, FileVerdict
from wjexcel.collect.versions import resolve_versions
from wjexcel.errors import (DiskProblem, FormError, OutputLockedError, PeriodError, WjexcelError, disk_refusal_in,
                            os_reason)
from wjexcel.periods import Period
from wjexcel.plan.deadline import return_deadline
from wjexcel.problems import Code, Problem
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger
from wjexcel.workspace.schema import disk_problem_of

log = logging.getLogger(__name__)

OWNER_FILE_BYTES = 4096
"""Excel's ``~$`` owner file is 162-165 bytes, LibreOffice's ``.~lock…#`` a line of text."""
OWNER_NOTE = "Excel/WPS/LibreOffice 打开文件时留下的临时锁定文件（不是填报表），已存档备查"
INTERNAL_NOTE = ("检查这个文件时程序出错，未能判断（其余文件照常处理）。请让填报单位用 Excel 或 WPS "
                 "另存为 .xlsx 后重新发送，并把工作区 .wjexcel\\logs 文件夹中的 debug.log 发给维护人员")
STOPPED_NOTE = "本次收集因上述原因停止，这个文件还没有检查（或未能入账），留待下次运行“收集”时检查（文件原样保留在“收回”中）"


def collect(ws, paths=None, *, plan=None, progress=None, time_budget: float | None = RUN_SECONDS,
            inflate_budget: int = INFLATE_BYTES, workers: int | None = None, ledger: Ledger | None = None) -> CollectResult:
    """Collect every file under ``paths`` (default: the workspace's 收回/ folder).

    Args:
        ws: The workspace (its lock is held for the run: a second clerk is refused).
        paths: Files or folders to collect instead of 收回/.
        plan: The plan (default: the workspace's 计划.xlsx).
        progress: ``progress(done, total, label)``, called before each file is read, the
            label naming it (a member of an archive too).
        time_budget: Seconds this run may spend (``None``: no limit); files it cannot start
            in time are reported as left for the next run.
        inflate_budget: Bytes this run may inflate out of archives in all; members that do
            not fit are reported as left for the next run (the first file is always judged).
        workers: Processes reading files ahead (default: :func:`wjexcel.parallel.workers_for`
            the number of files); the ledger is written by this process alone, in walk order.
        ledger: The workspace's ledger, already open (one ``wjexcel run`` opens it once); default: opened here.
    """
    from wjexcel.collect.other_periods import mark as mark_periods
    from wjexcel.plan.workbook import workspace_plan

    with ws.lock("收集"):
        plan = plan or workspace_plan(ws)
        roots = [Path(p) for p in paths] if paths else [ws.inbox]
        for root in roots:
            if not root.exists() and not root.is_symlink():
                raise WjexcelError(f"找不到“{root}”：请检查路径。")
        entries = walk(ws, roots)
        verdicts: list[FileVerdict] = []
        key = ws.signing_key()
        stopped: DiskProblem | None = None
        current = ahead = None
        try:
            with (Ledger.using(ws, ledger) as ledger, ledger.batch(),
                  parallel.Workers(parallel.workers_for(len(entries)) if workers is None else workers,
                                   reader_context, (plan, key)) as pool):
                judge = _Collector(ws, ledger, plan, key, Limits(time_budget, inflate_budget), progress)
                judge.ahead = ahead = ReadAhead(pool, entries, ledger, judge.limits)
                for i, entry in enumerate(entries):
                    judge.position = (i, len(entries))
                    judge.say(entry.display)
                    try:
                        verdicts.extend(judge.entry(entry))
                    except DiskProblem as exc:  # the clerk's disk: stop, leave the rest for the next run
                        log.warning("collect stopped at %s: %s", entry.display, exc, exc_info=exc.__cause__ is not None)
                        stopped = exc
                        verdicts.extend(left_for_next_run(e.display, STOPPED_NOTE) for e in entries[i:] if not e.skip)
                        break
                if progress:
                    progress(len(entries), len(entries), "")
                _refresh_statuses(ledger, verdicts)
                current = mark_periods(ledger, verdicts)
        except Exception as exc:  # the last commit failed for the disk's sake
            problem = exc if isinstance(exc, DiskProblem) else disk_problem_of(ws, exc)
            if problem is None:
                raise
            log.warning("collect could not commit: %s", exc, exc_info=True)
            stopped = stopped or problem
            verdicts = _unrecordedleft_for_next_run(ws, verdicts)
        finally:
            if ahead is not None:
                ahead.close()
    return CollectResult(verdicts, period=current, stopped=str(stopped) if stopped else "")


def _unrecordedleft_for_next_run(ws, verdicts: list[FileVerdict]) -> list[FileVerdict]:
    """After a failed commit: the verdicts the ledger does not hold are files left for the next
    run, and their 退回 copies (written for a record that is not there) are removed."""
    try:
        with Ledger.open(ws) as ledger:
            kept = {v.submission_id for v in verdicts
                    if v.submission_id is not None and ledger.verdict_of(v.submission_id) is not None}
    except Exception:  # noqa: BLE001 - cannot even read it back: nothing of this run counts as recorded
        log.warning("ledger not readable after a failed commit", exc_info=True)
        kept = set()
    out = []
    for v in verdicts:
        if v.unchanged or v.deferred or v.submission_id in kept:
            out.append(v)
            continue
        if v.return_copy:
            (ws.root / v.return_copy).unlink(missing_ok=True)
        if not v.container:
            out.append(left_for_next_run(v.file, STOPPED_NOTE))
    return out



class _Collector(Containers):
    """Judges and records the files of one collect run."""

    def __init__(self, ws, ledger: Ledger, plan, key: bytes, limits: Limits, progress=None):
        self.ws, self.ledger, self.plan, self.key = ws, ledger, plan, key
        self.reporter_names = [r.name for r in plan.reporters]
        self.limits, self.progress = limits, progress
        self.position = (0, 0)
        self.ahead: ReadAhead | None = None

    def say(self, label: str) -> None:
        """Tell the progress display which file is being read now."""
        if self.progress:
            self.progress(*self.position, label)

    # --- files in 收回 ------------------------------------------------------------------
    def entry(self, entry: Entry) -> list[FileVerdict]:
        """One file of the walk; whatever goes wrong stays this file's verdict."""
        if entry.skip:
            return [FileVerdict(entry.display, Verdict.IGNORED, note=entry.skip, unchanged=True)]
        try:
            info = entry.path.stat()
            mtime = datetime.fromtimestamp(info.st_mtime)
            if info.st_size > MAX_FILE_BYTES:
                return [self._too_big(entry.display, entry.path, info.st_size, mtime)]
            door = self.ahead.claim(entry.display) if self.ahead is not None else None
            data = door.data if door is not None else entry.path.read_bytes()
        except OSError as exc:
            return [FileVerdict(entry.display, Verdict.IGNORED, note=f"无法读取该文件：{os_reason(exc)}", unchanged=True)]
        except DiskProblem:
            raise
        except Exception as exc:  # archiving a huge file failed in the ledger: this file only, tried again next run
            stop = self._disk_problem(exc)
            if stop is not None:
                raise stop from exc
            log.exception("collect failed on %s", entry.display)
            return [FileVerdict(entry.display, Verdict.REJECTED, note=INTERNAL_NOTE, problems=[
                Problem(INTERNAL_NOTE, file=entry.display, code=Code.FILE_INTERNAL)])]
        try:
            return self.incoming(Incoming(entry.display, data, mtime, sha256=door.sha256 if door else "",
                                          kind=door.kind if door else None))
        finally:
            if self.ahead is not None:
                self.ahead.forget(entry.display)

    def incoming(self, inc: Incoming) -> list[FileVerdict]:
        try:
            return self._incoming(inc)
        except DiskProblem:
            raise  # the clerk's disk, not this file: the run stops (this file's transaction rolled back)
        except Exception as exc:  # one file must never stop the run (its transaction rolled back)
            stop = self._disk_problem(exc)
            if stop is not None:
                raise stop from exc
            log.exception("collect failed on %s", inc.display)
            return [self._internal_error(inc)]

    def _disk_problem(self, exc: BaseException) -> DiskProblem | None:
        """The clerk's disk or folder refusing a write while this file was judged, or None."""
        from wjexcel.atomic import disk_problem

        problem = disk_problem_of(self.ws, exc)
        refused = disk_refusal_in(exc) if problem is None else None
        if refused is not None:
            where = Path(refused.filename).parent if getattr(refused, "filename", None) else None
            problem = disk_problem(self.ws.relative(where) if where is not None else self.ws.relative(self.ws.root),
                                   refused)
        return problem

    def _incoming(self, inc: Incoming) -> list[FileVerdict]:
        sha = inc.sha256 or hashlib.sha256(inc.data).hexdigest()
        kind = inc.kind or filetypes.sniff(inc.data)
        seen = self.ledger.find(inc.display, sha)
        if kind.kind == filetypes.ZIP:
            return self._archive(inc, sha, seen)
        if not kind.readable and kind.kind != filetypes.EMPTY and M.sniff(inc.data):
            return self._mail(inc, sha, seen)
        if seen is not None:
            return [from_ledger(self.ledger, seen, inc.display)]
        if kind.readable and self.limits.out_of_time() and self.ledger.first_with_hash(sha) is None:
            return [left_for_next_run(inc.display, self.limits.time_note())]
        return [self._file(inc, sha, kind)]

    def _too_big(self, display, path, size, mtime) -> FileVerdict:
        """A file over the size limit: kept in the archive (streamed), never opened."""
        with self.ledger.transaction():
            sha = self.ledger.archive_file(path)
            seen = self.ledger.find(display, sha)
            if seen is not None:
                return from_ledger(self.ledger, seen, display)
            message = (f"文件过大（{size / (1 << 20):.0f} MB，上限 {MAX_FILE_BYTES >> 20} MB），不是正常的填报表，"
                       "未打开，已存档。请让填报单位重新发送原表")
            problem = Problem(message, file=display, code=Code.FILE_TOO_BIG)
            sid = self.ledger.add_submission(sha256=sha, file=display, original_name=PurePosixPath(display).name,
                                             file_mtime=mtime, verdict=Verdict.REJECTED, problems=[problem],
                                             note=message)
        return FileVerdict(display, Verdict.REJECTED, problems=[problem], note=message, submission_id=sid)

    def _internal_error(self, inc: Incoming) -> FileVerdict:
        """A file whose judging failed unexpectedly: archived and recorded as returned, with
        the reason in Chinese (the details are in the debug log)."""
        problem = Problem(INTERNAL_NOTE, file=inc.display, code=Code.FILE_INTERNAL)
        sid = None
        try:
            with self.ledger.transaction():
                sha = hashlib.sha256(inc.data).hexdigest()
                self._keep(inc, sha, own_copy=True)
                sid = self._record(inc, sha, Verdict.REJECTED, INTERNAL_NOTE, [problem])
        except Exception:  # the ledger itself failed: the file stays unrecorded and is tried again next run
            log.exception("could not record the failure of %s", inc.display)
        return FileVerdict(inc.display, Verdict.REJECTED, problems=[problem], note=INTERNAL_NOTE, submission_id=sid)

    # --- one file ---------------------------------------------------------------------
    def _keep(self, inc: Incoming, sha: str, own_copy: bool) -> None:
        """Archive what was received: a file in 收回, or an archive member that is a form;
        anything else inside an archive is kept by the archive that brought it."""
        if inc.depth == 0 or own_copy:
            written = self.ahead.written(inc.display) if self.ahead is not None and inc.depth == 0 else None
            self.ledger.archive_bytes(sha, inc.data, written)
        else:
            self.ledger.note_member_blob(sha, len(inc.data), inc.container_sha, inc.name)

    def _record(self, inc: Incoming, sha: str, status: Verdict, note: str, problems=(), **fields) -> int:
        return self.ledger.add_submission(
            sha256=sha, file=inc.display, original_name=inc.name, file_mtime=inc.mtime, verdict=status,
            note=note, problems=problems, container_id=inc.container_id, sender=inc.sender, sent_at=inc.sent_at,
            **fields)

    def _file(self, inc: Incoming, sha: str, kind: filetypes.FileType) -> FileVerdict:
        self.limits.judged += 1
        with self.ledger.transaction():
            if _owner_file(inc, kind):
                self._keep(inc, sha, own_copy=False)
                sid = self._record(inc, sha, Verdict.IGNORED, OWNER_NOTE)
                return FileVerdict(inc.display, Verdict.IGNORED, note=OWNER_NOTE, submission_id=sid)
            first = self.ledger.first_with_hash(sha)
            if first is not None:
                self._keep(inc, sha, own_copy=False)
                note = f"与已收到的“{first.file}”内容完全相同，不重复计入"
                sid = self._record(inc, sha, Verdict.DUPLICATE, note, reporter=first.reporter,
                                   reporter_kind=first.reporter_kind, period=first.period, form_id=first.form_id,
                                   duplicate_of=first.id)
                return FileVerdict(inc.display, Verdict.DUPLICATE, first.reporter, first.period, first.form_id,
                                   note=note, submission_id=sid)
            if not kind.readable:
                judgement, reading = V.judge_filetype(kind, inc.display), None
            else:
                judgement, reading = self._read(inc, kind)
            self._keep(inc, sha, own_copy=reading is not None and reading.identity is not None)
            verdict = self._store(inc, sha, judgement, reading)
            if verdict.status == Verdict.ACCEPTED:
                resolve_versions(self.ledger, verdict.reporter, verdict.period)
            if (verdict.status == Verdict.REJECTED and (verdict.reporter or not verdict.attributed)
                    and _valid_period(verdict.period) and reading is not None):
                verdict.return_copy = self._return_copy(verdict, inc, reading.kind)
        return verdict

    def _read(self, inc: Incoming, kind: filetypes.FileType):
        """Read and judge one would-be form (its bytes sniffed as ``kind``): (judgement, reading or None)."""
        from wjexcel.collect.formread import read_form

        done = self.ahead.take(inc.display) if self.ahead is not None and inc.depth == 0 else None
        if done is None or done == WORKER_DIED:  # a file that killed a worker is read the careful way
            try:
                done = read_form(PurePosixPath(inc.display).name, self.plan, key=self.key,
                                 display_name=inc.display, data=inc.data, filetype=kind,
                                 careful=done == WORKER_DIED), None
            except FormError as exc:
                done = None, (str(exc), exc.code)
        reading, error = done
        if error is not None:
            return V.judge_unreadable(FormError(*error), inc.display), None
        ident = reading.identity
        sent = self.ledger.generated_form(ident.form_id) is not None if ident is not None else None
        return V.judge_reading(reading, sent=sent, reporters=self.reporter_names,
                               claims=self._claims(inc)), reading

    def _claims(self, inc: Incoming) -> V.Claims:
        """What came with the file about whose it is: its name, and the sender of the mail it came in
        where that sender names one town (a forward by the clerk's own unit or a bureau says nothing)."""
        sender = inc.sender or ""
        if sender and len(V.named_reporters(sender, [d.name for d in self.plan.districts])) != 1:
            sender = ""
        return V.Claims(file_name=inc.name, sender=sender)

    def _store(self, inc: Incoming, sha: str, judgement: V.Judgement, reading) -> FileVerdict:
        ident = reading.identity if reading is not None else None
        if ident is not None and not judgement.attributed:  # not genuinely that reporter's: recorded for nobody
            ident = dataclasses.replace(ident, reporter=None, reporter_kind=None)
        block = reading.signature_block if reading is not None else None
        sid = self._record(
            inc, sha, judgement.status, judgement.note, judgement.problems,
            reporter=ident.reporter if ident else None, reporter_kind=ident.reporter_kind if ident else None,
            period=ident.period if ident else None, form_id=ident.form_id if ident else None,
            filled_on=block.filled_on if block and not judgement.untrusted_date else None,
            filled_by=block.filled_by if block else "", phone=block.phone if block else "",
            signature=reading.signature_status if reading is not None else "",
            values=reading.values if reading is not None else [],
            details=reading.details if reading is not None else [])
        return FileVerdict(inc.display, judgement.status, ident.reporter if ident else None,
                           ident.period if ident else None, ident.form_id if ident else None,
                           judgement.problems, judgement.note, sid, attributed=judgement.attributed)

    def _return_copy(self, verdict: FileVerdict, inc: Incoming, kind: str) -> str | None:
        from wjexcel.collect.returns import write_return_copy

        wanted = self.ws.relative(self.ws.returns_dir(verdict.period) / f"{PurePosixPath(inc.display).stem}_退回.xlsx")
        rel = self.ledger.reserve_return_copy(verdict.submission_id, wanted,
                                              reusable=lambda path: _left_copy_of(path, verdict.file))
        try:
            write_return_copy(self.ws.root / rel, verdict, inc.data, kind, marked=verdict.attributed,
                              deadline=return_deadline(self.plan, date.today()))
        except DiskProblem:
            raise  # 汇总 cannot be written: the run stops, this file waits for the next
        except OutputLockedError as exc:  # a new, unique name: only the folder can refuse it
            raise DiskProblem(f"{exc}（退回表所在的文件夹“{self.ws.relative(self.ws.returns_dir(verdict.period))}”）",
                              self.ws.relative(self.ws.returns_dir(verdict.period))) from exc
        except Exception as exc:  # a courtesy copy: the verdict stands without it
            if disk_refusal_in(exc) is not None:
                raise self._disk_problem(exc) from exc
            log.warning("return copy failed for %s: %s", verdict.file, exc, exc_info=not isinstance(exc, OSError))
            self.ledger.forget_return_copy(verdict.submission_id)
            return None
        return rel

def _left_copy_of(path: Path, file: str) -> bool:
    """``path`` is a 退回 copy for ``file`` that no record names: a run wrote it, then died before
    committing (its 退回意见 sheet names the same received file)."""
    from wjexcel.collect.returns import names_original

    try:
        return names_original(path, file)
    except Exception:  # noqa: BLE001 - anything unreadable is not ours to overwrite
        return False


def _owner_file(inc: Incoming, kind: filetypes.FileType) -> bool:
    """Excel's ``~$name`` or LibreOffice's ``.~lock.name#`` left while a form is open: tiny, and not
    a spreadsheet. A real form saved under such a name is read like any other."""
    name = inc.name
    return ((name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")))
            and len(inc.data) <= OWNER_FILE_BYTES and not kind.spreadsheet and kind.kind != filetypes.ZIP)


def _valid_period(code: str | None) -> bool:
    """A period a 退回 folder may be named after (the identity of a rejected form is not trusted)."""
    try:
        Period.parse(code or "")
    except PeriodError:
        return False
    return True


def _refresh_statuses(ledger: Ledger, verdicts: list[FileVerdict]) -> None:
    """A later file may have superseded an earlier one of this run: report final verdicts."""
    for v in verdicts:
        if v.submission_id is not None and v.status in (Verdict.ACCEPTED, Verdict.SUPERSEDED):
            v.status = ledger.verdict_of(v.submission_id) or v.status
            if v.status == Verdict.SUPERSEDED:
                winner = ledger.accepted_submission(v.reporter, v.period)
                v.note = (f"同一单位同一期间以“{winner.file}”为准（填报日期更新，或无日期时收到更晚），"
                          "本份已被替代，仍保留存档") if winner else v.note
