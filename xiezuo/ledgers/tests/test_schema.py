"""The ledger schema (templates, imports, derivation) and the Django models say the same thing."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from xiezuo.ledgers.models import WanYuanField
from xiezuo.ledgers.schema import LEDGERS

FIELD_TYPES = {
    "text": (models.CharField, models.TextField),
    "int": (models.PositiveIntegerField, models.IntegerField),
    "money": (WanYuanField,),
    "date": (models.DateField,),
    "bool": (models.BooleanField,),
    "code": (models.CharField,),
    "idno": (models.CharField,),
}


def test_every_schema_column_is_a_model_field_of_the_right_type_and_codes() -> None:
    for ledger in LEDGERS:
        model = apps.get_model(ledger.model)
        assert model._meta.db_table == ledger.table
        for col in (*ledger.columns, *ledger.computed):
            f = model._meta.get_field(col.name)
            assert isinstance(f, FIELD_TYPES[col.type]), (ledger.kind, col.name)
            assert f.column == col.name
            if col.type == "code":
                assert [c for c, _ in f.choices] == [c for c, _ in col.choices]
            optional_in_db = f.null or getattr(f, "blank", False) or col.type == "bool"
            assert col.required or optional_in_db, (ledger.kind, col.name)
        assert len({c.header for c in ledger.columns}) == len(ledger.columns)
