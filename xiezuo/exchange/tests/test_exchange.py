"""The exchange package between two instances, each a real database driven by the real `xiezuo` command.

The source is a SQLite database with the demo, every 2023 table of 甘肃省 that has values submitted
and approved; the target is a fresh database of the test run's kind (SQLite, or PostgreSQL when
the suite runs on it: SQLite → PostgreSQL). After the import, `xiezuo rollup --org 620000` prints
the same JSON on both; a package with one byte changed, cut short or made for another template is
refused and stores nothing; importing twice changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parents[3]

# Run in the source instance: submit and approve every 2023 county table of 甘肃省 that has values,
# through the same actions the pages call (warnings explained, the lead's sign-off where required).
APPROVE_ALL = """
import django
django.setup()
from django.contrib.auth import get_user_model
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions import services as s
from xiezuo.tables.findings import table_validate
from xiezuo.tables.models import DataValue

User = get_user_model()
reviewer = User.objects.get(username="baiyin-reviewer")
lead = User.objects.get(username="huining-lead")
units = OrgUnit.objects.filter(path__contains="/620000/", level="county",
                               pk__in=DataValue.objects.filter(year=2023).values("org_id")).order_by("code")
for org in units:
    sub = s.submission_ensure(org=org, year=2023)
    if org.lead_signoff_required:
        s.submission_signoff(submission=sub, by=lead)
    warnings = {f.rule: "已核实" for f in table_validate(org, 2023) if f.severity == "warning"}
    sub = s.submission_submit(submission=sub, by=None, explanations=warnings)
    s.submission_approve(submission=sub, by=reviewer, comment="同意")
    print(org.code)
"""

COUNTS = """
import django
django.setup()
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import Submission
from xiezuo.tables.models import DataValue
from xiezuo.core.models import ChangeRecord
print(OrgUnit.objects.count(), DataValue.objects.count(), Submission.objects.count(), ChangeRecord.objects.count())
"""


def _env(url: str, var: Path) -> dict[str, str]:
    return {**os.environ, "XIEZUO_DATABASE_URL": url, "XIEZUO_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "xiezuo.settings.base"}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xiezuo", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _python(env: dict[str, str], code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the kind this test run uses."""
    settings = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    import psycopg

    name = f"xz_exchange_{uuid.uuid4().hex[:8]}"
    dsn = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432, "user": settings["USER"],
           "dbname": "postgres"}
    with psycopg.connect(**dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{dsn['user']}@{dsn['host']}:{dsn['port']}/{name}"
    finally:
        with psycopg.connect(**dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_export_from_sqlite_import_into_a_fresh_database(tmp_path: Path, target_url: str) -> None:
    source = _env(f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "source-var")
    target = _env(target_url, tmp_path / "target-var")
    assert _run(source, "init", "--demo").returncode == 0
    approved = _python(source, APPROVE_ALL).split()
    assert "620422" in approved and len(approved) >= 2  # 会宁县 and at least one other county

    package = tmp_path / "甘肃省2023.json"
    done = _run(source, "exchange", "export", "--org", "620000", "--year", "2023", "--out", str(package))
    assert done.returncode == 0, done.stderr
    manifest = json.loads(package.read_bytes())["manifest"]
    assert manifest["counts"]["tables"] == len(approved) and manifest["template"]["year"] == 2023

    assert _run(target, "init").returncode == 0
    empty = _python(target, COUNTS)

    # Refused, and nothing stored: one byte changed anywhere, the end cut off, another template.
    raw = package.read_bytes()
    middle = raw.index(b'"labour_east"') + 3
    bad = {
        "changed.json": raw[:middle] + bytes([raw[middle] ^ 0x01]) + raw[middle + 1:],
        "digit.json": raw.replace(b'"number": "5590"', b'"number": "5591"', 1),
        "cut.json": raw[: len(raw) * 2 // 3],
    }
    other = json.loads(raw)
    other["manifest"]["template"]["checksum"] = "sha256:" + "0" * 64
    from xiezuo.exchange.package import _dumps, checksum_of

    other["checksum"] = checksum_of(other["manifest"], other["data"])
    bad["template.json"] = _dumps(other)
    reasons = {}
    for name, body in bad.items():
        assert body != raw
        path = tmp_path / name
        path.write_bytes(body)
        refused = _run(target, "exchange", "import", str(path))
        assert refused.returncode == 2, (name, refused.stdout, refused.stderr)
        reasons[name] = refused.stderr
        assert _python(target, COUNTS) == empty, name
    assert "校验和不符" in reasons["digit.json"] and "不完整" in reasons["cut.json"]
    assert "模板不一致" in reasons["template.json"] and name in reasons[name]

    done = _run(target, "exchange", "import", str(package))
    assert done.returncode == 0, done.stderr
    assert f"{len(approved)} 张统计表" in done.stdout
    after_first = _python(target, COUNTS)
    again = _run(target, "exchange", "import", str(package))
    assert again.returncode == 0 and "未作任何修改" in again.stdout
    assert _python(target, COUNTS) == after_first

    rollup = ["rollup", "--org", "620000", "--year", "2023", "--format", "json"]
    mine, theirs = _run(source, *rollup), _run(target, *rollup)
    assert mine.returncode == theirs.returncode == 0, theirs.stderr
    assert json.loads(theirs.stdout) == json.loads(mine.stdout)
    assert theirs.stdout == mine.stdout
    # The county's values came with their version and the approval with its timeline.
    table = ["table", "--org", "620422", "--year", "2023", "--format", "json"]
    assert _run(target, *table).stdout == _run(source, *table).stdout
    check = _python(target, COUNTS.replace("print(", "print(Submission.objects.get(org__code='620422').state, "
                                                      "Submission.objects.get(org__code='620422').events.count(), "))
    assert check.startswith("approved ") and int(check.split()[1]) >= 3
