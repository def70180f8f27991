"""Errors a user can cause: each has a code and a Chinese message naming where and what."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    """Base class: `code` is stable for machines, `message` is for people (Chinese)."""

    code = "error"

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


class NotFound(XiezuoError):
    code = "not_found"


class InvalidValue(XiezuoError):
    code = "invalid_value"


class CatalogueError(XiezuoError):
    code = "catalogue_invalid"


class RuleSyntaxError(XiezuoError):
    code = "rule_syntax"


class PermissionDenied(XiezuoError):
    code = "permission_denied"


class StaleEdit(XiezuoError):
    """Someone saved this value or record after the editor loaded it."""

    code = "stale_edit"


class InvalidTransition(XiezuoError):
    code = "invalid_transition"


class Locked(XiezuoError):
    """The figures are held by the level above (submitted or approved) and cannot change."""

    code = "locked"


@dataclass
class ErrorReport(Exception):
    """Many bad cells at once (an import): nothing is stored when this is raised."""

    errors: list[XiezuoError] = field(default_factory=list)
    file: str | None = None

    def __str__(self) -> str:
        head = f"{self.file or '输入'}有 {len(self.errors)} 处错误，未写入任何数据："
        return "\n".join([head, *(f"- {e.full_message}" for e in self.errors)])
