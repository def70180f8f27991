"""Writing the report's files (DOCX, optionally PDF) for an org unit and year."""

from __future__ import annotations

import io
from pathlib import Path

from xiezuo.documents.gbt9704 import report_docx
from xiezuo.documents.selectors import report_data, report_filename
from xiezuo.orgunits.models import OrgUnit


def report_docx_bytes(org: OrgUnit, year: int) -> bytes:
    buf = io.BytesIO()
    report_docx(report_data(org, year).content, buf)
    return buf.getvalue()


def report_write(org: OrgUnit, year: int, out_dir: Path, *, pdf: bool = False) -> list[Path]:
    """会宁县2023年度东西部协作工作自评报告.docx (and .pdf) in `out_dir`; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path = out_dir / report_filename(org, year)
    report_docx(report_data(org, year).content, docx_path)
    written = [docx_path]
    if pdf:
        from xiezuo.documents.pdf import docx_to_pdf

        written.append(docx_to_pdf(docx_path, out_dir))
    return written
