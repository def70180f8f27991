"""The city's own table page: the roll-up of its counties as 附件1 prints it, equal to `xiezuo rollup`."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.cli import run_cli
from xiezuo.orgunits.models import Level, OrgUnit, Side
from xiezuo.submissions.models import State, Submission
from xiezuo.tables.models import DataValue
from xiezuo.web.tests.pages import cells_of

URL = "/org/620400/2023/"


def _cli_rollup(capsys, *extra: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run_cli(capsys, "rollup", "--org", "620400", "--year", "2023", "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _assert_page_equals_cli(body: str, data: dict) -> None:  # type: ignore[type-arg]
    cells = cells_of(body)
    checked = 0
    for row in data["rows"]:
        for org_code, value in row["values"].items():
            shown = cells[(row["code"], org_code)]
            assert shown == (value or "").strip(), (row["code"], org_code, shown, value)
            checked += 1
    assert checked == len(data["rows"]) * len(data["columns"])


def test_city_table_equals_the_cli_rollup_with_states_in_headers(login, capsys):  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    Submission.objects.update_or_create(org=huining, year=2023, defaults={"state": State.APPROVED})
    client = login("baiyin-reviewer")
    body = client.get(URL).content.decode()
    assert "<th>指标</th><th>单位</th>" in body and "合计" in body
    _assert_page_equals_cli(body, _cli_rollup(capsys))
    # The unit's state in its column header; cells link to the unit's own table, on the row.
    assert '<th class="num" data-org="620422"><a href="/org/620422/2023/">会宁县</a><br><span class="badge state-approved">已通过</span>' in body
    assert 'href="/org/620422/2023/#row-funds_allocated"' in body
    assert "未填报" in body  # 靖远县 has not filled anything
    # Read-only: no cell inputs at all.
    assert 'name="value"' not in body


def test_approved_only_switch_equals_the_cli_approved_only(login, capsys):  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    Submission.objects.update_or_create(org=huining, year=2023, defaults={"state": State.APPROVED})
    client = login("baiyin-reviewer")
    body = client.get(URL + "?units=approved").content.decode()
    data = _cli_rollup(capsys, "--approved-only")
    _assert_page_equals_cli(body, data)
    assert "仅含填报已审核通过的 1 个县" in body
    by_code = {r["code"]: r for r in data["rows"]}
    assert by_code["funds_allocated"]["values"]["620400"] == by_code["funds_allocated"]["values"]["620422"]


def test_xlsx_export_from_the_page_has_the_city_then_each_county(login):  # type: ignore[no-untyped-def]
    client = login("baiyin-reviewer")
    response = client.get("/org/620400/2023/area.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [ws.cell(row=3, column=c).value for c in range(3, 9)] == ["白银市", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=7).value for r in range(4, ws.max_row + 1)}
    funds = next(v for k, v in values.items() if k and "财政援助资金" in k)
    assert Decimal(str(funds)) == DataValue.objects.get(org__code="620422", year=2023, code="funds_allocated").number
    # Outside the area, or for a county, there is no such export.
    assert login("jingyuan-clerk").get("/org/620400/2023/area.xlsx").status_code == 404
    assert client.get("/org/620422/2023/area.xlsx").status_code == 404


def _city_with(n: int, code: str) -> OrgUnit:
    province = OrgUnit.objects.get(code="620000")
    city = OrgUnit.objects.create(code=code, name=f"测试市{code}", level=Level.CITY, side=Side.WEST, parent=province,
                                  path=f"{province.path}{code}/", synthetic=True)
    counties = OrgUnit.objects.bulk_create([
        OrgUnit(code=f"{code[:4]}{i:02d}", name=f"测试县{code[:4]}{i:02d}", level=Level.COUNTY, side=Side.WEST,
                parent=city, path=f"{city.path}{code[:4]}{i:02d}/", synthetic=True)
        for i in range(1, n + 1)
    ])
    DataValue.objects.bulk_create([
        DataValue(org=c, year=2023, code=row, number=Decimal(i + 1))
        for i, c in enumerate(counties) for row in ("meet_party", "funds_allocated", "funds_used")
    ])
    Submission.objects.bulk_create([
        Submission(org=c, year=2023, state=(State.APPROVED, State.SUBMITTED, State.RETURNED)[i % 3])
        for i, c in enumerate(counties)
    ])
    return city


def test_area_table_page_runs_the_same_number_of_queries_for_5_and_for_100_units(login):  # type: ignore[no-untyped-def]
    from xiezuo.accounts.services import user_create

    small, big = _city_with(5, "629000"), _city_with(100, "629100")
    counts = []
    for city in (small, big):
        user_create(username=f"reviewer-{city.code}", password="x-test-9pass", org=city, role="city_reviewer")
        from django.test import Client

        client = Client()
        assert client.post("/login/", {"username": f"reviewer-{city.code}", "password": "x-test-9pass"}).status_code == 302
        client.get(f"/org/{city.code}/2023/")  # warm the template and catalogue caches
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/org/{city.code}/2023/").content.decode()
        counts.append(len(ctx.captured_queries))
        assert f"测试县{city.code[:4]}05" in body
    assert counts[0] == counts[1], counts
    assert cells_of(body)[("meet_party", "629100")] == str(sum(range(1, 101)))
