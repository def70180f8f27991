"""An exchange package of any size, made in memory for the tests: a test province (98xxxx) of
approved county tables, canonical and checksummed as `package_build` makes them."""

from __future__ import annotations

from typing import Any

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.exchange.package import FORMAT, VERSION, _dumps, checksum_of, template_checksum

NATION = {"code": "000000", "name": "全国", "level": "nation", "side": "west", "parent": None, "path": "/000000/"}


def big_package(counties: int, *, year: int = 2023, per_city: int = 20) -> bytes:
    """`counties` approved tables with every numeric row of the year's template filled."""
    catalogue = get_catalogue(year)
    rows = [r.code for r in catalogue.value_rows if r.is_numeric]
    province = {"code": "980000", "name": "测试省", "level": "province", "side": "west", "parent": "000000",
                "path": "/000000/980000/"}
    units: list[dict[str, Any]] = [NATION, province]
    tables: list[dict[str, Any]] = []
    for i in range(counties):
        city_no, county_no = divmod(i, per_city)
        city_code = f"98{city_no + 1:02d}00"
        if county_no == 0:
            units.append({"code": city_code, "name": f"测试市{city_no + 1}", "level": "city", "side": "west",
                          "parent": "980000", "path": f"{province['path']}{city_code}/"})
        code = f"98{city_no + 1:02d}{county_no + 1:02d}"
        units.append({"code": code, "name": f"测试县{i + 1}", "level": "county", "side": "west",
                      "parent": city_code, "path": f"{province['path']}{city_code}/{code}/"})
        tables.append({
            "org": code, "year": year,
            "submission": {"state": "approved", "version": 3, "submitted_at": f"{year}-11-20T10:00:00+08:00",
                           "approved_at": f"{year}-11-25T10:00:00+08:00", "timeline": []},
            "values": [{"code": c, "number": str(i + n), "text": "", "source": "entered", "version": 1,
                        "published": False, "note": ""} for n, c in enumerate(sorted(rows))],
        })
    units.sort(key=lambda u: u["path"])
    data = {"units": units, "pairings": [], "tables": tables}
    manifest = {
        "format": FORMAT, "version": VERSION, "created_at": f"{year}-12-01T10:00:00+08:00", "instance": "test",
        "org": {"code": "980000", "name": "测试省", "level": "province"}, "year": year,
        "template": {"year": catalogue.year, "checksum": template_checksum(catalogue)},
        "counts": {"units": len(units), "pairings": 0, "tables": len(tables),
                   "values": sum(len(t["values"]) for t in tables), "events": 0},
    }
    return _dumps({"format": FORMAT, "version": VERSION, "manifest": manifest, "data": data,
                   "checksum": checksum_of(manifest, data)})
