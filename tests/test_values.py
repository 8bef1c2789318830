import datetime as dt

import openpyxl
import pytest

from wjexcel.values import clean_text, is_blank, parse_number

# (typed, percent_unit, unit, expected value, error fragment or None)
CASES = [
    (12, False, None, 12, None),
    (3.5, False, None, 3.5, None),
    (-4, False, None, -4, None),
    ("12", False, None, 12, None),
    (" 12 ", False, None, 12, None),
    ("12\xa0", False, None, 12, None),
    ("\u300012\u3000", False, None, 12, None),
    ("\u200b12", False, None, 12, None),
    ("１２００", False, None, 1200, None),
    ("1,200", False, None, 1200, None),
    ("1，200", False, None, 1200, None),
    ("1,234,567.5", False, None, 1234567.5, None),
    ("12.50", False, None, 12.5, None),
    ("-12", False, None, -12, None),
    ("－12", False, None, -12, None),
    ("\u221212", False, None, -12, None),
    ("1e3", False, None, None, "科学计数法"),
    ("1.5E-2", False, None, None, "科学计数法"),
    ("10³", False, None, None, "“³”不是普通数字"),
    ("①12", False, None, None, "“①”不是普通数字"),
    ("12⒈", False, None, None, "“⒈”不是普通数字"),
    ("١٢", False, None, None, "不是普通数字"),
    ("𝟏𝟐", False, None, None, "不是普通数字"),
    ("１２．５", False, None, 12.5, None),
    ("１，２００", False, None, 1200, None),
    ("３.６％", True, None, 3.6, None),
    ("〇", False, None, None, "汉字数字"),
    ("3.6%", True, "%", 3.6, None),
    ("3.6％", True, None, 3.6, None),
    ("3.6%", False, "家", None, "单位不是 %"),
    ("12家", False, "家", 12, None),
    ("12 家", False, "家", 12, None),
    ("12万元", False, "万元", 12, None),
    ("12个", False, "家", None, "不一致"),
    ("12家", False, None, None, "后面带有文字"),
    ("1,20", False, None, None, "逗号位置不对"),
    ("1,2000", False, None, None, "逗号位置不对"),
    ("1 200", False, None, None, "中间有空格"),
    ("约12", False, None, None, "不是确定的数字"),
    ("12左右", False, None, None, "不是确定的数字"),
    ("12万", False, "万元", None, "数量单位“万”"),
    ("1.2亿", False, None, None, "数量单位“亿”"),
    ("10-12", False, None, None, "范围"),
    ("10~12", False, None, None, "范围"),
    ("10～12", False, None, None, "范围"),
    ("10至12", False, None, None, "范围"),
    ("十二", False, None, None, "汉字数字"),
    ("无", False, None, None, "没有就填 0"),
    ("暂无", False, None, None, "没有就填 0"),
    ("—", False, None, None, "没有就填 0"),
    ("-", False, None, None, "没有就填 0"),
    ("2024-03-05", False, None, None, "日期"),
    ("2024.3.5", False, None, None, "日期"),
    ("2024年3月", False, None, None, "日期"),
    ("3月5日", False, None, None, "日期"),
    ("3/5", False, None, None, "日期"),
    ("=A1*2", False, None, None, "公式文本"),
    ("abc", False, None, None, "不是数字"),
    (True, False, None, None, "逻辑值"),
    (dt.date(2024, 3, 5), False, None, None, "日期"),
    (dt.datetime(2024, 3, 5, 10, 0), False, None, None, "日期"),
    (float("nan"), False, None, None, "无效"),
]


@pytest.mark.parametrize("typed, percent, unit, value, error", CASES, ids=[repr(c[0]) for c in CASES])
def test_parse_number(typed, percent, unit, value, error):
    parsed = parse_number(typed, percent_unit=percent, unit=unit)
    if error is None:
        assert parsed.error is None, parsed.error
        assert parsed.value == value and type(parsed.value) is type(value)
    else:
        assert parsed.value is None
        assert error in parsed.error
    assert parsed.raw == str(typed)


@pytest.mark.parametrize("typed", [None, "", "   ", "\xa0", "\u3000", "\u200b"])
def test_blank_is_none_without_error(typed):
    parsed = parse_number(typed, percent_unit=False)
    assert parsed.value is None and parsed.error is None
    assert parsed.raw == typed
    assert is_blank(typed)


def test_notes_say_what_was_normalised():
    assert "单位" in parse_number("12家", percent_unit=False, unit="家").note
    assert "百分号" in parse_number("3.6%", percent_unit=True).note
    assert parse_number("12", percent_unit=False).note is None


def test_error_quotes_the_raw_text():
    assert "“约12”" in parse_number("约12", percent_unit=False).error


def test_is_blank_keeps_zero_and_text():
    assert not is_blank(0)
    assert not is_blank("0")
    assert not is_blank(" x ")


def test_clean_text_survives_an_openpyxl_round_trip(tmp_path):
    hostile = "备注\x00\x07\x1b行\r\n二\t列\ud800尾" + "长" * 40000
    cleaned = clean_text(hostile)
    assert cleaned.startswith("备注行\n二\t列尾")
    assert len(cleaned) == 32767
    wb = openpyxl.Workbook()
    wb.active["A1"] = cleaned
    wb.save(tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active["A1"].value == cleaned


def test_clean_text_other_inputs():
    assert clean_text(None) == ""
    assert clean_text(12) == "12"
    assert clean_text("abcdef", max_len=3) == "abc"
