"""Administration in Chinese: users (unit, role, active, password), org units and pairings; one's own password.

Only administrators reach the management pages (anyone else gets 404, so they do not reveal that the
pages exist); every change goes through an action of `accounts.services` or `orgunits.services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiezuo.accounts.models import Role
from xiezuo.accounts.services import password_change, user_create, user_password_reset, user_update
from xiezuo.core.errors import InputError, InvalidValue, NotFound
from xiezuo.core.models import ChangeRecord
from xiezuo.orgunits.models import AssessmentClass, OrgUnit, Pairing, PairingKind
from xiezuo.orgunits.services import orgunit_update, pairing_create
from xiezuo.web.history import history_entries
from xiezuo.web.views.common import acting_user, admin_only


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise InvalidValue(f"单位代码「{code}」不存在")
    return unit


def _units() -> list[OrgUnit]:
    return list(OrgUnit.objects.order_by("code"))


@login_required
def users(request: HttpRequest) -> HttpResponse:
    admin_only(request)
    people = get_user_model().objects.select_related("profile__org").order_by("username")
    return render(request, "web/manage/users.html", {"people": people})


def _user_form(request: HttpRequest) -> dict[str, object]:
    return {"roles": Role.choices, "units": _units(), "form": request.POST}


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    admin_only(request)
    if request.method == "POST":
        post = request.POST
        try:
            username = post.get("username", "").strip()
            if not username:
                raise InvalidValue("登录名不能为空")
            if get_user_model().objects.filter(username=username).exists():
                raise InvalidValue(f"登录名「{username}」已被使用")
            user = user_create(username=username, password=post.get("password", ""), org=_unit(post.get("org", "")),
                               role=post.get("role", ""), name=post.get("name", ""), by=acting_user(request))
            messages.success(request, f"已新增用户「{username}」")
            return redirect("web:manage_user", user.pk)
        except InputError as exc:
            messages.error(request, exc.message)
            return render(request, "web/manage/user_new.html", _user_form(request), status=400)
    return render(request, "web/manage/user_new.html", _user_form(request))


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin_only(request)
    person = get_user_model().objects.select_related("profile__org").filter(pk=pk).first()
    if person is None:
        raise NotFound(f"没有编号为 {pk} 的用户")
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("do") == "password":
                user_password_reset(user_id=pk, password=post.get("password", ""), by=acting_user(request))
                messages.success(request, "密码已重置，请将新密码告知本人")
            else:
                user_update(user_id=pk, org=_unit(post.get("org", "")), role=post.get("role", ""),
                            active=post.get("active") == "on", name=post.get("name", ""), by=acting_user(request))
                messages.success(request, "已保存")
            return redirect("web:manage_user", pk)
        except InputError as exc:
            messages.error(request, exc.message)
            status = 400
    records = ChangeRecord.objects.filter(object_type="auth.user", object_key=person.get_username()).order_by("-at")
    return render(request, "web/manage/user_edit.html", {
        "person": person, "profile": getattr(person, "profile", None), "roles": Role.choices, "units": _units(),
        "entries": history_entries(records[:50]),
    }, status=status)


@login_required
def orgunits(request: HttpRequest) -> HttpResponse:
    admin_only(request)
    page = Paginator(OrgUnit.objects.select_related("parent").order_by("code"), 200).get_page(request.GET.get("page"))
    return render(request, "web/manage/orgunits.html", {"page": page})


@login_required
def orgunit_edit(request: HttpRequest, code: str) -> HttpResponse:
    admin_only(request)
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise NotFound(f"未找到行政区划「{code}」")
    status = 200
    if request.method == "POST":
        try:
            orgunit_update(org=unit, name=request.POST.get("name", ""),
                           lead_signoff_required=request.POST.get("lead_signoff_required") == "on",
                           assessment_class=request.POST.get("assessment_class", ""), by=acting_user(request))
            messages.success(request, "已保存")
            return redirect("web:manage_orgunit", code)
        except InputError as exc:
            messages.error(request, exc.message)
            status = 400
    records = ChangeRecord.objects.filter(object_type="orgunits.orgunit", object_key=unit.code).order_by("-at")
    return render(request, "web/manage/orgunit_edit.html",
                  {"unit": unit, "entries": history_entries(records[:50]), "classes": AssessmentClass.choices},
                  status=status)


@login_required
def pairings(request: HttpRequest) -> HttpResponse:
    admin_only(request)
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            start, end = post.get("start_year", ""), post.get("end_year", "").strip()
            if not start.isdigit() or (end and not end.isdigit()):
                raise InvalidValue(f"年度应为四位数字：起始「{start}」，截止「{end}」")
            pairing_create(east=_unit(post.get("east", "")), west=_unit(post.get("west", "")),
                           kind=post.get("kind", ""), start_year=int(start), end_year=int(end) if end else None,
                           by=acting_user(request))
            messages.success(request, "已新增结对关系")
            return redirect("web:manage_pairings")
        except InputError as exc:
            messages.error(request, exc.message)
            status = 400
    rows = Pairing.objects.select_related("east", "west").order_by("east__code", "west__code", "kind")
    return render(request, "web/manage/pairings.html", {
        "pairings": rows[:500], "kinds": PairingKind.choices, "units": _units(), "form": request.POST,
    }, status=status)


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """Every user changes its own password here."""
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("new_password", "") != post.get("new_password2", ""):
                raise InvalidValue("两次输入的新密码不一致")
            user = password_change(by=acting_user(request), old_password=post.get("old_password", ""),
                                   new_password=post.get("new_password", ""))
            if isinstance(user, User):
                update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect("web:home")
        except InputError as exc:
            messages.error(request, exc.message)
            status = 400
    return render(request, "web/manage/password.html", {}, status=status)
