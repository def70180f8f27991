"""An area's two downloads, shared by the pages (small areas, in the request), the `area_export` job (large
areas) and the CLI: the roll-up workbook of every unit below the area, and the assessment workbook.

Each reports `on_progress(phase, done, total)`: one step per area rolled up (the nation: its provinces and
cities, 111 steps), then the workbook's rows; the assessment per hundred counties.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from xiezuo.orgunits.models import Level, OrgUnit
from xiezuo.rollup.selectors import area_every_level, reporting_units

OnProgress = Callable[[str, int, int], None]


def counties_of(org: OrgUnit, year: int) -> int:
    return reporting_units(org, year).count()


def needs_job(org: OrgUnit, year: int) -> bool:
    """An area this large has its downloads made by a job (`XIEZUO_JOB_AREA_COUNTIES`)."""
    return counties_of(org, year) > int(settings.XIEZUO_JOB_AREA_COUNTIES)


def workbook_name(org: OrgUnit, year: int, *, approved_only: bool = False) -> str:
    return f"{org.name}{year}年统计表（逐级汇总{'，仅审核通过' if approved_only else ''}）.xlsx"


def assessment_name(org: OrgUnit, year: int) -> str:
    return f"{org.name}{year}年度考核评价.xlsx"


def area_workbook_file(org: OrgUnit, year: int, out: Path, *, approved_only: bool = False,
                       on_progress: OnProgress | None = None) -> tuple[Path, str, dict[str, Any]]:
    """指标 | 单位 | the area | each unit below it, level by level; written to `out`."""
    from xiezuo.catalogue.registry import get_catalogue
    from xiezuo.tables.exports import table_xlsx

    rows = len(get_catalogue(year).rows)
    steps = 1  # the areas rolled up: one step each, then one per row written

    def areas(name: str, done: int, total: int) -> None:
        nonlocal steps
        steps = total
        if on_progress is not None:
            on_progress(f"汇总：{name}（{done}/{total}）", done, total + rows)

    table, columns = area_every_level(org, year, approved_only=approved_only, on_progress=areas)

    def written(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(f"写出工作簿（{len(columns)} 列，第 {done}/{total} 行）", steps + done, steps + total)

    path = out / "rollup.xlsx"
    table_xlsx(table.catalogue, [c.as_column() for c in columns], path, area_name=org.name, on_progress=written)
    levels = {lv: sum(1 for c in columns[1:] if c.level == lv) for lv in (Level.PROVINCE, Level.CITY, Level.COUNTY)}
    return path, workbook_name(org, year, approved_only=approved_only), {
        "what": "rollup", "columns": len(columns), "coverage": table.coverage_text,
        "provinces": levels[Level.PROVINCE], "cities": levels[Level.CITY], "counties": levels[Level.COUNTY]}


def area_assessment_file(org: OrgUnit, year: int, out: Path, *,
                         on_progress: OnProgress | None = None) -> tuple[Path, str, dict[str, Any]]:
    from xiezuo.assessment.exports import assessment_xlsx
    from xiezuo.assessment.selectors import assess

    if on_progress is not None:
        on_progress("考核评分", 0, 2)
    result = assess(org, year)

    def written(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(f"写出工作簿（第 {done}/{total} 个县）", total + done, 2 * total)

    path = out / "assessment.xlsx"
    assessment_xlsx(result, path, area_name=org.name, year=year, on_progress=written)
    return path, assessment_name(org, year), {
        "what": "assessment", "counties": len(result.ranking), "scheme": result.scheme.name,
        "official": result.scheme.official}
