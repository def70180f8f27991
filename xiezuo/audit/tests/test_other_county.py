"""A report worded differently from the seed (another county's style): consistent figures pass, slips are found."""

from __future__ import annotations

from pathlib import Path

from xiezuo.audit.mapping import AuditContext
from xiezuo.audit.tests.helpers import run

TEXT = (Path(__file__).parent / "other_county.txt").read_text(encoding="utf-8")
CONTEXT = AuditContext(year=2023, west_names=("靖远县",), east_names=("河东区", "天津市"))
TABLE = dict(
    meet_party="2", meet_gov="3", meet_group="4", labour_east="410", labour_local="1605", labour_other="1200",
    train_classes="8", train_people="496", train_poor="301", consumption_sales="0.86", region_enterprises="4",
    region_invest="1.35", region_jobs="152", region_jobs_poor="61", workshops="3", workshop_jobs="96",
    cadre_e2w="2", cadre_e2w_county="1", cadre_e2w_other="1", cadre_w2e="2", pro_e2w="26",
    funds_allocated="4120", funds_used="3892.6", funds_use_ratio="94.48", funds_industry="2450",
    funds_employment="210", social_funds="136.8", social_goods="52.4", demo_started="4",
)


def audit(text: str = TEXT, **changes: str):
    return run(text, {**TABLE, **changes}, context=CONTEXT)


def test_only_the_short_list_is_flagged():
    result = audit()
    assert [(f.check, f.confidence) for f in result.findings] == [("count", 0.85)]
    rows = {f.text.strip(): f.row for f in result.extraction.figures}
    # Generic wording lands on the row the sentence is about.
    assert rows["96人"] == "workshop_jobs" and rows["152人"] == "region_jobs"
    assert rows["0.86亿元"] == "consumption_sales" and rows["1名"] in ("cadre_e2w_county", "cadre_e2w_other")


def test_table_slips_in_another_wording():
    result = audit(workshop_jobs="69", social_goods="25.4")
    flagged = {f.row for f in result.findings if f.check == "text_table"}
    assert flagged == {"workshop_jobs", "social_goods"}
    # The text rounds 94.48% to 94.5%: announced by the one decimal, not a contradiction.
    assert not [f for f in audit(TEXT.replace("94.48%", "94.5%")).findings if f.check == "text_table"]


def test_claimed_change_and_rate():
    slipped = TEXT.replace("增加115人", "增加150人").replace("增长3.7%", "增长4.5%").replace("同比增长12.3%", "同比增长15%")
    messages = [f.message for f in audit(slipped).findings if f.check == "claim"]
    assert len(messages) == 3
    assert any("应为 115人" in m for m in messages)
    assert any("应为 3.7%" in m for m in messages)
    assert any("应为 12.3%" in m for m in messages)
