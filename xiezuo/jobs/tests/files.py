"""A labour-placement ledger file of any size, with valid ID numbers, for the job tests."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path


def labour_file(path: Path, rows: int, *, county: str = "620422", year: int = 2023, seed: int = 5) -> Path:
    """`rows` people, none of them already in the county's ledger of that year."""
    from openpyxl import Workbook

    from xiezuo.ledgers.idcard import make_id
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.ledgers.schema import ledger_of

    ledger = ledger_of("labour_placements")
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ledger.label)
    ws.append(ledger.headers)
    seen = set(LabourPlacement.objects.filter(org__code=county, year=year).values_list("id_number", flat=True))
    for i in range(rows):
        while True:
            number = make_id(county, dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15_000)), rng.randrange(1000))
            if number not in seen:
                seen.add(number)
                break
        ws.append([f"测试人员{i:06d}", number, rng.choice(("脱贫", "监测", "一般")),
                   rng.choice(("东部结对省份", "省内就近", "其他地区")), "（测试）某公司",
                   dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(330)), "是"])
    wb.save(path)
    return path
