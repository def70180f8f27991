"""Structured JSON log lines that never carry personal data.

Every record becomes one JSON object per line (time, level, logger, message and any `extra`
fields). Before it is written, ID numbers (GB 11643, 15 or 18 characters) and mobile numbers are
masked wherever they appear, and fields that name a person are reduced to the surname.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# 18-character resident ID (17 digits + digit/X) or the old 15-digit form, not inside a longer number.
ID_NUMBER_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8,11}([0-9Xx])(?![0-9Xx])")
MOBILE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
# `extra` keys whose values name a person: kept only as a masked name.
PERSON_FIELDS = frozenset({"name", "person", "person_name", "full_name", "labourer", "worker", "contact"})
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def mask_name(name: str) -> str:
    """张三 → 张*，欧阳娜娜 → 欧***: enough to tell people apart in a log, not to identify them."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def scrub(text: str) -> str:
    """Mask ID numbers (keep the 6-digit area code and the check character) and mobile numbers."""
    text = ID_NUMBER_RE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 7) + m.group(2), text)
    return MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def _clean(key: str, value: Any) -> Any:
    if isinstance(value, str):
        return mask_name(value) if key in PERSON_FIELDS else scrub(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _clean(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(key, v) for v in value]
    return scrub(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, personal data masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                # Django attaches the request object itself; log only what identifies the call.
                if key == "request":
                    entry["method"] = getattr(value, "method", None)
                    entry["path"] = scrub(getattr(value, "path", ""))
                    continue
                entry[key] = _clean(key, value)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_logging(level: str = "INFO") -> dict[str, Any]:
    """A LOGGING setting that writes JSON lines to stderr (collected by the service manager)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "xiezuo.ops.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django logs 4xx/5xx with the request; the formatter keeps only method and path.
            "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
