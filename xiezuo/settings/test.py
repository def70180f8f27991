"""Settings for the test suite: fast hashing, same database selection as base."""

from xiezuo.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Every request and every CLI command of the suite runs under the write gate's guard: a write to a
# domain table outside an action fails the test that made it.
XIEZUO_WRITE_GUARD = True
MIDDLEWARE = [*MIDDLEWARE, "xiezuo.web.middleware.WriteGuardMiddleware"]  # noqa: F405

# A real worker process (`xiezuo worker`, started by the job tests) must open the test database
# too, so on SQLite it is a file, one per test process, rather than shared memory.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import os as _os

    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405

    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_os.getpid()}.sqlite3")}  # noqa: F405
