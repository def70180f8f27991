"""An area's assessment as a workbook: the ranking (名次 | 单位 | 考核类别 | 得分 | 等次 | 失分) and every point
lost, one line each, as the assessment page shows them."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from xiezuo.assessment.selectors import Assessment
from xiezuo.tables.exports import text_cell

BOLD = Font(bold=True)


class _Sheet:
    """Rows appended one after the other; text always as text (openpyxl would take "=…" for a formula)."""

    def __init__(self, ws: Any) -> None:
        self.ws, self.row = ws, 0

    def append(self, values: Sequence[object], *, bold: bool = False) -> None:
        self.row += 1
        for c, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=c)
            if isinstance(value, str):
                text_cell(cell, value)
            else:
                cell.value = value
            if bold:
                cell.font = BOLD


def assessment_xlsx(result: Assessment, out: Path | io.BytesIO, *, area_name: str, year: int,
                    on_progress: Callable[[int, int], None] | None = None) -> None:
    """Two sheets, 考核排名 and 扣分明细; `on_progress(done, total)` every hundred counties."""
    wb = Workbook()
    wb.active.title = "考核排名"
    ranking, details = _Sheet(wb.active), _Sheet(wb.create_sheet("扣分明细"))
    scheme = result.scheme
    ranking.append([f"{area_name}{year}年度考核评价（{scheme.name}{'' if scheme.official else '，示例方案，非官方'}）"],
                   bold=True)
    ranking.append(["名次", "区划代码", "单位", "考核类别", "得分", "等次", "得分/可计分", "失分", "扣分项数"], bold=True)
    details.append(["区划代码", "单位", "指标代码", "指标", "考核要求", "目标", "实际", "扣分", "原因"], bold=True)
    total = len(result.ranking)
    for n, (rank, score) in enumerate(result.ranking, start=1):
        lost = sum((p.points for p in score.lost), Decimal(0))
        ranking.append([rank, score.org_code, score.org_name, result.class_of(score.org_code), score.score,
                          score.grade, f"{score.earned}/{score.possible}", lost, len(score.lost)])
        for p in score.lost:
            details.append([score.org_code, score.org_name, p.row, p.label, p.test, p.target or "",
                              p.actual or "未填报", p.points, p.reason])
        if on_progress is not None and (n % 100 == 0 or n == total):
            on_progress(n, total)
    ranking.ws.freeze_panes, details.ws.freeze_panes = "A3", "A2"
    for letter, width in zip("ABCDEFGHI", (6, 10, 18, 16, 8, 6, 12, 8, 8), strict=True):
        ranking.ws.column_dimensions[letter].width = width
    for letter, width in zip("ABCDEFGHI", (10, 18, 18, 40, 24, 12, 12, 8, 40), strict=True):
        details.ws.column_dimensions[letter].width = width
    wb.save(out)
