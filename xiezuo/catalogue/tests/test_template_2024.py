"""A second year's template, added as data only, runs the whole chain.

`tests/data/2024.toml` rewords labels, drops rows and adds rows as a real new year's table does;
`2024.drafting.toml` is its drafting rules. Put into a template folder (XIEZUO_CATALOGUE_DIRS), it
gives the table, the checks, the derived values, the report, the audit and the 2023→2024 comparison.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook

from xiezuo.catalogue.loader import load_catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import CatalogueError

TEMPLATES = Path(__file__).resolve().parent / "data"


@pytest.fixture
def year_2024(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("2024.toml", "2024.drafting.toml"):
        shutil.copy(TEMPLATES / name, folder / name)
    monkeypatch.setenv("XIEZUO_CATALOGUE_DIRS", str(folder))
    get_catalogue.cache_clear()
    yield get_catalogue(2024)
    get_catalogue.cache_clear()


def _enter_2024(org):  # type: ignore[no-untyped-def]
    """This county's 2023 figures carried into the rows 2024 kept, plus the rows it added."""
    from xiezuo.tables.selectors import values_for
    from xiezuo.tables.services import ValueInput, values_set_many

    catalogue = get_catalogue(2024)
    carried = {c: v for c, v in values_for(org, 2023).items() if c in catalogue.by_code and v is not None}
    carried.update(labour_skills=Decimal(420), labour_skills_poor=Decimal(260), consumption_counters=Decimal(3))
    values_set_many(org=org, year=2024, inputs=[ValueInput(code=c, raw=v) for c, v in carried.items()], by=None)
    return carried


def test_the_2024_template_runs_end_to_end(huining, year_2024, tmp_path):  # type: ignore[no-untyped-def]
    from xiezuo.audit.audit import audit_document
    from xiezuo.audit.mapping import AuditContext
    from xiezuo.audit.reader import read_report
    from xiezuo.documents.reports import report_write
    from xiezuo.ledgers.reconciliation import derived_values
    from xiezuo.ledgers.services import ledger_record_create
    from xiezuo.rollup.selectors import compare
    from xiezuo.tables.exports import Column, table_xlsx
    from xiezuo.tables.findings import table_validate
    from xiezuo.tables.selectors import values_for
    from xiezuo.tables.services import value_set

    catalogue = year_2024
    assert catalogue.year == 2024 and catalogue.drafting is not None
    carried = _enter_2024(huining)

    # Table: the official XLSX prints the reworded labels and the new rows, not the dropped ones.
    buf = io.BytesIO()
    table_xlsx(catalogue, [Column(name=huining.name, values=values_for(huining, 2024))], buf, area_name="白银市")
    sheet = load_workbook(io.BytesIO(buf.getvalue())).active
    labels = {str(c.value).strip() for c in sheet["A"] if c.value}
    assert "1. 年度已拨付到位财政援助资金" in labels and "新增开展技能培训的农村劳动力数" in labels
    assert not any("职业学校" in label for label in labels)

    # Validate: the new row's implied 其中 rule is live.
    assert not [f for f in table_validate(huining, 2024) if "labour_skills" in f.rule]
    value_set(org=huining, year=2024, code="labour_skills_poor", raw="500", by=None)
    assert [f.rule for f in table_validate(huining, 2024) if "labour_skills" in f.rule] == ["subset.labour_skills_poor"]
    value_set(org=huining, year=2024, code="labour_skills_poor", raw="260", by=None)

    # Derive: a 2024 ledger record feeds the 2024 rows.
    ledger_record_create(kind="enterprises", org=huining, year=2024, by=None, data={
        "name": "甘肃某某食品有限公司", "industry": "食品加工", "actual_investment": "820", "jobs": "40",
        "poor_jobs": "12", "order_households": "30", "in_park": "否", "key_county": "是",
    })
    derived = derived_values(2024, [huining])[huining.code]
    assert derived["region_enterprises"] == 1 and derived["region_jobs"] == 40

    # Report: the 2024 drafting rules, with the new rows and the ledger record; nothing of the dropped rows.
    (docx_path,) = report_write(huining, 2024, tmp_path)
    text = "\n".join(p.text for p in DocxDocument(str(docx_path)).paragraphs)
    assert "本年度新增开展技能培训的农村劳动力420人，其中脱贫劳动力260人。" in text
    assert "截至目前，在东部地区设立消费帮扶专柜、专馆3个" in text
    assert f"2024年度和平区拨付到位财政援助资金{carried['funds_allocated']}万元" in text
    assert "甘肃某某食品有限公司实际到位投资820万元，吸纳就业40人，其中脱贫劳动力12人，订单生产和产品代销30户" in text
    assert "职业学校" not in text and "None" not in text

    # Audit: the drafted 一、 agrees with the 2024 table it was drafted from.
    result = audit_document(read_report(docx_path), catalogue=catalogue, table=values_for(huining, 2024),
                            context=AuditContext(year=2024, west_names=("会宁县",), east_names=("和平区",)))
    table_contradictions = [f for f in result.findings if f.check == "text_table" and f.severity == "error"]
    assert table_contradictions == [], [f.message for f in table_contradictions]

    # Compare 2023 → 2024 across the two templates, by row code.
    lines = {line.row.code: line for line in compare(huining, (2023, 2024)).lines}
    assert lines["vocational_students"].status == "本年模板无此行"
    assert lines["labour_skills"].status == "上年模板无此行" and lines["labour_skills"].second == 420
    assert lines["funds_allocated"].change == 0 and lines["funds_allocated"].row.label == "1. 年度已拨付到位财政援助资金"


def test_a_broken_placeholder_is_refused_with_file_line_and_name(tmp_path):  # type: ignore[no-untyped-def]
    shutil.copy(TEMPLATES / "2024.toml", tmp_path / "2024.toml")
    rules = (TEMPLATES / "2024.drafting.toml").read_text(encoding="utf-8")
    # The 2023 sentence on vocational students, whose rows 2024 dropped, left in by mistake.
    lines = rules.splitlines()
    at = next(i for i, line in enumerate(lines) if "{train_classes}" in line) + 1
    lines.insert(at, '  "到东部就读职业学校农村学生{vocational_students}",')
    (tmp_path / "2024.drafting.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path / "2024.toml")
    location = caught.value.location
    assert location is not None
    assert (location.file, location.row, location.value) == ("2024.drafting.toml", f"第 {at + 1} 行", "vocational_students")

    result = subprocess.run([sys.executable, "-m", "xiezuo", "catalogue", "check", str(tmp_path / "2024.toml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "2024.drafting.toml" in output and f"第 {at + 1} 行" in output and "vocational_students" in output


@pytest.mark.parametrize(("bad", "reason"), [
    ("{=enterprise:count|家}", "台账「enterprise」不存在"),
    ("{=enterprises:sum:name|家}", "不是数值"),
    ("{=exchanges:count?kind=professor|人}", "取值「professor」不存在"),
    ("{funds_allocated|斤}", "量词或单位「斤」不可用"),
    ("{@county}", "不是可用的名称"),
    ("{labour_east+funds_allocated}", "同一单位"),
    ("[{labour_east}", "不成对"),
])
def test_every_kind_of_broken_placeholder_is_named(tmp_path, bad, reason):  # type: ignore[no-untyped-def]
    shutil.copy(TEMPLATES / "2024.toml", tmp_path / "2024.toml")
    rules = (TEMPLATES / "2024.drafting.toml").read_text(encoding="utf-8")
    rules = rules.replace('"双方召开高层联席会议{meet_joint}"', f'"双方召开高层联席会议{bad}"')
    (tmp_path / "2024.drafting.toml").write_text(rules, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path / "2024.toml")
    assert reason in caught.value.message
    assert caught.value.location is not None and caught.value.location.row
    line = int(caught.value.location.row.strip("第 行"))
    assert "双方召开高层联席会议" in rules.splitlines()[line - 1]
