"""待办: what waits for a user now, by role — a few queries whatever the number of units.

- county clerk: the table returned by the level above; every open comment on a row;
- county lead: the same, and the table waiting for its sign-off when the unit asks for one;
- city / province reviewer: submissions of the units below waiting for review, units late against
  the deadline the area set, the area's own roll-up returned from above;
- administrator: accounts that have no unit or role yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from xiezuo.accounts.models import Profile, Role
from xiezuo.accounts.scope import profile_of
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import Deadline, EventKind, State, Submission, SubmissionEvent
from xiezuo.submissions.selectors import signoff_of


@dataclass(frozen=True)
class TodoItem:
    kind: str  # 退回修改 / 待回复意见 / 待负责人审核 / 待审核 / 逾期未报送 / 待分配角色
    org_name: str
    text: str
    href: str


def _returned(sub: Submission, org: OrgUnit, year: int, what: str) -> TodoItem:
    return TodoItem("退回修改", org.name, f"{year} 年度{what}已被上级退回，请按意见修改后重新报送",
                    reverse("web:table", args=[org.code, year]))


def todo_items(user: AbstractBaseUser | AnonymousUser | None, year: int) -> list[TodoItem]:
    profile = profile_of(user)
    if profile is None:
        return []
    org, role = profile.org, profile.role
    items: list[TodoItem] = []
    if role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD):
        open_comments = Q(events__kind=EventKind.COMMENT, events__resolved_at__isnull=True) & ~Q(events__row_code="")
        sub = (Submission.objects.filter(org=org, year=year)
               .annotate(open_comments=Count("events", filter=open_comments)).first())
        if sub is None:
            return items
        if sub.state == State.RETURNED:
            items.append(_returned(sub, org, year, "统计表"))
        if sub.open_comments:  # the annotation above
            from xiezuo.catalogue.registry import get_catalogue

            labels = get_catalogue(year).by_code
            comments = (SubmissionEvent.objects.filter(submission=sub, kind=EventKind.COMMENT,
                                                       resolved_at__isnull=True)
                        .exclude(row_code="").order_by("at", "id"))
            for c in comments:
                label = labels[c.row_code].label if c.row_code in labels else c.row_code
                items.append(TodoItem("待处理意见", org.name, f"{c.by_org_name}对「{label}」：{c.comment}",
                                      reverse("web:table", args=[org.code, year]) + f"#row-{c.row_code}"))
        if (role == Role.COUNTY_LEAD and org.lead_signoff_required and sub.state in (State.DRAFT, State.RETURNED)
                and signoff_of(sub) is None):
            items.append(TodoItem("待负责人审核", org.name, f"{year} 年度统计表报送前需要您审核",
                                  reverse("web:submission", args=[org.code, year])))
    elif role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER):
        waiting = (Submission.objects.filter(Q(org__parent=org, org__side=org.side, state=State.SUBMITTED)
                                             | Q(org=org, state=State.RETURNED), year=year)
                   .select_related("org").order_by("org__code"))
        own = None
        for s in waiting:
            if s.org_id == org.pk:
                own = s
                continue
            items.append(TodoItem("待审核", s.org.name, f"{year} 年度填报已报送，等待您审核",
                                  reverse("web:submission", args=[s.org.code, year])))
        deadline = Deadline.objects.filter(org=org, year=year).first()
        if deadline is not None and deadline.due < timezone.localdate():
            # Late: not submitted (or sent back and not resubmitted) after the date the area set.
            done = Submission.objects.filter(year=year, state__in=[State.SUBMITTED, State.APPROVED]).values("org_id")
            for unit in (OrgUnit.objects.filter(parent=org, side=org.side).exclude(pk__in=done).order_by("code")):
                items.append(TodoItem("逾期未报送", unit.name, f"报送截止日期 {_date(deadline.due)} 已过，尚未报送",
                                      reverse("web:table", args=[unit.code, year])))
        if own is not None:
            items.append(_returned(own, org, year, "汇总数据"))
    elif role == Role.ADMIN:
        with_profile = Profile.objects.values("user_id")
        for u in get_user_model().objects.filter(is_active=True).exclude(pk__in=with_profile).order_by("username"):
            items.append(TodoItem("待分配角色", "", f"账号「{u.get_username()}」尚未分配单位和角色",
                                  reverse("web:manage_user", args=[u.pk])))
    return items


def todo_count(user: AbstractBaseUser | AnonymousUser | None, year: int) -> int:
    """How many 待办 the header shows: kept in the cache under the stamps of the user's area, so a
    page view reads one stamp total instead of the submissions below. An administrator's (accounts
    waiting for a role, not stamped by any unit) is counted afresh."""
    from django.core.cache import cache

    from xiezuo.web.pagecache import area_stamp

    profile = profile_of(user)
    if profile is None or profile.role == Role.ADMIN:
        return len(todo_items(user, year))
    org = profile.org
    # Lateness moves with the date; the rest with any write in the area (states, deadlines, comments).
    key = (f"todo:{profile.pk}:{profile.role}:{org.code}:{year}:{timezone.localdate()}:"
           f"{area_stamp(org.path, [year])}")
    count = cache.get(key)
    if not isinstance(count, int):
        count = len(todo_items(user, year))
        cache.set(key, count, timeout=3600)
    return count


def deadline_for(org: OrgUnit, year: int) -> Deadline | None:
    """The deadline the level above set for this unit (None without a parent or a deadline)."""
    if org.parent_id is None:
        return None
    return Deadline.objects.filter(org_id=org.parent_id, year=year).first()


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
