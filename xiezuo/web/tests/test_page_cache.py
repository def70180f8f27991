"""The table page from the cache: bounded queries on a miss and a hit, every kind of write seen on
the next view, the CSRF token of each request, and no session write on a plain GET."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue
from xiezuo.tables.services import value_set
from xiezuo.web.tests.test_review import _submit

URL = "/org/620422/2023/"


def _get(client) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _cell(body: str, code: str) -> str:
    row = re.search(rf'<tr id="row-{code}".*?</tr>', body, re.S)
    assert row is not None, code
    return row.group(0)


def test_a_miss_and_a_hit_run_a_bounded_number_of_queries(login) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.schema import LEDGERS

    client = login("huining-clerk")
    miss_body, miss = _get(client)
    hit_body, hit = _get(client)
    # A miss reads the table, last year's, the submission, comments, decisions and one grouped query
    # per ledger; a hit reads the session with its user, profile and unit (one query), the page's
    # unit, the version stamps and the 待办 count.
    assert len(miss) <= 14 + len(LEDGERS), miss
    assert len(hit) <= 4, hit
    assert not any("tables_datavalue" in q or "ledgers_" in q for q in hit), hit
    assert _without_tokens(hit_body) == _without_tokens(miss_body)
    # Once the ledgers are cached, a miss after a table edit does not derive again.
    value_set(org=OrgUnit.objects.get(code="620422"), year=2023, code="meet_gov", raw="6", by=None,
              expected_version=DataValue.objects.get(org__code="620422", year=2023, code="meet_gov").version)
    body, after_edit = _get(client)
    assert "6" in _cell(body, "meet_gov")
    assert not any(q.startswith("SELECT org_id, year,") for q in after_edit), after_edit


def _without_tokens(body: str) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


def _token(body: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert found is not None
    return found.group(1)


def test_a_value_a_ledger_record_a_state_and_a_comment_show_on_the_next_view(login) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.services import ledger_record_create

    clerk, reviewer = login("huining-clerk"), login("baiyin-reviewer")
    huining = OrgUnit.objects.get(code="620422")
    body, _ = _get(clerk)
    _get(reviewer)
    assert "612.3725" in _cell(body, "social_goods")

    # A value saved by someone else (a second session of the county).
    value_set(org=huining, year=2023, code="meet_party", raw="7", by=None,
              expected_version=DataValue.objects.get(org=huining, year=2023, code="meet_party").version)
    assert 'value="7"' in _cell(_get(clerk)[0], "meet_party")
    assert ">7<" in re.sub(r"\s", "", _cell(_get(reviewer)[0], "meet_party"))

    # A ledger record: the ledger column shows the new figure.
    before = re.search(r'title="台账生成值">([^<]+)<', _cell(_get(clerk)[0], "social_goods"))
    assert before is not None
    ledger_record_create(kind="donations", org=huining, year=2023, by=None,
                         data={"donor": "测试捐赠方", "form": "物资折款", "amount": "10"})
    after = re.search(r'title="台账生成值">([^<]+)<', _cell(_get(clerk)[0], "social_goods"))
    assert after is not None and after.group(1) != before.group(1)

    # A submission state: the table is frozen on the next view, for the clerk and the reviewer.
    assert _submit(clerk).status_code == 302
    frozen, _ = _get(clerk)
    assert "已报送" in frozen and 'name="value"' not in frozen
    assert "已报送" in _get(reviewer)[0]

    # A row comment by the reviewer shows beside the row for the county.
    response = reviewer.post(URL + "submission/comment/", {"row": "meet_gov", "comment": "请核实会议次数。",
                                                          "back": "table"})
    assert response.status_code == 302
    assert "请核实会议次数。" in _cell(_get(clerk)[0], "meet_gov")


def test_a_cached_body_carries_each_requests_own_csrf_token(login) -> None:  # type: ignore[no-untyped-def]
    clerk, lead = login("huining-clerk"), login("huining-lead")
    clerk_body, _ = _get(clerk)
    lead_body, queries = _get(lead)  # the same viewer rights: the clerk's body, from the cache
    assert not any("tables_datavalue" in q for q in queries)
    assert _token(lead_body) != _token(clerk_body)
    version = DataValue.objects.get(org__code="620422", year=2023, code="meet_gov").version
    response = lead.post(URL + "cell/meet_gov/", {"value": "4", "version": str(version),
                                                  "csrfmiddlewaretoken": _token(lead_body)})
    assert response.status_code == 302


def test_a_plain_get_does_not_write_the_session_until_the_refresh_is_due(login, settings) -> None:  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    _get(client)  # the first view after login refreshes it
    _, queries = _get(client)
    assert not any(q.startswith("UPDATE") and "accounts_session" in q for q in queries), queries
    settings.XIEZUO_SESSION_REFRESH_SECONDS = 0
    _, queries = _get(client)
    assert any(q.startswith("UPDATE") and "accounts_session" in q for q in queries), queries


def test_a_saved_ledger_row_shows_its_ledger_figure_read_with_the_values(login) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.services import ledger_record_create

    clerk = login("huining-clerk")
    huining = OrgUnit.objects.get(code="620422")

    def save(value: str) -> tuple[str, list[str]]:
        version = DataValue.objects.get(org=huining, year=2023, code="social_goods").version
        with CaptureQueriesContext(connection) as queries:
            response = clerk.post(URL + "cell/social_goods/", {"value": value, "version": str(version)},
                                  HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode(), [q["sql"] for q in queries.captured_queries]

    def figure(body: str) -> str:
        found = re.search(r'title="台账生成值">([^<]+)<', body)
        assert found is not None, body
        return found.group(1)

    body, _ = save("1")  # the ledger figure is derived once and cached under the ledgers' stamp
    from_ledgers = figure(body)
    assert "与填报值不一致" in body
    body, queries = save(from_ledgers.replace(",", ""))
    assert figure(body) == from_ledgers and "与填报值不一致" not in body
    # What the save reads after its transaction (in a test, a savepoint of the test's) has ended.
    ended = [i for i, q in enumerate(queries) if q == "COMMIT" or q.startswith("RELEASE SAVEPOINT")]
    after_commit = queries[ended[-1] + 1:]
    if connection.vendor == "postgresql":
        # The values, the row's comments and the stamps: one round trip, nothing derived again.
        assert len(after_commit) == 1 and after_commit[0].count(";") == 2, after_commit
    ledger_record_create(kind="donations", org=huining, year=2023, by=None,
                         data={"donor": "测试捐赠方", "form": "物资折款", "amount": "10"})
    body, _ = save(from_ledgers.replace(",", ""))
    assert figure(body) != from_ledgers and "与填报值不一致" in body
