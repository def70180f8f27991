"""Every benchmark script runs at a tiny size and prints its figures, so none of them can rot.

These start real processes (the CLI, gunicorn) against a scratch database of the same kind as the
test run's (SQLite file, or a PostgreSQL database created and dropped here). They check that the
figures are printed, never how fast they are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.bench


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def scratch_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh database with a tiny synthetic nation; the URL is in the returned environment."""
    base = os.environ.get("XIEZUO_DATABASE_URL", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIEZUO_REPLICA"))}
    tmp = tmp_path_factory.mktemp("bench")
    env["XIEZUO_VAR_DIR"] = str(tmp / "var")
    dropper = None
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(base)
        name = f"{parsed.path.lstrip('/') or 'xiezuo'}_bench_smoke"
        admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def dropper() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["XIEZUO_DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    else:
        env["XIEZUO_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        run(["-m", "xiezuo", "init"], env)
        out = run(["-m", "xiezuo", "synth", "--provinces", "2", "--cities-per-province", "1", "--counties-per-city", "3",
                   "--labour-per-county", "30", "--sales-per-county", "10", "--seed", "1"], env)
        assert "已生成合成数据" in out
        yield env
    finally:
        if dropper is not None:
            dropper()


def test_engine_benchmark_prints_times_and_ratios(scratch_env: dict[str, str]) -> None:
    pytest.importorskip("xiezuo.ledgers.reconciliation")
    out = run(["bench/engine.py", "--repeat", "1", "--sample", "2", "--without-indexes",
               "--databases", scratch_env["XIEZUO_DATABASE_URL"]], scratch_env)
    for figure in ("engine   derive", "engine   roll-up", "engine   rules", "whole national computation",
                   "reference derive", "naive", "engine ÷ reference (derive)", "engine ÷ reference (roll-up)",
                   "naive ÷ engine", "without the derivation indexes"):
        assert figure in out, out
    assert "agree: derive yes, roll-up of every area yes" in out


def test_web_load_prints_every_page_against_its_targets(scratch_env: dict[str, str]) -> None:
    # A non-zero exit would mean a refused request: a failed login, a non-200 page or a cell save
    # the application did not accept.
    out = run(["bench/web_load.py", "--users", "2", "--seconds", "0.5", "--single", "3", "--warmup", "1",
               "--clients", "2", "--threads", "2", "--settings", "xiezuo.settings.base"], scratch_env)
    lines = out.splitlines()
    for page in ("healthz", "table", "cell save", "review", "dashboard", "area table"):
        assert any(line.startswith(page + " ") for line in lines), out
    for figure in ("single ms", "server ms", "sat req/s", "÷ healthz", "p50 ms@50%", "p95 ms@80%",
                   "÷ healthz ≥ 10%", "server ≤ 10 ms", "p95@80% ≤ 150 ms", "latency from the scheduled send time",
                   "steal", "machine speed: calibration", "database round trip", "one at a time (single)"):
        assert figure in out, out


def test_partition_benchmark_shows_pruning(scratch_env: dict[str, str]) -> None:
    url = scratch_env["XIEZUO_DATABASE_URL"]
    if not url.startswith("postgres"):
        pytest.skip("declarative partitioning is a PostgreSQL feature")
    dsn = urlunparse(urlparse(url)._replace(scheme="postgresql"))
    out = run(["bench/partition.py", "--dsn", dsn, "--rows", "5000", "--provinces", "3",
               "--counties-per-province", "4"], scratch_env)
    assert "partition pruning: yes" in out and "plain ÷ partitioned" in out


def test_replica_benchmark_when_a_replica_runs(scratch_env: dict[str, str]) -> None:
    replica = os.environ.get("XIEZUO_REPLICA_DATABASE_URL")
    if not replica:
        pytest.skip("no XIEZUO_REPLICA_DATABASE_URL (deploy/replica-demo.sh up)")
    env = {**scratch_env, "XIEZUO_REPLICA_DATABASE_URL": replica.rsplit("/", 1)[0] + "/"
           + scratch_env["XIEZUO_DATABASE_URL"].rsplit("/", 1)[1]}
    out = run(["bench/replica.py", "--reads", "2"], env)
    assert "reads routed to the replica: yes" in out


def test_backup_restore_gives_identical_tables(scratch_env: dict[str, str], tmp_path: Path) -> None:
    out = run(["bench/backup_restore.py", "--out", str(tmp_path / "smoke.json.gz")], scratch_env)
    assert "restore into a fresh database" in out and "identical for" in out, out


def test_audit_benchmark_prints_seconds(scratch_env: dict[str, str]) -> None:
    if not (ROOT / "bench" / "audit_report.py").exists():
        pytest.skip("no audit benchmark")
    out = run(["bench/audit_report.py", "--chars", "2000"], scratch_env)
    assert "characters" in out and "audit: best" in out, out


def test_audit_corpus_prints_recall_and_false_alarms(scratch_env: dict[str, str]) -> None:
    out = run(["bench/audit_corpus.py", "--formats", "txt"], scratch_env)
    assert "recall" in out and "false alarms" in out and out.splitlines()[-1].startswith("total"), out


def test_documents_benchmark_prints_seconds(scratch_env: dict[str, str]) -> None:
    if not (ROOT / "bench" / "documents.py").exists():
        pytest.skip("no documents benchmark")
    out = run(["bench/documents.py", "--org", "900101", "--repeat", "1"], scratch_env, timeout=300)
    assert "DOCX" in out and "XLSX" in out and " s" in out, out


def test_import_benchmark_prints_rows_per_second(scratch_env: dict[str, str]) -> None:
    if not (ROOT / "bench" / "import_labour.py").exists():
        pytest.skip("no import benchmark")
    out = run(["bench/import_labour.py", "--rows", "200"], scratch_env, timeout=300)
    assert "rows" in out, out


def test_rollup_benchmark_prints_queries_and_seconds(scratch_env: dict[str, str]) -> None:
    out = run(["bench/rollup.py", "--repeat", "1"], scratch_env)
    assert "queries" in out and "seconds" in out and "assess" in out, out


def test_hostile_inputs_benchmark_prints_outcome_time_and_rss(scratch_env: dict[str, str]) -> None:
    # The benchmark flushes the database it is given: a SQLite file of its own, or (on PostgreSQL)
    # a second scratch database, so the synthetic nation the other smoke runs read stays whole.
    env = {k: v for k, v in scratch_env.items() if k != "XIEZUO_DATABASE_URL"}
    url = scratch_env["XIEZUO_DATABASE_URL"]
    with _second_database(url) as second:
        if second:
            env["XIEZUO_DATABASE_URL"] = second
            run(["-m", "xiezuo", "init"], env)
        out = run(["bench/hostile_inputs.py", "--bomb-mb", "20"], env, timeout=600)
    assert "far-XFD1048576.xlsx" in out and "exit 2" in out and "worst:" in out and "peak RSS" in out
    assert "exit 1" not in out  # no input ends in a traceback


@contextmanager
def _second_database(url: str) -> Iterator[str]:
    """A fresh PostgreSQL database beside `url`'s, dropped afterwards; '' on SQLite."""
    if not url.startswith("postgres"):
        yield ""
        return
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_hostile"
    admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_api_table_benchmark_prints_requests_per_second(scratch_env: dict[str, str]) -> None:
    out = run(["bench/api_table.py", "--seconds", "0.5"], scratch_env)
    assert "table page" in out and "table API" in out and "req/s" in out


def test_every_benchmark_script_has_a_smoke_run() -> None:
    """A new bench/*.py must be added here, so that it cannot rot unnoticed."""
    smoked = {"api_table.py", "engine.py", "web_load.py", "partition.py", "replica.py", "audit_report.py",
              "documents.py",
              "import_labour.py", "backup_restore.py", "rollup.py", "audit_corpus.py", "hostile_inputs.py", "duplicates.py"}
    scripts = {p.name for p in (ROOT / "bench").glob("*.py")}
    assert scripts <= smoked, f"benchmarks without a smoke run: {sorted(scripts - smoked)}"


def test_duplicates_benchmark_prints_times(scratch_env: dict[str, str]) -> None:
    out = run(["bench/duplicates.py", "--repeat", "1"], scratch_env)
    for figure in ("duplicates, nation, people", "one province", "one county", "table as of 12 month-ends",
                   "project rates as of 30 September"):
        assert figure in out, out
    assert "every pair two records in two counties: yes" in out
