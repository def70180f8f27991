"""Single records through the services the web pages call: checks, locking, permissions, search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from xiezuo.core.errors import ErrorReport, InvalidValue, NotFound, PermissionDenied, StaleEdit
from xiezuo.core.models import ChangeRecord
from xiezuo.ledgers import idcard
from xiezuo.ledgers.schema import ledger_of
from xiezuo.ledgers.selectors import ledger_counts, ledger_records, record_display
from xiezuo.ledgers.services import ledger_record_create, ledger_record_delete, ledger_record_update
from xiezuo.orgunits.models import OrgUnit


def person(n: int, **over: object) -> dict[str, object]:
    return {"name": f"测试{n}", "id_number": idcard.make_id("620422", dt.date(1991, 2, 3), n),
            "poverty_status": "脱贫", "destination": "省内就近", "employer": "某厂",
            "start_date": "2023-04-01", "new_this_year": "是", **over}


def test_clerk_creates_updates_and_deletes_with_locking_and_change_records(huining: OrgUnit) -> None:
    clerk = get_user_model().objects.get(username="huining-clerk")
    rec = ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(1), by=clerk)
    assert rec.version == 1 and rec.poverty_status == "poor"
    updated = ledger_record_update(kind="labour_placements", pk=rec.pk, data=person(1, destination="其他地区"),
                                   expected_version=1, by=clerk)
    assert updated.version == 2 and updated.destination == "other"
    with pytest.raises(StaleEdit):
        ledger_record_update(kind="labour_placements", pk=rec.pk, data=person(1), expected_version=1, by=clerk)
    with pytest.raises(StaleEdit):
        ledger_record_delete(kind="labour_placements", pk=rec.pk, expected_version=1, by=clerk)
    ledger_record_delete(kind="labour_placements", pk=rec.pk, expected_version=2, by=clerk)
    actions = list(ChangeRecord.objects.filter(object_type="ledgers.labour_placements", object_key=str(rec.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["ledger.create", "ledger.update", "ledger.delete"]
    update = ChangeRecord.objects.get(action="ledger.update", object_key=str(rec.pk))
    assert update.old["destination"] == "local" and update.new["destination"] == "other"
    # Only the fields that changed are recorded; the ID number, unchanged, is not repeated.
    assert "id_number" not in update.new and set(update.new) == set(update.old)
    create = ChangeRecord.objects.get(action="ledger.create", object_key=str(rec.pk))
    assert "*" in create.new["id_number"]


def test_a_bad_form_lists_every_bad_field_and_a_person_cannot_be_entered_twice(huining: OrgUnit) -> None:
    clerk = get_user_model().objects.get(username="huining-clerk")
    with pytest.raises(ErrorReport) as exc:
        ledger_record_create(kind="labour_placements", org=huining, year=2023, by=clerk,
                             data=person(2, id_number="620422199102030001", destination="火星", start_date=""))
    assert {e.location.column for e in exc.value.errors} == {"身份证号", "就业去向", "就业日期"}  # type: ignore[union-attr]
    ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(3), by=clerk)
    with pytest.raises(InvalidValue):
        ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(3), by=clerk)


def test_reviewers_and_partners_cannot_change_a_countys_ledger(huining: OrgUnit) -> None:
    users = get_user_model().objects
    # Inside their scope they are refused (403); another county does not see 会宁县 at all (404).
    for name, refusal in (("baiyin-reviewer", PermissionDenied), ("heping-partner", PermissionDenied),
                          ("jingyuan-clerk", NotFound)):
        with pytest.raises(refusal):
            ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(4),
                                 by=users.get(username=name))


def test_list_search_and_filter(huining: OrgUnit) -> None:
    assert ledger_records("enterprises", huining, 2023).count() == 6
    found = ledger_records("enterprises", huining, 2023, search="牛墩墩")
    assert [e.name for e in found] == ["甘肃牛墩墩农业发展有限公司"]
    assert ledger_records("enterprises", huining, 2023, filters={"in_park": "是"}).count() == 4
    assert ledger_records("labour_placements", huining, 2023, filters={"destination": "东部结对省份"}).count() == 235
    assert ledger_records("labour_placements", huining, 2023,
                          filters={"destination": "local", "poverty_status": "脱贫"}).count() == 472
    with pytest.raises(InvalidValue):
        ledger_records("labour_placements", huining, 2023, filters={"name": "x"})
    shown = record_display(ledger_of("labour_placements"), ledger_records("labour_placements", huining, 2023)[0])
    assert "*" in shown["id_number"] and shown["destination"] in ("东部结对省份", "省内就近", "其他地区")
    assert ledger_counts(huining, 2023)["labour_placements"] == 2641


def test_exchange_stay_bucket_follows_the_dates(huining: OrgUnit) -> None:
    data = {"name": "某老师", "direction": "东部到西部", "kind": "教师", "rank": "其他", "start_date": "2023-03-01",
            "end_date": "2023-08-31", "manages_cooperation": "否", "awarded": "否", "promoted": "否",
            "key_county": "是"}
    rec = ledger_record_create(kind="exchanges", org=huining, year=2023, data=data, by=None)
    assert rec.stay == "1_6"
    rec = ledger_record_update(kind="exchanges", pk=rec.pk, data={**data, "end_date": ""}, expected_version=1,
                               by=None)
    assert rec.stay == "7_12"
    rec = ledger_record_update(kind="exchanges", pk=rec.pk, data={**data, "start_date": "2022-09-01", "end_date": ""},
                               expected_version=2, by=None)
    assert rec.stay == "12_plus"


def test_ledgers_of_a_submitted_table_are_frozen_for_every_caller(huining: OrgUnit) -> None:
    from xiezuo.core.errors import Locked
    from xiezuo.ledgers.services import ledger_rows_import
    from xiezuo.submissions.models import State, Submission

    clerk = get_user_model().objects.get(username="huining-clerk")
    rec = ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(7), by=clerk)
    Submission.objects.update_or_create(org=huining, year=2023, defaults={"state": State.SUBMITTED})
    before = ChangeRecord.objects.count()
    with pytest.raises(Locked, match="填报已报送待审核"):
        ledger_record_create(kind="labour_placements", org=huining, year=2023, data=person(8), by=clerk)
    with pytest.raises(Locked):
        ledger_record_update(kind="labour_placements", pk=rec.pk, data=person(7, destination="其他地区"),
                             expected_version=rec.version, by=clerk)
    with pytest.raises(Locked):
        ledger_record_delete(kind="labour_placements", pk=rec.pk, expected_version=rec.version, by=clerk)
    headers = [c.header for c in ledger_of("labour_placements").columns]
    with pytest.raises(Locked):
        ledger_rows_import(kind="labour_placements", headers=headers, rows=[], org=huining, year=2023, by=clerk)
    assert ChangeRecord.objects.count() == before
