"""`synth_generate`: fill the database with a clearly synthetic nation, fast.

Everything is written in one transaction with bulk inserts (COPY on PostgreSQL, executemany on
SQLite), ids assigned here. A database holding real data is refused unless `force`; synthetic
data from an earlier run is replaced. Each part below writes one kind of record; parts for areas
whose apps are not installed are skipped.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q

from xiezuo.accounts.models import Profile, Role
from xiezuo.catalogue.loader import Catalogue
from xiezuo.catalogue.registry import get_catalogue
from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action
from xiezuo.core.errors import XiezuoError
from xiezuo.engine.validate import validate_units
from xiezuo.orgunits.models import Level, OrgUnit, Pairing, PairingKind, Side
from xiezuo.synth.bulk import insert_rows, next_id, sequences_reset, timestamp
from xiezuo.synth.ledgers import ledgers_available
from xiezuo.synth.plan import Sizes, Unit, east_units, west_units
from xiezuo.synth.values import Values, quantum, recompute_ratios, synthetic_values
from xiezuo.tables.models import DataValue, Source

DEFAULT_PASSWORD = "xiezuo-synth-2023"  # noqa: S105 — printed on purpose: synthetic accounts only
USER_PREFIX = "synth-"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "demo" / "data" / "tables"
SYNTH_NOTE = "合成数据"


class SynthRefused(XiezuoError):
    code = "synth_refused"


class Reporter(Protocol):
    """Progress callbacks: the CLI draws a progress bar, tests pass nothing."""

    def stage(self, name: str, total: int) -> None: ...
    def advance(self, n: int) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    password: str = ""
    replaced: int = 0


@dataclass
class Context:
    sizes: Sizes
    rng: random.Random
    catalogue: Catalogue
    now: datetime
    reporter: Reporter
    org_ids: dict[str, int] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    counties: list[Unit] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)  # username → id
    pairing_of: dict[str, str] = field(default_factory=dict)  # west county code → east district code


# --- guards and clean-up -------------------------------------------------------------------------

def real_data_present() -> bool:
    """Org units other than the national root that are not synthetic, or values for them."""
    return OrgUnit.objects.filter(synthetic=False).exclude(level=Level.NATION).exists()


def _ledger_models() -> list[Any]:
    if not apps.is_installed("xiezuo.ledgers"):
        return []
    from xiezuo.ledgers.models import LedgerRecord

    return [m for m in apps.get_app_config("ledgers").get_models() if issubclass(m, LedgerRecord)]


def synth_clear() -> int:
    """Delete every synthetic org unit and everything hanging off it; returns units removed."""
    synthetic = "SELECT id FROM orgunits_orgunit WHERE synthetic"
    qn = connection.ops.quote_name
    if not OrgUnit.objects.filter(synthetic=True).exists():
        return 0
    _dependents_clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM orgunits_orgunit WHERE synthetic")
        units = int(cursor.fetchone()[0])
        for model in _ledger_models():
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE org_id IN ({synthetic})")  # noqa: S608
        if apps.is_installed("xiezuo.submissions"):
            cursor.execute(
                f"DELETE FROM submissions_submissionevent WHERE submission_id IN "  # noqa: S608
                f"(SELECT id FROM submissions_submission WHERE org_id IN ({synthetic}))")
            cursor.execute(f"DELETE FROM submissions_submission WHERE org_id IN ({synthetic})")  # noqa: S608
        cursor.execute(f"DELETE FROM tables_datavalue WHERE org_id IN ({synthetic})")  # noqa: S608
        cursor.execute(f"DELETE FROM accounts_profile WHERE org_id IN ({synthetic})")  # noqa: S608
        cursor.execute("DELETE FROM auth_user WHERE username LIKE %s AND id NOT IN "
                       "(SELECT user_id FROM accounts_profile)", [USER_PREFIX + "%"])
        cursor.execute(f"DELETE FROM orgunits_pairing WHERE east_id IN ({synthetic}) "  # noqa: S608
                       f"OR west_id IN ({synthetic})")
        # Children before parents: the parent foreign key is protected.
        for level in (Level.COUNTY, Level.CITY, Level.PROVINCE):
            cursor.execute("DELETE FROM orgunits_orgunit WHERE synthetic AND level = %s", [level.value])
    return units


def _dependents_clear() -> None:
    """Rows of other areas that point at a synthetic org unit (targets, scores, reconciliations…).

    Through the ORM, so their own dependants go too; the big ledgers were removed in bulk before.
    """
    handled = {"tables", "accounts", "submissions", "orgunits"}
    bulk = set(_ledger_models())
    for model in apps.get_models():
        if model._meta.app_label in handled or model in bulk or not model.__module__.startswith("xiezuo."):
            continue
        links = [f.name for f in model._meta.get_fields()
                 if f.many_to_one and f.concrete and getattr(f, "related_model", None) is OrgUnit]
        if links:
            query = Q()
            for name in links:
                query |= Q(**{f"{name}__synthetic": True})
            model._base_manager.filter(query).delete()


# --- parts ---------------------------------------------------------------------------------------

def _orgunits(ctx: Context) -> int:
    nation, _ = OrgUnit.objects.get_or_create(
        code="000000", defaults={"name": "全国", "level": Level.NATION, "side": Side.WEST, "path": "/000000/"})
    west = west_units(ctx.sizes)
    ctx.counties = [u for u in west if u.level == "county"]
    east = east_units(len(ctx.counties), ctx.sizes.provinces)
    units = west + east
    ctx.units = {u.code: u for u in units}
    ctx.reporter.stage("行政区划", len(units))
    ctx.org_ids["000000"] = nation.pk
    paths = {"000000": nation.path}
    start = next_id(OrgUnit)
    rows = []
    for i, u in enumerate(units):
        ctx.org_ids[u.code] = start + i
        paths[u.code] = f"{paths[u.parent]}{u.code}/"
        rows.append((start + i, u.code, u.name, u.level, u.side, ctx.org_ids[u.parent], paths[u.code], True))
    insert_rows(OrgUnit, ["id", "code", "name", "level", "side", "parent", "path", "synthetic"], rows,
                advance=ctx.reporter.advance)
    districts = [u.code for u in east if u.level == "county"]
    ctx.pairing_of = dict(zip((c.code for c in ctx.counties), districts, strict=True))
    return len(units)


def _pairings(ctx: Context) -> int:
    ctx.reporter.stage("结对关系", len(ctx.pairing_of))
    start = next_id(Pairing)
    rows = (
        (start + i, ctx.org_ids[east], ctx.org_ids[west], PairingKind.COUNTY_DISTRICT.value, 2021, None)
        for i, (west, east) in enumerate(ctx.pairing_of.items())
    )
    return insert_rows(Pairing, ["id", "east", "west", "kind", "start_year", "end_year"], rows,
                       advance=ctx.reporter.advance)


def _accounts(ctx: Context, password: str) -> int:
    """Clerk and lead per county, a reviewer per city and province, a partner per eastern district."""
    wanted: list[tuple[str, str, str]] = [(f"{USER_PREFIX}admin", "000000", Role.ADMIN.value)]
    for code, unit in ctx.units.items():
        level = unit.level
        if unit.side == "east":
            if level == "county":
                wanted.append((f"{USER_PREFIX}{code}-partner", code, Role.EAST_PARTNER.value))
        elif level == "county":
            wanted += [(f"{USER_PREFIX}{code}-clerk", code, Role.COUNTY_CLERK.value),
                       (f"{USER_PREFIX}{code}-lead", code, Role.COUNTY_LEAD.value)]
        else:
            reviewer = Role.CITY_REVIEWER if level == "city" else Role.PROVINCE_REVIEWER
            wanted.append((f"{USER_PREFIX}{code}-reviewer", code, reviewer.value))
    ctx.reporter.stage("用户", len(wanted))
    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    hashed = make_password(password)  # one hash for all: hashing thousands of times takes minutes
    start, pstart = next_id(User), next_id(Profile)
    joined = timestamp(ctx.now)
    users = []
    profiles = []
    for i, (username, code, role) in enumerate(wanted):
        ctx.users[username] = start + i
        admin = role == Role.ADMIN.value
        users.append((start + i, hashed, None, admin, username, "", "", "", admin, True, joined))
        profiles.append((pstart + i, start + i, ctx.org_ids[code], role))
    insert_rows(User, ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                       "email", "is_staff", "is_active", "date_joined"], users)
    insert_rows(Profile, ["id", "user", "org", "role"], profiles, advance=ctx.reporter.advance)
    return len(users)


def template_values(catalogue: Catalogue) -> Values:
    """A real county's published figures for the catalogue's year: the magnitudes to scale."""
    values: Values = {}
    for path in sorted(TEMPLATE_DIR.glob("values-*.csv")):
        with path.open(encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if int(rec["year"]) == catalogue.year and rec["code"] in catalogue.by_code:
                    values.setdefault(rec["code"], catalogue.by_code[rec["code"]].parse(rec["value"]))
    if not values:
        raise SynthRefused(f"没有 {catalogue.year} 年的模板数值（{TEMPLATE_DIR}/values-*.csv）")
    return values


def _ledgers(ctx: Context) -> int:
    """Records of every ledger for every county this year (labour and sales at the sizes asked)."""
    from xiezuo.ledgers.schema import LEDGERS
    from xiezuo.synth.ledgers import PER_COUNTY, ledger_fields, ledger_rows

    counts = {ledger.kind: PER_COUNTY.get(ledger.kind, 5) for ledger in LEDGERS}
    counts["labour_placements"] = ctx.sizes.labour_per_county
    counts["consumption_sales"] = ctx.sizes.sales_per_county
    ctx.reporter.stage("台账", sum(counts.values()) * len(ctx.counties))
    updated = timestamp(ctx.now)
    text_dates = connection.vendor == "sqlite"
    total = 0
    for ledger in LEDGERS:
        model = apps.get_model(ledger.model)
        rng = random.Random(f"{ctx.rng.random()}-{ledger.kind}")

        def rows(ledger: Any = ledger, rng: random.Random = rng) -> Iterator[tuple[Any, ...]]:
            for county in ctx.counties:
                yield from ledger_rows(ledger, org_id=ctx.org_ids[county.code], county_code=county.code,
                                       county_name=county.name, year=ctx.sizes.year, count=counts[ledger.kind],
                                       rng=rng, updated_at=updated, as_text_dates=text_dates)

        total += insert_rows(model, ledger_fields(ledger), rows(), advance=ctx.reporter.advance)
    return total


def _derived(ctx: Context) -> dict[str, dict[str, Decimal]]:
    """Every synthetic county's figures derived from its ledgers, one query per ledger."""
    if not ledgers_available():
        return {}
    from xiezuo.ledgers.reconciliation import derived_values

    counties = OrgUnit.objects.filter(synthetic=True, level=Level.COUNTY, side=Side.WEST)
    return derived_values(ctx.sizes.year, counties)


def _with_derived(
    ctx: Context, entered: Values, entered_prev: Values, derived: dict[str, Decimal], growth: int
) -> tuple[Values, Values]:
    """The table as the ledgers give it, where that keeps every rule; the entered figure elsewhere.

    Last year's figure of a derived row is this year's scaled down, so year-over-year rules hold.
    A row a failing rule touches falls back to its entered figure (the reconciliation page then
    shows the difference, as it would for a real county).
    """
    current, previous = dict(entered), dict(entered_prev)
    for code, value in derived.items():
        row = ctx.catalogue.by_code[code]
        current[code] = value
        previous[code] = (value * growth / 100).quantize(quantum(row), rounding="ROUND_FLOOR")
    recompute_ratios(ctx.catalogue, current)
    recompute_ratios(ctx.catalogue, previous)
    for _ in range(len(ctx.catalogue.rules) + 1):
        findings = validate_units(ctx.catalogue, {"x": current}, {"x": previous})
        touched = {c for f in findings for c in f.codes if current.get(c) != entered.get(c)}
        touched |= {c for f in findings for c in f.codes if previous.get(c) != entered_prev.get(c)}
        if not touched:
            break
        for code in touched:
            current[code], previous[code] = entered.get(code), entered_prev.get(code)
        recompute_ratios(ctx.catalogue, current)
        recompute_ratios(ctx.catalogue, previous)
    return previous, current


def _values(ctx: Context) -> int:
    """This year's and last year's table for every county, each passing every rule."""
    template = template_values(ctx.catalogue)
    year = ctx.sizes.year
    derived_by_county = _derived(ctx)
    ctx.reporter.stage("统计表数值", len(ctx.counties))
    # Scaling depends only on the factor: compute each factor's figures once, not per county.
    cache: dict[tuple[int, int], tuple[Values, Values]] = {}
    updated = timestamp(ctx.now)

    def rows() -> Iterator[tuple[Any, ...]]:
        for county in ctx.counties:
            percent = ctx.rng.randint(50, 160)
            growth = ctx.rng.randint(80, 95)
            key = (percent, growth)
            if key not in cache:
                factor = Decimal(percent) / 100
                previous = synthetic_values(ctx.catalogue, template, seed=f"{percent}-{growth}-{year - 1}",
                                            factor=factor * growth / 100, label=SYNTH_NOTE)
                current = synthetic_values(ctx.catalogue, template, seed=f"{percent}-{growth}-{year}",
                                           factor=factor, label=SYNTH_NOTE)
                cache[key] = (dict(previous), dict(current))
            derived = derived_by_county.get(county.code, {})
            pair = _with_derived(ctx, cache[key][1], cache[key][0], derived, growth) if derived else cache[key]
            org_id = ctx.org_ids[county.code]
            for y, values in zip((year - 1, year), pair, strict=True):
                for code, value in values.items():
                    if value is None:
                        continue
                    row = ctx.catalogue.by_code[code]
                    source = Source.DERIVED.value if y == year and derived.get(code) == value \
                        and code in derived else Source.ENTERED.value
                    if row.value_kind == "text":
                        yield (org_id, y, code, None, f"{county.name}：{value}", source, False, SYNTH_NOTE, None,
                               updated, 1)
                    else:
                        yield (org_id, y, code, value, "", source, False, SYNTH_NOTE, None, updated, 1)
            ctx.reporter.advance(1)

    return insert_rows(DataValue, ["org", "year", "code", "number", "text", "source", "published", "note",
                                   "updated_by", "updated_at", "version"], rows())


def _submissions(ctx: Context) -> int:
    """A submission per county this year, in every state, with a timeline that led there."""
    if not apps.is_installed("xiezuo.submissions"):
        return 0
    from xiezuo.submissions.models import EventKind, State, Submission, SubmissionEvent

    ctx.reporter.stage("填报与审核", len(ctx.counties))
    year = ctx.sizes.year
    states = [State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED]
    weights = [35, 30, 10, 25]
    start, event_id = next_id(Submission), next_id(SubmissionEvent)
    submissions, events = [], []
    for i, county in enumerate(ctx.counties):
        state = ctx.rng.choices(states, weights)[0]
        sid = start + i
        city = county.parent
        clerk = f"{USER_PREFIX}{county.code}-clerk"
        lead = f"{USER_PREFIX}{county.code}-lead"
        reviewer = f"{USER_PREFIX}{city}-reviewer"
        t = ctx.now - timedelta(days=30, minutes=ctx.rng.randint(0, 20000))
        steps: list[tuple[Any, Any, Any, str, str]] = [(EventKind.CREATE, None, State.DRAFT, clerk, "")]
        if state in (State.SUBMITTED, State.RETURNED, State.APPROVED):
            steps.append((EventKind.SUBMIT, State.DRAFT, State.SUBMITTED, lead, "请审示。"))
        if state == State.RETURNED:
            steps.append((EventKind.RETURN, State.SUBMITTED, State.RETURNED, reviewer,
                          "请核实劳务协作相关数据后重新报送。（合成数据）"))
        if state == State.APPROVED:
            steps.append((EventKind.APPROVE, State.SUBMITTED, State.APPROVED, reviewer, "审核通过。"))
        submitted_at = approved_at = None
        for kind, before, after, who, comment in steps:
            t += timedelta(hours=ctx.rng.randint(2, 72))
            by_org = ctx.units[city if who == reviewer else county.code].name
            events.append((event_id, sid, kind.value, before.value if before else "", after.value,
                           ctx.users[who], who, by_org, timestamp(t), comment, "", "{}"))
            event_id += 1
            if kind == EventKind.SUBMIT:
                submitted_at = timestamp(t)
            if kind == EventKind.APPROVE:
                approved_at = timestamp(t)
        version = len(steps)
        submissions.append((sid, ctx.org_ids[county.code], year, state.value, version, timestamp(ctx.now - timedelta(days=40)),
                            timestamp(t), submitted_at, approved_at))
        ctx.reporter.advance(1)
    insert_rows(Submission, ["id", "org", "year", "state", "version", "created_at", "updated_at", "submitted_at",
                             "approved_at"], submissions)
    insert_rows(SubmissionEvent, ["id", "submission", "kind", "from_state", "to_state", "by", "by_name",
                                  "by_org_name", "at", "comment", "row_code", "explanations"], events)
    return len(submissions)


def _targets(ctx: Context) -> int:
    """An annual target for every key row of every county, near its figure: some met, some missed."""
    if not apps.is_installed("xiezuo.assessment"):
        return 0
    from xiezuo.assessment.models import Target

    rows = [r for r in ctx.catalogue.value_rows if r.key and r.is_numeric and r.value_kind != "percent"]
    year = ctx.sizes.year
    found: dict[tuple[int, str], Decimal] = {
        (org_id, code): number
        for org_id, code, number in DataValue.objects.filter(
            org__synthetic=True, org__level=Level.COUNTY, year=year, code__in=[r.code for r in rows],
            number__isnull=False).values_list("org_id", "code", "number")
        if number is not None
    }
    ctx.reporter.stage("年度目标", len(found))
    updated = timestamp(ctx.now)
    by_code = ctx.catalogue.by_code

    def target_rows() -> Iterator[tuple[Any, ...]]:
        for (org_id, code), number in sorted(found.items()):
            share = Decimal(ctx.rng.randint(85, 110)) / 100
            target = (number * share).quantize(quantum(by_code[code]), rounding="ROUND_HALF_UP")
            yield (org_id, year, code, target, SYNTH_NOTE, True, None, updated, 1)

    return insert_rows(Target, ["org", "year", "code", "number", "note", "illustrative", "updated_by",
                                "updated_at", "version"], target_rows(), advance=ctx.reporter.advance)


# Parts for other areas register here (ledgers, targets) as `name → function(ctx) -> rows made`.
EXTRA_PARTS: dict[str, Callable[[Context], int]] = {}


@dataclass(kw_only=True)
class SynthGenerate(Action[Summary]):
    """Replace any synthetic data with a new synthetic nation of the given size.

    One action: the clean-up and every part below are written inside its transaction (in bulk),
    and one change record says what was made.
    """

    kind = ActionKind.SYNTH_GENERATE
    admin_only = True
    exempt_reason = "合成数据只写入合成的单位，不属于任何真实单位某年度的填报"
    field_labels = {"sizes": "规模", "counts": "条数"}

    sizes: Sizes
    seed: int
    force: bool = False
    password: str = DEFAULT_PASSWORD
    reporter: Reporter | None = None

    def validate(self) -> None:
        self.sizes.check()
        if real_data_present() and not self.force:
            raise SynthRefused("数据库中已有真实（非合成）数据，合成数据不会写入；确认要混合写入请加 --force")

    def perform(self) -> Summary:
        sizes, password = self.sizes, self.password
        ctx = Context(sizes=sizes, rng=random.Random(self.seed), catalogue=get_catalogue(sizes.year),
                      now=datetime(sizes.year + 1, 1, 20, 9, 0, tzinfo=UTC), reporter=self.reporter or _Silent())
        summary = Summary(password=password)
        summary.replaced = synth_clear()
        parts: list[tuple[str, Callable[[Context], int]]] = [
            ("行政区划", _orgunits), ("结对关系", _pairings), ("用户", lambda c: _accounts(c, password)),
            *((("台账", _ledgers),) if ledgers_available() else ()),
            ("统计表数值", _values), ("填报", _submissions), ("年度目标", _targets), *EXTRA_PARTS.items(),
        ]
        for name, part in parts:
            started = time.perf_counter()
            summary.counts[name] = part(ctx)
            summary.seconds[name] = time.perf_counter() - started
        models: list[Any] = [OrgUnit, Pairing, get_user_model(), Profile, DataValue]
        if apps.is_installed("xiezuo.submissions"):
            from xiezuo.submissions.models import Submission, SubmissionEvent

            models += [Submission, SubmissionEvent]
        if apps.is_installed("xiezuo.assessment"):
            from xiezuo.assessment.models import Target

            models.append(Target)
        sequences_reset(models + _ledger_models())
        self.record(object_type="synth.nation", object_key=str(self.seed),
                    new={"sizes": dict(sizes.__dict__), "counts": summary.counts})
        return summary


synth_generate = SynthGenerate.run
