"""The template loader: the 2023 file, and malformed files named by row and problem."""

from decimal import Decimal as D

import pytest

from xiezuo.catalogue.loader import load_catalogue, parse_catalogue
from xiezuo.catalogue.registry import DATA_DIR
from xiezuo.core.errors import CatalogueError, InvalidValue
from xiezuo.engine.validate import catalogue_check


@pytest.fixture(scope="module")
def cat2023():
    return load_catalogue(DATA_DIR / "2023.toml")


def test_2023_has_every_printed_row_in_order(cat2023):
    labels = [r.label for r in cat2023.rows]
    assert labels[0] == "一、组织领导"
    assert [r.label for r in cat2023.rows if r.kind == "section"] == [
        "一、组织领导", "二、助力巩固拓展脱贫攻坚成果", "三、加强区域协作", "四、促进（推进）乡村振兴",
    ]
    assert len(cat2023.value_rows) == 125
    assert labels[-1] == "已启动打造乡村振兴示范典型个数"
    assert labels.index("1. 已拨付到位财政援助资金数") < labels.index("资金使用比例")


def test_2023_units_kinds_and_places(cat2023):
    row = cat2023.row
    assert (row("resettle_funds").unit, row("resettle_funds").places) == ("万元", 2)
    assert (row("consumption_sales").unit, row("consumption_sales").places) == ("亿元", 4)
    assert (row("funds_use_ratio").unit, row("funds_use_ratio").value_kind) == ("%", "percent")
    assert row("social_goods").places == 4
    assert row("visit_e2w_principal").value_kind == "text"
    assert row("visit_e2w_principal").unit == "时间、姓名、职务"
    assert row("train_poor").relation == "subset" and row("train_poor").parent == "train_people"
    assert row("funds_use_ratio").rollup == "recompute"
    assert row("pair_east_counties").rollup == "distinct"
    assert "赴津就业" in row("labour_east").aliases


def test_2023_implied_rules(cat2023):
    ids = {r.id for r in cat2023.rules}
    assert "subset.train_poor" in ids
    assert "parts.pro_e2w" in ids
    assert "nonneg.meet_party" in ids


@pytest.mark.parametrize(
    ("value", "kind_ok"),
    [("30.96", D("30.96")), ("5,590", D(5590)), ("90.990", D("90.99")), ("1.2019亿元", None)],
)
def test_parse_values(cat2023, value, kind_ok):
    row = cat2023.row("resettle_funds") if kind_ok != D("90.99") else cat2023.row("funds_use_ratio")
    if kind_ok is None:
        assert cat2023.row("consumption_sales").parse(value) == D("1.2019")
    else:
        assert row.parse(value) == kind_ok


def test_parse_refuses_wrong_kind(cat2023):
    with pytest.raises(InvalidValue, match="应填整数"):
        cat2023.row("meet_party").parse("1.5")
    with pytest.raises(InvalidValue, match="不能填「十次」"):
        cat2023.row("meet_party").parse("十次")
    with pytest.raises(InvalidValue, match="最多保留 2 位小数"):
        cat2023.row("resettle_funds").parse("30.961")
    with pytest.raises(TypeError):
        cat2023.row("resettle_funds").parse(30.96)


def test_format_keeps_published_decimals(cat2023):
    assert cat2023.row("resettle_funds").format(D("30.9600")) == "30.96"
    assert cat2023.row("funds_allocated").format(D("5590.0000")) == "5590"
    assert cat2023.row("consumption_sales").format(D("1.2019")) == "1.2019"


HEAD = 'year = 2023\ntitle = "t"\n[[rows]]\ncode = "s1"\nkind = "section"\nlabel = "一、"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "斤"\nvalue = "int"\n', "单位应为"),
        ('[[rows]]\ncode = "a"\nparent = "zz"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n', "parent 必须"),
        ('[[rows]]\ncode = "A-1"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n', "code 应为"),
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "float"\n', "value 应为"),
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n'
         '[[rows]]\ncode = "b"\nparent = "a"\nrelation = "subset"\nlabel = "乙"\nunit = "万元"\nvalue = "decimal"\n',
         "单位应与上级"),
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n'
         '[[rules]]\nid = "r"\nexpr = "a >> 1"\nmessage = "m"\n', "规则 r"),
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n'
         '[[rules]]\nid = "r"\nexpr = "b > 1"\nmessage = "m"\n', "不存在的行"),
        ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\ncolour = "red"\n', "未知字段"),
    ],
)
def test_malformed_files_name_the_row_and_problem(body, message):
    with pytest.raises(CatalogueError, match=message) as exc:
        catalogue_check(parse_catalogue(HEAD + body, source="bad.toml"))
    assert "bad.toml" in exc.value.full_message


def test_toml_syntax_error():
    with pytest.raises(CatalogueError, match="TOML 格式错误"):
        parse_catalogue("year = = 1", source="x.toml")


def test_rule_levels_are_checked():
    body = ('[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n'
            '[[rules]]\nid = "r"\nexpr = "a > 1"\nmessage = "m"\nlevels = ["village"]\n')
    with pytest.raises(CatalogueError, match="levels 应为"):
        parse_catalogue(HEAD + body, source="bad.toml")
    ok = parse_catalogue(HEAD + body.replace('"village"', '"county"'))
    assert ok.rules[-1].levels == ("county",)


def test_the_loader_only_parses_and_the_engine_checks_the_expressions():
    body = '[[rows]]\ncode = "a"\nparent = "s1"\nlabel = "甲"\nunit = "人"\nvalue = "int"\n' \
           '[[rules]]\nid = "r"\nexpr = "b > 1"\nmessage = "m"\n'
    parsed = parse_catalogue(HEAD + body, source="two-step.toml")
    assert parsed.rules[-1].expr == "b > 1"
    with pytest.raises(CatalogueError, match="不存在的行") as exc:
        catalogue_check(parsed)
    assert exc.value.location is not None and exc.value.location.file == "two-step.toml"
    assert exc.value.location.row == "r" and exc.value.location.column == "expr"


def test_the_loader_does_not_import_the_engine():
    import subprocess
    import sys

    code = ("import sys, xiezuo.catalogue.loader; "
            "print(sorted(m for m in sys.modules if m.startswith('xiezuo.engine')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
