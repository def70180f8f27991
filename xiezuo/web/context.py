"""Navigation for the base template, by the user's role and org unit."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest
from django.urls import reverse

from xiezuo.accounts.models import Role
from xiezuo.accounts.scope import profile_of
from xiezuo.web.selectors import current_year


def navigation(request: HttpRequest) -> dict[str, object]:
    profile = profile_of(getattr(request, "user", None))
    if profile is None:
        return {"nav": [], "profile": None}
    year = current_year()
    return {"nav": list(_items(profile.role, profile.org.code, year)), "profile": profile, "current_year": year,
            "todo_count": LazyCount(request, year)}


@lru_cache(maxsize=4096)
def _items(role: str, code: str, year: int) -> tuple[tuple[str, str], ...]:
    """The menu of a role at a unit: the same addresses every time, built once per process."""
    items: list[tuple[str, str]] = [("首页", reverse("web:home"))]
    if role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD):
        items += [
            ("统计表", reverse("web:table", args=[code, year])),
            ("台账", reverse("web:ledgers", args=[code, year])),
            ("进度", reverse("web:progress", args=[code, year])),
            ("报送", reverse("web:submission", args=[code, year])),
            ("看板", reverse("web:dashboard", args=[code, year])),
            ("自评报告", reverse("documents:report", args=[code, year])),
            ("报告核查", reverse("audit:page", args=[code, year])),
        ]
    elif role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.ADMIN):
        items += [
            ("审核", reverse("web:review", args=[code, year])),
            ("进度", reverse("web:area", args=[code, year])),
            ("看板", reverse("web:dashboard", args=[code, year])),
            ("报告核查", reverse("audit:page", args=[code, year])),
        ]
        if role != Role.ADMIN:
            items.append(("本级报送", reverse("web:submission", args=[code, year])))
            items.append(("自评报告", reverse("documents:report", args=[code, year])))
    if role == Role.ADMIN:
        items += [("用户", reverse("web:manage_users")), ("行政区划", reverse("web:manage_orgunits")),
                  ("结对关系", reverse("web:manage_pairings")), ("交换包", reverse("web:manage_exchange"))]
    if role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER):
        items.insert(2, ("本级统计表", reverse("web:table", args=[code, year])))
        items += [("对比", reverse("web:comparison", args=[code, year])),
                  ("考核", reverse("web:assessment", args=[code, year]))]
    if role == Role.EAST_PARTNER:
        items += [("结对县汇总", reverse("web:table", args=[code, year]))]
    return tuple(items)


class LazyCount:
    """The 待办 count, computed only when the navigation prints it."""

    def __init__(self, request: HttpRequest, year: int) -> None:
        self.request, self.year = request, year
        self._n: int | None = None

    def __str__(self) -> str:
        return str(self.value)

    @property
    def value(self) -> int:
        if self._n is None:
            from xiezuo.web.todo import todo_count

            self._n = todo_count(getattr(self.request, "user", None), self.year)
        return self._n
