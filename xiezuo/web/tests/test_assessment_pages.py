"""The area's assessment and comparison pages, against `xiezuo assess --format json`."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from tests.cli import run_cli


def test_assessment_page_equals_the_cli(login, capsys):  # type: ignore[no-untyped-def]
    result = run_cli(capsys, "assess", "--org", "620400", "--year", "2023", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    body = login("baiyin-reviewer").get("/org/620400/2023/assessment/").content.decode()
    assert data["scheme"]["name"] in body
    assert ("示例方案，非官方" in body) == (not data["scheme"]["official"])
    assert len(data["ranking"]) == 5
    for entry in data["ranking"]:
        code = entry["org"]["code"]
        row = body.split(f'<tr data-org="{code}">')[1].split("</tr>")[0]
        assert f'data-value="{entry["rank"]}">{entry["rank"]}<' in row
        assert re.search(r'class="num score"[^>]*>([^<]+)<', row).group(1) == entry["score"]  # type: ignore[union-attr]
        assert f'<td class="grade">{entry["grade"]}</td>' in row
        lost_total = sum((Decimal(p["points"]) for p in entry["lost"]), Decimal(0))
        shown = re.search(r'class="num lost-total"[^>]*>([^<]+)<', row).group(1)  # type: ignore[union-attr]
        assert Decimal(shown) == lost_total
        assert row.count('class="lost-point"') == len(entry["lost"])
        for point in entry["lost"]:
            assert point["reason"] in row
    # ECharts from the app's own static files, never a CDN.
    assert "/static/vendor/echarts/echarts.min.js" in body and "cdn" not in body.lower()


def test_comparison_page_lists_every_county_on_a_key_row(login):  # type: ignore[no-untyped-def]
    client = login("baiyin-reviewer")
    body = client.get("/org/620400/2023/comparison/").content.decode()
    for name in ("白银区", "平川区", "靖远县", "会宁县", "景泰县"):
        assert name in body
    assert 'id="bar-data"' in body and "sortable.js" in body
    body = client.get("/org/620400/2023/comparison/?row=funds_allocated").content.decode()
    assert "5590" in body  # 会宁县's figure
    chart = json.loads(body.split('<script id="bar-data" type="application/json">')[1].split("</script>")[0])
    # A legend never shows a year with no data.
    assert all(any(v is not None for v in s["data"]) for s in chart["series"])
    # Counties have no comparison or assessment of units below.
    assert client.get("/org/620422/2023/comparison/").status_code == 404
    assert client.get("/org/620422/2023/assessment/").status_code == 404


def test_counties_are_ranked_within_their_assessment_class(login, capsys):  # type: ignore[no-untyped-def]
    admin = login("admin")
    for code, cls in (("620421", "key_county"), ("620422", "key_county"), ("620423", "other"),
                      ("620402", "other"), ("620403", "other")):
        response = admin.post(f"/manage/orgunits/{code}/", {"name": {"620421": "靖远县", "620422": "会宁县",
                                                                     "620423": "景泰县", "620402": "白银区",
                                                                     "620403": "平川区"}[code],
                                                            "assessment_class": cls})
        assert response.status_code == 302
    data = json.loads(run_cli(capsys, "assess", "--org", "620400", "--year", "2023", "--format", "json").out)
    by_class: dict[str, list[int]] = {}
    for entry in data["ranking"]:
        by_class.setdefault(entry["class"], []).append(entry["rank"])
    assert set(by_class) == {"国家乡村振兴重点帮扶县", "其他脱贫县"}
    assert by_class["国家乡村振兴重点帮扶县"][0] == 1 and by_class["其他脱贫县"][0] == 1
    assert len(by_class["国家乡村振兴重点帮扶县"]) == 2
    body = login("baiyin-reviewer").get("/org/620400/2023/assessment/").content.decode()
    for entry in data["ranking"]:
        row = body.split(f'<tr data-org="{entry["org"]["code"]}">')[1].split("</tr>")[0]
        assert f'data-value="{entry["rank"]}">{entry["rank"]}<' in row
        assert f'<td class="class">{entry["class"]}</td>' in row
