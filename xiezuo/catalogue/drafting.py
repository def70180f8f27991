"""The drafting rules of a year's report (一、年度任务完成情况) as data, and their check.

Each template year has, beside its table file `2023.toml`, a file `2023.drafting.toml` with the
paragraphs of 一、 as templates over that year's rows and ledgers. This module reads it into
plain dataclasses and checks every placeholder against the year's rows and the ledger schema;
a broken one raises `CatalogueError` naming the file, the line and the placeholder. Rendering
lives in `xiezuo/documents/drafting.py`. The syntax is documented in the header of
`data/2023.drafting.toml`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from xiezuo.core.errors import CatalogueError, Location

if TYPE_CHECKING:
    from xiezuo.catalogue.loader import Catalogue

CONTEXT_NAMES = ("@org", "@partner", "@year", "@prevyear", "@committee", "@government")
MONEY_UNITS = ("元", "万元", "亿元")
MEASURE_WORDS = ("人次", "人", "个", "次", "期", "项", "所", "家", "户", "对", "名", "篇", "场", "类", "村", "亩")
AGGREGATES = ("count", "sum")
FILTER = re.compile(r"^(?P<field>[a-z_][a-z0-9_]*)\s*(?P<op>>=|<=|!=|=|>|<)\s*(?P<value>.+)$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Items:
    """Sub-items of a row from the catalogue ("其中：用于产业帮扶" → "用于产业帮扶3380万元").

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
    line: int = 0


@dataclass(frozen=True)
class LedgerFilter:
    field: str
    op: str
    value: str


@dataclass(frozen=True)
class LedgerList:
    """Each record of a ledger, e.g. every enterprise with its investment and jobs.

    `item` is a template over the record's fields: {name}, {field|unit}; brackets are optional parts.
    """

    ledger: str
    item: str
    head: str = ""
    sep: str = "；"
    tail: str = ""
    where: tuple[LedgerFilter, ...] = ()
    line: int = 0


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
    line: int = 0


@dataclass(frozen=True)
class ParagraphSpec:
    lead: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class PartSpec:
    heading: str
    paragraphs: tuple[ParagraphSpec, ...]


@dataclass(frozen=True)
class DraftingTemplate:
    year: int
    heading: str
    parts: tuple[PartSpec, ...]
    source: str = ""
    ledgers: frozenset[str] = field(default_factory=frozenset)  # ledger kinds the templates read


@dataclass(frozen=True)
class Aggregate:
    """A ledger aggregate placeholder: {=enterprises:count?actual_investment>=1000|家}."""

    ledger: str
    function: str
    field: str = ""
    where: tuple[LedgerFilter, ...] = ()


@dataclass(frozen=True)
class Placeholder:
    """One {…} of a template, parsed."""

    raw: str
    context: str = ""  # "@org"
    codes: tuple[str, ...] = ()  # row codes (several when they are summed)
    prev: bool = False
    measure: str = ""  # a measure word, or a money unit to convert to
    aggregate: Aggregate | None = None
    record_field: str = ""  # a field of the ledger record a list is rendering
    record: str = ""  # "enterprises:12": a named record (an edited paragraph keeps its figures bound so)


def parse_filter(text: str) -> LedgerFilter:
    m = FILTER.match(text.strip())
    if not m:
        raise ValueError(f"筛选条件「{text}」应写成 字段>=数值、字段=值 等形式")
    return LedgerFilter(field=m["field"], op=m["op"], value=m["value"].strip())


def parse_placeholder(raw: str, *, in_record: bool = False) -> Placeholder:
    """Split a placeholder into its parts; raises ValueError with a Chinese reason."""
    spec = raw.strip()
    if not spec:
        raise ValueError("占位符为空")
    body, _, measure = spec.partition("|")
    measure = measure.strip()
    if measure and measure not in MEASURE_WORDS and measure not in MONEY_UNITS:
        raise ValueError(f"量词或单位「{measure}」不可用；可用：{'、'.join((*MEASURE_WORDS, *MONEY_UNITS))}")
    if body.startswith("@"):
        if body not in CONTEXT_NAMES:
            raise ValueError(f"「{body}」不是可用的名称；可用：{'、'.join(CONTEXT_NAMES)}")
        return Placeholder(raw=raw, context=body)
    if body.startswith("#"):
        kind, _, rest = body[1:].partition(":")
        pk, _, column = rest.partition(":")
        if not kind or not pk.isdigit() or not column:
            raise ValueError("台账记录应写成 #台账:编号:字段")
        return Placeholder(raw=raw, record=f"{kind}:{pk}", record_field=column, measure=measure)
    if body.startswith("="):
        head, _, cond = body[1:].partition("?")
        pieces = head.split(":")
        if len(pieces) < 2 or pieces[1] not in AGGREGATES:
            raise ValueError("台账汇总应写成 =台账:count 或 =台账:sum:字段（可加 ?筛选条件）")
        function = pieces[1]
        column = pieces[2] if len(pieces) > 2 else ""
        if function == "sum" and not column:
            raise ValueError("sum 需要字段名：=台账:sum:字段")
        where = tuple(parse_filter(c) for c in cond.split("&")) if cond else ()
        return Placeholder(raw=raw, measure=measure,
                           aggregate=Aggregate(ledger=pieces[0], function=function, field=column, where=where))
    if in_record:
        return Placeholder(raw=raw, record_field=body.strip(), measure=measure)
    expr, _, when = body.partition("@")
    if when and when != "prev":
        raise ValueError(f"「@{when}」不可用；上年数值写作 行代码@prev")
    codes = tuple(c.strip() for c in expr.split("+"))
    if not all(codes):
        raise ValueError("行代码为空")
    return Placeholder(raw=raw, codes=codes, prev=bool(when), measure=measure)


def template_placeholders(text: str) -> list[str]:
    """The placeholders of a template, brackets for optional parts aside."""
    return PLACEHOLDER.findall(text)


def _brackets_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and text.count("{") == text.count("}")


# --- loading -------------------------------------------------------------------------------


class _Lines:
    """Where a string of the file is: line numbers for messages, searched from a paragraph on."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, needle: str, start: int = 1) -> int:
        for number in range(max(start, 1), len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        for number in range(1, len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        return 0


def drafting_path(catalogue_path: Path) -> Path:
    """2023.toml → 2023.drafting.toml in the same folder."""
    return catalogue_path.with_name(f"{catalogue_path.stem}.drafting.toml")


def load_drafting(path: Path, catalogue: Catalogue) -> DraftingTemplate:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"无法读取撰写模板文件：{exc.strerror}", location=Location(file=str(path))) from exc
    return parse_drafting(text, catalogue, source=path.name)


def parse_drafting(text: str, catalogue: Catalogue, *, source: str = "<text>") -> DraftingTemplate:
    lines = _Lines(text)

    def fail(message: str, line: int = 0, placeholder: str | None = None) -> NoReturn:
        where = f"第 {line} 行" if line else None
        raise CatalogueError(message, location=Location(file=source, row=where, column="占位符" if placeholder else None,
                                                        value=placeholder))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"TOML 格式错误：{exc}", location=Location(file=source)) from exc
    year = data.get("year")
    if year != catalogue.year:
        fail(f"year 应与统计表模板的年度 {catalogue.year} 相同", lines.find("year"), None)
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        fail("缺少 [[parts]]：至少应有一个部分")
    kinds: set[str] = set()
    parts: list[PartSpec] = []
    cursor = 1
    for raw_part in raw_parts:
        heading = raw_part.get("heading") if isinstance(raw_part, dict) else None
        if not isinstance(heading, str) or not heading:
            fail("每个 [[parts]] 需要 heading（如「组织领导」）", cursor)
        cursor = lines.find(f'"{heading}"', cursor) or cursor
        paragraphs: list[ParagraphSpec] = []
        for raw_para in raw_part.get("paragraphs", []):
            lead = raw_para.get("lead") if isinstance(raw_para, dict) else None
            if not isinstance(lead, str) or not lead:
                fail("每个 [[parts.paragraphs]] 需要 lead（如「工作推动部署情况。」）", cursor)
            cursor = lines.find(f'"{lead}"', cursor) or cursor
            sentences = []
            for raw_sentence in raw_para.get("sentences", []):
                sentence = _sentence(raw_sentence, lines, cursor, fail)
                cursor = max(cursor, sentence.line)
                sentences.append(sentence)
            paragraphs.append(ParagraphSpec(lead=lead, sentences=tuple(sentences)))
        parts.append(PartSpec(heading=heading, paragraphs=tuple(paragraphs)))
    template = DraftingTemplate(year=year, heading=str(data.get("heading", "年度任务完成情况")), parts=tuple(parts),
                                source=source)
    kinds = check_drafting(template, catalogue, fail, lines.find)
    return DraftingTemplate(year=template.year, heading=template.heading, parts=template.parts, source=source,
                            ledgers=frozenset(kinds))


def _sentence(raw: object, lines: _Lines, cursor: int, fail: Callable[..., NoReturn]) -> Sentence:
    if isinstance(raw, str):
        line = lines.find(raw[:40], cursor)
        return Sentence(clauses=(raw,), line=line)
    if not isinstance(raw, dict):
        fail("句子应是字符串或 { clauses = [...] } 表", cursor)
    assert isinstance(raw, dict)
    unknown = sorted(set(raw) - {"clauses", "head", "sep", "end", "each"})
    if unknown:
        fail(f"句子有未知字段 {', '.join(unknown)}", cursor)
    raw_clauses = raw.get("clauses")
    if not isinstance(raw_clauses, list) or not raw_clauses:
        fail("句子的 clauses 应为非空列表", cursor)
    assert isinstance(raw_clauses, list)
    clauses: list[Clause] = []
    first_line = 0
    for raw_clause in raw_clauses:
        clause = _clause(raw_clause, lines, cursor, fail)
        line = clause.line if not isinstance(clause, str) else lines.find(clause[:40], cursor)
        first_line = first_line or line
        clauses.append(clause)
    return Sentence(clauses=tuple(clauses), head=str(raw.get("head", "")), sep=str(raw.get("sep", "，")),
                    end=str(raw.get("end", "。")), each=bool(raw.get("each", False)), line=first_line or cursor)


def _clause(raw: object, lines: _Lines, cursor: int, fail: Callable[..., NoReturn]) -> Clause:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, dict):
        fail("分句应是字符串、{ items = … } 或 { list = … } 表", cursor)
    assert isinstance(raw, dict)
    if "items" in raw:
        unknown = sorted(set(raw) - {"items", "labels", "relations", "head", "sep", "tail", "nested"})
        if unknown:
            fail(f"items 分句有未知字段 {', '.join(unknown)}", cursor)
        items = raw["items"]
        line = lines.find(f'items = {items!r}'.replace("'", '"')[:30], cursor) or lines.find("items", cursor)
        parent, codes = (items, ()) if isinstance(items, str) else ("", tuple(items))
        return Items(parent=parent, codes=codes, labels=tuple(raw.get("labels", ())),
                     relations=tuple(raw.get("relations", ("subset", "part"))), head=str(raw.get("head", "")),
                     sep=str(raw.get("sep", "，")), tail=str(raw.get("tail", "")), nested=bool(raw.get("nested", True)),
                     line=line)
    if "list" in raw:
        unknown = sorted(set(raw) - {"list", "item", "head", "sep", "tail", "where"})
        if unknown:
            fail(f"list 分句有未知字段 {', '.join(unknown)}", cursor)
        line = lines.find(f'"{raw["list"]}"', cursor)
        try:
            where = tuple(parse_filter(w) for w in raw.get("where", []))
        except ValueError as exc:
            fail(str(exc), line)
        if not isinstance(raw.get("item"), str):
            fail("list 分句需要 item（每条记录的模板）", line)
        return LedgerList(ledger=str(raw["list"]), item=raw["item"], head=str(raw.get("head", "")),
                          sep=str(raw.get("sep", "；")), tail=str(raw.get("tail", "")), where=where, line=line)
    fail("分句表应有 items（统计表子项）或 list（台账记录）", cursor)


# --- checking ------------------------------------------------------------------------------


def check_drafting(template: DraftingTemplate, catalogue: Catalogue, fail: Callable[..., NoReturn],
                   locate: Callable[[str, int], int]) -> set[str]:
    """Every placeholder against this year's rows and the ledger schema; returns the ledgers read."""
    from xiezuo.ledgers.schema import BY_KIND

    kinds: set[str] = set()

    def check_ledger(kind: str, line: int, raw: str) -> None:
        if kind not in BY_KIND:
            fail(f"台账「{kind}」不存在；可用：{'、'.join(BY_KIND)}", line, raw)
        kinds.add(kind)

    def check_field(kind: str, name: str, line: int, raw: str, *, numeric: bool | None = None) -> None:
        column = BY_KIND[kind].by_name.get(name)
        if column is None:
            names = "、".join(BY_KIND[kind].by_name)
            fail(f"台账「{BY_KIND[kind].label}」没有字段「{name}」；可用：{names}", line, raw)
        if numeric and not column.numeric:
            fail(f"台账「{BY_KIND[kind].label}」的字段「{name}」不是数值，不能求和", line, raw)

    def check_filters(kind: str, where: tuple[LedgerFilter, ...], line: int, raw: str) -> None:
        for f in where:
            check_field(kind, f.field, line, raw)
            column = BY_KIND[kind].by_name[f.field]
            if column.numeric:
                try:
                    Decimal(f.value)
                except InvalidOperation:
                    fail(f"筛选条件中「{f.field}」是数值字段，「{f.value}」不是数值", line, raw)
            elif f.op not in ("=", "!="):
                fail(f"筛选条件中「{f.field}」不是数值字段，只能用 = 或 !=", line, raw)
            elif column.type == "code" and f.value not in column.code_of:
                codes = "、".join(code for code, _ in column.choices)
                fail(f"筛选条件中「{f.field}」的取值「{f.value}」不存在；可用：{codes}", line, raw)
            elif column.type == "bool" and f.value not in ("true", "false", "是", "否"):
                fail(f"筛选条件中「{f.field}」是是/否字段，应写 true 或 false", line, raw)

    def check_text(text: str, start: int, record_ledger: str = "") -> None:
        if not _brackets_balanced(text):
            fail("方括号或花括号不成对", start, text)
        for raw in template_placeholders(text):
            line = locate("{" + raw + "}", start) or start
            try:
                ph = parse_placeholder(raw, in_record=bool(record_ledger))
            except ValueError as exc:
                fail(f"占位符 {{{raw}}} 有误：{exc}", line, raw)
            if ph.aggregate is not None:
                agg = ph.aggregate
                check_ledger(agg.ledger, line, raw)
                if agg.field:
                    check_field(agg.ledger, agg.field, line, raw, numeric=True)
                check_filters(agg.ledger, agg.where, line, raw)
            elif ph.record_field:
                check_field(record_ledger, ph.record_field, line, raw)
            for code in ph.codes:
                row = catalogue.by_code.get(code)
                if row is None:
                    fail(f"占位符 {{{raw}}} 引用了 {catalogue.year} 年模板中不存在的行「{code}」", line, raw)
                if not row.is_value:
                    fail(f"占位符 {{{raw}}} 引用的「{row.label}」是标题行，没有数值", line, raw)
            if len(ph.codes) > 1:
                rows = [catalogue.by_code[c] for c in ph.codes]
                if any(not r.is_numeric for r in rows) or len({r.unit for r in rows}) > 1:
                    fail(f"占位符 {{{raw}}} 相加的行应都是同一单位的数值行", line, raw)
            if ph.codes and ph.measure in MONEY_UNITS and catalogue.by_code[ph.codes[0]].unit not in MONEY_UNITS:
                fail(f"占位符 {{{raw}}}：只有金额行可以换算为 {ph.measure}", line, raw)

    for part in template.parts:
        for para in part.paragraphs:
            for sentence in para.sentences:
                check_text(sentence.head, sentence.line)
                for clause in sentence.clauses:
                    if isinstance(clause, str):
                        check_text(clause, sentence.line)
                    elif isinstance(clause, Items):
                        names = (clause.parent,) if clause.parent else clause.codes
                        for code in names:
                            if code not in catalogue.by_code:
                                fail(f"items 引用了 {catalogue.year} 年模板中不存在的行「{code}」", clause.line, code)
                        if clause.labels and len(clause.labels) != len(clause.codes):
                            fail("items 的 labels 应与行代码一一对应", clause.line, ",".join(clause.labels))
                        check_text(clause.head, clause.line)
                    else:
                        check_ledger(clause.ledger, clause.line, clause.ledger)
                        check_filters(clause.ledger, clause.where, clause.line, clause.ledger)
                        check_text(clause.item, clause.line, record_ledger=clause.ledger)
                        check_text(clause.head, clause.line)
                        check_text(clause.tail, clause.line)
    return kinds


def drafting_codes(template: DraftingTemplate) -> set[str]:
    """Row codes the templates name (for messages and tests)."""
    out: set[str] = set()
    for part in template.parts:
        for para in part.paragraphs:
            for sentence in para.sentences:
                for clause in sentence.clauses:
                    texts = [clause] if isinstance(clause, str) else []
                    if isinstance(clause, Items):
                        out.update(clause.codes or (clause.parent,))
                    for text in texts:
                        for raw in template_placeholders(text):
                            try:
                                out.update(parse_placeholder(raw).codes)
                            except ValueError:
                                continue
    return out
