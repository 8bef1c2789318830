"""The archive: every file received, kept byte for byte under its SHA-256, read-only.

Content-addressed, so a file mailed twice is stored once, and nothing that arrives is
ever lost or changed. Paths are relative to the workspace, so the archive moves with it.
The ledger records which submission has which hash; this module only stores bytes.

A file's bytes are written in the calling thread (a full disk is seen at once). Its
flush to the disk and its sealing (read-only, renamed to its final name) happen there too,
or — between :meth:`Archive.defer` and the last :meth:`Archive.settle`, as the ledger does
for a batch of records — in a few background threads, and :meth:`Archive.settle` waits
for them: the ledger settles before each commit, so a committed record never names a file
that is not whole and sealed. A file a reader process has read is written and flushed
there instead, into a ``.part`` this archive named (:meth:`Archive.reserve`), and sealed
here (:meth:`Archive.adopt`): its folder is made durable by the same settle.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHUNK = 1 << 20
_READ_ONLY = stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH
SEALERS = 4
"""Threads flushing and sealing deferred files (a flush waits on the disk, not on Python)."""
MAX_PENDING = 64
"""Deferred files not yet sealed at most (each holds a file descriptor until it is)."""
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class Archive:
    """The content-addressed store under ``<state>/archive``."""

    def __init__(self, ws):
        self.ws = ws
        self._folders: set[Path] = set()  # folders known to exist (made or found by this archive)
        self._token = secrets.token_hex(4)  # this archive's .part names: no other run's, no other archive's
        self._sealers: ThreadPoolExecutor | None = None  # while deferred
        self._pending: deque = deque()  # files written, not yet settled
        self._written: set[str] = set()  # hashes written while deferred (sealed or pending)
        self._renamed: set[Path] = set()  # folders whose new entries the next settle makes durable
        self._failed: OSError | None = None  # a deferred flush or seal that failed, until the last settle
        self._folder = ws.archive
        self._relative = f"{ws.state.name}/{self._folder.name}"

    def relative_path(self, sha256: str) -> str:
        """``.wjexcel/archive/ab/ab12…``: where a hash is kept, relative to the workspace."""
        return f"{self._relative}/{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self._folder.joinpath(sha256[:2], sha256)

    def store_bytes(self, sha256: str, data: bytes) -> str:
        """Keep ``data`` (whose hash is ``sha256``) unless it is already kept whole; return its relative path.

        A file already there is trusted only when its size and hash are right: a 0-byte or
        truncated copy a crash or a full disk left behind is replaced. While deferred, the
        file is written here and flushed and sealed in the background (see :meth:`settle`).

        Raises:
            DiskProblem: The archive folder cannot be written (full, read-only, no permission).
        """
        target = self.path(sha256)
        if sha256 in self._written or self._kept(target, sha256, len(data)):
            return self.relative_path(sha256)
        try:
            fd, part = self._open_part(target)
        except OSError as exc:
            raise self._problem(exc) from exc
        try:
            _write_all(fd, data)
        except OSError as exc:
            os.close(fd)
            part.unlink(missing_ok=True)
            raise self._problem(exc) from exc
        if self._sealers is None:
            try:
                self._finish(fd, part, target)
            except OSError as exc:
                raise self._problem(exc) from exc
            self._sync_folders()
        else:
            self._written.add(sha256)
            self._pending.append(self._sealers.submit(self._finish, fd, part, target))
            while len(self._pending) > MAX_PENDING or (self._pending and self._pending[0].done()):
                self._settled(self._pending.popleft())
        return self.relative_path(sha256)

    def reserve(self, sha256: str) -> Path | None:
        """A new ``.part`` path beside where ``sha256`` is kept, for a reader process to write
        the file's bytes into and flush (:func:`write_flushed`) before :meth:`adopt` seals it;
        None when the hash is kept already or its place is taken (:meth:`store_bytes` then
        decides, as it always does).

        Raises:
            OSError: The folder cannot be made.
        """
        target = self.path(sha256)
        if sha256 in self._written or target.exists():
            return None
        folder = target.parent
        self._make_folder(folder)
        return folder / self._part_name(target, "read")  # never the name store_bytes gives its own .part

    def adopt(self, sha256: str, part: Path) -> str | None:
        """Seal ``part``, written and flushed by a reader process (see :meth:`reserve`), as the
        kept copy of ``sha256``; return its relative path, or None when it cannot be sealed
        (``part`` is then removed, and :meth:`store_bytes` keeps the file the usual way)."""
        target = self.path(sha256)
        if sha256 in self._written:
            discard_part(part)
            return self.relative_path(sha256)
        try:
            self._seal(part, target)
        except OSError:
            discard_part(part)
            return None
        self._renamed.add(target.parent)
        if self._sealers is None:
            self._sync_folders()
        else:
            self._written.add(sha256)
        return self.relative_path(sha256)

    def defer(self) -> None:
        """From now on, flush and seal stored files in the background until the last :meth:`settle`."""
        if self._sealers is None:
            self._sealers = ThreadPoolExecutor(SEALERS, thread_name_prefix="archive")

    def settle(self, last: bool = False) -> None:
        """Wait until every file stored so far is whole, flushed, sealed and durably at its name.

        ``last`` ends the deferral: the threads stop, and a failure is forgotten once said.

        Raises:
            DiskProblem: A deferred file could not be flushed or sealed (its ``.part`` is removed);
                raised again by every settle until the last, so nothing recorded since is committed.
        """
        try:
            self._wait()
            if self._failed is None:
                self._sync_folders()
            if self._failed is not None:
                raise self._problem(self._failed) from self._failed
        finally:
            if last:
                self._wait()
                if self._sealers is not None:
                    self._sealers.shutdown()
                self._sealers, self._failed = None, None
                self._written.clear()
                self._renamed.clear()

    def _sync_folders(self) -> None:
        """Make the new entries of the folders files were sealed in (or made in) durable."""
        from wjexcel.atomic import fsync_folder

        folders, self._renamed = self._renamed, set()
        if self._sealers is not None:
            list(self._sealers.map(fsync_folder, folders))
        else:
            for folder in folders:
                fsync_folder(folder)

    def _wait(self) -> None:
        while self._pending:
            self._settled(self._pending.popleft())

    def _settled(self, future) -> None:
        """Wait for one deferred file; a failure is kept for :meth:`settle` to raise."""
        exc = future.exception()
        if exc is not None and self._failed is None:
            self._failed = exc if isinstance(exc, OSError) else OSError(str(exc))

    def _open_part(self, target: Path) -> tuple[int, Path]:
        """A new ``.part`` file beside ``target`` (its folder made if this archive has not seen it): (fd, path)."""
        folder = target.parent
        self._make_folder(folder)
        while True:
            part = folder / self._part_name(target)
            try:
                return os.open(part, _NEW, 0o666), part
            except FileExistsError:  # a dead run's leftover of the same name: never shared
                self._token = secrets.token_hex(4)
            except FileNotFoundError:
                if folder.is_dir():
                    raise
                folder.mkdir(parents=True, exist_ok=True)  # removed since: made again

    def _make_folder(self, folder: Path) -> None:
        """Make ``folder`` unless this archive has made or found it already; in a folder found,
        remove the ``.part`` files a run that was killed left there (a live run holds the
        workspace's lock, and its own are seconds old)."""
        if folder not in self._folders:
            try:
                folder.mkdir(parents=True)
            except OSError:
                if not folder.is_dir():
                    raise
                from wjexcel.atomic import remove_leftovers

                remove_leftovers(folder, "*.part")
            else:
                self._renamed.add(folder.parent)  # its new entry is made durable with the files
            self._folders.add(folder)

    def _part_name(self, target: Path, kind: str = "") -> str:
        return f"{target.name}.{os.getpid()}.{self._token}{'.' + kind if kind else ''}.part"

    def _finish(self, fd: int, part: Path, target: Path) -> None:
        """Flush ``part``'s bytes to the disk, close it, and seal it as ``target`` (it is removed if that fails)."""
        try:
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._seal(part, target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        self._renamed.add(target.parent)

    def store_file(self, path: Path) -> tuple[str, int]:
        """Hash and keep a file too large to hold in memory, in chunks; return (sha256, size)."""
        digest, size = hashlib.sha256(), 0
        part = self.ws.archive / f"incoming-{os.getpid()}.part"
        try:
            part.parent.mkdir(parents=True, exist_ok=True)
            out = open(part, "wb")
        except OSError as exc:
            raise self._problem(exc) from exc
        try:
            with open(path, "rb") as src, out:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise self._problem(exc) from exc
                try:
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as exc:
                    raise self._problem(exc) from exc
            sha = digest.hexdigest()
            target = self.path(sha)
            if self._kept(target, sha, size):
                part.unlink()
            else:
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._seal(part, target)
                except OSError as exc:
                    raise self._problem(exc) from exc
        finally:
            part.unlink(missing_ok=True)
        return sha, size

    def _problem(self, exc: OSError):
        from wjexcel.atomic import disk_problem

        return disk_problem(self.ws.relative(self.ws.archive), exc)

    @staticmethod
    def _kept(target: Path, sha256: str, size: int) -> bool:
        """The archived copy is there and whole (right size, right hash)."""
        try:
            if target.stat().st_size != size:
                return False
            digest = hashlib.sha256()
            with open(target, "rb") as fh:
                for chunk in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(chunk)
        except OSError:
            return False
        return digest.hexdigest() == sha256

    @staticmethod
    def _seal(part: Path, target: Path) -> None:
        os.chmod(part, _READ_ONLY)
        if os.name == "nt" and target.exists():  # pragma: no cover - Windows cannot replace a read-only file
            os.chmod(target, stat.S_IWRITE | stat.S_IREAD)
        os.replace(part, target)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def discard_part(part: Path) -> None:
    """Remove a ``.part`` no record will name; one that cannot be removed stays an orphan."""
    try:
        part.unlink(missing_ok=True)
    except PermissionError:  # Windows: made read-only by a seal that then failed
        try:
            os.chmod(part, stat.S_IWRITE | stat.S_IREAD)
            part.unlink(missing_ok=True)
        except OSError:
            pass
    except OSError:
        pass


def write_flushed(path: str, data: bytes) -> bool:
    """In a reader process: write ``data`` to the new file ``path`` (from :meth:`Archive.reserve`)
    and flush it to the disk; False, with nothing left behind, when the disk refuses."""
    try:
        fd = os.open(path, _NEW, 0o666)
    except OSError:
        return False
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        discard_part(Path(path))
        return False
    return True
