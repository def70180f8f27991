"""`xiezuo report`: the self-evaluation report as DOCX (GB/T 9704-2012) and, with --pdf, PDF."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from xiezuo.cli.common import OrgOption, YearOption, console, resolve_org

OutOption = typer.Option(Path("."), "--out", help="输出目录（不存在时自动创建）")
PdfOption = typer.Option(False, "--pdf", help="同时用 LibreOffice 生成 PDF")


def report(
    org: str = OrgOption,
    year: int = YearOption,
    out: Path = OutOption,
    pdf: bool = PdfOption,
) -> None:
    """生成自评报告：报送文件、自评报告正文、附件1 统计表、附件2 典型案例（DOCX，可选 PDF）。"""
    from xiezuo.documents.reports import report_write

    unit = resolve_org(org)
    def warn(message: str) -> None:
        # The console prints no markup by default (unit names and messages are shown as typed).
        console.print(f"[yellow]提醒：[/]{escape(message)}", highlight=False, markup=True)

    for path in report_write(unit, year, out, pdf=pdf, on_warning=warn):
        console.print(f"已写出 {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(report)
