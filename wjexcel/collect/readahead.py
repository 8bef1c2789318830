"""Reading the next files of 收回 ahead, in worker processes, while the collector records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wjexcel import filetypes, parallel
from wjexcel.collect.inbox import Entry
from wjexcel.collect.limits import Limits
from wjexcel.collect.preflight import MAX_FILE_BYTES
from wjexcel.errors import FormError
from wjexcel.workspace.archive import discard_part, write_flushed
from wjexcel.workspace.ledger import Ledger

AHEAD = 8
"""Files read ahead of the one being recorded, per worker process."""


def reader_context(plan, key: bytes):
    return plan, key


def read_job(context, job: tuple):
    """In a worker: ``(done, written)`` for one file of 收回. ``done`` is (reading, None), or
    (None, (message, code)) when it is not readable; ``written`` says whether its bytes were
    written and flushed into the archive's ``.part`` the job names (False when it names none)."""
    from wjexcel.collect.formread import read_form

    plan, key = context
    display, data, kind, part = job
    written = write_flushed(part, data) if part is not None else False  # the bytes as they came, before any reader
    try:
        done = read_form(PurePosixPath(display).name, plan, key=key, display_name=display, data=data,
                         filetype=kind), None
    except FormError as exc:
        done = None, (str(exc), exc.code)
    return done, written


WORKER_DIED = "worker died"


class ReadAhead:
    """Reads the next files of 收回 in worker processes while this one records.

    Only files that will be read are sent: a plain file, not too big, whose bytes neither the
    ledger nor this run has seen. The collector then records exactly the bytes that were read,
    under the hash and the type found here: each file is read, hashed and sniffed once.

    The worker that reads a file also writes its bytes into the archive and flushes them, into
    a ``.part`` the archive named (:meth:`~wjexcel.workspace.archive.Archive.reserve`): the
    collector seals it (:meth:`written`) instead of writing the file again, and this process
    waits on no disk for it. A ``.part`` not sealed is removed (:meth:`forget`, :meth:`close`).
    """

    def __init__(self, workers: parallel.Workers, entries: list[Entry], ledger: Ledger, limits: Limits | None = None):
        self.workers, self.entries, self.ledger, self.limits = workers, entries, ledger, limits
        self.next = 0
        self.pending: dict[str, tuple[Door, object]] = {}
        self.parts: dict[str, Path] = {}  # display: the .part named for it, until handed to the archive
        self.flushed: set[str] = set()  # displays whose worker wrote and flushed their .part
        self.sent: set[str] = set()
        self.window = AHEAD * max(workers.count, 1)
        if workers.pool is not None:
            # imported before the workers start: forked ones have it, rather than each importing it
            # (this process reads with it too, a file a worker could not read)
            from wjexcel.collect.formread import read_form  # noqa: F401

    def claim(self, display: str) -> Door | None:
        """The file as read here (its bytes, hash and type), so it is not read from disk again, or None."""
        if self.workers.pool is not None:
            self._fill()
        held = self.pending.get(display)
        return held[0] if held else None

    def take(self, display: str):
        """(reading, error) read ahead for this file; :data:`WORKER_DIED` when its worker
        died on it (read it the careful way); None when it was not sent."""
        held = self.pending.pop(display, None)
        if held is None or held[1] is None:
            return None
        result = self.workers.result(held[1])
        if result is None:
            return WORKER_DIED
        done, flushed = result
        if flushed:
            self.flushed.add(display)
        return done

    def written(self, display: str) -> Path | None:
        """The ``.part`` holding this file's bytes, written and flushed by the worker that read
        it (for the archive to seal), or None. Once handed out, the archive answers for it: it
        seals it, or removes it and keeps the bytes itself."""
        if display not in self.flushed:
            return None
        self.flushed.discard(display)
        return self.parts.pop(display, None)

    def forget(self, display: str) -> None:
        """This file is done with (recorded, deferred, a duplicate, ignored): drop what was read
        for it, and its ``.part`` unless the archive sealed it."""
        held = self.pending.pop(display, None)
        if held is not None and held[1] is not None:
            held[1].cancel()
        self.flushed.discard(display)
        part = self.parts.get(display)  # kept for close(): a worker may still be writing it
        if part is not None:
            discard_part(part)

    def close(self) -> None:
        """After the workers have stopped: remove every ``.part`` no file of this run sealed (a
        run stopped half-way, files left for the next run, a worker that went on writing while
        the pool broke)."""
        for part in self.parts.values():
            discard_part(part)
        self.parts.clear()
        self.flushed.clear()

    def _fill(self) -> None:
        if self.limits is not None and self.limits.out_of_time():
            return  # what is not read by now waits for the next run: nothing more is read or written ahead
        while self.next < len(self.entries) and len(self.pending) < self.window:
            entry = self.entries[self.next]
            self.next += 1
            if entry.skip:
                continue
            try:
                if entry.path.stat().st_size > MAX_FILE_BYTES:
                    continue
                door = Door.of(entry.path.read_bytes())
            except OSError:
                continue
            sha = door.sha256
            if sha in self.sent or not door.kind.readable or self.ledger.find(entry.display, sha) \
                    or self.ledger.first_with_hash(sha):
                self.pending[entry.display] = (door, None)
                continue
            try:
                part = self.ledger.archive.reserve(sha)
            except OSError:  # the archive's folder cannot be made: the collector says so when it keeps the file
                part = None
            future = self.workers.submit(read_job, (entry.display, door.data, door.kind,
                                                    str(part) if part is not None else None))
            if future is None:
                self.pending[entry.display] = (door, None)
                return
            self.sent.add(sha)
            self.pending[entry.display] = (door, future)
            if part is not None:
                self.parts[entry.display] = part


@dataclass(frozen=True)
class Door:
    """A file as it came in, looked at once: its bytes, their SHA-256 and what they are."""

    data: bytes
    sha256: str
    kind: filetypes.FileType

    @classmethod
    def of(cls, data: bytes) -> Door:
        return cls(data, hashlib.sha256(data).hexdigest(), filetypes.sniff(data))
