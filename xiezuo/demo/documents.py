"""Demo texts of the report: one folder per org unit and year under data/documents/ (<code>-<year>).

cover.toml holds the covering report; intro.txt, innovation.txt and problems.txt the free text;
case-<n>.txt a typical case (first line its title). Loaded through the ordinary services.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.core.errors import InvalidValue, Location
from xiezuo.documents.models import NarrativeSection
from xiezuo.documents.selectors import document_texts
from xiezuo.documents.services import cover_letter_save, narrative_save, typical_case_save
from xiezuo.orgunits.models import OrgUnit

DOCUMENTS_DIR = Path(__file__).resolve().parent / "data" / "documents"
COVER_FIELDS = ("issuer_mark", "doc_number", "title", "recipient", "body", "signatory", "signed_on")


def demo_documents_load(*, by: AbstractBaseUser | None = None, folder: Path = DOCUMENTS_DIR) -> int:
    """Save every demo text as a new version (idempotent in content: reloading adds versions only)."""
    saved = 0
    for unit_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        code, year_text = unit_dir.name.split("-", 1)
        org, year = OrgUnit.objects.get(code=code), int(year_text)
        texts = document_texts(org, year)
        cover_path = unit_dir / "cover.toml"
        if cover_path.exists():
            data = tomllib.loads(cover_path.read_text(encoding="utf-8"))
            missing = [f for f in COVER_FIELDS if f not in data]
            if missing:
                raise InvalidValue(f"缺少字段 {', '.join(missing)}", location=Location(file=str(cover_path)))
            signed_on = data["signed_on"]
            if not isinstance(signed_on, dt.date):
                signed_on = dt.date.fromisoformat(str(signed_on))
            printed_on = data.get("printed_on")
            if printed_on is not None and not isinstance(printed_on, dt.date):
                printed_on = dt.date.fromisoformat(str(printed_on))
            cover_letter_save(
                org=org, year=year, by=by, expected_version=texts.cover.version if texts.cover else 0,
                **{**{f: data[f] for f in COVER_FIELDS}, "signed_on": signed_on},
                signer=str(data.get("signer", "")), copies_to=str(data.get("copies_to", "")),
                printed_by=str(data.get("printed_by", "")), printed_on=printed_on,
            )
            saved += 1
        for section in NarrativeSection.values:
            path = unit_dir / f"{section}.txt"
            if path.exists():
                narrative_save(
                    org=org, year=year, section=section, text=path.read_text(encoding="utf-8"), by=by,
                    expected_version=texts.narrative_version(section),
                )
                saved += 1
        existing = {c.number: c for c in texts.cases}
        for path in sorted(unit_dir.glob("case-*.txt"), key=lambda p: int(p.stem.split("-")[1])):
            number = int(path.stem.split("-")[1])
            title, _, body = path.read_text(encoding="utf-8").partition("\n")
            case = existing.get(number)
            typical_case_save(
                org=org, year=year, number=number if case else None, title=title.strip(), text=body,
                by=by, expected_version=case.version if case else 0,
            )
            saved += 1
    return saved
