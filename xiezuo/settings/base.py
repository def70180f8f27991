"""Settings for every environment; values come from XIEZUO_* environment variables."""

from __future__ import annotations

from pathlib import Path

from xiezuo.settings.env import cache_from_url, database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("XIEZUO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("XIEZUO_DEBUG", True)
# Development falls back to a fixed key; production.py refuses to start without a real one.
SECRET_KEY = env_str("XIEZUO_SECRET_KEY", "dev-only-insecure-key-change-me")  # noqa: S105
ALLOWED_HOSTS = env_list("XIEZUO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("XIEZUO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "xiezuo.core",
    "xiezuo.orgunits",
    "xiezuo.catalogue",
    "xiezuo.accounts",
    "xiezuo.tables",
    "xiezuo.documents",
    "xiezuo.ledgers",
    "xiezuo.submissions",
    "xiezuo.rollup",
    "xiezuo.assessment",
    "xiezuo.progress",
    "xiezuo.web",
    "xiezuo.ops",
    "django_tasks",
    "django_tasks_db",
    "xiezuo.jobs",
    "xiezuo.synth",
    "xiezuo.demo",
    "xiezuo.audit",
    "xiezuo.api",
    "xiezuo.exchange",
    "xiezuo.evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiezuo.web.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xiezuo.web.middleware.XiezuoErrorsMiddleware",
    "xiezuo.ops.routers.ReplicaReadsMiddleware",
]

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline
# scripts, no event-handler attributes, no eval — so an injected tag cannot run. Styles allow
# inline attributes: indentation and chart sizes are set per element, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "xiezuo.urls"
WSGI_APPLICATION = "xiezuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiezuo.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("XIEZUO_DATABASE_URL", f"sqlite:///{VAR_DIR / 'xiezuo.sqlite3'}"), base_dir=BASE_DIR
    )
}
# A streaming replica for read-only work (dashboards, roll-ups): see xiezuo/ops/routers.py.
if env_str("XIEZUO_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = database_from_url(env_str("XIEZUO_REPLICA_DATABASE_URL"), base_dir=BASE_DIR)
    # Tests see one database: the replica alias mirrors the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["xiezuo.ops.routers.ReplicaRouter"]
# Pages whose reads may lag the primary by a moment; without a replica they read the primary.
# Eastern partners read their paired counties' ledgers without the labourers' names unless this is on.
XIEZUO_PARTNER_SEES_NAMES = env_bool("XIEZUO_PARTNER_SEES_NAMES", False)
XIEZUO_REPLICA_VIEWS = env_list("XIEZUO_REPLICA_VIEWS", ["web:dashboard"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Ours first (the user with its profile and unit in one query); Django's own after it, so sessions
# signed in under it stay valid.
AUTHENTICATION_BACKENDS = ["xiezuo.accounts.backends.ProfileBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("XIEZUO_PASSWORD_MIN_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Database sessions; the read on every request written out (xiezuo/accounts/sessions.py).
SESSION_ENGINE = "xiezuo.accounts.sessions"
SESSION_COOKIE_AGE = env_int("XIEZUO_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The expiry counts from the last request, not from login: the session is saved again when it was
# last refreshed more than this long ago (xiezuo.web.middleware.SessionRefreshMiddleware), not on
# every request.
XIEZUO_SESSION_REFRESH_SECONDS = env_int("XIEZUO_SESSION_REFRESH_SECONDS", 300)
# Login rate limiting (xiezuo.web.ratelimit): failures per account and address, per account, per
# address; the address is the client's as the reverse proxies in XIEZUO_TRUSTED_PROXIES report it.
LOGIN_MAX_FAILURES = env_int("XIEZUO_LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_ACCOUNT = env_int("XIEZUO_LOGIN_MAX_FAILURES_ACCOUNT", 20)
LOGIN_MAX_FAILURES_ADDRESS = env_int("XIEZUO_LOGIN_MAX_FAILURES_ADDRESS", 100)
LOGIN_LOCK_SECONDS = env_int("XIEZUO_LOGIN_LOCK_SECONDS", 15 * 60)
XIEZUO_TRUSTED_PROXIES = env_list("XIEZUO_TRUSTED_PROXIES", [])  # addresses or CIDR ranges

# Caches. "default" holds page bodies and derived figures, keyed by version stamps, so a cache
# per process (local memory, when XIEZUO_CACHE_URL is unset) is correct, only less shared.
# "limits" holds the login failure counters, which must be one count for every gunicorn worker
# and server: by default a table in the application's own database (SQLite or PostgreSQL alike,
# no extra server; `migrate` creates it, see xiezuo.core.apps), or Redis via
# XIEZUO_LIMITS_CACHE_URL=redis://host:6379/1. URLs: locmem://, redis://host:port/db, db://table.
# Past MAX_ENTRIES Django culls live entries too, which would reset counters: failures sprayed over
# many accounts must not clear the count of the one being guessed, so the bound is far above what
# 15 minutes of honest mistakes produce (each failure adds at most three entries).
CACHES = {
    "default": cache_from_url(env_str("XIEZUO_CACHE_URL", ""), name="xiezuo_cache"),
    "limits": cache_from_url(env_str("XIEZUO_LIMITS_CACHE_URL", "db://"), name="xiezuo_limits",
                             max_entries=env_int("XIEZUO_LIMITS_MAX_ENTRIES", 50_000)),
}

# Bounds on uploaded files (xiezuo.core.bounded) and on heavy request work (xiezuo.core.heavy).
XIEZUO_FILE_LIMITS = {
    "upload_bytes": env_int("XIEZUO_UPLOAD_MAX_MB", 20) * 1024 * 1024,
    "rows": env_int("XIEZUO_XLSX_MAX_ROWS", 300_000),
    "columns": env_int("XIEZUO_XLSX_MAX_COLUMNS", 200),
    "text_chars": env_int("XIEZUO_AUDIT_MAX_CHARS", 100_000),
}
# The REST API (xiezuo.api): requests per minute per token (or per signed-in user), largest request body.
XIEZUO_API_RATE_PER_MINUTE = env_int("XIEZUO_API_RATE_PER_MINUTE", 600)
XIEZUO_API_MAX_BODY_BYTES = env_int("XIEZUO_API_MAX_BODY_MB", 20) * 1024 * 1024
XIEZUO_HEAVY_SECONDS = env_int("XIEZUO_HEAVY_SECONDS", 30)
XIEZUO_HEAVY_MEMORY_MB = env_int("XIEZUO_HEAVY_MEMORY_MB", 768)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# 佐证材料 (evidence files): the local file system by default; an S3-compatible object store when
# XIEZUO_EVIDENCE_S3_BUCKET is set (needs django-storages[s3]; see docs/deploy.md).
EVIDENCE_MAX_BYTES = env_int("XIEZUO_EVIDENCE_MAX_MB", 20) * 1024 * 1024
EVIDENCE_STORAGE: dict[str, object] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(VAR_DIR / "evidence"), "base_url": None, "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700},
}
if env_str("XIEZUO_EVIDENCE_S3_BUCKET", ""):
    EVIDENCE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("XIEZUO_EVIDENCE_S3_BUCKET", ""),
            "endpoint_url": env_str("XIEZUO_EVIDENCE_S3_ENDPOINT", "") or None,
            "region_name": env_str("XIEZUO_EVIDENCE_S3_REGION", "") or None,
            "access_key": env_str("XIEZUO_EVIDENCE_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("XIEZUO_EVIDENCE_S3_SECRET_KEY", "") or None,
            "location": env_str("XIEZUO_EVIDENCE_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES["evidence"] = EVIDENCE_STORAGE
# Files made by jobs (PDFs, zips of many units' reports), offered for download from the job's page.
STORAGES["jobs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(VAR_DIR / "jobs"), "base_url": None, "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700},
}

# Long work runs as jobs (xiezuo.jobs) in worker processes (`xiezuo worker`), queued in the
# database by django-tasks' database backend: no extra server, SQLite and PostgreSQL alike.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker whose heartbeat is older than this is taken for dead and its running job queued again.
XIEZUO_JOB_STALE_SECONDS = env_int("XIEZUO_JOB_STALE_SECONDS", 60)
XIEZUO_JOB_HEARTBEAT_SECONDS = env_int("XIEZUO_JOB_HEARTBEAT_SECONDS", 5)
# Ledger files with more rows than this are imported by a job, smaller ones inside the request.
XIEZUO_JOB_IMPORT_ROWS = env_int("XIEZUO_JOB_IMPORT_ROWS", 5000)
# Areas with more counties than this have their roll-up workbook (every unit, level by level) and
# their assessment workbook made by a job (a province of 100 counties and the nation); smaller ones
# (a city) are made in the request.
XIEZUO_JOB_AREA_COUNTIES = env_int("XIEZUO_JOB_AREA_COUNTIES", 50)
# The largest exchange package the web page accepts (a nation's 1,000 tables are about 40 MB).
XIEZUO_EXCHANGE_UPLOAD_MB = env_int("XIEZUO_EXCHANGE_UPLOAD_MB", 200)
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("XIEZUO_LOG_LEVEL", "INFO")},
}
