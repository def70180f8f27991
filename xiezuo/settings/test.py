"""Settings for the test suite: fast hashing, same database selection as base."""

from xiezuo.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
