"""Writes of ledger records as actions: file import (all or nothing), single-record create/update/delete.

Every write runs in one transaction together with its change records, through the write gate
(`core.actions`): permission from `accounts.scope`, the one lock rule, then the write; `by=None` is
the system itself (the CLI run by the operator, the demo loader).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from xiezuo.accounts.scope import Permission
from xiezuo.core import stamps
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.changes import actor_display_name, stored_actor
from xiezuo.core.errors import (
    ErrorReport,
    InvalidValue,
    Location,
    NotFound,
    StaleEdit,
    XiezuoError,
)
from xiezuo.core.models import ChangeRecord
from xiezuo.core.money import yuan_from_wan
from xiezuo.core.textcheck import shown
from xiezuo.ledgers import idcard
from xiezuo.ledgers.cells import CellError, check_record, check_rows
from xiezuo.ledgers.files import read_ledger_file
from xiezuo.ledgers.models import Decision, LedgerRecord, Reconciliation
from xiezuo.ledgers.schema import Ledger, ledger_of
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue, Source

BATCH = 5000


def model_of(ledger: Ledger) -> type[LedgerRecord]:
    model = apps.get_model(ledger.model)
    assert issubclass(model, LedgerRecord)
    return model


def _public(ledger: Ledger, rec: dict[str, Any]) -> dict[str, Any]:
    """A record as change records keep it: JSON-safe, ID numbers masked."""
    return {n: rec.get(n) if f is None else f(rec.get(n)) for n, f in _public_plan(ledger)}


def _comparable(ledger: Ledger, rec: dict[str, Any]) -> dict[str, Any]:
    """A record as `_public` gives it, amounts without their storage scale (12.0000 and 12 are one value)."""
    out = _public(ledger, rec)
    for col in ledger.columns:
        value = rec.get(col.name)
        if col.type == "money" and value is not None and col.name in out:
            out[col.name] = format(Decimal(str(value)).normalize(), "f")
    return out


def errors_as_report(errors: list[CellError], file: str | None) -> ErrorReport:
    return ErrorReport(
        errors=[
            InvalidValue(e.reason, location=Location(sheet=e.sheet, row=e.row, column=e.column, value=e.value))
            for e in errors
        ],
        file=file,
    )


class ImportMode:
    """How a file meets the ledger already stored: 追加 adds every row; 按记录更新 updates the records
    named by their 记录编号 and adds rows without one; 替换 removes the year's records first."""

    APPEND = "append"
    UPDATE = "update"
    REPLACE = "replace"
    LABELS = {APPEND: "追加", UPDATE: "按记录更新", REPLACE: "替换本年度全部记录"}
    ALL = (APPEND, UPDATE, REPLACE)


@dataclass
class RecordChange:
    """One stored record a file changes: its key, the file's row and the fields (header, old, new)."""

    key: int
    row: int
    fields: list[tuple[str, object, object]]


@dataclass
class ImportResult:
    kind: str
    file: str
    rows: int
    deleted: int = 0
    dry_run: bool = False
    errors: list[CellError] = field(default_factory=list)
    mode: str = ImportMode.APPEND
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RecordChange] = field(default_factory=list)
    added_rows: list[int] = field(default_factory=list)


def import_summary(result: ImportResult) -> dict[str, Any]:
    """What a job's page shows of a stored import (JSON)."""
    return {"file": result.file, "rows": result.rows, "added": result.added, "updated": result.updated,
            "deleted": result.deleted, "mode": result.mode}


def ledger_import(
    *,
    kind: str,
    path: Path,
    org: OrgUnit,
    year: int,
    by: AbstractBaseUser | None = None,
    replace: bool = True,
    mode: str | None = None,
    dry_run: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    synthetic: bool = False,
    name: str | None = None,
    expect_deleted: int | None = None,
    once_key: str | None = None,
) -> ImportResult:
    """Import one ledger file for one county and year (read before the transaction).

    `name` is the file's name as uploaded (stored under a short one of our own).

    `mode` (ImportMode; without it `replace` chooses between 替换 and 追加): with 替换 the file is
    the county's whole ledger for the year and replaces what was there; with 追加 its records are
    added; with 按记录更新 rows carrying a 记录编号 update those records and the others are added.
    Any bad cell: ErrorReport listing every bad cell, nothing written. `dry_run` checks everything,
    writes nothing and returns what would be added, changed and removed. `expect_deleted`: a
    replacement confirmed for that many removals is refused when the ledger holds another number.
    `once_key` (a job's): the import is stored at most once under it (core.actions.AlreadyApplied).
    """
    ledger = ledger_of(kind)
    data = read_ledger_file(path, ledger, name=name)
    return LedgerImport(
        kind=ledger.kind, headers=data.headers, rows=data.rows, sheet=data.sheet, file=shown(name or path.name, 80), org=org,
        year=year, by=by, replace=replace, mode=mode, dry_run=dry_run, on_progress=on_progress, synthetic=synthetic,
        expect_deleted=expect_deleted, once_key=once_key,
    ).execute()


@dataclass
class _Plan:
    checked: Any
    stored: dict[int, dict[str, Any]]
    versions: dict[int, int]
    updates: list[tuple[int, int, dict[str, Any], dict[str, Any], dict[str, Any]]]  # key, row, rec, old, new
    adds: list[int]  # indexes into checked.records
    unchanged: int


class LedgerImport(Action[ImportResult]):
    """Rows already read (a file, or generated demo data) checked cell by cell and stored all or nothing."""

    kind = ActionKind.LEDGER_IMPORT
    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = {"file": "文件", "rows": "记录数", "replace": "替换原有记录", "deleted": "删除记录数",
                    "mode": "导入方式", "added": "新增记录数", "updated": "更新记录数"}

    def __init__(  # `kind=` is the ledger's kind, as callers have always written it
        self, *, kind: str, headers: list[object], rows: Any, org: OrgUnit, year: int,
        by: AbstractBaseUser | None = None, sheet: str | None = None, file: str = "", replace: bool = True,
        mode: str | None = None, dry_run: bool = False, on_progress: Callable[[str, int, int], None] | None = None,
        synthetic: bool = False, expect_deleted: int | None = None, once_key: str | None = None,
    ) -> None:
        self.ledger = ledger_of(kind)
        self.ledger_kind = self.ledger.kind
        self.headers, self.rows, self.org, self.year, self.by = headers, rows, org, year, by
        self.mode = mode or (ImportMode.REPLACE if replace else ImportMode.APPEND)
        if self.mode not in ImportMode.ALL:
            raise InvalidValue(f"未知的导入方式「{shown(self.mode, 20)}」（可选：追加、按记录更新、替换）")
        self.replace = self.mode == ImportMode.REPLACE
        self.sheet, self.file, self.dry_run = sheet, file, dry_run
        self.on_progress, self.synthetic, self.expect_deleted = on_progress, synthetic, expect_deleted
        self.once_key = once_key
        if org.level != "county":
            raise InvalidValue(f"台账按县（市、区）填报，「{org.name}」不是县级单位")

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def check(self) -> None:
        if self.dry_run:  # checks only: nothing is written, so neither the lock nor the gate applies
            return
        super().check()

    def execute(self) -> ImportResult:
        if self.dry_run:
            from xiezuo.accounts.scope import require

            if self.by is not None:
                require(self.by, Permission.EDIT, self.org)
            plan = self._checked()
            deleted = model_of(self.ledger)._default_manager.filter(org=self.org, year=self.year).count() \
                if self.replace else 0
            return self._result(plan, deleted=deleted, dry_run=True)
        # Cell checks are slow and read-only: done before the transaction opens.
        self.plan = self._checked()
        return super().execute()

    def summary(self, result: ImportResult) -> dict[str, Any]:
        return import_summary(result)

    def _result(self, plan: _Plan, *, deleted: int, dry_run: bool = False) -> ImportResult:
        ledger = self.ledger
        changes = [RecordChange(key=key, row=row, fields=[
            (ledger.by_name[n].header if n in ledger.by_name else n, old.get(n), new[n]) for n in new])
            for key, row, _rec, old, new in plan.updates]
        return ImportResult(
            kind=self.ledger_kind, file=self.file, rows=len(plan.checked.records), deleted=deleted, dry_run=dry_run,
            mode=self.mode, added=len(plan.adds), updated=len(plan.updates), unchanged=plan.unchanged,
            changes=changes, added_rows=[plan.checked.rows[i] for i in plan.adds])

    def _key_column(self) -> int | None:
        from xiezuo.ledgers.schema import RECORD_KEY_HEADER

        for i, h in enumerate(self.headers):
            if h is not None and str(h).strip() in (RECORD_KEY_HEADER, "record_key"):
                return i
        return None

    def _stored(self, keys: set[int]) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
        names = _columns(self.ledger)
        qs = model_of(self.ledger)._default_manager.filter(org=self.org, year=self.year, pk__in=list(keys))
        stored, versions = {}, {}
        for values in qs.values("pk", "version", *names):
            pk = values.pop("pk")
            versions[pk] = values.pop("version")
            stored[pk] = values
        return stored, versions

    def _with_stored_ids(self, key_at: int | None, stored: dict[int, dict[str, Any]]) -> Any:
        """Rows whose masked ID number is the stored record's, masked: that record's number, unmasked."""
        from xiezuo.ledgers.cells import record_key_of

        ids = [(i, c) for i, c in enumerate(self.headers)
               if c is not None and str(c).strip() in {col.header for col in self.ledger.columns if col.type == "idno"}
               | {col.name for col in self.ledger.columns if col.type == "idno"}]
        if key_at is None or not ids or not stored:
            return self.rows
        by_header = {c.header: c.name for c in self.ledger.columns} | {c.name: c.name for c in self.ledger.columns}
        out = list(self.rows)
        for n, raw_row in enumerate(out):
            key = record_key_of(raw_row[key_at]) if key_at < len(raw_row) and raw_row[key_at] not in (None, "") else None
            if key is None or key not in stored:
                continue
            row = list(raw_row)
            for i, header in ids:
                name = by_header[str(header).strip()]
                full = stored[key].get(name)
                if i < len(row) and full and str(row[i] or "").strip() == idcard.mask(full):
                    row[i] = full
            out[n] = row
        return out

    def _checked(self) -> _Plan:
        from xiezuo.ledgers.cells import record_key_of
        from xiezuo.ledgers.schema import RECORD_KEY_HEADER

        ledger, org, year = self.ledger, self.org, self.year
        model = model_of(ledger)
        key_at = self._key_column()
        file_keys: set[int] = set()
        if key_at is not None and self.mode == ImportMode.UPDATE:
            for raw_row in self.rows:
                if key_at < len(raw_row) and raw_row[key_at] not in (None, ""):
                    key = record_key_of(raw_row[key_at])
                    if key is not None:
                        file_keys.add(key)
        stored, versions = self._stored(file_keys) if file_keys else ({}, {})
        rows = self._with_stored_ids(key_at, stored)
        total = len(rows)
        known: set[str] = set()
        if ledger.person_key and not self.replace:
            qs = model._default_manager.filter(org=org, year=year).exclude(pk__in=list(stored))
            known = set(qs.values_list(ledger.person_key, flat=True))
        on_progress = self.on_progress
        progress = (lambda n: on_progress("检查", n, total)) if on_progress else None
        checked = check_rows(ledger, self.headers, rows, year=year, sheet=self.sheet, known_keys=known,
                             on_progress=progress)
        errors = list(checked.errors)
        updates: list[tuple[int, int, dict[str, Any], dict[str, Any], dict[str, Any]]] = []
        adds: list[int] = []
        unchanged = 0
        seen: dict[int, int] = {}
        for i, (rec, rownum) in enumerate(zip(checked.records, checked.rows, strict=True)):
            key = checked.keys[i] if checked.keys else None
            if key is None or self.mode == ImportMode.REPLACE:
                adds.append(i)
                continue
            if self.mode == ImportMode.APPEND:
                errors.append(CellError(self.sheet, rownum, RECORD_KEY_HEADER, key,
                                        f"这一行带有「{RECORD_KEY_HEADER}」，是已登记的记录：要修改这些记录请选择“按记录更新”，"
                                        "要新增请清空该列"))
                continue
            if key in seen:
                errors.append(CellError(self.sheet, rownum, RECORD_KEY_HEADER, key,
                                        f"「{RECORD_KEY_HEADER}」与第 {seen[key]} 行重复"))
                continue
            seen[key] = rownum
            if key not in stored:
                errors.append(CellError(self.sheet, rownum, RECORD_KEY_HEADER, key,
                                        f"「{RECORD_KEY_HEADER}」{key} 不是{org.name}{year}年度「{ledger.label}」中的记录"
                                        "（可能已被删除，或来自其他台账）"))
                continue
            for name in ledger.managed:  # the register's columns change only through the register
                rec.pop(name, None)
            old, new = changed_fields(_comparable(ledger, stored[key]), _comparable(ledger, rec))
            if new:
                updates.append((key, rownum, rec, old, new))
            else:
                unchanged += 1
        if errors:
            errors.sort(key=lambda e: (e.row or 0))
            raise errors_as_report(errors, self.file or None)
        return _Plan(checked=checked, stored=stored, versions=versions, updates=updates, adds=adds,
                     unchanged=unchanged)

    def validate(self) -> None:
        if self.replace and self.expect_deleted is not None:
            now = model_of(self.ledger)._default_manager.filter(org=self.org, year=self.year).count()
            if now != self.expect_deleted:
                raise StaleEdit(f"确认替换时「{self.ledger.label}」有 {self.expect_deleted} 条记录，现在有 {now} 条，"
                                "未导入。请重新预览后再确认。")

    def perform(self) -> ImportResult:
        ledger, org, year, plan = self.ledger, self.org, self.year, self.plan
        checked = plan.checked
        model = model_of(ledger)
        manager = model._default_manager
        if plan.updates:
            locked = {o.pk: o for o in manager.select_for_update().filter(pk__in=[u[0] for u in plan.updates])}
            for key, _row, _rec, _old, _new in plan.updates:
                obj = locked.get(key)
                if obj is None or obj.version != plan.versions[key]:
                    raise StaleEdit(f"「{ledger.label}」记录 {key} 在检查之后已被他人修改或删除，整个文件未导入。请重新导入。")
        new_records = [checked.records[i] for i in plan.adds]
        if ledger.person_key and not self.replace:
            # Re-checked under the unit's lock: a concurrent append may have added the same people.
            known = set(manager.filter(org=org, year=year).exclude(pk__in=[u[0] for u in plan.updates])
                        .values_list(ledger.person_key, flat=True))
            clash = next((rec for rec in new_records if rec[ledger.person_key] in known), None)
            if clash is not None:
                col = ledger.by_name[ledger.person_key]
                raise InvalidValue("同一人在本年度已登记在台账中",
                                   location=Location(file=self.file or None, column=col.header,
                                                     value=idcard.mask(clash[ledger.person_key])))
        deleted = 0
        if self.replace:
            deleted, _ = manager.filter(org=org, year=year).delete()
        for key, _row, rec, old, new in plan.updates:
            obj = locked[key]
            for name, value in rec.items():
                setattr(obj, name, value)
            obj.version += 1
            obj.updated_by = stored_actor(self.by)
            obj.save(update_fields=[*rec.keys(), "version", "updated_by", "updated_at"])
            self.record(object_type=f"ledgers.{self.ledger_kind}", object_key=str(key), old=old, new=new,
                        kind=ActionKind.LEDGER_IMPORT_ROW, comment=self.file)
        on_progress = self.on_progress
        _bulk_insert(
            ledger, model, new_records, [checked.rows[i] for i in plan.adds], org=org, year=year,
            synthetic=self.synthetic, actor=stored_actor(self.by), actor_name=actor_display_name(self.by),
            object_key=f"{org.code}/{year}/{self.file or self.ledger_kind}",
            on_progress=(lambda n: on_progress("写入", n, len(new_records))) if on_progress else None,
        )
        self.record(object_type=f"ledgers.{self.ledger_kind}", object_key=f"{org.code}/{year}/{self.ledger_kind}",
                    old={"deleted": deleted} if self.replace else None,
                    new={"file": self.file, "rows": len(checked.records), "replace": self.replace,
                         "mode": ImportMode.LABELS[self.mode], "added": len(new_records),
                         "updated": len(plan.updates)})
        return self._result(plan, deleted=deleted)


def ledger_rows_import(**kwargs: Any) -> ImportResult:
    """The import itself, from rows already read (files, or generated demo data)."""
    return LedgerImport(**kwargs).execute()


def _public_plan(ledger: Ledger) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """How each column goes into a change record: ID numbers masked, dates and amounts as text."""
    plan: list[tuple[str, Callable[[Any], Any] | None]] = []
    for col in (*ledger.columns, *ledger.computed):
        if not col.logged:
            continue
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
    cr_fixed = (at, actor.pk if actor is not None else None, actor_name, ActionKind.LEDGER_IMPORT_ROW.value,
                f"ledgers.{ledger.kind}")
    stamps.touch([(org.code, year, "ledgers")])
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


def _columns(ledger: Ledger) -> list[str]:
    return [c.name for c in (*ledger.columns, *ledger.computed)]


def _person_taken(ledger: Ledger, org_id: int, year: int, rec: dict[str, Any], exclude: int | None = None) -> None:
    if not ledger.person_key:
        return
    qs = model_of(ledger)._default_manager.filter(org_id=org_id, year=year, **{ledger.person_key: rec[ledger.person_key]})
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        col = ledger.by_name[ledger.person_key]
        raise InvalidValue("同一人在本年度已登记在台账中",
                           location=Location(column=col.header, value=idcard.mask(rec[ledger.person_key])))


class _RecordAction(Action[Any]):
    permission = Permission.EDIT
    frozen_with_submission = True

    ledger: Ledger
    org: OrgUnit
    year: int

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def _load(self, kind: str, pk: int) -> None:
        """The record's unit and year, read before the transaction; re-read under a lock in `validate`."""
        self.ledger = ledger_of(kind)
        self.pk = pk
        obj = model_of(self.ledger)._default_manager.select_related("org").filter(pk=pk).first()
        if obj is None:
            raise NotFound(f"「{self.ledger.label}」中没有这条记录（可能已被删除）")
        self.org, self.year = obj.org, obj.year

    def _locked(self, expected_version: int) -> LedgerRecord:
        obj = model_of(self.ledger)._default_manager.select_for_update().filter(pk=self.pk).first()
        if obj is None:
            raise NotFound(f"「{self.ledger.label}」中没有这条记录（可能已被删除）")
        if obj.version != expected_version:
            raise StaleEdit(f"这条「{self.ledger.label}」记录已被他人修改，您的修改基于旧版本，未保存。请刷新后再改。")
        return obj

    def _public_of(self, obj: LedgerRecord) -> dict[str, Any]:
        return _public(self.ledger, {n: getattr(obj, n) for n in _columns(self.ledger)})


class LedgerRecordCreate(_RecordAction):
    """One record from a form: `data` maps field names to raw values, checked as an imported row."""

    kind = ActionKind.LEDGER_RECORD_CREATE

    def __init__(self, *, kind: str, org: OrgUnit, year: int, data: dict[str, object],
                 by: AbstractBaseUser | None) -> None:
        self.ledger, self.org, self.year, self.by = ledger_of(kind), org, year, by
        self.rec, errors = check_record(self.ledger, data, year=year)
        if errors:
            _raise_cell_errors(errors, self.ledger)

    def perform(self) -> LedgerRecord:
        _person_taken(self.ledger, self.org.pk, self.year, self.rec)
        obj = model_of(self.ledger)._default_manager.create(
            org=self.org, year=self.year, updated_by=stored_actor(self.by), **self.rec)
        self.record(object_type=f"ledgers.{self.ledger.kind}", object_key=str(obj.pk),
                    new=_public(self.ledger, self.rec))
        return obj


class LedgerRecordUpdate(_RecordAction):
    """Replace a record's values; refused when someone saved it after the editor loaded it."""

    kind = ActionKind.LEDGER_RECORD_UPDATE

    def __init__(self, *, kind: str, pk: int, data: dict[str, object], expected_version: int,
                 by: AbstractBaseUser | None) -> None:
        self._load(kind, pk)
        self.data, self.expected_version, self.by = data, expected_version, by

    def perform(self) -> LedgerRecord:
        obj = self._locked(self.expected_version)
        rec, errors = check_record(self.ledger, self.data, year=obj.year)
        if errors:
            _raise_cell_errors(errors, self.ledger)
        _person_taken(self.ledger, obj.org_id, obj.year, rec, exclude=obj.pk)
        for name in self.ledger.managed:  # the register's columns change only through the register
            rec.pop(name, None)
        old, new = changed_fields(self._public_of(obj), _public(self.ledger, rec))
        for name, value in rec.items():
            setattr(obj, name, value)
        obj.version += 1
        obj.updated_by = stored_actor(self.by)
        obj.save(update_fields=[*rec.keys(), "version", "updated_by", "updated_at"])
        self.record(object_type=f"ledgers.{self.ledger.kind}", object_key=str(obj.pk), old=old, new=new)
        return obj


class LedgerRecordDelete(_RecordAction):
    kind = ActionKind.LEDGER_RECORD_DELETE

    def __init__(self, *, kind: str, pk: int, expected_version: int, by: AbstractBaseUser | None) -> None:
        self._load(kind, pk)
        self.expected_version, self.by = expected_version, by

    def perform(self) -> None:
        obj = self._locked(self.expected_version)
        old = self._public_of(obj)
        obj.delete()
        self.record(object_type=f"ledgers.{self.ledger.kind}", object_key=str(self.pk), old=old)


ledger_record_create = LedgerRecordCreate.run
ledger_record_update = LedgerRecordUpdate.run
ledger_record_delete = LedgerRecordDelete.run


class _Reconciliation(Action[Reconciliation]):
    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = {"entered": "填报值", "derived": "台账生成值"}

    def __init__(self, *, org: OrgUnit, year: int, code: str, by: AbstractBaseUser | None) -> None:
        from xiezuo.ledgers.reconciliation import derivable_row

        self.org, self.year, self.code, self.by = org, year, code, by
        self.row = derivable_row(year, code)

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def _decide(self, decision: str, *, entered: Any, derived: Any, reason: str = "") -> Reconciliation:
        return Reconciliation.objects.create(
            org=self.org, year=self.year, code=self.code, entered=entered, derived=derived, decision=decision,
            reason=reason, decided_by=stored_actor(self.by), decided_by_name=actor_display_name(self.by),
        )

    def _derived(self) -> Any:
        from xiezuo.ledgers.reconciliation import derived_values

        return derived_values(self.year, [self.org]).get(self.org.code, {}).get(self.code)


class ReconciliationAccept(_Reconciliation):
    """Write the derived value into the table (source = derived) and record the decision."""

    kind = ActionKind.RECONCILIATION_ACCEPT

    def __init__(self, *, org: OrgUnit, year: int, code: str, by: AbstractBaseUser | None,
                 expected_version: int | None = None) -> None:
        super().__init__(org=org, year=year, code=code, by=by)
        self.expected_version = expected_version

    def perform(self) -> Reconciliation:
        from xiezuo.ledgers.reconciliation import number_of
        from xiezuo.tables.services import ValueSet

        derived = self._derived()
        if derived is None:
            raise InvalidValue(f"「{self.row.label}」对应的台账中没有记录，无法采用台账生成值")
        entered = number_of(DataValue.objects.filter(org=self.org, year=self.year, code=self.code).first())
        ValueSet(org=self.org, year=self.year, code=self.code, raw=str(derived), by=self.by,
                 expected_version=self.expected_version, source=Source.DERIVED, note="采用台账生成值").execute()
        rec = self._decide(Decision.ACCEPT_DERIVED, entered=entered, derived=derived)
        self.record(object_type="ledgers.reconciliation", object_key=f"{self.org.code}/{self.year}/{self.code}",
                    old={"entered": None if entered is None else str(entered)}, new={"derived": str(derived)})
        return rec


class ReconciliationKeep(_Reconciliation):
    """Keep the entered value; a written reason is required and kept with who and when."""

    kind = ActionKind.RECONCILIATION_KEEP

    def __init__(self, *, org: OrgUnit, year: int, code: str, reason: str, by: AbstractBaseUser | None) -> None:
        super().__init__(org=org, year=year, code=code, by=by)
        self.reason = reason.strip()
        if not self.reason:
            raise InvalidValue(f"保留「{self.row.label}」的填报值时必须写明理由")

    def perform(self) -> Reconciliation:
        from xiezuo.ledgers.reconciliation import number_of

        derived = self._derived()
        entered = number_of(DataValue.objects.filter(org=self.org, year=self.year, code=self.code).first())
        rec = self._decide(Decision.KEEP_ENTERED, entered=entered, derived=derived, reason=self.reason)
        self.record(object_type="ledgers.reconciliation", object_key=f"{self.org.code}/{self.year}/{self.code}",
                    new={"entered": None if entered is None else str(entered),
                         "derived": None if derived is None else str(derived)}, comment=self.reason)
        return rec


class ReconciliationAcceptMany(Action[int]):
    """Accept the ledger figures of many rows at once: every row or none (one transaction)."""

    kind = ActionKind.RECONCILIATION_ACCEPT_MANY
    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = {"rows": "指标数", "codes": "指标"}

    def __init__(self, *, org: OrgUnit, year: int, codes: list[str], by: AbstractBaseUser | None) -> None:
        from xiezuo.ledgers.reconciliation import derivable_row

        self.org, self.year, self.by = org, year, by
        self.codes = list(dict.fromkeys(codes))
        if not self.codes:
            raise InvalidValue("请先勾选要采用台账生成值的指标")
        self.rows = [derivable_row(year, code) for code in self.codes]

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> int:
        for code in self.codes:
            ReconciliationAccept(org=self.org, year=self.year, code=code, by=self.by).execute()
        self.record(object_type="ledgers.reconciliation", object_key=f"{self.org.code}/{self.year}",
                    new={"rows": len(self.codes), "codes": "、".join(r.label for r in self.rows)})
        return len(self.codes)


reconciliation_accept = ReconciliationAccept.run
reconciliation_accept_many = ReconciliationAcceptMany.run
reconciliation_keep = ReconciliationKeep.run


class LedgerExportFullIds(Action[None]):
    """A download with full ID numbers is recorded: who, when, which ledger, how many rows."""

    kind = ActionKind.LEDGER_EXPORT_FULL_IDS
    permission = Permission.REVEAL_PERSONAL
    exempt_reason = "只记录一次导出，不修改任何数据"
    field_labels = {"rows": "记录数", "file": "文件", "reason": "用途"}

    def __init__(self, *, kind: str, org: OrgUnit, year: int, rows: int, file: str,
                 by: AbstractBaseUser | None, reason: str = "") -> None:
        from xiezuo.core.textcheck import text_problem

        self.ledger_kind, self.org, self.year, self.rows, self.file, self.by = kind, org, year, rows, file, by
        self.reason = reason.strip()
        problem = text_problem(self.reason, 500)
        if problem:
            raise InvalidValue(f"用途{problem}")

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> None:
        self.record(object_type=f"ledgers.{self.ledger_kind}", object_key=f"{self.org.code}/{self.year}/{self.ledger_kind}",
                    new={"rows": self.rows, "file": self.file, **({"reason": self.reason} if self.reason else {})},
                    comment=self.reason)


def import_error_dicts(report: ErrorReport) -> list[dict[str, object]]:
    """An import's errors as plain dicts (sheet, row, column, value, message) for views and JSON."""
    out = []
    for e in report.errors:
        d: dict[str, object] = e.as_dict() if isinstance(e, XiezuoError) else {"message": str(e)}
        d["reason"] = e.message if isinstance(e, XiezuoError) else str(e)
        out.append(d)
    return out


# The project register's actions live beside the ledger they extend; importing them here puts
# them in the write gate's registry with the other ledger actions.
from xiezuo.ledgers import projects as _project_register  # noqa: E402, F401
