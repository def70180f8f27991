"""`xiezuo assess` on the demo, targets entered and imported, and a scheme changed without code."""

import json
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from tests.cli import run_cli
from xiezuo.assessment.models import Target
from xiezuo.assessment.scheme import EXAMPLE_SCHEME
from xiezuo.assessment.selectors import assess
from xiezuo.assessment.services import target_set, targets_import_xlsx
from xiezuo.core.errors import ErrorReport, StaleEdit
from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import OrgUnit


def run_json(capsys, *args: str) -> dict:
    result = run_cli(capsys, "assess", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_assess_ranks_the_citys_counties_and_explains_every_lost_point(demo, capsys):
    data = run_json(capsys, "--org", "620400", "--year", "2023")
    assert data["scheme"]["official"] is False and data["illustrative_targets"] is True
    names = [r["org"]["name"] for r in data["ranking"]]
    assert sorted(names) == ["会宁县", "平川区", "景泰县", "白银区", "靖远县"]
    scores = [D(r["score"]) for r in data["ranking"]]
    assert scores == sorted(scores, reverse=True)
    assert data["ranking"][-1]["org"]["name"] == "靖远县" and data["ranking"][-1]["grade"] == "差"

    text = run_cli(capsys, "assess", "--org", "白银市", "--year", "2023").out
    assert "示例方案" in text and "非官方" in text and "示例目标" in text
    # One block per unit, each starting "第 N 名　<name>".
    blocks = {b.split("\n", 1)[0].split()[2]: b for b in text.split("\n第 ")[1:]}
    lost_total = 0
    for unit in data["ranking"]:
        block = blocks[unit["org"]["name"]]
        assert f"{unit['score']}" in block.split("\n", 1)[0] and unit["grade"] in block.split("\n", 1)[0]
        for p in unit["lost"]:
            lost_total += 1
            assert p["label"] and p["reason"] and p["points"]
            line = next(ln for ln in block.splitlines() if f"扣 {D(p['points']):.2f} 分：{p['label']}" in ln
                        and p["reason"] in ln)
            assert (p["actual"] or "未填报") in line
            if p["target"]:
                assert p["target"] in line
    assert lost_total > 0


def test_huining_loses_points_where_it_missed_its_targets(demo):
    huining = OrgUnit.objects.get(code="620422")
    target_set(org=huining, year=2023, code="labour_east", raw="250", by=None)
    result = assess(huining, 2023)
    (rank, score), = result.ranking
    lost = {p.row: p for p in score.lost if p.test == "不低于年度目标"}
    assert lost["labour_east"].target == "250人" and lost["labour_east"].actual == "235人"
    assert "94.0%" in lost["labour_east"].reason  # the example scheme scores this target in proportion


def test_changing_the_scheme_file_changes_the_result_without_code(demo, tmp_path, capsys):
    before = run_json(capsys, "--org", "620422", "--year", "2023")["ranking"][0]
    stricter = tmp_path / "stricter.toml"
    text = EXAMPLE_SCHEME.read_text(encoding="utf-8")
    stricter.write_text(text.replace("value = 90", "value = 95").replace("min = 60", "min = 85"), encoding="utf-8")
    after = run_json(capsys, "--org", "620422", "--year", "2023", "--scheme", str(stricter))["ranking"][0]
    assert D(after["score"]) < D(before["score"])
    ratio = [p for p in after["lost"] if p["row"] == "funds_use_ratio"]
    assert ratio and ratio[0]["target"] == "95%" and ratio[0]["actual"] == "90.99%"
    assert not [p for p in before["lost"] if p["row"] == "funds_use_ratio"]
    assert after["grade"] == "差"


def test_a_broken_scheme_file_is_reported_in_chinese(demo, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE_SCHEME.read_text(encoding="utf-8").replace('row = "pro_e2w"', 'row = "pro_e2w_x"'),
                   encoding="utf-8")
    result = run_cli(capsys, "assess", "--org", "620422", "--year", "2023", "--scheme", str(bad))
    assert result.code == 2 and "bad.toml" in result.err and "pro_e2w_x" in result.err


def test_target_set_records_the_change_and_refuses_stale_edits(base_orgs):
    huining = OrgUnit.objects.get(code="620422")
    t = target_set(org=huining, year=2024, code="funds_allocated", raw="6000", by=None, expected_version=0)
    assert t.number == 6000 and t.version == 1
    target_set(org=huining, year=2024, code="funds_allocated", raw="6100", by=None, expected_version=1)
    record = ChangeRecord.objects.filter(action="target.set").first()
    assert record.old == {"value": "6000.0000", "illustrative": False} or record.old["value"].startswith("6000")
    with pytest.raises(StaleEdit):
        target_set(org=huining, year=2024, code="funds_allocated", raw="6200", by=None, expected_version=1)


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "年度目标"
    ws.append(["区划代码", "年度", "指标代码", "目标值", "说明"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_targets_import_from_xlsx(base_orgs, tmp_path):
    path = tmp_path / "targets.xlsx"
    write_xlsx(path, [["620422", 2024, "funds_allocated", 6000, "协议"], ["会宁县", 2024, "consumption_sales", 1.3, ""],
                      ["620423", "2024", "labour_east", "250", None]])
    assert targets_import_xlsx(path=path, by=None) == 3
    t = Target.objects.get(org__code="620422", year=2024, code="consumption_sales")
    assert t.number == D("1.3")


def test_a_bad_targets_file_names_each_bad_cell_and_stores_nothing(base_orgs, tmp_path, capsys):
    path = tmp_path / "targets.xlsx"
    write_xlsx(path, [["620422", 2024, "funds_allocated", 6000], ["629999", 2024, "funds_allocated", 1],
                      ["620422", 2024, "labour_east", "很多"], ["620422", 2024, "policy_docs", 1]])
    with pytest.raises(ErrorReport) as exc:
        targets_import_xlsx(path=path, by=None)
    messages = [e.full_message for e in exc.value.errors]
    assert len(messages) == 3
    assert "工作表「年度目标」" in messages[0] and "第3行" in messages[0] and "629999" in messages[0]
    assert "第4行" in messages[1] and "列「目标值」" in messages[1] and "很多" in messages[1]
    assert "不是数值指标" in messages[2]
    assert not Target.objects.exists()

    result = run_cli(capsys, "targets", "import", str(path))
    assert result.code == 2 and "629999" in result.err and not Target.objects.exists()
