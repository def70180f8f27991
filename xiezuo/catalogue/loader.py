"""Load and check a year's statistics-table template (a TOML data file, one per year).

Plain Python: takes a path or text, returns a `Catalogue`, raises `CatalogueError` naming the
row and the problem. Nothing here touches the database.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from xiezuo.core.errors import CatalogueError, InvalidValue, Location
from xiezuo.core.money import YUAN_PER
from xiezuo.core.textcheck import shown, text_problem

if TYPE_CHECKING:
    from xiezuo.catalogue.drafting import DraftingTemplate

ROW_KINDS = ("section", "group", "value")
VALUE_KINDS = ("int", "decimal", "percent", "text")
RELATIONS = ("subset", "part", "detail")
ROLLUPS = ("sum", "recompute", "distinct", "text", "none")
SEVERITIES = ("error", "warning", "info")
RULE_LEVELS = ("county", "city", "province", "nation")
NUMERIC_UNITS = ("次", "人次", "个", "所", "家", "期", "项", "人", "户", "万元", "亿元", "元", "%")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# What a value may be, so that it fits tables.DataValue (20 digits, 4 places) on SQLite and
# PostgreSQL and sums of ten thousand units stay inside a 64-bit integer: amounts up to 10^12 元
# in the row's unit, counts and other figures up to 10^12, text up to TEXT_MAX_LENGTH characters.
MAX_PLACES = 4
MONEY_MAX_YUAN = Decimal(10) ** 12
NUMBER_MAX = Decimal(10) ** 12
TEXT_MAX_LENGTH = 2000


def default_max(unit: str) -> Decimal:
    """The largest value a row in `unit` accepts unless its template sets `max`."""
    if unit in YUAN_PER:
        return MONEY_MAX_YUAN / YUAN_PER[unit]
    return NUMBER_MAX


@dataclass(frozen=True)
class Row:
    code: str
    kind: str
    label: str
    order: int
    section: str  # code of the section row this row belongs to
    depth: int
    unit: str = ""
    value_kind: str = ""
    places: int = 0
    parent: str | None = None
    relation: str | None = None
    rollup: str = "none"
    formula: str | None = None
    distinct: str | None = None
    aliases: tuple[str, ...] = ()
    key: bool = False
    derive: dict[str, Any] | None = None
    note: str = ""
    max: Decimal | None = None  # largest accepted value; None: default_max(unit)

    @property
    def max_value(self) -> Decimal:
        return self.max if self.max is not None else default_max(self.unit)

    @property
    def is_value(self) -> bool:
        return self.kind == "value"

    @property
    def is_numeric(self) -> bool:
        return self.kind == "value" and self.value_kind != "text"

    @property
    def is_subitem(self) -> bool:
        """Printed as a 其中 or numbered sub-item under another value row (indented)."""
        return self.relation is not None

    def parse(self, raw: object, *, location: Location | None = None) -> Decimal | str | None:
        """Turn user input into the exact stored value, or raise InvalidValue saying why."""
        loc = location or Location(row=self.label)
        if loc.value is None:
            loc = Location(file=loc.file, sheet=loc.sheet, row=loc.row, column=loc.column, value=raw)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            return None
        if isinstance(raw, float):
            raise TypeError("money and counts are never floats; pass str, int or Decimal")
        if self.value_kind == "text":
            text = str(raw).strip()
            problem = text_problem(text, TEXT_MAX_LENGTH)
            if problem:
                raise InvalidValue(f"「{self.label}」{problem}", location=_shown_location(loc, text))
            return text
        if not self.is_numeric:
            raise InvalidValue(f"「{self.label}」是标题行，不能填写数值", location=loc)
        text = str(raw).strip().replace(",", "").replace("，", "")
        if self.unit and text.endswith(self.unit):
            text = text[: -len(self.unit)].strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            loc = _shown_location(loc, raw)
            raise InvalidValue(
                f"「{self.label}」应填{self._kind_words()}（单位：{self.unit}），不能填「{loc.value}」", location=loc
            ) from None
        if not number.is_finite():
            raise InvalidValue(f"「{self.label}」应填有限的数值", location=loc)
        # Magnitude before any rounding: quantize() of 1e100 raises, int() of 1e999999999 hangs.
        limit = self.max_value
        if number.copy_abs() > limit:  # copy_abs: no context rounding, so no Overflow
            raise InvalidValue(
                f"「{self.label}」数值过大：最大为 {self.format(limit)}（单位：{self.unit}）", location=loc)
        exponent = number.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if self.value_kind == "int":
            if number != number.to_integral_value():
                raise InvalidValue(f"「{self.label}」应填整数（单位：{self.unit}），不能填「{raw}」", location=loc)
            return number.quantize(Decimal(1))
        if decimals > self.places:
            trimmed = number.normalize()
            t_exp = trimmed.as_tuple().exponent
            if not isinstance(t_exp, int) or -t_exp > self.places:
                raise InvalidValue(
                    f"「{self.label}」最多保留 {self.places} 位小数（单位：{self.unit}），不能填「{raw}」",
                    location=loc,
                )
            number = trimmed
        return number

    def _kind_words(self) -> str:
        return {"int": "整数", "decimal": "数值", "percent": "百分比数值"}.get(self.value_kind, "文本")

    def format(self, value: Decimal | str | None) -> str:
        """The value as the table prints it: published decimals, no trailing zeros."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if self.value_kind == "int":
            return str(value.quantize(Decimal(1)))
        q = value.quantize(Decimal(1).scaleb(-self.places)) if self.places else value.quantize(Decimal(1))
        text = format(q, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text


def _shown_location(loc: Location, value: object) -> Location:
    """The location with the value as a message may quote it (short, controls visible)."""
    return Location(file=loc.file, sheet=loc.sheet, row=loc.row, column=loc.column, value=shown(value))


@dataclass(frozen=True)
class Rule:
    id: str
    expr: str
    severity: str
    message: str
    implied: bool = False
    note: str = ""
    # Org levels the rule applies to (county, city, province, nation); empty means every level.
    levels: tuple[str, ...] = ()


@dataclass(eq=False)  # compared and hashed by identity: templates are cached singletons
class Catalogue:
    year: int
    title: str
    rows: list[Row]
    rules: list[Rule]
    source: str = ""
    # The year's drafting rules for 一、 (`<year>.drafting.toml` beside the table file), if any.
    drafting: DraftingTemplate | None = None
    by_code: dict[str, Row] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_code = {r.code: r for r in self.rows}

    def row(self, code: str) -> Row:
        return self.by_code[code]

    @property
    def value_rows(self) -> list[Row]:
        return [r for r in self.rows if r.is_value]

    @cached_property
    def has_derived_rows(self) -> bool:
        """Some rows are figures the ledgers make (a county's table page shows the ledger column)."""
        return any(r.derive is not None for r in self.rows)

    @cached_property
    def children(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for r in self.rows:
            if r.parent:
                out.setdefault(r.parent, []).append(r)
        return out

    def sub_items(self, code: str, relation: str | None = None) -> list[Row]:
        return [
            r for r in self.children.get(code, [])
            if r.relation is not None and (relation is None or r.relation == relation)
        ]


def load_catalogue(path: Path | str) -> Catalogue:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"无法读取模板文件：{exc.strerror}", location=Location(file=str(path))) from exc
    catalogue = parse_catalogue(text, source=path.name)
    from xiezuo.catalogue.drafting import drafting_path, load_drafting

    rules = drafting_path(path)
    if rules.exists():
        catalogue.drafting = load_drafting(rules, catalogue)
    return catalogue


def parse_catalogue(text: str, *, source: str = "<text>") -> Catalogue:
    def fail(message: str, row: str | int | None = None, column: str | None = None, value: object = None) -> NoReturn:
        raise CatalogueError(message, location=Location(file=source, row=row, column=column, value=value))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"TOML 格式错误：{exc}", location=Location(file=source)) from exc
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        fail("缺少或错误的 year（应为四位年度整数）", column="year", value=year)
    title = data.get("title")
    if not isinstance(title, str) or not title:
        fail("缺少 title（统计表标题）", column="title")
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        fail("缺少 [[rows]]：模板至少应有一行")

    allowed = {"code", "kind", "label", "unit", "value", "places", "parent", "relation", "rollup",
               "formula", "distinct", "aliases", "key", "derive", "note", "max"}
    rows: list[Row] = []
    seen: dict[str, Row] = {}
    current_section = ""
    for index, raw in enumerate(raw_rows, start=1):
        where = raw.get("code") if isinstance(raw, dict) and isinstance(raw.get("code"), str) else index
        if not isinstance(raw, dict):
            fail("每一行应是一个表（[[rows]]）", row=index)
        unknown = sorted(set(raw) - allowed)
        if unknown:
            fail(f"未知字段 {', '.join(unknown)}", row=where, column=unknown[0])
        code = raw.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            fail("code 应为小写字母开头的英文标识（a-z、0-9、_）", row=index, column="code", value=code)
        assert isinstance(code, str)
        if code in seen:
            fail("code 重复", row=code, column="code", value=code)
        kind = raw.get("kind", "value")
        if kind not in ROW_KINDS:
            fail(f"kind 应为 {'/'.join(ROW_KINDS)} 之一", row=code, column="kind", value=kind)
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            fail("label（表中印出的指标名称）不能为空", row=code, column="label")
        parent = raw.get("parent")
        if parent is not None and parent not in seen:
            fail("parent 必须是前面已出现的行的 code", row=code, column="parent", value=parent)
        if kind == "section":
            if parent is not None:
                fail("section 行不能有 parent", row=code, column="parent", value=parent)
            current_section = code
        elif not current_section:
            fail("第一行必须是 section（如「一、组织领导」）", row=code)
        elif parent is None:
            fail("除 section 外的行必须有 parent", row=code, column="parent")
        parent_row = seen.get(parent) if parent else None
        depth = 0 if parent_row is None else parent_row.depth + 1

        unit = raw.get("unit", "")
        value_kind = raw.get("value", "")
        places = raw.get("places", 0)
        relation = raw.get("relation")
        rollup = raw.get("rollup")
        aliases = raw.get("aliases", [])
        if kind != "value":
            for f in ("unit", "value", "places", "relation", "rollup", "formula", "derive"):
                if f in raw:
                    fail(f"{kind} 行（标题行）不能有 {f}", row=code, column=f)
            rollup = "none"
        else:
            if value_kind not in VALUE_KINDS:
                fail(f"value 应为 {'/'.join(VALUE_KINDS)} 之一", row=code, column="value", value=value_kind)
            if not isinstance(unit, str) or not unit:
                fail("数值行必须有 unit", row=code, column="unit")
            if value_kind != "text" and unit not in NUMERIC_UNITS:
                fail(f"数值行的单位应为 {'、'.join(NUMERIC_UNITS)} 之一", row=code, column="unit", value=unit)
            if value_kind == "percent" and unit != "%":
                fail("percent 行的单位应为 %", row=code, column="unit", value=unit)
            if not isinstance(places, int) or not 0 <= places <= MAX_PLACES:
                fail(f"places 应为 0–{MAX_PLACES} 的整数（数据库保留 {MAX_PLACES} 位小数）",
                     row=code, column="places", value=places)
            if value_kind == "int" and places:
                fail("int 行不能有小数位", row=code, column="places", value=places)
            if rollup is None:
                rollup = "text" if value_kind == "text" else "sum"
            if rollup not in ROLLUPS:
                fail(f"rollup 应为 {'/'.join(ROLLUPS)} 之一", row=code, column="rollup", value=rollup)
            if rollup == "recompute" and not raw.get("formula"):
                fail("rollup = recompute 需要 formula（由各部分重新计算的公式）", row=code, column="formula")
            if rollup == "distinct" and not raw.get("distinct"):
                fail("rollup = distinct 需要 distinct（去重计数的依据）", row=code, column="distinct")
            if (rollup == "text") != (value_kind == "text"):
                fail("文本行的 rollup 应为 text，数值行不能为 text", row=code, column="rollup", value=rollup)
        if relation is not None:
            if relation not in RELATIONS:
                fail(f"relation 应为 {'/'.join(RELATIONS)} 之一", row=code, column="relation", value=relation)
            if parent_row is None or not parent_row.is_value:
                fail("relation 只能用于数值行之下的子项", row=code, column="relation", value=relation)
            assert parent_row is not None
            if relation in ("subset", "part") and (unit != parent_row.unit or value_kind == "text"):
                fail(f"「其中」子项的单位应与上级「{parent_row.label}」相同（{parent_row.unit}）；"
                     "单位不同请用 relation = \"detail\"", row=code, column="unit", value=unit)
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            fail("aliases 应为非空字符串的列表", row=code, column="aliases")
        max_value: Decimal | None = None
        if "max" in raw:
            raw_max = raw["max"]
            try:
                if kind != "value" or value_kind == "text" or isinstance(raw_max, bool | float):
                    raise InvalidOperation
                max_value = Decimal(str(raw_max))
            except InvalidOperation:
                fail("max 只用于数值行，应写成整数或带引号的数字，如 max = \"5000\"", row=code, column="max",
                     value=raw_max)
            assert max_value is not None
            if not max_value.is_finite() or max_value <= 0 or max_value > default_max(unit):
                fail(f"max 应大于 0 且不超过 {default_max(unit):f}（数据库能保存的上限）", row=code, column="max",
                     value=raw_max)
        derive = raw.get("derive")
        if derive is not None and not isinstance(derive, dict):
            fail("derive 应为表（ledger、filter、aggregate）", row=code, column="derive")
        row = Row(
            code=code, kind=kind, label=label.strip(), order=index, section=current_section, depth=depth,
            unit=unit, value_kind=value_kind, places=places, parent=parent, relation=relation,
            rollup=rollup or "none", formula=raw.get("formula"), distinct=raw.get("distinct"),
            aliases=tuple(aliases), key=bool(raw.get("key", False)), derive=derive, note=raw.get("note", ""),
            max=max_value,
        )
        rows.append(row)
        seen[code] = row

    rules = [*_implied_rules(rows), *_declared_rules(data.get("rules", []), fail)]
    # Parsed only: whether each expression compiles is the engine's to say (`engine.validate.catalogue_check`).
    return Catalogue(year=year, title=title, rows=rows, rules=rules, source=source)


def _implied_rules(rows: list[Row]) -> list[Rule]:
    """Rules the table's own structure implies: 其中 ≤ total, parts add up, counts ≥ 0."""
    by_code = {r.code: r for r in rows}
    rules: list[Rule] = []
    parts_of: dict[str, list[Row]] = {}
    for r in rows:
        if not r.is_numeric:
            continue
        rules.append(Rule(
            id=f"nonneg.{r.code}", expr=f"{r.code} >= 0", severity="error", implied=True,
            message=f"「{r.label}」不能为负数，现为 {{{r.code}}}",
        ))
        if r.parent and r.relation == "subset":
            p = by_code[r.parent]
            rules.append(Rule(
                id=f"subset.{r.code}", expr=f"{r.code} <= {p.code}", severity="error", implied=True,
                message=f"「{p.label}」的其中项「{r.label}」{{{r.code}}} 超过了总数 {{{p.code}}}",
            ))
        if r.parent and r.relation == "part":
            parts_of.setdefault(r.parent, []).append(r)
    for parent_code, parts in parts_of.items():
        p = by_code[parent_code]
        names = "、".join(f"「{x.label}」" for x in parts)
        rules.append(Rule(
            id=f"parts.{p.code}", expr=f"sum_parts({p.code}) == {p.code}", severity="error", implied=True,
            message=f"「{p.label}」{{{p.code}}} 不等于各分项 {names} 之和 {{=sum_parts({p.code})}}",
        ))
    return rules


def _declared_rules(raw_rules: object, fail: Callable[..., NoReturn]) -> list[Rule]:
    if not isinstance(raw_rules, list):
        fail("rules 应为 [[rules]] 列表")
    assert isinstance(raw_rules, list)
    out: list[Rule] = []
    ids: set[str] = set()
    for index, raw in enumerate(raw_rules, start=1):
        rid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(rid, str) or not rid:
            fail("规则缺少 id", row=f"rules[{index}]", column="id")
        if rid in ids:
            fail("规则 id 重复", row=rid, column="id", value=rid)
        ids.add(rid)
        unknown = sorted(set(raw) - {"id", "expr", "severity", "message", "note", "levels"})
        if unknown:
            fail(f"规则有未知字段 {', '.join(unknown)}", row=rid, column=unknown[0])
        for f in ("expr", "message"):
            if not isinstance(raw.get(f), str) or not raw[f].strip():
                fail(f"规则缺少 {f}", row=rid, column=f)
        severity = raw.get("severity", "error")
        if severity not in SEVERITIES:
            fail(f"severity 应为 {'/'.join(SEVERITIES)} 之一", row=rid, column="severity", value=severity)
        levels = raw.get("levels", [])
        if not isinstance(levels, list) or any(level not in RULE_LEVELS for level in levels):
            fail(f"levels 应为 {'/'.join(RULE_LEVELS)} 组成的列表", row=rid, column="levels", value=levels)
        out.append(Rule(id=rid, expr=raw["expr"], severity=severity, message=raw["message"], note=raw.get("note", ""),
                        levels=tuple(levels)))
    return out
