"""Text a user may store: no NUL or other C0 control characters, a bounded length.

NUL cannot be stored on PostgreSQL and a C0 control character makes the XLSX and DOCX writers
refuse the whole file, so such text is refused where it enters (a form, an import, a template
cell), with a message saying which character and where, instead of breaking every page later.
"""

from __future__ import annotations

import re

# C0 controls except tab (\t) and newline (\n); a carriage return is allowed too, since
# Windows line ends arrive in form fields and CSV cells (it is normalised, never stored alone).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHOWN_CHARS = 40  # at most this much of a bad value goes into a message


def control_problem(text: str) -> str | None:
    """A Chinese reason if `text` holds a forbidden control character, else None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    name = "空字符（NUL）" if code == 0 else f"控制字符 U+{code:04X}"
    return f"含有不可见的{name}（第 {found.start() + 1} 个字符），请删除后重新填写"


def length_problem(text: str, max_length: int) -> str | None:
    if len(text) <= max_length:
        return None
    return f"文字过长：{len(text)} 个字符，最多 {max_length} 个"


def text_problem(text: str, max_length: int) -> str | None:
    """The first problem of a text value (control characters, then length), or None."""
    return control_problem(text) or length_problem(text, max_length)


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as a message may quote it: control characters made visible, long text cut."""
    text = str(value)
    text = _FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(str(value))} 个字符）"


def checked_text(text: str, *, label: str, max_length: int) -> str:
    """`text` if it may be stored; otherwise InvalidValue naming the field and the problem."""
    from xiezuo.core.errors import InvalidValue, Location

    problem = text_problem(text, max_length)
    if problem is not None:
        raise InvalidValue(problem, location=Location(column=label, value=shown(text)))
    return text
