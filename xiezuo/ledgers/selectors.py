"""Reads of ledgers shared by the web pages, the API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from xiezuo.core.errors import InvalidValue
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import LedgerRecord
from xiezuo.ledgers.schema import LEDGERS, Ledger, ledger_of
from xiezuo.ledgers.services import model_of
from xiezuo.orgunits.models import OrgUnit


def ledger_records(
    kind: str,
    org: OrgUnit,
    year: int,
    *,
    search: str = "",
    filters: Mapping[str, object] | None = None,
) -> QuerySet[LedgerRecord]:
    """Records of one county's ledger for a year, oldest first.

    `search` looks in the ledger's text columns; `filters` maps a coded or yes/no column to a
    value (code or Chinese label) — what the list page's filter dropdowns send.
    """
    ledger = ledger_of(kind)
    qs = model_of(ledger)._default_manager.filter(org=org, year=year).select_related("org", "updated_by")
    if search.strip():
        q = Q()
        for name in ledger.search:
            q |= Q(**{f"{name}__icontains": search.strip()})
        qs = qs.filter(q)
    for name, raw in (filters or {}).items():
        col = ledger.by_name.get(name)
        if col is None or col.type not in ("code", "bool"):
            raise InvalidValue(f"「{ledger.label}」不能按「{name}」筛选")
        if col.type == "bool":
            qs = qs.filter(**{name: str(raw) in ("1", "true", "True", "是")})
        else:
            code = col.code_of.get(str(raw))
            if code is None:
                raise InvalidValue(f"「{col.header}」没有可选值「{raw}」")
            qs = qs.filter(**{name: code})
    return qs.order_by("id")


def record_display(ledger: Ledger, obj: LedgerRecord, *, reveal_ids: bool = False) -> dict[str, Any]:
    """A record's values as shown on a page: labels for codes, 是/否, masked ID numbers."""
    from xiezuo.ledgers.files import cell_out

    return {c.name: cell_out(c, getattr(obj, c.name), reveal_ids=reveal_ids) for c in (*ledger.columns, *ledger.computed)}


def ledger_counts(org: OrgUnit, year: int) -> dict[str, int]:
    """How many records each ledger holds (one query per ledger)."""
    return {ledger.kind: model_of(ledger)._default_manager.filter(org=org, year=year).count() for ledger in LEDGERS}


def masked(number: str) -> str:
    return idcard.mask(number)
