"""Errors a user can cause: each has a code, its HTTP status and a Chinese message naming where and what.

Two families: `AccessError` (not found / not allowed — a page shows 404 or 403 and nothing else) and
`InputError` (a value, a stale version, a lock, a transition — the page shows the message beside the
form). Views catch `InputError` to redisplay a form; `AccessError` passes through to the
middleware, which renders every `XiezuoError` for pages, HTMX fragments and JSON alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Location:
    """Where a bad value was found: any of file, sheet, row, column, value."""

    file: str | None = None
    sheet: str | None = None
    row: int | str | None = None
    column: str | None = None
    value: object | None = None

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件「{self.file}」")
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行" if isinstance(self.row, int) else f"行「{self.row}」")
        if self.column:
            parts.append(f"列「{self.column}」")
        if self.value is not None:
            parts.append(f"值「{self.value}」")
        return "，".join(parts)


class XiezuoError(Exception):
    """Base class: `code` is stable for machines, `status` is the HTTP answer, `message` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(self.full_message)

    @property
    def full_message(self) -> str:
        where = self.location.describe() if self.location else ""
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, object]:
        loc = self.location or Location()
        return {
            "code": self.code,
            "message": self.full_message,
            "file": loc.file,
            "sheet": loc.sheet,
            "row": loc.row,
            "column": loc.column,
            "value": None if loc.value is None else str(loc.value),
        }


class AccessError(XiezuoError):
    """The user may not see or do this: shown as an error page, never beside a form."""


class NotFound(AccessError):
    code = "not_found"
    status = 404


class PermissionDenied(AccessError):
    code = "permission_denied"
    status = 403


class InputError(XiezuoError):
    """Something the user can correct: shown beside the form that caused it."""


class InvalidValue(InputError):
    code = "invalid_value"


class CatalogueError(InputError):
    code = "catalogue_invalid"


class StaleEdit(InputError):
    """Someone saved this value or record after the editor loaded it; `current` is what is stored now."""

    code = "stale_edit"
    status = 409

    def __init__(self, message: str, *, location: Location | None = None,
                 current: dict[str, object] | None = None) -> None:
        self.current = current
        super().__init__(message, location=location)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), **({"current": self.current} if self.current is not None else {})}


class InvalidTransition(InputError):
    code = "invalid_transition"
    status = 409


class Locked(InputError):
    """The figures are held by the level above (submitted or approved) and cannot change."""

    code = "locked"
    status = 409


class ErrorReport(InputError):
    """Many bad cells at once (an import): nothing is stored when this is raised."""

    code = "invalid_file"

    def __init__(self, errors: list[XiezuoError] | None = None, file: str | None = None) -> None:
        self.errors = list(errors or [])
        self.file = file
        super().__init__(f"{file or '输入'}有 {len(self.errors)} 处错误，未写入任何数据")

    def __str__(self) -> str:
        return "\n".join([self.message + "：", *(f"- {e.full_message}" for e in self.errors)])

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "file": self.file, "errors": [e.as_dict() for e in self.errors]}
