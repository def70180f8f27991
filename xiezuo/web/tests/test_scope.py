"""Every page of the app for every demo account: what it may see is 200, anything else 404."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue

YEAR = 2023
ALL_ORGS = ("000000", "620000", "620400", "620402", "620403", "620421", "620422", "620423", "120000", "120101")
# Written out rather than derived from accounts.scope, so the test checks the rule instead of echoing it.
VISIBLE = {
    "huining-clerk": {"620422"},
    "huining-lead": {"620422"},
    "jingyuan-clerk": {"620421"},
    "baiyin-reviewer": {"620400", "620402", "620403", "620421", "620422", "620423"},
    "gansu-reviewer": {"620000", "620400", "620402", "620403", "620421", "620422", "620423"},
    "heping-partner": {"120101", "620422"},
    "admin": set(ALL_ORGS),
}
EDITORS = {"huining-clerk": "620422", "huining-lead": "620422", "jingyuan-clerk": "620421"}
PAGES = ("table", "submission", "review", "dashboard", "row/funds_allocated/history", "history")
# Ledgers are kept by counties only: elsewhere these answer 404 even inside the user's scope.
COUNTY_PAGES = ("ledgers", "ledgers/labour_placements", "ledgers/fund_projects/template", "reconciliation",
                "progress")
COUNTIES = {"620402", "620403", "620421", "620422", "620423"}
# Progress of the units below: cities, provinces and the nation only.
PROGRESS_AREA_PAGES = ("area",)
PROGRESS_AREAS = {"000000", "620000", "620400", "120000"}
# A city's, province's or eastern unit's pages over the units below (or paired): elsewhere 404.
AREA_PAGES = ("comparison", "assessment", "area.xlsx")
AREAS = set(ALL_ORGS) - COUNTIES
# Pages of the signed-in user, and the administration pages (administrators only).
OWN_PAGES = ("/todo/", "/account/password/")
ADMIN_PAGES = ("/manage/users/", "/manage/users/new/", "/manage/orgunits/", "/manage/orgunits/620422/",
               "/manage/pairings/")


def page_url(code: str, page: str) -> str:
    if page == "table":
        return f"/org/{code}/{YEAR}/"
    return f"/org/{code}/{YEAR}/{page}" + ("" if "." in page else "/")


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_every_page_for_every_account(username, login):  # type: ignore[no-untyped-def]
    client = login(username)
    names = dict(OrgUnit.objects.values_list("code", "name"))
    assert client.get("/", follow=True).status_code == 200
    for code in ALL_ORGS:
        for page in PAGES:
            response = client.get(page_url(code, page))
            expected = 200 if code in VISIBLE[username] else 404
            assert response.status_code == expected, (username, code, page, response.status_code)
            if expected == 404:
                assert names[code] not in response.content.decode(), "a 404 must not reveal the unit"
        for page in COUNTY_PAGES:
            response = client.get(page_url(code, page))
            expected = 200 if code in VISIBLE[username] and code in COUNTIES else 404
            assert response.status_code == expected, (username, code, page, response.status_code)
        for page in PROGRESS_AREA_PAGES:
            response = client.get(page_url(code, page))
            expected = 200 if code in VISIBLE[username] and code in PROGRESS_AREAS else 404
            assert response.status_code == expected, (username, code, page, response.status_code)
        for page in AREA_PAGES:
            response = client.get(page_url(code, page))
            expected = 200 if code in VISIBLE[username] and code in AREAS else 404
            assert response.status_code == expected, (username, code, page, response.status_code)
            if code not in VISIBLE[username]:
                assert names[code] not in response.content.decode(), "a 404 must not reveal the unit"
    for url in OWN_PAGES:
        assert client.get(url).status_code == 200, (username, url)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == (200 if username == "admin" else 404), (username, url)
    user_page = client.get(f"/manage/users/{get_user_model().objects.get(username='huining-clerk').pk}/")
    assert user_page.status_code == (200 if username == "admin" else 404)


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_only_own_county_can_change_values(username, login, huining):  # type: ignore[no-untyped-def]
    client = login(username)
    for code in ("620422", "620421"):
        before = DataValue.objects.filter(org__code=code, year=YEAR, code="meet_party").values_list("version", flat=True).first() or 0
        response = client.post(f"/org/{code}/{YEAR}/cell/meet_party/", {"value": "7", "version": before},
                               HTTP_HX_REQUEST="true")
        allowed = EDITORS.get(username) == code or username == "admin"
        assert response.status_code == (200 if allowed else 404), (username, code)
        stored = DataValue.objects.filter(org__code=code, year=YEAR, code="meet_party").first()
        if not allowed:
            assert (stored.version if stored else 0) == before


def test_jingyuan_clerk_never_sees_huining(login):  # type: ignore[no-untyped-def]
    client = login("jingyuan-clerk")
    for url in ["/", "/org/620421/2023/", "/org/620421/2023/submission/", "/org/620421/2023/dashboard/"]:
        body = client.get(url, follow=True).content.decode()
        assert "会宁" not in body


def test_partner_reads_but_cannot_edit_or_submit(login, huining):  # type: ignore[no-untyped-def]
    client = login("heping-partner")
    body = client.get("/org/620422/2023/").content.decode()
    assert "会宁县" in body and 'name="value"' not in body
    response = client.post("/org/620422/2023/submission/submit/", {"version": "0"})
    assert response.status_code == 403
    response = client.post("/org/620422/2023/submission/comment/", {"comment": "请补充消费帮扶明细"}, follow=True)
    assert "请补充消费帮扶明细" in response.content.decode()
    # From the table page, on one row: back to that row, the comment shown beside it.
    assert "对本行提意见" in body
    response = client.post("/org/620422/2023/submission/comment/",
                           {"comment": "销售额请附采购清单", "row": "consumption_sales", "back": "table"})
    assert response.status_code == 302 and response["Location"].endswith("#row-consumption_sales")
    table = client.get("/org/620422/2023/").content.decode()
    assert "和平区意见" in table and "销售额请附采购清单" in table


def test_anonymous_is_sent_to_login(demo):  # type: ignore[no-untyped-def]
    client = Client()
    for page in PAGES:
        response = client.get(page_url("620422", page))
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    for url in (*OWN_PAGES, *ADMIN_PAGES, page_url("620400", "assessment"), page_url("620400", "area.xlsx")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert client.get("/healthz").status_code == 200


def test_unknown_year_and_row_are_not_found(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    assert client.get("/org/620422/1999/").status_code == 404
    assert client.get("/org/620422/2023/row/no_such_row/history/").status_code == 404
