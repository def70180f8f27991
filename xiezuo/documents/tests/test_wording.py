"""Officialese: the drafted 一、 reads as a unit would write it, for any unit and wording of the table."""

from __future__ import annotations

from decimal import Decimal

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.documents.drafting import Context, Draft, draft_tasks

VALUES = {
    "meet_party": Decimal(2), "meet_gov": Decimal(3), "meet_group": Decimal(1),
    "visit_e2w": Decimal(9), "visit_w2e": Decimal(4),
    "region_enterprises": Decimal(3), "region_invest": Decimal("0.425"), "region_projects": Decimal(2),
    "region_jobs": Decimal(40), "region_jobs_poor": Decimal(11),
    "key_enterprises": Decimal(3), "key_enterprise_invest": Decimal(4250),
    "park_enterprises": Decimal(2), "parks": Decimal(1), "park_invest": Decimal("0.3"),
    "funds_allocated": Decimal(2000), "projects_planned": Decimal(12), "projects_started": Decimal(12),
    "projects_completed": Decimal(9), "funds_industry": Decimal(1500), "funds_employment": Decimal(900),
    "labour_east": Decimal(100), "labour_local": Decimal(50), "labour_other": Decimal(30),
    "labour_east_poor": Decimal(80), "labour_local_poor": Decimal(20), "labour_other_poor": Decimal(30),
    "labour_new_east": Decimal(40), "labour_new_east_poor": Decimal(30),
    "cadre_e2w": Decimal(2), "pro_e2w": Decimal(12), "pair_east_enterprises": Decimal(5),
    "pair_west_villages_e": Decimal(5),
}


def _text(draft: Draft) -> dict[str, str]:
    return {p.lead: p.text for part in draft.parts for p in part.paragraphs}


def _draft(org: str, partner: str) -> dict[str, str]:
    return _text(draft_tasks(get_catalogue(2023), VALUES, {}, Context(org_name=org, year=2023, partner=partner)))


def test_bodies_are_named_as_the_unit_calls_them():
    county = _draft("景泰县", "某东部区")["工作推动部署情况。"]
    assert county.startswith("县委、县政府共召开6次会议")
    assert "县委常委会2次、县政府常务会3次、县委农村工作领导小组会1次" in county
    assert "党委常委会会议" not in county  # the table's label, not prose
    district = _draft("白银区", "某东部区")["工作推动部署情况。"]
    assert district.startswith("区委、区政府") and "区委常委会2次" in district


def test_the_partner_is_named_not_called_the_east():
    texts = _draft("景泰县", "天津市河西区")
    assert texts["工作对接情况。"].startswith("天津市河西区到景泰县调研对接9人次")
    assert "景泰县赴天津市河西区调研对接4人次" in texts["工作对接情况。"]
    assert "东部地区到" not in texts["工作对接情况。"]
    assert "天津市河西区选派2名党政干部到景泰县挂职" in texts["挂职干部、专技人才选派交流情况。"]


def test_measure_words():
    texts = _draft("景泰县", "某区")
    assert "新增引导落地投产企业3家" in texts["引导引进东部企业落地情况。"]
    assert "5家企业结对帮扶5个村" in texts["落实帮扶主体责任情况。"]
    funds = texts["帮扶项目对接和资金管理情况。"]
    # Projects are 个 throughout, never 个 in one clause and 项 in the next.
    assert "计划实施帮扶项目12个，已启动实施12个，实际完工9个" in funds and "项，" not in funds
    assert "选派12名专业技术人才" in texts["挂职干部、专技人才选派交流情况。"]


def test_one_unit_for_one_quantity():
    texts = _draft("景泰县", "某区")
    region = texts["引导引进东部企业落地情况。"]
    # The table keeps 实际到位投资 in 亿元 here and in 万元 for 重点帮扶县: the text says 万元 for both.
    assert "实际到位投资4250万元" in region and "亿元" not in region
    assert "实际到位投资4250万元" in texts["对国家乡村振兴重点帮扶县倾斜支持情况。"]
    assert "入园企业实际到位投资3000万元" in texts["产业园区共建情况。"]


def test_scope_words_say_running_total_or_new_this_year():
    labour = _draft("景泰县", "某区")["组织农村劳动力就业情况。"]
    assert labour.startswith("截至目前，帮扶农村劳动力转移就业180人")
    assert "本年度新增帮助农村劳动力到东部结对省份就业40人，其中新增脱贫劳动力30人" in labour
    # The audit reads the new-this-year figures as such, not as the running totals.
    from xiezuo.audit.audit import audit_document
    from xiezuo.audit.mapping import AuditContext
    from xiezuo.audit.reader import document_from_text

    text = "一、年度任务完成情况\n（二）助力巩固拓展脱贫攻坚成果\n2. 组织农村劳动力就业情况。" + labour
    result = audit_document(document_from_text(text), catalogue=get_catalogue(2023), table=VALUES,
                            context=AuditContext(year=2023, west_names=("景泰县",), east_names=("某区",)))
    assert [f.message for f in result.findings if f.check == "text_table"] == []


def test_overlapping_categories_are_never_a_breakdown_that_sums():
    values = dict(VALUES, funds_industry=Decimal(1500), funds_employment=Decimal(900))  # 2400 > 2000: they overlap
    texts = _text(draft_tasks(get_catalogue(2023), values, {}, Context(org_name="景泰县", year=2023, partner="某区")))
    funds = texts["帮扶项目对接和资金管理情况。"]
    assert "按用途分" not in funds and "其中用于" not in funds
    assert "同一项目可能同时计入多个领域" in funds
    from xiezuo.audit.audit import audit_document
    from xiezuo.audit.reader import document_from_text

    text = "一、年度任务完成情况\n（四）推进乡村振兴\n2. 帮扶项目对接和资金管理情况。" + funds
    result = audit_document(document_from_text(text), catalogue=get_catalogue(2023), table=values)
    assert [f.message for f in result.findings if f.check in ("sums", "sum", "breakdown")] == []


def test_a_former_office_holder_is_marked_and_each_person_has_a_date_range():
    values = dict(VALUES, visit_w2e_principal="4月4日-5日，刘某某，某县委书记 10月23日，王某某，某县委书记",
                  visit_e2w_principal="4月18日-19日，张某，某区委书记")
    texts = _text(draft_tasks(get_catalogue(2023), values, {}, Context(org_name="某县", year=2023, partner="某区")))
    visits = texts["工作对接情况。"]
    assert "4月4日—5日，刘某某，原某县委书记；10月23日，王某某，某县委书记" in visits
    assert "4月18日—19日，张某，某区委书记" in visits and "原某区委书记" not in visits
