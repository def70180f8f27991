"""Map extracted figures to statistics-table rows through aliases, structure and section context.

Plain Python. A figure maps to a row when one of the row's names (its aliases, or its printed
label when that label is specific) ends the figure's label — Chinese noun phrases put the thing
counted last, so 社区与共建乡村振兴示范村结对 is a pairing, not a demonstration village.
Figures about a named company or village, other years, bounds and changes are not mapped:
the table holds county totals for the year.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from xiezuo.audit import clauses
from xiezuo.audit.extract import Extraction, Figure, concept
from xiezuo.audit.numerals import COUNT_UNITS, family
from xiezuo.catalogue.loader import Catalogue, Row

_NUMBERING = re.compile(r"^\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十]+[）)]|[①②③④⑤⑥⑦⑧⑨⑩]|其中[：:])\s*")
_TAIL = re.compile(r"(人数|户数|总数|数量|总额|金额|规模|情况|数|额)$")
_EAST_RE = re.compile(r"东部.{0,6}(?:向|到|赴)西部")
_WEST_RE = re.compile(r"西部.{0,6}(?:向|到|赴)东部")


# Peoples whose names make up autonomous counties' names (紫云苗族布依族自治县), longest first.
PEOPLES = tuple(sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(), key=len, reverse=True))


@dataclass(frozen=True)
class AuditContext:
    """What the report is about: its year and the names of its western and eastern sides."""

    year: int | None = None
    west_names: tuple[str, ...] = ()
    east_names: tuple[str, ...] = ()

    def short_names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """会宁县 → 会宁; 紫云苗族布依族自治县 → 紫云, 紫云县 (the place before its peoples' names)."""
        out = set(names)
        for n in names:
            m = re.match(r"^(.+?族)自治(县|州|旗)$", n)
            if m:
                place, last = m.group(1), ""
                while place.endswith("族"):
                    people = next((p for p in PEOPLES if place.endswith(p + "族")), None)
                    if people is None:
                        break
                    place, last = place[: -len(people) - 1], people
                place = place or last  # 东乡族自治县: the people are named after the place
                if len(place) >= 2:
                    out |= {place, place + m.group(2)}
            short = re.sub(r"(省|市|县|区|自治县|自治州|州)$", "", n)
            if len(short) >= 2:
                out.add(short)
        return tuple(sorted(out, key=len, reverse=True))


@dataclass
class RowNames:
    row: Row
    names: list[tuple[str, bool]] = field(default_factory=list)  # (normalised name, explicit alias?)
    direction: str | None = None
    context: str = ""
    nested_only: bool = False  # a generic label such as 其中：脱贫劳动力数: only under its parent
    subject: str | None = None  # relocation | park: the row is about that kind of thing only
    new: bool = False  # the row (or the row it sits under) counts the year's additions (新增)
    scoped_names: list[tuple[str, bool]] = field(default_factory=list)  # its total row's names, for 新增 figures

    @property
    def own_text(self) -> str:
        return self.row.label + self.context


def _norm(text: str) -> str:
    text = re.sub(r"[\s“”\"'《》*]", "", text)
    return _TAIL.sub("", text)


def clean_label(label: str) -> str:
    return re.sub(r"\s+", "", _NUMBERING.sub("", label))


def row_names(catalogue: Catalogue) -> dict[str, RowNames]:
    labels = Counter(clean_label(r.label) for r in catalogue.rows if r.is_numeric)
    out: dict[str, RowNames] = {}
    for row in catalogue.rows:
        if not row.is_numeric:
            continue
        rn = RowNames(row=row)
        label = clean_label(row.label)
        specific = labels[label] == 1 and len(_norm(label)) >= 4
        if specific:
            rn.names.append((_norm(label), False))
        else:
            rn.nested_only = True
            rn.names.append((_norm(label), False))
        for alias in row.aliases:
            if len(_norm(alias)) >= 2:
                rn.names.append((_norm(alias), True))
        if _EAST_RE.search(row.label):
            rn.direction = "e2w"
        elif _WEST_RE.search(row.label):
            rn.direction = "w2e"
        ancestors = []
        p = row.parent
        while p:
            ancestors.append(catalogue.by_code[p].label)
            p = catalogue.by_code[p].parent
        rn.context = "".join(ancestors)
        rn.subject = clauses.subject_of(rn.own_text)
        rn.new = "新增" in rn.own_text
        out[row.code] = rn
    return out


def _compatible(fig: Figure, row: Row) -> tuple[bool, float]:
    """Whether a figure's unit can be compared with the row's, and a confidence penalty."""
    if fig.unit == row.unit:
        return True, 0.0
    ff, rf = family(fig.unit), family(row.unit)
    if ff != rf:
        return False, 0.0
    if ff == "count":
        return fig.unit in COUNT_UNITS and row.unit in COUNT_UNITS, 0.0
    if ff == "person" and ("人次" in (fig.unit, row.unit)):
        return True, 0.1
    return True, 0.0


@lru_cache(maxsize=1024)
def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _direction(ex: Extraction, fig: Figure, names: tuple[tuple[str, ...], tuple[str, ...]],
               cache: dict[tuple[int, int], str | None]) -> str | None:
    """East to west or west to east: the clause first (和平区选派 3 名…，会宁县选派 3 名… are two
    directions in one sentence), else the sentence; 我县/本县/全县 speak for the western side."""
    west, east = names
    key = (fig.clause_start, fig.clause_end)
    if key not in cache:
        cache[key] = clauses.side(ex.document.text[fig.clause_start:fig.clause_end], west, east)
    found = cache[key]
    if found is None:
        key = (fig.sentence_start, fig.sentence_end)
        if key not in cache:
            cache[key] = clauses.side(ex.document.text[fig.sentence_start:fig.sentence_end], west, east)
        found = cache[key]
    return found


def _targets(fig: Figure, parties: re.Pattern[str] | None = None) -> tuple[str, ...]:
    """Readings of the figure's label; with `parties`, also without the names of the two sides
    (乐清市采购、帮助销售昭觉县农副产品 reads as 采购、帮助销售农副产品)."""
    out = {_norm(fig.pre), _norm(fig.post), _norm(fig.pre + fig.post)}
    if parties is not None:
        out |= {parties.sub("", t) for t in out}
    return tuple(out - {""})


def _parties(context: AuditContext) -> re.Pattern[str] | None:
    names = [n for n in (*context.short_names(context.west_names), *context.short_names(context.east_names))
             if len(n) >= 2]
    names += ["我县", "本县", "全县", "我市", "本市", "我区", "本区"]
    return re.compile("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)))


def _match(targets: tuple[str, ...], rn: RowNames, names: list[tuple[str, bool]] | None = None) -> tuple[int, int]:
    """Lengths of the longest row name, and of the longest explicit alias, ending a label reading."""
    best = best_alias = 0
    for name, is_alias in rn.names if names is None else names:
        if len(name) < 2:
            continue
        for t in targets:
            if t.endswith(name):
                best = max(best, len(name))
                if is_alias:
                    best_alias = max(best_alias, len(name))
    return best, best_alias


class _Index:
    """Row names by their text, so a figure looks up its label's suffixes instead of scanning rows."""

    def __init__(self, names: dict[str, RowNames]) -> None:
        self.names = names
        self.by_name: dict[str, set[str]] = {}
        for code, rn in names.items():
            for name, _ in rn.names:
                if len(name) >= 2:
                    self.by_name.setdefault(name, set()).add(code)
        self.longest = max((len(n) for n in self.by_name), default=0)
        # The 新增 row beside a running-total row (省内就近就业 → 新增帮助农村劳动力省内就近就业数):
        # same parent, and the new row's label contains one of the total row's names.
        self.twins: dict[str, RowNames] = {}
        by_parent: dict[str | None, list[RowNames]] = {}
        for rn in names.values():
            by_parent.setdefault(rn.row.parent, []).append(rn)
        for code, rn in names.items():
            if rn.new:
                continue
            best = 0
            for other in by_parent.get(rn.row.parent, []):
                if not other.new or other.row.relation != rn.row.relation:
                    continue
                shared = max((len(n) for n, _ in rn.names if len(n) >= 4 and n in other.row.label), default=0)
                if shared > best:
                    best, self.twins[code] = shared, other
            if code in self.twins:
                self.twins[code].scoped_names.extend(n for n in rn.names if n not in self.twins[code].scoped_names)

    def candidates(self, targets: tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for t in targets:
            for k in range(2, min(len(t), self.longest) + 1):
                out |= self.by_name.get(t[-k:], set())
        return out


_INDEXES: dict[int, tuple[Catalogue, _Index]] = {}


def _index_for(catalogue: Catalogue) -> _Index:
    cached = _INDEXES.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, _Index(row_names(catalogue)))
        _INDEXES[id(catalogue)] = cached
    return cached[1]


def _descendants(catalogue: Catalogue, code: str) -> set[str]:
    out: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        for child in catalogue.children.get(c, []):
            if child.relation is not None:
                out.add(child.code)
                stack.append(child.code)
    return out


def map_figures(ex: Extraction, catalogue: Catalogue, context: AuditContext | None = None) -> None:
    """Set `row`, `row_confidence` and `row_candidates` on every figure that names a table row."""
    context = context or AuditContext(year=ex.report_year)
    index = _index_for(catalogue)
    names = index.names
    contrasts = {f.sentence_start for f in ex.figures if f.scope == "cumulative"}
    sides = (context.short_names(context.west_names), context.short_names(context.east_names))
    side_cache: dict[tuple[int, int], str | None] = {}
    parties = _parties(context)
    for fig in ex.figures:
        fig.side = _direction(ex, fig, sides, side_cache)
        if fig.relation == "implied" or fig.entity is not None or not fig.is_level:
            continue
        if ex.report_year and fig.year and fig.year != ex.report_year:
            continue
        fam = fig.family
        if fam in ("rate",) or fam.startswith("other:"):
            continue
        targets = _targets(fig, parties)
        contrasted = fig.scope == "new" and fig.sentence_start in contrasts
        pool: list[RowNames] = _scoped(index, [names[c] for c in sorted(index.candidates(targets))], fig, contrasted)
        nested = False
        if fig.parent is not None and fig.relation in ("child", "part"):
            parent = ex.by_id(fig.parent)
            if parent.row is None:
                # A sub-figure of something the table does not hold: it may still name a row of
                # its own (政府常务会 4 次 under 共召开 10 次会议), but never a row that the table
                # itself keeps under another row (支教教师 19 人 → 帮扶 1-6 个月 7 人).
                scored = [s for s in _score(ex, fig, pool, targets, nested=False) if s[2].row.relation is None]
                if scored:
                    _assign(fig, scored)
                continue
            below = _descendants(catalogue, parent.row)
            nested_pool = _scoped(index, [names[c] for c in sorted(below) if c in names], fig, contrasted)
            scored = _score(ex, fig, nested_pool, targets, nested=True)
            if scored:
                _assign(fig, scored)
                continue
            nested = True  # fall through to the rows of the whole table, global names only
        if not nested:
            # 新建帮扶车间3个，吸纳就业96人: a generic figure belongs with the row just named.
            # Unless the figure's own label names another row more fully (已使用财政援助资金 after
            # 投入财政援助资金 is the row of its own, not a part of the first).
            root = _sentence_root(ex, fig, catalogue)
            if root is not None:
                scored = _score(ex, fig, _scoped(index, [names[c] for c in sorted(_descendants(catalogue, root) | {root})
                                                         if c in names], fig, contrasted), targets, nested=True)
                plain = _score(ex, fig, pool, targets, nested=False)
                if scored and (not plain or plain[0][2].row.relation is not None
                               or scored[0][0] // 10 >= plain[0][0] // 10):
                    _assign(fig, scored)
                    continue
        scored = _score(ex, fig, pool, targets, nested=False)
        if scored:
            _assign(fig, scored, penalty=0.05 if nested else 0.0)


def _score(ex: Extraction, fig: Figure, pool: list[RowNames], targets: tuple[str, ...],
           *, nested: bool) -> list[tuple[float, float, RowNames]]:
    heading = "".join(fig.heading)
    hb = _bigrams(heading)
    direction = None
    out = []
    for rn in pool:
        if rn.subject != fig.subject:
            continue  # a relocation site's or a park's figure is not the county's, and the reverse
        ok, penalty = _compatible(fig, rn.row)
        if not ok:
            continue
        length, alias_length = _match(targets, rn)
        if not length and fig.scope == "new" and rn.scoped_names:
            length, alias_length = _match(targets, rn, rn.scoped_names)  # 新增…，省内就近就业580人
        if not nested and rn.nested_only and not (fig.scope == "new" and rn.scoped_names):
            length = alias_length  # a generic printed label names a row only under its parent
        explicit = alias_length > 0 and alias_length == length
        if not length and nested and any(concept(t) == concept(n) and len(concept(n)) >= 2
                                         for t in targets for n, _ in rn.names):
            length, explicit = 2, False  # 吸纳就业 under 帮扶车间 → its 吸纳农村劳动力就业数
        if not length and nested and _poor(fig.pre) and _poor(rn.row.label):
            length, explicit = 2, False  # 其中脱贫人口 under a mapped figure → its 脱贫 sub-row
        if not length:
            continue
        if "新增" in "".join(targets) and "新增" not in rn.row.label + "".join(n for n, _ in rn.names):
            continue  # 新增 this year is not the running total the row holds
        if rn.direction:
            if direction is None:
                direction = fig.side or "?"
            if direction != "?" and direction != rn.direction:
                continue
        bonus = min(len(hb & _bigrams(rn.context)), 4) * 0.5
        score = length * 10 + bonus + (1 if explicit else 0)
        out.append((score, penalty, rn))
    out.sort(key=lambda t: -t[0])
    return out


def _scoped(index: _Index, pool: list[RowNames], fig: Figure, contrasted: bool = False) -> list[RowNames]:
    """Rows the figure's scope allows: a 新增 figure names a 新增 row (or the 新增 twin of the row it
    names), a 累计/截至目前 figure never a 新增 row. A 新建 figure may name a row without twin,
    unless its sentence contrasts it with a 累计 figure (累计建成 48 个，今年新建 6 个)."""
    if fig.scope == "new":
        out: list[RowNames] = []
        for rn in pool:
            twin = rn if rn.new else index.twins.get(rn.row.code)
            if twin is None and not contrasted:
                twin = rn
            if twin is not None and twin not in out:
                out.append(twin)
        return out
    if fig.scope == "cumulative":
        return [rn for rn in pool if not rn.new]
    return pool


def _sentence_root(ex: Extraction, fig: Figure, catalogue: Catalogue) -> str | None:
    """The table row the sentence has just named (its value parent, for a detail row)."""
    earlier = [f for f in ex.figures[max(0, fig.id - 12):fig.id]
               if f.row and f.relation is None and f.sentence_start == fig.sentence_start and f.block == fig.block]
    if not earlier:
        return None
    code = earlier[-1].row
    assert code is not None
    row = catalogue.by_code[code]
    parent = catalogue.by_code.get(row.parent) if row.parent else None
    return parent.code if parent is not None and parent.is_value else row.code


def _poor(text: str) -> bool:
    return "脱贫" in text


def _assign(fig: Figure, scored: list[tuple[float, float, RowNames]], penalty: float = 0.0) -> None:
    top = scored[0][0]
    tier = [s for s in scored if s[0] >= top - 5]  # same name length: context alone separates them
    fig.row = scored[0][2].row.code
    fig.row_candidates = tuple(s[2].row.code for s in tier)
    fig.row_confidence = max(0.3, 0.9 - scored[0][1] - penalty)
