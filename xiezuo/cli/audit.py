"""`xiezuo audit`: check a self-evaluation report against itself and against the table."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from xiezuo.cli.common import console, fail, resolve_org


class AuditFormat(StrEnum):
    json = "json"
    text = "text"


def audit(
    file: Path = typer.Argument(..., help="自评报告文件：txt、docx 或 pdf"),
    org: str | None = typer.Option(None, "--org", help="行政区划代码或名称：与该单位的统计表核对"),
    year: int | None = typer.Option(None, "--year", help="年度（缺省取报告标题中的年度）"),
    table: Path | None = typer.Option(None, "--table", help="统计表 JSON（`xiezuo table --format json` 的输出）"),
    format: AuditFormat = typer.Option(AuditFormat.text, "--format", help="text 或 json"),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="只显示置信度不低于此值的问题（0–1）"),
    show_facts: bool = typer.Option(False, "--facts", help="列出读到的全部数字，而不是问题"),
) -> None:
    """核查自评报告：正文与统计表、正文前后、分项与合计、个数与列举、名称写法、增减表述。"""
    from xiezuo.audit.audit import audit_document, facts, table_from_json
    from xiezuo.audit.mapping import AuditContext
    from xiezuo.audit.reader import read_report
    from xiezuo.catalogue.registry import get_catalogue

    if org and table:
        fail("--org 与 --table 只能选一个")
    document = read_report(file)
    values = None
    context = None
    if org:
        from xiezuo.audit.selectors import audit_context_for, audit_table_for

        unit = resolve_org(org)
        if year is None:
            from xiezuo.audit.extract import _guess_year

            year = _guess_year(document)
            if year is None:
                fail("报告中找不到年度，请用 --year 指定")
        values = audit_table_for(unit, year)
        context = audit_context_for(unit, year)
        if not any(v is not None for v in values.values()):
            fail(f"{unit.name} {year} 年统计表没有数据，无法与正文核对")
    elif table:
        try:
            text = table.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"无法读取统计表文件 {table}：{exc.strerror}")
        values = table_from_json(text, source=table.name)
        context = AuditContext(year=year)
    elif year:
        context = AuditContext(year=year)
    from xiezuo.audit.extract import _guess_year

    cat_year = year or _guess_year(document)
    catalogue = get_catalogue(cat_year) if cat_year else None
    result = audit_document(document, catalogue=catalogue, table=values, context=context, use_attached=True)

    if show_facts:
        sys.stdout.write(json.dumps(facts(result.extraction), ensure_ascii=False, indent=2) + "\n")
        return
    findings = result.visible(min_confidence)
    if format is AuditFormat.json:
        sys.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2) + "\n")
        return
    from xiezuo.audit.checks import CHECK_LABELS, SEVERITY_LABELS

    if result.table_source == "attached":
        console.print(f"未指定 --org 或 --table：与报告所附统计表核对（读到 {result.table_rows} 项）", highlight=False,
                      soft_wrap=True)
    elif not result.table_source:
        console.print("未与统计表核对（未指定 --org 或 --table，报告也未附统计表）", highlight=False, soft_wrap=True)
    if not findings:
        console.print(f"{file.name}：未发现问题（读到 {len(result.extraction.figures)} 个数字）", highlight=False, soft_wrap=True)
        return
    for n, f in enumerate(findings, start=1):
        style = {"error": "red", "warning": "yellow"}.get(f.severity, "cyan")
        console.print(f"[{style}]{n}.【{SEVERITY_LABELS[f.severity]}·{CHECK_LABELS[f.check]}】[/]"
                      f"置信度 {f.confidence:.2f}" + (f"  指标「{escape(f.row_label or f.row)}」" if f.row else ""),
                      highlight=False, soft_wrap=True, markup=True)
        console.print(f"   {f.message}", highlight=False, soft_wrap=True)
        for q in f.quotes:
            loc = q.get("location") or {}
            where = (f"第{loc.get('line')}行 {loc.get('heading') or ''}" if isinstance(loc, dict) and "line" in loc
                     else "统计表")
            console.print(f"   · {q['text']}  〔{where.strip()}〕", highlight=False, soft_wrap=True)
    console.print(f"\n共 {len(findings)} 个问题", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
