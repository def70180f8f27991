"""`xiezuo backup` and `xiezuo restore`."""

from __future__ import annotations

from pathlib import Path

import typer

from xiezuo.cli.common import console


def backup(
    out: Path = typer.Option(..., "--out", help="备份文件：*.json.gz（通用格式）或 *.pgdump（PostgreSQL 原生格式）"),
) -> None:
    """把整个数据库备份到一个文件（一致的快照，备份期间可照常使用）。"""
    from xiezuo.ops.backup import backup_write

    result = backup_write(out=out)
    kind = "通用格式" if result.format == "portable" else "PostgreSQL 原生格式"
    console.print(f"已备份到 {result.path}（{kind}，{result.bytes / 1024 / 1024:.1f} MB）", highlight=False)


def restore(
    path: Path = typer.Argument(..., help="xiezuo backup 写出的备份文件"),
    force: bool = typer.Option(False, "--force", help="目标数据库已有数据时，清空后再恢复"),
) -> None:
    """从备份文件恢复到当前数据库（XIEZUO_DATABASE_URL）；默认只恢复到空数据库。"""
    from xiezuo.ops.backup import backup_restore

    counts = backup_restore(path=path, force=force)
    console.print(f"已从 {path} 恢复：", highlight=False)
    for label, n in counts.items():
        if n:
            console.print(f"  {label:<28} {n:>10,}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
