"""No text written to a spreadsheet can become a formula: every XLSX and CSV export, re-opened."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

PLANTED = ['=HYPERLINK("x")', "+1", "-1", "@A1", "\t=1+1", "\r=1+1"]


def _cells(path):  # type: ignore[no-untyped-def]
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            yield from row


def _assert_no_formula(path, planted):  # type: ignore[no-untyped-def]
    seen = set()
    for cell in _cells(path):
        assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            for text in planted:
                if text.strip() and text.strip() in cell.value:
                    seen.add(text)
    assert seen >= {t for t in planted if t.strip() == t}, (path.name, seen)  # the text is still there


def _assert_csv_safe(text, planted):  # type: ignore[no-untyped-def]
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for text_ in planted:
        assert any(c == "'" + text_ for c in cells), text_


def test_table_and_rollup_exports(huining, tmp_path):  # type: ignore[no-untyped-def]
    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.rollup.selectors import area_table
    from xiezuo.tables.exports import Column, table_csv, table_xlsx
    from xiezuo.tables.selectors import values_for
    from xiezuo.tables.services import ValueInput, values_set_many

    text_rows = [r.code for r in get_catalogue(2023).rows if r.value_kind == "text"]
    typed = PLANTED[: len(text_rows)]
    values_set_many(org=huining, year=2023, by=None,
                    inputs=[ValueInput(code=c, raw=v) for c, v in zip(text_rows, typed, strict=False)])
    catalogue = get_catalogue(2023)
    values = values_for(huining, 2023)
    planted = [p.strip() for p in typed]  # stored as typed, trimmed
    assert [values[c] for c in text_rows[: len(typed)]] == planted

    county = tmp_path / "county.xlsx"
    table_xlsx(catalogue, [Column(name="=会宁县", values=values)], county, area_name="白银市")
    _assert_no_formula(county, planted + ["=会宁县"])
    _assert_csv_safe(table_csv(catalogue, [Column(name=huining.name, values=values)]), planted)

    city = OrgUnit.objects.get(code="620400")
    rolled = tmp_path / "city.xlsx"
    table = area_table(city, 2023)
    table_xlsx(table.catalogue, table.export_columns(), rolled, area_name=city.name)
    _assert_no_formula(rolled, planted)


def test_ledger_exports(huining, tmp_path):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.exports import ledger_export
    from xiezuo.ledgers.services import ledger_record_create

    for i, text in enumerate(PLANTED[:4]):  # names; tab and CR first in the industry column
        ledger_record_create(kind="enterprises", org=huining, year=2023, by=None, data={
            "name": text, "industry": ("\t" if i % 2 else "\r") + PLANTED[(i + 1) % 4], "actual_investment": "10", "jobs": "1",
            "poor_jobs": "0", "in_park": "否", "key_county": "是",
        })
    xlsx = tmp_path / "enterprises.xlsx"
    assert ledger_export(kind="enterprises", org=huining, year=2023, path=xlsx) >= 4
    _assert_no_formula(xlsx, PLANTED[:4])
    out = tmp_path / "enterprises.csv"
    ledger_export(kind="enterprises", org=huining, year=2023, path=out)
    _assert_csv_safe(out.read_text(encoding="utf-8-sig"), PLANTED[:4])
