"""Statements sent together (`core.rawsql.run_together`): one round trip on PostgreSQL, one by one on
SQLite, the same results either way — and a failing statement takes the others with it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from xiezuo.core import rawsql, stamps
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.changes import change_record
from xiezuo.core.models import ChangeRecord, Stamp
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue
from xiezuo.tables.services import value_set

pytestmark = pytest.mark.django_db

STAMPS = connection.ops.quote_name(Stamp._meta.db_table)


def test_results_in_order_with_rows_and_row_counts() -> None:
    stamps.touch([("620422", 2023, "tables")])
    seen: list[int] = []
    with CaptureQueriesContext(connection) as queries:
        results = rawsql.run_together([
            rawsql.Statement(f"SELECT version FROM {STAMPS} WHERE org_code = %s AND area = %s",  # noqa: S608
                             ["620422", "tables"], then=lambda r: seen.append(r.rows[0][0])),
            rawsql.Statement(f"UPDATE {STAMPS} SET version = version + 10 WHERE org_code = %s",  # noqa: S608
                             ["620422"]),
            rawsql.Statement(f"SELECT version FROM {STAMPS} WHERE org_code = %s AND area = %s",  # noqa: S608
                             ["620422", "nothing"]),
            rawsql.Statement(f"SELECT version, %s FROM {STAMPS} WHERE org_code = %s", ["a%b", "620422"]),  # noqa: S608
        ])
    assert [r.rows for r in results] == [[(1,)], [], [], [(11, "a%b")]]
    assert results[1].rowcount == 1
    assert seen == [1]
    # Each statement still runs after the one before: the last sees the update.
    expected = 1 if connection.vendor == "postgresql" else 4
    assert len(queries.captured_queries) == expected, queries.captured_queries
    assert rawsql.run_together([]) == []


def test_a_failing_statement_leaves_nothing_of_the_others() -> None:
    stamps.touch([("620422", 2023, "tables")])
    with pytest.raises(IntegrityError), transaction.atomic():
        rawsql.run_together([
            rawsql.Statement(f"UPDATE {STAMPS} SET version = 99 WHERE org_code = %s", ["620422"]),  # noqa: S608
            rawsql.Statement(f"INSERT INTO {STAMPS} (org_code, year, area, version) "  # noqa: S608
                             "VALUES (%s, %s, %s, %s)", ["620422", 2023, "tables", 1]),  # the key exists
        ])
    assert Stamp.objects.get(org_code="620422", area="tables").version == 1


def test_a_vanished_row_is_refused_once_the_statements_have_run(demo) -> None:  # type: ignore[no-untyped-def]
    dv = DataValue.objects.filter(org__code="620422", year=2023).first()
    assert dv is not None
    DataValue.objects.filter(pk=dv.pk).delete()
    dv.version += 1
    with pytest.raises(DatabaseError, match="gone"), transaction.atomic():
        rawsql.update(dv, ["version"])


def test_a_change_record_and_its_change_go_together(demo) -> None:  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    dv = DataValue.objects.get(org=huining, year=2023, code="meet_gov")
    before = dict(Stamp.objects.filter(org_code="620422", year=2023).values_list("area", "version"))
    with transaction.atomic():
        dv.version += 1
        record = change_record(actor=None, action=ActionKind.VALUE_SET, object_type="tables.datavalue",
                               object_key=f"620422/2023/{dv.code}", org_code="620422", year=2023,
                               together=[rawsql.update_statement(dv, ["version"])])
    assert record.pk and ChangeRecord.objects.get(pk=record.pk).object_key == "620422/2023/meet_gov"
    assert DataValue.objects.get(pk=dv.pk).version == dv.version
    assert Stamp.objects.get(org_code="620422", year=2023, area="tables").version == before["tables"] + 1


def test_a_cell_save_sends_its_lock_read_and_its_writes_in_two_round_trips(demo) -> None:  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    version = DataValue.objects.get(org=huining, year=2023, code="meet_gov").version
    with CaptureQueriesContext(connection) as queries:
        value_set(org=huining, year=2023, code="meet_gov", raw="9", by=None, expected_version=version)
    # Without the transaction's own statements (in a test, a savepoint in the test's transaction).
    sql = [q["sql"] for q in queries.captured_queries
           if q["sql"] not in ("BEGIN", "COMMIT") and "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":
        # The unit's lock, the submission's state and the cell; the update, the stamp and the record.
        assert len(sql) == 2, sql
        assert sql[0].count(";") == 2 and "FOR UPDATE" in sql[0]
        assert sql[1].startswith("UPDATE") and "INSERT INTO" in sql[1]
    else:
        assert len(sql) == 5, sql  # no row locks on SQLite: the state, the cell and the three writes
    assert DataValue.objects.get(org=huining, year=2023, code="meet_gov").version == version + 1


def test_postgresql_plans_a_statement_once_per_connection() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite runs in the process")
    probe = "SELECT %s::int + 1 AS prepared_probe"
    for value in (1, 2, 3):
        assert rawsql.run_together([rawsql.Statement(probe, [value])])[0].rows == [(value + 1,)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_probe%"])
        assert cursor.fetchone()[0] == 1
    raw = connection.connection
    before, raw.prepare_threshold = raw.prepare_threshold, None  # as `?prepare=0` sets it
    try:
        assert rawsql.run_together([rawsql.Statement(probe.replace("probe", "probe_off"), [4])])[0].rows == [(5,)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%probe_off%"])
            assert cursor.fetchone()[0] == 0
    finally:
        raw.prepare_threshold = before
