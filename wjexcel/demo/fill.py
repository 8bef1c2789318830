"""Fill a generated form the way a person would, using only what a person sees.

The demo and the tests use this. It finds cells exactly as docs/规格说明.md §7 promises other
programs: an indicator's value cell is the first unlocked cell in the row showing the
indicator's name on 指标填报, the next unlocked cell in that row is its 情况说明, and each
signature label has an unlocked cell to its right. It never reads the hidden metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wjexcel.forms import layout as L

FORM_SHEET = L.MAIN_SHEET
# The labels a person reads on the form (the generator prints the same ones).
SIGNATURE_LABELS = tuple(label for _, label in L.SIGNATURE_FIELDS)


@dataclass(frozen=True)
class InputCells:
    """Where a person types an indicator's value and its remark."""

    value: str
    remark: str | None


def _unlocked(cell) -> bool:
    return cell.protection is not None and cell.protection.locked is False


def find_inputs(ws, names: list[str]) -> dict[str, InputCells]:
    """Map each indicator name to its input cells on the 指标填报 sheet."""
    wanted = {n.strip(): n for n in names}
    found: dict[str, InputCells] = {}
    for row in ws.iter_rows():
        texts = [str(c.value).strip() for c in row if isinstance(c.value, str)]
        hit = next((wanted[t] for t in texts if t in wanted), None)
        if hit is None or hit in found:
            continue
        unlocked = [c for c in row if _unlocked(c)]
        if unlocked:
            found[hit] = InputCells(unlocked[0].coordinate, unlocked[1].coordinate if len(unlocked) > 1 else None)
    return found


def find_signature_cells(ws) -> dict[str, str]:
    """Map each signature label (填报人 …) to the unlocked cell right of it."""
    out: dict[str, str] = {}
    for row in ws.iter_rows():
        for i, c in enumerate(row):
            label = str(c.value).strip().rstrip("：:") if isinstance(c.value, str) else ""
            if label in SIGNATURE_LABELS and label not in out:
                right = next((x for x in row[i + 1:] if _unlocked(x)), None)
                if right is not None:
                    out[label] = right.coordinate
    return out


def fill_form(src: Path, dest: Path, values: dict, *, remarks: dict | None = None,
              signer: dict | None = None, names: dict | None = None, details: dict | None = None) -> Path:
    """Write a filled copy of form ``src`` to ``dest``.

    ``values`` maps indicator names (or codes, with ``names`` mapping code → name) to
    what the person types: a number, or text such as ``'1,200'`` or ``'约12'``.
    ``details`` maps a detail sheet name to a list of rows (lists of cell values) typed
    from the first unlocked row down.
    """
    from openpyxl import load_workbook

    names = names or {}
    wb = load_workbook(src)
    ws = wb[FORM_SHEET]
    by_name = {names.get(k, k): v for k, v in values.items()}
    remark_by_name = {names.get(k, k): v for k, v in (remarks or {}).items()}
    cells = find_inputs(ws, list(by_name) + list(remark_by_name))
    for name, value in by_name.items():
        if name in cells and value is not None:
            ws[cells[name].value] = value
    for name, text in remark_by_name.items():
        if name in cells and cells[name].remark:
            c = ws[cells[name].remark]
            c.value = text
            c.data_type = "s"  # a remark is text even when it starts with "="
    sig = find_signature_cells(ws)
    for label, value in (signer or {}).items():
        if label in sig:
            ws[sig[label]] = value
    for sheet_name, rows in (details or {}).items():
        if sheet_name not in wb.sheetnames:
            continue
        sh = wb[sheet_name]
        start = next((r[0].row for r in sh.iter_rows() if any(_unlocked(c) for c in r)), None)
        if start is None:
            continue
        first_col = next(c.column for c in sh[start] if _unlocked(c))
        for i, row_values in enumerate(rows):
            for j, v in enumerate(row_values):
                cell = sh.cell(row=start + i, column=first_col + j)
                cell.value = v
                if isinstance(v, str):
                    cell.data_type = "s"
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest
