"""Render the user guide's pictures (docs/images/*.png) from a fresh demo workspace.

Run ``python scripts/screenshots.py`` and commit the PNGs. Nothing is drawn by hand:

1. ``wjexcel.demo.run.run_demo`` runs the whole demo cycle in a temporary folder;
2. for every picture, the workbook is copied and, in the copy only, every sheet except the
   one to show is hidden (an edit of ``xl/workbook.xml``; cells, styles, conditional
   formats and print settings stay exactly as written), so LibreOffice prints just that sheet;
3. one headless LibreOffice start (``wjexcel.collect.office.convert``) turns all copies into PDF;
4. ``pdftoppm`` renders the wanted page, cropped to the printed content (found on a
   low-resolution grey render, without the page header and footer);
5. the demo's 进展情况报告.docx is printed by LibreOffice Writer and its first page kept whole
   (``report-document.png``).

Needs LibreOffice (Calc and Writer) and poppler-utils (``pdftoppm``). The demo's real outputs are never changed.
Pictures carry the date the script ran (the demo prints generation dates), so a re-run on
another day changes the PNG bytes but not their names.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wjexcel.demo.run import DEMO_PERIOD, run_demo  # noqa: E402
from wjexcel.collect.office import convert  # noqa: E402

IMAGES = ROOT / "docs" / "images"
PT_PER_INCH = 72.0
PROBE_DPI = 40  # grey render used only to find where the printed content is
PAD_PT = 6.0  # white border kept around the content
MAX_BYTES = 400_000


@dataclass(frozen=True)
class Shot:
    """One picture: which workbook, which sheet, which page and how to crop it."""

    name: str  # output file name, without .png
    source: str  # key into the demo's files (see demo_files)
    sheet: str
    dpi: int
    page: int = 1
    max_height_pt: float | None = None  # keep only the top of a tall page
    landscape: bool = False  # print the copy in landscape (see the 进展简报 note below)


SHOTS = [
    Shot("form-indicators", "form", "指标填报", dpi=110),
    Shot("form-instructions", "form", "填报说明", dpi=100),
    Shot("return-opinions", "return", "退回意见", dpi=130),
    Shot("return-marked", "return", "指标填报", dpi=110),
    Shot("report-overview", "report", "概览", dpi=110),
    Shot("report-tasks", "report", "任务分解表", dpi=140),
    Shot("report-supervision", "report", "督办清单", dpi=130),
    Shot("report-trends", "report", "趋势", dpi=120),
    Shot("report-plan-period", "report", "计划期考核", dpi=120),
    Shot("report-towns", "report", "区镇进度", dpi=150),
    Shot("report-submissions", "report", "报送情况", dpi=110),
    # Printed in portrait, column A of 进展简报 is wider than the page and LibreOffice cuts
    # the text at the right edge; in landscape the copy shows the sheet as Excel shows it.
    Shot("report-briefing", "report", "进展简报", dpi=100, landscape=True),
    Shot("console", "console", "一键汇总", dpi=110),
]
DOCUMENT_SHOT = "report-document"  # the first page of the 进展情况报告.docx, whole (LibreOffice Writer)
DOCUMENT_DPI = 80


def demo_files(root: Path, report: Path) -> dict[str, Path]:
    """The demo outputs the pictures are taken from."""
    form = next((root / "分发" / DEMO_PERIOD).glob(f"{DEMO_PERIOD}_七都镇_*.xlsx"))
    returned = next((root / "汇总" / "退回" / DEMO_PERIOD).glob("*震泽镇*_退回.xlsx"))
    return {"form": form, "return": returned, "report": report, "console": root / "控制台.xlsm"}


# --- a copy of a workbook that prints one sheet -------------------------------------------

SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\s[^>]*?/>")


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return html.unescape(m.group(1)) if m else None


def _set_attr(tag: str, name: str, value: str) -> str:
    if re.search(rf'\s{name}="[^"]*"', tag):
        return re.sub(rf'(\s{name}=)"[^"]*"', rf'\1"{value}"', tag, count=1)
    return re.sub(r"\s*/>$", f' {name}="{value}"/>', tag)


def _sheet_part(names: dict[str, bytes], rel_id: str) -> str:
    """The zip member of the worksheet with relationship ``rel_id``."""
    rels = names["xl/_rels/workbook.xml.rels"].decode("utf-8")
    for rel in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels):
        if _attr(rel, "Id") == rel_id:
            target = _attr(rel, "Target")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    raise KeyError(rel_id)


def single_sheet_copy(src: Path, dst: Path, sheet: str, *, landscape: bool = False) -> tuple[float, float]:
    """Copy ``src`` to ``dst`` with only ``sheet`` visible (and active).

    Returns the sheet's top and bottom page margins in points (where the header and
    footer are printed), for cropping.
    """
    with zipfile.ZipFile(src) as zin:
        infos = zin.infolist()
        data = {i.filename: zin.read(i.filename) for i in infos}
    book = data["xl/workbook.xml"].decode("utf-8")
    tags = SHEET_TAG.findall(book)
    names = [_attr(t, "name") for t in tags]
    if sheet not in names:
        raise SystemExit(f"{src.name}: no sheet {sheet!r} (has {names})")
    target_index = names.index(sheet)
    part = None
    for i, tag in enumerate(tags):
        if i == target_index:
            new = _set_attr(tag, "state", "visible")
            part = _sheet_part(data, _attr(tag, "r:id"))
        elif _attr(tag, "state") == "veryHidden":
            new = tag
        else:
            new = _set_attr(tag, "state", "hidden")
        book = book.replace(tag, new, 1)
    book = re.sub(r'(<(?:\w+:)?workbookView\b[^>]*?\sactiveTab=)"\d+"', rf'\1"{target_index}"', book)
    if not re.search(r"<(?:\w+:)?workbookView\b[^>]*\sactiveTab=", book):
        book = re.sub(r"(<(?:\w+:)?workbookView\b)", rf'\1 activeTab="{target_index}"', book, count=1)
    book = re.sub(r'(<(?:\w+:)?workbookView\b[^>]*?\sfirstSheet=)"\d+"', r'\1"0"', book)
    # LibreOffice prints a hidden sheet that has a print area: drop the others' print areas.
    book = re.sub(r'<(?:\w+:)?definedName\b[^>]*name="_xlnm\.Print_Area"[^>]*localSheetId="(\d+)"[^>]*>.*?'
                  r'</(?:\w+:)?definedName>',
                  lambda m: m.group(0) if int(m.group(1)) == target_index else "", book)
    data["xl/workbook.xml"] = book.encode("utf-8")

    sheet_xml = data[part].decode("utf-8")
    for other_part in {_sheet_part(data, _attr(t, "r:id")) for t in tags} - {part}:
        data[other_part] = data[other_part].replace(b'tabSelected="1"', b'tabSelected="0"')
    if landscape:
        sheet_xml = sheet_xml.replace('orientation="portrait"', 'orientation="landscape"')
    data[part] = sheet_xml.encode("utf-8")
    margins = re.search(r"<(?:\w+:)?pageMargins\s[^>]*>", sheet_xml)
    top = float(_attr(margins.group(0), "top") or 0.75) if margins else 0.75
    bottom = float(_attr(margins.group(0), "bottom") or 0.75) if margins else 0.75

    with zipfile.ZipFile(dst, "w") as zout:
        for info in infos:
            zout.writestr(info, data[info.filename])
    return top * PT_PER_INCH, bottom * PT_PER_INCH


# --- PDF page -> cropped PNG --------------------------------------------------------------

def _pdftoppm(pdf: Path, page: int, dpi: int, out_stem: Path, *extra: str) -> None:
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-singlefile",
                    *extra, str(pdf), str(out_stem)], check=True, capture_output=True)


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    raw = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval
        while raw[pos:pos + 1].isspace():
            pos += 1
        if raw[pos:pos + 1] == b"#":
            pos = raw.index(b"\n", pos) + 1
            continue
        end = pos
        while not raw[end:end + 1].isspace():
            end += 1
        fields.append(raw[pos:end])
        pos = end
    if fields[0] != b"P5":
        raise ValueError(f"{path}: not a binary PGM")
    return int(fields[1]), int(fields[2]), raw[pos + 1:]


def content_box(pdf: Path, page: int, top_pt: float, bottom_pt: float, work: Path) -> tuple[float, float, float, float]:
    """(x, y, width, height) in points of what is printed between header and footer."""
    stem = work / f"{pdf.stem}-probe"
    _pdftoppm(pdf, page, PROBE_DPI, stem, "-gray")
    width, height, pixels = _read_pgm(stem.with_suffix(".pgm"))
    scale = PT_PER_INCH / PROBE_DPI
    first_row = int(top_pt / scale)
    last_row = height - int(bottom_pt / scale)
    x0, y0, x1, y1 = width, height, -1, -1
    for y in range(first_row, last_row):
        row = pixels[y * width:(y + 1) * width]
        ink = [x for x, v in enumerate(row) if v < 235]
        if ink:
            x0, x1 = min(x0, ink[0]), max(x1, ink[-1])
            y0, y1 = min(y0, y), max(y1, y)
    if x1 < 0:
        raise SystemExit(f"{pdf.name}: page {page} is blank")
    return x0 * scale, y0 * scale, (x1 + 1 - x0) * scale, (y1 + 1 - y0) * scale


def render(pdf: Path, shot: Shot, margins: tuple[float, float], work: Path) -> Path:
    x, y, w, h = content_box(pdf, shot.page, *margins, work)
    if shot.max_height_pt:
        h = min(h, shot.max_height_pt)
    x, y, w, h = x - PAD_PT, y - PAD_PT, w + 2 * PAD_PT, h + 2 * PAD_PT
    px = shot.dpi / PT_PER_INCH
    stem = work / shot.name
    _pdftoppm(pdf, shot.page, shot.dpi, stem, "-png",
              "-x", str(max(0, round(x * px))), "-y", str(max(0, round(y * px))),
              "-W", str(round(w * px)), "-H", str(round(h * px)))
    return stem.with_suffix(".png")


def document_page(document: Path, work: Path) -> Path:
    """The first page of the 进展情况报告 as LibreOffice Writer prints it, the whole A4 page."""
    [pdf] = convert([document], "pdf:writer_pdf_Export", work / "pdf_document")
    stem = work / DOCUMENT_SHOT
    _pdftoppm(pdf, 1, DOCUMENT_DPI, stem, "-png")
    out = IMAGES / f"{DOCUMENT_SHOT}.png"
    shutil.copyfile(stem.with_suffix(".png"), out)
    return out


def main() -> int:
    for tool in ("pdftoppm",):
        if shutil.which(tool) is None:
            print(f"{tool} not found (install poppler-utils)", file=sys.stderr)
            return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wjx_shots_") as tmp:
        tmp = Path(tmp)
        demo = run_demo(tmp / "演示")
        files = demo_files(demo.root, demo.run.report_path)
        copies, margins = [], {}
        for shot in SHOTS:
            src = files[shot.source]
            copy = tmp / "copies" / f"{shot.name}{src.suffix}"
            copy.parent.mkdir(exist_ok=True)
            margins[shot.name] = single_sheet_copy(src, copy, shot.sheet, landscape=shot.landscape)
            copies.append(copy)
        pdfs = convert(copies, "pdf", tmp / "pdf")
        written = []
        for shot, pdf in zip(SHOTS, pdfs):
            png = render(pdf, shot, margins[shot.name], tmp)
            out = IMAGES / f"{shot.name}.png"
            shutil.copyfile(png, out)
            written.append(out)
        written.append(document_page(demo.run.consolidated.document, tmp))
    too_big = []
    for out in written:
        size = out.stat().st_size
        print(f"{out.relative_to(ROOT)}  {size // 1024} KB")
        if size > MAX_BYTES:
            too_big.append(out.name)
    if too_big:
        print(f"too large (> {MAX_BYTES // 1000} KB): {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
