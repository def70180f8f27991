"""The self-evaluation report as a Word document laid out per GB/T 9704-2012 (党政机关公文格式).

Plain Python over python-docx: takes the report's content (data classes below) and writes a DOCX.
A4; 版心 156 × 225 mm with 天头 37 mm and 订口 28 mm; 22 lines of 28 characters (document grid);
title 2号 方正小标宋简体; body 3号 仿宋_GB2312 with a two-character first-line indent; 一、 黑体,
（一） 楷体_GB2312, 1. and （1） 仿宋; page numbers "— 1 —" in 4号 半角宋体 7 mm below the 版心, odd
pages right and even pages left, one character in; the table attachment in a landscape section,
turned with its head to the left, its page numbers on the portrait pages' foot line (10.4).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from xiezuo.catalogue.loader import Catalogue
from xiezuo.documents import style as cn
from xiezuo.documents.drafting import Draft
from xiezuo.tables.exports import Column

# --- the standard's measures ---------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, LEFT = Mm(37), Mm(28)  # 天头, 订口
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
RIGHT, BOTTOM = Mm(210 - 28 - TEXT_WIDTH_MM), Mm(297 - 37 - TEXT_HEIGHT_MM)
LINES, CHARS = 22, 28
BODY_PT = Decimal(16)  # 3号
TITLE_PT = Decimal(22)  # 2号
PAGE_NUMBER_PT = Decimal(14)  # 4号
TABLE_PT = Decimal("10.5")  # 5号, so the table's label column stays on one or two lines
# 225 mm / 22 lines in twentieths of a point (twips): the grid's line pitch and the exact line height.
LINE_PITCH_TWIPS = int(Decimal(TEXT_HEIGHT_MM) / Decimal("25.4") * 72 * 20 / LINES)
LINE_PT = Decimal(LINE_PITCH_TWIPS) / 20
# Character pitch: 156 mm / 28 characters; Word stores the difference from the default font size
# (16 pt) in 1/4096 pt.
CHAR_PITCH_PT = Decimal(TEXT_WIDTH_MM) / Decimal("25.4") * 72 / CHARS
CHAR_SPACE = int(((CHAR_PITCH_PT - BODY_PT) * 4096).to_integral_value())
PAGE_NUMBER_GAP_MM = 7  # 页码上边缘距版心下边缘

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
BOLD_MARK = re.compile(r"\*\*(.+?)\*\*")


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverData:
    issuer_mark: str
    doc_number: str
    title: str
    recipient: str
    body: str
    signatory: str
    signed_on: dt.date
    signer: str = ""  # 签发人 of an 上行文, on the 发文字号 line
    copies_to: str = ""  # 版记: 抄送机关
    printed_by: str = ""  # 版记: 印发机关
    printed_on: dt.date | None = None  # 版记: 印发日期


@dataclass(frozen=True)
class TableAttachment:
    title: str
    catalogue: Catalogue
    columns: Sequence[Column]
    group_header: str  # the unit over the value columns (白银市 over 会宁县, as 附件1 prints it)


@dataclass(frozen=True)
class CaseData:
    title: str
    text: str


@dataclass
class ReportContent:
    title: str
    intro: str
    draft: Draft
    innovation: str
    problems: str
    table: TableAttachment
    cases_title: str
    cases: list[CaseData] = field(default_factory=list)
    cover: CoverData | None = None
    unit_name: str = ""  # the DOCX's author
    dated: dt.date | None = None  # the DOCX's created date: the 成文日期 when there is one


# --- low-level formatting -------------------------------------------------------------------


class _HasRunProperties(Protocol):
    """A run (w:r) or a style (w:style): both carry run properties (w:rPr)."""

    def get_or_add_rPr(self) -> Any: ...


def _set_fonts(rpr_parent: _HasRunProperties, name: str) -> None:
    """Name the font for every script, East Asian included, and drop theme fonts (which win)."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _run(paragraph: Paragraph, text: str, font: str, size: Decimal, *, bold: bool = False,
         color: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    _set_fonts(run._r, font)
    run.font.size = Pt(float(size))
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _format(paragraph: Paragraph, *, align: int | None = None, first_line_chars: int = 0,
            left_chars: Decimal = Decimal(0), right_chars: Decimal = Decimal(0),
            line_pt: Decimal = LINE_PT, char_pt: Decimal = BODY_PT, keep_next: bool = False) -> None:
    pf = paragraph.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(float(line_pt))
    pf.keep_with_next = keep_next or None
    pf.widow_control = True
    # Indents in characters (firstLineChars etc., hundredths of a character) so Word keeps them
    # at whole characters, plus the equivalent in points for readers that ignore the Chars form.
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if first_line_chars:
        pf.first_line_indent = Pt(float(char_pt * first_line_chars))
        ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    if left_chars:
        pf.left_indent = Pt(float(char_pt * left_chars))
        ind.set(qn("w:leftChars"), str(int(left_chars * 100)))
    if right_chars:
        pf.right_indent = Pt(float(char_pt * right_chars))
        ind.set(qn("w:rightChars"), str(int(right_chars * 100)))


def _para(doc: Any, text: str = "", *, font: str = FANGSONG, size: Decimal = BODY_PT,
          style: str = "公文正文", bold: bool = False, color: RGBColor | None = None, **fmt: Any) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    _format(paragraph, **fmt)
    if size > BODY_PT:
        # A line of 2号 text is taller than one grid line; snapped to the grid it would take two
        # (the title would then push the 落款 of a one-page covering report onto a second page).
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        paragraph._p.get_or_add_pPr().append(snap)
    if text:
        _run(paragraph, text, font, size, bold=bold, color=color)
    assert isinstance(paragraph, Paragraph)
    return paragraph


def _blank(doc: DocxDocument, lines: int = 1) -> None:
    for _ in range(lines):
        _para(doc, "")


def text_width_chars(text: str) -> Decimal:
    """Width in full-width characters: ASCII digits and letters are half a character."""
    return sum((Decimal("0.5") if ord(ch) < 0x2E80 else Decimal(1) for ch in text), Decimal(0))


# --- document setup -----------------------------------------------------------------------


def _add_style(doc: DocxDocument, name: str, font: str, size: Decimal) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _set_fonts(style.element, font)
    style.font.size = Pt(float(size))


def _setup(doc: DocxDocument) -> None:
    # Document defaults: 3号仿宋, no theme fonts, no spacing after paragraphs.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(BODY_PT * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_PITCH_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")
    normal = doc.styles["Normal"]
    _set_fonts(normal.element, FANGSONG)
    normal.font.size = Pt(float(BODY_PT))
    for name, font, size in (
        ("公文正文", FANGSONG, BODY_PT),
        ("发文机关标志", XIAOBIAOSONG, TITLE_PT),
        ("发文字号", FANGSONG, BODY_PT),
        ("公文标题", XIAOBIAOSONG, TITLE_PT),
        ("主送机关", FANGSONG, BODY_PT),
        ("一级标题", HEITI, BODY_PT),
        ("二级标题", KAITI, BODY_PT),
        ("三级标题", FANGSONG, BODY_PT),
        ("附件说明", FANGSONG, BODY_PT),
        ("落款", FANGSONG, BODY_PT),
        ("成文日期", FANGSONG, BODY_PT),
        ("附件标识", HEITI, BODY_PT),
        ("表格文字", FANGSONG, TABLE_PT),
        ("页码", SONGTI, PAGE_NUMBER_PT),
        ("版记", FANGSONG, Decimal(14)),
    ):
        _add_style(doc, name, font, size)
    # Odd and even pages carry different footers (page number right on odd, left on even pages).
    doc.settings.odd_and_even_pages_header_footer = True


def _grid(section: Section, *, lines: bool = True) -> None:
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    if lines:
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    else:
        # The landscape table section has its own, denser lines: no grid there.
        grid.attrib.pop(qn("w:type"), None)
        grid.attrib.pop(qn("w:charSpace"), None)
        grid.set(qn("w:linePitch"), "312")


def _portrait(section: Section) -> None:
    s = section
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = PAGE_WIDTH, PAGE_HEIGHT
    s.top_margin, s.bottom_margin = TOP, BOTTOM
    s.left_margin, s.right_margin = LEFT, RIGHT
    s.gutter = Mm(0)
    s.header_distance = Mm(15)
    s.footer_distance = _footer_distance(BOTTOM)
    _grid(section, lines=True)


def _landscape(section: Section) -> None:
    """The same 版心 turned a quarter to the left (GB/T 9704-2012 10.4): the table's head lies on
    the portrait page's left edge — the 订口 of an odd page, the 切口 of an even one — and its foot
    on the right; the portrait page's bottom edge is the landscape page's left edge, where the page
    number stands (`_landscape_page_numbers`)."""
    s = section
    s.orientation = WD_ORIENT.LANDSCAPE
    s.page_width, s.page_height = PAGE_HEIGHT, PAGE_WIDTH
    s.top_margin, s.bottom_margin = LEFT, RIGHT
    s.left_margin, s.right_margin = BOTTOM, TOP
    s.gutter = Mm(0)
    s.header_distance = Mm(12)
    s.footer_distance = Mm(12)
    _grid(section, lines=False)


def _footer_distance(bottom_margin: Length) -> Length:
    # The number's line is 4号 high; its top edge sits 7 mm below the 版心.
    line_mm = PAGE_NUMBER_PT / 72 * Decimal("25.4")
    return Mm(float(Decimal(bottom_margin.mm) - PAGE_NUMBER_GAP_MM - line_mm))


def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — with a PAGE field, so Word and LibreOffice number every page themselves."""
    _run(paragraph, "— ", SONGTI, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _set_fonts(run._r, SONGTI)
        run.font.size = Pt(float(PAGE_NUMBER_PT))
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    _run(paragraph, " —", SONGTI, PAGE_NUMBER_PT)


def _footers(section: Section) -> None:
    one_char = PAGE_NUMBER_PT
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = "页码"
        inset = Decimal(1)
        _format(paragraph, align=align, line_pt=PAGE_NUMBER_PT, char_pt=one_char,
                right_chars=inset if side == "right" else Decimal(0), left_chars=inset if side == "left" else Decimal(0))
        _page_number(paragraph)


def _clear(part: Any) -> None:
    part.is_linked_to_previous = False
    for paragraph in part.paragraphs:
        for child in list(paragraph._p):
            if child.tag != qn("w:pPr"):
                paragraph._p.remove(child)


def _landscape_page_numbers(section: Section) -> None:
    """Page numbers of a landscape section where the portrait pages have them (GB/T 9704-2012
    10.4): on the portrait page's bottom edge, 7 mm below the 版心, odd pages right and even pages
    left, one character in. On the landscape page that is its left margin, the number written top
    to bottom in a text box anchored to the page (Word and LibreOffice draw it on every page of the
    section; the PAGE field inside keeps counting)."""
    for footer in (section.footer, section.even_page_footer):
        _clear(footer)
    line_mm = PAGE_NUMBER_PT / 72 * Decimal("25.4")
    char_mm = line_mm
    # Landscape coordinates: x from the page's left edge (the portrait page's bottom), y from its top
    # (the portrait page's left edge).
    x_mm = Decimal(BOTTOM.mm) - PAGE_NUMBER_GAP_MM - line_mm
    box_len_mm = Decimal(60)
    text_top, text_bottom = Decimal(LEFT.mm), Decimal(PAGE_WIDTH.mm) - Decimal(RIGHT.mm)
    for number, (header, align, y_mm) in enumerate((
        # odd page: the portrait page's right end of the foot line = the landscape page's lower end
        (section.header, WD_ALIGN_PARAGRAPH.RIGHT, text_bottom - char_mm - box_len_mm),
        # even page: the portrait page's left end = the landscape page's upper end
        (section.even_page_header, WD_ALIGN_PARAGRAPH.LEFT, text_top + char_mm),
    ), start=1):
        _clear(header)
        holder = header.paragraphs[0]
        # The number's paragraph is built in the header with the usual helpers, then moved into the box.
        number_paragraph = header.add_paragraph()
        number_paragraph.style = "页码"
        _format(number_paragraph, align=align, line_pt=PAGE_NUMBER_PT, char_pt=PAGE_NUMBER_PT)
        _page_number(number_paragraph)
        p_xml = number_paragraph._p
        p_xml.getparent().remove(p_xml)
        run = holder.add_run()
        run._r.append(parse_xml(_text_box_xml(number, x_mm, y_mm, line_mm + Decimal(1), box_len_mm)))
        box_content = run._r.find(".//" + qn("w:txbxContent"))
        box_content.append(p_xml)


def _emu(mm: Decimal) -> int:
    return int(mm * 36000)


def _text_box_xml(number: int, x_mm: Decimal, y_mm: Decimal, width_mm: Decimal, height_mm: Decimal) -> str:
    """A borderless text box anchored to the page, its text running top to bottom (vert)."""
    cx, cy = _emu(width_mm), _emu(height_mm)
    ns, x, y, doc_id = nsdecls("w", "wp", "a"), _emu(x_mm), _emu(y_mm), 9000 + number
    return (
        f'<w:drawing {ns} xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{number}" behindDoc="0"'
        ' locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{doc_id}" name="页码{number}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/>'
        f'<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        '<wps:txbx><w:txbxContent/></wps:txbx>'
        '<wps:bodyPr rot="0" vert="vert" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t">'
        '<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
    )


def _after_landscape(section: Section) -> None:
    """A portrait section after the landscape one: its own page-number footers, no text boxes."""
    for header in (section.header, section.even_page_header):
        _clear(header)
    _footers(section)


# --- parts of the document --------------------------------------------------------------


def _rich_runs(paragraph: Paragraph, text: str, font: str = FANGSONG) -> None:
    """Text with **bold** spans (the way users mark 一是… lead sentences)."""
    pos = 0
    for m in BOLD_MARK.finditer(text):
        if m.start() > pos:
            _run(paragraph, text[pos : m.start()], font, BODY_PT)
        _run(paragraph, m.group(1), font, BODY_PT, bold=True)
        pos = m.end()
    if pos < len(text):
        _run(paragraph, text[pos:], font, BODY_PT)


def _heading_split(text: str, pattern: re.Pattern[str]) -> tuple[str, str]:
    """A run-in heading ends at its first full stop; a heading line without one is all heading."""
    stop = text.find("。")
    if stop == -1 or stop > 60:
        return (text, "") if len(text) <= 60 else ("", text)
    return text[: stop + 1], text[stop + 1 :]


def free_text(doc: DocxDocument, text: str) -> None:
    """User-written paragraphs: 一、 lines in 黑体, （一） headings in 楷体, the rest 仿宋."""
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if HEADING1.match(line):
            head, rest = _heading_split(line, HEADING1)
            style, font = "一级标题", HEITI
        elif HEADING2.match(line):
            head, rest = _heading_split(line, HEADING2)
            style, font = "二级标题", KAITI
        else:
            head, rest, style, font = "", line, "公文正文", FANGSONG
        paragraph = _para(doc, style=style, first_line_chars=2)
        if head:
            _run(paragraph, head.replace("**", ""), font, BODY_PT)
        if rest:
            _rich_runs(paragraph, rest)


ISSUER_MARK_TOP_MM = 35  # 发文机关标志上边缘至版心上边缘 (GB/T 9704-2012 7.2.3)
# Where a title or 标志 line may break: around brackets and titles of documents, before 关于.
PHRASE_SPLIT = re.compile(r"(?=[（《])|(?<=[）》])|(?=关于)")
# Words a line never splits (a break inside "报告" or "报送" reads as two words).
UNSPLIT = ("东西部协作", "乡村振兴", "领导小组", "办公室", "自评报告", "工作", "报告", "报送", "年度", "文件")
CLOSING = "）》」』、，。；：！？"


def _allowed_cuts(text: str) -> list[int]:
    """Positions inside `text` where a line may end: not inside a word above, a number, or before closing marks."""
    banned: set[int] = set()
    for word in UNSPLIT:
        start = text.find(word)
        while start != -1:
            banned.update(range(start + 1, start + len(word)))
            start = text.find(word, start + 1)
    for m in re.finditer(r"\d+", text):
        banned.update(range(m.start() + 1, m.end()))
    return [i for i in range(1, len(text)) if i not in banned and text[i] not in CLOSING
            and text[i - 1] not in "（《「『"]


def _cut(text: str, width: Decimal) -> int:
    """The longest head of `text` that fits `width` and ends at an allowed position (0 if none)."""
    fitting = [i for i in _allowed_cuts(text) if text_width_chars(text[:i]) <= width]
    return fitting[-1] if fitting else 0


def phrase_lines(text: str, width: Decimal) -> list[str]:
    """A 标志 or title in lines of at most `width` characters, broken at phrase boundaries.

    Phrases are the runs between brackets, book-title marks and 关于; a phrase longer than a line
    is cut where no word (报告, 报送, 工作, …) or number would be split, and never before a closing
    mark. A short first part of a line is filled from the next phrase (关于报送《…).
    """
    if text_width_chars(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for piece in (p for p in PHRASE_SPLIT.split(text) if p):
        if text_width_chars(current + piece) <= width:
            current += piece
            continue
        if current and text_width_chars(current) < width / 2:
            head = _cut(piece, width - text_width_chars(current))
            if head:
                current, piece = current + piece[:head], piece[head:]
        if current:
            lines.append(current)
            current = ""
        while text_width_chars(piece) > width:
            head = _cut(piece, width) or len(piece)
            lines.append(piece[:head])
            piece = piece[head:]
        current = piece
    if current:
        lines.append(current)
    return lines


def _lines_para(doc: DocxDocument, lines: Sequence[str], *, font: str, size: Decimal, style: str,
                color: RGBColor | None = None, **fmt: Any) -> Paragraph:
    """One centred paragraph whose lines break where `phrase_lines` says (line breaks, not paragraphs)."""
    paragraph = _para(doc, style=style, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, **fmt)
    for i, line in enumerate(lines):
        if i:
            paragraph.runs[-1].add_break()
        _run(paragraph, line, font, size, color=color)
    return paragraph


def _chars_per_line(size: Decimal) -> Decimal:
    return (Decimal(TEXT_WIDTH_MM) / Decimal("25.4") * 72 / size).quantize(Decimal(1), rounding="ROUND_FLOOR")


def _no_snap(paragraph: Paragraph) -> Paragraph:
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)
    return paragraph


def _body_lines(text: str, indent: int = 0) -> int:
    return max(1, math.ceil((text_width_chars(text) + indent) / CHARS))


def _cover(doc: DocxDocument, cover: CoverData) -> None:
    size = TITLE_PT if text_width_chars(cover.issuer_mark) > 16 else Decimal(36)
    mark_lines = phrase_lines(cover.issuer_mark, _chars_per_line(size))
    title_lines = phrase_lines(cover.title, _chars_per_line(TITLE_PT))
    mark_pt = max(LINE_PT, size * Decimal("1.3"))
    body = [ln.strip() for ln in cover.body.splitlines() if ln.strip()]
    # One page: when the 标志 35 mm down, the blank lines the standard asks for, the title, the body,
    # the 署名 and the 成文日期 do not fit, the lines below the red rule are set closer (7.3.5.1
    # allows adjusting line spacing so the date and seal stay with the text).
    fixed = Decimal(ISSUER_MARK_TOP_MM) / Decimal("25.4") * 72 + mark_pt * len(mark_lines) + LINE_PT * 3
    flexible_lines = (2 + len(title_lines) + 1 + _body_lines(cover.recipient)
                      + sum(_body_lines(ln, 2) for ln in body) + SIGNATURE_BLANKS + 2)
    # Less one line and the red rule's own space: LibreOffice and Word round line boxes differently.
    room = Decimal(TEXT_HEIGHT_MM) / Decimal("25.4") * 72 - fixed - LINE_PT - Decimal(12)
    line_pt = min(LINE_PT, (room / flexible_lines).quantize(Decimal("0.5"), rounding="ROUND_FLOOR"))
    tight = line_pt < LINE_PT

    def para(text: str = "", **kw: Any) -> Paragraph:
        paragraph = _para(doc, text, line_pt=line_pt, **kw)
        return _no_snap(paragraph) if tight else paragraph

    mark = _lines_para(doc, mark_lines, font=XIAOBIAOSONG, size=size, style="发文机关标志", color=RED, line_pt=mark_pt)
    # The 标志's top edge 35 mm below the top of the 版心; two blank lines down to the 发文字号.
    mark.paragraph_format.space_before = Mm(ISSUER_MARK_TOP_MM)
    _blank(doc, 2)
    if cover.signer:
        # 上行文: 发文字号 one character in from the left, 签发人 one character in from the right, one line.
        number = _para(doc, style="发文字号", left_chars=Decimal(1))
        _run(number, cover.doc_number, FANGSONG, BODY_PT)
        stop = Pt(float(Decimal(TEXT_WIDTH_MM) / Decimal("25.4") * 72 - BODY_PT))
        number.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
        _run(number, "\t签发人：", FANGSONG, BODY_PT)
        _run(number, cover.signer, KAITI, BODY_PT)
    else:
        number = _para(doc, cover.doc_number, style="发文字号", align=WD_ALIGN_PARAGRAPH.CENTER)
    # The red separator line (版头中的分隔线) 4 mm under the 发文字号, across the 版心.
    p_bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", "FF0000")):
        bottom.set(qn(k), v)
    p_bdr.append(bottom)
    number._p.get_or_add_pPr().append(p_bdr)
    for _ in range(2):
        para()
    title = _lines_para(doc, title_lines, font=XIAOBIAOSONG, size=TITLE_PT, style="公文标题",
                        line_pt=max(line_pt, TITLE_PT + 2))
    if tight:
        _no_snap(title)
    para()
    para(cover.recipient, style="主送机关")
    for line in body:
        _rich_runs(para(style="公文正文", first_line_chars=2), line)
    for _ in range(SIGNATURE_BLANKS):
        para()
    date_text = cn.date_cn(cover.signed_on)
    date_w, sig_w = text_width_chars(date_text), text_width_chars(cover.signatory)
    sig_right = max(Decimal(0), Decimal(4) + (date_w - sig_w) / 2)
    para(cover.signatory, style="落款", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=sig_right)
    para(date_text, style="成文日期", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=Decimal(4))


SIGNATURE_BLANKS = 2  # between the body and the 署名: room for the seal pressing on both


IMPRINT_PT = Decimal(14)  # 4号


def _rule(paragraph: Paragraph, side: str, eighths_pt: int) -> None:
    borders = paragraph._p.get_or_add_pPr().find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        paragraph._p.get_or_add_pPr().append(borders)
    line = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(eighths_pt)), ("w:space", "1"), ("w:color", "000000")):
        line.set(qn(k), v)
    borders.append(line)


def _imprint(doc: DocxDocument, cover: CoverData) -> None:
    """版记 (GB/T 9704-2012 7.4) at the foot of the last page, an even one: 抄送, then 印发机关 and
    印发日期, between a 0.35 mm first and last rule with a 0.25 mm rule between; no page number.

    It is the footer of a last section that starts on an even page, with its foot on the 版心's
    bottom edge: Word and LibreOffice both keep a footer at the bottom of the page.
    """
    section = doc.add_section(WD_SECTION.EVEN_PAGE)
    _portrait(section)
    for header in (section.header, section.even_page_header):
        _clear(header)
    section.footer_distance = BOTTOM
    odd, even = section.footer, section.even_page_footer
    for footer in (odd, even):
        footer.is_linked_to_previous = False
        for paragraph in footer.paragraphs:
            for run in list(paragraph.runs):
                run._r.getparent().remove(run._r)
    holder = even
    rows: list[Paragraph] = []
    first = holder.paragraphs[0]
    if cover.copies_to:
        first.style = doc.styles["版记"]
        _format(first, left_chars=Decimal(1), right_chars=Decimal(1), line_pt=IMPRINT_PT * Decimal("1.6"),
                char_pt=IMPRINT_PT)
        _run(first, f"抄送：{cover.copies_to}。", FANGSONG, IMPRINT_PT)
        rows.append(first)
        printed = holder.add_paragraph(style="版记")
    else:
        printed = first
        printed.style = doc.styles["版记"]
    _format(printed, left_chars=Decimal(1), right_chars=Decimal(1), line_pt=IMPRINT_PT * Decimal("1.6"),
            char_pt=IMPRINT_PT)
    _run(printed, cover.printed_by or cover.signatory, FANGSONG, IMPRINT_PT)
    if cover.printed_on is not None:
        # Right tab at the paragraph's right edge (right indent one character).
        stop = Pt(float(Decimal(TEXT_WIDTH_MM) / Decimal("25.4") * 72 - IMPRINT_PT * 2))
        printed.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
        _run(printed, f"\t{cn.date_cn(cover.printed_on)}印发", FANGSONG, IMPRINT_PT)
    rows.append(printed)
    _rule(rows[0], "top", 8)  # 0.35 mm ≈ 1 pt
    if len(rows) > 1:
        _rule(rows[1], "top", 6)  # 0.25 mm ≈ 0.75 pt
    _rule(rows[-1], "bottom", 8)
    # The section's body holds one empty line; its page shows only the 版记.
    _para(doc, "")


def _tasks(doc: DocxDocument, draft: Draft, heading_number: int) -> None:
    _para(doc, f"{cn.chinese_numeral(heading_number)}、{draft.heading}", font=HEITI, style="一级标题",
          first_line_chars=2, keep_next=True)
    if draft.note:
        _para(doc, draft.note, first_line_chars=2)
    for i, part in enumerate(draft.parts, start=1):
        _para(doc, f"（{cn.chinese_numeral(i)}）{part.heading}", font=KAITI, style="二级标题",
              first_line_chars=2, keep_next=True)
        for j, para in enumerate(part.paragraphs, start=1):
            paragraph = _para(doc, style="三级标题", first_line_chars=2)
            _run(paragraph, f"{j}.{para.lead}", FANGSONG, BODY_PT)
            _run(paragraph, para.text, FANGSONG, BODY_PT)


def _attachment_note(doc: DocxDocument, names: Sequence[str]) -> None:
    """附件说明: a blank line, 附件： two characters in, several attachments numbered and aligned."""
    _blank(doc, 1)
    for i, name in enumerate(names, start=1):
        label = f"{i}. {name}" if len(names) > 1 else name
        if i == 1:
            _para(doc, f"附件：{label}", style="附件说明", first_line_chars=2)
        else:
            _para(doc, label, style="附件说明", left_chars=Decimal(5))


def _attachment_head(doc: DocxDocument, number: int | None, title: str) -> None:
    _para(doc, f"附件{number}" if number else "附件", font=HEITI, style="附件标识")
    _blank(doc, 1)
    _para(doc, title, font=XIAOBIAOSONG, size=TITLE_PT, style="公文标题", align=WD_ALIGN_PARAGRAPH.CENTER)
    _blank(doc, 1)


def _cell_text(cell: _Cell, text: str, *, font: str = FANGSONG, align: int = WD_ALIGN_PARAGRAPH.LEFT,
               bold: bool = False, indent_chars: int = 0) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = "表格文字"
    _format(paragraph, align=align, line_pt=TABLE_PT * Decimal("1.35"), char_pt=TABLE_PT,
            left_chars=Decimal(indent_chars))
    if text:
        _run(paragraph, text, font, TABLE_PT, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _row_xml(cells: Sequence[tuple[str, str, bool, str, int]], widths: Sequence[int], fill: str | None,
             style_id: str) -> str:
    """One body row of the table: a cell per (text, font, bold, alignment, indent in characters)."""
    size = int(TABLE_PT * 2)
    line = int(TABLE_PT * Decimal("1.35") * 20)
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    parts = [f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/></w:trPr>"]
    for (text, font, bold, align, indent), width in zip(cells, widths, strict=False):
        ind = (f'<w:ind w:left="{int(TABLE_PT * indent * 20)}" w:leftChars="{indent * 100}"/>' if indent else "")
        run = ""
        if text:
            f = xml_escape(font, {'"': "&quot;"})
            run = (f'<w:r><w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>'
                   f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
                   f'<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>')
        parts.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{xml_escape(style_id)}"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>{ind}'
            f'<w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>'
        )
    parts.append("</w:tr>")
    return "".join(parts)


def _spanning_row_xml(head: Sequence[tuple[str, str, bool, str, int]], lines: Sequence[str],
                      widths: Sequence[int], span: int, style_id: str) -> str:
    """A text row of an area's table: label and unit, then one cell over all unit columns listing
    each unit's entry under its name, one per line (a narrow column per unit would stand a page tall).
    The row may break across pages."""
    size = int(TABLE_PT * 2)
    line = int(TABLE_PT * Decimal("1.35") * 20)
    font = xml_escape(FANGSONG, {'"': "&quot;"})
    rpr = (f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
           f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')
    ppr = (f'<w:pPr><w:pStyle w:val="{xml_escape(style_id)}"/>'
           f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>')
    parts = [f"<w:tr {nsdecls('w')}>"]
    for (text, _font, _bold, align, indent), width in zip(head, widths, strict=False):
        ind = f'<w:ind w:left="{int(TABLE_PT * indent * 20)}" w:leftChars="{indent * 100}"/>' if indent else ""
        run = f'<w:r>{rpr}<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>' if text else ""
        parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                     f'<w:p>{ppr}{ind}<w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>')
    body = "".join(f'<w:p>{ppr}<w:jc w:val="left"/></w:pPr><w:r>{rpr}<w:t xml:space="preserve">{xml_escape(t)}</w:t></w:r></w:p>'
                   for t in lines) or f'<w:p>{ppr}</w:pPr></w:p>'
    parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{sum(widths[2:2 + span])}" w:type="dxa"/><w:gridSpan w:val="{span}"/>'
                 f'<w:vAlign w:val="center"/></w:tcPr>{body}</w:tc></w:tr>')
    return "".join(parts)


def _row_flags(row: _Row, *, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        # Repeat the header rows at the top of every page the table runs onto.
        tr_pr.append(OxmlElement("w:tblHeader"))


def statistics_table(doc: DocxDocument, attachment: TableAttachment, width_mm: Decimal) -> Table:
    """指标 | 单位 | one column per unit, two header rows repeated on every page, as 附件1 prints it."""
    catalogue, columns = attachment.catalogue, list(attachment.columns)
    n = len(columns)
    unit_mm = Decimal(22)
    # One column (a county) gets room for its text rows; many share what the labels leave.
    value_mm = Decimal(90) if n <= 1 else min(Decimal(50), max(Decimal(18), (width_mm - unit_mm - Decimal(80)) / n))
    label_mm = width_mm - unit_mm - value_mm * n
    table = doc.add_table(rows=2, cols=2 + n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [label_mm, unit_mm, *([value_mm] * n)]
    head = table.rows[0].cells
    head[0].merge(table.rows[1].cells[0])
    head[1].merge(table.rows[1].cells[1])
    if n > 1:
        head[2].merge(head[1 + n])
    _cell_text(table.cell(0, 0), "指标", font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(table.cell(0, 1), "单位", font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    if n:
        _cell_text(table.cell(0, 2), attachment.group_header, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, col in enumerate(columns):
        _cell_text(table.cell(1, 2 + i), col.name, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r in table.rows[:2]:
        _row_flags(r, header=True)
    # Body rows are written as XML directly: python-docx's cell access is quadratic in the row
    # count, which a province table with a hundred county columns makes plain.
    widths_tw = [int(Mm(float(w)).twips) for w in widths]
    style_id = doc.styles["表格文字"].style_id
    tbl = table._tbl
    for row in catalogue.rows:
        cells: list[tuple[str, str, bool, str, int]] = [
            (row.label, HEITI if row.kind == "section" else FANGSONG, row.kind == "group", "left",
             2 if row.is_subitem else 0),
            (row.unit if row.is_value else "", FANGSONG, False, "center", 0),
        ]
        if n > 1 and row.value_kind == "text":
            entries = [f"{col.name}：{col.values[row.code]}" for col in columns
                       if isinstance(col.values.get(row.code), str) and str(col.values[row.code]).strip()]
            tbl.append(parse_xml(_spanning_row_xml(cells, entries, widths_tw, n, style_id)))
            continue
        for col in columns:
            value = col.values.get(row.code) if row.is_value else None
            text = row.format(value) if value is not None else ""
            cells.append((text, FANGSONG, False, "left" if row.value_kind == "text" else "center", 0))
        fill = {"group": "F2F2F2", "section": "E7E6E6"}.get(row.kind)
        tbl.append(parse_xml(_row_xml(cells, widths_tw, fill, style_id)))
    # Both the grid (LibreOffice reads it) and each cell (Word reads these) carry the widths.
    for grid_col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_tw, strict=False):
        grid_col.set(qn("w:w"), str(w))
    for r in table.rows[:2]:
        for cell, width in zip(r.cells, widths, strict=False):
            cell.width = Mm(float(width))
    assert isinstance(table, Table)
    return table


def _section(doc: DocxDocument, *, landscape: bool) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        _landscape(section)
        _landscape_page_numbers(section)
    else:
        _portrait(section)
        _after_landscape(section)


# --- the whole document -----------------------------------------------------------------


def report_document(content: ReportContent) -> DocxDocument:
    doc = Document()
    _setup(doc)
    first = doc.sections[0]
    _portrait(first)
    _footers(first)
    # python-docx starts with one empty paragraph-less body; everything below appends.
    if content.cover is not None:
        _cover(doc, content.cover)
    title = _para(doc, content.title, font=XIAOBIAOSONG, size=TITLE_PT, style="公文标题",
                  align=WD_ALIGN_PARAGRAPH.CENTER)
    # The report starts a new page after the covering 报告 (a break paragraph could spill onto an empty page).
    title.paragraph_format.page_break_before = content.cover is not None or None
    _blank(doc, 1)
    if content.intro.strip():
        free_text(doc, content.intro)
    _tasks(doc, content.draft, 1)
    # A part the unit has not written is left out (the caller warns before generating), never a placeholder.
    written = [(h, t) for h, t in (("工作创新情况", content.innovation), ("存在问题及意见建议", content.problems)) if t.strip()]
    for number, (heading, text) in enumerate(written, start=2):
        _para(doc, f"{cn.chinese_numeral(number)}、{heading}", font=HEITI, style="一级标题",
              first_line_chars=2, keep_next=True)
        free_text(doc, text)
    names = [content.table.title] + ([content.cases_title] if content.cases else [])
    _attachment_note(doc, names)

    _section(doc, landscape=True)
    _attachment_head(doc, 1 if len(names) > 1 else None, content.table.title)
    last = doc.sections[-1]
    assert last.page_width is not None and last.left_margin is not None and last.right_margin is not None
    width = Decimal(last.page_width.mm - last.left_margin.mm - last.right_margin.mm)
    statistics_table(doc, content.table, width.quantize(Decimal(1)))

    if content.cases:
        _section(doc, landscape=False)
        _para(doc, "附件2", font=HEITI, style="附件标识")
        _blank(doc, 1)
        for i, case in enumerate(content.cases):
            if i:
                _blank(doc, 1)
            _para(doc, case.title, font=XIAOBIAOSONG, size=TITLE_PT, style="公文标题",
                  align=WD_ALIGN_PARAGRAPH.CENTER)
            _blank(doc, 1)
            free_text(doc, case.text)
    if content.cover is not None and (content.cover.copies_to or content.cover.printed_on or content.cover.printed_by):
        _imprint(doc, content.cover)
    _drop_leading_empty(doc)
    _core_properties(doc, content)
    return doc


def _core_properties(doc: DocxDocument, content: ReportContent) -> None:
    """Author, title and dates from the unit and the document, not python-docx's template values."""
    props = doc.core_properties
    title = content.cover.title if content.cover is not None else content.title
    when = (dt.datetime.combine(content.dated, dt.time(0, 0), tzinfo=dt.UTC) if content.dated is not None
            else dt.datetime.now(dt.UTC).replace(microsecond=0))
    props.author = props.last_modified_by = content.unit_name
    props.title = title
    props.subject = content.title
    props.keywords = "东西部协作；自评报告"
    props.comments = ""
    props.category = "公文"
    props.language = "zh-CN"
    props.created = props.modified = when
    props.last_printed = when
    props.revision = 1


def _drop_leading_empty(doc: DocxDocument) -> None:
    body = doc.element.body
    first = body[0] if len(body) else None
    if first is not None and first.tag == qn("w:p") and not "".join(first.itertext()).strip() and first.find(
        qn("w:pPr")
    ) is None:
        body.remove(first)


def report_docx(content: ReportContent, out: Path | io.BytesIO) -> None:
    report_document(content).save(out if isinstance(out, io.BytesIO) else str(out))
