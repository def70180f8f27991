"""The official-layout XLSX, re-opened and read back cell by cell."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.cli import run_cli
from xiezuo.catalogue.registry import get_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(demo, capsys, tmp_path):
    out = tmp_path / "huining.xlsx"
    result = run_cli(capsys, "table", "--org", "620422", "--year", "2023", "--format", "xlsx", "--out", str(out))
    assert result.code == 0
    return load_workbook(out)


def test_title_and_merged_header(workbook):
    ws = workbook["统计表"]
    assert ws["A1"].value == "2023年东西部协作重点工作统计表"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:C1", "A2:A3", "B2:B3"} <= merged
    assert (ws["A2"].value, ws["B2"].value) == ("指标", "单位")
    # The county's own column under its city's heading; no empty column for the city.
    assert (ws["C2"].value, ws["C3"].value, ws.max_column) == ("白银市填报数据", "会宁县", 3)
    assert ws.freeze_panes == "C4"
    assert ws.print_title_rows == "$2:$3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4


def test_every_row_and_value_as_published(workbook):
    ws = workbook["统计表"]
    catalogue = get_catalogue(2023)
    rows = list(ws.iter_rows(min_row=4, values_only=False))
    assert len(rows) == len(catalogue.rows)
    by_label = {}
    for cells, row in zip(rows, catalogue.rows, strict=True):
        assert cells[0].value == row.label
        assert (cells[1].value or "") == (row.unit if row.is_value else "")
        by_label.setdefault(row.code, cells)
    assert Decimal(str(by_label["resettle_funds"][2].value)) == Decimal("30.96")
    # Each cell's format shows exactly its own decimals: 5590 prints "5590", never "5590.".
    assert by_label["resettle_funds"][2].number_format == "0.00"
    assert by_label["consumption_sales"][2].number_format == "0.0000"
    assert (by_label["funds_allocated"][2].value, by_label["funds_allocated"][2].number_format) == (5590, "0")
    assert by_label["funds_used"][2].number_format == "0.00"  # 5086.25
    assert Decimal(str(by_label["social_goods"][2].value)) == Decimal("612.3725")
    assert by_label["meet_party"][2].value == 1
    assert "姚建军" in by_label["visit_e2w_principal"][2].value


def test_sections_emphasised_and_subitems_indented(workbook):
    ws = workbook["统计表"]
    catalogue = get_catalogue(2023)
    for cells, row in zip(ws.iter_rows(min_row=4), catalogue.rows, strict=False):
        if row.kind == "section":
            assert cells[0].font.bold and cells[0].fill.fgColor.rgb.endswith("DDE4EE")
        if row.code == "funds_industry":
            assert cells[0].alignment.indent == 2 and cells[0].alignment.horizontal == "left"
        if row.code == "services_schools":  # a sub-item of a sub-item stands further in
            assert cells[0].alignment.indent == 4
        if row.code == "train_classes":
            assert cells[0].alignment.indent == 0


def test_text_rows_are_tall_enough_and_pages_are_numbered(workbook):
    ws = workbook["统计表"]
    catalogue = get_catalogue(2023)
    for r, row in enumerate(catalogue.rows, start=4):
        if row.code == "policy_docs":  # two documents with dates and issuers: several printed lines
            assert ws.row_dimensions[r].height >= 60
        if row.code == "meet_party":
            assert ws.row_dimensions[r].height is None
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
