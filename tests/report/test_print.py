"""The 汇总 workbook as a leader holds it: the demo's 2022Q3 report (and the hostile report of
test_workbook) printed to PDF by LibreOffice in one soffice call, then read back from the PDF.

How type size is measured: every full-width (CJK) character — ideograph or full-width
punctuation — is exactly one em wide in every CJK font, and LibreOffice sets CJK text without
extra spacing, so a word of n such characters printed at s points is n·s points wide in
``pdftotext -bbox``. That width divided by n is the printed size, whatever the font, the page
scale LibreOffice chose for "fit to width" or the cell's own font size — which is what a reader
sees. Words in the footer band are left out (headers and footers are not part of the sheet).
The page setup read back with openpyxl says how each sheet asks to be printed (A4, fit to one
page wide or a fixed scale, repeated header rows); the PDF says what it became.

Each page's footer names its sheet (``&A``), which maps pages to sheets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import openpyxl
import pytest

from wjexcel.demo.run import run_demo
from wjexcel.report.workbook import write_report
from wjexcel.textmeasure import MAX_ROW_HEIGHT

from tests.report.test_workbook import report_data

pytestmark = pytest.mark.soffice

LEADER_SHEETS = ("概览", "任务分解表", "督办清单", "趋势", "计划期考核", "区镇进度", "报送情况")
SMALLEST = 7.95  # 8 pt, less what poppler's rounding of glyph positions may take
A4 = (595.3, 841.9)
FULL_WIDTH = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{2,}$")
FOOTER_BAND = 60  # points above the page's bottom edge where the footer is


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def body(self) -> list[Word]:
        return [w for w in self.words if w.y1 < self.height - FOOTER_BAND]

    @property
    def footer(self) -> str:
        return "".join(w.text for w in self.words if w.y1 >= self.height - FOOTER_BAND)

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.body)

    def sizes(self) -> list[float]:
        """The printed size (points) of every word of full-width characters on the page."""
        return [(w.x1 - w.x0) / len(w.text) for w in self.body if FULL_WIDTH.match(w.text)]


def read_pages(pdf: Path) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for n, chunk in enumerate(out.split("<page ")[1:], 1):
        width, height = (float(v) for v in re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups())
        words = [Word(*map(float, m.groups()[:4]), unescape(m.group(5))) for m in re.finditer(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk)]
        pages.append(Page(n, width, height, words))
    return pages


def by_sheet(pages: list[Page], names) -> dict[str, list[Page]]:
    """The pages of each sheet, told by the sheet name the footer prints."""
    out: dict[str, list[Page]] = {}
    for page in pages:
        [name] = [n for n in names if n in page.footer] or [None]
        assert name, f"page {page.number}: no sheet name in its footer {page.footer!r}"
        out.setdefault(name, []).append(page)
    return out


def _early_report(workspace_templates, folder: Path) -> Path:
    """The first days of a quarter: one town's form in, every towns' sum 暂缺 against targets of
    four digits (期望值 1,125 and 1,350 without decimals, in a column measured for them)."""
    from wjexcel.collect.collector import collect
    from wjexcel.demo.fill import fill_form
    from wjexcel.plan.workbook import workspace_plan
    from wjexcel.report.consolidate import consolidate

    ws = workspace_templates.copy(folder / "early", "2022Q3")
    plan = workspace_plan(ws)
    form = workspace_templates.forms(ws)["震泽镇"]
    fill_form(form, ws.inbox / form.name, {i.code: 5 for i in plan.indicators_for(plan.reporter("震泽镇"))},
              names={i.code: i.name for i in plan.indicators},
              signer={"填报人": "张", "联系电话": "0512-63000001", "填报日期": "2022-10-08", "审核人": "王"})
    assert [v.status for v in collect(ws).verdicts] == ["accepted"]
    return Path(consolidate(ws, "2022Q3").output)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, soffice_convert, workspace_templates):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler) is not installed")
    folder = tmp_path_factory.mktemp("print")
    demo = run_demo(folder / "演示")
    hostile = write_report(report_data(), folder / "hostile" / "汇总.xlsx").path
    early = _early_report(workspace_templates, folder)
    books = [shutil.copy(demo.run.report_path, folder / "demo.xlsx"), hostile, shutil.copy(early, folder / "early.xlsx")]
    pdfs = soffice_convert([Path(b) for b in books], "pdf", folder / "pdf")  # one soffice call
    names = openpyxl.load_workbook(books[0], read_only=True).sheetnames
    return {key: (Path(book), by_sheet(read_pages(pdf), names))
            for key, book, pdf in zip(("demo", "hostile", "early"), books, pdfs)}


@pytest.mark.parametrize("key", ["demo", "hostile", "early"])
def test_nothing_prints_as_hashes_and_no_program_name_reaches_a_reader(printed, key):
    _, sheets = printed[key]
    text = "".join(p.text for pages in sheets.values() for p in pages)
    assert "###" not in text
    assert "wjexcel" not in text.lower()
    assert "净增完成-" not in text  # a fall is said as 比上年末减少…


@pytest.mark.parametrize("key", ["demo", "hostile"])
def test_leader_sheets_print_on_a4_at_8pt_with_their_header_on_every_page(printed, key):
    book, sheets = printed[key]
    wb = openpyxl.load_workbook(book)
    for name in LEADER_SHEETS:
        ws, pages = wb[name], sheets[name]
        setup = ws.page_setup
        assert setup.paperSize == 9, name
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert setup.fitToWidth in (None, 1), name  # one page wide; LibreOffice picks the scale
        else:
            assert (setup.scale or 100) * 11 / 100 >= 8, name  # no scale written: 100%
        for page in pages:
            assert sorted((round(page.width), round(page.height))) == [round(A4[0]), round(A4[1])], name
            sizes = page.sizes()
            assert sizes and min(sizes) >= SMALLEST, (name, page.number, min(sizes))
        title_rows = ws.print_title_rows
        assert title_rows, name
        first, last = (int(v) for v in re.findall(r"\d+", title_rows))
        repeated = [str(c.value).replace("\n", "") for r in range(first, last + 1) for c in ws[r] if c.value]
        if ws.print_title_cols:  # printed several pages across: each page repeats the key columns' heads
            keys = range(1, openpyxl.utils.column_index_from_string(ws.print_title_cols.split(":")[-1].strip("$")) + 1)
            repeated = [str(ws.cell(r, c).value).replace("\n", "") for r in range(first, last + 1) for c in keys
                        if ws.cell(r, c).value]
        words = [w for w in repeated if FULL_WIDTH.match(w) or len(w) <= 6][:4] or repeated[:1]
        for page in pages:
            flat = re.sub(r"\s", "", page.text)
            for word in words:
                assert re.sub(r"\s", "", word) in flat, (name, page.number, word)


def test_the_wide_sheets_print_with_their_table_header_on_each_page(printed):
    _, sheets = printed["demo"]
    assert len(sheets["任务分解表"]) >= 2 and len(sheets["区镇进度"]) >= 2 and len(sheets["明细汇总"]) >= 2
    for name, heads in (("任务分解表", ["序号", "本期完成值", "序时进度", "数据来源"]),
                        ("区镇进度", ["报送单位", "类型"]), ("督办清单", ["分解对象", "责任单位"]),
                        ("明细汇总", ["报送单位", "来源", "重复提示"]), ("原始数据", ["报送单位", "指标编号"])):
        for page in sheets[name]:
            flat = re.sub(r"\s", "", page.text)
            ranking = name == "区镇进度" and "区镇按成效排名" in flat  # the ranking's page has its own header
            assert all(h in flat for h in (["区镇", "排名", "综合得分"] if ranking else heads)), (name, page.number)
    # 任务分解表 is one page wide: the 说明 follows the table, never between two halves of it
    pages = sheets["任务分解表"]
    notes = [i for i, p in enumerate(pages) if "1.全区数值" in re.sub(r"\s", "", p.text)]
    assert notes and all("本期完成值" in re.sub(r"\s", "", p.text) for p in pages[:notes[0] + 1])
    assert all("上期值" in re.sub(r"\s", "", p.text) for p in pages[:notes[0]])
    # 原始数据 is not for leaders, but stays readable
    assert min(s for p in sheets["原始数据"] for s in p.sizes()) >= 7


def test_page_one_reads_right(printed):
    book, sheets = printed["demo"]
    [page] = sheets["概览"]
    words = [w.text for w in page.body]
    title = [w for w in words if "概览" in w]
    assert title and any(w.startswith("推进情况概览") for w in title), title  # never “推进情 / 况概览”
    flat = re.sub(r"\s", "", page.text)
    assert "146.75" not in flat and "146.8" in flat  # a count expected to one decimal
    assert "未报送的指标：科技人才专场招商会" in flat  # the indicator without a figure is named
    assert "存量类指标按本年净增考核" in flat and "省级及以上企业技术中心上年末137家" in flat
    assert "比上年末减少6家" in flat  # 博士后工作站: 58 against 64 at the end of 2021
    ws = openpyxl.load_workbook(book)["概览"]
    heads = [c.value for row in ws.iter_rows() for c in row if c.value == "单位"]
    assert len(heads) == 2  # 期望值/实际值 and the goals both say their unit


def test_supervision_letters_go_to_the_units_by_name_never_to_the_sender(printed):
    book, _ = printed["demo"]
    ws = openpyxl.load_workbook(book)["督办清单"]
    letters = [str(c.value) for c in ws["A"] if str(c.value or "").startswith("【")]
    heads = {t.split("】")[1].split("：")[0] for t in letters}
    assert "区科技局" not in heads and "各区镇" not in heads
    towns = {"吴江开发区", "七都镇", "桃源镇", "震泽镇", "平望镇"}
    assert towns <= heads
    qidu = next(t for t in letters if t.split("】")[1].startswith("七都镇："))
    assert "产学研合作项目" in qidu  # a district-wide item
    assert "四个镇分解目标" not in qidu  # 平望镇 has not reported: the four towns' sum is not a result yet
    assert all("报区科技局" in t for t in letters)
    assert "146.75" not in "".join(letters) and "146.8家" in "".join(letters)


def test_one_line_values_print_whole(printed):
    """Times, phone numbers and 统一社会信用代码 never wrap or lose characters."""
    book, sheets = printed["demo"]
    wb = openpyxl.load_workbook(book)
    reporting = wb["报送情况"]
    heads = {c.value: c.column for c in reporting[3]}
    words = {w.text for p in sheets["报送情况"] for w in p.body}
    times = {str(reporting.cell(r, heads["最后收到时间"]).value) for r in range(4, reporting.max_row + 1)} - {"None"}
    phones = {str(reporting.cell(r, heads["联系电话"]).value) for r in range(4, reporting.max_row + 1)} - {"None"}
    assert times and phones
    flat = "".join(p.text for p in sheets["报送情况"])
    assert all(t.replace(" ", "") in flat for t in times) and all(p in words for p in phones)
    codes = {str(c.value) for row in wb["明细汇总"].iter_rows() for c in row
             if re.fullmatch(r"[0-9A-Z]{12,18}", str(c.value or ""))}  # 信用代码, 证书编号
    printed_words = {w.text for p in sheets["明细汇总"] for w in p.body}
    assert codes and codes <= printed_words  # each code on one line, whole


@pytest.mark.parametrize("key", ["demo", "hostile"])
def test_no_row_is_taller_than_excel_allows_and_every_paragraph_prints_whole(printed, key):
    book, sheets = printed[key]
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        assert all((d.height or 0) <= MAX_ROW_HEIGHT for d in ws.row_dimensions.values()), ws.title
    brief = [c.value for c in wb["进展简报"]["A"][3:] if c.value]
    flat = re.sub(r"\s", "", "".join(p.text for p in sheets["进展简报"]))
    assert brief and all(re.sub(r"\s", "", p) in flat for p in brief)


def test_the_trend_needs_no_sparklines(printed):
    book, _ = printed["hostile"]
    wb = openpyxl.load_workbook(book)
    with zipfile.ZipFile(printed["demo"][0]) as z:
        assert not any(b"sparkline" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    trend = wb["趋势"]
    assert [c.value for c in trend[3]][-1] == "走势"


def test_long_titles_and_notes_stay_within_the_page(printed):
    book, sheets = printed["demo"]
    ws = openpyxl.load_workbook(book)["计划期考核"]
    title = ws["A1"].value
    assert "\n" in title and ws["A1"].alignment.wrap_text
    [page] = sheets["计划期考核"]
    flat = re.sub(r"\s", "", page.text)
    assert re.sub(r"\s", "", title) in flat
    note = next(c.value for c in ws["A"] if str(c.value or "").startswith("说明："))
    assert re.sub(r"\s", "", note) in flat
    assert all(w.x1 <= page.width - 20 and w.x0 >= 20 for w in page.body)


@pytest.mark.parametrize("key", ["demo", "early"])
def test_a_sheet_printed_across_pages_has_its_title_whole_on_page_one(printed, key):
    """报送情况 and 原始数据 print two pages across: their title is centred over the first page's
    columns, not over all of them, where the page break cut it (报送情况（2022年第三季 | 度）)."""
    _, sheets = printed[key]
    for name, last_head in (("报送情况", "填报日期"), ("原始数据", "收到时间")):
        page = sheets[name][0]
        [title] = [w for w in page.body if w.text.startswith(f"{name}（")]
        table_right = max(w.x1 for w in page.body if w.y0 > title.y1)  # the table and notes under the title
        assert title.x1 <= table_right + 1, (name, title, table_right)
        assert title.text.endswith("）"), title
