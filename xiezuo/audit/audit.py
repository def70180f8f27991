"""One call from a document to findings: extract, map to the table, check. Plain Python."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from xiezuo.audit.attached import attached_table
from xiezuo.audit.checks import AuditFinding, run_checks
from xiezuo.audit.extract import Extraction, extract
from xiezuo.audit.mapping import AuditContext, map_figures
from xiezuo.audit.numerals import fmt
from xiezuo.audit.reader import Document, document_from_text
from xiezuo.catalogue.loader import Catalogue
from xiezuo.core.errors import InvalidValue, Location

TableValues = Mapping[str, Decimal | str | None]


TITLE_UNIT_RE = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:县|区|市|旗))\s*20\d{2}\s*年度?[^。\n]{0,20}自评报告")
MIN_ATTACHED_ROWS = 10  # fewer matched lines is not the statistics table


@dataclass
class AuditResult:
    extraction: Extraction
    findings: list[AuditFinding]
    table_source: str = ""  # "table" (the database or a file), "attached" (the report's 附件1) or ""
    table_rows: int = 0

    def visible(self, min_confidence: float = 0.0) -> list[AuditFinding]:
        return [f for f in self.findings if f.confidence >= min_confidence]


_PAGE_NUMBER_RE = re.compile(r"^\s*(?:[—–-]\s*\d{1,3}\s*[—–-]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)\s*$")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、](?!\d)|附件)")
_TERMINAL = tuple("。！？；：”」』）)")


def unwrap_pdf_text(text: str) -> str:
    """A PDF's text layer as paragraphs: lines wrapped inside a sentence joined without the break
    (有限\n公司 → 有限公司), page numbers (— 4 —) dropped. Headings and sentence ends keep theirs."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _PAGE_NUMBER_RE.match(line):
            continue
        if out and out[-1].strip() and line.strip() and not out[-1].rstrip().endswith(_TERMINAL) \
                and not _HEADING_START.match(line) and not _HEADING_START.match(out[-1]) and "\t" not in line:
            out[-1] = out[-1].rstrip() + line.strip()
            continue
        out.append(line)
    return "\n".join(out)


def audit_document(document: Document, *, catalogue: Catalogue | None = None, table: TableValues | None = None,
                   context: AuditContext | None = None, use_attached: bool = False) -> AuditResult:
    """Extract, map and check. With `use_attached` and no `table`, compare with the report's own 附件1."""
    if document.source.lower().endswith(".pdf"):
        # Quotes and highlights then point into the unwrapped text, which the result carries.
        document = document_from_text(unwrap_pdf_text(document.text), source=document.source)
    year = context.year if context else None
    ex = extract(document, report_year=year)
    if context is None or not context.west_names:
        # Without a unit given, the report's title names its own county (会宁县2023年度…自评报告).
        m = TITLE_UNIT_RE.search(document.text[:3000])
        context = AuditContext(year=ex.report_year, west_names=(m.group(1),) if m else (),
                               east_names=context.east_names if context else ())
    ex.west_names = context.short_names(context.west_names) if context else ()
    where: dict[str, int] | None = None
    source = "table" if table else ""
    if catalogue is not None:
        map_figures(ex, catalogue, context or AuditContext(year=ex.report_year))
        if not table and use_attached:
            attached, where = attached_table(document, catalogue)
            if len(attached) >= MIN_ATTACHED_ROWS:
                table, source = attached, "attached"
    result = AuditResult(extraction=ex, findings=run_checks(ex, catalogue, table, where))
    result.table_source = source
    result.table_rows = sum(1 for v in (table or {}).values() if v is not None)
    return result


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
            "year": f.year or (ex.report_year if not f.is_other_year else None),
            "subject": f.subject,
            "side": f.side,
            "scope": f.scope,
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
