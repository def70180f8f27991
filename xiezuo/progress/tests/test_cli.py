"""`xiezuo period|projects|duplicates` call the same code as the pages."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli
from xiezuo.ledgers.models import FundProject
from xiezuo.progress.models import Snapshot


def test_period_commands_derive_as_of_days_freeze_and_compare(demo, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(capsys, "period", "derive", "--org", "会宁县", "--year", "2023", "--as-of", "2023-06-30",
                "--as-of", "2023-11-20", "--format", "json")
    assert r.code == 0
    rows = {x["code"]: x for x in json.loads(r.out)["rows"]}
    assert rows["labour_east"]["span"] == "stock" and rows["labour_new_east"]["span"] == "flow"
    assert int(rows["labour_new_east"]["2023-06-30"]) < int(rows["labour_new_east"]["2023-11-20"])
    bad = run_cli(capsys, "period", "derive", "--org", "会宁县", "--year", "2023", "--as-of", "2023/06/30")
    assert bad.code == 2 and "格式应为 2023-09-30" in bad.err
    # 靖远县 has no ledgers but may still report: its March snapshot is frozen once.
    assert run_cli(capsys, "period", "freeze", "--org", "靖远县", "--year", "2023", "--period", "2023-03").code == 0
    again = run_cli(capsys, "period", "freeze", "--org", "靖远县", "--year", "2023", "--period", "2023-03")
    assert again.code == 2 and "已报送，快照已冻结" in again.err
    assert Snapshot.objects.filter(org__code="620421").count() == 1
    cmp = run_cli(capsys, "period", "compare", "--org", "会宁县", "--year", "2023", "--from", "2023-06", "--to",
                  "2023", "--format", "json")
    assert cmp.code == 0 and any(c["code"] == "labour_new_east" for c in json.loads(cmp.out))


def test_projects_commands_refuse_out_of_order_and_list_rates(demo, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    project = FundProject.objects.filter(org__code="620422", stage="started").first()
    assert project is not None
    r = run_cli(capsys, "projects", "step", "--org", "620422", "--year", "2023", "--project", str(project.pk),
                "--stage", "验收", "--date", "2023-12-01")
    assert r.code == 2 and f"项目「{project.name}」当前为「启动」，不能转为「验收」" in r.err
    ok = run_cli(capsys, "projects", "step", "--org", "620422", "--year", "2023", "--project", str(project.pk),
                 "--stage", "完工", "--date", "2023-12-01")
    assert ok.code == 0
    listed = run_cli(capsys, "projects", "list", "--org", "620422", "--year", "2023", "--as-of", "2023-12-31",
                     "--format", "json")
    data = json.loads(listed.out)
    assert data["rates"]["approved"] == FundProject.objects.filter(org__code="620422").count()
    assert data["rates"]["completed"] == FundProject.objects.filter(
        org__code="620422", stage__in=["completed", "accepted", "paid", "handed_over"]).count()


def test_duplicates_commands_list_nothing_on_the_demo(demo, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(capsys, "duplicates", "list", "--year", "2023", "--format", "json")
    assert r.code == 0 and json.loads(r.out) == []
    bad = run_cli(capsys, "duplicates", "resolve", "--year", "2023", "--kind", "person", "--key", "abc", "--note", "x")
    assert bad.code == 2 and "没有这条重复统计" in bad.err
