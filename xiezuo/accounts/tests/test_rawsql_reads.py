"""The written-out reads of every request give what the ORM gives: the signed-in user with its
profile and unit, the session, a cell save's two years of values — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from xiezuo.accounts.backends import user_with_profile
from xiezuo.accounts.models import Profile
from xiezuo.accounts.sessions import SessionStore
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.selectors import values_for, values_with_previous


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def test_the_signed_in_user_is_read_as_the_orm_reads_it(demo) -> None:  # type: ignore[no-untyped-def]
    clerk = User.objects.get(username="huining-clerk")
    clerk.last_login = timezone.now()
    clerk.save(update_fields=["last_login"])
    expected = get_user_model().objects.select_related("profile__org").get(pk=clerk.pk)
    found = user_with_profile(clerk.pk)
    assert _fields(found) == _fields(expected)
    assert timezone.is_aware(found.last_login) and timezone.is_aware(found.date_joined)
    assert _fields(found.profile) == _fields(expected.profile)
    assert _fields(found.profile.org) == _fields(expected.profile.org)
    assert found.profile.user is found  # no query to get back


def test_a_user_without_profile_and_a_missing_or_malformed_id(demo) -> None:  # type: ignore[no-untyped-def]
    plain = User.objects.create_user("no-profile", password="x")
    found = user_with_profile(plain.pk)
    assert found.username == "no-profile"
    with pytest.raises(Profile.DoesNotExist):
        found.profile  # noqa: B018 - the accessor raises as it does after select_related
    assert user_with_profile(10**9) is None
    assert user_with_profile("not-a-number") is None


def test_a_session_reads_back_and_an_expired_one_is_gone(demo) -> None:  # type: ignore[no-untyped-def]
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": 42}
    store.set_expiry(-10)
    store.save()
    reread = SessionStore(store.session_key)
    assert reread.load() == {} and reread.session_key is None


def test_a_request_reads_its_session_and_its_user_in_one_query(demo, client) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiezuo.accounts.models import Session

    clerk = User.objects.get(username="huining-clerk")
    assert client.login(username="huining-clerk", password="xiezuo-demo-2023")
    # The session row names its user, kept from the session's data.
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.user_id == clerk.pk
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code in (200, 302)
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")
             and ("accounts_session" in q["sql"] or "auth_user" in q["sql"])]
    assert len(reads) == 1 and "accounts_session" in reads[0] and "auth_user" in reads[0], reads
    assert response.wsgi_request.user == clerk
    assert response.wsgi_request.user.profile.org.code == "620422"


def test_a_session_of_a_deactivated_or_deleted_user_signs_in_nobody(demo, client) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username="huining-clerk", password="xiezuo-demo-2023")
    User.objects.filter(username="huining-clerk").update(is_active=False)
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    User.objects.create_user("short-lived", password="short-lived-2023")
    assert client.login(username="short-lived", password="short-lived-2023")
    key = client.session.session_key
    User.objects.filter(username="short-lived").delete()
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    assert not SessionStore().exists(key)  # its session went with the user


def test_a_session_after_logout_names_nobody(demo, client) -> None:  # type: ignore[no-untyped-def]
    from xiezuo.accounts.models import Session

    assert client.login(username="huining-clerk", password="xiezuo-demo-2023")
    key = client.session.session_key
    client.logout()
    assert not Session.objects.filter(session_key=key).exists()
    store = SessionStore()
    store["note"] = "anonymous"
    store.create()
    assert Session.objects.get(session_key=store.session_key).user_id is None


def test_two_years_of_values_in_one_read(demo) -> None:  # type: ignore[no-untyped-def]
    huining = OrgUnit.objects.get(code="620422")
    catalogue = get_catalogue(2023)
    current, previous = values_with_previous(huining, 2023, catalogue)
    assert current == {k: v for k, v in values_for(huining, 2023, catalogue).items() if v is not None}
    assert previous == values_for(huining, 2022, catalogue)
    assert current and previous
    # Decimals as the ORM gives them (SQLite stores floats): no binary fractions creep in.
    assert all(isinstance(v, Decimal | str) for v in current.values())
    assert any(isinstance(v, Decimal) and v != v.to_integral_value() for v in current.values())
