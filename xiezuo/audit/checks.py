"""Checks over an extraction: text against table, text against text, sums, names, claims.

Plain Python: takes an `Extraction` (figures already mapped to rows) and the table's values by
row code; returns `AuditFinding`s. Precision matters as much as recall — sums that add up,
roundings the text announces and figures that are simply different quantities are not findings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from xiezuo.audit.extract import CountedList, Entity, Extraction, Figure, concept, labels_match, scope
from xiezuo.audit.numerals import fmt, from_base, places, same_within_rounding, to_base
from xiezuo.catalogue.loader import Catalogue

CHECK_LABELS = {
    "text_table": "正文与统计表不一致",
    "text_text": "正文前后不一致",
    "sum": "分项与合计不符",
    "count": "所述个数与列举不符",
    "name": "名称写法不一致",
    "claim": "增减表述与数字不符",
    "rate": "比例与所给数字不符",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class AuditFinding:
    check: str
    confidence: float
    message: str
    quotes: list[dict[str, object]]
    row: str | None = None
    severity: str = field(default="")
    row_label: str = ""  # the row as the table prints it, for people (never its code)

    def __post_init__(self) -> None:
        self.confidence = round(max(0.0, min(1.0, self.confidence)), 2)
        if not self.severity:
            self.severity = "error" if self.confidence >= 0.8 else "warning" if self.confidence >= 0.5 else "info"

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "severity": self.severity, "confidence": self.confidence,
                "message": self.message, "quotes": self.quotes, "row": self.row, "row_label": self.row_label}


_ORDINAL_RE = re.compile(r"^\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十]+[）)]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")


_LABELS: dict[int, tuple[Catalogue, dict[str, str]]] = {}


def row_label(catalogue: Catalogue, code: str) -> str:
    """The row's printed label without its ordinal; a label the table prints more than once
    (其中：脱贫劳动力数) comes with the row it sits under."""
    cached = _LABELS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        plain = {r.code: _ORDINAL_RE.sub("", r.label.strip()) for r in catalogue.rows}
        counts = Counter(plain.values())
        shown = {c: (f"{plain[r.parent]} › {label}" if counts[label] > 1 and r.parent in plain else label)
                 for c, label in plain.items() for r in (catalogue.by_code[c],)}
        cached = _LABELS[id(catalogue)] = (catalogue, shown)
    return cached[1][code]


def _v(value: Decimal, unit: str) -> str:
    return f"{fmt(value)}{unit}"


def _quote(ex: Extraction, fig: Figure, *, sentence: bool = False) -> dict[str, object]:
    start, end = (fig.sentence_start, fig.sentence_end) if sentence else (fig.clause_start, fig.clause_end)
    text = re.sub(r"\s+", "", ex.document.text[start:end])
    if len(text) > 120:
        # Keep the part around the figure readable.
        s = max(start, fig.start - 50)
        e = min(end, fig.end + 30)
        text = "…" + re.sub(r"\s+", "", ex.document.text[s:e]) + "…"
        start, end = s, e
    return {"text": text, "location": ex.document.location(start, end, fig.heading), "figure": fig.text.strip()}


def _table_quote(catalogue: Catalogue, code: str, value: Decimal | str, ex: Extraction | None = None,
                 where: Mapping[str, int] | None = None) -> dict[str, object]:
    row = catalogue.by_code[code]
    shown = row.format(value) if not isinstance(value, str) else value
    location: dict[str, object] = {"table": catalogue.title, "row": code, "label": row.label}
    if ex is not None and where and code in where:
        # The report's own 附件1: point at the printed line.
        start = where[code]
        end = ex.document.text.find("\n", start)
        location = {**ex.document.location(start, end if end > 0 else len(ex.document.text)), **location}
    return {"text": f"{row_label(catalogue, code)}：{shown}{row.unit}", "location": location}


def _consistent_with(fig: Figure, value: Decimal | str | None, unit: str) -> bool:
    """The figure agrees with a table cell that holds a number (text and empty cells never agree)."""
    return isinstance(value, Decimal) and _consistent(fig, value, unit)


def _consistent(fig: Figure, value: Decimal, unit: str) -> bool:
    if fig.approx == "at_least":
        return to_base(value, unit) >= fig.base
    if fig.approx == "at_most":
        return to_base(value, unit) <= fig.base
    if fig.approx == "about":
        return abs(to_base(value, unit) - fig.base) <= fig.base * Decimal("0.1")
    return same_within_rounding(fig.value, fig.unit, value, unit)


def run_checks(ex: Extraction, catalogue: Catalogue | None = None,
               table: Mapping[str, Decimal | str | None] | None = None,
               table_where: Mapping[str, int] | None = None) -> list[AuditFinding]:
    findings: list[AuditFinding] = []
    if catalogue is not None and table:
        findings += check_text_table(ex, catalogue, table, table_where)
    findings += check_text_text(ex, catalogue)
    findings += check_sums(ex, catalogue)
    findings += check_counts(ex)
    findings += check_names(ex)
    findings += check_claims(ex)
    findings += check_rates(ex)
    findings.sort(key=lambda f: (-f.confidence, _first_offset(f)))
    if catalogue is not None:
        for f in findings:
            if f.row and f.row in catalogue.by_code:
                f.row_label = row_label(catalogue, f.row)
    return findings


def _first_offset(f: AuditFinding) -> int:
    for q in f.quotes:
        loc = q.get("location")
        if isinstance(loc, dict) and isinstance(loc.get("start"), int):
            return int(loc["start"])
    return 10**9


# ---------------------------------------------------------------- text against table

def check_text_table(ex: Extraction, catalogue: Catalogue, table: Mapping[str, Decimal | str | None],
                     table_where: Mapping[str, int] | None = None) -> list[AuditFinding]:
    grouped: dict[tuple[str, Decimal], list[tuple[Figure, float, str]]] = defaultdict(list)
    for fig in ex.figures:
        if fig.row is None:
            continue
        row = catalogue.by_code[fig.row]
        value = table.get(fig.row)
        if not isinstance(value, Decimal):
            continue
        if _consistent(fig, value, row.unit):
            continue
        if any(_consistent_with(fig, table.get(c), catalogue.by_code[c].unit) for c in fig.row_candidates):
            continue  # another row this phrase may name agrees: not a contradiction
        # A total that includes a sub-figure the table keeps in another row (投入 698 万元，其中捐物 605 万元).
        kids = [k for k in ex.children(fig) if k.row and k.row != fig.row and k.is_level]
        if any(same_within_rounding(fig.value - k.value, fig.unit, value, row.unit) for k in kids if k.unit == fig.unit):
            continue
        if fig.approx:
            confidence = 0.4
        else:
            confidence = fig.row_confidence
        notes = []
        if fig.chinese:
            confidence -= 0.1
        cand_values = {table.get(c) for c in fig.row_candidates}
        if len(cand_values) > 1:
            confidence = min(confidence, 0.5)
        if fig.parent is not None and fig.relation in ("child", "part"):
            siblings = ex.children(ex.by_id(fig.parent), fig.relation)
            mapped = [s for s in siblings if s.row]
            if len(siblings) >= 3 and len(mapped) * 2 < len(siblings):
                confidence = min(confidence, 0.5)
                notes.append("文中此处按自身分类列举（多数分项在表中没有对应指标），口径可能与表中不同")
        if fig.unit != row.unit and {"人", "人次"} == {fig.unit, row.unit}:
            notes.append(f"注意单位：文中为「{fig.unit}」，表中为「{row.unit}」")
        # Does the text's number belong to a neighbouring row? Say so: it is the likeliest slip.
        neighbours = _neighbours(catalogue, fig.row)
        same = [c for c in neighbours if _consistent_with(fig, table.get(c), catalogue.by_code[c].unit)]
        if same:
            r2 = catalogue.by_code[same[0]]
            notes.append(f"文中数字与表中「{row_label(catalogue, r2.code)}」{r2.format(table[same[0]])}{r2.unit}相同，可能引用了该项")
        grouped[(fig.row, fig.base)].append((fig, confidence, "；".join(notes)))
    out = []
    for (code, _), items in grouped.items():
        row = catalogue.by_code[code]
        value = table[code]
        assert isinstance(value, Decimal)
        fig = items[0][0]
        conv = ""
        if fig.unit != row.unit and fig.family == "money":
            conv = f"（折合 {fmt(from_base(fig.base, row.unit))}{row.unit}）"
        label = row_label(catalogue, code)
        times = f"（文中 {len(items)} 处）" if len(items) > 1 else ""
        msg = (f"正文写「{fig.phrase}」，数值 {_v(fig.value, fig.unit)}{conv}{times}；"
               f"统计表「{label}」为 {row.format(value)}{row.unit}。")
        note = next((n for _, _, n in items if n), "")
        if note:
            msg += note + "。"
        quotes = [_quote(ex, f) for f, _, _ in items] + [_table_quote(catalogue, code, value, ex, table_where)]
        out.append(AuditFinding(check="text_table", confidence=max(c for _, c, _ in items), message=msg,
                                quotes=quotes, row=code))
    return out


def _neighbours(catalogue: Catalogue, code: str) -> list[str]:
    row = catalogue.by_code[code]
    near = [r.code for r in catalogue.sub_items(code)]
    if row.parent and catalogue.by_code[row.parent].is_value:
        near.append(row.parent)
        near += [r.code for r in catalogue.sub_items(row.parent) if r.code != code]
    return near


# ---------------------------------------------------------------- text against text

def check_text_text(ex: Extraction, catalogue: Catalogue | None) -> list[AuditFinding]:
    out: list[AuditFinding] = []
    # Same table row stated twice.
    by_row: dict[str, list[Figure]] = defaultdict(list)
    for fig in ex.figures:
        if fig.row and fig.is_level and not fig.approx:
            by_row[fig.row].append(fig)
    for code, figs in by_row.items():
        groups = _value_groups(figs)
        if len(groups) > 1:
            label = row_label(catalogue, code) if catalogue else code
            shown = "、".join(f"{_v(g[0].value, g[0].unit)}（{len(g)} 处）" for g in groups)
            out.append(AuditFinding(
                check="text_text", row=code, confidence=min(f.row_confidence for f in figs) - 0.1,
                message=f"正文多处提到「{label}」，数值不同：{shown}。",
                quotes=[_quote(ex, g[0]) for g in groups]))
    # Same entity, same quantity.
    by_key: dict[tuple[str, str, frozenset[str], str, str | None], list[Figure]] = defaultdict(list)
    for fig in ex.figures:
        if fig.entity is None or not fig.is_level or fig.approx or fig.relation == "implied":
            continue
        label = _label_for_entity(fig)
        key_concept = concept(label)
        if len(key_concept) < 2:
            continue
        parent_key = None
        if fig.parent is not None and fig.relation in ("child", "part"):
            parent_key = concept(_label_for_entity(ex.by_id(fig.parent)))
        by_key[(fig.entity.name, key_concept, scope(label), fig.family, parent_key)].append(fig)
    out += _restated(ex)
    for (entity, _, _, _, _), figs in by_key.items():
        groups = _value_groups(figs)
        if len(groups) > 1:
            a, b = groups[0][0], groups[1][0]
            out.append(AuditFinding(
                check="text_text", confidence=0.75,
                message=(f"「{entity}」的同一数量前后不一：「{a.phrase}」为 {_v(a.value, a.unit)}，"
                         f"「{b.phrase}」为 {_v(b.value, b.unit)}。"),
                quotes=[_quote(ex, g[0]) for g in groups]))
    return out


def _label_for_entity(fig: Figure) -> str:
    label = fig.pre + fig.post
    if fig.entity and fig.entity.name in label:
        label = label.split(fig.entity.name, 1)[1]
    return label


def _value_groups(figs: list[Figure]) -> list[list[Figure]]:
    groups: list[list[Figure]] = []
    for f in figs:
        for g in groups:
            h = g[0]
            if f.base == h.base or same_within_rounding(f.value, f.unit, h.value, h.unit) or \
                    same_within_rounding(h.value, h.unit, f.value, f.unit):
                g.append(f)
                break
        else:
            groups.append([f])
    return groups


# ---------------------------------------------------------------- sums

def _same_unit(a: Figure, b: Figure) -> bool:
    return a.unit == b.unit or (a.family == b.family and a.family in ("money", "count", "household"))


def _sum_text(parts: list[Figure], unit: str) -> str:
    return " + ".join(fmt(from_base(p.base, unit)) for p in parts)


def _total_equal(total: Figure, parts: list[Figure]) -> bool:
    s = sum((p.base for p in parts), Decimal(0))
    return same_within_rounding(total.value, total.unit, from_base(s, total.unit), total.unit) or s == total.base


def _overlapping(kids: list[Figure], catalogue: Catalogue | None) -> bool:
    """Categories that may overlap are not parts of a sum: 帮扶西部县1个，其中脱贫县1个、国家乡村振兴重点
    帮扶县1个. Known from the table when two or more of them name rows the template keeps as 其中
    subsets (not exhaustive parts) of one row; never when one of them is 其他 (the rest)."""
    if catalogue is None or any(re.search(r"其他|其余|其它", k.pre) for k in kids):
        return False
    parents: dict[str | None, int] = defaultdict(int)
    for k in kids:
        row = catalogue.by_code.get(k.row) if k.row else None
        if row is not None and row.relation == "subset":
            parents[row.parent] += 1
    return any(n >= 2 for n in parents.values())


def check_sums(ex: Extraction, catalogue: Catalogue | None = None) -> list[AuditFinding]:
    out: list[AuditFinding] = []
    for parent in ex.figures:
        if parent.relation == "comparison":
            continue
        for relation in ("child", "part"):
            kids = [k for k in ex.children(parent, relation) if k.relation == relation]
            if not kids:
                continue
            if any(k.approx for k in kids) or parent.approx or _overlapping(kids, catalogue):
                continue
            firm = [k for k in kids if not k.tentative]
            if re.search(r"其他|其余|其它", kids[-1].pre):
                firm = kids  # a run that ends in 其他 names every part: the commas did not end it
            if _total_equal(parent, kids):
                continue
            if relation == "child" and len(firm) == 1 and firm[0].base > parent.base and firm[0].is_level \
                    and _same_unit(parent, firm[0]):
                k = firm[0]
                out.append(AuditFinding(
                    check="sum", confidence=0.7, row=parent.row,
                    message=(f"「{parent.phrase}」为 {_v(parent.value, parent.unit)}，其中「{k.phrase}」"
                             f"{_v(k.value, k.unit)}，其中项超过了总数。"),
                    quotes=[_quote(ex, parent), _quote(ex, k)]))
                continue
            if any(k.base > parent.base for k in kids):
                continue  # one part alone above the whole: the sentence was not a breakdown of it
            if relation == "child":
                kids = firm  # commas made the others a guess: they only count when everything adds up
                if len(kids) < 2 or _total_equal(parent, kids):
                    continue
            s = sum((k.base for k in kids), Decimal(0))
            exhaustive = relation == "part" or any(re.search(r"其他|其余|其它", k.pre) for k in kids)
            if s < parent.base and not exhaustive:
                continue  # 其中 lists are often partial
            confidence = 0.85 if relation == "part" or s > parent.base else 0.7
            word = "超过" if s > parent.base else "少于"
            msg = (f"「{parent.phrase}」为 {_v(parent.value, parent.unit)}，所列分项 "
                   f"{_sum_text(kids, parent.unit)} = {fmt(from_base(s, parent.unit))}{parent.unit}，{word}总数。")
            out.append(AuditFinding(check="sum", confidence=confidence, message=msg,
                                    quotes=[_quote(ex, parent)] + [_quote(ex, k) for k in kids[:1]],
                                    row=parent.row))
        out += _poor_sums(ex, parent)
    for total in ex.totals:
        t = total.figure
        parts = total.parts
        if len(parts) < 2:
            continue
        if _total_equal(t, parts):
            continue
        s = sum((p.base for p in parts), Decimal(0))
        entity_items = len({p.sentence_start for p in ex.figures
                            if p.block == t.block and p.entity is not None and p.end <= t.start})
        if s < t.base and len(parts) < entity_items:
            continue  # some items may word this quantity differently: cannot tell
        msg = (f"「{t.phrase}」为 {_v(t.value, t.unit)}，前文逐项列出 {_sum_text(parts, t.unit)} = "
               f"{fmt(from_base(s, t.unit))}{t.unit}，与合计不符。")
        out.append(AuditFinding(check="sum", confidence=0.75, message=msg,
                                quotes=[_quote(ex, t)] + [_quote(ex, p) for p in parts], row=t.row))
    return out


def _poor_sums(ex: Extraction, parent: Figure) -> list[AuditFinding]:
    """2641 人中脱贫 2287 人；各去向的脱贫人数之和也应为 2287。"""
    parts = ex.children(parent, "part")
    sub = [k for k in ex.children(parent, "child") if k.pre.startswith("脱贫")]
    if len(parts) < 2 or len(sub) != 1:
        return []
    target = sub[0]
    pieces = []
    for p in parts:
        kid = [k for k in ex.children(p) if k.relation in ("child", "implied") and k.pre.startswith("脱贫")]
        if len(kid) != 1:
            return []
        pieces.append(kid[0])
    if _total_equal(target, pieces):
        return []
    s = sum((p.base for p in pieces), Decimal(0))
    return [AuditFinding(
        check="sum", confidence=0.7, row=target.row,
        message=(f"「{target.phrase}」为 {_v(target.value, target.unit)}，各分项中的脱贫人数 "
                 f"{_sum_text(pieces, target.unit)} = {fmt(from_base(s, target.unit))}{target.unit}，与之不符。"),
        quotes=[_quote(ex, target)] + [_quote(ex, p) for p in parts])]


# ---------------------------------------------------------------- stated count vs listed items

def check_counts(ex: Extraction) -> list[AuditFinding]:
    out = []
    for lst in ex.lists:
        n = lst.count.value
        if lst.partial or n != n.to_integral_value() or int(n) == len(lst.items):
            continue
        names = "、".join(i[0] for i in lst.items)
        where = "前面" if lst.before else "其后"
        msg = f"文中称「{lst.count.phrase}」（{_v(n, lst.count.unit)}），{where}只列出 {len(lst.items)} 项：{names}。"
        if int(n) < len(lst.items):
            msg = f"文中称「{lst.count.phrase}」（{_v(n, lst.count.unit)}），{where}却列出 {len(lst.items)} 项：{names}。"
        missing = _missing_by_threshold(ex, lst)
        if missing:
            msg += missing
        text = re.sub(r"\s+", "", ex.document.text[lst.start:lst.end])
        quotes: list[dict[str, object]] = [{"text": text, "location": ex.document.location(lst.start, lst.end, lst.count.heading),
                   "figure": lst.count.text.strip()}]
        out.append(AuditFinding(check="count", confidence=0.85 if not lst.count.chinese else 0.7,
                                message=msg, quotes=quotes))
    return out


def _block_figures(ex: Extraction, fig: Figure) -> list[Figure]:
    """The figures of fig's paragraph: they sit side by side in `ex.figures`, around fig."""
    if fig.id < 0 or fig.id >= len(ex.figures) or ex.figures[fig.id] is not fig:
        return [f for f in ex.figures if f.block == fig.block]
    lo = hi = fig.id
    while lo > 0 and ex.figures[lo - 1].block == fig.block:
        lo -= 1
    while hi + 1 < len(ex.figures) and ex.figures[hi + 1].block == fig.block:
        hi += 1
    return ex.figures[lo:hi + 1]


def _missing_by_threshold(ex: Extraction, lst: CountedList) -> str:
    """「投资 1000 万元以上企业 5 家」: name the entities the paragraph shows above the bar but the list omits."""
    block = _block_figures(ex, lst.count)
    sentence = [f for f in block if f.sentence_start == lst.count.sentence_start and f.approx == "at_least"
                and f.end <= lst.count.start]
    if not sentence:
        return ""
    bar = sentence[-1]
    listed = {i[0] for i in lst.items}
    above: dict[str, Figure] = {}
    for f in block:
        if f.entity is None or f.unit != bar.unit or not f.is_level or f.parent:
            continue
        if not labels_match(_label_for_entity(f), bar.pre + bar.post) and concept(_label_for_entity(f)) != "到位投资":
            continue
        if f.base >= bar.base and f.entity.name not in above:
            above[f.entity.name] = f
    missing = [f for name, f in above.items() if name not in listed]
    if not missing:
        return ""
    shown = "、".join(f"「{f.entity.name}」（{_v(f.value, f.unit)}）" for f in missing if f.entity)
    return f"按同段各企业的数字，达到 {_v(bar.value, bar.unit)} 以上的共 {len(above)} 家，名单未列 {shown}。"


# ---------------------------------------------------------------- names

_ORDINAL = set("一二三四五六七八九十第东西南北上下前后中大小新老0123456789")
KIND_WORDS = {"company": "企业", "coop": "合作社", "village": "村", "school": "学校", "hospital": "医院"}


def _one_edit(a: str, b: str) -> tuple[bool, str, str]:
    """Whether a and b differ by one substituted, inserted or deleted character; and which."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False, "", ""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (len(diff) == 1, a[diff[0]] if diff else "", b[diff[0]] if diff else "")
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True, "", long_[i]
    return False, "", ""


def _deletions(name: str) -> set[str]:
    return {name} | {name[:i] + name[i + 1:] for i in range(len(name))}


def check_names(ex: Extraction) -> list[AuditFinding]:
    mentions: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in ex.entities:
        if e.kind in KIND_WORDS:
            mentions[(e.kind, e.name)].append(e)
    # Names one edit apart share a one-deletion variant: index the variants instead of comparing
    # every pair of names (linear in the number of names).
    by_variant: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, name in sorted(mentions):
        if len(name) >= 3:
            for v in _deletions(name):
                by_variant[(kind, v)].append(name)
    pairs: set[tuple[str, str, str]] = set()
    for (kind, _), group in by_variant.items():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a != b:
                    first, second = sorted((a, b))
                    pairs.add((kind, first, second))
    out = []
    for kind, a, b in sorted(pairs):
        ok, ca, cb = _one_edit(a, b)
        if not ok or ca in _ORDINAL or cb in _ORDINAL:
            continue
        ma, mb = mentions[(kind, a)], mentions[(kind, b)]
        if _share_sentence(ex, ma, mb):
            continue  # named side by side: two different things
        long_name = min(len(a), len(b)) >= 6
        substitution = len(a) == len(b)
        confidence = (0.85 if substitution else 0.7) if long_name else (0.6 if substitution else 0.55)
        kind_word = KIND_WORDS[kind]
        msg = (f"「{a}」（{len(ma)} 处）与「{b}」（{len(mb)} 处）只差一个字，"
               f"可能是同一{kind_word}的不同写法，请核对。")
        quotes = [_entity_quote(ex, ma[0]), _entity_quote(ex, mb[0])]
        out.append(AuditFinding(check="name", confidence=confidence, message=msg, quotes=quotes))
    return out


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    s = max(text.rfind(c, 0, start) for c in "。；;！？\n") + 1
    ends = [k for k in (text.find(c, end) for c in "。；;！？\n") if k >= 0]
    e = min(ends) if ends else len(text)
    return s, e


def _share_sentence(ex: Extraction, ma: list[Entity], mb: list[Entity]) -> bool:
    spans = {_sentence_span(ex.document.text, m.start, m.end) for m in ma}
    return any(_sentence_span(ex.document.text, m.start, m.end) in spans for m in mb)


def _entity_quote(ex: Extraction, e: Entity) -> dict[str, object]:
    s, t = _sentence_span(ex.document.text, e.start, e.end)
    s, t = max(s, e.start - 40), min(t, e.end + 40)
    text = re.sub(r"\s+", "", ex.document.text[s:t])
    loc = ex.document.location(e.start, e.end)
    return {"text": text, "location": loc, "figure": e.name}


# ---------------------------------------------------------------- claims

def check_claims(ex: Extraction) -> list[AuditFinding]:
    out = []
    block_pairs: dict[int, list[tuple[Figure, Figure]]] = defaultdict(list)
    for f in ex.figures:  # each level with its one other-year figure, by paragraph, once
        if f.relation != "comparison" and f.is_level:
            prev = ex.children(f, "comparison")
            if len(prev) == 1:
                block_pairs[f.block].append((f, prev[0]))
    for claim in ex.claims:
        pairs = [(f, p) for f, p in block_pairs.get(claim.block, []) if f.start < claim.end]
        if not pairs:
            continue
        chosen = []
        for subject in claim.subjects:
            best, score = None, 0
            for f, p in pairs:
                label = f.pre + f.post
                s = len(_bigrams(subject) & _bigrams(label))
                if s > score:
                    best, score = (f, p), s
            if best and score >= 2:
                chosen.append(best)
        matched = bool(chosen)
        if not chosen:
            # No subject named (…，同比增长25%（上年22人次）): the pair stated just before, in its sentence.
            near = [(f, p) for f, p in pairs if f.sentence_start == claim.sentence_start]
            chosen, matched = (near[-1:], True) if near else (pairs, False)
        chosen = list({(f.id, p.id): (f, p) for f, p in chosen}.values())  # each pair once
        wrong = [(f, p) for f, p in chosen if (f.base <= p.base if claim.direction == "up" else f.base >= p.base)]
        word = "增加（超出）" if claim.direction == "up" else "减少（低于）"
        claim_text = re.sub(r"\s+", "", ex.document.text[claim.start:claim.end])
        claim_quote: dict[str, object] = {"text": claim_text, "location": ex.document.location(claim.start, claim.end)}
        if wrong:
            shown = "；".join(f"「{f.pre or f.phrase}」{_v(f.value, f.unit)}，{p.year or '上年'}年 {_v(p.value, p.unit)}"
                             for f, p in wrong)
            out.append(AuditFinding(check="claim", confidence=0.8 if matched else 0.5,
                                    message=f"文中称「{claim_text}」（{word}），但所给数字为：{shown}。",
                                    quotes=[claim_quote] + [_quote(ex, f) for f, _ in wrong]))
            continue
        if claim.delta is not None and len(chosen) == 1 and claim.delta.family == chosen[0][0].family:
            f, p = chosen[0]
            change = abs(f.base - p.base)
            if not same_within_rounding(claim.delta.value, claim.delta.unit, from_base(change, claim.delta.unit),
                                        claim.delta.unit):
                out.append(AuditFinding(
                    check="claim", confidence=0.75,
                    message=(f"文中称「{claim_text}」，「{claim.delta.phrase}」，按 {_v(f.value, f.unit)} 与 "
                             f"{_v(p.value, p.unit)} 计算应为 {fmt(from_base(change, claim.delta.unit))}{claim.delta.unit}。"),
                    quotes=[claim_quote, _quote(ex, f)]))
        if claim.percent is not None and len(chosen) == 1:
            f, p = chosen[0]
            if p.base:
                rate = (f.base - p.base) / p.base * 100
                if claim.direction == "down":
                    rate = -rate
                if not same_within_rounding(claim.percent.value, "%", rate, "%"):
                    out.append(AuditFinding(
                        check="claim", confidence=0.75,
                        message=(f"文中称「{claim_text}」，「{claim.percent.phrase}」，按 {_v(f.value, f.unit)} 与 "
                                 f"{_v(p.value, p.unit)} 计算应为 {fmt(round(rate, max(1, places(claim.percent.value))))}%。"),
                        quotes=[claim_quote, _quote(ex, f)]))
    return out


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


# ---------------------------------------------------------------- restated quantities

_SPEAKER = re.compile(r"^(?:全县|我县|本县|全市|我市|本市|全区|我区|本区|县域|全年|今年|当年|本年度?)")


def _restated(ex: Extraction) -> list[AuditFinding]:
    """The same quantity, with no table row, stated twice with different values: same label, same
    subject, same scope, in different paragraphs (培训致富带头人326人次 … 培训致富带头人362人次)."""
    west = [n for n in ex.west_names if n]
    by_key: dict[tuple[str, str, str | None, str | None], list[Figure]] = defaultdict(list)
    for fig in ex.figures:
        if fig.row or not fig.is_level or fig.approx or fig.relation is not None or fig.chinese:
            continue
        clause = ex.document.text[fig.clause_start:fig.clause_end]
        if fig.entity is not None and fig.entity.name in clause:
            continue  # about a named company or village: the entity check compares those
        label = fig.pre + fig.post
        for name in west:
            label = label.replace(name, "")
        label = _SPEAKER.sub("", label)
        if len(label) < 5 or fig.family in ("percent", "rate") or \
                (fig.family == "money" and fig.subject is None):
            continue  # short or generic (投入资金…): different things share such labels
        by_key[(label, fig.family, fig.scope, fig.subject)].append(fig)
    out: list[AuditFinding] = []
    for (label, _, _, _), figs in by_key.items():
        if len({f.block for f in figs}) < 2:
            continue  # within one paragraph a repeated label is a list of different parties
        groups = _value_groups(figs)
        if len(groups) > 1:
            shown = "、".join(f"{_v(g[0].value, g[0].unit)}（{len(g)} 处）" for g in groups)
            out.append(AuditFinding(check="text_text", confidence=0.6,
                                    message=f"正文两处写「{label}」，数值不同：{shown}。",
                                    quotes=[_quote(ex, g[0]) for g in groups]))
    return out


# ---------------------------------------------------------------- shares and rates from the text

_SHARE_RE = re.compile(r"占(?P<den>[^，。；,;]{0,20}?)(?:的)?(?:比例|比重)?(?:为|达|达到)?\s*$|占比(?:为|达|达到)?\s*$")
_USE_RE = re.compile(r"(?:使用率|使用比例|支出率|执行率)(?:为|达|达到)?\s*$")


def check_rates(ex: Extraction) -> list[AuditFinding]:
    """A share or 使用率 stated beside the figures it is computed from: 其中脱贫劳动力920人次，占比
    达70.2% (920 / 1380); 已使用7612万元，资金使用比例88% (7612 / 8650)."""
    out: list[AuditFinding] = []
    text = ex.document.text
    by_block: dict[int, list[Figure]] = defaultdict(list)
    for f in ex.figures:
        if f.relation != "implied":
            by_block[f.block].append(f)
    for f in ex.figures:
        if f.unit not in ("%", "％") or f.approx or f.is_other_year or f.delta:
            continue
        head = text[f.clause_start:f.start]
        block = [g for g in by_block[f.block] if g.end <= f.start and g.unit not in ("%", "％")
                 and g.is_level and not g.approx and g.relation != "comparison"]
        if not block:
            continue
        share, use = _SHARE_RE.search(head), _USE_RE.search(head)
        num = den = None
        if share:
            num = next((g for g in reversed(block) if g.sentence_start == f.sentence_start), None)
            if num is None:
                continue
            named = (share.group("den") or "") if share.groupdict().get("den") is not None else ""
            if num.parent is not None and num.relation in ("child", "part") and not named:
                den = ex.by_id(num.parent)
            elif named:
                wanted = _bigrams(named)
                scored = [(len(wanted & _bigrams(g.pre + g.post)), g) for g in block
                          if g.end <= num.start and g.family == num.family]
                best = max((sc for sc, _ in scored), default=0)
                if best >= 2:
                    den = [g for sc, g in scored if sc == best][-1]
                else:
                    den = next((g for g in reversed(block) if g.end <= num.start and g.family == num.family), None)
        elif use:
            num = next((g for g in reversed(block) if g.family == "money" and "使用" in g.pre), None)
            if num is not None:
                den = next((g for g in reversed(block) if g.family == "money" and g.end <= num.start
                            and "使用" not in g.pre), None)
        if num is None or den is None or num is den or num.family != den.family or not den.base:
            continue
        rate = num.base / den.base * 100
        if same_within_rounding(f.value, "%", rate, "%"):
            continue
        shown = fmt(round(rate, max(1, places(f.value))))
        out.append(AuditFinding(
            check="rate", confidence=0.75,
            message=(f"文中称「{f.phrase}」（{_v(f.value, '%')}），按文中数字 {_v(num.value, num.unit)} ÷ "
                     f"{_v(den.value, den.unit)} 计算应为 {shown}%。"),
            quotes=[_quote(ex, f), _quote(ex, num), _quote(ex, den)], row=f.row))
    return out
