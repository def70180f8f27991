"""Writes of what the user drafts for the report: each save is a new version, stale saves refused.

`expected_version` is the version the editor loaded (0 when there was none yet); a save based on
an older version raises StaleEdit and stores nothing. Every save writes its change record in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction

from xiezuo.core.changes import change_record
from xiezuo.core.errors import InvalidValue, Location, NotFound, StaleEdit
from xiezuo.documents.models import CoverLetter, Narrative, NarrativeSection, TypicalCase
from xiezuo.orgunits.models import OrgUnit

# 发文字号: 机关代字 + 〔年份〕 + 序号 + 号. Square or round brackets typed by users become 〔〕.
DOC_NUMBER = re.compile(r"^\S+〔(\d{4})〕(\d+)号$")
DOC_NUMBER_BRACKETS = re.compile(r"[\[［(（【]\s*(\d{4})\s*[\]］)）】]")


def _refuse_if_locked(org: OrgUnit, year: int) -> None:
    from xiezuo.submissions.locks import refuse_if_locked

    refuse_if_locked(org=org, year=year, what="自评报告")


def _actor_id(by: AbstractBaseUser | None) -> int | None:
    return by.pk if by is not None and by.pk else None


def _check_version(latest: models.Model | None, expected: int | None, what: str) -> int:
    current = latest.version if latest is not None else 0  # type: ignore[attr-defined]
    if expected is not None and expected != current:
        who = getattr(getattr(latest, "created_by", None), "username", None) or "他人"
        raise StaleEdit(
            f"「{what}」已被{who}保存为第 {current} 版，您的修改基于第 {expected} 版，未保存。请刷新后再改。"
        )
    return current


def doc_number_normalise(raw: str) -> str:
    """会农领办发[2023]51号 → 会农领办发〔2023〕51号; empty stays empty; anything else is refused."""
    text = re.sub(r"\s+", "", raw or "")
    if not text:
        return ""
    text = DOC_NUMBER_BRACKETS.sub(r"〔\1〕", text)
    if not DOC_NUMBER.match(text):
        raise InvalidValue(
            "发文字号应为「机关代字〔年份〕序号号」，如 会农领办发〔2023〕51号",
            location=Location(column="发文字号", value=raw),
        )
    return text


def _required(value: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue(f"「{label}」不能为空", location=Location(column=label))
    return text


def cover_letter_save(
    *,
    org: OrgUnit,
    year: int,
    by: AbstractBaseUser | None,
    expected_version: int | None,
    issuer_mark: str,
    doc_number: str,
    title: str,
    recipient: str,
    body: str,
    signatory: str,
    signed_on: dt.date,
) -> CoverLetter:
    fields: dict[str, Any] = {
        "issuer_mark": _required(issuer_mark, "发文机关标志"),
        "doc_number": doc_number_normalise(doc_number),
        "title": _required(title, "标题"),
        # 主送机关 ends with a full-width colon (GB/T 9704-2012 7.3.3), whatever was typed.
        "recipient": _required(recipient, "主送机关").rstrip(":：") + "：",
        "body": _required(body, "正文"),
        "signatory": _required(signatory, "落款"),
        "signed_on": signed_on,
    }
    with transaction.atomic():
        _refuse_if_locked(org, year)
        latest = CoverLetter.objects.select_for_update().filter(org=org, year=year).order_by("-version").first()
        current = _check_version(latest, expected_version, "报送文件")
        try:
            with transaction.atomic():
                letter = CoverLetter.objects.create(
                    org=org, year=year, version=current + 1, created_by_id=_actor_id(by), **fields
                )
        except IntegrityError:
            raise StaleEdit("「报送文件」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        old = None if latest is None else {k: str(getattr(latest, k)) for k in fields}
        change_record(
            actor=by, action="cover_letter.save", object_type="documents.coverletter",
            object_key=f"{org.code}/{year}", org_code=org.code, year=year,
            old=old, new={**{k: str(v) for k, v in fields.items()}, "version": letter.version},
        )
    return letter


def narrative_save(
    *,
    org: OrgUnit,
    year: int,
    section: str,
    text: str,
    by: AbstractBaseUser | None,
    expected_version: int | None,
) -> Narrative:
    if section not in NarrativeSection.values:
        raise NotFound(f"报告没有「{section}」这一部分")
    label = NarrativeSection(section).label
    body = (text or "").replace("\r\n", "\n").strip()
    with transaction.atomic():
        _refuse_if_locked(org, year)
        latest = (
            Narrative.objects.select_for_update().filter(org=org, year=year, section=section)
            .order_by("-version").first()
        )
        current = _check_version(latest, expected_version, label)
        try:
            with transaction.atomic():
                narrative = Narrative.objects.create(
                    org=org, year=year, section=section, version=current + 1, text=body, created_by_id=_actor_id(by)
                )
        except IntegrityError:
            raise StaleEdit(f"「{label}」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        change_record(
            actor=by, action="narrative.save", object_type="documents.narrative",
            object_key=f"{org.code}/{year}/{section}", org_code=org.code, year=year,
            old=None if latest is None else {"text": latest.text, "version": latest.version},
            new={"text": body, "version": narrative.version},
        )
    return narrative


def _case_save(
    *, org: OrgUnit, year: int, number: int | None, by: AbstractBaseUser | None,
    expected_version: int | None, title: str, text: str, removed: bool,
) -> TypicalCase:
    with transaction.atomic():
        _refuse_if_locked(org, year)
        rows = TypicalCase.objects.select_for_update().filter(org=org, year=year)
        if number is None:
            # A new case goes after the last one; its first version is 1.
            number = (rows.aggregate(n=models.Max("number"))["n"] or 0) + 1
            latest = None
            if expected_version not in (None, 0):
                raise StaleEdit("新增典型案例时版本应为 0")
        else:
            latest = rows.filter(number=number).order_by("-version").first()
            if latest is None:
                raise NotFound(f"{org.name}{year}年没有第 {number} 个典型案例")
        what = f"典型案例{number}"
        current = _check_version(latest, expected_version, what)
        try:
            with transaction.atomic():
                case = TypicalCase.objects.create(
                    org=org, year=year, number=number, version=current + 1,
                    title=title, text=text, removed=removed, created_by_id=_actor_id(by),
                )
        except IntegrityError:
            raise StaleEdit(f"「{what}」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        change_record(
            actor=by, action="typical_case.remove" if removed else "typical_case.save",
            object_type="documents.typicalcase", object_key=f"{org.code}/{year}/{number}",
            org_code=org.code, year=year,
            old=None if latest is None else {"title": latest.title, "text": latest.text, "version": latest.version},
            new={"title": title, "text": text, "removed": removed, "version": case.version},
        )
    return case


def typical_case_save(
    *,
    org: OrgUnit,
    year: int,
    number: int | None,
    title: str,
    text: str,
    by: AbstractBaseUser | None,
    expected_version: int | None,
) -> TypicalCase:
    """Save a case (number None adds a new one at the end)."""
    return _case_save(
        org=org, year=year, number=number, by=by, expected_version=expected_version,
        title=_required(title, "典型案例标题"), text=(text or "").replace("\r\n", "\n").strip(), removed=False,
    )


def typical_case_remove(
    *, org: OrgUnit, year: int, number: int, by: AbstractBaseUser | None, expected_version: int | None
) -> TypicalCase:
    latest = TypicalCase.objects.filter(org=org, year=year, number=number).order_by("-version").first()
    return _case_save(
        org=org, year=year, number=number, by=by, expected_version=expected_version,
        title=latest.title if latest else "", text=latest.text if latest else "", removed=True,
    )
