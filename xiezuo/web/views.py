"""Pages. Thin: they call selectors and services and render templates."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.checks import table_validate
from xiezuo.tables.selectors import table_for

DEMO_ORG, DEMO_YEAR = "620422", 2023


def home(request: HttpRequest) -> HttpResponse:
    org = OrgUnit.objects.filter(code=DEMO_ORG).first()
    if org is None:
        return render(request, "web/empty.html", status=200)
    catalogue, lines = table_for(org, DEMO_YEAR)
    findings = table_validate(org, DEMO_YEAR)
    return render(request, "web/table.html", {"org": org, "year": DEMO_YEAR, "catalogue": catalogue,
                                              "lines": lines, "findings": findings})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
