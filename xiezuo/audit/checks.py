"""Checks over an extraction: text against table, text against text, sums, names, claims.

Plain Python: takes an `Extraction` (figures already mapped to rows) and the table's values by
row code; returns `AuditFinding`s. Precision matters as much as recall — sums that add up,
roundings the text announces and figures that are simply different quantities are not findings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from xiezuo.audit.extract import Extraction, Figure, concept, labels_match, scope
from xiezuo.audit.numbers import fmt, from_base, places, same_within_rounding, to_base
from xiezuo.catalogue.loader import Catalogue

CHECK_LABELS = {
    "text_table": "正文与统计表不一致",
    "text_text": "正文前后不一致",
    "sum": "分项与合计不符",
    "count": "所述个数与列举不符",
    "name": "名称写法不一致",
    "claim": "增减表述与数字不符",
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

    def __post_init__(self) -> None:
        self.confidence = round(max(0.0, min(1.0, self.confidence)), 2)
        if not self.severity:
            self.severity = "error" if self.confidence >= 0.8 else "warning" if self.confidence >= 0.5 else "info"

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "severity": self.severity, "confidence": self.confidence,
                "message": self.message, "quotes": self.quotes, "row": self.row}


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
    return {"text": f"{row.label.strip()}：{shown}{row.unit}", "location": location}


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
    findings += check_sums(ex)
    findings += check_counts(ex)
    findings += check_names(ex)
    findings += check_claims(ex)
    findings.sort(key=lambda f: (-f.confidence, _first_offset(f)))
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
        if any(isinstance(table.get(c), Decimal) and _consistent(fig, table[c], catalogue.by_code[c].unit)  # type: ignore[arg-type]
               for c in fig.row_candidates):
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
        same = [c for c in neighbours if isinstance(table.get(c), Decimal)
                and _consistent(fig, table[c], catalogue.by_code[c].unit)]  # type: ignore[arg-type]
        if same:
            r2 = catalogue.by_code[same[0]]
            notes.append(f"文中数字与表中「{r2.label.strip()}」{r2.format(table[same[0]])}{r2.unit}相同，可能引用了该项")
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
        label = row.label.strip()
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
            label = catalogue.by_code[code].label.strip() if catalogue else code
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
            if same_within_rounding(f.value, f.unit, h.value, h.unit) or \
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


def check_sums(ex: Extraction) -> list[AuditFinding]:
    out: list[AuditFinding] = []
    for parent in ex.figures:
        if parent.relation == "comparison":
            continue
        for relation in ("child", "part"):
            kids = [k for k in ex.children(parent, relation) if k.relation == relation]
            if not kids:
                continue
            if any(k.approx for k in kids) or parent.approx:
                continue
            firm = [k for k in kids if not k.tentative]
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
        msg = f"文中称「{lst.count.phrase}」（{_v(n, lst.count.unit)}），其后只列出 {len(lst.items)} 项：{names}。"
        if int(n) < len(lst.items):
            msg = f"文中称「{lst.count.phrase}」（{_v(n, lst.count.unit)}），其后却列出 {len(lst.items)} 项：{names}。"
        missing = _missing_by_threshold(ex, lst)
        if missing:
            msg += missing
        text = re.sub(r"\s+", "", ex.document.text[lst.start:lst.end])
        quotes: list[dict[str, object]] = [{"text": text, "location": ex.document.location(lst.start, lst.end, lst.count.heading),
                   "figure": lst.count.text.strip()}]
        out.append(AuditFinding(check="count", confidence=0.85 if not lst.count.chinese else 0.7,
                                message=msg, quotes=quotes))
    return out


def _missing_by_threshold(ex: Extraction, lst) -> str:  # type: ignore[no-untyped-def]
    """「投资 1000 万元以上企业 5 家」: name the entities the paragraph shows above the bar but the list omits."""
    sentence = [f for f in ex.figures if f.sentence_start == lst.count.sentence_start and f.approx == "at_least"
                and f.end <= lst.count.start]
    if not sentence:
        return ""
    bar = sentence[-1]
    listed = {i[0] for i in lst.items}
    above: dict[str, Figure] = {}
    for f in ex.figures:
        if f.block != lst.count.block or f.entity is None or f.unit != bar.unit or not f.is_level or f.parent:
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


def check_names(ex: Extraction) -> list[AuditFinding]:
    mentions: dict[tuple[str, str], list] = defaultdict(list)  # type: ignore[type-arg]
    for e in ex.entities:
        if e.kind in KIND_WORDS:
            mentions[(e.kind, e.name)].append(e)
    out = []
    keys = sorted(mentions)
    for i, (kind, a) in enumerate(keys):
        for kind2, b in keys[i + 1:]:
            if kind2 != kind or min(len(a), len(b)) < 3:
                continue
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


def _share_sentence(ex: Extraction, ma: list, mb: list) -> bool:  # type: ignore[type-arg]
    spans = {_sentence_span(ex.document.text, m.start, m.end) for m in ma}
    return any(_sentence_span(ex.document.text, m.start, m.end) in spans for m in mb)


def _entity_quote(ex: Extraction, e) -> dict[str, object]:  # type: ignore[no-untyped-def]
    s, t = _sentence_span(ex.document.text, e.start, e.end)
    s, t = max(s, e.start - 40), min(t, e.end + 40)
    text = re.sub(r"\s+", "", ex.document.text[s:t])
    loc = ex.document.location(e.start, e.end)
    return {"text": text, "location": loc, "figure": e.name}


# ---------------------------------------------------------------- claims

def check_claims(ex: Extraction) -> list[AuditFinding]:
    out = []
    for claim in ex.claims:
        pairs = []
        for f in ex.figures:
            if f.block != claim.block or f.start >= claim.end or f.relation == "comparison" or not f.is_level:
                continue
            prev = [c for c in ex.children(f, "comparison")]
            if len(prev) == 1:
                pairs.append((f, prev[0]))
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
            chosen = pairs
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
