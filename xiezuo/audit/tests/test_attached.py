"""The report's own 附件1 read back as a table, and used when no table is given."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from xiezuo.audit.attached import attached_table
from xiezuo.audit.audit import audit_document
from xiezuo.audit.reader import document_from_text
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.cli import app

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "tables" / "values-620422.csv"


def test_attached_table_reads_every_printed_row(seed_text):
    catalogue = get_catalogue(2023)
    values, where = attached_table(document_from_text(seed_text), catalogue)
    published = {r["code"]: r["value"] for r in csv.DictReader(DEMO.open(encoding="utf-8")) if r["year"] == "2023"}
    numeric = {c for c in published if catalogue.by_code[c].is_numeric}
    assert numeric <= set(values)
    assert all(values[c] == Decimal(published[c]) for c in numeric)
    # Repeated labels land on their own rows, in printed order.
    assert values["labour_local_poor"] == 472 and values["labour_other_poor"] == 1580
    assert seed_text[where["train_people"]:].startswith("培训农村劳动力人数")


def test_audit_uses_the_attached_table_when_none_is_given(seed_text):
    result = audit_document(document_from_text(seed_text), catalogue=get_catalogue(2023), use_attached=True)
    assert result.table_source == "attached"
    [training] = [f for f in result.findings if f.row == "train_people"]
    assert training.quotes[-1]["location"]["line"] > 100  # the printed table line, not just the row
    assert len(result.findings) == 7


def test_cli_says_which_table_it_used(seed_text, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(seed_text, encoding="utf-8")
    out = CliRunner().invoke(app, ["audit", str(path)]).stdout
    assert "与报告所附统计表核对（读到 125 项）" in out and "790人次" in out
    bare = tmp_path / "bare.txt"
    bare.write_text(seed_text.split("附件 1")[0], encoding="utf-8")
    out = CliRunner().invoke(app, ["audit", str(bare)]).stdout
    assert "未与统计表核对" in out and "790" not in out
