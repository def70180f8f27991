"""Creating users with their role and org unit (demo accounts included)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from xiezuo.accounts.models import Profile, Role
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.orgunits.models import OrgUnit

DEFAULT_DEMO_PASSWORD = "xiezuo-demo-2023"  # noqa: S105 — printed on purpose for the demo


@dataclass(frozen=True)
class DemoAccount:
    username: str
    org_code: str
    role: str
    description: str
    name: str  # 姓名, as history pages show it (fictional demo people)


DEMO_ACCOUNTS = (
    DemoAccount("huining-clerk", "620422", Role.COUNTY_CLERK, "会宁县 县级填报员", "王晓红"),
    DemoAccount("huining-lead", "620422", Role.COUNTY_LEAD, "会宁县 县级负责人", "李建国"),
    DemoAccount("jingyuan-clerk", "620421", Role.COUNTY_CLERK, "靖远县 县级填报员", "赵丽萍"),
    DemoAccount("baiyin-reviewer", "620400", Role.CITY_REVIEWER, "白银市 市级审核员", "陈志明"),
    DemoAccount("gansu-reviewer", "620000", Role.PROVINCE_REVIEWER, "甘肃省 省级审核员", "刘洋"),
    DemoAccount("heping-partner", "120101", Role.EAST_PARTNER, "和平区 东部协作方", "孙静"),
    DemoAccount("admin", "000000", Role.ADMIN, "管理员", "系统管理员"),
)


def demo_password() -> str:
    return os.environ.get("XIEZUO_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


class UserCreate(Action[AbstractBaseUser]):
    """A user with its org unit and role (an existing login name is updated)."""

    kind = ActionKind.USER_CREATE
    admin_only = True
    exempt_reason = "用户管理不属于某个单位某年度的填报"
    field_labels = {"role": "角色", "org": "单位", "name": "姓名"}

    def __init__(self, *, username: str, password: str, org: OrgUnit, role: str,
                 by: AbstractBaseUser | None = None, name: str = "") -> None:
        self.username, self.password, self.org, self.role, self.by, self.name = username, password, org, role, by, name

    def validate(self) -> None:
        # Django's validators (settings.AUTH_PASSWORD_VALIDATORS): length, common, numeric, like the name.
        try:
            validate_password(self.password, get_user_model()(username=self.username))
        except ValidationError as exc:
            raise InvalidValue("密码不符合要求：" + "；".join(exc.messages), location=Location(row=self.username)) from None

    def perform(self) -> AbstractBaseUser:
        User = get_user_model()
        user, created = User.objects.get_or_create(username=self.username)
        old = None
        if not created:
            profile = Profile.objects.filter(user=user).select_related("org").first()
            old = {"role": profile.role if profile else None, "org": profile.org.code if profile else None,
                   "name": user.get_full_name()}
        user.set_password(self.password)
        user.is_staff = user.is_superuser = self.role == Role.ADMIN
        if self.name:
            user.last_name, user.first_name = self.name, ""
        user.save(update_fields=["password", "is_staff", "is_superuser", "last_name", "first_name"])
        Profile.objects.update_or_create(user=user, defaults={"org": self.org, "role": self.role})
        before, after = changed_fields(old, {"role": self.role, "org": self.org.code, "name": user.get_full_name()})
        self.record(kind=ActionKind.USER_CREATE if created else ActionKind.USER_UPDATE, object_type="auth.user",
                    object_key=self.username, org_code=self.org.code, old=before, new=after)
        return user


user_create = UserCreate.run


def demo_accounts_create() -> list[DemoAccount]:
    password = demo_password()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[a.org_code for a in DEMO_ACCOUNTS])}
    for account in DEMO_ACCOUNTS:
        user_create(username=account.username, password=password, org=units[account.org_code], role=account.role,
                    name=account.name)
    return list(DEMO_ACCOUNTS)
