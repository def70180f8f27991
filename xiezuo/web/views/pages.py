"""The landing page by role, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import profile_of
from xiezuo.web.selectors import current_year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    if profile is None:
        # Never a dead end: say who can give the account its unit and role.
        from django.contrib.auth import get_user_model

        admins = get_user_model().objects.filter(is_active=True, profile__role=Role.ADMIN).order_by("username")
        return render(request, "web/no_role.html", {"admins": admins}, status=403)
    year, code = current_year(), profile.org.code
    if profile.role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD):
        return redirect("web:table", code, year)
    if profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.ADMIN):
        return redirect("web:review", code, year)
    # An eastern partner follows its paired western counties.
    from xiezuo.web.partner import partner_page

    return render(request, "web/partner_home.html", {"page": partner_page(profile.org, year), "year": year,
                                                     "org": profile.org})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
