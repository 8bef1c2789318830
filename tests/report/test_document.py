"""The 进展情况报告.docx read back: with python-docx (page, margins, fonts, line spacing, the PAGE
field), against ``consolidate --json`` of a real cycle (every figure in 总体情况 and 主要指标),
and rendered by LibreOffice (A4 pages, the text whole)."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from tests.report.test_cycle_e2e import cycle  # noqa: F401  (the fixture: five periods filled and collected)
from tests.report.test_workbook import WHEN, rv
from wjexcel.cli import cli
from wjexcel.periods import Period
from wjexcel.plan.builtin import builtin_plan
from wjexcel.report.data import ReportData
from wjexcel.report.document import LINE_TWIPS, write_document
from wjexcel.report.document_text import TABLE_HEADS
from wjexcel.report.history import History
from wjexcel.report.supervision import unit_items

FONTS = {"仿宋_GB2312", "楷体_GB2312", "黑体", "方正小标宋简体", "宋体"}
HOSTILE = '=HYPERLINK("http://x","点击")'
SPECIAL = "<b>评审</b> & 认定推迟 <暂缓>"


@pytest.fixture(scope="module")
def report(cycle):  # noqa: F811
    doc, _ = cycle
    return doc, Path(doc["document"])


def _section_paragraphs(document, start: str, stop: str) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    return texts[texts.index(start) + 1: texts.index(stop)]


def test_consolidate_writes_the_document_beside_the_workbook(report):
    doc, path = report
    assert path.exists() and path.parent == Path(doc["output"]).parent
    assert path.name == "吴江区科技创新三年行动计划_2022Q3_进展情况报告.docx"


def test_page_margins_sections_and_the_landscape_attachment(report):
    _, path = report
    document = docx.Document(str(path))
    first, attachment = document.sections
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (first.top_margin, first.left_margin, first.bottom_margin, first.right_margin)] \
        == [37, 28, 35, 26]
    assert (round(attachment.page_width.mm), round(attachment.page_height.mm)) == (297, 210)
    table = document.tables[0]
    widths = [int(col.get(qn("w:w"))) / 56.7 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    usable = attachment.page_width.mm - attachment.left_margin.mm - attachment.right_margin.mm
    assert sum(widths) <= usable + 0.5
    assert [c.text for c in table.rows[0].cells][:5] == ["序号", "指标", "单位", "本年目标", "本期完成值"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    for head, mm in zip(TABLE_HEADS, widths):  # 10.5 pt: 3.7 mm a character, 3.8 mm of cell margins
        assert len(head) * 3.7 + 3.8 <= mm, head
    # the break to the landscape page ends the 成文日期's paragraph: no empty line to spill onto a page
    date = [p for p in document.paragraphs if p.style.name == "署名"][-1]
    assert date._p.pPr.sectPr is not None
    note = next(p for p in document.paragraphs if p.style.name == "附件说明")
    assert note.paragraph_format.keep_with_next or note.style.paragraph_format.keep_with_next
    indent = note.style.paragraph_format
    assert round(indent.left_indent.pt + indent.first_line_indent.pt) == 32  # 附件：two characters in, hanging


def _run_fonts(run) -> dict:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {slot: fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia")}


def test_every_run_names_its_east_asian_font_and_the_sizes_are_the_standards(report):
    _, path = report
    document = docx.Document(str(path))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert len(runs) > 50
    for run in runs:
        fonts = _run_fonts(run)
        assert fonts["eastAsia"] in FONTS and fonts["ascii"] == fonts["eastAsia"], (run.text, fonts)
    by_style = {}
    for p in document.paragraphs:
        for run in p.runs:
            by_style.setdefault(p.style.name, set()).add((_run_fonts(run)["eastAsia"], run.font.size.pt))
    assert by_style["公文标题"] == {("方正小标宋简体", 22)}
    assert by_style["公文正文"] == {("仿宋_GB2312", 16)}
    assert by_style["一级标题"] == {("黑体", 16)}
    assert by_style["二级标题"] == {("楷体_GB2312", 16)}
    styles = {name: document.styles[name] for name in ("公文正文", "一级标题", "二级标题", "署名")}
    for style in styles.values():
        assert style.paragraph_format.line_spacing.twips == LINE_TWIPS  # 28.95 pt, exactly
        assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) in FONTS
    assert str(styles["公文正文"].paragraph_format.line_spacing_rule) .startswith("EXACTLY")
    fallback = zipfile.ZipFile(path).read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"', fallback)
    assert re.search(r'w:name="楷体_GB2312">\s*<w:altName w:val="楷体"', fallback)


def test_the_footer_numbers_pages_from_a_page_field(report):
    _, path = report
    document = docx.Document(str(path))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert [f.get(qn("w:fldCharType")) for f in p._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert p.text == "— 1 —" and str(p.alignment).startswith(align) and "宋体" in xml
        assert {r.font.size.pt for r in p.runs} == {14}


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def _pp(progress: float, due: float) -> str:
    return f"{abs((progress - due) * 100):.1f}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}"


def _num(value: float) -> str:
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".")


def test_every_figure_of_the_overview_and_the_indicators_is_the_jsons(report):
    doc, path = report
    document = docx.Document(str(path))
    counts = {}
    for item in doc["indicators"]:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    judged = sum(n for s, n in counts.items() if s != "本期不报")
    on = counts.get("已完成", 0) + counts.get("序时推进", 0)
    overall = "".join(_section_paragraphs(document, "一、总体情况", "二、主要指标完成情况"))
    assert (f"本期评价的{judged}项指标中，达到序时进度{on}项、占比{_pct(on / judged)}%（已完成{counts.get('已完成', 0)}项、"
            f"序时推进{counts.get('序时推进', 0)}项）；未达到序时进度{counts['滞后'] + counts['严重滞后']}项"
            f"（滞后{counts['滞后']}项、严重滞后{counts['严重滞后']}项）；尚无数据{counts['未报送']}项") in overall
    not_due = [i["name"] for i in doc["indicators"] if i["status"] == "本期不报"]
    assert f"另有{'、'.join(not_due)}{len(not_due)}项按填报频次本期不报，不计入上述统计" in overall
    body = "".join(p.text for p in document.paragraphs)
    assert body.count("本期不报") == 1  # said once
    assert f"共{len(doc['supervision'])}项，已列入督办清单" in overall
    share = (1 + 0.75) / 3  # the plan share of 2022Q3 in a 2021-2023 plan
    sentences = _section_paragraphs(document, "二、主要指标完成情况", "三、存在问题")
    for item in doc["indicators"]:
        mine = [s for s in sentences if s.startswith(item["name"])]
        if item["status"] == "本期不报":
            assert not mine
            continue
        assert len(mine) == 1, item["name"]
        text = mine[0][len(item["name"]):]
        if item["value"] is None and "partial" in item:  # a towns' sum of some towns: 暂缺, never a figure
            p = item["partial"]
            assert "暂缺" in text
            assert [float(x) for x in _numbers(text)] == pytest.approx([p["reported"], p["expected"]]
                                                   + ([p["value"]] if p["value"] is not None else []))
            continue
        if item["value"] is None:
            assert "本期尚无数据" in text and not _numbers(text)
            continue
        v, t = item["value"], item["target"]
        due = share if item["kind"] == "plan_total" else item["elapsed"]
        expected = {_num(v), _num(t), _pct(item["progress"]), _pp(item["progress"], due)}
        if item["kind"] == "plan_total":
            expected.add(_pct(share))
        if item["kind"] == "stock" and item["baseline"] is not None:
            expected |= {_num(abs(v - item["baseline"])), _num(t - item["baseline"])}
            assert f"较上年末{'净增' if v > item['baseline'] else '减少'}{_num(abs(v - item['baseline']))}" in text
        else:
            assert f"的{_pct(item['completion'])}%" in text
        last = item["same_period_last_year"]
        if item["kind"] != "plan_total" and last and last["value"]:
            expected.add(_pct(abs(v - last["value"]) / last["value"]))
            assert ("同比增长" if v > last["value"] else "同比下降") in text
        previous = item["previous"]
        if item["kind"] != "plan_total" and previous and previous["value"] is not None:
            expected.add(_num(abs(v - previous["value"])))
        word = "超" if item["progress"] > due else "低于"
        assert item["kind"] != "stock" or v > item["baseline"]  # (a net fall has no 百分点: not in this cycle)
        assert f"{word}{'计划期' if item['kind'] == 'plan_total' else ''}序时进度{_pp(item['progress'], due)}个百分点" \
            in text, text
        assert _num(v) == _numbers(text)[0]
        assert set(_numbers(text)) <= expected, (item["name"], text, expected)


def test_problems_quote_the_remarks_and_next_steps_are_left_to_the_clerk(report):
    doc, path = report
    document = docx.Document(str(path))
    problems = _section_paragraphs(document, "三、存在问题", "四、下步打算")
    assert any("人才办说明：“三季度省级评审推迟，部分项目四季度认定”" in p for p in problems)
    assert sum(1 for p in problems if re.match(r"\d+\.", p)) == len(doc["supervision"])
    steps = [p for p in document.paragraphs
             if p.text and p.style.name == "公文正文"
             and p.text.startswith(tuple(f"{n}." for n in range(1, 50)))][len(doc["supervision"]):]
    from wjexcel.plan.builtin import builtin_plan

    towns = [d.name for d in builtin_plan().districts]  # 各区镇 is written to each town by name
    units = {t for s in doc["supervision"] for u in s["units"] for t in (towns if u == "各区镇" else [u])}
    assert len(steps) == len(units)
    assert not any(p.text.split("：")[0].endswith("各区镇") for p in steps)
    for p in steps:
        todo = [r for r in p.runs if r.text.startswith("【请补充")]
        assert len(todo) == 1
        shading = todo[0]._r.rPr.find(qn("w:shd"))
        assert shading is not None and shading.get(qn("w:fill")) == "D9D9D9"
    signature = [p.text for p in document.paragraphs if p.style.name == "署名"]
    assert signature[0] == "区科技局" and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", signature[1])


def _hostile_data() -> ReportData:
    plan = builtin_plan()
    values = [rv("人才办", "3-1", 60, HOSTILE, "department"), rv("区科技局", "3-1", 1, SPECIAL, "department"),
              rv("工信局", "5-1", 141, "=1+2", "department")]
    history = History.from_codes(plan, {"2022Q3": values})
    return ReportData(history.figures(Period.parse("2022Q3")), WHEN, [], [], values, history=history)


def test_a_remark_that_looks_like_a_formula_or_markup_stays_text(tmp_path):
    data = _hostile_data()
    path = write_document(data, tmp_path / "报告.docx").path
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"人才办说明：“{HOSTILE}”" in text and f"区科技局说明：“{SPECIAL}”" in text
    assert "工信局说明：“=1+2”" in text
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "&lt;b&gt;评审&lt;/b&gt; &amp; 认定推迟 &lt;暂缓&gt;" in xml
    assert "HYPERLINK" not in "".join(t.text or "" for t in document.element.iter(qn("w:instrText")))
    assert "fldSimple" not in xml and "w:hyperlink" not in xml
    assert "2022年10月8日" in text  # 成文日期: the day the report was drafted
    units = unit_items(data.figures.supervision(), data.figures.plan, with_lead=True)
    assert sum(1 for p in document.paragraphs if "【请补充：该单位" in p.text) == len(units)


def test_report_command_writes_only_the_document(cycle, tmp_path):  # noqa: F811
    doc, out = cycle
    root = out.parent.parent
    before = sorted(p.name for p in out.parent.glob("*.xlsx"))
    target = tmp_path / "草稿.docx"
    result = CliRunner().invoke(cli, ["report", "-p", "2022Q3", "-w", str(root), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"进展情况报告（草稿）：{target}" in result.output and "【请补充】" in result.output
    assert target.exists() and sorted(p.name for p in out.parent.glob("*.xlsx")) == before
    assert docx.Document(str(target)).paragraphs[0].text.endswith("2022年第三季度推进情况的报告")
    help_text = CliRunner().invoke(cli, ["report", "-h"]).output
    assert "进展情况报告" in help_text and "示例：wjexcel report -p 2022Q3" in help_text


def _writer(soffice: str) -> None:
    """Skip (or fail, when LibreOffice is required) without LibreOffice Writer, which opens .docx."""
    program = Path(soffice).resolve().parent
    if not any(program.glob("libswlo*")) and not any(program.glob("swriter*")):
        if os.environ.get("WJEXCEL_REQUIRE_SOFFICE") == "1":
            pytest.fail("WJEXCEL_REQUIRE_SOFFICE=1 but LibreOffice Writer is not installed")
        pytest.skip("LibreOffice Writer is not installed")


@pytest.mark.soffice
def test_libreoffice_renders_it_on_a4_with_every_figure(report, soffice, soffice_convert, tmp_path):
    doc, path = report
    _writer(soffice)
    [pdf] = soffice_convert([path], "pdf:writer_pdf_Export", tmp_path)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) >= 2
    portrait = [(round(float(w)), round(float(h))) for w, h in sizes]
    assert portrait[0] == (595, 842) and portrait[-1] == (842, 595)
    assert all(s in ((595, 842), (842, 595)) for s in portrait)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "—1—" in flat and "—2—" in flat and "###" not in text
    flat = re.sub(r"—\d+—", "", flat)  # page numbers out of the way of a sentence that runs over a page
    assert "2022年第三季度推进情况的报告" in flat
    for heading in ("一、总体情况", "二、主要指标完成情况", "三、存在问题", "四、下步打算", "附件"):
        assert heading in flat
    for item in doc["indicators"]:
        if item["value"] is not None:
            assert f"{item['name']}{_num(item['value'])}" in flat, item["name"]
    assert "任务分解表完成情况（2022年第三季度）" in flat


def test_a_document_open_in_word_is_left_alone_and_a_new_name_used(tmp_path):
    data = _hostile_data()
    first = write_document(data, tmp_path / "报告.docx").path
    before = first.read_bytes()
    owner = tmp_path / f"~${first.name}"
    owner.write_bytes(b"")
    try:
        second = write_document(data, first)
    finally:
        owner.unlink()
    assert second.locked == first and second.path != first and first.read_bytes() == before
    assert docx.Document(str(second.path)).paragraphs[0].text.startswith("关于《")


def test_a_draft_the_clerk_has_saved_is_never_overwritten(tmp_path):
    data = _hostile_data()
    first = write_document(data, tmp_path / "报告.docx").path
    again = write_document(data, first)  # untouched since written: replaced in place
    assert again.path == first and again.locked is None
    draft = docx.Document(str(first))
    draft.paragraphs[-1].text = "已改好的稿子"
    draft.core_properties.last_modified_by = "王芳"
    draft.save(str(first))
    kept = first.read_bytes()
    third = write_document(data, first)
    assert third.locked == first and third.path != first and first.read_bytes() == kept


def test_consolidate_names_the_document_in_its_summary(cycle, tmp_path):  # noqa: F811
    _, out = cycle
    workbook = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", "-p", "2022Q3", "-w", str(out.parent.parent),
                                      "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    document = tmp_path / "吴江区科技创新三年行动计划_2022Q3_进展情况报告.docx"
    assert f"汇总表：{workbook}" in result.output and f"进展情况报告（草稿）：{document}" in result.output
    assert document.exists()


def _figure(code: str, period: str, values: list):
    by_period = {}
    for value in values:
        by_period.setdefault(value.period, []).append(value)
    history = History.from_codes(builtin_plan(), by_period)
    figures = history.figures(Period.parse(period))
    return figures.by_code(code), figures


def test_a_stock_that_has_not_grown_and_a_ratio_are_worded_by_their_kind():
    from wjexcel.report.document_text import indicator_sentence

    # 2-1 (stock, T = 8): B = 7, the 2021 year-end; 7 again in 2022Q3 is no net increase at all
    centres, figures = _figure("2-1", "2022Q3", [rv("区科技局", "2-1", 7, kind="department", period="2021"),
                                                 rv("区科技局", "2-1", 7, kind="department")])
    assert indicator_sentence(centres, figures) == \
        "累计引进、建设独立研发机构7家，年度目标8家，较上年末持平，年度应净增1家，尚未实现净增。"
    # 6-1 (ratio, 年报, T = 3.68): B = 3.62 (2021), e = 1 so X = T; 3.67 is 0.01 points short, 0.05 up on 2021
    ratio, figures = _figure("6-1", "2022", [rv("统计局", "6-1", 3.62, kind="department", period="2021"),
                                             rv("统计局", "6-1", 3.67, kind="department", period="2022")])
    assert indicator_sentence(ratio, figures) == (
        "全社会研发投入占地区生产总值比重3.67%，年度目标3.68%，按序时进度应达到3.68%，低于序时要求0.01个百分点，"
        "比上年同期提高0.05个百分点。")
