"""The report the system drafts itself audits clean: every finding points at a text a person wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiezuo.audit.audit import AuditResult, audit_document
from xiezuo.audit.reader import read_report
from xiezuo.audit.selectors import audit_context_for, audit_table_for
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.documents.reports import report_docx_bytes

DRAFTED = "一、年度任务完成情况"  # drafted from the table and the ledgers; 二、, 三、 and the cases are written


@pytest.mark.django_db
def test_generated_docx_has_no_finding_the_drafting_caused(huining, tmp_path):
    path = tmp_path / "会宁县2023年度东西部协作工作自评报告.docx"
    path.write_bytes(report_docx_bytes(huining, 2023))
    document = read_report(path)
    result = audit_document(document, catalogue=get_catalogue(2023), table=audit_table_for(huining, 2023),
                            context=audit_context_for(huining, 2023))
    for f in result.findings:
        headings = [str(q["location"].get("heading", "")) for q in f.quotes if "start" in q["location"]]
        assert any(not h.startswith(DRAFTED) for h in headings), f.message
        assert f.check not in ("sum", "claim", "rate", "text_table"), f.message
    # The slips of the texts the county wrote are still there: 善莽 for 善荞, 1537 against 1014.
    messages = " ".join(f.message for f in result.findings)
    assert "甘肃善莽农业发展有限公司" in messages and "1537" in messages
    # 新增 carried over the list names the year's rows, never the running totals.
    catalogue = get_catalogue(2023)

    def is_new(code: str) -> bool:
        row = catalogue.by_code[code]
        while row is not None:
            if "新增" in row.label:
                return True
            row = catalogue.by_code.get(row.parent) if row.parent else None
        return False

    scoped = [f for f in result.extraction.figures if f.scope == "new" and f.row]
    assert scoped and all(is_new(f.row) for f in scoped), [(f.phrase, f.row) for f in scoped if not is_new(f.row)]
    assert {"labour_new_east", "labour_new_local", "labour_new_other"} <= {f.row for f in scoped}


@pytest.mark.django_db
def test_generated_pdf_audits_like_the_docx(huining, tmp_path):
    import shutil

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    from xiezuo.documents.pdf import docx_to_pdf

    path = tmp_path / "会宁县2023年度东西部协作工作自评报告.docx"
    path.write_bytes(report_docx_bytes(huining, 2023))
    pdf = docx_to_pdf(path, tmp_path)

    def audited(p: Path) -> AuditResult:
        return audit_document(read_report(p), catalogue=get_catalogue(2023), table=audit_table_for(huining, 2023),
                              context=audit_context_for(huining, 2023))

    from_pdf, from_docx = audited(pdf), audited(path)
    # Lines wrapped inside names (有限\n公司) and page numbers (— 4 —) do not break the reading.
    assert sorted(f.message for f in from_pdf.findings) == sorted(f.message for f in from_docx.findings)
    assert "有限\n公司" not in from_pdf.extraction.document.text
