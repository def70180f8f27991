"""The review list, the dashboards and an area's table from the cache: bounded queries on a miss,
a handful on a hit, and every kind of write below the area seen on the next view."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue
from xiezuo.tables.services import value_set
from xiezuo.web.tests.test_page_cache import _without_tokens
from xiezuo.web.tests.test_review import _submit

REVIEW, DASHBOARD, AREA = "/org/620400/2023/review/", "/org/620400/2023/dashboard/", "/org/620400/2023/"
COUNTY_DASHBOARD = "/org/620422/2023/dashboard/"
# What a miss may cost, by page: the rules over every unit below, the roll-up's grouped sums, …
MISS_QUERIES = {REVIEW: 26, DASHBOARD: 26, AREA: 26, COUNTY_DASHBOARD: 30}
# A hit: the session, the user with its profile and unit, the page's unit, one folded stamp query, the
# header's 待办 (two for a reviewer).
HIT_QUERIES = 6
DATA_TABLES = ("tables_datavalue", "ledgers_", "core_changerecord", "rules_", "submissions_comment")


def _get(client, url: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_each_page_runs_bounded_queries_on_a_miss_and_reads_no_data_on_a_hit(login) -> None:  # type: ignore[no-untyped-def]
    viewers = {REVIEW: login("baiyin-reviewer"), DASHBOARD: login("baiyin-reviewer"), AREA: login("baiyin-reviewer"),
               COUNTY_DASHBOARD: login("huining-clerk")}
    for url, client in viewers.items():
        miss_body, miss = _get(client, url)
        hit_body, hit = _get(client, url)
        assert len(miss) <= MISS_QUERIES[url], (url, len(miss), miss)
        assert len(hit) <= HIT_QUERIES, (url, hit)
        assert not any(table in q for q in hit for table in DATA_TABLES), (url, hit)
        assert _without_tokens(hit_body) == _without_tokens(miss_body), url


def _row(body: str, org_code: str) -> str:
    found = re.search(rf'<tr data-org="{org_code}">.*?</tr>', body, re.S)
    assert found is not None, org_code
    return found.group(0)


def _area_cell(body: str, row_code: str, org_code: str) -> str:
    row = re.search(rf'<tr class="value" id="row-{row_code}".*?</tr>', body, re.S)
    assert row is not None, row_code
    cell = re.search(rf'<td class="[^"]*" data-org="{org_code}">(.*?)</td>', row.group(0), re.S)
    assert cell is not None, (row_code, org_code)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_a_value_a_ledger_record_a_state_and_a_deadline_show_on_the_next_view(login) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.ledgers.services import ledger_record_create

    clerk, reviewer = login("huining-clerk"), login("baiyin-reviewer")
    huining = OrgUnit.objects.get(code="620422")
    for url in (REVIEW, DASHBOARD, AREA, COUNTY_DASHBOARD):
        _get(reviewer, url)  # every page cached before the writes

    # A value in one county: its column and the area's total on the area table, its dashboard.
    value_set(org=huining, year=2023, code="meet_gov", raw="97", by=None,
              expected_version=DataValue.objects.get(org=huining, year=2023, code="meet_gov").version)
    area, _ = _get(reviewer, AREA)
    assert _area_cell(area, "meet_gov", "620422") == "97"
    assert "97" in _get(reviewer, COUNTY_DASHBOARD)[0]

    _same_as_fresh(reviewer)

    # A ledger record: these pages show stored figures, not the ledgers' — what they show is what a
    # page rendered from nothing shows.
    ledger_record_create(kind="donations", org=huining, year=2023, by=None,
                         data={"donor": "测试捐赠方", "form": "物资折款", "amount": "500"})
    _same_as_fresh(reviewer)

    # A submission state: the review list and the area table's column say so.
    assert _submit(clerk).status_code == 302
    assert "已报送" in _row(_get(reviewer, REVIEW)[0], "620422")
    area, _ = _get(reviewer, AREA)
    header = re.search(r'<th class="num" data-org="620422">.*?</th>', area, re.S)
    assert header is not None and "已报送" in header.group(0)
    _same_as_fresh(reviewer)

    # The area's own deadline, set by its reviewer.
    response = reviewer.post(REVIEW.replace("review/", "deadline/"), {"due": "2024-01-20"})
    assert response.status_code == 302
    assert "2024-01-20" in _get(reviewer, REVIEW)[0]
    _same_as_fresh(reviewer)


def _same_as_fresh(client) -> None:  # type: ignore[no-untyped-def]
    """Every page as served now (from the cache where it can) equals the page rendered anew."""
    from django.core.cache import cache

    served = {url: _without_tokens(_get(client, url)[0]) for url in (REVIEW, DASHBOARD, AREA, COUNTY_DASHBOARD)}
    cache.clear()
    for url, body in served.items():
        assert body == _without_tokens(_get(client, url)[0]), url
