"""The one place that decides what a user may see and do, by role and org unit.

Every view, download, HTMX endpoint, API call and CLI action that acts for a user asks here.
A unit outside a user's scope is reported as not found, so its existence does not leak.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from xiezuo.accounts.models import Profile, Role
from xiezuo.core.errors import NotFound
from xiezuo.orgunits.models import OrgUnit, Pairing


class Permission(StrEnum):
    VIEW = "view"        # read tables, ledgers, documents, findings
    EDIT = "edit"        # change values and ledger records of a draft or returned submission
    SUBMIT = "submit"    # send the county's submission up
    REVIEW = "review"    # return or approve a lower unit's submission
    REOPEN = "reopen"    # unlock an approved submission of a lower unit
    COMMENT = "comment"  # add a comment to a submission
    REVEAL_PERSONAL = "reveal_personal"  # see or export full ID numbers in a county's ledgers
    WRITE_REPORT = "write_report"  # write the unit's own self-evaluation report (covering 报告, 二、, 三、, cases)


def profile_of(user: AbstractBaseUser | AnonymousUser | None) -> Profile | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        profile = getattr(user, "profile", None)  # the reverse one-to-one is not in the auth stubs
    except Profile.DoesNotExist:
        return None
    return profile if isinstance(profile, Profile) else None


def is_admin(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.role == Role.ADMIN


def visible_orgs(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[OrgUnit]:
    """Org units the user may read: its own and those below; an eastern partner also its paired counties."""
    profile = profile_of(user)
    if profile is None:
        return OrgUnit.objects.none()
    if profile.role == Role.ADMIN:
        return OrgUnit.objects.all()
    own = profile.org
    condition = Q(path__startswith=own.path)
    if profile.role == Role.EAST_PARTNER:
        paired_west = Pairing.objects.filter(east__path__startswith=own.path).values("west_id")
        condition |= Q(pk__in=paired_west)
    return OrgUnit.objects.filter(condition)


def can(user: AbstractBaseUser | AnonymousUser | None, action: Permission, org: OrgUnit) -> bool:
    profile = profile_of(user)
    if profile is None:
        return False
    if not _visible(user, profile, org):
        return False
    role, own = profile.role, profile.org
    if action is Permission.VIEW:
        return True
    if action is Permission.COMMENT:
        return True
    if role == Role.ADMIN:
        return True
    if action is Permission.EDIT:
        return role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD) and org.pk == own.pk
    if action is Permission.WRITE_REPORT:
        # A county writes its report; a city or province reviewer writes its own unit's report on the roll-up.
        return role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD, Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) \
            and org.pk == own.pk
    if action is Permission.REVEAL_PERSONAL:
        # Labourers' full ID numbers stay with the county that collected them.
        return role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD) and org.pk == own.pk
    if action is Permission.SUBMIT:
        # A county submits its own table; a city or province reviewer submits its unit's roll-up upward.
        return role in (Role.COUNTY_CLERK, Role.COUNTY_LEAD, Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) \
            and org.pk == own.pk
    if action in (Permission.REVIEW, Permission.REOPEN):
        # The level directly above: a city reviews its counties, a province its cities.
        return role in (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER) and org.parent_id == own.pk
    return False


MEMO_ATTRIBUTE = "_xiezuo_visible"


def _memo(user: object) -> dict[tuple[int, str, int], bool]:
    memo = getattr(user, MEMO_ATTRIBUTE, None)
    if not isinstance(memo, dict):
        memo = {}
        # On a request's lazy user too (it passes attributes on to the user it wraps).
        setattr(user, MEMO_ATTRIBUTE, memo)
    return memo


def _visible(user: AbstractBaseUser | AnonymousUser | None, profile: Profile, org: OrgUnit) -> bool:
    """Whether `org` is in the user's scope, asked of the database once per user object (a request's
    user lives for that request) and role, not once per permission a page checks."""
    memo = _memo(user)
    key = (profile.org_id, profile.role, org.pk)
    if key not in memo:
        memo[key] = visible_orgs(user).filter(pk=org.pk).exists()
    return memo[key]


def org_for(user: AbstractBaseUser | AnonymousUser | None, code: str, action: Permission = Permission.VIEW) -> OrgUnit:
    """The org unit with this code if the user may act on it; otherwise NotFound (shown as 404)."""
    profile = profile_of(user)
    if profile is not None and profile.org.code == code:
        # The user's own unit, read with the user: in every role's scope, no query needed.
        org: OrgUnit | None = profile.org
    else:
        org = visible_orgs(user).select_related("parent").filter(code=code).first()
    if org is not None and profile is not None:
        # Found through the user's scope: visible, whatever the permission asked for below.
        _memo(user)[(profile.org_id, profile.role, org.pk)] = True
    if org is None or not can(user, action, org):
        raise NotFound(f"未找到行政区划「{code}」")
    return org


_DOING = {
    Permission.VIEW: "查看", Permission.EDIT: "修改", Permission.SUBMIT: "报送", Permission.REVIEW: "审核",
    Permission.REOPEN: "重新打开", Permission.COMMENT: "评论", Permission.REVEAL_PERSONAL: "查看完整身份证号",
    Permission.WRITE_REPORT: "撰写自评报告",
}


def require(user: AbstractBaseUser | AnonymousUser | None, action: Permission, org: OrgUnit) -> None:
    """Refuse unless the user may do `action` on `org`: outside scope reads as not found (404),
    inside scope with the wrong role as not allowed (403)."""
    if can(user, action, org):
        return
    if not can(user, Permission.VIEW, org):
        raise NotFound(f"未找到行政区划「{org.code}」")
    from xiezuo.core.errors import PermissionDenied

    raise PermissionDenied(f"您没有{_DOING[action]}「{org.name}」数据的权限")


def sees_personal_names(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Labourers' names in a county's personal ledgers: hidden from eastern partners unless the
    deployment allows it (`XIEZUO_PARTNER_SEES_NAMES`)."""
    from django.conf import settings

    profile = profile_of(user)
    if profile is None:
        return False
    return profile.role != Role.EAST_PARTNER or bool(getattr(settings, "XIEZUO_PARTNER_SEES_NAMES", False))


def masked_name(name: str) -> str:
    """王晓红 → 王**: the family name only."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name
