"""Where the year files live and a cached loader for them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from xiezuo.catalogue.loader import Catalogue, load_catalogue
from xiezuo.core.errors import NotFound

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_dirs() -> list[Path]:
    """The folders holding year templates: XIEZUO_CATALOGUE_DIRS (os.pathsep-separated) first, then DATA_DIR.

    A deployment adds a new year's template (table and drafting rules) by dropping its files into
    one of these folders; a file in an earlier folder wins over one for the same year in a later one.
    """
    extra = [Path(p) for p in os.environ.get("XIEZUO_CATALOGUE_DIRS", "").split(os.pathsep) if p]
    return [*extra, DATA_DIR]


def _year_files() -> dict[int, Path]:
    files: dict[int, Path] = {}
    for folder in reversed(data_dirs()):
        for path in folder.glob("*.toml"):
            if path.stem.isdigit():
                files[int(path.stem)] = path
    return files


def available_years() -> list[int]:
    return sorted(_year_files())


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

    return catalogue_check(load_catalogue(_year_files()[chosen]))


@lru_cache(maxsize=8)
def catalogue_fingerprint(year: int) -> str:
    """A short digest of the template files `year` uses (the table and its drafting rules): part of
    the keys of cached pages and figures, so a changed template is never served from a cache."""
    import hashlib

    years = available_years()
    earlier = [y for y in years if y <= year]
    chosen = _year_files()[earlier[-1] if earlier else years[0]]
    digest = hashlib.sha256()
    for part in sorted(chosen.parent.glob(f"{chosen.stem}*.toml")):
        digest.update(part.name.encode())
        digest.update(part.read_bytes())
    return digest.hexdigest()[:16]
