"""Settings for the test suite: fast hashing, same database selection as base."""

from xiezuo.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Every request and every CLI command of the suite runs under the write gate's guard: a write to a
# domain table outside an action fails the test that made it.
XIEZUO_WRITE_GUARD = True
MIDDLEWARE = [*MIDDLEWARE, "xiezuo.web.middleware.WriteGuardMiddleware"]  # noqa: F405

