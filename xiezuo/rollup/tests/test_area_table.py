"""Roll-up rules on hand-made data: sums, a recomputed ratio, distinct counts, text lists, pairings."""

from decimal import Decimal as D

import pytest

from xiezuo.orgunits.models import OrgUnit, Pairing
from xiezuo.rollup.selectors import area_table
from xiezuo.tables.services import ValueInput, values_set_many


def put(code: str, year: int, **values: object) -> None:
    org = OrgUnit.objects.get(code=code)
    values_set_many(org=org, year=year, inputs=[ValueInput(code=k, raw=v) for k, v in values.items()], by=None)


@pytest.fixture
def hand_made(base_orgs):
    put("620422", 2023, meet_party=1, funds_allocated="5590", funds_used="5086.25", funds_use_ratio="90.99",
        pair_east_counties=1, pair_west_counties=1, visit_e2w_principal="4月18日，甲，书记", consumption_sales="1.2019")
    put("620423", 2023, meet_party=2, funds_allocated="1000", funds_used="500", funds_use_ratio="50",
        pair_east_counties=1, pair_west_counties=1, visit_e2w_principal="5月2日，乙，区长", consumption_sales="0.5")
    put("620402", 2023, meet_party=3)
    # 和平区 helps two counties of the city: it is one eastern district, and two western counties.
    Pairing.objects.create(east=OrgUnit.objects.get(code="120101"), west=OrgUnit.objects.get(code="620423"),
                           start_year=2023)


def col(table, code):
    return next(c for c in table.columns if c.code == code).values


def test_city_columns_are_the_area_first_then_each_county(hand_made):
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    assert [c.name for c in table.columns] == ["白银市", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    assert table.covers == 5 and table.units_total == 5
    assert [c.covers for c in table.units] == [1, 1, 1, 1, 1]


def test_additive_rows_sum(hand_made):
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    assert table.area.values["meet_party"] == D(6)
    assert table.area.values["consumption_sales"] == D("1.7019")
    assert col(table, "620421")["meet_party"] is None  # 靖远县 reported nothing
    assert col(table, "620402")["meet_party"] == D(3)


def test_ratio_is_recomputed_from_summed_parts_never_averaged(hand_made):
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    # (5086.25 + 500) / (5590 + 1000) × 100 = 84.77; the average of 90.99 and 50 would be 70.50.
    assert table.area.values["funds_use_ratio"] == D("84.77")
    assert table.area.values["funds_allocated"] == D(6590)
    # Each county keeps the ratio it entered.
    assert col(table, "620422")["funds_use_ratio"] == D("90.99")
    assert col(table, "620423")["funds_use_ratio"] == D("50")


def test_distinct_rows_count_each_party_once(hand_made):
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    # Two counties each report one eastern district; it is the same district.
    assert table.area.values["pair_east_counties"] == D(1)
    assert table.area.values["pair_west_counties"] == D(2)
    assert col(table, "620422")["pair_east_counties"] == D(1)
    assert table.notes == []


def test_a_county_without_pairing_records_adds_its_own_figure_and_says_so(hand_made):
    put("620402", 2023, pair_east_counties=1)
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    assert table.area.values["pair_east_counties"] == D(2)
    assert any("未能去重" in n for n in table.notes)


def test_text_rows_are_listed_per_unit(hand_made):
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    assert table.area.values["visit_e2w_principal"] == "会宁县：4月18日，甲，书记\n景泰县：5月2日，乙，区长"
    assert col(table, "620422")["visit_e2w_principal"] == "4月18日，甲，书记"


def test_province_and_nation_roll_up_through_the_path(hand_made):
    province = area_table(OrgUnit.objects.get(code="620000"), 2023)
    assert [c.name for c in province.columns] == ["甘肃省", "白银市"]
    city = col(province, "620400")
    assert city["meet_party"] == D(6) and city["funds_use_ratio"] == D("84.77")
    assert city["visit_e2w_principal"].startswith("会宁县：")
    assert province.area.values["pair_east_counties"] == D(1)
    nation = area_table(OrgUnit.objects.get(code="000000"), 2023)
    assert nation.area.values["meet_party"] == D(6) and nation.covers == 5


def test_a_county_directly_under_a_province_is_a_column_of_its_own(hand_made):
    # A province-administered county (省直辖县级行政单位) beside the province's cities.
    province = OrgUnit.objects.get(code="620000")
    OrgUnit.objects.create(code="629001", name="直辖县", level="county", side="west", parent=province,
                           path=f"{province.path}629001/")
    put("629001", 2023, meet_party=4, funds_allocated="100", funds_used="100", funds_use_ratio="100")
    table = area_table(province, 2023)
    assert [c.name for c in table.columns] == ["甘肃省", "白银市", "直辖县"]
    assert col(table, "620400")["meet_party"] == D(6)
    own = next(c for c in table.units if c.code == "629001")
    assert own.reporting and own.values["meet_party"] == D(4) and own.values["funds_use_ratio"] == D(100)
    assert table.area.values["meet_party"] == D(10) and table.covers == 6
    # The ratio of the whole province from the summed parts of every county that reported both.
    assert table.area.values["funds_use_ratio"] == (D("5686.25") / D("6690") * 100).quantize(D("0.01"))
    nation = area_table(OrgUnit.objects.get(code="000000"), 2023)
    assert col(nation, "620000")["meet_party"] == D(10)


def test_eastern_district_sees_the_counties_it_helps(hand_made):
    table = area_table(OrgUnit.objects.get(code="120101"), 2023)
    assert [c.name for c in table.columns] == ["和平区", "会宁县", "景泰县"]
    assert table.area.values["meet_party"] == D(3)
    assert table.area.values["funds_use_ratio"] == D("84.77")
    assert table.area.values["pair_east_counties"] == D(1)
    assert table.area.values["pair_west_counties"] == D(2)


def test_eastern_city_rolls_up_its_districts_pairings(hand_made):
    hedong = OrgUnit.objects.create(code="120102", name="河东区", level="county", side="east",
                                    parent=OrgUnit.objects.get(code="120000"), path="/120000/120102/")
    # 景泰县 is helped by two districts: it is counted once for 天津市, under each district's column.
    Pairing.objects.create(east=hedong, west=OrgUnit.objects.get(code="620423"), start_year=2022)
    table = area_table(OrgUnit.objects.get(code="120000"), 2023)
    assert [c.name for c in table.columns] == ["天津市", "和平区", "河东区"]
    assert table.covers == 2
    assert table.area.values["meet_party"] == D(3)
    assert col(table, "120101")["meet_party"] == D(3)
    assert col(table, "120102")["meet_party"] == D(2)
    assert table.area.values["pair_east_counties"] == D(2)
    assert table.area.values["pair_west_counties"] == D(2)
    assert col(table, "120102")["pair_east_counties"] == D(1)
    assert table.area.values["visit_e2w_principal"].count("景泰县") == 1


def test_pairings_out_of_force_do_not_count(hand_made):
    Pairing.objects.filter(west__code="620423").update(end_year=2022)
    table = area_table(OrgUnit.objects.get(code="120101"), 2023)
    assert [c.name for c in table.columns] == ["和平区", "会宁县"]


def test_a_county_is_its_own_area(hand_made):
    table = area_table(OrgUnit.objects.get(code="620422"), 2023)
    assert table.units == [] and table.covers == 1
    assert table.area.values["funds_use_ratio"] == D("90.99")
    assert table.area.values["visit_e2w_principal"] == "4月18日，甲，书记"


def test_approved_only_rolls_up_approved_units_and_says_how_many(hand_made):
    from xiezuo.submissions.models import Submission

    Submission.objects.create(org=OrgUnit.objects.get(code="620422"), year=2023, state="approved")
    Submission.objects.create(org=OrgUnit.objects.get(code="620423"), year=2023, state="submitted")
    table = area_table(OrgUnit.objects.get(code="620400"), 2023, approved_only=True)
    assert (table.covers, table.units_total) == (1, 5)
    assert table.area.values["meet_party"] == D(1)
    assert table.area.values["funds_use_ratio"] == D("90.99")
    assert "已审核通过的 1 个" in table.coverage_text and "共 5 个" in table.coverage_text
    assert col(table, "620423")["meet_party"] is None


def test_a_ratio_leaves_out_counties_that_reported_only_one_of_its_parts(hand_made):
    # 白银区 reports money allocated but nothing used yet: adding its allocation alone would drag
    # the city's ratio down to (5086.25 + 500) ÷ (5590 + 1000 + 4000).
    put("620402", 2023, funds_allocated="4000")
    table = area_table(OrgUnit.objects.get(code="620400"), 2023)
    assert table.area.values["funds_allocated"] == D(10590)
    assert table.area.values["funds_use_ratio"] == D("84.77")
    province = area_table(OrgUnit.objects.get(code="620000"), 2023)
    assert col(province, "620400")["funds_use_ratio"] == D("84.77")
