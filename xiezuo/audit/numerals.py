"""Numbers and units as Chinese reports write them: 三十五, 一万二千, 1.2亿元, 698.4475万元, 90.99%.

Plain Python; the Chinese numerals themselves are read by cn2an. Values stay Decimal in the unit
written; `to_base` converts for comparison.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

# unit → (family, factor to the family's base unit)
UNIT_FAMILY: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(1)),
    "千元": ("money", Decimal(1000)),
    "万元": ("money", Decimal(10_000)),
    "亿元": ("money", Decimal(100_000_000)),
    "人": ("person", Decimal(1)),
    "名": ("person", Decimal(1)),
    "位": ("person", Decimal(1)),
    "万人": ("person", Decimal(10_000)),
    "人次": ("person", Decimal(1)),
    "万人次": ("person", Decimal(10_000)),
    "户": ("household", Decimal(1)),
    "万户": ("household", Decimal(10_000)),
    "户次": ("household", Decimal(1)),
    "个": ("count", Decimal(1)),
    "家": ("count", Decimal(1)),
    "所": ("count", Decimal(1)),
    "项": ("count", Decimal(1)),
    "对": ("count", Decimal(1)),
    "处": ("count", Decimal(1)),
    "座": ("count", Decimal(1)),
    "次": ("times", Decimal(1)),
    "场": ("times", Decimal(1)),
    "场次": ("times", Decimal(1)),
    "期": ("classes", Decimal(1)),
    "班": ("classes", Decimal(1)),
    "亩": ("area", Decimal(1)),
    "万亩": ("area", Decimal(10_000)),
    "平方米": ("sqm", Decimal(1)),
    "%": ("percent", Decimal(1)),
    "％": ("percent", Decimal(1)),
}
# Countable things that only make sense with their own unit (款 of equipment, 种 of products…).
OTHER_UNITS = ("篇", "套", "款", "种", "类", "批", "件", "条", "台", "辆", "头", "只", "株", "间", "吨", "公斤",
               "斤", "公里", "千米", "米", "栋", "届", "支", "张", "本", "册", "份")
RATE_UNITS = ("元/亩", "元/人", "元/户", "元/月", "元/年", "元/斤", "元/公斤", "元/吨", "元/平方米")
# Interchangeable when a text figure is compared with a table row of the same family.
COUNT_UNITS = frozenset({"个", "家", "所", "项", "对", "处", "座"})


# The domain layer around the numerals: 百分之 and the bounds (余/多/以上) are ours; the numeral
# itself (一万二千三百四十五, 三千五, 负五, 零点五, 二〇二三) is cn2an's.
CN_NUMERAL_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿点负壹贰叁肆伍陆柒捌玖拾佰仟")
_PERCENT_PREFIX = "百分之"


@lru_cache(maxsize=8192)
def _cn2an(text: str) -> Decimal | None:
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    # cn2an gives int or float; repr of the float is the shortest decimal that reads back the same.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))


def cn_to_int(text: str) -> int | None:
    """三十五 → 35, 两 → 2, 一万二千三百四十五 → 12345, 二〇二三 → 2023; None if it is not a whole numeral."""
    if not text or not set(text) <= CN_NUMERAL_CHARS:
        return None
    value = _cn2an(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_number(text: str) -> Decimal | None:
    """A written number: 1,200.5, 三点五, 三亿五千万, 负五, 百分之三十五 (→ 35, the unit is the caller's)."""
    text = text.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    if text[0].isdigit() or (text[0] in "-+" and text[1:2].isdigit()):
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if text.startswith(_PERCENT_PREFIX):
        text = text[len(_PERCENT_PREFIX):]
    if not set(text) <= CN_NUMERAL_CHARS:
        return None
    return _cn2an(text)


def family(unit: str) -> str:
    if unit in UNIT_FAMILY:
        return UNIT_FAMILY[unit][0]
    if unit in RATE_UNITS:
        return "rate"
    return "other:" + unit


def to_base(value: Decimal, unit: str) -> Decimal:
    fam = UNIT_FAMILY.get(unit)
    return value * fam[1] if fam else value


def from_base(value: Decimal, unit: str) -> Decimal:
    fam = UNIT_FAMILY.get(unit)
    return value / fam[1] if fam else value


def places(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def fmt(value: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def same_within_rounding(written: Decimal, written_unit: str, other: Decimal, other_unit: str) -> bool:
    """True if `other` (in its unit) rounds to `written` at the precision written.

    1.2亿元 against 1.2019亿元: the text gives one decimal, 1.2019 rounds to 1.2, so they agree.
    6907万元 against 0.6907亿元: converted, they are equal.
    """
    converted = from_base(to_base(other, other_unit), written_unit)
    if converted == written:
        return True
    step = Decimal(1).scaleb(-places(written))
    # Half a step either way: the text may round half-up or truncate a trailing 5.
    return abs(converted - written) <= step / 2
