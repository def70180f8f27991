"""Reads of submissions shared by the web pages, the CLI and the lock on table values."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import Submission, SubmissionEvent


def submissions_for_many(orgs: Iterable[OrgUnit], year: int) -> dict[int, Submission]:
    """One query for many units: {org id: submission}; units without one are absent."""
    ids = [o.pk for o in orgs]
    return {s.org_id: s for s in Submission.objects.filter(org_id__in=ids, year=year)}


def submission_events(submission: Submission) -> QuerySet[SubmissionEvent]:
    return submission.events.select_related("by").order_by("at", "id")


def row_comments(submission: Submission) -> dict[str, list[SubmissionEvent]]:
    """Comments attached to single rows, by row code, oldest first."""
    out: dict[str, list[SubmissionEvent]] = {}
    for event in submission.events.exclude(row_code="").order_by("at", "id"):
        out.setdefault(event.row_code, []).append(event)
    return out
