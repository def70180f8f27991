"""Table values from the ledgers: the demo county, the fixed query count, reconciliation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from xiezuo.core.errors import InvalidValue, PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import Donation, FundProject, LabourPlacement
from xiezuo.ledgers.reconciliation import derived_values, reconciliation_for, reconciliation_history
from xiezuo.ledgers.services import reconciliation_accept, reconciliation_keep
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue

# Rows where the report's own ledgers (its text) and its table disagree; see docs/ledgers.md.
SEED_DISAGREES = {
    "pair_east_enterprises",  # text: 企业与示范村结对 4 对; table: 40 enterprises
    "funds_employment", "funds_talent", "funds_demo", "funds_infra", "funds_infra_logistics",
    "funds_infra_roads", "funds_services", "funds_environment",  # text classifies the 5590万元 otherwise
    "social_goods",  # text: 捐物折款 605.3975万元; table: 612.3725万元
}


def test_demo_ledgers_derive_the_published_table_except_where_the_report_disagrees(huining: OrgUnit) -> None:
    lines = reconciliation_for(huining, 2023)
    assert len(lines) > 100
    assert all(ln.published for ln in lines)
    differing = {ln.row.code for ln in lines if not ln.agrees}
    assert differing == SEED_DISAGREES
    by_code = {ln.row.code: ln for ln in lines}
    assert by_code["labour_other"].derived == 1580
    assert by_code["region_invest"].derived == Decimal("0.6907")
    assert by_code["consumption_sales"].derived == Decimal("1.2019")
    assert by_code["social_goods"].difference == Decimal("-6.975")
    assert LabourPlacement.objects.filter(org=huining, synthetic=True).count() == 2641
    assert all(idcard.id_problem(n) is None for n in LabourPlacement.objects.values_list("id_number", flat=True))


def _county(code: str, parent: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.create(code=code, name=f"测试县{code}", level="county", side="west", parent=parent,
                                  path=f"{parent.path}{code}/", synthetic=True)


def _records(org: OrgUnit, n: int) -> None:
    LabourPlacement.objects.bulk_create([
        LabourPlacement(org=org, year=2023, name=f"人{i}", id_number=idcard.make_id(org.code, dt.date(1990, 1, 1), i),
                        poverty_status="poor" if i % 2 else "general", destination="east",
                        start_date=dt.date(2023, 3, 1), new_this_year=True)
        for i in range(n)
    ])
    # 0.0001万元 (1元) amounts: a float sum would drift, the integer sum cannot.
    Donation.objects.bulk_create([Donation(org=org, year=2023, donor="甲", form="goods", amount=Decimal("0.1001"))
                                  for _ in range(n)])


def test_derivation_for_all_counties_takes_the_same_number_of_queries_for_1_or_12(base_orgs) -> None:  # type: ignore[no-untyped-def]
    city = OrgUnit.objects.get(code="620400")

    def count_queries() -> tuple[int, dict[str, dict[str, Decimal]]]:
        with CaptureQueriesContext(connection) as ctx:
            values = derived_values(2023)
        return len(ctx.captured_queries), values

    _records(OrgUnit.objects.get(code="620422"), 3)
    one, values = count_queries()
    for i in range(11):
        county = _county(str(620490 + i), city)
        _records(county, 3 + i)
    twelve, values = count_queries()
    assert one == twelve
    assert one <= 16  # org codes + one per ledger the template derives from
    assert len(values) == 12
    assert values["620490"]["labour_east"] == 3
    assert values["620500"]["labour_east"] == 13
    assert values["620500"]["labour_east_poor"] == 6
    assert values["620500"]["social_goods"] == Decimal("1.3013")
    assert "meet_party" not in values["620500"]  # no meeting ledger kept there: nothing, not 0


def test_accepting_the_derived_value_writes_the_table_and_keeps_who_and_when(huining: OrgUnit) -> None:
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="huining-clerk")
    reconciliation_accept(org=huining, year=2023, code="social_goods", by=clerk)
    dv = DataValue.objects.get(org=huining, year=2023, code="social_goods")
    assert dv.number == Decimal("605.3975") and dv.source == "derived"
    line = next(ln for ln in reconciliation_for(huining, 2023) if ln.row.code == "social_goods")
    assert line.agrees and line.decision == "accept" and line.decided_by == clerk.get_full_name() != ""
    assert ChangeRecord.objects.filter(action="reconciliation.accept", actor=clerk).count() == 1
    assert ChangeRecord.objects.filter(action="value.set", object_key="620422/2023/social_goods").exists()


def test_keeping_the_entered_value_needs_a_reason_and_both_decisions_stay_in_history(huining: OrgUnit) -> None:
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="huining-clerk")
    with pytest.raises(InvalidValue):
        reconciliation_keep(org=huining, year=2023, code="pair_east_enterprises", reason="  ", by=clerk)
    reconciliation_keep(org=huining, year=2023, code="pair_east_enterprises",
                        reason="40 家企业结对 4 个村，台账只登记了对数", by=clerk)
    reconciliation_accept(org=huining, year=2023, code="pair_east_enterprises", by=clerk)
    history = reconciliation_history(huining, 2023, "pair_east_enterprises")
    assert [h.decision for h in history] == ["accept", "keep"]
    assert history[1].reason.startswith("40 家企业") and history[1].entered == 40 and history[1].derived == 4
    assert DataValue.objects.get(org=huining, year=2023, code="pair_east_enterprises").number == 4


def test_a_reviewer_cannot_change_the_countys_table(huining: OrgUnit) -> None:
    from django.contrib.auth import get_user_model

    reviewer = get_user_model().objects.get(username="baiyin-reviewer")
    with pytest.raises(PermissionDenied):
        reconciliation_accept(org=huining, year=2023, code="social_goods", by=reviewer)


def test_cli_derive_prints_entered_derived_and_difference(huining: OrgUnit) -> None:
    from xiezuo.cli import app

    result = CliRunner().invoke(app, ["derive", "--org", "620422", "--year", "2023", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    assert rows["social_goods"] == {**rows["social_goods"], "entered": "612.3725", "derived": "605.3975",
                                    "difference": "-6.975"}
    assert rows["labour_local_poor"]["difference"] == "0"
    text = CliRunner().invoke(app, ["derive", "--org", "会宁县", "--year", "2023"])
    assert "不一致 10 项" in text.stdout


def test_fund_project_amounts_survive_to_the_cent(huining: OrgUnit) -> None:
    assert FundProject.objects.get(org=huining, name__startswith="会宁县第五中学").allocated == Decimal("514.79")
