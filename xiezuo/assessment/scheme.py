"""Scoring schemes (考核方案) as data files, and scoring one unit against one.

Plain Python: a scheme is parsed from TOML into `Scheme`; `score_unit` takes a unit's values, last
year's values and its targets and returns its score, grade and every point lost with the row, the
target, the actual value and the reason. Nothing here touches the database.

A scheme lists items (a row and a weight) with the tests the row must pass:

    target               at least the unit's target for the year (`partial = true`: points in
                         proportion to the share of the target reached)
    not_below_last_year  at least last year's value
    at_least             at least a fixed `value` (资金使用比例 ≥ 90)
    expr                 any expression of the rule language (xiezuo/engine/rules.py), with a
                         `reason` said when it fails

A test the data cannot decide — no target set, no figure for last year — is not scored, and the
score is the share of the points that could be scored, out of 100.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.errors import CatalogueError, Location, XiezuoError
from xiezuo.engine.rules import Compiled, Env, compile_expression, parse_expression
from xiezuo.engine.validate import format_number

TESTS = ("target", "not_below_last_year", "at_least", "expr")
TEST_LABELS = {
    "target": "不低于年度目标",
    "not_below_last_year": "不低于上年",
    "at_least": "不低于规定值",
    "expr": "规则",
}
SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
EXAMPLE_SCHEME = SCHEMES_DIR / "example.toml"

Values = Mapping[str, Decimal | str | None]


class SchemeError(XiezuoError):
    code = "scheme_invalid"


@dataclass(frozen=True)
class Test:
    kind: str
    points: Decimal
    value: Decimal | None = None
    expr: str | None = None
    reason: str = ""
    partial: bool = False


@dataclass(frozen=True)
class Item:
    row: str
    weight: Decimal
    tests: tuple[Test, ...]
    note: str = ""


@dataclass(frozen=True)
class Band:
    grade: str
    min: Decimal


@dataclass(frozen=True)
class Scheme:
    name: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]  # highest first
    source: str = ""
    description: str = ""
    official: bool = False

    @property
    def total(self) -> Decimal:
        return sum((i.weight for i in self.items), Decimal(0))

    def grade(self, score: Decimal) -> str:
        for band in self.bands:
            if score >= band.min:
                return band.grade
        return self.bands[-1].grade

    @property
    def target_rows(self) -> list[str]:
        return [i.row for i in self.items if any(t.kind == "target" for t in i.tests)]


def _decimal(raw: object, fail_at: Location, what: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise SchemeError(f"{what}应为数值", location=fail_at)
    try:
        # TOML floats are read as binary floats; their shortest repr is what the file says.
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw))
    except InvalidOperation:
        raise SchemeError(f"{what}应为数值", location=fail_at) from None
    if not value.is_finite():
        raise SchemeError(f"{what}应为有限的数值", location=fail_at)
    return value


def load_scheme(path: Path | str) -> Scheme:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemeError(f"无法读取考核方案文件：{exc.strerror}", location=Location(file=str(path))) from exc
    return parse_scheme(text, source=path.name)


def parse_scheme(text: str, *, source: str = "<text>") -> Scheme:
    def at(row: str | int | None = None, column: str | None = None, value: object = None) -> Location:
        return Location(file=source, row=row, column=column, value=value)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"TOML 格式错误：{exc}", location=at()) from exc
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemeError("缺少 name（方案名称）", location=at(column="name"))
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise SchemeError("缺少 [[items]]：方案至少应考核一行", location=at(column="items"))

    items: list[Item] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_items, start=1):
        where = f"items[{i}]"
        if not isinstance(raw, dict):
            raise SchemeError("每一项应是一个表（[[items]]）", location=at(where))
        unknown = sorted(set(raw) - {"row", "weight", "tests", "note"})
        if unknown:
            raise SchemeError(f"未知字段 {', '.join(unknown)}", location=at(where, unknown[0]))
        row = raw.get("row")
        if not isinstance(row, str) or not row:
            raise SchemeError("缺少 row（考核的指标代码）", location=at(where, "row"))
        where = f"items[{i}]（{row}）"
        if row in seen:
            raise SchemeError("同一指标出现了两次", location=at(where, "row", row))
        seen.add(row)
        weight = _decimal(raw.get("weight"), at(where, "weight", raw.get("weight")), "weight（分值）")
        if weight <= 0:
            raise SchemeError("weight（分值）应大于 0", location=at(where, "weight", weight))
        raw_tests = raw.get("tests")
        if not isinstance(raw_tests, list) or not raw_tests:
            raise SchemeError("缺少 [[items.tests]]：每项至少一个考核条件", location=at(where, "tests"))
        tests: list[Test] = []
        given = [t.get("points") for t in raw_tests if isinstance(t, dict)]
        if any(p is not None for p in given) and any(p is None for p in given):
            raise SchemeError("同一项的考核条件要么都写 points，要么都不写（平分分值）", location=at(where, "points"))
        for j, t in enumerate(raw_tests, start=1):
            tw = f"{where} tests[{j}]"
            if not isinstance(t, dict):
                raise SchemeError("考核条件应是一个表", location=at(tw))
            unknown = sorted(set(t) - {"test", "points", "value", "expr", "reason", "partial"})
            if unknown:
                raise SchemeError(f"未知字段 {', '.join(unknown)}", location=at(tw, unknown[0]))
            kind = t.get("test")
            if kind not in TESTS:
                raise SchemeError(f"test 应为 {'/'.join(TESTS)} 之一", location=at(tw, "test", kind))
            points = (
                _decimal(t["points"], at(tw, "points", t["points"]), "points（分值）")
                if t.get("points") is not None else (weight / len(raw_tests))
            )
            value = None
            if kind == "at_least":
                value = _decimal(t.get("value"), at(tw, "value", t.get("value")), "value（规定值）")
            expr = t.get("expr")
            if kind == "expr":
                if not isinstance(expr, str) or not expr.strip():
                    raise SchemeError("test = \"expr\" 需要 expr（规则表达式）", location=at(tw, "expr"))
                if not isinstance(t.get("reason"), str) or not t["reason"].strip():
                    raise SchemeError("test = \"expr\" 需要 reason（不通过时的扣分理由）", location=at(tw, "reason"))
                try:
                    parse_expression(expr)
                except CatalogueError as exc:
                    raise SchemeError(exc.message, location=at(tw, "expr", expr)) from exc
            tests.append(Test(kind=kind, points=points, value=value, expr=expr, reason=t.get("reason", ""),
                              partial=bool(t.get("partial", False))))
        total = sum((t.points for t in tests), Decimal(0))
        if abs(total - weight) > Decimal("0.0001"):
            raise SchemeError(f"各考核条件的 points 之和 {total} 不等于该项 weight {weight}", location=at(where, "points"))
        items.append(Item(row=row, weight=weight, tests=tuple(tests), note=raw.get("note", "")))

    raw_bands = data.get("bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        raise SchemeError("缺少 [[bands]]（好、较好、一般、差 的分数线）", location=at(column="bands"))
    bands: list[Band] = []
    for k, b in enumerate(raw_bands, start=1):
        bw = f"bands[{k}]"
        if not isinstance(b, dict) or not isinstance(b.get("grade"), str) or not b["grade"]:
            raise SchemeError("每档需要 grade（等次）", location=at(bw, "grade"))
        bands.append(Band(grade=b["grade"], min=_decimal(b.get("min"), at(bw, "min", b.get("min")), "min（最低分）")))
    bands.sort(key=lambda b: b.min, reverse=True)
    if bands[-1].min > 0:
        raise SchemeError("最低一档的 min 应为 0，使每个分数都有等次", location=at("bands", "min", bands[-1].min))
    return Scheme(
        name=name.strip(), items=tuple(items), bands=tuple(bands), source=source,
        description=str(data.get("description", "")).strip(), official=bool(data.get("official", False)),
    )


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class LostPoint:
    row: str
    label: str
    unit: str
    test: str
    target: str | None  # what the row had to reach, as printed ("240人", "90%", "上年 232人")
    actual: str | None
    points: Decimal
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row, "label": self.label, "test": self.test, "target": self.target,
            "actual": self.actual, "points": _plain(self.points), "reason": self.reason,
        }


@dataclass(frozen=True)
class UnitScore:
    org_code: str
    org_name: str
    score: Decimal  # out of 100
    grade: str
    earned: Decimal
    possible: Decimal  # points that could be scored (tests the data could decide)
    lost: list[LostPoint] = field(default_factory=list)
    not_scored: list[LostPoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "org": {"code": self.org_code, "name": self.org_name},
            "score": _plain(self.score), "grade": self.grade,
            "earned": _plain(self.earned), "possible": _plain(self.possible),
            "lost": [p.as_dict() for p in self.lost],
            "not_scored": [p.as_dict() for p in self.not_scored],
        }


def _plain(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_scheme(scheme: Scheme, catalogue: Catalogue) -> dict[str, Compiled]:
    """Every item names a numeric row of the year's template; expressions compile. Returns them compiled."""
    compiled: dict[str, Compiled] = {}
    for item in scheme.items:
        row = catalogue.by_code.get(item.row)
        if row is None or not row.is_numeric:
            raise SchemeError(f"{catalogue.year} 年度统计表中没有数值指标「{item.row}」",
                              location=Location(file=scheme.source, row=item.row, column="row", value=item.row))
        for test in item.tests:
            if test.kind == "expr" and test.expr and test.expr not in compiled:
                try:
                    compiled[test.expr] = compile_expression(parse_expression(test.expr), catalogue)
                except CatalogueError as exc:
                    raise SchemeError(exc.message, location=Location(
                        file=scheme.source, row=item.row, column="expr", value=test.expr)) from exc
    return compiled


def _shown(row: Row, value: object) -> str | None:
    return None if value is None else format_number(value, row)


def score_unit(
    scheme: Scheme,
    catalogue: Catalogue,
    *,
    org_code: str,
    org_name: str,
    values: Values,
    previous: Values,
    targets: Mapping[str, Decimal],
    compiled: Mapping[str, Compiled] | None = None,
) -> UnitScore:
    compiled = compiled if compiled is not None else check_scheme(scheme, catalogue)
    env = Env(values, previous)
    earned = possible = Decimal(0)
    lost: list[LostPoint] = []
    not_scored: list[LostPoint] = []
    for item in scheme.items:
        row = catalogue.by_code[item.row]
        actual = values.get(item.row)
        actual_num = actual if isinstance(actual, Decimal) else None
        for test in item.tests:
            def point(target: str | None, reason: str, points: Decimal | None = None,
                      row: Row = row, test: Test = test, actual: Decimal | None = actual_num) -> LostPoint:
                return LostPoint(row=row.code, label=row.label, unit=row.unit, test=TEST_LABELS[test.kind],
                                 target=target, actual=_shown(row, actual),
                                 points=test.points if points is None else points, reason=reason)

            # What the row must reach, or why the test cannot be decided.
            bar: Decimal | None = None
            bar_text: str | None = None
            if test.kind == "target":
                bar = targets.get(item.row)
                if bar is None:
                    not_scored.append(point(None, "未设定年度目标，本项不计分"))
                    continue
                bar_text = _shown(row, bar)
            elif test.kind == "not_below_last_year":
                prev = previous.get(item.row)
                if not isinstance(prev, Decimal):
                    not_scored.append(point(None, "上年无此项数据，本项不计分"))
                    continue
                bar, bar_text = prev, f"上年 {_shown(row, prev)}"
            elif test.kind == "at_least":
                bar, bar_text = test.value, _shown(row, test.value)
            possible += test.points

            if test.kind == "expr":
                outcome = compiled[test.expr](env) if test.expr else None
                if outcome is True or (outcome is not None and not isinstance(outcome, bool) and outcome):
                    earned += test.points
                else:
                    why = test.reason if outcome is not None else f"{test.reason}（所需数据未填报）"
                    lost.append(point(test.expr, why))
                continue
            if actual_num is None:
                lost.append(point(bar_text, "未填报，不得分"))
                continue
            assert bar is not None
            if actual_num >= bar:
                earned += test.points
                continue
            if test.kind == "target" and test.partial and bar > 0:
                got = (test.points * actual_num / bar).quantize(Decimal("0.01"))
                earned += got
                share = (actual_num / bar * 100).quantize(Decimal("0.1"))
                lost.append(point(bar_text, f"完成年度目标的 {share}%，按比例得分", test.points - got))
                continue
            reason = {
                "target": "未完成年度目标",
                "not_below_last_year": "低于上年",
                "at_least": f"低于规定值 {bar_text}",
            }[test.kind]
            lost.append(point(bar_text, reason))
    score = (earned / possible * 100).quantize(Decimal("0.01")) if possible else Decimal(0)
    return UnitScore(org_code=org_code, org_name=org_name, score=score, grade=scheme.grade(score),
                     earned=earned.quantize(Decimal("0.01")), possible=possible.quantize(Decimal("0.01")),
                     lost=lost, not_scored=not_scored)


def ranked(scores: list[UnitScore]) -> list[tuple[int, UnitScore]]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.score, s.org_code))
    out: list[tuple[int, UnitScore]] = []
    for i, s in enumerate(ordered):
        rank = out[-1][0] if out and out[-1][1].score == s.score else i + 1
        out.append((rank, s))
    return out
