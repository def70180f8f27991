"""DOCX → PDF through LibreOffice headless, with the official font names mapped to Noto CJK.

Each conversion runs soffice with its own throw-away profile (so parallel conversions and a user's
own LibreOffice never interfere) and with FONTCONFIG_FILE pointing at fonts/fonts.conf, which maps
仿宋_GB2312, 方正小标宋简体, 楷体_GB2312, 黑体 and 宋体 to installed Noto CJK faces.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # noqa: S404 — runs LibreOffice with a fixed argument list, no shell
import tempfile
import zipfile
from pathlib import Path

from xiezuo.core.errors import XiezuoError

FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
TIMEOUT_SECONDS = 240
# Word fits 28 characters of 3号 type on a 156 mm line by squeezing them onto the character grid
# (docGrid linesAndChars with a negative charSpace). LibreOffice instead gives each character that
# is wider than a grid cell two cells, halving the line. For the PDF the grid keeps its lines and
# the squeeze becomes ordinary character spacing, which both programs honour alike.
LO_CHAR_SPACING_TWIPS = -5
DOC_GRID = re.compile(rb"<w:docGrid\b[^>]*/>")
LINE_PITCH = re.compile(rb'w:linePitch="(\d+)"')
DEFAULT_SIZE = re.compile(rb"(<w:rPrDefault>\s*<w:rPr>.*?)(<w:sz )", re.S)


class PdfUnavailable(XiezuoError):
    code = "pdf_unavailable"


class PdfFailed(XiezuoError):
    code = "pdf_failed"


def soffice_path() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        raise PdfUnavailable(
            "未找到 LibreOffice（soffice），无法生成 PDF。请安装 libreoffice-writer-nogui 和 fonts-noto-cjk"
            "（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk），"
            "或先只生成 DOCX（去掉 --pdf）。"
        )
    return path


# Keep the blank pages Word and LibreOffice insert before a section that starts on an even page
# (the 版记 must stand on the last, even page); LibreOffice drops them from a PDF by default.
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def docx_to_pdf(docx: Path, out_dir: Path | None = None) -> Path:
    """Convert `docx` and return the PDF's path (beside the DOCX unless `out_dir` is given)."""
    soffice = soffice_path()
    docx = docx.resolve()
    out_dir = (out_dir or docx.parent).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xiezuo-soffice-") as profile:
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG), "HOME": profile}
        # soffice names the PDF after the input; convert a plainly named copy so the output path
        # does not depend on how the platform encodes the Chinese file name.
        work = Path(profile) / "work"
        work.mkdir()
        source = work / "document.docx"
        libreoffice_copy(docx, source)
        cmd = [
            soffice, f"-env:UserInstallation={Path(profile).as_uri()}/user", "--headless", "--norestore",
            "--nologo", "--convert-to", PDF_FILTER, "--outdir", str(work), str(source),
        ]
        try:
            result = subprocess.run(  # noqa: S603 — fixed arguments, no shell
                cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice 转换「{docx.name}」超过 {TIMEOUT_SECONDS} 秒未完成") from None
        produced = work / "document.pdf"
        if result.returncode != 0 or not produced.exists():
            detail = (result.stderr or result.stdout or "").strip().splitlines()[-1:] or ["无输出"]
            raise PdfFailed(f"LibreOffice 未能把「{docx.name}」转换为 PDF：{detail[0]}")
        target = out_dir / (docx.stem + ".pdf")
        shutil.move(str(produced), target)
    return target


def libreoffice_copy(src: Path, dst: Path) -> None:
    """A copy of the DOCX that LibreOffice lays out with 28 characters a line, as Word does."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = DOC_GRID.sub(_lines_grid, data)
            elif item.filename == "word/styles.xml":
                data = DEFAULT_SIZE.sub(_with_char_spacing, data, count=1)
            zout.writestr(item, data)


def _lines_grid(m: re.Match[bytes]) -> bytes:
    if b"linesAndChars" not in m.group(0):
        return m.group(0)
    pitch = LINE_PITCH.search(m.group(0))
    return b'<w:docGrid w:type="lines" w:linePitch="' + (pitch.group(1) if pitch else b"579") + b'"/>'


def _with_char_spacing(m: re.Match[bytes]) -> bytes:
    return m.group(1) + f'<w:spacing w:val="{LO_CHAR_SPACING_TWIPS}"/>'.encode() + m.group(2)
