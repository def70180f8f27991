"""What an uploaded evidence file really is: its name's extension and its content must agree.

Accepted: PDF, JPEG, PNG, XLSX and DOCX. The content is identified by its magic bytes
(`filetype`); XLSX and DOCX are ZIP containers whose entries are checked by `core.bounded`
(sizes, ratios, counts) before anything looks inside. Anything else — an HTML page renamed to
.pdf, a script, an executable — is refused with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

from xiezuo.core.bounded import check_docx, check_xlsx
from xiezuo.core.errors import InvalidValue, Location, XiezuoError
from xiezuo.core.textcheck import shown

# extension → (MIME type served, the types `filetype` may report for it, the name users know)
ALLOWED: dict[str, tuple[str, frozenset[str], str]] = {
    ".pdf": ("application/pdf", frozenset({"pdf"}), "PDF"),
    ".jpg": ("image/jpeg", frozenset({"jpg"}), "JPEG 图片"),
    ".jpeg": ("image/jpeg", frozenset({"jpg"}), "JPEG 图片"),
    ".png": ("image/png", frozenset({"png"}), "PNG 图片"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({"xlsx", "zip"}),
              "Excel 工作簿"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({"docx", "zip"}),
              "Word 文档"),
}
ACCEPTED_WORDS = "PDF、JPG、PNG、XLSX、DOCX"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


@dataclass(frozen=True)
class Sniffed:
    name: str  # the user's name, cleaned for display
    extension: str
    content_type: str


def clean_name(name: str) -> str:
    """A file name fit to show and to send in Content-Disposition: no path, no controls, at most 100 characters."""
    base = Path(unicodedata.normalize("NFC", name or "")).name
    base = _UNSAFE.sub("_", base).strip(" .") or "佐证材料"
    if len(base) > 100:
        stem, ext = Path(base).stem, Path(base).suffix[:10]
        base = stem[: 100 - len(ext)] + ext
    return base


def sniff(path: Path, *, name: str, max_bytes: int) -> Sniffed:
    """Check an uploaded file's size, name and content; InvalidValue saying why it is refused."""
    label = shown(name, 80)
    loc = Location(file=label)
    size = path.stat().st_size
    if size == 0:
        raise InvalidValue("文件是空的", location=loc)
    if size > max_bytes:
        raise InvalidValue(f"文件为 {size / 1048576:.1f} MB，超过上限 {max_bytes // 1048576} MB", location=loc)
    cleaned = clean_name(name)
    ext = Path(cleaned).suffix.lower()
    if ext not in ALLOWED:
        raise InvalidValue(f"只能上传 {ACCEPTED_WORDS} 文件，「{shown(ext or '无扩展名', 20)}」不在其中", location=loc)
    mime, kinds, words = ALLOWED[ext]
    with path.open("rb") as fh:
        head = fh.read(8192)
    kind = filetype.guess(head)
    found = kind.extension if kind is not None else None
    if found not in kinds:
        what = f"实际是 {found} 文件" if found else "内容无法识别（可能是网页、文本或其他程序文件）"
        raise InvalidValue(f"文件名是{words}（{ext}），但{what}，已拒绝", location=loc)
    if ext in (".xlsx", ".docx"):
        try:
            (check_xlsx if ext == ".xlsx" else check_docx)(path, name=label)
        except XiezuoError as exc:
            raise InvalidValue(exc.message, location=loc) from None
        import zipfile

        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        marker = "xl/workbook.xml" if ext == ".xlsx" else "word/document.xml"
        if marker not in names:
            raise InvalidValue(f"文件名是{words}（{ext}），但内容不是{words}，已拒绝", location=loc)
    return Sniffed(name=cleaned, extension=ext, content_type=mime)
