"""Where the year files live and a cached loader for them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from xiezuo.catalogue.loader import Catalogue, load_catalogue
from xiezuo.core.errors import NotFound

DATA_DIR = Path(__file__).resolve().parent / "data"


def available_years() -> list[int]:
    return sorted(int(p.stem) for p in DATA_DIR.glob("*.toml") if p.stem.isdigit())


@lru_cache(maxsize=8)
def get_catalogue(year: int) -> Catalogue:
    """The template for `year`.

    A year without its own file uses the latest earlier template, or failing that the earliest
    later one: rows are matched across years by code, so last year's figures can be kept before
    last year's template is added.
    """
    years = available_years()
    if not years:
        raise NotFound("没有任何统计表模板文件")
    earlier = [y for y in years if y <= year]
    chosen = earlier[-1] if earlier else years[0]
    from xiezuo.engine.validate import catalogue_check

    return catalogue_check(load_catalogue(DATA_DIR / f"{chosen}.toml"))
