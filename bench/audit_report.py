"""Audit a ~40,000-character self-evaluation report and print how long it takes.

    .venv/bin/python bench/audit_report.py [--chars 40000] [--seed-file PATH]

Without --seed-file the report is generated in the style of the counties' reports (headings,
其中 lists, breakdowns, enterprises, comparisons with last year), with a few planted slips.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")

CN = "一二三四五六七八九十"
SURNAMES = "甘陇河津金银华新康泰丰盛兴隆安宁和平"
TRADES = ["农业发展", "食品", "农牧", "数字科技", "商贸", "粮油蔬菜", "中药材", "文化旅游"]


def company(rng: random.Random) -> str:
    return f"{rng.choice(['甘肃', '会宁县', '白银', '天津'])}{''.join(rng.sample(SURNAMES, 3))}{rng.choice(TRADES)}有限公司"


def section(rng: random.Random, n: int) -> str:
    meetings = [rng.randint(1, 6) for _ in range(3)]
    jobs = [rng.randint(100, 400), rng.randint(500, 900), rng.randint(1000, 1600)]
    poor_local = jobs[1] - rng.randint(100, 300)
    funds = [Decimal(rng.randint(500, 3000)), Decimal(rng.randint(100, 900)), Decimal("233.8"), Decimal(rng.randint(10, 300))]
    firms = [(company(rng), rng.randint(500, 1600), rng.randint(5, 80)) for _ in range(5)]
    items = "；".join(f"{c}实际到位投资额 {inv} 万元，吸纳就业 {j} 人，其中脱贫户 {j // 3} 人" for c, inv, j in firms)
    total_inv = sum(f[1] for f in firms)
    total_jobs = sum(f[2] for f in firms)
    prev = [x - rng.randint(1, 20) for x in jobs]
    return (
        f"{CN[n % 10]}、第{n + 1}部分工作情况\n\n（一）组织领导\n\n"
        f"1. 工作推动部署情况。县委、县政府共召开 {sum(meetings)} 次会议研究部署东西部协作工作，其中，政府常务会 "
        f"{meetings[0]} 次、县委常委会 {meetings[1]} 次、县委农村工作领导小组会 {meetings[2]} 次。"
        "为持续压紧压实乡镇、部门工作责任，制定工作方案，明确了责任单位，确保帮扶资金安全高效使用。\n\n"
        f"2. 组织农村劳动力就业情况。截至目前，实现转移就业{sum(jobs)}人({2022}年{sum(prev)}人)，"
        f"其中脱贫人口{jobs[0] + poor_local + jobs[2]}人。按就业去向分布：赴津就业{jobs[0]}人(均为脱贫人口，2022年{prev[0]}人)，"
        f"就近就地就业{jobs[1]}人(其中脱贫人口{poor_local}人，2022年{prev[1]}人)，其他地区就业{jobs[2]}人(均为脱贫人口，"
        f"2022年{prev[2]}人)，转移就业总体规模均超出2022年度。累计举办劳务协作培训班{rng.randint(5, 20)}期，"
        f"培训农村劳动力人数{rng.randint(300, 900)}人次。\n\n"
        f"3. 帮扶资金情况。2023 年和平区投入财政帮扶资金 {sum(funds)} 万元，主要用于产业开发、乡村振兴等方面 "
        f"{rng.randint(10, 40)} 个项目。其中产业培育类项目 {funds[0]} 万元；教育培训类项目 {funds[1]} 万元；"
        f"医疗“组团式”帮扶 {funds[2]} 万元；其他类 {funds[3]} 万元。\n\n"
        f"4. 引导企业落地情况。新增引导 {len(firms)} 家企业落地，分别是{'、'.join(f[0] for f in firms[:4])}。"
        f"{items}；共计实际投资额 {total_inv} 万元，吸纳农村劳动力数 {total_jobs} 人。\n\n"
        "会宁县坚持以协作促发展的鲜明导向，把巩固拓展脱贫攻坚成果放在突出位置，增强脱贫村和脱贫群众内生发展动力，"
        "牢牢守住不发生规模性返贫的底线，持续拓展协作渠道，深化协作内涵，创新协作模式，提升协作实效。" * 2 + "\n\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=40_000)
    parser.add_argument("--seed-file", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from xiezuo.audit.audit import audit_document
    from xiezuo.audit.mapping import AuditContext
    from xiezuo.audit.reader import document_from_text
    from xiezuo.catalogue.registry import get_catalogue

    if args.seed_file:
        base = args.seed_file.read_text(encoding="utf-8")
        text = base
        while len(text) < args.chars:
            text += "\n\n" + base
    else:
        rng = random.Random(7)
        text, n = "会宁县 2023 年度东西部协作工作自评报告\n\n", 0
        while len(text) < args.chars:
            text += section(rng, n)
            n += 1
    text = text[: max(args.chars, len(text))]
    catalogue = get_catalogue(2023)
    table = {r.code: Decimal(7) for r in catalogue.rows if r.is_numeric}
    context = AuditContext(year=2023, west_names=("会宁县",), east_names=("和平区", "天津市"))
    timings, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = audit_document(document_from_text(text), catalogue=catalogue, table=table, context=context)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"report: {len(text):,} characters, {len(result.extraction.figures):,} figures, "
          f"{len(result.extraction.entities):,} entity mentions, {len(result.findings):,} findings")
    print(f"audit: best {min(timings):.3f} s, median {sorted(timings)[len(timings) // 2]:.3f} s over {args.runs} runs "
          f"(CPU time of the process: best {min(cpu):.3f} s, median {sorted(cpu)[len(cpu) // 2]:.3f} s)")


if __name__ == "__main__":
    main()
