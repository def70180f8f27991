"""The authentication backend: Django's own, reading a signed-in user with its role and unit.

Every page asks the user's scope (`accounts.scope`), which needs the profile and its unit; read in
the one query that loads the user on each request, they cost nothing more.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("profile__org").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
