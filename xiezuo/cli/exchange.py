"""`xiezuo exchange export` and `xiezuo exchange import`: approved tables between instances."""

from __future__ import annotations

from pathlib import Path

import typer

from xiezuo.cli.common import OrgOption, YearOption, console, err_console, fail, resolve_org

app = typer.Typer(help="交换包：把一个地区已审核通过的统计表从一个系统交给另一个系统。", no_args_is_help=True)


@app.command("export")
def export(
    org: str = OrgOption,
    year: int = YearOption,
    out: Path = typer.Option(..., "--out", help="输出的交换包文件（.json）"),
) -> None:
    """导出某地区某年度已审核通过的统计表（含数值来源与版本、报送记录、行政区划与结对关系、模板校验和）。"""
    import json

    from xiezuo.exchange.package import package_bytes

    unit = resolve_org(org)
    body = package_bytes(unit, year)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    counts = json.loads(body)["manifest"]["counts"]
    console.print(f"已写出 {out}：{counts['tables']} 张已审核通过的统计表、{counts['values']} 个数值、"
                  f"{counts['units']} 个行政区划、{counts['pairings']} 个结对关系", highlight=False)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="交换包文件"),
    by: str = typer.Option("", "--by", help="以此管理员账号的名义导入（缺省为系统）"),
) -> None:
    """导入交换包：校验和、格式版本与模板一致才导入，全部写入或全部不写；重复导入不作任何修改。"""
    from django.contrib.auth import get_user_model

    from xiezuo.exchange.services import exchange_import

    user = None
    if by:
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            fail(f"没有用户「{by}」")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(f"导入 {file.name}", total=None)

        def on_progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"导入 {file.name}：{phase}", completed=done, total=total)

        result = exchange_import(path=file, by=user, on_progress=on_progress)
    if not result.changed:
        console.print(f"{file.name}：本系统已有相同数据，未作任何修改", highlight=False)
        return
    console.print(f"已导入 {file.name}：{result.tables_changed} 张统计表、{result.values_written} 个数值，"
                  f"新增 {result.units_created} 个行政区划、{result.pairings_created} 个结对关系", highlight=False)
