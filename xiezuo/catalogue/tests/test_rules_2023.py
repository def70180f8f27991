"""Each kind of rule the 2023 template carries, on data that passes and data that fails."""

from decimal import Decimal as D

import pytest

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.engine.validate import validate_units
from xiezuo.tables.selectors import values_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(huining):
    return values_for(huining, 2023)


def rules_broken(values, previous=None):
    cat = get_catalogue(2023)
    return {f.rule: f for f in validate_units(cat, {"x": values}, {"x": previous or {}})}


def test_published_table_breaks_only_the_overlapping_uses(published):
    assert set(rules_broken(published)) == {"funds.uses_sum"}


def test_subset(published):
    assert "subset.train_poor" not in rules_broken(published)
    broken = rules_broken({**published, "train_poor": D(800)})
    assert "subset.train_poor" in broken
    assert "800人次" in broken["subset.train_poor"].message and "790人次" in broken["subset.train_poor"].message


def test_parts_add_up(published):
    assert "parts.pro_e2w" not in rules_broken(published)
    broken = rules_broken({**published, "pro_e2w_12": D(10)})
    assert "parts.pro_e2w" in broken
    assert "30" in broken["parts.pro_e2w"].message and "31人" in broken["parts.pro_e2w"].message


def test_ratio_recomputed(published):
    assert "funds.use_ratio" not in rules_broken(published)
    broken = rules_broken({**published, "funds_use_ratio": D("91.5")})
    assert "90.99%" in broken["funds.use_ratio"].message and "91.5%" in broken["funds.use_ratio"].message


def test_same_quantity_in_two_sections_after_unit_conversion(published):
    assert "key.investment_match" not in rules_broken(published)
    broken = rules_broken({**published, "region_invest": D(6907)})
    assert "key.investment_match" in broken
    assert "69070000万元" in broken["key.investment_match"].message
    broken = rules_broken({**published, "key_enterprise_invest": D("6970")})
    assert "key.investment_match" in broken


def test_cross_section_for_an_area_that_is_not_all_key_counties(published):
    area = {**published, "pair_west_counties": D(2), "key_funds": D(3000)}
    assert "key.funds_match" not in rules_broken(area)
    assert "key.funds_match" in rules_broken({**area, "key_funds": D(6000)})


def test_non_negative(published):
    broken = rules_broken({**published, "vocational_employed": D(-1)})
    assert "nonneg.vocational_employed" in broken


def test_year_over_year_decrease_is_a_warning(published):
    last_year = {"labour_east": D(232), "labour_other": D(1600)}
    broken = rules_broken(published, last_year)
    assert "yoy.labour_east" not in broken
    assert broken["yoy.labour_other"].severity == "warning"
    assert "1600人" in broken["yoy.labour_other"].message


def test_missing_values_are_not_reported():
    assert rules_broken({}) == {}


def test_county_only_rules_are_skipped_for_areas(published):
    cat = get_catalogue(2023)
    city_sum = {**published, "consumption_sales": D(250)}  # 250亿元 summed over many counties
    as_county = {f.rule for f in validate_units(cat, {"x": city_sum}, levels={"x": "county"})}
    as_city = {f.rule for f in validate_units(cat, {"x": city_sum}, levels={"x": "city"})}
    assert "units.consumption_magnitude" in as_county
    assert "units.consumption_magnitude" not in as_city
    assert cat.rules[[r.id for r in cat.rules].index("key.investment_match")].levels == ("county",)
