"""Cells and sheets of the 汇总 workbook: fonts, formats, text written as text, titles, printing,
status colours, and the titled table every list sheet is. Every sheet module builds on this one.

Text that came from a returned form goes through :func:`text` and ``write_string`` only, so a
remark that starts with ``=`` stays text."""

from __future__ import annotations

from datetime import date, datetime

import xlsxwriter
import xlsxwriter.worksheet

from wjexcel.report.data import ReportData
from wjexcel.report.figures import DONE, LAGGING, MISSING, NOT_DUE, ON_TRACK, SEVERE, Figures
from wjexcel.textmeasure import A4_INCHES, column_points, fit_height, fit_width, row_pieces, shown_width, title_lines
from wjexcel.values import clean_text, needs_keep_as_text


BODY_FONT, HEAD_FONT = "仿宋", "宋体"
STATUS_COLOURS = {  # fill, font
    DONE: ("#C6EFCE", "#006100"),
    ON_TRACK: ("#DDEBF7", "#1F4E78"),
    LAGGING: ("#FFEB9C", "#9C5700"),
    SEVERE: ("#FFC7CE", "#9C0006"),
    MISSING: ("#D9D9D9", "#404040"),
    NOT_DUE: ("#FFFFFF", "#7F7F7F"),
}


def text(value) -> str:
    """Clean text for a cell (control characters, lone surrogates, Excel's length limit)."""
    return clean_text(value)


def put(sheet, row: int, col: int, value, fmt) -> None:
    """One cell, typed by Python type; strings always as text."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        sheet.write_string(row, col, value.strftime("%Y-%m-%d %H:%M"), fmt)
    elif isinstance(value, date):
        sheet.write_string(row, col, value.isoformat(), fmt)
    else:
        sheet.write_string(row, col, text(value), fmt)


class Styles:
    """Cell formats of one workbook, created once per distinct property set.

    Creating the styles of a book also makes every worksheet added to it write text that a
    spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) with the keep-as-text
    flag, whichever sheet module writes it (:class:`TextSafeWorksheet`)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._cache: dict[tuple, object] = {}
        self._keys: dict[int, tuple] = {}
        book.worksheet_class = type("TextSafeWorksheet", (TextSafeWorksheet,), {"styles": self})

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
            base.update(props)
            self._cache[key] = self.book.add_format(base)
            self._keys[id(self._cache[key])] = key
        return self._cache[key]

    def kept_as_text(self, fmt):
        """``fmt`` with the keep-as-text flag (``quotePrefix``) added."""
        key = self._keys.get(id(fmt)) if fmt is not None else ()
        if key is None:  # a format made elsewhere: the body style, kept as text
            key = ()
        props = dict(key)
        if props.get("quote_prefix"):
            return fmt
        return self(**props, quote_prefix=True)

    def cell(self, **props):
        return self(border=1, text_wrap=True, **props)

    def text(self, wrap: bool = False, **props):
        """A bordered text cell: left-aligned with a small indent, wrapped only when asked."""
        return self(border=1, text_wrap=wrap, align="left", indent=1, **props)

    def number(self, num_format: str = "General", **props):
        """A bordered number cell: right-aligned with a small indent, clear of its neighbours."""
        return self(border=1, align="right", indent=1, num_format=num_format, **props)

    def header(self):
        return self(border=1, bold=True, align="center", text_wrap=True, font_name=HEAD_FONT,
                    bg_color="#D9E1F2")

    def title(self):
        return self(bold=True, font_size=16, align="center", font_name=HEAD_FONT)


class TextSafeWorksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet whose every text cell that looks like a formula keeps the keep-as-text flag.

    ``write``, ``write_row`` and ``write_string`` all end in ``_write_string``: the one seam."""

    styles: Styles

    def _write_string(self, row, col, string, cell_format=None):
        if needs_keep_as_text(string):
            cell_format = self.styles.kept_as_text(cell_format)
        return super()._write_string(row, col, string, cell_format)


def status_formats(book: xlsxwriter.Workbook, sheet, rng: str) -> None:
    """The five status colours as conditional formats on ``rng`` (so edits re-colour)."""
    for status, (fill, font) in STATUS_COLOURS.items():
        fmt = book.add_format({"bg_color": fill, "font_color": font, "bold": True})
        sheet.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{status}"',
                                       "format": fmt})


MARGIN_INCHES = 0.4
PRINT_SLACK = 0.92
"""Share of the printable width a scaled page may fill: LibreOffice's substitute fonts print
columns a little wider than Excel's measure."""


def setup_print(sheet, figures: Figures, header_rows: tuple[int, int], landscape: bool = True,
                fit: bool = True) -> None:
    """A4 (landscape), fit to width unless ``fit`` is false, repeated header rows, unit and page
    number in the footer."""
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)
    if fit:
        sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(*header_rows)
    sheet.set_margins(left=MARGIN_INCHES, right=MARGIN_INCHES, top=0.6, bottom=0.6)
    unit = text(figures.plan.lead_unit or figures.plan.issuer).replace("&", "&&")
    sheet.set_footer(f"&L编制单位：{unit}&C第 &P 页，共 &N 页&R&A　{figures.period.label}")


def print_across(sheet, widths: list[float], breaks: list[int], repeat: int = 0) -> int:
    """Print a wide sheet on landscape A4 several pages across: a page break before each column in
    ``breaks``, the first ``repeat`` columns again on every page, pages in reading order (across,
    then down), one scale that fits the widest page. Returns the scale (percent)."""
    edges = [0, *breaks, len(widths)]
    pages = [widths[a:b] if a == 0 else widths[:repeat] + widths[a:b] for a, b in zip(edges, edges[1:])]
    if repeat:
        sheet.repeat_columns(0, repeat - 1)
    sheet.print_across()
    room = (A4_INCHES[1] - 2 * MARGIN_INCHES) * 72 * PRINT_SLACK
    widest = max(sum(column_points(w, padded=True) for w in page) for page in pages)  # set_column adds padding
    scale = max(10, min(100, int(100 * room / widest)))
    sheet.set_print_scale(scale)
    sheet.set_v_pagebreaks(breaks)
    return scale


def number_format(values, percent_unit: bool, op: str = ">=") -> str:
    if percent_unit:
        fmt = "0.00"
    elif all(float(v).is_integer() for v in values if v is not None):
        fmt = "#,##0"
    else:
        fmt = "#,##0.00"
    prefix = {">": "＞", "<=": "≤", "<": "＜"}.get(op)
    return f'"{prefix}"{fmt}' if prefix else fmt


def as_shown(value, num_format: str = "General") -> str:
    """``value`` as a cell with ``num_format`` shows it (the formats this workbook uses:
    ``0``, ``0.0``, ``#,##0.00``, ``0.0%``, a quoted prefix such as ``"＞"#,##0``, ``General``)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "" if value is None else str(value)
    prefix = ""
    if num_format.startswith('"'):
        prefix, num_format = num_format[1:].split('"', 1)
    if num_format == "General":
        return prefix + (f"{value:.10g}" if not float(value).is_integer() else str(int(value)))
    percent = num_format.endswith("%")
    body = num_format.rstrip("%")
    digits = len(body.split(".", 1)[1]) if "." in body else 0
    shown = value * 100 if percent else value
    return prefix + f"{shown:{',' if ',' in body else ''}.{digits}f}" + ("%" if percent else "")


def number_width(values, num_format: str = "General", low: float = 0, indent: int = 1) -> float:
    """The width showing every one of ``values`` in ``num_format`` without ``###`` in any font, at least ``low``."""
    return max(low, shown_width([as_shown(v, num_format) for v in values], indent=indent))


def title_block(sheet, st: Styles, title: str, subtitle: str, width: int, wrap_at: float | None = None) -> None:
    """Title and subtitle rows over ``width`` columns; with ``wrap_at`` (the columns' total width)
    a long title wraps and its row grows to show it."""
    title_fmt = st.title() if wrap_at is None else st(bold=True, font_size=16, align="center",
                                                       font_name=HEAD_FONT, text_wrap=True)
    if wrap_at is not None:  # a long title breaks after a closing bracket, never mid-word
        title = title_lines(title, wrap_at)
    for row, value, fmt in ((0, title, title_fmt), (1, subtitle, st(align="left"))):
        if width > 1:
            sheet.merge_range(row, 0, row, width - 1, "", fmt)
        sheet.write_string(row, 0, text(value), fmt)
    sheet.set_row(0, 30 if wrap_at is None else max(30, fit_height(title, wrap_at, 16)))


def wrapped_rows(sheet, st: Styles, row: int, lines: list[str], width: int, total_chars: float) -> int:
    """Write each line in a merged, wrapped row (a line too long for one row over several); return
    the next free row."""
    fmt = st(text_wrap=True, align="left", valign="top")
    for line in (piece for line in lines for piece in row_pieces(line, total_chars)):
        sheet.merge_range(row, 0, row, width - 1, "", fmt)
        sheet.write_string(row, 0, text(line), fmt)
        sheet.set_row(row, fit_height(line, total_chars))
        row += 1
    return row


UNIT_WIDTH = 16
"""The widest a one-line 单位 column grows: room for 微克/立方米 or 万吨标准煤 whole."""


def column_widths(heads: list[str], rows: list[list], widths: list) -> list[float]:
    """``widths`` with each ``(low, high)`` replaced by the width fitting that column's text."""
    return [fit_width([h, *(r[i] for r in rows)], *w) if isinstance(w, tuple) else w
            for i, (h, w) in enumerate(zip(heads, widths))]


def table(book, st: Styles, name: str, title: str, heads: list[str], rows: list[list], widths: list,
          data: ReportData, formats: dict[int, str | list[str]] | None = None, wrap: tuple[int, ...] = (),
          fit: bool = True, title_columns: int | None = None):
    """A titled sheet with one filtered, frozen table; returns (sheet, first data row, last row).

    ``title_columns``: the title and subtitle span only these first columns — the first page's,
    for a table printed several pages across (:func:`print_across`), so the title prints whole
    on page one instead of being cut at the page break.

    ``widths`` holds a width per column, or ``(low, high)`` to fit the column's text on one
    line within those bounds. ``formats`` gives a column's number format, or a list of one per
    row. Only the ``wrap`` columns wrap (each row is made tall enough);
    any other text, file paths above all, stays on one line. Numbers are right-aligned and
    text left-aligned, each with a small indent so neighbouring cells never run together.
    """
    sheet = book.add_worksheet(name)
    widths = column_widths(heads, rows, widths)
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    spanned = title_columns or len(heads)
    title_block(sheet, st, title, f"统计期间：{data.figures.period.label}；生成时间："
                f"{data.generated_at:%Y-%m-%d %H:%M}", spanned, wrap_at=sum(widths[:spanned]))
    sheet.write_row(2, 0, heads, st.header())
    sheet.set_row(2, max(fit_height(h, w) for h, w in zip(heads, widths)))
    formats = formats or {}
    one_line = fit_height("", 1)
    for r, values in enumerate(rows, 3):
        for c, value in enumerate(values):
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            num_format = formats.get(c, "General")
            if isinstance(num_format, list):
                num_format = num_format[r - 3]
            fmt = st.number(num_format) if number else st.text(wrap=c in wrap)
            put(sheet, r, c, value, fmt)
        # every row as tall as the text model's line (a one-line row left at the default 15 pt
        # prints its CJK text touching the borders, beside the taller wrapped rows)
        sheet.set_row(r, max([one_line, *(fit_height(str(values[c]), widths[c])
                                          for c in wrap if values[c] not in (None, ""))]))
    last = max(3, 2 + len(rows))
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, last, len(heads) - 1)
    setup_print(sheet, data.figures, (2, 2), fit=fit)
    return sheet, 3, last
