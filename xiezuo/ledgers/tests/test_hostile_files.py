"""Crafted ledger files: each gets a Chinese message and stores nothing, or imports when it is fine.

The files come from tests/crafted.py (bench/hostile_inputs.py measures memory and time on the
same files at full size).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test.utils import override_settings

from tests.crafted import hostile_csvs, odd_but_valid_csvs, xlsx
from xiezuo.cli import app
from xiezuo.cli.common import run_guarded
from xiezuo.core.errors import ErrorReport, XiezuoError
from xiezuo.ledgers.schema import ledger_of
from xiezuo.ledgers.services import ledger_import, model_of

KIND = "fund_projects"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ErrorReport) else exc.full_message  # type: ignore[attr-defined]


def _refused(path: Path, org, name: str | None = None) -> str:  # type: ignore[no-untyped-def]
    model = model_of(ledger_of(KIND))
    before = model.objects.count()
    with pytest.raises((ErrorReport, XiezuoError)) as info:
        ledger_import(kind=KIND, path=path, org=org, year=2023, name=name)
    assert model.objects.count() == before, "nothing may be stored"
    message = _message(info.value)
    assert CJK.search(message), message
    assert len(message) < 3000, "a message quotes a bad value, never the whole of it"
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(hostile_csvs(ledger_of(KIND))))
def test_every_crafted_csv_is_refused_with_a_chinese_message(name, huining, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(hostile_csvs(ledger_of(KIND))[name])
    message = _refused(path, huining)
    assert name in message  # the file is named


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(odd_but_valid_csvs(ledger_of(KIND))))
def test_odd_but_valid_files_import(name, huining, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(odd_but_valid_csvs(ledger_of(KIND))[name])
    result = ledger_import(kind=KIND, path=path, org=huining, year=2023)
    assert result.rows >= 1
    names = set(model_of(ledger_of(KIND)).objects.values_list("name", flat=True))
    assert names  # stored, and read back as text


@pytest.mark.django_db
@pytest.mark.parametrize(("cell", "words"), [("XFD1048576", "超过上限"), ("ALL100000", "超过上限")])
def test_a_cell_far_out_is_refused_before_reading(cell, words, huining, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"far-{cell}.xlsx"
    path.write_bytes(xlsx(ledger_of(KIND), extra_cell=cell))
    assert path.stat().st_size < 4096
    message = _refused(path, huining)
    assert words in message and f"far-{cell}.xlsx" in message


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_by_its_ratio(huining, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(xlsx(ledger_of(KIND), padding_mb=40))
    assert path.stat().st_size < 200_000
    assert "压缩" in _refused(path, huining)


@pytest.mark.django_db
def test_bounds_come_from_settings(huining, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wide.xlsx"
    path.write_bytes(xlsx(ledger_of(KIND), extra_cell="Z2"))
    with override_settings(XIEZUO_FILE_LIMITS={"columns": 20}):
        assert "超过上限 20 列" in _refused(path, huining)


@pytest.mark.django_db
def test_the_cli_prints_markup_in_user_data_as_it_is(huining, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "markup.csv"
    path.write_bytes(hostile_csvs(ledger_of(KIND))["markup-in-bad-cell.csv"])
    code = run_guarded(app, ["ledger", "import", KIND, str(path), "--org", "620422", "--year", "2023"])
    err = capsys.readouterr().err
    assert code == 2 and "[/x]" in err and "应填整数" in err
