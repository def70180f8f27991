"""Logged-in clients for the named demo users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from xiezuo.accounts.services import demo_password


@pytest.fixture
def login(demo) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def make(username: str) -> Client:
        client = Client()
        response = client.post("/login/", {"username": username, "password": demo_password()})
        assert response.status_code == 302, f"{username} could not log in"
        return client

    return make
