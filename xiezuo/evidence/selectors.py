"""Reads of evidence files: a unit-year's list, and one file for a user allowed to see it."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from xiezuo.accounts.scope import org_for
from xiezuo.core.errors import NotFound
from xiezuo.evidence.models import EvidenceFile
from xiezuo.orgunits.models import OrgUnit


def evidence_of(org: OrgUnit, year: int, *, target: str = "", ledger_kind: str = "", record_id: int | None = None,
                row_code: str = "") -> QuerySet[EvidenceFile]:
    qs = EvidenceFile.objects.filter(org=org, year=year)
    if target:
        qs = qs.filter(target=target)
    if ledger_kind:
        qs = qs.filter(ledger_kind=ledger_kind)
    if record_id is not None:
        qs = qs.filter(record_id=record_id)
    if row_code:
        qs = qs.filter(row_code=row_code)
    return qs


def evidence_for_user(user: AbstractBaseUser | AnonymousUser | None, code: str, year: int, pk: int) -> EvidenceFile:
    """The file if the user may see the unit (its own staff, the city and province above); else NotFound."""
    org = org_for(user, code)
    ev = EvidenceFile.objects.filter(pk=pk, org=org, year=year).first()
    if ev is None:
        raise NotFound("没有这份佐证材料（可能已被删除）")
    return ev
