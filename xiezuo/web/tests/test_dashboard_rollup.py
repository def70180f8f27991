"""A province's dashboard shows each city's rolled-up figures (cities store none of their own)."""

from decimal import Decimal as D

from xiezuo.orgunits.models import OrgUnit
from xiezuo.rollup.selectors import area_table
from xiezuo.web.dashboards import area_charts


def test_province_dashboard_charts_the_city_roll_up(demo):
    province = OrgUnit.objects.get(code="620000")
    charts, _ = area_charts(province, 2023)
    chart = next(c for c in charts if c.key == "key-labour_east")
    assert chart.labels == ["白银市"]
    city = area_table(OrgUnit.objects.get(code="620400"), 2023).area.values
    assert chart.series["2023年"] == [city["labour_east"]]
    assert city["labour_east"] > D(235)  # 会宁县's 235 and the synthetic counties'
