"""The demo's synthetic counties: labelled, seeded, and as consistent as a careful county's table."""

from xiezuo.catalogue.registry import get_catalogue
from xiezuo.demo.areas import SYNTHETIC_NOTE, synthetic_tables_load
from xiezuo.engine.validate import validate_units
from xiezuo.orgunits.models import OrgUnit
from xiezuo.tables.models import DataValue
from xiezuo.tables.selectors import values_for_many

SYNTHETIC = ["620402", "620403", "620423"]


def test_synthetic_tables_pass_every_catalogue_rule(demo):
    units = list(OrgUnit.objects.filter(code__in=SYNTHETIC))
    catalogue = get_catalogue(2023)
    current = values_for_many(units, 2023)
    previous = values_for_many(units, 2022)
    assert all(len(v) == 125 for v in current.values())
    assert validate_units(catalogue, current, previous) == []
    assert validate_units(catalogue, previous) == []


def test_synthetic_values_are_labelled_and_never_published(demo):
    synthetic = DataValue.objects.filter(org__code__in=SYNTHETIC)
    assert synthetic.count() == 3 * 2 * 125
    assert not synthetic.filter(published=True).exists()
    assert set(synthetic.values_list("note", flat=True)) == {SYNTHETIC_NOTE}
    assert all("合成示例" in t for t in synthetic.exclude(text="").values_list("text", flat=True))


def test_huining_keeps_its_published_figures_and_jingyuan_stays_empty(demo):
    assert not DataValue.objects.filter(org__code="620421").exists()
    funds = DataValue.objects.get(org__code="620422", year=2023, code="funds_allocated")
    assert funds.number == 5590 and funds.published


def test_loading_twice_gives_the_same_figures(demo):
    def figures():
        return list(DataValue.objects.filter(org__code__in=SYNTHETIC).order_by("org__code", "year", "code")
                    .values_list("org__code", "year", "code", "number", "text"))

    before = figures()
    synthetic_tables_load()
    assert figures() == before
    assert DataValue.objects.filter(org__code__in=SYNTHETIC).count() == 750
