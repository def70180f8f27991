"""Every operation of the API for every demo account: the status each one gets.

Outside a user's scope a unit is 404, exactly as on the pages; inside it, an operation the role may
not perform is 403; a write on an outdated version is 409 with the current value. The matrix is
checked against the generated schema, so a new operation without a row here fails the test.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from xiezuo.api.tests.conftest import ACCOUNTS, Api
from xiezuo.ledgers import idcard

C, L, J, B, G, P, A = ACCOUNTS
EVERYONE = set(ACCOUNTS)
HUINING_VIEWERS = EVERYONE - {J}  # 靖远县's clerk does not see 会宁县; its partner 和平区 does
AREA_VIEWERS = {B, G, A}  # 白银市 is visible to the city, the province and the administrator
EDITORS = {C, L, A}
YEAR = 2023
U = f"/orgs/620422/years/{YEAR}"
_people = iter(range(100, 10_000))


def _person() -> dict[str, object]:
    n = next(_people)
    return {"name": f"接口{n}", "id_number": idcard.make_id("620422", dt.date(1991, 2, 3), n),
            "poverty_status": "脱贫", "destination": "省内就近", "employer": "某厂",
            "start_date": "2023-04-01", "new_this_year": "是"}


def _record() -> Any:
    from xiezuo.ledgers.services import ledger_record_create

    clerk = get_user_model().objects.get(username=C)
    from xiezuo.orgunits.models import OrgUnit

    return ledger_record_create(kind="labour_placements", org=OrgUnit.objects.get(code="620422"), year=YEAR,
                                data=_person(), by=clerk)


def _version(api: Api, code: str) -> int:
    admin_view = api.get(f"{U}/table").json()
    items = admin_view.get("items", [])
    return next((i["version"] for i in items if i["code"] == code), 0)


def _ledger_file() -> io.BytesIO:
    import tempfile
    from pathlib import Path

    from openpyxl import load_workbook

    from xiezuo.ledgers.exports import ledger_template
    from xiezuo.ledgers.schema import ledger_of

    with tempfile.TemporaryDirectory() as tmp:
        wb = load_workbook(ledger_template(kind="labour_placements", path=Path(tmp) / "t.xlsx"))
    person = _person()
    wb.worksheets[0].append([person.get(c.name, "") for c in ledger_of("labour_placements").columns])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "劳动力.xlsx"
    return out


Call = Callable[[Api, Api], Any]  # (the account's client, an administrator's client for setup reads)


def _put_value(api: Api, admin: Api) -> Any:
    return api.send("PUT", f"{U}/table/labour_east", {"value": "241", "version": _version(admin, "labour_east")})


def _post_values(api: Api, admin: Api) -> Any:
    return api.send("POST", f"{U}/table", {"values": [
        {"code": "labour_local", "value": "1201", "version": _version(admin, "labour_local")}]})


def _update_record(api: Api, admin: Api) -> Any:
    rec = _record()
    return api.send("PUT", f"{U}/ledgers/labour_placements/records/{rec.pk}", {"data": _person(), "version": rec.version})


def _delete_record(api: Api, admin: Api) -> Any:
    rec = _record()
    return api.client.delete(f"/api/v1{U}/ledgers/labour_placements/records/{rec.pk}?version={rec.version}",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")


def _import(api: Api, admin: Api) -> Any:
    return api.client.post(f"/api/v1{U}/ledgers/labour_placements/import", {"file": _ledger_file(), "mode": "append"},
                           HTTP_AUTHORIZATION=f"Bearer {api.token}")


def _audit(api: Api, admin: Api) -> Any:
    report = io.BytesIO("会宁县2023年东西部协作工作自评报告\n在东部结对省份就业235人。".encode())
    report.name = "报告.txt"
    return api.client.post(f"/api/v1{U}/audit", {"report": report}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def _get(url: str, **params: Any) -> Call:
    return lambda api, admin: api.get(url, **params)


def _post(url: str, body: dict[str, Any]) -> Call:
    return lambda api, admin: api.send("POST", url, body)


def _allowed(ok: int, allowed: set[str], *, outside: int = 404, refused: int = 403,
             visible: set[str] = HUINING_VIEWERS) -> dict[str, int]:
    """`ok` for the accounts allowed, 404 outside scope, `refused` inside scope without the role."""
    return {a: ok if a in allowed else (refused if a in visible else outside) for a in ACCOUNTS}


def _view(ok: int = 200, visible: set[str] = HUINING_VIEWERS) -> dict[str, int]:
    return _allowed(ok, visible, visible=visible)


# (method, path template in the schema, how to call it, expected status per account)
MATRIX: list[tuple[str, str, Call, dict[str, int]]] = [
    ("get", "/catalogue/years", _get("/catalogue/years"), _view(visible=EVERYONE)),
    ("get", "/catalogue/years/{year}/rows", _get("/catalogue/years/2023/rows"), _view(visible=EVERYONE)),
    ("get", "/catalogue/years/{year}/rules", _get("/catalogue/years/2023/rules"), _view(visible=EVERYONE)),
    ("get", "/orgs", _get("/orgs"), _view(visible=EVERYONE)),
    ("get", "/orgs/{code}", _get("/orgs/620422"), _view()),
    ("get", "/orgs/{code}/pairings", _get("/orgs/620422/pairings"), _view()),
    ("get", "/orgs/{code}/years/{year}/table", _get(f"{U}/table"), _view()),
    ("put", "/orgs/{code}/years/{year}/table/{row_code}", _put_value, _allowed(200, EDITORS)),
    ("post", "/orgs/{code}/years/{year}/table", _post_values, _allowed(200, EDITORS)),
    ("get", "/orgs/{code}/years/{year}/findings", _get(f"{U}/findings"), _view()),
    ("get", "/orgs/{code}/years/{year}/submission", _get(f"{U}/submission"), _view()),
    ("get", "/orgs/{code}/years/{year}/submission/timeline", _get(f"{U}/submission/timeline"), _view()),
    ("get", "/orgs/{code}/years/{year}/units", _get(f"/orgs/620400/years/{YEAR}/units"), _view(visible=AREA_VIEWERS)),
    # 会宁县's table has warnings without explanations: whoever may submit is refused by the state rule (409).
    ("post", "/orgs/{code}/years/{year}/submission/submit", _post(f"{U}/submission/submit", {}),
     _allowed(409, EDITORS)),
    # Only the city reviews its counties; the draft cannot be returned, approved or reopened (409).
    ("post", "/orgs/{code}/years/{year}/submission/return", _post(f"{U}/submission/return", {"comment": "请核实"}),
     _allowed(409, {B, A})),
    ("post", "/orgs/{code}/years/{year}/submission/approve", _post(f"{U}/submission/approve", {}),
     _allowed(409, {B, A})),
    ("post", "/orgs/{code}/years/{year}/submission/reopen", _post(f"{U}/submission/reopen", {"reason": "复核"}),
     _allowed(409, {B, A})),
    ("post", "/orgs/{code}/years/{year}/submission/comments",
     _post(f"{U}/submission/comments", {"comment": "请核实本行", "row": "labour_east"}), _view(201)),
    ("get", "/orgs/{code}/years/{year}/ledgers", _get(f"{U}/ledgers"), _view()),
    ("get", "/orgs/{code}/years/{year}/ledgers/{kind}/records",
     _get(f"{U}/ledgers/labour_placements/records", search="接口", page_size=5), _view()),
    ("post", "/orgs/{code}/years/{year}/ledgers/{kind}/records",
     lambda api, admin: api.send("POST", f"{U}/ledgers/labour_placements/records", {"data": _person()}),
     _allowed(201, EDITORS)),
    ("put", "/orgs/{code}/years/{year}/ledgers/{kind}/records/{pk}", _update_record, _allowed(200, EDITORS)),
    ("delete", "/orgs/{code}/years/{year}/ledgers/{kind}/records/{pk}", _delete_record, _allowed(204, EDITORS)),
    ("post", "/orgs/{code}/years/{year}/ledgers/{kind}/import", _import, _allowed(200, EDITORS)),
    ("get", "/orgs/{code}/years/{year}/rollup", _get(f"/orgs/620400/years/{YEAR}/rollup"), _view(visible=AREA_VIEWERS)),
    ("get", "/orgs/{code}/comparison", _get("/orgs/620422/comparison", first=2022, second=2023), _view()),
    ("get", "/orgs/{code}/years/{year}/assessment", _get(f"/orgs/620400/years/{YEAR}/assessment"),
     _view(visible=AREA_VIEWERS)),
    ("get", "/orgs/{code}/years/{year}/report.docx", _get(f"{U}/report.docx"), _view()),
    ("get", "/orgs/{code}/years/{year}/report.pdf", _get(f"{U}/report.pdf"), _view()),
    ("post", "/orgs/{code}/years/{year}/audit", _audit, _view()),
    ("get", "/orgs/{code}/years/{year}/exchange", _get(f"/orgs/620400/years/{YEAR}/exchange"),
     _view(visible=AREA_VIEWERS)),
]


def test_the_matrix_covers_every_operation_of_the_schema() -> None:
    from xiezuo.api.api import api

    schema = api.get_openapi_schema()
    operations = {(m, p.removeprefix("/api/v1")) for p, item in schema["paths"].items() for m in item}
    assert operations == {(m, p) for m, p, _, _ in MATRIX}


@pytest.mark.slow
def test_every_operation_for_every_demo_account(api_as: Callable[[str], Api]) -> None:
    import shutil

    admin = api_as(A)
    mismatches = []
    for method, path, call, expected in MATRIX:
        if path.endswith("report.pdf") and shutil.which("soffice") is None:
            continue
        for account in ACCOUNTS:
            response = call(api_as(account), admin)
            if response.status_code != expected[account]:
                mismatches.append((method, path, account, expected[account], response.status_code,
                                   response.content[:300].decode("utf-8", "replace")))
            elif response.status_code >= 400:
                body = response.json()
                assert body["code"] and body["message"] and "location" in body, (path, account, body)
    assert mismatches == []
