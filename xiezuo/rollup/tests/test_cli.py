"""`xiezuo rollup` as a user runs it on the demo."""

import json

from openpyxl import load_workbook

from tests.cli import run_cli


def test_rollup_json_gives_every_row_for_the_city_and_each_county(demo, capsys):
    result = run_cli(capsys, "rollup", "--org", "620400", "--year", "2023", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "涵盖 5 个县" in result.err
    assert [c["name"] for c in data["columns"]] == ["白银市", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    assert len(data["rows"]) == 125
    for row in data["rows"]:
        assert set(row["values"]) == {"620400", "620402", "620403", "620421", "620422", "620423"}
    by_code = {r["code"]: r for r in data["rows"]}
    assert by_code["funds_allocated"]["values"]["620422"] == "5590"
    assert by_code["funds_use_ratio"]["rollup"] == "recompute"
    assert by_code["labour_east"]["values"]["620421"] is None  # 靖远县 has not filled its table


def test_rollup_xlsx_has_the_area_first_then_each_unit(demo, tmp_path, capsys):
    out = tmp_path / "白银市.xlsx"
    result = run_cli(capsys, "rollup", "--org", "白银市", "--year", "2023", "--format", "xlsx", "--out", str(out))
    assert result.code == 0, result.err
    ws = load_workbook(out).active
    assert [c.value for c in ws[3]][2:] == ["白银市", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    labels = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    r = labels["1. 已拨付到位财政援助资金数"]
    assert ws.cell(row=r, column=7).value == 5590  # 会宁县
    assert ws.cell(row=r, column=3).value is not None  # the city total


def test_rollup_of_an_unknown_unit_says_so_in_chinese(demo, capsys):
    result = run_cli(capsys, "rollup", "--org", "不存在县", "--year", "2023")
    assert result.code == 2 and "未找到行政区划「不存在县」" in result.err


def test_rollup_levels_lists_each_city_then_its_counties(demo, tmp_path, capsys):
    out = tmp_path / "甘肃省.xlsx"
    result = run_cli(capsys, "rollup", "--org", "620000", "--year", "2023", "--format", "xlsx", "--out", str(out),
                     "--levels")
    assert result.code == 0, result.err
    names = [c.value for c in load_workbook(out).active[3]][2:]
    start = names.index("白银市")
    assert names[0] == "甘肃省" and names[start:start + 6] == ["白银市", "白银区", "平川区", "靖远县", "会宁县", "景泰县"]
    assert "列" in result.out
    refused = run_cli(capsys, "rollup", "--org", "620000", "--year", "2023", "--levels")
    assert refused.code == 2 and "--levels 只用于 xlsx" in refused.err


def test_assess_out_writes_the_ranking_and_every_point_lost(demo, tmp_path, capsys):
    out = tmp_path / "考核.xlsx"
    result = run_cli(capsys, "assess", "--org", "白银市", "--year", "2023", "--out", str(out))
    assert result.code == 0, result.err
    wb = load_workbook(out)
    ranking, details = wb["考核排名"], wb["扣分明细"]
    assert "示例方案，非官方" in ranking["A1"].value
    assert {ranking.cell(r, 3).value for r in range(3, ranking.max_row + 1)} == {
        "白银区", "平川区", "靖远县", "会宁县", "景泰县"}
    lost = {ranking.cell(r, 3).value: ranking.cell(r, 9).value for r in range(3, ranking.max_row + 1)}
    assert details.max_row - 1 == sum(lost.values())  # one line per point lost
