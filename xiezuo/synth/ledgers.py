"""Synthetic ledger records for every work area, written straight from the ledger schema.

Each ledger's columns (type, codes, optional or not) come from `xiezuo.ledgers.schema`, so a new
ledger or column is generated without touching this file. Records respect the checks imports
apply (a 其中 figure not above its whole, used ≤ allocated, end after start, sub-categories that
belong to their category, new-this-year people starting this year, valid unique ID numbers).
Rows come out in database form, ready for COPY / executemany.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from xiezuo.ledgers.schema import Column, Ledger

# Records per county for the smaller ledgers (the big two come from the command's sizes).
PER_COUNTY = {
    "meetings": 12, "policy_docs": 3, "visits": 10, "pairings": 40, "training_classes": 15,
    "fund_projects": 30, "enterprises": 6, "parks": 2, "workshops": 8, "exchanges": 25,
    "revival_trainings": 10, "donations": 12, "demo_villages": 3,
}
# Codes are not equally common: the first listed is the usual case (脱贫 people, 东部 jobs …).
FIRST_CODE_WEIGHT = 3
INT_RANGES = {"people": (1, 40), "participants": (20, 80), "jobs": (5, 120)}
MONEY_RANGES_YUAN = {  # by column name: (low, high) in 元
    "amount": (5_000, 150_000), "allocated": (300_000, 3_000_000), "funds": (500_000, 2_000_000),
    "actual_investment": (2_000_000, 40_000_000), "planned_investment": (2_000_000, 60_000_000),
    "aid_funds": (500_000, 5_000_000),
}


def ledgers_available() -> bool:
    return apps.is_installed("xiezuo.ledgers")


def unique_id_number(county_code: str, born: Callable[[], dt.date], rng: random.Random, seen: set[str]) -> str:
    """A valid GB 11643 number of the county not in `seen` (and added to it); `born` draws a birth date."""
    from xiezuo.ledgers import idcard

    while True:
        number = idcard.make_id(county_code, born(), rng.randrange(1, 1000))
        if number not in seen:
            seen.add(number)
            return number


def _codes_weighted(col: Column) -> tuple[list[str], list[int]]:
    codes = [code for code, _ in col.choices]
    return codes, [FIRST_CODE_WEIGHT if i == 0 else 1 for i in range(len(codes))]


def record_values(
    ledger: Ledger, *, county_code: str, county_name: str, year: int, index: int, rng: random.Random,
    seen_ids: set[str],
) -> dict[str, Any]:
    """One record as {column: Python value}, consistent within itself."""
    from xiezuo.ledgers.schema import FUND_SUBCATEGORIES, PART_OF_WHOLE

    rec: dict[str, Any] = {}
    for col in ledger.columns:
        if not col.required and col.type not in ("int", "money", "date") and rng.random() < 0.3:
            rec[col.name] = "" if col.type in ("text", "code") else None
            continue
        if col.type == "text":
            rec[col.name] = f"合成{col.header.split('（')[0][:8]}{index:05d}"
        elif col.type == "code":
            codes, weights = _codes_weighted(col)
            rec[col.name] = rng.choices(codes, weights)[0]
        elif col.type == "bool":
            rec[col.name] = rng.random() < 0.3
        elif col.type == "int":
            low, high = INT_RANGES.get(col.name, (0, 60))
            rec[col.name] = rng.randint(low, high)
        elif col.type == "money":
            low, high = MONEY_RANGES_YUAN.get(col.name, (100_000, 1_000_000))
            rec[col.name] = rng.randint(low, high)  # whole 元, as the column stores it
        elif col.type == "date":
            rec[col.name] = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
        elif col.type == "idno":
            # Distinct birth dates per county make the numbers unique without retries.
            rec[col.name] = unique_id_number(
                county_code, lambda: dt.date(1966, 1, 1) + dt.timedelta(days=(index * 7 + rng.randrange(7)) % 14_600),
                rng, seen_ids)
    for part, whole in PART_OF_WHOLE:
        if part in rec and whole in rec and rec[whole] is not None and rec[part] is not None:
            rec[part] = min(rec[part], rng.randint(0, int(rec[whole])))
    # Several 其中 of one whole must fit inside it together.
    if rec.get("provincial_people") is not None and rec.get("bureau_people") is not None:
        rec["bureau_people"] = min(rec["bureau_people"], rec["people"] - rec["provincial_people"])
    if rec.get("poor_people") is not None and rec.get("monitor_people") is not None:
        rec["monitor_people"] = min(rec["monitor_people"], rec["people"] - rec["poor_people"])
    if "end_date" in rec and rec.get("start_date"):
        rec["end_date"] = None if rec["end_date"] is None else \
            min(rec["start_date"] + dt.timedelta(days=rng.randint(0, 200)), dt.date(year, 12, 31))
    if ledger.kind == "labour_placements":
        if not rec.get("new_this_year"):
            rec["start_date"] = dt.date(year - rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28))
        rec["name"] = f"合成人员{index:05d}"
    if ledger.kind == "fund_projects":
        allowed = FUND_SUBCATEGORIES.get(rec.get("category", ""), ())
        rec["sub_category"] = rng.choice(allowed) if allowed else ""
    if ledger.kind == "exchanges":
        from xiezuo.ledgers.schema import months_between, stay_bucket

        rec["start_date"] = dt.date(year - rng.randint(0, 1), rng.randint(1, 12), rng.randint(1, 28))
        end = rec.get("end_date") or dt.date(year, 12, 31)
        if end < rec["start_date"]:
            rec["end_date"] = end = dt.date(year, 12, 31)
        rec["stay"] = stay_bucket(months_between(rec["start_date"], end))
    if ledger.kind == "pairings":
        rec["east_party"] = f"合成东部结对方{rng.randint(1, 30):03d}"
        rec["west_party"] = f"{county_name}结对方{index:03d}"
    return rec


def ledger_rows(
    ledger: Ledger, *, org_id: int, county_code: str, county_name: str, year: int, count: int,
    rng: random.Random, updated_at: Any, as_text_dates: bool,
) -> Iterator[tuple[Any, ...]]:
    """`count` records of one county as database tuples: org, year, version, synthetic, updated…, columns."""
    seen: set[str] = set()
    names = [c.name for c in (*ledger.columns, *ledger.computed)]
    for i in range(1, count + 1):
        rec = record_values(ledger, county_code=county_code, county_name=county_name, year=year, index=i,
                            rng=rng, seen_ids=seen)
        values = []
        for name in names:
            v = rec.get(name)
            if as_text_dates and isinstance(v, dt.date):
                v = v.isoformat()
            values.append(v)
        yield (org_id, year, 1, True, None, updated_at, *values)


def ledger_fields(ledger: Ledger) -> list[str]:
    return ["org", "year", "version", "synthetic", "updated_by", "updated_at",
            *(c.name for c in (*ledger.columns, *ledger.computed))]
