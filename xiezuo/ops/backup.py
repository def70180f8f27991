"""`xiezuo backup` / `xiezuo restore`: a consistent dump of everything the system holds.

Two formats:
- portable (default, `*.json.gz`): a header line (format, version, migrations, SHA-256 and size
  of the payload) followed by Django's JSON serialization of every table, gzip-compressed. It is
  read from one snapshot: on PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a
  copy taken with SQLite's online backup API (a read in WAL mode, so writers carry on), from
  which the dump is then read at leisure. It restores into any supported database (SQLite →
  PostgreSQL too). Fine up to a province or so.
- native (PostgreSQL only, `*.pgdump`): `pg_dump --format=custom`, itself a consistent snapshot;
  for the national database, where loading millions of ledger rows object by object is too slow.

A backup holds personal data (names, full ID numbers of labourers): files are created with mode
0600, and with XIEZUO_BACKUP_KEY set (a Fernet key, `xiezuo backup-key` prints a new one) a
portable backup is encrypted (AES-128-CBC with HMAC-SHA256).

Evidence files (佐证材料) travel in the portable backup: after the payload come the bytes of every
file the snapshot's `EvidenceFile` rows name, read through the evidence storage, listed in the
header (`files`: name, size, SHA-256 each); a restore checks each against the list and writes it
back through the same storage under its own name. A native backup holds the database only: back
up the evidence storage beside it (docs/deploy.md).

A restore checks the whole file before it touches the database (it opens and decompresses,
the header's format, version, size and checksum hold, every record names a known model and
the migrations it was made with exist here), then replaces the data in one transaction: a bad
or truncated file changes nothing and says why.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend
from django.utils import timezone

from xiezuo.core.errors import XiezuoError
from xiezuo.ops.routers import SNAPSHOT_PREFIX

# Rebuilt by `migrate` (content types, permissions) or worthless after a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "accounts.session"]
NATIVE_SUFFIX = ".pgdump"
FORMAT = "xiezuo-backup"
VERSION = 1
ENCRYPTED_MAGIC = b"XZENC1\n"
KEY_ENV = "XIEZUO_BACKUP_KEY"
SNAPSHOT_ALIAS = SNAPSHOT_PREFIX + "backup"


class BackupError(XiezuoError):
    code = "backup_error"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    format: str
    bytes: int
    encrypted: bool = False


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


def _private_file(path: Path) -> int:
    """A new file only its owner can read (backups hold ID numbers); returns the descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def _fernet() -> Any | None:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        return None
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise BackupError(f"环境变量 {KEY_ENV} 不是有效的密钥（应为 xiezuo backup-key 生成的 44 个字符）") from exc


def backup_key_new() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _migrations_applied() -> dict[str, list[str]]:
    loader = MigrationLoader(connections["default"], ignore_no_migrations=True)
    out: dict[str, list[str]] = {}
    for app_label, name in sorted(loader.applied_migrations or {}):
        out.setdefault(app_label, []).append(name)
    return out


@contextmanager
def _snapshot_alias(folder: Path) -> Iterator[str]:
    """A database alias that reads one consistent state of the data without blocking writers."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield "default"
        return
    if connection.vendor != "sqlite":
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    fd, name = tempfile.mkstemp(prefix=".snapshot-", suffix=".sqlite3", dir=folder)
    os.close(fd)
    try:
        connection.ensure_connection()
        copy = sqlite3.connect(name)
        try:
            # One step (pages=-1): a single read of the source; in WAL mode writers carry on.
            connection.connection.backup(copy)
        finally:
            copy.close()
        # A connection of this thread only, not a configured database: nothing else can use it.
        backend = load_backend(connection.settings_dict["ENGINE"])
        snapshot = backend.DatabaseWrapper({**connection.settings_dict, "NAME": name, "OPTIONS": {}},
                                           SNAPSHOT_ALIAS)
        connections[SNAPSHOT_ALIAS] = snapshot
        try:
            yield SNAPSHOT_ALIAS
        finally:
            snapshot.close()
            del connections[SNAPSHOT_ALIAS]
    finally:
        Path(name).unlink(missing_ok=True)


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
        fd = _private_file(out)
        try:
            subprocess.run([tool, "--format=custom", "--no-owner", *args,
                            str(settings.DATABASES["default"]["NAME"])], env=env, check=True, stdout=fd)
        finally:
            os.close(fd)
        return BackupResult(path=out, format="native", bytes=out.stat().st_size)
    if not out.name.endswith((".json", ".json.gz")):
        raise BackupError(f"备份文件名应以 .json.gz、.json 或 {NATIVE_SUFFIX} 结尾：{out.name}")
    fernet = _fernet()
    with tempfile.TemporaryDirectory(prefix=".xiezuo-backup-", dir=out.parent) as tmp:
        os.chmod(tmp, 0o700)
        payload = Path(tmp) / "payload.json"
        files_blob = Path(tmp) / "files.bin"
        with _snapshot_alias(Path(tmp)) as alias:
            migrations = _migrations_applied()
            call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(payload),
                         verbosity=0, database=alias)
            files = _evidence_files(alias, files_blob)
        digest = hashlib.sha256()
        with payload.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        header = {"format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(),
                  "database": connection.vendor, "migrations": migrations,
                  "payload_bytes": payload.stat().st_size, "payload_sha256": digest.hexdigest(),
                  "files": files, "files_bytes": files_blob.stat().st_size}
        staged = Path(tmp) / "backup"
        with os.fdopen(_private_file(staged), "wb") as raw:
            if fernet is None and not out.name.endswith(".gz"):
                _write_body(raw, header, payload, files_blob)
            elif fernet is None:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                    _write_body(gz, header, payload, files_blob)
            else:
                # Fernet seals one message: the compressed backup is built in memory first.
                import io

                buffer = io.BytesIO()
                with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
                    _write_body(gz, header, payload, files_blob)
                raw.write(ENCRYPTED_MAGIC)
                raw.write(fernet.encrypt(buffer.getvalue()))
        os.replace(staged, out)  # a finished backup or none: never half a file under its name
    return BackupResult(path=out, format="portable", bytes=out.stat().st_size, encrypted=fernet is not None)


def _write_body(fh: Any, header: dict[str, object], payload: Path, files_blob: Path) -> None:
    fh.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
    for part in (payload, files_blob):
        with part.open("rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)


def _evidence_files(alias: str, blob: Path) -> list[dict[str, object]]:
    """Every evidence file the snapshot names, read through its storage into `blob`: the manifest."""
    from xiezuo.evidence.models import EvidenceFile, evidence_storage

    storage = evidence_storage()
    manifest: list[dict[str, object]] = []
    with blob.open("wb") as out:
        names = EvidenceFile.objects.using(alias).order_by("id").values_list("file", flat=True)
        for name in names.iterator():
            if not name:
                continue
            try:
                fh = storage.open(name, "rb")
            except FileNotFoundError:
                raise BackupError(f"佐证材料文件「{name}」在存储中不存在，未写出备份；请先核查存储") from None
            digest, size = hashlib.sha256(), 0
            with fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            manifest.append({"name": name, "bytes": size, "sha256": digest.hexdigest()})
    return manifest


def database_has_data() -> bool:
    from xiezuo.orgunits.models import OrgUnit

    return OrgUnit.objects.exists() or get_user_model().objects.exists()


@dataclass(frozen=True)
class CheckedBackup:
    """A portable backup that passed every check: its payload and what it holds."""

    payload: bytes
    header: dict[str, Any]
    counts: dict[str, int]
    files: list[tuple[str, bytes]] | None = None  # evidence files (name in storage, content)


def _decoded(path: Path) -> bytes:
    raw = path.read_bytes()
    name = path.name
    if raw.startswith(ENCRYPTED_MAGIC):
        fernet = _fernet()
        if fernet is None:
            raise BackupError(f"「{name}」是加密备份：请设置环境变量 {KEY_ENV} 为备份时的密钥")
        from cryptography.fernet import InvalidToken

        try:
            raw = fernet.decrypt(raw[len(ENCRYPTED_MAGIC):])
        except InvalidToken:
            raise BackupError(f"「{name}」无法解密：密钥不对，或文件已损坏、不完整") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise BackupError(f"「{name}」不完整或已损坏（gzip 解压失败：{exc}），未改动数据库") from None
    return raw


def backup_check(*, path: Path) -> CheckedBackup:
    """Check a portable backup completely without touching the database; BackupError says why not."""
    name = path.name
    if not path.exists():
        raise BackupError(f"备份文件不存在：{path}")
    raw = _decoded(path)
    head, sep, payload = raw.partition(b"\n")
    header: dict[str, Any] = {}
    try:
        parsed_head = json.loads(head) if sep else None
    except ValueError:
        parsed_head = None
    if isinstance(parsed_head, dict) and parsed_head.get("format") == FORMAT:
        header = parsed_head
        if header.get("version") != VERSION:
            raise BackupError(f"「{name}」的格式版本为 {header.get('version')}，本系统只能恢复版本 {VERSION}")
        files = _split_files(name, header, payload)
        if files is not None:
            payload = payload[:int(header.get("payload_bytes") or 0)]
        if len(payload) != header.get("payload_bytes") or \
                hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
            raise BackupError(f"「{name}」不完整或已损坏：内容与备份时记录的长度和校验值（SHA-256）不符，未改动数据库")
        _check_migrations(name, header.get("migrations"))
    elif raw.lstrip()[:1] == b"[":
        files = None
        payload = raw  # an older backup: Django's JSON without a header; parsing checks it whole
    else:
        raise BackupError(f"「{name}」不是 xiezuo 备份文件（开头既不是备份头也不是 JSON）")
    try:
        objects = json.loads(payload)
    except ValueError as exc:
        raise BackupError(f"「{name}」的内容不是完整的 JSON（{exc}），未改动数据库") from None
    if not isinstance(objects, list):
        raise BackupError(f"「{name}」的内容应是记录的列表")
    counts: Counter[str] = Counter()
    for n, obj in enumerate(objects, start=1):
        if not (isinstance(obj, dict) and isinstance(obj.get("model"), str) and isinstance(obj.get("fields"), dict)):
            raise BackupError(f"「{name}」第 {n} 条记录格式不对（应有 model 和 fields）")
        label = obj["model"]
        if label not in counts:
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                raise BackupError(f"「{name}」第 {n} 条记录属于本系统没有的数据表「{label[:80]}」，"
                                  "可能来自其他系统或更新的版本") from None
        counts[label] += 1
    return CheckedBackup(payload=payload, header=header, counts=dict(counts), files=files)


def _split_files(name: str, header: dict[str, Any], body: bytes) -> list[tuple[str, bytes]] | None:
    """The evidence files after the payload, each checked against the manifest; None for backups without."""
    manifest = header.get("files")
    if manifest is None:
        return None
    start = header.get("payload_bytes")
    if not isinstance(manifest, list) or not isinstance(start, int) or \
            len(body) - start != header.get("files_bytes"):
        raise BackupError(f"「{name}」不完整或已损坏：佐证材料部分的长度与备份头不符，未改动数据库")
    out, at = [], start
    for entry in manifest:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("bytes"), int):
            raise BackupError(f"「{name}」的佐证材料清单格式不对，未改动数据库")
        stored = str(entry["name"])
        if stored.startswith(("/", "\\")) or ".." in Path(stored).parts:
            raise BackupError(f"「{name}」的佐证材料清单中有不安全的路径「{stored[:80]}」，未改动数据库")
        data = body[at:at + int(entry["bytes"])]
        at += int(entry["bytes"])
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BackupError(f"「{name}」中的佐证材料「{stored[:80]}」已损坏（校验值不符），未改动数据库")
        out.append((stored, data))
    return out


def _restore_files(files: list[tuple[str, bytes]]) -> None:
    from django.core.files.base import ContentFile

    from xiezuo.evidence.models import evidence_storage

    storage = evidence_storage()
    for stored, data in files:
        if storage.exists(stored):
            storage.delete(stored)
        saved = storage.save(stored, ContentFile(data))
        if saved != stored:
            raise BackupError(f"佐证材料「{stored[:80]}」无法按原名恢复（存储返回「{saved[:80]}」）")


def _check_migrations(name: str, migrations: object) -> None:
    if not isinstance(migrations, dict):
        raise BackupError(f"「{name}」的备份头缺少数据库结构版本（migrations）")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for app_label, names in migrations.items():
        for migration in names if isinstance(names, list) else []:
            if (app_label, migration) not in known:
                raise BackupError(f"「{name}」来自更新的版本（含本系统没有的数据库结构 {app_label}.{migration}）；"
                                  "请先升级 xiezuo 再恢复")


def _check_native(path: Path) -> str:
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError("找不到 pg_restore，请安装 postgresql-client")
    listing = subprocess.run([tool, "--list", str(path)], capture_output=True, check=False)
    if listing.returncode != 0:
        detail = listing.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise BackupError(f"「{path.name}」不是完整的 PostgreSQL 备份（{detail[0][:200]}），未改动数据库")
    return tool


def _new_epoch() -> None:
    """After a restore the version stamps are the backup's: a value they had before could come back
    with other data. The global stamp jumps to the clock (larger than any count it held) and this
    process's cache is emptied; other servers' entries are keyed by the old global stamp."""
    import time

    from django.core.cache import cache

    from xiezuo.core.models import Stamp
    from xiezuo.core.stamps import GLOBAL

    code, year, area = GLOBAL
    Stamp.objects.update_or_create(org_code=code, year=year, area=area, defaults={"version": time.time_ns()})
    cache.clear()


def backup_restore(*, path: Path, force: bool = False) -> dict[str, int]:
    """Restore a backup into this database; refuses a database that already has data unless `force`.

    The file is checked whole first; the data is then replaced in one transaction, so a bad file
    leaves the database as it was. Returns the number of rows per model after the restore.
    """
    if not path.exists():
        raise BackupError(f"备份文件不存在：{path}")
    native = _is_native(path)
    if native:
        if connections["default"].vendor != "postgresql":
            raise BackupError(f"「{path.name}」是 PostgreSQL 原生备份，只能恢复到 PostgreSQL")
        tool = _check_native(path)
        checked = None
    else:
        checked = backup_check(path=path)
    call_command("migrate", verbosity=0, interactive=False)
    if database_has_data() and not force:
        raise BackupError("目标数据库中已有数据；恢复会覆盖全部数据，确认请加 --force")
    if native:
        env, args = _pg_env_args()
        connections["default"].close()
        # --clean inside --single-transaction: the drops roll back with everything else on error.
        done = subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                               "--exit-on-error", *args, "-d", str(settings.DATABASES["default"]["NAME"]),
                               str(path)], env=env, check=False, capture_output=True)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise BackupError(f"恢复「{path.name}」失败，数据库未改动：{detail[0][:300]}")
    else:
        assert checked is not None
        with tempfile.TemporaryDirectory(prefix=".xiezuo-restore-") as tmp:
            os.chmod(tmp, 0o700)
            fixture = Path(tmp) / "backup.json"
            with os.fdopen(_private_file(fixture), "wb") as fh:
                fh.write(checked.payload)
            with transaction.atomic():
                # Emptied and refilled in one transaction: a failure anywhere restores nothing.
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(fixture), verbosity=0)
        if checked.files:
            _restore_files(checked.files)
    _new_epoch()
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("xiezuo.") or model._meta.label == "auth.User"
    }
