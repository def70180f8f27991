"""Drafting 一、年度任务完成情况 from the statistics table: every figure comes from a row.

Plain Python: takes the catalogue, this year's and last year's values and a few names, returns
paragraphs with, beside each text, the list of bindings (figure as printed → row codes) so a
test or an audit can check every figure against the table.

Each paragraph is a list of sentences; a sentence is a list of clause templates. A template
names rows in braces:

    {funds_allocated}            the row's value with its unit (5590万元, 29个, 90.99%)
    {labour_east@prev}           last year's value of the row
    {labour_east+labour_local}   the sum of rows (all must have a value), in the first row's unit
    {pair_east_schools|对}        another measure word for a count
    {policy_docs}                a text row, tidied (spaces, date ranges)
    {@org} {@partner} {@year} {@prevyear}   names from the context

and square brackets mark an optional part: `[（{@prevyear}年{labour_east@prev}）]` is left out
when last year's value is missing. A clause whose rows have no value is left out; so is a
clause or optional part whose figures are all zero. A sentence with no clause left is left
out, and so on up: the draft never prints "None" and never a figure the table lacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.documents import numbers

Values = Mapping[str, Decimal | str | None]


@dataclass(frozen=True)
class Binding:
    """A figure as printed and the table rows it comes from (several when it is their sum)."""

    text: str
    codes: tuple[str, ...]
    year: int
    value: Decimal | str
    # For a figure read from a ledger record instead of a table row: "ledger:record:field".
    ledger: str = ""


@dataclass(frozen=True)
class Context:
    org_name: str
    year: int
    partner: str = "东部协作地区"

    @property
    def prev_year(self) -> int:
        return self.year - 1


@dataclass
class DraftParagraph:
    lead: str  # "工作推动部署情况。" — the run-in 1. heading, numbered when rendered
    text: str
    bindings: list[Binding]


@dataclass
class DraftPart:
    heading: str  # "组织领导" — numbered （一） when rendered
    paragraphs: list[DraftParagraph]


@dataclass
class Draft:
    heading: str
    parts: list[DraftPart]

    @property
    def bindings(self) -> list[Binding]:
        return [b for part in self.parts for p in part.paragraphs for b in p.bindings]


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Items:
    """A list of sub-items of a row taken from the catalogue ("其中：用于产业帮扶" → "用于产业帮扶3380万元").

    One level of the items' own sub-items is added in parentheses.
    """

    parent: str = ""
    codes: tuple[str, ...] = ()  # rows named explicitly instead of a parent's sub-items
    labels: tuple[str, ...] = ()  # phrases for `codes` when the printed labels read badly in prose
    relations: tuple[str, ...] = ("subset", "part")
    head: str = ""
    sep: str = "，"
    tail: str = ""
    nested: bool = True


@dataclass(frozen=True)
class LedgerItem:
    """One ledger record as the draft may list it: a name and its figures by field."""

    name: str
    key: str  # "enterprises:12" — which record, for the binding
    figures: Mapping[str, Decimal | None]


@dataclass(frozen=True)
class LedgerList:
    """Each record of a ledger, e.g. every enterprise with its investment and jobs.

    `item` is a template over the record's fields: {name}, {field|unit}; brackets are optional parts.
    """

    ledger: str
    item: str
    head: str = ""
    sep: str = "；"


Clause = str | Items | LedgerList


@dataclass(frozen=True)
class Sentence:
    clauses: tuple[Clause, ...]
    head: str = ""
    sep: str = "，"
    end: str = "。"
    # False: the clauses after the first depend on it ("其中…") and go when it goes.
    # True: each clause stands on its own (a list of destinations or pairings).
    each: bool = False


@dataclass(frozen=True)
class ParagraphSpec:
    lead: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class PartSpec:
    heading: str
    paragraphs: tuple[ParagraphSpec, ...]


def S(*clauses: Clause, head: str = "", sep: str = "，", end: str = "。", each: bool = False) -> Sentence:  # noqa: N802
    return Sentence(clauses=clauses, head=head, sep=sep, end=end, each=each)


PRIOR = "[（{@prevyear}年{%s@prev}）]"


def _with_prior(expr: str) -> str:
    return "{" + expr + "}" + PRIOR % expr


LEADER_LEVELS = ("省部级领导同志", "厅局级领导同志")

TASKS: tuple[PartSpec, ...] = (
    PartSpec("组织领导", (
        ParagraphSpec("工作推动部署情况。", (
            S("共召开{meet_party+meet_gov+meet_group}会议研究部署东西部协作工作",
              Items(codes=("meet_party", "meet_gov", "meet_group"), head="其中，", sep="、"), head="{@org}"),
            S("出台东西部协作政策文件：{policy_docs}"),
        )),
        ParagraphSpec("工作对接情况。", (
            S("东部地区到{@org}调研对接{visit_e2w}", Items(codes=("visit_e2w_prov", "visit_e2w_bureau"),
                                                      labels=LEADER_LEVELS, head="其中", sep="、")),
            S("党委政府主要负责同志调研对接：{visit_e2w_principal}"),
            S("党委政府分管负责同志调研对接：{visit_e2w_deputy}"),
            S("{@org}到东部地区调研对接{visit_w2e}", Items(codes=("visit_w2e_prov", "visit_w2e_bureau"),
                                                      labels=LEADER_LEVELS, head="其中", sep="、")),
            S("党委政府主要负责同志赴东部调研对接：{visit_w2e_principal}"),
            S("党委政府分管负责同志赴东部调研对接：{visit_w2e_deputy}"),
            S("召开高层联席会议{meet_joint}"),
        )),
        ParagraphSpec("落实帮扶主体责任情况。", (
            S("参与结对的东部县（市、区）{pair_east_counties}，帮扶西部县{pair_west_counties}"
              "[，其中脱贫县{pair_west_poor}][、国家乡村振兴重点帮扶县{pair_west_key}]"),
            S("东部经济强镇（街道）{pair_east_towns}结对帮扶乡镇{pair_west_towns}",
              "东部强村（社区）{pair_east_communities}结对帮扶村{pair_west_villages_c}",
              "东部学校{pair_east_schools}结对帮扶学校{pair_west_schools}",
              "东部医院{pair_east_hospitals}结对帮扶医院{pair_west_hospitals}",
              "东部企业{pair_east_enterprises}结对帮扶村{pair_west_villages_e}",
              "东部社会组织{pair_east_orgs}结对帮扶村{pair_west_villages_o}",
              head="{@partner}与{@org}深化结对帮扶：", sep="；", each=True),
        )),
    )),
    PartSpec("助力巩固拓展脱贫攻坚成果", (
        ParagraphSpec("组织农村劳动力就业情况。", (
            S("截至目前，帮扶农村劳动力转移就业" + _with_prior("labour_east+labour_local+labour_other"),
              "其中脱贫劳动力" + _with_prior("labour_east_poor+labour_local_poor+labour_other_poor")),
            S("在东部结对省份就业" + _with_prior("labour_east")
              + "[，其中脱贫劳动力" + _with_prior("labour_east_poor") + "]",
              "在省内就近就业" + _with_prior("labour_local")
              + "[，其中脱贫劳动力" + _with_prior("labour_local_poor") + "]",
              "在其他地区就业" + _with_prior("labour_other")
              + "[，其中脱贫劳动力" + _with_prior("labour_other_poor") + "]",
              head="按就业去向分：", sep="；", each=True),
            S("新增帮助农村劳动力到东部结对省份就业{labour_new_east}[（其中脱贫劳动力{labour_new_east_poor}）]",
              "省内就近就业{labour_new_local}[（其中脱贫劳动力{labour_new_local_poor}）]",
              "到其他地区就业{labour_new_other}[（其中脱贫劳动力{labour_new_other_poor}）]",
              head="本年度", sep="，", each=True),
            S("已在东部省份稳定就业的中西部农村劳动力{labour_stable22}[，其中脱贫劳动力{labour_stable22_poor}]"),
            S("举办劳务协作培训班{train_classes}", "培训农村劳动力{train_people}[，其中脱贫劳动力{train_poor}]",
              head="累计", each=True),
            S("到东部就读职业学校农村学生{vocational_students}[，其中毕业学生实现就业{vocational_employed}]"),
        )),
        ParagraphSpec("对国家乡村振兴重点帮扶县倾斜支持情况。", (
            S("已拨付到国家乡村振兴重点帮扶县的财政援助资金{key_funds}", "已启动实施帮扶项目{key_projects}"),
            S("向国家乡村振兴重点帮扶县选派挂职干部{key_cadres}", "选派专业技术人才{key_professionals}"),
            S("新增引导落地投产企业{key_enterprises}", "实际到位投资{key_enterprise_invest}"),
        )),
        ParagraphSpec("对易地扶贫搬迁集中安置区倾斜支持情况。", (
            S("已向易地扶贫搬迁集中安置区投入财政援助资金{resettle_funds}", "已启动实施帮扶项目{resettle_projects}"),
            S("在易地扶贫搬迁集中安置区援建帮扶车间{resettle_workshops}"
              "[，吸纳农村劳动力就业{resettle_workshop_jobs}[，其中脱贫劳动力{resettle_workshop_jobs_poor}]]"),
        )),
        ParagraphSpec("消费帮扶开展情况。", (
            S("东部省份采购、帮助销售{@org}农副产品金额{consumption_sales}"),
        )),
    )),
    PartSpec("加强区域协作", (
        ParagraphSpec("引导引进东部企业落地情况。", (
            S("新增引导落地投产企业{region_enterprises}", "实际到位投资{region_invest}",
              "实施产业项目{region_projects}",
              "吸纳农村劳动力就业{region_jobs}[，其中脱贫劳动力{region_jobs_poor}]"),
            S(LedgerList("enterprises", "{name}实际到位投资{actual_investment|万元}，吸纳就业{jobs|人}"
                         "[，其中脱贫劳动力{poor_jobs|人}]", head="分别是：")),
        )),
        ParagraphSpec("产业园区共建情况。", (
            S("共建产业园区{parks}[，其中农业产业园{parks_agri}]", "引导入驻园区企业{park_enterprises}",
              "入园企业实际到位投资{park_invest}",
              "吸纳农村劳动力就业{park_jobs}[，其中脱贫劳动力{park_jobs_poor}]"),
        )),
        ParagraphSpec("帮扶车间建设情况。", (
            S("援建帮扶车间{workshops}", "吸纳农村劳动力就业{workshop_jobs}[，其中脱贫劳动力{workshop_jobs_poor}]"),
        )),
    )),
    PartSpec("推进乡村振兴", (
        ParagraphSpec("挂职干部、专技人才选派交流情况。", (
            S("{@partner}选派党政干部{cadre_e2w}到{@org}挂职",
              Items("cadre_e2w", head="其中", sep="、")),
            S("{@org}选派党政干部{cadre_w2e}到东部挂职交流", Items("cadre_w2e", head="其中", sep="、")),
            S("东部挂职干部分管（协管）东西部协作工作{cadre_manage}"),
            S("受表彰奖励挂职干部{cadre_awarded}", "提拔重用挂职干部{cadre_promoted}", each=True),
            S("东部选派专业技术人才{pro_e2w}到{@org}帮扶", Items("pro_e2w", head="其中", sep="、")),
            S("{@org}选派专业技术人才{pro_w2e}到东部交流"),
            S("举办乡村振兴干部培训班{cadre_train_classes}", "培训干部{cadre_train_people}"),
            S("举办乡村振兴专业技术人才培训班{pro_train_classes}", "培训专业技术人才{pro_train_people}"),
        )),
        ParagraphSpec("帮扶项目对接和资金管理情况。", (
            S("{@year}年{@partner}已拨付到位财政援助资金{funds_allocated}",
              "计划实施帮扶项目{projects_planned}", "已启动实施{projects_started}",
              "实际完工{projects_completed}"),
            S("已使用财政援助资金{funds_used}", "资金使用比例{funds_use_ratio}"),
            S(Items("funds_allocated", head="按用途分：", sep="；")),
        )),
        ParagraphSpec("社会帮扶资金投入情况。", (
            S("动员社会力量投入帮扶资金{social_funds}", "动员社会力量捐物折款{social_goods}"),
        )),
        ParagraphSpec("打造乡村振兴示范村情况。", (
            S("计划帮助打造乡村振兴示范典型{demo_planned}", "已启动打造{demo_started}"),
        )),
    )),
)

# --- rendering -----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}0-9])\s+(?=[{CJK}])|(?<=[{CJK}])\s+(?=[{CJK}0-9])")
ENTRY_BREAK = re.compile(rf"(?<=[{CJK}])\s+(?=\d{{1,2}}月\d{{1,2}}日)")
NUMBER_RANGE = re.compile(r"(?<=\d)\s*-\s*(?=\d)")
DATE_RANGE = re.compile(r"(\d{1,2})月(\d{1,2})日\s*[-－—~～至]+\s*(?:(\d{1,2})月)?(\d{1,2})日")
LABEL_MARKERS = re.compile(r"^(其中：|其中:|[①-⑳]|\d+\.\s*|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)\s*)+")


class _Missing(Exception):
    """A row named by a template has no value: the enclosing clause or optional part is dropped."""


def tidy_text(text: str) -> str:
    """A text row in prose: no spaces around Chinese, date ranges as 4月18日—19日, no final stop."""
    # Several entries typed on one line ("… 县委书记 10月23日，…") become a list.
    text = ENTRY_BREAK.sub("；", text.strip())
    text = SPACE_NEAR_CJK.sub("", text)

    def as_range(m: re.Match[str]) -> str:
        m1, d1, m2, d2 = int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(1)), int(m.group(4))
        head = f"{m1}月{d1}日"
        if m1 == m2:
            return f"{head}{numbers.RANGE_DASH}{d2}日" if d1 != d2 else head
        return f"{head}{numbers.RANGE_DASH}{m2}月{d2}日"

    text = DATE_RANGE.sub(as_range, text)
    return text.rstrip("。；;，, ")


def label_phrase(label: str) -> str:
    """A row label as a phrase in a sentence: "①帮扶 1-6 个月" → "帮扶1-6个月"."""
    phrase = SPACE_NEAR_CJK.sub("", LABEL_MARKERS.sub("", label.strip())).strip()
    return NUMBER_RANGE.sub(numbers.RANGE_DASH, phrase)


@dataclass
class _Renderer:
    catalogue: Catalogue
    values: Values
    prev: Values
    context: Context
    ledgers: Mapping[str, Sequence[LedgerItem]] = field(default_factory=dict)
    record: LedgerItem | None = None  # the ledger record a LedgerList is rendering
    bindings: list[Binding] = field(default_factory=list)
    figures: list[Decimal] = field(default_factory=list)

    # A template fragment renders to text, or raises _Missing; bindings collect as it goes.
    def template(self, text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "[":
                depth, j = 1, i + 1
                while depth:
                    depth += {"[": 1, "]": -1}.get(text[j], 0)
                    j += 1
                out.append(self.optional(text[i + 1 : j - 1]))
                i = j
            elif ch == "{":
                j = text.index("}", i)
                out.append(self.placeholder(text[i + 1 : j]))
                i = j + 1
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    def optional(self, text: str) -> str:
        """Render an optional part; drop it (and its bindings) if a row is missing or all are zero."""
        mark_b, mark_f = len(self.bindings), len(self.figures)
        try:
            rendered = self.template(text)
        except _Missing:
            rendered = None
        figures = self.figures[mark_f:]
        if rendered is None or (figures and all(f == 0 for f in figures)):
            del self.bindings[mark_b:], self.figures[mark_f:]
            return ""
        return rendered

    def placeholder(self, spec: str) -> str:
        if self.record is not None:
            return self.record_field(spec)
        if spec.startswith("@"):
            return {
                "@org": self.context.org_name,
                "@partner": self.context.partner,
                "@year": str(self.context.year),
                "@prevyear": str(self.context.prev_year),
            }[spec]
        expr, _, measure = spec.partition("|")
        expr, _, when = expr.partition("@")
        values, year = (self.prev, self.context.prev_year) if when == "prev" else (self.values, self.context.year)
        codes = tuple(c.strip() for c in expr.split("+"))
        rows = [self.catalogue.by_code[c] for c in codes]
        got = [values.get(c) for c in codes]
        if any(v is None or v == "" for v in got):
            raise _Missing(expr)
        first: Row = rows[0]
        if first.value_kind == "text":
            text = tidy_text(str(got[0]))
            self.bindings.append(Binding(text=text, codes=codes, year=year, value=str(got[0])))
            return text
        total = sum((Decimal(v) for v in got), Decimal(0))  # type: ignore[arg-type]
        printed = numbers.figure(total, measure or first.unit, first.places)
        self.bindings.append(Binding(text=printed, codes=codes, year=year, value=total))
        self.figures.append(total)
        return printed

    def items(self, spec: Items) -> str:
        codes = spec.codes or tuple(
            r.code for r in self.catalogue.sub_items(spec.parent) if r.relation in spec.relations
        )
        parts = []
        for index, code in enumerate(codes):
            row = self.catalogue.by_code.get(code)
            if row is None or not row.is_numeric:
                continue
            phrase = spec.labels[index] if index < len(spec.labels) else label_phrase(row.label)
            inner = ""
            if spec.nested:
                subs = [r for r in self.catalogue.sub_items(code) if r.is_numeric]
                inner_items = [self.optional(f"{label_phrase(r.label)}{{{r.code}}}") for r in subs]
                inner_items = [x for x in inner_items if x]
                if inner_items:
                    among = "其中" if all(r.relation in ("subset", "part") for r in subs) else ""
                    inner = f"（{among}{'，'.join(inner_items)}）"
            rendered = self.optional(f"{phrase}{{{code}}}")
            if rendered:
                parts.append(rendered + inner)
        if not parts:
            raise _Missing(spec.parent or "+".join(spec.codes))
        return spec.head + spec.sep.join(parts) + spec.tail

    def ledger_list(self, spec: LedgerList) -> str:
        records = self.ledgers.get(spec.ledger) or []
        parts = []
        for record in records:
            self.record = record
            try:
                rendered = self.optional(spec.item)
            finally:
                self.record = None
            if rendered:
                parts.append(rendered)
        if not parts:
            raise _Missing(spec.ledger)
        return spec.head + spec.sep.join(parts)

    def record_field(self, spec: str) -> str:
        """{name} or {field|unit} of the ledger record being listed."""
        assert self.record is not None
        name, _, unit = spec.partition("|")
        if name == "name":
            return self.record.name
        value = self.record.figures.get(name)
        if value is None:
            raise _Missing(name)
        printed = numbers.figure(value, unit)
        self.bindings.append(Binding(text=printed, codes=(), year=self.context.year, value=value,
                                     ledger=f"{self.record.key}:{name}"))
        self.figures.append(value)
        return printed

    def clause(self, clause: Clause) -> str | None:
        if isinstance(clause, LedgerList):
            mark_b, mark_f = len(self.bindings), len(self.figures)
            try:
                return self.ledger_list(clause)
            except _Missing:
                del self.bindings[mark_b:], self.figures[mark_f:]
                return None
        if isinstance(clause, Items):
            mark_b, mark_f = len(self.bindings), len(self.figures)
            try:
                return self.items(clause)
            except _Missing:
                del self.bindings[mark_b:], self.figures[mark_f:]
                return None
        rendered = self.optional(clause)
        return rendered or None

    def sentence(self, spec: Sentence) -> str | None:
        mark_b, mark_f = len(self.bindings), len(self.figures)
        rendered = [self.clause(x) for x in spec.clauses]
        if not spec.each and rendered and rendered[0] is None:
            del self.bindings[mark_b:], self.figures[mark_f:]
            return None
        clauses = [c for c in rendered if c]
        if not clauses:
            return None
        head = self.template(spec.head) if spec.head else ""
        return head + spec.sep.join(clauses) + spec.end


def draft_tasks(
    catalogue: Catalogue, values: Values, prev: Values, context: Context, *, specs: Sequence[PartSpec] = TASKS,
    ledgers: Mapping[str, Sequence[LedgerItem]] | None = None,
) -> Draft:
    """一、年度任务完成情况 from the table: parts and paragraphs without any data are left out."""
    parts = []
    for part in specs:
        paragraphs = []
        for para in part.paragraphs:
            renderer = _Renderer(catalogue=catalogue, values=values, prev=prev, context=context, ledgers=ledgers or {})
            sentences = [s for s in (renderer.sentence(x) for x in para.sentences) if s]
            if sentences:
                paragraphs.append(DraftParagraph(lead=para.lead, text="".join(sentences), bindings=renderer.bindings))
        if paragraphs:
            parts.append(DraftPart(heading=part.heading, paragraphs=paragraphs))
    return Draft(heading="年度任务完成情况", parts=parts)
