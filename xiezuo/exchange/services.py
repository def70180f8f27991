"""Importing an exchange package as one action: units, pairings, tables and their submissions, or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.orgunits.models import OrgUnit, Pairing
from xiezuo.submissions.models import Submission, SubmissionEvent
from xiezuo.tables.models import DataValue

from .package import Package, package_read


@dataclass(frozen=True)
class ImportResult:
    package: str  # its checksum
    units_created: int
    pairings_created: int
    tables_changed: int
    values_written: int

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.pairings_created or self.tables_changed)


def _event_key(e: dict[str, Any]) -> tuple[Any, ...]:
    return (e["kind"], e["from_state"], e["to_state"], dt.datetime.fromisoformat(e["at"]), e["by_name"],
            e["by_org_name"], e["comment"], e["row_code"], e["explanations"])


def _value_key(v: dict[str, Any]) -> tuple[Any, ...]:
    number = Decimal(v["number"]) if v["number"] is not None else None
    return (number, v["text"], v["source"], v["version"], v["published"], v["note"])


class ExchangeImport(Action[ImportResult]):
    """Load a package read by `package_read`. Importing the same package again changes nothing."""

    kind = ActionKind.EXCHANGE_IMPORT
    admin_only = True
    exempt_reason = "导入另一实例已审核通过的统计表，由系统管理员执行，按交换包整体写入"
    field_labels = {"org": "地区", "year": "年度", "tables": "统计表数", "values": "数值数", "instance": "来源"}

    def __init__(self, *, package: Package, by: AbstractBaseUser | None = None, once_key: str | None = None,
                 on_progress: Callable[[str, int, int], None] | None = None) -> None:
        self.package, self.by, self.once_key = package, by, once_key
        # `on_progress(phase, done, total)` after the units, the pairings and each table: the CLI's bar
        # and a job's page (which is written on a connection of its own, outside this transaction).
        self.on_progress = on_progress

    def _progress(self, phase: str, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(phase, done, total)

    def summary(self, result: ImportResult) -> dict[str, Any]:
        return {**asdict(result), "file": self.package.file, "org": self.package.manifest["org"]["name"],
                "year": self.package.manifest["year"], "tables": len(self.package.data["tables"])}

    def _units(self) -> tuple[dict[str, OrgUnit], int]:
        data, where = self.package.data, Location(file=self.package.file)
        wanted = sorted(data["units"], key=lambda u: len(u["path"]))
        existing = {o.code: o for o in OrgUnit.objects.filter(code__in=[u["code"] for u in wanted])}
        created = 0
        for u in wanted:
            have = existing.get(u["code"])
            if have is not None:
                if (have.name, have.level, have.side, have.path) != (u["name"], u["level"], u["side"], u["path"]):
                    raise InvalidValue(
                        f"行政区划「{u['code']}」在本系统为「{have.name}」（{have.path}），交换包中为「{u['name']}」"
                        f"（{u['path']}），未导入任何数据", location=Location(file=where.file, value=u["code"]))
                continue
            parent = existing.get(u["parent"]) if u["parent"] else None
            existing[u["code"]] = OrgUnit.objects.create(
                code=u["code"], name=u["name"], level=u["level"], side=u["side"], parent=parent, path=u["path"])
            created += 1
        return existing, created

    def _pairings(self, units: dict[str, OrgUnit]) -> int:
        created = 0
        for p in self.package.data["pairings"]:
            _, made = Pairing.objects.get_or_create(
                east=units[p["east"]], west=units[p["west"]], kind=p["kind"], start_year=p["start_year"],
                defaults={"end_year": p["end_year"]})
            created += made
        return created

    def _table(self, org: OrgUnit, table: dict[str, Any]) -> int:
        """One unit-year: its values and submission as in the package; the number of values written."""
        year = int(table["year"])
        stored = {v.code: v for v in DataValue.objects.filter(org=org, year=year)}
        written = 0
        added: list[DataValue] = []
        updated: list[DataValue] = []
        now = timezone.now()
        for v in table["values"]:
            have = stored.pop(v["code"], None)
            key = _value_key(v)
            if have is not None and (have.number, have.text, have.source, have.version, have.published,
                                     have.note) == key:
                continue
            dv = have or DataValue(org=org, year=year, code=v["code"])
            dv.number, dv.text, dv.source, dv.version, dv.published, dv.note = key
            dv.updated_by, dv.updated_at = None, now
            (updated if dv.pk else added).append(dv)
            written += 1
        # A statement per table rather than one per value: a nation's package has 125,000 of them.
        DataValue.objects.bulk_create(added, batch_size=500)
        DataValue.objects.bulk_update(updated, ["number", "text", "source", "version", "published", "note",
                                                "updated_by", "updated_at"], batch_size=500)
        if stored:  # the approved table is the unit's whole table for the year
            DataValue.objects.filter(pk__in=[v.pk for v in stored.values()]).delete()
            written += len(stored)

        s = table["submission"]
        stamps = {k: dt.datetime.fromisoformat(s[k]) if s[k] else None for k in ("submitted_at", "approved_at")}
        sub, created = Submission.objects.get_or_create(org=org, year=year, defaults={
            "state": s["state"], "version": s["version"], **stamps})
        changed = created
        if not created and (sub.state, sub.version, sub.submitted_at, sub.approved_at) != (
                s["state"], s["version"], stamps["submitted_at"], stamps["approved_at"]):
            sub.state, sub.version = s["state"], s["version"]
            sub.submitted_at, sub.approved_at = stamps["submitted_at"], stamps["approved_at"]
            sub.save(update_fields=["state", "version", "submitted_at", "approved_at", "updated_at"])
            changed = True
        have_events = [(e.kind, e.from_state, e.to_state, e.at, e.by_name, e.by_org_name, e.comment, e.row_code,
                        e.explanations) for e in sub.events.order_by("at", "id")]
        if have_events != [_event_key(e) for e in s["timeline"]]:
            sub.events.all().delete()
            for e in s["timeline"]:
                made = SubmissionEvent.objects.create(
                    submission=sub, kind=e["kind"], from_state=e["from_state"], to_state=e["to_state"],
                    by_name=e["by_name"], by_org_name=e["by_org_name"], comment=e["comment"],
                    row_code=e["row_code"], explanations=e["explanations"])
                # `at` is set on insert; the timeline keeps the source's moments.
                SubmissionEvent.objects.filter(pk=made.pk).update(at=dt.datetime.fromisoformat(e["at"]))
            changed = True
        if written or changed:
            self.record(object_type="exchange.table", object_key=f"{org.code}/{year}", org_code=org.code, year=year,
                        new={"values": written, "state": s["state"]}, comment=self.package.checksum)
        return written if (written or changed) else -1

    def perform(self) -> ImportResult:
        tables = self.package.data["tables"]
        total = len(tables) + 2
        self._progress("行政区划", 0, total)
        units, units_created = self._units()
        self._progress("结对关系", 1, total)
        pairings_created = self._pairings(units)
        tables_changed = values_written = 0
        for i, table in enumerate(tables):
            self._progress(f"统计表 {table['org']}（{i + 1}/{len(tables)}）", i + 2, total)
            n = self._table(units[table["org"]], table)
            if n >= 0:
                tables_changed += 1
                values_written += n
        self._progress("提交", total, total)
        result = ImportResult(package=self.package.checksum, units_created=units_created,
                              pairings_created=pairings_created, tables_changed=tables_changed,
                              values_written=values_written)
        if result.changed:
            m = self.package.manifest
            self.record(object_type="exchange.package", object_key=self.package.checksum,
                        org_code=m["org"]["code"], year=int(m["year"]),
                        new={"org": m["org"]["name"], "year": m["year"], "tables": len(self.package.data["tables"]),
                             "values": m["counts"]["values"], "instance": m["instance"]},
                        comment=self.package.file)
        return result


def exchange_read(*, path: Path, name: str | None = None) -> Package:
    """Read and check the package at `path` (checksum, format, template), naming the file as `name`."""
    file = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidValue(f"无法读取文件：{exc.strerror}", location=Location(file=file)) from exc
    return package_read(raw, file=file)


def exchange_import(*, path: Path, by: AbstractBaseUser | None = None, name: str | None = None,
                    once_key: str | None = None,
                    on_progress: Callable[[str, int, int], None] | None = None) -> ImportResult:
    """Read, check and import the package at `path` (the file is read whole, before the transaction)."""
    return ExchangeImport(package=exchange_read(path=path, name=name), by=by, once_key=once_key,
                          on_progress=on_progress).execute()
