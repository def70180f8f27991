"""The drafted 一、 of 会宁县's 2023 report states what the real report's 一、 states.

Each fact below is a figure or name the seed's 一、 prints, with where the data holds it (a table row
or a ledger record). The test checks the source holds it and the generated DOCX states it. Facts
the seed prints with no row or record behind them are not drafted: a figure with no record is never
invented. (The park's 316亩 is a column of the park's record; the 消费帮扶 certifications and suppliers
are records of the 消费帮扶认定企业 ledger, which the seed gives as totals only.)
Where the seed's text and its table disagree (社会帮扶 698.4475万元 against the table's 93.05万元),
the table is stated.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document as DocxDocument

# (what the DOCX says, where the figure or name comes from)
ROW_FACTS = [
    ("共召开10次会议研究部署东西部协作工作", ("meet_party", "meet_gov", "meet_group"), 10),
    ("县委常委会1次", ("meet_party",), 1),
    ("县政府常务会4次", ("meet_gov",), 4),
    ("县委农村工作领导小组会5次", ("meet_group",), 5),
    ("2个经济强镇（街道）结对帮扶2个乡镇", ("pair_west_towns",), 2),
    ("35所学校结对帮扶35所学校", ("pair_east_schools",), 35),
    ("2家医院结对帮扶2家医院", ("pair_east_hospitals",), 2),
    ("结对帮扶4个村", ("pair_west_villages_e",), 4),
    ("已拨付到位财政援助资金5590万元", ("funds_allocated",), 5590),
    ("计划实施帮扶项目29个", ("projects_planned",), 29),
    ("用于产业帮扶3380万元", ("funds_industry",), 3380),
    ("用于脱贫残疾人帮扶29万元", ("funds_disabled",), 29),
    ("转移就业2641人", ("labour_east", "labour_local", "labour_other"), 2641),
    ("其中脱贫劳动力2287人（2022年2271人）", ("labour_east_poor", "labour_local_poor", "labour_other_poor"), 2287),
    ("在东部结对省份就业235人（2022年232人）", ("labour_east",), 235),
    ("在省内就近就业826人", ("labour_local",), 826),
    ("其中脱贫劳动力472人（2022年468人）", ("labour_local_poor",), 472),
    ("在其他地区就业1580人（2022年1571人）", ("labour_other",), 1580),
    ("举办劳务协作培训班15期", ("train_classes",), 15),
    ("其中脱贫劳动力617人次", ("train_poor",), 617),
    ("农副产品1.2019亿元", ("consumption_sales",), Decimal("1.2019")),
    ("新增引导落地投产企业6家", ("region_enterprises",), 6),
    ("实际到位投资6907万元", ("key_enterprise_invest",), 6907),
    ("吸纳农村劳动力就业234人", ("region_jobs",), 234),
    ("和平区选派3名党政干部到会宁县挂职", ("cadre_e2w",), 3),
    ("会宁县选派3名党政干部到和平区挂职交流", ("cadre_w2e",), 3),
    ("和平区选派31名专业技术人才到会宁县帮扶", ("pro_e2w",), 31),
    ("会宁县选派48名专业技术人才到和平区交流", ("pro_w2e",), 48),
    ("安排乡村振兴示范村建设资金834万元", ("funds_demo",), 834),
]

LEDGER_FACTS = [
    # (what the DOCX says, ledger, {field: value} a record must have)
    ("《会宁县2023年东西部协作和中央单位定点帮扶工作方案》", "policy_docs", {"title": "会宁县2023年东西部协作和中央单位定点帮扶工作方案"}),
    ("会宁县乡村振兴局、会宁县财政局印发《会宁县东西部协作资金使用管理实施细则》", "policy_docs",
     {"issuers": "会宁县乡村振兴局、会宁县财政局"}),
    ("《2023年东西部协作科技创新专项资金项目实施方案》", "policy_docs", {"title": "2023年东西部协作科技创新专项资金项目实施方案"}),
    ("《会宁县2023年东西部协作消费帮扶专项资金实施方案》", "policy_docs", {"title": "会宁县2023年东西部协作消费帮扶专项资金实施方案"}),
    ("会宁县津甘共建现代农业科技示范园，占地316亩，计划投资5400万元，2023年投入东西部协作资金1252万元", "parks",
     {"name": "会宁县津甘共建现代农业科技示范园", "area_mu": 316, "planned_investment": Decimal(5400),
      "aid_funds": Decimal(1252)}),
    ("甘肃中慧高芯农业发展有限公司实际到位投资1565万元，吸纳就业81人，其中脱贫劳动力14人，村集体入股分红1个，土地流转57户",
     "enterprises", {"name": "甘肃中慧高芯农业发展有限公司", "actual_investment": Decimal(1565), "jobs": 81,
                     "land_transfer_households": 57}),
    ("甘肃国联农牧产业化进出口贸易有限公司实际到位投资1533万元，吸纳就业24人，其中脱贫劳动力24人，订单生产和产品代销25户，入股分红235人",
     "enterprises", {"name": "甘肃国联农牧产业化进出口贸易有限公司", "dividend_persons": 235}),
    ("甘肃善荞农业发展有限公司实际到位投资1135万元，吸纳就业8人，其中脱贫劳动力4人，订单生产和产品代销2户", "enterprises",
     {"name": "甘肃善荞农业发展有限公司", "jobs": 8}),
    ("会宁依禾粮油蔬菜有限公司实际到位投资1160万元，吸纳就业65人，其中脱贫劳动力19人，订单生产和产品代销25户", "enterprises",
     {"name": "会宁依禾粮油蔬菜有限公司", "jobs": 65}),
    ("甘肃牛墩墩农业发展有限公司实际到位投资1014万元，吸纳就业21人，其中脱贫劳动力13人，订单生产和产品代销81户", "enterprises",
     {"name": "甘肃牛墩墩农业发展有限公司", "order_households": 81}),
    ("会宁县道塬祥合数字科技有限公司实际到位投资500万元，吸纳就业35人，其中脱贫劳动力6人，订单生产和产品代销6户", "enterprises",
     {"name": "会宁县道塬祥合数字科技有限公司", "actual_investment": Decimal(500)}),
    ("其中投资1000万元以上企业5家", "enterprises", {}),
    ("共带动订单生产和产品代销139户，入股个人分红235人，村集体入股分红1个，土地流转57户", "enterprises", {}),
    ("支教教师19人（帮扶1—6个月7人、帮扶7—12个月4人、帮扶12个月以上8人）", "exchanges", {"kind": "teacher"}),
    ("支医医生6人（帮扶1—6个月3人、帮扶7—12个月2人、帮扶12个月以上1人）", "exchanges", {"kind": "doctor"}),
    ("科技人员6人（帮扶1—6个月4人、帮扶12个月以上2人）", "exchanges", {"kind": "technician"}),
    ("共建5个乡村振兴示范村", "demo_villages", {}),
    ("截至目前，会宁县共有44家企业531类产品通过帮扶产品认定，其中35家企业成为脱贫地区农副产品销售平台供应商，"
     "带动脱贫户998户4248人", "certified_suppliers", {"platform_supplier": True}),
    # The seed's project categories: from the fund-project ledger, one category per project.
    ("按项目类别分（每个项目计入一类，合计5590万元）：产业帮扶类项目3380万元；教育类项目889.2万元；医疗卫生类项目233.8万元；"
     "改善人居环境类项目434万元；就业帮扶类项目331万元；基础设施类项目13万元；残疾人帮扶类项目29万元；其他类项目280万元",
     "fund_projects", {"category": "industry"}),
    *[(name, "demo_villages", {"village": name}) for name in ("田家坪村", "杨崖集村", "线川村", "道口村", "南什村")],
    ("4月18日—19日，姚建军，和平区委书记", "visits", {"principals": "姚建军，和平区委书记"}),
    ("邵将，和平区副区长", "visits", {"direction": "e2w"}),
]


@pytest.fixture
def huining_tasks_text(huining) -> str:  # type: ignore[no-untyped-def]
    from xiezuo.documents.reports import report_docx_bytes

    paragraphs = [p.text for p in DocxDocument(io.BytesIO(report_docx_bytes(huining, 2023))).paragraphs]
    start = paragraphs.index("一、年度任务完成情况")
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("二、"))
    return "\n".join(paragraphs[start:end])


def test_every_figure_the_seed_states_is_drafted_from_its_row(huining, huining_tasks_text):  # type: ignore[no-untyped-def]
    from xiezuo.tables.selectors import values_for

    values = values_for(huining, 2023)
    for phrase, codes, figure in ROW_FACTS:
        assert sum(Decimal(values[c]) for c in codes) == Decimal(figure), (phrase, codes)
        assert phrase in huining_tasks_text, phrase


def test_every_named_fact_the_seed_states_is_drafted_from_a_ledger_record(huining, huining_tasks_text):  # type: ignore[no-untyped-def]
    from django.apps import apps

    from xiezuo.ledgers.schema import ledger_of

    for phrase, kind, fields in LEDGER_FACTS:
        model = apps.get_model(ledger_of(kind).model)
        lookups = {f"{k}__contains" if isinstance(v, str) else k: v for k, v in fields.items()}
        assert model.objects.filter(org=huining, year=2023, **lookups).exists(), (kind, fields)
        assert phrase in huining_tasks_text, phrase


def test_no_figure_marked_unpublished_is_printed(huining, huining_tasks_text):  # type: ignore[no-untyped-def]
    from xiezuo.documents.selectors import withheld_codes
    from xiezuo.tables.models import DataValue

    withheld = withheld_codes(huining, 2022)
    assert withheld == {"labour_local"}  # 2022 就近就业 822人, inferred in the demo data
    for dv in DataValue.objects.filter(org=huining, year=2022, code__in=withheld):
        assert f"2022年{dv.number.normalize():f}" not in huining_tasks_text
    # Names made up where the source gives only totals are never listed.
    assert "合成" not in huining_tasks_text and "未具名" not in huining_tasks_text


def test_the_former_county_secretary_is_marked_as_the_seed_does(huining, huining_tasks_text):  # type: ignore[no-untyped-def]
    from xiezuo.tables.selectors import values_for

    # The table lists both secretaries who went east in 2023; the seed calls the first 原会宁县委书记.
    entry = values_for(huining, 2023)["visit_w2e_principal"]
    assert "刘正祥" in entry and "魏列海" in entry and "原" not in entry
    assert "4月4日—5日，刘正祥，原会宁县委书记；10月23日，魏列海，会宁县委书记" in huining_tasks_text
