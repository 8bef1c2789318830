"""The one text width model: the widest font a number may meet, titles and long paragraphs."""

from __future__ import annotations

from wjexcel.report.cells import as_shown, number_width
from wjexcel.textmeasure import MAX_ROW_HEIGHT, fit_height, print_units, row_pieces, shown_width, title_lines


def test_numbers_are_measured_in_the_widest_font_they_may_meet():
    # DejaVu Sans, LibreOffice's stand-in for 仿宋 and Calibri, prints 100.00% 4.45 em wide: at 11 pt that is
    # 9.3 units, where Calibri's 0.51 em digits would suggest 7.1 (the width that printed ### before)
    assert 9.3 <= print_units("100.00%") < 9.4
    assert shown_width(["100.00%"]) >= 9.8 and shown_width(["75.00%"]) >= 8.0
    assert print_units("中文") == print_units("中") * 2 and 2.0 < print_units("中") < 2.2
    assert print_units("88", bold=True) > print_units("88")


def test_a_value_is_measured_as_its_format_shows_it():
    assert as_shown(1.0, "0.0%") == "100.0%" and as_shown(-2, "0.0%") == "-200.0%"
    assert as_shown(1125, "#,##0.00") == "1,125.00" and as_shown(146.75, "#,##0.0") == "146.8"
    assert as_shown(1600, '"＞"#,##0') == "＞1,600" and as_shown(3.67, "General") == "3.67"
    assert number_width([1.0], "0.0%") < number_width([1.0], "0.00%")
    assert number_width([1], "0", low=7.5) == 7.5


def test_a_title_breaks_next_to_its_brackets_only():
    title = "吴江区推进科技创新跨越发展三年行动计划（2021-2023年）推进情况概览（2022年第三季度）"
    assert title_lines(title, 86) == "吴江区推进科技创新跨越发展三年行动计划（2021-2023年）\n推进情况概览（2022年第三季度）"
    narrow = title_lines(title, 70)
    assert "\n" in narrow and all(part in narrow for part in ("（2021-2023年）", "推进情况概览", "（2022年第三季度）"))
    assert title_lines("督办清单（2022年第三季度）", 86) == "督办清单（2022年第三季度）"


def test_a_paragraph_taller_than_a_row_goes_on_over_the_next_rows():
    paragraph = "进度滞后的指标：" + "某某指标完成率百分之七十，序时进度百分之七十五，滞后。" * 40
    pieces = row_pieces(paragraph, 76, 14)
    assert len(pieces) >= 2 and "".join(pieces) == paragraph
    assert all(fit_height(p, 76, 14) <= MAX_ROW_HEIGHT for p in pieces)
    assert all(p.endswith("。") for p in pieces[:-1])  # cut after a sentence
    assert row_pieces("短句。", 76, 14) == ["短句。"]
