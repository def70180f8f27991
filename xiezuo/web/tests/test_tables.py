"""The table page: editing through HTMX, findings at once, stale saves refused, bounded queries."""

from __future__ import annotations

import re

from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue

URL = "/org/620422/2023/"


def version_of(code: str) -> int:
    dv = DataValue.objects.filter(org__code="620422", year=2023, code=code).first()
    return dv.version if dv else 0


def test_table_page_shows_rows_as_printed(login):  # type: ignore[no-untyped-def]
    body = login("huining-clerk").get(URL).content.decode()
    assert "2023年东西部协作重点工作统计表" in body
    assert "一、组织领导" in body and "其中：脱贫劳动力数" in body
    assert "万元" in body and "2022 年" in body
    assert "各「用于」分项之和" in body  # the demo's one warning


def test_saving_a_cell_shows_the_finding_it_causes_and_clears_it(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    response = client.post(URL + "cell/funds_used/", {"value": "99999", "version": version_of("funds_used")},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="row-funds_used"' in body
    assert "【错误】" in body and "已使用财政援助资金 99999万元 超过已拨付到位资金" in body
    assert 'hx-swap-oob="true"' in body and re.search(r"错误 [1-9]\d* 个", body)
    fixed = client.post(URL + "cell/funds_used/", {"value": "5086.25", "version": version_of("funds_used")},
                        HTTP_HX_REQUEST="true").content.decode()
    assert "99999" not in fixed and "已保存" in fixed and "错误 0 个" in fixed


def test_a_bad_value_is_refused_with_a_chinese_message(login):  # type: ignore[no-untyped-def]
    before = version_of("meet_party")
    body = login("huining-clerk").post(URL + "cell/meet_party/", {"value": "三次", "version": before},
                                       HTTP_HX_REQUEST="true").content.decode()
    assert "应填整数" in body and version_of("meet_party") == before


def test_a_stale_save_from_a_second_session_is_refused(login):  # type: ignore[no-untyped-def]
    clerk, lead = login("huining-clerk"), login("huining-lead")
    seen = version_of("meet_party")  # both opened the page at this version
    assert clerk.post(URL + "cell/meet_party/", {"value": "11", "version": seen}, HTTP_HX_REQUEST="true").status_code == 200
    body = lead.post(URL + "cell/meet_party/", {"value": "12", "version": seen}, HTTP_HX_REQUEST="true").content.decode()
    assert "已被王晓红修改为「11」" in body and "未保存" in body
    assert 'value="11"' in body  # the current value is shown in the cell
    dv = DataValue.objects.get(org__code="620422", year=2023, code="meet_party")
    assert dv.number == 11 and dv.version == seen + 1


def test_history_lists_who_changed_what(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    client.post(URL + "cell/meet_party/", {"value": "21", "version": version_of("meet_party")}, HTTP_HX_REQUEST="true")
    body = client.get(URL + "row/meet_party/history/").content.decode()
    assert "王晓红" in body and "21" in body and "年" in body


def test_table_page_runs_a_bounded_number_of_queries(login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.schema import LEDGERS

    client = login("huining-clerk")
    # The page's own reads, plus the ledger figures beside the entered ones: one grouped query per
    # ledger, whatever the number of rows or records.
    with django_assert_max_num_queries(15 + len(LEDGERS)):
        assert client.get(URL).status_code == 200


def test_review_list_runs_a_bounded_number_of_queries(login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    city = OrgUnit.objects.get(code="620400")
    # More counties must not mean more queries.
    for n in range(30):
        code = f"6204{50 + n}"
        OrgUnit.objects.create(code=code, name=f"测试县{n}", level="county", side="west", parent=city,
                               path=f"{city.path}{code}/", synthetic=True)
    client = login("baiyin-reviewer")
    # 15 for the list, 8 for its 待办 box (targets at risk: 3; duplicate conflicts: 5), the area's deadline
    # and two for the 待办 count in the navigation.
    with django_assert_max_num_queries(26):
        body = client.get("/org/620400/2023/review/").content.decode()
    assert "会宁县" in body and "靖远县" in body and "测试县29" in body
