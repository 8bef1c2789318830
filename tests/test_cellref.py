"""A1 references, one way for forms and collect."""

from __future__ import annotations

import pytest

from wjexcel.cellref import a1, parse_a1


def test_a1_both_ways():
    assert a1(12, 6) == "F12" and a1(1, 16384) == "XFD1"
    assert parse_a1("F12") == parse_a1("$f$12") == (12, 6)


@pytest.mark.parametrize("bad", ["", "12", "F", "F0", None, "A1:B2"])
def test_what_is_not_a_cell_reference_is_a_value_error(bad):
    with pytest.raises(ValueError):
        parse_a1(bad)


def test_every_column_and_cell_agrees_with_openpyxl():
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    from wjexcel.cellref import MAX_COLUMN, column_letters, column_number

    for col in range(1, MAX_COLUMN + 1):
        letters = get_column_letter(col)
        assert column_letters(col) == letters and column_number(letters) == col
        assert column_number(letters.lower()) == column_index_from_string(letters.lower()) == col
    for ref in ("A1", "$B$7", "xfd1048576", "ZZZ1", "E３", "AB12"):
        letters, row = coordinate_from_string(ref.replace("$", "").upper())
        assert parse_a1(ref) == (row, column_index_from_string(letters))


@pytest.mark.parametrize("bad", [0, 18279, -1, 2.0, "A"])
def test_what_is_not_a_column_number_is_a_value_error(bad):
    from openpyxl.utils.cell import get_column_letter

    from wjexcel.cellref import column_letters

    with pytest.raises(ValueError):
        column_letters(bad)
    if isinstance(bad, int):
        with pytest.raises(ValueError):
            get_column_letter(bad)


@pytest.mark.parametrize("bad", ["", "AAAA", "A1", "Ａ", None])
def test_what_is_not_a_column_is_a_value_error(bad):
    from wjexcel.cellref import column_number

    with pytest.raises(ValueError):
        column_number(bad)
