"""Navigation for the base template, by the user's role and org unit."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import profile_of
from xiezuo.web.selectors import current_year


def navigation(request: HttpRequest) -> dict[str, object]:
    profile = profile_of(getattr(request, "user", None))
    if profile is None:
        return {"nav": [], "profile": None}
    year, code = current_year(), profile.org.code
    items: list[tuple[str, str]] = [("首页", reverse("web:home"))]
    if profile.role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD):
        items += [
            ("统计表", reverse("web:table", args=[code, year])),
            ("台账", reverse("web:ledgers", args=[code, year])),
            ("进度", reverse("web:progress", args=[code, year])),
            ("报送", reverse("web:submission", args=[code, year])),
            ("看板", reverse("web:dashboard", args=[code, year])),
            ("自评报告", reverse("documents:report", args=[code, year])),
            ("报告核查", reverse("audit:page", args=[code, year])),
        ]
    elif profile.role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.ADMIN):
        items += [
            ("审核", reverse("web:review", args=[code, year])),
            ("进度", reverse("web:area", args=[code, year])),
            ("看板", reverse("web:dashboard", args=[code, year])),
            ("报告核查", reverse("audit:page", args=[code, year])),
        ]
        if profile.role != Role.ADMIN:
            items.append(("本级报送", reverse("web:submission", args=[code, year])))
            items.append(("自评报告", reverse("documents:report", args=[code, year])))
    return {"nav": items, "profile": profile, "current_year": year}
