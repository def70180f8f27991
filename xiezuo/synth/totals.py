"""Synthetic ledger records that add up to given totals (the demo's ledgers), seeded and labelled.

Where a source document publishes only totals (2,641 people placed in work; 790 trainees in 15
classes) the demo still needs record-level ledgers. These generators make records whose names
say they are synthetic (合成), whose ID numbers have valid check digits, and whose counts add up
exactly to the totals in a spec (a TOML table per ledger). Same seed, same records.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from xiezuo.ledgers.schema import NO, YES, ledger_of
from xiezuo.synth.ledgers import unique_id_number

Row = list[object]


def split_total(total: int, parts: int, rng: random.Random, *, minimum: int = 1) -> list[int]:
    """`parts` positive integers summing to `total`, roughly even with some spread."""
    if parts <= 0:
        return []
    if total < parts * minimum:
        minimum = 0
    spare = total - parts * minimum
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = sum(weights)
    shares = [int(spare * w / scale) for w in weights]
    for i in range(spare - sum(shares)):
        shares[i % parts] += 1
    return [minimum + s for s in shares]


def split_within(parts: list[int], total: int, rng: random.Random) -> list[int]:
    """Split `total` over buckets proportionally without exceeding any bucket (e.g. 脱贫 of each class)."""
    whole = sum(parts)
    out = [min(p, total * p // whole) if whole else 0 for p in parts]
    left = total - sum(out)
    order = list(range(len(parts)))
    rng.shuffle(order)
    while left > 0:
        for i in order:
            if left and out[i] < parts[i]:
                out[i] += 1
                left -= 1
    return out


def _labels(kind: str, column: str) -> dict[str, str]:
    return ledger_of(kind).by_name[column].label_of


def labour_placements(spec: dict[str, Any], *, area: str, year: int, rng: random.Random) -> Iterator[Row]:
    """People by (destination, poverty status, new this year); header order of the template."""
    dest, status = _labels("labour_placements", "destination"), _labels("labour_placements", "poverty_status")
    seq = 0
    seen: set[str] = set()
    for group in spec["groups"]:
        for _ in range(int(group["count"])):
            seq += 1
            number = unique_id_number(
                area, lambda: dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40)), rng, seen)
            if group["new"]:
                start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 334))
            else:
                start = dt.date(year - rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28))
            yield [
                f"合成人员{seq:05d}", number, status[group["poverty_status"]], dest[group["destination"]],
                spec.get("employer", "（合成数据）"), start, YES if group["new"] else NO,
            ]


def training_classes(spec: dict[str, Any], *, year: int, rng: random.Random, **_kw: object) -> Iterator[Row]:
    sizes = split_total(int(spec["participants"]), int(spec["classes"]), rng)
    poor = split_within(sizes, int(spec["poor"]), rng)
    for i, (n, p) in enumerate(zip(sizes, poor, strict=True), start=1):
        start = dt.date(year, 1 + (i * 11) // len(sizes) % 12, 1 + rng.randrange(0, 20))
        yield [f"（合成）{spec.get('name', '培训班')}第{i}期", start, start + dt.timedelta(days=7), n, p]


def workshops(spec: dict[str, Any], *, rng: random.Random, **_kw: object) -> Iterator[Row]:
    jobs = split_total(int(spec["jobs"]), int(spec["count"]), rng)
    poor = split_within(jobs, int(spec["poor"]), rng)
    for i, (j, p) in enumerate(zip(jobs, poor, strict=True), start=1):
        yield [f"（合成）帮扶车间{i:02d}", j, p, YES if spec.get("resettlement") else NO]


def revival_trainings(spec: dict[str, Any], *, year: int, rng: random.Random, **_kw: object) -> Iterator[Row]:
    audience = _labels("revival_trainings", "audience")
    n = 0
    for group in spec["groups"]:
        sizes = split_total(int(group["participants"]), int(group["classes"]), rng)
        for size in sizes:
            n += 1
            start = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
            yield [f"（合成）乡村振兴培训班{n:02d}", audience[group["audience"]], start,
                   start + dt.timedelta(days=4), size]


# Dates that put a stay in each bucket for a record of `year` (end blank = still there at year end).
def _stay_dates(bucket: str, year: int, rng: random.Random) -> tuple[dt.date, dt.date | None]:
    if bucket == "1_6":
        start = dt.date(year, rng.randint(2, 6), 1)
        return start, start + dt.timedelta(days=rng.randint(30, 150))
    if bucket == "7_12":
        start = dt.date(year, 1, rng.randint(1, 28))
        return start, dt.date(year, rng.randint(8, 12), rng.randint(1, 28)) if start.day < 28 else None
    return dt.date(year - 1, rng.randint(3, 9), rng.randint(1, 28)), None


def exchanges(spec: dict[str, Any], *, year: int, rng: random.Random, **_kw: object) -> Iterator[Row]:
    direction, kind = _labels("exchanges", "direction"), _labels("exchanges", "kind")
    rank = _labels("exchanges", "rank")
    n = 0
    for group in spec["groups"]:
        for _ in range(int(group["count"])):
            n += 1
            start, end = _stay_dates(group.get("stay", "12_plus"), year, rng)
            yield [
                f"合成人员{n:03d}", direction[group["direction"]], kind[group["kind"]], rank[group.get("rank", "other")],
                group.get("post", ""), start, end,
                YES if group.get("manages") else NO, NO, NO, YES if group.get("key_county", True) else NO,
            ]


def meetings(spec: dict[str, Any], *, year: int, rng: random.Random, **_kw: object) -> Iterator[Row]:
    kind = _labels("meetings", "kind")
    for group in spec["groups"]:
        for i in range(int(group["count"])):
            date = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
            yield [date, kind[group["kind"]], f"（合成）研究部署东西部协作工作（第{i + 1}次）"]


def certified_suppliers(spec: dict[str, Any], *, rng: random.Random, **_kw: object) -> Iterator[Row]:
    """Enterprises with certified products: `count` of them, `suppliers` of which supply the platform,
    products and the 脱贫 households and people they drive split over them."""
    count = int(spec["count"])
    products = split_total(int(spec["products"]), count, rng)
    households = split_total(int(spec["households"]), count, rng, minimum=0)
    persons = split_within([h * 8 for h in households], int(spec["persons"]), rng)
    supplier = set(rng.sample(range(count), int(spec["suppliers"])))
    for i in range(count):
        yield [f"（合成）消费帮扶认定企业{i + 1:02d}", products[i], YES if i in supplier else NO,
               households[i], persons[i]]


GENERATORS: dict[str, Callable[..., Iterator[Row]]] = {
    "labour_placements": labour_placements,
    "training_classes": training_classes,
    "workshops": workshops,
    "revival_trainings": revival_trainings,
    "exchanges": exchanges,
    "meetings": meetings,
    "certified_suppliers": certified_suppliers,
}


def generate(kind: str, spec: dict[str, Any], *, area: str, year: int, seed: int) -> tuple[list[object], list[Row]]:
    """(headers, rows) for one ledger, in the template's column order."""
    rng = random.Random(f"{seed}:{kind}")
    rows = list(GENERATORS[kind](spec, area=area, year=year, rng=rng))
    return list(ledger_of(kind).headers), rows
