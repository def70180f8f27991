"""Crafted hostile files: the inputs of the fuzz tests and of bench/hostile_inputs.py.

Each builder returns the bytes of a file a careless or malicious user could upload: XLSX files
with a cell far out (XFD1048576, ALL100000), zip bombs as XLSX and DOCX, CSV files with odd line
ends, huge fields, GBK text, control characters and absurd numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

from xiezuo.ledgers.schema import Ledger

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{_escape(text)}</t></is></c>'


def xlsx(ledger: Ledger, *, extra_cell: str | None = None, padding_mb: int = 0) -> bytes:
    """A one-sheet workbook with the ledger's headers; optionally a cell far away or a zip bomb.

    `padding_mb` megabytes of whitespace between the rows: valid XML, which deflate shrinks
    about a thousandfold, so a small file inflates to a huge one.
    """
    header = "".join(_inline(f"{_column_letters(i)}1", h) for i, h in enumerate(ledger.headers, start=1))
    rows = [f'<row r="1">{header}</row>']
    if extra_cell:
        digits = "".join(ch for ch in extra_cell if ch.isdigit())
        rows.append(f'<row r="{digits}">{_inline(extra_cell, "x")}</row>')
    sheet_head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
    sheet_tail = "</sheetData></worksheet>"
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                f'<sheets><sheet name="{_escape(ledger.label)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((sheet_head + rows[0]).encode())
            block = b" " * (1 << 20)
            for _ in range(padding_mb):
                sheet.write(block)
            sheet.write(("".join(rows[1:]) + sheet_tail).encode())
    return buffer.getvalue()


def docx_bomb(padding_mb: int) -> bytes:
    """A Word file whose document.xml inflates to `padding_mb` MB of whitespace."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        with archive.open("word/document.xml", "w", force_zip64=True) as doc:
            doc.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>'
                      "<w:p><w:r><w:t>会宁县2023年度东西部协作工作自评报告</w:t></w:r></w:p>".encode())
            block = b" " * (1 << 20)
            for _ in range(padding_mb):
                doc.write(block)
            doc.write(b"</w:body></w:document>")
    return buffer.getvalue()


def example_row(ledger: Ledger) -> dict[str, str]:
    return {c.header: c.example for c in ledger.columns}


def csv_bytes(ledger: Ledger, rows: list[dict[str, str]], *, line_end: str = "\r\n",
              encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(ledger.headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in ledger.headers])
    return out.getvalue().encode(encoding)


def first_column(ledger: Ledger, type_: str) -> str:
    return next(c.header for c in ledger.columns if c.type == type_)


def odd_but_valid_csvs(ledger: Ledger) -> dict[str, bytes]:
    """Files that look odd but are fine: they import (CR-only line ends, GBK, markup-like text)."""
    good = example_row(ledger)
    text = first_column(ledger, "text")
    return {
        "cr-only.csv": csv_bytes(ledger, [good, {**good, text: "第二行"}], line_end="\r"),
        "gbk.csv": csv_bytes(ledger, [{**good, text: "会宁县甘沟驿镇"}], encoding="gbk"),
        "markup.csv": csv_bytes(ledger, [{**good, text: "[/x][bold]<script>alert(1)</script>"}]),
        "tab-newline.csv": csv_bytes(ledger, [{**good, text: "一\t二\n三"}]),
    }


def hostile_csvs(ledger: Ledger) -> dict[str, bytes]:
    """name → CSV bytes, each with one kind of trouble in an otherwise valid ledger file.

    `ledger` must have a text, an int and a money column (fund_projects has all three).
    """
    good = example_row(ledger)
    text, number, money = first_column(ledger, "text"), first_column(ledger, "int"), first_column(ledger, "money")

    def with_(header: str, value: str) -> list[dict[str, str]]:
        return [good, {**good, header: value}]

    return {
        "field-200k.csv": csv_bytes(ledger, with_(text, "长" * 200_000)),
        "control-x01.csv": csv_bytes(ledger, with_(text, "会宁\x01县")),
        "nul.csv": csv_bytes(ledger, with_(text, "会宁\x00县")),
        "1e100-int.csv": csv_bytes(ledger, with_(number, "1e100")),
        "1e100-money.csv": csv_bytes(ledger, with_(money, "1e100")),
        "19-digits-int.csv": csv_bytes(ledger, with_(number, "1234567890123456789")),
        "19-digits-money.csv": csv_bytes(ledger, with_(money, "1234567890123456789")),
        "1e999999999.csv": csv_bytes(ledger, with_(number, "1e999999999")),
        "nan.csv": csv_bytes(ledger, with_(money, "NaN")),
        "snan.csv": csv_bytes(ledger, with_(number, "sNaN")),
        "long-text.csv": csv_bytes(ledger, with_(text, "字" * 5000)),
        "many-columns.csv": ("," * 5000 + "\n").encode(),
        "binary.csv": bytes(range(256)) * 64,
        "markup-in-bad-cell.csv": csv_bytes(ledger, with_(number, "[/x]")),
    }


def hostile_numbers() -> list[str]:
    """Values typed into a numeric cell of the statistics table that no database column holds."""
    return ["1e100", "-1e100", "1234567890123456789", "12345678901234567890.5", "1e999999999", "NaN", "sNaN",
            "Infinity", "-Infinity", str(Decimal(10) ** 13), "9" * 400]
