"""Personal access tokens of the API as actions: create (the secret is returned once), revoke, and the last-use touch."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from xiezuo.accounts.models import ApiToken
from xiezuo.accounts.scope import is_admin
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.errors import InvalidValue, Location, NotFound
from xiezuo.core.textcheck import checked_text

TOKEN_PREFIX = "xz_"  # noqa: S105 — the visible start of every token, not a secret
# How stale `last_used_at` may get before a request writes it again: a script making many
# requests a second writes the row about once a minute, not on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once to the user, never stored


_EXEMPT = "访问令牌属于用户本人，与统计表的填报状态无关"
_LABELS = {"name": "名称", "prefix": "前缀", "read_only": "只读", "expires_at": "有效期至", "revoked_at": "吊销时间"}


class TokenCreate(Action[CreatedToken]):
    """A new token for the acting user; `expires_at` None means it does not expire."""

    kind = ActionKind.TOKEN_CREATE
    exempt_reason = _EXEMPT
    field_labels = _LABELS

    def __init__(self, *, by: AbstractBaseUser | None, name: str, read_only: bool = False,
                 expires_at: dt.datetime | None = None) -> None:
        if by is None:
            raise InvalidValue("访问令牌必须属于一个用户")
        name = checked_text(name.strip(), label="名称", max_length=100)
        if not name:
            raise InvalidValue("请填写令牌名称（用途），便于日后识别", location=Location(column="名称"))
        if expires_at is not None and expires_at <= timezone.now():
            raise InvalidValue("有效期必须晚于现在", location=Location(column="有效期至", value=expires_at.date()))
        self.by, self.name, self.read_only, self.expires_at = by, name, read_only, expires_at

    def perform(self) -> CreatedToken:
        assert self.by is not None  # refused in __init__
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user_id=self.by.pk, name=self.name, digest=token_digest(secret), prefix=secret[:10],
            read_only=self.read_only, expires_at=self.expires_at,
        )
        self.record(object_type="accounts.apitoken", object_key=str(token.pk), new={
            "name": token.name, "prefix": token.prefix, "read_only": token.read_only,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        })
        return CreatedToken(token=token, secret=secret)


class TokenRevoke(Action[ApiToken]):
    """Revoke one of the user's own tokens (an administrator may revoke anyone's); it answers 401 from now on."""

    kind = ActionKind.TOKEN_REVOKE
    exempt_reason = _EXEMPT
    field_labels = _LABELS

    def __init__(self, *, by: AbstractBaseUser | None, token_id: int) -> None:
        self.by, self.token_id = by, token_id

    def perform(self) -> ApiToken:
        qs = ApiToken.objects.select_for_update().filter(pk=self.token_id)
        if self.by is not None and not is_admin(self.by):
            qs = qs.filter(user_id=self.by.pk)
        token = qs.first()
        if token is None:
            raise NotFound("未找到该访问令牌")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            self.record(object_type="accounts.apitoken", object_key=str(token.pk), old={"revoked_at": None},
                        new={"revoked_at": token.revoked_at.isoformat()})
        return token


class TokenTouch(Action[None]):
    """When the token was last used, written at most once a minute.

    Not audited: it is bookkeeping of the token itself, like Django's `last_login`, and a change
    record per API request would bury every real change under them.
    """

    kind = ActionKind.TOKEN_TOUCH
    exempt_reason = _EXEMPT

    def __init__(self, *, token: ApiToken) -> None:
        self.by, self.token = None, token

    def perform(self) -> None:
        now = timezone.now()
        if self.token.last_used_at is None or now - self.token.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=self.token.pk).update(last_used_at=now)
            self.token.last_used_at = now


token_create = TokenCreate.run
token_revoke = TokenRevoke.run
token_touch = TokenTouch.run
