"""Targets at risk: projections to the year's end, the flag, the sorting by shortfall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiezuo.assessment.models import Target
from xiezuo.ledgers.models import ConsumptionSale
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.periods import period_for
from xiezuo.progress.projections import project
from xiezuo.progress.services import snapshots_backfill
from xiezuo.progress.targets import target_statuses, targets_at_risk


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_flow_is_projected_along_its_line_through_zero() -> None:
    # 30 in 90 days, 60 in 181 days: about a third of a person a day → 120 or so by 31 December.
    p = project([(d("2023-03-31"), Decimal(30)), (d("2023-06-30"), Decimal(60))], span="flow")
    assert p is not None and p.method == "linear"
    assert p.value == Decimal(121)  # least squares through (0,0), (90,30), (181,60), read at day 365
    assert project([(d("2023-06-30"), Decimal(50))], span="flow").value == Decimal(101)  # type: ignore[union-attr]


def test_a_stock_is_projected_along_its_own_line_or_kept_when_there_is_one_point() -> None:
    p = project([(d("2023-03-31"), Decimal(200)), (d("2023-06-30"), Decimal(230))], span="stock")
    assert p is not None and p.method == "linear" and p.value == Decimal(291)  # 230 + 30 × 184 / 91
    flat = project([(d("2023-06-30"), Decimal(230))], span="stock")
    assert flat is not None and flat.method == "flat" and flat.value == 230


def test_last_years_curve_is_used_when_there_is_one_and_the_year_end_is_the_actual_value() -> None:
    last_year = [(d("2022-06-30"), Decimal(40)), (d("2022-12-31"), Decimal(100))]
    flow = project([(d("2023-06-30"), Decimal(50))], span="flow", last_year=last_year)
    assert flow is not None and flow.method == "last_year" and flow.value == Decimal(125)  # 50 × 100 / 40
    stock = project([(d("2023-06-30"), Decimal(50))], span="stock", last_year=last_year)
    assert stock is not None and stock.value == Decimal(110)  # 50 + (100 − 40)
    actual = project([(d("2023-06-30"), Decimal(50)), (d("2023-12-31"), Decimal(70))], span="flow")
    assert actual is not None and actual.method == "actual" and actual.value == 70
    assert project([], span="flow") is None


def _sales(org: OrgUnit, year: int, per_month: dict[int, str]) -> None:
    for month, amount in per_month.items():
        ConsumptionSale.objects.create(org=org, year=year, date=dt.date(year, month, 10), seller="某合作社",
                                       product="小杂粮", amount=Decimal(amount))


def test_a_unit_on_track_and_one_behind_are_projected_and_flagged(demo) -> None:  # type: ignore[no-untyped-def]
    # A second year and two counties without demo ledgers; sales in 万元, the row in 亿元.
    jingyuan, jingtai = OrgUnit.objects.get(code="620421"), OrgUnit.objects.get(code="620423")
    _sales(jingyuan, 2024, {m: "100" for m in range(1, 7)})  # 600万元 by June: on course for 1200
    _sales(jingtai, 2024, {m: "20" for m in range(1, 7)})  # 120万元 by June: on course for 240
    for org, target in ((jingyuan, "0.1"), (jingtai, "0.1")):  # both aim at 0.1亿元 = 1000万元
        Target.objects.create(org=org, year=2024, code="consumption_sales", number=Decimal(target))
    baiyin = OrgUnit.objects.get(code="620400")
    from xiezuo.progress.services import periods_create

    periods_create(set_by=baiyin, year=2024, by=None)
    for org in (jingyuan, jingtai):
        snapshots_backfill(org=org, periods=[period_for(org, 2024, f"2024-{m:02d}") for m in (3, 6)], by=None)
    statuses = {s.org.code: s for s in target_statuses(baiyin, 2024)}
    on_track, behind = statuses["620421"], statuses["620423"]
    assert on_track.latest == Decimal("0.06") and not on_track.at_risk
    # 0.03亿元 on day 91 and 0.06 on day 182 of a leap year lie on one line through zero: 0.06 × 366 / 182.
    assert on_track.projection.method == "linear" and on_track.projection.value == Decimal("0.1207")
    assert behind.at_risk and behind.projection.value == Decimal("0.0241") and behind.gap == Decimal("0.0759")
    at_risk = targets_at_risk(baiyin, 2024)
    assert [(s.org.code, s.row.code) for s in at_risk] == [("620423", "consumption_sales")]
    assert at_risk[0].as_dict()["method_label"] == "按本年各期快照线性外推至年末"
    # As of the end of March only the first snapshot counts.
    march = {s.org.code: s for s in target_statuses(baiyin, 2024, as_of=dt.date(2024, 3, 31))}
    assert march["620423"].latest == Decimal("0.006")
