"""The derivation compiler: specs checked against the ledger schema, one query per ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiezuo.catalogue.loader import parse_catalogue
from xiezuo.core.errors import CatalogueError
from xiezuo.engine.derive import SpecError, compile_all, convert, parse_spec
from xiezuo.engine.validate import catalogue_check


def spec(raw: dict, unit: str = "人", kind: str = "int", places: int = 0):  # type: ignore[no-untyped-def]
    return parse_spec(raw, code="x", unit=unit, value_kind=kind, places=places)


def test_specs_on_one_ledger_compile_into_one_query_grouped_by_their_filter_columns() -> None:
    specs = [
        parse_spec({"ledger": "labour_placements", "filter": {"destination": "east"}, "aggregate": "count"},
                   code="a", unit="人", value_kind="int", places=0),
        parse_spec({"ledger": "labour_placements", "filter": {"destination": ["east", "local"], "new_this_year": True},
                    "aggregate": "count"}, code="b", unit="人", value_kind="int", places=0),
        parse_spec({"ledger": "fund_projects", "aggregate": "sum:allocated"}, code="c", unit="万元",
                   value_kind="decimal", places=2),
    ]
    queries = compile_all(specs, years=[2023])
    assert [q.ledger for q in queries] == ["fund_projects", "labour_placements"]
    labour = queries[1]
    assert labour.sql.count("SELECT") == 1
    # Codes and yes/no: a few groups per county, filtered here rather than row by row in SQL.
    assert 'GROUP BY org_id, year, "destination", "new_this_year"' in labour.sql
    assert "CASE" not in labour.sql and labour.aggregates == (None,)
    assert labour.params == [2023]
    # Without filters there is nothing to group by: one plain aggregate.
    assert queries[0].group_by == () and "COALESCE(SUM(\"allocated\"), 0)" in queries[0].sql


def test_other_filters_and_distinct_counts_compile_into_conditional_aggregates() -> None:
    specs = [
        parse_spec({"ledger": "labour_placements", "filter": {"destination": "east"}, "aggregate": "count"},
                   code="a", unit="人", value_kind="int", places=0),
        parse_spec({"ledger": "labour_placements", "filter": {"destination": ["east", "local"], "new_this_year": True},
                    "aggregate": "count"}, code="b", unit="人", value_kind="int", places=0),
    ]
    labour = compile_all(specs, years=[2023], conditional=True)[0]
    assert "GROUP BY org_id, year" in labour.sql and labour.group_by == ()
    assert labour.sql.count("SUM(CASE WHEN") == 2
    assert '"destination" IN (%s, %s)' in labour.sql
    assert labour.params == ["east", "east", "local", True, 2023]
    distinct = parse_spec({"ledger": "pairings", "filter": {"kind": "county"},
                           "aggregate": "count_distinct:east_party"}, code="d", unit="个", value_kind="int", places=0)
    assert compile_all([distinct], years=[2023])[0].sql.count("COUNT(DISTINCT CASE WHEN") == 1


@pytest.mark.django_db
def test_grouped_and_conditional_queries_derive_the_same_table() -> None:
    from django.db import connection

    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.engine.derive import derive_all
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.reconciliation import catalogue_specs
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.synth.plan import Sizes
    from xiezuo.synth.services import synth_generate

    synth_generate(sizes=Sizes(provinces=1, cities_per_province=2, counties_per_city=3, labour_per_county=60,
                               sales_per_county=10), seed=3)

    def execute(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    specs = catalogue_specs(get_catalogue(2023))
    grouped = derive_all(specs, execute, years=[2022, 2023])
    conditional = derive_all(specs, execute, years=[2022, 2023], conditional=True)
    assert grouped == conditional
    assert {k: {c: str(v) for c, v in d.items()} for k, d in grouped.items()} == \
        {k: {c: str(v) for c, v in d.items()} for k, d in conditional.items()}
    assert sum(len(v) for v in grouped.values()) > 6 * 50  # most rows of six counties
    county = OrgUnit.objects.filter(synthetic=True, level="county", side="west").order_by("code").first()
    assert county is not None
    east_poor = LabourPlacement.objects.filter(org=county, year=2023, destination="east", poverty_status="poor")
    assert grouped[(county.pk, 2023)]["labour_east_poor"] == Decimal(east_poor.count()) > 0


def test_money_converts_from_yuan_to_the_rows_unit() -> None:
    s = spec({"ledger": "enterprises", "aggregate": "sum:actual_investment"}, unit="亿元", kind="decimal", places=4)
    assert convert(s, 69_070_000) == Decimal("0.6907")
    s = spec({"ledger": "donations", "aggregate": "sum:amount"}, unit="万元", kind="decimal", places=4)
    assert convert(s, 6_123_725) == Decimal("612.3725")


@pytest.mark.parametrize(("raw", "unit", "kind", "words"), [
    ({"ledger": "nope", "aggregate": "count"}, "人", "int", "不是已知台账"),
    ({"ledger": "visits", "aggregate": "avg:people"}, "人", "int", "count、sum"),
    ({"ledger": "visits", "aggregate": "sum:nope"}, "人", "int", "没有列"),
    ({"ledger": "visits", "aggregate": "sum:topic"}, "人", "int", "sum 只能用于"),
    ({"ledger": "visits", "filter": {"direction": "north"}, "aggregate": "count"}, "人", "int", "没有代码"),
    ({"ledger": "visits", "filter": {"nope": 1}, "aggregate": "count"}, "人", "int", "不在台账"),
    ({"ledger": "fund_projects", "filter": {"key_county": "yes"}, "aggregate": "count"}, "个", "int", "true 或 false"),
    ({"ledger": "fund_projects", "aggregate": "sum:allocated"}, "人", "int", "金额行"),
    ({"ledger": "fund_projects", "aggregate": "count"}, "万元", "decimal", "金额行"),
    ({"ledger": "fund_projects", "aggregate": "count", "where": 1}, "个", "int", "未知字段"),
])
def test_bad_specs_are_refused_with_a_reason(raw: dict, unit: str, kind: str, words: str) -> None:
    with pytest.raises(SpecError) as exc:
        spec(raw, unit=unit, kind=kind)
    assert words in str(exc.value)


def test_catalogue_loading_rejects_a_bad_derive_and_names_the_row() -> None:
    text = '''
year = 2023
title = "t"
[[rows]]
code = "s"
kind = "section"
label = "一、"
[[rows]]
code = "meet"
parent = "s"
label = "会议"
unit = "次"
value = "int"
derive = { ledger = "meetings", filter = { kind = "tea" }, aggregate = "count" }
'''
    with pytest.raises(CatalogueError) as exc:
        catalogue_check(parse_catalogue(text, source="x.toml"))
    assert exc.value.location is not None and exc.value.location.row == "meet"
    assert "没有代码「tea」" in exc.value.message
