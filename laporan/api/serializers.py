"""Serializers of the incident API. They parse and present; the rules live in
``laporan.services`` (writes) and ``laporan.selectors`` (reads). Related records are given
by the keys users know: Kemendagri codes for regions, codes for indicators and institutions,
ids for contests, candidate pairs, incidents and users."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from kewaspadaan.models import CandidatePair, Contest, Indicator, Institution, Region
from kewaspadaan.scoping import scope
from laporan.choices import Credibility, ReferralStatus, Reliability, Status
from laporan.confidential import can_see_informant
from laporan.models import Evidence, Incident, IncidentActor, Referral

# A text box, not a <select> of every row, in the browsable API (91,599 regions...).
TEXT_INPUT = {"base_template": "input.html"}
# A region's boundary is a large GeoJSON document that naming a region never needs.
REGIONS = Region.objects.defer("boundary")


class CodeRelatedField(serializers.SlugRelatedField):
    """A related record named by its code, with a message a user can act on."""

    default_error_messages = {
        "does_not_exist": _("Unknown code “{value}”."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("style", TEXT_INPUT)
        super().__init__(**kwargs)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id that must name a record the caller may see: anything else "does not exist",
    so a hidden record cannot be told apart from a missing one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("style", TEXT_INPUT)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope(super().get_queryset(), getattr(request, "user", None))


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its UTC offset. A naive time is refused rather than guessed: the same
    clock time is a different instant in WIB, WITA and WIT."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, for example 2024-10-14T09:30:00+07:00."),
    }

    def to_internal_value(self, value):
        parsed = value
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # the parent reports the bad format
        if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose enum is one schema component with a name of our choosing.

    drf-spectacular names enums after fields, so ``status`` (of incidents and of referrals)
    would collide and the A-F / 1-6 grades would get two names each (``reliability`` on
    verify, ``source_reliability`` on the incident). See ``NamedChoiceFieldExtension``."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {key: value for key, value in build_choice_field(field).items()
                  if key in ("type", "enum")}
        schema["description"] = "\n".join(
            f"* `{value}` - {label}" for value, label in field.choices.items()
        )
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA,
                                      object=field.enum_name, schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _username(user) -> str | None:
    return user.username if user is not None else None


# --- Incidents ----------------------------------------------------------------------------

class ActorSerializer(serializers.ModelSerializer):
    count = serializers.IntegerField(min_value=1, default=1)

    class Meta:
        model = IncidentActor
        fields = ["actor_type", "count", "description"]


class IncidentSerializer(serializers.ModelSerializer):
    """An incident. Writes are turned into ``laporan.services.IncidentData``."""

    reference = serializers.CharField(read_only=True, help_text="LAP-000123")
    status = NamedChoiceField(enum_name="IncidentStatusEnum", choices=Status.choices,
                              read_only=True)
    source_reliability = NamedChoiceField(enum_name="ReliabilityEnum",
                                          choices=Reliability.choices, read_only=True)
    information_credibility = NamedChoiceField(enum_name="CredibilityEnum",
                                               choices=Credibility.choices, read_only=True)
    region = CodeRelatedField(queryset=REGIONS,
                              help_text="Kab/kota Kemendagri code, for example 13.77.")
    region_name = serializers.CharField(source="region.name", read_only=True)
    kecamatan = CodeRelatedField(queryset=REGIONS, required=False,
                                 allow_null=True, help_text="Kecamatan code, e.g. 13.77.01.")
    kecamatan_name = serializers.CharField(source="kecamatan.name", read_only=True,
                                           allow_null=True, default=None)
    desa = CodeRelatedField(queryset=REGIONS, required=False, allow_null=True,
                            help_text="Desa/kelurahan code, e.g. 13.77.01.1001.")
    desa_name = serializers.CharField(source="desa.name", read_only=True, allow_null=True,
                                      default=None)
    # The bounds of the model's constraint, so a point outside Indonesia is a 400, not a 500.
    latitude = serializers.FloatField(min_value=-11.5, max_value=6.5, required=False,
                                      allow_null=True)
    longitude = serializers.FloatField(min_value=94.5, max_value=141.5, required=False,
                                       allow_null=True)
    occurred_at = AwareDateTimeField(
        help_text="ISO 8601 with offset, for example 2024-10-14T09:30:00+07:00."
    )
    election = serializers.PrimaryKeyRelatedField(read_only=True)
    election_name = serializers.CharField(source="election.name", read_only=True,
                                          allow_null=True, default=None)
    stages = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    indicator = CodeRelatedField(queryset=Indicator.objects.all(),
                                 help_text="Indicator code, for example asn-grup-percakapan.")
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    indicator_category = serializers.CharField(source="indicator.parent.code", read_only=True,
                                               allow_null=True, default=None)
    contest = serializers.PrimaryKeyRelatedField(
        queryset=Contest.objects.all(), required=False, allow_null=True, style=TEXT_INPUT
    )
    candidate_pair = serializers.PrimaryKeyRelatedField(
        queryset=CandidatePair.objects.all(), required=False, allow_null=True, style=TEXT_INPUT
    )
    actors = ActorSerializer(many=True, required=False)
    casualties = serializers.IntegerField(read_only=True)
    informant = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Protected: encrypted at rest, never searchable. Always accepted; returned "
                  "only to analysts and admins.",
    )
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text="Why the incident is changed (required once it is verified).",
    )
    assigned_to_username = serializers.CharField(source="assigned_to.username", read_only=True,
                                                 allow_null=True, default=None)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    verified_by = serializers.CharField(source="verified_by.username", read_only=True,
                                        allow_null=True, default=None)

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "status", "title", "narrative",
            "region", "region_name", "kecamatan", "kecamatan_name", "desa", "desa_name",
            "latitude", "longitude", "occurred_at", "election", "election_name", "stages",
            "indicator", "indicator_name", "indicator_category", "athg",
            "contest", "candidate_pair", "actors", "source_type", "source_reliability",
            "information_credibility", "severity", "injured", "killed", "casualties",
            "damage", "classification", "informant", "reason",
            "assigned_to", "assigned_to_username", "merged_into", "external_ref",
            "created_by", "created_at", "updated_at", "verified_by", "verified_at",
        ]
        read_only_fields = [
            "assigned_to", "merged_into", "external_ref", "created_at", "updated_at",
            "verified_at",
        ]
        extra_kwargs = {"athg": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_informant(getattr(request, "user", None), instance):
            data.pop("informant", None)
        return data


class IncidentSummarySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status = NamedChoiceField(enum_name="IncidentStatusEnum", choices=Status.choices,
                              read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "reference", "title", "status", "occurred_at", "region", "region_name",
                  "classification"]
        read_only_fields = fields


class VerifySerializer(serializers.Serializer):
    reliability = NamedChoiceField(enum_name="ReliabilityEnum", choices=Reliability.choices,
                                   help_text="Source reliability, A-F.")
    credibility = NamedChoiceField(enum_name="CredibilityEnum", choices=Credibility.choices,
                                   help_text="Information credibility, 1-6.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MergeSerializer(serializers.Serializer):
    into = ScopedPrimaryKeyRelatedField(queryset=Incident.objects.all(),
                                        help_text="Id of the incident that stays.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True,
        style=TEXT_INPUT, help_text="Id of an analyst of the region, or null to unassign.",
    )


class DuplicateSerializer(serializers.Serializer):
    score = serializers.FloatField()
    incident = IncidentSummarySerializer()


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()

    def to_representation(self, instance):
        label, old, new = instance
        return {"field": label, "old": old, "new": new}


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    reason = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)

    def get_by(self, entry) -> str | None:
        return _username(entry.by)


class TimelineTransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()


class TimelineReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name")
    subject = serializers.CharField()
    count = serializers.IntegerField()
    status = serializers.CharField()


class TimelineEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()


class TimelineEntrySerializer(serializers.Serializer):
    """One line of an incident's timeline; the object matching ``kind`` is filled in."""

    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["status", "referral", "evidence"])
    by = serializers.SerializerMethodField()
    transition = serializers.SerializerMethodField()
    referral = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    def get_by(self, entry) -> str | None:
        item = entry.item
        user = {"status": lambda: item.by, "referral": lambda: item.created_by,
                "evidence": lambda: item.uploaded_by}[entry.kind]()
        return _username(user)

    @extend_schema_field(TimelineTransitionSerializer(allow_null=True))
    def get_transition(self, entry):
        return TimelineTransitionSerializer(entry.item).data if entry.kind == "status" else None

    @extend_schema_field(TimelineReferralSerializer(allow_null=True))
    def get_referral(self, entry):
        return TimelineReferralSerializer(entry.item).data if entry.kind == "referral" else None

    @extend_schema_field(TimelineEvidenceSerializer(allow_null=True))
    def get_evidence(self, entry):
        return TimelineEvidenceSerializer(entry.item).data if entry.kind == "evidence" else None


# --- Referrals ----------------------------------------------------------------------------

class ReferralSerializer(serializers.ModelSerializer):
    """A referral (tindak lanjut). Created with the incident, institution and what was
    referred; its deadline follows the institution's route."""

    incident = ScopedPrimaryKeyRelatedField(queryset=Incident.objects.all())
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    institution = CodeRelatedField(queryset=Institution.objects.filter(is_active=True),
                                   help_text="Institution code, for example polri or bkn.")
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    count = serializers.IntegerField(min_value=1, default=1)
    status = NamedChoiceField(enum_name="ReferralStatusEnum", choices=ReferralStatus.choices,
                              read_only=True)
    is_overdue = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id", "incident", "incident_reference", "institution", "institution_name",
            "subject", "count", "referred_on", "deadline", "is_overdue", "status", "outcome",
            "decided_on", "notes", "created_by", "created_at",
        ]
        read_only_fields = ["deadline", "outcome", "decided_on", "created_at"]

    def get_is_overdue(self, referral) -> bool:
        return referral.is_overdue()


class ReferralUpdateSerializer(serializers.Serializer):
    """What changes on a referral after it is sent: its status and outcome."""

    status = NamedChoiceField(enum_name="ReferralStatusEnum", choices=ReferralStatus.choices,
                              required=False)
    outcome = serializers.CharField(required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


# --- Evidence -----------------------------------------------------------------------------

class EvidenceSerializer(serializers.ModelSerializer):
    """An evidence file's metadata. Upload as multipart/form-data; the type is recognised
    from the content, never from the name."""

    incident = ScopedPrimaryKeyRelatedField(queryset=Incident.objects.all())
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    file = serializers.FileField(write_only=True, use_url=False,
                                 help_text="JPEG, PNG, WebP, GIF, HEIC or PDF.")
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id", "incident", "incident_reference", "file", "original_name", "content_type",
            "size", "sha256", "description", "uploaded_by", "uploaded_at", "download_url",
        ]
        read_only_fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, evidence) -> str:
        return reverse("evidence-download", kwargs={"pk": evidence.pk},
                       request=self.context.get("request"))
