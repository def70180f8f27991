"""Turning cells of a ledger file (or a form) into typed values, or saying in Chinese why not.

Plain Python. One converter per column is built once per file; the good path raises nothing and
allocates little, so 100,000 rows check in about a second. Every bad cell becomes a `CellError`;
the caller decides (all or nothing) what to do with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from xiezuo.core.textcheck import shown as shown_text
from xiezuo.core.textcheck import text_problem
from xiezuo.ledgers import idcard
from xiezuo.ledgers.schema import (
    FUND_SUBCATEGORIES,
    INT_MAX,
    MONEY_MAX,
    MONEY_SCALE,
    NO,
    PART_OF_WHOLE,
    RECORD_KEY_HEADER,
    STAGE_OF_STATUS,
    YES,
    Column,
    Ledger,
    months_between,
    stay_bucket,
)

TRUE_WORDS = frozenset({YES, "Y", "y", "1", "TRUE", "True", "true", "√", "yes"})
FALSE_WORDS = frozenset({NO, "N", "n", "0", "FALSE", "False", "false", "×", "no"})


class Bad(Exception):
    """A cell that cannot be used; `reason` is Chinese and never contains a full ID number."""

    def __init__(self, reason: str, shown: object = None) -> None:
        self.reason = reason
        self.shown = shown
        super().__init__(reason)


@dataclass(frozen=True)
class CellError:
    sheet: str | None
    row: int
    column: str
    value: object
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "value": None if self.value is None else str(self.value), "reason": self.reason}


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(col: Column) -> Callable[[object], object]:
    limit = col.max_length

    def convert(raw: object) -> object:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = str(raw).strip()
        problem = text_problem(text, limit)
        if problem:
            raise Bad(f"「{col.header}」{problem}")
        return text

    return convert


def _int(col: Column) -> Callable[[object], object]:
    def convert(raw: object) -> object:
        if type(raw) is int:
            value = raw
        elif isinstance(raw, float):
            if not raw.is_integer():
                raise Bad(f"「{col.header}」应填整数")
            value = int(raw)
        elif isinstance(raw, bool):
            raise Bad(f"「{col.header}」应填整数")
        else:
            text = str(raw).strip().replace(",", "").replace("，", "")
            try:
                value = int(text)
            except ValueError:
                try:
                    d = Decimal(text)
                except InvalidOperation:
                    raise Bad(f"「{col.header}」应填整数，不能填文字") from None
                # The magnitude first: int() of 1e999999999 would allocate a billion digits.
                if not d.is_finite() or d.copy_abs() > INT_MAX or d != d.to_integral_value():
                    if d.is_finite() and d.copy_abs() > INT_MAX:
                        raise Bad(_too_big_int(col)) from None
                    raise Bad(f"「{col.header}」应填整数") from None
                value = int(d)
        if value < 0:
            raise Bad(f"「{col.header}」不能为负数")
        if value > INT_MAX:
            raise Bad(_too_big_int(col))
        return value

    return convert


def _too_big_int(col: Column) -> str:
    return f"「{col.header}」数值过大：最大为 {INT_MAX:,}"


_MONEY_QUANT = Decimal(1).scaleb(-MONEY_SCALE)


def _money(col: Column) -> Callable[[object], object]:
    limit = col.max_plausible

    def convert(raw: object) -> object:
        if isinstance(raw, bool):
            raise Bad(f"「{col.header}」应填金额（万元）")
        if isinstance(raw, int | float):
            # Shortest round-trip text: 612.3725 read from a spreadsheet stays 612.3725.
            value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        elif isinstance(raw, Decimal):
            value = raw
        else:
            text = str(raw).strip().replace(",", "").replace("，", "")
            if text.endswith("万元"):
                text = text[:-2].strip()
            elif text.endswith("元") or text.endswith("亿元"):
                raise Bad(f"「{col.header}」以万元为单位，请换算后只填数字")
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise Bad(f"「{col.header}」应填金额（万元），不能填文字") from None
        if not value.is_finite():
            raise Bad(f"「{col.header}」应填金额（万元）")
        if value < 0:
            raise Bad(f"「{col.header}」不能为负数")
        if value > MONEY_MAX:
            raise Bad(f"「{col.header}」金额过大：最大为 {MONEY_MAX:,} 万元（即 10^12 元）")
        if value != value.quantize(_MONEY_QUANT):
            raise Bad(f"「{col.header}」以万元为单位，最多保留 {MONEY_SCALE} 位小数（即精确到元）")
        if limit is not None and value > limit:
            raise Bad(
                f"「{col.header}」单位是万元，{value.normalize():f} 万元对一条记录而言过大，"
                f"疑似按元填写（应除以 10000，如 125000 元填 12.5）"
            )
        return value

    return convert


def _parse_date_text(text: str) -> dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for sep in ("/", "."):
        if sep in text:
            y, m, d = text.split(sep)[:3]
            return dt.date(int(y), int(m), int(d.split()[0]))
    if "年" in text and "月" in text:
        y, rest = text.split("年", 1)
        m, rest = rest.split("月", 1)
        return dt.date(int(y), int(m), int(rest.rstrip("日").strip()))
    raise ValueError(text)


def _date(col: Column, year: int) -> Callable[[object], object]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = col.in_year

    def convert(raw: object) -> object:
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            raise Bad(f"「{col.header}」应为日期（如 {year}-03-15），请把单元格设为日期或文本格式")
        else:
            try:
                value = _parse_date_text(str(raw))
            except (ValueError, TypeError, OverflowError):
                raise Bad(f"「{col.header}」应为日期，格式如 {year}-03-15") from None
        if in_year and not first <= value <= last:
            raise Bad(f"「{col.header}」不在 {year} 年度内")
        if value > last:
            raise Bad(f"「{col.header}」晚于 {year} 年度末")
        return value

    return convert


def _bool(col: Column) -> Callable[[object], object]:
    def convert(raw: object) -> object:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise Bad(f"「{col.header}」应填「{YES}」或「{NO}」")

    return convert


def _code(col: Column) -> Callable[[object], object]:
    lookup = col.code_of
    allowed = "、".join(label for _, label in col.choices)

    def convert(raw: object) -> object:
        code = lookup.get(str(raw).strip())
        if code is None:
            raise Bad(f"「{col.header}」的值不在可选范围内（可选：{allowed}）")
        return code

    return convert


def _idno(col: Column) -> Callable[[object], object]:
    def convert(raw: object) -> object:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raise Bad("身份证号被保存成了数字，末几位已丢失；请把该列设为文本格式后重新填写", shown="（数字）")
        number = idcard.normalise(raw)
        if idcard.is_masked(number):
            raise Bad("身份证号已脱敏（含 *），无法导入；请使用含完整身份证号的文件", shown=number)
        problem = idcard.id_problem(number)
        if problem:
            raise Bad(problem, shown=idcard.mask(number))
        return number

    return convert


def converter(col: Column, year: int) -> Callable[[object], object]:
    if col.type == "text":
        return _text(col)
    if col.type == "int":
        return _int(col)
    if col.type == "money":
        return _money(col)
    if col.type == "date":
        return _date(col, year)
    if col.type == "bool":
        return _bool(col)
    if col.type == "code":
        return _code(col)
    if col.type == "idno":
        return _idno(col)
    raise ValueError(col.type)


def _empty(col: Column) -> object:
    """The stored value of an optional blank cell."""
    if col.type in ("text", "code", "idno"):
        return ""
    if col.type == "bool":
        return False
    return None


def shown_value(col: Column, raw: object) -> object:
    """What an error report may show of a cell: never a full ID number."""
    if col.type == "idno" and raw is not None:
        text = shown_text(idcard.normalise(raw))
        return idcard.mask(text) if len(text) > 10 else text
    if isinstance(raw, str):
        return shown_text(raw)
    return raw


def _row_checks(ledger: Ledger, rec: dict[str, Any], year: int) -> list[tuple[str, str]]:
    """Checks across columns of one record: (column name, Chinese reason)."""
    out: list[tuple[str, str]] = []
    for part, whole in PART_OF_WHOLE:
        if part in rec and whole in rec and rec[part] is not None and rec[whole] is not None \
                and rec[part] > rec[whole]:
            by = ledger.by_name
            out.append((part, f"「{by[part].header}」不能大于「{by[whole].header}」（{rec[whole]}）"))
    if rec.get("end_date") and rec.get("start_date") and rec["end_date"] < rec["start_date"]:
        out.append(("end_date", f"「{ledger.by_name['end_date'].header}」早于开始日期"))
    if ledger.kind == "labour_placements" and rec.get("new_this_year") and rec.get("start_date") \
            and rec["start_date"].year != year:
        out.append(("start_date", f"本年新增的就业人员，「就业日期」应在 {year} 年度内"))
    if ledger.kind == "fund_projects" and rec.get("sub_category") and "category" in rec:
        allowed = FUND_SUBCATEGORIES.get(rec.get("category", ""), ())
        if rec["sub_category"] not in allowed:
            out.append(("sub_category", "「细分用途」与「资金用途」不对应"))
    return out


def complete(ledger: Ledger, rec: dict[str, Any], year: int, *, key: bytes | None = None) -> None:
    """Fill the columns computed from others (the exchange's length-of-stay bucket, the keyed
    hash of an ID number) and the register's columns of a new record (its stage from its status)."""
    if ledger.kind == "exchanges" and rec.get("start_date"):
        end = rec.get("end_date") or dt.date(year, 12, 31)
        rec["stay"] = stay_bucket(months_between(rec["start_date"], end))
    if ledger.kind == "labour_placements" and rec.get("id_number"):
        rec["id_hash"] = idcard.id_hash(rec["id_number"], key)
    if ledger.kind == "fund_projects":
        for name in ledger.managed:
            rec[name] = None if name.endswith("_on") else ""
        rec["stage"] = STAGE_OF_STATUS.get(rec.get("status") or "", "approved")


@dataclass
class Checked:
    records: list[dict[str, Any]]
    errors: list[CellError]
    rows: list[int]  # source row number of each record
    keys: list[int | None] = field(default_factory=list)  # each record's key (记录编号) when the file has them


def check_rows(
    ledger: Ledger,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    year: int,
    sheet: str | None,
    first_row: int = 2,
    known_keys: set[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Checked:
    """Check every cell of every row; collect every error rather than stopping at the first."""
    errors: list[CellError] = []
    header_names = [("" if h is None else str(h).strip()) for h in headers]
    by_header = {c.header: c for c in ledger.columns}
    # Accept the field names too, so machine-made CSV files work.
    by_header.update({c.name: c for c in ledger.columns})
    positions: list[tuple[int, Column]] = []
    seen_cols: set[str] = set()
    key_at: int | None = None
    for i, h in enumerate(header_names):
        if not h:
            continue
        if h in (RECORD_KEY_HEADER, "record_key") and key_at is None:
            key_at = i
            continue
        col = by_header.get(h)
        if col is None:
            errors.append(CellError(sheet, first_row - 1, h, h, f"未知的列「{h}」；请使用「{ledger.label}」台账模板"))
            continue
        if col.name in seen_cols:
            errors.append(CellError(sheet, first_row - 1, h, h, f"列「{h}」重复"))
            continue
        seen_cols.add(col.name)
        positions.append((i, col))
    for col in ledger.columns:
        if col.name not in seen_cols and col.required:
            errors.append(CellError(sheet, first_row - 1, col.header, None, f"缺少必填列「{col.header}」"))
    if errors:
        return Checked([], errors, [])

    keys: list[int | None] = []
    plan = [(i, col, converter(col, year), col.required, _empty(col)) for i, col in positions]
    missing_optional = [(c.name, _empty(c)) for c in ledger.columns if c.name not in seen_cols]
    key = ledger.person_key
    key_header = ledger.by_name[key].header if key else ""
    key_is_id = key is not None and ledger.by_name[key].type == "idno"
    seen_keys: dict[str, int] = {}
    hash_key = idcard.id_hash_key() if "id_hash" in ledger.by_name else None
    known = known_keys or set()
    records: list[dict[str, Any]] = []
    row_numbers: list[int] = []
    width = max([i for i, _ in positions] + [key_at if key_at is not None else 0]) + 1
    for n, raw_row in enumerate(rows):
        rownum = first_row + n
        if on_progress is not None and n % 1000 == 0:
            on_progress(n)
        if len(raw_row) < width:
            raw_row = list(raw_row) + [None] * (width - len(raw_row))
        if all(_is_blank(v) for v in raw_row):
            continue
        rec: dict[str, Any] = {}
        ok = True
        for i, col, convert, required, empty in plan:
            raw = raw_row[i]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if required:
                    errors.append(CellError(sheet, rownum, col.header, None, f"「{col.header}」必须填写"))
                    ok = False
                rec[col.name] = empty
                continue
            try:
                rec[col.name] = convert(raw)
            except Bad as bad:
                shown = bad.shown if bad.shown is not None else shown_value(col, raw)
                errors.append(CellError(sheet, rownum, col.header, shown, bad.reason))
                ok = False
            except (ArithmeticError, ValueError, TypeError):
                # A value no converter foresaw (a crafted cell): reported like any bad cell.
                errors.append(CellError(sheet, rownum, col.header, shown_value(col, raw),
                                        f"「{col.header}」的值无法识别"))
                ok = False
        for name, empty in missing_optional:
            rec[name] = empty
        record_key: int | None = None
        if key_at is not None and not _is_blank(raw_row[key_at]):
            record_key = record_key_of(raw_row[key_at])
            if record_key is None:
                errors.append(CellError(sheet, rownum, RECORD_KEY_HEADER, shown_text(raw_row[key_at], 40),
                                        f"「{RECORD_KEY_HEADER}」应为本系统导出的编号，请不要修改；新增记录请留空"))
                ok = False
        # Checks across columns run on the cells that did parse, so one pass reports them all.
        for name, reason in _row_checks(ledger, rec, year):
            col = ledger.by_name[name]
            errors.append(CellError(sheet, rownum, col.header, shown_value(col, rec[name]), reason))
            ok = False
        k = rec.get(key) if key else None
        if k:
            shown = idcard.mask(k) if key_is_id else k
            if k in seen_keys:
                errors.append(CellError(sheet, rownum, key_header, shown,
                                        f"同一人在本年度重复登记（与第 {seen_keys[k]} 行相同）"))
                ok = False
            elif k in known:
                errors.append(CellError(sheet, rownum, key_header, shown, "同一人在本年度已登记在台账中"))
                ok = False
            else:
                seen_keys[k] = rownum
        if ok:
            complete(ledger, rec, year, key=hash_key)
            records.append(rec)
            row_numbers.append(rownum)
            keys.append(record_key)
    return Checked(records, errors, row_numbers, keys)


def record_key_of(raw: object) -> int | None:
    """A record key as a file carries it (a whole positive number), or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and raw > 0 else None
    text = str(raw).strip()
    return int(text) if text.isdigit() and len(text) < 19 and int(text) > 0 else None


def check_record(ledger: Ledger, data: dict[str, object], *, year: int) -> tuple[dict[str, Any], list[CellError]]:
    """One record from a form (field name → raw value): the same checks as an imported row."""
    headers = [c.name for c in ledger.columns]
    checked = check_rows(ledger, headers, [[data.get(c.name) for c in ledger.columns]], year=year, sheet=None,
                         first_row=1)
    if checked.errors:
        return {}, checked.errors
    if not checked.records:
        return {}, [CellError(None, 1, ledger.columns[0].header, None, "记录为空")]
    return checked.records[0], []
