"""The shape of a synthetic nation: codes, names and pairings (plain Python, no database).

Codes sit where GB/T 2260 assigns nothing: western provinces 90–99, eastern provinces 72–79, so
synthetic units can never collide with real ones. Every name carries 合成.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezuo.core.errors import XiezuoError

WEST_PROVINCE_CODES = tuple(range(90, 100))
EAST_PROVINCE_CODES = tuple(range(72, 80))
EAST_DISTRICTS_PER_CITY = 20
CHINESE_DIGITS = "〇一二三四五六七八九"


class SynthSizeError(XiezuoError):
    code = "synth_size"


@dataclass(frozen=True)
class Sizes:
    provinces: int = 10
    cities_per_province: int = 10
    counties_per_city: int = 10
    labour_per_county: int = 3000
    sales_per_county: int = 500
    year: int = 2023
    duplicates: int = 0  # labourers planted in two counties' placements (and a tenth as many enterprises)

    def check(self) -> None:
        if not 1 <= self.provinces <= len(WEST_PROVINCE_CODES):
            raise SynthSizeError(f"省份数应在 1–{len(WEST_PROVINCE_CODES)} 之间（合成区划代码 90–99 开头）")
        if not 1 <= self.cities_per_province <= 99:
            raise SynthSizeError("每省地市数应在 1–99 之间")
        if not 1 <= self.counties_per_city <= 99:
            raise SynthSizeError("每市县数应在 1–99 之间")
        if self.labour_per_county < 0 or self.sales_per_county < 0:
            raise SynthSizeError("每县台账条数不能为负数")
        if self.duplicates < 0 or (self.duplicates and self.duplicates > self.labour_per_county):
            raise SynthSizeError("重复统计的人数不能为负数，也不能多于每县台账条数")

    @property
    def counties(self) -> int:
        return self.provinces * self.cities_per_province * self.counties_per_city


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    side: str
    parent: str  # parent's code


def _number(n: int) -> str:
    """12 → 一二: short, readable, obviously not a real place name."""
    return "".join(CHINESE_DIGITS[int(d)] for d in str(n))


def west_units(sizes: Sizes) -> list[Unit]:
    """Provinces, cities and counties, parents before children."""
    out: list[Unit] = []
    for p in range(sizes.provinces):
        pcode = f"{WEST_PROVINCE_CODES[p]}0000"
        out.append(Unit(pcode, f"合成{_number(p + 1)}省", "province", "west", "000000"))
        for c in range(1, sizes.cities_per_province + 1):
            ccode = f"{pcode[:2]}{c:02d}00"
            out.append(Unit(ccode, f"合成{_number(p + 1)}省{_number(c)}市", "city", "west", pcode))
            for k in range(1, sizes.counties_per_city + 1):
                out.append(Unit(f"{ccode[:4]}{k:02d}", f"合成{_number(p + 1)}省{_number(c)}市{_number(k)}县",
                                "county", "west", ccode))
    return out


def east_units(count: int, provinces: int) -> list[Unit]:
    """`count` eastern districts spread over up to eight provinces, one per western county."""
    provinces = max(1, min(provinces, len(EAST_PROVINCE_CODES)))
    out: list[Unit] = []
    per_province = -(-count // provinces)
    made = 0
    for p in range(provinces):
        pcode = f"{EAST_PROVINCE_CODES[p]}0000"
        out.append(Unit(pcode, f"合成东部{_number(p + 1)}省", "province", "east", "000000"))
        in_province = min(per_province, count - made)
        for c in range(1, -(-in_province // EAST_DISTRICTS_PER_CITY) + 1):
            ccode = f"{pcode[:2]}{c:02d}00"
            out.append(Unit(ccode, f"合成东部{_number(p + 1)}省{_number(c)}市", "city", "east", pcode))
            for d in range(1, EAST_DISTRICTS_PER_CITY + 1):
                if made >= count or (c - 1) * EAST_DISTRICTS_PER_CITY + d > in_province:
                    break
                out.append(Unit(f"{ccode[:4]}{d:02d}", f"合成东部{_number(p + 1)}省{_number(c)}市{_number(d)}区",
                                "county", "east", ccode))
                made += 1
    return out
