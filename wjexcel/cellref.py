"""A1 cell references, one way for every stage: ``(3, 5)`` <-> ``"E3"``, rows and columns 1-based."""

from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException


def a1(row: int, col: int) -> str:
    """``(3, 5)`` -> ``"E3"``."""
    return f"{get_column_letter(col)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    """``"E3"`` -> ``(3, 5)``; ``$`` signs and lower case are allowed.

    Raises:
        ValueError: ``ref`` is not an A1 reference.
    """
    try:
        letters, row = coordinate_from_string(ref.replace("$", "").upper())
        return row, column_index_from_string(letters)
    except (CellCoordinatesException, TypeError, AttributeError) as exc:
        raise ValueError(f"not a cell reference: {ref!r}") from exc
