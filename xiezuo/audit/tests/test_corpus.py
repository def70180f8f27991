"""The corpus of whole reports in different counties' voices: planted slips found, consistent facts not flagged."""

from __future__ import annotations

import pytest

from xiezuo.audit.tests.corpus import CORPUS, names, score

VERSIONS = [(n, s) for n in names() for s in (".txt", ".docx", ".pdf") if (CORPUS / f"{n}{s}").exists()]


def test_the_corpus_is_six_reports_or_more_with_a_docx_and_a_pdf():
    assert len(names()) >= 6
    assert any(s == ".docx" for _, s in VERSIONS) and any(s == ".pdf" for _, s in VERSIONS)


@pytest.mark.parametrize(("name", "suffix"), VERSIONS)
def test_at_most_one_false_alarm_per_report(name: str, suffix: str):
    s = score(name, suffix)
    assert len(s.false_alarms) <= 1, [f.message for f in s.false_alarms]
    assert s.result is not None and s.result.table_rows >= 10  # its 附件1 (or the unit's table) was read


@pytest.mark.parametrize("name", names())
def test_without_the_units_names_the_title_is_enough(name: str):
    s = score(name, names_given=False)
    assert len(s.false_alarms) + len(s.other) <= 1, [f.message for f in s.false_alarms + s.other]
    assert s.recall >= 0.75, [m.what for m in s.missed]


def test_recall_over_the_corpus():
    scores = [score(n, s) for n, s in VERSIONS]
    found = sum(len(s.found) for s in scores)
    planted = sum(len(s.slips) for s in scores)
    missed = [(s.name, m.what) for s in scores for m in s.missed]
    assert planted >= 30 and found / planted >= 0.9, missed


def test_every_kind_of_slip_is_planted():
    kinds = {slip.check for n in names() for slip in score(n).slips}
    assert kinds >= {"text_table", "text_text", "sum", "count", "claim", "rate", "name"}
