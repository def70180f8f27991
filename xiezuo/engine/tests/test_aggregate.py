"""Sums and distinct counts for every area at once agree with the per-level grouped queries."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.engine import aggregate
from xiezuo.orgunits.models import Level, OrgUnit, Pairing, Side
from xiezuo.rollup.tests.factories import synthetic_area
from xiezuo.tables.models import DataValue


@pytest.fixture
def two_provinces(base_orgs):
    """Two synthetic provinces (60 and 120 counties), and a county right under a province, as 省直辖 counties are."""
    synthetic_area(60, province_code="980000")
    province = synthetic_area(120, province_code="990000")
    direct = OrgUnit.objects.create(code="999001", name="合成直辖县", level=Level.COUNTY, side=Side.WEST,
                                    parent=province, path=f"{province.path}999001/", synthetic=True)
    DataValue.objects.create(org=direct, year=2023, code="meet_party", number=D(7))
    DataValue.objects.create(org=direct, year=2023, code="consumption_sales", number=D("0.5000"))
    Pairing.objects.create(east=OrgUnit.objects.get(code="890101"), west=direct, start_year=2023)
    return province


def county_values():
    return DataValue.objects.filter(year=2023, org__level=Level.COUNTY, org__side=Side.WEST)


def per_level(level_of_key, grouped, total):
    """The sums the per-level helpers give: the nation's total, then each province's and city's."""
    nation = OrgUnit.objects.get(code="000000")
    out = {nation.path: total}
    for level in (len(nation.path), len(nation.path) + 7):
        out.update({k: v for k, v in grouped(level_of_key(level)).items() if k is not None})
    return out


def test_subtree_sums_equal_the_grouped_sums_of_every_level(two_provinces):
    expected = per_level(
        lambda n: aggregate.path_child("org__path", n),
        lambda key: aggregate.grouped_sums(county_values(), key),
        aggregate.total_sums(county_values()),
    )
    # The per-level query at city level also returns the direct county's own path: not an area.
    del expected[f"{two_provinces.path}999001/"]
    got = aggregate.subtree_sums(county_values())
    assert got == expected
    # Equal and printed alike: whole numbers without places, others without trailing zeros.
    assert {k: {c: str(v) for c, v in d.items()} for k, d in got.items()} == \
        {k: {c: str(v) for c, v in d.items()} for k, d in expected.items()}


def test_a_county_right_under_a_province_counts_in_the_province_and_the_nation_only(two_provinces):
    sums = aggregate.subtree_sums(county_values())
    province = sums[two_provinces.path]
    cities = [sums[c.path] for c in OrgUnit.objects.filter(parent=two_provinces, level=Level.CITY)]
    assert province["meet_party"] == sum(c["meet_party"] for c in cities) + 7
    assert str(province["consumption_sales"]) == "1.976"  # 120 × 0.0123 + 0.5
    assert f"{two_provinces.path}999001/" not in sums


def test_subtree_distinct_counts_each_party_once_per_area(two_provinces):
    pairings = Pairing.objects.filter(west__level=Level.COUNTY, west__side=Side.WEST)
    expected = per_level(
        lambda n: aggregate.path_child("west__path", n),
        lambda key: aggregate.grouped_distinct(pairings, key),
        aggregate.grouped_distinct(pairings, None)[None],
    )
    del expected[f"{two_provinces.path}999001/"]
    got = aggregate.subtree_distinct(pairings)
    assert got == expected
    # 60 paired counties in the 120-county province share ten districts; the direct county adds
    # its own pairing with one of them.
    assert got[two_provinces.path] == (10, 61)


def test_subtree_queries_do_not_grow_with_the_number_of_areas(two_provinces):
    with CaptureQueriesContext(connection) as ctx:
        aggregate.subtree_sums(county_values())
        aggregate.subtree_distinct(Pairing.objects.all())
    assert len(ctx.captured_queries) == 3


def test_path_prefixes_run_from_the_root_down():
    assert aggregate.path_prefixes("/000000/620000/620400/") == ["/000000/", "/000000/620000/", "/000000/620000/620400/"]
    assert aggregate.path_prefixes("/") == []
