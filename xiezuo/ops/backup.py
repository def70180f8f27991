"""`xiezuo backup` / `xiezuo restore`: a consistent dump of everything the system holds.

Two formats:
- portable (default): Django's JSON serialization of every table (gzip), written inside one
  read-only snapshot transaction, so a backup taken while people work is consistent. It restores
  into any supported database (SQLite → PostgreSQL too). Fine up to a province or so.
- native (PostgreSQL only): `pg_dump --format=custom`, itself a consistent snapshot; for the
  national database, where loading millions of ledger rows object by object would take too long.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections, transaction

from xiezuo.core.errors import XiezuoError

# Rebuilt by `migrate` (content types, permissions) or worthless after a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
NATIVE_SUFFIX = ".pgdump"


class BackupError(XiezuoError):
    code = "backup_error"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    format: str
    bytes: int


def _is_native(path: Path) -> bool:
    return path.name.endswith(NATIVE_SUFFIX)


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def backup_write(*, out: Path) -> BackupResult:
    """Write a consistent backup to `out` (`*.json.gz` portable; `*.pgdump` native PostgreSQL)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    connection = connections["default"]
    if _is_native(out):
        if connection.vendor != "postgresql":
            raise BackupError(f"「{out.name}」是 PostgreSQL 原生备份格式，当前数据库是 {connection.vendor}；请改用 .json.gz")
        tool = shutil.which("pg_dump")
        if tool is None:
            raise BackupError("找不到 pg_dump，请安装 postgresql-client")
        env, args = _pg_env_args()
        subprocess.run([tool, "--format=custom", "--no-owner", "-f", str(out), *args,
                        str(settings.DATABASES["default"]["NAME"])], env=env, check=True)
        return BackupResult(path=out, format="native", bytes=out.stat().st_size)
    if not out.name.endswith((".json", ".json.gz")):
        raise BackupError(f"备份文件名应以 .json.gz、.json 或 {NATIVE_SUFFIX} 结尾：{out.name}")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One snapshot for every table: rows written meanwhile are either all in or all out.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(out), verbosity=0)
    return BackupResult(path=out, format="portable", bytes=out.stat().st_size)


def database_has_data() -> bool:
    from xiezuo.orgunits.models import OrgUnit

    return OrgUnit.objects.exists() or get_user_model().objects.exists()


def _flush() -> None:
    call_command("flush", interactive=False, verbosity=0)


def backup_restore(*, path: Path, force: bool = False) -> dict[str, int]:
    """Restore a backup into this database; refuses a database that already has data unless `force`.

    Returns the number of rows per model after the restore.
    """
    if not path.exists():
        raise BackupError(f"备份文件不存在：{path}")
    call_command("migrate", verbosity=0, interactive=False)
    if database_has_data():
        if not force:
            raise BackupError("目标数据库中已有数据；恢复会覆盖全部数据，确认请加 --force")
        _flush()
    if _is_native(path):
        if connections["default"].vendor != "postgresql":
            raise BackupError(f"「{path.name}」是 PostgreSQL 原生备份，只能恢复到 PostgreSQL")
        tool = shutil.which("pg_restore")
        if tool is None:
            raise BackupError("找不到 pg_restore，请安装 postgresql-client")
        env, args = _pg_env_args()
        connections["default"].close()
        subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
                        "-d", str(settings.DATABASES["default"]["NAME"]), str(path)], env=env, check=True)
    else:
        with transaction.atomic():
            call_command("loaddata", str(path), verbosity=0)
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("xiezuo.") or model._meta.label == "auth.User"
    }
