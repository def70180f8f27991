"""Synthetic ledger records pass the same checks as an imported spreadsheet row."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.apps import apps

pytestmark = pytest.mark.skipif(not apps.is_installed("xiezuo.ledgers"), reason="ledgers not installed")


def as_form_value(col, value):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.schema import NO, YES

    if value is None:
        return ""
    if col.type == "bool":
        return YES if value else NO
    if col.type == "money":
        return str(Decimal(value) / 10_000)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def test_every_ledgers_synthetic_records_pass_the_import_checks() -> None:
    from xiezuo.ledgers.cells import check_record
    from xiezuo.ledgers.schema import LEDGERS
    from xiezuo.synth.ledgers import record_values

    rng = random.Random(4)
    for ledger in LEDGERS:
        seen: set[str] = set()
        for i in range(1, 60):
            rec = record_values(ledger, county_code="900101", county_name="合成一省一市一县", year=2023, index=i,
                                rng=rng, seen_ids=seen)
            data = {c.name: as_form_value(c, rec.get(c.name)) for c in ledger.columns}
            checked, errors = check_record(ledger, data, year=2023)
            assert errors == [], (ledger.kind, i, [e.reason for e in errors])
            assert all("合成" in str(rec[c.name]) for c in ledger.columns if c.type == "text" and rec.get(c.name)
                       and c.name not in ("note",))


@pytest.mark.django_db
def test_a_small_nation_has_ledgers_and_its_derived_rows_agree_with_them() -> None:
    from xiezuo.ledgers.models import ConsumptionSale, LabourPlacement
    from xiezuo.ledgers.reconciliation import derived_values
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.synth.plan import Sizes
    from xiezuo.synth.services import synth_generate
    from xiezuo.tables.findings import tables_validate
    from xiezuo.tables.models import DataValue

    synth_generate(sizes=Sizes(provinces=1, cities_per_province=2, counties_per_city=3, labour_per_county=40,
                               sales_per_county=10), seed=2)
    counties = list(OrgUnit.objects.filter(synthetic=True, level="county", side="west"))
    assert LabourPlacement.objects.filter(org__in=counties, synthetic=True).count() == 6 * 40
    assert ConsumptionSale.objects.filter(org__in=counties).count() == 6 * 10
    assert tables_validate(counties, 2023) == []
    derived = derived_values(2023, counties)
    stored = {(v.org.code, v.code): v.number for v in
              DataValue.objects.filter(org__in=counties, year=2023, source="derived").select_related("org")}
    assert stored, "most derivable rows should come from the ledgers"
    for (org, code), number in stored.items():
        assert derived[org][code] == number


@pytest.mark.django_db
def test_a_rerun_also_removes_what_other_areas_attached_to_synthetic_counties() -> None:
    from xiezuo.ledgers.models import Reconciliation
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.synth.plan import Sizes
    from xiezuo.synth.services import synth_generate

    sizes = Sizes(provinces=1, cities_per_province=1, counties_per_city=2, labour_per_county=5, sales_per_county=2)
    synth_generate(sizes=sizes, seed=1)
    county = OrgUnit.objects.filter(synthetic=True, level="county", side="west").first()
    Reconciliation.objects.create(org=county, year=2023, code="labour_east", decision="keep", reason="合成")
    synth_generate(sizes=sizes, seed=1)
    assert not Reconciliation.objects.exists()
    assert OrgUnit.objects.filter(synthetic=True, level="county", side="west").count() == 2
