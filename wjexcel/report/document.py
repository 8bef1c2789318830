"""The 进展情况报告.docx: the written report laid out after GB/T 9704-2012 (党政机关公文格式).

A4; margins 37 / 28 / 35 / 26 mm (top, left, bottom, right); title 2号 (22 pt) 方正小标宋简体;
body 3号 (16 pt) 仿宋_GB2312; headings 黑体 (一、) and 楷体_GB2312 (（一）); a fixed line of
28.95 pt (22 lines on the page); page numbers 4号 宋体 “— 1 —”, odd pages right and even pages
left, one character in from the edge, from a PAGE field. The 附件 (任务分解表) follows on a
landscape page. The words are :mod:`wjexcel.report.document_text`.

Word and WPS take a run's Chinese font from ``w:eastAsia``, which python-docx never sets: every
style and every run here carries all four ``w:rFonts`` names, and the font table names the
fallback (``w:altName``: 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) for a PC
without the GB2312 fonts. Text from returned forms is only ever a run's text, so ``=`` or
``<&>`` in a remark stays what it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from wjexcel.atomic import verify_zip
from wjexcel.report.cells import STATUS_COLOURS
from wjexcel.report.data import ReportData
from wjexcel.report.document_text import BODY, DATE, H1, H2, NOTE, SIGNATURE, TO, TODO, Outline, outline
from wjexcel.report.workbook import WriteOutcome, write_or_beside
from wjexcel.values import clean_text

FANGSONG, KAITI, HEITI, TITLE_FONT, SONGTI = "仿宋_GB2312", "楷体_GB2312", "黑体", "方正小标宋简体", "宋体"
FALLBACK = {FANGSONG: "仿宋", KAITI: "楷体", TITLE_FONT: "宋体"}
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, TABLE_PT = 16, 22, 14, 10.5
LINE_TWIPS = 579
"""28.95 pt: 22 lines fill the 225 mm type area, as GB/T 9704 asks."""
TITLE_LINE_PT = 35
TABLE_LINE_PT = 15
MARGINS_MM = {"top": 37, "left": 28, "bottom": 35, "right": 26}
LANDSCAPE_MARGINS_MM = {"top": 28, "left": 25, "bottom": 28, "right": 25}
FOOTER_MM = 23  # the page number's line sits about 7 mm below the type area
TODO_FILL = "D9D9D9"
WRITER = "wjexcel"
"""The document's last-modified-by as written: any other name means the clerk has saved it since."""
TABLE_WIDTHS_MM = [12, 52, 19, 19, 23, 18, 18, 19, 19, 48]
"""247 mm, the landscape type area; each head on one line at 10.5 pt (3.7 mm a character, 3.8 mm of cell margins)."""
_TODO = re.compile(r"(【请补充[^】]*】)")

STYLE_IDS = {"公文正文": "wjxBody", "公文标题": "wjxTitle", "主送机关": "wjxAddressee", "一级标题": "wjxHeading1",
             "二级标题": "wjxHeading2", "附件说明": "wjxAttachmentNote", "署名": "wjxSignature",
             "附件标识": "wjxAttachmentMark", "表格文字": "wjxTableText", "表头": "wjxTableHead", "页码": "wjxPageNumber"}
"""ASCII style ids (the names the clerk sees stay Chinese)."""
STYLES = {  # name: (font, size pt, alignment, first-line indent in characters, line, bold)
    "公文正文": (FANGSONG, BODY_PT, "justify", 2, LINE_TWIPS, False),
    "公文标题": (TITLE_FONT, TITLE_PT, "center", 0, TITLE_LINE_PT * 20, False),
    "主送机关": (FANGSONG, BODY_PT, "justify", 0, LINE_TWIPS, False),
    "一级标题": (HEITI, BODY_PT, "justify", 2, LINE_TWIPS, False),
    "二级标题": (KAITI, BODY_PT, "justify", 2, LINE_TWIPS, False),
    "附件说明": (FANGSONG, BODY_PT, "justify", -3, LINE_TWIPS, False),  # hanging: a second line under the name
    "署名": (FANGSONG, BODY_PT, "right", 0, LINE_TWIPS, False),
    "附件标识": (HEITI, BODY_PT, "left", 0, LINE_TWIPS, False),
    "表格文字": (FANGSONG, TABLE_PT, "center", 0, TABLE_LINE_PT * 20, False),
    "表头": (HEITI, TABLE_PT, "center", 0, TABLE_LINE_PT * 20, False),
    "页码": (SONGTI, PAGE_NUMBER_PT, "right", 0, None, False),
}
KIND_STYLE = {TO: "主送机关", BODY: "公文正文", H1: "一级标题", H2: "二级标题", NOTE: "附件说明", SIGNATURE: "署名",
              DATE: "署名"}
OUTLINE_LEVEL = {"一级标题": 0, "二级标题": 1}


def _fonts(rpr, name: str) -> None:
    """Set every font slot (``ascii``, ``hAnsi``, ``eastAsia``, ``cs``) of ``rpr`` to ``name``."""
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def _size(rpr, pt: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(int(round(pt * 2))))


def _defaults(doc) -> None:
    """docDefaults: 仿宋 3号, Chinese language (line breaking), no spacing; a 宋体 fallback everywhere."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, FANGSONG)
    _size(rpr, BODY_PT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    for attr in list(spacing.attrib):
        del spacing.attrib[attr]
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = Pt(BODY_PT)


def _add_styles(doc) -> None:
    """The paragraph styles of the report, each with its fonts, size, alignment, indent and line."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    align = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
             "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    for name, (font, size, alignment, indent, line, bold) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = STYLE_IDS[name]
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
        _fonts(style.element.get_or_add_rPr(), font)
        style.font.size = Pt(size)
        style.font.bold = bold
        fmt = style.paragraph_format
        fmt.alignment = align[alignment]
        fmt.first_line_indent = Pt(size * indent) if indent else Pt(0)
        if indent < 0:  # 附件说明: two characters in, the name's second line under its first character
            fmt.left_indent = Pt(size * (2 - indent))
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False
        if line is not None:
            fmt.line_spacing = Twips(line)  # a length: the rule becomes “exactly”
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if name in OUTLINE_LEVEL:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(OUTLINE_LEVEL[name]))
            style.element.get_or_add_pPr().append(level)


def _font_table(doc) -> None:
    """Name each GB2312 font's fallback (``w:altName``) in the font table, for a PC without it."""
    from docx.oxml import parse_xml
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    w = root.nsmap.get("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
    known = {el.get(f"{{{w}}}name") for el in root}
    for name in (FANGSONG, KAITI, HEITI, TITLE_FONT, SONGTI):
        if name in known:
            continue
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        if name in FALLBACK:
            etree.SubElement(font, f"{{{w}}}altName").set(f"{{{w}}}val", FALLBACK[name])
        etree.SubElement(font, f"{{{w}}}charset").set(f"{{{w}}}val", "86")  # GB2312
        etree.SubElement(font, f"{{{w}}}family").set(f"{{{w}}}val", "auto")
        etree.SubElement(font, f"{{{w}}}pitch").set(f"{{{w}}}val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text: str, font: str, size: float, todo: bool = False, bold: bool = False):
    """A run with its East Asian font set (and a grey ground for a 【请补充】 marker)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(clean_text(text))
    rpr = run._r.get_or_add_rPr()
    _fonts(rpr, font)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if todo:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), TODO_FILL)
        rpr.append(shd)
    return run


def _paragraph(doc_or_cell, style: str, text: str):
    """A paragraph of ``style`` whose runs carry the style's font; 【请补充……】 markers shaded."""
    font, size = STYLES[style][0], STYLES[style][1]
    p = doc_or_cell.add_paragraph()
    p._p.style = STYLE_IDS[style]  # what ``style=`` sets, without python-docx's look-up of the name each time
    for piece in _TODO.split(text):
        if piece:
            _run(p, piece, font, size, todo=piece.startswith(TODO))
    return p


def _page_setup(section, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    margins = LANDSCAPE_MARGINS_MM if landscape else MARGINS_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.footer_distance = Mm(FOOTER_MM if not landscape else 18)
    section.header_distance = Mm(15)


def _page_number(footer, side: str) -> None:
    """“— 1 —” from a PAGE field, 4号 宋体, one character in from ``side``."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if side == "right":
        p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
    _run(p, "— ", SONGTI, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _run(p, "", SONGTI, PAGE_NUMBER_PT)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        else:
            run.text = text
    _run(p, " —", SONGTI, PAGE_NUMBER_PT)


def _signature(doc, signature: str, date: str):
    """署名 and 成文日期: the date two characters in from the right, the name starting two
    characters before the date (GB/T 9704 7.3.5.2), both in whole characters of 3号."""
    from docx.shared import Pt

    def width(text):
        return sum(0.5 if ord(c) < 128 else 1 for c in text)

    date_in = 2.0
    name_in = date_in + width(date) + 2 - width(signature)
    if name_in < 2:
        name_in, date_in = 2.0, 2 + width(signature) - 2 - width(date)
    for text, indent in ((signature, name_in), (date, date_in)):
        p = _paragraph(doc, "署名", text)
        p.paragraph_format.right_indent = Pt(BODY_PT * indent)
        p.paragraph_format.keep_with_next = text == signature
    return p


def _cell_fill(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shd)


def _cell_text(cell, text: str, style: str, align=None) -> None:
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    p = _paragraph(cell, style, text)
    if align is not None:
        p.alignment = align


def _table(doc, out: Outline) -> None:
    """The 任务分解表 as a Word table: a header row repeated on every page, a row per task and per indicator."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=len(out.table_heads))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    head = table.rows[0]
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(head.cells, out.table_heads):
        _cell_text(cell, text, "表头")
        _cell_fill(cell, "#D9E1F2")
    left = {1, 9}
    status_col = out.table_heads.index("状态")
    for row in out.table_rows:
        cells = table.add_row().cells
        cells[0]._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, row, "表头", WD_ALIGN_PARAGRAPH.LEFT)
            continue
        for i, (cell, text) in enumerate(zip(cells, row)):
            _cell_text(cell, text, "表格文字", WD_ALIGN_PARAGRAPH.LEFT if i in left else None)
        colour = STATUS_COLOURS.get(row[status_col])
        if colour:
            _cell_fill(cells[status_col], colour[0])
    grid = table._tbl.tblGrid
    for col, mm in zip(grid.findall(qn("w:gridCol")), TABLE_WIDTHS_MM):
        col.set(qn("w:w"), str(int(Mm(mm).twips)))
    for row in table.rows:
        for cell, mm in zip(row.cells, TABLE_WIDTHS_MM):
            cell.width = Mm(mm)


def build_document(data: ReportData, path: Path) -> None:
    """Write the report for ``data`` to ``path`` (overwriting it)."""
    import docx
    from docx.enum.section import WD_SECTION

    out = outline(data)
    doc = docx.Document()
    _defaults(doc)
    _add_styles(doc)
    _font_table(doc)
    props = doc.core_properties
    props.title = clean_text(out.title)
    props.author = clean_text(data.figures.plan.lead_unit or WRITER)
    props.last_modified_by, props.revision = WRITER, 1
    props.created = props.modified = data.generated_at
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_setup(section)
    _page_number(section.footer, "right")
    _page_number(section.even_page_footer, "left")
    _paragraph(doc, "公文标题", out.title)
    signature = date = None
    previous = _paragraph(doc, "公文正文", "")
    for kind, text in out.paragraphs:
        if kind == SIGNATURE:
            signature = text
        elif kind == DATE:
            date = text
        else:
            p = _paragraph(doc, KIND_STYLE[kind], text)
            if kind == NOTE or (kind == BODY and not text):  # the 正文's last lines, 附件说明 and 署名 together
                for held in (p, previous):
                    held.paragraph_format.keep_with_next = held.paragraph_format.keep_together = True
            previous = p
    last = _signature(doc, signature, date or "") if signature is not None else None
    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    if last is not None:  # the break ends the date's paragraph: no empty line that could spill onto a page
        holder = doc.paragraphs[-1]._p
        last._p.get_or_add_pPr().append(holder.pPr.sectPr)
        holder.getparent().remove(holder)
    _page_setup(landscape, landscape=True)
    _paragraph(doc, "附件标识", "附件")
    _paragraph(doc, "公文正文", "")
    _paragraph(doc, "公文标题", out.attachment_title)
    _paragraph(doc, "公文正文", "")
    _table(doc, out)
    doc.save(str(path))


def verify(path: Path) -> None:
    """Re-open the written document and check it has its title and its table."""
    import docx

    verify_zip(path)
    doc = docx.Document(str(path))
    if not doc.paragraphs or not doc.tables:
        raise OSError("写出的进展情况报告不完整")


def edited(path: Path) -> bool:
    """True when the document at ``path`` was saved by someone since wjexcel wrote it (Word, WPS and
    LibreOffice record who saved last and count the revisions), or cannot be read: the clerk's draft."""
    import docx

    if not path.exists():
        return False
    try:
        props = docx.Document(str(path)).core_properties
    except Exception:  # noqa: BLE001 - a file we cannot read is not ours to overwrite
        return True
    return props.last_modified_by != WRITER or props.revision != 1


def write_document(data: ReportData, target: str | os.PathLike) -> WriteOutcome:
    """Write the report to ``target`` atomically. A target open in Word/WPS, or edited since wjexcel
    wrote it, is left alone: the report then goes to a timestamped sibling (``locked`` = the target).

    Raises:
        OutputLockedError: Neither the target nor a timestamped name could be written.
    """
    return write_or_beside(Path(target), lambda tmp: build_document(data, tmp), verify, keep=edited)
