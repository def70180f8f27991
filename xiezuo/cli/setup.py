"""`xiezuo init` and `xiezuo serve`."""

from __future__ import annotations

import typer
from rich.markup import escape

from xiezuo.cli.common import console


def _print_logins() -> None:
    from xiezuo.accounts.services import DEMO_ACCOUNTS, demo_password

    console.print(f"\n[bold]演示账号[/]（密码均为 [bold green]{escape(demo_password())}[/]，"
                  "可用环境变量 XIEZUO_DEMO_PASSWORD 修改）：", highlight=False, markup=True)
    for a in DEMO_ACCOUNTS:
        console.print(f"  {a.username:<16} {a.description}", highlight=False)


def init(demo: bool = typer.Option(False, "--demo", help="同时载入会宁县 2023 年演示数据和演示账号")) -> None:
    """创建或升级数据库；加 --demo 载入会宁县 2023 年演示数据（附件1 原值）和演示账号。"""
    from django.conf import settings
    from django.core.management import call_command

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    console.print(f"数据库已就绪：{settings.DATABASES['default']['NAME']}", highlight=False)
    if demo:
        from xiezuo.demo.services import demo_load

        result = demo_load()
        console.print(f"已载入演示数据：{result['values']} 个统计表数值，{result['accounts']} 个演示账号", highlight=False)
        _print_logins()


def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    port: int = typer.Option(8000, help="端口"),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="同时启动一个后台进程执行后台任务（默认启动）"),
) -> None:
    """在本机启动网页服务（开发服务器），默认 http://127.0.0.1:8000/ ；同时启动后台进程（xiezuo worker）。"""
    import subprocess
    import sys

    from django.core.management import call_command

    _print_logins()
    child = None
    if worker:
        # The worker is the same program in another process; it stops with the server.
        child = subprocess.Popen([sys.executable, "-m", "xiezuo", "worker"])
        console.print(f"后台进程已启动（进程号 {child.pid}）", highlight=False)
    console.print(f"\n打开 http://{host}:{port}/ （Ctrl+C 停止）\n", highlight=False)
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False)
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
