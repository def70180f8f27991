"""Dashboards: a county's own figures, or a city's / province's units side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.accounts.scope import org_for
from xiezuo.orgunits.models import Level
from xiezuo.web.dashboards import area_charts, county_charts
from xiezuo.web.views.common import checked_year


@login_required
def dashboard(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    checked_year(year)
    if org.level == Level.COUNTY:
        charts, mode = county_charts(org, year), "county"
    else:
        charts, mode = area_charts(org, year)[0], "area"
    return render(request, "web/dashboard.html", {
        "org": org, "year": year, "charts": charts, "mode": mode,
        "chart_data": [c.as_json() for c in charts],
    })
