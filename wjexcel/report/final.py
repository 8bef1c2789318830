"""定稿: a period's report recorded as the one sent, and every figure that changed since.

``consolidate --final`` writes the report under a name marked 定稿 (``…_定稿.xlsx``), marks its
概览, asks Excel to open it read-only, keeps a copy of its bytes in the archive and records in
the ledger when it was made, the figures it showed and the submissions it used (by hash). That
file is never written again. A later consolidation of the period writes a new file, compared
with the latest 定稿: its 更正说明 sheet lists every figure that changed, from what to what,
and the submission that changed it.

The figures of a 定稿 are those of the ``consolidate --json`` document: each indicator's
district value (scope ``indicator``), each split target's value (``split``) and each
reporter's own value (``reporter``, the ``by_reporter`` entries).

A second ``--final`` of a period is refused while its figures are those of the latest 定稿;
once a correction changed them, it records the next version (``…_定稿第2版.xlsx``), whose
更正说明 lists what it corrects in the version before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wjexcel.errors import AlreadyFinalError, WjexcelError
from wjexcel.periods import Period
from wjexcel.plan.model import format_number, plain_number
from wjexcel.report.figures import EPS, SOURCE, Figures
from wjexcel.workspace.archive import Archive
from wjexcel.workspace.ledger import FinalRecord, Ledger, Submission

INDICATOR, SPLIT, REPORTER = "indicator", "split", "reporter"
_SCOPE_ORDER = {INDICATOR: 0, SPLIT: 1, REPORTER: 2}
FINAL_SUFFIX = "_定稿"

Key = tuple[str, str, str | None]
"""(indicator code, scope, split or reporter name)."""


def figure_values(figures: Figures) -> dict[Key, float | None]:
    """Every figure of a period's report, as the JSON gives it."""
    out: dict[Key, float | None] = {}
    for f in figures.indicators:
        out[(f.code, INDICATOR, None)] = f.value
        for s in f.splits:
            out[(f.code, SPLIT, s.name)] = s.value
        for reporter, value in f.by_reporter.items():
            out[(f.code, REPORTER, reporter)] = value
    return out


def _differ(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > EPS * max(1.0, abs(a), abs(b))


@dataclass(frozen=True)
class Cause:
    """A submission behind a change: who sent it, its file, when it came, and the file it replaced."""

    reporter: str
    file: str | None
    received_at: datetime | None
    replaced: str | None = None  # the file the 定稿 used for this reporter

    def text(self) -> str:
        """``七都镇：“收回/七都镇_更正.xlsx”（2022-10-09 10:12收到，替代定稿时的“收回/七都镇.xlsx”）``."""
        if self.file is None:
            return f"{self.reporter}：本期已没有被接收的报表"
        parts = [f"{self.received_at:%Y-%m-%d %H:%M}收到"] if self.received_at else []
        if self.replaced is None:
            parts.append("定稿时该单位未报")
        elif self.replaced != self.file:
            parts.append(f"替代定稿时的“{self.replaced}”")
        return f"{self.reporter}：“{self.file}”" + (f"（{'，'.join(parts)}）" if parts else "")

    def to_json(self) -> dict:
        return {"reporter": self.reporter, "file": self.file,
                "received_at": self.received_at.isoformat(timespec="seconds") if self.received_at else None}


@dataclass(frozen=True)
class Change:
    """One figure that differs from the 定稿: ``who`` is the split or reporter (None: the district figure)."""

    code: str
    name: str
    unit: str
    scope: str
    who: str | None
    before: float | None
    after: float | None
    causes: tuple[Cause, ...] = ()
    percent: bool = False

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    def label(self) -> str:
        """What the figure is: 全区, 分解目标：四个镇, 七都镇报数."""
        return {INDICATOR: "全区", SPLIT: f"分解目标：{self.who}", REPORTER: f"{self.who}报数"}[self.scope]

    def cause_text(self) -> str:
        if not self.causes:
            return "本期各单位报数未变，变化来自其他期间的更正（计划期累计数）"
        return "；".join(c.text() for c in self.causes)

    def sentence(self) -> str:
        """``科创载体（全区）：5 → 8个``."""
        def show(v):
            return "无" if v is None else f"{format_number(round(v, 4))}"
        return f"{self.name}（{self.label()}）：{show(self.before)} → {show(self.after)}{self.unit}"

    def to_json(self) -> dict:
        """One ``changes_since_final`` object: ``reporter`` is the split or reporter the figure belongs to."""
        return {"code": self.code, "reporter": self.who, "from": plain_number(self.before),
                "to": plain_number(self.after), "scope": self.scope, "name": self.name,
                "submissions": [c.to_json() for c in self.causes]}


def compare(figures: Figures, recorded: dict[Key, float | None], used: list[Submission],
            now: list[Submission]) -> list[Change]:
    """Every figure of ``figures`` that differs from the ``recorded`` 定稿 figures, with its causes.

    ``used`` are the submissions the 定稿 used, ``now`` those counting now; the cause of a
    change is each reporter in the figure's scope whose own figure changed (for a district
    figure taken from the source unit: that unit).
    """
    current = figure_values(figures)
    by_code = {f.code: f for f in figures.indicators}
    order = {f.code: i for i, f in enumerate(figures.indicators)}
    old = {s.reporter: s for s in used}
    new = {s.reporter: s for s in now}
    moved = {}
    for key in set(recorded) | set(current):
        if _differ(recorded.get(key), current.get(key)):
            moved[key] = (recorded.get(key), current.get(key))
    changed_reporters: dict[str, list[str]] = {}
    for code, scope, who in moved:
        if scope == REPORTER:
            changed_reporters.setdefault(code, []).append(who)

    def cause(reporter: str) -> Cause:
        sub, was = new.get(reporter), old.get(reporter)
        return Cause(reporter, sub.file if sub else None, sub.received_at if sub else None,
                     was.file if was else None)

    out = []
    for (code, scope, who), (before, after) in moved.items():
        figure = by_code.get(code)
        if scope == REPORTER:
            reporters = [who]
        else:
            reporters = sorted(changed_reporters.get(code, []))
            if scope == INDICATOR and figure is not None and figure.basis == SOURCE:
                reporters = [r for r in reporters if r == figure.indicator.source_unit] or reporters
            if scope == SPLIT and figure is not None:
                members = next((s.members for s in figure.splits if s.name == who), None)
                if members is not None:
                    reporters = [r for r in reporters if r in members]
        ind = figure.indicator if figure is not None else None
        out.append(Change(code, ind.name if ind else code, ind.unit if ind else "", scope, who, before, after,
                          tuple(cause(r) for r in reporters), bool(ind and ind.is_percent)))
    out.sort(key=lambda c: (order.get(c.code, len(order)), c.code, _SCOPE_ORDER[c.scope], c.who or ""))
    return out


@dataclass
class FinalView:
    """What a consolidation says about its period's 定稿.

    ``record`` is the latest 定稿 before this run (what ``changes`` compare with), ``making``
    the version this run is recording (``--final``), ``made`` that record once written.
    """

    period: Period
    record: FinalRecord | None = None
    changes: list[Change] = field(default_factory=list)
    making: int | None = None
    made: FinalRecord | None = None
    intact: bool = True  # the recorded 定稿 file still has its bytes
    root: Path | None = None
    finals: list[Path] = field(default_factory=list)  # every 定稿 file of the workspace

    @property
    def current(self) -> FinalRecord | None:
        """The period's latest 定稿 after this run."""
        return self.made or self.record

    def path(self, record: FinalRecord) -> Path:
        return self.root / record.file if self.root else Path(record.file)

    def to_json(self) -> dict:
        """``final`` and ``changes_since_final`` of ``consolidate --json`` (plus, when this run recorded a
        new version over an earlier one, ``corrected_final``: that one and what changed from it)."""
        current = self.current
        out = {"final": None if current is None else
               {"at": current.made_at.isoformat(timespec="seconds"), "file": str(self.path(current)),
                "version": current.version},
               "changes_since_final": [] if self.made else [c.to_json() for c in self.changes]}
        if self.made and self.record:
            out["corrected_final"] = {"at": self.record.made_at.isoformat(timespec="seconds"),
                                      "file": str(self.path(self.record)), "version": self.record.version,
                                      "changes": [c.to_json() for c in self.changes]}
        return out

    def mark_text(self, made_at: datetime) -> str:
        """The line at the top of 概览: this is the 定稿, or a report made after one."""
        label = self.period.label
        if self.making:
            text = (f"【定稿】本表为{label}的定稿（第{self.making}版，{made_at:%Y-%m-%d %H:%M}定稿），即报送的版本，"
                    "今后不再改动；此后的更正另行生成新表，并附“更正说明”。")
            if self.record:
                text += f"本版与第{self.record.version}版相比有 {len(self.changes)} 项数字变化，见“更正说明”。"
            return text
        if self.record:
            r = self.record
            return (f"【定稿后更正】{label}已于{r.made_at:%Y-%m-%d %H:%M}定稿（第{r.version}版，“{Path(r.file).name}”）；"
                    + (f"本表与定稿相比有 {len(self.changes)} 项数字变化，见“更正说明”。" if self.changes
                       else "本表与定稿相比没有数字变化。"))
        return ""

    def summary_lines(self) -> list[str]:
        label = self.period.label
        if self.made:
            m = self.made
            lines = [f"已定稿：本表已记为{label}报送的定稿（第{m.version}版，{m.made_at:%Y-%m-%d %H:%M}），"
                     f"文件“{Path(m.file).name}”今后不会被改动；之后再汇总本期将另存新表，并附“更正说明”。"]
            if self.record:
                lines.append(f"本版更正了第{self.record.version}版的 {len(self.changes)} 项数字（见“更正说明”）。")
            return lines
        if not self.record:
            return []
        r = self.record
        head = (f"{label}已于{r.made_at:%Y-%m-%d %H:%M}定稿（第{r.version}版，“{Path(r.file).name}”）"
                + ("，定稿文件未改动。" if self.intact else "。"))
        if self.changes:
            shown = "；".join(c.sentence() for c in self.changes[:5])
            more = f" 等 {len(self.changes)} 项" if len(self.changes) > 5 else ""
            lines = [head, f"与定稿相比有变化的数字：{shown}{more}（见本表“更正说明”）。"]
        else:
            lines = [head, "与定稿相比没有数字变化。"]
        if not self.intact:
            lines.append(f"注意：定稿文件“{r.file}”已被改动或移走；报送时的原件仍保存在“{r.archive_path}”。")
        return lines


@dataclass
class FinalBasis:
    """What the ledger knows of a period's 定稿, read with the period's submissions."""

    period: Period
    root: Path
    record: FinalRecord | None
    recorded: dict[Key, float | None]
    used: list[Submission]
    finals: list[Path]
    intact: bool = True

    @classmethod
    def read(cls, ws, ledger: Ledger, period: Period) -> "FinalBasis":
        record = ledger.final(period.code)
        recorded, used, intact = {}, [], True
        if record is not None:
            recorded = {(code, scope, name): value for code, scope, name, value in ledger.final_figures(record.id)}
            used = ledger.final_submissions(record.id)
            intact = _sha256(ws.root / record.file) == record.sha256
        finals = [ws.root / r.file for r in ledger.finals()]
        return cls(period, ws.root, record, recorded, used, finals, intact)

    def view(self, figures: Figures, now: list[Submission], *, final: bool = False) -> FinalView:
        """Compare ``figures`` with the 定稿; with ``final``, refuse a 定稿 that would repeat the last one.

        Raises:
            AlreadyFinalError: ``final`` and the figures are those of the latest 定稿.
        """
        changes = compare(figures, self.recorded, self.used, now) if self.record else []
        if final and self.record is not None and not changes:
            r = self.record
            raise AlreadyFinalError(
                f"{self.period.label}已于{r.made_at:%Y-%m-%d %H:%M}定稿（第{r.version}版，“{r.file}”），此后数字没有变化，"
                "不再重复定稿，定稿文件保持不变。如有更正，请先收集更正后的报表再定稿。")
        making = (self.record.version + 1 if self.record else 1) if final else None
        return FinalView(self.period, self.record, changes, making=making, intact=self.intact, root=self.root,
                         finals=self.finals)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def output_path(view: FinalView, target: Path, explicit: bool) -> Path:
    """Where this run's workbook goes: a 定稿 gets ``…_定稿.xlsx`` (``…_定稿第2版.xlsx`` …) unless a
    file was named; no run ever writes over a file recorded as a 定稿 (a default name that is one
    gets ``_2``, ``_3`` …).

    Raises:
        WjexcelError: ``target`` was named and is a 定稿 file.
    """
    if view.making and not explicit:
        mark = FINAL_SUFFIX if view.making == 1 else f"{FINAL_SUFFIX}第{view.making}版"
        target = target.with_name(f"{target.stem}{mark}{target.suffix}")
    finals = {_resolved(p) for p in view.finals}
    if _resolved(target) in finals and explicit:
        raise WjexcelError(f"“{target}”是已定稿的汇总表，定稿文件不能覆盖。请另选文件名（或不指定输出文件，使用默认文件名）。")
    candidate, n = target, 1
    # a 定稿 never replaces a file already there: after a ledger restore the record of an earlier
    # 定稿 may be gone, but the file that was sent is still on disk
    while _resolved(candidate) in finals or (view.making and not explicit and candidate.exists()):
        n += 1
        candidate = target.with_name(f"{target.stem}_{n}{target.suffix}")
    return candidate


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path).absolute()


def seal(ws, view: FinalView, path: Path, figures: Figures, submissions: list[Submission],
         made_at: datetime) -> FinalRecord:
    """Record ``path`` as the period's next 定稿: its bytes archived, its figures and submissions kept."""
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    kept = Archive(ws).store_bytes(sha, data)
    rows = [(code, scope, name, value) for (code, scope, name), value in figure_values(figures).items()]
    with Ledger.open(ws) as ledger:
        view.made = ledger.record_final(view.period.code, ws.relative(path), sha, kept, made_at, rows, submissions)
    return view.made
