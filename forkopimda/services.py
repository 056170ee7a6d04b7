"""Writes of forums, meetings and recommendations. Views, the API, the admin, the demo loader
and tasks call these; none of them saves a model itself. Each checks who may act
(``forkopimda.permissions``) and where (the scoping rule), and records who and when.

Lifecycle moves lock the recommendation's row and re-read its status, so two people pressing
at once move it once; official numbers are taken from a per-region-and-year sequence row
locked for the length of the issuing transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from forkopimda import compositions
from forkopimda.choices import (
    OPEN,
    Channel,
    ForumKind,
    MeetingKind,
    NoticeStatus,
    Position,
)
from forkopimda.choices import RecommendationStatus as S
from forkopimda.models import (
    Distribution,
    Forum,
    ForumMember,
    Meeting,
    MeetingAttachment,
    MeetingParticipant,
    NumberSequence,
    OverdueNotice,
    ProgressNote,
    Recommendation,
    RecommendationTransition,
    ReportSubscription,
)
from forkopimda.permissions import can, require
from kewaspadaan.choices import TIMEZONE_IANA, RegionLevel
from kewaspadaan.models import Alert, Indicator, Institution, Region, RiskScore
from kewaspadaan.scoping import can_see_region, scope
from kewaspadaan.services.risk import recipients_by_region
from laporan import filetypes
from laporan.models import Incident

log = logging.getLogger(__name__)


# --- Checks ---------------------------------------------------------------------------------

def _require_region(user, code: str) -> None:
    if not can_see_region(user, code):
        raise PermissionDenied(_("This region is outside your jurisdiction."))


def _text(value: str | None) -> str:
    return (value or "").strip()


def _visible(model, items: Iterable, user, name: str, errors: dict) -> list:
    """``items`` if the user may see each of them; otherwise an error on ``name``. A hidden
    record is reported as not found, never as existing."""
    items = list(items or [])
    if not items:
        return []
    pks = {item.pk for item in items}
    seen = set(scope(model.objects.filter(pk__in=pks), user).values_list("pk", flat=True))
    if seen != pks:
        errors.setdefault(name, []).append(_("Some of the chosen records were not found."))
    return items


def region_today(region: Region | None) -> dt.date:
    """Today's date as the clock reads in ``region`` (the portal's zone for the nation)."""
    zone = TIMEZONE_IANA[region.timezone] if region is not None else settings.TIME_ZONE
    return timezone.now().astimezone(ZoneInfo(zone)).date()


# --- Forums ---------------------------------------------------------------------------------

@dataclass
class MemberData:
    office: str
    position: str = Position.MEMBER
    person_name: str = ""
    institution: Institution | None = None
    user: object | None = None
    email: str = ""
    phone: str = ""
    order: int = 0


def _clean_forum(*, by, region: Region | None, kind: str, name: str) -> None:
    errors: dict[str, list[str]] = {}
    if region is None or region.level not in (RegionLevel.PROVINCE, RegionLevel.KABKOTA,
                                              RegionLevel.KECAMATAN, RegionLevel.DESA):
        errors["region"] = [_("Choose a region.")]
    elif not can_see_region(by, region.code):
        errors["region"] = [_("This region is outside your jurisdiction.")]
    if kind not in ForumKind.values:
        errors["kind"] = [_("Choose one of the listed values.")]
    if not _text(name):
        errors["name"] = [_("Give the forum a name.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is longer than 200 characters.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def forum_create(*, by, region: Region, kind: str, name: str, legal_basis: str = "",
                 notes: str = "", members: Sequence[MemberData] = (),
                 is_demo: bool = False) -> Forum:
    """Create a forum of a region, with its members."""
    require(by, "manage_forum")
    _clean_forum(by=by, region=region, kind=kind, name=name)
    if Forum.objects.filter(region=region, name=_text(name)).exists():
        raise ValidationError({"name": [_("This region already has a forum of this name.")]})
    forum = Forum.objects.create(region=region, kind=kind, name=_text(name),
                                 legal_basis=_text(legal_basis)[:250], notes=_text(notes),
                                 is_demo=is_demo)
    for index, member in enumerate(members):
        if not member.order:
            member.order = index + 1
        forum_member_add(forum=forum, by=by, data=member)
    return forum


def template_members(*, region: Region, kind: str) -> list[MemberData]:
    """The usual member offices of a ``kind`` of forum in ``region`` (``compositions``)."""
    seats = compositions.seats(kind=kind, level=region.level, region_name=region.name)
    institutions = Institution.objects.in_bulk([s["institution"] for s in seats
                                                if s["institution"]], field_name="code")
    return [MemberData(office=s["office"], position=s["position"], order=s["order"],
                       institution=institutions.get(s["institution"])) for s in seats]


def forum_create_from_template(*, by, region: Region, kind: str, name: str = "",
                               legal_basis: str = "", notes: str = "",
                               is_demo: bool = False) -> Forum:
    """Create a forum with the usual member offices of its kind, to be edited afterwards."""
    if kind not in ForumKind.values:
        raise ValidationError({"kind": [_("Choose one of the listed values.")]})
    name = _text(name) or compositions.forum_name(kind=kind, level=region.level,
                                                  region_name=region.name)
    return forum_create(by=by, region=region, kind=kind, name=name, legal_basis=legal_basis,
                        notes=notes, members=template_members(region=region, kind=kind),
                        is_demo=is_demo)


@transaction.atomic
def forum_update(*, forum: Forum, by, kind: str, name: str, legal_basis: str = "",
                 notes: str = "", is_active: bool = True) -> Forum:
    require(by, "manage_forum")
    _require_region(by, forum.region_id)
    _clean_forum(by=by, region=forum.region, kind=kind, name=name)
    if Forum.objects.filter(region=forum.region_id, name=_text(name)).exclude(
            pk=forum.pk).exists():
        raise ValidationError({"name": [_("This region already has a forum of this name.")]})
    locked = Forum.objects.select_for_update().get(pk=forum.pk)
    locked.kind, locked.name = kind, _text(name)
    locked.legal_basis, locked.notes, locked.is_active = _text(legal_basis)[:250], notes, is_active
    locked.save()
    return locked


def _clean_member(forum: Forum, data: MemberData, *, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not _text(data.office):
        errors["office"] = [_("Name the member's office.")]
    elif len(data.office) > 200:
        errors["office"] = [_("The office is longer than 200 characters.")]
    elif forum.members.filter(office=_text(data.office)).exclude(pk=exclude_pk).exists():
        errors["office"] = [_("This office is already a member of the forum.")]
    if data.position not in Position.values:
        errors["position"] = [_("Choose one of the listed values.")]
    elif data.position == Position.CHAIR and forum.members.filter(
            position=Position.CHAIR).exclude(pk=exclude_pk).exists():
        errors["position"] = [_("A forum has one chair.")]
    if data.user is not None and data.user.jurisdiction_id and not (
            forum.region_id == data.user.jurisdiction_id
            or forum.region_id.startswith(f"{data.user.jurisdiction_id}.")
            or data.user.jurisdiction_id.startswith(f"{forum.region_id}.")):
        errors["user"] = [_("This account works in another region.")]
    if errors:
        raise ValidationError(errors)


def forum_member_add(*, forum: Forum, by, data: MemberData) -> ForumMember:
    require(by, "manage_forum")
    _require_region(by, forum.region_id)
    _clean_member(forum, data)
    return ForumMember.objects.create(
        forum=forum, office=_text(data.office), person_name=_text(data.person_name)[:150],
        position=data.position, institution=data.institution, user=data.user,
        email=_text(data.email), phone=_text(data.phone)[:30],
        order=data.order or forum.members.count() + 1,
    )


def forum_member_update(*, member: ForumMember, by, data: MemberData) -> ForumMember:
    require(by, "manage_forum")
    _require_region(by, member.forum.region_id)
    _clean_member(member.forum, data, exclude_pk=member.pk)
    for name in ("office", "person_name", "email", "phone"):
        setattr(member, name, _text(getattr(data, name)))
    member.position, member.institution, member.user = data.position, data.institution, data.user
    member.order = data.order or member.order
    member.save()
    return member


def forum_member_remove(*, member: ForumMember, by) -> None:
    require(by, "manage_forum")
    _require_region(by, member.forum.region_id)
    member.delete()


# --- Meetings -------------------------------------------------------------------------------

@dataclass
class ParticipantData:
    office: str
    person_name: str = ""
    member: ForumMember | None = None


@dataclass
class MeetingData:
    """Everything an analyst records about a meeting; forms and serializers build one."""

    forum: Forum
    kind: str
    title: str
    leader: str
    held_at: dt.datetime
    place: str
    topic: str
    background: str = ""
    minutes: str = ""
    signatory_title: str = ""
    signatory_name: str = ""
    signatory_id: str = ""
    document_place: str = ""
    participants: Sequence[ParticipantData] = field(default_factory=list)
    regions: Sequence[Region] = field(default_factory=list)
    indicators: Sequence[Indicator] = field(default_factory=list)
    incidents: Sequence[Incident] = field(default_factory=list)
    alerts: Sequence[Alert] = field(default_factory=list)


MEETING_FIELDS = ("kind", "title", "leader", "held_at", "place", "topic", "background",
                  "minutes", "signatory_title", "signatory_name", "signatory_id",
                  "document_place")


def _clean_meeting(data: MeetingData, by) -> MeetingData:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    forum = data.forum
    if forum is None:
        err("forum", _("Choose a forum."))
    elif not can_see_region(by, forum.region_id):
        err("forum", _("This region is outside your jurisdiction."))
    if data.kind not in MeetingKind.values:
        err("kind", _("Choose one of the listed values."))
    for name, label_max, message in (
        ("title", 250, _("Give the meeting a title.")),
        ("leader", 250, _("Say who led the meeting.")),
        ("place", 250, _("Say where the meeting was held.")),
    ):
        value = _text(getattr(data, name))
        if not value:
            err(name, message)
        elif len(value) > label_max:
            err(name, _("This text is longer than %(max)d characters.") % {"max": label_max})
        setattr(data, name, value)
    if not _text(data.topic):
        err("topic", _("Give the topic (materi) of the meeting."))
    if data.held_at is None or timezone.is_naive(data.held_at):
        err("held_at", _("Give the date and time of the meeting."))
    for name, limit in (("signatory_title", 250), ("signatory_name", 150),
                        ("signatory_id", 40), ("document_place", 100)):
        value = _text(getattr(data, name))
        if len(value) > limit:
            err(name, _("This text is longer than %(max)d characters.") % {"max": limit})
        setattr(data, name, value)
    offices = [_text(p.office) for p in data.participants]
    if any(not office for office in offices):
        err("participants", _("Name the office of every participant."))
    elif len(set(offices)) != len(offices):
        err("participants", _("An office is listed twice among the participants."))
    elif any(len(office) > 200 for office in offices):
        err("participants", _("This text is longer than %(max)d characters.") % {"max": 200})
    for participant in data.participants:
        if participant.member is not None and forum is not None and \
                participant.member.forum_id != forum.pk:
            err("participants", _("A participant is a member of another forum."))
    for region in data.regions:
        if not can_see_region(by, region.code):
            err("regions", _("This region is outside your jurisdiction."))
            break
    _visible(Incident, data.incidents, by, "incidents", errors)
    _visible(Alert, data.alerts, by, "alerts", errors)
    if errors:
        raise ValidationError(errors)
    return data


def _meeting_relations(meeting: Meeting, data: MeetingData) -> None:
    meeting.participants.all().delete()
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, office=_text(p.office),
                           person_name=_text(p.person_name)[:150], member=p.member,
                           order=index + 1)
        for index, p in enumerate(data.participants)
    )
    meeting.regions.set(data.regions)
    meeting.indicators.set(data.indicators)
    meeting.incidents.set(data.incidents)
    meeting.alerts.set(data.alerts)


@transaction.atomic
def meeting_create(*, by, data: MeetingData, is_demo: bool = False) -> Meeting:
    """Record a meeting of a forum with its participants and what it discussed."""
    require(by, "record_meeting")
    data = _clean_meeting(data, by)
    meeting = Meeting.objects.create(
        forum=data.forum, region_id=data.forum.region_id, created_by=by, is_demo=is_demo,
        **{name: getattr(data, name) for name in MEETING_FIELDS},
    )
    _meeting_relations(meeting, data)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by, data: MeetingData) -> Meeting:
    require(by, "record_meeting")
    _require_region(by, meeting.region_id)
    data = _clean_meeting(data, by)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if data.forum.pk != locked.forum_id and locked.recommendations.exclude(
            status__in=[S.DRAFT, S.CANCELLED]).exists():
        raise ValidationError({"forum": [
            _("The forum cannot change once recommendations of the meeting are approved.")]})
    locked.forum, locked.region_id = data.forum, data.forum.region_id
    for name in MEETING_FIELDS:
        setattr(locked, name, getattr(data, name))
    locked.save()
    _meeting_relations(locked, data)
    if locked.recommendations.exists():
        locked.recommendations.update(region_id=locked.region_id)
    return locked


def attachment_add(*, meeting: Meeting, by, upload: UploadedFile,
                   description: str = "") -> MeetingAttachment:
    """Attach a photo or PDF to a meeting, checked by its content (not its name) and size."""
    require(by, "record_meeting")
    _require_region(by, meeting.region_id)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than the limit of %(size)s.")
                                        % {"size": filesizeformat(limit)}]})
    upload.seek(0)
    kind = filetypes.sniff(upload.read(32))
    if kind is None:
        raise ValidationError({"file": [_(
            "Only photos (JPEG, PNG, WebP, GIF, HEIC) and PDF files are accepted; "
            "this file is neither, whatever its name says.")]})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    content_type, extension = kind
    upload.seek(0)
    attachment = MeetingAttachment(
        meeting=meeting, original_name=(upload.name or "lampiran")[:200],
        content_type=content_type, size=upload.size, sha256=digest.hexdigest(),
        description=_text(description)[:250], uploaded_by=by,
    )
    attachment.file.save(f"lampiran{extension}", upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)  # no file without its row
        raise
    return attachment


# --- Recommendations ------------------------------------------------------------------------

@dataclass
class RecommendationData:
    """A recommendation as an analyst drafts it; forms, serializers and suggestions build
    one. ``region`` is the issuing forum's region; with a meeting it is the meeting's."""

    title: str
    text: str
    meeting: Meeting | None = None
    region: Region | None = None
    rationale: str = ""
    deadline: dt.date | None = None
    addressees: str = ""
    regions: Sequence[Region] = field(default_factory=list)
    indicators: Sequence[Indicator] = field(default_factory=list)
    institutions: Sequence[Institution] = field(default_factory=list)
    incidents: Sequence[Incident] = field(default_factory=list)
    score_changes: list = field(default_factory=list)
    suggestion_key: str = ""


def _clean_recommendation(data: RecommendationData, by) -> RecommendationData:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.meeting is not None:
        data.region = data.meeting.region
    if data.region is None:
        err("region", _("Choose the meeting or the region of the recommendation."))
    elif not can_see_region(by, data.region.code):
        err("region", _("This region is outside your jurisdiction."))
    data.title, data.text = _text(data.title), _text(data.text)
    if not data.title:
        err("title", _("Give the recommendation a short title."))
    elif len(data.title) > 200:
        err("title", _("This text is longer than %(max)d characters.") % {"max": 200})
    if not data.text:
        err("text", _("Write the recommendation."))
    data.addressees = _text(data.addressees)
    if len(data.addressees) > 300:
        err("addressees", _("This text is longer than %(max)d characters.") % {"max": 300})
    for region in data.regions:
        if not can_see_region(by, region.code):
            err("regions", _("This region is outside your jurisdiction."))
            break
        if data.region is not None and not (
                region.code == data.region.code or region.code.startswith(f"{data.region.code}.")):
            err("regions", _("A region concerned lies outside the forum's region."))
            break
    _visible(Incident, data.incidents, by, "incidents", errors)
    if not isinstance(data.score_changes, list):
        err("score_changes", _("Give the score changes as a list."))
    if errors:
        raise ValidationError(errors)
    return data


SCORE_WINDOW = dt.timedelta(days=14)


def score_changes_of(regions: Sequence[Region]) -> list[dict]:
    """Each region's newest overall risk score and the one two weeks before it: the score
    change behind a recommendation, kept with it as it stood when it was drafted."""
    changes = []
    for region in regions:
        scores = RiskScore.objects.filter(region=region, stage="").order_by("-day")
        latest = scores.values("day", "total", "level", "election_id").first()
        if latest is None:
            continue
        earlier = scores.filter(election_id=latest["election_id"],
                                day__lte=latest["day"] - SCORE_WINDOW) \
            .values("day", "total", "level").first()
        changes.append({
            "region": region.code, "name": region.name, "day": latest["day"].isoformat(),
            "total": round(latest["total"], 1), "level": latest["level"],
            "previous_day": earlier["day"].isoformat() if earlier else None,
            "previous_total": round(earlier["total"], 1) if earlier else None,
            "previous_level": earlier["level"] if earlier else None,
        })
    return changes


def _record(rec: Recommendation, *, from_status: str, to_status: str, by,
            reason: str = "") -> None:
    RecommendationTransition.objects.create(recommendation=rec, from_status=from_status,
                                            to_status=to_status, by=by, reason=reason)


def _relations(rec: Recommendation, data: RecommendationData) -> None:
    rec.regions.set(data.regions)
    rec.indicators.set(data.indicators)
    rec.institutions.set(data.institutions)
    rec.incidents.set(data.incidents)


@transaction.atomic
def recommendation_create(*, by, data: RecommendationData,
                          is_demo: bool = False) -> Recommendation:
    """Draft a recommendation (of a meeting, or of a region's forum work)."""
    require(by, "draft")
    data = _clean_recommendation(data, by)
    if not data.score_changes:
        data.score_changes = score_changes_of(list(data.regions) or [data.region])
    order = 0
    if data.meeting is not None:
        # Lock the meeting so two drafts added at once get distinct places in the list.
        Meeting.objects.select_for_update().filter(pk=data.meeting.pk).first()
        order = data.meeting.recommendations.count() + 1
    rec = Recommendation.objects.create(
        region=data.region, meeting=data.meeting, order=order, title=data.title,
        text=data.text, rationale=_text(data.rationale), deadline=data.deadline,
        addressees=data.addressees, score_changes=data.score_changes,
        suggestion_key=data.suggestion_key[:120], created_by=by, is_demo=is_demo,
    )
    _relations(rec, data)
    _record(rec, from_status="", to_status=S.DRAFT, by=by)
    return rec


@transaction.atomic
def recommendation_update(*, recommendation: Recommendation, by,
                          data: RecommendationData) -> Recommendation:
    """Edit a draft or approved recommendation. Once issued its text is what institutions
    received; only its deadline may move (``recommendation_set_deadline``)."""
    require(by, "draft")
    _require_region(by, recommendation.region_id)
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.status not in (S.DRAFT, S.APPROVED):
        raise ValidationError(_("An issued recommendation cannot be edited."))
    if data.meeting is None and locked.meeting_id is not None:
        data.meeting = locked.meeting
    data = _clean_recommendation(data, by)
    if data.meeting is not None and data.meeting.pk != locked.meeting_id:
        locked.order = data.meeting.recommendations.count() + 1
    locked.meeting, locked.region = data.meeting, data.region
    for name in ("title", "text", "deadline", "addressees", "score_changes"):
        setattr(locked, name, getattr(data, name))
    locked.rationale = _text(data.rationale)
    locked.save()
    _relations(locked, data)
    return locked


def _move(rec: Recommendation, *, by, action: str, allowed_from: Iterable[str], to: str,
          reason: str = "", changes=None) -> Recommendation:
    """Move one recommendation through its lifecycle under a row lock (see module doc)."""
    require(by, action)
    _require_region(by, rec.region_id)
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=rec.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                _("This recommendation is now “%(status)s”; reload the page.")
                % {"status": locked.get_status_display()}
            )
        previous = locked.status
        locked.status = to
        for name, value in (changes(locked) if changes else {}).items():
            setattr(locked, name, value)
        locked.save()
        _record(locked, from_status=previous, to_status=to, by=by, reason=reason)
    return locked


def recommendation_approve(*, recommendation: Recommendation, by) -> Recommendation:
    """draft > approved: the forum agreed on it."""
    return _move(recommendation, by=by, action="approve", allowed_from=[S.DRAFT],
                 to=S.APPROVED,
                 changes=lambda r: {"approved_by": by, "approved_at": timezone.now()})


def number_format(*, region_code: str, year: int, sequence: int) -> str:
    """The official number: ``007/REK/13/2024`` (sequence, kind, region, year)."""
    return f"{sequence:03d}/REK/{region_code}/{year}"


def number_allocate(*, region: Region, year: int) -> int:
    """Take the next number of ``region`` and ``year``. Must run inside the transaction that
    stores it: the sequence row stays locked until that commits, so concurrent issuers
    queue here and a rolled-back issue gives its number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside a transaction")
    # Create the row once (a race between two first issuers ends in one row), then lock it.
    NumberSequence.objects.bulk_create([NumberSequence(region=region, year=year)],
                                       ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(region=region, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def recommendation_issue(*, recommendation: Recommendation, by,
                         issued_at: dt.datetime | None = None) -> Recommendation:
    """approved > issued, under the next official number of its region and year.
    ``issued_at`` records a letter issued earlier (an import or the demo); by default now."""
    require(by, "issue")
    _require_region(by, recommendation.region_id)
    when = issued_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError(_("A recommendation cannot be issued in the future."))
    with transaction.atomic():
        def changes(locked: Recommendation) -> dict:
            if not locked.institutions.exists() and not locked.addressees:
                raise ValidationError({"institutions": [
                    _("Address the recommendation to at least one institution before issuing "
                      "it.")]})
            region = Region.objects.get(pk=locked.region_id)
            year = when.astimezone(ZoneInfo(TIMEZONE_IANA[region.timezone])).year
            sequence = number_allocate(region=region, year=year)
            return {"issued_by": by, "issued_at": when,
                    "number": number_format(region_code=region.code, year=year,
                                            sequence=sequence)}

        return _move(recommendation, by=by, action="issue", allowed_from=[S.APPROVED],
                     to=S.ISSUED, changes=changes)


def recommendation_start(*, recommendation: Recommendation, by,
                         reason: str = "") -> Recommendation:
    """issued > in progress: an addressed institution started acting on it."""
    return _move(recommendation, by=by, action="follow_up", allowed_from=[S.ISSUED],
                 to=S.IN_PROGRESS, reason=_text(reason))


def recommendation_complete(*, recommendation: Recommendation, by,
                            reason: str = "") -> Recommendation:
    """issued | in progress > done."""
    return _move(recommendation, by=by, action="follow_up", allowed_from=list(OPEN),
                 to=S.DONE, reason=_text(reason),
                 changes=lambda r: {"closed_at": timezone.now()})


def recommendation_cancel(*, recommendation: Recommendation, by, reason: str) -> Recommendation:
    """Any state but done > cancelled, saying why."""
    if not _text(reason):
        raise ValidationError({"reason": [_("Say why the recommendation is cancelled.")]})
    return _move(recommendation, by=by, action="cancel",
                 allowed_from=[S.DRAFT, S.APPROVED, S.ISSUED, S.IN_PROGRESS],
                 to=S.CANCELLED, reason=_text(reason),
                 changes=lambda r: {"closed_at": timezone.now()})


def recommendation_discard(*, recommendation: Recommendation, by) -> None:
    """Delete a draft nobody approved (a suggested draft the analyst does not want)."""
    require(by, "draft")
    _require_region(by, recommendation.region_id)
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.status != S.DRAFT:
            raise ValidationError(_("Only a draft can be discarded; cancel it instead."))
        locked.delete()


def recommendation_set_deadline(*, recommendation: Recommendation, by,
                                deadline: dt.date | None, reason: str) -> Recommendation:
    """Move the deadline of an open recommendation, saying why (kept in its history)."""
    if not _text(reason):
        raise ValidationError({"reason": [_("Say why the deadline moves.")]})
    require(by, "issue")
    _require_region(by, recommendation.region_id)
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.status in (S.DONE, S.CANCELLED):
            raise ValidationError(_("A settled recommendation keeps its deadline."))
        old = locked.deadline
        locked.deadline = deadline
        locked.save(update_fields=["deadline", "updated_at"])
        _record(locked, from_status=locked.status, to_status=locked.status, by=by,
                reason=_("Deadline %(old)s → %(new)s: %(reason)s") % {
                    "old": old or "—", "new": deadline or "—", "reason": _text(reason)})
    return locked


def progress_note_add(*, recommendation: Recommendation, by, text: str,
                      institution: Institution | None = None, office: str = "") -> ProgressNote:
    """Record what an addressed institution has done; the first note of an issued
    recommendation moves it to in progress."""
    require(by, "follow_up")
    _require_region(by, recommendation.region_id)
    if not _text(text):
        raise ValidationError({"text": [_("Describe the progress.")]})
    if recommendation.status not in OPEN:
        raise ValidationError(_("Progress is recorded on issued recommendations only."))
    with transaction.atomic():
        note = ProgressNote.objects.create(
            recommendation=recommendation, institution=institution,
            office=_text(office)[:200] or _text(getattr(by, "institution", ""))[:200],
            text=_text(text), author=by,
        )
        if recommendation.status == S.ISSUED:
            recommendation_start(recommendation=recommendation, by=by,
                                 reason=_("Progress reported."))
    return note


def distribution_record(*, recommendation: Recommendation, by, recipient: str,
                        channel: str = Channel.LETTER, institution: Institution | None = None,
                        sent_at: dt.datetime | None = None) -> Distribution:
    """Log that an issued recommendation was sent to an office."""
    require(by, "distribute")
    _require_region(by, recommendation.region_id)
    if recommendation.status not in (S.ISSUED, S.IN_PROGRESS, S.DONE):
        raise ValidationError(_("Only an issued recommendation can be distributed."))
    if not _text(recipient) or len(_text(recipient)) > 200:
        raise ValidationError({"recipient": [_("Name the recipient office.")]})
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Choose one of the listed values.")]})
    try:
        with transaction.atomic():
            return Distribution.objects.create(
                recommendation=recommendation, recipient=_text(recipient), channel=channel,
                institution=institution, sent_at=sent_at or timezone.now(), sent_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError({"recipient": [
            _("This office is already in the distribution log.")]}) from exc


def distribution_acknowledge(*, distribution: Distribution, by,
                             acknowledged_by: str = "") -> Distribution:
    """Record that the office received the recommendation (once)."""
    require(by, "acknowledge")
    _require_region(by, distribution.recommendation.region_id)
    name = _text(acknowledged_by) or by.get_full_name() or by.username
    Distribution.objects.filter(pk=distribution.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=name[:150], acknowledged_user=by)
    distribution.refresh_from_db()
    return distribution


# --- Overdue notifications -------------------------------------------------------------------

def _notice_targets(recs: Sequence[Recommendation]) -> list[OverdueNotice]:
    """Portal and e-mail notices for the analysts and officials of each recommendation's
    region and above, and e-mail for forum members of that region whose institution it
    addresses: two queries for the whole batch (``recipients_by_region``, the members)."""
    recipients = recipients_by_region({rec.region_id for rec in recs})
    addressed = {rec.pk: {i.pk for i in rec.institutions.all()} for rec in recs}
    members: dict[str, list[ForumMember]] = {}
    if any(addressed.values()):
        for member in ForumMember.objects.filter(
                forum__region_id__in={rec.region_id for rec in recs if addressed[rec.pk]},
                institution_id__in=set().union(*addressed.values()),
        ).exclude(email="").annotate(region_id=F("forum__region_id")):
            members.setdefault(member.region_id, []).append(member)
    notices = []
    for rec in recs:
        for user in recipients[rec.region_id]:
            notices.append(OverdueNotice(recommendation=rec, channel=Channel.PORTAL,
                                         recipient=user, target=f"user:{user.pk}"))
            if user.email:
                notices.append(OverdueNotice(recommendation=rec, channel=Channel.EMAIL,
                                             recipient=user, target=user.email))
        for member in members.get(rec.region_id, []):
            if member.institution_id in addressed[rec.pk]:
                notices.append(OverdueNotice(recommendation=rec, channel=Channel.EMAIL,
                                             recipient=member.user, target=member.email))
    return notices


def overdue_notify(*, today: dt.date | None = None) -> list[int]:
    """Notify once about every open recommendation past its deadline (today as the clock
    reads in its region), and queue again the notices still pending or failed (queued while
    the broker was down, or out of retries). Returns the ids of the recommendations queued.

    A recommendation is notified once, when it first falls overdue: its notices' unique key
    makes a second run (or a second worker) create nothing."""
    latest = dt.date.max if today is None else today
    candidates = (Recommendation.objects.filter(status__in=OPEN, deadline__lt=latest,
                                                notices__isnull=True)
                  .select_related("region").defer("region__boundary")
                  .prefetch_related(Prefetch("institutions",
                                             queryset=Institution.objects.only("pk"))))
    due = [rec for rec in candidates if rec.deadline < (today or region_today(rec.region))]
    OverdueNotice.objects.bulk_create(_notice_targets(due), ignore_conflicts=True)
    new = [rec.pk for rec in due]
    unsent = set(OverdueNotice.objects.filter(
        status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED], attempts__lt=20,
        recommendation__status__in=OPEN,
    ).values_list("recommendation_id", flat=True))
    queued = sorted(set(new) | unsent)
    for pk in queued:
        transaction.on_commit(lambda pk=pk: _queue_delivery(pk))
    return queued


def _queue_delivery(recommendation_id: int) -> None:
    from forkopimda import tasks

    try:
        tasks.deliver_overdue_notices.delay(recommendation_id)
    except Exception:  # noqa: BLE001 - the next daily run retries pending notices
        log.warning("overdue notices of %s not queued (broker unavailable)", recommendation_id)


class DeliveryError(Exception):
    """A notice failed; the task retries the pending ones with backoff."""


def overdue_deliver(*, recommendation_id: int) -> dict[str, int]:
    """Send the pending notices of one recommendation, each claimed under a row lock so a
    retry or a second worker never sends one twice. Raises DeliveryError when any failed."""
    sent = failed = 0
    pending = list(OverdueNotice.objects.filter(
        recommendation_id=recommendation_id,
        status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED],
    ).values_list("pk", flat=True))
    for pk in pending:
        with transaction.atomic():
            notice = (OverdueNotice.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("recommendation").filter(pk=pk)
                      .exclude(status=NoticeStatus.SENT).first())
            if notice is None:
                continue
            notice.attempts += 1
            try:
                _send_notice(notice)
            except Exception as exc:  # noqa: BLE001 - any channel failure is logged and retried
                notice.status, notice.last_error = NoticeStatus.FAILED, str(exc)[:2000]
                failed += 1
            else:
                notice.status, notice.sent_at, notice.last_error = (
                    NoticeStatus.SENT, timezone.now(), "")
                sent += 1
            notice.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    if failed:
        raise DeliveryError(f"{failed} notices of recommendation {recommendation_id} failed")
    return {"sent": sent, "failed": failed}


def _send_notice(notice: OverdueNotice) -> None:
    if notice.channel == Channel.PORTAL:
        return  # the portal shows overdue recommendations from the row itself
    rec = notice.recommendation
    subject = _("[Kewaspadaan] Recommendation past its deadline: %(title)s") % {
        "title": rec.title}
    body = _("Recommendation %(number)s, “%(title)s”, was due on %(deadline)s and is not "
             "done.") % {"number": rec.number or "", "title": rec.title,
                         "deadline": rec.deadline.strftime("%d-%m-%Y")}
    body += f"\n\n{settings.PORTAL_BASE_URL}/recommendations/{rec.pk}/"
    send_mail(subject, body, None, [notice.target])


# --- Situation report subscriptions ---------------------------------------------------------

def subscription_set(*, by, region: Region, subscribed: bool) -> bool:
    """Subscribe ``by`` to (or unsubscribe from) the weekly situation report of a region."""
    require(by, "subscribe")
    _require_region(by, region.code)
    if subscribed:
        ReportSubscription.objects.get_or_create(region=region, user=by)
    else:
        ReportSubscription.objects.filter(region=region, user=by).delete()
    return subscribed


def situation_report_claim(*, subscription_id: int, end: dt.date) -> bool:
    """Claim the report of the week ending ``end`` for one subscription: a conditional
    UPDATE that changes one row once, so a retried or doubled task sends it once."""
    claimed = ReportSubscription.objects.filter(pk=subscription_id).filter(
        Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=end)).update(last_sent_on=end)
    return claimed == 1


def situation_report_send(*, subscription_id: int, end: dt.date | None = None) -> bool:
    """E-mail one subscriber the situation report of their region, as they may see it.
    Returns False when there is nothing to send (already sent, no address, no access)."""
    from forkopimda import documents, selectors

    subscription = ReportSubscription.objects.select_related("region", "user").filter(
        pk=subscription_id).first()
    if subscription is None:
        return False
    user, region = subscription.user, subscription.region
    end = end or region_today(region) - dt.timedelta(days=1)
    if not (user.is_active and user.email and can(user, "subscribe")
            and can_see_region(user, region.code)):
        return False
    situation = selectors.situation_report(user=user, region=region, end=end)
    pdf = documents.render_situation_pdf(situation)
    with transaction.atomic():
        if not situation_report_claim(subscription_id=subscription_id, end=end):
            return False
        message = EmailMessage(
            _("[Kewaspadaan] Situation report of %(region)s, week ending %(end)s") % {
                "region": region.name, "end": end.strftime("%d-%m-%Y")},
            _("The weekly situation report is attached."), None, [user.email])
        message.attach(documents.situation_filename(situation), pdf, "application/pdf")
        # Inside the claim's transaction: a failed send rolls the claim back for a retry.
        message.send()
    return True


def situation_reports_due() -> list[int]:
    """Subscriptions whose report of the week just ended is not sent yet."""
    return list(ReportSubscription.objects.filter(user__is_active=True)
                .exclude(user__email="").values_list("pk", flat=True))


# --- Suggested drafts -----------------------------------------------------------------------

def suggestion_accept(*, by, region: Region, suggestion, title: str, text: str,
                      institutions: Sequence[Institution], deadline: dt.date | None = None,
                      meeting: Meeting | None = None, incidents: Sequence[Incident] = (),
                      score_changes: list | None = None) -> Recommendation:
    """Turn a suggested draft (as the analyst edited it) into a draft recommendation that
    keeps the figures and incidents behind it."""
    return recommendation_create(by=by, data=RecommendationData(
        title=title, text=text, meeting=meeting, region=region,
        rationale=suggestion.rationale, deadline=deadline, institutions=list(institutions),
        regions=[region], incidents=list(incidents),
        indicators=list(Indicator.objects.filter(code=suggestion.category))
        if suggestion.category else [],
        score_changes=score_changes or [],
        suggestion_key=suggestion.key,
    ))
