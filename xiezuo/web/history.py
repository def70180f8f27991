"""Change records as people read them: 姓名, the action's Chinese name, each changed field old → new.

Every action records `old`/`new` as {field: JSON value} with only the fields that changed
(`core.actions.changed_fields`), so one renderer serves every history page. Values are formatted
by what the field is — a table value with its row's decimals and unit, a ledger column by its
type (code → 中文, 是/否, amounts without trailing zeros), a submission state by its label —
never `900.0000`, `poor` or `True`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import load_all_actions
from xiezuo.core.models import ChangeRecord

EMPTY = "（空）"
SOURCE_LABELS = {"entered": "填报", "derived": "台账生成", "aggregated": "下级汇总", "published": "公开文件",
                 "imported": "导入"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    action: str
    comment: str
    changes: list[FieldChange]
    subject: str = ""  # what was changed, for lists that mix objects (a table row's label)


def plain(value: Any) -> str:
    """Any stored value for a person: 是/否, numbers without trailing zeros, （空） for nothing."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return plain(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if not number.is_finite():
            return value
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, list | tuple):
        return "、".join(plain(v) for v in value)
    return str(value)


Formatter = Callable[[ChangeRecord, str, Any], tuple[str, str]]


def _table_value(record: ChangeRecord, field: str, value: Any) -> tuple[str, str]:
    from xiezuo.catalogue.registry import get_catalogue

    if field == "source":
        return "来源", SOURCE_LABELS.get(str(value), plain(value))
    code = record.object_key.rsplit("/", 1)[-1]
    row = get_catalogue(record.year).by_code.get(code) if record.year else None
    if row is None or value in (None, ""):
        return "数值", plain(value)
    if row.is_numeric:
        return "数值", f"{row.format(Decimal(str(value)))} {row.unit}".strip()
    return "数值", str(value)


def _ledger_value(record: ChangeRecord, field: str, value: Any) -> tuple[str, str]:
    from xiezuo.ledgers.schema import ledger_of

    try:
        ledger = ledger_of(record.object_type.split(".", 1)[1])
    except Exception:  # a ledger kind that no longer exists: show the record as stored
        return field, plain(value)
    col = ledger.by_name.get(field)
    if col is None:
        return field, plain(value)
    if value in (None, ""):
        return col.header, EMPTY
    if col.type == "code":
        return col.header, col.label_of.get(value, str(value))
    return col.header, plain(value)


def _submission_value(record: ChangeRecord, field: str, value: Any) -> tuple[str, str]:
    from xiezuo.submissions.models import State

    if field == "state":
        return "状态", dict(State.choices).get(str(value), plain(value))
    if field == "row":
        from xiezuo.catalogue.registry import get_catalogue

        row = get_catalogue(record.year).by_code.get(str(value)) if record.year and value else None
        return "指标", row.label if row else plain(value)
    return field, plain(value)


def _labels_of(record: ChangeRecord) -> dict[str, str]:
    actions = load_all_actions()
    try:
        cls = actions.get(ActionKind(record.action))
    except ValueError:
        return {}
    return dict(cls.field_labels) if cls is not None else {}


def _generic(record: ChangeRecord, field: str, value: Any) -> tuple[str, str]:
    return _labels_of(record).get(field, field), plain(value)


FORMATTERS: dict[str, Formatter] = {
    "tables.datavalue": _table_value,
    "submissions.submission": _submission_value,
}


def _formatter(record: ChangeRecord) -> Formatter:
    if record.object_type in FORMATTERS:
        return FORMATTERS[record.object_type]
    if record.object_type.startswith("ledgers.") and record.object_type != "ledgers.reconciliation":
        return _ledger_value
    return _generic


def _subject(record: ChangeRecord) -> str:
    if record.object_type == "tables.datavalue" and record.year:
        from xiezuo.catalogue.registry import get_catalogue

        row = get_catalogue(record.year).by_code.get(record.object_key.rsplit("/", 1)[-1])
        return row.label if row else record.object_key
    return ""


def action_label(kind: str) -> str:
    try:
        return ActionKind(kind).label
    except ValueError:
        return kind


def history_entries(records: Iterable[ChangeRecord]) -> list[HistoryEntry]:
    out = []
    for record in records:
        fmt = _formatter(record)
        old, new = record.old or {}, record.new or {}
        changes = []
        for field in [*new, *(k for k in old if k not in new)]:
            label_new, after = fmt(record, field, new.get(field)) if field in new else ("", EMPTY)
            label_old, before = fmt(record, field, old.get(field)) if field in old else ("", EMPTY)
            changes.append(FieldChange(label=label_new or label_old, old=before, new=after))
        out.append(HistoryEntry(at=record.at, actor=record.actor_name or "系统", action=action_label(record.action),
                                comment=record.comment, changes=changes, subject=_subject(record)))
    return out
