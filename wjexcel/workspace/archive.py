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
        """Keep ``data`` (whose hash is ``sha256``) unless it is already kept; return its relative path."""
        target = self.path(sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(data)
            self._seal(part, target)
        return self.relative_path(sha256)

    def store_file(self, path: Path) -> tuple[str, int]:
        """Hash and keep a file too large to hold in memory, in chunks; return (sha256, size)."""
        digest, size = hashlib.sha256(), 0
        part = self.ws.archive / f"incoming-{os.getpid()}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as src, open(part, "wb") as out:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = self.path(sha)
        if target.exists():
            part.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._seal(part, target)
        return sha, size

    @staticmethod
    def _seal(part: Path, target: Path) -> None:
        os.chmod(part, _READ_ONLY)
        os.replace(part, target)
