"""One decision for ``check`` and ``collect``: accept a file, return it, or keep it aside, and why.

The reader (:mod:`wjexcel.collect.formread`) says what is in a file; this module alone
decides what that means, by problem codes, never by the wording of a message. ``check``
(a town's self-check) and ``collect`` (the clerk's intake) both call it, so a file that
passes one passes the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from wjexcel.errors import FormError, WjexcelError
from wjexcel.filetypes import FileType
from wjexcel.forms.layout import MAIN_SHEET
from wjexcel.periods import Period
from wjexcel.problems import ERROR, WARNING, Code, Problem
from wjexcel.workspace.ledger import ACCEPTED, IGNORED, REJECTED

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ett", ".csv", ".ods", ".xlsb", ".xltx"})
"""Names a clerk expects to hold a form: a file so named that is not one is returned, not set aside."""

ACCEPTED_NOTE = "已接收"
NOT_A_FORM_NOTE = "不是 Excel 填报表（如盖章扫描件、说明文档），已存档备查"


@dataclass
class Judgement:
    """The decision on one file: ``status`` (accepted / rejected / ignored), its problems, and why."""

    status: str
    problems: list[Problem] = field(default_factory=list)
    note: str = ""
    untrusted_date: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def judge_filetype(kind: FileType, name: str) -> Judgement:
    """A file that is not a readable workbook: returned when it was meant as a form, else kept aside."""
    if kind.spreadsheet or PurePosixPath(name).suffix.lower() in SPREADSHEET_SUFFIXES:
        return Judgement(REJECTED, [Problem(kind.message, file=name, code=kind.code)], kind.message)
    return Judgement(IGNORED, note=NOT_A_FORM_NOTE)


def judge_unreadable(exc: FormError, name: str) -> Judgement:
    """A workbook the reader could not open (damaged, unsafe, too slow): returned."""
    return Judgement(REJECTED, [Problem(str(exc), file=name, code=exc.code)], str(exc))


def judge_reading(reading, *, sent: bool | None, today: date | None = None) -> Judgement:
    """Accept or return a form that was read.

    Args:
        reading: What :func:`~wjexcel.collect.formread.read_form` found.
        sent: Whether this workspace sent a form with that id (its ledger knows); ``None``
            outside a workspace, where it cannot be known.
        today: The day the file is judged (tests fix it).
    """
    problems = list(reading.problems)
    untrusted = False
    ident = reading.identity
    if ident is not None and sent is False:
        if reading.signature_ok:
            problems.append(Problem("该表不在本工作区的分发记录中（可能由其他电脑上的工作区生成），签名有效，已接收",
                                    severity=WARNING, file=reading.file, code=Code.NOT_SENT_HERE))
        elif any(p.code == Code.SIGNATURE_INVALID for p in problems):
            problems = [p for p in problems if p.code != Code.SIGNATURE_INVALID]
            problems.insert(0, Problem(
                "这张表不是本工作区发出的（表单编号不在分发记录中，签名也与本工作区不符），可能是其他科室或"
                "其他电脑生成的表。请让该单位使用本次下发的填报表重新填写", file=reading.file,
                code=Code.FOREIGN_WORKSPACE))
    if ident is not None and _nothing_typed(reading):
        first = reading.values[0]  # marked in the 退回 copy: where to start typing
        problems.append(Problem(NO_VALUES_MESSAGE, first.sheet, first.cell, file=reading.file,
                                code=Code.FORM_NO_VALUES))
    block = reading.signature_block
    if ident is not None and block is not None and block.filled_on is not None:
        untrusted = _untrusted_date(block.filled_on, ident.period, today or date.today(), reading.file, problems)
    errors = [p for p in problems if p.severity == ERROR]
    status = REJECTED if errors else ACCEPTED
    return Judgement(status, problems, errors[0].message if errors else ACCEPTED_NOTE, untrusted)


NO_VALUES_MESSAGE = "这份表没有填写任何指标数值，不算报送：本期确无数据的请填 0，再发回"


def _nothing_typed(reading) -> bool:
    """A form whose every value cell (and 节点任务 state) was left blank: not a submission."""
    return bool(reading.values) and all(v.value is None and not (v.raw or "").strip() for v in reading.values)


def _untrusted_date(filled: date, period_code: str, today: date, file: str, problems: list[Problem]) -> bool:
    """A 填报日期 after today or before the period began is a slip: say so; it must not decide
    which version is newest."""
    try:
        period = Period.parse(period_code)
    except WjexcelError:
        return False
    if filled > today:
        why = "晚于今天"
    elif filled < period.start_date:
        start = period.start_date
        why = f"早于本期开始（{start.year}-{start.month:02d}-{start.day:02d}）"
    else:
        return False
    problems.append(Problem(
        f"填报日期 {filled.isoformat()} {why}，可能填错了；判断哪一份是最新版本时不采用这个日期",
        MAIN_SHEET, severity=WARNING, file=file, code=Code.SIGN_UNTRUSTED_DATE))
    return True
