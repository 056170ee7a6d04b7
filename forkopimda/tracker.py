"""The recommendation tracker as CSV and XLSX: one row per recommendation with its status,
deadline, overdue flag, addressees, distribution and latest progress. The rows are the
filtered, scoped list the page shows; text a spreadsheet would run as a formula is
neutralised as in the incident export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from forkopimda.choices import OPEN, RecommendationStatus
from forkopimda.models import Distribution, ProgressNote, Recommendation
from forkopimda.services import region_today
from kewaspadaan.models import Region
from laporan.transfer import neutralise

CHUNK = 500


def header() -> list[str]:
    return [_("Official number"), _("Status"), _("Overdue"), _("Days overdue"), _("Deadline"),
            _("Title"), _("Recommendation"), _("Addressed to"), _("Region code"),
            _("Region"), _("Regions concerned"), _("Meeting"), _("Meeting date"),
            _("Issued on"), _("Sent to"), _("Acknowledged by"), _("Latest progress"),
            _("Progress date")]


def records(queryset: QuerySet[Recommendation]) -> Iterator[list]:
    """One row per recommendation, read ``CHUNK`` at a time with a fixed number of
    prefetch queries per chunk. Overdue is judged on each region's own calendar day."""
    status = {value: str(label) for value, label in RecommendationStatus.choices}
    yes, no = _("yes"), _("no")
    today = {}
    rows = (
        queryset.select_related("region", "meeting").defer("region__boundary")
        .prefetch_related(
            "institutions",
            Prefetch("regions", queryset=Region.objects.only("code"), to_attr="tracker_regions"),
            Prefetch("distributions", queryset=Distribution.objects.order_by("sent_at", "id"),
                     to_attr="tracker_distributions"),
            Prefetch("progress_notes", queryset=ProgressNote.objects.order_by("-at", "-id"),
                     to_attr="tracker_progress"),
        )
    )
    for rec in rows.iterator(chunk_size=CHUNK):
        zone = rec.region.timezone
        if zone not in today:
            today[zone] = region_today(rec.region)
        late_days = ((today[zone] - rec.deadline).days
                     if rec.status in OPEN and rec.deadline and rec.deadline < today[zone] else 0)
        addressed = [i.name for i in rec.institutions.all()]
        if rec.addressees:
            addressed.append(rec.addressees)
        latest = rec.tracker_progress[0] if rec.tracker_progress else None
        yield [
            rec.number or "",
            status.get(rec.status, rec.status),
            yes if late_days else no,
            late_days,
            rec.deadline,
            rec.title,
            rec.text,
            "; ".join(addressed),
            rec.region_id,
            rec.region.name,
            ", ".join(r.code for r in rec.tracker_regions),
            rec.meeting.title if rec.meeting_id else "",
            timezone.localtime(rec.meeting.held_at).date() if rec.meeting_id else None,
            timezone.localtime(rec.issued_at).date() if rec.issued_at else None,
            "; ".join(d.recipient for d in rec.tracker_distributions),
            "; ".join(f"{d.recipient}: {d.acknowledged_by}" for d in rec.tracker_distributions
                      if d.acknowledged_at),
            latest.text if latest else "",
            timezone.localtime(latest.at).date() if latest else None,
        ]


def filename(extension: str) -> str:
    return f"pelacak-rekomendasi-{timezone.localdate():%Y-%m-%d}.{extension}"


def export_csv(queryset: QuerySet[Recommendation], *, language: str | None = None
               ) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel reads the names right), in pieces."""
    with translation.override(language or translation.get_language()):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header())
        for record in records(queryset):
            writer.writerow([value.isoformat() if isinstance(value, dt.date)
                             else neutralise(value) if value is not None else ""
                             for value in record])
            if buffer.tell() >= 64 * 1024:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate(0)
        yield buffer.getvalue().encode("utf-8")


def export_xlsx(queryset: QuerySet[Recommendation]) -> IO[bytes]:
    """A write-only workbook: frozen header, auto-filter over every column, overdue rows
    shaded, dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Recommendations")[:31])
    sheet.freeze_panes = "A2"
    widths = [18, 16, 10, 10, 12, 30, 60, 30, 10, 22, 20, 30, 12, 12, 30, 30, 40, 12]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}1048576"
    bold = Font(bold=True)
    late_fill = PatternFill("solid", fgColor="FDE2E1")
    head = []
    for label in header():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for record in records(queryset):
        late = record[3] > 0
        row = []
        for value in record:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if late:
                cell.fill = late_fill
            row.append(cell)
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
