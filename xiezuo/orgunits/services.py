"""Writes of org units and pairings, including all-or-nothing CSV import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from xiezuo.core.action_kinds import ActionKind
from xiezuo.core.actions import Action, changed_fields
from xiezuo.core.errors import ErrorReport, InvalidValue, Location, XiezuoError
from xiezuo.orgunits.models import AssessmentClass, Level, OrgUnit, Pairing, PairingKind, Side

ORG_COLUMNS = ["code", "name", "level", "side", "parent_code"]
PAIRING_COLUMNS = ["east_code", "west_code", "kind", "start_year", "end_year"]
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class ImportResult:
    created: int
    updated: int


def _read_csv(path: Path, required: list[str]) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidValue("文件不是 UTF-8 编码的 CSV", location=Location(file=path.name)) from exc
    except OSError as exc:
        raise InvalidValue(f"无法读取文件：{exc.strerror}", location=Location(file=str(path))) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidValue(f"缺少列：{'、'.join(missing)}（应有列：{','.join(required)}）", location=Location(file=path.name))
    return list(reader)


def orgunits_import_csv(*, path: Path, by: AbstractBaseUser | None = None) -> ImportResult:
    """Create or update org units from CSV (code,name,level,side,parent_code). All or nothing."""
    rows = _read_csv(path, ORG_COLUMNS)
    errors: list[XiezuoError] = []
    known = {u.code: u for u in OrgUnit.objects.all()}
    incoming: dict[str, dict[str, str]] = {}
    for lineno, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()

        def bad(column: str, value: object, reason: str, lineno: int = lineno) -> None:
            errors.append(InvalidValue(reason, location=Location(file=path.name, row=lineno, column=column, value=value)))

        if not (code.isdigit() and len(code) in (6, 9, 12)):
            bad("code", code, "区划代码应为 6 位数字（GB/T 2260）")
        if not (row.get("name") or "").strip():
            bad("name", row.get("name"), "名称不能为空")
        if row.get("level") not in Level.values:
            bad("level", row.get("level"), f"层级应为 {'/'.join(Level.values)} 之一")
        if row.get("side") not in Side.values:
            bad("side", row.get("side"), "东西部应为 east 或 west")
        parent_code = (row.get("parent_code") or "").strip()
        if parent_code and parent_code not in known and parent_code not in incoming:
            bad("parent_code", parent_code, "上级区划不存在（上级须先于下级出现）")
        if code in incoming:
            bad("code", code, "区划代码重复")
        incoming[code] = row
    if errors:
        raise ErrorReport(errors=errors, file=path.name)

    return OrgUnitsImport(incoming=incoming, known=known, by=by).execute()


class OrgUnitsImport(Action[ImportResult]):
    """Org units checked by `orgunits_import_csv`, created or updated with one change record each."""

    kind = ActionKind.ORGUNITS_IMPORT
    admin_only = True
    exempt_reason = "行政区划不属于某个单位某年度的填报"
    field_labels = {"name": "名称", "level": "层级", "side": "东西部", "path": "上级路径"}

    def __init__(self, *, incoming: dict[str, dict[str, str]], known: dict[str, OrgUnit],
                 by: AbstractBaseUser | None) -> None:
        self.incoming, self.known, self.by = incoming, known, by

    def perform(self) -> ImportResult:
        created = updated = 0
        known = self.known
        for code, row in self.incoming.items():
            parent = known.get((row.get("parent_code") or "").strip()) if row.get("parent_code") else None
            path_str = (parent.path if parent else "/") + code + "/"
            fields = {
                "name": row["name"].strip(),
                "level": row["level"],
                "side": row["side"],
                "parent": parent,
                "path": path_str,
            }
            unit = known.get(code)
            if unit is None:
                unit = OrgUnit.objects.create(code=code, **fields)
                created += 1
                self.record(kind=ActionKind.ORGUNIT_CREATE, object_type="orgunits.orgunit", object_key=code,
                            org_code=code, new={"name": unit.name, "level": unit.level, "side": unit.side,
                                                "path": unit.path})
            else:
                old = {"name": unit.name, "level": unit.level, "side": unit.side, "path": unit.path}
                for k, v in fields.items():
                    setattr(unit, k, v)
                unit.save(update_fields=list(fields))
                updated += 1
                before, after = changed_fields(old, {"name": unit.name, "level": unit.level, "side": unit.side,
                                                     "path": unit.path})
                if after:
                    self.record(kind=ActionKind.ORGUNIT_UPDATE, object_type="orgunits.orgunit",
                                object_key=code, org_code=code, old=before, new=after)
            known[code] = unit
        return ImportResult(created=created, updated=updated)


def pairings_import_csv(*, path: Path, by: AbstractBaseUser | None = None) -> ImportResult:
    """Create pairings from CSV (east_code,west_code,kind,start_year,end_year). All or nothing."""
    rows = _read_csv(path, PAIRING_COLUMNS)
    units = {u.code: u for u in OrgUnit.objects.all()}
    errors: list[XiezuoError] = []
    parsed: list[tuple[OrgUnit, OrgUnit, str, int, int | None]] = []
    for lineno, row in enumerate(rows, start=2):
        def bad(column: str, value: object, reason: str, lineno: int = lineno) -> None:
            errors.append(InvalidValue(reason, location=Location(file=path.name, row=lineno, column=column, value=value)))

        east = units.get((row.get("east_code") or "").strip())
        west = units.get((row.get("west_code") or "").strip())
        if east is None or east.side != Side.EAST:
            bad("east_code", row.get("east_code"), "东部区划不存在或不属于东部")
        if west is None or west.side != Side.WEST:
            bad("west_code", row.get("west_code"), "西部区划不存在或不属于西部")
        kind = (row.get("kind") or "county").strip()
        if kind not in PairingKind.values:
            bad("kind", kind, f"结对类型应为 {'/'.join(PairingKind.values)} 之一")
        try:
            start = int(row.get("start_year") or "")
        except ValueError:
            bad("start_year", row.get("start_year"), "起始年度应为四位整数")
            start = 0
        end_raw = (row.get("end_year") or "").strip()
        end: int | None = None
        if end_raw:
            try:
                end = int(end_raw)
            except ValueError:
                bad("end_year", end_raw, "截止年度应为四位整数或留空")
        if east and west and start:
            parsed.append((east, west, kind, start, end))
    if errors:
        raise ErrorReport(errors=errors, file=path.name)
    return PairingsImport(parsed=parsed, by=by).execute()


class PairingsImport(Action[ImportResult]):
    """Pairings checked by `pairings_import_csv`; the ones not there yet are created and recorded."""

    kind = ActionKind.PAIRINGS_IMPORT
    admin_only = True
    exempt_reason = "结对关系不属于某个单位某年度的填报"
    field_labels = {"east": "东部区县", "west": "西部县", "kind": "结对类型", "start_year": "起始年度"}

    def __init__(self, *, parsed: list[tuple[OrgUnit, OrgUnit, str, int, int | None]],
                 by: AbstractBaseUser | None) -> None:
        self.parsed, self.by = parsed, by

    def perform(self) -> ImportResult:
        created = 0
        for east, west, kind, start, end in self.parsed:
            _, was_created = Pairing.objects.get_or_create(
                east=east, west=west, kind=kind, start_year=start, defaults={"end_year": end}
            )
            if was_created:
                created += 1
                self.record(kind=ActionKind.PAIRING_CREATE, object_type="orgunits.pairing",
                            object_key=f"{east.code}-{west.code}-{kind}-{start}", org_code=west.code,
                            new={"east": east.code, "west": west.code, "kind": kind, "start_year": start})
        return ImportResult(created=created, updated=0)


def orgunits_load_base(*, by: AbstractBaseUser | None = None) -> None:
    """The divisions and the pairing the demo and the tests start from."""
    orgunits_import_csv(path=DATA_DIR / "orgunits.csv", by=by)
    pairings_import_csv(path=DATA_DIR / "pairings.csv", by=by)


class OrgUnitUpdate(Action[OrgUnit]):
    """An administrator renames a unit or changes its settings (the lead's sign-off before 报送)."""

    kind = ActionKind.ORGUNIT_UPDATE
    admin_only = True
    exempt_reason = "行政区划的管理不属于填报数据"
    field_labels = {"name": "名称", "lead_signoff_required": "报送前须负责人审核", "assessment_class": "考核类别"}

    def __init__(self, *, org: OrgUnit, name: str, lead_signoff_required: bool,
                 assessment_class: str | None = None, by: AbstractBaseUser | None = None) -> None:
        if not name.strip():
            raise InvalidValue("名称不能为空", location=Location(column="名称", value=name))
        if assessment_class and assessment_class not in AssessmentClass.values:
            raise InvalidValue(f"考核类别「{assessment_class}」不存在",
                               location=Location(column="考核类别", value=assessment_class))
        self.org, self.name, self.lead_signoff_required, self.by = org, name.strip(), lead_signoff_required, by
        self.assessment_class = org.assessment_class if assessment_class is None else assessment_class

    def perform(self) -> OrgUnit:
        unit = OrgUnit.objects.select_for_update().get(pk=self.org.pk)
        fields = ("name", "lead_signoff_required", "assessment_class")
        old = {f: getattr(unit, f) for f in fields}
        unit.name, unit.lead_signoff_required = self.name, self.lead_signoff_required
        unit.assessment_class = self.assessment_class
        unit.save(update_fields=list(fields))
        before, after = changed_fields(old, {f: getattr(unit, f) for f in fields})
        if after:
            self.record(object_type="orgunits.orgunit", object_key=unit.code, org_code=unit.code,
                        old=before, new=after)
        return unit


class PairingCreate(Action[Pairing]):
    """An administrator records a pairing between an eastern and a western unit."""

    kind = ActionKind.PAIRING_CREATE
    admin_only = True
    exempt_reason = "结对关系的管理不属于填报数据"
    field_labels = {"kind": "结对类型", "start_year": "起始年度", "end_year": "截止年度"}

    def __init__(self, *, east: OrgUnit, west: OrgUnit, kind: str, start_year: int, end_year: int | None,
                 by: AbstractBaseUser | None = None) -> None:
        if east.side != Side.EAST or west.side != Side.WEST:
            raise InvalidValue(f"结对应为东部单位与西部单位：「{east.name}」「{west.name}」",
                               location=Location(column="东部单位", value=east.code))
        if kind not in PairingKind.values:
            raise InvalidValue(f"结对类型「{kind}」不存在", location=Location(column="结对类型", value=kind))
        if end_year is not None and end_year < start_year:
            raise InvalidValue(f"截止年度 {end_year} 早于起始年度 {start_year}",
                               location=Location(column="截止年度", value=end_year))
        self.east, self.west, self.pairing_kind, self.start_year, self.end_year, self.by = (
            east, west, kind, start_year, end_year, by)

    def validate(self) -> None:
        if Pairing.objects.filter(east=self.east, west=self.west, kind=self.pairing_kind,
                                  start_year=self.start_year).exists():
            raise InvalidValue(f"「{self.east.name}」与「{self.west.name}」自 {self.start_year} 年起的"
                               f"{PairingKind(self.pairing_kind).label}已存在")

    def perform(self) -> Pairing:
        pairing = Pairing.objects.create(east=self.east, west=self.west, kind=self.pairing_kind,
                                         start_year=self.start_year, end_year=self.end_year)
        self.record(object_type="orgunits.pairing", object_key=f"{self.east.code}-{self.west.code}",
                    org_code=self.west.code,
                    new={"kind": self.pairing_kind, "start_year": self.start_year, "end_year": self.end_year})
        return pairing


orgunit_update = OrgUnitUpdate.run
pairing_create = PairingCreate.run
