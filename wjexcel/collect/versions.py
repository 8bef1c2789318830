"""Which version of a reporter's form counts for a period, when the reporter sent more than one."""

from __future__ import annotations

from datetime import date, datetime

from wjexcel.records import Verdict
from wjexcel.workspace.ledger import Ledger


def resolve_versions(ledger: Ledger, reporter: str, period: str) -> int | None:
    """Make the newest version count and mark the others superseded; return its id.

    Newest means: latest 填报日期, then latest file time, then latest arrival. When a
    version has no (believable) 填报日期, dates cannot be compared and file time and
    arrival decide. Nothing is deleted: superseded versions stay in the ledger and
    the archive.
    """
    versions = ledger.candidates(reporter, period)
    if not versions:
        return None
    dated = all(s.filled_on for s in versions)
    newest = max(versions, key=lambda s: ((s.filled_on if dated else date.min),
                                          s.file_mtime or datetime.min, s.id))
    for s in versions:
        wanted = Verdict.ACCEPTED if s.id == newest.id else Verdict.SUPERSEDED
        if s.verdict != wanted:
            ledger.set_verdict(s.id, wanted)
    return newest.id
