"""What the user writes for the self-evaluation report, kept as versions (each save a new row).

The latest version of each text is the one used; older versions stay for the record. A save made
on an older version than the latest is refused (optimistic locking in the services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuo.orgunits.models import OrgUnit


class CoverLetter(models.Model):
    """The covering 报告 to the level above: 版头, title, 主送机关, body, 落款 and 成文日期."""

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField("年度")
    version = models.PositiveIntegerField("版本")
    issuer_mark = models.CharField("发文机关标志", max_length=200)
    doc_number = models.CharField("发文字号", max_length=64, blank=True)
    title = models.CharField("标题", max_length=300)
    recipient = models.CharField("主送机关", max_length=300)
    body = models.TextField("正文")
    signatory = models.CharField("落款（发文机关署名）", max_length=200)
    signed_on = models.DateField("成文日期")
    # 上行文: the 签发人 stands on the 发文字号 line (GB/T 9704-2012 7.2.4); empty for other documents.
    signer = models.CharField("签发人", max_length=100, blank=True)
    # 版记 (7.4): 抄送机关, 印发机关 and 印发日期 at the foot of the last even page; left out when empty.
    copies_to = models.CharField("抄送机关", max_length=500, blank=True)
    printed_by = models.CharField("印发机关", max_length=200, blank=True)
    printed_on = models.DateField("印发日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "version"], name="uniq_coverletter_version"),
        ]
        ordering = ["org", "year", "-version"]
        verbose_name = "报送文件（版头与正文）"
        verbose_name_plural = "报送文件（版头与正文）"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year} v{self.version} {self.doc_number}"


class NarrativeSection(models.TextChoices):
    INTRO = "intro", "开篇综述"
    INNOVATION = "innovation", "二、工作创新情况"
    PROBLEMS = "problems", "三、存在问题及意见建议"


class Narrative(models.Model):
    """Free text of one part of the report (开篇, 二、 or 三、), one row per saved version."""

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField("年度")
    section = models.CharField("部分", max_length=16, choices=NarrativeSection.choices)
    version = models.PositiveIntegerField("版本")
    text = models.TextField("正文", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "section", "version"], name="uniq_narrative_version"),
        ]
        ordering = ["org", "year", "section", "-version"]
        verbose_name = "报告文字"
        verbose_name_plural = "报告文字"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.section} v{self.version}"


class DraftedParagraph(models.Model):
    """The user's version of one drafted 一、 paragraph, one row per saved version.

    `text` is a template: the figures the user kept are placeholders bound to their cells or
    ledger records (filled in with the current data whenever the report is made); figures the
    user typed over are plain text. An empty text goes back to the drafted paragraph.
    """

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField("年度")
    key = models.CharField("段落", max_length=200)  # "组织领导/工作推动部署情况。"
    version = models.PositiveIntegerField("版本")
    text = models.TextField("正文（含数据占位符）", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "key", "version"], name="uniq_draftedparagraph_version"),
        ]
        ordering = ["org", "year", "key", "-version"]
        verbose_name = "修改后的自动生成段落"
        verbose_name_plural = "修改后的自动生成段落"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.key} v{self.version}"


class TypicalCase(models.Model):
    """One typical case of 附件2 (title + text); `number` orders the cases, versions per number."""

    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField("年度")
    number = models.PositiveIntegerField("序号")
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=300, blank=True)
    text = models.TextField("正文", blank=True)
    # A removal is a version too, so the history shows who removed the case and what it said.
    removed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "number", "version"], name="uniq_typicalcase_version"),
        ]
        ordering = ["org", "year", "number", "-version"]
        verbose_name = "典型案例"
        verbose_name_plural = "典型案例"

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year} 案例{self.number} v{self.version}"
