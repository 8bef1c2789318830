"""The form template (templates/report_template.xlsx): its version, its style cells, its sheets.

A clerk restyles forms by editing the template in Excel or WPS (docs/template.md). It is
read once per ``generate`` with openpyxl into a :class:`Template`: each sheet as
:mod:`wjexcel.forms.grid` data, each named style cell (``wjx_*``) as a
:class:`~wjexcel.forms.grid.CellStyle`; every form is then assembled from copies.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles.colors import COLOR_INDEX

from wjexcel.cellref import parse_a1
from wjexcel.errors import WjexcelError
from wjexcel.forms import layout as L
from wjexcel.forms.grid import CellStyle, Cell, PageSetup, Sheet

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")

# openpyxl's names -> XlsxWriter's indices and names.
_BORDERS = {"thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6, "hair": 7,
            "mediumDashed": 8, "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11, "mediumDashDotDot": 12,
            "slantDashDot": 13}
_PATTERNS = ["none", "solid", "mediumGray", "darkGray", "lightGray", "darkHorizontal", "darkVertical", "darkDown",
             "darkUp", "darkGrid", "darkTrellis", "lightHorizontal", "lightVertical", "lightDown", "lightUp",
             "lightGrid", "lightTrellis", "gray125", "gray0625"]
_HORIZONTAL = {"left": "left", "center": "center", "right": "right", "fill": "fill", "justify": "justify",
               "centerContinuous": "center_across", "distributed": "distributed"}
_VERTICAL = {"top": "top", "center": "vcenter", "bottom": "bottom", "justify": "vjustify",
             "distributed": "vdistributed"}
_UNDERLINE = {"single": 1, "double": 2, "singleAccounting": 33, "doubleAccounting": 34}
_THEME_ORDER = ["lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink"]
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@dataclass
class Template:
    """The template read once: its version, named styles, sheets and the 填报检查 cell."""

    path: Path
    version: str
    styles: dict[str, CellStyle]
    sheets: dict[str, Sheet]
    check: tuple[int, int]
    """(row, col) of the 填报检查 formula on 指标填报."""

    def sheet(self, name: str, title: str | None = None) -> Sheet:
        """A fresh copy of one of the template's sheets."""
        return self.sheets[name].copy(title)


def load_template(path: str | Path | None = None) -> Template:
    """Read the template; a Chinese error naming what is missing."""
    path = Path(path) if path else L.template_path()
    try:
        data = path.read_bytes()
        wb = load_workbook(io.BytesIO(data))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise WjexcelError(f"填报表模板 {path} 无法打开（{exc}），请运行 python scripts/make_template.py 重新生成。") from exc
    missing = [name for name in (L.GUIDE_SHEET, L.MAIN_SHEET, L.DETAIL_TEMPLATE_SHEET) if name not in wb.sheetnames]
    if missing:
        raise WjexcelError(f"填报表模板缺少工作表“{'、'.join(missing)}”，请按 docs/template.md 修复模板，"
                           "或运行 python scripts/make_template.py 重新生成。")
    reader = _StyleReader(wb)
    styles = {}
    for key in L.STYLE_NAMES:
        sheet, ref = named_cell(wb, key)
        styles[key] = reader.style(wb[sheet][ref])
    check_sheet, check_ref = named_cell(wb, "wjx_check")
    if check_sheet != L.MAIN_SHEET:
        raise WjexcelError(f"填报表模板的名称“wjx_check”应指向“{L.MAIN_SHEET}”工作表上的单元格。")
    sheets = {ws.title: _read_sheet(ws, reader)
              for ws in wb.worksheets if ws.title in (L.GUIDE_SHEET, L.MAIN_SHEET, L.DETAIL_TEMPLATE_SHEET)}
    return Template(path, template_version(wb, data), styles, sheets, parse_a1(check_ref))


def template_version(wb, data: bytes) -> str:
    """The declared version of the template ``wb`` read from ``data``, plus a digest of ``data`` (``2-3f2a9c10``)."""
    declared = "0"
    name = wb.defined_names.get(L.TEMPLATE_VERSION_NAME)
    if name is not None:
        declared = name.attr_text.strip('"') or "0"
    digest = hashlib.sha256(data).hexdigest()[:8]
    return f"{declared}-{digest}"


def fill_placeholders(text, values: dict[str, str]):
    """Replace each known ``{占位符}`` in ``text``; anything else is left as typed."""
    if not isinstance(text, str) or "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_sheet(sheet: Sheet, values: dict[str, str], *, max_row: int | None = None) -> None:
    """Replace placeholders in the texts (down to ``max_row``) and the header and footer of ``sheet``."""
    for (row, _), cell in sheet.cells.items():
        if (max_row is None or row <= max_row) and cell.formula is None and isinstance(cell.value, str):
            cell.value = fill_placeholders(cell.value, values)
    sheet.setup.header = fill_placeholders(sheet.setup.header, values)
    sheet.setup.footer = fill_placeholders(sheet.setup.footer, values)


def named_cell(wb, key: str) -> tuple[str, str]:
    """The (sheet, coordinate) a template name points at; a Chinese error if it is missing."""
    name = wb.defined_names.get(key)
    destinations = list(name.destinations) if name is not None else []
    if not destinations or destinations[0][0] not in wb.sheetnames:
        raise WjexcelError(
            f"填报表模板缺少名称“{key}”（{L.STYLE_NAMES.get(key, key)}），请按 docs/template.md 修复模板，"
            "或运行 python scripts/make_template.py 重新生成。"
        )
    sheet, ref = destinations[0]
    return sheet, ref.replace("$", "").partition(":")[0]


# --- reading ---------------------------------------------------------------------------------------
def _read_sheet(ws, reader: _StyleReader) -> Sheet:
    sheet = Sheet(ws.title)
    for (row, col), cell in ws._cells.items():  # every cell with a value or a style
        if isinstance(cell, MergedCell) or (cell.value is None and not cell.has_style):
            continue
        value = cell.value
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            value = None  # the generator writes its own formulas; a template formula is not kept
        sheet.cells[(row, col)] = Cell(value, reader.style(cell))
    sheet.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for letter, dim in ws.column_dimensions.items():
        if dim.width:
            for col in range(dim.min or 0, (dim.max or 0) + 1):
                if col:
                    sheet.widths[col] = float(dim.width)
    sheet.heights = {row: float(dim.height) for row, dim in ws.row_dimensions.items() if dim.height}
    margins = ws.page_margins
    sheet.setup = PageSetup(
        margins=(margins.left, margins.right, margins.top, margins.bottom),
        header=str(ws.oddHeader),
        footer=str(ws.oddFooter),
        header_margin=margins.header, footer_margin=margins.footer,
        center_horizontally=bool(ws.print_options.horizontalCentered))
    sheet.gridlines = ws.sheet_view.showGridLines is not False
    sheet.zoom = ws.sheet_view.zoomScale
    return sheet


class _StyleReader:
    """openpyxl styles -> :class:`CellStyle`, theme and indexed colours resolved to RGB."""

    def __init__(self, wb) -> None:
        self._theme = _theme_colors(wb.loaded_theme)
        self._cache: dict = {}

    def style(self, cell) -> CellStyle:
        key = tuple(cell._style)
        style = self._cache.get(key)
        if style is None:
            style = self._cache[key] = self._convert(cell)
        return style

    def _convert(self, cell) -> CellStyle:
        font, fill, align = cell.font, cell.fill, cell.alignment
        pattern = _PATTERNS.index(fill.fill_type) if fill.fill_type in _PATTERNS else 0
        borders = []
        for side in ("left", "right", "top", "bottom"):
            edge = getattr(cell.border, side)
            if edge is not None and edge.style in _BORDERS:
                borders.append((side, _BORDERS[edge.style], self.color(edge.color)))
        return CellStyle(
            font_name=font.name, font_size=float(font.sz or 11), bold=bool(font.b), italic=bool(font.i),
            underline=_UNDERLINE.get(font.u, 0), strike=bool(font.strike), font_color=self.color(font.color),
            pattern=pattern, fg_color=self.color(fill.fgColor) if pattern else None,
            bg_color=self.color(fill.bgColor) if pattern > 1 else None, borders=tuple(borders),
            horizontal=_HORIZONTAL.get(align.horizontal), vertical=_VERTICAL.get(align.vertical),
            wrap=bool(align.wrap_text), indent=int(align.indent or 0), shrink=bool(align.shrink_to_fit),
            rotation=_rotation(int(align.text_rotation or 0)), num_format=cell.number_format or "General",
            locked=cell.protection.locked is not False)

    def color(self, color) -> str | None:
        """``RRGGBB`` of an openpyxl colour, or None for automatic."""
        if color is None:
            return None
        kind = color.type
        if kind == "rgb" and isinstance(color.rgb, str) and len(color.rgb) >= 6:
            return color.rgb[-6:].upper()
        if kind == "indexed" and isinstance(color.indexed, int) and color.indexed < len(COLOR_INDEX):
            return COLOR_INDEX[color.indexed][-6:].upper()
        if kind == "theme" and isinstance(color.theme, int) and color.theme < len(self._theme):
            return _tinted(self._theme[color.theme], float(color.tint or 0))
        return None


def _rotation(r: int) -> int:
    """openpyxl's text rotation (0-90 up, 91-180 down by r - 90, 255 stacked) as XlsxWriter's (-90..90, 270)."""
    return r if r <= 90 else (90 - r if r <= 180 else 270)


def _theme_colors(theme: bytes | None) -> list[str]:
    """The workbook theme's colours in the order cells refer to them (lt1, dk1, lt2, dk2, accents…)."""
    defaults = {"lt1": "FFFFFF", "dk1": "000000", "lt2": "E7E6E6", "dk2": "44546A", "accent1": "4472C4",
                "accent2": "ED7D31", "accent3": "A5A5A5", "accent4": "FFC000", "accent5": "5B9BD5",
                "accent6": "70AD47", "hlink": "0563C1", "folHlink": "954F72"}
    if theme:
        try:
            root = ElementTree.fromstring(theme)
        except (ElementTree.ParseError, DefusedXmlException):  # a damaged theme: Office's colours
            root = None
        scheme = root.find(f".//{_DRAWING}clrScheme") if root is not None else None
        for node in scheme if scheme is not None else ():
            name = node.tag.replace(_DRAWING, "")
            for value in node:
                rgb = value.get("val") if value.tag == f"{_DRAWING}srgbClr" else value.get("lastClr")
                if rgb and len(rgb) == 6:
                    defaults[name] = rgb.upper()
    return [defaults[name] for name in _THEME_ORDER]


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) a colour's luminance, on Excel's 0-255 scale."""
    if not tint:
        return rgb
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = round(lum * 255)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + 255 * tint
    lum = min(255, max(0, int(lum))) / 255
    return "".join(f"{int(v * 255 + 0.5):02X}" for v in colorsys.hls_to_rgb(h, lum, s))
