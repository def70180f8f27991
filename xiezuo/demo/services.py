"""Loading the 会宁县 demo: org units, pairing, published table values, accounts, texts, ledgers.

`DemoLoad` is one action around the loaders of this package; each loader writes through the
ordinary actions of its area (the synthetic counties' tables in bulk), so the demo is checked
like data a clerk enters. The action records one change with what was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action


@dataclass(kw_only=True)
class DemoLoad(Action[dict[str, int]]):
    """Every demo loader in order; loading again replaces the demo's figures with the same ones."""

    kind = ActionKind.DEMO_LOAD
    admin_only = True
    exempt_reason = "演示数据由系统管理员在初始化时载入，不属于某个单位某年度的填报"
    field_labels = {
        "values": "统计表数值", "accounts": "演示账号", "texts": "报告文本", "ledger_records": "台账记录",
        "targets": "示例目标", "snapshots": "报告期快照",
    }

    # The year's register histories and periodic snapshots (the slowest part): tests that do not
    # look at the year's progress load the demo without them.
    progress: bool = True

    def perform(self) -> dict[str, int]:
        from xiezuo.accounts.services import demo_accounts_create
        from xiezuo.demo.areas import demo_areas_load
        from xiezuo.demo.documents import demo_documents_load
        from xiezuo.demo.ledgers import demo_ledgers_load
        from xiezuo.demo.progress import demo_progress_load
        from xiezuo.demo.tables import demo_values_load
        from xiezuo.orgunits.services import orgunits_load_base

        orgunits_load_base(by=self.by)
        values = demo_values_load(by=self.by)
        areas = demo_areas_load(by=self.by)
        accounts = demo_accounts_create()
        texts = demo_documents_load(by=self.by)
        ledgers = demo_ledgers_load(by=self.by)
        progress = demo_progress_load(by=self.by) if self.progress else {"snapshots": 0}
        counts = {"values": values + areas["synthetic_values"], "accounts": len(accounts), "texts": texts,
                  "ledger_records": sum(ledgers.values()), "targets": areas["illustrative_targets"],
                  "snapshots": progress["snapshots"]}
        self.record(object_type="demo", object_key="demo", new=counts)
        return counts


demo_load = DemoLoad.run
