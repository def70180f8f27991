"""Loading the demo: one action, writing only through actions, refused to a non-administrator."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from xiezuo.core.actions import writes_only_in_actions
from xiezuo.core.errors import PermissionDenied
from xiezuo.core.models import ChangeRecord
from xiezuo.demo.services import demo_load
from xiezuo.tables.models import DataValue


@pytest.mark.django_db
def test_the_demo_loads_inside_one_action_and_says_what_it_loaded() -> None:
    with writes_only_in_actions() as seen:
        counts = demo_load()
    assert seen
    record = ChangeRecord.objects.get(action="demo.load")
    assert record.new == counts
    assert counts["values"] == DataValue.objects.count()
    assert counts["ledger_records"] > 2000 and counts["texts"] >= 5 and counts["targets"] > 0


def test_loading_again_is_refused_to_a_county_clerk(demo) -> None:  # type: ignore[no-untyped-def]
    clerk = get_user_model().objects.get(username="huining-clerk")
    before = ChangeRecord.objects.count()
    with pytest.raises(PermissionDenied, match="系统管理员"):
        demo_load(by=clerk)
    assert ChangeRecord.objects.count() == before
