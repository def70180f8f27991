"""Engine benchmark: derive every county's table from the ledgers, roll up, evaluate every rule.

    XIEZUO_DATABASE_URL=… .venv/bin/python bench/engine.py [--year 2023] [--repeat 3] [--sample 20]
    .venv/bin/python bench/engine.py --databases sqlite:///var/nat.sqlite3,postgres://postgres@127.0.0.1:5432/nat

Runs on whatever database XIEZUO_DATABASE_URL names, after `xiezuo synth` (3,000,000 labour and
500,000 sales rows at national size). In one run it measures, best of --repeat:

- engine: derive (one grouped query per ledger, compiled from the catalogue's derive specs, every
  ledger), roll-up to every city, province and the nation (the roll-up engine's sums for every
  area in one query grouped by the counties' parent — `engine.aggregate.subtree_sums`, which the
  area table `rollup.selectors.area_table` reads its area's and columns' sums from — its distinct
  pairing counts in one more, and its combining rules), and every rule over every county and area;
- reference: the same labour and sales figures by a hand-written single pass (one grouped query
  per ledger with conditional aggregation) and the roll-up by code prefix in one SQL statement;
- naive: one query per row per county on a sample of counties, extrapolated to all.

It checks that engine and reference agree, then prints the times and the ratios engine ÷ reference
and naive ÷ engine. --without-indexes also times both derives without the two ledgers' derivation
indexes (`labour_year_org_derive`, `sale_year_org_amount`; dropped, then rebuilt in the run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")

BIG_LEDGERS = ("labour_placements", "consumption_sales")

# The reference, written by hand: every labour figure of the table in one pass over the ledger.
LABOUR_REFERENCE = """
SELECT org_id,
  SUM(CASE WHEN destination = 'east' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'east' AND poverty_status = 'poor' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'local' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'local' AND poverty_status = 'poor' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'other' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'other' AND poverty_status = 'poor' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'east' AND new_this_year THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'east' AND new_this_year AND poverty_status = 'poor' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'local' AND new_this_year THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'local' AND new_this_year AND poverty_status = 'poor' THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'other' AND new_this_year THEN 1 ELSE 0 END),
  SUM(CASE WHEN destination = 'other' AND new_this_year AND poverty_status = 'poor' THEN 1 ELSE 0 END)
FROM ledgers_labour_placement WHERE year = %s GROUP BY org_id
"""
LABOUR_CODES = (
    "labour_east", "labour_east_poor", "labour_local", "labour_local_poor", "labour_other", "labour_other_poor",
    "labour_new_east", "labour_new_east_poor", "labour_new_local", "labour_new_local_poor",
    "labour_new_other", "labour_new_other_poor",
)
# The ledgers' covering indexes for the derivation (ledgers migration 0005), as --without-indexes rebuilds them.
DERIVE_INDEXES = (
    ("labour_year_org_derive", "ledgers_labour_placement", "year, org_id, destination, new_this_year, poverty_status"),
    ("sale_year_org_amount", "ledgers_consumption_sale", "year, org_id, amount"),
)
SALES_REFERENCE = "SELECT org_id, SUM(amount) FROM ledgers_consumption_sale WHERE year = %s GROUP BY org_id"
# Roll-up by code prefix: province (2 digits), city (4 digits) and nation, every row, one statement.
ROLLUP_REFERENCE_PG = """
SELECT substr(o.code, 1, 2) AS p, substr(o.code, 1, 4) AS c, v.code, SUM(v.number)
FROM tables_datavalue v JOIN orgunits_orgunit o ON o.id = v.org_id
WHERE v.year = %s AND o.level = 'county' AND o.side = 'west' AND v.number IS NOT NULL
GROUP BY GROUPING SETS ((v.code), (substr(o.code, 1, 2), v.code), (substr(o.code, 1, 4), v.code))
"""
ROLLUP_REFERENCE_SQLITE = """
WITH c AS (SELECT substr(o.code, 1, 2) AS p, substr(o.code, 1, 4) AS ci, v.code AS code, SUM(v.number) AS n
           FROM tables_datavalue v JOIN orgunits_orgunit o ON o.id = v.org_id
           WHERE v.year = %s AND o.level = 'county' AND o.side = 'west' AND v.number IS NOT NULL
           GROUP BY ci, v.code)
SELECT NULL, NULL, code, SUM(n) FROM c GROUP BY code
UNION ALL SELECT p, NULL, code, SUM(n) FROM c GROUP BY p, code
UNION ALL SELECT p, ci, code, n FROM c
"""


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20, help="counties timed for the naive reference")
    parser.add_argument("--without-indexes", action="store_true",
                        help="also time both derives without the ledgers' derivation indexes (dropped and rebuilt)")
    parser.add_argument("--databases", help="comma-separated database URLs: run on each in turn "
                        "(e.g. sqlite:///var/nat.sqlite3,postgres://postgres@127.0.0.1:5432/xiezuo_nat)")
    args = parser.parse_args()
    if args.databases:
        import subprocess

        rest = [a for a in sys.argv[1:] if not a.startswith("--databases")]
        if "--databases" in sys.argv:
            i = sys.argv.index("--databases")
            rest = sys.argv[1:i] + sys.argv[i + 2:]
        status = 0
        for url in args.databases.split(","):
            print(f"== {url.split('@')[-1]}", flush=True)
            done = subprocess.run([sys.executable, __file__, *rest], env={**os.environ, "XIEZUO_DATABASE_URL": url},
                                  check=False)
            status = status or done.returncode
        return status

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Q

    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.engine import aggregate
    from xiezuo.engine.derive import derive_all
    from xiezuo.engine.validate import validate_units
    from xiezuo.ledgers.reconciliation import catalogue_specs
    from xiezuo.orgunits.models import Level, OrgUnit, Pairing, PairingKind, Side
    from xiezuo.tables.models import DataValue
    from xiezuo.tables.selectors import values_for_many

    year, vendor = args.year, connection.vendor
    catalogue = get_catalogue(year)
    specs = catalogue_specs(catalogue)
    big_specs = [s for s in specs if s.ledger in BIG_LEDGERS]
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY, side=Side.WEST).order_by("code"))
    code_of = {c.pk: c.code for c in counties}

    def execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def ddl(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def count(table: str) -> int:
        return int(execute(f"SELECT COUNT(*) FROM {table} WHERE year = %s", [year])[0][0])

    labour_rows, sales_rows = count("ledgers_labour_placement"), count("ledgers_consumption_sale")
    ledgers_used = sorted({s.ledger for s in specs})
    print(f"database: {vendor}; {len(counties):,} counties; {labour_rows:,} labour rows, {sales_rows:,} sales rows; "
          f"{len(specs)} derived rows from {len(ledgers_used)} ledgers; {len(catalogue.rules)} rules")

    # ---- engine: derive
    def derive(which: list[Any]) -> dict[str, dict[str, Decimal]]:
        found = derive_all(which, execute, years=[year])
        return {code_of[o]: v for (o, _y), v in found.items() if o in code_of}

    derive_big_s, engine_big = best(lambda: derive(big_specs), args.repeat)
    derive_all_s, engine_all = best(lambda: derive(list(specs)), args.repeat)

    # ---- engine: roll-up over the stored county values, one grouped query per level
    county_values_qs = DataValue.objects.filter(year=year, org__level=Level.COUNTY, org__side=Side.WEST)
    nation = OrgUnit.objects.get(code="000000")
    provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE, side=Side.WEST))
    cities = list(OrgUnit.objects.filter(level=Level.CITY, side=Side.WEST))
    pairings = Pairing.objects.filter(Q(end_year__isnull=True) | Q(end_year__gte=year), kind=PairingKind.COUNTY_DISTRICT,
                                      start_year__lte=year, west__level=Level.COUNTY)
    distinct_rows = [r for r in catalogue.value_rows if r.rollup == "distinct"]

    def distinct_for(counts: tuple[int, int]) -> dict[str, int]:
        out = {}
        for row in distinct_rows:
            spec = aggregate.distinct_spec(row)
            if spec.kind == PairingKind.COUNTY_DISTRICT:
                out[row.code] = counts[0 if spec.side == "east" else 1]
        return out

    def rollup() -> dict[str, dict[str, Any]]:
        sums = aggregate.subtree_sums(county_values_qs)
        counts = aggregate.subtree_distinct(pairings)
        return {
            unit.code: aggregate.combine(catalogue, sums=sums.get(unit.path, {}),
                                         distinct=distinct_for(counts.get(unit.path, (0, 0))))
            for unit in [nation, *provinces, *cities]
        }

    rollup_s, rolled = best(rollup, args.repeat)

    # ---- engine: every rule over every county (with last year) and every area
    def rules() -> int:
        current = values_for_many(counties, year, catalogue)
        previous = values_for_many(counties, year - 1, catalogue)
        findings = validate_units(catalogue, current, previous, levels={c.code: c.level for c in counties})
        area_levels = {u.code: u.level for u in [nation, *provinces, *cities]}
        findings += validate_units(catalogue, rolled, levels=area_levels)
        return len(findings)

    rules_s, findings = best(rules, args.repeat)
    engine_total = derive_all_s + rollup_s + rules_s

    # ---- reference: hand-written single pass
    def reference_derive() -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = {}
        for row in execute(LABOUR_REFERENCE, [year]):
            if row[0] in code_of:
                out.setdefault(code_of[row[0]], {}).update({c: Decimal(int(v)) for c, v in zip(LABOUR_CODES, row[1:], strict=True)})
        unit = catalogue.by_code["consumption_sales"].unit
        scale = Decimal(10_000) if unit == "万元" else Decimal(100_000_000) if unit == "亿元" else Decimal(1)
        places = Decimal(1).scaleb(-catalogue.by_code["consumption_sales"].places)
        for org_id, amount in execute(SALES_REFERENCE, [year]):
            if org_id in code_of:
                out.setdefault(code_of[org_id], {})["consumption_sales"] = (Decimal(int(amount)) / scale).quantize(places)
        return out

    reference_derive_s, reference = best(reference_derive, args.repeat)
    rollup_sql = ROLLUP_REFERENCE_PG if vendor == "postgresql" else ROLLUP_REFERENCE_SQLITE
    reference_rollup_s, reference_rolled = best(lambda: execute(rollup_sql, [year]), args.repeat)

    agree = all(
        engine_big.get(org, {}).get(code) is not None
        and Decimal(engine_big[org][code]) == Decimal(value)
        for org, values in reference.items() for code, value in values.items()
    ) and set(reference) == set(engine_big)
    # Every area's sums: the reference names a city by its code's first 4 digits, a province by 2.
    area_of = {**{("c", u.code[:4]): u.code for u in cities}, **{("p", u.code[:2]): u.code for u in provinces}}

    def area_code(p: str | None, c: str | None) -> str | None:
        return area_of.get(("c", c)) if c is not None else area_of.get(("p", p)) if p is not None else nation.code

    # SQLite sums a decimal column as a float: compare at the 4 places the values are stored with.
    four = Decimal("0.0001")
    reference_areas = {(area_code(p, c), code): n for p, c, code, n in reference_rolled
                       if catalogue.by_code[code].rollup == "sum"}
    rollup_agree = len(rolled) == 1 + len(provinces) + len(cities) and all(
        area is not None and Decimal(rolled[area][code] or 0).quantize(four) == Decimal(str(n)).quantize(four)
        for (area, code), n in reference_areas.items()
    )

    # ---- naive: one query per row per county, on a sample
    sample = counties[:: max(1, len(counties) // max(1, args.sample))][: args.sample]
    one_row_sql = []
    for spec in big_specs:
        cond = " AND ".join(
            f"{c.column} = %s" if len(c.values) == 1 else f"{c.column} IN ({', '.join(['%s'] * len(c.values))})"
            for c in spec.conditions
        )
        table = "ledgers_labour_placement" if spec.ledger == "labour_placements" else "ledgers_consumption_sale"
        what = "COUNT(*)" if spec.aggregate == "count" else f"COALESCE(SUM({spec.field}), 0)"
        params = [v for c in spec.conditions for v in c.values]
        one_row_sql.append((f"SELECT {what} FROM {table} WHERE org_id = %s AND year = %s" + (f" AND {cond}" if cond else ""),
                            params))

    def naive() -> None:
        for county in sample:
            for sql, params in one_row_sql:
                execute(sql, [county.pk, year, *params])

    naive_sample_s, _ = best(naive, 1)
    naive_s = naive_sample_s / max(1, len(sample)) * len(counties)

    print(f"engine   derive (labour + sales, {len(big_specs)} rows)      {derive_big_s:8.3f} s")
    print(f"engine   derive (all {len(ledgers_used)} ledgers, {len(specs)} rows)        {derive_all_s:8.3f} s")
    print(f"engine   roll-up ({len(provinces)} provinces, {len(cities)} cities, nation)     {rollup_s:8.3f} s")
    print(f"engine   rules ({len(counties):,} counties + {len(rolled)} areas; {findings} findings)  {rules_s:8.3f} s")
    print(f"engine   whole national computation            {engine_total:8.3f} s "
          f"(target ≤ {'2' if vendor == 'postgresql' else '5'} s)")
    print(f"reference derive (labour + sales, hand-written)  {reference_derive_s:8.3f} s")
    print(f"reference roll-up by code prefix (one statement) {reference_rollup_s:8.3f} s")
    print(f"naive    one query per row per county ({len(sample)} counties × {len(one_row_sql)} rows, "
          f"extrapolated to {len(counties):,}) {naive_s:8.3f} s")
    print(f"engine ÷ reference (derive)                     {derive_big_s / reference_derive_s:8.2f} (target ≤ 1.1)")
    print(f"engine ÷ reference (roll-up)                    {rollup_s / reference_rollup_s:8.2f} (target ≤ 1.3)")
    print(f"naive ÷ engine (derive)                         {naive_s / derive_big_s:8.1f}")
    print(f"engine and reference agree: derive {'yes' if agree else 'NO'}, roll-up of every area "
          f"{'yes' if rollup_agree else 'NO'}", flush=True)
    if args.without_indexes:
        # What the ledgers' derivation indexes buy: both derives again without them, then rebuilt.
        for name, _table, _columns in DERIVE_INDEXES:
            ddl(f"DROP INDEX {name}")
        try:
            bare = best(reference_derive, args.repeat)[0], best(lambda: derive(big_specs), args.repeat)[0]
        finally:
            for name, table, columns in DERIVE_INDEXES:
                ddl(f"CREATE INDEX {name} ON {table} ({columns})")
            for _name, table, _columns in DERIVE_INDEXES:
                ddl(f"ANALYZE {table}")
        print(f"without the derivation indexes: reference derive {bare[0]:.3f} s, engine derive (labour + sales) "
              f"{bare[1]:.3f} s (engine ÷ reference {bare[1] / bare[0]:.2f})")
    return 0 if agree and rollup_agree else 1


if __name__ == "__main__":
    sys.exit(main())
