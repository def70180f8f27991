"""The drafted 一、 paragraphs: every figure equals the table, gaps are left out gracefully."""

import re
from decimal import Decimal

from xiezuo.catalogue.registry import DATA_DIR, get_catalogue
from xiezuo.core.money import YUAN_PER as MONEY_FACTORS
from xiezuo.documents.drafting import Context, draft_tasks, tidy_text
from xiezuo.documents.selectors import report_data

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _check_bindings(draft, values, prev, catalogue):
    for part in draft.parts:
        for para in part.paragraphs:
            assert "None" not in para.text
            for b in para.bindings:
                assert b.text in para.text
                if b.ledger:
                    continue  # checked against the ledger below
                source = values if b.year == 2023 else prev
                row = catalogue.by_code[b.codes[0]]
                if row.value_kind == "text":
                    assert b.text == tidy_text(source[b.codes[0]])
                    continue
                expected = sum(Decimal(source[c]) for c in b.codes)
                assert b.value == expected, (b, expected)
                printed = Decimal(NUMBER.match(b.text).group())
                unit = b.text[len(NUMBER.match(b.text).group()):]
                if unit in MONEY_FACTORS and row.unit in MONEY_FACTORS:  # {region_invest|万元}: converted exactly
                    printed = printed * MONEY_FACTORS[unit] / MONEY_FACTORS[row.unit]
                assert printed == expected, (b, expected)


def _unbound_numbers(para, catalogue):
    """Numbers in the text that no binding accounts for (years and label numbers aside)."""
    text = para.text
    for b in sorted(para.bindings, key=lambda b: -len(b.text)):
        text = text.replace(b.text, "")
    text = re.sub(r"\d{4}年", "", text)
    label_numbers = {n for r in catalogue.rows for n in NUMBER.findall(r.label)}
    # Thresholds written in the rules themselves ("投资1000万元以上企业").
    label_numbers |= set(NUMBER.findall((DATA_DIR / f"{catalogue.year}.drafting.toml").read_text(encoding="utf-8")))
    return [n for n in NUMBER.findall(text) if n not in label_numbers]


def test_every_figure_in_the_huining_draft_equals_its_row(huining):
    data = report_data(huining, 2023)
    catalogue = get_catalogue(2023)
    from xiezuo.tables.selectors import values_for

    values, prev = values_for(huining, 2023), values_for(huining, 2022)
    _check_bindings(data.draft, values, prev, catalogue)
    for part in data.draft.parts:
        for para in part.paragraphs:
            assert _unbound_numbers(para, catalogue) == [], para.text
    texts = {p.lead: p.text for part in data.draft.parts for p in part.paragraphs}
    funds = texts["帮扶项目对接和资金管理情况。"]
    assert "已拨付到位财政援助资金5590万元" in funds
    assert "用于产业帮扶3380万元" in funds and "用于脱贫残疾人帮扶29万元" in funds
    labour = texts["组织农村劳动力就业情况。"]
    # The seed: 转移就业2641人(2022年2625人)，其中脱贫人口2287人(2022年2271人). The 2022 total is
    # not a row and its 就近就业 part (822) is inferred, marked unpublished: neither is printed.
    assert "截至目前，帮扶农村劳动力转移就业2641人，" in labour
    assert "其中脱贫劳动力2287人（2022年2271人）" in labour
    assert "822" not in labour and "2625" not in labour
    assert "在东部结对省份就业235人（2022年232人）" in labour
    assert "1.2019亿元" in texts["消费帮扶开展情况。"]
    assert "4月18日—19日" in texts["工作对接情况。"]


def test_rows_without_values_are_left_out():
    catalogue = get_catalogue(2023)
    values = {"funds_allocated": Decimal("100"), "funds_industry": Decimal("60"), "funds_used": None,
              "meet_party": Decimal(2)}
    draft = draft_tasks(catalogue, values, {}, Context(org_name="某县", year=2023, partner="某区"))
    text = "".join(p.text for part in draft.parts for p in part.paragraphs)
    assert "None" not in text
    assert "已拨付到位财政援助资金100万元" in text
    assert "用于产业帮扶60万元" in text
    assert "已使用" not in text  # no value: no clause
    assert "共召开" not in text  # a sum needs all its rows
    assert [p.heading for p in draft.parts] == ["推进乡村振兴"]
    assert "（2022年" not in text


def test_zero_sub_items_are_not_listed():
    catalogue = get_catalogue(2023)
    values = {"cadre_e2w": Decimal(3), "cadre_e2w_bureau": Decimal(0), "cadre_e2w_county": Decimal(1),
              "cadre_e2w_other": Decimal(2)}
    draft = draft_tasks(catalogue, values, {}, Context(org_name="某县", year=2023, partner="某区"))
    (para,) = draft.parts[0].paragraphs
    assert "其中县处级1人、其他2人" in para.text
    assert "厅局级" not in para.text


def test_empty_table_gives_an_empty_draft():
    draft = draft_tasks(get_catalogue(2023), {}, {}, Context(org_name="某县", year=2023))
    assert draft.parts == []


def test_enterprises_are_listed_from_the_ledger_and_add_up_to_the_table(huining):
    from xiezuo.ledgers.models import Enterprise
    from xiezuo.tables.selectors import values_for

    data = report_data(huining, 2023)
    (para,) = [p for part in data.draft.parts for p in part.paragraphs if p.lead == "引导引进东部企业落地情况。"]
    records = {f"enterprises:{e.pk}": e for e in Enterprise.objects.filter(org=huining, year=2023)}
    ledger_bindings = [b for b in para.bindings if b.ledger.split(":")[0] == "enterprises" and b.ledger.count(":") == 2
                       and b.ledger.split(":")[1].isdigit()]
    assert {b.ledger.rsplit(":", 1)[0] for b in ledger_bindings} == set(records)
    for b in ledger_bindings:
        key, field = b.ledger.rsplit(":", 1)
        assert records[key].name in para.text
        assert Decimal(NUMBER.match(b.text).group()) == Decimal(getattr(records[key], field))
    invest = sum(b.value for b in ledger_bindings if b.ledger.endswith(":actual_investment"))
    jobs = sum(b.value for b in ledger_bindings if b.ledger.endswith(":jobs"))
    values = values_for(huining, 2023)
    assert invest / 10000 == values["region_invest"]  # 6907万元 = 0.6907亿元
    assert jobs == values["region_jobs"]
    assert "甘肃中慧高芯农业发展有限公司实际到位投资1565万元，吸纳就业81人，其中脱贫劳动力14人" in para.text
    # One unit for one quantity: the table's 0.6907亿元 is stated in the 万元 the records use.
    assert "实际到位投资6907万元" in para.text and "亿元" not in para.text
    # Totals over the records, each from the ledger.
    orders = sum(e.order_households or 0 for e in records.values())
    assert f"共带动订单生产和产品代销{orders}户" in para.text
