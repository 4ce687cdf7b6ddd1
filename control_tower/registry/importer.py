"""Import project lists (CSV/XLSX/JSONL) as registry mentions, through a column mapping.

A city's budget export is already a project list: one row, one project, with the running
department and the money. Reading it needs no extraction — only a mapping from columns to
card fields (``control_tower.registry.mappings``). This module only reads and maps; the caller
turns the ``Mention`` objects into cards, persists them and decides the import id and access.
Every value cites its row (``SourceRef.row``, 1-based over data rows, the header not counted).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from control_tower.names import clean_text
from control_tower.registry.mappings import (
    UNITS_PER_EOK,
    ColumnMapping,
    MappingError,
    load_mapping,
)
from control_tower.registry.money import parse_money
from control_tower.registry.types import FUNDING_KEYS, FieldValue, Mention, Passage, SourceRef

FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl"}
FORMATS[".ndjson"] = "jsonl"
STATUSES = ("계획", "추진중", "완료", "보류")
_SPACE = re.compile(r"\s+")
_BULLET = re.compile(r"^[\s○●◦ㅇ□■▪•\-–*※]+")
_YEAR = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")
_NUMBER = re.compile(r"^-?[\d,]*\.?\d+$")


class ImportFileError(ValueError):
    """A file the importer cannot read; ``code`` is stable, ``message_ko`` is for people."""

    def __init__(self, code: str, message_ko: str):
        self.code, self.message_ko = code, message_ko
        super().__init__(message_ko)


class UnknownColumnError(MappingError):
    """The mapping names a column the file does not have."""

    def __init__(self, missing: list[str], available: list[str]):
        self.missing, self.available = missing, available
        shown = ", ".join(available[:40]) or "(없음)"
        super().__init__(f"파일에 없는 열 이름입니다: {', '.join(missing)} (파일의 열: {shown})")


class ImportResult(BaseModel):
    mentions: list[Mention] = Field(default_factory=list)
    rows: int = 0  # data rows read (blank rows not counted)
    skipped_rows: list[int] = Field(default_factory=list)  # rows without a project name


# ---------------------------------------------------------------- reading


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportFileError(
            "unsupported_format",
            f"CSV, XLSX, JSONL 파일만 가져올 수 있습니다: {path.name}"
            + (" (XLS는 XLSX로 저장한 뒤 가져오세요)" if path.suffix.lower() == ".xls" else ""),
        )
    return fmt


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then CP949 — the two encodings Korean exports use."""
    if b"\x00" in data[:4096]:
        raise ImportFileError("not_text", f"텍스트(CSV/JSONL) 파일이 아닙니다: {name}")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("encoding", f"파일 인코딩을 알 수 없습니다 (UTF-8/CP949 아님): {name}")


def _csv_records(text: str, suffix: str) -> tuple[list[str], Iterator[list]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if suffix == ".tsv" else max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        return [], iter(())
    return [h.strip() for h in header], reader


def _xlsx_records(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple]]:
    import openpyxl  # deferred: only XLSX imports pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        message = f"XLSX 파일을 열 수 없습니다: {path.name} ({exc})"
        raise ImportFileError("unreadable", message) from exc
    if sheet is not None and sheet not in book.sheetnames:
        names = ", ".join(book.sheetnames)
        raise ImportFileError("no_sheet", f"시트 '{sheet}'이(가) 없습니다 (시트: {names})")
    rows = _closing(
        book, (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    )
    for row in rows:  # the header is the first non-empty row
        if any(v not in (None, "") for v in row):
            return [str(v).strip() if v is not None else "" for v in row], rows
    return [], iter(())


def _closing(book, rows: Iterator[tuple]) -> Iterator[tuple]:
    """The rows, closing the read-only workbook (it holds the file open) when they run out."""
    try:
        yield from rows
    finally:
        book.close()


def _jsonl_records(text: str, name: str) -> Iterator[dict]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            message = f"{name} {lineno}번째 줄이 JSON이 아닙니다: {exc.msg}"
            raise ImportFileError("bad_json", message) from exc
        if not isinstance(record, dict):
            raise ImportFileError("bad_json", f"{name} {lineno}번째 줄이 JSON 객체가 아닙니다")
        yield record


def _records(path: Path, sheet: str | None = None) -> tuple[list[str], Iterator[dict]]:
    """The header and the data rows as dicts (blank rows dropped)."""
    fmt = file_format(path)
    if fmt == "xlsx":
        header, rows = _xlsx_records(path, sheet)
    else:
        try:
            text = _decode(path.read_bytes(), path.name)
        except OSError as exc:
            message = f"파일을 읽을 수 없습니다: {path} ({exc.strerror})"
            raise ImportFileError("unreadable", message) from exc
        if fmt == "jsonl":
            records = _jsonl_records(text, path.name)
            first = next(records, None)
            if first is None:
                return [], iter(())
            return list(first), _chain(first, records)
        header, rows = _csv_records(text, path.suffix.lower())
    return header, (
        dict(zip(header, row, strict=False))
        for row in rows
        if any(v not in (None, "") for v in row)
    )


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def read_rows(path: str | Path, *, sheet: str | None = None) -> Iterator[dict]:
    """Every data row of a CSV (UTF-8, UTF-8-BOM or CP949), XLSX (first sheet or ``sheet``)
    or JSONL file as a dict keyed by column name. Errors in opening the file raise here, not
    on the first ``next``."""
    _header, rows = _records(Path(path), sheet)
    return rows


# ---------------------------------------------------------------- mapping


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACE.sub(" ", clean_text(_SPACE.sub(" ", str(value)))).strip()


def _joined(row: dict, columns: list[str]) -> str:
    return "\n".join(t for t in (_text(row.get(c)) for c in columns) if t)


def _items(row: dict, columns: list[str], separator: re.Pattern) -> list[str]:
    raw = "\n".join(str(row.get(c) or "") for c in columns).replace("\r", "")
    items = (_text(_BULLET.sub("", part)) for part in separator.split(raw))
    return list(dict.fromkeys(i for i in items if i))


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = _SPACE.sub("", str(value))
    return float(text.replace(",", "")) if _NUMBER.match(text) else None


def _cell_eok(value, unit: str) -> float | None:
    """A money cell in 억원: a bare number is in the mapping's unit; a text with its own unit
    (``12억 5천만 원``, ``1,250백만원``) is read by the document money parser."""
    number = _number(value)
    if number is not None:
        return number / UNITS_PER_EOK[unit]
    money = parse_money(str(value), None) if isinstance(value, str) else None
    return money.total_eok if money else None


def _eok(row: dict, columns: list[str], unit: str) -> float | None:
    amounts = [a for a in (_cell_eok(row.get(c), unit) for c in columns) if a is not None]
    return round(sum(amounts), 8) if amounts else None


def _year(value) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if 1900 <= value < 2100 else None
    if hasattr(value, "year"):  # date/datetime cells from XLSX
        return int(value.year)
    match = _YEAR.search(str(value or ""))
    return int(match.group(0)) if match else None


def _department(row: dict, mapping: ColumnMapping) -> tuple[str, str]:
    """(lead department, the cell as written)."""
    full = " ".join(t for t in (_text(row.get(c)) for c in mapping.department) if t)
    lead = full.split(" ")[-1] if mapping.department_last_word and full else full
    return lead, full


def _fields(row: dict, mapping: ColumnMapping, separator: re.Pattern) -> dict[str, object]:
    values: dict[str, object] = {}
    for field, columns in mapping.fields.items():
        value = _items(row, columns, separator) if mapping.is_list(field) else _joined(row, columns)
        if field == "status" and value not in STATUSES:
            continue
        if value:
            values[field] = value
    if (budget := _eok(row, mapping.budget, mapping.budget_unit)) is not None:
        values["budget_eok"] = budget
    split = {k: _eok(row, [c], mapping.budget_unit) for k, c in mapping.funding.items()}
    if any(v is not None for v in split.values()):
        values["funding"] = {k: split.get(k) or 0.0 for k in FUNDING_KEYS}
    for field in ("start_year", "end_year"):
        column = getattr(mapping, field)
        if column and (year := _year(row.get(column))) is not None:
            values[field] = year
    return values


def _mention(values: dict, lead: str, full: str, ref: SourceRef) -> Mention:
    if lead:
        values["departments"] = [lead]
    fields = {k: FieldValue(value=v, method="import", source=ref) for k, v in values.items()}
    body = " ".join(str(values[k]) for k in ("goal", "summary") if values.get(k))
    text = f"{values['name']}: {body}" if body else str(values["name"])
    passages = [Passage(text=text[:600], source=ref)]
    return Mention(
        name=values["name"],
        lead_department=lead or None,
        fields=fields,
        passages=passages,
        source=ref,
    )


def import_file(
    path: str | Path, mapping: ColumnMapping | str, *, import_id: str, sheet: str | None = None
) -> ImportResult:
    """Read every row and map it to a primary ``Mention``; rows without a name are skipped and
    counted. Raises ``ImportFileError`` for files it cannot read and ``MappingError`` (its
    subclass ``UnknownColumnError``) when the mapping names columns the file lacks."""
    if not isinstance(mapping, ColumnMapping):
        mapping = load_mapping(mapping)
    given = Path(path)
    header, rows = _records(given, sheet)
    missing = [c for c in mapping.columns() if c not in header]
    if missing:
        raise UnknownColumnError(missing, [h for h in header if h])
    separator = re.compile(mapping.list_separator)
    result = ImportResult()
    doc_id = f"import:{import_id}"
    for number, row in enumerate(rows, 1):
        result.rows = number
        values = _fields(row, mapping, separator)
        if not values.get("name"):
            result.skipped_rows.append(number)
            continue
        lead, full = _department(row, mapping)
        ref = SourceRef(
            doc_id=doc_id,
            path=str(path),
            title=given.name,
            department=lead,
            row=number,
            section=full if full != lead else None,
        )
        result.mentions.append(_mention(values, lead, full, ref))
    return result


def import_cards(
    path: str | Path, mapping: ColumnMapping | str, *, import_id: str, sheet: str | None = None
) -> list[Mention]:
    """The mentions of ``import_file`` (use ``import_file`` for the skipped-row count)."""
    return import_file(path, mapping, import_id=import_id, sheet=sheet).mentions
