"""Roll-up benchmark: `area_table` for the nation, a province, a city and an eastern province.

    XIEZUO_DATABASE_URL=… .venv/bin/python bench/rollup.py [--year 2023] [--repeat 3]

Runs on whatever database XIEZUO_DATABASE_URL names — after `xiezuo synth` for national size, or
on the demo. For each area it prints the counties covered, the columns, the number of queries
(the same whatever the size) and the best time of --repeat runs; then `compare` and `assess` for
the largest area; then, for the nation and the province, what the area pages' downloads cost: the
roll-up workbook (`table_xlsx`, every column), the assessment and its workbook — the work that
runs as an `area_export` job above XIEZUO_JOB_AREA_COUNTIES counties.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiezuo.assessment.selectors import assess
    from xiezuo.orgunits.models import Level, OrgUnit, Side
    from xiezuo.rollup.selectors import area_table, compare

    areas = [
        OrgUnit.objects.filter(level=Level.NATION).first(),
        OrgUnit.objects.filter(level=Level.PROVINCE, side=Side.WEST).order_by("code").first(),
        OrgUnit.objects.filter(level=Level.CITY, side=Side.WEST).order_by("code").first(),
        OrgUnit.objects.filter(level=Level.PROVINCE, side=Side.EAST).order_by("code").first(),
    ]
    print(f"database: {connection.vendor}, year {args.year}, best of {args.repeat}", flush=True)
    print(f"{'area':<22}{'counties':>9}{'columns':>9}{'queries':>9}{'seconds':>10}")
    for area in [a for a in areas if a is not None]:
        best = float("inf")
        queries = 0
        table = None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                table = area_table(area, args.year)
                best = min(best, time.perf_counter() - start)
            queries = len(ctx.captured_queries)
        assert table is not None
        print(f"{area.name + '（' + area.code + '）':<22}{table.covers:>9}{len(table.units):>9}{queries:>9}{best:>10.3f}",
              flush=True)

    top = areas[0] or areas[1]
    if top is not None:
        start = time.perf_counter()
        compare(top, (args.year - 1, args.year))
        print(f"compare {top.name} {args.year - 1}/{args.year}: {time.perf_counter() - start:.3f} s")
        start = time.perf_counter()
        result = assess(top, args.year)
        print(f"assess {top.name} ({len(result.ranking)} counties, example scheme): "
              f"{time.perf_counter() - start:.3f} s")

    import tempfile

    from xiezuo.assessment.exports import assessment_xlsx
    from xiezuo.rollup.exports import area_assessment_file, area_workbook_file
    from xiezuo.tables.exports import table_xlsx

    print(f"\n{'area':<22}{'roll-up s':>10}{'xlsx s':>10}{'assess s':>10}{'xlsx s':>10}{'every-level s':>14}"
          f"{'columns':>8}{'assess-file s':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for area in [a for a in areas[:2] if a is not None]:
            times: list[float] = []
            start = time.perf_counter()
            table = area_table(area, args.year)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            table_xlsx(table.catalogue, table.export_columns(), Path(tmp) / "rollup.xlsx", area_name=area.name)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = assess(area, args.year)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            assessment_xlsx(result, Path(tmp) / "assessment.xlsx", area_name=area.name, year=args.year)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            _, _, made = area_workbook_file(area, args.year, Path(tmp))
            every = time.perf_counter() - start
            start = time.perf_counter()
            area_assessment_file(area, args.year, Path(tmp))
            print(f"{area.name + '（' + area.code + '）':<22}" + "".join(f"{t:>10.3f}" for t in times)
                  + f"{every:>14.3f}{made['columns']:>8}{time.perf_counter() - start:>14.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
