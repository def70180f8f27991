"""The `xiezuo` command: one typer app, one module per area; commands parse and call services."""

from __future__ import annotations

import os
import sys

import typer

from xiezuo.cli import audit as audit_cli
from xiezuo.cli import catalogue as catalogue_cli
from xiezuo.cli import exchange as exchange_cli
from xiezuo.cli import jobs as jobs_cli
from xiezuo.cli import ledger as ledger_cli
from xiezuo.cli import ops as ops_cli
from xiezuo.cli import progress as progress_cli
from xiezuo.cli import report as report_cli
from xiezuo.cli import rollup as rollup_cli
from xiezuo.cli import setup as setup_cli
from xiezuo.cli import synth as synth_cli
from xiezuo.cli import tables as tables_cli
from xiezuo.cli import values as values_cli
from xiezuo.cli.common import run_guarded

app = typer.Typer(
    name="xiezuo",
    help="东西部协作 台账、统计表、校验、自评报告与审核。运行 `xiezuo 命令 --help` 查看各命令说明。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    """With `XIEZUO_WRITE_GUARD` (the test settings), a command that writes outside an action fails."""
    from django.conf import settings

    if getattr(settings, "XIEZUO_WRITE_GUARD", False):
        from xiezuo.core.actions import writes_only_in_actions

        ctx.with_resource(writes_only_in_actions())


setup_cli.register(app)
tables_cli.register(app)
report_cli.register(app)
ops_cli.register(app)
synth_cli.register(app)
rollup_cli.register(app)
audit_cli.register(app)
app.add_typer(catalogue_cli.app, name="catalogue")
app.add_typer(exchange_cli.app, name="exchange")
ledger_cli.register(app)
progress_cli.register(app)
jobs_cli.register(app)
app.add_typer(values_cli.values_app, name="values")
app.add_typer(values_cli.orgunits_app, name="orgunits")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")
    import django

    django.setup()
    sys.exit(run_guarded(app))
