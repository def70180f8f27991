"""GB/T 9704-2012 parts of the covering 报告, checked by re-opening the DOCX (and its PDF)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm

from xiezuo.documents.gbt9704 import phrase_lines, text_width_chars
from xiezuo.documents.reports import report_docx_bytes, report_write
from xiezuo.documents.services import cover_letter_save

SIGNED = dt.date(2023, 12, 5)


@pytest.fixture
def jingtai(demo):  # type: ignore[no-untyped-def]
    """A second county with its own covering 报告: an 上行文 with 签发人 and a 版记."""
    from xiezuo.orgunits.models import OrgUnit

    org = OrgUnit.objects.get(name="景泰县")
    cover_letter_save(
        org=org, year=2023, by=None, expected_version=0,
        issuer_mark="中共景泰县委农村工作领导小组办公室文件", doc_number="景农领办发〔2023〕18号",
        title="中共景泰县委农村工作领导小组办公室关于报送《景泰县2023年度东西部协作工作自评报告》的报告",
        recipient="中共白银市委农村工作领导小组", body="现将《景泰县2023年度东西部协作工作自评报告》随文上报，请审示。",
        signatory="中共景泰县委农村工作领导小组办公室", signed_on=SIGNED, signer="王某某",
        copies_to="白银市乡村振兴局，景泰县委办公室，景泰县人民政府办公室", printed_by="中共景泰县委农村工作领导小组办公室",
        printed_on=dt.date(2023, 12, 6),
    )
    return org


def _east_asia_font(run) -> str:  # type: ignore[no-untyped-def]
    return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_signer_stands_on_the_doc_number_line(jingtai):  # type: ignore[no-untyped-def]
    doc = Document(io.BytesIO(report_docx_bytes(jingtai, 2023)))
    (line,) = [p for p in doc.paragraphs if p.style.name == "发文字号"]
    assert line.text == "景农领办发〔2023〕18号\t签发人：王某某"
    assert line.paragraph_format.alignment is None  # left, one character in
    assert line._p.pPr.find(qn("w:ind")).get(qn("w:leftChars")) == "100"
    (stop,) = line.paragraph_format.tab_stops
    assert int(stop.alignment) == 2  # right-aligned: 签发人 one character in from the right
    assert [(_east_asia_font(r), r.text) for r in line.runs][-2:] == [("仿宋_GB2312", "\t签发人："), ("楷体_GB2312", "王某某")]


def test_issuer_mark_35mm_down_two_blank_lines_and_the_red_rule(jingtai):  # type: ignore[no-untyped-def]
    doc = Document(io.BytesIO(report_docx_bytes(jingtai, 2023)))
    paragraphs = doc.paragraphs
    mark = paragraphs[0]
    assert mark.style.name == "发文机关标志" and mark.runs[0].font.color.rgb == (0xFF, 0x00, 0x00)
    assert abs(mark.paragraph_format.space_before - Mm(35)) < Mm(0.1)
    assert [p.text for p in paragraphs[1:3]] == ["", ""] and paragraphs[3].style.name == "发文字号"
    assert paragraphs[3]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    assert [p.text for p in paragraphs[4:6]] == ["", ""] and paragraphs[6].style.name == "公文标题"


@pytest.mark.parametrize("title", [
    "中共会宁县委农村工作领导小组办公室（会宁县实施乡村振兴战略领导小组办公室）关于报送《会宁县2023年度东西部协作工作自评报告》的报告",
    "中共景泰县委农村工作领导小组办公室关于报送《景泰县2023年度东西部协作工作自评报告》的报告",
    "白银市东西部协作工作领导小组办公室关于报送2024年度东西部协作工作总结的报告",
    "关于报送《平川区2023年度东西部协作工作自评报告》和典型案例的报告",
])
def test_titles_break_at_phrase_boundaries(title):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    lines = phrase_lines(title, Decimal(20))
    assert "".join(lines) == title
    assert all(text_width_chars(line) <= 20 for line in lines)
    for before, after in zip(lines, lines[1:], strict=False):
        assert not (before.endswith("报") and after[:1] in "送告")
        assert after[:1] not in "）》」、，。" and before[-1:] not in "（《"
        assert not (before[-1:].isdigit() and after[:1].isdigit())


def test_title_lines_in_the_docx(jingtai):  # type: ignore[no-untyped-def]
    doc = Document(io.BytesIO(report_docx_bytes(jingtai, 2023)))
    title = next(p for p in doc.paragraphs if p.style.name == "公文标题")
    assert title.text.split("\n") == ["中共景泰县委农村工作领导小组办公室", "关于报送《景泰县2023年度东西部协作工作",
                                      "自评报告》的报告"]


def test_imprint_on_the_last_even_page_without_a_page_number(jingtai):  # type: ignore[no-untyped-def]
    doc = Document(io.BytesIO(report_docx_bytes(jingtai, 2023)))
    last = doc.sections[-1]
    assert last.start_type == WD_SECTION.EVEN_PAGE
    # The 版记 is the foot of that even page (its footer, ending on the 版心's bottom edge), in place of a page number.
    imprint = last.even_page_footer.paragraphs
    assert [p.text for p in imprint] == ["抄送：白银市乡村振兴局，景泰县委办公室，景泰县人民政府办公室。",
                                         "中共景泰县委农村工作领导小组办公室\t2023年12月6日印发"]
    assert all(p.style.name == "版记" for p in imprint)
    borders = [p._p.pPr.find(qn("w:pBdr")) for p in imprint]
    assert borders[0].find(qn("w:top")).get(qn("w:sz")) == "8" and borders[1].find(qn("w:top")).get(qn("w:sz")) == "6"
    assert borders[1].find(qn("w:bottom")).get(qn("w:sz")) == "8"
    assert abs(last.footer_distance - Mm(35)) < Mm(0.1)
    assert not "".join(p.text for p in last.footer.paragraphs).strip()
    assert not "".join(p.text for s in doc.sections[:-1] for p in s.even_page_footer.paragraphs if "抄送" in p.text)


def test_core_properties_come_from_the_unit_and_date(jingtai, huining):  # type: ignore[no-untyped-def]
    props = Document(io.BytesIO(report_docx_bytes(jingtai, 2023))).core_properties
    assert props.author == props.last_modified_by == "中共景泰县委农村工作领导小组办公室"
    assert props.title.startswith("中共景泰县委农村工作领导小组办公室关于报送")
    assert props.created.date() == SIGNED and props.revision == 1
    assert "python-docx" not in (props.comments + props.author + props.keywords)
    demo_props = Document(io.BytesIO(report_docx_bytes(huining, 2023))).core_properties
    assert demo_props.created.date() == dt.date(2023, 11, 20)
    # The 会宁县 demo asks for no 版记 (the seed prints none): none is made up.
    assert Document(io.BytesIO(report_docx_bytes(huining, 2023))).sections[-1].start_type != WD_SECTION.EVEN_PAGE


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler are needed to render the PDF")
def test_pdf_cover_on_one_page_and_the_imprint_alone_on_the_last_even_page(jingtai, tmp_path):  # type: ignore[no-untyped-def]
    _, pdf = report_write(jingtai, 2023, tmp_path, pdf=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages % 2 == 0

    def page(n: int) -> str:
        return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout

    first = page(1)
    assert "签发人：王某某" in first and "2023年12月5日" in first.replace(" ", "")
    last = page(pages)
    assert "抄送：" in last and "印发" in last and "—" not in last
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(pages), "-l", str(pages), str(pdf), str(tmp_path / "last")],
                   check=True)
    assert list(tmp_path.glob("last*.png"))


def test_landscape_table_pages_number_on_the_portrait_foot_line(jingtai):  # type: ignore[no-untyped-def]
    """GB/T 9704-2012 10.4: the turned table's head lies on the portrait page's left edge and its
    page numbers stay where the portrait pages have theirs — in the landscape page's left margin,
    written top to bottom, at its lower end on odd pages and its upper end on even ones."""
    doc = Document(io.BytesIO(report_docx_bytes(jingtai, 2023)))
    sections = list(doc.sections)
    (at,) = [i for i, s in enumerate(sections) if s.page_width > s.page_height]
    land = sections[at]
    assert (round(land.top_margin.mm), round(land.left_margin.mm)) == (28, 35)  # 订口 above, the foot on the left
    assert not "".join(p.text for f in (land.footer, land.even_page_footer) for p in f.paragraphs).strip()
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    boxes = {}
    for name, header in (("odd", land.header), ("even", land.even_page_header)):
        assert not header.is_linked_to_previous
        (anchor,) = header._element.iter(wp + "anchor")
        assert anchor.find(f"{wp}positionH").get("relativeFrom") == "page"
        x = int(anchor.find(f"{wp}positionH/{wp}posOffset").text) / 36000
        y = int(anchor.find(f"{wp}positionV/{wp}posOffset").text) / 36000
        body = next(e for e in anchor.iter() if e.tag.endswith("}bodyPr"))
        assert body.get("vert") == "vert"
        assert "PAGE" in "".join(anchor.itertext())
        boxes[name] = (x, y)
    assert all(x + 6 < 35 for x, _ in boxes.values())  # in the left margin, clear of the 版心
    assert boxes["odd"][1] > 100 > boxes["even"][1]
    # No other section inherits the boxes: the portrait pages after it number in their footers.
    after = sections[at + 1:]
    assert after and all(not list(s.header._element.iter(wp + "anchor")) for s in after)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler are needed to render the PDF")
def test_landscape_page_numbers_in_the_rendered_pdf(jingtai, tmp_path):  # type: ignore[no-untyped-def]
    import re

    _, pdf = report_write(jingtai, 2023, tmp_path, pdf=True)
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S)
    landscape = [(n, float(h), body) for n, (w, h, body) in enumerate(pages, start=1) if float(w) > float(h)]
    assert len(landscape) >= 2
    mm = 72 / 25.4
    for number, height, body in landscape:
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', body)
        hits = [(float(x0), float(y0), float(x1)) for x0, y0, x1, text in words
                if text == str(number) and float(x1) < 35 * mm]
        assert hits, f"page {number}: no page number in the left margin"
        _, y, _ = hits[0]
        assert (y > height / 2) if number % 2 else (y < height / 2), (number, y)
