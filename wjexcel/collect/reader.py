"""The reader seam: one call turns a returned file into plain cell data.

xlsx/xlsm are read with openpyxl (read-only, from a file object so a wrong extension
does not matter); BIFF ``.xls`` and ``.ods`` with python-calamine in a child process
under a memory and time limit, because calamine aborts the whole process when a file
makes it allocate too much. Every file passes :func:`wjexcel.collect.preflight.preflight`
first. Every failure is a :class:`~wjexcel.errors.FormError` with a Chinese message.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import logging
import math
import os
import subprocess
import sys
import time
import warnings
import zipfile
from contextlib import nullcontext
from pathlib import Path

from defusedxml import DefusedXmlException

from wjexcel import filetypes
from wjexcel.errors import EnvironmentProblem, FormError, os_reason
from wjexcel.problems import Code
from wjexcel.values import decode_excel_escapes
from wjexcel.cellref import a1
from wjexcel.collect.book import HIDDEN, VERY_HIDDEN, VISIBLE, CellData, SheetData, WorkbookData  # noqa: F401
from wjexcel.collect import fastread
from wjexcel.collect.preflight import RESAVE, check_bytes, check_size, preflight

log = logging.getLogger(__name__)


def _openpyxl():
    """openpyxl, imported where the careful path first needs it (the fast path never does), and
    only where it parses through defusedxml."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise EnvironmentProblem("安装不安全：缺少 defusedxml，读取外来表格有风险。请先运行 pip install defusedxml，"
                                 "再重新运行 wjexcel")
    return openpyxl


DEFAULT_MAX_ROWS = 500
"""Rows read per sheet unless the caller passes the form's own range."""
DEFAULT_MAX_COLS = 60
"""Columns read per sheet unless the caller passes the form's own range."""
READ_SECONDS = 30.0
"""Time budget for checking and reading one file (preflight scan and either engine together)."""
CALAMINE_MEMORY_BYTES = 1536 * 1024 * 1024
"""Memory cap of the calamine child (:mod:`~wjexcel.collect.memcap`); the densest legal .xls needs ~0.6 GB."""



def read_workbook(
    path, *, display_name: str | None = None, max_rows: int = DEFAULT_MAX_ROWS, max_cols: int = DEFAULT_MAX_COLS,
    careful: bool = False, data: bytes | None = None, filetype: filetypes.FileType | None = None,
) -> WorkbookData:
    """Read every worksheet of a returned file within ``max_rows`` x ``max_cols``.

    An ordinary .xlsx is read on the fast path (:mod:`wjexcel.collect.fastread`); anything
    else, or anything unusual in one, the careful way: the full preflight scan, then
    openpyxl (xlsx) or calamine in a child process (.xls, .ods). ``careful`` reads an
    ordinary .xlsx the careful way too (the tests compare both). ``data``: the file's bytes,
    already read (``path`` then only names it), and ``filetype`` what they were sniffed as
    (:func:`wjexcel.collect.preflight.check_bytes`); the file is read from disk once, and
    its bytes are never copied to another file.

    Raises:
        FormError: The file is unsafe, not a workbook, damaged, encrypted or too slow
            to read; the Chinese message names the file and says what to do.
    """
    path = Path(path)
    label = display_name or path.name
    deadline = time.monotonic() + READ_SECONDS
    if data is None:
        check_size(path, label)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FormError(f"“{label}”：无法读取文件（{os_reason(exc)}）", Code.FILE_UNREADABLE) from exc
    filetype = check_bytes(data, label, filetype)
    if filetype.kind in (filetypes.XLSX, filetypes.XLSM) and not careful:
        try:
            book = fastread.read(data, label, (max_rows, max_cols), deadline)
        except fastread.NotFast as exc:
            log.debug("%s is read the careful way: %s", label, exc)
        else:
            book.display_name, book.kind = label, filetype.kind
            return book
    return _read_carefully(data, filetype, label, max_rows, max_cols, deadline)


def _read_carefully(data: bytes, filetype, label: str, max_rows: int, max_cols: int, deadline: float) -> WorkbookData:
    checked = preflight(label, display_name=label, bounds=(max_rows, max_cols), deadline=deadline, data=data,
                        filetype=filetype)
    kind = checked.filetype.kind
    if kind in (filetypes.XLSX, filetypes.XLSM):
        source = _normalized_package(io.BytesIO(data)) if checked.odd_names else io.BytesIO(data)
        book = _read_openpyxl(source, label, max_rows, max_cols, checked.sheets, deadline)
    else:
        book = _read_in_child(data, label, max_rows, max_cols, deadline, kind)
    book.display_name, book.kind = label, kind
    return book


def _normalized_package(package) -> io.BytesIO:
    """An in-memory copy of a package whose parts are named ``xl\\workbook.xml`` or
    ``/xl/workbook.xml``, renamed as openpyxl looks them up (Excel reads both). The file
    itself is never changed; its sizes were checked by the preflight."""
    out = io.BytesIO()
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dest:
        seen = set()
        for info in src.infolist():
            name = filetypes.part_name(info.filename)
            if name and name not in seen and not info.is_dir():
                seen.add(name)
                dest.writestr(name, src.read(info))
    out.seek(0)
    return out


def _read_openpyxl(source, label, max_rows, max_cols, scans, deadline) -> WorkbookData:
    _openpyxl()  # an unsafe installation is said as such, not as a damaged file
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = (max_rows, max_cols)
            sheets, names, props, formula_cells = _openpyxl_pass(source, False, bounds, deadline, scans, label)
            if formula_cells:
                cached = _openpyxl_pass(source, True, bounds, deadline, scans, label)[0]
                for sheet, cached_sheet in zip(sheets, cached):
                    for key in formula_cells.get(sheet.name, ()):
                        hit = cached_sheet.cells.get(key)
                        value = None if hit is None else hit.value
                        old = sheet.cells[key]
                        sheet.cells[key] = CellData(value, old.formula, hit is not None and hit.is_text,
                                                    hit is not None and hit.is_error, old.number_format)
    except FormError:
        raise
    except DefusedXmlException as exc:
        raise FormError(f"“{label}”：文件中含有不安全的 XML 内容，可能是恶意文件，已拒绝", Code.FILE_UNSAFE) from exc
    except MemoryError as exc:
        raise FormError(f"“{label}”：文件内容过大，无法读取，{RESAVE}", Code.FILE_UNSAFE) from exc
    except Exception as exc:  # openpyxl raises anything on a damaged file
        log.debug("openpyxl could not read %s", label, exc_info=True)
        raise FormError(f"“{label}”：文件内容有错误，无法读取，{RESAVE}", Code.FILE_CORRUPT) from exc
    return WorkbookData(label, "", sheets, props, names)


def _openpyxl_pass(source, data_only, bounds, deadline, scans, label):
    """One read-only pass over a path or an in-memory package; returns sheets, defined names,
    properties, formula cells."""
    if isinstance(source, io.BytesIO):
        source.seek(0)
    with (open(source, "rb") if isinstance(source, Path) else nullcontext(source)) as fh:
        wb = _openpyxl().load_workbook(fh, read_only=True, data_only=data_only, keep_links=False, keep_vba=False)
        try:
            sheets, formula_cells = [], {}
            for ws in wb.worksheets:
                sheet, formulas = _openpyxl_sheet(ws, label, *bounds, deadline)
                scan = scans.get(getattr(ws, "_worksheet_path", ""))
                if scan is not None:
                    sheet.max_row, sheet.max_col = scan.max_row, scan.max_col
                    sheet.beyond_bounds, sheet.beyond_cells = scan.beyond_count > 0, scan.beyond
                sheets.append(sheet)
                if formulas:
                    formula_cells[sheet.name] = formulas
            names = {name: d.attr_text for name, d in wb.defined_names.items()}
            for ws in wb.worksheets:
                names.update({f"{ws.title}!{name}": d.attr_text for name, d in ws.defined_names.items()})
            props = {p.name: p.value for p in wb.custom_doc_props}
            return sheets, names, props, formula_cells
        finally:
            wb.close()


def _openpyxl_sheet(ws, label, max_rows, max_cols, deadline):
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    sheet = SheetData(ws.title, ws.sheet_state or VISIBLE)
    formulas = []
    for row in ws.iter_rows(min_row=1, max_row=max_rows, min_col=1, max_col=max_cols):
        if time.monotonic() > deadline:
            raise FormError(f"“{label}”：读取超时（工作表“{ws.title}”内容过多），{RESAVE}", Code.FILE_TIMEOUT)
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:
                continue
            key = (cell.row, cell.column)
            formula = None
            if isinstance(value, (ArrayFormula, DataTableFormula)):
                formula = getattr(value, "text", None) or str(value)
            elif cell.data_type == "f":
                formula = value
            if formula is not None:
                formulas.append(key)
                sheet.cells[key] = CellData(None, formula, number_format=cell.number_format)
            else:
                kind = cell.data_type
                sheet.cells[key] = CellData(_as_excel_holds(value), None, kind == "s", kind == "e",
                                            cell.number_format)
    return sheet, formulas


def _as_excel_holds(value):
    """A value read by openpyxl as Excel itself would hold it: text with its ``_xHHHH_``
    escapes decoded, and an integer written with hundreds of digits (Excel keeps doubles)
    as infinity rather than a Python int no float can hold."""
    if isinstance(value, str):
        return decode_excel_escapes(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def _read_in_child(data: bytes, label, max_rows, max_cols, deadline, kind: str = "") -> WorkbookData:
    """Run calamine in a child process with a memory cap and a time limit.

    The child is a fresh interpreter (not multiprocessing, which would re-run the
    caller's ``__main__``), reads the file's bytes from its standard input and answers in
    JSON, so nothing it sends is executed. An .ods calamine refuses is read there again by
    :mod:`wjexcel.collect.odsread`, within the same cap and limit.
    """
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-c", "from wjexcel.collect.reader import _child_main; _child_main()",
               "-", str(max_rows), str(max_cols), kind]
    try:
        done = subprocess.run(command, capture_output=True, timeout=max(1.0, deadline - time.monotonic()), env=env,
                              input=data)
    except subprocess.TimeoutExpired as exc:
        raise FormError(f"“{label}”：读取超时，文件内容可能过大或已损坏，{RESAVE}", Code.FILE_TIMEOUT) from exc
    try:
        answer = json.loads(done.stdout)
    except ValueError as exc:
        if done.returncode < 0 or b"memory" in done.stderr.lower():
            raise FormError(f"“{label}”：文件内容异常，读取时占用内存过多，已停止。{RESAVE}", Code.FILE_UNSAFE) from exc
        log.debug("calamine child for %s exited %s: %s", label, done.returncode, done.stderr[-2000:])
        raise FormError(f"“{label}”：读取时出现异常，文件可能已损坏，{RESAVE}", Code.FILE_CORRUPT) from exc
    if answer["status"] == "ok":
        if answer.get("reader"):
            log.info("%s read by %s (calamine: %s)", label, answer["reader"], answer.get("calamine"))
        return _book_from_json(answer["book"])
    if answer["status"] == "password":
        raise FormError(f"“{label}”：文件已加密，请取消密码后另存为 .xlsx 再发送", Code.FILE_ENCRYPTED)
    if answer["status"] == "memory":
        raise FormError(f"“{label}”：文件内容异常，读取时占用内存过多，已停止。{RESAVE}", Code.FILE_UNSAFE)
    log.debug("calamine could not read %s: %s", label, answer.get("detail"))
    raise FormError(f"“{label}”：文件内容有错误，无法读取，{RESAVE}", Code.FILE_CORRUPT)


def _child_main() -> None:
    """Entry point of the calamine child: cap memory, read, print JSON."""
    from wjexcel.collect.memcap import cap_memory

    cap_memory(CALAMINE_MEMORY_BYTES)
    import python_calamine

    path, max_rows, max_cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kind = sys.argv[4] if len(sys.argv) > 4 else ""
    if path == "-":  # the file's bytes come on standard input
        path = io.BytesIO(sys.stdin.buffer.read())
    try:
        answer = {"status": "ok", "book": _book_to_json(_read_calamine(path, max_rows, max_cols))}
    except python_calamine.PasswordError:
        answer = {"status": "password"}
    except MemoryError:
        answer = {"status": "memory"}
    except Exception as exc:
        answer = {"status": "error", "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}
        if kind == filetypes.ODS:
            answer = _second_ods_reader(path, max_rows, max_cols, answer)
    sys.stdout.write(json.dumps(answer, ensure_ascii=True))


def _second_ods_reader(path, max_rows, max_cols, refused: dict) -> dict:
    """The child's answer from the second .ods reader for a file calamine refused (``refused``)."""
    from wjexcel.collect.odsread import read_ods

    try:
        return {"status": "ok", "book": _book_to_json(read_ods(path, max_rows, max_cols)),
                "reader": "odsread", "calamine": refused["detail"]}
    except MemoryError:
        return {"status": "memory"}
    except Exception as exc:
        return {"status": "error", "detail": f"{refused['detail']}; odsread: {type(exc).__name__}: {str(exc)[:200]}"}


_TEMPORAL = {"datetime": _dt.datetime, "date": _dt.date, "time": _dt.time}


def _value_to_json(value):
    if isinstance(value, _dt.timedelta):
        return {"timedelta": value.total_seconds()}
    for tag, kind in _TEMPORAL.items():
        if isinstance(value, kind):
            return {tag: value.isoformat()}
    return value


def _value_from_json(value):
    if not isinstance(value, dict):
        return value
    (tag, text), = value.items()
    if tag == "timedelta":
        return _dt.timedelta(seconds=text)
    return _TEMPORAL[tag].fromisoformat(text)


def _book_to_json(book: WorkbookData) -> list:
    return [
        {"name": s.name, "visibility": s.visibility, "max_row": s.max_row, "max_col": s.max_col,
         "beyond": list(s.beyond_cells), "cells": [[r, c, _value_to_json(d.value), d.is_text]
                                                    for (r, c), d in s.cells.items()]}
        for s in book.sheets
    ]


def _book_from_json(sheets: list) -> WorkbookData:
    result = []
    for s in sheets:
        cells = {(r, c): CellData(_value_from_json(v), None, is_text) for r, c, v, is_text in s["cells"]}
        result.append(SheetData(s["name"], s["visibility"], cells, s["max_row"], s["max_col"],
                                bool(s["beyond"]), tuple(s["beyond"]), formulas_known=False))
    return WorkbookData("", "", result)


_CALAMINE_VISIBILITY = {"Visible": VISIBLE, "Hidden": HIDDEN, "VeryHidden": VERY_HIDDEN}


def _read_calamine(path, max_rows, max_cols) -> WorkbookData:
    import python_calamine

    with (open(path, "rb") if isinstance(path, (str, Path)) else nullcontext(path)) as fh, \
            python_calamine.CalamineWorkbook.from_filelike(fh) as wb:
        sheets = []
        for index, meta in enumerate(wb.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            visibility = _CALAMINE_VISIBILITY.get(str(meta.visible).rpartition(".")[2], VISIBLE)
            sheet = SheetData(meta.name, visibility, formulas_known=False)
            _fill_from_calamine(sheet, wb.get_sheet_by_index(index), max_rows, max_cols)
            sheets.append(sheet)
    return WorkbookData("", "", sheets)


def _fill_from_calamine(sheet: SheetData, cs, max_rows, max_cols) -> None:
    """Copy non-empty cells; calamine's row/column origin is derived from its extent."""
    start, end = cs.start, cs.end
    if start is None or end is None:
        return
    found, rows = [], 0
    for rows, row in enumerate(cs.iter_rows(), start=1):
        col0 = start[1] if len(row) == end[1] - start[1] + 1 else 0
        found.extend((rows, col0 + j + 1, v) for j, v in enumerate(row) if v != "" and v is not None)
    row0 = end[0] + 1 - rows  # 0 when rows start at A1, start row when they start at the data
    beyond = []
    for i, col, value in found:
        row = row0 + i
        sheet.max_row, sheet.max_col = max(sheet.max_row, row), max(sheet.max_col, col)
        if row > max_rows or col > max_cols:
            beyond.append(a1(row, col))
            continue
        sheet.cells[(row, col)] = CellData(_plain(value), None, isinstance(value, str))
    sheet.beyond_bounds, sheet.beyond_cells = bool(beyond), tuple(beyond[:20])


def _plain(value):
    """Keep the plain Python types calamine returns; anything else as text."""
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta, str, int, float, bool)):
        return value
    return str(value)
