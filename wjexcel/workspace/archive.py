"""The archive: every file received, kept byte for byte under its SHA-256, read-only.

Content-addressed, so a file mailed twice is stored once, and nothing that arrives is
ever lost or changed. Paths are relative to the workspace, so the archive moves with it.
The ledger records which submission has which hash; this module only stores bytes.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

CHUNK = 1 << 20
_READ_ONLY = stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH


class Archive:
    """The content-addressed store under ``<state>/archive``."""

    def __init__(self, ws):
        self.ws = ws

    def relative_path(self, sha256: str) -> str:
        """``.wjexcel/archive/ab/ab12…``: where a hash is kept, relative to the workspace."""
        return f"{self.ws.state.name}/{self.ws.archive.name}/{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self.ws.root / self.relative_path(sha256)

    def store_bytes(self, sha256: str, data: bytes) -> str:
        """Keep ``data`` (whose hash is ``sha256``) unless it is already kept whole; return its relative path.

        A file already there is trusted only when its size and hash are right: a 0-byte or
        truncated copy a crash or a full disk left behind is replaced.

        Raises:
            DiskProblem: The archive folder cannot be written (full, read-only, no permission).
        """
        target = self.path(sha256)
        if not self._kept(target, sha256, len(data)):
            part = target.with_suffix(f".{os.getpid()}.part")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(part, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                self._seal(part, target)
            except OSError as exc:
                part.unlink(missing_ok=True)
                raise self._problem(exc) from exc
        return self.relative_path(sha256)

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
