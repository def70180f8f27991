"""`xiezuo catalogue check FILE`: load a template file and report what is wrong with it."""

from __future__ import annotations

from pathlib import Path

import typer

from xiezuo.cli.common import console

app = typer.Typer(help="统计表模板（每年一个数据文件）", no_args_is_help=True)


@app.command("check")
def check(file: Path = typer.Argument(..., help="模板文件（TOML），如 xiezuo/catalogue/data/2023.toml")) -> None:
    """检查模板文件：结构、单位、其中关系、规则表达式，以及同目录的撰写规则（YEAR.drafting.toml）的每个占位符。有错时给出文件、行与原因，退出码 2。"""
    from xiezuo.catalogue.loader import load_catalogue
    from xiezuo.engine.validate import catalogue_check

    catalogue = catalogue_check(load_catalogue(file))
    values = len(catalogue.value_rows)
    declared = sum(1 for r in catalogue.rules if not r.implied)
    implied = len(catalogue.rules) - declared
    console.print(
        f"模板有效：{catalogue.title}，共 {len(catalogue.rows)} 行（其中数值行 {values} 行），"
        f"规则 {declared} 条（另有由表结构推出的规则 {implied} 条）",
        highlight=False,
    )
    drafting = catalogue.drafting
    if drafting is None:
        console.print(f"未找到撰写规则文件 {file.stem}.drafting.toml：自评报告的“一、年度任务完成情况”将为空",
                      highlight=False)
    else:
        paragraphs = sum(len(part.paragraphs) for part in drafting.parts)
        console.print(f"撰写规则有效：{drafting.source}，{len(drafting.parts)} 个部分、{paragraphs} 段，"
                      f"所有占位符均对应本年度的行或台账字段", highlight=False)
