"""The API's one shape of a refusal: `{code, message, location: {file, sheet, row, column, value}}`."""

from __future__ import annotations

from typing import Any

from xiezuo.core.errors import ErrorReport, Location, XiezuoError


def location_of(loc: Location | None) -> dict[str, Any]:
    loc = loc or Location()
    return {"file": loc.file, "sheet": loc.sheet, "row": loc.row, "column": loc.column,
            "value": None if loc.value is None else str(loc.value)}


def error_body(error: XiezuoError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.full_message, "location": location_of(error.location)}
    if isinstance(error, ErrorReport):
        body["errors"] = [{"code": e.code, "message": e.full_message, "location": location_of(e.location)}
                          for e in error.errors]
    current = getattr(error, "current", None)
    if current is not None:
        body["current"] = current
    return body
