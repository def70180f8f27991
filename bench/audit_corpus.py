"""Score the report audit on the corpus of whole reports: recall of planted slips, false alarms.

    .venv/bin/python bench/audit_corpus.py [--verbose] [--formats txt,docx,pdf]

The corpus is `xiezuo/audit/tests/corpus/`: reports written in different counties' voices, each
with its 附件1, the slips planted in it and the facts that must not be flagged.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="list every missed slip and every other finding")
    parser.add_argument("--formats", default="txt,docx,pdf", help="which versions of the reports to score")
    args = parser.parse_args()

    import django

    django.setup()
    from xiezuo.audit.tests.corpus import CORPUS, names, score

    total_slips = total_found = total_false = total_other = 0
    print(f"{'report':<16} {'slips':>5} {'found':>5} {'recall':>7} {'false alarms':>12} {'other':>5}")
    for name in names():
        for suffix in ("." + f for f in args.formats.split(",")):
            if not (CORPUS / f"{name}{suffix}").exists():
                continue
            s = score(name, suffix)
            total_slips += len(s.slips)
            total_found += len(s.found)
            total_false += len(s.false_alarms)
            total_other += len(s.other)
            print(f"{s.name:<16} {len(s.slips):>5} {len(s.found):>5} {s.recall:>7.0%} {len(s.false_alarms):>12} "
                  f"{len(s.other):>5}")
            if args.verbose:
                for slip in s.missed:
                    print(f"    missed: [{slip.check}] {slip.what}")
                for f in s.false_alarms:
                    print(f"    false alarm: [{f.check}] {f.message}")
                for f in s.other:
                    print(f"    other: [{f.check} {f.confidence}] {f.message}")
    recall = total_found / total_slips if total_slips else 1.0
    print(f"{'total':<16} {total_slips:>5} {total_found:>5} {recall:>7.0%} {total_false:>12} {total_other:>5}")


if __name__ == "__main__":
    main()
