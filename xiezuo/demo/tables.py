"""The demo's published table values: every `values-<org code>.csv` under data/tables/."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.core.errors import Location
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.services import ValueInput, values_set_many

TABLES_DIR = Path(__file__).resolve().parent / "data" / "tables"


def demo_values_load(*, by: AbstractBaseUser | None = None, folder: Path = TABLES_DIR) -> int:
    """Each file's values through the ordinary import; `published` says what a document printed."""
    count = 0
    for path in sorted(folder.glob("values-*.csv")):
        org = OrgUnit.objects.get(code=path.stem.split("-", 1)[1])
        by_year: dict[int, list[ValueInput]] = defaultdict(list)
        with path.open(encoding="utf-8") as fh:
            for lineno, rec in enumerate(csv.DictReader(fh), start=2):
                by_year[int(rec["year"])].append(
                    ValueInput(
                        code=rec["code"],
                        raw=rec["value"],
                        published=rec["published"] == "yes",
                        note=rec["note"],
                        location=Location(file=path.name, row=lineno, column="value", value=rec["value"]),
                    )
                )
        for year, inputs in sorted(by_year.items()):
            count += values_set_many(org=org, year=year, inputs=inputs, by=by, file=path.name)
    return count
