"""The submission workflow through its services, on the 会宁县 demo."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from xiezuo.core.errors import InvalidTransition, InvalidValue, Locked, NotFound, PermissionDenied, StaleEdit
from xiezuo.core.models import ChangeRecord
from xiezuo.submissions.locks import frozen
from xiezuo.submissions.models import EventKind, State, Submission
from xiezuo.submissions.selectors import submission_events
from xiezuo.submissions.services import (
    SubmissionBlocked,
    submission_approve,
    submission_comment,
    submission_ensure,
    submission_reopen,
    submission_return,
    submission_submit,
)
from xiezuo.tables.findings import table_validate
from xiezuo.tables.models import DataValue
from xiezuo.tables.services import value_set


def user(name: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.select_related("profile__org").get(username=name)


def explain_all(org, year=2023) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.rule: "分项之间存在交叉统计，已核实" for f in table_validate(org, year) if f.severity == "warning"}


@pytest.fixture
def submission(huining):  # type: ignore[no-untyped-def]
    return submission_ensure(org=huining, year=2023, by=user("huining-clerk"))


def test_whole_cycle_is_kept_as_a_timeline(huining, submission):  # type: ignore[no-untyped-def]
    clerk, reviewer = user("huining-clerk"), user("baiyin-reviewer")
    submission_submit(submission=submission, by=clerk, explanations=explain_all(huining))
    submission_return(submission=submission, by=reviewer, comment="请核实资金分项",
                      row_comments={"funds_allocated": "分项之和超过总额"})
    submission_submit(submission=submission, by=clerk, explanations=explain_all(huining))
    approved = submission_approve(submission=submission, by=reviewer, comment="同意")

    assert approved.state == State.APPROVED and approved.approved_at is not None
    kinds = [e.kind for e in submission_events(approved)]
    assert kinds == [EventKind.CREATE, EventKind.SUBMIT, EventKind.RETURN, EventKind.COMMENT,
                     EventKind.SUBMIT, EventKind.APPROVE]
    row_comment = submission_events(approved).get(kind=EventKind.COMMENT)
    assert row_comment.row_code == "funds_allocated" and row_comment.by_org_name == "白银市"
    submit = submission_events(approved).filter(kind=EventKind.SUBMIT).first()
    assert submit is not None
    assert all(v["explanation"] for v in submit.explanations.values())
    assert ChangeRecord.objects.filter(object_type="submissions.submission", object_key="620422/2023").count() == 6


def test_one_submission_per_unit_and_year(huining, submission):  # type: ignore[no-untyped-def]
    assert submission_ensure(org=huining, year=2023).pk == submission.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(org=huining, year=2023)


def test_errors_block_submitting(huining, submission):  # type: ignore[no-untyped-def]
    clerk = user("huining-clerk")
    value_set(org=huining, year=2023, code="funds_used", raw="999999", by=clerk)
    with pytest.raises(SubmissionBlocked) as exc:
        submission_submit(submission=submission, by=clerk, explanations=explain_all(huining))
    assert exc.value.errors and "错误" in exc.value.message
    assert Submission.objects.get(pk=submission.pk).state == State.DRAFT


def test_each_warning_needs_an_explanation(huining, submission):  # type: ignore[no-untyped-def]
    warnings = [f for f in table_validate(huining, 2023) if f.severity == "warning"]
    assert warnings, "the demo table has a warning to explain"
    with pytest.raises(SubmissionBlocked) as exc:
        submission_submit(submission=submission, by=user("huining-clerk"), explanations={warnings[0].rule: "  "})
    assert [f.rule for f in exc.value.unexplained] == [f.rule for f in warnings]
    assert "说明" in exc.value.message


def test_submitted_and_approved_tables_are_locked(huining, submission):  # type: ignore[no-untyped-def]
    clerk, reviewer = user("huining-clerk"), user("baiyin-reviewer")
    submission_submit(submission=submission, by=clerk, explanations=explain_all(huining))
    assert frozen(huining, 2023)
    with pytest.raises(Locked, match="已报送"):
        value_set(org=huining, year=2023, code="meet_party", raw="9", by=clerk)
    submission_approve(submission=submission, by=reviewer)
    with pytest.raises(Locked, match="已审核通过"):
        value_set(org=huining, year=2023, code="meet_party", raw="9", by=clerk)
    # Returned (here through a reopen) unlocks editing again.
    submission_reopen(submission=submission, by=reviewer, reason="省里要求补充会议次数")
    value_set(org=huining, year=2023, code="meet_party", raw="9", by=clerk)
    assert DataValue.objects.get(org=huining, year=2023, code="meet_party").number == 9


def test_only_the_level_above_reviews_and_reopens(huining, submission):  # type: ignore[no-untyped-def]
    submission_submit(submission=submission, by=user("huining-clerk"), explanations=explain_all(huining))
    with pytest.raises(PermissionDenied):
        submission_approve(submission=submission, by=user("huining-lead"))
    with pytest.raises(PermissionDenied):
        submission_approve(submission=submission, by=user("gansu-reviewer"))  # two levels up
    with pytest.raises(NotFound):
        submission_approve(submission=submission, by=user("jingyuan-clerk"))  # outside scope: not found
    submission_approve(submission=submission, by=user("baiyin-reviewer"))
    with pytest.raises(InvalidValue):
        submission_reopen(submission=submission, by=user("baiyin-reviewer"), reason=" ")
    with pytest.raises(PermissionDenied):
        submission_reopen(submission=submission, by=user("huining-lead"), reason="想改")


def test_transitions_check_the_current_state(huining, submission):  # type: ignore[no-untyped-def]
    reviewer = user("baiyin-reviewer")
    with pytest.raises(InvalidTransition, match="填报中"):
        submission_approve(submission=submission, by=reviewer)
    with pytest.raises(InvalidTransition):
        submission_return(submission=submission, by=reviewer, comment="退回")
    with pytest.raises(InvalidTransition):
        submission_reopen(submission=submission, by=reviewer, reason="理由")
    submission_submit(submission=submission, by=user("huining-clerk"), explanations=explain_all(huining))
    with pytest.raises(InvalidTransition):
        submission_submit(submission=submission, by=user("huining-clerk"), explanations=explain_all(huining))
    with pytest.raises(InvalidValue):
        submission_return(submission=submission, by=reviewer, comment="")


def test_a_transition_on_an_outdated_page_is_refused(huining, submission):  # type: ignore[no-untyped-def]
    seen = submission.version
    submission_submit(submission=submission, by=user("huining-clerk"), explanations=explain_all(huining),
                      expected_version=seen)
    with pytest.raises(StaleEdit):
        submission_approve(submission=submission, by=user("baiyin-reviewer"), expected_version=seen)
    assert Submission.objects.get(pk=submission.pk).state == State.SUBMITTED


def test_partner_comments_but_cannot_submit(huining, submission):  # type: ignore[no-untyped-def]
    partner = user("heping-partner")
    event = submission_comment(submission=submission, by=partner, comment="消费帮扶数据请再核对", row_code="consumption_sales")
    assert event.by_org_name == "和平区"
    with pytest.raises(PermissionDenied):
        submission_submit(submission=submission, by=partner, explanations=explain_all(huining))
    with pytest.raises(NotFound):
        submission_comment(submission=submission, by=user("jingyuan-clerk"), comment="看看")


def test_a_city_submits_its_roll_up_only_when_every_county_is_approved(huining, submission):  # type: ignore[no-untyped-def]
    from xiezuo.orgunits.models import OrgUnit

    city = submission_ensure(org=OrgUnit.objects.get(code="620400"), year=2023)
    reviewer = user("baiyin-reviewer")
    with pytest.raises(InvalidTransition, match="靖远县"):
        submission_submit(submission=city, by=reviewer)
    with pytest.raises(NotFound):  # a county does not even see its city's submission
        submission_submit(submission=city, by=user("huining-clerk"))
    for code in ("620402", "620403", "620421", "620422", "620423"):
        county = OrgUnit.objects.get(code=code)
        sub = submission_ensure(org=county, year=2023)
        submission_submit(submission=sub, by=user("admin"), explanations=explain_all(county))
        submission_approve(submission=sub, by=reviewer)
    submitted = submission_submit(submission=city, by=reviewer, explanations=explain_all(city.org))
    assert submitted.state == State.SUBMITTED
    submission_approve(submission=submitted, by=user("gansu-reviewer"))


def test_comments_and_report_texts_refuse_control_characters_from_any_caller(huining):  # type: ignore[no-untyped-def]
    """Pages are guarded by the middleware; the actions refuse the same text from the CLI or the API."""
    from xiezuo.core.errors import InvalidValue
    from xiezuo.documents.services import narrative_save
    from xiezuo.submissions.services import submission_comment, submission_ensure

    sub = submission_ensure(org=huining, year=2023)
    with pytest.raises(InvalidValue, match="控制字符"):
        submission_comment(submission=sub, by=None, comment="请核实\x01")
    with pytest.raises(InvalidValue, match="文字过长"):
        submission_comment(submission=sub, by=None, comment="长" * 6000)
    with pytest.raises(InvalidValue, match="空字符"):
        narrative_save(org=huining, year=2023, section="intro", text="开篇\x00", by=None, expected_version=None)
