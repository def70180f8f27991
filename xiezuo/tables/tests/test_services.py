"""Writing values: exact decimals, change records, stale edits refused."""

from decimal import Decimal

import pytest

from xiezuo.core.errors import InvalidValue, StaleEdit
from xiezuo.core.models import ChangeRecord
from xiezuo.tables.models import DataValue
from xiezuo.tables.selectors import values_for
from xiezuo.tables.services import value_set

pytestmark = pytest.mark.django_db


def test_value_set_records_old_and_new(huining):
    dv = DataValue.objects.get(org=huining, year=2023, code="social_goods")
    value_set(org=huining, year=2023, code="social_goods", raw="605.3975", by=None, expected_version=dv.version)
    assert values_for(huining, 2023)["social_goods"] == Decimal("605.3975")
    rec = ChangeRecord.objects.filter(object_key="620422/2023/social_goods").first()
    assert rec.old["value"].startswith("612.3725") and rec.new["value"] == "605.3975"


def test_stale_edit_is_refused_and_current_value_shown(huining):
    dv = DataValue.objects.get(org=huining, year=2023, code="labour_east")
    seen = dv.version
    value_set(org=huining, year=2023, code="labour_east", raw="236", by=None, expected_version=seen)
    with pytest.raises(StaleEdit, match="已被.*修改为「236」"):
        value_set(org=huining, year=2023, code="labour_east", raw="240", by=None, expected_version=seen)
    assert values_for(huining, 2023)["labour_east"] == 236


def test_wrong_kind_refused(huining):
    with pytest.raises(InvalidValue, match="应填整数"):
        value_set(org=huining, year=2023, code="labour_east", raw="2.5", by=None)
    with pytest.raises(InvalidValue, match="标题行"):
        value_set(org=huining, year=2023, code="s_org", raw="1", by=None)


def test_exact_decimals_survive_the_database(huining):
    value_set(org=huining, year=2023, code="social_funds", raw="99999999.1234", by=None)
    assert values_for(huining, 2023)["social_funds"] == Decimal("99999999.1234")
