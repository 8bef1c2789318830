"""The archive: every file received, kept byte for byte under its SHA-256, read-only.

Content-addressed, so a file mailed twice is stored once, and nothing that arrives is
ever lost or changed. Paths are relative to the workspace, so the archive moves with it.
The ledger records which submission has which hash; this module only stores bytes.

A file's bytes are written in the calling thread (a full disk is seen at once), flushed to
the disk, then sealed: made read-only and renamed to its final name. Between
:meth:`Archive.defer` and the last :meth:`Archive.settle` — as the ledger does for a batch
of records — the flush waits on the disk in a background thread while the caller goes on,
and :meth:`Archive.settle` waits until every file is sealed: the ledger settles before each
commit, so a committed record never names a file that is not whole and sealed.
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
FLUSHERS = 2
"""Threads waiting on the disk for deferred files' flushes (a flush holds no Python lock)."""
MAX_PENDING = 64
"""Deferred files open at once at most (each holds a file descriptor until it is sealed)."""
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class Archive:
    """The content-addressed store under ``<state>/archive``."""

    def __init__(self, ws):
        self.ws = ws
        self._folders: set[Path] = set()  # folders known to exist (made or found by this archive)
        self._token = secrets.token_hex(4)  # this archive's .part names: no other run's, no other archive's
        self._flushers: ThreadPoolExecutor | None = None  # while deferred
        self._pending: deque = deque()  # (flush, fd, part, target) of files written, not yet sealed
        self._written: set[str] = set()  # hashes written while deferred (sealed or pending)
        self._renamed: set[Path] = set()  # folders whose new entries are not yet made durable
        self._failed: OSError | None = None  # a deferred flush or seal that failed, until the last settle

    def relative_path(self, sha256: str) -> str:
        """``.wjexcel/archive/ab/ab12…``: where a hash is kept, relative to the workspace."""
        return f"{self.ws.state.name}/{self.ws.archive.name}/{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self.ws.root / self.relative_path(sha256)

    def store_bytes(self, sha256: str, data: bytes) -> str:
        """Keep ``data`` (whose hash is ``sha256``) unless it is already kept whole; return its relative path.

        A file already there is trusted only when its size and hash are right: a 0-byte or
        truncated copy a crash or a full disk left behind is replaced. While deferred, the
        file is only written here; :meth:`settle` waits until it is flushed and sealed.

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
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError as exc:
            os.close(fd)
            part.unlink(missing_ok=True)
            raise self._problem(exc) from exc
        if self._flushers is None:
            try:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self._sealed(part, target)
            except OSError as exc:
                part.unlink(missing_ok=True)
                raise self._problem(exc) from exc
            self._sync_folders()
        else:
            self._written.add(sha256)
            self._pending.append((self._flushers.submit(os.fsync, fd), fd, part, target))
            self._seal_flushed(wait=len(self._pending) > MAX_PENDING)
        return self.relative_path(sha256)

    def defer(self) -> None:
        """From now on, flush stored files in the background until the last :meth:`settle`."""
        if self._flushers is None:
            self._flushers = ThreadPoolExecutor(FLUSHERS, thread_name_prefix="archive")

    def settle(self, last: bool = False) -> None:
        """Wait until every file stored so far is whole, flushed, sealed and durably at its name.

        ``last`` ends the deferral: the threads stop, and a failure is forgotten once said.

        Raises:
            DiskProblem: A deferred file could not be flushed or sealed (its ``.part`` is removed);
                raised again by every settle until the last, so nothing recorded since is committed.
        """
        try:
            self._seal_flushed(wait=True, every=True)
            if self._failed is None:
                self._sync_folders()
            if self._failed is not None:
                raise self._problem(self._failed) from self._failed
        finally:
            if last:
                self._seal_flushed(wait=True, every=True)
                if self._flushers is not None:
                    self._flushers.shutdown()
                self._flushers, self._failed = None, None
                self._written.clear()
                self._renamed.clear()

    def _seal_flushed(self, wait: bool = False, every: bool = False) -> None:
        """Seal the pending files whose flush is done, oldest first (``wait``: at least the
        oldest; ``every``: all of them). A failure is kept for :meth:`settle` to raise."""
        while self._pending and (wait or self._pending[0][0].done()):
            flush, fd, part, target = self._pending.popleft()
            try:
                try:
                    flush.result()
                finally:
                    os.close(fd)
                self._sealed(part, target)
            except OSError as exc:
                part.unlink(missing_ok=True)
                self._failed = self._failed or exc
            wait = every

    def _sealed(self, part: Path, target: Path) -> None:
        self._seal(part, target)
        self._renamed.add(target.parent)

    def _sync_folders(self) -> None:
        """Make the new entries of the folders files were sealed (or folders made) in durable."""
        from wjexcel.atomic import fsync_folder

        folders, self._renamed = self._renamed, set()
        if self._flushers is not None:
            list(self._flushers.map(fsync_folder, folders))
        else:
            for folder in folders:
                fsync_folder(folder)

    def _open_part(self, target: Path) -> tuple[int, Path]:
        """A new ``.part`` file beside ``target`` (its folder made if this archive has not seen it): (fd, path)."""
        folder = target.parent
        if folder not in self._folders:
            try:
                folder.mkdir(parents=True)
            except OSError:
                if not folder.is_dir():
                    raise
            else:
                self._renamed.add(folder.parent)  # its new entry is made durable with the files
            self._folders.add(folder)
        while True:
            part = folder / f"{target.name}.{os.getpid()}.{self._token}.part"
            try:
                return os.open(part, _NEW, 0o666), part
            except FileExistsError:  # a dead run's leftover of the same name: never shared
                self._token = secrets.token_hex(4)
            except FileNotFoundError:
                if folder.is_dir():
                    raise
                folder.mkdir(parents=True, exist_ok=True)  # removed since: made again

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
