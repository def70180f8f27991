"""CSRF on every form, login rate limiting, session expiry and the production deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.test import Client

from xiezuo.accounts.services import demo_password

ROOT = Path(__file__).resolve().parents[3]


def test_posts_without_a_csrf_token_are_refused(demo):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "huining-clerk", "password": demo_password()}).status_code == 403
    page = client.get("/login/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    ok = client.post("/login/", {"username": "huining-clerk", "password": demo_password(),
                                 "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    for url in ("/org/620422/2023/cell/meet_party/", "/org/620422/2023/submission/submit/",
                "/org/620422/2023/submission/comment/", "/logout/"):
        assert client.post(url, {"value": "1", "version": "1", "comment": "x"}).status_code == 403, url


def test_every_form_carries_a_csrf_token(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    for url in ("/org/620422/2023/", "/org/620422/2023/submission/"):
        body = client.get(url).content.decode()
        assert body.count("<form") == body.count('name="csrfmiddlewaretoken"'), url
        assert "X-CSRFToken" in body  # htmx requests carry it as a header


def test_login_is_rate_limited(demo):  # type: ignore[no-untyped-def]
    caches["limits"].clear()
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/login/", {"username": "huining-clerk", "password": "wrong-password"})
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    # Even the right password is refused until the lock expires.
    response = client.post("/login/", {"username": "huining-clerk", "password": demo_password()})
    assert response.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in response.content.decode()
    # Another account from another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/login/", {"username": "baiyin-reviewer", "password": demo_password()}).status_code == 302
    caches["limits"].clear()


def test_the_refusal_names_the_configured_wait(demo, settings):  # type: ignore[no-untyped-def]
    caches["limits"].clear()
    settings.LOGIN_LOCK_SECONDS = 3600
    client = Client(REMOTE_ADDR="10.1.2.4")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "huining-clerk", "password": "wrong-password"})
    body = client.post("/login/", {"username": "huining-clerk", "password": "wrong-password"}).content.decode()
    assert "请 1 小时后再试" in body and "15 分钟" not in body
    settings.LOGIN_LOCK_SECONDS = 90
    caches["limits"].clear()
    for _ in range(settings.LOGIN_MAX_FAILURES + 1):
        body = client.post("/login/", {"username": "huining-clerk", "password": "wrong-password"}).content.decode()
    assert "请 2 分钟后再试" in body
    caches["limits"].clear()


def test_sessions_expire(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert 0 < client.session.get_expiry_age() <= 12 * 3600


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xiezuo.settings.production",
           "XIEZUO_SECRET_KEY": "x7-" + "production-like-secret-for-the-deploy-check-" * 2}
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_short_secret() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xiezuo.settings.production", "XIEZUO_SECRET_KEY": "short"}
    env.pop("XIEZUO_SECRET_KEY_FILE", None)
    result = subprocess.run([sys.executable, "-m", "django", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "50" in result.stderr
