"""One decision for ``check`` and ``collect``: accept a file, return it, or keep it aside, and why.

The reader (:mod:`wjexcel.collect.formread`) says what is in a file; this module alone
decides what that means, by problem codes, never by the wording of a message. ``check``
(a town's self-check) and ``collect`` (the clerk's intake) both call it, so a file that
passes one passes the other.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from wjexcel.errors import FormError, WjexcelError
from wjexcel.filetypes import FileType
from wjexcel.forms.layout import MAIN_SHEET
from wjexcel.periods import Period
from wjexcel.problems import ERROR, WARNING, Code, Problem
from wjexcel.records import Signature, Verdict

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ett", ".csv", ".ods", ".xlsb", ".xltx"})
"""Names a clerk expects to hold a form: a file so named that is not one is returned, not set aside."""

NOT_A_FORM_NOTE = "不是 Excel 填报表（如盖章扫描件、说明文档），已存档备查"


@dataclass
class Judgement:
    """The decision on one file: ``status`` (accepted / rejected / ignored), its problems, and why."""

    status: Verdict
    problems: list[Problem] = field(default_factory=list)
    note: str = ""
    untrusted_date: bool = False
    attributed: bool = True
    """The file is genuinely the reporter's it names (signed, and nobody wrote another name on it):
    only then may it change that reporter's standing (已报送 / 已退回). A file that is not is
    recorded for no reporter, and its 退回 copy lists the problems without the file's content."""


@dataclass(frozen=True)
class Claims:
    """What people said about whose file this is, beside the reporter signed into the form.

    ``file_name``: the name the file came under; ``sender``: who sent it (a mail's sender,
    given by whoever read the mail; empty when the file was simply dropped into 收回).
    """

    file_name: str = ""
    sender: str = ""


def judge_filetype(kind: FileType, name: str) -> Judgement:
    """A file that is not a readable workbook: returned when it was meant as a form, else kept aside."""
    if kind.spreadsheet or PurePosixPath(name).suffix.lower() in SPREADSHEET_SUFFIXES:
        return Judgement(Verdict.REJECTED, [Problem(kind.message, file=name, code=kind.code)], kind.message)
    return Judgement(Verdict.IGNORED, note=NOT_A_FORM_NOTE)


def judge_unreadable(exc: FormError, name: str) -> Judgement:
    """A workbook the reader could not open (damaged, unsafe, too slow): returned."""
    return Judgement(Verdict.REJECTED, [Problem(str(exc), file=name, code=exc.code)], str(exc))


def judge_reading(reading, *, sent: bool | None, today: date | None = None, reporters=(),
                  claims: Claims | None = None) -> Judgement:
    """Accept or return a form that was read.

    Args:
        reading: What :func:`~wjexcel.collect.formread.read_form` found.
        sent: Whether this workspace sent a form with that id (its ledger knows); ``None``
            outside a workspace, where it cannot be known.
        today: The day the file is judged (tests fix it).
        reporters: The plan's reporter names, to see whether the person named another one
            (in 填报单位, the file name or the sender) than the form is signed for.
        claims: The file name and sender the file came with.
    """
    problems = list(reading.problems)
    wrong = _wrong_reporter(reading, reporters, claims or Claims(reading.file))
    if wrong is not None:
        problems.insert(0, wrong)
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
    genuine = ident is not None and reading.signature_status in (Signature.VALID, Signature.UNCHECKED)
    if ident is not None and not genuine and ident.reporter:
        problems.append(Problem(
            f"表中标明的填报单位是“{ident.reporter}”，但签名核验未通过，不能确认是该单位的表："
            "本表不计入任何单位，也不改变该单位的报送情况", severity=WARNING, file=reading.file,
            code=Code.NOT_ATTRIBUTED))
    errors = [p for p in problems if p.severity == ERROR]
    status = Verdict.REJECTED if errors else Verdict.ACCEPTED
    return Judgement(status, problems, errors[0].message if errors else Verdict.ACCEPTED.label, untrusted,
                     attributed=genuine and wrong is None)


# --- whose form is it ----------------------------------------------------------------------
_BRACKETS = re.compile(r"[（(]([^（）()]+)[）)]")


@functools.lru_cache(maxsize=4096)  # asked for every reporter of the plan, for every file
def reporter_aliases(name: str) -> frozenset[str]:
    """The ways a person writes a reporter's name: ``汾湖高新区（黎里镇）`` also as 汾湖高新区 and
    黎里镇, ``七都镇`` also as 七都, ``区科技局`` also as 科技局."""
    parts = {name, _BRACKETS.sub("", name).strip(), *(m.strip() for m in _BRACKETS.findall(name))}
    more = set()
    for part in parts:
        if len(part) >= 3 and part.endswith("镇"):
            more.add(part[:-1])
        if len(part) >= 4 and part.startswith("区"):
            more.add(part[1:])
    return frozenset(p for p in parts | more if len(p) >= 2)


def named_reporters(text: str, reporters) -> set[str]:
    """The reporters whose name (or a usual short form of it) appears in ``text``."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return set()
    return {r for r in reporters if any(alias in text for alias in reporter_aliases(r))}


def _wrong_reporter(reading, reporters, claims: Claims) -> Problem | None:
    """A genuine form of one reporter that a person marked as another's: 平望镇 filled in 七都镇's
    form and typed 平望镇 as 填报单位, or named the file 平望镇_2022Q3.xlsx. 填报单位 speaks first (a
    blank one says nothing); then the file name, then the sender."""
    ident = reading.identity
    reporters = [r for r in reporters if r]
    if ident is None or not ident.reporter or ident.reporter not in reporters or not reading.signature_ok:
        return None
    block = reading.signature_block
    said = [("unit", block.unit if block is not None else ""),
            ("file", PurePosixPath(claims.file_name or reading.file).stem), ("sender", claims.sender)]
    for where, text in said:
        if named_reporters(text, [ident.reporter]):
            return None  # its own name: asked first, so a city's hundreds of names are not tried on every file
        named = named_reporters(text, reporters)
        if named:
            return _wrong_reporter_problem(reading, ident.reporter, where, text, sorted(named)[0])
    return None


def _wrong_reporter_problem(reading, signed: str, where: str, text: str, other: str) -> Problem:
    sheet = cell = ""
    if where == "unit":
        said, fix = f"填报单位填的是“{text}”", "填报单位"
        sheet, cell = MAIN_SHEET, reading.unit_cell
    elif where == "file":
        said, fix = f"文件名是“{PurePosixPath(reading.file).name}”", "文件名"
    else:
        said, fix = f"发件人是“{text}”", "发件人"
    if where == "sender":
        fix = f"请由{signed}发送"
    else:
        fix = f"请把{fix}改为“{signed}”后重新发送"
    named = "" if where == "unit" and text.strip() == other else f"（{other}）"
    message = (f"这是下发给{signed}的填报表，但{said}{named}。本表不计入任何单位，{signed}和{other}的报送情况都不变。"
               f"如果是{other}报送的，请让{other}在下发给本单位的填报表上重新填写后发送；"
               f"如果确是{signed}的数据，{fix}")
    return Problem(message, sheet, cell, file=reading.file, code=Code.WRONG_REPORTER)


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
