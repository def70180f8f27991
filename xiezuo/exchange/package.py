"""The exchange package format (docs/exchange.md): one self-describing JSON file with a checksum.

`package_build` reads an area's approved tables with their submissions and timelines, the units
and pairings they involve and the template's checksum; `package_bytes` writes it in its one
canonical form; `package_read` refuses anything that is not exactly such a file (a changed byte,
a cut-off end, another format version, another template) with a Chinese message naming the file.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from xiezuo.catalogue.loader import Catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.orgunits.models import OrgUnit, Pairing
from xiezuo.rollup.selectors import reporting_units
from xiezuo.submissions.models import State, Submission, SubmissionEvent
from xiezuo.tables.models import DataValue

FORMAT = "xiezuo-exchange"
VERSION = 1


def template_checksum(catalogue: Catalogue) -> str:
    """What makes two instances' templates the same: every row's code, kind, unit, decimals and roll-up."""
    rows = [[r.code, r.kind, r.value_kind, r.unit, r.places, r.parent, r.relation, r.rollup, r.formula, r.distinct]
            for r in catalogue.rows]
    return "sha256:" + hashlib.sha256(_canonical(rows).encode("utf-8")).hexdigest()


def _canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def checksum_of(manifest: dict[str, Any], data: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical({"manifest": manifest, "data": data}).encode("utf-8")).hexdigest()


def _number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    n = value.normalize()
    return str(n.quantize(Decimal(1)) if n == n.to_integral_value() else n)


def _unit(o: OrgUnit, codes: dict[int, str]) -> dict[str, Any]:
    return {"code": o.code, "name": o.name, "level": o.level, "side": o.side,
            "parent": codes.get(o.parent_id) if o.parent_id else None, "path": o.path}


def package_build(org: OrgUnit, year: int) -> dict[str, Any]:
    """The package of `org`'s approved tables for `year`, as a dict (manifest, data, checksum)."""
    catalogue = get_catalogue(year)
    area = Q(path__startswith=org.path) | Q(pk__in=reporting_units(org, year).values("pk"))
    approved = list(Submission.objects.filter(year=year, state=State.APPROVED).filter(
        org__in=OrgUnit.objects.filter(area)).select_related("org").order_by("org__code"))
    tables_ids = [s.org_id for s in approved]
    in_area = OrgUnit.objects.filter(area)
    pairings = list(Pairing.objects.filter(Q(west__in=in_area) | Q(east__in=in_area)).select_related(
        "east", "west").order_by("east__code", "west__code", "kind", "start_year"))
    unit_codes = set(in_area.values_list("code", flat=True))
    for p in pairings:
        unit_codes.update((p.east.code, p.west.code))
    # Every ancestor too, so each unit's parent and path exist on the other side.
    ancestors = {c for u in OrgUnit.objects.filter(code__in=unit_codes) for c in u.path.strip("/").split("/")}
    units = list(OrgUnit.objects.filter(code__in=unit_codes | ancestors).order_by("path"))
    codes = {u.pk: u.code for u in units}

    values: dict[int, list[dict[str, Any]]] = {pk: [] for pk in tables_ids}
    for v in DataValue.objects.filter(org_id__in=tables_ids, year=year).order_by("org_id", "code"):
        values[v.org_id].append({"code": v.code, "number": _number(v.number), "text": v.text, "source": v.source,
                                 "version": v.version, "published": v.published, "note": v.note})
    events: dict[int, list[dict[str, Any]]] = {s.pk: [] for s in approved}
    for e in SubmissionEvent.objects.filter(submission__in=approved).order_by("submission_id", "at", "id"):
        events[e.submission_id].append({
            "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state, "at": e.at.isoformat(),
            "by_name": e.by_name, "by_org_name": e.by_org_name, "comment": e.comment, "row_code": e.row_code,
            "explanations": e.explanations,
        })
    tables: list[dict[str, Any]] = [{
        "org": s.org.code, "year": year,
        "submission": {"state": s.state, "version": s.version,
                       "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
                       "approved_at": s.approved_at.isoformat() if s.approved_at else None,
                       "timeline": events[s.pk]},
        "values": values[s.org_id],
    } for s in approved]
    data = {
        "units": [_unit(u, codes) for u in units],
        "pairings": [{"east": p.east.code, "west": p.west.code, "kind": p.kind, "start_year": p.start_year,
                      "end_year": p.end_year} for p in pairings],
        "tables": tables,
    }
    manifest = {
        "format": FORMAT, "version": VERSION,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "instance": str(getattr(settings, "XIEZUO_INSTANCE_NAME", "") or platform.node()),
        "org": {"code": org.code, "name": org.name, "level": org.level},
        "year": year,
        "template": {"year": catalogue.year, "checksum": template_checksum(catalogue)},
        "counts": {"units": len(units), "pairings": len(pairings), "tables": len(tables),
                   "values": sum(len(v) for v in values.values()),
                   "events": sum(len(e) for e in events.values())},
    }
    return {"format": FORMAT, "version": VERSION, "manifest": manifest, "data": data,
            "checksum": checksum_of(manifest, data)}


def _dumps(package: dict[str, Any]) -> bytes:
    return (json.dumps(package, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def package_bytes(org: OrgUnit, year: int) -> bytes:
    return _dumps(package_build(org, year))


def package_name(org: OrgUnit, year: int) -> str:
    return f"{org.name}{year}年交换包.json"


@dataclass(frozen=True)
class Package:
    manifest: dict[str, Any]
    data: dict[str, Any]
    checksum: str
    file: str


def package_read(raw: bytes, *, file: str) -> Package:
    """The package in `raw`, or InvalidValue saying why it is refused (nothing is read further)."""
    where = Location(file=file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"不是 UTF-8 文本，文件已损坏（第 {exc.start + 1} 个字节）", location=where) from exc
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidValue(f"文件不完整或已损坏：第 {exc.lineno} 行第 {exc.colno} 列无法读取（{exc.msg}）",
                           location=where) from exc
    except RecursionError:  # nested deeper than any package: not one, and never a server error
        raise InvalidValue("不是 xiezuo 交换包（嵌套层次过深），未导入任何数据", location=where) from None
    if not isinstance(package, dict) or package.get("format") != FORMAT:
        raise InvalidValue("不是 xiezuo 交换包（缺少 format = xiezuo-exchange）", location=where)
    if package.get("version") != VERSION:
        raise InvalidValue(f"交换包格式版本为「{package.get('version')}」，本系统只能读取版本 {VERSION}", location=where)
    manifest, data, checksum = package.get("manifest"), package.get("data"), package.get("checksum")
    if not isinstance(manifest, dict) or not isinstance(data, dict) or not isinstance(checksum, str):
        raise InvalidValue("交换包缺少 manifest、data 或 checksum", location=where)
    if checksum_of(manifest, data) != checksum:
        raise InvalidValue("校验和不符：文件内容已被修改或损坏，未导入任何数据", location=where)
    if _dumps(package) != raw:
        raise InvalidValue("文件与交换包的规范格式不一致（已被改动），未导入任何数据", location=where)
    template = manifest.get("template") or {}
    catalogue = get_catalogue(int(manifest.get("year") or 0))
    if catalogue.year != template.get("year") or template_checksum(catalogue) != template.get("checksum"):
        raise InvalidValue(
            f"交换包按 {template.get('year')} 年度模板（校验和 {str(template.get('checksum'))[:19]}…）填报，"
            f"与本系统的 {catalogue.year} 年度模板不一致，未导入", location=where)
    return Package(manifest=manifest, data=data, checksum=checksum, file=file)
