"""No write path outside the action layer: every URL and every CLI command that writes goes through one.

Two nets. Statically, no view or command module calls a model manager's write methods, `.save()`
on a model or `change_record` itself. Dynamically, every URL of the URL conf is posted to by the
demo accounts and every writing CLI command is run under `writes_only_in_actions` (the test settings
turn the guard on for every request and command of the suite): a domain write made outside an
action fails the request.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from typer.testing import CliRunner

from xiezuo.core.actions import WriteOutsideAction, writes_only_in_actions
from xiezuo.core.models import ChangeRecord

ROOT = Path(__file__).resolve().parents[3]
ENTRY_MODULES = sorted(
    [*ROOT.glob("xiezuo/web/views/*.py"), *ROOT.glob("xiezuo/*/views.py"), *ROOT.glob("xiezuo/cli/*.py"),
     *ROOT.glob("xiezuo/api/**/*.py")]
)
MANAGER_WRITES = {"create", "bulk_create", "update", "delete", "get_or_create", "update_or_create", "bulk_update"}


def _chain(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _direct_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("change_record", "change_records_bulk"):
            found.append(f"{path.name}:{node.lineno} {func.id}()")
        if isinstance(func, ast.Attribute):
            chain = _chain(func.value)
            on_manager = any(m in chain.split(".") for m in ("objects", "_default_manager", "_base_manager"))
            if func.attr in MANAGER_WRITES and on_manager:
                found.append(f"{path.name}:{node.lineno} {chain}.{func.attr}()")
            if func.attr == "save" and node.keywords and any(k.arg == "update_fields" for k in node.keywords):
                found.append(f"{path.name}:{node.lineno} {chain}.save()")
    return found


def test_no_view_or_command_writes_a_model_directly() -> None:
    assert len(ENTRY_MODULES) > 15
    offenders = [w for path in ENTRY_MODULES for w in _direct_writes(path)]
    assert offenders == []


def test_the_static_check_catches_a_direct_write(tmp_path: Path) -> None:
    bad = tmp_path / "bad_view.py"
    bad.write_text("def v(r):\n    DataValue.objects.filter(code='x').update(number=1)\n"
                   "    obj.save(update_fields=['number'])\n    change_record(actor=None)\n", encoding="utf-8")
    assert len(_direct_writes(bad)) == 3


def test_the_guard_refuses_a_write_outside_an_action(huining: Any) -> None:
    from xiezuo.tables.models import DataValue

    with writes_only_in_actions(), pytest.raises(WriteOutsideAction):
        DataValue.objects.filter(org=huining, code="labour_east").update(number=1)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out.extend(_patterns(p, route))
        else:
            out.append((route, p))
    return out


def _fill(route: str, sample: dict[str, str]) -> str | None:
    import re

    url = "/" + route.lstrip("^")
    for name in re.findall(r"<(?:\w+:)?(\w+)>", url):
        if name not in sample:
            return None
        url = re.sub(rf"<(?:\w+:)?{name}>", sample[name], url)
    return url


POST_DATA = {
    "value": "1", "version": "1", "comment": "请核实", "reason": "以台账复核为准", "decision": "keep",
    "row": "labour_east", "row_comment": "请核实本行", "text": "修改后的正文", "title": "案例标题",
    "issuer_mark": "会宁县东西部协作领导小组办公室", "doc_number": "会农领办发〔2023〕52号", "recipient": "白银市",
    "body": "现将报告报送。", "signatory": "会宁县", "signed_on": "2023-11-20", "mode": "append",
}


@pytest.mark.parametrize("username", ["huining-clerk", "baiyin-reviewer", "admin"])
def test_every_url_posted_to_writes_only_through_actions(huining: Any, username: str) -> None:
    from xiezuo.ledgers.models import LabourPlacement
    from xiezuo.submissions.services import submission_ensure

    user = get_user_model().objects.get(username=username)
    submission_ensure(org=huining, year=2023)
    client = Client()
    client.force_login(user)
    record = LabourPlacement.objects.filter(org=huining, year=2023).first()
    assert record is not None
    sample = {"code": "620422", "year": "2023", "row_code": "labour_east", "kind": "labour_placements",
              "pk": str(record.pk), "section": "intro", "number": "1", "action": "comment"}
    # Logging out would turn the rest of the posts into anonymous ones: it is posted last.
    routes = [(r, p) for r, p in _patterns(get_resolver()) if not r.startswith(("admin/", "logout/"))]
    posted = 0
    before = ChangeRecord.objects.filter(actor=user).count()
    for route, _pattern in routes:
        url = _fill(route, sample)
        if url is None:
            continue
        # The guard raises inside the request: the test client re-raises it here.
        response = client.post(url, POST_DATA)
        assert response.status_code < 500, (url, response.status_code)
        posted += 1
    assert posted >= 20
    for kind in ("submission/comment", "submission/return", "submission/approve"):
        assert client.post(f"/org/620422/2023/{kind}/", POST_DATA).status_code < 500
    # The posts were real: the clerk's cell save and the reviewer's comment went through actions.
    assert ChangeRecord.objects.filter(actor=user).count() > before


WRITING_COMMANDS = [
    ["values", "set", "labour_east", "240", "--org", "620422", "--year", "2023"],
    ["ledger", "import", "labour_placements", "{ledger_file}", "--org", "620422", "--year", "2023", "--append"],
    ["targets", "import", "{targets_file}"],
    ["orgunits", "import", "{units_file}"],
    ["period", "create", "--by", "620400", "--year", "2024"],
    ["period", "policy", "--by", "620000", "--year", "2023", "--notice-min-days", "7"],
    ["period", "freeze", "--org", "620421", "--year", "2023", "--period", "2023-02"],
    ["duplicates", "rehash"],
    ["exchange", "import", "{package_file}"],
    ["init", "--demo"],
    ["synth", "--provinces", "1", "--cities-per-province", "1", "--counties-per-city", "2",
     "--labour-per-county", "2", "--sales-per-county", "1", "--force"],
]


def test_every_writing_cli_command_writes_through_actions(demo_with_progress: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    from xiezuo.cli import app
    from xiezuo.ledgers.exports import ledger_template
    from xiezuo.ledgers.schema import ledger_of

    ledger = ledger_of("labour_placements")
    ledger_file = ledger_template(kind="labour_placements", path=tmp_path / "劳动力.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(ledger_file)
    values = {"name": "张三", "id_number": __import__("xiezuo.ledgers.idcard", fromlist=["make_id"]).make_id(
        "620422", dt.date(1992, 3, 4), 77), "poverty_status": "脱贫", "destination": "省内就近", "employer": "某厂",
        "start_date": "2023-05-01", "new_this_year": "是"}
    wb.worksheets[0].append([values.get(c.name, "") for c in ledger.columns])
    wb.save(ledger_file)
    targets = Workbook()
    targets.active.append(["区划代码", "年度", "指标代码", "目标值", "说明"])
    targets.active.append(["620422", 2023, "labour_east", 200, "测试"])
    targets_file = tmp_path / "targets.xlsx"
    targets.save(targets_file)
    units_file = tmp_path / "units.csv"
    units_file.write_text("code,name,level,side,parent_code\n620499,测试县,county,west,620400\n", encoding="utf-8")
    from xiezuo.exchange.tests.packages import big_package

    package_file = tmp_path / "package.json"
    package_file.write_bytes(big_package(2))
    files = {"ledger_file": str(ledger_file), "targets_file": str(targets_file), "units_file": str(units_file),
             "package_file": str(package_file)}
    before = ChangeRecord.objects.count()
    for args in WRITING_COMMANDS:
        argv = [a.format(**files) for a in args]
        result = CliRunner().invoke(app, argv)
        assert result.exception is None or isinstance(result.exception, SystemExit), (argv, result.exception)
        assert result.exit_code == 0, (argv, result.stdout, result.stderr)
    assert ChangeRecord.objects.count() > before + len(WRITING_COMMANDS)
