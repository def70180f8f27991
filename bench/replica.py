"""Prove that read-only work goes to the streaming replica, and measure replication lag.

    bash deploy/replica-demo.sh up
    XIEZUO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo \
    XIEZUO_REPLICA_DATABASE_URL=postgres://postgres@127.0.0.1:5433/xiezuo \
        .venv/bin/python bench/replica.py [--reads 20]

Prints where each kind of read went, the lag between a write on the primary and its visibility
on the replica, and the time of a national values read on each server. Exits 1 if reads inside
`replica_reads()` did not come from a server in recovery.
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
    parser.add_argument("--reads", type=int, default=20, help="timed national reads on each server")
    parser.add_argument("--year", type=int, default=2023, help="year of the dashboard page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connections

    from xiezuo.core.models import ChangeRecord
    from xiezuo.ops.routers import database_is_replica, replica_configured, replica_reads
    from xiezuo.tables.models import DataValue

    if not replica_configured():
        print("XIEZUO_REPLICA_DATABASE_URL is not set: nothing to measure")
        return 2

    def server(alias: str) -> str:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
            port, recovery = cursor.fetchone()
        return f"port {port}, {'standby' if recovery else 'primary'}"

    print(f"ordinary read      → {DataValue.objects.db}: {server(DataValue.objects.db)}")
    with replica_reads() as alias:
        routed = DataValue.objects.all().db
        print(f"inside replica_reads → {routed}: {server(routed)}")
        ok = routed == alias == "replica" and database_is_replica(routed)

    # Lag: write a change record on the primary, poll the replica until it is visible.
    marker = f"replica-lag-probe-{time.time_ns()}"
    started = time.perf_counter()
    ChangeRecord.objects.create(action="ops.replica_probe", object_type="ops.probe", object_key=marker)
    with replica_reads():
        while not ChangeRecord.objects.filter(object_key=marker).exists():
            if time.perf_counter() - started > 30:
                print("replica did not catch up within 30 s")
                return 1
            time.sleep(0.002)
    lag_ms = (time.perf_counter() - started) * 1000
    ChangeRecord.objects.filter(object_key=marker).delete()
    print(f"replication lag (write → visible on replica): {lag_ms:.1f} ms")

    def national_read(alias: str) -> float:
        t = time.perf_counter()
        for _ in range(args.reads):
            list(DataValue.objects.using(alias).filter(number__isnull=False).values_list("org_id", "code", "number"))
        return (time.perf_counter() - t) / args.reads

    # A dashboard page, through the whole request cycle: its figures come from the replica, the
    # session and the user's role from the primary.
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xiezuo.accounts.models import Profile

    reviewer = Profile.objects.filter(role="province_reviewer").select_related("user", "org").first()
    dashboard_ok = None
    if reviewer is not None:
        client = Client()
        client.force_login(reviewer.user)
        with CaptureQueriesContext(connections["default"]) as on_primary, \
                CaptureQueriesContext(connections["replica"]) as on_replica:
            status = client.get(f"/org/{reviewer.org.code}/{args.year}/dashboard/").status_code
        print(f"dashboard of {reviewer.org.name} ({status}): {len(on_replica)} queries on the replica, "
              f"{len(on_primary)} on the primary (session, user, role)")
        dashboard_ok = status == 200 and len(on_replica) > 0
        ok = ok and dashboard_ok

    rows = DataValue.objects.count()
    primary_s, replica_s = national_read("default"), national_read("replica")
    print(f"national values read ({rows:,} rows): primary {primary_s * 1000:.1f} ms, replica {replica_s * 1000:.1f} ms")
    print("reads routed to the replica: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
