"""The same labourer, enterprise or workshop counted by two counties in one year.

People are compared by the keyed hash of their ID number (HMAC with the instance's secret, kept
beside each placement), never by the number: one grouped query finds every hash that two or more
counties placed in the same year and returns their records. Within one county a person cannot be
placed twice in a year (a constraint and the import check refuse it). Enterprises and workshops
are compared by their name with width, spaces and brackets normalised. A conflict resolved with
a note is listed as resolved and no longer counted as open.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import profile_of
from xiezuo.core.errors import PermissionDenied
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import Enterprise, LabourPlacement, Workshop
from xiezuo.ledgers.schema import BY_KIND
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.models import ConflictKind, ConflictResolution

ALL_KINDS = ("person", "enterprise", "workshop")
SCAN_SECONDS = 6 * 3600
DESTINATION = BY_KIND["labour_placements"].by_name["destination"].label_of


@dataclass(frozen=True)
class ConflictRecord:
    record_id: int
    org_id: int
    org_code: str
    org_name: str
    name: str
    masked_id: str  # people only; masked (first 6, last 4)
    detail: str  # destination, start date and employer; or the record's figures


@dataclass
class Conflict:
    kind: str  # person | enterprise | workshop
    year: int
    key: str  # keyed hash, or the normalised name
    records: list[ConflictRecord] = field(default_factory=list)
    resolution: ConflictResolution | None = None

    @property
    def counties(self) -> list[str]:
        return sorted({r.org_name for r in self.records})

    @property
    def label(self) -> str:
        return ConflictKind(self.kind).label

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind, "year": self.year, "key": self.key, "label": self.label,
            "records": [{"record_id": r.record_id, "org": r.org_code, "org_name": r.org_name, "name": r.name,
                         "id_number": r.masked_id, "detail": r.detail} for r in self.records],
            "resolved": self.resolution is not None,
            "note": self.resolution.note if self.resolution else None,
            "resolved_by": self.resolution.resolved_by_name if self.resolution else None,
        }


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def people_conflicts_sql(*, within_path: str | None) -> str:
    """One statement: every placement whose keyed hash two or more counties placed this year
    (limited to hashes touching a unit under `within_path` when given).

    MIN ≠ MAX rather than COUNT(DISTINCT): the aggregate streams over the covering index
    (year, id_hash, org) in hash order, an index-only pass with no sort and no heap visits.
    Seen from an area, only the hashes of the area's own placements are candidates (read through
    the (org, year) index), and only those are grouped: a county's view looks up its few thousand
    hashes instead of grouping the nation's millions.
    """
    table = _quote(LabourPlacement._meta.db_table)
    org_table = _quote(OrgUnit._meta.db_table)
    postgres = connection.vendor == "postgresql"

    def among(query: str) -> str:
        # PostgreSQL cannot estimate how few rows such a sub-select keeps; as an array the list is
        # computed once and each element looked up in the index, instead of a merge join over
        # every placement.
        return f"= ANY(ARRAY({query}))" if postgres else f"IN ({query})"

    candidates = ""
    if within_path is not None:
        area_orgs = f"SELECT id FROM {org_table} WHERE path LIKE %s"  # noqa: S608
        own = f"SELECT id_hash FROM {table} WHERE year = %s AND org_id {among(area_orgs)} AND id_hash <> ''"  # noqa: S608
        candidates = f" AND id_hash {among(own)}"
    # Only table names from the models are interpolated; values are bound parameters.
    duplicated = (
        f"SELECT id_hash FROM {table} WHERE year = %s AND id_hash <> ''{candidates} GROUP BY id_hash "  # noqa: S608
        f"HAVING MIN(org_id) <> MAX(org_id)"
    )
    return (
        f"SELECT p.id, p.org_id, p.id_hash, p.id_number, p.name, p.destination, p.start_date, p.employer "  # noqa: S608
        f"FROM {table} p WHERE p.year = %s AND p.id_hash {among(duplicated)} ORDER BY p.id_hash, p.org_id, p.id"
    )


def _people(year: int, within_path: str | None) -> list[tuple[Any, ...]]:
    # Parameters in the statement's order: the outer year, the grouped year, then the area's.
    params: list[Any] = [year, year]
    if within_path is not None:
        params += [year, within_path + "%"]
    with connection.cursor() as cursor:
        cursor.execute(people_conflicts_sql(within_path=within_path), params)
        return list(cursor.fetchall())


def normalised_name(name: str) -> str:
    """The same name written in full or half width, with spaces or other brackets, compares equal."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "()[]【】〔〕<>《》·.,，、\"'“”")


def _named(kind: str, model: Any, year: int, orgs: dict[int, OrgUnit]) -> list[Conflict]:
    """Enterprises or workshops whose normalised name two counties list in the same year (one query)."""
    groups: dict[str, list[tuple[int, int, str, int, int]]] = defaultdict(list)
    for pk, org_id, name, jobs, poor in model.objects.filter(year=year).values_list(
            "pk", "org_id", "name", "jobs", "poor_jobs").order_by("org_id", "pk"):
        groups[normalised_name(name)].append((pk, org_id, name, jobs, poor))
    out = []
    for key, items in groups.items():
        if len({org_id for _pk, org_id, *_ in items}) < 2:
            continue
        out.append(Conflict(kind=kind, year=year, key=key, records=[
            ConflictRecord(record_id=pk, org_id=org_id, org_code=orgs[org_id].code if org_id in orgs else "",
                           org_name=orgs[org_id].name if org_id in orgs else "", name=name, masked_id="",
                           detail=f"吸纳就业 {jobs} 人，其中脱贫劳动力 {poor} 人")
            for pk, org_id, name, jobs, poor in items
        ]))
    return out


def conflicts_for(
    user_or_area: AbstractBaseUser | OrgUnit | None, year: int, *, kinds: Sequence[str] = ("person", "enterprise", "workshop"),
    include_resolved: bool = True,
) -> list[Conflict]:
    """Duplicate conflicts of a year as seen from a unit: a county sees the conflicts its own
    records are part of, a city or province those touching any county below it, the nation (or
    None: the operator) all of them. Another county's record is shown with its county and a
    masked number only."""
    within = _within(user_or_area)
    key = scan_key(year, within, kinds)
    found: list[Conflict] | None = cache.get(key)
    if found is None:
        found = _found(year, within, kinds)
        cache.set(key, found, timeout=SCAN_SECONDS)
    return _resolved(found, year, kinds, include_resolved)


def conflicts_known(
    user_or_area: AbstractBaseUser | OrgUnit | None, year: int, *, kinds: Sequence[str] = ALL_KINDS,
    include_resolved: bool = True,
) -> list[Conflict] | None:
    """The conflicts as `conflicts_for` sees them if a scan under the ledgers' current stamp is at
    hand — in this process's cache, or stored by a `duplicate_scan` job — and None otherwise: a
    province's or the nation's page then offers 重新检查 (a job) instead of scanning in the request."""
    within = _within(user_or_area)
    key = scan_key(year, within, kinds)
    found: list[Conflict] | None = cache.get(key)
    if found is None:
        found = _stored_scan(key)
        if found is None:
            return None
        cache.set(key, found, timeout=SCAN_SECONDS)
    return _resolved(found, year, kinds, include_resolved)


def conflicts_scan(area: OrgUnit | None, year: int, *,
                   on_progress: Callable[[str, int, int], None] | None = None) -> list[Conflict]:
    """Scan again, every kind, as the area sees them (None or the nation: everywhere); keep the
    result in the cache and in the jobs storage, where every web process finds it."""
    within = _within(area)
    key = scan_key(year, within, ALL_KINDS)
    found = _found(year, within, ALL_KINDS, on_progress=on_progress)
    cache.set(key, found, timeout=SCAN_SECONDS)
    _store_scan(key, found)
    return _resolved(found, year, ALL_KINDS, True)


def scan_key(year: int, within: str | None, kinds: Sequence[str]) -> str:
    return f"conflicts:{year}:{within}:{','.join(sorted(kinds))}:{ledger_stamp(year)}"


def _within(user_or_area: AbstractBaseUser | OrgUnit | None) -> str | None:
    area = _area_of(user_or_area)
    return None if area is None or area.level == "nation" else area.path


def _resolved(found: list[Conflict], year: int, kinds: Sequence[str], include_resolved: bool) -> list[Conflict]:
    resolutions = {(r.kind, r.key): r for r in ConflictResolution.objects.filter(year=year, kind__in=kinds)}
    found = [dataclasses.replace(c, resolution=resolutions.get((c.kind, c.key))) for c in found]
    if not include_resolved:
        found = [c for c in found if c.resolution is None]
    return sorted(found, key=lambda c: (c.resolution is not None, c.kind, c.counties, c.key))


def _scan_name(key: str) -> tuple[str, str]:
    """The stored scan's file name for a cache key, and the prefix its older versions share."""
    _, year, within, kinds, _stamp = key.split(":", 4)
    # The database's name too: two databases (a test run's, a restored copy) may count their stamps alike.
    where = f"{connection.settings_dict['NAME']}:{within}:{kinds}"
    prefix = f"scans/{year}-{hashlib.sha256(where.encode()).hexdigest()[:16]}-"
    return prefix + hashlib.sha256(f"{where}:{key}".encode()).hexdigest()[:24] + ".json", prefix


def _store_scan(key: str, found: list[Conflict]) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    store = storages["jobs"]
    name, prefix = _scan_name(key)
    body = json.dumps([{"kind": c.kind, "year": c.year, "key": c.key,
                        "records": [dataclasses.asdict(r) for r in c.records]} for c in found], ensure_ascii=False)
    folder, start = prefix.rsplit("/", 1)
    try:
        older = [f for f in store.listdir(folder)[1] if f.startswith(start)]
    except FileNotFoundError:
        older = []
    for old in older:  # scans under an earlier stamp are never read again
        store.delete(f"{folder}/{old}")
    store.save(name, ContentFile(body.encode("utf-8")))


def _stored_scan(key: str) -> list[Conflict] | None:
    from django.core.files.storage import storages

    store = storages["jobs"]
    name, _ = _scan_name(key)
    if not store.exists(name):
        return None
    with store.open(name, "rb") as fh:
        data = json.loads(fh.read().decode("utf-8"))
    return [Conflict(kind=c["kind"], year=c["year"], key=c["key"],
                     records=[ConflictRecord(**r) for r in c["records"]]) for c in data]


def ledger_stamp(year: int) -> str:
    """Every county's ledger stamps of the year, the units' and the global one, folded in one query.

    A conflict pairs records of any two counties, so any ledger write in the country may start or
    end one: the scan is kept under this key and runs again only after such a write — once per
    write, not once per page that shows a count of conflicts."""
    from django.db.models import Count, Q, Sum

    from xiezuo.core.models import Stamp

    folded = Stamp.objects.filter(Q(area__in=["ledgers", "orgunits", "*"]) | Q(org_code=""),
                                  year__in=[year, 0]).aggregate(n=Count("id"), total=Sum("version"))
    return f"{folded['n']}:{folded['total'] or 0}"


def _found(year: int, within: str | None, kinds: Sequence[str],
           on_progress: Callable[[str, int, int], None] | None = None) -> list[Conflict]:
    """The conflicts of the year seen from `within` (None: everywhere), before their resolutions;
    `on_progress(phase, done, 3)` before each of the three passes."""
    def step(phase: str, done: int) -> None:
        if on_progress is not None:
            on_progress(phase, done, 3)

    step("劳动力：按身份证号散列比对", 0)
    rows = _people(year, within) if "person" in kinds else []
    org_ids = {r[1] for r in rows}
    named: list[tuple[str, Any]] = [(k, m) for k, m in (("enterprise", Enterprise), ("workshop", Workshop))
                                    if k in kinds]
    orgs = {o.pk: o for o in OrgUnit.objects.filter(level="county", side="west")} if named else \
        {o.pk: o for o in OrgUnit.objects.filter(pk__in=org_ids)}
    conflicts: dict[str, Conflict] = {}
    for pk, org_id, digest, number, name, destination, start, employer in rows:
        c = conflicts.setdefault(digest, Conflict(kind="person", year=year, key=digest))
        org = orgs[org_id]
        c.records.append(ConflictRecord(
            record_id=pk, org_id=org_id, org_code=org.code, org_name=org.name, name=name,
            masked_id=idcard.mask(number), detail="，".join(x for x in (
                DESTINATION.get(destination, destination), f"{start}起" if start else "", employer or "") if x),
        ))
    found = list(conflicts.values())
    for done, (kind, model) in enumerate(named, start=1):
        step(f"{'企业' if kind == 'enterprise' else '帮扶车间'}：按名称比对", done)
        for c in _named(kind, model, year, orgs):
            if within is None or any(orgs[r.org_id].path.startswith(within) for r in c.records):
                found.append(c)
    return found


def conflicts_viewer_check(user: AbstractBaseUser | AnonymousUser) -> None:
    """Refuse who may not see duplicate conflicts at all (eastern partners, anonymous)."""
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied("请先登录")
    _area_of(user)


def _area_of(user_or_area: AbstractBaseUser | OrgUnit | None) -> OrgUnit | None:
    if user_or_area is None or isinstance(user_or_area, OrgUnit):
        return user_or_area
    profile = profile_of(user_or_area)
    if profile is None:
        raise PermissionDenied("请先登录")
    if profile.role == Role.ADMIN:
        return None
    if profile.role == Role.EAST_PARTNER:
        raise PermissionDenied("东部结对方不查看西部县的重复统计")
    return profile.org


def open_count(conflicts: Sequence[Conflict]) -> int:
    return sum(1 for c in conflicts if c.resolution is None)
