"""The write gate: every change to the data is an `Action` — check, then execute, in one transaction.

An action knows who acts (`by`, None for the system: the operator's CLI, the demo loader), on which
unit and year, and what it may do there. `execute()` opens the transaction, runs `check()` —
permission through `accounts.scope`, the one lock rule of `submissions.locks` for actions that
freeze with a submission, the action's own checks (versions, values) — then `perform()`, which
writes and records its change through `self.record()` with the action's registered kind. The web
views, the CLI and the API call actions (or their `<thing>_<verb>` function facades) and nothing
else that writes.

Adding an action: add its kind to `ActionKind` (code and Chinese name), subclass `Action` in the
app's `services.py`, set `kind`, `permission`, `frozen_with_submission` (or an `exempt_reason`),
implement `target()` and `perform()`; the registry test then asks for a locked-unit case.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import transaction

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.changes import actor_display_name, change_record
from xiezuo.core.models import ChangeRecord
from xiezuo.core.rawsql import Result, Statement, run_together

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from xiezuo.accounts.scope import Permission
    from xiezuo.orgunits.models import OrgUnit

R = TypeVar("R")


class AlreadyApplied(Exception):  # noqa: N818 - a state, not a failure
    """The action already ran under its once-key; `summary` is what it reported then."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__("already applied")
        self.summary = summary


REGISTRY: dict[ActionKind, type[Action[Any]]] = {}

# The action being executed in this thread or task, so nested writes know they are inside the gate.
_current: contextvars.ContextVar[Action[Any] | None] = contextvars.ContextVar("xiezuo_action", default=None)


def current_action() -> Action[Any] | None:
    return _current.get()


@dataclass(kw_only=True)
class Action(Generic[R]):
    """One write. Subclasses (keyword-only dataclasses) set the class attributes and implement
    `target()` and `perform()`."""

    kind: ClassVar[ActionKind]
    # What the user must be allowed to do on the target unit (None: system-level, e.g. imports by the operator).
    permission: ClassVar[Permission | None] = None
    # Refused while the target unit-year is submitted or approved (the one lock rule).
    frozen_with_submission: ClassVar[bool] = False
    # For actions that do not freeze with a submission: why not (the registry test asks for one).
    exempt_reason: ClassVar[str] = ""
    # Only the system (by=None: the operator's CLI, loaders) or an administrator may run it.
    admin_only: ClassVar[bool] = False
    # Field labels for history pages, and how a stored value reads (default: str()).
    field_labels: ClassVar[Mapping[str, str]] = {}

    by: AbstractBaseUser | None = None
    # A job's key: the action runs at most once under it (`AppliedOnce`, same transaction); run
    # again, it raises AlreadyApplied carrying what `summary()` returned the first time.
    once_key: str | None = None
    # The results of `reads()`, there when `validate()` runs.
    read: list[Result] = field(init=False, default_factory=list, repr=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is not None:
            if kind in REGISTRY and REGISTRY[kind].__qualname__ != cls.__qualname__:
                raise RuntimeError(f"two actions registered for {kind}: {REGISTRY[kind]} and {cls}")
            REGISTRY[kind] = cls

    # --- what subclasses provide ---------------------------------------------------------

    def target(self) -> tuple[OrgUnit | None, int | None]:
        """The unit and year acted on (None, None for system-wide actions)."""
        return None, None

    def reads(self) -> Sequence[Statement]:
        """Written-out reads `validate()` needs (the rows it checks, row-locked), sent in the same
        round trip as the unit's lock (`core.rawsql`); their results are in `self.read`."""
        return ()

    def validate(self) -> None:
        """The action's own checks inside the transaction, after permission and lock (versions…)."""

    def perform(self) -> R:
        raise NotImplementedError

    def summary(self, result: R) -> dict[str, Any]:
        """What a job shows of the result (JSON), kept with the once-key."""
        return {}

    # --- the gate ------------------------------------------------------------------------

    def check(self) -> None:
        """Permission, the lock and the action's own checks; raises the user error that refuses it."""
        from xiezuo.accounts.scope import is_admin, require
        from xiezuo.core.errors import PermissionDenied
        from xiezuo.submissions.locks import unit_year_open

        org, year = self.target()
        if self.admin_only and self.by is not None and not is_admin(self.by):
            raise PermissionDenied("此操作只能由系统管理员执行")
        if self.permission is not None and org is not None and self.by is not None:
            require(self.by, self.permission, org)
        if self.frozen_with_submission and org is not None and year is not None:
            self.read = unit_year_open(org=org, year=year, together=self.reads())
        else:
            self.read = run_together(self.reads())
        self.validate()

    def execute(self) -> R:
        token = _current.set(self)
        try:
            with transaction.atomic():
                self.check()
                if self.once_key is None:
                    return self.perform()
                from xiezuo.core.models import AppliedOnce

                done = AppliedOnce.objects.select_for_update().filter(key=self.once_key).first()
                if done is not None:
                    raise AlreadyApplied(done.summary)
                result = self.perform()
                AppliedOnce.objects.create(key=self.once_key, action=str(self.kind), summary=self.summary(result))
                return result
        finally:
            _current.reset(token)

    @classmethod
    def run(cls, **kwargs: Any) -> R:
        """`ValueSet.run(org=…, …)` — the `<thing>_<verb>(…)` facade of each action."""
        return cls(**kwargs).execute()

    def record(
        self,
        *,
        object_type: str,
        object_key: str,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
        comment: str = "",
        kind: ActionKind | None = None,
        org_code: str | None = None,
        year: int | None = None,
        together: Sequence[Statement] = (),
    ) -> ChangeRecord:
        """The change record of this action: `old` and `new` map the fields that changed to JSON values;
        `together`: the change's own written-out statements, sent with the record (`core.rawsql`)."""
        org, target_year = self.target()
        return change_record(
            actor=self.by, action=kind or self.kind, object_type=object_type, object_key=object_key,
            org_code=org_code if org_code is not None else (org.code if org is not None else ""),
            year=year if year is not None else target_year,
            old=dict(old) if old else None, new=dict(new) if new else None, comment=comment, together=together,
        )

    @property
    def actor_name(self) -> str:
        return actor_display_name(self.by)


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs: the payload shape every action records (old → new)."""
    before = dict(old or {})
    keys = [k for k in new if before.get(k) != new[k]] if old is not None else list(new)
    return ({k: before.get(k) for k in keys} if old is not None else {}), {k: new[k] for k in keys}


def action_of(kind: str) -> type[Action[Any]] | None:
    try:
        return REGISTRY.get(ActionKind(kind))
    except ValueError:
        return None


def load_all_actions() -> dict[ActionKind, type[Action[Any]]]:
    """Import every app's services so the registry is complete (for tests and the history pages)."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("xiezuo."):
            try:
                importlib.import_module(f"{config.name}.services")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.services":
                    raise
    return dict(REGISTRY)


# --- a guard for tests: writes to the domain's tables happen only inside an action -----------

# Job bookkeeping (queue, progress, worker heartbeats) is the framework's, like sessions; the work a
# job does goes through actions.
_UNGUARDED_PREFIXES = ("django_", "auth_", "accounts_session", "web_loginattempt", "jobs_")
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE")


class WriteOutsideAction(AssertionError):
    pass


@contextmanager
def writes_only_in_actions(allowed_tables: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Raise on any INSERT/UPDATE/DELETE of a domain table made while no action is executing.

    Sessions, logins (last_login) and the login throttle are the framework's own bookkeeping and
    are not domain writes; nor are database caches (CACHES, e.g. the login counters' table).
    Yields the list of domain write statements seen inside actions.
    """
    from django.conf import settings
    from django.core.cache.backends.db import BaseDatabaseCache
    from django.db import connections
    from django.utils.module_loading import import_string

    seen: list[str] = []
    allowed_tables = (*allowed_tables, *(str(c["LOCATION"]).lower() for c in settings.CACHES.values()
                                         if issubclass(import_string(str(c["BACKEND"])), BaseDatabaseCache)))

    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip().split(None, 3)
        if head and head[0].upper() in _WRITE_WORDS:
            table = _table_of(sql)
            if table and not table.startswith(_UNGUARDED_PREFIXES) and table not in allowed_tables:
                if current_action() is None:
                    raise WriteOutsideAction(f"write outside an action: {sql[:160]}")
                seen.append(sql[:80])
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(guard))
        yield seen


def _table_of(sql: str) -> str:
    words = sql.replace('"', " ").replace("`", " ").split()
    upper = [w.upper() for w in words]
    for marker in ("INTO", "UPDATE", "FROM"):
        if marker in upper:
            i = upper.index(marker)
            if i + 1 < len(words):
                return words[i + 1].strip("(").lower()
    return ""
