"""Whole reports in different counties' voices, each with its 附件1, the slips planted in it and the
facts that must not be flagged; and the scoring of an audit against them.

Each report is `<name>.txt` (a `.docx` or `.pdf` of the same report may sit beside it) with
`<name>.toml`: `west` and `east` (the unit and its partners), `[table]` (the values its 附件1
prints), `[[slips]]` (`check` and the `words` a finding's message must all contain) and
`[[consistent]]` (`text` fragments; a finding that quotes one and matches no slip is a false alarm).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xiezuo.audit.audit import AuditResult, audit_document
from xiezuo.audit.checks import AuditFinding
from xiezuo.audit.mapping import AuditContext
from xiezuo.audit.reader import read_report
from xiezuo.catalogue.registry import get_catalogue

CORPUS = Path(__file__).parent


@dataclass
class Slip:
    what: str
    check: str
    words: list[str]


@dataclass
class Score:
    name: str
    slips: list[Slip]
    found: list[Slip] = field(default_factory=list)
    missed: list[Slip] = field(default_factory=list)
    false_alarms: list[AuditFinding] = field(default_factory=list)
    other: list[AuditFinding] = field(default_factory=list)
    result: AuditResult | None = None

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.slips) if self.slips else 1.0


def names() -> list[str]:
    return sorted(p.stem for p in CORPUS.glob("*.toml"))


def _matches(finding: AuditFinding, slip: Slip) -> bool:
    return finding.check == slip.check and all(w in finding.message for w in slip.words)


def _quotes_text(finding: AuditFinding) -> str:
    return "\n".join(str(q.get("text", "")) for q in finding.quotes) + "\n" + finding.message


def score(name: str, suffix: str = ".txt", *, names_given: bool = True) -> Score:
    """Audit one version of a report and score it. Without `names_given` the audit knows only what
    the report says of itself (its title), as `xiezuo audit FILE` without --org."""
    spec = tomllib.loads((CORPUS / f"{name}.toml").read_text(encoding="utf-8"))
    slips = [Slip(what=s["what"], check=s["check"], words=list(s["words"])) for s in spec.get("slips", [])]
    consistent = [t for c in spec.get("consistent", []) for t in c["text"]]
    document = read_report(CORPUS / f"{name}{suffix}")
    context = AuditContext(year=2023, west_names=tuple(spec["west"]), east_names=tuple(spec["east"])) \
        if names_given else None
    # A PDF's text layer loses the table's columns: it is audited against the table the unit keeps
    # (as on the unit's own page); the txt and docx against the 附件1 they carry.
    table = {k: Decimal(v) for k, v in spec["table"].items()} if suffix == ".pdf" else None
    result = audit_document(document, catalogue=get_catalogue(2023), table=table, context=context,
                            use_attached=table is None)
    out = Score(name=name + suffix, slips=slips, result=result)
    for slip in slips:
        (out.found if any(_matches(f, slip) for f in result.findings) else out.missed).append(slip)
    for f in result.findings:
        if any(_matches(f, s) for s in slips):
            continue
        text = _quotes_text(f)
        (out.false_alarms if any(t in text for t in consistent) else out.other).append(f)
    return out
