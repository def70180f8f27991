"""A reviewer's list of the units directly below: state, errors, warnings, last change."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import org_for, profile_of
from xiezuo.orgunits.models import Level, OrgUnit, Side
from xiezuo.progress.selectors import todo_for
from xiezuo.submissions.models import Deadline
from xiezuo.web.pagecache import area_body_key, cached_body
from xiezuo.web.selectors import review_lines
from xiezuo.web.views.common import checked_year


def _sets_deadlines(request: HttpRequest, org: OrgUnit) -> bool:
    """The area's own reviewers (and administrators) set its units' deadline; no query beyond the profile."""
    profile = profile_of(request.user)
    if profile is None or org.level == "county":
        return False
    return profile.role == Role.ADMIN or (
        profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) and profile.org_id == org.pk)


@login_required
def review(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    year = checked_year(year)
    sets_deadlines = _sets_deadlines(request, org)

    def render_body(extra: dict[str, object]) -> str:
        lines = review_lines(org, year)
        counts = {label: sum(1 for line in lines if line.state_label == label)
                  for label in {x.state_label for x in lines}}
        todo = todo_for(org, year) if org.level != Level.COUNTY and org.side == Side.WEST \
            or org.level == Level.NATION else None
        return render_to_string("web/_review_body.html", {
            "org": org, "year": year, "lines": lines, "counts": counts, "todo": todo,
            "deadline": Deadline.objects.filter(org=org, year=year).first(), "can_set_deadline": sets_deadlines,
            **extra,
        })

    # Errors compare with last year; the 待办 projections move with the date.
    key = area_body_key("review", org_code=org.code, path=org.path, years=(year, year - 1),
                        viewer=(sets_deadlines, timezone.localdate()))
    return render(request, "web/review.html", {"org": org, "year": year, "body": cached_body(request, key, render_body)})
