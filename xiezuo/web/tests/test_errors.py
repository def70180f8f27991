"""One renderer for user errors: a page, an HTMX fragment or JSON, each with the error's own status."""

from __future__ import annotations

import json

from xiezuo.submissions.models import State, Submission


def test_outside_scope_is_a_404_page_fragment_or_json(login):  # type: ignore[no-untyped-def]
    client = login("jingyuan-clerk")
    url = "/org/620422/2023/cell/labour_east/"
    page = client.post(url, {"value": "1", "version": "1"})
    assert page.status_code == 404 and "未找到" in page.content.decode()
    fragment = client.post(url, {"value": "1", "version": "1"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 404 and fragment["HX-Retarget"] == "#messages"
    assert "<html" not in fragment.content.decode() and "620422" in fragment.content.decode()
    data = client.post(url, {"value": "1", "version": "1"}, HTTP_ACCEPT="application/json")
    assert data.status_code == 404
    assert json.loads(data.content)["error"]["code"] == "not_found"


def test_a_locked_table_answers_409_with_the_lock_message_in_json(login, huining):  # type: ignore[no-untyped-def]
    Submission.objects.create(org=huining, year=2023, state=State.APPROVED)
    client = login("huining-clerk")
    response = client.post("/org/620422/2023/reconciliation/social_goods/", {"decision": "accept"},
                           HTTP_ACCEPT="application/json")
    # The page redirects with the message; the action itself refused (the value is unchanged).
    from xiezuo.tables.models import DataValue

    assert response.status_code in (302, 409)
    assert str(DataValue.objects.get(org=huining, year=2023, code="social_goods").number.normalize()) == "612.3725"
