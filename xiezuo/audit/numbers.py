"""Numbers and units as Chinese reports write them: 三十五, 1.2亿元, 698.4475万元, 90.99%.

Plain Python. Values stay Decimal in the unit written; `to_base` converts for comparison.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}

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


def cn_to_int(text: str) -> int | None:
    """三十五 → 35, 两 → 2, 一百零八 → 108, 二〇二三 → 2023; None if it is not a numeral."""
    if not text:
        return None
    if all(ch in CN_DIGIT for ch in text):
        if len(text) == 1:
            return CN_DIGIT[text]
        return int("".join(str(CN_DIGIT[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGIT:
            current = CN_DIGIT[ch]
        elif ch in CN_SMALL:
            total += (current or 1) * CN_SMALL[ch]
            current = 0
        else:
            return None
    return total + current


def parse_number(text: str) -> Decimal | None:
    text = text.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if "点" in text:
        whole, frac = text.split("点", 1)
        w = cn_to_int(whole)
        if w is None or not all(ch in CN_DIGIT for ch in frac):
            return None
        return Decimal(f"{w}.{''.join(str(CN_DIGIT[c]) for c in frac)}")
    n = cn_to_int(text)
    return None if n is None else Decimal(n)


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
