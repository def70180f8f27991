"""Duplicate-report and year-round benchmark on synthetic national data.

    xiezuo synth --plant-duplicates 500 …      # then
    XIEZUO_DATABASE_URL=… .venv/bin/python bench/duplicates.py [--year 2023] [--repeat 3] [--expect 500]

Runs on whatever database XIEZUO_DATABASE_URL names. Best of --repeat, it times:

- the duplicate report for the whole nation: one grouped query over every labour placement of the
  year (keyed hashes compared, never ID numbers), plus one for enterprises and one for workshops;
- the same report as one province and as one county see it;
- the table of every county as of the twelve month-ends, in one grouped query per ledger;
- the project rates of every county as of one day (two grouped queries).

It checks that every person conflict has exactly two records in two counties and, with --expect,
that the report found that many person pairs.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best of `repeat` scans, each on an empty cache (the scan is kept under the ledgers' stamp)."""
    from django.core.cache import cache

    times, result = [], None
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--expect", type=int, default=None, help="person pairs planted by xiezuo synth")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.projects import rates_for
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.progress.duplicates import conflicts_for
    from xiezuo.progress.periods import table_as_of

    year = args.year
    rows = LabourPlacement.objects.filter(year=year).count()
    counties = list(OrgUnit.objects.filter(level="county", side="west", synthetic=True).order_by("code"))
    print(f"database {connection.vendor}; {rows:,} labour placements in {year}; {len(counties):,} counties")
    if not counties:
        print("no synthetic counties: run `xiezuo synth --plant-duplicates N` first")
        return 1

    people_s, people = best(lambda: conflicts_for(None, year, kinds=["person"]), args.repeat)
    named_s, named = best(lambda: conflicts_for(None, year, kinds=["enterprise", "workshop"]), args.repeat)
    bad = [c for c in people if len(c.records) != 2 or len({r.org_id for r in c.records}) != 2]
    print(f"duplicates, nation, people (one grouped query)      {people_s:8.3f} s   {len(people):,} pairs")
    print(f"duplicates, nation, enterprises and workshops       {named_s:8.3f} s   {len(named):,} pairs")
    province = OrgUnit.objects.get(code__in=counties[0].path.strip("/").split("/"), level="province")
    province_s, seen = best(lambda: conflicts_for(province, year, kinds=["person"]), args.repeat)
    print(f"duplicates, one province                            {province_s:8.3f} s   {len(seen):,} pairs")
    county_s, own = best(lambda: conflicts_for(counties[0], year, kinds=["person"]), args.repeat)
    print(f"duplicates, one county                              {county_s:8.3f} s   {len(own):,} pairs")
    from django.core.cache import cache

    conflicts_for(None, year)
    started = time.perf_counter()
    conflicts_for(None, year)
    print(f"duplicates, nation, all kinds, kept from the last scan  {time.perf_counter() - started:8.3f} s")
    cache.clear()
    print(f"every pair two records in two counties: {'yes' if not bad else f'no ({len(bad)})'}")
    if args.expect is not None:
        print(f"planted pairs found: {len(people)} of {args.expect}: {'yes' if len(people) == args.expect else 'no'}")

    days = [dt.date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
    asof_s, table = best(lambda: table_as_of(counties, year, days), args.repeat)
    print(f"table as of 12 month-ends, every county             {asof_s:8.3f} s   "
          f"{sum(len(v) for t in table.values() for v in t.values()):,} values")
    rates_s, rates = best(lambda: rates_for([c.pk for c in counties], year=year, as_of=dt.date(year, 9, 30)),
                          args.repeat)
    print(f"project rates as of 30 September, every county      {rates_s:8.3f} s   {len(rates):,} counties")
    return 0 if not bad and (args.expect is None or len(people) == args.expect) else 1


if __name__ == "__main__":
    sys.exit(main())
