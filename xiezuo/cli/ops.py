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
    sealed = "，已加密" if result.encrypted else ""
    console.print(f"已备份到 {result.path}（{kind}{sealed}，{result.bytes / 1024 / 1024:.1f} MB，仅所有者可读）",
                  highlight=False)
    console.print("备份含个人信息（姓名、完整身份证号），请妥善保管。", highlight=False)


def backup_key() -> None:
    """生成一个备份加密密钥：设为环境变量 XIEZUO_BACKUP_KEY 后，通用格式备份即加密保存。"""
    from xiezuo.ops.backup import backup_key_new

    console.print(backup_key_new(), highlight=False)


def restore(
    path: Path = typer.Argument(..., help="xiezuo backup 写出的备份文件"),
    force: bool = typer.Option(False, "--force", help="目标数据库已有数据时，清空后再恢复"),
    check: bool = typer.Option(False, "--check", help="只检查备份文件是否完整可用，不改动数据库"),
) -> None:
    """从备份文件恢复到当前数据库（XIEZUO_DATABASE_URL）；默认只恢复到空数据库。

    先完整检查备份文件（格式、版本、校验值、每条记录的数据表），再在一个事务中替换全部数据：
    文件有问题时数据库保持原样。
    """
    from xiezuo.ops.backup import backup_check, backup_restore

    if check:
        checked = backup_check(path=path)
        console.print(f"{path} 完整可用：{sum(checked.counts.values()):,} 条记录，{len(checked.counts)} 个数据表",
                      highlight=False)
        return
    counts = backup_restore(path=path, force=force)
    console.print(f"已从 {path} 恢复：", highlight=False)
    for label, n in counts.items():
        if n:
            console.print(f"  {label:<28} {n:>10,}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command("backup-key")(backup_key)
    app.command()(restore)
