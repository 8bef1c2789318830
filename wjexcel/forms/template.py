"""The form template (templates/report_template.xlsx): its version, its style cells, its placeholders.

A clerk restyles forms by editing the template in Excel or WPS (docs/template.md); the
generator reads the template's named style cells (``wjx_*``) and applies them, and fills
its ``{占位符}`` texts."""

from __future__ import annotations

import hashlib
import re
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Protection

from wjexcel.errors import WjexcelError
from wjexcel.forms import layout as L

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


# --- the template ------------------------------------------------------------------------------
def template_version(wb=None, path: Path | None = None) -> str:
    """The template's declared version plus a digest of its bytes (``2-3f2a9c10``)."""
    path = path or L.template_path()
    wb = wb if wb is not None else load_workbook(path)
    declared = "0"
    name = wb.defined_names.get(L.TEMPLATE_VERSION_NAME)
    if name is not None:
        declared = name.attr_text.strip('"') or "0"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{declared}-{digest}"


def fill_placeholders(text, values: dict[str, str]):
    """Replace each known ``{占位符}`` in ``text``; anything else is left as typed."""
    if not isinstance(text, str) or "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_header_footer(ws, values: dict[str, str]) -> None:
    """Replace placeholders in every header and footer text of ``ws``."""
    for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
        for part in (hf.left, hf.center, hf.right):
            if part.text:
                part.text = fill_placeholders(part.text, values)


@dataclass(frozen=True)
class Style:
    """A style cell of the template, applied to generated cells."""

    font: object
    fill: object
    border: object
    alignment: object
    number_format: str

    def apply(self, cell, *, locked: bool = True) -> None:
        cell.font = copy(self.font)
        cell.fill = copy(self.fill)
        cell.border = copy(self.border)
        cell.alignment = copy(self.alignment)
        cell.number_format = self.number_format
        cell.protection = Protection(locked=locked)


def named_cell(wb, key: str) -> tuple[str, str]:
    """The (sheet, coordinate) a template name points at; a Chinese error if it is missing."""
    name = wb.defined_names.get(key)
    if name is None:
        raise WjexcelError(
            f"填报表模板缺少名称“{key}”（{L.STYLE_NAMES.get(key, key)}），请按 docs/template.md 修复模板，"
            "或运行 python scripts/make_template.py 重新生成。"
        )
    sheet, ref = next(iter(name.destinations))
    return sheet, ref.replace("$", "")


def read_styles(wb) -> dict[str, Style]:
    """Every style cell the template names (``L.STYLE_NAMES``)."""
    styles = {}
    for key in L.STYLE_NAMES:
        sheet, ref = named_cell(wb, key)
        cell = wb[sheet][ref]
        styles[key] = Style(copy(cell.font), copy(cell.fill), copy(cell.border), copy(cell.alignment),
                            cell.number_format)
    return styles
