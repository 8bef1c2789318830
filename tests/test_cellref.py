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
