"""Fixtures of the API tests: a token for every demo account, and a client that sends it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

ACCOUNTS = ["huining-clerk", "huining-lead", "jingyuan-clerk", "baiyin-reviewer", "gansu-reviewer",
            "heping-partner", "admin"]


@dataclass
class Api:
    client: Client
    token: str

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + url, params, **self._headers())

    def send(self, method: str, url: str, body: Any = None) -> Any:
        call = getattr(self.client, method.lower())
        data = json.dumps(body) if body is not None else ""
        return call("/api/v1" + url, data=data, content_type="application/json", **self._headers())


@pytest.fixture
def tokens(demo: Any) -> dict[str, str]:
    from xiezuo.accounts.tokens import token_create

    users = get_user_model().objects.filter(username__in=ACCOUNTS)
    return {u.username: token_create(by=u, name="测试").secret for u in users}


@pytest.fixture
def api_as(tokens: dict[str, str]) -> Any:
    def make(username: str) -> Api:
        return Api(client=Client(), token=tokens[username])

    return make
