"""What each ledger (台账) holds, as plain data: columns, Chinese headers, codes, checks.

One declaration per ledger drives the XLSX/CSV template, import checks, export, the record
services and the derivation engine (which needs table and column names but no Django). The
Django models use the same codes as `choices`; a test keeps models and schema in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Column types. `money` is an amount in 万元 with at most 4 decimals, stored as whole 元 so sums
# are exact integers on SQLite and PostgreSQL alike.
COLUMN_TYPES = ("text", "int", "money", "date", "bool", "code", "idno")
MONEY_SCALE = 4  # decimals of 万元 kept (= whole 元)
# Bounds that fit a column on SQLite and PostgreSQL alike: counts are PositiveIntegerField
# (32-bit on PostgreSQL), amounts whole 元 in a 64-bit column but capped at 10^12 元 (= 10^8 万元).
INT_MAX = 2_147_483_647
MONEY_MAX = Decimal(100_000_000)  # 万元
TEXT_MAX_LENGTH = 200  # characters, unless a column says otherwise (the model's max_length)
YES, NO = "是", "否"
# The last column of an export: each record's key, so the file imports back as updates of those records.
RECORD_KEY_HEADER = "记录编号"


@dataclass(frozen=True)
class Column:
    name: str  # model field and database column
    header: str  # Chinese header in templates and exports
    type: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label) for `code` columns
    in_year: bool = False  # a date that must fall inside the ledger's year
    max_plausible: Decimal | None = None  # money above this (万元) for one record looks like 元
    max_length: int = TEXT_MAX_LENGTH  # text columns: the model field's max_length
    help: str = ""
    example: str = ""
    logged: bool = True  # written into change records (a keyed hash of an ID number is not)

    @property
    def label_of(self) -> dict[str, str]:
        return dict(self.choices)

    @property
    def code_of(self) -> dict[str, str]:
        """Accept the Chinese label or the code itself."""
        out = {label: code for code, label in self.choices}
        out.update({code: code for code, _ in self.choices})
        return out

    @property
    def numeric(self) -> bool:
        return self.type in ("int", "money")


@dataclass(frozen=True)
class Ledger:
    kind: str  # stable identifier used in the CLI, URLs and derivation specs
    label: str  # Chinese name
    table: str  # database table
    model: str  # "ledgers.ModelName"
    columns: tuple[Column, ...]
    person_key: str | None = None  # a column that must not repeat within one county and year
    search: tuple[str, ...] = ()  # text columns the list page searches
    computed: tuple[Column, ...] = field(default=())  # stored, derived from other columns, not in files
    # The date that places a record in time for a table "as of" a day (None: the ledger is undated).
    # A row's derive spec may name another date column of the ledger instead.
    dated_by: str | None = None
    # Computed columns another service keeps (the project register): set once when a record is
    # created, never overwritten by an edit of the record.
    managed: tuple[str, ...] = ()

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in (*self.columns, *self.computed)}

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _c(name: str, header: str, type: str = "text", **kw: Any) -> Column:
    return Column(name=name, header=header, type=type, **kw)


DIRECTIONS = (("e2w", "东部到西部"), ("w2e", "西部到东部"))
# A fund project's life, in order; the register allows only the next stage (ledgers/projects.py).
PROJECT_STAGES = (
    ("reserve", "储备"), ("approved", "立项"), ("started", "启动"), ("completed", "完工"),
    ("accepted", "验收"), ("paid", "资金拨付"), ("handed_over", "资产确权移交"),
)
# The stage a project starts in the register from the ledger's coarser 实施状态.
STAGE_OF_STATUS = {"planned": "approved", "started": "started", "completed": "completed"}
BOOL_HELP = f"填「{YES}」或「{NO}」"
MONEY_HELP = "单位：万元，最多 4 位小数"

LEDGERS: tuple[Ledger, ...] = (
    Ledger(
        kind="meetings", label="会议", table="ledgers_meeting", model="ledgers.Meeting",
        dated_by="date",
        columns=(
            _c("date", "会议日期", "date", in_year=True, example="2023-03-15"),
            _c("kind", "会议类型", "code", choices=(
                ("party", "党委常委会会议"), ("gov", "政府常务会议"),
                ("group", "领导小组会议"), ("joint", "高层联席会议"),
            ), example="政府常务会议"),
            _c("topic", "议题", max_length=500, example="研究部署2023年东西部协作工作"),
        ),
        search=("topic",),
    ),
    Ledger(
        kind="policy_docs", label="政策文件", table="ledgers_policy_document", model="ledgers.PolicyDocument",
        dated_by="date",
        columns=(
            _c("date", "发文日期", "date", required=False, in_year=True, example="2023-04-12"),
            _c("issuers", "发文主体", max_length=300, example="会宁县乡村振兴局、会宁县财政局"),
            _c("title", "文件名称", max_length=500, example="会宁县东西部协作资金使用管理实施细则"),
            _c("doc_number", "文号", max_length=100, required=False, example="会乡振发〔2023〕12号"),
        ),
        search=("issuers", "title", "doc_number"),
    ),
    Ledger(
        kind="visits", label="调研对接", table="ledgers_visit", model="ledgers.Visit",
        dated_by="start_date",
        columns=(
            _c("direction", "方向", "code", choices=DIRECTIONS, example="东部到西部"),
            _c("start_date", "开始日期", "date", in_year=True, example="2023-04-18"),
            _c("end_date", "结束日期", "date", required=False, in_year=True, example="2023-04-19"),
            _c("people", "人次", "int", example="12"),
            _c("top_rank", "最高级别", "code", choices=(
                ("provincial", "省部级"), ("bureau", "厅局级"), ("other", "其他"),
            ), example="厅局级"),
            _c("provincial_people", "其中省部级人次", "int", required=False, example="0"),
            _c("bureau_people", "其中厅局级人次", "int", required=False, example="3"),
            _c("principals", "党委政府主要负责同志（姓名，职务）", max_length=500, required=False, example="张三，某区委书记"),
            _c("deputies", "党委政府分管负责同志（姓名，职务）", max_length=500, required=False, example="李四，某区副区长"),
            _c("topic", "事由", max_length=500, required=False, example="考察调研东西部协作工作"),
        ),
        search=("principals", "deputies", "topic"),
    ),
    Ledger(
        kind="pairings", label="结对帮扶", table="ledgers_pairing_record", model="ledgers.PairingRecord",
        dated_by="since",
        columns=(
            _c("kind", "结对类型", "code", choices=(
                ("county", "县（市、区）结对"), ("town", "镇（街道）结对"), ("village", "村（社区）结对"),
                ("school", "学校结对"), ("hospital", "医院结对"),
                ("enterprise", "企业与村结对"), ("organisation", "社会组织与村结对"),
            ), example="学校结对"),
            _c("east_party", "东部结对方", example="和平区某小学"),
            _c("west_party", "西部结对方", example="会宁县某小学"),
            _c("note", "备注", max_length=500, required=False, example=""),
            _c("since", "结对日期", "date", required=False, help="不填的视为年初已结对", example="2021-05-10"),
        ),
        search=("east_party", "west_party"),
    ),
    Ledger(
        kind="labour_placements", label="农村劳动力就业", table="ledgers_labour_placement",
        model="ledgers.LabourPlacement",
        dated_by="start_date",
        columns=(
            _c("name", "姓名", max_length=50, example="张三"),
            _c("id_number", "身份证号", "idno", help="18 位，末位校验码按 GB 11643 校验", example="620422199001011235"),
            _c("poverty_status", "人员类别", "code", choices=(
                ("poor", "脱贫"), ("monitor", "监测"), ("general", "一般"),
            ), example="脱贫"),
            _c("destination", "就业去向", "code", choices=(
                ("east", "东部结对省份"), ("local", "省内就近"), ("other", "其他地区"),
            ), example="东部结对省份"),
            _c("employer", "就业单位", required=False, example="天津某公司"),
            _c("start_date", "就业日期", "date", help="不晚于年度末；本年新增的应在本年度内", example="2023-03-01"),
            _c("new_this_year", "本年新增", "bool", help=BOOL_HELP, example=YES),
        ),
        computed=(
            # HMAC-SHA256 of the ID number with the instance's secret: units compare people by it,
            # never by the number itself.
            _c("id_hash", "身份证号密钥散列", max_length=64, logged=False),
        ),
        person_key="id_number",
        search=("name", "employer"),
    ),
    Ledger(
        kind="training_classes", label="劳务协作培训班", table="ledgers_training_class",
        model="ledgers.TrainingClass",
        dated_by="start_date",
        columns=(
            _c("name", "培训班名称", example="2023年第1期电焊工培训班"),
            _c("start_date", "开班日期", "date", in_year=True, example="2023-05-08"),
            _c("end_date", "结业日期", "date", required=False, in_year=True, example="2023-05-20"),
            _c("participants", "培训人数", "int", example="50"),
            _c("poor_participants", "其中脱贫劳动力人数", "int", example="40"),
        ),
        search=("name",),
    ),
    Ledger(
        kind="fund_projects", label="财政援助资金项目", table="ledgers_fund_project", model="ledgers.FundProject",
        dated_by="allocated_on",
        columns=(
            _c("name", "项目名称", max_length=300, example="某村肉牛养殖产业项目"),
            _c("category", "资金用途", "code", choices=(
                ("industry", "产业帮扶"), ("employment", "就业帮扶"), ("talent", "干部和人才培养"),
                ("demo", "打造乡村振兴示范典型"), ("infra", "乡村公共基础设施建设"),
                ("services", "教育、医疗等乡村基本公共服务"), ("environment", "改善乡村人居环境"),
                ("disabled", "脱贫残疾人帮扶"), ("other", "其他"),
            ), example="产业帮扶"),
            _c("sub_category", "细分用途", "code", required=False, choices=(
                ("logistics", "仓储保鲜、冷链物流"), ("roads", "资源路、产业路"),
                ("schools", "学校、幼儿园"), ("hospitals", "医院、卫生室、养老院"), ("students", "资助农村学生"),
                ("toilets", "农村改厕"), ("sewage", "农村污水处理"), ("garbage", "农村生活垃圾处置"),
            ), help="仅基础设施、公共服务、人居环境三类填写", example=""),
            _c("allocated", "已拨付资金（万元）", "money", max_plausible=Decimal(50_000), help=MONEY_HELP,
               example="120.5"),
            _c("used", "已使用资金（万元）", "money", required=False, max_plausible=Decimal(50_000),
               help=MONEY_HELP, example="100"),
            _c("status", "实施状态", "code", choices=(
                ("planned", "计划实施"), ("started", "已启动"), ("completed", "已完工"),
            ), example="已启动"),
            _c("key_county", "位于国家乡村振兴重点帮扶县", "bool", help=BOOL_HELP, example=YES),
            _c("resettlement", "位于易地扶贫搬迁集中安置区", "bool", help=BOOL_HELP, example=NO),
            _c("facilities", "建设设施数（所）", "int", required=False, example=""),
            _c("households", "受益户数", "int", required=False, example="30"),
            _c("people", "受益人数", "int", required=False, example="120"),
            _c("poor_people", "其中脱贫人口", "int", required=False, example="80"),
            _c("monitor_people", "其中监测对象", "int", required=False, example="5"),
            _c("allocated_on", "资金下达日期", "date", required=False, in_year=True,
               help="资金拨付到项目的日期；不填的只计入年度数", example="2023-03-20"),
            _c("planned_start", "计划开工日期", "date", required=False, example="2023-04-30"),
            _c("planned_completion", "计划完工日期", "date", required=False, example="2023-10-31"),
        ),
        # The project register (ledgers/projects.py) keeps these; files and forms never write them.
        computed=(
            _c("stage", "项目阶段", "code", choices=PROJECT_STAGES),
            *(_c(f"{code}_on", f"{label}日期", "date", required=False) for code, label in PROJECT_STAGES[1:]),
            _c("asset_class", "资产类别", "code", required=False, choices=(
                ("operating", "经营性资产"), ("public", "公益性资产"), ("household", "到户类资产"),
            )),
            _c("asset_owner", "资产权属单位", max_length=200, required=False),
        ),
        managed=("stage", *(f"{code}_on" for code, _ in PROJECT_STAGES[1:]), "asset_class", "asset_owner"),
        search=("name",),
    ),
    Ledger(
        kind="consumption_sales", label="消费帮扶销售", table="ledgers_consumption_sale",
        model="ledgers.ConsumptionSale",
        dated_by="date",
        columns=(
            _c("date", "销售日期", "date", in_year=True, example="2023-06-18"),
            _c("seller", "销售主体", example="会宁县某农产品公司"),
            _c("product", "产品", example="小杂粮"),
            _c("channel", "销售渠道", required=False, example="线上平台"),
            _c("buyer", "采购方", required=False, example="天津某集团"),
            _c("amount", "金额（万元）", "money", max_plausible=Decimal(20_000), help=MONEY_HELP, example="35.6"),
        ),
        search=("seller", "product", "buyer"),
    ),
    Ledger(
        kind="certified_suppliers", label="消费帮扶认定企业", table="ledgers_certified_supplier",
        model="ledgers.CertifiedSupplier",
        columns=(
            _c("name", "企业名称", example="会宁县某农产品公司"),
            _c("certified_products", "通过认定的帮扶产品数", "int",
               help="通过社会帮扶网等平台认定的帮扶产品（类）数", example="12"),
            _c("platform_supplier", "脱贫地区农副产品销售平台供应商", "bool", help=BOOL_HELP, example=YES),
            _c("poor_households", "带动脱贫户数", "int", required=False, example="23"),
            _c("poor_persons", "带动脱贫人口数", "int", required=False, example="96"),
        ),
        search=("name",),
    ),
    Ledger(
        kind="enterprises", label="引导落地企业", table="ledgers_enterprise", model="ledgers.Enterprise",
        dated_by="landed_on",
        columns=(
            _c("name", "企业名称", example="甘肃某农业发展有限公司"),
            _c("industry", "行业", max_length=100, required=False, example="农产品加工"),
            _c("planned_investment", "计划投资（万元）", "money", required=False,
               max_plausible=Decimal(1_000_000), help=MONEY_HELP, example="1600"),
            _c("actual_investment", "实际到位投资（万元）", "money", max_plausible=Decimal(1_000_000),
               help=MONEY_HELP, example="1537"),
            _c("jobs", "吸纳就业人数", "int", example="21"),
            _c("poor_jobs", "其中脱贫劳动力", "int", example="13"),
            _c("order_households", "订单生产和产品代销户数", "int", required=False, example="81"),
            _c("dividend_persons", "入股分红人数", "int", required=False, example="0"),
            _c("dividend_collectives", "入股分红村集体数", "int", required=False, example="0"),
            _c("land_transfer_households", "土地流转户数", "int", required=False, example="0"),
            _c("in_park", "入驻共建产业园区", "bool", help=BOOL_HELP, example=NO),
            _c("key_county", "位于国家乡村振兴重点帮扶县", "bool", help=BOOL_HELP, example=YES),
            _c("landed_on", "落地投产日期", "date", required=False, in_year=True,
               help="不填的只计入年度数", example="2023-06-18"),
        ),
        search=("name", "industry"),
    ),
    Ledger(
        kind="parks", label="共建产业园区", table="ledgers_park", model="ledgers.Park",
        columns=(
            _c("name", "园区名称", example="某县津甘共建现代农业科技示范园"),
            _c("agricultural", "农业产业园", "bool", help=BOOL_HELP, example=YES),
            _c("area_mu", "占地面积（亩）", "int", required=False, help="整数亩", example="316"),
            _c("planned_investment", "计划投资（万元）", "money", required=False,
               max_plausible=Decimal(1_000_000), help=MONEY_HELP, example="5400"),
            _c("aid_funds", "投入东西部协作资金（万元）", "money", required=False,
               max_plausible=Decimal(100_000), help=MONEY_HELP, example="1252"),
        ),
        search=("name",),
    ),
    Ledger(
        kind="workshops", label="帮扶车间", table="ledgers_workshop", model="ledgers.Workshop",
        dated_by="opened_on",
        columns=(
            _c("name", "车间名称", example="某村扶贫车间"),
            _c("jobs", "吸纳就业人数", "int", example="30"),
            _c("poor_jobs", "其中脱贫劳动力", "int", example="18"),
            _c("resettlement", "位于易地扶贫搬迁集中安置区", "bool", help=BOOL_HELP, example=NO),
            _c("opened_on", "建成投用日期", "date", required=False, help="不填的视为年初已投用", example="2022-09-01"),
        ),
        search=("name",),
    ),
    Ledger(
        kind="exchanges", label="干部人才交流", table="ledgers_exchange", model="ledgers.Exchange",
        dated_by="start_date",
        columns=(
            _c("name", "姓名", max_length=50, example="王五"),
            _c("direction", "方向", "code", choices=DIRECTIONS, example="东部到西部"),
            _c("kind", "类别", "code", choices=(
                ("cadre", "党政干部"), ("teacher", "教师"), ("doctor", "医生"),
                ("technician", "科技人员"), ("other", "其他专业技术人才"),
            ), example="教师"),
            _c("rank", "职级", "code", choices=(("bureau", "厅局级"), ("county", "县处级"), ("other", "其他")),
               example="其他"),
            _c("post", "挂职岗位", required=False, example="某中学副校长"),
            _c("start_date", "到岗日期", "date", example="2023-02-20"),
            _c("end_date", "离岗日期", "date", required=False, help="仍在岗的不填，按年度末计", example="2023-07-10"),
            _c("manages_cooperation", "分管（协管）东西部协作", "bool", help=BOOL_HELP, example=NO),
            _c("awarded", "受表彰奖励", "bool", help=BOOL_HELP, example=NO),
            _c("promoted", "提拔重用", "bool", help=BOOL_HELP, example=NO),
            _c("key_county", "派往国家乡村振兴重点帮扶县", "bool", help=BOOL_HELP, example=YES),
        ),
        computed=(
            _c("stay", "帮扶时长", "code", choices=(
                ("1_6", "1-6个月"), ("7_12", "7-12个月"), ("12_plus", "12个月以上"),
            )),
        ),
        search=("name", "post"),
    ),
    Ledger(
        kind="revival_trainings", label="乡村振兴培训", table="ledgers_revival_training",
        model="ledgers.RevivalTraining",
        dated_by="start_date",
        columns=(
            _c("name", "培训班名称", example="乡村振兴干部能力提升培训班"),
            _c("audience", "培训对象", "code", choices=(("cadre", "干部"), ("professional", "专业技术人才")),
               example="干部"),
            _c("start_date", "开班日期", "date", in_year=True, example="2023-06-05"),
            _c("end_date", "结业日期", "date", required=False, in_year=True, example="2023-06-09"),
            _c("participants", "培训人次", "int", example="55"),
        ),
        search=("name",),
    ),
    Ledger(
        kind="donations", label="社会帮扶捐赠", table="ledgers_donation", model="ledgers.Donation",
        dated_by="date",
        columns=(
            _c("date", "捐赠日期", "date", required=False, in_year=True, example="2023-09-10"),
            _c("donor", "捐赠方", example="和平区某商会"),
            _c("form", "捐赠形式", "code", choices=(("cash", "资金"), ("goods", "物资折款")), example="资金"),
            _c("amount", "金额（万元）", "money", max_plausible=Decimal(10_000), help=MONEY_HELP, example="12"),
            _c("recipient", "受赠方", required=False, example="某村"),
            _c("purpose", "用途", max_length=300, required=False, example="助学助困"),
        ),
        search=("donor", "recipient", "purpose"),
    ),
    Ledger(
        kind="demo_villages", label="乡村振兴示范村", table="ledgers_demo_village", model="ledgers.DemoVillage",
        columns=(
            _c("village", "村名", max_length=100, example="某某村"),
            _c("town", "所属乡镇", max_length=100, required=False, example="某某镇"),
            _c("status", "状态", "code", choices=(("planned", "计划打造"), ("started", "已启动")), example="已启动"),
            _c("funds", "安排资金（万元）", "money", required=False, max_plausible=Decimal(50_000),
               help=MONEY_HELP, example="166.8"),
            _c("focus", "发展方向", max_length=300, required=False, example="农旅融合"),
        ),
        search=("village", "town", "focus"),
    ),
)

BY_KIND: dict[str, Ledger] = {ledger.kind: ledger for ledger in LEDGERS}

# Sub-categories a fund project may have under each category (the table's ①② rows).
FUND_SUBCATEGORIES = {
    "infra": ("logistics", "roads"),
    "services": ("schools", "hospitals", "students"),
    "environment": ("toilets", "sewage", "garbage"),
}

# Columns that count part of another column of the same record (其中): (part, whole). An import
# refuses a part above its whole; the synthetic records keep within it.
PART_OF_WHOLE: tuple[tuple[str, str], ...] = (
    ("poor_participants", "participants"), ("poor_jobs", "jobs"), ("used", "allocated"),
    ("provincial_people", "people"), ("bureau_people", "people"), ("poor_people", "people"),
    ("monitor_people", "people"),
)


def ledger_of(kind: str) -> Ledger:
    from xiezuo.core.errors import NotFound

    try:
        return BY_KIND[kind]
    except KeyError:
        raise NotFound(f"没有这个台账；可用的台账：{'、'.join(x.label for x in LEDGERS)}") from None


def stay_bucket(months: int) -> str:
    """The table's length-of-stay buckets: 1–6, 7–12, more than 12 months."""
    if months <= 6:
        return "1_6"
    if months <= 12:
        return "7_12"
    return "12_plus"


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months a stay touches, counting a started month as one (3/1–8/31 = 6)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day >= start.day:
        months += 1
    return max(months, 1)
