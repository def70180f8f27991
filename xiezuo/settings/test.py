"""Settings for the test suite: fast hashing, same database selection as base."""

import os

from xiezuo.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Every request and every CLI command of the suite runs under the write gate's guard: a write to a
# domain table outside an action fails the test that made it.
XIEZUO_WRITE_GUARD = True
MIDDLEWARE = [*MIDDLEWARE, "xiezuo.web.middleware.WriteGuardMiddleware"]  # noqa: F405


# SQLite's test database is a file, not the default shared-memory one, so that processes the tests
# start (a real job worker, two gunicorn workers) open the same database as the test itself.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
