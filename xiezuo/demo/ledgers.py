"""The demo ledgers: one folder per county and year under demo_data/, loaded through the importer."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from xiezuo.ledgers import synthetic
from xiezuo.ledgers.schema import LEDGERS
from xiezuo.ledgers.services import ledger_import, ledger_rows_import
from xiezuo.orgunits.models import OrgUnit

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


def demo_ledgers_load(*, by: AbstractBaseUser | None = None) -> dict[str, int]:
    """Every ledger of every demo folder (`<org code>-<year>`): described records, then synthetic ones.

    Each ledger is replaced as a whole, so loading twice gives the same ledgers.
    """
    counts: dict[str, int] = {}
    for folder in sorted(p for p in DEMO_DIR.iterdir() if p.is_dir()):
        org_code, year_text = folder.name.split("-", 1)
        org = OrgUnit.objects.get(code=org_code)
        year = int(year_text)
        spec_path = folder / "synthetic.toml"
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8")) if spec_path.exists() else {}
        seed = int(spec.get("seed", year))
        with transaction.atomic():
            for ledger in LEDGERS:
                kind, replace, n = ledger.kind, True, 0
                described = folder / f"{kind}.csv"
                if described.exists():
                    n += ledger_import(kind=kind, path=described, org=org, year=year, by=by).rows
                    replace = False
                made_up = folder / f"{kind}.synthetic.csv"
                if made_up.exists():
                    n += ledger_import(kind=kind, path=made_up, org=org, year=year, by=by, replace=replace,
                                       synthetic=True).rows
                    replace = False
                if kind in spec and kind in synthetic.GENERATORS:
                    headers, rows = synthetic.generate(kind, spec[kind], area=org.code, year=year, seed=seed)
                    n += ledger_rows_import(kind=kind, headers=headers, rows=rows, org=org, year=year, by=by,
                                            file=f"{folder.name}/synthetic.toml", replace=replace,
                                            synthetic=True).rows
                if n:
                    counts[kind] = counts.get(kind, 0) + n
    return counts
