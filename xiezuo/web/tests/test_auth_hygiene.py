"""Passwords Django's validators refuse, throttling behind a proxy, the Content-Security-Policy header."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from xiezuo.accounts.services import demo_password, user_create
from xiezuo.core.errors import InvalidValue
from xiezuo.web.ratelimit import client_address


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "words"), [("12345678", "密码"), ("password123", "密码"),
                                                   ("short1!", "密码"), ("huining-clerk2", "密码")])
def test_weak_passwords_are_refused_in_chinese(base_orgs, password: str, words: str) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.orgunits.models import OrgUnit

    org = OrgUnit.objects.get(code="620422")
    with pytest.raises(InvalidValue, match=words) as info:
        user_create(username="huining-clerk2", password=password, org=org, role="county_clerk")
    assert "密码不符合要求" in info.value.message
    user_create(username="huining-clerk2", password="洮河-春耕-2024-绿", org=org, role="county_clerk")


def test_the_real_client_address_behind_a_trusted_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    rf = RequestFactory()
    settings.XIEZUO_TRUSTED_PROXIES = []
    direct = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(direct) == "10.0.0.5"  # no proxy configured: the header is ignored
    settings.XIEZUO_TRUSTED_PROXIES = ["10.0.0.0/24", "192.168.1.1"]
    behind = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="9.9.9.9, 61.178.1.20, 192.168.1.1")
    assert client_address(behind) == "61.178.1.20"  # the forged 9.9.9.9 on the left is not believed
    untrusted = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="61.178.1.20")
    assert client_address(untrusted) == "203.0.113.7"  # only our proxies may speak for a client
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
    assert client_address(garbage) == "10.0.0.5"


@pytest.mark.django_db
def test_one_clerks_typos_do_not_lock_out_the_office_behind_the_same_proxy(demo, settings) -> None:  # type: ignore[no-untyped-def]
    caches["limits"].clear()
    settings.XIEZUO_TRUSTED_PROXIES = ["10.0.0.1"]
    office = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "61.178.1.20"}
    client = Client(**office)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "huining-clerk", "password": "wrong-password"})
    assert client.post("/login/", {"username": "huining-clerk", "password": demo_password()}).status_code == 429
    # A colleague in the same office, through the same proxy and the same public address, logs in.
    colleague = Client(**office)
    assert colleague.post("/login/", {"username": "huining-lead", "password": demo_password()}).status_code == 302
    # Guessing one account from many addresses is stopped by the account's own counter.
    caches["limits"].clear()
    for n in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        Client(REMOTE_ADDR=f"10.8.{n}.1").post("/login/", {"username": "baiyin-reviewer", "password": "x"})
    late = Client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "baiyin-reviewer", "password": demo_password()})
    assert late.status_code == 429
    caches["limits"].clear()


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_unsafe_scripts(login) -> None:  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    for url in ("/login/", "/org/620422/2023/", "/org/620422/2023/dashboard/", "/org/620422/2023/ledgers/",
                "/documents/620422/2023/", "/audit/org/620422/2023/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert "'unsafe-inline'" not in directives["script-src"] and "unsafe-eval" not in policy
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        body = client.get(url).content.decode()
        assert " onsubmit=" not in body and " onclick=" not in body, url
