"""A restore that cannot empty the database, backups that are private and do not block writers."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections

from xiezuo.ops.backup import KEY_ENV, BackupError, backup_check, backup_key_new, backup_restore, backup_write
from xiezuo.ops.tests.test_ops import all_tables_json

ROOT = Path(__file__).resolve().parents[3]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label not in ("contenttypes", "sessions")}


def state() -> tuple[dict[str, int], dict[str, str]]:
    return row_counts(), all_tables_json()


def _rewrite(path: Path, out: Path, change) -> None:  # type: ignore[no-untyped-def]
    """A copy of a portable backup whose payload `change` edits, with a matching header."""
    head, _, payload = gzip.decompress(path.read_bytes()).partition(b"\n")
    header = json.loads(head)
    payload = change(payload)
    header["payload_bytes"] = len(payload)
    header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    out.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + payload))


@pytest.mark.django_db(transaction=True)
def test_a_truncated_backup_changes_nothing_at_any_of_ten_points(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.json.gz"
    backup_write(out=good)
    data = good.read_bytes()
    # Edit the database after the backup, so that a restore that did anything would show.
    from xiezuo.tables.models import DataValue

    DataValue.objects.filter(code="labour_east").update(number=999)
    before = state()
    points = sorted({0, 1, 10, 100, len(data) // 10, len(data) // 4, len(data) // 2,
                     3 * len(data) // 4, len(data) - 100, len(data) - 1})
    assert len(points) == 10
    for n in points:
        cut = tmp_path / f"cut-{n}.json.gz"
        cut.write_bytes(data[:n])
        with pytest.raises(BackupError) as info:
            backup_restore(path=cut, force=True)
        assert "未改动" in info.value.message or "不是 xiezuo 备份" in info.value.message, n
        assert state() == before, n
    assert backup_check(path=good).counts["tables.datavalue"] > 0  # the whole file is fine


@pytest.mark.django_db(transaction=True)
def test_a_file_that_fails_while_loading_rolls_back_whole(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.json.gz"
    backup_write(out=good)
    bad = tmp_path / "bad.json.gz"

    def unloadable(payload: bytes) -> bytes:
        # Well-formed JSON of a known model, but a year no database column takes: loading fails
        # after the old rows were already deleted inside the transaction.
        objects = json.loads(payload)
        value = next(o for o in objects if o["model"] == "tables.datavalue")
        objects.insert(0, {**value, "pk": 10**9, "fields": {**value["fields"], "year": "二〇二三年"}})
        return json.dumps(objects).encode()

    _rewrite(good, bad, unloadable)
    backup_check(path=bad)  # well-formed: only loading it can fail
    before = state()
    with pytest.raises(Exception):  # noqa: B017 - loaddata's own error; what matters is what is left
        backup_restore(path=bad, force=True)
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_unknown_models_other_versions_and_garbage_are_refused_before_anything(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.json.gz"
    backup_write(out=good)
    before = state()
    alien = tmp_path / "alien.json.gz"
    _rewrite(good, alien, lambda p: p.replace(b'"model": "tables.datavalue"', b'"model": "crm.customer"', 1))
    newer = tmp_path / "newer.json.gz"
    head, _, payload = gzip.decompress(good.read_bytes()).partition(b"\n")
    header = json.loads(head)
    header["migrations"]["tables"].append("0999_from_the_future")
    newer.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + payload))
    other_version = tmp_path / "v9.json.gz"
    other_version.write_bytes(gzip.compress(json.dumps({**header, "version": 9}).encode() + b"\n" + payload))
    flipped = tmp_path / "flipped.json.gz"
    flipped.write_bytes(gzip.compress(head + b"\n" + payload.replace(b"620422", b"620423", 1)))
    garbage = tmp_path / "garbage.json.gz"
    garbage.write_bytes(b"PK\x03\x04 not a backup")
    for path, words in ((alien, "crm.customer"), (newer, "更新的版本"), (other_version, "格式版本为 9"),
                        (flipped, "SHA-256"), (garbage, "不是 xiezuo 备份")):
        with pytest.raises(BackupError, match=words):
            backup_restore(path=path, force=True)
        assert state() == before, path.name


@pytest.mark.django_db(transaction=True)
def test_backups_are_private_and_can_be_encrypted(demo, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "plain.json.gz"
    backup_write(out=plain)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    monkeypatch.setenv(KEY_ENV, backup_key_new())
    sealed = tmp_path / "sealed.json.gz"
    result = backup_write(out=sealed)
    assert result.encrypted and stat.S_IMODE(sealed.stat().st_mode) == 0o600
    raw = sealed.read_bytes()
    assert b"620422" not in raw and b"huining-clerk" not in raw and raw[:2] != b"\x1f\x8b"
    assert backup_check(path=sealed).counts == backup_check(path=plain).counts
    monkeypatch.setenv(KEY_ENV, backup_key_new())  # another key
    with pytest.raises(BackupError, match="无法解密"):
        backup_check(path=sealed)
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(BackupError, match=KEY_ENV):
        backup_check(path=sealed)


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_runs_while_another_connection_holds_the_write_lock(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The backup reads a snapshot; an edit in flight neither blocks it nor gets into it."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("the online backup API is SQLite's")
    db = tmp_path / "live.sqlite3"
    connections["default"].ensure_connection()
    copy = sqlite3.connect(db)
    connections["default"].connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE tables_datavalue SET number = 424242 WHERE code = 'labour_east'")
    out = tmp_path / "during.json.gz"
    env = {**os.environ, "XIEZUO_DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "xiezuo.settings.base"}
    try:
        done = subprocess.run([sys.executable, "-m", "xiezuo", "backup", "--out", str(out)], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    checked = backup_check(path=out)
    assert checked.counts["tables.datavalue"] > 0
    assert b"424242" not in checked.payload
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.django_db(transaction=True)
def test_a_truncated_native_backup_changes_nothing(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    if connections["default"].vendor != "postgresql" or not shutil.which("pg_restore"):
        pytest.skip("pg_dump's format needs PostgreSQL and its client tools")
    good = tmp_path / "good.pgdump"
    backup_write(out=good)
    assert stat.S_IMODE(good.stat().st_mode) == 0o600
    data = good.read_bytes()
    before = state()
    for n in (0, 100, len(data) // 2, len(data) - 10):
        cut = tmp_path / f"cut-{n}.pgdump"
        cut.write_bytes(data[:n])
        with pytest.raises(BackupError, match="未改动"):
            backup_restore(path=cut, force=True)
        connections["default"].close()
        assert state() == before, n
