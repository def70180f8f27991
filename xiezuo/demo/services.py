"""Loading the 会宁县 demo: org units, pairing, published table values, demo accounts."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.core.errors import Location
from xiezuo.orgunits.models import OrgUnit
from xiezuo.orgunits.services import orgunits_load_base
from xiezuo.tables.services import ValueInput, values_set_many

DATA_DIR = Path(__file__).resolve().parent / "data"


def demo_values_load(*, by: AbstractBaseUser | None = None) -> int:
    """Every values-<org code>.csv in the demo folder; `published` says what a document printed."""
    count = 0
    for path in sorted(DATA_DIR.glob("values-*.csv")):
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


def demo_load() -> dict[str, int]:
    from xiezuo.accounts.services import demo_accounts_create
    from xiezuo.documents.demo import documents_demo_load
    from xiezuo.ledgers.demo import demo_ledgers_load

    orgunits_load_base()
    values = demo_values_load()
    from xiezuo.rollup.demo import rollup_demo_load

    values += rollup_demo_load()["synthetic_values"]
    accounts = demo_accounts_create()
    texts = documents_demo_load()
    ledgers = demo_ledgers_load()
    from xiezuo.progress.demo import progress_demo_load

    progress = progress_demo_load()
    return {"values": values, "accounts": len(accounts), "texts": texts, "ledger_records": sum(ledgers.values()),
            "snapshots": progress["snapshots"]}
