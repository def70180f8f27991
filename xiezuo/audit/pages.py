"""What the audit page shows: the report text cut into pieces, each marked with its findings.

Plain Python over an `AuditResult`; the view only renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xiezuo.audit.audit import AuditResult
from xiezuo.audit.checks import CHECK_LABELS, SEVERITY_LABELS, AuditFinding

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Piece:
    text: str
    findings: list[int] = field(default_factory=list)  # 1-based numbers in the list beside the text
    severity: str = ""
    anchor: str = ""

    @property
    def finding_ids(self) -> str:
        return " ".join(f"f{n}" for n in self.findings)


@dataclass
class ShownFinding:
    number: int
    finding: AuditFinding
    anchor: str  # id of the first highlighted quote in the text, if any

    @property
    def check_label(self) -> str:
        return CHECK_LABELS[self.finding.check]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.finding.severity]


def annotated_pieces(result: AuditResult) -> tuple[list[Piece], list[ShownFinding]]:
    text = result.extraction.document.text
    spans: list[tuple[int, int, int]] = []  # start, end, finding number
    for n, f in enumerate(result.findings, start=1):
        for q in f.quotes:
            loc = q.get("location")
            if not isinstance(loc, dict) or not isinstance(loc.get("start"), int):
                continue  # a table quote has no place in the text
            spans.append((int(loc["start"]), int(loc["end"]), n))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces: list[Piece] = []
    first_anchor: dict[int, str] = {}
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = sorted({n for s, e, n in spans if s <= a and b <= e})
        piece = Piece(text=text[a:b], findings=covering)
        if covering:
            piece.severity = min((result.findings[n - 1].severity for n in covering), key=SEVERITY_ORDER.__getitem__)
            piece.anchor = f"q{a}"
            for n in covering:
                first_anchor.setdefault(n, piece.anchor)
        pieces.append(piece)
    shown = [ShownFinding(number=n, finding=f, anchor=first_anchor.get(n, ""))
             for n, f in enumerate(result.findings, start=1)]
    return pieces, shown
