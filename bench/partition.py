"""Labour ledger rows partitioned by province (PostgreSQL declarative partitioning), measured.

    .venv/bin/python bench/partition.py [--dsn postgres://postgres@127.0.0.1:5432/xiezuo] [--rows 3000000]

Builds, in a scratch schema, the same labour rows twice — one plain table and one table
PARTITION BY LIST (province) with a partition per province — then prints: the partitions a
one-province query scans (pruning, from EXPLAIN), the time of a province's grouped figures and of
the national grouped figures on each, and the time to detach a province's partition (archiving).
The scratch schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import time

import psycopg

SCHEMA = "xiezuo_partition_bench"


def timed(cur: psycopg.Cursor, sql: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--provinces", type=int, default=10)
    parser.add_argument("--counties-per-province", type=int, default=100)
    args = parser.parse_args()
    provinces = [f"{90 + i}0000" for i in range(args.provinces)]  # the synthetic code range
    counties = args.provinces * args.counties_per_province

    with psycopg.connect(args.dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        columns = ("county text NOT NULL, province text NOT NULL, year int NOT NULL, "
                   "destination text NOT NULL, poor boolean NOT NULL, new_this_year boolean NOT NULL")
        cur.execute(f"CREATE TABLE {SCHEMA}.labour_plain ({columns})")
        cur.execute(f"CREATE TABLE {SCHEMA}.labour ({columns}) PARTITION BY LIST (province)")
        for p in provinces:
            cur.execute(f"CREATE TABLE {SCHEMA}.labour_p{p} PARTITION OF {SCHEMA}.labour FOR VALUES IN ('{p}')")
        # County i belongs to province i // counties_per_province; codes follow the province's prefix.
        generate = f"""
            SELECT lpad(((90 + c / {args.counties_per_province}) * 10000 + 100 + c % {args.counties_per_province})::text, 6, '0'),
                   ((90 + c / {args.counties_per_province}) * 10000)::text,
                   2023,
                   (ARRAY['east','local','other'])[1 + (g % 3)],
                   g % 5 < 3,
                   g % 4 = 0
            FROM generate_series(0, {args.rows - 1}) AS g, LATERAL (SELECT ((g::bigint * 7919) % {counties})::int AS c) AS k
        """
        t = time.perf_counter()
        cur.execute(f"INSERT INTO {SCHEMA}.labour_plain {generate}")
        load_plain = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute(f"INSERT INTO {SCHEMA}.labour {generate}")
        load_part = time.perf_counter() - t
        cur.execute(f"ANALYZE {SCHEMA}.labour_plain; ANALYZE {SCHEMA}.labour")

        figures = ("count(*) FILTER (WHERE destination = 'east') AS east, "
                   "count(*) FILTER (WHERE destination = 'east' AND poor) AS east_poor, "
                   "count(*) FILTER (WHERE destination = 'local') AS local, "
                   "count(*) FILTER (WHERE new_this_year) AS new")
        one = provinces[len(provinces) // 2]
        province_sql = "SELECT county, {f} FROM {t} WHERE province = '{p}' AND year = 2023 GROUP BY county"
        nation_sql = "SELECT county, {f} FROM {t} WHERE year = 2023 GROUP BY county"

        cur.execute("EXPLAIN " + province_sql.format(f=figures, t=f"{SCHEMA}.labour", p=one))
        plan = "\n".join(r[0] for r in cur.fetchall())
        scanned = sorted({w.strip(" ,") for w in plan.split() if w.startswith("labour_p")})

        print(f"labour rows: {args.rows:,} in {args.provinces} provinces, {counties:,} counties")
        print(f"load: plain {load_plain:.2f} s, partitioned {load_part:.2f} s")
        print(f"one-province query scans partitions: {', '.join(scanned)} (of {len(provinces)})")
        for label, sql in (("one province", province_sql), ("nation", nation_sql)):
            plain = timed(cur, sql.format(f=figures, t=f"{SCHEMA}.labour_plain", p=one))
            part = timed(cur, sql.format(f=figures, t=f"{SCHEMA}.labour", p=one))
            print(f"{label:>12}: plain {plain * 1000:.0f} ms, partitioned {part * 1000:.0f} ms, "
                  f"plain ÷ partitioned {plain / part:.2f}")
        t = time.perf_counter()
        cur.execute(f"ALTER TABLE {SCHEMA}.labour DETACH PARTITION {SCHEMA}.labour_p{provinces[0]}")
        print(f"detach one province's partition (to archive it): {(time.perf_counter() - t) * 1000:.0f} ms")
        cur.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
        print("partition pruning: " + ("yes" if scanned == [f"labour_p{one}"] else "NO"))


if __name__ == "__main__":
    main()
