"""The PDF through LibreOffice: Chinese text in Noto CJK on every page, stable page count."""

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def _pgm_dark_fraction(path: Path) -> float:
    """Share of non-white pixels of a binary PGM (P5) written by pdftoppm -gray."""
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5"
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4][-width * height:]
    return sum(1 for b in pixels if b < 200) / len(pixels)


def _report(tmp_path: Path, name: str) -> list[Path]:
    from xiezuo.cli import app

    out = tmp_path / name
    result = CliRunner().invoke(app, ["report", "--org", "620422", "--year", "2023", "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert "已写出" in result.output
    return sorted(out.iterdir())


def test_cli_writes_docx_and_pdf_with_cjk_text(huining, tmp_path, artifacts_dir):
    files = _report(tmp_path, "a")
    assert [f.name for f in files] == [
        "会宁县2023年度东西部协作工作自评报告.docx", "会宁县2023年度东西部协作工作自评报告.pdf",
    ]
    pdf = files[1]
    shutil.copy(pdf, artifacts_dir / pdf.name)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    # Every font is an embedded Noto CJK face: no official name fell through to a font without Chinese.
    assert names and all("NotoS" in n and "CJK" in n for n in names), fonts
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = text.replace(" ", "")  # LibreOffice spaces Latin digits apart from Chinese
    assert "会农领办发〔2023〕51号" in compact
    assert "会宁县2023年度东西部协作工作自评报告" in compact
    assert "转移就业2641人，其中脱贫劳动力2287人（2022年2271人）" in compact.replace("\n", "")
    assert "\ufffd" not in text and "□" not in text
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p) for p in pages)
    # The covering report keeps its 落款 and 成文日期 on its one page, with the body.
    first = pages[0].replace(" ", "")
    assert "请审示" in first and "2023年11月20日" in first
    # Page numbers in the GB/T 9704 form, continued into the attachments.
    assert "—1—" in pages[0].replace(" ", "") and f"—{len(pages)}—" in pages[-1].replace(" ", "")

    pngdir = tmp_path / "png"
    pngdir.mkdir()
    subprocess.run(["pdftoppm", "-r", "20", "-gray", str(pdf), str(pngdir / "p")], check=True)
    images = sorted(pngdir.glob("p-*.pgm"))
    assert len(images) == len(pages)
    for image in images:
        assert 0.002 < _pgm_dark_fraction(image) < 0.5, image.name


def test_page_count_is_stable(huining, tmp_path):
    counts = []
    for name in ("a", "b"):
        pdf = _report(tmp_path, name)[1]
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        counts.append(int(next(ln for ln in info.splitlines() if ln.startswith("Pages:")).split()[1]))
    assert counts[0] == counts[1] and counts[0] > 10


def test_missing_soffice_gives_a_chinese_message(monkeypatch, huining, tmp_path):
    from xiezuo.cli import app

    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    result = CliRunner().invoke(app, ["report", "--org", "会宁县", "--year", "2023", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code != 0
    assert "未找到 LibreOffice" in str(result.exception) or "未找到 LibreOffice" in result.output
