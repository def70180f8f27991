"""Writes of what the user drafts for the report, as actions: each save is a new version, stale saves refused.

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

from xiezuo.accounts.scope import Permission
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.errors import InvalidValue, Location, NotFound, StaleEdit
from xiezuo.core.textcheck import checked_text
from xiezuo.documents.models import CoverLetter, DraftedParagraph, Narrative, NarrativeSection, TypicalCase
from xiezuo.orgunits.models import OrgUnit

# A report section or case: long, but bounded (control characters are refused too).
TEXT_MAX = 50_000

# 发文字号: 机关代字 + 〔年份〕 + 序号 + 号. Square or round brackets typed by users become 〔〕.
DOC_NUMBER = re.compile(r"^\S+〔(\d{4})〕(\d+)号$")
DOC_NUMBER_BRACKETS = re.compile(r"[\[［(（【]\s*(\d{4})\s*[\]］)）】]")


def _actor_id(by: AbstractBaseUser | None) -> int | None:
    return by.pk if by is not None and by.pk else None


def _check_version(latest: CoverLetter | Narrative | TypicalCase | DraftedParagraph | None, expected: int | None, what: str) -> int:
    current = latest.version if latest is not None else 0
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


def _stored(value: object) -> str | None:
    """A field as the change record keeps it: text, with nothing left as nothing (never "None")."""
    return None if value is None else str(value)


def _required(value: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue(f"「{label}」不能为空", location=Location(column=label))
    return text


class _TextSave(Action[Any]):
    permission = Permission.WRITE_REPORT
    frozen_with_submission = True

    org: OrgUnit
    year: int

    def target(self) -> tuple[OrgUnit | None, int | None]:
        return self.org, self.year


class CoverLetterSave(_TextSave):
    """The covering 报告: each save is a new version."""

    kind = ActionKind.COVER_LETTER_SAVE
    field_labels = {"issuer_mark": "发文机关标志", "doc_number": "发文字号", "title": "标题", "recipient": "主送机关",
                    "body": "正文", "signatory": "落款", "signed_on": "成文日期", "signer": "签发人",
                    "copies_to": "抄送机关", "printed_by": "印发机关", "printed_on": "印发日期", "version": "版本"}

    def __init__(
        self, *, org: OrgUnit, year: int, by: AbstractBaseUser | None, expected_version: int | None,
        issuer_mark: str, doc_number: str, title: str, recipient: str, body: str, signatory: str,
        signed_on: dt.date, signer: str = "", copies_to: str = "", printed_by: str = "",
        printed_on: dt.date | None = None,
    ) -> None:
        self.org, self.year, self.by, self.expected_version = org, year, by, expected_version
        self.fields: dict[str, Any] = {
            "issuer_mark": _required(issuer_mark, "发文机关标志"),
            "doc_number": doc_number_normalise(doc_number),
            "title": _required(title, "标题"),
            # 主送机关 ends with a full-width colon (GB/T 9704-2012 7.3.3), whatever was typed.
            "recipient": _required(recipient, "主送机关").rstrip(":：") + "：",
            "body": _required(body, "正文"),
            "signatory": _required(signatory, "落款"),
            "signed_on": signed_on,
            # Several 签发人 are separated by spaces or 、 as typed; kept as one line.
            "signer": re.sub(r"\s+", " ", signer or "").strip(),
            # 抄送机关 end without a full stop (GB/T 9704-2012 7.4.2): whatever was typed.
            "copies_to": re.sub(r"\s+", "", copies_to or "").rstrip("。.，,；;:："),
            "printed_by": (printed_by or "").strip(),
            "printed_on": printed_on,
        }
        if printed_on is not None and printed_on < signed_on:
            raise InvalidValue("印发日期不能早于成文日期", location=Location(column="印发日期", value=str(printed_on)))

    def perform(self) -> CoverLetter:
        org, year, fields = self.org, self.year, self.fields
        latest = CoverLetter.objects.select_for_update().filter(org=org, year=year).order_by("-version").first()
        current = _check_version(latest, self.expected_version, "报送文件")
        try:
            with transaction.atomic():
                letter = CoverLetter.objects.create(
                    org=org, year=year, version=current + 1, created_by_id=_actor_id(self.by), **fields
                )
        except IntegrityError:
            raise StaleEdit("「报送文件」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        old, new = changed_fields(
            None if latest is None else {k: _stored(getattr(latest, k)) for k in fields},
            {k: _stored(v) for k, v in fields.items()},
        )
        self.record(object_type="documents.coverletter", object_key=f"{org.code}/{year}",
                    old=old, new={**new, "version": letter.version})
        return letter


class NarrativeSave(_TextSave):
    kind = ActionKind.NARRATIVE_SAVE
    field_labels = {"text": "正文", "version": "版本"}

    def __init__(self, *, org: OrgUnit, year: int, section: str, text: str, by: AbstractBaseUser | None,
                 expected_version: int | None) -> None:
        if section not in NarrativeSection.values:
            raise NotFound(f"报告没有「{section}」这一部分")
        self.org, self.year, self.section, self.by, self.expected_version = org, year, section, by, expected_version
        self.label = NarrativeSection(section).label
        self.body = checked_text((text or "").replace("\r\n", "\n").strip(), label=self.label, max_length=TEXT_MAX)

    def perform(self) -> Narrative:
        org, year, section = self.org, self.year, self.section
        latest = (
            Narrative.objects.select_for_update().filter(org=org, year=year, section=section)
            .order_by("-version").first()
        )
        current = _check_version(latest, self.expected_version, self.label)
        try:
            with transaction.atomic():
                narrative = Narrative.objects.create(
                    org=org, year=year, section=section, version=current + 1, text=self.body,
                    created_by_id=_actor_id(self.by),
                )
        except IntegrityError:
            raise StaleEdit(f"「{self.label}」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        self.record(object_type="documents.narrative", object_key=f"{org.code}/{year}/{section}",
                    old=None if latest is None else {"text": latest.text, "version": latest.version},
                    new={"text": self.body, "version": narrative.version})
        return narrative


class DraftedParagraphSave(_TextSave):
    """The user's version of a drafted 一、 paragraph: figures left in 【】 stay bound to the data.

    `text` is the paragraph as the editor shows it (`DraftParagraph.editable_text`), edited; an
    empty text returns to the drafted paragraph. Saved as a template (see
    `drafting.edited_template`), each save a new version.
    """

    kind = ActionKind.DRAFTED_PARAGRAPH_SAVE
    field_labels = {"text": "正文", "version": "版本"}

    def __init__(self, *, org: OrgUnit, year: int, key: str, text: str, by: AbstractBaseUser | None,
                 expected_version: int | None) -> None:
        from xiezuo.documents.drafting import edited_template
        from xiezuo.documents.selectors import report_data

        self.org, self.year, self.key, self.by, self.expected_version = org, year, key, by, expected_version
        paragraph = next((p for part in report_data(org, year).draft.parts for p in part.paragraphs if p.key == key),
                         None)
        if paragraph is None:
            raise NotFound(f"{org.name}{year}年的报告中没有「{key}」这一段", location=Location(column="段落", value=key))
        self.label = paragraph.lead.rstrip("。")
        typed = (text or "").strip()
        self.body = edited_template(paragraph, typed) if typed else ""

    def perform(self) -> DraftedParagraph:
        org, year, key = self.org, self.year, self.key
        latest = (
            DraftedParagraph.objects.select_for_update().filter(org=org, year=year, key=key).order_by("-version").first()
        )
        current = _check_version(latest, self.expected_version, self.label)
        try:
            with transaction.atomic():
                saved = DraftedParagraph.objects.create(
                    org=org, year=year, key=key, version=current + 1, text=self.body, created_by_id=_actor_id(self.by),
                )
        except IntegrityError:
            raise StaleEdit(f"「{self.label}」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        self.record(object_type="documents.draftedparagraph", object_key=f"{org.code}/{year}/{key}",
                    old=None if latest is None else {"text": latest.text, "version": latest.version},
                    new={"text": self.body, "version": saved.version})
        return saved


class TypicalCaseSave(_TextSave):
    """Save a case (number None adds a new one at the end)."""

    kind = ActionKind.TYPICAL_CASE_SAVE
    field_labels = {"title": "标题", "text": "正文", "removed": "已删除", "version": "版本"}
    removed = False

    def __init__(self, *, org: OrgUnit, year: int, number: int | None, title: str, text: str,
                 by: AbstractBaseUser | None, expected_version: int | None) -> None:
        self.org, self.year, self.number, self.by, self.expected_version = org, year, number, by, expected_version
        self.title = _required(title, "典型案例标题")
        self.text = checked_text((text or "").replace("\r\n", "\n").strip(), label="典型案例正文", max_length=TEXT_MAX)

    def perform(self) -> TypicalCase:
        org, year, number = self.org, self.year, self.number
        rows = TypicalCase.objects.select_for_update().filter(org=org, year=year)
        if number is None:
            # A new case goes after the last one; its first version is 1.
            number = (rows.aggregate(n=models.Max("number"))["n"] or 0) + 1
            latest = None
            if self.expected_version not in (None, 0):
                raise StaleEdit("新增典型案例时版本应为 0")
        else:
            latest = rows.filter(number=number).order_by("-version").first()
            if latest is None:
                raise NotFound(f"{org.name}{year}年没有第 {number} 个典型案例")
        what = f"典型案例{number}"
        current = _check_version(latest, self.expected_version, what)
        title, text = (latest.title, latest.text) if self.removed and latest is not None else (self.title, self.text)
        try:
            with transaction.atomic():
                case = TypicalCase.objects.create(
                    org=org, year=year, number=number, version=current + 1,
                    title=title, text=text, removed=self.removed, created_by_id=_actor_id(self.by),
                )
        except IntegrityError:
            raise StaleEdit(f"「{what}」刚被他人保存，您的修改未保存。请刷新后再改。") from None
        self.record(
            object_type="documents.typicalcase", object_key=f"{org.code}/{year}/{number}",
            old=None if latest is None else {"title": latest.title, "text": latest.text, "version": latest.version},
            new={"title": title, "text": text, "removed": self.removed, "version": case.version},
        )
        return case


class TypicalCaseRemove(TypicalCaseSave):
    kind = ActionKind.TYPICAL_CASE_REMOVE
    removed = True

    def __init__(self, *, org: OrgUnit, year: int, number: int, by: AbstractBaseUser | None,
                 expected_version: int | None) -> None:
        self.org, self.year, self.number, self.by, self.expected_version = org, year, number, by, expected_version
        self.title = self.text = ""


cover_letter_save = CoverLetterSave.run
narrative_save = NarrativeSave.run
drafted_paragraph_save = DraftedParagraphSave.run
typical_case_save = TypicalCaseSave.run
typical_case_remove = TypicalCaseRemove.run
