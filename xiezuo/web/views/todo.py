"""待办: the page listing what waits for the signed-in user, and the area's deadline form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuo.accounts.scope import Permission, org_for
from xiezuo.core.errors import InputError
from xiezuo.submissions.services import deadline_set
from xiezuo.web.selectors import current_year
from xiezuo.web.todo import todo_items
from xiezuo.web.views.common import acting_user, checked_year


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    year = current_year()
    return render(request, "web/todo.html", {"items": todo_items(request.user, year), "year": year})


@require_POST
@login_required
def deadline(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """An area sets the date by which its units must submit (from the review page)."""
    org = org_for(request.user, code, Permission.SUBMIT)
    checked_year(year)
    raw = request.POST.get("due", "")
    try:
        try:
            due = dt.date.fromisoformat(raw)
        except ValueError:
            from xiezuo.core.errors import InvalidValue

            raise InvalidValue(f"报送截止日期「{raw}」不是有效日期（应为 2023-12-20 的形式）") from None
        deadline_set(org=org, year=year, due=due, by=acting_user(request))
        messages.success(request, f"报送截止日期已设为 {due.year}年{due.month}月{due.day}日")
    except InputError as exc:
        messages.error(request, exc.message)
    return redirect("web:review", code, year)
