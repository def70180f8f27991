"""Scoring on hand-made data: each kind of test, points not scored, bands, ties, and scheme errors."""

from decimal import Decimal as D

import pytest

from xiezuo.assessment.scheme import (
    EXAMPLE_SCHEME,
    SchemeError,
    load_scheme,
    parse_scheme,
    ranked,
    score_unit,
)
from xiezuo.catalogue.registry import get_catalogue

SCHEME = """
name = "测试方案"
[[bands]]
grade = "好"
min = 90
[[bands]]
grade = "较好"
min = 75
[[bands]]
grade = "一般"
min = 60
[[bands]]
grade = "差"
min = 0

[[items]]
row = "labour_east"
weight = 20
  [[items.tests]]
  test = "target"
  points = 10
  [[items.tests]]
  test = "not_below_last_year"
  points = 10

[[items]]
row = "funds_use_ratio"
weight = 20
  [[items.tests]]
  test = "at_least"
  value = 90

[[items]]
row = "train_people"
weight = 10
  [[items.tests]]
  test = "target"
  partial = true

[[items]]
row = "projects_completed"
weight = 10
  [[items.tests]]
  test = "expr"
  expr = "projects_completed >= projects_started * 0.9"
  reason = "完工不足九成"
"""


@pytest.fixture(scope="module")
def catalogue():
    return get_catalogue(2023)


def score(catalogue, values, previous=None, targets=None, text=SCHEME):
    return score_unit(parse_scheme(text), catalogue, org_code="620422", org_name="会宁县",
                      values=values, previous=previous or {}, targets=targets or {})


def test_everything_met_scores_100(catalogue):
    s = score(catalogue, {"labour_east": D(240), "funds_use_ratio": D("90.99"), "train_people": D(800),
                          "projects_completed": D(27), "projects_started": D(29)},
              previous={"labour_east": D(232)}, targets={"labour_east": D(235), "train_people": D(790)})
    assert (s.score, s.grade, s.lost, s.not_scored) == (D("100.00"), "好", [], [])


def test_every_lost_point_names_row_target_actual_and_reason(catalogue):
    s = score(catalogue, {"labour_east": D(230), "funds_use_ratio": D("85.5"), "train_people": D(395),
                          "projects_completed": D(20), "projects_started": D(29)},
              previous={"labour_east": D(232)}, targets={"labour_east": D(240), "train_people": D(790)})
    lost = {(p.row, p.test): p for p in s.lost}
    target = lost[("labour_east", "不低于年度目标")]
    assert (target.target, target.actual, target.points, target.reason) == ("240人", "230人", D(10), "未完成年度目标")
    yoy = lost[("labour_east", "不低于上年")]
    assert (yoy.target, yoy.reason) == ("上年 232人", "低于上年")
    ratio = lost[("funds_use_ratio", "不低于规定值")]
    assert (ratio.target, ratio.actual, ratio.points) == ("90%", "85.5%", D(20))
    partial = lost[("train_people", "不低于年度目标")]
    assert partial.points == D("5.00") and "50.0%" in partial.reason
    assert lost[("projects_completed", "规则")].reason == "完工不足九成"
    assert s.earned == D(5) and s.possible == D(60)
    assert s.score == D("8.33") and s.grade == "差"


def test_undecidable_tests_are_not_scored_and_the_score_is_a_share(catalogue):
    # No target for labour_east and no last year: those 20 points are left out, not lost.
    s = score(catalogue, {"labour_east": D(230), "funds_use_ratio": D(95), "projects_completed": D(29),
                          "projects_started": D(29)}, targets={"train_people": D(100)})
    assert {p.row for p in s.not_scored} == {"labour_east"}
    assert [p.reason for p in s.lost] == ["未填报，不得分"]  # train_people has a target but no value
    assert (s.earned, s.possible, s.score, s.grade) == (D(30), D(40), D("75.00"), "较好")


def test_equal_scores_share_a_rank(catalogue):
    a = score(catalogue, {"funds_use_ratio": D(95)})
    b = score(catalogue, {"funds_use_ratio": D(80)})
    ranks = ranked([b, a, a])
    assert [r for r, _ in ranks] == [1, 1, 3]


def test_the_example_scheme_loads_and_says_it_is_not_official(catalogue):
    scheme = load_scheme(EXAMPLE_SCHEME)
    assert scheme.official is False and "非官方" in scheme.name
    assert scheme.total == D(100)
    assert [b.grade for b in scheme.bands] == ["好", "较好", "一般", "差"]


@pytest.mark.parametrize(("text", "where", "words"), [
    ("name = 'x'\n[[bands]]\ngrade='差'\nmin=0\n[[items]]\nrow='a'\nweight=10\n[[items.tests]]\ntest='best'\n",
     "tests[1]", "test 应为"),
    ("name = 'x'\n[[bands]]\ngrade='差'\nmin=0\n[[items]]\nrow='a'\nweight=10\n[[items.tests]]\ntest='at_least'\n",
     "value", "value（规定值）应为数值"),
    ("name = 'x'\n[[bands]]\ngrade='差'\nmin=10\n[[items]]\nrow='a'\nweight=10\n[[items.tests]]\ntest='target'\n",
     "bands", "min 应为 0"),
    ("name = 'x'\n[[bands]]\ngrade='差'\nmin=0\n[[items]]\nrow='a'\nweight=10\n[[items.tests]]\ntest='target'\npoints=4\n",
     "points", "之和 4 不等于"),
])
def test_scheme_errors_name_the_place(text, where, words):
    with pytest.raises(SchemeError) as exc:
        parse_scheme(text, source="bad.toml")
    assert "bad.toml" in exc.value.full_message and where in exc.value.full_message
    assert words in exc.value.full_message


def test_a_row_missing_from_the_template_is_refused(catalogue):
    text = SCHEME.replace('row = "train_people"', 'row = "no_such_row"')
    with pytest.raises(SchemeError, match="no_such_row"):
        score(catalogue, {}, text=text)
