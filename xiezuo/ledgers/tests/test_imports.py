"""Import is all or nothing: every bad cell listed with sheet/row/column/value, nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xiezuo.core.errors import ErrorReport, InvalidValue
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.exports import ledger_export, ledger_template
from xiezuo.ledgers.models import FundProject, LabourPlacement
from xiezuo.ledgers.schema import LEDGERS
from xiezuo.ledgers.services import ledger_import
from xiezuo.orgunits.models import OrgUnit


@pytest.fixture
def county(base_orgs) -> OrgUnit:  # type: ignore[no-untyped-def]
    return OrgUnit.objects.get(code="620422")


def _id(n: int) -> str:
    return idcard.make_id("620422", dt.date(1985, 1, 1) + dt.timedelta(days=n), n)


GOOD = [
    ["张一", _id(1), "脱贫", "东部结对省份", "天津某公司", dt.date(2023, 3, 1), "是"],
    ["张二", _id(2), "一般", "省内就近", "", dt.date(2021, 5, 1), "否"],
    ["张三", _id(3), "监测", "其他地区", "某厂", dt.date(2023, 7, 9), "是"],
]


def _labour_file(tmp_path: Path, rows: list[list[object]]) -> Path:
    path = tmp_path / "labour.xlsx"
    ledger_template(kind="labour_placements", path=path)
    wb = openpyxl.load_workbook(path)
    ws = wb["农村劳动力就业"]
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_template_has_chinese_headers_dropdowns_and_an_instructions_sheet(tmp_path: Path) -> None:
    path = ledger_template(kind="labour_placements", path=tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["农村劳动力就业", "填写说明"]
    ws = wb["农村劳动力就业"]
    assert [c.value for c in ws[1]] == ["姓名", "身份证号", "人员类别", "就业去向", "就业单位", "就业日期", "本年新增"]
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C"] == '"脱贫,监测,一般"'
    assert lists["D"] == '"东部结对省份,省内就近,其他地区"'
    assert lists["G"] == '"是,否"'
    notes = wb["填写说明"]
    texts = [c.value for row in notes.iter_rows() for c in row if c.value]
    assert "身份证号" in texts and "示例（一行）：" in texts
    # One example row under the repeated headers.
    *_, headers, example = list(notes.iter_rows(values_only=True))
    assert headers[:2] == ("姓名", "身份证号") and example[3] == "东部结对省份"


def test_mixed_file_is_refused_with_every_bad_cell_and_nothing_stored(tmp_path: Path, county: OrgUnit) -> None:
    bad_id = _id(4)[:-1] + ("0" if _id(4)[-1] != "0" else "1")
    rows = [
        *GOOD,
        ["李四", bad_id, "脱贫", "东部结对省份", "", dt.date(2023, 2, 1), "是"],  # check digit
        ["王五", _id(5), "贫困", "东部结对省份", "", dt.date(2023, 2, 1), "是"],  # unknown code
        ["", _id(6), "一般", "省内就近", "", dt.date(2023, 2, 1), "否"],  # missing name
        ["赵六", _id(7), "一般", "省内就近", "", "明天", "否"],  # wrong type
        ["钱七", _id(8), "一般", "省内就近", "", dt.date(2024, 1, 5), "否"],  # after the year
        ["孙八", _id(1), "一般", "省内就近", "", dt.date(2023, 2, 1), "否"],  # same person twice
        ["周九", _id(9), "一般", "省内就近", "", dt.date(2022, 2, 1), "是"],  # new but started last year
    ]
    path = _labour_file(tmp_path, rows)
    before = ChangeRecord.objects.count()
    with pytest.raises(ErrorReport) as exc:
        ledger_import(kind="labour_placements", path=path, org=county, year=2023)
    found = {(e.location.row, e.location.column): e for e in exc.value.errors}  # type: ignore[union-attr]
    assert set(found) == {(5, "身份证号"), (6, "人员类别"), (7, "姓名"), (8, "就业日期"), (9, "就业日期"),
                          (10, "身份证号"), (11, "就业日期")}
    assert all(e.location.sheet == "农村劳动力就业" for e in exc.value.errors)  # type: ignore[union-attr]
    assert "校验码" in found[(5, "身份证号")].message
    assert found[(5, "身份证号")].location.value == idcard.mask(bad_id)  # never the full number
    assert "可选" in found[(6, "人员类别")].message and found[(6, "人员类别")].location.value == "贫困"
    assert "必须填写" in found[(7, "姓名")].message
    assert "日期" in found[(8, "就业日期")].message
    assert "晚于 2023 年度末" in found[(9, "就业日期")].message
    assert "重复" in found[(10, "身份证号")].message and "第 2 行" in found[(10, "身份证号")].message
    assert "本年新增" in found[(11, "就业日期")].message
    assert "第5行" in str(exc.value) and "列「身份证号」" in str(exc.value)
    assert LabourPlacement.objects.count() == 0
    assert ChangeRecord.objects.count() == before

    fixed = _labour_file(tmp_path, GOOD + [["李四", _id(4), "脱贫", "东部结对省份", "", dt.date(2023, 2, 1), "是"]])
    result = ledger_import(kind="labour_placements", path=fixed, org=county, year=2023)
    assert result.rows == 4
    assert LabourPlacement.objects.filter(org=county, year=2023).count() == 4
    assert ChangeRecord.objects.filter(action="ledger.import").count() == 4
    assert all(_id(1) not in str(r.new) for r in ChangeRecord.objects.all())
    logged = ChangeRecord.objects.filter(action="ledger.import").order_by("id").first()
    assert logged is not None and logged.new["id_number"] == idcard.mask(_id(1))
    assert logged.new["start_date"] == "2023-03-01" and logged.new["new_this_year"] is True
    assert logged.object_key.endswith("labour.xlsx#2")


def test_dry_run_checks_without_storing(tmp_path: Path, county: OrgUnit) -> None:
    result = ledger_import(kind="labour_placements", path=_labour_file(tmp_path, GOOD), org=county, year=2023,
                           dry_run=True)
    assert result.rows == 3 and result.dry_run
    assert LabourPlacement.objects.count() == 0


def test_money_in_yuan_negative_amounts_and_wrong_types_are_refused(tmp_path: Path, county: OrgUnit) -> None:
    path = tmp_path / "funds.csv"
    path.write_text(
        "项目名称,资金用途,细分用途,已拨付资金（万元）,已使用资金（万元）,实施状态,位于国家乡村振兴重点帮扶县,位于易地扶贫搬迁集中安置区\n"
        "好项目,产业帮扶,,120.5,100,已启动,是,否\n"
        "元项目,产业帮扶,,1200000,0,已启动,是,否\n"
        "负数项目,就业帮扶,,-5,0,已启动,是,否\n"
        "文字项目,就业帮扶,,十万,0,已启动,是,否\n"
        "错配项目,就业帮扶,农村改厕,5,0,已启动,是,否\n"
        "超支项目,就业帮扶,,5,6,已启动,是,否\n",
        encoding="utf-8",
    )
    with pytest.raises(ErrorReport) as exc:
        ledger_import(kind="fund_projects", path=path, org=county, year=2023)
    msgs = {(e.location.row, e.location.column): e.message for e in exc.value.errors}  # type: ignore[union-attr]
    assert "疑似按元填写" in msgs[(3, "已拨付资金（万元）")]
    assert "负数" in msgs[(4, "已拨付资金（万元）")]
    assert "文字" in msgs[(5, "已拨付资金（万元）")]
    assert "不对应" in msgs[(6, "细分用途")]
    assert "不能大于" in msgs[(7, "已使用资金（万元）")]
    assert len(msgs) == 5
    assert FundProject.objects.count() == 0


def test_unknown_and_missing_columns_are_reported(tmp_path: Path, county: OrgUnit) -> None:
    path = tmp_path / "x.csv"
    path.write_text("姓名,身份证,人员类别\n张三,1,脱贫\n", encoding="utf-8")
    with pytest.raises(ErrorReport) as exc:
        ledger_import(kind="labour_placements", path=path, org=county, year=2023)
    text = str(exc.value)
    assert "未知的列「身份证」" in text and "缺少必填列「身份证号」" in text and "缺少必填列「就业去向」" in text


def test_export_masks_ids_by_default_and_full_export_imports_back_identically(
    tmp_path: Path, county: OrgUnit
) -> None:
    ledger_import(kind="labour_placements", path=_labour_file(tmp_path, GOOD), org=county, year=2023)
    masked = tmp_path / "masked.xlsx"
    ledger_export(kind="labour_placements", org=county, year=2023, path=masked)
    cells = CalamineWorkbook.from_path(str(masked)).get_sheet_by_name("农村劳动力就业").to_python()
    assert cells[1][1] == idcard.mask(_id(1)) and "*" in cells[1][1]

    def snapshot() -> list[tuple[object, ...]]:
        return list(LabourPlacement.objects.order_by("id").values_list(
            "name", "id_number", "poverty_status", "destination", "employer", "start_date", "new_this_year"))

    before = snapshot()
    for suffix in ("xlsx", "csv"):
        full = tmp_path / f"full.{suffix}"
        ledger_export(kind="labour_placements", org=county, year=2023, path=full, reveal_ids=True)
        ledger_import(kind="labour_placements", path=full, org=county, year=2023)
        assert snapshot() == before
    with pytest.raises(ErrorReport) as exc:
        ledger_import(kind="labour_placements", path=masked, org=county, year=2023)
    assert "已脱敏" in str(exc.value)
    assert ChangeRecord.objects.filter(action="ledger.export_full_ids").count() == 2


def test_every_ledger_template_imports_its_own_example_row(tmp_path: Path, county: OrgUnit) -> None:
    for ledger in LEDGERS:
        path = ledger_template(kind=ledger.kind, path=tmp_path / f"{ledger.kind}.xlsx")
        wb = openpyxl.load_workbook(path)
        example = list(wb["填写说明"].iter_rows(values_only=True))[-1]
        wb[ledger.label].append(list(example))
        wb.save(path)
        result = ledger_import(kind=ledger.kind, path=path, org=county, year=2023)
        assert result.rows == 1, ledger.kind


def test_money_keeps_four_decimals_exactly(tmp_path: Path, county: OrgUnit) -> None:
    path = tmp_path / "d.csv"
    path.write_text("捐赠方,捐赠形式,金额（万元）\n甲,物资折款,612.3725\n乙,资金,0.0001\n", encoding="utf-8")
    ledger_import(kind="donations", path=path, org=county, year=2023)
    from xiezuo.ledgers.models import Donation

    assert sorted(Donation.objects.values_list("amount", flat=True)) == [Decimal("0.0001"), Decimal("612.3725")]


def test_exported_amounts_print_as_typed_never_with_a_trailing_point(tmp_path: Path, county: OrgUnit) -> None:
    import openpyxl

    path = tmp_path / "d.csv"
    path.write_text("捐赠方,捐赠形式,金额（万元）\n甲,物资折款,5590\n乙,资金,612.3725\n丙,资金,35.6\n", encoding="utf-8")
    ledger_import(kind="donations", path=path, org=county, year=2023)
    out = tmp_path / "d.xlsx"
    ledger_export(kind="donations", org=county, year=2023, path=out)
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    column = [c.value for c in ws[1]].index("金额（万元）") + 1
    formats = {str(ws.cell(row=r, column=column).value): ws.cell(row=r, column=column).number_format
               for r in range(2, 5)}
    # "0" prints 5590; "0.0###" prints 612.3725 and 35.6 — neither can print "5590."
    assert formats == {"5590": "0", "612.3725": "0.0###", "35.6": "0.0###"}, formats


def test_only_the_countys_own_clerk_may_export_full_id_numbers(tmp_path: Path, demo) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from xiezuo.core.errors import PermissionDenied

    users = get_user_model().objects
    county = OrgUnit.objects.get(code="620422")
    out = tmp_path / "x.csv"
    clerk = users.get(username="huining-clerk")
    with pytest.raises(InvalidValue):  # a user must say why
        ledger_export(kind="labour_placements", org=county, year=2023, path=out, by=clerk, reveal_ids=True)
    ledger_export(kind="labour_placements", org=county, year=2023, path=out, by=clerk, reveal_ids=True,
                  reason="入户核对就业情况")
    assert ChangeRecord.objects.get(action="ledger.export_full_ids").comment == "入户核对就业情况"
    assert "*" not in out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[1]
    for name in ("baiyin-reviewer", "heping-partner"):
        with pytest.raises(PermissionDenied):
            ledger_export(kind="labour_placements", org=county, year=2023, path=out, by=users.get(username=name),
                          reveal_ids=True)
        ledger_export(kind="labour_placements", org=county, year=2023, path=out, by=users.get(username=name))
        assert "*" in out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[1]
