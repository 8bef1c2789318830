"""Reading the next files of 收回 ahead, in worker processes, while the collector records."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from wjexcel import filetypes, parallel
from wjexcel.collect.inbox import Entry
from wjexcel.collect.preflight import MAX_FILE_BYTES
from wjexcel.errors import FormError
from wjexcel.workspace.ledger import Ledger

AHEAD = 8
"""Files read ahead of the one being recorded, per worker process."""


def reader_context(plan, key: bytes):
    return plan, key


def read_job(context, job: tuple):
    """In a worker: (reading, None) of one file of 收回, or (None, (message, code)) when it is not readable."""
    from wjexcel.collect.formread import read_form

    plan, key = context
    display, data = job
    try:
        return read_form(PurePosixPath(display).name, plan, key=key, display_name=display, data=data), None
    except FormError as exc:
        return None, (str(exc), exc.code)


WORKER_DIED = "worker died"


class ReadAhead:
    """Reads the next files of 收回 in worker processes while this one records.

    Only files that will be read are sent: a plain file, not too big, whose bytes neither the
    ledger nor this run has seen. The collector then records exactly the bytes that were read.
    """

    def __init__(self, workers: parallel.Workers, entries: list[Entry], ledger: Ledger):
        self.workers, self.entries, self.ledger = workers, entries, ledger
        self.next = 0
        self.pending: dict[str, tuple[bytes, object]] = {}
        self.sent: set[str] = set()
        self.window = AHEAD * workers.count

    def claim(self, display: str) -> bytes | None:
        """The bytes sent to be read for this file (so it is not read from disk again), or None."""
        if self.workers.pool is not None:
            self._fill()
        held = self.pending.get(display)
        return held[0] if held else None

    def take(self, display: str):
        """(reading, error) read ahead for this file; :data:`WORKER_DIED` when its worker
        died on it (read it the careful way); None when it was not sent."""
        held = self.pending.pop(display, None)
        if held is None:
            return None
        done = self.workers.result(held[1])
        return WORKER_DIED if done is None else done

    def forget(self, display: str) -> None:
        """This file is done with (deferred, a duplicate, ignored): drop what was read for it."""
        held = self.pending.pop(display, None)
        if held is not None:
            held[1].cancel()

    def _fill(self) -> None:
        while self.next < len(self.entries) and len(self.pending) < self.window:
            entry = self.entries[self.next]
            self.next += 1
            if entry.skip:
                continue
            try:
                if entry.path.stat().st_size > MAX_FILE_BYTES:
                    continue
                data = entry.path.read_bytes()
            except OSError:
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in self.sent or not filetypes.sniff(data).readable or self.ledger.find(entry.display, sha) \
                    or self.ledger.first_with_hash(sha):
                continue
            future = self.workers.submit(read_job, (entry.display, data))
            if future is None:
                return
            self.sent.add(sha)
            self.pending[entry.display] = (data, future)
