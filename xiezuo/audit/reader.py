"""Read a report (txt, docx, pdf) into one text with paragraph blocks and their heading paths.

Plain Python. Offsets index the returned `Document.text`, so every finding can point back at
the sentence it quotes. Page breaks that cut a sentence in two are joined into one block.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess  # noqa: S404 - pdftotext is a fixed local binary, never user-chosen
from dataclasses import dataclass, field
from pathlib import Path

from xiezuo.core import bounded
from xiezuo.core.errors import InvalidValue, Location, XiezuoError
from xiezuo.core.textcheck import shown


class ReportUnreadable(XiezuoError):
    code = "report_unreadable"


H1_RE = re.compile(r"^[一二三四五六七八九十]+、")
H2_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
H3_RE = re.compile(r"^\d{1,2}\s*[.．、](?!\d)")
ANNEX_RE = re.compile(r"^附件\s*\d*\s*[:：]?\s*$|^附件\s*\d+\s*[:：]?")
# A line ending in one of these closes its paragraph; any other line break is a wrap or page break.
TERMINAL = tuple("。！？；：”」』）)")


@dataclass(frozen=True)
class Block:
    """A paragraph (kind "para") or a table row (kind "table") with its heading path."""

    kind: str
    start: int
    end: int
    heading: tuple[str, ...]
    cells: tuple[str, ...] = ()


@dataclass
class Document:
    text: str
    blocks: list[Block]
    source: str = ""
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def block_at(self, offset: int) -> Block | None:
        for b in self.blocks:
            if b.start <= offset < b.end:
                return b
        return None

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def location(self, start: int, end: int, heading: tuple[str, ...] | None = None) -> dict[str, object]:
        if heading is None:
            block = self.block_at(start)
            heading = block.heading if block else ()
        return {"heading": " › ".join(heading), "line": self.line_of(start), "start": start, "end": end}


def _heading_level(line: str) -> int:
    if H1_RE.match(line):
        return 1
    if H2_RE.match(line):
        return 2
    if H3_RE.match(line):
        return 3
    return 0


def _heading_title(line: str) -> str:
    title = re.split(r"[。！？]", line, maxsplit=1)[0]
    return re.sub(r"\s+", "", title)[:40]


def document_from_text(text: str, source: str = "") -> Document:
    """Split text into paragraph blocks and table rows, tracking 一、/（一）/1. headings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    path: list[str] = []  # heading titles by level (index 0 = 一、)
    annex: str | None = None
    cur_start: int | None = None
    cur_end = 0
    cur_heading: tuple[str, ...] = ()
    last_line = ""

    def heading_now() -> tuple[str, ...]:
        base = (annex,) if annex else ()
        return base + tuple(p for p in path if p)

    def close() -> None:
        nonlocal cur_start
        if cur_start is not None:
            blocks.append(Block("para", cur_start, cur_end, cur_heading))
        cur_start = None

    offset = 0
    for raw in text.split("\n"):
        line_start, line_end = offset, offset + len(raw)
        offset = line_end + 1
        line = raw.strip()
        if not line:
            continue
        if "\t" in raw and len([c for c in raw.split("\t")]) >= 2:
            close()
            cells = tuple(c.strip() for c in raw.split("\t"))
            blocks.append(Block("table", line_start, line_end, heading_now(), cells))
            last_line = ""
            continue
        if ANNEX_RE.match(line) and len(line) <= 12:
            close()
            annex = re.sub(r"\s+", "", line).rstrip(":：")
            path = []
            last_line = line
            continue
        level = _heading_level(line)
        if level:
            close()
            path = path[: level - 1] + [""] * max(0, level - 1 - len(path))
            path.append(_heading_title(line))
        joins = cur_start is not None and not level and not last_line.endswith(TERMINAL)
        if not joins:
            close()
            cur_start = line_start + (len(raw) - len(raw.lstrip()))
            cur_heading = heading_now()
        cur_end = line_start + len(raw.rstrip())
        last_line = line
        if level and not re.search(r"[。！？]", line):
            close()  # a heading on its own line: the paragraph below it starts afresh
            last_line = line + "。"
    close()
    return Document(text=text, blocks=blocks, source=source)


def _docx_text(path: Path) -> str:
    from docx import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = DocxDocument(str(path))
    lines: list[str] = []
    # Body order matters: a table sits between the paragraphs it follows and precedes.
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = cell.text.replace("\n", " ").strip()
                    if not cells or cells[-1] != t:  # merged cells repeat their text
                        cells.append(t)
                lines.append("\t".join(cells) if len(cells) > 1 else (cells[0] + "\t" if cells else ""))
    return "\n".join(lines)


def _docx_reason(exc: Exception) -> str:
    """What is wrong with a .docx, in words a user can act on."""
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError

    if isinstance(exc, zipfile.BadZipFile | PackageNotFoundError):
        return "不是 .docx 格式（可能是旧版 .doc、改了扩展名或文件已损坏），请在 Word 中另存为 .docx 后上传"
    if isinstance(exc, KeyError):
        return "文件缺少 Word 正文部分（word/document.xml），可能已损坏"
    return "文件内容已损坏，请在 Word 中重新保存为 .docx 后上传"


def _pdf_reason(exc: Exception) -> str:
    """What is wrong with a PDF, in words a user can act on (pypdf's own messages are English)."""
    text = str(exc).lower()
    if "encrypt" in text or "password" in text or "decrypt" in text:
        return "PDF 已加密（设有密码），请取消密码后再上传"
    if "ended unexpectedly" in text or "eof" in text or "truncated" in text or "startxref" in text:
        return "PDF 文件不完整（可能没有下载或复制完整），请重新导出后上传"
    return "PDF 文件已损坏或不是 PDF 格式，请重新导出后上传"


def _pdf_text(path: Path, label: str, lim: bounded.Limits) -> str:
    text = ""
    label = label or path.name
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        pages = max(1, len(reader.pages))
        if pages > lim.pdf_pages:
            raise ReportUnreadable(f"PDF 共 {pages} 页，超过核查上限 {lim.pdf_pages} 页", location=Location(file=label))
        parts: list[str] = []
        chars = 0
        for page in reader.pages:
            part = page.extract_text() or ""
            parts.append(part)
            chars += len(part)
            if chars > lim.text_chars:
                break  # read_report refuses it with the length; no need to read further pages
        text = "\n".join(parts)
    except ReportUnreadable:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise ReportUnreadable(f"无法读取 PDF：{_pdf_reason(exc)}", location=Location(file=label)) from exc
    if len(text.strip()) < 20 * pages and shutil.which("pdftotext"):
        # Some CJK PDFs defeat pypdf's layout; poppler reads them in order.
        done = subprocess.run(  # noqa: S603
            [shutil.which("pdftotext") or "pdftotext", "-l", str(lim.pdf_pages), "-enc", "UTF-8", str(path), "-"],
            capture_output=True, timeout=60, check=False,
        )
        if done.returncode == 0:
            text = done.stdout.decode("utf-8", "replace")
    if not text.strip():
        raise ReportUnreadable("PDF 没有文字层（可能是扫描件），无法核查", location=Location(file=label))
    return text


def read_report(path: Path | str, *, name: str | None = None) -> Document:
    """Read a .txt, .docx or .pdf report; raise ReportUnreadable (Chinese message) otherwise."""
    path = Path(path)
    label = shown(name or path.name, 80)
    suffix = Path(name or path.name).suffix.lower() or path.suffix.lower()
    if not path.exists():
        raise ReportUnreadable("文件不存在", location=Location(file=label))
    lim = bounded.limits()
    # Sizes before parsing: a few MB of zip or PDF can inflate to gigabytes.
    try:
        bounded.check_size(path, name=label, lim=lim)
        if suffix == ".docx":
            bounded.check_docx(path, name=label, lim=lim)
    except InvalidValue as exc:
        raise ReportUnreadable(exc.message, location=exc.location) from None
    if suffix == ".docx":
        try:
            text = _docx_text(path)
        except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors for bad files
            raise ReportUnreadable(f"无法读取 Word 文件：{_docx_reason(exc)}", location=Location(file=label)) from exc
    elif suffix == ".pdf":
        text = _pdf_text(path, label, lim)
    elif suffix in (".txt", ".md", ""):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ReportUnreadable("文本文件编码无法识别（应为 UTF-8 或 GB18030）", location=Location(file=label))
    else:
        raise ReportUnreadable(f"不支持的文件类型「{shown(suffix, 20)}」：请上传 txt、docx 或 pdf",
                               location=Location(file=label))
    if len(text) > lim.text_chars:
        raise ReportUnreadable(f"报告共 {len(text):,} 个字符，超过核查上限 {lim.text_chars:,} 个字符；"
                               "请分章节核查", location=Location(file=label))
    return document_from_text(text, source=label)
