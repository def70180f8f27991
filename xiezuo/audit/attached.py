"""The statistics table a report carries with it (附件1), read back into values by row code.

Plain Python. Table rows (docx tables, tab-separated lines) are matched to the catalogue in
printed order, so repeated labels (其中：脱贫劳动力数, 帮扶西部村数…) land on the right rows.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from xiezuo.audit.reader import Document
from xiezuo.catalogue.loader import Catalogue

LOOKAHEAD = 12  # rows a printed table may skip or reorder locally


def _key(label: str) -> str:
    label = re.sub(r"\s+", "", label)
    label = label.replace("（", "(").replace("）", ")").replace("：", ":")
    return re.sub(r"^(?:\d+[.．、]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|[①②③④⑤⑥⑦⑧⑨⑩])", "", label)


def attached_table(document: Document, catalogue: Catalogue) -> tuple[dict[str, Decimal | str], dict[str, int]]:
    """Values by row code, and where each was read (offset of its table line)."""
    rows = catalogue.rows
    keys = [_key(r.label) for r in rows]
    values: dict[str, Decimal | str] = {}
    where: dict[str, int] = {}
    pointer = 0
    for block in document.blocks:
        if block.kind != "table" or not block.cells:
            continue
        cells = [c for c in block.cells]
        label = _key(cells[0])
        if not label:
            continue
        for i in range(pointer, min(len(rows), pointer + LOOKAHEAD)):
            if keys[i] == label:
                row = rows[i]
                pointer = i + 1
                raw = next((c for c in reversed(cells[1:]) if c and c != row.unit), "")
                if row.is_numeric and raw:
                    try:
                        values[row.code] = Decimal(raw.replace(",", ""))
                        where[row.code] = block.start
                    except InvalidOperation:
                        pass
                elif row.value_kind == "text" and raw:
                    values[row.code] = raw
                    where[row.code] = block.start
                break
    return values, where
