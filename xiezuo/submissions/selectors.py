"""Reads of submissions shared by the web pages, the CLI and the lock on table values."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from xiezuo.core.models import ChangeRecord
from xiezuo.core.rawsql import Read, Statement
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import EventKind, Submission, SubmissionEvent

# The unit's own data: a change to any of it after the lead's sign-off asks for a new one.
UNIT_DATA_TYPES = ("tables.", "ledgers.", "documents.")


def submissions_for_many(orgs: Iterable[OrgUnit], year: int) -> dict[int, Submission]:
    """One query for many units: {org id: submission}; units without one are absent."""
    ids = [o.pk for o in orgs]
    return {s.org_id: s for s in Submission.objects.filter(org_id__in=ids, year=year)}


def submission_events(submission: Submission) -> QuerySet[SubmissionEvent]:
    return submission.events.select_related("by").order_by("at", "id")


def row_comments(submission: Submission) -> dict[str, list[SubmissionEvent]]:
    """Comments attached to single rows, by row code, oldest first; each with `thread`, its replies.

    One query: comments and replies are read together and the replies hung under their comment.
    """
    return _threads(submission.events.exclude(row_code=""))


def row_comment_ids_read(org: OrgUnit, year: int, row_code: str) -> Read[list[int]]:
    """The ids of the comments and replies on one row: the probe of `row_comments_of`, to send with
    another read (a cell save's, `web.selectors.table_row`)."""
    events = connection.ops.quote_name(SubmissionEvent._meta.db_table)
    submissions = connection.ops.quote_name(Submission._meta.db_table)
    return Read(Statement(
        f"SELECT e.id FROM {events} e JOIN {submissions} s ON s.id = e.submission_id "  # noqa: S608 - names only
        "WHERE s.org_id = %s AND s.year = %s AND e.row_code = %s AND e.kind IN (%s, %s)",
        [org.pk, year, row_code, EventKind.COMMENT.value, EventKind.REPLY.value]),
        lambda result: [pk for (pk,) in result.rows])


def row_comments_with_ids(ids: list[int], row_code: str) -> list[SubmissionEvent]:
    """The comments (with their replies) of these ids on one row; none read when there are none."""
    if not ids:
        return []
    return _threads(SubmissionEvent.objects.filter(pk__in=ids)).get(row_code, [])


def row_comments_of(org: OrgUnit, year: int, row_code: str) -> list[SubmissionEvent]:
    """The comments on one row of a unit-year (with their replies), without reading the submission.

    Asked after every cell save, and most rows have no comment: a written-out probe for the ids
    first (compiling the ORM query costs more than running it), the events only if there are any."""
    return row_comments_with_ids(row_comment_ids_read(org, year, row_code).fetch(), row_code)


def _threads(events: QuerySet[SubmissionEvent]) -> dict[str, list[SubmissionEvent]]:
    out: dict[str, list[SubmissionEvent]] = {}
    rows = list(events.filter(kind__in=[EventKind.COMMENT, EventKind.REPLY]).order_by("at", "id"))
    by_id = {e.pk: e for e in rows if e.kind == EventKind.COMMENT}
    for event in by_id.values():
        event.thread = []  # type: ignore[attr-defined]  # the replies, set here for the templates
    for event in rows:
        if event.kind == EventKind.COMMENT:
            out.setdefault(event.row_code, []).append(event)
        elif event.reply_to_id in by_id:
            by_id[event.reply_to_id].thread.append(event)  # type: ignore[attr-defined]
    return out


def open_comment_count(submission: Submission) -> int:
    return submission.events.filter(kind=EventKind.COMMENT, resolved_at__isnull=True).exclude(row_code="").count()


def signoff_of(submission: Submission) -> SubmissionEvent | None:
    """The lead's sign-off that still covers the table: after the last return or reopen, with no change
    to the unit's figures, ledgers or report since. None when there is none (or it has lapsed)."""
    last = (submission.events.filter(kind__in=[EventKind.SIGNOFF, EventKind.RETURN, EventKind.REOPEN,
                                               EventKind.SUBMIT])
            .order_by("-at", "-id").first())
    if last is None or last.kind != EventKind.SIGNOFF:
        return None
    changed = ChangeRecord.objects.filter(org_code=submission.org.code, year=submission.year, at__gt=last.at)
    for prefix in UNIT_DATA_TYPES:
        if changed.filter(object_type__startswith=prefix).exists():
            return None
    return last


def changes_since_last_submission(submission: Submission) -> list[ChangeRecord] | None:
    """For a resubmission: every change to the table between the previous submission and the latest.

    None when the unit has been submitted at most once (there is nothing to compare with).
    """
    submits = list(submission.events.filter(kind=EventKind.SUBMIT).order_by("-at", "-id")[:2])
    if len(submits) < 2:
        return None
    latest, previous = submits
    return list(
        ChangeRecord.objects.filter(org_code=submission.org.code, year=submission.year,
                                    object_type="tables.datavalue", at__gt=previous.at, at__lte=latest.at)
        .order_by("at", "id")
    )
