"""Read the plan workbook's sheets into tables addressed by header, keeping every cell's place.

Defensive: the file is sniffed by content and bounded in size before openpyxl opens it
read-only; columns are found by their header text, so a clerk may reorder them; blank
rows are skipped. :class:`PlanLocations` remembers where each part of the plan came
from so that a problem can name its cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wjexcel.filetypes import XLSM, XLSX, sniff
from wjexcel.plan.model import is_percent_unit
from wjexcel.plan.layout import Column, cell_text, norm
from wjexcel.problems import Code, ProblemList
from wjexcel.values import is_blank

YEAR_HEADER_RE = re.compile(r"^(\d{4})年?目标$")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ROWS = 20000
MAX_COLS = 60
MAX_BLANK_RUN = 1000  # stop reading a sheet after this many blank rows in a row
HEADER_SEARCH_ROWS = 10


class PercentCell(float):
    """A number cell shown with a % format: Excel stores 3.6% as 0.036."""


def percent_points(raw, unit: str):
    """A % cell of a % indicator as the points a clerk sees (3.6, not 0.036); else ``raw``."""
    if isinstance(raw, PercentCell) and is_percent_unit(unit):
        return round(raw * 100, 10)
    return raw


@dataclass
class Sheet:
    """One worksheet's non-blank rows."""

    name: str
    rows: list[tuple[int, tuple]]  # (row number, values), blank rows dropped


def read_book(path: Path, problems: ProblemList, data: bytes | None = None) -> dict[str, Sheet] | None:
    """Every sheet's non-blank rows, read with bounds; None when the file cannot be read.
    ``data``: the file's bytes, already read (``path`` then only names it)."""
    if data is None and not path.is_file():
        problems.error(f"找不到计划文件“{path}”", code=Code.PLAN_FILE)
        return None
    if (len(data) if data is not None else path.stat().st_size) > MAX_FILE_BYTES:
        problems.error(f"计划文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，不像是计划文件", code=Code.PLAN_FILE)
        return None
    source = path if data is None else io.BytesIO(data)
    kind = sniff(path if data is None else data)
    if kind.kind not in (XLSX, XLSM):
        problems.error(kind.message or f"计划文件必须是 Excel 工作簿（.xlsx），这是{kind.description}；"
                       "请用 Excel 或 WPS 另存为 .xlsx", code=Code.PLAN_FILE)
        return None
    try:
        with zipfile.ZipFile(source) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED_BYTES:
                problems.error("计划文件解压后过大，不像是计划文件", code=Code.PLAN_FILE)
                return None
    except (zipfile.BadZipFile, OSError):
        problems.error("计划文件已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx", code=Code.PLAN_FILE)
        return None

    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds on broken files
        problems.error("无法打开计划文件（文件内容有错误），请用 Excel 或 WPS 打开后另存为 .xlsx", code=Code.PLAN_FILE)
        return None
    try:
        return {norm(ws.title): _read_sheet(ws, problems) for ws in wb.worksheets}
    finally:
        wb.close()


def _read_sheet(ws, problems: ProblemList) -> Sheet:
    ws.reset_dimensions()
    rows, blank_run = [], 0
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLS), 1):
        values = tuple(_cell_value(c) for c in cells)
        if all(is_blank(v) for v in values):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if number > MAX_ROWS:
            problems.error(f"“{ws.title}”表超过 {MAX_ROWS} 行，其后的内容未读取", ws.title, f"A{number}", code=Code.PLAN_STRUCTURE)
            break
        rows.append((number, values))
    return Sheet(ws.title, rows)


def _cell_value(cell):
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return PercentCell(value)
    return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class Row:
    """One data row of a table, addressed by column key."""

    def __init__(self, table: "Table", number: int, values: tuple):
        self.table, self.number, self.values = table, number, values

    def raw(self, key: str):
        idx = self.table.index.get(key)
        return self.values[idx] if idx is not None and idx < len(self.values) else None

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def cell(self, key: str) -> str:
        return self.table.cell(key, self.number)


class Table:
    """A sheet read through its header row: column keys → positions, data rows."""

    def __init__(self, sheet: Sheet, columns: list[Column], problems: ProblemList):
        self.name, self.index, self.years = sheet.name, {}, {}
        self.header_row, self.ok = 0, True
        wanted = {norm(c.header): c for c in columns}
        key_header = norm(columns[0].header)
        for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
            if key_header in {norm(v) for v in values}:
                self.header_row = number
                for i, v in enumerate(values):
                    h = norm(v)
                    m = YEAR_HEADER_RE.match(h)
                    key = wanted[h].key if h in wanted else (f"target:{m.group(1)}" if m else None)
                    if key is None:
                        continue
                    if key in self.index or (m and int(m.group(1)) in self.years):
                        problems.error(f"表头“{cell_text(v)}”出现了两次，请删去一列", sheet.name, f"{_letter(i)}{number}", code=Code.PLAN_STRUCTURE)
                    elif m:
                        self.years[int(m.group(1))] = i
                    else:
                        self.index[key] = i
                break
        if not self.header_row:
            problems.error(f"“{sheet.name}”表找不到表头行（第一列应为“{columns[0].header}”）", sheet.name, "A1", code=Code.PLAN_STRUCTURE)
            self.ok = False
            self._rows = []
            return
        missing = [f"“{c.header}”" for c in columns if c.required and c.key not in self.index]
        if missing:
            problems.error(f"“{sheet.name}”表缺少列：{'、'.join(missing)}", sheet.name, f"A{self.header_row}", code=Code.PLAN_STRUCTURE)
            self.ok = False
        self._rows = [(n, v) for n, v in sheet.rows if n > self.header_row]

    def rows(self):
        for number, values in self._rows:
            yield Row(self, number, values)

    def letter(self, key: str) -> str:
        idx = self.years.get(int(key[7:])) if key.startswith("target:") else self.index.get(key)
        return _letter(idx) if idx is not None else ""

    def cell(self, key: str, number: int) -> str:
        letter = self.letter(key)
        return f"{letter}{number}" if letter else f"A{number}"


class PlanLocations:
    """Where each part of a loaded plan sits in the workbook, so problems name a cell.

    Rows are keyed by (sheet, key): a list index, or ``(code, name, span)`` for a split.
    """

    def __init__(self):
        self.rows: dict[tuple[str, object], int] = {}
        self.tables: dict[str, Table] = {}

    def cell(self, sheet: str, key, field: str = "") -> str | None:
        """The cell's address; "" when unknown; None when its column is missing from the
        sheet (that is reported once, as a missing column)."""
        number = self.rows.get((sheet, key))
        table = self.tables.get(sheet)
        if table is not None and field and not table.letter(field):
            return None
        if number is None or table is None:
            return ""
        return table.cell(field, number) if field else f"A{number}"
