"""What every command shares: resolving org units and years, printing errors in Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from xiezuo.core.errors import ErrorReport, XiezuoError

if TYPE_CHECKING:
    from xiezuo.orgunits.models import OrgUnit

# Markup off: values users typed ("[/x]", "[bold]") are printed as they are. The few styled
# lines ask for markup=True and escape every value they interpolate.
console = Console(soft_wrap=True, markup=False)
err_console = Console(stderr=True, soft_wrap=True, markup=False)


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]错误：[/]{escape(message)}", highlight=False, markup=True)
    raise typer.Exit(code)


def run_guarded(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the app; user errors print a Chinese message and exit 2, never a traceback."""
    try:
        app(args=args, prog_name="xiezuo")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ErrorReport as report:
        err_console.print(f"[bold red]错误：[/]{escape(report.file or '输入')}有 {len(report.errors)} 处错误，"
                          "未写入任何数据：", highlight=False, markup=True)
        for e in report.errors:
            err_console.print(f"  - {e.full_message}", highlight=False)
        return 2
    except XiezuoError as exc:
        err_console.print(f"[bold red]错误：[/]{escape(exc.full_message)}", highlight=False, markup=True)
        return 2
    return 0


def resolve_org(code_or_name: str) -> OrgUnit:
    from xiezuo.orgunits.selectors import orgunit_resolve

    return orgunit_resolve(code_or_name)


OrgOption = typer.Option(..., "--org", help="行政区划代码或名称，如 620422 或 会宁县")
YearOption = typer.Option(..., "--year", help="年度，如 2023")
