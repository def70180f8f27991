from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from xiezuo.audit.audit import audit_document
from xiezuo.audit.reader import ReportUnreadable, read_report
from xiezuo.catalogue.registry import get_catalogue


def _docx(path):
    doc = DocxDocument()
    doc.add_paragraph("一、年度任务完成情况")
    doc.add_paragraph("（一）组织领导")
    doc.add_paragraph("1. 工作推动部署情况。县委、县政府共召开 10 次会议，其中，政府常务会 4 次、县委常委会 1 次、领导小组会 6 次。")
    table = doc.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["指标", "单位", "会宁县"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["2. 政府常务会议", "次", "4"], strict=True):
        cell.text = text
    doc.add_paragraph("2. 工作对接情况。引进甘肃善荞农业发展有限公司。")
    doc.add_paragraph("在小杂粮产业上，引进落地甘肃善莽农业发展有限公司。")
    doc.save(path)


def test_docx_paragraphs_tables_and_headings(tmp_path):
    path = tmp_path / "报告.docx"
    _docx(path)
    doc = read_report(path)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert tables[1].cells == ("2. 政府常务会议", "次", "4")
    result = audit_document(doc, catalogue=get_catalogue(2023))
    sums = [f for f in result.findings if f.check == "sum"]
    assert sums and sums[0].quotes[0]["location"]["heading"] == "一、年度任务完成情况 › （一）组织领导 › 1.工作推动部署情况"
    assert [f.check for f in result.findings] == ["sum", "name"]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is needed to make a PDF")
def test_pdf_text_layer(tmp_path):
    path = tmp_path / "report.docx"
    _docx(path)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    doc = read_report(tmp_path / "report.pdf")
    assert "政府常务会4次" in "".join(doc.text.split())
    result = audit_document(doc, catalogue=get_catalogue(2023))
    assert "name" in [f.check for f in result.findings]


def test_unreadable_files_say_why_in_chinese(tmp_path):
    bad = tmp_path / "report.xlsx"
    bad.write_bytes(b"x")
    with pytest.raises(ReportUnreadable, match="不支持的文件类型"):
        read_report(bad)
    broken = tmp_path / "report.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ReportUnreadable, match="无法读取 Word 文件"):
        read_report(broken)
    gbk = tmp_path / "report.txt"
    gbk.write_bytes("培训农村劳动力人数617人。".encode("gb18030"))
    assert "617" in read_report(gbk).text


def test_unreadable_uploads_name_the_users_file_with_a_chinese_reason(tmp_path):
    cut = tmp_path / "upload.pdf"
    pdf = (Path(__file__).parent / "corpus" / "ziyun.pdf").read_bytes()
    cut.write_bytes(pdf[: len(pdf) // 3])
    with pytest.raises(ReportUnreadable) as err:
        read_report(cut, name="环县自评报告.pdf")
    message = err.value.full_message
    assert "环县自评报告.pdf" in message and "PDF" in message
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", message.replace("PDF", "")), message  # no English reason
    doc = tmp_path / "upload.docx"
    doc.write_bytes(b"\xd0\xcf\x11\xe0 an old .doc file")
    with pytest.raises(ReportUnreadable) as err:
        read_report(doc, name="礼县自评报告.docx")
    assert "礼县自评报告.docx" in err.value.full_message and "另存为 .docx" in err.value.full_message
