"""A synthetic area of many counties, for query-count tests and the roll-up benchmark."""

from __future__ import annotations

from decimal import Decimal

from xiezuo.orgunits.models import Level, OrgUnit, Pairing, Side
from xiezuo.tables.models import DataValue

PER_CITY = 50


def synthetic_area(counties: int, *, year: int = 2023, province_code: str = "990000") -> OrgUnit:
    """A western province of `counties` synthetic counties (50 per city), each with a few values,
    half of them paired with one of ten synthetic eastern districts. Returns the province."""
    nation = OrgUnit.objects.filter(code="000000").first()
    prefix = province_code[:2]
    province = OrgUnit.objects.create(
        code=province_code, name=f"合成省{prefix}", level=Level.PROVINCE, side=Side.WEST, parent=nation,
        path=(nation.path if nation else "/") + province_code + "/", synthetic=True,
    )
    n_cities = (counties + PER_CITY - 1) // PER_CITY
    cities = OrgUnit.objects.bulk_create([
        OrgUnit(code=f"{prefix}{c + 1:02d}00", name=f"合成市{c + 1}", level=Level.CITY, side=Side.WEST,
                parent=province, path=f"{province.path}{prefix}{c + 1:02d}00/", synthetic=True)
        for c in range(n_cities)
    ])
    units = OrgUnit.objects.bulk_create([
        OrgUnit(code=f"{city.code[:4]}{i + 1:02d}", name=f"合成县{city.code[:4]}{i + 1:02d}", level=Level.COUNTY,
                side=Side.WEST, parent=city, path=f"{city.path}{city.code[:4]}{i + 1:02d}/", synthetic=True)
        for n, city in enumerate(cities)
        for i in range(min(PER_CITY, counties - n * PER_CITY))
    ])
    east_province = OrgUnit.objects.create(
        code=f"{int(prefix) - 10}0000", name="合成东部省", level=Level.PROVINCE, side=Side.EAST,
        path=f"/{int(prefix) - 10}0000/", synthetic=True,
    )
    districts = OrgUnit.objects.bulk_create([
        OrgUnit(code=f"{int(prefix) - 10}01{d + 1:02d}", name=f"合成东部区{d + 1}", level=Level.COUNTY,
                side=Side.EAST, parent=east_province, path=f"{east_province.path}{int(prefix) - 10}01{d + 1:02d}/",
                synthetic=True)
        for d in range(10)
    ])
    Pairing.objects.bulk_create([
        Pairing(east=districts[(i // 2) % 10], west=u, start_year=year - 2) for i, u in enumerate(units) if i % 2 == 0
    ])
    values: list[DataValue] = []
    for i, u in enumerate(units):
        allocated = Decimal(1000 + i)
        values += [
            DataValue(org=u, year=year, code="meet_party", number=Decimal(1 + i % 3)),
            DataValue(org=u, year=year, code="funds_allocated", number=allocated),
            DataValue(org=u, year=year, code="funds_used", number=allocated * Decimal("0.9")),
            DataValue(org=u, year=year, code="funds_use_ratio", number=Decimal(90)),
            DataValue(org=u, year=year, code="pair_east_counties", number=Decimal(1)),
            DataValue(org=u, year=year, code="pair_west_counties", number=Decimal(1)),
            DataValue(org=u, year=year, code="consumption_sales", number=Decimal("0.0123")),
            DataValue(org=u, year=year, code="visit_e2w_principal", text=f"合成示例：{i % 12 + 1}月，某某，书记"),
        ]
    DataValue.objects.bulk_create(values, batch_size=5000)
    return province
