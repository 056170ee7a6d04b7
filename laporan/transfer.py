"""Bulk import and export of incidents, as CSV and XLSX.

Import takes two steps. ``incident_import_preview`` reads the whole file, checks every row
with the rules of ``services.incident_create`` and keeps the outcome in an ``ImportBatch``;
it writes no incident. ``incident_import_confirm`` then creates the valid rows through
``services.incident_create`` in one transaction: all of them or none. Rows are keyed by their
external reference, so uploading the same file twice creates nothing new.

Export streams any filtered incident list the user may see (the caller passes a scoped
queryset), reading it in chunks so memory stays flat, with every text cell a spreadsheet
would run as a formula neutralised. The protected informant is never read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kewaspadaan.choices import Athg, Classification
from kewaspadaan.models import Indicator, Region, Stage
from laporan import export_sql, services
from laporan.choices import (
    ActorType,
    Credibility,
    ImportStatus,
    Reliability,
    Severity,
    SourceType,
    Status,
)
from laporan.models import ImportBatch, Incident, IncidentActor
from laporan.permissions import can

logger = logging.getLogger(__name__)

# The largest file accepted is settings.IMPORT_MAX_BYTES (5 MB unless set): see max_bytes().
# Confirming checks every row again and writes them in bulk (services.incidents_import) in
# one web request: 2,000 rows stay well inside the web worker's 60-second limit.
MAX_ROWS = 2000
# A 5 MB XLSX of text unzips to some tens of MB; far more than that is a zip bomb.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# A workbook has some tens of parts; thousands of tiny members are an attack on the reader.
MAX_ZIP_MEMBERS = 500
# Sheet XML compresses some 5-30 times; a part of over 1 MB compressed 200 times or more is
# a zip bomb. (Python's zipfile never inflates past a member's declared size, so a lying
# directory fails its CRC check instead of filling memory.)
MAX_ZIP_RATIO = 200
MAX_COLUMNS = 60
EXPORT_CHUNK_SIZE = 500
# Lookups by code go in slices: SQLite limits the parameters of one query.
LOOKUP_SLICE = 500

WIB = ZoneInfo("Asia/Jakarta")


# --- The file format ------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of the import file. ``key`` is its header, the same in every language, so
    a file filled in by one office reads the same for another."""

    key: str
    field: str  # the IncidentData field whose errors belong to this column
    required: bool
    help: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("ref_eksternal", "external_ref", True, gettext_lazy(
        "Your own unique reference for the row, for example the Bawaslu register number "
        "(at most 100 characters). A row whose reference was already imported is skipped, "
        "so the same file can be uploaded again."), "BWS-SB-2024-0131"),
    Column("kode_wilayah", "region", True, gettext_lazy(
        "Kemendagri code of the kabupaten or kota, for example 13.77 for Kota Pariaman."),
        "13.77"),
    Column("kode_kecamatan", "kecamatan", False, gettext_lazy(
        "Optional. Kemendagri code of the kecamatan, inside that kab/kota."), "13.77.01"),
    Column("kode_desa", "desa", False, gettext_lazy(
        "Optional. Kemendagri code of the desa or kelurahan; its kecamatan is filled in when "
        "empty."), "13.77.01.1001"),
    Column("waktu_kejadian", "occurred_at", True, gettext_lazy(
        "Date and time of the event in the region's own time (WIB, WITA or WIT): "
        "YYYY-MM-DD HH:MM. DD/MM/YYYY HH:MM is accepted too."), "2024-10-14 09:30"),
    Column("kode_indikator", "indicator", True, gettext_lazy(
        "An indicator code from the list below; a category code is not enough."),
        "asn-grup-percakapan"),
    Column("judul", "title", True, gettext_lazy("A short title, at most 200 characters."),
           "Grup WhatsApp 15 ASN berkampanye untuk paslon"),
    Column("uraian", "narrative", True, gettext_lazy("What happened."),
           "Sebuah grup WhatsApp beranggotakan 15 ASN mengajak memilih salah satu paslon."),
    Column("jenis_sumber", "source_type", True, gettext_lazy(
        "Where the information comes from: a source code from the list below."), "bawaslu"),
    Column("keandalan_sumber", "source_reliability", False, gettext_lazy(
        "Reliability of the source, A (completely reliable) to F (cannot be judged). "
        "Empty: F."), "B"),
    Column("kredibilitas_informasi", "information_credibility", False, gettext_lazy(
        "Credibility of the information, 1 (confirmed) to 6 (cannot be judged). Empty: 6."),
        "2"),
    Column("keparahan", "severity", False, gettext_lazy(
        "Severity, 1 (low) to 4 (critical). Empty: 2."), "2"),
    Column("klasifikasi", "classification", False, gettext_lazy(
        "biasa, terbatas or rahasia. Empty: biasa."), "biasa"),
    Column("luka", "injured", False, gettext_lazy("Number of people injured. Empty: 0."), "0"),
    Column("meninggal", "killed", False, gettext_lazy("Number of people killed. Empty: 0."),
           "0"),
    Column("jenis_pelaku", "actor_type", False, gettext_lazy(
        "Optional. Who took part: an actor code from the list below."), "asn"),
    Column("jumlah_pelaku", "actors", False, gettext_lazy(
        "How many of them took part. Empty: 1 when jenis_pelaku is given."), "15"),
)
COLUMN_KEYS = [c.key for c in COLUMNS]
# Service errors are reported on the column the user filled in.
FIELD_TO_COLUMN = {c.field: c.key for c in COLUMNS} | {"latitude": "", "contest": ""}
# The columns whose Excel cells must stay text: 13.70 would otherwise become the number 13.7.
TEXT_COLUMNS = {"ref_eksternal", "kode_wilayah", "kode_kecamatan", "kode_desa", "waktu_kejadian"}
REGION_COLUMNS = ("kode_wilayah", "kode_kecamatan", "kode_desa")


def _refuse(message: str) -> ValidationError:
    """A refusal of the whole file, reported on the upload field."""
    return ValidationError({"file": [message]})


def _require_import(user) -> None:
    if not can(user, "import"):
        raise PermissionDenied(_("Your role may not import incidents."))


# --- Reading a file into rows ---------------------------------------------------------------

@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number as the spreadsheet shows it, cells)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _collect(rows: Iterable[list], *, first_line: int = 2) -> list[tuple[int, list]]:
    """Non-empty rows with their spreadsheet row number (the header is row 1)."""
    kept = []
    for line, cells in enumerate(rows, start=first_line):
        if all(_blank(c) for c in cells):
            continue  # spreadsheets leave empty rows behind; they are no one's mistake
        kept.append((line, list(cells)))
        if len(kept) > MAX_ROWS:
            raise _refuse(
                _("The file has more than %(max)s rows. Split it into files of at most "
                  "%(max)s rows.") % {"max": number_format(MAX_ROWS, force_grouping=True)}
            )
    return kept


def _not_utf8(line: int) -> ValidationError:
    return _refuse(
        _("The file is not UTF-8 text (the problem starts at row %(line)d). In Excel choose "
          "Save As, then “CSV UTF-8 (Comma delimited)”, or use the XLSX template.")
        % {"line": line}
    )


def _read_csv(raw: bytes) -> Table:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_utf8(1)  # Excel's "Unicode text" is UTF-16
    if b"\x00" in raw:
        raise _refuse(_("This is neither a CSV nor an XLSX file."))
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        raise _not_utf8(raw[: exc.start].count(b"\n") + 1) from exc
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Indonesian Excel writes ';' because the comma is its decimal separator.
    delimiter = max(",;\t", key=first_line.count)
    # Strict: an unclosed quotation mark is refused instead of swallowing the rest of the
    # file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None) or []
        rows = _collect(reader)
    except csv.Error as exc:
        raise _refuse(
            _("The CSV file cannot be read near row %(line)d; check its quotation marks.")
            % {"line": reader.line_num}
        ) from exc
    return Table(header=header, rows=rows)


def _read_xlsx(upload) -> Table:
    damaged = _("The Excel file cannot be read; it may be damaged. Open it in Excel, save it "
                "again as an Excel Workbook (.xlsx) and upload it again.")
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(damaged) from exc
    unzipped = sum(info.file_size for info in members)
    bomb = any(info.file_size > 1024 * 1024
               and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)
               for info in members)
    if unzipped > MAX_UNZIPPED_BYTES or bomb or len(members) > MAX_ZIP_MEMBERS:
        logger.warning("XLSX upload refused as a zip bomb: %d members, %d bytes unpacked",
                       len(members), unzipped)
        raise _refuse(_("The Excel file unpacks to far more data than a spreadsheet holds "
                        "and was not opened. Save the sheet again as an Excel Workbook "
                        "(.xlsx) or as CSV UTF-8 and upload it again."))
    if not any(info.filename == "[Content_Types].xml" for info in members):
        raise _refuse(damaged)  # a zip archive, not an Office document
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        logger.info("unreadable XLSX upload: %r", exc)
        raise _refuse(damaged) from exc
    try:
        sheet = workbook.worksheets[0]
        # The stored dimensions can be wrong (some tools write A1:A1): read what is there.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = list(next(rows, None) or [])
        return Table(header=header, rows=_collect(rows))
    except ValidationError:
        raise
    except Exception as exc:
        logger.info("unreadable XLSX upload: %r", exc)
        raise _refuse(damaged) from exc
    finally:
        workbook.close()


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def _read_table(upload) -> Table:
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is None or size > limit:
        if limit % (1024 * 1024) == 0:
            raise _refuse(_("The file is larger than %(mb)d MB. Split it into smaller files.")
                          % {"mb": limit // (1024 * 1024)})
        raise _refuse(_("The file is larger than the limit of %(size)s. Split it into "
                        "smaller files.") % {"size": filesizeformat(limit)})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head:
        raise _refuse(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(_("This is an old Excel file (.xls). Save it as an Excel Workbook "
                        "(.xlsx) or as CSV UTF-8 and upload it again."))
    return _read_csv(upload.read())


def _header_key(value) -> str:
    """``Kode Wilayah (kab/kota)`` -> ``kode_wilayah``: the hints after the name are the
    user's, and so are capitals and spaces."""
    text = "" if value is None else str(value)
    text = text.replace("\ufeff", "").split("(", 1)[0].strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _map_header(header: list) -> dict[str, int]:
    names = [_header_key(h) for h in header]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise _refuse(_("The file is empty."))
    if len(names) == 1 and sum(key in names[0] for key in COLUMN_KEYS) > 1:
        raise _refuse(_("The columns are not separated by commas or semicolons. Save the file "
                        "as CSV UTF-8 or as .xlsx and upload it again."))
    problems = []
    unknown = [n for n in names if n and n not in COLUMN_KEYS]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        problems.append(_("Columns that appear twice: %(columns)s.")
                        % {"columns": ", ".join(twice)})
    missing = [c.key for c in COLUMNS if c.required and c.key not in names]
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        problems.append(_("The first row must hold the column names of the template."))
        raise _refuse(" ".join(problems))
    return {name: index for index, name in enumerate(names) if name}


# --- Checking rows ------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _region_code(value, column: str) -> str:
    # An unformatted Excel cell turns 13.70 into the number 13.7; a kab/kota code always
    # has two digits after the dot.
    if column == "kode_wilayah" and isinstance(value, float):
        return f"{value:.2f}"
    return _text(value)


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H.%M", "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H.%M",
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M",
)


def _parse_when(value, zone: ZoneInfo) -> dt.datetime | None:
    """A wall-clock time in ``zone`` (the region's); an explicit UTC offset wins."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = " ".join(value.split())
        moment = None
        for pattern in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
            if moment.tzinfo is None and len(text) <= 10:
                return None  # a date without a time
    else:
        return None
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)


def _whole(value) -> int:
    """A whole number from a cell (``15``, ``15.0`` from Excel); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = str(value).strip()
    if re.fullmatch(r"-?[0-9]+(\.0+)?", text):
        return int(text.split(".", 1)[0])
    raise ValueError(value)


@dataclass
class Lookups:
    regions: dict[str, Region]
    indicators: dict[str, Indicator]


def _fetch_in_slices(queryset: QuerySet, field: str, values: Iterable[str]) -> list:
    ordered = sorted(set(values))
    found = []
    for start in range(0, len(ordered), LOOKUP_SLICE):
        found.extend(queryset.filter(**{f"{field}__in": ordered[start:start + LOOKUP_SLICE]}))
    return found


def _lookups(region_codes: set[str]) -> Lookups:
    # A desa's kecamatan is filled in from the lookup, not by a query per row.
    codes = set(region_codes)
    codes |= {code.rsplit(".", 1)[0] for code in region_codes if code.count(".") == 3}
    regions = {r.code: r for r in _fetch_in_slices(Region.objects.defer("boundary"), "code",
                                                    codes)}
    indicators = {i.code: i for i in Indicator.objects.select_related("parent")}
    return Lookups(regions=regions, indicators=indicators)


def _existing_refs(refs: Iterable[str]) -> set[str]:
    # Every incident counts, not only the ones the user sees: the reference is unique
    # across the portal, and a second copy would be refused by the database anyway.
    found = set()
    wanted = sorted({r for r in refs if r})
    for start in range(0, len(wanted), LOOKUP_SLICE):
        found.update(
            Incident.objects.filter(external_ref__in=wanted[start:start + LOOKUP_SLICE])
            .values_list("external_ref", flat=True)
        )
    return found


def _choices_text(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Row:
    """One row being checked: its values, and its problems by column."""

    def __init__(self, line: int, cells: dict[str, object]):
        self.line = line
        self.cells = cells
        self.problems: dict[str, list[str]] = {}

    def bad(self, column: str, message: str) -> None:
        self.problems.setdefault(column, []).append(message)

    def text(self, column: str) -> str:
        return _text(self.cells.get(column))

    def required_text(self, column: str, max_length: int | None = None) -> str:
        value = self.text(column)
        if not value:
            self.bad(column, _("Required, but empty."))
        elif max_length is not None and len(value) > max_length:
            self.bad(column, _("At most %(max)d characters (this one has %(count)d).")
                     % {"max": max_length, "count": len(value)})
        return value

    def number(self, column: str, *, default: int, low: int, high: int | None,
               message: str) -> int:
        value = self.cells.get(column)
        if _blank(value):
            return default
        try:
            number = _whole(value)
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            self.bad(column, message)
            return default
        return number

    def choice(self, column: str, *, allowed: Iterable[str], default: str, message: str,
               upper: bool = False) -> str:
        value = self.text(column)
        value = value.upper() if upper else value.lower()
        if not value:
            return default
        if value not in allowed:
            self.bad(column, message % {"value": self.text(column)})
            return default
        return value

    def region(self, column: str, lookups: Lookups, *, required: bool) -> Region | None:
        code = _region_code(self.cells.get(column), column)
        if not code:
            if required:
                self.bad(column, _("Required, but empty."))
            return None
        region = lookups.regions.get(code)
        if region is None:
            if column == "kode_wilayah":
                self.bad(column, _("Unknown region code “%(code)s”. Use the Kemendagri code "
                                   "of a kab/kota, for example 13.77.") % {"code": code})
            else:
                self.bad(column, _("Unknown region code “%(code)s”.") % {"code": code})
        return region


def _check_row(row: _Row, lookups: Lookups, by) -> dict | None:
    """Check one row; return its values for the batch, or ``None`` with ``row.problems``
    filled in. The service's own check runs last, so its rules are the import's rules."""
    external_ref = row.required_text("ref_eksternal", max_length=100)
    region = row.region("kode_wilayah", lookups, required=True)
    kecamatan = row.region("kode_kecamatan", lookups, required=False)
    desa = row.region("kode_desa", lookups, required=False)
    if desa is not None and kecamatan is None and "kode_kecamatan" not in row.problems:
        kecamatan = lookups.regions.get(desa.parent_id)

    when_value = row.cells.get("waktu_kejadian")
    occurred_at = None
    if _blank(when_value):
        row.bad("waktu_kejadian", _("Required, but empty."))
    else:
        zone = ZoneInfo(region.iana_timezone) if region is not None else WIB
        occurred_at = _parse_when(when_value, zone)
        if occurred_at is None:
            row.bad("waktu_kejadian", _(
                "Unreadable date and time “%(value)s”. Write it as YYYY-MM-DD HH:MM, for "
                "example 2024-10-14 09:30.") % {"value": _text(when_value)})

    indicator_code = row.text("kode_indikator").lower()
    indicator = None
    if not indicator_code:
        row.bad("kode_indikator", _("Required, but empty."))
    else:
        indicator = lookups.indicators.get(indicator_code)
        if indicator is None:
            row.bad("kode_indikator", _("Unknown indicator code “%(code)s”. The template "
                                        "lists the valid codes.") % {"code": indicator_code})

    title = row.required_text("judul", max_length=200)
    narrative = row.required_text("uraian")
    source_type = row.text("jenis_sumber").lower()
    if not source_type:
        row.bad("jenis_sumber", _("Required, but empty."))
    elif source_type not in SourceType.values:
        row.bad("jenis_sumber", _("Unknown source “%(value)s”. Use one of: %(choices)s.")
                % {"value": row.text("jenis_sumber"),
                   "choices": _choices_text(SourceType.values)})
    reliability = row.choice(
        "keandalan_sumber", allowed=Reliability.values, default=Reliability.F, upper=True,
        message=_("“%(value)s” is not a reliability grade: write a letter from A to F."))
    credibility = row.number(
        "kredibilitas_informasi", default=6, low=1, high=6,
        message=_("Write a number from 1 to 6."))
    severity = row.number("keparahan", default=2, low=1, high=4,
                          message=_("Write a number from 1 (low) to 4 (critical)."))
    classification = row.choice(
        "klasifikasi", allowed=Classification.values, default=Classification.BIASA,
        message=_("“%(value)s” is not a classification: write biasa, terbatas or rahasia."))
    injured = row.number("luka", default=0, low=0, high=None,
                         message=_("Write a whole number, 0 or more."))
    killed = row.number("meninggal", default=0, low=0, high=None,
                        message=_("Write a whole number, 0 or more."))
    actor_type = row.text("jenis_pelaku").lower()
    actors = []
    if actor_type and actor_type not in ActorType.values:
        row.bad("jenis_pelaku", _("Unknown actor “%(value)s”. Use one of: %(choices)s.")
                % {"value": row.text("jenis_pelaku"),
                   "choices": _choices_text(ActorType.values)})
    actor_count = row.number("jumlah_pelaku", default=1, low=1, high=None,
                             message=_("Write a whole number, 1 or more."))
    if actor_type in ActorType.values:
        actors = [services.ActorData(actor_type=actor_type, count=actor_count)]
    elif not actor_type and not _blank(row.cells.get("jumlah_pelaku")):
        row.bad("jenis_pelaku", _("Say who they are (jenis_pelaku) when jumlah_pelaku is "
                                  "given."))

    data = services.IncidentData(
        title=title, narrative=narrative, region=region, occurred_at=occurred_at,
        indicator=indicator, source_type=source_type, kecamatan=kecamatan, desa=desa,
        source_reliability=reliability, information_credibility=credibility,
        severity=severity, injured=injured, killed=killed, classification=classification,
        external_ref=external_ref or None, actors=actors,
    )
    try:
        data = services.incident_validate(data=data, by=by)
    except ValidationError as exc:
        for field_name, messages in _error_items(exc):
            column = FIELD_TO_COLUMN.get(field_name, "")
            if column in row.problems:
                continue  # this column's own message already says what is wrong
            for message in messages:
                row.bad(column, message)
    if row.problems:
        return None
    return _row_values(row.line, data)


def _error_items(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [(name, list(messages)) for name, messages in exc.message_dict.items()]
    return [("", list(exc.messages))]


def _row_values(line: int, data: services.IncidentData) -> dict:
    """What the batch keeps of a valid row: codes and plain values, re-checked at confirm."""
    actor = data.actors[0] if data.actors else None
    return {
        "line": line,
        "external_ref": data.external_ref,
        "region": data.region.code,
        "region_name": data.region.name,
        "kecamatan": data.kecamatan.code if data.kecamatan else None,
        "desa": data.desa.code if data.desa else None,
        "occurred_at": data.occurred_at.isoformat(),
        "occurred_local": timezone.localtime(
            data.occurred_at, ZoneInfo(data.region.iana_timezone)
        ).strftime("%Y-%m-%d %H:%M ") + data.region.timezone,
        "indicator": data.indicator.code,
        "indicator_name": data.indicator.name,
        "title": data.title,
        "narrative": data.narrative,
        "source_type": data.source_type,
        "source_reliability": data.source_reliability,
        "information_credibility": data.information_credibility,
        "severity": data.severity,
        "classification": data.classification,
        "injured": data.injured,
        "killed": data.killed,
        "actor_type": actor.actor_type if actor else "",
        "actor_count": actor.count if actor else None,
    }


def _row_data(values: dict, lookups: Lookups) -> services.IncidentData:
    """Rebuild the service input from a stored row; a code that vanished meanwhile is left
    empty and the service refuses the row."""
    regions = lookups.regions
    actors = []
    if values["actor_type"]:
        actors = [services.ActorData(actor_type=values["actor_type"],
                                     count=values["actor_count"] or 1)]
    return services.IncidentData(
        title=values["title"], narrative=values["narrative"],
        region=regions.get(values["region"]),
        occurred_at=dt.datetime.fromisoformat(values["occurred_at"]),
        indicator=lookups.indicators.get(values["indicator"]),
        source_type=values["source_type"],
        kecamatan=regions.get(values["kecamatan"]) if values["kecamatan"] else None,
        desa=regions.get(values["desa"]) if values["desa"] else None,
        source_reliability=values["source_reliability"],
        information_credibility=values["information_credibility"],
        severity=values["severity"], injured=values["injured"], killed=values["killed"],
        classification=values["classification"], external_ref=values["external_ref"],
        actors=actors,
    )


# --- Import services ------------------------------------------------------------------------

def incident_import_preview(*, by, upload) -> ImportBatch:
    """Read and check a CSV or XLSX file. Writes an ``ImportBatch`` with the valid rows, every
    rejected row with its reasons, and the rows already imported; writes no incident.

    Raises ``ValidationError`` (on ``file``) when the file as a whole cannot be used."""
    _require_import(by)
    table = _read_table(upload)
    positions = _map_header(table.header)
    width = max(positions.values()) + 1
    rows = []
    for line, cells in table.rows:
        row = _Row(line, {key: cells[i] if i < len(cells) else None
                          for key, i in positions.items()})
        if any(not _blank(c) for c in cells[width:]):
            row.bad("", _("This row has more cells than the header row; check the delimiter "
                          "and the quotation marks."))
        rows.append(row)
    if not rows:
        raise _refuse(_("The file has no rows below the column names."))

    lookups = _lookups({code for row in rows for column in REGION_COLUMNS
                        if (code := _region_code(row.cells.get(column), column))})
    existing = _existing_refs(row.text("ref_eksternal") for row in rows)
    valid, rejected, duplicates = [], [], []
    first_seen: dict[str, int] = {}
    for row in rows:
        ref = row.text("ref_eksternal")
        if ref and ref in existing:
            duplicates.append({"line": row.line, "external_ref": ref,
                               "reason": _("Already imported; it will be skipped.")})
            continue
        if ref and ref in first_seen:
            duplicates.append({
                "line": row.line, "external_ref": ref,
                "reason": _("Same reference as row %(line)d; it will be skipped.")
                % {"line": first_seen[ref]},
            })
            continue
        if ref:
            first_seen[ref] = row.line
        values = _check_row(row, lookups, by)
        if row.problems:
            rejected.append({
                "line": row.line, "external_ref": ref,
                "problems": [{"column": column, "message": message}
                             for column, messages in row.problems.items()
                             for message in messages],
            })
        else:
            valid.append(values)
    return ImportBatch.objects.create(
        uploaded_by=by, filename=(getattr(upload, "name", "") or "impor")[:200], rows=valid,
        errors=rejected, duplicates=duplicates, total_rows=len(rows),
    )


class ImportRowFailed(Exception):
    def __init__(self, line: int, reasons: str):
        super().__init__(line, reasons)
        self.line = line
        self.reasons = reasons


def _owned(batch: ImportBatch, by) -> None:
    _require_import(by)
    if batch.uploaded_by_id != by.pk:
        raise PermissionDenied(_("This import belongs to another user."))


def incident_import_confirm(*, batch: ImportBatch, by) -> ImportBatch:
    """Create every valid row of a previewed batch as a submitted incident, in one
    transaction. Rows whose reference was imported meanwhile are skipped; if any other row
    fails now (an indicator retired, a jurisdiction changed), nothing is created."""
    _owned(batch, by)
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportStatus.PREVIEW:
                raise ValidationError(_("This import was already confirmed or discarded."))
            existing = _existing_refs(values["external_ref"] for values in locked.rows)
            lookups = _lookups({code for values in locked.rows
                                for code in (values["region"], values["kecamatan"],
                                             values["desa"]) if code})
            fresh, skipped = [], []
            for values in locked.rows:
                if values["external_ref"] in existing:
                    skipped.append({
                        "line": values["line"], "external_ref": values["external_ref"],
                        "reason": _("Imported by another upload meanwhile; skipped."),
                    })
                    continue
                fresh.append(values)
            try:
                # Submitted, not draft: the rows were reviewed in the preview, and
                # verification (grading, signals to the risk engine) stays a person's. One
                # bulk write for the batch, after every row passed its checks again.
                created = services.incidents_import(
                    by=by, rows=[_row_data(values, lookups) for values in fresh], submit=True)
            except services.IncidentRowInvalid as exc:
                raise ImportRowFailed(fresh[exc.index]["line"], _reasons(exc.error)) from exc
            except PermissionDenied as exc:
                raise ImportRowFailed(fresh[0]["line"] if fresh else 0, str(exc)) from exc
            locked.status = ImportStatus.COMMITTED
            locked.created_count = len(created)
            locked.committed_at = timezone.now()
            locked.duplicates = [*locked.duplicates, *skipped]
            locked.save()
    except ImportRowFailed as exc:
        raise ValidationError(
            _("Nothing was imported: row %(line)d no longer passes the checks (%(reasons)s). "
              "Correct the file and upload it again.")
            % {"line": exc.line, "reasons": exc.reasons}
        ) from exc
    except IntegrityError as exc:
        raise ValidationError(
            _("Nothing was imported: another import created some of the same rows at the "
              "same time. Upload the file again; rows already imported will be skipped.")
        ) from exc
    return locked


def _reasons(exc: ValidationError) -> str:
    parts = []
    for field_name, messages in _error_items(exc):
        column = FIELD_TO_COLUMN.get(field_name, "")
        text = " ".join(messages)
        parts.append(f"{column}: {text}" if column else text)
    return "; ".join(parts)


def incident_import_discard(*, batch: ImportBatch, by) -> ImportBatch:
    """Drop a batch that was previewed but not confirmed."""
    _owned(batch, by)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.PREVIEW:
            raise ValidationError(_("This import was already confirmed or discarded."))
        locked.status = ImportStatus.DISCARDED
        locked.rows = []
        locked.save()
    return locked


# --- Import selectors ---------------------------------------------------------------------

def import_batch_get(*, user, pk: int) -> ImportBatch | None:
    """A batch is visible to its uploader only (it may hold rows of regions or
    classifications another user may not read)."""
    if not can(user, "import"):
        return None
    return ImportBatch.objects.filter(pk=pk, uploaded_by=user).first()


def import_batch_list(*, user, limit: int = 10) -> list[ImportBatch]:
    if not can(user, "import"):
        return []
    return list(
        ImportBatch.objects.filter(uploaded_by=user)
        .defer("rows", "errors", "duplicates")
        .order_by("-created_at", "-id")[:limit]
    )


# --- Templates ----------------------------------------------------------------------------

def import_template_csv() -> bytes:
    """The header row, comma-separated, with a byte-order mark so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(COLUMN_KEYS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def import_template_xlsx() -> bytes:
    """The header row on the first sheet (code columns formatted as text, lists offered where
    the values are fixed) and the instructions with every valid code on the second."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Incidents")[:31]
    guide = workbook.create_sheet(_("Instructions")[:31])
    bold = Font(bold=True)

    sheet.append(COLUMN_KEYS)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = bold
        sheet.column_dimensions[letter].width = max(14, len(column.key) + 4)
        if column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 40

    def heading(text: str) -> None:
        if guide.max_row > 1:
            guide.append([])
        guide.append([text])
        guide.cell(row=guide.max_row, column=1).font = bold

    def table_head(*labels: str) -> None:
        guide.append(list(labels))
        for cell in guide[guide.max_row]:
            cell.font = bold

    guide.append([_("How to fill in the import template")])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([_("One incident per row on the first sheet, below the column names. Do not "
                    "rename the columns. Save as .xlsx or as CSV UTF-8. At most %(max)s rows "
                    "and %(mb)d MB per file.")
                  % {"max": number_format(MAX_ROWS, force_grouping=True),
                     "mb": max(1, max_bytes() // (1024 * 1024))}])
    heading(_("Columns"))
    table_head(_("Column"), _("Required"), _("How to fill it in"), _("Example"))
    for column in COLUMNS:
        guide.append([column.key, _("yes") if column.required else _("no"),
                      str(column.help), column.example])

    heading(_("Indicator codes (kode_indikator)"))
    table_head(_("Code"), _("ATHG"), _("Indicator"), _("Category"))
    first_indicator_row = guide.max_row + 1
    indicators = (Indicator.objects.filter(is_active=True, parent__isnull=False)
                  .select_related("parent").order_by("parent__order", "order", "code"))
    for indicator in indicators:
        guide.append([indicator.code, indicator.get_athg_display(), indicator.name,
                      indicator.parent.name])
    last_indicator_row = guide.max_row

    heading(_("Sources (jenis_sumber)"))
    table_head(_("Code"), "", _("Meaning"))
    for value, label in SourceType.choices:
        guide.append([value, "", str(label)])
    heading(_("Actors (jenis_pelaku)"))
    table_head(_("Code"), "", _("Meaning"))
    for value, label in ActorType.choices:
        guide.append([value, "", str(label)])
    heading(_("Grades and classification"))
    table_head(_("Column"), _("Value"), _("Meaning"))
    for value, label in Reliability.choices:
        guide.append(["keandalan_sumber", value, str(label)])
    for value, label in Credibility.choices:
        guide.append(["kredibilitas_informasi", value, str(label)])
    for value, label in Severity.choices:
        guide.append(["keparahan", value, str(label)])
    for value, label in Classification.choices:
        guide.append(["klasifikasi", value, str(label)])

    def offer(column_key: str, formula: str) -> None:
        letter = get_column_letter(COLUMN_KEYS.index(column_key) + 1)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True,
                                    showErrorMessage=False)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    def inline(values: Iterable) -> str:
        return '"' + ",".join(str(v) for v in values) + '"'

    quoted_guide = "'" + guide.title.replace("'", "''") + "'"
    if last_indicator_row >= first_indicator_row:
        offer("kode_indikator",
              f"{quoted_guide}!$A${first_indicator_row}:$A${last_indicator_row}")
    offer("jenis_sumber", inline(SourceType.values))
    offer("keandalan_sumber", inline(Reliability.values))
    offer("kredibilitas_informasi", inline(Credibility.values))
    offer("keparahan", inline(Severity.values))
    offer("klasifikasi", inline(Classification.values))
    offer("jenis_pelaku", inline(ActorType.values))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Export -------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+1``, ``@SUM``) gets
    a leading apostrophe, which shows it as the text it is (OWASP's CSV-injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_header() -> list[str]:
    return [
        _("Reference"), _("External reference"), _("Time of the event (region's time)"),
        _("Time zone"), _("Kab/kota code"), _("Kab/kota"), _("Kecamatan"),
        _("Desa/kelurahan"), _("Indicator code"), _("Indicator"), _("Category"), _("ATHG"),
        _("Stages"), _("Status"), _("Source"), _("Source reliability"),
        _("Information credibility"), _("Severity"), _("Injured"), _("Killed"),
        _("Classification"), _("Title"), _("What happened"), _("Actors"), _("Reported by"),
    ]


def short_label(label) -> str:
    # "ASN (civil servants)" -> "ASN": the summary reads "15 ASN".
    return str(label).split(" (", 1)[0]


def _export_queryset(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return (
        # The informant is protected: it never leaves the portal in a file. Boundaries are
        # large and not exported.
        queryset.defer("informant", "region__boundary", "kecamatan__boundary",
                       "desa__boundary")
        .select_related("region", "kecamatan", "desa", "indicator", "indicator__parent",
                        "created_by")
        .prefetch_related(
            # Lists (to_attr), not managers: no queryset is built per row.
            Prefetch("stages", queryset=Stage.objects.order_by("order"),
                     to_attr="export_stages"),
            Prefetch("actors", queryset=IncidentActor.objects.order_by("id"),
                     to_attr="export_actors"),
        )
    )


def incident_export_records(queryset: QuerySet[Incident]) -> Iterator[list]:
    """One list of values per incident, in ``export_header()`` order, read
    ``EXPORT_CHUNK_SIZE`` at a time (two prefetch queries per chunk). The time is a
    timezone-aware datetime in the region's own zone."""
    # Labels resolved once: ``get_FOO_display`` per cell translates again for every row.
    athg, status, source, severity, classification, actor_labels = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Athg, Status, SourceType, Severity, Classification, ActorType)
    )
    for incident in _export_queryset(queryset).iterator(chunk_size=EXPORT_CHUNK_SIZE):
        region = incident.region
        local = timezone.localtime(incident.occurred_at, ZoneInfo(region.iana_timezone))
        indicator = incident.indicator
        reporter = incident.created_by
        yield [
            incident.reference,
            incident.external_ref or "",
            local,
            region.timezone,
            region.code,
            region.name,
            incident.kecamatan.name if incident.kecamatan_id else "",
            incident.desa.name if incident.desa_id else "",
            indicator.code,
            indicator.name,
            indicator.parent.name if indicator.parent_id else "",
            athg.get(incident.athg, incident.athg),
            ", ".join(stage.name for stage in incident.export_stages),
            status.get(incident.status, incident.status),
            source.get(incident.source_type, incident.source_type),
            incident.source_reliability,
            incident.information_credibility,
            severity.get(incident.severity, incident.severity),
            incident.injured,
            incident.killed,
            classification.get(incident.classification, incident.classification),
            incident.title,
            incident.narrative,
            "; ".join(f"{a.count} {short_label(actor_labels.get(a.actor_type, a.actor_type))}"
                      for a in incident.export_actors),
            reporter.get_full_name() or reporter.username,
        ]


def export_filename(extension: str, *, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"kejadian-{today:%Y-%m-%d}.{extension}"


def incident_export_csv(queryset: QuerySet[Incident], *, language: str | None = None,
                        flush_at: int = 64 * 1024) -> Iterator[bytes]:
    """The CSV file in pieces of about ``flush_at`` bytes, for a StreamingHttpResponse.

    UTF-8 with a byte-order mark (so Excel shows the names right), comma-separated. The
    response is read after the view returns, so the language is carried in explicitly. On
    PostgreSQL the database formats the rows (``laporan.export_sql``: the same columns, in
    about the time of a bare COPY); elsewhere Python does."""
    language = language or translation.get_language()
    if export_sql.available():
        with translation.override(language):
            header = export_header()
        yield from export_sql.incident_export_csv(queryset, language=language, header=header)
        return
    yield from incident_export_csv_python(queryset, language=language, flush_at=flush_at)


def incident_export_csv_python(queryset: QuerySet[Incident], *, language: str,
                               flush_at: int = 64 * 1024) -> Iterator[bytes]:
    """The same CSV written row by row in Python (SQLite, and the reference in tests)."""
    with translation.override(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(export_header())
        for record in incident_export_records(queryset):
            writer.writerow([_csv_cell(value) for value in record])
            if buffer.tell() >= flush_at:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate(0)
        yield buffer.getvalue().encode("utf-8")


def _csv_cell(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return neutralise(value)


def incident_export_xlsx(queryset: QuerySet[Incident]) -> IO[bytes]:
    """The XLSX file, written row by row by openpyxl's write-only workbook into a temporary
    file (kept in memory while small) and returned rewound, for a FileResponse."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Incidents")[:31])
    sheet.freeze_panes = "A2"
    widths = [12, 18, 20, 8, 10, 22, 18, 18, 22, 36, 24, 16, 22, 14, 18, 8, 8, 12, 8, 8, 12,
              40, 60, 24, 20]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for label in export_header():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for record in incident_export_records(queryset):
        sheet.append([_xlsx_cell(sheet, value) for value in record])
    output = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output


def _xlsx_cell(sheet, value):
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the region's wall-clock time, with the zone beside it.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, str):
        # Control characters are not allowed in the file format; a pasted one would break
        # the whole export.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    return value
