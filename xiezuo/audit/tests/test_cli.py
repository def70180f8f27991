from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xiezuo.cli import app

runner = CliRunner()


@pytest.fixture
def seed_file(tmp_path, seed_text):
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_audit_json_against_the_org_table(demo, seed_file):
    result = runner.invoke(app, ["audit", str(seed_file), "--org", "620422", "--year", "2023", "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert {"check", "severity", "confidence", "message", "quotes", "row"} <= set(findings[0])
    assert any(f["row"] == "train_people" for f in findings)
    shown = runner.invoke(app, ["audit", str(seed_file), "--org", "会宁县", "--format", "json", "--min-confidence", "0.6"])
    assert len(json.loads(shown.stdout)) == len([f for f in findings if f["confidence"] >= 0.6]) < len(findings)


@pytest.mark.django_db
def test_audit_against_a_table_file(demo, seed_file, tmp_path):
    table = runner.invoke(app, ["table", "--org", "620422", "--year", "2023", "--format", "json"])
    path = tmp_path / "table.json"
    path.write_text(table.stdout, encoding="utf-8")
    result = runner.invoke(app, ["audit", str(seed_file), "--table", str(path), "--year", "2023", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "培训农村劳动力人数" in result.stdout and "790" in result.stdout and "共 " in result.stdout


@pytest.mark.django_db
def test_audit_facts(seed_file):
    result = runner.invoke(app, ["audit", str(seed_file), "--facts", "--format", "json"])
    facts = json.loads(result.stdout)
    training = next(f for f in facts if f["label"] == "培训农村劳动力人数")
    assert training["value"] == "617" and training["unit"] == "人" and training["row"] == "train_people"
    assert training["location"]["heading"].endswith("2.组织农村劳动力就业情况")
    money = next(f for f in facts if f["text"] == "698.4475 万元")
    assert money["value"] == "698.4475" and money["unit"] == "万元"
    assert any(f["entity"] == "甘肃牛墩墩农业发展有限公司" for f in facts)


@pytest.mark.django_db
def test_audit_refuses_both_sources(seed_file, tmp_path):
    result = runner.invoke(app, ["audit", str(seed_file), "--org", "620422", "--table", str(tmp_path / "t.json")])
    assert result.exit_code == 2
