"""Figures for the dashboards: plain data (lists of labels and Decimal values) for charts and tables.

Row codes name the catalogue's stable rows (kept across years); everything else follows the
catalogue's structure (sub-items, key rows), so a new year's template needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xiezuo.catalogue.loader import Catalogue, Row
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.orgunits.models import OrgUnit
from xiezuo.submissions.models import State
from xiezuo.submissions.selectors import submissions_for_many
from xiezuo.tables.selectors import values_for_many

FUNDS_ROW = "funds_allocated"
LABOUR_ROWS = ("labour_east", "labour_local", "labour_other")
SALES_ROW = "consumption_sales"
STATE_LABELS = dict(State.choices)


def _num(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _short(label: str) -> str:
    """Labels as printed carry numbering and 其中/用于 prefixes; charts need the noun."""
    text = label
    if len(text) > 2 and text[0].isdigit() and text[1] in ".、":
        text = text[2:].strip()
    for prefix in ("其中：", "其中:", "用于", "截止目前，", "截至目前，", "目前"):
        text = text.removeprefix(prefix)
    return text.strip()


@dataclass
class Series:
    """One chart: category labels, one or more named value lists, the unit, and a caption."""

    key: str
    title: str
    unit: str
    labels: list[str]
    series: dict[str, list[Decimal | None]]
    note: str = ""
    extra: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        # A legend never shows a series (a year) with no data at all.
        shown = {name: values for name, values in self.series.items() if any(v is not None for v in values)}
        return {
            "key": self.key, "title": self.title, "unit": self.unit, "labels": _distinct(self.labels),
            "series": {name: [None if v is None else str(v) for v in values] for name, values in shown.items()},
            "extra": self.extra,
        }

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The chart as table lines: label, then each series' value as printed."""
        out = []
        for i, label in enumerate(self.labels):
            cells = [("—" if vals[i] is None else _fmt(vals[i])) for vals in self.series.values()]
            cells += [vals[i] for vals in self.extra.values()]
            out.append((label, cells))
        return out

    @property
    def columns(self) -> list[str]:
        return [*self.series.keys(), *self.extra.keys()]


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(part: Decimal | None, whole: Decimal | None) -> str:
    if part is None or not whole:
        return "—"
    return f"{(part / whole * 100).quantize(Decimal('0.1'))}%"


def county_charts(org: OrgUnit, year: int) -> list[Series]:
    catalogue = get_catalogue(year)
    both = values_for_many([org], year, catalogue)[org.code], values_for_many([org], year - 1, catalogue)[org.code]
    now, before = both
    charts: list[Series] = []

    if FUNDS_ROW in catalogue.by_code:
        parts = catalogue.sub_items(FUNDS_ROW)
        charts.append(Series(
            key="funds", title=f"财政援助资金用途（{catalogue.by_code[FUNDS_ROW].unit}）",
            unit=catalogue.by_code[FUNDS_ROW].unit, labels=[_short(r.label) for r in parts],
            series={f"{year}年": [_num(now.get(r.code)) for r in parts],
                    f"{year - 1}年": [_num(before.get(r.code)) for r in parts]},
            note=f"已拨付到位 {_fmt(_num(now.get(FUNDS_ROW)))} 万元；分项之间可能交叉统计。",
        ))

    labour = [catalogue.by_code[c] for c in LABOUR_ROWS if c in catalogue.by_code]
    if labour:
        poor = [next(iter(catalogue.sub_items(r.code, "subset")), None) for r in labour]
        totals = [_num(now.get(r.code)) for r in labour]
        poor_values = [_num(now.get(p.code)) if p else None for p in poor]
        # The share is part of each bar's name so it reads without the legend's colours.
        charts.append(Series(
            key="labour", title="农村劳动力就业去向（人）", unit="人",
            labels=[f"{_destination(r)}（脱贫占{_pct(p, t)}）" for r, p, t in zip(labour, poor_values, totals, strict=True)],
            series={"其中脱贫劳动力": poor_values,
                    "其他农村劳动力": [(t - p) if t is not None and p is not None else t
                                for t, p in zip(totals, poor_values, strict=True)]},
            extra={"合计": [_fmt(t) for t in totals],
                   "脱贫占比": [_pct(p, t) for p, t in zip(poor_values, totals, strict=True)]},
        ))

    key_rows = [r for r in catalogue.value_rows if r.key and r.is_numeric and r.relation is None]
    if SALES_ROW in catalogue.by_code and catalogue.by_code[SALES_ROW] not in key_rows:
        key_rows.append(catalogue.by_code[SALES_ROW])
    # Only rows with both years can be indexed; the others are listed in the note.
    compared = [r for r in key_rows if _num(before.get(r.code)) and _num(now.get(r.code)) is not None]
    missing = [_short(r.label) for r in key_rows if r not in compared]
    charts.append(Series(
        key="compare", title="重点指标本年与上年对比（上年 = 100）", unit="指数",
        labels=[f"{_short(r.label)}（{r.unit}）" for r in compared],
        series={f"{year - 1}年": [Decimal(100) for _ in compared],
                f"{year}年": [_index(_num(now.get(r.code)), _num(before.get(r.code))) for r in compared]},
        extra={f"{year - 1}年数值": [_fmt(_num(before.get(r.code))) for r in compared],
               f"{year}年数值": [_fmt(_num(now.get(r.code))) for r in compared]},
        note=("上年无数据、未列入对比：" + "、".join(missing)) if missing else "",
    ))
    return charts


def _destination(row: Row) -> str:
    label = _short(row.label)
    for word in ("东部结对省份", "省内就近", "其他地区"):
        if word in label:
            return word
    return label[:12]


def _distinct(labels: list[str]) -> list[str]:
    """Category names as a chart shows them: a name used twice gets its position, so no two bars share one."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    counts: dict[str, int] = {}
    out = []
    for label in labels:
        if seen[label] > 1:
            counts[label] = counts.get(label, 0) + 1
            out.append(f"{label}（{counts[label]}）")
        else:
            out.append(label)
    return out


def _index(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or not before:
        return None
    return (now / before * 100).quantize(Decimal("0.1"))


def area_charts(parent: OrgUnit, year: int) -> tuple[list[Series], list[Row]]:
    """For a city or province: completeness of its units' submissions, and its units on each key row."""
    catalogue = get_catalogue(year)
    units = list(OrgUnit.objects.filter(parent=parent).order_by("code"))
    # A province's cities hold no figures of their own: their columns are the roll-up of their counties.
    from xiezuo.rollup.selectors import area_table

    rolled = {c.code: c.values for c in area_table(parent, year).units}
    values = {u.code: rolled.get(u.code, {}) for u in units}
    submissions = submissions_for_many(units, year)
    fillable = [r for r in catalogue.value_rows]
    filled = [sum(1 for r in fillable if values[u.code].get(r.code) is not None) for u in units]
    states = [STATE_LABELS[submissions[u.pk].state] if u.pk in submissions else STATE_LABELS[State.DRAFT]
              for u in units]
    charts = [Series(
        key="completeness", title="下级单位填报完整度（已填指标占比，%）", unit="%",
        labels=[u.name for u in units],
        series={"已填占比": [(Decimal(n * 100) / len(fillable)).quantize(Decimal("0.1")) if fillable else None
                          for n in filled]},
        extra={"已填/应填": [f"{n}/{len(fillable)}" for n in filled], "报送状态": states},
    )]
    key_rows = _key_rows(catalogue)
    titles = _distinct([f"{_short(row.label)}（{row.unit}）" for row in key_rows])
    for row, title in zip(key_rows, titles, strict=True):
        charts.append(Series(
            key=f"key-{row.code}", title=title, unit=row.unit,
            labels=[u.name for u in units],
            series={f"{year}年": [_num(values[u.code].get(row.code)) for u in units]},
        ))
    return charts, key_rows


def _key_rows(catalogue: Catalogue) -> list[Row]:
    return [r for r in catalogue.value_rows if r.key and r.is_numeric]
