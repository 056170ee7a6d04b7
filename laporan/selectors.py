"""Reads of incident intake. Every selector that returns records takes the user and goes
through the scoping rule (jurisdiction and classification)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from kewaspadaan.models import Region
from kewaspadaan.scoping import scope
from laporan import similarity
from laporan.choices import REFERRAL_OPEN, Status
from laporan.confidential import REDACTED, can_see_informant
from laporan.models import Evidence, Incident, IncidentActor, IncidentTransition, Referral


def _regions():
    return Region.objects.defer("boundary")


# The relations an incident page or API record shows beyond ``incident_list``'s joins.
INCIDENT_PREFETCH = (
    Prefetch("kecamatan", queryset=_regions()),
    Prefetch("desa", queryset=_regions()),
    "assigned_to",
)


def incident_base() -> QuerySet[Incident]:
    """Every incident with the four joins lists show, not yet scoped (the API's viewset
    scopes it itself). Pages that show more relations prefetch them (``INCIDENT_PREFETCH``):
    PostgreSQL spent 200+ ms planning the eleven-way join the lists used to make, for under
    5 ms of execution."""
    return (Incident.objects.select_related("region", "indicator", "indicator__parent",
                                            "created_by")
            .defer("region__boundary"))


def incident_list(*, user) -> QuerySet[Incident]:
    """Incidents the user may read. A draft is its reporter's unfinished work: besides the
    reporter, only analysts (who verify) see it (the scoping rule's ``status_field``)."""
    return scope(incident_base(), user)


def incident_get(*, user, pk: int) -> Incident | None:
    return incident_list(user=user).filter(pk=pk).first()


def incident_detail(*, user, pk: int) -> Incident | None:
    return (
        incident_list(user=user)
        .prefetch_related("contest", "candidate_pair", "election", "merged_into",
                          "verified_by",
            "stages",
            Prefetch("actors", queryset=IncidentActor.objects.order_by("id")),
        )
        .filter(pk=pk)
        .first()
    )


def verification_queue(*, user) -> QuerySet[Incident]:
    return incident_list(user=user).filter(status=Status.SUBMITTED).order_by("occurred_at", "id")


@dataclass
class DuplicateCandidate:
    incident: Incident
    score: float


def incident_duplicates(*, incident: Incident, user, limit: int = 5) -> list[DuplicateCandidate]:
    """Likely duplicates the user may see: same kab/kota and indicator, within the window,
    with similar text (``laporan.similarity``)."""
    window = similarity.WINDOW
    candidates = (
        incident_list(user=user)
        .filter(
            region_id=incident.region_id, indicator_id=incident.indicator_id,
            occurred_at__gte=incident.occurred_at - window,
            occurred_at__lte=incident.occurred_at + window,
        )
        .exclude(pk=incident.pk)
        .exclude(status__in=[Status.MERGED, Status.REJECTED])[:50]
    )
    text = f"{incident.title} {incident.narrative}"
    found = []
    for other in candidates:
        score = similarity.duplicate_score(
            text_a=text, text_b=f"{other.title} {other.narrative}",
            time_a=incident.occurred_at, time_b=other.occurred_at,
        )
        if score >= similarity.THRESHOLD:
            found.append(DuplicateCandidate(other, score))
    found.sort(key=lambda c: -c.score)
    return found[:limit]


def referral_list(*, user) -> QuerySet[Referral]:
    return scope(
        Referral.objects.select_related("incident", "incident__region", "institution")
        .defer("incident__region__boundary"),  # large, and never shown with a referral
        user,
    )


def referrals_overdue(*, user, today: dt.date | None = None) -> QuerySet[Referral]:
    today = today or timezone.localdate()
    return referral_list(user=user).filter(
        status__in=REFERRAL_OPEN, deadline__lt=today
    ).order_by("deadline", "id")


def evidence_get(*, user, pk: int) -> Evidence | None:
    return scope(Evidence.objects.select_related("incident"), user).filter(pk=pk).first()


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "status", "referral", "evidence"
    item: object


def incident_timeline(*, incident: Incident) -> list[TimelineEntry]:
    """Status changes, referrals and evidence of one (already visible) incident, by time."""
    entries = [
        TimelineEntry(t.at, "status", t)
        for t in IncidentTransition.objects.filter(incident=incident).select_related("by")
    ]
    entries += [
        TimelineEntry(r.created_at, "referral", r)
        for r in incident.referrals.select_related("institution", "created_by")
    ]
    entries += [
        TimelineEntry(e.uploaded_at, "evidence", e)
        for e in incident.evidence.select_related("uploaded_by")
    ]
    return sorted(entries, key=lambda e: e.at)


HIDDEN_HISTORY_FIELDS = {"informant"}


@dataclass
class HistoryEntry:
    at: dt.datetime
    by: object
    reason: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def incident_history(*, incident: Incident, user) -> list[HistoryEntry]:
    """Every saved version of the incident with what changed, newest first, in words (choice
    labels, names, local times). The informant's values are masked for users who may not
    see them."""
    hidden = set() if can_see_informant(user, incident) else HIDDEN_HISTORY_FIELDS
    records = list(incident.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    names: dict = {}  # related rows read once, though each change names its old and new
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                if change.field in hidden:
                    changes.append((_label(change.field), REDACTED, REDACTED))
                else:
                    changes.append((_label(change.field), _text(change.field, change.old, names),
                                    _text(change.field, change.new, names)))
        entries.append(HistoryEntry(record.history_date, record.history_user,
                                    record.history_change_reason or "", changes))
        previous = record
    return list(reversed(entries))


def _label(name: str) -> str:
    try:
        label = str(Incident._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
    return label[:1].upper() + label[1:]


def _text(name: str, value, names: dict) -> str:
    """A stored value as a person reads it: the choice's label, the related row's name
    (kept in ``names``), a local time."""
    if value in (None, ""):
        return "—"
    try:
        field = Incident._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        key = (field.related_model, value)
        if key not in names:
            related = field.related_model._default_manager.filter(pk=value).first()
            names[key] = str(related) if related is not None else str(value)
        return names[key]
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "j M Y H:i")
    return str(value)
