"""The API against the CLI, stale writes, tokens (read-only, revoked, expired), limits and the session."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.cli import run_cli
from xiezuo.api.tests.conftest import Api

U = "/orgs/620422/years/2023"


def _items(api: Api, url: str) -> list[dict[str, Any]]:
    body = api.get(url).json()
    assert body["count"] == len(body["items"]), "one page holds the whole table"
    return list(body["items"])


def test_the_table_is_the_cli_table(api_as: Callable[[str], Api], capsys: pytest.CaptureFixture[str]) -> None:
    items = _items(api_as("baiyin-reviewer"), f"{U}/table")
    cli = json.loads(run_cli(capsys, "table", "--org", "620422", "--year", "2023", "--format", "json").out)
    assert [{k: v for k, v in i.items() if k != "version"} for i in items] == cli
    assert next(i for i in items if i["code"] == "funds_allocated")["value"] == "5590"


@pytest.mark.parametrize(("url", "argv"), [
    ("/orgs/620400/years/2023/rollup", ["rollup", "--org", "620400", "--year", "2023", "--format", "json"]),
    ("/orgs/620000/years/2023/rollup", ["rollup", "--org", "620000", "--year", "2023", "--format", "json"]),
    ("/orgs/620400/years/2023/rollup?approved_only=true",
     ["rollup", "--org", "620400", "--year", "2023", "--format", "json", "--approved-only"]),
    ("/orgs/620400/years/2023/assessment", ["assess", "--org", "620400", "--year", "2023", "--format", "json"]),
    ("/orgs/620421/comparison?first=2022&second=2023",
     ["compare", "--org", "620421", "--years", "2022,2023", "--format", "json"]),
    ("/orgs/620400/comparison?first=2022&second=2023",
     ["compare", "--org", "620400", "--years", "2022,2023", "--format", "json"]),
])
def test_rollup_assessment_and_comparison_are_the_cli_json(
        api_as: Callable[[str], Api], capsys: pytest.CaptureFixture[str], url: str, argv: list[str]) -> None:
    path, _, query = url.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    response = api_as("gansu-reviewer").get(path, **params)
    assert response.status_code == 200
    assert response.json() == json.loads(run_cli(capsys, *argv).out)


def test_a_stale_write_is_409_with_the_current_value_and_stores_nothing(api_as: Callable[[str], Api]) -> None:
    clerk, lead = api_as("huining-clerk"), api_as("huining-lead")
    line = next(i for i in _items(clerk, f"{U}/table") if i["code"] == "labour_east")
    first = lead.send("PUT", f"{U}/table/labour_east", {"value": "236", "version": line["version"]})
    assert first.status_code == 200 and first.json()["value"] == "236"
    stale = clerk.send("PUT", f"{U}/table/labour_east", {"value": "300", "version": line["version"]})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_edit" and "李建国" in body["message"]
    assert body["current"] == {"code": "labour_east", "value": "236", "version": line["version"] + 1,
                               "updated_by": "李建国"}
    # Many at once: one stale cell refuses the whole batch.
    batch = clerk.send("POST", f"{U}/table", {"values": [
        {"code": "labour_local", "value": "1", "version": next(
            i["version"] for i in _items(clerk, f"{U}/table") if i["code"] == "labour_local")},
        {"code": "labour_east", "value": "300", "version": line["version"]}]})
    assert batch.status_code == 409 and batch.json()["current"]["value"] == "236"
    after = {i["code"]: i["value"] for i in _items(clerk, f"{U}/table")}
    assert after["labour_east"] == "236" and after["labour_local"] != "1"


def test_a_bad_value_names_the_row_and_value(api_as: Callable[[str], Api]) -> None:
    clerk = api_as("huining-clerk")
    r = clerk.send("POST", f"{U}/table", {"values": [{"code": "labour_east", "value": "很多", "version": 1},
                                                     {"code": "no_such_row", "value": "1", "version": 0}]})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_file" and len(body["errors"]) == 2
    assert body["errors"][0]["location"]["value"] == "很多"
    assert "no_such_row" in body["errors"][1]["message"]


def test_read_only_revoked_and_expired_tokens(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from django.utils import timezone

    from xiezuo.accounts.models import ApiToken
    from xiezuo.accounts.tokens import token_create, token_revoke

    clerk = get_user_model().objects.get(username="huining-clerk")
    read_only = Api(Client(), token_create(by=clerk, name="只读", read_only=True).secret)
    assert read_only.get(f"{U}/table").status_code == 200
    refused = read_only.send("PUT", f"{U}/table/labour_east", {"value": "1", "version": 1})
    assert refused.status_code == 403 and "只读" in refused.json()["message"]

    made = token_create(by=clerk, name="将吊销", expires_at=timezone.now() + dt.timedelta(days=1))
    api = Api(Client(), made.secret)
    assert api.get(f"{U}/submission").status_code == 200
    assert ApiToken.objects.get(pk=made.token.pk).last_used_at is not None
    token_revoke(by=clerk, token_id=made.token.pk)
    r = api.get(f"{U}/submission")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert Api(Client(), "").get(f"{U}/submission").status_code == 401
    assert Api(Client(), "xz_forged").get(f"{U}/submission").status_code == 401
    # Stored hashed: the secret itself is nowhere in the database.
    assert not ApiToken.objects.filter(digest=made.secret).exists()
    assert made.secret not in str(list(ApiToken.objects.values_list("digest", "prefix")))

    expiring = Api(Client(), token_create(by=clerk, name="过期", expires_at=timezone.now() + dt.timedelta(days=1)).secret)
    assert expiring.get(f"{U}/submission").status_code == 200
    # Two days later, as the API's clock sees it.
    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr("xiezuo.api.auth.timezone.now", lambda: later)
    r = expiring.get(f"{U}/submission")
    assert r.status_code == 401 and "过期" in r.json()["message"]


def test_rate_limit_per_token_and_body_limit(api_as: Callable[[str], Api], settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.XIEZUO_API_RATE_PER_MINUTE = 3
    clerk, lead = api_as("huining-clerk"), api_as("huining-lead")
    codes = [clerk.get("/catalogue/years").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert clerk.get("/catalogue/years").json()["code"] == "rate_limited"
    assert lead.get("/catalogue/years").status_code == 200  # another token counts on its own
    cache.clear()
    settings.XIEZUO_API_RATE_PER_MINUTE = 600
    settings.XIEZUO_API_MAX_BODY_BYTES = 1000
    big = clerk.send("POST", f"{U}/table", {"values": [{"code": "labour_east", "value": "1" * 2000, "version": 1}]})
    assert big.status_code == 413 and big.json()["code"] == "too_large"


def test_pages_are_bounded(api_as: Callable[[str], Api]) -> None:
    api = api_as("admin")
    assert api.get("/orgs", page_size=501).status_code == 422
    first = api.get("/orgs", page_size=5).json()
    second = api.get("/orgs", page_size=5, page=2).json()
    assert len(first["items"]) == 5 and first["count"] == second["count"] > 5
    assert {o["code"] for o in first["items"]}.isdisjoint(o["code"] for o in second["items"])


def test_session_calls_need_the_csrf_token(demo: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="huining-clerk"))
    assert client.get(f"/api/v1{U}/table").status_code == 200
    refused = client.put(f"/api/v1{U}/table/labour_east", '{"value": "1", "version": 1}',
                         content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    page = client.get("/account/tokens/")
    token = page.cookies["csrftoken"].value
    version = next(i["version"] for i in client.get(f"/api/v1{U}/table").json()["items"] if i["code"] == "labour_east")
    ok = client.put(f"/api/v1{U}/table/labour_east", json.dumps({"value": "237", "version": version}),
                    content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json()["value"] == "237"


def test_the_table_answers_in_a_bounded_number_of_queries(
        api_as: Callable[[str], Api], django_assert_max_num_queries: Any) -> None:
    api = api_as("huining-clerk")
    api.get(f"{U}/table")  # the token's last use is written on the first request of the minute
    with django_assert_max_num_queries(8):
        assert api.get(f"{U}/table").status_code == 200
    # A city reviewer looking at a county below it: the same bound.
    city = api_as("baiyin-reviewer")
    city.get(f"{U}/table")
    with django_assert_max_num_queries(8):
        assert city.get(f"{U}/table").status_code == 200


def test_the_docs_and_the_schema_are_served_without_a_cdn(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/orgs/{code}/years/{year}/table" in schema.json()["paths"]

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a schema with a repeated key
        return dict(pairs)

    json.loads(schema.content, object_pairs_hook=no_duplicates)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]


def test_the_exchange_endpoint_is_the_cli_package(api_as: Callable[[str], Api], tmp_path: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    response = api_as("gansu-reviewer").get("/orgs/620000/years/2023/exchange")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    out = tmp_path / "pkg.json"
    assert run_cli(capsys, "exchange", "export", "--org", "620000", "--year", "2023", "--out", str(out)).code == 0
    api_package, cli_package = json.loads(response.content), json.loads(out.read_bytes())
    assert api_package["data"] == cli_package["data"]
    assert api_package["manifest"]["template"] == cli_package["manifest"]["template"]
    # A county clerk may export its own county, not the province.
    assert api_as("huining-clerk").get("/orgs/620000/years/2023/exchange").status_code == 404
