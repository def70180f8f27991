"""Backup → restore into a fresh database → the same table JSON for every org unit, timed.

    XIEZUO_DATABASE_URL=… .venv/bin/python bench/backup_restore.py --out var/bench/backup.pgdump

Backs up the database XIEZUO_DATABASE_URL names (`*.json.gz` portable, `*.pgdump` native
PostgreSQL), restores it into a fresh scratch database of the same kind (`<name>_restore`, or a
new SQLite file next to the backup) with `xiezuo restore`, then computes what `xiezuo table
--format json` prints for every org unit and year in both and compares them byte for byte.
Prints sizes, seconds and how many tables are identical. The scratch database is dropped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")


def table_digests() -> dict[str, str]:
    """{"code/year": sha256 of the table JSON} for every org unit and every year with values."""
    import django

    django.setup()
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.tables.exports import Column, table_json
    from xiezuo.tables.models import DataValue
    from xiezuo.tables.selectors import table_for

    out = {}
    years = sorted(set(DataValue.objects.values_list("year", flat=True).distinct()))
    for unit in OrgUnit.objects.order_by("code"):
        for year in years:
            catalogue, lines = table_for(unit, year)
            column = Column(name=unit.name, values={ln.row.code: ln.value for ln in lines},
                            sources={ln.row.code: ln.source for ln in lines if ln.source})
            out[f"{unit.code}/{year}"] = hashlib.sha256(table_json(catalogue, column).encode()).hexdigest()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="backup file: *.json.gz or *.pgdump")
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.digests:  # child mode: print the digests of the database in the environment
        print(json.dumps(table_digests()))
        return 0

    url = os.environ.get("XIEZUO_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'xiezuo.sqlite3'}")
    parsed = urlparse(url)
    env = dict(os.environ)
    drop = None
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = f"{parsed.path.lstrip('/')}_restore"
        admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["XIEZUO_DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    else:
        target = args.out.with_name(args.out.name + ".restore.sqlite3")
        for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            p.unlink(missing_ok=True)
        env["XIEZUO_DATABASE_URL"] = f"sqlite:///{target.resolve()}"

    def cli(*argv: str, environ: dict[str, str]) -> str:
        done = subprocess.run([sys.executable, "-m", "xiezuo", *argv], cwd=ROOT, env=environ, capture_output=True,
                              text=True, check=False)
        if done.returncode:
            raise SystemExit(f"xiezuo {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    try:
        t = time.perf_counter()
        cli("backup", "--out", str(args.out), environ=dict(os.environ))
        backup_s = time.perf_counter() - t
        t = time.perf_counter()
        cli("restore", str(args.out), environ=env)
        restore_s = time.perf_counter() - t
        t = time.perf_counter()
        before = table_digests()
        after = json.loads(subprocess.run([sys.executable, __file__, "--out", str(args.out), "--digests"], cwd=ROOT,
                                          env=env, capture_output=True, text=True, check=True).stdout)
        compare_s = time.perf_counter() - t
    finally:
        if drop is not None:
            drop()
    same = sum(1 for k, v in before.items() if after.get(k) == v)
    print(f"backup {args.out.name}: {args.out.stat().st_size / 2**20:.1f} MB in {backup_s:.1f} s")
    print(f"restore into a fresh database: {restore_s:.1f} s")
    print(f"table JSON identical for {same:,} of {len(before):,} org unit × year tables "
          f"({len({k.split('/')[0] for k in before}):,} org units; compared in {compare_s:.1f} s)")
    return 0 if same == len(before) == len(after) else 1


if __name__ == "__main__":
    sys.exit(main())
