"""Users of the demo accounts for the services that check scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser


@pytest.fixture
def user(demo) -> Callable[[str], AbstractBaseUser]:  # type: ignore[no-untyped-def]
    def get(username: str) -> AbstractBaseUser:
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def demo(demo_with_progress):  # type: ignore[no-untyped-def]
    """The year's progress is what these tests are about: the whole demo, snapshots included."""
    return demo_with_progress
