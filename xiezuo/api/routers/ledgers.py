"""A county's ledgers: lists with search, filters and pages (ID numbers masked), records, file imports."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params import functions as param

from xiezuo.accounts.scope import masked_name, sees_personal_names
from xiezuo.core.bounded import limits
from xiezuo.core.errors import InvalidValue, Location, NotFound
from xiezuo.core.textcheck import shown
from xiezuo.ledgers.models import LedgerRecord
from xiezuo.ledgers.schema import LEDGERS, Ledger, ledger_of
from xiezuo.ledgers.selectors import ledger_counts, ledger_records, record_display
from xiezuo.ledgers.services import (
    ledger_import,
    ledger_record_create,
    ledger_record_delete,
    ledger_record_update,
    model_of,
)
from xiezuo.orgunits.models import Level, OrgUnit, Side

from ..auth import user_of
from ..common import CODE, KIND, PAGE, PAGE_SIZE_Q, YEAR, unit_year
from ..schemas import ERRORS, Page, paged

router = Router(tags=["台账"])


class LedgerOut(Schema):
    kind: str
    label: str
    records: int


class RecordOut(Schema):
    id: int
    version: int  # send it back with an update or delete: a change on an older one is 409
    values: dict[str, Any]  # as the list page shows them: labels for codes, 是/否, ID numbers masked


class RecordIn(Schema):
    data: dict[str, str | int | float | bool | None]  # column name → value, checked as an imported cell


class RecordUpdateIn(RecordIn):
    version: int


class ImportOut(Schema):
    kind: str
    file: str
    rows: int
    deleted: int


def _county(request: HttpRequest, code: str, year: int) -> OrgUnit:
    org = unit_year(request, code, year)
    if org.level != Level.COUNTY or org.side != Side.WEST:
        raise NotFound(f"「{org.name}」没有台账：台账由西部县（市、区）填报")
    return org


def _personal(ledger: Ledger) -> bool:
    return any(c.type == "idno" for c in ledger.columns) and "name" in ledger.by_name


def record_out(request: HttpRequest, ledger: Ledger, obj: LedgerRecord) -> dict[str, Any]:
    values = record_display(ledger, obj)  # ID numbers masked, always
    if _personal(ledger) and not sees_personal_names(user_of(request)):
        values["name"] = masked_name(str(values.get("name") or ""))
    return {"id": obj.pk, "version": obj.version, "values": values}


def _record(ledger: Ledger, org: OrgUnit, year: int, pk: int) -> LedgerRecord:
    obj = model_of(ledger)._default_manager.filter(pk=pk, org=org, year=year).first()
    if obj is None:
        raise NotFound(f"「{ledger.label}」中没有这条记录（可能已被删除）")
    return obj


def _filters(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep:
            raise InvalidValue("筛选条件应写作「列名:值」", location=Location(column="filter", value=shown(item, 40)))
        out[name] = value
    return out


@router.get("/{code}/years/{year}/ledgers", response={200: Page[LedgerOut], **ERRORS}, summary="台账及记录数")
def ledgers(request: HttpRequest, code: str = CODE, year: int = YEAR, page: int = PAGE,
            page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    counts = ledger_counts(_county(request, code, year), year)
    return paged([{"kind": lg.kind, "label": lg.label, "records": counts.get(lg.kind, 0)} for lg in LEDGERS],
                 page, page_size)


@router.get("/{code}/years/{year}/ledgers/{kind}/records", response={200: Page[RecordOut], **ERRORS},
            summary="台账记录（可搜索、筛选、分页）")
def records(request: HttpRequest, code: str = CODE, year: int = YEAR, kind: str = KIND,
            search: str = param.Query("", max_length=100),
            filter: list[str] = param.Query([], description="列名:值，如 destination:east"),  # noqa: B008
            page: int = PAGE, page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    qs = ledger_records(kind, org, year, search=search, filters=_filters(filter))
    result = paged(qs, page, page_size)
    result["items"] = [record_out(request, ledger, obj) for obj in result["items"]]
    return result


@router.post("/{code}/years/{year}/ledgers/{kind}/records", response={201: RecordOut, **ERRORS},
             summary="新增一条记录")
def record_create(request: HttpRequest, body: RecordIn, code: str = CODE, year: int = YEAR,
                  kind: str = KIND) -> Status[dict[str, Any]]:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    obj = ledger_record_create(kind=kind, org=org, year=year, data=dict(body.data), by=user_of(request))
    return Status(201, record_out(request, ledger, obj))


@router.put("/{code}/years/{year}/ledgers/{kind}/records/{pk}", response={200: RecordOut, **ERRORS},
            summary="修改一条记录")
def record_update(request: HttpRequest, body: RecordUpdateIn, pk: int, code: str = CODE, year: int = YEAR,
                  kind: str = KIND) -> dict[str, Any]:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    _record(ledger, org, year, pk)
    obj = ledger_record_update(kind=kind, pk=pk, data=dict(body.data), expected_version=body.version,
                               by=user_of(request))
    return record_out(request, ledger, obj)


@router.delete("/{code}/years/{year}/ledgers/{kind}/records/{pk}", response={204: None, **ERRORS},
               summary="删除一条记录")
def record_delete(request: HttpRequest, pk: int, version: int = param.Query(..., ge=0), code: str = CODE,
                  year: int = YEAR, kind: str = KIND) -> Status[None]:
    org = _county(request, code, year)
    _record(ledger_of(kind), org, year, pk)
    ledger_record_delete(kind=kind, pk=pk, expected_version=version, by=user_of(request))
    return Status(204, None)


@router.post("/{code}/years/{year}/ledgers/{kind}/import", response={200: ImportOut, **ERRORS},
             summary="导入台账文件（XLSX 或 CSV；有错则全部不写）")
def import_file(request: HttpRequest, file: UploadedFile = param.File(...),  # noqa: B008
                mode: str = param.Form("append", pattern=r"^(append|replace)$"),  # noqa: B008
                code: str = CODE, year: int = YEAR, kind: str = KIND) -> dict[str, Any]:
    org = _county(request, code, year)
    ledger = ledger_of(kind)
    name = FilePath(file.name or "ledger.xlsx").name
    if file.size and file.size > limits().upload_bytes:
        raise InvalidValue("文件超过上传大小上限", location=Location(file=shown(name, 80)))
    suffix = FilePath(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="xiezuo-api-") as tmp:
        path = FilePath(tmp) / ("upload" + (suffix if suffix in (".xlsx", ".csv") else ".xlsx"))
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        result = ledger_import(kind=ledger.kind, path=path, org=org, year=year, by=user_of(request),
                               replace=mode == "replace", name=name)
    return {"kind": result.kind, "file": result.file, "rows": result.rows, "deleted": result.deleted}
