"""Web load test: many logged-in users on the table page, the review list and a dashboard.

    XIEZUO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_nat \
        .venv/bin/python bench/web_load.py --serve --users 50 --seconds 60

Needs synthetic data (`xiezuo synth`): its users log in through the login form like people do.
With --serve it starts gunicorn (deploy/gunicorn.conf.py, production settings) on 127.0.0.1 and
stops it at the end; otherwise it targets --base-url. Every user is a thread with its own
keep-alive connection, requesting its page again as soon as the last answer arrived. Prints, per
page, requests, errors, requests per second, and p50/p95/p99/max latency in ms. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Client:
    """One user: a keep-alive connection and the session cookies it was given."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once, as browsers do.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                raise
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username: str, password: str) -> bool:
        status, page = self.request("GET", "/login/")
        token = CSRF_RE.search(page)
        if status != 200 or token is None:
            return False
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": username,
                                       "password": password})
        status, _ = self.request("POST", "/login/", form)
        return status == 302 and "sessionid" in self.cookies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int, settings: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": settings,
        "XIEZUO_SECRET_KEY": env.get("XIEZUO_SECRET_KEY") or secrets.token_urlsafe(64),
        "XIEZUO_DEBUG": "0",
        "XIEZUO_SSL_REDIRECT": "0",  # plain HTTP on the loopback; production sits behind TLS
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESSLOG": os.devnull,
        "XIEZUO_VAR_DIR": env.get("XIEZUO_VAR_DIR", str(ROOT / "var")),
    })
    if settings.endswith("production"):
        # Production serves hashed, compressed files from STATIC_ROOT: collect them first.
        subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                       check=True)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "xiezuo.wsgi"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            response = conn.getresponse()
            last = response.read().decode()
            if response.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not become ready within 60 s (/readyz: {last}; run `xiezuo init`?)")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def pick_users(users: int, year: int) -> list[tuple[str, str, str]]:
    """(page kind, username, path): a third each on table pages, review lists and dashboards."""
    import django

    django.setup()
    from xiezuo.accounts.models import Profile

    def profiles(role: str) -> list[Profile]:
        return list(Profile.objects.filter(role=role, user__username__startswith="synth-")
                    .select_related("user", "org").order_by("org__code"))

    clerks, cities, provinces = profiles("county_clerk"), profiles("city_reviewer"), profiles("province_reviewer")
    if not (clerks and cities and provinces):
        raise SystemExit("no synthetic users: run `xiezuo synth` first")
    plan = []
    for i in range(users):
        kind = ("table", "review", "dashboard")[i % 3]
        if kind == "table":
            p = clerks[(i * 37) % len(clerks)]
            plan.append((kind, p.user.username, f"/org/{p.org.code}/{year}/"))
        elif kind == "review":
            p = cities[(i * 7) % len(cities)]
            plan.append((kind, p.user.username, f"/org/{p.org.code}/{year}/review/"))
        else:
            p = provinces[i % len(provinces)]
            plan.append((kind, p.user.username, f"/org/{p.org.code}/{year}/dashboard/"))
    return plan


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, round(q / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--password", default="xiezuo-synth-2023")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--serve", action="store_true", help="start gunicorn for the run and stop it after")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--settings", default="xiezuo.settings.production",
                        help="settings module for gunicorn (the smoke test uses xiezuo.settings.base: no collectstatic)")
    args = parser.parse_args()

    plan = pick_users(args.users, args.year)
    server = None
    if args.serve:
        port = free_port()
        server = start_server(port, args.workers or (os.cpu_count() or 1) * 2 + 1, args.threads, args.settings)
        host = "127.0.0.1"
    else:
        parsed = urllib.parse.urlparse(args.base_url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("the load test only targets 127.0.0.1")
    try:
        clients = []
        for kind, username, path in plan:
            client = Client(host, port)
            if not client.login(username, args.password):
                raise SystemExit(f"login failed for {username}")
            status, _ = client.request("GET", path)  # warm: first request per user is not timed
            if status != 200:
                raise SystemExit(f"{username} GET {path} → {status}")
            clients.append((kind, client, path))

        # Service time first: one user at a time, so the figures under load can be read against it.
        alone: dict[str, list[float]] = {}
        for kind, client, path in clients[:3]:
            for _ in range(10):
                t = time.perf_counter()
                client.request("GET", path)
                alone.setdefault(kind, []).append((time.perf_counter() - t) * 1000)

        results: dict[str, list[float]] = {"table": [], "review": [], "dashboard": []}
        errors: dict[str, int] = {k: 0 for k in results}
        lock = threading.Lock()
        start_at = time.perf_counter() + 0.5
        stop_at = start_at + args.seconds

        def run(kind: str, client: Client, path: str) -> None:
            while time.perf_counter() < start_at:
                time.sleep(0.001)
            mine: list[float] = []
            failed = 0
            while (t := time.perf_counter()) < stop_at:
                try:
                    status, _ = client.request("GET", path)
                except (http.client.HTTPException, OSError):
                    status = 0
                if status == 200:
                    mine.append((time.perf_counter() - t) * 1000)
                else:
                    failed += 1
            with lock:
                results[kind].extend(mine)
                errors[kind] += failed

        threads = [threading.Thread(target=run, args=c, daemon=True) for c in clients]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=args.seconds + 60)
        elapsed = time.perf_counter() - start_at

        users_of = {k: sum(1 for c in clients if c[0] == k) for k in results}
        print("one user at a time (service time): " + ", ".join(
            f"{k} p50 {statistics.median(v):.1f} ms" for k, v in alone.items()))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine load average during the run: {load:.1f} on {os.cpu_count()} cores")
        print(f"{len(clients)} logged-in users for {args.seconds:.0f} s against {host}:{port}"
              + (f" (gunicorn {args.workers or (os.cpu_count() or 1) * 2 + 1} workers × {args.threads} threads)"
                 if args.serve else ""))
        print(f"{'page':<10} {'users':>5} {'requests':>9} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8}")
        total = 0
        for kind, times in results.items():
            times.sort()
            total += len(times)
            print(f"{kind:<10} {users_of[kind]:>5} {len(times):>9} {errors[kind]:>6} {len(times) / elapsed:>7.1f} "
                  f"{percentile(times, 50):>8.1f} {percentile(times, 95):>8.1f} {percentile(times, 99):>8.1f} "
                  f"{(times[-1] if times else float('nan')):>8.1f}")
        all_times = sorted(t for ts in results.values() for t in ts)
        print(f"{'all':<10} {len(clients):>5} {total:>9} {sum(errors.values()):>6} {total / elapsed:>7.1f} "
              f"{percentile(all_times, 50):>8.1f} {percentile(all_times, 95):>8.1f} {percentile(all_times, 99):>8.1f} "
              f"{(all_times[-1] if all_times else float('nan')):>8.1f}")
        if results["table"]:
            print(f"table page p95 {percentile(results['table'], 95):.1f} ms (target ≤ 150 ms)")
        return 0 if total and not sum(errors.values()) else 1
    finally:
        if server is not None:
            stop_server(server)


if __name__ == "__main__":
    sys.exit(main())
