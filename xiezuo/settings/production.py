"""Production settings: no debug, a real secret, HTTPS-only cookies and HSTS."""

from django.core.exceptions import ImproperlyConfigured

from xiezuo.ops.logs import json_logging
from xiezuo.settings.base import *  # noqa: F403
from xiezuo.settings.env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("XIEZUO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("生产环境必须通过 XIEZUO_SECRET_KEY 或 XIEZUO_SECRET_KEY_FILE 提供至少 50 个字符的密钥")

SECURE_SSL_REDIRECT = env_bool("XIEZUO_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("XIEZUO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "evidence": EVIDENCE_STORAGE,  # noqa: F405
    "jobs": STORAGES["jobs"],  # noqa: F405 - the files jobs make, as in base
}
WHITENOISE_USE_FINDERS = False

# PostgreSQL with a psycopg connection pool in each worker process, unless XIEZUO_DB_POOL=0 (a
# pooler such as PgBouncer sits in front) or the URL sets its own (?pool=1&pool_max=N).
for _alias, _db in DATABASES.items():  # noqa: F405
    _options = _db["OPTIONS"]
    assert isinstance(_options, dict)
    if _db["ENGINE"] == "django.db.backends.postgresql" and "pool" not in _options \
            and env_str("XIEZUO_DB_POOL", "1") != "0":
        _options["pool"] = {"min_size": 1, "max_size": env_int("XIEZUO_DB_POOL_MAX", 8), "timeout": 10}
        _db["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not keep its own

# One JSON object per log line, with ID numbers, phone numbers and names masked.
LOGGING = json_logging(env_str("XIEZUO_LOG_LEVEL", "INFO"))
