"""Administration pages: users with their unit and role, org units, pairings; one's own password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from xiezuo.accounts.models import Profile
from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import OrgUnit, Pairing
from xiezuo.tables.models import DataValue


def _login(username: str, password: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def test_admin_creates_a_county_clerk_who_logs_in_and_edits(login):  # type: ignore[no-untyped-def]
    admin = login("admin")
    assert "用户管理" in admin.get("/manage/users/").content.decode()
    response = admin.post("/manage/users/new/", {"username": "jingyuan-clerk2", "name": "马小军", "org": "620421",
                                                 "role": "county_clerk", "password": "Jy-2023-clerk"})
    assert response.status_code == 302
    profile = Profile.objects.get(user__username="jingyuan-clerk2")
    assert profile.org.code == "620421" and profile.role == "county_clerk"
    record = ChangeRecord.objects.get(action="user.create", object_key="jingyuan-clerk2")
    assert record.actor_name == "系统管理员"
    clerk = _login("jingyuan-clerk2", "Jy-2023-clerk")
    assert clerk.get("/").status_code == 302
    response = clerk.post("/org/620421/2023/cell/meet_party/", {"value": "4", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    stored = DataValue.objects.get(org__code="620421", year=2023, code="meet_party")
    assert stored.number == 4
    # The history shows 姓名, not the login name.
    assert "马小军" in clerk.get("/org/620421/2023/row/meet_party/history/").content.decode()


def test_a_duplicate_or_bad_user_is_refused_with_a_chinese_message(login):  # type: ignore[no-untyped-def]
    admin = login("admin")
    response = admin.post("/manage/users/new/", {"username": "huining-clerk", "name": "重名", "org": "620422",
                                                 "role": "county_clerk", "password": "Abc-12345678"})
    assert response.status_code == 400 and "已被使用" in response.content.decode()
    response = admin.post("/manage/users/new/", {"username": "new-one", "name": "新人", "org": "999999",
                                                 "role": "county_clerk", "password": "Abc-12345678"})
    assert response.status_code == 400 and "单位代码「999999」不存在" in response.content.decode()
    assert not get_user_model().objects.filter(username="new-one").exists()


def test_admin_changes_role_deactivates_and_resets_password(login):  # type: ignore[no-untyped-def]
    admin = login("admin")
    user = get_user_model().objects.get(username="jingyuan-clerk")
    response = admin.post(f"/manage/users/{user.pk}/", {"name": "赵丽萍", "org": "620421", "role": "county_lead"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).role == "county_lead"
    user.refresh_from_db()
    assert not user.is_active  # the box was not ticked
    body = admin.get(f"/manage/users/{user.pk}/").content.decode()
    assert "县级负责人" in body and "系统管理员" in body  # the history says who, by 姓名
    admin.post(f"/manage/users/{user.pk}/", {"name": "赵丽萍", "org": "620421", "role": "county_clerk", "active": "on"})
    assert admin.post(f"/manage/users/{user.pk}/", {"do": "password", "password": "Reset-2023-x"}).status_code == 302
    _login("jingyuan-clerk", "Reset-2023-x")
    assert admin.post(f"/manage/users/{user.pk}/", {"do": "password", "password": "short"}).status_code == 400


def test_management_pages_are_not_found_for_everyone_else(login):  # type: ignore[no-untyped-def]
    for username in ("huining-clerk", "baiyin-reviewer", "gansu-reviewer", "heping-partner"):
        client = login(username)
        for url in ("/manage/users/", "/manage/users/new/", "/manage/orgunits/", "/manage/orgunits/620422/",
                    "/manage/pairings/", "/manage/users/1/"):
            assert client.get(url).status_code == 404, (username, url)
        assert client.post("/manage/users/new/", {"username": "x", "org": "620422", "role": "admin",
                                                  "password": "Abc-12345678"}).status_code == 404


def test_org_unit_settings_and_pairings(login):  # type: ignore[no-untyped-def]
    admin = login("admin")
    response = admin.post("/manage/orgunits/620423/", {"name": "景泰县", "lead_signoff_required": "on"})
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="620423").lead_signoff_required
    assert "报送前须负责人审核" in admin.get("/manage/orgunits/620423/").content.decode()
    response = admin.post("/manage/pairings/", {"east": "120101", "west": "620423", "kind": "school",
                                                "start_year": "2023", "end_year": ""})
    assert response.status_code == 302
    assert Pairing.objects.filter(east__code="120101", west__code="620423", kind="school").exists()
    response = admin.post("/manage/pairings/", {"east": "620421", "west": "620423", "kind": "county",
                                                "start_year": "2023"})
    assert response.status_code == 400 and "东部单位与西部单位" in response.content.decode()


def test_a_user_without_unit_or_role_is_told_whom_to_contact(demo):  # type: ignore[no-untyped-def]
    get_user_model().objects.create_user(username="newcomer", password="Newcomer-2023")
    client = _login("newcomer", "Newcomer-2023")
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "尚未分配单位和角色" in body and "系统管理员" in body and "admin" in body
    # The administrator's to-do lists the account.
    admin = Client()
    from xiezuo.accounts.services import demo_password

    admin.post("/login/", {"username": "admin", "password": demo_password()})
    assert "newcomer" in admin.get("/todo/").content.decode()


def test_users_change_their_own_password(login):  # type: ignore[no-untyped-def]
    client = login("huining-clerk")
    from xiezuo.accounts.services import demo_password

    response = client.post("/account/password/", {"old_password": "wrong", "new_password": "Hn-clerk-2024",
                                                  "new_password2": "Hn-clerk-2024"})
    assert response.status_code == 400 and "当前密码不正确" in response.content.decode()
    response = client.post("/account/password/", {"old_password": demo_password(), "new_password": "Hn-clerk-2024",
                                                  "new_password2": "Hn-clerk-2024"})
    assert response.status_code == 302
    assert client.get("/org/620422/2023/").status_code == 200  # still signed in
    _login("huining-clerk", "Hn-clerk-2024")
    assert ChangeRecord.objects.filter(action="user.password_change", object_key="huining-clerk").exists()
