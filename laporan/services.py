"""Writes of incident intake. Views, the API, the importer and the admin call these; none of
them saves an incident itself. Each checks who may act (``laporan.permissions``) and where
(the scoping rule), and records who, when and why."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from kewaspadaan import selectors as core
from kewaspadaan.choices import Classification, RegionLevel, Role
from kewaspadaan.models import CandidatePair, Contest, Indicator, Institution, Region
from kewaspadaan.scoping import can_see_region
from kewaspadaan.services import risk as engine
from laporan import filetypes, tallies
from laporan.choices import (
    ACCEPTED,
    REFERRAL_OPEN,
    ActorType,
    Credibility,
    ReferralStatus,
    Reliability,
    Severity,
    SourceType,
    Status,
)
from laporan.deadlines import add_days
from laporan.models import Evidence, Incident, IncidentActor, IncidentTransition, Referral
from laporan.permissions import can


@dataclass
class ActorData:
    actor_type: str
    count: int = 1
    description: str = ""


@dataclass
class IncidentData:
    """Everything a reporter fills in; forms, serializers and the importer build one."""

    title: str
    narrative: str
    region: Region
    occurred_at: dt.datetime
    indicator: Indicator
    source_type: str
    kecamatan: Region | None = None
    desa: Region | None = None
    latitude: float | None = None
    longitude: float | None = None
    athg: str = ""
    contest: Contest | None = None
    candidate_pair: CandidatePair | None = None
    source_reliability: str = "F"
    information_credibility: int = 6
    severity: int = 2
    injured: int = 0
    killed: int = 0
    damage: str = ""
    classification: str = Classification.BIASA
    informant: str = ""
    external_ref: str | None = None
    actors: Sequence[ActorData] = field(default_factory=list)

    def model_values(self) -> dict:
        skip = {"actors"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


# --- Checks ---------------------------------------------------------------------------------

def _require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(_("Your role may not do this."))


def _require_region(user, code: str) -> None:
    if not can_see_region(user, code):
        raise PermissionDenied(_("This region is outside your jurisdiction."))


# (south, north, west, east): the same box as the incident_point_in_indonesia constraint.
INDONESIA_BOUNDS = (-11.5, 6.5, 94.5, 141.5)


def _clean(data: IncidentData, by) -> IncidentData:
    """Validate and complete ``data``; every problem is reported at once, in Indonesian."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not (data.title or "").strip():
        err("title", _("Give the incident a short title."))
    elif len(data.title) > Incident._meta.get_field("title").max_length:
        err("title", _("The title is longer than 200 characters."))
    if data.external_ref and len(data.external_ref) > 100:
        err("external_ref", _("The external reference is longer than 100 characters."))
    for name, allowed in (
        ("source_type", SourceType.values), ("source_reliability", Reliability.values),
        ("information_credibility", Credibility.values), ("severity", Severity.values),
        ("classification", Classification.values),
    ):
        if getattr(data, name) not in allowed:
            err(name, _("Choose one of the listed values."))
    if any(a.actor_type not in ActorType.values for a in data.actors):
        err("actors", _("Choose one of the listed kinds of actor."))
    if not (data.narrative or "").strip():
        err("narrative", _("Describe what happened."))
    region = data.region
    if region is None or region.level != RegionLevel.KABKOTA:
        err("region", _("Choose a kabupaten or kota."))
    elif not can_see_region(by, region.code):
        err("region", _("This region is outside your jurisdiction."))
    if data.desa is not None:
        if data.desa.level != RegionLevel.DESA:
            err("desa", _("Choose a desa or kelurahan."))
        elif data.kecamatan is None:
            if region is not None and not data.desa.code.startswith(f"{region.code}."):
                err("desa", _("This desa/kelurahan is not in the chosen kab/kota."))
            else:
                data.kecamatan = Region.objects.get(code=data.desa.parent_id)
        elif data.desa.parent_id != data.kecamatan.code:
            err("desa", _("This desa/kelurahan is not in the chosen kecamatan."))
    if data.kecamatan is not None and region is not None:
        if data.kecamatan.level != RegionLevel.KECAMATAN:
            err("kecamatan", _("Choose a kecamatan."))
        elif data.kecamatan.parent_id != region.code:
            err("kecamatan", _("This kecamatan is not in the chosen kab/kota."))
    if data.occurred_at is None or timezone.is_naive(data.occurred_at):
        err("occurred_at", _("Give the date and time of the event."))
    elif data.occurred_at > timezone.now() + dt.timedelta(minutes=10):
        err("occurred_at", _("The event cannot be in the future."))
    indicator = data.indicator
    if indicator is None or indicator.is_category or not indicator.is_active:
        err("indicator", _("Choose an indicator (not a category)."))
    elif not data.athg:
        data.athg = indicator.athg
    if (data.latitude is None) != (data.longitude is None):
        err("latitude", _("Give both latitude and longitude, or neither."))
    elif data.latitude is not None and not (
        INDONESIA_BOUNDS[0] <= data.latitude <= INDONESIA_BOUNDS[1]
        and INDONESIA_BOUNDS[2] <= data.longitude <= INDONESIA_BOUNDS[3]
    ):
        err("latitude", _("The map point must lie in Indonesia."))
    if data.contest is not None and region is not None:
        if data.contest.region_id not in (region.code, region.code[:2]):
            err("contest", _("This contest is not held in the chosen kab/kota."))
    if data.candidate_pair is not None and data.candidate_pair.contest_id != getattr(
        data.contest, "pk", None
    ):
        err("candidate_pair", _("This candidate pair is not in the chosen contest."))
    if data.killed < 0 or data.injured < 0:
        err("injured", _("Casualty numbers cannot be negative."))
    for actor in data.actors:
        if actor.count < 1:
            err("actors", _("The number of actors must be at least 1."))
    if errors:
        raise ValidationError(errors)
    return data


def incident_validate(*, by, data: IncidentData) -> IncidentData:
    """Check ``data`` as ``incident_create`` would, writing nothing (import previews).
    Raises ValidationError with every problem, per field."""
    _require(by, "create")
    return _clean(data, by)


def _calendar(region: Region, occurred_at: dt.datetime):
    """The election and its stages running on the event's day, as the clock reads in its
    region (WIB, WITA or WIT)."""
    return _calendar_on(core.local_date(region=region, at=occurred_at))


def _calendar_on(day: dt.date):
    election = core.election_current(on=day)
    return election, list(core.stages_on(election=election, day=day)) if election else []


def _actor_rows(incident: Incident, actors: Iterable[ActorData]) -> list[IncidentActor]:
    return [IncidentActor(incident=incident, actor_type=a.actor_type, count=a.count,
                          description=a.description) for a in actors]


def _record(incident: Incident, *, from_status: str, to_status: str, by, reason: str = "",
            at: dt.datetime | None = None) -> IncidentTransition:
    return IncidentTransition.objects.create(
        incident=incident, from_status=from_status, to_status=to_status, by=by,
        reason=reason, at=at or timezone.now(),
    )


# --- Signals to the risk engine ----------------------------------------------------------

SIGNAL_SOURCE = "laporan.incident"


def _post_signal(incident: Incident) -> None:
    """Post (or update) the verified incident's signal: the engine never reads incidents."""
    engine.signal_post(data=engine.SignalInput(
        source=SIGNAL_SOURCE, source_ref=str(incident.pk), region=incident.region,
        indicator=incident.indicator, athg=incident.athg, severity=incident.severity,
        reliability=incident.source_reliability,
        credibility=incident.information_credibility, occurred_at=incident.occurred_at,
        election=incident.election, stages=[s.slug for s in incident.stages.all()],
        injured=incident.injured, killed=incident.killed,
        # Score snapshots are read by everyone of the region, whatever their role: a
        # restricted or secret incident is named there by its reference only.
        label=(f"{incident.reference} {incident.title}"
               if incident.classification == Classification.BIASA else incident.reference),
    ))


def _withdraw_signal(incident: Incident) -> None:
    engine.signal_withdraw(source=SIGNAL_SOURCE, source_ref=str(incident.pk))


# --- Incidents --------------------------------------------------------------------------

@transaction.atomic
def incident_create(*, by, data: IncidentData, submit: bool = False,
                    is_demo: bool = False) -> Incident:
    """Log an incident as a draft (or submit it at once)."""
    _require(by, "create")
    data = _clean(data, by)
    election, stages = _calendar(data.region, data.occurred_at)
    incident = Incident(**data.model_values(), election=election, created_by=by,
                        is_demo=is_demo)
    incident._change_reason = _("Created")
    incident._history_user = by  # also outside a web request (imports, tasks)
    incident.save()
    incident.stages.set(stages)
    IncidentActor.objects.bulk_create(_actor_rows(incident, data.actors))
    _record(incident, from_status="", to_status=Status.DRAFT, by=by)
    engine.region_activity_touch(region_code=incident.region_id, at=timezone.now())
    if submit:
        incident = incident_submit(incident=incident, by=by)
    return incident


class IncidentRowInvalid(ValidationError):
    """A row of a bulk import failed its checks: ``index`` names it, ``error`` says why."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(error.message_dict if hasattr(error, "error_dict") else error.messages)
        self.index = index
        self.error = error


@transaction.atomic
def incidents_import(*, by, rows: Sequence[IncidentData], submit: bool = True) -> list[Incident]:
    """Log many incidents at once (a bulk import), as ``incident_create`` logs one: the same
    checks on every row first (nothing is written if one fails: ``IncidentRowInvalid``), then
    the rows, their history, stages, actors and workflow records in a few bulk statements,
    and the day counts of the days they touch recounted once."""
    _require(by, "create")
    if submit:
        _require(by, "submit")  # as incident_submit asks of incident_create(submit=True)
    cleaned = []
    for index, data in enumerate(rows):
        try:
            cleaned.append(_clean(data, by))
        except ValidationError as exc:
            raise IncidentRowInvalid(index, exc) from exc
    calendars: dict[dt.date, tuple] = {}  # the election and stages of each local day
    incidents, stage_lists = [], []
    status = Status.SUBMITTED if submit else Status.DRAFT
    for data in cleaned:
        day = core.local_date(region=data.region, at=data.occurred_at)
        if day not in calendars:
            calendars[day] = _calendar_on(day)
        election, stages = calendars[day]
        incidents.append(Incident(**data.model_values(), election=election, created_by=by,
                                  status=status))
        stage_lists.append(stages)
    now = timezone.now()
    created = bulk_create_with_history(
        incidents, Incident, batch_size=500, default_user=by,
        default_change_reason=str(_("Imported")), default_date=now)
    Through = Incident.stages.through
    Through.objects.bulk_create(
        [Through(incident_id=incident.pk, stage_id=stage.pk)
         for incident, stages in zip(created, stage_lists, strict=True) for stage in stages],
        batch_size=1000)
    IncidentActor.objects.bulk_create(
        [actor for incident, data in zip(created, cleaned, strict=True)
         for actor in _actor_rows(incident, data.actors)],
        batch_size=1000)
    transitions = [IncidentTransition(incident=incident, from_status="",
                                      to_status=Status.DRAFT, by=by, at=now)
                   for incident in created]
    if submit:
        transitions += [IncidentTransition(incident=incident, from_status=Status.DRAFT,
                                           to_status=Status.SUBMITTED, by=by, at=now)
                        for incident in created]
    IncidentTransition.objects.bulk_create(transitions, batch_size=1000)
    for code in sorted({incident.region_id for incident in created}):
        engine.region_activity_touch(region_code=code, at=now)
    tallies.incident_day_counts_refresh(
        buckets=sorted({tallies.bucket_of(incident) for incident in created}))
    return created


@transaction.atomic
def incident_update(*, incident: Incident, by, data: IncidentData, reason: str = "") -> Incident:
    """Edit an incident. After verification an edit needs a reason and the previous version
    stays in the history, so nothing verified changes silently."""
    _require(by, "edit")
    _require_region(by, incident.region_id)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status in (Status.MERGED, Status.REJECTED, Status.CLOSED):
        raise ValidationError(_("A merged, rejected or closed incident cannot be edited."))
    if locked.status in ACCEPTED:
        if not can(by, "verify"):
            raise PermissionDenied(_("Only an analyst may edit a verified incident."))
        if not reason.strip():
            raise ValidationError({"reason": [_("Say why a verified incident is changed.")]})
    elif locked.created_by_id != by.pk and by.role == Role.OPERATOR:
        raise PermissionDenied(_("Operators may only edit the incidents they reported."))
    data = _clean(data, by)
    before = tallies.bucket_of(locked)
    for name, value in data.model_values().items():
        setattr(locked, name, value)
    locked.election, stages = _calendar(data.region, data.occurred_at)
    locked._change_reason = reason or _("Edited")
    locked._history_user = by
    locked.save()
    locked.stages.set(stages)
    locked.actors.all().delete()
    IncidentActor.objects.bulk_create(_actor_rows(locked, data.actors))
    if locked.status != Status.DRAFT:
        tallies.incident_day_counts_refresh(buckets=[before, tallies.bucket_of(locked)])
    if locked.status in ACCEPTED:
        _post_signal(locked)  # the engine follows the edited facts
    return locked


def _move(incident: Incident, *, by, action: str, allowed_from: Iterable[str], to: str,
          reason: str = "", changes: dict | None = None) -> Incident:
    """Move one incident through the workflow. The row is locked and its status re-read, so
    two analysts pressing at once move it once and the second gets a clear message."""
    _require(by, action)
    _require_region(by, incident.region_id)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                _("This incident is now “%(status)s”; reload the page.")
                % {"status": locked.get_status_display()}
            )
        previous = locked.status
        locked.status = to
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        locked._change_reason = reason or locked.get_status_display()
        locked._history_user = by
        locked.save()
        _record(locked, from_status=previous, to_status=to, by=by, reason=reason)
        tallies.incident_day_counts_refresh(buckets=[tallies.bucket_of(locked)])
    return locked


def incident_submit(*, incident: Incident, by) -> Incident:
    if by.role == Role.OPERATOR and incident.created_by_id != by.pk:
        raise PermissionDenied(_("Operators may only submit the incidents they reported."))
    return _move(incident, by=by, action="submit", allowed_from=[Status.DRAFT],
                 to=Status.SUBMITTED)


def incident_verify(*, incident: Incident, by, reliability: str, credibility: int,
                    reason: str = "") -> Incident:
    """Accept an incident as true, grading its source (A-F) and information (1-6)."""
    if reliability not in {"A", "B", "C", "D", "E", "F"} or int(credibility) not in range(1, 7):
        raise ValidationError(_("Grade the source A-F and the information 1-6."))
    with transaction.atomic():
        verified = _move(
            incident, by=by, action="verify", allowed_from=[Status.SUBMITTED],
            to=Status.VERIFIED, reason=reason,
            changes={"source_reliability": reliability,
                     "information_credibility": int(credibility),
                     "verified_by": by, "verified_at": timezone.now()},
        )
        _post_signal(verified)
    return verified


def incident_reject(*, incident: Incident, by, reason: str) -> Incident:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the incident is rejected.")]})
    with transaction.atomic():
        rejected = _move(incident, by=by, action="reject", allowed_from=[Status.SUBMITTED],
                         to=Status.REJECTED, reason=reason)
        _withdraw_signal(rejected)
    return rejected


def incident_merge(*, duplicate: Incident, into: Incident, by, reason: str = "") -> Incident:
    """Mark ``duplicate`` as a duplicate of ``into``. Both keep their sources, evidence,
    referrals and history; the surviving incident lists the merged ones."""
    if duplicate.pk == into.pk:
        raise ValidationError(_("An incident cannot be merged into itself."))
    _require_region(by, into.region_id)
    if into.status in (Status.MERGED, Status.REJECTED):
        raise ValidationError(_("Merge into an incident that is not itself merged or rejected."))
    if into.region_id != duplicate.region_id:
        raise ValidationError(_("Only incidents of the same kab/kota can be merged."))
    with transaction.atomic():
        merged = _move(
            duplicate, by=by, action="merge",
            allowed_from=[Status.DRAFT, Status.SUBMITTED, Status.VERIFIED], to=Status.MERGED,
            reason=reason or _("Duplicate of %(ref)s") % {"ref": into.reference},
            changes={"merged_into": into},
        )
        _withdraw_signal(merged)  # the incident it joined carries the signal
    return merged


def incident_start_follow_up(*, incident: Incident, by, reason: str = "") -> Incident:
    return _move(incident, by=by, action="follow_up", allowed_from=[Status.VERIFIED],
                 to=Status.FOLLOW_UP, reason=reason)


def incident_close(*, incident: Incident, by, reason: str) -> Incident:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say how the incident was settled.")]})
    return _move(incident, by=by, action="close",
                 allowed_from=[Status.VERIFIED, Status.FOLLOW_UP], to=Status.CLOSED,
                 reason=reason)


@transaction.atomic
def incident_assign(*, incident: Incident, assignee, by) -> Incident:
    """Give an incident to an analyst who can see it."""
    _require(by, "assign")
    _require_region(by, incident.region_id)
    if assignee is not None:
        if not can(assignee, "verify") or not can_see_region(assignee, incident.region_id):
            raise ValidationError(
                _("%(name)s is not an analyst of this region.") % {"name": assignee}
            )
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    locked.assigned_to = assignee
    locked._change_reason = _("Assigned to %(name)s") % {"name": assignee or "—"}
    locked._history_user = by
    locked.save()
    return locked


@dataclass
class BulkResult:
    done: list[Incident] = field(default_factory=list)
    failed: list[tuple[Incident, str]] = field(default_factory=list)


def incidents_bulk(*, incidents: Iterable[Incident], by, action: str, **kwargs) -> BulkResult:
    """Verify, reject or assign several incidents; each succeeds or fails on its own."""
    operations = {"verify": incident_verify, "reject": incident_reject,
                  "assign": incident_assign}
    operation = operations[action]
    result = BulkResult()
    for incident in incidents:
        try:
            result.done.append(operation(incident=incident, by=by, **kwargs))
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(getattr(exc, "messages", None) or [str(exc)])
            result.failed.append((incident, message))
    return result


# --- Referrals --------------------------------------------------------------------------

def referral_deadline(institution: Institution, referred_on: dt.date) -> dt.date | None:
    if institution.deadline_days is None:
        return None
    return add_days(referred_on, institution.deadline_days,
                    working_days=institution.deadline_working_days)


@transaction.atomic
def referral_create(*, incident: Incident, by, institution: Institution, subject: str,
                    count: int, referred_on: dt.date, notes: str = "") -> Referral:
    """Record that an incident (or part of it: 10 ASN to Polri) went to an institution.
    A verified incident moves to follow-up."""
    _require(by, "refer")
    _require_region(by, incident.region_id)
    incident.refresh_from_db(fields=["status"])
    if incident.status not in ACCEPTED:
        raise ValidationError(_("Only a verified incident can be referred."))
    if count < 1:
        raise ValidationError({"count": [_("At least one person or item must be referred.")]})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": [_("The referral date cannot be in the future.")]})
    referral = Referral.objects.create(
        incident=incident, institution=institution, subject=subject.strip(), count=count,
        referred_on=referred_on, deadline=referral_deadline(institution, referred_on),
        notes=notes, created_by=by,
    )
    if incident.status == Status.VERIFIED:
        _move(incident, by=by, action="refer", allowed_from=[Status.VERIFIED],
              to=Status.FOLLOW_UP,
              reason=_("Referred to %(institution)s") % {"institution": institution})
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, by, status: str, outcome: str = "",
                    decided_on: dt.date | None = None) -> Referral:
    _require(by, "update_referral")
    _require_region(by, referral.incident.region_id)
    if status not in ReferralStatus.values:
        raise ValidationError({"status": [_("Unknown referral status.")]})
    if status not in REFERRAL_OPEN and not outcome.strip():
        raise ValidationError({"outcome": [_("Record the outcome of the referral.")]})
    referral.status = status
    referral.outcome = outcome
    referral.decided_on = decided_on or (None if status in REFERRAL_OPEN
                                         else timezone.localdate())
    referral.save()
    return referral


# --- Evidence ---------------------------------------------------------------------------

def evidence_add(*, incident: Incident, by, upload: UploadedFile,
                 description: str = "") -> Evidence:
    """Attach a photo, screenshot or PDF, checked by its content (not its name) and size."""
    _require(by, "add_evidence")
    _require_region(by, incident.region_id)
    if incident.status in (Status.MERGED, Status.REJECTED):
        raise ValidationError(_("Evidence cannot be added to a merged or rejected incident."))
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": [_("The file is larger than the limit of %(size)s.")
                      % {"size": filesizeformat(limit)}]}
        )
    upload.seek(0)
    kind = filetypes.sniff(upload.read(32))
    if kind is None:
        raise ValidationError(
            {"file": [_("Only photos (JPEG, PNG, WebP, GIF, HEIC) and PDF files are accepted; "
                        "this file is neither, whatever its name says.")]}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    if incident.evidence.filter(sha256=sha).exists():
        raise ValidationError({"file": [_("This file is already attached to the incident.")]})
    content_type, extension = kind
    upload.seek(0)
    evidence = Evidence(
        incident=incident, original_name=(upload.name or "bukti")[:200],
        content_type=content_type, size=upload.size, sha256=sha,
        description=description[:250], uploaded_by=by,
    )
    evidence.file.save(f"bukti{extension}", upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
    except BaseException:
        evidence.file.delete(save=False)  # no file without its row
        raise
    return evidence
