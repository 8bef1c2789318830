"""Walking what holds other files: a zip archive's members and a mail's attachments.

A :class:`Containers` is the part of collect's run (:class:`wjexcel.collect.collector._Collector`)
that opens an archive or a mail, records it, and hands each member back to the run as an
:class:`Incoming` of its own — bounded by the run's inflate budget, and remembered in the
ledger so that an archive seen before is reported from there without being opened again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from wjexcel import filetypes
from wjexcel.collect import mail as M
from wjexcel.collect import verdict as V
from wjexcel.collect.preflight import MAX_NESTING_DEPTH, check_zip
from wjexcel.collect.results import FileVerdict
from wjexcel.errors import FormError
from wjexcel.filenames import zip_member_name
from wjexcel.problems import WARNING, Code, Problem
from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger, Submission

log = logging.getLogger("wjexcel.collect.collector")

MAC_NOTE = "苹果电脑压缩时附带的系统文件（__MACOSX），不是填报表"
ARCHIVE_NOTE = "压缩包（已存档），其中的文件逐个检查如下"
UNCHANGED_NOTE = "此前已收录，本次无变化"


@dataclass(frozen=True)
class Incoming:
    """One file to judge: its name, bytes and time, and the archive it came in (if any)."""

    display: str
    data: bytes
    mtime: datetime | None
    depth: int = 0  # 0 for a file in 收回, n for a member of an archive (or mail) n levels down
    container_id: int | None = None
    container_sha: str = ""
    sender: str = ""  # the mail it came in: its sender and when it was sent
    sent_at: datetime | None = None
    sha256: str = ""  # its hash and type, when already found (a file read ahead)
    kind: filetypes.FileType | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.display).name


def left_for_next_run(display: str, note: str) -> FileVerdict:
    """A file left for the next run: nothing recorded, and the reason given."""
    return FileVerdict(display, Verdict.DEFERRED, note=note, problems=[
        Problem(note, file=display, severity=WARNING, code=Code.FILE_DEFERRED)])


def from_ledger(ledger: Ledger, seen: Submission, display: str) -> FileVerdict:
    return FileVerdict(display, seen.verdict, seen.reporter, seen.period, seen.form_id,
                       ledger.problems_of(seen.id, display), seen.note or UNCHANGED_NOTE, seen.id,
                       ledger.return_copy(seen.id), unchanged=True)


class Containers:
    """Archives and mails, for the run that mixes this in (it provides ``ledger``, ``limits``,
    ``incoming``, ``_record``, ``_keep``, ``_internal_error`` and ``_too_big``)."""

    # --- archives ---------------------------------------------------------------------
    def _archive(self, inc: Incoming, sha: str, seen: Submission | None) -> list[FileVerdict]:
        """A zip of files: recorded itself, then each member as its own file.

        Seen before (same name, same bytes), it is not opened again: its members' verdicts
        come from the ledger, so a second run applies exactly the first run's rules. Only an
        archive whose walk an earlier run had to cut short is opened again, for the members
        still waiting.
        """
        if seen is not None:
            head = from_ledger(self.ledger, seen, inc.display)
            head.container = seen.verdict == Verdict.IGNORED
            members = self.ledger.members_of(seen.id)
            if not seen.members_pending:
                return [head] + [v for m in members for v in self._remembered(m)]
            return [head] + self._members(inc, sha, seen.id, members, was_pending=True)
        if self.limits.out_of_time():
            return [left_for_next_run(inc.display, self.limits.time_note())]
        problem = self._archive_problem(inc)
        status = Verdict.REJECTED if problem else Verdict.IGNORED
        note = problem.message if problem else ARCHIVE_NOTE
        with self.ledger.transaction():
            self._keep(inc, sha, own_copy=False)
            # recorded as still to walk until its walk ends: a run killed half-way (or stopped by
            # the disk) leaves the next run to judge the members it did not reach
            sid = self._record(inc, sha, status, note, [problem] if problem else [],
                               members_pending=problem is None)
        head = FileVerdict(inc.display, status, problems=[problem] if problem else [], note=note,
                           submission_id=sid, container=problem is None)
        if problem:
            return [head]
        return [head] + self._members(inc, sha, sid, [], was_pending=True)

    def _archive_problem(self, inc: Incoming) -> Problem | None:
        """Why an archive must not be opened (too deep, a bomb, bad names), or None."""
        if inc.depth >= MAX_NESTING_DEPTH:
            return Problem(f"“{inc.display}”：压缩包嵌套超过 {MAX_NESTING_DEPTH} 层，请解压后直接发送表格",
                           file=inc.display, code=Code.ARCHIVE_TOO_DEEP)
        try:
            with zipfile.ZipFile(io.BytesIO(inc.data)) as zf:
                check_zip(zf, inc.display, Code.ARCHIVE_UNSAFE)
        except FormError as exc:
            return Problem(str(exc), file=inc.display, code=exc.code)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return Problem(f"“{inc.display}”：压缩包已损坏或使用了不支持的压缩方式，无法解压，请重新打包后发送",
                           file=inc.display, code=Code.ARCHIVE_CORRUPT)
        return None

    def _members(self, inc: Incoming, sha: str, sid: int, earlier: list[Submission],
                 was_pending: bool = False) -> list[FileVerdict]:
        """Judge each member of an archive; members ``earlier`` runs judged are reported from
        the ledger without being inflated. Records whether any member still has to wait."""
        waiting = {}
        for sub in earlier:
            waiting.setdefault(sub.file, []).append(sub)
        out: list[FileVerdict] = []
        with zipfile.ZipFile(io.BytesIO(inc.data)) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                inner = zip_member_name(info)
                member = Incoming(f"{inc.display}/{inner}", b"", _zip_time(info), inc.depth + 1, sid, sha,
                                  inc.sender, inc.sent_at)
                known = waiting.get(member.display)
                if known:
                    out.extend(self._remembered(known.pop(0), lambda info=info: zf.read(info), member,
                                                info.file_size))
                elif any(p.startswith("__MACOSX") for p in PurePosixPath(inner).parts):
                    out.append(self._set_aside(member, Verdict.IGNORED, MAC_NOTE))
                elif self.limits.out_of_time():
                    out.append(left_for_next_run(member.display, self.limits.time_note()))
                elif not self.limits.inflate(info.file_size):
                    out.append(left_for_next_run(member.display, self.limits.inflate_note()))
                else:
                    self.say(member.display)
                    try:
                        data = zf.read(info)
                    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
                            ValueError):
                        log.debug("cannot inflate %s", member.display, exc_info=True)
                        out.append(self._uninflatable(member, info))
                        continue
                    out.extend(self.incoming(Incoming(member.display, data, member.mtime, member.depth, sid, sha,
                                                      inc.sender, inc.sent_at)))
        pending = any(v.deferred for v in out)
        if pending != was_pending:
            self.ledger.set_members_pending(sid, pending)
        return out

    def _uninflatable(self, member: Incoming, info: zipfile.ZipInfo) -> FileVerdict:
        """A member that cannot be taken out of its archive: encrypted, damaged, or packed with
        a method no reader supports. Returned when it is named like a spreadsheet."""
        inner = PurePosixPath(member.display).name
        if info.flag_bits & 0x1:
            message, code = (f"压缩包中的“{inner}”设了密码，无法解压检查。请让填报单位不加密码重新打包，或直接发送表格",
                             Code.FILE_ENCRYPTED)
        else:
            message, code = (f"压缩包中的“{inner}”已损坏或使用了不支持的压缩方式，无法解压（可能是传输中断）。"
                             "请让填报单位重新打包发送", Code.ARCHIVE_CORRUPT)
        spreadsheet = PurePosixPath(inner).suffix.lower() in V.SPREADSHEET_SUFFIXES
        return self._set_aside(member, Verdict.REJECTED if spreadsheet else Verdict.IGNORED, message,
                               [Problem(message, file=member.display, code=code)] if spreadsheet else [])

    def _set_aside(self, member: Incoming, status: Verdict, note: str, problems=()) -> FileVerdict:
        """A member not opened: recorded with its reason under its archive's hash (the bytes
        stay in that archive)."""
        with self.ledger.transaction():
            sid = self._record(member, member.container_sha, status, note, list(problems))
        return FileVerdict(member.display, status, problems=list(problems), note=note, submission_id=sid)

    def _remembered(self, sub: Submission, read=None, member: Incoming | None = None,
                    size: int = 0) -> list[FileVerdict]:
        """A member of an archive seen before, and (for an archive inside it) its members.

        An inner archive whose walk was cut short is opened again (``read`` inflates its
        ``size`` bytes, from this run's budget)."""
        head = from_ledger(self.ledger, sub, sub.file)
        inner = self.ledger.members_of(sub.id)
        head.container = sub.verdict == Verdict.IGNORED and (bool(inner) or sub.members_pending)
        if sub.members_pending and read is not None and member is not None:
            if self.limits.out_of_time() or not self.limits.inflate(size):
                note = self.limits.time_note() if self.limits.out_of_time() else self.limits.inflate_note()
                waiting = left_for_next_run(sub.file, note)  # its members still wait: the archive itself is named
                head.note, head.problems, head.status = waiting.note, waiting.problems, Verdict.DEFERRED
                return [head] + [v for m in inner for v in self._remembered(m)]
            data = read()
            again = Incoming(sub.file, data, member.mtime, member.depth, member.container_id, member.container_sha,
                             member.sender, member.sent_at)
            return [head] + self._members(again, sub.sha256, sub.id, inner, was_pending=True)
        return [head] + [v for m in inner for v in self._remembered(m)]

    # --- mails ------------------------------------------------------------------------
    def _mail(self, inc: Incoming, sha: str, seen: Submission | None,
              parsed: M.Mail | None = None) -> list[FileVerdict]:
        """A mail (.eml, .msg): recorded itself, with its sender and the time it was sent, then
        each attachment as a file of its own (``<mail>/<attachment>``), which carries them too.

        Like an archive, a mail seen before is not read again (only one whose attachments an
        earlier run had to leave waiting); a mail inside a mail counts as a level of nesting.
        """
        if seen is not None:
            head = from_ledger(self.ledger, seen, inc.display)
            members = self.ledger.members_of(seen.id)
            head.container = seen.verdict == Verdict.IGNORED and bool(members or seen.members_pending)
            if not seen.members_pending:
                return [head] + [v for m in members for v in self._remembered(m)]
            parsed = parsed or M.read_mail(inc.data, inc.display)
            return [head] + self._attachments(_sent_by(inc, parsed), sha, seen.id, parsed, members, was_pending=True)
        if self.limits.out_of_time():
            return [left_for_next_run(inc.display, self.limits.time_note())]
        problem = None
        if inc.depth >= MAX_NESTING_DEPTH:
            problem = Problem(f"“{inc.display}”：邮件或压缩包嵌套超过 {MAX_NESTING_DEPTH} 层，未再打开。"
                              "请把其中的填报表直接发送", file=inc.display, code=Code.ARCHIVE_TOO_DEEP)
        elif parsed is None:
            try:
                parsed = M.read_mail(inc.data, inc.display)
            except M.MailError as exc:
                problem = Problem(str(exc), file=inc.display, code=exc.code)
        if problem is not None or parsed is None:
            with self.ledger.transaction():
                self._keep(inc, sha, own_copy=False)
                sid = self._record(inc, sha, Verdict.REJECTED, problem.message, [problem])
            return [FileVerdict(inc.display, Verdict.REJECTED, problems=[problem], note=problem.message,
                                submission_id=sid)]
        inc = _sent_by(inc, parsed)
        note = mail_note(parsed)
        with self.ledger.transaction():  # still to walk until its walk ends (a full disk may stop it)
            self._keep(inc, sha, own_copy=False)
            sid = self._record(inc, sha, Verdict.IGNORED, note, members_pending=bool(parsed.attachments))
        head = FileVerdict(inc.display, Verdict.IGNORED, note=note, submission_id=sid,
                           container=bool(parsed.attachments))
        if not parsed.attachments:
            return [head]
        return [head] + self._attachments(inc, sha, sid, parsed, [], was_pending=True)

    def _attachments(self, inc: Incoming, sha: str, sid: int, parsed: M.Mail, earlier: list[Submission],
                     was_pending: bool = False) -> list[FileVerdict]:
        """Judge each attachment of a mail as a file dropped in 收回 (a zip, a mail inside too);
        attachments ``earlier`` runs judged are reported from the ledger."""
        waiting: dict[str, list[Submission]] = {}
        for sub in earlier:
            waiting.setdefault(sub.file, []).append(sub)
        out: list[FileVerdict] = []
        for att in parsed.attachments:
            member = Incoming(f"{inc.display}/{att.name}", att.data, inc.sent_at or inc.mtime, inc.depth + 1, sid,
                              sha, inc.sender, inc.sent_at)
            known = waiting.get(member.display)
            if known:
                read = None if att.mail is not None else (lambda att=att: att.data)
                out.extend(self._remembered(known.pop(0), read, member, len(att.data)))
            elif self.limits.out_of_time():
                out.append(left_for_next_run(member.display, self.limits.time_note()))
            elif att.mail is not None:
                self.say(member.display)
                out.extend(self._inner_mail(member, att.mail))
            else:
                self.say(member.display)
                out.extend(self.incoming(member))
        pending = any(v.deferred for v in out)
        if pending != was_pending:
            self.ledger.set_members_pending(sid, pending)
        return out

    def _inner_mail(self, member: Incoming, parsed: M.Mail) -> list[FileVerdict]:
        """A mail attached to a mail, already read with it."""
        try:
            sha = hashlib.sha256(member.data).hexdigest()
            return self._mail(member, sha, self.ledger.find(member.display, sha), parsed)
        except Exception:  # one file must never stop the run
            log.exception("collect failed on %s", member.display)
            return [self._internal_error(member)]


def _sent_by(inc: Incoming, parsed: M.Mail) -> Incoming:
    """``inc`` as sent by its mail: the mail's sender and time (a mail inside a forward keeps its own)."""
    return Incoming(inc.display, inc.data, inc.mtime, inc.depth, inc.container_id, inc.container_sha,
                    parsed.sender or inc.sender, parsed.sent_at or inc.sent_at)


def mail_note(parsed: M.Mail) -> str:
    """Why a mail is recorded as it is: what it is and what was found in it (Chinese)."""
    skipped = "；".join(dict.fromkeys(parsed.skipped))
    if parsed.attachments:
        note = f"{parsed.describe()}，已存档，其中的附件逐个检查如下"
    else:
        body = f"（正文：“{parsed.body}”）" if parsed.body else ""
        note = (f"{parsed.describe()}中没有附件{body}，不是填报表，已存档备查。"
                "如对方忘了附上填报表，请让其重新发送")
    return note + (f"。另：{skipped}" if skipped else "")


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time) if info.date_time[0] >= 1980 else None
    except ValueError:
        return None
