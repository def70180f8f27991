"""Extract the figures of a report: value, unit, the phrase and entity they belong to, structure.

Plain Python over a `reader.Document`. Structure recognised, in the ways reports phrase it:
  其中 sub-figures (其中脱贫户 14 人; 其中：A 4 次、B 1 次), breakdowns in parentheses
  (19 人（1-6 个月 7 人、…）), breakdowns after 按…分布：, comparisons with another year in
  parentheses ((2022年2625人)), totals after 共计/合计/总计/累计, counted lists after
  分别是/分别为, figures with 余/多/约/以上 (approximate or bounds), and the entity (company,
  village, school…) a clause is about.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from xiezuo.audit import clauses
from xiezuo.audit.numerals import (
    COUNT_UNITS,
    OTHER_UNITS,
    RATE_UNITS,
    UNIT_FAMILY,
    family,
    parse_number,
    to_base,
)
from xiezuo.audit.reader import Block, Document

AR_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
CN_NUM = r"负?[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+(?:点[零〇一二三四五六七八九]+)?"
_UNITS = sorted({*UNIT_FAMILY, *OTHER_UNITS, *RATE_UNITS} - {"万元", "亿元", "千元", "万人", "万户", "万亩",
                                                              "万人次"}, key=len, reverse=True)
FIGURE_RE = re.compile(
    rf"百分之(?P<pnum>{CN_NUM})|"
    rf"(?P<num>{AR_NUM}|{CN_NUM})\s*(?P<approx>余|多)?\s*(?P<mult>万|亿|千)?\s*"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})"
)
# Unit followed by these is another word: 6 个月, 项目, 种植, 名片, 一对一, 位置 …
_NOT_AFTER = {
    "个": "月", "项": "目", "种": "植子苗养类", "名": "片称单誉牌义", "对": "一多接口象比于标照", "位": "置于列",
    "场": "所地景馆", "家": "庭长属乡", "班": "级主子长", "条": "件例", "次": "序", "期": "间待盼望",
    "人": "民员才工", "所": "需求在属有以", "处": "理置长", "台": "阶账", "批": "准示复",
    "米": "面粉", "件": "事", "间": "隔", "类": "型别",
}
DELIMS = "，,。；;：:、（()）！？!?"
SENTENCE_END = "。！？!?"
YEAR_RE = re.compile(r"(20\d{2}|19\d{2})\s*年(?!\s*\d{1,2}\s*月)(度)?")
PREV_RE = re.compile(r"上年|去年|上一年|同期|上年度")
QIZHONG_RE = re.compile(r"其中[，,：:]?")
BREAKDOWN_RE = re.compile(r"按[^，。；：]{1,12}?(?:分布|划分|分类|分)[：:]")
TOTAL_RE = re.compile(r"(?:共计|合计|总计|累计)")
LIST_RE = re.compile(r"分别(?:是|为|有)[：:]?|[：:]")
CLAIM_UP = "超出|超过|高于|多于|增加|增长|提高|提升|上升|增多"
CLAIM_DOWN = "低于|少于|减少|下降|降低|减少|回落"
STRIP_PREFIX = re.compile(
    r"^(?:其中|共计|合计|总计|累计|全年|当年|年度|截至目前|截止目前|目前|今年|本年|共|总共|另外|同时|、)+"
)
STRIP_SUFFIX = re.compile(
    r"(?:共计|合计|总计|累计|共有|共|达到了|达到|达|为|是|约|近|逾|超过|实现|完成|有|计|了|仅|只|已|到)+$"
)
DELTA_SUFFIX = re.compile(r"(?:增加|增长|减少|下降|提高|降低|多|少|增|减)了?$")
BOUND_AFTER = re.compile(r"^\s*(以上|以下|以内|及以上|左右|多|余)")
APPROX_BEFORE = re.compile(r"((?<![签合预节公条制契])约|(?<![就接最附靠将])近|逾|超过|将近|大约|接近|不少于|不低于|至少)\s*$")

_WS = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_POST_CUT = re.compile(r"在|到|赴|于|用于|为|的|成为|通过|开展|参加|进行|完成|实现|获得")
_QZ_IN = re.compile(r"其中[，,：:\s]*[^，。；]*$")
_QZ_BEFORE = re.compile(r"其中[，,：:\s]*$")
_QUOTES = re.compile(r"[*“”\"'《》]")

# Entities: what a clause is about. Kind → name suffixes.
ENTITY_SUFFIXES = {
    "company": ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团"),
    "coop": ("专业合作社", "合作社"),
    "school": ("中学", "小学", "学校", "幼儿园", "职教中心"),
    "hospital": ("人民医院", "卫生院", "医院"),
}
ENTITY_TRIGGERS = ("引进落地", "招商引进", "引进", "落地", "引导", "支持", "通过", "联合", "协调", "依托", "帮助",
                   "其中", "分别是", "分别为", "包括", "为", "是", "与", "及", "由", "把", "将", "对", "向", "给",
                   "在", "带动", "推动", "促成", "组织", "邀请", "同", "共同", "均", "使", "让", "以", "从", "了", "来", "到",
                   "完成", "加快", "帮扶", "设")
NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·]")
VILLAGE_RE = re.compile(r"(?:^|(?<=[镇乡])|(?<=[，,。；;：:、（(\s“]))([\u4e00-\u9fff]{2,4})村(?![集民委级落庄干组两社部务企镇振])")
VILLAGE_STOP = ("乡村", "农村", "示范", "振兴", "脱贫", "贫困", "重点", "结对", "帮扶", "行政", "共建", "本", "该", "各",
                "全", "每", "一", "的", "和美", "美丽", "新", "富裕", "康养", "建设", "打造", "少数", "易地", "搬迁",
                "集体", "企", "城")
VILLAGE_LEAD = ("打造", "建设", "创建", "建成", "成为", "发展", "推进", "形成", "培育", "用于", "在", "到", "和", "与")


@dataclass(frozen=True)
class Entity:
    name: str
    kind: str
    start: int
    end: int


@dataclass
class Figure:
    id: int
    value: Decimal  # in the unit written
    unit: str  # as written: 万元, 人, 亿元, %…
    start: int
    end: int
    block: int
    text: str  # the figure as written
    pre: str  # label before the number in its clause, cleaned
    post: str  # noun after the measure word (6 家[企业落地]), cleaned
    phrase: str  # the clause, for people
    clause_start: int
    clause_end: int
    sentence_start: int
    sentence_end: int
    heading: tuple[str, ...]
    depth: int  # parenthesis depth
    year: int | None = None
    prev_year: bool = False  # 上年/去年/同期
    approx: str | None = None  # about | at_least | at_most
    delta: bool = False  # 增加 16 人: a change, not a level
    chinese: bool = False
    qizhong: bool = False  # introduced by 其中
    entity: Entity | None = None
    parent: int | None = None
    relation: str | None = None  # child | part | comparison | implied
    tentative: bool = False  # a 其中 child inferred across commas, kept only if it adds up
    subject: str | None = None  # relocation | park | project: what its sentence is about (clauses.py)
    scope: str | None = None  # new | cumulative: the scope word stated or carried to it
    side: str | None = None  # e2w | w2e: who acts, set when figures are mapped
    row: str | None = None
    row_confidence: float = 0.0
    row_candidates: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return family(self.unit)

    @property
    def base(self) -> Decimal:
        return to_base(self.value, self.unit)

    @property
    def label(self) -> str:
        return (self.pre + self.post) if self.pre or self.post else ""

    @property
    def is_level(self) -> bool:
        """A plain stated quantity: not a bound, not a change, not another year."""
        return not self.delta and self.approx not in ("at_least", "at_most") and not self.is_other_year

    @property
    def is_other_year(self) -> bool:
        return self.prev_year or self.relation == "comparison"


@dataclass
class CountedList:
    """「… 5 家，分别是 A、B、C、D」: a stated count and the items actually listed."""

    count: Figure
    items: list[tuple[str, int, int]]  # (text, start, end)
    start: int
    end: int
    partial: bool  # ends with 等: the list does not claim to be complete
    before: bool = False  # the count follows its list (A、B两所学校; …大田试验区六大功能区)


@dataclass
class Total:
    """「共计实际投资额 6907 万元」: a total whose parts are the earlier items of its paragraph."""

    figure: Figure
    parts: list[Figure]
    items: int  # how many ；-separated items the parts were drawn from


@dataclass
class Claim:
    """「…均超出2022年度」: a stated direction of change against another year."""

    direction: str  # up | down
    subjects: list[str]
    start: int
    end: int
    sentence_start: int
    block: int
    percent: Figure | None = None
    delta: Figure | None = None


@dataclass
class Extraction:
    document: Document
    figures: list[Figure] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    lists: list[CountedList] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    report_year: int | None = None
    west_names: tuple[str, ...] = ()  # the unit's own names, once known (set by the audit)

    _kids: dict[int, list[Figure]] | None = field(default=None, repr=False)

    def children(self, fig: Figure, relation: str | None = None) -> list[Figure]:
        # Built once after extraction; structure is final by the time anything asks.
        if self._kids is None:
            self._kids = {}
            for f in self.figures:
                if f.parent is not None:
                    self._kids.setdefault(f.parent, []).append(f)
        return [f for f in self._kids.get(fig.id, []) if relation is None or f.relation == relation]

    def by_id(self, fid: int) -> Figure:
        return self.figures[fid]


def _clean(label: str) -> str:
    label = _WS.sub("", label)
    label = _QUOTES.sub("", label)
    label = YEAR_RE.sub("", label)
    for _ in range(3):
        new = STRIP_SUFFIX.sub("", STRIP_PREFIX.sub("", label))
        if new == label:
            break
        label = new
    return label


def _paren_depths(text: str) -> list[int]:
    depths = []
    d = 0
    for ch in text:
        if ch in "（(":
            d += 1
            depths.append(d)
            continue
        depths.append(d)
        if ch in "）)" and d > 0:
            d -= 1
    return depths


def _around(positions: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """The span between the delimiter before `start` and the one at or after `end`."""
    i = bisect.bisect_left(positions, start) - 1
    j = bisect.bisect_left(positions, end)
    return (positions[i] + 1 if i >= 0 else 0), (positions[j] if j < len(positions) else length)


def _last_delim(text: str, end: int, floor: int, delims: str = DELIMS) -> int:
    i = end - 1
    while i >= floor:
        if text[i] in delims:
            return i + 1
        i -= 1
    return floor


def _next_delim(text: str, start: int, ceil: int, delims: str = DELIMS) -> int:
    i = start
    while i < ceil:
        if text[i] in delims:
            return i
        i += 1
    return ceil


def extract(document: Document, *, report_year: int | None = None) -> Extraction:
    ex = Extraction(document=document, report_year=report_year or _guess_year(document))
    for index, block in enumerate(document.blocks):
        if block.kind != "para":
            continue
        _extract_block(ex, index, block)
    return ex


def _guess_year(document: Document) -> int | None:
    head = document.text[:3000]
    m = re.search(r"(20\d{2})\s*年度?[^。\n]{0,30}自评报告", head) or re.search(r"(20\d{2})\s*年度", head)
    return int(m.group(1)) if m else None


def _extract_block(ex: Extraction, bindex: int, block: Block) -> None:
    text = ex.document.text
    b0, b1 = block.start, block.end
    seg = text[b0:b1].replace("\n", " ")  # a line break inside a paragraph is a wrap, not a delimiter
    depths = _paren_depths(seg)
    entities = _entities(seg, b0)
    ex.entities.extend(entities)
    figs: list[Figure] = []
    prev_end = 0
    # Where clauses and sentences end, found once per paragraph rather than scanned per figure.
    clause_at = [i for i, ch in enumerate(seg) if ch in DELIMS]
    sentence_at = [i for i, ch in enumerate(seg) if ch in SENTENCE_END or ch in "；;"]
    for m in FIGURE_RE.finditer(seg):
        s, e = m.start(), m.end()
        if m.group("pnum"):
            num, unit, mult = m.group("pnum"), "%", ""
        else:
            num, unit, mult = m.group("num"), m.group("unit"), m.group("mult") or ""
        chinese = not num[0].isdigit()
        if num in ("一", "壹"):
            continue  # 一个、一批… are words, not figures
        if chinese and not mult and len(num) > 1 and num[-1] in "万亿" and num[-1] + unit in UNIT_FAMILY \
                and "亿" not in num[:-1] and (num[-1] == "亿" or "万" not in num[:-1]):
            num, mult = num[:-1], num[-1]  # 五千万元: 5000 万元, as written
        nxt = seg[e:e + 1]
        if unit in _NOT_AFTER and nxt and nxt in _NOT_AFTER[unit]:
            continue
        before = seg[s - 1] if s else ""
        if before in "第-—～~/" or (before.isascii() and before.isalnum()):
            continue
        if chinese:
            if before in "第周每初":
                continue
            value = parse_number(num)
            if value is None:
                continue
        else:
            value = parse_number(num)
            if value is None:
                continue
        written_unit = mult + unit
        if mult and written_unit not in UNIT_FAMILY:
            # 73.1万人 is kept as 万人; 5万个 becomes 50000 个.
            factor = {"万": 10_000, "亿": 100_000_000, "千": 1000}[mult]
            value, written_unit = value * factor, unit
        approx = None
        after = seg[e:e + 6]
        bound = BOUND_AFTER.match(after)
        if m.group("approx") and not m.group("pnum"):
            approx = "at_least"
        if bound:
            word = bound.group(1)
            approx = {"以上": "at_least", "及以上": "at_least", "多": "at_least", "余": "at_least",
                      "以下": "at_most", "以内": "at_most", "左右": "about"}[word]
        if APPROX_BEFORE.search(seg[max(0, s - 4):s]):
            approx = approx or ("at_least" if re.search(r"(逾|超过|超|不少于|不低于|至少)\s*$",
                                                         seg[max(0, s - 4):s]) else "about")
        clause_s, clause_e = _around(clause_at, s, e, len(seg))
        sent_s, sent_e = _around(sentence_at, s, e, len(seg))
        pre_raw = seg[max(clause_s, prev_end):s]
        post_raw = ""
        if e < len(seg) and _HAN.match(seg[e]):
            stop = _around(clause_at, s, e, len(seg))[1]
            nm = FIGURE_RE.search(seg, e, stop)
            post_raw = seg[e:nm.start() if nm else stop]
            post_raw = _POST_CUT.split(post_raw)[0]
        year = None
        prev_year = False
        ctx = seg[clause_s:s]
        ym = list(YEAR_RE.finditer(ctx))
        if ym:
            year = int(ym[-1].group(1))
        if PREV_RE.search(ctx):
            prev_year = True
        pre = _clean(pre_raw)
        delta = bool(DELTA_SUFFIX.search(_WS.sub("", pre_raw))) and not pre_raw.strip().endswith("增加值")
        if pre == "" and figs and figs[-1].end - b0 >= s - 2 and seg[figs[-1].end - b0:s].strip() == "":
            pre = figs[-1].pre  # 998户4248人: the second figure shares the first one's label
        fig = Figure(
            id=len(ex.figures) + len(figs), value=value, unit=written_unit, start=b0 + s, end=b0 + e,
            block=bindex, text=seg[s:e], pre=pre, post=_clean(post_raw),
            phrase=_WS.sub("", seg[clause_s:clause_e]), clause_start=b0 + clause_s,
            clause_end=b0 + clause_e, sentence_start=b0 + sent_s, sentence_end=b0 + sent_e,
            heading=block.heading, depth=depths[s], year=year, prev_year=prev_year, approx=approx,
            delta=delta, chinese=chinese,
        )
        fig.qizhong = bool(_QZ_IN.search(seg[clause_s:s])) or bool(
            _QZ_BEFORE.search(seg[max(0, clause_s - 4):clause_s]))
        fig.entity = _entity_for(entities, fig, seg, b0)
        figs.append(fig)
        prev_end = e
    ex.figures.extend(figs)
    _pass_context(ex, figs, seg, b0)
    _structure(ex, figs, seg, b0, depths)
    _counted_lists(ex, figs, seg, b0)
    _counted_after(ex, figs, seg, b0, block.heading)
    _totals(ex, figs, seg, b0)
    _claims(ex, bindex, seg, b0, figs)


# ---------------------------------------------------------------- clause context

def _pass_context(ex: Extraction, figs: list[Figure], seg: str, b0: int) -> None:
    """Subject and scope of every figure, from its clause and the clauses before it in its sentence."""
    if not figs:
        return
    text = ex.document.text
    cl = clauses.split(seg, b0)
    clauses.carry_subject(cl, text)
    inherited: list[str | None] = []
    current: str | None = None
    sentence = -1
    for c in cl:  # the scope each clause inherits from the clauses before it
        if c.sentence != sentence:
            current, sentence = None, c.sentence
        inherited.append(current)
        current = clauses.scope_before(text[c.start:c.end]) or current
    starts = [c.start for c in cl]
    for f in figs:
        i = bisect.bisect_right(starts, f.start) - 1
        if i < 0:
            continue
        c = cl[i]
        f.subject = c.subject
        f.scope = clauses.scope_before(text[c.start:f.start]) or inherited[i]


# ---------------------------------------------------------------- entities

def _entities(seg: str, b0: int) -> list[Entity]:
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, suffixes in ENTITY_SUFFIXES.items():
        pattern = "|".join(re.escape(s) for s in suffixes)
        for m in re.finditer(pattern, seg):
            end = m.end()
            if any(a <= m.start() < b for a, b in taken):
                continue
            # Walk left over name characters; a （…） pair may sit inside a name.
            i = m.start()
            while i > 0 and NAME_CHAR.match(seg[i - 1]) and m.start() - i < 30:
                if seg[i - 1] in "（(":
                    break
                if seg[i - 1] in "）)":
                    j = max(seg.rfind("（", 0, i - 1), seg.rfind("(", 0, i - 1))
                    if j < 0 or i - j > 12:
                        break
                    i = j
                    continue
                if any(a < i <= b for a, b in taken):
                    break
                i -= 1
            name = seg[i:end]
            # Cut at the last verb or preposition that introduces the name.
            cut = 0
            for t in ENTITY_TRIGGERS:
                k = name.rfind(t, 0, len(name) - len(m.group()) - 1)
                if k >= 0 and k + len(t) > cut and len(name) - (k + len(t)) >= len(m.group()) + 2:
                    cut = k + len(t)
            name = name[cut:]
            k = name.rfind("的")
            if k >= 0:
                name = name[k + 1:]
            core = name[: -len(m.group())]
            if len(core) < 2 or re.search(r"\d", core) or core in ("该", "本", "各", "此"):
                continue
            if kind in ("school", "hospital") and not re.match(r"^[\u4e00-\u9fff]{2,5}?[省市县区州镇乡]", core):
                continue  # 帮扶学校、两所学校: a common noun, not a name
            start = b0 + i + cut + (len(seg[i + cut:end]) - len(name))
            found.append(Entity(name=name, kind=kind, start=start, end=b0 + end))
            taken.append((start - b0, end))
    for m in VILLAGE_RE.finditer(seg):
        base = m.group(1)
        for lead in VILLAGE_LEAD:
            if base.startswith(lead) and len(base) - len(lead) >= 2:
                base = base[len(lead):]
        if any(w in base + "村" for w in VILLAGE_STOP) or base[-1] in "农乡县":
            continue
        end = m.end()
        start = end - len(base) - 1
        if any(a <= start - b0 < b for a, b in taken) or any(a <= start < b for a, b in taken):
            continue
        found.append(Entity(name=base + "村", kind="village", start=b0 + start, end=b0 + end))
    found.sort(key=lambda e: e.start)
    return found


def _entity_for(entities: list[Entity], fig: Figure, seg: str, b0: int) -> Entity | None:
    """The entity named before the figure in the same ；/。-delimited item, if any."""
    lo = fig.sentence_start
    best = None
    for ent in entities:
        if lo <= ent.start and ent.end <= fig.start:
            best = ent
    if best is None:
        return None
    # A list of several entities (A村、B村建立示范点2个) is about all of them, not one.
    between = seg[best.end - b0: fig.start - b0]
    if between.startswith(("、", "和", "及")):
        return None
    prev = [e for e in entities if lo <= e.start < best.start and e.kind == best.kind]
    if prev and seg[prev[-1].end - b0: best.start - b0].strip() in ("、", "和", "及", "与", ""):
        return None
    return best


# ---------------------------------------------------------------- structure

def _same_kind(a: Figure, b: Figure) -> bool:
    if a.family != b.family or a.family.startswith(("other:", "rate")):
        return a.unit == b.unit and not a.family.startswith("rate")
    if a.family == "count":
        return a.unit == b.unit or (a.unit in COUNT_UNITS and b.unit in COUNT_UNITS)
    return True


def _structure(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """Structure passes, in order: each reads what the earlier ones decided."""
    if not figs:
        return
    for step in (_pass_comparisons, _pass_qizhong, _pass_implied_children, _pass_paren_breakdowns,
                 _pass_colon_breakdowns, _pass_all_of):
        step(ex, figs, seg, b0, depths)


def _pass_comparisons(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """Comparisons with another year, in parentheses: 2641人(2022年2625人)."""
    for f in figs:
        if f.depth == 0:
            continue
        open_at = max(seg.rfind("（", 0, f.start - b0), seg.rfind("(", 0, f.start - b0))
        inner = seg[open_at + 1: f.start - b0]
        if f.year is None and not re.search(r"[\d\u4e00-\u9fff]", inner):
            # 较2022年（3,100人）: the year stands just before the parenthesis.
            ym = YEAR_RE.search(seg[max(0, open_at - 8):open_at])
            if ym and (ex.report_year is None or int(ym.group(1)) != ex.report_year):
                f.year = int(ym.group(1))
            elif PREV_RE.search(seg[max(0, open_at - 6):open_at]):
                f.prev_year = True
        if f.year is not None and (ex.report_year is None or f.year != ex.report_year) or PREV_RE.search(inner) \
                or f.prev_year:
            # The figure compared is a level, never the change (较上年增加150人（上年3200人）).
            cands = [g for g in figs if g.end <= f.start and _same_kind(g, f) and g.relation != "comparison"
                     and g.start > b0 + open_at - 80 and not g.delta]
            inside = [g for g in cands if g.start > b0 + open_at]
            target = inside[-1] if inside else (cands[-1] if cands else None)
            if target is None or target.sentence_start != f.sentence_start:
                target = _compared_by_subject(figs, f, seg, b0, open_at) or target
            f.relation = "comparison"
            f.prev_year = f.prev_year or f.year is None
            if target is not None:
                f.parent = target.id
                if f.year is None and ex.report_year:
                    f.year = ex.report_year - 1


def _referent_before(figs: list[Figure], kid: Figure, seg: str, b0: int, sent_lo: int, q: int) -> Figure | None:
    """「拨付资金12860万元，已使用11574万元。资金主要用于…，其中用于产业帮扶7210万元」: a 其中 in a
    sentence with no figure before it breaks down the quantity its subject names in the sentence
    before — the first figure there whose label shares the subject's noun."""
    subject = _bigrams(re.sub(r"\s+", "", seg[sent_lo - b0:q - b0])[:4])
    prev_lo = b0 + _last_delim(seg, sent_lo - b0 - 1, 0, SENTENCE_END) if sent_lo > b0 else b0
    for g in figs:
        if prev_lo <= g.start < sent_lo and _same_kind(g, kid) and g.is_level and g.depth == 0 \
                and g.relation not in ("comparison", "child") and subject & _bigrams(g.pre + g.post):
            return g
    return None


def _compared_by_subject(figs: list[Figure], f: Figure, seg: str, b0: int, open_at: int) -> Figure | None:
    """「转移就业规模较上年增加了600人（上年11845人）」: the level compared is named by the words
    before 较/比/同比, stated earlier in the paragraph."""
    clause = seg[f.sentence_start - b0:open_at]
    m = re.search(r"([\u4e00-\u9fff]{2,14}?)(?:较|比|同比|与)", clause)
    if not m:
        return None
    subject = _bigrams(m.group(1))
    best, score = None, 1
    for g in figs:
        if g.end > f.start or g.relation == "comparison" or g.delta or not _same_kind(g, f) or not g.is_level:
            continue
        s = len(subject & _bigrams(g.pre + g.post))
        if s >= score:
            best, score = g, s
    return best


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _pass_qizhong(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """其中 runs."""
    for m in QIZHONG_RE.finditer(seg):
        q = b0 + m.start()
        after = [f for f in figs if f.start >= q + 2 and f.relation is None]
        if not after:
            continue
        first = after[0]
        if first.sentence_start > q + 4 and not (first.clause_start <= q + 4):
            continue
        qdepth = depths[m.start()]
        sentence_initial = m.start() == 0 or seg[:m.start()].rstrip()[-1:] in "。；;（(：:" or \
            seg[:m.start()].rstrip().endswith(("，（", ",("))
        sent_lo = b0 + _last_delim(seg, m.start(), 0, SENTENCE_END + "\n")
        # Figures of the run: from 其中 to the end of the sentence, at the 其中's depth.
        run_end = b0 + _next_delim(seg, m.end(), len(seg), SENTENCE_END + "\n" + ("）)" if qdepth else ""))
        run = [f for f in after if f.start < run_end and f.depth == qdepth and f.relation is None
               and f.is_level or (f.start < run_end and f.depth == qdepth and f.approx == "about")]
        run = [f for f in run if f.relation is None]
        if not run:
            continue
        first_fams = {first.family}
        # The run continues over 、 and ； for sure; over ， only tentatively; it stops at a
        # figure of another kind, at a new entity, or at another 其中.
        chosen: list[tuple[Figure, bool]] = []
        last_clause = first.clause_start
        seen_fams: set[str] = set()
        tentative = False
        for f in run:
            if chosen:
                gap = ex.document.text[chosen[-1][0].end:f.start]
                if f.clause_start != last_clause:
                    sep = ex.document.text[f.clause_start - 1] if f.clause_start > b0 else ""
                    clause_fams = {g.family for g in run if g.clause_start == f.clause_start}
                    if not clause_fams <= (first_fams | seen_fams) or "其中" in gap[1:] or \
                            (f.entity is not None and f.entity != first.entity):
                        break
                    item_end = _next_delim(seg, f.end - b0, len(seg), SENTENCE_END + "；;")
                    if "其中" in seg[f.end - b0:item_end]:
                        break  # 省内就近就业1024人，其中…: a parallel total with its own 其中, not a part
                    if sep in "，,":
                        tentative = True
                    elif sep not in "、；;":
                        break
                    last_clause = f.clause_start
            seen_fams.add(f.family)
            first_fams |= {g.family for g in run if g.clause_start == first.clause_start}
            chosen.append((f, tentative))
        for fam in {f.family for f, _ in chosen}:
            kids = [(f, t) for f, t in chosen if f.family == fam]
            lo = sent_lo
            if sentence_initial:
                lo = b0 + _last_delim(seg, sent_lo - b0 - 1, 0, SENTENCE_END + "\n") if sent_lo > b0 else b0
                lo = min(lo, b0 + _last_delim(seg, m.start(), 0, "\n"))
            parents = [g for g in figs if g.end <= q and g.start >= min(lo, sent_lo) and _same_kind(g, kids[0][0])
                       and g.relation not in ("comparison", "child") and g.depth <= qdepth and g.is_level]
            if not sentence_initial:
                parents = [g for g in parents if g.sentence_start == kids[0][0].sentence_start or g.depth < qdepth]
            parent = parents[-1] if parents else None
            if parent is None and not sentence_initial and \
                    not any(sent_lo <= g.start < q for g in figs):
                parent = _referent_before(figs, kids[0][0], seg, b0, sent_lo, q)
            if parent is None:
                continue
            for f, t in kids:
                if f.id == parent.id:
                    continue
                f.parent, f.relation, f.tentative = parent.id, "child", t


def _pass_implied_children(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """Implied children: 617人，脱贫人口617人 — a 脱贫/监测 figure right after a figure of its kind."""
    for a, b in zip(figs, figs[1:], strict=False):
        if b.relation is None and a.relation != "comparison" and b.sentence_start == a.sentence_start and \
                _same_kind(a, b) and re.match(r"^(脱贫|监测|低收入|残疾)", b.pre) and not \
                re.match(r"^(脱贫|监测|低收入|残疾)", a.pre) and b.clause_start - a.end <= 2 and b.depth == a.depth:
            b.parent, b.relation = a.id, "child"


def _pass_paren_breakdowns(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """Breakdowns in parentheses right after a figure: 19 人（1-6 个月 7 人、7-12 个月 4 人…）."""
    for f in figs:
        rest = seg[f.end - b0:f.end - b0 + 2].lstrip()
        if not rest.startswith(("（", "(")) or f.relation == "comparison":
            continue
        open_at = f.end - b0 + seg[f.end - b0:].index(rest[0])
        close_at = seg.find("）" if rest[0] == "（" else ")", open_at)
        if close_at < 0:
            continue
        inner_figs = [g for g in figs if open_at < g.start - b0 < close_at and g.depth == f.depth + 1
                      and g.relation is None and _same_kind(f, g)]
        if len(inner_figs) >= 2 and not re.match(r"\s*(其中|均为|全部为|含)", seg[open_at + 1:close_at]):
            for g in inner_figs:
                g.parent, g.relation = f.id, "part"


def _pass_colon_breakdowns(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """按…分布： the top-level figures after the colon break down the last figure before it."""
    for m in BREAKDOWN_RE.finditer(seg):
        k = b0 + m.end()
        stop = b0 + _next_delim(seg, m.end(), len(seg), SENTENCE_END + "\n")
        parts = [f for f in figs if k <= f.start < stop and f.depth == 0 and f.relation is None and f.is_level]
        if len(parts) < 2:
            continue
        before = [g for g in figs if g.end <= b0 + m.start() and g.depth == 0 and g.relation is None
                  and _same_kind(g, parts[0]) and g.is_level]
        if not before:
            continue
        for f in parts:
            if _same_kind(f, before[-1]):
                f.parent, f.relation = before[-1].id, "part"


def _pass_all_of(ex: Extraction, figs: list[Figure], seg: str, b0: int, depths: list[int]) -> None:
    """均为脱贫人口 in a part's parentheses: the part's 脱贫 child equals the part."""
    for f in figs:
        rest = seg[f.end - b0:f.end - b0 + 12]
        m2 = re.match(r"\s*[（(]\s*(?:均为|全部为|全是)([\u4e00-\u9fff]{2,6})", rest)
        if m2:
            implied = Figure(**{**f.__dict__, "id": -1})
            implied.pre, implied.post = _clean(m2.group(1)), ""
            implied.parent, implied.relation = f.id, "implied"
            implied.start = f.end + m2.start(1)
            implied.end = f.end + m2.end(1)
            implied.text = m2.group(1)
            implied.phrase = f.phrase
            implied.id = len(ex.figures)
            ex.figures.append(implied)

def _counted_lists(ex: Extraction, figs: list[Figure], seg: str, b0: int) -> None:
    for m in re.finditer(r"分别(?:是|为|有)[：:]?", seg):
        before = [f for f in figs if f.end - b0 <= m.start() and f.sentence_start <= b0 + m.start()]
        if not before:
            continue
        count = before[-1]
        between = seg[count.end - b0:m.start()]
        # 「企业 5 家，分别是」 or 「5 家企业落地，分别是」: only the counted noun may stand between.
        if re.search(r"[。；;，,]", between.strip().rstrip("，,：: ")) or len(between.strip().rstrip("，,：: ")) > 10 \
                or count.family.startswith(("rate",)):
            continue
        if count.family in ("money", "percent", "area", "sqm") or count.approx in ("at_least", "at_most"):
            continue
        stop = _next_delim(seg, m.end(), len(seg), "。；;，,\n")
        body = seg[m.end():stop]
        body = re.sub(r"[（(][^）)]*[）)]", "", body)
        partial = bool(re.search(r"等\s*$|等[\u4e00-\u9fff]{0,3}$", body))
        body = re.sub(r"等[\u4e00-\u9fff]{0,3}$", "", body.strip())
        parts = [p for p in re.split(r"、|以及|和|及", body) if p.strip()]
        if len(parts) < 2 or any(len(p) > 40 for p in parts):
            continue
        items = []
        pos = m.end()
        for p in parts:
            k = seg.find(p.strip(), pos)
            items.append((p.strip(), b0 + k, b0 + k + len(p.strip())))
            pos = k + len(p.strip())
        ex.lists.append(CountedList(count=count, items=items, start=count.clause_start, end=b0 + stop,
                                    partial=partial))


LIST_BEFORE_RE = re.compile(r"((?:[\u4e00-\u9fff“”·（）()]{2,20}、)+[\u4e00-\u9fff“”·（）()]{2,20}?)$")
BIG_COUNT_RE = re.compile(r"(?P<num>[一二两三四五六七八九十]+)大(?P<noun>[\u4e00-\u9fff]{1,6}?)(?=[：:，,。；]|$)")
_COUNT_NOUN_STOP = set("个所家项类大")


def _fits(noun: str, last_item: str) -> bool:
    """The counted noun names the kind of the items: 学校 for 将台堡中学, 乡镇 for 郭原乡, 功能区 for 研学区."""
    return any(ch in last_item[-2:] for ch in noun if ch not in _COUNT_NOUN_STOP)


def _counted_after(ex: Extraction, figs: list[Figure], seg: str, b0: int, heading: tuple[str, ...]) -> None:
    """Counts stated after the list (A、B两所学校) or as 六大功能区：A、B、… with the items after the colon."""
    for f in figs:
        if f.family != "count" or f.value != f.value.to_integral_value() or f.relation is not None:
            continue
        sent_lo = f.sentence_start - b0
        head = seg[sent_lo:f.start - b0]
        m = LIST_BEFORE_RE.search(head)
        if not m or not f.post:
            continue
        names = m.group(1).split("、")
        partial = names[-1].endswith("等")  # A、B等三所学校: not claimed to be all of them
        names[-1] = names[-1].removesuffix("等")
        if not _fits(f.post, names[-1]):
            continue
        base = sent_lo + m.start(1)
        items, pos = [], base
        for p in names:
            items.append((p, b0 + pos, b0 + pos + len(p)))
            pos += len(p) + 1
        ex.lists.append(CountedList(count=f, items=items, start=b0 + base, end=f.end, partial=partial, before=True))
    for m in BIG_COUNT_RE.finditer(seg):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        noun = m.group("noun")
        after = seg[m.end():m.end() + 1]
        if after in "：:":
            stop = _next_delim(seg, m.end() + 1, len(seg), "。；;\n")
            body, base = seg[m.end() + 1:stop], m.end() + 1
            before = False
        else:
            lm = LIST_BEFORE_RE.search(seg[_last_delim(seg, m.start(), 0, "。；;，,：:\n"):m.start()])
            if not lm:
                continue
            body = lm.group(1)
            base = m.start() - len(body)
            before = True
        body = re.sub(r"等[\u4e00-\u9fff]{0,3}$", "", body.strip())
        parts = [p for p in body.split("、") if p.strip()]
        if len(parts) < 2 or not _fits(noun, parts[-1]):
            continue
        items, pos = [], base
        for p in parts:
            k = seg.find(p, pos)
            items.append((p, b0 + k, b0 + k + len(p)))
            pos = k + len(p)
        lo, hi = b0 + min(base, m.start()), b0 + max(m.end(), base + len(body))
        count = Figure(id=-1, value=value, unit="个", start=b0 + m.start(), end=b0 + m.end(), block=-1,
                       text=m.group(0), pre="", post=noun, phrase=_WS.sub("", ex.document.text[lo:hi]),
                       clause_start=lo, clause_end=hi, sentence_start=lo, sentence_end=hi, heading=heading,
                       depth=0, chinese=True)
        ex.lists.append(CountedList(count=count, items=items, start=lo, end=hi, partial=False, before=before))


def _totals(ex: Extraction, figs: list[Figure], seg: str, b0: int) -> None:
    for m in TOTAL_RE.finditer(seg):
        k = b0 + m.start()
        stop = b0 + _next_delim(seg, m.end(), len(seg), SENTENCE_END + "\n")
        totals = [f for f in figs if k < f.start < stop and f.depth == 0 and f.relation is None and f.is_level]
        if not totals:
            continue
        # Parts: earlier items of the paragraph, each ；-item giving at most one part per total.
        earlier = [f for f in figs if f.end <= k and f.relation is None and f.is_level]
        if not earlier:
            continue
        items = sorted({f.sentence_start for f in earlier})
        if len(items) < 2:
            continue
        for t in totals:
            parts = []
            for item in items:
                matches = [f for f in earlier if f.sentence_start == item and _same_kind(f, t)
                           and labels_match(f.pre + f.post, t.pre + t.post) and f.entity is not None]
                if matches:
                    parts.append(matches[0])
            if len(parts) >= 2 or (parts and len(items) >= 2):
                ex.totals.append(Total(figure=t, parts=parts, items=len(items)))


def _claims(ex: Extraction, bindex: int, seg: str, b0: int, figs: list[Figure]) -> None:
    pattern = re.compile(rf"(均|都|皆|全部)?({CLAIM_UP}|{CLAIM_DOWN})了?\s*(?:了)?(?P<ref>(?:20\d{{2}}\s*年度?|上年度?|去年|上一年|同期)(?:同期)?)")
    pattern2 = re.compile(rf"(?:(?:较|比|与)\s*(?P<ref>(?:20\d{{2}}\s*年度?|上年度?|去年|上一年|同期)(?:同期)?)"
                          rf"\s*(?:[（(][^）)]{{0,20}}[）)])?(?:相比)?|同比)[，,]?\s*"
                          rf"(?:均|都|分别)?(?P<dir>{CLAIM_UP}|{CLAIM_DOWN}|多|少)")
    for m in list(pattern.finditer(seg)) + list(pattern2.finditer(seg)):
        word = m.group(2) if m.re is pattern else m.group("dir")
        direction = "up" if re.fullmatch(CLAIM_UP + "|多", word) else "down"
        sent_lo = _last_delim(seg, m.start(), 0, SENTENCE_END + "；;")
        clause_lo = _last_delim(seg, m.start(), 0, "，,。；;\n")
        subject_text = _WS.sub("", seg[clause_lo:m.start()])
        subjects = [s for s in re.split(r"及|和|与|、|以及", subject_text) if len(s) >= 2]
        pct = delta = None
        # 增加115人，增长3.7%: the change itself and the rate may follow the claim word.
        tail = seg[m.end():m.end() + 16]
        near = [f for f in figs if b0 + m.end() <= f.start <= b0 + m.end() + 16]
        for f in near:
            gap = seg[m.end():f.start - b0]
            if f.unit in ("%", "％") and (f.start - (b0 + m.end()) <= 2 or re.search(rf"({CLAIM_UP}|{CLAIM_DOWN})\s*$", gap)):
                pct = pct or f
            elif f.start - (b0 + m.end()) <= 2 and f.unit not in ("%", "％"):
                delta = delta or f
        del tail
        ex.claims.append(Claim(direction=direction, subjects=subjects, start=b0 + clause_lo, end=b0 + m.end(),
                               sentence_start=b0 + sent_lo, block=bindex, percent=pct, delta=delta))


# ---------------------------------------------------------------- labels

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("吸纳就业", "吸纳农村劳动力", "吸纳劳动力", "带动就业", "解决就业", "提供就业岗位"),
    ("到位投资", "到位资金", "实际投资", "实际到位", "投入资金", "完成投资"),
    ("计划投资", "协议投资", "拟投资", "签约投资"),
    ("订单生产", "产品代销", "订单收购"),
    ("占地", "占地面积", "用地"),
    ("销售额", "销售金额", "帮助销售", "销售收入"),
)
_GENERIC_TAIL = re.compile(r"(人数|户数|总数|数量|总额|金额|规模|数|额)$")
SCOPE_WORDS = ("累计", "新增", "计划", "一期", "二期", "三期", "预计", "年均", "人均", "户均", "每")


@lru_cache(maxsize=4096)
def concept(label: str) -> str:
    """A comparable key for a figure's label: synonym group or the label without generic tails."""
    label = re.sub(r"[和及与、]", "", label)
    best = ""
    for group in SYNONYMS:
        for term in group:
            if term in label and len(term) > len(best):
                best = term
                key = group[0]
    if best:
        return key
    return _GENERIC_TAIL.sub("", label)


def scope(label: str) -> frozenset[str]:
    return frozenset(w for w in SCOPE_WORDS if w in label)


def labels_match(a: str, b: str) -> bool:
    """Two labels name the same quantity: same synonym group, or one contains the other."""
    if not a or not b:
        return False
    ca, cb = concept(a), concept(b)
    if ca == cb and ca:
        return True
    na = _GENERIC_TAIL.sub("", re.sub(r"[和及与、实际已]", "", a))
    nb = _GENERIC_TAIL.sub("", re.sub(r"[和及与、实际已]", "", b))
    if len(na) < 2 or len(nb) < 2:
        return False
    return na in nb or nb in na
