"""The per-day incident counts (``IncidentDayCount``) that dashboards read instead of
counting incidents.

A bucket is one kab/kota on one day of its own calendar. Every incident write calls
``incident_day_counts_refresh`` for the buckets it touched (an edit may move an incident to
another day or kab/kota), inside the write's transaction: the bucket is recounted from its
incidents, never incremented, so the counts cannot drift, and a lock per bucket makes two
writers of the same day take turns.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce

from kewaspadaan.choices import TIMEZONE_IANA, RegionLevel
from kewaspadaan.models import Region
from laporan.choices import Status
from laporan.models import Incident, IncidentDayCount

Bucket = tuple[str, dt.date]  # (kab/kota code, local day)

_ZONES: dict[str, str] = {}


def _zone(region_code: str) -> ZoneInfo:
    if region_code not in _ZONES:
        _ZONES[region_code] = Region.objects.filter(code=region_code).values_list(
            "timezone", flat=True).get()
    return ZoneInfo(TIMEZONE_IANA[_ZONES[region_code]])


def bucket_of(incident: Incident) -> Bucket:
    return incident.region_id, incident.occurred_at.astimezone(_zone(incident.region_id)).date()


def _lock(bucket: Bucket) -> None:
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{bucket[0]}|{bucket[1].isoformat()}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7305, key])


def _counts(region_code: str, day: dt.date) -> list[IncidentDayCount]:
    zone = _zone(region_code)
    start = dt.datetime.combine(day, dt.time.min, zone)
    rows = (
        Incident.objects.filter(region_id=region_code, occurred_at__gte=start,
                                occurred_at__lt=start + dt.timedelta(days=1))
        .exclude(status=Status.DRAFT)
        .values("kecamatan_id", "athg", "status", "classification",
                category=Coalesce("indicator__parent__code", "indicator__code"))
        .annotate(n=Count("id")).order_by()
    )
    return [IncidentDayCount(region_id=region_code, kecamatan_id=r["kecamatan_id"], day=day,
                             category=r["category"], athg=r["athg"], status=r["status"],
                             classification=r["classification"], count=r["n"])
            for r in rows]


def incident_day_counts_refresh(*, buckets: Iterable[Bucket]) -> None:
    """Recount the given (kab/kota, day) buckets from their incidents."""
    with transaction.atomic():
        for region_code, day in sorted(set(buckets)):
            _lock((region_code, day))
            IncidentDayCount.objects.filter(region_id=region_code, day=day).delete()
            IncidentDayCount.objects.bulk_create(_counts(region_code, day))


def incident_day_counts_rebuild() -> int:
    """Recount every day of every kab/kota in one pass over the incidents (after a bulk
    load, or to repair). Writers wait for it on PostgreSQL (the table is locked until it
    commits) and then recount their own day. Returns the number of rows written."""
    zones = {code: ZoneInfo(TIMEZONE_IANA[tz]) for code, tz in
             Region.objects.filter(level=RegionLevel.KABKOTA).values_list("code", "timezone")}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {IncidentDayCount._meta.db_table} IN EXCLUSIVE MODE")
        IncidentDayCount.objects.all().delete()
        counts: Counter = Counter()
        rows = (Incident.objects.exclude(status=Status.DRAFT)
                .values_list("region_id", "kecamatan_id", "occurred_at", "athg", "status",
                             "classification", "indicator__code", "indicator__parent__code"))
        for region, kecamatan, at, athg, status, classification, code, parent in \
                rows.iterator(chunk_size=5000):
            day = at.astimezone(zones[region]).date()
            counts[(region, kecamatan, day, parent or code, athg, status, classification)] += 1
        IncidentDayCount.objects.bulk_create(
            (IncidentDayCount(region_id=k[0], kecamatan_id=k[1], day=k[2], category=k[3],
                              athg=k[4], status=k[5], classification=k[6], count=n)
             for k, n in counts.items()), batch_size=5000)
    return len(counts)
