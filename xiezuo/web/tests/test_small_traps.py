"""The small traps a clerk meets: repeated column names, a locked form found out on save, raw codes,
a POST-only address opened directly."""

from __future__ import annotations

import pytest

from xiezuo.submissions.models import State, Submission

BASE = "/org/620422/2023/ledgers/"


def test_a_required_column_is_named_once(login, huining):  # type: ignore[no-untyped-def]
    body = login("huining-clerk").post(BASE + "labour_placements/new/", {"name": "张三"}).content.decode()
    assert "「身份证号」必须填写" in body
    assert "「身份证号」「身份证号」" not in body


def test_a_ledger_form_on_a_locked_table_says_so_before_typing(login, huining):  # type: ignore[no-untyped-def]
    Submission.objects.create(org=huining, year=2023, state=State.SUBMITTED)
    body = login("huining-clerk").get(BASE + "meetings/new/").content.decode()
    assert 'id="form-locked"' in body and "不能再修改" in body and "<fieldset disabled" in body


def test_an_unknown_ledger_lists_names_not_codes(login, huining):  # type: ignore[no-untyped-def]
    response = login("huining-clerk").get(BASE + "no_such_ledger/")
    body = response.content.decode()
    assert response.status_code == 404 and "农村劳动力就业" in body
    assert "labour_placements" not in body.split("<main>")[1] and "no_such_ledger" not in body.split("<main>")[1]


@pytest.mark.parametrize("url", ["/org/620422/2023/reconciliation/accept-selected/",
                                 "/org/620422/2023/ledgers/labour_placements/download-full/",
                                 "/org/620422/2023/cell/labour_east/"])
def test_a_post_only_address_opened_directly_explains_itself(login, huining, url):  # type: ignore[no-untyped-def]
    response = login("huining-clerk").get(url)
    assert response.status_code == 405
    assert "用于提交表单" in response.content.decode() and "返回上一页" in response.content.decode()
