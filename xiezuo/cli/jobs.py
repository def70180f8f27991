"""`xiezuo worker` runs jobs; `xiezuo job …` lists them, follows one with a progress bar, runs the queue here."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiezuo.cli.common import console, fail

app = typer.Typer(help="后台任务：查看、跟踪进度、在本进程中执行排队的任务。", no_args_is_help=True)


def worker(
    batch: bool = typer.Option(False, "--batch", help="执行完排队的任务后退出"),
    max_tasks: int = typer.Option(0, "--max-tasks", min=0, help="执行这么多个任务后退出（0 为不限）"),
) -> None:
    """启动一个后台进程，执行排队的任务（生成 PDF、批量报告、大型台账和交换包导入、逐级汇总表、重复统计检查）；Ctrl+C 停止。"""
    from xiezuo.jobs.worker import run_worker

    console.print("后台进程已启动，等待任务（Ctrl+C 停止）", highlight=False)
    run_worker(batch=batch, max_tasks=max_tasks or None)


@app.command("list")
def job_list(limit: int = typer.Option(20, "--limit", min=1, help="显示最近多少个任务")) -> None:
    """最近的后台任务。"""
    from xiezuo.jobs.models import Job

    table = Table("编号", "任务", "状态", "进度", "提交时间")
    for job in Job.objects.all()[:limit]:
        table.add_row(str(job.pk), job.label, job.get_status_display(), f"{job.percent}%",
                      f"{job.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


@app.command("show")
def job_show(
    job_id: int = typer.Argument(..., help="任务编号"),
    wait: bool = typer.Option(False, "--wait", help="显示进度条，直到任务结束"),
) -> None:
    """一个任务的状态；--wait 跟踪进度直到结束（失败时退出码为 1）。"""
    from xiezuo.jobs.models import Job

    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        fail(f"没有编号为 {job_id} 的后台任务")
    if wait and not job.finished:
        with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task(job.label, total=100)
            while not job.finished:
                bar.update(task, completed=job.percent, description=f"{job.label}：{job.phase}")
                time.sleep(0.5)
                job.refresh_from_db()
            bar.update(task, completed=100 if job.status == Job.Status.DONE else job.percent)
    console.print(f"#{job.pk} {job.label}：{job.get_status_display()}", highlight=False)
    if job.error:
        console.print(job.error, highlight=False)
    if job.result_file:
        from django.core.files.storage import storages

        console.print(f"结果：{storages['jobs'].path(job.result_file)}", highlight=False)
    if job.status == Job.Status.FAILED:
        raise typer.Exit(1)


@app.command("run")
def job_run() -> None:
    """在本进程中执行所有排队的任务，然后退出（无需单独的后台进程）。"""
    from xiezuo.jobs.worker import run_queued_here

    console.print(f"执行了 {run_queued_here()} 个任务", highlight=False)


def register(root: typer.Typer) -> None:
    root.command()(worker)
    root.add_typer(app, name="job")
