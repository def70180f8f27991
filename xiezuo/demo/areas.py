"""The demo's area around 会宁县: synthetic tables for 白银市's other counties, illustrative targets.

What the roll-up, the year-over-year comparison and the assessment show on the demo.

会宁县 keeps its published figures and is the template the others are scaled from; 靖远县 stays
empty on purpose (a county that has not started filling its table). Every synthetic value carries
the note below and is not marked published.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.catalogue.loader import Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.changes import actor_display_name, change_records_bulk, stored_actor
from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import OrgUnit
from xiezuo.synth.values import synthetic_values
from xiezuo.tables.models import DataValue, Source
from xiezuo.tables.selectors import values_for, values_for_many

SYNTHETIC_NOTE = "合成示例数据（随机生成，非公开发布，仅供演示汇总、同比和考核）"
TEMPLATE_ORG = "620422"
TEMPLATE_YEAR = 2023


# (org code, size relative to the template county, growth over the previous year, single-row factors)
SYNTHETIC_UNITS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("620402", "0.62", "1.12", {}),
    ("620403", "0.41", "1.06", {"funds_used": "0.93"}),  # used less of its funds: below 90%
    ("620423", "0.83", "1.09", {"labour_east": "0.96"}),
)


def synthetic_tables_load(*, by: AbstractBaseUser | None = None, years: tuple[int, ...] = (2022, 2023)) -> int:
    """Synthetic 2022 and 2023 tables for 白银区, 平川区 and 景泰县 (seeded: the same every time).

    Written in bulk, in one transaction with one change record per value: the demo is loaded by
    every test that needs it, and a row-by-row write would make each of them slow.
    """
    template = values_for(OrgUnit.objects.get(code=TEMPLATE_ORG), TEMPLATE_YEAR)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[c for c, *_ in SYNTHETIC_UNITS])}
    planned: list[tuple[OrgUnit, int, Row, Decimal | str | None]] = []
    for code, size, growth, adjust in SYNTHETIC_UNITS:
        for year in years:
            catalogue = get_catalogue(year)
            # Earlier years are smaller by the unit's growth rate, compounded.
            factor = Decimal(size) / Decimal(growth) ** (TEMPLATE_YEAR - year)
            values = synthetic_values(
                catalogue, template, seed=f"{code}-{year}", factor=factor,
                adjust={k: Decimal(v) for k, v in adjust.items()},
            )
            for k, v in values.items():
                row = catalogue.row(k)
                planned.append((units[code], year, row, row.parse(str(v))))
    actor = stored_actor(by)
    with transaction.atomic():
        existing = {
            (v.org_id, v.year, v.code): v
            for v in DataValue.objects.select_for_update().filter(org__in=units.values(), year__in=years)
        }
        create: list[DataValue] = []
        update: list[DataValue] = []
        records: list[ChangeRecord] = []
        for org, year, row, value in planned:
            dv = existing.get((org.pk, year, row.code))
            old = None if dv is None else {"value": str(dv.text if row.value_kind == "text" else dv.number)}
            if dv is None:
                dv = DataValue(org=org, year=year, code=row.code, version=0)
                create.append(dv)
            else:
                update.append(dv)
            dv.number, dv.text = (None, str(value)) if row.value_kind == "text" else (value, "")
            dv.source, dv.published, dv.note, dv.updated_by = Source.ENTERED, False, SYNTHETIC_NOTE, actor
            dv.version += 1
            records.append(ChangeRecord(
                actor=actor, actor_name=actor_display_name(by), action=ActionKind.VALUE_SET.value,
                object_type="tables.datavalue", object_key=f"{org.code}/{year}/{row.code}", org_code=org.code,
                year=year, old=old, new={"value": str(value), "source": Source.ENTERED}, comment=SYNTHETIC_NOTE,
            ))
        DataValue.objects.bulk_create(create, batch_size=1000)
        DataValue.objects.bulk_update(
            update, ["number", "text", "source", "published", "note", "updated_by", "version", "updated_at"],
            batch_size=1000,
        )
        change_records_bulk(records)
    return len(planned)


ILLUSTRATIVE_NOTE = "示例目标（演示用，非真实年度协议指标）"


def illustrative_targets_load(*, by: AbstractBaseUser | None = None, year: int = TEMPLATE_YEAR) -> int:
    """Made-up 2023 targets for 会宁县 and the synthetic counties, for the rows the example scheme
    assesses: last year's figure raised by 4–14 %, or without one this year's figure moved by
    −8 % … +6 % (seeded), so that some are met and some missed. Marked illustrative."""
    import random

    from xiezuo.assessment.scheme import EXAMPLE_SCHEME, load_scheme
    from xiezuo.assessment.services import TargetInput, targets_set_many

    codes = [TEMPLATE_ORG, *(c for c, *_ in SYNTHETIC_UNITS)]
    units = list(OrgUnit.objects.filter(code__in=codes).order_by("code"))
    catalogue = get_catalogue(year)
    current = values_for_many(units, year, catalogue)
    previous = values_for_many(units, year - 1, catalogue)
    inputs: list[TargetInput] = []
    for unit in units:
        rng = random.Random(f"targets-{unit.code}-{year}")  # noqa: S311 — demo figures, not secrets
        for code in load_scheme(EXAMPLE_SCHEME).target_rows:
            row = catalogue.row(code)
            before, now = previous[unit.code].get(code), current[unit.code].get(code)
            if isinstance(before, Decimal):
                raw = before * Decimal(str(round(rng.uniform(1.04, 1.14), 3)))
            elif isinstance(now, Decimal):
                raw = now * Decimal(str(round(rng.uniform(0.92, 1.06), 3)))
            else:
                continue
            places = row.places if row.unit == "亿元" else 0  # agreements set whole 万元, whole people
            value = raw.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            inputs.append(TargetInput(org=unit, year=year, code=code, value=value, note=ILLUSTRATIVE_NOTE))
    return targets_set_many(inputs=inputs, by=by, illustrative=True)


def demo_areas_load(*, by: AbstractBaseUser | None = None) -> dict[str, int]:
    """Everything the roll-up, comparison and assessment demos need, in one call from the demo load."""
    values = synthetic_tables_load(by=by)
    return {"synthetic_values": values, "illustrative_targets": illustrative_targets_load(by=by)}
