"""Generated and crafted report texts: the audit answers with findings or a Chinese message, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.crafted import docx_bomb
from xiezuo.audit.audit import audit_document
from xiezuo.audit.reader import ReportUnreadable, document_from_text, read_report
from xiezuo.catalogue.registry import get_catalogue

# Pieces report texts are made of, so that generated text reaches the extractor's rules
# (units, 其中 lists, headings, other-year figures, tables) and not only its first regex.
PIECES = st.sampled_from([
    "一、", "（一）", "1.", "其中", "共计", "分别是", "、", "；", "，", "。", "（", "）", "(", ")", "\n", "\t",
    "万元", "亿元", "元", "人", "人次", "个", "家", "%", "余", "以上", "约", "2022年", "2023年", "均超出",
    "会宁县", "甘肃某某农业发展有限公司", "村", "转移就业", "帮扶资金", "培训", "按就业去向分布：",
    "三", "十二", "0", "1", "7", "12.5", "698.4475", "1e100", "9" * 30, "-", ".", "附件1", "附件2：",
])
TEXT = st.lists(st.one_of(PIECES, st.integers(-10**6, 10**20).map(str), st.text(max_size=8)), max_size=120).map("".join)


@given(TEXT)
def test_generated_text_is_audited_without_a_crash(text: str) -> None:
    document = document_from_text(text, source="fuzz.txt")
    result = audit_document(document, catalogue=get_catalogue(2023))
    for finding in result.findings:
        assert finding.message  # every finding says something
        for quote in finding.quotes:
            location = quote.get("location")
            if isinstance(location, dict) and "start" in location:
                assert 0 <= int(location["start"]) <= len(document.text)


def test_a_two_megabyte_text_is_refused_by_its_length(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("会宁县转移就业1000人。" * 160_000, encoding="utf-8")  # ~2 MB
    with pytest.raises(ReportUnreadable, match="超过核查上限") as info:
        read_report(path)
    assert "long.txt" in info.value.full_message


def test_a_docx_bomb_is_refused_before_python_docx_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb(60))
    assert path.stat().st_size < 300_000
    with pytest.raises(ReportUnreadable, match="压缩|超过"):
        read_report(path)


def test_a_file_over_the_upload_limit_is_refused_naming_it(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.XIEZUO_FILE_LIMITS = {"upload_bytes": 1024}
    path = tmp_path / "big.txt"
    path.write_text("字" * 2000, encoding="utf-8")
    with pytest.raises(ReportUnreadable, match="超过上限 0.0009765625 MB|超过上限") as info:
        read_report(path)
    assert "big.txt" in info.value.full_message
