"""Writes of ledger records: file import (all or nothing), single-record create/update/delete.

Every write runs in one transaction together with its change records. Permission checks use
`accounts.scope`; `by=None` is the system itself (the CLI run by the operator, the demo loader).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from xiezuo.core.changes import change_record
from xiezuo.core.errors import (
    ErrorReport,
    InvalidValue,
    Location,
    NotFound,
    PermissionDenied,
    StaleEdit,
    XiezuoError,
)
from xiezuo.core.models import ChangeRecord
from xiezuo.core.textcheck import shown
from xiezuo.ledgers import idcard
from xiezuo.ledgers.checks import CellError, check_record, check_rows
from xiezuo.ledgers.files import read_ledger_file
from xiezuo.ledgers.models import LedgerRecord
from xiezuo.ledgers.models.base import yuan_from_wan
from xiezuo.ledgers.schema import Ledger, ledger_of
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import refuse_if_locked

BATCH = 5000


def model_of(ledger: Ledger) -> type[LedgerRecord]:
    return apps.get_model(ledger.model)  # type: ignore[return-value]


def _actor(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return by if by is not None and by.pk else None


def _check_can_edit(by: AbstractBaseUser | None, org: OrgUnit) -> None:
    if by is None:
        return
    from xiezuo.accounts.scope import Action, can

    if not can(by, Action.EDIT, org):
        raise PermissionDenied(f"您无权修改{org.name}的台账")


def _public(ledger: Ledger, rec: dict[str, Any]) -> dict[str, Any]:
    """A record as change records keep it: JSON-safe, ID numbers masked."""
    return {n: rec.get(n) if f is None else f(rec.get(n)) for n, f in _public_plan(ledger)}


def errors_as_report(errors: list[CellError], file: str | None) -> ErrorReport:
    return ErrorReport(
        errors=[
            InvalidValue(e.reason, location=Location(sheet=e.sheet, row=e.row, column=e.column, value=e.value))
            for e in errors
        ],
        file=file,
    )


@dataclass
class ImportResult:
    kind: str
    file: str
    rows: int
    deleted: int = 0
    dry_run: bool = False
    errors: list[CellError] = field(default_factory=list)


def ledger_import(
    *,
    kind: str,
    path: Path,
    org: OrgUnit,
    year: int,
    by: AbstractBaseUser | None = None,
    replace: bool = True,
    dry_run: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    synthetic: bool = False,
    name: str | None = None,
) -> ImportResult:
    """Import one ledger file for one county and year (`name`: the file's name as uploaded).

    With `replace` (the default) the file is the county's whole ledger for the year and replaces
    what was there; otherwise its records are added. Any bad cell: ErrorReport listing every bad
    cell, nothing written. `dry_run` checks everything and writes nothing.
    """
    ledger = ledger_of(kind)
    _check_can_edit(by, org)
    data = read_ledger_file(path, ledger, name=name)
    return ledger_rows_import(
        kind=kind, headers=data.headers, rows=data.rows, sheet=data.sheet, file=shown(name or path.name, 80), org=org, year=year,
        by=by, replace=replace, dry_run=dry_run, on_progress=on_progress, synthetic=synthetic,
    )


def ledger_rows_import(
    *,
    kind: str,
    headers: list[object],
    rows: Any,
    org: OrgUnit,
    year: int,
    by: AbstractBaseUser | None = None,
    sheet: str | None = None,
    file: str = "",
    replace: bool = True,
    dry_run: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    synthetic: bool = False,
) -> ImportResult:
    """The import itself, from rows already read (files, or generated demo data)."""
    ledger = ledger_of(kind)
    _check_can_edit(by, org)
    if org.level != "county":
        raise InvalidValue(f"台账按县（市、区）填报，「{org.name}」不是县级单位")
    model = model_of(ledger)
    total = len(rows)
    known: set[str] = set()
    if ledger.person_key and not replace:
        known = set(model._default_manager.filter(org=org, year=year).values_list(ledger.person_key, flat=True))
    progress = (lambda n: on_progress("检查", n, total)) if on_progress else None
    checked = check_rows(ledger, headers, rows, year=year, sheet=sheet, known_keys=known, on_progress=progress)
    if checked.errors:
        raise errors_as_report(checked.errors, file or None)
    if dry_run:
        return ImportResult(kind=kind, file=file, rows=len(checked.records), dry_run=True)
    actor = _actor(by)
    actor_name = by.get_username() if by is not None else "系统"
    object_type = f"ledgers.{kind}"
    with transaction.atomic():
        refuse_if_locked(org=org, year=year, what="台账")
        deleted = 0
        if replace:
            deleted, _ = model._default_manager.filter(org=org, year=year).delete()
        _bulk_insert(
            ledger, model, checked.records, checked.rows, org=org, year=year, synthetic=synthetic, actor=actor,
            actor_name=actor_name, object_key=f"{org.code}/{year}/{file or kind}",
            on_progress=(lambda n: on_progress("写入", n, len(checked.records))) if on_progress else None,
        )
        change_record(
            actor=by, action="ledger.import_file", object_type=object_type, object_key=f"{org.code}/{year}/{kind}",
            org_code=org.code, year=year, old={"deleted": deleted} if replace else None,
            new={"file": file, "rows": len(checked.records), "replace": replace},
        )
    return ImportResult(kind=kind, file=file, rows=len(checked.records), deleted=deleted)


def _public_plan(ledger: Ledger) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """How each column goes into a change record: ID numbers masked, dates and amounts as text."""
    plan: list[tuple[str, Callable[[Any], Any] | None]] = []
    for col in (*ledger.columns, *ledger.computed):
        if col.type == "idno":
            plan.append((col.name, lambda v: idcard.mask(v) if v else v))
        elif col.type in ("date", "money"):
            plan.append((col.name, lambda v: None if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))))
        else:
            plan.append((col.name, None))
    return plan


def _insert_rows(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to a table: COPY on PostgreSQL, executemany elsewhere (values already adapted)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _bulk_insert(
    ledger: Ledger,
    model: type[LedgerRecord],
    records: list[dict[str, Any]],
    rows: list[int],
    *,
    org: OrgUnit,
    year: int,
    synthetic: bool,
    actor: AbstractBaseUser | None,
    actor_name: str,
    object_key: str,
    on_progress: Callable[[int], None] | None,
) -> None:
    """Insert checked records and one change record each, in batches of plain tuples.

    Django's bulk_create spends most of its time preparing values field by field; the records
    are already typed and checked, so each column is adapted once and the rows go in with COPY
    (PostgreSQL) or executemany (SQLite). Must run inside the import's transaction.
    """
    ops = connection.ops
    now = timezone.now()
    names = [c.name for c in (*ledger.columns, *ledger.computed)]
    adapters: list[Callable[[Any], Any] | None] = []
    for name in names:
        col = ledger.by_name[name]
        if col.type == "money":
            adapters.append(lambda v: None if v is None else yuan_from_wan(v))
        elif col.type == "date" and connection.vendor != "postgresql":
            adapters.append(lambda v: None if v is None else ops.adapt_datefield_value(v))
        else:
            adapters.append(None)
    plan = list(zip(names, adapters, strict=True))
    at = now if connection.vendor == "postgresql" else ops.adapt_datetimefield_value(now)
    columns = ["org_id", "year", "version", "synthetic", "updated_by_id", "updated_at", *names]
    fixed = (org.pk, year, 1, synthetic, actor.pk if actor is not None else None, at)

    public = _public_plan(ledger)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    cr_columns = ["at", "actor_id", "actor_name", "action", "object_type", "object_key", "org_code", "year",
                  "old", "new", "comment"]
    cr_fixed = (at, actor.pk if actor is not None else None, actor_name, "ledger.import", f"ledgers.{ledger.kind}")
    for start in range(0, len(records), BATCH):
        chunk = records[start:start + BATCH]
        _insert_rows(ledger.table, columns, [
            fixed + tuple(rec[n] if a is None else a(rec[n]) for n, a in plan) for rec in chunk
        ])
        _insert_rows(ChangeRecord._meta.db_table, cr_columns, [
            (*cr_fixed, f"{object_key}#{rows[start + i]}", org.code, year, None,
             dumps({n: rec.get(n) if f is None else f(rec.get(n)) for n, f in public}), "")
            for i, rec in enumerate(chunk)
        ])
        if on_progress:
            on_progress(start + len(chunk))


def _raise_cell_errors(errors: list[CellError], ledger: Ledger) -> None:
    raise ErrorReport(
        errors=[InvalidValue(e.reason, location=Location(column=e.column, value=e.value)) for e in errors],
        file=ledger.label,
    )


def ledger_record_create(
    *, kind: str, org: OrgUnit, year: int, data: dict[str, object], by: AbstractBaseUser | None
) -> LedgerRecord:
    """One record from a form: `data` maps field names to raw values, checked as an imported row."""
    ledger = ledger_of(kind)
    _check_can_edit(by, org)
    rec, errors = check_record(ledger, data, year=year)
    if errors:
        _raise_cell_errors(errors, ledger)
    model = model_of(ledger)
    with transaction.atomic():
        refuse_if_locked(org=org, year=year, what="台账")
        if ledger.person_key and model._default_manager.filter(org=org, year=year, **{ledger.person_key: rec[ledger.person_key]}).exists():
            col = ledger.by_name[ledger.person_key]
            raise InvalidValue("同一人在本年度已登记在台账中",
                               location=Location(column=col.header, value=idcard.mask(rec[ledger.person_key])))
        obj = model._default_manager.create(org=org, year=year, updated_by=_actor(by), **rec)  # type: ignore[misc]
        change_record(actor=by, action="ledger.create", object_type=f"ledgers.{kind}", object_key=str(obj.pk),
                      org_code=org.code, year=year, new=_public(ledger, rec))
    return obj


def _locked(kind: str, pk: int, expected_version: int) -> tuple[Ledger, models.Model]:
    ledger = ledger_of(kind)
    model = model_of(ledger)
    obj = model._default_manager.select_for_update().select_related("org").filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"「{ledger.label}」中没有这条记录（可能已被删除）")
    if obj.version != expected_version:
        raise StaleEdit(f"这条「{ledger.label}」记录已被他人修改，您的修改基于旧版本，未保存。请刷新后再改。")
    return ledger, obj


def ledger_record_update(
    *, kind: str, pk: int, data: dict[str, object], expected_version: int, by: AbstractBaseUser | None
) -> LedgerRecord:
    """Replace a record's values; refused when someone saved it after the editor loaded it."""
    with transaction.atomic():
        ledger, obj = _locked(kind, pk, expected_version)
        assert isinstance(obj, LedgerRecord)
        _check_can_edit(by, obj.org)
        refuse_if_locked(org=obj.org, year=obj.year, what="台账")
        rec, errors = check_record(ledger, data, year=obj.year)
        if errors:
            _raise_cell_errors(errors, ledger)
        if ledger.person_key:
            clash = model_of(ledger)._default_manager.filter(
                org_id=obj.org_id, year=obj.year, **{ledger.person_key: rec[ledger.person_key]}
            ).exclude(pk=obj.pk)
            if clash.exists():
                raise InvalidValue("同一人在本年度已登记在台账中")
        old = _public(ledger, {c.name: getattr(obj, c.name) for c in (*ledger.columns, *ledger.computed)})
        for name, value in rec.items():
            setattr(obj, name, value)
        obj.version += 1
        obj.updated_by = _actor(by)  # type: ignore[assignment]
        obj.save(update_fields=[*rec.keys(), "version", "updated_by", "updated_at"])
        change_record(actor=by, action="ledger.update", object_type=f"ledgers.{kind}", object_key=str(obj.pk),
                      org_code=obj.org.code, year=obj.year, old=old, new=_public(ledger, rec))
    return obj


def ledger_record_delete(*, kind: str, pk: int, expected_version: int, by: AbstractBaseUser | None) -> None:
    with transaction.atomic():
        ledger, obj = _locked(kind, pk, expected_version)
        assert isinstance(obj, LedgerRecord)
        _check_can_edit(by, obj.org)
        refuse_if_locked(org=obj.org, year=obj.year, what="台账")
        old = _public(ledger, {c.name: getattr(obj, c.name) for c in (*ledger.columns, *ledger.computed)})
        org_code, year = obj.org.code, obj.year
        obj.delete()
        change_record(actor=by, action="ledger.delete", object_type=f"ledgers.{kind}", object_key=str(pk),
                      org_code=org_code, year=year, old=old)


def import_error_dicts(report: ErrorReport) -> list[dict[str, object]]:
    """An import's errors as plain dicts (sheet, row, column, value, message) for views and JSON."""
    out = []
    for e in report.errors:
        d: dict[str, object] = e.as_dict() if isinstance(e, XiezuoError) else {"message": str(e)}
        d["reason"] = e.message if isinstance(e, XiezuoError) else str(e)
        out.append(d)
    return out
