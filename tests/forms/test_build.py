"""Generated forms: the contract of docs/规格说明.md §7, validation, protection, printing, identity."""

from __future__ import annotations

import json
import math
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from wjexcel.cellref import parse_a1
from wjexcel.forms import layout as L
from wjexcel.forms import signing
from wjexcel.periods import Period
from wjexcel.errors import FormsExistError
from wjexcel.forms.outbox import generate_forms
from wjexcel.workspace.ledger import Ledger
from wjexcel.plan.model import DEPARTMENT, DISTRICT
from wjexcel.cycle import init_workspace
from wjexcel.plan.builtin import builtin_plan

PERIODS = ["2022", "2022Q3"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("forms") / "ws")
    calls = []
    results = {p: generate_forms(ws, p, progress=lambda d, t, label: calls.append((d, t))) for p in PERIODS}
    return ws, results, calls


def _meta(wb):
    sheet = wb[L.META_SHEET]
    return {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2)}


def test_every_district_and_source_unit_gets_a_form(generated):
    ws, results, calls = generated
    plan = builtin_plan()
    for period, result in results.items():
        due = [i for i in plan.indicators if i.reported_in(Period.parse(period))]
        names = {f.reporter for f in result.forms}
        assert {r.name for r in plan.districts} <= names
        assert {i.source_unit for i in due} <= names
        for f in result.forms:
            assert set(f.indicators) <= {i.code for i in due}
            assert f.path.is_file()
            assert f.path.parent == ws.outbox / period
            assert f.path.name == f"{period}_{f.reporter}_科技创新指标填报表.xlsx"
    # The R&D ratio is a 年报 statistic: on the year's forms only, so 统计局 gets no quarterly form.
    assert "统计局" in {f.reporter for f in results["2022"].forms}
    assert "统计局" not in {f.reporter for f in results["2022Q3"].forms}
    qidu = next(f for f in results["2022Q3"].forms if f.reporter == "七都镇")
    assert "6-1" not in qidu.indicators and "6-1" in next(f for f in results["2022"].forms
                                                        if f.reporter == "七都镇").indicators
    assert (ws.outbox / "2022Q3" / "2022Q3_七都镇_科技创新指标填报表.xlsx").is_file()
    assert calls[-1][0] == calls[-1][1]
    assert "已生成 2022Q3 填报表" in results["2022Q3"].summary_text()


def test_manifest_zip_and_ledger(generated):
    ws, results, _ = generated
    result = results["2022Q3"]
    manifest = load_workbook(result.manifest)
    rows = list(manifest.active.iter_rows(min_row=3, values_only=True))
    assert {r[1] for r in rows} == {f.reporter for f in result.forms}
    assert {r[4] for r in rows} == {f.form_id for f in result.forms}
    with zipfile.ZipFile(result.archive) as zf:
        infos = zf.infolist()
        assert {i.filename for i in infos} == {f.path.name for f in result.forms}
        assert all(i.flag_bits & 0x800 for i in infos)
    with Ledger.open(ws) as ledger:
        recorded = ledger.generated_forms("2022Q3")
    assert {r["form_id"] for r in recorded} == {f.form_id for f in result.forms}


def _check_contract(path, key):
    wb = load_workbook(path)
    ws = wb[L.MAIN_SHEET]
    meta = _meta(wb)
    layout = json.loads(meta["layout"])
    assert wb[L.META_SHEET].sheet_state == "veryHidden"
    assert ws.protection.sheet
    assert signing.verify(key, meta, lambda s, r, c: wb[s].cell(r, c).value)
    validations = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    validations[(row, col)] = dv
    unlocked = set()
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 5, max_col=L.LAST_COL + 3):
        for cell in row:
            if not cell.protection.locked and cell.__class__.__name__ != "MergedCell":
                unlocked.add((cell.row, cell.column))
    expected = set()
    for code, row in layout["main"]["rows"].items():
        name_cells = [c for c in ws[row] if c.value == builtin_plan().indicator(code).name]
        assert name_cells, (path.name, code)
        in_row = sorted(col for r, col in unlocked if r == row)
        assert len(in_row) == 2, (path.name, code, in_row)
        value_col, remark_col = in_row
        assert value_col == L.COL_VALUE and remark_col == L.COL_REMARK
        dv = validations[(row, value_col)]
        assert dv.type in ("decimal", "whole") and dv.showErrorMessage and dv.error and dv.prompt
        assert validations[(row, remark_col)].type == "textLength"
        expected |= {(row, value_col), (row, remark_col)}
    for key_name, ref in layout["signature"].items():
        row, col = parse_a1(ref)
        label = ws.cell(row, col - 1).value
        assert label == dict(L.SIGNATURE_FIELDS)[key_name]
        assert (row, col) in unlocked and (row, col) in validations
        expected.add((row, col))
    assert unlocked == expected, path.name
    assert ws.freeze_panes == f"A{L.FIRST_DATA_ROW}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # absent: the default, 1
    assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"
    assert "&P" in ws.oddFooter.center.text and meta["reporter"] in ws.oddFooter.center.text
    checks = [c for c in ws[L.CHECK_ROW] if isinstance(c.value, str) and c.value.startswith("=IF(")]
    assert len(checks) == 1 and checks[0].protection.locked
    assert ws.conditional_formatting
    for info in layout["details"].values():
        detail = wb[info["sheet"]]
        assert detail.protection.sheet
        first = detail.cell(info["first_row"], info["first_col"])
        assert not first.protection.locked
        assert detail.data_validations.dataValidation
    return wb, meta, layout


def test_contract_on_every_form(generated):
    ws, results, _ = generated
    key = ws.signing_key()
    for result in results.values():
        for f in result.forms:
            _, meta, _ = _check_contract(f.path, key)
            assert meta["reporter"] == f.reporter and meta["form_id"] == f.form_id
            assert meta["period"] == result.period and meta["template_version"] == f.template_version
            assert meta["reporter_kind"] in (DISTRICT, DEPARTMENT)


def test_targets_titles_and_details(generated):
    _, results, _ = generated
    forms = {f.reporter: f for f in results["2022"].forms}
    wb = load_workbook(forms["吴江开发区"].path)
    ws = wb[L.MAIN_SHEET]
    rows = json.loads(_meta(wb)["layout"])["main"]["rows"]
    assert ws.cell(rows["1-1"], L.COL_TARGET).value == "三年目标10"
    assert "全区" in ws.cell(rows["4-2"], L.COL_TARGET).value
    assert "自2021年起累计" in ws.cell(rows["3-3"], L.COL_UNIT).value
    assert ws.cell(rows["3-2"], L.COL_NAME).alignment.indent > 0
    assert "吴江开发区" in ws["A1"].value and "2022年度" in ws["A1"].value
    assert set(wb.sheetnames) >= {"填报说明", "指标填报", "新认定高新技术企业名单", "人才项目名单", "科创载体项目"}
    talent = wb["人才项目名单"]
    kinds = {dv.type for dv in talent.data_validations.dataValidation}
    assert {"list", "textLength"} <= kinds
    hitech = wb["新认定高新技术企业名单"]
    uscc_col = 1 + 1 + [c.name for c in builtin_plan().detail_lists[0].columns].index("统一社会信用代码")
    assert hitech.cell(L.DETAIL_FIRST_ROW, uscc_col).number_format == "@"
    assert any(dv.type == "textLength" and dv.formula1 == "18" for dv in hitech.data_validations.dataValidation)
    assert "{" not in "".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)

    qidu_book = load_workbook(forms["七都镇"].path)
    qidu = qidu_book[L.MAIN_SHEET]
    assert qidu.cell(rows["1-1"], L.COL_TARGET).value == "四个镇共同三年目标4（填本单位份额）"
    guide = "".join(str(c.value) for row in qidu_book["填报说明"].iter_rows() for c in row if c.value)
    # the seed's attribution rule: a town's figure is its share, and results through the 飞地 count to it
    assert "四个镇共同目标：本单位填报的是本单位在共建项目中所占的份额，通过共建项目取得的成果计入本单位" in guide
    kaifa_guide = "".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "共同目标" not in kaifa_guide
    bureau = load_workbook(forms["统计局"].path)
    brows = json.loads(_meta(bureau)["layout"])["main"]["rows"]
    assert list(brows) == ["6-1"]
    assert bureau[L.MAIN_SHEET].cell(brows["6-1"], L.COL_TARGET).value == 3.68
    assert bureau[L.MAIN_SHEET].cell(brows["6-1"], L.COL_RATE).value.startswith("=IF(")


def test_regenerate_asks_then_keeps_old_forms(make_workspace):
    ws = make_workspace()
    plan = builtin_plan()
    plan.reporters = [plan.reporter("七都镇"), plan.reporter("统计局")]
    first = generate_forms(ws, "2022-09", plan=plan)
    with pytest.raises(FormsExistError) as err:
        generate_forms(ws, "2022-09", plan=plan)
    assert "已生成过" in str(err.value) and "确认" in str(err.value)
    second = generate_forms(ws, "2022-09", force=True, plan=plan)
    assert second.replaced_to is not None and second.replaced_to.name.startswith("旧版_")
    assert {p.name for p in second.replaced_to.iterdir()} >= {f.path.name for f in first.forms}
    with Ledger.open(ws) as ledger:
        ids = {r["form_id"] for r in ledger.generated_forms("2022-09")}
    assert {f.form_id for f in first.forms} | {f.form_id for f in second.forms} <= ids


def _lines_needed(text, width, size) -> int:
    """A deliberately plain estimate: a CJK character is two width units at 11 pt, others one."""
    units = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text)) * size / 11
    return max(1, math.ceil(units / width))


def _width(ws, col) -> float:
    """A column's width as stored (a writer may store equal neighbours as one min-max range)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return 8.43


def _merged_width(ws, cell) -> float:
    for rng in ws.merged_cells.ranges:
        if cell.coordinate in rng:
            return sum(_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    return _width(ws, cell.column)


def _assert_rows_fit(ws, first, last):
    """Every wrapped text in rows first..last has a row (or merged rows) high enough for its lines."""
    tall = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_row=first, max_row=last):
        for cell in row:
            if not isinstance(cell.value, str) or cell.value.startswith("=") or cell.__class__.__name__ == "MergedCell":
                continue
            size = cell.font.sz or 11
            if not cell.alignment.wrap_text:  # a short label: one line, inside its cell
                assert _lines_needed(cell.value, _merged_width(ws, cell), size) == 1, (ws.title, cell.coordinate)
                continue
            span = tall.get((cell.row, cell.column))
            rows = range(cell.row, (span.max_row if span else cell.row) + 1)
            height = sum(ws.row_dimensions[r].height or 15 for r in rows)
            lines = _lines_needed(cell.value, _merged_width(ws, cell), size)
            assert height >= lines * size * 1.2, (ws.title, cell.coordinate, cell.value, height, lines)


def test_wrapped_texts_get_row_height_and_full_width(generated):
    _, results, _ = generated
    for f in results["2022Q3"].forms:
        wb = load_workbook(f.path)
        layout = json.loads(_meta(wb)["layout"])
        main = wb[L.MAIN_SHEET]
        _assert_rows_fit(main, L.TITLE_ROW, layout["main"]["last_row"])
        assert "A3:B3" in {str(r) for r in main.merged_cells.ranges}  # 填报检查 label does not wrap
        assert main["A3"].value == "填报检查"
        for row in layout["main"]["rows"].values():
            assert main.row_dimensions[row].height >= L.DATA_ROW_HEIGHT
        for ref in layout["signature"].values():
            assert main[ref].row and main.row_dimensions[main[ref].row].height >= L.SIGN_ROW_HEIGHT
        assert not any(c.font.i for row in main.iter_rows() for c in row if isinstance(c.value, str))

        guide = wb[L.GUIDE_SHEET]
        last_col = guide.max_column
        assert last_col > 1
        full = {str(r) for r in guide.merged_cells.ranges}
        for row in guide.iter_rows():
            if row[0].value is not None:
                assert f"A{row[0].row}:{get_column_letter(last_col)}{row[0].row}" in full, row[0].value
        _assert_rows_fit(guide, 1, guide.max_row)
        assert guide.print_area == f"'{L.GUIDE_SHEET}'!$A$1:${get_column_letter(last_col)}${guide.max_row}"
        assert "明细表默认只打印表头和前 25 行" in "".join(str(c.value) for c in guide["A"] if c.value)

        for info in layout["details"].values():
            detail = wb[info["sheet"]]
            last = get_column_letter(info["first_col"] + len(info["columns"]) - 1)
            end = L.DETAIL_FIRST_ROW + L.DETAIL_PRINT_ROWS - 1
            assert detail.print_area == f"'{info['sheet']}'!$A$1:${last}${end}"
            assert info["last_row"] - info["first_row"] + 1 == L.DETAIL_INPUT_ROWS > L.DETAIL_PRINT_ROWS
            assert not detail.cell(info["last_row"], info["first_col"]).protection.locked
            _assert_rows_fit(detail, L.DETAIL_TITLE_ROW, L.DETAIL_HEADER_ROW)


def _pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.soffice
def test_libreoffice_prints_a4_landscape_in_few_pages(generated, soffice_convert, tmp_path):
    _, results, _ = generated
    forms = {f.reporter: f.path for f in results["2022Q3"].forms}
    forms["统计局"] = next(f.path for f in results["2022"].forms if f.reporter == "统计局")
    # blank forms: 填报说明, 指标填报 and one page per 明细 list, nothing more
    most = {"七都镇": 6, "区科技局": 6, "统计局": 2}
    pdfs = soffice_convert([forms[name] for name in most], "pdf", tmp_path)
    for (name, limit), pdf in zip(most.items(), pdfs):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        assert 1 <= int(fields["Pages"]) <= limit, (name, fields["Pages"])
        width, _, height = fields["Page size"].split()[:3]
        assert float(width) > float(height)
        assert abs(float(width) - 841.89) < 2 and abs(float(height) - 595.28) < 2
        pages = _pdf_pages(pdf)
        main = [p for p in pages if "完成率" in p]
        assert len(main) == 1, name  # the table, its signature block and note on one page
        assert all(label in main[0] for _, label in L.SIGNATURE_FIELDS) and "注：" in main[0]
        guide = "".join(p for p in pages if "填报说明" in p)
        assert "忽略打印区域" in guide.replace(" ", "").replace("\n", "")  # the guide's longest line, whole


def test_generate_refuses_while_a_form_is_open_and_moves_nothing(make_workspace):
    """A form open in Excel (its ``~$`` owner file is there) cannot be replaced: the clerk is told
    which one, in Chinese, before anything was moved."""
    from wjexcel.errors import OutputLockedError

    ws = make_workspace("2022Q3")
    folder = ws.outbox / "2022Q3"
    before = sorted(p.name for p in folder.iterdir())
    (folder / "~$2022Q3_七都镇_科技创新指标填报表.xlsx").write_bytes(b"\x05owner" + b"\x00" * 150)
    with pytest.raises(OutputLockedError) as info:
        generate_forms(ws, "2022Q3", force=True)
    assert "2022Q3_七都镇_科技创新指标填报表.xlsx正在 Excel 或 WPS 中打开" in str(info.value)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("~$")) == before
    import sys

    done = subprocess.run([sys.executable, "-m", "wjexcel", "generate", "-p", "2022Q3", "-y", "-w", str(ws.root)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 1 and "正在 Excel 或 WPS 中打开" in done.stderr and "Traceback" not in done.stderr


def _plan_with_percent_sub_item_and_long_choices():
    from wjexcel.plan.model import DetailColumn, Indicator, Target

    plan = builtin_plan()
    parent = plan.indicator("6-1")
    plan.indicators.insert(plan.indicators.index(parent) + 1, Indicator(
        "6-2", 6, "其中：规上工业企业研发投入占比", "%", "ratio", {y: Target(2.0) for y in plan.years},
        parent="6-1", source_unit="统计局"))
    talent = next(d for d in plan.detail_lists if d.code == "talent")
    long_choices = tuple(f"第{i}类重点产业链（含上下游配套及关键核心技术攻关方向）" for i in range(1, 13))
    talent.columns.append(DetailColumn("细分方向", "choice", long_choices, required=False, width=30))
    return plan


def test_a_percent_sub_item_over_its_parent_is_marked_red(tmp_path):
    """Both rules 填报检查 counts for a % sub-item (over 100, over its parent) colour its cell."""
    from wjexcel.forms.build import build_form

    plan = _plan_with_percent_sub_item_and_long_choices()
    path = tmp_path / "form.xlsx"
    build_form(plan, plan.reporter("七都镇"), "2022", bytes(32), path, generated_at="2022-12-31T09:00:00",
               form_id="2022-PCT")
    wb = load_workbook(path)
    rows = json.loads(_meta(wb)["layout"])["main"]["rows"]
    col = get_column_letter(L.COL_VALUE)
    child, parent = f"{col}{rows['6-2']}", f"{col}{rows['6-1']}"
    rules = [rule for rng in wb[L.MAIN_SHEET].conditional_formatting for rule in rng.rules
             if str(rng.sqref) == child]
    formula = " ".join(f for rule in rules for f in rule.formula)
    assert f"{child}>100" in formula and f"{child}>{parent}" in formula


@pytest.mark.soffice
def test_a_dropdown_longer_than_excel_allows_draws_from_a_hidden_list(tmp_path, soffice_convert):
    """Excel refuses a typed list over 255 characters; such choices go to a hidden sheet, which
    survives a LibreOffice re-save, and a choice made from it is read back."""
    from wjexcel.collect.formread import read_form
    from wjexcel.forms.build import build_form

    plan = _plan_with_percent_sub_item_and_long_choices()
    column = next(c for d in plan.detail_lists for c in d.columns if c.name == "细分方向")
    assert len(",".join(column.choices)) > 255
    path = tmp_path / "form.xlsx"
    key = bytes(range(32))
    build_form(plan, plan.reporter("七都镇"), "2022", key, path, generated_at="2022-12-31T09:00:00",
               form_id="2022-LONG")
    wb = load_workbook(path)
    assert wb[L.CHOICES_SHEET].sheet_state == "veryHidden"
    talent = wb["人才项目名单"]
    lists = [dv for dv in talent.data_validations.dataValidation if dv.type == "list"]
    assert all(len(dv.formula1) <= 255 for dv in lists)
    long_list = next(dv for dv in lists if L.CHOICES_SHEET in dv.formula1)
    assert [c.value for c in wb[L.CHOICES_SHEET]["A"]] == list(column.choices)
    first = json.loads(_meta(wb)["layout"])["details"]["talent"]
    row = first["first_row"]
    for offset, value in enumerate(["项目甲", "张三", "区级", "新材料", "", "", column.choices[3]]):
        if value:
            talent.cell(row, first["first_col"] + offset, value)
    wb.save(path)
    resaved = soffice_convert([path], "xlsx", tmp_path / "lo")[0]
    again = load_workbook(resaved)
    assert L.CHOICES_SHEET in again.sheetnames
    assert any(L.CHOICES_SHEET in (dv.formula1 or "") for dv in again["人才项目名单"].data_validations.dataValidation)
    reading = read_form(resaved, plan, key=key)
    assert reading.signature_ok, [p.located() for p in reading.problems]
    assert reading.details[0].values["细分方向"] == column.choices[3]
    assert "detail.bad_choice" not in [p.code for p in reading.problems]
    assert long_list.sqref


def _cells(path):
    """Every sheet's values, with the per-form identity (id, time, signature) left out."""
    wb = load_workbook(path)
    out = {}
    for sheet in wb.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if sheet.title == L.META_SHEET:
            rows = [r for r in rows if r[0] not in ("form_id", "generated_at", L.SIGNATURE_KEY)]
        out[sheet.title] = rows
    return out


def test_forms_written_by_worker_processes_match_and_verify(generated, make_workspace):
    """Two processes share the forms of a big generate: each form is the one one process writes."""
    ws, results, _ = generated
    other = make_workspace()
    calls = []
    parallel = generate_forms(other, "2022Q3", workers=2, now=datetime.fromisoformat(results["2022Q3"].forms[0].generated_at),
                              progress=lambda done, total, label: calls.append(done))
    assert [f.reporter for f in parallel.forms] == [f.reporter for f in results["2022Q3"].forms]
    assert calls == list(range(len(parallel.forms) + 1))
    key = other.signing_key()
    for mine, theirs in zip(parallel.forms, results["2022Q3"].forms):
        assert _cells(mine.path) == _cells(theirs.path), mine.reporter
        wb = load_workbook(mine.path)
        assert signing.verify(key, _meta(wb), lambda s, r, c: wb[s].cell(r, c).value), mine.reporter
