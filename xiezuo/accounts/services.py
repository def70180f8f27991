"""Creating users with their role and org unit (demo accounts included)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from xiezuo.accounts.models import Profile, Role
from xiezuo.core.changes import change_record
from xiezuo.core.errors import InvalidValue, Location
from xiezuo.orgunits.models import OrgUnit

DEFAULT_DEMO_PASSWORD = "xiezuo-demo-2023"  # noqa: S105 — printed on purpose for the demo


@dataclass(frozen=True)
class DemoAccount:
    username: str
    org_code: str
    role: str
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("huining-clerk", "620422", Role.COUNTY_CLERK, "会宁县 县级填报员"),
    DemoAccount("huining-lead", "620422", Role.COUNTY_LEAD, "会宁县 县级负责人"),
    DemoAccount("jingyuan-clerk", "620421", Role.COUNTY_CLERK, "靖远县 县级填报员"),
    DemoAccount("baiyin-reviewer", "620400", Role.CITY_REVIEWER, "白银市 市级审核员"),
    DemoAccount("gansu-reviewer", "620000", Role.PROVINCE_REVIEWER, "甘肃省 省级审核员"),
    DemoAccount("heping-partner", "120101", Role.EAST_PARTNER, "和平区 东部协作方"),
    DemoAccount("admin", "000000", Role.ADMIN, "管理员"),
)


def demo_password() -> str:
    return os.environ.get("XIEZUO_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def user_create(
    *, username: str, password: str, org: OrgUnit, role: str, by: AbstractBaseUser | None = None
) -> AbstractBaseUser:
    User = get_user_model()
    try:
        # Django's validators (settings.AUTH_PASSWORD_VALIDATORS): length, common, numeric, like the name.
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise InvalidValue("密码不符合要求：" + "；".join(exc.messages), location=Location(row=username)) from None
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"org": org, "role": role})
        change_record(
            actor=by, action="user.create" if created else "user.update", object_type="auth.user",
            object_key=username, org_code=org.code, new={"role": role, "org": org.code},
        )
    return user


def demo_accounts_create() -> list[DemoAccount]:
    password = demo_password()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[a.org_code for a in DEMO_ACCOUNTS])}
    for account in DEMO_ACCOUNTS:
        user_create(username=account.username, password=password, org=units[account.org_code], role=account.role)
    return list(DEMO_ACCOUNTS)
