"""A unit-year's table: read every row, write one cell or many with the version the client saw, findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import functions as param

from xiezuo.tables.findings import table_validate
from xiezuo.tables.selectors import TableLine, table_for
from xiezuo.tables.services import ValueInput, value_set, values_set_many

from ..auth import user_of
from ..common import CODE, PAGE, PAGE_SIZE_Q, ROW, YEAR, unit_year
from ..schemas import ERRORS, MAX_PAGE_SIZE, Page, paged

router = Router(tags=["统计表"])


class LineOut(Schema):
    code: str
    section: str
    label: str
    unit: str | None
    kind: str
    value: str | None  # as the table prints it (the template's decimals)
    source: str | None
    version: int  # send it back when writing: 0 means the cell is empty


class ValueIn(Schema):
    value: Decimal | str | None  # a number (or its text), or the text of a text row; null empties the cell
    version: int  # the version read; a write on an older one is 409


class ManyItem(Schema):
    code: str
    value: Decimal | str | None
    version: int


class ManyIn(Schema):
    values: list[ManyItem]


class WrittenOut(Schema):
    written: int


class FindingOut(Schema):
    rule: str
    severity: str
    codes: list[str]
    values: dict[str, str | None]
    message: str


def line_out(catalogue: Any, line: TableLine) -> dict[str, Any]:
    return {**line.as_dict(catalogue), "version": line.version}


def _raw(value: Decimal | str | None) -> object:
    return "" if value is None else value


@router.get("/{code}/years/{year}/table", response={200: Page[LineOut], **ERRORS}, summary="统计表（按表序）")
def table(request: HttpRequest, code: str = CODE, year: int = YEAR, page: int = PAGE,
          page_size: int = param.Query(MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)) -> dict[str, Any]:
    catalogue, lines = table_for(unit_year(request, code, year), year)
    result = paged(lines, page, page_size)
    result["items"] = [line_out(catalogue, ln) for ln in result["items"]]
    return result


@router.put("/{code}/years/{year}/table/{row_code}", response={200: LineOut, **ERRORS}, summary="填写一个数值")
def value_put(request: HttpRequest, body: ValueIn, code: str = CODE, year: int = YEAR,
              row_code: str = ROW) -> dict[str, Any]:
    org = unit_year(request, code, year)
    value_set(org=org, year=year, code=row_code, raw=_raw(body.value), expected_version=body.version,
              by=user_of(request))
    catalogue, lines = table_for(org, year)
    return line_out(catalogue, next(ln for ln in lines if ln.row.code == row_code))


@router.post("/{code}/years/{year}/table", response={200: WrittenOut, **ERRORS},
             summary="一次填写多个数值（全部成功或全部不写）")
def values_post(request: HttpRequest, body: ManyIn, code: str = CODE, year: int = YEAR) -> dict[str, Any]:
    org = unit_year(request, code, year)
    inputs = [ValueInput(code=v.code, raw=_raw(v.value), expected_version=v.version) for v in body.values]
    written = values_set_many(org=org, year=year, inputs=inputs, by=user_of(request), file="接口提交")
    return {"written": written}


@router.get("/{code}/years/{year}/findings", response={200: Page[FindingOut], **ERRORS},
            summary="校验结果（错误、警告、提示）")
def findings(request: HttpRequest, code: str = CODE, year: int = YEAR, page: int = PAGE,
             page_size: int = PAGE_SIZE_Q) -> dict[str, Any]:
    found = table_validate(unit_year(request, code, year), year)
    result = paged(found, page, page_size)
    result["items"] = [f.as_dict() for f in result["items"]]
    return result
