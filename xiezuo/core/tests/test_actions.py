"""The write gate: every registered action against a submitted and an approved unit-year.

Each action that freezes with a submission is refused with the one lock message and nothing
changes (every table's row count and the change log compared before and after); every other
action says why it does not freeze. A new action without a case here fails the test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, load_all_actions
from xiezuo.core.errors import Locked
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.locks import locked_message
from xiezuo.submissions.models import State, Submission
from xiezuo.tables.models import DataValue

YEAR = 2023


def _person(n: int) -> dict[str, object]:
    return {"name": f"测试{n}", "id_number": idcard.make_id("620422", dt.date(1990, 5, 6), n),
            "poverty_status": "脱贫", "destination": "省内就近", "employer": "某厂",
            "start_date": "2023-04-01", "new_this_year": "是"}


def _record_of(kind: str, org: OrgUnit) -> Any:
    from xiezuo.ledgers.schema import ledger_of
    from xiezuo.ledgers.services import model_of

    return model_of(ledger_of(kind))._default_manager.filter(org=org, year=YEAR).order_by("id").first()


def _cases(org: OrgUnit, clerk: Any) -> dict[ActionKind, Callable[[], Action[Any]]]:
    """One way to build each frozen action for 会宁县 2023, as the web or CLI would call it."""
    from xiezuo.documents import services as documents
    from xiezuo.ledgers import services as ledgers
    from xiezuo.tables.services import TableUploadApply, ValueInput, ValueSet, ValuesSetMany

    def update() -> Action[Any]:
        rec = _record_of("labour_placements", org)
        return ledgers.LedgerRecordUpdate(kind="labour_placements", pk=rec.pk, data=_person(1),
                                          expected_version=rec.version, by=clerk)

    def delete() -> Action[Any]:
        rec = _record_of("labour_placements", org)
        return ledgers.LedgerRecordDelete(kind="labour_placements", pk=rec.pk, expected_version=rec.version, by=clerk)

    def import_rows() -> Action[Any]:
        from xiezuo.ledgers.schema import ledger_of

        ledger = ledger_of("labour_placements")
        row = [_person(9)[c.name] if c.name in _person(9) else "" for c in ledger.columns]
        return ledgers.LedgerImport(kind="labour_placements", headers=list(ledger.headers), rows=[row], org=org,
                                    year=YEAR, by=clerk, file="劳动力.xlsx", replace=False)

    def signoff() -> Action[Any]:
        from xiezuo.submissions.services import SubmissionEnsure, SubmissionSignoff

        lead = get_user_model().objects.get(username="huining-lead")
        return SubmissionSignoff(submission=SubmissionEnsure(org=org, year=YEAR).execute(), by=lead)

    def evidence_attach() -> Action[Any]:
        import tempfile
        from pathlib import Path

        from xiezuo.evidence.services import EvidenceAttach

        path = Path(tempfile.mkdtemp(prefix="xiezuo-test-")) / "a.pdf"
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")
        return EvidenceAttach(org=org, year=YEAR, target="submission", path=path, name="报送函.pdf", by=clerk)

    from xiezuo.evidence.models import EvidenceFile
    from xiezuo.evidence.services import EvidenceRemove

    held = EvidenceFile.objects.create(org=org, year=YEAR, target="submission", name="名册.pdf",
                                       content_type="application/pdf", size=1, sha256="0" * 64,
                                       file="evidence/2023/620422/held.pdf")

    return {
        ActionKind.TABLE_UPLOAD_APPLY: lambda: TableUploadApply(
            org=org, year=YEAR, by=clerk, items=[[org.code, "labour_east", "3", 1]], file="附件1.xlsx"),
        ActionKind.EVIDENCE_ATTACH: evidence_attach,
        ActionKind.EVIDENCE_REMOVE: lambda: EvidenceRemove(pk=held.pk, by=clerk),
        # The lead's sign-off covers the table as it stands: nothing to sign once it is held above.
        ActionKind.SUBMISSION_SIGNOFF: signoff,
        ActionKind.VALUE_SET: lambda: ValueSet(org=org, year=YEAR, code="labour_east", raw="1", by=clerk),
        ActionKind.VALUES_IMPORT: lambda: ValuesSetMany(org=org, year=YEAR, by=clerk,
                                                        inputs=[ValueInput(code="labour_east", raw="2")]),
        ActionKind.LEDGER_RECORD_CREATE: lambda: ledgers.LedgerRecordCreate(
            kind="labour_placements", org=org, year=YEAR, data=_person(2), by=clerk),
        ActionKind.LEDGER_RECORD_UPDATE: update,
        ActionKind.LEDGER_RECORD_DELETE: delete,
        ActionKind.LEDGER_IMPORT: import_rows,
        # The bypass that once slipped through: accepting a ledger figure changed a submitted table.
        ActionKind.RECONCILIATION_ACCEPT: lambda: ledgers.ReconciliationAccept(
            org=org, year=YEAR, code="social_goods", by=clerk),
        ActionKind.RECONCILIATION_ACCEPT_MANY: lambda: ledgers.ReconciliationAcceptMany(
            org=org, year=YEAR, codes=["social_goods", "funds_allocated"], by=clerk),
        ActionKind.RECONCILIATION_KEEP: lambda: ledgers.ReconciliationKeep(
            org=org, year=YEAR, code="social_goods", reason="以捐赠台账复核为准", by=clerk),
        ActionKind.COVER_LETTER_SAVE: lambda: documents.CoverLetterSave(
            org=org, year=YEAR, by=clerk, expected_version=None, issuer_mark="会宁县东西部协作领导小组办公室",
            doc_number="会农领办发〔2023〕52号", title="关于报送自评报告的报告", recipient="白银市东西部协作领导小组办公室",
            body="现将自评报告报送。", signatory="会宁县东西部协作领导小组办公室", signed_on=dt.date(2023, 11, 20)),
        ActionKind.NARRATIVE_SAVE: lambda: documents.NarrativeSave(
            org=org, year=YEAR, section=documents.NarrativeSection.values[0], text="新的开篇", by=clerk,
            expected_version=None),
        ActionKind.DRAFTED_PARAGRAPH_SAVE: lambda: documents.DraftedParagraphSave(
            org=org, year=YEAR, key="组织领导/工作推动部署情况。", text="县委、县政府共召开【10次】会议", by=clerk,
            expected_version=None),
        ActionKind.TYPICAL_CASE_SAVE: lambda: documents.TypicalCaseSave(
            org=org, year=YEAR, number=None, title="新案例", text="正文", by=clerk, expected_version=None),
        ActionKind.TYPICAL_CASE_REMOVE: lambda: documents.TypicalCaseRemove(
            org=org, year=YEAR, number=1, by=clerk, expected_version=None),
    }


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label not in ("sessions", "contenttypes", "admin")}


def test_every_action_is_registered_with_a_name_and_a_lock_decision() -> None:
    registry = load_all_actions()
    for kind, cls in registry.items():
        assert kind.label and kind.label != kind.value, kind
        assert cls.frozen_with_submission or cls.exempt_reason, f"{cls.__name__}: freezes or says why not"
    # Every kind that has an action class is listed once; the per-row import record has none by design.
    assert set(ActionKind) - set(registry) <= {ActionKind.LEDGER_IMPORT_ROW, ActionKind.ORGUNIT_CREATE,
                                              ActionKind.BACKUP_RESTORE}


@pytest.mark.parametrize("state", [State.SUBMITTED, State.APPROVED])
def test_every_frozen_action_is_refused_on_a_held_unit_year_and_nothing_changes(huining: OrgUnit, state: str) -> None:
    clerk = get_user_model().objects.get(username="huining-clerk")
    registry = load_all_actions()
    cases = _cases(huining, clerk)
    frozen = {kind for kind, cls in registry.items() if cls.frozen_with_submission}
    assert frozen == set(cases), f"a case for every frozen action; missing: {frozen - set(cases)}"
    Submission.objects.update_or_create(org=huining, year=YEAR, defaults={"state": state})
    expected = locked_message(huining, YEAR, state)
    before = _counts()
    social_goods = DataValue.objects.get(org=huining, year=YEAR, code="social_goods").number
    for kind in sorted(cases):
        action = cases[kind]()
        assert registry[kind] is type(action)
        with pytest.raises(Locked) as refused:
            action.execute()
        assert refused.value.message == expected, kind
        assert refused.value.status == 409
    assert _counts() == before
    assert DataValue.objects.get(org=huining, year=YEAR, code="social_goods").number == social_goods


def test_the_same_actions_pass_on_an_open_unit_year(huining: OrgUnit) -> None:
    """The cases are real: on a draft each one writes and records its change under its kind."""
    clerk = get_user_model().objects.get(username="huining-clerk")
    for kind, build in sorted(_cases(huining, clerk).items()):
        before = ChangeRecord.objects.filter(action=kind.value).count()
        build().execute()
        assert ChangeRecord.objects.filter(action=kind.value).count() > before, kind
