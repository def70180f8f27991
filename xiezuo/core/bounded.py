"""Bounds checked on an uploaded file before any parser allocates for it.

An XLSX or DOCX file is a zip of XML. Its compressed size says little: a 1.5 KB workbook with
one cell at XFD1048576 makes a reader allocate a dense grid of 17 billion cells, and a 5 MB zip
bomb inflates to gigabytes. So before python-calamine or python-docx sees a file, this module
reads the zip directory (declared sizes and compression ratios of every entry) and streams each
worksheet once, keeping only the largest row and column a cell claims. Past a limit the file is
refused with a Chinese message naming the file and the limit. Limits come from settings
(`XIEZUO_UPLOAD_*`, `XIEZUO_XLSX_*`), with defaults that fit the largest real ledger.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xiezuo.core.errors import InvalidValue, Location

MB = 1024 * 1024
_CHUNK = 1 * MB
# A tag never spans more than this without a '>' in a real sheet (inline strings are capped by
# the inflated-size limit anyway); a longer run is a crafted file.
_MAX_TAIL = 4 * MB
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,7})([0-9]{1,12})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,12})\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 20 * MB  # a file as uploaded
    inflated_bytes: int = 200 * MB  # all zip entries together, uncompressed
    entry_ratio: int = 100  # uncompressed / compressed size of one entry
    entries: int = 2000  # files inside one zip
    rows: int = 300_000  # rows of one sheet
    columns: int = 200  # columns of one sheet
    cells: int = 6_000_000  # rows × columns of the dense grid a reader builds
    text_chars: int = 100_000  # characters of a report sent to the audit (five times a real one)
    docx_xml_bytes: int = 40 * MB  # a Word document's XML, inflated (python-docx holds it as a tree)
    pdf_pages: int = 500


def limits() -> Limits:
    """The configured limits (settings.XIEZUO_FILE_LIMITS overrides any default)."""
    from django.conf import settings

    overrides = getattr(settings, "XIEZUO_FILE_LIMITS", None) or {}
    return Limits(**overrides)


def _mb(n: int) -> str:
    return f"{n / MB:g} MB"


def check_size(path: Path, *, name: str, lim: Limits | None = None) -> None:
    lim = lim or limits()
    size = path.stat().st_size
    if size > lim.upload_bytes:
        raise InvalidValue(f"文件大小 {size / MB:.1f} MB，超过上限 {_mb(lim.upload_bytes)}",
                           location=Location(file=name))


def check_zip(path: Path, *, name: str, lim: Limits | None = None, what: str = "Excel 文件") -> zipfile.ZipFile:
    """Open a zip container after checking its directory; the caller closes it."""
    lim = lim or limits()
    check_size(path, name=name, lim=lim)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        ext, old = (".docx", ".doc") if "Word" in what else (".xlsx", ".xls")
        raise InvalidValue(f"无法读取 {what}：不是 {ext} 格式（可能是旧版 {old}、改了扩展名或文件已损坏），"
                           f"请另存为 {ext} 后上传", location=Location(file=name)) from exc
    infos = archive.infolist()
    where = Location(file=name)
    if len(infos) > lim.entries:
        archive.close()
        raise InvalidValue(f"文件内含 {len(infos)} 个部件，超过上限 {lim.entries} 个", location=where)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > lim.entry_ratio:
            archive.close()
            raise InvalidValue(
                f"部件「{info.filename[:80]}」解压后 {info.file_size / MB:.0f} MB，压缩比 {ratio:.0f}:1，"
                f"超过上限 {lim.entry_ratio}:1（疑似压缩炸弹）", location=where)
    if total > lim.inflated_bytes:
        archive.close()
        raise InvalidValue(f"文件解压后共 {total / MB:.0f} MB，超过上限 {_mb(lim.inflated_bytes)}", location=where)
    return archive


def _check_actual_sizes(archive: zipfile.ZipFile, lim: Limits, *, name: str, skip: str = "") -> None:
    """Inflate every entry once, counting: a zip directory can lie about the sizes it declares."""
    budget = lim.inflated_bytes
    for info in archive.infolist():
        if skip and info.filename.startswith(skip):
            continue  # worksheets: inflated and measured by _sheet_extent
        try:
            for chunk in _read_entry_bounded(archive, info, budget, name=name):
                budget -= len(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise InvalidValue(f"文件内部件「{info.filename[:80]}」已损坏（{exc}）", location=Location(file=name)) from exc


def check_docx(path: Path, *, name: str, lim: Limits | None = None) -> None:
    """Refuse a Word file whose XML would inflate past the limit for a document tree."""
    lim = lim or limits()
    small = Limits(**{**lim.__dict__, "inflated_bytes": lim.docx_xml_bytes})
    with check_zip(path, name=name, lim=small, what="Word 文件") as archive:
        _check_actual_sizes(archive, small, name=name)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _read_entry_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, *, name: str) -> Iterator[bytes]:
    """Yield decompressed chunks of one entry, never more than `cap` bytes whatever it declares."""
    seen = 0
    with archive.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                return
            seen += len(chunk)
            if seen > cap:
                raise InvalidValue(f"部件「{info.filename[:80]}」解压后超过 {_mb(cap)}",
                                   location=Location(file=name))
            yield chunk


@dataclass(frozen=True)
class SheetExtent:
    sheet_path: str
    rows: int
    columns: int


def _sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, *, name: str) -> SheetExtent:
    max_row = max_col = 0
    row_tags = cell_tags = cells_with_ref = 0
    tail = b""
    for chunk in _read_entry_bounded(archive, info, cap, name=name):
        buf = tail + chunk
        cut = buf.rfind(b">") + 1
        if cut == 0:
            if len(buf) > _MAX_TAIL:
                raise InvalidValue("工作表 XML 结构异常，无法读取", location=Location(file=name))
            tail = buf
            continue
        part, tail = buf[:cut], buf[cut:]
        for m in _ROW_REF.finditer(part):
            max_row = max(max_row, int(m.group(1)))
        refs = _CELL_REF.findall(part)
        for letters, digits in refs:
            max_col = max(max_col, _column_number(letters))
            max_row = max(max_row, int(digits))
        cells_with_ref += len(refs)
        row_tags += len(_ROW_TAG.findall(part))
        n_cells = len(_CELL_TAG.findall(part))
        cell_tags += n_cells
    # Rows and cells without an r attribute follow the previous one; bound them by their count.
    max_row = max(max_row, row_tags)
    if cell_tags > cells_with_ref:
        max_col = max(max_col, cell_tags - cells_with_ref)
    return SheetExtent(info.filename, max_row, max_col)


def check_xlsx(path: Path, *, name: str, lim: Limits | None = None) -> list[SheetExtent]:
    """Refuse an XLSX whose sheets would make a reader allocate past the limits."""
    lim = lim or limits()
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        check_size(path, name=name, lim=lim)
        return []  # .xls and .ods are not zips of sheets in this layout; calamine bounds them
    archive = check_zip(path, name=name, lim=lim)
    extents: list[SheetExtent] = []
    with archive:
        _check_actual_sizes(archive, lim, name=name, skip="xl/worksheets/")
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                extent = _sheet_extent(archive, info, lim.inflated_bytes, name=name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                raise InvalidValue(f"工作表已损坏（{exc}）", location=Location(file=name)) from exc
            where = Location(file=name)
            if extent.rows > lim.rows:
                raise InvalidValue(f"工作表有 {extent.rows:,} 行（含空行），超过上限 {lim.rows:,} 行；"
                                   "请删除多余的行或分批导入", location=where)
            if extent.columns > lim.columns:
                raise InvalidValue(f"工作表有 {extent.columns:,} 列（含空列），超过上限 {lim.columns:,} 列；"
                                   "请删除多余的列", location=where)
            if extent.rows * extent.columns > lim.cells:
                raise InvalidValue(f"工作表有 {extent.rows:,} 行 × {extent.columns:,} 列，"
                                   f"超过上限 {lim.cells:,} 个单元格；请删除多余的行列或分批导入", location=where)
            extents.append(extent)
    return extents


def read_text_file(path: Path, label: str) -> str:
    """A CSV or JSON file's text: UTF-8 (with or without BOM) or GB18030, the two a county PC writes."""
    check_size(path, name=label)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidValue("无法识别文件编码（应为 UTF-8 或 GB18030）", location=Location(file=label))


def csv_rows(text: str, label: str) -> list[list[str]]:
    """Rows of CSV text, any line ends (CR-only too); bounded rows, columns and field size."""
    lim = limits()
    rows: list[list[str]] = []
    # newline="" lets the csv module see \r, \n and \r\n line ends, as its documentation asks.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if len(rows) >= lim.rows:
                raise InvalidValue(f"文件超过 {lim.rows:,} 行，请分批导入", location=Location(file=label))
            if len(row) > lim.columns:
                raise InvalidValue(f"有 {len(row):,} 列，超过上限 {lim.columns:,} 列",
                                   location=Location(file=label, row=reader.line_num))
            rows.append(row)
    except csv.Error as exc:
        big = "field larger than field limit" in str(exc)
        reason = (f"单元格内容超过 {csv.field_size_limit() // 1024} KB，不是有效的台账数据" if big
                  else f"CSV 格式有误（{exc}）")
        raise InvalidValue(reason, location=Location(file=label, row=reader.line_num)) from None
    return rows
