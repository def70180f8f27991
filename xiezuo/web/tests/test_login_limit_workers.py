"""The login limit holds across gunicorn workers: a real gunicorn, two workers, one count.

gunicorn runs from deploy/gunicorn.conf.py against the test database. Each worker holds at most
one connection here (`--worker-connections 1`), so a worker busy with a request accepts no other.
A "plug" is a POST sent with `Expect: 100-continue` and its body held back: the `100 Continue`
answer proves a worker took it, and that worker then waits for the body, so every new connection
goes to the other worker. Two failed logins are answered by one worker and three by the other —
the access log names the pid of each — and the sixth attempt, with the right password, is refused
only because the workers share the counters. With a local-memory limits cache (the control case)
neither worker has seen five failures and the sixth attempt gets in: what the shared cache fixes.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.urls import reverse

from xiezuo.accounts.services import user_create
from xiezuo.orgunits.models import OrgUnit
from xiezuo.settings.env import cache_from_url
from xiezuo.web.views.auth import LoginForm

ROOT = Path(__file__).resolve().parents[3]
USERNAME = "huining-workers"
PASSWORD = "洮河-春耕-2024-绿"
REDIS_URL = f"redis://127.0.0.1:6379/11?key_prefix=xz-limits-test-{os.getpid()}"
LOCKED = LoginForm.error_messages["rate_limited"].format(wait="15 分钟")  # the default lock time
PLUG_BODY = b"next=%2F"


def _test_database_url() -> str:
    """The URL of the database this test runs in, for the gunicorn process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # an absolute path: sqlite:////…/test-123.sqlite3
    auth = quote(str(db["USER"]), safe="") + (f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Gunicorn:
    port: int
    access_log: Path
    process: subprocess.Popen[bytes]
    plugs: list[socket.socket] = field(default_factory=list)

    def request(self, method: str, path: str, *, body: dict[str, str] | None = None,
                cookie: str = "") -> tuple[int, str, str]:
        """One request on a connection of its own; returns status, body and the CSRF cookie set."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Connection": "close", "Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = f"csrftoken={cookie}"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8")
            set_cookie = response.getheader("Set-Cookie") or ""
        finally:
            conn.close()
        found = re.search(r"csrftoken=([^;]+)", set_cookie)
        return response.status, text, found.group(1) if found else ""

    def login(self, password: str) -> tuple[int, str]:
        login_url = reverse("web:login")
        status, page, cookie = self.request("GET", login_url)
        assert status == 200 and cookie
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        status, page, _ = self.request("POST", login_url, cookie=cookie, body={
            "username": USERNAME, "password": password, "csrfmiddlewaretoken": token.group(1)})
        return status, page

    def plug(self, cookie: str) -> socket.socket:
        """A request a worker has taken and holds until `unplug` sends its body."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        sock.sendall((f"POST {reverse('web:logout')} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      f"Cookie: csrftoken={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: {len(PLUG_BODY)}\r\nExpect: 100-continue\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:  # waits in the listen queue until a free worker takes it
            chunk = sock.recv(1024)
            assert chunk, "gunicorn closed the plug"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 100"), answer
        self.plugs.append(sock)
        return sock

    def unplug(self, sock: socket.socket) -> None:
        """The body at last: the worker answers (403, no CSRF token) and is free again."""
        sock.sendall(PLUG_BODY)
        while sock.recv(4096):
            pass
        sock.close()
        self.plugs.remove(sock)

    def login_posts(self) -> list[tuple[int, int]]:
        """(pid, status) of every POST to the login page, from the access log, in order."""
        out = []
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["method"] == "POST" and entry["path"] == reverse("web:login"):
                out.append((int(entry["pid"].strip("<>")), int(entry["status"])))
        return out


def _start(tmp_path: Path, limits_url: str | None) -> Gunicorn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIEZUO_", "GUNICORN_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "xiezuo.settings.test", "XIEZUO_DATABASE_URL": _test_database_url()})
    if limits_url is not None:
        env["XIEZUO_LIMITS_CACHE_URL"] = limits_url
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    with error_log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", "127.0.0.1:0",
             "--workers", "2", "--worker-connections", "1", "--keep-alive", "60", "--max-requests", "0",
             "--no-control-socket", "--access-logfile", str(access_log), "xiezuo.wsgi"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    # gunicorn names its port (bound to 0: no race for a free one) and each worker as it boots.
    deadline = time.monotonic() + 90
    while True:
        text = error_log.read_text(encoding="utf-8", errors="replace")
        listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if listening and len(re.findall(r"Booting worker with pid", text)) >= 2:
            server = Gunicorn(int(listening.group(1)), access_log, process)
            try:
                if server.request("GET", "/healthz")[0] == 200:
                    return server
            except OSError:
                pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"gunicorn did not start:\n{text[-3000:]}")
        time.sleep(0.2)


def _stop(server: Gunicorn) -> None:
    for sock in server.plugs:
        sock.close()
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@dataclass
class RedisCounters:
    cache: RedisCache
    client: Any  # redis.Redis


@pytest.fixture
def redis_counters() -> Iterator[RedisCounters]:
    """The test's own keys (a prefix with this process's pid) in Redis database 11, removed after."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379 (start redis-server; .ci/run does)")
    entry = cache_from_url(REDIS_URL, name="")
    client = redis.Redis.from_url(str(entry["LOCATION"]))
    yield RedisCounters(RedisCache(str(entry["LOCATION"]), {"KEY_PREFIX": entry["KEY_PREFIX"]}), client)
    for key in client.scan_iter(match=f"{entry['KEY_PREFIX']}:*"):  # not clear(): that is FLUSHDB
        client.delete(key)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limits", ["database", "redis", "locmem"])
def test_the_sixth_login_is_refused_whichever_worker_counted_the_failures(
        limits: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from xiezuo.orgunits.services import orgunits_load_base

    orgunits_load_base()
    user_create(username=USERNAME, password=PASSWORD, org=OrgUnit.objects.get(code="620422"), role="county_clerk")
    # The database is the default (no XIEZUO_LIMITS_CACHE_URL): what a deployment gets without setup.
    url = {"database": None, "redis": REDIS_URL, "locmem": "locmem://"}[limits]
    redis_counters = request.getfixturevalue("redis_counters") if limits == "redis" else None

    server = _start(tmp_path, url)
    try:
        cookie = server.request("GET", reverse("web:login"))[2]
        first = server.plug(cookie)  # worker A is held
        for _ in range(2):
            assert server.login("wrong-password")[0] == 200  # answered by worker B
        second = server.plug(cookie)  # A is still held: only B can take this one
        server.unplug(first)
        for _ in range(3):
            status, page = server.login("wrong-password")  # answered by worker A
            assert status == 200 and "用户名或密码不正确" in page
        server.unplug(second)
        status, page = server.login(PASSWORD)
    finally:
        _stop(server)

    posts = server.login_posts()
    failures = posts[:5]
    assert [s for _, s in failures] == [200] * 5
    # Two failures from one worker, three from the other: no worker alone saw five.
    assert failures[0][0] == failures[1][0] != failures[2][0] == failures[3][0] == failures[4][0]
    pair_key = f"login-fail:pair:{USERNAME}:127.0.0.1"
    if limits == "locmem":
        assert status == 302 and posts[5][1] == 302  # each worker counted alone: the limit did not hold
        return
    assert status == 429 and LOCKED in page
    assert posts[5][1] == 429
    # Every failure counted once, in the shared store the settings named.
    if redis_counters is None:
        assert caches["limits"].get(pair_key) == 5
    else:
        assert redis_counters.cache.get(pair_key) == 5
        # and the window stays the one the first failure opened
        assert 0 < redis_counters.client.ttl(redis_counters.cache.make_key(pair_key)) <= settings.LOGIN_LOCK_SECONDS
