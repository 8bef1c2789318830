"""What a returned file holds, as plain data: its sheets and their non-empty cells.

Both readers (:mod:`wjexcel.collect.fastread` and the careful one in
:mod:`wjexcel.collect.reader`) produce these; :mod:`wjexcel.collect.formread` reads a form from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from wjexcel.cellref import parse_a1

VISIBLE, HIDDEN, VERY_HIDDEN = "visible", "hidden", "veryHidden"


class CellData(NamedTuple):
    """One non-empty cell.

    Attributes:
        value: The typed value, or a formula's cached result (``None`` if it has none).
        formula: Formula text (``=C3*2``) when the engine reports formulas, else ``None``.
        is_text: The cell holds text (``'1,200'`` typed into a text cell), not a number.
        is_error: The value is an Excel error such as ``#N/A``.
        number_format: The cell's number format where the engine reports it.
    """

    value: Any
    formula: str | None = None
    is_text: bool = False
    is_error: bool = False
    number_format: str | None = None

    @property
    def formula_without_result(self) -> bool:
        """A formula saved by a program that did not calculate it (公式没有计算结果)."""
        return self.formula is not None and self.value is None


@dataclass
class SheetData:
    """The cells of one sheet within the bounds, and where content really ends.

    Attributes:
        cells: ``{(row, col): CellData}``, 1-based, only cells inside the bounds.
        max_row, max_col: Last row/column holding content anywhere in the sheet.
        beyond_bounds: Some content lies outside the bounds that were read.
        beyond_cells: A1 references of the first such cells.
        formulas_known: The engine reports formulas (False for .xls/.ods).
    """

    name: str
    visibility: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    max_row: int = 0
    max_col: int = 0
    beyond_bounds: bool = False
    beyond_cells: tuple[str, ...] = ()
    formulas_known: bool = True

    def get(self, ref: str) -> CellData | None:
        """The cell at an A1 reference, or None when empty or outside the bounds."""
        return self.cells.get(parse_a1(ref))


@dataclass
class WorkbookData:
    """What a returned file holds.

    Attributes:
        custom_properties: Custom document properties; ``None`` where the engine
            cannot read them (.xls/.ods), ``{}`` where there are none.
        defined_names: ``{name: reference}``; sheet-scoped names as ``Sheet!name``;
            ``None`` where the engine cannot read them.
    """

    display_name: str
    kind: str
    sheets: list[SheetData]
    custom_properties: dict[str, Any] | None = None
    defined_names: dict[str, str] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> SheetData | None:
        """The sheet called ``name``, or None."""
        return next((s for s in self.sheets if s.name == name), None)
