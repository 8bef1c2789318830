"""A1 references, one way for forms and collect."""

from __future__ import annotations

import pytest

from wjexcel.cellref import a1, parse_a1
from wjexcel.collect import book
from wjexcel.forms import signing


def test_a1_both_ways():
    assert a1(12, 6) == "F12" and a1(1, 16384) == "XFD1"
    assert parse_a1("F12") == parse_a1("$f$12") == (12, 6)
    assert book.a1 is a1 and book.parse_a1 is parse_a1 and signing.ref_to_rowcol is parse_a1


@pytest.mark.parametrize("bad", ["", "12", "F", "F0", None, "A1:B2"])
def test_what_is_not_a_cell_reference_is_a_value_error(bad):
    with pytest.raises(ValueError):
        parse_a1(bad)
