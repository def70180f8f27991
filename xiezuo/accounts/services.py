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


def _managed_user(user_id: int) -> AbstractBaseUser:
    from xiezuo.core.errors import NotFound

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"没有编号为 {user_id} 的用户")
    return user


class UserUpdate(Action[AbstractBaseUser]):
    """An administrator changes a user's 姓名, unit, role or whether the account is active."""

    kind = ActionKind.USER_UPDATE
    admin_only = True
    exempt_reason = "用户管理不属于某个单位某年度的填报"
    field_labels = {"role": "角色", "org": "单位", "name": "姓名", "active": "启用"}

    def __init__(self, *, user_id: int, org: OrgUnit, role: str, active: bool, name: str,
                 by: AbstractBaseUser | None = None) -> None:
        from xiezuo.core.errors import InvalidValue

        if role not in Role.values:
            raise InvalidValue(f"角色「{role}」不存在", )
        self.user, self.org, self.role, self.active, self.name, self.by = (
            _managed_user(user_id), org, role, active, name.strip(), by)

    def validate(self) -> None:
        from xiezuo.core.errors import InvalidValue

        if self.by is not None and self.user.pk == self.by.pk and not self.active:
            raise InvalidValue("不能停用自己的账号")

    def perform(self) -> AbstractBaseUser:
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=self.user.pk)
        profile = Profile.objects.filter(user=user).select_related("org").first()
        old = {"role": profile.role if profile else None, "org": profile.org.code if profile else None,
               "name": user.get_full_name(), "active": user.is_active}
        user.last_name, user.first_name = self.name, ""
        user.is_active = self.active
        user.is_staff = user.is_superuser = self.role == Role.ADMIN
        user.save(update_fields=["last_name", "first_name", "is_active", "is_staff", "is_superuser"])
        Profile.objects.update_or_create(user=user, defaults={"org": self.org, "role": self.role})
        before, after = changed_fields(old, {"role": self.role, "org": self.org.code, "name": user.get_full_name(),
                                             "active": self.active})
        if after:
            self.record(object_type="auth.user", object_key=user.get_username(), org_code=self.org.code,
                        old=before, new=after)
        return user


class UserPasswordReset(Action[AbstractBaseUser]):
    """An administrator sets a new password for a user (who then logs in with it)."""

    kind = ActionKind.USER_PASSWORD_RESET
    admin_only = True
    exempt_reason = "用户管理不属于某个单位某年度的填报"

    def __init__(self, *, user_id: int, password: str, by: AbstractBaseUser | None = None) -> None:
        self.user, self.password, self.by = _managed_user(user_id), password, by

    def validate(self) -> None:
        _check_password(self.password, self.user)

    def perform(self) -> AbstractBaseUser:
        self.user.set_password(self.password)
        self.user.save(update_fields=["password"])
        # The password itself is never recorded, only that it was reset.
        self.record(object_type="auth.user", object_key=self.user.get_username(), comment="密码已重置")
        return self.user


class PasswordChange(Action[AbstractBaseUser]):
    """A user changes its own password, giving the current one."""

    kind = ActionKind.USER_PASSWORD_CHANGE
    exempt_reason = "用户本人的账号设置，不属于填报数据"

    def __init__(self, *, by: AbstractBaseUser, old_password: str, new_password: str) -> None:
        self.by, self.old_password, self.new_password = by, old_password, new_password

    def validate(self) -> None:
        from xiezuo.core.errors import InvalidValue

        assert self.by is not None
        if not self.by.check_password(self.old_password):
            raise InvalidValue("当前密码不正确")
        _check_password(self.new_password, self.by)

    def perform(self) -> AbstractBaseUser:
        assert self.by is not None
        self.by.set_password(self.new_password)
        self.by.save(update_fields=["password"])
        self.record(object_type="auth.user", object_key=self.by.get_username(), comment="本人修改密码")
        return self.by


def _check_password(password: str, user: AbstractBaseUser) -> None:
    """Django's password validators, their messages in Chinese."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from xiezuo.core.errors import InvalidValue

    if len(password) < 8:
        raise InvalidValue("新密码至少 8 位")
    try:
        validate_password(password, user if isinstance(user, User) else None)
    except ValidationError as exc:
        raise InvalidValue("；".join(exc.messages)) from exc


user_update = UserUpdate.run
user_password_reset = UserPasswordReset.run
password_change = PasswordChange.run


def demo_accounts_create() -> list[DemoAccount]:
    password = demo_password()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[a.org_code for a in DEMO_ACCOUNTS])}
    for account in DEMO_ACCOUNTS:
        user_create(username=account.username, password=password, org=units[account.org_code], role=account.role,
                    name=account.name)
    return list(DEMO_ACCOUNTS)


# The API's personal access tokens are the user's own; their actions join the registry with the others.
from xiezuo.accounts import tokens as _tokens  # noqa: E402, F401
