"""The control workbook, its buttons and the launchers, checked without Excel.

The workbook is read back as what it is (a zip of XML parts plus a VBA project read by
oletools), LibreOffice opens it, and the buttons' behaviour is driven through the same
function the Excel adapter calls. A Windows-with-Excel test clicks through for real.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from wjexcel.cycle import actions
from wjexcel.cycle import console
from wjexcel.excel import buttons as eb
from wjexcel.cycle.console import (
    BUTTON_MODULE,
    CONF_SHEET,
    REPAIR_NOTE,
    VALUE_WIDTHS,
    WORKBOOK_NAME,
    interpreter_formula,
    write_console,
)
from wjexcel.cycle.launchers import Interpreter, interpreter_for, is_portable
from wjexcel.errors import UsageError, WorkspaceError
from wjexcel.textmeasure import text_units
from wjexcel.plan.workbook import workspace_plan

WIN_PYTHON = r"C:\Program Files\Python311\python.exe"
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "x": "urn:schemas-microsoft-com:office:excel",
    "v": "urn:schemas-microsoft-com:vml",
}


@pytest.fixture
def folder(tmp_path):
    """A bare workspace-like folder (the state folder is all the console needs)."""
    (tmp_path / ".wjexcel").mkdir()
    return tmp_path


@pytest.fixture
def built(folder):
    write_console(folder, period="2022Q3", python_exe=WIN_PYTHON)
    return folder


# --- reading the built workbook back -----------------------------------------------------------

def _xml(archive: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(archive.read(name))


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part name, through workbook.xml and its relationships."""
    targets = {r.get("Id"): r.get("Target") for r in _xml(archive, "xl/_rels/workbook.xml.rels")}
    sheets = _xml(archive, "xl/workbook.xml").iterfind("m:sheets/m:sheet", NS)
    return {s.get("name"): "xl/" + targets[s.get(f"{{{NS['r']}}}id")].lstrip("/").removeprefix("xl/")
            for s in sheets}


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet name -> [(caption, macro)] of its form buttons, read from the sheet's VML drawing."""
    found = {}
    with zipfile.ZipFile(path) as archive:
        for sheet, part in _sheet_parts(archive).items():
            rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            legacy = _xml(archive, part).find("m:legacyDrawing", NS)
            if legacy is None:
                found[sheet] = []
                continue
            rels = {r.get("Id"): r.get("Target") for r in _xml(archive, rels_name)}
            vml_name = os.path.normpath(os.path.join("xl/worksheets", rels[legacy.get(f"{{{NS['r']}}}id")]))
            vml = _xml(archive, vml_name.replace(os.sep, "/"))
            found[sheet] = [
                ("".join(shape.find("v:textbox", NS).itertext()).strip(),
                 shape.findtext(".//x:FmlaMacro", namespaces=NS))
                for shape in vml.iterfind("v:shape", NS)
                if shape.find("x:ClientData", NS).get("ObjectType") == "Button"
            ]
    return found


def _vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _procedures(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", code, re.M | re.I))


# --- the workbook --------------------------------------------------------------------------------

def test_writes_workbook_module_and_launchers(built):
    names = sorted(p.name for p in built.iterdir() if p.is_file())
    assert names == sorted([WORKBOOK_NAME, f"{BUTTON_MODULE}.py", "一键汇总.bat", "生成填报表.bat", "查看报送情况.bat",
                          "打开邮件草稿.bat", "恢复台账.bat"])


def test_workbook_is_macro_enabled_with_a_vba_project(built):
    with zipfile.ZipFile(built / WORKBOOK_NAME) as archive:
        types = _xml(archive, "[Content_Types].xml")
        assert "xl/vbaProject.bin" in archive.namelist()
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iterfind("ct:Override", NS)}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iterfind("ct:Default", NS)}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert "application/vnd.ms-office.vbaProject" in (overrides.get("/xl/vbaProject.bin"), defaults.get("bin"))


def test_each_action_sheet_has_one_button_named_after_it(built):
    buttons = _buttons(built / WORKBOOK_NAME)
    assert list(buttons) == [a.title for a in actions.ACTIONS] + [CONF_SHEET]
    for action in actions.ACTIONS:
        [(caption, _)] = buttons[action.title]
        assert caption == action.title
        assert eb.action_for_sheet(action.title) is action
    assert buttons[CONF_SHEET] == []


def test_every_button_macro_exists_in_the_vba(built):
    modules = _vba_modules(built / WORKBOOK_NAME)
    procedures = {f"{module}.{proc}" for module, code in modules.items() for proc in _procedures(code)}
    bare = {p.split(".", 1)[1] for p in procedures}
    for sheet, buttons in _buttons(built / WORKBOOK_NAME).items():
        for caption, macro in buttons:
            name = macro.removeprefix("[0]!")
            assert name in bare or name in procedures, f"{sheet}/{caption}: {macro} not in the VBA"


def test_the_vba_imports_the_module_named_after_the_workbook_and_it_is_callable(built, monkeypatch):
    code = _vba_modules(built / WORKBOOK_NAME)["Module1"]
    # SampleCall: mymodule = <ThisWorkbook.Name without extension>; RunPython "import m;m.main()"
    assert "ThisWorkbook.Name" in code and '".main()"' in code
    assert Path(WORKBOOK_NAME).stem == BUTTON_MODULE
    monkeypatch.syspath_prepend(str(built))
    monkeypatch.delitem(sys.modules, BUTTON_MODULE, raising=False)
    module = importlib.import_module(BUTTON_MODULE)
    assert Path(module.__file__).parent == built
    assert callable(module.main)
    assert callable(eb.main)


def test_only_the_button_entry_point_imports_xlwings():
    code = "import sys, wjexcel.cycle.console, wjexcel.excel.buttons; print('xlwings' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[2]),
                                                                     os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"


def test_conf_sheet_points_at_the_interpreter(built):
    book = openpyxl.load_workbook(built / WORKBOOK_NAME)
    conf = book[CONF_SHEET]
    assert conf.sheet_state == "hidden"
    rows = [(r[0].value, r[1].value) for r in conf.iter_rows(min_row=1, max_col=2)]
    assert rows[0] == ("Interpreter_Win", WIN_PYTHON)
    assert all(key and value for key, value in rows)  # the VBA reads A1 down to the first blank


def test_parameters_are_read_from_every_sheet(built):
    values = openpyxl.load_workbook(built / WORKBOOK_NAME, data_only=True)
    formulas = openpyxl.load_workbook(built / WORKBOOK_NAME)
    first = actions.ACTIONS[0].title
    for action in actions.ACTIONS:
        rows = [[c.value for c in row] for row in values[action.title][eb.parameter_cells()]]
        params = eb.parse_parameters(rows)
        assert params["period"] == "2022Q3"
        assert params["plan"] == "计划.xlsx"  # no readable plan in this bare folder
        assert eb.workspace_folder(params, built) == built
        period_cell = formulas[action.title][f"{console.VALUE_COLUMN}{console.FIRST_PARAMETER_ROW + 1}"]
        if action.title == first:
            assert period_cell.value == "2022Q3" and period_cell.number_format == "@"
        else:
            assert f"'{first}'!" in period_cell.value


def test_period_is_remembered_for_the_launchers(folder):
    write_console(folder, period="2022-09", python_exe=WIN_PYTHON)
    assert (folder / ".wjexcel" / actions.LAST_PERIOD_FILE).read_bytes() == b"2022-09\r\n"
    write_console(folder, python_exe=WIN_PYTHON)
    book = openpyxl.load_workbook(folder / WORKBOOK_NAME)
    assert book[actions.ACTIONS[0].title][f"{console.VALUE_COLUMN}{console.FIRST_PARAMETER_ROW + 1}"].value == "2022-09"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="不存在"):
        write_console(tmp_path / "nowhere")


# --- launchers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("action", actions.ACTIONS, ids=lambda a: a.key)
def test_launcher_is_crlf_utf8_and_switches_code_page_first(built, action):
    data = (built / f"{action.title}.bat").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\r\n")
    first_non_ascii = next(i for i, byte in enumerate(data) if byte > 0x7F)
    assert 0 <= data.index(b"chcp 65001") < first_non_ascii
    text = data.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]
    assert f'set "PY={WIN_PYTHON}"' in lines
    run = next(line for line in lines if " -m wjexcel" in line)
    assert run.startswith(f'"%PY%" -m wjexcel.excel.launch {action.key} "%~dp0."')
    assert run.endswith(" %*") == (action.key == "run")  # a folder dropped on 一键汇总 is collected
    assert "pause" in lines
    assert "找不到运行 wjexcel 所需的 Python，无法运行。" in text
    assert "“新建工作区.bat”" in text  # what to double-click to repair it


def _launcher_lines(folder: Path, action: actions.Action = actions.ACTIONS[0]) -> list[str]:
    return (folder / f"{action.title}.bat").read_bytes().decode("utf-8").split("\r\n")


@pytest.mark.parametrize("action", actions.ACTIONS, ids=lambda a: a.key)
def test_launcher_commands_are_ascii(built, action):
    # Wine's cmd decodes a .bat in the ANSI code page whatever chcp says; Windows' cmd in the
    # console's. Chinese may only be printed (echo, title), never run.
    for line in _launcher_lines(built, action):
        assert line.split("echo ", 1)[0].removeprefix(f"title {action.title}").isascii(), line


def test_percent_in_python_path_is_escaped_for_cmd(folder):
    write_console(folder, python_exe=r"D:\100%\python.exe")
    assert r'set "PY=D:\100%%\python.exe"' in (folder / "一键汇总.bat").read_text(encoding="utf-8")


def test_special_characters_in_python_path_are_escaped_where_echoed(folder):
    write_console(folder, python_exe=r"D:\R&D (新)\python.exe")
    lines = _launcher_lines(folder)
    assert r'set "PY=D:\R&D (新)\python.exe"' in lines
    assert r"echo 本工作区上次使用的 Python 是：D:\R^&D ^(新^)\python.exe" in lines


# --- where the interpreter is found when folders move ---------------------------------------------

def _portable_python(folder: Path) -> Path:
    """The release's layout: python/python.exe beside python311._pth (the embeddable marker)."""
    exe = folder / "python" / "python.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"MZ")
    (exe.parent / "python311._pth").write_text("python311.zip\n.\nimport site\n", encoding="ascii")
    return exe


def _run_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith('set "PY=%~dp0'))


def test_a_portable_python_is_found_relative_to_the_workspace_after_a_move(tmp_path):
    release = tmp_path / "U盘" / "wjexcel 0.1"
    python = _portable_python(release)
    root = release / "工作区"
    (root / ".wjexcel").mkdir(parents=True)
    write_console(root, period="2022Q3", python_exe=str(python))
    lines = _launcher_lines(root)
    first = _run_line(lines)
    assert first == r'set "PY=%~dp0..\python\python.exe"'
    assert lines[lines.index(first) + 1] == f'if not exist "%PY%" set "PY={python}"'  # second try

    moved = tmp_path / "另一个盘" / "搬过来"
    moved.parent.mkdir()
    release.rename(moved)  # the whole folder moves, as with a new drive letter
    relative = first.removeprefix('set "PY=%~dp0').removesuffix('"')
    assert not python.exists()
    assert (moved / "工作区" / Path(*relative.split("\\"))).resolve() == moved / "python" / "python.exe"


def test_an_installed_python_is_recorded_by_its_absolute_path(tmp_path):
    exe = tmp_path / "Python311" / "python.exe"  # no ._pth beside it: an installed Python
    exe.parent.mkdir()
    exe.write_bytes(b"MZ")
    (tmp_path / "ws" / ".wjexcel").mkdir(parents=True)
    write_console(tmp_path / "ws", python_exe=str(exe))
    lines = _launcher_lines(tmp_path / "ws")
    assert f'set "PY={exe}"' in lines and not any("%~dp0.." in line for line in lines)
    book = openpyxl.load_workbook(tmp_path / "ws" / WORKBOOK_NAME)
    assert book[CONF_SHEET]["B1"].value == str(exe)


def test_interpreter_rule():
    assert interpreter_for(Path("/ws"), WIN_PYTHON) == Interpreter(WIN_PYTHON)  # not portable here
    assert not is_portable(WIN_PYTHON)


def _excel_cell_filename(book_path: str, sheet: str) -> str:
    """What Excel's CELL("filename",A1) returns: folder\\[book]sheet."""
    folder, name = book_path.rsplit("\\", 1)
    return f"{folder}\\[{name}]{sheet}"


def _evaluate_interpreter_formula(formula: str, cell_filename: str) -> str:
    """Evaluate the one formula shape interpreter_formula writes, as Excel would."""
    m = re.fullmatch(r'=LEFT\((CELL\("filename",\$A\$1\)),FIND\("([^"]+)",\1\)-1\)&"((?:[^"]|"")*)"', formula)
    assert m, formula
    return cell_filename[:cell_filename.index(m.group(2))] + m.group(3).replace('""', '"')


def test_the_workbook_finds_a_portable_python_from_its_own_folder(tmp_path):
    release = tmp_path / "wjexcel"
    python = _portable_python(release)
    root = release / "工作区"
    (root / ".wjexcel").mkdir(parents=True)
    write_console(root, python_exe=str(python))
    formulas = openpyxl.load_workbook(root / WORKBOOK_NAME)[CONF_SHEET]
    values = openpyxl.load_workbook(root / WORKBOOK_NAME, data_only=True)[CONF_SHEET]
    assert formulas["A1"].value == "Interpreter_Win"
    assert formulas["B1"].value == interpreter_formula(r"..\python\python.exe")
    assert values["B1"].value == str(python)  # cached value, for viewers that never recalculate
    here = _excel_cell_filename(rf"F:\搬家后 [2022]\工作区\{WORKBOOK_NAME}", CONF_SHEET)
    assert _evaluate_interpreter_formula(formulas["B1"].value, here) == r"F:\搬家后 [2022]\工作区\..\python\python.exe"


def test_every_action_sheet_says_how_to_repair_a_lost_interpreter(built):
    book = openpyxl.load_workbook(built / WORKBOOK_NAME)
    for action in actions.ACTIONS:
        texts = [c.value for row in book[action.title].iter_rows() for c in row if isinstance(c.value, str)]
        assert REPAIR_NOTE in texts and "Could not find Interpreter!" in REPAIR_NOTE


# --- the pure side of the buttons ----------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022Q3", "2022Q3"), (" 2022q3 ", "2022Q3"), ("2022Ｑ3", "2022Q3"), (2022.0, "2022"), (2022, "2022"),
    (dt.datetime(2022, 9, 1), "2022-09"), ("2022-09", "2022-09"), (None, ""),
])
def test_period_text(value, expected):
    assert eb.period_text(value) == expected


def test_parse_parameters_matches_labels_in_any_order():
    rows = [["工作区", None], ["截止日期：", dt.datetime(2022, 10, 10)], ["期间", 2022.0], ["计划", "吴江"], [None, None]]
    assert eb.parse_parameters(rows) == {"plan": "吴江", "period": "2022", "deadline": "2022-10-10", "workspace": ""}


def test_workspace_folder(tmp_path):
    assert eb.workspace_folder({"workspace": ""}, tmp_path) == tmp_path
    assert eb.workspace_folder({"workspace": "."}, tmp_path) == tmp_path
    assert eb.workspace_folder({"workspace": "子目录"}, tmp_path) == tmp_path / "子目录"
    assert eb.workspace_folder({"workspace": str(tmp_path / "x")}, Path("/elsewhere")) == tmp_path / "x"


def test_unknown_sheet_and_missing_period_are_chinese_usage_errors():
    with pytest.raises(UsageError, match="不要重命名"):
        eb.action_for_sheet("Sheet1")
    with pytest.raises(UsageError, match="期间"):
        eb.require_period({"period": ""})


def test_fit_lines_says_what_was_left_out():
    lines = [str(i) for i in range(100)]
    fitted = eb.fit_lines(lines, 10)
    assert len(fitted) == 10 and fitted[:9] == lines[:9] and "另有 91 行" in fitted[-1]
    assert eb.fit_lines(lines[:3], 10) == lines[:3]


def test_errors_become_chinese_messages_with_a_log(folder):
    assert actions.clerk_message(WorkspaceError("工作区缺少计划文件")) == "工作区缺少计划文件"
    try:
        raise KeyError("boom")
    except KeyError as exc:
        log = actions.record_error(exc, folder)
        message = actions.clerk_message(exc, log)
    assert log.parent == folder / ".wjexcel" / "logs"
    assert log.name == "debug.log"  # the same log as the command line's (wjexcel.logs)
    assert "KeyError" in log.read_text(encoding="utf-8")
    assert "程序内部出错" in message and str(log) in message
    assert "Traceback" not in message


def test_error_log_never_creates_a_state_folder(tmp_path):
    log = actions.record_error(RuntimeError("x"), tmp_path)
    assert not (tmp_path / ".wjexcel").exists()
    assert log is not None and log.is_file()
    log.unlink()


def test_every_sheet_prints_on_a4_and_the_plan_name_is_shown_whole(workspace):
    name = str(workspace_plan(workspace).name)
    wb = openpyxl.load_workbook(workspace.root / WORKBOOK_NAME)
    assert all(ws.page_setup.paperSize == 9 for ws in wb.worksheets)
    for action in actions.ACTIONS:
        ws = wb[action.title]
        assert ws.page_setup.orientation == "landscape"
        cell = ws[f"{console.VALUE_COLUMN}{console.FIRST_PARAMETER_ROW}"]
        assert cell.alignment.shrink_to_fit
        assert ws.column_dimensions[console.VALUE_COLUMN].width >= min(VALUE_WIDTHS[1], text_units(name))
    assert wb[actions.ACTIONS[0].title][f"{console.VALUE_COLUMN}{console.FIRST_PARAMETER_ROW}"].value == name


# --- LibreOffice ----------------------------------------------------------------------------------

@pytest.mark.soffice
def test_libreoffice_opens_the_workbook(built, soffice_convert, tmp_path):
    [out] = soffice_convert([built / WORKBOOK_NAME], "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    with open(out, encoding="utf-8", newline="") as fh:
        cells = {cell for row in csv.reader(fh) for cell in row if cell}
    assert {"期间", "2022Q3", "运行结果", "尚未运行"} <= cells


# --- through the core ----------------------------------------------------------------------------

@pytest.fixture
def workspace(tmp_path):
    from wjexcel.cycle import init_workspace

    ws = init_workspace(tmp_path / "工作区")
    write_console(ws.root, period="2022Q3")
    return ws


def test_buttons_act_on_a_real_workspace(workspace):
    params = {"plan": "", "period": "2022Q3", "deadline": "2022-10-10", "workspace": ""}
    by_key = {a.key: a for a in actions.ACTIONS}
    generated = eb.run_action(by_key["generate"], params, workspace.root)
    assert "期间：2022Q3" in generated and any(workspace.outbox.rglob("*.xlsx"))
    status = eb.run_action(by_key["status"], params, workspace.root)
    assert "报送截止日期：2022-10-10" in status and "催报文字（可复制到邮件或微信）：" in status
    assert any(line.startswith("未报送  七都镇") for line in status)
    assert "注意：2022年第三季度尚未收到任何报送（已生成填报表 18 份）。" in status  # said first, as by the CLI
    ran = eb.run_action(by_key["run"], params, workspace.root)  # nothing received yet: nothing to report
    assert any("没有可汇总的内容，未写出汇总表" in line for line in ran) and not list(workspace.reports.glob("*.xlsx"))
    from wjexcel.demo.fill import fill_form  # one town's form comes back: the workbook and the document
    form = next(workspace.outbox.rglob("*七都镇*.xlsx"))
    fill_form(form, workspace.inbox / form.name, {"新建、改建政府主导运营的科创载体面积": 0.5},
              signer={"填报人": "王芳", "填报日期": dt.date(2022, 10, 8)})
    ran = eb.run_action(by_key["run"], params, workspace.root)
    assert any(line.startswith("汇总表：") for line in ran)
    document = next(line for line in ran if line.startswith("进展情况报告（草稿）：")).split("：", 1)[1]
    assert Path(document).exists() and Path(document).parent == workspace.reports
    assert (workspace.state / actions.LAST_PERIOD_FILE).read_text().strip() == "2022Q3"


def test_a_read_only_folder_reaches_the_clerk_as_the_cli_says_it(workspace):
    """Regenerating into a 分发 folder that cannot be written: the button says 无法写入 and the
    folder, as the command line does, not 程序内部出错."""
    import os
    import subprocess

    from wjexcel.forms.outbox import generate_forms

    generate_forms(workspace, "2022Q3")
    folder = workspace.outbox / "2022Q3"
    if os.geteuid() == 0:  # root ignores permissions; the immutable attribute stops even root
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a folder immutable here")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = None
    params = {"plan": "", "period": "2022Q3", "deadline": "", "workspace": ""}
    try:
        with pytest.raises(OSError) as info:
            eb.run_action(next(a for a in actions.ACTIONS if a.key == "generate"), params, workspace.root,
                          confirm=lambda q: True)
    finally:
        subprocess.run(undo, check=True) if undo else folder.chmod(0o755)
    message = actions.clerk_message(info.value)
    assert message.startswith(f"无法写入“{folder}”（没有写入权限）") and "内部出错" not in message


def test_a_bad_period_reaches_the_clerk_in_chinese(workspace):
    from wjexcel.errors import WjexcelError

    params = {"plan": "", "period": "2022Q5", "deadline": "", "workspace": ""}
    with pytest.raises(WjexcelError) as info:
        eb.run_action(actions.ACTIONS[0], params, workspace.root)
    assert re.search(r"[\u4e00-\u9fff]", actions.clerk_message(info.value))


# --- Windows with Microsoft Excel ----------------------------------------------------------------

def _has_excel() -> bool:
    if sys.platform != "win32":
        return False
    import winreg

    try:
        winreg.CloseKey(winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, "Excel.Application"))
        return True
    except OSError:
        return False


@pytest.mark.windows_excel
@pytest.mark.skipif(not _has_excel(), reason="needs Windows and Microsoft Excel")
def test_clicking_each_button_in_excel(workspace):
    import xlwings as xw

    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(workspace.root / WORKBOOK_NAME))
        for action in (actions.ACTIONS[1], actions.ACTIONS[2], actions.ACTIONS[0]):  # generate, status, run
            sheet = book.sheets[action.title]
            sheet.activate()
            book.macro("SampleCall")()  # what the button's OnAction does
            status = sheet[f"{console.VALUE_COLUMN}{console.STATUS_ROW}"].value
            assert status.startswith("完成"), (action.title, status, sheet[eb.result_cells()].value)
        book.close()
    finally:
        app.quit()


def test_the_generate_button_asks_before_it_replaces_forms(workspace):
    params = {"plan": "", "period": "2022Q3", "deadline": "", "workspace": ""}
    generate = {a.key: a for a in actions.ACTIONS}["generate"]
    eb.run_action(generate, params, workspace.root)
    folder = workspace.outbox / "2022Q3"
    asked = []
    kept = eb.run_action(generate, params, workspace.root, confirm=lambda q: asked.append(q) or False)
    assert kept[-1] == "已取消，原有填报表保持不变。" and "已生成过" in asked[0] and asked[0].endswith("确定重新生成吗？")
    assert not any(p.name.startswith("旧版_") for p in folder.iterdir())
    assert eb.run_action(generate, params, workspace.root)[-1] == "已取消，原有填报表保持不变。"  # nobody to ask
    replaced = eb.run_action(generate, params, workspace.root, confirm=lambda q: True)
    assert any("原有文件已移到：旧版_" in line for line in replaced)
    assert any(p.name.startswith("旧版_") and any(p.iterdir()) for p in folder.iterdir())


def _final_workspace(tmp_path):
    """A workspace whose 2022Q2 is 定稿 (recorded in its real ledger)."""
    from datetime import datetime

    from wjexcel.cycle import init_workspace
    from wjexcel.workspace.ledger import Ledger

    ws = init_workspace(tmp_path / "工作区")
    with Ledger.open(ws) as ledger:
        ledger.record_final("2022Q2", "汇总/二季度_定稿.xlsx", "0" * 64, ".wjexcel/archive/00/" + "0" * 64,
                            datetime(2022, 7, 12, 9, 30), [], [])
    return ws


def test_each_sheet_shows_whether_the_period_is_final(tmp_path):
    ws = _final_workspace(tmp_path)
    write_console(ws.root, period="2022Q2", python_exe=WIN_PYTHON)
    values = openpyxl.load_workbook(ws.root / WORKBOOK_NAME, data_only=True)
    formulas = openpyxl.load_workbook(ws.root / WORKBOOK_NAME)
    for action in actions.ACTIONS:
        row = console.BUTTON_ROW - 1
        assert values[action.title][f"B{row}"].value == "定稿情况"
        assert values[action.title][f"C{row}"].value == "已定稿（第1版，2022-07-12 09:30）"
        formula = formulas[action.title][f"C{row}"].value
        assert "VLOOKUP(C5," in formula and '"2022Q2","已定稿（第1版，2022-07-12 09:30）"' in formula
    write_console(ws.root, period="2022Q3", python_exe=WIN_PYTHON)
    values = openpyxl.load_workbook(ws.root / WORKBOOK_NAME, data_only=True)
    assert values[actions.ACTIONS[0].title][f"C{console.BUTTON_ROW - 1}"].value == "未定稿"


@pytest.mark.soffice
def test_libreoffice_works_the_final_state_out_for_the_period_typed(tmp_path, soffice):
    """openpyxl saves the formulas without cached values, so what LibreOffice shows it worked out."""
    from tests.report.test_workbook import recalculate

    ws = _final_workspace(tmp_path)
    write_console(ws.root, period="2022Q2", python_exe=WIN_PYTHON)
    books = []
    for period in ("2022Q2", "2022Q3"):
        book = openpyxl.load_workbook(ws.root / WORKBOOK_NAME, keep_vba=True)
        book[actions.ACTIONS[0].title]["C5"] = period  # the clerk types the period on the first sheet
        books.append(tmp_path / f"{period}.xlsm")
        book.save(books[-1])
    results = recalculate(soffice, books, tmp_path / "out")
    row = console.BUTTON_ROW - 1
    got = [[openpyxl.load_workbook(p.with_suffix(".xlsx"), data_only=True)[a.title][f"C{row}"].value
            for a in actions.ACTIONS] for p in results]
    assert got == [["已定稿（第1版，2022-07-12 09:30）"] * len(actions.ACTIONS), ["未定稿"] * len(actions.ACTIONS)]
