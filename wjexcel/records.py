"""Record types that pass between reading, the ledger and consolidation.

Provenance travels with every value: the file it came from (relative to the workspace),
the sheet and cell, and the raw text as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class FormIdentity:
    """What a form's signed metadata says it is."""

    form_id: str
    plan_id: str
    plan_version: str
    reporter: str
    reporter_kind: str
    period: str
    template_version: str
    generated_at: str


@dataclass(frozen=True)
class ValueRecord:
    """One indicator value as read from a returned form."""

    indicator: str
    value: float | None
    raw: str | None
    sheet: str
    cell: str
    remark: str | None = None
    remark_cell: str = ""


@dataclass(frozen=True)
class DetailRow:
    """One row of a detail list (明细) as read from a returned form."""

    list_code: str
    sheet: str
    row: int
    values: dict  # column name -> normalised value (str/float/None)
    raw: dict = field(default_factory=dict)  # column name -> raw text


@dataclass(frozen=True)
class ReportedValue:
    """A value of an accepted submission, as the ledger hands it to consolidation."""

    reporter: str
    reporter_kind: str
    indicator: str
    period: str
    value: float | None
    raw: str | None
    remark: str | None
    file: str
    sheet: str
    cell: str
    received_at: datetime
    submission_id: int


@dataclass(frozen=True)
class SignatureBlock:
    """The signature block at the foot of 指标填报."""

    unit: str = ""
    filled_by: str = ""
    phone: str = ""
    filled_on: date | None = None
    reviewer: str = ""
