"""Located problems: what checks return instead of raising.

A check never stops at the first problem; it returns every one it finds, each with the
place a clerk can go to (file, sheet, cell). Callers decide how to show them: a terminal
table, ``--json``, the 问题清单 sheet, comments in a 退回 copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"

SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Problem:
    """One located problem, with a Chinese message a clerk can act on."""

    message: str
    sheet: str = ""
    cell: str = ""
    severity: str = ERROR
    file: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        """The ``{"sheet", "cell", "message"}`` shape of PRODUCT.md."""
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message}

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

    def error(self, message: str, sheet: str = "", cell: str = "") -> None:
        self.items.append(Problem(message, sheet, cell, ERROR, self.file))

    def warning(self, message: str, sheet: str = "", cell: str = "") -> None:
        self.items.append(Problem(message, sheet, cell, WARNING, self.file))

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
