"""The demo ledgers: one folder per county and year under data/ledgers/, loaded through the importer."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.ledgers.schema import LEDGERS
from xiezuo.ledgers.services import ledger_import, ledger_rows_import
from xiezuo.orgunits.models import OrgUnit
from xiezuo.synth import totals

LEDGERS_DIR = Path(__file__).resolve().parent / "data" / "ledgers"


def demo_ledgers_load(*, by: AbstractBaseUser | None = None, folder: Path = LEDGERS_DIR) -> dict[str, int]:
    """Every ledger of every demo folder (`<org code>-<year>`): described records, then synthetic ones.

    Each ledger is replaced as a whole, so loading twice gives the same ledgers.
    """
    counts: dict[str, int] = {}
    for unit_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        org_code, year_text = unit_dir.name.split("-", 1)
        org = OrgUnit.objects.get(code=org_code)
        year = int(year_text)
        spec_path = unit_dir / "synthetic.toml"
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8")) if spec_path.exists() else {}
        seed = int(spec.get("seed", year))
        with transaction.atomic():
            for ledger in LEDGERS:
                kind, replace, n = ledger.kind, True, 0
                described = unit_dir / f"{kind}.csv"
                if described.exists():
                    n += ledger_import(kind=kind, path=described, org=org, year=year, by=by).rows
                    replace = False
                made_up = unit_dir / f"{kind}.synthetic.csv"
                if made_up.exists():
                    n += ledger_import(kind=kind, path=made_up, org=org, year=year, by=by, replace=replace,
                                       synthetic=True).rows
                    replace = False
                if kind in spec and kind in totals.GENERATORS:
                    headers, rows = totals.generate(kind, spec[kind], area=org.code, year=year, seed=seed)
                    n += ledger_rows_import(kind=kind, headers=headers, rows=rows, org=org, year=year, by=by,
                                            file=f"{unit_dir.name}/synthetic.toml", replace=replace,
                                            synthetic=True).rows
                if n:
                    counts[kind] = counts.get(kind, 0) + n
    return counts
