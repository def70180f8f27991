"""Evidence files as actions: attach (checked, sniffed, stored through Django's storage) and remove.

Both freeze with the submission: once a unit-year is 已报送 or 已审核通过 its evidence neither
grows nor shrinks until it is returned or reopened (the write gate's one lock rule).
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import transaction

from xiezuo.accounts.scope import Permission
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.changes import actor_display_name, stored_actor
from xiezuo.core.errors import InvalidValue, NotFound
from xiezuo.core.textcheck import text_problem
from xiezuo.evidence.models import EvidenceFile, Target, evidence_storage
from xiezuo.evidence.sniff import sniff
from xiezuo.orgunits.models import OrgUnit


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def target_label(ev: EvidenceFile) -> str:
    """What a file is attached to, as a page shows it."""
    if ev.target == Target.RECORD:
        from xiezuo.ledgers.schema import BY_KIND

        ledger = BY_KIND.get(ev.ledger_kind)
        return f"{ledger.label if ledger else '台账'}记录 {ev.record_id}"
    if ev.target == Target.ROW:
        from xiezuo.catalogue.registry import get_catalogue

        row = get_catalogue(ev.year).by_code.get(ev.row_code)
        return f"统计表「{row.label if row else '（已不在本年度模板中）'}」"
    return "报送材料"


class EvidenceAttach(Action[EvidenceFile]):
    """One file attached to a ledger record, a table row or the unit-year's submission."""

    kind = ActionKind.EVIDENCE_ATTACH
    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = {"name": "文件名", "size": "大小", "target": "附于", "sha256": "SHA-256"}

    def __init__(self, *, org: OrgUnit, year: int, target: str, path: Path, name: str,
                 by: AbstractBaseUser | None, ledger_kind: str = "", record_id: int | None = None,
                 row_code: str = "", note: str = "") -> None:
        self.org, self.year, self.by = org, year, by
        if target not in Target.values:
            raise InvalidValue("佐证材料只能附在台账记录、统计表指标或报送材料上")
        self.target_kind, self.ledger_kind, self.record_id, self.row_code = target, ledger_kind, record_id, row_code
        self.note = note.strip()
        problem = text_problem(self.note, 200)
        if problem:
            raise InvalidValue(f"说明{problem}")
        # Checked before the transaction: size, name and the content itself.
        self.sniffed = sniff(path, name=name, max_bytes=int(settings.EVIDENCE_MAX_BYTES))
        self.path, self.size, self.sha256 = path, path.stat().st_size, _sha256(path)
        if target == Target.ROW:
            from xiezuo.catalogue.registry import get_catalogue

            row = get_catalogue(year).by_code.get(row_code)
            if row is None or not row.is_value:
                raise NotFound(f"{year} 年度统计表中没有指标「{row_code}」")
        elif target == Target.RECORD:
            from xiezuo.ledgers.schema import BY_KIND
            from xiezuo.ledgers.services import model_of

            ledger = BY_KIND.get(ledger_kind)
            if ledger is None or record_id is None or not model_of(ledger)._default_manager.filter(
                    pk=record_id, org=org, year=year).exists():
                raise NotFound("没有这条台账记录（可能已被删除）")
        else:
            self.ledger_kind, self.record_id, self.row_code = "", None, ""

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> EvidenceFile:
        storage = evidence_storage()
        stored_name = f"evidence/{self.year}/{self.org.code}/{secrets.token_hex(12)}{self.sniffed.extension}"
        with self.path.open("rb") as fh:
            saved = storage.save(stored_name, File(fh))
        # A failure after this point must not leave the file behind.
        try:
            ev = EvidenceFile.objects.create(
                org=self.org, year=self.year, target=self.target_kind, ledger_kind=self.ledger_kind,
                record_id=self.record_id, row_code=self.row_code, name=self.sniffed.name,
                content_type=self.sniffed.content_type, size=self.size, sha256=self.sha256, file=saved,
                note=self.note, uploaded_by=stored_actor(self.by), uploaded_by_name=actor_display_name(self.by))
            self.record(object_type="evidence.file", object_key=str(ev.pk), new={
                "name": ev.name, "size": ev.size, "target": target_label(ev), "sha256": ev.sha256})
        except Exception:
            storage.delete(saved)
            raise
        return ev


class EvidenceRemove(Action[None]):
    kind = ActionKind.EVIDENCE_REMOVE
    permission = Permission.EDIT
    frozen_with_submission = True
    field_labels = EvidenceAttach.field_labels

    def __init__(self, *, pk: int, by: AbstractBaseUser | None) -> None:
        ev = EvidenceFile.objects.select_related("org").filter(pk=pk).first()
        if ev is None:
            raise NotFound("没有这份佐证材料（可能已被删除）")
        self.pk, self.org, self.year, self.by = pk, ev.org, ev.year, by

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year

    def perform(self) -> None:
        ev = EvidenceFile.objects.select_for_update().filter(pk=self.pk).first()
        if ev is None:
            raise NotFound("没有这份佐证材料（可能已被删除）")
        name, old = ev.file.name or "", {"name": ev.name, "size": ev.size, "target": target_label(ev), "sha256": ev.sha256}
        ev.delete()
        self.record(object_type="evidence.file", object_key=str(self.pk), old=old)
        storage = evidence_storage()
        transaction.on_commit(lambda: storage.delete(name))


evidence_attach = EvidenceAttach.run
evidence_remove = EvidenceRemove.run


def evidence_open(ev: EvidenceFile) -> Any:
    """The stored file, opened for reading (a download streams it)."""
    return evidence_storage().open(ev.file.name or "", "rb")
