"""Import of a large labour ledger (农村劳动力就业台账) from XLSX, measured on SQLite and PostgreSQL.

    .venv/bin/python bench/import_labour.py [--rows 100000]
    XIEZUO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo .venv/bin/python bench/import_labour.py

Builds (once, cached under var/bench/) an XLSX in the ledger template's layout with synthetic
people whose ID numbers have valid check digits, then imports it into a scratch SQLite database
and — when XIEZUO_DATABASE_URL points at PostgreSQL — into that database, under a synthetic
county (629901) that is removed afterwards. Prints, per database: reading (python-calamine),
checking every cell, the whole import (read + check + insert with one change record per row, in
one transaction), rows per second and peak memory (tracemalloc peak of the import's Python
allocations, measured in a separate pass, and the process's peak RSS). Wall time and the
process's CPU time are both shown: on a busy machine the CPU time is the better measure of the
code (PostgreSQL's own work happens in the server and shows only in wall time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(os.environ.get("XIEZUO_VAR_DIR") or ROOT / "var")
BENCH_ORG = "629901"
YEAR = 2023


def build_file(rows: int) -> Path:
    from openpyxl import Workbook

    from xiezuo.ledgers.idcard import make_id
    from xiezuo.ledgers.schema import ledger_of

    path = VAR / "bench" / f"labour-{rows}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    ledger = ledger_of("labour_placements")
    rng = random.Random(11643)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ledger.label)
    ws.append(ledger.headers)
    seen: set[str] = set()
    statuses, places = ("脱贫", "监测", "一般"), ("东部结对省份", "省内就近", "其他地区")
    for i in range(rows):
        while True:
            number = make_id("620422", dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15_000)), rng.randrange(1000))
            if number not in seen:
                seen.add(number)
                break
        new = rng.random() < 0.7
        start = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(330)) if new else dt.date(YEAR - 1, 6, 1)
        ws.append([f"合成人员{i:06d}", number, rng.choice(statuses), rng.choice(places), "（合成）某公司", start,
                   "是" if new else "否"])
    wb.save(path)
    return path


def run_one(path: Path) -> dict[str, object]:
    """Inside a process whose XIEZUO_DATABASE_URL is the target database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xiezuo.core.models import ChangeRecord
    from xiezuo.ledgers.files import read_ledger_file
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.schema import ledger_of
    from xiezuo.ledgers.services import ledger_import, ledger_rows_import
    from xiezuo.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    org, _ = OrgUnit.objects.get_or_create(
        code=BENCH_ORG, defaults={"name": "基准测试县（合成）", "level": "county", "side": "west",
                                  "path": f"/{BENCH_ORG}/", "synthetic": True})
    ledger = ledger_of("labour_placements")
    try:
        t, c = time.perf_counter(), time.process_time()
        data = read_ledger_file(path, ledger)
        t_read, c_read = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        checked = ledger_rows_import(kind=ledger.kind, headers=data.headers, rows=data.rows, sheet=data.sheet,
                                     org=org, year=YEAR, dry_run=True)
        t_check, c_check = time.perf_counter() - t, time.process_time() - c
        del data
        t, c = time.perf_counter(), time.process_time()
        result = ledger_import(kind=ledger.kind, path=path, org=org, year=YEAR)
        t_total, c_total = time.perf_counter() - t, time.process_time() - c
        stored = LabourPlacement.objects.filter(org=org, year=YEAR).count()
        tracemalloc.start()
        ledger_import(kind=ledger.kind, path=path, org=org, year=YEAR)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        LabourPlacement.objects.filter(org=org).delete()
        ChangeRecord.objects.filter(org_code=BENCH_ORG).delete()
        org.delete()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "database": connection.vendor, "rows": checked.rows, "stored": stored, "imported": result.rows,
        "read_s": t_read, "check_s": t_check, "total_s": t_total,
        "read_cpu": c_read, "check_cpu": c_check, "total_cpu": c_total,
        "tracemalloc_peak_mb": peak / 2**20, "peak_rss_mb": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run)))
        return 0

    t = time.perf_counter()
    path = build_file(args.rows)
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MB, {args.rows:,} rows; "
          f"ready in {time.perf_counter() - t:.1f} s)")
    targets = [("SQLite", f"sqlite:///{(VAR / 'bench' / f'import-{os.getpid()}.sqlite3').resolve()}")]
    url = os.environ.get("XIEZUO_DATABASE_URL", "")
    if url.startswith("postgres"):
        targets.append(("PostgreSQL", url))
    else:
        print("(set XIEZUO_DATABASE_URL=postgres://… to measure PostgreSQL as well)")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(CPU time is what the import costs when the machine is not shared)")
    for name, target in targets:
        env = {**os.environ, "XIEZUO_DATABASE_URL": target}
        out = subprocess.run([sys.executable, __file__, "--run", str(path)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=False)
        if target.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(target.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-2000:]}")
            return 1
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows = r["rows"]
        assert r["stored"] == rows == r["imported"]
        print(f"\n{name}: {rows:,} rows          wall time            CPU time of this process")
        for label, wall, cpu in (
            ("read (python-calamine)", r["read_s"], r["read_cpu"]),
            ("check every cell", r["check_s"], r["check_cpu"]),
            ("read + check (validated)", r["read_s"] + r["check_s"], r["read_cpu"] + r["check_cpu"]),
            ("whole import (read, check, insert,", r["total_s"], r["total_cpu"]),
        ):
            print(f"  {label:<36} {wall:6.2f} s {rows / wall:>9,.0f} rows/s   {cpu:6.2f} s {rows / cpu:>9,.0f} rows/s")
        print("    change records, commit)")
        print(f"  peak memory: {r['tracemalloc_peak_mb']:.0f} MB traced (import), {r['peak_rss_mb']:.0f} MB RSS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
