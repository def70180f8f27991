"""Re-open the generated DOCX and check what GB/T 9704-2012 and the table ask for."""

import io
import math
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.money import YUAN_PER as MONEY_FACTORS
from xiezuo.documents.gbt9704 import CHAR_SPACE, LINE_PITCH_TWIPS
from xiezuo.documents.reports import report_docx_bytes
from xiezuo.documents.selectors import report_data
from xiezuo.tables.selectors import values_for

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def docx_doc(huining):
    return Document(io.BytesIO(report_docx_bytes(huining, 2023)))


def _mm(length):
    return round(length.mm, 1)


def _east_asia(run, doc):
    """The East Asian font a run is shown in: its own, else its paragraph style's."""
    rfonts = run._r.find(qn("w:rPr") + "/" + qn("w:rFonts")) if run._r.rPr is not None else None
    if rfonts is not None and rfonts.get(qn("w:eastAsia")):
        return rfonts.get(qn("w:eastAsia"))
    return None


def _paras(doc, style):
    return [p for p in doc.paragraphs if p.style.name == style and p.text.strip()]


def test_page_size_margins_and_grid(docx_doc):
    sections = docx_doc.sections
    portrait = [s for s in sections if s.page_width < s.page_height]
    landscape = [s for s in sections if s.page_width > s.page_height]
    assert len(portrait) == 2 and len(landscape) == 1
    for s in portrait:
        assert (_mm(s.page_width), _mm(s.page_height)) == (210.0, 297.0)
        assert (_mm(s.top_margin), _mm(s.left_margin)) == (37.0, 28.0)  # 天头, 订口
        assert _mm(s.page_width) - _mm(s.left_margin) - _mm(s.right_margin) == 156.0
        assert _mm(s.page_height) - _mm(s.top_margin) - _mm(s.bottom_margin) == 225.0
        grid = s._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "linesAndChars"
        assert int(grid.get(qn("w:linePitch"))) == LINE_PITCH_TWIPS
        # 22 lines fill the 225 mm 版心; 28 characters of 3号 fill 156 mm.
        assert abs(LINE_PITCH_TWIPS / 20 * 22 - 225 / 25.4 * 72) < 1
        assert abs((16 + int(grid.get(qn("w:charSpace"))) / 4096) * 28 - 156 / 25.4 * 72) < 0.5
        assert int(grid.get(qn("w:charSpace"))) == CHAR_SPACE
    (land,) = landscape
    assert (_mm(land.page_width), _mm(land.page_height)) == (297.0, 210.0)
    # Attachments continue the page numbering: no section restarts it.
    assert all(s._sectPr.find(qn("w:pgNumType")) is None or
               s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) is None for s in sections)


def test_fonts_and_sizes_per_element(docx_doc):
    expected = {
        "发文机关标志": ("方正小标宋简体", None),
        "公文标题": ("方正小标宋简体", 22),
        "一级标题": ("黑体", 16),
        "二级标题": ("楷体_GB2312", 16),
        "三级标题": ("仿宋_GB2312", 16),
        "公文正文": ("仿宋_GB2312", 16),
        "主送机关": ("仿宋_GB2312", 16),
        "附件标识": ("黑体", 16),
    }
    for style, (font, size) in expected.items():
        paragraphs = _paras(docx_doc, style)
        assert paragraphs, style
        st = docx_doc.styles[style].element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        assert st.get(qn("w:eastAsia")) == font
        for p in paragraphs:
            # The 楷体 heading and 黑体 heading runs carry the heading font; body runs after a
            # run-in heading may be 仿宋.
            first = p.runs[0]
            assert _east_asia(first, docx_doc) == font, (style, p.text[:20])
            assert first._r.rPr.rFonts.get(qn("w:ascii")) == font
            if size:
                assert first.font.size == Pt(size), (style, p.text[:20])
    for p in _paras(docx_doc, "一级标题") + _paras(docx_doc, "公文正文"):
        ind = p._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"
        assert p.paragraph_format.first_line_indent == Pt(32)
    mark = _paras(docx_doc, "发文机关标志")[0]
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    # The theme fonts are gone from the defaults, or Word would prefer them to the names above.
    defaults = docx_doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsiaTheme")) is None and defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_cover_letter_parts(docx_doc):
    (number,) = _paras(docx_doc, "发文字号")
    assert number.text == "会农领办发〔2023〕51号"
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    (recipient,) = _paras(docx_doc, "主送机关")
    assert recipient.text.endswith("：")
    (date,) = _paras(docx_doc, "成文日期")
    assert date.text == "2023年11月20日"
    assert date.paragraph_format.right_indent == Pt(64)  # 右空四字
    (signatory,) = _paras(docx_doc, "落款")
    assert signatory.text == "中共会宁县委农村工作领导小组办公室"
    note = _paras(docx_doc, "附件说明")
    assert note[0].text == "附件：1. 2023年东西部协作重点工作统计表"
    assert note[1].text == "2. 2023年东西部协作典型案例"
    titles = [p.text for p in _paras(docx_doc, "公文标题")]
    assert "会宁县2023年度东西部协作工作自评报告" in titles
    assert "做强特色小杂粮　做好“土特产”文章" in titles
    headings = [p.text for p in _paras(docx_doc, "一级标题")]
    assert headings[:3] == ["一、年度任务完成情况", "二、工作创新情况", "三、存在问题及意见建议"]
    assert [p.text for p in _paras(docx_doc, "二级标题")][:4] == [
        "（一）组织领导", "（二）助力巩固拓展脱贫攻坚成果", "（三）加强区域协作", "（四）推进乡村振兴",
    ]
    all_text = "\n".join(p.text for p in docx_doc.paragraphs)
    assert "None" not in all_text
    assert [p.text for p in _paras(docx_doc, "附件标识")] == ["附件1", "附件2"]


def test_page_numbers_odd_right_even_left(docx_doc):
    assert docx_doc.settings.odd_and_even_pages_header_footer
    first = docx_doc.sections[0]
    for footer, align, side in ((first.footer, 2, "right"), (first.even_page_footer, 0, "left")):
        p = footer.paragraphs[0]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align
        assert p._p.xpath(".//w:instrText")[0].text.strip() == "PAGE"
        ind = p._p.pPr.find(qn("w:ind"))
        assert ind.get(qn(f"w:{side}Chars")) == "100"
        for run in p.runs:
            assert _east_asia(run, docx_doc) == "宋体" and run.font.size == Pt(14)
    # The number's top edge 7 mm below the 版心: footer distance + one 4号 line = bottom margin − 7 mm.
    line_mm = 14 / 72 * 25.4
    assert abs(first.footer_distance.mm + line_mm - (first.bottom_margin.mm - 7)) < 0.2


def test_attachment_table_values_equal_the_table(docx_doc, huining):
    catalogue = get_catalogue(2023)
    values = values_for(huining, 2023)
    (table,) = docx_doc.tables
    header = table.rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells[:3]] == ["指标", "单位", "白银市"]
    assert table.rows[1].cells[2].text == "会宁县"
    body = table.rows[2:]
    assert len(body) == len(catalogue.rows)
    checked = 0
    for row, tr in zip(catalogue.rows, body, strict=True):
        cells = tr.cells
        assert cells[0].text == row.label
        assert cells[1].text == (row.unit if row.is_value else "")
        value = values.get(row.code)
        shown = cells[2].text
        if value is None:
            assert shown == ""
            continue
        if row.value_kind == "text":
            assert shown == value
        else:
            assert Decimal(shown) == value, row.code
            checked += 1
    assert checked > 100


def test_every_figure_in_the_docx_paragraphs_equals_its_row(docx_doc, huining):
    data = report_data(huining, 2023)
    values, prev = values_for(huining, 2023), values_for(huining, 2022)
    texts = [p.text for p in _paras(docx_doc, "三级标题")]
    drafted = [p for part in data.draft.parts for p in part.paragraphs]
    assert len(texts) == len(drafted)
    for text, para in zip(texts, drafted, strict=True):
        assert text.endswith(para.text)
        for b in para.bindings:
            assert b.text in text
            if isinstance(b.value, Decimal) and not b.ledger:
                source = values if b.year == 2023 else prev
                number = NUMBER.match(b.text).group()
                printed, unit = Decimal(number), b.text[len(number):]
                row_unit = get_catalogue(2023).by_code[b.codes[0]].unit
                if unit in MONEY_FACTORS and row_unit in MONEY_FACTORS:  # stated in 万元, kept in 亿元
                    printed = printed * MONEY_FACTORS[unit] / MONEY_FACTORS[row_unit]
                assert printed == sum(Decimal(source[c]) for c in b.codes) == b.value


def test_city_document_has_the_city_and_each_county(demo):
    from xiezuo.orgunits.models import OrgUnit

    city = OrgUnit.objects.get(code="620400")
    doc = Document(io.BytesIO(report_docx_bytes(city, 2023)))
    (table,) = doc.tables
    names = [c.text for c in table.rows[1].cells[2:]]
    assert names == ["白银市合计", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    catalogue = get_catalogue(2023)
    values = values_for(OrgUnit.objects.get(code="620422"), 2023)
    col = names.index("会宁县") + 2
    for row, tr in zip(catalogue.rows, table.rows[2:], strict=True):
        v = values.get(row.code)
        if v is not None and row.is_numeric:
            assert Decimal(tr.cells[col].text) == v
    assert any(p.text == "白银市2023年度东西部协作工作自评报告" for p in doc.paragraphs)


def test_city_report_is_true_as_a_city_document(demo):
    """白银市: no invented covering 报告 or date, no placeholder text, the county without figures named."""
    from xiezuo.documents.selectors import report_data
    from xiezuo.orgunits.models import OrgUnit

    city = OrgUnit.objects.get(code="620400")
    data = report_data(city, 2023)
    assert any("报送文件" in w for w in data.warnings) and any("二、工作创新情况" in w for w in data.warnings)
    doc = Document(io.BytesIO(report_docx_bytes(city, 2023)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "待填写" not in text
    assert "办公室文件" not in text and "请审示" not in text  # no covering 报告 the city did not write
    assert doc.paragraphs[0].text == "白银市2023年度东西部协作工作自评报告"
    counties = list(OrgUnit.objects.filter(parent=city).order_by("code").values_list("name", flat=True))
    (table,) = doc.tables
    assert [c.text for c in table.rows[1].cells[3:]] == counties
    missing = [c.name for c in data.content.table.columns[1:] if not any(v not in (None, "") for v in c.values.values())]
    assert missing == ["靖远县"]
    assert f"{len(counties)}个县（市、区）中，靖远县尚未报送2023年度数据" in text
    # Counties' meetings are the counties', not the city committee's.
    assert "各县（区）委、各县（区）政府共召开" in text and "市委常委会" not in text
    # 合计 shows figures only; text rows list each county's entry under its name in one wide cell.
    from xiezuo.documents.gbt9704 import text_width_chars

    tallest = 0
    for row in table.rows[2:]:
        cells = row._tr.findall(qn("w:tc"))
        if len(cells) == 3:  # label, unit, one cell spanning the unit columns
            entries = [p.text for p in row.cells[2].paragraphs]
            assert all(e.split("：", 1)[0] in counties for e in entries), entries
        else:
            total = row.cells[2].text
            assert total == "" or NUMBER.fullmatch(total), total
        for tc in cells:
            chars = int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w"))) / 20 / 10.5
            lines = sum(max(1, math.ceil(float(text_width_chars("".join(t.text or "" for t in p.iter(qn("w:t"))))) / chars))
                        for p in tc.findall(qn("w:p")))
            tallest = max(tallest, lines)
    assert tallest <= 10  # no row of 附件1 is more than a few lines tall


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice and poppler are needed to render the PDF")
def test_city_attachment_pages_are_readable(demo, tmp_path):
    from xiezuo.documents.reports import report_write
    from xiezuo.orgunits.models import OrgUnit

    _, pdf = report_write(OrgUnit.objects.get(code="620400"), 2023, tmp_path, pdf=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # 143 rows over five counties and the total: a handful of landscape pages, not one per text row.
    assert pages <= 12
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "待填写" not in text and "靖远县尚未报送" in text.replace(" ", "")


def test_the_city_report_audits_clean_against_its_roll_up(demo, tmp_path):
    from xiezuo.audit.audit import audit_document
    from xiezuo.audit.mapping import AuditContext
    from xiezuo.audit.reader import read_report
    from xiezuo.documents.reports import report_write
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.rollup.selectors import area_values

    city = OrgUnit.objects.get(code="620400")
    (docx,) = report_write(city, 2023, tmp_path)
    result = audit_document(read_report(docx), catalogue=get_catalogue(2023), table=dict(area_values(city, 2023)),
                            context=AuditContext(year=2023, west_names=("白银市",), east_names=("和平区",)))
    assert [f.message for f in result.findings] == []
