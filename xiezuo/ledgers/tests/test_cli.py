"""`xiezuo ledger template|import|export` as a clerk would run them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.cli import run_cli
from xiezuo.ledgers.models import Enterprise

ROW = ["甘肃某公司", "农业", 100, 80.5, 10, 3, 0, 0, 0, 0, "否", "是"]


def test_template_import_dry_run_bad_file_and_export(
    tmp_path: Path, base_orgs, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    def cli(*args: str):  # type: ignore[no-untyped-def]
        r = run_cli(capsys, *args)
        r.output = r.out + r.err  # type: ignore[attr-defined]
        r.exit_code = r.code  # type: ignore[attr-defined]
        return r

    tpl = tmp_path / "企业.xlsx"
    assert cli("ledger", "template", "enterprises", "--out", str(tpl)).exit_code == 0
    wb = openpyxl.load_workbook(tpl)
    wb["引导落地企业"].append(ROW)
    wb["引导落地企业"].append(["坏公司", "", 100, "八十", 10, 30, 0, 0, 0, 0, "也许", "是"])
    wb.save(tpl)

    bad = cli("ledger", "import", "enterprises", str(tpl), "--org", "620422", "--year", "2023")
    assert bad.exit_code == 2
    assert "有 3 处错误，未写入任何数据" in bad.output
    assert "第3行，列「实际到位投资（万元）」，值「八十」" in bad.output
    assert "列「其中脱贫劳动力」" in bad.output and "列「入驻共建产业园区」，值「也许」" in bad.output
    assert Enterprise.objects.count() == 0

    wb = openpyxl.load_workbook(tpl)
    wb["引导落地企业"].delete_rows(3)
    wb.save(tpl)
    dry = cli("ledger", "import", "enterprises", str(tpl), "--org", "会宁县", "--year", "2023",
                              "--dry-run")
    assert dry.exit_code == 0 and "1 条记录均无误" in dry.output and Enterprise.objects.count() == 0
    done = cli("ledger", "import", "enterprises", str(tpl), "--org", "会宁县", "--year", "2023")
    assert done.exit_code == 0 and Enterprise.objects.get().actual_investment == 80.5

    out = tmp_path / "导出.csv"
    exported = cli("ledger", "export", "enterprises", "--org", "620422", "--year", "2023",
                                   "--out", str(out))
    assert exported.exit_code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("企业名称,行业,计划投资（万元）") and lines[1].startswith("甘肃某公司,农业,100,80.5,")

    city = cli("ledger", "import", "enterprises", str(tpl), "--org", "620400", "--year", "2023")
    assert city.exit_code == 2 and "不是县级单位" in city.output
