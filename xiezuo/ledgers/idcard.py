"""Citizen ID numbers (GB 11643-1999): check digit, masking. Never log a full number.

Plain Python. An 18-character number is 6 area digits, 8 birth-date digits, 3 sequence digits
and a check character (0–9 or X) computed as ISO 7064 MOD 11-2 over the first 17 digits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")


def check_char(first17: str) -> str:
    # map/mul rather than a generator: this runs once per row of imports of 100,000 people.
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def id_problem(number: str) -> str | None:
    """None when valid; otherwise why not, in Chinese (without repeating the number)."""
    if len(number) != 18:
        return f"身份证号应为 18 位，实为 {len(number)} 位"
    body, last = number[:17], number[17]
    if not _DIGITS.issuperset(body) or not (last in _DIGITS or last == "X"):
        return "身份证号前 17 位应为数字，末位为数字或 X"
    try:
        born = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "身份证号中的出生日期不存在"
    if born.year < 1900:
        return "身份证号中的出生日期不合理"
    if check_char(body) != last:
        return "身份证号校验码不正确（GB 11643）"
    return None


def normalise(raw: object) -> str:
    """Spaces removed and a lower-case x made upper-case, as clerks type them."""
    return str(raw).strip().replace(" ", "").upper()


def mask(number: str) -> str:
    """First 6 and last 4 characters shown: 620422********1234."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def is_masked(number: str) -> bool:
    return "*" in number


def make_id(area: str, born: dt.date, sequence: int) -> str:
    """A number with a valid check digit (used to generate synthetic people)."""
    body = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + check_char(body)


def id_hash(number: str, key: bytes | None = None) -> str:
    """A keyed hash (HMAC-SHA256) of an ID number with the instance's secret, as 64 hex digits.

    Units compare people by this, never by the number: without the secret the hash cannot be
    reversed by trying every birth date and sequence. Changing the secret requires
    `xiezuo duplicates rehash`.
    """
    return hmac.new(key if key is not None else id_hash_key(), number.upper().encode(), hashlib.sha256).hexdigest()


def id_hash_key() -> bytes:
    """The HMAC key, derived from the instance's SECRET_KEY for this one purpose."""
    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), b"xiezuo.labour.id_hash", hashlib.sha256).digest()
