"""The roll-up takes the same number of queries for 10 counties as for 1,000."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.orgunits.models import OrgUnit
from xiezuo.rollup.selectors import area_table
from xiezuo.rollup.tests.factories import synthetic_area


def count_queries(org: OrgUnit, year: int = 2023) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        table = area_table(org, year)
    return len(ctx.captured_queries), table


@pytest.mark.slow
def test_fixed_number_of_queries_for_a_thousand_counties(base_orgs):
    small = synthetic_area(10, province_code="980000")
    big = synthetic_area(1000, province_code="990000")

    small_n, _ = count_queries(small)
    big_n, table = count_queries(big)
    assert big_n == small_n <= 12, (big_n, small_n)
    assert table.covers == 1000 and len(table.units) == 20
    assert sum(c.covers for c in table.units) == 1000
    # Sums, the recomputed ratio and distinct counts are right at scale too.
    assert table.area.values["meet_party"] == D(sum(1 + i % 3 for i in range(1000)))
    assert table.area.values["funds_use_ratio"] == D("90.00")
    assert table.area.values["pair_east_counties"] == D(10 + 500)  # ten districts; 500 unpaired counties add 1 each
    assert table.area.values["pair_west_counties"] == D(500 + 500)  # 500 paired + 500 reporting 1 unpaired
    assert table.area.values["visit_e2w_principal"].count("\n") == 999

    # A city column and an eastern district behave the same way.
    city = OrgUnit.objects.get(code="990100")
    city_small = OrgUnit.objects.get(code="980100")
    assert count_queries(city)[0] == count_queries(city_small)[0]
    east = OrgUnit.objects.get(code="890101")
    east_small = OrgUnit.objects.get(code="880101")
    n_east, east_table = count_queries(east)
    assert n_east == count_queries(east_small)[0]
    assert east_table.covers == 50  # every tenth of the 500 paired counties
    assert count_queries(OrgUnit.objects.get(code="890000"))[0] == count_queries(OrgUnit.objects.get(code="880000"))[0]


@pytest.mark.slow
def test_assessment_and_completeness_take_fixed_queries_too(base_orgs):
    from xiezuo.assessment.selectors import assess
    from xiezuo.rollup.completeness import completeness

    small = synthetic_area(10, province_code="980000")
    big = synthetic_area(1000, province_code="990000")
    counts = []
    for area in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            result = assess(area, 2023)
        counts.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            completeness(area, 2023)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3] <= 2
    assert len(result.ranking) == 1000
