"""Reads for the report: the latest version of each text, and the whole document's content."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, OuterRef, Subquery

from xiezuo.catalogue.loader import Catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.documents.drafting import Context, Draft, FieldValue, LedgerItem, draft_tasks
from xiezuo.documents.gbt9704 import CaseData, CoverData, ReportContent, TableAttachment
from xiezuo.documents.models import CoverLetter, DraftedParagraph, Narrative, NarrativeSection, TypicalCase
from xiezuo.orgunits.models import Level, OrgUnit, Pairing
from xiezuo.rollup.selectors import area_table, area_values
from xiezuo.tables.exports import Column
from xiezuo.tables.models import DataValue
from xiezuo.tables.selectors import values_for_many


@dataclass
class DocumentTexts:
    """What the user wrote for one org unit and year, latest versions only."""

    cover: CoverLetter | None = None
    narratives: dict[str, Narrative] = field(default_factory=dict)
    cases: list[TypicalCase] = field(default_factory=list)
    paragraphs: dict[str, DraftedParagraph] = field(default_factory=dict)  # edited 一、 paragraphs by key

    @property
    def edited(self) -> dict[str, str]:
        """The templates of the paragraphs the user edited (an empty save went back to the draft)."""
        return {key: p.text for key, p in self.paragraphs.items() if p.text.strip()}

    def paragraph_version(self, key: str) -> int:
        p = self.paragraphs.get(key)
        return p.version if p else 0

    def narrative_text(self, section: str) -> str:
        n = self.narratives.get(section)
        return n.text if n else ""

    def narrative_version(self, section: str) -> int:
        n = self.narratives.get(section)
        return n.version if n else 0


def document_texts(org: OrgUnit, year: int) -> DocumentTexts:
    """Four queries whatever the history: the latest cover letter, narratives, cases and edited paragraphs."""
    cover = (
        CoverLetter.objects.select_related("created_by").filter(org=org, year=year).order_by("-version").first()
    )
    latest_narrative = (
        Narrative.objects.filter(org=org, year=year, section=OuterRef("section"))
        .values("section").annotate(v=Max("version")).values("v")
    )
    narratives = {
        n.section: n
        for n in Narrative.objects.filter(org=org, year=year, version=Subquery(latest_narrative))
    }
    latest_case = (
        TypicalCase.objects.filter(org=org, year=year, number=OuterRef("number"))
        .values("number").annotate(v=Max("version")).values("v")
    )
    cases = list(
        TypicalCase.objects.filter(org=org, year=year, version=Subquery(latest_case), removed=False)
        .order_by("number")
    )
    latest_paragraph = (
        DraftedParagraph.objects.filter(org=org, year=year, key=OuterRef("key"))
        .values("key").annotate(v=Max("version")).values("v")
    )
    paragraphs = {
        p.key: p for p in DraftedParagraph.objects.filter(org=org, year=year, version=Subquery(latest_paragraph))
    }
    return DocumentTexts(cover=cover, narratives=narratives, cases=cases, paragraphs=paragraphs)


def report_title(org: OrgUnit, year: int) -> str:
    return f"{org.name}{year}年度东西部协作工作自评报告"


def report_filename(org: OrgUnit, year: int, suffix: str = ".docx") -> str:
    return f"{report_title(org, year)}{suffix}"


def partner_names(org: OrgUnit, year: int) -> str:
    """The eastern units paired with this unit or any unit below it in that year (和平区)."""
    pairs = (
        Pairing.objects.select_related("east")
        .filter(west__path__startswith=org.path, start_year__lte=year)
        .exclude(end_year__lt=year)
        .order_by("east__code")
    )
    names = list(dict.fromkeys(p.east.name for p in pairs))
    return "、".join(names) if names else "东部协作地区"


@dataclass
class ReportData:
    """Everything the report is made of, read once: content for the DOCX and the draft's bindings."""

    org: OrgUnit
    year: int
    content: ReportContent
    draft: Draft
    texts: DocumentTexts
    # What the unit still has to write or fill, said before the document is generated.
    warnings: list[str] = field(default_factory=list)


def table_columns(org: OrgUnit, year: int) -> tuple[list[Column], str]:
    """The value columns of 附件1 and the heading over them.

    A county's table shows its own column under its city's name (as the seed prints it); a city's
    or province's shows the area's roll-up first, then each unit directly below it.
    """
    if org.level == Level.COUNTY:
        values = values_for_many([org], year)
        return [Column(name=org.name, values=values[org.code])], org.parent.name if org.parent else org.name
    table = area_table(org, year)
    columns = table.export_columns()
    # The 合计 column shows figures only: the counties' text entries stand in their own columns.
    totals = {code: v for code, v in columns[0].values.items() if not isinstance(v, str)}
    columns[0] = Column(name=f"{org.name}合计", values=totals)
    return columns, org.name


def _prior_values(org: OrgUnit, year: int, catalogue: Catalogue) -> Mapping[str, Decimal | str | None]:
    # Rows are matched across years by code, so last year's values read with this year's template.
    if org.level == Level.COUNTY:
        return values_for_many([org], year - 1, catalogue)[org.code]
    return area_values(org, year - 1)


def ledger_items(org: OrgUnit, year: int, kinds: Iterable[str]) -> dict[str, list[LedgerItem]]:
    """This year's records of each ledger the drafting rules read, one query per ledger; none for areas."""
    if org.level != Level.COUNTY:
        return {}
    from django.apps import apps

    from xiezuo.ledgers.schema import ledger_of

    out: dict[str, list[LedgerItem]] = {}
    for kind in sorted(kinds):
        ledger = ledger_of(kind)
        model = apps.get_model(ledger.model)
        names = list(ledger.by_name)
        labels = {c.name: c.label_of for c in ledger.by_name.values() if c.type == "code"}
        items = []
        for rec in model.objects.filter(org=org, year=year).order_by("pk").values("pk", "synthetic", *names):
            fields: dict[str, FieldValue] = {}
            for name in names:
                value = rec[name]
                column = ledger.by_name[name]
                fields[name] = Decimal(value) if column.numeric and value is not None else value
            items.append(LedgerItem(key=f"{kind}:{rec['pk']}", fields=fields, synthetic=rec["synthetic"], labels=labels))
        out[kind] = items
    return out


def withheld_codes(org: OrgUnit, year: int) -> set[str]:
    """Figures of a table taken from a published document that the document did not print.

    When some of a year's values are marked published, the others were inferred (e.g. a 2022
    figure worked out from the published total): kept for checks, never printed as fact.
    """
    flags = dict(DataValue.objects.filter(org=org, year=year).values_list("code", "published"))
    if not any(flags.values()):
        return set()
    return {code for code, published in flags.items() if not published}


def report_data(org: OrgUnit, year: int) -> ReportData:
    catalogue = get_catalogue(year)
    columns, group = table_columns(org, year)
    own = columns[0].values
    prev = dict(_prior_values(org, year, catalogue))
    withheld = withheld_codes(org, year - 1) if org.level == Level.COUNTY else set()
    for code in withheld:
        prev.pop(code, None)
    texts = document_texts(org, year)
    kinds = catalogue.drafting.ledgers if catalogue.drafting is not None else frozenset()
    area = org.level != Level.COUNTY
    draft = draft_tasks(
        catalogue, own, prev, Context(org_name=org.name, year=year, partner=partner_names(org, year), area=area),
        ledgers=ledger_items(org, year, kinds), edited=texts.edited,
    )
    warnings: list[str] = list(draft.warnings)
    if area:
        units = columns[1:]
        missing = [c.name for c in units if not any(v not in (None, "") for v in c.values.values())]
        if missing:
            draft.note = (f"{org.name}所辖{len(units)}个县（市、区）中，{'、'.join(missing)}尚未报送{year}年度数据，"
                          f"以下数据为其余{len(units) - len(missing)}个县（市、区）的汇总。")
            warnings.append(f"{'、'.join(missing)}尚未报送{year}年度数据：文中已写明，附件1中其列为空")
    cover = texts.cover
    # The covering 报告 carries the unit's own 发文机关标志, 字号, 主送机关 and 成文日期: never made up here.
    cover_data = (
        CoverData(
            issuer_mark=cover.issuer_mark, doc_number=cover.doc_number, title=cover.title,
            recipient=cover.recipient, body=cover.body, signatory=cover.signatory, signed_on=cover.signed_on,
            signer=cover.signer, copies_to=cover.copies_to, printed_by=cover.printed_by, printed_on=cover.printed_on,
        )
        if cover is not None else None
    )
    if cover is None:
        warnings.append("尚未填写报送文件（发文机关标志、发文字号、主送机关、成文日期）：文档不含报送文件页")
    for section, name in ((NarrativeSection.INNOVATION, "二、工作创新情况"), (NarrativeSection.PROBLEMS, "三、存在问题及意见建议")):
        if not texts.narrative_text(section).strip():
            warnings.append(f"尚未填写「{name}」：文档中略去该部分")
    content = ReportContent(
        title=report_title(org, year),
        intro=texts.narrative_text(NarrativeSection.INTRO),
        draft=draft,
        innovation=texts.narrative_text(NarrativeSection.INNOVATION),
        problems=texts.narrative_text(NarrativeSection.PROBLEMS),
        table=TableAttachment(title=catalogue.title, catalogue=catalogue, columns=columns, group_header=group),
        cases_title=f"{year}年东西部协作典型案例",
        cases=[CaseData(title=c.title, text=c.text) for c in texts.cases],
        cover=cover_data,
        unit_name=cover.signatory if cover is not None else org.name,
        dated=cover.signed_on if cover is not None else None,
    )
    return ReportData(org=org, year=year, content=content, draft=draft, texts=texts, warnings=warnings)
