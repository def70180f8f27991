"""Reporting periods and the table as of a day: stock rows against flow rows, snapshots, compare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.core.changes import actor_display_name
from xiezuo.core.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import LabourPlacement, Meeting
from xiezuo.ledgers.reconciliation import derived_values, reconciliation_for
from xiezuo.ledgers.services import ledger_rows_import
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.models import PeriodKind, Snapshot
from xiezuo.progress.periods import period_for, periods_for, snapshot_compare, table_as_of
from xiezuo.progress.services import periods_create, snapshot_freeze

JUNE, SEED_DAY, YEAR_END = dt.date(2023, 6, 30), dt.date(2023, 11, 20), dt.date(2023, 12, 31)


def test_demo_has_monthly_snapshots_and_the_year_end_one_equals_the_published_table(huining: OrgUnit) -> None:
    snaps = {s.period.key: s for s in Snapshot.objects.filter(org=huining).select_related("period")}
    assert {f"2023-{m:02d}" for m in range(1, 13)} <= set(snaps)
    assert {"2023-H1", "2023-H2", "2023"} <= set(snaps)
    annual = snaps["2023"]
    assert annual.as_of == YEAR_END
    derived = derived_values(2023, [huining])["620422"]
    assert {c: Decimal(v) for c, v in annual.values.items()} == derived
    agreeing = [ln for ln in reconciliation_for(huining, 2023) if ln.agrees]
    assert len(agreeing) >= 100
    for line in agreeing:  # the published figure, for every row the ledgers reproduce
        assert Decimal(annual.values[line.row.code]) == line.entered, line.row.code
    # Monthly figures of a flow never shrink and reach the year's figure in December.
    months = [Decimal(snaps[f"2023-{m:02d}"].values["labour_new_east"]) for m in range(1, 13)]
    assert months == sorted(months) and months[-1] == derived["labour_new_east"] and months[0] < months[-1]
    assert annual.derivation["labour_east"] == {"ledger": "labour_placements", "span": "stock", "date": "start_date"}


def test_as_of_30_june_and_20_november_stock_and_flow_rows_differ_as_they_should(huining: OrgUnit) -> None:
    table = table_as_of([huining], 2023, [JUNE, SEED_DAY, YEAR_END])["620422"]
    june, seed, end = table[JUNE], table[SEED_DAY], table[YEAR_END]
    people = LabourPlacement.objects.filter(org=huining, year=2023, destination="east")
    before_year = people.filter(start_date__lt=dt.date(2023, 1, 1)).count()
    assert before_year > 0
    for day, values in ((JUNE, june), (SEED_DAY, seed)):
        # Flow (新增): only this year's placements up to the day.
        assert values["labour_new_east"] == people.filter(
            new_this_year=True, start_date__gte=dt.date(2023, 1, 1), start_date__lte=day).count()
        # Stock (截至目前): everyone placed up to the day, earlier years included.
        assert values["labour_east"] == people.filter(start_date__lte=day).count()
        assert values["meet_gov"] == Meeting.objects.filter(org=huining, year=2023, kind="gov", date__lte=day).count()
    # The stock carries the earlier years' people from the first day; the flow starts from zero.
    assert june["labour_east"] - june["labour_new_east"] >= before_year
    assert june["labour_new_east"] < seed["labour_new_east"] <= end["labour_new_east"]
    assert end["labour_east"] == 235 and end["labour_new_east"] == 218
    # Records without a date: a stock counts them all year, a flow only once the year is over.
    assert june["pair_east_schools"] == end["pair_east_schools"] > 0
    assert june["social_funds"] == 0 < end["social_funds"]


def test_a_second_county_and_a_second_year_derive_as_of_a_day_in_one_query_per_ledger(demo) -> None:  # type: ignore[no-untyped-def]
    jingyuan = OrgUnit.objects.get(code="620421")
    headers = ["姓名", "身份证号", "人员类别", "就业去向", "就业单位", "就业日期", "本年新增"]
    rows = [
        ["甲", idcard.make_id("620421", dt.date(1985, 3, 1), 11), "一般", "省内就近", "", "2021-05-01", "否"],
        ["乙", idcard.make_id("620421", dt.date(1986, 3, 1), 12), "脱贫", "省内就近", "", "2024-02-10", "是"],
        ["丙", idcard.make_id("620421", dt.date(1987, 3, 1), 13), "脱贫", "省内就近", "", "2024-08-01", "是"],
    ]
    ledger_rows_import(kind="labour_placements", headers=headers, rows=rows, org=jingyuan, year=2024, by=None,
                       file="test.csv")
    days = [dt.date(2024, 1, 31), dt.date(2024, 6, 30), dt.date(2024, 12, 31)]
    with CaptureQueriesContext(connection) as ctx:
        table = table_as_of([jingyuan], 2024, days)["620421"]
    ledger_queries = [q for q in ctx.captured_queries if "ledgers_labour_placement" in q["sql"]]
    assert len(ledger_queries) == 1
    assert [table[d]["labour_local"] for d in days] == [1, 2, 3]
    assert [table[d]["labour_new_local"] for d in days] == [0, 1, 2]
    assert [table[d]["labour_new_local_poor"] for d in days] == [0, 1, 2]
    assert table[days[0]]["labour_local_poor"] == 0


def test_periods_are_set_above_and_apply_to_the_units_below(demo, user) -> None:  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    periods = periods_for(huining, 2023)
    assert [p.kind for p in periods].count(PeriodKind.MONTH) == 12
    assert all(p.set_by.code == "620000" for p in periods)
    june = period_for(huining, 2023, "2023-06")
    assert june.ends_on == JUNE and june.due_on == dt.date(2023, 7, 5) and june.label == "2023年6月"
    assert period_for(huining, 2023, "2023-H1").ends_on == JUNE
    # The city sets its own for 2024; its counties follow the city, not the province.
    baiyin = OrgUnit.objects.get(code="620400")
    periods_create(set_by=baiyin, year=2024, by=user("baiyin-reviewer"), month_due_day=28)
    assert {p.set_by.code for p in periods_for(huining, 2024)} == {"620400"}
    assert period_for(huining, 2024, "2024-02").due_on == dt.date(2024, 3, 28)
    with pytest.raises(InvalidValue, match="已设定"):
        periods_create(set_by=baiyin, year=2024, by=None)
    with pytest.raises(InvalidValue, match="由上级设定"):
        periods_create(set_by=huining, year=2025, by=None)
    with pytest.raises(PermissionDenied):
        periods_create(set_by=baiyin, year=2025, by=user("huining-clerk"))
    with pytest.raises(NotFound, match="2023-13"):
        period_for(huining, 2023, "2023-13")


def test_a_snapshot_is_frozen_once_by_its_own_county_with_a_change_record(demo, user) -> None:  # type: ignore[no-untyped-def]
    jingyuan = OrgUnit.objects.get(code="620421")
    Meeting.objects.create(org=jingyuan, year=2023, date=dt.date(2023, 3, 2), kind="gov", topic="部署")
    march = period_for(jingyuan, 2023, "2023-03")
    with pytest.raises(NotFound):  # another county is outside the clerk's scope
        snapshot_freeze(org=jingyuan, period=march, by=user("huining-clerk"))
    with pytest.raises(PermissionDenied):  # the city sees it but does not report for it
        snapshot_freeze(org=jingyuan, period=march, by=user("baiyin-reviewer"))
    clerk = user("jingyuan-clerk")
    snap = snapshot_freeze(org=jingyuan, period=march, by=clerk)
    assert snap.values["meet_gov"] == "1" and snap.frozen_by_name == actor_display_name(clerk)
    assert ChangeRecord.objects.filter(action="snapshot.freeze", object_key="620421/2023-03").exists()
    # Later ledger changes do not touch a frozen snapshot.
    Meeting.objects.create(org=jingyuan, year=2023, date=dt.date(2023, 3, 20), kind="gov", topic="再部署")
    snap.refresh_from_db()
    assert snap.values["meet_gov"] == "1"
    with pytest.raises(InvalidTransition, match="已报送"):
        snapshot_freeze(org=jingyuan, period=march, by=user("jingyuan-clerk"))
    with pytest.raises(InvalidValue, match="不是县级单位"):
        snapshot_freeze(org=OrgUnit.objects.get(code="620400"), period=march, by=None)


def test_any_two_snapshots_compare_row_by_row(huining: OrgUnit) -> None:
    snaps = {s.period.key: s for s in Snapshot.objects.filter(org=huining).select_related("period")}
    changes = {c.row.code: c for c in snapshot_compare(snaps["2023-06"], snaps["2023-11"])}
    june, nov = snaps["2023-06"].values, snaps["2023-11"].values
    assert set(changes) == {c for c in june if june[c] != nov[c]}
    change = changes["labour_new_east"]
    assert change.old == Decimal(june["labour_new_east"]) and change.new == Decimal(nov["labour_new_east"])
    assert change.difference == change.new - change.old > 0
    assert change.as_dict()["label"].startswith("3. 新增帮助农村劳动力到东部结对省份就业数")
    assert "pair_east_schools" not in changes  # a stock that did not move
    assert len(snapshot_compare(snaps["2023-06"], snaps["2023-11"], changed_only=False)) == len(june)
