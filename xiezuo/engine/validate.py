"""Evaluate a catalogue's rules over the values of many org units at once; check a template's rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NoReturn

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.core.errors import CatalogueError, Location
from xiezuo.engine.rules import CompiledRule, Env, Values, compile_rule, expression_codes

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    codes: tuple[str, ...]
    values: dict[str, str | None]
    message: str
    org_code: str = ""
    implied: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "codes": list(self.codes),
            "values": self.values,
            "message": self.message,
        }


def catalogue_check(catalogue: Catalogue) -> Catalogue:
    """The engine's side of loading a template: every rule compiles, every `derive` spec parses and
    every formula names rows that exist. Raises a `CatalogueError` naming the file, row and column."""
    from xiezuo.engine.derive import SpecError, parse_spec

    def fail(message: str, row: str, column: str, value: object = None) -> NoReturn:
        raise CatalogueError(message, location=Location(file=catalogue.source, row=row, column=column, value=value))

    for rule in catalogue.rules:
        try:
            compile_rule(rule, catalogue)
        except CatalogueError as exc:
            fail(f"规则 {rule.id}：{exc.message}", row=rule.id, column="expr", value=rule.expr)
    for row in catalogue.rows:
        if row.derive is not None:
            try:
                parse_spec(row.derive, code=row.code, unit=row.unit, value_kind=row.value_kind, places=row.places)
            except SpecError as exc:
                fail(f"derive：{exc}", row=row.code, column="derive", value=str(row.derive))
        if row.formula:
            unknown_codes = [c for c in expression_codes(row.formula) if c not in catalogue.by_code]
            if unknown_codes:
                fail(f"formula 引用了不存在的行 {', '.join(unknown_codes)}", row=row.code, column="formula")
    return catalogue


@lru_cache(maxsize=16)
def compiled_rules(catalogue: Catalogue) -> tuple[CompiledRule, ...]:
    return tuple(compile_rule(rule, catalogue) for rule in catalogue.rules)


def format_number(value: object, row: Row | None = None) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if row is not None:
            text = row.format(value)
            return f"{text}{row.unit}" if row.unit and row.unit != "%" else (text + "%" if row.unit == "%" else text)
        q = value.quantize(Decimal("0.0001"))
        text = format(q, "f").rstrip("0").rstrip(".") if "." in format(q, "f") else format(q, "f")
        return text
    return str(value)


def render_message(compiled: CompiledRule, env: Env, catalogue: Catalogue) -> str:
    out: list[str] = []
    for part in compiled.message_parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, tuple):
            code = part[1]
            out.append(format_number(env.values.get(code), catalogue.by_code[code]))
        else:
            out.append(format_number(part(env)))
    return "".join(out)


def validate_units(
    catalogue: Catalogue,
    values_by_unit: Mapping[str, Values],
    previous_by_unit: Mapping[str, Values] | None = None,
    *,
    rules: Iterable[CompiledRule] | None = None,
    levels: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every rule over every unit. Keys are org codes; a rule whose inputs are missing is skipped.

    `levels` maps org codes to their level (county, city, …): a rule declared for some levels
    only is skipped elsewhere. A unit without a level gets every rule.
    """
    previous_by_unit = previous_by_unit or {}
    levels = levels or {}
    active = tuple(rules) if rules is not None else compiled_rules(catalogue)
    findings: list[Finding] = []
    for org_code, values in values_by_unit.items():
        env = Env(values, previous_by_unit.get(org_code))
        level = levels.get(org_code)
        for compiled in active:
            if level is not None and compiled.rule.levels and level not in compiled.rule.levels:
                continue
            outcome = compiled.check(env)
            if outcome is None or outcome is True:
                continue
            if not isinstance(outcome, bool):
                # A numeric expression used as a rule: zero counts as a failure.
                if outcome:
                    continue
            findings.append(
                Finding(
                    rule=compiled.rule.id,
                    severity=compiled.rule.severity,
                    codes=compiled.codes,
                    values={
                        c: (catalogue.by_code[c].format(v) if (v := values.get(c)) is not None else None)
                        for c in compiled.codes
                    },
                    message=render_message(compiled, env, catalogue),
                    org_code=org_code,
                    implied=compiled.rule.implied,
                )
            )
    findings.sort(key=lambda f: (f.org_code, SEVERITY_ORDER.get(f.severity, 9)))
    return findings
