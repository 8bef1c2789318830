"""Record types that pass between reading, the ledger and consolidation.

Provenance travels with every value: the file it came from (relative to the workspace),
the sheet and cell, and the raw text as typed. The outcomes a file can have
(:class:`Verdict`, :class:`Signature`) are enumerations whose values are the words the ledger
stores and ``--json`` prints (docs/规格说明.md §5.4, §5.5, §8), each with its Chinese label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


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


class Verdict(StrEnum):
    """What collect decided about one file. The value is the word the ledger stores and
    ``collect --json`` prints; :attr:`label` is the clerk's word."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    IGNORED = "ignored"
    DEFERRED = "deferred"
    """Not judged in this run (its time or inflate budget was spent, or the run stopped): left,
    unrecorded, for the next. Never stored; ``collect --json`` says ``ignored`` with the reason."""

    @property
    def label(self) -> str:
        return _VERDICT_LABELS[self]

    @property
    def json_value(self) -> str:
        """The ``status`` of ``collect --json`` (docs/规格说明.md §5.5): a deferred file is ``ignored``."""
        return Verdict.IGNORED.value if self is Verdict.DEFERRED else self.value


_VERDICT_LABELS = {
    Verdict.ACCEPTED: "已接收",
    Verdict.REJECTED: "已退回",
    Verdict.DUPLICATE: "重复文件",
    Verdict.SUPERSEDED: "已被新版本替代",
    Verdict.IGNORED: "已忽略",
    Verdict.DEFERRED: "留待下次",
}

STORED_VERDICTS = (Verdict.ACCEPTED, Verdict.REJECTED, Verdict.SUPERSEDED, Verdict.DUPLICATE, Verdict.IGNORED)
"""The verdicts a recorded file can have, in the order a summary names them."""


class Signature(StrEnum):
    """What the signature of a returned form says. The value is the word ``check --json`` prints
    and the ledger stores; :attr:`label` is what ``check`` tells the person."""

    VALID = "valid"
    INVALID = "invalid"
    UNCHECKED = "unchecked"
    """Not checked: outside a workspace there is no key."""
    UNSIGNED = "missing"
    """No signature: not a form this tool generated."""

    @property
    def label(self) -> str:
        return _SIGNATURE_LABELS[self]


_SIGNATURE_LABELS = {
    Signature.VALID: "签名核验通过",
    Signature.INVALID: "签名核验未通过：表格在可填写区域以外被改动，或被改成了其他单位的表",
    Signature.UNCHECKED: "未核验签名（不在工作区中运行，没有密钥）",
    Signature.UNSIGNED: "没有签名（不是本工具生成的填报表）",
}
