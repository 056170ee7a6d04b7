"""Confidential data: who may read the informant, the log of every access to terbatas and
rahasia incidents, and the retention of personal data (UU PDP 27/2022).

Who reads the informant: analysts and admins, on the incidents the scoping rule lets them
see. Nobody else, not even the operator who typed it: an operator account is the one most
often shared or lost in the field, and the informant's safety outweighs reading one's own
entry back (the operator can still replace it while editing; an analyst corrects it). The
informant never leaves the portal in an export file, for anyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kewaspadaan.auth import client_ip
from kewaspadaan.choices import Classification
from kewaspadaan.models import Stage
from laporan.choices import Status
from laporan.models import AccessLog, Evidence, Incident, IncidentActor, PersonalDataErasure
from laporan.permissions import can

logger = logging.getLogger(__name__)

CONFIDENTIAL = (Classification.TERBATAS, Classification.RAHASIA)
REDACTED = "•••"
# The stage whose end closes the dispute period: winners are declared after the
# Constitutional Court's ruling (its dates are entered once known).
DISPUTE_END_STAGE = "penetapan-calon-terpilih"
FINISHED = (Status.CLOSED, Status.REJECTED, Status.MERGED)


def can_see_informant(user, incident: Incident | None = None) -> bool:
    """One rule for pages, API and history. ``incident`` is accepted so the rule can grow
    per incident; today it is by role (the incident is already scoped to the user)."""
    return can(user, "see_informant")


# --- Access log -----------------------------------------------------------------------------

def _what(request, extra: str = "") -> str:
    text = request.get_full_path()
    if extra:
        text = f"{text} {extra}"
    return text[:300]


def access_record(*, request, kind: str, incident_ids: Iterable[int], row_count: int = 0,
                  what: str = "") -> AccessLog | None:
    """Append one row to the access log when ``incident_ids`` (the terbatas or rahasia
    incidents shown) is not empty, before the response is sent."""
    ids = sorted(set(incident_ids))
    if not ids:
        return None
    user = request.user
    return AccessLog.objects.create(
        user=user, kind=kind, what=what or _what(request), incident_ids=ids,
        row_count=row_count or len(ids), ip_address=client_ip(request) or None,
    )


def confidential_ids(incidents: Iterable[Incident]) -> list[int]:
    return [i.pk for i in incidents if i.classification in CONFIDENTIAL]


def record_access(*, request, kind: str, incidents: Iterable[Incident]) -> None:
    """Log that ``incidents`` (a page, an API record or list page, a document's incident)
    were shown, if any of them is terbatas or rahasia: the one call of pages and API."""
    access_record(request=request, kind=kind, incident_ids=confidential_ids(incidents))


def confidential_ids_of(queryset: QuerySet[Incident]) -> list[int]:
    """The terbatas and rahasia incidents of a (scoped, filtered) queryset: one query."""
    return list(queryset.order_by().filter(classification__in=CONFIDENTIAL)
                .values_list("pk", flat=True))


def record_export(*, request, queryset: QuerySet[Incident], file_kind: str) -> None:
    ids = confidential_ids_of(queryset)
    if ids:
        access_record(request=request, kind=AccessLog.Kind.EXPORT, incident_ids=ids,
                      row_count=queryset.order_by().count(),
                      what=_what(request, file_kind))


# --- Retention (UU PDP 27/2022) ---------------------------------------------------------------

def retention_days() -> int:
    return settings.PERSONAL_DATA_RETENTION_DAYS


def retention_end(incident: Incident, dispute_ends: dict[int, dt.date | None]) -> dt.date | None:
    """The day after which the incident's personal data may go, or None while the dispute
    period of its election is open (the winners' stage has no end date yet)."""
    if incident.election_id is not None:
        ends = dispute_ends.get(incident.election_id)
        if ends is None:
            return None
    else:
        ends = timezone.localdate(incident.updated_at)
    return ends + dt.timedelta(days=retention_days())


def _dispute_ends() -> dict[int, dt.date | None]:
    ends: dict[int, dt.date | None] = {}
    for election_id, end_date in Stage.objects.filter(slug=DISPUTE_END_STAGE).values_list(
            "election_id", "end_date"):
        ends[election_id] = end_date
    return ends


def retention_candidates(*, today: dt.date | None = None) -> list[tuple[Incident, dt.date]]:
    """Finished incidents past their retention end that still hold personal data."""
    today = today or timezone.localdate()
    dispute_ends = _dispute_ends()
    period = dt.timedelta(days=retention_days())
    # In SQL first (elections are few): only incidents whose retention may have ended.
    ended = [pk for pk, ends in dispute_ends.items() if ends is not None and ends + period < today]
    cutoff = timezone.make_aware(dt.datetime.combine(today - period, dt.time.min))
    holds_personal = (~Q(informant="") | Q(evidence__isnull=False)
                      | Q(actors__description__gt=""))
    incidents = (Incident.objects.filter(status__in=FINISHED).filter(holds_personal)
                 .filter(Q(election_id__in=ended)
                         | Q(election__isnull=True, updated_at__lt=cutoff))
                 .distinct().only("pk", "election_id", "updated_at", "status"))
    due = []
    for incident in incidents.iterator(chunk_size=500):
        ends = retention_end(incident, dispute_ends)
        if ends is not None and ends < today:
            due.append((incident, ends))
    return due


def _erase_history_informant(incident_id: int) -> None:
    """Blank the informant in the incident's history: the one change the append-only
    trigger lets through."""
    Incident.history.model.objects.filter(id=incident_id).exclude(informant="").update(
        informant="")


def erase_personal_data(*, today: dt.date | None = None) -> list[PersonalDataErasure]:
    """Erase the informant (and its past versions), the actors' descriptions and the
    evidence files of every finished incident past its retention end. Counts, indicators,
    classes and scores stay. Idempotent: a second run finds nothing to erase."""
    done = []
    for candidate, ends in retention_candidates(today=today):
        files: list = []
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=candidate.pk)
            informant = bool(incident.informant)
            if informant:
                # A plain UPDATE: erasing is not an edit of the report, and makes no new
                # history version holding the old value.
                Incident.objects.filter(pk=incident.pk).update(informant="")
            _erase_history_informant(incident.pk)
            actors = IncidentActor.objects.filter(incident=incident, description__gt="").update(
                description="")
            evidence = list(Evidence.objects.filter(incident=incident))
            files = [e.file.name for e in evidence if e.file.name]
            Evidence.objects.filter(pk__in=[e.pk for e in evidence]).delete()
            erasure, _created = PersonalDataErasure.objects.update_or_create(
                incident=incident,
                defaults={"erased_at": timezone.now(), "retention_ends": ends,
                          "informant_erased": informant, "actor_descriptions_erased": actors,
                          "evidence_files_erased": len(evidence)},
            )
            storage = Evidence._meta.get_field("file").storage
            transaction.on_commit(lambda names=files, s=storage: _delete_files(s, names))
        logger.info("personal data erased: incident %s (retention ended %s): informant %s, "
                    "%s actor descriptions, %s evidence files", incident.pk, ends, informant,
                    actors, len(evidence))
        done.append(erasure)
    return done


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("evidence file %s could not be deleted", name)
