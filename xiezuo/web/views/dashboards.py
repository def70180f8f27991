"""Dashboards: a county's own figures, or a city's / province's units side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from xiezuo.accounts.scope import org_for
from xiezuo.orgunits.models import Level
from xiezuo.web.dashboards import area_charts, county_charts
from xiezuo.web.pagecache import area_body_key, cached_body
from xiezuo.web.views.common import checked_year


@login_required
def dashboard(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = org_for(request.user, code)
    year = checked_year(year)

    def render_body(extra: dict[str, object]) -> str:
        if org.level == Level.COUNTY:
            charts, mode = county_charts(org, year), "county"
        else:
            charts, mode = area_charts(org, year)[0], "area"
        return render_to_string("web/_dashboard_body.html", {
            "org": org, "year": year, "charts": charts, "mode": mode,
            "chart_data": [c.as_json() for c in charts], **extra,
        })

    # A county's path covers the county alone; an area's, every unit below it.
    key = area_body_key("dashboard", org_code=org.code, path=org.path, years=(year, year - 1),
                        viewer=(timezone.localdate(),))
    return render(request, "web/dashboard.html", {"org": org, "year": year,
                                                  "body": cached_body(request, key, render_body)})
