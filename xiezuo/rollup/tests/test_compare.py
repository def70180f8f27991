"""Two years of a county side by side: `xiezuo compare` on the demo's 会宁县."""

import json

from tests.cli import run_cli


def test_compare_cli_shows_the_employment_rows_with_both_years_and_change(demo, capsys):
    result = run_cli(capsys, "compare", "--org", "620422", "--years", "2022,2023", "--format", "json")
    assert result.code == 0, result.err
    rows = {r["code"]: r for r in json.loads(result.out)["rows"]}
    assert (rows["labour_east"]["2022"], rows["labour_east"]["2023"], rows["labour_east"]["change"]) == ("232", "235", "3")
    assert rows["labour_other"]["percent"] == "0.57"
    assert rows["labour_local"]["change"] == "4"
    text = run_cli(capsys, "compare", "--org", "会宁县", "--years", "2022,2023", "--key-only")
    assert text.code == 0
    line = next(ln for ln in text.out.splitlines() if "232" in ln)
    assert "235" in line and "+3" in line and "+1.29%" in line
    assert "上年未填报" in text.out  # 2022 figures the report did not give


def test_compare_refuses_malformed_years(demo, capsys):
    result = run_cli(capsys, "compare", "--org", "620422", "--years", "2023")
    assert result.code == 2 and "--years 应为两个四位年度" in result.err
