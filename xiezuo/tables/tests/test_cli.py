"""`xiezuo table`, `validate`, `values`, `catalogue check` and `orgunits import` as a user runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from xiezuo.core.models import ChangeRecord
from xiezuo.tables.models import DataValue

pytestmark = pytest.mark.django_db


def test_table_json_lists_every_row_in_order(demo, capsys):
    result = run_cli(capsys, "table", "--org", "620422", "--year", "2023", "--format", "json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert len(rows) == 143
    assert rows[0] == {"code": "s_org", "section": "一、组织领导", "label": "一、组织领导", "unit": None,
                       "kind": "section", "value": None, "source": None}
    by_label = [(r["label"], r["unit"], r["value"]) for r in rows]
    assert ("1. 党委常委会会议", "次", "1") in by_label
    assert ("已向易地扶贫搬迁集中安置区投入财政援助资金数".join(["1. ", ""]), "万元", "30.96") in by_label
    assert ("东部省份采购、帮助销售西部结对省份农副产品金额", "亿元", "1.2019") in by_label
    assert ("资金使用比例", "%", "90.99") in by_label
    assert ("动员社会力量捐物折款", "万元", "612.3725") in by_label
    values = [r for r in rows if r["kind"] == "value"]
    assert all(r["value"] is not None and r["source"] == "entered" for r in values)


def test_table_by_name_and_csv(demo, capsys):
    result = run_cli(capsys, "table", "--org", "会宁县", "--year", "2023", "--format", "csv")
    assert result.code == 0
    assert result.out.splitlines()[0] == "code,section,指标,单位,会宁县"
    assert "funds_used,四、促进（推进）乡村振兴,已使用财政援助资金数,万元,5086.25" in result.out


def test_validate_reports_what_the_published_table_breaks(demo, capsys):
    result = run_cli(capsys, "validate", "--org", "会宁县", "--year", "2023", "--format", "json")
    assert result.code == 0  # warnings only
    findings = json.loads(result.out)
    assert [f["rule"] for f in findings] == ["funds.uses_sum"]
    f = findings[0]
    assert f["severity"] == "warning"
    assert "7112万元" in f["message"] and "5590万元" in f["message"]
    assert set(f["codes"]) >= {"funds_allocated", "funds_industry", "funds_disabled"}
    assert f["values"]["funds_allocated"] == "5590"


def test_validate_catches_planted_errors(demo, capsys):
    # A 其中 above its total, and 实际到位投资 entered in 万元 into the 亿元 column.
    assert run_cli(capsys, "values", "set", "labour_local_poor", "900", "--org", "620422", "--year", "2023").code == 0
    assert run_cli(capsys, "values", "set", "region_invest", "6907", "--org", "620422", "--year", "2023").code == 0
    result = run_cli(capsys, "validate", "--org", "620422", "--year", "2023", "--format", "json")
    assert result.code == 1
    by_rule = {f["rule"]: f for f in json.loads(result.out)}
    assert "subset.labour_local_poor" in by_rule
    assert "900人" in by_rule["subset.labour_local_poor"]["message"]
    assert "826人" in by_rule["subset.labour_local_poor"]["message"]
    assert "key.investment_match" in by_rule
    assert "6907亿元" in by_rule["key.investment_match"]["message"]
    assert "units.region_invest_magnitude" in by_rule

    text = run_cli(capsys, "validate", "--org", "620422", "--year", "2023")
    assert text.code == 1 and "【错误】" in text.out


def test_unknown_org_is_a_clear_error(demo, capsys):
    result = run_cli(capsys, "table", "--org", "999999", "--year", "2023")
    assert result.code == 2
    assert "未找到行政区划「999999」" in result.err


def test_non_numeric_value_is_refused_and_nothing_written(demo, capsys):
    before = (DataValue.objects.count(), ChangeRecord.objects.count())
    result = run_cli(capsys, "values", "set", "meet_party", "两次", "--org", "620422", "--year", "2023")
    assert result.code == 2
    assert "「1. 党委常委会会议」应填整数" in result.err and "两次" in result.err
    assert (DataValue.objects.count(), ChangeRecord.objects.count()) == before
    assert DataValue.objects.get(org__code="620422", year=2023, code="meet_party").number == 1


def test_import_is_all_or_nothing(demo, capsys, tmp_path):
    path = tmp_path / "jingyuan.csv"
    path.write_text("code,value\nmeet_party,2\nmeet_gov,三\nfunds_used,1.234\nnosuch,1\n", encoding="utf-8")
    before = DataValue.objects.count()
    result = run_cli(capsys, "values", "import", str(path), "--org", "靖远县", "--year", "2023")
    assert result.code == 2
    assert "有 3 处错误" in result.err
    assert "jingyuan.csv" in result.err and "第3行" in result.err and "值「三」" in result.err
    assert "最多保留 2 位小数" in result.err
    assert "没有指标「nosuch」" in result.err
    assert DataValue.objects.count() == before

    path.write_text("code,value\nmeet_party,2\nmeet_gov,3\n", encoding="utf-8")
    assert run_cli(capsys, "values", "import", str(path), "--org", "靖远县", "--year", "2023").code == 0
    assert DataValue.objects.filter(org__code="620421", year=2023).count() == 2


def test_table_json_round_trips_through_import(demo, capsys, tmp_path):
    exported = run_cli(capsys, "table", "--org", "620422", "--year", "2023", "--format", "json").out
    path = tmp_path / "huining.json"
    path.write_text(exported, encoding="utf-8")
    assert run_cli(capsys, "values", "import", str(path), "--org", "620403", "--year", "2023").code == 0
    copied = run_cli(capsys, "table", "--org", "620403", "--year", "2023", "--format", "json").out
    assert [r["value"] for r in json.loads(copied)] == [r["value"] for r in json.loads(exported)]


def test_catalogue_check(capsys, tmp_path):
    good = run_cli(capsys, "catalogue", "check", "xiezuo/catalogue/data/2023.toml")
    assert good.code == 0 and "模板有效" in good.out and "数值行 125 行" in good.out
    bad = tmp_path / "2024.toml"
    bad.write_text(Path("xiezuo/catalogue/data/2023.toml").read_text(encoding="utf-8").replace(
        'code = "meet_gov"\nparent = "g_meetings"', 'code = "meet_gov"\nparent = "g_nowhere"'), encoding="utf-8")
    result = run_cli(capsys, "catalogue", "check", str(bad))
    assert result.code == 2
    assert "2024.toml" in result.err and "meet_gov" in result.err and "parent 必须" in result.err


def test_orgunits_import_csv(db, capsys, tmp_path):
    from xiezuo.orgunits.models import OrgUnit

    path = tmp_path / "units.csv"
    path.write_text("code,name,level,side,parent_code\n620000,甘肃省,province,west,\n620100,兰州市,city,west,620000\n"
                    "6201xx,坏代码,county,west,620100\n", encoding="utf-8")
    result = run_cli(capsys, "orgunits", "import", str(path))
    assert result.code == 2 and "第4行" in result.err and "6201xx" in result.err
    assert OrgUnit.objects.count() == 0
    path.write_text("code,name,level,side,parent_code\n620000,甘肃省,province,west,\n620100,兰州市,city,west,620000\n",
                    encoding="utf-8")
    assert run_cli(capsys, "orgunits", "import", str(path)).code == 0
    assert OrgUnit.objects.get(code="620100").path == "/620000/620100/"


@pytest.mark.slow
def test_real_command_on_a_fresh_database(tmp_path):
    """The installed entry point, in a subprocess, on its own SQLite file."""
    env = {**os.environ, "XIEZUO_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
           "XIEZUO_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "xiezuo.settings.base"}
    cmd = [sys.executable, "-m", "xiezuo"]
    init = subprocess.run([*cmd, "init", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    assert "huining-clerk" in init.stdout
    table = subprocess.run([*cmd, "table", "--org", "620422", "--year", "2023", "--format", "json"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert table.returncode == 0
    assert json.loads(table.stdout)[2]["value"] == "1"
    bad = subprocess.run([*cmd, "validate", "--org", "不存在县", "--year", "2023"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "未找到行政区划" in bad.stderr and "Traceback" not in bad.stderr
