"""The same labourer or enterprise counted by two counties: planted pairs found, nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.core.errors import InvalidValue, PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.models import LabourPlacement
from xiezuo.orgunits.models import OrgUnit
from xiezuo.progress.duplicates import conflicts_for, normalised_name, open_count
from xiezuo.progress.services import conflict_resolve, ids_rehash
from xiezuo.synth.plan import Sizes
from xiezuo.synth.services import synth_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def nation() -> list[tuple[str, str, str, str]]:
    summary = synth_generate(sizes=Sizes(provinces=2, cities_per_province=2, counties_per_city=3,
                                         labour_per_county=60, sales_per_county=2, duplicates=12), seed=7)
    return summary.planted


def _pairs(conflicts) -> set[tuple[str, frozenset[str], str]]:  # type: ignore[no-untyped-def]
    return {(c.kind, frozenset(r.org_code for r in c.records), c.key) for c in conflicts}


def test_the_report_finds_every_planted_pair_and_no_other(nation) -> None:  # type: ignore[no-untyped-def]
    people = [p for p in nation if p[0] == "person"]
    assert len(people) == 12 and len(nation) == 13
    with CaptureQueriesContext(connection) as ctx:
        found = conflicts_for(None, 2023, kinds=["person"])
    assert sum("ledgers_labour_placement" in q["sql"] for q in ctx.captured_queries) == 1
    assert _pairs(found) == {(k, frozenset((a, b)), key) for k, a, b, key in people}
    everything = conflicts_for(None, 2023)
    assert _pairs(everything) == {(k, frozenset((a, b)), key) for k, a, b, key in nation}
    for c in found:
        assert len(c.records) == 2 and len({r.masked_id for r in c.records}) == 1
        assert "****" in c.records[0].masked_id  # never the full number
        full = LabourPlacement.objects.get(pk=c.records[0].record_id).id_number
        assert c.records[0].masked_id == idcard.mask(full) and full not in str(c.as_dict())


def test_a_county_sees_its_own_conflicts_and_the_province_all_of_its_counties(nation) -> None:  # type: ignore[no-untyped-def]
    people = [p for p in nation if p[0] == "person"]
    county_code = people[0][1]
    county = OrgUnit.objects.get(code=county_code)
    mine = conflicts_for(county, 2023, kinds=["person"])
    assert {c.key for c in mine} == {key for _k, a, b, key in people if county_code in (a, b)}
    clerk = get_user_model().objects.get(username=f"synth-{county_code}-clerk")
    assert {c.key for c in conflicts_for(clerk, 2023, kinds=["person"])} == {c.key for c in mine}
    province = OrgUnit.objects.get(code=county.path.strip("/").split("/")[0])
    expected = {key for _k, a, b, key in people
                if any(OrgUnit.objects.get(code=x).path.startswith(province.path) for x in (a, b))}
    assert {c.key for c in conflicts_for(province, 2023, kinds=["person"])} == expected
    admin = get_user_model().objects.get(username="synth-admin")
    assert len(conflicts_for(admin, 2023, kinds=["person"])) == len(people)


def test_a_conflict_resolved_with_a_note_stops_being_counted(nation) -> None:  # type: ignore[no-untyped-def]
    kind, a, b, key = next(p for p in nation if p[0] == "person")
    users = get_user_model().objects
    outsider = next(c.code for c in OrgUnit.objects.filter(synthetic=True, level="county", side="west")
                    if c.code not in (a, b))
    with pytest.raises(InvalidValue, match="必须写明"):
        conflict_resolve(kind=kind, year=2023, key=key, note=" ", by=users.get(username=f"synth-{a}-clerk"))
    with pytest.raises(PermissionDenied):
        conflict_resolve(kind=kind, year=2023, key=key, note="核实", by=users.get(username=f"synth-{outsider}-clerk"))
    before = open_count(conflicts_for(None, 2023))
    conflict_resolve(kind=kind, year=2023, key=key[:16], note="经核实，该劳动力上半年在甲县、下半年在乙县就业，乙县已删除",
                     by=users.get(username=f"synth-{b}-clerk"))
    after = conflicts_for(None, 2023)
    assert open_count(after) == before - 1
    resolved = next(c for c in after if c.key == key)
    assert resolved.resolution is not None and resolved.resolution.resolved_by_name == f"synth-{b}-clerk"
    assert key not in {c.key for c in conflicts_for(None, 2023, include_resolved=False)}
    assert ChangeRecord.objects.filter(action="conflict.resolve").count() == 1
    with pytest.raises(InvalidValue, match="已处理"):
        conflict_resolve(kind=kind, year=2023, key=key, note="再次", by=None)


def test_hashes_follow_the_secret_and_names_compare_loosely(nation, settings) -> None:  # type: ignore[no-untyped-def]
    person = LabourPlacement.objects.filter(synthetic=True).first()
    assert person is not None and person.id_hash == idcard.id_hash(person.id_number)
    settings.SECRET_KEY = "another-instance-secret-of-enough-length-for-the-test-0123456789"
    assert idcard.id_hash(person.id_number) != person.id_hash
    assert ids_rehash() == LabourPlacement.objects.count()
    person.refresh_from_db()
    assert person.id_hash == idcard.id_hash(person.id_number)
    assert len(conflicts_for(None, 2023, kinds=["person"])) == 12  # still found under the new secret
    assert normalised_name("甘肃 某某（集团）有限公司") == normalised_name("甘肃某某(集团)有限公司")


def test_a_ledger_write_anywhere_is_seen_by_the_next_scan(nation) -> None:  # type: ignore[no-untyped-def]
    """The scan is kept under the ledgers' stamps: a new record in a third county, far from both of
    a pair, shows on the next call, and the call after it reads no ledger."""
    from xiezuo.ledgers.services import ledger_record_create

    before = {c.key: c for c in conflicts_for(None, 2023, kinds=["person"])}
    with CaptureQueriesContext(connection) as queries:
        assert {c.key for c in conflicts_for(None, 2023, kinds=["person"])} == set(before)
    assert not any("ledgers_labour_placement" in q["sql"] for q in queries.captured_queries)
    person = LabourPlacement.objects.filter(synthetic=True).exclude(id_hash__in=list(before)).first()
    assert person is not None
    from xiezuo.submissions.models import State, Submission

    held = Submission.objects.filter(year=2023).exclude(state__in=[State.DRAFT, State.RETURNED]).values("org_id")
    other = (OrgUnit.objects.filter(level="county", side="west").exclude(pk=person.org_id).exclude(pk__in=held)
             .order_by("-code").first())
    assert other is not None
    ledger_record_create(kind="labour_placements", org=other, year=2023, by=None, data={
        "name": person.name, "id_number": person.id_number, "poverty_status": "一般",
        "destination": "省内就近", "employer": "（测试）某公司", "start_date": "2023-03-01", "new_this_year": "是"})
    after = {c.key: c for c in conflicts_for(None, 2023, kinds=["person"])}
    assert set(after) == set(before) | {person.id_hash}
    assert {r.org_code for r in after[person.id_hash].records} == {other.code, person.org.code}
