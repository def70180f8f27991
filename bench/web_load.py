"""Web under load: one gunicorn worker on one core, the load generator on another.

    XIEZUO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_nat \
        .venv/bin/python bench/web_load.py --seconds 15

Needs synthetic data (`xiezuo synth`): its users log in through the login form like people do.
Starts gunicorn (deploy/gunicorn.conf.py, production settings, DEBUG off, ONE worker with the
configured threads) on 127.0.0.1 pinned to CPU 0 with `taskset`; this process, the only load
generator (one asyncio thread), pins itself to CPU 1. Requests come as through the TLS proxy of
docs/deploy.md (`X-Forwarded-Proto: https`), so HTTPS-only cookies, CSRF referer checks and HSTS
behave as in production. For each hot page, one after the other:

- single: sequential requests on one keep-alive connection, median of --single after warm-up;
  "server ms" is gunicorn's own time for the same requests (its access log, microseconds);
- saturated: --clients keep-alive connections in a closed loop (each sends again as soon as its
  answer arrived) for --seconds: requests per second, the worker's CPU ms per request, and the
  share of a core the worker got (the machine may be shared);
- open loop: Poisson arrivals at 50 % and 80 % of that page's saturated rate for --seconds each;
  latency runs from each request's scheduled send time, not from when it went out, so a slow
  answer cannot hold back the requests behind it (no coordinated omission); a request that finds
  no idle connection opens another (up to --max-connections).

Pages: /healthz (the trivial view, every ratio's base), a county's table page (its clerk), a cell
save (the HTMX POST the table page sends when a cell changes; each in-flight save has a cell of
its own, so none is refused as stale), a city's review list, dashboard and area table (its
reviewer). Prints one table with the done-when targets beside the figures. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")
os.environ.setdefault("XIEZUO_DEBUG", "0")

SERVER_CPU, CLIENT_CPU = 0, 1
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CELL_FORM_RE = re.compile(r'hx-post="(?P<url>[^"]*/cell/(?P<code>[^/"]+)/)"')
NUMERIC_INPUT_RE = re.compile(r'<input type="text" inputmode="decimal" name="value" value="(?P<value>[^"]*)"')


# --- a small HTTP/1.1 keep-alive client on asyncio: cheap enough that one core outruns the server

class Closed(Exception):
    """The server closed a kept-alive connection before answering (safe to send again)."""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = False

    async def request(self, raw: bytes) -> Response:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.used = False
            try:
                return await self._exchange(raw)
            except Closed:
                # An idle keep-alive connection the server had closed: reconnect once, as browsers do.
                self.close()
                if attempt == 2:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    async def _exchange(self, raw: bytes) -> Response:
        assert self.reader is not None and self.writer is not None
        reused, self.used = self.used, True
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            if reused and not getattr(exc, "partial", b""):
                raise Closed from exc
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
        names = dict(headers)
        if "content-length" in names:
            body = await self.reader.readexactly(int(names["content-length"]))
        elif names.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            while await self.reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            names["connection"] = "close"
        if names.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """Idle connections, most recently used first (keeps them warm); opens more on demand up to a cap."""

    def __init__(self, host: str, port: int, cap: int) -> None:
        self.host, self.port, self.cap = host, port, cap
        self.idle: list[Connection] = []
        self.total = 0
        self.peak = 0
        self.waiters: list[asyncio.Future[Connection]] = []

    async def get(self) -> Connection:
        if self.idle:
            return self.idle.pop()
        if self.total < self.cap:
            self.total += 1
            self.peak = max(self.peak, self.total)
            return Connection(self.host, self.port)
        waiter: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter

    def put(self, conn: Connection) -> None:
        while self.waiters:
            waiter = self.waiters.pop(0)
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


@dataclass
class User:
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, response: Response) -> None:
        for name, value in response.headers:
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]


class Site:
    """Builds requests as a browser behind the TLS proxy sends them."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.origin = f"https://{host}:{port}"

    def get(self, path: str, user: User | None = None) -> bytes:
        cookie = f"Cookie: {user.cookie_header()}\r\n" if user and user.cookies else ""
        return (f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nX-Forwarded-Proto: https\r\n"
                f"Accept: text/html\r\n{cookie}\r\n").encode()

    def post(self, path: str, user: User, form: dict[str, str], *, referer: str, htmx: bool = False) -> bytes:
        body = urllib.parse.urlencode(form).encode()
        extra = f"HX-Request: true\r\nX-CSRFToken: {user.csrf}\r\n" if htmx else ""
        return (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nX-Forwarded-Proto: https\r\n"
                f"Cookie: {user.cookie_header()}\r\nReferer: {self.origin}{referer}\r\n{extra}"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body


async def login(site: Site, conn: Connection, user: User, password: str) -> None:
    page = await conn.request(site.get("/login/"))
    user.remember(page)
    token = CSRF_INPUT_RE.search(page.text())
    if page.status != 200 or token is None:
        raise SystemExit(f"/login/ → {page.status} without a form")
    answer = await conn.request(site.post("/login/", user, {
        "csrfmiddlewaretoken": token.group(1), "username": user.username, "password": password}, referer="/login/"))
    user.remember(answer)
    if answer.status != 302 or "sessionid" not in user.cookies:
        raise SystemExit(f"login failed for {user.username} ({answer.status}): `xiezuo synth` sets the password")


# --- what is requested

@dataclass
class Cell:
    """One editable cell of one clerk's county: taken by one request at a time, so its version is current."""

    user: User
    page_path: str
    url: str
    version: int
    base: Decimal
    flip: bool = False


class Target:
    """A hot page: `once(conn)` sends one request and tells whether the answer was the right one."""

    def __init__(self, name: str, path_label: str) -> None:
        self.name, self.path_label = name, path_label

    async def once(self, conn: Connection) -> bool:
        raise NotImplementedError

    def logged(self, method: str, path: str) -> bool:
        raise NotImplementedError


class GetTarget(Target):
    def __init__(self, name: str, path_label: str, site: Site, requests: list[tuple[str, User | None]]) -> None:
        super().__init__(name, path_label)
        self.paths = {path for path, _ in requests}
        self.raw = [site.get(path, user) for path, user in requests]
        self.next = 0

    async def once(self, conn: Connection) -> bool:
        raw = self.raw[self.next % len(self.raw)]
        self.next += 1
        return (await conn.request(raw)).status == 200

    def logged(self, method: str, path: str) -> bool:
        return method == "GET" and path in self.paths


class CellSave(Target):
    """The HTMX POST of a changed cell: the value flips between the shown one and one more."""

    def __init__(self, site: Site, cells: list[Cell]) -> None:
        super().__init__("cell save", "POST …/cell/<row>/ (HTMX)")
        self.site = site
        self.free = asyncio.Queue[Cell]()
        for cell in cells:
            self.free.put_nowait(cell)

    async def once(self, conn: Connection) -> bool:
        cell = await self.free.get()
        try:
            return await save(self.site, conn, cell)
        finally:
            self.free.put_nowait(cell)

    def logged(self, method: str, path: str) -> bool:
        return method == "POST" and "/cell/" in path


async def save(site: Site, conn: Connection, cell: Cell) -> bool:
    cell.flip = not cell.flip
    value = cell.base + 1 if cell.flip else cell.base
    answer = await conn.request(site.post(cell.url, cell.user, {
        "csrfmiddlewaretoken": cell.user.csrf, "version": str(cell.version), "value": str(value)},
        referer=cell.page_path, htmx=True))
    text = answer.text()
    version = VERSION_RE.search(text)
    if version:
        cell.version = int(version.group(1))
    return answer.status == 200 and 'class="saved"' in text and 'class="refused"' not in text


# --- the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinning_possible() -> bool:
    return shutil.which("taskset") is not None and {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    access_log: Path
    error_log: Path
    threads: int

    def worker_pid(self) -> int | None:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def access_format() -> str:
    """The production access-log line plus gunicorn's own request time in microseconds."""
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    fields = json.loads(str(conf["access_log_format"]))
    fields["us"] = "%(D)s"
    return json.dumps(fields)


def start_server(port: int, workers: int, threads: int, settings: str, work: Path, pin: bool) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": settings,
        "XIEZUO_SECRET_KEY": env.get("XIEZUO_SECRET_KEY") or secrets.token_urlsafe(64),
        "XIEZUO_DEBUG": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        # Recycling the worker every ~5,000 requests would restart it (and empty its page cache)
        # every few seconds of a saturated /healthz run: measure the worker, not its restarts.
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESSLOG": str(work / "access.log"),
        "XIEZUO_VAR_DIR": env.get("XIEZUO_VAR_DIR", str(ROOT / "var")),
    })
    if settings.endswith("production"):
        # Production serves hashed, compressed files from STATIC_ROOT: collect them first.
        subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                       check=True)
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
               "--access-logformat", access_format(), "xiezuo.wsgi"]
    if pin:
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    error_log = work / "error.log"
    with error_log.open("wb") as errors:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=errors, stderr=errors,
                                   start_new_session=True)
    server = Server(process, work / "access.log", error_log, threads)
    deadline = time.monotonic() + 90
    last = "no answer"
    site = Site("127.0.0.1", port)
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(site.get("/readyz").replace(b"HTTP/1.1", b"HTTP/1.0", 1))
                answer = b""
                while chunk := s.recv(65536):
                    answer += chunk
            last = answer.decode("utf-8", "replace").split("\r\n\r\n", 1)[-1][:300]
            if answer.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")) and server.worker_pid():
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    tail = error_log.read_text("utf-8", "replace")[-2000:]
    raise SystemExit(f"gunicorn did not become ready within 90 s (/readyz: {last}; run `xiezuo init`?)\n{tail}")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process (all its threads), from /proc."""
    if pid is None:
        return float("nan")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def core_ticks(cpu: int) -> tuple[int, int]:
    """All ticks of one CPU and those stolen from it by the hypervisor (/proc/stat; a VM whose host
    is busy gives its cores less time: a page then costs more CPU than on an idle host)."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith(f"cpu{cpu} "):
                ticks = [int(x) for x in line.split()[1:]]
                return sum(ticks[:8]), ticks[7] if len(ticks) > 7 else 0
    except OSError:
        pass
    return 0, 0


# A fixed piece of pure Python (dicts, strings, JSON, arithmetic, as a request's work is made of),
# run on the server's core before and after the pages: on a VM whose host is busy it takes longer,
# and so does every page. Figures of two runs compare only at similar calibration times.
CALIBRATION = """
import json, time
rows = [{"code": f"row{i}", "label": "劳务协作" * 3, "value": i * 1.25, "rules": list(range(i % 7))} for i in range(300)]
start = time.process_time()
for _ in range(40):
    text = json.dumps(rows, ensure_ascii=False)
    back = json.loads(text)
    total = sum(r["value"] * len(r["rules"]) for r in back)
    html = "".join(f"<tr id='row-{r['code']}'><td>{r['label']}</td><td>{r['value']:.2f}</td></tr>" for r in back)
print((time.process_time() - start) * 1000)
"""


def calibration_ms(pinned: bool) -> float:
    """The calibration's CPU time in a process on the server's core (the best of three)."""
    command = [sys.executable, "-c", CALIBRATION]
    if pinned:
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    runs = [float(subprocess.run(command, capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    return min(runs)


def database_round_trip_us() -> float:
    """The median time of `SELECT 1` on the benchmark's database connection (the network and the
    database's wake-up: each statement a page sends waits this long at least)."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(500):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append((time.perf_counter() - start) * 1e6)
    connection.close()
    return statistics.median(times)


def server_times(server: Server, offset: int, target: Target) -> list[float]:
    """gunicorn's request times (ms) for `target` in its access log after `offset`."""
    times = []
    with server.access_log.open("rb") as log:
        log.seek(offset)
        for line in log:
            try:
                entry = json.loads(line)
                if target.logged(entry["method"], entry["path"]):
                    times.append(int(entry["us"]) / 1000)
            except (ValueError, KeyError):
                continue
    return times


# --- the measurements

@dataclass
class Figures:
    single_ms: float = math.nan
    server_ms: float = math.nan
    single_cpu_ms: float = math.nan  # the worker's CPU time per request while answering them one at a time
    rate: float = math.nan
    cpu_ms: float = math.nan
    core_share: float = math.nan
    client_share: float = math.nan
    load: float = math.nan
    healthz_rate: float = math.nan  # /healthz saturated right before this page's run: the ratio's base
    steal: float = math.nan  # share of the server's core the hypervisor took during the page's runs
    open: dict[float, OpenFigures] = field(default_factory=dict)
    errors: int = 0


@dataclass
class OpenFigures:
    offered: float
    achieved: float
    p50: float
    p95: float
    p99: float
    late_send_ms: float
    connections: int
    unfinished: int
    errors: int
    cpu_ms: float


async def attempt(target: Target, conn: Connection) -> bool:
    """One request; a connection the server broke off counts as a failed request, not a crash."""
    try:
        return await target.once(conn)
    except (OSError, asyncio.IncompleteReadError, Closed):
        return False


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of unsorted values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


async def single(target: Target, server: Server, site: Site, count: int, warm: int
                 ) -> tuple[float, float, float, int]:
    """Sequential requests: the client's and gunicorn's median times, the worker's mean CPU time."""
    conn = Connection(site.host, site.port)
    errors = 0
    for _ in range(warm):
        errors += not await attempt(target, conn)
    await asyncio.sleep(0.2)  # gunicorn writes the log line after the answer
    offset = server.access_log.stat().st_size
    times = []
    worker = server.worker_pid()
    cpu_before = cpu_seconds(worker)
    for _ in range(count):
        start = time.perf_counter()
        ok = await attempt(target, conn)
        times.append((time.perf_counter() - start) * 1000)
        errors += not ok
    cpu = (cpu_seconds(worker) - cpu_before) / count * 1000 if count else math.nan
    conn.close()
    await asyncio.sleep(0.2)
    served = server_times(server, offset, target)
    return statistics.median(times), statistics.median(served) if served else math.nan, cpu, errors


async def saturated(target: Target, server: Server, site: Site, clients: int, seconds: float
                    ) -> tuple[float, float, float, float, int]:
    """Closed loop: requests per second, worker CPU ms per request, worker and client core shares."""
    loop = asyncio.get_running_loop()
    ramp = min(1.0, seconds / 5)
    begin = loop.time() + ramp
    end = begin + seconds
    done = 0
    errors = 0
    worker = server.worker_pid()
    marks: dict[str, tuple[float, float, float]] = {}

    async def sample(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - loop.time()))
        marks[name] = (loop.time(), cpu_seconds(worker), time.process_time())

    async def client() -> None:
        nonlocal done, errors
        conn = Connection(site.host, site.port)
        while loop.time() < end:
            ok = await attempt(target, conn)
            if begin <= loop.time() <= end:
                done += ok
                errors += not ok
        conn.close()

    await asyncio.gather(sample("begin", begin), sample("end", end), *(client() for _ in range(clients)))
    wall = marks["end"][0] - marks["begin"][0]
    server_cpu = marks["end"][1] - marks["begin"][1]
    client_cpu = marks["end"][2] - marks["begin"][2]
    return (done / wall, server_cpu / done * 1000 if done else math.nan, server_cpu / wall, client_cpu / wall,
            errors)


async def open_loop(target: Target, server: Server, site: Site, rate: float, seconds: float, cap: int, seed: int
                    ) -> OpenFigures:
    """Poisson arrivals at `rate` for `seconds`; latency from each request's scheduled send time."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    pool = Pool(site.host, site.port, cap)
    latencies: list[float] = []
    late: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        late.append(loop.time() - scheduled)
        ok = await attempt(target, conn)
        latencies.append((loop.time() - scheduled) * 1000)
        errors += not ok
        pool.put(conn)

    start = loop.time() + 0.1
    at = start
    worker = server.worker_pid()
    cpu_before = cpu_seconds(worker)
    tasks = []
    while True:
        at += rng.expovariate(rate)
        if at > start + seconds:
            break
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(at)))
    sent = len(tasks)
    finished, pending = await asyncio.wait(tasks, timeout=max(10.0, seconds)) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    pool.close()
    cpu = cpu_seconds(worker) - cpu_before
    wall = max(loop.time(), start + seconds) - start
    return OpenFigures(offered=rate, achieved=len(latencies) / wall, p50=percentile(latencies, 50),
                       p95=percentile(latencies, 95), p99=percentile(latencies, 99),
                       late_send_ms=max(late, default=0.0) * 1000, connections=pool.peak,
                       unfinished=sent - len(latencies), errors=errors + len(pending),
                       cpu_ms=cpu / len(latencies) * 1000 if latencies else math.nan)


# --- who requests what

@dataclass
class Plan:
    clerks: list[tuple[str, str]]  # (username, county code): table pages
    editors: list[tuple[str, str]]  # clerks of counties still open for editing: cell saves
    cities: list[tuple[str, str]]  # (username, city code): review list, dashboard, area table
    database: str
    counties: int


def plan_users(per_role: int, year: int) -> Plan:
    import django

    django.setup()
    from django.db import connection

    from xiezuo.accounts.models import Profile, Role
    from xiezuo.orgunits.models import OrgUnit
    from xiezuo.submissions.models import State, Submission

    def spread(role: str, among: set[str] | None = None, avoid: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        found = [(p.user.username, p.org.code) for p in Profile.objects.filter(
            role=role, user__username__startswith="synth-", user__is_active=True).select_related("user", "org")
            .order_by("org__code", "user__username")
            if (among is None or p.org.code in among) and p.org.code not in avoid]
        # Every step-th unit, so that all provinces take part; one user per unit.
        picked: dict[str, str] = {}
        for username, code in found[::max(1, len(found) // max(1, per_role))]:
            picked.setdefault(code, username)
        return [(username, code) for code, username in list(picked.items())[:per_role]]

    open_codes = set(Submission.objects.filter(year=year, state__in=[State.DRAFT, State.RETURNED])
                     .values_list("org__code", flat=True))
    editors = spread(Role.COUNTY_CLERK, open_codes)
    clerks = spread(Role.COUNTY_CLERK, avoid=frozenset(code for _, code in editors))
    cities = spread(Role.CITY_REVIEWER)
    if not (clerks and editors and cities):
        raise SystemExit("no synthetic users (or no county open for editing): run `xiezuo synth` first")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        database = f"{connection.vendor} {sqlite3.sqlite_version}"
    counties = OrgUnit.objects.filter(level="county", side="west").count()
    connection.close()
    return Plan(clerks, editors, cities, database, counties)


async def find_cells(site: Site, conn: Connection, user: User, page_path: str, per_user: int) -> list[Cell]:
    """The first numeric cells the clerk's table page lets them edit, with their versions."""
    page = (await conn.request(site.get(page_path, user))).text()
    token = CSRF_HEADER_RE.search(page)
    if token:
        user.csrf = token.group(1)
    cells = []
    for form in page.split("<form")[1:]:
        form = form.split("</form>", 1)[0]
        url, version, value = CELL_FORM_RE.search(form), VERSION_RE.search(form), NUMERIC_INPUT_RE.search(form)
        if not (url and version and value):
            continue
        try:
            base = Decimal(value.group("value").replace(",", "") or "0")
        except InvalidOperation:
            continue
        cell = Cell(user, page_path, url.group("url"), int(version.group(1)), base)
        # Both values the run will write must be accepted (some rows are bounded, e.g. shares).
        if await save(site, conn, cell) and await save(site, conn, cell):
            cells.append(cell)
        if len(cells) == per_user:
            break
    return cells


# --- the run

DONE_WHEN_SHARE = 0.10  # table page, review list, dashboard, area table: ≥ 10 % of /healthz req/s
DONE_WHEN_SAVE_MS = 10.0  # a cell save's server time
DONE_WHEN_TABLE_P95_MS = 150.0  # the table page's p95 at 80 % of its saturated rate


async def measure(args: argparse.Namespace, plan: Plan, server: Server, site: Site) -> dict[str, Figures]:
    conn = Connection(site.host, site.port)
    users: dict[str, User] = {}
    for username, _ in plan.clerks + plan.editors + plan.cities:
        if username not in users:
            users[username] = User(username)
            await login(site, conn, users[username], args.password)
    year = args.year
    cells: list[Cell] = []
    for username, code in plan.editors:
        cells += await find_cells(site, conn, users[username], f"/org/{code}/{year}/", args.cells_per_clerk)
    conn.close()
    if not cells:
        raise SystemExit("no editable numeric cell found on the open counties' table pages")
    need = args.clients + 2
    if len(cells) < need:
        print(f"note: {len(cells)} editable cells for {args.clients} clients: some saves wait for a free cell")

    def pages(suffix: str, people: list[tuple[str, str]]) -> list[tuple[str, User | None]]:
        return [(f"/org/{code}/{year}/{suffix}", users[username]) for username, code in people]

    targets = [
        GetTarget("healthz", "/healthz (no session)", site, [("/healthz", None)]),
        GetTarget("table", "county table page (clerk)", site, pages("", plan.clerks)),
        CellSave(site, cells),
        GetTarget("review", "city review list (reviewer)", site, pages("review/", plan.cities)),
        GetTarget("dashboard", "city dashboard (reviewer)", site, pages("dashboard/", plan.cities)),
        GetTarget("area table", "city area table (reviewer)", site, pages("", plan.cities)),
    ]
    wanted = set(args.pages.split(",")) if args.pages else None
    results: dict[str, Figures] = {}
    for index, target in enumerate(targets):
        if wanted is not None and target.name.replace(" ", "-") not in wanted and target.name != "healthz":
            continue
        figures = results[target.name] = Figures(load=os.getloadavg()[0])
        ticks_before = core_ticks(SERVER_CPU)
        print(f"… {target.name}: {target.path_label}", file=sys.stderr, flush=True)
        # Warm-up: every user's page once (each fills its own cache entries), then the single run.
        warm = len(getattr(target, "raw", [])) + args.warmup
        figures.single_ms, figures.server_ms, figures.single_cpu_ms, errors = await single(
            target, server, site, args.single, warm)
        figures.errors += errors
        if target is not targets[0]:
            # The machine may be shared and its load drifts: each page's ratio is taken against a
            # /healthz run just before its own, not only against the one at the start.
            figures.healthz_rate, *_, errors = await saturated(targets[0], server, site, args.clients,
                                                               max(1.0, args.seconds / 3))
            figures.errors += errors
        (figures.rate, figures.cpu_ms, figures.core_share, figures.client_share,
         errors) = await saturated(target, server, site, args.clients, args.seconds)
        if target is targets[0]:
            figures.healthz_rate = figures.rate
        figures.errors += errors
        for share in args.shares:
            if not figures.rate > 0:
                break
            result = await open_loop(target, server, site, share * figures.rate, args.seconds, args.max_connections,
                                     seed=index * 1000 + round(share * 1000))
            figures.open[share] = result
            figures.errors += result.errors
        ticks_after = core_ticks(SERVER_CPU)
        if ticks_after[0] > ticks_before[0]:
            figures.steal = (ticks_after[1] - ticks_before[1]) / (ticks_after[0] - ticks_before[0])
    return results


def report(args: argparse.Namespace, plan: Plan, results: dict[str, Figures], pinned: bool, started: str,
           load_before: tuple[float, float, float], machine: tuple[float, float, float, float]) -> None:
    import gunicorn

    print(f"web under load, {started} UTC: {plan.database}, {plan.counties} counties; gunicorn {gunicorn.__version__}, "
          f"{args.settings}, 1 worker × {args.threads} threads"
          + (f", server on CPU {SERVER_CPU}, load generator on CPU {CLIENT_CPU} (taskset)" if pinned
             else ", NOT pinned (needs taskset and two CPUs)"))
    print(f"{args.clients} closed-loop clients; {args.seconds:g} s per measurement; single = median of "
          f"{args.single} after warm-up; open loop: Poisson arrivals, latency from the scheduled send time")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs; other work may share them)")
    print(f"machine speed: calibration {machine[0]:.1f} ms before, {machine[2]:.1f} ms after (CPU {SERVER_CPU}, "
          f"fixed pure-Python work; lower is faster); database round trip (SELECT 1) {machine[1]:.0f} µs before, "
          f"{machine[3]:.0f} µs after")
    print()
    print(f"{'page':<11}{'single ms':>10}{'server ms':>10}{'sat req/s':>10}{'hz req/s':>9}{'÷ healthz':>10}{'CPU ms/req':>11}"
          f"{'÷ by CPU':>9}{'core':>6}{'steal':>6}{'p50 ms@50%':>11}{'p95 ms@50%':>11}{'p50 ms@80%':>11}{'p95 ms@80%':>11}{'errors':>7}"
          f"{'load':>6}  target")
    for name, f in results.items():
        half, most = f.open.get(0.5), f.open.get(0.8)

        def cell(x: float, width: int, digits: int = 1) -> str:
            return f"{x:>{width}.{digits}f}" if not math.isnan(x) else f"{'—':>{width}}"

        share = f.rate / f.healthz_rate if f.healthz_rate else math.nan
        by_cpu = results["healthz"].cpu_ms / f.cpu_ms if f.cpu_ms else math.nan
        targets = []
        if name in ("table", "review", "dashboard", "area table"):
            targets.append(f"÷ healthz ≥ {DONE_WHEN_SHARE:.0%}: " + ("met" if share >= DONE_WHEN_SHARE else "MISSED"))
        if name == "cell save":
            targets.append(f"server ≤ {DONE_WHEN_SAVE_MS:g} ms: "
                           + ("met" if f.server_ms <= DONE_WHEN_SAVE_MS else "MISSED"))
        if name == "table" and most:
            targets.append(f"p95@80% ≤ {DONE_WHEN_TABLE_P95_MS:g} ms: "
                           + ("met" if most.p95 <= DONE_WHEN_TABLE_P95_MS and not most.unfinished else "MISSED"))
        print(f"{name:<11}{cell(f.single_ms, 10, 2)}{cell(f.server_ms, 10, 2)}{cell(f.rate, 10)}{cell(f.healthz_rate, 9, 0)}"
              f"{cell(share * 100, 9)}%{cell(f.cpu_ms, 11, 2)}{cell(by_cpu * 100, 8)}%{cell(f.core_share * 100, 5, 0)}%"
              f"{cell(f.steal * 100, 5, 0)}%"
              f"{cell(half.p50 if half else math.nan, 11)}{cell(half.p95 if half else math.nan, 11)}"
              f"{cell(most.p50 if most else math.nan, 11)}{cell(most.p95 if most else math.nan, 11)}"
              f"{f.errors:>7}{f.load:>6.1f}  {'; '.join(targets)}")
    print()
    print("open loop detail (offered → achieved req/s, p50, p95, p99, worker CPU ms per request, peak connections, "
          "latest send behind schedule, unfinished):")
    for name, f in results.items():
        for share, o in f.open.items():
            print(f"  {name:<11} {share:4.0%}: {o.offered:7.1f} → {o.achieved:7.1f} req/s, p50 {o.p50:7.1f}, "
                  f"p95 {o.p95:7.1f}, p99 {o.p99:7.1f} ms, CPU {o.cpu_ms:6.2f} ms/req, {o.connections:3d} connections, "
                  f"sent ≤ {o.late_send_ms:5.1f} ms late, {o.unfinished} unfinished")
    print("one at a time (single): gunicorn's time, of which the worker's CPU time (the rest is waiting: the "
          "database, and the core waking up between requests): " + ", ".join(
              f"{name} {f.server_ms:.2f} / {f.single_cpu_ms:.2f} ms" for name, f in results.items()))
    print("load generator's share of its core while saturating: " + ", ".join(
        f"{name} {f.client_share:.0%}" for name, f in results.items()))
    print("single ms: answer on the client; server ms: gunicorn's request time for the same requests; hz req/s: "
          "/healthz saturated just before the page's own run, the base of ÷ healthz; core: the "
          "worker's CPU time ÷ wall time while saturated (below 100 %: other processes had part of its core, or it "
          "waited on the database); steal: the share of the server's core the hypervisor gave to other machines "
          f"during the page's runs (CPU {SERVER_CPU} in /proc/stat; above a few %, the host is busy and "
          "every figure of the page is slower); ÷ by CPU: /healthz's worker CPU per request ÷ this page's, the "
          "throughput ratio "
          "were both CPU-bound on a core of their own")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each saturated and open-loop run")
    parser.add_argument("--single", type=int, default=50, help="sequential requests timed per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests before them")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop keep-alive connections")
    parser.add_argument("--max-connections", type=int, default=256, help="cap on open-loop connections")
    parser.add_argument("--users", type=int, default=8,
                        help="logged-in users per kind (clerks, clerks who edit, city reviewers)")
    parser.add_argument("--cells-per-clerk", type=int, default=6)
    parser.add_argument("--pages", default="",
                        help="comma-separated subset: table,cell-save,review,dashboard,area-table (healthz always)")
    parser.add_argument("--shares", type=lambda s: [float(x) for x in s.split(",")], default=[0.5, 0.8],
                        help="open-loop rates as shares of the saturated rate (the table shows 0.5 and 0.8)")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--password", default="xiezuo-synth-2023")
    parser.add_argument("--threads", type=int, default=4, help="threads of the one gunicorn worker (production: 4)")
    parser.add_argument("--settings", default="xiezuo.settings.production",
                        help="settings module for gunicorn (the smoke test uses xiezuo.settings.base: no collectstatic)")
    args = parser.parse_args()

    pinned = pinning_possible()
    if pinned:
        os.sched_setaffinity(0, {CLIENT_CPU})  # every thread this process starts inherits it
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load_before = os.getloadavg()
    plan = plan_users(args.users, args.year)
    machine_before = (calibration_ms(pinned), database_round_trip_us())
    with tempfile.TemporaryDirectory(prefix="web_load-") as work:
        port = free_port()
        server = start_server(port, 1, args.threads, args.settings, Path(work), pinned)
        try:
            site = Site("127.0.0.1", port)
            results = asyncio.run(measure(args, plan, server, site))
            if server.process.poll() is not None:
                raise SystemExit("gunicorn stopped during the run:\n" + server.error_log.read_text()[-2000:])
        finally:
            server.stop()
    machine = (*machine_before, calibration_ms(pinned), database_round_trip_us())
    report(args, plan, results, pinned, started, load_before, machine)
    return 1 if any(f.errors for f in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
