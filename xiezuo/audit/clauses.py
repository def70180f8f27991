"""The clause model: a paragraph cut into clauses, each with what it is about, carried forward.

Plain Python. Chinese states a scope word (新增, 累计, 截至目前) or a subject (an 易地扶贫搬迁安置区,
a park, a project) once and lets the following clauses of the sentence inherit it:
"新增…到东部就业218人，省内就近就业580人，到其他地区就业1109人" — the last two are 新增 too;
"在…安置区援建帮扶车间2个，吸纳就业86人" — the 86 are the site's, not the county's. Each pass
below is one small function: `split` cuts the clauses, `carry_subject` and `carry_scope` walk
them, `side` says who is acting (the western unit, 我县/本县/全县, or its eastern partner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLAUSE_DELIMS = "，,；;。！？!?：:"
SENTENCE_DELIMS = "；;。！？!?"

# What a clause is about, when it is not the county's general work. Order matters: a site
# inside a park is the site.
SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("relocation", re.compile(r"易地扶贫搬迁|易地搬迁|搬迁安置|安置区|安置点")),
    ("park", re.compile(r"产业园|园区|示范园|工业集中区|工业园")),
    ("project", re.compile(r"[\u4e00-\u9fff]{2,}项目(?:完成|总|累计)?投资|项目(?:建成|建设)后")),
)
# A clause opening with the county speaking as a whole resets the subject.
COUNTY_RESET = re.compile(r"^(?:全县|我县|本县|全市|我市|本市|全区|我区|本区|全旗|县域|全年)")
SCOPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("new", re.compile(r"新增|新建|新引进|新认定|新培育|今年新|当年新")),
    ("cumulative", re.compile(r"累计|截至目前|截止目前|截至年底|截止年底|截至20\d\d年|截止20\d\d年|历年|共计")),
)
WEST_WORDS = ("我县", "本县", "全县", "我市", "本市", "全市", "我区", "本区", "全区", "我旗", "本旗", "西部")
EAST_WORDS = ("东部",)


@dataclass
class Clause:
    start: int  # offsets in the document text
    end: int
    sentence: int  # index of its sentence in the paragraph
    subject: str | None = None  # relocation | park | project | None (the county's general work)
    scope: str | None = None  # new | cumulative | None


def split(seg: str, b0: int) -> list[Clause]:
    """Clauses of a paragraph, each knowing its sentence."""
    out: list[Clause] = []
    start, sentence = 0, 0
    for i, ch in enumerate(seg):
        if ch in CLAUSE_DELIMS:
            if i > start:
                out.append(Clause(start=b0 + start, end=b0 + i, sentence=sentence))
            start = i + 1
            if ch in SENTENCE_DELIMS:
                sentence += 1
    if start < len(seg):
        out.append(Clause(start=b0 + start, end=b0 + len(seg), sentence=sentence))
    return out


def subject_of(text: str) -> str | None:
    for name, pattern in SUBJECTS:
        if pattern.search(text):
            return name
    return None


def carry_subject(clauses: list[Clause], text: str) -> None:
    """A subject named in a clause holds for the rest of its sentence, until the county speaks again."""
    current: str | None = None
    sentence = -1
    for c in clauses:
        if c.sentence != sentence:
            current, sentence = None, c.sentence
        body = text[c.start:c.end].strip()
        named = subject_of(body)
        if named is not None:
            current = named
        elif COUNTY_RESET.match(body):
            current = None
        c.subject = current


def carry_scope(clauses: list[Clause], text: str) -> None:
    """新增 / 累计 / 截至目前, stated once, holds for the rest of the sentence until another one."""
    current: str | None = None
    sentence = -1
    for c in clauses:
        if c.sentence != sentence:
            current, sentence = None, c.sentence
        body = text[c.start:c.end]
        found = [(m.start(), name) for name, pattern in SCOPES for m in pattern.finditer(body)]
        if found:
            current = max(found)[1]  # the last scope word of the clause is the one that carries
        c.scope = current


def scope_before(text: str) -> str | None:
    """The scope word nearest the end of `text` (the part of a clause before a figure)."""
    found = [(m.start(), name) for name, pattern in SCOPES for m in pattern.finditer(text)]
    return max(found)[1] if found else None


def side(text: str, west: tuple[str, ...], east: tuple[str, ...]) -> str | None:
    """Who acts in `text`: "e2w" when the eastern side is named first, "w2e" when the western one is.

    "和平区选派 3 名…到会宁县" is east to west; "我县选派…赴红桥区" and "会宁县选派 3 名…在和平区"
    are west to east. None when neither side is named.
    """
    west_all = (*west, *WEST_WORDS)
    east_all = (*east, *EAST_WORDS)
    first_e = min((k for k in (text.find(n) for n in east_all if n) if k >= 0), default=-1)
    first_w = min((k for k in (text.find(n) for n in west_all if n) if k >= 0), default=-1)
    if not east and first_w > 0 and first_e < 0 and \
            re.match(r"^[^，。；]{0,12}?[\u4e00-\u9fff]{2,6}(?:区|市|省|县)", text[:first_w]):
        first_e = 0  # 和平区选派…到会宁县: another place named first is the eastern side
    if first_e < 0 and first_w < 0:
        return None
    if first_w < 0 or (first_e >= 0 and first_e < first_w):
        return "e2w" if first_w >= 0 or "选派" in text or "到" in text else None
    return "w2e" if first_e >= 0 or "选派" in text or "赴" in text else None
