"""Audit a snippet of report text the way the CLI does, without the database."""

from __future__ import annotations

from decimal import Decimal

from xiezuo.audit.audit import AuditResult, audit_document
from xiezuo.audit.mapping import AuditContext
from xiezuo.audit.reader import document_from_text
from xiezuo.catalogue.registry import get_catalogue

CONTEXT = AuditContext(year=2023, west_names=("会宁县",), east_names=("和平区", "天津市"))


def run(text: str, table: dict[str, str] | None = None, *, context: AuditContext = CONTEXT) -> AuditResult:
    values = {k: Decimal(v) for k, v in (table or {}).items()}
    return audit_document(document_from_text(text), catalogue=get_catalogue(2023), table=values or None,
                          context=context)


def checks(result: AuditResult) -> list[str]:
    return [f.check for f in result.findings]
