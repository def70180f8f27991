"""gunicorn for xiezuo: `gunicorn -c deploy/gunicorn.conf.py xiezuo.wsgi`.

Everything can be overridden from the environment (GUNICORN_* below, or gunicorn's own
GUNICORN_CMD_ARGS). The app is stateless: run as many of these behind a load balancer as needed.
"""

from __future__ import annotations

import json
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are short and mostly wait on PostgreSQL: a few threaded workers per core.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
preload_app = False  # each worker opens its own connection pool after fork
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = [f"DJANGO_SETTINGS_MODULE={os.environ.get('DJANGO_SETTINGS_MODULE', 'xiezuo.settings.production')}"]

# Access log as JSON lines: no query strings (they could carry search terms) and no cookies; the
# worker's pid ("<1234>") ties a request to the worker that answered it.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
access_log_format = json.dumps({
    "time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s",
    "status": "%(s)s", "bytes": "%(B)s", "ms": "%(M)s", "remote": "%(h)s",
    "pid": "%(p)s",
})
