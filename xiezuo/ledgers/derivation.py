"""Table values derived from the ledgers, and the clerk's reconciliation of them with the table.

Reads go through the plain engine (`xiezuo.engine.derive`): one grouped query per ledger for all
counties. Writes (accepting a derived value, keeping an entered one) are services with change
records in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.changes import change_record
from xiezuo.core.errors import InvalidValue, NotFound, PermissionDenied
from xiezuo.engine.derive import DeriveSpec, derive_all, parse_spec
from xiezuo.ledgers.models import Decision, Reconciliation
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue, Source


@lru_cache(maxsize=8)
def catalogue_specs(catalogue: Catalogue) -> tuple[DeriveSpec, ...]:
    """Every derivable row of a year's template (specs were checked when the file was loaded)."""
    return tuple(
        parse_spec(r.derive, code=r.code, unit=r.unit, value_kind=r.value_kind, places=r.places)
        for r in catalogue.rows
        if r.derive is not None
    )


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def derived_values(year: int, orgs: Iterable[OrgUnit] | None = None) -> dict[str, dict[str, Decimal]]:
    """{org code: {row code: derived value}} — all counties when `orgs` is None.

    One query per ledger the template derives from (plus one for org codes), whatever the number
    of counties.
    """
    specs = catalogue_specs(get_catalogue(year))
    if orgs is None:
        ids = None
        code_of = dict(OrgUnit.objects.filter(level="county").values_list("pk", "code"))
    else:
        code_of = {o.pk: o.code for o in orgs}
        ids = list(code_of)
    found = derive_all(specs, _execute, years=[year], org_ids=ids)
    return {code_of[org_id]: values for (org_id, _y), values in found.items() if org_id in code_of}


@dataclass(frozen=True)
class ReconLine:
    row: Row
    entered: Decimal | None  # what the table holds now
    source: str | None  # entered / derived / aggregated
    published: bool
    derived: Decimal | None  # None: no records in that ledger
    decision: str | None  # latest decision: accept / keep
    reason: str
    decided_by: str
    decided_at: str | None

    @property
    def difference(self) -> Decimal | None:
        if self.entered is None or self.derived is None:
            return None
        return self.derived - self.entered

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    def as_dict(self) -> dict[str, object]:
        fmt = self.row.format
        return {
            "code": self.row.code,
            "label": self.row.label,
            "unit": self.row.unit,
            "ledger": (self.row.derive or {}).get("ledger"),
            "entered": None if self.entered is None else fmt(self.entered),
            "derived": None if self.derived is None else fmt(self.derived),
            "difference": None if self.difference is None else fmt(self.difference) if self.difference >= 0
            else "-" + fmt(-self.difference),
            "source": self.source,
            "published": self.published,
            "decision": self.decision,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
        }


def _number(dv: DataValue | None) -> Decimal | None:
    if dv is None or dv.number is None:
        return None
    n = dv.number.normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


def reconciliation_for(org: OrgUnit, year: int) -> list[ReconLine]:
    """Every derivable row in table order: entered beside derived, with the latest decision."""
    catalogue = get_catalogue(year)
    derived = derived_values(year, [org]).get(org.code, {})
    stored = {v.code: v for v in DataValue.objects.filter(org=org, year=year)}
    latest: dict[str, Reconciliation] = {}
    for rec in Reconciliation.objects.filter(org=org, year=year).order_by("decided_at", "id"):
        latest[rec.code] = rec
    lines = []
    for row in catalogue.rows:
        if row.derive is None:
            continue
        dv = stored.get(row.code)
        dec = latest.get(row.code)
        lines.append(ReconLine(
            row=row, entered=_number(dv), source=dv.source if dv else None, published=bool(dv and dv.published),
            derived=derived.get(row.code), decision=dec.decision if dec else None,
            reason=dec.reason if dec else "", decided_by=dec.decided_by_name if dec else "",
            decided_at=dec.decided_at.isoformat() if dec else None,
        ))
    return lines


def _derivable_row(year: int, code: str) -> Row:
    row = get_catalogue(year).by_code.get(code)
    if row is None or row.derive is None:
        raise NotFound(f"指标「{code}」不能由台账生成")
    return row


def _check(by: AbstractBaseUser | None, org: OrgUnit) -> None:
    if by is None:
        return
    from xiezuo.accounts.scope import Action, can

    if not can(by, Action.EDIT, org):
        raise PermissionDenied(f"您无权修改{org.name}的统计表")


def reconciliation_accept(
    *, org: OrgUnit, year: int, code: str, by: AbstractBaseUser | None, expected_version: int | None = None
) -> Reconciliation:
    """Write the derived value into the table (source = derived) and record the decision."""
    from xiezuo.tables.services import value_set

    row = _derivable_row(year, code)
    _check(by, org)
    derived = derived_values(year, [org]).get(org.code, {}).get(code)
    if derived is None:
        raise InvalidValue(f"「{row.label}」对应的台账中没有记录，无法采用台账生成值")
    with transaction.atomic():
        current = DataValue.objects.filter(org=org, year=year, code=code).first()
        entered = _number(current)
        value_set(org=org, year=year, code=code, raw=str(derived), by=by, expected_version=expected_version,
                  source=Source.DERIVED, note="采用台账生成值")
        rec = Reconciliation.objects.create(
            org=org, year=year, code=code, entered=entered, derived=derived, decision=Decision.ACCEPT_DERIVED,
            decided_by=by if by is not None and by.pk else None,  # type: ignore[misc]
            decided_by_name=by.get_username() if by is not None else "系统",
        )
        change_record(actor=by, action="reconciliation.accept", object_type="ledgers.reconciliation",
                      object_key=f"{org.code}/{year}/{code}", org_code=org.code, year=year,
                      old={"entered": None if entered is None else str(entered)},
                      new={"derived": str(derived)})
    return rec


def reconciliation_keep(
    *, org: OrgUnit, year: int, code: str, reason: str, by: AbstractBaseUser | None
) -> Reconciliation:
    """Keep the entered value; a written reason is required and kept with who and when."""
    row = _derivable_row(year, code)
    _check(by, org)
    if not reason.strip():
        raise InvalidValue(f"保留「{row.label}」的填报值时必须写明理由")
    derived = derived_values(year, [org]).get(org.code, {}).get(code)
    with transaction.atomic():
        entered = _number(DataValue.objects.filter(org=org, year=year, code=code).first())
        rec = Reconciliation.objects.create(
            org=org, year=year, code=code, entered=entered, derived=derived, decision=Decision.KEEP_ENTERED,
            reason=reason.strip(), decided_by=by if by is not None and by.pk else None,  # type: ignore[misc]
            decided_by_name=by.get_username() if by is not None else "系统",
        )
        change_record(actor=by, action="reconciliation.keep", object_type="ledgers.reconciliation",
                      object_key=f"{org.code}/{year}/{code}", org_code=org.code, year=year,
                      new={"entered": None if entered is None else str(entered),
                           "derived": None if derived is None else str(derived)},
                      comment=reason.strip())
    return rec


def reconciliation_history(org: OrgUnit, year: int, code: str) -> list[Reconciliation]:
    return list(Reconciliation.objects.filter(org=org, year=year, code=code).select_related("decided_by"))
