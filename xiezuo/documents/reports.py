"""Writing the report's files (DOCX, optionally PDF) for an org unit and year."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from xiezuo.documents.gbt9704 import report_docx
from xiezuo.documents.selectors import report_data, report_filename
from xiezuo.orgunits.models import OrgUnit


def report_docx_bytes(org: OrgUnit, year: int) -> bytes:
    buf = io.BytesIO()
    report_docx(report_data(org, year).content, buf)
    return buf.getvalue()


def report_write(
    org: OrgUnit, year: int, out_dir: Path, *, pdf: bool = False, on_warning: Callable[[str], None] | None = None,
) -> list[Path]:
    """会宁县2023年度东西部协作工作自评报告.docx (and .pdf) in `out_dir`; returns the paths written.

    What the unit has not filled yet (its covering 报告, 二、 or 三、, counties without figures) is
    passed to `on_warning` before the file is written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path = out_dir / report_filename(org, year)
    data = report_data(org, year)
    for warning in data.warnings:
        if on_warning is not None:
            on_warning(warning)
    report_docx(data.content, docx_path)
    written = [docx_path]
    if pdf:
        from xiezuo.documents.pdf import docx_to_pdf

        written.append(docx_to_pdf(docx_path, out_dir))
    return written
