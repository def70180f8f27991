"""What every ledger record shares: county, year, optimistic-lock version, synthetic flag."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from xiezuo.core.money import wan_from_yuan, yuan_from_wan
from xiezuo.orgunits.models import OrgUnit


class WanYuanField(models.BigIntegerField):  # type: ignore[type-arg]  # stubs: generic fields take 2 params
    """An amount in 万元 (Decimal, up to 4 places) stored as whole 元.

    Integers sum exactly in SQL on SQLite and PostgreSQL alike, so derived totals agree to the
    last digit on both; SQLite has no exact decimal type.
    """

    def from_db_value(self, value: int | None, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else wan_from_yuan(int(value))

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        return yuan_from_wan(Decimal(str(value)) if not isinstance(value, Decimal) else value)



class LedgerRecord(models.Model):
    org = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）")
    year = models.IntegerField("年度")
    # Optimistic locking: an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # Made up by the demo generator where the source document gives only totals.
    synthetic = models.BooleanField("合成数据", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}（{self.year}）"


def org_year_index(table: str) -> models.Index:
    return models.Index(fields=["org", "year"], name=f"{table.removeprefix('ledgers_')[:18]}_org_year")


def choices(kind: str, column: str) -> list[tuple[str, str]]:
    """Codes and Chinese labels of a coded column, from the ledger schema (the one source)."""
    from xiezuo.ledgers.schema import BY_KIND

    return list(BY_KIND[kind].by_name[column].choices)
