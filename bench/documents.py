"""Documents benchmark: a county's report (DOCX) and table (XLSX), a province's table, PDF conversion.

    .venv/bin/python -m xiezuo init --demo            # 会宁县 with its published figures and texts
    .venv/bin/python -m xiezuo synth --provinces 1 --labour-per-county 0 --sales-per-county 0   # optional
    .venv/bin/python bench/documents.py [--org 620422] [--year 2023] [--repeat 3]

Prints seconds (best of --repeat) for: the county's whole report as DOCX (cover letter, drafted
paragraphs, table attachment, cases); the county's table as XLSX; the western province with the most
counties as one table with every county as a column, as XLSX and as the DOCX attachment table; and,
separately, the LibreOffice conversion of the county's DOCX to PDF.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="620422")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db.models import Count

    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.documents.gbt9704 import TableAttachment, _setup, statistics_table
    from xiezuo.documents.pdf import docx_to_pdf
    from xiezuo.documents.reports import report_docx_bytes
    from xiezuo.orgunits.models import Level, OrgUnit, Side
    from xiezuo.orgunits.selectors import orgunit_resolve
    from xiezuo.tables.exports import Column, table_xlsx
    from xiezuo.tables.selectors import values_for_many

    county = orgunit_resolve(args.org)
    catalogue = get_catalogue(args.year)

    def county_xlsx() -> None:
        values = values_for_many([county], args.year)[county.code]
        table_xlsx(catalogue, [Column(name=county.name, values=values)], io.BytesIO())

    print(f"{county.name} {args.year}（best of {args.repeat}）")
    docx_s = best(args.repeat, lambda: report_docx_bytes(county, args.year))
    xlsx_s = best(args.repeat, county_xlsx)
    print(f"  自评报告 DOCX（含附件1、附件2）  {docx_s:7.3f} s")
    print(f"  统计表 XLSX                     {xlsx_s:7.3f} s")
    print(f"  DOCX + XLSX                     {docx_s + xlsx_s:7.3f} s")

    province = (
        OrgUnit.objects.filter(level=Level.PROVINCE, side=Side.WEST)
        .annotate(n=Count("children__children")).order_by("-n", "code").first()
    )
    if province is not None:
        counties = list(
            OrgUnit.objects.filter(path__startswith=province.path, level=Level.COUNTY).order_by("path")
        )

        def province_columns() -> list[Column]:
            values = values_for_many(counties, args.year, catalogue)
            return [Column(name=c.name, values=values[c.code]) for c in counties]

        def province_xlsx() -> None:
            table_xlsx(catalogue, province_columns(), io.BytesIO(), area_name=province.name)

        def province_docx_table() -> None:
            from docx import Document

            doc = Document()
            _setup(doc)
            statistics_table(doc, TableAttachment(catalogue.title, catalogue, province_columns(), province.name), 225)
            doc.save(io.BytesIO())

        print(f"{province.name}：{len(counties)} 个县（市、区）各占一列")
        print(f"  统计表 XLSX                     {best(args.repeat, province_xlsx):7.3f} s")
        print(f"  统计表 DOCX 表格（附件1）        {best(args.repeat, province_docx_table):7.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.docx"
        path.write_bytes(report_docx_bytes(county, args.year))
        start = time.perf_counter()
        pdf = docx_to_pdf(path)
        pdf_s = time.perf_counter() - start
        print(f"PDF（LibreOffice，单次，含启动）   {pdf_s:7.3f} s  {pdf.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
