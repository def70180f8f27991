"""Ledger templates and exports, in the layout the import reads back."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.core.errors import InvalidValue, PermissionDenied
from xiezuo.ledgers.files import cell_out, write_csv, write_xlsx
from xiezuo.ledgers.schema import ledger_of
from xiezuo.ledgers.services import LedgerExportFullIds, model_of
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.exports import neutralised


def _safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    return neutralised(value) if isinstance(value, str) else value


def ledger_template(*, kind: str, path: Path) -> Path:
    """An empty template: Chinese headers, dropdowns for coded columns, an instructions sheet."""
    write_xlsx(path, ledger_of(kind), [])
    return path


def may_reveal_ids(user: AbstractBaseUser | None, org: OrgUnit) -> bool:
    """Full ID numbers: as `accounts.scope` decides (the county's own clerk and lead, administrators);
    `None` is the system itself (the operator's CLI)."""
    if user is None:
        return True
    from xiezuo.accounts.scope import Permission, can

    return can(user, Permission.REVEAL_PERSONAL, org)


def ledger_export(
    *,
    kind: str,
    org: OrgUnit,
    year: int,
    path: Path,
    by: AbstractBaseUser | None = None,
    reveal_ids: bool = False,
    reason: str = "",
    keys: bool = True,
) -> int:
    """Write the county's ledger for a year as .xlsx or .csv; ID numbers masked unless asked and allowed.

    Each row ends with its record key (记录编号), so the file imports back as updates of those
    records (`keys=False`: the bare layout of the template). A download with full ID numbers
    needs a written reason from a user (the operator's CLI, `by=None`, may give none), is itself
    recorded (who, when, which ledger, why) and is marked as holding personal data.
    """
    ledger = ledger_of(kind)
    if by is not None:
        from xiezuo.accounts.scope import Permission, can

        if not can(by, Permission.VIEW, org):
            raise PermissionDenied(f"您无权查看{org.name}的台账")
    has_ids = any(c.type == "idno" for c in ledger.columns)
    if reveal_ids and has_ids and not may_reveal_ids(by, org):
        raise PermissionDenied("您的角色不能导出完整身份证号，请导出脱敏版本")
    full = reveal_ids and has_ids
    if full and by is not None and not reason.strip():
        raise InvalidValue("导出完整身份证号必须写明用途（将记入修改记录）")
    cols = ledger.columns
    names = [c.name for c in cols]
    qs = model_of(ledger)._default_manager.filter(org=org, year=year).order_by("id").values_list("id", *names)
    rows = ([*(_safe(cell_out(c, v, reveal_ids=reveal_ids)) for c, v in zip(cols, rec[1:], strict=True)),
             *((rec[0],) if keys else ())]
            for rec in qs.iterator(chunk_size=5000))
    if path.suffix.lower() == ".csv":
        count = write_csv(path, ledger, rows, keys=keys)
    else:
        count = write_xlsx(path, ledger, rows, keys=keys, personal=full)
    if full:
        LedgerExportFullIds(kind=kind, org=org, year=year, rows=count, file=path.name, by=by,
                            reason=reason.strip()).execute()
    return count
