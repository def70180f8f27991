"""The synthetic nation: clearly marked, consistent, passing every rule, refused over real data."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from xiezuo.orgunits.models import OrgUnit, Pairing
from xiezuo.synth.plan import Sizes
from xiezuo.synth.services import DEFAULT_PASSWORD, SynthRefused, synth_generate
from xiezuo.tables.findings import tables_validate
from xiezuo.tables.models import DataValue

SMALL = Sizes(provinces=2, cities_per_province=2, counties_per_city=3, labour_per_county=20, sales_per_county=5)


@pytest.mark.django_db
def test_a_small_nation_is_synthetic_consistent_and_passes_every_rule() -> None:
    summary = synth_generate(sizes=SMALL, seed=3)
    counties = list(OrgUnit.objects.filter(synthetic=True, level="county", side="west"))
    assert len(counties) == 12
    assert all("合成" in c.name and c.code[:2] in {"90", "91"} for c in counties)
    assert all(c.path == f"{c.parent.path}{c.code}/" for c in counties)
    assert Pairing.objects.filter(west__in=counties).count() == 12
    # Every county has this year's and last year's table, and no rule fails anywhere.
    assert DataValue.objects.filter(org__in=counties, year=2023).values("org").distinct().count() == 12
    assert DataValue.objects.filter(org__in=counties, year=2022).values("org").distinct().count() == 12
    assert tables_validate(counties, 2023) == []
    # Text rows say they are synthetic and never copy the template's real names.
    texts = DataValue.objects.filter(org__in=counties).exclude(text="").values_list("text", flat=True)
    assert texts and all("合成数据" in t for t in texts)
    assert summary.counts["统计表数值"] == DataValue.objects.filter(org__in=counties).count()
    # The synthetic accounts log in with the printed password and see their own county.
    user = authenticate(username=f"synth-{counties[0].code}-clerk", password=DEFAULT_PASSWORD)
    assert user is not None and user.profile.org == counties[0]


@pytest.mark.django_db
def test_submissions_cover_every_state_with_a_matching_timeline() -> None:
    from xiezuo.submissions.models import Submission

    synth_generate(sizes=Sizes(provinces=2, cities_per_province=3, counties_per_city=5), seed=1)
    states = set(Submission.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "returned", "approved"}
    for s in Submission.objects.prefetch_related("events"):
        events = list(s.events.all())
        assert events[0].kind == "create" and events[-1].to_state == s.state
        assert s.version == len(events)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_figures_and_a_rerun_replaces_the_old_data() -> None:
    synth_generate(sizes=SMALL, seed=5)
    units = OrgUnit.objects.filter(synthetic=True).count()
    first = sorted(DataValue.objects.filter(year=2023).values_list("org__code", "code", "number", "text"))
    synth_generate(sizes=SMALL, seed=5)
    second = sorted(DataValue.objects.filter(year=2023).values_list("org__code", "code", "number", "text"))
    assert first == second
    assert OrgUnit.objects.filter(synthetic=True).count() == units == 18 + 16  # west 2+4+12, east 2+2+12


@pytest.mark.django_db
def test_refuses_a_database_with_real_data_unless_forced(demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SynthRefused, match="真实"):
        synth_generate(sizes=SMALL, seed=1)
    assert not OrgUnit.objects.filter(synthetic=True).exists()
    synth_generate(sizes=SMALL, seed=1, force=True)
    assert OrgUnit.objects.filter(synthetic=True).exists()
    # The real county is untouched.
    assert DataValue.objects.filter(org__code="620422", year=2023).exists()


@pytest.mark.django_db
def test_targets_for_the_key_rows_some_met_some_missed() -> None:
    from xiezuo.assessment.models import Target

    synth_generate(sizes=SMALL, seed=9)
    targets = list(Target.objects.filter(org__synthetic=True, year=2023).select_related("org"))
    assert targets and all(t.illustrative and t.note == "合成数据" for t in targets)
    actual = {(v.org_id, v.code): v.number for v in DataValue.objects.filter(year=2023, number__isnull=False)}
    met = sum(1 for t in targets if actual[(t.org_id, t.code)] >= t.number)
    assert 0 < met < len(targets)


@pytest.mark.django_db
def test_generation_is_one_action_with_one_change_record() -> None:
    from xiezuo.core.actions import writes_only_in_actions
    from xiezuo.core.models import ChangeRecord

    with writes_only_in_actions() as seen:
        summary = synth_generate(sizes=SMALL, seed=2)
    assert seen
    records = list(ChangeRecord.objects.filter(action="synth.generate"))
    assert len(records) == 1 and records[0].actor_name == "系统"
    assert records[0].new["counts"] == summary.counts and records[0].object_key == "2"


def test_a_user_who_is_not_an_administrator_may_not_generate(demo) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.core.errors import PermissionDenied

    clerk = get_user_model().objects.get(username="huining-clerk")
    with pytest.raises(PermissionDenied, match="系统管理员"):
        synth_generate(sizes=SMALL, seed=1, force=True, by=clerk)
    assert not OrgUnit.objects.filter(synthetic=True).exists()
