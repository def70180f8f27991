"""Writing change records; every service calls this inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import transaction

from xiezuo.core import rawsql, stamps
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.models import ChangeRecord


def stored_actor(actor: AbstractBaseUser | None) -> User | None:
    """The user to keep in a foreign key: None for the system or an unsaved user."""
    return actor if isinstance(actor, User) and actor.pk else None


def actor_display_name(actor: AbstractBaseUser | None) -> str:
    """姓名 when the account has one, else the login name; 系统 for the system itself."""
    if actor is None:
        return "系统"
    full = getattr(actor, "get_full_name", lambda: "")()
    return str(full).strip() or actor.get_username()


def change_record(
    *,
    actor: AbstractBaseUser | None,
    action: ActionKind | str,
    object_type: str,
    object_key: str,
    org_code: str = "",
    year: int | None = None,
    old: Any = None,
    new: Any = None,
    comment: str = "",
    together: Sequence[rawsql.Statement] = (),
) -> ChangeRecord:
    """Record a change and raise its unit-year's stamp. `together`: the change itself, when it is a
    written-out statement (`core.rawsql`), sent in the same round trip before them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change_record must run inside the transaction of the change it records")
    kind = ActionKind(action)  # an unregistered action is a programming error, refused here
    record = ChangeRecord(
        actor=stored_actor(actor),
        actor_name=actor_display_name(actor),
        action=kind.value,
        object_type=object_type,
        object_key=object_key,
        org_code=org_code,
        year=year,
        old=old,
        new=new,
        comment=comment,
    )
    # Every write makes one: written out (core.rawsql), compiling the ORM insert costs more than running it.
    alias = transaction.get_connection().alias
    rawsql.run_together([*together, *stamps.touch_statements([(org_code, year, stamps.area_of(object_type))]),
                         rawsql.insert_statement(record, using=alias)], using=alias)
    return record


def change_records_bulk(records: list[ChangeRecord]) -> None:
    """For imports: one record per row written, inserted in batches inside the import's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change_records_bulk must run inside the transaction of the change it records")
    stamps.touch((r.org_code, r.year, stamps.area_of(r.object_type)) for r in records)
    ChangeRecord.objects.bulk_create(records, batch_size=2000)
