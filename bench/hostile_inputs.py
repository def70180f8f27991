"""Crafted hostile inputs at full size: outcome, wall time and peak RSS of each, one process each.

    .venv/bin/python bench/hostile_inputs.py [--bomb-mb 2000]
    XIEZUO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xz_bench .venv/bin/python bench/hostile_inputs.py

Sets up a scratch database with the demo (a fresh SQLite file, or the PostgreSQL database
XIEZUO_DATABASE_URL names, which is flushed), writes the crafted files of tests/crafted.py at
full size (an XLSX with a cell at XFD1048576 or ALL100000, an XLSX zip bomb and a DOCX bomb that
inflate to `--bomb-mb` MB, a 2 MB report text, CSV files with CR-only line ends, a 200 KB field,
GBK text, control characters, NUL, 1e100 and 19-digit numbers), then feeds each to the command
line (`xiezuo ledger import`, `xiezuo audit`, `xiezuo values import`) or to the upload page
(Django's test client, for the 300-byte file name) in a child process of its own. Prints the
exit status or HTTP status, the first line of the message, the wall time and the child's peak
RSS (os.wait4), so every figure belongs to that one input.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KIND = "fund_projects"

WEB_UPLOAD = r"""
import os, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from xiezuo.accounts.services import demo_password
client = Client()
assert client.post("/login/", {"username": "huining-clerk", "password": demo_password()}).status_code == 302
path, name, url = sys.argv[1], sys.argv[2], sys.argv[3]
field = "report" if "/audit/" in url else "file"
with open(path, "rb") as fh:
    response = client.post(url, {field: SimpleUploadedFile(name, fh.read()), "mode": "replace"})
text = response.content.decode()
import re
found = re.findall(r'<(?:li|td|p)[^>]*>([^<]*(?:超过|错误|控制字符|空字符|无法|不能|过大|应填|KB)[^<]*)<', text)
print(f"HTTP {response.status_code}", (found[0] if found else "").strip()[:110])
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[int, str, float, float]:
    """(exit status, first message line, seconds, peak RSS in MB) of one child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        lines = [ln for ln in out.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    first = next((ln for ln in lines if "错误" in ln or "HTTP" in ln or "- " in ln), lines[0] if lines else "")
    for ln in lines:
        if ln.strip().startswith("- "):
            first = ln.strip()  # an import's first bad cell says more than its heading
            break
    return child.returncode, first.strip()[:120], seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=2000, help="inflated size of the zip bombs")
    args = parser.parse_args()

    from tests.crafted import docx_bomb, hostile_csvs, odd_but_valid_csvs, xlsx
    from xiezuo.ledgers.schema import ledger_of

    folder = Path(tempfile.mkdtemp(prefix="xiezuo-hostile-"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="xiezuo.settings.base", PYTHONPATH=str(ROOT))
    if not env.get("XIEZUO_DATABASE_URL", "").startswith("postgres"):
        env["XIEZUO_DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    database = env["XIEZUO_DATABASE_URL"].split("@")[-1]
    cli = [sys.executable, "-m", "xiezuo"]
    if database.startswith("sqlite"):
        subprocess.run([*cli, "init", "--demo"], env=env, check=True, capture_output=True)
    else:
        subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
                        "call_command('flush', interactive=False, verbosity=0)"], env=env, check=True, cwd=ROOT)
        subprocess.run([*cli, "init", "--demo"], env=env, check=True, capture_output=True)

    ledger = ledger_of(KIND)
    files: list[tuple[str, str, Path]] = []  # (label, how, path)

    def put(name: str, data: bytes, how: str = "ledger", label: str | None = None) -> None:
        path = folder / name
        path.write_bytes(data)
        files.append((label or name, how, path))

    started = time.perf_counter()
    put("far-XFD1048576.xlsx", xlsx(ledger, extra_cell="XFD1048576"))
    put("far-ALL100000.xlsx", xlsx(ledger, extra_cell="ALL100000"))
    put("bomb.xlsx", xlsx(ledger, padding_mb=args.bomb_mb), label=f"zip bomb .xlsx → {args.bomb_mb} MB")
    put("bomb.docx", docx_bomb(args.bomb_mb), how="audit", label=f"DOCX bomb → {args.bomb_mb} MB")
    put("long.txt", ("会宁县转移就业1000人，其中脱贫人口600人。" * 80_000).encode(), how="audit",
        label="report text, 1.9 M characters")
    for name, data in hostile_csvs(ledger).items():
        put(name, data)
    for name in ("cr-only.csv", "gbk.csv"):
        put("valid-" + name, odd_but_valid_csvs(ledger)[name], label=f"{name} (valid: imports)")
    put("values-gbk.csv", "code,value\nlabour_east,236\nkey_funds,1e100\n".encode("gbk"), how="values",
        label="GBK values import with 1e100")
    put("long-name.csv", odd_but_valid_csvs(ledger)["gbk.csv"], how="web-ledger", label="300-byte file name (web)")
    put("far-web.xlsx", xlsx(ledger, extra_cell="XFD1048576"), how="web-ledger", label="XFD1048576 upload (web)")
    put("bomb-web.docx", docx_bomb(args.bomb_mb), how="web-audit", label="DOCX bomb upload (web audit)")
    print(f"database: {database}; crafted {len(files)} files in {time.perf_counter() - started:.1f} s "
          f"({sum(p.stat().st_size for _, _, p in files) / 1024 / 1024:.1f} MB on disk)")
    print(f"{'input':<38} {'size':>9} {'result':>8} {'s':>6} {'RSS MB':>7}  message")
    worst_rss = worst_s = 0.0
    for label, how, path in files:
        if how == "ledger":
            cmd = [*cli, "ledger", "import", KIND, str(path), "--org", "620422", "--year", "2023", "--dry-run"]
        elif how == "audit":
            cmd = [*cli, "audit", str(path), "--org", "620422", "--year", "2023", "--format", "text"]
        elif how == "values":
            cmd = [*cli, "values", "import", str(path), "--org", "620421", "--year", "2023"]
        else:
            name = ("台账" * 50 + ".csv") if "name" in label else path.name
            url = f"/org/620422/2023/ledgers/{KIND}/import/" if how == "web-ledger" else "/audit/org/620422/2023/"
            cmd = [sys.executable, "-c", WEB_UPLOAD, str(path), name, url]
        code, message, seconds, rss = run(cmd, env)
        worst_rss, worst_s = max(worst_rss, rss), max(worst_s, seconds)
        size = path.stat().st_size
        shown = f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
        result = message.split()[1] if message.startswith("HTTP") else f"exit {code}"
        print(f"{label:<38} {shown:>9} {result:>8} {seconds:>6.2f} {rss:>7.0f}  {message[:90]}")
    print(f"worst: {worst_s:.2f} s, peak RSS {worst_rss:.0f} MB (each input in its own process)")


if __name__ == "__main__":
    main()
