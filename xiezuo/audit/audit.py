"""One call from a document to findings: extract, map to the table, check. Plain Python."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from xiezuo.audit.checks import AuditFinding, run_checks
from xiezuo.audit.extract import Extraction, extract
from xiezuo.audit.mapping import AuditContext, map_figures
from xiezuo.audit.numbers import fmt
from xiezuo.audit.reader import Document
from xiezuo.catalogue.loader import Catalogue
from xiezuo.core.errors import InvalidValue, Location

TableValues = Mapping[str, Decimal | str | None]


@dataclass
class AuditResult:
    extraction: Extraction
    findings: list[AuditFinding]

    def visible(self, min_confidence: float = 0.0) -> list[AuditFinding]:
        return [f for f in self.findings if f.confidence >= min_confidence]


def audit_document(document: Document, *, catalogue: Catalogue | None = None, table: TableValues | None = None,
                   context: AuditContext | None = None) -> AuditResult:
    year = context.year if context else None
    ex = extract(document, report_year=year)
    if catalogue is not None:
        map_figures(ex, catalogue, context or AuditContext(year=ex.report_year))
    return AuditResult(extraction=ex, findings=run_checks(ex, catalogue, table))


def facts(ex: Extraction) -> list[dict[str, object]]:
    """Every extracted figure, as a reviewer would want to see what was read."""
    out: list[dict[str, object]] = []
    for f in ex.figures:
        if f.relation == "implied":
            continue
        out.append({
            "value": fmt(f.value),
            "unit": f.unit,
            "text": f.text.strip(),
            "phrase": f.phrase,
            "label": f.pre + f.post,
            "entity": f.entity.name if f.entity else None,
            "entity_kind": f.entity.kind if f.entity else None,
            "year": f.year,
            "approx": f.approx,
            "relation": f.relation,
            "parent": ex.by_id(f.parent).text.strip() if f.parent is not None else None,
            "location": ex.document.location(f.start, f.end, f.heading),
            "row": f.row,
        })
    return out


def table_from_json(text: str, *, source: str = "table.json") -> dict[str, Decimal | str | None]:
    """Read the JSON written by `xiezuo table --format json` into values by row code."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidValue(f"不是有效的 JSON：{exc.msg}（第 {exc.lineno} 行）", location=Location(file=source)) from exc
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise InvalidValue("应为 `xiezuo table --format json` 输出的行列表", location=Location(file=source))
    values: dict[str, Decimal | str | None] = {}
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise InvalidValue("每行应有 code", location=Location(file=source, row=index))
        raw = item.get("value")
        if raw is None or raw == "":
            values[item["code"]] = None
            continue
        if item.get("unit") and str(item.get("kind", "value")) == "value":
            try:
                values[item["code"]] = Decimal(str(raw).replace(",", ""))
                continue
            except InvalidOperation:
                pass
        values[item["code"]] = str(raw)
    return values
