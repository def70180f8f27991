"""`xiezuo synth`: a synthetic nation for benchmarks, load tests and demos at scale."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiezuo.cli.common import console


class _Bar:
    """A rich progress bar per stage, fed by the generator's reporter callbacks."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)


def synth(
    provinces: int = typer.Option(10, "--provinces", help="西部省份数（1–10）"),
    cities_per_province: int = typer.Option(10, "--cities-per-province", help="每省地市数"),
    counties_per_city: int = typer.Option(10, "--counties-per-city", help="每市县数"),
    labour_per_county: int = typer.Option(3000, "--labour-per-county", help="每县农村劳动力就业台账条数"),
    sales_per_county: int = typer.Option(500, "--sales-per-county", help="每县消费帮扶销售台账条数"),
    seed: int = typer.Option(1, "--seed", help="随机种子：相同种子生成相同数据"),
    year: int = typer.Option(2023, "--year", help="年度（同时生成上一年度的统计表）"),
    force: bool = typer.Option(False, "--force", help="数据库中已有真实数据时仍然写入"),
) -> None:
    """生成全国规模的合成数据（区划代码 72–79、90–99 开头，名称带「合成」），替换以前的合成数据。"""
    from xiezuo.synth.plan import Sizes
    from xiezuo.synth.services import synth_generate

    sizes = Sizes(provinces=provinces, cities_per_province=cities_per_province,
                  counties_per_city=counties_per_city, labour_per_county=labour_per_county,
                  sales_per_county=sales_per_county, year=year)
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        summary = synth_generate(sizes=sizes, seed=seed, force=force, reporter=_Bar(progress))
    table = Table(title=f"已生成合成数据（种子 {seed}）")
    table.add_column("内容")
    table.add_column("条数", justify="right")
    table.add_column("用时（秒）", justify="right")
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}", f"{summary.seconds[name]:.1f}")
    console.print(table)
    if summary.replaced:
        console.print(f"已先删除以前生成的 {summary.replaced:,} 个合成区划及其数据", highlight=False)
    console.print(f"合成账号：synth-admin、synth-<县代码>-clerk、synth-<市代码>-reviewer 等，密码均为 "
                  f"[bold green]{escape(summary.password)}[/]", highlight=False, markup=True)


def register(app: typer.Typer) -> None:
    app.command()(synth)
