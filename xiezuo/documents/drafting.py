"""Drafting 一、年度任务完成情况 from the statistics table and the ledgers: every figure is bound.

Plain Python: takes the catalogue (whose year carries its drafting rules as data, see
`xiezuo/catalogue/drafting.py` and `data/2023.drafting.toml`), this year's and last year's values,
the ledger records the rules read, and a few names; returns paragraphs with, beside each text,
the list of bindings (figure as printed → row codes or ledger record) so a test or an audit can
check every figure against its source.

A clause whose rows have no value is left out; so is a clause or optional part whose figures
are all zero. A sentence with no clause left is left out, and so on up: the draft never prints
"None" and never a figure the table or a ledger lacks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from xiezuo.catalogue.drafting import (
    MONEY_UNITS,
    Clause,
    Items,
    LedgerFilter,
    LedgerList,
    PartSpec,
    Placeholder,
    Sentence,
    parse_placeholder,
)
from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.money import YUAN_PER as MONEY_FACTORS
from xiezuo.documents import style

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
    # The placeholder that prints it again with the current data ({funds_allocated}, {#enterprises:12:jobs|人}).
    spec: str = ""


# The party committee and government of a unit by the last character of its name.
BODIES = {"县": ("县委", "县政府"), "区": ("区委", "区政府"), "市": ("市委", "市政府"), "旗": ("旗委", "旗政府"),
          "州": ("州委", "州政府"), "省": ("省委", "省政府")}

FieldValue = Decimal | str | bool | dt.date | None


@dataclass(frozen=True)
class LedgerItem:
    """One ledger record as the draft may use it: its fields by column name."""

    key: str  # "enterprises:12" — which record, for the binding
    fields: Mapping[str, FieldValue]
    # Made up where a published document gives only totals: counted, never named.
    synthetic: bool = False
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # code column → code → label


@dataclass(frozen=True)
class Context:
    org_name: str
    year: int
    partner: str = "东部协作地区"
    # A city's or province's figures are its counties' summed: their meetings are the counties'.
    area: bool = False

    @property
    def prev_year(self) -> int:
        return self.year - 1

    @property
    def bodies(self) -> tuple[str, str]:
        if self.area:
            return ("各县（区）委", "各县（区）政府")
        return BODIES.get(self.org_name[-1:], ("党委", "政府"))


@dataclass
class DraftParagraph:
    lead: str  # "工作推动部署情况。" — the run-in 1. heading, numbered when rendered
    text: str
    bindings: list[Binding]
    key: str = ""  # "组织领导/工作推动部署情况。": which paragraph, for the user's edited version
    # The text as a template whose figures are placeholders: what an edit keeps bound to the data.
    template: str = ""
    edited: bool = False  # the user's version, figures filled in from the current data
    # The user's words in an edited paragraph, figures they typed themselves included (audited as theirs).
    typed: str = ""

    @property
    def editable_text(self) -> str:
        """The text as the editor shows it: every bound figure in 【】 (typing over one unbinds it)."""
        return _MARKED.sub(lambda m: f"【{m.group(2)}】", self.marked)

    marked: str = ""  # the text with each bound figure wrapped in private-use marks (internal)


@dataclass
class DraftPart:
    heading: str  # "组织领导" — numbered （一） when rendered
    paragraphs: list[DraftParagraph]


@dataclass
class Draft:
    heading: str
    parts: list[DraftPart]
    note: str = ""  # a sentence before the parts: which units an area's figures cover
    warnings: list[str] = field(default_factory=list)  # edited paragraphs whose figures are gone

    @property
    def bindings(self) -> list[Binding]:
        return [b for part in self.parts for p in part.paragraphs for b in p.bindings]


# --- rendering -----------------------------------------------------------------------------

# A rendered figure is wrapped as \ue000spec\ue002figure\ue001 until its paragraph is assembled.
OPEN, MID, CLOSE = "\ue000", "\ue002", "\ue001"
_MARKED = re.compile(f"{OPEN}([^{MID}]*){MID}([^{CLOSE}]*){CLOSE}")
FIGURE_PLACEHOLDER = re.compile(r"\{[^@{}][^{}]*\}")
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
            return f"{head}{style.RANGE_DASH}{d2}日" if d1 != d2 else head
        return f"{head}{style.RANGE_DASH}{m2}月{d2}日"

    text = DATE_RANGE.sub(as_range, text)
    return mark_former_holders(text.rstrip("。；;，, "))


def mark_former_holders(text: str) -> str:
    """Entries "date，name，post" where a later entry names someone else in the same post: the
    earlier holder is the former one by the time the report is written, and is marked 原."""
    entries = text.split("；")
    parsed = [e.split("，") for e in entries]
    if len(entries) < 2 or any(len(p) < 3 for p in parsed):
        return text
    for i, parts in enumerate(parsed):
        name, post = parts[-2], parts[-1]
        if post.startswith("原"):
            continue
        if any(later[-1] == post and later[-2] != name for later in parsed[i + 1 :]):
            parts[-1] = "原" + post
    return "；".join("，".join(p) for p in parsed)


def label_phrase(label: str) -> str:
    """A row label as a phrase in a sentence: "①帮扶 1-6 个月" → "帮扶1-6个月"."""
    phrase = SPACE_NEAR_CJK.sub("", LABEL_MARKERS.sub("", label.strip())).strip()
    return NUMBER_RANGE.sub(style.RANGE_DASH, phrase)


def _matches(item: LedgerItem, where: Sequence[LedgerFilter]) -> bool:
    """Whether a record passes the filters: codes and text compare as written, numbers as numbers."""
    for f in where:
        value = item.fields.get(f.field)
        if value is None:
            return False
        if isinstance(value, bool):
            ok = value == (f.value in ("true", "是", "1")) if f.op == "=" else value != (f.value in ("true", "是", "1"))
        elif isinstance(value, Decimal):
            wanted = Decimal(f.value)
            ok = {"=": value == wanted, "!=": value != wanted, ">=": value >= wanted, "<=": value <= wanted,
                  ">": value > wanted, "<": value < wanted}[f.op]
        else:
            ok = (str(value) == f.value) if f.op == "=" else (str(value) != f.value) if f.op == "!=" else False
        if not ok:
            return False
    return True


def _in_unit(value: Decimal, unit: str, target: str) -> Decimal:
    """An amount converted between 元, 万元 and 亿元, exactly."""
    if unit == target or unit not in MONEY_FACTORS or target not in MONEY_FACTORS:
        return value
    return (value * MONEY_FACTORS[unit] / MONEY_FACTORS[target]).normalize()


@dataclass
class _Renderer:
    catalogue: Catalogue
    values: Values
    prev: Values
    context: Context
    ledgers: Mapping[str, Sequence[LedgerItem]] = field(default_factory=dict)
    record: LedgerItem | None = None  # the ledger record a LedgerList is rendering
    record_ledger: str = ""
    bindings: list[Binding] = field(default_factory=list)
    figures: list[Decimal] = field(default_factory=list)
    filled: int = 0  # placeholders (other than names from the context) rendered so far

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
                self.filled += not text[i + 1 : j].startswith("@")
                i = j + 1
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    def optional(self, text: str) -> str:
        """Render an optional part; drop it (and its bindings) if a row is missing or all are zero."""
        mark_b, mark_f, mark_filled = len(self.bindings), len(self.figures), self.filled
        try:
            rendered = self.template(text)
        except _Missing:
            rendered = None
        figures = self.figures[mark_f:]
        # A part written around figures that all went ("其中[…][…]") goes with them.
        hollow = self.filled == mark_filled and FIGURE_PLACEHOLDER.search(text) is not None
        if rendered is None or hollow or (figures and all(f == 0 for f in figures)):
            del self.bindings[mark_b:], self.figures[mark_f:]
            return ""
        return rendered

    def placeholder(self, spec: str) -> str:
        ph = parse_placeholder(spec, in_record=self.record is not None)
        if ph.record:
            return self.named_record_field(ph)
        if ph.record_field:
            return self.record_field(ph)
        if ph.context:
            committee, government = self.context.bodies
            return {
                "@org": self.context.org_name,
                "@partner": self.context.partner,
                "@year": str(self.context.year),
                "@prevyear": str(self.context.prev_year),
                "@committee": committee,
                "@government": government,
            }[ph.context]
        if ph.aggregate is not None:
            return self.aggregate(ph)
        values, year = (self.prev, self.context.prev_year) if ph.prev else (self.values, self.context.year)
        rows = [self.catalogue.by_code[c] for c in ph.codes]
        got = [values.get(c) for c in ph.codes]
        if any(v is None or v == "" for v in got):
            raise _Missing(spec)
        first: Row = rows[0]
        if first.value_kind == "text":
            text = tidy_text(str(got[0]))
            self.bindings.append(Binding(text=text, codes=ph.codes, year=year, value=str(got[0]), spec=spec))
            return _mark(spec, text)
        total = sum((Decimal(str(v)) for v in got), Decimal(0))
        if ph.measure in MONEY_UNITS:
            # 0.6907亿元 → 6907万元: the published decimals move with the unit.
            shift = (MONEY_FACTORS[first.unit] / MONEY_FACTORS[ph.measure]).adjusted()
            printed = style.figure(_in_unit(total, first.unit, ph.measure), ph.measure, max(first.places - shift, 0))
        else:
            printed = style.figure(total, ph.measure or first.unit, first.places)
        self.bindings.append(Binding(text=printed, codes=ph.codes, year=year, value=total, spec=spec))
        self.figures.append(total)
        return _mark(spec, printed)

    def aggregate(self, ph: Placeholder) -> str:
        """{=enterprises:count?actual_investment>=1000|家}: a count or sum over this year's records."""
        agg = ph.aggregate
        assert agg is not None
        records = [r for r in self.ledgers.get(agg.ledger, ()) if _matches(r, agg.where)]
        if not records:
            raise _Missing(ph.raw)
        if agg.function == "count":
            total = Decimal(len(records))
        else:
            numbers = [r.fields.get(agg.field) for r in records]
            present = [n for n in numbers if isinstance(n, Decimal)]
            if not present:
                raise _Missing(ph.raw)
            total = sum(present, Decimal(0))
        printed = style.figure(total, ph.measure or "万元")
        self.bindings.append(Binding(text=printed, codes=(), year=self.context.year, value=total,
                                     ledger=f"{agg.ledger}:{agg.function}:{agg.field}", spec=ph.raw))
        self.figures.append(total)
        return _mark(ph.raw, printed)

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
        return self.template(spec.head) + spec.sep.join(parts) + spec.tail

    def ledger_list(self, spec: LedgerList) -> str:
        # Records made up to match a published total are counted, never listed by name.
        records = [r for r in self.ledgers.get(spec.ledger) or [] if not r.synthetic and _matches(r, spec.where)]
        parts = []
        for record in records:
            self.record, self.record_ledger = record, spec.ledger
            try:
                rendered = self.optional(spec.item)
            finally:
                self.record, self.record_ledger = None, ""
            if rendered:
                parts.append(rendered)
        if not parts:
            raise _Missing(spec.ledger)
        return self.template(spec.head) + spec.sep.join(parts) + self.template(spec.tail)

    def record_field(self, ph: Placeholder, record: LedgerItem | None = None) -> str:
        """{name}, {date} or {field|unit} of the ledger record being listed (or named by {#…})."""
        record = record or self.record
        assert record is not None
        value = record.fields.get(ph.record_field)
        if value is None or value == "" or isinstance(value, bool):
            raise _Missing(ph.record_field)
        spec = f"#{record.key}:{ph.record_field}" + (f"|{ph.measure}" if ph.measure else "")
        if isinstance(value, dt.date):
            return _mark(spec, style.date_cn(value, with_year=value.year != self.context.year))
        if isinstance(value, str):
            return _mark(spec, record.labels.get(ph.record_field, {}).get(value, value))
        printed = style.figure(value, ph.measure or "万元")
        self.bindings.append(Binding(text=printed, codes=(), year=self.context.year, value=value,
                                     ledger=f"{record.key}:{ph.record_field}", spec=spec))
        self.figures.append(value)
        return _mark(spec, printed)

    def named_record_field(self, ph: Placeholder) -> str:
        kind = ph.record.split(":", 1)[0]
        record = next((r for r in self.ledgers.get(kind, ()) if r.key == ph.record), None)
        if record is None:
            raise _Missing(ph.raw)
        return self.record_field(ph, record)

    def clause(self, clause: Clause) -> str | None:
        if isinstance(clause, (LedgerList, Items)):
            mark_b, mark_f = len(self.bindings), len(self.figures)
            try:
                return self.ledger_list(clause) if isinstance(clause, LedgerList) else self.items(clause)
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
            del self.bindings[mark_b:], self.figures[mark_f:]
            return None
        head = self.optional(spec.head) if spec.head else ""
        return head + spec.sep.join(clauses) + spec.end


def _mark(spec: str, printed: str) -> str:
    return f"{OPEN}{spec}{MID}{printed}{CLOSE}"


def _paragraph(lead: str, marked: str, bindings: list[Binding], key: str, *, edited: bool = False,
               typed: str = "") -> DraftParagraph:
    text = _MARKED.sub(lambda m: m.group(2), marked)
    template = _MARKED.sub(lambda m: "{" + m.group(1) + "}", marked)
    return DraftParagraph(lead=lead, text=text, bindings=bindings, key=key, template=template, edited=edited,
                          typed=typed, marked=marked)


def paragraph_key(part_heading: str, lead: str) -> str:
    return f"{part_heading}/{lead}"


def draft_tasks(
    catalogue: Catalogue, values: Values, prev: Values, context: Context, *, specs: Sequence[PartSpec] | None = None,
    ledgers: Mapping[str, Sequence[LedgerItem]] | None = None, edited: Mapping[str, str] | None = None,
) -> Draft:
    """一、年度任务完成情况 by the year's drafting rules: parts and paragraphs without data are left out.

    `edited` maps a paragraph's key to the user's version of it (a template whose figures are
    placeholders, see `edited_template`): it replaces the drafted text, its figures filled in from
    the current data. If one of its figures is gone from the data, the drafted text is used and
    the draft says so in `warnings`.
    """
    template = catalogue.drafting
    if specs is None:
        specs = template.parts if template is not None else ()
    edited = edited or {}
    warnings: list[str] = []
    parts = []
    for part in specs:
        paragraphs = []
        for para in part.paragraphs:
            key = paragraph_key(part.heading, para.lead)
            if key in edited:
                renderer = _Renderer(catalogue=catalogue, values=values, prev=prev, context=context,
                                     ledgers=ledgers or {})
                try:
                    marked = renderer.template(edited[key])
                except (_Missing, ValueError):
                    warnings.append(f"「{para.lead.rstrip('。')}」修改稿中的数字已不在统计表或台账中，暂用自动生成的文字，请重新核对该段")
                else:
                    typed = _MARKED.sub("", marked)
                    paragraphs.append(_paragraph(para.lead, marked, renderer.bindings, key, edited=True, typed=typed))
                    continue
            renderer = _Renderer(catalogue=catalogue, values=values, prev=prev, context=context, ledgers=ledgers or {})
            sentences = [s for s in (renderer.sentence(x) for x in para.sentences) if s]
            if sentences:
                paragraphs.append(_paragraph(para.lead, "".join(sentences), renderer.bindings, key))
        if paragraphs:
            parts.append(DraftPart(heading=part.heading, paragraphs=paragraphs))
    return Draft(heading=template.heading if template is not None else "年度任务完成情况", parts=parts,
                 warnings=warnings)


# Brackets a user types are kept as full-width characters: in a template they would mark optional parts.
_USER_BRACKETS = str.maketrans({"[": "［", "]": "］", "{": "｛", "}": "｝"})
_EDITED_FIGURE = re.compile(r"【([^【】]*)】")


def edited_template(paragraph: DraftParagraph, typed: str) -> str:
    """The user's text of a paragraph as a template: each 【figure】 still equal to a figure of the
    current paragraph (in order) stays bound to its cell or record; one typed over becomes plain text."""
    pairs = [(m.group(1), m.group(2)) for m in _MARKED.finditer(paragraph.marked)]
    out: list[str] = []
    pos, cursor = 0, 0
    for m in _EDITED_FIGURE.finditer(typed):
        out.append(typed[pos:m.start()].translate(_USER_BRACKETS))
        shown = m.group(1)
        match = next((i for i in range(cursor, len(pairs)) if pairs[i][1] == shown), None)
        if match is None:
            out.append(shown.translate(_USER_BRACKETS))
        else:
            out.append("{" + pairs[match][0] + "}")
            cursor = match + 1
        pos = m.end()
    out.append(typed[pos:].translate(_USER_BRACKETS))
    return "".join(out).replace("\r\n", "\n").replace("\n", "").strip()
