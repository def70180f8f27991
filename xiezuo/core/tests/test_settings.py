"""Production settings pass Django's deployment checks; secrets come from env or *_FILE."""

import os
import subprocess
import sys
from pathlib import Path

from xiezuo.settings.env import database_from_url, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 20 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1" + "Z" * 10, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "XIEZUO_SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "xiezuo.settings.production", "XIEZUO_SECRET_KEY_FILE": str(key_file),
                "XIEZUO_ALLOWED_HOSTS": "xiezuo.example.gov.cn"})
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_production_refuses_a_missing_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_SECRET_KEY")}
    env["DJANGO_SETTINGS_MODULE"] = "xiezuo.settings.production"
    proc = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0 and "XIEZUO_SECRET_KEY" in proc.stderr


def test_env_file_secret(tmp_path, monkeypatch):
    f = tmp_path / "s"
    f.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.delenv("XIEZUO_TEST_SECRET", raising=False)
    monkeypatch.setenv("XIEZUO_TEST_SECRET_FILE", str(f))
    assert env_str("XIEZUO_TEST_SECRET") == "from-a-file"


def test_database_urls(tmp_path):
    pg = database_from_url("postgres://u:p%40ss@db.local:5433/xz?pool=1", base_dir=tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "xz", "u", "p@ss", "db.local", "5433")
    assert pg["OPTIONS"]["pool"]["max_size"] == 10
    assert pg["OPTIONS"]["prepare_threshold"] == 5  # the written-out hot statements are prepared
    unprepared = database_from_url("postgres://u@db.local/xz?prepare=0", base_dir=tmp_path)
    assert unprepared["OPTIONS"]["prepare_threshold"] is None  # e.g. behind an older PgBouncer
    lite = database_from_url("sqlite:///var/a.sqlite3", base_dir=tmp_path)
    assert lite["NAME"] == str(tmp_path / "var" / "a.sqlite3")
    absolute = database_from_url("sqlite:////tmp/b.sqlite3", base_dir=tmp_path)
    assert absolute["NAME"] == "/tmp/b.sqlite3"


def test_check_deploy_warns_when_each_worker_would_count_failed_logins_alone(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "xiezuo.settings.production", "XIEZUO_SECRET_KEY": "k" * 60,
                "XIEZUO_ALLOWED_HOSTS": "xiezuo.example.gov.cn", "XIEZUO_LIMITS_CACHE_URL": "locmem://"})
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "xiezuo.W001" in proc.stderr and "每个 gunicorn 工作进程分别计数" in proc.stderr


def test_production_keeps_every_storage_of_the_base_settings() -> None:
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(sorted(settings.STORAGES)))")
    names = {}
    for module in ("xiezuo.settings.base", "xiezuo.settings.production"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_SECRET_KEY")}
        env.update({"DJANGO_SETTINGS_MODULE": module, "XIEZUO_SECRET_KEY": "k" * 60})
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        names[module] = proc.stdout.strip()
    assert names["xiezuo.settings.production"] == names["xiezuo.settings.base"]
    assert "jobs" in names["xiezuo.settings.base"]
