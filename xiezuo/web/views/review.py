"""A reviewer's list of the units directly below: state, errors, warnings, last change."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.accounts.scope import Permission, can, org_for
from xiezuo.submissions.models import Deadline
from xiezuo.web.selectors import review_lines
from xiezuo.web.views.common import checked_year


@login_required
def review(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    lines = review_lines(org, checked_year(year))
    counts = {label: sum(1 for line in lines if line.state_label == label) for label in {x.state_label for x in lines}}
    return render(request, "web/review.html", {
        "org": org, "year": year, "lines": lines, "counts": counts,
        "deadline": Deadline.objects.filter(org=org, year=year).first(),
        "can_set_deadline": org.level != "county" and can(request.user, Permission.SUBMIT, org),
    })
