"""Running the real `xiezuo` command in-process (same test database), capturing its output."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    from xiezuo.cli import app
    from xiezuo.cli.common import run_guarded

    capsys.readouterr()
    code = run_guarded(app, list(args))
    captured = capsys.readouterr()
    return Result(code=code, out=captured.out, err=captured.err)
