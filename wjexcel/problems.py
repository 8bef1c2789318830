"""Located problems: what checks return instead of raising.

A check never stops at the first problem; it returns every one it finds, each with the
place a clerk can go to (file, sheet, cell) and a machine-readable :class:`Code` beside
the Chinese message. Code decides by the code, never by the wording; callers decide how
to show them: a terminal table, ``--json``, the 问题清单 sheet, comments in a 退回 copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

ERROR = "error"
WARNING = "warning"

SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


class Code(StrEnum):
    """Every kind of problem wjexcel reports; the value is the stable dotted string ``--json`` prints
    and the ledger stores (docs/规格说明.md §5.8)."""

    UNRECORDED = ""
    """A problem recorded by wjexcel 0.1, whose ledger kept no code (or by a newer wjexcel, with a
    code this one does not know)."""

    # the file as a whole (before it is read as a form)
    FILE_UNREADABLE = "file.unreadable"
    FILE_TOO_BIG = "file.too_big"
    FILE_EMPTY = "file.empty"
    FILE_CORRUPT = "file.corrupt"
    FILE_ENCRYPTED = "file.encrypted"
    FILE_UNSUPPORTED = "file.unsupported_format"
    FILE_NOT_SPREADSHEET = "file.not_spreadsheet"
    FILE_UNSAFE = "file.unsafe"
    FILE_TIMEOUT = "file.timeout"
    FILE_INTERNAL = "file.internal_error"
    FILE_DEFERRED = "file.deferred"  # left for the next run (time or inflate budget spent)
    # archives
    ARCHIVE_TOO_DEEP = "archive.too_deep"
    ARCHIVE_UNSAFE = "archive.unsafe"
    ARCHIVE_CORRUPT = "archive.corrupt"
    # mails (.eml, .msg)
    MAIL_UNSAFE = "mail.unsafe"  # too many attachments or parts (a mail bomb)
    MAIL_CORRUPT = "mail.corrupt"
    # the form's identity and structure
    NOT_A_FORM = "form.not_wjexcel"
    SIGNATURE_INVALID = "form.signature_invalid"
    SIGNATURE_MISSING = "form.signature_missing"
    FOREIGN_WORKSPACE = "form.foreign_workspace"
    NOT_SENT_HERE = "form.not_sent_here"
    LAYOUT_DAMAGED = "form.layout_damaged"
    OTHER_PLAN = "form.other_plan"
    PLAN_VERSION = "form.plan_version"
    UNKNOWN_REPORTER = "form.unknown_reporter"
    WRONG_REPORTER = "form.wrong_reporter"  # a genuine form filled in by (or sent as) another reporter
    NOT_ATTRIBUTED = "form.not_attributed"  # not genuinely the reporter it names: changes nothing about it
    SHEET_MISSING = "form.sheet_missing"
    ROW_MISSING = "form.row_missing"
    ROW_MOVED = "form.row_moved"
    INDICATOR_DROPPED = "form.indicator_dropped"
    EXTRA_SHEET = "form.extra_sheet"
    OUTSIDE_CONTENT = "form.outside_content"
    # indicator values and remarks
    VALUE_BLANK = "value.blank"
    VALUE_ERROR_CELL = "value.error_cell"
    VALUE_FORMULA_NO_RESULT = "value.formula_without_result"
    VALUE_NOT_NUMBER = "value.not_number"
    VALUE_FORMULA = "value.formula"
    VALUE_NEGATIVE = "value.negative"
    VALUE_OVER_100 = "value.percent_over_100"
    VALUE_FRACTION = "value.percent_as_fraction"
    VALUE_OUT_OF_RANGE = "value.out_of_range"
    VALUE_IMPLAUSIBLE = "value.implausible"
    VALUE_SUB_OVER_PARENT = "value.sub_item_over_parent"
    VALUE_NOT_STATE = "value.not_milestone_state"  # a 节点任务's cell holds no state word
    FORM_NO_VALUES = "form.no_values"  # not one indicator value typed: not a submission
    REMARK_FORMULA = "remark.formula"
    REMARK_TOO_LONG = "remark.too_long"
    # the signature block
    SIGN_BLANK = "signature_block.blank"
    SIGN_BAD_DATE = "signature_block.bad_date"
    SIGN_UNTRUSTED_DATE = "signature_block.untrusted_date"
    SIGN_TOO_LONG = "signature_block.too_long"
    # detail lists (明细)
    DETAIL_SHEET_MISSING = "detail.sheet_missing"
    DETAIL_LIST_DROPPED = "detail.list_dropped"
    DETAIL_REQUIRED = "detail.required_blank"
    DETAIL_USCC = "detail.uscc_invalid"
    DETAIL_USCC_DUPLICATE = "detail.uscc_duplicate"
    DETAIL_NOT_NUMBER = "detail.not_number"
    DETAIL_NEGATIVE = "detail.negative"
    DETAIL_NOT_INTEGER = "detail.not_integer"
    DETAIL_BAD_DATE = "detail.bad_date"
    DETAIL_BAD_CHOICE = "detail.bad_choice"
    DETAIL_TOTAL = "detail.total_mismatch"
    # the plan workbook
    PLAN_FILE = "plan.file"
    PLAN_STRUCTURE = "plan.structure"
    PLAN_CELL = "plan.cell"
    PLAN_REFERENCE = "plan.reference"
    PLAN_DUPLICATE = "plan.duplicate"
    PLAN_TARGET = "plan.target"
    PLAN_UNKNOWN_SETTING = "plan.unknown_setting"

    @classmethod
    def recorded(cls, text: str | None) -> Code:
        """The code of a problem as the ledger holds it."""
        try:
            return cls(text or "")
        except ValueError:
            return cls.UNRECORDED


@dataclass(frozen=True)
class Problem:
    """One located problem, with a Chinese message a clerk can act on and a code for programs."""

    message: str
    sheet: str = ""
    cell: str = ""
    severity: str = ERROR
    file: str = ""
    code: Code = field(kw_only=True)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        """The ``{"sheet", "cell", "message"}`` shape of docs/规格说明.md §5.1, plus the ``code``."""
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message, "code": self.code.value}

    def where(self) -> str:
        """``工作表 › 单元格`` (empty parts left out): how every listing names a place."""
        return " › ".join(p for p in (self.sheet, self.cell) if p)

    def located(self, with_file: bool = True) -> str:
        """``文件 › 工作表 › 单元格：消息`` with the empty parts left out."""
        where = " › ".join(p for p in (self.file if with_file else "", self.where()) if p)
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ProblemList:
    """An ordered collection of problems with helpers to add and split them."""

    items: list[Problem] = field(default_factory=list)
    file: str = ""

    def error(self, message: str, sheet: str = "", cell: str = "", *, code: Code) -> None:
        self.items.append(Problem(message, sheet, cell, ERROR, self.file, code=code))

    def warning(self, message: str, sheet: str = "", cell: str = "", *, code: Code) -> None:
        self.items.append(Problem(message, sheet, cell, WARNING, self.file, code=code))

    def extend(self, problems) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)
