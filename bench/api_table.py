"""Requests per second for a unit's table: the API endpoint beside the table page.

    .venv/bin/python bench/api_table.py --seconds 10 [--org 620422 --year 2023]

In-process (Django's test client: no network, no server): each target is requested again and
again for --seconds, one request at a time, as a signed-in clerk (the page) and with a personal
access token of the same user (the API). Prints, per target, requests, requests per second,
p50/p95 latency in ms and the SQL queries of one request. Works on the demo (`xiezuo init
--demo`) or a synthetic nation (`xiezuo synth`); the database is XIEZUO_DATABASE_URL's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")
os.environ.setdefault("XIEZUO_DEBUG", "0")
# The per-token limit would stop the benchmark after its first minute's quota.
os.environ.setdefault("XIEZUO_API_RATE_PER_MINUTE", "100000000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--org", default="", help="a county's code (default: the first county clerk's unit)")
    parser.add_argument("--year", type=int, default=0, help="default: the latest template year")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xiezuo.accounts.models import Profile, Role
    from xiezuo.accounts.tokens import token_create, token_revoke
    from xiezuo.catalogue.registry import available_years

    year = args.year or available_years()[-1]
    profiles = Profile.objects.select_related("user", "org").filter(role=Role.COUNTY_CLERK).order_by("org__code")
    if args.org:
        profiles = profiles.filter(org__code=args.org)
    profile = profiles.first()
    if profile is None:
        sys.exit("没有县级填报员账号：请先运行 xiezuo init --demo 或 xiezuo synth")
    user, code = profile.user, profile.org.code
    made = token_create(by=user, name="bench/api_table.py")
    page_client, api_client = Client(), Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    page_client.force_login(user)
    targets = [
        ("table page", page_client, f"/org/{code}/{year}/"),
        ("table API", api_client, f"/api/v1/orgs/{code}/years/{year}/table"),
    ]
    print(f"{profile.org.name}（{code}）{year} 年统计表，{args.seconds:g} 秒/项，单线程，进程内（无网络）")
    print(f"{'target':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    try:
        for name, client, url in targets:
            assert client.get(url).status_code == 200, url  # warm: templates, catalogue, token last-use
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            n_queries = len(queries)  # now: the next request resets the connection's query log
            times: list[float] = []
            end = time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                start = time.perf_counter()
                status = client.get(url).status_code
                times.append(time.perf_counter() - start)
                assert status == 200, (url, status)
            total = sum(times)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
            print(f"{name:<12} {len(times):>9} {len(times) / total:>8.1f} {statistics.median(times) * 1000:>8.1f} "
                  f"{p95 * 1000:>8.1f} {n_queries:>8}")
    finally:
        token_revoke(by=user, token_id=made.token.pk)


if __name__ == "__main__":
    main()
